"""Finding a person across the hub: contacts, partner contacts, concern reporters (web form, Open311 and
import files alike), door-to-door visits, engagement notes, advisory memberships, user accounts and the
notifications they were sent (or that name them), imported social-media posts (by author handle), the
history of changed records (an old name or email), and the disclosure-log entries about their records.

Every source reads through `visible_to(user)`, narrowed to the organisations the officer answers for
(their controller and its units): another controller's records are theirs to disclose."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format

from retention.models import RecordClass
from retention.selectors import governed_ids


def split_terms(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", text or "") if part.strip()]


def digits(phone: str) -> str:
    """A UK number as its last ten digits: '+44 1229 555123' and '01229 555123' are the same phone."""
    only = re.sub(r"\D", "", phone or "")
    return only[-10:] if len(only) >= 10 else only


def postcode_key(text: str) -> str:
    return re.sub(r"\s", "", text or "").upper()


POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")


class Digits(Func):
    """The last ten digits of a phone column (the SQL twin of `digits`)."""

    template = "RIGHT(REGEXP_REPLACE(%(expressions)s, '[^0-9]', '', 'g'), 10)"
    output_field = models.CharField()


class PostcodeKey(Func):
    template = "UPPER(REGEXP_REPLACE(%(expressions)s, '\\s', '', 'g'))"
    output_field = models.CharField()


@dataclass
class Terms:
    names: list[tuple[str, str, str]]  # (full name, first word, last word)
    emails: list[str]
    phones: list[str]
    addresses: list[str]
    postcodes: list[str]
    handles: list[str] = field(default_factory=list)  # without a leading "@", as posts' authors are matched either way

    @classmethod
    def of(cls, request) -> "Terms":
        names = []
        for name in [request.requester_name, *split_terms(request.other_names.replace(",", ";"))]:
            words = name.split()
            if words:
                names.append((" ".join(words), words[0], words[-1]))
        emails = [e.lower() for e in [request.requester_email, *split_terms(request.other_emails.replace(",", ";"))] if e]
        phones = [digits(p) for p in split_terms(request.phones.replace(",", ";")) if len(digits(p)) >= 6]
        addresses, postcodes = [], []
        for address in split_terms(request.addresses):
            (postcodes if POSTCODE.match(postcode_key(address)) else addresses).append(address)
        handles = [h.lstrip("@") for h in split_terms(request.handles.replace(",", ";")) if h.lstrip("@")]
        return cls(names, emails, phones, addresses, [postcode_key(p) for p in postcodes], handles)

    @property
    def empty(self) -> bool:
        return not (self.names or self.emails or self.phones or self.addresses or self.postcodes or self.handles)


@dataclass
class Source:
    """One place a person can appear. `match` gives, per field, the condition that finds them there."""

    key: str
    label: str
    model_label: str
    shown: tuple[str, ...]  # fields read into the package (and offered for redaction)
    record_class: str = ""  # the retention class, for erasure through the same path
    organisation_lookup: str = "organisation"
    url_name: str | None = None
    url_from: str = "pk"
    history: bool = True  # also search the history of changed records of this kind

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def conditions(self, terms: Terms) -> dict[str, Q]:
        raise NotImplementedError

    def queryset(self, user):
        return self.model.objects.visible_to(user).filter(**{f"{self.organisation_lookup}__in": governed_ids(user)})

    def url(self, record) -> str | None:
        if not self.url_name:
            return None
        try:
            return reverse(self.url_name, args=[getattr(record, self.url_from)])
        except NoReverseMatch:
            return None


def any_of(pairs) -> Q:
    q = Q()
    for pair in pairs:
        q |= Q(**dict([pair]))
    return q


class ContactSource(Source):
    def conditions(self, terms):
        return {
            "name": any_of(()) | _names(terms, "first_name", "last_name"),
            "email": any_of(("email__iexact", e) for e in terms.emails),
            "phone": any_of(("_digits", p) for p in terms.phones),
            "postcode": any_of(("_postcode", p) for p in terms.postcodes),
        }


def _names(terms, first: str, last: str) -> Q:
    q = Q()
    for _full, first_word, last_word in terms.names:
        q |= Q(**{f"{first}__iexact": first_word, f"{last}__iexact": last_word})
    return q


class FullNameSource(Source):
    """Sources with one name field, one email and one phone field (partner contacts, concern reporters)."""

    name_field: str = "name"
    email_field: str = "email"
    phone_field: str = "phone"
    mentions_field: str = ""

    def conditions(self, terms):
        found = {
            "name": any_of((f"{self.name_field}__iexact", full) for full, _, _ in terms.names),
            "email": any_of((f"{self.email_field}__iexact", e) for e in terms.emails),
            "phone": any_of(("_digits", p) for p in terms.phones),
        }
        if self.mentions_field:
            found["mentioned"] = any_of((f"{self.mentions_field}__icontains", full) for full, _, _ in terms.names) \
                | any_of((f"{self.mentions_field}__icontains", e) for e in terms.emails)
        return found


class ConcernSource(FullNameSource):
    name_field, email_field, phone_field, mentions_field = "reporter_name", "reporter_email", "reporter_phone", "description"


class MentionsSource(Source):
    """Free text that may name the person (engagement notes)."""

    text_field: str = "notes"

    def conditions(self, terms):
        return {"mentioned": any_of((f"{self.text_field}__icontains", full) for full, _, _ in terms.names)}


class VisitSource(Source):
    def conditions(self, terms):
        return {"address": any_of(("address__icontains", a) for a in terms.addresses)}


class UserSource(Source):
    def queryset(self, user):
        from organisations.models import Membership

        return self.model.objects.visible_to(user).filter(
            pk__in=Membership.objects.filter(organisation_id__in=governed_ids(user)).values("user_id"))

    def conditions(self, terms):
        return {"name": _names(terms, "first_name", "last_name"), "email": any_of(("email__iexact", e) for e in terms.emails)}


class NotificationSource(Source):
    """What the hub told a person with an account (found by the account's name or email), and any notification
    whose wording names them. Read as the users of the officer's controller whom visible_to shows the officer."""

    def queryset(self, user):
        from organisations.models import Membership, User

        users = User.objects.visible_to(user).filter(pk__in=Membership.objects.filter(organisation_id__in=governed_ids(user)).values("user_id"))
        return self.model.objects.filter(recipient__in=users)

    def conditions(self, terms):
        return {
            "recipient": _names(terms, "recipient__first_name", "recipient__last_name")
            | any_of(("recipient__email__iexact", e) for e in terms.emails),
            "mentioned": any_of(pair for full, _, _ in terms.names for pair in (("subject__icontains", full), ("body__icontains", full)))
            | any_of(("body__icontains", e) for e in terms.emails),
        }


class PostSource(Source):
    """Imported social-media posts: by the author's handle (with or without "@"), or naming the handle in their text."""

    def conditions(self, terms):
        handles = [variant for handle in terms.handles for variant in (handle, f"@{handle}")]
        return {
            "handle": any_of(("author__iexact", h) for h in handles)
            | any_of(("author__iexact", full) for full, _, _ in terms.names),
            "mentioned": any_of(("text__icontains", f"@{h}") for h in terms.handles),
        }


SOURCES: dict[str, Source] = {source.key: source for source in (
    ContactSource("contact", "Community contact", "crm.Contact",
                  ("first_name", "last_name", "email", "phone", "postcode", "neighbourhood", "lawful_basis", "consent_recorded_at",
                   "preferred_channel", "language", "accessibility_needs", "retain_until", "notes", "created_at"),
                  record_class=RecordClass.CONTACTS, url_name="crm:contact-detail"),
    FullNameSource("partner_contact", "Partner contact", "crm.PartnerContact", ("name", "role", "email", "phone", "partner_organisation"),
                   url_name="crm:partner-contact-detail"),
    ConcernSource("concern", "Concern (reporter or mentioned)", "partners.Concern",
                  ("reporter_name", "reporter_email", "reporter_phone", "category", "place", "occurred_at", "reported_at", "channel",
                   "description", "import_job", "status"),
                  record_class=RecordClass.CONCERN_REPORTERS, url_name="partners:concern-detail"),
    VisitSource("doorstep_visit", "Door-to-door visit", "crm.DoorstepVisit", ("address", "outcome", "answers", "resolved_on_the_spot", "engagement"),
                record_class=RecordClass.DOORSTEP_VISITS, organisation_lookup="engagement__organisation",
                url_name="crm:engagement-detail", url_from="engagement_id"),
    MentionsSource("engagement", "Engagement notes", "crm.Engagement", ("title", "kind", "starts_at", "venue_name", "notes"),
                   record_class=RecordClass.ENGAGEMENT_ATTENDANCE, url_name="crm:engagement-detail"),
    UserSource("user", "User account", "crm.User", ("first_name", "last_name", "username", "email", "date_joined", "last_login"),
               history=False),
    NotificationSource("notification", "Notification", "notifications.Notification",
                       ("recipient", "kind", "subject", "body", "created_at", "read_at", "emailed_at"),
                       record_class=RecordClass.NOTIFICATIONS, history=False),
    PostSource("post", "Social-media post", "digital.Post",
               ("site", "author", "posted_at", "text", "url", "place_text", "neighbourhood", "source_import"),
               record_class=RecordClass.SOCIAL_MEDIA, history=False),
)}
# Found through a contact already found, not by the terms themselves.
MEMBERSHIP = Source("advisory_membership", "Advisory group membership", "crm.AdvisoryMembership",
                    ("advisory_group", "contact", "joined_on", "left_on", "is_chair", "age_band", "ethnic_group", "disability"),
                    record_class=RecordClass.ADVISORY_MEMBERS, organisation_lookup="advisory_group__organisation",
                    url_name="crm:advisory-detail", url_from="advisory_group_id")
# The file a concern was imported from holds its reporter's details too.
IMPORT_FILE = Source("import_file", "Uploaded file of concerns", "partners.ConcernImportJob",
                     ("original_name", "file_format", "total_rows", "created_at", "finished_at"),
                     record_class=RecordClass.IMPORT_FILES, url_name="partners:import-detail", history=False)
LINKED = {MEMBERSHIP.key: MEMBERSHIP, IMPORT_FILE.key: IMPORT_FILE}
DISCLOSURE_LABEL = "sharing_protocols.disclosureentry"


def source_for(key: str) -> Source | None:
    return SOURCES.get(key) or LINKED.get(key)


@dataclass
class Found:
    source: str
    record_type: str
    record_id: str
    matched_on: list[str] = field(default_factory=list)


def _annotated(queryset, source: Source):
    annotations = {}
    phone_field = getattr(source, "phone_field", "phone")
    if source.key in ("contact", "partner_contact", "concern"):
        annotations["_digits"] = Digits(F(phone_field))
    if source.key == "contact":
        annotations["_postcode"] = PostcodeKey(F("postcode"))
    return queryset.alias(**annotations) if annotations else queryset


def find(user, terms: Terms) -> list[Found]:
    """Every record of the officer's controller that matches the person, with the fields that matched.
    Refuses (ValidationError naming the field to narrow) a search matching more than SUBJECT_ACCESS_MAX_MATCHES."""
    if terms.empty:
        raise ValidationError({"requester_name": "Give at least the person's name to search for."})
    limit = settings.SUBJECT_ACCESS_MAX_MATCHES
    found: list[Found] = []
    contact_ids: list[int] = []
    by_label: dict[str, list[int]] = {}
    for source in SOURCES.values():
        conditions = {name: q for name, q in source.conditions(terms).items() if q}
        if not conditions:
            continue
        queryset = _annotated(source.queryset(user), source)
        combined = Q()
        for q in conditions.values():
            combined |= q
        matches = queryset.filter(combined)
        count = matches.count()
        if len(found) + count > limit:
            raise ValidationError({"requester_name": (
                f"This search matches more than {limit:,} records ({source.label.lower()}s alone: {count:,}): too many to review. "
                "Narrow it: add the person's email address, phone number or postcode, or a fuller name.")})
        matched_on: dict[int, list[str]] = {}
        for name, q in conditions.items():
            for pk in _annotated(source.queryset(user), source).filter(q).values_list("pk", flat=True):
                matched_on.setdefault(pk, []).append(name)
        for pk, names in sorted(matched_on.items()):
            found.append(Found(source.key, source.model._meta.label_lower, str(pk), names))
        by_label.setdefault(source.model._meta.label_lower, []).extend(matched_on)
        if source.key == "contact":
            contact_ids = list(matched_on)
        if source.key == "concern":
            jobs = source.model.objects.filter(pk__in=list(matched_on), import_job__isnull=False).values_list("import_job_id", flat=True)
            for job in IMPORT_FILE.queryset(user).filter(pk__in=jobs).exclude(upload="").values_list("pk", flat=True):
                found.append(Found(IMPORT_FILE.key, IMPORT_FILE.model._meta.label_lower, str(job), ["reporter in the file"]))
        if source.history:
            found += _history(user, source, terms, conditions, exclude=set(matched_on))
    for membership in MEMBERSHIP.queryset(user).filter(contact_id__in=contact_ids).values_list("pk", flat=True):
        found.append(Found(MEMBERSHIP.key, MEMBERSHIP.model._meta.label_lower, str(membership), ["contact"]))
        by_label.setdefault(MEMBERSHIP.model._meta.label_lower, []).append(membership)
    found += _disclosures(by_label)
    if len(found) > limit:
        raise ValidationError({"requester_name": f"This search matches {len(found):,} records: narrow it with an email address, phone number or postcode."})
    return found


def _history(user, source: Source, terms: Terms, conditions: dict[str, Q], *, exclude: set) -> list[Found]:
    """Records that match only in their history (an old name, a changed email), kept or since deleted."""
    events = getattr(source.model, "pgh_event_model", None)
    if events is None:
        return []
    queryset = events.objects.filter(**{f"{source.organisation_lookup}_id__in": governed_ids(user)})
    queryset = _annotated(queryset, source)
    found = []
    matched: dict[int, list[str]] = {}
    for name, q in conditions.items():
        for obj_id in queryset.filter(q).exclude(pgh_obj_id__in=exclude).values_list("pgh_obj_id", flat=True).distinct():
            matched.setdefault(obj_id, []).append(name)
    for obj_id, names in sorted(matched.items()):
        found.append(Found(f"history:{source.key}", events._meta.label_lower, str(obj_id), [f"earlier {n}" for n in names]))
    return found


def _disclosures(by_label: dict[str, list[int]]) -> list[Found]:
    """Entries in the disclosure log about the records found: who else read or was given them."""
    from sharing_protocols.models import DisclosureEntry

    q = Q()
    for label, ids in by_label.items():
        if ids:
            q |= Q(record_type=label, record_id__in=[str(i) for i in ids])
            for record_id in ids:
                q |= Q(record_type=label, details__ids__contains=[record_id])
    if not q:
        return []
    return [Found("disclosure", DISCLOSURE_LABEL, str(pk), ["about a record found"])
            for pk in DisclosureEntry.objects.filter(q).values_list("pk", flat=True)]


def label_for(item) -> str:
    """An item's name for a reader: 'Community contact 12', 'Earlier versions of community contact 12'."""
    if item.source == "disclosure":
        return f"Disclosure log entry {item.record_id}"
    if item.source.startswith("history:"):
        source = source_for(item.source.split(":", 1)[1])
        return f"Earlier versions of {source.label.lower()} {item.record_id}"
    source = source_for(item.source)
    return f"{source.label} {item.record_id}" if source else f"Record {item.record_id}"


# -- reading an item's values, for the review page and the package ----------------------------------------

def display(record, field_name: str) -> str:
    model_field = record._meta.get_field(field_name)
    if model_field.is_relation:
        related = getattr(record, field_name)
        return str(related) if related is not None else ""
    value = getattr(record, model_field.attname)
    if value in (None, "", [], {}):
        return ""
    if isinstance(value, list):
        labels = dict(getattr(model_field, "base_field", model_field).flatchoices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return date_format(timezone.localtime(value), "j F Y, H:i")
    if hasattr(value, "year"):
        return date_format(value, "j F Y")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


@dataclass
class ItemView:
    """An item as the reviewer and the package see it: a title and its fields (label, name, value)."""

    title: str
    fields: list[tuple[str, str, str]]
    url: str | None = None
    held_by: str = ""
    missing: bool = False


def read_item(user, item) -> ItemView:
    """The record an item points at, read now through visible_to."""
    from sharing_protocols.models import DisclosureEntry

    if item.source == "disclosure":
        entry = DisclosureEntry.objects.filter(pk=item.record_id).first()
        if entry is None:
            return ItemView("Disclosure entry (no longer held)", [], missing=True)
        return ItemView(f"Disclosure of {entry.record_type.split('.')[-1]} {entry.record_id}", [
            ("When", "at", date_format(timezone.localtime(entry.at), "j F Y, H:i")), ("Organisation", "organisation_label", entry.organisation_label),
            ("What happened", "action", entry.get_action_display()), ("Under", "protocol_reference", entry.protocol_reference),
            ("Purpose", "purpose", entry.purpose)], held_by=entry.organisation_label)
    if item.source.startswith("history:"):
        source = SOURCES[item.source.split(":", 1)[1]]
        events = source.model.pgh_event_model.objects.filter(pgh_obj_id=item.record_id,
                                                             **{f"{source.organisation_lookup}_id__in": governed_ids(user)}).order_by("pgh_id")
        rows = []
        for event in events:
            when = date_format(timezone.localtime(event.pgh_created_at), "j F Y, H:i")
            values = "; ".join(f"{event._meta.get_field(n).verbose_name}: {v}" for n in source.shown if n in {f.name for f in event._meta.fields}
                               for v in [display(event, n)] if v)
            rows.append((f"Version of {when}", f"version_{event.pgh_id}", values))
        return ItemView(f"Earlier versions of {source.label.lower()} {item.record_id}", rows, missing=not rows)
    source = source_for(item.source)
    record = source.queryset(user).filter(pk=item.record_id).first()
    if record is None:
        return ItemView(f"{source.label} {item.record_id} (no longer held)", [], missing=True)
    fields = [(str(record._meta.get_field(n).verbose_name).capitalize(), n, display(record, n)) for n in source.shown]
    organisation = getattr(record, "organisation", None)
    return ItemView(f"{source.label} {item.record_id}", [f for f in fields if f[2]], url=source.url(record),
                    held_by=str(organisation) if organisation else "")
