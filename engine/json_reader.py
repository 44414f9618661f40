"""Typed access to a JSON object a platform sends (a household, its members' residence),
every error naming the field's path (``household.members[1].age: expected a number``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from engine.arguments import character, non_negative_number, spelled, unprintable
from engine.errors import InvalidInput


class _Identified(Protocol):
    @property
    def id(self) -> str: ...  # (read only: members are frozen)


T = TypeVar("T", bound=_Identified)


class Reader:
    """Typed access to a JSON object, every error naming the field's path."""

    _MISSING = object()

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise InvalidInput(f"{path}: expected an object, got {type(data).__name__}")
        self.data, self.path = data, path

    def only(self, *keys: str) -> Reader:
        """Refuse a field not in ``keys``: a misspelt one ("suport") was ignored, and the
        household assessed without what it held."""
        unknown = [k for k in self.data if k not in keys]
        if unknown:
            raise InvalidInput(f"{self.path}.{unknown[0]}: unknown field "
                               f"(fields: {', '.join(keys)})")
        return self

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def fields(self) -> list[str]:
        return list(self.data)

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data and self.data[key] is not None:
            return self.data[key]
        if default is self._MISSING:
            raise InvalidInput(f"{self.path}.{key}: missing")
        return default

    def number(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default and default is not self._MISSING:
            return value
        return non_negative_number(value, f"{self.path}.{key}")

    def whole(self, key: str, default: Any = _MISSING) -> Any:
        value = self.number(key, default)
        if value != int(value):
            raise InvalidInput(f"{self.path}.{key}: expected a whole number, got {spelled(value)}")
        return int(value)

    def text(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default and default is not self._MISSING:
            return value
        if not isinstance(value, str) or not value:
            raise InvalidInput(f"{self.path}.{key}: expected text, got {spelled(value)}")
        if (bad := unprintable(value)) is not None:  # (ids and places are shown and printed)
            raise InvalidInput(f"{self.path}.{key}: expected printable text on one line, got "
                               f"{spelled(value)} ({character(bad)})")
        return value

    def boolean(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise InvalidInput(f"{self.path}.{key}: expected true or false, got {spelled(value)}")
        return value

    def child(self, key: str) -> Reader:
        return Reader(self._get(key, self._MISSING), f"{self.path}.{key}")

    def items(self, key: str, required: bool = True) -> list[Reader]:
        value = self._get(key, self._MISSING if required else [])
        if not isinstance(value, list):
            raise InvalidInput(f"{self.path}.{key}: expected a list")
        return [Reader(v, f"{self.path}.{key}[{i}]") for i, v in enumerate(value)]

    def members(self, parse: Callable[[Reader], T]) -> tuple[tuple[T, ...], str]:
        """The household's ``members`` (at least one, each parsed, their ``id`` unique) and
        its ``applicant``: a member's id, the first member's if not given."""
        members = tuple(parse(r) for r in self.items("members"))
        if not members:
            raise InvalidInput(f"{self.path}.members: at least one member is needed")
        ids = [m.id for m in members]
        if len(set(ids)) != len(ids):
            raise InvalidInput(f"{self.path}.members: member ids must be unique")
        applicant = self.text("applicant", default=ids[0])
        if applicant not in ids:
            raise InvalidInput(f"{self.path}.applicant: {spelled(applicant)} is not a member id")
        return members, applicant
