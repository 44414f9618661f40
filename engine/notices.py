"""公示 and 公布 notices: the text a township posts, in plain text and HTML, and nothing else;
and the written notice of a refusal (不予确认同意告知书; of a 临时救助 case, 不予救助告知书) that
goes to the applicant alone.

The 初审意见 is posted in the applicant's village/community for the 公示 period (民发〔2021〕57号
第19条); after confirmation the name, household size and amount are published there (第24条).
A 支出型 临时救助 follows the ordinary procedure, 公示 included (民发〔2018〕23号 二(二); 急难型
skips it): its 公示 shows the same, the amount the aid proposed.
Both "依法保护个人隐私，不得公开无关信息" (民发〔2022〕83号 四(二)): a notice is built only from
the attributes in :data:`ALLOWED_FIELDS`, so an attribute added later (an ID number, an address,
an illness, the applicant's phone) never reaches one. Building a notice is pure: it reads a
:class:`~engine.views.CaseView` (and the province's parameters the caller passes) and writes
nothing; the HTML version, every value escaped, is the one to post online. The 公布 of a
county, which reads its cases and their benefit cases, is
:meth:`engine.core.Engine.publication`.

The refusal notice is not posted: 57号 第21条 has the applicant told in writing, with the
reasons, within 3 working days of the decision; a 支出型 临时救助 case follows the same procedure
(民发〔2018〕23号 二(二)), its ``refusal_notice`` deadline a local setting by analogy with
第21条. The privacy rule of the 公示 and 公布 (83号 四(二) "信息公示、公布应当依法保护个人隐私")
is about what is shown to others, so it does not cut the reasons down; the notice still reads
only the applicant's name, the office's details and the decision's own record (its date and
reasons), never the case's other attributes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from attrs import frozen

from engine import arguments
from engine.arguments import visible
from engine.default_guards import channel_items
from engine.errors import DoudiError, InvalidInput, UnknownName
from engine.payments import month_of, month_text
from engine.periods import Duration
from engine.views import CaseView
from engine.workflow import CORRECTION_EVENT, NUMBER_IN_NAME, PRIVACY_CLAUSES, holds_a_number

# The only case attributes a notice may show: the household's name, size and amount (57号 第24条;
# 83号 四(二)), where it is posted (its village/community, else its county) and the township
# office that takes objections. Everything else on a case is left out, whatever its name.
ALLOWED_FIELDS: Final[frozenset[str]] = frozenset({
    "applicant_name",
    "household_size",
    "amount",
    "village",
    "county",
    "office_name",
    "office_phone",
    "office_address",
})

#: The 公示's proposal (an attribute given with post_publicity), and its value for refusal.
PROPOSAL: Final = "proposal"
REFUSAL: Final = "refuse"
ONLINE_CHANNEL: Final = "网上"  # the 公示 channel (publicity_channels) that means posted online
PUBLICITY_EVENT: Final = "post_publicity"
PUBLICITY_RULE: Final = "publicity"
APPROVE_EVENT: Final = "approve"
PUBLISH_EVENT: Final = "publish"  # (the 公布 recorded: report unpublished looks for it)
REJECT_EVENT: Final = "reject"  # 不予确认同意
NOTIFY_REFUSAL_EVENT: Final = "notify_refusal"  # 书面告知理由
REFUSAL_RULE: Final = "refusal_notice"
#: The notices' procedure (a 临时救助's 公示 is another text: :data:`PUBLICITY_WORDING`).
NOTICE_WORKFLOW: Final = "dibao"
APPROVED_STATES: Final = ("approved", "published")
#: The workflow of the case ``approve`` opens (linked to the confirmed case): the household's
#: 低保 as it is paid, its amount month by month, and its stop.
BENEFIT_WORKFLOW: Final = "benefit"
#: How a benefit case opened by ``approve`` names its confirmed case (dibao.toml back_relation).
APPLICATION_RELATION: Final = "application"
PUBLICATION_BASIS: Final = "民发〔2021〕57号 第24条"
NATIONAL_PROCEDURE: Final = "民发〔2021〕57号"
PRIVACY_BASIS: Final = PRIVACY_CLAUSES
DEFAULT_OFFICE: Final = "乡镇人民政府（街道办事处）"
DEFAULT_PLACE: Final = "申请家庭所在村（社区）"
MISSING: Final = "—"

#: The 公示's title, with the name of the opinion it posts (``publicity_opinion``: 初审意见, or
#: the township's 审核意见 where it confirms).
PUBLICITY_TITLE: Final = "最低生活保障{opinion}公示"
OPINION: Final = "初审意见"  # 民发〔2021〕57号 第19条
PUBLICATION_TITLE: Final = "最低生活保障审核确认结果公布"
REFUSAL_TITLE: Final = "最低生活保障申请不予确认同意告知书"
REFUSAL_DECISION: Final = "不予确认同意"
#: The privacy line's text; {basis}: the national clauses, then the province's own (privacy_basis).
PRIVACY_TEXT: Final = ("公示、公布仅包含申请人姓名、家庭成员数量和保障金额，依法保护个人隐私，"
                       "不公开无关信息（{basis}）。")
#: The privacy line where the province has no clause of its own (the national rules).
PRIVACY_NOTE: Final = PRIVACY_TEXT.format(basis=PRIVACY_BASIS)


@frozen
class PublicityWording:
    """What a 公示 says, by the workflow of the case posted: its title (``{opinion}``: the
    opinion's name, where it names one), its opening sentence (``{office}``, ``{opinion}``), the
    label of its proposal, the proposal (``{amount}``: the part :attr:`amount` gives where an
    amount is recorded) and its refusal, and its privacy line (``{basis}``)."""

    title: str
    opening: str
    label: str
    grant: str
    amount: str
    refusal: str
    privacy: str


#: The workflow of a 支出型 临时救助 request, whose 公示 (民发〔2018〕23号 二(二): 支出型 follows the
#: ordinary procedure, 公示 included; 急难型 skips it) proposes the aid, not a monthly 低保.
TEMPORARY_WORKFLOW: Final = "temporary"
URGENT_EVENT: Final = "pay_urgent"  # 急难型先行救助: no 公示
#: The 公示 of each workflow that posts one: the 低保 初审意见 (57号 第19条), and the 支出型 临时
#: 救助's, in the temporary workflow's own words (its ``publicity`` 支出型临时救助公示期, its
#: ``approve`` 批准救助 and ``reject`` 不予救助), the amount a one-time sum, not a month's.
PUBLICITY_WORDING: Final[Mapping[str, PublicityWording]] = {
    NOTICE_WORKFLOW: PublicityWording(
        PUBLICITY_TITLE, "经家庭经济状况调查和信息核对，{office}提出{opinion}如下，现予公示。",
        "{opinion}", "拟同意纳入最低生活保障", "，保障金额每月{amount}元", "拟不同意纳入最低生活保障",
        PRIVACY_TEXT),
    TEMPORARY_WORKFLOW: PublicityWording(
        "支出型临时救助公示", "经家庭经济状况调查和核对，{office}提出意见如下，现予公示。",
        "意见", "拟批准救助", "，救助金额{amount}元", "拟不予救助",
        "公示仅包含申请人姓名、家庭成员数量和救助金额，依法保护个人隐私，不公开无关信息（{basis}）。"),
}


@frozen
class RefusalWording:
    """What a refusal notice says of the decision, by the workflow of the case refused: its
    title, the decision as the notice names it, what was applied for (你提出的…，经审核，…), and
    the reason a correction of a ``reject`` recorded without one gives (the notice's hint)."""

    title: str
    decision: str
    application: str
    unrecorded: str


#: The workflows whose ``reject`` starts a ``refusal_notice`` deadline (书面告知理由), and what
#: their notice says: the 低保 application's 不予确认同意 (57号 第21条), the 支出型 临时救助
#: request's 不予救助 (民发〔2018〕23号 二(二); 急难型 is paid first and never refused). The
#: period and clause are the deadline's, whatever the workflow, province or county sets.
REFUSAL_WORDING: Final[Mapping[str, RefusalWording]] = {
    NOTICE_WORKFLOW: RefusalWording(REFUSAL_TITLE, REFUSAL_DECISION, "最低生活保障申请",
                                    "未记录不予确认理由"),
    "temporary": RefusalWording("临时救助申请不予救助告知书", "不予救助", "临时救助申请",
                                "未记录不予救助理由"),
}


def allowed(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes a notice may use: those in :data:`ALLOWED_FIELDS`, nothing else."""
    return {key: attributes[key] for key in sorted(ALLOWED_FIELDS) if key in attributes}


@frozen
class Office:
    """The township/street office that posts the notice and takes objections."""

    name: str
    phone: str | None = None
    address: str | None = None


@frozen
class Household:
    """One household as a notice shows it: name, household size, monthly amount (as text)."""

    applicant_name: str | None
    household_size: str | None
    amount: str | None


@frozen
class PublicityNotice:
    """初审意见公示: where and when it is posted, what it proposes, how to object."""

    place: str
    household: Household
    posted_on: date
    last_day: date
    duration: str
    computation: str
    provisional: bool
    office: Office
    online: bool
    basis: str
    opinion: str = OPINION
    #: The opinion posted proposes refusal (``proposal=refuse``): the notice says 拟不同意.
    refuses: bool = False
    #: The clauses of the privacy line (:func:`privacy_basis`): the national ones, and the
    #: province's 公示公布 clause, which says it too.
    privacy: str = PRIVACY_BASIS
    #: What it says (:data:`PUBLICITY_WORDING`): the 低保 初审意见's, or a 临时救助's.
    wording: PublicityWording = PUBLICITY_WORDING[NOTICE_WORKFLOW]


@frozen
class Benefit:
    """A confirmed case's benefit case (the one its ``approve`` opened) as it stood on the
    公布's date: its view as of that date, and whether it was in a final state of its
    workflow then (stopped, ended, left), as ``case show`` and the reports see it."""

    view: CaseView
    closed: bool


@frozen
class PublicationNotice:
    """审核确认结果公布 for a county as of a date: the households, by posting place."""

    county: str
    as_of: date
    places: tuple[tuple[str, tuple[Household, ...]], ...]
    basis: str
    #: The clauses of the privacy line (:func:`privacy_basis`), as the 公示's.
    privacy: str = PRIVACY_BASIS


@frozen
class RefusalNotice:
    """不予确认同意告知书 (of a 临时救助 case, 不予救助告知书: ``wording``): the decision, its
    date and reasons, told to the applicant in writing by ``due_on`` (57号 第21条);
    ``notified_on`` is the day ``notify_refusal`` recorded it."""

    case_id: str
    applicant_name: str | None
    decided_on: date
    #: The reasons, one per line, as the ``reject`` recorded them (``reason``), or as the
    #: latest correction of that event gave them (``--set reason=…``).
    reasons: tuple[str, ...]
    #: The history entry (seq) the reasons come from: the ``reject`` or its correction.
    reasons_seq: int
    office: Office
    due_on: date
    duration: str
    computation: str
    provisional: bool
    notified_on: date | None
    #: The ``refusal_notice`` deadline's clause, without its trailing note (the footer's 依据).
    basis: str
    #: The title and decision of the case's workflow (:data:`REFUSAL_WORDING`).
    wording: RefusalWording

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "title": self.wording.title,
            "applicant_name": self.applicant_name,
            "decision": self.wording.decision,
            "decided_on": self.decided_on.isoformat(),
            "reasons": list(self.reasons),
            "reasons_seq": self.reasons_seq,
            "office": {"name": self.office.name, "phone": self.office.phone,
                       "address": self.office.address},
            "due_on": self.due_on.isoformat(),
            "duration": self.duration,
            "computation": self.computation,
            "provisional": self.provisional,
            "notified_on": self.notified_on.isoformat() if self.notified_on else None,
            "basis": self.basis,
        }


# -- building notices from cases ---------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A value as a notice prints it: whole numbers without ``.0``; absent or blank → None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


#: What the refusal of a name holding a number (engine.workflow.NAME_DIGITS digits or more:
#: refused as given, but one stored before may be read) says, after the case it names (or how
#: many households).
NUMBER_FOR_NAME: Final = f"applicant_name {NUMBER_IN_NAME}; nothing printed"


class NumberForName(DoudiError):
    """A notice refused: the ``applicant_name`` of the household it would show holds
    :data:`engine.workflow.NAME_DIGITS` digits or more. ``case_id``: the case the name was given on;
    ``benefit_id``: the household's benefit case, where a 公布 reads it (None: none, or a 公示)."""

    def __init__(self, case_id: str, benefit_id: str | None = None) -> None:
        self.case_id, self.benefit_id = case_id, benefit_id
        super().__init__(f"case {case_id}: {NUMBER_FOR_NAME}")


def _name(value: Any, case_id: str, benefit_id: str | None = None) -> str | None:
    """``applicant_name`` as a notice shows it; :class:`NumberForName` naming the case (not the
    value) where it holds :data:`engine.workflow.NAME_DIGITS` digits or more."""
    text = _text(value)
    if text is not None and holds_a_number(text):
        raise NumberForName(case_id, benefit_id)
    return text


def _household(fields: Mapping[str, Any], case_id: str, benefit_id: str | None = None
               ) -> Household:
    """What a notice shows of a household; ``case_id``: the case its name was recorded on,
    ``benefit_id`` its benefit case (the 公布's)."""
    return Household(_name(fields.get("applicant_name"), case_id, benefit_id),
                     _text(fields.get("household_size")), _text(fields.get("amount")))


def numbers_for_names(refused: Sequence[NumberForName], as_of: date) -> DoudiError:
    """The one error of a 公布 as of ``as_of`` whose households' names (``refused``, one or
    more) hold numbers: every case named, in id order, each with the event that puts it right
    (procedure.md: the 公布 reads the name the benefit case has on its date, so one given there
    with ``review --set outcome=keep --set applicant_name=…`` on or before it is published).
    Too many for one line are shortened (:class:`DoudiError`), the count said first."""
    fixes: list[tuple[str, str, str]] = []  # (the case, the command, the call)
    for each in sorted(refused, key=lambda r: (r.case_id, r.benefit_id or "")):
        on = each.benefit_id
        if on is None:
            none = "it has no benefit case: give the name with its next event "
            fixes.append((each.case_id, none + "(--set applicant_name=…)",
                          none + "(payload={'applicant_name': '…'})"))
        else:
            fixes.append((each.case_id, f"doudi case fire {on} review --on DATE --set "
                                        "outcome=keep --set applicant_name=…",
                          f"fire({on!r}, 'review', on=…, payload={{'outcome': 'keep', "
                          "'applicant_name': '…'})"))
    if len(fixes) == 1:
        why = (f"case {fixes[0][0]}: {NUMBER_FOR_NAME}; the 公布 shows the name the household "
               f"has on {as_of.isoformat()} (its benefit case's): give it by then, ")
        return DoudiError(why + fixes[0][2], command_line=why + fixes[0][1])
    why = (f"{len(fixes)} households' {NUMBER_FOR_NAME}; the 公布 shows the name a household "
           f"has on {as_of.isoformat()} (its benefit case's): give each its name by then, ")
    return DoudiError(why + "; ".join(f"case {c}: {call}" for c, _, call in fixes),
                      command_line=why + "; ".join(f"case {c}: {cmd}" for c, cmd, _ in fixes))


def _place(fields: Mapping[str, Any]) -> str:
    return _text(fields.get("village")) or _text(fields.get("county")) or DEFAULT_PLACE


def _case_view(view: Any) -> CaseView:
    """``view`` if it is a case's view; :class:`InvalidInput` for anything else (its id)."""
    if isinstance(view, CaseView):
        return view
    raise InvalidInput(f"view must be a case's view (CaseView: engine.case(id)), got "
                       f"{arguments.spelled(view, 80)}")


def publicity_posting(view: CaseView) -> dict[str, Any]:
    """The history entry of the case's latest ``post_publicity``, the 公示 its notice shows.
    Raises :class:`InvalidInput` for what is not a case's view and a case of a workflow that
    posts no 公示 (:data:`PUBLICITY_WORDING`: ``dibao``, ``temporary``), and
    :class:`UnknownName` when no 公示 was posted: a 临时救助 paid first (急难型, ``pay_urgent``),
    which skips it (民发〔2018〕23号 二(二)), or one not yet at it."""
    view = _case_view(view)
    if view.case.workflow not in PUBLICITY_WORDING:
        kinds = " or ".join(PUBLICITY_WORDING)
        raise InvalidInput(f"case {view.id} is a {view.case.workflow} case, which posts no 公示: a "
                           f"公示 is posted for a case of the {kinds} workflow")
    posted = [h for h in view.history if h["event"] == PUBLICITY_EVENT]
    if view.case.workflow == TEMPORARY_WORKFLOW:
        if any(h["event"] == URGENT_EVENT for h in view.history):
            raise UnknownName(f"case {view.id} is an 急难型 临时救助 (paid first, {URGENT_EVENT}), "
                              "which skips the 公示 (民发〔2018〕23号 二(二)): it has no 公示")
        if not posted:
            raise UnknownName(f"no 公示 posted for case {view.id}: a 支出型 临时救助 posts it "
                              f"after verify ({PUBLICITY_EVENT}), the case is {view.state}")
    if not posted:
        raise UnknownName(f"no 公示 posted for case {view.id}")
    return posted[-1]


def publicity_notice(view: CaseView, channels: Sequence[str] = (), opinion: str = OPINION,
                     privacy: str | None = None) -> PublicityNotice:
    """The 公示 of the case's (latest) 初审意见, as it stood when it was posted; of a
    ``temporary`` case on the 支出型 route, of the aid proposed (:data:`PUBLICITY_WORDING`).

    ``opinion`` names what is posted (the ``publicity_opinion`` parameter: 初审意见, or 审核意见
    where the township confirms). ``channels`` is the province's ``publicity_channels``
    parameter value. The notice says it
    is also posted online when the ``post_publicity`` event named the online channel, or, where
    the event named no channel, when the province's channels include it. Raises
    :class:`UnknownName` when no 公示 was posted. ``privacy``: the citation of the province's
    公示公布 clause its privacy line cites after the national ones (:func:`privacy_basis`); None:
    the ``publicity`` deadline's, which is that clause for a ``dibao`` case (a ``temporary``
    case's is the workflow's own, so the national ones alone). :meth:`engine.core.Engine.publicity`
    gives all three as they stood in the case's county on the day it was posted, as ``doudi
    notice publicity`` prints it.
    """
    entry = publicity_posting(view)
    opinion = arguments.text(opinion, "opinion")
    privacy = arguments.maybe_text(privacy, "privacy")
    wording = PUBLICITY_WORDING[view.case.workflow]
    posted_on = date.fromisoformat(entry["on"])
    # The attributes as they stood when the 公示 was posted (later events do not change it;
    # a correction changes none: it is evidence, as the case's attributes and the 公布 read it).
    fields = allowed(view.attributes_after(entry["seq"]))
    windows = [d.deadline for d in view.deadlines
               if d.deadline.rule == PUBLICITY_RULE and d.deadline.starts_on == posted_on]
    if not windows:
        raise UnknownName(f"no 公示 period recorded for case {view.id}")
    window = windows[-1]
    channel = entry["payload"].get("channel")
    online = ONLINE_CHANNEL in (channel_items(channel) if channel is not None else channels)
    office = Office(_text(fields.get("office_name")) or DEFAULT_OFFICE,
                    _text(fields.get("office_phone")), _text(fields.get("office_address")))
    return PublicityNotice(
        place=_place(fields),
        household=_household(fields, view.id),
        posted_on=posted_on,
        last_day=window.due_on,
        duration=window.duration,
        computation=window.computation,
        provisional=window.provisional,
        office=office,
        online=online,
        basis=window.citation,
        opinion=opinion,
        # (this posting's own proposal, as its channel: without one it proposes approval, as the
        # docs say, though an earlier 公示 of the case proposed refusal)
        refuses=entry["payload"].get(PROPOSAL) == REFUSAL,
        privacy=privacy_basis(privacy if privacy is not None else
                              None if wording is not PUBLICITY_WORDING[NOTICE_WORKFLOW]
                              else window.citation),
        wording=wording,
    )


def is_approved(view: CaseView) -> bool:
    """Whether the case was confirmed (确认同意) by its as-of date."""
    return view.state in APPROVED_STATES or any(h["event"] == APPROVE_EVENT for h in view.history)


def publication_basis(publicity_citation: str | None) -> str:
    """57号 第24条, and the province's own 公示公布 clause where it has one.

    The province's clause is its ``publicity`` parameter's citation (the seeds set 公示 and
    公布 in one clause), without a trailing note in full-width brackets; the national default
    (57号 第19条, the 公示 alone) adds nothing.
    """
    if not publicity_citation or publicity_citation.startswith(NATIONAL_PROCEDURE):
        return PUBLICATION_BASIS
    return f"{PUBLICATION_BASIS}；{_clause(publicity_citation)}"


def privacy_basis(publicity_citation: str | None) -> str:
    """The clauses of the notices' privacy line: 57号 第24条 and 83号 四(二), then the
    province's own 公示公布 clause, which says it too (each province's notice: "信息公示、公布应当
    依法保护个人隐私，不得公开无关信息"), taken as :func:`publication_basis` takes it; the
    national 公示 clause (57号 第19条) adds nothing."""
    if not publicity_citation or publicity_citation.startswith(NATIONAL_PROCEDURE):
        return PRIVACY_BASIS
    return f"{PRIVACY_BASIS}；{_clause(publicity_citation)}"


def _clause(citation: str) -> str:
    """A citation without its trailing note in full-width brackets: ``民发〔2021〕57号 第21条（国家
    规定）`` → ``民发〔2021〕57号 第21条``."""
    return re.sub(r"（[^（）]*）$", "", citation).strip()


#: Where "书面告知申请人并说明理由" is written: the reasons a refusal notice must state, whatever
#: the period's own basis (a county's file, or a temporary case's 民发〔2018〕23号 二(二), whose
#: default period is set by analogy with it).
REASONS_CLAUSE: Final = "民发〔2021〕57号 第21条"


#: How a citation marks a default that is this system's own setting, not a clause (e.g. the
#: temporary workflow's "默认值参照民发〔2021〕57号 第21条，为本系统的地方可调设定").
SYSTEM_SETTING: Final = "本系统"


def _law(clause: str) -> str:
    """The clauses a notice tells its addressee it acts on: ``clause``'s parts (split at ；)
    but those that mark this system's own default, each without its trailing note;
    ``民发〔2018〕23号 二(二)（…）；默认值参照…，为本系统的地方可调设定`` → ``民发〔2018〕23号 二(二)``.
    The footer still gives the whole clause, the basis of the period."""
    parts = [_clause(part) for part in clause.split("；") if SYSTEM_SETTING not in part]
    return "；".join(parts) or clause


def receiving(benefit: Benefit | None, confirmed_in: str | None) -> str | None:
    """The county in which a household received 低保 on the date its cases are read as of, or
    None where it received none (57号 第24条 publishes the 最低生活保障家庭 "在低保家庭所在村（社区）").

    ``benefit`` is its benefit case then (None: a confirmed case that opened none, which counts
    as receiving, at its confirmed amount, where it was confirmed); ``confirmed_in`` the county
    its confirmed ``dibao`` case was in then (None: a benefit case opened directly, for a
    household receiving 低保 before the platform adopted doudi). A closed benefit case receives
    nowhere. One moved to another county (an event on it giving a county other than the one it
    was opened with) receives in that county; otherwise the household is where its confirmed
    case is (a case moved with its 公布 is published there), else where its benefit case is.

    The one rule of who is published where: the 公布 (:meth:`engine.core.Engine.publication`)
    lists the households it gives the county for, and report unpublished waits for the 公布
    of those alone, in that county."""
    if benefit is None:
        return confirmed_in
    if benefit.closed:
        return None
    opened_in = benefit.view.history[0]["payload"].get("county") if benefit.view.history else None
    now_in = benefit.view.case.county
    if confirmed_in is None or now_in != opened_in:
        return now_in
    return confirmed_in


def amount_in_force(benefit: Benefit) -> float | None:
    """The amount paid for the month of the benefit view's date, by its payments (a re-check's
    new amount from the month after it, 民发〔2022〕83号 "增发、减发"); None before the first
    month paid, where the confirmation's amount is the one in force."""
    month = month_text(month_of(benefit.view.as_of))
    return next((p.amount for p in benefit.view.payments if p.month == month), None)


#: One household of a 公布 as gathered: its posting place, the township office posting there
#: (None: not recorded), the day it was confirmed (or its benefit case opened), its case id,
#: and what is shown of it. Kept, not the cases it is read from: a county's 公布 lists
#: thousands, and each case's view (history, deadlines, payments) held some 30 KB.
PublicationRow = tuple[str, str | None, str, str, Household]


def _publication_row(view: CaseView | None, benefit: Benefit | None, county: str
                     ) -> PublicationRow | None:
    """The row of a household in the 公布 of ``county`` (its confirmed ``dibao`` case and its
    benefit case as of the 公布's date, either None where it has none), or None where it is
    not published there: private, as :meth:`engine.core.Engine.publication` gathers them
    (without every benefit case it would publish each case ever confirmed).

    57号 第24条 publishes the 最低生活保障家庭 receiving 低保 in ``county`` on that date
    (:func:`receiving`); a confirmed case not yet confirmed by then is left out. The name,
    household size, village and office are the benefit case's where it has them (a household
    moved is posted where it lives now), else its confirmed case's; the amount is the one paid
    for that month (:func:`amount_in_force`), else the confirmed one (the one a benefit case
    opened directly was opened with).
    """
    if view is not None and not is_approved(view):
        return None
    if receiving(benefit, view.case.county if view is not None else None) != county:
        return None
    fields = allowed(view.case.attributes) if view is not None else {}
    named_on = view.id if view is not None else None  # (the case the name shown was given on)
    if benefit is not None:
        given = allowed(benefit.view.case.attributes)
        if named_on is None or "applicant_name" in given:
            named_on = benefit.view.id
        if view is None:
            opening = benefit.view.history[0]["payload"] if benefit.view.history else {}
            fields["amount"] = opening.get("amount", given.get("amount"))
        given.pop("amount", None)
        fields.update(given)
        paid = amount_in_force(benefit)
        if paid is not None:
            fields["amount"] = paid
    fields["county"] = county  # (where it receives 低保 then: its place without a village)
    if view is not None:
        approved_on = min((h["on"] for h in view.history if h["event"] == APPROVE_EVENT),
                          default="")
        case_id = view.id
    else:
        assert benefit is not None
        approved_on, case_id = benefit.view.case.opened_on.isoformat(), benefit.view.id
    assert named_on is not None
    return (_place(fields), _text(fields.get("office_name")), approved_on, case_id,
            _household(fields, named_on, benefit.view.id if benefit is not None else None))


def _publication_notice(rows: Sequence[PublicationRow], county: str, as_of: date,
                        publicity_citation: str | None) -> PublicationNotice:
    """The 公布 of ``county`` as of ``as_of`` from its households' rows
    (:func:`_publication_row`), by posting place: places in name order; within a place, in
    the order of confirmation (a benefit case opened directly: its opening), then case id
    (the confirmed case's, else the benefit case's)."""
    # By place, and by the township office posting there where two or more offices post at a
    # place of one name (新村 under two townships of a county): each village is shown only its
    # own households. A household recorded with no office stays with the place's name alone.
    offices: dict[str, set[str]] = {}
    for place, office, *_ in rows:
        if office is not None:
            offices.setdefault(place, set()).add(office)
    by_place: dict[str, list[tuple[str, str, Household]]] = {}
    for place, office, approved_on, case_id, household in rows:
        if office is not None and len(offices[place]) > 1:
            place = f"{place}（{office}）"
        by_place.setdefault(place, []).append((approved_on, case_id, household))
    places = tuple(
        (place, tuple(h for _, _, h in sorted(listed, key=lambda r: (r[0], r[1]))))
        for place, listed in sorted(by_place.items())
    )
    return PublicationNotice(county, as_of, places, publication_basis(publicity_citation),
                             privacy_basis(publicity_citation))


def _reason_lines(given: Any) -> tuple[str, ...]:
    """Reasons as the notice lists them: each line of the text (or of each item of a list) on
    its own, stripped; blank ones left out."""
    lines: list[str] = []
    for item in given if isinstance(given, list | tuple) else [given]:
        text = _text(item)
        if text is not None:
            lines.extend(line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line)


def refusal_notice(view: CaseView) -> RefusalNotice:
    """The written notice of the case's refusal, with its reasons (57号 第21条): a ``dibao``
    case's 不予确认同意, a ``temporary`` case's 不予救助 (:data:`REFUSAL_WORDING`).

    The reasons are the ``reject`` event's ``reason``; a correction of that event giving
    ``reason`` in its data (``doudi case correct ID SEQ --set reason=…``) gives them instead,
    the latest one: the refusal cannot be recorded again, and the correction says what it
    should have said. The period to deliver it is the ``refusal_notice`` deadline the
    ``reject`` started, and its basis that deadline's clause (the workflow's, or the province's
    or county's where it sets ``refusal_notice``). Raises :class:`InvalidInput` for a case of
    another workflow, :class:`UnknownName` for a case not refused, and :class:`DoudiError`
    where no reason is recorded: the notice must state them.
    """
    view = _case_view(view)
    wording = REFUSAL_WORDING.get(view.case.workflow)
    if wording is None:
        kinds = "; ".join(f"{name}: {w.title}" for name, w in REFUSAL_WORDING.items())
        raise InvalidInput(f"case {view.id} is a {view.case.workflow} case, which has no refusal "
                           f"notice: it is written for a case of these workflows ({kinds})")
    rejects = [h for h in view.history if h["event"] == REJECT_EVENT]
    if not rejects:
        raise UnknownName(f"case {view.id} was not refused (no {REJECT_EVENT}, {wording.decision}, "
                          "recorded): it has no refusal notice")
    entry = rejects[-1]
    decided_on = date.fromisoformat(entry["on"])
    windows = [d.deadline for d in view.deadlines
               if d.deadline.rule == REFUSAL_RULE and d.deadline.starts_on == decided_on]
    if not windows:
        raise UnknownName(f"no {REFUSAL_RULE} deadline recorded for case {view.id}")
    window = windows[-1]
    basis = _clause(window.citation)
    source, given = entry["seq"], entry.get("reason")
    for h in view.history:
        if (h["event"] == CORRECTION_EVENT and h.get("corrects") == entry["seq"]
                and "reason" in h["payload"]):
            source, given = h["seq"], h["payload"]["reason"]
    reasons = _reason_lines(given)
    if not reasons:
        seq, on = entry["seq"], entry["on"]
        missing = (f"the {REJECT_EVENT} of case {view.id} on {on} recorded no reason: the notice "
                   f"must state the reasons ({REASONS_CLAUSE}: 书面告知申请人并说明理由); record "
                   "them with ")
        raise DoudiError(
            f"{missing}correct({view.id!r}, {seq}, on=…, reason='…', payload={{'reason': '…'}})",
            command_line=(f"{missing}doudi case correct {view.id} {seq} --on DATE --reason "
                          f"{wording.unrecorded} --set reason=…"))
    fields = view.case.attributes
    notified = [h["on"] for h in view.history
                if h["event"] == NOTIFY_REFUSAL_EVENT and h["seq"] > entry["seq"]]
    return RefusalNotice(
        case_id=view.id,
        applicant_name=_text(fields.get("applicant_name")),
        decided_on=decided_on,
        reasons=reasons,
        reasons_seq=source,
        office=Office(_text(fields.get("office_name")) or DEFAULT_OFFICE,
                      _text(fields.get("office_phone")), _text(fields.get("office_address"))),
        due_on=window.due_on,
        duration=window.duration,
        computation=window.computation,
        provisional=window.provisional,
        notified_on=date.fromisoformat(notified[-1]) if notified else None,
        basis=basis,
        wording=wording,
    )


# -- rendering ---------------------------------------------------------------------------------
# A notice is first laid out as blocks (title, paragraphs, labelled fields, a table, a footer);
# the text and HTML renderers show the same blocks, so the two versions say the same thing.

Block = tuple[str, Any]


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _period(duration: str) -> str:
    """``7d`` → 7天, ``3wd`` → 3个工作日, and the other units as :mod:`engine.periods` names
    them (``1m`` → 1个月, a county's own period); one it cannot read is shown as recorded."""
    try:
        period = Duration.parse(duration)
    except InvalidInput:
        return duration
    return f"{period.count}天" if period.unit == "d" else period.label


def _or_missing(text: str | None) -> str:
    return text if text is not None else MISSING


def _publicity_blocks(n: PublicityNotice) -> list[Block]:
    h, w = n.household, n.wording
    opinion = (w.refusal if n.refuses else
               w.grant + (w.amount.format(amount=h.amount) if h.amount else ""))
    window = f"{_day(n.posted_on)}至{_day(n.last_day)}（{_period(n.duration)}，自张贴次日起算）"
    if n.provisional:
        window += "；末日按推算的节假日安排计算，以当年国务院办公厅放假通知为准"
    contact = [(label, value) for label, value in (("联系电话", n.office.phone),
                                                   ("地址", n.office.address)) if value]
    blocks: list[Block] = [
        ("title", w.title.format(opinion=n.opinion)),
        ("para", w.opening.format(office=n.office.name, opinion=n.opinion)),
        ("fields", [("申请人姓名", _or_missing(h.applicant_name)),
                    ("家庭成员数量", f"{h.household_size}人" if h.household_size else MISSING),
                    (w.label.format(opinion=n.opinion), opinion)]),
        ("fields", [("公示地点", n.place), ("公示期", window)]),
        ("para", f"对公示内容有异议的，请于公示期内（{_day(n.last_day)}前，含当日）"
                 f"向{n.office.name}反映。"),
    ]
    if contact:
        blocks.append(("fields", contact))
    if n.online:
        blocks.append(("para", f"本公示同时在{ONLINE_CHANNEL}公示。"))
    blocks.append(("footer", [f"期间计算：{n.computation}", f"依据：{n.basis}",
                              w.privacy.format(basis=n.privacy)]))
    return blocks


def _publication_blocks(n: PublicationNotice) -> list[Block]:
    blocks: list[Block] = [("title", PUBLICATION_TITLE)]
    if not n.places:
        blocks.append(("para", f"截至{_day(n.as_of)}，{n.county}无经审核确认纳入最低生活保障的家庭。"))
    else:
        blocks.append(("para", f"截至{_day(n.as_of)}，{n.county}以下家庭经审核确认纳入最低生活保障，"
                               f"现予公布。"))
    for place, households in n.places:
        blocks.append(("fields", [("公布地点", place)]))
        rows = [[str(i), _or_missing(h.applicant_name),
                 f"{h.household_size}人" if h.household_size else MISSING,
                 f"{h.amount}元" if h.amount else MISSING]
                for i, h in enumerate(households, start=1)]
        blocks.append(("table", (["序号", "申请人姓名", "家庭成员数量", "保障金额（每月）"], rows)))
    blocks.append(("footer", [f"依据：{n.basis}", PRIVACY_TEXT.format(basis=n.privacy)]))
    return blocks


def _refusal_blocks(n: RefusalNotice) -> list[Block]:
    due = f"{_day(n.due_on)}前（含当日）（作出决定后{_period(n.duration)}内）"
    if n.provisional:
        due += "；末日按推算的节假日安排计算，以当年国务院办公厅放假通知为准"
    if n.notified_on is None:
        delivered = f"尚未记录书面告知（{NOTIFY_REFUSAL_EVENT}）"
    else:
        delivered = (f"{_day(n.notified_on)}已书面告知（{NOTIFY_REFUSAL_EVENT}）"
                     + ("，晚于送达期限" if n.notified_on > n.due_on else ""))
    contact = [(label, value) for label, value in (("联系电话", n.office.phone),
                                                   ("地址", n.office.address)) if value]
    blocks: list[Block] = [
        ("title", n.wording.title),
        ("para", f"{n.applicant_name or '申请人'}："),
        ("para", f"你提出的{n.wording.application}，经审核，{n.wording.decision}。依据{_law(n.basis)}，"
                 "现将决定及理由书面告知如下。"),
        ("fields", [("申请人姓名", _or_missing(n.applicant_name)),
                    ("决定", n.wording.decision),
                    ("决定日期", _day(n.decided_on))]),
        ("lines", ["理由：", *n.reasons]),
        ("para", "特此告知。"),
        ("para", n.office.name),
    ]
    if contact:
        blocks.append(("fields", contact))
    blocks.append(("footer", [f"送达期限：{due}", f"送达记录：{delivered}",
                              f"期间计算：{n.computation}", f"依据：{n.basis}"]))
    return blocks


Notice = PublicityNotice | PublicationNotice | RefusalNotice


def _blocks(notice: Notice) -> list[Block]:
    if isinstance(notice, PublicityNotice):
        return _publicity_blocks(notice)
    if isinstance(notice, RefusalNotice):
        return _refusal_blocks(notice)
    if isinstance(notice, PublicationNotice):
        return _publication_blocks(notice)
    raise InvalidInput("notice must be a notice (PublicityNotice, PublicationNotice or "
                       f"RefusalNotice), got {arguments.spelled(notice, 80)}")


def render_text(notice: Notice) -> str:
    """The notice as plain text (one line per field), ending with a newline."""
    # Every value on its own line, whatever it holds (a name recorded before text was
    # checked): a line break in it would add a line of its own to the notice.
    parts: list[str] = []
    for kind, content in _blocks(notice):
        if kind == "title" or kind == "para":
            parts.append(visible(content))
        elif kind == "fields":
            parts.append("\n".join(f"{label}：{visible(value)}" for label, value in content))
        elif kind == "table":
            header, rows = content
            parts.append("\n".join("　".join(visible(c) for c in cells)
                                   for cells in [header, *rows]))
        elif kind == "footer" or kind == "lines":
            parts.append("\n".join(visible(line) for line in content))
    return "\n\n".join(parts) + "\n"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def render_html(notice: Notice) -> str:
    """The notice as a standalone HTML page (the version of a 公示 or 公布 to post online; of a
    refusal notice, to show or print: it goes to the applicant alone); every value escaped."""
    blocks = _blocks(notice)
    title = next(content for kind, content in blocks if kind == "title")
    body: list[str] = []
    for kind, content in blocks:
        if kind == "title":
            body.append(f"<h1>{_e(content)}</h1>")
        elif kind == "para":
            body.append(f"<p>{_e(content)}</p>")
        elif kind == "fields":
            items = "".join(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in content)
            body.append(f"<dl>{items}</dl>")
        elif kind == "table":
            header, rows = content
            head = "".join(f"<th>{_e(cell)}</th>" for cell in header)
            lines = "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in cells) + "</tr>"
                            for cells in rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>")
        elif kind == "lines":
            body.append("<p>" + "<br>".join(_e(line) for line in content) + "</p>")
        elif kind == "footer":
            body.append("<footer>" + "".join(f"<p>{_e(line)}</p>" for line in content) + "</footer>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n</head>\n<body>\n" + "\n".join(body)
            + "\n</body>\n</html>\n")


def render(notice: Notice, fmt: str = "text") -> str:
    """``render_text`` or ``render_html`` by name (``text`` | ``html``); :class:`InvalidInput`
    for another format (a refusal notice's JSON is its ``to_json()``)."""
    if fmt == "html":
        return render_html(notice)
    if fmt == "text":
        return render_text(notice)
    raise InvalidInput(f"fmt must be 'text' or 'html', got {arguments.spelled(fmt)}")
