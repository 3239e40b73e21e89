from django.urls import path

from crm.views import engagements as views

urlpatterns = [
    path("engagements/", views.EngagementListView.as_view(), name="engagement-list"),
    path("engagements/log/", views.EngagementFormView.as_view(), name="engagement-create"),
    path("engagements/<int:pk>/", views.EngagementDetailView.as_view(), name="engagement-detail"),
    path("engagements/<int:pk>/edit/", views.EngagementFormView.as_view(), name="engagement-edit"),
    path("engagements/<int:pk>/visits/add/", views.DoorstepVisitCreateView.as_view(), name="engagement-visit-add"),
]
