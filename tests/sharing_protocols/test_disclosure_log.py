"""The disclosure log is append-only and hash-chained; the verify command names the first broken entry."""
import contextlib

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection, transaction

from sharing_protocols.disclosures import GENESIS, disclosure_record, verify_chain
from sharing_protocols.models import DisclosureAction, DisclosureEntry
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
IGNORE_PROTECTION = "sharing_protocols.DisclosureEntry:append_only"


def lift_force(table: str, *, lifted: bool = True) -> None:
    """ALTER TABLE waits for no deferred check: the test's transaction fires its pending ones first."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'ALTER TABLE "{table}" {"NO " if lifted else ""}FORCE ROW LEVEL SECURITY')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextlib.contextmanager
def as_the_database_owner():
    """What someone holding the database owner's own access might do: lift row-level security's FORCE from the log
    (so its owner passes the policies, which have no UPDATE or DELETE policy at all) and ignore its trigger."""
    lift_force(DisclosureEntry._meta.db_table)
    try:
        with pgtrigger.ignore(IGNORE_PROTECTION):
            yield
    finally:
        lift_force(DisclosureEntry._meta.db_table, lifted=False)


@pytest.fixture
def three_entries(partner_user, council, force):
    contact = ContactFactory(organisation=force)
    return [
        disclosure_record(user=partner_user, organisation=council, action=DisclosureAction.READ, record=contact,
                          protocol_reference="Furness community safety ISP v2, clause 4.1", purpose="Neighbourhood priorities"),
        disclosure_record(user=partner_user, organisation=council, action=DisclosureAction.EXPORT, record_type="crm.contact",
                          purpose="Monthly partnership report", details={"rows": 12}),
        disclosure_record(user=partner_user, organisation=council, action=DisclosureAction.READ, record=contact, purpose="Follow-up"),
    ]


def test_each_entry_carries_the_hash_of_the_one_before(three_entries):
    first, second, third = three_entries
    assert first.previous_hash == GENESIS
    assert second.previous_hash == first.entry_hash and third.previous_hash == second.entry_hash
    assert first.record_type == "crm.contact" and first.user_label == "sam-council" and first.organisation_label == "Westmorland and Furness Council"


def test_an_intact_log_verifies(three_entries, capsys):
    call_command("verify_disclosure_log")
    assert "The disclosure log is intact: 3 entries checked." in capsys.readouterr().out


def test_the_database_refuses_to_change_an_entry(three_entries):
    """Row-level security has no UPDATE policy: not even a system context (the tests') finds the entry to change; and
    were row-level security lifted, the trigger refuses."""
    assert DisclosureEntry.objects.filter(pk=three_entries[1].pk).update(purpose="Nothing to see") == 0
    lift_force(DisclosureEntry._meta.db_table)  # were row-level security lifted
    with pytest.raises(ProgrammingError, match="Cannot update or delete rows"), transaction.atomic():
        DisclosureEntry.objects.filter(pk=three_entries[1].pk).update(purpose="Nothing to see")
    assert DisclosureEntry.objects.get(pk=three_entries[1].pk).purpose == "Monthly partnership report"


def test_the_database_refuses_to_delete_an_entry(three_entries):
    assert DisclosureEntry.objects.filter(pk=three_entries[1].pk).delete()[0] == 0
    lift_force(DisclosureEntry._meta.db_table)  # were row-level security lifted
    with pytest.raises(ProgrammingError, match="Cannot update or delete rows"), transaction.atomic():
        DisclosureEntry.objects.filter(pk=three_entries[1].pk).delete()


def test_a_changed_entry_is_named_as_the_first_broken_one(three_entries):
    with as_the_database_owner():
        DisclosureEntry.objects.filter(pk=three_entries[1].pk).update(purpose="Nothing to see")
    with pytest.raises(CommandError) as error:
        call_command("verify_disclosure_log")
    message = str(error.value)
    assert f"The chain is broken at entry #{three_entries[1].pk}" in message
    assert "its content does not match its hash (it was changed)" in message
    assert "1 entries before it are intact" in message


def test_a_removed_entry_breaks_the_chain_at_the_next_one(three_entries):
    with as_the_database_owner():
        DisclosureEntry.objects.filter(pk=three_entries[1].pk).delete()
    report = verify_chain()
    assert report.first_broken.pk == three_entries[2].pk
    assert report.reason == "it does not point at the entry before it (an entry was removed or reordered)"


def test_an_empty_log_is_intact():
    assert verify_chain().intact and verify_chain().checked == 0


def test_information_governance_reads_their_organisations_entries_only(client, three_entries, council, force):
    from django.urls import reverse

    from access.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    police_dpo = UserFactory(username="police-dpo", is_staff=True)
    MembershipFactory(user=police_dpo, organisation=force, role=Role.INFORMATION_GOVERNANCE)
    council_dpo = UserFactory(username="council-dpo", is_staff=True)
    MembershipFactory(user=council_dpo, organisation=council, role=Role.INFORMATION_GOVERNANCE)
    url = reverse("admin:sharing_protocols_disclosureentry_changelist")
    client.force_login(council_dpo)
    assert client.get(url).context["cl"].result_count == 3
    client.force_login(police_dpo)
    assert client.get(url).context["cl"].result_count == 0
