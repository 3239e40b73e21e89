from django.urls import path

from retention import views

app_name = "retention"
urlpatterns = [
    path("", views.ScheduleListView.as_view(), name="schedule-list"),
    path("schedules/new/", views.ScheduleFormView.as_view(), name="schedule-create"),
    path("schedules/<int:pk>/", views.ScheduleFormView.as_view(), name="schedule-edit"),
    path("due/", views.DueListView.as_view(), name="due-list"),
    path("due/<int:pk>/<str:decision>/", views.DueActionView.as_view(), name="due-action"),
    path("holds/", views.HoldListView.as_view(), name="holds"),
    path("holds/<int:pk>/lift/", views.HoldLiftView.as_view(), name="hold-lift"),
    path("decisions/", views.DecisionListView.as_view(), name="decisions"),
]
