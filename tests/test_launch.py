"""The ``doudi`` script's entry point (engine.launch): Ctrl-C while the command line is still
being imported is one line and exit 1, not Python's traceback (nothing is read or written
before the command runs)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

# Ctrl-C arriving while click is imported: a finder that raises it on that import.
INTERRUPTED_IMPORT = """
import sys

class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, Interrupt())
from engine.launch import main
main()
"""


def test_ctrl_c_while_the_command_line_loads_is_one_line():
    result = subprocess.run([sys.executable, "-c", INTERRUPTED_IMPORT, "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == "Error: interrupted: nothing was recorded\n"
    assert result.stdout == ""


def test_ctrl_c_while_the_command_line_loads_without_stderr_exits_1():
    # Found by review: started with stderr closed (2>&-: a cron job's), the line was written to
    # sys.stderr, which is None then: an AttributeError in place of the exit. The script says
    # on stdout how main() ended.
    script = INTERRUPTED_IMPORT.replace("main()\n", textwrap.dedent("""\
        try:
            main()
        except SystemExit as exc:
            print("exit", exc.code)
        except BaseException as exc:
            print("raised", type(exc).__name__)
        """))
    result = subprocess.run([sys.executable, "-c", script, "--help"], stdout=subprocess.PIPE,
                            text=True, timeout=60, preexec_fn=lambda: os.close(2))
    assert result.stdout == "exit 1\n"
    assert result.returncode == 0


def test_the_script_runs_the_command_line():
    result = subprocess.run([sys.executable, "-c", "from engine.launch import main; main()",
                             "calendar", "due", "2026-03-02", "3wd"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "2026-03-05"  # Tue 3/3, Wed 3/4, Thu 3/5


# What `doudi --help` may not import: the store and what it brings (sqlite-utils), the
# engine's core, the plugins. The bench's start-up target (< 0.3 s) rests on it: an import
# of the store at the top of one command module (audit's --heads pattern, from maintenance)
# took --help from 0.065 s to 0.197 s.
HELP_ONLY = """
import sys
sys.argv = ["doudi", "--help"]
from engine.launch import main
try:
    main()
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules if m in ("sqlite_utils", "pluggy", "transitions")
               or m in ("engine.store", "engine.core", "engine.maintenance", "engine.registry"))
print("loaded:", *heavy, file=sys.stderr)
"""


def test_help_loads_neither_the_store_nor_the_engine_nor_the_plugins():
    result = subprocess.run([sys.executable, "-c", HELP_ONLY], capture_output=True, text=True,
                            timeout=60)
    assert "Usage: doudi" in result.stdout, result.stderr
    assert result.stderr.splitlines()[-1] == "loaded:"
