"""The generated leak matrix again, with the ORM's predicate switched off (access.visibility.ORM_PREDICATE):
every row passes visible_to's door, so what the users read is what PostgreSQL's row-level security lets
through, and it must be exactly what the matrix expects.

A subset: visible_to for every persona and state, the contact and concern lists, and the detail pages;
the world is the matrix's own (tests/sharing_protocols/test_leak_matrix.py), built once for this module."""
import pytest

from access import visibility
from row_security.context import viewer_context
from tests.sharing_protocols import test_leak_matrix as matrix
from tests.sharing_protocols.test_leak_matrix import (  # noqa: F401  (pytest collects the imported tests here)
    test_detail_pages_answer_200_or_404_and_never_show_withheld_text, test_list_pages_show_exactly_the_visible_rows_and_no_withheld_text,
    test_open311_requests_hold_exactly_the_visible_concerns, world,
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


def test_the_switch_lets_every_row_through_the_orm(world):
    """So that the tests above prove something: without row-level security, a stranger would read the rows."""
    from partners.models import Concern
    from row_security.context import system_context

    stranger = world.users[("officer", "other_force")]
    with system_context("tests: the ORM alone", audit=False):
        assert Concern.objects.visible_to(stranger).filter(pk__in=world.pks(Concern)).count() == len(world.pks(Concern))
