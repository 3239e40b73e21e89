from django.urls import path

from crm.views import people as views

urlpatterns = [
    path("people/", views.PeopleListView.as_view(), name="people"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person"),
]
