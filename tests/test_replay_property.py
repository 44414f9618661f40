"""Random event sequences through the API: whatever is accepted or refused, the stored state,
attributes and deadlines always equal what replaying the history gives."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Engine
from engine.errors import DoudiError

DIBAO_EVENTS = ["accept", "start_investigation", "request_verification", "start_verification",
                "post_publicity", "raise_objection", "extend", "submit_to_county", "approve",
                "reject", "notify_refusal", "publish", "withdraw", "terminate",
                "refer_collective", "collective_decided"]
PAYLOADS = [{}, {"delegated": True}, {"amount": 800}, {"channel": "网上"},
            {"outcome": "agree", "meeting_on": "2026-01-01", "participants": 3, "reasons": "x"}]
REASONS = [None, "人户分离", "调查难度大", "没有理由"]

steps = st.lists(
    st.tuples(st.sampled_from(DIBAO_EVENTS), st.integers(0, 12), st.sampled_from(PAYLOADS),
              st.sampled_from(REASONS)),
    min_size=1, max_size=14,
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(province=st.sampled_from(["shanxi", "tianjin", "jiangsu_draft"]), sequence=steps)
def test_stored_state_always_equals_the_replayed_one(tmp_path_factory, province, sequence):
    engine = Engine.open(str(tmp_path_factory.mktemp("replay") / "x.db"))
    case = engine.open_case(province=province, on=date(2026, 1, 5))
    day = date(2026, 1, 5)
    for event, gap, payload, reason in sequence:
        day += timedelta(days=gap)
        before = (engine.store.case(case.id), len(engine.store.history(case.id)))
        try:
            engine.fire(case.id, event, on=day, payload=payload, reason=reason)
        except DoudiError:  # refused: nothing changed
            assert (engine.store.case(case.id), len(engine.store.history(case.id))) == before
    stored = engine.store.case(case.id)
    replayed, deadlines = engine.replay(case.id)
    assert (replayed.state, replayed.attributes) == (stored.state, stored.attributes)
    assert [d.to_row(case.id) for d in deadlines] == [
        d.to_row(case.id) for d in engine.store.deadlines(case.id)]
    assert engine.verify(case.id)[2] == []
    for linked in engine.store.links(case.id):  # a benefit case opened by approve
        other = engine.store.case(linked["case_id"])
        assert engine.replay(other.id)[0].state == other.state
