"""Write audit events. Call from inside the service's transaction so the change and its record land together."""
from crm.models import AuditEvent


def record(*, actor, action: str, summary: str, **details) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        summary=summary[:500],
        details=details,
    )
