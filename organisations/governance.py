"""The organisations a person governs as information governance, read once per request.

The governance home asks three apps (sharing protocols, retention, subject access) what waits, and each needs
the organisations the person governs, in its own shape. They all come from one query here, kept on the user
for the rest of the request, so the page reads them once however many apps ask."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from access.roles import Role
from organisations.models import Membership, Organisation, OrganisationKind

_CACHE = "_governance_scope"


@dataclass(frozen=True)
class GovernanceScope:
    # The active organisations the person holds the information-governance role in.
    direct: tuple[Organisation, ...] = ()
    # Every organisation read: the direct ones, their parents, and the children of both (active or not).
    read: tuple[Organisation, ...] = field(default=())

    def children_of(self, pk: int) -> list[Organisation]:
        return [organisation for organisation in self.read if organisation.parent_id == pk]

    @property
    def with_active_units(self) -> frozenset[int]:
        """The direct organisations and their active units (a force's IG answers for its neighbourhood teams)."""
        direct = {organisation.pk for organisation in self.direct}
        return frozenset(direct | {o.pk for o in self.read if o.parent_id in direct and o.is_active})

    @property
    def controllers(self) -> list[Organisation]:
        """The data controllers governed: each direct organisation, a neighbourhood team's being its force, by name."""
        by_pk = {organisation.pk: organisation for organisation in self.read}
        found = {}
        for organisation in self.direct:
            controller = by_pk[organisation.parent_id] if organisation.kind == OrganisationKind.NEIGHBOURHOOD_TEAM else organisation
            found[controller.pk] = controller
        return sorted(found.values(), key=lambda o: o.name)


def governance_scope(user) -> GovernanceScope:
    """What `user` governs as information governance (empty for anyone else). One query, once per request's user."""
    if user is None or not user.is_authenticated:
        return GovernanceScope()
    cached = getattr(user, _CACHE, None)
    if cached is not None:
        return cached
    direct = Membership.objects.filter(user_id=user.pk, role=Role.INFORMATION_GOVERNANCE, organisation__is_active=True)
    direct_ids = direct.values("organisation_id")
    parent_ids = Organisation.objects.filter(pk__in=direct_ids, parent_id__isnull=False).values("parent_id")
    read = tuple(Organisation.objects.filter(
        Q(pk__in=direct_ids) | Q(parent_id__in=direct_ids) | Q(pk__in=parent_ids) | Q(parent_id__in=parent_ids),
    ).annotate(is_direct=Exists(direct.filter(organisation_id=OuterRef("pk")))).order_by("pk"))
    scope = GovernanceScope(direct=tuple(o for o in read if o.is_direct and o.is_active), read=read)
    setattr(user, _CACHE, scope)
    return scope
