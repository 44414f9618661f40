"""A plugin author's common mistakes: each one error line naming the plugin and what is wrong,
never a traceback nor a rule silently left out. (``install``: conftest.py; it registers 海南.)"""

from __future__ import annotations

import importlib
import json
import shutil
import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.errors import PluginError
from engine.plugins import get_plugin_manager
from engine.registry import Registry, get_registry
from helpers import NAMED, dump_file, error_line, run

GUARD = '''
import os
from engine import WorkflowPatch

@hookimpl
def doudi_register_guards(register):
    register("hainan_needs_village", lambda ctx: None)

@hookimpl
def doudi_workflow_patches(province, workflow):
    if province == "hainan" and workflow == "dibao":
        return [WorkflowPatch("琼民规〔2099〕1号 四(三)", {field}={value})]
'''

PATCH_MISTAKES = {  # field, value, what the message shows
    "guard-pair-without-inner-tuple": ("add_guards", '("approve", "hainan_needs_village")',
                                       "expected a list of (event, guard) pairs"),
    "guard-pair-of-one": ("add_guards", '[("approve",)]', "got ('approve',)"),
    "state-by-name": ("add_states", '["village_checked"]', "expected a list of State"),
    "one-transition-not-listed": ("add_transitions", 'Transition("x", "applied", "applied")',
                                  "expected a list of Transition, got Transition("),
    "removed-event-not-a-name": ("remove_events", "[None]", "expected a list of event names"),
    "retitle-without-its-kind": ("retitle", '[("in_publicity", "审核意见公示")]',
                                 "expected a list of (kind, name, title) triples"),
    "attribute-by-name": ("add_attributes", '["home_visit"]', "expected a list of AttributeSpec"),
}


def test_a_guard_pair_without_its_inner_tuple_is_one_line_for_every_command(install, db):
    # The reviewer's case: add_guards=("approve", "…") — a ValueError traceback for
    # ``workflow show`` and for every command on a database holding a case of the province.
    install(GUARD.format(field="add_guards", value='''(("approve", "hainan_needs_village"),)
        if not os.environ.get("BROKEN") else ("approve", "hainan_needs_village")'''))
    assert run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01").exit_code == 0
    get_registry.cache_clear()  # (as a new process would: the plugin now has the mistake)
    expected = (f"Error: {NAMED} failed in doudi_workflow_patches: TypeError: WorkflowPatch "
                'add_guards: expected a list of (event, guard) pairs, as add_guards=(("approve", '
                "\"my_guard\"),), got \"approve\"")
    for command in (["workflow", "show", "dibao", "--province", "hainan", "--db", db],
                    ["report", "breaches", "--db", db]):
        result = CliRunner().invoke(cli, command, env={"BROKEN": "1"})
        assert result.exit_code == 1, (command, result.output)
        assert error_line(result) == expected, command
    # recompute and case advance go on past the province's cases (another province's are
    # written) and name the first at the end, after their summary.
    for command, summary, doing in (
            (["recompute"], "0 due dates moved in 0 of 1 case", "recompute could not read or "
             "re-derive"),
            (["case", "advance"], "0 events recorded", "advance could not read or work out")):
        result = CliRunner().invoke(cli, [*command, "--db", db], env={"BROKEN": "1"})
        assert result.exit_code == 1, (command, result.output)
        assert result.stderr.splitlines() == [summary, (
            f"Error: {doing} 1 case and left it as it was (hainan-2026-000001: {expected[7:]}); "
            "it went on with the others")]  # (no row was changed outside doudi: no verify hint)


@pytest.mark.parametrize("mistake", sorted(PATCH_MISTAKES))
def test_a_patch_field_of_the_wrong_shape_names_the_plugin_and_the_field(install, mistake):
    field, value, shown = PATCH_MISTAKES[mistake]
    install("from engine import Transition\n" + GUARD.format(field=field, value=value))
    with pytest.raises(PluginError) as caught:
        Registry(get_plugin_manager()).load().workflow("hainan", "dibao")
    message = str(caught.value)
    assert message.startswith(f"{NAMED} failed in doudi_workflow_patches: TypeError: "
                              f"WorkflowPatch {field}: ")
    assert shown in message and "\n" not in message


def test_a_patch_declaring_an_attribute_the_workflow_has_names_the_plugin_and_the_attribute(
        install):
    """Declaring ``proposal`` again would replace the national 公示 proposal's choices for
    every case of the province: one error line naming the plugin, its patch and the name."""
    install(GUARD.format(field="add_attributes",
                         value='(AttributeSpec("proposal", "text", choices=("yes", "no")),)')
            .replace("from engine import WorkflowPatch",
                     "from engine import AttributeSpec, WorkflowPatch"))
    result = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == (
        f"Error: {NAMED} failed in its WorkflowPatch (琼民规〔2099〕1号 四(三)) on workflow "
        "'dibao': add_attributes: attribute 'proposal' is already declared by workflow 'dibao': "
        "a province declares only the data its own steps take")


def test_a_patch_without_a_citation_is_refused_when_built(install):
    install(GUARD.format(field="add_guards", value='(("approve", "hainan_needs_village"),)')
            .replace('"琼民规〔2099〕1号 四(三)"', '""'))
    with pytest.raises(PluginError, match=r"WorkflowPatch citation: expected the clause that "
                                          r"requires the change \(text\), got \"\""):
        Registry(get_plugin_manager()).load().workflow("hainan", "dibao")


def test_a_patch_that_fails_while_applied_names_the_plugin_and_the_patch(install):
    # (a list inside a transition's sources: well-shaped at the top, unhashable inside)
    install(GUARD.format(field="add_transitions",
                         value='[Transition("x", [["applied"]], "applied")]')
            .replace("from engine import WorkflowPatch", "from engine import Transition, WorkflowPatch"))
    with pytest.raises(PluginError) as caught:
        Registry(get_plugin_manager()).load().workflow("hainan", "dibao")
    # (refused when the Transition is built, naming the field)
    assert str(caught.value) == (f"{NAMED} failed in doudi_workflow_patches: TypeError: "
                                 "Transition sources: expected a list of names (text), got "
                                 '["applied"]')


@pytest.mark.parametrize("built, shown", [
    # "state 3: unreachable from the initial state" named a number as if it were a state
    ('State(3, "x")', "State name: expected a name (text), got 3"),
    ('State("x", "X", final="yes")', "State final: expected True or False, got \"yes\""),
    # "'Variant' object is not iterable"
    ('DeadlineRule("r", "R", ("accept",), "total", variants=Variant("remote", "total"))',
     "DeadlineRule variants: expected a list of Variant, got Variant(when='remote', "
     "param='total')"),
    ('Transition("x", "applied", "applied", guards=(None,))',
     "Transition guards: expected a list of names (text), got null"),
])
def test_a_workflow_part_of_the_wrong_shape_names_the_plugin_and_the_field(install, built,
                                                                           shown):
    install(f'''
    from engine import DeadlineRule, State, Transition, Variant, WorkflowPatch

    @hookimpl
    def doudi_workflow_patches(province, workflow):
        if province == "hainan" and workflow == "dibao":
            return [WorkflowPatch("琼民规〔2099〕1号 四(三)", add_states=({built},)
                                  if {built!r}.startswith("State") else (),
                                  add_deadlines=({built},) if {built!r}.startswith("Deadline")
                                  else (),
                                  add_transitions=({built},) if {built!r}.startswith("Trans")
                                  else ())]
    ''')
    result = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == f"Error: {NAMED} failed in doudi_workflow_patches: TypeError: {shown}"


# -- CalendarOverlay --------------------------------------------------------------------------

OVERLAY = '''
from datetime import date, datetime
from engine import CalendarOverlay

@hookimpl
def doudi_calendar_overlays(province, county):
    if province == "hainan":
        return [CalendarOverlay({arguments})]
'''

OVERLAY_MISTAKES = {  # the overlay's arguments, the field named, what the message shows
    "day-without-name": ('"琼府办〔2099〕1号", days_off=[date(2026, 4, 20)]', "days_off",
                         "got datetime.date(2026, 4, 20)"),
    "one-pair-not-listed": ('"琼府办〔2099〕1号", days_off=(date(2026, 4, 20), "三月三")',
                            "days_off", "got datetime.date(2026, 4, 20)"),
    "date-as-text": ('"琼府办〔2099〕1号", days_off=[("2026-04-20", "三月三")]', "days_off",
                     "got ('2026-04-20', '三月三')"),
    "a-datetime": ('"琼府办〔2099〕1号", working_days=[(datetime(2026, 4, 26), "调休")]',
                   "working_days", "got (datetime.datetime(2026, 4, 26, 0, 0), '调休')"),
    "no-source": ('None, days_off=[(date(2026, 4, 20), "三月三")]', "source", "got null"),
    "empty-county": ('"琼府办〔2099〕1号", days_off=[(date(2026, 4, 20), "三月三")], county=""',
                     "county", "got \"\""),
}


@pytest.mark.parametrize("mistake", sorted(OVERLAY_MISTAKES))
def test_a_calendar_overlay_of_the_wrong_shape_names_the_plugin_and_the_field(install, mistake):
    # Each was a traceback, or (a date as text, an empty county) an overlay silently unused:
    # a due date counted as if the day off were a working day.
    arguments, field, shown = OVERLAY_MISTAKES[mistake]
    install(OVERLAY.format(arguments=arguments))
    result = CliRunner().invoke(cli, ["calendar", "due", "2026-04-17", "1wd",
                                      "--province", "hainan"])
    assert result.exit_code == 1, result.output
    line = error_line(result)
    assert line.startswith(f"Error: {NAMED} failed in doudi_calendar_overlays: TypeError: "
                           f"CalendarOverlay {field}: expected ")
    assert line.endswith(shown)


def test_a_well_formed_overlay_moves_the_due_date(install):
    install(OVERLAY.format(arguments='"琼府办〔2099〕1号", days_off=[(date(2026, 4, 20), "三月三")]'))
    result = CliRunner().invoke(cli, ["calendar", "due", "2026-04-17", "1wd",
                                      "--province", "hainan"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "2026-04-21"  # Fri + 1 wd, Mon 04-20 off


# -- doudi_parameters -------------------------------------------------------------------------

PARAMETERS = '''
from engine import Parameter, WorkflowPatch

@hookimpl
def doudi_parameters(province, workflow):
    if province == "hainan" and workflow == "dibao":
        return [Parameter({arguments})]
'''

A_PATCH = '''
@hookimpl
def doudi_workflow_patches(province, workflow):
    if province == "hainan" and workflow == "dibao":
        return [WorkflowPatch("琼民规〔2099〕1号 四(三)", add_parameters=(
            Parameter("village_register", True, "琼民规〔2099〕1号 四(三)"),))]
'''

PARAMETER_MISTAKES = {  # Parameter(...)'s arguments, what follows "parameter '…'"
    "no-citation": ('"total", "25wd", ""', "'total': has no citation"),
    # (both were taken: every due date the 25wd set cited "   ", or 42)
    "blank-citation": ('"total", "25wd", "   "', "'total': has no citation"),
    "citation-not-text": ('"total", "25wd", 42', "'total': has no citation (the clause that "
                          "sets it, as text, not 42)"),
    # (each was taken, as a county's setting of it is not: "Always" delegated no case, and
    # its total was the 30wd, not the 20wd of 民发〔2022〕83号 四(一))
    "delegation-misspelt": ('"delegation", "Always", "琼民规〔2099〕1号 四(二)"',
                            "'delegation' is always or per_case, not \"Always\""),
    "a-count-not-whole": ('"materials_notices", 1.5, "琼民规〔2099〕1号 四(二)"',
                          "'materials_notices' must be a whole number like the workflow's 1, "
                          "not 1.5"),
    "no-extension-reasons": ('"extension_reasons", [], "琼民规〔2099〕1号 四(二)"',
                             "'extension_reasons' cannot be empty (the workflow's: "
                             '["人户分离", "异地申办", "调查难度大"])'),
    "a-reason-not-text": ('"extension_reasons", ["人户分离", 3], "琼民规〔2099〕1号 四(二)"',
                          "'extension_reasons' must be a list of text, not [\"人户分离\", 3]"),
    "publicity-without-the-village": ('"publicity_channels", ["网上"], "琼民规〔2099〕1号 四(二)"',
                                      "'publicity_channels' must include 村（社区）: the 公示 is "
                                      "always posted there (民发〔2021〕57号 第19条)"),
    # (the one listed last was taken, without a word)
    "given-twice": ('"total", "25wd", "琼民规〔2099〕1号 四(二)"), Parameter("total", "20wd", '
                    '"琼民规〔2099〕1号 四(三)"',
                    "'total' overridden twice ('25wd', 琼民规〔2099〕1号 四(二); '20wd', "
                    "琼民规〔2099〕1号 四(三)): give it once"),
    "misspelt-name": ('"totl", "25wd", "琼民规〔2099〕1号 四(二)"',
                      "'totl' overridden but not defined by workflow 'dibao'"),
    "duration-without-unit": ('"total", "25", "琼民规〔2099〕1号 四(二)"',
                              "'total': malformed duration '25'"),
    # (both were silently dropped: "local": false in workflow show, no bounds checked)
    "local-on-a-national-override": ('"total", "25wd", "琼民规〔2099〕1号 四(二)", local=True',
                                     "'total': local=True on an override, but whether a county "
                                     "may set it is decided where it is defined"),
    "bounds-on-an-override": ('"total", "25wd", "琼民规〔2099〕1号 四(二)", bounds=(20, 30)',
                              "'total': bounds=(20, 30) on an override, but a parameter's "
                              "bounds are set where it is defined (there: none)"),
    # (kept: nan let any number of 补正 notices pass, every comparison with it being false)
    "not-a-finite-count": ('"materials_notices", float("nan"), "琼民规〔2099〕1号 四(二)"',
                           "'materials_notices': NaN is not a finite number"),
    "an-infinite-count": ('"materials_notices", float("inf"), "琼民规〔2099〕1号 四(二)"',
                          "'materials_notices': Infinity is not a finite number"),
}


@pytest.mark.parametrize("with_patch", [False, True], ids=["alone", "with-a-patch"])
@pytest.mark.parametrize("mistake", sorted(PARAMETER_MISTAKES))
def test_a_parameter_override_s_mistake_names_the_plugin_not_the_workflow_file(install, mistake,
                                                                              with_patch):
    # It read "workflows/dibao.toml: parameter 'total': has no citation", or named the
    # citation of the plugin's patch, as if the file or the patch were wrong.
    arguments, shown = PARAMETER_MISTAKES[mistake]
    install(PARAMETERS.format(arguments=arguments) + (A_PATCH if with_patch else ""))
    result = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result).startswith(
        f"Error: {NAMED}: doudi_parameters: parameter {shown}")


def test_a_payment_start_other_than_the_month_after_is_refused_naming_the_plugin(install):
    """民发〔2021〕57号 第21条: 低保金 "自确认同意的次月起" is paid; engine.payments counts that
    start and no other. A plugin's "same_month" was shown by workflow show, and its cases were
    paid from the month after all the same."""
    install(PARAMETERS.replace('workflow == "dibao"', 'workflow == "benefit"').format(
        arguments='"payment_start", "same_month", "琼民规〔2099〕1号 二"'))
    result = CliRunner().invoke(cli, ["workflow", "show", "benefit", "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == (
        f"Error: {NAMED}: doudi_parameters: parameter 'payment_start' is next_month, the month "
        'after the decision (the only start doudi pays from), not "same_month"')


BOTH_SOURCES = """
import os
from engine import Parameter, WorkflowPatch

@hookimpl
def doudi_workflow_patches(province, workflow):
    if province == "hainan" and workflow == "dibao":
        return [WorkflowPatch("琼民规〔2099〕1号 四(三)", add_parameters=(Parameter(
            "meeting_size", 5, "琼民规〔2099〕1号 四(三)", local=True, bounds=(3, 9)),))]

@hookimpl
def doudi_parameters(province, workflow):
    if province == "hainan" and workflow == "dibao" and os.environ.get("OVERRIDE"):
        return [Parameter({name!r}, {value!r}, "琼民规〔2099〕1号 四(二)")]
"""

# (name, value, what follows "parameter '…'"; {whose}: the value it would replace)
VALUE_RULES = {
    "kind": ("investigation_start", 2, ' must be text like {whose} "3wd", not 2'),
    "whole-number": ("meeting_size", 5.5, " must be a whole number like {whose} 5, not 5.5"),
    "bounds": ("meeting_size", 10, " must be from 3 to 9 (琼民规〔2099〕1号 四(三)), not 10"),
    "empty-list": ("publicity_channels", [], ' cannot be empty ({whose}: ["村（社区）"])'),
    "list-item": ("publicity_channels", ["村（社区）", 3],
                  ' must be a list of text, not ["村（社区）", 3]'),
    "village-left-out": ("publicity_channels", ["网上"], " must include 村（社区）: the 公示 is "
                         "always posted there (民发〔2021〕57号 第19条), other channels add to it"),
    "delegation": ("delegation", "Always", ' is always or per_case, not "Always"'),
    "duration-digits": ("investigation_start", "２wd", " must be a count in ASCII digits and a "
                        'unit (e.g. 2wd), not "２wd"'),
    "duration-unit": ("investigation_start", "2x", ": unknown unit 'x' in '2x': use wd (working "
                      "days), d (calendar days), m (months), cm (calendar months) or cq "
                      "(calendar quarters)"),
    **{f"channel-{i}": ("publicity_channels", ["村（社区）", channel],
                        ": each channel must be its name, without spaces around it, a comma or "
                        f"a line break, not {shown}")
       for i, (channel, shown) in enumerate([(" 网上", '" 网上"'), ("网上 ", '"网上 "'),
                                             ("", '""'), (" ", '" "'),
                                             ("网上,报纸", '"网上,报纸"'), ("网上\n", '"网上\\n"')])},
}


@pytest.mark.parametrize("rule", sorted(VALUE_RULES))
def test_a_parameter_s_value_is_held_to_the_same_rules_from_a_county_and_from_a_plugin(
        install, db, rule):
    """A county's setting (`parameter set`) and a province plugin's override
    (doudi_parameters) replace the same value, and are held to the same rules, in the same
    words. Found by review: the rules were written twice, and had drifted: a plugin's
    publicity_channels of ["村（社区）", " 网上"] (or a blank channel, one with a comma or a line
    break) loaded, though a case gives its channels as text separated by commas, each read
    without spaces around it, so no case could be posted online; and the same mistake read
    otherwise from each ("'Always' is not always or per_case" from a plugin, "is always or
    per_case, not \"Always\"" from a county)."""
    name, value, problem = VALUE_RULES[rule]
    install(BOTH_SOURCES.format(name=name, value=value))
    assert run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01",
               "--set", "county=甲县").exit_code == 0
    before = dump_file(db)
    county = run(db, "parameter", "set", name, json.dumps(value, ensure_ascii=False),
                 "--province", "hainan", "--county", "甲县", "--basis", "甲县民政局〔2026〕3号",
                 "--on", "2026-04-01")
    assert county.exit_code == 2, county.output
    assert error_line(county) == (f"Error: dibao parameter {name!r}"
                                  f"{problem.format(whose='the province' + chr(39) + 's')}")
    assert dump_file(db) == before  # (nothing recorded)
    get_registry.cache_clear()  # (as a new process would: the plugin now overrides it)
    plugin = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "hainan"],
                                env={"OVERRIDE": "1"})
    assert plugin.exit_code == 1, plugin.output
    assert error_line(plugin) == (f"Error: {NAMED}: doudi_parameters: parameter {name!r}"
                                  f"{problem.format(whose='the workflow' + chr(39) + 's')}")


def test_a_hook_that_calls_sys_exit_names_the_plugin(install, db):
    """sys.exit(0) in a hook ended every command there, exit 0 and not a word: ``case open``
    printed no case id and opened none, and said nothing of why."""
    install(PARAMETERS.format(arguments='"total", "25wd", "琼民规〔2099〕1号 四(二)"').replace(
        "    if province", "    import sys\n    sys.exit(0)\n    if province"))
    result = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01")
    assert result.exit_code == 1, result.output
    assert error_line(result) == f"Error: {NAMED} failed in doudi_parameters: SystemExit: 0"


def test_an_override_of_a_local_parameter_stays_local(install):
    install(PARAMETERS.format(
        arguments='"investigation_start", "2wd", "琼民规〔2099〕1号 四(一)", local=True'))
    parameter = Registry(get_plugin_manager()).load().workflow("hainan", "dibao") \
        .parameters["investigation_start"]
    assert (parameter.value, parameter.local) == ("2wd", True)


# -- Province and Document ----------------------------------------------------------------------

REGISTER = '''
from datetime import date
from engine import Document, Province

@hookimpl
def doudi_register_provinces(register):
    register(Province({province}))
'''

PROVINCE_MISTAKES = {  # Province(...)'s arguments, the class and field named, what is shown
    # (kept, and every `doudi provinces` ended in a traceback: "str has no isoformat")
    "document-date-as-text": ('"hainan", "海南省", (Document("琼民规〔2099〕1号", "测试文件", '
                              '"2099-01-15"),)', "Document date", "got \"2099-01-15\""),
    "document-status-misspelt": ('"hainan", "海南省", (Document("琼民规〔2099〕1号", "测试文件", '
                                 'None, "inforce"),)', "Document status", "got \"inforce\""),
    # (a province no --province could name, in every case id: "Hainan -2026-000001")
    "code-with-a-space": ('"Hainan ", "海南省", ()', "Province code", "got \"Hainan \""),
    "code-with-a-hyphen": ('"hai-nan", "海南省", ()', "Province code", "got \"hai-nan\""),
    # (a number as text was split into its characters, one "document" each)
    "documents-not-listed": ('"hainan", "海南省", "琼民规〔2099〕1号"', "Province documents",
                             "expected a list of Document, got \"琼民规〔2099〕1号\""),
    "no-name": ('"hainan", "", ()', "Province name", "got \"\""),
}


@pytest.mark.parametrize("mistake", sorted(PROVINCE_MISTAKES))
def test_a_province_or_document_of_the_wrong_shape_names_the_plugin_and_the_field(install,
                                                                                  mistake):
    arguments, field, shown = PROVINCE_MISTAKES[mistake]
    install(REGISTER.format(province=arguments))
    result = CliRunner().invoke(cli, ["provinces"])
    assert result.exit_code == 1, result.output
    line = error_line(result, f"Error: {NAMED} failed in doudi_register_provinces: TypeError: "
                              f"{field}: expected ")
    assert shown in line


# -- PhaseOut and AssessmentRules -------------------------------------------------------------

PHASE_OUT = '''
from engine import PhaseOut

@hookimpl
def doudi_phaseout_schedule(province, per_capita_income, standard, attributes, parameters):
    if province == "hainan":
        return PhaseOut({arguments})
'''


@pytest.mark.parametrize("arguments, shown", [
    # 60 for 60 %: refused as the clerk's bad input (exit 2), the plugin unnamed
    ('(1.0, 1.0, 1.0, 60, 60, 60), "琼民规〔2099〕1号 一(五)"',
     "ValueError: PhaseOut shares: expected a non-empty list of monthly shares from 0 to 1 "
     "(1.0 the full benefit), got (1.0, 1.0, 1.0, 60.0, 60.0, 60.0)"),
    # ("'<=' not supported between instances of 'int' and 'str'")
    ('("1", "0.5"), "琼民规〔2099〕1号 一(五)"', "got ('1', '0.5')"),
    # (recorded, and every month of the phase-out cited "None")
    ('(1.0, 0.5), None', "TypeError: PhaseOut basis: expected the clause that sets the "
                         "phase-out (text), got null"),
])
def test_a_phase_out_of_the_wrong_shape_names_the_plugin_and_records_nothing(install, db,
                                                                             arguments, shown):
    install(PHASE_OUT.format(arguments=arguments))
    case_id = run(db, "case", "open", "--province", "hainan", "--workflow", "benefit", "--on",
                  "2026-01-05", "--set", "amount=600", "--set", "paid_from=2026-01").output.strip()
    result = run(db, "case", "fire", case_id, "income_exceeds", "--on", "2026-04-10",
                 "--set", "per_capita_income=1100", "--set", "standard=1000")
    assert result.exit_code == 1, result.output
    line = error_line(result, f"Error: {NAMED} failed in doudi_phaseout_schedule: ")
    assert shown in line
    shown_case = run(db, "case", "show", case_id, "--format", "json")
    assert '"state": "paying"' in shown_case.output and "income_exceeds" not in shown_case.output


def test_an_employment_cost_share_given_as_a_percentage_names_the_plugin(install, tmp_path):
    # 20 (for 20 %) deducted 20 × the standard, capped at the earnings: a household earning
    # 1500 a month was assessed as earning 700.
    install('''
    @hookimpl
    def doudi_assessment_rules(province, parameters):
        if province == "hainan":
            from engine.assessment import AssessmentRules
            return AssessmentRules(employment_cost_share=20, employment_cost_basis="琼民规〔2099〕1号 三(二)")
    ''')
    household = tmp_path / "h.json"
    household.write_text('{"standard": 800, "applicant": "m1", "members": [{"id": "m1", '
                         '"age": 40, "employed": true, "income": {"employment": 1500}}]}')
    result = CliRunner().invoke(cli, ["assess", str(household), "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == (
        f"Error: {NAMED} failed in doudi_assessment_rules: ValueError: AssessmentRules "
        "employment_cost_share: expected a number from 0 to 1 (0.2 for 20 % of the standard), "
        "got 20")


# -- WorkflowPatch: what is found once it is applied --------------------------------------------

APPLIED_MISTAKES = {  # the patch's arguments, what follows "on workflow 'dibao': "
    # (it read "hainan (…): names state …": the plugin's entry-point name, unexplained)
    "misspelt-state": ('remove_states=("county_reviw",)',
                       "names state 'county_reviw', which workflow 'dibao' does not have"),
    "misspelt-retitled-deadline": ('retitle=(("deadline", "publicty", "审核意见公示期"),)',
                                   "names deadline 'publicty', which workflow 'dibao' does not "
                                   "have"),
    # (it read "workflows/dibao.toml + hainan (…): …", as if the workflow file were wrong)
    "unregistered-guard": ('add_guards=(("approve", "hainan_home_visit"),)',
                           "transition 'approve': unknown guard 'hainan_home_visit' (known: "),
    "deadline-misspelt-event": (
        'add_deadlines=(DeadlineRule("village_review", "村级评议", ("acept",), "total"),)',
        "deadline 'village_review': names event 'acept', which no transition has"),
    # (`parameter set` of the county's value ended in a traceback comparing text and numbers)
    "bounds-on-a-duration": (
        'add_parameters=(Parameter("village_review", "5wd", "琼民规〔2099〕1号", local=True, '
        'bounds=(1, 10)),)', "parameter 'village_review': bounds are for a number, not '5wd'"),
    # (kept: no county value could be set, or any was)
    "bounds-reversed": (
        'add_parameters=(Parameter("meeting_size", 5, "琼民规〔2099〕1号", local=True, '
        'bounds=(9, 3)),)', "parameter 'meeting_size': bounds (9, 3) are not (least, "
        "greatest), two numbers"),
    # (it read "nan is not from 5 to 9", Python's spelling, as if only the bounds were wrong)
    "value-not-finite": (
        'add_parameters=(Parameter("meeting_size", float("nan"), "琼民规〔2099〕1号", local=True, '
        'bounds=(5, 9)),)', "parameter 'meeting_size': NaN is not a finite number"),
    "value-outside-its-bounds": (
        'add_parameters=(Parameter("meeting_size", 3, "琼民规〔2099〕1号", local=True, '
        'bounds=(5, 9)),)', "parameter 'meeting_size': 3 is not from 5 to 9, its bounds"),
    # (it replaced the national parameter: the statutory total made local, unnoticed)
    "re-adds-a-parameter": (
        'add_parameters=(Parameter("total", "60wd", "琼民规〔2099〕1号", local=True),)',
        "add_parameters: parameter 'total' is already defined by workflow 'dibao': a province "
        "changes its value from doudi_parameters"),
    # remove_parameters: a misspelt name left the parameter listed, as if it applied
    "misspelt-removed-parameter": ('remove_parameters=("county_confirmaton",)',
                                   "names parameter 'county_confirmaton', which workflow 'dibao' "
                                   "does not have"),
    # … and one the remaining steps use is removed only with them
    "removes-what-a-deadline-counts": (
        'remove_parameters=("county_confirmation",)',
        "remove_parameters: parameter 'county_confirmation' is still used (deadline "
        "'county_confirmation' counts it): a parameter is removed with the steps that use it"),
    "removes-what-a-guard-reads": (
        'remove_parameters=("county_home_visit",)',
        "remove_parameters: parameter 'county_home_visit' is still used (guard "
        "'county_home_visit_done' of transition 'approve' reads it): a parameter is removed "
        "with the steps that use it"),
    "removes-what-a-condition-reads": (
        'remove_parameters=("delegation",)',
        "remove_parameters: parameter 'delegation' is still used (the condition 'delegated' of "
        "deadline 'total' reads it): a parameter is removed with the steps that use it"),
}


@pytest.mark.parametrize("mistake", sorted(APPLIED_MISTAKES))
def test_a_patch_that_does_not_fit_the_workflow_names_the_plugin(install, mistake):
    arguments, shown = APPLIED_MISTAKES[mistake]
    install(f'''
    from engine import DeadlineRule, Parameter, WorkflowPatch

    @hookimpl
    def doudi_workflow_patches(province, workflow):
        if province == "hainan" and workflow == "dibao":
            return [WorkflowPatch("琼民规〔2099〕1号 四(三)", {arguments})]
    ''')
    result = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result).startswith(
        f"Error: {NAMED} failed in its WorkflowPatch (琼民规〔2099〕1号 四(三)) on workflow "
        f"'dibao': {shown}")


@pytest.mark.parametrize("workflow, parameter, user", [
    # (credit_sanctions: the clause 民发〔2022〕83号 五(五)'s stop, repayment and referral cite)
    ("benefit", "credit_sanctions", "effect 'stop_benefit' of transition 'found_ineligible'"),
    ("benefit", "unreported_change", "guard 'criticism_after_the_period' of transition "
                                     "'change_found'"),
    ("temporary", "jobless_graduates", "guard 'graduate_eligible' of transition 'pay_urgent'"),
    ("marginal", "recognized_households_monitored",
     "effect 'monitor_recognized_household' of transition 'recognize'"),
])
def test_a_patch_cannot_remove_what_a_guard_or_effect_of_any_workflow_reads(
        install, workflow, parameter, user):
    """The guards and effects of the benefit, temporary and monitoring rules say what they
    read, as the 低保 procedure's do: removing one of those parameters was taken, and the
    event that reads it failed only when it ran."""
    install(f'''
    from engine import WorkflowPatch

    @hookimpl
    def doudi_workflow_patches(province, workflow):
        if province == "hainan" and workflow == {workflow!r}:
            return [WorkflowPatch("琼民规〔2099〕1号 四(三)", remove_parameters=({parameter!r},))]
    ''')
    result = CliRunner().invoke(cli, ["workflow", "show", workflow, "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == (
        f"Error: {NAMED} failed in its WorkflowPatch (琼民规〔2099〕1号 四(三)) on workflow "
        f"{workflow!r}: remove_parameters: parameter {parameter!r} is still used ({user} reads "
        "it): a parameter is removed with the steps that use it")


@pytest.mark.parametrize("event", ["recompute", "correction", "open"])
def test_a_step_named_as_an_event_doudi_records_itself_names_the_plugin(install, event):
    """A province's step named ``recompute`` (or ``correction``, ``open``) was taken, and
    undone wherever a history is replayed, which passes over doudi's own recompute and
    correction events (and reads an opening's county from its data): a deadline the step
    stopped in time, met, was breached after ``doudi recompute``, and ``audit verify`` called
    the case altered."""
    install(f'''
    from engine import DeadlineRule, Parameter, Transition, WorkflowPatch

    @hookimpl
    def doudi_workflow_patches(province, workflow):
        if province == "hainan" and workflow == "dibao":
            return [WorkflowPatch("琼民规〔2099〕1号 四(三)",
                add_parameters=(Parameter("village_review", "5wd", "琼民规〔2099〕1号 四(三)"),),
                add_deadlines=(DeadlineRule("village_review", "村级评议", ("accept",),
                                            "village_review", stops=("{event}",)),),
                add_transitions=(Transition("{event}", ("accepted",), None, title="村级评议"),))]
    ''')
    result = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == (
        f"Error: {NAMED} failed in its WorkflowPatch (琼民规〔2099〕1号 四(三)) on workflow "
        f"'dibao': transition {event!r}: {event!r} is an event doudi records itself (open, "
        "correction, recompute): a step is named otherwise")


# -- cases of a province whose plugin is not loaded ---------------------------------------------

@pytest.mark.parametrize("left_out", ["by-DOUDI_LOAD_PLUGINS", "uninstalled"])
def test_a_stored_case_of_a_province_not_loaded_is_one_line_naming_the_case(install, db,
                                                                            tmp_path, left_out):
    # It read "unknown province 'hainan' (known: shanxi)", exit 2, as if the user had typed a
    # wrong name — for every report on the database and every command on the case, even
    # with DOUDI_LOAD_PLUGINS as the message of a plugin that fails to load advises.
    install("")
    case_id = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01").output.strip()
    assert run(db, "case", "fire", case_id, "accept", "--on", "2026-04-02").exit_code == 0
    get_registry.cache_clear()  # (as a new process would)
    env, loaded, why = {"DOUDI_LOAD_PLUGINS": "shanxi"}, "shanxi", \
        "DOUDI_LOAD_PLUGINS=shanxi leaves its plugin out?"
    if left_out == "uninstalled":
        shutil.rmtree(tmp_path / "site" / "doudi_broken-1.0.dist-info")
        importlib.invalidate_caches()
        env, loaded, why = {}, "jiangsu_draft, shanxi, tianjin", "install its plugin"
    before = sqlite3.connect(db).execute("select count(*) from events").fetchone()
    expected = (f"Error: case {case_id} is of province 'hainan', which no loaded plugin registers "
                f"(loaded: {loaded}): {why}")
    for command in (["report", "breaches"], ["case", "show", case_id],
                    ["case", "fire", case_id, "start_investigation", "--on", "2026-04-03"],
                    ["audit", "verify"], ["report", "unpublished"], ["report", "stations"],
                    ["report", "exceptions"]):
        result = run(db, *command, env=env)
        assert result.exit_code == 1, (command, result.output)
        assert error_line(result) == expected, command
    # recompute and case advance go on past it (other provinces' cases are written) and
    # name it at the end, after their summary.
    for command, summary, doing in (
            (["recompute"], "0 due dates moved in 0 of 1 case", "recompute could not read or "
             "re-derive"),
            (["case", "advance", "--as-of", "2026-04-03"], "0 events recorded", "advance could "
             "not read or work out")):
        result = run(db, *command, env=env)
        assert result.exit_code == 1, (command, result.output)
        assert result.stderr.splitlines() == [summary, (
            f"Error: {doing} 1 case and left it as it was ({case_id}: {expected[7:]}); it "
            "went on with the others")]
    assert sqlite3.connect(db).execute("select count(*) from events").fetchone() == before


@pytest.mark.parametrize("command", [
    ["report", "breaches", "--as-of", "2026-04-03"],
    ["report", "breaches", "--as-of", "2026-04-03", "--include-late", "--format", "json"],
    ["report", "at-risk", "--as-of", "2026-04-02", "--within", "0"],
    ["report", "sanctions"]])
def test_a_report_over_the_database_stops_at_a_province_not_loaded_whatever_its_date(
        install, db, command):
    """provinces.md: "while its plugin is left out (or uninstalled), a report over the database
    and every command on the case stop in one line naming the case, exit 1". The breach and
    at-risk reports stopped only where the case was among the rows they read: accepted Thu
    2026-04-02, its investigation is due Wed 04-08 (民发〔2021〕57号 第15条: 3 working days,
    04-03, 04-07, 04-08; 清明 04-04–04-06 off), so `report breaches --as-of 2026-04-03` and
    `report at-risk --as-of 2026-04-02 --within 0` read no row of it and printed "(none)",
    exit 0, as if the database held nothing late, and `report sanctions` never looked."""
    install("")
    case_id = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01").output.strip()
    assert run(db, "case", "fire", case_id, "accept", "--on", "2026-04-02").exit_code == 0
    get_registry.cache_clear()  # (as a new process would)
    result = run(db, *command, env={"DOUDI_LOAD_PLUGINS": "shanxi"})
    assert result.exit_code == 1, result.output
    assert error_line(result) == (
        f"Error: case {case_id} is of province 'hainan', which no loaded plugin registers "
        "(loaded: shanxi): DOUDI_LOAD_PLUGINS=shanxi leaves its plugin out?")
    assert result.stdout == ""
    # (a report of a loaded province still runs: provinces.md)
    limited = run(db, *command, "--province", "shanxi", env={"DOUDI_LOAD_PLUGINS": "shanxi"})
    assert limited.exit_code == 0, limited.output


# -- LeaveRoute and ExceptionRoute --------------------------------------------------------------

LEAVE = '''
from engine import LeaveRoute

@hookimpl
def doudi_leave_route(province, per_capita_income, standard, attributes, parameters):
    if province == "hainan":
        return LeaveRoute({arguments})
'''


@pytest.mark.parametrize("arguments, shown", [
    # (taken for monitoring: the household silently not transferred, no marginal case opened)
    ('"transferr", "琼民规〔2099〕1号 三(一)", "marginal"',
     "LeaveRoute kind: expected \"transfer\" or \"monitoring\", got \"transferr\""),
    # (a transfer opened a marginal case recognized as nothing)
    ('"transfer", "琼民规〔2099〕1号 三(一)"',
     "LeaveRoute recognition: expected \"marginal\" or \"expenditure\" for a transfer, got null"),
    ('"monitoring", ""', "LeaveRoute basis: expected the clause that sets the route (text), "
                         "got \"\""),
])
def test_a_leave_route_of_the_wrong_shape_names_the_plugin_and_records_nothing(install, db,
                                                                               arguments, shown):
    install(LEAVE.format(arguments=arguments))
    case_id = run(db, "case", "open", "--province", "hainan", "--workflow", "benefit", "--on",
                  "2026-01-05", "--set", "amount=600", "--set", "paid_from=2026-01").output.strip()
    result = run(db, "case", "fire", case_id, "leave", "--on", "2026-05-06",
                 "--set", "per_capita_income=1500", "--set", "standard=1000")
    assert result.exit_code == 1, result.output
    assert error_line(result) == f"Error: {NAMED} failed in doudi_leave_route: TypeError: {shown}"
    assert '"state": "paying"' in run(db, "case", "show", case_id, "--format", "json").output


def test_an_exception_route_without_a_basis_is_refused_when_built():
    # (inside a plugin's hook, that is one line naming the plugin, as for LeaveRoute above)
    from engine.default_assessment import ExceptionRoute

    with pytest.raises(TypeError, match=r"^ExceptionRoute basis: expected the clause that sets "
                                        r"the route \(text\), got null$"):
        ExceptionRoute("fund_referral", "转介社会救助基金", None)


# -- guards that say nothing, or write into the case -------------------------------------------

A_GUARD = '''
from engine import WorkflowPatch

@hookimpl
def doudi_register_guards(register):
    register("hainan_guard", {guard})

@hookimpl
def doudi_workflow_patches(province, workflow):
    if province == "hainan" and workflow == "dibao":
        return [WorkflowPatch("琼民规〔2099〕1号 四(三)", add_guards=(("accept", "hainan_guard"),))]
'''


@pytest.mark.parametrize("guard, shown", [
    # (refused as "accept refused: ", saying nothing)
    ('lambda ctx: " "', "guard 'hainan_guard' returned ' ': a guard returns None to allow, or "
                        "the reason (text) to refuse"),
    # (the case's stored attributes got sneaky=1, which no event of its history has: a replay
    # or `audit verify` would rebuild the case without it)
    ('lambda ctx: ctx.attributes.update(sneaky=1)',
     "failed in guard 'hainan_guard': TypeError: this ReadOnlyDict is read-only"),
    ('lambda ctx: ctx.payload.__setitem__("village", "改过的村")',
     "failed in guard 'hainan_guard': TypeError: this ReadOnlyDict is read-only"),
    # (an entry of its history: the copy of the case kept in memory changed, which later
    # events' guards read, and the view it returned, behind the recorded history)
    ('lambda ctx: ctx.history[0].payload.__setitem__("sneaky", 1)',
     "failed in guard 'hainan_guard': TypeError: this ReadOnlyDict is read-only"),
    # (the command ended there, exit 0, saying nothing: the clerk read the event as recorded)
    ("lambda ctx: __import__('sys').exit(0)", "failed in guard 'hainan_guard': SystemExit: 0"),
])
def test_a_guard_that_says_nothing_or_changes_the_case_names_the_plugin(install, db, guard,
                                                                        shown):
    install(A_GUARD.format(guard=guard))
    case_id = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01").output.strip()
    result = run(db, "case", "fire", case_id, "accept", "--on", "2026-04-02",
                 "--set", "village=一村")
    assert result.exit_code == 1, result.output
    assert error_line(result).startswith(f"Error: {NAMED} ")
    assert shown in error_line(result)
    shown_case = run(db, "case", "show", case_id, "--format", "json").output
    assert '"state": "applied"' in shown_case and "sneaky" not in shown_case


@pytest.mark.parametrize("guard, shown", [
    ("lambda ctx: __import__('sys').exit()", "failed in guard 'hainan_guard': SystemExit"),
    ("lambda ctx: (_ for _ in ()).throw(ValueError())", "failed in guard 'hainan_guard': ValueError"),
])
def test_a_guard_failing_without_a_message_is_named_without_an_empty_one(install, db, guard, shown):
    # The line ended "SystemExit: " (sys.exit() with no argument), a colon before nothing.
    install(A_GUARD.format(guard=guard))
    case_id = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01").output.strip()
    result = run(db, "case", "fire", case_id, "accept", "--on", "2026-04-02",
                 "--set", "village=一村")
    assert (result.exit_code, error_line(result)) == (1, f"Error: {NAMED} {shown}")


@pytest.mark.parametrize("registered, shown", [
    # (it said "registered guard 'hainan_guard' as 'check'", not what was wrong with that)
    ('"hainan_guard", "check"', "registered guard 'hainan_guard' as 'check', not a function "
                                "(register(name, function))"),
    # (taken: a guard no workflow or patch could name)
    ('42, lambda ctx: None', "registered a guard named 42: register(name, function), the name "
                             "text a workflow uses"),
    ('" ", lambda ctx: None', "registered a guard named ' ': register(name, function), the "
                              "name text a workflow uses"),
])
def test_a_guard_registered_wrongly_says_what_is_wrong(install, registered, shown):
    install(f"@hookimpl\ndef doudi_register_guards(register):\n    register({registered})\n")
    result = CliRunner().invoke(cli, ["provinces"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == f"Error: plugin 'broken' {shown}"


EFFECT_MISTAKES = {  # the effect's body, what the line shows after "effect '…': "
    # (a date object, not its text: json's traceback, 57 lines)
    "a-date": ('outcome.attributes["village_reviewed_on"] = ctx.on',
               "outcome.attributes.village_reviewed_on is a date (datetime.date(2026, 4, 7)): not "
               "a JSON value (text, number, true/false, null, list or mapping)"),
    "attributes-replaced": ("outcome.attributes = None",
                            "outcome.attributes is None, not a dict"),
    # (a traceback in the write: 'str' object has no attribute 'to_row')
    "sanction-as-text": ('outcome.sanctions.append("criticism")',
                         "outcome.sanctions holds 'criticism', not a Sanction"),
    "opening-as-a-tuple": ('outcome.openings.append(("marginal", {}))',
                           "outcome.openings holds ('marginal', {}), not a LinkedOpening"),
    # (read as the clerk's "unknown workflow 'benifit'", exit 2)
    # (refused already, as the API refuses NaN in a payload: kept here beside the others)
    "not-a-number": ('outcome.attributes["score"] = {"a": [float("nan")]}',
                     "outcome.attributes.score.a[0] is NaN: not a JSON number"),
    "an-opening-s-infinity": (
        'outcome.openings.append(LinkedOpening("monitoring", "monitoring", "monitored_from", '
        '{"level": "县级", "flagged": float("inf")}))',
        "an opening's attributes.flagged is Infinity: not a JSON number"),
    # (it was refused as "outcome.attributes.loop.me.me.me…" 49 steps deep, "nested more than
    # 50 levels deep")
    "attributes-holding-themselves": (
        'loop = {}; loop["me"] = loop; outcome.attributes["loop"] = loop',
        "outcome.attributes.loop contains itself (at outcome.attributes.loop.me): not a JSON "
        "value"),
    "an-opening-holding-itself": (
        'watch = ["甲"]; watch.append(watch); outcome.openings.append(LinkedOpening('
        '"monitoring", "monitoring", "monitored_from", {"level": "县级", "watch": watch}))',
        "an opening's attributes.watch contains itself (at an opening's attributes.watch[1]): "
        "not a JSON value"),
    # (found by review: 2 ** 40 values along the paths of a list held twice at each of 40
    # levels; the event never ended)
    "attributes-sharing-a-list-along-many-paths": (
        'from functools import reduce; outcome.attributes["x"] = reduce(lambda v, _: [v, v], '
        'range(40), [])',
        "outcome.attributes holds more than 10,000 values in all (a list or mapping given in "
        "several places counted in each): too large to be a record"),
    "opening-of-a-misspelt-workflow": (
        'outcome.openings.append(LinkedOpening("benifit", "benefit", "application", {}))',
        "outcome.openings opens workflow 'benifit', which doudi does not have (available: "
        "benefit, dibao, marginal, monitoring, temporary)"),
}


def _install_review_effect(install, effect: str, imports: str, body: str, clause: str,
                           preamble: str = "") -> None:
    """A plugin whose effect ``effect`` (``body`` its code) runs on village_review_done
    (``preamble``: a line of the plugin's module before it, e.g. a list of its own)."""
    install(f'''
    from engine import {imports}Transition, WorkflowPatch
    {preamble}
    def the_effect(ctx, outcome):
        {body}

    @hookimpl
    def doudi_register_effects(register):
        register("{effect}", the_effect)

    @hookimpl
    def doudi_workflow_patches(province, workflow):
        if province == "hainan" and workflow == "dibao":
            return [WorkflowPatch("琼民规〔2099〕1号 {clause}", add_transitions=(Transition(
                "village_review_done", ("accepted",), None, "村级民主评议完成",
                effects=("{effect}",)),))]
    ''')


def _fire_review(db) -> tuple[str, object]:
    """A hainan case opened and accepted, then village_review_done fired on it."""
    case_id = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01").output.strip()
    assert run(db, "case", "fire", case_id, "accept", "--on", "2026-04-02").exit_code == 0
    return case_id, run(db, "case", "fire", case_id, "village_review_done", "--on", "2026-04-07")


@pytest.mark.parametrize("mistake", sorted(EFFECT_MISTAKES))
def test_an_effect_s_outcome_that_cannot_be_stored_names_the_plugin(install, db, mistake):
    body, shown = EFFECT_MISTAKES[mistake]
    _install_review_effect(install, "hainan_mark_reviewed", "LinkedOpening, ", body, "四(一)")
    case_id, result = _fire_review(db)
    assert result.exit_code == 1, result.output
    assert error_line(result) == f"Error: {NAMED} effect 'hainan_mark_reviewed': {shown}"
    assert "village_review_done" not in run(db, "case", "show", case_id).output


@pytest.mark.parametrize("arguments, shown", [
    # (recorded as a link without a relation: kept in memory as NaN, read back as null)
    ('"monitoring", None, "monitored_from", {"level": "县级"}',
     "LinkedOpening relation: expected a relation's name (text), got null"),
    ('"monitoring", float("nan"), "monitored_from", {"level": "县级"}',
     "LinkedOpening relation: expected a relation's name (text), got NaN"),
    # ("database error: Error binding parameter 3: type 'list' is not supported")
    ('"monitoring", "monitoring", ["monitored_from"], {"level": "县级"}',
     'LinkedOpening back_relation: expected a relation\'s name (text), got ["monitored_from"]'),
    ('"monitoring", "monitoring", "monitored_from", {"level": "县级"}, float("nan")',
     "LinkedOpening basis: expected text, got NaN"),
])
def test_a_linked_opening_without_its_relations_is_refused_when_built(install, db, arguments,
                                                                      shown):
    _install_review_effect(install, "hainan_open_monitoring", "LinkedOpening, ",
                           f"outcome.openings.append(LinkedOpening({arguments}))", "六(一)")
    _, result = _fire_review(db)
    assert result.exit_code == 1, result.output
    assert error_line(result) == (f"Error: {NAMED} failed in effect 'hainan_open_monitoring': "
                                  f"TypeError: {shown}")
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from cases").fetchone() == (1,)
        assert conn.execute("select count(*) from links").fetchone() == (0,)
        assert conn.execute("select max(seq) from events").fetchone() == (1,)


def test_an_import_line_whose_effect_gives_nan_is_a_bad_line_and_its_batch_is_not_written(
        install, db, tmp_path):
    # As through the API (and as the import's own JSON refuses NaN): the opening and the
    # accept of the same batch are not written either.
    body, shown = EFFECT_MISTAKES["not-a-number"]
    _install_review_effect(install, "hainan_mark_reviewed", "", body, "四(一)")
    lines = tmp_path / "lines.jsonl"
    lines.write_text("\n".join(json.dumps(line) for line in (
        {"op": "open", "province": "hainan", "on": "2026-04-01", "id": "h1"},
        {"op": "fire", "case_id": "h1", "event": "accept", "on": "2026-04-02"},
        {"op": "fire", "case_id": "h1", "event": "village_review_done", "on": "2026-04-07"},
    )) + "\n", encoding="utf-8")
    assert run(db, "case", "open", "--province", "hainan", "--on", "2026-03-02").exit_code == 0
    result = run(db, "import", str(lines))
    assert result.exit_code == 1, result.output
    assert error_line(result) == (f"Error: line 3: {NAMED} effect 'hainan_mark_reviewed': "
                                  f"{shown} (import stopped: nothing is imported)")
    assert "no case 'h1'" in run(db, "case", "show", "h1").output
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from events").fetchone() == (1,)


def test_an_effect_that_returns_what_it_decides_instead_of_adding_it_names_the_plugin(install, db):
    # An effect written as a function of the case, returning the attributes it decides, went
    # through with nothing recorded and nothing said: the case had no reviewed_on.
    _install_review_effect(install, "hainan_mark_reviewed", "",
                           'return {"reviewed_on": ctx.on.isoformat()}', "四(一)")
    case_id, result = _fire_review(db)
    assert result.exit_code == 1, result.output
    assert error_line(result) == (
        f"Error: {NAMED} effect 'hainan_mark_reviewed' returned {{'reviewed_on': '2026-04-07'}}, "
        "which doudi does not use: an effect adds to its outcome (outcome.attributes[NAME] = "
        "VALUE, outcome.sanctions.append(…)) and returns nothing")
    assert "village_review_done" not in run(db, "case", "show", case_id).output


def test_an_effect_that_adds_to_its_outcome_and_returns_it_is_taken(install, db):
    # (returning the outcome it was given is harmless: what it added is recorded)
    _install_review_effect(install, "hainan_mark_reviewed", "",
                           'outcome.attributes["reviewed_on"] = ctx.on.isoformat(); return outcome',
                           "四(一)")
    case_id, result = _fire_review(db)
    assert result.exit_code == 0, result.output
    shown = json.loads(run(db, "case", "show", case_id, "--format", "json").output)
    assert shown["attributes"]["reviewed_on"] == "2026-04-07"


def test_a_sanction_of_a_misspelt_kind_is_refused_when_built():
    # A plugin's "critcism" was stored, and read back as a row "changed outside doudi".
    from engine import Sanction

    with pytest.raises(TypeError, match=r"^Sanction kind: expected criticism or stop or "
                                        r"repayment or legal_referral, got \"critcism\"$"):
        Sanction("critcism", date(2026, 4, 7), "琼民规〔2099〕1号 五(五)")


def test_a_sanction_amount_that_is_no_finite_number_is_refused_when_built():
    from engine import Sanction

    for amount in (float("nan"), float("inf")):
        with pytest.raises(TypeError, match=r"^Sanction amount: expected None or a number, got "):
            Sanction("repayment", date(2026, 4, 7), "琼民规〔2099〕1号 五(五)", amount)


def test_an_effect_that_puts_a_tuple_of_sanctions_in_place_of_the_list_is_taken(install, db):
    # It read "outcome.sanctions holds (Sanction(…),), not a Sanction", of valid sanctions.
    install('''
    from engine import Sanction, Transition, WorkflowPatch

    def criticise(ctx, outcome):
        outcome.sanctions = (Sanction("criticism", ctx.on, "琼民规〔2099〕1号 五(五)"),)

    @hookimpl
    def doudi_register_effects(register):
        register("hainan_criticise", criticise)

    @hookimpl
    def doudi_workflow_patches(province, workflow):
        if province == "hainan" and workflow == "dibao":
            return [WorkflowPatch("琼民规〔2099〕1号 五(五)", add_transitions=(Transition(
                "criticised", ("accepted",), None, "通报批评", effects=("hainan_criticise",)),))]
    ''')
    case_id = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01").output.strip()
    assert run(db, "case", "fire", case_id, "accept", "--on", "2026-04-02").exit_code == 0
    result = run(db, "case", "fire", case_id, "criticised", "--on", "2026-04-07")
    assert result.exit_code == 0, result.output
    shown = json.loads(run(db, "case", "show", case_id, "--format", "json").output)
    assert [(s["kind"], s["on"], s["basis"]) for s in shown["sanctions"]] == [
        ("criticism", "2026-04-07", "琼民规〔2099〕1号 五(五)")]


def test_a_day_both_off_and_working_in_one_overlay_names_the_plugin(install):
    # The working day won, silently: 2026-04-20, the day off the document gives, was counted.
    install(OVERLAY.format(arguments='"琼府办〔2099〕1号", days_off=[(date(2026, 4, 20), "三月三")], '
                                     'working_days=[(date(2026, 4, 20), "调休")]'))
    result = CliRunner().invoke(cli, ["calendar", "due", "2026-04-17", "1wd",
                                      "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == (f"Error: {NAMED} failed in doudi_calendar_overlays: TypeError: "
                                  "CalendarOverlay: 2026-04-20 is both in days_off and in "
                                  "working_days")


@pytest.mark.parametrize("field, day, shown", [("days_off", "date(2205, 3, 31)", "2205-03-31"),
                                               ("working_days", "date(2017, 12, 30)", "2017-12-30")])
def test_a_day_outside_the_calendar_names_the_plugin_and_the_day(install, field, day, shown):
    # The calendar counts 2018-01-01 to 2060-12-31 and refuses any other day: a day an overlay
    # gave outside it (2205 for 2025) was never applied, and not a word said.
    install(OVERLAY.format(arguments=f'"琼府办〔2099〕1号", {field}=[({day}, "三月三")]'))
    result = CliRunner().invoke(cli, ["calendar", "due", "2026-04-17", "1wd",
                                      "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == (f"Error: {NAMED} failed in doudi_calendar_overlays: TypeError: "
                                  f"CalendarOverlay {field}: {shown} is outside the calendar "
                                  "(2018-01-01 to 2060-12-31), which would never count it")


@pytest.mark.parametrize("arguments, shown", [
    # 57号 第22条's reasons as one text: "人户" passed as a reason, a part of "人户分离"
    ('"extension_reasons", "人户分离", "琼民规〔2099〕1号 四(二)"',
     "parameter 'extension_reasons' must be a list like the workflow's [\"人户分离\", \"异地申办\", "
     '"调查难度大"], not "人户分离"'),
    ('"materials_notices", "1", "琼民规〔2099〕1号 四(一)"',
     "parameter 'materials_notices' must be a number like the workflow's 1, not \"1\""),
])
def test_an_override_of_another_kind_than_the_workflow_s_names_the_plugin(install, arguments,
                                                                          shown):
    install(PARAMETERS.format(arguments=arguments))
    result = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result).startswith(f"Error: {NAMED}: doudi_parameters: {shown}")


VARIANT_WHEN = '''
from engine import DeadlineRule, Variant, WorkflowPatch

@hookimpl
def doudi_workflow_patches(province, workflow):
    if province == "hainan" and workflow == "dibao":
        return [WorkflowPatch("琼民规〔2099〕1号 四(一)", add_deadlines=(DeadlineRule(
            "village_review", "村级评议", ("accept",), "total", stops=("start_investigation",),
            variants=(Variant({when}, "total_extended"),)),))]
'''


@pytest.mark.parametrize("when", ["remote=", "=true", "level=省级|", " ", " level=县级",
                                  "level=省级| 市级"])
def test_a_deadline_condition_that_matches_no_case_names_the_plugin(install, when):
    # "remote=" held for no case: the rule (or its variant) silently never applied.
    install(VARIANT_WHEN.format(when=repr(when)))
    result = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "hainan"])
    assert result.exit_code == 1, result.output
    if not when.strip():  # (a blank condition: refused when the Variant is built)
        assert error_line(result) == (f"Error: {NAMED} failed in doudi_workflow_patches: "
                                      f'TypeError: Variant when: expected a name (text), got "{when}"')
        return
    assert error_line(result) == (
        f"Error: {NAMED} failed in its WorkflowPatch (琼民规〔2099〕1号 四(一)) on workflow 'dibao': "
        f"deadline 'village_review': when {when!r} is not an attribute's name (true), or "
        "name=value (alternatives value|value)")


@pytest.mark.parametrize("when, shown", [
    # docs/provinces.md's own example once did this: `remote` undeclared, so --set remote=yes
    # (or 1) was taken and the case silently got the ordinary 5wd, not the remote 8wd
    ("remote", "names attribute 'remote', which the workflow does not declare (a province "
               "declares its own with add_attributes)"),
    ("delegatd", "names attribute 'delegatd', which the workflow does not declare (a province "
                 "declares its own with add_attributes)"),
    # a true attribute is stored True, which "true" never equals: the variant never applied
    ("delegated=true", "'delegated' is true or false, named alone for true (when = 'delegated')"),
    # a text attribute is never True: named alone it held for no case
    ("county", "'county' is not true or false (text): name=value (alternatives value|value)"),
    ("proposal=approve|aprove", "'aprove' is not one of 'proposal''s choices (approve、refuse)"),
], ids=["undeclared", "misspelt", "bool-as-text", "text-as-flag", "outside-choices"])
def test_a_deadline_condition_on_an_attribute_the_workflow_does_not_declare_names_the_plugin(
        install, when, shown):
    install(VARIANT_WHEN.format(when=repr(when)))
    result = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == (
        f"Error: {NAMED} failed in its WorkflowPatch (琼民规〔2099〕1号 四(一)) on workflow 'dibao': "
        f"deadline 'village_review': when {when!r}" + (" " if shown.startswith("names") else ": ")
        + shown)


@pytest.mark.parametrize("field", ["approval_after", "next_event"])
def test_an_exception_route_naming_an_event_the_workflow_lacks_names_the_plugin(install, db,
                                                                               tmp_path, field):
    # "collective_decidd": every 边缘 case was held back from approval ("approval needs
    # collective_decidd first"), or sent to it next, with no such event for the clerk to record.
    install(f'''
    from engine import ExceptionRoute

    @hookimpl
    def doudi_exception_route(province, classification, attributes, parameters):
        if province == "hainan":
            return ExceptionRoute("collective_review", "一事一议，集体研究确定",
                                  "琼民规〔2099〕1号 五(一)",
                                  {field}="collective_decidd")
    ''')
    # 2400 over two: 1200 per head, below 1.5 × 900 = 1350 → 边缘, which asks for the route.
    household = tmp_path / "h.json"
    household.write_text('{"standard": 900, "members": [{"id": "a", "age": 45, "income": '
                         '{"employment": 2400}}, {"id": "b", "age": 12}]}')
    case_id = run(db, "case", "open", "--province", "hainan", "--on", "2026-03-02").output.strip()
    for event, on in (("accept", "2026-03-03"), ("start_investigation", "2026-03-04")):
        assert run(db, "case", "fire", case_id, event, "--on", on).exit_code == 0
    result = run(db, "case", "assess", case_id, str(household), "--on", "2026-03-06")
    assert result.exit_code == 1, result.output
    assert error_line(result) == (
        f"Error: {NAMED} returned an ExceptionRoute whose {field} is 'collective_decidd', "
        "which workflow 'dibao' has no event of")
    assert "assess" not in run(db, "case", "show", case_id).output.split("deadlines")[0]


# -- the functions a province hands over inside its answers --------------------------------------

PLACE = '''
from engine import PlaceRules

def hainan_ways(residence):
    {body}

@hookimpl
def doudi_place_rules(province, parameters):
    if province == "hainan":
        return PlaceRules(extra={extra})
'''


@pytest.mark.parametrize("body, extra, shown", [
    # each was a traceback of some 70 lines out of the 受理 guard
    ("return 1 / 0", "(hainan_ways,)",
     f"{NAMED}: hainan_ways, a PlaceRules extra, failed: ZeroDivisionError: division by zero"),
    ('return ["海南省海口市龙华区"]', "(hainan_ways,)",
     f"{NAMED}: hainan_ways, a PlaceRules extra, returned '海南省海口市龙华区', not a Way"),
    # (taken unchecked: the way an applicant applies by is recorded with the 受理, and there
    # NaN was "ValueError: Out of range float values are not JSON compliant", a traceback
    # out of the write)
    ('from engine.application_place import Way\n    return [Way("a", "海南省三亚市", "经常居住地", '
     '"琼民规〔2099〕1号 二(一)", float("nan"))]', "(hainan_ways,)",
     f"{NAMED}: hainan_ways, a PlaceRules extra, failed: TypeError: Way note: expected text, "
     "got NaN"),
    # (recorded as the clause of a way of a household registered apart: the same traceback)
    ("return []", '(), split_note=float("nan")',
     f"{NAMED} failed in doudi_place_rules: TypeError: PlaceRules split_note: expected text, "
     "got NaN"),
    ("return []", "hainan_ways",
     f"{NAMED} failed in doudi_place_rules: TypeError: PlaceRules extra: expected a list of "
     "functions of the household's Residence returning Ways, as extra=(my_ways,), got "
     "<function hainan_ways"),
])
def test_a_place_rule_that_fails_names_the_plugin_and_accepts_nothing(install, db, tmp_path,
                                                                      body, extra, shown):
    install(PLACE.format(body=body, extra=extra))
    household = tmp_path / "residence.json"
    household.write_text('{"applicant": "a", "members": [{"id": "a", "registered_in": '
                         '"海南省海口市龙华区", "lives_in": "海南省海口市龙华区"}]}')
    case_id = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01",
                  "--set", "county=海南省海口市龙华区").output.strip()
    result = run(db, "case", "accept", case_id, str(household), "--on", "2026-04-02")
    assert result.exit_code == 1, result.output
    assert error_line(result).startswith(f"Error: {shown}")
    assert "accept" not in run(db, "case", "show", case_id).output.split("deadlines")[0]


def test_a_province_s_own_way_of_applying_is_a_way_imported_from_engine(install, db, tmp_path):
    # docs/provinces.md: every class a hook hands over is imported from engine; a PlaceRules
    # extra returns Ways, and `from engine import Way` was an ImportError (the plugin failed to
    # load), the class only under engine.application_place.
    install(PLACE.format(body='from engine import Way\n    return [Way("a", "海南省三亚市", "经常居住地", '
                              '"琼民规〔2099〕1号 二(一)", "在居住地申请")]', extra="(hainan_ways,)"))
    household = tmp_path / "residence.json"
    household.write_text('{"applicant": "a", "members": [{"id": "a", "registered_in": '
                         '"海南省海口市龙华区", "lives_in": "海南省三亚市"}]}')
    case_id = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01",
                  "--set", "county=海南省三亚市").output.strip()
    result = run(db, "case", "accept", case_id, str(household), "--on", "2026-04-02")
    assert result.exit_code == 0, result.output
    shown = json.loads(run(db, "case", "show", case_id, "--format", "json").output)
    assert shown["state"] == "accepted"
    assert "琼民规〔2099〕1号 二(一)" in json.dumps(shown["history"][-1], ensure_ascii=False)


def _install_assessment_rules(install, rules: str, preamble: str = "") -> None:
    """A plugin giving hainan ``AssessmentRules(rules)`` (``preamble``: the module's code
    before the hook)."""
    install(preamble + f'''
    @hookimpl
    def doudi_assessment_rules(province, parameters):
        if province == "hainan":
            from engine import AssessmentRules
            return AssessmentRules({rules})
    ''')


@pytest.mark.parametrize("rule, shown", [
    # a traceback out of the assessment
    ('income_rule=lambda member, kind, amount, household: {}["disregard"]',
     f"{NAMED}: doudi_assessment_rules.<locals>.<lambda>, the AssessmentRules income_rule, "
     "failed: KeyError: 'disregard'"),
    # 0.5 for "half of it": "'float' object is not subscriptable", a traceback
    ('income_rule=lambda member, kind, amount, household: 0.5',
     f"{NAMED}: doudi_assessment_rules.<locals>.<lambda>, the AssessmentRules income_rule, "
     "returned 0.5, not None or (amount not counted, clause, note)"),
    # (NaN "> 0" is false: the rule's answer was silently ignored, all 1500 counted)
    ('income_rule=lambda member, kind, amount, household: (float("nan"), "琼民规〔2099〕1号 三(二)", '
     '"")', f"{NAMED}: doudi_assessment_rules.<locals>.<lambda>, the AssessmentRules "
            "income_rule, returned (nan, '琼民规〔2099〕1号 三(二)', ''), not None or (amount not "
            "counted, clause, note)"),
    # (kept, and called: "'str' object is not callable")
    ('income_rule="disregard"', f"{NAMED} failed in doudi_assessment_rules: TypeError: "
                                "AssessmentRules income_rule: expected a function or None, got "
                                '"disregard"'),
])
def test_an_income_rule_that_fails_names_the_plugin(install, tmp_path, rule, shown):
    _install_assessment_rules(install, rule)
    _assess_refused(tmp_path, '{"standard": 800, "applicant": "m1", "members": [{"id": "m1", '
                    '"age": 40, "employed": true, "income": {"employment": 1500}}]}', shown)


def _assess_refused(tmp_path, household: str, shown: str):
    """``doudi assess`` of ``household`` (JSON text) in 海南: exit 1, the one line ``shown``;
    the household's file."""
    path = tmp_path / "h.json"
    path.write_text(household)
    result = CliRunner().invoke(cli, ["assess", str(path), "--province", "hainan"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == f"Error: {shown}"
    return path


SINGLE = 'single_person=lambda member: True, single_person_basis="琼民规〔2099〕1号 三(一)", '


@pytest.mark.parametrize("rules, shown", [
    # Each was a traceback out of the write of the assess event, nothing written ("ValueError:
    # Out of range float values are not JSON compliant", a RecursionError, "Object of type
    # date is not JSON serializable"); `doudi assess` printed NaN, which JSON has not, or
    # failed without a word.
    (SINGLE + 'minimum_benefit=lambda member, household: (float("nan"), "琼民规〔2099〕1号 三(三)")',
     f"{NAMED}: doudi_assessment_rules.<locals>.<lambda>, the AssessmentRules "
     "minimum_benefit, returned (nan, '琼民规〔2099〕1号 三(三)'), not None or (monthly amount, "
     "clause)"),
    (SINGLE + 'single_person_flags={"classified": [float("inf")]}',
     f"{NAMED} failed in doudi_assessment_rules: TypeError: AssessmentRules "
     "single_person_flags.classified[0] is Infinity: not a JSON number"),
    (SINGLE + 'single_person_flags=LOOP',
     f"{NAMED} failed in doudi_assessment_rules: TypeError: AssessmentRules "
     "single_person_flags.loop contains itself (at AssessmentRules "
     "single_person_flags.loop.again): not a JSON value"),
    (SINGLE + 'single_person_flags={"since": date(2026, 1, 1)}',
     f"{NAMED} failed in doudi_assessment_rules: TypeError: AssessmentRules "
     "single_person_flags.since is a date (datetime.date(2026, 1, 1)): not a JSON value (text, "
     "number, true/false, null, list or mapping)"),
    # (the clause of the single-person step)
    ('single_person=lambda member: True, single_person_basis=float("nan")',
     f"{NAMED} failed in doudi_assessment_rules: TypeError: AssessmentRules "
     'single_person_basis: expected the clause (text; "" for none), got NaN'),
    # (the clause that admitted this applicant: a text where its function goes, or no clause)
    (SINGLE + 'single_person_basis_for="琼民规〔2099〕1号 三(二)"',
     f"{NAMED} failed in doudi_assessment_rules: TypeError: AssessmentRules "
     'single_person_basis_for: expected a function or None, got "琼民规〔2099〕1号 三(二)"'),
    (SINGLE + 'single_person_basis_for=lambda member: " "',
     f"{NAMED}: doudi_assessment_rules.<locals>.<lambda>, the AssessmentRules "
     "single_person_basis_for, returned ' ', not None or the clause (text that says something)"),
], ids=["minimum-benefit-nan", "flags-infinity", "flags-holding-themselves", "flags-date",
        "basis-nan", "basis-for-text", "basis-for-blank"])
def test_assessment_rules_giving_what_cannot_be_recorded_name_the_plugin(install, db, tmp_path,
                                                                          rules, shown):
    _install_assessment_rules(install, rules, '''
    from datetime import date

    LOOP = {"loop": {}}
    LOOP["loop"]["again"] = LOOP["loop"]
    ''')
    household = _assess_refused(
        tmp_path, '{"standard": 900, "applicant": "a", "single_person": true, '
        '"members": [{"id": "a", "age": 45, "income": {"employment": 300}}]}', shown)
    case_id = run(db, "case", "open", "--province", "hainan", "--on", "2026-03-02").output.strip()
    for event, on in (("accept", "2026-03-03"), ("start_investigation", "2026-03-04")):
        assert run(db, "case", "fire", case_id, event, "--on", on).exit_code == 0
    with sqlite3.connect(db) as conn:
        before = conn.execute("select * from cases").fetchall()
    result = run(db, "case", "assess", case_id, str(household), "--on", "2026-03-06")
    assert result.exit_code == 1, result.output
    assert error_line(result) == f"Error: {shown}"
    with sqlite3.connect(db) as conn:
        assert conn.execute("select * from cases").fetchall() == before
        assert conn.execute("select max(seq) from events").fetchone() == (2,)


@pytest.mark.parametrize("given, shown", [
    # ("yes" was taken for true: 边缘 up to and including the multiple)
    ({"marginal_inclusive": "yes"}, 'marginal_inclusive: expected True or False, got "yes"'),
    ({"deduct_rigid_spending": 1}, "deduct_rigid_spending: expected True or False, got 1"),
    ({"real_hardship_months": 6.5}, "real_hardship_months: expected None or a whole number of "
                                    "months, got 6.5"),
    ({"expenditure_basis": None}, 'expenditure_basis: expected the clause (text; "" for none), '
                                  "got null"),
])
def test_assessment_rules_switches_months_and_clauses_are_checked_when_built(given, shown):
    from engine import AssessmentRules

    with pytest.raises(TypeError) as caught:
        AssessmentRules(**given)
    assert str(caught.value) == f"AssessmentRules {shown}"


def test_a_province_registered_twice_by_one_plugin_says_so(install):
    # It read "registered by two plugins: 'broken' (…) and 'broken' (…)".
    install('''
    from engine import Province

    @hookimpl
    def doudi_register_provinces(register):
        register(Province("hainan", "海南省", ()))
        register(Province("hainan", "海南", ()))
    ''')
    result = CliRunner().invoke(cli, ["provinces"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == f"Error: {NAMED} registered province code 'hainan' twice"


def test_a_plugin_printing_while_it_loads_leaves_a_command_s_json_whole(install):
    # A debugging print at import or in a registering hook went to stdout, before the JSON a
    # platform parses (`provinces --format json` failed to parse). It goes to stderr.
    import json

    install('''
print("loading hainan")

@hookimpl
def doudi_register_guards(register):
    print("registering guards")
''')
    result = CliRunner().invoke(cli, ["provinces", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "hainan" in [p["code"] for p in json.loads(result.stdout)]
    assert "loading hainan" in result.stderr and "registering guards" in result.stderr


PRINTING = '''
import sys
from engine import WorkflowPatch

@hookimpl
def doudi_register_guards(register):
    def checked(ctx):
        print("guard: checking", ctx.event)
        sys.stdout.write("guard: written\\n")
    register("hainan_checked", checked)

@hookimpl
def doudi_workflow_patches(province, workflow):
    if province == "hainan" and workflow == "dibao":
        print("patching", workflow)
        return [WorkflowPatch("琼民规〔2099〕1号 四(三)", add_guards=[("accept", "hainan_checked")])]
'''


def test_what_a_plugin_prints_while_a_command_runs_goes_to_stderr(install, db):
    # A guard or a hook printing while an event ran wrote into stdout: `case fire
    # --format json` and `case show --format json` were not JSON any more. Only loading and
    # registering were sent to stderr.
    install(PRINTING)
    opened = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-01")
    assert opened.exit_code == 0, opened.output
    assert opened.stdout == "hainan-2026-000001\n"
    case_id = "hainan-2026-000001"
    fired = run(db, "case", "fire", case_id, "accept", "--on", "2026-04-02", "--format", "json")
    assert fired.exit_code == 0, fired.output
    assert json.loads(fired.stdout)["state"] == "accepted"
    assert "guard: checking accept" in fired.stderr and "guard: written" in fired.stderr
    assert "patching dibao" in opened.stderr
    shown = run(db, "case", "show", case_id, "--format", "json")
    assert json.loads(shown.stdout)["history"][-1]["event"] == "accept"
    # the command's own output still goes to stdout, and help too
    assert "Usage:" in CliRunner().invoke(cli, ["case", "fire", "--help"]).stdout


TWO_OVERLAYS = '''
from datetime import date
from engine import CalendarOverlay

@hookimpl
def doudi_calendar_overlays(province, county):
    if province == "hainan":
        return [CalendarOverlay("琼府办〔2099〕1号", days_off=[(date(2026, 4, 20), "三月三")]{first}),
                CalendarOverlay("琼府办〔2099〕2号", working_days=[(date(2026, 4, 20), "调休")]{second})]
'''


@pytest.mark.parametrize("first, second, county, where", [
    ("", "", [], ""),
    (", county='甲县'", ", county='甲县'", ["--county", "甲县"], " for 甲县"),
])
def test_two_overlays_that_disagree_about_a_day_are_refused_naming_both(install, db, first,
                                                                         second, county, where):
    # The one listed last won, silently: Monday 2026-04-20, a day off by 琼府办〔2099〕1号, was
    # counted as 2号's working day (Friday 04-17 + 1 wd due 04-20, not 04-21).
    install(TWO_OVERLAYS.format(first=first, second=second))
    expected = (f"Error: {NAMED}: doudi_calendar_overlays: 2026-04-20 is a day off in "
                f"'琼府办〔2099〕1号' and a working day in '琼府办〔2099〕2号'{where}: the "
                "overlays disagree")
    result = CliRunner().invoke(cli, ["calendar", "due", "2026-04-17", "1wd",
                                      "--province", "hainan", *county])
    assert result.exit_code == 1, result.output
    assert error_line(result) == expected
    # a case in that place cannot be opened: refused, nothing written
    opened = ["--set", "county=甲县"] if county else []
    result = run(db, "case", "open", "--province", "hainan", "--on", "2026-04-16", *opened)
    assert result.exit_code == 1 and error_line(result) == expected
    assert sqlite3.connect(db).execute("select name from sqlite_master").fetchall() == []


def test_a_county_overlay_decides_a_day_the_province_wide_one_also_sets(install):
    # Documented precedence (docs/provinces.md): for its county, a county's own document decides;
    # elsewhere the province-wide one does. 1号 gives Monday 2026-04-20 off province-wide; 甲县's
    # 2号 makes it a working day there.
    install(TWO_OVERLAYS.format(first="", second=", county='甲县'"))
    due = ["calendar", "due", "2026-04-17", "1wd", "--province", "hainan"]
    elsewhere = CliRunner().invoke(cli, due)
    assert elsewhere.exit_code == 0, elsewhere.output
    assert elsewhere.stdout.splitlines()[0] == "2026-04-21"  # Fri + 1 wd, Mon 04-20 off
    in_county = CliRunner().invoke(cli, [*due, "--county", "甲县"])
    assert in_county.exit_code == 0, in_county.output
    assert in_county.stdout.splitlines()[0] == "2026-04-20"


AGREEING_OVERLAYS = '''
from datetime import date
from engine import CalendarOverlay

@hookimpl
def doudi_calendar_overlays(province, county):
    if province == "hainan":
        return [CalendarOverlay("琼府办〔2099〕1号", days_off=[(date(2026, 4, 20), "三月三")]),
                CalendarOverlay("琼府办〔2099〕2号", days_off=[(date(2026, 4, 20), "三月三")]{second})]
'''


@pytest.mark.parametrize("second, county", [("", []), (", county='甲县'", ["--county", "甲县"])])
def test_overlays_that_agree_about_a_day_are_all_named(install, second, county):
    # Found by review: two documents in force both giving Monday 2026-04-20 off (both
    # province-wide, or 甲县's own repeating the province's) named only the one listed last.
    # Friday 04-17 + 1 wd: Sat 04-18, Sun 04-19, Mon 04-20 off (both documents), Tue 04-21.
    install(AGREEING_OVERLAYS.format(second=second))
    due = ["calendar", "due", "2026-04-17", "1wd", "--province", "hainan", *county]
    result = CliRunner().invoke(cli, [*due, "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["due"] == "2026-04-21"
    assert answer["basis"].endswith("；工作日依琼府办〔2099〕1号、琼府办〔2099〕2号")
    explained = CliRunner().invoke(cli, [*due, "--explain"])
    assert "  2026-04-20 周一 休息日：三月三（琼府办〔2099〕1号、琼府办〔2099〕2号） → 不计" in (
        explained.stdout.splitlines())


# -- what a plugin keeps of what it handed over ----------------------------------------------


@pytest.mark.parametrize("how", ["fire", "import"])
def test_a_list_a_plugin_changes_after_handing_it_to_an_opening_changes_no_case(install,
                                                                                tmp_path, how):
    # Imported, the case the event opened kept the plugin's very list among its attributes
    # in memory: the plugin's later append went into the case's next write (its row then
    # held watch ["甲", "乙"], its history ["甲"]: `audit verify` reported the case altered).
    import sys

    from engine import Engine

    # (the plugin's own list, handed over in every opening and changed later)
    _install_review_effect(
        install, "hainan_open_monitoring", "LinkedOpening, ",
        'outcome.openings.append(LinkedOpening("monitoring", "monitoring", "monitored_from", '
        '{"level": "县级", "watch": WATCH}, "琼民规〔2099〕1号 六(一)"))', "六(一)",
        preamble='WATCH = ["甲"]')
    engine = Engine.open(str(tmp_path / "x.db"), today=lambda: date(2026, 12, 1))
    engine.open_case("hainan", on=date(2026, 4, 1), case_id="c1")
    engine.fire("c1", "accept", date(2026, 4, 2))
    if how == "fire":
        engine.fire("c1", "village_review_done", date(2026, 4, 7))
    else:
        engine.import_lines([json.dumps({"op": "fire", "case_id": "c1", "on": "2026-04-07",
                                         "event": "village_review_done"})])
    (opened,) = [link["case_id"] for link in engine.case("c1").links]
    plugin = next(module for name, module in sys.modules.items()
                  if name.startswith("doudi_broken_") and hasattr(module, "WATCH"))
    plugin.WATCH.append("乙")
    assert engine.case(opened).case.attributes["watch"] == ["甲"]
    engine.fire(opened, "compare_data", date(2026, 4, 8),
                payload={"indicators": "重病", "flagged": 0})
    with sqlite3.connect(tmp_path / "x.db") as conn:
        (row,) = conn.execute("select attributes from cases where id = ?", [opened]).fetchone()
    assert json.loads(row)["watch"] == ["甲"]
    assert engine.verify()[2] == []


@pytest.mark.parametrize("hook, name, shown", [
    # A guard registered twice by the plugin read "guard 'hainan_check' registered by both
    # 'broken' and 'broken'"; one named as doudi's own read "… by both 'broken' and
    # 'doudi.default_guards'", a doudi module named as if it were a plugin that had clashed.
    ("doudi_register_guards", "hainan_check", f"{NAMED} registered guard 'hainan_check' twice"),
    ("doudi_register_guards", "delegated",
     f"{NAMED} registered guard 'delegated', the name of one of doudi's own "
     "(doudi.default_guards): give it a name of its own"),
    ("doudi_register_effects", "hainan_mark", f"{NAMED} registered effect 'hainan_mark' twice"),
])
def test_a_guard_or_effect_name_taken_says_by_whom(install, hook, name, shown):
    install(f'''
    def check(ctx, *outcome):
        return None

    @hookimpl
    def {hook}(register):
        register("{name}", check)
        if "{name}" != "delegated":
            register("{name}", check)
    ''')
    result = CliRunner().invoke(cli, ["provinces"])
    assert result.exit_code == 1, result.output
    assert error_line(result) == f"Error: {shown}"


def test_a_guard_named_as_another_plugin_s_names_both_plugins(install):
    # 江苏's own guard (plugins/jiangsu_draft) registered again by another province's plugin
    install('''
    @hookimpl
    def doudi_register_guards(register):
        register("collective_decision_recorded", lambda ctx: None)
    ''')
    result = CliRunner().invoke(cli, ["provinces"])
    assert result.exit_code == 1, result.output
    line = error_line(result)
    assert line.startswith("Error: guard 'collective_decision_recorded' registered by two plugins: ")
    assert "'broken' (doudi_broken 1.0)" in line and "'jiangsu_draft' (doudi " in line


def test_two_of_doudi_s_own_modules_registering_one_name_is_told_not_a_traceback():
    """A name two of doudi's own modules register (a slip in doudi itself, as a guard of
    default_benefit named as one of default_temporary's): the line names both, where the
    message meant for a plugin taking a doudi name raised "ValueError: not enough values to
    unpack" (found by review)."""
    from engine.errors import PluginError
    from engine.guards import NamedRegistry

    names = NamedRegistry()
    names.register("paid_once", lambda ctx: None, "doudi.default_benefit")
    with pytest.raises(PluginError) as raised:
        names.register("paid_once", lambda ctx: None, "doudi.default_temporary")
    assert str(raised.value) == ("guard 'paid_once' registered by two plugins: "
                                 "'doudi.default_benefit' (built-in) and "
                                 "'doudi.default_temporary' (built-in)")
