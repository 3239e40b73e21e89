"""Checking the disclosure log's hash chain: nightly (Celery beat) and on demand from the log's page.
Each check is kept, so the page says when the chain was last verified and what was found; a broken
chain is emailed to every organisation's information governance."""
from django.db import transaction

from organisations.models import Organisation
from sharing_protocols.disclosures import verify_chain
from sharing_protocols.models import ChainVerification
from sharing_protocols.notify import tell_governance


@transaction.atomic
def disclosure_log_verify(*, requested_by=None) -> ChainVerification:
    report = verify_chain()
    check = ChainVerification.objects.create(
        intact=report.intact, checked=report.checked, first_broken_entry_id=report.first_broken.pk if report.first_broken else None,
        reason=report.reason, requested_by=requested_by,
    )
    if not report.intact:
        tell_governance(
            organisation_ids=Organisation.objects.filter(is_active=True).values_list("pk", flat=True),
            subject="The disclosure log failed its check",
            message=f"The disclosure log's hash chain is broken at entry #{check.first_broken_entry_id}: {report.reason}. "
                    f"{report.checked} entries before it are intact. Treat the log after that point as untrustworthy and "
                    "investigate who changed the database.",
        )
    return check


def latest_verification() -> ChainVerification | None:
    return ChainVerification.objects.order_by("-at").first()
