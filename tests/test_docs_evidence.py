"""docs/evidence.md's recipe for the hash chains is enough to check them without doudi.

A platform keeping the histories as evidence works the hashes out again with its own tools,
from the page alone: every fact it needs must be on it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date
from pathlib import Path

from engine import Engine

ROOT = Path(__file__).resolve().parent.parent
PAGE = " ".join((ROOT / "docs" / "evidence.md").read_text(encoding="utf-8").split())

# The columns each chain covers, in the order the page lists them.
EVENT = ("case_id", "seq", "event", "on", "recorded_at", "actor", "payload", "reason",
         "from_state", "to_state", "derived", "idempotency_key", "corrects")
TABLES = {
    "events": (EVENT, "case_id, seq"),
    "sanctions": (("case_id", "seq", "kind", "on", "amount", "basis", "note"), "id"),
    "links": (("case_id", "other_id", "relation", "on", "seq"), "rowid"),
    "local_parameters": (("province", "county", "workflow", "name", "value", "citation", "on",
                          "actor", "recorded_at"), "id"),
}


def by_the_page(previous: str, values: list) -> str:
    """SHA-256 of the previous hash, `|`, and the values as a compact JSON array, in UTF-8."""
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}|{text}".encode()).hexdigest()


def test_every_hash_works_out_again_from_the_page_alone(tmp_path):
    """The page said what the hash covers but not where a chain begins (64 zeros) nor that
    payload and derived go in as the JSON text stored, a string, not the object: following
    it, a platform got no hash right (found by a session checking the docs against the code)."""
    assert "the first event's previous hash 64 zeros" in PAGE
    assert "`payload` and `derived` are the JSON text stored there, a string in the array" in PAGE
    with Engine.open(tmp_path / "cases.db") as engine:
        engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd",
                             "甲县民政局〔2026〕1号 三", on=date(2026, 1, 5))
        case = engine.open_case(province="shanxi", on=date(2026, 3, 2),
                                attributes={"county": "甲县", "applicant_name": "张三"})
        # (accept given the members' residence records where the household applies: derived)
        engine.fire(case.id, "accept", on=date(2026, 3, 3), payload={"residence": {
            "applicant": "a", "members": [{"id": "a", "registered_in": "甲县", "lives_in": "甲县"}]}})
        for event, on in (("start_investigation", 4), ("request_verification", 5),
                          ("start_verification", 5), ("post_publicity", 6)):
            engine.fire(case.id, event, on=date(2026, 3, on))
        engine.fire(case.id, "submit_to_county", on=date(2026, 3, 16))
        approved = engine.fire(case.id, "approve", on=date(2026, 3, 17),
                               payload={"amount": 900, "household_size": 2})
        benefit = approved.links[0]["case_id"]
        # 晋民发〔2023〕31号 五(五): a fraud found orders the payments back and refers it on.
        engine.fire(benefit, "fraud_found", on=date(2026, 6, 10), payload={"since": "2026-04-01"})
    db = sqlite3.connect(tmp_path / "cases.db")
    counted = {}
    for table, (columns, order) in TABLES.items():
        names = ", ".join(f'"{c}"' for c in columns)
        previous = {}  # a chain's last hash: each case's for the events, the table's else
        rows = db.execute(f"select {names}, hash from {table} order by {order}").fetchall()
        for *values, stored in rows:
            chain = values[0] if table == "events" else table
            assert by_the_page(previous.get(chain, "0" * 64), values) == stored, (table, values)
            previous[chain] = stored
        counted[table] = len(rows)
    assert counted["sanctions"] == 3 and counted["links"] == 2 and counted["local_parameters"] == 1
    derived = db.execute("select derived from events where event = 'accept'").fetchone()[0]
    assert "application_place" in json.loads(derived)  # (a hash covers what an effect decided)
