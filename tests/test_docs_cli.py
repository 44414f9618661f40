"""docs/cli.md against the command itself: its synopsis names every command and every option
of each (as ``--help`` lists them), and no option that the command does not take."""
import re
from pathlib import Path

import click

from engine.cli import cli

DOC = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
SYNOPSIS = DOC.split("```\n")[1]


def _commands(command: click.Command, path: tuple[str, ...] = ()):
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), command


COMMANDS = dict(_commands(cli))


def _chunks() -> dict[str, str]:
    """Each command's synopsis line and the indented lines under it."""
    chunks: dict[str, str] = {}
    current = None
    for line in SYNOPSIS.splitlines():
        if line.startswith("doudi "):
            words = line.split()[1:]
            current = next((" ".join(words[:n]) for n in (2, 1) if " ".join(words[:n]) in COMMANDS),
                           None)
            if current is not None:
                chunks[current] = ""
        if current is not None:
            chunks[current] += line + "\n"
    return chunks


def _documented(name: str, chunk: str) -> set[str]:
    options = set(re.findall(r"--[a-z][a-z-]*", chunk))
    if "[filters]" in chunk:  # report at-risk: the filters of report breaches
        options |= {"--province", "--workflow", "--county"}
    # the note under `case fire`: "`case open`, `fire`, `accept`, `assess`, `correct` and
    # `parameter set|unset` also take --actor TEXT"
    if name in {"case open", "case accept", "case assess", "case correct", "parameter set",
                "parameter unset"}:
        options.add("--actor")
    return options - {"--db"}  # every command's, said once above the synopsis


def test_every_command_is_in_the_synopsis():
    assert set(COMMANDS) - set(_chunks()) == set()


def test_every_option_documented_and_none_that_does_not_exist():
    chunks = _chunks()
    for name, command in COMMANDS.items():
        options = {o for p in command.params for o in getattr(p, "opts", ()) if o.startswith("--")}
        options -= {"--help", "--db"}
        documented = _documented(name, chunks[name])
        assert (name, sorted(options - documented)) == (name, [])
        assert (name, sorted(documented - options)) == (name, [])
