from django.apps import AppConfig


class ReadRoutingConfig(AppConfig):
    name = "read_routing"
    verbose_name = "Read routing to the standby"
