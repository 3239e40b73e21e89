"""A PostgreSQL 15 primary and a streaming hot standby of our own, in a folder, on loopback ports.

For tests and for trying the cluster on one machine: never the shared server on 5432. Each server is
`postgres` run directly in its own process group (its own session), so stopping it, or killing what is left
of it, never reaches anything else. Every wait is bounded. When this process is root the servers run as the
`postgres` user (initdb and postgres refuse root) and the folders are handed to it.

    primary = init_primary(folder / "primary")           # initdb, wal_level replica, a replication role
    primary.start()
    primary.create_database("hub", owner="hub", password="...")  # with PostGIS, the role owning public
    standby = init_standby(primary, folder / "standby")  # pg_basebackup -R: streams from the primary
    standby.start()
    standby.pause_replay(); ...; standby.resume_replay()
    standby.wait_for_replay(primary.current_wal_lsn())
    standby.promote()
    standby.stop(); primary.stop()

A server is described by its data directory alone (port and socket folder are read back from it), so a second
process, for example `scripts/hub cluster stop`, can stop what the first started: `PostgresServer.at(data)`.
"""
from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from row_security import leakproof

PG_BIN = Path(os.environ.get("HUB_PG_BIN", "/usr/lib/postgresql/15/bin"))
SHARED_PORT = 5432  # the shared server every engineer's hub uses: never ours
REPLICATION_ROLE = "replicator"
STOP_SIGNALS = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}
OUR_SETTINGS = "# cluster/postgres.py"  # marks the lines we append to postgresql.conf


class PostgresError(RuntimeError):
    """A server did not start, stop, promote or catch up within its time; the message quotes its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _owner() -> pwd.struct_passwd | None:
    """The account the servers run as: `postgres` when we are root, otherwise ourselves (None)."""
    return pwd.getpwnam("postgres") if os.geteuid() == 0 else None


def _hand_over(path: Path) -> None:
    """Give a folder (and what is in it) to the server's account."""
    owner = _owner()
    if owner is None:
        return
    for folder, _dirs, files in os.walk(path):
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        for name in files:
            os.chown(os.path.join(folder, name), owner.pw_uid, owner.pw_gid)


def _run(*command: str, timeout: float = 120, environment: dict | None = None) -> str:
    """Run a PostgreSQL program as the server's account; its output, or PostgresError quoting it."""
    owner = _owner()
    extra = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []} if owner else {}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False,
                              env={**os.environ, **(environment or {})}, cwd="/", **extra)
    except subprocess.TimeoutExpired as error:
        raise PostgresError(f"{Path(command[0]).name} took longer than {timeout:.0f} s") from error
    if done.returncode != 0:
        raise PostgresError(f"{Path(command[0]).name} failed ({done.returncode}): {(done.stderr or done.stdout).strip()}")
    return done.stdout


def _append_settings(data: Path, settings: dict[str, object]) -> None:
    """Append settings to postgresql.conf (a later line wins over an earlier one, so a copied file is overridden)."""
    lines = [f"\n{OUR_SETTINGS}"]
    for name, value in settings.items():
        lines.append(f"{name} = {value}" if isinstance(value, int) else f"{name} = '{value}'")
    with open(data / "postgresql.conf", "a") as conf:
        conf.write("\n".join(lines) + "\n")


@dataclass
class PostgresServer:
    """One PostgreSQL server: its data directory, the loopback port and the folder holding its Unix socket."""

    data: Path
    port: int
    socket_folder: Path
    host: str = "127.0.0.1"

    @classmethod
    def at(cls, data: Path | str) -> PostgresServer:
        """The server whose data directory this is, its port and socket folder read back from its settings."""
        data = Path(data)
        text = (data / "postgresql.conf").read_text()
        port = int(re.findall(r"^port = (\d+)", text, re.MULTILINE)[-1])
        sockets = re.findall(r"^unix_socket_directories = '([^']*)'", text, re.MULTILINE)[-1]
        host = re.findall(r"^listen_addresses = '([^']*)'", text, re.MULTILINE)[-1]
        return cls(data=data, port=port, socket_folder=Path(sockets), host=host)

    @property
    def log(self) -> Path:
        return self.data.parent / f"{self.data.name}.log"

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # --- running ------------------------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The postmaster's process id while it runs (from postmaster.pid), else None."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # alive, another account's
        return pid

    def is_running(self) -> bool:
        return self.pid is not None

    def start(self, timeout: float = 60) -> None:
        """Start `postgres` in its own session and process group; return once it accepts connections."""
        if self.port == SHARED_PORT:
            raise PostgresError("port 5432 is the shared server's: choose another")
        if self.is_running():
            return
        owner = _owner()
        extra = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []} if owner else {}
        with open(self.log, "ab") as log:
            if owner:
                os.chown(self.log, owner.pw_uid, owner.pw_gid)
            process = subprocess.Popen([str(PG_BIN / "postgres"), "-D", str(self.data)], stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=log, cwd="/", start_new_session=True, **extra)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise PostgresError(f"PostgreSQL in {self.data} exited while starting:\n{self.log_tail()}")
            if self._accepting():
                return
            time.sleep(0.1)
        self.kill()
        raise PostgresError(f"PostgreSQL in {self.data} did not accept connections within {timeout:.0f} s:\n{self.log_tail()}")

    def _accepting(self) -> bool:
        try:
            with psycopg.connect(**self.superuser_parameters(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def stop(self, mode: str = "fast", timeout: float = 30) -> None:
        """Stop the server (smart, fast or immediate shutdown); past the timeout its process group is killed."""
        pid = self.pid
        if pid is None:
            return
        os.kill(pid, STOP_SIGNALS[mode])
        if not self._gone(pid, timeout):
            self.kill()

    def kill(self) -> None:
        """SIGKILL the server's whole process group (a crash: the next start recovers from WAL)."""
        pid = self.pid
        if pid is None:
            return
        try:
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._gone(pid, 10)

    @staticmethod
    def _gone(pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                finished, _status = os.waitpid(pid, os.WNOHANG)  # our child: reap it
                if finished:
                    return True
            except ChildProcessError:  # started by another process: poll instead
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return True
            time.sleep(0.05)
        return False

    # --- talking to it ------------------------------------------------------------------------------------

    def superuser_parameters(self, database: str = "postgres") -> dict:
        """Connection parameters for the `postgres` superuser over the Unix socket (trusted locally)."""
        return {"host": str(self.socket_folder), "port": self.port, "user": "postgres", "dbname": database}

    def sql(self, query, *parameters, database: str = "postgres"):
        """Run one statement as the superuser (autocommit); the first column of the first row, if any."""
        with psycopg.connect(**self.superuser_parameters(database), autocommit=True, connect_timeout=5) as connection:
            cursor = connection.execute(query, parameters or None)
            row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None

    def create_database(self, name: str, *, owner: str, password: str, postgis: bool = True) -> None:
        """An application role (login, not a superuser, may create databases: Django's test runner needs
        that) and a database it owns, with PostGIS (which only a superuser may create) and its public schema."""
        from psycopg import sql

        self.sql(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB PASSWORD {}").format(
            sql.Identifier(owner), sql.Literal(password)))
        self.sql(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(owner)))
        if postgis:
            self.sql("CREATE EXTENSION IF NOT EXISTS postgis", database=name)
            # The PostGIS functions spatial filters on row-level-security tables need (row_security/leakproof.sql).
            self.sql(leakproof.sql(), database=name)
        self.sql(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)), database=name)

    def current_wal_lsn(self) -> str:
        """The primary's WAL write position (pg_current_wal_lsn)."""
        return self.sql("SELECT pg_current_wal_lsn()::text")

    def replay_lsn(self) -> str | None:
        """How far a standby has replayed (pg_last_wal_replay_lsn); None on a primary."""
        return self.sql("SELECT pg_last_wal_replay_lsn()::text")

    def in_recovery(self) -> bool:
        return bool(self.sql("SELECT pg_is_in_recovery()"))

    # --- standby controls ---------------------------------------------------------------------------------

    def pause_replay(self, timeout: float = 30) -> None:
        """Stop applying WAL (it is still received); return once replay has actually paused."""
        self.sql("SELECT pg_wal_replay_pause()")
        self._wait(lambda: self.sql("SELECT pg_get_wal_replay_pause_state()") == "paused", timeout, "pause replay")

    def resume_replay(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")

    def replay_paused(self) -> bool:
        return self.sql("SELECT pg_get_wal_replay_pause_state()") != "not paused"

    def wait_for_replay(self, lsn: str, timeout: float = 30) -> None:
        """Return once this standby has replayed up to `lsn` (or further)."""
        self._wait(lambda: self.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", lsn), timeout, f"replay to {lsn}")

    def promote(self, timeout: float = 60) -> None:
        """Make this standby a primary (pg_ctl promote, waiting until it accepts writes)."""
        _run(str(PG_BIN / "pg_ctl"), "promote", "-D", str(self.data), "-w", "-t", str(int(timeout)), timeout=timeout + 10)
        self._wait(lambda: not self.in_recovery(), timeout, "leave recovery")

    def _wait(self, done, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done():
                return
            time.sleep(0.05)
        raise PostgresError(f"PostgreSQL in {self.data} did not {what} within {timeout:.0f} s:\n{self.log_tail()}")


def init_primary(data: Path | str, port: int | None = None, *, host: str = "127.0.0.1",
                 replication_password: str | None = None, durable: bool = False) -> PostgresServer:
    """initdb a primary in `data` (which must not exist yet) on `port` (a free one if None), ready for streaming
    standbys: wal_level replica, WAL senders and a replication role that signs in with a password over TCP.
    Not started. `durable=False` turns fsync off: a throwaway server for tests, never for data worth keeping."""
    data = Path(data)
    port = port or free_port()
    data.parent.mkdir(parents=True, exist_ok=True)
    socket_folder = data.parent / f"{data.name}.sockets"
    data.mkdir(mode=0o700)
    socket_folder.mkdir(exist_ok=True)
    _hand_over(data)
    _hand_over(socket_folder)
    os.chmod(data.parent, 0o755)  # the server's account must reach its folders
    _run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
         "--encoding=UTF8", "--locale=C.UTF-8")
    settings = {
        "listen_addresses": host, "port": port, "unix_socket_directories": str(socket_folder),
        "wal_level": "replica", "max_wal_senders": 10, "max_replication_slots": 10, "wal_keep_size": "256MB",
        "hot_standby": "on", "max_connections": 100,
        # a standby reports which rows its queries still read, so the primary's vacuum does not cancel them
        "hot_standby_feedback": "on",
    }
    if not durable:
        settings.update({"fsync": "off", "full_page_writes": "off"})
    _append_settings(data, settings)
    with open(data / "pg_hba.conf", "a") as hba:  # streaming over loopback TCP, by password
        hba.write(f"\n{OUR_SETTINGS}\nhost replication {REPLICATION_ROLE} {host}/32 scram-sha-256\n")
    server = PostgresServer(data=data, port=port, socket_folder=socket_folder, host=host)
    password = replication_password or secrets.token_urlsafe(18)
    (data.parent / f"{data.name}.replication-password").write_text(password)
    os.chmod(data.parent / f"{data.name}.replication-password", 0o600)
    server.start()
    from psycopg import sql

    server.sql(sql.SQL("CREATE ROLE {} LOGIN REPLICATION PASSWORD {}").format(
        sql.Identifier(REPLICATION_ROLE), sql.Literal(password)))
    server.stop()
    return server


def init_standby(primary: PostgresServer, data: Path | str, port: int | None = None, *,
                 replication_password: str | None = None) -> PostgresServer:
    """A streaming hot standby of a running primary: pg_basebackup -R (which writes standby.signal and the
    primary_conninfo) into `data`, then its own port and socket folder. Not started."""
    data = Path(data)
    port = port or free_port()
    password = replication_password or (primary.data.parent / f"{primary.data.name}.replication-password").read_text()
    data.parent.mkdir(parents=True, exist_ok=True)
    socket_folder = data.parent / f"{data.name}.sockets"
    data.mkdir(mode=0o700)  # pg_basebackup fills an empty folder the server's account owns
    socket_folder.mkdir(exist_ok=True)
    _hand_over(data)
    _hand_over(socket_folder)
    os.chmod(data.parent, 0o755)
    conninfo = f"host={primary.host} port={primary.port} user={REPLICATION_ROLE} password={password} application_name={data.name}"
    _run(str(PG_BIN / "pg_basebackup"), "-D", str(data), "-d", conninfo, "-R", "-X", "stream", "-c", "fast",
         "--no-sync", timeout=300)
    _append_settings(data, {"port": port, "unix_socket_directories": str(socket_folder), "hot_standby": "on",
                            "listen_addresses": primary.host})
    return PostgresServer(data=data, port=port, socket_folder=socket_folder, host=primary.host)


def start_pair(folder: Path | str, *, primary_port: int | None = None, standby_port: int | None = None,
               database: str | None = None, owner: str | None = None, password: str | None = None,
               durable: bool = False) -> tuple[PostgresServer, PostgresServer]:
    """A running primary and its running hot standby under `folder` (primary/, standby/); with `database`,
    that database (PostGIS, owned by `owner`) is made on the primary first, so the standby starts with it."""
    folder = Path(folder)
    primary = init_primary(folder / "primary", primary_port, durable=durable)
    standby = None
    try:
        primary.start()
        if database:
            primary.create_database(database, owner=owner or database, password=password or secrets.token_urlsafe(18))
        standby = init_standby(primary, folder / "standby", standby_port)
        standby.start()
        standby.wait_for_replay(primary.current_wal_lsn())
    except BaseException:
        stop_all(primary, standby)
        raise
    return primary, standby


def stop_all(*servers: PostgresServer | None, mode: str = "fast") -> None:
    """Stop every server given (standbys first is kinder: pass them first); never raises for one already down."""
    for server in servers:
        if server is not None:
            try:
                server.stop(mode)
            except OSError:
                server.kill()


def remove(folder: Path | str, *servers: PostgresServer | None) -> None:
    """Stop the servers (immediately: they are being thrown away) and delete their folder."""
    stop_all(*servers, mode="immediate")
    shutil.rmtree(folder, ignore_errors=True)
