"""Our records in GeoReport v2's words.

Service requests never carry personal data: the reporter's name, email and phone are
returned to nobody, and the description only when it names no one (and has not been
withheld by the reader's sharing protocol). A partner's own system already holds what it sent."""
from __future__ import annotations

from datetime import UTC, datetime

from partners.models import ConcernStatus
from sharing_protocols.models import Classification

SPEC_URL = "https://wiki.open311.org/GeoReport_v2"
OPEN, CLOSED = "open", "closed"
STATUS_MAP = {
    ConcernStatus.NEW: OPEN,
    ConcernStatus.COLLATED: OPEN,
    ConcernStatus.TAKEN_INTO_PRIORITY: OPEN,
    ConcernStatus.CLOSED: CLOSED,
    ConcernStatus.CLOSED_BY_POLICE: CLOSED,
}
SERVICE_NOTICE = (
    "Concerns are collated every day and taken to the neighbourhood's PACT meeting. "
    "This is not the way to report a crime or an emergency: call 999 in an emergency, 101 otherwise."
)
WITHHELD_DESCRIPTION = "Withheld: the description names or identifies a person."

# The attributes every service takes (service definitions). Codes are what attribute[code] names on POST.
ATTRIBUTES = [
    {
        "variable": True, "code": "holds_personal_data", "datatype": "singlevaluelist", "required": False,
        "datatype_description": "true or false", "order": 1,
        "description": "Does the description name or identify a person? If so it is never returned by the API.",
        "values": [{"key": "false", "name": "No"}, {"key": "true", "name": "Yes"}],
    },
    {
        "variable": True, "code": "classification", "datatype": "singlevaluelist", "required": False,
        "datatype_description": "official (the default) or official_sensitive", "order": 2,
        "description": "Its Government Security Classification.",
        "values": [{"key": value, "name": label} for value, label in Classification.choices],
    },
    {
        "variable": True, "code": "occurred_datetime", "datatype": "datetime", "required": False,
        "datatype_description": "W3C date and time with a time zone, such as 2026-11-20T21:30:00Z", "order": 3,
        "description": "When it happened or was last seen, if not when it was reported (requested_datetime).",
        "values": [],
    },
    {
        "variable": True, "code": "partner_reference", "datatype": "string", "required": False,
        "datatype_description": "Up to 100 characters", "order": 4,
        "description": "Your own reference for it. Sending the same reference again returns the first request, never a second one.",
        "values": [],
    },
]
ATTRIBUTE_CODES = frozenset(attribute["code"] for attribute in ATTRIBUTES)


def w3_datetime(value: datetime | None) -> str | None:
    """The spec's date and time: ISO 8601 with a time zone (we answer in UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def service(category) -> dict:
    police_uk = category.police_uk_category
    return {
        "service_code": category.slug,
        "service_name": category.name,
        "description": f"{category.name} reported to a partner agency"
                       + (f" (police.uk category: {police_uk})." if police_uk else "."),
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(word for word in (category.slug.replace("-", " "), police_uk) if word),
        "group": police_uk or "other",
    }


def service_definition(category) -> dict:
    return {"service_code": category.slug, "attributes": ATTRIBUTES}


def description_for_reader(concern) -> str | None:
    if concern.holds_personal_data or "description" in getattr(concern, "withheld_fields", ()):
        return WITHHELD_DESCRIPTION
    return concern.description


# A concern shared under a protocol without personal data: its point is given to 3 decimal places (about 110 m north to
# south, 65 m east to west at Barrow's latitude), so it shows the street, not the house of whoever reported it.
EXACT_DIGITS, WITHOUT_PERSONAL_DATA_DIGITS = 6, 3


def coordinate_digits(concern) -> int:
    return WITHOUT_PERSONAL_DATA_DIGITS if getattr(concern, "withheld_fields", None) else EXACT_DIGITS


def service_request(concern) -> dict:
    """One concern as a GeoReport v2 service request (GET requests and GET a request).
    Expects `category` selected with it and `agency_responsible` annotated."""
    return {
        "service_request_id": str(concern.pk),
        "status": STATUS_MAP.get(concern.shown_status, OPEN),
        "status_notes": concern.shown_status_note,
        "service_name": concern.category.name,
        "service_code": concern.category.slug,
        "description": description_for_reader(concern),
        "agency_responsible": getattr(concern, "agency_responsible", None),
        "service_notice": SERVICE_NOTICE,
        "requested_datetime": w3_datetime(concern.reported_at),
        "updated_datetime": w3_datetime(concern.updated_at),
        "expected_datetime": None,
        "address": concern.place,
        "address_id": None,
        "zipcode": None,
        "lat": round(concern.location.y, coordinate_digits(concern)),
        "long": round(concern.location.x, coordinate_digits(concern)),
        "media_url": None,
    }


def near_duplicate(concern) -> dict:
    """A near-duplicate in the answer to POST: a concern the key's organisation may read (selected with its category and
    annotated with `distance_metres` and `days_apart` from the link)."""
    return {
        "service_request_id": str(concern.pk),
        "hub_reference": concern.reference,
        "service_code": concern.category.slug,
        "distance_metres": round(concern.distance_metres),
        "days_apart": round(concern.days_apart, 1),
    }


def created_request(concern, near_duplicates=()) -> dict:
    """The answer to POST requests: the id (we create requests at once), the token, and a notice that tells the
    reporter at once what the web form tells a person: the hub's reference, the neighbourhood it was placed in and the
    near-duplicates found as it was placed. The same facts, for a machine, are in `extended_attributes` (the extension
    Chicago's and other GeoReport v2 endpoints use for fields the spec does not have): documented on the API keys page.
    Near-duplicates are only those the key's organisation may read (`partners.selectors.concern_near_duplicates`)."""
    neighbourhood = concern.neighbourhood.name if concern.neighbourhood_id else None
    if neighbourhood:
        placed = f"placed in the {neighbourhood} neighbourhood"
    else:
        placed = "outside every neighbourhood the hub knows: the force's analysts will place it by hand"
    if near_duplicates:
        references = ", ".join(other.reference for other in near_duplicates)
        looks_like = (f" It may be a near-duplicate of {references} (the same kind of concern, close by, at about the same "
                      "time): the police see them together.")
    else:
        looks_like = ""
    return {
        "service_request_id": str(concern.pk),
        "token": str(concern.open311_token),
        "service_notice": f"Recorded as {concern.reference}, {placed}.{looks_like} {SERVICE_NOTICE}",
        "account_id": None,
        "extended_attributes": {
            "hub_reference": concern.reference,
            "neighbourhood": neighbourhood,
            "near_duplicates": [near_duplicate(other) for other in near_duplicates],
        },
    }


def discovery(*, endpoint_url: str, key_service: str, contact: str) -> dict:
    return {
        "changeset": "2026-11-23T00:00:00Z",
        "contact": contact,
        "key_service": key_service,
        "endpoints": [{
            "specification": SPEC_URL,
            "url": endpoint_url,
            "changeset": "2026-11-23T00:00:00Z",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
