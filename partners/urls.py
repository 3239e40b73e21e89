from django.urls import path  # noqa: F401

from partners.views import collation as collation_views  # noqa: E402
from partners.views import imports as import_views  # noqa: E402

app_name = "partners"
urlpatterns = []
# The daily collation (issue 5).
urlpatterns += [
    path("collation/", collation_views.CollationView.as_view(), name="collation"),
    path("collation/run/", collation_views.CollationRunNowView.as_view(), name="collation-run"),
    path("collation/runs/<int:pk>/retry/", collation_views.CollationRetryView.as_view(), name="collation-retry"),
    path("collation/neighbourhoods/<int:pk>/", collation_views.NeighbourhoodConcernsView.as_view(), name="collation-neighbourhood"),
    path("collation/teams/<int:pk>/digests/", collation_views.TeamDigestsView.as_view(), name="collation-team-digests"),
    path("collation/digests/<int:pk>/", collation_views.DigestDetailView.as_view(), name="collation-digest"),
]
# Partner concerns on the web (issue 5): report, list, read, edit and close.
from partners.views import concerns as concern_views  # noqa: E402
from partners.responses import views as response_views  # noqa: E402

urlpatterns += [
    path("concerns/", concern_views.ConcernListView.as_view(), name="concern-list"),
    path("concerns/report/", concern_views.ConcernReportView.as_view(), name="concern-report"),
    path("concerns/<int:pk>/", concern_views.ConcernDetailView.as_view(), name="concern-detail"),
    path("concerns/<int:pk>/edit/", concern_views.ConcernEditView.as_view(), name="concern-edit"),
    path("concerns/<int:pk>/close/", concern_views.ConcernCloseView.as_view(), name="concern-close"),
    path("concerns/<int:pk>/police-close/", response_views.ConcernPoliceCloseView.as_view(), name="concern-police-close"),
    path("concerns/<int:pk>/police-reopen/", response_views.ConcernPoliceReopenView.as_view(), name="concern-police-reopen"),
]
# Bulk files of concerns (issue 5).
urlpatterns += [
    path("imports/", import_views.ImportListView.as_view(), name="import-list"),
    path("imports/new/", import_views.ImportUploadView.as_view(), name="import-upload"),
    path("imports/template.csv", import_views.ImportTemplateView.as_view(), name="import-template"),
    path("imports/<int:pk>/", import_views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/status.json", import_views.ImportStatusView.as_view(), name="import-status"),
    path("imports/<int:pk>/confirm/", import_views.ImportConfirmView.as_view(), name="import-confirm"),
    path("imports/<int:pk>/retry/", import_views.ImportRetryView.as_view(), name="import-retry"),
]
# Open311 API keys for a partner organisation (issue 5).
from partners.views import api_keys as api_key_views  # noqa: E402

urlpatterns += [
    path("api-keys/", api_key_views.ApiKeyListView.as_view(), name="api-key-list"),
    path("api-keys/<int:pk>/revoke/", api_key_views.ApiKeyRevokeView.as_view(), name="api-key-revoke"),
    path("api-keys/<int:pk>/renew/", api_key_views.ApiKeyChangeView.as_view(action="renew"), name="api-key-renew"),
    path("api-keys/<int:pk>/rotate/", api_key_views.ApiKeyChangeView.as_view(action="rotate"), name="api-key-rotate"),
]

# What other organisations have shared with a partner organisation (one-off shares and protocol flows).
from partners.views import shared as shared_views  # noqa: E402

urlpatterns += [
    path("shared-with-us/", shared_views.SharedWithUsView.as_view(), name="shared-with-us"),
]
