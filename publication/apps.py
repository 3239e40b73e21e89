from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "Open data and public pages"
    default_auto_field = "django.db.models.BigAutoField"
