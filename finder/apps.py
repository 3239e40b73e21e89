from django.apps import AppConfig


class FinderConfig(AppConfig):
    """How the public find their neighbourhood (postcodes and place names from open files) and reach its team."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "finder"
    verbose_name = "Find your neighbourhood"
