"""The CRM's URLs, one module per area (each area's views, forms and templates sit beside it)."""
from crm.urls import advisory, contacts, engagements, groups, people, priorities, transfer

app_name = "crm"
urlpatterns = [
    *people.urlpatterns,
    *contacts.urlpatterns,
    *groups.urlpatterns,
    *advisory.urlpatterns,
    *engagements.urlpatterns,
    *priorities.urlpatterns,
    *transfer.urlpatterns,
]
