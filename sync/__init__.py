"""Offline sync (离线同步) for inspectors' phones.

This package will hold the sync protocol's pure parts, shared by the server and the
device-side client library: the operation model (UUIDv7 op ids, hybrid logical clocks),
the merge rules for checklist fields (siblings on concurrent edits, a deterministic
provisional winner, resolution by naming superseded revisions), offline verification of
signed visit and premises tokens, and the device's durable outbox and blob queue.

It must never import ``server``: the merge rules are functions over plain data so the
server can apply them inside its transaction and the phone can run them offline.
"""
