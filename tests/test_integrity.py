"""Trustworthy records: concurrent writers, idempotency keys, the hash chain, corrections."""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date

import pytest

from engine import Engine, Finding
from engine.errors import Busy, Conflict, EventRefused, InvalidInput
from engine.store import CaseRows, Store
from helpers import damage_events_page, dump_file, error_line, hashed_again, put_back_triggers, run

WRITER = textwrap.dedent('''
    import json, sys
    from datetime import date
    from engine import Engine
    from engine.errors import DoudiError
    db, name, shared = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    engine = Engine.open(db)
    results = []
    # Everyone races for the same events on the shared cases ...
    for case_id in shared:
        for event, on in (("accept", date(2026, 3, 3)), ("start_investigation", date(2026, 3, 4))):
            try:
                view = engine.fire(case_id, event, on=on, actor=name)
                results.append(["ok", case_id, event, view.history[-1]["seq"]])
            except DoudiError as exc:
                results.append([type(exc).__name__, case_id, event, str(exc)])
    # ... and each also works on a case of its own, which nobody else touches.
    own = engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=f"own-{name}").id
    view = engine.fire(own, "accept", on=date(2026, 3, 3), actor=name)
    results.append(["ok", own, "accept", view.history[-1]["seq"]])
    print(json.dumps(results))
''')


def test_concurrent_writers_never_both_succeed_against_the_same_state(tmp_path):
    db = str(tmp_path / "shared.db")
    engine = Engine.open(db)
    shared = [engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=f"c{n}").id
              for n in range(3)]
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    writers = [subprocess.Popen([sys.executable, str(script), db, f"w{n}", ",".join(shared)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for n in range(6)]
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        results += json.loads(out)
    ok = [r for r in results if r[0] == "ok"]
    refused = [r for r in results if r[0] != "ok"]
    # Exactly one writer won each shared event; every loser was refused (conflict or state).
    for case_id in shared:
        for event in ("accept", "start_investigation"):
            assert len([r for r in ok if r[1:3] == [case_id, event]]) == 1
    assert {r[0] for r in refused} <= {"Conflict", "EventRefused"}
    assert len(ok) + len(refused) == 6 * (3 * 2 + 1)
    # Every successful call's event is present exactly once, and nothing else was written.
    rows = engine.store.db.execute("select case_id, event, seq from events where event != 'open'"
                                   ).fetchall()
    assert sorted(rows) == sorted((r[1], r[2], r[3]) for r in ok)
    # No lost update: each shared case went accept → start_investigation, chain intact.
    for case_id in shared:
        assert engine.store.case(case_id).state == "investigating"
    assert engine.verify() == (9, 9 + len(ok), [])


def test_a_repeated_call_with_the_same_key_writes_nothing_new(engine, db):
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2), idempotency_key="open-1")
    again = engine.open_case(province="shanxi", on=date(2026, 3, 2), idempotency_key="open-1")
    assert again.id == case.id
    first = engine.fire(case.id, "accept", on=date(2026, 3, 3), idempotency_key="k-1")
    second = engine.fire(case.id, "accept", on=date(2026, 3, 3), idempotency_key="k-1")
    assert first.to_json()["history"] == second.to_json()["history"]
    assert len(engine.store.history(case.id)) == 2
    with pytest.raises(Conflict, match="idempotency key 'k-1' was already used for accept"):
        engine.fire(case.id, "start_investigation", on=date(2026, 3, 4), idempotency_key="k-1")
    assert len(engine.store.history(case.id)) == 2

    cid = run(db, "case", "open", "--province", "tianjin", "--on", "2026-03-02",
              "--idempotency-key", "x").stdout.strip()
    assert run(db, "case", "open", "--province", "tianjin", "--on", "2026-03-02",
               "--idempotency-key", "x").stdout.strip() == cid
    outputs = [run(db, "case", "fire", cid, "accept", "--on", "2026-03-03",
                   "--idempotency-key", "y") for _ in range(2)]
    assert [o.exit_code for o in outputs] == [0, 0]
    assert len(Engine.open(db).store.history(cid)) == 2
    # The repeat says so; it does not print a transition that did not happen now (after a
    # later event it would have shown the case going backwards).
    assert outputs[0].stdout == f"{cid}: accept on 2026-03-03: applied → accepted (已受理)\n"
    assert run(db, "case", "fire", cid, "start_investigation", "--on", "2026-03-04").exit_code == 0
    repeat = run(db, "case", "fire", cid, "accept", "--on", "2026-03-03", "--idempotency-key", "y")
    assert repeat.stdout == (f"{cid}: accept on 2026-03-03: already recorded with key 'y' (it "
                             "left the case accepted (已受理))\n")


def test_case_accept_repeated_with_its_key_says_it_was_already_recorded(db):
    """``case accept`` is ``case fire CASE accept`` with the household's residence: repeated
    with the same key after a later event, it says the 受理 was already recorded, as case fire
    does; it printed "accept on … → accepted (已受理)", a transition that did not happen now
    (the case is under investigation)."""
    cid = run(db, "case", "open", "--province", "tianjin", "--on", "2026-03-02").stdout.strip()
    first = run(db, "case", "accept", cid, "--on", "2026-03-03", "--idempotency-key", "a")
    assert first.stdout == f"{cid}: accept on 2026-03-03: applied → accepted (已受理)\n"
    assert run(db, "case", "fire", cid, "start_investigation", "--on", "2026-03-04").exit_code == 0
    repeat = run(db, "case", "accept", cid, "--on", "2026-03-03", "--idempotency-key", "a")
    assert repeat.exit_code == 0, repeat.output
    assert repeat.stdout == (f"{cid}: accept on 2026-03-03: already recorded with key 'a' (it "
                             "left the case accepted (已受理))\n")
    assert [e.event for e in Engine.open(db).store.history(cid)] == [
        "open", "accept", "start_investigation"]


def test_case_correct_repeated_with_its_key_says_it_was_already_recorded(db):
    """docs/evidence.md: a repeat with the same key writes nothing and "the CLI says
    'already recorded with key'"; case correct said "recorded as event 2" again."""
    cid = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02").stdout.strip()
    assert run(db, "case", "fire", cid, "accept", "--on", "2026-03-03").exit_code == 0
    args = ["case", "correct", cid, "1", "--on", "2026-03-04", "--reason", "日期录错",
            "--idempotency-key", "c"]
    assert run(db, *args).stdout == f"{cid}: correction of event 1 recorded as event 2\n"
    repeat = run(db, *args)
    assert repeat.exit_code == 0, repeat.output
    assert repeat.stdout == (f"{cid}: correction of event 1: already recorded with key 'c' "
                             "(as event 2)\n")
    assert len(Engine.open(db).store.history(cid)) == 3


def test_a_repeat_returns_the_first_result_though_a_later_event_came_the_same_day(engine):
    """Found by review: the repeat returned the case as of the keyed event's date, with the
    events recorded after it on that day (investigating, three events), not what the first
    call returned."""
    opened = engine.open_case(province="shanxi", on=date(2026, 3, 3), case_id="A1",
                              idempotency_key="o1")
    first = engine.fire("A1", "accept", on=date(2026, 3, 3), idempotency_key="k1")
    engine.fire("A1", "start_investigation", on=date(2026, 3, 3))
    engine.correct("A1", 1, on=date(2026, 3, 3), reason="受理人员填错", idempotency_key="c1")
    engine.fire("A1", "withdraw", on=date(2026, 3, 3), reason="本人撤回")
    again = engine.fire("A1", "accept", on=date(2026, 3, 3), idempotency_key="k1")
    assert (again.state, len(again.history)) == ("accepted", 2)
    assert again.to_json() == first.to_json()
    assert engine.open_case(province="shanxi", on=date(2026, 3, 3), case_id="A1",
                            idempotency_key="o1").to_json() == opened.to_json()
    corrected = engine.correct("A1", 1, on=date(2026, 3, 3), reason="受理人员填错",
                               idempotency_key="c1")
    assert [e["event"] for e in corrected.history] == [
        "open", "accept", "start_investigation", "correction"]
    assert corrected.state == "investigating"
    assert len(engine.store.history("A1")) == 5


def test_a_repeat_and_a_past_view_show_the_county_the_case_had_then(engine):
    """Found by review: the case rebuilt as of an earlier event kept today's county (河西区,
    given by a later event) beside attributes saying 和平区; the view's calendar and county
    parameters follow the county too."""
    engine.open_case(province="tianjin", on=date(2026, 3, 2), case_id="T1",
                     attributes={"county": "和平区"})
    first = engine.fire("T1", "accept", on=date(2026, 3, 3), idempotency_key="k1")
    engine.fire("T1", "start_investigation", on=date(2026, 3, 4), payload={"county": "河西区"})
    again = engine.fire("T1", "accept", on=date(2026, 3, 3), idempotency_key="k1")
    assert again.to_json() == first.to_json()
    assert (again.to_json()["county"], again.case.attributes["county"]) == ("和平区", "和平区")
    then = engine.case("T1", as_of=date(2026, 3, 3))
    assert (then.case.county, then.case.attributes["county"]) == ("和平区", "和平区")
    assert engine.case("T1").case.county == "河西区"


def test_a_repeat_shows_the_links_and_sanctions_of_the_events_up_to_the_keyed_one(engine):
    from test_benefit_common import open_benefit

    # 山西: approval opens the benefit case, linked (the keyed event's own link is shown).
    dibao = engine.open_case(province="shanxi", on=date(2026, 3, 2),
                             attributes={"county": "城区", "household_size": 2})
    for event, day in [("accept", 3), ("start_investigation", 4), ("request_verification", 5),
                       ("start_verification", 6), ("post_publicity", 9), ("submit_to_county", 17)]:
        engine.fire(dibao.id, event, on=date(2026, 3, day))
    approve = {"event": "approve", "on": date(2026, 3, 31), "payload": {"amount": 650},
               "idempotency_key": "a1"}
    approved = engine.fire(dibao.id, **approve)
    [link] = approved.links
    repeat = engine.fire(dibao.id, **approve)
    assert repeat.links == (link,) and repeat.to_json() == approved.to_json()
    # A change found 2026-04-16, three months after it happened (2026-01-15): a criticism.
    # A second one found the same day is the second sanction; the repeat shows the first only.
    case = open_benefit(engine, "shanxi", county="小店区")
    first = engine.fire(case.id, "change_found", on=date(2026, 4, 16),
                        payload={"occurred_on": "2026-01-15", "criticism": True},
                        idempotency_key="s1")
    later = engine.fire(case.id, "change_found", on=date(2026, 4, 16),
                        payload={"occurred_on": "2026-01-10", "criticism": True})
    assert (len(first.sanctions), len(later.sanctions)) == (1, 2)
    again = engine.fire(case.id, "change_found", on=date(2026, 4, 16),
                        payload={"occurred_on": "2026-01-15", "criticism": True},
                        idempotency_key="s1")
    assert again.to_json() == first.to_json()


@pytest.mark.parametrize("call", [
    lambda e: e.open_case(province="shanxi", on=date(2026, 3, 2), idempotency_key="k1"),
    lambda e: e.fire("A1", "accept", on=date(2026, 3, 3), idempotency_key="k1"),
    lambda e: e.correct("A1", 0, on=date(2026, 3, 3), reason="x", idempotency_key="k1"),
])
def test_a_call_that_lost_a_race_returns_a_case_or_raises_never_none(engine, monkeypatch, call):
    # Found by review: open_case, fire and correct are declared to return a CaseView, but
    # returned None where the key that won the race could not be read back.
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="A1")
    monkeypatch.setattr(engine, "_commit", lambda changes, key=None: False)  # (lost to k1)
    with pytest.raises(Conflict, match=r"^idempotency key 'k1': its event cannot be found"):
        call(engine)


# Found by a concurrency review: a client retrying after a timeout sends the same call with the
# same key while the first is still being written; the retry looked the key up before the first
# committed, and then failed ("changed by another writer", "already exists", or the event
# refused in the state the first one left) instead of returning the first result. Each race is
# played out here in a fixed order: the other writer (``first``, another Engine on the same
# file) commits at the moment named.

def _two_writers(tmp_path):
    db = str(tmp_path / "shared.db")
    first, retry = Engine.open(db), Engine.open(db)
    first.open_case(province="shanxi", on=date(2026, 3, 2), case_id="K1")
    return first, retry


def _accept(engine):
    return engine.fire("K1", "accept", on=date(2026, 3, 3), idempotency_key="acc-K1")


def _investigation_started_just_before(monkeypatch, first, other, on):
    """``other`` starts K1's investigation on ``on`` just before ``first``'s next write is
    committed (once)."""
    write = first.store.commit

    def another_writer_fires_just_before(changes):
        if other.store.history("K1")[-1].event != "start_investigation":
            other.fire("K1", "start_investigation", on=on)
        return write(changes)

    monkeypatch.setattr(first.store, "commit", another_writer_fires_just_before)

def test_a_retry_whose_write_loses_to_the_first_call_returns_the_first_result(tmp_path,
                                                                             monkeypatch):
    first, retry = _two_writers(tmp_path)
    write = retry.store.commit

    def the_first_call_commits_just_before(changes):
        _accept(first)
        return write(changes)

    monkeypatch.setattr(retry.store, "commit", the_first_call_commits_just_before)
    view = _accept(retry)
    assert (view.state, [e["event"] for e in view.history]) == ("accepted", ["open", "accept"])
    assert len(first.store.history("K1")) == 2


def test_a_retry_checked_after_the_first_call_was_written_returns_the_first_result(tmp_path,
                                                                                  monkeypatch):
    first, retry = _two_writers(tmp_path)
    look_up = retry.store.event_by_key
    looked = []

    def the_first_call_commits_just_after_the_look_up(key):
        found = look_up(key)
        if not looked:
            looked.append(key)
            _accept(first)  # (accept from accepted would now be refused)
        return found

    monkeypatch.setattr(retry.store, "event_by_key", the_first_call_commits_just_after_the_look_up)
    view = _accept(retry)
    assert (view.state, len(first.store.history("K1"))) == ("accepted", 2)


def test_an_open_with_its_id_retried_at_once_returns_the_case_the_first_opened(tmp_path,
                                                                               monkeypatch):
    first, retry = _two_writers(tmp_path)
    check = retry._check_new_id

    def the_first_call_opens_it_just_before(case_id):
        first.open_case(province="tianjin", on=date(2026, 3, 2), case_id="Z1",
                        idempotency_key="open-Z1")
        return check(case_id)

    monkeypatch.setattr(retry, "_check_new_id", the_first_call_opens_it_just_before)
    view = retry.open_case(province="tianjin", on=date(2026, 3, 2), case_id="Z1",
                           idempotency_key="open-Z1")
    assert (view.case.id, view.case.province) == ("Z1", "tianjin")
    assert first.store.db.execute("select count(*) from events where case_id = 'Z1'"
                                  ).fetchone() == (1,)


def test_a_correction_worked_out_from_a_copy_another_writer_outdated_is_worked_out_again(
        tmp_path, monkeypatch):
    """Found by review: fire works an event out again from the database when its write finds
    the case kept in memory changed by another writer; correct did not, and failed with "case
    K1 was changed by another writer meanwhile". Played out as in the races above: the other
    writer starts the investigation on 03-04 just before the correction of the accept
    (dated 03-05) is written; it is then recorded after that event, as seq 3."""
    first, other = _two_writers(tmp_path)
    _accept(first)  # (first now keeps the case in memory, as accepted)
    _investigation_started_just_before(monkeypatch, first, other, date(2026, 3, 4))
    view = first.correct("K1", 1, on=date(2026, 3, 5), reason="受理日期录错")
    assert [(e["seq"], e["event"], e["corrects"]) for e in view.history] == [
        (0, "open", None), (1, "accept", None), (2, "start_investigation", None),
        (3, "correction", 1)]
    assert view.state == "investigating"
    assert first.verify("K1")[2] == []


def test_a_correction_another_writer_outdated_is_judged_as_the_database_says(tmp_path,
                                                                            monkeypatch):
    # The other writer's event (03-06) comes after the correction's date (03-05): worked out
    # again from the database, the correction is refused as dated before the case's last
    # event, and nothing of it is written.
    first, other = _two_writers(tmp_path)
    _accept(first)
    _investigation_started_just_before(monkeypatch, first, other, date(2026, 3, 6))
    with pytest.raises(EventRefused) as refused:
        first.correct("K1", 1, on=date(2026, 3, 5), reason="受理日期录错")
    assert str(refused.value) == ("correction on 2026-03-05 is before the case's last event "
                                  "(on 2026-03-06)")
    assert [e.event for e in other.store.history("K1")] == ["open", "accept",
                                                            "start_investigation"]


def test_a_command_another_writer_beat_to_the_case_says_to_run_it_again(tmp_path, monkeypatch):
    """Found by review: a command whose case another writer changed between its read and its
    write said "nothing written; reload it and try again", words for a program holding the
    case; a command has nothing to reload. It says to look at the case and run the command
    again (exit 1, one line), and the other writer's event alone is recorded."""
    first, other = _two_writers(tmp_path)
    _accept(first)
    first.close()
    write, raced = Store.commit, []

    def another_writer_fires_just_before(self, changes):
        if not raced:
            raced.append(True)
            other.fire("K1", "start_investigation", on=date(2026, 3, 4))
        return write(self, changes)

    monkeypatch.setattr(Store, "commit", another_writer_fires_just_before)
    result = run(str(tmp_path / "shared.db"), "case", "fire", "K1", "start_investigation",
                 "--on", "2026-03-05")
    assert result.exit_code == 1
    assert error_line(result) == (
        "Error: case K1 was changed by another writer meanwhile: nothing written; see it with "
        "doudi case show K1, and run the command again if it still applies")
    assert [(e.event, e.on) for e in other.store.history("K1")] == [
        ("open", date(2026, 3, 2)), ("accept", date(2026, 3, 3)),
        ("start_investigation", date(2026, 3, 4))]


def test_a_database_another_writer_holds_past_the_wait_is_a_conflict_nothing_written(tmp_path):
    """Found by review: the lock wait running out reached a platform as a bare
    sqlite3.OperationalError, which its handler for doudi's errors did not catch."""
    import sqlite3

    db = str(tmp_path / "held.db")
    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="c1")
    engine.store.db.execute("PRAGMA busy_timeout = 50")  # (the wait is 10 s)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Busy, match=r"^another writer held the database past the wait "
                                           r"\(database is locked\): nothing written; try again$"):
            engine.fire("c1", "accept", on=date(2026, 3, 3))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert engine.fire("c1", "accept", on=date(2026, 3, 3)).state == "accepted"
    assert len(engine.store.history("c1")) == 2


def test_an_open_that_finds_the_database_held_waits_once_not_once_per_case_number(
        tmp_path, monkeypatch):
    """Found by review: an open without an id tries the next case number when its number was
    taken meanwhile (a Conflict, up to 20 times); a lock held past the wait was taken for that,
    so the operator waited 20 × 10 s. One write is tried, then Busy."""
    import sqlite3

    from engine.store import Store

    db = str(tmp_path / "held.db")
    engine = Engine.open(db)
    engine.store.db.execute("PRAGMA busy_timeout = 20")
    writes = []
    commit = Store.commit
    monkeypatch.setattr(Store, "commit", lambda self, changes: (writes.append(1),
                                                                commit(self, changes))[1])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Busy):
            engine.open_case(province="shanxi", on=date(2026, 3, 2))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(writes) == 1


def test_a_key_given_again_with_other_data_is_a_conflict_not_a_repeat(engine, tmp_path):
    # Found by review: only case, event and date were compared, so a second call with the
    # key and another province, reason or payload returned the first result and its data
    # was silently dropped. The same call again (a 天津 open, stored with delegated=true,
    # 津民发〔2023〕13号) is still a repeat.
    opened = engine.open_case(province="tianjin", on=date(2026, 3, 2), idempotency_key="o",
                              attributes={"county": "和平区"})
    assert engine.open_case(province="tianjin", on=date(2026, 3, 2), idempotency_key="o",
                            attributes={"county": "和平区"}).id == opened.id
    with pytest.raises(Conflict, match=r"^idempotency key 'o' was already used for open on "
                                       r"2026-03-02 \(case tianjin-2026-000001\) with other data$"):
        engine.open_case(province="shanxi", on=date(2026, 3, 2), idempotency_key="o",
                         attributes={"county": "和平区"})
    with pytest.raises(Conflict, match="with other data"):
        engine.open_case(province="tianjin", on=date(2026, 3, 2), idempotency_key="o",
                         attributes={"county": "河西区"})
    engine.fire(opened.id, "accept", on=date(2026, 3, 3), idempotency_key="a")
    engine.fire(opened.id, "start_investigation", on=date(2026, 3, 4))
    engine.fire(opened.id, "extend", on=date(2026, 3, 5), reason="人户分离", idempotency_key="e")
    with pytest.raises(Conflict, match="with other data"):
        engine.fire(opened.id, "extend", on=date(2026, 3, 5), reason="异地申办",
                    idempotency_key="e")
    with pytest.raises(Conflict, match="with other data"):
        engine.fire(opened.id, "accept", on=date(2026, 3, 3), payload={"note": "x"},
                    idempotency_key="a")
    engine.correct(opened.id, 1, on=date(2026, 3, 5), reason="录入错误", idempotency_key="c")
    with pytest.raises(Conflict, match="with other data"):
        engine.correct(opened.id, 0, on=date(2026, 3, 5), reason="录入错误", idempotency_key="c")
    assert len(engine.store.history(opened.id)) == 5  # open, accept, start, extend, correction
    assert engine.verify() == (1, 5, [])


def test_the_database_refuses_to_rewrite_history(engine):
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=date(2026, 3, 3))
    conn = engine.store.db.conn
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("update events set [on] = '2026-03-01' where seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("delete from events where seq = 1")
    conn.rollback()
    assert [e.on for e in engine.store.history(case.id)] == [date(2026, 3, 2), date(2026, 3, 3)]


def behind_the_engines_back(db, *statements, hashed=False):
    """Edit the database as someone with the file could (triggers dropped first, and put back
    after); ``hashed``: the county settings' chain worked out again after (a row stored so
    before the chain, helpers.hashed_again)."""
    raw = sqlite3.connect(db)
    for statement in statements:
        raw.execute(statement)
    (hashed_again if hashed else put_back_triggers)(raw)
    raw.commit()
    raw.close()


def test_audit_verify_names_a_trigger_refusing_to_rewrite_the_records_dropped_or_changed(db):
    """Found by review: "the database refuses UPDATE and DELETE on the history (triggers)",
    but a file whose triggers were dropped to edit it with sqlite3, and never put back,
    passed `audit verify` as intact, and took UPDATE and DELETE on its events from then on
    without a word; as did one whose trigger was made to refuse nothing (`when 0`). The
    chains are still checked, and the line before the summary says both."""
    engine = Engine.open(db)
    _investigating(engine, "c1")
    engine.close()
    raw = sqlite3.connect(db)
    for statement in ("drop trigger events_append_only_delete",
                      "drop trigger local_parameters_append_only_update",
                      "drop trigger events_append_only_update",
                      "create trigger events_append_only_update before update on events when 0 "
                      "begin select raise(abort, 'events are append-only: record a correction "
                      "instead'); end",
                      "update events set actor = 'someone' where case_id = 'c1' and seq = 1"):
        raw.execute(statement)
    raw.commit()
    raw.close()
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "file: trigger events_append_only_update, which refuses UPDATE on events, is not as "
        "doudi made it",
        "file: trigger events_append_only_delete, which refuses DELETE on events, is gone",
        "file: trigger local_parameters_append_only_update, which refuses UPDATE on "
        "local_parameters, is gone",
        "case c1: event seq 1 altered"]
    assert error_line(result) == ("Error: 3 triggers refusing to rewrite the records removed "
                                  "or changed; 1 of 1 case fails verification")
    raw = sqlite3.connect(db)
    raw.execute("drop trigger events_append_only_update")
    put_back_triggers(raw)  # (as doudi made them: only the altered event is left to name)
    raw.commit()
    raw.close()
    result = run(db, "audit", "verify")
    assert (result.exit_code, result.stdout) == (1, "case c1: event seq 1 altered\n")


def test_audit_verify_names_the_first_altered_or_missing_event(tmp_path, db):
    engine = Engine.open(db)
    ids = []
    for n in range(2):
        case = engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=f"a{n}")
        for event, on in (("accept", date(2026, 3, 3)), ("start_investigation", date(2026, 3, 4)),
                          ("request_verification", date(2026, 3, 5))):
            engine.fire(case.id, event, on=on)
        ids.append(case.id)
    ok = run(db, "audit", "verify")
    assert ok.exit_code == 0 and ok.stdout == ""
    assert "2 cases, 8 events" in ok.stderr
    # Behind the engine's back: drop the triggers and edit one event, delete another.
    behind_the_engines_back(
        db, "drop trigger events_append_only_update", "drop trigger events_append_only_delete",
        "update events set [on] = '2026-03-01' where case_id = 'a0' and seq = 2",
        "delete from events where case_id = 'a1' and seq = 1")
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["case a0: event seq 2 altered",
                                          "case a1: event seq 1 missing"]
    assert error_line(result) == "Error: 2 of 2 cases fail verification"
    one = run(db, "audit", "verify", "--case", "a1")
    assert one.stdout == "case a1: event seq 1 missing\n"


def test_audit_verify_names_a_changed_a_removed_and_a_swapped_event_among_intact_cases(db):
    # audit verify reads its cases a chunk at a time, each case's rows read and checked once
    # (the round that made it quicker): each altered history is still named by its first
    # event that no longer fits, in case order, with the words it had, between intact ones.
    # Each case: opened 3/2, accepted 3/3, investigation started 3/4 (seq 0, 1, 2).
    engine = Engine.open(db)
    for case_id in ("a", "changed", "m", "removed", "swapped", "z"):
        _investigating(engine, case_id)
    engine.close()
    behind_the_engines_back(
        db, "drop trigger events_append_only_update", "drop trigger events_append_only_delete",
        "update events set reason = 'edited' where case_id = 'changed' and seq = 2",
        "delete from events where case_id = 'removed' and seq = 1",
        # (seq 1 and 2 exchanged: each row kept whole, hashes and all)
        "update events set seq = -1 where case_id = 'swapped' and seq = 1",
        "update events set seq = 1 where case_id = 'swapped' and seq = 2",
        "update events set seq = 2 where case_id = 'swapped' and seq = -1")
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["case changed: event seq 2 altered",
                                          "case removed: event seq 1 missing",
                                          "case swapped: event seq 1 altered"]
    assert error_line(result) == "Error: 3 of 6 cases fail verification"
    checked = Engine.open(db).verify()
    assert checked[:2] == (6, 17)  # (6 cases of 3 events, less the one removed)


def test_audit_verify_reads_a_cases_deadlines_once_and_a_places_calendar_once(db, monkeypatch):
    # Found by profiling `audit verify` (about 220 s at a million cases): each case's
    # deadlines were read and built twice (once to see that they can be read back, once to
    # compare them with the history), and working its deadlines out again asked for its
    # place's calendar at every event, checking the names each time; recompute did the same.
    engine = Engine.open(db)
    for case_id in ("c1", "c2", "c3"):
        _investigating(engine, case_id)
    engine.close()
    built, calendars = [], []
    deadlines, calendar = CaseRows.deadlines, Engine.calendar
    monkeypatch.setattr(CaseRows, "deadlines",
                        lambda self, case_id: built.append(case_id) or deadlines(self, case_id))
    monkeypatch.setattr(Engine, "calendar", lambda self, *place: calendars.append(place)
                        or calendar(self, *place))
    assert Engine.open(db).verify() == (3, 9, [])
    assert built == ["c1", "c2", "c3"]
    assert calendars == [("shanxi", None)]  # (none of them names a county)


def test_audit_verify_finds_events_removed_from_the_end_and_an_altered_case_row(db):
    # Found by review: a chain cut at its end is still a chain, and the case row was never
    # compared with it. Each case below is left as "accept on 3/3 → start_investigation on
    # 3/4", so its row says investigating since 2026-03-04.
    engine = Engine.open(db)
    for case_id in ("cut", "gone", "edited"):
        engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=case_id)
        engine.fire(case_id, "accept", on=date(2026, 3, 3))
        engine.fire(case_id, "start_investigation", on=date(2026, 3, 4))
    behind_the_engines_back(
        db, "drop trigger events_append_only_delete",
        "delete from events where case_id = 'cut' and seq = 2",
        "delete from events where case_id = 'gone'",
        "update cases set state = 'approved' where id = 'edited'")
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "case cut: event seq 2 missing, or the case altered: the case is investigating since "
        "2026-03-04, its last event (seq 1, accept on 2026-03-03) leaves it accepted",
        "case edited: event seq 3 missing, or the case altered: the case is approved since "
        "2026-03-04, its last event (seq 2, start_investigation on 2026-03-04) leaves it "
        "investigating",
        "case gone: event seq 0 missing (the case has no history)",
    ]


def _investigating(engine, case_id):
    """A 山西 case accepted on Tue 2026-03-03 and investigated from 3/4. Its deadlines: the
    whole procedure, 30 working days (晋民发〔2023〕31号 四(二)) from 3/3: 3/4 … 3/31 are 20,
    4/1-4/3 three more, 清明 4/4-4/6 off, 4/7-4/10 and 4/13-4/15 seven: due 2026-04-15; the
    start of the investigation, 3 working days (民发〔2021〕57号 第15条), met on 3/4."""
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=case_id)
    engine.fire(case_id, "accept", on=date(2026, 3, 3))
    engine.fire(case_id, "start_investigation", on=date(2026, 3, 4))


def test_audit_verify_compares_the_derived_rows_with_what_the_history_gives(db):
    """Found by the evidence audit: deadlines and a case's attributes are not in the chain,
    so a due date moved, a deadline deleted or an attribute edited with sqlite3 passed
    ``audit verify`` as intact. They are worked out again from the history and compared."""
    engine = Engine.open(db)
    for case_id in ("moved", "deleted", "attributes"):
        _investigating(engine, case_id)
    assert [(d.rule, d.due_on, d.outcome) for d in engine.store.deadlines("moved")] == [
        ("total", date(2026, 4, 15), None),
        ("investigation_start", date(2026, 3, 6), "met")]
    assert run(db, "audit", "verify").exit_code == 0
    behind_the_engines_back(
        db, "update deadlines set due_on = '2026-05-15' where case_id = 'moved' and "
            "rule = 'total'",
        "delete from deadlines where case_id = 'deleted' and rule = 'investigation_start'",
        """update cases set attributes = '{"amount": 9999}' where id = 'attributes'""")
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    hint = ("; if calendar data or a parameter changed since, or doudi was upgraded, `doudi "
            "recompute` records that instead")
    assert result.stdout.splitlines() == [
        "case attributes: event seq 3 missing, or the case altered: its stored attributes are "
        "not what its history gives: amount 9999 (its history gives None)",
        "case deleted: event seq 3 missing, or the case altered: deadline investigation_start "
        "#1 is not stored" + hint,
        "case moved: event seq 3 missing, or the case altered: deadline total #1 differs: "
        "due_on 2026-05-15 (its history gives 2026-04-15)" + hint,
    ]
    assert error_line(result) == "Error: 3 of 3 cases fail verification"
    one = run(db, "audit", "verify", "--case", "moved")
    assert one.exit_code == 1 and one.stdout.startswith("case moved: event seq 3 missing")


def test_audit_verify_finds_a_deadline_row_stored_twice(db):
    """Found by review: with its unique index dropped, a deadline row copied as it is (a
    running one) was listed twice by `report breaches` and `case show`, and `audit verify`
    passed it: paired with the history's by rule and instance, each copy agreed with it."""
    engine = Engine.open(db)
    _investigating(engine, "twice")
    columns = ", ".join(f"[{c}]" for c in engine.store.db["deadlines"].columns_dict if c != "id")
    behind_the_engines_back(
        db, "drop index idx_deadlines_case_id_rule_instance",
        f"insert into deadlines ({columns}) select {columns} from deadlines "
        "where case_id = 'twice' and rule = 'total'")
    assert run(db, "report", "breaches", "--as-of", "2026-04-30").stdout.count("total") == 2
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "case twice: event seq 3 missing, or the case altered: deadline total #1 is stored more "
        "than once, its history gives it once"]


def test_audit_verify_reads_nan_in_a_row_as_evidence_not_a_traceback(db, monkeypatch):
    """NaN or infinity in stored JSON text: written by doudi before 2026-11-23 (its JSON then
    allowed them), or put into a case row by hand. The check comparing a case's attributes
    with its history ended in a ValueError ("Out of range float values are not JSON
    compliant"): the tool meant to find tampering crashed on it. A history that holds NaN
    stays readable and intact (NaN equals itself in the record), a row changed to NaN is a
    finding."""
    from engine import arguments, store
    from engine.integrity import json_encoder

    engine = Engine.open(db)
    for case_id in ("older", "changed"):
        engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=case_id)
    with monkeypatch.context() as older:  # (as doudi wrote it before NaN was refused)
        older.setattr(arguments, "json_object", lambda value, name: dict(value or {}))
        older.setattr(store, "_PAYLOAD", json_encoder(ensure_ascii=False, sort_keys=True,
                                                      default=str))
        engine.fire("older", "accept", on=date(2026, 3, 3),
                    payload={"village": "一村", "score": float("nan")})
    engine.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("select payload from events where case_id = 'older' and seq = 1"
                            ).fetchone() == ('{"score": NaN, "village": "一村"}',)
    assert run(db, "audit", "verify").exit_code == 0
    shown = run(db, "case", "show", "older")
    assert shown.exit_code == 0 and "score=NaN" in shown.output
    assert run(db, "case", "fire", "older", "start_investigation", "--on", "2026-03-04"
               ).exit_code == 0
    behind_the_engines_back(
        db, """update cases set attributes = '{"county": Infinity}' where id = 'changed'""")
    result = run(db, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        "case changed: event seq 1 missing, or the case altered: its stored attributes are not "
        "what its history gives: county Infinity (its history gives None)"]
    assert error_line(result) == "Error: 1 of 2 cases fails verification"
    # Found by review: the finding wrote Python's inf, and a NaN the history and the row both
    # hold was listed as a difference (NaN equals nothing), before the one edited.
    behind_the_engines_back(
        db, """update cases set attributes = replace(attributes, '"village": "一村"',
               '"marks": [1, {"low": -Infinity}], "village": "二村"') where id = 'older'""")
    result = run(db, "audit", "verify", "--case", "older")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        "case older: event seq 3 missing, or the case altered: its stored attributes are not "
        "what its history gives: marks [1, {'low': -Infinity}] (its history gives None), "
        "village '二村' (its history gives '一村')"]


def _strict_json(text):
    """``text`` read as JSON has it: NaN and Infinity, which Python's reader takes, refused."""
    def refused(constant):
        raise ValueError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refused)


def test_json_output_of_a_case_holding_nan_is_json_and_the_record_stays_as_it_is(
        db, monkeypatch):
    """Found by review: `case show --format json` printed `"score": NaN` for a case whose
    stored attributes and payload hold NaN (as doudi wrote them before 2026-11-23), which no
    JSON reader takes. Every --format json prints a number that is not finite as null; the
    stored rows, the evidence chain and the text output stay as they are."""
    from engine import arguments, store
    from engine.integrity import json_encoder

    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="older")
    with monkeypatch.context() as older:  # (as doudi wrote it before NaN was refused)
        older.setattr(arguments, "json_object", lambda value, name: dict(value or {}))
        older.setattr(store, "_PAYLOAD", json_encoder(ensure_ascii=False, sort_keys=True,
                                                      default=str))
        engine.fire("older", "accept", on=date(2026, 3, 3),
                    payload={"village": "一村", "score": float("nan"),
                             "marks": [1, float("inf"), {"low": float("-inf")}]})
    engine.close()
    stored = dump_file(db)
    shown = run(db, "case", "show", "older", "--format", "json")
    assert shown.exit_code == 0, shown.output
    data = _strict_json(shown.stdout)
    assert data["attributes"]["score"] is None
    assert data["attributes"]["marks"] == [1, None, {"low": None}]
    assert data["history"][1]["payload"] == {"village": "一村", "score": None,
                                             "marks": [1, None, {"low": None}]}
    assert dump_file(db) == stored  # (shown, not changed)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select payload from events where case_id = 'older' and seq = 1"
                            ).fetchone() == ('{"marks": [1, Infinity, {"low": -Infinity}], '
                                             '"score": NaN, "village": "一村"}',)
    assert "score=NaN" in run(db, "case", "show", "older").output  # (the table as before)
    assert run(db, "audit", "verify").exit_code == 0
    fired = run(db, "case", "fire", "older", "start_investigation", "--on", "2026-03-04",
                "--format", "json")
    assert fired.exit_code == 0, fired.output
    assert _strict_json(fired.stdout)["attributes"]["score"] is None
    assert run(db, "audit", "verify").exit_code == 0


def test_a_table_writes_a_number_that_is_not_finite_as_case_show_does(db):
    """A table wrote Python's nan and inf (str of the float) where case show's attributes
    line writes NaN, as docs/cli.md says both do: data recorded before 2026-11-23 may hold
    them. A benefit case of 900 a month from 2026-01, its amount changed by hand to NaN in the
    opening's payload and the case's attributes: each month's payment is NaN in the table."""
    from engine.cli.options import _cell

    engine = Engine.open(db)
    engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5),
                     attributes={"amount": 900, "paid_from": "2026-01"}, case_id="B1")
    engine.close()
    behind_the_engines_back(
        db, "drop trigger events_append_only_update",
        *(f"""update {table} set {column} = replace({column}, '"amount": 900', '"amount": NaN')
              where {key} = 'B1'"""
          for table, column, key in (("events", "payload", "case_id"),
                                     ("cases", "attributes", "id"))))
    shown = run(db, "case", "show", "B1", "--as-of", "2026-02-10")
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert "amount=NaN" in lines[1]
    payments = lines[lines.index("payments") + 3:]
    assert [line.split()[:2] for line in payments[:2]] == [["2026-01", "NaN"],
                                                          ["2026-02", "NaN"]]
    assert "nan" not in shown.stdout
    assert [_cell(x) for x in (float("nan"), float("inf"), float("-inf"), 900.0, 0.5)] == [
        "NaN", "Infinity", "-Infinity", "900.0", "0.5"]


def test_audit_verify_finds_the_last_event_cut_with_the_case_row_put_back(db):
    """Found by the evidence audit: the last event deleted and the case row set back to the
    event before it left a shorter, consistent chain. The deleted event had stopped a
    deadline (start_investigation met investigation_start on 3/4): the stored deadline still
    says so, the shortened history does not."""
    engine = Engine.open(db)
    _investigating(engine, "cut")
    behind_the_engines_back(
        db, "drop trigger events_append_only_delete",
        "delete from events where case_id = 'cut' and seq = 2",
        "update cases set state = 'accepted', last_event_on = '2026-03-03' where id = 'cut'")
    result = run(db, "audit", "verify", "--case", "cut")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "case cut: event seq 2 missing, or the case altered: deadline investigation_start #1 "
        "differs: stopped_on 2026-03-04 (its history gives None), ")


def test_kept_chain_heads_show_a_consistent_cut_and_a_deleted_case(db, tmp_path):
    """Found by the evidence audit: the hashes live in the same file, so a history cut at its
    end with the case row and deadlines set to match, or a case deleted with all its rows,
    leaves intact chains: ``audit verify`` alone passes. doudi printed no hash to keep
    elsewhere. ``audit heads`` prints each case's last seq and hash; ``verify --heads``
    checks that each kept head is still in its case's history."""
    engine = Engine.open(db)
    for case_id in ("cut", "gone", "grew"):
        _investigating(engine, case_id)
    listing = run(db, "audit", "heads")
    assert listing.exit_code == 0
    lines = listing.stdout.splitlines()
    rows = {r["case_id"]: r for r in engine.store.history_rows("cut")
            + engine.store.history_rows("gone") + engine.store.history_rows("grew")
            if r["seq"] == 2}
    assert lines == [f"{c}\t2\t{rows[c]['hash']}" for c in ("cut", "gone", "grew")]
    kept = tmp_path / "heads.txt"
    kept.write_text(listing.stdout, encoding="utf-8")
    # A history that grew since is no finding; one cut with everything set to match is.
    engine.fire("grew", "request_verification", on=date(2026, 3, 5))
    behind_the_engines_back(
        db, "drop trigger events_append_only_delete",
        "delete from events where case_id = 'cut' and seq = 2",
        "update cases set state = 'accepted', last_event_on = '2026-03-03' where id = 'cut'",
        "update deadlines set stopped_on = null, stop_event = null, outcome = null "
        "where case_id = 'cut' and rule = 'investigation_start'",
        *(f"delete from {table} where case_id = 'gone'" for table in ("events", "deadlines")),
        "delete from cases where id = 'gone'")
    assert run(db, "audit", "verify").exit_code == 0  # (what no chain alone can show)
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"case cut: event seq 2 missing since its hash {rows['cut']['hash']} was kept: the "
        "history ends before it",
        f"case gone: event seq 2 missing: the case is gone, its history was kept to this "
        f"event (hash {rows['gone']['hash']})",
    ]
    assert error_line(result) == "Error: 2 of 3 cases fail verification"
    one = run(db, "audit", "verify", "--case", "grew", "--heads", str(kept))
    assert one.exit_code == 0 and one.stdout == ""
    assert run(db, "audit", "heads", "--case", "grew").stdout.startswith("grew\t3\t")
    # In Python: the same heads, as chain_heads gives them.
    assert engine.verify(heads=[("grew", 2, rows["grew"]["hash"])])[2] == []


def test_chain_heads_held_part_read_leaves_the_engine_reading_the_file_as_it_is(db, monkeypatch):
    """Found by a platform's integration: chain_heads() was one query yielded a row at a
    time, so an iterator the caller held part read (a stream to an archive that stopped on
    an error) kept a read transaction open on the engine's connection. Every later call read
    the file as it was then: a case another process had accepted showed "applied", an event
    on it was refused as "not allowed in state applied", and an event on another case waited
    10 s and failed as Busy, "another writer held the database", though none did."""
    import engine.maintenance

    monkeypatch.setattr(engine.maintenance, "HEADS_CHUNK", 2, raising=False)  # (3 cases: 2 reads)
    today = lambda: date(2026, 6, 1)  # noqa: E731
    mine, other = Engine.open(db, today=today), Engine.open(db, today=today)
    for case_id in ("A0", "A1", "A2"):
        mine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=case_id)
    heads = mine.chain_heads()
    assert next(heads)[:2] == ("A0", 0)
    other.fire("A1", "accept", on=date(2026, 3, 3))
    assert mine.case("A1").state == "accepted"
    assert mine.fire("A1", "start_investigation", on=date(2026, 3, 4)).state == "investigating"
    assert mine.fire("A2", "accept", on=date(2026, 3, 4)).state == "accepted"
    # A1 was read with A0, before these events; A2 after them.
    assert [head[:2] for head in heads] == [("A1", 0), ("A2", 1)]
    assert [head[:2] for head in mine.chain_heads()] == [("A0", 0), ("A1", 2), ("A2", 1)]
    assert mine.verify(heads=mine.chain_heads())[2] == []
    mine.close()
    other.close()


def test_a_heads_file_saved_with_a_byte_order_mark_is_read_as_audit_heads_printed_it(db,
                                                                                       tmp_path):
    """Found by review: a heads list opened and saved again on Windows (Notepad, Excel) starts
    with a UTF-8 byte order mark, which was read as part of the first case's id: verify
    --heads then said that case was gone ("case \ufeffc1: event seq 2 missing: the case is
    gone"), exit 1, a tampering that never happened."""
    engine = Engine.open(db)
    _investigating(engine, "c1")
    kept = tmp_path / "heads.txt"
    kept.write_text(run(db, "audit", "heads").stdout, encoding="utf-8-sig")
    assert kept.read_bytes().startswith(b"\xef\xbb\xbfc1\t2\t")
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert (result.exit_code, result.stdout) == (0, "")
    behind_the_engines_back(
        db, *(f"delete from {table} where {key} = 'c1'"
              for table, key in (("deadlines", "case_id"), ("cases", "id"))),
        "drop trigger events_append_only_delete", "delete from events where case_id = 'c1'")
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert result.exit_code == 1
    assert result.stdout.startswith("case c1: event seq 2 missing: the case is gone")


def test_audit_verify_names_the_one_event_of_a_history_whose_case_row_was_deleted(db):
    """Found by review: a case row deleted with only its opening event left read "its history
    (1 events, open on 2026-03-02 to open on 2026-03-02)"; and "1 of 1 cases fail"."""
    Engine.open(db).open_case(province="shanxi", on=date(2026, 3, 2), case_id="lone")
    behind_the_engines_back(db, "delete from cases where id = 'lone'")
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "case lone: event seq 1 missing, or the case altered: the case row is gone, its history "
        "(1 event, open on 2026-03-02) is still stored"]
    assert error_line(result) == "Error: 1 of 1 case fails verification"


def test_audit_verify_finds_a_history_whose_case_row_was_deleted(db, tmp_path):
    """Found by the evidence audit: verify walked the case rows, so a case row deleted with
    sqlite3 (foreign keys are off there), its history left in place, passed as "every history
    chain is intact" with one case fewer, also against kept heads (the kept event is still
    stored). Every command then says there is no such case, and the reports leave it out."""
    engine = Engine.open(db)
    for case_id in ("rowless", "kept"):
        _investigating(engine, case_id)
    kept = tmp_path / "heads.txt"
    kept.write_text(run(db, "audit", "heads").stdout, encoding="utf-8")
    behind_the_engines_back(db, "delete from cases where id = 'rowless'")
    expected = ("case rowless: event seq 3 missing, or the case altered: the case row is gone, "
                "its history (3 events, open on 2026-03-02 to start_investigation on "
                "2026-03-04) is still stored")
    for args in ((), ("--heads", str(kept))):
        result = run(db, "audit", "verify", *args)
        assert result.exit_code == 1
        assert result.stdout.splitlines() == [expected]
        assert error_line(result) == "Error: 1 of 2 cases fails verification"
    cases, events, findings = engine.verify()
    assert (cases, events, [str(f) for f in findings]) == (2, 6, [expected])


def test_audit_verify_of_one_case_deleted_names_it_as_verify_of_all_does(db, tmp_path):
    """Found by review: `audit verify --case ID --heads FILE` of a case deleted with all its
    rows said only "Error: no case 'gone'", the kept head it checks for nowhere, and of a case
    row deleted with its history left in place the same: verify of every case names both,
    and checking the one case is what an auditor does with the head kept for it."""
    engine = Engine.open(db)
    for case_id in ("gone", "rowless"):
        _investigating(engine, case_id)
    kept = tmp_path / "heads.txt"
    kept.write_text(run(db, "audit", "heads").stdout, encoding="utf-8")
    gone = engine.store.history_rows("gone")[2]["hash"]
    behind_the_engines_back(
        db, "drop trigger events_append_only_delete",
        *(f"delete from {table} where case_id = 'gone'" for table in ("events", "deadlines")),
        "delete from cases where id in ('gone', 'rowless')")
    expected = {
        "gone": f"case gone: event seq 2 missing: the case is gone, its history was kept to "
                f"this event (hash {gone})",
        "rowless": "case rowless: event seq 3 missing, or the case altered: the case row is "
                   "gone, its history (3 events, open on 2026-03-02 to start_investigation on "
                   "2026-03-04) is still stored"}
    for case_id, args in (("gone", ("--heads", str(kept))), ("rowless", ()),
                          ("rowless", ("--heads", str(kept)))):
        result = run(db, "audit", "verify", "--case", case_id, *args)
        assert result.exit_code == 1
        assert result.stdout.splitlines() == [expected[case_id]]
        assert error_line(result) == "Error: 1 of 1 case fails verification"
    # Without a head kept for it and with no history left, there is nothing to name.
    assert error_line(run(db, "audit", "verify", "--case", "gone")) == "Error: no case 'gone'"
    assert [str(f) for f in engine.verify("gone", heads=[("gone", 2, gone)])[2]] == [
        expected["gone"]]


def test_audit_verify_finds_a_case_row_whose_opening_date_was_changed(db):
    """Found by the evidence audit: the case row's opened_on is not in the chain and was
    never compared with it, though the reports, ``case show --as-of`` and the 公布 notice
    take a case as not yet opened before it. Moved from 2026-03-02 (the date of its open
    event, seq 0) to 2026-03-20, ``case show moved --as-of 2026-03-10`` said the case was
    opened after that day, and verify passed."""
    engine = Engine.open(db)
    _investigating(engine, "moved")
    behind_the_engines_back(db, "update cases set opened_on = '2026-03-20' where id = 'moved'")
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "case moved: event seq 3 missing, or the case altered: the case was opened on "
        "2026-03-20, its first event (seq 0, open on 2026-03-02) opens it on 2026-03-02"]
    assert error_line(run(db, "case", "show", "moved", "--as-of", "2026-03-10")) == (
        "Error: case moved was opened on 2026-03-20, after 2026-03-10")


@pytest.mark.parametrize("source", ["/dev/zero", "long", "-"])
def test_audit_verify_reads_a_heads_line_to_the_limit_only(db, tmp_path, source):
    """A heads file is read a line at a time, each to at most arguments.LARGEST_READ (8 MiB)
    characters (a head is about 90): `audit verify --heads /dev/zero`, one line with no line
    end, was read until memory ran out (a MemoryError's traceback under a limit). One line,
    exit 2, naming the file and the line; a line of the limit is read, and is no head."""
    from engine.arguments import LARGEST_READ

    engine = Engine.open(db)
    _investigating(engine, "a")
    kept = tmp_path / "heads.txt"
    kept.write_text("a" * (LARGEST_READ + 1) + "\n", encoding="utf-8")
    name = {"/dev/zero": "/dev/zero", "long": str(kept), "-": "-"}[source]
    result = run(db, "audit", "verify", "--heads", name,
                 input=b"\0" * (20 * 2**20) if source == "-" else None)
    assert result.exit_code == 2
    assert error_line(result) == (
        f"Error: {name} line 1: longer than 8,388,608 characters, the most doudi reads of a "
        "line (a chain head is about 90): not a list `doudi audit heads` printed")
    kept.write_text("a" * LARGEST_READ + "\n", encoding="utf-8")
    assert error_line(run(db, "audit", "verify", "--heads", str(kept))).startswith(
        f"Error: {kept} line 1: not a chain head as `doudi audit heads` prints it")


def test_audit_verify_refuses_a_heads_file_it_cannot_read(db, tmp_path):
    engine = Engine.open(db)
    _investigating(engine, "a")
    kept = tmp_path / "heads.txt"
    kept.write_text("a\t2\tnot-a-hash\n", encoding="utf-8")
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert result.exit_code == 2
    assert error_line(result) == (
        f"Error: {kept} line 1: not a chain head as `doudi audit heads` prints it (case id, "
        "seq, hash, tab-separated): 'a\\t2\\tnot-a-hash'")
    with pytest.raises(ValueError, match="heads must be"):
        engine.verify(heads=[("a", -1, "0" * 64)])
    # Found by review: a seq above SQLite's largest whole number (2**63 - 1) passed the check
    # and ended in an OverflowError traceback where the event was looked for.
    line = f"a\t{2**63}\t{'0' * 64}"
    kept.write_text(f"{line}\n", encoding="utf-8")
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert (result.exit_code, error_line(result)) == (2, (
        f"Error: {kept} line 1: not a chain head as `doudi audit heads` prints it (case id, "
        f"seq, hash, tab-separated): {line[:80]!r}"))
    with pytest.raises(ValueError, match="heads must be"):
        engine.verify(heads=[("a", 2**63, "0" * 64)])
    assert engine.verify(heads=[("a", 2**63 - 1, "0" * 64)])[2] == [
        Finding("a", 2**63 - 1, f"missing since its hash {'0' * 64} was kept: the history "
                "ends before it")]
    # Found by review: a seq or a table row's id of more than 4,300 digits ended in a
    # ValueError traceback (Python's int() refuses to read so many: "Exceeds the limit (4300
    # digits) for integer string conversion"), leading zeros counted. Each is a line that is
    # no head, exit 2; a seq of 1 behind 5,000 zeros is seq 1, as 01 is.
    for line, what in ((f"a\t{'9' * 5000}\t{'0' * 64}", "chain head"),
                       (f"table\tsanctions\t{'9' * 5000}\t{'0' * 64}", "table's chain head")):
        kept.write_text(f"{line}\n", encoding="utf-8")
        result = run(db, "audit", "verify", "--heads", str(kept))
        assert result.exit_code == 2, result.output
        assert error_line(result).startswith(f"Error: {kept} line 1: not a {what} as `doudi "
                                             "audit heads` prints it (")
        assert error_line(result).endswith(f"{line[:80]!r}")
    for seq in ("01", f"{'0' * 5000}1"):
        kept.write_text(f"a\t{seq}\t{'0' * 64}\n", encoding="utf-8")
        result = run(db, "audit", "verify", "--heads", str(kept))
        assert (result.exit_code, result.stdout) == (
            1, f"case a: event seq 1 altered since its hash {'0' * 64} was kept\n"), result.output


def test_audit_verify_refuses_a_heads_list_that_holds_no_head(db, tmp_path):
    """Found by review: an empty list (a pipe that brought nothing, `--heads -` with nothing
    on stdin, the wrong file) checked no kept head and said "every history chain is intact",
    exit 0. Against a database with cases it is a usage error, nothing checked; a database
    with no case yet (a county's parameters set first) has a list of no case, the settings'
    head only (an empty one before `audit heads` printed the tables' heads), which stays good."""
    _investigating(Engine.open(db), "a")
    kept = tmp_path / "heads.txt"
    kept.write_text("\n\n", encoding="utf-8")  # (blank lines hold no head either)
    for result, name in ((run(db, "audit", "verify", "--heads", str(kept)), kept),
                         (run(db, "audit", "verify", "--heads", "-", input=""), "-"),
                         (run(db, "audit", "verify", "--case", "a", "--heads", "-", input=""),
                          "-")):
        assert result.exit_code == 2
        assert error_line(result) == (
            f"Error: {name} holds no chain heads (`doudi audit heads` prints one line a case), "
            "and the database holds 1 case: give the list kept earlier, or leave --heads out")
    empty = str(tmp_path / "settings_only.db")
    assert run(empty, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
               "--county", "甲县", "--basis", "甲县〔2026〕1号").exit_code == 0
    listing = run(empty, "audit", "heads")
    # (no case's line; the county settings' head, which a list kept now holds)
    assert (listing.exit_code, listing.stdout.split("\t")[:3]) == (
        0, ["table", "local_parameters", "1"])
    for held in ("", listing.stdout):
        kept.write_text(held, encoding="utf-8")
        result = run(empty, "audit", "verify", "--heads", str(kept))
        assert result.exit_code == 0, result.output
        assert result.stderr == ("0 cases, 0 events: every history chain is intact, as are "
                                 "the chains of the county settings, the sanctions, the links "
                                 "and the calendar years\n")


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs /proc/self/mem")
def test_audit_verify_names_a_heads_file_whose_read_fails_part_way(db):
    """Found by review: /proc/self/mem opens and its first read fails (EIO), as a bad disk's
    file can: the error read "input/output failed: Input/output error", naming no file. It
    names the file and the line, as import does, exit 1."""
    _investigating(Engine.open(db), "a")
    before = dump_file(db)
    result = run(db, "audit", "verify", "--heads", "/proc/self/mem")
    assert result.exit_code == 1
    assert error_line(result) == ("Error: /proc/self/mem could not be read at line 1: "
                                  "Input/output error")
    assert dump_file(db) == before


def test_audit_verify_checks_the_file_itself_first(db):
    """Found by review: a file whose pages are broken may still read as intact chains (or as
    no case at all). SQLite's check of the file comes first: here an index of the events
    is overwritten on disk, which no hash chain covers."""
    import sqlite3

    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="c1")
    engine.fire("c1", "accept", on=date(2026, 3, 3))
    engine.store.db.close()
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("select rootpage from sqlite_master where type = 'index' and "
                           "tbl_name = 'events' order by name limit 1").fetchone()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(db, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\x0d" + b"\xff" * 64)  # (a leaf page's header and cells, garbled)
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("file: ")
    assert error_line(result) == ("Error: the database file itself is damaged (SQLite's "
                                  "integrity_check): restore it from a backup")
    assert run(db, "audit", "verify", "--case", "c1").exit_code == 0  # (one case's chain only)


def test_audit_verify_finds_an_index_that_disagrees_with_its_table(db):
    """Found by review: an index made to leave out a row (its definition edited with
    writable_schema while the row was changed, then put back) hid a breached deadline from
    `report breaches`, which reads the running deadlines through that index, while every
    page stayed well formed: quick_check passed it ("ok"), and the chains and the deadline
    rows, as the table holds them, agree. The file's check is integrity_check, which compares
    each index with its table."""
    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="c1")
    engine.fire("c1", "accept", on=date(2026, 3, 3))
    engine.store.db.close()
    assert "c1" in run(db, "report", "breaches", "--as-of", "2026-04-30").stdout
    index = "idx_deadlines_running_or_late"
    running, hidden = "where outcome is null or", "where outcome = 'zzz' or outcome is 0 and"

    def edit(sql: str, schema: tuple[str, str] | None = None) -> None:
        conn = sqlite3.connect(db, isolation_level=None)
        if schema is not None:  # (the index's definition only: its pages are left as they are)
            conn.execute("PRAGMA writable_schema = ON")
            conn.execute("update sqlite_master set sql = replace(sql, ?, ?) where name = ?",
                         [*schema, index])
        else:
            conn.execute(sql)
        conn.close()

    edit("update deadlines set outcome = 'met' where outcome is null")  # (out of the index)
    edit("", (running, hidden))  # (the index now takes no row: updates leave it as it is)
    edit("update deadlines set outcome = null where stopped_on is null")
    edit("", (hidden, running))
    assert "c1" not in run(db, "report", "breaches", "--as-of", "2026-04-30").stdout
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    assert f"missing from index {index}" in result.stdout.splitlines()[0]
    assert error_line(result) == ("Error: the database file itself is damaged (SQLite's "
                                  "integrity_check): restore it from a backup")


@pytest.mark.parametrize("command", [("audit", "verify"), ("case", "show", "c1")])
def test_a_database_cut_short_is_said_to_be_damaged_not_another_file(db, tmp_path, command):
    """Found by review: a doudi database truncated (a copy cut short, a disk that filled) was
    refused as "is not a doudi database (database disk image is malformed)", which tells an
    auditor the wrong file was given, not that this one is damaged."""
    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="c1")
    engine.close()
    size = os.path.getsize(db)
    with open(db, "r+b") as file:
        file.truncate(size // 2)
    before = pathlib.Path(db).read_bytes()
    result = run(db, *command)
    assert result.exit_code == 1
    assert error_line(result) == (f"Error: {db} is damaged (database disk image is malformed): "
                                  "restore it from a backup")
    assert pathlib.Path(db).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [os.path.basename(db)]


@pytest.mark.parametrize("command", [("case", "show", "c1"), ("audit", "heads"), ("recompute",)])
def test_a_page_found_damaged_after_opening_is_said_to_be_damaged_too(db, tmp_path, command):
    """Found by a fresh-eyes pass: a database whose events table has a damaged page opens
    (the first look reads only its schema), and the command that then reads the page said
    "database error: database disk image is malformed", where one cut short is named damaged
    with what to do. It is said alike, the file as the command opened it; nothing written."""

    damage_events_page(db)
    before = pathlib.Path(db).read_bytes()
    result = run(db, *command)
    assert result.exit_code == 1
    assert error_line(result) == (f"Error: {db} is damaged (database disk image is malformed): "
                                  "restore it from a backup")
    assert pathlib.Path(db).read_bytes() == before
    assert os.path.getsize(f"{db}-wal") == 0  # (opened, as by any command: nothing in it)


def test_a_batched_command_stopped_by_a_damaged_page_says_so_and_what_it_wrote():
    """recompute (or case advance) that finds a damaged page after some batches are written:
    the damaged file, as above (an index's damage too: SQLite's extended code
    SQLITE_CORRUPT_INDEX), then what was written; another database error as SQLite words it."""
    import sqlite3

    from engine.cli.options import stopped_part_way

    written = "recompute stopped: the recompute events of 3 cases before it are written"
    damaged = sqlite3.DatabaseError("database disk image is malformed")
    damaged.sqlite_errorcode = 779  # (SQLITE_CORRUPT_INDEX: 11 | 3 << 8)
    failed = stopped_part_way(damaged, written, "recompute", "/srv/cases.db")
    assert (str(failed), failed.exit_code) == (
        "/srv/cases.db is damaged (database disk image is malformed): restore it from a backup "
        f"({written})", 1)
    other = sqlite3.OperationalError("disk I/O error")
    other.sqlite_errorcode = 10  # (SQLITE_IOERR)
    assert str(stopped_part_way(other, written, "recompute", "/srv/cases.db")) == (
        f"database error: disk I/O error ({written})")


def test_rows_changed_so_they_cannot_be_read_are_findings_and_error_lines_not_tracebacks(db):
    # Found by review: the tool meant to find tampering crashed on it. A case row whose
    # attributes are no longer JSON, an event whose date is no date, a deadline likewise.
    engine = Engine.open(db)
    for case_id in ("attrs", "event", "deadline", "fine"):
        engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=case_id)
        engine.fire(case_id, "accept", on=date(2026, 3, 3))
    behind_the_engines_back(
        db, "drop trigger events_append_only_update",
        "update cases set attributes = 'not json' where id = 'attrs'",
        "update events set [on] = 'xx' where case_id = 'event' and seq = 1",
        "update deadlines set due_on = '2026-13-01' where case_id = 'deadline'")
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "case attrs: event seq 2 missing, or the case altered: its row cannot be read back "
        "(JSONDecodeError: Expecting value: line 1 column 1 (char 0))",
        "case deadline: event seq 2 missing, or the case altered: a deadline row cannot be "
        "read back (ValueError: \"2026-13-01\" is not a date: there is no month 13)",
        "case event: event seq 1 altered",
    ]
    for case_id, what in [("attrs", "case 'attrs'"), ("event", "event 1 of case 'event'"),
                          ("deadline", "deadline 'total' of case 'deadline'")]:
        shown = run(db, "case", "show", case_id)
        assert shown.exit_code == 1
        line = error_line(shown, starts_with="Error: ")
        assert line.startswith(f"Error: {what} cannot be read from the database (")
        assert line.endswith("it was changed outside doudi (doudi audit verify lists what was)")
    assert run(db, "case", "show", "fine").exit_code == 0
    assert run(db, "audit", "verify", "--case", "fine").exit_code == 0
    nobody = run(db, "audit", "verify", "--case", "")
    assert (nobody.exit_code, error_line(nobody, starts_with="Error: ")) == (1, "Error: no case ''")


def test_rows_changed_to_names_and_values_doudi_never_writes_are_findings_too(db):
    # Found by review: a case row naming another workflow (or none doudi has), a deadline
    # without its start and a sanction without its date were KeyErrors and AttributeErrors
    # in case show, and audit verify called the database intact.
    engine = Engine.open(db)
    for case_id in ("workflow", "nowhere", "start", "fine"):
        engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=case_id)
        engine.fire(case_id, "accept", on=date(2026, 3, 3))
    benefit = engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 3, 2),
                               case_id="sanction", attributes={"amount": 900,
                                                               "paid_from": "2026-03"})
    engine.fire(benefit.id, "change_found", on=date(2026, 8, 1),  # (批评教育: over 3 months)
                payload={"occurred_on": "2026-04-10", "criticism": True})
    assert len(engine.store.sanctions(benefit.id)) == 1
    behind_the_engines_back(
        db, "update cases set workflow = 'benefit' where id = 'workflow'",
        "update cases set workflow = 'nope' where id = 'nowhere'",
        "update deadlines set starts_on = null where case_id = 'start'",
        "drop trigger sanctions_append_only_update",
        "update sanctions set [on] = null where case_id = 'sanction'")
    result = run(db, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "sanction #1 altered",  # (and its chain names it, m017)
        "case nowhere: event seq 2 missing, or the case altered: the case row cannot be read "
        "back (ValueError: no workflow 'nope')",
        "case sanction: event seq 2 missing, or the case altered: a sanction row cannot be "
        "read back (ValueError: null is not a date: expected YYYY-MM-DD)",
        "case start: event seq 2 missing, or the case altered: a deadline row cannot be read "
        "back (ValueError: starts_on is empty)",
        "case workflow: event seq 2 missing, or the case altered: the case row cannot be read "
        "back (ValueError: 'accepted' is not a state of workflow 'benefit')",
    ]
    for case_id in ("workflow", "nowhere", "start", "sanction"):
        shown = run(db, "case", "show", case_id)
        assert shown.exit_code == 1, shown.output
        line = error_line(shown, starts_with="Error: ")
        assert line.endswith("it was changed outside doudi (doudi audit verify lists what was)")
    assert run(db, "case", "show", "fine").exit_code == 0
    for change in ("kind = 'bogus'", "amount = 'abc'"):  # (a kind or an amount doudi never gives)
        behind_the_engines_back(db, "drop trigger sanctions_append_only_update",
                                f"update sanctions set [on] = '2026-08-01', {change} "
                                "where case_id = 'sanction'")
        assert run(db, "report", "sanctions").exit_code == 1
        assert run(db, "audit", "verify", "--case", "sanction").exit_code == 1
        behind_the_engines_back(db, "drop trigger sanctions_append_only_update",
                                "update sanctions set kind = 'criticism', amount = null, "
                                "[on] = null where case_id = 'sanction'")
    listed = run(db, "report", "sanctions")  # (it listed the row with "on": null, exit 0)
    assert listed.exit_code == 1
    assert error_line(listed, starts_with="Error: ").startswith(
        "Error: sanction 'criticism' of case 'sanction' cannot be read from the database")
    # A running duty without its due date dropped out of the breach report unseen (found by
    # review): the report names it; the message named "case None".
    behind_the_engines_back(db, "update deadlines set starts_on = '2026-03-03' "
                                "where case_id = 'start'",
                            "update deadlines set due_on = null where case_id = 'start' "
                            "and rule = 'investigation_start'")
    for report in ("breaches", "at-risk"):
        damaged = run(db, "report", report, "--province", "shanxi", "--as-of", "2026-03-09")
        assert damaged.exit_code == 1, damaged.output
        assert error_line(damaged, starts_with="Error: ").startswith(
            "Error: deadline 'investigation_start' of case 'start' cannot be read")
    # So did one whose due date is no date: "not a date" sorts after every date (exit 0, the
    # case's breach missing, found by review), " 2026-03-06" before them (at-risk only: a
    # breach report reads everything before its date), a blob after them.
    for due_on, shown in (("'not a date'", '"not a date"'), ("' 2026-03-06'", '" 2026-03-06"'),
                          ("x'00'", "b'\\x00'")):
        behind_the_engines_back(db, f"update deadlines set due_on = {due_on} "
                                    "where case_id = 'start' and rule = 'investigation_start'")
        for report in ("breaches", "at-risk"):
            damaged = run(db, "report", report, "--province", "shanxi", "--as-of", "2026-03-09")
            assert damaged.exit_code == 1, (due_on, report, damaged.output)
            assert error_line(damaged) == (
                "Error: deadline 'investigation_start' of case 'start' cannot be read from the "
                f"database (ValueError: {shown} is not a date: expected YYYY-MM-DD): it was "
                "changed outside doudi (doudi audit verify lists what was)")


@pytest.mark.parametrize("due_on", ["'20260306'", "20260306"])
def test_a_stored_date_in_iso_basic_format_is_damaged_not_read_as_a_date(db, due_on):
    # Python 3.11's date.fromisoformat reads "20260306" as 2026-03-06 (and an integer put in
    # the TEXT column is stored as that text): a due date changed by hand to it was read as
    # the date, so case show showed it and audit verify found every chain intact (exit 0).
    # The database holds dates as YYYY-MM-DD only, as "not a date" is no date.
    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="C1")
    engine.fire("C1", "accept", on=date(2026, 3, 3))
    behind_the_engines_back(db, f"update deadlines set due_on = {due_on} "
                                "where case_id = 'C1' and rule = 'investigation_start'")
    problem = 'ValueError: "20260306" is not a date: expected YYYY-MM-DD'
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1
    assert verified.stdout.splitlines() == [
        f"case C1: event seq 2 missing, or the case altered: a deadline row cannot be read back "
        f"({problem})"]
    line = (f"Error: deadline 'investigation_start' of case 'C1' cannot be read from the "
            f"database ({problem}): it was changed outside doudi (doudi audit verify lists "
            "what was)")
    shown = run(db, "case", "show", "C1")
    assert shown.exit_code == 1 and error_line(shown) == line
    # The breach report reads it where its text falls in its range (it sorts after
    # "2026-12-31", docs/evidence.md): it listed it as breached since 2026-03-06.
    report = run(db, "report", "breaches", "--as-of", "2027-01-05")
    assert report.exit_code == 1 and error_line(report) == line


def test_every_stored_date_is_read_as_yyyy_mm_dd_only():
    from engine.deadlines import Deadline
    from engine.effects import Sanction
    from engine.errors import DamagedRecord
    from engine.local_parameters import LocalSetting
    from engine.store import CaseRecord, entries

    engine = Engine.open(":memory:")
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="C1")
    engine.fire("C1", "accept", on=date(2026, 3, 3))
    case = engine.store.db.execute("select * from cases").fetchone()
    names = [c[0] for c in engine.store.db.execute("select * from cases").description]
    case = dict(zip(names, case, strict=True))
    deadline = engine.store.deadlines("C1")[0].to_row("C1")
    event = dict(engine.store.history_rows("C1")[1])
    for read, row, key in [
        (CaseRecord.from_row, case, "opened_on"), (CaseRecord.from_row, case, "last_event_on"),
        (Deadline.from_row, deadline, "starts_on"), (Deadline.from_row, deadline, "due_on"),
        (Deadline.from_row, deadline, "stopped_on"), (Deadline.from_row, deadline, "paused_on"),
        (Deadline.from_row, deadline, "moved_from"),
        (lambda r: entries([r]), event, "on"),
        (Sanction.from_row, {"kind": "criticism", "amount": None, "basis": "b", "on": ""}, "on"),
        # (a county's setting: it was a ValueError's traceback, "xx" too)
        (LocalSetting.from_row, {"province": "shanxi", "county": "甲县", "workflow": "dibao",
                                 "name": "investigation_start", "value": '"2wd"',
                                 "citation": "c", "actor": None, "recorded_at": None}, "on"),
    ]:
        for basic in ("20260303", 20260303, "2026-W10-2", "xx"):
            with pytest.raises(DamagedRecord, match=" is not a date: expected YYYY-MM-DD\\)"):
                read({**row, key: basic})
    # A phase-out's end, kept among a benefit case's attributes: a number is no date either.
    wf = engine.workflow("shanxi", "benefit")
    ending = CaseRecord(id="B1", province="shanxi", workflow="benefit", county=None,
                        state="phasing_out", attributes={"phase_out_ends_on": 20260306},
                        opened_on=date(2026, 1, 5), last_event_on=date(2026, 1, 5))
    with pytest.raises(DamagedRecord, match="phase_out_ends_on: 20260306 is not a date"):
        wf.pending_automatic(ending, date(2026, 3, 9))
    ending.attributes["phase_out_ends_on"] = "2026-03-06"
    assert wf.pending_automatic(ending, date(2026, 3, 9))[1] == date(2026, 3, 6)


def test_a_correction_is_a_new_event_referencing_what_it_corrects(engine, db):
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2),
                            attributes={"applicant_name": "张三"})
    engine.fire(case.id, "accept", on=date(2026, 3, 3))
    view = engine.correct(case.id, 0, on=date(2026, 3, 4), reason="申请人姓名录入错误",
                          payload={"applicant_name": "张珊"})
    last = view.history[-1]
    assert (last["event"], last["corrects"], last["reason"]) == ("correction", 0, "申请人姓名录入错误")
    assert view.state == "accepted"
    assert engine.store.history(case.id)[0].payload == {"applicant_name": "张三"}  # kept as was
    assert engine.verify(case.id)[2] == []
    replayed, deadlines = engine.replay(case.id)
    assert replayed.state == "accepted"
    assert [d.to_row(case.id) for d in deadlines] == [
        d.to_row(case.id) for d in engine.store.deadlines(case.id)]
    bad = run(db, "case", "correct", "nope", "0", "--on", "2026-03-04", "--reason", "x")
    assert bad.exit_code == 1


def test_case_show_s_table_says_what_a_correction_corrects_and_what_it_should_have_said(db):
    """Found by the evidence audit: the table listed a correction as "correction 更正" with its
    reason only: which event it puts right and the data it records (what that event should
    have said, which no attribute shows: a correction changes none) were in the JSON alone,
    so the history as a clerk reads it held a correction of nothing in particular."""
    engine = Engine.open(db)
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="c",
                            attributes={"applicant_name": "张三"})
    engine.fire(case.id, "accept", on=date(2026, 3, 3))
    engine.correct(case.id, 0, on=date(2026, 3, 4), reason="申请人姓名录入错误",
                   payload={"applicant_name": "张珊"})
    engine.correct(case.id, 1, on=date(2026, 3, 4), reason="受理日期另有记录")
    table = run(db, "case", "show", "c", "--as-of", "2026-03-04").stdout
    rows = [line.split() for line in table.splitlines() if line[:2] in ("2 ", "3 ")]
    assert rows == [
        ["2", "2026-03-04", "correction", "更正", "seq", "0:", "applicant_name=张珊", "accepted",
         "accepted", "申请人姓名录入错误"],
        ["3", "2026-03-04", "correction", "更正", "seq", "1", "accepted", "accepted",
         "受理日期另有记录"]]
    assert "attributes: applicant_name=张三" in table  # (the correction changes none)


def test_a_correction_dated_outside_the_calendar_is_refused_before_anything_is_written(
        tmp_path, monkeypatch):
    # Found by the CLI fuzz test: a correction on 9999-12-31 was written, then showing the
    # case failed on that date, so the command exited 1 with the event already stored. (Today
    # is set to that day: the date is refused by the calendar, not for being in the future.)
    monkeypatch.setattr("engine.clock.china_today", lambda: date(9999, 12, 31))
    db = str(tmp_path / "c.db")
    engine = Engine.open(db)
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2))
    before = dump_file(db)
    result = run(db, "case", "correct", case.id, "0", "--on", "9999-12-31", "--reason", "x")
    assert result.exit_code == 2  # a date the calendar does not cover is bad input
    assert "9999-12-31 is outside the calendar" in error_line(result)
    assert dump_file(db) == before


def test_a_correction_of_a_publicity_is_refused_a_channel_the_publicity_is_refused(db):
    """A correction's data is "checked like that event's data" (docs/evidence.md): 山西 posts
    its 公示 in the village (社区) (晋民发〔2023〕31号 四(五)), so a correction saying it was
    posted online (网上) is refused as post_publicity --set channel=网上 is, exit 1 (docs/cli.md:
    an event the rules refuse), and nothing is written. It was recorded."""
    engine = Engine.open(db)
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="p")
    for event, day in [("accept", 3), ("start_investigation", 4), ("request_verification", 5),
                       ("start_verification", 6)]:
        engine.fire("p", event, on=date(2026, 3, day))
    engine.fire("p", "post_publicity", on=date(2026, 3, 9), payload={"channel": "村（社区）"})
    before = dump_file(db)
    result = run(db, "case", "correct", case.id, "5", "--on", "2026-03-10", "--reason",
                 "公示渠道录错", "--set", "channel=网上")
    assert result.exit_code == 1
    assert error_line(result) == (
        "Error: correction of event 5 (post_publicity on 2026-03-09): 公示 channel 网上 is not "
        "provided for; allowed: 村（社区） (晋民发〔2023〕31号 四(五)（在申请家庭所在村（社区）进行公示）)")
    assert dump_file(db) == before
    # (the channel it was posted in, given again, is taken: the correction adds its reason)
    assert run(db, "case", "correct", case.id, "5", "--on", "2026-03-10", "--reason",
               "公示渠道录错", "--set", "channel=村（社区）").exit_code == 0


def test_a_correction_is_refused_what_the_corrected_event_refuses_besides_its_guards(db):
    """Found by review: a correction's data must pass "the event's own checks"
    (docs/evidence.md), and an event's checks are more than its transition's guards:
    - 天津 confirms at the township, always (津民发〔2023〕13号 四(一)): the opening refuses
      delegated=false, and so does a correction of 受理; a correction of the opening (seq 0,
      which has no guards) took it.
    - Only dibao's 受理 judges where a household may apply (57号 第四条、第五条): the
      investigation refuses residence, and a correction of it took one.
    Both are refused now, as the event is, exit 1 and 2, nothing written."""
    engine = Engine.open(db)
    engine.open_case(province="tianjin", on=date(2026, 3, 2), case_id="t",
                     attributes={"county": "和平区"})
    engine.fire("t", "accept", on=date(2026, 3, 3))
    engine.fire("t", "start_investigation", on=date(2026, 3, 4))
    residence = '{"applicant": "a", "members": [{"id": "a", "registered_in": "河西区", ' \
                '"lives_in": "河西区"}]}'
    before = dump_file(db)
    opening = run(db, "case", "correct", "t", "0", "--on", "2026-03-04", "--reason", "录错",
                  "--set", "delegated=false")
    assert (opening.exit_code, error_line(opening)) == (1, (
        "Error: correction of event 0 (open on 2026-03-02): confirmation is always delegated "
        "to the township in 和平区 (tianjin) (津民发〔2023〕13号 四(一)): delegated cannot be "
        "false"))
    accepted = run(db, "case", "correct", "t", "1", "--on", "2026-03-04", "--reason", "录错",
                   "--set", "delegated=false")  # (named as the correction it refuses, too)
    assert (accepted.exit_code, error_line(accepted)) == (1, (
        "Error: correction of event 1 (accept on 2026-03-03): confirmation is always delegated "
        "to the township in 和平区 (tianjin) (津民发〔2023〕13号 四(一)): delegated cannot be "
        "false"))
    with pytest.raises(InvalidInput) as caught:
        engine.correct("t", 2, date(2026, 3, 4), "录错", {"residence": json.loads(residence)})
    assert str(caught.value) == (
        "correction of event 2 (start_investigation on 2026-03-04): the dibao workflow does "
        "not judge where a household may apply at start_investigation: give "
        "start_investigation no residence (accept judges it)")
    with pytest.raises(InvalidInput, match=r"^correction of event 0 \(open on 2026-03-02\): "
                                           r"the dibao workflow does not judge where a household "
                                           r"may apply at the opening: give the opening no "
                                           r"residence \(accept judges it\)$"):
        engine.correct("t", 0, date(2026, 3, 4), "录错", {"residence": json.loads(residence)})
    assert dump_file(db) == before
    # (what the opening takes is taken: the county it was opened in, said again)
    assert engine.correct("t", 0, date(2026, 3, 4), "录错", {"county": "和平区"}).state \
        == "investigating"


def test_audit_verify_takes_an_event_written_while_it_reads_for_no_tampering(db):
    # Cases are listed a chunk at a time, their histories read after (the chunk's
    # together): an event written in between made the listed row look older than its history
    # (review finding).
    engine, writer = Engine.open(db), Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="busy")
    read = engine.store.case_rows

    def meanwhile(ids, tables):
        if not meanwhile.done:
            meanwhile.done = True
            writer.fire("busy", "accept", on=date(2026, 3, 3))
        return read(ids, tables)

    meanwhile.done = False
    engine.store.case_rows = meanwhile
    assert engine.verify() == (1, 2, [])


def test_audit_verify_takes_an_event_written_while_it_reads_the_deadlines_for_no_tampering(db):
    # Found with the comparison of deadlines: they are read after the history, so an event
    # written in between made them look like more than the history gives.
    engine, writer = Engine.open(db), Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="busy")
    read = engine.store.deadlines

    def meanwhile(case_id):
        meanwhile.calls += 1
        if meanwhile.calls == 1:  # (read once, after the history, then compared with it)
            writer.fire("busy", "accept", on=date(2026, 3, 3))
        return read(case_id)

    meanwhile.calls = 0
    engine.store.deadlines = meanwhile
    assert engine.verify("busy") == (1, 2, [])


def test_audit_verify_takes_a_setting_recorded_while_it_reads_for_no_tampering(db):
    # Found by stress review: a county setting recorded after verify read them, and an event
    # counted with it, made the case fail verification ("event seq 2 missing, or the case
    # altered: deadline investigation_start #1 differs"), exit 1, though it agrees with the
    # settings as stored: a second verify found nothing, and recompute records nothing.
    # 民发〔2021〕57号 第15条: the investigation starts within 3 working days of 受理; 甲县
    # sets 2 wd. 受理 Tue 2026-03-03: 2 wd → Thu 2026-03-05 (3 wd would be Fri 03-06).
    engine, writer = Engine.open(db), Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="busy",
                     attributes={"county": "甲县"})
    read = engine.store.case_rows

    def meanwhile(ids, tables):
        if not meanwhile.done:
            meanwhile.done = True
            writer.set_parameter("shanxi", "甲县", "investigation_start", "2wd", "县民政局通知",
                                 on=date(2026, 3, 1))
            writer.fire("busy", "accept", on=date(2026, 3, 3))
        return read(ids, tables)

    meanwhile.done = False
    engine.store.case_rows = meanwhile
    assert engine.verify() == (1, 2, [])
    due = {d.rule: d.due_on for d in engine.store.deadlines("busy")}
    assert due["investigation_start"] == date(2026, 3, 5)


def test_a_case_view_s_json_is_the_caller_s_own(engine):
    """Found by review: ``to_json()`` returned the view's own attributes and history dicts
    (``j["attributes"]["county"] = "J"`` changed ``v.case.attributes``)."""
    import copy

    opened = engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="A1",
                              attributes={"county": "甲县", "members": [{"name": "张三"}]})
    view = engine.fire("A1", "accept", on=date(2026, 3, 3), payload={"note": {"a": [1]}})
    for v in (opened, view, engine.case("A1")):
        shown = copy.deepcopy(v.to_json())
        j = v.to_json()
        j["attributes"]["county"] = "J"
        j["attributes"]["members"][0]["name"] = "李四"
        j["history"][0]["payload"]["county"] = "J"
        j["history"][-1]["payload"].clear()
        j["history"].append({})
        j["links"].append({})
        assert v.to_json() == shown
        assert v.case.attributes["county"] == "甲县"
    # Nor what the engine keeps for the case's next event.
    assert engine.case("A1").to_json()["history"][1]["payload"] == {"note": {"a": [1]}}
    assert engine.fire("A1", "start_investigation", on=date(2026, 3, 4)).case.attributes[
        "members"] == [{"name": "张三"}]


@pytest.mark.parametrize(("report", "damage"), [
    ("exceptions", "{bad"), ("exceptions", "[1]"), ("stations", "{bad")])
def test_a_report_over_a_case_whose_attributes_are_damaged_names_the_case(db, report, damage):
    """Found by review: `report exceptions` and `report stations` failed with "database
    error: malformed JSON" (SQLite's json functions), naming no case; case show, recompute
    and advance name it and point to audit verify."""
    engine = Engine.open(db)
    engine.open_case(province="tianjin", workflow="benefit", on=date(2026, 3, 2), case_id="b1",
                     attributes={"amount": 800, "paid_from": "2026-03", "village": "大村"})
    behind_the_engines_back(db, f"update cases set attributes = '{damage}' where id = 'b1'")
    result = run(db, "report", report)
    assert result.exit_code == 1, result.output
    line = error_line(result, starts_with="Error: case 'b1' cannot be read from the database (")
    assert line.endswith("it was changed outside doudi (doudi audit verify lists what was)")


def test_a_keyed_fire_that_lost_a_race_to_its_key_says_already_recorded(db, monkeypatch):
    # Two `case fire … --idempotency-key K` at once: one writes the event, the other finds
    # the key taken when it commits and returns the first result. The loser printed
    # "applied → accepted" as if it had recorded the event; the view now says it is a repeat.
    from engine import core

    engine = Engine.open(db)
    cid = engine.open_case("shanxi", on=date(2026, 3, 2)).id
    other = Engine.open(db)
    commit = core.Engine._commit

    def the_other_writes_first(self, changes, key=None):
        if key == "K" and self is not other:
            other.fire(cid, "accept", on=date(2026, 3, 3), idempotency_key="K")
        return commit(self, changes, key)

    monkeypatch.setattr(core.Engine, "_commit", the_other_writes_first)
    result = run(db, "case", "fire", cid, "accept", "--on", "2026-03-03",
                 "--idempotency-key", "K")
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"{cid}: accept on 2026-03-03: already recorded with key 'K' (it "
                             "left the case accepted (已受理))\n")
    assert [e.event for e in engine.store.history(cid)] == ["open", "accept"]
    assert other.fire(cid, "accept", on=date(2026, 3, 3), idempotency_key="K").repeated
    assert not engine.fire(cid, "start_investigation", on=date(2026, 3, 4)).repeated


def test_an_event_hash_counts_a_column_the_row_lacks_as_null():
    # event_hash reads the hashed columns in one C call, and a row lacking one (a row read
    # from a database older than the column) hashes as with it NULL, as it did by row.get.
    from engine.integrity import GENESIS, HASHED, event_hash

    row = dict.fromkeys(HASHED)
    row.update(case_id="c1", seq=0, event="open", on="2026-03-02", payload='{"金额":900}')
    lacking = {k: v for k, v in row.items() if k != "corrects"}
    assert event_hash(lacking, GENESIS) == event_hash(row, GENESIS)
    content = '["c1",0,"open","2026-03-02",null,null,"{\\"金额\\":900}",null,null,null,null,null,null]'
    assert event_hash(row, GENESIS) == hashlib.sha256(
        f"{GENESIS}|{content}".encode()).hexdigest()


def test_case_open_repeated_with_its_key_says_it_was_already_recorded(db):
    """docs/evidence.md: a repeat with the same key writes nothing and "the CLI says
    'already recorded with key'"; case open printed the id alone, as if it had opened the
    case now. The id stays alone on stdout, where scripts take it."""
    args = ["case", "open", "--province", "tianjin", "--on", "2026-03-02", "--id", "T-1",
            "--idempotency-key", "o"]
    first = run(db, *args)
    assert (first.exit_code, first.stdout, first.stderr) == (0, "T-1\n", "")
    before = dump_file(db)
    repeat = run(db, *args)
    assert repeat.exit_code == 0, repeat.output
    assert repeat.stdout == "T-1\n"
    assert repeat.stderr == "T-1: open on 2026-03-02: already recorded with key 'o'\n"
    assert dump_file(db) == before


def test_csv_output_leaves_a_number_that_is_not_finite_blank_and_its_json_strict(capsys):
    """Found by review, beside the JSON output above: CSV wrote NaN from data recorded before
    2026-11-23 as "nan" (text to a reader) and NaN inside a cell's JSON (no JSON at all). A
    cell is blank, as JSON's null is, and a cell's JSON strict; the table shows it as stored
    (NaN, as case show does: it wrote Python's nan)."""
    from engine.cli.options import emit

    emit([{"score": float("nan"), "marks": [1, float("inf")], "amount": 900.5}], "csv")
    assert capsys.readouterr().out == 'score,marks,amount\n,"[1, null]",900.5\n'
    emit([{"score": float("nan"), "marks": [1, float("inf")], "low": float("-inf")}], "table")
    assert capsys.readouterr().out.splitlines()[-1] == "NaN    [1, Infinity]  -Infinity"


def test_an_approval_dated_by_hand_with_no_date_is_named_by_the_unpublished_report(tmp_path):
    # A confirmation's date that sorts among dates but is none was read by the report of
    # cases waiting for their 公布 (57号 第24条) with date.fromisoformat: a ValueError's
    # traceback. It is named as damaged, as the case is by case show.
    from test_mutation_gaps import confirmed_on_17th

    from engine.errors import DamagedRecord

    db = str(tmp_path / "u.db")
    engine = Engine.open(db, today=lambda: date(2026, 4, 1))
    cid = confirmed_on_17th(engine)
    engine.close()
    behind_the_engines_back(db, "drop trigger events_append_only_update",
                            f"update events set [on] = '2026-03-1' where case_id = '{cid}' "
                            "and event = 'approve'")
    engine = Engine.open(db, today=lambda: date(2026, 4, 1))
    with pytest.raises(DamagedRecord, match=(
            f"^the approve event of case '{cid}' cannot be read from the database "
            r'\(ValueError: "2026-03-1" is not a date: expected YYYY-MM-DD\)')):
        engine.unpublished(as_of=date(2026, 3, 17))


def test_audit_verify_reads_every_county_setting_and_names_a_damaged_one(db):
    """Found by review: a county setting edited so that it cannot be read back is named by
    every command as "(doudi audit verify lists what was)", but `audit verify` did not read
    the settings: with no case in the county it said every chain was intact (exit 0), and
    with cases anywhere it blamed each case row (their workflow reads the settings). Now the
    setting is the finding, and the cases are checked with the other settings, their
    deadlines in that province's workflow left uncompared (they depend on it)."""
    def set_multiple(county):
        assert run(db, "parameter", "set", "marginal_multiple", "1.8", "--province",
                   "jiangsu_draft", "--county", county, "--basis", f"{county}文件 二", "--on",
                   "2026-01-01").exit_code == 0
    set_multiple("乙县")
    set_multiple("丁县")  # (for dibao and benefit alike: two rows)
    damage = ("drop trigger local_parameters_append_only_update",
              "update local_parameters set value = '{bad' where county = '丁县' "
              "and workflow = 'dibao'")
    behind_the_engines_back(db, *damage, hashed=True)
    line = ("county setting #3 (jiangsu_draft 丁县 dibao marginal_multiple): cannot be read "
            "back (JSONDecodeError: Expecting property name enclosed in double quotes: line 1 "
            "column 2 (char 1)); the deadlines of the jiangsu_draft dibao cases were not "
            "compared with their histories")
    result = run(db, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [line]
    assert error_line(result) == "Error: 1 county setting cannot be read back"

    # Cases written before the damage: intact ones pass, a tampered one is still found.
    behind_the_engines_back(db, damage[0], "update local_parameters set value = '1.8' where id = 3",
                            hashed=True)
    engine = Engine.open(db)
    ids = [engine.open_case(province=province, on=date(2026, 3, 2),
                            attributes={"county": county}).id
           for province, county in (("jiangsu_draft", "乙县"), ("shanxi", "甲县"))]
    engine.close()
    assert run(db, "audit", "verify").exit_code == 0
    behind_the_engines_back(db, *damage,
                            f"update cases set state = 'accepted' where id = '{ids[1]}'",
                            hashed=True)
    result = run(db, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        line, f"case {ids[1]}: event seq 1 missing, or the case altered: the case is accepted "
              "since 2026-03-02, its last event (seq 0, open on 2026-03-02) leaves it applied"]
    assert error_line(result) == ("Error: 1 county setting cannot be read back; 1 of 2 cases "
                                  "fails verification")
    one = run(db, "audit", "verify", "--case", ids[0])
    assert (one.exit_code, one.stdout) == (1, line + "\n")


def test_a_death_date_changed_by_hand_to_no_date_is_named_not_read_or_a_traceback(tmp_path):
    # The re-check runs "自其死亡之日起3个月内" (民发〔2022〕83号; 山西 一(五)): died 2026-01-31,
    # due 2026-04-30, counted from the died_on the member_died event records. That date
    # changed by hand to 20260131 was read as 2026-01-31 by Python 3.11's date.fromisoformat,
    # so recompute rebuilt the deadline from it and recorded nothing (exit 0); read as
    # YYYY-MM-DD only, it was a ValueError's traceback. The event is named as damaged.
    db = str(tmp_path / "d.db")
    engine = Engine.open(db)
    engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5), case_id="B1",
                     attributes={"amount": 900, "paid_from": "2026-01"})
    view = engine.fire("B1", "member_died", on=date(2026, 2, 9), payload={"died_on": "2026-01-31"})
    assert [d.deadline.due_on for d in view.deadlines
            if d.deadline.rule == "death_review"] == [date(2026, 4, 30)]
    engine.fire("B1", "review", on=date(2026, 3, 2), payload={"outcome": "keep"})
    engine.close()
    behind_the_engines_back(db, "drop trigger events_append_only_update",
                            "update events set payload = replace(payload, '2026-01-31', "
                            "'20260131') where case_id = 'B1' and event = 'member_died'")
    line = ("Error: event 1 of case 'B1' cannot be read from the database (ValueError: died_on: "
            '"20260131" is not a date: expected YYYY-MM-DD): it was changed outside doudi '
            "(doudi audit verify lists what was)")
    result = run(db, "case", "show", "B1", "--as-of", "2026-02-20")
    assert result.exit_code == 1 and error_line(result) == line, result.output
    # recompute leaves it as it is and names it at the end (it goes on with any other case).
    result = run(db, "recompute")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["0 due dates moved in 0 of 1 case", (
        f"Error: recompute could not read or re-derive 1 case and left it as it was (B1: "
        f"{line[7:]}); it went on with the others; doudi audit verify lists every case "
        "changed outside doudi")]
    raw = sqlite3.connect(db)
    assert raw.execute("select count(*) from events").fetchone()[0] == 3  # (nothing recorded)
    raw.close()


def test_audit_verify_says_what_it_checks_while_sqlite_checks_the_file(db, monkeypatch):
    """SQLite's check of the whole file (integrity_check) comes before the cases' bar and has
    no count of its own: about 10 s of silence at a million cases. On a terminal a line says
    what runs, erased when it ends; elsewhere (a script reading the output) nothing."""
    import io

    from engine.cli import audit
    from engine.cli.options import working

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown, elsewhere = Terminal(), io.StringIO()
    with working("Checking ...", shown):
        assert shown.getvalue() == "Checking ..."
    assert shown.getvalue() == "Checking ...\r\x1b[K"
    with working("Checking ...", elsewhere):
        pass
    assert elsewhere.getvalue() == ""

    Engine.open(db).open_case(province="shanxi", on=date(2026, 3, 2))
    noted = []

    def note(text):
        noted.append(text)
        return working(text)

    monkeypatch.setattr(audit, "working", note)
    result = run(db, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert noted == ["Checking the database file (SQLite's integrity_check) ..."]
    assert "Checking" not in result.output  # (CliRunner's stderr is no terminal)


def test_a_blob_put_in_an_event_by_hand_is_named_altered_not_a_traceback(db):
    """Found with the county settings' chain (a BLOB in a setting ended m016 in a TypeError):
    an event whose reason was set to X'00ff' by hand made `audit verify` end in a traceback
    ("Object of type bytes is not JSON serializable") as it hashed the row. One encoder hashes
    every chain, a BLOB as {"blob": hex} (no value doudi writes encodes so): the event is
    named altered, exit 1."""
    engine = Engine.open(db)
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=date(2026, 3, 3))
    engine.close()
    with sqlite3.connect(db) as conn:
        conn.execute("drop trigger if exists events_append_only_update")
        conn.execute("update events set reason = X'00ff' where seq = 1")
        put_back_triggers(conn)
    conn.close()
    result = run(db, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [f"case {case.id}: event seq 1 altered"]
    assert error_line(result) == "Error: 1 of 1 case fails verification"


def test_audit_verify_says_which_chains_it_found_intact(db):
    """Found by review: since the county settings, the sanctions and the links are chained
    (each table one chain, read whole), verify without --case checks them too, but its line
    named the histories alone; with --case, which does not read those tables, it still
    does."""
    engine = Engine.open(db)
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2))
    engine.close()
    whole = run(db, "audit", "verify")
    assert (whole.exit_code, whole.stderr) == (0, (
        "1 case, 1 event: every history chain is intact, as are the chains of the county "
        "settings, the sanctions, the links and the calendar years\n"))
    one = run(db, "audit", "verify", "--case", case.id)
    assert (one.exit_code, one.stderr) == (0, "1 case, 1 event: every history chain is intact\n")
