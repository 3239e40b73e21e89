"""`python -m cluster start|stop|status|failover|rejoin|faults|remove` (scripts/hub cluster … calls it)."""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/hub cluster", description="The hub as a cluster on one machine (README, Deployment).")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start every piece under var/cluster/ (HUB_CLUSTER_DIR)")
    start.add_argument("--no-seed", action="store_true", help="migrate only, without the demo data")
    commands.add_parser("stop", help="stop everything the cluster started")
    commands.add_parser("status", help="what runs, which web nodes HAProxy holds up, which Redis is the master")
    commands.add_parser("failover", help="the PostgreSQL primary is lost: pause PgBouncer, stop it, promote the standby, "
                                         "point PgBouncer at it, resume")
    commands.add_parser("rejoin", help="after a failover: the old primary becomes the new primary's standby (a fresh pg_basebackup)")
    commands.add_parser("remove", help="stop everything and delete var/cluster/ with its data")
    faults = commands.add_parser("faults", help="kill pieces of a fresh cluster under load and print the fault table")
    faults.add_argument("--reduced", action="store_true", help="the CI run: a web node and the Redis master, at small load")
    faults.add_argument("--database-only", action="store_true", help="only the database failover and the restart after it")
    faults.add_argument("--copy-database", metavar="NAME", help="copy this migrated database (on HUB_DB_HOST:HUB_DB_PORT) rather than migrate")
    faults.add_argument("--json", type=Path, metavar="FILE", help="also write the figures to FILE")
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagement_hub.settings.local")
    from cluster.control import Cluster

    if arguments.command == "faults":
        from cluster.faults import run_faults

        return run_faults(reduced=arguments.reduced, copy_database=arguments.copy_database, json_path=arguments.json,
                          database_only=arguments.database_only)
    cluster = Cluster()
    if arguments.command == "start":
        cluster.start(seed=not arguments.no_seed)
    elif arguments.command == "stop":
        cluster.stop()
        print("Stopped.")
    elif arguments.command == "remove":
        cluster.remove()
        print(f"Stopped and removed {cluster.layout.folder}.")
    elif arguments.command == "failover":
        seconds = cluster.failover()
        print(f"The standby is the primary now; PgBouncer points at it ({seconds:.1f} s).")
    elif arguments.command == "rejoin":
        seconds = cluster.rejoin()
        print(f"The old primary is the new primary's standby ({seconds:.1f} s). Start the cluster again (stop, start) for the "
              "web nodes and workers to read from it.")
    else:
        rows = cluster.status() or [("cluster", "not running")]
        width = max(len(name) for name, _ in rows)
        for name, state in rows:
            print(f"{name:<{width}}  {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
