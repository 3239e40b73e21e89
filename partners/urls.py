from django.urls import path  # noqa: F401

from partners.views import collation as collation_views  # noqa: E402
from partners.views import imports as import_views  # noqa: E402

app_name = "partners"
urlpatterns = []
# The daily collation (issue 5).
urlpatterns += [
    path("collation/", collation_views.CollationView.as_view(), name="collation"),
    path("collation/run/", collation_views.CollationRunNowView.as_view(), name="collation-run"),
    path("collation/neighbourhoods/<int:pk>/", collation_views.NeighbourhoodConcernsView.as_view(), name="collation-neighbourhood"),
    path("collation/teams/<int:pk>/digests/", collation_views.TeamDigestsView.as_view(), name="collation-team-digests"),
    path("collation/digests/<int:pk>/", collation_views.DigestDetailView.as_view(), name="collation-digest"),
]
# Bulk files of concerns (issue 5).
urlpatterns += [
    path("imports/", import_views.ImportListView.as_view(), name="import-list"),
    path("imports/new/", import_views.ImportUploadView.as_view(), name="import-upload"),
    path("imports/template.csv", import_views.ImportTemplateView.as_view(), name="import-template"),
    path("imports/<int:pk>/", import_views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/status.json", import_views.ImportStatusView.as_view(), name="import-status"),
    path("imports/<int:pk>/confirm/", import_views.ImportConfirmView.as_view(), name="import-confirm"),
]
