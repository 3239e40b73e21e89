from django.apps import AppConfig


class ConcernResponsesConfig(AppConfig):
    name = "partners.responses"
    label = "concern_responses"
    verbose_name = "Police responses to partner concerns"
