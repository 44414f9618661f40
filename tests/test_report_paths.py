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
    assert breaches == one_by_one(demo, as_of, ("breached", "met_late"))
    assert breaches  # the demo has late offices: the comparison is not vacuous
    assert fast(demo.at_risk(as_of, within=5)) == one_by_one(demo, as_of, ("at_risk",), 5)
