"""江苏省 (draft for comment): 关于切实做好最低生活保障等社会救助兜底保障工作的通知（征求意见稿）.

A draft has no number and no date; every citation names it as 江苏征求意见稿. 30/20/45
working days (四(一)); 公示 of at least 7 days, also online where a locality can (四(二));
hard cases whose income or property exceeds the rules go to a collective decision,
一事一议, and are archived in their own class (五(一)).
"""

from __future__ import annotations

from engine import (
    Document,
    Parameter,
    Province,
    State,
    Transition,
    WorkflowPatch,
    hookimpl,
)

CODE = "jiangsu_draft"
DRAFT = "江苏征求意见稿"
DOCUMENT = Document(
    number=None,
    title="关于切实做好最低生活保障等社会救助兜底保障工作的通知（征求意见稿）",
    date=None,
    status="draft",
)
LIMITS = f"{DRAFT} 四(一)"
COLLECTIVE = f"{DRAFT} 五(一)"
COLLECTIVE_OUTCOMES = ("agree", "refuse")


@hookimpl
def doudi_register_provinces(register):
    register(Province(CODE, "江苏省（征求意见稿）", (DOCUMENT,)))


@hookimpl
def doudi_parameters(province, workflow):
    if province != CODE or workflow != "dibao":
        return None
    return [
        Parameter("total", "30wd", LIMITS),
        Parameter("total_delegated", "20wd", LIMITS),
        Parameter("total_extended", "45wd", LIMITS),
        Parameter("extension_reasons", ["人户分离", "异地申办", "调查难度大"], LIMITS),
        # "公示时间不少于7天": 7 days is the minimum the engine enforces.
        Parameter("publicity", "7d", f"{DRAFT} 四(二)（不少于7天）"),
        Parameter("publicity_channels", ["村（社区）", "网上"], f"{DRAFT} 四(二)"),
    ]


def collective_outcome_given(ctx) -> str | None:
    """一事一议 ends with the meeting's outcome recorded (--set outcome=agree|refuse)."""
    outcome = ctx.payload.get("outcome")
    if outcome in COLLECTIVE_OUTCOMES:
        return None
    return (
        f"collective_decided needs --set outcome=agree or outcome=refuse ({COLLECTIVE}); "
        f"got {outcome!r}"
    )


@hookimpl
def doudi_register_guards(register):
    register("collective_outcome_given", collective_outcome_given)


@hookimpl
def doudi_workflow_patches(province, workflow):
    if province != CODE or workflow != "dibao":
        return None
    # 一事一议: after investigation, a case beyond the rules goes to a collective meeting; its
    # outcome is recorded and the case continues to 公示 and confirmation as usual.
    return [
        WorkflowPatch(
            citation=COLLECTIVE,
            add_states=(State("collective_review", "一事一议集体研究"),),
            add_transitions=(
                Transition(
                    event="refer_collective",
                    title="提交一事一议",
                    sources=("investigating", "verifying"),
                    dest="collective_review",
                ),
                Transition(
                    event="collective_decided",
                    title="一事一议集体研究确定",
                    sources=("collective_review",),
                    dest="verifying",
                    guards=("collective_outcome_given",),
                ),
                Transition("extend", ("collective_review",), None, "特殊情况延长",
                           ("extension_reason_allowed", "not_extended")),
                Transition("withdraw", ("collective_review",), "withdrawn", "申请人撤回"),
                Transition("terminate", ("collective_review",), "terminated", "终止审核确认"),
            ),
        )
    ]
