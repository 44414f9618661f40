"""A single-write command (case open, fire, accept, correct, parameter set/unset/void) stopped by
Ctrl-C as its COMMIT returns: Python raises the interrupt at its first check after a call
returns, COMMIT's included, so the write may be in though the command never got to say so.
The error line then says what was recorded (exit 1, docs/cli.md), not "nothing more was
recorded", which had the operator run it again: a `case fire` given no key recorded the event
twice. The interrupt is forced as the real COMMIT returns (helpers.interrupted_as_committed),
not left to timing."""

from __future__ import annotations

from datetime import date

from engine import Engine
from helpers import error_line, failing_on_call, interrupted_as_committed, phasing_out, run

BASIS = "甲县民政局〔2026〕3号"


def opened(db):
    case_id = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02",
                  "--set", "county=甲县").stdout.strip()
    assert case_id == "shanxi-2026-000001"
    return case_id


def events(db, case_id):
    return [(h.seq, h.event, h.on.isoformat(), h.corrects)
            for h in Engine.open(db).store.history(case_id)]


def test_case_fire_interrupted_as_it_commits_says_the_event_is_recorded(db, monkeypatch):
    case_id = opened(db)
    interrupted_as_committed(monkeypatch, 1)
    result = run(db, "case", "fire", case_id, "accept", "--on", "2026-03-03")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert error_line(result) == (f"Error: interrupted, but case {case_id}'s accept on "
                                  "2026-03-03 was recorded (seq 1)")
    assert events(db, case_id) == [(0, "open", "2026-03-02", None),
                                   (1, "accept", "2026-03-03", None)]


def test_case_fire_interrupted_before_it_commits_says_nothing_was_recorded(db, monkeypatch):
    # The other side: the interrupt raised inside the write, before COMMIT (rolled back).
    from engine.store import Store

    case_id = opened(db)
    monkeypatch.setattr(Store, "_write", failing_on_call(1, Store._write, KeyboardInterrupt))
    result = run(db, "case", "fire", case_id, "accept", "--on", "2026-03-03")
    assert (result.exit_code, result.stderr) == (
        1, "Error: interrupted: nothing more was recorded\n")
    assert events(db, case_id) == [(0, "open", "2026-03-02", None)]


def test_case_accept_interrupted_as_it_commits_says_the_event_is_recorded(db, monkeypatch):
    case_id = opened(db)
    interrupted_as_committed(monkeypatch, 1)
    result = run(db, "case", "accept", case_id, "--on", "2026-03-03")
    assert result.exit_code == 1
    assert error_line(result) == (f"Error: interrupted, but case {case_id}'s accept on "
                                  "2026-03-03 was recorded (seq 1)")
    assert len(events(db, case_id)) == 2


def test_case_open_interrupted_as_it_commits_names_the_case_opened(db, monkeypatch):
    # The first command on a new database: the case is in, so the database is kept (the
    # failed first command's clean-up removes only one that holds nothing).
    interrupted_as_committed(monkeypatch, 1)
    result = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert error_line(result) == ("Error: interrupted, but case shanxi-2026-000001 was opened "
                                  "on 2026-03-02 (seq 0): it is recorded")
    assert events(db, "shanxi-2026-000001") == [(0, "open", "2026-03-02", None)]


def test_case_correct_interrupted_as_it_commits_says_the_correction_is_recorded(db,
                                                                               monkeypatch):
    case_id = opened(db)
    run(db, "case", "fire", case_id, "accept", "--on", "2026-03-03")
    interrupted_as_committed(monkeypatch, 1)
    result = run(db, "case", "correct", case_id, "1", "--on", "2026-03-04",
                 "--reason", "日期录错")
    assert result.exit_code == 1
    assert error_line(result) == (f"Error: interrupted, but case {case_id}'s correction of "
                                  "event 1 on 2026-03-04 was recorded (seq 2)")
    assert events(db, case_id)[2:] == [(2, "correction", "2026-03-04", 1)]


def settings(db):
    return [(s.county, s.name, s.value, s.citation, s.on.isoformat())
            for s in Engine.open(db).parameter_settings(in_force=False)]


def test_parameter_set_interrupted_as_it_commits_says_the_setting_is_recorded(db,
                                                                             monkeypatch):
    # The first command on a new database, as case open's above.
    interrupted_as_committed(monkeypatch, 1)
    result = run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
                 "--county", "甲县", "--basis", BASIS, "--on", "2026-01-05")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert error_line(result) == (f'Error: interrupted, but 甲县 (shanxi) dibao '
                                  f'investigation_start = "2wd" ({BASIS}) was recorded, from '
                                  "2026-01-05")
    assert settings(db) == [("甲县", "investigation_start", "2wd", BASIS, "2026-01-05")]


def test_parameter_unset_interrupted_as_it_commits_says_the_removal_is_recorded(db,
                                                                               monkeypatch):
    run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
        "--county", "甲县", "--basis", BASIS, "--on", "2026-01-05")
    interrupted_as_committed(monkeypatch, 1)
    result = run(db, "parameter", "unset", "investigation_start", "--province", "shanxi",
                 "--county", "甲县", "--basis", "甲县民政局〔2026〕4号", "--on", "2026-02-02")
    assert result.exit_code == 1
    assert error_line(result) == ("Error: interrupted, but the removal of 甲县 (shanxi) dibao "
                                  "investigation_start (甲县民政局〔2026〕4号) was recorded, from "
                                  "2026-02-02: the province's value again")
    assert settings(db)[1:] == [("甲县", "investigation_start", None, "甲县民政局〔2026〕4号",
                                 "2026-02-02")]


def test_parameter_set_interrupted_before_it_commits_says_nothing_was_recorded(db,
                                                                              monkeypatch):
    from engine.store import Store

    opened(db)
    monkeypatch.setattr(Store, "add_local_setting", failing_on_call(
        1, Store.add_local_setting, KeyboardInterrupt))
    result = run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
                 "--county", "甲县", "--basis", BASIS, "--on", "2026-01-05")
    assert (result.exit_code, result.stderr) == (
        1, "Error: interrupted: nothing more was recorded\n")
    assert settings(db) == []


def test_an_engine_says_what_its_interrupted_write_stored(tmp_path, monkeypatch):
    # The API's side (Engine.stored_write), which the command line reads: set as a write
    # commits, also where Ctrl-C stops the call then; None for a call that stored nothing.
    import pytest

    from engine.store import Store

    api = Engine.open(str(tmp_path / "api.db"))
    case = api.open_case(province="shanxi", on=date(2026, 3, 2), idempotency_key="k")
    assert (api.stored_write.case_id, api.stored_write.entries[-1].event) == (case.id, "open")
    api.open_case(province="shanxi", on=date(2026, 3, 2), idempotency_key="k")
    assert api.stored_write is None  # (a repeat: nothing stored now)
    interrupted_as_committed(monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt):
        api.fire(case.id, "accept", on=date(2026, 3, 3))
    assert [(e.seq, e.event) for e in api.stored_write.entries] == [(1, "accept")]
    monkeypatch.undo()
    interrupted_as_committed(monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt):
        api.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS,
                          on=date(2026, 1, 5))
    assert (api.stored_write.setting.name, api.stored_write.setting.value,
            api.stored_write.setting.citation) == ("investigation_start", "2wd", BASIS)
    monkeypatch.undo()
    monkeypatch.setattr(Store, "add_local_setting", failing_on_call(
        1, Store.add_local_setting, KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        api.set_parameter("shanxi", "甲县", "investigation_start", "3wd", BASIS,
                          on=date(2026, 1, 5))
    assert api.stored_write is None


def test_what_happened_by_itself_first_is_said_with_the_write(db, monkeypatch):
    # A 天津 phase-out (income recorded 2026-05-15: June … November) ends on 2026-12-01; a
    # correction dated after it records that end first (docs/cli.md, case correct), and the
    # line says both.
    api = Engine.open(db)
    [case_id] = phasing_out(api, 1)
    api.close()
    interrupted_as_committed(monkeypatch, 1)
    result = run(db, "case", "correct", case_id, "1", "--on", "2026-12-04", "--reason", "收入")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: interrupted, but case {case_id}'s phase_out_end on 2026-12-01 (by itself) and "
        "correction of event 1 on 2026-12-04 were recorded (seq 2, 3)")
    assert [e[:3] for e in events(db, case_id)[2:]] == [(2, "phase_out_end", "2026-12-01"),
                                                       (3, "correction", "2026-12-04")]


def test_parameter_void_interrupted_as_it_commits_says_the_set_aside_is_recorded(db,
                                                                                monkeypatch):
    # parameter void (a single write too, since the set-asides came) said "nothing more was
    # recorded" with its set-aside in.
    import sqlite3

    from helpers import put_back_triggers

    run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
        "--county", "甲县", "--basis", BASIS, "--on", "2026-01-05")
    with sqlite3.connect(db) as conn:  # (its date edited by hand: no setting can put it right)
        conn.execute("drop trigger if exists local_parameters_append_only_update")
        conn.execute("update local_parameters set [on] = 'x' where id = 1")
        put_back_triggers(conn)
    conn.close()
    interrupted_as_committed(monkeypatch, 1)
    result = run(db, "parameter", "void", "1", "--basis", "甲县民政局〔2026〕9号 更正")
    assert result.exit_code == 1
    assert error_line(result) == ("Error: interrupted, but the set-aside of county setting #1 "
                                  "(甲县民政局〔2026〕9号 更正) was recorded")
    assert [(v["setting"], v["citation"]) for v in Engine.open(db).store.setting_voids().values()
            ] == [(1, "甲县民政局〔2026〕9号 更正")]


def test_recompute_interrupted_once_it_has_written_says_so(db, monkeypatch):
    # Ctrl-C after recompute's batches are in, while it prints its table: the line said
    # "interrupted: nothing more was recorded"; it now says what the command had said it
    # recorded (as the demo's database, once built).
    import engine.cli.bulk

    case_id = opened(db)
    run(db, "case", "accept", case_id, "--on", "2026-03-03")
    run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
        "--county", "甲县", "--basis", BASIS, "--on", "2026-01-05")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine.cli.bulk, "emit", interrupted)
    result = run(db, "recompute")
    assert result.exit_code == 1
    assert error_line(result) == ("Error: interrupted, but the recompute events of 1 case "
                                  "are recorded")
    assert [h[1] for h in events(db, case_id)] == ["open", "accept", "recompute"]


def test_calendar_add_interrupted_as_it_commits_says_the_year_is_recorded(db, tmp_path,
                                                                           monkeypatch):
    # calendar add said "nothing more was recorded" with its year in; on a database it had
    # made, the clean-up of a failed first command then removed the file, year and all (it
    # looked for events and county settings only).
    import sqlite3

    from test_calendar_years import FIXTURE_2027, NOTICE

    monkeypatch.setattr("engine.clock.china_today", lambda: date(2026, 12, 7))
    path = tmp_path / "2027.toml"
    path.write_text(FIXTURE_2027, encoding="utf-8")
    interrupted_as_committed(monkeypatch, 1)
    result = run(db, "calendar", "add", str(path))
    assert result.exit_code == 1
    assert error_line(result) == (f"Error: interrupted, but calendar year #1 (2027, {NOTICE}) "
                                  "was recorded")
    with sqlite3.connect(db) as conn:
        assert conn.execute("select id, year from calendar_years").fetchall() == [(1, 2027)]
    monkeypatch.undo()
    monkeypatch.setattr("engine.clock.china_today", lambda: date(2026, 12, 7))
    interrupted_as_committed(monkeypatch, 1)
    result = run(db, "calendar", "void", "1", "--basis", "核对")
    assert error_line(result) == ("Error: interrupted, but the set-aside of calendar year #1 "
                                  "(核对) was recorded")
    with sqlite3.connect(db) as conn:
        assert conn.execute("select calendar_year, citation from calendar_year_voids"
                            ).fetchall() == [(1, "核对")]
