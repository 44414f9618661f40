"""The ``marginal`` workflow (低保边缘家庭、支出型困难家庭认定) follows a recorded assessment, as
the ``dibao`` workflow's approval does: the household's per-capita income, computed by hand
here, decides what recognition it may get."""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine import Engine
from engine.errors import EventRefused
from helpers import error_line, run

OPENED, ASSESSED, DECIDED = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)


def household(income, **more):
    """Two members, standard 900: per capita income / 2."""
    return {"standard": 900, "applicant": "m1",
            "members": [{"id": "m1", "age": 40, "income": {"employment": income}},
                        {"id": "m2", "age": 38}], **more}


@pytest.fixture
def engine(tmp_path):
    return Engine.open(str(tmp_path / "x.db"))


def assessed(engine, province, recognition, found, county="甲县"):
    case = engine.open_case(province, "marginal", on=OPENED,
                            attributes={"county": county, "recognition": recognition})
    view = engine.fire(case.case.id, "assess", on=ASSESSED, payload={"household": found})
    return case.case.id, view.case.attributes["assessment"]


def test_shanxi_refuses_a_household_at_twice_the_standard_as_marginal(engine):
    """晋民发〔2023〕31号 一(四): "低保边缘家庭一般指不符合低保条件，家庭人均收入低于当地1.5倍低保
    标准，且财产状况符合相关规定的家庭". 3,600 for two is 1,800 a head, 2 × 900, not below
    1,350; 2,400 for two is 1,200 a head, above 900 and below 1,350."""
    above, result = assessed(engine, "shanxi", "marginal", household(3600))
    assert (result["per_capita"], result["classification"]) == (1800, "above")
    with pytest.raises(EventRefused, match=r"per-capita income of 1800 against the standard "
                       r"900: not within 1\.5 × the standard \(晋民发〔2023〕31号 一\(四\)"
                       r".*低于当地1\.5倍低保标准"):
        engine.fire(above, "recognize", on=DECIDED)
    assert engine.case(above).case.state == "applied"
    assert engine.fire(above, "refuse", on=DECIDED).case.state == "not_recognized"
    marginal, result = assessed(engine, "shanxi", "marginal", household(2400))
    assert (result["per_capita"], result["classification"]) == (1200, "marginal")
    assert engine.fire(marginal, "recognize", on=DECIDED).case.state == "recognized"


@pytest.mark.parametrize("province", ["shanxi", "tianjin", "jiangsu_draft"])
def test_below_the_standard_the_household_is_told_to_apply_for_dibao(engine, province):
    """民发〔2022〕83号: 边缘 is a household "不符合低保条件": 1,700 for two, 850 a head, is below 900."""
    case_id, result = assessed(engine, province, "marginal", household(1700))
    assert (result["per_capita"], result["classification"]) == (850, "dibao")
    with pytest.raises(EventRefused, match=r"850 against the standard 900: below the standard, "
                       r"the household applies for 低保 \(a dibao case\), not for 边缘 recognition"):
        engine.fire(case_id, "recognize", on=DECIDED)


def test_property_beyond_the_limits_is_named_why_not_marginal(engine):
    """83号 and 晋民发〔2023〕31号 一(四) "且财产状况符合相关规定": 1,200 a head is within the
    income bound, but the investigation found the property beyond the limits."""
    case_id, result = assessed(engine, "tianjin", "marginal",
                               household(2400, property_exceeds=True))
    assert (result["per_capita"], result["classification"]) == (1200, "above")
    with pytest.raises(EventRefused, match=r"1200 against the standard 900, but the property "
                       r"beyond the local limits: it cannot be recognised as 边缘"):
        engine.fire(case_id, "recognize", on=DECIDED)


def test_a_county_s_raised_multiple_decides_and_its_parameters_are_read_not_a_keyerror(engine):
    """江苏征求意见稿 一(六): "有条件的地区可将低保边缘家庭人均收入从不高于低保标准1.5倍提高到2倍". 昆山市
    set 2 ×: 1,800 a head is not above 1,800 there (不高于), but above 1,350 in 苏州市. The
    province's rules read its dibao parameters (single_person_grade4, …), which a marginal
    case has none of."""
    engine.set_parameter("jiangsu_draft", "昆山市", "marginal_multiple", 2, "昆山市民政局文件",
                         on=date(2026, 1, 5))
    raised, result = assessed(engine, "jiangsu_draft", "marginal", household(3600), "昆山市")
    assert (result["per_capita"], result["classification"], result["marginal_multiple"]) == (
        1800, "marginal", 2)
    assert engine.fire(raised, "recognize", on=DECIDED).case.state == "recognized"
    other, result = assessed(engine, "jiangsu_draft", "marginal", household(3600), "苏州市")
    assert (result["per_capita"], result["classification"]) == (1800, "above")
    with pytest.raises(EventRefused, match=r"not within 1\.5 × the standard"):
        engine.fire(other, "recognize", on=DECIDED)
    # Replayed from its history alone, the same assessment.
    case, _ = engine.replay(raised)
    assert case.attributes["assessment"]["classification"] == "marginal"


def test_shanxi_decides_expenditure_type_on_its_route(engine):
    """晋民发〔2023〕31号 一(三): "将收入高于低保标准，但因病、因残、因学等刚性支出较大，且家庭财产状况
    符合当地人民政府规定条件的支出型贫困家庭，按规定及时纳入保障范围". 1,800 a head is above 900:
    with 600 a month of rigid spending it is 支出型; without it, or beyond the property limits,
    or below the standard (850 a head), it is not."""
    spending, result = assessed(engine, "shanxi", "expenditure", household(3600, rigid_spending=600))
    assert (result["per_capita"], result["classification"]) == (1800, "above")
    assert engine.fire(spending, "recognize", on=DECIDED).case.state == "recognized"
    none, _ = assessed(engine, "shanxi", "expenditure", household(3600))
    with pytest.raises(EventRefused, match=r"1800 against the standard 900 and no rigid spending "
                       r"\(household\.rigid_spending\): not 支出型 \(晋民发〔2023〕31号 一\(三\)"):
        engine.fire(none, "recognize", on=DECIDED)
    rich, _ = assessed(engine, "shanxi", "expenditure",
                       household(3600, rigid_spending=600, property_exceeds=True))
    with pytest.raises(EventRefused, match=r"and the property beyond the local limits: not 支出型"):
        engine.fire(rich, "recognize", on=DECIDED)
    poor, _ = assessed(engine, "shanxi", "expenditure", household(1700, rigid_spending=600))
    with pytest.raises(EventRefused, match=r"850 against the standard 900: below the standard, "
                       r"the household applies for 低保 \(a dibao case\), not for 支出型"):
        engine.fire(poor, "recognize", on=DECIDED)


@pytest.mark.parametrize("province", ["tianjin", "jiangsu_draft"])
def test_expenditure_type_is_left_to_local_judgement_where_the_clauses_set_no_condition(
        engine, province):
    """天津's notice names 支出型 only for 临时救助 (二(二)); 江苏征求意见稿 一(六) only encourages
    "研究制定适度区别于低保家庭的…支出型困难家庭财产认定标准": no income bound, no property rule
    of the 低保 kind, so neither 1,800 a head nor property beyond the 低保 limits is refused."""
    case_id, _ = assessed(engine, province, "expenditure",
                          household(3600, property_exceeds=True))
    assert engine.fire(case_id, "recognize", on=DECIDED).case.state == "recognized"


def test_without_an_assessment_nothing_is_checked_and_after_one_the_recognition_is_needed(
        engine):
    unassessed = engine.open_case("shanxi", "marginal", on=OPENED)
    assert engine.fire(unassessed.case.id, "recognize", on=DECIDED).case.state == "recognized"
    case = engine.open_case("shanxi", "marginal", on=OPENED)
    engine.fire(case.case.id, "assess", on=ASSESSED, payload={"household": household(2400)})
    with pytest.raises(EventRefused, match=r"needs --set recognition=marginal or "
                       r"recognition=expenditure; got nothing$"):
        engine.fire(case.case.id, "recognize", on=DECIDED)
    recognized = engine.fire(case.case.id, "recognize", on=DECIDED,
                             payload={"recognition": "marginal"})
    assert recognized.case.state == "recognized"


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "cli.db")


def test_doudi_case_assess_works_on_a_marginal_case(db, tmp_path):
    path = tmp_path / "household.json"
    path.write_text(json.dumps(household(3600)), encoding="utf-8")
    opened = run(db, "case", "open", "--province", "shanxi", "--workflow", "marginal",
                 "--on", "2026-03-02", "--set", "recognition=marginal")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    recorded = run(db, "case", "assess", case_id, str(path), "--on", "2026-03-03")
    assert recorded.exit_code == 0, recorded.output
    assert recorded.stdout == f"{case_id}: per capita 1800, standard 900 → above\n"
    refused = run(db, "case", "fire", case_id, "recognize", "--on", "2026-03-04")
    assert refused.exit_code == 1
    assert "not within 1.5 × the standard" in error_line(refused)
    shown = run(db, "case", "show", case_id, "--format", "json")
    assert json.loads(shown.stdout)["state"] == "applied"
    as_json = run(db, "case", "assess", case_id, str(path), "--on", "2026-03-04",
                  "--format", "json")
    assert json.loads(as_json.stdout)["assessment"]["per_capita"] == 1800


def test_a_recognition_of_no_known_kind_is_refused_wherever_it_is_given(db):
    # 低保边缘 (marginal) or 支出型 (expenditure): a misspelt kind was stored where no
    # assessment was recorded, and the case recognised as nothing.
    result = run(db, "case", "open", "--province", "shanxi", "--workflow", "marginal",
                 "--on", "2026-03-02", "--set", "recognition=marginl")
    assert result.exit_code == 2
    assert "recognition must be one of marginal, expenditure, got \"marginl\"" in result.output
    ok = run(db, "case", "open", "--province", "shanxi", "--workflow", "marginal",
             "--on", "2026-03-02", "--set", "recognition=marginal")
    assert ok.exit_code == 0, ok.output


def test_shanxi_expenditure_type_needs_an_income_above_the_standard_not_at_it(engine):
    """晋民发〔2023〕31号 一(三): "将收入高于低保标准，但因病、因残、因学等刚性支出较大…的支出型贫困
    家庭": 1,800 for two is 900 a head, exactly the standard 900: not below it (so not 低保,
    民发〔2021〕57号 "低于"), and not above it, so not 支出型 whatever its 600 a month of rigid
    spending (it was recognised). It is 边缘 (一(四): below 1,350). 1,800.01 for two is
    900.005 a head, above 900 (shown 900.01, or 900 rounded down): 支出型."""
    at, result = assessed(engine, "shanxi", "expenditure", household(1800, rigid_spending=600))
    assert (result["per_capita"], result["classification"]) == (900, "marginal")
    assert result["flags"]["at_standard"] is True
    with pytest.raises(EventRefused, match=r"per-capita income of 900 against the standard 900 "
                       r"and no income above it \(exactly the standard\): not 支出型 "
                       r"\(晋民发〔2023〕31号 一\(三\)（收入高于低保标准"):
        engine.fire(at, "recognize", on=DECIDED)
    assert engine.case(at).case.state == "applied"
    marginal, _ = assessed(engine, "shanxi", "marginal", household(1800, rigid_spending=600))
    assert engine.fire(marginal, "recognize", on=DECIDED).case.state == "recognized"
    above, result = assessed(engine, "shanxi", "expenditure",
                             household(1800.01, rigid_spending=600))
    assert result["classification"] == "marginal" and "at_standard" not in result["flags"]
    assert engine.fire(above, "recognize", on=DECIDED).case.state == "recognized"


def test_shanxi_monitors_an_expenditure_type_household_under_the_clause_that_names_it(engine):
    """晋民发〔2023〕31号 三(四): "持续对低收入人口开展动态监测……对全部或者部分丧失劳动能力的低收入人口，
    特别是……低保边缘群体、支出型困难群体、重病重残人员等要密切关注"; 一(四) ("对其实施动态监测")
    speaks of 低保边缘家庭 alone, and 一(三), which recognises 支出型, says nothing of monitoring.
    A 支出型 household recognised (3,600 for two: 1,800 a head against the standard 900, with
    600 a month of rigid spending) is monitored under 三(四); it was recorded under 一(四)'s
    边缘 words alone. A 边缘 one (2,400 for two: 1,200 a head, below 1.5 × 900 = 1,350) keeps
    一(四), beside 三(四)."""
    basis = ("晋民发〔2023〕31号 一(四)（纳入低保边缘家庭范围，对其实施动态监测）；三(四)（低保边缘群体、"
             "支出型困难群体……要密切关注）")
    recorded = {}
    for recognition, income, spending in (("expenditure", 3600, 600), ("marginal", 2400, 0)):
        case, result = assessed(engine, "shanxi", recognition,
                                household(income, rigid_spending=spending))
        assert result["per_capita"] == income / 2
        view = engine.fire(case, "recognize", on=DECIDED)
        recorded[recognition] = (view.case.attributes["dynamic_monitoring"],
                                 view.case.attributes["monitoring_basis"])
    assert recorded == {"expenditure": (True, basis), "marginal": (True, basis)}
