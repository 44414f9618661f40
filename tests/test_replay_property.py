"""Random event sequences through the API: whatever is accepted or refused, the stored state,
attributes and deadlines always equal what replaying the history gives."""

from __future__ import annotations

import contextlib
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
            {"outcome": "agree", "meeting_on": "2026-01-01", "participants": 3, "reasons": "x"},
            # (the one above is before any referral, so refused: this one may fall after it)
            {"outcome": "agree", "meeting_on": "2026-02-16", "participants": 3, "reasons": "x"}]
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


# Mostly the next step of the ordinary path (so most events are accepted), now and then any.
PATH = ["accept", "start_investigation", "request_verification", "start_verification",
        "post_publicity", "submit_to_county", "approve", "publish"]
writers = st.lists(
    st.tuples(st.sampled_from(["first", "first", "second", "first-rolled-back"]),
              st.one_of(st.just("next"), st.just("next"), st.sampled_from(DIBAO_EVENTS)),
              st.integers(0, 9), st.sampled_from(PAYLOADS)),
    min_size=1, max_size=16,
)


class _Undo(Exception):
    pass


def answer_of_a_fresh_engine(path, case_id, event, day, payload):
    """What an engine with nothing in memory answers (its write undone): "accepted" or the
    error's type."""
    fresh = Engine.open(path)
    try:
        with fresh.store.db.atomic():
            fresh.fire(case_id, event, on=day, payload=payload)
            raise _Undo
    except DoudiError as exc:
        return type(exc)
    except _Undo:
        return "accepted"
    finally:
        fresh.store.db.close()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(province=st.sampled_from(["shanxi", "tianjin", "jiangsu_draft"]), sequence=writers)
def test_two_engines_on_one_database_always_agree_with_it(tmp_path_factory, province, sequence):
    # The first engine keeps the cases it writes in memory; the second writes the same case
    # behind its back, and some of the first's writes are rolled back by the caller. Each
    # answer must be the one an engine with nothing in memory gives, and each returned view
    # what a fresh read of the database shows.
    path = str(tmp_path_factory.mktemp("two") / "x.db")
    engines = {"first": Engine.open(path), "second": Engine.open(path)}
    case = engines["first"].open_case(province=province, on=date(2026, 1, 5))
    day = date(2026, 1, 5)
    for who, event, gap, payload in sequence:
        day += timedelta(days=gap)
        if event == "next":
            done = {e.event for e in engines["first"].store.history(case.id)}
            event = next((e for e in PATH if e not in done), "publish")
        engine = engines[who.removesuffix("-rolled-back")]
        expected = answer_of_a_fresh_engine(path, case.id, event, day, payload)
        if who.endswith("rolled-back"):
            with contextlib.suppress(_Undo, DoudiError), engine.store.db.atomic():
                engine.fire(case.id, event, on=day, payload=payload)
                raise _Undo
            continue
        try:
            view = engine.fire(case.id, event, on=day, payload=payload)
        except DoudiError as exc:
            assert type(exc) is expected, (who, event, day, exc)
            continue
        assert expected == "accepted", (who, event, day)
        reader = Engine.open(path)
        assert view.to_json() == reader.case(case.id, as_of=day).to_json()
        reader.store.db.close()
    reader = Engine.open(path)
    stored = reader.store.case(case.id)
    replayed, deadlines = reader.replay(case.id)
    assert (replayed.state, replayed.attributes) == (stored.state, stored.attributes)
    assert deadlines == reader.store.deadlines(case.id)
    assert reader.verify(case.id)[2] == []
