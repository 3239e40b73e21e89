"""Write audit events. Call from inside the service's transaction so the change and its record land together."""
from organisations.models import AuditEvent


def record(*, actor, organisation, action: str, summary: str, **details) -> AuditEvent:
    """`organisation` is the one whose data changed: its information-governance users read the event."""
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        summary=summary[:500],
        details=details,
    )
