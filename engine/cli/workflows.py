"""``doudi provinces`` and ``doudi workflow show``: what the installed plugins provide."""

from __future__ import annotations

import click

from engine.cli import cli
from engine.cli.cases import note_unknown_county, open_engine
from engine.cli.options import (
    db_option,
    echo_all,
    echo_json,
    emit,
    format_option,
    given,
    no_db_option,
    read_db_path,
    today_option,
)


@cli.command()
@format_option("table", "csv", "json")
@no_db_option
def provinces(fmt) -> None:
    """List the installed provinces with the documents their rules cite."""
    from engine.registry import get_registry

    registry = get_registry()
    rows = [registry.provinces[code].to_json() for code in sorted(registry.provinces)]
    if fmt == "json":
        echo_json(rows)
        return
    table = []
    for row in rows:
        for doc in row["documents"]:
            table.append({"code": row["code"], "name": row["name"], "plugin": row["plugin"],
                          "document": doc["number"] or doc["title"], "date": doc["date"],
                          "status": doc["status"]})
    emit(table, fmt)  # (csv: a row a document, as the table)


@cli.group()
def workflow() -> None:
    """Declarative workflows as each province runs them."""


@workflow.command()
@click.argument("name")
@click.option("--province", required=True, help="Province code: show its effective workflow.")
@click.option("--county", help="With the county's own parameters in force on --as-of (read "
                                "from --db).")
@today_option("--as-of", "as_of", help="With --county: the settings in force on this date.")
@format_option("mermaid", "json", default="mermaid")
@db_option(only_with="--county")
@click.pass_context
def show(ctx, name, province, county, as_of, fmt, db_path) -> None:
    """Print a province's effective workflow NAME (after its patches and parameters)."""
    from engine.machine import mermaid
    from engine.registry import get_registry

    if county is None and given(ctx, "as_of"):  # (it was ignored: no county, no settings)
        raise click.UsageError("--as-of is read only with --county (the county's settings in "
                               "force that day); the province's workflow has no date")
    if county is None:
        wf = get_registry().workflow(province, name)
    else:
        engine = open_engine(read_db_path(db_path))
        wf = engine.workflow(province, name, county, as_of)
        note_unknown_county(engine, province, county)
    if fmt == "mermaid":
        echo_all(mermaid(wf))
        return
    data = {
        "name": wf.name,
        "title": wf.title,
        "province": province,
        "county": county,
        "source": wf.source,
        "initial": wf.initial,
        "states": [{"name": s.name, "title": s.title, "final": s.final} for s in wf.states],
        "transitions": [
            {"event": t.event, "title": t.title, "sources": list(t.sources), "dest": t.dest,
             "guards": list(t.guards), "effects": list(t.effects), "auto_on": t.auto_on,
             "after_closing": t.after_closing}
            for t in wf.transitions
        ],
        "attributes": {
            a.name: {"type": a.type, "title": a.title, "required": a.required,
                     "choices": list(a.choices), "minimum": a.minimum}
            for a in wf.attributes.values()
        },
        "parameters": {
            p.name: {"value": p.value, "citation": p.citation, "title": p.title,
                     "local": p.local}
            for p in wf.parameters.values()
        },
        "deadlines": [
            {"rule": d.rule, "title": d.title, "starts": list(d.starts), "stops": list(d.stops),
             "extensions": [{"events": list(x.events), "param": x.param} for x in d.extensions],
             "pauses": list(d.pauses), "resumes": list(d.resumes), "param": d.param,
             "duration": wf.parameters[d.param].value,
             "variants": [{"when": v.when, "param": v.param} for v in d.variants],
             "variants_from_next": d.variants_from_next,
             "start_from": d.start_from, "when": d.when, "overlaps": d.overlaps,
             "subject": d.subject,
             "severity": d.severity, "kind": d.kind, "citation": wf.parameters[d.param].citation}
            for d in wf.deadlines
        ],
        # (the case an event opens, with the clause behind the attribute set to the month after:
        # 57号 第21条 for 低保's approve)
        "opens": [
            {"event": o.event, "workflow": o.workflow, "relation": o.relation,
             "back_relation": o.back_relation, "copy": list(o.copy),
             "next_month_attribute": o.next_month_attribute, "citation": o.citation}
            for o in wf.opens
        ],
    }
    echo_json(data)
