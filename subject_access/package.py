"""The package sent to the person: a cover letter and the records, as a tagged PDF (the report renderer's
PDF/UA) and as JSON. Redacted details and exempt records are left out and the letter says so; under a
restriction (DPA 2018 s.45) the letter neither confirms nor denies that anything is held."""
from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from reports.fetcher import REPORT_BASE_URL
from reports.rendering import render_pdf
from subject_access.models import Exemption, ItemDecision
from subject_access.search import read_item
from subject_access.services import json_bytes

REDACTED = "Withheld: it would identify someone else"


def package_content(user, request) -> dict:
    items, exempt = [], 0
    if not request.neither_confirm_nor_deny:
        for item in request.items.all():
            if item.decision == ItemDecision.EXEMPT:
                exempt += 1
                continue
            if item.decision not in (ItemDecision.INCLUDE, ItemDecision.REDACT):
                continue
            view = read_item(user, item)
            if view.missing:
                continue
            fields = [(label, REDACTED if name in item.redact_fields else value) for label, name, value in view.fields]
            items.append({"title": view.title, "held_by": view.held_by, "fields": fields, "redacted": bool(item.redact_fields)})
    exemptions = sorted({Exemption(i.exemption).label for i in request.items.filter(decision=ItemDecision.EXEMPT) if i.exemption}) \
        if not request.neither_confirm_nor_deny else []
    return {
        "reference": request.reference, "controller": request.organisation.name, "regime": request.get_regime_display(),
        "requester_name": request.requester_name, "requester_address": request.requester_address,
        "received_on": request.received_on, "produced_on": timezone.localdate(), "deadline": request.deadline,
        "neither_confirm_nor_deny": request.neither_confirm_nor_deny, "items": items, "exempt_count": exempt,
        "exemptions": exemptions, "part_3": request.regime == "part_3",
    }


def package_pdf(content: dict) -> bytes:
    html = render_to_string("subject_access/package.html", {
        **content, "static_url": REPORT_BASE_URL + settings.STATIC_URL.strip("/") + "/", "marking": "OFFICIAL-SENSITIVE"})
    pdf, _pages = render_pdf(html)
    return pdf


def package_json(content: dict) -> bytes:
    return json_bytes({
        "reference": content["reference"], "controller": content["controller"], "legal_regime": content["regime"],
        "received_on": content["received_on"], "produced_on": content["produced_on"],
        "neither_confirm_nor_deny": content["neither_confirm_nor_deny"],
        "records": [{"title": i["title"], "held_by": i["held_by"], "details": {label: value for label, value in i["fields"]},
                     "redacted": i["redacted"]} for i in content["items"]],
        "records_withheld": content["exempt_count"], "exemptions_applied": content["exemptions"],
    })
