"""Mounted at /open311/v2/: the GeoReport v2 resources, each as .json or .xml."""
from django.urls import path, re_path, register_converter

from partners.open311 import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311_format")

app_name = "open311"
urlpatterns = [
    path("discovery.<open311_format:fmt>", views.DiscoveryView.as_view(), name="discovery"),
    path("services.<open311_format:fmt>", views.ServiceListView.as_view(), name="services"),
    path("services/<slug:code>.<open311_format:fmt>", views.ServiceDefinitionView.as_view(), name="service"),
    path("requests.<open311_format:fmt>", views.RequestsView.as_view(), name="requests"),
    path("requests/<int:pk>.<open311_format:fmt>", views.RequestDetailView.as_view(), name="request"),
    path("tokens/<str:token>.<open311_format:fmt>", views.TokenView.as_view(), name="token"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
