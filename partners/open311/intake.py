"""Reading a GeoReport v2 POST (form-encoded) into a Concern, and GET requests' filters.

Every problem is reported, each naming the parameter it is about, in the words a partner's
developer would search the spec for: `lat`, `service_code`, `attribute[classification]`."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.gis.geos import Point
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from crm.models import IssueCategory
from input_rules.dates import date_range_problem
from partners.models import Concern, ConcernChannel, ConcernStatus
from partners.open311.serialisers import ATTRIBUTE_CODES, CLOSED, OPEN
from sharing_protocols.models import Classification

MAX_DESCRIPTION = Concern._meta.get_field("description").max_length  # 5,000 characters
MAX_PLACE = Concern._meta.get_field("place").max_length
MAX_NAME = Concern._meta.get_field("reporter_name").max_length
MAX_PHONE = Concern._meta.get_field("reporter_phone").max_length
MAX_REFERENCE = Concern._meta.get_field("external_reference").max_length
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
_ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\]]*)\]$")

# The service's field names, in the API's words.
PARAMETER_FOR_FIELD = {
    "category": "service_code",
    "location": "lat/long",
    "place": "address_string",
    "description": "description",
    "reported_at": "requested_datetime",
    "occurred_at": "attribute[occurred_datetime]",
    "reporter_name": "first_name/last_name",
    "reporter_email": "email",
    "reporter_phone": "phone",
    "classification": "attribute[classification]",
    "holds_personal_data": "attribute[holds_personal_data]",
    "external_reference": "attribute[partner_reference]",
    NON_FIELD_ERRORS: "request",
}
STATUSES_FOR = {
    OPEN: [ConcernStatus.NEW, ConcernStatus.COLLATED, ConcernStatus.TAKEN_INTO_PRIORITY],
    CLOSED: [ConcernStatus.CLOSED],
}


def described(parameter: str, message: str) -> str:
    return f"{parameter}: {message}"


def service_errors(message_dict: dict[str, list[str]], *, occurred_given: bool) -> list[str]:
    """A service's ValidationError, each message naming the API parameter it is about."""
    descriptions = []
    for name, messages in message_dict.items():
        parameter = PARAMETER_FOR_FIELD.get(name, name)
        if name == "occurred_at" and not occurred_given:
            if "reported_at" in message_dict:
                continue  # both came from requested_datetime: one message about it is enough
            parameter = "requested_datetime"
        descriptions.extend(described(parameter, message) for message in messages)
    return descriptions


def parse_w3_datetime(value: str) -> datetime | None:
    """A W3C date and time with a time zone, or None if it is not one."""
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed


def read_w3_datetime(raw: str, name: str, example: str, errors: list[str]) -> datetime | None:
    """The parameter `name` as a date and time within the hub's range, or None with its problem added to `errors`."""
    parsed = parse_w3_datetime(raw)
    if parsed is None:
        errors.append(described(name, f"'{raw[:40]}' is not a date and time with a time zone, such as {example}."))
        return None
    problem = date_range_problem(parsed)
    if problem:
        errors.append(described(name, f"'{raw[:40]}' {problem}."))
        return None
    return parsed


def _coordinate(data, name: str, limit: float, errors: list[str]) -> float | None:
    raw = data.get(name, "").strip()
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        errors.append(described(name, f"'{raw[:40]}' is not a number: give decimal degrees (WGS84), such as "
                                      + ("54.1108." if name == "lat" else "-3.2261.")))
        return None
    if not math.isfinite(number) or not -limit <= number <= limit:
        errors.append(described(name, f"{raw[:40]} is not a {'latitude' if name == 'lat' else 'longitude'}: "
                                      f"it must be between -{limit:g} and {limit:g}."))
        return None
    return number


@dataclass
class NewRequest:
    concern: Concern | None = None
    occurred_given: bool = False
    errors: list[str] = field(default_factory=list)


def read_new_request(data, *, fmt: str = "json", now=None) -> NewRequest:
    """The concern a POST describes (not saved), or the problems with it. `data` is request.POST."""
    now = now or timezone.now()
    result = NewRequest()
    errors = result.errors
    for name, values in data.lists():
        if any("\x00" in value for value in values):
            errors.append(described(name, "contains a NUL character, which the hub cannot store."))
    if errors:
        return result

    code = data.get("service_code", "").strip()
    category = None
    if not code:
        errors.append(described("service_code", f"is missing: choose one of the services (GET services.{fmt} lists them)."))
    else:
        category = IssueCategory.objects.filter(slug=code, is_active=True).first()
        if category is None:
            errors.append(described("service_code", f"'{code[:60]}' is not a service the hub offers (GET services.{fmt} lists them)."))

    latitude = _coordinate(data, "lat", 90, errors)
    longitude = _coordinate(data, "long", 180, errors)
    lat_given, long_given = bool(data.get("lat", "").strip()), bool(data.get("long", "").strip())
    if not lat_given and not long_given:
        errors.append(described("lat/long", "are missing: the hub places every concern on the map, so send lat and long "
                                            "(WGS84 decimal degrees); address_string alone cannot be placed."))
    elif not lat_given:
        errors.append(described("lat", "is missing: send both lat and long."))
    elif not long_given:
        errors.append(described("long", "is missing: send both lat and long."))

    address = data.get("address_string", "").strip()
    if len(address) > MAX_PLACE:
        errors.append(described("address_string", f"must be {MAX_PLACE} characters or fewer (it has {len(address):,})."))

    description = data.get("description", "").strip()
    if not description:
        errors.append(described("description", "is missing: say what the concern is."))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(described("description", f"must be {MAX_DESCRIPTION:,} characters or fewer (it has {len(description):,})."))

    name = " ".join(part for part in (data.get("first_name", "").strip(), data.get("last_name", "").strip()) if part)
    if len(name) > MAX_NAME:
        errors.append(described("first_name/last_name", f"together must be {MAX_NAME} characters or fewer."))
    phone = data.get("phone", "").strip()
    if len(phone) > MAX_PHONE:
        errors.append(described("phone", f"must be {MAX_PHONE} characters or fewer."))

    reported_at = None
    raw_requested = data.get("requested_datetime", "").strip()
    if raw_requested:
        reported_at = read_w3_datetime(raw_requested, "requested_datetime", "2026-11-20T21:30:00Z", errors)

    attributes = {}
    for key in data:
        match = _ATTRIBUTE.match(key)
        if match is None:
            continue
        if match["code"] not in ATTRIBUTE_CODES:
            errors.append(described(key, f"is not an attribute of this service (they are: {', '.join(sorted(ATTRIBUTE_CODES))})."))
        else:
            attributes[match["code"]] = data.get(key, "").strip()

    holds_personal_data = False
    raw_personal = attributes.get("holds_personal_data", "").lower()
    if raw_personal in ("true", "1", "yes"):
        holds_personal_data = True
    elif raw_personal not in ("", "false", "0", "no"):
        errors.append(described("attribute[holds_personal_data]", "must be true or false."))

    classification = attributes.get("classification", "") or Classification.OFFICIAL
    if classification not in Classification.values:
        errors.append(described("attribute[classification]", f"must be one of: {', '.join(Classification.values)}."))

    occurred_at = None
    if attributes.get("occurred_datetime"):
        result.occurred_given = True
        occurred_at = read_w3_datetime(attributes["occurred_datetime"], "attribute[occurred_datetime]", "2026-11-20T21:30:00Z", errors)

    reference = attributes.get("partner_reference", "")
    if len(reference) > MAX_REFERENCE:
        errors.append(described("attribute[partner_reference]", f"must be {MAX_REFERENCE} characters or fewer."))

    if errors:
        return result
    reported_at = reported_at or now
    result.concern = Concern(
        category=category,
        location=Point(longitude, latitude, srid=4326),
        place=address,
        occurred_at=occurred_at or reported_at,
        reported_at=reported_at,
        channel=ConcernChannel.OPEN311,
        description=description,
        holds_personal_data=holds_personal_data,
        reporter_name=name,
        reporter_email=data.get("email", "").strip(),
        reporter_phone=phone,
        classification=classification,
        external_reference=reference,
    )
    return result


@dataclass
class RequestFilters:
    ids: list[int] | None = None
    service_codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] | None = None
    errors: list[str] = field(default_factory=list)


def read_filters(data, *, now=None) -> RequestFilters:
    """GET requests' filters. service_request_id overrides the others, as the spec says; without
    dates the last 90 days are searched, and a range may not span more than 90 days."""
    now = now or timezone.now()
    filters = RequestFilters()
    errors = filters.errors
    raw_ids = data.get("service_request_id", "").strip()
    if raw_ids:
        ids = [part.strip() for part in raw_ids.split(",") if part.strip()]
        bad = [part for part in ids if not part.isdigit() or len(part) > 18]
        if bad:
            errors.append(described("service_request_id", f"'{bad[0][:40]}' is not a request id (ids are whole numbers, comma separated)."))
        elif len(ids) > MAX_RESULTS:
            errors.append(described("service_request_id", f"name at most {MAX_RESULTS:,} requests at a time."))
        else:
            filters.ids = [int(part) for part in ids]
        return filters

    raw_codes = data.get("service_code", "").strip()
    if raw_codes:
        filters.service_codes = [code.strip() for code in raw_codes.split(",") if code.strip()]
    for name in ("start_date", "end_date"):
        raw = data.get(name, "").strip()
        if raw:
            parsed = read_w3_datetime(raw, name, "2026-11-01T00:00:00Z", errors)
            setattr(filters, "start" if name == "start_date" else "end", parsed)
    if filters.start and filters.end:
        if filters.start > filters.end:
            errors.append(described("start_date", "is after end_date."))
        elif filters.end - filters.start > DEFAULT_WINDOW:
            errors.append(described("end_date", "is more than 90 days after start_date: ask for 90 days at a time."))
    elif filters.start:
        filters.end = filters.start + DEFAULT_WINDOW
    elif filters.end:
        filters.start = filters.end - DEFAULT_WINDOW
    elif not errors:
        filters.start, filters.end = now - DEFAULT_WINDOW, now
    raw_status = data.get("status", "").strip().lower()
    if raw_status:
        statuses = [status.strip() for status in raw_status.split(",") if status.strip()]
        unknown = [status for status in statuses if status not in STATUSES_FOR]
        if unknown:
            errors.append(described("status", f"'{unknown[0][:40]}' is not a status: use open or closed."))
        else:
            filters.statuses = [value for status in statuses for value in STATUSES_FOR[status]]
    return filters
