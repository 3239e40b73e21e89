from django.urls import path

from sharing_protocols import log_views, register_views, views

app_name = "sharing"
urlpatterns = [
    path("records/<str:label>/<int:pk>/who-can-see/", views.WhoCanSeeView.as_view(), name="who-can-see"),
    path("records/<str:label>/<int:pk>/share/", views.RecordShareView.as_view(), name="record-share"),
    path("protocols/", register_views.ProtocolListView.as_view(), name="protocol-list"),
    path("protocols/new/", register_views.ProtocolDraftView.as_view(), name="protocol-new"),
    path("protocols/<int:pk>/", register_views.ProtocolDetailView.as_view(), name="protocol-detail"),
    path("protocols/<int:pk>/draft/", register_views.ProtocolDraftView.as_view(), name="protocol-draft"),
    path("protocols/<int:pk>/suspend/", register_views.SuspendView.as_view(), name="protocol-suspend"),
    path("protocols/<int:pk>/versions/<int:number>/", register_views.VersionDetailView.as_view(), name="protocol-version"),
    path("protocols/<int:pk>/versions/<int:number>/send/", register_views.SendForSignatureView.as_view(), name="protocol-send"),
    path("protocols/<int:pk>/versions/<int:number>/sign/", register_views.SignView.as_view(), name="protocol-sign"),
    path("protocols/<int:pk>/versions/<int:number>/agreement.pdf", register_views.AgreementPdfView.as_view(), name="protocol-agreement"),
    path("disclosure-log/", log_views.DisclosureLogView.as_view(), name="disclosure-log"),
    path("disclosure-log/verify/", log_views.VerifyChainView.as_view(), name="disclosure-log-verify"),
]
