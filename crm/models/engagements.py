"""Engagements: every way officers meet the community, from beat meetings to door-to-door visits."""
import pghistory
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone

from access.models import OwnedRecord, child_queryset
from sharing_protocols.models import DataCategory


class EngagementKind(models.TextChoices):
    PUBLIC_MEETING = "public_meeting", "Public meeting"
    PACT_MEETING = "pact_meeting", "PACT meeting"
    BEAT_MEETING = "beat_meeting", "Beat meeting"
    STREET_MEETING = "street_meeting", "Street meeting"
    SURGERY = "surgery", "Surgery"
    POSTCARD = "postcard", "Postcards"
    EVA = "eva", "Environmental visual audit"
    DOOR_TO_DOOR = "door_to_door", "Door-to-door visits"
    ONLINE_MEETING = "online_meeting", "Online meeting"
    SOCIAL_MEDIA = "social_media", "Social media conversation"
    IAG_CONSULTATION = "iag_consultation", "IAG consultation"


# Meetings whose turnout and issues feed the effectiveness signals.
MEETING_KINDS = frozenset({
    EngagementKind.PUBLIC_MEETING, EngagementKind.PACT_MEETING, EngagementKind.BEAT_MEETING,
    EngagementKind.STREET_MEETING, EngagementKind.SURGERY, EngagementKind.ONLINE_MEETING,
})
# Section 34 of the Police Reform and Social Responsibility Act 2011: attended by a police officer.
NEEDS_POLICE_OFFICER = frozenset({EngagementKind.BEAT_MEETING})
ONLINE_KINDS = frozenset({EngagementKind.ONLINE_MEETING, EngagementKind.SOCIAL_MEDIA})


class EngagementStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class VenueKind(models.TextChoices):
    COMMUNITY_CENTRE = "community_centre", "Community centre or hall"
    PLACE_OF_WORSHIP = "place_of_worship", "Place of worship"
    SUPERMARKET = "supermarket", "Supermarket or shop"
    CLUB = "club", "Club or interest group"
    SCHOOL = "school", "School or college"
    LIBRARY = "library", "Library"
    STREET = "street", "Street or open space"
    POLICE_STATION = "police_station", "Police station"
    ONLINE = "online", "Online"
    OTHER = "other", "Somewhere else"


# Venues where people already gather (the guidance's alternative to static meetings).
GATHERING_PLACES = frozenset({VenueKind.PLACE_OF_WORSHIP, VenueKind.SUPERMARKET, VenueKind.CLUB, VenueKind.SCHOOL, VenueKind.STREET})


class ObjectivesMet(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed yet"
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    NOT_MET = "not_met", "Not met"


class Adjustment(models.TextChoices):
    INTERPRETER = "interpreter", "Interpreter"
    BSL_INTERPRETER = "bsl_interpreter", "BSL interpreter"
    HEARING_LOOP = "hearing_loop", "Hearing loop"
    STEP_FREE = "step_free", "Step-free venue"
    LARGE_PRINT = "large_print", "Large-print material"
    TRANSLATED_MATERIAL = "translated", "Translated material"
    WHERE_PEOPLE_GATHER = "where_people_gather", "Held where people already gather"
    ONLINE_OPTION = "online_option", "Online option"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Engagement(OwnedRecord):
    DATA_CATEGORY = DataCategory.ENGAGEMENTS
    # Notes may name people; officers are read through User.visible_to (colleagues only).
    PERSONAL_FIELDS = ("notes",)

    kind = models.CharField(max_length=30, choices=EngagementKind.choices)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=EngagementStatus.choices, default=EngagementStatus.HELD)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.PointField(srid=4326, null=True, blank=True, help_text="Where it happened; the neighbourhood is found from it.")
    neighbourhood = models.ForeignKey("geo.Neighbourhood", null=True, blank=True, on_delete=models.PROTECT, related_name="engagements")
    venue_name = models.CharField(max_length=200, blank=True)
    venue_kind = models.CharField(max_length=30, choices=VenueKind.choices, blank=True)
    online_link = models.URLField(blank=True)
    objectives = models.TextField(blank=True)
    objectives_met = models.CharField(max_length=20, choices=ObjectivesMet.choices, default=ObjectivesMet.NOT_ASSESSED)
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="engagements_attended")
    partners = models.ManyToManyField("crm.Organisation", blank=True, related_name="engagements_attended")
    turnout = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0, "Turnout cannot be negative.")],
        help_text="Members of the public who took part.",
    )
    groups_reached = models.ManyToManyField("crm.UnderRepresentedGroup", blank=True, related_name="engagements")
    adjustments = ArrayField(models.CharField(max_length=30, choices=Adjustment.choices), default=list, blank=True)
    advisory_group = models.ForeignKey("crm.AdvisoryGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="consultations")
    questionnaire = models.ForeignKey("crm.Questionnaire", null=True, blank=True, on_delete=models.PROTECT, related_name="engagements")
    streets = ArrayField(models.CharField(max_length=120), default=list, blank=True, help_text="Streets covered by door-to-door visits.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["neighbourhood", "kind", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()}, {timezone.localtime(self.starts_at):%d %b %Y})"

    @staticmethod
    def default_title(*, kind: str, venue_name: str = "", neighbourhood=None, starts_at=None) -> str:
        """The title of an engagement given none: at a venue, its type and venue; without one, its type,
        neighbourhood and date, which tell it apart from the others ("Beat meeting" alone does not)."""
        label = EngagementKind(kind).label
        if venue_name:
            return f"{label} at {venue_name}"
        return label + (f" in {neighbourhood.name}" if neighbourhood else "") + (
            f", {timezone.localtime(starts_at):%-d %B %Y}" if starts_at else "")

    @property
    def adjustment_labels(self) -> list[str]:
        return [Adjustment(value).label for value in self.adjustments if value in Adjustment.values]

    @property
    def is_online(self) -> bool:
        return self.kind in ONLINE_KINDS or self.venue_kind == VenueKind.ONLINE

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The end must be after the start."
        if self.status == EngagementStatus.HELD and self.starts_at and self.starts_at > timezone.now():
            errors["status"] = "An engagement dated in the future cannot have been held yet: mark it planned."
        if self.turnout is not None and self.turnout < 0:
            errors["turnout"] = "Turnout cannot be negative."
        if self.location is None and not self.is_online:
            errors["location"] = "Give the location where it happened (use your location or tap the map)."
        if self.location is None and self.is_online and self.neighbourhood_id is None:
            errors["neighbourhood"] = "Choose the neighbourhood an online engagement was for."
        if self.kind == EngagementKind.IAG_CONSULTATION and not self.advisory_group_id:
            errors["advisory_group"] = "Choose the advisory group that was consulted."
        if errors:
            raise ValidationError(errors)


class IssueQuerySet(child_queryset("engagement")):
    pass


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class EngagementIssue(models.Model):
    """An issue raised at an engagement: the raw material of PACT priorities."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="issues")
    category = models.ForeignKey("crm.IssueCategory", on_delete=models.PROTECT, related_name="engagement_issues")
    description = models.CharField(max_length=500)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["engagement", "pk"]

    def __str__(self) -> str:
        return f"{self.category}: {self.description}"


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", "Yes or no"
    SCALE = "scale", "A score from 1 to 5"
    CHOICE = "choice", "One of a list"
    TEXT = "text", "Free text"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Questionnaire(OwnedRecord):
    """The questions a force asks at each home during door-to-door visits."""

    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuestionnaireQuestion(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    choices = ArrayField(models.CharField(max_length=100), default=list, blank=True)

    objects = child_queryset("questionnaire").as_manager()

    class Meta:
        ordering = ["questionnaire", "order", "pk"]

    def __str__(self) -> str:
        return self.text

    def answer_problem(self, answer) -> str | None:
        """Why `answer` does not fit this question, or None."""
        if answer in (None, ""):
            return None  # unanswered is allowed: people decline questions
        if self.kind == QuestionKind.YES_NO and answer not in ("yes", "no"):
            return "answer yes or no"
        if self.kind == QuestionKind.SCALE and str(answer) not in {"1", "2", "3", "4", "5"}:
            return "give a score from 1 to 5"
        if self.kind == QuestionKind.CHOICE and answer not in self.choices:
            return f"choose one of {', '.join(self.choices)}"
        return None


class VisitOutcome(models.TextChoices):
    SPOKEN_TO = "spoken_to", "Spoken to"
    NOT_IN = "not_in", "Not in"
    DECLINED = "declined", "Declined to talk"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class DoorstepVisit(models.Model):
    """One home visited during a door-to-door operation."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="visits")
    address = models.CharField(max_length=200, help_text="House number or name, and street.")
    outcome = models.CharField(max_length=20, choices=VisitOutcome.choices)
    answers = models.JSONField(default=dict, blank=True, help_text="Answers by question id.")
    resolved_on_the_spot = models.CharField(max_length=300, blank=True, help_text="A problem fixed there and then (graffiti removed, smoke alarm fitted).")

    objects = child_queryset("engagement").as_manager()

    class Meta:
        ordering = ["engagement", "address"]

    def __str__(self) -> str:
        return f"{self.address}: {self.get_outcome_display()}"

    def clean(self) -> None:
        if self.outcome != VisitOutcome.SPOKEN_TO and self.answers:
            raise ValidationError({"answers": "Only record answers for a home where someone was spoken to."})
        questionnaire = self.engagement.questionnaire if self.engagement_id else None
        if self.answers and questionnaire is None:
            raise ValidationError({"answers": "This operation has no questionnaire to answer."})
        if self.answers:
            questions = {str(q.pk): q for q in questionnaire.questions.all()}
            problems = []
            for key, answer in self.answers.items():
                question = questions.get(str(key))
                if question is None:
                    problems.append(f"question {key} is not in {questionnaire}")
                elif problem := question.answer_problem(answer):
                    problems.append(f"“{question.text}”: {problem}")
            if problems:
                raise ValidationError({"answers": "; ".join(problems) + "."})
