"""江苏 draft: how a household's income is counted (一(二)) and who is a 单人保 (一(四))."""

from __future__ import annotations

from decimal import Decimal

from engine.assessment import AssessmentRules, Household, Member, PropertyItem, Support
from engine.money import decimal, fen_at_least, product, yuan
from engine.workflow import Parameter

DRAFT = "江苏征求意见稿"
INCOME = f"{DRAFT} 一(二)"
SINGLE = f"{DRAFT} 一(四)"
PROPERTY = f"{DRAFT} 一(三)"
SEVERE_TYPES = ("intellectual", "mental")

# Local choices the draft leaves open, each a parameter a city can set (defaults: the draft's
# floor, i.e. nothing more than the text itself grants).
MARGINAL_BASIS = f"{DRAFT} 一(六)（低保边缘家庭人均收入可从不高于低保标准1.5倍提高到2倍）"
# "有条件的地区可…提高到2倍": the locality's choice, one threshold for all its households.
MARGINAL_MULTIPLE = Parameter("marginal_multiple", 1.5, f"{DRAFT} 一(六)（有条件的地区可提高到2倍）",
                              "低保边缘家庭人均收入上限（低保标准的倍数）", local=True,
                              bounds=(1.5, 2))

# "鼓励有条件的地区将“单人保”的范围放宽至四级精神、四级智力残疾人": who is admitted by that alone is
# cited with the locality's setting too (its basis), as the share and multiple it sets are.
GRADE4_BASIS = f"{SINGLE}（鼓励有条件的地区将“单人保”的范围放宽至四级精神、四级智力残疾人）"

PARAMETERS = (
    MARGINAL_MULTIPLE,
    Parameter("employment_cost_share", 0.0,
              f"{INCOME} 二是（扣减比例由当地结合实际确定，最高不超过低保标准）",
              "就业成本扣减比例（占低保标准，最高不超过低保标准）", local=True,
              bounds=(0, 1)),
    Parameter("single_person_grade4", False, GRADE4_BASIS,
              "“单人保”放宽至四级精神、四级智力残疾人", local=True),
    # "具体车辆价值认定标准由当地结合实际制定": until a locality sets it, no car is "低值".
    Parameter("care_vehicle_value_limit", 0.0,
              f"{PROPERTY}（实际价值较低的小型车辆可不纳入车辆核定范围，具体车辆价值认定标准由当地结合实际制定）",
              "就医、出行小型车辆价值认定标准（元）", local=True, bounds=(0, 10_000_000)),
    Parameter("single_support_counted_share", 1.0,
              f"{SINGLE}（兄弟姐妹或60周岁及以上老年人的供养费用可以视情适当豁免）",
              "兄弟姐妹或60周岁及以上老年人给付的供养费用计入比例", local=True,
              bounds=(0, 1)),
)


#: Each local parameter's own citation: the draft's clause, before a county sets it.
_OWN = {p.name: p.citation for p in PARAMETERS}


def _severe(member: Member) -> bool:
    """一级、二级残疾人和三级精神、三级智力残疾人."""
    d = member.disability
    return d is not None and (d.severe or (d.grade == 3 and d.type in SEVERE_TYPES))


def _income(member: Member, kind: str, amount: float, household: Household):
    standard = household.standard
    if kind == "employment" and _severe(member):
        return (min(amount, standard), INCOME,
                "重度残疾人就业收入不超过低保标准部分不计入")
    if kind in ("odd_job", "farming") and member.age >= 60:
        # One cap for both kinds together: 打零工、自给自足种植（养殖）每月所得收入.
        # (in decimal: 1000.1 − 0.3 is 999.8000000000001 in floats, which left 0.1999999999999
        # of farming counted and a household at the standard below it)
        before = member.income.get("odd_job", 0.0) if kind == "farming" else 0.0
        return (min(decimal(amount), max(Decimal(0), decimal(standard) - decimal(before))), INCOME,
                "60周岁以上老年人打零工、自给自足种植（养殖）收入不超过低保标准部分不计入")
    d = member.disability
    if kind == "employment" and d is not None and d.grade in (3, 4):
        return (min(decimal(amount), product(0.5, standard)), INCOME,
                "其他三级、四级残疾人就业收入不超过低保标准50%部分不计入")
    return None


# 一(三): what the investigation found about an item, and the words that let it go unassessed.
PROPERTY_EXEMPT = {
    "necessity": "对于维持家庭生产生活的必需财产，可以在认定时予以适当豁免",
    "unsellable_second_home": "非因拆迁拥有两套住房，其中一套因客观原因无法变现或无法产生价值、装修水平未明显"
                              "高于当地最低生活保障水平，经核实可不纳入房产核定范围",
    "savings_from_exempt_income": "能够有效证明来源于政策规定不计入家庭收入部分形成的银行存款，一定期限内可不"
                                  "纳入金融资产核算范围",
}


def _property_rule(vehicle_limit: Parameter):
    def rule(item: PropertyItem, household: Household) -> str | None:
        if item.finding in PROPERTY_EXEMPT:
            return f"{PROPERTY}（{PROPERTY_EXEMPT[item.finding]}）"
        if item.finding != "care_vehicle":
            return None
        cared_for = any(m.seriously_ill or (m.disability is not None and m.disability.severe)
                        for m in household.members)
        # (0, the default: no local standard yet, so no car is "实际价值较低")
        if cared_for and vehicle_limit.value > 0 and item.value <= vehicle_limit.value:
            return (f"{PROPERTY}（主要用于重特大疾病患者就诊或重度残疾人出行且实际价值较低的小型车辆，"
                    f"不纳入车辆核定范围；价值认定标准{yuan(vehicle_limit.value)}元：{vehicle_limit.citation}）")
        return None

    return rule


def cited(parameter: Parameter, own: str | None = None, basis: str | None = None) -> str:
    """The draft's clause, ``basis`` (default: ``own``, the parameter's own citation, the
    draft's, as its default value has it; default: the one this module declares), and after
    it the county's document where a county set ``parameter`` (its citation then another)."""
    own = _OWN[parameter.name] if own is None else own
    basis = own if basis is None else basis
    return basis if parameter.citation == own else f"{basis}；{parameter.citation}"


def rules(parameters) -> AssessmentRules:
    extended = parameters["single_person_grade4"]
    grade4 = bool(extended.value)
    share = float(parameters["single_support_counted_share"].value)
    cost = float(parameters["employment_cost_share"].value)
    multiple = parameters["marginal_multiple"]
    # (the clause, then the county's document where a county set the share)
    support_basis = cited(parameters["single_support_counted_share"])
    cost_basis = cited(parameters["employment_cost_share"])

    def single_person(member: Member) -> bool:
        d = member.disability
        eligible = _severe(member) or (grade4 and d is not None and d.grade == 4
                                       and d.type in SEVERE_TYPES)
        return member.age >= 18 and not member.employed and eligible

    def admitted_by(member: Member) -> str | None:
        # (single_person admitted him: unless _severe did, the locality's extension did)
        if _severe(member):
            return None
        return cited(extended)

    def support(s: Support, household: Household):
        if s.giver_age >= 70 and s.giver_income_below_local_average:
            return 0.0, (f"{SINGLE}（本人收入低于当地上年人均可支配收入的70周岁以上老年人"
                         "应当给付的供养费用，直接予以豁免）")
        if s.relation == "sibling" or s.giver_age >= 60:
            return share, support_basis
        return None

    def minimum(member: Member, household: Household):
        if not _severe(member):
            return None
        standard = household.standard
        # "不低于": in fen, the least amount not below the share (rounded up, not half up)
        floor = product(0.6, standard)
        note = f"{SINGLE}（每月不低于低保标准的60%"
        allowance = member.disability_allowance_amount
        if member.disability_allowance and allowance is None:
            note += "；与困难残疾人生活补贴之和不低于低保标准的100%（补贴金额未给出）"
        elif (member.disability_allowance and allowance is not None
              and decimal(standard) - decimal(allowance) > floor):
            floor = decimal(standard) - decimal(allowance)
            note = (f"{SINGLE}（与困难残疾人生活补贴{yuan(allowance)}元之和不低于低保标准的100%："
                    f"{yuan(standard)}−{yuan(allowance)}")
        return fen_at_least(floor), note + "）"

    return AssessmentRules(
        whole_household_basis=f"{DRAFT} 一(一)（申请家庭符合条件的，不得仅将个别家庭成员纳入低保范围）",
        single_person=single_person,
        single_person_basis=SINGLE,
        single_person_basis_for=admitted_by if grade4 else None,
        support_rule=support,
        income_rule=_income,
        employment_cost_share=min(cost, 1.0),
        employment_cost_basis=cost_basis,
        property_rule=_property_rule(parameters["care_vehicle_value_limit"]),
        deduct_rigid_spending=True,
        rigid_spending_basis=(f"{INCOME} 三是（因病、因残、因学等长期存在的刚性支出，"
                              "可在认定收入时予以适当扣除）"),
        minimum_benefit=minimum,
        # "确实难以就业或者连续6个月以上无法获得收入的": 以上 includes the 6 (民法典 第1259条).
        real_hardship_basis=(f"{INCOME} 一是（采取行业收入评估基本标准或最低工资标准核算非固定从业收入的，"
                             "对确实难以就业或者连续6个月以上无法获得收入的，根据家庭实际困难情况综合判断）"),
        real_hardship_months=6,
        marginal_multiple=float(multiple.value),
        # "从不高于低保标准1.5倍提高到2倍": at the multiple itself still 边缘, as on leaving (三(一))
        marginal_inclusive=True,
        marginal_basis=cited(multiple, basis=MARGINAL_BASIS),
    )
