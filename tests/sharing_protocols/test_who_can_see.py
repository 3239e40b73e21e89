""""Who can see this" answers the asker: the holder's IG everything, another party's IG only its own
organisation's access, anyone else a 404; never a team that would get a 404, never a third party's share reason."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations.models import OrganisationKind
from access.roles import Role
from sharing_protocols.explain import who_can_see
from sharing_protocols.shares import record_share
from tests.factories import ContactFactory, MembershipFactory, OrganisationFactory, TeamFactory, UserFactory
from tests.sharing_protocols.test_protocol_sign_off import governance

pytestmark = pytest.mark.django_db
SECRET_REASON = "safeguarding referral for the child at number 4"


@pytest.fixture
def fire(db):
    return OrganisationFactory(name="Cumbria Fire and Rescue", slug="fire", kind=OrganisationKind.FIRE_AND_RESCUE)


@pytest.fixture
def world(publish, force, team, council, fire, officer):
    contact = ContactFactory(organisation=team)
    publish(provider=force, recipient=council, categories=("contacts",), reference="council-contacts")
    publish(provider=force, recipient=fire, categories=("contacts",), reference="fire-contacts")
    housing = OrganisationFactory(name="Furness Housing", slug="housing", kind=OrganisationKind.HOUSING)
    record_share(record=contact, organisation=housing, reason=SECRET_REASON, expires_at=timezone.now() + timedelta(days=7),
                 includes_personal_data=False, acting_user=officer)
    return contact


def url(contact):
    return reverse("sharing:who-can-see", args=["crm.contact", contact.pk])


def test_the_holders_governance_sees_every_organisation_and_why(client, world, force):
    client.force_login(governance("force-ig", force))
    page = client.get(url(world)).content.decode()
    for name in ("Hindpool neighbourhood team", "Westmorland and Furness Council", "Cumbria Fire and Rescue", "Furness Housing"):
        assert name in page
    assert SECRET_REASON in page


def test_another_partys_governance_sees_only_its_own_access(client, world, council):
    client.force_login(governance("council-ig", council))
    response = client.get(url(world))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Westmorland and Furness Council" in page and "council-contacts v1" not in page  # the explanation, not other references
    assert "Cumbria Fire and Rescue" not in page and "fire-contacts" not in page
    assert "Furness Housing" not in page and SECRET_REASON not in page
    assert [r.organisation.name for r in response.context["reasons"]] == ["Westmorland and Furness Council"]


def test_nobody_else_sees_the_page(client, world, officer, partner_user, other_force):
    for user in (officer, partner_user, governance("lancs-ig", other_force)):
        client.force_login(user)
        assert client.get(url(world)).status_code == 404, user


def test_a_team_that_cannot_open_the_record_is_never_listed(force, team):
    """A force-held record is read by the force's members, not by a team's own: no team is listed for it."""
    other_team = TeamFactory(name="Ormsgill neighbourhood team", slug="team-ormsgill", parent=force)
    record = ContactFactory(organisation=force)
    team_only = UserFactory()
    MembershipFactory(user=team_only, organisation=other_team, role=Role.OFFICER)
    from crm.models import Contact

    assert not Contact.objects.visible_to(team_only).filter(pk=record.pk).exists()
    assert {r.organisation for r in who_can_see(record)} == {force}


def test_every_organisation_listed_can_open_the_record_and_no_other_can(world, force, team, council, fire, other_force):
    """The answer and visible_to agree, organisation by organisation."""
    from crm.models import Contact
    from organisations.models import Organisation

    listed = {r.organisation.pk for r in who_can_see(world)}
    for organisation in Organisation.objects.all():
        member = UserFactory()
        MembershipFactory(user=member, organisation=organisation, role=Role.INFORMATION_GOVERNANCE)
        sees = Contact.objects.visible_to(member).filter(pk=world.pk).exists()
        assert sees is (organisation.pk in listed), organisation


def test_record_pages_link_to_who_can_see_only_when_it_would_answer(client, world, council, force, other_force):
    detail = reverse("crm:contact-detail", args=[world.pk])
    client.force_login(governance("council-ig", council))
    assert url(world) in client.get(detail).content.decode()
    client.force_login(governance("force-ig", force))
    assert url(world) in client.get(detail).content.decode()
    both = UserFactory(username="ig-and-officer")
    MembershipFactory(user=both, organisation=other_force, role=Role.INFORMATION_GOVERNANCE)
    MembershipFactory(user=both, organisation=force, role=Role.MANAGER)
    client.force_login(both)
    page = client.get(detail)
    assert page.status_code == 200 and url(world) not in page.content.decode()
    assert client.get(url(world)).status_code == 404
