"""Public pages under /your-area/, the police.uk-compatible API under /api/, the open data under
/open-data/; the screening review (signed in) under /screening/. API paths have no trailing slash,
as on data.police.uk, so police.uk clients build them unchanged."""
from django.urls import path

from publication import api, views

app_name = "publication"
urlpatterns = [
    path("your-area/", views.PublicNeighbourhoodListView.as_view(), name="area-list"),
    path("your-area/profile/", views.PublicProfileView.as_view(), name="profile"),
    path("your-area/<slug:force>/<str:code>/", views.PublicNeighbourhoodView.as_view(), name="area"),
    path("your-area/<slug:force>/<str:code>/meetings.ics", views.MeetingsCalendarView.as_view(), name="area-calendar"),
    path("api/forces", api.ForcesView.as_view(), name="api-forces"),
    path("api/forces/<slug:force>", api.ForceView.as_view(), name="api-force"),
    path("api/forces/<slug:force>/people", api.ForcePeopleView.as_view(), name="api-force-people"),
    path("api/locate-neighbourhood", api.LocateNeighbourhoodView.as_view(), name="api-locate"),
    path("api/<slug:force>/neighbourhoods", api.NeighbourhoodsView.as_view(), name="api-neighbourhoods"),
    path("api/<slug:force>/<str:neighbourhood>", api.NeighbourhoodView.as_view(), name="api-neighbourhood"),
    path("api/<slug:force>/<str:neighbourhood>/boundary", api.BoundaryView.as_view(), name="api-boundary"),
    path("api/<slug:force>/<str:neighbourhood>/people", api.PeopleView.as_view(), name="api-people"),
    path("api/<slug:force>/<str:neighbourhood>/events", api.EventsView.as_view(), name="api-events"),
    path("api/<slug:force>/<str:neighbourhood>/priorities", api.PrioritiesView.as_view(), name="api-priorities"),
    path("api/<path:rest>", api.not_found, name="api-not-found"),  # last of the API paths
    path("open-data/", views.OpenDataView.as_view(), name="open-data"),
    path("open-data/latest/", views.LatestReleaseView.as_view(), name="latest-release"),
    path("open-data/releases/new/", views.ReleaseRequestView.as_view(), name="release-request"),
    path("open-data/releases/<int:pk>/retry/", views.ReleaseRetryView.as_view(), name="release-retry"),
    path("open-data/releases/<int:version>/", views.ReleaseView.as_view(), name="release"),
    path("open-data/releases/<int:version>/<str:path>", views.ReleaseFileView.as_view(), name="release-file"),
    path("screening/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("screening/<int:pk>/", views.ReviewView.as_view(), name="review"),
]
