"""A platform adopting doudi replays years of its history in DATE order: the lines of many
cases interleaved, each case's far apart, so past the cases an engine keeps
(``engine.kept_cases.KEPT_CASES``) nearly every line names a case read back from the database
(a batch's together, ``Store.known_cases``). However the lines come and however their cases
are read, the import must write exactly what it writes for the same lines in case order, and
what the same calls through the API write one by one: every row of every table, the hash
chains included (the write time frozen, the API given the keys the import makes)."""

from __future__ import annotations

import json
from datetime import date

import pytest

import engine.kept_cases
import engine.store
from engine import Engine
from engine.errors import DoudiError
from engine.importer import parse_line
from tests.test_bulk import PATH

# The 山西 path of test_bulk.py, every guard satisfied (approve opens a benefit case, linked),
# on the same days for every case: the approvals, which number the benefit cases, come in
# case order in either file (a day's lines keep it).
SHANXI = PATH
TIANJIN = [("accept", "2026-01-27"), ("start_investigation", "2026-01-28")]


def by_case(shanxi: int = 12, tianjin: int = 6) -> list[dict]:
    """Each case's lines together, case after case: 山西 dibao cases of three counties (one
    line with a reason, each approval with an amount), then 天津 ones."""
    lines: list[dict] = []
    for i in range(shanxi):
        lines.append({"op": "open", "province": "shanxi", "on": "2026-01-26", "id": f"S{i:02d}",
                      "attributes": {"county": ["甲县", "乙县", "丙县"][i % 3],
                                     "household_size": 1 + i % 4}})
        for event, on in SHANXI:
            line = {"op": "fire", "case_id": f"S{i:02d}", "event": event, "on": on}
            if event == "approve":
                line["payload"] = {"amount": 500 + i}
            if event == "start_investigation" and i % 2:
                line["reason"] = "入户调查"
            lines.append(line)
    for i in range(tianjin):
        lines.append({"op": "open", "province": "tianjin", "on": "2026-01-26", "id": f"T{i:02d}"})
        lines += [{"op": "fire", "case_id": f"T{i:02d}", "event": event, "on": on}
                  for event, on in TIANJIN]
    return lines


def by_date(lines: list[dict]) -> list[dict]:
    """The same lines as a platform exports its history: by date (a day's in case order)."""
    return sorted(lines, key=lambda line: line["on"])


def every_row(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table a write touches, but what numbers rows in the order they were
    written (row ids) and the cases' versions (counted a write: a batch, or an API call)."""
    conn = engine.store.db.conn
    tables = {
        "cases": "select * from cases order by id",
        "events": "select * from events order by case_id, seq",
        "deadlines": "select * from deadlines order by case_id, rule, instance",
        "links": "select * from links order by case_id, other_id, relation",
        "sanctions": "select * from sanctions order by case_id, seq",
        "case_numbers": "select * from case_numbers order by 1",
    }
    rows = {}
    for table, sql in tables.items():
        cursor = conn.execute(sql)
        names = [c[0] for c in cursor.description]
        left_out = {"cases": {"version"}, "events": {"id"}, "deadlines": {"id"}}.get(table, set())
        keep = [i for i, name in enumerate(names) if name not in left_out]
        rows[table] = [tuple(r[i] for i in keep) for r in cursor]
    return rows


@pytest.fixture
def few_kept(monkeypatch):
    """An engine keeps 3 cases, not 2,048: a file of 18 cases goes round more than it keeps,
    as a platform's history does; every write at one frozen time, so hashes compare."""
    monkeypatch.setattr(engine.kept_cases, "KEPT_CASES", 3)
    monkeypatch.setattr(engine.store, "_now", lambda: "2026-12-07T04:00:00+00:00")


def _through_the_api(path: str, lines: list[dict]) -> Engine:
    api = Engine.open(path)
    for line in lines:
        _, key = parse_line(json.dumps(line, ensure_ascii=False))
        try:
            if line["op"] == "open":
                api.open_case(province=line["province"], on=date.fromisoformat(line["on"]),
                              case_id=line["id"], attributes=line.get("attributes"),
                              idempotency_key=key)
            else:
                api.fire(line["case_id"], line["event"], on=date.fromisoformat(line["on"]),
                         payload=line.get("payload"), reason=line.get("reason"),
                         idempotency_key=key)
        except DoudiError:
            if line != BAD:
                raise
    return api


def _imported(tmp_path, name: str, lines: list[dict], skip_invalid: bool = False) -> Engine:
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                    encoding="utf-8")
    imported = Engine.open(str(tmp_path / f"{name}.db"))
    result = imported.import_file(str(path), batch=5, skip_invalid=skip_invalid)
    assert result.events == len(lines) - lines.count(BAD)
    assert [why for _, why in result.skipped] == (
        ["publish is not allowed in state accepted (已受理); allowed: start_investigation, "
         "extend, withdraw, terminate"] if BAD in lines else [])
    return imported


#: A line the case's state refuses: S03's 公布 on the day of its 受理, nothing approved.
BAD = {"op": "fire", "case_id": "S03", "event": "publish", "on": "2026-01-28"}


def _bad(lines: list[dict]) -> list[dict]:
    """``lines`` with :data:`BAD` just after S03's 受理."""
    at = next(n for n, x in enumerate(lines) if x.get("case_id") == "S03"
              and x["event"] == "accept") + 1
    return [*lines[:at], BAD, *lines[at:]]


def test_date_order_case_order_and_the_api_write_the_same_rows(tmp_path, few_kept,
                                                               monkeypatch):
    lines = by_case()
    dated = by_date(lines)
    assert dated != lines
    read_back: list[str] = []
    known_cases = engine.store.Store.known_cases

    def counted(store, ids):
        read_back.extend(ids)
        return known_cases(store, ids)

    monkeypatch.setattr(engine.store.Store, "known_cases", counted)
    date_order = _imported(tmp_path, "date", dated)
    # In date order nearly every line's case was read back from the database (18 cases
    # each named by every batch, 3 kept): the path a platform's replay takes.
    assert len(read_back) > 60, len(read_back)
    case_order = _imported(tmp_path, "case", lines)
    api = _through_the_api(str(tmp_path / "api.db"), dated)
    rows = every_row(date_order)
    assert rows == every_row(case_order)
    assert rows == every_row(api)
    # What was compared: 18 cases and the 12 benefit cases their approvals opened, each
    # linked both ways; 12 × 9 + 6 × 3 lines and an opening event a benefit case.
    assert len(rows["cases"]) == 30 and len(rows["links"]) == 24
    assert len(rows["events"]) == 12 * 9 + 6 * 3 + 12
    assert [r[0] for r in rows["cases"] if r[2] == "benefit"] == [
        f"shanxi-2026-{n:06d}" for n in range(1, 13)]
    # 山西 S00 受理 Wed 01-28: the investigation is due 3 working days later (民发〔2021〕57号
    # 第15条), Mon 02-02; started Mon 02-02, met.
    [duty] = [d for d in date_order.store.deadlines("S00") if d.rule == "investigation_start"]
    assert (duty.due_on, duty.stopped_on, duty.outcome) == (
        date(2026, 2, 2), date(2026, 2, 2), "met")
    for engine_ in (date_order, case_order, api):
        assert engine_.verify()[2] == []  # the hash chains intact


def test_a_bad_line_skipped_mid_batch_leaves_the_same_rows_in_either_order(tmp_path, few_kept):
    lines = _bad(by_case())
    dated = _bad(by_date(by_case()))
    assert 0 < dated.index(BAD) % 5 < 4  # (in the middle of a batch of 5)
    date_order = _imported(tmp_path, "date", dated, skip_invalid=True)
    case_order = _imported(tmp_path, "case", lines, skip_invalid=True)
    api = _through_the_api(str(tmp_path / "api.db"), dated)
    assert every_row(date_order) == every_row(case_order) == every_row(api)
    assert [e.event for e in date_order.store.history("S03")][:3] == [
        "open", "accept", "start_investigation"]
