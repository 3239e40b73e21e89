from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path

from home.views import HomeView


def healthz(request):
    """Up, and the database answers. For the start script and a load balancer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# A lost database connection answers 503 and Retry-After, not 500 (engagement_hub/database_outage.py).
handler500 = "engagement_hub.database_outage.server_error_or_unavailable"

admin.site.site_header = "Engagement Hub administration"
admin.site.site_title = "Engagement Hub"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("crm.urls")),
    path("", include("geo.urls")),
    path("partners/", include("partners.urls")),
    path("sharing/", include("sharing_protocols.urls")),
    path("open311/v2/", include("partners.open311.urls")),
    path("reports/", include("reports.urls")),
    path("online/", include("digital.urls")),
    path("", include("digital.urls_public")),
    path("", include("finder.urls")),  # before publication's, whose your-area/<force>/<code>/ would take its paths
    path("retention/", include("retention.urls")),
    path("subject-access/", include("subject_access.urls")),
    path("documents/", include("documents.urls")),
    path("notifications/", include("notifications.urls")),
    path("home/", include("home.urls")),
    path("", include("publication.urls")),
]
