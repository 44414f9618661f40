"""Refused events change nothing: the procedure's guards through the API and the CLI.

Each refusal is checked twice: through the Python API (``EventRefused`` or another
``DoudiError``; history length, state, attributes and deadlines unchanged) and through the CLI
(exit status 1, or 2 for a usage error; exactly one line on stderr; the database unchanged).
Dates are hand-counted on the 2026 official calendar (国办发明电〔2025〕7号).
"""

from __future__ import annotations

from datetime import date

import pytest

from engine import DoudiError, Engine, EventRefused, InvalidInput, UnknownName
from helpers import dump_file, refused_everywhere, run

# A Shanxi case opened Mon 2026-03-02 and accepted the same day.
#   investigation_start 3 wd (民发〔2021〕57号 第15条): 3/3(1) 3/4(2) 3/5(3) → 2026-03-05
#   total 30 wd (晋民发〔2023〕31号 四(二)) → 2026-04-14 (3/3(1) … 4/3(24), 清明 4/4–4/6 off,
#   4/7(25) 4/8(26) 4/9(27) 4/10(28) 4/13(29) 4/14(30))
# Its 公示 is posted Mon 3/9: 3/10(1) … 3/16 Mon(7), a working day → ends 2026-03-16.
OPENED = date(2026, 3, 2)


@pytest.fixture
def engine(db):
    """Overrides conftest's: here the API and the CLI work on the same database."""
    return Engine.open(db)


def shanxi_case(engine, *events, delegated=False):
    attributes = {"delegated": True} if delegated else {}
    case = engine.open_case(province="shanxi", on=OPENED, attributes=attributes)
    plan = {
        "accept": OPENED,
        "start_investigation": date(2026, 3, 3),
        "request_verification": date(2026, 3, 4),
        "start_verification": date(2026, 3, 5),
        "post_publicity": date(2026, 3, 9),
    }
    for event in events:
        engine.fire(case.id, event, on=plan[event])
    return case.id


TO_VERIFYING = ("accept", "start_investigation", "request_verification", "start_verification")
TO_PUBLICITY = (*TO_VERIFYING, "post_publicity")


def test_submitting_to_the_county_before_the_publicity_has_ended_is_refused(engine, db):
    """民发〔2021〕57号 第19条 / 晋民发〔2023〕31号 四(五): "应在申请家庭所在村（社区）进行为期 7 天的公示";
    the 公示 posted 3/9 runs to the end of 3/16 (3/10(1) … 3/16(7)): submitting on 3/12 or on
    3/16 itself is refused; on 3/17 it is allowed."""
    cid = shanxi_case(engine, *TO_PUBLICITY)
    for day in (date(2026, 3, 12), date(2026, 3, 16)):
        line = refused_everywhere(engine, db, cid, "submit_to_county", day, match="2026-03-16")
        assert "2026-03-17" in line
    assert engine.fire(cid, "submit_to_county", on=date(2026, 3, 17)).state == "county_review"


def test_approving_without_a_publicity_is_refused(engine, db):
    """民发〔2021〕57号 第19条: the township's 初审意见 is posted for 7 days before confirmation;
    a delegated case (晋民发〔2023〕31号 四(二)) cannot be approved straight from verifying."""
    cid = shanxi_case(engine, *TO_VERIFYING, delegated=True)
    line = refused_everywhere(engine, db, cid, "approve", date(2026, 3, 20),
                              payload={"amount": 600}, match="post_publicity")
    assert "公示" in line
    # Nor can a non-delegated case skip the 公示 on its way to the county.
    plain = shanxi_case(engine, *TO_VERIFYING)
    refused_everywhere(engine, db, plain, "submit_to_county", date(2026, 3, 20),
                       match="post_publicity")


def test_an_event_dated_before_the_case_last_event_is_refused(engine, db):
    """Events are recorded in the order they happened: start_investigation on 3/3 after the
    request_verification of 3/4 would rewrite the past (民发〔2021〕57号 第15条 counts from 受理;
    the evidence log is append-only). Same-day events are fine."""
    cid = shanxi_case(engine, "accept", "start_investigation", "request_verification")
    line = refused_everywhere(engine, db, cid, "start_verification", date(2026, 3, 3),
                              match="before the case's last event")
    assert "2026-03-04" in line
    assert engine.fire(cid, "start_verification", on=date(2026, 3, 4)).state == "verifying"


@pytest.mark.parametrize("reason", [None, "", "家里忙", "人户 分离"])
def test_extend_needs_one_of_the_listed_reasons(engine, db, reason):
    """晋民发〔2023〕31号 四(二): "发生公示有异议、人户分离、异地申办或者家庭经济状况调查难度较大等特殊
    情况的，可以延长至 45 个工作日" — extend is for 人户分离, 异地申办 or 调查难度大, and nothing else."""
    cid = shanxi_case(engine, "accept", "start_investigation")
    # (a blank --reason is a usage error on the command line, exit 2: it says nothing)
    line = refused_everywhere(engine, db, cid, "extend", date(2026, 3, 10), reason=reason,
                              match="人户分离", exit_code=2 if reason == "" else 1)
    assert "--reason" in line


def test_extend_with_a_listed_reason_is_accepted_once(engine, db):
    """民发〔2021〕57号 第22条: "可以延长至45个工作日" — to 45 at most: a second extension is refused.
    45 wd from 3/2: … 4/14(30) 4/15(31) 4/16(32) 4/17(33) 4/20(34) 4/21(35) 4/22(36) 4/23(37)
    4/24(38) 4/27(39) 4/28(40) 4/29(41) 4/30(42) 5/1–5/5 off 5/6(43) 5/7(44) 5/8(45) → 05-08."""
    cid = shanxi_case(engine, "accept", "start_investigation")
    view = engine.fire(cid, "extend", on=date(2026, 3, 10), reason="人户分离")
    total = next(d for d in view.deadlines if d.deadline.rule == "total").deadline
    assert (total.due_on, total.duration) == (date(2026, 5, 8), "45wd")
    assert view.history[-1]["reason"] == "人户分离"
    refused_everywhere(engine, db, cid, "extend", date(2026, 3, 11), reason="异地申办",
                       match="already extended")


def test_an_event_not_allowed_in_the_current_state_is_refused(engine, db):
    """民发〔2021〕57号 第15–21条 set the order: 受理, 调查, 核对, 公示, 确认. start_verification
    before any request (state accepted) and approve before 受理 (state applied) are refused."""
    cid = shanxi_case(engine, "accept")
    line = refused_everywhere(engine, db, cid, "start_verification", date(2026, 3, 3),
                              match="not allowed in state accepted")
    assert "start_investigation" in line  # it names what is allowed
    fresh = shanxi_case(engine)
    refused_everywhere(engine, db, fresh, "approve", date(2026, 3, 3),
                       match="not allowed in state applied")


def test_an_event_on_a_closed_case_is_refused(engine, db):
    """A withdrawn application (申请人撤回) is closed: nothing more happens to it."""
    cid = shanxi_case(engine, "accept", "start_investigation")
    assert engine.fire(cid, "withdraw", on=date(2026, 3, 4)).state == "withdrawn"
    line = refused_everywhere(engine, db, cid, "request_verification", date(2026, 3, 5),
                              match="closed")
    assert "withdrawn" in line
    refused_everywhere(engine, db, cid, "withdraw", date(2026, 3, 5), match="closed")


def test_an_unknown_event_name_is_a_usage_error(engine, db):
    """The contract's event names are the only ones: anything else is a usage error (exit 2)."""
    cid = shanxi_case(engine, "accept")
    line = refused_everywhere(engine, db, cid, "aprove", date(2026, 3, 3), error=InvalidInput,
                              exit_code=2, match="aprove")
    assert "approve" in line  # it lists the known events
    # Found by review: dated before the case's last event, it was "before the case's last
    # event", exit 1, as if the event existed.
    later = shanxi_case(engine, *TO_PUBLICITY)  # (last event on 3/9)
    refused_everywhere(engine, db, later, "aprove", date(2026, 3, 4), error=InvalidInput,
                       exit_code=2, match="unknown event 'aprove'")


def test_an_unknown_case_is_a_domain_error(engine, db):
    """Firing on a case id that does not exist: exit 1, one line, nothing written."""
    shanxi_case(engine, "accept")
    dumped = dump_file(db)
    with pytest.raises(UnknownName):
        engine.fire("shanxi-2026-999999", "accept", on=date(2026, 3, 3))
    result = run(db, "case", "fire", "shanxi-2026-999999", "accept", "--on", "2026-03-03")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "shanxi-2026-999999" in lines[0]
    assert dump_file(db) == dumped
    shown = run(db, "case", "show", "shanxi-2026-999999")
    assert shown.exit_code == 1
    assert len(shown.stderr.strip().splitlines()) == 1


def test_an_objection_outside_the_publicity_is_refused(engine, db):
    """民发〔2021〕57号 第19条: an objection is raised during the 7-day 公示 (3/9 → 3/16); on 3/17
    it is too late."""
    cid = shanxi_case(engine, *TO_PUBLICITY)
    refused_everywhere(engine, db, cid, "raise_objection", date(2026, 3, 17),
                       match=r"during the 公示 \(2026-03-09 to 2026-03-16\)")
    assert engine.fire(cid, "raise_objection", on=date(2026, 3, 16)).state == "investigating"


def test_an_objection_on_the_day_the_publicity_is_posted_is_heard(engine):
    """The notice is up from the day it is posted and says so ("2026年3月9日至…"); 民法典 第201条
    leaves that day out of the count of 7 days only, not out of the 公示."""
    cid = shanxi_case(engine, *TO_PUBLICITY)
    assert engine.fire(cid, "raise_objection", on=date(2026, 3, 9)).state == "investigating"


def test_refusals_are_doudi_errors_with_the_contract_exit_codes():
    """The contract: "Errors: one line on stderr …, exit status 1 (domain) or 2 (usage)"."""
    assert EventRefused.exit_code == 1
    assert UnknownName.exit_code == 1
    assert InvalidInput.exit_code == 2
    assert issubclass(EventRefused, DoudiError)


def test_a_history_entry_given_other_data_is_the_entry_built_whole():
    """A kept case's entries take their data back from the stored JSON by copying the entry's
    fields rather than building it again: the copy must be what building it whole gives,
    read-only data and all, and leave the entry it came from as it was."""
    import attrs

    from engine.guards import HistoryEntry
    from engine.read_only import NO_DATA, ReadOnlyDict, ReadOnlyList

    stamped = HistoryEntry(3, "approve", date(2026, 3, 20), "county_review", "approved",
                           {"amount": 900, "members": ["甲"]}, "理由", {}, "clerk", "k-1",
                           recorded_at="2026-12-06T10:00:00Z", hash="ab" * 32)
    assert type(stamped) is HistoryEntry and stamped.derived is NO_DATA
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        stamped.seq = 4  # type: ignore[misc]
    data = stamped.with_data({"amount": 901, "members": ["乙"]}, {"plan": ["2026-04"]})
    assert repr(data) == repr(attrs.evolve(stamped, payload={"amount": 901, "members": ["乙"]},
                                           derived={"plan": ["2026-04"]}))
    assert (data.recorded_at, data.hash) == ("2026-12-06T10:00:00Z", "ab" * 32)
    assert type(data.payload) is ReadOnlyDict and type(data.payload["members"]) is ReadOnlyList
    assert type(data.derived) is ReadOnlyDict and stamped.payload["amount"] == 900
    assert stamped.with_data({}, {}).derived is NO_DATA


def test_the_write_stamps_the_entries_of_its_change_in_place(tmp_path):
    """The store stamps each entry of a change it writes (recorded_at, hash) in place
    (HistoryEntry.stamp), not as a copy: the entry is the change's own, made for that write.
    What it stamps is what the database holds and gives back, and what stamping a copy gave."""
    import attrs

    from engine.store import EVENT_COLUMNS

    engine = Engine.open(str(tmp_path / "stamp.db"))
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2), attributes={"county": "甲县"})
    known, _ = engine._known(case.id)
    changes = engine._event_changes(known, "accept", date(2026, 3, 3), None, None, None, "k-1")
    entry = changes[0].entries[0]
    unstamped = repr(entry)
    assert (entry.recorded_at, entry.hash) == (None, None)
    assert engine._commit(changes, "k-1")
    assert changes[0].entries == [entry] and changes[0].entries[0] is entry
    row = engine.store.db.conn.execute(
        "select recorded_at, hash from events where case_id = ? and seq = 1", [case.id]).fetchone()
    assert (entry.recorded_at, entry.hash) == tuple(row) and changes[0].last_hash == row[1]
    assert changes[0].rows[0][EVENT_COLUMNS.index("hash")] == row[1]
    assert repr(entry) == unstamped.replace("recorded_at=None, hash=None",
                                            f"recorded_at={row[0]!r}, hash={row[1]!r}")
    assert entry == attrs.evolve(entry, recorded_at=row[0], hash=row[1])
    assert engine.store.history(case.id)[1] == entry
