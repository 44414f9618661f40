"""Benchmark: +N working days on the official calendar against workalendar's China calendar.

    python bench/bench_calendar.py [--n 1000000] [--sample 5000] [--seed 20260101]

Generates N seeded random (start, count) pairs, starts 2018-01-01..2023-10-31 (where
workalendar has data) and counts 1..45, then times

- ours, one by one: ``national_calendar().add_working_days(start, n)`` over all N;
- ours, bulk: ``add_working_days_bulk(starts, counts)`` over all N;
- workalendar: ``workalendar.asia.China().add_working_days(start, n)`` over a sample only
  (it walks day by day and takes ~0.3 ms per call; the whole N would take minutes), scaled
  per computation.

Answers are compared on the sample. workalendar differs from the official data only on
2020-01-31 and 2020-02-01 (the 2020 Spring Festival extension, 国办发明电〔2020〕1号, which
workalendar never applied); pairs whose walk crosses those days are excluded from the
comparison and counted. Targets (issue item 6): ≥300x faster per computation than
workalendar, ≥1,000,000 due dates per second in bulk.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import warnings
from datetime import date

FIRST_START = date(2018, 1, 1)
LAST_START = date(2023, 10, 31)
MAX_COUNT = 45
EXTENSION_DAYS = (date(2020, 1, 31), date(2020, 2, 1))
RATIO_TARGET = 300
BULK_TARGET = 1_000_000


def make_pairs(n: int, seed: int) -> tuple[list[date], list[int]]:
    rng = random.Random(seed)
    span = (LAST_START - FIRST_START).days
    base = FIRST_START.toordinal()
    starts = [date.fromordinal(base + rng.randint(0, span)) for _ in range(n)]
    counts = [rng.randint(1, MAX_COUNT) for _ in range(n)]
    return starts, counts


def best_of(repeats: int, func):
    """Best wall time of ``repeats`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="computations (default 1,000,000)")
    parser.add_argument("--sample", type=int, default=5_000, help="workalendar sample size")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--repeats", type=int, default=3, help="best of R runs for our timings")
    args = parser.parse_args(argv)

    warnings.simplefilter("ignore")  # workalendar warns "Support years 2018-2023" on every year
    from workalendar.asia import China

    from engine.calendar import national_calendar

    t0 = time.perf_counter()
    cal = national_calendar()
    build = time.perf_counter() - t0
    wcal = China()

    starts, counts = make_pairs(args.n, args.seed)
    pairs = list(zip(starts, counts, strict=True))
    add = cal.add_working_days

    one_time, ours = best_of(args.repeats, lambda: [add(s, n) for s, n in pairs])
    bulk_time, bulk = best_of(args.repeats, lambda: cal.add_working_days_bulk(starts, counts))
    assert bulk == ours, "bulk and one-by-one disagree"

    sample = pairs[: min(args.sample, len(pairs))]
    wcal.add_working_days(sample[0][0], sample[0][1])  # warm its per-year holiday cache
    t0 = time.perf_counter()
    theirs = [wcal.add_working_days(s, n) for s, n in sample]
    wk_time = time.perf_counter() - t0

    crossing = mismatched = 0
    for (start, _), mine, their in zip(sample, ours, theirs, strict=False):
        if any(start < day <= max(mine, their) for day in EXTENSION_DAYS):
            crossing += 1
            continue
        if mine != their:
            mismatched += 1
            if mismatched <= 10:
                print(f"MISMATCH {start} -> ours {mine}, workalendar {their}")

    per_one = one_time / args.n
    per_bulk = bulk_time / args.n
    per_wk = wk_time / len(sample)
    ratio = per_wk / per_one
    bulk_rate = args.n / bulk_time
    mean_span = sum((due - s).days for (s, _), due in zip(pairs, ours, strict=False)) / args.n

    print(f"Python {sys.version.split()[0]}; calendar index built in {build * 1000:.0f} ms")
    print(
        f"{args.n:,} pairs: starts {FIRST_START}..{LAST_START}, counts 1..{MAX_COUNT}, "
        f"seed {args.seed}; mean span {mean_span:.1f} calendar days"
    )
    print(f"ours one by one : {one_time:8.3f} s total, {per_one * 1e6:8.3f} µs per computation")
    print(f"ours bulk       : {bulk_time:8.3f} s total, {per_bulk * 1e6:8.3f} µs per computation")
    print(
        f"workalendar     : {wk_time:8.3f} s for a sample of {len(sample):,} "
        f"(too slow for all {args.n:,}), {per_wk * 1e6:8.1f} µs per computation"
    )
    print(
        f"answers on the sample: {len(sample) - crossing - mismatched:,} identical, "
        f"{mismatched} different, {crossing} excluded (walk crosses 2020-01-31/02-01, "
        f"国办发明电〔2020〕1号, not in workalendar)"
    )
    ok_ratio = ratio >= RATIO_TARGET
    ok_bulk = bulk_rate >= BULK_TARGET
    print(
        f"ratio workalendar / ours (one by one): {ratio:,.0f}x  "
        f"(target ≥{RATIO_TARGET}x: {'met' if ok_ratio else 'NOT met'})"
    )
    print(f"ratio workalendar / ours (bulk)      : {per_wk / per_bulk:,.0f}x")
    print(
        f"bulk due dates per second: {bulk_rate:,.0f}  "
        f"(target ≥{BULK_TARGET:,}/s: {'met' if ok_bulk else 'NOT met'})"
    )
    return 0 if (ok_ratio and ok_bulk and not mismatched) else 1


if __name__ == "__main__":
    sys.exit(main())
