"""The integration contract's names and shapes, pinned in one place.

Government platforms drive doudi by the contract's event names and read its JSON; operators
script its CLI. The contract (kept with the project's references, contract.md) says "These
names and shapes are the public contract: keep them stable … More may be added; none below
may change meaning." Each test here restates one of its tables or shapes and fails if a name
is renamed or dropped, or a key leaves a JSON shape. What the deadlines count (the dates)
is pinned by the rule tests (test_national_defaults, test_reports, test_cli_cases …); here
only which event starts, stops or extends which rule, on which national parameter.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from engine import Engine
from engine.cli import cli
from engine.workflow import load_workflow
from helpers import run, tianjin_case_in_publicity

# contract.md, "Workflow dibao": event → 中文.
DIBAO_EVENTS = {
    "accept": "受理",
    "start_investigation": "启动家庭经济状况调查",
    "request_verification": "提请信息核对",
    "start_verification": "启动信息核对",
    "post_publicity": "初审意见公示",
    "raise_objection": "公示有异议",
    "extend": "特殊情况延长",
    "submit_to_county": "报送县级审核确认",
    "approve": "确认同意",
    "reject": "不予确认同意",
    "notify_refusal": "书面告知理由",
    "publish": "公布",
    "withdraw": "申请人撤回",
    "terminate": "终止审核确认",
}

# contract.md, "Workflow benefit": event → 中文 and the attributes (`--set`) it names.
BENEFIT_EVENTS = {
    "income_exceeds": ("就业后家庭人均收入超过标准", {"per_capita_income", "standard", "severe_member"}),
    "member_died": ("家庭成员死亡", {"died_on"}),
    "review": ("核查完成", {"outcome", "amount"}),
    "change_found": ("发现未主动告知的重大变化", {"occurred_on"}),
    "found_ineligible": ("核查不符合条件", set()),
    "fraud_found": ("查实虚报、隐瞒、伪造", {"since"}),
    "leave": ("退出低保", {"per_capita_income", "standard", "consent"}),
}


def _rules(name: str) -> dict:
    return {d.rule: d for d in load_workflow(name).deadlines}


def test_the_dibao_events_are_the_contract_s_with_its_titles():
    """A platform fires these names: each is an event of the packaged workflow, titled as the
    contract's 中文 column (terminate's title goes on with its ground, （拒不配合）)."""
    workflow = load_workflow("dibao")
    assert set(DIBAO_EVENTS) <= set(workflow.events)
    assert {e: workflow.event_title(e)[:len(t)] for e, t in DIBAO_EVENTS.items()} == DIBAO_EVENTS
    assert workflow.event_title("terminate") == "终止审核确认（拒不配合）"


def test_what_each_dibao_event_does_to_the_deadlines_is_the_contract_s():
    """contract.md's "effect on deadlines (national defaults …)": accept starts total (30 wd;
    20 wd delegated) and investigation_start (3 wd); start_investigation stops it;
    request_verification starts verification_start (3 wd), start_verification stops it;
    post_publicity starts publicity (7 days, a window); raise_objection and extend extend
    total to 45 wd; submit_to_county starts county_confirmation (10 wd); approve and reject
    stop total and county_confirmation; reject starts refusal_notice (3 wd), notify_refusal
    stops it."""
    workflow = load_workflow("dibao")
    rules = _rules("dibao")
    value = {name: p.value for name, p in workflow.parameters.items()}
    assert {r: (d.starts, d.stops, value[d.param]) for r, d in rules.items()} == {
        "total": (("accept",), ("approve", "reject"), "30wd"),
        "investigation_start": (("accept",), ("start_investigation",), "3wd"),
        "verification_start": (("request_verification",), ("start_verification",), "3wd"),
        "publicity": (("post_publicity",), (), "7d"),
        "county_confirmation": (("submit_to_county",), ("approve", "reject"), "10wd"),
        "refusal_notice": (("reject",), ("notify_refusal",), "3wd"),
    }
    assert rules["publicity"].kind == "window"
    total = rules["total"]
    assert [(v.when, value[v.param]) for v in total.variants] == [("delegated", "20wd")]
    assert [(x.events, value[x.param]) for x in total.extensions] == [
        (("raise_objection", "extend"), "45wd")]
    assert value["extension_reasons"] == ["人户分离", "异地申办", "调查难度大"]
    # raise_objection: "case returns to investigation"; publish "after approve"; withdraw and
    # terminate close the case (the cancelled deadlines: test_reports).
    moves = {(t.event, s): t.dest for t in workflow.transitions for s in t.sources}
    assert moves[("raise_objection", "in_publicity")] == "investigating"
    assert {s for (e, s) in moves if e == "publish"} == {"approved"}
    assert {moves[(e, s)] for (e, s) in moves if e in ("withdraw", "terminate")} == {
        "withdrawn", "terminated"}
    assert {"withdrawn", "terminated"} <= workflow.final_states


def test_the_case_attributes_the_contract_names_are_read():
    """contract.md: "Case attributes the engine reads: delegated, county, applicant_name,
    household_size, amount" (of a dibao case; the benefit case opened directly needs
    amount and paid_from)."""
    dibao = load_workflow("dibao").attributes
    assert {"delegated", "county", "applicant_name", "household_size", "amount"} <= set(dibao)
    assert (dibao["delegated"].type, dibao["household_size"].type, dibao["amount"].type) == (
        "bool", "integer", "number")
    benefit = load_workflow("benefit").attributes
    assert {n for n in ("amount", "paid_from") if benefit[n].required} == {"amount", "paid_from"}


def test_the_benefit_events_and_their_attributes_are_the_contract_s():
    """contract.md, "Workflow benefit": each event with its 中文 and the `--set` attributes
    it names; review's outcome is keep, raise, reduce or stop; member_died starts
    death_review, 3 months from died_on."""
    workflow = load_workflow("benefit")
    assert set(BENEFIT_EVENTS) <= set(workflow.events)
    assert {e: workflow.event_title(e) for e in BENEFIT_EVENTS} == {
        e: title for e, (title, _) in BENEFIT_EVENTS.items()}
    named = set().union(*(names for _, names in BENEFIT_EVENTS.values()))
    assert named <= set(workflow.attributes)
    assert workflow.attributes["outcome"].choices == ("keep", "raise", "reduce", "stop")
    death = _rules("benefit")["death_review"]
    assert (death.starts, death.start_from, workflow.parameters[death.param].value) == (
        ("member_died",), "died_on", "3m")


def _show(db, case_id, *extra):
    result = run(db, "case", "show", case_id, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_benefit_case_shows_the_contract_s_payments_sanctions_and_links(db):
    """contract.md: `case show --format json` on a benefit case adds "payments" [{month,
    amount, basis}], "sanctions" [{kind, on, amount, basis}] and "links" [{case_id,
    workflow, relation}] (on both workflows); a benefit case opened directly by the
    contract's own command line. Opened 2026-04-02 paid from 2026-04, 900 a month (57号
    第21条); fraud found 2026-06-04 since 2026-04-01 (民发〔2022〕83号 五(五)): stopped,
    900 × 3 months paid (04, 05, 06) to repay, referred."""
    opened = run(db, "case", "open", "--province", "shanxi", "--workflow", "benefit", "--on",
                 "2026-04-02", "--set", "amount=900", "--set", "paid_from=2026-04")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    fired = run(db, "case", "fire", case_id, "fraud_found", "--on", "2026-06-04",
                "--set", "since=2026-04-01")
    assert fired.exit_code == 0, fired.output
    shown = _show(db, case_id, "--as-of", "2026-06-30")
    assert shown["workflow"] == "benefit"
    assert [set(p) >= {"month", "amount", "basis"} for p in shown["payments"]] == [True] * 3
    assert [(p["month"], p["amount"]) for p in shown["payments"]] == [
        ("2026-04", 900.0), ("2026-05", 900.0), ("2026-06", 900.0)]
    assert all(set(s) >= {"kind", "on", "amount", "basis"} for s in shown["sanctions"])
    assert [(s["kind"], s["on"], s["amount"]) for s in shown["sanctions"]] == [
        ("stop", "2026-06-04", None), ("repayment", "2026-06-04", 2700.0),
        ("legal_referral", "2026-06-04", None)]
    assert shown["links"] == []
    # Opened by approval, the link is {case_id, workflow, relation} on both cases.
    application = tianjin_case_in_publicity(db)
    approved = run(db, "case", "fire", application, "approve", "--on", "2026-03-17",
                   "--set", "amount=900")
    assert approved.exit_code == 0, approved.output
    [link] = _show(db, application)["links"]
    assert set(link) >= {"case_id", "workflow", "relation"}
    [back] = _show(db, link["case_id"])["links"]
    assert (back["case_id"], back["workflow"], back["relation"]) == (application, "dibao",
                                                                      "application")


def test_the_cli_shapes_the_contract_lists(db):
    """contract.md's CLI: provinces (code, name, documents[number …]); calendar due with its
    three DURATION forms (start, duration, due, provisional, basis); case open with --id and
    --set prints the id; case fire with --set and --reason; case show's keys; report
    breaches' rows, filtered by --province and --workflow. 2026-03-02 is a Monday; 30 wd
    from it (清明 4/4–4/6 off) → 04-14, 7 days → 03-09, 3 months → 06-02."""
    provinces = json.loads(CliRunner().invoke(cli, ["provinces", "--format", "json"]).stdout)
    shanxi = next(p for p in provinces if p["code"] == "shanxi")
    assert (shanxi["name"], shanxi["documents"][0]["number"]) == ("山西省", "晋民发〔2023〕31号")
    dues = {}
    for duration in ("30wd", "7d", "3m"):
        result = run(db, "calendar", "due", "2026-03-02", duration, "--province", "shanxi",
                     "--format", "json")
        assert result.exit_code == 0, result.output
        shown = json.loads(result.stdout)
        assert set(shown) >= {"start", "duration", "due", "provisional", "basis"}
        dues[duration] = (shown["start"], shown["duration"], shown["due"], shown["provisional"])
    assert dues == {"30wd": ("2026-03-02", "30wd", "2026-04-14", False),
                    "7d": ("2026-03-02", "7d", "2026-03-09", False),
                    "3m": ("2026-03-02", "3m", "2026-06-02", False)}
    opened = run(db, "case", "open", "--province", "shanxi", "--workflow", "dibao", "--id",
                 "SX-1", "--set", "county=甲县", "--on", "2026-03-02")
    assert (opened.exit_code, opened.stdout) == (0, "SX-1\n")
    for event, on in (("accept", "2026-03-02"), ("start_investigation", "2026-03-03")):
        assert run(db, "case", "fire", "SX-1", event, "--on", on).exit_code == 0
    # 57号 第22条: extended for 人户分离, the total runs to 45 working days.
    extended = run(db, "case", "fire", "SX-1", "extend", "--on", "2026-03-04",
                   "--reason", "人户分离", "--set", "household_size=2")
    assert extended.exit_code == 0, extended.output
    shown = _show(db, "SX-1", "--as-of", "2026-03-04")
    assert set(shown) >= {"id", "province", "workflow", "state", "attributes", "history",
                          "deadlines"}
    assert all(set(h) >= {"seq", "event", "on", "from", "to"} for h in shown["history"])
    assert all(set(d) >= {"rule", "title", "starts_on", "due_on", "stopped_on", "status",
                          "basis", "provisional"} for d in shown["deadlines"])
    assert shown["attributes"] == {"county": "甲县", "household_size": 2}
    assert [(h["event"], h["reason"]) for h in shown["history"]][-1] == ("extend", "人户分离")
    rows = run(db, "report", "breaches", "--as-of", "2026-03-06", "--province", "shanxi",
               "--workflow", "dibao", "--format", "json")
    assert rows.exit_code == 0, rows.output
    assert json.loads(rows.stdout) == []


@pytest.mark.parametrize("workflow", ["dibao", "benefit"])
def test_a_breach_row_has_the_contract_s_keys_in_both_workflows(db, workflow):
    """contract.md: report breaches rows are {case_id, province, workflow, rule, title,
    due_on, overdue_working_days, basis}. A dibao case accepted Mon 2026-03-02 is due to
    start its investigation by Thu 03-05 (57号 第15条), 2 working days over on Mon 03-09; a
    benefit case opened directly 2025-03-03 is due its yearly re-check (57号 第31条) on
    2026-03-03, 4 working days over on Mon 03-09."""
    if workflow == "dibao":
        args = ("--on", "2026-03-02")
    else:
        args = ("--workflow", "benefit", "--on", "2025-03-03", "--set", "amount=900",
                "--set", "paid_from=2025-04")
    opened = run(db, "case", "open", "--province", "tianjin", "--id", "C", *args)
    assert opened.exit_code == 0, opened.output
    if workflow == "dibao":
        assert run(db, "case", "fire", "C", "accept", "--on", "2026-03-02").exit_code == 0
    result = run(db, "report", "breaches", "--as-of", "2026-03-09", "--format", "json")
    [row] = json.loads(result.stdout)
    assert set(row) >= {"case_id", "province", "workflow", "rule", "title", "due_on",
                        "overdue_working_days", "basis"}
    assert (row["case_id"], row["province"], row["workflow"]) == ("C", "tianjin", workflow)
    assert (row["rule"], row["due_on"], row["overdue_working_days"]) == {
        "dibao": ("investigation_start", "2026-03-05", 2),
        "benefit": ("periodic_review", "2026-03-03", 4)}[workflow]


def test_the_contract_s_python_example_runs(tmp_path, monkeypatch):
    """contract.md, "Python": the example, with the date import it leaves to the reader. 天津
    confirms at the township (delegated): accepted Tue 2026-03-03, total 20 wd (津民发〔2023〕
    13号 四(一)) and investigation_start 3 wd → Fri 03-06, breached as of 04-01."""
    monkeypatch.chdir(tmp_path)
    engine = Engine.open("cases.db")
    case = engine.open_case(province="tianjin", workflow="dibao", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=date(2026, 3, 3))
    views = engine.deadlines(case.id, as_of=date(2026, 4, 1))
    assert {(v.deadline.rule, v.status) for v in views} >= {("investigation_start", "breached")}
    breaches = engine.breaches(as_of=date(2026, 4, 1))
    assert [(b.to_json()["case_id"], b.to_json()["rule"], b.to_json()["due_on"])
            for b in breaches if b.to_json()["rule"] == "investigation_start"] == [
        (case.id, "investigation_start", "2026-03-06")]
    engine.close()


def test_the_python_views_json_is_what_the_cli_prints(tmp_path):
    """contract.md: platforms embed the engine, operators script the CLI, and both read the
    same shapes: `CaseView.to_json()` is `case show --format json` (a dibao case and the
    benefit case its approval opened, payments, sanctions and links and all), and each
    `Breach.to_json()` a row of `report breaches --format json`, in order. 天津: 公示 Mon
    03-09 to 03-16, approved 03-17 at 900 (57号 第21条: paid from 2026-04); the unreported
    change of 04-01 found 07-20, after 3 months (to 07-01): 批评教育 (津民发〔2023〕13号 五(五))."""
    db = str(tmp_path / "cases.db")
    application = tianjin_case_in_publicity(db)
    assert run(db, "case", "fire", application, "approve", "--on", "2026-03-17",
               "--set", "amount=900").exit_code == 0
    late = run(db, "case", "open", "--province", "tianjin", "--id", "L", "--on", "2026-03-02")
    assert late.exit_code == 0 and run(db, "case", "fire", "L", "accept", "--on",
                                       "2026-03-02").exit_code == 0
    with Engine.open(db) as engine:
        [link] = engine.case(application).to_json()["links"]
        household = link["case_id"]
        engine.fire(household, "change_found", on=date(2026, 7, 20),
                    payload={"occurred_on": "2026-04-01"})
        for case_id in (application, household, "L"):
            assert engine.case(case_id, as_of=date(2026, 8, 3)).to_json() == _show(
                db, case_id, "--as-of", "2026-08-03")
        shown = engine.case(household, as_of=date(2026, 8, 3)).to_json()
        assert [s["kind"] for s in shown["sanctions"]] == ["criticism"]
        assert [p["month"] for p in shown["payments"]] == [
            "2026-04", "2026-05", "2026-06", "2026-07", "2026-08"]
        rows = run(db, "report", "breaches", "--as-of", "2026-08-03", "--format", "json")
        assert [b.to_json() for b in engine.breaches(as_of=date(2026, 8, 3))] == json.loads(
            rows.stdout)
        assert {(r["case_id"], r["rule"]) for r in json.loads(rows.stdout)} >= {
            ("L", "investigation_start"), ("L", "total")}
