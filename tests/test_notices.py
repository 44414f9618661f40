"""公示 and 公布 notices: exact text and HTML, the allow-list, the county publication, errors.

晋民发〔2023〕31号 四(五): "乡镇人民政府（街道办事处）经调查核实提出的初审意见，应在申请家庭所在村（社区）
进行为期 7 天的公示。低保审核确认完毕后，申请人姓名、家庭成员数量、保障金额等信息应当在低保家庭所在村
（社区）公布。信息公示、公布应当依法保护个人隐私，不得公开无关信息。"
江苏征求意见稿 四(二): "公示、公布的地点主要在低保家庭所在村（社区），内容应当包括申请人姓名、家庭成员数量、
保障金额等信息。公示时间不少于7天。有条件的地区可以通过网上公示等，扩大监督范围。"

Dates are counted by hand on the 2026 official calendar (国办发明电〔2025〕7号; 国庆 10/1–10/7 off):
- 公示 posted Mon 2026-03-09: 3/10(1) … 3/16 Mon(7), a working day → last day 2026-03-16.
- 公示 posted Mon 2026-09-28: 9/29(1) … 10/5(7), inside 国庆 10/1–10/7 → 《民法典》第203条: the
  next working day, 2026-10-08.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Engine, InvalidInput, OutsideCalendar, PublicationNotice, UnknownName, notices
from engine.notices import (
    ALLOWED_FIELDS,
    publication_basis,
    publicity_notice,
    render,
    render_html,
    render_text,
)
from engine.workflow import CASE_FIELDS
from helpers import dump_file, error_line, run

# The privacy line cites the national clauses and the province's own, which says it too (晋民发
# 〔2023〕31号 四(五), 江苏征求意见稿 四(二): "信息公示、公布应当依法保护个人隐私，不得公开无关信息").
SHANXI_PRIVACY = ("公示、公布仅包含申请人姓名、家庭成员数量和保障金额，依法保护个人隐私，不公开无关信息"
                  "（民发〔2021〕57号 第24条；民发〔2022〕83号 四(二)；晋民发〔2023〕31号 四(五)）。")
JIANGSU_PRIVACY = ("公示、公布仅包含申请人姓名、家庭成员数量和保障金额，依法保护个人隐私，不公开无关信息"
                   "（民发〔2021〕57号 第24条；民发〔2022〕83号 四(二)；江苏征求意见稿 四(二)）。")

SHANXI_HOUSEHOLD = {
    "county": "阳曲县", "village": "大盂村", "applicant_name": "王五", "household_size": 3,
    "amount": 650, "office_name": "大盂镇人民政府", "office_phone": "0351-5551234",
    "office_address": "大盂镇政府街1号",
}
JIANGSU_HOUSEHOLD = {
    "county": "句容市", "village": "东<风>村", "applicant_name": "李四&子", "household_size": 2,
    "amount": 780.0, "office_name": "华阳街道办事处", "office_phone": "0511-87654321",
}
PRIVATE = {"id_number": "110101199001011234", "address": "大盂村三组17号",
           "illness": "尿毒症血液透析", "phone": "13912345678"}


def to_publicity(engine, province, attributes, posted_on, payload=None, case_id=None):
    """Open a case a week before ``posted_on`` and drive it to 公示 posted on ``posted_on`` (a
    Monday): 受理 Tue, 调查 Wed, 提请核对 Thu, 核对 Fri, 公示 Mon."""
    opened = date.fromordinal(posted_on.toordinal() - 7)
    view = engine.open_case(province=province, on=opened, attributes=attributes, case_id=case_id)
    for days, event in enumerate(["accept", "start_investigation", "request_verification",
                                  "start_verification"], start=1):
        engine.fire(view.id, event, on=date.fromordinal(opened.toordinal() + days))
    engine.fire(view.id, "post_publicity", on=posted_on, payload=payload or {})
    return view.id


def channels(engine, province):
    return engine.registry.workflow(province, "dibao").parameters["publicity_channels"].value


# -- 山西: exact text and HTML -------------------------------------------------------------------

SHANXI_TEXT = """\
最低生活保障初审意见公示

经家庭经济状况调查和信息核对，大盂镇人民政府提出初审意见如下，现予公示。

申请人姓名：王五
家庭成员数量：3人
初审意见：拟同意纳入最低生活保障，保障金额每月650元

公示地点：大盂村
公示期：2026年3月9日至2026年3月16日（7天，自张贴次日起算）

对公示内容有异议的，请于公示期内（2026年3月16日前，含当日）向大盂镇人民政府反映。

联系电话：0351-5551234
地址：大盂镇政府街1号

期间计算：《民法典》第201条、第203条：起算日2026-03-09不计入，计7日
依据：晋民发〔2023〕31号 四(五)
""" + SHANXI_PRIVACY + "\n"


def test_shanxi_publicity_text_is_exact(db):
    """晋民发〔2023〕31号 四(五): 7 days in the village; posted Mon 3/9 → last day Mon 3/16."""
    engine = Engine.open(db)
    cid = to_publicity(engine, "shanxi", SHANXI_HOUSEHOLD, date(2026, 3, 9))
    result = run(db, "notice", "publicity", cid)
    assert result.exit_code == 0, result.output
    assert result.output == SHANXI_TEXT
    # Not posted online: 山西 provides only the village/community channel.
    assert "网上" not in result.output


def test_shanxi_publicity_html_is_exact(db):
    engine = Engine.open(db)
    cid = to_publicity(engine, "shanxi", SHANXI_HOUSEHOLD, date(2026, 3, 9))
    result = run(db, "notice", "publicity", cid, "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.output == (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        "<title>最低生活保障初审意见公示</title>\n</head>\n<body>\n"
        "<h1>最低生活保障初审意见公示</h1>\n"
        "<p>经家庭经济状况调查和信息核对，大盂镇人民政府提出初审意见如下，现予公示。</p>\n"
        "<dl><dt>申请人姓名</dt><dd>王五</dd><dt>家庭成员数量</dt><dd>3人</dd>"
        "<dt>初审意见</dt><dd>拟同意纳入最低生活保障，保障金额每月650元</dd></dl>\n"
        "<dl><dt>公示地点</dt><dd>大盂村</dd>"
        "<dt>公示期</dt><dd>2026年3月9日至2026年3月16日（7天，自张贴次日起算）</dd></dl>\n"
        "<p>对公示内容有异议的，请于公示期内（2026年3月16日前，含当日）向大盂镇人民政府反映。</p>\n"
        "<dl><dt>联系电话</dt><dd>0351-5551234</dd><dt>地址</dt><dd>大盂镇政府街1号</dd></dl>\n"
        "<footer><p>期间计算：《民法典》第201条、第203条：起算日2026-03-09不计入，计7日</p>"
        "<p>依据：晋民发〔2023〕31号 四(五)</p><p>" + SHANXI_PRIVACY + "</p></footer>\n"
        "</body>\n</html>\n"
    )


def test_tianjin_posts_the_townships_review_opinion(db):
    """津民发〔2023〕13号 四(二): "乡镇人民政府（街道办事处）经调查核实提出的审核意见，应在申请家庭所在村
    （社区）进行为期7天的公示": the township confirms in 天津, so what is posted is its 审核意见, not
    a 初审意见. Posted Mon 3/9 → last day Mon 3/16."""
    engine = Engine.open(db)
    cid = to_publicity(engine, "tianjin", {**SHANXI_HOUSEHOLD, "county": "和平区"},
                       date(2026, 3, 9))
    result = run(db, "notice", "publicity", cid)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "最低生活保障审核意见公示"
    assert lines[2] == "经家庭经济状况调查和信息核对，大盂镇人民政府提出审核意见如下，现予公示。"
    assert "审核意见：拟同意纳入最低生活保障，保障金额每月650元" in lines
    assert "初审意见" not in result.output
    assert "公示期：2026年3月9日至2026年3月16日（7天，自张贴次日起算）" in lines


def test_the_privacy_line_cites_the_provinces_own_clause_too(db):
    """Each province's 公示公布 clause says it too: 晋民发〔2023〕31号 四(五) and 津民发〔2023〕13号
    四(二) "信息公示、公布应当依法保护个人隐私，不得公开无关信息", 江苏征求意见稿 四(二) "公示公布应当
    依法保护个人隐私，不得公开无关信息". The 公示's and the 公布's privacy line cite 57号 第24条 and
    83号 四(二), then that clause (as their 依据 line does); 海南, which sets no 公示 clause of its
    own (民发〔2021〕57号 第19条), the national clauses alone. It cited the national ones only."""
    line = "公示、公布仅包含申请人姓名、家庭成员数量和保障金额，依法保护个人隐私，不公开无关信息（{}）。"
    national = "民发〔2021〕57号 第24条；民发〔2022〕83号 四(二)"
    engine = Engine.open(db)
    for province, county, own in [("shanxi", "阳曲县", "晋民发〔2023〕31号 四(五)"),
                                  ("tianjin", "和平区", "津民发〔2023〕13号 四(二)"),
                                  ("jiangsu_draft", "句容市", "江苏征求意见稿 四(二)")]:
        cid = to_publicity(engine, province, {**SHANXI_HOUSEHOLD, "county": county,
                                              "delegated": True}, date(2026, 3, 9))
        engine.fire(cid, "approve", on=date(2026, 3, 17))
        expected = line.format(f"{national}；{own}")
        publicity = run(db, "notice", "publicity", cid)
        publication = run(db, "notice", "publication", "--county", county, "--as-of", "2026-03-17")
        for result in (publicity, publication):
            assert result.exit_code == 0, result.output
            assert result.output.endswith("\n" + expected + "\n"), result.output
        assert f"<p>{expected}</p></footer>" in run(db, "notice", "publicity", cid,
                                                     "--format", "html").output


def test_the_privacy_line_of_a_province_without_a_clause_cites_the_national_ones(install, tmp_path):
    """海南 sets no 公示 clause of its own (民发〔2021〕57号 第19条): its privacy line cites 57号
    第24条 and 83号 四(二) alone."""
    line = "公示、公布仅包含申请人姓名、家庭成员数量和保障金额，依法保护个人隐私，不公开无关信息（{}）。"
    national = "民发〔2021〕57号 第24条；民发〔2022〕83号 四(二)"
    install("")
    hainan = Engine.open(str(tmp_path / "national.db"))
    cid = to_publicity(hainan, "hainan", {**SHANXI_HOUSEHOLD, "county": "琼中县",
                                          "delegated": True}, date(2026, 3, 9))
    hainan.fire(cid, "approve", on=date(2026, 3, 17))
    for notice in (hainan.publicity(cid), hainan.publication("琼中县", date(2026, 3, 17))):
        assert render_text(notice).endswith("\n" + line.format(national) + "\n")


@pytest.mark.parametrize(("province", "posted", "last", "printed"), [
    # Sat 2026-02-14 is worked (春节's make-up day): 2/15(1) … 2/21(7), inside 春节 2/15–2/23
    # → the next working day, Tue 2/24.
    ("shanxi", date(2026, 2, 14), date(2026, 2, 24), "2026年2月14日至2026年2月24日"),
    # Sun 9/20 is worked (国庆's make-up day): 9/21(1) … 9/27(7), inside 中秋 9/25–9/27 → Mon 9/28.
    ("tianjin", date(2026, 9, 20), date(2026, 9, 28), "2026年9月20日至2026年9月28日"),
    # Sat 10/3, in 国庆: 10/4(1) … 10/10(7), Sat 10/10 worked (make-up day) → 10/10 itself.
    ("jiangsu_draft", date(2026, 10, 3), date(2026, 10, 10), "2026年10月3日至2026年10月10日"),
    # Thu 4/30: 5/1(1) … 5/7(7), Thu 5/7 a working day (劳动节 5/1–5/5) → 5/7.
    ("shanxi", date(2026, 4, 30), date(2026, 5, 7), "2026年4月30日至2026年5月7日"),
])
def test_the_period_printed_is_the_publicity_deadline_across_holidays_and_make_up_days(
        engine, province, posted, last, printed):
    """57号 第19条 "公示7天"; 《民法典》第201条 (the day posted not counted), 第203条 (a last day
    off moves to the next working day); the days off and make-up days of 国办发明电〔2025〕7号.
    The notice prints the ``publicity`` deadline's own due date, counted by hand above.
    (Documents the behaviour as it was: passes on the commit before.)"""
    cid = to_publicity(engine, province, {**SHANXI_HOUSEHOLD, "county": "某县"}, posted)
    window = next(d.deadline for d in engine.case(cid).deadlines if d.deadline.rule == "publicity")
    assert window.due_on == last
    notice = engine.publicity(cid)
    assert notice.last_day == last
    text = render_text(notice)
    assert f"公示期：{printed}（7天，自张贴次日起算）\n" in text
    assert f"（{printed[printed.index('至') + 1:]}前，含当日）" in text


def test_a_publicity_proposing_refusal_says_so_and_shows_no_amount(db):
    """民发〔2021〕57号 第19条 posts the 初审意见 for 7 days, whichever way it goes (a refusal is
    then notified with its reasons, 第21条): a 公示 posted with ``proposal=refuse`` reads 拟不同意,
    with no benefit amount; one re-posted after an objection with ``proposal=approve`` reads
    拟同意 again. Posted Mon 3/9 → last day Mon 3/16 (3/10 … 3/16, 7 days)."""
    engine = Engine.open(db)
    cid = to_publicity(engine, "shanxi", SHANXI_HOUSEHOLD, date(2026, 3, 9),
                       payload={"proposal": "refuse"})
    result = run(db, "notice", "publicity", cid)
    assert result.exit_code == 0, result.output
    assert "初审意见：拟不同意纳入最低生活保障\n" in result.output
    assert "拟同意" not in result.output and "650元" not in result.output
    assert "公示期：2026年3月9日至2026年3月16日（7天，自张贴次日起算）\n" in result.output
    engine.fire(cid, "raise_objection", on=date(2026, 3, 11))
    for day, event in [(12, "request_verification"), (13, "start_verification")]:
        engine.fire(cid, event, on=date(2026, 3, day))
    engine.fire(cid, "post_publicity", on=date(2026, 3, 16), payload={"proposal": "approve"})
    again = run(db, "notice", "publicity", cid).output
    assert "初审意见：拟同意纳入最低生活保障，保障金额每月650元\n" in again
    wrong = run(db, "case", "fire", cid, "post_publicity", "--on", "2026-03-17",
                "--set", "proposal=reject")
    assert wrong.exit_code == 2
    assert "proposal must be one of approve, refuse, got \"reject\"" in wrong.output


def test_a_publicity_reposted_without_a_proposal_proposes_approval(db):
    """docs/procedure.md: post_publicity takes ``proposal=refuse`` when it proposes refusal,
    "else approval". A 公示 first posted proposing refusal (57号 第19条), objected to and posted
    again without a proposal reads 拟同意 with the amount: it read 拟不同意, the first posting's
    proposal kept as a case attribute. Re-posted Mon 3/16 → last day Mon 3/23 (7 days)."""
    engine = Engine.open(db)
    cid = to_publicity(engine, "shanxi", SHANXI_HOUSEHOLD, date(2026, 3, 9),
                       payload={"proposal": "refuse"})
    engine.fire(cid, "raise_objection", on=date(2026, 3, 11))
    for day, event in [(12, "request_verification"), (13, "start_verification")]:
        engine.fire(cid, event, on=date(2026, 3, day))
    engine.fire(cid, "post_publicity", on=date(2026, 3, 16))
    again = run(db, "notice", "publicity", cid).output
    assert "初审意见：拟同意纳入最低生活保障，保障金额每月650元\n" in again
    assert "拟不同意" not in again
    assert "公示期：2026年3月16日至2026年3月23日（7天，自张贴次日起算）\n" in again


def test_without_village_or_office_the_county_and_the_township_are_named(engine):
    """The posting place falls back to the county; the office to 乡镇人民政府（街道办事处）; a
    household without an amount gets the 初审意见 without one."""
    cid = to_publicity(engine, "shanxi", {"county": "阳曲县", "applicant_name": "赵六"},
                       date(2026, 3, 9))
    text = render_text(publicity_notice(engine.case(cid), channels(engine, "shanxi")))
    assert "公示地点：阳曲县\n" in text
    assert "家庭成员数量：—\n" in text
    assert "初审意见：拟同意纳入最低生活保障\n" in text
    assert "向乡镇人民政府（街道办事处）反映。" in text
    assert "联系电话" not in text and "地址" not in text


# -- 江苏: online channel, 国庆 --------------------------------------------------------------------

JIANGSU_TEXT = """\
最低生活保障初审意见公示

经家庭经济状况调查和信息核对，华阳街道办事处提出初审意见如下，现予公示。

申请人姓名：李四&子
家庭成员数量：2人
初审意见：拟同意纳入最低生活保障，保障金额每月780元

公示地点：东<风>村
公示期：2026年9月28日至2026年10月8日（7天，自张贴次日起算）

对公示内容有异议的，请于公示期内（2026年10月8日前，含当日）向华阳街道办事处反映。

联系电话：0511-87654321

本公示同时在网上公示。

期间计算：《民法典》第201条、第203条：起算日2026-09-28不计入，计7日；期间最后一日2026-10-05为休息日（国庆节），顺延至2026-10-08
依据：江苏征求意见稿 四(二)（不少于7天）
""" + JIANGSU_PRIVACY + "\n"


def test_jiangsu_online_publicity_text_is_exact(db):
    """江苏征求意见稿 四(二) "有条件的地区可以通过网上公示": posted with channel=村（社区）,网上 on Mon 9/28;
    the 7th day 10/5 is in 国庆 (10/1–10/7) → last day 2026-10-08 (《民法典》第203条)."""
    engine = Engine.open(db)
    cid = to_publicity(engine, "jiangsu_draft", JIANGSU_HOUSEHOLD, date(2026, 9, 28),
                       {"channel": "村（社区）,网上"})
    result = run(db, "notice", "publicity", cid)
    assert result.exit_code == 0, result.output
    assert result.output == JIANGSU_TEXT


def test_jiangsu_online_publicity_html_is_exact_and_escaped(db):
    """The HTML is the version posted online: every value escaped (东<风>村, 李四&子)."""
    engine = Engine.open(db)
    cid = to_publicity(engine, "jiangsu_draft", JIANGSU_HOUSEHOLD, date(2026, 9, 28),
                       {"channel": "村（社区）,网上"})
    result = run(db, "notice", "publicity", cid, "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.output == (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        "<title>最低生活保障初审意见公示</title>\n</head>\n<body>\n"
        "<h1>最低生活保障初审意见公示</h1>\n"
        "<p>经家庭经济状况调查和信息核对，华阳街道办事处提出初审意见如下，现予公示。</p>\n"
        "<dl><dt>申请人姓名</dt><dd>李四&amp;子</dd><dt>家庭成员数量</dt><dd>2人</dd>"
        "<dt>初审意见</dt><dd>拟同意纳入最低生活保障，保障金额每月780元</dd></dl>\n"
        "<dl><dt>公示地点</dt><dd>东&lt;风&gt;村</dd>"
        "<dt>公示期</dt><dd>2026年9月28日至2026年10月8日（7天，自张贴次日起算）</dd></dl>\n"
        "<p>对公示内容有异议的，请于公示期内（2026年10月8日前，含当日）向华阳街道办事处反映。</p>\n"
        "<dl><dt>联系电话</dt><dd>0511-87654321</dd></dl>\n"
        "<p>本公示同时在网上公示。</p>\n"
        "<footer><p>期间计算：《民法典》第201条、第203条：起算日2026-09-28不计入，计7日；"
        "期间最后一日2026-10-05为休息日（国庆节），顺延至2026-10-08</p>"
        "<p>依据：江苏征求意见稿 四(二)（不少于7天）</p><p>" + JIANGSU_PRIVACY + "</p></footer>\n"
        "</body>\n</html>\n"
    )
    assert "<风>" not in result.output and "李四&子" not in result.output


@pytest.mark.parametrize(("payload", "online"), [
    ({}, True),                           # no channel named: the province's channels include 网上
    ({"channel": "村（社区）,网上"}, True),
    ({"channel": ["村（社区）", "网上"]}, True),
    ({"channel": "村（社区）"}, False),     # the township chose the village alone
])
def test_jiangsu_online_wording_follows_the_channel(engine, payload, online):
    cid = to_publicity(engine, "jiangsu_draft", JIANGSU_HOUSEHOLD, date(2026, 3, 9), payload)
    text = render_text(publicity_notice(engine.case(cid), channels(engine, "jiangsu_draft")))
    assert ("本公示同时在网上公示。" in text) is online


def test_the_notice_is_the_one_posted_even_after_later_events(engine):
    """An amount changed at approval does not change the 公示 as posted; the 公布 shows the new
    one. 山西, delegated: 公示 3/9–3/16, approve Tue 3/17 with amount=700."""
    cid = to_publicity(engine, "shanxi", {**SHANXI_HOUSEHOLD, "delegated": True}, date(2026, 3, 9))
    engine.fire(cid, "approve", on=date(2026, 3, 17), payload={"amount": 700})
    text = render_text(publicity_notice(engine.case(cid), channels(engine, "shanxi")))
    assert "保障金额每月650元" in text and "700" not in text
    publication = render_text(engine.publication("阳曲县", date(2026, 3, 17)))
    assert "1　王五　3人　700元" in publication


def test_a_correction_before_the_publicity_does_not_change_what_it_posts(engine):
    """A correction is evidence and changes no attribute (docs/evidence.md): 山西 王五 corrected
    before the 公示 to applicant_name=王武 and amount=999 still has 王五 and 650 in the case, so
    the 公示 of Mon 2026-03-09 posts 王五 and 650, as the 公布 after approval (Tue 03-17) does
    (the 公示 posted 王武 and 999, and the 公布 王五). Putting the name right is an event that
    gives it."""
    opened = date(2026, 3, 2)
    view = engine.open_case(province="shanxi", on=opened,
                            attributes={**SHANXI_HOUSEHOLD, "delegated": True})
    for day, event in [(3, "accept"), (4, "start_investigation"), (5, "request_verification"),
                       (6, "start_verification")]:
        engine.fire(view.id, event, on=date(2026, 3, day))
    engine.correct(view.id, 0, on=date(2026, 3, 6), reason="姓名录错",
                   payload={"applicant_name": "王武", "amount": 999})
    engine.fire(view.id, "post_publicity", on=date(2026, 3, 9))
    assert engine.case(view.id).case.attributes["applicant_name"] == "王五"
    text = render_text(publicity_notice(engine.case(view.id), channels(engine, "shanxi")))
    assert "申请人姓名：王五\n" in text and "保障金额每月650元" in text
    assert "王武" not in text and "999" not in text
    engine.fire(view.id, "approve", on=date(2026, 3, 17))
    publication = render_text(engine.publication("阳曲县", date(2026, 3, 17)))
    assert "1　王五　3人　650元" in publication


def test_a_publicity_posts_the_channels_its_county_had_on_the_day_it_was_posted(db):
    """晋民发〔2023〕31号 四(五): 山西 posts its 公示 "在申请家庭所在村（社区）", and leaves the channels
    to its counties (publicity_channels is local). 阳曲县's 公示 of Mon 2026-03-09, posted in
    the village alone, is printed as it was posted after the county decided to post online
    too from 2026-09-01 (a setting recorded later, for a later date): it said "本公示同时在网上
    公示" of a notice that never was, taking every setting recorded whatever its date. A 公示
    posted on 09-01 or later, naming no channel, is posted online too."""
    engine = Engine.open(db)
    march = to_publicity(engine, "shanxi", SHANXI_HOUSEHOLD, date(2026, 3, 9))
    engine.set_parameter("shanxi", "阳曲县", "publicity_channels", ["村（社区）", "网上"],
                         "阳曲县民政局〔2026〕7号", on=date(2026, 9, 1))
    september = to_publicity(engine, "shanxi", SHANXI_HOUSEHOLD, date(2026, 9, 7))
    result = run(db, "notice", "publicity", march)
    assert result.exit_code == 0, result.output
    assert result.output == SHANXI_TEXT  # (posted in the village alone)
    result = run(db, "notice", "publicity", september)
    assert result.exit_code == 0, result.output
    assert "本公示同时在网上公示。" in result.output.splitlines()


@pytest.mark.parametrize(("province", "attributes", "payload"), [
    ("tianjin", {**SHANXI_HOUSEHOLD, "county": "和平区"}, {}),
    ("jiangsu_draft", JIANGSU_HOUSEHOLD, {}),
    ("shanxi", SHANXI_HOUSEHOLD, {}),
])
def test_the_python_api_gives_the_publicity_the_command_prints(db, province, attributes,
                                                               payload):
    """Engine.publicity gives the 公示 as `doudi notice publicity` prints it, with the province's
    wording and channels: 天津's township posts its 审核意见 (津民发〔2023〕13号 四(二)), and 江苏
    posts online too where the event names no channel (江苏征求意见稿 四(二)). The call docs/
    python.md gave, notices.publicity_notice(engine.case(id)), posted a 初审意见 in 天津 and
    left out the online posting in 江苏."""
    engine = Engine.open(db)
    cid = to_publicity(engine, province, attributes, date(2026, 3, 9), payload)
    notice = engine.publicity(cid)
    for fmt in ("text", "html"):
        result = run(db, "notice", "publicity", cid, "--format", fmt)
        assert result.exit_code == 0, result.output
        assert result.output == render(notice, fmt)
    text = render(notice)
    assert text.startswith("最低生活保障审核意见公示\n" if province == "tianjin"
                           else "最低生活保障初审意见公示\n")
    assert ("本公示同时在网上公示。" in text) is (province == "jiangsu_draft")
    with pytest.raises(UnknownName):
        engine.publicity("no-such-case")


# -- the allow-list ------------------------------------------------------------------------------


def test_the_allow_list_is_name_size_amount_place_and_office():
    assert {"applicant_name", "household_size", "amount"} <= ALLOWED_FIELDS
    expected = {"applicant_name", "household_size", "amount", "village", "county",
                "office_name", "office_phone", "office_address"}
    assert expected == ALLOWED_FIELDS


def test_private_attributes_never_appear_in_any_notice(db):
    """83号 四(二) "依法保护个人隐私，不得公开无关信息": an ID number, address, illness and phone on
    the case (set when opened and again on the 公示 event) appear in no notice, text or HTML."""
    engine = Engine.open(db)
    cid = to_publicity(engine, "shanxi", {**SHANXI_HOUSEHOLD, **PRIVATE, "delegated": True},
                       date(2026, 3, 9), {"illness": "白血病", "phone": "13800000000"})
    engine.fire(cid, "approve", on=date(2026, 3, 17), payload={"address": "另一个住址5号"})
    outputs = []
    for fmt in ("text", "html"):
        outputs.append(run(db, "notice", "publicity", cid, "--format", fmt))
        outputs.append(run(db, "notice", "publication", "--county", "阳曲县",
                           "--as-of", "2026-03-17", "--format", fmt))
    for result in outputs:
        assert result.exit_code == 0, result.output
        assert "王五" in result.output
        for secret in [*PRIVATE.values(), "白血病", "13800000000", "另一个住址5号", cid]:
            assert secret not in result.output


@pytest.fixture
def names_stored_before(monkeypatch):
    """Names taken as a doudi before 6 or more digits in applicant_name were refused as given
    (tests/test_personal_name.py) took them: the notices read such a name from a database of
    then, and refuse it still."""
    import engine.workflow

    monkeypatch.setattr(engine.workflow, "holds_a_number", lambda value: False)


@pytest.mark.usefixtures("names_stored_before")
@pytest.mark.parametrize("name", ["110101199001011234", "11010119900101123X",
                                  "王五 110101199001011234", "王五（13912345678）",
                                  "王五 0351-555 1234", "王五１３９１２３４５６７８"])
def test_a_name_holding_an_id_number_or_a_phone_is_not_posted(db, name):
    """83号 四(二) "信息公示、公布应当依法保护个人隐私，不得公开无关信息"; 晋民发〔2023〕31号 四(五)
    publishes "申请人姓名、家庭成员数量、保障金额": a platform that put an ID number or a phone in
    applicant_name (6 or more digits: no one's name) had it posted as the name. The 公示 and the
    公布 are refused, one line naming the case the name was given on and the attribute, not the
    value, exit 1, and nothing written; a name with a few digits (王五2) is still a name."""
    engine = Engine.open(db)
    cid = to_publicity(engine, "shanxi", {**SHANXI_HOUSEHOLD, "applicant_name": name,
                                          "delegated": True}, date(2026, 3, 9))
    engine.fire(cid, "approve", on=date(2026, 3, 17))
    before = dump_file(db)
    for args in (["notice", "publicity", cid], ["notice", "publicity", cid, "--format", "html"],
                 ["notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-17"]):
        result = run(db, *args)
        assert result.exit_code == 1, result.output
        line = error_line(result)
        # (the 公布 names the benefit case, whose name it shows: approve copied it there, and
        # says how to give the name there)
        named = cid if args[1] == "publicity" else benefit_of(engine, cid)
        refused = (f"Error: case {named}: applicant_name holds 6 or more digits (an ID "
                   "number, a phone or an account number?), not a name alone: a 公示 or "
                   "公布 shows the applicant's name, household size and amount and nothing "
                   "else (民发〔2021〕57号 第24条；民发〔2022〕83号 四(二)); nothing printed")
        if args[1] == "publication":
            refused += ("; the 公布 shows the name the household has on 2026-03-17 (its benefit "
                        f"case's): give it by then, doudi case fire {named} review --on DATE "
                        "--set outcome=keep --set applicant_name=…")
        assert line == refused, line
        assert "1234" not in result.output
    assert dump_file(db) == before
    with pytest.raises(notices.DoudiError):
        engine.publicity(cid)
    with pytest.raises(notices.DoudiError):
        engine.publication("阳曲县", date(2026, 3, 17))
    # The 公布 reads the name as the benefit case has it now: a name given with an event there
    # is published, with the household's own size and amount.
    engine.fire(benefit_of(engine, cid), "review", on=date(2026, 3, 18),
                payload={"outcome": "keep", "applicant_name": "王五"})
    assert "1　王五　3人　650元" in render_text(engine.publication("阳曲县", date(2026, 3, 18)))


@pytest.mark.usefixtures("names_stored_before")
def test_a_publication_names_every_household_whose_name_holds_a_number(db):
    """83号 四(二) "不得公开无关信息": a 公布 with three households whose applicant_name holds an ID
    number, a phone or a landline (6 or more digits) is refused in one line naming the three
    (their benefit cases, where the 公布 reads the name, in id order), each with the event that
    gives the name there (procedure.md: review --set outcome=keep --set applicant_name=…), exit
    1, nothing printed or written. It named the first alone: an operator learnt of the others
    one run at a time. Once the three are given their names, the 公布 is printed."""
    engine = Engine.open(db)
    good = approve_delegated(engine, SHANXI_HOUSEHOLD, date(2026, 3, 9), date(2026, 3, 17))
    bad = [approve_delegated(engine, {**SHANXI_HOUSEHOLD, "applicant_name": name},
                             date(2026, 3, 9), date(2026, 3, 17))
           for name in ("110101199001011234", "赵六（13912345678）", "钱七 0351-555 1234")]
    benefits = [benefit_of(engine, cid) for cid in bad]
    before = dump_file(db)
    result = run(db, "notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-17")
    assert (result.exit_code, result.stdout) == (1, ""), result.output
    fixes = "; ".join(f"case {b}: doudi case fire {b} review --on DATE --set outcome=keep "
                      "--set applicant_name=…" for b in sorted(benefits))
    assert error_line(result) == (
        "Error: 3 households' applicant_name holds 6 or more digits (an ID number, a phone or an "
        "account number?), not a name alone: a 公示 or 公布 shows the applicant's name, household "
        "size and amount and nothing else (民发〔2021〕57号 第24条；民发〔2022〕83号 四(二)); nothing "
        "printed; the 公布 shows the name a household has on 2026-03-17 (its benefit case's): give "
        "each its name by then, " + fixes)
    for secret in ("1234", "13912345678", good):
        assert secret not in result.output
    assert dump_file(db) == before
    with pytest.raises(notices.DoudiError) as raised:
        engine.publication("阳曲县", date(2026, 3, 17))
    for b in benefits:
        assert (f"case {b}: fire({b!r}, 'review', on=…, payload={{'outcome': 'keep', "
                "'applicant_name': '…'})") in str(raised.value)
    for b, name in zip(benefits, ("张三", "赵六", "钱七"), strict=True):
        engine.fire(b, "review", on=date(2026, 3, 18),
                    payload={"outcome": "keep", "applicant_name": name})
    text = render_text(engine.publication("阳曲县", date(2026, 3, 18)))
    assert [line for line in text.splitlines() if line.endswith("人　650元")] == [
        "1　王五　3人　650元", "2　张三　3人　650元", "3　赵六　3人　650元", "4　钱七　3人　650元"]


def test_a_publication_naming_very_many_households_is_shortened_the_count_first():
    """Every household is named, and a line of more than 4,000 characters is shortened as
    every error is (engine.errors.shortened): its start, with how many, and its end."""
    refused = [notices.NumberForName(f"shanxi-2026-{n:06d}", f"shanxi-2026-{n + 1:06d}")
               for n in range(0, 600, 2)]
    error = notices.numbers_for_names(refused, date(2026, 3, 17))
    for message in (str(error), error.command_line):
        assert message.startswith("300 households' applicant_name holds 6 or more digits")
        assert "characters left out" in message and len(message) < 4_100
        assert message.endswith("case shanxi-2026-000598: " + (
            "doudi case fire shanxi-2026-000599 review --on DATE --set outcome=keep --set "
            "applicant_name=…" if message is error.command_line else
            "fire('shanxi-2026-000599', 'review', on=…, payload={'outcome': 'keep', "
            "'applicant_name': '…'})"))


@pytest.mark.usefixtures("names_stored_before")
def test_a_name_given_with_the_publicity_is_the_one_posted(engine):
    """The 公示 shows the name as it stood when posted: one given with post_publicity replaces
    an ID number given at the opening, and the notice is printed."""
    cid = to_publicity(engine, "shanxi", {**SHANXI_HOUSEHOLD, "applicant_name": "110101199001011234"},
                       date(2026, 3, 9), {"applicant_name": "王五"})
    text = render_text(engine.publicity(cid))
    assert "申请人姓名：王五\n" in text and "110101" not in text


def test_a_name_with_a_few_digits_is_still_posted(engine):
    cid = to_publicity(engine, "shanxi", {**SHANXI_HOUSEHOLD, "applicant_name": "王五2"},
                       date(2026, 3, 9))
    assert "申请人姓名：王五2\n" in render_text(engine.publicity(cid))


# (and the case's own fields, refused as attribute names: a key drawn as "state" or "id" was
# an InvalidInput, not a notice; and residence, which only an event judging the place takes:
# given to post_publicity it is refused since c005a69, and at the opening too; and a name
# blank or with spaces around it, refused as an attribute's name since 696095c)
RESERVED = ALLOWED_FIELDS | CASE_FIELDS | {"delegated", "special_hardship", "channel",
                                           "household", "assessment", "exception_route",
                                           "residence"}
keys = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).filter(
    lambda k: k not in RESERVED and k == k.strip())
secrets = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20).map(lambda t: "秘密" + t)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(opened=st.dictionaries(keys, secrets, max_size=4),
       posted=st.dictionaries(keys, secrets, max_size=3))
def test_no_extra_attribute_ever_reaches_a_notice(engine, opened, posted):
    """Any attribute outside the allow-list — whatever its name, set on opening or on the 公示
    event — never appears in the 公示 or the 公布, in text or HTML. (Values carry the prefix
    秘密 so a short one cannot coincide with a date or a number the notice legitimately shows.)"""
    cid = to_publicity(engine, "shanxi", {**SHANXI_HOUSEHOLD, **opened, "delegated": True},
                       date(2026, 3, 9), posted)
    engine.fire(cid, "approve", on=date(2026, 3, 17))
    notices = [publicity_notice(engine.case(cid), channels(engine, "shanxi")),
               engine.publication("阳曲县", date(2026, 3, 17))]
    for notice in notices:
        for output in (render_text(notice), render_html(notice)):
            assert "王五" in output
            assert "秘密" not in output


# -- the publication -----------------------------------------------------------------------------


def approve_delegated(engine, attributes, posted_on, approved_on, payload=None):
    cid = to_publicity(engine, "shanxi", {**attributes, "delegated": True}, posted_on)
    engine.fire(cid, "approve", on=approved_on, payload=payload or {})
    return cid


def county_cases(engine):
    """阳曲县 (山西): 王五 in 大盂村 confirmed 3/17 and published 3/18; 钱七 in 东黄水村 via the
    county (公示 3/9–3/16, submit 3/17, approve Fri 3/20); 孙八 in 大盂村 confirmed 3/24 (公示
    3/16–3/23); 周九 without a village, confirmed 3/17; 吴十 still in 公示; 郑十一 in 清徐县."""
    wang = approve_delegated(engine, SHANXI_HOUSEHOLD, date(2026, 3, 9), date(2026, 3, 17))
    engine.fire(wang, "publish", on=date(2026, 3, 18))
    qian = to_publicity(engine, "shanxi", {"county": "阳曲县", "village": "东黄水村",
                                           "applicant_name": "钱七", "household_size": 1,
                                           "amount": 500}, date(2026, 3, 9))
    engine.fire(qian, "submit_to_county", on=date(2026, 3, 17))
    engine.fire(qian, "approve", on=date(2026, 3, 20))
    approve_delegated(engine, {"county": "阳曲县", "village": "大盂村", "applicant_name": "孙八",
                               "household_size": 4, "amount": 820.5},
                      date(2026, 3, 16), date(2026, 3, 24))
    approve_delegated(engine, {"county": "阳曲县", "applicant_name": "周九", "household_size": 2},
                      date(2026, 3, 9), date(2026, 3, 17), {"amount": 610})
    to_publicity(engine, "shanxi", {"county": "阳曲县", "village": "大盂村", "applicant_name": "吴十",
                                    "household_size": 2, "amount": 300}, date(2026, 3, 9))
    approve_delegated(engine, {"county": "清徐县", "applicant_name": "郑十一", "household_size": 1,
                               "amount": 400}, date(2026, 3, 9), date(2026, 3, 17))


PUBLICATION_FOOTER = "依据：民发〔2021〕57号 第24条；晋民发〔2023〕31号 四(五)\n" + SHANXI_PRIVACY + "\n"


def test_publication_lists_the_county_confirmed_by_the_date(db):
    """57号 第24条: after confirmation, name, household size and amount in the village. As of
    3/24: 大盂村 王五 (3/17), 孙八 (3/24); 东黄水村 钱七 (3/20); 周九 under the county (no village).
    吴十 (not confirmed) and 郑十一 (清徐县) are not listed."""
    county_cases(Engine.open(db))
    result = run(db, "notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-24")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "最低生活保障审核确认结果公布\n\n"
        "截至2026年3月24日，阳曲县以下家庭经审核确认纳入最低生活保障，现予公布。\n\n"
        "公布地点：东黄水村\n\n"
        "序号　申请人姓名　家庭成员数量　保障金额（每月）\n"
        "1　钱七　1人　500元\n\n"
        "公布地点：大盂村\n\n"
        "序号　申请人姓名　家庭成员数量　保障金额（每月）\n"
        "1　王五　3人　650元\n"
        "2　孙八　4人　820.5元\n\n"
        "公布地点：阳曲县\n\n"
        "序号　申请人姓名　家庭成员数量　保障金额（每月）\n"
        "1　周九　2人　610元\n\n" + PUBLICATION_FOOTER
    )


def test_publication_as_of_an_earlier_date_leaves_later_confirmations_out(db):
    """As of Thu 3/19: 钱七 (confirmed 3/20) and 孙八 (3/24) are not yet confirmed."""
    county_cases(Engine.open(db))
    result = run(db, "notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-19",
                 "--province", "shanxi")
    assert result.exit_code == 0, result.output
    assert "1　王五　3人　650元\n" in result.output
    assert "1　周九　2人　610元\n" in result.output
    for name in ("钱七", "孙八", "吴十", "郑十一"):
        assert name not in result.output


def test_publication_as_of_a_past_date_takes_each_case_in_the_county_it_was_in_then(db):
    """57号 第24条: the 公布 of 阳曲县 as of 3/17 lists the households confirmed there by then.
    王五, confirmed 3/17 in 阳曲县 (大盂村), moves to 清徐县 with the publication on 3/18: as of
    3/17 it is still 阳曲县's, and not 清徐县's (which has only 郑十一, confirmed 3/17); it was
    listed by the county it is in now."""
    engine = Engine.open(db)
    wang = approve_delegated(engine, SHANXI_HOUSEHOLD, date(2026, 3, 9), date(2026, 3, 17))
    engine.fire(wang, "publish", on=date(2026, 3, 18), payload={"county": "清徐县"})
    approve_delegated(engine, {"county": "清徐县", "applicant_name": "郑十一", "household_size": 1,
                               "amount": 400}, date(2026, 3, 9), date(2026, 3, 17))
    then = run(db, "notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-17")
    assert then.exit_code == 0, then.output
    assert "公布地点：大盂村\n\n序号　申请人姓名　家庭成员数量　保障金额（每月）\n1　王五　3人　650元\n" \
        in then.output
    other = run(db, "notice", "publication", "--county", "清徐县", "--as-of", "2026-03-17")
    assert other.exit_code == 0, other.output
    assert "1　郑十一　1人　400元\n" in other.output and "王五" not in other.output
    # As of 3/18 王五 is 清徐县's (posted under its village, 大盂村, which it kept).
    now = run(db, "notice", "publication", "--county", "清徐县", "--as-of", "2026-03-18")
    assert "1　王五　3人　650元\n" in now.output
    # 阳曲县 holds its benefit case (the household's, not moved: it is where its confirmed case
    # is), so the county is known, not refused as misspelt; it publishes no household then.
    left = run(db, "notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-18")
    assert left.exit_code == 0, left.output
    assert "王五" not in left.output and "阳曲县无经审核确认纳入最低生活保障的家庭" in left.output


def benefit_of(engine, cid):
    """The benefit case the confirmation of ``cid`` opened (dibao.toml [[opens]])."""
    return next(link["case_id"] for link in engine.case(cid).links
                if link["workflow"] == "benefit")


def households(output):
    """The rows of a 公布's tables: (name, size, amount) as printed."""
    return [tuple(line.split("　")[1:]) for line in output.splitlines()
            if line[:1].isdigit() and "　" in line]


def publication_rows(db, as_of, county="阳曲县"):
    result = run(db, "notice", "publication", "--county", county, "--as-of", as_of)
    assert result.exit_code == 0, result.output
    return households(result.output)


def test_publication_lists_only_the_households_still_receiving_on_the_date(db):
    """57号 第24条: "低保审核确认完毕后…应当在低保家庭所在村（社区）公布"; 晋民发〔2023〕31号 四(五)
    "申请人姓名、家庭成员数量、保障金额等信息应当在低保家庭所在村（社区）公布". The 公布 as of a date
    is of the 低保家庭 on that date: a household whose benefit case had closed by then is left
    out. Four 阳曲县 households confirmed Tue 2026-03-17 (benefit paid from 2026-04, 57号 第21条):
    - 王五 (大盂村): found_ineligible on Tue 2026-05-12 → listed as of 05-11, not as of 05-12.
    - 孙八 (大盂村): income_exceeds Fri 2026-04-10; 山西 一(五) "可给予 6 个月的渐退期", months
      2026-05…2026-10 → ends by itself on Sun 2026-11-01, nothing recorded (as case show and
      the reports see it): listed as of 10-31 (渐退期, still 低保), not as of 11-01.
    - 钱七 (东黄水村): leave (退出低保) on Wed 2026-06-10 → listed as of 06-09, not as of 06-10.
    - 周九 (no village): never stopped, listed on every date.
    It listed all four on every date (the 公布 was cumulative)."""
    engine = Engine.open(db)
    wang = approve_delegated(engine, SHANXI_HOUSEHOLD, date(2026, 3, 9), date(2026, 3, 17))
    sun = approve_delegated(engine, {"county": "阳曲县", "village": "大盂村", "applicant_name": "孙八",
                                     "household_size": 4, "amount": 820.5},
                            date(2026, 3, 9), date(2026, 3, 17))
    qian = approve_delegated(engine, {"county": "阳曲县", "village": "东黄水村",
                                      "applicant_name": "钱七", "household_size": 1, "amount": 500},
                             date(2026, 3, 9), date(2026, 3, 17))
    approve_delegated(engine, {"county": "阳曲县", "applicant_name": "周九", "household_size": 2,
                               "amount": 610}, date(2026, 3, 9), date(2026, 3, 17))
    engine.fire(benefit_of(engine, wang), "found_ineligible", on=date(2026, 5, 12))
    phasing = engine.fire(benefit_of(engine, sun), "income_exceeds", on=date(2026, 4, 10),
                          payload={"per_capita_income": 900, "standard": 810})
    assert phasing.case.attributes["phase_out_ends_on"] == "2026-11-01"
    engine.fire(benefit_of(engine, qian), "leave", on=date(2026, 6, 10))
    wang_row, sun_row = ("王五", "3人", "650元"), ("孙八", "4人", "820.5元")
    qian_row, zhou_row = ("钱七", "1人", "500元"), ("周九", "2人", "610元")
    before = dump_file(db)
    assert publication_rows(db, "2026-05-11") == [qian_row, wang_row, sun_row, zhou_row]
    assert publication_rows(db, "2026-05-12") == [qian_row, sun_row, zhou_row]
    assert publication_rows(db, "2026-06-09") == [qian_row, sun_row, zhou_row]
    assert publication_rows(db, "2026-06-10") == [sun_row, zhou_row]
    assert publication_rows(db, "2026-10-31") == [sun_row, zhou_row]
    assert publication_rows(db, "2026-11-01") == [zhou_row]
    assert dump_file(db) == before  # (the phase-out's end is seen, not recorded)


def test_publication_with_every_household_stopped_lists_none(db):
    """The county's only household, confirmed Tue 2026-03-17, stopped by a re-check (review
    outcome=stop) on Mon 2026-05-11: as of that day no 低保家庭 is left to publish."""
    engine = Engine.open(db)
    wang = approve_delegated(engine, SHANXI_HOUSEHOLD, date(2026, 3, 9), date(2026, 3, 17))
    engine.fire(benefit_of(engine, wang), "review", on=date(2026, 5, 11),
                payload={"outcome": "stop"})
    result = run(db, "notice", "publication", "--county", "阳曲县", "--as-of", "2026-05-11")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "最低生活保障审核确认结果公布\n\n"
        "截至2026年5月11日，阳曲县无经审核确认纳入最低生活保障的家庭。\n\n" + PUBLICATION_FOOTER
    )


def test_publication_shows_the_amount_in_force_on_the_date(db):
    """57号 第24条 publishes the 保障金额; 山西 一(五) "办理低保金增发、减发…", a re-check's new
    amount paid from the month after it. 周九 confirmed Tue 2026-03-17 at 610元 (paid from
    2026-04); review raise to 700 on Wed 2026-05-20 → 700 from 2026-06: the 公布 as of 05-31
    shows 610元, as of 06-01 700元; 王五 (650元) reduced to 600 on Fri 2026-07-10 → 650元
    as of 07-31, 600元 as of 08-01. A re-check in the month of the confirmation, Fri 03-27
    (raise 650 → 680, from 2026-04), leaves the confirmed amount in force until then. The 公布
    showed the confirmed amount on every date."""
    engine = Engine.open(db)
    zhou = approve_delegated(engine, {"county": "阳曲县", "applicant_name": "周九",
                                      "household_size": 2, "amount": 610},
                             date(2026, 3, 9), date(2026, 3, 17))
    wang = approve_delegated(engine, SHANXI_HOUSEHOLD, date(2026, 3, 9), date(2026, 3, 17))
    engine.fire(benefit_of(engine, zhou), "review", on=date(2026, 5, 20),
                payload={"outcome": "raise", "amount": 700})
    engine.fire(benefit_of(engine, wang), "review", on=date(2026, 3, 27),
                payload={"outcome": "raise", "amount": 680})
    engine.fire(benefit_of(engine, wang), "review", on=date(2026, 7, 10),
                payload={"outcome": "reduce", "amount": 600})
    assert publication_rows(db, "2026-03-31") == [("王五", "3人", "650元"), ("周九", "2人", "610元")]
    assert publication_rows(db, "2026-04-01") == [("王五", "3人", "680元"), ("周九", "2人", "610元")]
    assert publication_rows(db, "2026-05-31") == [("王五", "3人", "680元"), ("周九", "2人", "610元")]
    assert publication_rows(db, "2026-06-01") == [("王五", "3人", "680元"), ("周九", "2人", "700元")]
    assert publication_rows(db, "2026-07-31") == [("王五", "3人", "680元"), ("周九", "2人", "700元")]
    assert publication_rows(db, "2026-08-01") == [("王五", "3人", "600元"), ("周九", "2人", "700元")]


def test_publication_in_a_phase_out_shows_the_amount_paid_that_month(db):
    """津民发〔2023〕13号 一(三): "渐退期间，前三个月按其家庭原领取最低生活保障金的100%发放，后三个月
    按50%发放". 天津 和平区, confirmed Tue 2026-03-17 at 650元 (paid from 2026-04); income_exceeds
    on Fri 2026-04-10 → phase-out 2026-05…2026-10: 650元 as of 07-31, 325元 (50%) as of 08-01
    and 10-31; ended by itself on 2026-11-01, the household is no longer published."""
    engine = Engine.open(db)
    case = engine.open_case(province="tianjin", on=date(2026, 3, 2),
                            attributes={"county": "和平区", "applicant_name": "赵六",
                                        "household_size": 2})
    for event, day in [("accept", 2), ("start_investigation", 3), ("request_verification", 4),
                       ("start_verification", 5), ("post_publicity", 9), ("approve", 17)]:
        engine.fire(case.id, event, on=date(2026, 3, day),
                    payload={"amount": 650} if event == "approve" else None)
    engine.fire(benefit_of(engine, case.id), "income_exceeds", on=date(2026, 4, 10),
                payload={"per_capita_income": 1200, "standard": 1100})
    assert publication_rows(db, "2026-07-31", "和平区") == [("赵六", "2人", "650元")]
    assert publication_rows(db, "2026-08-01", "和平区") == [("赵六", "2人", "325元")]
    assert publication_rows(db, "2026-10-31", "和平区") == [("赵六", "2人", "325元")]
    assert publication_rows(db, "2026-11-01", "和平区") == []


def test_publication_leaves_out_a_household_moved_to_another_county(db):
    """57号 第24条 publishes in the 低保家庭所在村（社区）: 钱七, confirmed in 阳曲县 Tue 2026-03-17,
    whose benefit case a re-check on Wed 2026-06-10 records in 清徐县, is 阳曲县's as of 06-09
    and no longer as of 06-10. A confirmed case moved with its 公布 (the case itself given
    another county) stays where it is then, as before."""
    engine = Engine.open(db)
    qian = approve_delegated(engine, {"county": "阳曲县", "village": "东黄水村",
                                      "applicant_name": "钱七", "household_size": 1, "amount": 500},
                             date(2026, 3, 9), date(2026, 3, 17))
    approve_delegated(engine, {"county": "阳曲县", "applicant_name": "周九", "household_size": 2,
                               "amount": 610}, date(2026, 3, 9), date(2026, 3, 17))
    engine.fire(benefit_of(engine, qian), "review", on=date(2026, 6, 10),
                payload={"outcome": "keep", "county": "清徐县"})
    assert publication_rows(db, "2026-06-09") == [("钱七", "1人", "500元"), ("周九", "2人", "610元")]
    assert publication_rows(db, "2026-06-10") == [("周九", "2人", "610元")]


def test_a_household_whose_benefit_case_moved_is_published_where_it_lives_now(db):
    """57号 第24条: "低保审核确认完毕后，申请人姓名、家庭成员数量、保障金额等信息应当在低保家庭所在村
    （社区）公布". 钱七 (1人, 500元), confirmed in 阳曲县 (东黄水村) Tue 2026-03-17, moves: a re-check
    (review keep) on Wed 2026-06-10 gives its benefit case 清徐县 and 西谷村. 清徐县 has 郑十一
    (400元, confirmed 03-17); 周九 (610元) stays in 阳曲县 until a re-check on Wed 2026-07-01
    gives its benefit case 娄烦县, where no 低保 case was ever confirmed. Each household is in
    exactly one county's 公布 on each date, where it lives then:
    - as of 06-09: 阳曲县 钱七 (东黄水村), 周九; 清徐县 郑十一;
    - as of 06-10: 阳曲县 周九; 清徐县 钱七 (西谷村, the benefit case's village), 郑十一;
    - as of 06-30 娄烦县 had no case (refused, exit 1); as of 07-01 it publishes 周九, and
      阳曲县 publishes none.
    A moved household was in no county's 公布 (阳曲县 dropped it, 清徐县 read only its own dibao
    cases), and 娄烦县 was refused as unknown."""
    engine = Engine.open(db)
    qian = approve_delegated(engine, {"county": "阳曲县", "village": "东黄水村",
                                      "applicant_name": "钱七", "household_size": 1, "amount": 500},
                             date(2026, 3, 9), date(2026, 3, 17))
    zhou = approve_delegated(engine, {"county": "阳曲县", "applicant_name": "周九",
                                      "household_size": 2, "amount": 610},
                             date(2026, 3, 9), date(2026, 3, 17))
    approve_delegated(engine, {"county": "清徐县", "applicant_name": "郑十一", "household_size": 1,
                               "amount": 400}, date(2026, 3, 9), date(2026, 3, 17))
    engine.fire(benefit_of(engine, qian), "review", on=date(2026, 6, 10),
                payload={"outcome": "keep", "county": "清徐县", "village": "西谷村"})
    engine.fire(benefit_of(engine, zhou), "review", on=date(2026, 7, 1),
                payload={"outcome": "keep", "county": "娄烦县"})
    before = dump_file(db)
    qian_row, zhou_row, zheng_row = ("钱七", "1人", "500元"), ("周九", "2人", "610元"), \
        ("郑十一", "1人", "400元")
    assert publication_rows(db, "2026-06-09") == [qian_row, zhou_row]
    assert publication_rows(db, "2026-06-09", "清徐县") == [zheng_row]
    assert publication_rows(db, "2026-06-10") == [zhou_row]
    moved = run(db, "notice", "publication", "--county", "清徐县", "--as-of", "2026-06-10")
    assert moved.exit_code == 0, moved.output
    assert "公布地点：西谷村\n\n序号　申请人姓名　家庭成员数量　保障金额（每月）\n1　钱七　1人　500元\n" \
        in moved.output
    assert "公布地点：清徐县\n\n序号　申请人姓名　家庭成员数量　保障金额（每月）\n1　郑十一　1人　400元\n" \
        in moved.output
    refused = run(db, "notice", "publication", "--county", "娄烦县", "--as-of", "2026-06-30")
    assert refused.exit_code == 1
    assert error_line(refused) == ("Error: no 低保 case in county '娄烦县' opened by 2026-06-30: "
                                   "nothing to publish")
    assert publication_rows(db, "2026-07-01", "娄烦县") == [zhou_row]
    assert publication_rows(db, "2026-07-01") == []
    assert [(place, [h.applicant_name for h in listed])
            for place, listed in engine.publication("娄烦县", date(2026, 7, 1)).places] == \
        [("娄烦县", ["周九"])]
    assert dump_file(db) == before


def test_a_household_receiving_before_adoption_is_published(db):
    """57号 第24条 publishes the 最低生活保障家庭 in their village: a household already receiving
    低保 when the platform adopted doudi has a benefit case opened directly (docs/procedure.md,
    Workflow benefit), with no dibao case. 阳曲县: 冯十二 (泥屯村, 3人, 720元, paid from
    2026-04), imported Wed 2026-04-15; a re-check on Wed 2026-05-20 reduces it to 680元 from
    2026-06; found ineligible Wed 2026-07-08. 周九 (610元) was confirmed there Tue 2026-03-17.
    清徐县 has only 陈十三 (1人, 450元), opened directly Tue 2026-03-31, paid from 2026-04:
    - 阳曲县 as of 04-14: 周九; as of 04-15 and 05-31: 冯十二 720元 (泥屯村), 周九; as of 06-01
      冯十二 680元; as of 07-08: 周九 alone;
    - 清徐县 as of 03-31: 陈十三 at the amount it was opened with (no month paid yet); a county
      with benefit cases only is published, not refused as misspelt.
    Neither was in any 公布 (清徐县 was refused: no 低保 case). report unpublished, about
    confirmations not yet published, has nothing for them."""
    engine = Engine.open(db)
    approve_delegated(engine, {"county": "阳曲县", "applicant_name": "周九", "household_size": 2,
                               "amount": 610}, date(2026, 3, 9), date(2026, 3, 17))
    path = Path(db).parent / "adopted.jsonl"
    path.write_text(json.dumps({"op": "open", "province": "shanxi", "workflow": "benefit",
                                "on": "2026-04-15", "attributes": {
                                    "county": "阳曲县", "village": "泥屯村", "applicant_name": "冯十二",
                                    "household_size": 3, "amount": 720, "paid_from": "2026-04"}},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    imported = run(db, "import", str(path))
    assert imported.exit_code == 0, imported.output
    feng = next(c.id for c in engine.store.cases(workflow="benefit")
                if c.attributes.get("applicant_name") == "冯十二")
    engine.fire(feng, "review", on=date(2026, 5, 20), payload={"outcome": "reduce", "amount": 680})
    engine.fire(feng, "found_ineligible", on=date(2026, 7, 8))
    engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 3, 31),
                     attributes={"county": "清徐县", "applicant_name": "陈十三", "household_size": 1,
                                 "amount": 450, "paid_from": "2026-04"})
    zhou_row = ("周九", "2人", "610元")
    assert publication_rows(db, "2026-04-14") == [zhou_row]
    adopted = run(db, "notice", "publication", "--county", "阳曲县", "--as-of", "2026-04-15")
    assert adopted.exit_code == 0, adopted.output
    assert "公布地点：泥屯村\n\n序号　申请人姓名　家庭成员数量　保障金额（每月）\n1　冯十二　3人　720元\n" \
        in adopted.output
    assert households(adopted.output) == [("冯十二", "3人", "720元"), zhou_row]
    assert publication_rows(db, "2026-05-31") == [("冯十二", "3人", "720元"), zhou_row]
    assert publication_rows(db, "2026-06-01") == [("冯十二", "3人", "680元"), zhou_row]
    assert publication_rows(db, "2026-07-08") == [zhou_row]
    assert publication_rows(db, "2026-03-31", "清徐县") == [("陈十三", "1人", "450元")]
    assert engine.unpublished(county="清徐县", as_of=date(2026, 6, 1)) == []
    assert [r["county"] for r in engine.unpublished(as_of=date(2026, 6, 1))] == ["阳曲县"]


def test_unpublished_leaves_out_a_household_no_longer_receiving_as_the_publication_does(db):
    """57号 第24条: "低保审核确认完毕后…应当在低保家庭所在村（社区）公布": the 公布 is of the 低保家庭,
    so a confirmed case whose 公布 was never recorded is waiting for it only while its
    household still receives 低保 where it was confirmed; once it does not, the 公布 as of that
    date would not list it, and report unpublished does not either (the same rule). Four 阳曲县
    households confirmed Tue 2026-03-17, none published:
    - 王五: benefit found_ineligible on Tue 2026-05-12 → waiting as of 05-11, not as of 05-12;
    - 孙八: income_exceeds Fri 2026-04-10, 山西 一(五) 6-month phase-out 2026-05…2026-10 → ends
      by itself on Sun 2026-11-01 (nothing recorded): waiting as of 10-31, not as of 11-01;
    - 钱七: its benefit case given 清徐县 by a re-check on Wed 2026-06-10 → waiting in 阳曲县 as
      of 06-09, in 清徐县 as of 06-10 (the 公布 of 清徐县 lists it then, and none was recorded);
    - 周九: never stopped, waiting on every date (its days counted from 03-17).
    The report listed all four on every date, cases the 公布 it asks for leaves out."""
    engine = Engine.open(db, today=lambda: date(2026, 11, 2))
    names = {}
    for name, village in [("王五", "大盂村"), ("孙八", "大盂村"), ("钱七", "东黄水村"), ("周九", None)]:
        household = {"county": "阳曲县", "applicant_name": name, "household_size": 1, "amount": 500}
        if village:
            household["village"] = village
        names[approve_delegated(engine, household, date(2026, 3, 9), date(2026, 3, 17))] = name
    ids = {name: cid for cid, name in names.items()}
    engine.fire(benefit_of(engine, ids["王五"]), "found_ineligible", on=date(2026, 5, 12))
    engine.fire(benefit_of(engine, ids["孙八"]), "income_exceeds", on=date(2026, 4, 10),
                payload={"per_capita_income": 900, "standard": 810})
    engine.fire(benefit_of(engine, ids["钱七"]), "review", on=date(2026, 6, 10),
                payload={"outcome": "keep", "county": "清徐县"})

    def waiting(as_of, county="阳曲县"):
        return [(names[r["case_id"]], r["county"], r["days"])
                for r in engine.unpublished(county=county, as_of=as_of)]

    assert waiting(date(2026, 5, 11)) == [("王五", "阳曲县", 55), ("孙八", "阳曲县", 55),
                                          ("钱七", "阳曲县", 55), ("周九", "阳曲县", 55)]
    assert waiting(date(2026, 5, 12)) == [("孙八", "阳曲县", 56), ("钱七", "阳曲县", 56),
                                          ("周九", "阳曲县", 56)]
    assert waiting(date(2026, 6, 9)) == [("孙八", "阳曲县", 84), ("钱七", "阳曲县", 84),
                                         ("周九", "阳曲县", 84)]
    assert waiting(date(2026, 6, 10)) == [("孙八", "阳曲县", 85), ("周九", "阳曲县", 85)]
    assert waiting(date(2026, 6, 10), "清徐县") == [("钱七", "清徐县", 85)]
    assert [(names[r["case_id"]], r["county"]) for r in engine.unpublished(as_of=date(2026, 6, 10))
            ] == [("孙八", "阳曲县"), ("钱七", "清徐县"), ("周九", "阳曲县")]
    assert waiting(date(2026, 10, 31)) == [("孙八", "阳曲县", 228), ("周九", "阳曲县", 228)]
    assert waiting(date(2026, 11, 1)) == [("周九", "阳曲县", 229)]
    # The report and the 公布 name the same households on each date (none was published).
    for as_of in ("2026-05-11", "2026-05-12", "2026-06-10", "2026-10-31", "2026-11-01"):
        listed = [name for name, *_ in publication_rows(db, as_of)]
        report = run(db, "report", "unpublished", "--county", "阳曲县", "--as-of", as_of,
                     "--format", "json")
        assert report.exit_code == 0, report.output
        assert sorted(names[r["case_id"]] for r in json.loads(report.stdout)) == sorted(listed)


def test_the_python_api_gives_the_publication_the_command_prints(db):
    """A platform embedding doudi (docs/python.md) gets the 公布 of 57号 第24条 as the command
    prints it from one call, Engine.publication: 阳曲县 as of Tue 2026-05-12, where 王五
    (confirmed 03-17) was found ineligible that day and 周九 (03-17, 610元) still receives
    低保, lists 周九 alone. It had to gather the cases and their benefit cases itself; the
    notice built from the views alone, as publication_notice offered it, published every case
    ever confirmed, 王五 included."""
    engine = Engine.open(db)
    wang = approve_delegated(engine, SHANXI_HOUSEHOLD, date(2026, 3, 9), date(2026, 3, 17))
    approve_delegated(engine, {"county": "阳曲县", "applicant_name": "周九", "household_size": 2,
                               "amount": 610}, date(2026, 3, 9), date(2026, 3, 17))
    engine.fire(benefit_of(engine, wang), "found_ineligible", on=date(2026, 5, 12))
    notice = engine.publication("阳曲县", date(2026, 5, 12))
    assert isinstance(notice, PublicationNotice)
    assert [(place, [h.applicant_name for h in households])
            for place, households in notice.places] == [("阳曲县", ["周九"])]
    assert notice.basis == "民发〔2021〕57号 第24条；晋民发〔2023〕31号 四(五)"
    for fmt in ("text", "html"):
        result = run(db, "notice", "publication", "--county", "阳曲县", "--as-of", "2026-05-12",
                     "--format", fmt)
        assert result.output == render(notice, fmt)
    assert render(engine.publication("阳曲县", date(2026, 5, 12), province="shanxi")) == \
        render(notice)


def test_the_python_api_refuses_the_publication_as_the_command_does(db):
    """Engine.publication's refusals are the command's, in the API's words (``province``,
    ``county``), the command's in ``command_line``, nothing written."""
    engine = Engine.open(db)
    county_cases(engine)
    other = to_publicity(engine, "jiangsu_draft", {"county": "阳曲县", "applicant_name": "乙",
                                                   "amount": 500, "delegated": True}, date(2026, 3, 9))
    engine.fire(other, "approve", on=date(2026, 3, 17))
    before = dump_file(db)
    with pytest.raises(UnknownName) as unknown:
        engine.publication("阳曲", date(2026, 3, 17))
    assert str(unknown.value) == "no 低保 case in county '阳曲' opened by 2026-03-17: nothing to publish"
    with pytest.raises(InvalidInput) as several:
        engine.publication("阳曲县", date(2026, 3, 17))
    assert str(several.value) == "county '阳曲县' has cases in jiangsu_draft, shanxi: pass province"
    assert several.value.command_line == ("county '阳曲县' has cases in jiangsu_draft, shanxi: pass "
                                          "--province")
    with pytest.raises(InvalidInput) as blank:
        engine.publication(" ", date(2026, 3, 17))
    assert (str(blank.value), blank.value.command_line) == ("county must name a county",
                                                            "--county must name a county")
    with pytest.raises(OutsideCalendar):
        engine.publication("阳曲县", date(2017, 1, 1), province="shanxi")
    with pytest.raises(InvalidInput, match="unknown province 'atlantis'"):
        engine.publication("阳曲县", date(2026, 3, 17), province="atlantis")
    with pytest.raises(InvalidInput, match="as_of must be a date"):
        engine.publication("阳曲县", "2026-03-17")
    assert dump_file(db) == before
    assert not hasattr(notices, "publication_notice")  # (no way to the cumulative list)


def test_the_notice_functions_refuse_what_is_not_a_case_view_or_a_notice(engine):
    """python.md: "Every error doudi raises is a DoudiError with the exit_code the CLI would
    exit with"; its refusal notice is notices.refusal_notice(engine.case(id)). Given the case's
    id instead of its view, refusal_notice and publicity_notice raised AttributeError ('str'
    object has no attribute 'case'); render of no notice an AttributeError too, and render in
    a format it has not (json, pdf) gave the text. Each is InvalidInput (exit 2) now, naming
    the argument."""
    cid = to_publicity(engine, "shanxi", SHANXI_HOUSEHOLD, date(2026, 3, 9))
    view = engine.case(cid)
    with pytest.raises(InvalidInput) as given_id:
        notices.refusal_notice(cid)
    assert str(given_id.value) == (f"view must be a case's view (CaseView: engine.case(id)), got "
                                   f'"{cid}"')
    assert given_id.value.exit_code == 2
    with pytest.raises(InvalidInput, match=r"^view must be a case's view .*, got null$"):
        publicity_notice(None)
    with pytest.raises(InvalidInput, match=r"^opinion must be text \(str\), got null$"):
        publicity_notice(view, (), None)
    with pytest.raises(InvalidInput) as no_notice:
        render(view)
    assert str(no_notice.value).startswith("notice must be a notice (PublicityNotice, "
                                           "PublicationNotice or RefusalNotice), got CaseView(")
    assert len(str(no_notice.value)) < 200
    for fmt in ("json", "pdf", None):
        with pytest.raises(InvalidInput, match=r"^fmt must be 'text' or 'html', got "):
            render(engine.publicity(cid), fmt)
    assert render(engine.publicity(cid), "text") == render_text(engine.publicity(cid))


def test_publication_html_is_a_table_with_every_value_escaped(db):
    engine = Engine.open(db)
    approve_delegated(engine, {"county": "阳曲县", "village": "<b>村", "applicant_name": "A&B",
                               "household_size": 2, "amount": 600}, date(2026, 3, 9),
                      date(2026, 3, 17))
    result = run(db, "notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-17",
                 "--format", "html")
    assert result.exit_code == 0, result.output
    assert ("<dl><dt>公布地点</dt><dd>&lt;b&gt;村</dd></dl>\n<table><thead><tr><th>序号</th>"
            "<th>申请人姓名</th><th>家庭成员数量</th><th>保障金额（每月）</th></tr></thead><tbody>"
            "<tr><td>1</td><td>A&amp;B</td><td>2人</td><td>600元</td></tr></tbody></table>"
            ) in result.output
    assert "<b>村" not in result.output and "A&B" not in result.output
    assert ("<footer><p>依据：民发〔2021〕57号 第24条；晋民发〔2023〕31号 四(五)</p>") in result.output


def test_publication_with_nothing_confirmed_says_so(db):
    county_cases(Engine.open(db))
    result = run(db, "notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-16")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "最低生活保障审核确认结果公布\n\n"
        "截至2026年3月16日，阳曲县无经审核确认纳入最低生活保障的家庭。\n\n" + PUBLICATION_FOOTER
    )


def test_publication_cites_57_article_24_and_the_province_clause():
    """57号 第24条 always; the province's 公示公布 clause without its note; the national 公示
    clause (57号 第19条) adds nothing."""
    assert publication_basis("晋民发〔2023〕31号 四(五)") == \
        "民发〔2021〕57号 第24条；晋民发〔2023〕31号 四(五)"
    assert publication_basis("江苏征求意见稿 四(二)（不少于7天）") == \
        "民发〔2021〕57号 第24条；江苏征求意见稿 四(二)"
    assert publication_basis("民发〔2021〕57号 第19条") == "民发〔2021〕57号 第24条"
    assert publication_basis(None) == "民发〔2021〕57号 第24条"


def test_jiangsu_publication_cites_its_own_clause(db):
    engine = Engine.open(db)
    cid = to_publicity(engine, "jiangsu_draft", {**JIANGSU_HOUSEHOLD, "delegated": True},
                       date(2026, 3, 9))
    engine.fire(cid, "approve", on=date(2026, 3, 17))
    result = run(db, "notice", "publication", "--county", "句容市", "--as-of", "2026-03-17")
    assert result.exit_code == 0, result.output
    assert "1　李四&子　2人　780元\n" in result.output
    assert "依据：民发〔2021〕57号 第24条；江苏征求意见稿 四(二)\n" in result.output


# -- errors, and nothing written -----------------------------------------------------------------


def test_a_case_without_publicity_is_refused_with_one_line(db):
    engine = Engine.open(db)
    cid = engine.open_case(province="shanxi", on=date(2026, 3, 2), attributes=SHANXI_HOUSEHOLD).id
    engine.fire(cid, "accept", on=date(2026, 3, 3))
    result = run(db, "notice", "publicity", cid)
    assert result.exit_code == 1
    assert error_line(result) == f"Error: no 公示 posted for case {cid}"


# -- the 公示 of a 支出型 临时救助 ----------------------------------------------------------------
# 民发〔2018〕23号 二(二) (rules.md N-temp): "急难型 may skip economic verification, 民主评议 and 公示
# …; 支出型 follows the full procedure", 公示 included; 江苏征求意见稿 二(二) "对于急难型临时救助，不再
# 开展经济状况核对、民主评议和确认前公示". What it shows is what the 低保 one shows (57号 第24条;
# 晋民发〔2023〕31号 四(五) "信息公示、公布应当依法保护个人隐私，不得公开无关信息"): the name, the
# household size and, for 临时救助, the amount of the aid proposed.

TEMPORARY_HOUSEHOLD = {**SHANXI_HOUSEHOLD, "category": "other", **PRIVATE}
del TEMPORARY_HOUSEHOLD["amount"]


def temporary_to_publicity(engine, province, posted_on, payload=None, county="阳曲县"):
    """A 支出型 临时救助 case opened Mon 2026-09-21, accepted, investigated and verified that week,
    its 公示 posted on ``posted_on``."""
    cid = engine.open_case(province=province, workflow="temporary", on=date(2026, 9, 21),
                           attributes={**TEMPORARY_HOUSEHOLD, "county": county}).id
    for event, day in [("accept", 22), ("start_investigation", 23), ("verify", 24)]:
        engine.fire(cid, event, on=date(2026, 9, day))
    engine.fire(cid, "post_publicity", on=posted_on, payload=payload or {"amount": 2000})
    return cid


# Posted Mon 2026-09-28, the temporary workflow's publicity 7d: 9/29(1) … 10/5(7), inside 国庆
# 10/1–10/7 (国办发明电〔2025〕7号) → 《民法典》第203条: the next working day, Thu 2026-10-08.
TEMPORARY_TEXT = """\
支出型临时救助公示

经家庭经济状况调查和核对，大盂镇人民政府提出意见如下，现予公示。

申请人姓名：王五
家庭成员数量：3人
意见：拟批准救助，救助金额2000元

公示地点：大盂村
公示期：2026年9月28日至2026年10月8日（7天，自张贴次日起算）

对公示内容有异议的，请于公示期内（2026年10月8日前，含当日）向大盂镇人民政府反映。

联系电话：0351-5551234
地址：大盂镇政府街1号

期间计算：《民法典》第201条、第203条：起算日2026-09-28不计入，计7日；期间最后一日2026-10-05为休息日\
（国庆节），顺延至2026-10-08
依据：民发〔2018〕23号 二(二)（支出型按规定程序审核、公示，国家未规定公示天数）；默认值参照民发〔2021〕57号 \
第19条的7天，为本系统的地方可调设定
公示仅包含申请人姓名、家庭成员数量和救助金额，依法保护个人隐私，不公开无关信息（民发〔2021〕57号 第24条；\
民发〔2022〕83号 四(二)；晋民发〔2023〕31号 四(五)）。
"""


def test_a_spending_temporary_aid_publicity_text_is_exact(db):
    """民发〔2018〕23号 二(二): the 支出型 route's 公示, which the temporary workflow runs (its
    publicity deadline), is printed: 支出型临时救助公示, the aid proposed (a sum, not 每月), the
    period to the deadline's due date across 国庆, and nothing private. It was refused (exit 2:
    "this 公示 is the 低保 初审意见公示 of a dibao case")."""
    cid = temporary_to_publicity(Engine.open(db), "shanxi", date(2026, 9, 28))
    result = run(db, "notice", "publicity", cid)
    assert result.exit_code == 0, result.output
    assert result.output == TEMPORARY_TEXT
    for value in PRIVATE.values():
        assert value not in result.output
    assert "最低生活保障" not in result.output and "每月" not in result.output


def test_a_spending_temporary_aid_publicity_html_is_exact(db):
    cid = temporary_to_publicity(Engine.open(db), "shanxi", date(2026, 9, 28))
    result = run(db, "notice", "publicity", cid, "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.output == (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        "<title>支出型临时救助公示</title>\n</head>\n<body>\n"
        "<h1>支出型临时救助公示</h1>\n"
        "<p>经家庭经济状况调查和核对，大盂镇人民政府提出意见如下，现予公示。</p>\n"
        "<dl><dt>申请人姓名</dt><dd>王五</dd><dt>家庭成员数量</dt><dd>3人</dd>"
        "<dt>意见</dt><dd>拟批准救助，救助金额2000元</dd></dl>\n"
        "<dl><dt>公示地点</dt><dd>大盂村</dd>"
        "<dt>公示期</dt><dd>2026年9月28日至2026年10月8日（7天，自张贴次日起算）</dd></dl>\n"
        "<p>对公示内容有异议的，请于公示期内（2026年10月8日前，含当日）向大盂镇人民政府反映。</p>\n"
        "<dl><dt>联系电话</dt><dd>0351-5551234</dd><dt>地址</dt><dd>大盂镇政府街1号</dd></dl>\n"
        "<footer><p>期间计算：《民法典》第201条、第203条：起算日2026-09-28不计入，计7日；"
        "期间最后一日2026-10-05为休息日（国庆节），顺延至2026-10-08</p>"
        "<p>依据：民发〔2018〕23号 二(二)（支出型按规定程序审核、公示，国家未规定公示天数）；"
        "默认值参照民发〔2021〕57号 第19条的7天，为本系统的地方可调设定</p>"
        "<p>公示仅包含申请人姓名、家庭成员数量和救助金额，依法保护个人隐私，不公开无关信息"
        "（民发〔2021〕57号 第24条；民发〔2022〕83号 四(二)；晋民发〔2023〕31号 四(五)）。</p></footer>\n"
        "</body>\n</html>\n"
    )


@pytest.mark.parametrize(("province", "county", "own"), [
    ("tianjin", "和平区", "津民发〔2023〕13号 四(二)"),
    ("jiangsu_draft", "句容市", "江苏征求意见稿 四(二)"),
])
def test_a_temporary_aid_publicity_cites_the_provinces_privacy_clause(db, province, county, own):
    """津民发〔2023〕13号 四(二) and 江苏征求意见稿 四(二): "信息公示、公布应当依法保护个人隐私" (江苏:
    "公示公布应当…"), each province's own clause after the national ones, as the 低保 公示's; a
    临时救助 is no 低保 初审意见 or 审核意见, whatever the province calls that. Posted Mon 9/28:
    to Thu 10/8 past 国庆, as in 山西."""
    engine = Engine.open(db)
    cid = temporary_to_publicity(engine, province, date(2026, 9, 28),
                                 {"amount": 1500.5}, county=county)
    result = run(db, "notice", "publicity", cid)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "支出型临时救助公示"
    assert "意见：拟批准救助，救助金额1500.5元" in lines
    assert "公示期：2026年9月28日至2026年10月8日（7天，自张贴次日起算）" in lines
    assert lines[-1] == ("公示仅包含申请人姓名、家庭成员数量和救助金额，依法保护个人隐私，不公开无关信息"
                         f"（民发〔2021〕57号 第24条；民发〔2022〕83号 四(二)；{own}）。")
    assert "审核意见" not in result.output and "初审意见" not in result.output
    assert render_text(engine.publicity(cid)) == result.output


def test_a_temporary_aid_publicity_proposing_refusal_shows_no_amount(db):
    cid = temporary_to_publicity(Engine.open(db), "shanxi", date(2026, 9, 28),
                                 {"amount": 2000, "proposal": "refuse"})
    result = run(db, "notice", "publicity", cid)
    assert result.exit_code == 0, result.output
    assert "意见：拟不予救助" in result.output.splitlines()
    assert "2000" not in result.output


@pytest.mark.usefixtures("names_stored_before")
def test_a_temporary_aid_publicity_with_an_id_number_for_a_name_is_refused(db):
    engine = Engine.open(db)
    cid = temporary_to_publicity(engine, "shanxi", date(2026, 9, 28),
                                 {"amount": 2000, "applicant_name": "110101199001011234"})
    result = run(db, "notice", "publicity", cid)
    assert (result.exit_code, result.stdout) == (1, "")
    assert error_line(result).startswith(f"Error: case {cid}: applicant_name holds 6 or more digits")
    assert "110101199001011234" not in result.output


def test_an_urgent_or_not_yet_publicized_temporary_aid_case_has_no_publicity(db):
    """An 急难型 case is paid first and skips the 公示 (民发〔2018〕23号 二(二)); a 支出型 one has
    none before its post_publicity. Each refused with one line saying why, exit 1 (as a 低保
    case with no 公示 posted); a case of a workflow that posts no 公示, exit 2."""
    engine = Engine.open(db)
    urgent = engine.open_case(province="shanxi", workflow="temporary", on=date(2026, 3, 2),
                              attributes={"category": "other", "applicant_name": "王五"}).id
    engine.fire(urgent, "pay_urgent", on=date(2026, 3, 2), payload={"amount": 800},
                reason="火灾")
    verified = engine.open_case(province="shanxi", workflow="temporary", on=date(2026, 3, 2),
                                attributes={"category": "other"}).id
    for event, day in [("accept", 2), ("start_investigation", 3), ("verify", 4)]:
        engine.fire(verified, event, on=date(2026, 3, day))
    marginal = engine.open_case(province="shanxi", workflow="marginal", on=date(2026, 3, 2),
                                attributes={"county": "阳曲县"}).id
    before = dump_file(db)
    for cid, code, line in [
        (urgent, 1, f"Error: case {urgent} is an 急难型 临时救助 (paid first, pay_urgent), which "
                    "skips the 公示 (民发〔2018〕23号 二(二)): it has no 公示"),
        (verified, 1, f"Error: no 公示 posted for case {verified}: a 支出型 临时救助 posts it after "
                      "verify (post_publicity), the case is verified"),
        (marginal, 2, f"Error: case {marginal} is a marginal case, which posts no 公示: a 公示 is "
                      "posted for a case of the dibao or temporary workflow"),
    ]:
        result = run(db, "notice", "publicity", cid)
        assert (result.exit_code, result.stdout) == (code, ""), result.output
        assert error_line(result) == line
        with pytest.raises(UnknownName if code == 1 else InvalidInput) as raised:
            engine.publicity(cid)
        assert f"Error: {raised.value}" == line
    assert dump_file(db) == before


def test_an_unknown_case_is_refused_with_one_line(db):
    Engine.open(db)
    result = run(db, "notice", "publicity", "nope")
    assert result.exit_code == 1
    assert error_line(result) == "Error: no case 'nope'"


def test_a_missing_database_is_refused_and_not_created(tmp_path):
    path = str(tmp_path / "missing.db")
    for args in (["notice", "publicity", "x"],
                 ["notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-17"]):
        result = run(path, *args)
        assert result.exit_code == 1
        error_line(result, "Error: no database at")
    assert not (tmp_path / "missing.db").exists()


def test_a_county_without_cases_is_refused_not_published_empty(db):
    # A misspelt county printed a formal notice for it ("无无经审核确认…"), ready to post.
    county_cases(Engine.open(db))
    before = dump_file(db)
    result = run(db, "notice", "publication", "--county", "阳曲", "--as-of", "2026-03-17")
    assert result.exit_code == 1
    assert error_line(result) == ("Error: no 低保 case in county '阳曲' opened by 2026-03-17: "
                                  "nothing to publish")
    assert dump_file(db) == before


def test_usage_errors_exit_2(db):
    county_cases(Engine.open(db))
    cases = [
        ["notice", "publication", "--county", "阳曲县", "--as-of", "2026-3-17"],
        ["notice", "publication", "--county", "阳曲县"],
        ["notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-17",
         "--province", "atlantis"],
        ["notice", "publicity", "x", "--format", "pdf"],
        ["notice", "publication", "--county", " ", "--as-of", "2026-03-17"],
        ["notice", "publication", "--county", "阳曲县", "--as-of", "2017-01-01"],  # as reports
    ]
    for args in cases:
        result = run(db, *args)
        assert result.exit_code == 2, (args, result.output)
        error_line(result, "Error:")


def test_a_county_in_two_provinces_needs_province(db):
    engine = Engine.open(db)
    approve_delegated(engine, {"county": "新区", "applicant_name": "甲", "household_size": 1,
                               "amount": 500},
                      date(2026, 3, 9), date(2026, 3, 17))
    other = to_publicity(engine, "jiangsu_draft", {"county": "新区", "applicant_name": "乙",
                                                   "amount": 500, "delegated": True}, date(2026, 3, 9))
    engine.fire(other, "approve", on=date(2026, 3, 17))
    result = run(db, "notice", "publication", "--county", "新区", "--as-of", "2026-03-17")
    assert result.exit_code == 2
    assert error_line(result) == "Error: county '新区' has cases in jiangsu_draft, shanxi: pass --province"
    only = run(db, "notice", "publication", "--county", "新区", "--as-of", "2026-03-17",
               "--province", "jiangsu_draft")
    assert only.exit_code == 0, only.output
    assert "乙" in only.output and "甲" not in only.output


def test_notices_write_nothing(db):
    engine = Engine.open(db)
    county_cases(engine)
    cid = to_publicity(engine, "jiangsu_draft", JIANGSU_HOUSEHOLD, date(2026, 9, 28))
    before = dump_file(db)
    for args in (["notice", "publicity", cid], ["notice", "publicity", cid, "--format", "html"],
                 ["notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-24"],
                 ["notice", "publication", "--county", "阳曲县", "--as-of", "2026-03-24",
                  "--format", "html"],
                 ["notice", "publicity", "nope"]):
        run(db, *args)
    assert dump_file(db) == before


def test_a_name_recorded_before_text_was_checked_cannot_add_a_line_to_the_notice(
        engine, monkeypatch):
    # Found by review: the text notice printed values as stored. A name recorded before line
    # breaks were refused would have added a forged "申请人姓名" line; it is shown escaped.
    from engine.workflow import AttributeSpec

    check = AttributeSpec.check
    monkeypatch.setattr(AttributeSpec, "check", lambda self, value: None)  # (the old version)
    forged = {**SHANXI_HOUSEHOLD, "applicant_name": "王五\n申请人姓名：赵六\x1b[8m"}
    cid = to_publicity(engine, "shanxi", forged, date(2026, 3, 9))
    monkeypatch.setattr(AttributeSpec, "check", check)
    text = render_text(publicity_notice(engine.case(cid), channels(engine, "shanxi")))
    assert "王五\\n申请人姓名：赵六\\x1b[8m" in text
    assert "\n申请人姓名：赵六" not in text and "\x1b" not in text


def test_notice_publication_s_help_says_whom_it_lists():
    """Its --help said "every case in --county confirmed by --as-of" after the 公布 came to list
    the benefit cases moved to the county or opened directly too (57号 第24条 publishes the
    households receiving 低保 there), posted in the benefit case's village first."""
    from click.testing import CliRunner

    from engine.cli import cli

    text = " ".join(CliRunner().invoke(cli, ["notice", "publication", "--help"]).output.split())
    assert "the benefit cases moved there or opened directly (no dibao case)" in text
    assert "the benefit case's village, else the confirmed case's, else the county" in text
    assert "whose confirmed cases are published" not in text


def test_report_unpublished_s_help_says_whom_it_waits_for():
    """Its --help said nothing of the rule it follows since ef8378a and 2108f02: only the
    households still receiving 低保 on --as-of, under the county whose 公布 lists them."""
    from click.testing import CliRunner

    from engine.cli import cli

    text = " ".join(CliRunner().invoke(cli, ["report", "unpublished", "--help"]).output.split())
    assert "Only households still receiving 低保 on --as-of" in text
    assert "the one its benefit case was moved to, where it was (--county selects by it)" in text
