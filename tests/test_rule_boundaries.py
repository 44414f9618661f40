"""Each rule at its boundary: an age of exactly 60, 70 or 80, a grade 3, one fen below a floor, the
day a period ends, the other branch of a rule.

Found by mutation testing: the rules' tests checked them away from the boundary (an age of 65,
a grade 4), so a wrong comparison (``>`` for ``>=``) or a dropped branch passed them all. In
the notices "以上" and "及以上" include the number itself (《民法典》第1259条: "民法所称的
'以上'……包括本数"). Every date is counted by hand on the official calendar (2026:
国办发明电〔2025〕7号) or, for 2027, on its projection from 《全国年节及纪念日放假办法》.
"""

from __future__ import annotations

from datetime import date

import pytest

from engine import Engine, EventRefused
from engine.calendar import national_calendar, projected_days_off
from engine.periods import due_date
from helpers import by_rule

DRAFT = "江苏征求意见稿"


def counted(result, rule):
    """What each assessment step of ``rule`` counted."""
    return [s.counted for s in result.steps if s.rule == rule]


# A 单人户 (单人保) applicant: adult, unemployed, grade-1 physical disability (重度 everywhere).
SINGLE = {"standard": 900, "applicant": "m1", "single_person": True,
          "members": [{"id": "m1", "age": 40, "disability": {"grade": 1, "type": "physical"}}]}


def single(support=(), **member):
    return {**SINGLE, "members": [{**SINGLE["members"][0], **member}], "support": list(support)}


def from_parent(age, amount, **more):
    return {"to": "m1", "relation": "parent", "giver_age": age, "amount": amount, **more}


# -- "成年": 18 (《民法典》第17条 "十八周岁以上的自然人为成年人") --------------------------------------

@pytest.mark.parametrize(("province", "clause"), [
    # "成年无业重度残疾人可以参照“单人户”提出低保申请"
    ("shanxi", "晋民发〔2023〕31号 一(二)"),
    # "成年无业重度残疾人（持有中华人民共和国残疾人证的一级、二级重度残疾人……）可以参照“单人户”提出低保申请"
    ("tianjin", "津民发〔2023〕13号 一(一)"),
    # "成年无业的一、二级残疾人和三级精神、三级智力残疾人，可以参照“单人户”提出低保申请"
    ("jiangsu_draft", f"{DRAFT} 一(四)"),
])
def test_a_single_person_household_is_for_someone_of_18_not_17(engine, province, clause):
    """An unemployed grade-1 disabled applicant of exactly 18 is an adult and applies as a
    单人户 (the step cites the clause; no income, so 低保); at 17 the request is refused."""
    result = engine.assess(province, single(age=18))
    assert [(s.rule, s.citation) for s in result.steps if s.rule == "single_person"] == [
        ("single_person", clause)]
    assert result.classification == "dibao"
    with pytest.raises(EventRefused, match="applicant m1 cannot apply as a single-person household"):
        engine.assess(province, single(age=17))


@pytest.mark.parametrize(("province", "clause"), [
    # "成年无业重度残疾人（持有中华人民共和国残疾人证的一级、二级重度残疾人和三级智力残疾人、三级精神残疾人）"
    ("tianjin", "津民发〔2023〕13号 一(一)"),
    # "成年无业的一、二级残疾人和三级精神、三级智力残疾人，可以参照“单人户”提出低保申请"
    ("jiangsu_draft", f"{DRAFT} 一(四)"),
])
def test_grade_3_intellectual_and_mental_disability_admit_a_single_person_household(
        engine, province, clause):
    """Grade 3 admits the 单人户 for an intellectual or a mental disability alone: an adult of
    40 without work, grade 3 intellectual or mental, is assessed alone (低保, no income); grade
    3 physical is refused, and so is grade 4 intellectual or mental, the mildest grade, which
    the clause does not name (a "grade 3 or milder" reading passed every test before)."""
    for kind in ("intellectual", "mental"):
        result = engine.assess(province, single(disability={"grade": 3, "type": kind}))
        assert [(s.rule, s.citation) for s in result.steps if s.rule == "single_person"] == [
            ("single_person", clause)], kind
        assert result.classification == "dibao", kind
    refusals = [{"grade": 3, "type": "physical"}, {"grade": 4, "type": "intellectual"},
                {"grade": 4, "type": "mental"}]
    for disability in refusals:
        with pytest.raises(EventRefused,
                           match="applicant m1 cannot apply as a single-person household"):
            engine.assess(province, single(disability=disability))


# -- ages: "60周岁以上", "70周岁以上", "80周岁及以上" ------------------------------------------------

def test_shanxi_support_from_a_giver_of_exactly_60_is_exempt(engine):
    """晋民发〔2023〕31号 一(二): "兄弟姐妹或者60周岁及以上老年人给付的供养费用予以豁免". A parent
    aged 60 pays 500: counted 0."""
    assert counted(engine.assess("shanxi", single([from_parent(60, 500)])), "support") == [0]


def test_shanxi_support_from_anyone_else_is_counted_in_full(engine):
    """晋民发〔2023〕31号 一(二): "兄弟姐妹或者60周岁及以上老年人给付的供养费用予以豁免；……其余收入按照
    山西省《最低生活保障对象审核确认办法》规定执行". The exemption names two givers only: a sibling
    of any age (here 25) and anyone aged 60 or more. A parent of 59 paying 500 and a child of 40
    paying 300 are neither, so both count in full, nationally cited: 500 + 300 = 800 a month,
    below the standard 900 (低保); the sibling's 400 counts 0 under the clause."""
    result = engine.assess("shanxi", single([
        from_parent(59, 500), {"to": "m1", "relation": "child", "giver_age": 40, "amount": 300},
        {"to": "m1", "relation": "sibling", "giver_age": 25, "amount": 400}]))
    assert counted(result, "support") == [500, 300, 0]
    citations = [s.citation for s in result.steps if s.rule == "support"]
    assert "晋民发" not in citations[0] and "晋民发" not in citations[1]
    assert citations[2].startswith("晋民发〔2023〕31号 一(二)")
    assert (result.countable_income, result.classification) == (800, "dibao")


def test_tianjin_support_from_a_giver_of_exactly_80_is_not_counted(engine):
    """津民发〔2023〕13号 一(一): "给付的供养费用可按70%的比例豁免，80周岁及以上老年人可不计算给付
    供养费用". A parent aged 80 pays 500: 0 (aged 79: 30 % counted, 150)."""
    assert counted(engine.assess("tianjin", single([from_parent(80, 500)])), "support") == [0]
    assert counted(engine.assess("tianjin", single([from_parent(79, 500)])), "support") == [150]


def test_tianjin_support_from_a_giver_of_exactly_60_is_70_percent_exempt(engine):
    """津民发〔2023〕13号 一(一): "依靠兄弟姐妹或者60周岁及以上老年人供养成年无业重度残疾人……给付的
    供养费用可按70%的比例豁免". A parent aged 60 pays 500: 30 % counted, 150 (aged 59, not a
    sibling: counted in full, 500)."""
    assert counted(engine.assess("tianjin", single([from_parent(60, 500)])), "support") == [150]
    assert counted(engine.assess("tianjin", single([from_parent(59, 500)])), "support") == [500]


def test_jiangsu_support_from_a_poor_giver_of_exactly_70_is_exempt(engine):
    """江苏征求意见稿 一(四): "对本人收入低于当地上年人均可支配收入的70周岁以上老年人应当给付的供养
    费用，直接予以豁免". A parent aged 70, below the local average, pays 400: 0."""
    household = single([from_parent(70, 400, giver_income_below_local_average=True)])
    assert counted(engine.assess("jiangsu_draft", household), "support") == [0]


def test_jiangsu_a_county_share_applies_to_a_giver_of_exactly_60(engine):
    """江苏征求意见稿 一(四): "兄弟姐妹或者60周岁及以上老年人，按规定应当给付的供养费用，可以视情适当
    豁免". 昆山市 counts half of it: a parent aged 60 pays 400, counted 200."""
    engine.set_parameter("jiangsu_draft", "昆山市", "single_support_counted_share", 0.5,
                         "昆山市民政局〔2026〕4号", date(2026, 1, 5))
    result = engine.assess("jiangsu_draft", single([from_parent(60, 400)]), county="昆山市")
    assert counted(result, "support") == [200]


def test_jiangsu_odd_jobs_of_someone_exactly_60_are_not_income(engine):
    """江苏征求意见稿 一(二): "60周岁以上老年人打零工……每月所得收入，不超过当地最低生活保障标准部分
    ……不计入家庭收入". Aged 60, 600 from odd jobs, standard 1000: nothing counted."""
    household = {"standard": 1000,
                 "members": [{"id": "a", "age": 60, "income": {"odd_job": 600}}]}
    assert engine.assess("jiangsu_draft", household).countable_income == 0


def test_jiangsu_single_person_benefit_is_for_adults(engine):
    """江苏征求意见稿 一(四): "成年无业的一、二级残疾人……可以参照'单人户'提出低保申请". Aged 17:
    refused."""
    with pytest.raises(EventRefused):
        engine.assess("jiangsu_draft", single(age=17))


# -- disability grades -------------------------------------------------------------------------

def test_shanxi_single_person_household_needs_a_severe_disability(engine):
    """晋民发〔2023〕31号 一(二): "成年无业重度残疾人可以参照'单人户'提出低保申请"; 重度 is grade 1
    or 2. Grade 3 physical: refused."""
    with pytest.raises(EventRefused):
        engine.assess("shanxi", single(disability={"grade": 3, "type": "physical"}))


def test_jiangsu_grade_3_physical_keeps_half_the_standard_of_its_wages(engine):
    """江苏征求意见稿 一(二): "其他三级、四级残疾人每月所得就业收入，不超过当地最低生活保障标准50%部分
    ……不计入家庭收入". Grade 3 physical, 800 wages, standard 1000: 500 disregarded, 300 counted
    (the tests had grade 4 only)."""
    household = {"standard": 1000, "members": [{
        "id": "a", "age": 40, "disability": {"grade": 3, "type": "physical"},
        "income": {"employment": 800}}]}
    assert counted(engine.assess("jiangsu_draft", household), "income:employment") == [300]


# -- amounts at their limits -------------------------------------------------------------------

def test_jiangsu_rigid_spending_takes_the_income_to_zero_not_below(engine):
    """江苏征求意见稿 一(二) 三是: "刚性支出，可在认定收入时予以适当扣除". Standard 1000, wages 200,
    rigid spending 300: 200 deducted, countable income 0, not −100."""
    household = {"standard": 1000, "rigid_spending": 300,
                 "members": [{"id": "a", "age": 30, "income": {"employment": 200}}]}
    result = engine.assess("jiangsu_draft", household)
    assert counted(result, "rigid_spending") == [-200]
    assert (result.countable_income, result.per_capita) == (0, 0)


def test_tianjin_single_person_counts_only_the_support_paid_to_the_applicant(engine):
    """津民发〔2023〕13号 一(一): "仅核算申请人本人的收入、财产和本人获得的供养费用". 500 a month paid
    to the applicant's mother (m2) is not the applicant's: nothing counted."""
    household = single([{"to": "m2", "relation": "child", "giver_age": 40, "amount": 500}])
    household["members"].append({"id": "m2", "age": 70})
    result = engine.assess("tianjin", household)
    assert (counted(result, "support"), result.countable_income) == ([], 0)


def test_jiangsu_a_care_vehicle_worth_exactly_the_local_limit_is_exempt(engine):
    """江苏征求意见稿 一(三): "实际价值较低的小型车辆，可不纳入车辆核定范围，具体车辆价值认定标准由
    当地结合实际制定". 昆山市 sets 50,000: a car worth exactly that is within it."""
    engine.set_parameter("jiangsu_draft", "昆山市", "care_vehicle_value_limit", 50000,
                         "昆山市民政局〔2026〕3号", date(2026, 1, 5))
    household = {"standard": 900, "members": [{"id": "m1", "age": 50, "seriously_ill": True}],
                 "property": [{"kind": "小型汽车", "value": 50000, "finding": "care_vehicle"}]}
    flags = engine.assess("jiangsu_draft", household, county="昆山市").flags
    assert [p["value"] for p in flags.get("property_exempt", [])] == [50000]


JS_SINGLE = {"standard": 900, "applicant": "m1", "single_person": True,
             "members": [{"id": "m1", "age": 34, "disability": {"grade": 1, "type": "physical"},
                          "income": {"other": 100}}]}
FAMILY = {"standard": 900, "members": [
    {"id": "a", "age": 40, "income": {"employment": 1200}}, {"id": "b", "age": 38},
    {"id": "c", "age": 9}]}


def publicized(engine, province, household):
    """A delegated case assessed on 3/6, its 公示 posted Mon 3/9 (7 days: 3/10 … 3/16)."""
    case = engine.open_case(province=province, on=date(2026, 3, 2), attributes={"delegated": True})
    for event, day, payload in [("accept", 3, {}), ("start_investigation", 4, {}),
                                ("assess", 6, {"household": household}),
                                ("request_verification", 6, {}), ("start_verification", 9, {}),
                                ("post_publicity", 9, {})]:
        engine.fire(case.id, event, on=date(2026, 3, day), payload=payload)
    return case.id


def test_jiangsu_minimum_benefit_one_fen_below_60_percent_is_refused_at_approval_and_later(
        engine):
    """江苏征求意见稿 一(四): "其本人每月按照不低于当地最低生活保障标准的60%发放保障金". Standard 900:
    at least 540.00. 539.99 is refused at approval and at a later re-check; 540 is approved."""
    cid = publicized(engine, "jiangsu_draft", JS_SINGLE)
    with pytest.raises(EventRefused, match="below the minimum benefit 540"):
        engine.fire(cid, "approve", on=date(2026, 3, 17), payload={"amount": 539.99})
    view = engine.fire(cid, "approve", on=date(2026, 3, 17), payload={"amount": 540})
    [benefit] = [x["case_id"] for x in view.links if x["relation"] == "benefit"]
    engine.fire(benefit, "review", on=date(2026, 6, 2), payload={"outcome": "raise", "amount": 800})
    with pytest.raises(EventRefused, match="below the minimum benefit 540"):
        engine.fire(benefit, "review", on=date(2026, 6, 3),
                    payload={"outcome": "reduce", "amount": 539.99})


@pytest.mark.parametrize(("standard", "allowance", "floor"), [
    (900.02, None, 540.02),  # 60 % is 540.012: 540.01 would be below it
    (900.09, None, 540.06),  # 540.054
    (900.01, None, 540.01),  # 540.006
    (900.05, None, 540.03),  # 540.03 exactly
    (900.02, 100.006, 800.02),  # 100 %: 900.02 − 100.006 = 800.014
])
def test_jiangsu_minimum_benefit_is_not_rounded_below_its_share_of_the_standard(
        engine, standard, allowance, floor):
    """江苏征求意见稿 一(四): "其本人每月按照不低于当地最低生活保障标准的60%发放保障金……领取的最低
    生活保障金和困难残疾人生活补贴之和不低于当地最低生活保障标准的100%". Paid in fen, the least amount
    not below 60 % of 900.02 (540.012) is 540.02: the floor was rounded half up to 540.01, so an
    approval of 540.01, 0.2 fen below the 60 %, passed. Rounded up to the fen, it holds."""
    member = {**JS_SINGLE["members"][0]}
    if allowance is not None:
        member["disability_allowance_amount"] = allowance
    result = engine.assess("jiangsu_draft", {**JS_SINGLE, "standard": standard,
                                             "members": [member]})
    assert result.flags["minimum_benefit"] == floor


def test_jiangsu_approval_one_fifth_of_a_fen_below_60_percent_is_refused(engine):
    """江苏征求意见稿 一(四) "不低于当地最低生活保障标准的60%": standard 900.02, 60 % is 540.012;
    540.01 is below it and refused, 540.02 approved."""
    cid = publicized(engine, "jiangsu_draft", {**JS_SINGLE, "standard": 900.02})
    with pytest.raises(EventRefused, match=r"below the minimum benefit 540\.02"):
        engine.fire(cid, "approve", on=date(2026, 3, 17), payload={"amount": 540.01})
    assert engine.fire(cid, "approve", on=date(2026, 3, 17),
                       payload={"amount": 540.02}).state == "approved"


def test_approving_two_of_a_household_of_three_is_refused(engine):
    """晋民发〔2023〕31号 四(一): "申请家庭符合条件的，不得仅将个别家庭成员纳入低保范围". Three members
    assessed (1200 / 3 = 400 a head, below 900): household_size 2 is refused (tests had 1)."""
    cid = publicized(engine, "shanxi", FAMILY)
    with pytest.raises(EventRefused, match="household_size 2: "):
        engine.fire(cid, "approve", on=date(2026, 3, 17),
                    payload={"amount": 1500, "household_size": 2})


# -- the other branch of a rule ----------------------------------------------------------------

def test_jiangsu_a_household_in_expenditure_hardship_is_transferred_too(engine):
    """江苏征求意见稿 三(一): "但符合低保边缘家庭或支出型困难家庭认定条件的，在办理退保时，经本人同意，
    可直接转入低保边缘家庭或支出型困难家庭认定程序". 1,600 a head is above 1.5 × 1,000 (not 边缘),
    but in 支出型 hardship, with consent: a linked 支出型 recognition (tests had 边缘 only)."""
    case = engine.open_case(province="jiangsu_draft", workflow="benefit", on=date(2026, 1, 5),
                            attributes={"amount": 600, "paid_from": "2026-01"})
    view = engine.fire(case.id, "leave", on=date(2026, 5, 6), payload={
        "per_capita_income": 1600, "standard": 1000, "consent": True,
        "expenditure_hardship": True})
    route = view.case.attributes["leave_route"]
    assert (route["kind"], route["recognition"]) == ("transfer", "expenditure")
    [link] = view.links
    assert engine.case(link["case_id"]).case.attributes["recognition"] == "expenditure"


def test_shanxi_a_residence_permit_is_needed_by_every_member_from_outside(engine):
    """晋民发〔2023〕31号 四(三): "在我省长期居住并持有居住证的". Of two members from 河北, one holds
    a permit and one does not: the 受理 where they live is refused."""
    household = {"applicant": "a", "members": [
        {"id": "a", "registered_in": "甲县", "lives_in": "乙县"},
        {"id": "b", "registered_in": "河北省三河市", "lives_in": "乙县", "local": False,
         "residence_permit": True},
        {"id": "c", "registered_in": "河北省三河市", "lives_in": "乙县", "local": False,
         "residence_permit": False}]}
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2), attributes={"county": "乙县"})
    with pytest.raises(EventRefused):
        engine.fire(case.id, "accept", on=date(2026, 3, 2), payload={"residence": household})


def test_jiangsu_a_raise_decided_before_the_phase_out_is_recorded_keeps_the_months_paid(engine):
    """600 from 2026-01; raised to 700 on 4/3 (from May, 57号 第21条). The income rose on 1/15,
    recorded 4/10: 江苏征求意见稿 一(五) "自收入发生变动起" the phase-out runs February–July,
    "维持原最低生活保障金不变". Months already paid stay as paid (January–April 600); May–July are
    paid at the amount then in force, 700."""
    case = engine.open_case(province="jiangsu_draft", workflow="benefit", on=date(2026, 1, 5),
                            attributes={"amount": 600, "paid_from": "2026-01"})
    engine.fire(case.id, "review", on=date(2026, 4, 3), payload={"outcome": "raise", "amount": 700})
    engine.fire(case.id, "income_exceeds", on=date(2026, 4, 10), payload={
        "per_capita_income": 1500, "standard": 1000, "changed_on": "2026-01-15"})
    view = engine.case(case.id, as_of=date(2026, 12, 31))
    assert [(p.month, p.amount) for p in view.payments] == [
        *[(f"2026-{m:02d}", 600.0) for m in range(1, 5)],
        *[(f"2026-{m:02d}", 700.0) for m in range(5, 8)]]


def test_an_unreported_change_does_not_finish_the_death_re_check(engine):
    """民发〔2022〕83号 (晋民发〔2023〕31号 一(五)): the household is re-checked within 3 months of a
    death. Died 1/28 → due 4/28 (《民法典》第202条: the corresponding day). A change found on 2/10
    is not that re-check: still open, and breached as of 4/29."""
    case = engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5),
                            attributes={"amount": 600, "paid_from": "2026-01"})
    view = engine.fire(case.id, "member_died", on=date(2026, 2, 3),
                       payload={"died_on": "2026-01-28", "member": "m2"})
    assert by_rule(view)["death_review"].deadline.due_on == date(2026, 4, 28)
    engine.fire(case.id, "change_found", on=date(2026, 2, 10), payload={"occurred_on": "2026-02-01"})
    assert by_rule(engine.case(case.id, as_of=date(2026, 2, 10)))["death_review"].status == "open"
    assert by_rule(engine.case(case.id, as_of=date(2026, 4, 29)))["death_review"].status == \
        "breached"


# -- dates at their ends -----------------------------------------------------------------------

def test_a_month_period_from_the_28th_or_29th_keeps_its_day():
    """《民法典》第202条: "按照年、月计算期间的，到期月的对应日为期间的最后一日". 3 months from 1/28 is
    Tue 4/28 and from 1/29 Wed 4/29 (both working days), not the month's end."""
    calendar = national_calendar()
    assert due_date(calendar, date(2026, 1, 28), "3m").due == date(2026, 4, 28)
    assert due_date(calendar, date(2026, 1, 29), "3m").due == date(2026, 4, 29)


def test_a_withdrawal_on_the_last_day_of_the_publicity_cuts_it_short(engine):
    """民发〔2021〕57号 第19条: 公示 7 days. Posted Thu 2/12, its 7th day 2/19 falls in 春节 (2/15–2/23
    off) and moves to Tue 2/24 (《民法典》第203条). Withdrawn on 2/24, its last day: the 公示 did
    not run in full, so it is cancelled, not met."""
    case = engine.open_case(province="shanxi", on=date(2026, 1, 26))
    for event, on in [("accept", date(2026, 1, 28)), ("start_investigation", date(2026, 2, 2)),
                      ("request_verification", date(2026, 2, 4)),
                      ("start_verification", date(2026, 2, 10)),
                      ("post_publicity", date(2026, 2, 12)), ("withdraw", date(2026, 2, 24))]:
        engine.fire(case.id, event, on=on)
    publicity = by_rule(engine.case(case.id, as_of=date(2026, 2, 25)))["publicity"]
    assert (publicity.deadline.due_on, publicity.status) == (date(2026, 2, 24), "cancelled")


# 2027 has no holiday notice yet: projected from 《全国年节及纪念日放假办法》 第二条 (除夕 and 初一
# to 初三; 清明; 5月1日、2日) and 第六条 ("全体公民放假的假日，如果适逢星期六、星期日，应当在工作日补假"),
# and provisional.
@pytest.mark.parametrize("start, due", [
    # 除夕 Fri 2/5 off, 初一 Sat 2/6 and 初二 Sun 2/7 (补假 Tue 2/9, Wed 2/10), 初三 Mon 2/8 off
    (date(2027, 2, 4), date(2027, 2, 11)),
    # 清明 Mon 4/5
    (date(2027, 4, 2), date(2027, 4, 6)),
    # 5/1 Sat and 5/2 Sun: 补假 Mon 5/3 and Tue 5/4
    (date(2027, 4, 30), date(2027, 5, 5)),
])
def test_the_2027_projection_at_its_holidays(start, due):
    found = due_date(national_calendar(), start, "1wd")
    assert (found.due, found.provisional) == (due, True)


def test_mid_autumn_on_a_national_day_day_is_made_up_like_a_weekend_one():
    """《全国年节及纪念日放假办法》第二条 gives 中秋 1 day and 国庆 3 (10/1–10/3): four days
    off, counted in full when they coincide (2020: 中秋 on 10/1, 10/1–10/8 off for both).
    2028: 中秋 (八月十五) is Tue 10/3, a 国庆 day. 国庆 Sun 10/1 → 补假 Wed 10/4 (第六条);
    中秋 on 10/3 → made up the same way, on the next weekday not off, Thu 10/5 (10/3 named
    国庆节、中秋节 as the notices name such a day, 10/5 中秋节补假). So 10/1–10/5
    off, Fri 10/6 worked. 1wd from Fri 9/29: 9/30 Sat, 10/1–10/5 off → Fri 2028-10-06 (the old
    projection dropped 中秋 and gave Thu 10/5)."""
    calendar = national_calendar()
    for day in range(1, 6):
        assert not calendar.is_working_day(date(2028, 10, day)), day
    assert calendar.is_working_day(date(2028, 10, 6))
    both, made_up = calendar.day_info(date(2028, 10, 3)), calendar.day_info(date(2028, 10, 5))
    assert (both.kind, both.label, both.provisional) == ("projected_off", "国庆节、中秋节", True)
    assert (made_up.kind, made_up.label) == ("projected_off", "中秋节补假")
    assert calendar.day_info(date(2028, 10, 4)).label == "国庆节补假"  # for Sunday 10/1
    found = due_date(calendar, date(2028, 9, 29), "1wd")
    assert (found.due, found.provisional) == (date(2028, 10, 6), True)
    # 2031: 中秋 Wed 10/1; 10/1–10/3 (Wed–Fri) off, 10/4–10/5 weekend, made up Mon 10/6.
    assert [d for d, _ in projected_days_off(2031) if d.month == 10] == [
        date(2031, 10, 1), date(2031, 10, 2), date(2031, 10, 3), date(2031, 10, 6)]


def test_every_projected_year_has_all_thirteen_statutory_days():
    """第二条: 元旦 1, 春节 4 (除夕 to 初三), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3 = 13 days,
    each falling on a weekend or on another made up on a weekday (第六条): every projected year
    has exactly 13 weekdays off, and every holiday is named. (Old code: 12 in 2028, 2031 and
    2058, with 中秋 named nowhere.)"""
    names = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
    for year in range(2027, 2061):
        days = projected_days_off(year)
        assert sum(d.weekday() < 5 for d, _ in days) == 13, year
        labels = "".join(label for _, label in days)
        assert all(name in labels for name in names), year


def test_the_national_default_extends_to_45_working_days_for_a_difficult_investigation(
        install, tmp_path):
    """民发〔2021〕57号 第22条: "……家庭经济状况调查难度较大等特殊情况的，可以延长至45个工作日". Every
    shipped province sets its own; 海南 (a test plugin) keeps the national values. Accepted
    Wed 1/28: 1/29 (1), 1/30 (2), 2/2–2/13 (12), Sat 2/14 调休 (13), 春节 2/15–2/23, 2/24–2/27
    (17), Sat 2/28 调休 (18), 3/2–3/13 (28), 3/16 (29), 3/17 (30); 3/18–4/3 (43), 清明 4/4–4/6,
    4/7 (44), 4/8 (45) → 2026-04-08."""
    install("")
    engine = Engine.open(str(tmp_path / "national.db"))
    case = engine.open_case(province="hainan", on=date(2026, 1, 26))
    engine.fire(case.id, "accept", on=date(2026, 1, 28))
    view = engine.fire(case.id, "extend", on=date(2026, 2, 2), reason="调查难度大")
    total = by_rule(view)["total"].deadline
    assert (total.duration, total.due_on) == ("45wd", date(2026, 4, 8))


@pytest.mark.parametrize(("province", "occurred", "last_day"), [
    # 第202条: from Thursday 2023-11-30, 3 months end on the last day of February, the leap day
    # Thursday 2024-02-29 (a working day: 春节 was 2/10–2/17, 国办发明电〔2023〕7号).
    ("shanxi", "2023-11-30", date(2024, 2, 29)),
    # From Tuesday 2025-07-01, 3 months end on Wednesday 2025-10-01, inside 国庆·中秋 10/1–10/8
    # (国办发明电〔2024〕12号) → 第203条: Thursday 2025-10-09.
    ("jiangsu_draft", "2025-07-01", date(2025, 10, 9)),
])
def test_an_unreported_change_is_criticised_from_the_day_after_its_3_months_end(
        engine, province, occurred, last_day):
    """五(五) (山西; 江苏征求意见稿 likewise, any change): "……发生重大变化超过3个月未主动告知的，县级民政
    部门或者乡镇人民政府（街道办事处）可以进行批评教育". Found on the period's last day, the change is
    not yet unreported for more than 3 months: no criticism; found the day after, 批评教育 that
    day (the suite had only a period ending on an ordinary working day)."""
    def found_on(day):
        case = engine.open_case(province=province, workflow="benefit", on=date(2023, 11, 1),
                                attributes={"amount": 700, "paid_from": "2023-12"})
        return engine.fire(case.id, "change_found", on=day, payload={"occurred_on": occurred})

    assert list(found_on(last_day).sanctions) == []
    day_after = date.fromordinal(last_day.toordinal() + 1)
    view = found_on(day_after)
    assert [(s.kind, s.on) for s in view.sanctions] == [("criticism", day_after)]
    assert f"超过3个月（至{last_day.isoformat()}）未主动告知" in view.sanctions[0].note
