"""Protocols for the sharing tests, published through the services the register's pages use."""
from datetime import timedelta

import pytest
from django.utils import timezone

from sharing_protocols.models import Classification, ProtocolStatus
from sharing_protocols.services import Flow, Party, protocol_publish_version

FLOW_CATEGORIES = ("concerns", "contacts")


def protocol_terms(*, personal: bool = False, classification: str = Classification.OFFICIAL, status: str = ProtocolStatus.ACTIVE,
                   starts_in_days: int = -30, ends_in_days: int | None = 365, today=None) -> dict:
    """A version's terms, valid for the service: signed off (so it may be active), with a lawful basis."""
    today = today or timezone.localdate()
    starts_on = today + timedelta(days=starts_in_days)
    ends_on = today + timedelta(days=ends_in_days) if ends_in_days is not None else None
    return {
        "purpose": "Collate concerns and community contacts to set neighbourhood priorities.", "article_6_basis": "public_task",
        "legal_power": "Section 115 of the Crime and Disorder Act 1998", "includes_personal_data": personal,
        "highest_classification": classification, "retention_and_deletion": "Deleted after 12 months.", "security": "Hub only.",
        "starts_on": starts_on, "review_on": starts_on if ends_on is None else min(starts_on + timedelta(days=30), ends_on - timedelta(days=1)),
        "ends_on": ends_on, "signatories": "Chief Inspector A. Morgan; Head of Community Safety", "signed_off_on": starts_on,
        "status": status,
    }


def publish_protocol(*, provider, recipient, lead=None, others=(), categories=FLOW_CATEGORIES, protocol=None, reference="",
                     acting_user=None, **terms):
    """Publish a protocol's next version (its first without `protocol`): `provider` gives `recipient` the
    `categories`; `others` are further parties with no flow. Keyword terms go to protocol_terms."""
    parties = list(dict.fromkeys([provider, recipient, *others]))
    reference = reference or f"isp-{provider.slug}-{recipient.slug}"[:80]
    return protocol_publish_version(
        acting_user=acting_user, protocol=protocol, reference=reference, title=f"Protocol {reference}", lead_organisation=lead or provider,
        terms=protocol_terms(**terms), parties=[Party(party, "Data protection officer", "dpo@example.org") for party in parties],
        flows=[Flow(category, provider, recipient, f"4.{n}") for n, category in enumerate(categories, start=1)],
        change_summary="" if protocol is None else "New terms",
    )


@pytest.fixture
def publish():
    """The helper above, as a fixture: `publish(provider=..., recipient=..., personal=True)`."""
    return publish_protocol
