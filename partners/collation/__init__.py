"""The daily collation of partner concerns (issue 5): services, selectors and the Celery task."""
