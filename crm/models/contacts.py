"""People the police engage with (personal data) and the named people at partner agencies."""
import pghistory
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from access.models import OwnedRecord
from access.visibility import OrganisationScopedQuerySet
from sharing_protocols.models import DataCategory


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", "Consent (UK GDPR article 6(1)(a))"
    PUBLIC_TASK = "public_task", "Public task (UK GDPR article 6(1)(e))"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement purposes (DPA 2018 Part 3)"
    VITAL_INTERESTS = "vital_interests", "Vital interests (UK GDPR article 6(1)(d))"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    TEXT = "text", "Text message"
    POST = "post", "Post"
    IN_PERSON = "in_person", "In person"
    SOCIAL_MEDIA = "social_media", "Social media"


class AccessibilityNeed(models.TextChoices):
    BSL_INTERPRETER = "bsl_interpreter", "British Sign Language interpreter"
    LARGE_PRINT = "large_print", "Large print"
    HEARING_LOOP = "hearing_loop", "Hearing loop"
    EASY_READ = "easy_read", "Easy read"
    STEP_FREE = "step_free", "Step-free access"
    TRANSLATION = "translation", "Translation or interpreter"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Contact(OwnedRecord):
    """A person in the community. Personal data: kept on a lawful basis, until a retention date."""

    DATA_CATEGORY = DataCategory.CONTACTS
    PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "postcode", "notes")

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    neighbourhood = models.ForeignKey("geo.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    consent_recorded_at = models.DateTimeField(null=True, blank=True, help_text="When the person gave consent, if consent is the basis.")
    preferred_channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    language = models.CharField(max_length=60, default="English")
    accessibility_needs = ArrayField(models.CharField(max_length=30, choices=AccessibilityNeed.choices), default=list, blank=True)
    communities = models.ManyToManyField("crm.UnderRepresentedGroup", blank=True, related_name="contacts")
    groups = models.ManyToManyField("crm.CommunityGroup", blank=True, related_name="members")
    retain_until = models.DateField(help_text="When this record must be reviewed or deleted.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("first_name"), Lower("last_name"), Lower("email"),
                condition=~models.Q(email=""), name="contact_unique_name_and_email",
                violation_error_message="A contact with this name and email address already exists.",
            ),
        ]

    def __str__(self) -> str:
        if "last_name" in getattr(self, "withheld_fields", ()):
            return f"A contact in {self.neighbourhood.name if self.neighbourhood_id else 'the community'} (name withheld)"
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    def clean(self) -> None:
        errors = {}
        if self.lawful_basis == LawfulBasis.CONSENT and not self.consent_recorded_at:
            errors["consent_recorded_at"] = "Record when consent was given, or choose another lawful basis."
        if self.consent_recorded_at and self.consent_recorded_at > timezone.now():
            errors["consent_recorded_at"] = "Consent cannot be recorded in the future."
        if self.retain_until and self.pk is None and self.retain_until < timezone.localdate():
            errors["retain_until"] = "The retention date must be in the future."
        if errors:
            raise ValidationError(errors)


class PartnerContactQuerySet(OrganisationScopedQuerySet):
    def search(self, text: str = "", *, neighbourhood=None, small_area=None):
        """'Who in licensing covers this ward': words match name, role, topics or agency; the area narrows it."""
        queryset = self
        for word in text.split():
            queryset = queryset.filter(
                models.Q(name__icontains=word) | models.Q(role__icontains=word)
                | models.Q(topics__icontains=[word.lower()]) | models.Q(partner_organisation__name__icontains=word)
                | models.Q(partner_organisation__kind__icontains=word.lower().replace(" ", "_"))
            )
        if neighbourhood is not None:
            queryset = queryset.filter(neighbourhoods=neighbourhood)
        if small_area is not None:
            queryset = queryset.filter(models.Q(small_areas=small_area) | models.Q(neighbourhoods__small_areas=small_area))
        return queryset.distinct()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PartnerContact(OwnedRecord):
    """The named person at a partner agency for a topic and an area."""

    DATA_CATEGORY = DataCategory.PARTNER_CONTACTS
    PERSONAL_FIELDS = ("name", "phone", "email")

    partner_organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="partner_contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200)
    topics = ArrayField(models.CharField(max_length=60), default=list, blank=True, help_text="Such as licensing, noise, fly-tipping.")
    neighbourhoods = models.ManyToManyField("geo.Neighbourhood", blank=True, related_name="partner_contacts")
    small_areas = models.ManyToManyField("geo.SmallArea", blank=True, related_name="partner_contacts", help_text="Wards or other small areas covered.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    objects = PartnerContactQuerySet.as_manager()

    class Meta:
        ordering = ["partner_organisation__name", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.role} ({self.partner_organisation})"

    def clean(self) -> None:
        self.topics = sorted({topic.strip().lower() for topic in self.topics if topic.strip()})
        if not (self.phone or self.email):
            raise ValidationError("Give a phone number or an email address, so the contact can be reached.")
