"""Organisations, the people who sign in, their memberships and roles, and the audit trail.

The models keep the `crm` app label (Meta.app_label), so their tables, content types, permissions,
migrations and AUTH_USER_MODEL = "crm.User" are those they had in crm/models/.
"""
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property

from access.visibility import OrganisationScopedQuerySet
from access.roles import Role


class OrganisationKind(models.TextChoices):
    POLICE_FORCE = "police_force", "Police force"
    NEIGHBOURHOOD_TEAM = "neighbourhood_team", "Neighbourhood team"
    COUNCIL = "council", "Council"
    FIRE_AND_RESCUE = "fire_and_rescue", "Fire and rescue service"
    ENVIRONMENTAL_HEALTH = "environmental_health", "Environmental health"
    TRADING_STANDARDS = "trading_standards", "Trading standards"
    LICENSING = "licensing", "Licensing"
    HOUSING = "housing", "Housing"
    PARK_RANGERS = "park_rangers", "Park rangers"
    WARD_COUNCILLOR = "ward_councillor", "Ward councillor"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"


POLICE_KINDS = frozenset({OrganisationKind.POLICE_FORCE, OrganisationKind.NEIGHBOURHOOD_TEAM})


# Roles that only make sense inside the police, and the one that only makes sense outside it.
POLICE_ONLY_ROLES = frozenset({Role.OFFICER, Role.MANAGER})
PARTNER_ONLY_ROLES = frozenset({Role.PARTNER_USER})


class Organisation(models.Model):
    """A police force, a neighbourhood team or a partner agency. Every sensitive record belongs to one."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=40, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        help_text="The force a neighbourhood team belongs to.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The organisation as a django-guardian group: one-off shares of a record are granted to it.
    group = models.OneToOneField("auth.Group", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="organisation")

    class Meta:
        app_label = "crm"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=OrganisationKind.NEIGHBOURHOOD_TEAM) | models.Q(parent__isnull=False),
                name="neighbourhood_team_has_force",
                violation_error_message="A neighbourhood team must belong to a police force.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_police(self) -> bool:
        return self.kind in POLICE_KINDS

    @property
    def force_pk(self) -> int | None:
        """The police force this organisation is (a force) or belongs to (a team), without a query."""
        if self.kind == OrganisationKind.POLICE_FORCE:
            return self.pk
        if self.kind == OrganisationKind.NEIGHBOURHOOD_TEAM:
            return self.parent_id
        return None

    @property
    def force(self) -> "Organisation | None":
        """The force itself (select_related("parent") keeps this free for a team)."""
        return self if self.kind == OrganisationKind.POLICE_FORCE else (self.parent if self.force_pk else None)

    def clean(self) -> None:
        if self.kind == OrganisationKind.NEIGHBOURHOOD_TEAM:
            if self.parent is None or self.parent.kind != OrganisationKind.POLICE_FORCE:
                raise ValidationError({"parent": "A neighbourhood team must belong to a police force."})


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> "UserQuerySet":
        """People who share an organisation with `user` (colleagues' accounts are personal data)."""
        from access.visibility import can_see_everything, can_see_nothing, membership_organisation_ids

        if can_see_nothing(user):
            return self.none()
        if can_see_everything(user):
            return self.all()
        return self.filter(pk__in=Membership.objects.filter(organisation__in=membership_organisation_ids(user)).values("user_id"))


class HubUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. What they may see follows from their memberships."""

    email = models.EmailField("email address", unique=True)
    objects = HubUserManager()

    class Meta:
        app_label = "crm"
        ordering = ["last_name", "first_name", "username"]

    @cached_property
    def roles(self) -> frozenset[str]:
        """The roles this user holds in any active organisation (one query, then cached)."""
        if not self.pk:
            return frozenset()
        return frozenset(
            self.memberships.filter(organisation__is_active=True).values_list("role", flat=True)
        )

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))


class MembershipQuerySet(OrganisationScopedQuerySet):
    pass


class Membership(models.Model):
    """A user's role in an organisation. Colleagues' memberships are personal data: read them through visible_to."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=40, choices=Role.choices)
    job_title = models.CharField(max_length=120, blank=True)
    warranted = models.BooleanField(
        "warranted police officer", default=False,
        help_text="A sworn constable (not a PCSO or police staff). Beat meetings need one present.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        app_label = "crm"
        ordering = ["organisation__name", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_membership_per_role",
                violation_error_message="This person already holds that role in that organisation.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.organisation}"

    def clean(self) -> None:
        organisation = self.organisation if self.organisation_id else None
        if organisation is None:
            return
        if self.role in POLICE_ONLY_ROLES and not organisation.is_police:
            raise ValidationError({"role": f"{self.get_role_display()} is a police role; {organisation} is not a police organisation."})
        if self.warranted and not organisation.is_police:
            raise ValidationError({"warranted": "Only a police organisation has warranted officers."})
        if self.role in PARTNER_ONLY_ROLES and organisation.is_police:
            raise ValidationError({"role": f"A partner user must belong to a partner agency, not {organisation}."})


class AuditEventQuerySet(OrganisationScopedQuerySet):
    pass


class AuditEvent(models.Model):
    """Who did what, written by services in the same transaction as the change itself.
    Each event belongs to the organisation whose data changed; events with none are for superusers only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=80)
    summary = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        app_label = "crm"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}: {self.summary}"
