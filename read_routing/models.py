"""Where the primary's WAL was when the grant set last changed."""
from django.db import models


class GrantChange(models.Model):
    """One committed change to what grants are made of (memberships, organisations, protocols, their versions
    and flows, one-off shares). Triggers on those tables insert the row, in the changing transaction, so it
    becomes visible exactly when the change does, whatever wrote it (a service, a bulk insert, raw SQL, the
    admin). `lsn` is empty until the first check after the commit fills it with the primary's WAL insert
    position then (always at or past the change's commit record); older rows are then deleted."""

    lsn = models.BigIntegerField(null=True, help_text="WAL position, in bytes from 0/0; empty until filled after commit")

    class Meta:
        verbose_name = "change to the grant set"
        indexes = [models.Index(fields=["lsn"], name="read_routing_grantchange_lsn")]

    def __str__(self):
        return f"grant change at {self.lsn if self.lsn is not None else 'a position not yet filled'}"
