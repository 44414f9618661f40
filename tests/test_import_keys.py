"""The key an import makes from a line's content names the line's case first (m014), and a
file imported before, whose keys are the line's hash alone, still adds nothing the second
time."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import sqlite_utils

import engine.importer as importer
from engine import Engine
from engine.schema import LEGACY_IMPORT_KEYS, migrations

LINES = [
    {"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C1"},
    {"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C2"},
    {"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03"},
    {"op": "fire", "case_id": "C2", "event": "accept", "on": "2026-03-03"},
    {"op": "fire", "case_id": "C1", "event": "start_investigation", "on": "2026-03-04"},
    {"op": "open", "province": "tianjin", "on": "2026-03-02"},  # (no id: numbered)
]


def _digest(line: dict) -> str:
    """The line's hash as the import makes it: its JSON with sorted keys, as UTF-8."""
    text = json.dumps(line, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _write(tmp_path, lines) -> str:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                    encoding="utf-8")
    return str(path)


def _keys(db_path: str) -> list[tuple[str, int, str]]:
    db = sqlite_utils.Database(db_path)
    try:
        return db.execute("select case_id, seq, idempotency_key from events "
                          "order by idempotency_key").fetchall()
    finally:
        db.close()


def test_a_key_made_from_a_line_names_its_case_so_a_cases_keys_lie_together(tmp_path):
    path = str(tmp_path / "new.db")
    assert Engine.open(path).import_file(_write(tmp_path, LINES)).events == 6
    keys = _keys(path)
    # In the key index's order: C1's three events together, then C2's two (each case's in
    # the order of their hashes).
    assert [case_id for case_id, _, key in keys if key.count(":") > 1] == [
        "C1", "C1", "C1", "C2", "C2"]
    stored = {(case_id, seq): key for case_id, seq, key in keys}
    assert stored["C1", 0] == f"import:C1:{_digest(LINES[0])}"
    assert stored["C1", 2] == f"import:C1:{_digest(LINES[4])}"
    # The case opened without an id: its key the line's hash alone, as before.
    assert [key for key in stored.values() if key.count(":") == 1] == [
        f"import:{_digest(LINES[5])}"]
    assert not Engine.open(path).store.legacy_import_keys()  # (no key of the old format)


def _old_keys(monkeypatch) -> None:
    """Keys as an import before m014 made them: the line's hash alone."""
    parse = importer._parse

    def old_parse(text):
        data, key, as_given = parse(text)
        return data, key if data.get("key") else "import:" + key.rpartition(":")[2], as_given

    monkeypatch.setattr(importer, "_parse", old_parse)


def _as_before_m014(path: str) -> None:
    """The database as the version before m014 left it (its step and table gone)."""
    db = sqlite_utils.Database(path)
    db.execute(f"delete from {migrations.migrations_table} "
               "where name = 'm014_import_keys_by_case'")
    db.execute("drop table key_formats")
    db.conn.commit()
    db.close()


def test_a_file_imported_before_m014_imported_again_adds_nothing(tmp_path, monkeypatch):
    """The upgrade finds import keys of the old format and says so; each line of the file is
    then looked up by its old key too, and found: 6 lines, 0 written, 6 already."""
    path, lines = str(tmp_path / "old.db"), _write(tmp_path, LINES)
    with monkeypatch.context() as patched:
        _old_keys(patched)
        Engine.open(path).import_file(lines)
    assert [k for _, _, k in _keys(path)] == sorted(
        f"import:{_digest(line)}" for line in LINES)
    _as_before_m014(path)
    engine = Engine.open(path)  # (upgraded: m014 again)
    assert engine.store.db.execute("select format from key_formats").fetchall() == [
        (LEGACY_IMPORT_KEYS,)]
    assert engine.store.legacy_import_keys()
    again = engine.import_file(lines)
    assert (again.lines, again.events, again.already) == (6, 0, 6)
    assert len(_keys(path)) == 6
    # A line not imported before is written, keyed by its case.
    more = {"op": "fire", "case_id": "C2", "event": "start_investigation", "on": "2026-03-04"}
    result = engine.import_file(_write(tmp_path, [*LINES, more]))
    assert (result.events, result.already) == (1, 6)
    assert ("C2", 2, f"import:C2:{_digest(more)}") in _keys(path)


def test_an_upgrade_of_a_database_without_import_keys_records_no_old_format(tmp_path):
    """Events fired through the API have no key made from a line: nothing to look up twice."""
    path = str(tmp_path / "api.db")
    engine = Engine.open(path)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="A1")
    engine.close()
    _as_before_m014(path)
    assert not Engine.open(path).store.legacy_import_keys()


#: LINES as a file written with every optional field given its default: the workflow a line
#: opens (dibao), no attributes or payload ({} or null), no reason, actor or key (null). The
#: same events: importing it after LINES adds nothing.
WITH_DEFAULTS = [
    {**LINES[0], "workflow": "dibao", "attributes": {}, "actor": None},
    {**LINES[1], "workflow": None, "attributes": None, "key": None},
    {**LINES[2], "payload": {}, "reason": None, "actor": None},
    {**LINES[3], "payload": None, "key": None},
    LINES[4],
    {**LINES[5], "id": None, "workflow": "dibao"},
]


def test_a_line_that_writes_its_defaults_out_is_keyed_as_the_line_without_them(tmp_path):
    """Found by review: the key was the hash of the line as given, so the same events written
    with their defaults out ("payload": {}, "reason": null, "workflow": "dibao") were other
    lines: importing them after the file without them stopped at line 1, "case C1 already
    exists" (with --skip-invalid, every line skipped). A line without defaults written out
    keeps exactly the key it had (the first test: the hash of the line as given)."""
    from helpers import run

    path = str(tmp_path / "keys.db")
    assert Engine.open(path).import_file(_write(tmp_path, LINES)).events == 6
    keys = _keys(path)
    again = _write(tmp_path, WITH_DEFAULTS)
    result = run(path, "import", again)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "6 lines: 0 written, 6 already imported, 0 skipped"
    assert _keys(path) == keys
    for plain, written_out in zip(LINES, WITH_DEFAULTS, strict=True):
        assert importer.parse_line(json.dumps(written_out))[1] == importer.parse_line(
            json.dumps(plain))[1]
    # A default is its own value only: another workflow, a payload, a reason are other lines.
    assert importer.parse_line(json.dumps({**LINES[2], "reason": ""}))[1] != importer.parse_line(
        json.dumps(LINES[2]))[1]
    assert importer.parse_line(json.dumps({**LINES[0], "workflow": "benefit"}))[1] != \
        importer.parse_line(json.dumps(LINES[0]))[1]


def test_a_file_with_defaults_written_out_imported_before_adds_nothing_again(tmp_path,
                                                                             monkeypatch):
    """Databases hold keys made the old way: from the line as given. Such a file imported
    again is looked up by that key too (6 lines, 0 written, 6 already); a new line is
    keyed by what it means."""
    path, lines = str(tmp_path / "old.db"), _write(tmp_path, WITH_DEFAULTS)
    with monkeypatch.context() as patched:
        patched.setattr(importer, "_meaning", lambda data: data)  # (as the key was made)
        Engine.open(path).import_file(lines)
    assert sorted(k.rpartition(":")[2] for _, _, k in _keys(path)) == sorted(
        _digest(line) for line in WITH_DEFAULTS)  # (each line as given)
    engine = Engine.open(path)
    again = engine.import_file(lines)
    assert (again.lines, again.events, again.already) == (6, 0, 6)
    more = {"op": "fire", "case_id": "C2", "event": "start_investigation", "on": "2026-03-04",
            "payload": {}}
    result = engine.import_file(_write(tmp_path, [*WITH_DEFAULTS, more]))
    assert (result.events, result.already) == (1, 6)
    assert ("C2", 2, f"import:C2:{_digest({k: v for k, v in more.items() if k != 'payload'})}"
            ) in _keys(path)


def test_a_file_with_defaults_written_out_imported_before_m014_adds_nothing_again(
        tmp_path, monkeypatch):
    """Both old ways at once: a database an import wrote before m014 (the line's hash alone)
    of a file with its defaults written out (the line as given)."""
    path, lines = str(tmp_path / "older.db"), _write(tmp_path, WITH_DEFAULTS)
    with monkeypatch.context() as patched:
        patched.setattr(importer, "_meaning", lambda data: data)
        _old_keys(patched)
        Engine.open(path).import_file(lines)
    assert [k for _, _, k in _keys(path)] == sorted(
        f"import:{_digest(line)}" for line in WITH_DEFAULTS)
    _as_before_m014(path)
    again = Engine.open(path).import_file(lines)
    assert (again.lines, again.events, again.already) == (6, 0, 6)


def test_a_batch_finds_each_of_its_lines_recorded_before_few_or_many(tmp_path):
    """A batch's keys are looked for in their index's range first (Store.recorded_events):
    the few recorded there (the lines of a case an earlier import wrote), or, from 16 on,
    each key looked up. Either way every line recorded is found, none other."""
    lines = []
    for i in range(6):
        case = f"C{i}"
        lines += [{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": case},
                  {"op": "fire", "case_id": case, "event": "accept", "on": "2026-03-03"},
                  {"op": "fire", "case_id": case, "event": "start_investigation",
                   "on": "2026-03-04"}]
    path = str(tmp_path / "keys.db")
    first = Engine.open(path).import_file(_write(tmp_path, lines[:4]))  # (C0's three, C1 opened)
    assert (first.events, first.already) == (4, 0)
    # One batch of 18 keys, 4 of them recorded: the few in their range, found.
    again = Engine.open(path).import_file(_write(tmp_path, lines))
    assert (again.lines, again.events, again.already) == (18, 14, 4)
    # All 18 recorded: more than the few, each key looked up.
    third = Engine.open(path).import_file(_write(tmp_path, lines))
    assert (third.lines, third.events, third.already) == (18, 0, 18)
    assert len(_keys(path)) == 18
