from django.urls import path

from crm.views import contacts as views

urlpatterns = [
    path("contacts/", views.ContactListView.as_view(), name="contact-list"),
    path("contacts/new/", views.ContactCreateView.as_view(), name="contact-create"),
    path("contacts/<int:pk>/", views.ContactDetailView.as_view(), name="contact-detail"),
    path("contacts/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact-edit"),
    path("partner-contacts/", views.PartnerContactListView.as_view(), name="partner-contact-list"),
    path("partner-contacts/new/", views.PartnerContactCreateView.as_view(), name="partner-contact-create"),
    path("partner-contacts/<int:pk>/", views.PartnerContactDetailView.as_view(), name="partner-contact-detail"),
    path("partner-contacts/<int:pk>/edit/", views.PartnerContactUpdateView.as_view(), name="partner-contact-edit"),
]
