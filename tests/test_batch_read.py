"""An import reads the stored cases its batch names together (five statements a 500 cases,
``Store.known_cases``), not one at a time: each case must come back exactly as it comes back
read alone (``Engine._known``), and a case that cannot be read must still be named for its
own line.

A platform adopting doudi replays its history in date order: each case's events are far
apart in the file, so nearly every line names a case no longer kept in memory. Read one at a
time, that was five statements and about 120 µs a case, more than checking and writing the
line itself (bench/README.md, "Where the time goes")."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date

import attrs
import pytest

from engine import Engine
from engine.deadlines import FIELDS as DEADLINE_FIELDS
from engine.deadlines import Deadline
from engine.errors import DamagedRecord, InvalidInput, UnknownName
from engine.guards import HistoryEntry
from engine.store import entries


def _stored_cases(path: str) -> list[str]:
    """Cases of every shape a case read gives: a 山西 dibao case approved (a link to the
    benefit case it opened, a stopped and a met deadline, an amount in its data), that
    benefit case phasing out (what its effect decided, kept as derived data) and a benefit
    case whose fraud was found (sanctions); a case with no event but its opening."""
    engine = Engine.open(path)
    dibao = engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="D1",
                             attributes={"county": "城区", "applicant_name": "李四",
                                         "household_size": 2})
    for event, day in (("accept", 3), ("start_investigation", 4), ("request_verification", 5),
                       ("start_verification", 6), ("post_publicity", 9),
                       ("submit_to_county", 17)):
        engine.fire(dibao.id, event, on=date(2026, 3, day))
    approved = engine.fire(dibao.id, "approve", on=date(2026, 3, 31), payload={"amount": 650})
    benefit = approved.links[0]["case_id"]
    engine.fire(benefit, "income_exceeds", on=date(2026, 5, 11),
                payload={"per_capita_income": 900, "standard": 810})
    fraud = engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5),
                             case_id="F1", attributes={"amount": 700, "paid_from": "2026-01"})
    engine.fire(fraud.id, "fraud_found", on=date(2026, 6, 10), payload={"since": "2026-02-01"},
                reason="虚报收入")
    engine.open_case(province="tianjin", on=date(2026, 3, 2), case_id="T1")
    engine.store.db.close()
    return [dibao.id, benefit, fraud.id, "T1"]


def _whole(known) -> tuple:
    # (a history entry compares without when it was recorded and its hash: both are compared)
    return (known, [(e.recorded_at, e.hash) for e in known.history])


def test_cases_read_together_are_what_each_is_read_alone(tmp_path):
    path = str(tmp_path / "x.db")
    ids = _stored_cases(path)
    together = Engine.open(path).store.known_cases([*ids, "nowhere"])
    assert sorted(together) == sorted(ids)  # (one not stored is left out)
    alone = Engine.open(path)  # (nothing kept: each read from the database)
    for case_id in ids:
        known, kept = alone._known(case_id)
        assert not kept
        assert _whole(together[case_id]) == _whole(known)
    # What was read is what there is to see: the link, the derived plan, the sanctions.
    dibao, benefit, fraud, _ = (together[i] for i in ids)
    assert [(x["workflow"], x["relation"]) for x in dibao.links] == [("benefit", "benefit")]
    assert benefit.history[-1].derived and benefit.history[-1].event == "income_exceeds"
    assert [s.kind for s in fraud.sanctions] and fraud.history[-1].reason == "虚报收入"
    assert [d.outcome for d in dibao.deadlines if d.rule == "investigation_start"] == ["met"]


def test_an_import_batch_reads_the_cases_it_names_in_one_statement_a_table(tmp_path):
    """Five stored 天津 cases, each 受理 in one batch of a new engine: one read of their
    events, not five (it failed so before: one read a case)."""
    path = str(tmp_path / "x.db")
    engine = Engine.open(path)
    for n in range(5):
        engine.open_case(province="tianjin", on=date(2026, 3, 2), case_id=f"T{n}")
    engine.store.db.close()
    lines = [json.dumps({"op": "fire", "case_id": f"T{n}", "event": "accept",
                         "on": "2026-03-03"}) for n in range(5)]
    importer = Engine.open(path)
    statements: list[str] = []
    importer.store.db.conn.set_trace_callback(statements.append)
    result = importer.import_lines(lines)
    assert (result.events, result.skipped) == (5, [])
    reads = [s for s in statements if s.startswith("select") and "from [events]" in s]
    assert len(reads) == 1, reads
    # 天津 (津民发〔2023〕13号): investigation within 3 working days of 受理 Tue 03-03 → Fri 03-06.
    for n in range(5):
        [due] = [d for d in importer.store.deadlines(f"T{n}") if d.rule == "investigation_start"]
        assert due.due_on == date(2026, 3, 6)


def test_a_file_imported_again_reads_no_case(tmp_path):
    """Every line of a file imported again is already recorded: the batch reads none of the
    cases it names (it read all of them, 0.18 s -> 0.86 s for 9,000 lines of 3,000 天津
    cases, for nothing: a line already recorded is counted, never worked out)."""
    path = str(tmp_path / "x.db")
    lines = [json.dumps({"op": "open", "province": "tianjin", "on": "2026-03-02", "id": f"T{n}"})
             for n in range(5)]
    lines += [json.dumps({"op": "fire", "case_id": f"T{n}", "event": "accept",
                          "on": "2026-03-03"}) for n in range(5)]
    assert Engine.open(path).import_lines(lines).events == 10
    again = Engine.open(path)
    statements: list[str] = []
    again.store.db.conn.set_trace_callback(statements.append)
    result = again.import_lines(lines)
    assert (result.events, result.already) == (0, 10)
    assert [s for s in statements if "from [events]" in s or "from [deadlines]" in s] == []


def _good_and_damaged(tmp_path, *statements: str | tuple[str, str]) -> str:
    """A database of two 天津 cases opened 2026-03-02, G1 and B1, then ``statements`` run on
    it outside doudi (each SQL text, or SQL and its one argument); its path."""
    path = str(tmp_path / "x.db")
    engine = Engine.open(path)
    for case_id in ("G1", "B1"):
        engine.open_case(province="tianjin", on=date(2026, 3, 2), case_id=case_id)
    engine.store.db.close()
    raw = sqlite3.connect(path)
    for statement in statements:
        sql, *args = (statement,) if isinstance(statement, str) else statement
        raw.execute(sql, args)
    raw.commit()
    raw.close()
    return path


def test_a_case_that_cannot_be_read_is_still_named_for_its_own_line(tmp_path):
    """A batch naming a damaged case (its opening's date changed by hand), a good one and one
    never opened: the good one's event is written, each other line is skipped with what is
    wrong with its own case, as when each case was read alone."""
    path = _good_and_damaged(tmp_path, "drop trigger events_append_only_update",
                             "update events set [on] = '2026-13-01' where case_id = 'B1'")
    lines = [json.dumps({"op": "fire", "case_id": case_id, "event": "accept",
                         "on": "2026-03-03"}) for case_id in ("B1", "G1", "N1")]
    importer = Engine.open(path)
    assert "B1" not in importer.store.known_cases(["B1", "G1"])
    result = importer.import_lines(lines, skip_invalid=True)
    assert result.events == 1
    assert [(n, why.split(" (")[0]) for n, why in result.skipped] == [
        (1, "event 0 of case 'B1' cannot be read from the database"),
        (3, "no case 'N1'")]
    assert [e.event for e in importer.store.history("G1")] == ["open", "accept"]


@pytest.mark.parametrize("changed_by_another", [True, False])
def test_a_kept_case_is_used_only_at_the_version_stored(tmp_path, changed_by_another):
    """An import keeps the cases it wrote; another writer's event since makes the kept copy
    stale, and the batch then reads the case again (its version differs) rather than refusing
    or overwriting. 天津 C1: 受理 03-03 by the import, then the platform starts the
    investigation 03-04; the import's own start_investigation the same day is then refused
    as the state now says (already investigating), not written over it."""
    path = str(tmp_path / "x.db")
    importer = Engine.open(path)
    importer.import_lines([
        json.dumps({"op": "open", "province": "tianjin", "on": "2026-03-02", "id": "C1"}),
        json.dumps({"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03"})])
    kept_version = importer._known_cases["C1"].case.version
    if changed_by_another:
        Engine.open(path).fire("C1", "start_investigation", on=date(2026, 3, 4))
    read = importer._known_many(["C1"])
    assert (read["C1"].case.version == kept_version) is not changed_by_another
    assert read["C1"].case.state == ("investigating" if changed_by_another else
                                     importer.store.case("C1").state)
    result = importer.import_lines([json.dumps(
        {"op": "fire", "case_id": "C1", "event": "start_investigation", "on": "2026-03-04"})],
        skip_invalid=True)
    assert (result.events, len(result.skipped)) == ((0, 1) if changed_by_another else (1, 0))
    assert [e.event for e in importer.store.history("C1")] == [
        "open", "accept", "start_investigation"]
    assert importer.store.case("C1").version == 2  # (the import's first batch wrote it once)


@pytest.mark.parametrize("skip_invalid", [True, False])
def test_a_case_whose_row_is_gone_is_no_case_for_its_line_alone(tmp_path, skip_invalid):
    """The case rows of the approved 山西 D1 (its events, deadlines and link to its benefit
    case left behind) and of the benefit case F1 (its sanctions left behind) deleted outside
    doudi, with no foreign key checked: the lines naming them are "no case", as read alone,
    and the batch's other line is written. (The batch's read of them stopped the import with
    a KeyError, a traceback for the CLI.)"""
    path = str(tmp_path / "x.db")
    dibao, _, fraud, tianjin = _stored_cases(path)
    raw = sqlite3.connect(path)
    raw.execute("delete from cases where id in (?, ?)", [dibao, fraud])
    raw.commit()
    assert raw.execute("select count(*) from links where case_id = ?", [dibao]).fetchone()[0] == 1
    assert raw.execute("select count(*) from sanctions where case_id = ?", [fraud]).fetchone()[0]
    raw.close()
    lines = [json.dumps({"op": "fire", "case_id": dibao, "event": "publish", "on": "2026-04-01"}),
             json.dumps({"op": "fire", "case_id": tianjin, "event": "accept", "on": "2026-03-03"}),
             json.dumps({"op": "fire", "case_id": fraud, "event": "leave", "on": "2026-06-11"})]
    importer = Engine.open(path)
    assert importer.store.known_cases([dibao, fraud, tianjin]).keys() == {tianjin}
    if not skip_invalid:
        with pytest.raises(UnknownName, match=f"^line 1: no case '{dibao}' \\(import stopped"):
            importer.import_lines(lines)
        assert [e.event for e in importer.store.history(tianjin)] == ["open"]
        return
    result = importer.import_lines(lines, skip_invalid=True)
    assert (result.events, result.skipped) == (1, [(1, f"no case '{dibao}'"),
                                                   (3, f"no case '{fraud}'")])
    assert [e.event for e in importer.store.history(tianjin)] == ["open", "accept"]


@pytest.mark.parametrize("skip_invalid", [True, False])
@pytest.mark.parametrize("case_id", [["T1"], {"id": "T1"}])
def test_a_case_id_that_is_a_list_or_an_object_is_its_own_lines_error(tmp_path, skip_invalid,
                                                                       case_id):
    """A fire line whose case_id is a list or an object is that line's error, as any case_id
    that is no string (the batch's read of the cases it names stopped the import with
    "unhashable type", a traceback for the CLI)."""
    path = str(tmp_path / "x.db")
    Engine.open(path).open_case(province="tianjin", on=date(2026, 3, 2), case_id="T1")
    lines = [json.dumps({"op": "fire", "case_id": "T1", "event": "accept", "on": "2026-03-03"}),
             json.dumps({"op": "fire", "case_id": case_id, "event": "accept", "on": "2026-03-03"})]
    importer = Engine.open(path)
    why = f"case_id must be a string, got {json.dumps(case_id, ensure_ascii=False)}"
    if not skip_invalid:
        with pytest.raises(InvalidInput, match=f"^line 2: {re.escape(why)} \\(import stopped"):
            importer.import_lines(lines)
        assert [e.event for e in importer.store.history("T1")] == ["open"]
        return
    result = importer.import_lines(lines, skip_invalid=True)
    assert (result.events, result.skipped) == (1, [(2, why)])


def test_a_deadline_with_two_things_wrong_is_named_by_the_first_as_before(tmp_path):
    """A deadline row whose due date is gone and whose start (or stop) date is no date is
    named by the bad date, read in its columns' order, as every read named it before the
    reads went by position ("due_on is empty" it said then, through a case read and the
    reports' read alike)."""
    for n, damage in enumerate(("due_on = null, starts_on = '2026-13-01'",
                                "due_on = null, stopped_on = '2026-13-01'")):
        path = str(tmp_path / f"{n}.db")
        Engine.open(path).open_case(province="tianjin", on=date(2026, 3, 2), case_id="T1")
        Engine.open(path).fire("T1", "accept", on=date(2026, 3, 3))
        raw = sqlite3.connect(path)
        raw.execute(f"update deadlines set {damage} where rule = 'total'")
        raw.commit()
        row = dict(zip(("rule", "starts_on", "due_on", "stopped_on"), raw.execute(
            "select rule, starts_on, due_on, stopped_on from deadlines where rule = 'total'"
        ).fetchone(), strict=True))
        raw.close()
        why = ("deadline 'total' of case 'T1' cannot be read from the database (ValueError: "
               "\"2026-13-01\" is not a date: there is no month 13)")
        engine = Engine.open(path)
        with pytest.raises(DamagedRecord, match=f"^{re.escape(why)}"):
            engine.store.deadlines("T1")
        with pytest.raises(DamagedRecord, match=f"^{re.escape(why)}"):
            engine.case("T1")
        full = {f: None for f in DEADLINE_FIELDS} | row | {"case_id": "T1"}
        with pytest.raises(DamagedRecord, match=f"^{re.escape(why)}"):
            Deadline.from_row(full)
        result = engine.import_lines([json.dumps(
            {"op": "fire", "case_id": "T1", "event": "start_investigation", "on": "2026-03-04"})],
            skip_invalid=True)
        assert [(n, text.split(": it was")[0]) for n, text in result.skipped] == [(1, why)]


def test_the_columns_a_case_is_read_from_are_its_records_fields_in_order():
    """Every case read builds its history entries and deadlines by position, from explicit
    column lists (store._ENTRY_COLUMNS, deadlines.FIELDS): a field added to HistoryEntry or
    Deadline, or one moved (in the class or its __init__), must be added or moved there too.
    An event row and a deadline row with a different value in every column are read back
    through each read there is, and every field must hold its own column's value."""
    engine = Engine.open(":memory:")
    engine.open_case(province="tianjin", on=date(2026, 3, 2), case_id="T1")
    event = {"seq": 1, "event": "ev", "on": "2026-03-03", "from_state": "fs", "to_state": "ts",
             "payload": '{"p": 1}', "reason": "why", "derived": '{"d": 2}', "actor": "who",
             "idempotency_key": "key-1", "corrects": 0, "recorded_at": "rec", "hash": "h"}
    entry_fields = {"seq": 1, "event": "ev", "on": date(2026, 3, 3), "from_state": "fs",
                    "to_state": "ts", "payload": {"p": 1}, "reason": "why", "derived": {"d": 2},
                    "actor": "who", "key": "key-1", "corrects": 0, "recorded_at": "rec",
                    "hash": "h"}
    deadline_fields = {
        "rule": "r", "title": "t", "severity": "sev", "kind": "duty", "instance": 7,
        "starts_on": date(2026, 3, 2), "duration": "3wd", "due_on": date(2026, 3, 5),
        "citation": "c", "computation": "x", "provisional": True, "param": "p",
        "stopped_on": date(2026, 3, 4), "stop_event": "se", "outcome": "met",
        "extended_by": "ext", "paused_on": date(2026, 3, 3), "subject": "sub",
        "moved_from": date(2026, 3, 1), "pauses": ((date(2026, 3, 3), date(2026, 3, 4)),)}
    assert list(entry_fields) == [f.name for f in attrs.fields(HistoryEntry)]
    assert list(deadline_fields) == list(DEADLINE_FIELDS)
    deadline = {k: v.isoformat() if isinstance(v, date) else v for k, v in deadline_fields.items()}
    deadline["pauses"] = "2026-03-03/2026-03-04"
    conn = engine.store.db.conn
    for table, row in (("events", event), ("deadlines", {**deadline, "provisional": 1})):
        conn.execute(f"insert into [{table}] (case_id, {', '.join(f'[{k}]' for k in row)}) "
                     f"values ('T1', {', '.join('?' for _ in row)})", list(row.values()))
    known = engine.store.known_cases(["T1"])["T1"]
    rows = engine.store.history_rows("T1")
    for entry in (engine.store.history("T1")[-1], known.history[-1], entries(rows)[-1]):
        assert {name: getattr(entry, name) for name in entry_fields} == entry_fields
    [stored] = [r for r in engine.store._rows("select * from deadlines", []) if r["rule"] == "r"]
    for read in (engine.store.deadlines("T1"), known.deadlines, [Deadline.from_row(stored)]):
        [got] = [d for d in read if d.rule == "r"]
        assert {name: getattr(got, name) for name in deadline_fields} == deadline_fields


def test_an_entry_read_back_is_the_entry_built_whole():
    """A case read back sets each history entry's fields at once (store._entry), not through
    HistoryEntry(): it must be what building it gives, fields in order, data read-only (a
    list in it too), an event without data sharing the empty one; a damaged payload is
    still named."""
    import attrs

    from engine.errors import DamagedRecord
    from engine.guards import HistoryEntry
    from engine.read_only import NO_DATA, ReadOnlyDict, ReadOnlyList
    from engine.store import _entry

    values = (7, "approve", "2026-03-31", "county_review", "approved",
              '{"amount": 650, "members": ["甲", "乙"]}', "理由", '{"plan": ["2026-04"]}', "clerk",
              "k-1", None, "2026-12-07T05:00:00+00:00", "ab" * 32, "D1")
    read = _entry(values)
    whole = HistoryEntry(7, "approve", date(2026, 3, 31), "county_review", "approved",
                         {"amount": 650, "members": ["甲", "乙"]}, "理由", {"plan": ["2026-04"]},
                         "clerk", "k-1", None, "2026-12-07T05:00:00+00:00", "ab" * 32)
    assert list(read.__dict__.items()) == list(whole.__dict__.items())
    assert type(read) is HistoryEntry and list(read.__dict__) == [f.name for f in
                                                                 attrs.fields(HistoryEntry)]
    assert type(read.payload) is ReadOnlyDict and type(read.payload["members"]) is ReadOnlyList
    assert type(read.derived) is ReadOnlyDict and type(read.derived["plan"]) is ReadOnlyList
    with pytest.raises(TypeError):
        read.payload["members"].append("丙")
    bare = _entry((1, "accept", "2026-03-03", "applied", "accepted", "{}", None, None, None,
                   None, None, "2026-12-07T05:00:00+00:00", "cd" * 32, "D1"))
    assert bare.payload is NO_DATA and bare.derived is NO_DATA
    with pytest.raises(DamagedRecord, match=r"^event 2 of case 'D1' cannot be read .*JSONDecode"):
        _entry((2, "accept", "2026-03-03", "applied", "accepted", '{"amount": ', None, None,
                None, None, None, None, None, "D1"))


@pytest.mark.parametrize("text", [
    '{"county": "城区", "household_size": 2}', '{"a": [1, 2.5, null, true]}', "{}", "[]", '"x"',
    "3", '{"a": NaN}', ' {"a": 1}', '{"a": 1}\n', '{"a": 1} x', '{"a": 1}{}', '{"a": ',
    "\ufeff{}", "", "not json", b'{"a": 1}', 5, None, '{"a": "\\ud800"}'])
def test_stored_json_is_read_as_json_loads_reads_it(text):
    """Stored attributes and event data are read through the decoder's scanner when the text
    is one JSON value and nothing else (store._json): any text gives what json.loads gives,
    the same error where it refuses it (named for a damaged row)."""
    from engine.store import _json

    def outcome(read):
        try:
            return "value", read(text)
        except Exception as exc:  # (the very error is compared)
            return "error", type(exc), str(exc)

    got, expected = outcome(_json), outcome(json.loads)
    assert repr(got) == repr(expected)  # (repr: NaN is not equal to itself)


def test_a_deadline_read_back_is_the_deadline_built_whole():
    """A deadline read back sets its fields at once (Deadline.from_stored), not through
    Deadline(): it must be what building it gives, fields in order, dates as dates and
    ``provisional`` a bool as stored 0 or 1; a damaged date is still named."""
    import attrs

    from engine.deadlines import Deadline
    from engine.errors import DamagedRecord

    values = ("total", "审核确认办理总时限", "statutory", "duty", 1, "2026-03-03", "30wd",
              "2026-04-15", "晋民发〔2023〕31号 四(二)", "计30个工作日", 1, "total",
              "2026-03-31", "approve", "met", None, None, None, None, None, "D1")
    read = Deadline.from_stored(values)
    whole = Deadline("total", "审核确认办理总时限", "statutory", "duty", 1, date(2026, 3, 3),
                     "30wd", date(2026, 4, 15), "晋民发〔2023〕31号 四(二)", "计30个工作日", True,
                     "total", date(2026, 3, 31), "approve", "met")
    assert list(read.__dict__.items()) == list(whole.__dict__.items())
    assert list(read.__dict__) == [f.name for f in attrs.fields(Deadline)]
    assert read.provisional is True and Deadline.from_row(read.to_row("D1")) == read
    running = Deadline.from_stored((*values[:10], 0, "total", None, None, None, None, None,
                                    None, None, None, "D1"))
    assert (running.provisional, running.stopped_on, running.outcome) == (False, None, None)
    with pytest.raises(DamagedRecord, match=r"^deadline 'total' of case 'D1' cannot be read "):
        Deadline.from_stored((*values[:7], "2026-04-31", *values[8:]))


@pytest.mark.parametrize(("column", "value", "problem"), [
    ("attributes", "[1]", "TypeError: attributes are list, not an object"),
    ("attributes", '{"county": ', "JSONDecodeError: Expecting value"),
    ("opened_on", "2026-02-30", 'ValueError: "2026-02-30" is not a date: 2026-02 has 28 days')])
def test_a_damaged_case_row_is_left_out_of_the_batch_read_and_named_alone(
        tmp_path, column, value, problem):
    """The batch reads a case's row from the cursor's tuple (CaseRecord.from_stored), read
    alone from a dict of it (from_row): a row changed by hand is left out of the one and named
    by the other, the same words as before."""
    from engine.errors import DamagedRecord

    path = _good_and_damaged(tmp_path, (f"update cases set {column} = ? where id = 'B1'", value))
    reader = Engine.open(path)
    assert sorted(reader.store.known_cases(["B1", "G1"])) == ["G1"]
    with pytest.raises(DamagedRecord, match=r"^case 'B1' cannot be read from the database") as e:
        reader._known("B1")
    assert e.value.problem.startswith(problem)
