from django.urls import path

from finder import views

app_name = "finder"
urlpatterns = [
    path("your-area/neighbourhoods.geojson", views.PublicBoundariesView.as_view(), name="public-boundaries"),
    path("places/", views.GazetteerView.as_view(), name="gazetteer"),
    path("neighbourhoods/<int:pk>/public-contact/", views.TeamContactView.as_view(), name="team-contact"),
]
