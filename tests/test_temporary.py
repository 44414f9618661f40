"""临时救助 (workflow ``temporary``): 急难型 paid first then 补齐手续, 支出型 the full procedure,
and the provinces' amount rules — through the Python API and the CLI.

Due dates are counted by hand on the 2026 official calendar (国办发明电〔2025〕7号: 春节 2/15–2/23
off, 2/14 Sat and 2/28 Sat worked; 劳动节 5/1–5/5 off, 5/9 Sat worked; 中秋 9/25–9/27 off;
国庆 10/1–10/7 off, 9/20 Sun and 10/10 Sat worked), the counted days listed in comments.
Amounts are worked out by hand too.
"""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from engine import EventRefused, InvalidInput
from engine.cli import cli
from engine.default_temporary import graduate_eligible
from engine.workflow import load_workflow
from helpers import by_rule, dump_file, error_line, run, snapshot

NATIONAL = "民发〔2018〕23号 二(二)"
JIANGSU = "江苏征求意见稿"
SHANXI = "晋民发〔2023〕31号"
TIANJIN = "津民发〔2023〕13号"
PROVINCES = ("shanxi", "tianjin", "jiangsu_draft")

# rules.md N-temp (民发〔2018〕23号 二(二)): 急难型 may skip economic verification, 民主评议 and 公示,
# pay first, then register and complete signatures after the emergency eases (先行救助, 补齐手续);
# 支出型 follows the full procedure. No national day count for 补齐手续.
#
# 江苏征求意见稿 二(二): "对于急难型临时救助，不再开展经济状况核对、民主评议和确认前公示，直接予以救助，
# 并在急难情况缓解后，登记救助对象、救助事由、救助金额等信息，补齐经办人员签字、盖章手续"
#
# The deadline for 补齐手续 is therefore a local setting of this system (default 10 working days),
# advisory, its citation saying so. Paid Mon 2026-09-28, 10 working days:
#   9/29 Tu(1) 9/30 W(2) 10/1–10/7 国庆 off 10/8 Th(3) 10/9 F(4) 10/10 Sat 调休上班(5)
#   10/12 M(6) 10/13(7) 10/14(8) 10/15(9) 10/16 F(10)                        → 2026-10-16
PAID = date(2026, 9, 28)
FORMALITIES_DUE = date(2026, 10, 16)


# 二(一) of each: "连续三个月无收入来源……失业保险政策无法覆盖的……未参保失业人员".
UNEMPLOYED = {"category": "unemployed", "months_without_income": 3}


def open_temporary(engine, province, on=PAID, **attributes):
    return engine.open_case(province=province, workflow="temporary", on=on, attributes=attributes)


def pay_urgent(engine, province, on=PAID, **payload):
    case = open_temporary(engine, province, on=on)
    payload = {"amount": 800, "reason": "火灾", **payload}
    return engine.fire(case.id, "pay_urgent", on=on, payload=payload)


def complete(engine, case_id, on, **payload):
    payload = {"subject": "张某", "reason": "火灾", "amount": 800, "signed": True, **payload}
    return engine.fire(case_id, "complete_formalities", on=on, payload=payload)


def cli_open(db, province, on="2026-09-28", *sets):
    result = run(db, "case", "open", "--province", province, "--workflow", "temporary",
                 "--on", on, *sets)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def show(province, fmt="json"):
    """``doudi workflow show temporary --province P --format F`` (it takes no --db)."""
    return CliRunner().invoke(cli, ["workflow", "show", "temporary", "--province", province,
                                    "--format", fmt])


def sets(**values):
    return [item for key, value in values.items() for item in ("--set", f"{key}={value}")]


# -- the workflow as each province runs it ---------------------------------------------------


@pytest.mark.parametrize("province", PROVINCES)
def test_workflow_show_temporary_as_json(province):
    result = show(province)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["name"], data["province"], data["initial"]) == ("temporary", province, "applied")
    finals = {s["name"] for s in data["states"] if s["final"]}
    assert finals == {"completed", "paid", "refusal_notified", "withdrawn", "terminated"}
    events = {t["event"] for t in data["transitions"]}
    assert {"pay_urgent", "complete_formalities", "accept", "start_investigation", "verify",
            "post_publicity", "approve", "reject", "notify_refusal", "pay", "withdraw",
            "terminate"} == events
    # No national or provincial clause gives a day count: every deadline is advisory, its
    # citation says the default is this system's local setting.
    deadlines = {d["rule"]: d for d in data["deadlines"]}
    assert set(deadlines) == {"formalities", "investigation_start", "publicity", "refusal_notice"}
    for d in deadlines.values():
        assert d["severity"] == "advisory"
        assert "本系统的地方可调设定" in d["citation"]
    assert deadlines["formalities"]["duration"] == "10wd"
    assert deadlines["formalities"]["starts"] == ["pay_urgent"]
    assert deadlines["formalities"]["stops"] == ["complete_formalities"]
    assert deadlines["investigation_start"]["duration"] == "3wd"
    for p in data["parameters"].values():
        assert p["citation"]


def test_each_province_cites_its_own_clauses_for_the_amount_rules():
    def params(province):
        return json.loads(show(province).output)["parameters"]

    sx, tj, js = params("shanxi"), params("tianjin"), params("jiangsu_draft")
    assert sx["unemployed_grant_months"]["value"] == []
    assert sx["unemployed_grant_months"]["citation"].startswith(f"{SHANXI} 二(一)")
    assert sx["formalities"]["citation"].startswith(NATIONAL)
    assert tj["disaster_months_per_person"]["value"] == [0, 3]
    assert tj["disaster_months_per_person"]["citation"].startswith(f"{TIANJIN} 二(二)")
    assert tj["formalities"]["citation"].startswith(NATIONAL)
    assert js["unemployed_grant_months"]["value"] == [3, 6]
    assert js["unemployed_grant_months"]["citation"].startswith(f"{JIANGSU} 二(一)")
    assert js["formalities"]["value"] == "10wd"
    assert js["formalities"]["citation"].startswith(f"{JIANGSU} 二(二)")


def test_workflow_show_temporary_draws_a_mermaid_diagram():
    result = show("tianjin", "mermaid")
    assert result.exit_code == 0, result.output
    assert "applied --> urgent_paid: pay_urgent" in result.output


# -- 急难型: 先行救助, then 补齐手续 ----------------------------------------------------------------


def test_urgent_aid_is_paid_without_investigation_or_publicity(engine):
    view = pay_urgent(engine, "shanxi")
    assert view.state == "urgent_paid"
    assert view.case.attributes["amount"] == 800
    formalities = by_rule(view)["formalities"]
    assert formalities.deadline.due_on == FORMALITIES_DUE
    assert formalities.deadline.severity == "advisory"
    assert formalities.deadline.citation.startswith(NATIONAL)
    # No economic verification, 民主评议 or 公示 on this route: the investigation cannot start.
    with pytest.raises(EventRefused, match="not allowed in state urgent_paid"):
        engine.fire(view.id, "start_investigation", on=PAID)


def test_an_unfinished_urgent_case_is_a_breach_after_its_deadline_and_not_before(engine, db):
    case_id = cli_open(db, "shanxi")
    paid = run(db, "case", "fire", case_id, "pay_urgent", "--on", "2026-09-28",
               *sets(amount=800, reason="火灾"))
    assert paid.exit_code == 0, paid.output

    def breaches(as_of):
        result = run(db, "report", "breaches", "--as-of", as_of, "--workflow", "temporary",
                     "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    # Due Fri 10-16 (the last day the duty can still be done): not a breach on it …
    assert breaches("2026-10-16") == []
    # … a breach from the day after (Sat 10-17, no working day overdue yet) …
    [row] = breaches("2026-10-17")
    assert (row["case_id"], row["workflow"], row["rule"], row["status"], row["due_on"],
            row["severity"], row["overdue_working_days"]) == (
        case_id, "temporary", "formalities", "breached", "2026-10-16", "advisory", 0)
    assert row["basis"].startswith(NATIONAL)
    # … and Mon 10-19 is the first working day overdue.
    [row] = breaches("2026-10-19")
    assert row["overdue_working_days"] == 1
    # Before its deadline it is at risk (within 3 working days: 10-14 → 10-15, 10-16).
    at_risk = run(db, "report", "at-risk", "--as-of", "2026-10-14", "--format", "json")
    assert [r["rule"] for r in json.loads(at_risk.output)] == ["formalities"]


def test_completing_the_formalities_on_the_due_date_meets_the_deadline(engine):
    view = pay_urgent(engine, "shanxi")
    done = complete(engine, view.id, FORMALITIES_DUE)
    assert done.state == "completed"
    assert by_rule(done)["formalities"].status == "met"
    assert engine.breaches(as_of=date(2026, 12, 31), include_late=True) == []
    # The registration is recorded on the case.
    assert {k: done.case.attributes[k] for k in ("subject", "reason", "amount", "signed")} == {
        "subject": "张某", "reason": "火灾", "amount": 800, "signed": True}


def test_completing_the_formalities_late_is_met_late(engine):
    view = pay_urgent(engine, "tianjin")
    done = complete(engine, view.id, date(2026, 10, 19))
    d = by_rule(done)["formalities"]
    assert (d.status, d.overdue_working_days) == ("met_late", 1)
    assert engine.breaches(as_of=date(2026, 10, 30)) == []
    [late] = engine.breaches(as_of=date(2026, 10, 30), include_late=True)
    assert (late.view.deadline.rule, late.view.status) == ("formalities", "met_late")


def test_jiangsu_cites_its_draft_for_the_formalities_deadline_across_spring_festival(engine):
    # 江苏征求意见稿 二(二) (quoted above) sets no day count either: 10 working days, its citation.
    # Paid Thu 2026-02-12: 2/13 F(1) 2/14 Sat 调休上班(2) 2/15–2/23 春节 off 2/24 Tu(3) 2/25(4)
    #   2/26(5) 2/27 F(6) 2/28 Sat 调休上班(7) 3/2 M(8) 3/3(9) 3/4 W(10)           → 2026-03-04
    view = pay_urgent(engine, "jiangsu_draft", on=date(2026, 2, 12))
    d = by_rule(view)["formalities"].deadline
    assert d.due_on == date(2026, 3, 4)
    assert d.citation.startswith(f"{JIANGSU} 二(二)")
    assert engine.breaches(as_of=date(2026, 3, 4)) == []
    [row] = engine.breaches(as_of=date(2026, 3, 5))
    assert row.to_json()["basis"].startswith(f"{JIANGSU} 二(二)")


def test_formalities_need_subject_reason_amount_and_signatures(engine):
    view = pay_urgent(engine, "shanxi")
    before = snapshot(engine, view.id)
    on = date(2026, 10, 9)
    with pytest.raises(InvalidInput, match="救助对象"):
        complete(engine, view.id, on, subject="")
    with pytest.raises(InvalidInput, match="救助事由"):
        complete(engine, view.id, on, reason="")
    with pytest.raises(EventRefused, match="签字、盖章"):
        complete(engine, view.id, on, signed=False)
    with pytest.raises(EventRefused, match="not the amount paid on pay_urgent"):
        complete(engine, view.id, on, amount=900)
    assert snapshot(engine, view.id) == before
    # The 救助事由 may also be the event's --reason.
    payload = {"subject": "张某", "amount": 800, "signed": True}
    done = engine.fire(view.id, "complete_formalities", on=on, payload=payload, reason="火灾")
    assert done.state == "completed"


def test_unsigned_formalities_via_the_cli_exit_1_and_write_nothing(db):
    case_id = cli_open(db, "shanxi")
    run(db, "case", "fire", case_id, "pay_urgent", "--on", "2026-09-28",
        *sets(amount=800, reason="火灾"))
    before = dump_file(db)
    result = run(db, "case", "fire", case_id, "complete_formalities", "--on", "2026-10-09",
                 *sets(subject="张某", reason="火灾", amount=800))
    assert result.exit_code == 1
    assert "签字、盖章" in error_line(result, "Error: complete_formalities refused")
    assert dump_file(db) == before


def test_urgent_aid_needs_its_reason_and_amount(engine):
    case = open_temporary(engine, "shanxi")
    with pytest.raises(InvalidInput, match="救助事由"):
        engine.fire(case.id, "pay_urgent", on=PAID, payload={"amount": 800})
    with pytest.raises(InvalidInput, match="needs --set amount"):
        engine.fire(case.id, "pay_urgent", on=PAID, payload={"reason": "火灾"})
    view = engine.fire(case.id, "pay_urgent", on=PAID, payload={"amount": 800}, reason="火灾")
    assert view.state == "urgent_paid"


# -- 支出型: the full procedure --------------------------------------------------------------


def test_expenditure_investigation_must_start_within_3_working_days_of_acceptance(engine):
    # rules.md N-temp: 支出型 follows the full procedure; no 临时救助 clause counts its days, so
    # the default follows 民发〔2021〕57号 第15条 ("3个工作日内启动家庭经济状况调查") by analogy,
    # advisory. Accepted Thu 2026-04-30: 5/1–5/5 劳动节 off, 5/6 W(1) 5/7 Th(2) 5/8 F(3) → 05-08.
    case = open_temporary(engine, "tianjin", on=date(2026, 4, 30))
    view = engine.fire(case.id, "accept", on=date(2026, 4, 30))
    d = by_rule(view)["investigation_start"]
    assert d.deadline.due_on == date(2026, 5, 8)
    assert d.deadline.severity == "advisory"
    assert d.deadline.citation.startswith(NATIONAL)
    assert "民发〔2021〕57号 第15条" in d.deadline.citation
    assert engine.breaches(as_of=date(2026, 5, 8)) == []
    [row] = engine.breaches(as_of=date(2026, 5, 9))  # Sat 5/9 is a make-up working day
    assert (row.view.deadline.rule, row.view.overdue_working_days) == ("investigation_start", 1)
    started = engine.fire(case.id, "start_investigation", on=date(2026, 5, 9))
    assert by_rule(started)["investigation_start"].status == "met_late"


def publicized(engine, case_id, start=date(2026, 3, 4), posted=date(2026, 3, 9)):
    """支出型 after its investigation (from ``start``), economic verification and a 公示 posted
    on ``posted``: 7 days (advisory default), so approval may come from the 8th day after."""
    engine.fire(case_id, "start_investigation", on=start)
    engine.fire(case_id, "verify", on=start)
    engine.fire(case_id, "post_publicity", on=posted)


def test_expenditure_route_is_verified_and_publicized_before_approval(engine):
    """民发〔2018〕23号 二(二): only 急难型 skips "家庭经济状况核对、民主评议和公示"; 支出型 follows the
    ordinary procedure (found by review: it was approved straight after the investigation). 公示
    posted Mon 2026-03-09, 7 days (this system's default, by analogy with 57号 第19条) to
    03-16: approval from Tue 03-17."""
    case = open_temporary(engine, "shanxi", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=date(2026, 3, 2))
    engine.fire(case.id, "start_investigation", on=date(2026, 3, 4))
    with pytest.raises(EventRefused, match=r"approve is not allowed in state investigating"):
        engine.fire(case.id, "approve", on=date(2026, 3, 5), payload={"amount": 2000})
    engine.fire(case.id, "verify", on=date(2026, 3, 6))
    posted = engine.fire(case.id, "post_publicity", on=date(2026, 3, 9))
    d = by_rule(posted)["publicity"].deadline
    assert (d.due_on, d.severity, d.kind) == (date(2026, 3, 16), "advisory", "window")
    with pytest.raises(EventRefused, match=r"the 公示 posted on 2026-03-09 runs until 2026-03-16"):
        engine.fire(case.id, "approve", on=date(2026, 3, 16), payload={"amount": 2000})
    assert engine.fire(case.id, "approve", on=date(2026, 3, 17),
                       payload={"amount": 2000}).state == "approved"


def test_expenditure_route_approve_then_pay(engine):
    case = open_temporary(engine, "shanxi", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=date(2026, 3, 2))
    publicized(engine, case.id)
    approved = engine.fire(case.id, "approve", on=date(2026, 3, 20), payload={"amount": 2000})
    assert approved.state == "approved"
    assert by_rule(approved)["investigation_start"].status == "met"
    paid = engine.fire(case.id, "pay", on=date(2026, 3, 23))
    assert paid.state == "paid"
    # 急难型 先行救助 is another route: not once the 支出型 procedure has started.
    with pytest.raises(EventRefused, match="closed"):
        engine.fire(case.id, "pay_urgent", on=date(2026, 3, 23), payload={"amount": 1})


def test_approve_needs_the_amount(engine):
    case = open_temporary(engine, "shanxi", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=date(2026, 3, 2))
    publicized(engine, case.id, start=date(2026, 3, 3))
    with pytest.raises(InvalidInput, match="needs --set amount"):
        engine.fire(case.id, "approve", on=date(2026, 3, 17))


def test_refusal_is_notified_within_3_working_days(engine):
    # By analogy with 民发〔2021〕57号 第21条, advisory. Rejected Wed 2026-09-30:
    #   10/1–10/7 国庆 off 10/8 Th(1) 10/9 F(2) 10/10 Sat 调休上班(3)              → 2026-10-10
    case = open_temporary(engine, "jiangsu_draft", on=date(2026, 9, 21))
    engine.fire(case.id, "accept", on=date(2026, 9, 21))
    engine.fire(case.id, "start_investigation", on=date(2026, 9, 22))
    rejected = engine.fire(case.id, "reject", on=date(2026, 9, 30))
    d = by_rule(rejected)["refusal_notice"].deadline
    assert (d.due_on, d.severity) == (date(2026, 10, 10), "advisory")
    assert "民发〔2021〕57号 第21条" in d.citation
    notified = engine.fire(case.id, "notify_refusal", on=date(2026, 10, 10))
    assert notified.state == "refusal_notified"
    assert by_rule(notified)["refusal_notice"].status == "met"


@pytest.mark.parametrize(("event", "state"), [("withdraw", "withdrawn"), ("terminate", "terminated")])
def test_withdraw_and_terminate_close_the_case_and_cancel_its_deadline(engine, event, state):
    case = open_temporary(engine, "tianjin", on=date(2026, 4, 30))
    engine.fire(case.id, "accept", on=date(2026, 4, 30))
    closed = engine.fire(case.id, event, on=date(2026, 5, 6))
    assert closed.state == state
    assert by_rule(closed)["investigation_start"].status == "cancelled"
    assert engine.breaches(as_of=date(2026, 6, 1)) == []
    with pytest.raises(EventRefused, match="closed"):
        engine.fire(case.id, "start_investigation", on=date(2026, 5, 7))


def test_an_urgent_payment_cannot_be_withdrawn(engine):
    view = pay_urgent(engine, "shanxi")
    with pytest.raises(EventRefused, match="withdraw is not allowed"):
        engine.fire(view.id, "withdraw", on=PAID)


# -- amount rules ------------------------------------------------------------------------------

# 江苏征求意见稿 二(一): "对…连续三个月无收入来源，生活困难且失业保险政策无法覆盖的农民工等未参保失业人员，
# 未纳入低保范围的，经本人申请，由务工地或者经常居住地发放一次性临时救助金，救助标准原则上为当地 3-6个月的
# 低保标准"


@pytest.mark.parametrize(("months", "amount"), [(3, 2700), (4.5, 4050), (6, 5400)])
def test_jiangsu_unemployed_grant_is_months_times_the_standard(engine, months, amount):
    # standard 900: 3 × 900 = 2700; 4.5 × 900 = 4050; 6 × 900 = 5400.
    case = open_temporary(engine, "jiangsu_draft", **UNEMPLOYED, standard=900)
    view = engine.fire(case.id, "pay_urgent", on=PAID, payload={"months": months, "reason": "失业"})
    assert view.case.attributes["amount"] == amount
    basis = view.case.attributes["amount_basis"]
    assert basis.startswith(f"{JIANGSU} 二(一)") and f"= {amount}元" in basis
    # The amount registered at 补齐手续 is the computed one.
    assert complete(engine, view.id, date(2026, 10, 9), amount=amount).state == "completed"


def test_the_grant_s_basis_and_refusals_write_its_amount_to_the_fen(engine):
    """江苏征求意见稿 二(一) "3-6个月的低保标准": standard 2,022.36 × 6 months = 12,134.16. The
    basis kept as evidence wrote it "12134.2元" (Python's :g keeps six digits), and a refusal
    of 12,134.17 read "amount 12134.2 is not 6 months × the standard 2022.36 = 12134.2"."""
    case = open_temporary(engine, "jiangsu_draft", **UNEMPLOYED, standard=2022.36)
    with pytest.raises(EventRefused) as refused:
        engine.fire(case.id, "pay_urgent", on=PAID,
                    payload={"months": 6, "reason": "失业", "amount": 12134.17})
    assert "amount 12134.17 is not 6 months × the standard 2022.36 = 12134.16 " in str(
        refused.value)
    view = engine.fire(case.id, "pay_urgent", on=PAID, payload={"months": 6, "reason": "失业"})
    assert view.case.attributes["amount"] == 12134.16
    assert view.case.attributes["amount_basis"].endswith(
        "：6个月 × 低保标准2022.36元 = 12134.16元")


@pytest.mark.parametrize("months", [2, 2.9, 6.5, 7])
def test_jiangsu_refuses_a_grant_outside_3_to_6_months_via_the_cli(db, months):
    case_id = cli_open(db, "jiangsu_draft", "2026-09-28", *sets(**UNEMPLOYED))
    before = dump_file(db)
    result = run(db, "case", "fire", case_id, "pay_urgent", "--on", "2026-09-28",
                 *sets(months=months, standard=900, reason="失业"))
    assert result.exit_code == 1
    line = error_line(result, "Error: pay_urgent refused")
    assert "outside 3–6 months" in line and f"{JIANGSU} 二(一)" in line
    assert dump_file(db) == before


def test_jiangsu_refuses_an_amount_that_is_not_months_times_the_standard(engine):
    case = open_temporary(engine, "jiangsu_draft", **UNEMPLOYED)
    before = snapshot(engine, case.id)
    with pytest.raises(EventRefused, match=r"amount 3000 is not 3 months × the standard 900 = 2700"):
        engine.fire(case.id, "pay_urgent", on=PAID,
                    payload={"months": 3, "standard": 900, "amount": 3000, "reason": "失业"})
    with pytest.raises(InvalidInput, match="needs --set months"):
        engine.fire(case.id, "pay_urgent", on=PAID,
                    payload={"standard": 900, "amount": 2700, "reason": "失业"})
    assert snapshot(engine, case.id) == before


def test_jiangsu_applies_the_range_to_a_supported_expenditure_decision_too(db):
    case_id = cli_open(db, "jiangsu_draft", "2026-03-02", *sets(**UNEMPLOYED, standard=900))
    for event, on in (("accept", "2026-03-02"), ("start_investigation", "2026-03-03"),
                      ("verify", "2026-03-03"), ("post_publicity", "2026-03-03")):
        assert run(db, "case", "fire", case_id, event, "--on", on).exit_code == 0
    before = dump_file(db)
    refused = run(db, "case", "fire", case_id, "approve", "--on", "2026-03-11", *sets(months=8))
    assert refused.exit_code == 1
    error_line(refused, "Error: approve refused")
    assert dump_file(db) == before
    ok = run(db, "case", "fire", case_id, "approve", "--on", "2026-03-11", *sets(months=5),
             "--format", "json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["attributes"]["amount"] == 4500  # 5 × 900


# 津民发〔2023〕13号 二(二): "对经过应急期救助、过渡期生活救助后基本生活仍有较大困难的受灾群众，
# 及时给予临时救助，每人救助标准不超过3个月本市城乡居民最低生活保障标准"


def test_tianjin_disaster_aid_is_at_most_3_months_of_the_standard_per_person(engine):
    # standard 1010, 2 persons: 3 × 1010 × 2 = 6060 is the cap.
    case = open_temporary(engine, "tianjin", category="disaster", standard=1010, persons=2)
    before = snapshot(engine, case.id)
    with pytest.raises(EventRefused, match=r"exceeds 3 months × the standard 1010 × 2 persons = 6060"):
        engine.fire(case.id, "pay_urgent", on=PAID, payload={"amount": 6060.01, "reason": "水灾"})
    assert snapshot(engine, case.id) == before
    view = engine.fire(case.id, "pay_urgent", on=PAID, payload={"amount": 6060, "reason": "水灾"})
    assert view.state == "urgent_paid"
    assert view.case.attributes["amount_basis"].startswith(f"{TIANJIN} 二(二)")


def test_persons_are_whole(engine):
    # 二(二) "每人救助标准不超过3个月…": per person, so 1.5 persons (a cap of 4545) is refused.
    case = open_temporary(engine, "tianjin", category="disaster", standard=1010, persons=1)
    before = snapshot(engine, case.id)
    with pytest.raises(InvalidInput, match=r"persons.*whole number"):
        engine.fire(case.id, "pay_urgent", on=PAID,
                    payload={"amount": 4545, "persons": 1.5, "reason": "水灾"})
    assert snapshot(engine, case.id) == before


def test_tianjin_refuses_disaster_aid_above_the_cap_via_the_cli(db):
    # standard 1010, 1 person: cap 3 × 1010 = 3030.
    case_id = cli_open(db, "tianjin", "2026-09-28", *sets(category="disaster"))
    for event, on in (("accept", "2026-09-28"), ("start_investigation", "2026-09-29"),
                      ("verify", "2026-09-29"), ("post_publicity", "2026-09-30")):
        assert run(db, "case", "fire", case_id, event, "--on", on).exit_code == 0
    before = dump_file(db)
    result = run(db, "case", "fire", case_id, "approve", "--on", "2026-10-09",
                 *sets(amount=3031, standard=1010, persons=1))
    assert result.exit_code == 1
    line = error_line(result, "Error: approve refused")
    assert "= 3030" in line and f"{TIANJIN} 二(二)" in line
    assert dump_file(db) == before
    # Without the number of persons the cap cannot be worked out: bad input, exit 2.
    missing = run(db, "case", "fire", case_id, "approve", "--on", "2026-10-09",
                  *sets(amount=3000, standard=1010))
    assert missing.exit_code == 2
    error_line(missing, "Error: approve needs --set persons")
    assert dump_file(db) == before


def test_the_payment_after_approval_keeps_the_approved_amount_via_the_cli(db):
    """天津 二(二) "每人救助标准不超过3个月本市城乡居民最低生活保障标准": approved at 3,030 for one
    person (3 × 1,010), ``pay --set amount=9999`` made 9,999 the case's amount, past the cap the
    approval was judged against (``pay`` checked nothing); ``--set persons=5`` or ``standard``
    rewrote what the cap was worked out from. The aid and its basis are fixed by the decision."""
    case_id = cli_open(db, "tianjin", "2026-09-28", *sets(category="disaster"))
    for event, on in (("accept", "2026-09-28"), ("start_investigation", "2026-09-29"),
                      ("verify", "2026-09-29"), ("post_publicity", "2026-09-30")):
        assert run(db, "case", "fire", case_id, event, "--on", on).exit_code == 0
    approved = run(db, "case", "fire", case_id, "approve", "--on", "2026-10-09",
                   *sets(amount=3030, standard=1010, persons=1))
    assert approved.exit_code == 0, approved.output
    before = dump_file(db)
    for changed, said in (({"amount": 9999}, "amount 3030 → 9999"),
                          ({"persons": 5}, "persons 1 → 5"),
                          ({"standard": 2000}, "standard 1010 → 2000"),
                          ({"category": "other"}, 'category "disaster" → "other"')):
        result = run(db, "case", "fire", case_id, "pay", "--on", "2026-10-09", *sets(**changed))
        assert result.exit_code == 1, result.output
        line = error_line(result, "Error: pay refused")
        assert said in line and "approve on 2026-10-09" in line
        assert dump_file(db) == before
    # The same values again change nothing: paid at 3,030.
    paid_ = run(db, "case", "fire", case_id, "pay", "--on", "2026-10-09", "--format", "json",
                *sets(amount="3030.00", persons=1))
    assert paid_.exit_code == 0, paid_.output
    shown = json.loads(paid_.output)
    assert shown["state"] == "paid" and shown["attributes"]["amount"] == 3030


def test_a_correction_does_not_change_the_aid_the_approval_fixed(db):
    """A correction is evidence and changes nothing by itself (docs/cli.md ``case correct``):
    the 天津 disaster aid approved at 3,030 (二(二) 3 × 1,010 for one person) and then
    corrected with ``amount=9999`` had ``pay --set amount=3030`` refused as "amount 9999 →
    3030", though the case showed 3,030, and ``pay --set amount=9999`` taken, past the cap.
    (A correction naming 9,999 is refused now, as approve is: its data passes the approval's
    checks. One naming 2,000, within the cap, shows the same.)"""
    case_id = cli_open(db, "tianjin", "2026-09-28", *sets(category="disaster"))
    for event, on in (("accept", "2026-09-28"), ("start_investigation", "2026-09-29"),
                      ("verify", "2026-09-29"), ("post_publicity", "2026-09-30")):
        assert run(db, "case", "fire", case_id, event, "--on", on).exit_code == 0
    assert run(db, "case", "fire", case_id, "approve", "--on", "2026-10-09",
               *sets(amount=3030, standard=1010, persons=1)).exit_code == 0
    seq = len(json.loads(run(db, "case", "show", case_id, "--format", "json").output)["history"])
    before = dump_file(db)
    past_the_cap = run(db, "case", "correct", case_id, str(seq - 1), "--on", "2026-10-09",
                       "--reason", "金额笔误", *sets(amount=9999))
    assert past_the_cap.exit_code == 1, past_the_cap.output
    assert error_line(past_the_cap) == (
        f"Error: correction of event {seq - 1} (approve on 2026-10-09): amount 9999 exceeds 3 "
        "months × the standard 1010 × 1 persons = 3030 (津民发〔2023〕13号 二(二)"
        "（每人救助标准不超过3个月本市城乡居民最低生活保障标准）)")
    assert dump_file(db) == before
    corrected = run(db, "case", "correct", case_id, str(seq - 1), "--on", "2026-10-09",
                    "--reason", "金额笔误", *sets(amount=2000))
    assert corrected.exit_code == 0, corrected.output
    before = dump_file(db)
    for amount in (9999, 2000):
        refused = run(db, "case", "fire", case_id, "pay", "--on", "2026-10-09", *sets(amount=amount))
        assert refused.exit_code == 1, refused.output
        assert f"amount 3030 → {amount}" in error_line(refused, "Error: pay refused")
    assert dump_file(db) == before
    paid_ = run(db, "case", "fire", case_id, "pay", "--on", "2026-10-09", "--format", "json",
                *sets(amount=3030))
    assert paid_.exit_code == 0, paid_.output
    assert json.loads(paid_.output)["attributes"]["amount"] == 3030


def test_the_formalities_keep_the_grant_the_urgent_payment_fixed(engine):
    """江苏征求意见稿 二(二) "登记救助对象、救助事由、救助金额等信息，补齐经办人员签字、盖章手续": the
    formalities register the aid paid. A grant of 4 months × 900 = 3,600 (二(一) 3–6 months)
    was completed with ``months=9``: the case then said 9 months beside 3,600 paid."""
    case = open_temporary(engine, "jiangsu_draft", **UNEMPLOYED, standard=900)
    view = engine.fire(case.id, "pay_urgent", on=PAID, payload={"months": 4, "reason": "失业"})
    assert view.case.attributes["amount"] == 3600
    before = snapshot(engine, case.id)
    for changed, said in (({"months": 9}, "months 4 → 9"),
                          ({"months_without_income": 1}, "months_without_income 3 → 1"),
                          ({"category": "other"}, 'category "unemployed" → "other"')):
        with pytest.raises(EventRefused, match=f"pay_urgent on 2026-09-28: {said}"):
            complete(engine, case.id, date(2026, 10, 9), amount=3600, **changed)
        assert snapshot(engine, case.id) == before
    done = complete(engine, case.id, date(2026, 10, 9), amount=3600, months=4)
    assert done.state == "completed" and done.case.attributes["months"] == 4


# 晋民发〔2023〕31号 二(一): "对…连续三个月无收入来源，生活困难且失业保险政策无法覆盖的农民工等
# 未参保失业人员，未纳入低保范围的，经本人申请，由务工地或者经常居住地发放一次性临时救助金"
# — no amount is set.


def test_shanxi_sets_no_amount_for_the_unemployed_grant_and_cites_its_clause(engine):
    case = open_temporary(engine, "shanxi", **UNEMPLOYED, standard=800)
    view = engine.fire(case.id, "pay_urgent", on=PAID,
                       payload={"months": 8, "amount": 9000, "reason": "失业"})
    assert view.case.attributes["amount"] == 9000
    assert view.case.attributes["amount_basis"].startswith(f"{SHANXI} 二(一)")
    assert "一次性临时救助金" in view.case.attributes["amount_basis"]


@pytest.mark.parametrize(("province", "clause"), [
    # 山西 and 江苏 二(一): "连续三个月无收入来源，生活困难且失业保险政策无法覆盖的农民工等未参保失业人员，
    # 未纳入低保范围的"; 天津 二(一): "对连续3个月无收入来源，生活困难且失业保险政策无法覆盖的农民工等
    # 未参保失业人员" (no word about 低保).
    ("shanxi", SHANXI), ("tianjin", TIANJIN), ("jiangsu_draft", JIANGSU),
])
def test_the_unemployed_grant_needs_three_months_without_income_and_no_insurance(engine,
                                                                                province, clause):
    def pay(**attributes):
        case = open_temporary(engine, province, category="unemployed", standard=900, **attributes)
        before = snapshot(engine, case.id)
        try:
            return engine.fire(case.id, "pay_urgent", on=PAID,
                               payload={"months": 3, "amount": 2700, "reason": "失业"}).state
        except EventRefused as refused:
            assert snapshot(engine, case.id) == before
            return str(refused)

    assert pay(months_without_income=3) == "urgent_paid"
    assert pay(months_without_income=2) == (
        "pay_urgent refused: 2 months without income: the grant needs 3 consecutive months "
        f"({clause} 二(一)（连续{'3' if province == 'tianjin' else '三'}个月无收入来源、失业保险政策无法"
        "覆盖的未参保失业人员）)")
    assert "unemployment insurance covers this person" in pay(months_without_income=5,
                                                              unemployment_insurance=True)
    in_dibao = pay(months_without_income=3, in_dibao=True)
    if province == "tianjin":
        assert in_dibao == "urgent_paid"
    else:
        assert in_dibao == (f"pay_urgent refused: already in 低保: the grant is for those not in "
                            f"it ({clause} 二(一)（未纳入低保范围的）)")
    case = open_temporary(engine, province, category="unemployed", standard=900)
    with pytest.raises(InvalidInput, match="needs --set months_without_income=N"):
        engine.fire(case.id, "pay_urgent", on=PAID,
                    payload={"months": 3, "amount": 2700, "reason": "失业"})


# 江苏征求意见稿 二(三): "在受公共突发事件影响情形下，可为低保对象、特困人员、低保边缘家庭和支出型
# 困难家庭等低收入人口适时发放一次性生活补助；……可以采取发放衣物食品、防暑取暖、防灾减灾等保障物资，
# 以及购买服务提供特定救助帮扶。所需资金可从临时救助资金中列支。"

def emergency(engine, province, **attributes):
    case = open_temporary(engine, province, category="public_emergency", **attributes)
    return engine.fire(case.id, "pay_urgent", on=PAID, payload={"amount": 300, "reason": "疫情"})


def test_jiangsu_aid_in_a_public_emergency_goes_to_low_income_households(engine):
    view = emergency(engine, "jiangsu_draft", recipient="低保边缘家庭", aid_form="保障物资")
    assert view.state == "urgent_paid"
    with pytest.raises(EventRefused, match=r'recipient "普通居民" is not one of 低保对象、特困人员、'
                                           r"低保边缘家庭、支出型困难家庭 \(江苏征求意见稿 二\(三\)"):
        emergency(engine, "jiangsu_draft", recipient="普通居民", aid_form="一次性生活补助")
    with pytest.raises(EventRefused, match=r'aid_form "购物券" is not one of 一次性生活补助、保障物资、'
                                           "购买服务"):
        emergency(engine, "jiangsu_draft", recipient="低保对象", aid_form="购物券")
    with pytest.raises(InvalidInput, match="needs --set aid_form=…"):
        emergency(engine, "jiangsu_draft", recipient="低保对象")


@pytest.mark.parametrize("province", ["shanxi", "tianjin"])
def test_no_aid_in_a_public_emergency_where_no_rule_provides_it(engine, province):
    with pytest.raises(EventRefused, match="no rule provides aid to households in a public "
                                           "emergency here"):
        emergency(engine, province, recipient="低保对象", aid_form="一次性生活补助")


def test_tianjin_aids_graduates_not_yet_employed_without_the_months_condition(engine):
    """津民发〔2023〕13号 二(一): "对连续3个月无收入来源…的未参保失业人员，暂未就业、基本生活面临困难的
    大学生，按照临时救助相关政策及时予以救助": the graduates are named on their own, with no
    months-without-income condition."""
    case = open_temporary(engine, "tianjin", category="graduate")
    view = engine.fire(case.id, "pay_urgent", on=PAID, payload={"amount": 1500, "reason": "未就业"})
    assert (view.state, view.case.attributes["amount"]) == ("urgent_paid", 1500)
    employed = open_temporary(engine, "tianjin", category="graduate", employed=True)
    before = snapshot(engine, employed.id)
    with pytest.raises(EventRefused) as refused:
        engine.fire(employed.id, "pay_urgent", on=PAID, payload={"amount": 1500, "reason": "困难"})
    assert str(refused.value) == (
        f"pay_urgent refused: the aid is for graduates not yet employed ({TIANJIN} 二(一)（暂未就业、"
        "基本生活面临困难的大学生，按照临时救助相关政策及时予以救助）)")
    assert snapshot(engine, employed.id) == before


def test_shanxi_names_graduates_not_yet_employed_too(engine):
    """晋民发〔2023〕31号 二(二): "及时将受重大公共卫生事件、灾情影响等暂未就业、基本生活面临困难的
    大学生…纳入临时救助范围"."""
    case = open_temporary(engine, "shanxi", category="graduate")
    view = engine.fire(case.id, "pay_urgent", on=PAID, payload={"amount": 1200, "reason": "疫情"})
    assert view.state == "urgent_paid"
    employed = open_temporary(engine, "shanxi", category="graduate", employed=True)
    with pytest.raises(EventRefused, match=rf"not yet employed \({SHANXI} 二\(二\)"):
        engine.fire(employed.id, "pay_urgent", on=PAID, payload={"amount": 1200, "reason": "x"})


def test_jiangsu_names_graduates_not_yet_employed_too(engine):
    """江苏征求意见稿 二(一): "重点关注高校毕业生、灵活就业人员、新业态人员等群体，及时将受疫情影响暂未就业
    或失业、基本生活面临困难的，纳入临时救助范围": no months-without-income condition."""
    case = open_temporary(engine, "jiangsu_draft", category="graduate")
    view = engine.fire(case.id, "pay_urgent", on=PAID, payload={"amount": 1500, "reason": "未就业"})
    assert (view.state, view.case.attributes["amount"]) == ("urgent_paid", 1500)
    employed = open_temporary(engine, "jiangsu_draft", category="graduate", employed=True)
    with pytest.raises(EventRefused, match=r"not yet employed \(江苏征求意见稿 二\(一\)（重点关注高校毕业生"):
        engine.fire(employed.id, "pay_urgent", on=PAID, payload={"amount": 1500, "reason": "x"})


def test_where_no_rule_names_graduates_the_aid_is_recorded_as_other():
    # The national definition names no such category (a province's own notice must).
    national = load_workflow("temporary").parameters
    ctx = SimpleNamespace(attributes={"category": "graduate"}, parameters=national)
    assert graduate_eligible(ctx) == (
        "no rule names jobless graduates as a category here (国家未规定（默认不设此类别，由省份按本省"
        "文件设定；可按 other 类别救助）): record the aid as category=other")
    assert graduate_eligible(SimpleNamespace(attributes={"category": "other"},
                                             parameters=national)) is None


def test_other_categories_need_no_months_without_income(engine):
    case = open_temporary(engine, "shanxi", category="other")
    view = engine.fire(case.id, "pay_urgent", on=PAID, payload={"amount": 500, "reason": "火灾"})
    assert view.state == "urgent_paid"


@pytest.mark.parametrize("province", ["shanxi", "jiangsu_draft"])
def test_the_tianjin_disaster_cap_does_not_apply_elsewhere(engine, province):
    case = open_temporary(engine, province, category="disaster", standard=1000, persons=1)
    view = engine.fire(case.id, "pay_urgent", on=PAID, payload={"amount": 10000, "reason": "水灾"})
    assert view.state == "urgent_paid"


def test_the_jiangsu_range_does_not_apply_in_tianjin(engine):
    """津民发〔2023〕13号 二(一): "对连续3个月无收入来源……的农民工等未参保失业人员……按照临时救助相关政策
    及时予以救助": no number of months, unlike 江苏's 3–6. One month of a 1,010 standard, 1,010,
    and seven months, 7,070, are both paid, on 天津's clause."""
    for months, amount in ((1, 1010), (7, 7070)):
        case = open_temporary(engine, "tianjin", **UNEMPLOYED, standard=1010)
        view = engine.fire(case.id, "pay_urgent", on=PAID,
                           payload={"months": months, "amount": amount, "reason": "失业"})
        paid = {k: view.case.attributes[k] for k in ("months", "amount", "amount_basis")}
        assert paid == {"months": months, "amount": amount,
                        "amount_basis": f"{TIANJIN} 二(一)（按照临时救助相关政策及时予以救助，未规定金额）"}


def test_an_unknown_category_is_bad_input(db):
    # Refused where it is first given, at the opening, not at the payment days later.
    cli_open(db, "tianjin", "2026-09-28")
    before = dump_file(db)
    result = run(db, "case", "open", "--province", "tianjin", "--workflow", "temporary", "--on",
                 "2026-09-28", *sets(category="flood"))
    assert result.exit_code == 2
    error_line(result, "Error: category must be one of unemployed, graduate, disaster, "
                       "public_emergency, other, got \"flood\"")
    assert dump_file(db) == before


def test_replay_rebuilds_a_temporary_case(engine):
    case = open_temporary(engine, "jiangsu_draft", **UNEMPLOYED, standard=900)
    engine.fire(case.id, "pay_urgent", on=PAID, payload={"months": 3, "reason": "失业"})
    complete(engine, case.id, date(2026, 10, 20), amount=2700)
    replayed, deadlines = engine.replay(case.id)
    stored = engine.store.case(case.id)
    assert (replayed.state, replayed.attributes) == (stored.state, stored.attributes)
    assert [d.to_row(case.id) for d in deadlines] == [
        d.to_row(case.id) for d in engine.store.deadlines(case.id)]
    assert by_rule(engine.deadlines(case.id, as_of=date(2026, 10, 20)))["formalities"].status \
        == "met_late"


def test_a_case_approved_before_the_publicity_step_existed_still_replays(engine, monkeypatch):
    """A 支出型 case approved straight after its investigation by an earlier version (before
    支出型 had its 核对 and 公示) replays: the recorded approve takes the case where it went,
    with the effects approve has now (山西 sets no amount rule: the amount as given)."""
    from engine.workflow import Transition, WorkflowPatch

    current = engine.registry.workflow("shanxi", "temporary")
    earlier = WorkflowPatch("an earlier version", add_transitions=(Transition(
        "approve", ("investigating",), "approved", "批准救助", effects=("fix_aid_amount",)),)
    ).apply(current, "test")
    monkeypatch.setitem(engine.registry._workflows, ("shanxi", "temporary"), earlier)
    monkeypatch.setattr(engine.registry, "_machines", {})
    monkeypatch.setattr(engine, "_workflows", {})
    case = open_temporary(engine, "shanxi", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=date(2026, 3, 2))
    engine.fire(case.id, "start_investigation", on=date(2026, 3, 4))
    engine.fire(case.id, "approve", on=date(2026, 3, 5), payload={"amount": 2000})
    monkeypatch.undo()
    replayed, deadlines = engine.replay(case.id)
    stored = engine.store.case(case.id)
    assert (replayed.state, replayed.attributes) == (stored.state, stored.attributes)
    assert [d.to_row(case.id) for d in deadlines] == [
        d.to_row(case.id) for d in engine.store.deadlines(case.id)]
    assert engine.fire(case.id, "pay", on=date(2026, 3, 6)).state == "paid"
