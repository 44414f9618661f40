"""Gaps found by a sixth mutation pass, over the code changed in the last round (audit verify
naming the county settings that explain a deadline difference, engine/settings_then.py; the
stopped deadlines a ``recompute`` event kept; the chained tables' heads kept outside the
database): each test fails on a mutant of the code that the rest of the suite let pass.

Due dates are counted by hand on the 2026 official calendar (国办发明电〔2025〕7号: no holiday in
March). A 山西 case of 甲县 is accepted on Mon 2026-03-02; investigation_start, 民发〔2021〕57号
第15条 "3个工作日内": 3/3(1) 3/4(2) 3/5(3) → 03-05; a county's 4 working days: 3/6(4) → 03-06;
its 5: 3/7–3/8 a weekend, 3/9(5) → 03-09; its 7: 3/10(6) 3/11(7) → 03-11.
"""

from __future__ import annotations

import itertools
import sqlite3
from datetime import date

import pytest
from test_case_table_chains import _approved_and_fraud, _by_hand, _hash_of, _verified
from test_integrity import _investigating
from test_local_parameters import BASIS, accepted_case
from test_pause_resume import run as mini_deadline

from engine import Engine
from engine.deadlines import KEPT_FIELDS, RUNNING, counted_as_kept
from engine.maintenance import _moved_by_settings
from helpers import error_line, put_back_triggers, run

DATED_BACK = date(2026, 1, 5)


@pytest.fixture
def seconds(monkeypatch):
    """Each row stored a second after the last (the store's clock), from 04:00:00."""
    import engine.store as store

    second = itertools.count()
    monkeypatch.setattr(store, "_now", lambda: "2026-12-07T04:{:02d}:{:02d}+00:00".format(
        *divmod(next(second), 60)))


def _findings(engine, case_id=None) -> list[str]:
    return [str(f) for f in engine.verify(case_id)[2]]


def _setting(engine, setting_id: int) -> str:
    """How a finding names a county setting: its id and when it was recorded."""
    (recorded,) = [s.recorded_at for s in engine.parameter_settings(in_force=False)
                   if s.id == setting_id]
    return f"setting #{setting_id}, recorded {recorded}"


def _void_recorded_at(engine, void_id: int) -> str:
    with sqlite3.connect(engine.store.path) as conn:
        (at,) = conn.execute("select recorded_at from local_parameter_voids where id = ?",
                             [void_id]).fetchone()
    conn.close()
    return at


def _moved(case_id: str, seq: int, stored: str, named: str, given: str,
           earlier: bool = False, stopped: str | None = None) -> str:
    """audit verify's finding of investigation_start #1 moved by the settings ``named``."""
    then = ("run `doudi recompute` to record it" if stopped is None else
            "run `doudi recompute` to record that it keeps the due date it was judged by")
    return (f"case {case_id}: event seq {seq} {'or events before it ' if earlier else ''}came "
            "before county settings recorded since: deadline investigation_start #1 is due "
            f"{stored} as stored; those settings ({named}) give {given}"
            f"{'' if stopped is None else f', and it stopped on {stopped}'}: {then}")


def _altered(case_id: str, seq: int, stored: str, given: str, duration: str) -> str:
    return (f"case {case_id}: event seq {seq} missing, or the case altered: deadline "
            f"investigation_start #1 differs: duration '3wd' (its history gives '{duration}'), "
            f"due_on {stored} (its history gives {given}), citation '民发〔2021〕57号 第15条（国家规定）' "
            f"(its history gives '{BASIS}'); if calendar data or a parameter changed since, or "
            "doudi was upgraded, `doudi recompute` records that instead")


# -- audit verify: the county settings as they stood (engine/settings_then.py) ------------------


def _set_aside(engine, setting_id: int, changed: str = "actor = 'someone'") -> None:
    """Setting ``setting_id``'s row changed by hand (``changed``: by default its actor, so that
    it no longer fits its hash but reads as before), then set aside, as `parameter void` sets
    aside a row that cannot be read back only."""
    with sqlite3.connect(engine.store.path) as conn:
        conn.execute("drop trigger local_parameters_append_only_update")
        conn.execute(f"update local_parameters set {changed} where id = ?", [setting_id])
        put_back_triggers(conn)
    conn.close()
    engine.void_setting(setting_id, "甲县民政局 更正")


#: How verify names setting #1 set aside (by void #1), before the cases.
SET_ASIDE = "county setting #1 altered; set aside by void #1 (甲县民政局 更正), and kept as evidence"


def test_verify_names_three_settings_recorded_since_and_counts_those_past_three(engine, seconds):
    """A finding names three settings at most, then "and N more": 甲县's 5 working days dated
    back to 01-05, 01-06 and 01-07 after its case was accepted (the last in force on 03-02:
    03-09 where 03-05 is stored) are the three named, with no "and 0 more"; a fourth makes it
    "and 1 more". A setting of 甲县's temporary-assistance workflow recorded between is not
    the dibao case's, and not named, nor counted."""
    accepted_case(engine, "甲县", "A1")
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, DATED_BACK)
    engine.set_parameter("shanxi", "甲县", "investigation_start", "4wd", BASIS, DATED_BACK,
                         workflow="temporary")
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, date(2026, 1, 6))
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, date(2026, 1, 7))
    named = f"{_setting(engine, 1)}; {_setting(engine, 3)}; {_setting(engine, 4)}"
    assert _findings(engine) == [_moved("A1", 1, "2026-03-05", named, "2026-03-09")]
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, date(2026, 1, 8))
    assert _findings(engine) == [_moved("A1", 1, "2026-03-05", f"{named}; and 1 more",
                                        "2026-03-09")]


def test_a_setting_set_aside_before_the_case_s_events_is_not_counted_as_in_force_then(
        engine, seconds):
    """甲县's 5 working days (setting #1, its row changed by hand so that it no longer fits
    its hash) were set aside before its case was accepted: the case ran under the province's
    3 (03-05). 甲县's 4 (setting #2), dated back and recorded after, give 03-06 now. As the
    settings stood at the case's last event, #1 was no longer in force, so they give the
    03-05 stored: the finding names #2 alone (counted as in force then, #1's 5 days would
    give 03-09, and the case would be named altered)."""
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, DATED_BACK)
    _set_aside(engine, 1)
    accepted_case(engine, "甲县", "A1")
    engine.set_parameter("shanxi", "甲县", "investigation_start", "4wd", BASIS, DATED_BACK)
    assert _findings(engine) == [SET_ASIDE, _moved("A1", 1, "2026-03-05", _setting(engine, 2),
                                                    "2026-03-06")]


def test_a_setting_set_aside_since_is_counted_in_the_order_it_was_recorded_in_its_day(
        engine, seconds):
    """Two settings for the same day: the one recorded later holds (local_parameters.by_place,
    "then as recorded"). 甲县's 5 working days (#1) and then 4 (#2), both for 01-05: the case
    accepted on 03-02 is due 03-06. #1 changed by hand and set aside after, and 7 working days
    (#3) recorded for 01-05 (03-11 now): with the settings as they stood, #1 (set aside since,
    so in force then) and #2 in the order recorded give #2's 03-06, as stored; the finding
    names #3 and the set-aside. (#1 counted after #2, as it was read apart, would give 03-09: "altered".)"""
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, DATED_BACK)
    engine.set_parameter("shanxi", "甲县", "investigation_start", "4wd", BASIS, DATED_BACK)
    accepted_case(engine, "甲县", "A1")
    _set_aside(engine, 1)
    engine.set_parameter("shanxi", "甲县", "investigation_start", "7wd", BASIS, DATED_BACK)
    named = (f"{_setting(engine, 3)}; set-aside #1 of setting #1, recorded "
             f"{_void_recorded_at(engine, 1)}")
    assert _findings(engine) == [SET_ASIDE, _moved("A1", 1, "2026-03-06", named, "2026-03-11")]


def test_an_event_after_a_setting_is_counted_with_it_though_those_before_were_not(
        engine, seconds):
    """fire counts the new event alone, with the settings as they stand. 甲县's 5 working days
    for investigation_start and 2 for verification_start (57号 第17条's 3 set by the county),
    dated back, were recorded after the case's start_investigation (Wed 03-04, meeting the
    03-05 it ran under) and before its request_verification (03-04): that started
    verification_start under the county's 2 (3/5(1) 3/6(2) → 03-06; the province's 3 would
    give 3/9). Worked out again, each event with the settings of its time, the case gives
    both as stored: the finding names the two settings, recorded before its last event."""
    accepted_case(engine, "甲县", "A1")
    engine.fire("A1", "start_investigation", on=date(2026, 3, 4))
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, DATED_BACK)
    engine.set_parameter("shanxi", "甲县", "verification_start", "2wd", BASIS, DATED_BACK)
    view = engine.fire("A1", "request_verification", on=date(2026, 3, 4))
    due = {v.deadline.rule: v.deadline.due_on for v in view.deadlines}
    assert (due["investigation_start"], due["verification_start"]) == (
        date(2026, 3, 5), date(2026, 3, 6))
    assert _findings(engine) == [_moved(
        "A1", 3, "2026-03-05", f"{_setting(engine, 1)}; {_setting(engine, 2)}", "2026-03-09",
        earlier=True, stopped="2026-03-04")]


def test_a_setting_of_the_case_s_county_that_cannot_be_read_leaves_the_settings_then_untold(
        engine, seconds):
    """甲县's setting #1 (5 working days from 06-01, after the case's dates) was in force when
    its case was accepted (03-05 stored); its value was changed since so that it cannot be
    read, and it was set aside. With 甲县's 4 working days (#2) dated back, the case gives
    03-06 now. What #1 said when the case was counted cannot be told, so the settings then
    cannot explain the difference: the finding is the one for a case altered."""
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, date(2026, 6, 1))
    accepted_case(engine, "甲县", "A1")
    _set_aside(engine, 1, "value = 'five'")
    engine.set_parameter("shanxi", "甲县", "investigation_start", "4wd", BASIS, DATED_BACK)
    assert _findings(engine, "A1") == [SET_ASIDE, _altered("A1", 2, "2026-03-05", "2026-03-06", "4wd")]


def test_a_setting_of_another_county_that_cannot_be_read_does_not_stop_the_naming(
        engine, seconds):
    """The same with #1 乙县's: no setting of the case's county is untold, so the finding
    names 甲县's #2 (and neither 乙县's row nor its set-aside)."""
    engine.set_parameter("shanxi", "乙县", "investigation_start", "5wd", BASIS, date(2026, 6, 1))
    accepted_case(engine, "甲县", "A1")
    _set_aside(engine, 1, "value = 'five'")
    engine.set_parameter("shanxi", "甲县", "investigation_start", "4wd", BASIS, DATED_BACK)
    assert _findings(engine, "A1") == [SET_ASIDE, _moved("A1", 1, "2026-03-05", _setting(engine, 2),
                                                         "2026-03-06")]



def test_verify_names_the_settings_of_each_county_the_case_was_in_not_those_of_others(
        engine, seconds):
    """A case counted in 甲县 and moved to 乙县 since (start_investigation on Wed 03-04 with
    county=乙县, meeting the 03-05 it ran under): the settings a finding names are those of
    every county it was in. 甲县's 5 working days dated back (03-09, it stopped 03-04) are
    named; 丙县's 4, recorded after them too, are not (of a county the case was never in)."""
    accepted_case(engine, "甲县", "A1")
    engine.fire("A1", "start_investigation", on=date(2026, 3, 4), payload={"county": "乙县"})
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, DATED_BACK)
    engine.set_parameter("shanxi", "丙县", "investigation_start", "4wd", BASIS, DATED_BACK)
    assert engine.case("A1").case.county == "乙县"
    assert _findings(engine) == [_moved("A1", 2, "2026-03-05", _setting(engine, 1), "2026-03-09",
                                        stopped="2026-03-04")]


def test_a_deadline_stored_twice_is_named_altered_though_a_setting_recorded_since_moves_it(
        engine, seconds):
    """A deadline row copied with sqlite3 (its unique index dropped first) is no setting's
    doing: with 甲县's 5 working days dated back after the case was accepted, the settings as
    they stood give investigation_start once, due 03-05, where it is stored twice; the
    finding is the one for a case altered."""
    accepted_case(engine, "甲县", "A1")
    with sqlite3.connect(engine.store.path) as conn:
        conn.execute("drop index idx_deadlines_case_id_rule_instance")
        columns = [c[1] for c in conn.execute("pragma table_info(deadlines)") if c[1] != "id"]
        conn.execute(f"insert into deadlines ({', '.join(columns)}) select {', '.join(columns)} "
                     "from deadlines where rule = 'investigation_start'")
    conn.close()
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, DATED_BACK)
    assert _findings(engine) == [_altered("A1", 2, "2026-03-05", "2026-03-09", "5wd")]


def test_a_setting_stored_with_a_clock_set_back_is_counted_by_its_place_in_the_table(
        engine, monkeypatch):
    """Settings are recorded in the order of their ids; a clock set back stores one with a
    time before the last's, and then how many were recorded by a time is counted one by one
    (not by bisection). The case opened and accepted at 04:00:01, 乙县's setting #1 in the
    same second, then 甲县's 5 working days (#2) dated back, stored at 04:00:00. By their
    times, 1 setting was recorded before the second of the case's last event and 2 by its
    end: the first (#1, 乙县's) alone, in the order recorded, gives the 03-05 stored, so #2 is
    named, not the case as altered (counted as 2 before that second, none is left to try)."""

    import engine.store as store

    monkeypatch.setattr(store, "_now", lambda: "2026-12-07T04:00:01+00:00")
    accepted_case(engine, "甲县", "A1")
    engine.set_parameter("shanxi", "乙县", "investigation_start", "4wd", BASIS, DATED_BACK)
    monkeypatch.setattr(store, "_now", lambda: "2026-12-07T04:00:00+00:00")
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, DATED_BACK)
    assert _findings(engine) == [_moved(
        "A1", 1, "2026-03-05", "setting #2, recorded 2026-12-07T04:00:00+00:00", "2026-03-09")]


def test_a_setting_recorded_since_that_moves_no_date_is_named_by_the_field_it_changes(
        engine, seconds):
    """甲县's own 3 working days for investigation_start (its basis, BASIS), dated back after
    the case was accepted: the due date stays 03-05 (3/3 3/4 3/5), the basis changes. The
    finding names the field as stored and as the settings give it."""
    accepted_case(engine, "甲县", "A1")
    engine.set_parameter("shanxi", "甲县", "investigation_start", "3wd", BASIS, DATED_BACK)
    assert _findings(engine) == [
        "case A1: event seq 1 came before county settings recorded since: deadline "
        "investigation_start #1 has citation '民发〔2021〕57号 第15条（国家规定）' as stored; those "
        f"settings ({_setting(engine, 1)}) give '{BASIS}': run `doudi recompute` to record it"]


def test_a_deadline_settings_recorded_since_start_or_end_is_named_so():
    """The finding where the settings recorded since give a deadline not stored, or none
    where one is (a workflow whose deadline a parameter starts: none of the packaged ones)."""
    deadline = mini_deadline("3wd", [("go", date(2026, 9, 14))])
    assert _moved_by_settings(None, deadline, "setting #1, recorded T") == (
        "came before county settings recorded since: deadline r #1 is not stored; those "
        "settings (setting #1, recorded T) give it: run `doudi recompute` to record it")
    assert _moved_by_settings(deadline, None, "setting #1, recorded T", True) == (
        "or events before it came before county settings recorded since: deadline r #1 is "
        "stored; those settings (setting #1, recorded T) give none: run `doudi recompute` to "
        "record it")

# -- a deadline recompute kept, as of a date it still ran (engine.deadlines.counted_as_kept) ---


def test_a_deadline_kept_is_not_counted_so_as_of_a_date_before_a_pause_moved_it():
    """counted_as_kept: a deadline running on a date before a recompute kept it is counted as
    judged only where nothing between that date and its stop changed its period, "no
    extension or pause since". The mini workflow of test_pause_resume (go starts it, hold
    pauses, resume resumes, done stops it), go Mon 2026-09-14, hold Tue 9/15, resume Mon 9/28
    (国庆 10/1–10/7 after), done Tue 9/29. Judged under 2 working days: due 9/16, 1 left when
    paused (9/16), resumed 9/28 → 9/29 (1): due 09-29, met; the rules now give 3 working days
    (due 9/17, 2 left: 9/29, 9/30 → 09-30). As of 9/14, before the pause, it ran 3 working days
    as the rules now give them (due 09-17), not the 09-29 that only the resumption gave. With
    no pause, done Fri 9/18 (2 working days: due 9/16, met late), it is as judged as of 9/14."""
    paused = [("go", date(2026, 9, 14)), ("hold", date(2026, 9, 15)),
              ("resume", date(2026, 9, 28)), ("done", date(2026, 9, 29))]
    judged, at_stop, running = (mini_deadline("2wd", paused), mini_deadline("3wd", paused),
                                mini_deadline("3wd", paused[:1]))
    assert (judged.due_on, judged.outcome) == (date(2026, 9, 29), "met")
    assert (at_stop.due_on, at_stop.outcome) == (date(2026, 9, 30), "met")
    assert (running.due_on, running.outcome) == (date(2026, 9, 17), RUNNING)
    assert counted_as_kept(running, at_stop, _kept_values(judged)) == running
    straight = [("go", date(2026, 9, 14)), ("done", date(2026, 9, 18))]
    judged, at_stop = mini_deadline("2wd", straight), mini_deadline("3wd", straight)
    assert (judged.due_on, judged.outcome, at_stop.due_on) == (
        date(2026, 9, 16), "met_late", date(2026, 9, 17))
    counted = counted_as_kept(running, at_stop, _kept_values(judged))
    assert (counted.due_on, counted.duration, counted.outcome) == (date(2026, 9, 16), "2wd",
                                                                   RUNNING)


def _kept_values(deadline) -> dict:
    """What a recompute event keeps of a stopped deadline (deadlines.kept_when_stopped)."""
    row = deadline.to_row("C1")
    return {f: bool(row[f]) if f == "provisional" else row[f] for f in KEPT_FIELDS}


# -- the chained tables' heads kept outside the database (audit heads, verify --heads) ----------


def test_kept_table_heads_are_each_checked_once_by_id_and_against_a_table_emptied(db):
    """Every sanction deleted (#1 the stop, #2 the repayment order of 2700, #3 the legal
    referral): the table is empty, and its chain alone shows nothing. Against heads kept of
    the links (still stored) and of sanctions #3, #2 and #3 again, in that order, verify
    names #2 and #3, each once, by id, each missing where "the table ends before it"."""
    _approved_and_fraud(db)
    links, third, second = (("links", 2, _hash_of(db, "links", 2)),
                            ("sanctions", 3, _hash_of(db, "sanctions", 3)),
                            ("sanctions", 2, _hash_of(db, "sanctions", 2)))
    _by_hand(db, "delete from sanctions")
    assert _verified(db) == (0, [], None)
    engine = Engine.open(db)
    assert [str(f) for f in engine.verify(table_heads=[links, third, second, third])[2]] == [
        f"sanction #2 missing since its hash {second[2]} was kept: the table ends before it",
        f"sanction #3 missing since its hash {third[2]} was kept: the table ends before it"]


def test_verify_of_one_case_leaves_the_kept_heads_of_the_sanctions_and_links_unchecked(db):
    """With a case named, verify checks the chains of the county settings and their
    set-asides only (the sanctions and the links are each one chain, read whole): a kept
    head of the sanctions, the table emptied since, is no finding then."""
    dibao, _ = _approved_and_fraud(db)
    third = ("sanctions", 3, _hash_of(db, "sanctions", 3))
    _by_hand(db, "delete from sanctions")
    assert Engine.open(db).verify(dibao, table_heads=[third])[2] == []


HASH = "0" * 64


@pytest.mark.parametrize("seq, stdout", [
    # (the open event is seq 0: a head kept of it is one)
    ("0", f"case a: event seq 0 altered since its hash {HASH} was kept\n"),
    # (SQLite's largest whole number, 19 digits: a seq the list may hold)
    (str(2**63 - 1), f"case a: event seq {2**63 - 1} missing since its hash {HASH} was kept: "
                     "the history ends before it\n"),
])
def test_a_heads_list_may_hold_a_seq_of_0_or_of_sqlite_s_largest_whole_number(
        db, tmp_path, seq, stdout):
    _investigating(Engine.open(db), "a")
    kept = tmp_path / "heads.txt"
    kept.write_text(f"a\t{seq}\t{HASH}\n", encoding="utf-8")
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert (result.exit_code, result.stdout) == (1, stdout), result.output


@pytest.mark.parametrize("seq", ["１", "²", "١"])  # (fullwidth 1, superscript 2, Arabic-Indic 1)
def test_a_seq_in_digits_other_than_ascii_is_a_line_that_is_no_chain_head(db, tmp_path, seq):
    """A seq is written in ASCII digits, as `audit heads` prints it: another script's digit
    (which Python's str.isdigit() takes, and int() reads as 1, or refuses) is no head, exit 2."""
    _investigating(Engine.open(db), "a")
    kept = tmp_path / "heads.txt"
    line = f"a\t{seq}\t{HASH}"
    kept.write_text(f"{line}\n", encoding="utf-8")
    result = run(db, "audit", "verify", "--heads", str(kept))
    assert (result.exit_code, error_line(result)) == (2, (
        f"Error: {kept} line 1: not a chain head as `doudi audit heads` prints it (case id, "
        f"seq, hash, tab-separated): {line!r}"))
