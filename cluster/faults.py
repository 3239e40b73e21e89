"""Faults survived: a fresh cluster of its own (a temporary folder, ports from HUB_CLUSTER_FAULTS_PORT_BASE, 17500
on), pieces of it killed under bounded loopback load, and for each fault what was lost.

    scripts/hub cluster faults            # every fault, more load (about five minutes)
    scripts/hub cluster faults --reduced  # CI: a web node and the Redis master, at small load
    scripts/hub cluster faults --database-only  # the database failover and the restart after it

1. A web node killed (SIGKILL to its process group) under GET load through HAProxy: no request may fail beyond
   those in flight at the kill; recovered when HAProxy's health checks hold the node down.
2. The Redis master killed while imports are queued and new ones are sent: Sentinel promotes the replica; every
   import completes, once; recovered when the first import sent after the kill is done.
3. (full) A worker node killed mid-import and, once it is back, a worker node killed mid-report: the node's
   job is held half-way by a table lock (its server connection names the node: application_name), the node
   is killed, the sweeper requeues the job and the other node completes it, once.
4. (full) The PostgreSQL primary stopped under web load and `scripts/hub cluster failover` run at once (PgBouncer
   paused, the standby promoted, PgBouncer pointed at it, resumed); the hub carries on without a restart (a new
   import completes). In flight: the web's queries running on the primary when it stopped (PgBouncer logs each
   client whose server connection was cut off under it). Recovered at the first good answer after the failover.
5. (full) Then the whole cluster stopped and started again: only the promoted server starts, pages are served
   and an import runs; `scripts/hub cluster rejoin` makes the old primary the new standby, streaming.

`--database-only`: 4 and 5 alone.

Prints the fault table (requests failed, jobs lost, jobs doubled, time to recover) and one GOAL line per fault.
`--json FILE` also writes the figures (tests/cluster/ reads them). The cluster is stopped and its folder removed
however the run ends.
"""
from __future__ import annotations

import csv
import datetime
import http.client
import io
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cluster.control import Cluster, say, wait_until
from cluster.layout import DATABASE, ROOT, WEB_NODES, WORKER_NODES, Layout

LOGS = ROOT / "var" / "faults-log"  # the last run's logs, one per piece
PAGES = ["/healthz", "/your-area/", "/accounts/login/", "/api/forces"]  # anonymous pages that read the database
ROWS_PER_IMPORT = 2


@dataclass
class FaultResult:
    fault: str
    load: str
    requests: int = 0
    requests_failed: int = 0
    in_flight_at_fault: int = 0
    jobs: int = 0
    jobs_lost: int = 0
    jobs_doubled: int = 0
    recover_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)  # what else went wrong (the wrong server the primary, a standby not streaming)

    @property
    def survived(self) -> bool:
        return (self.jobs_lost == 0 and self.jobs_doubled == 0 and self.requests_failed <= self.in_flight_at_fault
                and not self.checks_failed)


# --- load ------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    started: float
    ended: float
    ok: bool
    detail: str


class WebLoad:
    """`clients` threads, each sending the next page's GET through HAProxy as soon as the last answered."""

    def __init__(self, base: str, clients: int):
        self.base, self.clients = base, clients
        self.outcomes: list[Outcome] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)]
        self.lock = threading.Lock()

    def _client(self, number: int) -> None:
        turn = number
        while not self.stopping.is_set():
            path = PAGES[turn % len(PAGES)]
            turn += 1
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.base + path, timeout=20) as answer:
                    answer.read()
                    ok, detail = answer.status == 200, str(answer.status)
            except urllib.error.HTTPError as error:
                ok, detail = False, f"{error.code} on {path}"
            except (OSError, http.client.HTTPException) as error:  # refused, reset, cut short, timed out
                ok, detail = False, f"{type(error).__name__} on {path}"
            with self.lock:
                self.outcomes.append(Outcome(started, time.monotonic(), ok, detail))

    def __enter__(self) -> WebLoad:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def in_flight(self, at: float) -> int:
        with self.lock:
            done = list(self.outcomes)
        # Those that started before `at` and ended after it (the ones still running at `at` end later).
        return sum(1 for outcome in done if outcome.started <= at < outcome.ended)

    def failures(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]


# --- the records the jobs need ---------------------------------------------------------------------------


def build_records():
    """A force with its area, a neighbourhood team and its manager, a council and its partner user, a few
    engagements to count: the test factories make them as the tests' personas are made."""
    from access.roles import Role
    from tests.factories import (
        EngagementFactory, ForceAreaFactory, ForceFactory, MembershipFactory, NeighbourhoodFactory, OrganisationFactory, TeamFactory,
        UserFactory, point, square,
    )

    from crm.models import IssueCategory

    IssueCategory.objects.get_or_create(name="Fly-tipping", defaults={"slug": "fly-tipping"})  # a copied database may lack it
    force = ForceFactory(name="Fault Constabulary", slug="fault-constabulary")
    team = TeamFactory(name="Fault neighbourhood team", slug="fault-team", parent=force)
    area = ForceAreaFactory(force=force, code="fault", name="Fault force area")
    neighbourhood = NeighbourhoodFactory(force_area=area, name="Hindpool", code="FHIND", team=team,
                                         boundary=square(west=-3.24, south=54.10, size=0.02))
    manager = UserFactory(username="fault-manager")
    MembershipFactory(user=manager, organisation=team, role=Role.MANAGER, warranted=True)
    council = OrganisationFactory(name="Fault council", slug="fault-council", kind="council")
    partner = UserFactory(username="fault-partner")
    MembershipFactory(user=partner, organisation=council, role=Role.PARTNER_USER)
    for days in (5, 10, 20):
        EngagementFactory(organisation=team, neighbourhood=neighbourhood, location=point(-3.23, 54.11), turnout=10,
                          starts_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days), title=f"Beat meeting {days}")
    return {"partner": partner, "manager": manager, "area": area}


def import_csv(number: int) -> bytes:
    from partners.imports.resources import COLUMNS

    when = (datetime.datetime.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    values = {"category": "Fly-tipping", "latitude": "54.1150", "longitude": "-3.2270", "place": "Rear of Market Street",
              "occurred_at": when, "channel": "Phone call", "holds_personal_data": "no", "classification": "OFFICIAL"}
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in range(ROWS_PER_IMPORT):
        values["description"] = f"Bags of rubbish dumped, import {number} row {row}."
        writer.writerow([values.get(column, "") for column in COLUMNS])
    return buffer.getvalue().encode()


class Imports:
    """Import jobs sent by the partner user, confirmed as soon as their dry run passes, counted at the end."""

    def __init__(self, partner):
        self.partner = partner
        self.jobs: list[int] = []
        self.sent_at: dict[int, float] = {}

    def send(self) -> int:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from partners.imports.services import concern_import_start

        number = len(self.jobs)
        job = concern_import_start(upload=SimpleUploadedFile(f"fault-{number}.csv", import_csv(number)), acting_user=self.partner)
        self.jobs.append(job.pk)
        self.sent_at[job.pk] = time.monotonic()
        return job.pk

    def confirm_checked(self) -> None:
        from partners.imports.services import concern_import_confirm
        from partners.models import ConcernImportJob, ImportJobStatus

        for job in ConcernImportJob.objects.filter(pk__in=self.jobs, status=ImportJobStatus.CHECKED):
            concern_import_confirm(job=job, acting_user=self.partner)

    def imported(self) -> set[int]:
        from partners.models import ConcernImportJob, ImportJobStatus

        return set(ConcernImportJob.objects.filter(pk__in=self.jobs, status=ImportJobStatus.IMPORTED).values_list("pk", flat=True))

    def wait(self, *, timeout: float, first_after: float | None = None) -> float | None:
        """Confirm and wait until every job is imported (or the timeout); when the first job sent after
        `first_after` was imported, in seconds after it."""
        deadline = time.monotonic() + timeout
        first = None
        while time.monotonic() < deadline:
            self.confirm_checked()
            done = self.imported()
            if first is None and first_after is not None:
                later = [pk for pk in done if self.sent_at[pk] >= first_after]
                if later:
                    first = time.monotonic() - first_after
            if len(done) == len(self.jobs):
                break
            time.sleep(0.3)
        return first

    def count(self) -> tuple[int, int]:
        """(lost, doubled): jobs not imported; jobs whose rows or audit entries were written more than once."""
        from django.db.models import Count

        from organisations.models import AuditEvent
        from partners.models import Concern

        lost = len(self.jobs) - len(self.imported())
        rows = dict(Concern.objects.filter(import_job__in=self.jobs).values_list("import_job").annotate(n=Count("pk")))
        doubled = sum(1 for pk in self.jobs if rows.get(pk, 0) > ROWS_PER_IMPORT)
        audits = dict(AuditEvent.objects.filter(action="concerns.imported", details__job__in=self.jobs)
                      .values_list("details__job").annotate(n=Count("pk")))
        doubled += sum(1 for pk in self.jobs if audits.get(pk, 0) > 1 and rows.get(pk, 0) <= ROWS_PER_IMPORT)
        return lost, doubled


# --- the faults ------------------------------------------------------------------------------------------


def web_node_killed(cluster: Cluster, *, clients: int, seconds: float) -> FaultResult:
    victim = WEB_NODES[0]
    result = FaultResult(f"Web node {victim} killed", f"{clients} clients, {seconds:.0f} s of GETs through HAProxy")
    with WebLoad(cluster.layout.url, clients) as load:
        time.sleep(seconds / 3)
        killed_at = time.monotonic()
        result.in_flight_at_fault = load.in_flight(killed_at)
        cluster.groups.kill(victim)
        wait_until(lambda: victim not in cluster.haproxy_servers_up(), timeout=30, what=f"HAProxy taking {victim} out")
        held_down = time.monotonic() - killed_at
        time.sleep(max(0.0, killed_at + seconds - time.monotonic()))
    result.in_flight_at_fault = max(result.in_flight_at_fault, load.in_flight(killed_at))
    failures = load.failures()
    result.requests, result.requests_failed = len(load.outcomes), len(failures)
    last_failure = max((outcome.ended - killed_at for outcome in failures), default=0.0)
    result.recover_seconds = max(held_down, last_failure)
    result.notes.append(f"HAProxy held {victim} down {held_down:.1f} s after the kill")
    if failures:
        result.notes.append("failed: " + ", ".join(sorted({outcome.detail for outcome in failures})))
    return result


def redis_master_killed(cluster: Cluster, records: dict, *, jobs: int) -> FaultResult:
    result = FaultResult("Redis master killed", f"{jobs} imports ({ROWS_PER_IMPORT} rows each), half queued before the kill")
    imports = Imports(records["partner"])
    for _ in range(jobs // 2):
        imports.send()
    old_master = cluster.redis_master_port()
    killed_at = time.monotonic()
    cluster.groups.kill("redis-master")
    after = time.monotonic()
    for _ in range(jobs - jobs // 2):  # sent while Sentinel fails over: kept in the outbox when the broker does not answer
        imports.send()
    wait_until(lambda: cluster.redis_master_port() not in (None, old_master), timeout=30, what="Sentinel promoting the replica")
    promoted = time.monotonic() - killed_at
    first = imports.wait(timeout=120, first_after=after)
    result.jobs = len(imports.jobs)
    result.jobs_lost, result.jobs_doubled = imports.count()
    result.recover_seconds = first if first is not None else float("nan")
    result.notes.append(f"Sentinel promoted the replica (port {cluster.redis_master_port()}) {promoted:.1f} s after the kill")
    return result


def held_on_a_lock(cluster: Cluster, table: str, mode: str, application_suffix: str):
    """A connection straight to the primary that locks `table`, and a way to see which node's connection waits on it."""
    import psycopg

    primary = cluster.primary()
    holder = psycopg.connect(**primary.superuser_parameters(DATABASE))
    holder.execute(f"LOCK TABLE {table} IN {mode} MODE")

    def waiting_node() -> str | None:
        # On the primary, or on the standby (a routed read waits there too: the lock is replayed from the WAL).
        for server in cluster.postgres_servers():
            if not server.is_running():
                continue
            with psycopg.connect(**server.superuser_parameters(DATABASE), autocommit=True) as look:
                row = look.execute("SELECT application_name FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                   "AND application_name LIKE %s LIMIT 1", [f"%-{application_suffix}"]).fetchone()
            if row:
                return row[0].removesuffix(f"-{application_suffix}")
        return None

    return holder, waiting_node


def worker_killed_mid_import(cluster: Cluster, records: dict) -> FaultResult:
    from partners.models import ConcernImportJob, ImportJobStatus

    result = FaultResult("Worker node killed mid-import", f"one import of {ROWS_PER_IMPORT} rows, held at its INSERT")
    imports = Imports(records["partner"])
    job = imports.send()
    wait_until(lambda: ConcernImportJob.objects.get(pk=job).status == ImportJobStatus.CHECKED, timeout=60, what="the dry run")
    holder, waiting_node = held_on_a_lock(cluster, "partners_concern", "SHARE", "general")
    try:
        imports.confirm_checked()
        wait_until(lambda: waiting_node() is not None, timeout=60, what="a worker reaching the locked table")
        victim = waiting_node()
        killed_at = time.monotonic()
        kill_worker_node(cluster, victim)
    finally:
        holder.close()
    imports.wait(timeout=90)
    result.recover_seconds = time.monotonic() - killed_at
    result.jobs = 1
    result.jobs_lost, result.jobs_doubled = imports.count()
    restarts = ConcernImportJob.objects.get(pk=job).restarts
    result.notes.append(f"{victim} killed; the job was requeued {restarts} time(s) and finished on the other node")
    cluster.start_worker_node(victim)
    return result


def worker_killed_mid_report(cluster: Cluster, records: dict) -> FaultResult:
    from reports.models import ReportRun, ReportStatus
    from reports.services import report_request

    result = FaultResult("Worker node killed mid-report", "one report (no maps), held at its first count")
    # The request reads the table the build is held at, so it is made first, with both reports workers frozen
    # (SIGSTOP) until the lock is held: then whichever takes the job runs into the lock.
    reports_workers = [f"{node}-reports" for node in WORKER_NODES]
    for name in reports_workers:
        cluster.groups.signal(name, signal.SIGSTOP)
    try:
        today = datetime.date.today()
        run, _ = report_request(acting_user=records["manager"], period_start=today - datetime.timedelta(days=90), period_end=today,
                                force_area=records["area"], include_maps=False)
        holder, waiting_node = held_on_a_lock(cluster, "crm_engagement", "ACCESS EXCLUSIVE", "reports")
    finally:
        for name in reports_workers:
            cluster.groups.signal(name, signal.SIGCONT)
    try:
        wait_until(lambda: waiting_node() is not None, timeout=60, what="a reports worker reaching the locked table")
        victim = waiting_node()
        killed_at = time.monotonic()
        kill_worker_node(cluster, victim)
    finally:
        holder.close()
    try:
        wait_until(lambda: ReportRun.objects.get(pk=run.pk).status == ReportStatus.DONE, timeout=120, what="the report")
    except Exception:  # noqa: BLE001 (counted as lost below)
        pass
    result.recover_seconds = time.monotonic() - killed_at
    run.refresh_from_db()
    result.jobs = 1
    result.jobs_lost = 0 if run.status == ReportStatus.DONE and run.pdf else 1
    result.jobs_doubled = max(0, ReportRun.objects.filter(status=ReportStatus.DONE).count() - 1)
    result.notes.append(f"{victim} killed; the report was requeued {run.restarts} time(s) and finished on the other node")
    cluster.start_worker_node(victim)
    return result


def kill_worker_node(cluster: Cluster, node: str) -> None:
    for name in cluster.groups.names():
        if name.startswith(f"{node}-"):
            cluster.groups.kill(name)


def log_size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def log_since(path: Path, offset: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")


# PgBouncer's line for a client of the web's pool (transaction mode) whose server connection died under its query.
CUT_OFF = re.compile(rf"LOG C-\S+: {DATABASE}/\S+ closing because: server conn crashed")


def primary_stopped(cluster: Cluster, records: dict, *, clients: int, seconds: float) -> FaultResult:
    result = FaultResult("PostgreSQL primary stopped, standby promoted",
                         f"{clients} clients, {seconds:.0f} s of GETs; then an import through the promoted standby")
    with WebLoad(cluster.layout.url, clients) as load:
        time.sleep(seconds / 3)
        primary = cluster.primary()
        pgbouncer_log, web_logs = cluster.layout.log / "pgbouncer.log", [cluster.layout.log / f"{node}.log" for node in WEB_NODES]
        offsets = {path: log_size(path) for path in [pgbouncer_log, *web_logs]}
        stopped_at = time.monotonic()
        primary.stop("fast")
        took = cluster.failover()  # what `scripts/hub cluster failover` runs (detection is not modelled: it starts at once)
        wait_until(lambda: any(o.ok and o.started > stopped_at + took for o in list(load.outcomes)), timeout=60,
                   what="a good answer after the failover")
        time.sleep(max(0.0, stopped_at + seconds - time.monotonic()))
    # In flight: the web's queries running on the primary when it stopped, as PgBouncer saw them: each client
    # whose server connection was cut off under it (a fast shutdown ends running queries).
    result.in_flight_at_fault = len(CUT_OFF.findall(log_since(pgbouncer_log, offsets[pgbouncer_log])))
    answered_503 = sum(log_since(path, offsets[path]).count('HTTP/1.1" 503') for path in web_logs)
    failures = load.failures()
    result.requests, result.requests_failed = len(load.outcomes), len(failures)
    # Recovered: the first good answer to a request sent once the failover was done, or the last failure if later.
    first_good = min((o.ended for o in load.outcomes if o.ok and o.started >= stopped_at + took), default=float("nan"))
    last_failure = max((o.ended for o in failures), default=stopped_at)
    result.recover_seconds = max(first_good, last_failure) - stopped_at
    imports = Imports(records["partner"])
    imports.send()
    imports.wait(timeout=90)
    result.jobs = 1
    result.jobs_lost, result.jobs_doubled = imports.count()
    slowest = max((o.ended - o.started for o in load.outcomes if o.started <= stopped_at + took and o.ended >= stopped_at), default=0.0)
    result.notes.append(f"failover (PgBouncer paused, promotion, reload, resumed) took {took:.1f} s; {load.in_flight(stopped_at)} "
                        f"requests were in flight through HAProxy at the stop; the slowest answer across it took {slowest:.1f} s")
    result.notes.append(f"the web nodes answered 503 {answered_503} time(s) (queries cut off, or sent before PgBouncer paused); "
                        "HAProxy sent each GET again a second later (retry-on 503), answered then")
    if failures:
        result.notes.append("failed: " + ", ".join(sorted({outcome.detail for outcome in failures})))
    return result


def restarted_after_failover(cluster: Cluster, records: dict, start_options: dict) -> FaultResult:
    """After the failover: the whole cluster stopped and started again (only the promoted server starts, PgBouncer
    points at it), pages served and an import run; then the old primary rejoined as the new standby."""
    from django.db import connections

    result = FaultResult("Cluster stopped and started again after the failover", "a GET of each page; one import")
    cluster.stop()
    connections.close_all()  # this process's connections went with PgBouncer
    started = time.monotonic()
    cluster.start(**start_options)
    result.recover_seconds = time.monotonic() - started
    primary = cluster.primary()
    if primary.data.name != cluster.promoted():
        result.checks_failed.append(f"the primary after the start is {primary.data.name}, not the promoted server")
    with WebLoad(cluster.layout.url, 1) as load:
        wait_until(lambda: len(load.outcomes) >= len(PAGES), timeout=60, what="a GET of each page")
    failures = load.failures()
    result.requests, result.requests_failed = len(load.outcomes), len(failures)
    imports = Imports(records["partner"])
    imports.send()
    imports.wait(timeout=90)
    result.jobs = 1
    result.jobs_lost, result.jobs_doubled = imports.count()
    result.notes.append(f"started again in {result.recover_seconds:.1f} s with only {primary.data.name} (promoted) running")
    rejoin = cluster.rejoin()
    standby = cluster.standby_server()
    streaming = standby is not None and standby.is_running() and standby.in_recovery()
    result.notes.append(f"`scripts/hub cluster rejoin` made {standby.data.name if standby else 'nothing'} the new standby in "
                        f"{rejoin:.1f} s ({'streaming' if streaming else 'NOT streaming'})")
    if not streaming:
        result.checks_failed.append("the old primary is not streaming from the promoted server after rejoin")
    if failures:
        result.notes.append("failed: " + ", ".join(sorted({outcome.detail for outcome in failures})))
    return result


# --- the run ---------------------------------------------------------------------------------------------


def print_table(results: list[FaultResult]) -> None:
    print("\n| Fault | Load | Requests failed | Jobs lost | Jobs doubled | Time to recover |")
    print("|---|---|---|---|---|---|")
    for r in results:
        requests = f"{r.requests_failed} of {r.requests} ({r.in_flight_at_fault} in flight at the fault)" if r.requests else "none sent"
        jobs = (f"{r.jobs_lost} of {r.jobs}", str(r.jobs_doubled)) if r.jobs else ("no jobs", "no jobs")
        print(f"| {r.fault} | {r.load} | {requests} | {jobs[0]} | {jobs[1]} | {r.recover_seconds:.1f} s |")
    for r in results:
        for note in r.notes + [f"FAILED CHECK: {check}" for check in r.checks_failed]:
            print(f"  {r.fault}: {note}")


def run_faults(*, reduced: bool, copy_database: str | None = None, json_path: Path | None = None, database_only: bool = False) -> int:
    """`database_only`: the database failover and the restart after it, alone (at the full run's load)."""
    folder = Path(tempfile.mkdtemp(prefix="hub-faults-"))
    folder.chmod(0o755)
    layout = Layout(folder=folder, base=int(os.environ.get("HUB_CLUSTER_FAULTS_PORT_BASE", "17500")))
    cluster = Cluster(layout, web_workers=1 if reduced else 2)
    results: list[FaultResult] = []
    try:
        say(f"A cluster of its own in {folder} on ports {layout.base} to {layout.base + 59}…")
        start_options = {"copy_database": copy_database, "seed": False, "static": False,
                         "worker_kinds": ("general",) if reduced or database_only else None, "standby": not reduced}
        cluster.start(**start_options)
        os.environ.update(cluster.hub_environment(name="faults"))
        import django

        django.setup()
        # An operator's tool: building its records and counting the jobs' rows span organisations, so the run
        # reads and writes as named system work (row-level security), as the hub's own system contexts do.
        from row_security.context import Context, _current

        _current.set(Context("system", name="fault run"))
        records = build_records()
        if database_only:
            results.append(primary_stopped(cluster, records, clients=8, seconds=20))
            results.append(restarted_after_failover(cluster, records, start_options))
        elif reduced:
            results.append(web_node_killed(cluster, clients=4, seconds=6))
            results.append(redis_master_killed(cluster, records, jobs=4))
        else:
            results.append(web_node_killed(cluster, clients=16, seconds=20))
            cluster.start_web_node(WEB_NODES[0])
            results.append(redis_master_killed(cluster, records, jobs=12))
            results.append(worker_killed_mid_import(cluster, records))
            results.append(worker_killed_mid_report(cluster, records))
            results.append(primary_stopped(cluster, records, clients=8, seconds=20))
            results.append(restarted_after_failover(cluster, records, start_options))
    finally:
        say(f"Stopping the cluster and removing its folder (its logs are kept in {LOGS})…")
        cluster.stop(timeout=3)
        shutil.rmtree(LOGS, ignore_errors=True)
        shutil.copytree(layout.log, LOGS, dirs_exist_ok=True)
        cluster.remove()
    print_table(results)
    for r in results:
        print(f"GOAL {r.fault}: no request failed beyond those in flight, no job lost or doubled: measured {r.requests_failed} failed "
            f"({r.in_flight_at_fault} in flight), {r.jobs_lost} lost, {r.jobs_doubled} doubled, recovered in {r.recover_seconds:.1f} s "
            f"{'MET' if r.survived else 'NOT MET'}")
    if json_path:
        json_path.write_text(json.dumps([asdict(r) | {"survived": r.survived} for r in results], indent=2))
    return 0 if all(r.survived for r in results) else 1
