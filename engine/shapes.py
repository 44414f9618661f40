"""Shape checks for what a plugin builds (``WorkflowPatch``, ``CalendarOverlay``).

attrs converters and validators: a value of the wrong shape (a guard pair without its inner
tuple, a day off without its name, a date written as text) is a TypeError naming the class
and the field when the object is built. Inside a plugin's hook that becomes one error line
naming the plugin (engine.plugins.guarded), instead of a traceback further on or a rule
silently left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

import attrs

from engine.arguments import spelled


def listed(value: Any) -> Any:
    """A list (or any iterable) as a tuple, a lone name as a tuple of one, None as ();
    anything else is left as it is, for the validator to name."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        return tuple(value)
    return value


def listed_pairs(value: Any) -> Any:
    """As :func:`listed`, each inner list also a tuple (``["approve", "g"]`` is a pair too)."""
    value = listed(value)
    if isinstance(value, tuple):
        return tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return value


def is_text(value: Any) -> bool:
    """Non-empty text."""
    return isinstance(value, str) and bool(value.strip())


def is_number(value: Any) -> bool:
    """A number: an ``int`` or ``float``, not ``True``/``False`` (which Python counts as ints)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_day(value: Any) -> bool:
    """A calendar day: a ``date``, not text and not a ``datetime`` (which equals no date)."""
    return isinstance(value, date) and not isinstance(value, datetime)


def is_instance(kind: type) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, kind)


def pair_of(first: Callable[[Any], bool], second: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: (isinstance(value, tuple) and len(value) == 2
                          and first(value[0]) and second(value[1]))


def list_of(what: str, check: Callable[[Any], bool]) -> Callable[[Any, attrs.Attribute, Any], None]:
    """A validator: the (converted) value is a tuple whose every item passes ``check``."""
    def validate(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        wrong = [value] if not isinstance(value, tuple) else [v for v in value if not check(v)]
        if wrong:
            raise TypeError(f"{type(instance).__name__} {attribute.name}: expected a list of "
                            f"{what}, got {spelled(wrong[0])}")
    return validate


def fields_checked(instance: Any, checks: Iterable[tuple[Iterable[str], str, Callable[[Any], bool]]]
                   ) -> None:
    """What :func:`one` validators of each field would do, run at once (from
    ``__attrs_post_init__``, where a class built for every event checks its common case
    first): ``checks`` are (field names, what they must be, the check)."""
    for names, what, check in checks:
        for name in names:
            value = getattr(instance, name)
            if not check(value):
                raise TypeError(f"{type(instance).__name__} {name}: expected {what}, "
                                f"got {spelled(value)}")


def one(what: str, check: Callable[[Any], bool]) -> Callable[[Any, attrs.Attribute, Any], None]:
    """A validator: the value passes ``check``."""
    def validate(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if not check(value):
            raise TypeError(f"{type(instance).__name__} {attribute.name}: expected {what}, "
                            f"got {spelled(value)}")
    return validate
