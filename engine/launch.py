"""The ``doudi`` script's entry point: the command line, with Ctrl-C answered in one line from
the first moment.

The command line imports click and the engine before it can catch anything; Ctrl-C in those
first tenths of a second printed Python's traceback. Nothing has been read or written then.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from engine.cli import cli
    except KeyboardInterrupt:
        # (started with stderr closed, 2>&-: sys.stderr is None, and the line goes nowhere)
        if sys.stderr is not None:
            sys.stderr.write("Error: interrupted: nothing was recorded\n")
        raise SystemExit(1) from None
    cli()
