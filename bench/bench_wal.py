"""WAL frames a commit: the pages SQLite writes to the log for each ``fire``, counted exactly.

Fire's time at ``synchronous = NORMAL`` is mostly its COMMIT, which writes every page the
event changed to the write-ahead log: the count of those pages is deterministic where the
clock is not. This runs the fire scenario's 山西 path (8 events a case, step by step across
the cases, as ``bench_engine.py`` does) on a fresh database with automatic checkpoints off,
then reads the log: frames a commit, and each frame's page named by ``dbstat`` (the table or
index that owns it now). ``--root`` measures another checkout (a base commit's worktree)::

    python bench/bench_wal.py                                 # this checkout
    python bench/bench_wal.py --steps                         # and each event's frames by owner
    git worktree add /tmp/base 83394a6 && python bench/bench_wal.py --root /tmp/base

Each run is a fresh process importing the engine from its root.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent


def frames(wal: str, start: int) -> tuple[list[int], int]:
    """The page numbers of the log's frames from byte ``start`` on, and how many of them end
    a commit (a frame whose header gives the database size)."""
    with open(wal, "rb") as f:
        header = f.read(32)
        page_size = struct.unpack(">I", header[8:12])[0]
        f.seek(max(start, 32))
        pages, commits = [], 0
        while True:
            head = f.read(24)
            if len(head) < 24:
                break
            page, size = struct.unpack(">II", head[:8])
            pages.append(page)
            commits += size != 0
            f.seek(page_size, os.SEEK_CUR)
    return pages, commits


def child(root: str, cases: int) -> dict:
    sys.path.insert(0, str(HERE))
    from bench_engine import shanxi_path  # (the fire scenario's path)

    sys.path.insert(0, root)  # (first, after bench_engine put its own: the root's engine)
    import engine
    from engine import Engine

    assert Path(engine.__file__).resolve().is_relative_to(Path(root).resolve()), engine.__file__

    with tempfile.TemporaryDirectory() as workdir:
        path = os.path.join(workdir, "fire.db")
        engine = Engine.open(path, durability="normal")
        db = engine.store.db
        db.execute("PRAGMA wal_autocheckpoint = 0")
        opened, steps = shanxi_path(engine)
        attributes = {"county": "甲县", "applicant_name": "申请人", "household_size": 3}
        ids = [engine.open_case(province="shanxi", on=opened, attributes=attributes).id
               for _ in range(cases)]
        wal = path + "-wal"
        by_owner: Counter = Counter()
        by_step: dict[str, float] = {}
        by_step_owner: dict[str, dict[str, float]] = {}
        commits = 0
        for event, on, payload in steps:
            start = os.path.getsize(wal)
            for case_id in ids:
                engine.fire(case_id, event, on=on, payload=payload)
            pages, ended = frames(wal, start)
            commits += ended
            # (named at the step's end: a page freed and used again is named by its new owner)
            owner = dict(db.execute("select pageno, name from dbstat"))
            names = Counter(owner.get(p, "(beyond the file)") for p in pages)
            by_owner.update(names)
            by_step[event] = len(pages) / cases
            by_step_owner[event] = {k: v / cases for k, v in names.most_common()}
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        engine.close()
    fired = cases * len(steps)
    total = sum(by_owner.values())
    return {"events": fired, "commits": commits, "frames": total, "page_size": page_size,
            "per_commit": total / fired, "by_step": by_step, "by_step_owner": by_step_owner,
            "by_owner": {k: v / fired for k, v in by_owner.most_common()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", action="append", help="checkout(s) to measure (default: this)")
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--steps", action="store_true",
                        help="also each event's frames by table and index")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.cases)))
        return 0
    for root in args.root or [str(HERE.parent)]:
        out = subprocess.run([sys.executable, __file__, "--child", root, "--cases",
                              str(args.cases)], check=True, capture_output=True, text=True)
        r = json.loads(out.stdout)
        print(f"{root}: {r['events']:,} events, {r['commits']:,} commits, {r['frames']:,} "
              f"frames of {r['page_size']:,} bytes: {r['per_commit']:.2f} a commit")
        for name, n in r["by_owner"].items():
            print(f"  {n:5.2f}  {name}")
        print("  by event: " + ", ".join(f"{e} {n:.2f}" for e, n in r["by_step"].items()))
        if args.steps:
            for event, owners in r["by_step_owner"].items():
                print(f"  {event}: " + ", ".join(f"{k} {n:.2f}" for k, n in owners.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
