"""The public side of digital engagement: a question sent before a meeting (no sign-in)."""
from django.urls import path

from digital import views

app_name = "digital-public"

urlpatterns = [
    path("your-area/<slug:force>/<str:code>/meetings/<int:pk>/question/", views.MeetingQuestionView.as_view(), name="meeting-question"),
]
