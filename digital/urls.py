from django.urls import path

from digital import views, views_text

app_name = "digital"

urlpatterns = [
    path("", views.HotTopicsView.as_view(), name="hot-topics"),
    path("neighbourhoods/<int:pk>/", views.NeighbourhoodHotTopicsView.as_view(), name="neighbourhood"),
    path("topics/<int:pk>/", views.TopicDetailView.as_view(), name="topic"),
    path("topics/<int:pk>/raise/", views.RaiseTopicView.as_view(), name="topic-raise"),
    path("text-topics/", views_text.PartnerTextTopicsView.as_view(), name="partner-text-topics"),
    path("text-topics/find-again/", views_text.TextAnalysisRequestView.as_view(), name="text-analysis-request"),
    path("text-topics/<int:pk>/", views_text.TextTopicDetailView.as_view(), name="text-topic"),
    path("imports/", views.ImportListView.as_view(), name="import-list"),
    path("imports/upload/", views.ImportUploadView.as_view(), name="import-upload"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/status/", views.ImportStatusView.as_view(), name="import-status"),
    path("imports/<int:pk>/confirm/", views.ImportConfirmView.as_view(), name="import-confirm"),
    path("imports/<int:pk>/retry/", views.ImportRetryView.as_view(), name="import-retry"),
]
