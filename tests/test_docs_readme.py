"""README.md's module table ("How it is built") names every module of the core."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_module_table_names_every_engine_module():
    """Found by review: engine/plain_fields.py, which Deadline and HistoryEntry are built
    on, was missing from the table a reader uses to find where a job is done."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| `engine/")]
    named = " ".join(table)
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "engine").glob("*.py")
                     if p.name != "__init__.py")
    assert [m for m in modules if f"`{m}`" not in named] == []


def test_the_readme_names_the_contract_s_events_and_statuses():
    """contract.md asks that its names be documented in the README (it linked to the
    procedure page only): each dibao and benefit event with its 中文, and each status, in the
    README's contract section, as test_contract pins them."""
    from test_contract import BENEFIT_EVENTS, DIBAO_EVENTS

    from engine.deadlines import STATUSES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The integration contract", 1)[1].split("\n## ", 1)[0]
    section = " ".join(section.split())  # (a name and its 中文 may be wrapped apart)
    named = {**DIBAO_EVENTS, **{e: title for e, (title, _) in BENEFIT_EVENTS.items()}}
    assert [e for e, title in named.items() if f"`{e}` {title}" not in section] == []
    assert [s for s in STATUSES if f"`{s}`" not in section] == []
