from django.apps import AppConfig


class SharingProtocolsConfig(AppConfig):
    name = "sharing_protocols"
    verbose_name = "Information-sharing protocols"
