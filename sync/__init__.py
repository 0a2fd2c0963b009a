"""Offline sync (离线同步) for inspectors' phones: the pure parts, shared by the server
and the device-side client.

- ``tokens``: offline verification of signed visit and premises codes;
- ``hlc``: hybrid logical clocks, ordering edits from phones with wrong clocks;
- ``ids``: UUIDv7 operation ids made on the device;
- ``merge``: the merge rules of a register (siblings on concurrent edits, a
  deterministic provisional winner, resolution by naming superseded revisions);
- ``ops``: the op kinds and the register each writes; what a signature signs;
- ``replica``, ``client``: the phone's local store and its sync loop (``python -m sync``).

It must never import ``server``: the rules are functions over plain data so the server
can apply them inside its transaction and the phone can run them offline.
"""
