"""The breach report's fast path (running deadlines straight from the store, cases rebuilt
only where needed) gives exactly what judging every case one by one gives."""

from __future__ import annotations

from datetime import date

import pytest

from engine import Engine
from engine.demo import build_demo

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


def test_a_case_rebuilt_for_what_happens_by_itself_is_listed_once(tmp_path):
    """A case in a phase-out is rebuilt (its end happens by itself) and also has a stored
    running deadline: the report judges it once. 民发〔2022〕83号 (津民发〔2023〕13号 一(三)):
    the household is re-checked within 3 months of a death. Died 2026-06-10 → due
    2026-09-10 (民法典第201、202条). As of 2026-10-20, 24 working days overdue: 9/11, 9/14–18,
    9/20 (调休上班), 9/21–24 (9/25 中秋), 9/28–30, 10/8–9 (10/1–7 国庆), 10/10 (调休上班),
    10/12–16, 10/19–20 (国办发明电〔2025〕7号)."""
    engine = Engine.open(str(tmp_path / "x.db"))
    case = engine.open_case(province="tianjin", workflow="benefit", on=date(2026, 3, 2),
                            attributes={"amount": 900, "paid_from": "2026-04"})
    # 津民发〔2023〕13号 一(三): income rises on 2026-05-15, phase-out to the end of November.
    engine.fire(case.id, "income_exceeds", on=date(2026, 5, 15),
                payload={"per_capita_income": 1300, "standard": 1100})
    engine.fire(case.id, "member_died", on=date(2026, 6, 12), payload={"died_on": "2026-06-10"})
    as_of = date(2026, 10, 20)
    assert engine.store.case(case.id).state == "phasing_out"
    rows = [(case.id, "death_review", 1, "breached", date(2026, 9, 10), 24)]
    assert fast(engine.breaches(as_of)) == rows == one_by_one(engine, as_of, ("breached",))
