from celery import shared_task

from sharing_protocols.reviews import protocols_flag_reviews_due


@shared_task
def flag_protocol_reviews_due() -> int:
    """Each morning: flag protocols whose review falls due within the notice period."""
    return len(protocols_flag_reviews_due())


@shared_task
def verify_disclosure_log() -> bool:
    """Each night: check the disclosure log's hash chain; a broken one is emailed to information governance."""
    from sharing_protocols.verification import disclosure_log_verify

    return disclosure_log_verify().intact


@shared_task
def bring_signed_protocols_into_force() -> int:
    """Each morning: versions every party has signed whose start date has come replace the ones in force."""
    from sharing_protocols.services import protocols_bring_signed_versions_into_force

    return len(protocols_bring_signed_versions_into_force())


@shared_task
def email_governance_what_waits() -> int:
    """Each morning: each information-governance user is emailed what waits for them, if anything."""
    from row_security.context import system_context
    from sharing_protocols.notify import send_attention_digests

    with system_context("information governance's morning email"):  # counts what waits, per organisation
        return send_attention_digests()
