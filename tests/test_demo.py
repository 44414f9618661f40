"""``doudi demo``: builds for any --as-of, and leaves nothing behind when it fails."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from engine import Engine
from engine.cli import cli
from engine.errors import DoudiError
from engine.registry import get_registry
from helpers import error_line


@pytest.mark.parametrize("as_of", ["2026-05-20", "2027-03-01"])
def test_the_demo_raises_objections_only_within_the_publicity(tmp_path, as_of):
    """民发〔2021〕57号 第19条: 公示 7 days, objections within it. A 公示 posted on 2026-04-29
    runs 4/30 … 5/6 (《民法典》第201条; 5/6 is a working day after 劳动节 5/1–5/5): three
    working days after the posting (4/30, 5/6, 5/7) is already past it. The demo drew such
    delays and failed for these dates."""
    path = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(path), "--as-of", as_of])
    assert result.exit_code == 0, result.output
    engine = Engine.open(str(path))
    objections = engine.store.db.execute(
        "select case_id, [on] from events where event = 'raise_objection'").fetchall()
    assert objections  # the window check below is not vacuous
    for case_id, on in objections:
        publicity = next(v.deadline for v in engine.deadlines(case_id, date.fromisoformat(on))
                         if v.deadline.rule == "publicity")
        assert publicity.starts_on < date.fromisoformat(on) <= publicity.due_on
    assert engine.calendar("shanxi").add_working_days(date(2026, 4, 29), 3) == \
        date(2026, 5, 7)
    assert Engine.open(str(path)).due(date(2026, 4, 29), "7d").due == date(2026, 5, 6)


def test_a_failed_demo_leaves_no_scratch_files(tmp_path, monkeypatch):
    import engine.demo

    def failing(*args, **kwargs):
        raise DoudiError("refused halfway")

    monkeypatch.setattr(engine.demo, "build_demo", failing)
    result = CliRunner().invoke(cli, ["demo", "--db", str(tmp_path / "demo.db")])
    assert result.exit_code == 1
    assert error_line(result, starts_with="Error: ") == "Error: refused halfway"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("there", [False, True])
def test_a_demo_that_fills_the_disk_says_so_in_one_line_and_leaves_no_scratch_file(
        tmp_path, monkeypatch, there):
    """A full disk while the cases are built was "database error: database or disk is full",
    which said nothing of the file or the scratch file (removed). The scratch file at its
    max_page_count, 20 pages on from where the build starts; a demo database already there
    is left as it was."""
    import engine.demo

    path = tmp_path / "demo.db"
    if there:
        assert CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "5"]).exit_code == 0
        before = path.read_bytes()
    real_build = engine.demo.build_demo

    def on_a_full_disk(engine, *args, **kwargs):
        pages = engine.store.db.execute("PRAGMA page_count").fetchone()[0]
        engine.store.db.execute(f"PRAGMA max_page_count = {pages + 20}")
        return real_build(engine, *args, **kwargs)

    monkeypatch.setattr(engine.demo, "build_demo", on_a_full_disk)
    result = CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "50"])
    assert result.exit_code == 1
    kept = " (the one there is left as it was)" if there else ""
    assert error_line(result) == (
        f"Error: {path}: the disk is full (SQLite: database or disk is full): the demo database "
        f"was not built{kept} and its scratch file is removed; free space and try again")
    assert [p.name for p in tmp_path.iterdir()] == (["demo.db"] if there else [])
    if there:
        assert path.read_bytes() == before


def test_the_demo_s_summary_counts_what_the_database_holds(tmp_path):
    path = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "20",
                                      "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    conn = Engine.open(str(path)).store.db.conn
    cases, events = conn.execute("select (select count(*) from cases), "
                                 "(select count(*) from events)").fetchone()
    assert cases > 20  # approvals open benefit cases by themselves
    assert f"demo.db: {cases} cases (20 applications and households, the rest benefit " \
           f"cases opened by approval), {events} events;" in result.stderr


def test_a_seed_sqlite_cannot_store_is_a_usage_error_before_anything_is_built(tmp_path):
    path = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(path), "--seed", str(2**63)])
    assert result.exit_code == 2
    assert "--seed" in result.output and "Traceback" not in result.output
    assert not path.exists()


@pytest.mark.parametrize("as_of", ["2019-01-01", "2060-06-30"])
def test_a_demo_too_near_the_calendar_s_ends_says_so(tmp_path, as_of):
    # Found by review: it failed naming a date the user never gave (2017-06-10, 2061-05-18).
    result = CliRunner().invoke(cli, ["demo", "--db", str(tmp_path / "demo.db"), "--as-of", as_of])
    assert result.exit_code == 2
    assert error_line(result, starts_with="Error: ").startswith(
        f"Error: --as-of {as_of} is too near the calendar's ends for the demo, whose cases run "
        "from up to two years before it and count deadlines up to a year after (")
    assert list(tmp_path.iterdir()) == []


GUARDED_PROVINCE = '''
from engine import WorkflowPatch

@hookimpl
def doudi_register_guards(register):
    register("hainan_needs_village", lambda ctx: None if ctx.attributes.get("village")
             else "琼民规〔2099〕1号 四(三): 确认前须登记村（社区）")

@hookimpl
def doudi_workflow_patches(province, workflow):
    if province == "hainan" and workflow == "dibao":
        return [WorkflowPatch("琼民规〔2099〕1号 四(三)", add_guards=(("approve", "hainan_needs_village"),))]
'''


def test_the_demo_builds_in_the_shipped_provinces_and_names_another_it_leaves_out(install, tmp_path,
                                                                                 monkeypatch):
    # A third party's province whose own guard the synthetic cases do not satisfy stopped the
    # demo: "Error: approve refused: …", exit 1, no database, and no word of where it came from.
    install(GUARDED_PROVINCE)
    path = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "24",
                                      "--as-of", "2026-05-20"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "demo: no cases in hainan 海南省 (plugin 'broken', doudi_broken 1.0): the demo's "
        "synthetic cases follow only the provinces shipped with doudi")
    provinces = Engine.open(str(path)).store.db.execute(
        "select distinct province from cases order by province").fetchall()
    assert [p for (p,) in provinces] == ["jiangsu_draft", "shanxi", "tianjin"]
    # With none of the shipped provinces loaded there is nothing to build: one error line.
    monkeypatch.setenv("DOUDI_LOAD_PLUGINS", "broken")
    get_registry.cache_clear()
    result = CliRunner().invoke(cli, ["demo", "--db", str(tmp_path / "other.db")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: the demo builds its cases in the provinces shipped with doudi, and none of "
        "them is loaded (see DOUDI_LOAD_PLUGINS)")
    assert "Traceback" not in result.output and not (tmp_path / "other.db").exists()


KILLED_WRITER = """
import os, signal, sys
from datetime import date
from engine import Engine
engine = Engine.open(sys.argv[1])
(case_id,) = engine.store.db.execute("select id from cases limit 1").fetchone()
engine.correct(case_id, 0, on=date(2026, 12, 1), reason="recorded in error")
os.kill(os.getpid(), signal.SIGKILL)  # the log is left beside the file, holding the commit
"""


def _demo(path, *args):
    return CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "12",
                                    "--as-of", "2026-11-23", *args])


def _integrity(path):
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0], conn.execute(
            "select seed from _doudi_demo").fetchone()[0]
    finally:
        conn.close()


def test_the_demo_rebuilds_over_a_log_a_killed_writer_left(tmp_path):
    """SQLite finds a database's write-ahead log by name: moved over the old file, the new
    demo database had the old one's log applied to it, and was corrupt ("database disk image
    is malformed"). The log is folded into the old file first. (Each command in a process of
    its own, as an operator runs them.)"""
    import subprocess
    import sys

    def demo(*args):
        return subprocess.run([sys.executable, "-c", "from engine.cli import cli; cli()", "demo",
                               "--db", str(path), "--cases", "20", "--as-of", "2026-11-30",
                               *args], capture_output=True, text=True)

    path = tmp_path / "demo.db"
    assert demo().returncode == 0
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)])
    assert (tmp_path / "demo.db-wal").stat().st_size > 0
    result = demo("--seed", "5")
    assert result.returncode == 0, result.stderr
    assert _integrity(str(path)) == ("ok", 5)


def test_the_demo_leaves_a_database_another_process_has_open(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "demo.db"
    assert _demo(path).exit_code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('select * from _doudi_demo').fetchall(); print('open', flush=True); "
         "sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "open\n"
        result = _demo(path, "--seed", "5")
    finally:
        holder.communicate("")
    assert result.exit_code == 1
    assert error_line(result, starts_with="Error: ") == (
        f"Error: {path} is open in another process: close it there and run again")
    assert _integrity(str(path)) == ("ok", 2026)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]


def test_the_demo_database_has_the_mode_the_user_s_umask_gives(tmp_path):
    """Found by review: it was made 0600 (the scratch file's mode), unlike every other
    database doudi makes."""
    import os
    import stat

    path = tmp_path / "demo.db"
    umask = os.umask(0o022)
    try:
        assert _demo(path).exit_code == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_the_demo_is_not_built_over_the_log_of_a_database_removed_without_it(tmp_path):
    """Found by review: the demo file removed, its log left with a commit in it, the new demo
    file had that log applied and was corrupt, and refused ever after. Refused in one line;
    nothing is made."""
    import subprocess
    import sys

    path = tmp_path / "demo.db"
    assert _demo(path).exit_code == 0
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)])
    path.unlink()
    result = _demo(path, "--seed", "5")
    assert result.exit_code == 1
    assert error_line(result, starts_with="Error: ") == (
        f"Error: {path} does not exist, but {path}-wal, a log of a database that was there, "
        "does: put the database back beside it, or move the log away, and run again")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db-shm", "demo.db-wal"]


def test_the_demo_s_summary_says_one_in_the_singular(tmp_path):
    """Found by review: `doudi demo --cases 1` said "1 applications and households"."""
    path = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "1",
                                      "--as-of", "2026-11-23", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "demo.db: 2 cases (1 application or household, the other a benefit case opened " \
           "by approval), 9 events;" in result.stderr
    assert "1 applications" not in result.stderr
    conn = Engine.open(str(path)).store.db.conn
    assert conn.execute("select count(*) from cases").fetchone()[0] == 2


def test_the_demo_s_summary_names_no_benefit_case_where_none_was_opened(tmp_path):
    """Found by review: a demo whose one application was not approved said "(1 application or
    household, the rest benefit cases opened by approval)" of a database with no other case."""
    path = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "1",
                                      "--as-of", "2026-11-23", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "demo.db: 1 case (1 application or household), 6 events;" in result.stderr
    assert Engine.open(str(path)).store.db.execute("select count(*) from cases").fetchone() == (1,)


def test_a_demo_removes_the_scratch_files_of_a_killed_demo_and_no_others(tmp_path):
    # A demo killed while it builds (SIGKILL: no clean-up runs) left its scratch database and
    # logs beside the demo database for good. The next demo removes those of this host's
    # demos whose process is gone; a running demo's, another host's and other files stay.
    import os
    import subprocess
    import sys

    from engine.cli.demo import _scratch_prefix

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    db = str(tmp_path / "demo.db")
    killed = _scratch_prefix(db, pid=gone.pid) + "abc123.db"
    running = _scratch_prefix(db, pid=os.getpid()) + "def456.db"
    elsewhere = ".demo.db.demo-otherhost-" + str(gone.pid) + "-ghi789.db"
    other_name = _scratch_prefix(str(tmp_path / "mine.db"), pid=gone.pid) + "jkl.db"
    left = [killed, killed + "-wal", killed + "-shm", running, elsewhere, other_name]
    for name in left:
        (tmp_path / name).write_bytes(b"")
    result = CliRunner().invoke(cli, ["demo", "--db", db, "--cases", "3", "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["demo.db", running, elsewhere, other_name])


def _demo_seed(path):
    return Engine.open(str(path)).store.db.execute("select seed from _doudi_demo").fetchone()[0]


def _interrupted_demo(path):
    return CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "20", "--seed", "7",
                                    "--as-of", "2026-11-23"])


def test_a_demo_interrupted_once_its_database_is_in_place_says_it_is_built(tmp_path,
                                                                            monkeypatch):
    # Ctrl-C as os.replace returns (Python raises it at its first check after a call returns),
    # or later, while the breach report is worked out: the demo database is there, whole,
    # and the line said "interrupted: nothing more was recorded".
    import os

    import engine.core

    path = tmp_path / "demo.db"
    real_replace = os.replace

    def replaced_then_interrupted(*args, **kwargs):
        real_replace(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", replaced_then_interrupted)
    result = _interrupted_demo(path)
    assert result.exit_code == 1
    assert error_line(result, starts_with="Error: ") == (
        f"Error: interrupted, but the demo database {path} is built")
    assert _demo_seed(path) == 7
    assert Engine.open(str(path)).store.count_cases() > 20
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == ["demo.db"]
    monkeypatch.undo()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    path.unlink()
    monkeypatch.setattr(engine.core.Engine, "breaches", interrupted)
    result = _interrupted_demo(path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (  # (after the summary of what it holds)
        f"Error: interrupted, but the demo database {path} is built")
    assert _demo_seed(path) == 7


@pytest.mark.parametrize("where", ["building", "committed"])
def test_a_demo_interrupted_before_its_database_is_in_place_leaves_the_old_one(tmp_path,
                                                                            monkeypatch, where):
    # The demo is built in one transaction, in a scratch file that replaces --db whole: Ctrl-C
    # while its cases are built (rolled back), or once that transaction's COMMIT has returned
    # (the scratch file is removed), leaves the demo database as it was, and says so.
    import engine.db_files
    import engine.demo

    path = tmp_path / "demo.db"
    assert CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "5", "--seed", "3",
                                    "--as-of", "2026-11-23"]).exit_code == 0
    if where == "building":
        real_build = engine.demo.build_demo

        def built_then_interrupted(*args, **kwargs):
            real_build(*args, **kwargs)
            raise KeyboardInterrupt

        monkeypatch.setattr(engine.demo, "build_demo", built_then_interrupted)
    else:
        real_make_way, calls = engine.db_files.make_way, []

        def second_interrupted(*args, **kwargs):  # (the second: after the COMMIT)
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real_make_way(*args, **kwargs)

        monkeypatch.setattr(engine.db_files, "make_way", second_interrupted)
    result = _interrupted_demo(path)
    assert (result.exit_code, error_line(result, starts_with="Error: ")) == (
        1, "Error: interrupted: nothing more was recorded")
    assert _demo_seed(path) == 3
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == ["demo.db"]


@pytest.mark.parametrize("given", [True, False], ids=["--db", "default"])
def test_a_folder_where_the_demo_database_goes_is_refused_in_doudi_s_words(tmp_path, monkeypatch,
                                                                          given):
    """A folder given as --db (or one named doudi-demo.db where the default goes) is refused
    as every other command refuses one, in one line, exit 2, and not as $DOUDI_DB's though it
    is set: the demo never reads it. (Click's own check said "File '…' is a directory.")"""
    folder = tmp_path / "doudi-demo.db"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    args = ["demo", "--db", str(folder)] if given else ["demo"]
    result = CliRunner().invoke(cli, args, env={"DOUDI_DB": str(tmp_path / "cases.db")})
    assert result.exit_code == 2, result.output
    shown = str(folder) if given else "doudi-demo.db"
    assert error_line(result) == (f"Error: Invalid value for '--db': must name a file (got a "
                                  f"folder, {shown!r})")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doudi-demo.db"]
    assert list(folder.iterdir()) == []


def test_a_demo_whose_scratch_file_cannot_be_given_its_schema_on_a_full_disk_names_db(
        tmp_path, monkeypatch):
    """The scratch file's schema finding the disk full was "SCRATCH: the database cannot be
    opened (database or disk is full)": a file the user never named, since removed."""
    import sqlite3

    from engine.schema import migrations

    real_apply = migrations.apply

    def on_a_full_disk(db):
        real_apply(db)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(migrations, "apply", on_a_full_disk)
    path = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "5"])
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {path}: the disk is full (SQLite: database or disk is full): the demo database "
        "was not built and its scratch file is removed; free space and try again")
    assert list(tmp_path.iterdir()) == []


def test_the_demo_s_findings_of_changes_criticise_by_default_and_some_are_spared(tmp_path):
    """民发〔2022〕83号 五(五) (each seed's too): a change "超过3个月未主动告知的…可以进行批评教育".
    The demo's change_found events give 批评教育 by themselves where the change went more than
    3 months unreported, and for some such finding the office decides against it
    (criticism=false: no sanction); a change found within the 3 months gets none. (The demo
    gave criticism=true for each change over 100 days old, and never the opt-out.)"""
    from engine.demo import build_demo

    engine = Engine.open(str(tmp_path / "demo.db"))
    build_demo(engine, date(2026, 11, 30), cases=240, seed=3)
    seen = set()
    for case_id, seq, on, payload in engine.store.db.execute(
            "select case_id, seq, [on], payload from events where event = 'change_found'"):
        data = json.loads(payload)
        occurred, decided = date.fromisoformat(data["occurred_on"]), data.get("criticism")
        over = date.fromisoformat(on) > engine.due(occurred, "3m").due
        kinds = engine.store.db.execute("select kind, [on] from sanctions where case_id = ? and "
                                        "seq = ?", [case_id, seq]).fetchall()
        assert decided in (None, False)
        expected = [("criticism", on)] if over and decided is None else []
        assert [tuple(k) for k in kinds] == expected, (case_id, on, occurred)
        seen.add(("over" if over else "within", decided))
    assert seen == {("over", None), ("over", False), ("within", None)}


def test_every_refusal_of_the_demo_has_its_written_notice(tmp_path):
    """民发〔2021〕57号 第21条: a refusal is told in writing "并说明理由", and `doudi notice
    refusal` refuses a refusal with no reason recorded. The demo's rejects recorded none, so
    the notice of every refused case of the demo database (the one the README invites an
    operator to explore) was "Error: the reject of case … recorded no reason", exit 1."""
    from engine.demo import build_demo

    path = tmp_path / "demo.db"
    engine = Engine.open(str(path))
    build_demo(engine, date(2026, 6, 30), cases=120, seed=2026)
    refused = [case_id for (case_id,) in engine.store.db.execute(
        "select case_id from events where event = 'reject' order by case_id")]
    assert len(refused) >= 5  # (not vacuous: a fifth of the decisions are refusals)
    for case_id in refused:
        result = CliRunner().invoke(cli, ["notice", "refusal", case_id, "--db", str(path),
                                          "--format", "json"])
        assert result.exit_code == 0, (case_id, result.output)
        notice = json.loads(result.stdout)
        assert notice["reasons"] and all(line.strip() for line in notice["reasons"])
        assert notice["basis"] == "民发〔2021〕57号 第21条"
