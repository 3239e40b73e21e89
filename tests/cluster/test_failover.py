"""The database failover (`scripts/hub cluster failover`), its restart and `rejoin`, on the cluster's real
PostgreSQL primary and standby and PgBouncer (cluster/control.py), without the web nodes and workers: the full
fault run (bench/faults.py) does the same under web load, with HAProxy, and runs an import after each step.

A client sends queries through PgBouncer's transaction-mode door without pause, as the web nodes do; the
failover pauses PgBouncer, stops the primary, promotes the standby, points PgBouncer at it and resumes, and the
client's queries wait in PgBouncer meanwhile rather than fail."""
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest

from cluster.control import Cluster
from cluster.layout import DATABASE, ROLE, Layout

pytestmark = pytest.mark.cluster


class Queries:
    """Clients sending a query through PgBouncer one after another, each on a new connection, as a web node with
    CONN_MAX_AGE 0 does (and as Django does after a connection error)."""

    def __init__(self, cluster: Cluster, clients: int = 3):
        self.cluster = cluster
        self.answered = 0
        self.failures: list[str] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                with connect(self.cluster) as connection:
                    connection.execute("SELECT count(*) FROM pg_class, pg_sleep(0.01)").fetchone()
                self.answered += 1
            except psycopg.Error as error:
                self.failures.append(str(error).strip())

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)


def connect(cluster: Cluster) -> psycopg.Connection:
    """Through PgBouncer's transaction-mode door, as the hub connects (no prepared statements: transaction pooling)."""
    return psycopg.connect(host="127.0.0.1", port=cluster.layout.pgbouncer, dbname=DATABASE, user=ROLE,
                           password=cluster.secrets()["database_password"], autocommit=True, connect_timeout=5, prepare_threshold=None)


@pytest.fixture
def cluster():
    folder = Path(tempfile.mkdtemp(prefix="hub-failover-"))
    folder.chmod(0o755)  # the servers run as postgres when the tests run as root: they must reach their folders
    cluster = Cluster(Layout(folder=folder, base=17850))
    cluster.write_configuration()
    try:
        yield cluster
    finally:
        cluster.remove()


def alive(pid: int) -> bool:
    """Running (a zombie, ended but not yet reaped by this process, is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_failover_holds_queries_in_pgbouncer_then_a_restart_starts_only_the_promoted_server_and_rejoin_streams_again(cluster):
    cluster.start_database()
    old_primary, standby = cluster.primary_server(), cluster.standby_server()
    assert (old_primary.data.name, standby.data.name) == ("primary", "standby")

    with Queries(cluster) as queries:
        wait_for(lambda: queries.answered > 20)
        before = queries.answered
        took = cluster.failover()
        wait_for(lambda: queries.answered > before + 20)
    assert queries.failures == []  # held in PgBouncer while it was paused, not refused
    assert not old_primary.is_running() and not standby.in_recovery()
    assert took < 30

    cluster.stop()
    cluster.write_configuration()
    cluster.start_database()  # as `scripts/hub cluster start` after a failover
    assert not old_primary.is_running(), "the fenced primary must never start again"
    assert dict(cluster.status())["postgres primary"].startswith("fenced by a failover")
    assert cluster.primary().data == standby.data and cluster.standby_server() is None
    # The hub's processes started now migrate on the promoted server and read nothing from a standby.
    assert cluster.hub_environment(name="set-up", direct=True)["HUB_DB_PORT"] == str(standby.port)
    assert "HUB_DB_STANDBY_PORT" not in cluster.hub_environment(name="web-1")
    with connect(cluster) as connection:
        connection.execute("CREATE TABLE after_failover (note text)")
        connection.execute("INSERT INTO after_failover VALUES ('written through PgBouncer to the promoted server')")

    cluster.rejoin()  # `scripts/hub cluster rejoin`: the old primary's folder becomes the new standby
    new_standby = cluster.standby_server()
    assert new_standby.data == old_primary.data and new_standby.in_recovery()
    assert cluster.hub_environment(name="web-1")["HUB_DB_STANDBY_PORT"] == str(old_primary.port)
    new_standby.wait_for_replay(cluster.primary().current_wal_lsn())
    assert new_standby.sql("SELECT note FROM after_failover", database=DATABASE) == "written through PgBouncer to the promoted server"

    cluster.failover()  # and back again: the rejoined standby is promoted in turn
    assert cluster.primary().data == old_primary.data
    with connect(cluster) as connection:
        assert connection.execute("SELECT count(*) FROM after_failover").fetchone()[0] == 1

    pids = [server.pid for server in cluster.postgres_servers() if server.is_running()] + [cluster.groups.pid("pgbouncer")]
    cluster.remove()  # `scripts/hub cluster remove`: everything stopped, the folder gone
    assert not cluster.layout.folder.exists()
    assert [pid for pid in pids if alive(pid)] == []
