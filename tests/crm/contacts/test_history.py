"""crm.history.history_for: what changed, when and by whom, read from pghistory's events."""
import pytest
from django.urls import reverse

from crm.history import history_for
from crm.models import Contact, LawfulBasis
from crm.services import record_save
from tests.crm.contacts.helpers import in_a_year, page_text, team_colleague
from tests.factories import ContactFactory, NeighbourhoodFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_history_shows_who_changed_which_field_from_what_to_what(client, team, officer):
    contact = Contact(
        first_name="Aisha", last_name="Khan", email="aisha@example.org", lawful_basis=LawfulBasis.PUBLIC_TASK, retain_until=in_a_year(),
    )
    record_save(instance=contact, acting_user=officer, organisation=team)
    colleague = team_colleague(team)
    client.force_login(colleague)
    client.post(reverse("crm:contact-edit", args=[contact.pk]), {
        "first_name": "Aisha", "last_name": "Khan", "email": "aisha.khan@example.org", "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "preferred_channel": "phone", "language": "English", "retain_until": contact.retain_until.isoformat(),
    })
    text = page_text(client.get(reverse("crm:contact-detail", args=[contact.pk])))
    history = text.split("History of changes", 1)[1]
    assert history.index("Changed by Gwen Jones") < history.index("Created by Priya Shah")  # newest first
    assert "Email From aisha@example.org to aisha.khan@example.org" in history
    assert "Preferred channel From Email to Phone" in history
    assert "First name" not in history  # unchanged fields are not listed


def test_a_change_of_neighbourhood_reads_as_names(officer, team):
    before, after = NeighbourhoodFactory(name="Hindpool"), NeighbourhoodFactory(name="Walney North")
    contact = ContactFactory(organisation=team, neighbourhood=before)
    contact.neighbourhood = after
    record_save(instance=contact, acting_user=officer)
    [change] = history_for(contact)[0].changes
    assert (change.field, change.before, change.after) == ("Neighbourhood", "Hindpool", "Walney North")


def test_a_user_without_a_name_is_shown_by_username(team):
    nameless = UserFactory(username="pcso-4471", first_name="", last_name="")
    contact = ContactFactory(organisation=team)
    contact.phone = "01229 000000"
    record_save(instance=contact, acting_user=nameless)
    assert history_for(contact)[0].who == "pcso-4471"


def test_a_change_made_outside_any_request_has_no_known_author(team):
    contact = ContactFactory(organisation=team)
    [created] = history_for(contact)
    assert (created.action, created.who) == ("created", None)


def test_a_deleted_record_has_a_deleted_entry(officer, team):
    contact = record_save(
        instance=Contact(first_name="Gone", last_name="Soon", lawful_basis=LawfulBasis.PUBLIC_TASK, retain_until=in_a_year()),
        acting_user=officer, organisation=team,
    )
    pk = contact.pk
    contact.delete()
    contact.pk = pk
    assert [entry.action for entry in history_for(contact)] == ["deleted", "created"]


def test_history_is_one_query_however_many_changes(officer, team, django_assert_num_queries):
    contact = ContactFactory(organisation=team, neighbourhood=NeighbourhoodFactory())
    for n in range(6):
        contact.phone = f"0770090000{n}"
        record_save(instance=contact, acting_user=officer)
    with django_assert_num_queries(1):
        entries = history_for(contact)
    assert len(entries) == 7
    assert all(entry.who == "Priya Shah" for entry in entries[:6])


def test_a_model_without_history_is_refused(officer):
    with pytest.raises(TypeError):
        history_for(officer)
