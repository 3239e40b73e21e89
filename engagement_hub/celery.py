"""The Celery app: background work (imports, reports, daily collation)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagement_hub.settings.local")

app = Celery("engagement_hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
