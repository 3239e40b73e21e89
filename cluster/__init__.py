"""The hub as a cluster on one machine, for tests and for trying it (issue 19; README, "Deployment").

`scripts/hub cluster start` runs, under var/cluster/, each piece as its own process group on loopback ports:
HAProxy in front of two gunicorn web nodes, Celery workers on two nodes (general and reports queues), the
PostgreSQL primary and hot standby (cluster/postgres.py) behind PgBouncer in transaction mode, Redis master and
replica watched by three Sentinels (Celery's broker), and SeaweedFS as the S3 file store. `scripts/hub cluster
faults` kills pieces of it under load and prints what was lost (cluster/faults.py).
"""
