"""The range of dates the hub accepts: from HUB_EARLIEST_DATE (1 January 1900 unless set) to
HUB_LATEST_DATE (31 December 2999). A date outside it is a typing slip or a system's "no date"
(.NET's DateTime.MinValue is 1 January of year 1); refusing it at the door, naming the field,
also keeps date arithmetic (a year before, a window of 90 days, UK time) far from Python's limits."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError


def earliest_date() -> datetime.date:
    return settings.EARLIEST_DATE


def latest_date() -> datetime.date:
    return settings.LATEST_DATE


def long_date(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def date_range_problem(value: datetime.date | datetime.datetime | None) -> str | None:
    """Why `value` is out of range ("is before 1 January 1900, …"), or None if it is not.
    A date and time is judged by its date as written, whatever its time zone."""
    if value is None:
        return None
    day = value.date() if isinstance(value, datetime.datetime) else value
    if day < earliest_date():
        return f"is before {long_date(earliest_date())}, the earliest date the hub accepts"
    if day > latest_date():
        return f"is after {long_date(latest_date())}, the latest date the hub accepts"
    return None


def validate_date_in_range(value) -> None:
    """For form fields: the field's label goes with the error, so the message names the field."""
    problem = date_range_problem(value)
    if problem:
        raise ValidationError(f"The date {problem}.", code="date_out_of_range")
