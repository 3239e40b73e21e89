"""The printable agreement of one protocol version: a tagged PDF (PDF/UA) through the reports' renderer,
with its signatures and the SHA-256 of the version's content, so the paper and the register can be compared.
It is rendered by the background worker, never in a web request, and kept in storage under a fingerprint of what
it shows (documents.agreements): made again only when that changes (a signature, a party)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from reports.fetcher import REPORT_BASE_URL
from reports.rendering import render_pdf
from sharing_protocols.models import Classification, ProtocolVersion
from sharing_protocols.register import headed_terms, version_sha256


PRINTED_NOW = object()


def agreement_html(version: ProtocolVersion, *, printed_at=PRINTED_NOW) -> str:
    marking = Classification(version.highest_classification).label if version.includes_personal_data else Classification.OFFICIAL.label
    return render_to_string("sharing_protocols/agreement.html", {
        "version": version, "protocol": version.protocol, "marking": marking, "sha256": version_sha256(version),
        "terms": headed_terms(version),
        "parties": sorted(version.parties.all(), key=lambda p: p.organisation.name),
        "flows": sorted(version.flows.all(), key=lambda f: (f.clause, f.pk)),
        "signatures": list(version.signatures.all()), "printed_at": timezone.localtime() if printed_at is PRINTED_NOW else printed_at,
        "static_url": REPORT_BASE_URL + settings.STATIC_URL.strip("/") + "/",
    })


def agreement_pdf(version: ProtocolVersion) -> bytes:
    return render_pdf(agreement_html(version))[0]
