"""How each kind of column is written to a file and read back from one.

Every widget reads a cell as CSV gives it (text) or as XLSX gives it (text, a number, a
date, a boolean), and raises ValueError with a sentence a person can act on; the resource
reports it as "Row N, column: message". Lists are separated by semicolons, because names
such as "Gypsy, Roma and Traveller communities" hold commas.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone
from import_export import widgets

from hub_ui.cells import cell_text, unescape_cell
from input_rules.dates import date_range_problem
from input_rules.text import unstorable, unstorable_description

SEPARATOR = ";"
JOINER = "; "


def _text(value) -> str:
    text = unescape_cell(cell_text(value))
    if unstorable(text):
        raise ValueError(f"This cell holds {unstorable_description(text)}, which the hub cannot store. Remove it.")
    return text


def _in_range(day: datetime.date) -> datetime.date:
    problem = date_range_problem(day)
    if problem:
        raise ValueError(f"The date {day.isoformat()} {problem}.")
    return day


def split_list(value) -> list[str]:
    return [part.strip() for part in _text(value).split(SEPARATOR) if part.strip()]


class TextWidget(widgets.Widget):
    """Free text. Exported as it is (the resource escapes it); read back without our quote."""

    def clean(self, value, row=None, **kwargs):
        return _text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IdWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(f"“{text}” is not an id: leave the id empty to add a new record.")
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return value


class WholeNumberWidget(widgets.Widget):
    """A whole number; the model's validators say whether it is in range (turnout cannot be negative)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = _text(value)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"Enter a whole number, not “{text}”.") from None

    def render(self, value, obj=None, **kwargs):
        return value


class YesNoWidget(widgets.Widget):
    YES = {"yes", "y", "true", "1"}
    NO = {"no", "n", "false", "0"}

    def __init__(self, *, default: bool):
        super().__init__()
        self.default = default

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if not text:
            return self.default
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"Enter Yes or No, not “{_text(value)}”.")

    def render(self, value, obj=None, **kwargs):
        return "Yes" if value else "No"


class ChoiceWidget(widgets.Widget):
    """One of a model's choices, written as its label and read as its label or its value."""

    def __init__(self, choices, *, blank: str = ""):
        super().__init__()
        self.choices = list(choices)
        self.blank = blank
        # A choice is found by its label ("Public task (UK GDPR article 6(1)(e))"), its label
        # without the part in brackets ("Public task") or its stored value ("public_task").
        self.lookup = {}
        for value, label in self.choices:
            for key in (str(value), str(value).replace("_", " "), str(label), str(label).split(" (")[0]):
                self.lookup.setdefault(" ".join(key.split()).lower(), value)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return self.blank
        try:
            return self.lookup[" ".join(text.split()).lower()]
        except KeyError:
            raise ValueError(f"“{text}” is not one of: {'; '.join(label for _, label in self.choices)}.") from None

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value or "")


class ChoiceListWidget(ChoiceWidget):
    """Several of a model's choices (an ArrayField), written as labels separated by semicolons."""

    def clean(self, value, row=None, **kwargs):
        chosen, unknown = [], []
        for part in split_list(value):
            key = " ".join(part.split()).lower()
            if key in self.lookup:
                if self.lookup[key] not in chosen:
                    chosen.append(self.lookup[key])
            else:
                unknown.append(part)
        if unknown:
            raise ValueError(
                f"{'; '.join(f'“{u}”' for u in unknown)} {'is' if len(unknown) == 1 else 'are'} not one of: "
                f"{'; '.join(label for _, label in self.choices)}."
            )
        return chosen

    def render(self, value, obj=None, **kwargs):
        labels = dict(self.choices)
        return JOINER.join(str(labels.get(item, item)) for item in value or [])


class TextListWidget(widgets.Widget):
    """A list of short texts (streets), separated by semicolons."""

    def clean(self, value, row=None, **kwargs):
        return split_list(value)

    def render(self, value, obj=None, **kwargs):
        return JOINER.join(value or [])


class DateWidget(widgets.Widget):
    FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return _in_range(value.date())
        if isinstance(value, datetime.date):
            return _in_range(value)
        text = _text(value)
        if not text:
            return None
        for date_format in self.FORMATS:
            try:
                day = datetime.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
            return _in_range(day)
        raise ValueError(f"Enter a date such as 2025-03-31 or 31/03/2025, not “{text}”.")

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class DateTimeWidget(widgets.Widget):
    """A date and time in UK local time, to the minute."""

    FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            parsed = value
        else:
            text = _text(value)
            if not text:
                return None
            for date_format in self.FORMATS:
                try:
                    parsed = datetime.datetime.strptime(text, date_format)
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(f"Enter a date and time such as 2025-03-31 18:30, not “{text}”.")
        _in_range(parsed.date())
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed.replace(second=0, microsecond=0)

    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class DayAsDateTimeWidget(DateWidget):
    """A day kept as a datetime at the start of that day (when consent was given)."""

    def clean(self, value, row=None, **kwargs):
        day = super().clean(value, row=row, **kwargs)
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).date().isoformat() if value else ""


class Lookup:
    """Rows of a queryset found by a text key, loaded once (one query) the first time one is asked for."""

    def __init__(self, queryset_factory: Callable, key: Callable[[object], str], *, what: str):
        self.queryset_factory = queryset_factory
        self.key = key
        self.what = what
        self._rows: dict[str, list] | None = None

    def find(self, text: str):
        if self._rows is None:
            self._rows = {}
            for row in self.queryset_factory():
                self._rows.setdefault(self.key(row).strip().lower(), []).append(row)
        found = self._rows.get(text.strip().lower(), [])
        if not found:
            raise ValueError(f"There is no {self.what} “{text}” that you can choose.")
        if len(found) > 1:
            raise ValueError(f"More than one {self.what} “{text}” matches: choose it on the record’s own page instead.")
        return found[0]


class NamedForeignKeyWidget(widgets.Widget):
    """A related record written and read by a readable key (a neighbourhood's code, a group's name)."""

    def __init__(self, lookup: Lookup, *, render_key: Callable[[object], str]):
        super().__init__()
        self.lookup = lookup
        self.render_key = render_key

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        return self.lookup.find(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return self.render_key(value) if value is not None else ""


class NamedManyWidget(widgets.ManyToManyWidget):
    """Many related records written and read by readable keys separated by semicolons. Every
    key must be found among the rows the user may choose: an unknown one is an error, never
    silently dropped. Exports read `manager.all()`, so a prefetch (restricted to what the user
    may see) keeps them to one query."""

    def __init__(self, lookup: Lookup | None, *, render_key: Callable[[object], str], model=None):
        super().__init__(model=model, separator=SEPARATOR)
        self.lookup = lookup
        self.render_key = render_key

    def clean(self, value, row=None, **kwargs):
        chosen, problems = [], []
        for part in split_list(value):
            try:
                found = self.lookup.find(part)
            except ValueError as error:
                problems.append(str(error))
                continue
            if found not in chosen:
                chosen.append(found)
        if problems:
            raise ValueError(" ".join(problems))
        return chosen

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return JOINER.join(self.render_key(item) for item in value.all())
