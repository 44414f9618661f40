"""``doudi audit verify``: check that no recorded history was altered or removed."""

from __future__ import annotations

from collections.abc import Iterator

import click

from engine.cli import cli
from engine.cli.cases import open_engine
from engine.cli.options import (
    InputFile,
    command_stdout,
    counted,
    db_option,
    echo,
    echo_all,
    file_name,
    on_a_terminal,
    progress_bar,
    stepped_progress,
    working,
)
from engine.errors import DoudiError, InvalidInput
from engine.integrity import SettingChainFinding, SettingFinding


class AuditFailed(DoudiError):
    """At least one case's history no longer fits its hash chain."""


@cli.group()
def audit() -> None:
    """Evidence checks on the case histories."""


@audit.command()
@click.option("--case", "case_id", help="Only this case.")
@db_option
def heads(case_id, db_path) -> None:
    """Print each case's chain head: case id, seq of its last event, its hash (tab-separated).

    First, without --case, each chained table's head, a table that has rows: "table", its
    name (local_parameters, local_parameter_voids, sanctions, links, calendar_years,
    calendar_year_voids), the id
    of its last row, that row's hash. Kept outside the database, the list anchors the histories and
    the tables: `audit verify --heads FILE` then shows a history cut at its end, rewritten
    since, or a case deleted entirely, and rows cut from the end of a table.
    """
    engine = open_engine(db_path)
    # (the tables' heads first: read before anything is written, a damaged one stops the
    # list before it starts)
    tables = [] if case_id is not None else list(engine.table_heads())
    # (written a chunk of heads at a time as they are read: a million cases' heads held as
    # lines, then as one text, took 353 MB; a bar while the list goes to a file, 6 s at a
    # million cases, not over the lines on a terminal)
    heads = engine.chain_heads(case_id)
    out = command_stdout()  # (None: started with it closed, >&-)
    to_a_file = out is None or not out.isatty()
    shown = case_id is None and to_a_file and on_a_terminal()
    if tables:  # (not counted by the bar, which counts the cases)
        echo_all("".join(f"table\t{table}\t{row_id}\t{digest}\n"
                         for table, row_id, digest in tables), nl=False)
    lines: list[str] = []
    with progress_bar(engine.store.count_cases() if shown else 0, "Listing",
                      shown=shown) as bar:
        for kept_id, seq, digest in heads:
            lines.append(f"{kept_id}\t{seq}\t{digest}\n")
            if len(lines) == HEADS_WRITTEN:
                echo_all("".join(lines), nl=False)
                bar.update(len(lines))
                lines = []
        if lines:
            echo_all("".join(lines), nl=False)
            bar.update(len(lines))


#: Chain heads `audit heads` writes out at a time.
HEADS_WRITTEN = 1000


def _stored_whole(text: str, least: int, largest: int) -> int | None:
    """The whole number ``text`` spells in ASCII digits, from ``least`` to ``largest`` (the
    largest SQLite stores); None where it spells none. Read by its length first, as int()
    refuses more than 4,300 digits (a ValueError: a list's line of 5,000 ended in a
    traceback), leading zeros too."""
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(largest)) or not least <= (number := int(digits)) <= largest:
        return None
    return number


class _KeptHeads:
    """The lines `audit heads` printed, each checked when the list is made (a line that is
    not one is usage, 2) and read again from the file each time the list is iterated, so a
    million cases' heads are not held (379 MB at its peak when they were). A file that
    cannot be read twice (stdin, a pipe) is copied to a temporary file as it is checked. A
    file changed between the two readings (a list written again over it meanwhile) is an
    error once read again: the heads checked would not be the list's."""

    def __init__(self, file) -> None:
        import tempfile

        self.name, self.count = file_name(file), 0
        #: The tables' heads (a line each, "table" first), held as they are read first.
        self.tables: list[tuple[str, int, str]] = []
        try:
            seekable = file.seekable()
        except (OSError, ValueError):
            seekable = False
        try:
            self._file = file if seekable else tempfile.TemporaryFile(  # noqa: SIM115 (gone with the process)
                "w+", encoding="utf-8")
        except OSError as exc:  # (no folder tempfile may write)
            raise self._not_copied(exc) from None
        self._read: bytes | None = None  # (the digest of the lines read first)
        for _ in self._heads(file, copy=not seekable):
            self.count += 1
        self.count += len(self.tables)

    def __iter__(self) -> Iterator[tuple[str, int, str]]:
        return self._heads(self._file)

    def _not_copied(self, exc: OSError) -> DoudiError:
        return DoudiError(f"{self.name} could not be copied to a temporary file, to read it "
                          f"again: {exc.strerror or exc} (it goes in $TMPDIR, else /tmp; or "
                          "give the list as a file)")

    def _heads(self, file, copy: bool = False) -> Iterator[tuple[str, int, str]]:
        import hashlib

        # (here: at the top, --help loaded the store)
        from engine.arguments import LARGEST_INTEGER, LARGEST_READ
        from engine.maintenance import CHAINED_TABLES, HASH_PATTERN

        names = [table for table, *_ in CHAINED_TABLES]

        number, read = 0, hashlib.sha256()
        try:
            if not copy:
                file.seek(0)
            # (a line at a time, each to at most LARGEST_READ characters: a file of one line
            # with no line end, /dev/zero, was read whole, until memory ran out)
            longest = LARGEST_READ + 1
            for number, line in enumerate(iter(lambda: file.readline(longest), ""), start=1):
                if len(line) == longest and line[-1] != "\n":
                    raise InvalidInput(
                        f"{self.name} line {number}: longer than {LARGEST_READ:,} characters, the "
                        "most doudi reads of a line (a chain head is about 90): not a list `doudi "
                        "audit heads` printed")
                read.update(line.encode())
                if copy:
                    try:
                        self._file.write(line)
                    except OSError as exc:  # (the disk full: not a read that failed)
                        raise self._not_copied(exc) from None
                if not line.strip():
                    continue
                parts = line.rstrip("\r\n").split("\t")
                if parts[0] == "table" and len(parts) != 3:  # (a case "table"'s has 3)
                    row_id = _stored_whole(parts[2], 1, LARGEST_INTEGER) if len(parts) == 4 \
                        else None
                    if not (row_id is not None and parts[1] in names
                            and HASH_PATTERN.fullmatch(parts[3])):
                        raise InvalidInput(
                            f"{self.name} line {number}: not a table's chain head as `doudi "
                            f"audit heads` prints it (table, its name: {', '.join(names[:-1])} "
                            f"or {names[-1]}, the id of its last row, that row's hash, "
                            f"tab-separated): {line.rstrip()[:80]!r}")
                    if self._read is None:  # (held as first read; checked again after)
                        self.tables.append((parts[1], row_id, parts[3]))
                    continue
                seq = _stored_whole(parts[1], 0, LARGEST_INTEGER) if len(parts) == 3 else None
                if seq is None or not parts[0] or not HASH_PATTERN.fullmatch(parts[2]):
                    raise InvalidInput(f"{self.name} line {number}: not a chain head as `doudi "
                                       f"audit heads` prints it (case id, seq, hash, "
                                       f"tab-separated): {line.rstrip()[:80]!r}")
                yield parts[0], seq, parts[2]
            if self._read is None:
                self._read = read.digest()
            elif read.digest() != self._read:
                raise DoudiError(f"{self.name} changed while it was read (written again over "
                                 "it?): the heads checked are not the list's; run it again on "
                                 "a list not being written")
        except UnicodeDecodeError:  # (a list saved again in GBK: a traceback, as any file)
            raise InvalidInput(f"{self.name}: not UTF-8 (`doudi audit heads` writes UTF-8: "
                               "save it so)") from None
        except OSError as exc:  # (opened, but a read failed: a bad disk, /proc/self/mem)
            raise DoudiError(f"{self.name} could not be read at line {number + 1}: "
                             f"{exc.strerror or exc}") from None


@audit.command()
@click.option("--case", "case_id", help="Only this case.")
# (utf-8-sig: a list saved again on Windows starts with a byte order mark, not a case id)
@click.option("--heads", "heads_file", type=InputFile("r", encoding="utf-8-sig"),
              help="Chain heads kept earlier (`audit heads`): each must still be in its "
                   "case's history.")
@db_option
def verify(case_id, heads_file, db_path) -> None:
    """Check every case's hash chain; name the first altered or missing event of each.

    Each intact history is then worked out again: a case row or deadline row it does not
    give is named as the case altered, or, where county settings or set-asides recorded
    after the case's last event explain its deadlines, as those settings (run `doudi
    recompute` to record them).

    Without --case, SQLite's own check of the file comes first (its pages, and each index
    against its table), then the triggers refusing to rewrite the records (each gone or
    changed is named), then the chains of the county settings and of their set-asides, and
    of the sanctions and of the links between cases (these two without --case only).
    With --heads, each case's kept head must still be in its history (a case deleted, or a
    history cut or rewritten since it was kept, shows), and each table's kept head still
    stored with its hash (rows cut from the table's end show; with --case, the county
    settings' and their set-asides' only); a list holding no head is refused while the
    database holds a case (exit 2). Exit 0 when every chain is intact and every
    county setting can be read back and keeps the rules (one put right or set aside since
    is named, kept as evidence), 1 when any is not (one line per broken case or setting) or
    the file is damaged.
    """
    kept = _KeptHeads(heads_file) if heads_file is not None else None
    engine = open_engine(db_path)
    # A list piped from nothing (or the wrong file) would check no kept head and pass; a
    # database with no case yet has an empty list (`audit heads` printed nothing for it).
    if kept is not None and not kept.count and (stored := engine.store.count_cases()):
        raise InvalidInput(f"{file_name(heads_file)} holds no chain heads (`doudi audit heads` prints "
                           f"one line a case), and the database holds {counted(stored, 'case')}: "
                           "give the list kept earlier, or leave --heads out")
    if case_id is None:
        with working("Checking the database file (SQLite's integrity_check) ..."):
            problems = engine.store.file_problems()
        for problem in problems:
            echo(f"file: {problem}")
        if problems:
            raise AuditFailed("the database file itself is damaged (SQLite's integrity_check): "
                              "restore it from a backup")
    removed = engine.store.removed_safeguards() if case_id is None else []
    for problem in removed:
        echo(f"file: {problem}")
    with stepped_progress(engine.store.count_cases() if case_id is None else 1, "Verifying",
                          shown=None if case_id is None else False) as told:
        cases, events, findings = engine.verify(
            case_id, progress=told, heads=kept,
            table_heads=kept.tables if kept is not None else None)
    for finding in findings:
        echo(str(finding))
    settings = [f for f in findings if isinstance(f, SettingFinding)]
    chains = [f for f in findings if isinstance(f, SettingChainFinding)]
    failing = len(findings) - len(settings) - len(chains)
    # (a setting put right since, superseded or set aside, and a calendar year altered and
    # set aside, named as evidence: no failure)
    settings = [f for f in settings if not f.put_right]
    chains = [f for f in chains if not f.put_right]
    failed = [f"{failing} of {counted(cases, 'case')} {'fails' if failing == 1 else 'fail'} "
              "verification"] * (failing > 0)
    for tables, named in (("the calendar years (or their set-asides)",
                           ("calendar year", "calendar year set-aside")), ("the links", ("link",)),
                          ("the sanctions", ("sanction",)), (
            "the county settings (or their set-asides)",
            ("county setting", "county setting set-aside"))):
        if broken := sum(f.what in named for f in chains):
            failed.insert(0, f"the chain of {tables} is broken at {counted(broken, 'place')}")
    if broken := sum(f.broken for f in settings):
        failed.insert(0, f"{counted(broken, 'county setting')} "
                         f"{'breaks' if broken == 1 else 'break'} a rule")
    if altered := sum(f.altered for f in settings):
        failed.insert(0, f"{counted(altered, 'county setting')} altered")
    if unread := len(settings) - broken - altered:
        failed.insert(0, f"{counted(unread, 'county setting')} cannot be read back")
    if removed:
        failed.insert(0, f"{counted(len(removed), 'trigger')} refusing to rewrite the records "
                         "removed or changed")
    if failed:
        raise AuditFailed("; ".join(failed))
    # (the tables chained whole are read only without --case: said so where they were)
    tables = "" if case_id is not None else (", as are the chains of the county settings, "
                                             "the sanctions, the links and the calendar years")
    click.echo(f"{counted(cases, 'case')}, {counted(events, 'event')}: every history chain is "
               f"intact{tables}", err=True)
