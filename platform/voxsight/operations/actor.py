"""Who acts: a name, a role, where from and through which door; and the one role check.

A signed-in person acts as their user. A command on the site's own machine (the CLI, the embedded
site preparing itself) acts as the operating-system login, named ``cli:<login>`` or
``site:<login>`` so that it is never taken for a Voxsight user of that name; whoever can run it
holds the database, so it acts as an admin.
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass

from voxsight.errors import Forbidden
from voxsight.store.accounts import Door, Role, UserInfo


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    door: Door
    source: str | None = None  # the client's address, or the host a command ran on

    @classmethod
    def of(cls, user: UserInfo, door: Door, source: str | None) -> Actor:
        return cls(user.name, user.role, door, source)

    @classmethod
    def local(cls, door: Door) -> Actor:
        """The operating-system user running a command on this machine."""
        return cls(f"{door.value}:{getpass.getuser()}", Role.ADMIN, door, socket.gethostname())

    @property
    def login(self) -> str:
        """The name alone: a user's name, or the operating-system login of a local command."""
        return self.name.removeprefix(f"{self.door.value}:")


def require(actor: Actor, role: Role) -> None:
    """The one role check.

    Raises:
        Forbidden: ``actor``'s role is below ``role``.
    """
    if not actor.role.allows(role):
        raise Forbidden(f"this needs the {role.value} role or higher; {actor.login} is {actor.role.value}",
                        needed=role.value)
