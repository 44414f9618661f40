"""What an idempotency key promises: the same call again returns the first result and writes
nothing; any other call with the key is refused, never taken for a repeat.

"The same call" is the same event on the same date, on the same case (a call that names
none, an open without an id, matches the case it opened), with the same data: payload or
attributes, reason, the event corrected, and for an open the province and workflow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from engine.errors import Conflict


@frozen
class Call:
    """A call as it would be recorded; ``payload`` is JSON-shaped (as stored, it compares
    equal to what the database gives back)."""

    case_id: str | None
    event: str
    on: str  # YYYY-MM-DD
    payload: Mapping[str, Any]
    reason: str | None = None
    corrects: int | None = None
    province: str | None = None
    workflow: str | None = None


def check_repeat(key: str, recorded: Mapping[str, Any], call: Call) -> None:
    """Raise :class:`Conflict` unless ``call`` is the one recorded with ``key``.

    ``recorded``: the event row (``case_id``, ``event``, ``on``, ``payload``, ``reason``,
    ``corrects``) with its case's ``province`` and ``workflow``.
    """
    first = (key, recorded["event"], recorded["on"], recorded["case_id"])
    if (call.case_id not in (None, recorded["case_id"]) or call.event != recorded["event"]
            or call.on != recorded["on"]):
        raise Conflict.key_reused(*first)
    if (json.loads(recorded["payload"] or "{}") != call.payload
            or recorded["reason"] != call.reason or recorded["corrects"] != call.corrects
            or call.province not in (None, recorded["province"])
            or call.workflow not in (None, recorded["workflow"])):
        raise Conflict.key_reused(*first, other_data=True)
