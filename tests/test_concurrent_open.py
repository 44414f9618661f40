"""Several processes opening cases at once, on a database none of them has yet.

Found by review: six `case open` at once on a new file lost cases that had printed their ids
(they raced through the migrations, and one that failed removed the file the others had
written to), and auto-numbered opens at once failed with "case …-000002 already exists".
"""

from __future__ import annotations

import multiprocessing
import os
from datetime import date

import pytest

from engine import Engine

PROCESSES = 6


def _open_cases(path: str, start, results, index: int) -> None:
    start.wait()
    try:
        engine = Engine.open(path)
        given = engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=f"ID{index}")
        numbered = engine.open_case(province="shanxi", on=date(2026, 3, 2))
        results.put((index, given.id, numbered.id))
    except BaseException as exc:  # reported to the test, not lost in the child
        results.put((index, "error", repr(exc)))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to start the writers at once")
def test_processes_creating_and_numbering_at_once_all_keep_their_cases(tmp_path):
    path = str(tmp_path / "new.db")
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(PROCESSES), context.Queue()
    workers = [context.Process(target=_open_cases, args=(path, start, results, i))
               for i in range(PROCESSES)]
    for worker in workers:
        worker.start()
    reported = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert [r for r in reported if r[1] == "error"] == []
    engine = Engine.open(path)
    stored = {row[0] for row in engine.store.db.execute("select id from cases").fetchall()}
    # Every id a process was given back is stored; the numbered ones are 000001 … 000006.
    assert stored == {r[1] for r in reported} | {r[2] for r in reported}
    assert sorted(r[2] for r in reported) == [f"shanxi-2026-{n:06d}" for n in range(1, 7)]
    assert engine.verify() == (12, 12, [])
    assert sorted(os.listdir(tmp_path)) == ["new.db", "new.db-shm", "new.db-wal"]


def test_a_failed_first_command_leaves_a_database_another_process_has_open(tmp_path,
                                                                           monkeypatch):
    # Review finding: the clean-up removed a database this process had made but another
    # had opened meanwhile, which then wrote into the removed file. Here another process
    # opens it while the first command runs, and the command then fails.
    import subprocess
    import sys

    from engine.core import Engine as EngineClass
    from engine.errors import InvalidInput
    from helpers import run

    path = str(tmp_path / "shared.db")
    other = []
    writer = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
              "c.execute('select count(*) from cases').fetchall(); print('open', flush=True); "
              "sys.stdin.read(); c.execute(\"insert into case_numbers values ('x', 1)\"); "
              "c.commit()")

    def fails_after_another_opened_it(self, *args, **kwargs):
        other.append(subprocess.Popen([sys.executable, "-c", writer, path], text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE))
        assert other[0].stdout.readline() == "open\n"
        raise InvalidInput("bad first line")

    monkeypatch.setattr(EngineClass, "import_file", fails_after_another_opened_it)
    (tmp_path / "x.jsonl").write_text("{}\n", encoding="utf-8")
    result = run(path, "import", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 2
    other[0].communicate("", timeout=30)  # it writes its row, and ends
    assert other[0].returncode == 0
    kept = Engine.open(path)  # kept, with what the other process wrote
    assert kept.store.db.execute("select highest from case_numbers").fetchall() == [(1,)]
    # Alone, a failed first command still leaves nothing.
    alone = str(tmp_path / "alone.db")
    monkeypatch.setattr(EngineClass, "import_file",
                        lambda self, *a, **k: (_ for _ in ()).throw(InvalidInput("bad")))
    assert run(alone, "import", str(tmp_path / "x.jsonl")).exit_code == 2
    assert not any(name.startswith("alone.db") for name in os.listdir(tmp_path))


def test_a_new_database_has_the_usual_permissions_and_needs_no_hard_links(tmp_path,
                                                                          monkeypatch):
    # mkstemp makes its file 0600: kept, a platform's other accounts could not read it.
    umask = os.umask(0o022)
    try:
        Engine.open(str(tmp_path / "a.db"))
    finally:
        os.umask(umask)
    assert os.stat(tmp_path / "a.db").st_mode & 0o777 == 0o644

    def no_links(source, target):
        raise PermissionError(1, "Operation not permitted")  # as on FAT or some SMB shares

    monkeypatch.setattr(os, "link", no_links)
    engine = Engine.open(str(tmp_path / "b.db"))
    assert engine.open_case(province="shanxi", on=date(2026, 3, 2)).id == "shanxi-2026-000001"
    assert sorted(n for n in os.listdir(tmp_path) if n.startswith(".doudi-new-")) == []
