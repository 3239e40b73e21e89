from django.apps import AppConfig


class DigitalConfig(AppConfig):
    """Digital engagement: imported social-media conversations, their places, topics and tone."""

    name = "digital"
    verbose_name = "Digital engagement"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from celery.signals import task_success

        task_success.connect(_after_collation, dispatch_uid="digital.text_topics_after_collation", weak=False)


COLLATION_TASK = "partners.collation.tasks.collate_partner_concerns"


def _after_collation(sender=None, **kwargs):
    """The day's concerns are collated (placed in neighbourhoods): find the topics in them and in issues raised."""
    if getattr(sender, "name", None) == COLLATION_TASK:
        from digital.tasks import analyse_free_text_after_collation

        analyse_free_text_after_collation.delay()
