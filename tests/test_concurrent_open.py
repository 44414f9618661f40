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
