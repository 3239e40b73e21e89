"""Each piece of the cluster is a process group of its own: `stop` ends the whole group it started (children
too) and nothing else, even when the recorded pid has been reused by another program."""
import os
import subprocess
import sys
import time

from cluster.processes import ProcessGroups

PARENT_AND_CHILD = [sys.executable, "-c", "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)"]


def group_members(pgid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry))
    return found


def wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_stop_ends_the_whole_group_it_started(tmp_path):
    groups = ProcessGroups(tmp_path / "run", tmp_path / "log")
    pid = groups.start("node", PARENT_AND_CHILD, env=dict(os.environ), cwd=tmp_path)
    try:
        wait_for(lambda: len(group_members(pid)) == 2)  # the leader and its child
        assert groups.alive("node") and groups.names() == ["node"]
        groups.stop("node", timeout=5)
        wait_for(lambda: group_members(pid) == [])
        assert not groups.pidfile("node").exists()
    finally:
        groups.stop_all([], timeout=1)


def test_a_killed_group_is_not_alive_and_can_start_again(tmp_path):
    groups = ProcessGroups(tmp_path / "run", tmp_path / "log")
    try:
        first = groups.start("node", PARENT_AND_CHILD, env=dict(os.environ), cwd=tmp_path)
        wait_for(lambda: len(group_members(first)) == 2)
        groups.kill("node")
        wait_for(lambda: not groups.alive("node"))
        second = groups.start("node", PARENT_AND_CHILD, env=dict(os.environ), cwd=tmp_path)
        assert second != first and groups.alive("node")
    finally:
        groups.stop_all([], timeout=1)


def test_a_pid_file_naming_another_program_is_never_signalled(tmp_path):
    groups = ProcessGroups(tmp_path / "run", tmp_path / "log")
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
    try:
        groups.run.mkdir(parents=True)
        groups.pidfile("node").write_text(f"{stranger.pid} 1\n")  # its pid, but another start time: a reused pid
        assert groups.pid("node") is None and not groups.alive("node")
        groups.stop_all(["node"], timeout=1)
        assert stranger.poll() is None  # still running
    finally:
        stranger.kill()
        stranger.wait()
