from django.urls import path

from home import views

app_name = "home"
urlpatterns = [
    path("looked/<slug:kind>/", views.LookView.as_view(), name="look"),
]
