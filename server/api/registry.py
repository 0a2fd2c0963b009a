"""The operations every registry (名录库: departments, tags, companies, inspectors, items)
answers alike, built once for each:

    GET  /<plural>                  list, filtered and paged (``<Plural>``)
    POST /<plural>                  create (``<Plural>``)
    GET  /<plural>/<id>             one (``<Noun>ById``)
    PATCH /<plural>/<id>            change (``<Noun>ById``)
    PUT  /<plural>/<id>/active      deactivate or reactivate (``<Noun>Active``)
    POST /<plural>/import           bulk import (``<Noun>Import``, see ``imports``)

Each calls the service's function of the same name (``list_``, ``create``,
``get_or_raise``, ``update``, ``set_active_state``). The OpenAPI summaries follow one
wording, "List departments", "Create a department (admin)", ...; a registry whose rules say
more (who may, what cannot change) words its own in ``summaries``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from flask.views import MethodView

from schemas.common import ActiveSchema, ErrorSchema
from server.api.blueprint import Blueprint
from server.api.context import actor
from server.api.imports import import_view
from server.request_scope import session


@dataclass(frozen=True)
class Registry:
    """A registry's names, its schemas and its wording on the wire."""

    singular: str  # "department": paths, endpoint names and summaries derive from it
    plural: str
    query: type  # the list's query string
    schema: type  # what every operation answers
    patch: type  # a change's body
    create: type | None = None  # a creation's body, when it differs from ``schema``
    admin_only: bool = True  # whether "(admin)" is all a summary says of who may
    summaries: dict | None = None  # operation -> summary, where the registry says more

    @property
    def article(self) -> str:
        return "an" if self.singular[0] in "aeiou" else "a"

    def summary(self, operation: str) -> str:
        one = f"{self.article} {self.singular}"
        admin = " (admin)" if self.admin_only else ""
        default = {"list": f"List {self.plural}", "create": f"Create {one}{admin}",
                   "one": f"One {self.singular}", "change": f"Change {one}{admin}",
                   "active": f"Deactivate or reactivate {one}{admin}"}
        return (self.summaries or {}).get(operation, default[operation])


def registry_views(blp: Blueprint, service: ModuleType, registry: Registry, *,
                   view: Callable = lambda obj: obj, service_keys: Callable[[], dict] = dict,
                   create_errors: tuple[int, ...] = ()) -> None:
    """Route the registry's operations on ``blp``. ``view`` turns what the service returns
    into what ``registry.schema`` dumps; ``service_keys`` are extra keywords of create and
    update (the key that encrypts personal data); ``create_errors`` are the documented
    refusals of a creation."""
    r = registry
    noun, plural = r.singular.title(), r.plural.title()
    id_name = f"{r.singular}_id"
    id_rule = f"/{r.plural}/<int:{id_name}>"

    def list_(self, **query):
        page = service.list_(session(), actor(), **query)
        page.items = [view(obj) for obj in page.items]
        return page

    def create(self, data):
        return view(service.create(session(), actor(), data, **service_keys()))

    def one(self, **path):
        return view(service.get_or_raise(session(), actor(), path[id_name]))

    def change(self, changes, **path):
        return view(service.update(session(), actor(), path[id_name], changes,
                                   **service_keys()))

    def active(self, data, **path):
        return view(service.set_active_state(session(), actor(), path[id_name],
                                             data["active"]))

    for function in (list_, create, one, change, active):
        function.__doc__ = r.summary(function.__name__.rstrip("_"))
    # applied as decorators written top-down would be: the last one listed first
    for status in reversed(create_errors):
        create = blp.alt_response(status, schema=ErrorSchema)(create)
    list_ = blp.paged(r.query, r.schema)(list_)
    create = blp.arguments(r.create or r.schema)(blp.response(201, r.schema)(create))
    one = blp.response(200, r.schema)(one)
    change = blp.arguments(r.patch)(blp.response(200, r.schema)(change))
    active = blp.arguments(ActiveSchema)(blp.response(200, r.schema)(active))

    blp.route(f"/{r.plural}")(type(plural, (MethodView,), {"get": list_, "post": create}))
    blp.route(id_rule)(type(f"{noun}ById", (MethodView,), {"get": one, "patch": change}))
    blp.route(f"{id_rule}/active")(type(f"{noun}Active", (MethodView,), {"put": active}))
    import_view(blp, f"/{r.plural}/import", r.plural, f"{noun}Import")

