"""Crash safety: a process killed (SIGKILL) while firing events, or during a bulk import,
leaves a consistent database.

``Store.commit`` writes an event, the case's new row, its recomputed deadlines and any case
the event opens in one SQLite transaction (WAL mode); an import commits each batch of lines
the same way, in one transaction. A writer is started in a subprocess and killed at a random
moment, several times over the same database; after each kill:

- ``PRAGMA integrity_check`` is ``ok`` and the database opens again (WAL recovery);
- every event the writer reported as fired (it prints a line only after ``fire`` returned)
  is in the events table: a commit that returned survives the process (power loss, which
  also depends on the disk and PRAGMA synchronous, is not tested here);
- no half-written event: each case's row agrees with its last event (state, date), its events
  are numbered 0…n-1 without a gap, and an ``approve`` that opens a benefit case has it, with
  its links both ways;
- replaying each case from its history gives exactly the stored case and deadlines;
- where the engine hash-chains histories (``Engine.verify``), every chain is intact.

Each round continues on the database the previous kill left behind, so writing after a crash
is exercised too.

The import (``Engine.import_file``, what ``doudi import`` runs) is killed the same way, each
round re-running the same file on the database the last kill left. Besides the checks above:

- batches are all or nothing, and in file order: the file's lines in the database are exactly
  its first k × batch lines, at least as many as the importer reported committed;
- re-running the file to the end after the kills writes the rest and nothing twice (each line's
  idempotency key), ending with exactly the database one uninterrupted import of the file gives
  (row ids, recording times, hashes and case versions aside).

Run time: about 6 s for the writer, about 16 s for the import.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from engine import Engine

# The 山西 path of test_engine_shanxi.py (dates chosen so every guard passes): opened 1/26,
# 公示 2/12 running to 2/24, county review from 2/25, decided 3/17. Every third case is
# rejected instead (reject → notify_refusal), every seventh withdrawn after the 受理.
WRITER = '''
import sys
from datetime import date

from engine import Engine

db_path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
COMMON = [
    ("accept", date(2026, 1, 28)),
    ("start_investigation", date(2026, 2, 2)),
    ("request_verification", date(2026, 2, 4)),
    ("start_verification", date(2026, 2, 10)),
    ("post_publicity", date(2026, 2, 12)),
    ("submit_to_county", date(2026, 2, 25)),
]
APPROVED = [("approve", date(2026, 3, 17)), ("publish", date(2026, 3, 18))]
REJECTED = [("reject", date(2026, 3, 17)), ("notify_refusal", date(2026, 3, 19))]
WITHDRAWN = [("accept", date(2026, 1, 28)), ("withdraw", date(2026, 2, 3))]

engine = Engine.open(db_path)
print("ready", flush=True)
for i in range(count):
    case_id = f"{prefix}-{i:04d}"
    engine.open_case(province="shanxi", on=date(2026, 1, 26), case_id=case_id,
                     attributes={"county": "太原市小店区", "household_size": 1 + i % 5,
                                 "amount": 300 + i})
    print(case_id, 0, "open", flush=True)
    if i % 7 == 6:
        path = WITHDRAWN
    else:
        path = COMMON + (REJECTED if i % 3 == 2 else APPROVED)
    for seq, (event, on) in enumerate(path, start=1):
        engine.fire(case_id, event, on=on)
        print(case_id, seq, event, flush=True)
print("done", flush=True)
'''

# ~9 events each, a commit each: far longer to write than the latest kill (1.5 s), even where
# fsync is nearly free (fire at NORMAL ran 10,000 events/s on an AMD EPYC machine: 1,000
# cases would be 0.9 s there); a round killed early costs no more for the cases left unwritten
CASES_PER_ROUND = 3000


def run_and_kill(script, args, delay, after_first=False):
    """Run ``script ARGS``, SIGKILL it ``delay`` seconds after it printed ``ready`` (with
    ``after_first``: after the first line that follows it); the lines it printed after
    ``ready``."""
    proc = subprocess.Popen(
        [sys.executable, str(script), *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    lines: list[str] = []
    ready, first = threading.Event(), threading.Event()

    def read():
        for line in proc.stdout:
            if line.endswith("\n"):  # a line cut by the kill was not reported
                lines.append(line.rstrip("\n"))
                (first if ready.is_set() else ready).set()
        ready.set()
        first.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert ready.wait(30), "the script never started"
    # (on a loaded machine the first write can take longer than the shortest delay: a kill
    # before anything was reported would leave nothing to check)
    assert not after_first or first.wait(30), "the script never reported a first line"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    reader.join(10)
    stderr = proc.stderr.read()
    proc.stderr.close()
    assert "Traceback" not in stderr, stderr
    assert lines and lines[0] == "ready", (lines, stderr)
    return lines[1:]


def check_database(db_path, reported):
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        events = {(c, s): e for c, s, e in conn.execute("select case_id, seq, event from events")}
        # Every event reported as fired was committed, and is there as reported.
        for line in reported:
            case_id, seq, event = line.split()
            assert events.get((case_id, int(seq))) == event, f"lost: {line}"
        # Each case's row agrees with its last event; its events have no gap.
        rows = conn.execute(
            "select c.id, c.state, c.last_event_on, count(e.id), max(e.seq), "
            "(select to_state from events where case_id = c.id order by seq desc limit 1), "
            "(select [on] from events where case_id = c.id order by seq desc limit 1) "
            "from cases c left join events e on e.case_id = c.id group by c.id"
        ).fetchall()
        for case_id, state, last_on, count, top, last_state, last_event_on in rows:
            assert count >= 1, f"{case_id} has no opening event"
            assert top == count - 1, f"{case_id}: events numbered with a gap"
            assert (state, last_on) == (last_state, last_event_on), case_id
        # An approve opened its benefit case in the same transaction, linked both ways.
        for (case_id,) in conn.execute(
            "select case_id from events where event = 'approve'"
        ).fetchall():
            links = conn.execute("select other_id from links where case_id = ?",
                                 [case_id]).fetchall()
            assert len(links) == 1, f"{case_id}: approved without its benefit case"
            (benefit,) = links[0]
            back = conn.execute("select other_id from links where case_id = ?",
                                [benefit]).fetchall()
            assert back == [(case_id,)]
            assert conn.execute("select workflow from cases where id = ?",
                                [benefit]).fetchone() == ("benefit",)
        # No orphan rows from a half-written opening.
        for table in ("deadlines", "events", "sanctions"):
            orphans = conn.execute(
                f"select count(*) from {table} where case_id not in (select id from cases)"
            ).fetchone()[0]
            assert orphans == 0, table
        case_count = len(rows)
    finally:
        conn.close()

    engine = Engine.open(db_path)  # opens (and recovers) after the kill
    try:
        checked = 0
        for stored in list(engine.store.cases()):
            case, deadlines = engine.replay(stored.id)
            assert (case.state, case.attributes, case.last_event_on) == (
                stored.state, stored.attributes, stored.last_event_on), stored.id
            assert [d.to_row(stored.id) for d in deadlines] == [
                d.to_row(stored.id) for d in engine.store.deadlines(stored.id)], stored.id
            checked += 1
        assert checked == case_count
        # Where histories are hash-chained (engine.verify, doudi audit verify), a kill leaves
        # every chain intact.
        if hasattr(engine, "verify"):
            _, _, findings = engine.verify()
            assert findings == [], [str(f) for f in findings]
    finally:
        engine.store.db.close()
    return case_count


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sigkill_while_firing_leaves_a_consistent_replayable_database(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(WRITER), encoding="utf-8")
    db_path = str(tmp_path / "crash.db")
    # Four kills at different moments: a new random draw each run (the moment a kill lands
    # is timing-dependent anyway), shown with any failure.
    delays = [round(random.uniform(low, low + 0.4), 3) for low in (0.05, 0.4, 0.75, 1.1)]
    random.shuffle(delays)
    previous_cases = 0
    for round_no, delay in enumerate(delays):
        reported = run_and_kill(script, [db_path, f"R{round_no}", CASES_PER_ROUND], delay,
                                after_first=True)
        where = (f"round {round_no}, killed {delay}s after its first case opened "
                 f"({len(reported)} lines)")
        # The kill landed while the writer was still writing.
        assert reported and reported[-1] != "done", f"{where}: finished before the kill"
        try:
            cases = check_database(db_path, reported)
        except AssertionError as exc:
            raise AssertionError(f"{where}: {exc}") from exc
        assert cases > previous_cases, where  # each round wrote on what the last kill left
        previous_cases = cases


# The importer: Engine.import_file on the file, printing after each batch it committed (the
# callback runs once the batch's transaction returned) how many lines are committed so far.
IMPORTER = '''
import sys

from engine import Engine

db_path, path, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
committed = 0


def progress(lines):
    global committed
    committed += lines
    print("committed", committed, flush=True)


engine = Engine.open(db_path)
print("ready", flush=True)
result = engine.import_file(path, batch=batch, progress=progress)
print("done", result.lines, result.events, result.already, flush=True)
'''

# The same 山西 path as WRITER, as import lines: 9 lines a case, every third case rejected.
IMPORT_PATH = [
    ("accept", "2026-01-28"),
    ("start_investigation", "2026-02-02"),
    ("request_verification", "2026-02-04"),
    ("start_verification", "2026-02-10"),
    ("post_publicity", "2026-02-12"),
    ("submit_to_county", "2026-02-25"),
]
IMPORT_APPROVED = [("approve", "2026-03-17"), ("publish", "2026-03-18")]
IMPORT_REJECTED = [("reject", "2026-03-17"), ("notify_refusal", "2026-03-19")]
# 57,600 lines, about 3.4 s to import at batch 100 where it runs 17,000 lines/s (an AMD EPYC
# machine, 2026-12-07; about 8 s at the ~7,000 lines/s first seen): well over what the three
# kills' delays together allow (2.05 s at most), so the last kill too lands before the import
# is through. (Half as many lines, 28,800, let the third run finish first there once.)
IMPORT_CASES = 6400
IMPORT_BATCH = 100  # divides the file; batches end mid-case, so a case often spans two runs
IMPORT_DELAYS = (0.05, 0.37, 0.68, 1.0)  # one kill in each third of 0.05–1.0 s


def import_file_lines():
    """The JSONL file's lines, and each one's event as ``check_database`` expects it reported:
    ``case_id seq event`` (line n opens or fires exactly one event of its case)."""
    lines, events = [], []
    for i in range(IMPORT_CASES):
        case_id = f"X-{i:04d}"
        lines.append({"op": "open", "province": "shanxi", "on": "2026-01-26", "id": case_id,
                      "attributes": {"county": "太原市小店区", "household_size": 1 + i % 5,
                                     "amount": 300 + i}})
        events.append(f"{case_id} 0 open")
        path = IMPORT_PATH + (IMPORT_REJECTED if i % 3 == 2 else IMPORT_APPROVED)
        for seq, (event, on) in enumerate(path, start=1):
            lines.append({"op": "fire", "case_id": case_id, "event": event, "on": on})
            events.append(f"{case_id} {seq} {event}")
    return [json.dumps(line, ensure_ascii=False) for line in lines], events


def imported_events(db_path):
    """The file's events in the database (its cases' ids start with X-; the benefit cases an
    approve opens are numbered by the engine), as ``case_id seq event``."""
    conn = sqlite3.connect(db_path)
    try:
        return {f"{c} {s} {e}" for c, s, e in conn.execute(
            "select case_id, seq, event from events where case_id like 'X-%'")}
    finally:
        conn.close()


IGNORED_COLUMNS = {"recorded_at", "created_at", "hash", "prev_hash", "version"}


def content(db_path):
    """Every table's rows, sorted, without row ids, recording times, hashes and versions."""
    conn = sqlite3.connect(db_path)
    try:
        tables = [t for (t,) in conn.execute(
            "select name from sqlite_master where type = 'table' "
            "and name not like 'sqlite%' and name != '_sqlite_migrations' order by name")]
        dump = {}
        for table in tables:
            columns = [name for _, name, kind, _, _, pk in conn.execute(f"pragma table_info({table})")
                       if name not in IGNORED_COLUMNS and not (pk and kind == "INTEGER")]
            rows = conn.execute(f"select {', '.join(f'[{c}]' for c in columns)} from {table}")
            dump[table] = (columns, sorted(rows.fetchall(), key=repr))
        return dump
    finally:
        conn.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sigkill_during_an_import_then_rerunning_it_gives_the_uninterrupted_database(tmp_path):
    script = tmp_path / "importer.py"
    script.write_text(textwrap.dedent(IMPORTER), encoding="utf-8")
    lines, events = import_file_lines()
    assert len(lines) % IMPORT_BATCH == 0
    path = tmp_path / "import.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db_path = str(tmp_path / "crash.db")
    # Three kills, a new random draw each run, shown with any failure.
    delays = [round(random.uniform(low, high), 3)
              for low, high in itertools.pairwise(IMPORT_DELAYS)]
    random.shuffle(delays)
    previous = 0
    for round_no, delay in enumerate(delays):
        printed = run_and_kill(script, [db_path, path, IMPORT_BATCH], delay)
        where = (f"round {round_no}, killed {delay}s after start "
                 f"({printed[-1] if printed else 'no batch committed'})")
        # The kill landed while the import was still running.
        assert not printed or not printed[-1].startswith("done"), f"{where}: finished first"
        reported = int(printed[-1].split()[1]) if printed else 0
        try:
            check_database(db_path, events[:reported])
            in_db = imported_events(db_path)
            # Whole batches, in file order: exactly the first k × batch lines are there.
            count = len(in_db)
            assert count % IMPORT_BATCH == 0, f"{count} lines imported: a batch cut in two"
            assert in_db == set(events[:count]), "not the file's first lines"
            assert count >= max(reported, previous)
        except AssertionError as exc:
            raise AssertionError(f"{where}: {exc}") from exc
        previous = count

    # Run to the end: only what the kills left out is written.
    engine = Engine.open(db_path)
    try:
        result = engine.import_file(str(path), batch=IMPORT_BATCH)
    finally:
        engine.store.db.close()
    assert (result.lines, result.events, result.already, result.skipped) == (
        len(lines), len(lines) - previous, previous, [])
    fresh_path = str(tmp_path / "fresh.db")
    fresh = Engine.open(fresh_path)
    try:
        assert fresh.import_file(str(path), batch=IMPORT_BATCH).events == len(lines)
    finally:
        fresh.store.db.close()
    assert content(db_path) == content(fresh_path)


LEFT_IN_THE_LOG = """
import os, signal, sys
from datetime import date
from engine import Engine
engine = Engine.open(sys.argv[1])
engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="LOGGED")
os.kill(os.getpid(), signal.SIGKILL)  # the commit is in the log beside the file
"""


def test_a_database_removed_without_its_log_is_not_recreated_over_the_log(tmp_path):
    """SQLite finds a database's log by its name: a log a killed writer left, beside a file
    removed since, would be applied to the new file made at that path, and corrupt it
    ("database disk image is malformed"). The command refuses in one line, makes nothing,
    and leaves the log for whoever restores the database."""
    from helpers import error_line, run

    path = str(tmp_path / "cases.db")
    subprocess.run([sys.executable, "-c", LEFT_IN_THE_LOG, path])
    os.remove(path)
    assert os.path.getsize(path + "-wal") > 0
    result = run(path, "case", "open", "--province", "shanxi", "--on", "2026-03-02")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {path} does not exist, but {path}-wal, a log of a database that was there, "
        "does: put the database back beside it, or move the log away, and run again")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.db-shm", "cases.db-wal"]


def test_through_a_symlink_a_removed_database_s_log_is_refused_too(tmp_path):
    """Found by review: with --db a symlink (a database kept on another volume, say), the
    log was looked for beside the link, while SQLite keeps it beside the file the link
    names: a new database was made there over the removed one's log, which SQLite then
    dropped, and the commits only it held with it. Refused as without a link."""
    from helpers import error_line, run

    real, link = str(tmp_path / "cases.db"), str(tmp_path / "link.db")
    os.symlink(real, link)
    subprocess.run([sys.executable, "-c", LEFT_IN_THE_LOG, real])
    os.remove(real)
    assert os.path.getsize(real + "-wal") > 0
    result = run(link, "case", "open", "--province", "shanxi", "--on", "2026-03-02")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {real} does not exist, but {real}-wal, a log of a database that was there, "
        "does: put the database back beside it, or move the log away, and run again")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.db-shm", "cases.db-wal",
                                                          "link.db"]
    # Through a link to no file yet, the database is made whole where the link points.
    os.remove(link)
    os.symlink(str(tmp_path / "new.db"), link)
    assert run(link, "case", "open", "--province", "shanxi", "--on", "2026-03-02").exit_code == 0
    assert Engine.open(str(tmp_path / "new.db")).verify() == (1, 1, [])


def test_release_folds_a_killed_writer_s_log_into_the_file(tmp_path):
    """What ``doudi demo`` does before its new file replaces the old one: the commit in the
    log reaches the file, and the log is gone; a file another connection has open is refused."""
    from engine.db_files import release
    from engine.errors import DoudiError

    path = str(tmp_path / "cases.db")
    subprocess.run([sys.executable, "-c", LEFT_IN_THE_LOG, path])
    assert os.path.getsize(path + "-wal") > 0
    release(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.db"]
    reader = sqlite3.connect(path)
    try:
        assert reader.execute("select id from cases").fetchall() == [("LOGGED",)]
        with pytest.raises(DoudiError, match="is open in another process"):
            release(path)
    finally:
        reader.close()
