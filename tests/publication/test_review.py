"""Managers and information-governance officers review what screening held back: approve or
reject, audited; others cannot; a wording edited since screening cannot be approved."""
import re

import pytest
from django.urls import reverse

from organisations.models import AuditEvent
from access.roles import Role
from publication.models import Screening, ScreeningStatus, Subject
from tests.factories import MembershipFactory, UserFactory
from tests.publication.conftest import priority_with_action


@pytest.fixture
def held(hindpool, screen):
    priority, _ = priority_with_action(hindpool, issue="Parking on the verge outside LA14 2AB, call 01229 812345.")
    screen()
    return Screening.objects.get(subject=Subject.PRIORITY, object_id=priority.pk)


def test_the_queue_lists_held_text_for_a_manager(manager_client, held):
    page = manager_client.get(reverse("publication:review-queue")).content.decode()
    assert f'href="/screening/{held.pk}/"' in page and "A phone number; A postcode" in page


def test_the_review_page_marks_what_was_found(manager_client, held):
    page = manager_client.get(reverse("publication:review", args=[held.pk])).content.decode()
    assert '<mark data-finding="postcode">LA14 2AB</mark>' in page and '<mark data-finding="phone">01229 812345</mark>' in page


def test_approving_publishes_it_and_is_audited(manager_client, manager, held, client):
    response = manager_client.post(reverse("publication:review", args=[held.pk]), {"decision": "approve", "note": "The shop's own number."})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == ScreeningStatus.APPROVED and held.reviewed_by == manager
    event = AuditEvent.objects.get(action="publication.screening_approved")
    assert event.actor == manager and event.details["note"] == "The shop's own number."
    assert "Parking on the verge" in client.get("/your-area/cumbria/HIND/").content.decode()


def test_rejecting_needs_a_reason(manager_client, held):
    response = manager_client.post(reverse("publication:review", args=[held.pk]), {"decision": "reject", "note": ""})
    assert "Say why the text cannot be published" in response.content.decode()
    held.refresh_from_db()
    assert held.status == ScreeningStatus.FLAGGED


def test_a_wording_edited_since_screening_cannot_be_approved(manager_client, held):
    from crm.models import Priority

    Priority.objects.filter(pk=held.object_id).update(issue="Parking on the verge, call Jo.")
    response = manager_client.post(reverse("publication:review", args=[held.pk]), {"decision": "approve"})
    assert "The wording has changed since it was screened" in response.content.decode()
    held.refresh_from_db()
    assert held.status == ScreeningStatus.FLAGGED


def test_an_officer_cannot_review(officer_client, held):
    assert officer_client.get(reverse("publication:review-queue")).status_code == 403
    assert officer_client.post(reverse("publication:review", args=[held.pk]), {"decision": "approve"}).status_code == 403


def test_a_manager_of_another_force_gets_404(client, held, other_force):
    stranger = UserFactory(username="insp-elsewhere")
    MembershipFactory(user=stranger, organisation=other_force, role=Role.MANAGER)
    client.force_login(stranger)
    assert client.get(reverse("publication:review", args=[held.pk])).status_code == 404
    assert f"/screening/{held.pk}/" not in client.get(reverse("publication:review-queue")).content.decode()


def test_information_governance_can_review(client, held, force):
    governance = UserFactory(username="ig-officer")
    MembershipFactory(user=governance, organisation=force, role=Role.INFORMATION_GOVERNANCE)
    client.force_login(governance)
    assert client.get(reverse("publication:review", args=[held.pk])).status_code == 200


def test_the_queue_takes_constant_queries(manager_client, held, hindpool, screen, django_assert_num_queries):
    url = reverse("publication:review-queue")
    manager_client.get(url)
    # 1 session, 2 user, 3 roles (once: the reviewer check and the navigation share them), 4 the count for the
    # pagination, 5 the screenings with their organisations.
    # + 1: the reader's grant set, resolved once per request (access/grants.py), checked to be the one added query.
    with django_assert_num_queries(6):
        manager_client.get(url)
    for n in range(3):
        priority_with_action(hindpool, issue=f"Call 0770090012{n} about it.")
    screen()
    # + 1: the reader's grant set, resolved once per request (access/grants.py).
    with django_assert_num_queries(6):
        assert len(re.findall(r'href="/screening/\d+/"', manager_client.get(url).content.decode())) == 4  # one link a held text


def test_an_officer_opts_in_to_a_public_profile(officer_client, officer, hindpool, client):
    response = officer_client.post(reverse("publication:profile"), {"display_name": "PC Priya Shah", "rank": "Police Constable",
                                                                     "bio": "", "published": "on"})
    assert response.status_code == 302
    assert "PC Priya Shah" in client.get("/your-area/cumbria/HIND/").content.decode()
    assert AuditEvent.objects.filter(action="publication.profile_saved", actor=officer).exists()
