"""``recompute``, ``case advance`` and ``audit verify`` read each chunk of cases' histories,
deadlines (and for verify, sanctions) together, a statement a table (``Store.case_rows``), not
a statement a case: the results must be what reading each case alone gives, a damaged case
skipped or found as before.

Read one case at a time, each case cost recompute and advance two statements (its history,
its deadlines; and one more, the hash of its last event, when it is written), verify four (its
event rows, its deadlines twice, its sanctions)."""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import date

import pytest

from engine import Engine, maintenance

# 甲县 cases 受理 Mon 2026-03-02: investigation within 3 working days (民发〔2021〕57号 第15条)
# → Thu 03-05; the county's 2 working days (recorded after them) → Wed 03-04.
SHANXI = [f"S{i}" for i in range(1, 8)]
# 天津 phase-outs (津民发〔2023〕13号 一(三) "原则上不超过6个月的渐退期"): income recorded
# 2026-05-15, phase-out June … November, ending by itself on 2026-12-01.
TIANJIN = ["T1", "T2"]


def _cases(db: str, county_days: bool = True) -> None:
    engine = Engine.open(db)
    for case_id in SHANXI:
        engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=case_id,
                         attributes={"county": "甲县"})
        engine.fire(case_id, "accept", on=date(2026, 3, 2))
    for case_id in TIANJIN:
        engine.open_case(province="tianjin", workflow="benefit", on=date(2026, 3, 2),
                         case_id=case_id, attributes={"amount": 900, "paid_from": "2026-04"})
        engine.fire(case_id, "income_exceeds", on=date(2026, 5, 15),
                    payload={"per_capita_income": 1300, "standard": 1100})
    if county_days:
        engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd",
                             "甲县民政局 测试 第1条", date(2026, 1, 5))
    engine.close()


def _damage(db: str, *sql: str) -> None:
    raw = sqlite3.connect(db)
    raw.execute("drop trigger events_append_only_update")
    for statement in sql:
        raw.execute(statement)
    raw.commit()
    raw.close()


# S3's 受理 dated 2026-13-01 by hand (recompute skips it, verify finds it altered); S5's
# deadline row a date no longer (verify finds it, recompute skips it).
DAMAGE = ("update events set [on] = '2026-13-01' where case_id = 'S3' and seq = 1",
          "update deadlines set due_on = 'soon' where case_id = 'S5'")


class _Reads:
    """The statements an engine's connection runs that read events, deadlines or sanctions:
    those naming one case (``case_id = ?``: a read of its rows, or of the hash of its last
    event as its write chains the next on) and those naming many (``case_id in``)."""

    def __init__(self, engine: Engine) -> None:
        self.statements: list[str] = []
        engine.store.db.conn.set_trace_callback(self.statements.append)

    def of(self, table: str, many: bool) -> list[str]:
        form = r"case_id in \(" if many else r"case_id = '"
        return [s for s in self.statements
                if re.match(rf"select .* from \[?{table}\]? where {form}", s)]


def test_recompute_reads_a_chunk_s_histories_and_deadlines_with_one_statement_each(tmp_path):
    db = str(tmp_path / "x.db")
    _cases(db)
    _damage(db, DAMAGE[0])
    engine = Engine.open(db)
    reads, left = _Reads(engine), []
    moved = engine.recompute(on_skipped=lambda case_id, error: left.append(case_id))
    assert moved == [(c, "investigation_start", 1, date(2026, 3, 5), date(2026, 3, 4))
                     for c in SHANXI if c != "S3"]
    assert left == ["S3"]
    # Two chunks: T1 and T2 first (their deadlines are provisional), then the 山西 cases. Before,
    # a statement a case each, and one more for the hash of its last event. (The deadlines in
    # the order of their ids, picked through the case's index: no sort of the rows whole.)
    for table, form in (("events", "case_id in ({}) order by case_id, seq"),
                        ("deadlines", "id in (select id from [deadlines] where case_id in ({})) "
                                      "order by id")):
        assert [s.split(" where ", 1)[1] for s in reads.of(table, many=True)] == [
            form.format(ids) for ids in ("'T1','T2'", "'S1','S2','S3','S4','S5','S6','S7'")]
        assert reads.of(table, many=False) == [], table


def test_verify_reads_a_chunk_s_rows_with_one_statement_a_table(tmp_path):
    db = str(tmp_path / "x.db")
    _cases(db, county_days=False)
    _damage(db, *DAMAGE)
    engine = Engine.open(db)
    reads = _Reads(engine)
    cases, events, findings = engine.verify()
    assert (cases, events) == (9, 18)
    assert [(f.case_id, f.seq) for f in findings] == [("S3", 1), ("S5", 2)]
    assert findings[0].problem == "altered"
    assert findings[1].problem == (
        "missing, or the case altered: a deadline row cannot be read back (ValueError: "
        "\"soon\" is not a date: expected YYYY-MM-DD)")
    for table in ("events", "deadlines", "sanctions"):
        assert len(reads.of(table, many=True)) == 1, table
    # S5's finding, at its last event, is checked again alone, as one snapshot (an event
    # written after its row was read is no tampering): the only case read alone.
    alone = [s for t in ("events", "deadlines", "sanctions") for s in reads.of(t, many=False)]
    assert alone and all("'S5'" in s for s in alone), alone


def test_advance_reads_together_only_the_cases_it_records_on(tmp_path):
    db = str(tmp_path / "x.db")
    _cases(db, county_days=False)
    engine = Engine.open(db)
    reads = _Reads(engine)
    assert engine.advance(date(2026, 12, 4)) == [(c, "phase_out_end", date(2026, 12, 1))
                                                 for c in TIANJIN]
    for table in ("events", "deadlines"):
        [statement] = reads.of(table, many=True)
        assert statement.endswith("in ('T1','T2') order by case_id, seq" if table == "events"
                                  else "in ('T1','T2')) order by id"), statement
        assert reads.of(table, many=False) == [], table


def test_cases_read_together_over_500_ids_are_each_as_read_alone(tmp_path):
    """Past SQLite's 500 variables a statement (as the store binds them): a second statement
    a table, each case's rows as its own read gives them, and one not read is read alone."""
    db = str(tmp_path / "x.db")
    _cases(db)
    engine = Engine.open(db)
    ids = [*(f"none{i:03}" for i in range(600)), *SHANXI, *TIANJIN]
    reads = _Reads(engine)
    rows = engine.store.case_rows(ids, ("events", "event_rows", "deadlines", "sanctions"))
    assert [len(reads.of(t, many=True)) for t in ("events", "deadlines", "sanctions")] == [
        4, 2, 2]  # (events twice: as a history's and as rows)
    alone = Engine.open(db).store
    for case_id in [*SHANXI, *TIANJIN]:
        assert rows.history(case_id) == alone.history(case_id)
        assert [(e.recorded_at, e.hash) for e in rows.history(case_id)] == [
            (e.recorded_at, e.hash) for e in alone.history(case_id)]
        assert rows.history_rows(case_id) == alone.history_rows(case_id)
        assert rows.deadlines(case_id) == alone.deadlines(case_id)
        assert rows.sanctions(case_id) == alone.sanctions(case_id)
    assert rows.history("none000") == []
    before = len(reads.statements)
    assert engine.store.case_rows(["S1"], ("events",)).deadlines("S1") == alone.deadlines("S1")
    assert len(reads.statements) == before + 2  # (the events read, then S1's deadlines alone)


def _run_all(db: str) -> tuple:
    """Recompute, advance and verify over the database, and what they leave: each case's
    history (event, date, data) and deadlines."""
    engine, left, counted = Engine.open(db), [], []

    def skipped(case_id, error):
        left.append((case_id, type(error).__name__, str(error)))

    moved = engine.recompute(progress=counted.append, on_skipped=skipped)
    advanced = engine.advance(date(2026, 12, 4), progress=counted.append, on_skipped=skipped)
    verified = engine.verify()
    stored = {case_id: ([(r["event"], r["on"], r["payload"], r["to_state"])
                         for r in engine.store.history_rows(case_id)],
                        engine.store.deadlines(case_id) if case_id != "S5" else None)
              for case_id in [*SHANXI, *TIANJIN]}
    return moved, advanced, left, len(counted), verified, stored


def test_results_read_together_are_those_read_a_case_at_a_time(tmp_path, monkeypatch):
    """Chunks of 3 cases and batches of 2, so chunks and batches cross each other, S3 and S5
    damaged, and T2's end of phase-out no date (changed by hand): the dates moved, events
    recorded, cases left, counts and findings are those of every case read alone (a CaseRows
    that read nothing reads each case alone, as before)."""
    from engine.store import CaseRows, Store

    first = str(tmp_path / "together.db")
    _cases(first)
    _damage(first, *DAMAGE, "update cases set attributes = json_set(attributes, "
                            "'$.phase_out_ends_on', 'someday') where id = 'T2'")
    second = str(tmp_path / "alone.db")
    shutil.copy(first, second)
    monkeypatch.setattr(maintenance, "READ_CHUNK", 3)
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 2)
    read, sizes = Store.case_rows, []

    def counted(self, ids, tables):
        sizes.append(len(ids))
        return read(self, ids, tables)

    monkeypatch.setattr(Store, "case_rows", counted)
    together = _run_all(first)
    assert max(sizes) == 3 and len(sizes) > 3 * 2  # (chunks of 3, in each of the three)
    monkeypatch.setattr(Store, "case_rows", lambda self, ids, tables: CaseRows(self, ids, {}))
    alone = _run_all(second)
    assert together == alone
    moved, advanced, left, counted, verified, _ = together
    assert [m[0] for m in moved] == ["S1", "S2", "S4", "S6", "S7"]
    assert advanced == [("T1", "phase_out_end", date(2026, 12, 1))]
    # (S3 and S5 by recompute; advance reads neither's history: nothing happens to them by
    # itself; T2 by advance, which cannot tell when its phase-out ends)
    assert [(case_id, kind) for case_id, kind, _ in left] == [
        ("S3", "DamagedRecord"), ("S5", "DamagedRecord"), ("T2", "DamagedRecord")]
    assert "phase_out_ends_on" in left[2][2]
    assert counted == 2 * 9
    assert [(f.case_id, f.seq) for f in verified[2]] == [("S3", 1), ("S5", 2), ("T2", 2)]


@pytest.mark.parametrize("tables", [("events",), ("deadlines",)])
def test_a_damaged_row_read_together_fails_for_its_own_case_only(tmp_path, tables):
    db = str(tmp_path / "x.db")
    _cases(db)
    _damage(db, *DAMAGE)
    engine = Engine.open(db)
    rows = engine.store.case_rows(SHANXI, tables)
    read = rows.history if tables == ("events",) else rows.deadlines
    damaged = "S3" if tables == ("events",) else "S5"
    with pytest.raises(Exception) as together:
        read(damaged)
    with pytest.raises(Exception) as alone:
        getattr(engine.store, read.__name__)(damaged)
    assert (type(together.value), str(together.value)) == (type(alone.value), str(alone.value))
    assert all(read(c) == getattr(engine.store, read.__name__)(c)
               for c in SHANXI if c != damaged)
