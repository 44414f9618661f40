"""Gaps found by a fifth mutation pass, over the code changed in the last round (marginal and
支出型 recognition on the assessment, the checks of a province's assessment rules, WorkflowPatch
retitle and the checks of a workflow's parts, how an error names a plugin's function, reports
as of a date in a county, the store, the schema upgrade and the batched maintenance writes):
each test fails on a mutant of the code that the rest of the suite let pass.

Per-capita incomes are computed by hand: the household of ``household(income)`` is two members
under a standard of 900, so its per-capita income is ``income / 2``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import types
from datetime import date

import pytest
import sqlite_utils
from test_benefit_common import sanctioned_database
from test_marginal_assessment import DECIDED, assessed, household
from test_store import _doudi_as_an_operator, operator_folder  # noqa: F401 (a fixture)

from engine import Engine
from engine.application_place import PlaceRules
from engine.assessment import AssessmentRules, Household, assess
from engine.default_assessment import ExceptionRoute
from engine.effects import Sanction
from engine.errors import (
    DamagedRecord,
    DoudiError,
    EventRefused,
    InvalidInput,
    PluginError,
    WorkflowLoadError,
)
from engine.plugins import failing_as, get_plugin_manager, plugin_named
from engine.schema import migrations
from engine.shapes import is_number
from engine.store import Store
from engine.workflow import (
    DeadlineRule,
    Parameter,
    State,
    Transition,
    Variant,
    WorkflowPatch,
    load_workflow,
)
from helpers import put_back_triggers

# -- recognition on the assessment (default_assessment.assessment_permits_recognition) ---------


def test_shanxi_recognises_a_marginal_household_with_rigid_spending_as_expenditure_type(engine):
    """晋民发〔2023〕31号 一(三): "将收入高于低保标准，但因病、因残、因学等刚性支出较大，且家庭财产状况
    符合当地人民政府规定条件的支出型贫困家庭，按规定及时纳入保障范围". 2,400 for two is 1,200 a head:
    above the standard 900 (and within 1.5 × 900 = 1,350, so 边缘 by income); with 600 a month
    of rigid spending, its hardship claimed by applying, it is 支出型."""
    case_id, result = assessed(engine, "shanxi", "expenditure",
                               household(2400, rigid_spending=600))
    assert (result["per_capita"], result["classification"]) == (1200, "marginal")
    assert engine.fire(case_id, "recognize", on=DECIDED).case.state == "recognized"


def test_a_refusal_as_marginal_names_the_multiple_the_county_set(engine):
    """江苏征求意见稿 一(六): "有条件的地区可将低保边缘家庭人均收入从不高于低保标准1.5倍提高到2倍". 昆山市
    set 2 ×: 4,200 for two is 2,100 a head, above 2 × 900 = 1,800; the refusal names the 2 ×
    in force there, not the national 1.5 ×."""
    engine.set_parameter("jiangsu_draft", "昆山市", "marginal_multiple", 2, "昆山市民政局文件",
                         on=date(2026, 1, 5))
    case_id, result = assessed(engine, "jiangsu_draft", "marginal", household(4200), "昆山市")
    assert (result["per_capita"], result["classification"]) == (2100, "above")
    with pytest.raises(EventRefused, match=r"2100 against the standard 900: not within 2 × the "
                                           r"standard"):
        engine.fire(case_id, "recognize", on=DECIDED)


def test_the_assessment_of_a_recognition_case_records_no_exception_route(engine):
    """A household applying for 边缘 recognition is assessed for that recognition alone: the
    dibao workflow's exception route (晋民发〔2023〕31号 一(四)'s offer of 边缘 recognition to a
    1,200-a-head household) is not recorded on it, the recognition follows instead."""
    case_id, result = assessed(engine, "shanxi", "marginal", household(2400))
    assert result["classification"] == "marginal"
    assert "exception_route" not in engine.case(case_id).case.attributes


@pytest.mark.parametrize("arguments, shown", [
    ((3, "t", "b"), "ExceptionRoute kind: expected the route's name (text), got 3"),
    (("k", "t", "b", 3), "ExceptionRoute next_event: expected None or an event's name, got 3"),
    (("k", "t", "b", None, ""), "ExceptionRoute approval_after: expected None or an event's "
                                "name, got \"\""),
])
def test_an_exception_route_of_the_wrong_shape_is_refused_when_built(arguments, shown):
    with pytest.raises(TypeError) as caught:
        ExceptionRoute(*arguments)
    assert str(caught.value) == shown


# -- a province's assessment rules, checked (engine.assessment) ---------------------------------


def test_an_employment_cost_share_of_the_whole_standard_is_allowed():
    """江苏征求意见稿 一(二) 二是: "扣减比例由当地结合实际确定，最高不超过低保标准": a share of 1, the
    whole standard, is the most allowed. 1,500 earned under a standard of 800: 800 deducted,
    700 counted, below 800."""
    rules = AssessmentRules(employment_cost_share=1, employment_cost_basis="江苏征求意见稿 一(二)")
    found = Household.from_json({"standard": 800, "applicant": "m1", "members": [
        {"id": "m1", "age": 40, "employed": True, "income": {"employment": 1500}}]})
    result = assess("jiangsu_draft", found, rules)
    assert (result.per_capita, result.classification) == (700, "dibao")


@pytest.mark.parametrize("field, value", [("employment_cost_share", True),
                                          ("marginal_multiple", 0.5),
                                          ("marginal_multiple", True)])
def test_a_share_that_is_true_or_a_multiple_below_one_is_refused_when_built(field, value):
    # (True passed as 1 — the whole standard deducted; 0.5 × the standard put 边缘 below 低保)
    with pytest.raises(ValueError, match=rf"^AssessmentRules {field}: expected a number from "):
        AssessmentRules(**{field: value})


@pytest.mark.parametrize("field, answer, shown", [
    ("single_person", "yes", "'yes', not True or False"),
    ("severely_disabled", 1, "1, not True or False"),
    ("support_rule", ("half", "clause"), "('half', 'clause'), not None or (share still counted, "
                                         "clause)"),
    ("income_rule", (100.0, "clause", 3), "(100.0, 'clause', 3), not None or (amount not "
                                          "counted, clause, note)"),
    ("property_rule", True, "True, not None or the clause (text)"),
    ("minimum_benefit", (480,), "(480,), not None or (monthly amount, clause)"),
])
def test_a_province_rule_answering_in_the_wrong_shape_is_a_plugin_error(field, answer, shown):
    rules = AssessmentRules(**{field: lambda *args: answer})
    with pytest.raises(PluginError) as caught:
        getattr(rules, field)(None, None)
    assert str(caught.value).endswith(f".<lambda>, the AssessmentRules {field}, returned {shown}")


def test_a_province_rule_refusing_on_purpose_is_not_taken_for_its_failure():
    """A DoudiError a rule raises on purpose (bad input it found) is the rule's answer, passed
    on as raised; only an unexpected failure becomes a PluginError."""
    def rule(member):
        raise InvalidInput("household.members[0].age: must be a number")

    with pytest.raises(InvalidInput) as caught:
        AssessmentRules(single_person=rule).single_person(None)
    assert not isinstance(caught.value, PluginError)
    with pytest.raises(InvalidInput), failing_as(rule, "a rule"):
        rule(None)


# -- how an error names a plugin's function (engine.plugins.plugin_named) -----------------------


def _function(module: str) -> types.FunctionType:
    def rule():
        return None

    rule.__module__ = module
    return rule


def test_a_function_of_a_plugin_s_own_module_is_named_after_the_plugin():
    get_plugin_manager()
    from plugins.jiangsu_draft import assessment

    # (the rule is in the plugin's package plugins.jiangsu_draft, one module down)
    assert plugin_named(assessment._severe).startswith("plugin 'jiangsu_draft' (")
    assert plugin_named(assessment._severe).endswith("): _severe")


def test_a_function_of_another_module_is_named_by_its_module():
    get_plugin_manager()
    # (a module whose name only begins like the plugin's is not the plugin's)
    assert plugin_named(_function("plugins.jiangsu_draft_extra")) == \
        "plugins.jiangsu_draft_extra._function.<locals>.rule"
    assert plugin_named(_function("somewhere.else")) == "somewhere.else._function.<locals>.rule"


# -- workflow parts and patches (engine.workflow) -----------------------------------------------


@pytest.mark.parametrize("build, shown", [
    (lambda: State("x", 3), "State title: expected text, got 3"),
    (lambda: Transition("e", "a", 3), "Transition dest: expected a name (text) or None, got 3"),
    (lambda: Transition("e", "a", "b", auto_on=3),
     "Transition auto_on: expected a name (text) or None, got 3"),
    (lambda: Transition("e", "a", "b", after_closing="yes"),
     "Transition after_closing: expected True or False, got \"yes\""),
    (lambda: Transition("e", "a", "b", effects=(None,)),
     "Transition effects: expected a list of names (text), got null"),
    (lambda: Variant("remote", 3), "Variant param: expected a name (text), got 3"),
    (lambda: DeadlineRule("r", 3, ("accept",), "total"),
     "DeadlineRule title: expected text, got 3"),
    (lambda: DeadlineRule("r", "R", ("accept",), "total", extensions=("x",)),
     "DeadlineRule extensions: expected a list of Extension, got \"x\""),
])
def test_a_workflow_part_of_the_wrong_shape_is_refused_when_built(build, shown):
    with pytest.raises(TypeError) as caught:
        build()
    assert str(caught.value).startswith(shown)


@pytest.mark.parametrize("triple", [
    ("transition", "approve", "批准"),  # (the kind is "event")
    ("state", "in_publicity", "审核意见公示", "extra"),
    ("state", "in_publicity", "  "),
])
def test_a_retitle_that_is_not_a_kind_name_and_title_is_refused_when_built(triple):
    with pytest.raises(TypeError, match=r"^WorkflowPatch retitle: expected a list of \(kind, "
                                        r"name, title\) triples"):
        WorkflowPatch("琼民规〔2099〕1号", retitle=(triple,))


def test_a_patch_retitling_one_state_retitles_it():
    """A province's own word for one national step, alone in its patch (天津 retitles three)."""
    patched = WorkflowPatch("琼民规〔2099〕1号", retitle=(("state", "in_publicity", "审核意见公示"),)
                            ).apply(load_workflow("dibao"), "hainan")
    assert {s.name: s.title for s in patched.states}["in_publicity"] == "审核意见公示"


def test_an_override_of_true_where_the_workflow_has_a_number_is_refused():
    # (True passed as the number 1: one materials notice)
    with pytest.raises(WorkflowLoadError, match=r"parameter 'materials_notices' must be a number "
                                                r"like the workflow's 1, not true"):
        load_workflow("dibao").with_parameters([Parameter("materials_notices", True, "c")], "x")


def test_an_override_of_a_list_may_be_given_as_a_tuple():
    wf = load_workflow("dibao").with_parameters(
        [Parameter("extension_reasons", ("人户分离", "调查难度大"), "津民发〔2023〕13号 四(一)")], "x")
    assert list(wf.parameters["extension_reasons"].value) == ["人户分离", "调查难度大"]


@pytest.mark.parametrize("parameter, shown", [
    (Parameter("meeting_size", 5, "c", local=True, bounds=("3", "9")),
     "bounds ('3', '9') are not (least, greatest), two numbers"),
    (Parameter("meeting_size", 5, "c", local=True, bounds=(True, 9)),
     "bounds (True, 9) are not (least, greatest), two numbers"),
    (Parameter("meeting_size", 10, "c", local=True, bounds=(5, 9)),
     "10 is not from 5 to 9, its bounds"),
])
def test_a_parameter_s_bounds_are_two_numbers_holding_its_value(parameter, shown):
    with pytest.raises(WorkflowLoadError) as caught:
        WorkflowPatch("琼民规〔2099〕1号", add_parameters=(parameter,)).apply(
            load_workflow("dibao"), "hainan")
    assert str(caught.value) == f"workflows/dibao.toml + hainan: parameter 'meeting_size': {shown}"


@pytest.mark.parametrize("value, expected", [(1, True), (0.5, True), (True, False),
                                             (False, False), ("1", False), (None, False)])
def test_a_number_is_an_int_or_float_and_not_true_or_false(value, expected):
    assert is_number(value) is expected


# -- reports in a county (engine.reports, engine.store.waiting_since) ---------------------------


def test_unpublished_in_a_county_leaves_out_the_cases_of_other_counties():
    """民发〔2021〕57号 第24条: confirmed cases are published (公布). Two 天津 cases confirmed Tue
    2026-03-17, one in 和平区 and one in 河西区, neither moved: as of 03-19 each county's report
    lists its own case alone, waiting 2 days."""
    engine = Engine.open(":memory:", today=lambda: date(2026, 4, 1))
    ids = {}
    for county in ("和平区", "河西区"):
        case = engine.open_case(province="tianjin", on=date(2026, 3, 2),
                                attributes={"county": county})
        for event, day in [("accept", 2), ("start_investigation", 3),
                           ("request_verification", 4), ("start_verification", 5),
                           ("post_publicity", 9), ("approve", 17)]:
            engine.fire(case.id, event, on=date(2026, 3, day),
                        payload={"amount": 650} if event == "approve" else None)
        ids[county] = case.id
    for county in ("和平区", "河西区"):
        rows = engine.unpublished(as_of=date(2026, 3, 19), county=county)
        assert [(r["case_id"], r["county"], r["days"]) for r in rows] == [(ids[county], county, 2)]


# -- the store and the schema upgrade (engine.store, engine.schema.upgrade) ---------------------


def test_a_sanction_an_older_doudi_stored_without_basis_or_note_is_reported_blank(tmp_path):
    """A sanction row whose basis and note an older doudi stored as NULL (a plugin's None) is
    reported as ``case show`` shows it: blank text, not null. (The 和平区 household's stop for
    fraud found 2026-05-20, 津民发〔2023〕13号 五(五), its basis and note then nulled.)"""
    db, _, b, _ = sanctioned_database(tmp_path)
    with sqlite3.connect(db) as conn:  # (past the append-only guard, put back after)
        conn.execute("drop trigger sanctions_append_only_update")
        conn.execute("update sanctions set basis = null, note = null where case_id = ? and "
                     "kind = 'stop'", (b,))
        put_back_triggers(conn)
    engine = Engine.open(db)
    [row] = engine.sanctions(kind="stop", province="tianjin")
    assert (row["case_id"], row["on"], row["basis"], row["note"]) == (b, "2026-05-20", "", "")
    [shown] = [s for s in engine.case(b).sanctions if s.kind == "stop"]
    assert (shown.basis, shown.note) == (row["basis"], row["note"])


def test_an_upgrade_that_fails_leaves_the_database_as_it_was_and_unlocked(tmp_path):
    """A migration that fails (here m010, its column already added by hand) undoes the ones
    before it in the same upgrade, and releases the write lock at once: not when the error,
    held by a caller that logs it, is finally let go (every writer meanwhile "database is
    locked")."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m009_local_parameters")
    db.execute("alter table deadlines add column subject text")
    db.close()
    with pytest.raises(DoudiError, match="duplicate column name: subject") as caught:
        Store.open(str(path))
    assert caught.value is not None  # (held, with what it was raised from)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("begin immediate")  # ("database is locked" while the upgrade's is open)
    other.execute("rollback")
    applied = [m.name for m in migrations.applied(sqlite_utils.Database(other))]
    assert applied[-1] == "m008_deadline_key_index"


@pytest.mark.parametrize("companions, why", [
    # With the log and shared memory already beside the database, a folder that cannot be
    # written is not why a write fails: the read-only shared memory (left by a process that
    # could only read) is what to fix, and is named.
    ({"-shm": 0o444, "-wal": 0o666},
     "{db}-shm is read-only (left by a process that could only read the database): make it "
     "writable, or remove it while no process has the database open"),
    # Found by this pass: a shared-memory file left without its log, in a folder that cannot be
    # written, read as SQLite's bare "attempt to write a readonly database": SQLite must make
    # the log there, so the folder is what to fix, and is named.
    ({"-shm": 0o666},
     "its folder {folder} cannot be written, and SQLite keeps the database's log and shared "
     "memory beside it: make the folder writable"),
])
def test_a_write_in_a_read_only_folder_names_what_to_fix_whatever_files_were_left_there(
        operator_folder, companions, why):  # noqa: F811 (the fixture imported above)
    folder = operator_folder / "shared"
    folder.mkdir()
    db = str(folder / "c.db")
    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="R1")
    engine.store.db.close()
    doudi = _doudi_as_an_operator(folder)
    os.chmod(db, 0o666)
    for companion, mode in companions.items():
        open(db + companion, "wb").close()
        os.chmod(db + companion, mode)
    os.chmod(folder, 0o555)
    try:
        result = subprocess.run([*doudi, "case", "fire", "R1", "accept", "--on", "2026-03-02",
                                 "--db", db], capture_output=True, text=True, timeout=60)
    finally:
        os.chmod(folder, 0o777)
    assert (result.returncode, result.stderr) == (
        1, f"Error: {db}: nothing written: {why.format(db=db, folder=folder)}\n")
    assert [e.event for e in Engine.open(db).store.history("R1")] == ["open"]



# -- maintenance's batched writes (engine.maintenance._write_batched) ---------------------------


def test_advance_and_recompute_report_progress_for_every_case_read(engine):
    """Progress counts the cases gone through, those with nothing to record as well: three
    山西 cases 受理 on 2026-03-02, nothing happening by itself and no due date to move."""
    for case_id in ("P1", "P2", "P3"):
        engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=case_id)
        engine.fire(case_id, "accept", on=date(2026, 3, 2))
    advanced, recomputed = [], []
    assert engine.advance(date(2026, 3, 3), progress=advanced.append) == []
    assert engine.recompute(progress=recomputed.append) == []
    assert advanced == recomputed == [1, 1, 1]


# -- what a plugin hands over, checked (application_place, effects, registry) -------------------


def test_a_place_rule_s_extra_that_is_no_function_is_refused_when_built():
    with pytest.raises(TypeError, match=r"^PlaceRules extra: expected a list of functions of "
                                        r"the household's Residence returning Ways"):
        PlaceRules(extra=("hainan_ways",))


@pytest.mark.parametrize("arguments, shown", [
    (("stop", "2026-05-20", "津民发〔2023〕13号 五(五)"),
     "Sanction on: expected a datetime.date (not text), got \"2026-05-20\""),
    (("stop", date(2026, 5, 20), " "),
     "Sanction basis: expected the clause that sets it (text), got \" \""),
    (("stop", date(2026, 5, 20), "津民发〔2023〕13号 五(五)", None, None),
     "Sanction note: expected text, got null"),
])
def test_a_sanction_of_the_wrong_shape_is_refused_when_built(arguments, shown):
    with pytest.raises(TypeError) as caught:
        Sanction(*arguments)
    assert str(caught.value) == shown


def test_a_sanction_whose_basis_was_changed_by_hand_to_no_text_is_a_damaged_record(tmp_path):
    db, _, b, _ = sanctioned_database(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("drop trigger sanctions_append_only_update")  # (put back after)
        # (a blob: the column's text affinity would store a number as its text)
        conn.execute("update sanctions set basis = x'35' where case_id = ? and kind = 'stop'",
                     (b,))
        put_back_triggers(conn)
    with pytest.raises(DamagedRecord, match=rf"sanction 'stop' of case '{b}'.*basis b'5' is "
                                            r"not text"):
        Engine.open(db).case(b)

