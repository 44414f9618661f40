"""The cases an engine keeps in memory are bounded by what they hold, not only by their
number: a household's benefit case after three years of weekly re-checks (151 events and 151
deadlines) takes about 490 kB read back, and 2,048 of them, the old bound, about a gigabyte."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine import Engine, kept_cases
from engine.kept_cases import KeptCases
from engine.store import Known


def _known(events: int, deadlines: int = 0) -> Known:
    return Known(None, [None] * events, [None] * deadlines, [], [])  # (only sizes are read)


def test_what_is_kept_is_counted_and_the_oldest_dropped_past_either_bound(monkeypatch):
    monkeypatch.setattr(kept_cases, "KEPT_CASES", 3)
    monkeypatch.setattr(kept_cases, "KEPT_ITEMS", 20)
    kept = KeptCases()
    for case_id, size in (("A", 2), ("B", 3), ("C", 4)):
        kept.keep(case_id, _known(size, 1))
    assert (list(kept._cases), kept.items) == (["A", "B", "C"], 3 + 4 + 5)
    kept.keep("A", _known(5, 1))  # kept again, larger: counted once, now the newest
    assert (list(kept._cases), kept.items) == (["B", "C", "A"], 4 + 5 + 6)
    kept.used("B")
    kept.keep("D", _known(1))  # four cases: the least recently used (C) goes
    assert (list(kept._cases), kept.items) == (["A", "B", "D"], 6 + 4 + 1)
    kept.keep("E", _known(16, 1))  # four cases, 28 items: A goes (the count), then B (22 items)
    assert (list(kept._cases), kept.items) == (["D", "E"], 1 + 17)
    kept.keep("F", _known(30))  # larger than the bound alone: kept, it is about to be used
    assert (list(kept._cases), kept.items) == (["F"], 30)
    kept.drop("F")
    kept.drop("nowhere")
    assert (len(kept), kept.items) == (0, 0)


def test_an_engine_firing_on_long_histories_keeps_them_within_the_bound(tmp_path, monkeypatch):
    """Three 山西 benefit cases, each re-checked weekly (review, outcome keep) 20 times: 21
    events and 21 deadlines each, 42 items. With room for 100 items, only the two cases used
    last stay kept; the engine still reads the third back whole for its next event."""
    monkeypatch.setattr(kept_cases, "KEPT_ITEMS", 100)
    engine = Engine.open(str(tmp_path / "x.db"), durability="normal")
    ids = []
    for _ in range(3):
        case = engine.open_case(province="shanxi", workflow="benefit", on=date(2024, 1, 8),
                                attributes={"amount": 700, "paid_from": "2024-01"})
        ids.append(case.id)
        day = date(2024, 1, 9)
        for _ in range(20):
            engine.fire(case.id, "review", on=day, payload={"outcome": "keep"})
            day += timedelta(days=7)
    kept = engine._known_cases
    sizes = {i: len(kept[i].history) + len(kept[i].deadlines) for i in ids if i in kept}
    assert list(sizes) == ids[1:] and kept.items == sum(sizes.values()) <= 100
    # The dropped case is read back whole: its next review is its 22nd event.
    view = engine.fire(ids[0], "review", on=day, payload={"outcome": "keep"})
    assert len(view.history) == 22
    assert ids[0] in kept and ids[1] not in kept


@pytest.mark.parametrize("bound", ["KEPT_CASES", "KEPT_ITEMS"])
def test_the_bounds_are_positive_numbers(bound):
    assert isinstance(getattr(kept_cases, bound), int) and getattr(kept_cases, bound) > 0
