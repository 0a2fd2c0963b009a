"""A faster load for flat schemas whose items carry few of many optional fields.

marshmallow visits every declared field of every item, present or not (a closure, an
error-store call and a ``deserialize`` of ``missing`` each). A pushed op declares ~24
fields and carries ~10, 25 to 500 ops a request, so that bookkeeping was the largest
part of validating a push. ``FlatSchema`` deserializes only what an item carries (plus
required and defaulted fields), with the same field objects, so each value is checked
and converted exactly as before; marshmallow's own hooks and schema validators run
unchanged around it. Anything else (an unknown key, an invalid value, options such as
``partial``) goes through marshmallow's full path, so error messages do not change.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError
from marshmallow.utils import missing


class FlatSchema(Schema):
    def _deserialize(self, data, *, error_store, many=False, partial=None, unknown=RAISE,
                     index=None):
        fields = self.load_fields
        if many or partial or unknown != RAISE or type(data) is not dict or \
                not data.keys() <= fields.keys() or not self._flat():
            return super()._deserialize(data, error_store=error_store, many=many,
                                        partial=partial, unknown=unknown, index=index)
        out = self.dict_class()
        try:
            for name, field in fields.items():  # declaration order, as marshmallow's
                raw = data.get(name, missing)
                if raw is missing and not field.required and field.load_default is missing:
                    continue
                value = field.deserialize(raw, name, data)
                if value is not missing:
                    out[name] = value
        except ValidationError:  # let marshmallow collect and word every error
            return super()._deserialize(data, error_store=error_store, many=many,
                                        partial=partial, unknown=unknown, index=index)
        return out

    def _flat(self) -> bool:
        """Keys are attribute names (no data_key, attribute or dotted name to map)."""
        flat = getattr(self, "_flat_fields", None)
        if flat is None:
            flat = self._flat_fields = all(
                f.data_key is None and f.attribute is None and "." not in name
                for name, f in self.load_fields.items())
        return flat
