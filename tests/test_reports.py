"""Deadline statuses and the breach / at-risk reports, as of any date; replay and atomicity.

Statuses (contract): open, at_risk (running, due within the warning window), breached (running,
past due), met, met_late, cancelled; added: unmet (breached, then left undone when the case
closed). ``overdue_working_days`` counts the working days after the
due date up to and including the as-of date. Every date is hand-counted on the 2026 official
calendar (国办发明电〔2025〕7号), the counted days listed next to it.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date

import pytest

from engine import Engine, EventRefused
from helpers import by_rule, error_line, run

CONTRACT_KEYS = {"case_id", "province", "workflow", "rule", "title", "due_on",
                 "overdue_working_days", "basis"}

# Cases accepted Mon 2026-03-02:
#   investigation_start 3 wd (民发〔2021〕57号 第15条): 3/3 Tu(1) 3/4 W(2) 3/5 Th(3) → 2026-03-05
#   overdue as of Mon 3/9: 3/6 F, 3/9 M → 2 working days (Sat 3/7, Sun 3/8 not counted)
ACCEPTED = date(2026, 3, 2)
INVESTIGATION_DUE = date(2026, 3, 5)


@pytest.fixture
def engine(db):
    """Overrides conftest's: here the API and the CLI work on the same database."""
    return Engine.open(db)


def accepted(engine, province, county=None, **attributes):
    if county:
        attributes["county"] = county
    case = engine.open_case(province=province, on=ACCEPTED, attributes=attributes)
    engine.fire(case.id, "accept", on=ACCEPTED)
    return case.id


# -- statuses -------------------------------------------------------------------------------------


def test_open_at_risk_breached_and_met_late_of_the_investigation_start(engine):
    """民发〔2021〕57号 第15条: the township starts the household economic investigation within 3
    working days of 受理 (晋民发〔2023〕31号 四(二) leaves the step deadlines to the 办法).

    Due 2026-03-05 (3/3(1) 3/4(2) 3/5(3)). As of 3/2 three working days remain (3/3, 3/4, 3/5):
    open with a 2-day window, at_risk with the default 3. As of 3/5 (the last day): at_risk.
    As of Sat 3/7: breached by 1 (3/6). As of Mon 3/9: breached by 2 (3/6, 3/9). Started Tue
    3/10: met_late by 3 (3/6, 3/9, 3/10).
    """
    cid = accepted(engine, "shanxi")
    assert by_rule(engine.deadlines(cid, as_of=ACCEPTED, window=2))["investigation_start"].status \
        == "open"
    assert by_rule(engine.deadlines(cid, as_of=ACCEPTED))["investigation_start"].status \
        == "at_risk"
    assert by_rule(engine.deadlines(cid, as_of=INVESTIGATION_DUE))["investigation_start"].status \
        == "at_risk"
    sat = by_rule(engine.deadlines(cid, as_of=date(2026, 3, 7)))["investigation_start"]
    assert (sat.status, sat.overdue_working_days) == ("breached", 1)
    mon = by_rule(engine.deadlines(cid, as_of=date(2026, 3, 9)))["investigation_start"]
    assert (mon.status, mon.overdue_working_days) == ("breached", 2)
    # 30 wd total (晋民发〔2023〕31号 四(二)) is far away: 4/14.
    assert by_rule(engine.deadlines(cid, as_of=date(2026, 3, 9)))["total"].status == "open"

    engine.fire(cid, "start_investigation", on=date(2026, 3, 10))
    late = by_rule(engine.deadlines(cid, as_of=date(2026, 3, 20)))["investigation_start"]
    assert (late.status, late.overdue_working_days) == ("met_late", 3)
    assert late.deadline.stopped_on == date(2026, 3, 10)


def test_met_on_time_has_no_overdue_days(engine):
    """民发〔2021〕57号 第15条: started on 3/4, before the due date 3/5 → met, 0 overdue, and it
    stays met whatever the as-of date."""
    cid = accepted(engine, "shanxi")
    engine.fire(cid, "start_investigation", on=date(2026, 3, 4))
    for as_of in (date(2026, 3, 4), date(2026, 3, 9), date(2026, 12, 31)):
        view = by_rule(engine.deadlines(cid, as_of=as_of))["investigation_start"]
        assert (view.status, view.overdue_working_days) == ("met", 0)


def test_withdraw_and_terminate_cancel_the_running_deadlines(engine):
    """Contract: withdraw (申请人撤回) and terminate (终止审核确认, 民发〔2021〕57号 第29条: 拒不配合)
    close the case; its open deadlines stop as cancelled and are never breached afterwards."""
    withdrawn = accepted(engine, "shanxi")
    engine.fire(withdrawn, "withdraw", on=date(2026, 3, 4))
    rules = by_rule(engine.deadlines(withdrawn, as_of=date(2026, 6, 1)))
    assert {r: v.status for r, v in rules.items()} == {"total": "cancelled",
                                                      "investigation_start": "cancelled"}
    assert rules["total"].deadline.stopped_on == date(2026, 3, 4)

    terminated = accepted(engine, "shanxi")
    engine.fire(terminated, "start_investigation", on=date(2026, 3, 3))
    engine.fire(terminated, "request_verification", on=date(2026, 3, 4))
    view = engine.fire(terminated, "terminate", on=date(2026, 3, 5))
    assert view.state == "terminated"
    rules = by_rule(engine.deadlines(terminated, as_of=date(2026, 6, 1)))
    assert {r: v.status for r, v in rules.items()} == {
        "total": "cancelled", "investigation_start": "met", "verification_start": "cancelled"}
    assert engine.breaches(as_of=date(2026, 6, 1)) == []


def test_a_deadline_already_breached_when_the_case_closes_stays_on_record_as_unmet(engine, db):
    """Withdrawn on Fri 3/20, the investigation that had to start by 3/5 (民发〔2021〕57号 第15条)
    never started: the breach is not cancelled with the case. It is unmet, stopped on 3/20,
    11 working days late (3/6; 3/9–3/13; 3/16–3/20), listed with --include-late; the total
    (30 wd from 3/2, not yet due) is cancelled. As of 3/10, before the withdrawal, it was a
    running breach of 3 working days (3/6, 3/9, 3/10)."""
    cid = accepted(engine, "shanxi")
    engine.fire(cid, "withdraw", on=date(2026, 3, 20))
    rules = by_rule(engine.deadlines(cid, as_of=date(2026, 3, 25)))
    assert {r: (v.status, v.overdue_working_days) for r, v in rules.items()} == {
        "total": ("cancelled", 0), "investigation_start": ("unmet", 11)}
    assert rules["investigation_start"].deadline.stopped_on == date(2026, 3, 20)
    assert engine.breaches(as_of=date(2026, 3, 25)) == []
    listed = json.loads(run(db, "report", "breaches", "--as-of", "2026-03-25", "--include-late",
                            "--format", "json").stdout)
    assert [(b["rule"], b["status"], b["due_on"], b["overdue_working_days"], b["basis"])
            for b in listed] == [("investigation_start", "unmet", "2026-03-05", 11,
                                  "民发〔2021〕57号 第15条（国家规定）")]
    [before] = engine.breaches(as_of=date(2026, 3, 10))
    assert (before.view.status, before.view.overdue_working_days) == ("breached", 3)


# 民发〔2021〕57号 第22条 (晋民发〔2023〕31号 四(二)): "…30个工作日之内完成…特殊情况的，可以延长至45个工作日".
# Accepted Tue 2026-09-01, 30 wd: 9/2–9/4 (3), 9/7–9/11 (8), 9/14–9/18 (13), Sun 9/20 调休上班
# (14), 9/21–9/24 (18), 中秋 9/25–9/27 off, 9/28–9/30 (21), 国庆 10/1–10/7 off, 10/8–10/9 (23),
# Sat 10/10 调休上班 (24), 10/12–10/16 (29), 10/19 (30) → 2026-10-19. 45 wd: 10/20–10/23 (34),
# 10/26–10/30 (39), 11/2–11/6 (44), 11/9 (45) → 2026-11-09.
def _accepted_on_september_1(engine):
    case = engine.open_case(province="shanxi", on=date(2026, 9, 1))
    engine.fire(case.id, "accept", on=date(2026, 9, 1))
    engine.fire(case.id, "start_investigation", on=date(2026, 9, 2))
    return case.id


def test_an_extension_after_the_time_limit_ran_out_is_refused_and_the_breach_stands(engine):
    """The extension is decided within the 30 working days it extends: on the due date 10/19
    it moves the total to 11/09; the day after, 10/20, the total is breached and extend is
    refused, changing nothing."""
    in_time = _accepted_on_september_1(engine)
    engine.fire(in_time, "extend", on=date(2026, 10, 19), reason="调查难度大")
    total = by_rule(engine.deadlines(in_time, as_of=date(2026, 10, 20)))["total"]
    assert (total.deadline.due_on, total.status) == (date(2026, 11, 9), "open")

    late = _accepted_on_september_1(engine)
    with pytest.raises(EventRefused) as refused:
        engine.fire(late, "extend", on=date(2026, 10, 20), reason="调查难度大")
    assert str(refused.value).endswith(
        "total ran out on 2026-10-19 (晋民发〔2023〕31号 四(二)): an extension is decided "
        "within the time limit it extends, and the breach stands")
    [breach] = engine.breaches(as_of=date(2026, 10, 21))
    assert (breach.view.deadline.rule, breach.view.deadline.due_on,
            breach.view.overdue_working_days) == ("total", date(2026, 10, 19), 2)


def test_an_objection_after_the_total_ran_out_does_not_undo_its_breach(engine):
    """公示有异议 extends a running total to 45 wd (民发〔2021〕57号 第22条), but not one already
    breached. 公示 posted Fri 10/16 (7 days: 10/17 … 10/23); the objection on Wed 10/21 comes
    after the total ran out on 10/19: the total stays due 10/19, breached by 2 working days
    (10/20, 10/21), and the case goes back to investigation as usual."""
    cid = _accepted_on_september_1(engine)
    engine.fire(cid, "request_verification", on=date(2026, 9, 3))
    engine.fire(cid, "start_verification", on=date(2026, 9, 4))
    engine.fire(cid, "post_publicity", on=date(2026, 10, 16))
    view = engine.fire(cid, "raise_objection", on=date(2026, 10, 21))
    assert view.state == "investigating"
    total = by_rule(engine.deadlines(cid, as_of=date(2026, 10, 21)))["total"]
    assert (total.deadline.due_on, total.deadline.extended_by, total.status,
            total.overdue_working_days) == (date(2026, 10, 19), None, "breached", 2)


def test_a_delegation_put_right_after_the_total_ran_out_recounts_it(engine):
    """Recorded as delegated (20 wd, 晋民发〔2023〕31号 四(二)) from Tue 9/1: 9/2–9/4 (3), 9/7–9/11
    (8), 9/14–9/18 (13), Sun 9/20 调休上班 (14), 9/21–9/24 (18), 中秋 off, 9/28 (19), 9/29 (20) →
    2026-09-29, breached as of 10/9 by 3 working days (9/30, 10/8, 10/9). Put right on 10/9
    (not delegated: a fact about the case, not a decision like an extension), the total is the
    30 wd's 2026-10-19 and open: unlike an extension, the change counts even after the date."""
    case = engine.open_case(province="shanxi", on=date(2026, 9, 1),
                            attributes={"delegated": True})
    engine.fire(case.id, "accept", on=date(2026, 9, 1))
    total = by_rule(engine.deadlines(case.id, as_of=date(2026, 10, 9)))["total"]
    assert (total.deadline.due_on, total.status, total.overdue_working_days) == (
        date(2026, 9, 29), "breached", 3)
    engine.fire(case.id, "start_investigation", on=date(2026, 10, 9),
                payload={"delegated": False})
    total = by_rule(engine.deadlines(case.id, as_of=date(2026, 10, 9)))["total"]
    assert (total.deadline.due_on, total.deadline.param, total.status) == (
        date(2026, 10, 19), "total", "open")


def test_a_duty_paused_before_its_due_date_is_not_breached_while_paused():
    """A pause stops a duty's clock (the due date moves when it resumes): paused on 3/4, due
    3/5, it is open on 3/20 and would close as cancelled; paused on 3/9, after its due date,
    it was breached already and stays so (unmet if its case closes)."""
    from engine.deadlines import Deadline

    def paused(on):
        return Deadline(rule="investigation_start", title="t", severity="statutory",
                        kind="duty", instance=1, starts_on=ACCEPTED, duration="3wd",
                        due_on=INVESTIGATION_DUE, citation="c", computation="",
                        provisional=False, param="investigation_start", paused_on=on)

    as_of = date(2026, 3, 20)
    before, after = paused(date(2026, 3, 4)), paused(date(2026, 3, 9))
    assert (before.status(as_of, None), before.passed(as_of)) == ("open", False)
    assert before.ended_by("withdraw", as_of).outcome == "cancelled"
    assert (after.status(as_of, None), after.passed(as_of)) == ("breached", True)
    assert after.ended_by("withdraw", as_of).outcome == "unmet"


def test_a_publicity_window_is_open_then_met_and_never_breached(engine):
    """民发〔2021〕57号 第19条: the 初审意见 is posted for 7 days; a window that must run its full
    length, not a duty. Posted Mon 3/9 → 3/16 (3/10(1) … 3/16(7)): open through 3/16, met from
    3/17, never breached however long nobody acts."""
    cid = accepted(engine, "shanxi")
    for event, on in [("start_investigation", date(2026, 3, 3)),
                      ("request_verification", date(2026, 3, 4)),
                      ("start_verification", date(2026, 3, 5)),
                      ("post_publicity", date(2026, 3, 9))]:
        engine.fire(cid, event, on=on)
    publicity = by_rule(engine.deadlines(cid, as_of=date(2026, 3, 16)))["publicity"]
    assert (publicity.deadline.due_on, publicity.status) == (date(2026, 3, 16), "open")
    assert by_rule(engine.deadlines(cid, as_of=date(2026, 3, 17)))["publicity"].status == "met"
    assert [b.view.deadline.rule for b in engine.breaches(as_of=date(2026, 4, 13))] == []


def test_refusal_notice_is_due_3_working_days_after_the_rejection(engine):
    """民发〔2021〕57号 第21条: "对不符合条件的申请不予确认同意，并应当在作出决定3个工作日内 … 书面告知
    申请人并说明理由" (the 天津 township rejects itself, 津民发〔2023〕13号 四(一)).

    Tianjin case accepted 9/22, 公示 posted 9/28 (ends 10/8, 国庆), rejected Fri 10/9:
    10/10 Sat 调休上班(1) 10/12 M(2) 10/13 Tu(3) → due 2026-10-13. As of 10/14 breached by 1;
    notified 10/15 → met_late by 2 (10/14, 10/15).
    """
    case = engine.open_case(province="tianjin", on=date(2026, 9, 21))
    for event, on in [("accept", date(2026, 9, 22)), ("start_investigation", date(2026, 9, 24)),
                      ("request_verification", date(2026, 9, 24)),
                      ("start_verification", date(2026, 9, 28)),
                      ("post_publicity", date(2026, 9, 28))]:
        engine.fire(case.id, event, on=on)
    view = engine.fire(case.id, "reject", on=date(2026, 10, 9))
    assert view.state == "rejected"
    rules = by_rule(view)
    notice = rules["refusal_notice"].deadline
    assert (notice.starts_on, notice.due_on, notice.duration) == (date(2026, 10, 9),
                                                                  date(2026, 10, 13), "3wd")
    assert "第21条" in notice.citation
    assert rules["total"].status == "met"  # reject stops the total (due 10/27)
    overdue = by_rule(engine.deadlines(case.id, as_of=date(2026, 10, 14)))["refusal_notice"]
    assert (overdue.status, overdue.overdue_working_days) == ("breached", 1)
    view = engine.fire(case.id, "notify_refusal", on=date(2026, 10, 15))
    assert view.state == "refusal_notified"
    done = by_rule(view)["refusal_notice"]
    assert (done.status, done.overdue_working_days) == ("met_late", 2)


# -- the breach report ------------------------------------------------------------------------------


def four_provinces_cases(engine):
    """Four cases accepted 3/2, nobody starts an investigation (each due 3/5)."""
    return {
        "xiaodian": accepted(engine, "shanxi", county="小店区"),
        "yingze": accepted(engine, "shanxi", county="迎泽区"),
        "heping": accepted(engine, "tianjin", county="和平区"),
        "jiangsu": accepted(engine, "jiangsu_draft", county="玄武区"),
    }


def test_breach_report_rows_have_the_contract_keys_and_filters(engine, db):
    """民发〔2021〕57号 第15条 (3 working days to start the investigation), breached as of Mon 3/9
    by 2 working days (3/6, 3/9) in every province. Filters: --province, --workflow, --county."""
    ids = four_provinces_cases(engine)
    result = run(db, "report", "breaches", "--as-of", "2026-03-09", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 4
    for row in rows:
        assert set(row) >= CONTRACT_KEYS
        assert row["rule"] == "investigation_start"
        assert row["workflow"] == "dibao"
        assert row["due_on"] == "2026-03-05"
        assert row["overdue_working_days"] == 2
        assert "第15条" in row["basis"]
    assert {r["case_id"] for r in rows} == set(ids.values())

    def ids_for(*filters):
        out = run(db, "report", "breaches", "--as-of", "2026-03-09", "--format", "json", *filters)
        assert out.exit_code == 0, out.output
        return sorted(r["case_id"] for r in json.loads(out.stdout))

    assert ids_for("--province", "shanxi") == sorted([ids["xiaodian"], ids["yingze"]])
    assert ids_for("--province", "tianjin") == [ids["heping"]]
    assert ids_for("--county", "迎泽区") == [ids["yingze"]]
    assert ids_for("--province", "shanxi", "--county", "小店区") == [ids["xiaodian"]]
    assert ids_for("--workflow", "dibao") == sorted(ids.values())
    assert ids_for("--workflow", "benefit") == []
    unknown = run(db, "report", "breaches", "--as-of", "2026-03-09", "--province", "hainan")
    assert unknown.exit_code != 0
    assert len(unknown.stderr.strip().splitlines()) == 1

    # The API gives the same rows.
    api = engine.breaches(as_of=date(2026, 3, 9), province="shanxi", county="迎泽区")
    assert [(b.case.id, b.view.deadline.rule, b.view.overdue_working_days) for b in api] == [
        (ids["yingze"], "investigation_start", 2)]


def test_breach_report_csv_has_a_header_and_one_line_per_breach(engine, db):
    """The same report as CSV: a header naming the columns, then one line per breach."""
    four_provinces_cases(engine)
    result = run(db, "report", "breaches", "--as-of", "2026-03-09", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 4
    header = result.stdout.splitlines()[0].split(",")
    assert {"case_id", "province", "rule", "title", "due_on", "overdue_working_days",
            "basis"} <= set(header)
    assert {r["overdue_working_days"] for r in rows} == {"2"}
    assert {r["due_on"] for r in rows} == {"2026-03-05"}


def test_breach_report_csv_carries_every_contract_column(engine, db):
    """The contract's breach rows are {case_id, province, workflow, rule, title, due_on,
    overdue_working_days, basis}; the CSV form of the same report should carry them all, or a
    CSV consumer cannot tell a dibao breach from a benefit one."""
    four_provinces_cases(engine)
    result = run(db, "report", "breaches", "--as-of", "2026-03-09", "--format", "csv")
    header = result.stdout.splitlines()[0].split(",")
    assert set(header) >= CONTRACT_KEYS


def test_a_report_for_a_past_date_ignores_events_recorded_after_it(engine, db):
    """津民发〔2023〕13号 四(一): "低保审核确认工作应当自受理之日起20个工作日之内完成" — accepted 9/22,
    due 10/27 (9/23(1) 9/24(2) 中秋 off 9/28(3) 9/29(4) 9/30(5) 国庆 off 10/8(6) 10/9(7)
    10/10 Sat 调休(8) 10/12(9) … 10/26(19) 10/27(20)). The township approves late, on Thu 10/29.

    The report as of 10/28 still shows the breach (1 working day: 10/28), although the approval
    was recorded later; as of 10/29 it is gone (met_late by 2: 10/28, 10/29, listed only with
    --include-late). Likewise a Shanxi investigation started late (3/10): as of 3/9 breached
    by 2.
    """
    case = engine.open_case(province="tianjin", on=date(2026, 9, 21), attributes={"county": "河西区"})
    for event, on in [("accept", date(2026, 9, 22)), ("start_investigation", date(2026, 9, 24)),
                      ("request_verification", date(2026, 9, 24)),
                      ("start_verification", date(2026, 9, 28)),
                      ("post_publicity", date(2026, 9, 28))]:
        engine.fire(case.id, event, on=on)
    engine.fire(case.id, "approve", on=date(2026, 10, 29), payload={"amount": 1010})
    engine.fire(case.id, "publish", on=date(2026, 10, 30))

    result = run(db, "report", "breaches", "--as-of", "2026-10-28", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["case_id"], r["rule"], r["due_on"], r["overdue_working_days"]) for r in rows] == [
        (case.id, "total", "2026-10-27", 1)]
    assert rows[0]["basis"] == "津民发〔2023〕13号 四(一)"
    # The case itself, shown as of 10/28, is still in publicity with the total breached.
    past = engine.case(case.id, as_of=date(2026, 10, 28))
    assert past.state == "in_publicity"
    assert len(past.history) == 6
    assert by_rule(past)["total"].status == "breached"

    assert json.loads(run(db, "report", "breaches", "--as-of", "2026-10-29", "--format",
                          "json").stdout) == []
    late = json.loads(run(db, "report", "breaches", "--as-of", "2026-10-29", "--include-late",
                          "--format", "json").stdout)
    assert [(r["rule"], r["status"], r["overdue_working_days"]) for r in late] == [
        ("total", "met_late", 2)]

    sx = accepted(engine, "shanxi")
    engine.fire(sx, "start_investigation", on=date(2026, 3, 10))
    before = engine.breaches(as_of=date(2026, 3, 9))
    assert [(b.case.id, b.view.deadline.rule, b.view.overdue_working_days) for b in before] == [
        (sx, "investigation_start", 2)]
    assert engine.breaches(as_of=date(2026, 3, 10)) == []


def test_a_report_limited_to_a_province_does_not_load_the_others(engine, monkeypatch):
    """Found by review: a report for one province loaded every province that has cases, so
    another's broken plugin stopped it. 山西 受理 Mon 2026-03-02: investigation due Thu 03-05
    (57号 第15条, 3 working days); as of Mon 03-09 it is 2 working days overdue (03-06, 03-09)."""
    from engine.errors import PluginError

    for province in ("shanxi", "tianjin"):
        case = engine.open_case(province=province, on=date(2026, 3, 2), case_id=province)
        engine.fire(case.id, "accept", on=date(2026, 3, 2))
    loaded = engine.registry.workflow

    def broken(province, name):
        if province == "tianjin":
            raise PluginError("plugin tianjin: broken")
        return loaded(province, name)

    monkeypatch.setattr(engine.registry, "workflow", broken)  # (the registry is shared)
    engine._workflows.clear()
    rows = engine.breaches(date(2026, 3, 9), province="shanxi")
    assert [(b.case.id, b.view.deadline.rule, b.view.overdue_working_days) for b in rows] == [
        ("shanxi", "investigation_start", 2)]
    with pytest.raises(PluginError):
        engine.breaches(date(2026, 3, 9))


def test_breaches_are_listed_most_overdue_first(engine):
    """民发〔2021〕57号 第15条: two cases, accepted 3/2 (due 3/5) and Wed 3/4 (3/5(1) 3/6(2) 3/9(3)
    → due 3/9). As of Thu 3/12: the first is 5 days over (3/6 3/9 3/10 3/11 3/12), the second 3
    (3/10 3/11 3/12)."""
    first = accepted(engine, "shanxi")
    case = engine.open_case(province="shanxi", on=date(2026, 3, 4))
    engine.fire(case.id, "accept", on=date(2026, 3, 4))
    rows = [(b.case.id, b.view.deadline.due_on, b.view.overdue_working_days)
            for b in engine.breaches(as_of=date(2026, 3, 12))]
    assert rows == [(first, INVESTIGATION_DUE, 5), (case.id, date(2026, 3, 9), 3)]


def test_a_report_s_results_share_the_texts_their_rule_repeats(engine):
    """The two breaches of the test above, read from the stored rows: one string each for the
    rule's title and clause (and a computation where two start on one day), not one a row. An
    at-risk report's results grow with the province (23,520 at a million cases in
    bench_engine.py), and a result kept its own copies of these, about 1 KB: peak RSS +60 MB
    there, +37 MB with them shared."""
    accepted(engine, "shanxi")
    case = engine.open_case(province="shanxi", on=date(2026, 3, 4))
    engine.fire(case.id, "accept", on=date(2026, 3, 4))
    first, second = (b.view.deadline for b in engine.breaches(as_of=date(2026, 3, 12)))
    assert first.due_on == INVESTIGATION_DUE and second.due_on == date(2026, 3, 9)
    assert (first.title, first.citation) == ("受理后启动家庭经济状况调查",
                                             "民发〔2021〕57号 第15条（国家规定）")
    for field in ("rule", "title", "citation", "duration", "severity", "kind"):
        assert getattr(first, field) is getattr(second, field), field


# -- the at-risk report -----------------------------------------------------------------------------


def test_at_risk_report_within_n_working_days(engine, db):
    """民发〔2021〕57号 第15条: investigation due 3/5. As of Tue 3/3 two working days remain (3/4,
    3/5): listed with --within 2 (or more), not with --within 1. The totals (天津 20 wd → 3/30;
    山西/江苏 30 wd → 4/14) are not at risk."""
    ids = four_provinces_cases(engine)

    def listed(within, *filters):
        out = run(db, "report", "at-risk", "--as-of", "2026-03-03", "--within", str(within),
                  "--format", "json", *filters)
        assert out.exit_code == 0, out.output
        return json.loads(out.stdout)

    assert listed(1) == []
    rows = listed(2)
    assert sorted(r["case_id"] for r in rows) == sorted(ids.values())
    assert {(r["rule"], r["status"], r["due_on"]) for r in rows} == {
        ("investigation_start", "at_risk", "2026-03-05")}
    for row in rows:
        assert set(row) >= CONTRACT_KEYS
    assert [r["case_id"] for r in listed(2, "--province", "tianjin")] == [ids["heping"]]
    # On its due date it is at risk even with a window of 0.
    api = engine.at_risk(as_of=INVESTIGATION_DUE, within=0, province="jiangsu_draft")
    assert [(b.case.id, b.view.deadline.rule) for b in api] == [(ids["jiangsu"],
                                                                 "investigation_start")]


def test_a_due_date_on_the_day_off_after_the_window_is_at_risk(engine, db):
    """An at-risk deadline is due within N working days: as of Tue 3/3 within 3 (3/4, 3/5,
    3/6), one due Sat 3/7 (stored so by hand) is 3 working days away, at risk; the report
    reads the due dates up to Sun 3/8, the day before the next working day (Mon 3/9), not
    only to the window's last working day (Fri 3/6)."""
    case_id = accepted(engine, "shanxi")
    engine.close()
    with sqlite3.connect(db) as conn:
        conn.execute("update deadlines set due_on = '2026-03-07' where case_id = ? and "
                     "rule = 'investigation_start'", [case_id])
    conn.close()
    found = Engine.open(db).at_risk(as_of=date(2026, 3, 3), within=3)
    assert [(b.case.id, b.view.deadline.rule, b.view.deadline.due_on) for b in found] == [
        (case_id, "investigation_start", date(2026, 3, 7))]


def test_an_at_risk_report_names_a_due_date_changed_by_hand_to_no_date(engine, db):
    """民发〔2021〕57号 第15条: investigation due 3/5, at risk as of Tue 3/3 within 3. Changed by hand
    to "2026-03-32" (no such day), the report stops naming it, exit 1: it was not passed over
    as a date beyond the window. Within 22 working days the report reads the due dates up to
    Thu 4/2 (3/4–3/31 are 20, 4/1 and 4/2 the 21st and 22nd), among which the text sorts."""
    case_id = accepted(engine, "shanxi")
    assert [b.view.deadline.due_on for b in engine.at_risk(as_of=date(2026, 3, 3))] == [
        INVESTIGATION_DUE]
    engine.close()
    with sqlite3.connect(db) as conn:
        conn.execute("update deadlines set due_on = '2026-03-32' where case_id = ? and "
                     "rule = 'investigation_start'", [case_id])
    conn.close()
    result = run(db, "report", "at-risk", "--as-of", "2026-03-03", "--within", "22",
                 "--format", "json")
    assert result.exit_code == 1, result.output
    assert "investigation_start" in error_line(result) and "2026-03-32" in error_line(result)


def test_at_risk_deadlines_are_listed_soonest_due_first(engine):
    """民发〔2021〕57号 第15条, 3 working days from 受理: a case accepted Tue 3/3 is due Fri 3/6
    (3/4(1) 3/5(2) 3/6(3)), one accepted Mon 3/2 Thu 3/5. As of Wed 3/4 both are within the 3
    working days: the one due 3/5 first, though its case was opened second."""
    later = engine.open_case(province="shanxi", on=date(2026, 3, 3))
    engine.fire(later.id, "accept", on=date(2026, 3, 3))
    sooner = accepted(engine, "shanxi")
    rows = [(b.case.id, b.view.deadline.due_on)
            for b in engine.at_risk(as_of=date(2026, 3, 4), within=3)]
    assert rows == [(sooner, date(2026, 3, 5)), (later.id, date(2026, 3, 6))]


# -- replay and atomicity ----------------------------------------------------------------------------


def test_replay_rebuilds_the_stored_state_and_deadlines(engine):
    """Deadlines are derived from the events alone: replaying the history of a Shanxi case with
    an objection (晋民发〔2023〕31号 四(二): 45 wd) and a late approval gives back exactly what is
    stored."""
    cid = accepted(engine, "shanxi", county="小店区")
    for event, on, payload in [
        ("start_investigation", date(2026, 3, 3), {}),
        ("request_verification", date(2026, 3, 4), {}),
        ("start_verification", date(2026, 3, 10), {}),
        ("post_publicity", date(2026, 3, 11), {}),
        ("raise_objection", date(2026, 3, 12), {}),
        ("submit_to_county", date(2026, 4, 20), {}),
        ("approve", date(2026, 5, 20), {"amount": 700, "household_size": 2}),
        ("publish", date(2026, 5, 21), {}),
    ]:
        engine.fire(cid, event, on=on, payload=payload)
    stored = engine.store.case(cid)
    case, deadlines = engine.replay(cid)
    assert case.state == stored.state == "published"
    assert case.attributes == stored.attributes
    assert [d.to_row(cid) for d in deadlines] == [d.to_row(cid) for d in
                                                  engine.store.deadlines(cid)]
    assert [d.to_row(cid) for d in engine.replay_deadlines(cid)] == [
        d.to_row(cid) for d in engine.store.deadlines(cid)]


def test_a_failed_deadlines_write_leaves_neither_the_event_nor_the_state(engine, db, monkeypatch):
    """The event, the new state and the recomputed deadlines are written in one transaction:
    if writing the deadlines fails, the accept is not recorded and the case stays applied."""
    import engine.store as store_module

    case = engine.open_case(province="shanxi", on=ACCEPTED)

    class Failing:  # (the deadlines' writer: every event's new deadlines go through it)
        def write(self, conn, rows):
            if rows:
                raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(store_module, "_DEADLINE_ROWS", Failing())
    with pytest.raises(RuntimeError, match="simulated"):
        engine.fire(case.id, "accept", on=ACCEPTED)
    monkeypatch.undo()

    fresh = Engine.open(db)  # a new connection sees only what was committed
    stored = fresh.store.case(case.id)
    assert stored.state == "applied"
    assert [e.event for e in fresh.store.history(case.id)] == ["open"]
    assert fresh.store.deadlines(case.id) == []
    assert engine.store.case(case.id).state == "applied"
    # And the case still works.
    assert engine.fire(case.id, "accept", on=ACCEPTED).state == "accepted"


def test_a_county_given_after_opening_is_the_case_county(engine, db):
    """Contract: `county` is a case attribute the engine reads, and reports filter by
    --county. 民发〔2021〕57号 第15条: investigation due 3/5, breached as of 3/9 by 2."""
    case = engine.open_case(province="shanxi", on=ACCEPTED)
    engine.fire(case.id, "accept", on=ACCEPTED, payload={"county": "小店区"})
    assert engine.store.case(case.id).attributes["county"] == "小店区"
    shown = json.loads(run(db, "case", "show", case.id, "--format", "json").stdout)
    assert shown["county"] == "小店区"
    rows = json.loads(run(db, "report", "breaches", "--as-of", "2026-03-09", "--county", "小店区",
                          "--format", "json").stdout)
    assert [(r["case_id"], r["rule"], r["overdue_working_days"]) for r in rows] == [
        (case.id, "investigation_start", 2)]


def test_a_report_as_of_a_past_date_takes_each_case_in_the_county_it_was_in_then(engine, db):
    """A report as of a date shows the cases as they stood then, their county too. 民发〔2021〕
    57号 第15条: accepted 3/2 in 小店区, investigation due 3/5; as of 3/9 breached by 2 (3/6,
    3/9). The investigation starts on 3/10 with the case moved to 迎泽区: as of 3/9 it is still
    小店区's breach, and not 迎泽区's."""
    cid = accepted(engine, "shanxi", county="小店区")
    engine.fire(cid, "start_investigation", on=date(2026, 3, 10), payload={"county": "迎泽区"})
    on = date(2026, 3, 9)
    then = engine.breaches(as_of=on, county="小店区")
    assert [(b.case.id, b.case.county, b.view.deadline.rule, b.view.overdue_working_days)
            for b in then] == [(cid, "小店区", "investigation_start", 2)]
    assert engine.breaches(as_of=on, county="迎泽区") == []
    rows = json.loads(run(db, "report", "breaches", "--as-of", "2026-03-09", "--county", "小店区",
                          "--format", "json").stdout)
    assert [(r["case_id"], r["county"]) for r in rows] == [(cid, "小店区")]
    # As of 3/10 the investigation started (late): nothing is breached in either county.
    assert engine.breaches(as_of=date(2026, 3, 10), county="迎泽区") == []


def test_an_unknown_workflow_filter_is_an_error_not_an_empty_report(engine, db):
    """A compliance report must not be silently empty because of a typo: 民发〔2021〕57号 第15条
    breaches exist as of 3/9 (investigation due 3/5), and ``--workflow dibaoo`` names no
    workflow — refused like ``--province hainan`` (exit 2, one line)."""
    four_provinces_cases(engine)
    for command in (["breaches", "--as-of", "2026-03-09"], ["at-risk", "--as-of", "2026-03-03"]):
        result = run(db, "report", *command, "--workflow", "dibaoo", "--format", "json")
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert "dibaoo" in result.stderr


@pytest.mark.parametrize("command", [["breaches"], ["at-risk"], ["sanctions"], ["exceptions"],
                                     ["unpublished"]])
def test_a_report_for_a_county_no_case_names_says_so(db, command):
    engine = Engine.open(db)
    engine.open_case("shanxi", on=date(2026, 3, 2), attributes={"county": "小店区"})
    result = run(db, "report", *command, "--county", "小店")
    assert (result.exit_code, result.stdout) == (0, "(none)\n")
    assert result.stderr == "note: no case names county '小店'; check the spelling\n"
    known = run(db, "report", *command, "--county", "小店区", "--format", "json")
    assert (known.exit_code, known.stdout, known.stderr) == (0, "[]\n", "")


@pytest.mark.parametrize("command", [["breaches", "--as-of", "2026-03-04"],
                                     ["at-risk", "--as-of", "2026-03-20"], ["sanctions"],
                                     ["exceptions"], ["unpublished", "--as-of", "2026-03-04"]])
def test_a_report_for_a_county_a_case_moved_out_of_gives_no_spelling_note(db, command):
    """A case accepted in 小店区 on Mon 2026-03-02 and moved to 迎泽区 by its start_investigation
    on Fri 03-20: as of Wed 03-04 it was in 小店区 (the reports take each case in the county it
    was in then), with nothing yet breached (investigation due Thu 03-05, 民发〔2021〕57号 第15条:
    3 working days); at-risk, as of 03-20, lists nothing there either. The empty report of
    小店区 said "note: no case names county '小店区'; check the spelling", as if misspelt, the
    county it had named checked against the cases' counties now alone."""
    engine = Engine.open(db)
    cid = engine.open_case("shanxi", on=date(2026, 3, 2), attributes={"county": "小店区"}).id
    engine.fire(cid, "accept", on=date(2026, 3, 2))
    engine.fire(cid, "start_investigation", on=date(2026, 3, 20), payload={"county": "迎泽区"})
    at_risk = run(db, "report", "at-risk", "--as-of", "2026-03-04", "--county", "小店区",
                  "--format", "csv")
    assert at_risk.stdout.splitlines()[1].startswith(f"{cid},shanxi,dibao,小店区,"
                                                     "investigation_start,")
    for province in ([], ["--province", "shanxi"]):
        result = run(db, "report", *command, *province, "--county", "小店区")
        assert (result.exit_code, result.stdout, result.stderr) == (0, "(none)\n", "")
    # (a county named by none of them, now or before, still gets it; 小店 is no county)
    result = run(db, "report", *command, "--county", "小店")
    assert result.stderr == "note: no case names county '小店'; check the spelling\n"
    result = run(db, "report", *command, "--province", "tianjin", "--county", "小店区")
    assert result.stderr == "note: no case of tianjin names county '小店区'; check the spelling\n"


def test_a_county_named_only_by_a_correction_still_gets_the_spelling_note(db):
    """A correction is evidence: it changes no attribute of the case (docs/cli.md, case
    correct), so the reports as of any date never put the case in the county it names. A
    case opened in 小店区 on Mon 2026-03-02 and accepted that day, its accept corrected to name
    迎泽区 and its opening to name 尖草坪区, is in 小店区 on every date; an empty breach report
    of 迎泽区 as of Wed 03-04 gave no note, as if a case had named it, the events' counties
    read from the corrections too. Neither does a recompute's."""
    engine = Engine.open(db)
    cid = engine.open_case("shanxi", on=date(2026, 3, 2), attributes={"county": "小店区"}).id
    engine.fire(cid, "accept", on=date(2026, 3, 2))
    engine.correct(cid, 1, on=date(2026, 3, 3), reason="县名", payload={"county": "迎泽区"})
    engine.correct(cid, 0, on=date(2026, 3, 3), reason="县名", payload={"county": "尖草坪区"})
    engine.close()
    for county in ("迎泽区", "尖草坪区"):
        for province in ([], ["--province", "shanxi"]):
            result = run(db, "report", "breaches", "--as-of", "2026-03-04", *province,
                         "--county", county)
            of = "case of shanxi" if province else "case"
            assert (result.exit_code, result.stdout, result.stderr) == (
                0, "(none)\n", f"note: no {of} names county '{county}'; check the spelling\n")
    result = run(db, "report", "breaches", "--as-of", "2026-03-04", "--county", "小店区")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "(none)\n", "")


def test_csv_text_a_spreadsheet_would_run_as_a_formula_is_quoted(engine, db):
    """A county typed as ``=HYPERLINK(…)`` (or starting with +, -, @) reaches a spreadsheet as
    text, with a leading ', not as a formula; numbers and dates are left as they are. The case:
    山西, accepted Mon 2026-03-02, no investigation by 03-05 (3 wd, 57号 第15条): breached by 2
    working days (3/6, 3/9) on 03-09."""
    county = '=HYPERLINK("http://x.example","点击")'
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2),
                            attributes={"county": county})
    engine.fire(case.id, "accept", on=date(2026, 3, 2))
    result = run(db, "report", "breaches", "--as-of", "2026-03-09", "--format", "csv")
    rows = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["case_id"] == case.id]
    assert {r["county"] for r in rows} == {"'" + county}
    breach = next(r for r in rows if r["rule"] == "investigation_start")
    assert (breach["due_on"], breach["overdue_working_days"]) == ("2026-03-05", "2")


def test_villages_with_more_than_200_recipients_need_a_service_station(engine, db):
    """津民发〔2023〕13号 五(四): "在困难群众较多（低保群众超过200人的）的村（社区）建立社会救助服务站（点）".
    新村: three households of 90 in payment, 270 people > 200, listed; 老村: 200 exactly, not
    "超过". Once one 新村 household is stopped (核查不符合条件) 新村 has 180 and drops out. 山西
    and 江苏 set no such number."""
    def household(village, size, county="河西区"):
        return engine.open_case(province="tianjin", workflow="benefit", on=date(2026, 1, 5),
                                attributes={"amount": 900, "paid_from": "2026-02", "county": county,
                                            "village": village, "household_size": size}).id
    first = household("新村", 90)
    household("新村", 90)
    household("新村", 90)
    household("老村", 200)
    engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5),
                     attributes={"amount": 800, "paid_from": "2026-02", "village": "大村",
                                 "household_size": 500})
    result = run(db, "report", "stations", "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["province"], row["county"], row["village"], row["households"],
            row["recipients"], row["threshold"]) == ("tianjin", "河西区", "新村", 3, 270, 200)
    assert "津民发〔2023〕13号 五(四)" in row["basis"]
    engine.fire(first, "found_ineligible", on=date(2026, 3, 2))
    assert engine.service_stations() == []
    assert engine.service_stations(province="shanxi") == []


def test_a_household_whose_phase_out_ran_out_is_no_longer_counted_for_a_station(db):
    """Found by review: 五(四) counts the people in payment. 新村: 150 + 50 + 1 = 201 > 200. The
    1-person household's income rose (recorded 2026-03-10: 天津 一(三) 3 + 3 months, 2026-04 …
    2026-09), so its benefit ends by itself on 2026-10-01, before or after `case advance`
    records it: from that day 新村 has 200, not more."""
    def station_rows(today):
        engine = Engine.open(db, today=lambda: today)
        return [(r["village"], r["recipients"]) for r in engine.service_stations()]

    engine = Engine.open(db, today=lambda: date(2026, 3, 10))
    for size in (150, 50, 1):
        last = engine.open_case(province="tianjin", workflow="benefit", on=date(2026, 1, 5),
                                attributes={"amount": 900, "paid_from": "2026-02",
                                            "county": "河西区", "village": "新村",
                                            "household_size": size}).id
    engine.fire(last, "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    assert station_rows(date(2026, 9, 30)) == [("新村", 201)]
    assert station_rows(date(2026, 10, 1)) == []
    assert engine.store.case(last).state == "phasing_out"  # (not yet recorded as ended)


def test_households_with_a_blank_village_are_not_summed_into_one_village(engine, db,
                                                                         monkeypatch):
    """津民发〔2023〕13号 五(四): a station for a village (community) of more than 200 低保
    recipients. A village given as "" names none (the 公布 notice posts such a case in its
    county): two 河西区 households of 150 and 60 with village "", from villages unknown, are
    not one village of 210 needing a station (they were listed as village "", 210 > 200);
    新村's 201 is. (doudi now refuses a blank village; a database holds such cases recorded
    before it did.)"""
    from engine.workflow import AttributeSpec

    def household(village, size):
        engine.open_case(province="tianjin", workflow="benefit", on=date(2026, 1, 5),
                         attributes={"amount": 900, "paid_from": "2026-02", "county": "河西区",
                                     "village": village, "household_size": size})
    check = AttributeSpec.check
    with monkeypatch.context() as before_it_was_refused:
        before_it_was_refused.setattr(AttributeSpec, "check",
                                      lambda spec, value: value == "" or check(spec, value))
        household("", 150)
        household("", 60)
    household("新村", 201)
    assert [(r["village"], r["households"], r["recipients"]) for r in engine.service_stations()
            ] == [("新村", 1, 201)]
    result = run(db, "report", "stations", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert [r["village"] for r in csv.DictReader(io.StringIO(result.stdout))] == ["新村"]


def test_the_station_report_reads_each_value_once_a_case(db):
    """津民发〔2023〕13号 五(四) "低保群众超过200人的". 新村: 150 + 50 + 1 = 201 > 200, the
    1-person household phasing out (recorded 2026-03-10, ends 2026-10-01). SQLite read each
    case's village two or three times (its condition, its value, its grouping) and every
    case's phase-out end: now each value once a case, the end only for a case phasing out.
    (json_extract counted through a function of the same name, which SQLite calls instead.)"""
    engine = Engine.open(db, today=lambda: date(2026, 3, 10))
    ids = [engine.open_case(province="tianjin", workflow="benefit", on=date(2026, 1, 5),
                            attributes={"amount": 900, "paid_from": "2026-02", "county": "河西区",
                                        "village": "新村", "household_size": size}).id
           for size in (150, 50, 1)]
    engine.fire(ids[2], "income_exceeds", on=date(2026, 3, 10),
                payload={"per_capita_income": 1300, "standard": 1010})
    read: list[tuple[str, str]] = []

    def json_extract(text, path):
        value = json.loads(text).get(path.removeprefix("$."))
        read.append((json.loads(text)["household_size"], path))
        return value

    engine.store.db.conn.create_function("json_extract", 2, json_extract)
    [row] = engine.service_stations()
    assert (row["village"], row["households"], row["recipients"]) == ("新村", 3, 201)
    assert sorted(read) == [(1, "$.household_size"), (1, "$.phase_out_ends_on"), (1, "$.village"),
                            (50, "$.household_size"), (50, "$.village"),
                            (150, "$.household_size"), (150, "$.village")]


def test_confirmed_cases_left_without_their_publication_are_listed(db):
    """民发〔2021〕57号 第24条 "低保审核确认完毕后…应当在低保家庭所在村（社区）公布"; 津民发〔2023〕13号
    四(二) "对于未严格落实公布、公示制度的，市民政、财政等部门将在年度绩效考核中加大扣分比重" (rules.md
    TJ-publicity). Two cases confirmed on Tue 2026-03-17 (公示 posted Mon 03-09, 7 days to
    03-16): 天津's and 山西's (delegated). As of 2026-04-01 both wait 15 days for their 公布,
    天津's with its clause on the office's review; 山西 names none. Once 天津's is published
    it is no longer listed."""
    engine = Engine.open(db, today=lambda: date(2026, 4, 1))
    ids = {}
    for province in ("tianjin", "shanxi"):
        case = engine.open_case(province=province, on=date(2026, 3, 2),
                                attributes={"county": "城区", "delegated": True})
        for event, day in [("accept", 2), ("start_investigation", 3),
                           ("request_verification", 4), ("start_verification", 5),
                           ("post_publicity", 9), ("approve", 17)]:
            engine.fire(case.id, event, on=date(2026, 3, day),
                        payload={"amount": 650} if event == "approve" else None)
        ids[province] = case.id
    # (the basis the 公布 notice cites: 57号 第24条 and the province's 公示公布 clause)
    engine.correct(ids["tianjin"], 6, on=date(2026, 3, 18), reason="金额录错",
                   payload={"amount": 660})  # (a later event: the confirmation's date stays)
    rows = engine.unpublished()
    assert [(r["case_id"], r["approved_on"], r["days"], r["basis"]) for r in rows] == [
        (ids["shanxi"], "2026-03-17", 15, "民发〔2021〕57号 第24条；晋民发〔2023〕31号 四(五)"),
        (ids["tianjin"], "2026-03-17", 15, "民发〔2021〕57号 第24条；津民发〔2023〕13号 四(二)")]
    review = {r["province"]: r["review"] for r in rows}
    assert review["shanxi"] is None
    assert review["tianjin"].startswith("津民发〔2023〕13号 四(二)（对于未严格落实公布、公示制度的")
    engine.fire(ids["tianjin"], "publish", on=date(2026, 3, 20))
    assert [r["case_id"] for r in engine.unpublished()] == [ids["shanxi"]]
    result = run(db, "report", "unpublished", "--province", "tianjin", "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])
    # As of a past date the cases are judged by the events dated by then: on 03-19 天津's
    # 公布 (03-20) had not happened, 2 days after its confirmation; on 03-16 neither case was
    # confirmed yet.
    past = engine.unpublished(as_of=date(2026, 3, 19))
    assert [(r["case_id"], r["days"]) for r in past] == [(ids["shanxi"], 2), (ids["tianjin"], 2)]
    assert engine.unpublished(as_of=date(2026, 3, 16)) == []
    result = run(db, "report", "unpublished", "--as-of", "2026-03-19", "--province", "tianjin",
                 "--format", "json")
    assert [(r["case_id"], r["approved_on"], r["days"]) for r in json.loads(result.stdout)] == [
        (ids["tianjin"], "2026-03-17", 2)]


def test_unpublished_as_of_a_past_date_takes_each_case_in_the_county_it_was_in_then(db):
    """民发〔2021〕57号 第24条: confirmed cases are published (公布). 天津 case confirmed Tue
    2026-03-17 in 和平区, published 03-20 with the case moved to 河西区: as of 03-19 it is
    和平区's, waiting 2 days, and not 河西区's; as of today (04-01) it waits nowhere."""
    engine = Engine.open(db, today=lambda: date(2026, 4, 1))
    case = engine.open_case(province="tianjin", on=date(2026, 3, 2),
                            attributes={"county": "和平区"})
    for event, day in [("accept", 2), ("start_investigation", 3), ("request_verification", 4),
                       ("start_verification", 5), ("post_publicity", 9), ("approve", 17)]:
        engine.fire(case.id, event, on=date(2026, 3, day),
                    payload={"amount": 650} if event == "approve" else None)
    engine.fire(case.id, "publish", on=date(2026, 3, 20), payload={"county": "河西区"})
    then = engine.unpublished(as_of=date(2026, 3, 19), county="和平区")
    assert [(r["case_id"], r["county"], r["days"]) for r in then] == [(case.id, "和平区", 2)]
    assert engine.unpublished(as_of=date(2026, 3, 19), county="河西区") == []
    assert [(r["case_id"], r["county"]) for r in engine.unpublished(as_of=date(2026, 3, 19))] \
        == [(case.id, "和平区")]
    assert engine.unpublished(county="和平区") == engine.unpublished(county="河西区") == []


def test_approval_carries_the_village_to_the_benefit_case(engine):
    """The benefit case opened by approval (57号 第21条) keeps the household's village, where
    its recipients are counted for 五(四)."""
    case = engine.open_case(province="tianjin", on=date(2026, 3, 2),
                            attributes={"village": "新村", "household_size": 3, "amount": 900})
    for event, on in [("accept", date(2026, 3, 2)), ("start_investigation", date(2026, 3, 3)),
                      ("request_verification", date(2026, 3, 4)),
                      ("start_verification", date(2026, 3, 5)),
                      ("post_publicity", date(2026, 3, 9)), ("approve", date(2026, 3, 17))]:
        view = engine.fire(case.id, event, on=on)
    benefit = next(link for link in view.links if link["relation"] == "benefit")
    assert engine.case(benefit["case_id"]).case.attributes["village"] == "新村"


def test_overdue_days_counted_into_a_year_without_its_notice_are_provisional(db):
    """calendar.md: a count that runs into a year without an official record is computed
    (weekends and the statutory holidays of the 放假办法) but marked provisional. 受理 Mon
    2026-12-21, investigation due Thu 12-24 (57号 第15条: 12/22, 12/23, 12/24). As of Thu
    12-31: overdue 12/25, 12/28 … 12/31 = 5, all in 2026 but in the days from 12-25 the 2027
    notice can still change, so provisional (changed: this was official; as of Thu 12-24 it
    is not yet overdue). As of Tue 2027-01-05: + 01-04, 01-05 (01-01 元旦 off) = 7, two of
    them on 2027's projected calendar."""
    engine = Engine.open(db, today=lambda: date(2027, 1, 5))  # (the events come after today)
    case = engine.open_case(province="shanxi", on=date(2026, 12, 21))
    engine.fire(case.id, "accept", on=date(2026, 12, 21))

    def row(as_of):
        [breach] = [b for b in engine.breaches(as_of)
                    if b.view.deadline.rule == "investigation_start"]
        return (breach.view.deadline.due_on, breach.view.overdue_working_days,
                breach.to_json()["provisional"])

    assert row(date(2026, 12, 31)) == (date(2026, 12, 24), 5, True)
    assert row(date(2027, 1, 5)) == (date(2026, 12, 24), 7, True)
    # The stored deadline's own flag is its due date's: recompute looks for those.
    [stored] = [d for d in engine.store.deadlines(case.id) if d.rule == "investigation_start"]
    assert stored.provisional is False


def test_a_breach_report_as_of_the_calendar_s_last_day_works(engine):
    # Found by review: the report counted an at-risk window it does not use, 3 working days
    # past 2060-12-31, the calendar's end, and failed.
    case_id = accepted(engine, "shanxi")
    rows = {b.view.deadline.rule for b in engine.breaches(date(2060, 12, 31))
            if b.case.id == case_id}
    assert rows == {"investigation_start", "total"}


def test_an_at_risk_window_past_the_calendar_s_end_is_judged_as_each_case_is(engine):
    """At risk: "running, due within the warning window" (contract). Every due date is a day
    of the calendar (2018–2060), so a window that runs past its end leaves none out: the
    report refused ("falls outside the calendar", the window's last day counted to bound its
    query), where judging each case answers. 民发〔2021〕57号 第15条: accepted Mon 3/2,
    investigation due 3/5; the total (第22条, 30 wd, 山西) 3/3 … 4/14 (清明 4/4–4/6 off): as of
    Tue 3/3, 2 and 29 working days away, within 9,000 (past 2060-12-31)."""
    case_id = accepted(engine, "shanxi")
    as_of = date(2026, 3, 3)
    rows = [(b.view.deadline.rule, b.view.deadline.due_on, b.view.status)
            for b in engine.at_risk(as_of, within=9000)]
    assert rows == [("investigation_start", INVESTIGATION_DUE, "at_risk"),
                    ("total", date(2026, 4, 14), "at_risk")]
    assert rows == sorted((v.deadline.rule, v.deadline.due_on, v.status)
                          for v in engine.deadlines(case_id, as_of, window=9000))
    # As of the calendar's last days, every duty of the case is past due: none at risk.
    assert engine.at_risk(date(2060, 12, 31)) == []
    assert engine.at_risk(date(2060, 12, 28), within=5) == []


def test_a_csv_cell_holding_a_carriage_return_stays_in_its_row(tmp_path):
    """Found by mutation testing: the CSV writer quoted only a cell holding a line break, so
    a carriage return (allowed in text of several lines: the 一事一议 meeting's reasons, 江苏
    征求意见稿 五(一)) was written bare, and a reader took it for the end of the row (Python's
    csv refused the file). It is quoted, and read back whole; rows still end in "\\n"."""
    db = str(tmp_path / "r.db")
    engine = Engine.open(db)
    cid = engine.open_case(province="jiangsu_draft", on=date(2026, 3, 2)).id
    for event, day in [("accept", 3), ("start_investigation", 5), ("request_verification", 6),
                       ("start_verification", 9), ("refer_collective", 9)]:
        engine.fire(cid, event, on=date(2026, 3, day))
    engine.fire(cid, "collective_decided", on=date(2026, 3, 12),
                payload={"outcome": "agree", "meeting_on": "2026-03-11", "participants": 5,
                         "reasons": "重病支出大\r确有特殊困难"})
    result = run(db, "report", "exceptions", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(',"重病支出大\r确有特殊困难"\n')
    [row] = csv.DictReader(io.StringIO(result.stdout, newline=""))
    assert (row["case_id"], row["reasons"]) == (cid, "重病支出大\r确有特殊困难")


def test_the_station_report_reads_attributes_holding_nan_as_the_engine_does(db):
    """Found by review: a case whose stored attributes hold NaN or Infinity (as doudi wrote
    them before 2026-11-23; Python's json reads them, SQLite 3.40's JSON functions do not)
    made `report stations` fail with "database error: malformed JSON". 津民发〔2023〕13号 五(四)
    "低保群众超过200人的": 新村 150 + 50 + 1 = 201 > 200, the 50-person household's amount
    stored as NaN: still 201. A household outside every village whose size is Infinity (and
    its phase-out end NaN) is not counted, as before; one in 新村 whose size is NaN cannot be
    counted, and is named."""
    engine = Engine.open(db, today=lambda: date(2026, 3, 10))

    def household(size, village="新村"):
        attributes = {"amount": 900, "paid_from": "2026-02", "county": "河西区",
                      "household_size": size} | ({"village": village} if village else {})
        return engine.open_case(province="tianjin", workflow="benefit", on=date(2026, 1, 5),
                                attributes=attributes).id

    def by_hand(case_id, old, new):  # (as stored before 2026-11-23, or edited)
        with sqlite3.connect(db) as conn:
            conn.execute("update cases set attributes = replace(attributes, ?, ?) where id = ?",
                         [old, new, case_id])
            assert new in conn.execute("select attributes from cases where id = ?",
                                       [case_id]).fetchone()[0]
        conn.close()
    household(150)
    fifty, one, outside = household(50), household(1), household(7, village=None)
    engine.fire(outside, "income_exceeds", on=date(2026, 3, 10),  # (天津 一(三): phasing out)
                payload={"per_capita_income": 1300, "standard": 1010})
    engine.close()
    by_hand(fifty, '"amount": 900', '"amount": NaN')
    by_hand(outside, '"household_size": 7', '"household_size": Infinity')
    by_hand(outside, '"phase_out_ends_on": "2026-10-01"', '"phase_out_ends_on": NaN')
    result = run(db, "report", "stations", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(r["village"], r["households"], r["recipients"]) for r in json.loads(
        result.stdout)] == [("新村", 3, 201)]
    by_hand(one, '"household_size": 1', '"household_size": NaN')
    result = run(db, "report", "stations")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: case {one!r} cannot be counted: its household_size is NaN, which holds a "
        "number that is not finite (recorded so before 2026-11-23, or changed outside doudi; "
        f"doudi case show {one} shows it)")


@pytest.mark.parametrize("command", [["breaches"], ["at-risk"], ["sanctions"], ["exceptions"],
                                     ["unpublished"], ["stations"]])
def test_a_report_for_a_county_named_only_in_another_province_says_so(db, command):
    """A county of the same name in another province made an empty report for --province P
    --county C look right ("nothing wrong there"): a 天津 case naming 甲县 kept the note from
    a 山西 report on 甲县, where no case names it. The note names the province then."""
    engine = Engine.open(db)
    engine.open_case("tianjin", on=date(2026, 3, 2), attributes={"county": "甲县"})
    result = run(db, "report", *command, "--province", "shanxi", "--county", "甲县")
    assert (result.exit_code, result.stdout) == (0, "(none)\n")
    assert result.stderr == "note: no case of shanxi names county '甲县'; check the spelling\n"
    known = run(db, "report", *command, "--province", "tianjin", "--county", "甲县",
                "--format", "json")
    assert (known.exit_code, known.stdout, known.stderr) == (0, "[]\n", "")
