"""HTTP layer: one flask-smorest Blueprint per domain. Views parse, authorize, call one
service function and serialize; no business rules and no queries here."""
