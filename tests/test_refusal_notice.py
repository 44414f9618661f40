"""The written notice of a refusal (不予确认同意告知书; of a 临时救助 case, 不予救助告知书): text,
HTML, JSON, reasons, errors.

民发〔2021〕57号 第21条: "对不符合条件的申请不予确认同意，并应当在作出决定3个工作日内 … 书面告知
申请人并说明理由". None of the three seeds has a clause of its own on it (searched for 不予, 告知,
理由, 书面: they speak only of 告知承诺制 and of changes the household must report), so every
province cites the national clause, from the ``refusal_notice`` parameter.

Dates are counted by hand on the 2026 official calendar (国办发明电〔2025〕7号): 春节 2/15–2/23 off,
Sat 2/14 and Sat 2/28 worked (调休上班); 清明 4/4–4/6 off; 劳动节 5/1–5/5 off, Sat 5/9 worked.
- 天津, rejected Fri 2026-02-13: 2/14 Sat 调休上班(1), 2/15–2/23 春节, 2/24 Tu(2), 2/25 W(3) →
  due 2026-02-25.
- 山西, rejected Fri 2026-04-03: 4/4–4/6 清明, 4/7 Tu(1), 4/8 W(2), 4/9 Th(3) → due 2026-04-09
  (without the holiday Monday it would be 4/8).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine import Engine
from engine.errors import DoudiError
from engine.notices import refusal_notice, render_text
from helpers import dump_file, error_line, run

TIANJIN_HOUSEHOLD = {
    "county": "和平区", "village": "新兴里社区", "applicant_name": "王五", "household_size": 3,
    "office_name": "新兴街道办事处", "office_phone": "022-23301234",
    "office_address": "和平区新兴路1号",
}
SHANXI_HOUSEHOLD = {"county": "阳曲县", "village": "大盂村", "applicant_name": "李四",
                    "household_size": 2, "office_name": "大盂镇人民政府"}
PRIVATE = {"id_number": "110101199001011234", "address": "大盂村三组17号",
           "illness": "尿毒症血液透析", "phone": "13912345678"}


def tianjin_rejected(engine, reason="家庭人均收入高于本市低保标准\n家庭财产超过规定标准",
                     attributes=TIANJIN_HOUSEHOLD):
    """A 天津 case (the township confirms, 津民发〔2023〕13号 四(一)): 公示 posted Thu 2/5, 2/6(1)
    … 2/12 Thu(7) → last day 2/12; rejected Fri 2026-02-13."""
    cid = engine.open_case(province="tianjin", on=date(2026, 1, 26), attributes=attributes).id
    for event, day in [("accept", date(2026, 1, 27)), ("start_investigation", date(2026, 1, 28)),
                       ("request_verification", date(2026, 1, 29)),
                       ("start_verification", date(2026, 1, 30)),
                       ("post_publicity", date(2026, 2, 5))]:
        engine.fire(cid, event, on=day)
    engine.fire(cid, "reject", on=date(2026, 2, 13), reason=reason)
    return cid


def shanxi_rejected(engine, reason="家庭人均收入高于当地低保标准"):
    """A 山西 case the county refuses: 公示 posted Mon 3/23 → last day Mon 3/30; submitted to
    the county Tue 3/31; rejected Fri 2026-04-03."""
    cid = engine.open_case(province="shanxi", on=date(2026, 3, 16),
                           attributes={**SHANXI_HOUSEHOLD, **PRIVATE}).id
    for event, day in [("accept", 17), ("start_investigation", 18), ("request_verification", 19),
                       ("start_verification", 20), ("post_publicity", 23),
                       ("submit_to_county", 31)]:
        engine.fire(cid, event, on=date(2026, 3, day))
    engine.fire(cid, "reject", on=date(2026, 4, 3), reason=reason)
    return cid


TIANJIN_TEXT = """\
最低生活保障申请不予确认同意告知书

王五：

你提出的最低生活保障申请，经审核，不予确认同意。依据民发〔2021〕57号 第21条，现将决定及理由书面告知如下。

申请人姓名：王五
决定：不予确认同意
决定日期：2026年2月13日

理由：
家庭人均收入高于本市低保标准
家庭财产超过规定标准

特此告知。

新兴街道办事处

联系电话：022-23301234
地址：和平区新兴路1号

送达期限：2026年2月25日前（含当日）（作出决定后3个工作日内）
送达记录：尚未记录书面告知（notify_refusal）
期间计算：《民法典》第201条：起算日2026-02-13不计入，计3个工作日；工作日依国办发明电〔2025〕7号
依据：民发〔2021〕57号 第21条
"""


def test_tianjin_refusal_text_is_exact(db):
    """57号 第21条 "在作出决定3个工作日内": rejected Fri 2/13, Sat 2/14 worked (1), 春节 2/15–2/23,
    2/24 (2), 2/25 (3) → delivered by 2026-02-25. The reasons are the reject's --reason, a
    line each."""
    cid = tianjin_rejected(Engine.open(db))
    result = run(db, "notice", "refusal", cid)
    assert result.exit_code == 0, result.output
    assert result.output == TIANJIN_TEXT


def test_shanxi_refusal_friday_before_qingming_json(db):
    """57号 第21条: the county rejects Fri 4/3; 清明 4/4–4/6 → 4/7 (1), 4/8 (2), 4/9 (3): due
    2026-04-09. notify_refusal on Fri 4/10 is recorded, after it."""
    engine = Engine.open(db)
    cid = shanxi_rejected(engine)
    engine.fire(cid, "notify_refusal", on=date(2026, 4, 10))
    result = run(db, "notice", "refusal", cid, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "case_id": cid,
        "title": "最低生活保障申请不予确认同意告知书",
        "applicant_name": "李四",
        "decision": "不予确认同意",
        "decided_on": "2026-04-03",
        "reasons": ["家庭人均收入高于当地低保标准"],
        "reasons_seq": 7,
        "office": {"name": "大盂镇人民政府", "phone": None, "address": None},
        "due_on": "2026-04-09",
        "duration": "3wd",
        "computation": ("《民法典》第201条：起算日2026-04-03不计入，计3个工作日；"
                        "工作日依国办发明电〔2025〕7号"),
        "provisional": False,
        "notified_on": "2026-04-10",
        "basis": "民发〔2021〕57号 第21条",
    }
    text = run(db, "notice", "refusal", cid).output
    assert "送达期限：2026年4月9日前（含当日）（作出决定后3个工作日内）\n" in text
    assert "送达记录：2026年4月10日已书面告知（notify_refusal），晚于送达期限\n" in text


def test_a_refusal_notified_in_time_is_not_called_late(engine):
    cid = shanxi_rejected(engine)
    engine.fire(cid, "notify_refusal", on=date(2026, 4, 9))
    text = render_text(refusal_notice(engine.case(cid)))
    assert "送达记录：2026年4月9日已书面告知（notify_refusal）\n" in text


def test_the_notice_goes_to_the_applicant_and_shows_no_other_attribute(db):
    """It is not a 公示 or 公布 (83号 四(二) is about those), so it carries no note on what
    they post; but an ID number, an address or an illness on the case never reaches it."""
    cid = shanxi_rejected(Engine.open(db))
    for fmt in ("text", "html", "json"):
        result = run(db, "notice", "refusal", cid, "--format", fmt)
        output = result.output
        # (the notice itself, not an error line or nothing, which would show no attribute either)
        assert result.exit_code == 0, output
        assert "李四" in output and "家庭人均收入高于当地低保标准" in output, output
        for value in PRIVATE.values():
            assert value not in output
        assert "公示、公布仅包含" not in output
        assert "保障金额" not in output


def test_html_escapes_every_value(db):
    engine = Engine.open(db)
    cid = tianjin_rejected(engine, reason="收入<超过>标准&财产超标",
                           attributes={**TIANJIN_HOUSEHOLD, "applicant_name": "王<五>"})
    html = run(db, "notice", "refusal", cid, "--format", "html").output
    assert "<p>王&lt;五&gt;：</p>" in html
    assert "<p>理由：<br>收入&lt;超过&gt;标准&amp;财产超标</p>" in html
    assert "<超过>" not in html


# -- reasons: recorded with the reject, or by a correction of it --------------------------------


def test_a_refusal_without_reasons_is_refused_and_a_correction_gives_them(db):
    """第21条 "书面告知申请人并说明理由": a reject without --reason is recorded (the contract does not
    require one), but its notice is refused until a correction of the reject gives the reasons."""
    engine = Engine.open(db)
    cid = tianjin_rejected(engine, reason=None)
    before = dump_file(db)
    result = run(db, "notice", "refusal", cid)
    assert (result.exit_code, result.stdout) == (1, "")
    assert error_line(result) == (
        f"Error: the reject of case {cid} on 2026-02-13 recorded no reason: the notice must state "
        "the reasons (民发〔2021〕57号 第21条: 书面告知申请人并说明理由); record them with doudi case "
        f"correct {cid} 6 --on DATE --reason 未记录不予确认理由 --set reason=…")
    assert dump_file(db) == before
    with pytest.raises(DoudiError, match=r"record them with correct\('tianjin-2026-000001', 6, "):
        refusal_notice(engine.case(cid))

    fixed = run(db, "case", "correct", cid, "6", "--on", "2026-02-16", "--reason",
                "未记录不予确认理由", "--set", "reason=家庭人均收入高于本市低保标准")
    assert fixed.exit_code == 0, fixed.output
    notice = refusal_notice(Engine.open(db).case(cid))
    assert (notice.reasons, notice.reasons_seq) == (("家庭人均收入高于本市低保标准",), 7)
    assert notice.due_on == date(2026, 2, 25)  # the correction moves no deadline


def test_the_latest_correction_of_the_reject_gives_the_reasons(engine):
    cid = tianjin_rejected(engine, reason="写错的理由")
    engine.correct(cid, 0, on=date(2026, 2, 16), reason="笔误", payload={"reason": "不是这个"})
    engine.correct(cid, 6, on=date(2026, 2, 16), reason="理由写错", payload={"reason": "第一次更正"})
    engine.correct(cid, 6, on=date(2026, 2, 17), reason="理由不全",
                   payload={"reason": "收入超标\n财产超标"})
    engine.correct(cid, 6, on=date(2026, 2, 17), reason="决定日期", payload={"note": "x"})
    notice = refusal_notice(engine.case(cid))
    assert (notice.reasons, notice.reasons_seq) == (("收入超标", "财产超标"), 9)


def test_a_blank_reason_is_no_reason(engine):
    cid = tianjin_rejected(engine, reason=" \n ")
    with pytest.raises(DoudiError, match="recorded no reason: the notice must state the reasons"):
        refusal_notice(engine.case(cid))


# -- cases with no refusal ---------------------------------------------------------------------


def test_a_case_not_refused_is_refused_with_one_line(db):
    engine = Engine.open(db)
    cid = engine.open_case(province="tianjin", on=date(2026, 3, 2), attributes=TIANJIN_HOUSEHOLD).id
    engine.fire(cid, "accept", on=date(2026, 3, 3))
    result = run(db, "notice", "refusal", cid)
    assert (result.exit_code, result.stdout) == (1, "")
    assert error_line(result) == (f"Error: case {cid} was not refused (no reject, 不予确认同意, "
                                  "recorded): it has no refusal notice")


def test_a_case_of_a_workflow_without_refusals_is_refused_with_one_line(db):
    """A benefit case is stopped or left, never refused (it has no reject and no refusal_notice
    deadline): the line names the workflows whose refusal has a written notice."""
    engine = Engine.open(db)
    cid = engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 3, 2),
                           attributes={"amount": 700, "paid_from": "2026-03"}).id
    before = dump_file(db)
    result = run(db, "notice", "refusal", cid)
    assert (result.exit_code, result.stdout) == (2, "")
    assert error_line(result) == (
        f"Error: case {cid} is a benefit case, which has no refusal notice: it is written for a "
        "case of these workflows (dibao: 最低生活保障申请不予确认同意告知书; temporary: "
        "临时救助申请不予救助告知书)")
    assert dump_file(db) == before


# -- 临时救助 (temporary): 支出型 is refused 不予救助 and told in writing -------------------------
#
# 民发〔2018〕23号 二(二): 支出型 follows the ordinary procedure; its refusal_notice deadline
# (书面告知不予救助理由) is this system's local setting, 3 working days by analogy with 57号 第21条
# (workflows/temporary.toml). Rejected Fri 2026-03-06 (no holiday or make-up day near it):
#   3/7 Sat, 3/8 Sun off, 3/9 Mon(1), 3/10 Tue(2), 3/11 Wed(3) → due Wed 2026-03-11.
TEMPORARY_CITATION = ("民发〔2018〕23号 二(二)（支出型按规定程序办理，国家未规定期限）；"
                      "默认值参照民发〔2021〕57号 第21条，为本系统的地方可调设定")


def temporary_rejected(db, reason="家庭人均收入高于当地临时救助条件\n已获其他救助，困难已缓解"):
    """A 山西 支出型 临时救助 case opened on the command line (its office phone as typed, with its
    leading 0), investigated and verified, rejected Fri 2026-03-06."""
    opened = run(db, "case", "open", "--province", "shanxi", "--workflow", "temporary",
                 "--on", "2026-03-02", "--set", "category=other", "--set", "county=阳曲县",
                 "--set", "applicant_name=赵六", "--set", "office_name=大盂镇人民政府",
                 "--set", "office_phone=03511234567", "--set", "id_number=110101199001011234")
    assert opened.exit_code == 0, opened.output
    cid = opened.output.strip()
    engine = Engine.open(db)
    for event, day in [("accept", 2), ("start_investigation", 3), ("verify", 4)]:
        engine.fire(cid, event, on=date(2026, 3, day))
    engine.fire(cid, "reject", on=date(2026, 3, 6), reason=reason)
    return cid


def test_temporary_refusal_text_is_exact(db):
    """Its own title and decision (不予救助), the body citing 23号 二(二) (the clause, not the
    system's default), the footer the deadline's whole citation; due Wed 2026-03-11 (above)."""
    cid = temporary_rejected(db)
    result = run(db, "notice", "refusal", cid)
    assert result.exit_code == 0, result.output
    assert result.output == f"""\
临时救助申请不予救助告知书

赵六：

你提出的临时救助申请，经审核，不予救助。依据民发〔2018〕23号 二(二)，现将决定及理由书面告知如下。

申请人姓名：赵六
决定：不予救助
决定日期：2026年3月6日

理由：
家庭人均收入高于当地临时救助条件
已获其他救助，困难已缓解

特此告知。

大盂镇人民政府

联系电话：03511234567

送达期限：2026年3月11日前（含当日）（作出决定后3个工作日内）
送达记录：尚未记录书面告知（notify_refusal）
期间计算：《民法典》第201条：起算日2026-03-06不计入，计3个工作日；工作日依国办发明电〔2025〕7号
依据：{TEMPORARY_CITATION}
"""


def test_temporary_refusal_json_and_html_say_the_same(db):
    """The JSON keys are the dibao notice's; notify_refusal on Thu 3/12, after Wed 3/11, is late.
    No 低保 wording in any format, and no other attribute of the case."""
    cid = temporary_rejected(db)
    Engine.open(db).fire(cid, "notify_refusal", on=date(2026, 3, 12))
    result = run(db, "notice", "refusal", cid, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "case_id": cid,
        "title": "临时救助申请不予救助告知书",
        "applicant_name": "赵六",
        "decision": "不予救助",
        "decided_on": "2026-03-06",
        "reasons": ["家庭人均收入高于当地临时救助条件", "已获其他救助，困难已缓解"],
        "reasons_seq": 4,
        "office": {"name": "大盂镇人民政府", "phone": "03511234567", "address": None},
        "due_on": "2026-03-11",
        "duration": "3wd",
        "computation": ("《民法典》第201条：起算日2026-03-06不计入，计3个工作日；"
                        "工作日依国办发明电〔2025〕7号"),
        "provisional": False,
        "notified_on": "2026-03-12",
        "basis": TEMPORARY_CITATION,
    }
    html = run(db, "notice", "refusal", cid, "--format", "html").output
    assert "<title>临时救助申请不予救助告知书</title>" in html
    assert "<h1>临时救助申请不予救助告知书</h1>" in html
    assert "<dt>决定</dt><dd>不予救助</dd>" in html
    assert "<p>送达记录：2026年3月12日已书面告知（notify_refusal），晚于送达期限</p>" in html
    for fmt in ("text", "html", "json"):
        output = run(db, "notice", "refusal", cid, "--format", fmt).output
        for dibao in ("低保", "最低生活保障", "确认同意", "保障金额", "110101199001011234"):
            assert dibao not in output, (fmt, dibao)


def test_a_countys_own_period_and_clause_are_the_temporary_notices(db):
    """阳曲县 sets its own refusal_notice for 临时救助 (local in temporary.toml): 2 working days,
    its own clause, from 2026-03-02. Rejected Fri 3/6: 3/9 Mon(1), 3/10 Tue(2) → due 2026-03-10;
    the body and the footer cite the county's clause alone."""
    engine = Engine.open(db)
    engine.set_parameter("shanxi", "阳曲县", "refusal_notice", "2wd",
                         "阳曲县民政局临时救助测试文件 第7条（试行）", on=date(2026, 3, 2),
                         workflow="temporary")
    notice = refusal_notice(engine.case(temporary_rejected(db)))
    assert (notice.due_on, notice.duration, notice.basis) == (
        date(2026, 3, 10), "2wd", "阳曲县民政局临时救助测试文件 第7条")
    text = render_text(notice)
    assert "不予救助。依据阳曲县民政局临时救助测试文件 第7条，现将决定及理由书面告知如下。" in text
    assert "送达期限：2026年3月10日前（含当日）（作出决定后2个工作日内）\n" in text
    assert text.endswith("依据：阳曲县民政局临时救助测试文件 第7条\n")


def test_a_temporary_refusal_without_reasons_names_its_own_correction(db):
    """The reasons must be stated, as 57号 第21条 writes it ("书面告知申请人并说明理由"): quoted
    from that clause, not put in the mouth of the temporary period's own citation, which does
    not say it (its default follows 第21条 by analogy)."""
    cid = temporary_rejected(db, reason=None)
    before = dump_file(db)
    result = run(db, "notice", "refusal", cid)
    assert (result.exit_code, result.stdout) == (1, "")
    assert error_line(result) == (
        f"Error: the reject of case {cid} on 2026-03-06 recorded no reason: the notice must state "
        f"the reasons (民发〔2021〕57号 第21条: 书面告知申请人并说明理由); record them with doudi case "
        f"correct {cid} 4 --on DATE --reason 未记录不予救助理由 --set reason=…")
    assert dump_file(db) == before


def test_a_temporary_case_paid_urgently_was_not_refused(db):
    """急难型 is paid first (先行救助, 民发〔2018〕23号 二(二)) and never refused: no reject, so no
    notice, in the temporary case's own words."""
    engine = Engine.open(db)
    cid = engine.open_case(province="shanxi", workflow="temporary", on=date(2026, 3, 2),
                           attributes={"category": "other", "applicant_name": "赵六"}).id
    engine.fire(cid, "pay_urgent", on=date(2026, 3, 2), payload={"amount": 800, "reason": "火灾"})
    result = run(db, "notice", "refusal", cid)
    assert (result.exit_code, result.stdout) == (1, "")
    assert error_line(result) == (f"Error: case {cid} was not refused (no reject, 不予救助, "
                                  "recorded): it has no refusal notice")


def test_unknown_case_and_missing_database(db, tmp_path):
    Engine.open(db)
    result = run(db, "notice", "refusal", "nope")
    assert result.exit_code == 1
    assert error_line(result) == "Error: no case 'nope'"
    path = str(tmp_path / "missing.db")
    result = run(path, "notice", "refusal", "x")
    assert result.exit_code == 1
    error_line(result, "Error: no database at")
    assert not (tmp_path / "missing.db").exists()


def test_the_notice_writes_nothing(db):
    engine = Engine.open(db)
    cid = shanxi_rejected(engine)
    before = dump_file(db)
    for fmt in ("text", "html", "json"):
        assert run(db, "notice", "refusal", cid, "--format", fmt).exit_code == 0
    assert dump_file(db) == before


def test_a_reason_cannot_add_a_line_of_its_own_making(engine):
    # A reason is printed a line each, every line shown as visible() shows it: a terminal
    # escape given in a correction's data (taken as given) is escaped, not sent to the terminal.
    cid = tianjin_rejected(engine)
    engine.correct(cid, 6, on=date(2026, 2, 16), reason="理由写错",
                   payload={"reason": "收入超标\x1b[8m"})
    text = render_text(refusal_notice(engine.case(cid)))
    assert "理由：\n收入超标\\x1b[8m\n\n特此告知。" in text and "\x1b" not in text


def test_a_countys_own_period_and_clause_are_the_notices(engine):
    """The period and its clause are the refusal_notice parameter's, as data: a county that
    sets its own (local) is cited, in place of 57号 第21条. 阳曲县 gives 2 working days from
    2026-03-02: rejected Fri 4/3, 清明 4/4–4/6 → 4/7 (1), 4/8 (2) → due 2026-04-08."""
    engine.set_parameter("shanxi", "阳曲县", "refusal_notice", "2wd", "阳曲县民政局测试文件 第3条（试行）",
                         on=date(2026, 3, 2))
    notice = refusal_notice(engine.case(shanxi_rejected(engine)))
    assert (notice.due_on, notice.duration, notice.basis) == (
        date(2026, 4, 8), "2wd", "阳曲县民政局测试文件 第3条")
    text = render_text(notice)
    assert "依据阳曲县民政局测试文件 第3条，现将决定及理由书面告知如下。" in text
    assert "送达期限：2026年4月8日前（含当日）（作出决定后2个工作日内）" in text


def test_a_countys_period_in_months_is_worded_as_a_period(engine):
    """Step deadlines are the locality's to set (rules.md §5), in any unit a period takes: the
    notice words the county's period, as it words 3wd (3个工作日). 阳曲县 gives 1 month from
    2026-03-02: rejected Fri 4/3, 《民法典》第202条 → Sun 5/3, in 劳动节 5/1–5/5, 第203条 → the
    next working day, Wed 2026-05-06. The notice said "作出决定后1m内"."""
    engine.set_parameter("shanxi", "阳曲县", "refusal_notice", "1m", "阳曲县民政局测试文件 第3条",
                         on=date(2026, 3, 2))
    notice = refusal_notice(engine.case(shanxi_rejected(engine)))
    assert (notice.due_on, notice.duration) == (date(2026, 5, 6), "1m")
    assert "送达期限：2026年5月6日前（含当日）（作出决定后1个月内）\n" in render_text(notice)
