"""Gunicorn's settings for the hub: scripts/hub start, bench/load.py and the tests' own server all use this file
(`gunicorn -c engagement_hub/gunicorn_conf.py engagement_hub.wsgi:application --bind ...`).

Sized for the two-core machine (bench/README.md, "Load and restart", has the figures that chose them):
three processes of four threads. Most of a request's time is spent waiting on PostgreSQL, so threads keep
both cores busy without a process per connection; twelve threads hold at most twelve database connections
(CONN_MAX_AGE reuses them), well inside PostgreSQL's 100 with the Celery workers beside them.
"""
import os

workers = int(os.environ.get("HUB_WEB_WORKERS", "3"))
threads = int(os.environ.get("HUB_WEB_THREADS", "4"))
worker_class = "gthread"
# In the gthread worker this bounds a stuck worker (its main loop silent this long), not one request: it is
# replaced rather than left holding its threads. The slowest answer under 50 connections (bench/load.py,
# queued behind the others) took 12 s; reports and imports run in Celery, not in the request.
timeout = int(os.environ.get("HUB_WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Connections waiting for a thread; 50 concurrent clients queue here rather than being refused.
backlog = 2048
# A worker is replaced now and then, so that no slow growth of memory lasts.
max_requests = 5000
max_requests_jitter = 500

accesslog = "-"
logger_class = "engagement_hub.gunicorn_logging.RedactingLogger"
