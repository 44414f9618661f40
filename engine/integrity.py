"""Tamper evidence: each case's history is a hash chain, and the database refuses to rewrite it.

An event's hash covers its content and the previous event's hash, so changing, removing or
reordering any recorded event breaks the chain from there on; ``verify`` names the first
event that no longer fits. UPDATE and DELETE on the events table are refused by triggers:
a mistake is put right by a new event that references the one it corrects.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from attrs import frozen

GENESIS = "0" * 64
#: The columns an event's hash covers, in order.
HASHED = ("case_id", "seq", "event", "on", "recorded_at", "actor", "payload", "reason",
          "from_state", "to_state", "derived", "idempotency_key", "corrects")

TRIGGERS = (
    """create trigger if not exists events_append_only_update before update on events
       begin select raise(abort, 'events are append-only: record a correction instead'); end""",
    """create trigger if not exists events_append_only_delete before delete on events
       begin select raise(abort, 'events are append-only: record a correction instead'); end""",
)


_CONTENT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once, not per event


def event_hash(row: Mapping[str, Any], previous: str) -> str:
    """The hash of one event row chained to the previous event's hash."""
    content = _CONTENT.encode([row.get(column) for column in HASHED])
    return hashlib.sha256(f"{previous}|{content}".encode()).hexdigest()


@frozen
class Finding:
    """The first place where a case's recorded history no longer fits its chain."""

    case_id: str
    seq: int
    problem: str  # altered | missing | out of order

    def __str__(self) -> str:
        return f"case {self.case_id}: event seq {self.seq} {self.problem}"


def verify_chain(case_id: str, rows: Iterable[Mapping[str, Any]]) -> Finding | None:
    """Check one case's events (in seq order); the first finding, or None if intact."""
    previous = GENESIS
    for expected, row in enumerate(rows):
        if row["seq"] != expected:
            problem = "missing" if row["seq"] > expected else "out of order"
            return Finding(case_id, expected, problem)
        if row["prev_hash"] != previous or row["hash"] != event_hash(row, previous):
            return Finding(case_id, expected, "altered")
        previous = row["hash"]
    return None


def disagreement(case: Any, rows: Sequence[Mapping[str, Any]]) -> Finding | None:
    """A case row that its (intact) chain does not end in: events removed from the end, or
    the row altered. Every event, a correction or recompute too, leaves the case in its
    ``to_state`` on its date, so the last one must match the row's state and last date."""
    if not rows:
        return Finding(case.id, 0, "missing (the case has no history)")
    last = rows[-1]
    if (last["to_state"], last["on"]) != (case.state, case.last_event_on.isoformat()):
        return Finding(case.id, len(rows), (
            f"missing, or the case altered: the case is {case.state} since "
            f"{case.last_event_on.isoformat()}, its last event (seq {last['seq']}, "
            f"{last['event']} on {last['on']}) leaves it {last['to_state']}"))
    return None
