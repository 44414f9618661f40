"""Workflow files are validated at load: every error names the file, the item and the fault."""

from __future__ import annotations

import pytest

from engine.errors import WorkflowLoadError
from engine.registry import get_registry
from engine.workflow import State, available_workflows, load_workflow, parse_workflow

GUARDS = ["publicity_completed", "delegated"]

BASE = """
[workflow]
name = "mini"
title = "迷你"
initial = "a"

[[states]]
name = "a"
title = "甲"

[[states]]
name = "b"
title = "乙"
final = true

[[transitions]]
event = "go"
sources = ["a"]
dest = "b"
guards = GUARDS

[parameters.p]
value = "3wd"
citation = "民发〔2021〕57号 第15条"

[[deadlines]]
rule = "r"
title = "时限"
starts = ["go"]
param = "p"
"""


def load(text: str, guards=("publicity_completed",)):
    text = text.replace("GUARDS", "[" + ", ".join(f'"{g}"' for g in guards) + "]")
    return parse_workflow(text, "workflows/mini.toml", known_guards=GUARDS)


def test_a_valid_file_loads_into_frozen_objects():
    wf = load(BASE)
    assert [s.name for s in wf.states] == ["a", "b"]
    assert wf.final_states == {"b"}
    assert wf.transitions[0].guards == ("publicity_completed",)
    assert wf.parameters["p"].citation == "民发〔2021〕57号 第15条"
    with pytest.raises(AttributeError):
        wf.name = "other"  # frozen


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('sources = ["a"]', 'sources = ["x"]'),
         "workflows/mini.toml: transition 'go': unknown source state 'x'"),
        # (replaying a history passes over doudi's own recompute: a step of that name undone)
        (lambda t: t.replace('event = "go"', 'event = "recompute"').replace(
            'starts = ["go"]', 'starts = ["recompute"]'),
         "workflows/mini.toml: transition 'recompute': 'recompute' is an event doudi records "
         "itself (open, correction, recompute): a step is named otherwise"),
        (lambda t: t.replace('dest = "b"', 'dest = "nowhere"'),
         "workflows/mini.toml: transition 'go': unknown destination state 'nowhere'"),
        (lambda t: t + '\n[[states]]\nname = "c"\ntitle = "丙"\n',
         "workflows/mini.toml: state 'c': unreachable from the initial state 'a'"),
        (lambda t: t + '\n[[transitions]]\nevent = "back"\nsources = ["b"]\ndest = "a"\n',
         "workflows/mini.toml: transition 'back': leaves final state 'b'"),
        (lambda t: t + '\n[[transitions]]\nevent = "late"\nsources = ["b"]\ndest = "a"\n'
                       'after_closing = true\n',
         "workflows/mini.toml: transition 'late': is after_closing: it must leave the case where "
         "it is (no dest)"),
        (lambda t: t + '\n[[transitions]]\nevent = "late"\nsources = ["a"]\ndest = ""\n'
                       'after_closing = true\n',
         "workflows/mini.toml: transition 'late': is after_closing, but 'a' is not a final state"),
        (lambda t: t.replace('starts = ["go"]', 'starts = ["accept"]'),
         "workflows/mini.toml: deadline 'r': names event 'accept', which no transition has"),
        (lambda t: t.replace('param = "p"', 'param = "q"'),
         "workflows/mini.toml: deadline 'r': names parameter 'q', which is not defined"),
        (lambda t: t.replace('value = "3wd"', 'value = "3 weeks"'),
         "workflows/mini.toml: parameter 'p': unknown unit 'weeks' in '3 weeks'"),
        (lambda t: t.replace('initial = "a"', 'initial = "z"'),
         "workflows/mini.toml: workflow.initial: unknown state 'z'"),
        (lambda t: t.replace('rule = "r"', 'rule = "r"\nseverity = "urgent"'),
         "workflows/mini.toml: deadline 'r': severity 'urgent' is not one of statutory, advisory"),
        (lambda t: t.replace('rule = "r"', 'rule = "r"\noverlaps = "yes"'),
         "workflows/mini.toml: deadline 'r': overlaps must be true or false, not 'yes'"),
        (lambda t: t.replace('rule = "r"', 'rule = "r"\nvariants_from_next = 1'),
         "workflows/mini.toml: deadline 'r': variants_from_next must be true or false, not 1"),
        (lambda t: t.replace('rule = "r"', 'rule = "r"\nvariants_from_next = true'),
         "workflows/mini.toml: deadline 'r': variants_from_next says when a variant's period "
         "applies: it needs variants"),
        (lambda t: t.replace('rule = "r"', 'rule = "r"\nsubject = "member"'),
         "workflows/mini.toml: deadline 'r': a subject tells overlapping deadlines apart: it "
         "needs overlaps = true"),
        (lambda t: t.replace('title = "甲"', 'title = "甲"\ncolour = "red"'),
         "workflows/mini.toml: unknown key 'colour'"),
        (lambda t: t.replace('citation = "民发〔2021〕57号 第15条"', 'citation = ""'),
         "workflows/mini.toml: parameter 'p': has no citation"),
        (lambda t: t.replace('citation = "民发〔2021〕57号 第15条"', 'citation = " "'),
         "workflows/mini.toml: parameter 'p': has no citation"),
        (lambda t: t.replace("[workflow]", "[workflow"), "workflows/mini.toml: not valid TOML"),
        # (TOML reads nan and inf as numbers: neither is a count, a share or a bound)
        (lambda t: t + '\n[parameters.n]\nvalue = nan\ncitation = "民发〔2021〕57号 第10条"\n',
         "workflows/mini.toml: parameter 'n': NaN is not a finite number"),
        (lambda t: t + '\n[parameters.n]\nvalue = [1.0, -inf]\ncitation = "民发〔2021〕57号 第10条"\n',
         "workflows/mini.toml: parameter 'n': -Infinity is not a finite number"),
        # (any other start was shown by workflow show, and the payments began the month after
        # the decision all the same: 民发〔2021〕57号 第21条 "自确认同意的次月起", the only one
        # engine.payments counts)
        (lambda t: t + '\n[parameters.payment_start]\nvalue = "same_month"\n'
                       'citation = "民发〔2021〕57号 第21条"\n',
         "workflows/mini.toml: parameter 'payment_start': its value is next_month, the month "
         'after the decision (the only start doudi pays from), not "same_month"'),
        # (a declaration's flag of the wrong kind was read as its truth: "no" declared it
        # required; checked when built, as a plugin's add_attributes builds one)
        (lambda t: t + '\n[attributes.x]\ntype = "bool"\nrequired = "no"\n',
         'workflows/mini.toml: AttributeSpec required: expected True or False, got "no"'),
        (lambda t: t + '\n[attributes.x]\ntype = "integer"\nminimum = "1"\n',
         'workflows/mini.toml: AttributeSpec minimum: expected a number or None, got "1"'),
    ],
)
def test_load_errors_name_file_item_and_fault(change, message):
    with pytest.raises(WorkflowLoadError) as caught:
        load(change(BASE))
    assert str(caught.value).startswith(message)


def test_an_unknown_guard_name_is_a_load_error():
    with pytest.raises(WorkflowLoadError) as caught:
        load(BASE, guards=("publicity_complete",))
    assert str(caught.value).startswith(
        "workflows/mini.toml: transition 'go': unknown guard 'publicity_complete'"
    )


def test_the_packaged_workflows_load_with_the_registered_guards():
    assert "dibao" in available_workflows()
    wf = load_workflow("dibao", known_guards=get_registry().guards.names())
    assert wf.initial == "applied"
    assert {"published", "refusal_notified", "withdrawn", "terminated"} <= wf.final_states
    # The national step deadlines, each citing its article of 民发〔2021〕57号.
    assert wf.parameters["investigation_start"].value == "3wd"
    assert wf.parameters["investigation_start"].citation.startswith("民发〔2021〕57号 第15条")
    assert wf.parameters["county_confirmation"].value == "10wd"
    assert wf.parameters["refusal_notice"].citation.startswith("民发〔2021〕57号 第21条")


def test_an_unknown_workflow_name_says_which_exist():
    with pytest.raises(WorkflowLoadError, match=r"unknown workflow 'dibo' \(available: .*dibao"):
        load_workflow("dibo")


def test_an_unknown_workflow_asked_for_is_bad_input_like_an_unknown_province(tmp_path):
    # As the README classes it (exit 2); it was a WorkflowLoadError (exit 1), the error of a
    # broken definition file, while the reports already said InvalidInput.
    from datetime import date

    from engine import Engine
    from engine.cli import cli
    from engine.errors import InvalidInput
    from helpers import run

    engine = Engine.open(str(tmp_path / "x.db"))
    with pytest.raises(InvalidInput, match=r"unknown workflow 'x' \(available: "):
        engine.open_case(province="shanxi", workflow="x", on=date(2026, 3, 2))
    result = run(str(tmp_path / "x.db"), "workflow", "show", "nope", "--province", "tianjin")
    assert result.exit_code == 2, result.output
    # Every workflow a report can filter on is named in its --help.
    from click.testing import CliRunner

    for command in ("breaches", "at-risk"):
        text = " ".join(CliRunner().invoke(cli, ["report", command, "--help"]).output.split())
        assert all(name in text for name in available_workflows()), (command, text)


def test_an_unknown_workflow_is_named_in_the_same_words_wherever_it_is_given(db):
    # Found by review: opening a case said "(available: …)", a report's filter "(workflows:
    # …)". Every command that takes a workflow's name now says it one way (exit 2).
    from helpers import error_line, run

    listed = ", ".join(available_workflows())
    assert "dibao" in listed
    assert run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02").exit_code == 0
    line = f"Error: unknown workflow 'dibo' (available: {listed})"
    for args in (["case", "open", "--province", "shanxi", "--workflow", "dibo",
                  "--on", "2026-03-02"],
                 ["workflow", "show", "dibo", "--province", "shanxi"],
                 ["report", "breaches", "--workflow", "dibo"],
                 ["report", "at-risk", "--workflow", "dibo"]):
        result = run(db, *args)
        assert (result.exit_code, error_line(result)) == (2, line), args


@pytest.mark.parametrize(("patch", "message"), [
    ({"remove_events": ("submit_to_conuty",)}, "names event 'submit_to_conuty'"),
    ({"remove_deadlines": ("county_confirmaton",)}, "names deadline 'county_confirmaton'"),
    ({"remove_states": ("county_reveiw",)}, "names state 'county_reveiw'"),
    ({"add_guards": (("aprove", "delegated"),)}, "names event 'aprove'"),
])
def test_a_patch_naming_what_the_workflow_lacks_is_a_load_error(patch, message):
    """A misspelt removal would silently leave the rule in force (the county step running in
    a province that abolished it)."""
    from engine.workflow import WorkflowPatch

    dibao = load_workflow("dibao")
    with pytest.raises(WorkflowLoadError, match=f"测试省 \\(测民发1号\\): {message}, which "
                                                "workflow 'dibao' does not have"):
        WorkflowPatch(citation="测民发1号", **patch).apply(dibao, "测试省 (测民发1号)")


@pytest.mark.parametrize("patch, kind, name", [
    ({"add_guards": (("hold_village_review", "delegated"),)}, "event", "hold_village_review"),
    ({"retitle": (("event", "hold_village_review", "村民代表评议"),)}, "event",
     "hold_village_review"),
    ({"add_states": (State("village_reviewed", "已评议"),),
      "remove_states": ("village_reviewed",)}, "state", "village_reviewed"),
])
def test_a_patch_naming_what_it_adds_itself_says_so(patch, kind, name):
    """Putting a guard on the province's own step with add_guards was refused as "names event
    'hold_village_review', which workflow 'dibao' does not have": the patch adds it, two
    lines above. The error says the patch adds it, and where its guards go."""
    from engine.workflow import Transition, WorkflowPatch

    dibao = load_workflow("dibao")
    own = (Transition("hold_village_review", ("accepted",), None, title="村级民主评议"),)
    with pytest.raises(WorkflowLoadError) as caught:
        WorkflowPatch(citation="测民发1号", add_transitions=own, **patch).apply(
            dibao, "测试省 (测民发1号)")
    assert str(caught.value) == (
        f"测试省 (测民发1号): names {kind} {name!r}, which the patch adds itself: it removes, "
        "retitles and guards the workflow's own; what it adds it gives its title and guards "
        "(Transition(…, guards=(…)))")


def test_a_patch_adds_a_guard_to_every_transition_of_an_event():
    from engine.workflow import WorkflowPatch

    dibao = load_workflow("dibao")
    patched = WorkflowPatch(citation="x", add_guards=(("approve", "delegated"),)).apply(dibao, "x")
    approvals = [t for t in patched.transitions if t.event == "approve"]
    assert len(approvals) == 2
    assert all(t.guards[-1] == "delegated" for t in approvals)
    assert [t.guards[:-1] for t in approvals] == [
        t.guards for t in dibao.transitions if t.event == "approve"]


def test_no_deadline_or_parameter_title_states_a_period_a_province_can_change():
    # A title is the duty; its period is the parameter in force, shown beside it (duration,
    # computation). "成员死亡后3个月内完成家庭状况核查" said 3个月 whatever a province set, and
    # extension_reasons "可延长至45个工作日的特殊情况" whatever total_extended it set.
    import re

    period = re.compile(r"[0-9０-９一二三四五六七八九十]+ *(个月|个工作日|工作日|日|天|年)")
    titled = [(name, rule.rule, rule.title) for name in available_workflows()
              for rule in load_workflow(name).deadlines]
    titled += [(name, parameter.name, parameter.title) for name in available_workflows()
               for parameter in load_workflow(name).parameters.values()]
    assert titled and [t for t in titled if period.search(t[2] or "")] == []


@pytest.mark.parametrize(("values", "first"), [
    # household_size is declared before amount, standard after it
    ({"household_size": "three"}, "household_size must be a number"),
    ({"standard": "high"}, "a benefit case needs --set amount=…"),
    ({"amount": 900, "standard": "high"}, "a benefit case needs --set paid_from=…"),
    ({"standard": "high", "amount": 900, "paid_from": "2026-04"}, "standard must be a number"),
    ({"amount": 900, "paid_from": "2026-04", "standard": 800, "household_size": 0.5},
     "household_size must be a whole number"),
])
def test_an_opening_with_several_faults_is_refused_for_the_first_declared(values, first):
    """An opening's values are checked in the workflow's declared order, whatever the order
    they are given in: the first fault said is the first declared attribute's (a missing
    required one included), also now that values without fault are checked by a shorter way."""
    from engine.errors import InvalidInput

    wf = get_registry().workflow("shanxi", "benefit")
    with pytest.raises(InvalidInput) as refused:
        wf.check_attributes(values, opening=True)
    assert str(refused.value).startswith(first)
    wf.check_attributes({"amount": 900, "paid_from": "2026-04", "household_size": 3},
                        opening=True)  # (nothing wrong: no refusal)


# -- WorkflowPatch add_attributes: a province declares the data its own steps take ----------


def test_a_patch_declares_attributes_the_patched_workflow_checks_and_lists():
    """A province's datum is checked as the workflow's own (bad input, InvalidInput: exit 2),
    and the workflow it was applied to is left as it was (the registry shares it)."""
    from engine.errors import InvalidInput
    from engine.workflow import AttributeSpec, WorkflowPatch

    dibao = load_workflow("dibao")
    visit = AttributeSpec("home_visit", "bool", title="入户核查")
    size = AttributeSpec("meeting_size", "integer", minimum=3, title="参加人数")
    patched = WorkflowPatch("琼民规〔2099〕1号 四(三)", add_attributes=(visit, size)).apply(
        dibao, "hainan (琼民规〔2099〕1号 四(三))")
    assert (patched.attributes["home_visit"], patched.attributes["meeting_size"]) == (visit, size)
    assert "home_visit" not in dibao.attributes
    assert set(dibao.attributes) < set(patched.attributes)
    for data, message in [({"home_visit": "yes"}, 'home_visit must be true or false, got "yes"'),
                          ({"meeting_size": 2}, "meeting_size must be at least 3, got 2"),
                          ({"meeting_size": 3.5}, "meeting_size must be a whole number, got 3.5")]:
        with pytest.raises(InvalidInput) as caught:
            patched.check_attributes(data)
        assert str(caught.value) == message
        dibao.check_attributes(data)  # (undeclared there: a platform's own data)
    patched.check_attributes({"home_visit": True, "meeting_size": 3})


def test_a_patch_adding_one_parameter_twice_is_a_load_error():
    """Found when the parameter and attribute checks became one: a patch adding the same
    parameter twice (3wd, then 5wd) was taken, the last silently in force."""
    from engine.workflow import Parameter, WorkflowPatch

    twice = WorkflowPatch("琼民规〔2099〕1号", add_parameters=(
        Parameter("home_visit_within", "3wd", "琼民规〔2099〕1号 四(三)"),
        Parameter("home_visit_within", "5wd", "琼民规〔2099〕1号 四(三)")))
    with pytest.raises(WorkflowLoadError) as caught:
        twice.apply(load_workflow("dibao"), "hainan (琼民规〔2099〕1号)")
    assert str(caught.value) == ("hainan (琼民规〔2099〕1号): add_parameters: parameter "
                                 "'home_visit_within' is defined twice")


@pytest.mark.parametrize("attributes, message", [
    # (one the workflow declares would be replaced, its choices with it, for every step)
    ((("proposal", "text"),), "add_attributes: attribute 'proposal' is already declared by "
                              "workflow 'dibao': a province declares only the data its own "
                              "steps take"),
    ((("home_visit", "bool"), ("home_visit", "text")),
     "add_attributes: attribute 'home_visit' is declared twice"),
    ((("home_visit", "boolean"),), "attribute 'home_visit': type 'boolean' is not one of number, "
                                   "integer, month, date, bool, text, decided"),
])
def test_a_patch_declaring_an_attribute_twice_or_of_no_type_is_a_load_error(attributes, message):
    from engine.workflow import AttributeSpec, WorkflowPatch

    patch = WorkflowPatch("琼民规〔2099〕1号", add_attributes=tuple(
        AttributeSpec(name, kind) for name, kind in attributes))
    with pytest.raises(WorkflowLoadError) as caught:
        patch.apply(load_workflow("dibao"), "hainan (琼民规〔2099〕1号)")
    assert str(caught.value).endswith(message)
    assert "hainan (琼民规〔2099〕1号)" in str(caught.value)


@pytest.mark.parametrize("build, message", [
    (lambda p, a: p("c", add_attributes=("home_visit",)),
     'WorkflowPatch add_attributes: expected a list of AttributeSpec, got "home_visit"'),
    (lambda p, a: p("c", add_attributes=a("home_visit", "bool")),
     "WorkflowPatch add_attributes: expected a list of AttributeSpec, got AttributeSpec("),
    (lambda p, a: p("c", add_attributes=({"name": "home_visit", "type": "bool"},)),
     "WorkflowPatch add_attributes: expected a list of AttributeSpec, got {"),
    (lambda p, a: a("home_visit", "bool", lines="yes"),
     'AttributeSpec lines: expected True or False, got "yes"'),
    (lambda p, a: a(3, "bool"), "AttributeSpec name: expected a name (text), got 3"),
    (lambda p, a: a("outcome", "text", choices=("agree", None)),
     "AttributeSpec choices: expected a list of names (text), got null"),
])
def test_add_attributes_of_the_wrong_shape_is_a_type_error_naming_the_field(build, message):
    from engine.workflow import AttributeSpec, WorkflowPatch

    with pytest.raises(TypeError) as caught:
        build(WorkflowPatch, AttributeSpec)
    assert str(caught.value).startswith(message)
