"""The django-import-export resource for concerns: its columns, how each cell is read and how a concern is exported.

Reading: each column's widget turns a cell (text from CSV; text, a number, a date or a boolean
from XLSX) into a value, or raises ValueError with a sentence a person can act on; the bulk
writer calls the widgets cell by cell (import-export's own row-by-row save is far too slow for
a million rows: see bench/concern_import.py), so the resource is the one definition of a file.

Formulae: a cell starting with = + - @ is kept as the text it is (the hub never evaluates a
cell); every cell this resource exports goes through `escape_cell`, which puts a quote in front
of such text so a spreadsheet shows it rather than running it; the quote is taken off again on
import, so an export can be imported back unchanged.
"""
from __future__ import annotations

import datetime
import math
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from import_export import resources, widgets
from import_export.fields import Field

from crm.models import IssueCategory
from hub_ui.cells import escape_cell, unescape_cell
from input_rules.dates import date_range_problem
from partners.imports.files import cell_value
from partners.models import Concern, ConcernChannel
from sharing_protocols.models import Classification

COLUMNS = (
    "category", "latitude", "longitude", "place", "occurred_at", "reported_at", "channel", "description", "holds_personal_data",
    "reporter_name", "reporter_email", "reporter_phone", "classification", "external_reference",
)
LONDON = zoneinfo.ZoneInfo(settings.TIME_ZONE)
DATETIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y")


def _max_length(name: str) -> int:
    return Concern._meta.get_field(name).max_length


class TextWidget(widgets.Widget):
    def __init__(self, *, required: bool = False, max_length: int | None = None, what: str = "This"):
        super().__init__()
        self.required, self.max_length, self.what = required, max_length, what

    def clean(self, value, row=None, **kwargs) -> str:
        value = cell_value(value)
        text = "" if value is None else unescape_cell(value if isinstance(value, str) else str(value))
        if not text and self.required:
            raise ValueError(f"{self.what} is missing: it is needed for every concern.")
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"{self.what} is {len(text):,} characters long; it can be at most {self.max_length:,}.")
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class EmailWidget(TextWidget):
    def clean(self, value, row=None, **kwargs) -> str:
        text = super().clean(value, row, **kwargs)
        if text:
            try:
                validate_email(text)
            except ValidationError:
                raise ValueError(f"'{text[:80]}' is not an email address, such as name@example.org.") from None
        return text


class CoordinateWidget(widgets.Widget):
    def __init__(self, *, what: str):
        super().__init__()
        self.what = what

    def clean(self, value, row=None, **kwargs) -> float:
        value = cell_value(value)
        if value is None:
            raise ValueError(f"The {self.what} is missing: it is needed for every concern.")
        if isinstance(value, bool):
            raise ValueError(f"The {self.what} must be a number in decimal degrees, such as 54.1108.")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"The {self.what} '{str(value)[:40]}' is not a number; use decimal degrees, such as 54.1108.") from None
        if not math.isfinite(number) or abs(number) > 180:
            raise ValueError(f"The {self.what} {str(value)[:40]} is not a place on Earth; use decimal degrees, such as 54.1108.")
        return number

    def render(self, value, obj=None, **kwargs):
        return value


class DateTimeWidget(widgets.Widget):
    """ISO 8601 ("2026-03-01 14:30", "2026-03-01T14:30:00Z") or UK day first ("01/03/2026 14:30");
    a time without a zone is UK time."""

    def __init__(self, *, required: bool, what: str):
        super().__init__()
        self.required, self.what = required, what

    def clean(self, value, row=None, **kwargs) -> datetime.datetime | None:
        value = cell_value(value)
        if value is None:
            if self.required:
                raise ValueError(f"The date {self.what} is missing: it is needed for every concern.")
            return None
        if isinstance(value, datetime.datetime):
            parsed = value
        elif isinstance(value, datetime.date):
            parsed = datetime.datetime.combine(value, datetime.time())
        else:
            parsed = self._parse(str(value))
        problem = date_range_problem(parsed)
        if problem:
            raise ValueError(f"The date {self.what} ({parsed.date().isoformat()}) {problem}.")
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=LONDON)
        return parsed.astimezone(LONDON)

    def _parse(self, text: str) -> datetime.datetime:
        try:
            return datetime.datetime.fromisoformat(text)
        except ValueError:
            pass
        for pattern in DATETIME_FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern)
            except ValueError:
                continue
        raise ValueError(f"'{text[:40]}' is not a date and time; write it as 2026-03-01 14:30 or 01/03/2026 14:30.")

    def render(self, value, obj=None, **kwargs):
        return value.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if value else ""


class YesNoWidget(widgets.Widget):
    YES = {"yes", "y", "true", "1"}
    NO = {"no", "n", "false", "0"}

    def clean(self, value, row=None, **kwargs) -> bool:
        value = cell_value(value)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"'{str(value)[:40]}' is not yes or no.")

    def render(self, value, obj=None, **kwargs):
        return "yes" if value else "no"


class ChoiceWidget(widgets.Widget):
    """One of a model's choices, by its value or its label, in any case."""

    def __init__(self, choices, *, default: str, what: str):
        super().__init__()
        self.choices, self.default, self.what = choices, default, what
        self.by_text = {}
        for value, label in choices:
            self.by_text[value.lower()] = value
            self.by_text[label.lower()] = value

    def clean(self, value, row=None, **kwargs) -> str:
        value = cell_value(value)
        if value is None:
            return self.default
        found = self.by_text.get(str(value).lower())
        if found is None:
            allowed = ", ".join(label for _, label in self.choices)
            raise ValueError(f"'{str(value)[:60]}' is not a {self.what}; use one of: {allowed}.")
        return found

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value or "")


class CategoryWidget(widgets.Widget):
    """An active issue category by its name or its slug, in any case. The vocabulary is read once per file."""

    def __init__(self):
        super().__init__()
        self._by_text = None

    def categories(self) -> dict[str, int]:
        if self._by_text is None:
            self._by_text = {}
            for category in IssueCategory.objects.filter(is_active=True).only("pk", "name", "slug"):
                self._by_text[category.name.lower()] = category.pk
                self._by_text[category.slug.lower()] = category.pk
        return self._by_text

    def clean(self, value, row=None, **kwargs) -> int:
        value = cell_value(value)
        if value is None:
            raise ValueError("The category is missing: it is needed for every concern.")
        found = self.categories().get(" ".join(str(value).split()).lower())
        if found is None:
            raise ValueError(f"'{str(value)[:60]}' is not a category the hub knows; use a name from the list on the upload page.")
        return found

    def render(self, value, obj=None, **kwargs):
        return str(value or "")


class ConcernResource(resources.ModelResource):
    """Concerns as a file: the columns a partner sends (in this order in the template) and exports."""

    category = Field(attribute="category_id", column_name="category", widget=CategoryWidget())
    latitude = Field(column_name="latitude", widget=CoordinateWidget(what="latitude"))
    longitude = Field(column_name="longitude", widget=CoordinateWidget(what="longitude"))
    place = Field(attribute="place", column_name="place", widget=TextWidget(max_length=_max_length("place"), what="The place"))
    occurred_at = Field(attribute="occurred_at", column_name="occurred_at", widget=DateTimeWidget(required=True, what="it happened"))
    reported_at = Field(attribute="reported_at", column_name="reported_at", widget=DateTimeWidget(required=False, what="it was reported"))
    channel = Field(attribute="channel", column_name="channel",
                    widget=ChoiceWidget(ConcernChannel.choices, default=ConcernChannel.BULK_FILE, what="channel"))
    description = Field(attribute="description", column_name="description",
                        widget=TextWidget(required=True, max_length=_max_length("description"), what="The description"))
    holds_personal_data = Field(attribute="holds_personal_data", column_name="holds_personal_data", widget=YesNoWidget())
    reporter_name = Field(attribute="reporter_name", column_name="reporter_name",
                          widget=TextWidget(max_length=_max_length("reporter_name"), what="The reporter's name"))
    reporter_email = Field(attribute="reporter_email", column_name="reporter_email",
                           widget=EmailWidget(max_length=_max_length("reporter_email"), what="The reporter's email address"))
    reporter_phone = Field(attribute="reporter_phone", column_name="reporter_phone",
                           widget=TextWidget(max_length=_max_length("reporter_phone"), what="The reporter's phone number"))
    classification = Field(attribute="classification", column_name="classification",
                           widget=ChoiceWidget(Classification.choices, default=Classification.OFFICIAL, what="classification"))
    external_reference = Field(attribute="external_reference", column_name="external_reference",
                               widget=TextWidget(max_length=_max_length("external_reference"), what="The reference"))

    # Columns a file must have; the others may be left out (each then takes its default).
    REQUIRED_COLUMNS = ("category", "latitude", "longitude", "occurred_at", "description")
    HELP = {
        "category": "The kind of concern: a name or short name from the list below (any case).",
        "latitude": "Where, in decimal degrees (WGS84), such as 54.1108. Latitude comes first.",
        "longitude": "Where, in decimal degrees (WGS84), such as -3.2261.",
        "place": "A street or landmark, such as ‘Rear of Market Street car park’ (optional).",
        "occurred_at": "When it happened, such as 2026-03-01 14:30 or 01/03/2026 14:30 (UK time unless a zone is given).",
        "reported_at": "When your organisation heard of it (optional: the time of upload if blank). Not before it happened.",
        "channel": "How you heard of it: " + ", ".join(label for _, label in ConcernChannel.choices) + " (optional: Bulk file).",
        "description": f"What was reported, up to {_max_length('description'):,} characters.",
        "holds_personal_data": "yes if the description names or identifies a person; otherwise no (optional: no).",
        "reporter_name": "Who told you (optional).",
        "reporter_email": "Their email address (optional).",
        "reporter_phone": "Their phone number (optional).",
        "classification": "OFFICIAL or OFFICIAL-SENSITIVE (optional: OFFICIAL).",
        "external_reference": "Your own reference for it (optional). The same reference is never imported twice.",
    }

    class Meta:
        model = Concern
        fields = COLUMNS  # only the columns declared above, in this order
        import_order = export_order = COLUMNS
        import_id_fields = ()
        skip_diff = True

    @classmethod
    def column_names(cls) -> list[str]:
        return list(COLUMNS)

    def dehydrate_latitude(self, concern) -> float:
        return concern.location.y

    def dehydrate_longitude(self, concern) -> float:
        return concern.location.x

    def dehydrate_category(self, concern) -> str:
        return concern.category.name

    # Export: every header and cell escaped against spreadsheet formulae.

    def get_export_headers(self, selected_fields=None):
        return [escape_cell(header) for header in super().get_export_headers(selected_fields)]

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [escape_cell(value) for value in super().export_resource(instance, selected_fields, **kwargs)]
