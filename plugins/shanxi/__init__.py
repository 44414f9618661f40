"""山西省: 晋民发〔2023〕31号 (2023-06-22, in force).

Confirmation within 30 working days of 受理, 20 where delegated to the township, up to 45 in
special cases (四(二)); 7-day 公示 of the 初审意见 (四(五)). Step deadlines the notice leaves
to the 审核确认办法 stay national (民发〔2021〕57号) and are cited as such. In payment: a
6-month phase-out and a re-check within 3 months of a death (一(五)); credit sanctions (五(五)).
"""

from __future__ import annotations

from datetime import date

from engine import DeadlineRule, Document, Parameter, Province, WorkflowPatch, hookimpl
from engine.money import to_fen, yuan
from engine.provinces import credit_rules

CODE = "shanxi"
NOTICE = "晋民发〔2023〕31号"
DOCUMENT = Document(
    number=NOTICE,
    title="山西省民政厅 中共山西省委农村工作领导小组办公室 山西省财政厅 山西省乡村振兴局"
    "关于强化最低生活保障等社会救助兜底保障工作的通知",
    date=date(2023, 6, 22),
    status="in_force",
)


@hookimpl
def doudi_register_provinces(register):
    register(Province(CODE, "山西省", (DOCUMENT,)))


@hookimpl
def doudi_parameters(province, workflow):
    if province != CODE:
        return None
    if workflow == "benefit":
        return [
            # "可给予 6 个月的渐退期": six months; the amount during it is the previous one.
            Parameter("phase_out", [1.0] * 6, f"{NOTICE} 一(五)"),
            Parameter("death_review", "3m", f"{NOTICE} 一(五)"),
            *credit_rules(f"{NOTICE} 五(五)"),
        ]
    if workflow == "temporary":
        return [
            # "由务工地或者经常居住地发放一次性临时救助金": a one-time grant, no amount set.
            Parameter("unemployed_grant_months", [],
                      f"{NOTICE} 二(一)（由务工地或者经常居住地发放一次性临时救助金，未规定金额）"),
            Parameter("unemployed_months_without_income", 3,
                      f"{NOTICE} 二(一)（连续三个月无收入来源、失业保险政策无法覆盖的未参保失业人员）"),
            Parameter("unemployed_outside_dibao", True, f"{NOTICE} 二(一)（未纳入低保范围的）"),
            Parameter("disaster_months_per_person", [],
                      f"{NOTICE} 二(二)（对受灾群众及时给予临时救助，未规定金额）"),
            Parameter("jobless_graduates", True,
                      f"{NOTICE} 二(二)（受重大公共卫生事件、灾情影响等暂未就业、基本生活面临困难的大学生"
                      "纳入临时救助范围）"),
        ]
    if workflow == "marginal":
        # 一(四): "将符合条件的困难群众及时纳入低保边缘家庭范围，对其实施动态监测"; 三(四) names
        # "低保边缘群体、支出型困难群体" among those watched closely. One clause for both kinds of
        # recognition: 一(四) alone spoke of 边缘 only, and 一(三) (支出型) says nothing of it.
        return [Parameter("recognized_households_monitored", True,
                          f"{NOTICE} 一(四)（纳入低保边缘家庭范围，对其实施动态监测）；三(四)（低保边缘群体、"
                          "支出型困难群体……要密切关注）")]
    if workflow != "dibao":
        return None
    limits = f"{NOTICE} 四(二)"
    return [
        Parameter("total", "30wd", limits),
        Parameter("total_delegated", "20wd", limits),
        Parameter("total_extended", "45wd", limits),
        Parameter("extension_reasons", ["人户分离", "异地申办", "调查难度大"], limits),
        # "审核确认权限下放到乡镇人民政府（街道办事处）的": a county may delegate, case by case.
        Parameter("delegation", "per_case",
                  f"{limits}（审核确认权限下放到乡镇人民政府（街道办事处）的，20个工作日）"),
        Parameter("publicity", "7d", f"{NOTICE} 四(五)"),
        Parameter("publicity_opinion", "初审意见",
                  f"{NOTICE} 四(五)（乡镇人民政府（街道办事处）经调查核实提出的初审意见……公示）"),
        Parameter("publicity_channels", ["村（社区）"],
                  f"{NOTICE} 四(五)（在申请家庭所在村（社区）进行公示）"),
        Parameter("residence_permit_applications", False,
                  f"{PLACE}（有条件的地区可以有序推进持有居住证人员在居住地提出低保申请或者低保边缘家庭"
                  "认定申请）"),
    ]


MONITORING = f"{NOTICE} 三(四)"


@hookimpl
def doudi_workflow_patches(province, workflow):
    if province != CODE or workflow != "monitoring":
        return None
    # "省厅每季度组织开展一次数据比对筛查": the province department's duty; the notice sets no
    # frequency for the other levels.
    return [WorkflowPatch(
        citation=MONITORING,
        add_parameters=(
            Parameter("comparison_interval", "1cq",
                      f"{MONITORING}（省厅每季度组织开展一次数据比对筛查）", "数据比对筛查频次"),
            Parameter("warning_indicators", ["重病", "残疾", "就学", "失业"],
                      f"{MONITORING}（针对重病、残疾、就学、失业等情况设置预警指标）", "预警指标"),
        ),
        add_deadlines=(DeadlineRule(
            rule="data_comparison", title="省厅每季度开展一次数据比对筛查",
            starts=("open", "compare_data"), stops=("compare_data",),
            param="comparison_interval", when="level=省级"),),
    )]


def _single_person(member) -> bool:
    """一(二) "成年无业重度残疾人": adult, without work, disability grade 1 or 2."""
    return (member.age >= 18 and not member.employed and member.disability is not None
            and member.disability.severe)


def _support(support, household):
    """一(二): support paid by siblings or by people aged 60 or more is exempt."""
    if support.relation == "sibling" or support.giver_age >= 60:
        return 0.0, f"{NOTICE} 一(二)（兄弟姐妹或者60周岁及以上老年人给付的供养费用予以豁免）"
    return None


EXPENDITURE = (f"{NOTICE} 一(三)（收入高于低保标准，但因病、因残、因学等刚性支出较大，且家庭财产状况"
               "符合当地人民政府规定条件的支出型贫困家庭）")


@hookimpl
def doudi_assessment_rules(province, parameters):
    if province != CODE:
        return None
    from engine.assessment import AssessmentRules

    # Only the person's own share of business/property income and own property count (一(二)):
    # a member's income is given as their own share, and single-person property is the own.
    return AssessmentRules(
        whole_household_basis=f"{NOTICE} 四(一)（申请家庭符合条件的，不得仅将个别家庭成员纳入低保范围）",
        single_person=_single_person,
        single_person_basis=f"{NOTICE} 一(二)",
        marginal_single_person_basis=f"{NOTICE} 一(四)（对低保边缘家庭中的重度残疾人、重病患者等特殊困难"
                                     "人员，经本人申请，可参照“单人户”纳入低保范围）",
        # 一(四) defines 边缘 itself: "家庭人均收入低于当地1.5倍低保标准"
        marginal_basis=f"{NOTICE} 一(四)（低保边缘家庭：家庭人均收入低于当地1.5倍低保标准）",
        support_rule=_support,
        # 四(一): "对确实难以就业或者较长时间无法获得收入的，根据家庭实际困难情况综合判断是否纳入低保范围"
        real_hardship_basis=f"{NOTICE} 四(一)（确实难以就业或者较长时间无法获得收入的，根据家庭实际困难"
                            "情况综合判断）",
        # 一(三) decides 支出型 on the assessment (its route below): "收入高于低保标准，但因病、因残、
        # 因学等刚性支出较大，且家庭财产状况符合当地人民政府规定条件".
        expenditure_basis=EXPENDITURE,
    )


@hookimpl
def doudi_exception_route(province, classification, attributes, parameters):
    if province != CODE:
        return None
    from engine.default_assessment import ExceptionRoute

    # 一(三) "收入高于低保标准" covers a 边缘 household too, when its hardship is claimed; the
    # hardship is "因病、因残、因学等刚性支出较大", so the investigation must have found such
    # spending (the household's rigid_spending). Without it, the ordinary route.
    household = attributes.get("household")
    spending = household.get("rigid_spending") if isinstance(household, dict) else None
    # ("且家庭财产状况符合当地人民政府规定条件": not a household found beyond the limits)
    within = not (isinstance(household, dict) and household.get("property_exceeds") is True)
    # "收入高于低保标准": a household exactly at the standard is not above it (it is 边缘:
    # not below the standard either, 一(四) "不符合低保条件").
    assessed = attributes.get("assessment")
    above = not (isinstance(assessed, dict) and assessed.get("flags", {}).get("at_standard"))
    if (classification == "above" or attributes.get("special_hardship") is True) and \
            isinstance(spending, int | float) and spending > 0 and within and above:
        # "按规定及时纳入保障范围": the route is inclusion itself, approved on the assessment.
        # (家庭财产状况符合当地人民政府规定条件: the notice sets no figure; the investigation
        # records a household beyond the limits, property_exceeds.)
        # (to the fen, half up, as the assessment's notes write it: 12345.67, not 12345.7)
        return ExceptionRoute("expenditure_type",
                              f"支出型贫困家庭救助（刚性支出每月{yuan(to_fen(spending))}元）",
                              f"{NOTICE} 一(三)（晋民发〔2022〕60号）", approval_after="assess")
    if classification == "above":
        return None  # the national refusal
    return ExceptionRoute("marginal_offer", "告知可申请低保边缘家庭认定；其中重度残疾人、重病患者"
                          "经本人申请可参照“单人户”纳入低保", f"{NOTICE} 一(四)")


PLACE = f"{NOTICE} 四(三)"


def _permit_household(residence):
    """四(三): "共同生活的家庭成员户籍所在地不同在我省，但在我省长期居住并持有居住证的，可以由其中一个
    拥有我省户籍的家庭成员向其户籍所在地或经常居住地提出低保申请"."""
    from engine.application_place import LIVES, REGISTERED, Way

    outside = [m for m in residence.members if not m.local]
    if not outside or not all(m.residence_permit for m in outside):
        return []
    note = "家庭成员户籍所在地不同在我省，在我省长期居住并持有居住证的，由拥有我省户籍的家庭成员申请"
    return [Way(m.id, place, how, PLACE, note) for m in residence.members if m.local
            for place, how in ((m.registered_in, REGISTERED), (m.lives_in, LIVES))]


@hookimpl
def doudi_place_rules(province, parameters):
    if province != CODE:
        return None
    from engine.application_place import PlaceRules

    # 四(三)'s second sentence ("均不一致的，可由任一家庭成员向其户籍所在地提出申请") repeats 57号 第五条.
    return PlaceRules(extra=(_permit_household,))
