"""Requests from people about their own data: access (UK GDPR article 15; DPA 2018 s.45), erasure
(article 17; s.47) and rectification (article 16; s.46). One request, its deadline, the records found
for it, what was decided about each, and the package sent."""
import uuid

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from access.visibility import OrganisationScopedQuerySet
from retention.models import LegalRegime


class RequestKind(models.TextChoices):
    ACCESS = "access", "Subject access"
    ERASURE = "erasure", "Erasure"
    RECTIFICATION = "rectification", "Rectification"


REFERENCE_PREFIX = {RequestKind.ACCESS: "SAR", RequestKind.ERASURE: "ERA", RequestKind.RECTIFICATION: "REC"}


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Restriction(models.TextChoices):
    """DPA 2018 s.45(4): the grounds on which the right of access may be restricted."""

    NONE = "", "No restriction"
    OBSTRUCT_INQUIRY = "obstruct_inquiry", "To avoid obstructing an official or legal inquiry, investigation or procedure (s.45(4)(a))"
    PREJUDICE_CRIME = "prejudice_crime", "To avoid prejudicing the prevention, detection, investigation or prosecution of offences (s.45(4)(b))"
    PUBLIC_SECURITY = "public_security", "To protect public security (s.45(4)(c))"
    NATIONAL_SECURITY = "national_security", "To protect national security (s.45(4)(d))"
    OTHERS_RIGHTS = "others_rights", "To protect the rights and freedoms of others (s.45(4)(e))"


class DataSubjectRequestQuerySet(OrganisationScopedQuerySet):
    def open(self):
        return self.filter(status=RequestStatus.OPEN)


class DataSubjectRequest(models.Model):
    """A request from a person (or their representative) about the personal data a controller holds on them."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+", help_text="The controller answering it.")
    kind = models.CharField(max_length=20, choices=RequestKind.choices, default=RequestKind.ACCESS)
    regime = models.CharField("legal regime", max_length=20, choices=LegalRegime.choices)
    requester_name = models.CharField("the person's name", max_length=200)
    requester_email = models.EmailField("their email address", blank=True)
    requester_address = models.TextField("their postal address", blank=True)
    other_names = models.CharField("other names they have used", max_length=300, blank=True)
    other_emails = models.CharField("other email addresses", max_length=300, blank=True)
    phones = models.CharField("phone numbers", max_length=200, blank=True)
    addresses = models.CharField("home addresses or postcodes to search for", max_length=300, blank=True,
                                 help_text="Such as 12 Abbey Road, or LA14 1AB. Separate several with semicolons.")
    handles = models.CharField("social-media handles or names they post under", max_length=300, blank=True,
                               help_text="Such as @marjorie_q. Separate several with semicolons.")
    # After an erasure the request keeps only a keyed hash of who asked: enough to recognise a repeat, nothing to read.
    requester_hash = models.CharField(max_length=64, blank=True, editable=False)
    reason = models.CharField(max_length=500, blank=True, help_text="For erasure or rectification: what the person asked for and why.")
    received_on = models.DateField()
    due_on = models.DateField(editable=False)
    extended_to = models.DateField(null=True, blank=True, editable=False)
    extension_reason = models.CharField(max_length=300, blank=True, editable=False)
    identity_checked = models.BooleanField("identity checked", default=False)
    restriction = models.CharField("restriction under DPA 2018 s.45", max_length=30, choices=Restriction.choices, blank=True, default="")
    restriction_note = models.CharField(max_length=500, blank=True, help_text="Why the restriction is necessary and proportionate (kept on file, never sent).")
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    searched_at = models.DateTimeField(null=True, blank=True)

    objects = DataSubjectRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display().lower()})"

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX.get(self.kind, 'REQ')}-{self.pk or 0:05d}"

    @staticmethod
    def one_month_after(day):
        return day + relativedelta(months=1)

    @property
    def deadline(self):
        return self.extended_to or self.due_on

    @property
    def days_left(self) -> int:
        return (self.deadline - timezone.localdate()).days

    @property
    def is_overdue(self) -> bool:
        return self.status == RequestStatus.OPEN and self.days_left < 0

    @property
    def neither_confirm_nor_deny(self) -> bool:
        return bool(self.restriction)


class ItemDecision(models.TextChoices):
    PENDING = "pending", "Not reviewed yet"
    INCLUDE = "include", "Include"
    REDACT = "redact", "Include, with third parties' details redacted"
    EXEMPT = "exempt", "Withhold (exempt)"
    NOT_THEM = "not_them", "Not this person"


class Exemption(models.TextChoices):
    NONE = "", "None"
    CRIME = "crime", "Prevention or detection of crime (DPA 2018 Schedule 2 paragraph 2; s.45(4)(b))"
    LEGAL_PRIVILEGE = "legal_privilege", "Legal professional privilege (Schedule 2 paragraph 19)"
    THIRD_PARTY = "third_party", "Would disclose another person who has not consented (Schedule 2 paragraph 16; s.45(4)(e))"
    MANAGEMENT = "management", "Management forecasts (Schedule 2 paragraph 22)"


class RequestItem(models.Model):
    """One record found for a request, and what the reviewer decided about it. It points at the record by
    type and id; the package reads the record's values when it is made."""

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="items")
    source = models.CharField(max_length=40, help_text="Which search source found it (see subject_access/search.py).")
    record_type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=64)
    matched_on = ArrayField(models.CharField(max_length=60), default=list, blank=True, help_text="The fields that matched.")
    decision = models.CharField(max_length=20, choices=ItemDecision.choices, default=ItemDecision.PENDING)
    exemption = models.CharField(max_length=30, choices=Exemption.choices, blank=True, default="")
    redact_fields = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    corrections = models.JSONField(default=dict, blank=True, help_text="Rectification: field name to corrected value.")
    actioned_at = models.DateTimeField(null=True, blank=True, help_text="When the erasure or correction was carried out.")

    class Meta:
        ordering = ["source", "record_type", "record_id"]
        constraints = [models.UniqueConstraint(fields=["request", "source", "record_type", "record_id"], name="request_item_once")]


def package_path(package: "SubjectAccessPackage", filename: str) -> str:
    return f"subject-access/{package.request.token}/{filename}"


class SubjectAccessPackage(models.Model):
    """What was sent: a tagged PDF with the cover letter and a machine-readable JSON, with their hashes."""

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="packages")
    made_at = models.DateTimeField(auto_now_add=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(upload_to=package_path)
    json = models.FileField(upload_to=package_path)
    pdf_sha256 = models.CharField(max_length=64)
    json_sha256 = models.CharField(max_length=64)
    items_included = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-made_at"]
