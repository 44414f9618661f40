"""``doudi assess``: assess a household from a JSON file (a database only for --county)."""

from __future__ import annotations

import click

from engine.cli import cli
from engine.cli.cases import note_unknown_county, open_engine
from engine.cli.options import (
    InputFile,
    db_option,
    echo,
    echo_json,
    emit,
    format_option,
    load_json,
    read_db_path,
)

#: A step of the assessment, as the table and --format csv list it.
STEP_COLUMNS = ["member", "rule", "counted", "citation", "note"]


@cli.command()
@click.argument("household_file", type=InputFile("rb"))
@click.option("--province", required=True, help="Province code: whose rules to apply.")
@click.option("--county", help="With the county's own parameters in force today in China "
                                "(read from --db).")
@format_option("table", "csv", "json")
@db_option(only_with="--county")
def assess(household_file, province, county, fmt, db_path) -> None:
    """Assess the household in HOUSEHOLD_FILE (JSON; - for stdin) under a province's rules.

    Prints the countable income rule by rule, each with its clause, the per-capita income and
    the class: dibao (below the standard), marginal (below the 边缘 multiple) or above.

    With --format csv, the table's rows: a row for each rule, the last the classification's
    (its counted the per-capita income, its class the class; blank on the others).
    """
    from engine.money import yuan
    from engine.registry import assess_household, get_registry

    data = load_json(household_file)
    if county is None:
        result = assess_household(get_registry(), province, data).to_json()
    else:
        engine = open_engine(read_db_path(db_path))
        result = engine.assess(province, data, county).to_json()
        note_unknown_county(engine, province, county)
    if fmt == "json":
        echo_json(result)
        return
    if fmt == "csv":
        # (the class a column of its own, on the classification's row: the table says it in
        # its last line, which a CSV has no place for)
        emit([{**step, "class": result["classification"] if step["rule"] == "classification"
               else None} for step in result["steps"]], "csv", [*STEP_COLUMNS, "class"])
        return
    emit(result["steps"], "table", STEP_COLUMNS)
    echo(f"\n{result['province']}: countable income {yuan(result['countable_income'])}, "
         f"household of {result['household_size']}, per capita {yuan(result['per_capita'])}, "
         f"standard {yuan(result['standard'])} → {result['classification']}")
