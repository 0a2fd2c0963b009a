"""Server-rendered pages for people without the app: the company's verification page."""
