"""Dates and moments written as ISO 8601 text where a service stores or signs text, not
where it answers: audit snapshots, JSON columns, signed token payloads and messages.
Answers carry date and datetime values, which the schemas in ``schemas/`` format."""

from __future__ import annotations

import datetime as dt


def iso_text(value: dt.date | dt.datetime) -> str:
    """``2026-03-02`` for a date, ``2026-03-02T08:00:00+00:00`` for a moment."""
    return value.isoformat()


def iso_date(text: str | None) -> dt.date | None:
    """The date stored as ``iso_text``; None stays None."""
    return None if text is None else dt.date.fromisoformat(text)


def iso_moment(text: str | None) -> dt.datetime | None:
    """The moment stored as ``iso_text``; None stays None."""
    return None if text is None else dt.datetime.fromisoformat(text)
