"""What partners hear every day, recorded once and collated centrally."""
import uuid

import pghistory
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Transform
from django.contrib.postgres.indexes import GistIndex

from access.models import OwnedRecord
from sharing_protocols.models import Classification, DataCategory

BRITISH_NATIONAL_GRID = 27700


class ConcernChannel(models.TextChoices):
    WEB_FORM = "web_form", "Hub web form"
    BULK_FILE = "bulk_file", "Bulk file"
    OPEN311 = "open311", "Open311 API"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    COUNCILLOR_SURGERY = "councillor_surgery", "Councillor surgery"
    PATROL = "patrol", "Seen on patrol"


class ConcernStatus(models.TextChoices):
    """A concern's status as people see it. NEW, COLLATED and CLOSED are stored on the partner's row (the partner
    closes it; the collation places it). TAKEN_INTO_PRIORITY and CLOSED_BY_POLICE are never stored there: they are
    shown when the police have answered with their own record (partners.responses; Concern.shown_status)."""

    NEW = "new", "New"
    COLLATED = "collated", "Collated"
    TAKEN_INTO_PRIORITY = "taken_into_priority", "Taken into a priority"
    CLOSED_BY_POLICE = "closed_by_police", "Closed by the police"
    CLOSED = "closed", "Closed"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Concern(OwnedRecord):
    """One concern a partner agency heard. `organisation` is the reporting organisation.

    Personal data lives only in the reporter fields (and in the free text when
    `holds_personal_data` says so); those are what a protocol without personal data withholds."""

    DATA_CATEGORY = DataCategory.CONCERNS
    PERSONAL_FIELDS = ("reporter_name", "reporter_email", "reporter_phone", "description")
    # The free text is withheld only when it names someone; the reporter's details always.
    PERSONAL_ONLY_WHEN = {"description": "holds_personal_data"}
    CLASSIFICATION_FIELD = "classification"

    category = models.ForeignKey("crm.IssueCategory", on_delete=models.PROTECT, related_name="concerns")
    location = models.PointField(srid=4326, help_text="Where it happens (WGS84 longitude and latitude).")
    # Kept by the database from `location`: distances in metres and an index for dwithin.
    location_bng = models.GeneratedField(
        expression=Transform("location", BRITISH_NATIONAL_GRID),
        output_field=models.PointField(srid=BRITISH_NATIONAL_GRID, spatial_index=True), db_persist=True,
    )
    place = models.CharField(max_length=200, blank=True, help_text="A street or landmark, such as 'Rear of Market Street car park'.")
    occurred_at = models.DateTimeField(help_text="When it happened, or was last seen.")
    reported_at = models.DateTimeField(db_index=True, help_text="When the partner heard of it.")
    channel = models.CharField(max_length=30, choices=ConcernChannel.choices)
    description = models.TextField(max_length=5000)
    holds_personal_data = models.BooleanField(default=False, help_text="The description names or identifies a person.")
    reporter_name = models.CharField(max_length=200, blank=True)
    reporter_email = models.EmailField(blank=True)
    reporter_phone = models.CharField(max_length=40, blank=True)
    classification = models.CharField(max_length=20, choices=Classification.choices, default=Classification.OFFICIAL)
    status = models.CharField(max_length=30, choices=ConcernStatus.choices, default=ConcernStatus.NEW, db_index=True)
    external_reference = models.CharField(max_length=100, blank=True, help_text="The partner's own reference, if any.")
    # A hash of what the row says, so the same file (or the same API call) never creates a concern twice.
    fingerprint = models.CharField(max_length=64, editable=False)
    import_job = models.ForeignKey("partners.ConcernImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns")
    open311_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Filled by the daily collation.
    neighbourhood = models.ForeignKey("geo.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns")
    lsoa = models.ForeignKey("geo.SmallArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns")
    collated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-reported_at"], name="concern_org_reported"),
            models.Index(fields=["category", "reported_at"], name="concern_category_reported"),
            models.Index(fields=["neighbourhood", "reported_at"], name="concern_neighbourhood_reported"),
            # What visible_to filters on, and the key: a list's capped count ("more than 10,000") reads this index
            # alone (an index-only scan), not the wide rows (bench/visibility.py).
            models.Index(fields=["organisation", "classification", "id"], name="concern_visible_count"),
            GistIndex(fields=["location_bng"], name="concern_location_bng"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "fingerprint"], name="concern_once_per_organisation"),
            models.UniqueConstraint(
                fields=["organisation", "external_reference"], condition=~models.Q(external_reference=""),
                name="concern_external_reference_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} at {self.place or 'a mapped place'} ({self.reported_at:%d %B %Y})"

    @property
    def shown_status(self) -> str:
        """Closed by its partner; else closed by the police or taken into a priority when the police's answer is read
        with it (partners.responses.selectors.with_police_answer); else as the collation left it."""
        if self.status == ConcernStatus.CLOSED:
            return self.status
        if getattr(self, "police_outcome", None):
            return ConcernStatus.CLOSED_BY_POLICE
        if getattr(self, "answered_priority_id", None):
            return ConcernStatus.TAKEN_INTO_PRIORITY
        return self.status

    @property
    def shown_status_note(self) -> str:
        """The shown status in words, with the police's outcome when they closed it (Open311's status notes)."""
        if self.shown_status == ConcernStatus.CLOSED_BY_POLICE:
            return f"{self.get_shown_status_display()}: {self.police_outcome}"
        return self.get_shown_status_display()

    def get_shown_status_display(self) -> str:
        return ConcernStatus(self.shown_status).label

    @property
    def reference(self) -> str:
        """The hub's reference, to quote on the phone or in an email (the partner's own is `external_reference`)."""
        return f"CON-{self.pk:07d}"


class ConcernLink(models.Model):
    """Two concerns that look like the same thing: same category, close in place and time, from different partners.
    Stored with the lower id first so each pair is kept once."""

    first = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="+")
    distance_metres = models.FloatField()
    days_apart = models.FloatField()
    found_by = models.ForeignKey("partners.CollationRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="concern_link_once"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")), name="concern_link_ordered"),
        ]
