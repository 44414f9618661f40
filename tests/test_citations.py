"""Citation audit: each parameter a user sees carries a title and its clause, in the words of
the province's own notice. The seed texts are quoted clause by clause."""

from __future__ import annotations

from datetime import date

import pytest

from engine import EventRefused
from engine.workflow import available_workflows

PROVINCES = ("shanxi", "tianjin", "jiangsu_draft")


@pytest.mark.parametrize("province", PROVINCES)
def test_every_parameter_shown_has_a_title_and_a_citation(engine, province):
    """`doudi workflow show` lists each parameter with its title and citation, and a county
    sets the local ones by name: none may be shown without saying what it is."""
    untitled = [(name, p.name) for name in available_workflows()
                for p in engine.workflow(province, name).parameters.values()
                if not p.title.strip() or not p.citation.strip()]
    assert untitled == []


def test_jiangsu_local_parameters_are_titled_in_the_drafts_terms(engine):
    """江苏征求意见稿 一(二) 二是: "在申请和享受低保期间可参照当地最低生活保障标准的一定比例在每月就业收入中
    进行扣减，最高不超过最低生活保障标准。具体扣减比例由当地结合实际确定"; 一(四): "兄弟姐妹或者60周岁及以上
    老年人，按规定应当给付的供养费用，可以视情适当豁免" and "鼓励有条件的地区将“单人保”的范围放宽至四级精神、
    四级智力残疾人"; 一(五): "家庭人均收入达到或超过当地低保标准2倍的，自收入发生变动起一定期限内保留低保
    待遇，最长不超过6个月" and "对低保家庭中有重残重病人员的，可以视情延长缓退期，原则上不超过12个月";
    五(一): "通过“一事一议”的方式，集体研究确定"."""
    dibao = engine.workflow("jiangsu_draft", "dibao").parameters
    benefit = engine.workflow("jiangsu_draft", "benefit").parameters
    titles = {name: (p.title, p.value, p.citation.split("（")[0]) for name, p in
              [*((n, dibao[n]) for n in ("employment_cost_share", "single_support_counted_share",
                                        "single_person_grade4", "collective_min_participants")),
               *((n, benefit[n]) for n in ("phase_out_months_high_income",
                                           "phase_out_months_severe_member"))]}
    assert titles == {
        "employment_cost_share": ("就业成本扣减比例（占低保标准，最高不超过低保标准）", 0.0,
                                  "江苏征求意见稿 一(二) 二是"),
        "single_support_counted_share": ("兄弟姐妹或60周岁及以上老年人给付的供养费用计入比例", 1.0,
                                         "江苏征求意见稿 一(四)"),
        "single_person_grade4": ("“单人保”放宽至四级精神、四级智力残疾人", False,
                                 "江苏征求意见稿 一(四)"),
        "collective_min_participants": ("一事一议集体研究的最少参加人数", 3, "江苏征求意见稿 五(一)"),
        "phase_out_months_high_income": ("家庭人均收入达到或超过低保标准2倍的保留低保待遇期限（月）", 6,
                                         "江苏征求意见稿 一(五)"),
        "phase_out_months_severe_member": ("有重残重病人员的家庭延长缓退期（月）", 12,
                                           "江苏征求意见稿 一(五)"),
    }


def test_delegation_and_the_opinion_posted_cite_the_notice_that_says_them(engine):
    """晋民发〔2023〕31号 四(二): "审核确认权限下放到乡镇人民政府（街道办事处）的，应当自受理之日起 20 个
    工作日之内完成"; 四(五): "乡镇人民政府（街道办事处）经调查核实提出的初审意见，应在申请家庭所在村（社区）
    进行为期 7 天的公示". 江苏征求意见稿 四(一) says the same of delegation, 四(二) "严格落实低保初审公示".
    Both cited the national 民发〔2022〕83号 四(一) and 民发〔2021〕57号 第19条, as if the notices
    were silent; 天津 (四(一) always delegated, 四(二) its 审核意见) already cited its own."""
    cited = {province: {name: engine.workflow(province, "dibao").parameters[name].citation
                        for name in ("delegation", "publicity_opinion")}
             for province in PROVINCES}
    assert cited == {
        "shanxi": {"delegation": "晋民发〔2023〕31号 四(二)（审核确认权限下放到乡镇人民政府（街道办事处）的，"
                                 "20个工作日）",
                   "publicity_opinion": "晋民发〔2023〕31号 四(五)（乡镇人民政府（街道办事处）经调查核实"
                                        "提出的初审意见……公示）"},
        "tianjin": {"delegation": "津民发〔2023〕13号 四(一)",
                    "publicity_opinion": "津民发〔2023〕13号 四(二)（乡镇人民政府（街道办事处）经调查核实"
                                         "提出的审核意见……公示）"},
        "jiangsu_draft": {"delegation": "江苏征求意见稿 四(一)（审核确认权限下放到乡镇人民政府（街道办事处）"
                                        "的，20个工作日）",
                          "publicity_opinion": "江苏征求意见稿 四(二)（严格落实低保初审公示）"},
    }
    # A delegated 山西 case (accepted Wed 2026-01-28, 公示 posted Mon 02-09, 7 days to Mon 02-16)
    # sent to the county on Wed 02-25 is refused naming the notice's clause.
    case = engine.open_case(province="shanxi", on=date(2026, 1, 26), attributes={"delegated": True})
    for event, on in (("accept", 28), ("start_investigation", 30)):
        engine.fire(case.id, event, on=date(2026, 1, on))
    for event, on in (("request_verification", 3), ("start_verification", 5), ("post_publicity", 9)):
        engine.fire(case.id, event, on=date(2026, 2, on))
    with pytest.raises(EventRefused, match=r"confirmation is delegated to the township \(晋民发〔2023〕31号 "
                                           r"四\(二\)（审核确认权限下放"):
        engine.fire(case.id, "submit_to_county", on=date(2026, 2, 25))


@pytest.mark.parametrize("province", PROVINCES)
def test_workflow_show_names_the_case_approve_opens_with_its_clause(province):
    """民发〔2021〕57号 第21条 (rules.md N-decision: "Approval: amount fixed, payment from the month
    after the decision"). The workflow file opens the benefit case on `approve`, its paid_from the
    month after, with that clause; `workflow show --format json` left the opening out altogether."""
    import json

    from click.testing import CliRunner

    from engine.cli import cli

    result = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", province,
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["opens"] == [{
        "event": "approve", "workflow": "benefit", "relation": "benefit",
        "back_relation": "application",
        "copy": ["amount", "county", "applicant_name", "household_size", "village",
                 "minimum_benefit", "unstable_income", "severe_member"],
        "next_month_attribute": "paid_from", "citation": "民发〔2021〕57号 第21条"}]
