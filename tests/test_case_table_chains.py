"""The sanctions and the links between cases are hash chains, as the county settings are
(engine/integrity.py, migration m017): a repayment's amount changed by hand, a link deleted,
added, renumbered or pointed elsewhere is named by `audit verify`, exit 1. Before, they were
only read back, and each of these edits passed (exit 0)."""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from datetime import date

import pytest
import sqlite_utils

from engine import Engine, Sanction
from engine.integrity import GENESIS, LINK_HASHED, SANCTION_HASHED, row_hash
from engine.schema import MIGRATIONS_TABLE, migrations, upgrade
from helpers import as_before_m018, error_line, put_back_triggers, run, tianjin_case_in_publicity

# 天津: 受理 2026-03-02, approved 2026-03-17 with 900 a month (paid from 2026-04, 57号 第21条:
# the month after the decision); fraud found on 2026-06-10 since 2026-04-01 (津民发〔2023〕13号
# 五(五)): paid 2026-04, 05, 06 = 3 × 900 = 2700 to repay.
REPAYMENT = 2700.0


def _approved_and_fraud(db):
    """The links #1 (dibao → benefit, "benefit") and #2 (benefit → dibao, "application"),
    the sanctions #1 stop, #2 repayment (2700), #3 legal_referral."""
    case_id = tianjin_case_in_publicity(db, "2026-03-02")
    assert run(db, "case", "fire", case_id, "approve", "--on", "2026-03-17",
               "--set", "amount=900").exit_code == 0
    [link] = json.loads(run(db, "case", "show", case_id, "--format", "json").stdout)["links"]
    benefit = link["case_id"]
    fraud = run(db, "case", "fire", benefit, "fraud_found", "--on", "2026-06-10",
                "--set", "since=2026-04-01", "--reason", "虚报收入")
    assert fraud.exit_code == 0, fraud.output
    stored = sqlite_utils.Database(db)
    assert [(r["kind"], r["amount"]) for r in stored.query(
        "select * from sanctions where case_id = ? order by id", [benefit])] == [
        ("stop", None), ("repayment", REPAYMENT), ("legal_referral", None)]
    assert [(r["case_id"], r["relation"]) for r in stored.query(
        "select * from links where ? in (case_id, other_id) order by rowid", [case_id])] == [
        (case_id, "benefit"), (benefit, "application")]
    stored.close()
    return case_id, benefit


def _by_hand(db, *statements):
    """Edit the database with sqlite3 as someone with the file could: the triggers refusing
    it dropped first, and put back after (``audit verify`` names one that is gone)."""
    conn = sqlite3.connect(db)
    for table in ("sanctions", "links", "local_parameters"):
        for action in ("update", "delete"):
            conn.execute(f"drop trigger if exists {table}_append_only_{action}")
    for statement in statements:
        conn.execute(statement)
    put_back_triggers(conn)
    conn.commit()
    conn.close()


def _verified(db):
    verified = run(db, "audit", "verify")
    return (verified.exit_code, verified.stdout.splitlines(),
            error_line(verified) if verified.exit_code else None)


def _chained_as_written(rows, columns):
    previous = GENESIS
    for row in rows:  # (each row's hash over its content and the row before's)
        assert (row["prev_hash"], row["hash"]) == (previous, row_hash(row, previous, columns))
        previous = row["hash"]


def test_a_clean_database_verifies_and_each_row_is_chained_as_written(db):
    _approved_and_fraud(db)
    _approved_and_fraud(db)  # (the second case's rows chained to the first's)
    code, lines, _ = _verified(db)
    assert (code, lines) == (0, [])
    stored = sqlite_utils.Database(db)
    _chained_as_written(list(stored.query("select * from sanctions order by id")),
                        SANCTION_HASHED)
    _chained_as_written(list(stored.query("select rowid as id, * from links order by rowid")),
                        LINK_HASHED)
    assert stored.execute("select count(*) from links").fetchone()[0] == 4


SANCTIONS = "Error: the chain of the sanctions is broken at 1 place"
LINKS = "Error: the chain of the links is broken at 1 place"


@pytest.mark.parametrize(("edits", "lines", "error"), [
    # the repayment of 2700 made 900
    (["update sanctions set amount = 900 where id = 2"], ["sanction #2 altered"], SANCTIONS),
    (["update sanctions set [on] = '2026-07-10' where id = 1"], ["sanction #1 altered"],
     SANCTIONS),
    (["delete from sanctions where id = 2"], ["sanction #2 missing"], SANCTIONS),
    (["update sanctions set id = 9 where id = 1", "update sanctions set id = 1 where id = 2",
      "update sanctions set id = 2 where id = 9"], ["sanction #1 out of order"], SANCTIONS),
    (["insert into sanctions (case_id, seq, kind, [on], amount, basis, note) select case_id, "
      "seq, 'repayment', [on], 100, basis, '' from sanctions where id = 1"],
     ["sanction #4 altered"], SANCTIONS),
    # the benefit case's application link (what the 公布 reads) made another relation
    (["update links set relation = 'transfer' where rowid = 2"], ["link #2 altered"], LINKS),
    (["update links set other_id = case_id where rowid = 1"], ["link #1 altered"], LINKS),
    (["delete from links where rowid = 1"], ["link #1 missing"], LINKS),
    (["update links set rowid = 9 where rowid = 1", "update links set rowid = 1 where rowid = 2",
      "update links set rowid = 2 where rowid = 9"], ["link #1 out of order"], LINKS),
    (["insert into links (case_id, other_id, relation, [on], seq) select other_id, case_id, "
      "'transfer', [on], seq from links where rowid = 1"], ["link #3 altered"], LINKS),
])
def test_a_sanction_or_link_edited_by_hand_is_named(db, edits, lines, error):
    _approved_and_fraud(db)
    _by_hand(db, *edits)
    assert _verified(db) == (1, lines, error)


def test_both_tables_broken_are_each_counted(db):
    _approved_and_fraud(db)
    _by_hand(db, "update sanctions set amount = 900 where id = 2",
             "delete from links where rowid = 1")
    assert _verified(db) == (1, ["sanction #2 altered", "link #1 missing"],
                             "Error: the chain of the sanctions is broken at 1 place; the chain "
                             "of the links is broken at 1 place")


@pytest.mark.parametrize(("edits", "lines", "error"), [
    # two households: sanctions #1-#3 and #4-#6; #1 and #3 deleted, the rest renumbered 1-4
    (["delete from sanctions where id in (1, 3)", "update sanctions set id = 1 where id = 2",
      "update sanctions set id = 2 where id = 4", "update sanctions set id = 3 where id = 5",
      "update sanctions set id = 4 where id = 6"], ["sanction #1 altered"], SANCTIONS),
    # links #1-#2 and #3-#4; #1 and #3 deleted, the rest renumbered 1-2
    (["delete from links where rowid in (1, 3)", "update links set rowid = 1 where rowid = 2",
      "update links set rowid = 2 where rowid = 4"], ["link #1 altered"], LINKS),
])
def test_rows_deleted_and_the_rest_renumbered_name_the_first_row_once(db, edits, lines, error):
    """The first row left (#1) is chained to a row that is gone, and so is the next (#2):
    the first is named, as before, and the next row's link did name it again ("sanction #1
    altered" twice, "broken at 2 places")."""
    _approved_and_fraud(db)
    _approved_and_fraud(db)
    _by_hand(db, *edits)
    assert _verified(db) == (1, lines, error)


def test_a_sanction_edited_with_its_hash_worked_out_again_is_named_through_the_next(db):
    """The repayment made 900 and its own hash worked out again over it: it fits itself,
    but the next row (#3) is chained to the hash it had."""
    _approved_and_fraud(db)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("select * from sanctions where id = 2").fetchone())
    row["amount"] = 900.0
    conn.close()
    _by_hand(db, f"update sanctions set amount = 900, hash = "
                 f"'{row_hash(row, row['prev_hash'], SANCTION_HASHED)}' where id = 2")
    assert _verified(db) == (1, ["sanction #2 altered"], SANCTIONS)


def test_a_whole_amount_is_hashed_as_the_table_gives_it_back():
    """A plugin's amount of 100 (an int) is stored in a REAL column, read back as 100.0:
    hashed as the int, the row would be named altered however it was left."""
    row = Sanction("repayment", date(2026, 6, 10), "津民发〔2023〕13号 五(五)", amount=100
                   ).to_row("c", 1)
    assert type(row["amount"]) is float and row["amount"] == 100.0
    conn = sqlite3.connect(":memory:")
    conn.execute("create table t (amount real)")
    conn.execute("insert into t values (?)", [100])
    assert row_hash({**row, "amount": conn.execute("select amount from t").fetchone()[0]},
                    GENESIS, SANCTION_HASHED) == row_hash(row, GENESIS, SANCTION_HASHED)


def test_verify_of_one_case_reads_neither_table(db):
    """Each table is one chain, read whole: `audit verify --case` checks the case's events."""
    case_id, _ = _approved_and_fraud(db)
    _by_hand(db, "update sanctions set amount = 900 where id = 2")
    verified = run(db, "audit", "verify", "--case", case_id)
    assert verified.exit_code == 0, verified.output


def _as_before_m017(conn: sqlite3.Connection) -> None:
    """The sanctions and links as a doudi before m017 left them: no hashes, no triggers."""
    for table in ("sanctions", "links"):
        conn.execute(f"alter table {table} drop column hash")
        conn.execute(f"alter table {table} drop column prev_hash")
        for action in ("update", "delete"):  # (m018's)
            conn.execute(f"drop trigger {table}_append_only_{action}")


def test_the_migration_chains_the_sanctions_and_links_stored_before_it(tmp_path):
    """A database made before m017: its sanctions and links get their hashes, over what they
    hold then (a row edited before cannot be told), and verify passes; a row edited after
    is named."""
    path = str(tmp_path / "old.db")
    _approved_and_fraud(path)
    conn = sqlite3.connect(path)  # (the database as a doudi before m017 left it)
    _as_before_m017(conn)
    conn.execute("update sanctions set amount = 2600 where id = 2")  # (before: not told)
    conn.execute(f"delete from [{MIGRATIONS_TABLE}] where name in "
                 "('m017_sanction_and_link_chains', 'm018_sanction_and_link_triggers')")
    conn.commit()
    conn.close()
    assert "m017_sanction_and_link_chains" not in {
        m.name for m in migrations.applied(sqlite_utils.Database(path))}
    engine = Engine.open(path)
    assert "m017_sanction_and_link_chains" in {m.name for m in migrations.applied(engine.store.db)}
    rows = list(engine.store.sanction_chain_rows())
    assert rows[1]["amount"] == 2600.0
    _chained_as_written(rows, SANCTION_HASHED)
    _chained_as_written(list(engine.store.link_chain_rows()), LINK_HASHED)
    engine.close()
    assert _verified(path) == (0, [], None)
    _by_hand(path, "update links set relation = 'transfer' where rowid = 2")
    assert _verified(path) == (1, ["link #2 altered"], LINKS)


def test_a_repayment_of_minus_zero_is_hashed_as_the_table_gives_it_back(install, db):
    """A plugin's repayment worked out as round(-0.004, 2) is -0.0, which a REAL column
    stores as 0 and gives back as 0.0: hashed as -0.0 ("-0.0" in its content), the row was
    named `sanction #1 altered` on a database no one had touched."""
    install('''
    from engine import Sanction, Transition, WorkflowPatch

    def repay(ctx, outcome):
        outcome.sanctions.append(Sanction("repayment", ctx.on, "琼民规〔2099〕1号 五(五)",
                                          amount=round(-0.004, 2)))

    @hookimpl
    def doudi_register_effects(register):
        register("hainan_repay", repay)

    @hookimpl
    def doudi_workflow_patches(province, workflow):
        if province == "hainan" and workflow == "dibao":
            return [WorkflowPatch("琼民规〔2099〕1号 五(五)", add_transitions=(Transition(
                "repaid", ("accepted",), None, "退回", effects=("hainan_repay",)),))]
    ''')
    case_id = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01").output.strip()
    assert run(db, "case", "fire", case_id, "accept", "--on", "2026-04-02").exit_code == 0
    fired = run(db, "case", "fire", case_id, "repaid", "--on", "2026-04-07")
    assert fired.exit_code == 0, fired.output
    stored = sqlite_utils.Database(db)
    assert [r["amount"] for r in stored.query("select amount from sanctions")] == [0.0]
    stored.close()
    assert _verified(db) == (0, [], None)


def test_the_migration_reads_a_large_table_a_chunk_at_a_time(tmp_path):
    """m017 on 20,000 links stored before it: each chained to the one before across the
    chunks it reads, and the rows never held whole (they were: 200,000 links took 135 MB)."""
    path = str(tmp_path / "old.db")
    Engine.open(path).close()
    conn = sqlite3.connect(path)  # (the database as a doudi before m017 left it)
    _as_before_m017(conn)
    conn.executemany("insert into links (case_id, other_id, relation, [on], seq) "
                     "values (?, ?, 'benefit', '2026-03-17', 6)",
                     [(f"a{n:05d}", f"b{n:05d}") for n in range(20_000)])
    conn.execute(f"delete from [{MIGRATIONS_TABLE}] where name in "
                 "('m017_sanction_and_link_chains', 'm018_sanction_and_link_triggers')")
    conn.commit()
    conn.close()
    db = sqlite_utils.Database(path)
    tracemalloc.start()
    try:
        upgrade(db)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000, peak
    rows = list(db.query("select rowid as id, * from links order by rowid"))
    assert len(rows) == 20_000
    _chained_as_written(rows, LINK_HASHED)
    db.close()


@pytest.mark.parametrize(("statement", "refusal"), [
    ("update sanctions set amount = 900 where id = 2", "sanctions are append-only"),
    ("delete from sanctions where id = 2", "sanctions are append-only"),
    ("update links set relation = 'transfer' where rowid = 2",
     "links between cases are append-only"),
    ("delete from links where rowid = 1", "links between cases are append-only"),
])
def test_the_database_refuses_to_rewrite_a_sanction_or_link(db, statement, refusal):
    """Both tables are append-only by trigger (m018), as the events and the county settings
    are: the repayment of 2700 made 900, or the application link the 公布 reads given another
    relation, was taken by the database and only named by `audit verify` afterwards."""
    _approved_and_fraud(db)
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match=f"^{refusal}$"):
        conn.execute(statement)
    conn.rollback()
    assert conn.execute("select amount from sanctions where id = 2").fetchone() == (REPAYMENT,)
    assert conn.execute("select count(*), min(relation), max(relation) from links").fetchone() == (
        2, "application", "benefit")
    conn.close()
    assert _verified(db) == (0, [], None)


def test_audit_verify_names_a_trigger_of_either_table_dropped(db):
    """A trigger dropped to edit the table with sqlite3 and not put back: the file takes the
    edit from then on, so verify names it (exit 1), as it names one of the events'."""
    _approved_and_fraud(db)
    conn = sqlite3.connect(db)
    conn.execute("drop trigger sanctions_append_only_delete")
    conn.execute("drop trigger links_append_only_update")
    conn.commit()
    conn.close()
    assert _verified(db) == (1, [
        "file: trigger sanctions_append_only_delete, which refuses DELETE on sanctions, is gone",
        "file: trigger links_append_only_update, which refuses UPDATE on links, is gone"],
        "Error: 2 triggers refusing to rewrite the records removed or changed")
    _by_hand(db)  # (put back: verify passes again)
    assert _verified(db) == (0, [], None)


def test_the_migration_makes_the_triggers_on_a_database_of_the_schema_before(tmp_path):
    """A database as a doudi of m017 left it (chained, no triggers on either table): opened,
    it gets them (m018), its rows kept and still verified, and an edit is then refused."""
    path = str(tmp_path / "old.db")
    _approved_and_fraud(path)
    conn = sqlite3.connect(path)
    as_before_m018(conn)
    conn.commit()
    conn.execute("update sanctions set note = note where id = 1")  # (taken: no trigger yet)
    conn.close()
    engine = Engine.open(path)
    assert "m018_sanction_and_link_triggers" in {
        m.name for m in migrations.applied(engine.store.db)}
    assert engine.store.removed_safeguards() == []
    engine.close()
    assert _verified(path) == (0, [], None)
    conn = sqlite3.connect(path)
    for statement in ("update sanctions set note = note where id = 1",
                      "delete from links where rowid = 2"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    conn.close()


# Rows cut from the end of a chained table leave no gap in its chain, and the chain heads
# `audit heads` printed were each case's events' only: `audit verify` passed after the last
# sanctions (a stop, a repayment order) or the last county settings were deleted, whatever
# list was kept. The list now holds each chained table's head too, a line `table NAME ID
# HASH` each, and `audit verify --heads` checks that each is still stored as it was kept.

def _heads(db, tmp_path):
    listing = run(db, "audit", "heads")
    assert listing.exit_code == 0, listing.output
    kept = tmp_path / "heads.txt"
    kept.write_text(listing.stdout, encoding="utf-8")
    return kept, listing.stdout.splitlines()


def _hash_of(db, table, row_id):
    conn = sqlite3.connect(db)
    [(digest,)] = conn.execute(f"select hash from {table} where rowid = ?", [row_id]).fetchall()
    conn.close()
    return digest


def test_the_last_sanctions_deleted_show_against_the_heads_kept_before(db, tmp_path):
    dibao, benefit = _approved_and_fraud(db)
    kept, lines = _heads(db, tmp_path)
    last = _hash_of(db, "sanctions", 3)
    # The tables' heads first, in the order verify checks the chains (no county setting yet,
    # no set-aside: no line), then each case's, as before.
    assert lines[:2] == [f"table\tsanctions\t3\t{last}", f"table\tlinks\t2\t{_hash_of(db, 'links', 2)}"]
    assert sorted(line.split("\t")[0] for line in lines[2:]) == sorted([dibao, benefit])
    assert all(len(line.split("\t")) == 3 for line in lines[2:])
    # The repayment order (2700) and the legal referral deleted, the last two rows: no gap.
    _by_hand(db, "delete from sanctions where id in (2, 3)")
    assert _verified(db) == (0, [], None)
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"sanction #3 missing since its hash {last} was kept: the table ends before it"]
    assert error_line(result) == SANCTIONS
    # Recorded again by doudi (another household's fraud: #2-#4), #3 is another row now.
    _approved_and_fraud(db)
    assert _verified(db) == (0, [], None)
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert (result.exit_code, result.stdout.splitlines()) == (
        1, [f"sanction #3 altered since its hash {last} was kept"])
    # In Python: the same heads.
    engine = Engine.open(db)
    assert [str(f) for f in engine.verify(table_heads=[("sanctions", 3, last)])[2]] == [
        f"sanction #3 altered since its hash {last} was kept"]


def test_the_last_county_setting_deleted_shows_against_the_heads_kept_before(db, tmp_path):
    for value, basis in (("2wd", "甲县〔2026〕1号"), ("3wd", "甲县〔2026〕2号")):
        assert run(db, "parameter", "set", "investigation_start", value, "--province", "shanxi",
                   "--county", "甲县", "--basis", basis, "--on", "2026-01-01").exit_code == 0
    kept, lines = _heads(db, tmp_path)
    last = _hash_of(db, "local_parameters", 2)
    assert lines == [f"table\tlocal_parameters\t2\t{last}"]  # (no case yet)
    engine = Engine.open(db)
    assert list(engine.table_heads()) == [("local_parameters", 2, last)]
    _by_hand(db, "delete from local_parameters where id = 2")
    assert _verified(db) == (0, [], None)
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"county setting #2 missing since its hash {last} was kept: the table ends before it"]
    assert error_line(result) == (
        "Error: the chain of the county settings (or their set-asides) is broken at 1 place")
    [finding] = engine.verify(table_heads=[("local_parameters", 2, last)])[2]
    assert (type(finding).__name__, finding.what, finding.id) == (
        "SettingChainFinding", "county setting", 2)


def test_a_last_sanction_rewritten_with_its_hash_worked_out_again_shows_against_the_heads(
        db, tmp_path):
    """The legal referral (#3, the last row) given another note and its hash worked out
    again: it fits itself and no row after it is chained to it, so the chain passes."""
    _approved_and_fraud(db)
    kept, _ = _heads(db, tmp_path)
    last = _hash_of(db, "sanctions", 3)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("select * from sanctions where id = 3").fetchone())
    conn.close()
    row["note"] = "已撤回"
    _by_hand(db, "update sanctions set note = '已撤回', hash = "
                 f"'{row_hash(row, row['prev_hash'], SANCTION_HASHED)}' where id = 3")
    assert _verified(db) == (0, [], None)
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert (result.exit_code, result.stdout.splitlines(), error_line(result)) == (
        1, [f"sanction #3 altered since its hash {last} was kept"], SANCTIONS)


def test_a_kept_row_deleted_in_the_middle_is_named_once(db, tmp_path):
    """A row deleted that rows after it follow is the chain's own finding; the kept head
    names it again no more."""
    _approved_and_fraud(db)
    kept, _ = _heads(db, tmp_path)
    _approved_and_fraud(db)
    _by_hand(db, "delete from sanctions where id = 3")
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert (result.exit_code, result.stdout.splitlines(), error_line(result)) == (
        1, ["sanction #3 missing"], SANCTIONS)


def test_a_list_of_case_heads_only_as_kept_before_still_verifies(db, tmp_path):
    """A list `audit heads` printed before it printed the tables' heads: case lines only."""
    _approved_and_fraud(db)
    kept, lines = _heads(db, tmp_path)
    kept.write_text("".join(f"{line}\n" for line in lines if not line.startswith("table\t")),
                    encoding="utf-8")
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert (result.exit_code, result.stdout) == (0, "")
    _by_hand(db, "delete from sanctions where id = 3")  # (what such a list does not cover)
    assert run(db, "audit", "verify", "--heads", str(kept)).exit_code == 0


def test_audit_heads_of_one_case_prints_that_case_only(db):
    dibao, _ = _approved_and_fraud(db)
    listing = run(db, "audit", "heads", "--case", dibao)
    assert listing.exit_code == 0
    assert [line.split("\t")[:2] for line in listing.stdout.splitlines()] == [[dibao, "6"]]


H = "a" * 64


@pytest.mark.parametrize("line", [
    f"table\tsanction\t3\t{H}",  # (the table's name, not the finding's)
    f"table\tcases\t3\t{H}",
    f"table\tsanctions\t0\t{H}",
    f"table\tsanctions\t-1\t{H}",
    f"table\tsanctions\t{2**63}\t{H}",  # (no row's: SQLite's largest is 2**63 - 1)
    f"table\tsanctions\tthree\t{H}",
    "table\tsanctions\t3\tnot-a-hash",
    f"table\tsanctions\t3\t{H}\textra",
    "table\tsanctions\t3",  # (a case "table" at seq "sanctions": not one either)
])
def test_a_table_line_that_is_not_one_is_one_error_line_exit_2(db, tmp_path, line):
    _approved_and_fraud(db)
    kept, lines = _heads(db, tmp_path)
    kept.write_text("\n".join([*lines, line]) + "\n", encoding="utf-8")
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert result.exit_code == 2
    number = len(lines) + 1
    shown = repr(line.rstrip()[:80])
    if line == "table\tsanctions\t3":
        assert error_line(result) == (
            f"Error: {kept} line {number}: not a chain head as `doudi audit heads` prints it "
            f"(case id, seq, hash, tab-separated): {shown}")
    else:
        assert error_line(result) == (
            f"Error: {kept} line {number}: not a table's chain head as `doudi audit heads` "
            "prints it (table, its name: local_parameters, local_parameter_voids, sanctions, "
            "links, calendar_years or calendar_year_voids, the id of its last row, that row's hash, "
            f"tab-separated): {shown}")


def test_table_heads_given_to_verify_are_checked_first(db):
    _approved_and_fraud(db)
    engine = Engine.open(db)
    for heads in ([("sanction", 3, H)], [("sanctions", 0, H)], [("sanctions", True, H)],
                  [("sanctions", 2**63, H)],
                  [("sanctions", 3, "x")], [("sanctions", 3)], "sanctions", 3):
        with pytest.raises(ValueError, match="table_heads must be"):
            engine.verify(table_heads=heads)
    heads = iter(engine.table_heads())  # (an iterator, read once, is held)
    assert engine.verify(table_heads=heads)[2] == []


def test_a_last_row_without_a_hash_stops_audit_heads_before_any_line(db):
    """A county setting added with sqlite3 without its hash (as `audit verify` names it,
    `county setting #2 altered`): a head kept of it could not be checked, so no list is
    printed; one error line, exit 1."""
    assert run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
               "--county", "甲县", "--basis", "甲县〔2026〕1号").exit_code == 0
    _by_hand(db, "insert into local_parameters (province, county, workflow, name, value, "
                 "citation, [on]) values ('shanxi', '乙县', 'dibao', 'investigation_start', "
                 "'\"2wd\"', '乙县〔2026〕1号', '2026-01-01')")
    listing = run(db, "audit", "heads")
    assert (listing.exit_code, listing.stdout) == (1, "")
    assert error_line(listing) == (
        "Error: county setting #2, the last row of local_parameters, has no hash as doudi "
        "writes one (NULL): it was changed outside doudi (doudi audit verify lists what was); "
        "a head kept of it could not be checked")


def test_audit_heads_counts_the_cases_on_its_bar_not_the_tables_lines(db, monkeypatch):
    """The bar over the cases (drawn on a terminal while the list goes to a file) is moved by
    the cases' lines only: 2 cases, 2, though the list holds the 2 tables' lines too."""
    from test_report_streams import _spied_bars

    from engine.cli import audit

    _approved_and_fraud(db)
    drawn, steps = _spied_bars(monkeypatch, audit, drawn_as=None)
    monkeypatch.setattr(audit, "on_a_terminal", lambda: True)
    listing = run(db, "audit", "heads")
    assert listing.exit_code == 0 and listing.stdout.count("\n") == 4
    assert drawn == [("Listing", 2, True)] and sum(steps) == 2
