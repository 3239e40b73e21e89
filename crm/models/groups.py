"""Community groups, and the advisory groups that advise the force on its policies."""
import re

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from access.models import OwnedRecord, child_queryset
from geo.models import AGE_BANDS, DISABILITY_STATUSES, ETHNIC_GROUPS
from sharing_protocols.models import DataCategory

CHARITY_NUMBER = re.compile(r"^(\d{6,7}|SC0\d{5})(-\d{1,2})?$")  # England and Wales, or Scotland (SC0…)


class CommunityGroupKind(models.TextChoices):
    VOLUNTARY = "voluntary", "Voluntary group"
    FAITH = "faith", "Faith group"
    RESIDENTS = "residents", "Residents' association"
    YOUTH = "youth", "Youth group"
    SPORTS = "sports", "Sports club"
    LUNCH_CLUB = "lunch_club", "Lunch club"
    OLDER_PEOPLE = "older_people", "Older people's group"
    DISABILITY = "disability", "Disability group"
    CULTURAL = "cultural", "Cultural or community association"
    OTHER = "other", "Other"


class PoliceSupport(models.TextChoices):
    NONE = "none", "None"
    INFORMATION = "information", "Information and advice"
    LIAISON = "liaison", "Regular liaison"
    ACTIVE = "active", "Active support (attendance, resources)"
    OVERSIGHT = "oversight", "Oversight (safeguarding or equality concerns)"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CommunityGroup(OwnedRecord):
    DATA_CATEGORY = DataCategory.COMMUNITY_GROUPS

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=CommunityGroupKind.choices)
    is_registered = models.BooleanField("on a register", default=False, help_text="Many groups appear on no register.")
    charity_number = models.CharField(max_length=12, blank=True)
    neighbourhoods = models.ManyToManyField("geo.Neighbourhood", blank=True, related_name="community_groups")
    communities = models.ManyToManyField("crm.UnderRepresentedGroup", blank=True, related_name="community_groups")
    key_contacts = models.ManyToManyField("crm.Contact", blank=True, related_name="key_contact_for")
    meeting_place = models.CharField(max_length=200, blank=True)
    police_support = models.CharField(max_length=20, choices=PoliceSupport.choices, default=PoliceSupport.NONE)
    oversight_notes = models.TextField(blank=True, help_text="Why the police support or oversee this group, and how.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="community_group_name_unique")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.charity_number = self.charity_number.strip().upper()
        if self.charity_number and not CHARITY_NUMBER.match(self.charity_number):
            raise ValidationError({"charity_number": "Give a charity number such as 1123456, or SC012345 in Scotland."})
        if self.charity_number and not self.is_registered:
            self.is_registered = True


class AdvisoryGroupKind(models.TextChoices):
    IAG = "iag", "Independent advisory group"
    DISABILITY = "disability", "Disability advisory group"
    GYPSY_TRAVELLER = "gypsy_traveller", "Gypsy and traveller advisory group"
    LGBT = "lgbt", "LGBT+ advisory group"
    YOUTH = "youth", "Youth advisory group"
    OTHER = "other", "Other advisory group"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class AdvisoryGroup(OwnedRecord):
    DATA_CATEGORY = DataCategory.ADVISORY_GROUPS

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AdvisoryGroupKind.choices)
    description = models.TextField(blank=True)
    neighbourhoods = models.ManyToManyField(
        "geo.Neighbourhood", blank=True, related_name="advisory_groups",
        help_text="The area it advises on. Leave empty for the whole force.",
    )
    members = models.ManyToManyField("crm.Contact", through="crm.AdvisoryMembership", related_name="advisory_groups")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class AdvisoryMembership(models.Model):
    """A member of an advisory group. Their self-described profile (optional, given with
    consent) is what lets the group's diversity be set against the area's."""

    advisory_group = models.ForeignKey(AdvisoryGroup, on_delete=models.CASCADE, related_name="memberships")
    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="advisory_memberships")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    is_chair = models.BooleanField(default=False)
    age_band = models.CharField(max_length=10, blank=True, choices=[(band, band) for band in AGE_BANDS])
    ethnic_group = models.CharField(max_length=10, blank=True, choices=[(group, group.title()) for group in ETHNIC_GROUPS])
    disability = models.CharField(max_length=20, blank=True, choices=[(status, status.replace("_", " ").capitalize()) for status in DISABILITY_STATUSES])

    objects = child_queryset("advisory_group").as_manager()

    class Meta:
        ordering = ["advisory_group", "contact__last_name"]
        constraints = [models.UniqueConstraint(fields=["advisory_group", "contact"], name="advisory_member_once")]

    def __str__(self) -> str:
        return f"{self.contact} in {self.advisory_group}"

    def clean(self) -> None:
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": "The date they left must be on or after the date they joined."})


class AdviceResponse(models.TextChoices):
    AWAITING = "awaiting", "Awaiting the force's response"
    ADOPTED = "adopted", "Adopted"
    PARTLY_ADOPTED = "partly_adopted", "Partly adopted"
    NOT_ADOPTED = "not_adopted", "Not adopted (reasons given)"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class AdvisoryAdvice(OwnedRecord):
    """Advice an advisory group gave on a policy, and what the force did with it."""

    DATA_CATEGORY = DataCategory.ADVISORY_GROUPS

    advisory_group = models.ForeignKey(AdvisoryGroup, on_delete=models.CASCADE, related_name="advice")
    consultation = models.ForeignKey(
        "crm.Engagement", null=True, blank=True, on_delete=models.SET_NULL, related_name="advice_given",
        help_text="The IAG consultation at which the advice was given.",
    )
    policy = models.CharField(max_length=200)
    advice = models.TextField()
    given_on = models.DateField()
    response = models.CharField(max_length=20, choices=AdviceResponse.choices, default=AdviceResponse.AWAITING)
    force_response = models.TextField(blank=True, help_text="What the force did with the advice, and why.")
    responded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-given_on"]
        verbose_name_plural = "advisory advice"

    def __str__(self) -> str:
        return f"Advice on {self.policy} ({self.given_on:%d %B %Y})"

    def clean(self) -> None:
        errors = {}
        if self.response != AdviceResponse.AWAITING:
            if not self.force_response.strip():
                errors["force_response"] = "Say what the force did with the advice."
            if not self.responded_on:
                errors["responded_on"] = "Give the date the force responded."
        today = timezone.localdate()
        if self.given_on and self.given_on > today:
            errors["given_on"] = "Advice cannot be dated in the future."
        if self.responded_on and self.responded_on > today:
            errors["responded_on"] = "The response cannot be dated in the future."
        if self.responded_on and self.given_on and self.responded_on < self.given_on:
            errors["responded_on"] = "The response cannot come before the advice."
        if errors:
            raise ValidationError(errors)
