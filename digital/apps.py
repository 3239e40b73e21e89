from django.apps import AppConfig


class DigitalConfig(AppConfig):
    """Digital engagement: imported social-media conversations, their places, topics and tone."""

    name = "digital"
    verbose_name = "Digital engagement"
    default_auto_field = "django.db.models.BigAutoField"
