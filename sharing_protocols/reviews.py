"""Protocol reviews falling due: flagged each morning (Celery beat), with a note to the lead organisation."""
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from organisations import audit
from organisations.models import Membership
from access.roles import Role
from sharing_protocols.models import ProtocolStatus, SharingProtocol


@transaction.atomic
def protocols_flag_reviews_due(*, today=None) -> list[SharingProtocol]:
    """Flag each protocol in force whose review date is within the notice period (or past) and not
    flagged yet; tell the lead organisation's information-governance people once, on commit."""
    today = today or timezone.localdate()
    notice = today + timedelta(days=settings.PROTOCOL_REVIEW_NOTICE_DAYS)
    due = list(SharingProtocol.objects.select_related("current_version", "lead_organisation").filter(
        review_flagged_on__isnull=True, current_version__status=ProtocolStatus.ACTIVE, current_version__review_on__lte=notice,
    ).select_for_update(of=("self",)))
    for protocol in due:
        protocol.review_flagged_on = today
        protocol.save(update_fields=["review_flagged_on"])
        review_on = protocol.current_version.review_on
        audit.record(actor=None, organisation=protocol.lead_organisation, action="protocol.review_due",
                     summary=f"Review due for {protocol.title} on {review_on:%d %B %Y}", protocol=protocol.pk)
        transaction.on_commit(lambda protocol=protocol, review_on=review_on: _tell_lead_organisation(protocol, review_on))
    return due


def _tell_lead_organisation(protocol: SharingProtocol, review_on) -> None:
    recipients = list(Membership.objects.filter(organisation=protocol.lead_organisation, role=Role.INFORMATION_GOVERNANCE,
                                                user__is_active=True).values_list("user__email", flat=True))
    if not recipients:
        return
    overdue = "was due" if review_on < timezone.localdate() else "is due"
    send_mail(
        subject=f"Protocol review {overdue}: {protocol.title}",
        message=(f"The information-sharing protocol '{protocol.title}' ({protocol.reference}) {overdue} for review on "
                 f"{review_on:%d %B %Y}. Review it with the other parties and publish a new version, or suspend it."),
        from_email=None, recipient_list=recipients,
    )
