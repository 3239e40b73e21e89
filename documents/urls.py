from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/", views.BuildDetailView.as_view(), name="build-detail"),
    path("<int:pk>/status/", views.BuildStatusView.as_view(), name="build-status"),
    path("<int:pk>/retry/", views.BuildRetryView.as_view(), name="build-retry"),
]
