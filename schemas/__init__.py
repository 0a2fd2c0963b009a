"""Marshmallow schemas: the API contract, shared by the server and the sync client.

Imports neither ``server`` nor ``sync``.
"""
