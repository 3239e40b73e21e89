"""Information-sharing protocols and the log of what was disclosed under them.

The disclosure log is append-only (a database trigger refuses UPDATE and DELETE) and
each entry carries the hash of the one before, so a changed or removed entry breaks the
chain at that point: `manage.py verify_disclosure_log` names the first broken entry."""
import pgtrigger
from django.conf import settings
from guardian.managers import GroupObjectPermissionManager
from guardian.models import GroupObjectPermissionBase
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class DisclosureAction(models.TextChoices):
    READ = "read", "Read another organisation's record"
    EXPORT = "export", "Export"
    GRANT = "grant", "One-off share granted"
    PROTOCOL_CHANGE = "protocol_change", "Protocol changed"


class DisclosureEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    user_label = models.CharField(max_length=150, help_text="The username at the time, kept if the account changes.")
    organisation = models.ForeignKey("crm.Organisation", null=True, on_delete=models.PROTECT, related_name="+")
    organisation_label = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=DisclosureAction.choices)
    record_type = models.CharField(max_length=100, blank=True, help_text="app_label.model of the record disclosed.")
    record_id = models.CharField(max_length=64, blank=True)
    protocol_reference = models.CharField(max_length=100, blank=True, help_text="Protocol, version and clause that allowed it.")
    purpose = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The organisation whose record was disclosed, so its information governance sees who read it (the
    # `organisation` above is the reader's, or the acting one's). Empty on entries written before it was kept.
    holder_organisation = models.ForeignKey("crm.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    holder_label = models.CharField(max_length=200, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "disclosure entries"
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.user_label}: {self.get_action_display()} {self.record_type} {self.record_id}".strip()


class DataCategory(models.TextChoices):
    """What a protocol lets flow; each maps to the records `visible_to` will widen for."""

    CONTACTS = "contacts", "Community contacts"
    PARTNER_CONTACTS = "partner_contacts", "Partner contacts"
    COMMUNITY_GROUPS = "community_groups", "Community groups"
    ADVISORY_GROUPS = "advisory_groups", "Advisory groups"
    ENGAGEMENTS = "engagements", "Engagements"
    PRIORITIES = "priorities", "PACT priorities"
    CONCERNS = "concerns", "Partner-reported concerns"
    SOCIAL_MEDIA = "social_media", "Social-media conversations"


class Classification(models.TextChoices):
    OFFICIAL = "official", "OFFICIAL"
    OFFICIAL_SENSITIVE = "official_sensitive", "OFFICIAL-SENSITIVE"


class ProtocolStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_SIGNATURES = "awaiting_signatures", "Awaiting signatures"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"
    DECLINED = "declined", "Declined by a party"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A version's terms may change only while it is a draft; once sent for signature only its status may
# move (to active, declined or withdrawn); once decided, nothing. The database holds to it.
OPEN_STATUSES = (ProtocolStatus.DRAFT, ProtocolStatus.AWAITING_SIGNATURES)


class Article6Basis(models.TextChoices):
    CONSENT = "consent", "Consent (article 6(1)(a))"
    CONTRACT = "contract", "Contract (article 6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (article 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (article 6(1)(d))"
    PUBLIC_TASK = "public_task", "Public task (article 6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (article 6(1)(f))"


class SharingProtocol(models.Model):
    """An information-sharing agreement. What it says lives in its versions: a change makes a
    new version and the old ones stay readable (the database refuses to change a version)."""

    reference = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    lead_organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The version in force. Versions never change; this pointer moves when a new one is published.
    current_version = models.ForeignKey("sharing_protocols.ProtocolVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", editable=False)
    review_flagged_on = models.DateField(null=True, blank=True, editable=False,
                                         help_text="When the daily check found the review date near or past.")
    # A version every party has signed whose start date has not come: it replaces the current one on that date.
    pending_version = models.ForeignKey("sharing_protocols.ProtocolVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def review_due(self) -> bool:
        return self.review_flagged_on is not None


class ProtocolVersion(models.Model):
    """One version of a protocol, with the headings of the ICO's Data Sharing Code."""

    protocol = models.ForeignKey(SharingProtocol, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=ProtocolStatus.choices, default=ProtocolStatus.DRAFT)
    change_summary = models.CharField(max_length=300, blank=True)
    purpose = models.TextField()
    article_6_basis = models.CharField("UK GDPR article 6 basis", max_length=30, choices=Article6Basis.choices, blank=True)
    includes_special_category_data = models.BooleanField("includes special category data (UK GDPR article 9)", default=False)
    special_category_condition = models.CharField(max_length=300, blank=True, help_text="Article 9 condition and DPA 2018 Schedule 1 condition, if special category data is shared.")
    includes_criminal_offence_data = models.BooleanField("includes criminal offence data (UK GDPR article 10)", default=False)
    criminal_offence_condition = models.CharField("article 10 condition", max_length=300, blank=True,
                                                  help_text="The DPA 2018 Schedule 1 condition for criminal offence data.")
    law_enforcement_processing = models.BooleanField("law enforcement processing (DPA 2018 Part 3)", default=False)
    legal_power = models.CharField(max_length=300, blank=True, help_text="Such as section 115 of the Crime and Disorder Act 1998.")
    includes_personal_data = models.BooleanField(default=False)
    highest_classification = models.CharField(max_length=20, choices=Classification.choices, default=Classification.OFFICIAL)
    retention_and_deletion = models.TextField()
    security = models.TextField()
    starts_on = models.DateField()
    review_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    signatories = models.TextField(blank=True, help_text="Who signed, for which party, in what capacity.")
    signed_off_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The party that made this version (drafted it, or suspended or terminated the protocol).
    acted_for = models.ForeignKey("crm.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["protocol", "-number"]
        constraints = [models.UniqueConstraint(fields=["protocol", "number"], name="one_protocol_version_number")]
        triggers = [
            pgtrigger.Protect(name="versions_are_kept", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="decided_versions_are_kept", operation=pgtrigger.Update, condition=pgtrigger.Condition(
                "NOT (OLD.status = 'draft' OR (OLD.status = 'awaiting_signatures' AND "
                + " AND ".join(f'NEW."{column}" IS NOT DISTINCT FROM OLD."{column}"' for column in (
                    "protocol_id", "number", "purpose", "article_6_basis", "includes_special_category_data", "special_category_condition",
                    "includes_criminal_offence_data", "criminal_offence_condition", "law_enforcement_processing", "legal_power",
                    "includes_personal_data", "highest_classification", "retention_and_deletion", "security", "starts_on",
                    "review_on", "ends_on")) + "))")),
        ]

    def __str__(self) -> str:
        return f"{self.protocol} v{self.number} ({self.get_status_display()})"

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = "The end date must be after the start date."
        if self.starts_on and self.review_on and self.review_on < self.starts_on:
            errors["review_on"] = "The review date cannot come before the start date."
        elif self.ends_on and self.review_on and self.review_on > self.ends_on:
            errors["review_on"] = "The review date cannot come after the end date."
        if self.status == ProtocolStatus.ACTIVE and not (self.signed_off_on and self.signatories.strip()):
            errors["signed_off_on"] = "A protocol is active only once signed off: give the date and the signatories."
        if self.includes_personal_data and not (self.article_6_basis or self.law_enforcement_processing):
            errors["article_6_basis"] = "Personal data needs a lawful basis: an article 6 basis, or law enforcement processing under Part 3."
        if (self.includes_special_category_data or self.includes_criminal_offence_data) and not self.includes_personal_data:
            errors["includes_personal_data"] = "Special category and criminal offence data are personal data: tick personal data too."
        if self.includes_special_category_data and not self.special_category_condition.strip():
            errors["special_category_condition"] = "Special category data needs an article 9 condition (and its DPA 2018 Schedule 1 condition)."
        if self.includes_criminal_offence_data and not (self.criminal_offence_condition.strip() or self.law_enforcement_processing):
            errors["criminal_offence_condition"] = ("Criminal offence data needs an article 10 condition, unless it is law enforcement "
                                                    "processing under Part 3 of the DPA 2018.")
        if errors:
            raise ValidationError(errors)


class KeptUnlessDraft(pgtrigger.Trigger):
    """A version's parties and flows change only while the version is a draft."""

    when = pgtrigger.Before
    operation = pgtrigger.Update | pgtrigger.Delete

    def get_func(self, model):
        return (f"IF (SELECT status FROM {ProtocolVersion._meta.db_table} WHERE id = OLD.version_id) <> 'draft' THEN "
                "RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table: the version is no longer a draft', TG_TABLE_NAME; "
                "END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;")


class ProtocolParty(models.Model):
    version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="parties")
    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "organisation"], name="one_party_per_version")]
        triggers = [KeptUnlessDraft(name="parties_are_kept")]

    def __str__(self) -> str:
        return f"{self.organisation} (contact: {self.contact_name}, {self.contact_email})"


class SignatureDecision(models.TextChoices):
    SIGNED = "signed", "Signed"
    DECLINED = "declined", "Declined"


class ProtocolSignature(models.Model):
    """One party's decision on one version: signed (by whom, in what role, when) or declined with a reason.
    Kept as made: the database refuses to change or remove one."""

    version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="signatures")
    organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=SignatureDecision.choices)
    signatory_name = models.CharField(max_length=200)
    signatory_role = models.CharField(max_length=200)
    signed_on = models.DateField()
    reason = models.CharField(max_length=500, blank=True)
    content_sha256 = models.CharField(max_length=64, help_text="The SHA-256 of the version's content, as signed.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["version", "organisation"], name="one_decision_per_party")]
        triggers = [pgtrigger.Protect(name="signatures_are_kept", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        if self.decision == SignatureDecision.DECLINED:
            return f"Declined for {self.organisation} by {self.signatory_name} ({self.signatory_role}) on {self.signed_on:%d %B %Y}: {self.reason}"
        return f"Signed for {self.organisation} by {self.signatory_name} ({self.signatory_role}) on {self.signed_on:%d %B %Y}"


class ChainVerification(models.Model):
    """One check of the disclosure log's hash chain: nightly (Celery beat) or asked for on the log's page."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    intact = models.BooleanField()
    checked = models.PositiveIntegerField()
    first_broken_entry_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return "intact" if self.intact else f"broken at entry #{self.first_broken_entry_id}"


def live_flow_ids_sql(today) -> tuple[str, list]:
    """SQL selecting the ids of live flows: of each protocol's current version, active, started and not
    ended, decided at read time. The one definition, used by visible_to and by `.live()`."""
    flow, version, protocol = ProtocolDataFlow._meta.db_table, ProtocolVersion._meta.db_table, SharingProtocol._meta.db_table
    return (
        f"SELECT lf.id FROM {flow} lf JOIN {version} lv ON lv.id = lf.version_id JOIN {protocol} lp ON lp.current_version_id = lv.id "
        "WHERE lv.status = %s AND lv.starts_on <= %s AND (lv.ends_on IS NULL OR lv.ends_on >= %s)",
        [ProtocolStatus.ACTIVE, today, today],
    )


class ProtocolDataFlowQuerySet(models.QuerySet):
    def live(self, today=None):
        """Flows of each protocol's current version, active, started and not ended: decided at read time."""
        return self.filter(pk__in=models.expressions.RawSQL(*live_flow_ids_sql(today or timezone.localdate())))


class ProtocolDataFlow(models.Model):
    """One category of data flowing from a provider to a recipient, under a numbered clause."""

    objects = ProtocolDataFlowQuerySet.as_manager()

    version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="flows")
    category = models.CharField(max_length=30, choices=DataCategory.choices)
    provider = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+")
    clause = models.CharField(max_length=20, help_text="The clause that allows it, such as 4.2.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "category", "provider", "recipient"], name="one_flow_per_direction")]
        triggers = [KeptUnlessDraft(name="flows_are_kept")]

    def __str__(self) -> str:
        return f"Clause {self.clause}: {self.get_category_display().lower()} from {self.provider} to {self.recipient}"


class OneOffShareManager(GroupObjectPermissionManager):
    """Guardian's manager (so guardian's own shortcuts read these grants), plus the unexpired ones."""

    def live(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())


class SharerIsTheHolder(pgtrigger.Trigger):
    """A share's sharing organisation is the shared record's holder, set by the database on every insert and
    change of the record it names, whatever the writer sent: row-level security's WITH CHECK limits creating,
    changing and ending a share to that organisation (row_security/policies.py), so no writer can claim it.
    The record is read under the writer's own row-level security: one the writer cannot read leaves the column
    empty, which the policy (and NOT NULL) refuses."""

    when = pgtrigger.Before
    operation = pgtrigger.Insert | pgtrigger.UpdateOf("content_object_id")

    def get_func(self, model):
        record = model._meta.get_field("content_object").related_model
        return (f'NEW.sharing_organisation_id := (SELECT organisation_id FROM "{record._meta.db_table}" '
                "WHERE id = NEW.content_object_id); RETURN NEW;")


class OneOffShare(GroupObjectPermissionBase):
    """A single record shared with another organisation (through the organisation's group), for a
    reason, until an expiry: a django-guardian object permission on a direct foreign key."""

    reason = models.CharField(max_length=300)
    expires_at = models.DateTimeField()
    includes_personal_data = models.BooleanField(default=False)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    # The organisation that shared the record: its holder (SharerIsTheHolder fills it). Row-level security lets it
    # and the recipient organisation read the share, and only it write one.
    sharing_organisation = models.ForeignKey("crm.Organisation", on_delete=models.PROTECT, related_name="+", editable=False)

    objects = OneOffShareManager()

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = True
        triggers = [SharerIsTheHolder(name="sharer_is_the_holder")]


class ConcernShare(OneOffShare):
    content_object = models.ForeignKey("partners.Concern", on_delete=models.CASCADE, related_name="one_off_shares")


class ContactShare(OneOffShare):
    content_object = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="one_off_shares")


class CommunityGroupShare(OneOffShare):
    content_object = models.ForeignKey("crm.CommunityGroup", on_delete=models.CASCADE, related_name="one_off_shares")


class EngagementShare(OneOffShare):
    content_object = models.ForeignKey("crm.Engagement", on_delete=models.CASCADE, related_name="one_off_shares")


class PriorityShare(OneOffShare):
    content_object = models.ForeignKey("crm.Priority", on_delete=models.CASCADE, related_name="one_off_shares")
