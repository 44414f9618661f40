"""County settings and their set-asides are hash chains, as each case's events are
(engine/integrity.py, migration m016): a row edited by hand to another county, another date or
another value that still breaks no rule, or a row deleted, is named by `audit verify`, and a
row altered stops its county's cases until it is set aside (`parameter void`)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from engine import Engine
from engine.integrity import GENESIS, SETTING_HASHED, VOID_HASHED, row_hash
from engine.schema import migrations
from helpers import dump_file, error_line, put_back_triggers, run

# investigation_start, 民发〔2021〕57号 第15条 "3个工作日内", 受理 Mon 2026-03-02:
#   3/3(1) 3/4(2) 3/5(3) → 2026-03-05; 乙县's 2 working days: 3/3(1) 3/4(2) → 2026-03-04.
PROVINCE_DUE, COUNTY_DUE = "2026-03-05", "2026-03-04"
PLACE = ["--province", "shanxi", "--county", "乙县"]


def _settings(db):
    """乙县 (#1), 甲县 (#2) and 丙县 (#3) each give the investigation 2 working days from
    2026-01-05; a 乙县 case accepted on 2026-03-02 counts with #1 (due 03-04)."""
    for county in ("乙县", "甲县", "丙县"):
        assert run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
                   "--county", county, "--on", "2026-01-05",
                   "--basis", f"{county}人民政府〔2026〕2号").exit_code == 0
    opened = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02", "--set",
                 "county=乙县")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    assert run(db, "case", "fire", case_id, "accept", "--on", "2026-03-02").exit_code == 0
    return case_id


def _by_hand(db, *statements):
    """Edit the database with sqlite3, triggers dropped first and put back after."""
    conn = sqlite3.connect(db)
    conn.execute("drop trigger if exists local_parameters_append_only_update")
    conn.execute("drop trigger if exists local_parameters_append_only_delete")
    for statement in statements:
        conn.execute(statement)
    put_back_triggers(conn)
    conn.commit()
    conn.close()


def _investigation_due(db, case_id):
    shown = run(db, "case", "show", case_id, "--format", "json")
    assert shown.exit_code == 0, shown.output
    import json
    return next(d["due_on"] for d in json.loads(shown.stdout)["deadlines"]
                if d["rule"] == "investigation_start")


def test_a_clean_database_verifies_and_each_row_is_chained_as_written(db):
    case_id = _settings(db)
    assert run(db, "parameter", "set", "investigation_start", "2wd", *PLACE, "--on",
               "2026-02-02", "--basis", "乙县人民政府〔2026〕5号").exit_code == 0
    assert run(db, "recompute").exit_code == 0  # (its basis, dated back)
    assert _investigation_due(db, case_id) == COUNTY_DUE
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.stdout == ""
    rows = list(sqlite_utils.Database(db).query("select * from local_parameters order by id"))
    previous = GENESIS
    for row in rows:  # (each row's hash over its content and the row before's)
        assert (row["prev_hash"], row["hash"]) == (previous, row_hash(row, previous,
                                                                      SETTING_HASHED))
        previous = row["hash"]


@pytest.mark.parametrize("edit", [
    "county = '丁县'",  # another county, which may set it as well
    "[on] = '2026-03-03'",  # another date (乙县's case then counts with the province's)
    "value = '\"1wd\"'",  # another value within the rules
])
def test_a_setting_edited_by_hand_is_named_altered_and_stops_its_county_until_set_aside(
        db, edit):
    """Before, each edit broke no rule and was not chained: `audit verify` blamed the 乙县
    case ("deadline investigation_start #1 differs", as its due date 03-04 no longer
    followed) or, the county moved to 丁县 and its case's due date unchanged by another
    date, found nothing. Now the row is named, exit 1; every command on its county's cases
    names it with the repair, `parameter void`; once set aside it is kept as evidence, no
    failure, and 乙县 counts with 57号 第15条's 3 working days (03-05) once recomputed."""
    case_id = _settings(db)
    _by_hand(db, f"update local_parameters set {edit} where id = 1")
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert verified.stdout.splitlines() == [
        "county setting #1 altered; the deadlines of the shanxi dibao cases were not compared "
        "with their histories"]
    assert error_line(verified) == "Error: 1 county setting altered"

    county = "丁县" if "county" in edit else "乙县"
    if county == "乙县":
        before = dump_file(db)
        fired = run(db, "case", "fire", case_id, "check", "--on", "2026-03-03")
        assert (fired.exit_code, error_line(fired)) == (1, (
            "Error: county setting #1 (shanxi 乙县 dibao investigation_start, as it now reads) "
            "was altered: it no longer fits its hash, so it was changed outside doudi (doudi "
            "audit verify lists what was); put it right by setting it aside: doudi parameter "
            "void 1 --basis …, then record what the county decided with parameter set"))
        assert dump_file(db) == before
    voided = run(db, "parameter", "void", "1", "--basis", "乙县民政局 更正")
    assert voided.exit_code == 0, voided.output
    assert run(db, "recompute").exit_code == 0
    assert _investigation_due(db, case_id) == PROVINCE_DUE
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.splitlines() == [
        "county setting #1 altered; set aside by void #1 (乙县民政局 更正), and kept as evidence"]


def test_a_setting_deleted_or_renumbered_by_hand_is_named_missing_or_out_of_order(db, tmp_path):
    """A deleted row (#2 of 3) leaves a gap the next row's chain names; rows swapped (#1
    and #2) are named where the chain first runs out of order, as an event is."""
    _settings(db)
    _by_hand(db, "delete from local_parameters where id = 2")
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert verified.stdout.splitlines() == ["county setting #2 missing"]
    assert error_line(verified) == ("Error: the chain of the county settings (or their "
                                    "set-asides) is broken at 1 place")

    db = str(tmp_path / "swapped.db")
    _settings(db)
    _by_hand(db, "update local_parameters set id = 9 where id = 1",
             "update local_parameters set id = 1 where id = 2",
             "update local_parameters set id = 2 where id = 9")
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert verified.stdout.splitlines() == ["county setting #1 out of order"]


def test_a_set_aside_edited_by_hand_is_named_and_sets_nothing_aside(db):
    _settings(db)
    _by_hand(db, "update local_parameters set value = '\"1wd\"' where id = 1")
    assert run(db, "parameter", "void", "1", "--basis", "乙县民政局 更正").exit_code == 0
    conn = sqlite3.connect(db)
    conn.execute("drop trigger local_parameter_voids_append_only_update")
    conn.execute("update local_parameter_voids set setting = 2")
    put_back_triggers(conn)
    conn.commit()
    conn.close()
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert verified.stdout.splitlines() == [
        "county setting #1 altered; the deadlines of the shanxi dibao cases were not compared "
        "with their histories", "county setting set-aside #1 altered"]


def test_the_migration_chains_the_settings_stored_before_it(tmp_path):
    """A database made before m016: its settings and set-asides get their hashes, over
    what they hold then (a row edited before cannot be told), and verify passes; the
    triggers are made again as they were."""
    path = str(tmp_path / "old.db")
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m016_setting_chains")
    for county in ("乙县", "甲县"):
        db["local_parameters"].insert({
            "province": "shanxi", "county": county, "workflow": "dibao",
            "name": "investigation_start", "value": '"2wd"', "citation": "文件 二",
            "on": "2026-01-05", "actor": None, "recorded_at": "2026-01-06T00:00:00Z"})
    db["local_parameters"].insert({
        "province": "shanxi", "county": "丙县", "workflow": "dibao",
        "name": "investigation_start", "value": "NaN", "citation": "文件 三",
        "on": "2026-01-05", "actor": None, "recorded_at": "2026-01-06T00:00:00Z"})
    db["local_parameter_voids"].insert({"setting": 3, "citation": "更正", "actor": None,
                                        "recorded_at": "2026-01-07T00:00:00Z"})
    db.close()
    engine = Engine.open(path)
    assert "m016_setting_chains" in {m.name for m in migrations.applied(engine.store.db)}
    assert engine.store.removed_safeguards() == []
    assert engine.verify()[2][0].voided_by == 1  # (the NaN row, set aside: no failure)
    assert [str(f) for f in engine.verify()[2]] == [
        "county setting #3 (shanxi 丙县 dibao investigation_start): cannot be read back "
        "(ValueError: NaN is not a JSON value); set aside by void #1 (更正), and kept as evidence"]
    void = engine.store.setting_void_rows()[0]
    assert void["hash"] == row_hash(void, GENESIS, VOID_HASHED)
    engine.set_parameter("shanxi", "丁县", "investigation_start", "2wd", "文件 四",
                         on=__import__("datetime").date(2026, 1, 5))
    engine.close()
    assert run(path, "audit", "verify").exit_code == 0


@pytest.mark.parametrize("table", ["local_parameters", "local_parameter_voids"])
def test_a_row_added_by_hand_without_its_hash_is_named_altered_only(db, table):
    """docs/evidence.md: "A row added with sqlite3 without its hash is altered too", put
    right by setting it aside. Found by review: its chain link (NULL) was taken for a stored
    hash, so verify named it "out of order" as well, exit 1 for good once it was set aside;
    and a row doudi recorded after it (chained to GENESIS, the row before having no hash)
    was named out of order too."""
    _settings(db)
    if table == "local_parameters":
        _by_hand(db, "insert into local_parameters (province, county, workflow, name, value, "
                     "citation, [on], recorded_at) values ('shanxi', '丁县', 'dibao', "
                     "'investigation_start', '\"4wd\"', '丁县〔2026〕1号', '2026-01-05', "
                     "'2026-01-06T00:00:00+00:00')")
        verified = run(db, "audit", "verify")
        assert verified.exit_code == 1, verified.output
        assert verified.stdout.splitlines() == [
            "county setting #4 altered; the deadlines of the shanxi dibao cases were not "
            "compared with their histories"]
        assert error_line(verified) == "Error: 1 county setting altered"
        assert run(db, "parameter", "void", "4", "--basis", "丁县民政局 更正").exit_code == 0
        named = ["county setting #4 altered; set aside by void #1 (丁县民政局 更正), and kept "
                 "as evidence"]
    else:
        _by_hand(db, "update local_parameters set value = '\"1wd\"' where id = 1")
        assert run(db, "parameter", "void", "1", "--basis", "乙县民政局 更正").exit_code == 0
        assert run(db, "recompute").exit_code == 0  # (乙县's case: the province's 3 days)
        _by_hand(db, "insert into local_parameter_voids (setting, citation, recorded_at) "
                     "values (1, '另一份', '2026-01-07T00:00:00+00:00')")
        verified = run(db, "audit", "verify")
        assert verified.exit_code == 1, verified.output
        named = ["county setting #1 altered; set aside by void #1 (乙县民政局 更正), and kept "
                 "as evidence"]
        assert verified.stdout.splitlines() == [*named, "county setting set-aside #2 altered"]
    # (a setting recorded after it, chained to GENESIS: the row before has no hash)
    assert run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
               "--county", "戊县", "--on", "2026-01-05", "--basis", "戊县〔2026〕1号").exit_code == 0
    verified = run(db, "audit", "verify")
    if table == "local_parameters":
        assert verified.exit_code == 0, verified.output
        assert verified.stdout.splitlines() == named
    else:
        assert verified.stdout.splitlines() == [*named, "county setting set-aside #2 altered"]


def test_a_rows_own_link_edited_names_that_row_not_the_one_before(db):
    """A row whose prev_hash was edited no longer fits its hash (the hash covers it): named
    altered and put right by setting it aside. Found by review: the link not fitting was
    also taken for the row before (#1, intact) having its hash worked out again, "county
    setting #1 altered", a failure nothing could clear."""
    _settings(db)
    _by_hand(db, "update local_parameters set prev_hash = 'x' where id = 2")
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert verified.stdout.splitlines() == [
        "county setting #2 altered; the deadlines of the shanxi dibao cases were not compared "
        "with their histories"]
    assert run(db, "parameter", "void", "2", "--basis", "甲县民政局 更正").exit_code == 0
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.splitlines() == [
        "county setting #2 altered; set aside by void #1 (甲县民政局 更正), and kept as evidence"]


def test_a_blob_in_a_setting_is_hashed_not_a_traceback(tmp_path):
    """A setting row holding a BLOB (put in with sqlite3: X'…'), which the version before
    m016 read as a row that cannot be read back. Found by review: its hash could not be
    worked out (TypeError: Object of type bytes is not JSON serializable), so m016 failed
    and every command on such a database ended in a traceback; a BLOB put in a row after
    m016 did the same. Now m016 hashes it as it is (read back as before: cannot be read
    back, set aside by parameter void), and one put in after is named altered."""
    path = str(tmp_path / "old.db")
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m016_setting_chains")
    db.execute("insert into local_parameters (province, county, workflow, name, value, "
               "citation, [on], recorded_at) values ('shanxi', '丙县', 'dibao', "
               "'investigation_start', X'22327764', '文件 三', '2026-01-05', "
               "'2026-01-06T00:00:00Z')")
    db.conn.commit()
    db.close()
    verified = run(path, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert verified.stdout.splitlines() == [
        "county setting #1 (shanxi 丙县 dibao investigation_start): cannot be read back "
        "(TypeError: cannot use a string pattern on a bytes-like object); the deadlines of the "
        "shanxi dibao cases were not compared with their histories"]
    assert error_line(verified) == "Error: 1 county setting cannot be read back"
    assert run(path, "parameter", "void", "1", "--basis", "丙县民政局 更正").exit_code == 0
    assert run(path, "audit", "verify").exit_code == 0

    assert run(path, "parameter", "set", "investigation_start", "2wd", *PLACE, "--on",
               "2026-01-05", "--basis", "乙县人民政府〔2026〕2号").exit_code == 0
    _by_hand(path, "update local_parameters set citation = X'41' where id = 2")
    verified = run(path, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert verified.stdout.splitlines()[1:] == [
        "county setting #2 altered; the deadlines of the shanxi dibao cases were not compared "
        "with their histories"]
    assert error_line(verified) == "Error: 1 county setting altered"
