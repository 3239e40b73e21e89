"""django-import-export resources for community contacts, community groups and engagements.

`HubResource` is the one door every import and export goes through:

- Reads start from `Model.objects.visible_to(user)`; related rows that are themselves
  organisation-owned (a contact's groups, a group's key contacts, an engagement's officers)
  are prefetched through `visible_to` too, so a name the user may not see never leaves.
- Every exported cell passes `escape_cell` in `export_resource`, the hook every field's value
  goes through (a field added later, a `dehydrate_` method, a widget), and so do the headers.
- On import a row with an id updates that record only if the user may see it; otherwise the
  row is refused ("no contact with id 17 that you can see"), exactly as for a missing id. A
  row without an id is a new record of `owning_organisation(user)`.
- Each row is saved through the record's service (`record_save`, `engagement_log`), which runs
  the model's `full_clean` (and the service's own rules) before it writes; a cell that cannot
  be read is reported with the model's other errors for that row (see `validate_instance`).
"""
from __future__ import annotations

from django.contrib.gis.geos import Point
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader

from crm.forms.groups import GROUP_NAME_TAKEN
from organisations.models import POLICE_KINDS, Organisation, User
from crm.models import (
    AccessibilityNeed, Adjustment, AdvisoryGroup, Channel, CommunityGroup, CommunityGroupKind, Contact, Engagement,
    EngagementIssue, EngagementKind, EngagementStatus, LawfulBasis, ObjectivesMet, PoliceSupport,
    UnderRepresentedGroup, VenueKind,
)
from crm.services import engagement_log, record_save
from hub_ui.cells import cell_text, escape_cell, unescape_cell
from crm.transfer.widgets import (
    JOINER, ChoiceListWidget, ChoiceWidget, DateTimeWidget, DateWidget, DayAsDateTimeWidget, IdWidget, Lookup, NamedForeignKeyWidget,
    NamedManyWidget, TextListWidget, TextWidget, WholeNumberWidget, YesNoWidget,
)
from access.roles import Role
from access.visibility import owning_organisation
from geo.coordinates import gb_point
from geo.models import Neighbourhood


class PostcodeWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return " ".join(super().clean(value, row=row, **kwargs).upper().split())


def full_name(contact) -> str:
    return contact.full_name


class VisibleInstanceLoader(BaseInstanceLoader):
    """Loads, in one query, the records the file's ids name that the user may see."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        id_field = resource.fields["id"]
        ids = set()
        if dataset is not None and id_field.column_name in (dataset.headers or []):
            for value in dataset[id_field.column_name]:
                try:
                    pk = id_field.widget.clean(value)
                except ValueError:
                    continue
                if pk is not None:
                    ids.add(pk)
        self.instances = {instance.pk: instance for instance in resource.loader_queryset().filter(pk__in=ids)} if ids else {}

    def get_instance(self, row):
        return self.get(self.resource.fields["id"].clean(row))

    def get(self, pk):
        return self.instances.get(pk)


class HubResource(resources.ModelResource):
    """What every import and export of an organisation-owned record shares (see the module's docstring)."""

    what = ""  # the key pages and files use: "contacts", "groups", "engagements"
    noun = "record"
    plural = "records"
    # Columns a file must have (for new rows): field names.
    required = ()
    # Organisation-owned records linked through a many-to-many field: a row sets the ones the
    # user may see and keeps the ones they may not (they could not have listed them).
    scoped_many_to_many: dict = {}
    # Errors the model gives under a key that is not a column's field.
    error_columns: dict = {}
    unique_message = None

    id = Field(attribute="id", column_name="ID", widget=IdWidget(), readonly=True)
    organisation = Field(column_name="Organisation", readonly=True)

    class Meta:
        import_id_fields = ["id"]
        instance_loader_class = VisibleInstanceLoader
        clean_model_instances = True
        use_transactions = True
        skip_diff = True
        skip_html_diff = True
        report_skipped = True
        store_instance = False

    def __init__(self, *, user):
        super().__init__()
        self.user = user
        self.owner = owning_organisation(user)
        self._seen_ids = set()
        self.connect_lookups()

    def connect_lookups(self):
        """Give the widgets that find related rows their (user-restricted) querysets."""

    def neighbourhood_lookup(self) -> Lookup:
        # Neighbourhoods are not personal data: any may be chosen, by their police.uk code.
        return Lookup(lambda: Neighbourhood.objects.only("code", "name"), lambda n: n.code, what="neighbourhood with the code")

    def community_lookup(self) -> Lookup:
        return Lookup(lambda: UnderRepresentedGroup.objects.filter(is_active=True).only("name"), lambda g: g.name,
                      what="under-represented group")

    # Reading ---------------------------------------------------------------------------------

    def get_queryset(self):
        return self._meta.model.objects.visible_to(self.user)

    def export_queryset(self):
        """What an export holds: the visible records, with their related rows in a fixed number of queries."""
        return self.get_queryset()

    def loader_queryset(self):
        """The records a file's ids name, with the related rows the user may see, read once for the
        whole file (to tell a row that changes nothing from one that does)."""
        prefetches = [
            Prefetch(field.attribute, queryset=self.visible_related_queryset(field.attribute), to_attr=f"_transfer_visible_{field.attribute}")
            for field in self.importable_fields() if isinstance(field.widget, NamedManyWidget)
        ]
        # An import changes only the organisation's own records: a row naming a shared record is "not found".
        return self._meta.model.objects.editable_by(self.user).prefetch_related(*prefetches)

    def visible_related_queryset(self, attribute):
        model = self._meta.model._meta.get_field(attribute).related_model
        if attribute in self.scoped_many_to_many:
            return self.scoped_many_to_many[attribute](self.user).only("pk")
        return model.objects.only("pk")

    def iter_queryset(self, queryset):
        # import-export pages a prefetching queryset 100 rows at a time (a query per page and
        # per prefetch): read it whole, so an export takes the same queries however long it is.
        return iter(queryset)

    def dehydrate_organisation(self, record) -> str:
        return record.organisation.name

    # Export: every cell escaped -----------------------------------------------------------------

    def get_export_headers(self, selected_fields=None):
        return [escape_cell(header) for header in super().get_export_headers(selected_fields)]

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [escape_cell(value) for value in super().export_resource(instance, selected_fields, **kwargs)]

    # Columns -------------------------------------------------------------------------------

    def importable_fields(self) -> list[Field]:
        """The columns read into one model field each (latitude and longitude are read by `import_extra`)."""
        return [field for field in self.get_import_fields() if not field.readonly and field.attribute]

    def column_names(self) -> list[str]:
        return [field.column_name for field in self.get_export_fields()]

    def read_only_columns(self) -> list[str]:
        return [field.column_name for field in self.get_export_fields() if field.readonly and field.column_name != "ID"]

    def required_columns(self) -> list[str]:
        return [self.fields[name].column_name for name in self.required]

    def column_for_error(self, key: str) -> str | None:
        """The column a model or service error is about (None for the row as a whole)."""
        if key == NON_FIELD_ERRORS:
            return None
        if key in self.error_columns:
            return self.error_columns[key]
        for name, field in self.fields.items():
            if key in (name, field.attribute):
                return field.column_name
        return None

    def match_headers(self, headers: list[str]) -> tuple[list[str], list[str]]:
        """The file's headings as our column names (matched without regard to case or spacing,
        or by the field's own name), and the headings that match no column."""
        known = {}
        for name, field in self.fields.items():
            for alias in (field.column_name, name):
                known.setdefault(" ".join(alias.split()).lower(), field.column_name)
        matched, unknown = [], []
        for header in headers:
            column = known.get(" ".join(header.split()).lower())
            if column is None:
                unknown.append(header)
            matched.append(column or header)
        return matched, unknown

    # Import: which record a row is --------------------------------------------------------------

    def get_or_init_instance(self, instance_loader, row):
        id_field = self.fields["id"]
        if id_field.column_name not in row:
            return self.init_instance(row), True
        try:
            pk = id_field.clean(row)
        except ValueError as error:
            raise ValidationError({"id": str(error)}) from None
        if pk is None:
            return self.init_instance(row), True
        instance = instance_loader.get(pk)
        if instance is None:
            raise ValidationError(f"no {self.noun} with id {pk} that you can see")
        if pk in self._seen_ids:
            raise ValidationError(f"{self.noun} {pk} is also updated by an earlier row; give each record one row")
        self._seen_ids.add(pk)
        return instance, False

    def init_instance(self, row=None):
        instance = self._meta.model()
        instance.organisation = self.owner
        instance.created_by = self.user
        return instance

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._transfer_new = new
        instance._transfer_before = {} if new else {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
        instance._transfer_m2m = {}

    # Import: reading a row into the record --------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)  # every column but the many-to-many ones
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.importable_fields():
            if not isinstance(field.widget, NamedManyWidget) or field.column_name not in row:
                continue
            try:
                instance._transfer_m2m[field.attribute] = field.clean(row)
            except ValueError as error:
                errors[field.attribute] = ValidationError(str(error), code="invalid")
        try:
            self.import_extra(instance, row)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        self.keep_unchanged_values(instance)
        if errors:
            raise ValidationError(errors)

    def import_extra(self, instance, row):
        """Columns that are not one model field each (an engagement's latitude and longitude)."""

    def keep_unchanged_values(self, instance):
        """A value that reads the same in the file as the record's (a time to the minute, a day of
        consent) is left as it is, so re-importing an export changes nothing."""
        for field in self.importable_fields():
            if isinstance(field.widget, NamedManyWidget) or instance._transfer_new:
                continue
            before = instance._transfer_before.get(field.attribute)
            after = getattr(instance, field.attribute, None)
            if before is not None and after is not None and before != after:
                if field.widget.render(before) == field.widget.render(after):
                    setattr(instance, field.attribute, before)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A row that changes nothing is reported as "no change" and not saved (no history written)."""
        if import_validation_errors or instance._transfer_new:
            return False
        for attname, before in instance._transfer_before.items():
            if getattr(instance, attname) != before:
                return False
        for attribute, chosen in instance._transfer_m2m.items():
            if {r.pk for r in chosen} != {r.pk for r in self.current_visible(instance, attribute)}:
                return False
        return True

    def current_visible(self, instance, attribute):
        return getattr(instance, f"_transfer_visible_{attribute}")

    def many_to_many_for(self, instance) -> dict:
        """The many-to-many values to save: those in the file, plus, on an existing record, the linked
        rows the user may not see."""
        values = {}
        for attribute, chosen in instance._transfer_m2m.items():
            chosen = list(chosen)
            if attribute in self.scoped_many_to_many and not instance._transfer_new:
                visible = self.scoped_many_to_many[attribute](self.user)
                chosen += list(getattr(instance, attribute).exclude(pk__in=visible.values("pk")))
            values[attribute] = chosen
        return values

    # Import: saving -----------------------------------------------------------------------------

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's `full_clean` is run by the service that saves the row (`record_save`,
        `engagement_log`), and its errors are reported for the row like any other. Here it is run
        only when a cell could not be read, so that the row's other problems are listed with it."""
        if not import_validation_errors:
            return
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            raise self.reworded(error) from None

    def reworded(self, error: ValidationError) -> ValidationError:
        if not self.unique_message or not hasattr(error, "error_dict"):
            return error
        return ValidationError({
            key: [ValidationError(self.unique_message) if e.code in ("unique", "unique_together") else e for e in errors]
            for key, errors in error.error_dict.items()
        })

    def do_instance_save(self, instance, is_create):
        try:
            self.save_record(instance, many_to_many=self.many_to_many_for(instance))
        except ValidationError as error:
            raise self.reworded(error) from None

    def save_record(self, instance, *, many_to_many):
        record_save(instance=instance, acting_user=self.user, organisation=self.owner, many_to_many=many_to_many)

    def save_m2m(self, instance, row, **kwargs):
        """Saved with the record, by its service."""


class ContactResource(HubResource):
    what = "contacts"
    noun = "contact"
    plural = "community contacts"
    required = ("first_name", "last_name", "lawful_basis", "retain_until")
    scoped_many_to_many = {"groups": lambda user: CommunityGroup.objects.visible_to(user)}

    first_name = Field(attribute="first_name", column_name="First name", widget=TextWidget())
    last_name = Field(attribute="last_name", column_name="Last name", widget=TextWidget())
    email = Field(attribute="email", column_name="Email", widget=TextWidget())
    phone = Field(attribute="phone", column_name="Phone", widget=TextWidget())
    postcode = Field(attribute="postcode", column_name="Postcode", widget=PostcodeWidget())
    neighbourhood = Field(attribute="neighbourhood", column_name="Neighbourhood (code)",
                          widget=NamedForeignKeyWidget(None, render_key=lambda n: n.code))
    lawful_basis = Field(attribute="lawful_basis", column_name="Lawful basis", widget=ChoiceWidget(LawfulBasis.choices))
    consent_recorded_at = Field(attribute="consent_recorded_at", column_name="Consent given on", widget=DayAsDateTimeWidget())
    preferred_channel = Field(attribute="preferred_channel", column_name="Preferred channel",
                              widget=ChoiceWidget(Channel.choices), default=Channel.EMAIL)
    language = Field(attribute="language", column_name="Language", widget=TextWidget(), default="English")
    accessibility_needs = Field(attribute="accessibility_needs", column_name="Accessibility needs",
                                widget=ChoiceListWidget(AccessibilityNeed.choices))
    communities = Field(attribute="communities", column_name="Under-represented groups",
                        widget=NamedManyWidget(None, render_key=lambda g: g.name, model=UnderRepresentedGroup))
    groups = Field(attribute="groups", column_name="Community groups",
                   widget=NamedManyWidget(None, render_key=lambda g: g.name, model=CommunityGroup))
    retain_until = Field(attribute="retain_until", column_name="Keep until", widget=DateWidget())
    notes = Field(attribute="notes", column_name="Notes", widget=TextWidget())

    class Meta(HubResource.Meta):
        model = Contact
        fields = (
            "id", "first_name", "last_name", "email", "phone", "postcode", "neighbourhood", "lawful_basis",
            "consent_recorded_at", "preferred_channel", "language", "accessibility_needs", "communities", "groups",
            "retain_until", "notes", "organisation",
        )

    def connect_lookups(self):
        self.fields["neighbourhood"].widget.lookup = self.neighbourhood_lookup()
        self.fields["communities"].widget.lookup = self.community_lookup()
        self.fields["groups"].widget.lookup = Lookup(
            lambda: CommunityGroup.objects.visible_to(self.user).only("name"), lambda g: g.name, what="community group",
        )

    def export_queryset(self):
        return (
            self.get_queryset()
            .select_related("organisation", "neighbourhood")
            .defer("neighbourhood__boundary", "neighbourhood__description")
            .prefetch_related(
                Prefetch("communities", queryset=UnderRepresentedGroup.objects.only("name")),
                Prefetch("groups", queryset=CommunityGroup.objects.visible_to(self.user).only("name")),
            )
            .order_by("last_name", "first_name", "pk")
        )


class CommunityGroupResource(HubResource):
    what = "groups"
    noun = "community group"
    plural = "community groups"
    required = ("name", "kind")
    unique_message = GROUP_NAME_TAKEN

    name = Field(attribute="name", column_name="Name", widget=TextWidget())
    kind = Field(attribute="kind", column_name="Kind of group", widget=ChoiceWidget(CommunityGroupKind.choices))
    is_registered = Field(attribute="is_registered", column_name="On a register", widget=YesNoWidget(default=False))
    charity_number = Field(attribute="charity_number", column_name="Charity number", widget=TextWidget())
    neighbourhoods = Field(attribute="neighbourhoods", column_name="Neighbourhoods (codes)",
                           widget=NamedManyWidget(None, render_key=lambda n: n.code, model=Neighbourhood))
    communities = Field(attribute="communities", column_name="Under-represented groups",
                        widget=NamedManyWidget(None, render_key=lambda g: g.name, model=UnderRepresentedGroup))
    key_contacts = Field(attribute="key_contacts", column_name="Key contacts", readonly=True,
                         widget=NamedManyWidget(None, render_key=full_name, model=Contact))
    meeting_place = Field(attribute="meeting_place", column_name="Meeting place", widget=TextWidget())
    police_support = Field(attribute="police_support", column_name="Police support",
                           widget=ChoiceWidget(PoliceSupport.choices), default=PoliceSupport.NONE)
    oversight_notes = Field(attribute="oversight_notes", column_name="Oversight notes", widget=TextWidget())
    is_active = Field(attribute="is_active", column_name="Active", widget=YesNoWidget(default=True))

    class Meta(HubResource.Meta):
        model = CommunityGroup
        fields = (
            "id", "name", "kind", "is_registered", "charity_number", "neighbourhoods", "communities", "key_contacts",
            "meeting_place", "police_support", "oversight_notes", "is_active", "organisation",
        )

    def connect_lookups(self):
        self.fields["neighbourhoods"].widget.lookup = self.neighbourhood_lookup()
        self.fields["communities"].widget.lookup = self.community_lookup()

    def export_queryset(self):
        return (
            self.get_queryset()
            .select_related("organisation")
            .prefetch_related(
                Prefetch("neighbourhoods", queryset=Neighbourhood.objects.only("code")),
                Prefetch("communities", queryset=UnderRepresentedGroup.objects.only("name")),
                Prefetch("key_contacts", queryset=Contact.objects.visible_to(self.user).only("first_name", "last_name")),
            )
            .order_by("name", "pk")
        )


class EngagementResource(HubResource):
    what = "engagements"
    noun = "engagement"
    plural = "engagements"
    required = ("kind", "title", "starts_at")
    scoped_many_to_many = {"officers": lambda user: User.objects.visible_to(user)}
    error_columns = {"location": "Latitude and longitude"}

    title = Field(attribute="title", column_name="Title", widget=TextWidget())
    kind = Field(attribute="kind", column_name="Type of engagement", widget=ChoiceWidget(EngagementKind.choices))
    status = Field(attribute="status", column_name="Status", widget=ChoiceWidget(EngagementStatus.choices),
                   default=EngagementStatus.HELD)
    starts_at = Field(attribute="starts_at", column_name="Started", widget=DateTimeWidget())
    ends_at = Field(attribute="ends_at", column_name="Ended", widget=DateTimeWidget())
    latitude = Field(column_name="Latitude")
    longitude = Field(column_name="Longitude")
    neighbourhood = Field(attribute="neighbourhood", column_name="Neighbourhood (code)",
                          widget=NamedForeignKeyWidget(None, render_key=lambda n: n.code))
    venue_name = Field(attribute="venue_name", column_name="Venue", widget=TextWidget())
    venue_kind = Field(attribute="venue_kind", column_name="Type of venue", widget=ChoiceWidget(VenueKind.choices))
    online_link = Field(attribute="online_link", column_name="Online link", widget=TextWidget())
    objectives = Field(attribute="objectives", column_name="Objectives", widget=TextWidget())
    objectives_met = Field(attribute="objectives_met", column_name="Objectives met", widget=ChoiceWidget(ObjectivesMet.choices),
                           default=ObjectivesMet.NOT_ASSESSED)
    turnout = Field(attribute="turnout", column_name="Turnout", widget=WholeNumberWidget())
    groups_reached = Field(attribute="groups_reached", column_name="Under-represented groups reached",
                           widget=NamedManyWidget(None, render_key=lambda g: g.name, model=UnderRepresentedGroup))
    adjustments = Field(attribute="adjustments", column_name="Adjustments made", widget=ChoiceListWidget(Adjustment.choices))
    officers = Field(attribute="officers", column_name="Officers present (email addresses)",
                     widget=NamedManyWidget(None, render_key=lambda u: u.email, model=User))
    partners = Field(attribute="partners", column_name="Partners present",
                     widget=NamedManyWidget(None, render_key=lambda o: o.name, model=Organisation))
    advisory_group = Field(attribute="advisory_group", column_name="Advisory group consulted",
                           widget=NamedForeignKeyWidget(None, render_key=lambda g: g.name))
    streets = Field(attribute="streets", column_name="Streets covered", widget=TextListWidget())
    notes = Field(attribute="notes", column_name="Notes", widget=TextWidget())
    issues = Field(column_name="Issues raised", readonly=True)

    class Meta(HubResource.Meta):
        model = Engagement
        fields = (
            "id", "title", "kind", "status", "starts_at", "ends_at", "latitude", "longitude", "neighbourhood", "venue_name",
            "venue_kind", "online_link", "objectives", "objectives_met", "turnout", "groups_reached", "adjustments",
            "officers", "partners", "advisory_group", "streets", "notes", "issues", "organisation",
        )

    def connect_lookups(self):
        self.fields["neighbourhood"].widget.lookup = self.neighbourhood_lookup()
        self.fields["groups_reached"].widget.lookup = self.community_lookup()
        self.fields["officers"].widget.lookup = Lookup(
            # Warranted officers and PCSOs (the officer role), as the form offers: not the force's administrators, managers or governance.
            lambda: User.objects.visible_to(self.user).filter(memberships__organisation__kind__in=POLICE_KINDS,
                                                              memberships__role=Role.OFFICER).distinct(),
            lambda u: u.email, what="police officer or PCSO with the email address",
        )
        self.fields["partners"].widget.lookup = Lookup(
            lambda: Organisation.objects.filter(is_active=True).exclude(kind__in=POLICE_KINDS).only("name"), lambda o: o.name,
            what="partner agency",
        )
        self.fields["advisory_group"].widget.lookup = Lookup(
            lambda: AdvisoryGroup.objects.visible_to(self.user).only("name"), lambda g: g.name, what="advisory group",
        )

    def export_queryset(self):
        return (
            self.get_queryset()
            .select_related("organisation", "neighbourhood")
            .defer("neighbourhood__boundary", "neighbourhood__description")
            .prefetch_related(
                Prefetch("groups_reached", queryset=UnderRepresentedGroup.objects.only("name")),
                Prefetch("officers", queryset=User.objects.visible_to(self.user).only("email")),
                Prefetch("partners", queryset=Organisation.objects.only("name")),
                Prefetch("advisory_group", queryset=AdvisoryGroup.objects.visible_to(self.user).only("name")),
                Prefetch("issues", queryset=EngagementIssue.objects.select_related("category").order_by("pk")),
            )
            .order_by("-starts_at", "pk")
        )

    def dehydrate_latitude(self, engagement):
        return engagement.location.y if engagement.location else None

    def dehydrate_longitude(self, engagement):
        return engagement.location.x if engagement.location else None

    def dehydrate_issues(self, engagement) -> str:
        return JOINER.join(f"{issue.category.name}: {issue.description}" for issue in engagement.issues.all())

    def import_extra(self, instance, row):
        latitude_column, longitude_column = self.fields["latitude"].column_name, self.fields["longitude"].column_name
        if latitude_column not in row and longitude_column not in row:
            return
        latitude = unescape_cell(cell_text(row.get(latitude_column)))
        longitude = unescape_cell(cell_text(row.get(longitude_column)))
        if not latitude and not longitude:
            instance.location = None
            return
        if not (latitude and longitude):
            raise ValidationError({"location": "Give both the latitude and the longitude, or neither."})
        try:
            latitude, longitude = float(latitude), float(longitude)
        except ValueError:
            raise ValidationError({"location": "Give the latitude and longitude as numbers, such as 54.1108 and -3.2261."}) from None
        try:
            point = gb_point(longitude=longitude, latitude=latitude)
        except ValueError as error:
            raise ValidationError({"location": str(error)}) from None
        before = instance._transfer_before.get("location")
        if not (isinstance(before, Point) and before.equals_exact(point, tolerance=1e-9)):
            instance.location = point

    def save_record(self, instance, *, many_to_many):
        for name in ("officers", "partners", "groups_reached"):
            if name not in many_to_many:  # a column left out of the file changes nothing
                many_to_many[name] = [] if instance.pk is None else list(getattr(instance, name).all())
        engagement_log(engagement=instance, acting_user=self.user, organisation=self.owner, **many_to_many)


RESOURCES = {resource.what: resource for resource in (ContactResource, CommunityGroupResource, EngagementResource)}
