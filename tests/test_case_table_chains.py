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
    for table in ("sanctions", "links"):
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
