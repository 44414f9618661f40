"""What an opening knows of its id, used as it is: an import batch reads whether the ids its
lines open are taken at once (Store.taken), not a look-up a line; the write counts a
case's number as the opening split it (Change.numbered), not splitting its id again."""

from __future__ import annotations

import json
from datetime import date

import sqlite_utils

import engine.store
from engine import Engine
from engine.case_numbers import numbered_id
from engine.guards import HistoryEntry
from engine.read_only import NO_DATA, ReadOnlyDict, ReadOnlyList


def _write(tmp_path, lines, name="cases.jsonl") -> str:
    path = tmp_path / name
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return str(path)


def _open(case_id, on="2026-03-03") -> dict:
    return {"op": "open", "province": "shanxi", "on": on, "id": case_id}


def test_a_batch_reads_whether_its_opened_ids_are_taken_together(tmp_path):
    """S00…S19 stored (opened on another day: a line of the same content would be the same
    line again, already in). A batch opening S03, S30, S05 (the range S03…S30 holds 17 stored cases:
    each id looked up) and one opening S19, S20 (one stored case in the range: read at
    once) refuse the taken ids line by line as one look-up a line did, "case S03 already
    exists", and open the others; no id is looked up alone."""
    path = str(tmp_path / "ids.db")
    stored = Engine.open(path).import_file(
        _write(tmp_path, [_open(f"S{i:02d}", "2026-03-02") for i in range(20)]))
    assert stored.events == 20
    engine = Engine.open(path)
    statements: list[str] = []
    engine.store.db.conn.set_trace_callback(statements.append)
    many = engine.import_file(_write(tmp_path, [_open("S03"), _open("S30"), _open("S05")]),
                              skip_invalid=True)
    assert (many.events, many.skipped) == (1, [(1, "case S03 already exists"),
                                               (3, "case S05 already exists")])
    few = engine.import_file(_write(tmp_path, [_open("S19"), _open("S20")]), skip_invalid=True)
    assert (few.events, few.skipped) == (1, [(1, "case S19 already exists")])
    # (the stopped import says the same of its first taken id)
    stopped = engine.import_file(_write(tmp_path, [_open("S31"), _open("S07")]),
                                 skip_invalid=True)
    assert stopped.skipped == [(2, "case S07 already exists")]
    assert not [s for s in statements if s.startswith("select 1 from cases where id")]
    assert [c.id for c in engine.store.cases()] == [f"S{i:02d}" for i in range(21)] + [
        "S30", "S31"]


def test_an_id_refused_for_its_text_is_its_lines_error(tmp_path):
    """An id with a character that is not printable, which the batch does not look for, is
    refused by its line as before (a lone surrogate already as the line is read), the
    batch's other ids read and opened; an id opened twice in a batch is taken by its first
    line."""
    engine = Engine.open(str(tmp_path / "odd.db"))
    result = engine.import_file(
        _write(tmp_path, [_open("A1"), _open("\ud800x"), _open("B\x07"), _open("A1", "2026-03-04"),
                          _open("-A2"), _open("C\u200bD"), _open("A3")]),
        skip_invalid=True)
    rule = "must be non-empty, without spaces or invisible characters, and not start with '-'"
    assert (result.events, result.skipped) == (2, [
        (2, "text that is not valid UTF-8 (a \\u escape of a lone surrogate)"),
        (3, f'case id "B\\u0007" {rule} (character U+0007)'),
        (4, "case A1 already exists"),
        (5, f'case id "-A2" {rule}'),
        (6, f'case id "C\\u200bD" {rule} (character U+200B)')])
    assert [c.id for c in engine.store.cases()] == ["A1", "A3"]


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


def test_an_openings_entry_is_the_one_built_whole(tmp_path):
    """The opening's history entry, its fields set in a copy (HistoryEntry.of_event), is the
    entry HistoryEntry() builds of the same values: fields in the same order, its data a
    read-only copy of the attributes (not the very dict the case row holds)."""
    engine = Engine.open(str(tmp_path / "entry.db"))
    attributes = {"county": "甲县", "applicant_name": "张三", "household_size": 2,
                  "members": [{"name": "李四"}]}
    change = engine._opening("shanxi", "dibao", date(2026, 3, 2), attributes, None, "clerk",
                             key="k1")
    entry = change.entries[0]
    whole = HistoryEntry(0, "open", date(2026, 3, 2), "", change.case.state, attributes, None,
                         NO_DATA, "clerk", "k1")
    assert entry == whole
    assert list(entry.__dict__.items()) == list(whole.__dict__.items())
    assert type(entry.payload) is ReadOnlyDict and entry.payload is not change.case.attributes
    assert type(entry.payload["members"]) is ReadOnlyList
    assert entry.derived is NO_DATA
