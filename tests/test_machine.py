"""The machine decides an event by checking the transitions' conditions directly
(engine/machine.py); it must decide exactly as transitions' own ``Event.trigger`` does, for
every province, workflow, state and event, whatever the guards answer."""

from __future__ import annotations

import functools
from datetime import date

from engine.errors import DoudiError
from engine.guards import GuardContext
from engine.machine import _Token
from engine.registry import get_registry
from engine.workflow import available_workflows

PAYLOADS = [
    {},
    {"delegated": True, "amount": 900, "since": "2026-01-01", "died_on": "2026-02-01",
     "occurred_on": "2026-01-15", "meeting_record": "2026年第3次会议纪要", "outcome": "approve",
     "unstable_income": True, "amount_paid": 500, "kind": "urgent"},
    {"delegated": False, "amount": -1, "outcome": "refuse"},
]


def pairs():
    registry = get_registry()
    for province in sorted(registry.provinces):
        for name in available_workflows():
            try:
                registry.workflow(province, name)
            except DoudiError:
                continue
            yield province, name


def trigger(machine, state, event, ctx):
    """The reference: the state after ``event`` by transitions' own ``Event.trigger``, or
    None if refused."""
    token = _Token(state)
    if not machine.machine.events[event].trigger(token, ctx=ctx, refusals=[]):
        return None
    return token.state


def decide(decider, state, event, ctx):
    try:
        return decider(state, event, ctx)
    except DoudiError as exc:
        return type(exc).__name__
    except Exception as exc:  # a guard failing on these synthetic inputs: must fail alike
        return f"raised {type(exc).__name__}"


def test_fire_decides_as_transitions_trigger_does():
    outcomes = [outcome for province, name in pairs() for outcome in compare(province, name)]
    # Guards that pass and guards that refuse both occur, in every province's dibao too.
    assert {"refused", "moved"} <= {o for _, o in outcomes}
    for province in get_registry().provinces:
        assert "refused" in {o for p, o in outcomes if p == (province, "dibao")}


def compare(province, name):
    registry = get_registry()
    wf = registry.workflow(province, name)
    machine = registry.machine(province, name)
    for state in (s.name for s in wf.states if not s.final):
        for event in machine.allowed_events(state):
            for payload in PAYLOADS:
                ctx = GuardContext(
                    case_id="T", province=province, state=state, attributes=dict(payload),
                    event=event, on=date(2026, 3, 16), payload=payload, reason="核查",
                    history=(), deadlines=(), parameters=wf.parameters,
                    calendar=registry.calendar(province), hooks=registry.pm.hook,
                    opened_on=date(2026, 1, 5),
                )
                fast = decide(machine.fire, state, event, ctx)
                reference = decide(functools.partial(trigger, machine), state, event, ctx)
                assert (fast if fast != "EventRefused" else None) == reference, (
                    province, name, state, event, payload)
                yield (province, name), ("refused" if fast == "EventRefused"
                                         else "moved" if fast in machine.machine.states
                                         else "raised")
