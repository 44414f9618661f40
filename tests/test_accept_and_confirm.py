"""受理 and 审核确认 duties that are conditions rather than day counts: the one-time notice of
missing materials (57号 第10条) and the county's home visit (57号 第20条).

Dates are hand-counted on the 2026 official calendar (国办发明电〔2025〕7号; 清明 4/4–4/6 off).
"""

from __future__ import annotations

from datetime import date

import pytest

from engine import Engine, InvalidInput
from helpers import by_rule, refused_everywhere

OPENED = date(2026, 3, 2)  # a Monday
MISSING = "户口簿复印件；近6个月收入证明"


@pytest.fixture
def engine(db):
    """The API and the CLI work on the same database."""
    return Engine.open(db)


def to_county(engine, **attributes):
    """A 山西 case through its 公示 (posted 3/9, ends 3/16) and submitted to the county on 3/17.

    county_confirmation, 10 wd (57号 第20条): 3/18(1) 3/19 3/20 3/23 3/24 3/25 3/26 3/27
    3/30 3/31(10) → 2026-03-31."""
    case = engine.open_case(province="shanxi", on=OPENED, attributes=attributes)
    for event, on in (("accept", OPENED), ("start_investigation", date(2026, 3, 3)),
                      ("request_verification", date(2026, 3, 4)),
                      ("start_verification", date(2026, 3, 5)),
                      ("post_publicity", date(2026, 3, 9)),
                      ("submit_to_county", date(2026, 3, 17))):
        engine.fire(case.id, event, on=on)
    return case.id


# -- 57号 第10条: 一次性告知 --------------------------------------------------------------------


def test_missing_materials_are_told_once_and_the_deadlines_count_from_acceptance(engine, db):
    """民发〔2021〕57号 第10条: "材料不齐全的，应当一次性告知申请人需要补齐的全部材料". The notice on
    Mon 3/2 starts no deadline (no day count is set); a second notice on 3/4 is refused. The
    case accepted on Fri 3/6 counts from then: investigation_start 3 wd (第15条) 3/9(1) 3/10(2)
    3/11(3) → 03-11; total 30 wd (晋民发〔2023〕31号 四(二)) 3/9 … 4/3(20), 4/7(21) … 4/10(24),
    4/13 … 4/17(29), 4/20(30) → 04-20."""
    case = engine.open_case(province="shanxi", on=OPENED)
    view = engine.fire(case.id, "request_materials", on=OPENED,
                       payload={"missing_materials": MISSING})
    assert view.state == "applied"
    assert not view.deadlines
    assert view.case.attributes["missing_materials"] == MISSING
    line = refused_everywhere(engine, db, case.id, "request_materials", date(2026, 3, 4),
                              payload={"missing_materials": "居住证"}, match="2026-03-02")
    assert "民发〔2021〕57号 第10条" in line
    view = engine.fire(case.id, "accept", on=date(2026, 3, 6))
    deadlines = by_rule(view)
    assert deadlines["investigation_start"].deadline.due_on == date(2026, 3, 11)
    assert deadlines["total"].deadline.due_on == date(2026, 4, 20)


@pytest.mark.parametrize("payload", [None, {"missing_materials": "  "}])
def test_a_notice_of_missing_materials_must_list_them(engine, db, payload):
    """第10条 "需要补齐的全部材料": a notice that lists nothing is refused (exit 1)."""
    case = engine.open_case(province="shanxi", on=OPENED)
    line = refused_everywhere(engine, db, case.id, "request_materials", OPENED, payload=payload,
                              match="missing_materials")
    assert "57号 第10条" in line


def test_materials_cannot_be_requested_after_acceptance(engine, db):
    """受理 means the materials were complete (第10条): after it, no notice of missing ones."""
    case = engine.open_case(province="shanxi", on=OPENED)
    engine.fire(case.id, "accept", on=OPENED)
    refused_everywhere(engine, db, case.id, "request_materials", date(2026, 3, 3),
                       payload={"missing_materials": MISSING},
                       match="not allowed in state accepted")


# -- 57号 第20条: the county's home visit ------------------------------------------------------


@pytest.mark.parametrize("event", ["approve", "reject"])
def test_a_case_registered_separately_needs_the_county_home_visit(engine, db, event):
    """民发〔2021〕57号 第20条: "对单独登记备案或者在审核确认阶段接到投诉、举报的最低生活保障申请，
    县级人民政府民政部门应当入户调查". Registered separately: deciding on 3/20 without a visit is
    refused; visited on 3/23, the decision on 3/24 stands and county_confirmation (due 03-31)
    is met."""
    cid = to_county(engine, registered_separately=True, amount=900)
    line = refused_everywhere(engine, db, cid, event, date(2026, 3, 20),
                              match="registered separately")
    assert "民发〔2021〕57号 第20条" in line and "county_home_visit" in line
    engine.fire(cid, "county_home_visit", on=date(2026, 3, 23))
    view = engine.fire(cid, event, on=date(2026, 3, 24))
    confirmation = by_rule(view)["county_confirmation"]
    assert confirmation.deadline.due_on == date(2026, 3, 31)
    assert confirmation.status == "met"


def test_a_complaint_during_confirmation_needs_a_visit_after_it(engine, db):
    """第20条 "在审核确认阶段接到投诉、举报": a visit on 3/18 came before the complaint of 3/19, so
    it does not answer it; after a second visit on 3/23 the county refuses on 3/24, and the
    written reasons are due in 3 wd (第21条): 3/25(1) 3/26(2) 3/27(3) → 03-27."""
    cid = to_county(engine)
    engine.fire(cid, "county_home_visit", on=date(2026, 3, 18))
    engine.fire(cid, "receive_complaint", on=date(2026, 3, 19), reason="邻居举报有经营收入")
    refused_everywhere(engine, db, cid, "approve", date(2026, 3, 20),
                       match="complaint was received on 2026-03-19")
    engine.fire(cid, "county_home_visit", on=date(2026, 3, 23))
    view = engine.fire(cid, "reject", on=date(2026, 3, 24))
    assert by_rule(view)["refusal_notice"].deadline.due_on == date(2026, 3, 27)


def test_a_visit_answers_only_the_complaints_before_it(engine, db):
    """第20条: a complaint received after the county's visit needs a visit of its own: complaint
    on 3/18, visit on 3/19, a second complaint on 3/20; approve on 3/23 is refused, naming the
    second, and stands on 3/25 after a visit on 3/24 (the guard reads the history from its
    end)."""
    cid = to_county(engine, amount=900)
    engine.fire(cid, "receive_complaint", on=date(2026, 3, 18), reason="邻居举报有经营收入")
    engine.fire(cid, "county_home_visit", on=date(2026, 3, 19))
    engine.fire(cid, "receive_complaint", on=date(2026, 3, 20), reason="再次举报")
    refused_everywhere(engine, db, cid, "approve", date(2026, 3, 23),
                       match="complaint was received on 2026-03-20")
    engine.fire(cid, "county_home_visit", on=date(2026, 3, 24))
    assert engine.fire(cid, "approve", on=date(2026, 3, 25)).state == "approved"


def test_without_separate_registration_or_complaint_no_visit_is_needed(engine):
    """第20条 names two cases only; any other application is decided on the township's file."""
    cid = to_county(engine, amount=900)
    assert engine.fire(cid, "approve", on=date(2026, 3, 20)).state == "approved"


def test_tianjin_confirms_at_township_level_without_the_county_steps(engine):
    """津民发〔2023〕13号 四(一): the township confirms, so the county's visit and complaint steps
    (57号 第20条) are not in 天津's procedure."""
    events = engine.workflow("tianjin", "dibao").events
    assert "county_home_visit" not in events and "receive_complaint" not in events
    assert "request_materials" in events
    case = engine.open_case(province="tianjin", on=OPENED)
    engine.fire(case.id, "accept", on=OPENED)
    with pytest.raises(InvalidInput, match="receive_complaint"):
        engine.fire(case.id, "receive_complaint", on=date(2026, 3, 3))


@pytest.mark.parametrize(("listed", "said"), [
    ("[]", "lists no material"),
    ('[""]', "has a blank item"),
    ('["户口簿", " "]', "has a blank item"),
    ("、", "lists no material"),
])
def test_a_notice_listing_an_empty_list_or_a_blank_item_is_refused(engine, db, listed, said):
    """Found by review: `--set 'missing_materials=[]'` passed, and used up the one notice
    第10条 allows without telling the applicant anything."""
    case = engine.open_case(province="shanxi", on=OPENED)
    line = refused_everywhere(engine, db, case.id, "request_materials", OPENED,
                              payload={"missing_materials": listed}, match=said.split()[0])
    assert f"missing_materials {said}" in line and "57号 第10条" in line
    view = engine.fire(case.id, "request_materials", on=OPENED,
                       payload={"missing_materials": '["户口簿", "身份证"]'})
    assert view.case.attributes["missing_materials"] == '["户口簿", "身份证"]'
