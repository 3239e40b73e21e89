"""Real processes for the job tests: a Redis server of the test's own (on a free port, in a temporary
folder, never the shared one), the Celery app pointed at it, and Celery workers, both in a thread
and as a `celery -A engagement_hub worker` subprocess that a test can kill with SIGKILL."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from engagement_hub.celery import app
from tests.conftest import PROJECT_ROOT

QUEUES = ["celery", "reports"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RedisServer:
    """A redis-server of this test's own, which it may stop, start again and freeze (SIGSTOP)."""

    port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as ping:
                    ping.sendall(b"PING\r\n")
                    if ping.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot stop
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def point_celery_at(url: str) -> None:
    """Send and consume through `url` from now on (the app forgets its pools; kombu keeps one per URL)."""
    app.conf.broker_url = url
    app.conf.result_backend = url
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(port=free_port(), folder=tmp_path)
    server.start()
    before = (app.conf.broker_url, app.conf.result_backend)
    point_celery_at(server.url)
    yield server
    server.stop()
    app.conf.broker_url, app.conf.result_backend = before
    point_celery_at(before[0])


@pytest.fixture
def job_settings(settings):
    """Heartbeats and the sweeper's patience in fractions of a second, so a test recovers a job in seconds."""
    settings.JOB_HEARTBEAT_SECONDS = 0.2
    settings.JOB_STALE_SECONDS = 1.0
    settings.JOB_OUTBOX_GRACE_SECONDS = 0.0
    return settings


@contextmanager
def worker_thread():
    """A Celery worker in this process (a thread), consuming every queue of the app's current broker."""
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", queues=QUEUES, shutdown_timeout=30):
        yield


class WorkerProcess:
    """`celery -A engagement_hub worker` in its own process, on this test's database and Redis."""

    def __init__(self, redis: RedisServer, settings, extra_env: dict | None = None):
        log = redis.folder / f"worker-{time.monotonic_ns()}.log"  # read it when a test fails
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "engagement_hub.settings.test",
            "HUB_DB_NAME": connection.settings_dict["NAME"],
            "HUB_TEST_REDIS_URL": redis.url,
            "HUB_JOB_HEARTBEAT_SECONDS": str(settings.JOB_HEARTBEAT_SECONDS),
            "HUB_OPEN_DATA_DIR": str(settings.OPEN_DATA_DIR),
            "HUB_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **(extra_env or {}),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "engagement_hub", "worker", "--pool", "solo", "-Q", ",".join(QUEUES),
             "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"killable-{os.getpid()}@%h"],
            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb"),
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def worker_process(redis_server, job_settings):
    started = []

    def start(**extra_env) -> WorkerProcess:
        worker = WorkerProcess(redis_server, job_settings, extra_env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def raw_connection() -> psycopg.Connection:
    """A connection of the test's own beside Django's, to hold a lock while a worker runs into it."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**{key: value for key, value in params.items() if key in {"dbname", "user", "password", "host", "port"}})


@contextmanager
def table_locked(table: str, mode: str):
    """Hold `LOCK TABLE table IN mode MODE` until the block ends: a worker that reaches the table waits there,
    in the middle of its job, where the test can kill it."""
    with raw_connection() as holder:
        holder.execute(f"LOCK TABLE {table} IN {mode} MODE")
        yield holder
        holder.rollback()


def wait_for(condition, *, timeout: float = 60, message: str = "the condition") -> float:
    """Poll `condition` until true; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")


def a_worker_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                       "AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0] > 0
