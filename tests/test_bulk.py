"""Bulk import through the same checks as the API, and recomputing deadlines after the
calendar data changes."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from datetime import date

import pytest

from engine import Engine
from engine.errors import InvalidInput
from helpers import (
    damage_events_page,
    doudi_with_closed,
    dump_file,
    error_line,
    failing_on_call,
    full_at_commit,
    held_once_after,
    put_back_triggers,
    run,
)

LINES = [
    {"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C1"},
    {"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03"},
    {"op": "fire", "case_id": "C1", "event": "start_investigation", "on": "2026-03-04"},
    {"op": "open", "province": "tianjin", "on": "2026-03-02", "id": "C2"},
    {"op": "fire", "case_id": "C2", "event": "accept", "on": "2026-03-03"},
]
# Approving a 山西 case straight from investigation is refused: not delegated (57号 第20条).
BAD = {"op": "fire", "case_id": "C1", "event": "approve", "on": "2026-03-05"}


def write(tmp_path, lines):
    path = tmp_path / "import.jsonl"
    text = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)
                     for x in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def events(db):
    return Engine.open(db).store.db.execute("select count(*) from events").fetchone()[0]


def test_import_writes_every_line_and_a_second_run_adds_nothing(tmp_path, db):
    path = write(tmp_path, LINES)
    first = run(db, "import", path)
    assert first.exit_code == 0, first.output
    assert "5 lines: 5 written, 0 already imported, 0 skipped" in first.stderr
    engine = Engine.open(db)
    assert engine.store.case("C1").state == "investigating"
    assert engine.store.case("C2").state == "accepted"
    again = run(db, "import", path)
    assert "5 lines: 0 written, 5 already imported, 0 skipped" in again.stderr
    assert events(db) == 5


def test_a_bad_line_stops_the_import_with_nothing_from_its_batch(tmp_path, db):
    path = write(tmp_path, [*LINES[:3], BAD, *LINES[3:]])
    result = run(db, "import", path, "--batch", "2")
    assert result.exit_code == 1
    # Batches of two: lines 1–2 committed; the batch of lines 3–4 fails at line 4.
    assert error_line(result).startswith("Error: line 4: approve refused: confirmation is not "
                                         "delegated")
    assert "2 lines from earlier batches kept" in result.stderr
    assert events(db) == 2
    assert Engine.open(db).store.case("C1").state == "accepted"


def test_skip_invalid_writes_the_rest_and_lists_what_it_skipped(tmp_path, db):
    path = write(tmp_path, [*LINES[:3], BAD, "{not json", *LINES[3:]])
    result = run(db, "import", path, "--skip-invalid")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("skipped line 4: approve refused")
    assert result.stdout.splitlines()[1].startswith("skipped line 5: not valid JSON")
    assert "7 lines: 5 written, 0 already imported, 2 skipped" in result.stderr
    assert events(db) == 5


def test_on_skip_gets_each_skipped_line_once_its_batch_is_committed(tmp_path, db):
    path = write(tmp_path, [*LINES[:3], BAD, "{not json", *LINES[3:]])
    seen = []

    def skipped(number, why):
        seen.append((number, why.split(":")[0], events(db)))  # what is committed by then

    result = Engine.open(db).import_file(path, batch=2, skip_invalid=True, on_skip=skipped)
    # Batches of two lines: 1–2, 3–4, 5–6, 7. Line 4 is skipped in the second batch, by
    # when lines 1–3 are written; line 5 in the third, by when line 6 is written too.
    assert seen == [(4, "approve refused", 3), (5, "not valid JSON (Expecting property name "
                                                   "enclosed in double quotes", 4)]
    assert (result.skipped, result.skipped_count, result.events) == ([], 2, 5)


def _import_peak(tmp_path, lines: int, on_skip) -> int:
    """Peak bytes Python allocated importing ``lines`` lines that are all skipped."""
    import tracemalloc

    path = tmp_path / f"bad-{lines}.jsonl"
    path.write_text("".join(json.dumps({"op": "fire", "case_id": f"none-{i}", "event": "accept",
                                        "on": "2026-03-03"}) + "\n" for i in range(lines)))
    engine = Engine.open(str(tmp_path / f"bad-{lines}-{on_skip is None}.db"))
    tracemalloc.start()
    try:
        result = engine.import_file(str(path), skip_invalid=True, on_skip=on_skip)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.skipped_count == lines
    return peak


def test_skipped_lines_given_to_on_skip_do_not_grow_memory(tmp_path):
    """The import's memory stays flat whatever the size (issue 7), bad lines included: ten
    times the skipped lines peak within a quarter of the smaller import when they are
    passed on as they come; kept in the result, the same lines take several times more."""
    count = 0

    def skipped(number, why):
        nonlocal count
        count += 1

    small, large = (_import_peak(tmp_path, n, skipped) for n in (1_000, 10_000))
    assert count == 11_000
    assert large < 1.25 * small
    assert _import_peak(tmp_path, 10_000, None) > 2 * small  # the measure can tell


def test_recompute_moves_provisional_due_dates_when_the_year_is_added(tmp_path, db,
                                                                     calendar_with_2027):
    """民发〔2021〕57号 第22条: 30 working days from 受理 on 2026-12-01.
    Projected 2027 (only 1/1 off): 12/2 … 12/31 are 22 working days, then 1/4(23) 1/5(24)
    1/6(25) 1/7(26) 1/8(27) 1/11(28) 1/12(29) 1/13(30) → 2027-01-13, provisional.
    With the notice (1/1–1/4 off): 1/5(23) … 1/13(29) 1/14(30) → 2027-01-14."""
    engine = Engine.open(db)
    case = engine.open_case(province="shanxi", on=date(2026, 11, 30), case_id="P1")
    engine.fire(case.id, "accept", on=date(2026, 12, 1))
    total = next(d for d in engine.store.deadlines("P1") if d.rule == "total")
    assert (total.due_on, total.provisional) == (date(2027, 1, 13), True)
    calendar_with_2027()
    result = run(db, "recompute", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"days_moved": 1, "due_dates": 1}]
    assert "1 due date moved in 1 of 1 case" in result.stderr
    engine = Engine.open(db)
    total = next(d for d in engine.store.deadlines("P1") if d.rule == "total")
    assert (total.due_on, total.provisional) == (date(2027, 1, 14), False)
    last = engine.store.history("P1")[-1]
    assert (last.event, last.payload["moved"]) == (
        "recompute", [["total", 1, "2027-01-13", "2027-01-14"]])
    assert engine.replay("P1")[1] == engine.store.deadlines("P1")
    assert engine.verify() == (1, 3, [])
    # Nothing more moves on a second run (CSV, as contract.md's --format table|json|csv).
    again = run(db, "recompute", "--format", "csv")
    assert "0 due dates moved" in again.stderr
    assert again.stdout == "days_moved,due_dates\n"


def test_recompute_does_not_count_a_provisional_date_the_notice_confirms_as_moved(
        db, calendar_with_2027):
    """Found by review: a due date the new notice leaves where it was (only no longer
    provisional) was counted as moved: "2 due dates moved in 2 of 2 cases" where one moved.
    民发〔2021〕57号 第22条, as above: 受理 2026-12-01, total due 2027-01-13 (provisional), then
    2027-01-14. 第31条: a benefit opened Tue 2026-12-01 is re-checked within 12 months, by
    Wed 2027-12-01, provisional until the notice, which leaves it there."""
    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 11, 30), case_id="P1")
    engine.fire("P1", "accept", on=date(2026, 12, 1))
    engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 12, 1), case_id="B1",
                     attributes={"amount": 900, "paid_from": "2026-12"})
    [review] = engine.store.deadlines("B1")
    assert (review.rule, review.due_on, review.provisional) == (
        "periodic_review", date(2027, 12, 1), True)
    calendar_with_2027()
    result = run(db, "recompute", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"days_moved": 0, "due_dates": 1},
                                         {"days_moved": 1, "due_dates": 1}]
    assert result.stderr.splitlines()[-1] == (
        "1 due date moved in 1 of 2 cases; 1 due date kept its date (only its provisional "
        "mark changed); 1 case recorded with no due date moved (its recompute event lists "
        "what else differed)")
    assert Engine.open(db).store.history("B1")[-1].payload["moved"] == [
        ["periodic_review", 1, "2027-12-01", "2027-12-01"]]


def test_recompute_after_a_notice_and_a_county_s_setting_together_moves_each_date_once(
        db, calendar_with_2027):
    """A 2027 notice (元旦 1/1–1/4 off) and 甲县's own 25 working days to start the
    investigation (民发〔2021〕57号 第15条 leaves it to the county), recorded before one recompute.
    Both cases 受理 Tue 2026-12-01. P1 (甲县): 12/2 … 12/31 are 22 working days, then
    projected 1/4(23) 1/5(24) 1/6(25); with the notice 1/5(23) 1/6(24) 1/7(25): its 3 working
    days (due Fri 12/4) become 2027-01-07, 34 days later. Both totals (第22条, 30 working days)
    move from 2027-01-13 to 2027-01-14, as above; P2 (乙县) keeps its 12/4."""
    engine = Engine.open(db)
    for case_id, county in (("P1", "甲县"), ("P2", "乙县")):
        engine.open_case(province="shanxi", on=date(2026, 11, 30), case_id=case_id,
                         attributes={"county": county})
        engine.fire(case_id, "accept", on=date(2026, 12, 1))
    engine.set_parameter("shanxi", "甲县", "investigation_start", "25wd",
                         "甲县民政局〔2026〕1号 三", on=date(2026, 1, 1))
    calendar_with_2027()
    result = run(db, "recompute", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"days_moved": 1, "due_dates": 2},
                                         {"days_moved": 34, "due_dates": 1}]
    assert result.stderr.splitlines()[-1] == "3 due dates moved in 2 of 2 cases"
    engine = Engine.open(db)
    due = {(c, d.rule): (d.due_on, d.provisional) for c in ("P1", "P2")
           for d in engine.store.deadlines(c)}
    assert due == {("P1", "investigation_start"): (date(2027, 1, 7), False),
                   ("P1", "total"): (date(2027, 1, 14), False),
                   ("P2", "investigation_start"): (date(2026, 12, 4), False),
                   ("P2", "total"): (date(2027, 1, 14), False)}
    assert engine.store.history("P1")[-1].payload["moved"] == [
        ["total", 1, "2027-01-13", "2027-01-14"],
        ["investigation_start", 1, "2026-12-04", "2027-01-07"]]
    assert engine.verify() == (2, 6, [])
    # A second run finds nothing to record.
    again = run(db, "recompute")
    assert again.stderr.splitlines()[-1] == "0 due dates moved in 0 of 2 cases"
    assert [len(Engine.open(db).store.history(c)) for c in ("P1", "P2")] == [3, 3]

def test_recompute_re_derives_open_deadlines_and_keeps_a_stopped_one_as_it_was_judged(
        db, calendar_with_2027, monkeypatch):
    """Found by review: issue 7 says "`doudi recompute` re-derives every OPEN deadline", but
    recompute re-derived the stopped ones too: a deadline met late under the calendar then in
    force became met on time once the 2027 notice arrived, rewriting what happened.

    民发〔2021〕57号 第15条: 受理 Tue 2026-12-29, investigation started within 3 working days:
    12/30(1) 12/31(2), then projected 2027 (1/1 off) 1/4(3) → 2027-01-04, provisional;
    started Tue 2027-01-05: met late. With the notice (1/1–1/4 off) it would be due 1/5 and
    met: it stays due 1/4, met late, as judged. The same case's 第22条 total (30 working days,
    still open) is re-derived: 12/30 12/31 (2), 1/5–1/8 (6), 1/11–15 (11), 1/18–22 (16),
    1/25–29 (21), 2/1–5 (26), 2/8 2/9 2/10 2/11 (30) → 2027-02-11. Another case's total, 受理
    2026-12-01, open and moved a day: 2027-01-13 (projected) → 2027-01-14, as above."""
    monkeypatch.setattr("engine.clock.china_today", lambda: date(2027, 3, 1))
    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 12, 28), case_id="A1")
    engine.fire("A1", "accept", on=date(2026, 12, 29))
    engine.fire("A1", "start_investigation", on=date(2027, 1, 5))
    engine.open_case(province="shanxi", on=date(2026, 11, 30), case_id="P1")
    engine.fire("P1", "accept", on=date(2026, 12, 1))

    def deadline(case_id, rule):
        d = next(d for d in Engine.open(db).store.deadlines(case_id) if d.rule == rule)
        return d.due_on, d.provisional, d.outcome, d.stopped_on

    met_late = (date(2027, 1, 4), True, "met_late", date(2027, 1, 5))
    assert deadline("A1", "investigation_start") == met_late
    projected = deadline("A1", "total")[0]
    calendar_with_2027()
    result = run(db, "recompute", "--format", "json")
    assert result.exit_code == 0, result.output
    assert deadline("A1", "investigation_start") == met_late  # as judged then
    assert deadline("A1", "total") == (date(2027, 2, 11), False, None, None)
    assert deadline("P1", "total") == (date(2027, 1, 14), False, None, None)
    assert result.stderr.splitlines()[-1] == (
        "2 due dates moved in 2 of 2 cases; 1 stopped deadline kept its due date and outcome "
        "as judged (its recompute event lists it as kept)")
    assert json.loads(result.stdout) == [{"days_moved": (date(2027, 2, 11) - projected).days,
                                          "due_dates": 1},
                                         {"days_moved": 1, "due_dates": 1}]
    engine = Engine.open(db)
    event = engine.store.history("A1")[-1]
    assert event.event == "recompute"
    assert event.payload["moved"] == [["total", 1, projected.isoformat(), "2027-02-11"]]
    [[rule, instance, kept]] = event.payload["kept"]
    assert (rule, instance, kept["due_on"], kept["outcome"], kept["provisional"]) == (
        "investigation_start", 1, "2027-01-04", "met_late", True)
    assert engine.store.history("P1")[-1].payload["moved"] == [
        ["total", 1, "2027-01-13", "2027-01-14"]]
    # A replay of the history gives the stored rows: audit verify finds nothing, and a second
    # run records nothing more.
    for case_id in ("A1", "P1"):
        assert engine.replay(case_id)[1] == engine.store.deadlines(case_id)
        assert engine.replay_deadlines(case_id) == engine.store.deadlines(case_id)
    assert engine.verify()[2] == []
    again = run(db, "recompute")
    assert again.exit_code == 0 and "0 due dates moved in 0 of 2 cases" in again.stderr
    assert [e.event for e in Engine.open(db).store.history("A1")].count("recompute") == 1


def _investigation(api, case_id="A1"):
    [d] = [d for d in api.store.deadlines(case_id) if d.rule == "investigation_start"]
    return d.due_on, d.duration, d.outcome, d.stopped_on


def _late_investigation(db):
    """A 山西 case of 甲县, 受理 Tue 2026-03-03, investigation within 3 working days (民发〔2021〕
    57号 第15条): 3/4 3/5 3/6 → due Fri 03-06; started Thu 03-12: met late."""
    api = Engine.open(db)
    api.open_case(province="shanxi", on=date(2026, 3, 2), case_id="A1",
                  attributes={"county": "甲县"})
    api.fire("A1", "accept", on=date(2026, 3, 3))
    api.fire("A1", "start_investigation", on=date(2026, 3, 12))
    assert _investigation(api) == (date(2026, 3, 6), "3wd", "met_late", date(2026, 3, 12))
    return api


def test_a_second_recompute_keeps_the_whole_judgement_a_first_one_kept(db):
    """Found by review: recompute kept a stopped deadline's fields that differed then (due
    date, duration, computation), and a replay put back those only. 甲县 then sets 4 working
    days (3/4 3/5 3/6 3/9 → due 03-09, still late: kept, due 03-06, met late), and later 7
    (… 3/10 3/11 3/12 → due 03-12, met on 03-12): the second recompute's replay gave the
    kept due 03-06 with the outcome judged by the 7 days, and stored "met" for an
    investigation started six days after its due date, a breach undone."""
    api = _late_investigation(db)
    [judged] = [d for d in api.store.deadlines("A1") if d.rule == "investigation_start"]
    assert judged.citation == "民发〔2021〕57号 第15条（国家规定）"
    api.set_parameter("shanxi", "甲县", "investigation_start", "4wd", "甲县民政局 测试 第1条",
                      date(2026, 1, 1))
    Engine.open(db).recompute()
    assert _investigation(Engine.open(db)) == (date(2026, 3, 6), "3wd", "met_late",
                                               date(2026, 3, 12))
    api.set_parameter("shanxi", "甲县", "investigation_start", "7wd", "甲县民政局 测试 第2条",
                      date(2026, 2, 1))
    Engine.open(db).recompute()
    api = Engine.open(db)
    assert _investigation(api) == (date(2026, 3, 6), "3wd", "met_late", date(2026, 3, 12))
    assert api.replay("A1")[1] == api.store.deadlines("A1")
    assert api.verify()[2] == []


def test_a_deadline_recompute_keeps_the_clause_its_period_was_counted_by(db):
    """Found by review: a kept deadline took the basis (citation) of the rule now in force:
    the investigation counted by 57号 第15条's 3 working days (due 03-06, met late) was shown
    as counted by "甲县民政局 测试 第1条", the county's 7 days, which give 03-12 — not the
    clause behind its date. Its title still follows the version."""
    api = _late_investigation(db)
    api.set_parameter("shanxi", "甲县", "investigation_start", "7wd", "甲县民政局 测试 第1条",
                      date(2026, 1, 1))
    Engine.open(db).recompute()
    api = Engine.open(db)
    [kept] = [d for d in api.store.deadlines("A1") if d.rule == "investigation_start"]
    assert (kept.due_on, kept.duration, kept.citation) == (date(2026, 3, 6), "3wd",
                                                           "民发〔2021〕57号 第15条（国家规定）")
    [event] = [e for e in api.store.history("A1") if e.event == "recompute"]
    assert event.payload["kept"][0][2]["citation"] == "民发〔2021〕57号 第15条（国家规定）"
    assert "changed" not in event.payload  # (nothing of it follows the county's setting)
    assert api.replay("A1")[1] == api.store.deadlines("A1")
    assert api.verify()[2] == []


def _kept_on_03_20(db):
    """The late investigation (due 03-06, started 03-12), the case's last event on 03-20,
    then 甲县's 7 working days (due 03-12) and a recompute, which keeps it as judged: its
    recompute event is dated 03-20."""
    api = _late_investigation(db)
    api.fire("A1", "request_verification", on=date(2026, 3, 20))
    api.set_parameter("shanxi", "甲县", "investigation_start", "7wd", "甲县民政局 测试 第1条",
                      date(2026, 1, 1))
    Engine.open(db).recompute()


def test_a_deadline_recompute_kept_is_judged_so_as_of_a_date_before_the_recompute(db):
    """Found by review: a recompute event is dated its case's last event, and a case read as
    of an earlier date was worked out from the events before it, without what it kept. 甲县
    sets 7 working days after the case's request for verification on 03-20 (the recompute's
    date): 3/4 3/5 3/6 3/9 3/10 3/11 3/12 → due 03-12, which would make the start on 03-12
    met. Kept as judged (due 03-06, met late), it was still "met", due 03-12, as of 03-15,
    and met late as of 03-20: one investigation judged two ways after it was done."""
    _kept_on_03_20(db)
    api = Engine.open(db)
    recompute = api.store.history("A1")[-1]
    assert (recompute.event, recompute.on) == ("recompute", date(2026, 3, 20))
    for as_of in (date(2026, 3, 12), date(2026, 3, 15), date(2026, 3, 20)):
        [view] = [v for v in api.deadlines("A1", as_of) if v.deadline.rule == "investigation_start"]
        assert (view.deadline.due_on, view.status) == (date(2026, 3, 6), "met_late"), as_of
        [d] = [d for d in api.replay_deadlines("A1", as_of) if d.rule == "investigation_start"]
        assert (d.due_on, d.outcome) == (date(2026, 3, 6), "met_late"), as_of
    # Not yet started on 03-11: running then, and breached by the 3 days it was judged by
    # (see the next test), not open by the 7.
    [view] = [v for v in api.deadlines("A1", date(2026, 3, 11))
              if v.deadline.rule == "investigation_start"]
    assert (view.deadline.outcome, view.deadline.due_on, view.status) == (
        None, date(2026, 3, 6), "breached")
    shown = run(db, "case", "show", "A1", "--as-of", "2026-03-15", "--format", "json")
    assert shown.exit_code == 0, shown.output
    [row] = [d for d in json.loads(shown.stdout)["deadlines"] if d["rule"] == "investigation_start"]
    assert (row["due_on"], row["status"]) == ("2026-03-06", "met_late")


def test_a_deadline_recompute_kept_is_counted_so_as_of_a_date_it_was_still_running(db):
    """Found by review: a deadline kept as judged was counted by the setting dated back as of
    a date on which it still ran, and vanished from that date's breach report: 民发〔2021〕57号
    第15条, 受理 Tue 2026-03-03, investigation within 3 working days → due Fri 03-06, started
    Thu 03-12 (met late, kept so when 甲县's 7 working days, due 03-12, were dated back). As
    of Wed 03-11 it was breached, overdue 3 working days (03-09, 03-10, 03-11), and the
    report of that day listed it; after the recompute it said "(none)", and case show gave
    it due 03-12 as of 03-11 and due 03-06 as of 03-12: a breach undone in a report of the
    past (docs/cli.md, recompute). As of 03-05 it was open, due 03-06, at risk."""
    api = _late_investigation(db)
    before = run(db, "report", "breaches", "--as-of", "2026-03-11", "--format", "json")
    assert before.exit_code == 0, before.output
    api.set_parameter("shanxi", "甲县", "investigation_start", "7wd", "甲县民政局 测试 第1条",
                      date(2026, 1, 1))
    Engine.open(db).recompute()
    after = run(db, "report", "breaches", "--as-of", "2026-03-11", "--format", "json")
    assert after.exit_code == 0, after.output
    [row] = json.loads(after.stdout)
    assert (row["rule"], row["status"], row["due_on"], row["overdue_working_days"], row["basis"]) \
        == ("investigation_start", "breached", "2026-03-06", 3, "民发〔2021〕57号 第15条（国家规定）")
    assert json.loads(after.stdout) == json.loads(before.stdout)
    api = Engine.open(db)
    for as_of, status in ((date(2026, 3, 5), "at_risk"), (date(2026, 3, 9), "breached"),
                          (date(2026, 3, 11), "breached"), (date(2026, 3, 12), "met_late")):
        [view] = [v for v in api.deadlines("A1", as_of) if v.deadline.rule == "investigation_start"]
        assert (view.deadline.due_on, view.deadline.duration, view.status) == (
            date(2026, 3, 6), "3wd", status), as_of
        [d] = [d for d in api.replay_deadlines("A1", as_of) if d.rule == "investigation_start"]
        assert (d.due_on, d.citation) == (date(2026, 3, 6), "民发〔2021〕57号 第15条（国家规定）")
    shown = run(db, "case", "show", "A1", "--as-of", "2026-03-11", "--format", "json")
    [row] = [d for d in json.loads(shown.stdout)["deadlines"] if d["rule"] == "investigation_start"]
    assert (row["due_on"], row["status"], row["stopped_on"]) == ("2026-03-06", "breached", None)
    assert api.verify()[2] == []


def test_a_deadline_recompute_kept_is_counted_so_only_as_of_a_date_its_period_was_the_same(
        db, calendar_with_2027, monkeypatch):
    """The same, where an event between changed the period: 民发〔2021〕57号 第22条, 受理 Tue
    2026-12-29, total 30 working days, extended on Wed 2027-01-06 (调查难度大) to 45, the
    case withdrawn Fri 01-08 (cancelled), counted into 2027 before its notice (provisional).
    With the notice (1/1–1/4 off) its due date moves: kept as judged. As of 01-07 it ran
    extended, as judged: the 45 days kept. As of 01-05 it ran the 30 days, no extension
    yet: 12/30 12/31 (2), 1/5–1/8 (6), 1/11–15 (11), 1/18–22 (16), 1/25–29 (21), 2/1–5
    (26), 2/8 2/9 2/10 2/11 (30) → 2027-02-11 as the rules now count it (not the 45 days of
    a period it did not have then)."""
    monkeypatch.setattr("engine.clock.china_today", lambda: date(2027, 3, 1))
    api = Engine.open(db)
    api.open_case(province="shanxi", on=date(2026, 12, 28), case_id="A1")
    api.fire("A1", "accept", on=date(2026, 12, 29))
    api.fire("A1", "start_investigation", on=date(2026, 12, 30))
    api.fire("A1", "extend", on=date(2027, 1, 6), reason="调查难度大")
    api.fire("A1", "withdraw", on=date(2027, 1, 8))
    calendar_with_2027()
    Engine.open(db).recompute()
    api = Engine.open(db)
    kept = {rule: values for rule, _, values in api.store.history("A1")[-1].payload["kept"]}
    assert (kept["total"]["duration"], kept["total"]["outcome"], kept["total"]["provisional"]) \
        == ("45wd", "cancelled", True)
    judged = date.fromisoformat(kept["total"]["due_on"])
    for as_of, due, duration, status in (
            (date(2027, 1, 5), date(2027, 2, 11), "30wd", "open"),
            (date(2027, 1, 7), judged, "45wd", "open"),
            (date(2027, 1, 8), judged, "45wd", "cancelled")):
        [view] = [v for v in api.deadlines("A1", as_of) if v.deadline.rule == "total"]
        assert (view.deadline.due_on, view.deadline.duration, view.status) == (
            due, duration, status), as_of
    assert api.verify()[2] == []


def test_a_re_check_a_version_counted_again_is_not_counted_as_kept_before_its_change(db):
    """The same, where only the version that judged it changed the period: 民发〔2021〕57号
    第31条, a stable household opened Tue 2025-04-15, re-check due Wed 2026-04-15 (12
    months); on Mon 2025-12-01 a member's death is recorded with unstable_income=true, and
    it is reviewed Tue 2026-01-20. A version before 406f335 counted it again from its start
    at 6 months (periodic_review_unstable), Wed 2025-10-15, and stored it met late (its row
    as that version wrote it); recompute keeps that. As of Mon 2025-11-03, before the change,
    that version too had it open, due 2026-04-15: not breached since 10-15 by a period it
    had not yet, which a kept deadline's due date taken back to that date would say."""
    api = Engine.open(db)
    api.open_case(province="shanxi", workflow="benefit", on=date(2025, 4, 15), case_id="B1",
                  attributes={"amount": 900, "paid_from": "2025-05"})
    api.fire("B1", "member_died", on=date(2025, 12, 1),
             payload={"died_on": "2025-11-20", "unstable_income": True})
    api.fire("B1", "review", on=date(2026, 1, 20), payload={"outcome": "keep"})
    raw = sqlite3.connect(db)  # (the row as the version before 406f335 wrote it)
    raw.execute("update deadlines set duration = '6m', due_on = '2025-10-15', outcome = "
                "'met_late', param = 'periodic_review_unstable', computation = "
                "replace(computation, '计12个月', '计6个月') where case_id = 'B1' and "
                "rule = 'periodic_review' and instance = 1")
    raw.commit()
    raw.close()
    Engine.open(db).recompute()
    api = Engine.open(db)
    [[rule, _, kept]] = api.store.history("B1")[-1].payload["kept"]
    assert (rule, kept["due_on"], kept["outcome"]) == ("periodic_review", "2025-10-15", "met_late")
    for as_of, due, duration, status in (
            (date(2025, 11, 3), date(2026, 4, 15), "12m", "open"),
            (date(2026, 1, 20), date(2025, 10, 15), "6m", "met_late")):
        [view] = [v for v in api.deadlines("B1", as_of)
                  if (v.deadline.rule, v.deadline.instance) == ("periodic_review", 1)]
        assert (view.deadline.due_on, view.deadline.duration, view.status) == (
            due, duration, status), as_of


def test_recompute_counts_the_stopped_deadlines_it_kept_in_its_summary_and_passes_them_on(db):
    """Found by review: recompute's summary did not count the stopped deadlines it kept as
    judged, though their events list them: after 甲县's 7 working days dated back it said "0
    due dates moved", and an operator did not learn that a due date the new setting would
    move was kept. 民发〔2021〕57号 第15条: 受理 Tue 2026-03-03, investigation within 3
    working days, 3/4 3/5 3/6 → due Fri 03-06; 甲县's 7: … 3/9 3/10 3/11 3/12 → due 03-12.
    A1 started 03-12 and A2 03-11 (both met late by 03-06, kept so); A3 not started, still
    open, moved 03-06 → 03-12 (6 days)."""
    api = _late_investigation(db)
    for case_id, started in (("A2", date(2026, 3, 11)), ("A3", None)):
        api.open_case(province="shanxi", on=date(2026, 3, 2), case_id=case_id,
                      attributes={"county": "甲县"})
        api.fire(case_id, "accept", on=date(2026, 3, 3))
        if started:
            api.fire(case_id, "start_investigation", on=started)
    api.set_parameter("shanxi", "甲县", "investigation_start", "7wd", "甲县民政局 测试 第1条",
                      date(2026, 1, 1))
    result = run(db, "recompute", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"days_moved": 6, "due_dates": 1}]
    assert result.stderr.splitlines()[-1] == (
        "1 due date moved in 1 of 3 cases; 2 stopped deadlines kept their due date and outcome "
        "as judged (their recompute events list them as kept)")
    for case_id in ("A1", "A2"):
        [[rule, _, values]] = Engine.open(db).store.history(case_id)[-1].payload["kept"]
        assert (rule, values["due_on"], values["outcome"]) == (
            "investigation_start", "2026-03-06", "met_late")
    again = run(db, "recompute")
    assert again.stderr.splitlines()[-1] == "0 due dates moved in 0 of 3 cases"


def test_recompute_passes_each_stopped_deadline_it_kept_to_on_kept(db):
    """The API's count of the same: ``on_kept`` gets (case, rule, instance, the due date
    kept, the one the rules now give), 03-06 kept where 甲县's 7 working days give 03-12 (as
    above), and the moved dates' list is as it was; the summary says "1 stopped deadline …
    its …" for one. A case recorded for its kept deadline alone is not counted again among
    the cases "recorded with no due date moved (… what else differed)", as it was."""
    _late_investigation(db)
    Engine.open(db).set_parameter("shanxi", "甲县", "investigation_start", "7wd",
                                  "甲县民政局 测试 第1条", date(2026, 1, 1))
    kept = []
    assert Engine.open(db).recompute(on_kept=kept.append) == []
    assert kept == [("A1", "investigation_start", 1, date(2026, 3, 6), date(2026, 3, 12))]
    with pytest.raises(InvalidInput, match=r"^on_kept must be a function"):
        Engine.open(db).recompute(on_kept="x")
    other = db.replace("cli.db", "other.db")
    _late_investigation(other)
    Engine.open(other).set_parameter("shanxi", "甲县", "investigation_start", "7wd",
                                     "甲县民政局 测试 第1条", date(2026, 1, 1))
    result = run(other, "recompute")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == (
        "0 due dates moved in 0 of 1 case; 1 stopped deadline kept its due date and outcome as "
        "judged (its recompute event lists it as kept)")


@pytest.mark.parametrize("kept", ["x", [["investigation_start"]], [["investigation_start", 1, "x"]]])
def test_a_recompute_events_kept_changed_outside_doudi_is_named_not_a_traceback(db, kept):
    """Found by review: a recompute event whose "kept" was edited outside doudi (its triggers
    dropped and put back) stopped case show --as-of, report breaches --as-of and recompute
    with a ValueError, TypeError or AttributeError traceback. It is named as the damaged
    event of its case, exit 1, as a damaged event's date is; nothing is written."""
    _kept_on_03_20(db)
    conn = sqlite3.connect(db)
    for (name,) in conn.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        conn.execute(f"drop trigger [{name}]")
    seq, payload = conn.execute("select seq, payload from events where event = 'recompute'").fetchone()
    conn.execute("update events set payload = ? where event = 'recompute'",
                 [json.dumps({**json.loads(payload), "kept": kept})])
    put_back_triggers(conn)
    conn.commit()
    conn.close()
    before = dump_file(db)
    for args in (("case", "show", "A1", "--as-of", "2026-03-13"),
                 ("report", "breaches", "--as-of", "2026-03-13"), ("recompute",)):
        result = run(db, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output
        # (recompute says first what it did: nothing)
        line = result.stderr.strip().splitlines()[-1]
        assert f"event {seq} of case 'A1' cannot be read from the database (ValueError: " \
               "kept " in line, line
    assert dump_file(db) == before


def test_recompute_after_a_retitled_deadline_says_no_date_moved_and_records_why(db):
    """After an upgrade that renamed death_review's title (成员死亡后3个月内完成家庭状况核查 →
    成员死亡后完成家庭状况核查), the stored row differs from the history in its title only:
    民发〔2022〕83号, died Mon 2026-08-31 + 3 months → Mon 2026-11-30 either way. recompute
    rewrites the row and records why (its event named no difference: "moved": []), and
    says so apart from the moved dates (it said nothing of the case it wrote)."""
    import sqlite3

    engine = Engine.open(db)
    died = engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5),
                            attributes={"amount": 900, "paid_from": "2026-01"}).id
    engine.fire(died, "member_died", on=date(2026, 9, 2), payload={"died_on": "2026-08-31"})
    engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5),
                     attributes={"amount": 900, "paid_from": "2026-01"})
    raw = sqlite3.connect(db)  # (the row as the version before wrote it)
    raw.execute("update deadlines set title = '成员死亡后3个月内完成家庭状况核查' "
                "where rule = 'death_review'")
    raw.commit()
    raw.close()
    result = run(db, "recompute", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    assert result.stderr.splitlines()[-1] == (
        "0 due dates moved in 0 of 2 cases; 1 case recorded with no due date moved (its "
        "recompute event lists what else differed)")
    last = Engine.open(db).store.history(died)[-1]
    assert (last.event, last.payload) == (
        "recompute", {"moved": [], "changed": [["death_review", 1, ["title"]]]})
    [death] = [d for d in Engine.open(db).store.deadlines(died) if d.rule == "death_review"]
    assert (death.title, death.due_on) == ("成员死亡后完成家庭状况核查", date(2026, 11, 30))
    again = run(db, "recompute")
    assert again.stderr.splitlines()[-1] == "0 due dates moved in 0 of 2 cases"


def _two_deaths_retitled(db) -> None:
    """Two 山西 benefit cases with a death re-check running (died 2026-08-31), whose deadline
    rows were retitled behind doudi's back: a recompute records an event on each, no date
    moved."""
    import sqlite3

    engine = Engine.open(db)
    for _ in range(2):
        died = engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5),
                                attributes={"amount": 900, "paid_from": "2026-01"}).id
        engine.fire(died, "member_died", on=date(2026, 9, 2), payload={"died_on": "2026-08-31"})
    raw = sqlite3.connect(db)
    raw.execute("update deadlines set title = '成员死亡后3个月内完成家庭状况核查' "
                "where rule = 'death_review'")
    raw.commit()
    raw.close()


def test_recompute_interrupted_counts_the_cases_written_with_no_date_moved(db, monkeypatch):
    # Two cases whose death re-check was stored under its former title, one a batch; Ctrl-C
    # as the second is written. It said "0 cases whose due dates moved are written", though
    # the first case's recompute event was.
    from engine import maintenance
    from engine.core import Engine as EngineClass

    _two_deaths_retitled(db)
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 1)
    monkeypatch.setattr(EngineClass, "_commit",
                        failing_on_call(2, EngineClass._commit, KeyboardInterrupt))
    result = run(db, "recompute")
    assert result.exit_code == 1
    assert error_line(result) == ("Error: interrupted: the recompute events of 1 case are "
                                  "written, in whole batches; run recompute again to finish")
    assert [h[-1].event for h in map(Engine.open(db).store.history, [
        "shanxi-2026-000001", "shanxi-2026-000002"])] == ["recompute", "member_died"]


def test_recompute_says_their_events_of_cases_recorded_with_no_date_moved(db):
    """Found by review: two cases recorded for a retitled deadline alone read "2 cases recorded
    with no due date moved (its recompute event lists what else differed)". 民发〔2022〕83号:
    died Mon 2026-08-31 + 3 months → Mon 2026-11-30, under either title."""
    _two_deaths_retitled(db)
    result = run(db, "recompute")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == (
        "0 due dates moved in 0 of 2 cases; 2 cases recorded with no due date moved (their "
        "recompute events list what else differed)")
    assert [(d.title, d.due_on) for case in ("shanxi-2026-000001", "shanxi-2026-000002")
            for d in Engine.open(db).store.deadlines(case) if d.rule == "death_review"] == [
        ("成员死亡后完成家庭状况核查", date(2026, 11, 30))] * 2


def _three_county_cases(db):
    """Three 甲县 cases, 受理 Mon 2026-03-02: investigation within 3 working days (民发〔2021〕
    57号 第15条) → Thu 03-05; the county's 2 (recorded after them) → Wed 03-04."""
    engine = Engine.open(db)
    for case_id in ("A1", "B1", "C1"):
        engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=case_id,
                         attributes={"county": "甲县"})
        engine.fire(case_id, "accept", on=date(2026, 3, 2))
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", "甲县民政局 测试 第1条",
                         date(2026, 1, 5))
    engine.close()


def test_recompute_failing_after_a_batch_says_the_batches_before_it_are_written(
        db, monkeypatch):
    """Found by review: a disk failing after a batch was committed was the error line alone,
    "Error: database error: disk I/O error", which reads as nothing recorded, though A1's
    recompute event was (Ctrl-C and import say so). One case a batch; the cases as in
    _three_county_cases."""
    import sqlite3

    from engine import maintenance
    from engine.core import Engine as EngineClass

    _three_county_cases(db)
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 1)
    monkeypatch.setattr(EngineClass, "_commit", failing_on_call(
        2, EngineClass._commit, sqlite3.OperationalError("disk I/O error")))
    result = run(db, "recompute")
    assert result.exit_code == 1
    assert error_line(result) == ("Error: database error: disk I/O error (recompute stopped: "
                                  "the recompute events of 1 case before it are written, in "
                                  "whole batches)")
    engine = Engine.open(db)
    assert [engine.store.history(c)[-1].event for c in ("A1", "C1")] == ["recompute", "accept"]


def test_recompute_stopped_by_another_writer_after_a_batch_says_once_what_is_written(
        db, monkeypatch):
    """Found by review: another writer holding the database past the wait after A1's batch
    was committed said "…: nothing written; try again (recompute stopped: the recompute
    events of 1 case before it are written …)", the single call's words contradicting what
    follows them (an import stopped so said the same). One case a batch; the cases as in
    _three_county_cases."""
    from engine import maintenance

    _three_county_cases(db)
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 1)
    holders = held_once_after(monkeypatch, "select count(*) from events where event = 'recompute'")
    try:
        result = run(db, "recompute")
    finally:
        for holder in holders:
            holder.close()
    assert result.exit_code == 1
    assert error_line(result) == (
        "Error: another writer held the database past the wait (database is locked); "
        "recompute stopped: the recompute events of 1 case before it are written, in whole "
        "batches; run recompute again to finish")
    engine = Engine.open(db)
    assert [engine.store.history(c)[-1].event for c in ("A1", "C1")] == ["recompute", "accept"]


def test_recompute_that_fills_the_disk_after_a_batch_says_what_is_written_and_to_run_it_again(
        db, monkeypatch):
    """A full disk at the second batch's COMMIT was "database error: database or disk is full
    (recompute stopped: …)", nothing on what to do; and the COMMIT left open kept the next
    BEGIN from starting. One case a batch; the cases as in _three_county_cases."""
    from engine import maintenance

    _three_county_cases(db)
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 1)
    full_at_commit(monkeypatch, 2)
    result = run(db, "recompute")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {db}: the disk is full (SQLite: database or disk is full); recompute stopped: "
        "the recompute events of 1 case before it are written, in whole batches; free space "
        "on that disk (or move the database) and run recompute again to finish")
    monkeypatch.undo()
    engine = Engine.open(db)
    assert [engine.store.history(c)[-1].event for c in ("A1", "B1", "C1")] == [
        "recompute", "accept", "accept"]
    again = run(db, "recompute")
    assert again.exit_code == 0, again.output
    assert [engine.store.history(c)[-1].event for c in ("A1", "B1", "C1")] == ["recompute"] * 3


@pytest.mark.parametrize("skip", [[], ["--skip-invalid"]])
def test_an_import_that_fills_the_disk_names_the_line_and_what_is_kept(tmp_path, db,
                                                                        monkeypatch, skip):
    """A full disk at the second batch's COMMIT was "database error: database or disk is full
    (import stopped: lines 1–2 are imported …)": no line, nothing on the disk. Said as an
    import stopped by another writer is (ImportStopped): batches of 2, line 3's fails."""
    path = write(tmp_path, LINES)
    full_at_commit(monkeypatch, 2)
    result = run(db, "import", path, "--batch", "2", *skip)
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: line 3: {db}: the disk is full (SQLite: database or disk is full); import "
        "stopped: nothing from this line's batch written, 2 lines from earlier batches kept; "
        "free space on that disk (or move the database) and run the import again: the lines "
        "already in are not added twice")
    assert events(db) == 2
    monkeypatch.undo()
    again = run(db, "import", path, "--batch", "2", *skip)
    assert "5 lines: 3 written, 2 already imported, 0 skipped" in again.stderr


def test_an_import_that_fills_the_disk_at_its_first_batch_says_nothing_is_imported(
        tmp_path, db, monkeypatch):
    """Found by review: stopped in its first batch, an import said "0 lines from earlier
    batches kept" (of batches there were none of) and "the lines already in are not added
    twice" (there are none)."""
    full_at_commit(monkeypatch, 1)
    result = run(db, "import", write(tmp_path, LINES), "--batch", "2")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: line 1: {db}: the disk is full (SQLite: database or disk is full); import "
        "stopped: nothing is imported; free space on that disk (or move the database) and run "
        "the import again")
    assert not os.path.exists(db)


def test_an_import_that_finds_a_damaged_page_says_the_file_is_damaged_and_what_is_in(
        tmp_path, db, monkeypatch):
    """Found by review: a damaged page met by an import said "database error: database disk
    image is malformed (import stopped: nothing is imported yet; run the same import again
    to finish …)", where every other command says the file is damaged and to restore it
    (76f4427): said alike, with what is in, and not to run it again on that file; exit 1,
    nothing written."""
    import pathlib
    import sqlite3

    from engine.store import Store

    copy = damage_events_page(db)
    before = pathlib.Path(db).read_bytes()
    path = write(tmp_path, LINES)
    result = run(db, "import", path, "--batch", "2")
    assert result.exit_code == 1
    assert error_line(result) == (f"Error: {db} is damaged (database disk image is malformed): "
                                  "restore it from a backup (import stopped: nothing is imported)")
    assert pathlib.Path(db).read_bytes() == before
    # Found at the second batch (its read of the keys): the first batch's lines are in.
    pathlib.Path(db).write_bytes(copy)
    damaged = sqlite3.DatabaseError("database disk image is malformed")
    damaged.sqlite_errorcode = 11  # (SQLITE_CORRUPT)
    monkeypatch.setattr(Store, "recorded_events",
                        failing_on_call(2, Store.recorded_events, damaged))
    result = run(db, "import", path, "--batch", "2")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {db} is damaged (database disk image is malformed): restore it from a backup "
        "(import stopped: lines 1–2 are imported, in whole batches)")
    assert events(db) == 1 + 2


DAMAGES = {  # (the SQL changing B1 outside doudi, and what its error line says of it)
    "event date": (
        "update events set [on] = '2026-13-01' where case_id = 'B1' and seq = 1",
        "event 1 of case 'B1' cannot be read from the database (ValueError: \"2026-13-01\" is "
        "not a date: there is no month 13): it was changed outside doudi (doudi audit verify "
        "lists what was)"),
    "attributes": (
        "update cases set attributes = 'not json' where id = 'B1'",
        "case 'B1' cannot be read from the database (JSONDecodeError: Expecting value: line 1 "
        "column 1 (char 0)): it was changed outside doudi (doudi audit verify lists what was)"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_recompute_goes_on_past_a_damaged_case_and_names_it_at_the_end(db, damage):
    """Found by review: recompute stopped at a case it could not read back, B1 (its 受理
    dated 2026-13-01 by hand, or its attributes no JSON), and "run it again to finish" never
    got past it: events are append-only and doudi cannot repair it, so C1's deadline and
    every case's after it were never re-derived again. As a damaged county setting stops
    only its own place, B1 is left as it is and named at the end, after the summary (exit 1).
    民发〔2021〕57号 第15条 "3个工作日内" from 受理 Mon 2026-03-02 → Thu 03-05; 甲县's own 2
    working days → Wed 03-04: one day earlier, for A1 and C1."""
    import sqlite3

    _three_county_cases(db)
    sql, problem = DAMAGES[damage]
    raw = sqlite3.connect(db)
    raw.execute("drop trigger events_append_only_update")
    raw.execute(sql)
    put_back_triggers(raw)
    raw.commit()
    raw.close()
    line = (f"Error: recompute could not read or re-derive 1 case and left it as it was (B1: "
            f"{problem}); it went on with the others; doudi audit verify lists every case "
            "changed outside doudi")
    result = run(db, "recompute", "--format", "json")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout) == [{"days_moved": -1, "due_dates": 2}]
    assert result.stderr.splitlines() == ["2 due dates moved in 2 of 3 cases", line]
    engine = Engine.open(db)
    for case_id in ("A1", "C1"):
        last = engine.store.history(case_id)[-1]
        assert (last.event, last.payload["moved"]) == (
            "recompute", [["investigation_start", 1, "2026-03-05", "2026-03-04"]])
        [due] = [d for d in engine.store.deadlines(case_id) if d.rule == "investigation_start"]
        assert (due.due_on, due.citation) == (date(2026, 3, 4), "甲县民政局 测试 第1条")
    stored = events(db)
    assert stored == 3 * 2 + 2  # (B1's open and accept, no recompute)
    # B1 is among what audit verify lists.
    audit = run(db, "audit", "verify")
    assert audit.exit_code == 1
    assert [x.split(":")[0] for x in audit.stdout.splitlines()] == ["case B1"]
    # A second run records nothing new, and still names B1.
    again = run(db, "recompute", "--format", "json")
    assert again.exit_code == 1
    assert json.loads(again.stdout) == []
    assert again.stderr.splitlines() == ["0 due dates moved in 0 of 3 cases", line]
    assert events(db) == stored


def test_the_api_s_recompute_passes_each_case_it_left_or_raises_once_the_others_are_written(
        db):
    """recompute(on_skipped=f) passes B1 (its 受理 dated 2026-13-01 by hand) and its error to
    f and writes A1 and C1 (Thu 03-05 → Wed 03-04, as above); without on_skipped, one error of
    B1's kind, DamagedRecord, once every other case is written. progress counts B1 too."""
    import sqlite3

    from engine import DamagedRecord

    _three_county_cases(db)
    raw = sqlite3.connect(db)
    raw.execute("drop trigger events_append_only_update")
    raw.execute(DAMAGES["event date"][0])
    put_back_triggers(raw)
    raw.commit()
    raw.close()
    engine, left, counted = Engine.open(db), [], []
    moved = engine.recompute(progress=counted.append,
                             on_skipped=lambda case_id, error: left.append((case_id, error)))
    assert moved == [(c, "investigation_start", 1, date(2026, 3, 5), date(2026, 3, 4))
                     for c in ("A1", "C1")]
    assert [(case_id, type(error), str(error)) for case_id, error in left] == [
        ("B1", DamagedRecord, "event 1 of case 'B1' cannot be read from the database "
         "(ValueError: \"2026-13-01\" is not a date: there is no month 13): it was changed "
         "outside doudi (doudi audit verify lists what was)")]
    assert sum(counted) == 3
    with pytest.raises(DamagedRecord) as raised:
        engine.recompute()
    assert str(raised.value) == (
        f"recompute could not read or re-derive 1 case and left it as it was (B1: {left[0][1]}); "
        "it went on with the others")
    assert raised.value.problem == left[0][1].problem


def test_recompute_pairs_a_case_s_deadlines_by_rule_not_by_place(engine):
    """A stored deadline missing (a rule a new version adds, here the periodic re-check's
    row deleted): the rows after it were paired with the wrong ones, a death re-check's
    due date "moved" to the periodic re-check's. 民发〔2022〕83号: died Mon 2026-08-31 + 3
    months → Mon 2026-11-30, not moved; the periodic re-check is added back."""
    died = engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5),
                            attributes={"amount": 900, "paid_from": "2026-01"}).id
    engine.fire(died, "member_died", on=date(2026, 9, 2), payload={"died_on": "2026-08-31"})
    assert [d.rule for d in engine.store.deadlines(died)] == ["periodic_review", "death_review"]
    engine.store.db.execute("delete from deadlines where rule = 'periodic_review'")
    assert engine.recompute() == []
    assert engine.store.history(died)[-1].payload == {
        "moved": [], "changed": [["periodic_review", 1, ["added"]]]}
    assert engine.store.deadlines(died) == engine.replay(died)[1]


def test_recompute_writes_batch_by_batch_and_a_failed_batch_writes_nothing(
        db, calendar_with_2027, monkeypatch):
    """民发〔2021〕57号 第22条, as above: 受理 on 2026-12-01, due 2027-01-13 (provisional)
    before the 2027 notice, 2027-01-14 after it. Five such cases, written two at a time;
    the second batch fails: the first stays written, the second and third are not."""
    import sqlite3

    from engine import maintenance

    engine = Engine.open(db)
    for i in range(5):
        engine.open_case(province="shanxi", on=date(2026, 11, 30), case_id=f"R{i}")
        engine.fire(f"R{i}", "accept", on=date(2026, 12, 1))
    calendar_with_2027()
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 2)
    engine = Engine.open(db)
    real, calls = engine.store._write, []

    def failing_second(changes):
        calls.append([c.case.id for c in changes])
        real(changes)  # everything written, then the disk fails before the commit
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(engine.store, "_write", failing_second)
    moved = []
    with pytest.raises(sqlite3.OperationalError):
        engine.recompute(on_moved=moved.append)
    assert calls == [["R0", "R1"], ["R2", "R3"]]
    # Only the committed batch's dates were passed on.
    assert moved == [(f"R{i}", "total", 1, date(2027, 1, 13), date(2027, 1, 14))
                     for i in range(2)]

    def total(case_id):
        found = next(d for d in engine.store.deadlines(case_id) if d.rule == "total")
        return found.due_on, found.provisional

    for i in range(5):
        moved = i < 2
        assert total(f"R{i}") == ((date(2027, 1, 14), False) if moved else
                                  (date(2027, 1, 13), True))
        assert engine.store.history(f"R{i}")[-1].event == ("recompute" if moved else "accept")
    assert [m[0] for m in Engine.open(db).recompute()] == ["R2", "R3", "R4"]
    assert Engine.open(db).verify() == (5, 15, [])  # open, accept, recompute: chains intact


# The 山西 path of test_crash_safety.py, every guard satisfied: opened 1/26, 公示 2/12 to
# 2/24, county review from 2/25, approved 3/17 (which opens a benefit case paid from April).
PATH = [("accept", "2026-01-28"), ("start_investigation", "2026-02-02"),
        ("request_verification", "2026-02-04"), ("start_verification", "2026-02-10"),
        ("post_publicity", "2026-02-12"), ("submit_to_county", "2026-02-25"),
        ("approve", "2026-03-17"), ("publish", "2026-03-18")]


def interleaved(cases=3):
    """Open ``cases`` 山西 cases, then take each event along PATH for all of them in turn."""
    lines = [{"op": "open", "province": "shanxi", "on": "2026-01-26", "id": f"P{i}",
              "attributes": {"county": "太原市小店区", "household_size": 1 + i}}
             for i in range(cases)]
    for event, on in PATH:
        for i in range(cases):
            line = {"op": "fire", "case_id": f"P{i}", "event": event, "on": on}
            if event == "approve":
                line["payload"] = {"amount": 500 + i}
            lines.append(line)
    return lines


def content(engine):
    """What an import must leave exactly as the API does: everything but write bookkeeping
    (versions, times, hashes, keys and row ids, which differ by batch or by clock)."""
    db = engine.store.db
    return (
        db.execute("select id, province, workflow, county, state, attributes, opened_on, "
                   "last_event_on from cases order by id").fetchall(),
        db.execute("select case_id, seq, event, [on], payload, reason, from_state, to_state, "
                   "derived from events order by case_id, seq").fetchall(),
        db.execute("select case_id, rule, instance, starts_on, due_on, stopped_on, outcome, "
                   "citation, computation from deadlines order by case_id, id").fetchall(),
        db.execute("select case_id, other_id, relation, [on], seq from links "
                   "order by case_id, other_id").fetchall(),
    )


@pytest.mark.parametrize("batch", [1, 2, 7, 500])
def test_an_import_leaves_exactly_what_the_same_calls_through_the_api_leave(tmp_path, batch):
    lines = interleaved()
    api = Engine.open(str(tmp_path / "api.db"))
    for line in lines:
        if line["op"] == "open":
            api.open_case(province=line["province"], on=date.fromisoformat(line["on"]),
                          case_id=line["id"], attributes=line["attributes"])
        else:
            api.fire(line["case_id"], line["event"], on=date.fromisoformat(line["on"]),
                     payload=line.get("payload"))
    imported = Engine.open(str(tmp_path / "import.db"))
    result = imported.import_file(write(tmp_path, lines), batch=batch)
    assert (result.lines, result.events, result.already) == (27, 27, 0)
    assert content(imported) == content(api)
    # Each approve opened a benefit case numbered in turn, also across batches.
    assert [r[0] for r in content(imported)[0] if r[2] == "benefit"] == [
        "shanxi-2026-000001", "shanxi-2026-000002", "shanxi-2026-000003"]
    assert imported.verify()[2] == []  # hash chains intact across batches
    # What the import keeps in memory for the next event is what the database holds.
    fresh = Engine.open(str(tmp_path / "import.db"))
    for case_id in [r[0] for r in content(imported)[0]]:
        kept, from_memory = imported._known(case_id)
        assert from_memory
        assert kept == fresh._known(case_id)[0], case_id


@pytest.mark.parametrize("batch", [1, 2, 500])
def test_a_case_numbered_after_an_id_given_by_hand_follows_it_whatever_the_batch(
        tmp_path, batch):
    """An id given by hand counts in the numbering (the API's open: one more than the
    highest used), also when the case numbered after it is in the same batch."""
    given = [{"op": "open", "province": "shanxi", "on": "2026-03-02",
              "id": "shanxi-2026-000005"},
             {"op": "open", "province": "shanxi", "on": "2026-03-02", "actor": "甲"},
             {"op": "open", "province": "shanxi", "on": "2026-03-02",
              "id": "shanxi-2026-000009"},
             {"op": "open", "province": "shanxi", "on": "2026-03-02", "actor": "乙"}]
    api, imported = (Engine.open(str(tmp_path / name)) for name in ("api.db", "import.db"))
    for line in given:
        api.open_case(province="shanxi", on=date(2026, 3, 2), case_id=line.get("id"),
                      actor=line.get("actor"))
    assert imported.import_file(write(tmp_path, given), batch=batch).events == 4
    assert content(imported) == content(api)
    assert [r[0] for r in content(imported)[0]] == [
        "shanxi-2026-000005", "shanxi-2026-000006", "shanxi-2026-000009", "shanxi-2026-000010"]
    assert imported.verify()[2] == []


@pytest.mark.parametrize("batch", [1, 500])
def test_an_import_that_moves_a_case_to_another_county_leaves_what_the_api_leaves(
        tmp_path, batch):
    """A line that moves a case to another county (whose own parameters may differ) is
    followed by lines checked under that county's: the import leaves what fire leaves.

    山西 case of 甲县 opened Mon 2026-03-02, 受理 Tue 03-03 with the case moved to 乙县, whose
    own parameter gives 5 working days to start the investigation. The duty 受理 starts is
    counted where the case was when it was received: 3 working days (民发〔2021〕57号 第15条)
    3/4 3/5 3/6 → due Fri 03-06; started Tue 03-10 in 乙县: met late."""
    lines = [{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "M1",
              "attributes": {"county": "甲县"}},
             {"op": "fire", "case_id": "M1", "event": "accept", "on": "2026-03-03",
              "payload": {"county": "乙县"}},
             {"op": "fire", "case_id": "M1", "event": "start_investigation", "on": "2026-03-10"}]
    api, imported = (Engine.open(str(tmp_path / name)) for name in ("api.db", "import.db"))
    for engine in (api, imported):
        engine.set_parameter("shanxi", "乙县", "investigation_start", "5wd",
                             "乙县民政局 测试 第1条", date(2026, 1, 1))
    api.open_case(province="shanxi", on=date(2026, 3, 2), case_id="M1",
                  attributes={"county": "甲县"})
    api.fire("M1", "accept", on=date(2026, 3, 3), payload={"county": "乙县"})
    api.fire("M1", "start_investigation", on=date(2026, 3, 10))
    assert imported.import_file(write(tmp_path, lines), batch=batch).events == 3
    assert content(imported) == content(api)
    [duty] = [d for d in imported.store.deadlines("M1") if d.rule == "investigation_start"]
    assert (duty.due_on, duty.stopped_on, duty.outcome) == (
        date(2026, 3, 6), date(2026, 3, 10), "met_late")
    assert imported.store.case("M1").county == "乙县"


def test_a_stopped_batch_leaves_the_engine_s_copy_of_its_cases_as_it_was(tmp_path, db):
    """A batch extends its own copy of each case line by line: a case the engine keeps in
    memory (fired through the API just before) is not changed by a batch that then stops,
    and its next event is numbered and chained from what is stored."""
    from engine.importer import ImportStopped

    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="K1",
                     attributes={"county": "甲县"})
    engine.fire("K1", "accept", on=date(2026, 3, 3))
    kept = engine._known_cases["K1"]
    lines = [json.dumps({"op": "fire", "case_id": "K1", "event": "start_investigation",
                         "on": "2026-03-05"}),
             json.dumps({"op": "fire", "case_id": "K1", "event": "request_verification",
                         "on": "2026-03-10"}),
             "{"]
    with pytest.raises(ImportStopped, match=r"^line 3: "):
        engine.import_lines(lines)
    assert [e.event for e in kept.history] == ["open", "accept"]
    assert [e.event for e in engine._known("K1")[0].history] == ["open", "accept"]
    view = engine.fire("K1", "start_investigation", on=date(2026, 3, 5))
    assert [e["seq"] for e in view.history] == [0, 1, 2]
    assert engine.verify() == (1, 3, [])


def test_progress_counts_every_line_read_and_stdin_works(tmp_path, db):
    lines = [*LINES[:2], "", *LINES[2:]]
    counted = []
    Engine.open(db).import_file(write(tmp_path, lines), batch=2, progress=counted.append)
    assert counted == [2, 3, 1]  # batches end at lines 2 and 5 (blank line 3 not in one); 6
    other = str(tmp_path / "stdin.db")
    text = "\n".join(json.dumps(x) for x in LINES) + "\n"
    result = run(other, "import", "-", input=text)
    assert result.exit_code == 0, result.output
    assert "5 lines: 5 written, 0 already imported, 0 skipped" in result.stderr


def test_a_byte_order_mark_before_a_blank_first_line_or_nothing_is_no_bad_line(tmp_path, db):
    """Notepad's UTF-8 file: a byte order mark, Windows line ends (the last line without
    one). Its first line blank, or the file otherwise empty, was "line 1: not valid JSON"
    (exit 2): the mark kept the line from being blank."""
    text = "\r\n".join(["", json.dumps(LINES[0]), "  ", json.dumps(LINES[1])]).encode()
    path = tmp_path / "notepad.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + text)
    first = run(db, "import", str(path))
    assert first.exit_code == 0, first.output
    assert "2 lines: 2 written, 0 already imported, 0 skipped" in first.stderr
    again = run(db, "import", str(path))
    assert "2 lines: 0 written, 2 already imported, 0 skipped" in again.stderr
    assert "1 case, 2 events: every history chain is intact" in run(db, "audit", "verify").output
    path.write_bytes(b"\xef\xbb\xbf")
    empty = run(str(tmp_path / "other.db"), "import", str(path))
    assert empty.exit_code == 0, empty.output
    assert "0 lines: 0 written, 0 already imported, 0 skipped" in empty.stderr
    assert not (tmp_path / "other.db").exists()
    # Lines given as str (a file opened as UTF-8 text keeps the mark as a character).
    result = Engine.open(db).import_lines(["\ufeff" + json.dumps(LINES[0]), json.dumps(LINES[1])])
    assert (result.events, result.already) == (0, 2)


def test_a_byte_order_mark_on_a_line_of_its_own_further_on_is_a_blank_line(tmp_path, db):
    """Notepad's files joined (`type a.jsonl b.jsonl > all.jsonl`), one of them empty: its
    byte order mark alone on a later line was "line 3: not valid JSON (Expecting value: line
    2 column 1 (char 1))", where on line 1 it is a blank line. One before a line's object is
    stripped as on line 1; one elsewhere in a line is named."""
    mark = b"\xef\xbb\xbf"
    path = tmp_path / "joined.jsonl"
    path.write_bytes(mark + json.dumps(LINES[0]).encode() + b"\r\n" + mark + b"\r\n"
                     + mark + json.dumps(LINES[1]).encode() + b"\r\n" + mark)
    result = run(db, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "2 lines: 2 written, 0 already imported, 0 skipped" in result.stderr
    path.write_bytes(mark + b"\n" + mark + b"\n")
    empty = run(str(tmp_path / "other.db"), "import", str(path))
    assert empty.exit_code == 0, empty.output
    assert "0 lines: 0 written, 0 already imported, 0 skipped" in empty.stderr
    assert not (tmp_path / "other.db").exists()
    path.write_bytes(b'{"op": ' + mark + b'"open"}\n')
    inside = run(db, "import", str(path))
    assert inside.exit_code == 2
    assert error_line(inside) == ("Error: line 1: not valid JSON: a byte order mark (U+FEFF) at "
                                  "column 8, where only the start of a line may have one: "
                                  "remove it (import stopped: nothing is imported)")
    assert events(db) == 2


def test_a_byte_order_mark_at_a_later_line_s_start_is_stripped_from_str_lines_too(db):
    """Found by review: lines given to import_lines as str (a file opened as UTF-8 text keeps
    each mark as a character) refused a mark at the start of line 2, "not valid JSON: a byte
    order mark (U+FEFF) at column 1, where only the start of a file may have one", where the
    same line as bytes is read (docs/cli.md: a mark "at the start of any line: files
    joined"). A mark inside a JSON string is the string's own (legal JSON), not refused as
    a mark: a bad value there is the field's to say."""
    from engine.importer import parse_line

    first, second = json.dumps(LINES[0]), json.dumps(LINES[1])
    result = Engine.open(db).import_lines([first, "\ufeff" + second])
    assert (result.lines, result.events, result.skipped) == (2, 2, [])
    again = Engine.open(db).import_lines([first.encode(), b"\xef\xbb\xbf" + second.encode()])
    assert (again.events, again.already) == (0, 2)
    inside = {"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9",
              "attributes": {"note": "\ufeff甲\ufeff"}}
    for text in (json.dumps(inside), json.dumps(inside, ensure_ascii=False)):
        assert parse_line(text + "\n")[0] == inside
        assert parse_line((text + "\n").encode())[0] == inside


def test_a_utf32_file_is_said_to_be_utf32(tmp_path, db):
    """Found by review: a UTF-32 file (its mark FF FE 00 00 begins as UTF-16's does) was said
    to look like UTF-16."""
    path = tmp_path / "utf32.jsonl"
    path.write_text(json.dumps(LINES[0]) + "\n", encoding="utf-32")
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    assert error_line(result) == ("Error: line 1: not UTF-8 (save the file as UTF-8): it looks "
                                  "like UTF-32 (import stopped: nothing is imported)")
    assert not os.path.exists(db)


def test_a_file_whose_lines_end_in_cr_alone_says_so(tmp_path, db):
    """An old Mac export, its lines ending in CR alone, is one line: it was "line 1: not
    valid JSON (Extra data: line 1 column 70 (char 69))"."""
    path = tmp_path / "mac.jsonl"
    path.write_bytes(b"\r".join(json.dumps(x).encode() for x in LINES) + b"\r")
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    assert error_line(result) == (
        "Error: line 1: not valid JSON: more after its object, past a carriage return: the "
        "file's lines end in CR alone (save it with LF or CRLF line ends) (import stopped: "
        "nothing is imported)")
    assert not os.path.exists(db)


def test_a_line_that_is_not_utf8_is_a_bad_line(tmp_path, db):
    path = tmp_path / "latin1.jsonl"
    good = json.dumps(LINES[0]).encode()
    bad = '{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "Ç"}'.encode("latin-1")
    path.write_bytes(good + b"\n" + bad + b"\n")
    result = run(db, "import", str(path), "--batch", "1")
    assert result.exit_code == 2  # bad input, like any line that is not valid JSON
    assert error_line(result).startswith("Error: line 2: not UTF-8 (save the file as UTF-8): "
                                         "byte 0xc7 at position 64")
    assert events(db) == 1


def test_a_line_in_gbk_is_said_to_look_like_gbk(tmp_path, db):
    """A file saved on a Chinese Windows machine (Excel's text, an older Notepad) is in GBK:
    "not UTF-8 … byte 0xbc at position 95" named no encoding, where UTF-16's is named. A
    Latin-1 line (test above), no GBK, is not said to be."""
    path = tmp_path / "gbk.jsonl"
    line = {"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9",
            "attributes": {"county": "甲县"}}
    path.write_bytes(json.dumps(line, ensure_ascii=False).encode("gbk") + b"\n")
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    assert error_line(result) == (
        "Error: line 1: not UTF-8 (save the file as UTF-8): byte 0xbc at position 95; it looks "
        "like GBK (GB 18030), as Chinese Windows programs save text (import stopped: nothing "
        "is imported)")
    assert not os.path.exists(db)

# A file cut short (a copy or an export stopped part way, a disk that filled as it was
# written) ends in a line with no line end, its JSON unfinished or its last character cut in
# two. "not UTF-8 (save the file as UTF-8)" sent the operator to re-save a file that was
# UTF-8 all along: the line says it is the file's last, unended, and may be cut short.
@pytest.mark.parametrize("cut, why", [
    (b'{"op": "fire", "case_id": "C1", "event": "acc',
     "not valid JSON (Unterminated string starting at: line 1 column 42 (char 41))"),
    ('{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "甲'.encode()[:-1],
     "not UTF-8 (save the file as UTF-8): byte 0xe7 at position 64"),
])
def test_a_last_line_cut_short_says_the_file_may_be_cut_short(tmp_path, db, cut, why):
    path = tmp_path / "cut.jsonl"
    path.write_bytes(json.dumps(LINES[0]).encode() + b"\n" + cut)
    result = run(db, "import", str(path), "--batch", "1")
    assert result.exit_code == 2
    assert error_line(result) == (
        f"Error: line 2: {why}; it is the file's last line and has no line end: the file may "
        "be cut short (still being written, or copied in part) (import stopped: nothing from "
        "this line's batch written; 1 line from earlier batches kept)")
    assert events(db) == 1
    # Ended, the same line is said as any bad line is, with nothing of a cut.
    path.write_bytes(json.dumps(LINES[0]).encode() + b"\n" + cut + b"\n")
    ended = error_line(run(db, "import", str(path)))
    assert ended.startswith(f"Error: line 2: {why[:14]}") and "line end" not in ended
    # With --skip-invalid, listed so too; a bad last line that is whole says nothing of it.
    path.write_bytes(json.dumps(LINES[0]).encode() + b"\n" + cut)
    skipped = run(db, "import", str(path), "--skip-invalid")
    assert skipped.stdout == (f"skipped line 2: {why}; it is the file's last line and has "
                              "no line end: the file may be cut short (still being written, "
                              "or copied in part)\n")
    path.write_bytes(json.dumps(LINES[0]).encode() + b"\n" + json.dumps(BAD).encode())
    assert run(db, "import", str(path), "--skip-invalid").stdout == (
        "skipped line 2: approve is not allowed in state applied (已申请); allowed: "
        "request_materials, accept, withdraw\n")


# The same lines piped in (`doudi import -`): the cut was said only of a file named, stdin's
# last line ending "(… char 41)) (import stopped: …)" as if it were whole.
@pytest.mark.parametrize("cut, why", [
    (b'{"op": "fire", "case_id": "C1", "event": "acc',
     "not valid JSON (Unterminated string starting at: line 1 column 42 (char 41))"),
    ('{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "甲'.encode()[:-1],
     "not UTF-8 (save the file as UTF-8): byte 0xe7 at position 64"),
])
def test_a_last_line_cut_short_on_stdin_says_it_may_be_cut_short(db, cut, why):
    result = run(db, "import", "-", "--batch", "1", input=json.dumps(LINES[0]).encode() + b"\n" + cut)
    assert result.exit_code == 2
    assert error_line(result) == (
        f"Error: line 2: {why}; it is the file's last line and has no line end: the file may "
        "be cut short (still being written, or copied in part) (import stopped: nothing from "
        "this line's batch written; 1 line from earlier batches kept)")
    assert events(db) == 1
    ended = error_line(run(db, "import", "-", input=json.dumps(LINES[0]).encode() + b"\n" + cut + b"\n"))
    assert ended.startswith(f"Error: line 2: {why[:14]}") and "line end" not in ended


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_said_to_be_utf16_not_a_byte_at_a_position(tmp_path, db, encoding):
    """Windows' "Unicode" (UTF-16, with its byte order mark or without) said "not UTF-8 (save
    the file as UTF-8): byte 0xff at position 0", or without the mark the first byte UTF-8
    could not read, far into the line (0xbf at position 192), or for an ASCII line "not
    valid JSON (Expecting property name …)": its NUL bytes are UTF-8."""
    path = tmp_path / "unicode.jsonl"
    for lines in ([LINES[0] | {"attributes": {"county": "甲县"}}], LINES[:1]):
        path.write_text(json.dumps(lines[0], ensure_ascii=False) + "\n", encoding=encoding)
        result = run(db, "import", str(path))
        assert result.exit_code == 2
        assert error_line(result).startswith("Error: line 1: not UTF-8 (save the file as UTF-8): "
                                             "it looks like UTF-16 (import stopped: ")
        assert not os.path.exists(db)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("line", [
    {"id": "一", "op": "open", "province": "shanxi", "on": "2026-03-02"},
    {"id": "一二三", "op": "open", "province": "shanxi", "on": "2026-03-02"},
    LINES[0] | {"attributes": {"county": "一", "note": "\u3000甲"}},
])
def test_a_utf16_file_without_its_mark_is_said_to_be_utf16_with_an_00_low_byte(
        tmp_path, db, encoding, line):
    """Found by review: UTF-16 without a byte order mark was told by NUL bytes in one of a
    line's odd or even places and none in the others, and 一 (U+4E00) or the ideographic
    space (U+3000) has one in the others: "not valid JSON (Expecting property name …)", or
    "byte 0x8c at position 16" (二). It is said to be UTF-16, as with its mark."""
    path = tmp_path / "unicode.jsonl"
    path.write_bytes((json.dumps(line, ensure_ascii=False) + "\r\n").encode(encoding) * 2)
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    assert error_line(result) == ("Error: line 1: not UTF-8 (save the file as UTF-8): it looks "
                                  "like UTF-16 (import stopped: nothing is imported)")
    assert not os.path.exists(db)


def test_a_utf8_line_holding_nul_characters_is_not_said_to_be_utf16(tmp_path, db):
    """A UTF-8 line with a NUL character or two in it is bad JSON, said as before."""
    path = tmp_path / "nul.jsonl"
    path.write_bytes(b'{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "a\x00\x00"}\n')
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    assert error_line(result) == (
        "Error: line 1: not valid JSON (Invalid control character at: line 1 column 66 (char "
        "65)) (import stopped: nothing is imported)")


def test_a_binary_file_given_to_import_is_not_said_to_be_utf16(tmp_path, db):
    """A database or an archive given by mistake holds NUL bytes too: it is the first byte
    UTF-8 cannot read, as before, not "it looks like UTF-16"."""
    import gzip

    other = tmp_path / "cases.db"
    Engine.open(str(other)).open_case(province="shanxi", on=date(2026, 3, 2))
    archives = []
    # A gzip header holds the time it was made: 2026-12-07 18:54:45 UTC, 0x6B1700F5, puts
    # a 00 byte among its odd bytes, where the first line (up to the archive's first 0x0a)
    # was 23 bytes and said "it looks like UTF-16" (the test failed for 256 s in 65,536).
    for made in (0, 0x6B1700F5, 0x6B1800F5, 0x6B17FFF5):
        archive = tmp_path / f"lines-{made:x}.jsonl.gz"
        archive.write_bytes(gzip.compress(json.dumps(LINES[0]).encode() + b"\n", mtime=made))
        archives.append((archive, "0x8b at position 1"))
    for path, byte in [(other, "0x"), *archives]:
        result = run(db, "import", str(path))
        assert result.exit_code == 2
        assert error_line(result).startswith(f"Error: line 1: not UTF-8 (save the file as "
                                             f"UTF-8): byte {byte}")


JSON_LINES = ("the file must be JSON Lines, one whole JSON object on each line (not "
              "pretty-printed JSON, nor an array of objects)")


@pytest.mark.parametrize("text, why", [
    # An export as one JSON array, pretty-printed: JSON's own "line 2 column 1" counted the
    # line's newline, and nothing said the file must have one object a line.
    (json.dumps(LINES[:2], indent=2),
     f'not valid JSON: the line is "[", the start of a JSON array; {JSON_LINES}'),
    (json.dumps(LINES[0], indent=2),
     f'not valid JSON: the line is "{{", the start of a JSON object; {JSON_LINES}'),
    ('{"op": "open", "province": "shanxi",\n "on": "2026-03-02"}',
     f"not valid JSON: a JSON object that does not end on its line; {JSON_LINES}"),
    ("[" + json.dumps(LINES[0]) + ",\n" + json.dumps(LINES[1]) + "]",
     f"not valid JSON: a JSON array that does not end on its line; {JSON_LINES}"),
    # The array on one line: valid JSON, but not an object.
    (json.dumps(LINES[:2]), "each line must be a JSON object, got an array: the file must be "
                            "JSON Lines, one object on each line, not an array of them"),
])
def test_a_file_that_is_json_but_not_json_lines_says_so_at_its_line_1(tmp_path, db, text, why):
    """Found by review: `doudi import export.json` of a pretty-printed file said "line 1: not
    valid JSON (Expecting value: line 2 column 1 (char 2))"."""
    path = tmp_path / "export.json"
    path.write_text(text + "\n", encoding="utf-8")
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    assert error_line(result).startswith(f"Error: line 1: {why} (import stopped: ")
    assert not os.path.exists(db)


@pytest.mark.parametrize("stray, why", [
    ("[", 'not valid JSON: the line is "[", the start of a JSON array that does not end on its '
          "line; each line must be one whole JSON object"),
    ('{"op": "fire", "case_id": "C1",', "not valid JSON: a JSON object that does not end on its "
                                        "line; each line must be one whole JSON object"),
    ("[1, 2]", "each line must be a JSON object, got an array"),
])
def test_a_stray_line_in_a_file_of_json_lines_says_nothing_of_the_file(tmp_path, db, stray,
                                                                         why):
    """Found by review: a "[" or an object missing its "}" on line 3 of a file of JSON Lines
    said "the file must be JSON Lines, one whole JSON object on each line (not pretty-printed
    JSON, nor an array of objects)", and an array there "… not an array of them", words for
    a file that fails at its line 1. Said of the line; and on line 1 as before, after a
    blank line and a first batch too."""
    path = write(tmp_path, [LINES[0], LINES[1], stray, LINES[2]])
    result = run(db, "import", path, "--batch", "2")
    assert result.exit_code == 2
    assert error_line(result) == (f"Error: line 3: {why} (import stopped: nothing from this "
                                  "line's batch written; 2 lines from earlier batches kept)")
    assert events(db) == 2
    skipped = run(db, "import", path, "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert f"line 3: {why}\n" in skipped.stdout
    assert events(db) == 3
    path = write(tmp_path, ["", stray, LINES[0]])
    result = run(str(tmp_path / "other.db"), "import", path)
    assert error_line(result).startswith("Error: line 2: " + why.split(" that ")[0].split(
        ";")[0])
    assert "the file must be JSON Lines" in result.stderr


def test_a_json_error_inside_the_line_keeps_json_s_own_words():
    from engine.errors import InvalidInput
    from engine.importer import parse_line

    for text, why in [(b'{"a": 1,}\n', "Expecting property name enclosed in double quotes: "
                                       "line 1 column 9 (char 8)"),
                      (b"x\n", "Expecting value: line 1 column 1 (char 0)"),
                      (b"]\n", "Expecting value: line 1 column 1 (char 0)")]:
        with pytest.raises(InvalidInput) as raised:
            parse_line(text)
        assert str(raised.value) == f"not valid JSON ({why})"


def test_two_imports_of_the_same_file_at_once_write_each_line_once(tmp_path):
    # Each batch is worked out and written under the write lock, so the second import finds
    # the first one's keys recorded and counts those lines as already imported. (Before the
    # lock covered the reads, the second stopped with "case Z1 already exists".)
    import subprocess
    import sys

    lines = []
    for i in range(120):
        lines += [{"op": "open", "province": "shanxi", "on": "2026-01-26", "id": f"Z{i}"}]
        lines += [{"op": "fire", "case_id": f"Z{i}", "event": e, "on": on} for e, on in PATH[:4]]
    path, db = write(tmp_path, lines), str(tmp_path / "both.db")
    Engine.open(db).store.db.close()  # created and migrated before both start
    go = tmp_path / "go"
    script = ("import sys, os, time; from engine import Engine; e = Engine.open(sys.argv[1]); "
              "print('ready', flush=True)\nwhile not os.path.exists(sys.argv[3]): time.sleep(0.005)"
              "\nr = e.import_file(sys.argv[2], batch=20); print(r.events, r.already, "
              "len(r.skipped))")
    procs = [subprocess.Popen([sys.executable, "-c", script, db, path, str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for proc in procs:
        assert proc.stdout.readline() == "ready\n"
    go.touch()  # both start at once; whoever holds the lock, the other waits for it
    outputs = [p.communicate(timeout=120) for p in procs]
    for (_, err), proc in zip(outputs, procs, strict=True):
        assert proc.returncode == 0, err
    counts = [tuple(map(int, out.split())) for out, _ in outputs]
    assert sum(written for written, _, _ in counts) == 600
    assert all(written + already == 600 and skipped == 0 for written, already, skipped in counts)
    assert events(db) == 600


def test_a_failed_first_import_leaves_no_database_but_a_later_stop_keeps_what_it_wrote(tmp_path):
    fresh = str(tmp_path / "fresh.db")
    result = run(fresh, "import", write(tmp_path, ["{not json", *LINES]))
    assert result.exit_code == 2 and error_line(result).startswith("Error: line 1: not valid")
    assert not list(tmp_path.glob("fresh.db*"))
    # Stopped at line 4 with batches of two: lines 1–2 were committed and stay.
    result = run(fresh, "import", write(tmp_path, [*LINES[:3], BAD]), "--batch", "2")
    assert result.exit_code == 1
    assert events(fresh) == 2


@pytest.mark.parametrize("lines, options, summary", [
    ([], (), "0 lines: 0 written, 0 already imported, 0 skipped"),
    (["", "  "], (), "0 lines: 0 written, 0 already imported, 0 skipped"),
    ([BAD], ("--skip-invalid",), "1 line: 0 written, 0 already imported, 1 skipped"),
])
def test_an_import_that_records_nothing_makes_no_database(tmp_path, lines, options, summary):
    # Only a command that records something makes the database: an empty file left an empty
    # new one behind, exit status 0.
    fresh = str(tmp_path / "fresh.db")
    path = tmp_path / "import.jsonl"
    path.write_text("".join(f"{x if isinstance(x, str) else json.dumps(x)}\n" for x in lines))
    result = run(fresh, "import", str(path), *options)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == summary
    assert not list(tmp_path.glob("fresh.db*"))
    # One that exists is kept, recorded into or not.
    assert run(fresh, "import", write(tmp_path, LINES[:1])).exit_code == 0
    result = run(fresh, "import", str(path), *options)
    assert result.exit_code == 0 and events(fresh) == 1


def test_an_import_that_records_nothing_keeps_an_empty_database_that_was_there(tmp_path):
    # Only the database the import itself made goes: one there before the command is the
    # user's, though it is empty and this process made it (a platform that opens the
    # database with Engine.open, then runs the import in the same process).
    db = str(tmp_path / "made.db")
    Engine.open(db).close()
    result = run(db, "import", write(tmp_path, [""]))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "0 lines: 0 written, 0 already imported, 0 skipped"
    assert os.path.isfile(db) and events(db) == 0


@pytest.mark.parametrize("line, why", [
    ('{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9", '
     '"attributes": {"applicant_name": NaN}}', "not valid JSON (NaN is not a JSON value)"),
    # A number too large for a float was read as infinity, refused only by the write: a
    # traceback that took the whole batch down, --skip-invalid or not.
    ('{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9", '
     '"attributes": {"x": 1e999}}', "not valid JSON (1e999 is out of range for a number)"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON (nested too deeply)"),
    # As the API refuses them (found by review: a line took what fire refused): attributes
    # nested more than 50 levels deep (900 levels ended the import in a RecursionError), a
    # payload of more than 10,000 values in all.
    ('{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9", "attributes": '
     '{"n": ' + "[" * 51 + "]" * 51 + "}}",
     "attributes.n" + "[0]" * 49 + " is nested more than 50 levels deep"),
    ('{"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03", "payload": '
     '{"n": ' + "[" * 900 + "]" * 900 + "}}",
     "payload.n" + "[0]" * 49 + " is nested more than 50 levels deep"),
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03",
      "payload": {"x": [0] * 10_000}},
     "payload holds more than 10,000 values in all (a list or mapping given in several places "
     "counted in each): too large to be a record"),
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03", "actor": {"a": 1}},
     'actor must be a string, got {"a": 1}'),
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03", "reason": [1]},
     "reason must be a string, got [1]"),
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": "20260303"},
     'on: "20260303" is not a date: expected YYYY-MM-DD'),
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-W10-2"},
     'on: "2026-W10-2" is not a date: expected YYYY-MM-DD'),
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": 20260303},
     "on must be a string, got 20260303"),
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": None}, "fire needs 'on'"),
    # (as the line spells it: true, not Python's True; a long value shortened in the middle)
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": True},
     "on must be a string, got true"),
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03", "actor": False},
     "actor must be a string, got false"),
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03",
      "payload": ["甲县"] * 20},  # (40 characters: the first 19, …, the last 20)
     'payload must be a JSON object, got ["甲县", "甲县", "甲县", …", "甲县", "甲县", "甲县"]'),
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03", "payload": "hi"},
     'payload must be a JSON object, got "hi"'),
    ({"op": "fire", "case_id": None, "event": "accept", "on": "2026-03-03"},
     "fire needs 'case_id'"),
    ({"op": "open", "province": "shanxi", "on": "2026-03-02", "id": ["x"]},
     'id must be a string, got ["x"]'),
    # "" names no workflow (the API and case open --workflow '' refuse it): it opened a
    # dibao case, as if left out.
    ({"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9", "workflow": ""},
     "unknown workflow '' (available: benefit, dibao, marginal, monitoring, temporary)"),
    # A misspelt field was dropped, and the case opened without its attributes.
    ({"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9",
      "attribute": {"county": "甲县"}},
     "unknown field 'attribute' for open (fields: actor, attributes, id, key, on, op, "
     "province, workflow)"),
    ({"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03", "reson": "x"},
     "unknown field 'reson' for fire (fields: actor, case_id, event, key, on, op, payload, "
     "reason)"),
    # Valid JSON ("\udc80") that no database can store: named with its line, skippable.
    ('{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9", '
     '"attributes": {"note": "\\udc80x"}}',
     "text that is not valid UTF-8 (a \\u escape of a lone surrogate)"),
    # Also in a line that gives its own key (not encoded for a hash): the write's
    # UnicodeEncodeError ended the import, naming no line, --skip-invalid or not.
    ('{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9", "key": "k9", '
     '"attributes": {"note": "\\udc80x"}}',
     "text that is not valid UTF-8 (a \\u escape of a lone surrogate)"),
    ('{"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03", "key": "k9", '
     '"payload": {"\\uDC80": 1}}',
     "text that is not valid UTF-8 (a \\u escape of a lone surrogate)"),
    ('{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9", "key": "k\\ud800"}',
     "text that is not valid UTF-8 (a \\u escape of a lone surrogate)"),
    # A key given twice: Python's json keeps the last one, which would open the case under
    # an id nobody reading the line would expect.
    ('{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9", "id": "C8"}',
     "not valid JSON (the key 'id' is given twice in one object)"),
    # A whole number of more digits than Python reads (4,300): the line carried int()'s
    # ValueError, "Exceeds the limit (4300 digits) for integer string conversion ... use
    # sys.set_int_max_str_digits() to increase the limit", advice for a programmer.
    ('{"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03", '
     '"payload": {"n": [' + "9" * 4301 + "]}}",
     "a whole number of more than 4,300 digits: too long to be a JSON number"),
    # An op that is no text: a list or an object was looked up as a dict's key, and the
    # TypeError ("unhashable type") ended the import in a traceback, --skip-invalid or not
    # (a line without a key as it was read, one with its own key as it was checked).
    ({"op": ["fire"], "case_id": "C1", "event": "accept", "on": "2026-03-03"},
     'unknown op ["fire"]: use open or fire'),
    ({"op": {"fire": 1}, "case_id": "C1", "event": "accept", "on": "2026-03-03", "key": "k9"},
     'unknown op {"fire": 1}: use open or fire'),
    ({"op": "close", "case_id": "C1", "on": "2026-03-03"}, 'unknown op "close": use open or fire'),
    # "A key is never empty": leaving it out is how to ask for one made from the content.
    ({"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9", "key": ""},
     "key must be non-empty text (leave it out for one made from the line's content)"),
])
def test_a_line_of_the_wrong_shape_is_named_and_skipped_like_any_bad_line(tmp_path, db, line,
                                                                           why):
    path = write(tmp_path, [LINES[0], line, *LINES[1:]])
    stopped = run(db, "import", path)
    assert stopped.exit_code == 2
    # (stopped in its first batch: "nothing is imported", not "0 lines from earlier batches
    # kept" of batches there were none of)
    assert error_line(stopped) == f"Error: line 2: {why} (import stopped: nothing is imported)"
    assert not Engine.open(db).store.exists("C1")
    skipping = run(db, "import", path, "--skip-invalid")
    assert skipping.exit_code == 0, skipping.output
    assert f"skipped line 2: {why}" in skipping.stdout
    assert "6 lines: 5 written, 0 already imported, 1 skipped" in skipping.stderr
    assert events(db) == 5


def test_a_line_given_as_text_holding_a_lone_surrogate_is_a_bad_line_with_a_key_too(engine):
    # import_lines takes str lines: one may hold the character itself, not an escape.
    line = '{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C9", %s' \
           '"attributes": {"note": "甲\udc80"}}'
    for key in ('"key": "k9", ', ""):
        result = engine.import_lines([line % key], skip_invalid=True)
        assert (result.events, result.skipped) == (0, [
            (1, "text that is not valid UTF-8 (a \\u escape of a lone surrogate)")])
    assert not engine.store.exists("C9")


def test_a_key_given_again_with_another_line_is_refused_not_taken_as_imported(tmp_path, db):
    # The API refuses such a call (Conflict); an import that counted the line "already
    # imported" would silently lose case K2. Refused within a batch and across batches.
    k1 = {"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "K1", "key": "k-1"}
    k2 = {**k1, "id": "K2"}
    for batch in ("500", "1"):
        path = write(tmp_path, [k1, k2])
        result = run(db, "import", path, "--batch", batch, "--skip-invalid")
        assert result.exit_code == 0, result.output
        assert "skipped line 2: idempotency key 'k-1' was already used for open on " \
               "2026-03-02 (case K1)" in result.stdout
    engine = Engine.open(db)
    assert engine.store.exists("K1") and not engine.store.exists("K2")
    # The same line again (and an open without an id, which names no case) is a repeat.
    again = run(db, "import", write(tmp_path, [k1, {**k1, "id": None}]))
    assert "2 lines: 0 written, 2 already imported, 0 skipped" in again.stderr
    # The same key with other data (province, attributes) is refused too.
    other = run(db, "import", write(tmp_path, [{**k1, "province": "tianjin"}]))
    assert other.exit_code == 1
    assert error_line(other).startswith("Error: line 1: idempotency key 'k-1' was already used "
                                        "for open on 2026-03-02 (case K1) with other data")
    # Nor is one naming the workflow "" (no workflow) taken for the dibao open it keyed.
    unnamed = run(db, "import", write(tmp_path, [{**k1, "workflow": ""}]))
    assert unnamed.exit_code == 2
    assert error_line(unnamed).startswith("Error: line 1: unknown workflow ''")
    # A 天津 open line (stored with delegated=true) run twice is a repeat.
    tj = {"op": "open", "province": "tianjin", "on": "2026-03-02", "id": "T1", "key": "t"}
    assert "1 line: 1 written" in run(db, "import", write(tmp_path, [tj])).stderr
    assert "1 line: 0 written, 1 already imported" in run(db, "import",
                                                          write(tmp_path, [tj])).stderr
    # A fire line whose key was recorded by another event on the case.
    fire = {"op": "fire", "case_id": "K1", "event": "accept", "on": "2026-03-03", "key": "k-1"}
    refused = run(db, "import", write(tmp_path, [fire]))
    assert refused.exit_code == 1
    assert "idempotency key 'k-1' was already used for open on 2026-03-02 (case K1)" in \
        error_line(refused)


KEPT = ("lines 1–2 are imported, in whole batches; run the same import again to finish (lines "
        "already imported are skipped)")


@pytest.mark.parametrize("stopped_by", ["ctrl_c", "locked"])
def test_an_import_stopped_midway_says_which_lines_are_in_and_a_rerun_finishes(
        tmp_path, db, monkeypatch, stopped_by):
    # Ctrl-C as the second batch is written; or its write lock cannot be had (another writer
    # holding the database past the 10 s wait), which said "database error: database is
    # locked" alone, though earlier batches were kept (found by review). A batch takes the
    # lock, and its write nests inside: the second batch's lock is the third call.
    import sqlite3

    from engine.core import Engine as EngineClass
    from engine.store import Store

    owner, name, call, error, message = {
        "ctrl_c": (EngineClass, "_commit", 2, KeyboardInterrupt, f"Error: interrupted: {KEPT}"),
        "locked": (Store, "write_transaction", 3, sqlite3.OperationalError("database is locked"),
                   f"Error: database error: database is locked (import stopped: {KEPT})"),
    }[stopped_by]
    real = getattr(owner, name)
    monkeypatch.setattr(owner, name, failing_on_call(call, real, error))
    path = write(tmp_path, LINES)
    result = run(db, "import", path, "--batch", "2")
    assert result.exit_code == 1
    assert error_line(result) == message
    assert events(db) == 2
    monkeypatch.setattr(owner, name, real)
    again = run(db, "import", path, "--batch", "2")
    assert "5 lines: 3 written, 2 already imported, 0 skipped" in again.stderr


def test_an_import_stopped_midway_with_skip_invalid_does_not_count_the_skipped_as_in(
        tmp_path, db, monkeypatch):
    # Found by review: `--skip-invalid`, line 3 skipped (approve before any investigation),
    # then the third batch's write lock not had: it said "lines 1–4 are imported", though line
    # 3 was listed as skipped, not imported. A batch takes the lock, and its write nests
    # inside: the third batch's lock is the fifth call.
    import sqlite3

    from engine.store import Store

    real = Store.write_transaction
    monkeypatch.setattr(Store, "write_transaction", failing_on_call(
        5, real, sqlite3.OperationalError("database is locked")))
    path = write(tmp_path, [*LINES[:2], BAD, *LINES[3:]])
    result = run(db, "import", path, "--batch", "2", "--skip-invalid")
    assert result.exit_code == 1
    assert result.stdout.startswith("skipped line 3: ")
    assert error_line(result) == (
        "Error: database error: database is locked (import stopped: lines 1–4 are imported, "
        "in whole batches, but for the line skipped; run the same import again to finish "
        "(lines already imported are skipped))")
    assert events(db) == 3  # lines 1, 2 and 4


def test_an_import_stopped_after_its_first_line_says_line_1_is_in(tmp_path, db, monkeypatch):
    # Found by review: one line a batch, Ctrl-C as the second is written: it said "lines 1–1
    # are imported".
    from engine.core import Engine as EngineClass

    monkeypatch.setattr(EngineClass, "_commit",
                        failing_on_call(2, EngineClass._commit, KeyboardInterrupt))
    result = run(db, "import", write(tmp_path, LINES), "--batch", "1")
    assert result.exit_code == 1
    assert error_line(result) == (
        "Error: interrupted: line 1 is imported, in a whole batch; run the same import again "
        "to finish (lines already imported are skipped)")
    assert events(db) == 1


def test_an_import_interrupted_as_a_batch_commits_counts_that_batch_in(tmp_path, db,
                                                                      monkeypatch):
    # Found by review (Ctrl-C on imports of 24 000 lines: "lines 1–11100 are imported", and
    # 11 150 were): an interrupt raised as the second batch's COMMIT returns left it out, so
    # the line said lines 1–2 were in when lines 1–4 were. The run again added 1, not 3.
    from helpers import interrupted_as_committed

    Engine.open(db)
    interrupted_as_committed(monkeypatch, 2)
    path = write(tmp_path, LINES)
    result = run(db, "import", path, "--batch", "2")
    assert result.exit_code == 1
    assert error_line(result) == (
        "Error: interrupted: lines 1–4 are imported, in whole batches; run the same import "
        "again to finish (lines already imported are skipped)")
    assert events(db) == 4
    monkeypatch.undo()
    again = run(db, "import", path, "--batch", "2")
    assert "5 lines: 1 written, 4 already imported, 0 skipped" in again.stderr


def test_recompute_interrupted_as_a_batch_commits_counts_its_case(db, monkeypatch):
    # As an import's (above): Ctrl-C raised as the second case's batch commits said "the
    # recompute events of 1 case are written", though both were.
    from engine import maintenance
    from helpers import interrupted_as_committed

    _two_deaths_retitled(db)
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 1)
    interrupted_as_committed(monkeypatch, 2)
    result = run(db, "recompute")
    assert result.exit_code == 1
    assert error_line(result) == ("Error: interrupted: the recompute events of 2 cases are "
                                  "written, in whole batches; run recompute again to finish")
    assert [h[-1].event for h in map(Engine.open(db).store.history, [
        "shanxi-2026-000001", "shanxi-2026-000002"])] == ["recompute", "recompute"]


def test_the_bar_counts_lines_first_only_in_a_regular_file(tmp_path):
    # Counting reads the file: a pipe counted on a terminal left nothing to import.
    import os

    from engine.cli.bulk import bar_shown

    class Terminal:
        def isatty(self):
            return True

    regular = write(tmp_path, LINES)
    fifo = str(tmp_path / "pipe")
    os.mkfifo(fifo)
    assert bar_shown(regular, Terminal())
    assert not bar_shown(fifo, Terminal())
    assert not bar_shown("-", Terminal())
    with open(os.devnull, "w") as not_a_terminal:
        assert not bar_shown(regular, not_a_terminal)


def test_a_first_command_interrupted_while_the_database_is_made_leaves_nothing(tmp_path,
                                                                              monkeypatch):
    # The tables are made in a scratch file that is linked into place only when whole:
    # interrupted after the first table, nothing is left, not even the scratch file (kept in
    # place, such a file was refused ever after as "not a doudi database").
    from engine import schema

    fresh = str(tmp_path / "fresh.db")

    def interrupted(db):
        db.execute("create table _sqlite_migrations (id integer)")
        raise KeyboardInterrupt

    monkeypatch.setattr(schema.migrations, "apply", interrupted)
    result = run(fresh, "import", write(tmp_path, LINES))
    assert result.exit_code == 1
    assert error_line(result) == "Error: interrupted: nothing more was recorded"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["import.jsonl"]


def test_ctrl_c_in_a_command_is_one_line_and_nothing_before_it(db, monkeypatch):
    # Found by review: click printed an empty line on stderr before the error line.
    from engine.core import Engine as EngineClass

    case_id = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02").stdout.strip()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(EngineClass, "fire", interrupted)
    result = run(db, "case", "fire", case_id, "accept", "--on", "2026-03-03")
    assert (result.exit_code, result.stderr) == (
        1, "Error: interrupted: nothing more was recorded\n")


def test_recompute_is_dated_as_the_case_s_last_event_so_earlier_events_can_follow(
        db, calendar_with_2027):
    """民发〔2021〕57号 第22条: 30 working days from 受理 on Friday 2026-11-20.
    11/23(1) … 11/27(5), 11/30(6), December's 23 working days 12/1(7) … 12/31(29); projected
    2027 (only 1/1 off): 1/4(30) → 2027-01-04, provisional. With the notice (1/1–1/4 off):
    1/5(30) → 2027-01-05. Recorded later than it happened, the investigation started on the
    day of 受理 must still go in after the recompute, which ran after that day."""
    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 11, 20), case_id="P2")
    engine.fire("P2", "accept", on=date(2026, 11, 20))
    total = next(d for d in engine.store.deadlines("P2") if d.rule == "total")
    assert (total.due_on, total.provisional) == (date(2027, 1, 4), True)
    calendar_with_2027()
    engine = Engine.open(db)
    assert [m[3:] for m in engine.recompute()] == [(date(2027, 1, 4), date(2027, 1, 5))]
    last = engine.store.history("P2")[-1]
    assert (last.event, last.on) == ("recompute", date(2026, 11, 20))
    assert engine.store.case("P2").last_event_on == date(2026, 11, 20)
    engine.fire("P2", "start_investigation", on=date(2026, 11, 20))
    assert engine.store.case("P2").state == "investigating"


def test_a_line_an_earlier_version_took_is_still_already_imported_on_a_rerun(tmp_path, db):
    # Earlier versions took "id": 123 (stored as "123"), which a line is now refused for. Its
    # key was made from its content, so the same line again is a repeat, not a bad line.
    from engine.importer import parse_line

    line = '{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": 123}'
    _, key = parse_line(line)
    Engine.open(db).open_case(province="shanxi", on=date(2026, 3, 2), case_id="123",
                              idempotency_key=key)
    result = run(db, "import", write(tmp_path, [line]))
    assert result.exit_code == 0, result.output
    assert "1 line: 0 written, 1 already imported, 0 skipped" in result.stderr


def test_an_import_interrupted_in_its_first_batch_says_nothing_is_imported(tmp_path, db,
                                                                          monkeypatch):
    from engine.core import Engine as EngineClass

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(EngineClass, "_commit", interrupted)
    result = run(db, "import", write(tmp_path, LINES))
    assert error_line(result) == ("Error: interrupted: nothing is imported yet; run the same "
                                  "import again to finish (lines already imported are skipped)")


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs /proc/self/mem")
def test_a_file_that_fails_to_read_is_one_line_naming_a_read_not_a_write(tmp_path, db):
    # Found by review: it was reported as "could not write the output"; then as "input/output
    # failed: Input/output error", naming neither the file nor what was imported.
    result = run(db, "import", "/proc/self/mem")
    assert result.exit_code == 1
    assert error_line(result) == (
        "Error: /proc/self/mem could not be read at line 1: Input/output error (import "
        "stopped: nothing is imported yet; run the same import again to finish (lines already "
        "imported are skipped))")
    assert not os.path.exists(db)  # a failed first import leaves no database


def test_an_import_whose_list_of_skipped_lines_cannot_be_written_says_it_stopped(
        tmp_path, db, monkeypatch):
    """Found by review: `doudi import F --skip-invalid | head -2` stopped after the batch that
    first listed a skipped line, exit 1 with nothing on stderr: the operator could not tell
    that most of the file was not imported. Now one line says so, and a rerun finishes."""
    import click

    echo = click.echo

    def reader_gone(message=None, *args, **kwargs):
        if str(message).startswith("skipped line"):
            raise BrokenPipeError(32, "Broken pipe")
        return echo(message, *args, **kwargs)

    monkeypatch.setattr(click, "echo", reader_gone)
    path = write(tmp_path, [*LINES[:2], BAD, *LINES[3:]])  # line 3 is refused
    result = run(db, "import", path, "--batch", "2", "--skip-invalid")
    assert result.exit_code == 1
    assert error_line(result) == (
        "Error: the list of skipped lines could not be written (Broken pipe): import stopped: "
        "lines 1–4 are imported, in whole batches, but for the lines skipped; run the same "
        "import again to finish (lines already imported are skipped)")
    assert events(db) == 3  # C1 opened and accepted, C2 opened
    monkeypatch.setattr(click, "echo", echo)
    again = run(db, "import", path, "--batch", "2", "--skip-invalid")
    assert "5 lines: 1 written, 3 already imported, 1 skipped" in again.stderr
    assert events(db) == 4


def on_a_terminal(*args: str, stdout_closed: bool = False) -> str:
    """What a terminal shows of ``doudi ARGS`` run with stdout and stderr both on it (with
    ``stdout_closed``, stderr alone: ``>&-``)."""
    import pty
    import subprocess
    import sys

    controller, terminal = pty.openpty()
    out = {"preexec_fn": lambda: os.close(1)} if stdout_closed else {"stdout": terminal}
    proc = subprocess.Popen([sys.executable, "-c", "from engine.launch import main; main()", *args],
                            stdin=subprocess.DEVNULL, stderr=terminal, **out)
    os.close(terminal)
    shown = b""
    while True:
        try:
            block = os.read(controller, 4096)
        except OSError:  # (EIO: the process has gone and closed the terminal)
            break
        if not block:
            break
        shown += block
    os.close(controller)
    assert proc.wait(timeout=60) == 0, shown
    return shown.decode()


def test_lines_listed_beside_the_bar_on_a_terminal_start_lines_of_their_own(tmp_path, db):
    # The bar (stderr) is drawn with no newline: a skipped line printed on stdout began after
    # the bar's text ("Importing  [####…]  50%skipped line 4: …"). The bar is cleared first.
    path = write(tmp_path, [*LINES[:3], BAD, *LINES[3:]])
    shown = on_a_terminal("import", path, "--batch", "2", "--skip-invalid", "--db", db)
    assert "Importing" in shown
    at = shown.index("skipped line 4: approve refused")
    assert shown[:at].endswith(("\n", "\r\x1b[K")), repr(shown[at - 40:at])


def test_recompute_redoes_a_batch_another_writer_changed_meanwhile(db, monkeypatch):
    """Found by review: recompute on a database a platform writes to stopped with "case …
    was changed by another writer meanwhile" when an event landed on a batch's case between
    reading and writing it. The batch is worked out again under the write lock.

    Two 山西 cases of 甲县, 受理 Tue 2026-03-03: investigation within 3 working days
    (民发〔2021〕57号 第15条): 3/4 3/5 3/6 → due Fri 03-06. The county then sets 5 working
    days (a local parameter): 3/4 3/5 3/6 3/9 3/10 → due Tue 03-10. While recompute works out
    its batch, the platform records the second case's investigation started on 03-04 (met,
    within the 3 days): redone after that event, the batch keeps that stopped deadline as it
    was judged, due 03-06 and met (issue 7: recompute re-derives the OPEN deadlines), and
    its recompute event records what it kept."""
    from engine import core

    api = Engine.open(db)
    for case_id in ("A1", "A2"):
        api.open_case(province="shanxi", on=date(2026, 3, 2), case_id=case_id,
                      attributes={"county": "甲县"})
        api.fire(case_id, "accept", on=date(2026, 3, 3))
    api.set_parameter("shanxi", "甲县", "investigation_start", "5wd", "甲县民政局 测试 第1条",
                      date(2026, 1, 1))
    recomputing, platform = Engine.open(db), Engine.open(db)
    commit, batches = core.Engine._commit, []

    def platform_writes_first(self, changes, key=None):
        if self is recomputing:
            batches.append([c.case.id for c in changes])
            if len(batches) == 1:
                platform.fire("A2", "start_investigation", on=date(2026, 3, 4))
        return commit(self, changes, key)

    monkeypatch.setattr(core.Engine, "_commit", platform_writes_first)
    moved = recomputing.recompute()
    assert batches == [["A1", "A2"], ["A1", "A2"]]
    assert moved == [("A1", "investigation_start", 1, date(2026, 3, 6), date(2026, 3, 10))]
    assert [e.event for e in api.store.history("A2")] == ["open", "accept",
                                                          "start_investigation", "recompute"]
    [investigation] = [d for d in api.store.deadlines("A2") if d.rule == "investigation_start"]
    assert (investigation.due_on, investigation.outcome) == (date(2026, 3, 6), "met")
    [[rule, _, kept]] = api.store.history("A2")[-1].payload["kept"]
    assert (rule, kept["due_on"], kept["duration"]) == ("investigation_start", "2026-03-06", "3wd")
    for case_id in ("A1", "A2"):
        assert api.replay(case_id)[1] == api.store.deadlines(case_id)
    assert api.verify() == (2, 7, [])


class _FailsAfter:
    """A file whose read fails (a bad disk) after ``lines``."""

    def __init__(self, lines: list[bytes]) -> None:
        self.lines = lines

    def __enter__(self) -> _FailsAfter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def __iter__(self):
        yield from self.lines
        raise OSError(errno.EIO, "Input/output error")

    def readline(self, size: int = -1) -> bytes:  # (as import reads it: a line at a time)
        if not self.lines:
            raise OSError(errno.EIO, "Input/output error")
        line, self.lines = self.lines[0], self.lines[1:]
        return line


def test_a_file_whose_read_fails_part_way_is_named_with_the_line_and_what_was_kept(
        tmp_path, monkeypatch):
    """Review finding: a JSONL or JSON file whose read failed after it was opened (a bad disk,
    /proc/self/mem) read "Error: input/output failed: Input/output error", naming neither
    the file nor, for an import, which lines were in. Three cases in batches of two: the
    first batch is written, the read of line 4 fails, line 3's batch is not."""
    path = tmp_path / "cases.jsonl"
    lines = [json.dumps({"op": "open", "province": "shanxi", "on": "2026-03-02",
                         "id": f"C{n}"}).encode() + b"\n" for n in (1, 2, 3)]
    path.write_bytes(b"".join(lines))
    monkeypatch.setattr("engine.core.open", lambda *args: _FailsAfter(lines), raising=False)
    db = str(tmp_path / "t.db")
    result = run(db, "import", str(path), "--batch", "2")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {path} could not be read at line 4: Input/output error (import stopped: "
        "lines 1–2 are imported, in whole batches; run the same import again to finish "
        "(lines already imported are skipped))")
    with Engine.open(db) as engine:
        assert engine.store.count_cases() == 2
        assert engine.case("C2").state == "applied"


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs /proc/self/mem")
@pytest.mark.parametrize("command", [["assess"], ["case", "accept", "C1"],
                                     ["case", "assess", "C1"]])
def test_a_json_file_that_opens_but_cannot_be_read_is_named(tmp_path, command):
    """/proc/self/mem opens, and its first read fails (EIO): one line naming it, exit 1,
    nothing written (it read "input/output failed: Input/output error")."""
    db = str(tmp_path / "t.db")
    Engine.open(db).open_case(province="shanxi", on=date(2026, 3, 2), case_id="C1")
    before = dump_file(db)
    result = run(db, *command, "/proc/self/mem", "--province" if command == ["assess"] else "--on",
                 "shanxi" if command == ["assess"] else "2026-03-03")
    assert result.exit_code == 1
    assert error_line(result) == "Error: /proc/self/mem could not be read: Input/output error"
    assert dump_file(db) == before


@pytest.mark.parametrize("attributes, shown", [
    ({"household_size": None}, "household_size must be a number (at most 1,000,000,000,000), "
                               "got null"),
    ({"county": True}, "county must be the county's name (text, without spaces around it), "
                       "got true"),
    ({"delegated": "no"}, 'delegated must be true or false, got "no"'),
    ({"applicant_name": ["张三"]}, 'applicant_name must be text, got ["张三"]'),
])
def test_a_bad_value_on_an_import_line_is_shown_as_json_spells_it(tmp_path, db, attributes,
                                                                    shown):
    # Found by review: an import line's null was echoed back as "got None", true as "got
    # True": Python's spelling, not what the user wrote in JSON.
    line = {"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C1",
            "attributes": {"county": "甲县", **attributes}}
    result = run(db, "import", write(tmp_path, [line]))
    assert result.exit_code == 2
    assert error_line(result) == f"Error: line 1: {shown} (import stopped: nothing is imported)"
    assert events(db) == 0


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_an_import_listing_skipped_lines_into_a_full_disk_says_so_on_stderr(tmp_path, db):
    """Found by review: after stdout was pointed at stderr while a command runs (8605241),
    `doudi import F --skip-invalid > /dev/full` pointed stderr, not stdout, at /dev/null before
    its error line: exit 1 and nothing said, though lines 1–2 were imported."""
    import subprocess
    import sys

    path = write(tmp_path, [*LINES[:2], BAD, *LINES[3:]])  # line 3 is refused
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-c", "from engine.launch import main; main()", "import", path,
             "--batch", "2", "--skip-invalid", "--db", db],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr == (
        "Error: the list of skipped lines could not be written (No space left on device): "
        "import stopped: lines 1–4 are imported, in whole batches, but for the lines skipped; "
        "run the same import again to finish (lines already imported are skipped)\n")
    assert events(db) == 3


def test_recompute_records_nothing_for_deadlines_stored_in_another_order(engine):
    """Found by review: the same deadlines stored in another order (the periodic and the
    death re-check's rows renumbered) got a recompute event naming nothing, {"moved": []},
    as a title change did before "changed" (c0fc908). 民发〔2022〕83号: died Mon 2026-08-31
    + 3 months → Mon 2026-11-30 either way."""
    died = engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5),
                            attributes={"amount": 900, "paid_from": "2026-01"}).id
    engine.fire(died, "member_died", on=date(2026, 9, 2), payload={"died_on": "2026-08-31"})
    db = engine.store.db
    first, second = [row[0] for row in db.execute("select id from deadlines order by id")]
    db.execute("update deadlines set id = -1 where id = ?", [first])
    db.execute("update deadlines set id = ? where id = ?", [first, second])
    db.execute("update deadlines set id = ? where id = -1", [second])
    db.conn.commit()
    death, periodic = engine.store.deadlines(died)
    assert (death.rule, death.due_on, periodic.rule) == (
        "death_review", date(2026, 11, 30), "periodic_review")
    assert engine.recompute() == []
    assert engine.store.history(died)[-1].event == "member_died"


@pytest.mark.parametrize("lines, code", [([], 0), (["{not json"], 2)])
def test_a_first_import_through_a_symlink_leaves_the_link_and_no_database(tmp_path, lines, code):
    # --db a symlink to a file not there yet: an import that records nothing, or fails first,
    # removed the link and left the database it had made at the link's target.
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "target.db")
    path = tmp_path / "import.jsonl"
    path.write_text("".join(f"{line}\n" for line in lines))
    result = run(str(link), "import", str(path))
    assert result.exit_code == code, result.output
    assert link.is_symlink() and not list(tmp_path.glob("target.db*"))
    assert run(str(link), "import", write(tmp_path, LINES[:1])).exit_code == 0
    assert events(str(tmp_path / "target.db")) == 1


def test_a_stopped_import_is_an_error_of_its_line_s_own_kind(db):
    """Found by a platform's integration: an import stopped by a bad line raised only
    ImportStopped, a plain DoudiError (not exported), whatever stopped it, so a platform
    handling errors by their documented meaning (docs/python.md: bad input InvalidInput, a
    refusal EventRefused, an unknown case UnknownName, a reused key Conflict) took every bad
    line for a failure of doudi's: `except InvalidInput` did not catch an unknown event. It
    is now also of the stopping error's class, and still an ImportStopped with its line."""
    from engine import Conflict, EventRefused, InvalidInput, UnknownName
    from engine.importer import ImportStopped

    engine = Engine.open(db)
    opened = json.dumps({"op": "open", "province": "shanxi", "id": "A1", "on": "2026-03-02",
                         "key": "k1"})
    stops = [
        (json.dumps({"op": "fire", "case_id": "A1", "event": "nosuch", "on": "2026-03-03"}),
         InvalidInput),
        (json.dumps({"op": "fire", "case_id": "A1", "event": "approve", "on": "2026-03-03"}),
         EventRefused),
        (json.dumps({"op": "fire", "case_id": "Z9", "event": "accept", "on": "2026-03-03"}),
         UnknownName),
        (json.dumps({"op": "open", "province": "shanxi", "id": "A2", "on": "2026-03-03",
                     "key": "k1"}), Conflict)]
    for line, kind in stops:
        with pytest.raises(kind, match=r"^line 2: ") as stopped:
            engine.import_lines([opened, line])
        assert isinstance(stopped.value, ImportStopped)
        assert (stopped.value.line, stopped.value.exit_code) == (2, kind.exit_code)
    assert engine.store.db.execute("select count(*) from cases").fetchone()[0] == 0


def test_a_batch_that_finds_the_database_held_names_its_first_line(tmp_path, db, monkeypatch):
    """Found by review: another writer holding the database past the wait (Busy) stopped an
    import with "another writer held the database past the wait …: nothing written; try
    again", naming no line, while the two lines of its first batch were written and kept.
    Now it is stopped as a bad line's import is: the first line of the batch that found it
    held (line 3 of batches of 2), and what the earlier batches kept; still a Busy. The API
    and `doudi import` alike. Found by the next review: that message still quoted the
    single call's "nothing written; try again" before "2 lines from earlier batches kept",
    as if those were lost too; it says once what was kept, and to run the import again
    (a single call held alike still says "nothing written; try again": test_integrity)."""
    import sqlite3

    from engine import Busy
    from engine.importer import ImportStopped
    from engine.store import Store

    holders = []
    begin = Store._begin

    def held_after_the_first_batch(store):
        # Once the first batch is in, another writer takes the lock (and the wait, 10 s, is
        # made short).
        if not holders and store.db.execute("select count(*) from cases").fetchone()[0]:
            store.db.execute("PRAGMA busy_timeout = 50")
            holder = sqlite3.connect(store.path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            holders.append(holder)
        return begin(store)

    monkeypatch.setattr(Store, "_begin", held_after_the_first_batch)
    lines = [json.dumps({"op": "open", "province": "shanxi", "on": "2026-03-02", "id": f"C{i}"})
             for i in range(1, 6)]
    said = ("line 3: another writer held the database past the wait (database is locked); "
            "import stopped: nothing from this line's batch written, 2 lines from earlier "
            "batches kept; run the import again to add the rest")
    api_db = str(tmp_path / "api.db")
    try:
        with pytest.raises(Busy) as stopped:
            Engine.open(api_db).import_lines(lines, batch=2)
        assert isinstance(stopped.value, ImportStopped)
        assert (str(stopped.value), stopped.value.line, stopped.value.exit_code) == (said, 3, 1)
        holders.pop().close()
        result = run(db, "import", write(tmp_path, lines), "--batch", "2")
        assert result.exit_code == 1, result.output
        assert error_line(result) == f"Error: {said}"
    finally:
        for holder in holders:
            holder.close()
    for path in (api_db, db):
        assert [r[0] for r in sqlite3.connect(path).execute("select id from cases order by id")
                ] == ["C1", "C2"]


def test_an_import_started_without_stderr_imports_the_file(tmp_path, db):
    # Found by review: `doudi import F 2>&-` asked the missing stderr whether it was a
    # terminal (for the bar) before reading a line: an AttributeError, nothing imported,
    # exit 1 and no word of it anywhere.
    done = doudi_with_closed(2, "import", write(tmp_path, LINES), "--db", db)
    assert done.returncode == 0
    assert events(db) == 5


def test_an_import_of_stdin_started_without_stdin_is_one_line_and_no_database(tmp_path, db):
    # Found by review: `doudi import - <&-` ended in a traceback (sys.stdin is None).
    done = doudi_with_closed(0, "import", "-", "--db", db)
    assert done.returncode == 2
    assert done.stderr == ("Error: stdin is closed: nothing to import (give the file, or pipe "
                           "its lines in)\n")
    assert not os.path.exists(db)


@pytest.mark.parametrize("command", [["recompute"], ["audit", "verify"],
                                     ["case", "advance", "--as-of", "2026-03-05"]])
def test_a_command_with_a_bar_started_without_stderr_runs(tmp_path, db, command):
    # Found by review: the bar asked the missing stderr whether it was a terminal; recompute,
    # audit verify and case advance ended before doing anything, exit 1 (2>&-).
    Engine.open(db).open_case(province="shanxi", on=date(2026, 3, 2), case_id="C1")
    done = doudi_with_closed(2, *command, "--db", db)
    assert done.returncode == 0


@pytest.mark.parametrize("command, written", [
    (["case", "advance", "--as-of", "2026-10-01"], 1),  # phase_out_end on 2026-09-01
    (["import", "FILE", "--skip-invalid"], 2),  # lines 1 and 2; line 3 skipped
])
def test_a_command_with_a_bar_on_a_terminal_started_without_stdout_runs(tmp_path, db, command,
                                                                        written):
    # Found by review: `doudi case advance >&-` (or import --skip-invalid) run from a terminal
    # asked the missing stdout whether it too was a terminal, to print a line beside the bar:
    # a traceback and exit 1, though what it had just recorded stayed recorded.
    engine = Engine.open(db)
    case = engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5),
                            attributes={"amount": 900, "paid_from": "2026-02"})
    engine.fire(case.id, "income_exceeds", on=date(2026, 2, 2),
                payload={"per_capita_income": 1200, "standard": 900})
    command = [write(tmp_path, [*LINES[:2], BAD]) if a == "FILE" else a for a in command]
    shown = on_a_terminal(*command, "--db", db, stdout_closed=True)  # (asserts exit 0)
    assert "Traceback" not in shown
    assert events(db) == 2 + written  # (open and income_exceeds, then those written)


def test_a_stopped_import_counts_the_lines_of_earlier_batches_already_imported_as_kept(
        tmp_path, db):
    # Found by review: run again, an import stopped by the same bad line said "0 lines from
    # earlier batches kept", as if the batches before it were lost: they are in, imported by
    # the first run. And one line kept read "1 lines".
    path = write(tmp_path, [*LINES[:3], BAD])  # batches of two: lines 1–2, then 3–4
    first = run(db, "import", path, "--batch", "2")
    assert "2 lines from earlier batches kept" in error_line(first)
    again = run(db, "import", path, "--batch", "2")
    assert again.exit_code == 1
    assert error_line(again).endswith("(import stopped: nothing from this line's batch "
                                      "written; 2 lines from earlier batches kept)")
    assert events(db) == 2
    one = write(tmp_path, [LINES[0], BAD])
    alone = run(str(tmp_path / "other.db"), "import", one, "--batch", "1")
    assert error_line(alone).endswith("; 1 line from earlier batches kept)")


def test_recompute_interrupted_in_its_first_batch_says_nothing_was_recorded(db, monkeypatch):
    # The same two cases; Ctrl-C as the first batch is written: nothing is, and the line
    # said "the recompute events of 0 cases are written, in whole batches".
    from engine import maintenance
    from engine.core import Engine as EngineClass

    _two_deaths_retitled(db)
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 1)
    monkeypatch.setattr(EngineClass, "_commit",
                        failing_on_call(1, EngineClass._commit, KeyboardInterrupt))
    result = run(db, "recompute")
    assert result.exit_code == 1
    assert error_line(result) == "Error: interrupted: nothing was recorded"
    assert [h[-1].event for h in map(Engine.open(db).store.history, [
        "shanxi-2026-000001", "shanxi-2026-000002"])] == ["member_died", "member_died"]


def _chained_rows(engine, table):
    """A chained table's rows in the order recorded (rowid), with their hashes."""
    columns = "case_id, other_id, relation, [on], seq" if table == "links" else \
        "case_id, seq, kind, [on], amount, basis, note"
    return engine.store.db.execute(
        f"select {columns}, prev_hash, hash from {table} order by rowid").fetchall()


@pytest.mark.parametrize("batch", [2, 7, 500])
def test_links_and_sanctions_are_chained_in_the_order_of_the_lines_whatever_the_batch(
        tmp_path, batch):
    """The links and sanctions are each one hash chain in the order recorded: an import
    records them in the order of its lines, as one line a batch (and the API, a call at a
    time) does, so the same file gives the same rows and hashes whatever --batch. (A batch
    wrote them case by case, in the order its lines first named each case: P0's, P1's and
    P2's links to their benefit cases, then the benefit cases' links back.)"""
    lines = interleaved()
    # Fraud found on the benefit cases in another order than they were opened: the third
    # first (each finding stops the benefit, orders repayment and refers the household).
    for number in (3, 1, 2):
        lines.append({"op": "fire", "case_id": f"shanxi-2026-00000{number}",
                      "event": "fraud_found", "on": "2026-06-10",
                      "payload": {"since": "2026-04-01"}})
    path = write(tmp_path, lines)
    one = Engine.open(str(tmp_path / "one.db"))
    assert one.import_file(path, batch=1).events == len(lines)
    batched = Engine.open(str(tmp_path / "batched.db"))
    assert batched.import_file(path, batch=batch).events == len(lines)
    links = _chained_rows(one, "links")
    # P0 ↔ its benefit case, P1 ↔ its, P2 ↔ its: each approve's pair together, in turn.
    assert [(r[0], r[1]) for r in links] == [
        ("P0", "shanxi-2026-000001"), ("shanxi-2026-000001", "P0"),
        ("P1", "shanxi-2026-000002"), ("shanxi-2026-000002", "P1"),
        ("P2", "shanxi-2026-000003"), ("shanxi-2026-000003", "P2")]
    assert _chained_rows(batched, "links") == links
    sanctions = _chained_rows(one, "sanctions")
    assert [(r[0], r[2]) for r in sanctions] == [
        (f"shanxi-2026-00000{n}", kind) for n in (3, 1, 2)
        for kind in ("stop", "repayment", "legal_referral")]
    assert _chained_rows(batched, "sanctions") == sanctions
    assert batched.verify()[2] == []


def test_a_stop_after_lines_of_its_batch_already_imported_does_not_say_nothing_is_imported(
        tmp_path, db):
    """Run again without --skip-invalid, a file stops at the line the first run skipped: the
    lines of its batch before it are in the database already, and the message says so, as
    it does with a batch that ends before the line ("2 lines from earlier batches kept"). It
    said "nothing is imported" though lines 1 and 2 were."""
    lines = [{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "B"},
             {"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C"},
             {"op": "fire", "case_id": "B", "event": "accept", "on": "2026-03-03",
              "payload": {"household_size": "x"}},
             {"op": "fire", "case_id": "C", "event": "accept", "on": "2026-03-03"}]
    path = write(tmp_path, lines)
    first = run(db, "import", path, "--skip-invalid")
    assert first.stderr == "4 lines: 3 written, 0 already imported, 1 skipped\n"
    bad = 'line 3: household_size must be a number (at most 1,000,000,000,000), got "x"'
    again = run(db, "import", path)
    assert (again.exit_code, error_line(again)) == (2, (
        f"Error: {bad} (import stopped: nothing from this line's batch written, but the 2 "
        "lines of it before this one were imported already)"))
    # A batch of 2 ends before the line: its earlier batch's lines are kept, as before.
    in_twos = run(db, "import", path, "--batch", "2")
    assert error_line(in_twos) == (f"Error: {bad} (import stopped: nothing from this line's "
                                   "batch written; 2 lines from earlier batches kept)")
    # Lines from earlier batches and from its own: both said.
    reordered = write(tmp_path, [lines[0], lines[1], lines[3], lines[2]])
    in_twos = run(db, "import", reordered, "--batch", "2")
    assert error_line(in_twos) == (
        'Error: line 4: household_size must be a number (at most 1,000,000,000,000), got "x" '
        "(import stopped: nothing from this line's batch written; 2 lines from earlier "
        "batches kept, and the 1 line of it before this one was imported already)")
    assert Engine.open(db).verify()[:2] == (2, 3)


def test_two_lines_that_say_the_same_are_one_unless_each_gives_a_key(tmp_path, db):
    """As docs/cli.md says: a line without a key is keyed by what it says, in one file too.
    Two households opened the same day with nothing to tell them apart are one case; a key
    (or an id) on each line makes them two."""
    alike = {"op": "open", "province": "shanxi", "on": "2026-03-02"}
    result = run(db, "import", write(tmp_path, [alike, alike]))
    assert result.stderr == "2 lines: 1 written, 1 already imported, 0 skipped\n"
    keyed = run(db, "import", write(tmp_path, [{**alike, "key": "户1"}, {**alike, "key": "户2"}]))
    assert keyed.stderr == "2 lines: 2 written, 0 already imported, 0 skipped\n"
    assert [row[0] for row in Engine.open(db).store.db.execute(
        "select id from cases order by id").fetchall()] == [
        "shanxi-2026-000001", "shanxi-2026-000002", "shanxi-2026-000003"]


def test_a_skipped_line_put_right_is_refused_once_its_case_has_a_later_event(tmp_path, db):
    """As docs/cli.md says of --skip-invalid: each later line is checked against its case
    without the skipped one; a line that needed it is skipped too (line 3, whatever the
    batch), one that did not is written (line 4: the household withdraws 03-05), and the
    skipped line put right is then refused, dated before the case's last event."""
    opened = {"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "B"}
    accept = {"op": "fire", "case_id": "B", "event": "accept", "on": "2026-03-03"}
    lines = [opened, {**accept, "payload": {"household_size": "x"}},
             {"op": "fire", "case_id": "B", "event": "start_investigation", "on": "2026-03-04"},
             {"op": "fire", "case_id": "B", "event": "withdraw", "on": "2026-03-05"}]
    for batch in ("1", "500"):
        result = run(f"{db}{batch}", "import", write(tmp_path, lines), "--skip-invalid",
                     "--batch", batch)
        assert result.stdout.splitlines() == [
            'skipped line 2: household_size must be a number (at most 1,000,000,000,000), '
            'got "x"',
            "skipped line 3: start_investigation is not allowed in state applied (已申请); "
            "allowed: request_materials, accept, withdraw"]
        assert result.stderr == "4 lines: 2 written, 0 already imported, 2 skipped\n"
    put_right = run(f"{db}500", "import", write(tmp_path, [opened, accept]))
    assert error_line(put_right) == (
        "Error: line 2: accept on 2026-03-03 is before the case's last event (on 2026-03-05) "
        "(import stopped: nothing from this line's batch written, but the 1 line of it before "
        "this one was imported already)")
    assert [e.event for e in Engine.open(f"{db}500").store.history("B")] == ["open", "withdraw"]


def test_links_and_sanctions_chain_alike_with_skipped_lines_and_a_phase_out_ended_first(
        tmp_path):
    """The chaining in line order (8ab6dda) checked where a review looked for it to break:
    with --skip-invalid, an approve skipped (amount "x") between two that each link a case,
    and a fraud finding skipped (since "bad") between two that each impose sanctions; and a
    finding on a 天津 benefit case whose phase-out ran out first, its end recorded by itself
    before the line's own event and sanctions. --batch 1, 2 and 500 and the API a call at a
    time leave the same rows and hashes (they did already; before 8ab6dda, --batch 500
    chained P0's sanctions first, in the order its lines first named each case).

    The amounts: 山西 P0 and P1 paid 500 and 501 a month from 2026-04, fraud found since
    2026-04-01 on 06-10 (晋民发〔2023〕31号 五(五)): 3 × 500 = 1500 and 3 × 501 = 1503; 天津
    B0 and B1 phasing out June … November after income over the standard on 2026-05-15
    (津民发〔2023〕13号 一(三): months 4–6 at 50 % of the 900), fraud found since 2026-09-01
    on 12-04, after the phase-out ended by itself on 12-01: 3 × 450 = 1350."""
    lines = interleaved()
    first = next(i for i, line in enumerate(lines) if line.get("event") == "approve")
    lines.insert(first + 1, {"op": "fire", "case_id": "P1", "event": "approve",
                             "on": "2026-03-17", "payload": {"amount": "x"}})
    for i in range(2):
        lines.append({"op": "open", "province": "tianjin", "workflow": "benefit",
                      "on": "2026-03-02", "id": f"B{i}",
                      "attributes": {"amount": 900, "paid_from": "2026-04"}})
        lines.append({"op": "fire", "case_id": f"B{i}", "event": "income_exceeds",
                      "on": "2026-05-15", "payload": {"per_capita_income": 1300,
                                                       "standard": 1100}})
    for case_id, on, since in (("shanxi-2026-000002", "2026-06-10", "2026-04-01"),
                               ("shanxi-2026-000001", "2026-06-10", "bad"),
                               ("B1", "2026-12-04", "2026-09-01"),
                               ("shanxi-2026-000001", "2026-06-10", "2026-04-01"),
                               ("B0", "2026-12-04", "2026-09-01")):
        lines.append({"op": "fire", "case_id": case_id, "event": "fraud_found", "on": on,
                      "payload": {"since": since}})
    path = write(tmp_path, lines)
    api = Engine.open(str(tmp_path / "api.db"))
    for line in lines:
        try:
            if line["op"] == "open":
                api.open_case(province=line["province"], workflow=line.get("workflow", "dibao"),
                              on=date.fromisoformat(line["on"]), case_id=line["id"],
                              attributes=line["attributes"])
            else:
                api.fire(line["case_id"], line["event"], on=date.fromisoformat(line["on"]),
                         payload=line.get("payload"))
        except InvalidInput:
            assert line["payload"] in ({"amount": "x"}, {"since": "bad"})
    sanctions = _chained_rows(api, "sanctions")
    assert [(r[0], r[2], r[4]) for r in sanctions] == [
        ("shanxi-2026-000002", "stop", None), ("shanxi-2026-000002", "repayment", 1503.0),
        ("shanxi-2026-000002", "legal_referral", None),
        ("B1", "repayment", 1350.0), ("B1", "legal_referral", None),
        ("shanxi-2026-000001", "stop", None), ("shanxi-2026-000001", "repayment", 1500.0),
        ("shanxi-2026-000001", "legal_referral", None),
        ("B0", "repayment", 1350.0), ("B0", "legal_referral", None)]
    # (B0's and B1's findings are their third event: the phase-out's end is the second)
    assert [e.event for e in api.store.history("B1")] == [
        "open", "income_exceeds", "phase_out_end", "fraud_found"]
    links = _chained_rows(api, "links")
    assert [(r[0], r[1]) for r in links] == [
        ("P0", "shanxi-2026-000001"), ("shanxi-2026-000001", "P0"),
        ("P1", "shanxi-2026-000002"), ("shanxi-2026-000002", "P1"),
        ("P2", "shanxi-2026-000003"), ("shanxi-2026-000003", "P2")]
    for batch in (1, 2, 500):
        imported = Engine.open(str(tmp_path / f"batch{batch}.db"))
        result = imported.import_file(path, batch=batch, skip_invalid=True)
        assert [n for n, _ in result.skipped] == [23, 34]
        assert _chained_rows(imported, "sanctions") == sanctions, batch
        assert _chained_rows(imported, "links") == links, batch
        assert content(imported) == content(api), batch
        assert imported.verify()[2] == []


# A line longer than LARGEST_READ (8 MiB: one case opened or one event is a few KB) is a bad
# line, read no further than the limit: a file of one line with no line end (a binary, a
# file that is no JSON Lines) was read whole into memory as its line 1, 500 MB for 500 MB,
# and /dev/zero until memory ran out.
TOO_LONG = ("longer than 8,388,608 bytes (8 MiB), the most doudi reads of a line (one case "
            "opened or one event, a few KB): is the file JSON Lines?")


def test_a_line_longer_than_the_limit_is_a_bad_line_named_by_its_number(tmp_path, db):
    from engine.arguments import LARGEST_READ

    assert LARGEST_READ == 8 * 1024 * 1024
    first, second = (json.dumps(line).encode() + b"\n" for line in LINES[:2])
    path = tmp_path / "long.jsonl"
    path.write_bytes(first + b"x" * (LARGEST_READ + 1) + b"\n" + second)
    stopped = run(db, "import", str(path), "--batch", "1")
    assert stopped.exit_code == 2
    assert error_line(stopped) == (f"Error: line 2: {TOO_LONG} (import stopped: nothing from "
                                   "this line's batch written; 1 line from earlier batches kept)")
    assert events(db) == 1
    # Skipped, the import goes on at the next line.
    skipped = run(db, "import", str(path), "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert skipped.stdout == f"skipped line 2: {TOO_LONG}\n"
    assert events(db) == 2
    # A line of LARGEST_READ bytes before its line end is read (and is no JSON).
    path.write_bytes(b"x" * LARGEST_READ + b"\n")
    assert error_line(run(db, "import", str(path))).startswith("Error: line 1: not valid JSON")


def test_a_line_too_long_skipped_is_not_held_in_memory(tmp_path):
    """40 MB with no line end, then two lines: skipped and read past a block at a time (the
    line was read whole, and decoded: over 80 MB at the peak)."""
    import tracemalloc

    path = tmp_path / "long.jsonl"
    with open(path, "wb") as file:
        for _ in range(40):
            file.write(b"x" * 2**20)
        file.write(b"\n" + b"".join(json.dumps(line).encode() + b"\n" for line in LINES[:2]))
    engine = Engine.open(str(tmp_path / "long.db"))
    tracemalloc.start()
    try:
        result = engine.import_file(str(path), skip_invalid=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, peak
    assert (result.skipped, result.events) == ([(1, TOO_LONG)], 2)


@pytest.mark.parametrize("source", ["/dev/zero", "-"])
def test_dev_zero_or_a_pipe_of_one_endless_line_stops_the_import_at_line_1(db, source):
    """/dev/zero has no end and no line end: the import stops at its line 1 once the limit is
    read, without reading the rest (a pipe of 20 MB of NUL likewise); no database is made."""
    zeros = b"\0" * (20 * 2**20) if source == "-" else None
    stopped = run(db, "import", source, input=zeros)
    assert stopped.exit_code == 2
    assert error_line(stopped) == f"Error: line 1: {TOO_LONG} (import stopped: nothing is imported)"
    assert not os.path.exists(db)
