"""A phase-out ends by itself: reports see it at once, ``case advance`` writes it down."""

from __future__ import annotations

import json
from datetime import date

from engine import Engine
from helpers import error_line, failing_on_call, full_at_commit, held_once_after, phasing_out, run


def test_case_advance_records_the_end_of_a_phase_out(tmp_path):
    """津民发〔2023〕13号 一(三): "可给予原则上不超过6个月的渐退期"."""
    db = str(tmp_path / "x.db")
    engine = Engine.open(db)
    # Income rises on 2026-05-15: phase-out June … November, ends by itself on 2026-12-01.
    [case_id] = phasing_out(engine, 1)
    early = run(db, "case", "advance", "--as-of", "2026-11-30")
    assert early.exit_code == 0 and early.stdout == ""
    assert engine.store.case(case_id).state == "phasing_out"
    result = run(db, "case", "advance", "--as-of", "2026-12-04")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{case_id}: phase_out_end on 2026-12-01\n"
    stored = engine.store.case(case_id)
    assert stored.state == "ended"
    history = engine.store.history(case_id)
    assert [(e.event, e.on, e.actor) for e in history[-1:]] == [
        ("phase_out_end", date(2026, 12, 1), "doudi (by itself)")]
    # Nothing more to record, and the replay agrees with what was written.
    again = run(db, "case", "advance", "--as-of", "2026-12-04")
    assert again.stdout == ""
    assert engine.replay(case_id)[0].state == "ended"


def test_advance_refuses_a_date_the_calendar_does_not_cover(db):
    # Found by review: --as-of 2099-01-01 (a mistyped year) recorded phase-out ends decades
    # ahead, and events cannot be taken back. The calendar covers 2018–2060, as elsewhere.
    Engine.open(db)
    for as_of in ("2099-01-01", "2017-01-01"):
        result = run(db, "case", "advance", "--as-of", as_of)
        assert result.exit_code == 2, result.output
        assert as_of[:4] in error_line(result)


def test_an_interrupted_advance_says_what_it_recorded(db, monkeypatch):
    # Two 天津 phase-outs (income recorded 2026-05-15: June … November) end on 2026-12-01;
    # written one case per batch here, Ctrl-C comes as the second batch is written.
    from engine import core, maintenance

    phasing_out(Engine.open(db), 2)
    commit = core.Engine._commit
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 1)
    monkeypatch.setattr(core.Engine, "_commit", failing_on_call(2, commit, KeyboardInterrupt))
    result = run(db, "case", "advance", "--as-of", "2026-12-04")
    assert result.exit_code == 1
    assert result.stdout.count(": phase_out_end on 2026-12-01\n") == 1
    assert error_line(result) == ("Error: interrupted: the 1 event listed is recorded, in "
                                  "whole batches; run advance again to finish")
    monkeypatch.setattr(core.Engine, "_commit", commit)
    again = run(db, "case", "advance", "--as-of", "2026-12-04")
    assert again.stdout.count(": phase_out_end on 2026-12-01\n") == 1


def test_an_advance_interrupted_in_its_first_batch_says_nothing_was_recorded(db, monkeypatch):
    # A 天津 phase-out (income recorded 2026-05-15: June … November) ends on 2026-12-01;
    # Ctrl-C as its batch is written: nothing is, and the line said "the 0 events listed are
    # recorded, in whole batches".
    from engine import core

    [case_id] = phasing_out(Engine.open(db), 1)
    monkeypatch.setattr(core.Engine, "_commit",
                        failing_on_call(1, core.Engine._commit, KeyboardInterrupt))
    result = run(db, "case", "advance", "--as-of", "2026-12-04")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert error_line(result) == "Error: interrupted: nothing was recorded"
    assert Engine.open(db).store.case(case_id).state == "phasing_out"


def test_an_advance_interrupted_as_a_batch_commits_lists_its_event(db, monkeypatch):
    # Two 天津 phase-outs (income recorded 2026-05-15: June … November) end on 2026-12-01,
    # one case a batch; Ctrl-C raised as the second batch's COMMIT returns. The second end was
    # recorded but neither listed nor counted ("the 1 event listed is recorded"), and a run
    # again lists nothing: no run ever said it was recorded.
    from engine import maintenance
    from helpers import interrupted_as_committed

    ids = phasing_out(Engine.open(db), 2)
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 1)
    interrupted_as_committed(monkeypatch, 2)
    result = run(db, "case", "advance", "--as-of", "2026-12-04")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{i}: phase_out_end on 2026-12-01" for i in ids]
    assert error_line(result) == ("Error: interrupted: the 2 events listed are recorded, in "
                                  "whole batches; run advance again to finish")
    assert [Engine.open(db).store.case(i).state for i in ids] == ["ended", "ended"]


def test_advance_failing_after_a_batch_says_the_events_listed_are_recorded(db, monkeypatch):
    """As recompute says it (b19eb14): a disk failing after a batch was committed was the error
    line alone, "Error: database error: disk I/O error", which reads as nothing recorded,
    though the first phase-out's end was and is listed. Two 天津 phase-outs (June … November)
    end on 2026-12-01; one case a batch, the second batch's write fails."""
    import sqlite3

    from engine import core, maintenance

    phasing_out(Engine.open(db), 2)
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 1)
    monkeypatch.setattr(core.Engine, "_commit", failing_on_call(
        2, core.Engine._commit, sqlite3.OperationalError("disk I/O error")))
    result = run(db, "case", "advance", "--as-of", "2026-12-04")
    assert result.exit_code == 1
    assert result.stdout.count(": phase_out_end on 2026-12-01\n") == 1
    assert error_line(result) == ("Error: database error: disk I/O error (advance stopped: the "
                                  "1 event listed is recorded, in whole batches)")


def test_advance_stopped_by_another_writer_after_a_batch_says_once_what_is_recorded(
        db, monkeypatch):
    """Found by review: another writer holding the database past the wait after the first
    phase-out's end was committed said "…: nothing written; try again (advance stopped: the
    1 events listed are recorded …)", the single call's words contradicting what follows
    them. Two 天津 phase-outs end on 2026-12-01, one case a batch."""
    from engine import maintenance

    phasing_out(Engine.open(db), 2)
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 1)
    holders = held_once_after(monkeypatch,
                              "select count(*) from events where event = 'phase_out_end'")
    try:
        result = run(db, "case", "advance", "--as-of", "2026-12-04")
    finally:
        for holder in holders:
            holder.close()
    assert result.exit_code == 1
    assert result.stdout.count(": phase_out_end on 2026-12-01\n") == 1
    assert error_line(result) == (
        "Error: another writer held the database past the wait (database is locked); advance "
        "stopped: the 1 event listed is recorded, in whole batches; run advance again to "
        "finish")


def test_advance_redoes_a_batch_another_writer_changed_meanwhile(db, monkeypatch):
    """Found by review: ``case advance`` (or ``recompute``) on a database a platform writes
    to as it runs stopped with "case … was changed by another writer meanwhile" whenever an
    event landed on one of a batch's cases between reading and writing it, so a nightly run
    could fail night after night. The batch is now worked out again under the write lock.

    Two 天津 phase-outs (津民发〔2023〕13号 一(三); income recorded 2026-05-15: June …
    November) end by themselves on 2026-12-01. While advance works out its batch, another
    process records that the second household was found ineligible on 2026-11-20: its
    phase-out never ends; the first's end is recorded."""
    from engine import core

    api = Engine.open(db)
    ids = phasing_out(api, 2)
    advancing, platform = Engine.open(db), Engine.open(db)
    commit, batches = core.Engine._commit, []

    def platform_writes_first(self, changes, key=None):
        if self is advancing:
            batches.append([c.case.id for c in changes])
            if len(batches) == 1:
                platform.fire(ids[1], "found_ineligible", on=date(2026, 11, 20),
                              reason="核查发现不符合条件")
        return commit(self, changes, key)

    monkeypatch.setattr(core.Engine, "_commit", platform_writes_first)
    recorded = advancing.advance(date(2026, 12, 4))
    assert batches == [ids, [ids[0]]]  # the second time under the lock: only the first left
    assert recorded == [(ids[0], "phase_out_end", date(2026, 12, 1))]
    assert [api.store.case(i).state for i in ids] == ["ended", "stopped"]
    assert [e.event for e in api.store.history(ids[1])][-1] == "found_ineligible"
    assert api.verify() == (2, 6, [])


def test_advance_goes_on_past_a_damaged_case_and_names_it_at_the_end(db):
    """Found by review: `case advance` stopped at a case it could not read back (its
    attributes changed by hand to no JSON), and "run it again to finish" never got past it:
    the phase-outs of the cases after it were never written down. Three 天津 phase-outs
    (津民发〔2023〕13号 一(三) "原则上不超过6个月的渐退期"; income recorded 2026-05-15: June …
    November) end by themselves on 2026-12-01; the second case is damaged: the first's and
    the third's ends are recorded, the second is named at the end (exit 1), run after run."""
    import sqlite3

    api = Engine.open(db)
    ids = phasing_out(api, 3)
    api.close()
    raw = sqlite3.connect(db)
    raw.execute("update cases set attributes = 'not json' where id = ?", [ids[1]])
    raw.commit()
    raw.close()
    line = (f"Error: advance could not read or work out 1 case and left it as it was ({ids[1]}: "
            f"case '{ids[1]}' cannot be read from the database (JSONDecodeError: Expecting "
            "value: line 1 column 1 (char 0)): it was changed outside doudi (doudi audit verify "
            "lists what was)); it went on with the others; doudi audit verify lists every case "
            "changed outside doudi")
    result = run(db, "case", "advance", "--as-of", "2026-12-04")
    assert result.exit_code == 1, result.output
    assert result.stdout == "".join(f"{i}: phase_out_end on 2026-12-01\n" for i in (ids[0], ids[2]))
    assert result.stderr.splitlines() == ["2 events recorded", line]
    engine = Engine.open(db)
    assert [engine.store.history(i)[-1].event for i in (ids[0], ids[2])] == ["phase_out_end"] * 2
    again = run(db, "case", "advance", "--as-of", "2026-12-04")
    assert (again.exit_code, again.stdout) == (1, "")
    assert again.stderr.splitlines() == ["0 events recorded", line]
    assert engine.store.db.execute("select count(*) from events").fetchone()[0] == 3 * 2 + 2


def test_a_correction_after_a_phase_out_ran_out_records_its_end_first(db):
    """Found by the evidence audit: ``case correct`` did not record first what had happened
    by itself, as every other event does. A 天津 phase-out June … November (津民发〔2023〕13号
    一(三)) ends by itself on 2026-12-01; a correction dated 2026-12-04 was recorded as made
    while the case was still phasing_out, and the end, recorded after it (``case advance``),
    could then be dated no earlier than the correction: "phase_out_end on 2026-12-04". A
    correction changes no state or date of the case; the end comes first, on its own date."""
    engine = Engine.open(db)
    (case_id,) = phasing_out(engine, 1)
    result = run(db, "case", "correct", case_id, "1", "--on", "2026-12-04",
                 "--reason", "收入录错", "--set", "per_capita_income=1350", "--set", "standard=1100")
    assert result.exit_code == 0, result.output
    history = engine.store.history(case_id)
    assert [(e.seq, e.event, e.on, e.from_state, e.to_state, e.actor) for e in history[2:]] == [
        (2, "phase_out_end", date(2026, 12, 1), "phasing_out", "ended", "doudi (by itself)"),
        (3, "correction", date(2026, 12, 4), "ended", "ended", None)]
    assert result.stdout.splitlines() == [
        f"{case_id}: phase_out_end on 2026-12-01 (by itself): phasing_out → ended (渐退期满退出)",
        f"{case_id}: correction of event 1 recorded as event 3"]
    stored = engine.store.case(case_id)
    assert (stored.state, stored.last_event_on) == ("ended", date(2026, 12, 4))
    assert run(db, "case", "advance", "--as-of", "2026-12-04").stdout == ""
    assert engine.verify() == (1, 4, [])
    # A correction before the end is recorded as before (the case still phasing out).
    (other,) = phasing_out(engine, 1)
    engine.correct(other, 1, on=date(2026, 11, 30), reason="收入录错")
    assert [(e.event, e.to_state) for e in engine.store.history(other)[2:]] == [
        ("correction", "phasing_out")]


def test_fire_after_a_phase_out_ran_out_says_its_end_came_first(db):
    """Found by review: an event fired after a phase-out ran out, without ``case advance``
    first, records the end first on its own date (docs/cli.md), but ``case fire`` said the
    event itself ended the benefit: "fraud_found on 2026-12-04: phasing_out → ended". A 天津
    phase-out June … November (津民发〔2023〕13号 一(三): months 1–3 at 100 % of the 900, 4–6
    at 50 %) ends by itself on 2026-12-01; fraud found since 2026-09-01 is in the state that
    leaves, ended → ended, and the household repays September … November, 3 × 450 = 1350."""
    engine = Engine.open(db)
    (case_id,) = phasing_out(engine, 1)
    result = run(db, "case", "fire", case_id, "fraud_found", "--on", "2026-12-04",
                 "--set", "since=2026-09-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{case_id}: phase_out_end on 2026-12-01 (by itself): phasing_out → ended (渐退期满退出)",
        f"{case_id}: fraud_found on 2026-12-04: ended → ended (渐退期满退出)"]
    history = engine.store.history(case_id)
    assert [(e.event, e.on, e.from_state, e.to_state) for e in history[2:]] == [
        ("phase_out_end", date(2026, 12, 1), "phasing_out", "ended"),
        ("fraud_found", date(2026, 12, 4), "ended", "ended")]
    view = engine.case(case_id)
    assert [(p.month, p.amount) for p in view.payments] == [
        ("2026-04", 900), ("2026-05", 900), ("2026-06", 900), ("2026-07", 900),
        ("2026-08", 900), ("2026-09", 450), ("2026-10", 450), ("2026-11", 450)]
    assert [(s.kind, s.amount) for s in view.sanctions] == [("repayment", 1350),
                                                           ("legal_referral", None)]
    # An event with nothing before it that happened by itself is said as before.
    (other,) = phasing_out(engine, 1)
    said = run(db, "case", "fire", other, "member_died", "--on", "2026-11-20",
               "--set", "died_on=2026-11-18")
    assert said.stdout == f"{other}: member_died on 2026-11-20: phasing_out → phasing_out (渐退期)\n"


def test_a_correction_after_a_phase_out_ran_out_says_its_end_came_first(db):
    """Found by review of docs/cli.md: ``case correct`` records first what happened by itself
    before its date, as ``case fire`` does, but said only "correction of event 1 recorded as
    event 3", where ``case fire`` says the end first, a line each ("what happened by itself
    before DATE (a phase-out's end) is recorded first, on its own date, and said first"): the
    case was ended by the command (phasing_out → ended) and the operator was not told, though
    a correction changes no state itself. A 天津 phase-out June … November (津民发〔2023〕13号
    一(三)) ends by itself on 2026-12-01; a correction dated 2026-12-04 is seq 3."""
    engine = Engine.open(db)
    (case_id,) = phasing_out(engine, 1)
    result = run(db, "case", "correct", case_id, "1", "--on", "2026-12-04", "--reason", "收入录错")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{case_id}: phase_out_end on 2026-12-01 (by itself): phasing_out → ended (渐退期满退出)",
        f"{case_id}: correction of event 1 recorded as event 3"]
    # A correction with nothing before it that happened by itself is said as before.
    (other,) = phasing_out(engine, 1)
    said = run(db, "case", "correct", other, "1", "--on", "2026-11-30", "--reason", "收入录错")
    assert said.stdout == f"{other}: correction of event 1 recorded as event 2\n"


def test_the_end_of_a_phase_out_not_yet_recorded_can_be_corrected(db):
    """Found by review: ``case show`` lists a phase-out's end from its date, with its seq,
    recorded or not, and a correction records it first (docs/cli.md: "what happened by
    itself before DATE, a phase-out's end, is recorded first, on its own date"), but
    correcting that seq was refused: "case … has no event seq 2" (exit 2) until ``case
    advance`` had run. A 天津 phase-out June … November (津民发〔2023〕13号 一(三)) ends by
    itself on 2026-12-01, seq 2; a correction of it dated 2026-12-04 is seq 3."""
    engine = Engine.open(db)
    (case_id,) = phasing_out(engine, 1)
    shown = run(db, "case", "show", case_id, "--as-of", "2026-12-04", "--format", "json")
    assert [(h["seq"], h["event"], h["on"]) for h in json.loads(shown.stdout)["history"][2:]] == [
        (2, "phase_out_end", "2026-12-01")]
    result = run(db, "case", "correct", case_id, "2", "--on", "2026-12-04",
                 "--reason", "渐退期满未书面告知")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{case_id}: phase_out_end on 2026-12-01 (by itself): phasing_out → ended (渐退期满退出)",
        f"{case_id}: correction of event 2 recorded as event 3"]
    history = engine.store.history(case_id)
    assert [(e.seq, e.event, e.on, e.to_state, e.corrects) for e in history[2:]] == [
        (2, "phase_out_end", date(2026, 12, 1), "ended", None),
        (3, "correction", date(2026, 12, 4), "ended", 2)]
    assert engine.verify() == (1, 4, [])
    # Still refused: a seq nothing gives by the correction's date (the end on 2026-12-01 is
    # not there on 2026-11-30), and the correction's own seq.
    (other,) = phasing_out(engine, 1)
    for seq, on in ((2, "2026-11-30"), (3, "2026-12-04")):
        refused = run(db, "case", "correct", other, str(seq), "--on", on, "--reason", "x")
        assert refused.exit_code == 2, refused.output
        assert error_line(refused) == f"Error: case {other} has no event seq {seq}"
    assert len(engine.store.history(other)) == 2


def test_advance_that_fills_the_disk_after_a_batch_says_what_is_recorded_and_to_run_it_again(
        db, monkeypatch):
    """A full disk at the second batch's COMMIT was "database error: database or disk is full
    (advance stopped: …)", nothing on what to do. Two 天津 phase-outs end on 2026-12-01, one
    case a batch; the run again records the second."""
    from engine import maintenance

    phasing_out(Engine.open(db), 2)
    monkeypatch.setattr(maintenance, "WRITE_BATCH", 1)
    full_at_commit(monkeypatch, 2)
    result = run(db, "case", "advance", "--as-of", "2026-12-04")
    assert result.exit_code == 1
    assert result.stdout.count(": phase_out_end on 2026-12-01\n") == 1
    assert error_line(result) == (
        f"Error: {db}: the disk is full (SQLite: database or disk is full); advance stopped: "
        "the 1 event listed is recorded, in whole batches; free space on that disk (or move "
        "the database) and run advance again to finish")
    monkeypatch.undo()
    again = run(db, "case", "advance", "--as-of", "2026-12-04")
    assert again.exit_code == 0, again.output
    assert again.stdout.count(": phase_out_end on 2026-12-01\n") == 1
