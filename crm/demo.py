"""Demo organisations and people: a force built around a real place, its partners, one login per role.

Everything is keyed on natural identifiers (slugs, usernames), so seeding twice gives the same data.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction

from crm import services
from organisations.models import Membership, Organisation, OrganisationKind, User
from access.roles import Role

FORCE = ("cumbria-constabulary", "Cumbria Constabulary", "cumbria")
PARTNERS = [
    ("westmorland-and-furness-council", "Westmorland and Furness Council", OrganisationKind.COUNCIL),
    ("cumbria-fire-and-rescue", "Cumbria Fire and Rescue Service", OrganisationKind.FIRE_AND_RESCUE),
    ("furness-environmental-health", "Furness Environmental Health", OrganisationKind.ENVIRONMENTAL_HEALTH),
    ("cumbria-trading-standards", "Cumbria Trading Standards", OrganisationKind.TRADING_STANDARDS),
    ("furness-licensing", "Furness Licensing Team", OrganisationKind.LICENSING),
    ("furness-housing", "Furness Housing Services", OrganisationKind.HOUSING),
    ("furness-park-rangers", "Furness Park Rangers", OrganisationKind.PARK_RANGERS),
    ("barrow-ward-councillors", "Barrow Ward Councillors", OrganisationKind.WARD_COUNCILLOR),
    ("furness-voluntary-network", "Furness Voluntary Network", OrganisationKind.VOLUNTARY_SECTOR),
]
ADMINISTRATORS_GROUP = "Hub administrators"
BULK_USERNAME_PREFIX = "demo-bulk-"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    first_name: str
    last_name: str
    role: str
    organisation_slug: str  # "force", "team" (the first neighbourhood team) or a partner slug
    job_title: str


DEMO_LOGINS = [
    DemoLogin("officer", "Priya", "Shah", Role.OFFICER, "team", "Police constable"),
    DemoLogin("partner", "Sam", "Okafor", Role.PARTNER_USER, "westmorland-and-furness-council", "Community safety officer"),
    DemoLogin("manager", "Alex", "Morgan", Role.MANAGER, "force", "Inspector, neighbourhood policing"),
    DemoLogin("governance", "Jo", "Whitfield", Role.INFORMATION_GOVERNANCE, "force", "Data protection officer"),
    DemoLogin("admin", "Chris", "Doyle", Role.ADMINISTRATOR, "force", "Systems administrator"),
]


def seed_organisations() -> Organisation:
    slug, name, _ = FORCE
    force = services.organisation_upsert(slug=slug, name=name, kind=OrganisationKind.POLICE_FORCE)
    for partner_slug, partner_name, kind in PARTNERS:
        services.organisation_upsert(slug=partner_slug, name=partner_name, kind=kind)
    return force


def seed_teams(*, force: Organisation, neighbourhoods) -> list[Organisation]:
    """One neighbourhood team per neighbourhood, linked to it. Teams of neighbourhoods an
    earlier, larger seed made are stood down (deactivated: their history stays)."""
    wanted = {f"team-{n.code}"[:80] for n in neighbourhoods}
    Organisation.objects.filter(parent=force, kind=OrganisationKind.NEIGHBOURHOOD_TEAM).exclude(slug__in=wanted).update(is_active=False)
    teams = []
    for neighbourhood in neighbourhoods:
        team = services.organisation_upsert(
            slug=f"team-{neighbourhood.code}"[:80], name=f"{neighbourhood.name} neighbourhood team",
            kind=OrganisationKind.NEIGHBOURHOOD_TEAM, parent=force,
        )
        if neighbourhood.team_id != team.pk:
            neighbourhood.team = team
            neighbourhood.save(update_fields=["team"])
        teams.append(team)
    return teams


@transaction.atomic
def seed_people(*, force: Organisation, first_team: Organisation) -> list[User]:
    password = make_password(settings.DEMO_PASSWORD)
    users = []
    for login in DEMO_LOGINS:
        user, _ = User.objects.update_or_create(
            username=login.username,
            defaults={
                "first_name": login.first_name, "last_name": login.last_name,
                "email": f"{login.username}@demo.engagement-hub.invalid", "password": password,
                "is_active": True, "is_superuser": False,
                # Administrators run the admin; information governance reads the audit trail there.
                "is_staff": login.role in (Role.ADMINISTRATOR, Role.INFORMATION_GOVERNANCE),
            },
        )
        organisation = {"force": force, "team": first_team}.get(login.organisation_slug) or Organisation.objects.get(slug=login.organisation_slug)
        warranted = login.job_title == "Police constable"
        services.membership_grant(user=user, organisation=organisation, role=login.role, job_title=login.job_title, warranted=warranted)
        if login.organisation_slug == "team":
            # A constable belongs to the force as well as to their neighbourhood team.
            services.membership_grant(user=user, organisation=force, role=login.role, job_title=login.job_title, warranted=warranted)
        if login.role == Role.ADMINISTRATOR:
            user.groups.add(administrators_group())
        users.append(user)
    return users


def administrators_group() -> Group:
    """Model permissions for the hub's own apps: administrators run the admin without being superusers."""
    group, _ = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=["crm", "geo", "partners", "sharing_protocols"]))
    return group


@transaction.atomic
def seed_bulk_people(*, scale: int, seed: int = 2026) -> int:
    """`scale` extra users with memberships spread over every organisation, for benchmarks.
    Replaces any earlier bulk users, so the same scale always gives the same rows."""
    # Plain SQL: Django's deletion collector would load every bulk user into memory.
    with connection.cursor() as cursor:
        pattern = BULK_USERNAME_PREFIX + "%"
        cursor.execute(
            f"DELETE FROM {Membership._meta.db_table} WHERE user_id IN (SELECT id FROM {User._meta.db_table} WHERE username LIKE %s)",
            [pattern],
        )
        cursor.execute(f"DELETE FROM {User._meta.db_table} WHERE username LIKE %s", [pattern])
    if scale <= 0:
        return 0
    rng = random.Random(seed)
    organisations = list(Organisation.objects.order_by("pk"))
    unusable = make_password(None)
    batch = 10_000
    created = 0
    for start in range(0, scale, batch):
        size = min(batch, scale - start)
        users = User.objects.bulk_create([
            User(username=f"{BULK_USERNAME_PREFIX}{n:07d}", email=f"{BULK_USERNAME_PREFIX}{n:07d}@demo.engagement-hub.invalid",
                 first_name="Demo", last_name=f"User {n}", password=unusable)
            for n in range(start, start + size)
        ])
        memberships = []
        for user in users:
            organisation = rng.choice(organisations)
            role = Role.OFFICER if organisation.is_police else Role.PARTNER_USER
            memberships.append(Membership(user=user, organisation=organisation, role=role))
        Membership.objects.bulk_create(memberships)
        created += size
    with connection.cursor() as cursor:
        # Fresh statistics: without them the planner may pick nested loops on the next bulk delete.
        cursor.execute(f"ANALYZE {User._meta.db_table}, {Membership._meta.db_table}")
    return created
