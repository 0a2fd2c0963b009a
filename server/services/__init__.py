"""Business rules. Plain functions taking a Session and an Actor; never Flask."""
