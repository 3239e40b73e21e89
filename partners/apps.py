from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner concerns"

    def ready(self):
        # Celery's autodiscovery finds partners.tasks only; the collation's tasks live in their own package.
        from partners.collation import tasks  # noqa: F401
        # A reporting organisation is told what came of the priority its concern went into.
        from crm.signals import priority_moved
        from partners.notices import priority_finished_notify

        priority_moved.connect(priority_finished_notify, dispatch_uid="partners.priority_finished_notify")
