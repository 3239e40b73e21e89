from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("new/", views.ReportRequestView.as_view(), name="request"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/status/", views.ReportStatusView.as_view(), name="status"),
    path("<int:pk>/retry/", views.ReportRetryView.as_view(), name="retry"),
    path("<int:pk>/download/<str:kind>/", views.ReportDownloadView.as_view(), name="download"),
]
