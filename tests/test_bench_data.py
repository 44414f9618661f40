"""The benchmark's report databases are written with SQL, not through the engine: each
generated case must be what the engine itself would have recorded (state, attributes with what
the effects decide, deadlines, hash chain), or the report it times is not the engine's."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from engine import Engine

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_engine.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_engine", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_cases_replay_to_what_is_stored(tmp_path):
    bench = load_bench()
    path = str(tmp_path / "report.db")
    counts = bench.build_report_db(path, cases=300, breaches=12, pools=(120, 12))
    assert counts["cases"] == 300
    # Every case replayed through the engine, guards and effects included (a rejected 江苏 or
    # 天津 case records its dynamic monitoring).
    assert bench.check_report_db(path, samples=300) >= 300
    engine = Engine.open(path)
    assert len(engine.breaches(bench.AS_OF)) == 12
    refused = """select count(*) from cases c where province != 'shanxi' and exists
                   (select 1 from events e where e.case_id = c.id and e.event = 'reject')"""
    rejected = engine.store.db.execute(refused).fetchone()[0]
    monitored = engine.store.db.execute(
        refused + " and json_extract(c.attributes, '$.dynamic_monitoring')").fetchone()[0]
    assert monitored == rejected > 0  # (about one route in eight is a refusal)
