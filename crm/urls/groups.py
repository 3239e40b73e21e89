from django.urls import path

from crm.views import groups as views

urlpatterns = [
    path("groups/", views.CommunityGroupListView.as_view(), name="group-list"),
    path("groups/new/", views.CommunityGroupCreateView.as_view(), name="group-create"),
    path("groups/<int:pk>/", views.CommunityGroupDetailView.as_view(), name="group-detail"),
    path("groups/<int:pk>/edit/", views.CommunityGroupUpdateView.as_view(), name="group-edit"),
]
