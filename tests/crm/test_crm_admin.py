"""The admin holds every CRM record, searchable and filterable, through the same door as the pages."""
import pytest
from django.urls import reverse

from tests.factories import (
    AdvisoryAdviceFactory, AdvisoryGroupFactory, CommunityGroupFactory, ContactFactory, EngagementFactory, PartnerContactFactory,
    PriorityFactory, QuestionnaireFactory,
)

pytestmark = pytest.mark.django_db

CRM_MODELS = ["contact", "partnercontact", "communitygroup", "advisorygroup", "advisoryadvice", "engagement", "questionnaire",
              "priority", "underrepresentedgroup", "issuecategory"]


@pytest.fixture
def records(force, other_force):
    for organisation, label in ((force, "Ours"), (other_force, "Theirs")):
        ContactFactory(organisation=organisation, first_name=f"{label}Contact")
        PartnerContactFactory(organisation=organisation, name=f"{label} Partner")
        CommunityGroupFactory(organisation=organisation, name=f"{label} Residents")
        AdvisoryAdviceFactory(advisory_group=AdvisoryGroupFactory(organisation=organisation, name=f"{label} IAG"), policy=f"{label} policy")
        EngagementFactory(organisation=organisation, title=f"{label} beat meeting")
        QuestionnaireFactory(organisation=organisation, name=f"{label} questionnaire")
        PriorityFactory(organisation=organisation, issue=f"{label} priority")


@pytest.mark.parametrize("model", CRM_MODELS)
def test_every_crm_list_opens_with_search_and_filters(admin_client_hub, records, model):
    response = admin_client_hub.get(reverse(f"admin:crm_{model}_changelist"), {"q": "a"})
    assert response.status_code == 200
    assert 'id="searchbar"' in response.content.decode()


@pytest.mark.parametrize("model, ours, theirs", [
    ("contact", "OursContact", "TheirsContact"), ("partnercontact", "Ours Partner", "Theirs Partner"),
    ("communitygroup", "Ours Residents", "Theirs Residents"), ("advisorygroup", "Ours IAG", "Theirs IAG"),
    ("engagement", "Ours beat meeting", "Theirs beat meeting"), ("questionnaire", "Ours questionnaire", "Theirs questionnaire"),
])
def test_an_administrator_sees_only_their_own_forces_records(admin_client_hub, records, model, ours, theirs):
    page = admin_client_hub.get(reverse(f"admin:crm_{model}_changelist")).content.decode()
    assert ours in page
    assert theirs not in page


def test_the_engagement_list_filters_by_type(admin_client_hub, force, records):
    EngagementFactory(organisation=force, title="Ours surgery", kind="surgery")
    response = admin_client_hub.get(reverse("admin:crm_engagement_changelist"), {"kind__exact": "surgery"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ours surgery" in page and "Ours beat meeting" not in page
