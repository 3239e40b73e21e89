from django.apps import AppConfig


class HubUiConfig(AppConfig):
    name = "hub_ui"
    verbose_name = "Interface"
