"""The ``doudi`` command line: noun groups (calendar, case, report, workflow, provinces).

Every error a user can cause ends as one line on stderr and the contract's exit status
(1 domain, 2 usage), never a traceback; a failed command writes nothing.
"""

from __future__ import annotations

import sys

import click

from engine.errors import DoudiError


class DoudiGroup(click.Group):
    """A click group that turns every expected error into one line and its exit status."""

    def main(self, *args, **kwargs):  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("Error: aborted", err=True)
            sys.exit(1)
        except DoudiError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        if isinstance(result, int) and result:
            sys.exit(result)
        sys.exit(0)


@click.group(cls=DoudiGroup)
@click.version_option(package_name="doudi")
def cli() -> None:
    """doudi (兜底): deadlines and procedure for 低保 and related social assistance.

    Dates are ISO YYYY-MM-DD. Every deadline is counted on the official Chinese
    working-day calendar and carries the clause behind it. Errors: one line on stderr,
    exit status 1 (domain) or 2 (usage), nothing written.
    """


def _register() -> None:
    # Commands register themselves on import.
    from engine.cli import assess, calendar, cases, demo, reports, workflows  # noqa: F401


_register()
