"""江苏 (征求意见稿) 低保审核确认 end to end, through the Python API and the CLI.

The draft has no number and no date; its clauses are cited as 江苏征求意见稿. Due dates are
counted by hand on the 2026 official calendar (国办发明电〔2025〕7号: 清明 4/4–4/6 off; 劳动节
5/1–5/5 off, 5/9 Sat worked), the counted days listed in comments.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine import EventRefused
from helpers import by_rule, error_line, run, snapshot

DRAFT = "江苏征求意见稿"

# 江苏征求意见稿 四(一): "低保审核确认工作应当自受理之日起30个工作日之内完成；审核确认权限下放到乡镇人民政府
# （街道办事处）的，应当自受理之日起20个工作日之内完成。发生公示有异议、人户分离、异地申办或者家庭经济状况调查
# 难度较大等特殊情况的，可以延长至45个工作日。"
#
# From 受理 on Tue 2026-03-03:
#   3/4 W(1) 3/5(2) 3/6(3) 3/9(4) 3/10(5) 3/11(6) 3/12(7) 3/13(8) 3/16(9) 3/17(10) 3/18(11)
#   3/19(12) 3/20(13) 3/23(14) 3/24(15) 3/25(16) 3/26(17) 3/27(18) 3/30(19) 3/31(20)
#   4/1(21) 4/2(22) 4/3(23) 4/4–4/6 清明 off 4/7(24) 4/8(25) 4/9(26) 4/10(27) 4/13(28)
#   4/14(29) 4/15(30) 4/16(31) 4/17(32) 4/20(33) 4/21(34) 4/22(35) 4/23(36) 4/24(37)
#   4/27(38) 4/28(39) 4/29(40) 4/30(41) 5/1–5/5 劳动节 off 5/6(42) 5/7(43) 5/8 F(44)
#   5/9 Sat 调休上班(45)
#   20 wd → 2026-03-31; 30 wd → 2026-04-15; 45 wd → 2026-05-09 (a make-up working Saturday)
# investigation_start 3 wd (民发〔2021〕57号 第15条): 3/4(1) 3/5(2) 3/6(3) → 2026-03-06
ACCEPTED = date(2026, 3, 3)
TOTAL_DUE = date(2026, 4, 15)
DELEGATED_DUE = date(2026, 3, 31)
EXTENDED_DUE = date(2026, 5, 9)

# 江苏征求意见稿 四(二): "公示时间不少于7天。有条件的地区可以通过网上公示等，扩大监督范围。"
# 公示 posted Mon 3/16: 3/17(1) … 3/23 Mon(7), a working day → 2026-03-23.
PUBLICITY_POSTED = date(2026, 3, 16)
PUBLICITY_DUE = date(2026, 3, 23)


def drive_to_publicity(engine, case_id, channel=None):
    """accept 3/3 → start_investigation 3/5 → request_verification 3/9 → start_verification
    3/10 → post_publicity 3/16."""
    engine.fire(case_id, "accept", on=ACCEPTED)
    engine.fire(case_id, "start_investigation", on=date(2026, 3, 5))
    engine.fire(case_id, "request_verification", on=date(2026, 3, 9))
    engine.fire(case_id, "start_verification", on=date(2026, 3, 10))
    payload = {"channel": channel} if channel else {}
    return engine.fire(case_id, "post_publicity", on=PUBLICITY_POSTED, payload=payload)


def test_jiangsu_totals_are_30_and_20_working_days(engine):
    """江苏征求意见稿 四(一): "应当自受理之日起30个工作日之内完成；审核确认权限下放到乡镇人民政府
    （街道办事处）的，应当自受理之日起20个工作日之内完成" — from 2026-03-03: 30 wd 2026-04-15
    (清明 4/4–4/6 not counted), 20 wd 2026-03-31."""
    plain = engine.open_case(province="jiangsu_draft", on=date(2026, 3, 2))
    delegated = engine.open_case(province="jiangsu_draft", on=date(2026, 3, 2),
                                 attributes={"delegated": True})
    total = by_rule(engine.fire(plain.id, "accept", on=ACCEPTED))["total"].deadline
    assert (total.due_on, total.duration, total.citation) == (TOTAL_DUE, "30wd", f"{DRAFT} 四(一)")
    total = by_rule(engine.fire(delegated.id, "accept", on=ACCEPTED))["total"].deadline
    assert (total.due_on, total.duration) == (DELEGATED_DUE, "20wd")


def test_an_objection_in_publicity_extends_the_total_to_45_working_days(engine):
    """江苏征求意见稿 四(一): "发生公示有异议 … 等特殊情况的，可以延长至45个工作日。"

    Without the objection the case is breached on 4/16 (30 wd due 4/15; overdue 4/16 = 1). With
    an objection raised on 3/18 (within the 公示 3/16 → 3/23) the total becomes 45 wd from 受理:
    2026-05-09, a make-up Saturday. The case goes back to investigation; the new 初审意见 goes to
    the county without a second 公示 (民发〔2022〕83号 四(二)): submit_to_county 4/20 from
    investigating; county confirmation 10 wd (民发〔2021〕57号 第20条): 4/21(1) 4/22(2) 4/23(3)
    4/24(4) 4/27(5) 4/28(6) 4/29(7) 4/30(8) 5/1–5/5 off 5/6(9) 5/7(10) → 5/7; approve 5/7.
    """
    quiet = engine.open_case(province="jiangsu_draft", on=date(2026, 3, 2))
    drive_to_publicity(engine, quiet.id)
    late = by_rule(engine.deadlines(quiet.id, as_of=date(2026, 4, 16)))["total"]
    assert (late.status, late.overdue_working_days) == ("breached", 1)

    case = engine.open_case(province="jiangsu_draft", on=date(2026, 3, 2))
    view = drive_to_publicity(engine, case.id)
    assert by_rule(view)["publicity"].deadline.due_on == PUBLICITY_DUE
    assert by_rule(view)["publicity"].deadline.citation.startswith(f"{DRAFT} 四(二)")
    view = engine.fire(case.id, "raise_objection", on=date(2026, 3, 18))
    assert view.state == "investigating"
    total = by_rule(view)["total"].deadline
    assert (total.starts_on, total.due_on, total.duration) == (ACCEPTED, EXTENDED_DUE, "45wd")
    assert total.citation == f"{DRAFT} 四(一)"
    assert by_rule(engine.deadlines(case.id, as_of=date(2026, 4, 16)))["total"].status == "open"

    view = engine.fire(case.id, "submit_to_county", on=date(2026, 4, 20))
    assert view.state == "county_review"
    assert by_rule(view)["county_confirmation"].deadline.due_on == date(2026, 5, 7)
    view = engine.fire(case.id, "approve", on=date(2026, 5, 7), payload={"amount": 800})
    assert view.state == "approved"
    final = by_rule(view)
    assert final["total"].status == "met"
    assert final["county_confirmation"].status == "met"


def test_an_objection_after_the_publicity_has_ended_is_refused(engine):
    """江苏征求意见稿 四(一) extends the total for "公示有异议": an objection to the 公示, i.e. raised
    while it runs (3/16 → 3/23). On 3/24 it is over: refused, nothing changed."""
    case = engine.open_case(province="jiangsu_draft", on=date(2026, 3, 2))
    drive_to_publicity(engine, case.id)
    before = snapshot(engine, case.id)
    with pytest.raises(EventRefused, match="公示"):
        engine.fire(case.id, "raise_objection", on=date(2026, 3, 24))
    assert snapshot(engine, case.id) == before


def test_a_delegated_case_across_mid_autumn_and_national_day_2026(engine):
    """江苏征求意见稿 四(一) "审核确认权限下放到乡镇人民政府（街道办事处）的，应当自受理之日起20个工作日之内
    完成" and 四(二) "公示时间不少于7天", on the 2026 calendar (国办发明电〔2025〕7号: 中秋 9/25–9/27
    off; 国庆 10/1–10/7 off, Sun 9/20 and Sat 10/10 调休上班).

    受理 Mon 2026-09-14 (delegated):
      investigation_start 3 wd (民发〔2021〕57号 第15条): 9/15(1) 9/16(2) 9/17(3)      → 09-17
      total 20 wd: 9/15(1) 9/16(2) 9/17(3) 9/18(4) 9/19 Sat off, 9/20 Sun 调休(5) 9/21(6)
        9/22(7) 9/23(8) 9/24(9) 9/25–9/27 off 9/28(10) 9/29(11) 9/30(12) 10/1–10/7 off
        10/8(13) 10/9(14) 10/10 Sat 调休(15) 10/12(16) 10/13(17) 10/14(18) 10/15(19) 10/16(20)
                                                                                    → 10-16
    request_verification Wed 9/16; verification_start 3 wd (第17条): 9/17(1) 9/18(2)
      9/20 Sun 调休(3)                                                               → 09-20
    公示 posted Mon 9/28: 7 days 9/29 … 10/5, the 7th in 国庆, so it runs to Thu 10-08, the next
      working day (《民法典》第203条). The township's approval on 10/08 comes while it still runs:
      refused, nothing written; on Fri 10/09 it is approved, the total met (due 10/16).
    """
    case = engine.open_case(province="jiangsu_draft", on=date(2026, 9, 11),
                            attributes={"delegated": True})
    deadlines = by_rule(engine.fire(case.id, "accept", on=date(2026, 9, 14)))
    assert deadlines["investigation_start"].deadline.due_on == date(2026, 9, 17)
    total = deadlines["total"].deadline
    assert (total.due_on, total.duration, total.citation) == (date(2026, 10, 16), "20wd",
                                                              f"{DRAFT} 四(一)")
    engine.fire(case.id, "start_investigation", on=date(2026, 9, 15))
    view = engine.fire(case.id, "request_verification", on=date(2026, 9, 16))
    assert by_rule(view)["verification_start"].deadline.due_on == date(2026, 9, 20)
    engine.fire(case.id, "start_verification", on=date(2026, 9, 18))
    publicity = by_rule(engine.fire(case.id, "post_publicity", on=date(2026, 9, 28)))["publicity"]
    assert (publicity.deadline.due_on, publicity.deadline.duration) == (date(2026, 10, 8), "7d")
    assert publicity.deadline.citation.startswith(f"{DRAFT} 四(二)")
    before = snapshot(engine, case.id)
    with pytest.raises(EventRefused, match=r"runs until 2026-10-08 .*may come from 2026-10-09"):
        engine.fire(case.id, "approve", on=date(2026, 10, 8), payload={"amount": 500})
    assert snapshot(engine, case.id) == before
    view = engine.fire(case.id, "approve", on=date(2026, 10, 9), payload={"amount": 500})
    assert view.state == "approved"
    assert by_rule(view)["total"].status == "met"


def test_online_publicity_is_allowed_in_jiangsu(db):
    """江苏征求意见稿 四(二): "公示、公布的地点主要在低保家庭所在村（社区）… 有条件的地区可以通过网上公示等，
    扩大监督范围。" — channel 网上 is accepted here beside the village (it is refused in 山西);
    alone it is refused: the village posting (民发〔2021〕57号 第19条) is what it widens."""
    cid = run(db, "case", "open", "--province", "jiangsu_draft", "--on", "2026-03-02").stdout.strip()
    assert cid.startswith("jiangsu_draft-2026-")
    for event, on in [("accept", "2026-03-03"), ("start_investigation", "2026-03-05"),
                      ("request_verification", "2026-03-09"), ("start_verification", "2026-03-10")]:
        assert run(db, "case", "fire", cid, event, "--on", on).exit_code == 0
    alone = run(db, "case", "fire", cid, "post_publicity", "--on", "2026-03-16",
                "--set", "channel=网上")
    assert alone.exit_code == 1
    assert error_line(alone) == (
        "Error: post_publicity refused: the 公示 is posted in the applicant's 村（社区） "
        "(民发〔2021〕57号 第19条); 网上 only adds to it (江苏征求意见稿 四(二)): give "
        "channel=村（社区）,网上")
    result = run(db, "case", "fire", cid, "post_publicity", "--on", "2026-03-16",
                 "--set", "channel=村（社区）,网上")
    assert result.exit_code == 0, result.output
    data = json.loads(run(db, "case", "show", cid, "--format", "json").stdout)
    assert data["state"] == "in_publicity"
    assert data["attributes"]["channel"] == "村（社区）,网上"
    assert data["history"][-1]["payload"] == {"channel": "村（社区）,网上"}
    publicity = next(d for d in data["deadlines"] if d["rule"] == "publicity")
    assert (publicity["starts_on"], publicity["due_on"]) == ("2026-03-16", "2026-03-23")


def test_yishi_yiyi_collective_decision_route(engine, db):
    """江苏征求意见稿 五(一): "建立社会救助审核确认“一事一议”制度，对申请人家庭收入、财产等情况超出政策规定
    条件，但经调查后确实存在特殊困难，需要纳入低保等社会救助范围的，应当通过“一事一议”的方式，集体研究确定，
    并做好救助档案的分类管理。"

    After the investigation and its 信息核对 ("经调查后") the case goes to a collective meeting
    (refer_collective); the meeting's outcome must be recorded (collective_decided --set
    outcome=agree); then the case returns to verifying and continues to 公示 (here online,
    四(二)) and confirmation as usual.
    """
    cid = run(db, "case", "open", "--province", "jiangsu_draft", "--on", "2026-03-02").stdout.strip()
    for event, on in [("accept", "2026-03-03"), ("start_investigation", "2026-03-05"),
                      ("request_verification", "2026-03-06"), ("start_verification", "2026-03-09")]:
        assert run(db, "case", "fire", cid, event, "--on", on).exit_code == 0
    referred = run(db, "case", "fire", cid, "refer_collective", "--on", "2026-03-09")
    assert referred.exit_code == 0, referred.output

    missing = run(db, "case", "fire", cid, "collective_decided", "--on", "2026-03-12")
    assert missing.exit_code == 1
    assert "outcome" in error_line(missing)
    assert error_line(missing).endswith("; got nothing")  # (not Python's "got None")
    # A value the declared attribute does not allow is bad input (exit 2), as a misspelt
    # outcome of a benefit re-check is: the engine's words, before the guard.
    bad = run(db, "case", "fire", cid, "collective_decided", "--on", "2026-03-12",
              "--set", "outcome=maybe")
    assert bad.exit_code == 2
    assert error_line(bad) == 'Error: outcome must be one of agree, refuse, got "maybe"'
    data = json.loads(run(db, "case", "show", cid, "--format", "json").stdout)
    assert data["state"] == "collective_review"
    assert len(data["history"]) == 6  # open … start_verification, refer_collective

    no_record = run(db, "case", "fire", cid, "collective_decided", "--on", "2026-03-12",
                    "--set", "outcome=agree")
    assert no_record.exit_code == 1
    assert "meeting_on" in error_line(no_record)
    assert error_line(no_record).endswith("; got nothing")
    few = run(db, "case", "fire", cid, "collective_decided", "--on", "2026-03-12",
              "--set", "outcome=agree", "--set", "meeting_on=2026-03-11",
              "--set", "participants=2", "--set", "reasons=因病致贫")
    assert few.exit_code == 1
    assert "at least 3" in error_line(few)
    decided = run(db, "case", "fire", cid, "collective_decided", "--on", "2026-03-12",
                  "--set", "outcome=agree", "--set", "meeting_on=2026-03-11",
                  "--set", "participants=5", "--set", "reasons=重病支出大，确有特殊困难")
    assert decided.exit_code == 0, decided.output
    posted = run(db, "case", "fire", cid, "post_publicity", "--on", "2026-03-16",
                 "--set", "channel=村（社区）,网上")
    assert posted.exit_code == 0, posted.output
    data = json.loads(run(db, "case", "show", cid, "--format", "json").stdout)
    assert data["state"] == "in_publicity"
    assert data["attributes"]["outcome"] == "agree"
    assert data["attributes"]["archive_class"] == "一事一议"
    assert data["attributes"]["collective_decision"]["participants"] == 5
    assert [h["event"] for h in data["history"]] == [
        "open", "accept", "start_investigation", "request_verification", "start_verification",
        "refer_collective", "collective_decided", "post_publicity"]
    assert [(h["from"], h["to"]) for h in data["history"][5:7]] == [
        ("verifying", "collective_review"), ("collective_review", "verifying")]
    # The collective route does not change the total: 30 wd from 3/3 → 4/15.
    total = next(d for d in data["deadlines"] if d["rule"] == "total")
    assert total["due_on"] == "2026-04-15"


def _in_collective_review(db):
    cid = run(db, "case", "open", "--province", "jiangsu_draft", "--on", "2026-03-02").stdout.strip()
    for event, on in [("accept", "2026-03-03"), ("start_investigation", "2026-03-05"),
                      ("request_verification", "2026-03-06"), ("start_verification", "2026-03-09"),
                      ("refer_collective", "2026-03-09")]:
        assert run(db, "case", "fire", cid, event, "--on", on).exit_code == 0
    return cid


RECORD = {"outcome": "agree", "meeting_on": "2026-03-11", "participants": "3", "reasons": "因病致贫"}


@pytest.mark.parametrize("name, value, line", [
    ("outcome", "agre", 'Error: outcome must be one of agree, refuse, got "agre"'),
    ("meeting_on", "2026-02-30", 'Error: meeting_on "2026-02-30" is not a date: 2026-02 has 28 days'),
    # (date.fromisoformat read an ISO week as a date: recorded as the meeting's date)
    ("meeting_on", "2026-W11-3", 'Error: meeting_on "2026-W11-3" is not a date: expected YYYY-MM-DD'),
    ("participants", "3.5", "Error: participants must be a whole number, got 3.5"),
    ("participants", "三", 'Error: participants must be a number (at most 1,000,000,000,000), '
                          'got "三"'),
    # (a terminal escape went into the archive's record and report exceptions)
    ("reasons", "因病\x1b[2J致贫", 'Error: reasons must be printable text, got '
                                  '"因病\\u001b[2J致贫" (character U+001B)'),
])
def test_a_collective_record_of_the_wrong_shape_is_bad_input_in_the_engine_s_words(
        db, name, value, line):
    """江苏征求意见稿 五(一) "集体研究确定，并做好救助档案的分类管理": the meeting's record is data the
    plugin declares (WorkflowPatch add_attributes), checked as the workflow's own: a misspelt
    outcome or an impossible date is bad input, exit 2 (a misspelt outcome of a benefit
    re-check is too), one line naming the attribute and the value, and nothing is written.
    It was the guard's refusal, exit 1, and a week date or an escape passed."""
    cid = _in_collective_review(db)
    before = run(db, "case", "show", cid, "--format", "json").stdout
    settings = [f"{key}={value if key == name else given}" for key, given in RECORD.items()]
    result = run(db, "case", "fire", cid, "collective_decided", "--on", "2026-03-12",
                 *(x for s in settings for x in ("--set", s)))
    assert result.exit_code == 2, result.output
    assert error_line(result) == line
    assert result.stdout == ""
    assert run(db, "case", "show", cid, "--format", "json").stdout == before
    # A correction of the record is checked as the record is.
    decided = run(db, "case", "fire", cid, "collective_decided", "--on", "2026-03-12",
                  *(x for key, given in RECORD.items() for x in ("--set", f"{key}={given}")))
    assert decided.exit_code == 0, decided.output
    after = run(db, "case", "show", cid, "--format", "json").stdout
    corrected = run(db, "case", "correct", cid, "6", "--on", "2026-03-13", "--reason", "笔误",
                    "--set", f"{name}={value}")
    assert (corrected.exit_code, error_line(corrected)) == (2, line)
    assert run(db, "case", "show", cid, "--format", "json").stdout == after


def test_the_collective_record_is_listed_among_the_workflow_s_attributes():
    """The data 江苏's 一事一议 step takes (五(一)) are listed with the workflow's own, in 江苏 only."""
    from click.testing import CliRunner

    from engine.cli import cli

    def attributes(province):
        shown = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", province,
                                         "--format", "json"])
        assert shown.exit_code == 0, shown.output
        return json.loads(shown.stdout)["attributes"]

    listed = attributes("jiangsu_draft")
    assert {name: (listed[name]["type"], listed[name]["choices"], listed[name]["required"])
            for name in ("outcome", "meeting_on", "participants", "reasons")} == {
        "outcome": ("text", ["agree", "refuse"], False), "meeting_on": ("date", [], False),
        "participants": ("integer", [], False), "reasons": ("text", [], False)}
    assert all(f"{DRAFT} 五(一)" in listed[name]["title"]
               for name in ("outcome", "meeting_on", "participants", "reasons"))
    assert "proposal" in listed  # (the national ones kept)
    national = attributes("shanxi")
    assert not {"outcome", "meeting_on", "participants", "reasons"} & set(national)


def test_yishi_yiyi_exists_only_in_jiangsu(engine):
    """江苏征求意见稿 五(一) is Jiangsu's own: the national procedure (民发〔2021〕57号) and 山西
    (晋民发〔2023〕31号) have no 一事一议 step; refer_collective is unknown there."""
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=ACCEPTED)
    engine.fire(case.id, "start_investigation", on=date(2026, 3, 5))
    before = snapshot(engine, case.id)
    with pytest.raises(Exception, match="refer_collective"):
        engine.fire(case.id, "refer_collective", on=date(2026, 3, 9))
    assert snapshot(engine, case.id) == before


def test_collective_route_with_extension_objection_and_refusal_replays_identically(engine):
    """江苏征求意见稿 五(一) (一事一议), 四(一) (45 wd for "家庭经济状况调查难度较大" and "公示有异议"),
    四(二) (online 公示) and 民发〔2021〕57号 第21条 ("对不符合条件的申请不予确认同意，并应当在作出决定
    3个工作日内 … 书面告知申请人并说明理由").

    accept 3/3 → total 45 wd after extend → 2026-05-09 (Sat 调休上班, count at the top).
    County review from 4/20 → 5/7. Rejected Thu 5/7: refusal notice 5/8 F(1) 5/9 Sat 调休(2)
    5/11 M(3) → 2026-05-11; notified 5/12 → met_late by 1 (5/12). Replaying the history gives
    back exactly the stored state, attributes and deadlines.
    """
    case = engine.open_case(province="jiangsu_draft", on=date(2026, 3, 2))
    for event, on, payload, reason in [
        ("accept", ACCEPTED, {}, None),
        ("start_investigation", date(2026, 3, 5), {}, None),
        ("request_verification", date(2026, 3, 6), {}, None),
        ("start_verification", date(2026, 3, 9), {}, None),
        ("refer_collective", date(2026, 3, 9), {}, None),
        ("extend", date(2026, 3, 10), {}, "调查难度大"),
        ("collective_decided", date(2026, 3, 12), {"outcome": "agree", "meeting_on": "2026-03-11",
                                                   "participants": 5, "reasons": "确有特殊困难"},
         None),
        ("post_publicity", PUBLICITY_POSTED, {"channel": "村（社区）,网上"}, None),
        ("raise_objection", date(2026, 3, 18), {}, None),
        ("submit_to_county", date(2026, 4, 20), {}, None),
        ("reject", date(2026, 5, 7), {}, None),
        ("notify_refusal", date(2026, 5, 12), {}, None),
    ]:
        engine.fire(case.id, event, on=on, payload=payload, reason=reason)
    rules = by_rule(engine.deadlines(case.id, as_of=date(2026, 5, 12)))
    assert {r: (v.deadline.due_on, v.status, v.overdue_working_days) for r, v in rules.items()} == {
        "total": (EXTENDED_DUE, "met", 0),
        "investigation_start": (date(2026, 3, 6), "met", 0),
        # 民发〔2021〕57号 第17条: requested Fri 3/6, 3 working days: 3/9(1) 3/10 3/11 → 3/11
        "verification_start": (date(2026, 3, 11), "met", 0),
        "publicity": (PUBLICITY_DUE, "met", 0),
        "county_confirmation": (date(2026, 5, 7), "met", 0),
        "refusal_notice": (date(2026, 5, 11), "met_late", 1),
    }
    stored = engine.store.case(case.id)
    replayed, deadlines = engine.replay(case.id)
    assert replayed.state == stored.state == "refusal_notified"
    assert replayed.attributes == stored.attributes
    assert [d.to_row(case.id) for d in deadlines] == [
        d.to_row(case.id) for d in engine.store.deadlines(case.id)]


# 江苏征求意见稿 三(三): "将困难人群纳入动态监测范围。困难人群主要包括低保对象、特困人员、低保边缘家庭、
# 支出型困难家庭等低收入人口；申请认定低收入人口未获通过对象；……"
def test_a_refused_application_puts_the_household_into_dynamic_monitoring_in_jiangsu_and_tianjin(
        engine):
    """江苏征求意见稿 三(三) "申请认定低收入人口未获通过对象" and 津民发〔2023〕13号 三(三) "重点对享受过
    救助、申请过救助家庭……要密切关注，定期开展数据比对筛查": the 低保 refusal (reject, 不予确认同意)
    and the 低保边缘/支出型 one (refuse, 不予认定) record the monitoring with its clause; 山西,
    whose notice says nothing of refused applicants, records none."""
    tianjin = ("津民发〔2023〕13号 三(三)（重点对享受过救助、申请过救助家庭……要密切关注，"
               "定期开展数据比对筛查）")
    by_province = {}
    for province in ("jiangsu_draft", "shanxi", "tianjin"):
        case = engine.open_case(province=province, on=date(2026, 3, 2))
        drive_to_publicity(engine, case.id)
        if province != "tianjin":  # (天津 confirms at township level)
            engine.fire(case.id, "submit_to_county", on=date(2026, 3, 24))
        view = engine.fire(case.id, "reject", on=date(2026, 3, 26))
        assert view.state == "rejected"
        by_province[province] = {k: v for k, v in view.case.attributes.items()
                                 if k in ("dynamic_monitoring", "monitoring_basis")}
    assert by_province == {
        "jiangsu_draft": {"dynamic_monitoring": True, "monitoring_basis": f"{DRAFT} 三(三)"},
        "shanxi": {},
        "tianjin": {"dynamic_monitoring": True, "monitoring_basis": tianjin},
    }

    refused = {}
    for province in ("jiangsu_draft", "shanxi", "tianjin"):
        case = engine.open_case(province=province, workflow="marginal", on=date(2026, 3, 2),
                                attributes={"recognition": "expenditure"})
        view = engine.fire(case.id, "refuse", on=date(2026, 3, 20))
        assert view.state == "not_recognized"
        refused[province] = view.case.attributes.get("monitoring_basis")
        # Replaying the history gives back what was stored.
        assert engine.replay(case.id)[0].attributes == engine.store.case(case.id).attributes
    assert refused == {"jiangsu_draft": f"{DRAFT} 三(三)", "shanxi": None, "tianjin": tianjin}


def test_a_recognized_marginal_household_goes_into_dynamic_monitoring(engine):
    """晋民发〔2023〕31号 一(四) "将符合条件的困难群众及时纳入低保边缘家庭范围，对其实施动态监测";
    津民发〔2023〕13号 三(三) "低保边缘群体、支出型困难群体……要密切关注，定期开展数据比对筛查";
    江苏征求意见稿 三(三) "困难人群主要包括……低保边缘家庭、支出型困难家庭". Recognition (认定)
    records the monitoring and its clause in each province; nationally it records none."""
    basis = {}
    for province in ("shanxi", "tianjin", "jiangsu_draft"):
        case = engine.open_case(province=province, workflow="marginal", on=date(2026, 3, 2),
                                attributes={"recognition": "marginal"})
        view = engine.fire(case.id, "recognize", on=date(2026, 3, 20))
        assert (view.state, view.case.attributes["dynamic_monitoring"]) == ("recognized", True)
        basis[province] = view.case.attributes["monitoring_basis"]
    assert basis == {
        # (三(四) beside it: the clause that names 支出型 too, test_marginal_assessment.py)
        "shanxi": "晋民发〔2023〕31号 一(四)（纳入低保边缘家庭范围，对其实施动态监测）；三(四)（低保边缘"
                  "群体、支出型困难群体……要密切关注）",
        "tianjin": "津民发〔2023〕13号 三(三)（低保边缘群体、支出型困难群体……要密切关注，"
                   "定期开展数据比对筛查）",
        "jiangsu_draft": f"{DRAFT} 三(三)（困难人群主要包括……低保边缘家庭、支出型困难家庭）",
    }
    from engine.workflow import load_workflow

    national = load_workflow("marginal").parameters["recognized_households_monitored"]
    assert (national.value, national.citation) == (False, "国家未规定（默认不纳入，由省份按本省文件设定）")
