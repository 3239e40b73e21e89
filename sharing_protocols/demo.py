"""A demo information-sharing protocol, so the demo shows sharing (and withholding) at work."""
from datetime import timedelta

from django.utils import timezone

from organisations.models import Organisation
from sharing_protocols.models import Classification, DataCategory, ProtocolStatus, SharingProtocol
from sharing_protocols.services import Flow, Party, protocol_publish_version

REFERENCE = "furness-csp-isp"
PARTNER_SLUGS = ["westmorland-and-furness-council", "cumbria-fire-and-rescue", "furness-environmental-health", "furness-housing",
                 "furness-licensing"]


def seed_demo_protocol(*, force: Organisation) -> SharingProtocol:
    """The Furness community safety partnership's protocol: partners' concerns flow to the force without
    personal data; the force's PACT priorities flow to the council. Seeded once; kept if it exists."""
    existing = SharingProtocol.objects.filter(reference=REFERENCE).first()
    if existing is not None:
        return existing
    partners = list(Organisation.objects.filter(slug__in=PARTNER_SLUGS).order_by("name"))
    council = next(p for p in partners if p.slug == "westmorland-and-furness-council")
    today = timezone.localdate()
    starts_on = today - timedelta(days=300)
    terms = {
        "purpose": "Collate what partners hear about anti-social behaviour and environmental crime, to set and report back on "
                   "neighbourhood priorities (section 17 and section 115 of the Crime and Disorder Act 1998).",
        "article_6_basis": "public_task", "law_enforcement_processing": True,
        "legal_power": "Section 115 of the Crime and Disorder Act 1998",
        "includes_personal_data": False, "highest_classification": Classification.OFFICIAL,
        "retention_and_deletion": "Concerns are kept for two years from the report, then deleted by the hub.",
        "security": "Shared only through the hub; no email attachments; access by named accounts.",
        "starts_on": starts_on, "review_on": starts_on + timedelta(days=365), "ends_on": starts_on + timedelta(days=3 * 365),
        "signatories": "Chief Superintendent, Cumbria Constabulary; Director of Communities, Westmorland and Furness Council; "
                       "heads of service for each partner",
        "signed_off_on": starts_on, "status": ProtocolStatus.ACTIVE,
    }
    parties = [Party(force, "Data protection officer", "dpo@cumbria.police.example")] + [
        Party(partner, "Information governance lead", f"ig@{partner.slug}.example") for partner in partners
    ]
    flows = [Flow(DataCategory.CONCERNS, partner, force, f"5.{number}") for number, partner in enumerate(partners, start=1)]
    flows.append(Flow(DataCategory.PRIORITIES, force, council, "6.1"))
    version = protocol_publish_version(acting_user=None, reference=REFERENCE, title="Furness Community Safety Partnership protocol",
                                       lead_organisation=force, terms=terms, parties=parties, flows=flows)
    return version.protocol
