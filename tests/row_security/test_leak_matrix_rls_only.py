"""The generated leak matrix again, with the ORM's predicate switched off (access.visibility.ORM_PREDICATE):
every row passes visible_to's door, so what the users read is what PostgreSQL's row-level security lets
through, and it must be exactly what the matrix expects.

Every surface of the matrix: visible_to for every persona and state, the lists, searches, detail, edit and admin
pages, the CSV export, Open311, the report, "who can see this", the register and the disclosure log. The world is
the matrix's own (tests/sharing_protocols/test_leak_matrix.py), built once for this module. The report is read in
the user's context, as its task reads it (reports/tasks.py); the matrix itself calls it in the tests' system
context, where only the ORM's predicate filters."""
import pytest

from access import visibility
from row_security.context import viewer_context
from tests.sharing_protocols import test_leak_matrix as matrix
from tests.sharing_protocols.test_leak_matrix import (  # noqa: F401  (pytest collects the imported tests here)
    test_a_one_off_share_is_an_object_permission_guardian_itself_can_read, test_detail_pages_answer_200_or_404_and_never_show_withheld_text,
    test_edit_pages_answer_404_for_everyone_but_the_owner, test_every_record_page_answers_404_to_those_who_may_not_see_or_change_it,
    test_list_pages_show_exactly_the_visible_rows_and_no_withheld_text, test_open311_answers_404_for_a_concern_the_key_may_not_read,
    test_open311_requests_hold_exactly_the_visible_concerns, test_searching_for_a_withheld_name_finds_nothing,
    test_the_admin_change_page_opens_only_visible_contacts, test_the_admin_changelist_holds_exactly_the_visible_contacts,
    test_the_csv_export_holds_exactly_the_visible_contacts_without_withheld_fields,
    test_the_disclosure_log_page_shows_an_organisation_only_its_own_entries, test_the_register_shows_a_protocol_only_to_its_parties_governance,
    test_who_can_see_answers_the_holder_wholly_a_recipient_for_itself_and_anyone_else_404, world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def orm_predicate_off(monkeypatch):
    monkeypatch.setattr(visibility, "ORM_PREDICATE", False)


@pytest.mark.parametrize("state", matrix.STATES)
@pytest.mark.parametrize(("role", "organisation"), matrix.PERSONAS, ids=[f"{r}-{o}" for r, o in matrix.PERSONAS])
def test_visible_to_returns_exactly_what_the_protocols_allow_in_the_users_context(world, role, organisation, state):
    """The matrix's (a), read as the user reads in a request or a task acting for them."""
    with viewer_context(world.user(role, organisation, state)):
        matrix.test_visible_to_returns_exactly_what_the_protocols_allow(world, role, organisation, state)


@pytest.mark.parametrize(("organisation", "state"), matrix.SURFACE_CELLS, ids=matrix.CELL_IDS)
def test_the_report_counts_exactly_the_visible_concerns_in_the_users_context(world, organisation, state):
    """The matrix's (h), read as the report's task reads it: in the requesting user's context."""
    with viewer_context(world.user(matrix.REPRESENTATIVE[organisation], organisation, state)):
        matrix.test_the_report_counts_exactly_the_visible_concerns(world, organisation, state)


def test_the_switch_lets_every_row_through_the_orm(world):
    """So that the tests above prove something: without row-level security, a stranger would read the rows."""
    from partners.models import Concern
    from row_security.context import system_context

    stranger = world.users[("officer", "other_force")]
    with system_context("tests: the ORM alone", audit=False):
        assert Concern.objects.visible_to(stranger).filter(pk__in=world.pks(Concern)).count() == len(world.pks(Concern))
