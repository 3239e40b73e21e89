from django.urls import path

from geo import views

app_name = "geo"
urlpatterns = [
    path("map/", views.MapView.as_view(), name="map"),
    path("geo/neighbourhoods.geojson", views.NeighbourhoodBoundariesView.as_view(), name="neighbourhood-boundaries"),
    path("geo/locate/", views.LocateNeighbourhoodView.as_view(), name="locate"),
    path("neighbourhoods/", views.NeighbourhoodListView.as_view(), name="neighbourhood-list"),
    path("neighbourhoods/<int:pk>/", views.NeighbourhoodDetailView.as_view(), name="neighbourhood"),
]
