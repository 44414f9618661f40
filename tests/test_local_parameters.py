"""A county's own parameters (rules.md §5): "Step deadlines other than the totals (83号 四(一)
makes each province set them), the amount of the Jiangsu employment-cost share, …, the
publicity channel, and whether a county has delegated confirmation. These are
**parameters**: each has a default …, a citation, and can be set per province and per county
without code."

Due dates are counted by hand on the 2026 official calendar (国办发明电〔2025〕7号: 清明 4/4–4/6
off; no holiday in March).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine import Engine, EventRefused, InvalidInput, UnknownName, local_parameters
from helpers import by_rule, dump_file, error_line, hashed_again, run

BASIS = "甲县民政局〔2026〕1号 三"
ACCEPTED = date(2026, 3, 2)  # a Monday
# investigation_start, 民发〔2021〕57号 第15条 "3个工作日内": 3/3(1) 3/4(2) 3/5(3) → 2026-03-05;
# the county's 2 working days: 3/3(1) 3/4(2)                                     → 2026-03-04
NATIONAL_INVESTIGATION_DUE = date(2026, 3, 5)
COUNTY_INVESTIGATION_DUE = date(2026, 3, 4)
# total, 晋民发〔2023〕31号 四(二), 30 working days: 3/3(1) 3/4(2) 3/5(3) 3/6(4) 3/9(5) … 3/13(9)
#   3/16(10) … 3/20(14) 3/23(15) … 3/27(19) 3/30(20) 3/31(21) 4/1(22) 4/2(23) 4/3(24),
#   4/4–4/6 清明 off, 4/7(25) 4/8(26) 4/9(27) 4/10(28) 4/13(29) 4/14(30)          → 2026-04-14
# delegated, 20 working days: 3/30(20)                                            → 2026-03-30
TOTAL_DUE = date(2026, 4, 14)
DELEGATED_TOTAL_DUE = date(2026, 3, 30)


def accepted_case(engine, county, case_id):
    engine.open_case("shanxi", on=ACCEPTED, attributes={"county": county}, case_id=case_id)
    return engine.fire(case_id, "accept", on=ACCEPTED)


def test_a_county_s_step_deadline_applies_to_its_cases_only_with_its_own_basis(engine):
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    own = by_rule(accepted_case(engine, "甲县", "A1"))["investigation_start"]
    other = by_rule(accepted_case(engine, "乙县", "B1"))["investigation_start"]
    assert (own.deadline.due_on, own.deadline.citation) == (COUNTY_INVESTIGATION_DUE, BASIS)
    assert other.deadline.due_on == NATIONAL_INVESTIGATION_DUE
    assert other.deadline.citation.startswith("民发〔2021〕57号 第15条")
    # The province-wide workflow is unchanged; the county's shows its value and basis.
    assert engine.workflow("shanxi", "dibao").parameters["investigation_start"].value == "3wd"
    local = engine.workflow("shanxi", "dibao", "甲县").parameters["investigation_start"]
    assert (local.value, local.citation, local.title) == ("2wd", BASIS, "启动家庭经济状况调查")
    # Settings live in the database: a new engine on it applies them too.
    again = Engine.open(engine.store.path)
    assert by_rule(accepted_case(again, "甲县", "A2"))["investigation_start"].deadline.due_on \
        == COUNTY_INVESTIGATION_DUE


def test_a_county_that_delegated_confirmation_gets_the_20_day_total(engine):
    """民发〔2022〕83号 四(一): "审核确认权限下放到乡镇人民政府（街道办事处）的，应当自受理之日起
    20个工作日之内完成"; whether a county has delegated is its own choice (rules.md §5)."""
    engine.set_parameter("shanxi", "乙县", "delegation", "always", "乙县人民政府〔2026〕2号",
                         date(2026, 1, 5))
    view = accepted_case(engine, "乙县", "D1")
    assert view.case.attributes["delegated"] is True
    assert by_rule(view)["total"].deadline.due_on == DELEGATED_TOTAL_DUE
    assert by_rule(accepted_case(engine, "丙县", "D2"))["total"].deadline.due_on == TOTAL_DUE
    with pytest.raises(EventRefused, match=r"always delegated to the township in 乙县 \(shanxi\) "
                                           r"\(乙县人民政府〔2026〕2号\)"):
        engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "乙县", "delegated": False})


DELEGATING = "乙县民政局〔2026〕3号"


def test_a_total_a_county_s_delegation_shortened_cites_the_clause_then_the_county_s_document(
        engine):
    """晋民发〔2023〕31号 四(二): "审核确认权限下放到乡镇人民政府（街道办事处）的，20个工作日" leaves
    the delegation to the county (民发〔2022〕83号 四(一)); 乙县 delegated every case from Mon
    2026-03-02 (乙县民政局〔2026〕3号), 丙县 from 03-03. A case 乙县 accepted on 03-02 is due in
    20 working days, 03-30, and its total cites 四(二), then 乙县's document (it cited 四(二)
    alone: nothing on the case named the document that delegated it); so does one opened on
    Fri 02-27, before the setting, and accepted on 03-02, the document recorded by the
    acceptance. 丙县's case accepted on 03-02, the day before its setting, keeps 30: 04-14
    (清明 4/4–4/6 off), citing 四(二) alone. Where the case's delegated came from is on the
    case: delegated_by."""
    engine.set_parameter("shanxi", "乙县", "delegation", "always", DELEGATING, ACCEPTED)
    engine.set_parameter("shanxi", "丙县", "delegation", "always", "丙县民政局〔2026〕4号",
                         date(2026, 3, 3))
    opened = accepted_case(engine, "乙县", "Y1")
    engine.open_case("shanxi", on=date(2026, 2, 27), attributes={"county": "乙县"},
                     case_id="Y2")
    before = engine.case("Y2")
    assert "delegated_by" not in before.case.attributes
    later = engine.fire("Y2", "accept", on=ACCEPTED)
    for view in (opened, later):
        total = by_rule(view)["total"].deadline
        assert (total.due_on, total.duration, total.citation) == (
            DELEGATED_TOTAL_DUE, "20wd", f"晋民发〔2023〕31号 四(二)；{DELEGATING}")
        assert view.case.attributes["delegated_by"] == DELEGATING
    assert opened.case.attributes["delegated"] is True
    other = by_rule(accepted_case(engine, "丙县", "C1"))["total"].deadline
    assert (other.due_on, other.duration, other.citation) == (TOTAL_DUE, "30wd", "晋民发〔2023〕31号 四(二)")
    assert "delegated_by" not in engine.case("C1").case.attributes
    assert engine.recompute() == []
    assert engine.verify() == (3, 6, [])
    for case_id in ("Y1", "Y2", "C1"):
        assert engine.replay(case_id)[1] == engine.store.deadlines(case_id)


def test_a_total_recorded_before_the_county_s_document_was_cited_keeps_its_basis(
        engine, monkeypatch):
    """A database written before a delegated total cited the county's document: its events
    recorded no delegated_by, and the total they started keeps the basis it was recorded with
    (晋民发〔2023〕31号 四(二)), through recompute (nothing recorded) and audit verify (clean),
    and through an event recorded after, which records delegated_by but changes no period."""
    engine.set_parameter("shanxi", "乙县", "delegation", "always", DELEGATING, ACCEPTED)
    with monkeypatch.context() as old:
        old.setattr(local_parameters, "county_delegation", lambda *_: None)
        view = accepted_case(engine, "乙县", "OLD")
    assert "delegated_by" not in view.case.attributes
    stored = engine.store.deadlines("OLD")
    assert by_rule(view)["total"].deadline.citation == "晋民发〔2023〕31号 四(二)"
    assert engine.recompute() == []
    assert engine.store.deadlines("OLD") == stored
    assert engine.store.history("OLD")[-1].event == "accept"
    assert engine.verify() == (1, 2, [])
    assert Engine.open(engine.store.path).verify() == (1, 2, [])
    # (Engine.replay too, as the events recorded it: a review found it worked the document
    # out again, and gave the total a basis its stored row, verify and recompute did not)
    replayed, deadlines = engine.replay("OLD")
    assert "delegated_by" not in replayed.attributes and deadlines == stored
    after = engine.fire("OLD", "start_investigation", on=date(2026, 3, 4))
    assert after.case.attributes["delegated_by"] == DELEGATING
    total = by_rule(after)["total"].deadline
    assert (total.due_on, total.citation) == (DELEGATED_TOTAL_DUE, "晋民发〔2023〕31号 四(二)")
    assert engine.recompute() == []
    assert engine.verify() == (1, 3, [])


def test_a_county_s_later_document_delegating_again_does_not_replace_the_one_that_delegated(
        engine):
    """乙县 delegated from Mon 2026-03-02 (乙县民政局〔2026〕3号) and again from 03-05 under
    乙县民政局〔2026〕9号. A case accepted on 03-02 was delegated by the first: its total (20
    working days, 03-30) cites 四(二) then 3号, and an event of 03-06 keeps delegated_by at 3号
    (a review found it replaced by 9号, naming a document that did not delegate the case,
    while the total still cited 3号)."""
    engine.set_parameter("shanxi", "乙县", "delegation", "always", DELEGATING, ACCEPTED)
    accepted_case(engine, "乙县", "Y1")
    engine.set_parameter("shanxi", "乙县", "delegation", "always", "乙县民政局〔2026〕9号",
                         date(2026, 3, 5))
    view = engine.fire("Y1", "start_investigation", on=date(2026, 3, 6))
    assert view.case.attributes["delegated_by"] == DELEGATING
    total = by_rule(view)["total"].deadline
    assert (total.due_on, total.citation) == (DELEGATED_TOTAL_DUE,
                                              f"晋民发〔2023〕31号 四(二)；{DELEGATING}")
    assert engine.replay("Y1")[0].attributes["delegated_by"] == DELEGATING
    assert engine.verify() == (1, 3, [])


def test_a_province_that_always_delegates_leaves_its_counties_no_choice(engine):
    """津民发〔2023〕13号 四(一): confirmation is at township level in all of 天津."""
    with pytest.raises(InvalidInput, match=r"always in tianjin \(津民发〔2023〕13号 四\(一\)\): "
                                           "a county cannot set it back"):
        engine.set_parameter("tianjin", "和平区", "delegation", "per_case", "x", ACCEPTED)


def test_jiangsu_s_employment_cost_share_is_set_by_the_locality(engine):
    """江苏征求意见稿 一(二): "就业成本扣减比例由当地结合实际确定，最高不超过低保标准". 昆山市 deducts
    30 % of the standard (1000): employment income 1500 counts as 1500 − 300 = 1200; the
    province's default deducts nothing."""
    engine.set_parameter("jiangsu_draft", "昆山市", "employment_cost_share", 0.3,
                         "苏州市民政局〔2026〕5号 二", date(2026, 1, 5))
    household = {"standard": 1000, "members": [{"id": "a", "age": 40,
                                                "income": {"employment": 1500}}]}
    local = engine.assess("jiangsu_draft", household, county="昆山市")
    assert local.countable_income == 1200
    assert local.steps[0].citation == ("江苏征求意见稿 一(二) 二是（扣减比例由当地结合实际确定，最高不超过"
                                       "低保标准）；苏州市民政局〔2026〕5号 二")
    assert engine.assess("jiangsu_draft", household).countable_income == 1500


def test_removing_a_setting_returns_to_the_province_s_value_and_keeps_the_history(engine):
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    engine.set_parameter("shanxi", "甲县", "investigation_start", None, "甲县民政局〔2026〕4号",
                         date(2026, 2, 2))
    assert by_rule(accepted_case(engine, "甲县", "A1"))["investigation_start"].deadline.due_on \
        == NATIONAL_INVESTIGATION_DUE
    assert engine.parameter_settings() == []
    history = engine.parameter_settings(in_force=False)
    assert [(s.value, s.citation) for s in history] == [("2wd", BASIS),
                                                        (None, "甲县民政局〔2026〕4号")]
    with pytest.raises(InvalidInput, match="has no dibao parameter 'investigation_start' of its"):
        engine.set_parameter("shanxi", "甲县", "investigation_start", None, "y", ACCEPTED)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("nope", "2wd", "workflow 'dibao' has no parameter 'nope' (parameters: county_confirmation"),
    ("investigation_start", "2x", "dibao parameter 'investigation_start': unknown unit 'x'"),
    ("investigation_start", 2, "must be text like the province's \"3wd\", not 2"),
    ("publicity_channels", ["网上", 3], "must be a list of text"),
    ("delegation", "sometimes", 'is always or per_case, not "sometimes"'),
    # rules.md §5: "Step deadlines other than the totals"; the 7-day 公示 is 57号 第19条.
    ("total", "30d", "dibao parameter 'total' is not left to the locality (晋民发〔2023〕31号 "
                     "四(二) sets it); a county may set: county_confirmation, delegation, "
                     "investigation_start, publicity_channels, refusal_notice, "
                     "residence_permit_applications, verification_start"),
    ("total_extended", "1000wd", "'total_extended' is not left to the locality"),
    ("publicity", "1d", "'publicity' is not left to the locality"),
    ("publicity_channels", [], "cannot be empty (the province's: [\"村（社区）\"])"),
    # A period the calendar cannot count from the decision would make every later 受理 fail.
    ("investigation_start", "99999999999wd",
     "dibao parameter 'investigation_start': 2026-03-02 +99999999999 working days falls outside "
     "the calendar"),
])
def test_a_bad_setting_is_refused_and_nothing_is_recorded(engine, name, value, message):
    with pytest.raises(InvalidInput) as refused:
        engine.set_parameter("shanxi", "甲县", name, value, BASIS, ACCEPTED)
    assert message in str(refused.value)
    assert engine.parameter_settings(in_force=False) == []


def test_a_setting_needs_its_basis_and_a_date_the_calendar_knows(engine):
    with pytest.raises(InvalidInput, match="needs its basis"):
        engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", " ", ACCEPTED)
    with pytest.raises(InvalidInput, match="2017-01-01"):
        engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS,
                             date(2017, 1, 1))
    assert engine.parameter_settings(in_force=False) == []


def test_recompute_moves_the_running_deadlines_of_the_county_only(engine):
    accepted_case(engine, "甲县", "A1")
    accepted_case(engine, "乙县", "B1")
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 3, 2))
    moved = engine.recompute()
    assert moved == [("A1", "investigation_start", 1, NATIONAL_INVESTIGATION_DUE,
                      COUNTY_INVESTIGATION_DUE)]
    stored = {d.rule: d for d in engine.store.deadlines("A1")}["investigation_start"]
    assert (stored.due_on, stored.citation) == (COUNTY_INVESTIGATION_DUE, BASIS)
    assert engine.replay("A1")[1] == engine.store.deadlines("A1")


def test_recompute_reads_the_settings_another_process_recorded_since_the_engine_opened(
        engine):
    """Found by review: an Engine kept open (a platform's) read the county settings once, so
    its recompute, run after `doudi parameter set` in another process, applied none of it:
    nothing moved and nothing was said. Recompute is what a changed parameter is re-derived
    with: it reads the settings afresh. 57号 第15条's 3 working days from Mon 03-02 → Thu
    03-05; 甲县's 2 → Wed 03-04."""
    accepted_case(engine, "甲县", "A1")
    other = Engine.open(engine.store.path)  # (another process: `doudi parameter set`)
    other.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, ACCEPTED)
    other.close()
    assert engine.recompute() == [("A1", "investigation_start", 1, NATIONAL_INVESTIGATION_DUE,
                                   COUNTY_INVESTIGATION_DUE)]
    assert engine.store.deadlines("A1") == Engine.open(engine.store.path).replay("A1")[1]


def test_verify_reads_the_settings_another_process_recorded_and_recomputed_with(engine):
    """Found by review: an Engine kept open (a platform checking its evidence) compared the
    deadlines another process re-derived with 甲县's new setting (`doudi parameter set`,
    `doudi recompute`) against its own, read before the setting: a finding that the case
    disagrees with its history, in an intact database. 57号 第15条's 3 working days from
    Mon 03-02 → Thu 03-05; 甲县's 2 → Wed 03-04."""
    accepted_case(engine, "甲县", "A1")
    assert engine.verify() == (1, 2, [])
    other = Engine.open(engine.store.path)  # (another process)
    other.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, ACCEPTED)
    assert [m[3:] for m in other.recompute()] == [(NATIONAL_INVESTIGATION_DUE,
                                                   COUNTY_INVESTIGATION_DUE)]
    other.close()
    assert engine.verify() == (1, 3, [])


def test_a_correction_is_worked_out_again_however_often_the_settings_change_meanwhile(
        engine, monkeypatch):
    """Found by stress review: `doudi case correct` while another process set and unset a
    county parameter over and over failed "a county's parameters were changed by another
    writer meanwhile: nothing written; try again" (exit 1): a correction was worked out again
    once, an event up to 20 times. Here 甲县's setting changes before each of the first two
    writes; the correction is recorded on the third, as an event would be."""
    from engine.store import Store

    accepted_case(engine, "甲县", "A1")
    other = Engine.open(engine.store.path)  # (another process: `doudi parameter set|unset`)
    real, writes = Store.commit, []

    def changed_first(store, changes):
        writes.append(1)
        if len(writes) <= 2:
            value = "2wd" if len(writes) == 1 else None
            other.set_parameter("shanxi", "甲县", "investigation_start", value, BASIS, ACCEPTED)
        return real(store, changes)

    monkeypatch.setattr(Store, "commit", changed_first)
    view = engine.correct("A1", 0, on=date(2026, 3, 3), reason="姓名录错",
                          payload={"applicant_name": "张珊"})
    assert (len(writes), view.history[-1]["event"], view.history[-1]["corrects"]) == (
        3, "correction", 0)



def test_an_event_counted_before_a_setting_another_process_recorded_is_counted_again(
        engine, monkeypatch):
    """An event's write asks whether a county setting was recorded since the engine read
    them inside its case's UPDATE, not by a read of its own first: 甲县's 2 working days,
    recorded by another process as A1's accept is written, refuse that write (it counted
    57号 第15条's 3: Thu 03-05), and the event is worked out again with them: Wed 03-04."""
    from engine.store import SettingsChanged, Store

    engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "甲县"}, case_id="A1")
    other = Engine.open(engine.store.path)  # (another process: `doudi parameter set`)
    real, refused = Store.commit, []

    def set_first(store, changes):
        if not refused:
            other.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, ACCEPTED)
        try:
            return real(store, changes)
        except SettingsChanged as exc:
            refused.append(exc)
            raise

    monkeypatch.setattr(Store, "commit", set_first)
    view = engine.fire("A1", "accept", on=ACCEPTED)
    assert len(refused) == 1
    assert by_rule(view)["investigation_start"].deadline.due_on == COUNTY_INVESTIGATION_DUE


def test_a_write_over_a_changed_case_and_changed_settings_is_refused_for_the_settings(
        engine, monkeypatch):
    """Both at once, another process having fired on A1 and recorded a setting since this
    engine kept A1: the write is refused for the settings (SettingsChanged, which reads
    them again), as when it asked for them before its first statement, not for the case
    (Conflict); worked out again, A1's request_verification is recorded."""
    from engine.errors import Conflict
    from engine.store import Store

    accepted_case(engine, "甲县", "A1")  # (kept in memory, as accepted)
    other = Engine.open(engine.store.path)
    other.fire("A1", "start_investigation", on=date(2026, 3, 3))
    other.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, ACCEPTED)
    real, refused = Store.commit, []

    def noted(store, changes):
        try:
            return real(store, changes)
        except Conflict as exc:
            refused.append(type(exc).__name__)
            raise

    monkeypatch.setattr(Store, "commit", noted)
    view = engine.fire("A1", "request_verification", on=date(2026, 3, 4))
    assert refused == ["SettingsChanged"]
    assert [e["event"] for e in view.history][-2:] == ["start_investigation",
                                                       "request_verification"]

def test_settings_are_append_only(engine):
    import sqlite3

    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, ACCEPTED)
    for sql in ("update local_parameters set value = '\"1wd\"'", "delete from local_parameters"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            engine.store.db.execute(sql)


def test_the_cli_sets_lists_and_removes_a_county_parameter(db):
    result = run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
                 "--county", "甲县", "--basis", BASIS, "--on", "2026-01-05", "--actor", "张三")
    assert result.exit_code == 0, result.output
    assert result.stdout == f'甲县 (shanxi) dibao investigation_start = "2wd" ({BASIS})\n'
    listed = json.loads(run(db, "parameter", "list", "--format", "json").stdout)
    assert [{k: row[k] for k in ("province", "county", "workflow", "name", "value", "citation",
                                 "on", "actor")} for row in listed] == [
        {"province": "shanxi", "county": "甲县", "workflow": "dibao",
         "name": "investigation_start", "value": "2wd", "citation": BASIS, "on": "2026-01-05",
         "actor": "张三"}]
    shown = json.loads(run(db, "workflow", "show", "dibao", "--province", "shanxi",
                           "--county", "甲县", "--format", "json").stdout)
    assert shown["parameters"]["investigation_start"]["citation"] == BASIS
    # A case opened in the county through the CLI counts the county's 2 working days.
    case_id = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02",
                  "--set", "county=甲县").stdout.strip()
    run(db, "case", "fire", case_id, "accept", "--on", "2026-03-02")
    deadlines = json.loads(run(db, "case", "show", case_id, "--format", "json").stdout)
    assert {d["rule"]: d["due_on"] for d in deadlines["deadlines"]}["investigation_start"] \
        == "2026-03-04"
    removed = run(db, "parameter", "unset", "investigation_start", "--province", "shanxi",
                  "--county", "甲县", "--basis", "甲县民政局〔2026〕4号")
    assert removed.exit_code == 0, removed.output
    assert run(db, "parameter", "list").stdout == "(none)\n"
    history = run(db, "parameter", "list", "--history", "--format", "csv").stdout.splitlines()
    assert len(history) == 3 and "(the province's)" in history[2]
    # A value as it is, not JSON-quoted twice over (found by review: """2wd""").
    assert history[1].split(",")[4] == "2wd"
    # A misspelt province is an error like everywhere else, not an empty list.
    misspelt = run(db, "parameter", "list", "--province", "shanxii")
    assert misspelt.exit_code == 2
    assert error_line(misspelt).startswith("Error: unknown province 'shanxii' (known: ")


def test_parameter_list_of_a_county_nothing_names_notes_it_as_the_reports_do(db):
    """Found by review: `parameter list --county 申县` (misspelt) printed "(none)" alone, which
    reads as "the county set nothing"; `report breaches --county` and `workflow show --county`
    note a county no case or setting names. A county with a case but no setting, or with a
    setting not in force on --as-of, lists nothing without a note."""
    run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
        "--county", "甲县", "--basis", BASIS, "--on", "2026-01-05")
    run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02", "--set", "county=乙县")
    misspelt = run(db, "parameter", "list", "--county", "申县")
    assert (misspelt.exit_code, misspelt.stdout) == (0, "(none)\n")
    assert misspelt.stderr == "note: no case or setting names county '申县'; check the spelling\n"
    in_shanxi = run(db, "parameter", "list", "--province", "shanxi", "--county", "申县")
    assert in_shanxi.stderr == ("note: no case or setting names county '申县' in shanxi; check "
                                "the spelling\n")
    for args in (["--county", "乙县"], ["--county", "甲县", "--as-of", "2026-01-04"],
                 ["--county", "甲县"]):
        listed = run(db, "parameter", "list", *args)
        assert listed.exit_code == 0 and listed.stderr == "", (args, listed.output)


def test_a_bad_setting_on_the_cli_is_one_line_exit_2_and_nothing_written(db):
    run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
        "--county", "甲县", "--basis", BASIS)
    before = dump_file(db)
    result = run(db, "parameter", "set", "investigation_start", "2 days", "--province",
                 "shanxi", "--county", "甲县", "--basis", BASIS)
    assert result.exit_code == 2
    assert "unknown unit" in error_line(result, "Error: dibao parameter 'investigation_start'")
    assert dump_file(db) == before


def test_a_failed_first_setting_leaves_no_database(tmp_path):
    path = str(tmp_path / "new.db")
    result = run(path, "parameter", "set", "nope", "1", "--province", "shanxi", "--county", "甲县",
                 "--basis", BASIS)
    assert result.exit_code == 2
    assert not (tmp_path / "new.db").exists()


def test_a_jiangsu_county_sets_its_phase_out_at_twice_the_standard(engine):
    """江苏征求意见稿 一(五): "家庭人均收入达到或超过当地低保标准2倍的，自收入发生变动起一定期限内保留
    低保待遇，最长不超过6个月" — the period is the locality's. 昆山市 sets 3 months: income 2000
    against a standard of 1000 in 2026-03 keeps 600 for 2026-04, 05, 06, and the benefit ends
    by itself on 2026-07-01; a household elsewhere keeps the province's 6 (04 … 09)."""
    engine.set_parameter("jiangsu_draft", "昆山市", "phase_out_months_high_income", 3,
                         "苏州市民政局〔2026〕5号 三", date(2026, 1, 5), workflow="benefit")
    cases = {}
    for county in ("昆山市", "常熟市"):
        case = engine.open_case("jiangsu_draft", "benefit", on=date(2026, 1, 5), attributes={
            "amount": 600, "paid_from": "2026-01", "county": county})
        engine.fire(case.id, "income_exceeds", on=date(2026, 3, 10),
                    payload={"per_capita_income": 2000, "standard": 1000})
        cases[county] = engine.case(case.id, as_of=date(2026, 12, 31))
    local = cases["昆山市"]
    assert [(p.month, p.amount) for p in local.payments][3:] == [
        ("2026-04", 600.0), ("2026-05", 600.0), ("2026-06", 600.0)]
    assert (local.history[-1]["event"], local.history[-1]["on"]) == ("phase_out_end",
                                                                     "2026-07-01")
    assert [p.month for p in cases["常熟市"].payments][3:] == [
        f"2026-{m:02d}" for m in range(4, 10)]


def test_a_setting_governs_events_dated_from_its_decision_on(engine):
    """A county's document applies from the date it was decided: a case accepted before it
    keeps the national 3 working days, also after recompute (its deadline is evidence of the
    rule then in force); one accepted on or after it gets the county's 2."""
    accepted_case(engine, "甲县", "BEFORE")                      # accepted 2026-03-02
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 3, 3))
    assert engine.recompute() == []
    before = {d.rule: d for d in engine.store.deadlines("BEFORE")}["investigation_start"]
    assert (before.due_on, before.citation) == (NATIONAL_INVESTIGATION_DUE,
                                                "民发〔2021〕57号 第15条（国家规定）")
    engine.open_case("shanxi", on=date(2026, 3, 3), attributes={"county": "甲县"},
                     case_id="AFTER")
    view = engine.fire("AFTER", "accept", on=date(2026, 3, 3))
    # 2 working days from Tue 3/3: 3/4(1) 3/5(2) → 2026-03-05, under the county's basis.
    assert (by_rule(view)["investigation_start"].deadline.due_on,
            by_rule(view)["investigation_start"].deadline.citation) == (date(2026, 3, 5), BASIS)


def test_a_delegation_decided_after_acceptance_leaves_the_running_total_as_it_was(engine):
    """民发〔2022〕83号 四(一): 20 working days where confirmation is delegated to the township,
    else the province's 30 (晋民发〔2023〕31号 四(二)). 乙县 delegates from 2026-04-01; a case it
    accepted on 2026-03-02 keeps the total then in force (its deadline is evidence of the rule
    then in force, docs/provinces.md), 30 wd → 2026-04-14, whatever event comes after the
    decision. The next event (4/2) recounted it to 20 wd → 2026-03-30, so the breach report
    as of 4/2 listed it 3 working days overdue (3/31, 4/1, 4/2) while the same case with no
    event since the decision was on time. As of 4/15 it is 1 day overdue (4/15)."""
    for case_id in ("EVENT_AFTER", "NO_EVENT_AFTER"):
        accepted_case(engine, "乙县", case_id)
        engine.fire(case_id, "start_investigation", on=date(2026, 3, 4))
    engine.set_parameter("shanxi", "乙县", "delegation", "always", "乙县人民政府〔2026〕2号",
                         date(2026, 4, 1))
    engine.fire("EVENT_AFTER", "request_verification", on=date(2026, 4, 2))
    for case_id in ("EVENT_AFTER", "NO_EVENT_AFTER"):
        total = by_rule(engine.deadlines(case_id, as_of=date(2026, 4, 2)))["total"]
        assert (total.deadline.due_on, total.status) == (TOTAL_DUE, "open")
    assert engine.breaches(as_of=date(2026, 4, 2)) == []
    engine.fire("EVENT_AFTER", "start_verification", on=date(2026, 4, 3))
    engine.fire("EVENT_AFTER", "post_publicity", on=date(2026, 4, 3))
    assert engine.recompute() == []
    assert sorted((b.case.id, b.view.deadline.rule, b.view.overdue_working_days)
                  for b in engine.breaches(as_of=date(2026, 4, 15))) == [
        ("EVENT_AFTER", "total", 1), ("NO_EVENT_AFTER", "total", 1)]
    # The case is confirmed by the township now: there is no county step.
    with pytest.raises(EventRefused, match="delegated to the township"):
        engine.fire("EVENT_AFTER", "submit_to_county", on=date(2026, 4, 13))


def test_recompute_uses_the_county_each_event_found(engine):
    """An event that moves a case to another county (--set county=…) changes the rules of the
    events after it, not of those before: recompute derives each as fire did."""
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    accepted_case(engine, "甲县", "MOVED")
    engine.fire("MOVED", "start_investigation", on=date(2026, 3, 3),
                payload={"county": "乙县"})
    stored = engine.store.deadlines("MOVED")
    assert engine.recompute() == []
    assert engine.store.deadlines("MOVED") == stored
    assert engine.replay("MOVED")[1] == stored


def test_a_keyed_open_repeated_after_a_later_setting_is_the_same_call(engine):
    first = engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "乙县"},
                             idempotency_key="K1")
    engine.set_parameter("shanxi", "乙县", "delegation", "always", "乙县人民政府〔2026〕2号",
                         date(2026, 6, 1))
    again = engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "乙县"},
                             idempotency_key="K1")
    assert again.id == first.id
    assert "delegated" not in again.case.attributes


@pytest.mark.parametrize(("name", "value", "message"), [
    # 一(五) "最长不超过6个月"
    ("phase_out_months_high_income", 7, "must be from 1 to 6 (江苏征求意见稿 一(五)"),
    ("phase_out_months_high_income", 2.5, "must be a whole number like the province's 6"),
    # 一(四) 供养费用 "可以视情适当豁免": a share of it, never more than all of it
    ("single_support_counted_share", 5, "must be from 0 to 1"),
    ("collective_min_participants", 0, "must be from 2 to 99"),
])
def test_a_jiangsu_county_s_value_stays_within_the_draft_s_bounds(engine, name, value, message):
    workflow = "benefit" if name.startswith("phase_out") else "dibao"
    with pytest.raises(InvalidInput) as refused:
        engine.set_parameter("jiangsu_draft", "昆山市", name, value, "x", ACCEPTED,
                             workflow=workflow)
    assert message in str(refused.value)
    assert engine.parameter_settings(in_force=False) == []


def test_a_county_name_with_spaces_around_it_is_refused(engine):
    with pytest.raises(InvalidInput, match="without spaces around it: \" 甲县 \""):
        engine.set_parameter("shanxi", " 甲县 ", "investigation_start", "2wd", BASIS, ACCEPTED)


def test_a_county_that_would_not_show_as_itself_is_refused(engine):
    # Found by review: 甲\u200b县 shows as 甲县 but is another county, whose setting would
    # never apply to 甲县's cases.
    with pytest.raises(InvalidInput, match=r"county must be printable text on one line, "
                                           r".* \(character U\+200B\)"):
        engine.set_parameter("shanxi", "甲\u200b县", "investigation_start", "2wd", BASIS, ACCEPTED)
    assert engine.parameter_settings(in_force=False) == []


def test_parameter_list_shows_what_is_in_force_on_the_day(db, monkeypatch):
    """Found by review: a setting decided for 2027-06-01 was listed as in force in December
    2026 over one from 2026-12-01, while the cases counted the latter."""
    monkeypatch.setattr("engine.clock.china_today", lambda: date(2026, 12, 6))
    for value, on in (("2wd", "2027-06-01"), ("3wd", "2026-12-01")):
        assert run(db, "parameter", "set", "investigation_start", value, "--province", "shanxi",
                   "--county", "甲县", "--basis", BASIS, "--on", on).exit_code == 0
    engine = Engine.open(db)
    assert engine.workflow("shanxi", "dibao", "甲县", date(2026, 12, 6)).parameters[
        "investigation_start"].value == "3wd"

    def listed(*args):
        rows = json.loads(run(db, "parameter", "list", "--format", "json", *args).stdout)
        return [(row["value"], row["on"]) for row in rows]

    assert listed() == [("3wd", "2026-12-01")]
    assert listed("--as-of", "2027-06-01") == [("2wd", "2027-06-01")]
    assert len(listed("--history")) == 2


def test_parameter_set_for_a_county_nothing_names_notes_it(db):
    """Found by a fresh-eyes pass: `parameter set … --county 申县` (misspelt 甲县) was recorded
    with no word, and 甲县's cases went on counting with the province's value. Recorded all
    the same (a county's settings may come before its first case), with the note the reports
    and `parameter list` give; none once a case or an earlier setting names it."""
    args = ["investigation_start", "2wd", "--province", "shanxi", "--basis", BASIS,
            "--on", "2026-01-05"]
    run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02", "--set", "county=甲县")
    misspelt = run(db, "parameter", "set", *args, "--county", "申县")
    assert misspelt.exit_code == 0
    assert misspelt.stdout == f'申县 (shanxi) dibao investigation_start = "2wd" ({BASIS})\n'
    assert misspelt.stderr == ("note: no case or other setting names county '申县' in shanxi; "
                               "recorded all the same, for its cases to come: check the "
                               "spelling\n")
    assert [s.county for s in Engine.open(db).parameter_settings("shanxi", "申县",
                                                                 in_force=False)] == ["申县"]
    for county in ("甲县", "申县"):  # (a case names it; a setting now names it)
        again = run(db, "parameter", "set", *args[:1], "3wd", *args[2:], "--county", county)
        assert again.exit_code == 0 and again.stderr == "", again.output


def test_parameter_set_and_unset_say_that_running_deadlines_wait_for_recompute(db):
    """Found by review: a setting moves no running deadline by itself, and an event fired
    before `doudi recompute` is judged by the dates the deadline has (recompute then keeps
    that judgement). The help of `doudi parameter` said so; the command itself did not.
    Accepted 2026-03-02, a 山西 case runs two deadlines: investigation_start (57号 第15条)
    and the 30-working-day total (晋民发〔2023〕31号 四(二))."""
    note = ("note: 2 deadlines running in 1 case of 甲县 keep the dates they were worked out "
            "with until `doudi recompute` re-derives them\n")
    args = ["--province", "shanxi", "--basis", BASIS, "--on", "2026-01-05"]
    accepted = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02",
                   "--set", "county=甲县").stdout.strip()
    run(db, "case", "fire", accepted, "accept", "--on", "2026-03-02")
    run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02", "--set", "county=乙县")
    result = run(db, "parameter", "set", "investigation_start", "2wd", *args, "--county", "甲县")
    assert (result.exit_code, result.stderr) == (0, note), result.output
    assert result.stdout == f'甲县 (shanxi) dibao investigation_start = "2wd" ({BASIS})\n'
    # 乙县's case was only opened (立案): nothing runs there yet, so nothing to say.
    other = run(db, "parameter", "set", "investigation_start", "2wd", *args, "--county", "乙县")
    assert (other.exit_code, other.stderr) == (0, "")
    # Nothing written: nothing to say either.
    again = run(db, "parameter", "set", "investigation_start", "2wd", *args, "--county", "甲县")
    assert again.stderr == "" and again.stdout.endswith("nothing written\n")
    recomputed = run(db, "recompute")
    assert recomputed.exit_code == 0 and "1 due date moved in 1 of 2 cases" in recomputed.output
    removed = run(db, "parameter", "unset", "investigation_start", "--province", "shanxi",
                  "--county", "甲县", "--basis", "甲县民政局〔2026〕4号", "--on", "2026-01-06")
    assert (removed.exit_code, removed.stderr) == (0, note), removed.output


def test_the_recompute_note_is_only_for_a_parameter_a_due_date_is_worked_out_from(db):
    """Found by review: `parameter set publicity_channels` printed the note that running
    deadlines keep their dates until recompute, though no deadline counts a channel (晋民发
    〔2023〕31号 四(五): 在申请家庭所在村（社区）进行公示: where, not how long). `delegation`
    does move them: delegated, the total is 20 working days (四(二)), not 30."""
    note = ("note: 2 deadlines running in 1 case of 甲县 keep the dates they were worked out "
            "with until `doudi recompute` re-derives them\n")
    args = ["--province", "shanxi", "--basis", BASIS, "--on", "2026-01-05", "--county", "甲县"]
    accepted = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02",
                   "--set", "county=甲县").stdout.strip()
    run(db, "case", "fire", accepted, "accept", "--on", "2026-03-02")
    channels = run(db, "parameter", "set", "publicity_channels", '["村（社区）", "网上"]', *args)
    assert (channels.exit_code, channels.stderr) == (0, ""), channels.output
    unset = run(db, "parameter", "unset", "publicity_channels", "--province", "shanxi",
                "--basis", BASIS, "--on", "2026-01-06", "--county", "甲县")
    assert (unset.exit_code, unset.stderr) == (0, ""), unset.output
    delegation = run(db, "parameter", "set", "delegation", "always", *args)
    assert (delegation.exit_code, delegation.stderr) == (0, note), delegation.output


def test_parameter_set_notes_a_county_named_only_in_another_province(db):
    """Found by review: the note of `parameter set` looked for the county's name in a case of
    any province, so a 甲县 of tianjin (a case there, or a setting there) kept quiet a 甲县 of
    shanxi that nothing of shanxi names. It looks within the province given."""
    note = ("note: no case or other setting names county '甲县' in shanxi; recorded all the "
            "same, for its cases to come: check the spelling\n")
    args = ["investigation_start", "2wd", "--basis", BASIS, "--on", "2026-01-05",
            "--county", "甲县"]
    run(db, "case", "open", "--province", "tianjin", "--on", "2026-03-02", "--set", "county=甲县")
    only_a_case = run(db, "parameter", "set", *args, "--province", "shanxi")
    assert only_a_case.exit_code == 0 and only_a_case.stderr == note
    other = db + ".other"
    assert run(other, "parameter", "set", *args, "--province", "tianjin").stderr != ""
    only_a_setting = run(other, "parameter", "set", *args, "--province", "shanxi")
    assert only_a_setting.exit_code == 0 and only_a_setting.stderr == note
    for database in (db, other):  # (now a setting of shanxi names it)
        again = run(database, "parameter", "set", *args[:1], "3wd", *args[2:], "--province",
                    "shanxi")
        assert again.exit_code == 0 and again.stderr == "", again.output


def test_workflow_show_and_assess_use_the_settings_in_force_today(db, monkeypatch):
    """Found by review: `workflow show --county` and `assess --county` applied a setting decided
    for a later date, which no case yet follows (江苏征求意见稿 一(六): a locality raising its
    边缘 multiple to 2 from 2026-12-31: on 2026-12-06 a household at 1,800 a head, standard
    1,000, is still above 1.5 × 1,000)."""
    monkeypatch.setattr("engine.clock.china_today", lambda: date(2026, 12, 6))
    assert run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
               "--county", "甲县", "--basis", BASIS, "--on", "2026-12-20").exit_code == 0

    def shown(*args):
        result = run(db, "workflow", "show", "dibao", "--province", "shanxi", "--county", "甲县",
                     "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["parameters"]["investigation_start"]["value"]

    assert shown() == "3wd"
    assert shown("--as-of", "2026-12-20") == "2wd"
    # A county no case and no setting names (misspelt, or with a space) gets a note; a date
    # outside the calendar is refused as elsewhere.
    typo = run(db, "workflow", "show", "dibao", "--province", "shanxi", "--county", "甲县 ",
               "--format", "json")
    assert typo.exit_code == 0
    assert "note: no case or setting names county '甲县 ' in shanxi" in typo.stderr
    # A terminal escape in it is written as its escape once, as the reports' note writes it
    # (found by review: visible() and then repr() wrote '\\x1b', a backslash doubled).
    escaped = run(db, "workflow", "show", "dibao", "--province", "shanxi", "--county",
                  "甲\x1b[31m县", "--format", "json")
    assert "county '甲\\x1b[31m县' in shanxi" in escaped.stderr
    early = run(db, "workflow", "show", "dibao", "--province", "shanxi", "--county", "甲县",
                "--as-of", "2017-01-01")
    assert early.exit_code == 2
    # (the JSON lists the attributes the workflow declares, as the README says)
    data = json.loads(run(db, "workflow", "show", "dibao", "--province", "shanxi", "--county",
                          "甲县", "--format", "json").stdout)
    assert data["attributes"]["applicant_name"]["type"] == "text"
    engine = Engine.open(db)
    engine.set_parameter("jiangsu_draft", "昆山市", "marginal_multiple", 2, "昆山市民政局 第3条",
                         date(2026, 12, 31))
    household = {"standard": 1000, "members": [
        {"id": "a", "age": 40, "income": {"employment": 1800}}]}
    assert engine.assess("jiangsu_draft", household, county="昆山市").classification == "above"
    later = Engine.open(db, today=lambda: date(2026, 12, 31))
    assert later.assess("jiangsu_draft", household, county="昆山市").classification == "marginal"


def test_the_rules_an_engine_gives_out_cannot_be_changed_by_the_caller(engine, tmp_path):
    """Found by review: ``Workflow.parameters`` was the registry's cached dict and a list
    value the same list for every engine of the process: a caller changing what it was given
    (a 99wd total, a publicity channel appended) changed the rules of every case after it."""
    import attrs

    wf = engine.workflow("shanxi")
    with pytest.raises(TypeError):
        wf.parameters["total"] = attrs.evolve(wf.parameters["total"], value="99wd")
    with pytest.raises(TypeError):
        wf.parameters["publicity_channels"].value.append("网上")
    with pytest.raises(TypeError):
        wf.parameters["extension_reasons"].value[0] = "任何理由"
    with pytest.raises(TypeError):
        del wf.attributes["county"]
    with pytest.raises(TypeError):
        engine.workflow("tianjin", "benefit").parameters["phase_out"].value.clear()
    engine.set_parameter("shanxi", "甲县", "publicity_channels", ["村（社区）", "网站"], BASIS,
                         on=date(2026, 1, 5))
    [setting] = engine.parameter_settings(as_of=ACCEPTED)
    with pytest.raises(TypeError):
        setting.value.append("网上")
    with pytest.raises(TypeError):
        engine.workflow("shanxi", county="甲县").parameters["publicity_channels"].value += ["网上"]
    # A copy is the caller's own; the values are still lists, as JSON shows them.
    copy = setting.to_json()
    copy["value"].append("网上")
    assert engine.parameter_settings(as_of=ACCEPTED)[0].value == ["村（社区）", "网站"]
    assert isinstance(setting.value, list)

    other = Engine.open(str(tmp_path / "other.db"))
    parameters = other.workflow("shanxi").parameters
    assert parameters["total"].value == "30wd"
    assert parameters["publicity_channels"].value == ["村（社区）"]
    assert other.workflow("tianjin", "benefit").parameters["phase_out"].value == [
        1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    case = other.open_case(province="shanxi", on=ACCEPTED)
    assert by_rule(other.fire(case.id, "accept", on=ACCEPTED))["total"].deadline.duration == "30wd"


def test_read_only_values_are_json_and_copy_as_before():
    import copy
    import pickle

    from engine.read_only import ReadOnlyList, read_only

    value = read_only({"a": [1, {"b": [2]}], "c": (3, [4])})
    assert json.dumps(value) == '{"a": [1, {"b": [2]}], "c": [3, [4]]}'
    assert value == {"a": [1, {"b": [2]}], "c": (3, [4])} and value["a"] != []
    assert copy.copy(value["a"]) == value["a"]
    for again in (copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
        assert again == value
    assert type(copy.deepcopy(value)["c"][1]) is ReadOnlyList
    with pytest.raises(TypeError):
        value["c"][1].extend([5])
    with pytest.raises(TypeError):
        value["a"][1]["b"] = []


def test_a_removal_dated_before_the_setting_takes_effect_is_refused(db):
    """Found by review: `parameter unset --on` a date before the county's setting was in force
    printed success and changed nothing (the setting still held from its own date)."""
    run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
        "--county", "甲县", "--basis", BASIS, "--on", "2026-03-01")
    before = dump_file(db)
    result = run(db, "parameter", "unset", "investigation_start", "--province", "shanxi",
                 "--county", "甲县", "--basis", "甲县民政局〔2026〕4号", "--on", "2026-02-01")
    assert result.exit_code == 2
    assert error_line(result) == ("Error: 甲县 has no dibao parameter 'investigation_start' of "
                                  "its own in force on 2026-02-01 to remove (its setting takes "
                                  "effect on 2026-03-01)")
    assert dump_file(db) == before
    removed = run(db, "parameter", "unset", "investigation_start", "--province", "shanxi",
                  "--county", "甲县", "--basis", "甲县民政局〔2026〕4号", "--on", "2026-03-01")
    assert removed.exit_code == 0, removed.output


def test_a_removal_is_checked_with_the_settings_as_stored_not_those_read_before(engine):
    """Found by review: docs/provinces.md, `parameter unset` is "refused (exit 2) when no
    setting of the county's is in force that day". An Engine kept open (a platform's service)
    checked a removal against the settings it had read before: after another process had
    removed 甲县's 2 working days (dated 01-05), its own removal of that day was recorded, a
    second return to the province's value that changed nothing; and a removal of a setting
    another process had recorded since (4 working days, dated 01-06) was refused as if there
    were none. The removal is checked under the write lock, with the settings stored then."""
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    assert [s.value for s in engine.parameter_settings(as_of=date(2026, 1, 5))] == ["2wd"]
    other = Engine.open(engine.store.path)  # (another process: `doudi parameter unset`)
    other.set_parameter("shanxi", "甲县", "investigation_start", None, "甲县民政局〔2026〕2号",
                        date(2026, 1, 5))
    other.close()
    with pytest.raises(InvalidInput) as refused:
        engine.set_parameter("shanxi", "甲县", "investigation_start", None,
                             "甲县民政局〔2026〕3号", date(2026, 1, 5))
    assert str(refused.value) == ("甲县 has no dibao parameter 'investigation_start' of its "
                                  "own in force on 2026-01-05 to remove")
    assert [(s.value, s.citation) for s in engine.parameter_settings(in_force=False)] == [
        ("2wd", BASIS), (None, "甲县民政局〔2026〕2号")]
    other = Engine.open(engine.store.path)  # (another process: `doudi parameter set`)
    other.set_parameter("shanxi", "甲县", "investigation_start", "4wd", "甲县民政局〔2026〕5号",
                        date(2026, 1, 6))
    other.close()
    engine.set_parameter("shanxi", "甲县", "investigation_start", None, "甲县民政局〔2026〕6号",
                         date(2026, 1, 6))
    assert engine.parameter_settings(as_of=date(2026, 1, 6)) == []
    # 57号 第15条's 3 working days again, from Mon 03-02: 3/3(1) 3/4(2) 3/5(3) → Thu 03-05
    started = by_rule(accepted_case(engine, "甲县", "A1"))["investigation_start"].deadline
    assert started.due_on == NATIONAL_INVESTIGATION_DUE == date(2026, 3, 5)


def test_a_removal_made_by_another_process_before_the_write_lock_is_taken_is_seen(
        engine, monkeypatch):
    """The same between two `doudi parameter unset` of one setting at once: each checked
    that the setting was in force before taking the write lock, and both were recorded."""
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    taking_the_lock = engine.store.write_transaction

    def after_the_other_process():
        other = Engine.open(engine.store.path)
        other.set_parameter("shanxi", "甲县", "investigation_start", None,
                            "甲县民政局〔2026〕2号", date(2026, 1, 5))
        other.close()
        monkeypatch.setattr(engine.store, "write_transaction", taking_the_lock)
        return taking_the_lock()

    monkeypatch.setattr(engine.store, "write_transaction", after_the_other_process)
    with pytest.raises(InvalidInput, match="甲县 has no dibao parameter 'investigation_start' "
                                           "of its own in force on 2026-01-05 to remove"):
        engine.set_parameter("shanxi", "甲县", "investigation_start", None,
                             "甲县民政局〔2026〕3号", date(2026, 1, 5))
    assert [(s.value, s.citation) for s in engine.parameter_settings(in_force=False)] == [
        ("2wd", BASIS), (None, "甲县民政局〔2026〕2号")]


def test_parameter_set_help_names_the_online_channel_the_engine_reads():
    """Found by review: the example list of channels said "网站"; the engine's online 公示
    channel is "网上" (engine/notices.py ONLINE_CHANNEL), and a county copying the example
    would set a channel no notice reads as online."""
    from click.testing import CliRunner

    from engine.cli import cli
    from engine.notices import ONLINE_CHANNEL

    shown = CliRunner().invoke(cli, ["parameter", "set", "--help"]).output
    assert f'["村（社区）", "{ONLINE_CHANNEL}"]' in shown and "网站" not in shown


@pytest.mark.parametrize("typed", [" 2wd", "2WD", "+2wd", "2 wd "])
def test_a_duration_is_stored_as_the_engine_writes_it(engine, typed):
    """Found by review: `parameter set investigation_start ' 2wd'` stored " 2wd" (and "2WD"),
    shown and cited so in every list; it is stored "2wd"."""
    setting = engine.set_parameter("shanxi", "甲县", "investigation_start", typed, BASIS,
                                   ACCEPTED)
    assert setting.value == "2wd"
    assert [s.value for s in engine.parameter_settings(in_force=False)] == ["2wd"]


def test_a_duration_in_other_than_ascii_digits_is_refused(db):
    """２wd (full-width) was read as 2 by Python's int() and stored as typed."""
    run(db, "parameter", "set", "investigation_start", "3wd", "--province", "shanxi",
        "--county", "甲县", "--basis", BASIS)
    before = dump_file(db)
    result = run(db, "parameter", "set", "investigation_start", "２wd", "--province", "shanxi",
                 "--county", "甲县", "--basis", BASIS)
    assert result.exit_code == 2
    assert error_line(result) == ("Error: dibao parameter 'investigation_start' must be a count "
                                  'in ASCII digits and a unit (e.g. 2wd), not "２wd"')
    assert dump_file(db) == before


def test_the_same_setting_twice_is_recorded_once_and_the_cli_says_so(db):
    """Found by review: two identical `parameter set` calls (same value, basis and date)
    recorded two rows. A different basis, or the first again after it, is a new setting."""
    args = ["parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
            "--county", "甲县", "--basis", BASIS, "--on", "2026-01-05"]
    assert run(db, *args).exit_code == 0
    before = dump_file(db)
    again = run(db, *args[:3], " 2WD", *args[4:])
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith(f'甲县 (shanxi) dibao investigation_start = "2wd" ({BASIS}): '
                                   "already recorded for 2026-01-05 (at ")
    assert again.stdout.endswith("); nothing written\n")
    assert dump_file(db) == before
    other = [*args[:-3], "甲县民政局〔2026〕5号", *args[-2:]]
    assert run(db, *other).stdout.endswith("(甲县民政局〔2026〕5号)\n")
    assert run(db, *args).stdout.endswith(f"({BASIS})\n")  # (the latest of the day wins)
    assert len(Engine.open(db).parameter_settings(in_force=False)) == 3


def test_a_county_cannot_take_the_village_out_of_its_publicity_channels(engine):
    """民发〔2021〕57号 第19条 "在申请家庭所在村（社区）公示": online posting only widens it (江苏征求意见稿
    四(二) "通过网上公示等，扩大监督范围"). Found by review: a county set ["网上"] and its 公示
    were then posted online alone; nothing is recorded."""
    with pytest.raises(InvalidInput) as refused:
        engine.set_parameter("jiangsu_draft", "甲县", "publicity_channels", ["网上"], BASIS,
                             on=ACCEPTED)
    assert str(refused.value) == (
        "dibao parameter 'publicity_channels' must include 村（社区）: the 公示 is always posted "
        "there (民发〔2021〕57号 第19条), other channels add to it")
    assert engine.parameter_settings() == []
    engine.set_parameter("jiangsu_draft", "甲县", "publicity_channels", ["村（社区）", "网上"],
                         BASIS, on=ACCEPTED)


@pytest.mark.parametrize("channel", [" 网上", "网上 ", "", " ", "网上,报纸", "网上\n"])
def test_a_county_s_publicity_channel_is_one_a_case_can_be_posted_in(engine, channel):
    """Found by review: 甲县 set its channels to ["村（社区）", " 网上"] (or a blank one, one with
    a comma or a line break), which was recorded; a case's 公示 is given its channels as text
    separated by commas, each read without spaces around it, so `post_publicity --set
    channel=村（社区）,网上` was then refused ("公示 channel 网上 is not provided for; allowed:
    村（社区）、 网上") and no case of the county could be posted online. Nothing is recorded."""
    with pytest.raises(InvalidInput) as refused:
        engine.set_parameter("shanxi", "甲县", "publicity_channels", ["村（社区）", channel],
                             BASIS, on=ACCEPTED)
    assert str(refused.value).startswith(
        "dibao parameter 'publicity_channels': each channel must be its name, without spaces "
        "around it, a comma or a line break, not ")
    assert engine.parameter_settings(in_force=False) == []
    engine.set_parameter("shanxi", "甲县", "publicity_channels", ["村（社区）", "网上"], BASIS,
                         on=ACCEPTED)
    # 57号 第19条's 7 days from the posting on Fri 03-06: 3/7 … 3/13 → the 公示 runs to Fri 03-13
    engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "甲县"}, case_id="A1")
    for event, on in [("accept", ACCEPTED), ("start_investigation", date(2026, 3, 3)),
                      ("request_verification", date(2026, 3, 3)),
                      ("start_verification", date(2026, 3, 4))]:
        engine.fire("A1", event, on=on)
    posted = engine.fire("A1", "post_publicity", on=date(2026, 3, 6),
                         payload={"channel": "村（社区）,网上"})
    assert by_rule(posted)["publicity"].deadline.due_on == date(2026, 3, 13)


def test_a_setting_stored_as_a_number_that_is_not_finite_is_a_damaged_record(db, tmp_path):
    """Found by review: a county setting stored as NaN or Infinity (doudi took them before
    2026-11-23; a row changed by hand may hold one) was read as Python's nan: `assess
    --county` and every event of the county's cases failed on the province's workflow
    ("workflows/dibao.toml + jiangsu_draft (…): parameter 'marginal_multiple': nan is not
    from 1.5 to 2, its bounds", as if its files were wrong), and `audit verify` called the
    database intact (exit 0). Now the setting is named as a damaged row is: 乙县 set the 江苏
    边缘 multiple to 1.8 (江苏征求意见稿 一(六), recorded for dibao and benefit alike), its
    dibao row stored as NaN since. Nothing is recorded by the commands refused."""
    import sqlite3

    assert run(db, "parameter", "set", "marginal_multiple", "1.8", "--province",
               "jiangsu_draft", "--county", "乙县", "--basis", "乙县文件 二", "--on",
               "2026-01-01").exit_code == 0
    opened = run(db, "case", "open", "--province", "jiangsu_draft", "--on", "2026-03-02",
                 "--set", "county=乙县")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    household = tmp_path / "household.json"
    household.write_text(json.dumps({"standard": 1000, "members": [
        {"id": "a", "age": 40, "income": {"employment": 1700}}]}), encoding="utf-8")

    def stored(value):
        with sqlite3.connect(db) as conn:
            conn.execute("drop trigger if exists local_parameters_append_only_update")
            conn.execute("update local_parameters set value = ? where id = 1", [value])
            hashed_again(conn)
        conn.close()

    def recorded():
        with sqlite3.connect(db) as conn:
            counts = conn.execute("select (select count(*) from events), "
                                  "(select count(*) from local_parameters)").fetchone()
        conn.close()
        return counts

    before = recorded()
    for value in ("NaN", "Infinity", "-Infinity"):
        stored(value)
        line = (f"Error: setting 'marginal_multiple' of county '乙县' (jiangsu_draft) cannot be "
                f"read from the database (ValueError: {value} is not a JSON value): it was "
                "changed outside doudi or recorded before 2026-11-23 (doudi audit verify lists "
                "what was); put it right by recording its value for 2026-01-01 again: doudi "
                "parameter set marginal_multiple VALUE --province jiangsu_draft --county 乙县 "
                "--on 2026-01-01 --basis …, or parameter unset with the same options for the "
                "province's")
        for args in (["assess", str(household), "--province", "jiangsu_draft", "--county",
                      "乙县"],
                     ["case", "fire", case_id, "accept", "--on", "2026-03-02"],
                     ["parameter", "list"]):
            result = run(db, *args)
            assert (result.exit_code, error_line(result)) == (1, line), (args, result.output)
        verified = run(db, "audit", "verify")
        assert verified.exit_code == 1, verified.output
        assert verified.stdout.splitlines() == [
            f"county setting #1 (jiangsu_draft 乙县 dibao marginal_multiple): cannot be read "
            f"back (ValueError: {value} is not a JSON value); the deadlines of the "
            "jiangsu_draft dibao cases were not compared with their histories"]
        assert error_line(verified) == "Error: 1 county setting cannot be read back"
        assert recorded() == before

    # The setting as doudi wrote it is read as before: 1,700 a head is 边缘 under 1.8 × 1,000
    # (above 1.5 × 1,000, the province's).
    stored("1.8")
    assessed = run(db, "assess", str(household), "--province", "jiangsu_draft", "--county",
                   "乙县", "--format", "json")
    assert assessed.exit_code == 0, assessed.output
    assert json.loads(assessed.stdout)["classification"] == "marginal"
    assert run(db, "audit", "verify").exit_code == 0


def test_a_damaged_county_setting_stops_its_own_county_not_the_others(db, tmp_path):
    """A setting row that cannot be read back (乙县's 江苏 边缘 multiple, 1.8 under 江苏征求意见稿
    一(六), stored as NaN since: doudi took NaN before 2026-11-23) stopped every command that
    read the settings, in every county. It stops its own: 甲县's cases go on, and its
    household of 1,700 a head against a standard of 1,000 is judged under the province's
    1.5 × 1,000 = 1,500, above it; 乙县's commands, and a list that would show its settings,
    name the row."""
    import sqlite3

    assert run(db, "parameter", "set", "marginal_multiple", "1.8", "--province",
               "jiangsu_draft", "--county", "乙县", "--basis", "乙县文件 二", "--on",
               "2026-01-01").exit_code == 0
    opened = {}
    for county in ("甲县", "乙县"):
        result = run(db, "case", "open", "--province", "jiangsu_draft", "--on", "2026-03-02",
                     "--set", f"county={county}")
        assert result.exit_code == 0, result.output
        opened[county] = result.stdout.strip()
    with sqlite3.connect(db) as conn:
        conn.execute("drop trigger if exists local_parameters_append_only_update")
        conn.execute("update local_parameters set value = 'NaN' where county = '乙县' "
                     "and workflow = 'dibao'")
        hashed_again(conn)
    conn.close()
    household = tmp_path / "household.json"
    household.write_text(json.dumps({"standard": 1000, "members": [
        {"id": "a", "age": 40, "income": {"employment": 1700}}]}), encoding="utf-8")

    fired = run(db, "case", "fire", opened["甲县"], "accept", "--on", "2026-03-03")
    assert fired.exit_code == 0, fired.output
    assessed = run(db, "assess", str(household), "--province", "jiangsu_draft", "--county",
                   "甲县", "--format", "json")
    assert assessed.exit_code == 0, assessed.output
    assert json.loads(assessed.stdout)["classification"] == "above"
    for listed in (run(db, "parameter", "list", "--county", "甲县"),
                   run(db, "parameter", "list", "--county", "甲县", "--history")):
        assert (listed.exit_code, listed.stdout) == (0, "(none)\n"), listed.output

    line = ("Error: setting 'marginal_multiple' of county '乙县' (jiangsu_draft) cannot be read "
            "from the database (ValueError: NaN is not a JSON value): it was changed outside "
            "doudi or recorded before 2026-11-23 (doudi audit verify lists what was); put it "
            "right by recording its value for 2026-01-01 again: doudi parameter set "
            "marginal_multiple VALUE --province jiangsu_draft --county 乙县 --on 2026-01-01 "
            "--basis …, or parameter unset with the same options for the province's")
    for args in (["case", "fire", opened["乙县"], "accept", "--on", "2026-03-03"],
                 ["assess", str(household), "--province", "jiangsu_draft", "--county", "乙县"],
                 ["parameter", "list"], ["parameter", "list", "--county", "乙县"],
                 ["parameter", "list", "--history"]):
        result = run(db, *args)
        assert (result.exit_code, error_line(result)) == (1, line), (args, result.output)


def test_an_event_counts_with_a_setting_another_process_recorded_since_the_engine_read_them(
        engine):
    """Found by a platform's integration: an Engine kept open (a platform's service) read the
    county settings once, at its first event of the county, and counted every later event
    with them: after `doudi parameter set` in another process gave 甲县 2 working days
    (dated 01-05, before the cases), its next acceptance was written with 57号 第15条's 3
    (due Thu 03-05, cited 第15条), and `audit verify` then named the case as altered. The
    write checks, under the write lock, that the settings it counted with are still the
    stored ones; if not, it reads them again and works the event out again. 甲县's 2 from
    Mon 03-02 → Wed 03-04."""
    accepted_case(engine, "乙县", "B1")  # (the engine has read the settings: none)
    other = Engine.open(engine.store.path)  # (another process: `doudi parameter set`)
    other.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    other.close()
    started = by_rule(accepted_case(engine, "甲县", "A1"))["investigation_start"].deadline
    assert (started.due_on, started.citation) == (COUNTY_INVESTIGATION_DUE, BASIS)
    assert engine.store.deadlines("A1") == Engine.open(engine.store.path).replay("A1")[1]
    assert engine.verify()[2] == []
    # An opening that names its id, and a correction, likewise go through.
    other = Engine.open(engine.store.path)
    other.set_parameter("shanxi", "甲县", "investigation_start", "4wd", BASIS, date(2026, 1, 6))
    other.close()
    engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "甲县"}, case_id="A2")
    # 4 working days from Mon 03-02: 3/3(1) 3/4(2) 3/5(3) 3/6(4) → Fri 03-06
    assert by_rule(engine.fire("A2", "accept", on=ACCEPTED))["investigation_start"] \
        .deadline.due_on == date(2026, 3, 6)


def test_an_import_counts_with_a_setting_another_process_recorded_since_the_engine_read_them(
        engine):
    """The same for an import line (found with the event's case above): the batch is worked
    out under the write lock with the settings stored then. 甲县's 2 working days from Mon
    03-02 → Wed 03-04."""
    accepted_case(engine, "乙县", "B1")  # (the engine has read the settings: none)
    other = Engine.open(engine.store.path)  # (another process: `doudi parameter set`)
    other.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    other.close()
    lines = [json.dumps({"op": "open", "province": "shanxi", "id": "A1", "on": "2026-03-02",
                         "attributes": {"county": "甲县"}}),
             json.dumps({"op": "fire", "case_id": "A1", "event": "accept", "on": "2026-03-02"})]
    assert engine.import_lines(lines).events == 2
    started = by_rule(engine.case("A1"))["investigation_start"].deadline
    assert (started.due_on, started.citation) == (COUNTY_INVESTIGATION_DUE, BASIS)


def test_an_engine_kept_open_reads_a_setting_another_process_recorded_since(engine):
    """The same for the reads that count with the settings (found with the event's case
    above): a platform's engine showed 甲县's workflow, its settings in force and a case's
    deadlines worked out again from its history with 57号 第15条's 3 working days after
    another process had set 2 (dated 01-05). 2 from Mon 03-02 → Wed 03-04."""
    assert engine.parameter_settings() == []
    assert engine.workflow("shanxi", "dibao", "甲县").parameters["investigation_start"].value \
        == "3wd"
    other = Engine.open(engine.store.path)  # (another process: `doudi parameter set`)
    other.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    accepted_case(other, "甲县", "A1")
    other.close()
    assert engine.workflow("shanxi", "dibao", "甲县").parameters["investigation_start"].value \
        == "2wd"
    assert [(s.county, s.value) for s in engine.parameter_settings()] == [("甲县", "2wd")]
    started = {d.rule: d for d in engine.replay_deadlines("A1")}["investigation_start"]
    assert (started.due_on, started.citation) == (COUNTY_INVESTIGATION_DUE, BASIS)


def test_a_report_as_of_a_past_date_counts_with_a_setting_another_process_recorded_since(engine):
    """The breach report rebuilds a case with later events as it stood on the report's date,
    from its history, as ``case`` does: it too counts with the settings as stored now. 甲县's
    2 working days (dated 01-05) from Mon 03-02 → due Wed 03-04, breached on Thu 03-05 (the
    investigation started 03-06); a platform's engine that had read the settings before
    counted 57号 第15条's 3 (due 03-05, not yet breached) and left the case out, while its
    ``case("A1", as_of=03-05)`` showed it breached."""
    assert engine.workflow("shanxi", "dibao", "甲县").parameters["investigation_start"].value \
        == "3wd"
    other = Engine.open(engine.store.path)  # (another process)
    other.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    accepted_case(other, "甲县", "A1")
    other.fire("A1", "start_investigation", on=date(2026, 3, 6))
    other.close()
    found = engine.breaches(as_of=date(2026, 3, 5))
    assert [(b.case.id, b.view.deadline.rule, b.view.deadline.due_on, b.view.overdue_working_days)
            for b in found] == [("A1", "investigation_start", COUNTY_INVESTIGATION_DUE, 1)]
    assert found[0].view.deadline.citation == BASIS


@pytest.mark.parametrize(("name", "typed", "stored", "problem", "repair", "total_due"), [
    # 民发〔2022〕83号 四(一): a county delegated (always) has 20 working days from 03-02:
    # 2026-03-30; "Always" (as an older doudi took it, or typed by hand) delegates no case.
    ("delegation", "always", '"Always"',
     'dibao parameter \'delegation\' is always or per_case, not "Always"',
     ["set", "delegation", "always"], DELEGATED_TOTAL_DUE),
    # A channel no case can give (" 网上", default_guards.channel_items reads "网上"); put
    # right by returning to the province's channels, which leave the 30 working days of
    # 晋民发〔2023〕31号 四(二): 2026-04-14.
    ("publicity_channels", '["村（社区）", "网上"]', '["村（社区）", " 网上"]',
     "dibao parameter 'publicity_channels': each channel must be its name, without spaces "
     'around it, a comma or a line break, not " 网上"',
     ["unset", "publicity_channels"], TOTAL_DUE),
])
def test_a_stored_setting_that_breaks_a_rule_is_named_as_the_county_s_not_the_workflow_file_s(
        db, name, typed, stored, problem, repair, total_due):
    """Found by review: a county setting stored with a value its parameter does not take (a
    row edited by hand, or one an older doudi recorded before the rule) made every event of
    the county's cases fail blaming the workflow file, which is fine ("Error:
    workflows/dibao.toml: parameter 'publicity_channels': each channel must be …"), and `audit
    verify` stopped on the same line without checking anything. Now the setting is named
    with its record and how to put it right, exit 1, nothing written; `audit verify` names it
    and checks the cases; the other counties go on; and a setting recorded over it for its
    date (or its removal) puts it right."""
    import sqlite3

    place = ["--province", "shanxi", "--county", "乙县", "--on", "2026-01-05"]
    assert run(db, "parameter", "set", name, typed, *place, "--basis",
               "乙县人民政府〔2026〕2号").exit_code == 0
    case_ids = {}
    for county in ("甲县", "乙县"):
        opened = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02", "--set",
                     f"county={county}")
        assert opened.exit_code == 0, opened.output
        case_ids[county] = opened.stdout.strip()
    with sqlite3.connect(db) as conn:
        conn.execute("drop trigger if exists local_parameters_append_only_update")
        conn.execute("update local_parameters set value = ? where id = 1", [stored])
        hashed_again(conn)
        recorded_at = conn.execute("select recorded_at from local_parameters").fetchone()[0]
    conn.close()
    before = dump_file(db)

    fired = run(db, "case", "fire", case_ids["乙县"], "accept", "--on", "2026-03-02")
    assert (fired.exit_code, error_line(fired)) == (1, (
        f"Error: county setting #1 (shanxi 乙县 dibao {name}, for 2026-01-05, recorded "
        f"{recorded_at}) breaks a rule ({problem}): it was changed outside doudi or recorded "
        "before doudi held settings to that rule; put it right by recording its value for "
        f"2026-01-05 again: doudi parameter set {name} VALUE --province shanxi --county 乙县 "
        "--on 2026-01-05 --basis …, or parameter unset with the same options for the "
        "province's")), fired.output
    assert dump_file(db) == before
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert verified.stdout.splitlines() == [
        f"county setting #1 (shanxi 乙县 dibao {name}): breaks a rule ({problem}); the "
        "deadlines of the shanxi dibao cases were not compared with their histories"]
    assert error_line(verified) == "Error: 1 county setting breaks a rule"
    listed = run(db, "parameter", "list", "--county", "乙县", "--format", "json")
    assert listed.exit_code == 0, listed.output  # (shown as stored: what is to be put right)
    assert json.loads(listed.stdout)[0]["value"] == json.loads(stored)
    other = run(db, "case", "fire", case_ids["甲县"], "accept", "--on", "2026-03-02")
    assert other.exit_code == 0, other.output

    repaired = run(db, "parameter", *repair, *place, "--basis", "乙县人民政府〔2026〕2号 更正")
    assert repaired.exit_code == 0, repaired.output
    fired = run(db, "case", "fire", case_ids["乙县"], "accept", "--on", "2026-03-02",
                "--format", "json")
    assert fired.exit_code == 0, fired.output
    assert {d["rule"]: d["due_on"] for d in json.loads(fired.stdout)["deadlines"]}["total"] \
        == total_due.isoformat()
    assert run(db, "audit", "verify").exit_code == 0


# 民发〔2021〕57号 第15条's 3 working days are the province's; 乙县's 2: due 03-04 (see above).
# 晋民发〔2023〕31号 四(二)'s total, 30 working days from Mon 03-02: 2026-04-14 (see above).
# 天津 delegates every case (津民发〔2023〕13号 四(一)): 20 working days, 3/30 (see above).
@pytest.mark.parametrize(("province", "county", "name", "value", "edit", "stored_name", "problem",
                          "repair", "rule", "due"), [
    # A blank basis (parameter set refuses it: "needs its basis"); before, the workflow's
    # own check named it twice over ("parameter 'investigation_start': parameter
    # 'investigation_start': has no citation").
    ("shanxi", "乙县", "investigation_start", "2wd", "citation = '  '", "investigation_start",
     "dibao parameter 'investigation_start' needs its basis (citation: the document and clause "
     "that set it)",
     ["set", "investigation_start", "2wd"], "investigation_start", COUNTY_INVESTIGATION_DUE),
    # A parameter the province does not leave to counties (晋民发〔2023〕31号 四(二) sets the
    # total): before, applied silently, the case's total due 2 working days on (03-04).
    ("shanxi", "乙县", "investigation_start", "2wd", "name = 'total'", "total",
     "dibao parameter 'total' is not left to the locality (晋民发〔2023〕31号 四(二) sets it); "
     "a county may set: county_confirmation, delegation, investigation_start, "
     "publicity_channels, refusal_notice, residence_permit_applications, verification_start",
     ["unset", "total"], "total", TOTAL_DUE),
    # A county undoing the delegation of a province that always delegates: before, applied
    # silently (a 和平区 case could be confirmed by the district, not its township).
    ("tianjin", "和平区", "delegation", "always", "value = '\"per_case\"'", "delegation",
     "dibao parameter 'delegation' is always in tianjin (津民发〔2023〕13号 四(一)): a county "
     "cannot set it back",
     ["set", "delegation", "always"], "total", DELEGATED_TOTAL_DUE),
])
def test_a_stored_setting_that_breaks_a_rule_of_what_a_county_may_set_is_damaged_too(
        db, province, county, name, value, edit, stored_name, problem, repair, rule, due):
    """Found by review: a county's stored settings were held again only to the value rules
    when its workflow was built; a row edited by hand to break another rule `parameter set`
    holds a setting to (a blank basis, a parameter the province does not leave to counties,
    a county undoing the delegation of a province that always delegates) applied silently.
    They are the rules of what a county may set, so one rule set for both (checked): such a
    row is the county's damaged setting, exit 1, nothing written, named by `audit verify`,
    and put right by the command its error line gives."""
    import sqlite3

    place = ["--province", province, "--county", county, "--on", "2026-01-05"]
    assert run(db, "parameter", "set", name, value, *place, "--basis",
               "县人民政府〔2026〕2号").exit_code == 0
    opened = run(db, "case", "open", "--province", province, "--on", "2026-03-02", "--set",
                 f"county={county}")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    with sqlite3.connect(db) as conn:
        conn.execute("drop trigger if exists local_parameters_append_only_update")
        conn.execute(f"update local_parameters set {edit} where id = 1")
        hashed_again(conn)
        recorded_at = conn.execute("select recorded_at from local_parameters").fetchone()[0]
    conn.close()
    before = dump_file(db)

    fired = run(db, "case", "fire", case_id, "accept", "--on", "2026-03-02")
    repair_line = (
        f"put it right by recording its removal for 2026-01-05: doudi parameter unset "
        f"{stored_name} --province {province} --county {county} --on 2026-01-05 --basis …"
        if repair[0] == "unset" else
        f"put it right by recording its value for 2026-01-05 again: doudi parameter set "
        f"{stored_name} VALUE --province {province} --county {county} --on 2026-01-05 --basis "
        "…, or parameter unset with the same options for the province's")
    assert (fired.exit_code, error_line(fired)) == (1, (
        f"Error: county setting #1 ({province} {county} dibao {stored_name}, for 2026-01-05, "
        f"recorded {recorded_at}) breaks a rule ({problem}): it was changed outside doudi or "
        f"recorded before doudi held settings to that rule; {repair_line}")), fired.output
    assert dump_file(db) == before
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert verified.stdout.splitlines() == [
        f"county setting #1 ({province} {county} dibao {stored_name}): breaks a rule "
        f"({problem}); the deadlines of the {province} dibao cases were not compared with their "
        "histories"]
    assert error_line(verified) == "Error: 1 county setting breaks a rule"

    repaired = run(db, "parameter", *repair, *place, "--basis", "县人民政府〔2026〕2号 更正")
    assert repaired.exit_code == 0, repaired.output
    fired = run(db, "case", "fire", case_id, "accept", "--on", "2026-03-02", "--format", "json")
    assert fired.exit_code == 0, fired.output
    assert {d["rule"]: d["due_on"] for d in json.loads(fired.stdout)["deadlines"]}[rule] \
        == due.isoformat()
    # The row put right stays stored, as evidence: named as a row that cannot be read back
    # and was put right is (found by review: it was silent), no failure.
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.splitlines() == [
        f"county setting #1 ({province} {county} dibao {stored_name}): breaks a rule "
        f"({problem}); put right by #2, recorded later for its date, and kept as evidence"]


@pytest.mark.parametrize("stored", ["NaN", "{"])
@pytest.mark.parametrize(("repair", "due"), [
    # 乙县's 2 working days recorded again: 3/3(1) 3/4(2) → 03-04
    (["set", "investigation_start", "2wd"], COUNTY_INVESTIGATION_DUE),
    # the province's again, 民发〔2021〕57号 第15条 "3个工作日内": 3/3(1) 3/4(2) 3/5(3) → 03-05
    (["unset", "investigation_start"], NATIONAL_INVESTIGATION_DUE),
])
def test_a_setting_that_cannot_be_read_back_is_put_right_by_one_recorded_later_for_its_date(
        db, stored, repair, due):
    """Found by review: a county setting row that cannot be read back (乙县's 2 working days
    to start the investigation, its value stored as NaN, which doudi took before 2026-11-23,
    or changed by hand to text that is no JSON) could not be put right with doudi: `parameter
    unset` for it was refused with the damaged row's error, and a `parameter set` for its
    date was recorded but the row stayed, so every event of 乙县's cases still failed.
    Settings are never deleted (history is evidence): a setting or removal recorded later for
    the same place, parameter and date wins that day whatever the row held, as it would over
    a readable one; the row stays stored and `audit verify` names it as put right, exit 0.
    The error line gives the command; a removal for another date is still refused."""
    import sqlite3

    place = ["--province", "shanxi", "--county", "乙县"]
    assert run(db, "parameter", "set", "investigation_start", "2wd", *place, "--on",
               "2026-01-05", "--basis", "乙县人民政府〔2026〕2号").exit_code == 0
    opened = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02", "--set",
                 "county=乙县")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    with sqlite3.connect(db) as conn:
        conn.execute("drop trigger if exists local_parameters_append_only_update")
        conn.execute("update local_parameters set value = ? where id = 1", [stored])
        hashed_again(conn)
    conn.close()
    before = dump_file(db)
    problem, since = {
        "NaN": ("ValueError: NaN is not a JSON value", " or recorded before 2026-11-23"),
        "{": ("JSONDecodeError: Expecting property name enclosed in double quotes: line 1 "
              "column 2 (char 1)", "")}[stored]
    line = (f"Error: setting 'investigation_start' of county '乙县' (shanxi) cannot be read from "
            f"the database ({problem}): it was changed outside doudi{since} (doudi audit verify "
            "lists what was); put it right by recording its value for 2026-01-05 again: doudi "
            "parameter set investigation_start VALUE --province shanxi --county 乙县 --on "
            "2026-01-05 --basis …, or parameter unset with the same options for the province's")
    for args in (["case", "fire", case_id, "accept", "--on", "2026-03-02"],
                 ["parameter", "unset", "investigation_start", *place, "--on", "2026-01-06",
                  "--basis", "乙县人民政府〔2026〕3号"]):
        refused = run(db, *args)
        assert (refused.exit_code, error_line(refused)) == (1, line), (args, refused.output)
        assert dump_file(db) == before

    repaired = run(db, "parameter", *repair, *place, "--on", "2026-01-05", "--basis",
                   "乙县人民政府〔2026〕2号 更正")
    assert repaired.exit_code == 0, repaired.output
    fired = run(db, "case", "fire", case_id, "accept", "--on", "2026-03-02", "--format", "json")
    assert fired.exit_code == 0, fired.output
    assert {d["rule"]: d["due_on"] for d in json.loads(fired.stdout)["deadlines"]}[
        "investigation_start"] == due.isoformat()
    with sqlite3.connect(db) as conn:  # (the damaged row kept, as evidence)
        assert conn.execute("select id, value from local_parameters order by id").fetchall() \
            == [(1, stored), (2, None if repair[0] == "unset" else '"2wd"')]
    conn.close()
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.splitlines() == [
        f"county setting #1 (shanxi 乙县 dibao investigation_start): cannot be read back "
        f"({problem}); put right by #2, recorded later for its date, and kept as evidence"]
    history = run(db, "parameter", "list", "--history", "--format", "json")
    assert history.exit_code == 0, history.output
    assert [(s["value"], s["citation"]) for s in json.loads(history.stdout)] == [
        (None if repair[0] == "unset" else "2wd", "乙县人民政府〔2026〕2号 更正")]


def test_a_setting_that_cannot_be_read_back_is_put_right_through_the_api_too(engine):
    """The same through the API (found with the case above): 甲县's row for 01-05 stored as
    NaN is put right by set_parameter for 01-05 (4 working days from Mon 03-02: 3/3(1) 3/4(2)
    3/5(3) 3/6(4) → Fri 03-06), and verify() names it with the row that put it right; a row
    put right only by one that cannot be read back either is not put right."""
    import sqlite3

    from engine import DamagedRecord, SettingFinding

    path = engine.store.path
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "甲县"}, case_id="A1")
    engine.close()

    def damage(row_id):
        with sqlite3.connect(path) as conn:
            conn.execute("drop trigger if exists local_parameters_append_only_update")
            conn.execute("update local_parameters set value = 'NaN' where id = ?", [row_id])
            hashed_again(conn)
        conn.close()

    damage(1)
    engine = Engine.open(path)
    with pytest.raises(DamagedRecord, match=r"; put it right by recording its value for "
                                            r"2026-01-05 again: Engine.set_parameter\(…, "
                                            r"on=2026-01-05\), value None for the province's$"):
        engine.fire("A1", "accept", on=ACCEPTED)
    engine.set_parameter("shanxi", "甲县", "investigation_start", "4wd", BASIS, date(2026, 1, 5))
    assert by_rule(engine.fire("A1", "accept", on=ACCEPTED))["investigation_start"] \
        .deadline.due_on == date(2026, 3, 6)
    assert engine.verify()[2] == [SettingFinding(
        1, "shanxi", "甲县", "dibao", "investigation_start", "ValueError: NaN is not a JSON value",
        superseded_by=2)]
    engine.close()
    damage(2)
    engine = Engine.open(path)
    with pytest.raises(DamagedRecord, match="cannot be read from the database"):
        engine.fire("A1", "start_investigation", on=ACCEPTED)
    assert [f.superseded_by for f in engine.verify()[2]] == [None, None]


@pytest.mark.parametrize(("edit", "problem", "stops_the_case"), [
    # its date edited by hand to text that is no date
    ("[on] = '2026-01-5x'", 'ValueError: "2026-01-5x" is not a date: expected YYYY-MM-DD', True),
    # its county blanked: no longer 乙县's (乙县's cases go on with the province's 3 working
    # days, as the row can no longer be told to be 乙县's), but no county's either
    ("county = ''", "ValueError: its county is '': blank, or with spaces around it", False),
])
def test_a_setting_whose_date_or_place_cannot_be_read_is_put_right_by_setting_it_aside(
        db, edit, problem, stops_the_case):
    """Found by review: a county setting row whose date (or province, county, workflow or
    parameter name) was itself edited by hand has nothing a later `parameter set` or `unset`
    could be recorded for, so its error gave no repair and doudi's commands could not put
    it right. `parameter void ID --basis …` records that the row is set aside (with its
    basis; the row stays stored, as evidence), after which the county goes on with the
    province's value until what it decided is recorded again. Refused, nothing written: a
    row that can be read back (a setting for its date puts it right), one set aside already,
    an unknown id, a blank basis."""
    import sqlite3

    place = ["--province", "shanxi", "--county", "乙县"]
    assert run(db, "parameter", "set", "investigation_start", "2wd", *place, "--on",
               "2026-01-05", "--basis", "乙县人民政府〔2026〕2号").exit_code == 0
    assert run(db, "parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
               "--county", "甲县", "--on", "2026-01-05", "--basis", BASIS).exit_code == 0
    cases = []
    for _ in range(2):
        opened = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02", "--set",
                     "county=乙县")
        assert opened.exit_code == 0, opened.output
        cases.append(opened.stdout.strip())
    with sqlite3.connect(db) as conn:
        conn.execute("drop trigger if exists local_parameters_append_only_update")
        conn.execute(f"update local_parameters set {edit} where id = 1")
        hashed_again(conn)
        stored = conn.execute("select * from local_parameters where id = 1").fetchone()
    conn.close()
    before = dump_file(db)
    line = ("Error: setting 'investigation_start' of county "
            f"{'乙县' if stops_the_case else ''!r} (shanxi) cannot be read from the database "
            f"({problem}): it was changed outside doudi (doudi audit verify lists what was); put "
            "it right by setting it aside: doudi parameter void 1 --basis …, then record what "
            "the county decided with parameter set")
    refused = [["parameter", "list"]]
    if stops_the_case:
        refused += [["case", "fire", cases[0], "accept", "--on", "2026-03-02"],
                    ["parameter", "unset", "investigation_start", *place, "--on", "2026-01-05",
                     "--basis", "乙县人民政府〔2026〕3号"]]
    for args in refused:
        result = run(db, *args)
        assert (result.exit_code, error_line(result)) == (1, line), (args, result.output)
        assert dump_file(db) == before
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert error_line(verified) == "Error: 1 county setting cannot be read back"

    for args, status, message in [
        (["2", "--basis", "乙县民政局 更正"], 1,
         "Error: county setting #2 (shanxi 甲县 dibao investigation_start, for 2026-01-05) can "
         "be read back: doudi parameter set or unset of it --on 2026-01-05 puts it right, not "
         "parameter void"),
        (["9", "--basis", "乙县民政局 更正"], 1, "Error: no county setting #9"),
        # Found by fuzzing: an id beyond SQLite's integers was an OverflowError, one of more
        # than 4,300 digits int()'s ValueError, each with a traceback
        (["9223372036854775808", "--basis", "乙县民政局 更正"], 1,
         "Error: no county setting has an id as large as 9223372036854775808"),
        (["1" + "0" * 30, "--basis", "乙县民政局 更正"], 1,
         "Error: no county setting has an id as large as 1000000000…"),
        (["#" + "9" * 5000, "--basis", "乙县民政局 更正"], 1,
         "Error: no county setting has an id as large as 9999999999…"),
        (["#1", "--basis", "  "], 2,
         "Error: setting a county setting aside needs its basis (--basis)"),
        (["1x", "--basis", "乙县民政局 更正"], 2,
         "Error: Invalid value for SETTING: '1x' is no setting id (a number, as #3 or 3)"),
    ]:
        result = run(db, "parameter", "void", *args)
        assert (result.exit_code, error_line(result)) == (status, message), result.output
        assert dump_file(db) == before

    voided = run(db, "parameter", "void", "#1", "--basis", "乙县民政局〔2026〕9号 更正")
    assert (voided.exit_code, voided.stdout) == (0, "county setting #1: set aside (乙县民政局"
                                                    "〔2026〕9号 更正), kept as evidence\n")
    after = dump_file(db)
    again = run(db, "parameter", "void", "1", "--basis", "乙县民政局〔2026〕9号 更正")
    assert again.exit_code == 1
    assert error_line(again).startswith("Error: county setting #1 was set aside already (on ")
    assert dump_file(db) == after
    # Set aside, 乙县 counts with the province's 3 working days (民发〔2021〕57号 第15条
    # "3个工作日内"): from Mon 03-02, 3/3(1) 3/4(2) 3/5(3) → 03-05 ...
    fired = run(db, "case", "fire", cases[0], "accept", "--on", "2026-03-02", "--format", "json")
    assert fired.exit_code == 0, fired.output
    assert {d["rule"]: d["due_on"] for d in json.loads(fired.stdout)["deadlines"]}[
        "investigation_start"] == NATIONAL_INVESTIGATION_DUE.isoformat() == "2026-03-05"
    # ... and with its own 2 again once recorded: 3/3(1) 3/4(2) → 03-04.
    assert run(db, "parameter", "set", "investigation_start", "2wd", *place, "--on",
               "2026-01-05", "--basis", "乙县人民政府〔2026〕2号").exit_code == 0
    fired = run(db, "case", "fire", cases[1], "accept", "--on", "2026-03-02", "--format", "json")
    assert fired.exit_code == 0, fired.output
    assert {d["rule"]: d["due_on"] for d in json.loads(fired.stdout)["deadlines"]}[
        "investigation_start"] == COUNTY_INVESTIGATION_DUE.isoformat() == "2026-03-04"
    with sqlite3.connect(db) as conn:  # (the row set aside kept as it was, as evidence)
        assert conn.execute("select * from local_parameters where id = 1").fetchone() == stored
    conn.close()
    # (the first case's deadline re-derived with the setting recorded for 01-05 since)
    assert run(db, "recompute").exit_code == 0
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.splitlines() == [
        f"county setting #1 (shanxi {'乙县' if stops_the_case else ''} dibao investigation_start): "
        f"cannot be read back ({problem}); set aside by void #1 (乙县民政局〔2026〕9号 更正), "
        "and kept as evidence"]
    listed = run(db, "parameter", "list", "--county", "乙县", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert [s["value"] for s in json.loads(listed.stdout)] == ["2wd"]
    with sqlite3.connect(db) as conn:  # (the set-asides are append-only, as the settings)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("delete from local_parameter_voids")
        conn.execute("drop trigger local_parameter_voids_append_only_delete")
    conn.close()
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1
    assert verified.stdout.splitlines()[0] == (
        "file: trigger local_parameter_voids_append_only_delete, which refuses DELETE on "
        "local_parameter_voids, is gone")


def test_a_setting_whose_date_cannot_be_read_is_set_aside_through_the_api_too(engine):
    """The same through the API: the error names Engine.void_setting; a readable row is
    refused."""
    import sqlite3

    from engine import DamagedRecord, EventRefused

    path = engine.store.path
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "甲县"}, case_id="A1")
    with pytest.raises(EventRefused, match="can be read back"):
        engine.void_setting(1, "甲县民政局 更正")
    # (found by fuzzing: an OverflowError from SQLite, and int's ValueError in the error line)
    for setting_id, shown in [(2**63, "9223372036854775808"), (-2**63 - 1, "-9223372036854775809"),
                              (10**5000, "a whole number of more than 4,300 digits")]:
        with pytest.raises(UnknownName, match=f"^no county setting has an id as large as {shown}$"):
            engine.void_setting(setting_id, "甲县民政局 更正")
    engine.close()
    with sqlite3.connect(path) as conn:
        conn.execute("drop trigger if exists local_parameters_append_only_update")
        conn.execute("update local_parameters set [on] = 'x' where id = 1")
        hashed_again(conn)
    conn.close()
    engine = Engine.open(path)
    with pytest.raises(DamagedRecord, match=r"; put it right by setting it aside: "
                                            r"Engine.void_setting\(1, citation\), then record "
                                            r"what the county decided with Engine.set_parameter$"):
        engine.fire("A1", "accept", on=ACCEPTED)
    assert engine.void_setting(1, "甲县民政局 更正")["setting"] == 1
    with pytest.raises(EventRefused, match="was set aside already"):
        engine.void_setting(1, "甲县民政局 更正")
    # the province's 3 working days from Mon 03-02 (57号 第15条): 03-05
    assert by_rule(engine.fire("A1", "accept", on=ACCEPTED))["investigation_start"] \
        .deadline.due_on == NATIONAL_INVESTIGATION_DUE
    assert [(f.voided_by, f.void_basis, f.put_right) for f in engine.verify()[2]] == [
        (1, "甲县民政局 更正", True)]


def _kept_open_over(name: str, value: str, edit: str, engine: Engine) -> Engine:
    """An engine opened (to be kept open) on ``engine``'s database once 甲县 has set ``name``
    to ``value`` from 2026-01-05, case A1 is opened there, and the setting's row is edited by
    hand (``edit``, an SQL assignment) with its hashes worked out again: a stored setting
    damaged, as another process would then find it."""
    import sqlite3

    path = engine.store.path
    engine.set_parameter("shanxi", "甲县", name, value, BASIS, date(2026, 1, 5))
    engine.open_case("shanxi", on=ACCEPTED, attributes={"county": "甲县"}, case_id="A1")
    engine.close()
    with sqlite3.connect(path) as conn:
        conn.execute("drop trigger if exists local_parameters_append_only_update")
        conn.execute(f"update local_parameters set {edit} where id = 1")
        hashed_again(conn)
    conn.close()
    return Engine.open(path)


def test_a_set_aside_recorded_by_another_process_is_seen_by_an_engine_kept_open(engine):
    """Found at merge: an engine kept open (a platform's) checks before each write whether
    another process recorded a county setting since it read them, by the newest setting's id;
    a set-aside (another table) went unseen, so that engine kept refusing 甲县's events on the
    row another process had set aside, until a setting was recorded or it was opened again.
    Now it counts with the province's 3 working days from Mon 03-02 (57号 第15条): 03-05."""
    from engine import DamagedRecord

    kept = _kept_open_over("investigation_start", "2wd", "[on] = 'x'", engine)
    with pytest.raises(DamagedRecord):
        kept.fire("A1", "accept", on=ACCEPTED)
    other = Engine.open(kept.store.path)
    other.void_setting(1, "甲县民政局 更正")
    other.close()
    assert by_rule(kept.fire("A1", "accept", on=ACCEPTED))["investigation_start"] \
        .deadline.due_on == NATIONAL_INVESTIGATION_DUE
    kept.close()


def test_a_damaged_setting_is_read_again_once_however_often_the_settings_change(engine,
                                                                               monkeypatch):
    """Found by review: before blaming a damaged setting the engine reads the settings again
    if another process recorded one; with a writer that never stops (here: the settings
    always changed since), it read them again without end, to a RecursionError. It reads them
    again once, then names the setting as that read found it."""
    from engine import DamagedRecord

    kept = _kept_open_over("investigation_start", "2wd", "[on] = 'x'", engine)
    monkeypatch.setattr(kept.store, "settings_changed", lambda set_aside=False: True)
    with pytest.raises(DamagedRecord, match=r"Engine.void_setting\(1, citation\)"):
        kept.fire("A1", "accept", on=ACCEPTED)
    kept.close()


def test_a_setting_put_right_by_another_process_is_seen_by_an_engine_kept_open(engine):
    """The same for a setting that breaks a rule (delegation "Always", typed by hand) put
    right by another process recording its value for its date again: the engine kept open
    counts 甲县's total with 83号 四(一)'s 20 working days from 03-02 (2026-03-30), where it
    went on refusing."""
    from engine import DamagedRecord

    kept = _kept_open_over("delegation", "always", """value = '"Always"'""", engine)
    with pytest.raises(DamagedRecord, match="breaks a rule"):
        kept.fire("A1", "accept", on=ACCEPTED)
    other = Engine.open(kept.store.path)
    other.set_parameter("shanxi", "甲县", "delegation", "always", BASIS + " 更正",
                        date(2026, 1, 5))
    other.close()
    assert by_rule(kept.fire("A1", "accept", on=ACCEPTED))["total"].deadline.due_on \
        == DELEGATED_TOTAL_DUE
    kept.close()


@pytest.mark.parametrize("edit", ["value = 'NaN'", "citation = '  '"])
def test_a_setting_superseded_only_by_one_that_breaks_a_rule_is_not_put_right(engine, edit):
    """Found with the naming of a superseded row that breaks a rule: a row put right only by
    a setting that breaks a rule too (its basis blanked by hand) is not put right (the
    county still stops on the later one): verify names it as failing, not as evidence."""
    import sqlite3

    from engine import SettingFinding

    path = engine.store.path
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, date(2026, 1, 5))
    engine.set_parameter("shanxi", "甲县", "investigation_start", "4wd", BASIS + " 更正",
                         date(2026, 1, 5))
    engine.close()
    with sqlite3.connect(path) as conn:
        conn.execute("drop trigger if exists local_parameters_append_only_update")
        conn.execute(f"update local_parameters set {edit} where id = 1")
        conn.execute("update local_parameters set citation = '  ' where id = 2")
        hashed_again(conn)
    conn.close()
    engine = Engine.open(path)
    findings = engine.verify()[2]
    assert [(f.id, f.broken, f.superseded_by, f.put_right) for f in findings] == [
        (1, edit.startswith("citation"), None, False), (2, True, None, False)]
    assert findings[1] == SettingFinding(
        2, "shanxi", "甲县", "dibao", "investigation_start",
        "dibao parameter 'investigation_start' needs its basis (citation: the document and "
        "clause that set it)", broken=True)


def test_audit_verify_s_help_says_a_damaged_county_setting_fails_it():
    """verify exits 1 on a county setting that cannot be read back or breaks a rule, and
    names one put right since as evidence, exit 0 (docs/cli.md); its --help said only
    "Exit 0 when every chain is intact"."""
    from click.testing import CliRunner

    from engine.cli import cli

    text = " ".join(CliRunner().invoke(cli, ["audit", "verify", "--help"]).output.split())
    assert ("every county setting can be read back and keeps the rules (one put right or set "
            "aside since is named, kept as evidence), 1 when any is not") in text


def test_fire_replay_and_recompute_agree_over_a_varied_history(engine):
    """Events that change no attribute go through only the rules they name (a26c559,
    12107e9); replay and recompute go through every rule, with the attributes before. Over
    histories with a variant's attribute given in an event's data (丙县: 83号 四(一)'s 20
    working days from then), a county's delegation decided mid-case (乙县: the 30 then in
    force stay), an extension and events with no data between, the three agree, and audit
    verify finds the cases intact."""
    accepted_case(engine, "丙县", "VARIED")
    accepted_case(engine, "乙县", "DECIDED")
    for case_id in ("VARIED", "DECIDED"):
        engine.fire(case_id, "start_investigation", on=date(2026, 3, 4))
    engine.set_parameter("shanxi", "乙县", "delegation", "always", "乙县人民政府〔2026〕2号",
                         date(2026, 3, 10))
    engine.fire("VARIED", "request_verification", on=date(2026, 3, 11),
                payload={"delegated": True})
    engine.fire("DECIDED", "request_verification", on=date(2026, 3, 11))
    assert {c: (by_rule(engine.case(c))["total"].deadline.param,
                by_rule(engine.case(c))["total"].deadline.due_on)
            for c in ("VARIED", "DECIDED")} == {
        "VARIED": ("total_delegated", DELEGATED_TOTAL_DUE), "DECIDED": ("total", TOTAL_DUE)}
    for case_id in ("VARIED", "DECIDED"):
        engine.fire(case_id, "start_verification", on=date(2026, 3, 12))
        engine.fire(case_id, "extend", on=date(2026, 3, 13), reason="调查难度大")
        total = by_rule(engine.case(case_id))["total"].deadline
        assert (total.param, total.extended_by) == ("total_extended", "extend")  # (57号 第22条)
    stored = {c: engine.store.deadlines(c) for c in ("VARIED", "DECIDED")}
    for case_id in ("VARIED", "DECIDED"):
        assert engine.replay(case_id)[1] == stored[case_id]
        assert engine.verify(case_id)[2] == []
    assert engine.recompute() == []
    assert {c: engine.store.deadlines(c) for c in ("VARIED", "DECIDED")} == stored


def test_a_setting_recorded_is_returned_with_the_id_its_row_is_named_by(engine):
    """A platform records a county's setting and may later have to name it (``#N``, as
    `audit verify` and `void_setting` do): set_parameter returned it with id None, though its
    row was stored. 甲县's 2 working days for the investigation (BASIS) is row 1; 乙县's 江苏-
    style 边缘 multiple, recorded for dibao and benefit alike (one rule, two rows), is
    returned as its dibao row, 2, beside 3 for benefit; a repeat of 甲县's returns row 1."""
    first = engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS,
                                 date(2026, 1, 5))
    shared = engine.set_parameter("jiangsu_draft", "乙县", "marginal_multiple", 1.8,
                                  "乙县文件 二", date(2026, 1, 1))
    again = engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS,
                                 date(2026, 1, 5))
    rows = engine.store.db.execute(
        "select id, county, workflow, name from local_parameters order by id").fetchall()
    assert rows == [(1, "甲县", "dibao", "investigation_start"),
                    (2, "乙县", "dibao", "marginal_multiple"),
                    (3, "乙县", "benefit", "marginal_multiple")]
    assert (first.id, shared.id, shared.workflow, again.id) == (1, 2, "dibao", 1)


# audit verify after a county setting recorded (or set aside) since a case's last event: the
# deadlines its history now gives differ from those stored until `recompute` records them.
# 甲县's 5 working days for the investigation (57号 第15条 leaves it to the locality), decided
# 2026-01-05: accepted Mon 03-02, 3/3(1) 3/4(2) 3/5(3) 3/6(4), 3/7-3/8 weekend, 3/9(5)
# → 2026-03-09, where the province's 3 give 2026-03-05 (NATIONAL_INVESTIGATION_DUE).
FIVE_DAYS_DUE = "2026-03-09"
PLACE = ["--province", "shanxi", "--county", "甲县"]


def _accepted_on_the_cli(db) -> str:
    """A 山西 case of 甲县 opened and accepted on Mon 2026-03-02 through the CLI: its id."""
    opened = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02", "--set",
                 "county=甲县")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    fired = run(db, "case", "fire", case_id, "accept", "--on", "2026-03-02")
    assert fired.exit_code == 0, fired.output
    return case_id


def _stored_due(db, case_id) -> str:
    import sqlite3

    with sqlite3.connect(db) as conn:
        due = conn.execute("select due_on from deadlines where case_id = ? and rule = "
                           "'investigation_start'", [case_id]).fetchone()[0]
    conn.close()
    return due


def _recorded_at(db, table, row_id) -> str:
    import sqlite3

    with sqlite3.connect(db) as conn:
        at = conn.execute(f"select recorded_at from {table} where id = ?", [row_id]).fetchone()[0]
    conn.close()
    return at


def test_verify_says_a_county_setting_recorded_since_moves_a_deadline_not_that_it_was_altered(db):
    """Found by review: after `parameter set` of a county's own value dated back, and before
    `recompute`, `audit verify` named every case it moves "missing, or the case altered", as
    if the operator's own setting were tampering, though the database says why: the setting
    was recorded after the case's last event. Worked out again with the settings as they
    stood when that event was recorded, the case gives exactly the deadlines stored, so the
    finding names the setting and both dates; still a finding (exit 1) until recompute."""
    case_id = _accepted_on_the_cli(db)
    assert _stored_due(db, case_id) == NATIONAL_INVESTIGATION_DUE.isoformat() == "2026-03-05"
    assert run(db, "parameter", "set", "investigation_start", "5wd", *PLACE, "--on",
               "2026-01-05", "--basis", BASIS).exit_code == 0
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1
    assert verified.stdout.splitlines() == [
        f"case {case_id}: event seq 1 came before county settings recorded since: deadline "
        f"investigation_start #1 is due 2026-03-05 as stored; those settings (setting #1, "
        f"recorded {_recorded_at(db, 'local_parameters', 1)}) give {FIVE_DAYS_DUE}: run "
        "`doudi recompute` to record it"]
    assert error_line(verified) == "Error: 1 of 1 case fails verification"
    assert run(db, "recompute").exit_code == 0
    assert _stored_due(db, case_id) == FIVE_DAYS_DUE
    verified = run(db, "audit", "verify")
    assert (verified.exit_code, verified.stdout) == (0, "")


def test_verify_names_the_case_s_last_event_as_the_one_that_came_before_the_settings(db):
    """Found by checking docs/cli.md: "case ID: event seq N came before county settings
    recorded since" named the seq after the case's last event, 2 for a case whose events are
    seq 0 (open) and 1 (accept), as `case show` and `audit heads` list them: an event that
    does not exist (the seq a missing event is named by). The event that came before 甲县's
    5 working days, recorded since and dated back, is the accept, seq 1."""
    case_id = _accepted_on_the_cli(db)
    assert run(db, "parameter", "set", "investigation_start", "5wd", *PLACE, "--on",
               "2026-01-05", "--basis", BASIS).exit_code == 0
    heads = run(db, "audit", "heads", "--case", case_id)
    assert heads.stdout.split("\t")[:2] == [case_id, "1"]
    verified = run(db, "audit", "verify", "--case", case_id)
    assert verified.exit_code == 1
    assert verified.stdout.startswith(
        f"case {case_id}: event seq 1 came before county settings recorded since: ")


def test_verify_says_a_set_aside_recorded_since_moves_a_deadline_not_that_it_was_altered(db):
    """The same after `parameter void`: 甲县's 5 working days (setting #1) counted the case's
    investigation to 03-09; its row altered since (its actor changed by hand: it no longer
    fits its hash) and set aside, the county counts with the province's 3 again, 03-05. The
    row as it reads, with the settings as they stood when the case's last event was recorded,
    gives the stored 03-09: the finding names the set-aside, beside the line naming the row."""
    import sqlite3

    from helpers import put_back_triggers

    assert run(db, "parameter", "set", "investigation_start", "5wd", *PLACE, "--on",
               "2026-01-05", "--basis", BASIS).exit_code == 0
    case_id = _accepted_on_the_cli(db)
    assert _stored_due(db, case_id) == FIVE_DAYS_DUE
    with sqlite3.connect(db) as conn:
        conn.execute("drop trigger local_parameters_append_only_update")
        conn.execute("update local_parameters set actor = 'someone' where id = 1")
        put_back_triggers(conn)
    conn.close()
    assert run(db, "parameter", "void", "1", "--basis", "甲县民政局 更正").exit_code == 0
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1
    assert verified.stdout.splitlines() == [
        "county setting #1 altered; set aside by void #1 (甲县民政局 更正), and kept as evidence",
        f"case {case_id}: event seq 1 came before county settings recorded since: deadline "
        f"investigation_start #1 is due {FIVE_DAYS_DUE} as stored; those settings (set-aside #1 "
        f"of setting #1, recorded {_recorded_at(db, 'local_parameter_voids', 1)}) give "
        "2026-03-05: run `doudi recompute` to record it"]
    assert error_line(verified) == "Error: 1 of 1 case fails verification"
    assert run(db, "recompute").exit_code == 0
    assert _stored_due(db, case_id) == "2026-03-05"
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert len(verified.stdout.splitlines()) == 1  # (the row set aside, as evidence)


def test_a_deadline_edited_by_hand_is_named_as_altered_though_a_setting_was_recorded_since(db):
    """A due date edited by hand is no setting's doing: with a setting recorded since too,
    the settings as they stood give 03-05, not the 03-20 stored, so the finding is the one
    for a case altered, word for word."""
    import sqlite3

    from helpers import put_back_triggers

    case_id = _accepted_on_the_cli(db)
    assert run(db, "parameter", "set", "investigation_start", "5wd", *PLACE, "--on",
               "2026-01-05", "--basis", BASIS).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("drop trigger if exists deadlines_append_only_update")
        conn.execute("update deadlines set due_on = '2026-03-20' where case_id = ? and "
                     "rule = 'investigation_start'", [case_id])
        put_back_triggers(conn)
    conn.close()
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1
    assert verified.stdout.splitlines() == [
        f"case {case_id}: event seq 2 missing, or the case altered: deadline investigation_start "
        "#1 differs: duration '3wd' (its history gives '5wd'), due_on 2026-03-20 (its history "
        f"gives {FIVE_DAYS_DUE}), citation '民发〔2021〕57号 第15条（国家规定）' (its history gives "
        f"'{BASIS}'); if calendar data or a parameter changed since, or doudi was upgraded, "
        "`doudi recompute` records that instead"]
    assert error_line(verified) == "Error: 1 of 1 case fails verification"


def test_verify_names_a_setting_recorded_in_the_second_of_the_case_s_last_event(engine, monkeypatch):
    """Events and settings are stored to the second: a setting recorded in the same second as
    the case's last event may have come before it or after. Worked out again without it, the
    case gives the deadlines stored, so it came after. The investigation, started Wed 03-04,
    met the province's 3 working days (03-05); 甲县's 2 (3/3, 3/4 → 03-04), dated back, would
    count it to 03-04, but a stopped deadline keeps the date it was judged by (recompute's
    `kept`), and the finding says that is what recompute records."""
    import engine.store as store

    monkeypatch.setattr(store, "_now", lambda: "2026-12-07T04:00:00+00:00")
    accepted_case(engine, "甲县", "A1")
    engine.fire("A1", "start_investigation", on=date(2026, 3, 4))
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, ACCEPTED)
    assert [str(f) for f in engine.verify()[2]] == [
        "case A1: event seq 2 came before county settings recorded since: deadline "
        "investigation_start #1 is due 2026-03-05 as stored; those settings (setting #1, "
        "recorded 2026-12-07T04:00:00+00:00) give 2026-03-04, and it stopped on 2026-03-04: "
        "run `doudi recompute` to record that it keeps the due date it was judged by"]
    assert engine.recompute() == []
    assert by_rule(engine.case("A1"))["investigation_start"].deadline.due_on == date(2026, 3, 5)
    assert engine.verify()[2] == []


def test_verify_names_a_setting_recorded_before_the_case_s_last_event_its_earlier_ones_missed(
        engine, monkeypatch):
    """Found by review: fire counts the new event alone, so an event fired after a setting
    dated back, before `recompute`, leaves a deadline its earlier events started counted
    without it. The investigation accepted Mon 03-02 ran under the province's 3 working days
    (3/3 3/4 3/5 → 03-05); 甲县's 5 (3/6 3/9 → 03-09) were recorded next, dated back to 01-05;
    then start_investigation on 03-04 stopped it, met. verify named the case "missing, or
    the case altered", as if tampered with. Each event worked out with the settings recorded
    by its own time gives the 03-05 stored: the finding names the setting. The same with a
    recompute event between (it worked the whole history out again with the settings of its
    time): 甲县's 7 working days recorded after it (3/10 3/11 → 03-11) for B1, whose 03-09 the
    recompute recorded, met late on 03-10. Another county's setting (乙县's 4) recorded
    between is not named."""
    import itertools

    import engine.store as store

    second = itertools.count()
    monkeypatch.setattr(store, "_now", lambda: f"2026-12-07T04:00:{next(second):02d}+00:00")
    accepted_case(engine, "甲县", "A1")  # (events recorded 04:00:00 and :01)
    accepted_case(engine, "甲县", "B1")  # (:02, :03)
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", BASIS, date(2026, 1, 5))
    engine.fire("A1", "start_investigation", on=date(2026, 3, 4))  # (:05)
    assert [str(f) for f in engine.verify()[2]] == [
        "case A1: event seq 2 or events before it came before county settings recorded since: "
        "deadline investigation_start #1 is due 2026-03-05 as stored; those settings (setting "
        "#1, recorded 2026-12-07T04:00:04+00:00) give 2026-03-09, and it stopped on 2026-03-04: "
        "run `doudi recompute` to record that it keeps the due date it was judged by",
        "case B1: event seq 1 came before county settings recorded since: deadline "
        "investigation_start #1 is due 2026-03-05 as stored; those settings (setting #1, "
        "recorded 2026-12-07T04:00:04+00:00) give 2026-03-09: run `doudi recompute` to record it"]
    assert len(engine.recompute()) == 1  # (B1's 03-05 → 03-09; A1's kept, met on 03-04)
    assert engine.verify()[2] == []
    engine.set_parameter("shanxi", "乙县", "investigation_start", "4wd", BASIS, date(2026, 1, 5))
    engine.set_parameter("shanxi", "甲县", "investigation_start", "7wd", BASIS, date(2026, 1, 6))
    engine.fire("B1", "start_investigation", on=date(2026, 3, 10))
    assert [str(f) for f in engine.verify("B1")[2]] == [
        "case B1: event seq 3 or events before it came before county settings recorded since: "
        "deadline investigation_start #1 is due 2026-03-09 as stored; those settings (setting "
        f"#3, recorded {engine.parameter_settings(in_force=False)[2].recorded_at}) give "
        "2026-03-11, and it stopped on 2026-03-10: run `doudi recompute` to record that it "
        "keeps the due date it was judged by"]  # (met late on 03-10, as judged)
    engine.recompute()
    assert engine.verify()[2] == []


@pytest.mark.parametrize("args", [
    ("parameter", "set", "county_confirmation", "8wd", "--province", "shanxi", "--county", "甲县"),
    ("parameter", "unset", "county_confirmation", "--province", "shanxi", "--county", "甲县"),
    ("parameter", "void", "1"),
    ("calendar", "void", "1"),
])
def test_a_basis_on_two_lines_is_told_as_the_option_given(db, args):
    """A ``--basis`` is quoted as it is in the basis of every date it sets: one printable line.
    Refused naming ``--basis``, exit 2, where the operator was told of a ``citation`` (the
    Python API's name for it), which no option of theirs is called."""
    opened = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02")
    assert opened.exit_code == 0
    result = run(db, *args, "--basis", "甲县民政局\n〔2026〕1号", "--on", "2026-03-02") \
        if args[1] in ("set", "unset") else run(db, *args, "--basis", "甲县民政局\n〔2026〕1号")
    assert result.exit_code == 2
    assert error_line(result) == ('Error: --basis must be printable text on one line, got '
                                  '"甲县民政局\\n〔2026〕1号" (character U+000A)')
    assert run(db, "parameter", "list", "--history", "--format", "json").stdout.strip() == "[]"
