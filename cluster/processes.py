"""Each piece of the cluster is a process group of its own, recorded in a pid file under var/cluster/run/.

A pid file holds the leader's pid and its start time (from /proc), so that `stop` ends only what `start`
started: a pid that was reused by another program after a reboot or a crash is never signalled.
"""
from __future__ import annotations

import os
import pwd
import signal
import subprocess
import time
from pathlib import Path


def _start_time(pid: int) -> str | None:
    """The kernel's start time of `pid` (field 22 of /proc/pid/stat), or None when no such process lives."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


class ProcessGroups:
    """The pid files of one cluster: start a named process group, signal it, stop it, stop them all."""

    def __init__(self, run: Path, log: Path):
        self.run, self.log = run, log

    def pidfile(self, name: str) -> Path:
        return self.run / f"{name}.pid"

    def start(self, name: str, argv: list[str], *, env: dict, cwd: Path, user: pwd.struct_passwd | None = None) -> int:
        """Start `argv` as the leader of a new process group (its own session), output to log/<name>.log;
        as `user` when given (a program that refuses to run as root)."""
        self.run.mkdir(parents=True, exist_ok=True)
        self.log.mkdir(parents=True, exist_ok=True)
        if self.alive(name):
            raise RuntimeError(f"{name} is already running (pid {self.pid(name)}); stop the cluster first")
        account = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
        with open(self.log / f"{name}.log", "ab") as output:
            process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True, **account)
        self.pidfile(name).write_text(f"{process.pid} {_start_time(process.pid)}\n")
        return process.pid

    def pid(self, name: str) -> int | None:
        """The leader's pid if it is still the process this cluster started, else None."""
        try:
            pid_text, started = self.pidfile(name).read_text().split()
        except (OSError, ValueError):
            return None
        pid = int(pid_text)
        return pid if _start_time(pid) == started else None

    def alive(self, name: str) -> bool:
        pid = self.pid(name)
        if pid is None:
            return False
        try:  # a zombie (killed, not yet reaped by its parent) is not alive
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def names(self) -> list[str]:
        return sorted(path.stem for path in self.run.glob("*.pid")) if self.run.exists() else []

    def signal(self, name: str, sig: int) -> None:
        """Send `sig` to the whole group (SIGSTOP and SIGCONT freeze and thaw a node)."""
        pid = self.pid(name)
        if pid is not None:
            _signal_group(pid, sig)

    def kill(self, name: str) -> None:
        """SIGKILL the whole group at once, as a machine that loses power would (the fault tests)."""
        pid = self.pid(name)
        if pid is not None:
            _signal_group(pid, signal.SIGKILL)

    def stop(self, name: str, *, timeout: float = 15.0) -> None:
        """SIGTERM the group, then SIGKILL whatever of it is left after `timeout` seconds; forget its pid file."""
        pid = self.pid(name)
        if pid is not None:
            _signal_group(pid, signal.SIGCONT)  # a frozen group cannot act on SIGTERM
            _signal_group(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while _group_lives(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            _signal_group(pid, signal.SIGKILL)
        self.pidfile(name).unlink(missing_ok=True)

    def stop_all(self, order: list[str], *, timeout: float = 15.0) -> None:
        """Stop every group with a pid file at once: SIGTERM to all (those in `order` first), SIGKILL to what is
        left of any after `timeout` seconds; forget their pid files."""
        names = [name for name in order if self.pidfile(name).exists()] + [name for name in self.names() if name not in order]
        pids = [pid for pid in (self.pid(name) for name in names) if pid is not None]
        for pid in pids:
            _signal_group(pid, signal.SIGCONT)
            _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while any(_group_lives(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in pids:
            _signal_group(pid, signal.SIGKILL)
        for name in names:
            self.pidfile(name).unlink(missing_ok=True)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _group_lives(pgid: int) -> bool:
    """True while any process of the group lives (zombies excepted)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False
