"""Logging engagements and door-to-door visits."""
from collections.abc import Iterable

import pghistory
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from organisations.models import POLICE_KINDS, Membership, Organisation
from crm.models import DoorstepVisit, Engagement, EngagementIssue, IssueCategory
from crm.models.engagements import NEEDS_POLICE_OFFICER
from access.visibility import can_own
from geo.models import ForceArea, Neighbourhood


def force_area_for(organisation: Organisation) -> ForceArea | None:
    """The force area an organisation works in: a force's own, or its parent force's for a team."""
    force_pk = organisation.force_pk
    return ForceArea.objects.filter(force_id=force_pk).first() if force_pk is not None else None


def neighbourhood_at(*, point, force_area: ForceArea | None) -> Neighbourhood | None:
    neighbourhoods = Neighbourhood.objects.containing(point)
    if force_area is not None:
        neighbourhoods = neighbourhoods.filter(force_area=force_area)
    return neighbourhoods.order_by("pk").first()


def engagement_log(
    *, engagement: Engagement, acting_user, organisation: Organisation | None = None,
    officers: Iterable = (), partners: Iterable = (), groups_reached: Iterable = (),
    issues: Iterable[tuple[IssueCategory, str]] = (),
) -> Engagement:
    """Validate and save an engagement with who was there and what was raised, all or nothing.

    The neighbourhood is found from the location; a location outside the force's
    neighbourhoods is refused; a beat meeting needs a warranted police officer present."""
    officers, partners, groups_reached, issues = list(officers), list(partners), list(groups_reached), list(issues)
    with transaction.atomic(), pghistory.context(user=acting_user.pk):
        if engagement.pk is None:
            if not can_own(acting_user, organisation):
                raise ValidationError("You cannot log engagements for that organisation.")
            engagement.organisation = organisation
            engagement.created_by = acting_user
        errors = engagement_rule_errors(engagement=engagement, officers=officers)
        try:
            engagement.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, messages)
        if errors:
            raise ValidationError(errors)
        engagement.save()
        engagement.officers.set(officers)
        engagement.partners.set(partners)
        engagement.groups_reached.set(groups_reached)
        new_issues = [EngagementIssue(engagement=engagement, category=category, description=description.strip()[:500])
                      for category, description in issues if category and description.strip()]
        for issue in new_issues:
            issue.full_clean(exclude=["engagement"])
        EngagementIssue.objects.bulk_create(new_issues)
    return engagement


def engagement_rule_errors(*, engagement: Engagement, officers) -> dict[str, str]:
    """The rules that span records, shared by the pages, the admin and import: only the police
    log engagements; the place must be in the owning force's area (the neighbourhood is found
    from it); a beat meeting needs a warranted officer. Sets engagement.neighbourhood from the point."""
    errors: dict[str, str] = {}
    organisation = engagement.organisation if engagement.organisation_id else None
    if organisation is None or not organisation.is_police:
        return {NON_FIELD_ERRORS: "Only a police force or neighbourhood team logs engagements."}
    force_area = force_area_for(organisation)
    if engagement.location is not None:
        neighbourhood = neighbourhood_at(point=engagement.location, force_area=force_area)
        if neighbourhood is None:
            where = force_area.name if force_area else "any of our neighbourhoods"
            errors["location"] = f"That place is outside {where}. Check the location (latitude and longitude may be swapped)."
        else:
            engagement.neighbourhood = neighbourhood
    elif engagement.neighbourhood_id and force_area is not None and engagement.neighbourhood.force_area_id != force_area.pk:
        errors["neighbourhood"] = f"{engagement.neighbourhood.name} is not one of {force_area.name}'s neighbourhoods."
    if engagement.kind in NEEDS_POLICE_OFFICER and not _has_warranted_officer(officers):
        errors["officers"] = "A beat meeting must be attended by a police officer: tick at least one warranted officer (PCSOs and staff do not count)."
    return errors


def _has_warranted_officer(users) -> bool:
    user_ids = [user.pk for user in users]
    return bool(user_ids) and Membership.objects.filter(
        user_id__in=user_ids, warranted=True, organisation__kind__in=POLICE_KINDS, organisation__is_active=True,
    ).exists()


def doorstep_visit_record(*, engagement: Engagement, acting_user, address: str, outcome: str, answers: dict, resolved_on_the_spot: str = "") -> DoorstepVisit:
    """One home's outcome during a door-to-door operation, with the questionnaire's answers."""
    visit = DoorstepVisit(engagement=engagement, address=address.strip(), outcome=outcome,
                          answers={key: value for key, value in answers.items() if value not in (None, "")},
                          resolved_on_the_spot=resolved_on_the_spot.strip())
    with transaction.atomic(), pghistory.context(user=acting_user.pk):
        visit.full_clean()
        visit.save()
    return visit
