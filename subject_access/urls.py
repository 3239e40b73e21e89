from django.urls import path

from subject_access import views

app_name = "subject_access"
urlpatterns = [
    path("", views.RequestListView.as_view(), name="request-list"),
    path("new/", views.RequestCreateView.as_view(), name="request-create"),
    path("<int:pk>/", views.RequestDetailView.as_view(), name="request-detail"),
    path("<int:pk>/items/<int:item_pk>/", views.ItemReviewView.as_view(), name="item-review"),
    path("<int:pk>/<str:change>/", views.RequestChangeView.as_view(), name="request-change"),
    path("<int:pk>/packages/<int:package_pk>/<str:kind>/", views.PackageFileView.as_view(), name="package-file"),
]
