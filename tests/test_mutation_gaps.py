"""Gaps found by a second mutation pass (notices, application place, county parameters,
临时救助, periods and calendar overlays, payments, import, reports, guards, CLI): each test
fails on one mutant of the code that the rest of the suite let pass.

The style is tests/test_rule_boundaries.py's: the clause quoted where a rule decides, every
date counted by hand on the official calendar (2026: 国办发明电〔2025〕7号 — 元旦 1/1–1/3 off,
1/4 Sun worked; 春节 2/15–2/23 off, 2/14 and 2/28 Sat worked; 清明 4/4–4/6; 劳动节 5/1–5/5
off, 5/9 Sat worked; 端午 6/19–6/21; 中秋 9/25–9/27; 国庆 10/1–10/7 off, 9/20 Sun and 10/10
Sat worked), or for 2027 on its projection from 《全国年节及纪念日放假办法》 (provisional).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from engine import Engine, EventRefused, InvalidInput, PluginError
from engine.calendar import PROJECTION_BASIS, national_calendar
from engine.cli.bulk import count_lines
from engine.cli.options import emit
from engine.notices import publicity_notice, render_text
from engine.periods import due_date, explain
from engine.registry import get_registry
from helpers import by_rule, error_line, run

# -- notices (engine/notices.py) ---------------------------------------------------------------

HOUSEHOLD = {"county": "阳曲县", "village": "大盂村", "applicant_name": "王五",
             "household_size": 3, "amount": 650}


def to_publicity(engine, attributes, posted_on, payload=None, case_id=None, province="shanxi"):
    """A case opened a week before ``posted_on`` (a Monday), its 公示 posted that day: 受理 Tue,
    调查 Wed, 提请核对 Thu, 核对 Fri, 公示 Mon."""
    opened = posted_on - timedelta(7)
    view = engine.open_case(province=province, on=opened, attributes=attributes,
                            case_id=case_id)
    for days, event in enumerate(["accept", "start_investigation", "request_verification",
                                  "start_verification"], start=1):
        engine.fire(view.id, event, on=opened + timedelta(days))
    engine.fire(view.id, "post_publicity", on=posted_on, payload=payload or {})
    return view.id


def publicity_text(engine, case_id):
    channels = engine.registry.workflow("shanxi", "dibao").parameters["publicity_channels"].value
    return render_text(publicity_notice(engine.case(case_id), channels))


def test_the_publicity_shows_the_amount_proposed_on_the_posting_itself(engine):
    """民发〔2021〕57号 第19条: the township's 初审意见 is what is posted. An amount given on the
    post_publicity event itself (650 on opening, 720 proposed when posting) is the one shown."""
    cid = to_publicity(engine, HOUSEHOLD, date(2026, 3, 9), {"amount": 720})
    text = publicity_text(engine, cid)
    assert "初审意见：拟同意纳入最低生活保障，保障金额每月720元\n" in text
    assert "650" not in text


def test_a_second_publicity_after_an_objection_is_the_one_shown(engine):
    """57号 第19条: an objection sends the case back to investigation; a township that posts its
    new 初审意见 again shows that one. First 公示 Mon 3/9 (to 3/16); objection Wed 3/11; new
    公示 Mon 3/23 with amount 700: 3/24 (1) … 3/30 Mon (7), a working day → 2026-03-30."""
    cid = to_publicity(engine, HOUSEHOLD, date(2026, 3, 9))
    for event, day, payload in [("raise_objection", 11, {}), ("request_verification", 16, {}),
                                ("start_verification", 17, {}),
                                ("post_publicity", 23, {"amount": 700})]:
        engine.fire(cid, event, on=date(2026, 3, day), payload=payload)
    notice = publicity_notice(engine.case(cid))
    assert (notice.posted_on, notice.last_day) == (date(2026, 3, 23), date(2026, 3, 30))
    assert notice.household.amount == "700"
    assert "公示期：2026年3月23日至2026年3月30日（7天，自张贴次日起算）" in render_text(notice)


def test_a_publicity_ending_in_a_projected_year_says_its_last_day_is_provisional(tmp_path):
    """calendar.md: a date counted into a year without its notice is provisional, "marked so
    wherever it is shown". Posted Mon 2026-12-28: 12/29 (1) … 2027-01-04 Mon (7); 2027 is a
    projection (元旦 Fri 1/1 off, 1/2–1/3 the weekend), so the last day 2027-01-04 is
    provisional and the notice says so."""
    engine = Engine.open(str(tmp_path / "late.db"), today=lambda: date(2027, 1, 31))
    cid = to_publicity(engine, HOUSEHOLD, date(2026, 12, 28))
    notice = publicity_notice(engine.case(cid))
    assert (notice.last_day, notice.provisional) == (date(2027, 1, 4), True)
    assert ("公示期：2026年12月28日至2027年1月4日（7天，自张贴次日起算）"
            "；末日按推算的节假日安排计算，以当年国务院办公厅放假通知为准\n") in render_text(notice)


def test_the_publication_lists_a_place_s_households_in_the_order_confirmed(engine):
    """Engine.publication: "within a place, in the order of confirmation, then case id".
    Two households of 大盂村: SX-B confirmed Tue 3/17, SX-A (the lower id) confirmed Tue 3/24
    (its 公示 3/16–3/23): SX-B is listed first."""
    late = to_publicity(engine, {**HOUSEHOLD, "applicant_name": "孙八", "delegated": True},
                        date(2026, 3, 16), case_id="SX-A")
    early = to_publicity(engine, {**HOUSEHOLD, "delegated": True}, date(2026, 3, 9),
                         case_id="SX-B")
    engine.fire(early, "approve", on=date(2026, 3, 17))
    engine.fire(late, "approve", on=date(2026, 3, 24))
    as_of = date(2026, 3, 24)
    notice = engine.publication("阳曲县", as_of)
    [(place, households)] = notice.places
    assert (place, [h.applicant_name for h in households]) == ("大盂村", ["王五", "孙八"])



def test_two_villages_of_one_name_under_two_townships_are_two_places(engine):
    """The 公布 is posted in each household's own village (民发〔2021〕57号 第24条): two villages
    named 新村 in 阳曲县, one under 黄寨镇 and one under 泥屯镇, are two places, each listing only
    its own household (a household of 大盂村 stays under the name alone). Grouped by the name
    alone, each 新村 was shown the other's household."""
    places = [("新村", "黄寨镇人民政府", "甲一"), ("新村", "泥屯镇人民政府", "乙二"),
              ("大盂村", "黄寨镇人民政府", "丙三")]
    for n, (village, office, name) in enumerate(places):
        case_id = to_publicity(engine, {**HOUSEHOLD, "delegated": True, "village": village,
                                        "office_name": office, "applicant_name": name},
                               date(2026, 3, 9), case_id=f"V{n}")
        engine.fire(case_id, "approve", on=date(2026, 3, 17))
    as_of = date(2026, 3, 17)
    notice = engine.publication("阳曲县", as_of)
    assert [(place, [h.applicant_name for h in households])
            for place, households in notice.places] == [
        ("大盂村", ["丙三"]), ("新村（泥屯镇人民政府）", ["乙二"]), ("新村（黄寨镇人民政府）", ["甲一"])]

# -- county parameters (engine/local_parameters.py) --------------------------------------------

SINGLE = {"standard": 900, "applicant": "m1", "single_person": True,
          "members": [{"id": "m1", "age": 40, "disability": {"grade": 1, "type": "physical"}}],
          "support": [{"to": "m1", "relation": "parent", "giver_age": 60, "amount": 400}]}


def test_a_county_may_set_a_parameter_at_the_low_end_of_its_bounds(engine):
    """江苏征求意见稿 一(四): support from siblings or elderly aged 60 and over "可以视情适当豁免"; a
    county may exempt all of it: share 0, the low end of its bounds (0–1), is accepted, and a
    parent aged 60 paying 400 a month is counted 0. 一(五) "由当地确定，最长不超过6个月": one
    month, the low end of 1–6, is accepted too."""
    engine.set_parameter("jiangsu_draft", "昆山市", "single_support_counted_share", 0,
                         "昆山市民政局〔2026〕4号", date(2026, 1, 5))
    engine.set_parameter("jiangsu_draft", "昆山市", "phase_out_months_high_income", 1,
                         "昆山市民政局〔2026〕5号", date(2026, 1, 5), workflow="benefit")
    result = engine.assess("jiangsu_draft", SINGLE, county="昆山市")
    assert [s.counted for s in result.steps if s.rule == "support"] == [0]
    assert engine.workflow("jiangsu_draft", "benefit", "昆山市").parameters[
        "phase_out_months_high_income"].value == 1


def test_removing_a_county_parameter_needs_a_basis_that_is_not_blank(engine):
    """rules.md §5: each parameter "has … a citation". A county's own value returned to the
    province's is decided by a document too: a basis of spaces is refused, nothing recorded."""
    engine.set_parameter("jiangsu_draft", "昆山市", "single_support_counted_share", 0.5,
                         "昆山市民政局〔2026〕4号", date(2026, 1, 5))
    with pytest.raises(InvalidInput, match="needs its basis"):
        engine.set_parameter("jiangsu_draft", "昆山市", "single_support_counted_share", None,
                             "   ", date(2026, 2, 5))
    assert len(engine.parameter_settings(in_force=False)) == 1


# -- 临时救助 (engine/default_temporary.py, workflows/temporary.toml) ---------------------------

DISASTER_FLOOR = '''
from engine import Parameter

@hookimpl
def doudi_parameters(province, workflow):
    if province == "hainan" and workflow == "temporary":
        return [Parameter("disaster_months_per_person", [1, 3], "琼民规〔2099〕1号 二")]
'''


def test_disaster_aid_of_exactly_the_floor_is_paid(install, tmp_path):
    """default_temporary: aid to disaster victims is "at most high × standard × persons (and at
    least low × standard × persons)". 海南 (a test plugin) sets 1–3 months: standard 1000, 2
    persons → at least 2000. 2000 is paid; 1999.99 is refused."""
    install(DISASTER_FLOOR)
    engine = Engine.open(str(tmp_path / "floor.db"))
    case = engine.open_case(province="hainan", workflow="temporary", on=date(2026, 9, 28),
                            attributes={"category": "disaster", "standard": 1000, "persons": 2})
    with pytest.raises(EventRefused, match="below 1 months × the standard 1000 × 2 persons"):
        engine.fire(case.id, "pay_urgent", on=date(2026, 9, 28),
                    payload={"amount": 1999.99, "reason": "台风"})
    view = engine.fire(case.id, "pay_urgent", on=date(2026, 9, 28),
                       payload={"amount": 2000, "reason": "台风"})
    assert view.state == "urgent_paid"


def test_tianjin_disaster_aid_records_its_cap_as_3_months(engine):
    """津民发〔2023〕13号 二(二): "每人救助标准不超过3个月本市城乡居民最低生活保障标准". Standard
    1010, 2 persons: the recorded basis reads 不超过3个月 × 1010 × 2 = 6060 (not the range's
    low end, 0 months)."""
    case = engine.open_case(province="tianjin", workflow="temporary", on=date(2026, 9, 28),
                            attributes={"category": "disaster", "standard": 1010, "persons": 2})
    view = engine.fire(case.id, "pay_urgent", on=date(2026, 9, 28),
                       payload={"amount": 5000, "reason": "水灾"})
    assert view.case.attributes["amount_basis"] == (
        "津民发〔2023〕13号 二(二)（每人救助标准不超过3个月本市城乡居民最低生活保障标准）："
        "不超过3个月 × 低保标准1010元 × 2人 = 6060元")


def test_a_range_whose_low_end_is_above_its_high_end_is_a_plugin_error(install, tmp_path):
    """default_temporary: a range is "[low, high] months with 0 ≤ low ≤ high". 海南 (a test
    plugin) gives [3, 1]: refused as a bad parameter, not judged as a cap below its floor."""
    install(DISASTER_FLOOR.replace("[1, 3]", "[3, 1]"))
    engine = Engine.open(str(tmp_path / "reversed.db"))
    case = engine.open_case(province="hainan", workflow="temporary", on=date(2026, 9, 28),
                            attributes={"category": "disaster", "standard": 1000, "persons": 1})
    with pytest.raises(InvalidInput, match=r"disaster_months_per_person is \[3, 1\]"):
        engine.fire(case.id, "pay_urgent", on=date(2026, 9, 28),
                    payload={"amount": 2000, "reason": "台风"})


def test_the_amount_registered_later_is_checked_against_a_computed_grant(engine):
    """江苏征求意见稿 二(二): "登记救助对象、救助事由、救助金额". A one-time grant of 3 months × the
    standard 900 = 2700 (二(一): "3-6个月的低保标准"), paid without an amount given: the
    补齐手续 registering 2000 is refused; 2700 completes it."""
    case = engine.open_case(province="jiangsu_draft", workflow="temporary", on=date(2026, 9, 28),
                            attributes={"category": "unemployed", "months_without_income": 3,
                                        "standard": 900})
    engine.fire(case.id, "pay_urgent", on=date(2026, 9, 28),
                payload={"months": 3, "reason": "失业"})
    formalities = {"subject": "张某", "reason": "失业", "signed": True}
    with pytest.raises(EventRefused, match=r"registered amount 2000 is not the amount paid .*2700"):
        engine.fire(case.id, "complete_formalities", on=date(2026, 10, 9),
                    payload={**formalities, "amount": 2000})
    view = engine.fire(case.id, "complete_formalities", on=date(2026, 10, 9),
                       payload={**formalities, "amount": 2700})
    assert view.state == "completed"


def test_an_expenditure_type_applicant_may_withdraw_during_the_publicity(engine):
    """民发〔2018〕23号 二(二): 支出型 follows the ordinary procedure, in which the applicant may
    withdraw until the decision. Publicized Mon 3/9 (its 7 days to 3/16), withdrawn Wed 3/11."""
    case = engine.open_case(province="shanxi", workflow="temporary", on=date(2026, 3, 2),
                            attributes={"category": "other"})
    for event, day in [("accept", 3), ("start_investigation", 4), ("verify", 5),
                       ("post_publicity", 9), ("withdraw", 11)]:
        view = engine.fire(case.id, event, on=date(2026, 3, day))
    assert view.state == "withdrawn"


def test_disaster_aid_is_for_at_least_one_person(engine):
    """津民发〔2023〕13号 二(二): "每人救助标准不超过3个月…": the cap is per person, so a grant for
    0 persons (a cap of 0) is bad input, not a case to record."""
    with pytest.raises(InvalidInput, match="persons"):
        engine.open_case(province="tianjin", workflow="temporary", on=date(2026, 9, 28),
                         attributes={"category": "disaster", "standard": 1010, "persons": 0})


# -- the calendar and its overlays (engine/calendar.py, engine/periods.py, registry) ------------

COUNTY_OVERLAY = '''
from datetime import date
from engine import CalendarOverlay

@hookimpl
def doudi_calendar_overlays(province, county):
    if province == "hainan":
        return [CalendarOverlay("甲县人民政府关于三月三放假的通知（测试）",
                                days_off=[(date(2026, 4, 20), "三月三")], county="甲县")]
'''


def test_a_county_s_day_off_is_not_another_county_s(install):
    """calendar.md: "a province or county can add local days off (e.g. ethnic autonomous
    areas)". 甲县 of 海南 (a test plugin) is off on Mon 4/20: 1 working day from Fri 4/17 is
    Tue 4/21 there, but Mon 4/20 in 乙县 and in the province as a whole."""
    install(COUNTY_OVERLAY)
    registry = get_registry()
    start = date(2026, 4, 17)
    assert due_date(registry.calendar("hainan", "甲县"), start, "1wd").due == date(2026, 4, 21)
    assert due_date(registry.calendar("hainan", "乙县"), start, "1wd").due == date(2026, 4, 20)
    assert due_date(registry.calendar("hainan"), start, "1wd").due == date(2026, 4, 20)


def test_working_days_counted_in_a_projected_year_cite_the_projection():
    """calendar.md: a count running into a year without its notice is provisional and says
    so. 3 working days from Mon 2027-03-01 (3/2, 3/3, 3/4: no holiday) → 2027-03-04, counted
    on 《全国年节及纪念日放假办法》's projection, which its basis names."""
    found = due_date(national_calendar(), date(2027, 3, 1), "3wd")
    assert (found.due, found.provisional) == (date(2027, 3, 4), True)
    assert found.basis.endswith("；工作日依" + PROJECTION_BASIS)


def test_the_first_day_of_a_projected_year_is_provisional():
    """calendar.md: 2027 has no notice: every day of it is projected, 1 January included
    (元旦 Fri 2027-01-01), while Thursday 24 December 2026 is on the official record. (Changed
    with late-December provisionality: this compared 31 December 2026, which the 2027 notice
    can still change, as the 2019 notice did 2018-12-31.)"""
    calendar = national_calendar()
    first, last = calendar.day_info(date(2027, 1, 1)), calendar.day_info(date(2026, 12, 24))
    assert (first.working, first.provisional) == (False, True)
    assert (last.working, last.provisional) == (True, False)
    assert calendar.day_info(date(2026, 12, 31)).provisional


def test_explain_lists_the_days_a_period_is_moved_across():
    """《民法典》第203条: a period whose last day is a day off ends on the next working day. 7 days
    from Mon 2026-09-28 end on Mon 10/5, in 国庆 (10/1–10/7 off): moved across 10/6 and 10/7
    to Thu 10/8, and the derivation shows each day."""
    lines = explain(national_calendar(), date(2026, 9, 28), "7d")
    moved = lines.index("  期间最后一日 2026-10-05 不是工作日，顺延至其后第一个工作日（《民法典》第203条）：")
    assert [line.split()[0] for line in lines[moved + 1:moved + 4]] == [
        "2026-10-06", "2026-10-07", "2026-10-08"]
    assert lines[-1] == "到期日 2026-10-08（当日24时止，《民法典》第203条）"


# -- import and payments (engine/importer.py, engine/payments.py) ------------------------------

GENEROUS_PHASE_OUT = '''
from engine import Parameter

@hookimpl
def doudi_parameters(province, workflow):
    if province == "hainan" and workflow == "benefit":
        return [Parameter("phase_out", [1.0, 1.2], "琼民规〔2099〕1号 一(五)")]
'''


def test_a_phase_out_never_pays_more_than_the_previous_benefit(install, tmp_path):
    """民发〔2022〕83号 渐退: a share of the benefit already paid, never more. 海南 (a test plugin)
    gives the shares [1.0, 1.2]: the phase-out is refused, nothing recorded — as the plugin's
    mistake (exit 1, naming its parameter's clause), not as the clerk's bad input (exit 2)."""
    install(GENEROUS_PHASE_OUT)
    engine = Engine.open(str(tmp_path / "phase.db"))
    case = engine.open_case(province="hainan", workflow="benefit", on=date(2026, 1, 5),
                            attributes={"amount": 600, "paid_from": "2026-01"})
    with pytest.raises(PluginError, match=r"parameter 'phase_out' \(琼民规〔2099〕1号 一\(五\)\): "
                                          r"PhaseOut shares: expected .* from 0 to 1"):
        engine.fire(case.id, "income_exceeds", on=date(2026, 4, 10),
                    payload={"per_capita_income": 1100, "standard": 1000})
    assert engine.case(case.id).state == "paying"


def test_an_id_opened_twice_in_one_batch_skips_the_second_line(engine):
    """Import: "a bad line is skipped by not applying it" (--skip-invalid). Two lines of one
    batch open case C1: the second is refused (the case already exists) and skipped, and
    the rest of the batch is written."""
    lines = [json.dumps({"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C1"}),
             json.dumps({"op": "open", "province": "tianjin", "on": "2026-03-02", "id": "C1"}),
             json.dumps({"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03"})]
    result = engine.import_lines(lines, skip_invalid=True)
    assert (result.events, result.skipped) == (2, [(2, "case C1 already exists")])
    assert (engine.store.case("C1").province, engine.store.case("C1").state) == \
        ("shanxi", "accepted")


# -- reports (engine/store.py, engine/reports.py) ----------------------------------------------


def confirmed_on_17th(engine, province="tianjin"):
    """A delegated case: 受理 Mon 3/2, 公示 posted Mon 3/9 (7 days to 3/16), approved Tue 3/17."""
    case = engine.open_case(province=province, on=date(2026, 3, 2),
                            attributes={"county": "城区", "delegated": True})
    for event, day in [("accept", 2), ("start_investigation", 3), ("request_verification", 4),
                       ("start_verification", 5), ("post_publicity", 9), ("approve", 17)]:
        engine.fire(case.id, event, on=date(2026, 3, day),
                    payload={"amount": 650} if event == "approve" else None)
    return case.id


def test_a_case_confirmed_on_the_as_of_date_is_already_unpublished(tmp_path):
    """民发〔2021〕57号 第24条: "低保审核确认完毕后…应当…公布". report unpublished judges the events
    "dated on or before" --as-of: confirmed Tue 3/17, as of 3/17 it waits, 0 days."""
    engine = Engine.open(str(tmp_path / "u.db"), today=lambda: date(2026, 4, 1))
    cid = confirmed_on_17th(engine)
    assert [(r["case_id"], r["approved_on"], r["days"])
            for r in engine.unpublished(as_of=date(2026, 3, 17))] == [(cid, "2026-03-17", 0)]


def test_a_case_published_on_the_as_of_date_is_no_longer_unpublished(tmp_path):
    """57号 第24条: confirmed Tue 3/17, its 公布 recorded Wed 3/18, the confirmation's amount
    corrected on Fri 3/20. As of 3/18 it is published (the events dated on or before it
    count); as of 3/17 it was waiting."""
    engine = Engine.open(str(tmp_path / "u.db"), today=lambda: date(2026, 4, 1))
    cid = confirmed_on_17th(engine)
    engine.fire(cid, "publish", on=date(2026, 3, 18))
    engine.correct(cid, 6, on=date(2026, 3, 20), reason="金额录错", payload={"amount": 660})
    assert engine.unpublished(as_of=date(2026, 3, 18)) == []
    assert [r["case_id"] for r in engine.unpublished(as_of=date(2026, 3, 17))] == [cid]


def test_a_household_without_its_size_counts_as_one_recipient(engine):
    """津民发〔2023〕13号 五(四): "低保群众超过200人的" 村（社区）建立社会救助服务站（点）. 新村: a
    household of 200 and one whose size is not recorded, which counts as one person: 201 >
    200, listed."""
    for size in (200, None):
        attributes = {"amount": 900, "paid_from": "2026-02", "county": "河西区", "village": "新村"}
        if size is not None:
            attributes["household_size"] = size
        engine.open_case(province="tianjin", workflow="benefit", on=date(2026, 1, 5),
                         attributes=attributes)
    [row] = engine.service_stations()
    assert (row["village"], row["households"], row["recipients"]) == ("新村", 2, 201)


WEEK_OFF = '''
from datetime import date
from engine import CalendarOverlay

@hookimpl
def doudi_calendar_overlays(province, county):
    if province == "hainan":
        return [CalendarOverlay("甲县人民政府关于三月三放假的通知（测试）",
                                days_off=[(date(2026, 4, d), "三月三") for d in range(20, 25)],
                                county="甲县")]
'''


def test_at_risk_counts_the_window_on_the_county_s_own_calendar(install, tmp_path):
    """57号 第15条: the investigation starts within 3 working days of 受理. 甲县 of 海南 (a test
    plugin) is off Mon 4/20 – Fri 4/24. Accepted Thu 4/16: 4/17 Fri (1), 4/27 Mon (2), 4/28
    Tue (3) → due 2026-04-28. As of Fri 4/17 it is 2 of 甲县's working days away (4/27,
    4/28): at risk within 3, though 7 national working days away."""
    install(WEEK_OFF)
    engine = Engine.open(str(tmp_path / "county.db"))
    case = engine.open_case(province="hainan", on=date(2026, 4, 16),
                            attributes={"county": "甲县"})
    view = engine.fire(case.id, "accept", on=date(2026, 4, 16))
    assert by_rule(view)["investigation_start"].deadline.due_on == date(2026, 4, 28)
    risks = engine.at_risk(as_of=date(2026, 4, 17), within=3)
    assert [(b.case.id, b.view.deadline.rule) for b in risks] == \
        [(case.id, "investigation_start")]


# -- guards (engine/default_guards.py) ---------------------------------------------------------


def test_a_channel_list_with_a_space_after_its_comma_is_allowed(engine):
    """江苏征求意见稿 四(二): "有条件的地区可以通过网上公示等". --set channel=村（社区）, 网上 (a space
    after the comma, as typed) names two channels the province allows: posted, and online."""
    case = engine.open_case(province="jiangsu_draft", on=date(2026, 3, 2))
    for event, day in [("accept", 3), ("start_investigation", 4), ("request_verification", 5),
                       ("start_verification", 6)]:
        engine.fire(case.id, event, on=date(2026, 3, day))
    view = engine.fire(case.id, "post_publicity", on=date(2026, 3, 9),
                       payload={"channel": "村（社区）, 网上"})
    assert view.state == "in_publicity"
    assert publicity_notice(view).online is True


# -- monitoring (workflows/monitoring.toml) and the CLI ----------------------------------------


def test_a_comparison_cannot_flag_fewer_than_no_one(engine):
    """monitoring.toml: flagged is "筛查出存在风险的低收入人口数", a count: −1 is bad input and
    nothing is recorded."""
    case = engine.open_case(province="tianjin", workflow="monitoring", on=date(2026, 1, 5),
                            attributes={"level": "县级"})
    with pytest.raises(InvalidInput, match="flagged"):
        engine.fire(case.id, "compare_data", on=date(2026, 2, 10), payload={"flagged": -1})
    assert len(engine.case(case.id).history) == 1


def test_a_township_is_not_a_level_of_civil_affairs_that_compares_data(engine):
    """山西 三(四), 天津 三(三): the comparisons are run by the 民政部门 of a level — 省级, 市级 or
    县级; a township (乡级) has none: refused as bad input."""
    with pytest.raises(InvalidInput, match="level"):
        engine.open_case(province="tianjin", workflow="monitoring", on=date(2026, 1, 5),
                         attributes={"level": "乡级"})


def test_report_at_risk_warns_3_working_days_ahead_by_default(db):
    """contract.md: at_risk is "running, due within the warning window"; the CLI's window is 3
    working days unless --within says otherwise. 山西, submitted to the county Tue 3/17:
    county_confirmation (57号 第20条, 10 working days) is due Tue 3/31 (3/18 … 3/31). As of
    Wed 3/25 it is 4 working days away (3/26, 3/27, 3/30, 3/31): not listed; as of Thu 3/26,
    3 away: listed."""
    engine = Engine.open(db)
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2))
    for event, day in [("accept", 3), ("start_investigation", 4), ("request_verification", 5),
                       ("start_verification", 6), ("post_publicity", 9),
                       ("submit_to_county", 17)]:
        engine.fire(case.id, event, on=date(2026, 3, day))

    def listed(as_of):
        result = run(db, "report", "at-risk", "--as-of", as_of, "--format", "json")
        assert result.exit_code == 0, result.output
        return [(r["rule"], r["due_on"]) for r in json.loads(result.stdout)]

    assert ("county_confirmation", "2026-03-31") not in listed("2026-03-25")
    assert ("county_confirmation", "2026-03-31") in listed("2026-03-26")


def test_a_publication_as_of_the_day_the_county_s_first_case_opened_is_empty_not_refused(db):
    """notice publication --as-of: the cases "opened by" that date count, the day itself
    included. 阳曲县's only case, opened Mon 3/2: as of 3/2 the notice says no household is
    confirmed yet (it is not refused as a county without cases)."""
    Engine.open(db).open_case(province="shanxi", on=date(2026, 3, 2),
                              attributes={"county": "阳曲县", "applicant_name": "王五"})
    result = run(db, "notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert "截至2026年3月2日，阳曲县无经审核确认纳入最低生活保障的家庭。" in result.stdout


def breached_in(engine, county):
    """山西, accepted Mon 3/2, no investigation by Thu 3/5 (57号 第15条, 3 working days):
    breached by 2 working days (3/6, 3/9) on Mon 3/9."""
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2), attributes={"county": county})
    engine.fire(case.id, "accept", on=date(2026, 3, 2))
    return case.id


def test_csv_quotes_text_starting_with_a_minus_sign(db):
    """A county typed as -1+2 would run in a spreadsheet as a formula (like =, + and @): the
    CSV report gives it with a leading '."""
    cid = breached_in(Engine.open(db), "-1+2")
    result = run(db, "report", "breaches", "--as-of", "2026-03-09", "--format", "csv")
    rows = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["case_id"] == cid]
    assert {r["county"] for r in rows} == {"'-1+2"}


def test_table_shows_a_flag_as_yes_or_no(db):
    """The table format writes true/false as yes/no: the 2026 breach is not provisional (its
    year has its notice), so its provisional column says no."""
    breached_in(Engine.open(db), "阳曲县")
    result = run(db, "report", "breaches", "--as-of", "2026-03-09")
    assert result.exit_code == 0, result.output
    header, _, row = result.stdout.splitlines()[:3]
    assert header.split()[-1] == "provisional" and row.split()[-1] == "no"


def test_the_import_bar_counts_a_last_line_without_its_newline(tmp_path):
    """doudi import's progress bar is sized by count_lines: a file whose last line has no
    newline still has that line (3 lines, 2 newlines)."""
    path = tmp_path / "three.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": 2}\n{"a": 3}')
    assert count_lines(str(path)) == 3
    path.write_bytes(b'{"a": 1}\n{"a": 2}\n{"a": 3}\n')
    assert count_lines(str(path)) == 3


def test_a_command_given_text_that_is_not_utf8_is_a_usage_error(db):
    """contract.md: "Errors: one line on stderr naming what was wrong, exit status 1 (domain)
    or 2 (usage)". A case id that is not UTF-8 (a lone surrogate, as bytes that are not UTF-8
    reach Python) is bad usage: exit 2."""
    Engine.open(db).open_case(province="shanxi", on=date(2026, 3, 2))
    result = run(db, "case", "show", "\udc80")
    assert (result.exit_code, result.stdout) == (2, "")
    assert error_line(result) == "Error: '\\udc80' is not valid UTF-8 text"


def test_table_columns_line_up_under_chinese_text(capsys):
    """The table format pads each column to its widest cell; a Chinese character takes two
    columns of a terminal: 王五六七 is 8 wide, so the header's second column starts at 11."""
    emit([{"name": "王五六七", "size": 3}], "table", ["name", "size"])
    assert capsys.readouterr().out.splitlines() == [
        "name      size", "--------  ----", "王五六七  3"]
