"""Who is acting, and what their role lets them see (scope).

Scope misses raise NotFound, never Forbidden: a supervisor of department A learns
nothing about department B's objects, not even that they exist. Writing to an object
the actor may see (every department, every inspection item) but not change is a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.services.errors import Forbidden, NotFound


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str
    department_id: int | None = None
    inspector_id: int | None = None

    @property
    def reads_everything(self) -> bool:
        return self.role in ("admin", "coordinator")

    def require_role(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden(f"The {self.role} role may not do this.")

    def department_scope(self) -> int | None:
        """The department this actor is confined to, or None when it sees all."""
        return None if self.reads_everything else self.department_id

    def check_department_read(self, department_id: int, what: str = "object") -> None:
        scope = self.department_scope()
        if scope is not None and scope != department_id:
            raise NotFound(f"No such {what}.")

    def check_department_write(self, department_id: int, what: str = "object") -> None:
        """Admins write anywhere; supervisors only in their own department.

        A 403, not a 404: callers reach this with an object the actor may already see
        (scoped objects are looked up within scope first, so a hidden one is a 404 before
        this is asked). Departments and items are public to every signed-in user; hiding
        them behind "No such department." on a write would only mislead."""
        if self.role == "admin":
            return
        if self.role == "supervisor" and self.department_id == department_id:
            return
        raise Forbidden(f"The {self.role} role may not change this {what}.")


SYSTEM = Actor(user_id=None, username="system", role="admin")
