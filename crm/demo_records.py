"""Demo CRM records for the seeded force: what a few months of neighbourhood policing leave behind.

Reproducible (seeded random), and idempotent: the demo's CRM records are removed and made again. Priorities go
through the priority services (agreed, acted on, moved, audited), so the demo shows their whole life: some agreed
with no action yet, some in progress, some resolved and some closed with an outcome, a few screened for the public page."""
import random
from datetime import timedelta

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db import transaction
from django.utils import timezone

from crm.models import (
    AdviceResponse, AdvisoryAdvice, AdvisoryGroup, AdvisoryGroupKind, AdvisoryMembership, CommunityGroup,
    CommunityGroupKind, Contact, DoorstepVisit, Engagement, EngagementIssue, EngagementKind, IssueCategory,
    LawfulBasis, PartnerContact, Priority, PriorityAction, PriorityStatus, Questionnaire, QuestionnaireQuestion, QuestionKind,
    UnderRepresentedGroup, VenueKind, VisitOutcome,
)
from crm.services import priority_action_record, priority_agree, priority_move
from organisations.models import Organisation, User
from publication.models import Screening, Subject
from publication.services import screening_run

MODELS_TO_CLEAR = [PriorityAction, Priority, AdvisoryAdvice, DoorstepVisit, EngagementIssue, Engagement, AdvisoryMembership,
                   AdvisoryGroup, CommunityGroup, PartnerContact, Contact, QuestionnaireQuestion, Questionnaire]
ISSUES = {
    "anti-social-behaviour": ["Youths gathering by the precinct", "Nuisance at the bus station at night"],
    "speeding": ["Cars racing on the main road", "Speeding past the primary school"],
    "parking": ["Parking on pavements", "Vans blocking driveways"],
    "drugs": ["Dealing behind the shops", "Needles found in the park"],
    "fly-tipping": ["Mattresses dumped in the back lane"],
    "noise": ["Loud music from a flat late at night"],
}
FIRST_NAMES = ["Aisha", "Tom", "Bethan", "Jakub", "Mary", "Daniel", "Ewa", "Graham", "Leanne", "Mohammed", "Sian", "Peter"]
LAST_NAMES = ["Ahmed", "Barker", "Collins", "Nowak", "Dobson", "Evans", "Kowalski", "Fell", "Hughes", "Iqbal", "Jones", "Kirk"]


# The life of each neighbourhood's evening anti-social behaviour priority, in turn: (status it ends in, its actions
# as (what, days after agreeing, status, reported back), the outcome). The first is the demo officer's.
PRIORITY_LIVES = [
    (PriorityStatus.IN_PROGRESS, [("Extra evening patrols with the council's wardens; two dispersal orders issued.", 30, "done", True),
                                  ("Youth outreach session planned with the community centre.", 45, "planned", False)], ""),
    (PriorityStatus.IN_PROGRESS, [("Evening patrols agreed with the council's wardens.", 20, "in_progress", False)], ""),
    (PriorityStatus.RESOLVED, [("Extra evening patrols with the council's wardens; two dispersal orders issued.", 30, "done", True)],
     "Reports of anti-social behaviour by the shops fell from twelve a month to two; patrols go back to the usual pattern."),
    (PriorityStatus.CLOSED, [("Asked the council for better lighting by the shops.", 25, "done", True)],
     "The council could not fund new lighting this year; residents were told at the beat meeting and the issue stays on watch."),
]
# Neighbourhoods (by position) whose priorities, actions and outcomes are screened for the public page at seeding;
# the others wait for the screening job, as new wording does.
SCREENED_NOW = range(4)


def clear_demo_records(*, organisations) -> None:
    """Remove the demo's CRM records (children go with their parents), so they can be made again."""
    ids = [o.pk for o in organisations]
    # Screenings name their record by id, not by key: they go with the demo's priorities and actions.
    Screening.objects.filter(organisation_id__in=ids, subject__in=[Subject.PRIORITY, Subject.OUTCOME, Subject.ACTION]).delete()
    for model in MODELS_TO_CLEAR:
        if any(f.name == "organisation" for f in model._meta.fields):
            model.objects.filter(organisation_id__in=ids).delete()


@transaction.atomic
def seed_demo_records(*, force: Organisation, teams: list[Organisation], neighbourhoods, officer: User, seed: int = 7) -> dict:
    rng = random.Random(seed)
    now = timezone.now()
    groups = {g.slug: g for g in UnderRepresentedGroup.objects.all()}
    categories = {c.slug: c for c in IssueCategory.objects.filter(slug__in=ISSUES)}
    partners = list(Organisation.objects.exclude(kind__in=["police_force", "neighbourhood_team"]).order_by("slug"))
    points = dict(type(neighbourhoods[0]).objects.filter(pk__in=[n.pk for n in neighbourhoods])
                  .annotate(centre=PointOnSurface("boundary")).values_list("pk", "centre"))

    questionnaire = Questionnaire.objects.create(organisation=force, name="StreetSafe questionnaire", created_by=officer)
    for order, (text, kind, choices) in enumerate([
        ("Do you feel safe in your street after dark?", QuestionKind.YES_NO, []),
        ("How would you rate the area as a place to live?", QuestionKind.SCALE, []),
        ("What worries you most?", QuestionKind.CHOICE, ["Speeding", "Drugs", "Anti-social behaviour", "Fly-tipping"]),
    ]):
        QuestionnaireQuestion.objects.create(questionnaire=questionnaire, order=order, text=text, kind=kind, choices=choices)

    contacts = []
    for n in range(12):
        contacts.append(Contact.objects.create(
            organisation=force, created_by=officer, first_name=FIRST_NAMES[n], last_name=LAST_NAMES[n],
            email=f"{FIRST_NAMES[n].lower()}.{LAST_NAMES[n].lower()}@example.org", lawful_basis=LawfulBasis.CONSENT,
            consent_recorded_at=now - timedelta(days=rng.randint(30, 300)), neighbourhood=rng.choice(neighbourhoods),
            language="Polish" if LAST_NAMES[n] in ("Nowak", "Kowalski") else "English",
            retain_until=(now + timedelta(days=rng.randint(200, 700))).date(),
        ))
    contacts[3].communities.add(groups["other-language"])
    contacts[9].communities.add(groups["minority-ethnic"], groups["faith-communities"])

    community_groups = [
        CommunityGroup.objects.create(organisation=force, created_by=officer, name="Hindpool Residents' Association", kind=CommunityGroupKind.RESIDENTS,
                                      meeting_place="Hindpool community centre"),
        CommunityGroup.objects.create(organisation=force, created_by=officer, name="Barrow Deaf Club", kind=CommunityGroupKind.DISABILITY,
                                      is_registered=True, charity_number="1101234", police_support="liaison",
                                      oversight_notes="Deaf PACT meetings held here with a BSL interpreter."),
        CommunityGroup.objects.create(organisation=force, created_by=officer, name="Walney Youth Football", kind=CommunityGroupKind.SPORTS),
    ]
    community_groups[1].communities.add(groups["deaf-bsl"])
    community_groups[2].communities.add(groups["young-people"])
    for group in community_groups:
        group.neighbourhoods.add(rng.choice(neighbourhoods))

    iag = AdvisoryGroup.objects.create(organisation=force, created_by=officer, name="Furness Independent Advisory Group", kind=AdvisoryGroupKind.IAG,
                                       description="Advises the force on policies that affect Furness's communities.")
    for n, contact in enumerate(contacts[:6]):
        AdvisoryMembership.objects.create(advisory_group=iag, contact=contact, joined_on=(now - timedelta(days=400)).date(), is_chair=n == 0,
                                          age_band=rng.choice(["25-44", "45-64", "65-74"]), ethnic_group="white" if n < 5 else "asian",
                                          disability="not_disabled")

    PartnerContact.objects.create(organisation=force, created_by=officer, partner_organisation=partners[0], name="Karen Ellis",
                                  role="Community safety officer", topics=["anti-social behaviour", "housing"], email="karen.ellis@example.org")

    kinds = [EngagementKind.BEAT_MEETING, EngagementKind.PACT_MEETING, EngagementKind.STREET_MEETING, EngagementKind.SURGERY, EngagementKind.ONLINE_MEETING]
    engagements = 0
    for position, (neighbourhood, team) in enumerate(zip(neighbourhoods, teams)):
        for month in range(6):
            kind = kinds[(month + neighbourhood.pk) % len(kinds)]
            starts = now - timedelta(days=30 * month + rng.randint(1, 20), hours=rng.randint(0, 4))
            online = kind == EngagementKind.ONLINE_MEETING
            engagement = Engagement.objects.create(
                organisation=team, created_by=officer, kind=kind, title=Engagement.default_title(kind=kind, neighbourhood=neighbourhood, starts_at=starts),
                starts_at=starts, ends_at=starts + timedelta(hours=1), location=None if online else points[neighbourhood.pk],
                neighbourhood=neighbourhood, venue_kind=VenueKind.ONLINE if online else rng.choice([VenueKind.COMMUNITY_CENTRE, VenueKind.SUPERMARKET, VenueKind.LIBRARY]),
                turnout=rng.choice([3, 8, 12, 15, 22, 30]), objectives="Hear residents' concerns and report back on priorities.",
                objectives_met=rng.choice(["met", "partly", "not_assessed"]),
            )
            engagement.officers.add(officer)
            if rng.random() < 0.5:
                engagement.partners.add(rng.choice(partners))
            for slug in rng.sample(list(ISSUES), 2):
                EngagementIssue.objects.create(engagement=engagement, category=categories[slug], description=rng.choice(ISSUES[slug]))
            engagements += 1
        seed_priorities(neighbourhood=neighbourhood, team=team, officer=officer, position=position, now=now,
                        issues=EngagementIssue.objects.filter(engagement__neighbourhood=neighbourhood).select_related("engagement"),
                        categories=categories)

    consultation = Engagement.objects.create(
        organisation=force, created_by=officer, kind=EngagementKind.IAG_CONSULTATION, title="IAG consultation on stop and search",
        starts_at=now - timedelta(days=45), neighbourhood=neighbourhoods[0], venue_kind=VenueKind.POLICE_STATION,
        location=points[neighbourhoods[0].pk], advisory_group=iag, turnout=6,
    )
    AdvisoryAdvice.objects.create(organisation=force, created_by=officer, advisory_group=iag, consultation=consultation, policy="Stop and search",
                                  advice="Publish monthly stop and search figures by ethnicity and explain grounds to those searched.",
                                  given_on=(now - timedelta(days=45)).date(), response=AdviceResponse.ADOPTED,
                                  force_response="Monthly figures now published; officers briefed on explaining grounds.",
                                  responded_on=(now - timedelta(days=10)).date())
    door_to_door = Engagement.objects.create(
        organisation=teams[0], created_by=officer, kind=EngagementKind.DOOR_TO_DOOR, title=f"StreetSafe, {neighbourhoods[0].name}",
        starts_at=now - timedelta(days=14), neighbourhood=neighbourhoods[0], location=points[neighbourhoods[0].pk],
        venue_kind=VenueKind.STREET, questionnaire=questionnaire, streets=["Abbey Road", "Duke Street"], turnout=9,
    )
    questions = list(questionnaire.questions.all())
    for number in range(1, 13):
        outcome = rng.choice([VisitOutcome.SPOKEN_TO, VisitOutcome.SPOKEN_TO, VisitOutcome.NOT_IN, VisitOutcome.DECLINED])
        answers = {str(questions[0].pk): rng.choice(["yes", "no"]), str(questions[1].pk): str(rng.randint(2, 5)),
                   str(questions[2].pk): rng.choice(questions[2].choices)} if outcome == VisitOutcome.SPOKEN_TO else {}
        DoorstepVisit.objects.create(engagement=door_to_door, address=f"{number} Abbey Road", outcome=outcome, answers=answers,
                                     resolved_on_the_spot="Smoke alarm fitted" if number == 3 else "")
    return {"engagements": engagements + 2, "contacts": len(contacts)}


def seed_priorities(*, neighbourhood, team, officer: User, position: int, now, issues, categories) -> list[Priority]:
    """The neighbourhood's priorities, agreed and moved through the priority services as an officer would: an evening
    anti-social behaviour priority living one of PRIORITY_LIVES, and in every third neighbourhood a speeding priority
    agreed with no action yet (what the officer's home page asks about)."""
    status, actions, outcome = PRIORITY_LIVES[position % len(PRIORITY_LIVES)]
    agreed_on = (now - timedelta(days=60)).date()
    priorities = []
    plans = [(categories["anti-social-behaviour"], "Anti-social behaviour in the evenings around the local shops.", agreed_on, actions, status, outcome)]
    if position % 3 == 0:
        plans.append((categories["speeding"], "Speeding on the main road past the primary school at drop-off and pick-up.",
                      (now - timedelta(days=10)).date(), [], PriorityStatus.AGREED, ""))
    for category, wording, issue_date, planned_actions, final_status, final_outcome in plans:
        priority = priority_agree(
            priority=Priority(neighbourhood=neighbourhood, category=category, issue=wording, issue_date=issue_date),
            acting_user=officer, organisation=team, raised_issues=[issue for issue in issues if issue.category_id == category.pk],
        )
        for text, days, action_status, reported_back in planned_actions:
            action_date = issue_date + timedelta(days=days)
            priority_action_record(action=PriorityAction(
                priority=priority, action=text, action_date=action_date, status=action_status,
                reported_back_on=action_date + timedelta(days=10) if reported_back else None), acting_user=officer)
        if final_status != PriorityStatus.AGREED:
            priority.refresh_from_db()
            if priority.status != final_status:
                priority = priority_move(priority=priority, acting_user=officer, status=final_status, outcome=final_outcome)
        if position in SCREENED_NOW:
            screen_for_the_public_page(priority)
        priorities.append(priority)
    return priorities


def screen_for_the_public_page(priority: Priority) -> None:
    """Screen the priority's wording as the screening job would, so it shows on the public page straight away."""
    priority.refresh_from_db()
    screening_run(subject=Subject.PRIORITY, record=priority)
    if priority.outcome:
        screening_run(subject=Subject.OUTCOME, record=priority)
    for action in priority.actions.filter(withdrawn_at__isnull=True):
        screening_run(subject=Subject.ACTION, record=action)
