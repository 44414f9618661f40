"""Household assessment: the same household under three provinces gives three countable
incomes, each explained rule by rule with its clause (amounts computed by hand)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from engine import Engine
from engine.cli import cli
from engine.errors import EventRefused, InvalidInput

# A severely disabled adult without work (grade 1, physical), living with a pensioner mother,
# applies alone (单人户); a brother (40) pays 500 a month, an aunt (82) 200.
HOUSEHOLD = {
    "standard": 900,
    "applicant": "m1",
    "single_person": True,
    "members": [
        {"id": "m1", "age": 34, "disability": {"grade": 1, "type": "physical"},
         "income": {"other": 100}},
        {"id": "m2", "age": 66, "income": {"pension": 2400}},
    ],
    "support": [
        {"to": "m1", "relation": "sibling", "giver_age": 40, "amount": 500},
        {"to": "m1", "relation": "other", "giver_age": 82, "amount": 200},
    ],
    "property": [{"kind": "savings", "value": 3000, "owner": "m1"},
                 {"kind": "house", "value": 200000}],
}


@pytest.fixture
def engine(tmp_path):
    return Engine.open(str(tmp_path / "x.db"))


def steps(result, rule):
    return [s for s in result.steps if s.rule == rule]


def test_shanxi_single_person_household_exempts_support_from_siblings_and_elderly(engine):
    """晋民发〔2023〕31号 一(二): "成年无业重度残疾人可以参照'单人户'提出低保申请。依靠兄弟姐妹或者60周岁
    及以上老年人供养的……给付的供养费用予以豁免；……只评估个人拥有的财产"."""
    result = engine.assess("shanxi", HOUSEHOLD)
    # Own income 100; brother's 500 exempt (sibling); aunt's 200 exempt (82 ≥ 60) → 100.
    assert [s.counted for s in steps(result, "support")] == [0.0, 0.0]
    assert result.countable_income == 100
    assert (result.household_size, result.per_capita, result.classification) == (1, 100, "dibao")
    assert all("晋民发〔2023〕31号 一(二)" in s.citation for s in steps(result, "support"))
    # Only the applicant's own property is assessed; the mother's pension is not counted.
    assert result.flags["property_assessed"] == [{"kind": "savings", "value": 3000, "owner": "m1"}]
    assert not [s for s in result.steps if s.member == "m2"]


def test_tianjin_single_person_household_counts_30_percent_and_nothing_from_80(engine):
    """津民发〔2023〕13号 一(一): "给付的供养费用可按70%的比例豁免，80周岁及以上老年人可不计算给付供养
    费用……不享受分类救助政策"."""
    result = engine.assess("tianjin", HOUSEHOLD)
    # Own 100 + brother 500 × 30 % = 150 + aunt (82 ≥ 80) 0 → 250.
    assert [s.counted for s in steps(result, "support")] == [150.0, 0.0]
    assert result.countable_income == 250
    assert result.classification == "dibao"
    assert result.flags["classified_assistance"] is False


def test_jiangsu_single_person_household_exempts_only_the_poor_elderly_by_default(engine):
    """江苏征求意见稿 一(四): siblings' or 60+ support "可以视情适当豁免" (a local choice: counted by
    default); "对本人收入低于当地上年人均可支配收入的70周岁以上老年人应当给付的供养费用，直接予以豁免";
    benefit "不低于当地最低生活保障标准的60%"."""
    result = engine.assess("jiangsu_draft", HOUSEHOLD)
    # Own 100 + brother 500 (counted) + aunt 200 (82, but her income is not shown below the
    # local average, so counted as 60+ support: 100 %) → 800.
    assert [s.counted for s in steps(result, "support")] == [500.0, 200.0]
    assert result.countable_income == 800
    assert result.classification == "dibao"  # 800 < 900
    assert result.flags["minimum_benefit"] == 540.0  # 60 % of 900
    poor_aunt = json.loads(json.dumps(HOUSEHOLD))
    poor_aunt["support"][1]["giver_income_below_local_average"] = True
    assert engine.assess("jiangsu_draft", poor_aunt).countable_income == 600  # 100 + 500 + 0


PROPERTY = [
    {"kind": "农机具", "value": 5000, "finding": "necessity"},
    {"kind": "小型汽车", "value": 30000, "finding": "care_vehicle"},
    {"kind": "第二套住房", "value": 200000, "finding": "unsellable_second_home"},
    {"kind": "存款", "value": 8000, "finding": "savings_from_exempt_income"},
    {"kind": "存款", "value": 2000},
]


def test_a_jiangsu_locality_extends_single_person_to_grade_4_mental_and_intellectual(engine):
    """江苏征求意见稿 一(四): "鼓励有条件的地区将“单人保”的范围放宽至四级精神、四级智力残疾人" — a local
    choice (single_person_grade4, false by default); the 60 % floor is for "一级、二级重度残疾人和三级
    精神残疾人、三级智力残疾人" only.

    An adult of 40 without work, grade 4 intellectual, with 100 a month of his own, living with
    his father (72, pension 1500) who pays him 300 and whose income is below the local average:
    by default no 单人户 (refused). In 昆山市, which extends it from 2026-01-01: assessed alone,
    100 counted, the father's 300 exempt (70+, "直接予以豁免"), per capita 100 < 900: 低保, and
    no minimum benefit. A grade 4 physical disability is not extended, there either."""
    household = {"standard": 900, "applicant": "m1", "single_person": True, "members": [
        {"id": "m1", "age": 40, "disability": {"grade": 4, "type": "intellectual"},
         "income": {"other": 100}},
        {"id": "m2", "age": 72, "income": {"pension": 1500}}],
        "support": [{"to": "m1", "relation": "parent", "giver_age": 72, "amount": 300,
                     "giver_income_below_local_average": True}]}
    with pytest.raises(EventRefused, match=r"cannot apply as a single-person household in "
                                           r"jiangsu_draft \(江苏征求意见稿 一\(四\)\)"):
        engine.assess("jiangsu_draft", household)
    engine.set_parameter("jiangsu_draft", "昆山市", "single_person_grade4", True,
                         "昆山市民政局 测试文件 第5条", date(2026, 1, 1))
    result = engine.assess("jiangsu_draft", household, county="昆山市")
    assert (result.household_size, result.countable_income, result.per_capita) == (1, 100, 100)
    assert [s.counted for s in steps(result, "support")] == [0]
    assert result.classification == "dibao"
    assert "minimum_benefit" not in result.flags
    physical = json.loads(json.dumps(household))
    physical["members"][0]["disability"]["type"] = "physical"
    with pytest.raises(EventRefused, match="cannot apply as a single-person household"):
        engine.assess("jiangsu_draft", physical, county="昆山市")


# 江苏征求意见稿 一(四): "成年无业的一、二级残疾人和三级精神、三级智力残疾人，可以参照“单人户”提出低保
# 申请" (the draft's own 单人保), and "鼓励有条件的地区将“单人保”的范围放宽至四级精神、四级智力残疾人"
# (a county's choice, single_person_grade4): who is admitted by that alone cites the county's
# setting with it, as the employment-cost share and the 边缘 multiple a county set do.
SINGLE = "江苏征求意见稿 一(四)"
GRADE4 = f"{SINGLE}（鼓励有条件的地区将“单人保”的范围放宽至四级精神、四级智力残疾人）"
COUNTY_BASIS = "某县民政局〔2026〕1号"


def alone(grade, kind):
    """An adult of 40 without work, disabled (``grade``, ``kind``), 100 a month of his own,
    applying alone: 100 counted, per capita 100 < 900, 低保."""
    return {"standard": 900, "applicant": "m1", "single_person": True, "members": [
        {"id": "m1", "age": 40, "disability": {"grade": grade, "type": kind},
         "income": {"other": 100}}]}


def single_person_citation(result):
    [step] = steps(result, "single_person")
    assert (step.member, result.per_capita, result.classification) == ("m1", 100, "dibao")
    return step.citation


@pytest.mark.parametrize(("grade", "kind"), [(1, "physical"), (2, "hearing"), (3, "mental"),
                                             (3, "intellectual")])
def test_the_drafts_own_single_person_household_cites_its_clause_with_or_without_the_county_s(
        engine, grade, kind):
    """The grades the draft names itself (一、二级; 三级精神、三级智力) are admitted by 一(四) alone,
    in a county that extended 单人保 to grade 4 as in one that did not."""
    assert single_person_citation(engine.assess("jiangsu_draft", alone(grade, kind))) == SINGLE
    engine.set_parameter("jiangsu_draft", "某县", "single_person_grade4", True, COUNTY_BASIS,
                         date(2026, 1, 1))
    assert single_person_citation(engine.assess("jiangsu_draft", alone(grade, kind),
                                                county="某县")) == SINGLE


@pytest.mark.parametrize("kind", ["mental", "intellectual"])
def test_a_grade_4_applicant_the_county_admitted_cites_the_county_s_setting(engine, kind):
    """A grade 4 mental or intellectual applicant is a 单人户 only where the county set
    single_person_grade4: his step cited only "江苏征求意见稿 一(四)", not the county's document
    that admitted him."""
    engine.set_parameter("jiangsu_draft", "某县", "single_person_grade4", True, COUNTY_BASIS,
                         date(2026, 1, 1))
    assert single_person_citation(engine.assess("jiangsu_draft", alone(4, kind), county="某县")) \
        == f"{GRADE4}；{COUNTY_BASIS}"


def test_the_county_s_grade_4_setting_is_cited_by_assess_and_on_the_case(db, tmp_path):
    """The same through the CLI: `parameter set … --basis 某县民政局〔2026〕1号`, then `assess
    --county` and a 某县 case's `case assess` (after `case accept`): the grade 4 applicant's
    step cites the draft's clause and the county's basis; a grade 3 intellectual one, 一(四)."""
    def run(*args):
        result = CliRunner().invoke(cli, [*args, "--db", db])
        assert result.exit_code == 0, result.output
        return result.stdout

    def cited(output, key=None):
        data = json.loads(output)
        [step] = [s for s in (data[key] if key else data)["steps"] if s["rule"] == "single_person"]
        return step["citation"]

    run("parameter", "set", "single_person_grade4", "true", "--province", "jiangsu_draft",
        "--county", "某县", "--basis", COUNTY_BASIS, "--on", "2026-01-01")
    residence = tmp_path / "residence.json"
    residence.write_text(json.dumps({"applicant": "m1", "members": [
        {"id": "m1", "registered_in": "某县", "lives_in": "某县"}]}), encoding="utf-8")
    for grade, kind, citation in ((4, "intellectual", f"{GRADE4}；{COUNTY_BASIS}"),
                                  (3, "intellectual", SINGLE)):
        household = tmp_path / f"household{grade}.json"
        household.write_text(json.dumps(alone(grade, kind)), encoding="utf-8")
        assert cited(run("assess", str(household), "--province", "jiangsu_draft", "--county",
                         "某县", "--format", "json")) == citation
        case_id = run("case", "open", "--province", "jiangsu_draft", "--on", "2026-03-02",
                      "--set", "county=某县").strip()
        run("case", "accept", case_id, str(residence), "--on", "2026-03-02")
        run("case", "fire", case_id, "start_investigation", "--on", "2026-03-03")
        assert cited(run("case", "assess", case_id, str(household), "--on", "2026-03-03",
                         "--format", "json"), "assessment") == citation


def test_any_province_may_name_the_clause_that_admitted_an_applicant_alone():
    """AssessmentRules.single_person_basis_for (docs/provinces.md), asked only for an applicant
    ``single_person`` admitted: its clause where it gives one, ``single_person_basis`` where it
    answers None; never asked of a household assessed whole."""
    from engine.assessment import AssessmentRules, Household, assess

    asked = []

    def admitted_by(member):
        asked.append(member.id)
        return "甲县文件 二" if member.age >= 60 else None

    rules = AssessmentRules(single_person=lambda member: member.age >= 18,
                            single_person_basis="琼民规〔2099〕1号 三(一)",
                            single_person_basis_for=admitted_by)
    for age, citation in ((65, "甲县文件 二"), (40, "琼民规〔2099〕1号 三(一)")):
        household = Household.from_json({"standard": 900, "applicant": "m1", "single_person": True,
                                         "members": [{"id": "m1", "age": age}]})
        [step] = steps(assess("hainan", household, rules), "single_person")
        assert step.citation == citation
    whole = Household.from_json({"standard": 900, "members": [{"id": "m9", "age": 65}]})
    assert not steps(assess("hainan", whole, rules), "single_person")
    assert asked == ["m1", "m1"]


def test_a_county_s_share_of_support_counted_is_shown_as_set(engine):
    """江苏征求意见稿 一(四): support from siblings or people aged 60 and over "可以视情适当豁免";
    a county counting 12.5 % of it: a parent of 60 paying 400 a month to a grade 1 applicant
    alone is counted 400 × 12.5 % = 50. The note said "计入12%" (:.0% rounds 12.5 half to even)."""
    engine.set_parameter("jiangsu_draft", "昆山市", "single_support_counted_share", 0.125,
                         "昆山市民政局 测试文件 第4条", date(2026, 1, 1))
    household = {"standard": 900, "applicant": "m1", "single_person": True, "members": [
        {"id": "m1", "age": 40, "disability": {"grade": 1, "type": "physical"}}],
        "support": [{"to": "m1", "relation": "parent", "giver_age": 60, "amount": 400}]}
    [step] = steps(engine.assess("jiangsu_draft", household, county="昆山市"), "support")
    assert (step.counted, step.note) == (50, "parent（60岁）给付400元，计入12.5%")
    # (the clause that leaves the share to the county, then the county's document)
    assert step.citation == ("江苏征求意见稿 一(四)（兄弟姐妹或60周岁及以上老年人的供养费用可以视情适当豁免）"
                             "；昆山市民政局 测试文件 第4条")

def test_jiangsu_property_the_investigation_found_exempt_is_not_assessed(engine):
    """江苏征求意见稿 一(三): "对于维持家庭生产生活的必需财产，可以在认定时予以适当豁免。对主要用于家庭中
    重特大疾病患者就诊或重度残疾人出行且实际价值较低的小型车辆，可不纳入车辆核定范围，具体车辆价值认定标准
    由当地结合实际制定。对非因拆迁原因家庭拥有两套……其中一套因客观原因无法变现或无法产生价值……可不纳入
    房产核定范围；对困难群众提供的、能够有效证明来源于政策规定不计入家庭收入部分形成的银行存款……一定期限内
    可不纳入金融资产核算范围"."""
    household = {"standard": 900, "members": [{"id": "m1", "age": 50, "seriously_ill": True}],
                 "property": PROPERTY}
    flags = engine.assess("jiangsu_draft", household).flags
    assert [(p["kind"], p["value"]) for p in flags["property_exempt"]] == [
        ("农机具", 5000), ("第二套住房", 200000), ("存款", 8000)]
    assert all(p["basis"].startswith("江苏征求意见稿 一(三)（") for p in flags["property_exempt"])
    # No local value standard for the car yet: it is assessed, with the plain savings.
    assert [(p["kind"], p["value"]) for p in flags["property_assessed"]] == [
        ("小型汽车", 30000), ("存款", 2000)]
    engine.set_parameter("jiangsu_draft", "昆山市", "care_vehicle_value_limit", 50000,
                         "昆山市民政局〔2026〕3号", date(2026, 1, 5))
    flags = engine.assess("jiangsu_draft", household, county="昆山市").flags
    car = flags["property_exempt"][1]
    assert (car["kind"], car["value"]) == ("小型汽车", 30000)
    assert "价值认定标准50000元：昆山市民政局〔2026〕3号" in car["basis"]
    assert flags["property_assessed"] == [{"kind": "存款", "value": 2000, "owner": None}]
    # The car must serve a seriously ill or severely disabled member: without one, assessed.
    healthy = {**household, "members": [{"id": "m1", "age": 50}]}
    flags = engine.assess("jiangsu_draft", healthy, county="昆山市").flags
    assert ("小型汽车", 30000) in [(p["kind"], p["value"]) for p in flags["property_assessed"]]
    # Without a local standard even a car worth nothing is not "实际价值较低" by any measure.
    free = {**household, "property": [{"kind": "小型汽车", "value": 0, "finding": "care_vehicle"}]}
    assert "property_exempt" not in engine.assess("jiangsu_draft", free).flags
    # 山西 has no such exemptions: everything is assessed, its finding kept.
    shanxi = engine.assess("shanxi", household).flags
    assert "property_exempt" not in shanxi
    assert [p.get("finding") for p in shanxi["property_assessed"]] == [
        "necessity", "care_vehicle", "unsellable_second_home", "savings_from_exempt_income", None]


def test_an_unknown_property_finding_is_refused(engine):
    household = {"standard": 900, "members": [{"id": "m1", "age": 50}],
                 "property": [{"kind": "car", "value": 1, "finding": "cheap"}]}
    with pytest.raises(InvalidInput, match=r"household.property\[0\].finding: \"cheap\" is not one"):
        engine.assess("jiangsu_draft", household)


def marginal_household(**m1):
    """Standard 900; m1 (50) and m2 (45, employed, 2,000 a month)."""
    return {"standard": 900, "applicant": "m1", "single_person": True,
            "members": [{"id": "m1", "age": 50, **m1},
                        {"id": "m2", "age": 45, "employed": True,
                         "income": {"employment": 2000}}]}


@pytest.mark.parametrize(("province", "clause"), [
    # 晋民发〔2023〕31号 一(四): "对低保边缘家庭中的重度残疾人、重病患者等特殊困难人员，经本人申请，可参照
    # “单人户”纳入低保范围"; 津民发〔2023〕13号 一(四): "最低生活保障边缘家庭中的重度残疾人员、重病患者
    # 等特殊困难人员，经本人申请，符合条件的，可参照“单人户”纳入低保范围".
    ("shanxi", "晋民发〔2023〕31号 一(四)"), ("tianjin", "津民发〔2023〕13号 一(四)"),
])
def test_a_seriously_ill_member_of_a_marginal_household_applies_alone(engine, province, clause):
    # As a whole: 2,000 / 2 = 1,000 a head: 900 ≤ 1,000 < 1,350 (1.5 × 900), 边缘. m1 alone: 0.
    result = engine.assess(province, marginal_household(seriously_ill=True))
    assert (result.household_size, result.per_capita, result.classification) == (1, 0, "dibao")
    step = steps(result, "single_person")[0]
    assert step.citation.startswith(clause)
    assert step.note == "低保边缘家庭（人均1000元）中的重病患者，经本人申请参照“单人户”核算"


def test_only_a_marginal_household_lets_a_member_apply_alone(engine):
    above = marginal_household(seriously_ill=True)
    above["members"][1]["income"]["employment"] = 3000  # 1,500 a head ≥ 1,350
    with pytest.raises(EventRefused, match=r"the household as a whole is above \(per capita "
                                           r"1500\), not 边缘 \(晋民发〔2023〕31号 一\(四\)"):
        engine.assess("shanxi", above)
    poor = marginal_household(seriously_ill=True)
    poor["members"][1]["income"]["employment"] = 1000  # 500 a head: the household applies
    with pytest.raises(EventRefused, match="the household as a whole is dibao"):
        engine.assess("shanxi", poor)
    with pytest.raises(EventRefused, match="neither severely disabled nor seriously ill"):
        engine.assess("shanxi", marginal_household())
    # 江苏's draft has no such rule: only its own 单人保 (一(四)), which m1 is not.
    with pytest.raises(EventRefused, match=r"cannot apply as a single-person household in "
                                           r"jiangsu_draft \(江苏征求意见稿 一\(四\)\)$"):
        engine.assess("jiangsu_draft", marginal_household(seriously_ill=True))


def test_tianjin_counts_grade_3_mental_disability_as_severe_for_the_marginal_route(engine):
    # 津民发〔2023〕13号 一(一): "重度残疾人（持有中华人民共和国残疾人证的一级、二级重度残疾人和三级智力
    # 残疾人、三级精神残疾人）". m1, grade 3 mental but employed (not 一(一)'s 单人户): whole
    # (0 + 2,000) / 2 = 1,000, 边缘 → alone. 山西 counts grades 1–2 only.
    household = marginal_household(employed=True, disability={"grade": 3, "type": "mental"})
    result = engine.assess("tianjin", household)
    assert steps(result, "single_person")[0].note.endswith("中的重度残疾人，经本人申请参照“单人户”核算")
    with pytest.raises(EventRefused, match="neither severely disabled nor seriously ill"):
        engine.assess("shanxi", household)


def test_a_member_let_in_as_marginal_gets_no_single_person_exemptions(engine):
    # m1, grade 2 but employed (300): not 山西 一(二)'s "成年无业重度残疾人", so its exemption of a
    # sibling's support does not apply. Whole: (300 + 2,000 + 200) / 2 = 1,250, 边缘. Alone:
    # 300 + the sibling's 200 in full = 500.
    household = marginal_household(employed=True, income={"employment": 300},
                                   disability={"grade": 2, "type": "physical"})
    household["support"] = [{"to": "m1", "relation": "sibling", "giver_age": 40, "amount": 200}]
    result = engine.assess("shanxi", household)
    assert result.countable_income == 500
    assert [s.counted for s in steps(result, "support")] == [200.0]
    assert "重度残疾人" in steps(result, "single_person")[0].note
    # 天津's 单人户 flag (no 分类救助, 一(一)) is its own 单人户's, not this one's.
    assert "classified_assistance" not in engine.assess("tianjin", household).flags


@pytest.mark.parametrize(("allowance", "floor"), [
    (100, 800.0),  # 900 − 100 = 800 > 540
    (450, 540.0),  # 900 − 450 = 450 < 540: the 60 % floor
    (0, 900.0),
    (None, 540.0),  # receiving it, amount unknown: 60 %, and the note says so
])
def test_jiangsu_single_person_floor_with_the_disability_living_allowance(engine, allowance,
                                                                          floor):
    """江苏征求意见稿 一(四): "其本人每月按照不低于当地最低生活保障标准的60%发放保障金，同时享受困难残疾人
    生活补贴政策，领取的最低生活保障金和困难残疾人生活补贴之和不低于当地最低生活保障标准的100%"."""
    household = json.loads(json.dumps(HOUSEHOLD))  # standard 900, m1 grade-1, single person
    m1 = household["members"][0]
    m1["disability_allowance"] = True
    if allowance is not None:
        m1["disability_allowance_amount"] = allowance
    result = engine.assess("jiangsu_draft", household)
    assert result.flags["minimum_benefit"] == floor
    basis = result.flags["minimum_benefit_basis"]
    assert basis.startswith("江苏征求意见稿 一(四)")
    assert ("补贴金额未给出" in basis) == (allowance is None)


def test_an_allowance_amount_beside_disability_allowance_false_is_refused(engine):
    household = json.loads(json.dumps(HOUSEHOLD))
    household["members"][0].update(disability_allowance=False, disability_allowance_amount=100)
    with pytest.raises(InvalidInput, match=r"household.members\[0\].disability_allowance: false, "
                                           "but disability_allowance_amount is given"):
        engine.assess("jiangsu_draft", household)


def test_jiangsu_income_disregards_and_deductions(engine):
    """江苏征求意见稿 一(二): grade 1–2 and grade 3 mental/intellectual employment income, and 60+
    odd-job / farming income, "不超过当地最低生活保障标准部分……不计入"; other grade 3–4 disabled
    "不超过当地最低生活保障标准50%部分"; rigid spending "可在认定收入时予以适当扣除"."""
    household = {
        "standard": 1000,
        "members": [
            {"id": "a", "age": 40, "disability": {"grade": 2, "type": "visual"},
             "income": {"employment": 1500}},                      # 1500 − 1000 = 500
            {"id": "b", "age": 65, "income": {"odd_job": 600, "farming": 700}},
            # one cap for both: 600 disregarded, then 400 of farming → 0 + 300 = 300
            {"id": "c", "age": 30, "disability": {"grade": 4, "type": "physical"},
             "income": {"employment": 800}},                       # 800 − 500 = 300
            {"id": "d", "age": 10},
        ],
        "rigid_spending": 300,                                     # 1100 − 300 = 800
    }
    result = engine.assess("jiangsu_draft", household)
    counted = {(s.member, s.rule): s.counted for s in result.steps}
    assert counted[("a", "income:employment")] == 500
    assert counted[("b", "income:odd_job")] == 0
    assert counted[("b", "income:farming")] == 300
    assert counted[("c", "income:employment")] == 300
    assert counted[(None, "rigid_spending")] == -300
    assert result.countable_income == 800
    assert (result.per_capita, result.classification) == (200, "dibao")  # 800 / 4
    # Nationally (山西 has no such disregards): 1500 + 600 + 700 + 800 = 3600 → 900 per head.
    national = engine.assess("shanxi", household)
    assert (national.countable_income, national.per_capita) == (3600, 900)
    assert national.classification == "dibao"  # 900 < 1000


def test_jiangsu_half_the_standard_is_disregarded_to_the_fraction_of_a_fen(engine):
    """一(二) "其他三级、四级残疾人每月所得就业收入，不超过当地最低生活保障标准50%部分……不计入": standard
    901.01, half of it 450.505 disregarded from earnings of 800 → 349.495 counted; with a
    pension of 551.51 the total is 901.005, below the standard (901.01): 低保. Rounded first
    (349.50), the total reached the standard and the household was 边缘 (found by review)."""
    household = {"standard": 901.01, "members": [
        {"id": "a", "age": 50, "disability": {"grade": 4, "type": "physical"},
         "income": {"employment": 800, "pension": 551.51}}]}
    result = engine.assess("jiangsu_draft", household)
    assert result.classification == "dibao"
    assert [s.counted for s in steps(result, "income:employment")] == [349.5]  # (shown in fen)
    assert result.countable_income == 901.01  # (shown in fen; judged unrounded)


def test_jiangsu_elderly_odd_job_and_farming_cap_is_counted_in_decimal(engine):
    """一(二) "60周岁以上老年人打零工、自给自足种植（养殖）每月所得收入，不超过当地最低生活保障标准部分……
    不计入": standard 1000.10; a member of 65 earns 0.30 at odd jobs (all of it disregarded)
    and 1,000 from farming, of which the 999.80 left of the standard is disregarded: 0.20
    counted. With a pension of 999.90 the total is 1,000.10, the standard itself: not below it
    (57号 "低于"), so 边缘, at the standard. In floats the cap was 999.8000000000001, the farming
    counted 0.1999999999999 and the household 低保, its per capita shown as the standard."""
    household = {"standard": 1000.1, "members": [
        {"id": "a", "age": 65, "income": {"odd_job": 0.3, "farming": 1000, "pension": 999.9}}]}
    result = engine.assess("jiangsu_draft", household)
    assert [s.counted for s in steps(result, "income:farming")] == [0.2]
    assert (result.countable_income, result.per_capita) == (1000.1, 1000.1)
    assert result.classification == "marginal"
    assert result.flags.get("at_standard") is True


@pytest.mark.parametrize(
    ("per_capita_income", "multiple", "expected"),
    [(899, None, "dibao"), (900, None, "marginal"), (1350, None, "marginal"),
     (1351, None, "above"), (1351, 2, "marginal"), (1800, 2, "marginal"), (1801, 2, "above")],
)
def test_classification_against_the_standard_and_the_marginal_multiple(
        engine, per_capita_income, multiple, expected):
    """江苏征求意见稿 一(六): "有条件的地区可将低保边缘家庭人均收入从不高于低保标准1.5倍提高到2倍":
    up to and including the multiple (不高于), as on leaving 低保 (三(一)). The locality (here
    昆山市) raises it for all its households, as its own parameter."""
    if multiple:
        raise_marginal_multiple(engine, "昆山市", multiple)
    household = {"standard": 900, "members": [
        {"id": "a", "age": 40, "income": {"employment": per_capita_income}}]}
    result = engine.assess("jiangsu_draft", household, county="昆山市")
    assert result.classification == expected
    [step] = [s for s in result.steps if s.rule == "classification"]
    assert step.citation.startswith("江苏征求意见稿 一(六)")
    assert step.citation.endswith("；昆山市民政局 测试文件 第3条") == bool(multiple)


def raise_marginal_multiple(engine, county, multiple, province="jiangsu_draft"):
    engine.set_parameter(province, county, "marginal_multiple", multiple,
                         f"{county}民政局 测试文件 第3条", date(2026, 1, 1))


@pytest.mark.parametrize(("per_capita_income", "expected"),
                         [(1749.9, "marginal"), (1749.91, "above")])
def test_jiangsu_s_inclusive_bound_is_compared_in_fen(engine, per_capita_income, expected):
    """一(六) "不高于": 1.9 × 921 = 1749.90 yuan, though the float product is 1749.8999999999999."""
    raise_marginal_multiple(engine, "昆山市", 1.9)
    household = {"standard": 921, "members": [
        {"id": "a", "age": 40, "income": {"employment": per_capita_income}}]}
    assert engine.assess("jiangsu_draft", household, county="昆山市").classification == expected


def test_a_household_cannot_bring_its_own_marginal_multiple(engine):
    """One threshold per locality: a household's "marginal_multiple" must be the one in force
    (it once could choose; two households of a county were then judged differently)."""
    household = {"standard": 900, "marginal_multiple": 2,
                 "members": [{"id": "a", "age": 40, "income": {"employment": 1400}}]}
    with pytest.raises(InvalidInput, match=r"^household\.marginal_multiple: 2 is not the 1\.5 "
                                           r"in force in jiangsu_draft \(江苏征求意见稿 一\(六\)"):
        engine.assess("jiangsu_draft", household)
    raise_marginal_multiple(engine, "昆山市", 2)
    assert engine.assess("jiangsu_draft", household, county="昆山市").classification == "marginal"
    with pytest.raises(InvalidInput, match=r"must be from 1\.5 to 2 .*not 2\.5"):
        raise_marginal_multiple(engine, "苏州市", 2.5)


@pytest.mark.parametrize(("per_capita_income", "expected"),
                         [(1349, "marginal"), (1350, "above")])
def test_elsewhere_marginal_is_below_one_and_a_half_times(engine, per_capita_income, expected):
    """民发〔2022〕83号 and 晋民发〔2023〕31号 一(四): 边缘 "低于当地1.5倍低保标准" (standard 900 → 1350)."""
    household = {"standard": 900, "members": [
        {"id": "a", "age": 40, "income": {"employment": per_capita_income}}]}
    assert engine.assess("shanxi", household).classification == expected


@pytest.mark.parametrize("province", ["tianjin", "shanxi"])
def test_per_capita_income_is_compared_unrounded(engine, province):
    """民发〔2021〕57号 第9条: 低保 is for a household "共同生活的家庭成员人均收入低于当地最低生活保障标准".
    Three members earning 1,500 + 1,499.99 = 2,999.99 have 999.9967 a head, below 1,000,
    though it shows as 1000 at two decimals; 4,499.99 (1,499.9967 a head) is below 1.5 × 1,000,
    so 边缘, not above."""
    def household(first):
        return {"standard": 1000, "members": [
            {"id": "a", "age": 40, "income": {"employment": first}},
            {"id": "b", "age": 40, "income": {"employment": 1499.99}},
            {"id": "c", "age": 10}]}
    result = engine.assess(province, household(1500))
    assert (result.countable_income, result.per_capita, result.classification) == (
        2999.99, 1000.0, "dibao")
    assert engine.assess(province, household(3000)).classification == "marginal"


@pytest.mark.parametrize(("province", "expected"),
                         [("tianjin", "above"), ("shanxi", "above"), ("jiangsu_draft", "marginal")])
def test_exactly_one_and_a_half_times_a_standard_in_fen(engine, province, expected):
    """1.5 × 800.20 = 1,200.30 exactly (the float product is 1200.3000000000002): 1,200.30 is not
    "低于当地1.5倍低保标准" (民发〔2022〕83号; 晋民发〔2023〕31号 一(四)), but is "不高于" it
    (江苏征求意见稿 一(六))."""
    household = {"standard": 800.2, "members": [
        {"id": "a", "age": 40, "income": {"employment": 1200.3}}]}
    assert engine.assess(province, household).classification == expected


def test_a_marginal_household_at_the_bound_has_no_single_person_route(engine):
    """晋民发〔2023〕31号 一(四) "对低保边缘家庭中的重度残疾人…可参照“单人户”纳入低保范围": two people at
    2,400.60 (1,200.30 a head, exactly 1.5 × 800.20) are not 边缘, so the route is refused."""
    household = {"standard": 800.2, "applicant": "a", "single_person": True, "members": [
        {"id": "a", "age": 30, "employed": True, "disability": {"grade": 1, "type": "physical"},
         "income": {"employment": 0}},  # (employed: not 一(二)'s 无业 route)
        {"id": "b", "age": 40, "income": {"employment": 2400.6}}]}
    with pytest.raises(EventRefused, match=r"the household as a whole is above \(per capita "
                                           r"1200\.3\), not 边缘"):
        engine.assess("shanxi", household)


def test_shanxi_and_tianjin_cite_their_own_marginal_clauses(engine):
    """晋民发〔2023〕31号 一(四) "低保边缘家庭一般指不符合低保条件，家庭人均收入低于当地1.5倍低保标准": the
    classification cites 山西's clause, not only the national notice it implements."""
    household = {"standard": 900, "members": [
        {"id": "a", "age": 40, "income": {"employment": 1000}}]}
    [step] = steps(engine.assess("shanxi", household), "classification")
    assert step.citation.startswith("晋民发〔2023〕31号 一(四)（低保边缘家庭")
    # 津民发〔2023〕13号 一(四): "各区要认真贯彻落实《关于做好最低生活保障边缘家庭认定有关工作的通知》
    # （津民规〔2022〕6号）工作要求": 天津's clause, naming the rules it applies.
    [step] = steps(engine.assess("tianjin", household), "classification")
    assert step.citation.startswith("津民发〔2023〕13号 一(四)（低保边缘家庭按津民规〔2022〕6号认定")


def test_a_raised_marginal_multiple_is_refused_where_the_province_does_not_allow_it(engine):
    household = {"standard": 900, "marginal_multiple": 2,
                 "members": [{"id": "a", "age": 40, "income": {"employment": 1400}}]}
    with pytest.raises(InvalidInput, match=r"2 is not the 1\.5 in force in shanxi"):
        engine.assess("shanxi", household)
    with pytest.raises(InvalidInput, match="has no parameter 'marginal_multiple'"):
        raise_marginal_multiple(engine, "小店区", 2, "shanxi")  # (山西 has no such rule)


def test_a_single_person_application_needs_an_eligible_applicant(engine):
    """津民发〔2023〕13号 一(一): grade 1–2, or grade 3 intellectual/mental only."""
    household = json.loads(json.dumps(HOUSEHOLD))
    household["members"][0]["disability"] = {"grade": 3, "type": "physical"}
    with pytest.raises(EventRefused, match="cannot apply as a single-person household in tianjin"):
        engine.assess("tianjin", household)
    household["members"][0]["disability"] = {"grade": 3, "type": "mental"}
    assert engine.assess("tianjin", household).household_size == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h.pop("standard"), "household.standard: missing"),
        (lambda h: h["members"][0]["income"].update(other=-5),
         "household.members[0].income.other: cannot be negative"),
        (lambda h: h["members"][0].update(disability={"grade": 5, "type": "physical"}),
         "household.members[0].disability.grade: 5 is not a disability grade"),
        (lambda h: h["members"][0].update(disability={"grade": 1, "type": "blue"}),
         "household.members[0].disability.type: \"blue\" is not one of"),
        (lambda h: h["members"][1]["income"].update(salary=10),
         "household.members[1].income.salary: unknown income kind"),
        (lambda h: h["support"][0].update(to="m9"), "household.support[0].to: \"m9\" is not a member"),
        # Two incomes of 1e308 summed to infinity, and the assessment raised from deep inside.
        (lambda h: h["members"][1]["income"].update(pension=1e308),
         "household.members[1].income.pension: beyond 1,000,000,000,000, got 1e+308"),
        (lambda h: h.update(standard=float("inf")),
         "household.standard: not a finite number, got Infinity"),
        # An age of 17.9 was cut to 17 without a word: ages are whole years.
        (lambda h: h["members"][0].update(age=17.9),
         "household.members[0].age: expected a whole number, got 17.9"),
        (lambda h: h["support"][0].update(giver_age=59.5),
         "household.support[0].giver_age: expected a whole number, got 59.5"),
        # Found by review: an age of 300 (30 mistyped) was taken, and ages decide exemptions.
        (lambda h: h["members"][0].update(age=300),
         "household.members[0].age: 300 years is not an age (at most 130)"),
        (lambda h: h["support"][0].update(giver_age=800),
         "household.support[0].giver_age: 800 years is not an age (at most 130)"),
        (lambda h: h["members"][0].update(id="a\u202eb"),
         "household.members[0].id: expected printable text on one line"),
    ],
)
def test_malformed_households_name_the_field(engine, change, message):
    household = json.loads(json.dumps(HOUSEHOLD))
    change(household)
    with pytest.raises(InvalidInput) as caught:
        engine.assess("shanxi", household)
    assert str(caught.value).startswith(message)


def test_doudi_assess_reads_a_json_file_without_a_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "household.json"
    path.write_text(json.dumps(HOUSEHOLD, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["assess", str(path), "--province", "tianjin",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["countable_income"], data["classification"]) == (250, "dibao")
    assert not list(tmp_path.glob("*.db"))
    for text in ("{not json", '{"standard": NaN, "members": []}'):
        path.write_text(text, encoding="utf-8")
        bad = CliRunner().invoke(cli, ["assess", str(path), "--province", "tianjin"])
        assert bad.exit_code == 2
        assert bad.stderr.startswith(f"Error: {path}: not valid JSON")
        assert len(bad.stderr.splitlines()) == 1
    assert "NaN is not a JSON value" in bad.stderr  # it printed "per_capita": NaN
    # A standard given twice: the first would be dropped without a word.
    path.write_text('{"standard": 900, "standard": 1200, "members": []}', encoding="utf-8")
    twice = CliRunner().invoke(cli, ["assess", str(path), "--province", "tianjin"])
    assert (twice.exit_code, twice.stderr) == (
        2, f"Error: {path}: not valid JSON (the key 'standard' is given twice in one object)\n")
    # A number of more digits than Python reads: the line gave int()'s advice to programmers,
    # "... use sys.set_int_max_str_digits() to increase the limit".
    path.write_text('{"standard": ' + "9" * 4301 + ', "members": []}', encoding="utf-8")
    too_long = CliRunner().invoke(cli, ["assess", str(path), "--province", "tianjin"])
    assert (too_long.exit_code, too_long.stderr) == (
        2, f"Error: {path}: a whole number of more than 4,300 digits: too long to be a JSON "
           "number\n")


def test_the_assessment_shows_its_amounts_to_the_fen(tmp_path, engine):
    """Each step shows what it counted, "so a case officer can check the result line by line"
    (engine/assessment.py), national counting (民发〔2021〕57号: income counted in full): a
    business income of 12,345.67, support of 10,000.55 and earnings of 1,000,000 make
    1,022,346.22 for two, 511,173.11 a head. Written with :g they were 12345.7, 10000.5,
    1e+06, and the summary line's "countable income 1.02235e+06 … per capita 511173"."""
    household = {"standard": 900, "members": [
        {"id": "a", "age": 40, "income": {"employment": 1000000}},
        {"id": "b", "age": 40, "income": {"business": 12345.67}}],
        "support": [{"to": "b", "relation": "child", "giver_age": 40, "amount": 10000.55}]}
    result = engine.assess("shanxi", household)
    assert [s.note for s in result.steps] == [
        "计入1000000元", "计入12345.67元", "child（40岁）给付10000.55元，计入100%",
        "人均511173.11元，标准900元，边缘上限1.5倍"]
    path = tmp_path / "household.json"
    path.write_text(json.dumps(household), encoding="utf-8")
    shown = CliRunner().invoke(cli, ["assess", str(path), "--province", "shanxi"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[-1] == (
        "shanxi: countable income 1022346.22, household of 2, per capita 511173.11, "
        "standard 900 → above")


@pytest.mark.parametrize(("change", "message"), [
    (lambda h: h.update(suport=[]), "household.suport: unknown field (fields: members,"),
    (lambda h: h["members"][0].update(incomes={}), "household.members[0].incomes: unknown field"),
    (lambda h: h["members"][0].update(disability={"grade": 1, "type": "visual", "level": 1}),
     "household.members[0].disability.level: unknown field (fields: grade, type)"),
])
def test_a_misspelt_field_is_refused_not_ignored(engine, change, message):
    """A household whose support was typed "suport" was assessed without it (→ dibao)."""
    household = {"standard": 900, "members": [
        {"id": "a", "age": 40, "income": {"employment": 800}}]}
    change(household)
    with pytest.raises(InvalidInput) as refused:
        engine.assess("shanxi", household)
    assert message in str(refused.value)


# -- imputed income and real hardship (劳动力系数) ---------------------------------------------

# A mother (35) caring for her severely disabled son; the investigation imputed her an income
# of 3,000 a month (劳动力系数 / 最低工资标准) though she earns nothing; her mother's pension is
# 600. Standard 1,100. Counted as imputed: (3,000 + 600) / 3 = 1,200 ≥ 1,100, not 低保.
# Set aside: 600 / 3 = 200 < 1,100, 低保.
def carer(**found):
    return {
        "standard": 1100,
        "members": [
            {"id": "m1", "age": 35, "income": {"imputed": 3000}, **found},
            {"id": "m2", "age": 10, "disability": {"grade": 1, "type": "intellectual"}},
            {"id": "m3", "age": 70, "income": {"pension": 600}},
        ],
    }


def test_tianjin_sets_imputed_income_aside_for_a_carer_who_cannot_earn(engine):
    """津民发〔2023〕13号 一(一): "采取'劳动力系数'等方式核算申请家庭收入的……对因照顾家庭中重残、
    重病人员……确实难以就业或者较长时间无法获得收入的，根据家庭实际困难情况综合判断是否纳入低保范围"."""
    found = engine.assess("tianjin", carer(cannot_earn=True))
    (imputed,) = steps(found, "income:imputed")
    assert (imputed.member, imputed.counted) == ("m1", 0.0)
    assert "津民发〔2023〕13号 一(一)" in imputed.citation and "3000" in imputed.note
    assert (found.countable_income, found.per_capita, found.classification) == (600, 200, "dibao")
    assert found.flags["real_hardship"] == ["m1"]
    assert "劳动力系数" in found.flags["real_hardship_basis"]
    # Without that finding the imputed income counts: 3,600 / 3 = 1,200, 边缘 (< 1,650).
    counted = engine.assess("tianjin", carer())
    assert (counted.countable_income, counted.per_capita, counted.classification) == (
        3600, 1200, "marginal")
    assert "real_hardship" not in counted.flags


@pytest.mark.parametrize(("months", "income", "classification"),
                         [(5, 3600, "marginal"), (6, 600, "dibao")])
def test_jiangsu_six_months_without_income_is_enough(engine, months, income, classification):
    """江苏征求意见稿 一(二) 一是: "对确实难以就业或者连续6个月以上无法获得收入的，根据家庭实际困难情况，
    综合判断是否纳入低保范围" — 6 months (以上 includes it, 民法典 第1259条) sets the imputed 3,000
    aside without any other finding; 5 months does not: (3,000 + 600) / 3 = 1,200."""
    result = engine.assess("jiangsu_draft", carer(months_without_income=months))
    assert (result.countable_income, result.classification) == (income, classification)
    (imputed,) = steps(result, "income:imputed")
    if months == 6:
        assert "江苏征求意见稿 一(二)" in imputed.citation and "连续6个月" in imputed.note


def test_shanxi_needs_the_finding_and_counts_imputed_income_otherwise(engine):
    """晋民发〔2023〕31号 四(一): "对确实难以就业或者较长时间无法获得收入的，根据家庭实际困难情况综合判断"
    — 较长时间 has no number here, so 12 months without income alone change nothing; the
    investigation's finding (cannot_earn) sets the imputed 3,000 aside."""
    assert engine.assess("shanxi", carer(months_without_income=12)).countable_income == 3600
    found = engine.assess("shanxi", carer(cannot_earn=True))
    assert (found.countable_income, found.classification) == (600, "dibao")
    assert "晋民发〔2023〕31号 四(一)" in steps(found, "income:imputed")[0].citation


def test_nationally_imputed_income_counts_in_full():
    """民发〔2021〕57号 has no such rule: without a province's clause, imputed income counts."""
    from engine.assessment import AssessmentRules, Household, assess

    result = assess("x", Household.from_json(carer(cannot_earn=True)), AssessmentRules())
    assert result.countable_income == 3600


@pytest.mark.parametrize(("found", "field"), [({"months_without_income": 2.5}, "months_without_income"),
                                              ({"months_without_income": -1}, "months_without_income"),
                                              ({"cannot_earn": "yes"}, "cannot_earn")])
def test_a_malformed_finding_names_its_field(engine, found, field):
    with pytest.raises(InvalidInput, match=rf"household\.members\[0\]\.{field}"):
        engine.assess("tianjin", carer(**found))


def test_tianjin_counts_earnings_in_full_since_the_work_cost_deduction_ended(engine):
    """津民发〔2023〕13号 二(一): "停止执行…（津新冠防指〔2020〕135号）中‘对外出务工、返岗复工的低保对象，
    核定家庭收入时每月扣减务工成本500元，至疫情结束’有关政策". 1,600 earned + a child: 800 a head,
    not (1,600 − 500) / 2 = 550; the step names the clause that ended the deduction."""
    household = {"standard": 900, "members": [
        {"id": "a", "age": 40, "income": {"employment": 1600}}, {"id": "b", "age": 10}]}
    result = engine.assess("tianjin", household)
    [step] = [s for s in result.steps if s.rule == "income:employment"]
    assert (step.counted, result.per_capita) == (1600, 800)
    assert step.citation.startswith("津民发〔2023〕13号 二(一)（停止执行津新冠防指〔2020〕135号")
    assert step.note == "计入1600元，不扣减就业成本"
    # Nationally (山西 sets no deduction either) it is the plain national count.
    [plain] = [s for s in engine.assess("shanxi", household).steps if s.rule == "income:employment"]
    assert (plain.counted, plain.note) == (1600, "计入1600元")


def test_a_marginal_household_beyond_the_property_limits_is_refused_for_its_property(engine):
    """晋民发〔2023〕31号 一(四) lets a seriously ill member of a 低保边缘家庭 apply alone, and a 边缘
    household needs its property within the limits (民发〔2022〕83号): at 1,000 a head (边缘 by
    income, 900 ≤ 1,000 < 1,350) with ``property_exceeds`` the refusal names the property, not
    the income."""
    household = {**marginal_household(seriously_ill=True), "property_exceeds": True}
    with pytest.raises(EventRefused, match=r"the household as a whole is above \(its property "
                                           r"exceeds the local limits\), not 边缘 \(晋民发"):
        engine.assess("shanxi", household)


@pytest.mark.parametrize("field, value", [("employment_cost_share", float("nan")),
                                          ("marginal_multiple", float("nan")),
                                          ("marginal_multiple", float("inf"))])
def test_a_share_or_multiple_that_is_no_number_is_refused_when_built(field, value):
    # A NaN compares false with everything: the check "below 0 or above 1" let it through,
    # and a marginal_multiple of NaN classed no household 边缘 (民发〔2022〕83号), of inf
    # every one above the standard.
    from engine import AssessmentRules

    with pytest.raises(ValueError, match=f"AssessmentRules {field}: expected a number from"):
        AssessmentRules(**{field: value})


def test_a_household_standard_below_the_fen_is_refused(engine, tmp_path):
    # docs/counting.md: amounts are yuan to the fen, "an amount or a standard given with more
    # than two decimals (650.005) is refused, exit 2", as a case's standard is; the household
    # assessed (民发〔2021〕57号) took 800.125 and showed "标准800.125元" in its steps.
    household = {"standard": 800.125, "applicant": "m1",
                 "members": [{"id": "m1", "age": 40, "income": {"employment": 500}}]}
    with pytest.raises(InvalidInput, match=r"^household\.standard: yuan to the fen, at most two "
                                           r"decimals, got 800\.125$"):
        engine.assess("shanxi", household)
    path = tmp_path / "h.json"
    path.write_text(json.dumps(household))
    result = CliRunner().invoke(cli, ["assess", str(path), "--province", "shanxi"])
    assert result.exit_code == 2, result.output
    assert "household.standard: yuan to the fen, at most two decimals, got 800.125" in result.output
    # 800.12 is to the fen: assessed, 500 a head below it → dibao
    assert engine.assess("shanxi", {**household, "standard": 800.12}).classification == "dibao"
