"""What an opening knows of its id, used as it is: the write counts a case's number as the
opening split it (Change.numbered), not splitting its id again."""

from __future__ import annotations

import json
from datetime import date

import sqlite_utils

import engine.store
from engine import Engine
from engine.case_numbers import numbered_id


def _write(tmp_path, lines, name="cases.jsonl") -> str:
    path = tmp_path / name
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return str(path)


def _open(case_id, on="2026-03-03") -> dict:
    return {"op": "open", "province": "shanxi", "on": on, "id": case_id}


def test_the_write_counts_the_number_the_opening_split(tmp_path, monkeypatch):
    """Openings numbered by doudi, given an id by hand (through the API and an import) and
    given one without a number are counted in case_numbers without the write splitting any
    id again; a number of 19 digits is not counted, as split_number counts none."""
    path = str(tmp_path / "numbers.db")

    def refused(case_id):
        raise AssertionError(f"{case_id} split again")

    monkeypatch.setattr(engine.store, "split_number", refused)
    api = Engine.open(path)
    assert api.open_case(province="tianjin", on=date(2026, 3, 2)).id == "tianjin-2026-000001"
    assert api.open_case(province="tianjin", on=date(2026, 3, 2),
                         case_id="tianjin-2026-000041").id == "tianjin-2026-000041"
    assert api.open_case(province="tianjin", on=date(2026, 3, 2), case_id="hand").id == "hand"
    assert api.import_file(_write(tmp_path, [
        {"op": "open", "province": "tianjin", "on": "2026-03-02"},
        {"op": "open", "province": "tianjin", "on": "2026-03-03", "id": "tianjin-2026-000050"},
        {"op": "open", "province": "tianjin", "on": "2026-03-03"},
        {"op": "open", "province": "tianjin", "on": "2026-03-03", "id": "hand-000007"}])).events == 4
    assert [c.id for c in api.store.cases()][-4:] == [
        "tianjin-2026-000041", "tianjin-2026-000042", "tianjin-2026-000050", "tianjin-2026-000051"]
    db = sqlite_utils.Database(path)
    try:
        assert db.execute("select prefix, highest from case_numbers order by prefix").fetchall() \
            == [("hand-", 7), ("tianjin-2026-", 51)]
        # A counter one short of 19 digits: the case it numbers is opened, and not counted.
        db.execute("update case_numbers set highest = ? where prefix = 'tianjin-2026-'",
                   [10 ** 18 - 1])
        db.conn.commit()
        huge = Engine.open(path).open_case(province="tianjin", on=date(2026, 3, 2))
        assert huge.id == "tianjin-2026-" + "1" + "0" * 18
        assert db.execute("select highest from case_numbers where prefix = 'tianjin-2026-'"
                          ).fetchone() == (10 ** 18 - 1,)
    finally:
        db.close()


def test_numbered_id_pads_as_the_format_did():
    for number in (0, 7, 123456, 1234567, 10 ** 18, -5, -123456):
        assert numbered_id("p-2026-", number) == f"p-2026-{number:06d}"
    assert numbered_id("shanxi-2026-", 42) == "shanxi-2026-000042"
    assert numbered_id("p-", -5) == "p--00005"
