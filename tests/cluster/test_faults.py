"""The reduced fault run, in CI: a cluster of its own (HAProxy, two web nodes, workers on two nodes, PgBouncer,
Redis with Sentinel; its database a copy of this suite's migrated one), a web node killed under load and the
Redis master killed while imports are queued, as `scripts/hub cluster faults --reduced` runs it. The full run,
every fault at more load, is `scripts/hub cluster faults` (bench/README.md).

It runs as a subprocess because its Django talks to the cluster, not to the test database; the cluster is
stopped and removed by that process however it ends, and killed here if the process overruns."""
import json
import os
import signal
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.cluster, pytest.mark.django_db]  # the test database exists, to be copied (nothing is written to it)


def test_a_killed_web_node_and_a_killed_redis_master_lose_no_request_and_no_job(tmp_path, capsys):
    from django.db import connection

    figures = tmp_path / "faults.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "cluster", "faults", "--reduced", "--copy-database", connection.settings_dict["NAME"], "--json", str(figures)],
        cwd=PROJECT_ROOT, env={**os.environ, "HUB_CLUSTER_FAULTS_PORT_BASE": os.environ.get("HUB_CLUSTER_FAULTS_PORT_BASE", "17600")},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=400)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGINT)  # its finally stops the cluster
        output, _ = process.communicate(timeout=60)
        pytest.fail(f"the fault run overran:\n{output[-4000:]}")
    with capsys.disabled():
        print("\n" + "\n".join(line for line in output.splitlines() if line.startswith(("|", "GOAL", "  "))))
    assert figures.exists(), output[-4000:]
    results = {row["fault"]: row for row in json.loads(figures.read_text())}

    web = results["Web node web-1 killed"]
    assert web["requests"] > 50 and web["requests_failed"] <= web["in_flight_at_fault"], output[-3000:]
    assert web["recover_seconds"] < 5  # HAProxy's checks every half second, down after two failures

    broker = results["Redis master killed"]
    assert broker["jobs"] == 4 and (broker["jobs_lost"], broker["jobs_doubled"]) == (0, 0), output[-3000:]
    assert process.returncode == 0, output[-3000:]
