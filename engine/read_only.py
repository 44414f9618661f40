"""Read-only values: what a workflow's parameters and a county's settings hold.

A province's workflow is loaded once per process and shared by every :class:`Engine` (and a
county's settings once per engine): a caller that changed a value it was given (appended a
publicity channel to a list it read) changed the rules of every case after it. Lists and
mappings in those values are made read-only when the value is built. They stay a ``list``
and a ``dict`` (``isinstance``, ``== []``, ``json.dumps`` as before: a rule or a plugin
reading a value sees no difference), but every change raises ``TypeError``. A guard's or
effect's ``GuardContext`` shows the case's attributes and the event's data read-only too, and
a history entry holds its data and what its effects decided read-only.
"""

from __future__ import annotations

from typing import Any, NoReturn


def _refuse(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(f"this {type(self).__name__} is read-only (a rule's value, or the case as a "
                    "guard or effect is shown it; an effect adds to its Outcome): change a copy")


class ReadOnlyList(list):
    """A list that refuses every change."""

    __slots__ = ()
    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __reduce__(self) -> tuple:  # (copy and pickle build it whole, not item by item)
        return type(self), (list(self),)


class ReadOnlyDict(dict):
    """A dict that refuses every change."""

    __slots__ = ()
    update = setdefault = pop = popitem = clear = _refuse
    __setitem__ = __delitem__ = __ior__ = _refuse

    def __reduce__(self) -> tuple:
        return type(self), (dict(self),)


#: Types returned as they are, found by ``type()`` in a set: every event's guard context
#: makes the case's attributes read-only, and an ``isinstance`` against a union for each value
#: cost several times as much (about 10 µs an event, on an import's 33).
_AS_THEY_ARE = frozenset({str, int, float, bool, type(None), ReadOnlyList, ReadOnlyDict})


def read_only(value: Any) -> Any:
    """``value`` with every list and mapping in it read-only (a tuple stays a tuple)."""
    kind = type(value)
    if kind in _AS_THEY_ARE:
        return value
    if kind is dict:  # (the common case: the attributes, the event's data)
        if _AS_THEY_ARE.issuperset(map(type, value.values())):  # (scalars only: copied whole)
            return ReadOnlyDict(value)
        return ReadOnlyDict({k: v if type(v) in _AS_THEY_ARE else read_only(v)
                             for k, v in value.items()})
    if isinstance(value, ReadOnlyList | ReadOnlyDict | str | int | float | None):
        return value  # (read-only already, or a scalar: the common case)
    if isinstance(value, list):
        return ReadOnlyList(read_only(v) for v in value)
    if isinstance(value, tuple):
        return tuple(read_only(v) for v in value)
    if isinstance(value, dict):
        return ReadOnlyDict({k: read_only(v) for k, v in value.items()})
    return value


#: An empty mapping that refuses changes: shared by every event without data.
NO_DATA = ReadOnlyDict()


def read_only_data(value: Any) -> Any:
    """An event's data or what its effects decided, read-only: :func:`read_only`, with the
    empty one shared (most events carry none)."""
    return NO_DATA if type(value) is dict and not value else read_only(value)


def writable(value: Any) -> Any:
    """A plain copy of ``value`` (lists and dicts the caller may change)."""
    if isinstance(value, list):
        return [writable(v) for v in value]
    if isinstance(value, dict):
        return {k: writable(v) for k, v in value.items()}
    return value
