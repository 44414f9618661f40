"""Gaps found by an eighth mutation pass, over the code changed in the last round (the
notices' privacy line and a name holding digits, engine/notices.py; a county's document that
delegates confirmation recorded as delegated_by and cited after the clause on a delegated
total, engine/core.py, engine/deadlines.py, engine/local_parameters.py; a death before the
decision's day, engine/default_benefit.py; files and import lines read to a limit; a calendar
year altered and set aside; reports over every province; plugins' names and effects): each
test fails on a mutant of the code that the rest of the suite let pass.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from test_benefit_common import approved_dibao, deadline
from test_calendar_years import FIXTURE_2027, stored_again_by_hand
from test_local_parameters import ACCEPTED, DELEGATED_TOTAL_DUE, DELEGATING
from test_notices import SHANXI_HOUSEHOLD, benefit_of, to_publicity

from engine import DoudiError, Engine, InvalidInput
from engine.integrity import GENESIS, YEAR_HASHED, chained
from engine.notices import render_text
from engine.schema import CALENDAR_YEAR_TRIGGERS
from helpers import by_rule, error_line, run


@pytest.fixture
def fixture_2027(tmp_path) -> str:
    """The path of a file holding FIXTURE_2027 (tests/test_calendar_years.py's made-up 2027)."""
    path = tmp_path / "2027.toml"
    path.write_text(FIXTURE_2027, encoding="utf-8")
    return str(path)


# -- a name holding digits (notices._name) -------------------------------------------------------


def test_a_name_holding_exactly_six_digits_is_refused_and_one_of_five_posted(db, monkeypatch):
    """83号 四(二) "信息公示、公布应当依法保护个人隐私，不得公开无关信息": a name holding 6 or more
    digits is no one's name (NAME_DIGITS, "6 or more"). 王五123456, six digits, is refused as
    given, and, stored before it was, in the 公示 and the 公布 (exit 1, naming the case);
    王五12345, five, is taken and posted as it is."""
    from engine import workflow

    engine = Engine.open(db)
    with pytest.raises(InvalidInput, match=r"^applicant_name holds 6 or more digits"):
        engine.open_case("shanxi", on=date(2026, 3, 2), attributes={"applicant_name": "王五123456"})
    monkeypatch.setattr(workflow, "holds_a_number", lambda value: False)  # (stored before)
    six = to_publicity(engine, "shanxi", {**SHANXI_HOUSEHOLD, "applicant_name": "王五123456",
                                          "delegated": True},
                       date(2026, 3, 9))
    five = to_publicity(engine, "shanxi", {**SHANXI_HOUSEHOLD, "applicant_name": "王五12345",
                                           "county": "清徐县", "delegated": True}, date(2026, 3, 9))
    result = run(db, "notice", "publicity", six)
    assert result.exit_code == 1, result.output
    assert error_line(result).startswith(f"Error: case {six}: applicant_name holds 6 or more digits")
    with pytest.raises(DoudiError, match=f"^case {benefit_of_approved(engine, six)}: applicant_name"):
        engine.publication("阳曲县", date(2026, 3, 17))
    assert "申请人姓名：王五12345\n" in render_text(engine.publicity(five))
    benefit_of_approved(engine, five)
    assert "1　王五12345　3人　650元" in render_text(engine.publication("清徐县", date(2026, 3, 17)))


def benefit_of_approved(engine, cid):
    """``cid`` (its 公示 posted Mon 2026-03-09, 7 days to 03-16) approved on Tue 03-17: the
    benefit case approval opened, which the 公布 of that day shows."""
    if engine.case(cid).case.state != "approved":
        engine.fire(cid, "approve", on=date(2026, 3, 17))
    return benefit_of(engine, cid)


# -- the county's document that delegates (core._record_delegated_by, county_delegation) ------


def test_the_opening_in_a_delegating_county_records_its_document(engine):
    """A case opened in 乙县 on Mon 2026-03-02, the day 乙县民政局〔2026〕3号 delegates every
    case from: the opening itself finds the case delegated (delegated=true) and records the
    document that did (delegated_by), not only the acceptance after it; its acceptance that
    day starts the 20 working days of 晋民发〔2023〕31号 四(二) ("审核确认权限下放到乡镇人民政府
    （街道办事处）的，20个工作日"): 3/3 .. 3/30 (20), citing the clause then the document."""
    engine.set_parameter("shanxi", "乙县", "delegation", "always", DELEGATING, ACCEPTED)
    opened = engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "乙县"}, case_id="Y1")
    assert opened.case.attributes["delegated_by"] == DELEGATING
    assert opened.history[0]["payload"] == {"county": "乙县", "delegated": True,
                                            "delegated_by": DELEGATING}
    total = by_rule(engine.fire("Y1", "accept", on=ACCEPTED))["total"].deadline
    assert (total.due_on, total.citation) == (DELEGATED_TOTAL_DUE,
                                              f"晋民发〔2023〕31号 四(二)；{DELEGATING}")


def test_an_opening_retried_with_its_key_in_a_delegating_county_gives_the_case_it_opened(engine):
    """An opening retried with its idempotency key gives the case the first call opened: in
    乙县, which delegates every case (乙县民政局〔2026〕3号), the call the key recorded names the
    document as the opening stored it; without it the retry was refused as another call."""
    engine.set_parameter("shanxi", "乙县", "delegation", "always", DELEGATING, ACCEPTED)
    first = engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "乙县"},
                             idempotency_key="k-1")
    again = engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "乙县"},
                             idempotency_key="k-1")
    assert again.id == first.id
    assert len(engine.store.history(first.id)) == 1


def test_a_case_of_a_province_that_delegates_every_case_names_no_county_document(engine):
    """津民发〔2023〕13号 四(一): confirmation is the township's in all of 天津, the province's rule,
    not a county's: a 和平区 case accepted Mon 2026-03-02 is delegated, due in 20 working days
    (3/3 .. 3/30) on the province's clause alone, and records no delegated_by."""
    engine.open_case("tianjin", on=ACCEPTED, attributes={"county": "和平区"}, case_id="T1")
    view = engine.fire("T1", "accept", on=ACCEPTED)
    assert view.case.attributes["delegated"] is True
    assert "delegated_by" not in view.case.attributes
    total = by_rule(view)["total"].deadline
    assert (total.due_on, total.citation) == (date(2026, 3, 30), "津民发〔2023〕13号 四(一)")


def test_the_document_that_first_delegated_a_case_is_the_one_its_total_cites(engine):
    """乙县 delegated every case from Mon 2026-03-02 (乙县民政局〔2026〕3号), then again from Tue
    03-03 by a new document (乙县民政局〔2026〕9号). A case opened on 03-02 was delegated at its
    opening by 3号, which it records; accepted on 03-03 it keeps it (the first document found
    is kept: a review found a later one replacing it while the total cited the first): the
    20 working days from 03-03 (3/4 .. 3/6 (3), 3/9 .. 3/13 (8), 3/16 .. 3/20 (13), 3/23 ..
    3/27 (18), 3/30 (19), 3/31 (20)) end Tue 2026-03-31, citing 四(二), then 3号."""
    engine.set_parameter("shanxi", "乙县", "delegation", "always", DELEGATING, ACCEPTED)
    engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "乙县"}, case_id="Y1")
    engine.set_parameter("shanxi", "乙县", "delegation", "always", "乙县民政局〔2026〕9号",
                         date(2026, 3, 3))
    view = engine.fire("Y1", "accept", on=date(2026, 3, 3))
    assert view.case.attributes["delegated_by"] == DELEGATING
    total = by_rule(view)["total"].deadline
    assert (total.due_on, total.citation) == (date(2026, 3, 31),
                                              f"晋民发〔2023〕31号 四(二)；{DELEGATING}")
    assert engine.verify() == (1, 2, [])


# -- a death and the decision's day (default_benefit.death_date_valid) -------------------------


def test_a_death_after_the_decision_is_taken_though_an_event_came_after_it(engine):
    """A case approve opened on Tue 2026-03-31 (57号 第21条) knows the decision's day: its
    opening's. A 山西 review recorded on Fri 04-10 is not the decision: a death of Wed 04-08,
    recorded on Mon 04-13, came after the decision and is taken; its re-check is due 3 months
    on (晋民发〔2023〕31号 一(五) "自其死亡之日起 3 个月内"; 民法典 第201条), Wed 2026-07-08."""
    _, approved = approved_dibao(engine, "shanxi", date(2026, 3, 31), amount=650)
    benefit = approved.links[0]["case_id"]
    engine.fire(benefit, "review", on=date(2026, 4, 10), payload={"outcome": "keep"})
    view = engine.fire(benefit, "member_died", on=date(2026, 4, 13), payload={"died_on": "2026-04-08"})
    assert deadline(view, "death_review").deadline.due_on == date(2026, 7, 8)


# -- a calendar year set aside, and the chain (Maintenance._setting_chains) -------------------


def test_a_year_row_whose_hash_was_worked_out_again_stays_a_failure_once_set_aside(
        tmp_path, fixture_2027):
    """evidence.md: a year row altered (no longer fitting its hash) and set aside is kept as
    evidence, no failure. One altered with its hash worked out again fits its hash, and is
    found through the row after it (#2, chained to its old hash): that is no mistake a
    set-aside puts right, and audit verify still fails on it once #1 is set aside."""
    path = str(tmp_path / "rehashed.db")
    engine = Engine.open(path, today=lambda: date(2027, 2, 12))
    engine.add_calendar_years(fixture_2027)
    stored_again_by_hand(path, None, "2026-12-08T00:00:00+00:00")
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        row = dict(conn.execute("select * from calendar_years where id = 1").fetchone())
        row["actor"] = "someone"
        chained([row], GENESIS, YEAR_HASHED)
        conn.execute("drop trigger calendar_years_append_only_update")
        conn.execute("update calendar_years set actor = :actor, hash = :hash where id = 1", row)
        conn.execute(CALENDAR_YEAR_TRIGGERS[0])
    conn.close()
    engine = Engine.open(path, today=lambda: date(2027, 2, 12))
    engine.void_calendar_year(1, "核对")
    (finding,) = Engine.open(path, today=lambda: date(2027, 2, 12)).verify()[2]
    assert (str(finding), finding.put_right) == ("calendar year #1 altered", False)
