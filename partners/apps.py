from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner concerns"

    def ready(self):
        # Celery's autodiscovery finds partners.tasks only; the collation's tasks live in their own package.
        from partners.collation import tasks  # noqa: F401
