"""江苏省 (draft for comment): 关于切实做好最低生活保障等社会救助兜底保障工作的通知（征求意见稿）.

A draft has no number and no date; every citation names it as 江苏征求意见稿. 30/20/45
working days (四(一)); 公示 of at least 7 days, also online where a locality can (四(二));
hard cases whose income or property exceeds the rules go to a collective decision,
一事一议, and are archived in their own class (五(一)).
"""

from __future__ import annotations

from datetime import date

from engine import (
    AttributeSpec,
    Document,
    LeaveRoute,
    Parameter,
    PhaseOut,
    Province,
    State,
    Transition,
    WorkflowPatch,
    hookimpl,
)
from engine.arguments import spelled
from engine.default_assessment import ExceptionRoute, last_assessment
from engine.errors import InvalidInput
from engine.guards import given, reads_parameters
from engine.money import decimal, product
from engine.provinces import credit_rules
from plugins.jiangsu_draft import assessment

CODE = "jiangsu_draft"
DRAFT = "江苏征求意见稿"
DOCUMENT = Document(
    number=None,
    title="关于切实做好最低生活保障等社会救助兜底保障工作的通知（征求意见稿）",
    date=None,
    status="draft",
)
LIMITS = f"{DRAFT} 四(一)"
COLLECTIVE = f"{DRAFT} 五(一)"
COLLECTIVE_OUTCOMES = ("agree", "refuse")


@hookimpl
def doudi_register_provinces(register):
    register(Province(CODE, "江苏省（征求意见稿）", (DOCUMENT,)))


EXIT = f"{DRAFT} 一(五)"
TRANSFER = f"{DRAFT} 三(一)"
MONITORING = f"{DRAFT} 三(三)"
CREDIT = f"{DRAFT} 五(五)"


@hookimpl
def doudi_parameters(province, workflow):
    if province != CODE:
        return None
    if workflow == "benefit":
        return [
            Parameter("phase_out", [1.0] * 6, EXIT),
            Parameter("death_review", "3m", EXIT),
            # 五(五) "低保家庭的人口状况、收入状况和财产状况发生变化的…超过3个月未主动告知的": any
            # change, not only a 重大 one as 民发〔2022〕83号 and the other notices say.
            *credit_rules(CREDIT, "变化未主动告知的期限"),
            Parameter("dynamic_monitoring", True, TRANSFER),
        ]
    if workflow == "temporary":
        return [
            # 急难型: "在急难情况缓解后…补齐经办人员签字、盖章手续" — no day count is set.
            Parameter("formalities", "10wd",
                      f"{DRAFT} 二(二)（未规定期限，默认值为本系统的地方可调设定）"),
            # "救助标准原则上为当地3-6个月的低保标准"
            Parameter("unemployed_grant_months", [3, 6],
                      f"{DRAFT} 二(一)（救助标准原则上为当地3-6个月的低保标准）"),
            Parameter("unemployed_months_without_income", 3,
                      f"{DRAFT} 二(一)（连续三个月无收入来源、失业保险政策无法覆盖的未参保失业人员）"),
            Parameter("unemployed_outside_dibao", True, f"{DRAFT} 二(一)（未纳入低保范围的）"),
            # 二(三): "可为低保对象、特困人员、低保边缘家庭和支出型困难家庭等低收入人口适时发放一次性
            # 生活补助；……可以采取发放衣物食品、防暑取暖、防灾减灾等保障物资，以及购买服务提供特定救助帮扶"
            Parameter("public_emergency_recipients",
                      ["低保对象", "特困人员", "低保边缘家庭", "支出型困难家庭"],
                      f"{DRAFT} 二(三)（为低保对象、特困人员、低保边缘家庭和支出型困难家庭等低收入人口）"),
            Parameter("public_emergency_forms", ["一次性生活补助", "保障物资", "购买服务"],
                      f"{DRAFT} 二(三)（一次性生活补助；衣物食品、防暑取暖、防灾减灾等保障物资；购买服务）"),
            Parameter("disaster_months_per_person", [],
                      f"{DRAFT} 二(一)（对受灾群众及时给予临时救助，未规定金额）"),
            # No months-without-income condition for them (the uninsured unemployed have one).
            Parameter("jobless_graduates", True,
                      f"{DRAFT} 二(一)（重点关注高校毕业生…及时将受疫情影响暂未就业或失业、"
                      "基本生活面临困难的，纳入临时救助范围）"),
        ]
    # 三(三): "申请认定低收入人口未获通过对象" are among the people in dynamic monitoring.
    refused = Parameter("refused_applicants_monitored", True, MONITORING)
    if workflow == "marginal":
        # 三(三): "困难人群主要包括低保对象、特困人员、低保边缘家庭、支出型困难家庭等低收入人口".
        return [refused, Parameter("recognized_households_monitored", True,
                                   f"{MONITORING}（困难人群主要包括……低保边缘家庭、支出型困难家庭）")]
    if workflow != "dibao":
        return None
    return [
        refused,
        Parameter("total", "30wd", LIMITS),
        Parameter("total_delegated", "20wd", LIMITS),
        Parameter("total_extended", "45wd", LIMITS),
        Parameter("extension_reasons", ["人户分离", "异地申办", "调查难度大"], LIMITS),
        # "审核确认权限下放到乡镇人民政府（街道办事处）的": a county may delegate, case by case.
        Parameter("delegation", "per_case",
                  f"{LIMITS}（审核确认权限下放到乡镇人民政府（街道办事处）的，20个工作日）"),
        # "公示时间不少于7天": 7 days is the minimum the engine enforces.
        Parameter("publicity", "7d", f"{DRAFT} 四(二)（不少于7天）"),
        Parameter("publicity_opinion", "初审意见", f"{DRAFT} 四(二)（严格落实低保初审公示）"),
        Parameter("publicity_channels", ["村（社区）", "网上"], f"{DRAFT} 四(二)"),
    ]


# 五(一) "集体研究确定，并做好救助档案的分类管理": the meeting's record, declared so that the
# workflow checks each datum wherever it is given (collective_decided, a correction of it) as
# it checks its own: a misspelt outcome or an impossible date is bad input, exit 2, before
# any guard. Optional as attributes (a case is opened without them): the guard below says
# that collective_decided needs them all.
COLLECTIVE_RECORD = (
    AttributeSpec("outcome", "text", choices=COLLECTIVE_OUTCOMES,
                  title=f"一事一议集体研究结果：agree（同意）或 refuse（不同意）（{COLLECTIVE}）"),
    AttributeSpec("meeting_on", "date", title=f"一事一议集体研究日期（{COLLECTIVE}）"),
    # (the least number is the locality's, collective_min_participants: the guard's)
    AttributeSpec("participants", "integer", title=f"一事一议集体研究参加人数（{COLLECTIVE}）"),
    AttributeSpec("reasons", "text", lines=True, title=f"一事一议集体研究理由（{COLLECTIVE}）"),
)


@reads_parameters("collective_min_participants")
def collective_decision_recorded(ctx) -> str | None:
    """一事一议 ends with the meeting's record: outcome, date, participants and reasons (五(一)).

    Each datum's shape is the declared attributes' (COLLECTIVE_RECORD), checked before this
    guard: what is left is that each is given, the meeting held between the referral and the
    decision, and as many participants as the locality asks (a parameter, which no declaration
    can hold)."""
    payload = ctx.payload
    if payload.get("outcome") is None:
        return (f"collective_decided needs --set outcome=agree or outcome=refuse ({COLLECTIVE}); "
                "got nothing")
    meeting = payload.get("meeting_on")
    if meeting is None:
        return "collective_decided needs --set meeting_on=YYYY-MM-DD (the meeting's date); got nothing"
    meeting_on = date.fromisoformat(str(meeting))  # (a date: the attribute's check)
    if meeting_on > ctx.on:
        return f"the meeting on {meeting_on.isoformat()} is after the decision's date {ctx.on.isoformat()}"
    # "经调查后…集体研究确定": the meeting decides the case referred to it, so it is held once the
    # case was referred (refer_collective), not before.
    referred = next((e.on for e in reversed(ctx.history) if e.event == "refer_collective"), None)
    if referred is not None and meeting_on < referred:
        return (f"the meeting on {meeting_on.isoformat()} is before the case was referred to it "
                f"on {referred.isoformat()} (refer_collective; {COLLECTIVE} 经调查后…集体研究确定)")
    minimum = ctx.parameters["collective_min_participants"]
    participants = payload.get("participants")
    if participants is None or participants < minimum.value:
        return (f"collective_decided needs --set participants=N, at least {minimum.value} "
                f"({minimum.citation}); got {given(participants)}")
    if not str(payload.get("reasons") or "").strip():
        return "collective_decided needs --set reasons=… (the meeting's reasons, for the file)"
    return None


def collective_review_routed(ctx) -> str | None:
    """一事一议 is for a household the assessment found beyond the rules with a special
    hardship (五(一) "超出政策规定条件，但经调查后确实存在特殊困难"): its recorded route. A case
    assessed outside the engine (no assess recorded) is the platform's judgement."""
    assessed = last_assessment(ctx.history)
    if assessed is None:
        return None
    route = assessed.derived.get("exception_route")
    if isinstance(route, dict) and route.get("kind") == "collective_review":
        return None
    found = assessed.derived["assessment"]["classification"]
    when = assessed.on.isoformat()
    if found == "dibao":
        return (f"the assessment of {when} found the household within the rules (dibao: its "
                "income below the standard, its property not found beyond the limits): it needs "
                f"no 一事一议 ({COLLECTIVE}); property beyond them is the investigation's finding "
                "(household.property_exceeds), to assess again with")
    # (without the route, the meeting's agreement could not lead to approval)
    return (f"the assessment of {when} ({found}) gave no 一事一议 route ({COLLECTIVE}): record "
            "the special hardship (--set special_hardship=true) and assess again")


def not_refused_collectively(ctx) -> str | None:
    """A case the 一事一议 meeting refused cannot be approved: the exception is what let an
    applicant beyond the rules in (五(一) "需要纳入…的，应当通过“一事一议”的方式，集体研究确定").

    The meeting decided on the household as it was then assessed: an assessment recorded after
    it (the investigation's figures put right) is judged by itself (assessment_permits_approval):
    within the rules it needs no 一事一议, beyond them a new meeting after it."""
    decision = ctx.attributes.get("collective_decision")
    meeting = next((e.seq for e in reversed(ctx.history) if e.event == "collective_decided"), None)
    assessed = last_assessment(ctx.history)
    if meeting is not None and assessed is not None and assessed.seq > meeting:
        return None
    if isinstance(decision, dict) and decision.get("outcome") == "refuse":
        return (f"the 一事一议 meeting of {decision.get('meeting_on')} refused the case "
                f"({COLLECTIVE}): it cannot be approved; record reject instead")
    return None


def archive_collective_case(ctx, outcome) -> None:
    """做好救助档案的分类管理: the case is archived in its own class, with the meeting's record."""
    outcome.attributes["archive_class"] = "一事一议"
    outcome.attributes["archive_basis"] = f"{COLLECTIVE}（集体研究确定，做好救助档案的分类管理）"
    outcome.attributes["collective_decision"] = {
        key: ctx.payload[key] for key in ("outcome", "meeting_on", "participants", "reasons")
    }


@hookimpl
def doudi_register_effects(register):
    register("archive_collective_case", archive_collective_case)


@hookimpl
def doudi_exception_route(province, classification, attributes, parameters):
    if province != CODE:
        return None
    # 五(一) "超出政策规定条件，但…确实存在特殊困难": a 边缘 household with special hardship too.
    if classification == "above" or attributes.get("special_hardship") is True:
        return ExceptionRoute("collective_review", "一事一议，集体研究确定", COLLECTIVE,
                              "refer_collective", approval_after="collective_decided")
    return ExceptionRoute("marginal_offer", "告知可申请低保边缘家庭认定",
                          f"{DRAFT} 一(六)（边缘家庭人均收入可提高到低保标准2倍）")


@hookimpl
def doudi_register_guards(register):
    register("collective_decision_recorded", collective_decision_recorded)
    register("collective_review_routed", collective_review_routed)
    register("not_refused_collectively", not_refused_collectively)


# 一(五): income at or above 2 × the standard keeps the benefit "一定期限内…最长不超过6个月":
# the locality sets the period (default here: the maximum, 6); severely disabled or seriously
# ill members: "可以视情延长缓退期，原则上不超过12个月".
HIGH_INCOME_MONTHS = Parameter("phase_out_months_high_income", 6,
                               f"{EXIT}（家庭人均收入达到或超过低保标准2倍的，由当地确定，最长不超过6个月）",
                               "家庭人均收入达到或超过低保标准2倍的保留低保待遇期限（月）",
                               local=True, bounds=(1, 6))
# "可以视情延长…原则上不超过12个月": how far is the locality's call; by default the 12 months.
SEVERE_MEMBER_MONTHS = Parameter("phase_out_months_severe_member", 12,
                                 f"{EXIT}（家庭中有重残重病人员的，可以视情延长缓退期，原则上不超过12个月；"
                                 "由当地确定）", "有重残重病人员的家庭延长缓退期（月）", local=True,
                                 bounds=(6, 12))


@hookimpl
def doudi_phaseout_schedule(province, per_capita_income, standard, attributes, parameters):
    """渐退缓退: the amount stays the same throughout; only the length depends on the case."""
    if province != CODE:
        return None
    basis = EXIT
    if attributes.get("severe_member") is True:
        rule = parameters["phase_out_months_severe_member"]
        months = rule.value  # (a county's: 6 to 12)
        why = f"家庭中有重残重病人员，视情延长缓退期至{months}个月（原则上不超过12个月）"
        basis = assessment.cited(rule, SEVERE_MEMBER_MONTHS.citation, EXIT)
    elif decimal(per_capita_income) < product(2, standard):
        months = 6
        why = "家庭人均收入超过低保标准但低于2倍，自收入变动起6个月内保留低保待遇"
    else:
        rule = parameters["phase_out_months_high_income"]
        months = rule.value  # (a county's: 1 to 6)
        why = f"家庭人均收入达到或超过低保标准2倍，保留低保待遇{months}个月"
        basis = assessment.cited(rule, HIGH_INCOME_MONTHS.citation, EXIT)
    # "自收入发生变动起": counted from the change (income_exceeds --set changed_on=…).
    return PhaseOut(tuple([1.0] * months), f"{basis}：{why}，维持原低保金不变", from_change=True)


@hookimpl
def doudi_leave_route(province, per_capita_income, standard, attributes, parameters):
    """三(一): with consent, straight into 边缘 or 支出型 recognition; else dynamic monitoring."""
    if province != CODE:
        return None
    rule = parameters["marginal_multiple"]  # a locality that raised it (一(六)): its own
    multiple = float(rule.value)
    given = attributes.get("marginal_multiple")
    if given is not None and given != multiple:
        # (once a value per event; now the locality's, one threshold for all its households)
        raise InvalidInput(f"marginal_multiple {spelled(given)} is not the {multiple:g} in force here "
                           f"({rule.citation}); a locality that raised it sets its parameter "
                           "marginal_multiple (doudi parameter set --workflow benefit)")
    consent = attributes.get("consent") is True
    marginal = (per_capita_income is not None and standard is not None
                and decimal(per_capita_income) <= product(multiple, standard))
    if consent and marginal:
        # (the threshold's own clause, 一(六), then the county's document where it raised it)
        threshold = assessment.cited(rule)
        return LeaveRoute("transfer", f"{TRANSFER}；{threshold}", "marginal")
    if consent and attributes.get("expenditure_hardship") is True:
        return LeaveRoute("transfer", TRANSFER, "expenditure")
    return LeaveRoute("monitoring", f"{TRANSFER}（纳入低收入人口动态监测平台）")


@hookimpl
def doudi_workflow_patches(province, workflow):
    if province != CODE:
        return None
    if workflow == "benefit":
        # The 边缘 threshold is the locality's (一(六)), for leaving 低保 (三(一)) as for the
        # assessment: the same parameter, defined here so that a county may set it.
        return [WorkflowPatch(citation=EXIT, add_parameters=(
            HIGH_INCOME_MONTHS, SEVERE_MEMBER_MONTHS, assessment.MARGINAL_MULTIPLE)),
            # 五(五) drops "重大": the change found is any change the household did not report.
            WorkflowPatch(citation=CREDIT, retitle=(("event", "change_found", "发现未主动告知的变化"),))]
    if workflow == "monitoring":
        # 三(三) sets the indicators ("通过数据交叉比对、关联分析和综合评估，筛查存在风险的困难人口")
        # and no frequency for the comparison, so no deadline.
        return [WorkflowPatch(citation=MONITORING, add_parameters=(Parameter(
            "warning_indicators", ["重病", "残疾", "就学", "失业", "工伤", "交通事故"],
            f"{MONITORING}（针对重病、残疾、就学、失业、工伤、交通事故等情况，设置预警指标）",
            "预警指标"),))]
    if workflow != "dibao":
        return None
    assessment_parameters = WorkflowPatch(citation=f"{DRAFT} 一(二)、一(四)",
                                          add_parameters=assessment.PARAMETERS)
    # "集体研究确定" sets no number: at least 3 is this system's default, a local choice.
    meeting = Parameter("collective_min_participants", 3,
                        f"{COLLECTIVE}（集体研究确定；人数未规定，默认3人为本系统的地方可调设定）",
                        "一事一议集体研究的最少参加人数",
                        local=True, bounds=(2, 99))  # (a collective is more than one person)
    # 一事一议: "经调查后" — once the investigation and 信息核对 are done (verifying), a case
    # beyond the rules goes to a collective meeting; its outcome is recorded and the case
    # returns to verifying, then 公示 and confirmation as usual. A refusal cannot be approved.
    return [
        assessment_parameters,
        WorkflowPatch(
            citation=COLLECTIVE,
            add_parameters=(meeting,),
            add_attributes=COLLECTIVE_RECORD,
            add_states=(State("collective_review", "一事一议集体研究"),),
            add_transitions=(
                Transition(
                    event="refer_collective",
                    title="提交一事一议",
                    sources=("verifying",),
                    dest="collective_review",
                    guards=("collective_review_routed",),
                ),
                Transition(
                    event="collective_decided",
                    title="一事一议集体研究确定",
                    sources=("collective_review",),
                    dest="verifying",
                    guards=("collective_decision_recorded",),
                    effects=("archive_collective_case",),
                ),
                Transition("extend", ("collective_review",), None, "特殊情况延长",
                           ("extension_reason_allowed", "not_extended",
                            "extension_in_time")),
                Transition("withdraw", ("collective_review",), "withdrawn", "申请人撤回"),
                Transition("terminate", ("collective_review",), "terminated", "终止审核确认"),
            ),
            add_guards=(("approve", "not_refused_collectively"),),
        )
    ]


@hookimpl
def doudi_assessment_rules(province, parameters):
    if province != CODE:
        return None
    return assessment.rules(parameters)


# 四(三): "共同生活的家庭成员户籍所在地不在同一县域的（包括共同生活的家庭成员中有非江苏省户籍），可以
# 由其中一个户籍所在地与经常居住地一致的家庭成员向其户籍所在地提出低保申请……；共同生活的家庭成员户籍
# 所在地与经常居住地均不一致的，可由任一家庭成员向其户籍所在地或居住地提出申请".
PLACE = f"{DRAFT} 四(三)"


@hookimpl
def doudi_place_rules(province, parameters):
    if province != CODE:
        return None
    from engine.application_place import PlaceRules

    return PlaceRules(split_by="county", inconsistent_at_residence=True, split_basis=PLACE,
                      split_note="家庭成员户籍所在地不在同一县域的，由户籍所在地与经常居住地一致的成员"
                                 "向其户籍所在地申请；均不一致的，由任一成员向其户籍所在地或居住地申请")
