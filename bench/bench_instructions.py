"""CPU work of fire and import, counted in instructions by valgrind's callgrind.

Wall-clock times on a shared machine vary by ±20 % from run to run; callgrind's instruction
counts repeat within about 0.5 %, so this is how the figures in bench/README.md ("History by
round") compare one commit with another. Each path runs twice at two sizes and the smaller
run is subtracted from the larger, which leaves out start-up (interpreter, imports, plugins,
opening the database):

- fire: cases along the 山西 dibao path of bench_engine.py (an opening and 8 events each),
  one event per transaction at ``durability="normal"``: (60 cases − 20) / 320 events;
- import: ``Engine.import_file`` of bench_engine.py's JSONL file: (300 cases − 100) / 1,800
  lines.

    python bench/bench_instructions.py                 # this checkout
    python bench/bench_instructions.py --root /tmp/base  # another checkout (git worktree add)

Needs ``valgrind`` on the PATH; about a minute of CPU with both paths run side by side.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SIZES = {"fire": (20, 60), "import": (100, 300)}
EVENTS_PER_CASE = {"fire": 8, "import": 9}  # (fire: the 8 events; import: 9 lines a case)


def child(path: str, n: int, folder: Path) -> None:
    """The measured run, in the process callgrind watches."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_engine as b

    # bench_engine puts its own checkout first on the path (it runs as a script from
    # anywhere): the engine measured is the one of the checkout the child runs in (``--root``,
    # its working directory), or every root measured this script's checkout.
    sys.path.insert(0, os.getcwd())
    from engine import Engine

    if path == "fire":
        engine = Engine.open(str(folder / "fire.db"), durability="normal")
        opened, steps = b.shanxi_path(engine)
        for _ in range(n):
            case = engine.open_case(province="shanxi", on=opened, attributes={"county": "甲县"})
            for event, on, payload in steps:
                engine.fire(case.id, event, on=on, payload=payload)
    else:
        b.write_import_file(folder / "in.jsonl", n)
        Engine.open(str(folder / "import.db")).import_file(str(folder / "in.jsonl"))


def instructions(root: Path, path: str, n: int, scratch: Path) -> int:
    """callgrind's total instructions for one run of ``path`` at size ``n`` in ``root``."""
    folder = scratch / f"{path}-{n}"
    folder.mkdir()
    out = folder / "callgrind.out"
    env = {**os.environ, "PYTHONPATH": str(root)}
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
                    str(Path(__file__).resolve()), "--child", path, str(n), str(folder)],
                   cwd=root, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    totals = re.search(r"^totals:\s+(\d+)", out.read_text(), re.M)
    if totals is None:
        raise SystemExit(f"no totals in {out}")
    return int(totals.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the checkout to measure (default: this one)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), Path(args.child[2]))
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: this script counts instructions with its callgrind",
              file=sys.stderr)
        return 2
    root = args.root.resolve()
    # The bytecode written first: a module changed since its last run is compiled again by
    # whichever run imports it first (the runs go two at a time), and a compile is millions of
    # instructions, several thousand a line or an event once divided.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "engine", "plugins"], cwd=root,
                   check=True, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory(prefix="doudi-callgrind-") as scratch:
        runs = [(path, n) for path, sizes in SIZES.items() for n in sizes]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            counts = dict(zip(runs, pool.map(
                lambda run: instructions(root, run[0], run[1], Path(scratch)), runs), strict=True))
    print(f"{root}:")
    for path, (small, large) in SIZES.items():
        units = (large - small) * EVENTS_PER_CASE[path]
        each = (counts[path, large] - counts[path, small]) / units
        print(f"  {path}: {each:,.0f} instructions {'an event' if path == 'fire' else 'a line'}"
              f" ({large} cases less {small})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
