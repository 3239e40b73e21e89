from django.urls import path

from crm.views import advisory as views

urlpatterns = [
    path("advisory-groups/", views.AdvisoryGroupListView.as_view(), name="advisory-list"),
    path("advisory-groups/new/", views.AdvisoryGroupCreateView.as_view(), name="advisory-create"),
    path("advisory-groups/<int:pk>/", views.AdvisoryGroupDetailView.as_view(), name="advisory-detail"),
    path("advisory-groups/<int:pk>/edit/", views.AdvisoryGroupEditView.as_view(), name="advisory-edit"),
    path("advisory-groups/<int:pk>/members/new/", views.AdvisoryMemberAddView.as_view(), name="advisory-member-add"),
    path("advisory-groups/<int:pk>/advice/new/", views.AdvisoryAdviceAddView.as_view(), name="advisory-advice-add"),
    path(
        "advisory-groups/<int:pk>/advice/<int:advice_pk>/response/", views.AdvisoryAdviceRespondView.as_view(),
        name="advisory-advice-respond",
    ),
]
