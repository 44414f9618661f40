"""One household, three provinces: where doudi decides differently, the province's clause (or a
county's recorded setting) says so, and the basis cites the document that sets the rule.

Each test runs the same scenario through the provinces it compares. Dates and amounts are
worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import date

from helpers import paid

DRAFT = "江苏征求意见稿"


def _benefit(engine, province, county="甲县"):
    return engine.open_case(province=province, workflow="benefit", on=date(2026, 3, 15),
                            attributes={"amount": 900, "paid_from": "2026-04", "county": county})


# -- 渐退: a period a county set is cited with the county's document ---------------------------

# 江苏征求意见稿 一(五): "家庭人均收入达到或超过当地低保标准2倍的，自收入发生变动起一定期限内保留低保
# 待遇，最长不超过6个月。……对低保家庭中有重残重病人员的，可以视情延长缓退期，原则上不超过12个月。"
# The draft sets the ceilings; the period itself is the locality's (phase_out_months_high_income,
# phase_out_months_severe_member). Where a county set it, its document sets the 3 or the 9, and
# the months paid under it cite that document beside the clause, as the county's 边缘 multiple
# and employment-cost share are cited in the assessment.


def test_a_county_set_phase_out_period_is_cited_with_the_county_document(engine):
    engine.set_parameter("jiangsu_draft", "甲县", "phase_out_months_high_income", 3,
                         "甲县民政局〔2026〕5号", date(2026, 1, 1), workflow="benefit")
    engine.set_parameter("jiangsu_draft", "甲县", "phase_out_months_severe_member", 9,
                         "甲县民政局〔2026〕6号", date(2026, 1, 1), workflow="benefit")
    # 2000 against 800 (≥ 2 ×), changed 2026-05-20: kept from 2026-06 for the county's 3
    # months, 06, 07, 08, at 900.
    high = _benefit(engine, "jiangsu_draft")
    engine.fire(high.id, "income_exceeds", on=date(2026, 6, 10),
                payload={"per_capita_income": 2000, "standard": 800, "changed_on": "2026-05-20"})
    view = engine.case(high.id, as_of=date(2026, 12, 31))
    assert paid(view) == [("2026-04", 900.0), ("2026-05", 900.0),
                          ("2026-06", 900.0), ("2026-07", 900.0), ("2026-08", 900.0)]
    for payment in view.payments[2:]:
        assert payment.basis.startswith(f"{DRAFT} 一(五)；甲县民政局〔2026〕5号：")
        assert "保留低保待遇3个月" in payment.basis
    # A severely disabled member, 1000 against 800: the county's 9 months, 2026-06 … 2027-02.
    severe = _benefit(engine, "jiangsu_draft")
    engine.fire(severe.id, "income_exceeds", on=date(2026, 6, 10),
                payload={"per_capita_income": 1000, "standard": 800, "changed_on": "2026-05-20",
                         "severe_member": True})
    view = engine.case(severe.id, as_of=date(2027, 6, 30))
    assert [m for m, _ in paid(view)][2:] == [*(f"2026-{m:02d}" for m in range(6, 13)),
                                              "2027-01", "2027-02"]
    assert all(p.basis.startswith(f"{DRAFT} 一(五)；甲县民政局〔2026〕6号：") and "至9个月" in p.basis
               for p in view.payments[2:])
    # A county with no settings: the draft's clause alone (its ceilings, 6 and 12, by default).
    plain = _benefit(engine, "jiangsu_draft", county="乙县")
    engine.fire(plain.id, "income_exceeds", on=date(2026, 6, 10),
                payload={"per_capita_income": 2000, "standard": 800, "changed_on": "2026-05-20"})
    view = engine.case(plain.id, as_of=date(2026, 12, 31))
    assert len(view.payments) == 2 + 6
    assert view.payments[-1].basis.startswith(
        f"{DRAFT} 一(五)：家庭人均收入达到或超过低保标准2倍，保留低保待遇6个月")


# -- 江苏's assessment in a county that set its shares -----------------------------------------

# 江苏征求意见稿 一(二) 二是: "可参照当地最低生活保障标准的一定比例在每月就业收入中进行扣减，最高不超过
# 最低生活保障标准。具体扣减比例由当地结合实际确定。" 一(四): "兄弟姐妹或者60周岁及以上老年人，按规定
# 应当给付的供养费用，可以视情适当豁免。" The clause allows; the county's document fixes the
# share. Each step a county's share governs cites both, the clause and then the document, as
# the 边缘 multiple's step does (docs/procedure.md): the county's document alone said nothing
# of the rule it applies.


def test_a_county_set_share_is_cited_with_the_clause_that_leaves_it_to_the_county(engine):
    engine.set_parameter("jiangsu_draft", "甲县", "employment_cost_share", 0.3,
                         "甲县民政局〔2026〕7号", date(2026, 1, 1))
    engine.set_parameter("jiangsu_draft", "甲县", "single_support_counted_share", 0.5,
                         "甲县民政局〔2026〕8号", date(2026, 1, 1))
    # A grade 1 applicant alone, standard 900; her brother (40) pays 500 a month: counted
    # 500 × 50 % = 250. A household of one earning 1200 at work: 1200 − 30 % × 900 = 930.
    single = {"standard": 900, "applicant": "m1", "single_person": True,
              "members": [{"id": "m1", "age": 34, "disability": {"grade": 1, "type": "physical"}}],
              "support": [{"to": "m1", "relation": "sibling", "giver_age": 40, "amount": 500}]}
    worker = {"standard": 900, "members": [{"id": "a", "age": 40, "income": {"employment": 1200}}]}
    [support] = [s for s in engine.assess("jiangsu_draft", single, county="甲县").steps
                 if s.rule == "support"]
    assert support.counted == 250
    assert support.citation == (f"{DRAFT} 一(四)（兄弟姐妹或60周岁及以上老年人的供养费用可以视情适当豁免）"
                                "；甲县民政局〔2026〕8号")
    [earned] = engine.assess("jiangsu_draft", worker, county="甲县").steps[:1]
    assert earned.counted == 930
    assert earned.citation == (f"{DRAFT} 一(二) 二是（扣减比例由当地结合实际确定，最高不超过低保标准）"
                               "；甲县民政局〔2026〕7号")
    # A county with no settings: the clause alone (500 counted whole, 1200 whole).
    [support] = [s for s in engine.assess("jiangsu_draft", single, county="乙县").steps
                 if s.rule == "support"]
    assert (support.counted, support.citation) == (
        500, f"{DRAFT} 一(四)（兄弟姐妹或60周岁及以上老年人的供养费用可以视情适当豁免）")
    assert engine.assess("jiangsu_draft", worker, county="乙县").steps[0].citation == (
        f"{DRAFT} 一(二) 二是（扣减比例由当地结合实际确定，最高不超过低保标准）")


# -- The same application, accepted on Mon 2026-09-28, in each province -------------------------

# 2026 official calendar (国办发明电〔2025〕7号): 中秋 9/25–9/27 off; 国庆 10/1–10/7 off, Sat 10/10
# worked. Working days after 9/28: 9/29 (1), 9/30 (2), 10/8 (3), 10/9, 10/10 (5), 10/12–16
# (10), 10/19–23 (15), 10/26–30 (20), 11/2–6 (25), 11/9–13 (30), 11/16–20 (35), 11/23–27 (40),
# 11/30, 12/1–12/4 (45).
# 山西 四(二) and 江苏 四(一): "应当自受理之日起30个工作日之内完成；审核确认权限下放到乡镇人民政府（街道
# 办事处）的，应当自受理之日起20个工作日之内完成"; 天津 四(一): "低保审核确认工作应当自受理之日起20个
# 工作日之内完成"; all three: "发生公示有异议、人户分离、异地申办或者家庭经济状况调查难度较大等特殊情况的，
# 可以延长至45个工作日". No seed sets the 3 working days to start the investigation: 民发〔2021〕57号
# 第15条 in each.
ACCEPTED = {
    # province: (total, its clause)
    "shanxi": (date(2026, 11, 13), "晋民发〔2023〕31号 四(二)"),
    "tianjin": (date(2026, 10, 30), "津民发〔2023〕13号 四(一)"),
    "jiangsu_draft": (date(2026, 11, 13), f"{DRAFT} 四(一)"),
}


def test_an_application_accepted_before_national_day_in_each_province(engine):
    for province, (total, clause) in ACCEPTED.items():
        for delegated in ((True,) if province == "tianjin" else (False, True)):
            case = engine.open_case(province=province, workflow="dibao", on=date(2026, 9, 28),
                                    attributes={"county": "甲县", "delegated": delegated})
            engine.fire(case.id, "accept", on=date(2026, 9, 28))
            due = {d.deadline.rule: d.deadline for d in engine.case(case.id).deadlines}
            assert (due["total"].due_on, due["total"].citation) == (
                date(2026, 10, 30) if delegated else total, clause), (province, delegated)
            assert (due["investigation_start"].due_on, due["investigation_start"].citation) == (
                date(2026, 10, 8), "民发〔2021〕57号 第15条（国家规定）")
            engine.fire(case.id, "extend", on=date(2026, 10, 9), reason="人户分离")
            total = {d.deadline.rule: d.deadline for d in engine.case(case.id).deadlines}["total"]
            assert (total.due_on, total.citation) == (date(2026, 12, 4), clause)


# -- The same phase-out, month by month ----------------------------------------------------------

# 山西 一(五) "可给予6个月的渐退期"; 天津 一(三) "前三个月按其家庭原领取最低生活保障金的100%发放，后三个月
# 按50%发放"; 江苏 一(五) "低于当地低保标准2倍的，自收入发生变动起的6个月内保留低保待遇……维持原最低
# 生活保障金不变". 900 a month paid from 2026-04; income 1000 against 800 (below 2 ×) recorded
# on 2026-06-10, the change dated 2026-05-20: 山西 and 天津 from the month after the event
# (07 … 12); 江苏 from the month after the change (06 … 11).


def test_the_same_phase_out_in_each_province(engine):
    expected = {
        "shanxi": [("2026-04", 900.0), ("2026-05", 900.0), ("2026-06", 900.0),
                   *((f"2026-{m:02d}", 900.0) for m in range(7, 13))],
        "tianjin": [("2026-04", 900.0), ("2026-05", 900.0), ("2026-06", 900.0),
                    ("2026-07", 900.0), ("2026-08", 900.0), ("2026-09", 900.0),
                    ("2026-10", 450.0), ("2026-11", 450.0), ("2026-12", 450.0)],
        "jiangsu_draft": [("2026-04", 900.0), ("2026-05", 900.0),
                          *((f"2026-{m:02d}", 900.0) for m in range(6, 12))],
    }
    clause = {"shanxi": "晋民发〔2023〕31号 一(五)", "tianjin": "津民发〔2023〕13号 一(三)",
              "jiangsu_draft": f"{DRAFT} 一(五)"}
    for province, months in expected.items():
        case = _benefit(engine, province)
        engine.fire(case.id, "income_exceeds", on=date(2026, 6, 10),
                    payload={"per_capita_income": 1000, "standard": 800,
                             "changed_on": "2026-05-20"})
        view = engine.case(case.id, as_of=date(2027, 3, 1))
        assert paid(view) == months, province
        assert view.payments[-1].basis.startswith(clause[province]), province
        assert view.state == "ended"


# -- The same single-person household's support ---------------------------------------------------

# A grade 1 adult without work, alone (单人户), standard 900, 100 of her own; 500 a month from
# a sibling of 40, a parent of 65 or a parent of 82. 山西 一(二): siblings' and 60+'s support
# "予以豁免" (0). 天津 一(一): "可按70%的比例豁免，80周岁及以上老年人可不计算" (150, 150, 0). 江苏
# 一(四): "可以视情适当豁免" (a county's share: none set, 500 counted), and only a 70+ giver whose
# own income is below last year's local average "直接予以豁免" (the 82-year-old here is not
# said to be: 500).


def test_the_same_single_person_household_s_support_in_each_province(engine):
    expected = {"shanxi": (100, 100, 100), "tianjin": (250, 250, 100),
                "jiangsu_draft": (600, 600, 600)}
    for province, per_capita in expected.items():
        got = []
        for relation, age in (("sibling", 40), ("parent", 65), ("parent", 82)):
            household = {"standard": 900, "applicant": "m1", "single_person": True,
                         "members": [{"id": "m1", "age": 34, "income": {"other": 100},
                                      "disability": {"grade": 1, "type": "physical"}}],
                         "support": [{"to": "m1", "relation": relation, "giver_age": age,
                                      "amount": 500}]}
            result = engine.assess(province, household)
            assert result.classification == "dibao"
            got.append(result.per_capita)
        assert tuple(got) == per_capita, province


# -- 江苏's transfer into 边缘 under a county's raised threshold -----------------------------------

# 江苏征求意见稿 三(一): "对因家庭经济状况好转而退出低保……但符合低保边缘家庭……认定条件的，在办理退保时，
# 经本人同意，可直接转入低保边缘家庭……认定程序"; 一(六): "有条件的地区可将低保边缘家庭人均收入从不高于
# 低保标准1.5倍提高到2倍". 1500 against 800 is 1.875 ×: 边缘 only where the county raised the
# threshold to 2 ×, under 一(六). The transfer cites 三(一), the clause that lets the county raise
# it, then the county's document, as the assessment's 边缘 step does.


def test_a_transfer_under_a_county_s_raised_threshold_cites_the_clause_that_lets_it(engine):
    engine.set_parameter("jiangsu_draft", "甲县", "marginal_multiple", 2, "甲县民政局〔2026〕1号",
                         date(2026, 1, 1), workflow="benefit")
    case = _benefit(engine, "jiangsu_draft")
    engine.fire(case.id, "leave", on=date(2026, 6, 10),
                payload={"per_capita_income": 1500, "standard": 800, "consent": True})
    route = engine.case(case.id).case.attributes["leave_route"]
    assert (route["kind"], route["recognition"]) == ("transfer", "marginal")
    assert route["basis"] == (f"{DRAFT} 三(一)；{DRAFT} 一(六)（有条件的地区可提高到2倍）"
                              "；甲县民政局〔2026〕1号")
    # In a county with no settings 1500 is above 1.5 × 800 = 1200: dynamic monitoring instead.
    plain = _benefit(engine, "jiangsu_draft", county="乙县")
    engine.fire(plain.id, "leave", on=date(2026, 6, 10),
                payload={"per_capita_income": 1500, "standard": 800, "consent": True})
    assert engine.case(plain.id).case.attributes["leave_route"] == {
        "kind": "monitoring", "basis": f"{DRAFT} 三(一)（纳入低收入人口动态监测平台）", "recognition": None}
