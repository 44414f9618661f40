"""``doudi audit verify``: check that no recorded history was altered or removed."""

from __future__ import annotations

import click

from engine.cli import cli
from engine.cli.cases import open_engine
from engine.cli.options import counted, db_option, echo, progress_bar
from engine.errors import DoudiError


class AuditFailed(DoudiError):
    """At least one case's history no longer fits its hash chain."""


@cli.group()
def audit() -> None:
    """Evidence checks on the case histories."""


@audit.command()
@click.option("--case", "case_id", help="Only this case.")
@db_option
def verify(case_id, db_path) -> None:
    """Check every case's hash chain; name the first altered or missing event of each.

    Without --case, SQLite's own check of the file comes first (its pages and indexes).
    Exit 0 when every chain is intact, 1 when any is not (one line per broken case) or the
    file is damaged.
    """
    engine = open_engine(db_path)
    if case_id is None:
        problems = engine.store.file_problems()
        for problem in problems:
            echo(f"file: {problem}")
        if problems:
            raise AuditFailed("the database file itself is damaged (SQLite's quick_check): "
                              "restore it from a backup")
    with progress_bar(engine.store.count_cases() if case_id is None else 1, "Verifying",
                      shown=None if case_id is None else False) as bar:
        cases, events, findings = engine.verify(case_id, progress=bar.update)
    for finding in findings:
        echo(str(finding))
    if findings:
        raise AuditFailed(f"{len(findings)} of {cases} cases fail verification")
    click.echo(f"{counted(cases, 'case')}, {counted(events, 'event')}: every history chain is "
               "intact", err=True)
