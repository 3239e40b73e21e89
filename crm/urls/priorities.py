from django.urls import path

from crm.views import priorities as views

urlpatterns = [
    path("priorities/", views.PriorityListView.as_view(), name="priority-list"),
    path("priorities/agree/", views.PriorityCreateView.as_view(), name="priority-create"),
    path("priorities/<int:pk>/", views.PriorityDetailView.as_view(), name="priority-detail"),
    path("priorities/<int:pk>/status/", views.PriorityMoveView.as_view(), name="priority-move"),
    path("priorities/<int:pk>/actions/add/", views.PriorityActionCreateView.as_view(), name="priority-action-add"),
    path("priorities/<int:pk>/actions/<int:action_pk>/edit/", views.PriorityActionEditView.as_view(), name="priority-action-edit"),
    path("priorities/<int:pk>/actions/<int:action_pk>/withdraw/", views.PriorityActionWithdrawView.as_view(), name="priority-action-withdraw"),
    path("neighbourhoods/<int:pk>/you-said-we-did/", views.YouSaidWeDidView.as_view(), name="you-said-we-did"),
]
