"""Assessments recorded with the case, and the routes a province gives the cases the rules
alone would not help (amounts computed by hand)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine import Engine
from engine.errors import InvalidInput
from helpers import dump_file, error_line, run

# Two earners, 2000 + 1000 = 3000 a month, two people: 1500 per head against a standard of
# 900 → above the line (and above 1.5 × 900 = 1350, so not 边缘 either).
ABOVE = {"standard": 900, "members": [
    {"id": "a", "age": 45, "income": {"employment": 2000}},
    {"id": "b", "age": 44, "income": {"employment": 1000}}]}
# 1200 + 0 over two: 600 per head < 900 → dibao.  2400 over two: 1200 < 1350 → 边缘.
BELOW = {"standard": 900, "members": [
    {"id": "a", "age": 45, "income": {"employment": 1200}}, {"id": "b", "age": 12}]}
MARGINAL = {"standard": 900, "members": [
    {"id": "a", "age": 45, "income": {"employment": 2400}}, {"id": "b", "age": 12}]}


def investigated(engine, province, **attributes):
    case = engine.open_case(province=province, on=date(2026, 3, 2), attributes=attributes)
    engine.fire(case.id, "accept", on=date(2026, 3, 3))
    engine.fire(case.id, "start_investigation", on=date(2026, 3, 4))
    return case.id


def verified(engine, **attributes):
    """A 江苏 case assessed above the line, its 信息核对 started (state verifying)."""
    cid = investigated(engine, "jiangsu_draft", **attributes)
    engine.fire(cid, "assess", on=date(2026, 3, 6), payload={"household": ABOVE})
    engine.fire(cid, "request_verification", on=date(2026, 3, 6))
    engine.fire(cid, "start_verification", on=date(2026, 3, 9))
    return cid


@pytest.mark.parametrize(
    ("province", "kind", "basis", "next_event"),
    [
        # 江苏征求意见稿 五(一): "经调查后确实存在特殊困难……应当通过'一事一议'的方式，集体研究确定"
        ("jiangsu_draft", "collective_review", "江苏征求意见稿 五(一)", "refer_collective"),
        # 津民发〔2023〕13号 二(二): "……可转介市、区社会救助基金实施'发点球'式精准救助"
        ("tianjin", "fund_referral", "津民发〔2023〕13号 二(二)", None),
        # 晋民发〔2023〕31号 一(三): 支出型贫困家庭 "按规定及时纳入保障范围"
        ("shanxi", "expenditure_type", "晋民发〔2023〕31号 一(三)", None),
    ],
)
def test_above_the_line_with_special_hardship_takes_the_province_route(
        engine, province, kind, basis, next_event):
    cid = investigated(engine, province, special_hardship=True)
    view = engine.fire(cid, "assess", on=date(2026, 3, 6), payload={"household": ABOVE})
    assessment = view.case.attributes["assessment"]
    assert (assessment["per_capita"], assessment["classification"]) == (1500, "above")
    route = view.case.attributes["exception_route"]
    assert route["kind"] == kind
    assert route["basis"].startswith(basis)
    assert route["next_event"] == next_event
    # The event keeps the household as given and the result it produced.
    last = engine.store.history(cid)[-1]
    assert last.payload["household"] == ABOVE
    assert last.derived["assessment"]["countable_income"] == 3000


def test_without_special_hardship_an_above_case_gets_no_route(engine):
    cid = investigated(engine, "jiangsu_draft")
    view = engine.fire(cid, "assess", on=date(2026, 3, 6), payload={"household": ABOVE})
    assert view.case.attributes["assessment"]["classification"] == "above"
    assert "exception_route" not in view.case.attributes


def test_a_dibao_household_needs_no_route_and_a_marginal_one_is_offered_recognition(engine):
    """晋民发〔2023〕31号 一(四): 边缘家庭 "低于当地1.5倍低保标准"; 其中重度残疾人、重病患者 "可参照
    '单人户'纳入低保范围"."""
    cid = investigated(engine, "shanxi")
    view = engine.fire(cid, "assess", on=date(2026, 3, 6), payload={"household": BELOW})
    assert view.case.attributes["assessment"]["classification"] == "dibao"
    assert "exception_route" not in view.case.attributes
    other = investigated(engine, "shanxi")
    view = engine.fire(other, "assess", on=date(2026, 3, 6), payload={"household": MARGINAL})
    assert view.case.attributes["assessment"]["per_capita"] == 1200
    route = view.case.attributes["exception_route"]
    assert (route["kind"], route["basis"]) == ("marginal_offer", "晋民发〔2023〕31号 一(四)")


def test_a_collective_review_cannot_be_left_without_the_meetings_record(engine):
    """江苏征求意见稿 五(一): "集体研究确定，并做好救助档案的分类管理"."""
    cid = verified(engine, special_hardship=True)
    engine.fire(cid, "refer_collective", on=date(2026, 3, 9))
    from engine.errors import EventRefused

    for payload, needle in [
        ({}, "outcome"),
        ({"outcome": "agree"}, "meeting_on"),
        ({"outcome": "agree", "meeting_on": "2026-03-13"}, "after the decision"),
        ({"outcome": "agree", "meeting_on": "2026-03-11", "participants": 2}, "at least 3"),
        ({"outcome": "agree", "meeting_on": "2026-03-11", "participants": 3}, "reasons"),
    ]:
        with pytest.raises(EventRefused, match=needle):
            engine.fire(cid, "collective_decided", on=date(2026, 3, 12), payload=payload)
        assert engine.store.case(cid).state == "collective_review"
    record = {"outcome": "agree", "meeting_on": "2026-03-11", "participants": 3,
              "reasons": "重病支出大"}
    view = engine.fire(cid, "collective_decided", on=date(2026, 3, 12), payload=record)
    assert view.state == "verifying"
    # A case referred without an assessment is listed with its clause too.
    other = investigated(engine, "jiangsu_draft")
    engine.fire(other, "request_verification", on=date(2026, 3, 5))
    engine.fire(other, "start_verification", on=date(2026, 3, 6))
    engine.fire(other, "refer_collective", on=date(2026, 3, 9))
    engine.fire(other, "collective_decided", on=date(2026, 3, 12), payload=record)
    [listed] = [r for r in engine.exceptions() if r["case_id"] == other]
    assert (listed["route"], listed["basis"]) == (
        "一事一议", "江苏征求意见稿 五(一)（集体研究确定，做好救助档案的分类管理）")
    assert view.case.attributes["archive_class"] == "一事一议"
    assert view.case.attributes["collective_decision"] == record
    rows = [r for r in engine.exceptions(province="jiangsu_draft") if r["case_id"] == cid]
    assert [(r["case_id"], r["route"], r["decision"], r["participants"]) for r in rows] == [
        (cid, "collective_review", "agree", 3)]


def test_case_assess_and_report_exceptions_through_the_cli(tmp_path, db):
    path = tmp_path / "household.json"
    path.write_text(json.dumps(ABOVE), encoding="utf-8")
    cid = run(db, "case", "open", "--province", "tianjin", "--on", "2026-03-02",
              "--set", "special_hardship=true").stdout.strip()
    for event, on in [("accept", "2026-03-03"), ("start_investigation", "2026-03-04")]:
        assert run(db, "case", "fire", cid, event, "--on", on).exit_code == 0
    result = run(db, "case", "assess", cid, str(path), "--on", "2026-03-06", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["assessment"]["classification"] == "above"
    assert data["exception_route"]["kind"] == "fund_referral"
    report = json.loads(run(db, "report", "exceptions", "--format", "json").stdout)
    assert [(r["case_id"], r["route"], r["basis"]) for r in report] == [
        (cid, "fund_referral", "津民发〔2023〕13号 二(二)")]

    # A malformed household: one line naming the field, exit 2, nothing written.
    bad = dict(ABOVE, members=[{"id": "a", "age": 45, "income": {"employment": -1}}])
    path.write_text(json.dumps(bad), encoding="utf-8")
    before = dump_file(db)
    refused = run(db, "case", "assess", cid, str(path), "--on", "2026-03-07")
    assert refused.exit_code == 2
    assert "household.members[0].income.employment: cannot be negative" in error_line(refused)
    assert dump_file(db) == before


def test_assess_without_a_household_is_bad_input(engine):
    cid = investigated(engine, "shanxi")
    with pytest.raises(InvalidInput, match="assess needs the household"):
        engine.fire(cid, "assess", on=date(2026, 3, 6))


def test_replay_recomputes_the_recorded_assessment(engine: Engine):
    cid = investigated(engine, "tianjin", special_hardship=True)
    engine.fire(cid, "assess", on=date(2026, 3, 6), payload={"household": ABOVE})
    replayed, _ = engine.replay(cid)
    assert replayed.attributes == engine.store.case(cid).attributes


def test_a_case_goes_to_the_collective_meeting_only_after_its_verification(engine):
    """江苏征求意见稿 五(一) "经调查后": the 信息核对 (民发〔2021〕57号 第17条) is part of the
    investigation; referring before it would skip it and its 3-working-day deadline."""
    from engine.errors import EventRefused

    cid = investigated(engine, "jiangsu_draft", special_hardship=True)
    with pytest.raises(EventRefused, match="refer_collective is not allowed in state investigating"):
        engine.fire(cid, "refer_collective", on=date(2026, 3, 6))


def test_a_case_the_collective_meeting_refused_cannot_be_approved(engine):
    """江苏征求意见稿 五(一): a household beyond the rules is let in only "通过'一事一议'的方式，集体
    研究确定"; when the meeting refuses, the case goes on to a refusal, never an approval."""
    from engine.errors import EventRefused

    cid = verified(engine, special_hardship=True, delegated=True)
    engine.fire(cid, "refer_collective", on=date(2026, 3, 9))
    engine.fire(cid, "collective_decided", on=date(2026, 3, 12), payload={
        "outcome": "refuse", "meeting_on": "2026-03-11", "participants": 3,
        "reasons": "财产明显超标"})
    engine.fire(cid, "post_publicity", on=date(2026, 3, 13))
    # 公示 7 days from 3/13 (start not counted): 3/14 … 3/20, its last day; approval from 3/21.
    with pytest.raises(EventRefused, match=r"the 一事一议 meeting of 2026-03-11 refused the case "
                                           r"\(江苏征求意见稿 五\(一\)\): it cannot be approved"):
        engine.fire(cid, "approve", on=date(2026, 3, 23))
    assert engine.fire(cid, "reject", on=date(2026, 3, 23)).state == "rejected"
