"""``doudi notice``: the 公示 and 公布 texts to post, and the refusal notice (of a dibao or
temporary case) to give the applicant, read from the database (nothing written)."""

from __future__ import annotations

from datetime import date

import click

from engine.cli import cli
from engine.cli.cases import open_engine
from engine.cli.options import ISO_DATE, db_option, echo_all, echo_json, format_option


@cli.group()
def notice() -> None:
    """Notices to post: the 初审意见公示 of a case (a 支出型 临时救助's 公示 too), the 公布 of a
    county's confirmed cases; and the written notice of a refusal, to give the applicant.

    The posted ones show only the applicant's name, the household size and the amount (and
    where and until when to object); no other attribute of a case ever appears in them.
    """


@notice.command()
@click.argument("case_id")
@format_option("text", "html", default="text")
@db_option
def publicity(case_id: str, fmt: str, db_path: str) -> None:
    """The 公示 of CASE_ID's 初审意见 (a dibao case; or 审核意见, where the township confirms),
    or of the aid a temporary case on the 支出型 route proposes (支出型临时救助公示; an 急难型
    one, paid first, has none): place, period (民法典 第201、203条), how to object.

    The period runs from the day the 公示 was posted to its last day; the footer cites the
    province's 公示 clause. --format html is the version to post online.
    """
    from engine.notices import render

    echo_all(render(open_engine(db_path).publicity(case_id), fmt), nl=False)


@notice.command()
@click.option("--county", required=True,
              help="The county whose households receiving 低保 are published.")
@click.option("--as-of", "as_of", type=ISO_DATE, required=True,
              help="The date: the households receiving 低保 in --county on it.")
@click.option("--province", help="Only this province (needed when the county's cases span several).")
@format_option("text", "html", default="text")
@db_option
def publication(county: str, as_of: date, province: str | None, fmt: str, db_path: str) -> None:
    """The 公布 of the households receiving 低保 in --county on --as-of: its dibao cases
    confirmed by then, and the benefit cases moved there or opened directly (no dibao case),
    each whose benefit case was not stopped, left, ended or moved to another county by then:
    name, household size, and the amount paid for that month.

    Grouped by posting place (the benefit case's village, else the confirmed case's, else the
    county); the footer cites 民发〔2021〕57号 第24条 and the province's 公示公布 clause.
    """
    from engine.cli.reports import with_progress
    from engine.notices import render

    engine = open_engine(db_path)
    notice = with_progress(lambda progress: engine.publication(county, as_of, province, progress),
                         "Reading the cases")
    echo_all(render(notice, fmt), nl=False)


@notice.command()
@click.argument("case_id")
@format_option("text", "html", "json", default="text")
@db_option
def refusal(case_id: str, fmt: str, db_path: str) -> None:
    """The written notice of CASE_ID's refusal, to give the applicant: a dibao case's 不予确认同意
    (最低生活保障申请不予确认同意告知书), a temporary case's 不予救助 (临时救助申请不予救助告知书);
    the decision, its date and reasons, the clause (the refusal_notice deadline's: 民发〔2021〕57号
    第21条; 民发〔2018〕23号 二(二) for temporary aid; or the one a county's own period cites).

    The reasons are the reject's --reason, or a later correction's (case correct CASE_ID SEQ
    --on DATE --reason … --set reason=…); a refusal with none is refused, as the notice must
    state them. The footer gives the day it must be delivered by (the refusal_notice
    deadline: 3 working days after the decision, unless the county sets its own period) and
    whether notify_refusal recorded it. A case of another workflow has no refusal notice.
    """
    from engine.notices import refusal_notice, render

    notice = refusal_notice(open_engine(db_path).case(case_id))
    if fmt == "json":
        echo_json(notice.to_json())
    else:
        echo_all(render(notice, fmt), nl=False)
