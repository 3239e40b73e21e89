from django.urls import path

from sharing_protocols import views

app_name = "sharing"
urlpatterns = [
    path("records/<str:label>/<int:pk>/who-can-see/", views.WhoCanSeeView.as_view(), name="who-can-see"),
    path("records/<str:label>/<int:pk>/share/", views.RecordShareView.as_view(), name="record-share"),
]
