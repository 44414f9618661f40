"""Frozen classes built for every event, their fields kept in a plain instance dict.

attrs' frozen ``__init__`` sets each field through ``object.__setattr__`` (a slotted class: a
call a field), or stores them into a "split" dict (a class without slots), as a copy of
``__dict__`` also makes one; Python 3.11 reads every attribute of an object with a split dict
through its slow path, about 340 instructions against 90 for a plain dict (about 70 for a
slot). A class made ``@frozen(slots=False, init=False)`` whose own ``__init__`` calls
:data:`set_fields` with a dict literal is built in about a third of the time of a slotted one, and
read as quickly; a copy with some fields changed is :func:`changed`.
"""

from __future__ import annotations

from typing import Any, TypeVar

_T = TypeVar("_T")

#: ``new_instance(cls)``: an instance not yet given its fields (no ``__init__``), which
#: :data:`set_fields` then gives them: how a copy, and the objects every event builds from a
#: dict of their fields, are made.
new_instance = object.__new__


#: ``set_fields(instance, "__dict__", fields)`` gives a frozen instance its fields (a plain
#: dict of them all, built for it): ``object.__setattr__`` itself, a C call, since every
#: event builds several.
set_fields = object.__setattr__


def changed(instance: _T, **changes: Any) -> _T:
    """A copy of ``instance`` with ``changes`` to its fields, built from a plain copy of its
    dict (``dict()``: ``.copy()`` of a split dict is split), not through ``__init__``."""
    fields = dict(instance.__dict__)
    fields.update(changes)
    copy = new_instance(type(instance))
    set_fields(copy, "__dict__", fields)
    return copy
