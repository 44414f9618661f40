"""The breach report's fast path (running deadlines straight from the store, cases rebuilt
only where needed) gives exactly what judging every case one by one gives."""

from __future__ import annotations

from datetime import date

import pytest

from engine import Engine
from engine.demo import build_demo
from engine.errors import DamagedRecord
from helpers import phasing_out

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    engine = Engine.open(str(tmp_path_factory.mktemp("demo") / "demo.db"))
    with engine.store.db.atomic():
        build_demo(engine, AS_OF, cases=160, seed=7)
    return engine


def one_by_one(engine, as_of, statuses, window=3):
    rows = []
    for case in engine.store.cases():
        if case.opened_on > as_of:
            continue
        for view in engine.deadlines(case.id, as_of, window=window):
            if view.status in statuses:
                rows.append((case.id, view.deadline.rule, view.deadline.instance, view.status,
                             view.deadline.due_on, view.overdue_working_days))
    return sorted(rows)


def fast(report):
    return sorted((b.case.id, b.view.deadline.rule, b.view.deadline.instance, b.view.status,
                   b.view.deadline.due_on, b.view.overdue_working_days) for b in report)


@pytest.mark.parametrize("as_of", [date(2026, 9, 15), date(2026, 10, 20), AS_OF,
                                   date(2027, 2, 1)])
def test_fast_report_equals_judging_every_case(demo, as_of):
    breaches = fast(demo.breaches(as_of, include_late=True))
    assert breaches == one_by_one(demo, as_of, ("breached", "met_late", "unmet"))
    assert breaches  # the demo has late offices: the comparison is not vacuous
    assert fast(demo.at_risk(as_of, within=5)) == one_by_one(demo, as_of, ("at_risk",), 5)


def test_the_rows_judged_one_by_one_are_what_replaying_each_case_gives(demo):
    """one_by_one reads a case's stored deadlines where its history ends by the report's
    date (and replays the events known then otherwise): replaying each of the demo's cases
    from its history alone gives those very rows, so the fast report is also what replaying
    the cases one by one gives (issue 7)."""
    cases = compared = 0
    for case in demo.store.cases():
        cases += 1
        replayed = demo.replay(case.id)
        assert (replayed[0].state, replayed[1]) == (case.state, demo.store.deadlines(case.id)), \
            case.id
        compared += len(replayed[1])
    # (the demo's cases, the benefit cases its approvals opened among them, and their deadlines)
    assert (cases, compared) == (203, 565)

def test_a_case_rebuilt_for_what_happens_by_itself_is_listed_once(tmp_path):
    """A case in a phase-out is rebuilt (its end happens by itself) and also has a stored
    running deadline: the report judges it once. 民发〔2022〕83号 (津民发〔2023〕13号 一(三)):
    the household is re-checked within 3 months of a death. Died 2026-06-10 → due
    2026-09-10 (民法典第201、202条). As of 2026-10-20, 24 working days overdue: 9/11, 9/14–18,
    9/20 (调休上班), 9/21–24 (9/25 中秋), 9/28–30, 10/8–9 (10/1–7 国庆), 10/10 (调休上班),
    10/12–16, 10/19–20 (国办发明电〔2025〕7号)."""
    engine = Engine.open(str(tmp_path / "x.db"))
    # 津民发〔2023〕13号 一(三): income rises on 2026-05-15, phase-out to the end of November.
    [case_id] = phasing_out(engine, 1)
    engine.fire(case_id, "member_died", on=date(2026, 6, 12), payload={"died_on": "2026-06-10"})
    as_of = date(2026, 10, 20)
    assert engine.store.case(case_id).state == "phasing_out"
    rows = [(case_id, "death_review", 1, "breached", date(2026, 9, 10), 24)]
    assert fast(engine.breaches(as_of)) == rows == one_by_one(engine, as_of, ("breached",))


def test_a_report_of_any_status_lists_the_cases_read_from_the_store_too(tmp_path):
    """Engine.report takes every status (contract: "open (running, not yet due) … met
    (stopped on or before its due date) … cancelled"); the stored rows were read only for the
    late and at-risk ones, so a case with no event after the date (read from the store) was
    left out of an open, met or cancelled report, and one rebuilt (events after it) was not.
    Accepted Mon 2026-03-02 in 山西: investigation_start 3 wd (民发〔2021〕57号 第15条) 3/3(1)
    3/4(2) 3/5(3) → 3/5; total 30 wd (第22条) → 4/14 (清明 4/4–4/6 off). ``started`` starts
    its investigation on 3/4 (met: by 3/5), ``withdrawn`` withdraws on 3/4 (both cancelled)."""
    engine = Engine.open(str(tmp_path / "x.db"))
    ids = []
    for _ in range(3):
        case = engine.open_case(province="shanxi", on=date(2026, 3, 2))
        engine.fire(case.id, "accept", on=date(2026, 3, 2))
        ids.append(case.id)
    idle, started, withdrawn = ids
    engine.fire(started, "start_investigation", on=date(2026, 3, 4))
    engine.fire(withdrawn, "withdraw", on=date(2026, 3, 4))

    def listed(as_of, status):
        return sorted((b.case.id, b.view.deadline.rule, b.view.deadline.due_on)
                      for b in engine.report(as_of, (status,)))

    total, investigation = date(2026, 4, 14), date(2026, 3, 5)
    # As of 3/3 the two with events on 3/4 are rebuilt; the idle one is read from the store.
    assert listed(date(2026, 3, 3), "open") == [(i, "total", total) for i in ids]
    # As of 3/4 every case is read from the store.
    assert listed(date(2026, 3, 4), "open") == [(idle, "total", total),
                                                (started, "total", total)]
    assert listed(date(2026, 3, 4), "met") == [(started, "investigation_start", investigation)]
    assert listed(date(2026, 3, 4), "cancelled") == [
        (withdrawn, "investigation_start", investigation), (withdrawn, "total", total)]
    assert listed(date(2026, 3, 4), "at_risk") == [(idle, "investigation_start", investigation)]


@pytest.mark.parametrize("status", ["open", "met", "cancelled"])
def test_a_report_of_any_status_equals_judging_every_case(demo, status):
    for as_of in (date(2026, 10, 20), AS_OF):
        found = fast(demo.report(as_of, (status,)))
        assert found == one_by_one(demo, as_of, (status,))
        assert found  # (the demo has some of each)


@pytest.mark.parametrize("with_benefit_case", [False, True])
def test_a_case_whose_state_was_blanked_by_hand_is_named_whatever_else_is_stored(
        tmp_path, with_benefit_case):
    """A case whose state was blanked outside doudi, with no event after the report's date, is
    named as damaged (exit 1, as case show names it), not listed as if sound, nor left out
    unseen: with a benefit case in the database (whose phase-out ends by itself) the stored
    rows were read only of cases not in such a state, which a blank state never is, and the
    case dropped out of the report; without one it was listed. 民发〔2021〕57号 第15条:
    accepted Mon 3/2, investigation due 3/5 (3/3, 3/4, 3/5): breached as of Mon 3/9."""
    path = str(tmp_path / "x.db")
    engine = Engine.open(path)
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=date(2026, 3, 2))
    if with_benefit_case:
        engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 3, 2),
                         attributes={"amount": 900, "paid_from": "2026-04"})
    assert [(b.case.id, b.view.deadline.rule) for b in engine.breaches(date(2026, 3, 9))] == [
        (case.id, "investigation_start")]
    engine.store.db.execute("update cases set state = null where id = ?", [case.id])
    engine.store.db.conn.commit()
    for report in (lambda e: e.breaches(date(2026, 3, 9)), lambda e: e.at_risk(date(2026, 3, 3))):
        with pytest.raises(DamagedRecord, match=f"case '{case.id}'.*None is not a state"):
            report(Engine.open(path))


CLOSED_SEVEN_WEEKS = '''
from datetime import date, timedelta
from engine import CalendarOverlay

@hookimpl
def doudi_calendar_overlays(province, county):
    if province == "hainan":
        closed = [date(2026, 4, 20) + timedelta(n) for n in range(47)]  # 4/20 – 6/5
        return [CalendarOverlay("甲县人民政府关于因灾暂停办公的通知（测试）",
                                days_off=[(day, "暂停办公") for day in closed], county="甲县")]
'''


def test_at_risk_reads_a_deadline_a_county_s_long_closure_brings_into_the_window(
        install, tmp_path):
    """57号 第15条: the investigation starts within 3 working days of 受理. 甲县 of 海南 (a test
    plugin) closes its offices every day from Mon 4/20 to Fri 6/5 (the national make-up day
    Sat 5/9 too). Accepted Thu 4/16: in 甲县 4/17 Fri (1), 6/8 Mon (2), 6/9 Tue (3) → due
    2026-06-09, 2 of 甲县's working days after Fri 4/17 (6/8, 6/9): at risk within 3. 乙县
    keeps the national calendar: 4/17 (1), 4/20 (2), 4/21 (3) → 4/21, 2 away: at risk too.
    The report read the stored deadlines due up to 31 days after the national window's end
    (4/22 + 31 = 5/23) and left 甲县's out, as it did any a place's days off put beyond that."""
    install(CLOSED_SEVEN_WEEKS)
    engine = Engine.open(str(tmp_path / "county.db"))
    ids = {}
    for county in ("甲县", "乙县"):
        case = engine.open_case(province="hainan", on=date(2026, 4, 16),
                                attributes={"county": county})
        engine.fire(case.id, "accept", on=date(2026, 4, 16))
        ids[county] = case.id
    as_of = date(2026, 4, 17)
    expected = [(ids["甲县"], "investigation_start", 1, "at_risk", date(2026, 6, 9), 0),
                (ids["乙县"], "investigation_start", 1, "at_risk", date(2026, 4, 21), 0)]
    assert one_by_one(engine, as_of, ("at_risk",)) == sorted(expected)
    assert fast(engine.at_risk(as_of, within=3)) == sorted(expected)
    assert fast(engine.at_risk(as_of, within=3, province="hainan", county="甲县")) == expected[:1]
