"""What the app carries (settings, the database, the signer, the blob store), for the API,
the web pages and the command line alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from server.app import FieldInspect


def fi() -> FieldInspect:
    """The current app's ``FieldInspect``."""
    return current_app.extensions["fieldinspect"]
