"""天津市: 津民发〔2023〕13号 (2023-04-21, in force).

Confirmation is at township/street level (乡镇人民政府（街道办事处）审核确认): 20 working days
from 受理, up to 45 in special cases, and no county step (四(一)); 7-day 公示 (四(二)). In
payment: a phase-out of at most 6 months, 100 % then 50 %, and a re-check within 3 months of a
death (一(三)); credit sanctions (五(五)).
"""

from __future__ import annotations

from datetime import date

from engine import (
    DeadlineRule,
    Document,
    Parameter,
    Province,
    Variant,
    WorkflowPatch,
    hookimpl,
)
from engine.provinces import credit_rules

CODE = "tianjin"
NOTICE = "津民发〔2023〕13号"
DOCUMENT = Document(
    number=NOTICE,
    title="天津市民政局 中共天津市委农村工作领导小组办公室 天津市财政局 天津市乡村振兴局"
    "关于进一步做好最低生活保障等社会救助兜底保障工作的通知",
    date=date(2023, 4, 21),
    status="in_force",
)
LIMITS = f"{NOTICE} 四(一)"
# 四(二): "乡镇人民政府（街道办事处）经调查核实提出的审核意见，应在申请家庭所在村（社区）进行为期7天的
# 公示": the township confirms (四(一)), and what it posts is its 审核意见. The 公示 keeps the
# national step and period (民发〔2021〕57号 第19条) under 天津's own words.
PUBLICITY = f"{NOTICE} 四(二)"
PUBLICITY_TITLE = "审核意见公示期"


@hookimpl
def doudi_register_provinces(register):
    register(Province(CODE, "天津市", (DOCUMENT,)))


@hookimpl
def doudi_parameters(province, workflow):
    if province != CODE:
        return None
    if workflow == "benefit":
        return [
            # "前三个月按其家庭原领取最低生活保障金的100%发放，后三个月按50%发放"
            Parameter("phase_out", [1.0, 1.0, 1.0, 0.5, 0.5, 0.5], f"{NOTICE} 一(三)"),
            Parameter("death_review", "3m", f"{NOTICE} 一(三)"),
            *credit_rules(f"{NOTICE} 五(五)"),
            # A household leaving 低保 "享受过救助": 三(三) watches it, as it does a refused
            # applicant ("申请过救助家庭"), so the notice is not silent and its clause is cited.
            Parameter("dynamic_monitoring", True,
                      f"{MONITORING}（重点对享受过救助、申请过救助家庭……要密切关注，定期开展数据比对筛查）"),
        ]
    if workflow == "temporary":
        return [
            Parameter("unemployed_grant_months", [],
                      f"{NOTICE} 二(一)（按照临时救助相关政策及时予以救助，未规定金额）"),
            # (天津 does not leave out people already in 低保: the national default, false)
            Parameter("unemployed_months_without_income", 3,
                      f"{NOTICE} 二(一)（连续3个月无收入来源、失业保险政策无法覆盖的未参保失业人员）"),
            # No months-without-income condition for them: "暂未就业、基本生活面临困难".
            Parameter("jobless_graduates", True,
                      f"{NOTICE} 二(一)（暂未就业、基本生活面临困难的大学生，"
                      "按照临时救助相关政策及时予以救助）"),
            # "每人救助标准不超过3个月本市城乡居民最低生活保障标准"
            Parameter("disaster_months_per_person", [0, 3],
                      f"{NOTICE} 二(二)（每人救助标准不超过3个月本市城乡居民最低生活保障标准）"),
        ]
    # 三(三): "重点对享受过救助、申请过救助家庭……低保边缘群体、支出型困难群体……要密切关注，定期开展数据
    # 比对筛查": a refused applicant, and a household recognized as 边缘 or 支出型, are monitored.
    refused = Parameter("refused_applicants_monitored", True,
                        f"{MONITORING}（重点对享受过救助、申请过救助家庭……要密切关注，定期开展数据比对筛查）")
    if workflow == "marginal":
        return [refused, Parameter(
            "recognized_households_monitored", True,
            f"{MONITORING}（低保边缘群体、支出型困难群体……要密切关注，定期开展数据比对筛查）")]
    if workflow != "dibao":
        return None
    return [
        refused,
        Parameter("delegation", "always", LIMITS),
        Parameter("total", "20wd", LIMITS),
        Parameter("total_delegated", "20wd", LIMITS),
        Parameter("total_extended", "45wd", LIMITS),
        Parameter("extension_reasons", ["人户分离", "异地申办", "调查难度大"], LIMITS),
        Parameter("publicity", "7d", PUBLICITY, PUBLICITY_TITLE),
        # The township confirms: what it posts is its 审核意见, not a 初审意见.
        Parameter("publicity_opinion", "审核意见",
                  f"{NOTICE} 四(二)（乡镇人民政府（街道办事处）经调查核实提出的审核意见……公示）"),
        Parameter("publicity_channels", ["村（社区）"],
                  f"{NOTICE} 四(二)（在申请家庭所在村（社区）进行公示）"),
        Parameter("publication_review", True,
                  f"{NOTICE} 四(二)（对于未严格落实公布、公示制度的，市民政、财政等部门将在年度绩效"
                  "考核中加大扣分比重）"),
        Parameter("residence_permit_applications", False,
                  f"{PLACE}（有序推进外省户籍在津持有本市居住证人员申办低保等社会救助业务）"),
    ]


MONITORING = f"{NOTICE} 三(三)"
# "市民政局每季度、区民政局每月应……开展一次困难群众主动发现数据比对工作": a 直辖市's 市民政局
# is at 省级, its 区民政局 at 县级. The notice calls the city's 市, so level=市级 is the 市民政局
# too (it has no prefecture level below it): once left without a deadline.
COMPARISON = DeadlineRule(
    rule="data_comparison", title="主动发现数据比对（市民政局每季度、区民政局每月一次）",
    starts=("open", "compare_data"), stops=("compare_data",), param="comparison_interval",
    variants=(Variant("level=县级", "comparison_interval_district"),),
    when="level=省级|市级|县级")


def _monitoring_patch() -> WorkflowPatch:
    return WorkflowPatch(
        citation=MONITORING,
        add_parameters=(
            Parameter("comparison_interval", "1cq", f"{MONITORING}（市民政局每季度开展一次）",
                      "数据比对频次（市民政局）"),
            Parameter("comparison_interval_district", "1cm",
                      f"{MONITORING}（区民政局每月开展一次）", "数据比对频次（区民政局）"),
            Parameter("warning_indicators", ["重病", "残疾", "就学", "失业"],
                      f"{MONITORING}（针对重病、残疾、就学、失业等情况设置预警指标）", "预警指标"),
        ),
        add_deadlines=(COMPARISON,),
    )


# 五(四): "在困难群众较多（低保群众超过200人的）的村（社区）建立社会救助服务站（点）".
STATIONS = f"{NOTICE} 五(四)"
SERVICE_STATION = Parameter("service_station_recipients", 200,
                            f"{STATIONS}（低保群众超过200人的村（社区）建立社会救助服务站（点））",
                            "建立社会救助服务站（点）的低保人数")


@hookimpl
def doudi_workflow_patches(province, workflow):
    if province == CODE and workflow == "monitoring":
        return [_monitoring_patch()]
    if province == CODE and workflow == "benefit":
        return [WorkflowPatch(citation=STATIONS, add_parameters=(SERVICE_STATION,))]
    if province != CODE or workflow != "dibao":
        return None
    # The township confirms: the county step, its deadline and its parameters (the county's
    # 10 working days, its home visit) do not exist here.
    return [
        WorkflowPatch(
            citation=LIMITS,
            remove_events=("submit_to_county",),
            remove_states=("county_review",),
            remove_deadlines=("county_confirmation",),
            remove_parameters=("county_confirmation", "county_home_visit"),
        ),
        _publicity_patch(),
    ]


def _publicity_patch() -> WorkflowPatch:
    """The national 公示 step under 天津's words (四(二)): the state, the event that enters it
    and the deadline it starts are retitled after the 审核意见; the step itself stays the
    national one."""
    return WorkflowPatch(
        citation=PUBLICITY,
        retitle=(("state", "in_publicity", "审核意见公示"),
                 ("event", "post_publicity", "审核意见公示"),
                 ("deadline", "publicity", PUBLICITY_TITLE)),
    )


SINGLE = f"{NOTICE} 一(一)"


def _severely_disabled(member) -> bool:
    """一(一): "重度残疾人（持有中华人民共和国残疾人证的一级、二级重度残疾人和三级智力残疾人、三级精神
    残疾人）"."""
    d = member.disability
    return d is not None and (d.severe or (d.grade == 3 and d.type in ("intellectual", "mental")))


def _single_person(member) -> bool:
    """一(一): an adult without work who is severely disabled (as 一(一) counts it)."""
    return member.age >= 18 and not member.employed and _severely_disabled(member)


def _support(support, household):
    """一(一): support from siblings or people aged 60+ is 70 % exempt; from 80+ not counted."""
    if support.giver_age >= 80:
        return 0.0, f"{SINGLE}（80周岁及以上老年人可不计算给付供养费用）"
    if support.relation == "sibling" or support.giver_age >= 60:
        return 0.3, f"{SINGLE}（给付的供养费用可按70%的比例豁免）"
    return None


@hookimpl
def doudi_assessment_rules(province, parameters):
    if province != CODE:
        return None
    from engine.assessment import AssessmentRules

    return AssessmentRules(
        whole_household_basis=f"{NOTICE} 一(一)（申请家庭符合条件的，不得仅将个别家庭成员纳入低保范围）",
        single_person=_single_person,
        single_person_basis=SINGLE,
        support_rule=_support,
        # 一(四) has 边缘 recognised under 津民规〔2022〕6号, which is not among the seeds: the
        # threshold is the national one it implements (民发〔2022〕83号, below 1.5 × the standard).
        marginal_basis=f"{NOTICE} 一(四)（低保边缘家庭按津民规〔2022〕6号认定；人均收入低于1.5倍低保标准，"
                       "民发〔2022〕83号）",
        marginal_single_person_basis=f"{NOTICE} 一(四)（最低生活保障边缘家庭中的重度残疾人员、重病患者等特殊"
                                     "困难人员，经本人申请，符合条件的，可参照“单人户”纳入低保范围）",
        severely_disabled=_severely_disabled,
        # 二(一) ends the deduction of 500 yuan a month of work costs for 低保 members working
        # away from home: earnings count in full, and the step says why.
        employment_cost_basis=f"{NOTICE} 二(一)（停止执行津新冠防指〔2020〕135号中“对外出务工、返岗复工的"
                              "低保对象，核定家庭收入时每月扣减务工成本500元”的政策）",
        # 一(一): income imputed by "劳动力系数": a member who, caring for a severely disabled or
        # ill member or an infant (0–3) of a single parent, really cannot earn is judged on the
        # household's real hardship.
        real_hardship_basis=f"{SINGLE}（采取“劳动力系数”等方式核算收入的，对确实难以就业或者较长时间"
                            "无法获得收入的，根据家庭实际困难情况综合判断）",
        single_person_flags={"classified_assistance": False,
                             "classified_assistance_basis": f"{SINGLE}（不享受分类救助政策）"},
    )


@hookimpl
def doudi_exception_route(province, classification, attributes, parameters):
    if province != CODE:
        return None
    from engine.default_assessment import ExceptionRoute

    # A 边缘 household with special hardship is beyond the rules as much as one above the line.
    if classification == "above" or attributes.get("special_hardship") is True:
        return ExceptionRoute("fund_referral", "转介市、区社会救助基金实施“发点球”式精准救助",
                              f"{NOTICE} 二(二)")
    return ExceptionRoute("marginal_offer", "告知可申请低保边缘家庭认定；其中重度残疾人、重病患者"
                          "经本人申请可参照“单人户”纳入低保", f"{NOTICE} 一(四)（津民规〔2022〕6号）")


PLACE = f"{NOTICE} 四(三)"
SPOUSE_YEARS = 1  # "在本市共同连续居住满一年以上"


def _spouse_ways(residence):
    """四(三): "与具有本市户籍居民形成婚姻关系，并在本市共同连续居住满一年以上的非本市户籍家庭成员，
    可在配偶户籍地申请最低生活保障。本市户籍配偶已去世的，与其天津户籍子女共同生活的，可以在子女户籍地
    申请低保"."""
    from engine.application_place import Way

    applicant = residence.member
    if applicant.local:
        return []
    found = []
    if applicant.years_here >= SPOUSE_YEARS:
        found += [Way(applicant.id, spouse.registered_in, "配偶户籍地", PLACE,
                      "非本市户籍配偶在本市共同连续居住满一年以上，可在配偶户籍地申请")
                  for spouse in residence.related("spouse") if spouse.local]
    if residence.spouse_died:
        found += [Way(applicant.id, child.registered_in, "子女户籍地", PLACE,
                      "本市户籍配偶已去世，与其天津户籍子女共同生活的，可以在子女户籍地申请")
                  for child in residence.related("child") if child.local]
    return found


@hookimpl
def doudi_place_rules(province, parameters):
    if province != CODE:
        return None
    from engine.application_place import PlaceRules

    return PlaceRules(extra=(_spouse_ways,))
