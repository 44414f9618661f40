"""The database's files: made whole before they are put in place, released before they are
replaced, removed when a first command failed, and checked to be doudi's before anything is
written to them.

SQLite finds a database's write-ahead log by its name, so every step here that puts a file at
a path first makes sure no log of another database is waiting there to be applied to it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import urllib.parse
import weakref
from typing import TYPE_CHECKING

import sqlite_utils

from engine.errors import DoudiError, UnknownName
from engine.schema import MIGRATIONS_TABLE, PAGE_SIZE, known_migrations, migrations, upgrade

if TYPE_CHECKING:
    from engine.store import Store

#: Databases this process created (their files' real paths: a symlink's, the file it names):
#: only those may :func:`remove_unused` remove.
CREATED_HERE: set[str] = set()
#: The stores this process opened on files, so that :func:`remove_unused` can close them.
OPENED: weakref.WeakSet[Store] = weakref.WeakSet()


def create(path: str) -> None:
    """Make a new database whole, then put it in place.

    Its tables are made in a scratch file beside it, which is then hard-linked to ``path``:
    the link fails if the file exists, so of several processes creating it at once one wins
    and the others open its file. Made in place, they raced through the migrations, and one
    that failed removed a file the others had already written cases to.
    """
    import tempfile

    target = os.path.realpath(path)  # (a symlink: the file it names, beside its logs)
    refuse_orphan_log(path)
    directory = os.path.dirname(target)
    try:
        handle, scratch = tempfile.mkstemp(prefix=".doudi-new-", suffix=".db", dir=directory)
    except OSError as exc:
        raise DoudiError(f"{path}: the database cannot be created ({exc.strerror}: "
                         f"{directory})") from None
    os.close(handle)
    as_made_in_place(scratch)
    try:
        scratch_db = sqlite_utils.Database(scratch)
        try:
            scratch_db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # (before its first write)
            scratch_db.execute("PRAGMA journal_mode = WAL")
            upgrade(scratch_db)
        finally:
            scratch_db.close()  # (the last connection: the log is folded into the file)
        try:
            os.link(scratch, target)
        except FileExistsError:
            check_database(target)  # another process made it first: theirs, if it is one
            return
        except OSError:
            # A file system without hard links (FAT, some network shares): moved into place,
            # which could replace a database another process made at the same instant.
            if os.path.exists(target):
                check_database(target)
                return
            try:
                os.replace(scratch, target)
            except OSError as exc:  # a name too long for the file system, say
                raise DoudiError(f"{path}: the database cannot be created "
                                 f"({exc.strerror})") from None
        CREATED_HERE.add(target)
    finally:
        remove_files(scratch)


def refuse_orphan_log(path: str) -> None:
    """Before a new file is put at ``path``, where none is: SQLite finds a database's log by
    its name, and one left beside a database that was removed (or moved away without it)
    would be applied to the new file, and corrupt it. (SQLite keeps the logs of a symlink's
    database beside the file it names, so that is where they are looked for.)"""
    if os.path.islink(path):
        path = os.path.realpath(path)
    for log in (path + "-wal", path + "-journal"):
        # (a file there now is another process's, made since the caller looked: its own log)
        if has_commits(log) and not os.path.exists(path):
            raise DoudiError(f"{path} does not exist, but {log}, a log of a database that was "
                             "there, does: put the database back beside it, or move the log "
                             "away, and run again")


def make_way(path: str) -> None:
    """Before another file is moved to ``path``: the database there released (:func:`release`),
    or, where none is, a log a removed one left refused (:func:`refuse_orphan_log`)."""
    if os.path.exists(path):
        release(path)
    else:
        refuse_orphan_log(path)


def release(path: str) -> None:
    """Before another file replaces the database at ``path``: fold its write-ahead log into it,
    and make sure no other process has it open. A log left beside it (a writer killed, or a
    process still connected) would otherwise be applied to the new file, and corrupt it."""
    try:
        conn = sqlite3.connect(path, timeout=10)
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            conn.close()  # (the last connection: SQLite removes the log and shared memory)
    except sqlite3.DatabaseError as exc:
        raise DoudiError(f"{path}: its write-ahead log cannot be folded into it ({exc})") from None
    if busy or has_commits(path + "-wal") or os.path.exists(path + "-shm"):
        raise DoudiError(f"{path} is open in another process: close it there and run again")


def as_made_in_place(path: str) -> None:
    """Give a scratch file (mkstemp's mode 0600) the mode a file made in place would have."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def remove_files(path: str) -> None:
    """Remove a database file and the files SQLite keeps beside it, those that exist."""
    for name in (path, path + "-wal", path + "-shm", path + "-journal"):
        if os.path.exists(name):
            os.remove(name)


def remove_unused(path: str) -> bool:
    """Remove the database at ``path`` if this process made it, it holds no event (nor
    county parameter, nor calendar year) and no other connection has it open; whether it
    was removed. For a first command that failed.

    This process's own connections to it are closed first. Another connection is detected
    by SQLite itself: WAL mode can be left only by the one connection open, and the file is
    then removed under an exclusive lock, so a process that opened it meanwhile finds it
    gone rather than writing cases into a removed file.
    """
    # (--db a symlink to a file not there yet: the file made is removed, the link left as the
    # user made it; the link was removed, the new database left behind)
    path = os.path.realpath(path)
    if path not in CREATED_HERE:
        return False
    for store in list(OPENED):
        if store.path is not None and os.path.realpath(store.path) == path:
            store.db.close()
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        if conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] != "delete":
            return False
        conn.execute("BEGIN EXCLUSIVE")
        if conn.execute("select exists (select 1 from events) or exists "
                        "(select 1 from local_parameters) or exists "
                        "(select 1 from calendar_years)").fetchone()[0]:
            return False
        remove_files(path)
        CREATED_HERE.discard(path)
        return True
    except sqlite3.Error:  # locked: another connection has it open
        return False
    finally:
        conn.close()


def connect_read_only(db_path: str, glance: bool = False) -> sqlite3.Connection:
    """A connection that only reads ``db_path``.

    A WAL database needs its shared-memory file, which a read-only directory cannot hold.
    With no log beside it (closed cleanly: every commit is in the file itself) it is read as
    immutable; a log a writer left is never ignored (the OperationalError stands).

    A file this process may not write, with neither log nor shared memory beside it (no
    process has it open), is read as immutable too: opened otherwise, SQLite makes both,
    with the file's own mode, and a process that cannot write may not remove them: left
    read-only, they failed every write once the file was made writable again.

    ``glance``: a look before the file is known to be doudi's (:func:`check_database`). A WAL
    file with neither shared memory nor a log holding commits beside it is then read as
    immutable whoever may write it: no connection has it open (each holds the shared memory
    while it does), and a reader would leave both beside a file that may then be refused,
    another program's or a newer doudi's."""
    # (the real path: "//tmp/x" would read as a URI's host, "a?b" as its query)
    real = os.path.realpath(db_path)
    location = urllib.parse.quote(real)
    # (the shared memory looked for before the header is read: in_wal_mode opens the file,
    # and closing it drops every lock this process holds on it, its SQLite connections'
    # too; another process closing then took itself for the last and removed the log and
    # the shared memory from under them. A connection open here holds the shared memory.)
    if (os.path.isfile(real)
            and not os.path.exists(real + "-shm") and not has_commits(real + "-wal")
            and (not os.access(real, os.W_OK) or (glance and in_wal_mode(real)))):
        return sqlite3.connect(f"file:{location}?mode=ro&immutable=1", uri=True)
    conn = sqlite3.connect(f"file:{location}?mode=ro", uri=True)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if not READ_ONLY.search(str(exc)) or has_commits(f"{db_path}-wal"):
            raise
    return sqlite3.connect(f"file:{location}?mode=ro&immutable=1", uri=True)


def in_wal_mode(path: str) -> bool:
    """Whether the SQLite file at ``path`` is in WAL mode (its header's read and write
    versions are 2); False for any other file. Not for a file a connection of this process
    has open: closing the file read drops that connection's locks (POSIX locks are the
    process's), so that another process may take itself for the last one on it."""
    try:
        with open(path, "rb") as file:
            header = file.read(20)
    except OSError:
        return False
    return header[:16] == b"SQLite format 3\x00" and header[18:20] == b"\x02\x02"


def has_commits(log: str) -> bool:
    """Whether a write-ahead log holds anything (an empty one is what a reader leaves)."""
    return os.path.exists(log) and os.path.getsize(log) > 0


#: What SQLite says of a file it may read but not write, or whose shared-memory file it cannot
#: make (a directory the user cannot write, a file system mounted read-only).
READ_ONLY = re.compile(r"readonly database|unable to open database file")


def check_database(db_path: str, empty_ok: bool = True) -> None:
    """Refuse, before anything is written to it, a file that is not a doudi database: not an
    SQLite file at all, or another program's SQLite database (tables, but not doudi's record
    of its own migrations, even with a table named ``cases``). An empty file (no tables) is
    refused too unless ``empty_ok`` (a command that records may make it the database)."""
    try:
        # Read-only: looking must not change the file (a journal mode, a new empty database).
        conn = connect_read_only(db_path, glance=True)
        try:
            tables = {name for (name,) in
                      conn.execute("select name from sqlite_master where type = 'table'")}
            applied = {name for (name,) in conn.execute(
                f"select name from [{MIGRATIONS_TABLE}] where migration_set = ?",
                [migrations.name])} if MIGRATIONS_TABLE in tables else set()
            ours = bool(applied)
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return  # locked, unreadable, …: Engine.open reports it
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_CORRUPT:
            # (an SQLite file whose pages are broken or cut short: a copy cut short, a full
            # disk; not another program's file)
            raise DoudiError(f"{db_path} is damaged ({exc}): restore it from a backup") from None
        raise DoudiError(f"{db_path} is not a doudi database ({exc})") from None
    if tables and not ours:
        raise DoudiError(f"{db_path} is an SQLite database but not a doudi one: not touching it")
    newer = sorted(applied - known_migrations())
    if newer:
        # Its schema may hold what this version would break (a column it must fill, a rule in
        # a trigger): written to only by the version that made it.
        raise DoudiError(f"{db_path} was upgraded by a newer doudi (migration "
                         f"{', '.join(newer)}), which this version does not know: upgrade doudi "
                         "to use it")
    if not tables and not empty_ok:
        raise UnknownName(f"{db_path} holds no doudi database yet (open a case first, or pass "
                          "--db)")
