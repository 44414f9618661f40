"""Household assessment: the countable per-capita income, rule by rule, and the class it puts
the household in (``dibao`` below the standard, ``marginal`` below the 边缘 multiple, ``above``).

The computation is the same everywhere; what a province decides — who may apply as a
single-person household, which support is exempt, which income is not counted, what may be
deducted — comes from its ``AssessmentRules`` (hook ``doudi_assessment_rules``). Every step
names the clause behind it, so a case officer can check the result line by line.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from operator import attrgetter
from typing import Any

import attrs
from attrs import frozen

from engine.arguments import json_object, spelled
from engine.errors import EventRefused, InvalidInput, PluginError
from engine.json_reader import Reader
from engine.money import decimal, product, to_fen, yuan
from engine.shapes import fields_checked, is_instance, is_number

DISABILITY_TYPES = ("physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple")
RELATIONS = ("spouse", "parent", "child", "sibling", "grandparent", "grandchild", "other")
# "imputed": income the investigation computed rather than found (劳动力系数, 行业收入评估基本标准,
# 最低工资标准), which some provinces set aside for a member who really cannot earn.
INCOME_KINDS = ("employment", "odd_job", "farming", "business", "property", "pension", "imputed",
                "other")
# What the investigation found about a property item, where a province may exempt it:
# 维持家庭生产生活的必需财产; a small car mainly for a seriously ill member's treatment or a severely
# disabled member's travel; a second home that cannot be sold or earn; savings from income
# that is not counted.
PROPERTY_FINDINGS = ("necessity", "care_vehicle", "unsellable_second_home",
                     "savings_from_exempt_income")
NATIONAL = "民发〔2021〕57号（家庭经济状况认定）"
PROPERTY_BASIS = ("民发〔2021〕57号（家庭财产状况符合当地规定）；民发〔2022〕83号（低保边缘家庭财产状况符合"
                  "相关规定）")
CLASS_NAMES = {"dibao": "低保", "marginal": "低保边缘", "above": "超出边缘标准"}
MARGINAL = "民发〔2022〕83号（低保边缘家庭：人均收入低于1.5倍低保标准）"


# -- the household, as a platform sends it ------------------------------------------------------


@frozen
class Disability:
    grade: int  # 1 (most severe) to 4
    type: str  # one of DISABILITY_TYPES

    @property
    def severe(self) -> bool:
        """一级、二级 (the national 重度 grades)."""
        return self.grade <= 2


@frozen
class Member:
    id: str
    age: int
    employed: bool = False
    disability: Disability | None = None
    income: Mapping[str, float] = attrs.Factory(dict)  # monthly, this member's own share
    disability_allowance: bool = False  # 困难残疾人生活补贴
    disability_allowance_amount: float | None = None  # its monthly amount, where known
    cannot_earn: bool = False  # found: 确实难以就业或者较长时间无法获得收入
    seriously_ill: bool = False  # 重病患者
    months_without_income: int = 0  # consecutive months, as the investigation found


@frozen
class Support:
    """Support (赡养、抚养、扶养费) paid to a member by someone outside the household."""

    to: str
    relation: str
    giver_age: int
    amount: float  # monthly
    giver_income_below_local_average: bool = False  # below last year's local disposable income


@frozen
class PropertyItem:
    kind: str
    value: float
    owner: str | None = None  # a member id; None: the household's
    finding: str | None = None  # one of PROPERTY_FINDINGS, which some provinces exempt

    def to_json(self) -> dict:
        return attrs.asdict(self, filter=lambda a, v: a.name != "finding" or v is not None)


@frozen
class Household:
    standard: float  # the local 低保标准, yuan per person per month
    members: tuple[Member, ...]
    applicant: str
    single_person: bool = False  # applying as a single-person household (单人户)
    support: tuple[Support, ...] = ()
    property: tuple[PropertyItem, ...] = ()
    rigid_spending: float = 0.0  # monthly long-term illness/disability/schooling spending
    marginal_multiple: float | None = None  # a locality that raised its 边缘 threshold
    # The investigation found the property beyond the local limits: no seed gives the limits,
    # so the engine takes the finding rather than judging the items itself.
    property_exceeds: bool = False

    def member(self, member_id: str) -> Member:
        return next(m for m in self.members if m.id == member_id)

    @classmethod
    def from_json(cls, data: Any) -> Household:
        """Parse a household; a malformed one raises :class:`InvalidInput` naming the field."""
        reader = Reader(data, "household")
        reader.only("members", "applicant", "support", "property", "standard",
                    "marginal_multiple", "single_person", "rigid_spending", "property_exceeds")
        members, applicant = reader.members(_member)
        ids = [m.id for m in members]
        support = tuple(_support(r, ids) for r in reader.items("support", required=False))
        prop = tuple(_property(r) for r in reader.items("property", required=False))
        standard = reader.number("standard")
        if standard <= 0:
            raise InvalidInput("household.standard: must be more than 0")
        if round(standard, 2) != standard:  # (as a case's standard: docs/counting.md "Amounts")
            raise InvalidInput(f"household.standard: yuan to the fen, at most two decimals, got "
                               f"{spelled(standard)}")
        multiple = reader.number("marginal_multiple", default=None)
        return cls(
            standard=standard,
            members=members,
            applicant=applicant,
            single_person=reader.boolean("single_person", default=False),
            support=support,
            property=prop,
            rigid_spending=reader.number("rigid_spending", default=0.0),
            marginal_multiple=multiple,
            property_exceeds=reader.boolean("property_exceeds", default=False),
        )


def _member(r: Reader) -> Member:
    r.only("id", "age", "employed", "disability", "income", "disability_allowance",
           "disability_allowance_amount", "cannot_earn", "months_without_income", "seriously_ill")
    disability = None
    if r.has("disability"):
        d = r.child("disability").only("grade", "type")
        grade = d.number("grade")
        if grade not in (1, 2, 3, 4):
            raise InvalidInput(f"{d.path}.grade: {spelled(grade)} is not a disability grade (1 to 4)")
        kind = d.text("type")
        if kind not in DISABILITY_TYPES:
            raise InvalidInput(f"{d.path}.type: {spelled(kind)} is not one of {', '.join(DISABILITY_TYPES)}")
        disability = Disability(int(grade), kind)
    income: dict[str, float] = {}
    if r.has("income"):
        block = r.child("income")
        for kind in block.fields():
            if kind not in INCOME_KINDS:
                raise InvalidInput(f"{block.path}.{kind}: unknown income kind "
                                   f"(kinds: {', '.join(INCOME_KINDS)})")
            income[kind] = block.number(kind)
    return Member(
        id=r.text("id"),
        age=_age(r, "age"),  # (whole years: 17.9 is not 18)
        employed=r.boolean("employed", default=False),
        disability=disability,
        income=income,
        disability_allowance=_allowance(r),
        disability_allowance_amount=r.number("disability_allowance_amount", default=None),
        cannot_earn=r.boolean("cannot_earn", default=False),
        seriously_ill=r.boolean("seriously_ill", default=False),
        months_without_income=r.whole("months_without_income", default=0),
    )


#: No one has lived longer: an age beyond it is a typo (300 for 30), and ages decide exemptions.
OLDEST = 130


def _age(r: Reader, key: str) -> int:
    age = r.whole(key)
    if age > OLDEST:
        raise InvalidInput(f"{r.path}.{key}: {age} years is not an age (at most {OLDEST})")
    return age


def _property(r: Reader) -> PropertyItem:
    r.only("kind", "value", "owner", "finding")
    finding = r.text("finding", default=None)
    if finding is not None and finding not in PROPERTY_FINDINGS:
        raise InvalidInput(f"{r.path}.finding: {spelled(finding)} is not one of "
                           f"{', '.join(PROPERTY_FINDINGS)}")
    return PropertyItem(r.text("kind"), r.number("value"), r.text("owner", default=None), finding)


def _allowance(r: Reader) -> bool:
    """困难残疾人生活补贴 received: said so, or its amount given (false beside one is refused)."""
    said = r.boolean("disability_allowance", default=False)
    if not r.has("disability_allowance_amount"):
        return said
    if r.has("disability_allowance") and not said:
        raise InvalidInput(f"{r.path}.disability_allowance: false, but "
                           "disability_allowance_amount is given")
    return True


def _support(r: Reader, ids: list[str]) -> Support:
    r.only("to", "relation", "giver_age", "amount", "giver_income_below_local_average")
    to = r.text("to")
    if to not in ids:
        raise InvalidInput(f"{r.path}.to: {spelled(to)} is not a member id")
    relation = r.text("relation")
    if relation not in RELATIONS:
        raise InvalidInput(f"{r.path}.relation: {spelled(relation)} is not one of {', '.join(RELATIONS)}")
    return Support(to, relation, _age(r, "giver_age"), r.number("amount"),
                   r.boolean("giver_income_below_local_average", default=False))


# -- what a province decides ----------------------------------------------------------------------

#: (share of the amount still counted, clause) — or None where the province has no rule.
SupportRule = Callable[[Support, Household], "tuple[float, str] | None"]
#: The clause exempting a property item (with a finding) from the assessment — or None.
PropertyRule = Callable[[PropertyItem, Household], "str | None"]
#: (amount not counted, clause, note) for a member's income of one kind — or None.
IncomeRule = Callable[[Member, str, float, Household], "tuple[float, str, str] | None"]


def _number_within(least: float, greatest: float | None, example: str):
    """A validator: a number (not true/false) from ``least`` up to ``greatest``."""
    def validate(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        # (written as "within", so that NaN, which compares false with everything, fails)
        if not is_number(value) or not (
                least <= value <= (math.inf if greatest is None else greatest)
                and math.isfinite(value)):
            upto = f"to {greatest:g}" if greatest is not None else "or more"
            raise ValueError(f"{type(instance).__name__} {attribute.name}: expected a number "
                             f"from {least:g} {upto} ({example}), got {spelled(value)}")
    return validate


def _is_number(value: Any) -> bool:
    """A finite number (a ``Decimal`` too): a rule's NaN was stored as JSON no reader takes
    (or failed the write in a traceback), or, as an amount not counted, silently ignored."""
    if isinstance(value, Decimal):
        return value.is_finite()
    return is_number(value) and (isinstance(value, int) or math.isfinite(value))


def _json_flags(value: Any) -> dict[str, Any]:
    """``single_person_flags`` as plain JSON, checked when built (a TypeError naming the
    field): they are recorded with the assessment, where NaN, a date or a mapping that holds
    itself failed the event's write in a traceback."""
    if type(value) is dict and not value:  # (most provinces set none)
        return {}
    try:
        return json_object(value, "AssessmentRules single_person_flags")
    except InvalidInput as exc:
        raise TypeError(str(exc)) from None


#: What each province rule returns (checked on every call) and how an error says it.
RULE_ANSWERS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "single_person": (is_instance(bool), "True or False"),
    "single_person_basis_for": (lambda v: v is None or (isinstance(v, str) and bool(v.strip())),
                                "None or the clause (text that says something)"),
    "severely_disabled": (is_instance(bool), "True or False"),
    "support_rule": (lambda v: v is None or (isinstance(v, tuple) and len(v) == 2 and _is_number(
        v[0]) and isinstance(v[1], str)), "None or (share still counted, clause)"),
    "income_rule": (lambda v: v is None or (isinstance(v, tuple) and len(v) == 3 and _is_number(
        v[0]) and isinstance(v[1], str) and isinstance(v[2], str)),
        "None or (amount not counted, clause, note)"),
    "property_rule": (lambda v: v is None or isinstance(v, str), "None or the clause (text)"),
    "minimum_benefit": (lambda v: v is None or (isinstance(v, tuple) and len(v) == 2 and _is_number(
        v[0]) and isinstance(v[1], str)), "None or (monthly amount, clause)"),
}


def _province_rule(what: str) -> Callable[[Any], Any]:
    """The converter of a field holding a province's function (a rule it counts by),
    called so that its failure, or an answer of the wrong shape (:data:`RULE_ANSWERS`), is
    one line naming the plugin and the rule, not a traceback in the assessment."""
    answers, shape = RULE_ANSWERS[what]

    def convert(function: Any) -> Any:
        if function is None or not callable(function) or getattr(function, "doudi_rule", False):
            return function

        @functools.wraps(function)
        def rule(*args: Any, **kwargs: Any) -> Any:
            from engine.plugins import failing_as, plugin_named

            with failing_as(function, f"the AssessmentRules {what}"):
                answer = function(*args, **kwargs)
            if not answers(answer):
                raise PluginError(f"{plugin_named(function)}, the AssessmentRules {what}, "
                                  f"returned {answer!r}, not {shape}")
            return answer

        rule.doudi_rule = True  # type: ignore[attr-defined]
        return rule

    return convert


def _function_or_none(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None and not callable(value):
        raise TypeError(f"AssessmentRules {attribute.name}: expected a function or None, got "
                        f"{spelled(value)}")


@frozen
class AssessmentRules:
    """Everything a province decides about counting a household's income.

    The shares and the multiple are checked when built (a ValueError naming the field): an
    ``employment_cost_share`` of 20 meant for 20 % deducted 20 times the standard, silently.
    """

    # (each converter=_province_rule(…) below is made by a call, which mypy's attrs plugin
    # does not follow: ignored for it)
    # who may apply alone (单人户)
    single_person: Callable[[Member], bool] | None = attrs.field(
        default=None, converter=_province_rule("single_person"), validator=_function_or_none)  # type: ignore[misc]
    single_person_basis: str = ""
    # applies to single-person households
    support_rule: SupportRule | None = attrs.field(
        default=None, converter=_province_rule("support_rule"), validator=_function_or_none)  # type: ignore[misc]
    income_rule: IncomeRule | None = attrs.field(
        default=None, converter=_province_rule("income_rule"), validator=_function_or_none)  # type: ignore[misc]
    # share of the standard deducted from employment income
    employment_cost_share: float = attrs.field(
        default=0.0, validator=_number_within(0, 1, "0.2 for 20 % of the standard"))
    employment_cost_basis: str = ""
    deduct_rigid_spending: bool = False
    rigid_spending_basis: str = ""
    single_person_flags: Mapping[str, Any] = attrs.field(  # e.g. no 分类救助
        factory=dict, converter=_json_flags)
    # exemptions of property the investigation found
    property_rule: PropertyRule | None = attrs.field(
        default=None, converter=_province_rule("property_rule"), validator=_function_or_none)  # type: ignore[misc]
    # Severely disabled or seriously ill members of a 边缘 household may apply alone
    # (参照“单人户”); "" where the province has no such rule.
    marginal_single_person_basis: str = ""
    # Who the province counts as 重度残疾人 (None: grades 1–2, the national 重度).
    severely_disabled: Callable[[Member], bool] | None = attrs.field(
        default=None, converter=_province_rule("severely_disabled"), validator=_function_or_none)  # type: ignore[misc]
    minimum_benefit: Callable[[Member, Household], tuple[float, str] | None] | None = attrs.field(
        default=None, converter=_province_rule("minimum_benefit"), validator=_function_or_none)  # type: ignore[misc]
    # The 边缘 threshold in force (a multiple of the standard) and its clause: a locality that
    # raised it sets it as a parameter, so every household of a county is judged on one.
    marginal_multiple: float = attrs.field(
        default=1.5, validator=_number_within(1, None, "1.5 for 1.5 × the standard"))
    marginal_basis: str = MARGINAL
    # 边缘 up to and including the multiple ("不高于"), not only below it ("低于", 83号)
    marginal_inclusive: bool = False
    # "申请家庭符合条件的，不得仅将个别家庭成员纳入低保范围": an approval names as many people as
    # the assessment counted; "" where no clause says so (then nothing is checked).
    whole_household_basis: str = ""
    # Imputed income of a member who cannot earn is set aside and the household judged on its
    # real hardship; "" where the province has no such rule (then imputed income counts).
    real_hardship_basis: str = ""
    real_hardship_months: int | None = None  # months without income that also qualify
    # The clause by which the province recognises 支出型 households on the assessment: one
    # above the standard whose exception route, its hardship claimed, is ``expenditure_type``.
    # "" where its clauses leave 支出型 to local judgement: then a 支出型 recognition is not
    # checked against the assessment.
    expenditure_basis: str = ""
    # The clause that admitted this applicant alone, where it is not ``single_person_basis``:
    # one a locality's own choice admitted (a county's setting, cited with its basis, as a
    # share or multiple it set is). Asked only for an applicant ``single_person`` admitted;
    # None, or an answer of None: ``single_person_basis``.
    # (checked and wrapped as the rules above are, but by __attrs_post_init__ and only when
    # given: a converter and validator cost every building of the rules)
    single_person_basis_for: Callable[[Member], str | None] | None = None

    def __attrs_post_init__(self) -> None:
        # The clauses (recorded with the assessment), switches and months, checked all at once
        # (a TypeError naming the field): a validator each doubled the cost of building the
        # rules, which a province's hook does for every assessment and approval.
        # (single_person_basis_for, None in the common case, is checked and wrapped here)
        months = self.real_hardship_months
        if (_TEXT.issuperset(map(type, _CLAUSES(self))) and type(self.marginal_inclusive) is bool
                and type(self.deduct_rigid_spending) is bool
                and (months is None or (type(months) is int and months >= 0))
                and self.single_person_basis_for is None):
            return
        fields_checked(self, _CHECKED)
        if self.single_person_basis_for is not None:
            object.__setattr__(self, "single_person_basis_for",
                               _BASIS_FOR(self.single_person_basis_for))


_CLAUSE_NAMES = ("single_person_basis", "employment_cost_basis", "rigid_spending_basis",
                 "marginal_single_person_basis", "marginal_basis", "whole_household_basis",
                 "real_hardship_basis", "expenditure_basis")
_CLAUSES, _TEXT = attrgetter(*_CLAUSE_NAMES), frozenset({str})
_BASIS_FOR = _province_rule("single_person_basis_for")
_SWITCH_NAMES = ("deduct_rigid_spending", "marginal_inclusive")
_CHECKED = (
    (_CLAUSE_NAMES, 'the clause (text; "" for none)', is_instance(str)),
    (_SWITCH_NAMES, "True or False", is_instance(bool)),
    (("real_hardship_months",), "None or a whole number of months", lambda v: v is None or (
        isinstance(v, int) and not isinstance(v, bool) and v >= 0)),
    (("single_person_basis_for",), "a function or None", lambda v: v is None or callable(v)),
)


# -- the result -----------------------------------------------------------------------------------


@frozen
class Step:
    rule: str
    counted: float
    citation: str
    note: str = ""
    member: str | None = None

    def to_json(self) -> dict:
        return attrs.asdict(self)


@frozen
class Assessment:
    province: str
    standard: float
    household_size: int
    countable_income: float
    per_capita: float
    classification: str  # dibao | marginal | above
    marginal_multiple: float
    steps: tuple[Step, ...]
    flags: Mapping[str, Any]

    def to_json(self) -> dict:
        return {
            "province": self.province,
            "standard": self.standard,
            "household_size": self.household_size,
            "countable_income": self.countable_income,
            "per_capita": self.per_capita,
            "classification": self.classification,
            "marginal_multiple": self.marginal_multiple,
            "steps": [s.to_json() for s in self.steps],
            "flags": dict(self.flags),
        }


def assess(province: str, household: Household, rules: AssessmentRules) -> Assessment:
    """The countable income of ``household`` under ``rules``, every step with its clause."""
    steps: list[Step] = []
    flags: dict[str, Any] = {}
    members = household.members
    applicant = household.member(household.applicant)
    # A 单人户 by the province's own rule gets its exemptions and flags; one let in because the
    # household is 边缘 (marginal_single_person_basis) is only assessed alone.
    alone = household.single_person and rules.single_person is not None and \
        rules.single_person(applicant)
    if household.single_person and not alone:
        members = (applicant,)
        steps.append(_marginal_single_person(province, household, applicant, rules))
    elif alone:
        members = (applicant,)
        admitted_by = rules.single_person_basis
        if rules.single_person_basis_for is not None:  # (a locality's own extension, say)
            admitted_by = rules.single_person_basis_for(applicant) or admitted_by
        steps.append(Step("single_person", 0.0, admitted_by,
                          "单人户：只核算申请人本人的收入、财产和获得的供养费用", applicant.id))
        flags.update(rules.single_person_flags)
        if rules.minimum_benefit is not None:
            minimum = rules.minimum_benefit(applicant, household)
            if minimum is not None:
                flags["minimum_benefit"], flags["minimum_benefit_basis"] = minimum
    # Summed in decimal, unrounded (engine.money): rounded only where shown.
    total = Decimal(0)
    cost_left = product(min(rules.employment_cost_share, 1.0), household.standard)
    hardship: list[str] = []
    # (an income rule's (disregarded, citation, note), then a support rule's (share, citation))
    ruled: tuple[float, str, str] | tuple[float, str] | None
    for member in members:
        for kind, amount in member.income.items():
            if kind == "imputed" and (why := _real_hardship(member, rules)):
                steps.append(Step("income:imputed", 0.0, rules.real_hardship_basis,
                                  f"{why}：核算收入{yuan(amount)}元不计入，根据家庭实际困难情况综合判断",
                                  member.id))
                hardship.append(member.id)
                continue
            counted, citation, note = decimal(amount), NATIONAL, ""
            ruled = rules.income_rule(member, kind, amount, household) if rules.income_rule else None
            if ruled is not None and ruled[0] > 0:
                disregarded, citation, note = ruled
                counted -= min(decimal(disregarded), counted)
            if kind == "employment" and cost_left > 0 and counted > 0:
                deduction = min(cost_left, counted)
                counted -= deduction
                note = (note + "；" if note else "") + f"扣减就业成本{yuan(to_fen(deduction))}元"
                citation = citation if citation != NATIONAL else rules.employment_cost_basis
            elif (kind == "employment" and counted > 0 and rules.employment_cost_share <= 0
                  and rules.employment_cost_basis and citation == NATIONAL):
                # A province that says there is no deduction (or ended one) is the clause.
                citation, note = rules.employment_cost_basis, f"计入{yuan(amount)}元，不扣减就业成本"
            steps.append(Step(f"income:{kind}", to_fen(counted), citation,
                              note or f"计入{yuan(amount)}元", member.id))
            total += counted
    counted_ids = {m.id for m in members}
    for support in household.support:
        if support.to not in counted_ids:
            continue
        share, citation = 1.0, NATIONAL
        ruled = rules.support_rule(support, household) if (
            rules.support_rule and alone) else None
        if ruled is not None:
            share, citation = ruled
        counted = product(support.amount, share)
        steps.append(Step("support", to_fen(counted), citation,
                          f"{support.relation}（{support.giver_age}岁）给付{yuan(support.amount)}元，"
                          f"计入{yuan(product(share, 100))}%", support.to))
        total += counted
    if rules.deduct_rigid_spending and household.rigid_spending:
        deduction = min(decimal(household.rigid_spending), total)
        steps.append(Step("rigid_spending", -to_fen(deduction), rules.rigid_spending_basis,
                          f"扣除刚性支出{yuan(to_fen(deduction))}元"))
        total -= deduction
    size = len(members)
    per_capita = to_fen(total / size)  # (shown; the lines are tested on the exact total)
    multiple = rules.marginal_multiple
    basis: str | None  # (the marginal threshold's clause, then a property rule's exemption)
    basis = rules.marginal_basis
    given = household.marginal_multiple
    if given is not None and given != multiple:
        # (once a value per household; now the locality's, so that no two of its households
        # are judged on different thresholds)
        raise InvalidInput(
            f"household.marginal_multiple: {given:g} is not the {multiple:g} in force in "
            f"{province} ({rules.marginal_basis}); a locality that raised it sets its "
            "parameter marginal_multiple (doudi parameter set)")
    # Per capita below a line is the total below size × the line, in decimal: 2,999.99 yuan
    # for three is below 1,000 a head (999.9967 shown as 1000), and 1,200.30 is not below 1.5
    # × 800.20 (engine.money).
    standard, income = product(size, household.standard), total
    if income < standard:
        classification = "dibao"
    elif income < standard * decimal(multiple) or (
            rules.marginal_inclusive and income <= standard * decimal(multiple)):
        classification = "marginal"
    else:
        classification = "above"
    if income == standard:
        # Exactly the standard: not below it (not 低保, 57号 "低于"), and not above it either
        # (a province whose 支出型 is "收入高于低保标准" reads this; shown rounded, the per
        # capita cannot tell 900.004 from 900).
        flags["at_standard"] = True
    steps.append(Step("classification", per_capita, basis,
                      f"人均{yuan(per_capita)}元，标准{yuan(household.standard)}元，边缘上限{multiple:g}倍"
                      + ("（含）" if rules.marginal_inclusive else "")))
    if household.property_exceeds:
        # 低保 and 边缘 alike need the property within the local limits: a household found
        # beyond them is outside the rules whatever its income (an exception route may still
        # take it in, as 一事一议 does "收入、财产等情况超出政策规定条件").
        steps.append(Step("property_exceeds", 0.0, PROPERTY_BASIS,
                          f"调查认定家庭财产状况超出当地规定条件（按收入为{CLASS_NAMES[classification]}）"))
        flags["property_exceeds"] = True
        classification = "above"
    if hardship:
        flags["real_hardship"], flags["real_hardship_basis"] = hardship, rules.real_hardship_basis
    owned = [p for p in household.property
             if not household.single_person or p.owner == applicant.id]
    assessed, exempt = [], []
    for item in owned:
        basis = rules.property_rule(item, household) if (
            rules.property_rule and item.finding) else None
        if basis:
            exempt.append({**item.to_json(), "basis": basis})
        else:
            assessed.append(item.to_json())
    flags["property_assessed"] = assessed
    if exempt:
        flags["property_exempt"] = exempt
    return Assessment(province, household.standard, size, to_fen(total), per_capita,
                      classification, multiple, tuple(steps), flags)


def _marginal_single_person(province: str, household: Household, applicant: Member,
                            rules: AssessmentRules) -> Step:
    """The step letting ``applicant`` of a 边缘 household be assessed alone (参照“单人户”纳入低保),
    or :class:`EventRefused` saying why not."""
    refused = f"applicant {applicant.id} cannot apply as a single-person household in {province}"
    if not rules.marginal_single_person_basis:
        raise EventRefused(refused + (f" ({rules.single_person_basis})"
                                      if rules.single_person_basis else " (no rule provides for it)"))
    severe = rules.severely_disabled or (lambda m: m.disability is not None and m.disability.severe)
    special = [why for why, found in (("重度残疾人", severe(applicant)),
                                       ("重病患者", applicant.seriously_ill)) if found]
    if not special:
        own = f"not one the 单人户 rule admits ({rules.single_person_basis}), and " if (
            rules.single_person_basis) else ""
        raise EventRefused(f"{refused}: {own}neither severely disabled nor seriously ill "
                           f"({rules.marginal_single_person_basis})")
    whole = assess(province, attrs.evolve(household, single_person=False), rules)
    if whole.classification != "marginal":
        # (a household beyond the property limits is above whatever its income: say so, not
        # "above (per capita …)", which blames an income that may be within the bounds)
        why = ("its property exceeds the local limits" if whole.flags.get("property_exceeds")
               else f"per capita {yuan(whole.per_capita)}")
        raise EventRefused(f"{refused}: the household as a whole is {whole.classification} ({why}), "
                           f"not 边缘 ({rules.marginal_single_person_basis})")
    return Step("single_person", 0.0, rules.marginal_single_person_basis,
                f"低保边缘家庭（人均{yuan(whole.per_capita)}元）中的{'、'.join(special)}，经本人申请参照“单人户”"
                "核算", applicant.id)


def _real_hardship(member: Member, rules: AssessmentRules) -> str | None:
    """Why ``member``'s imputed income is set aside under ``rules``, or None if it counts."""
    if not rules.real_hardship_basis:
        return None
    if member.cannot_earn:
        return "调查认定确实难以就业或者较长时间无法获得收入"
    months = rules.real_hardship_months
    if months is not None and member.months_without_income >= months:
        return f"连续{member.months_without_income}个月无法获得收入（{months}个月以上）"
    return None
