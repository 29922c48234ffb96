# SPDX-License-Identifier: GPL-2.0-or-later
"""Replies checked at the boundary into small validated dataclasses (style.md section 9).

Each from_json() raises ProtocolError when the value does not have the documented shape
(qga-reference.md sections 1 and 8), so a test never digs through raw dicts to find out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .errors import ExecuteError, ProtocolError
from .protocol import NO_ID

FSFREEZE_STATES: Final = ("thawed", "frozen")


def _expect_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProtocolError(f"{what}: expected a JSON object, got {value!r:.200}")
    return value


def _member(obj: dict[str, Any], key: str, kind: type, what: str) -> Any:
    if key not in obj:
        raise ProtocolError(f"{what}: member {key!r} is missing in {obj!r:.200}")
    value = obj[key]
    # bool is a subclass of int in Python, but not in JSON.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ProtocolError(f"{what}: member {key!r} should be {kind.__name__}, got {value!r:.200}")
    return value


def _no_other_members(obj: dict[str, Any], allowed: set[str], what: str) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        raise ProtocolError(f"{what}: unexpected members {extra} in {obj!r:.200}")


@dataclass(frozen=True)
class ErrorInfo:
    """The "error" member of a reply."""

    error_class: str
    desc: str

    @classmethod
    def from_json(cls, value: Any) -> ErrorInfo:
        obj = _expect_dict(value, "error")
        _no_other_members(obj, {"class", "desc"}, "error")
        return cls(_member(obj, "class", str, "error"), _member(obj, "desc", str, "error"))


@dataclass(frozen=True)
class Reply:
    """One reply: exactly one of "return" and "error", and the request's "id" if it had one.

    id is protocol.NO_ID when the reply has no "id" member (parse errors, requests without id).
    """

    ret: Any
    error: ErrorInfo | None
    id: Any = NO_ID

    @classmethod
    def from_json(cls, value: Any) -> Reply:
        obj = _expect_dict(value, "reply")
        _no_other_members(obj, {"return", "error", "id"}, "reply")
        reply_id = obj.get("id", NO_ID)
        if ("return" in obj) == ("error" in obj):
            raise ProtocolError(f"reply: needs exactly one of 'return' and 'error': {obj!r:.200}")
        if "error" in obj:
            return cls(None, ErrorInfo.from_json(obj["error"]), reply_id)
        return cls(obj["return"], None, reply_id)

    @property
    def has_id(self) -> bool:
        return self.id is not NO_ID

    def unwrap(self, sent: Any = None) -> Any:
        """The return value, or ExecuteError carrying the error and the request `sent`."""
        if self.error is not None:
            received: dict[str, Any] = {"error": {"class": self.error.error_class, "desc": self.error.desc}}
            if self.has_id:
                received["id"] = self.id
            raise ExecuteError(self.error.error_class, self.error.desc, sent, received)
        return self.ret


@dataclass(frozen=True)
class CommandInfo:
    """One entry of guest-info's "supported_commands"."""

    name: str
    enabled: bool
    success_response: bool

    @classmethod
    def from_json(cls, value: Any) -> CommandInfo:
        what = "guest-info command"
        obj = _expect_dict(value, what)
        _no_other_members(obj, {"name", "enabled", "success-response"}, what)
        return cls(_member(obj, "name", str, what), _member(obj, "enabled", bool, what),
                   _member(obj, "success-response", bool, what))


@dataclass(frozen=True)
class GuestInfo:
    """guest-info's return value."""

    version: str
    supported_commands: tuple[CommandInfo, ...]

    @classmethod
    def from_json(cls, value: Any) -> GuestInfo:
        what = "guest-info"
        obj = _expect_dict(value, what)
        _no_other_members(obj, {"version", "supported_commands"}, what)
        commands = _member(obj, "supported_commands", list, what)
        return cls(_member(obj, "version", str, what), tuple(CommandInfo.from_json(c) for c in commands))

    def command(self, name: str) -> CommandInfo | None:
        """The entry for `name`, or None if the agent does not list it."""
        for info in self.supported_commands:
            if info.name == name:
                return info
        return None

    def enabled(self, name: str) -> bool:
        """True if the agent lists `name` and it is enabled right now."""
        info = self.command(name)
        return info is not None and info.enabled

    @property
    def names(self) -> list[str]:
        return [info.name for info in self.supported_commands]


def fsfreeze_state(value: Any) -> str:
    """Validate guest-fsfreeze-status's return value: "thawed" or "frozen"."""
    if value not in FSFREEZE_STATES:
        raise ProtocolError(f"guest-fsfreeze-status: expected one of {FSFREEZE_STATES}, got {value!r:.200}")
    return str(value)


def integer(value: Any, what: str) -> int:
    """Validate a JSON integer return value (bool is not one)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProtocolError(f"{what}: expected an integer, got {value!r:.200}")
    return value
