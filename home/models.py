"""When a person last looked at a kind of thing from their home page ("new since I last looked")."""
from django.conf import settings
from django.db import models


class LastLooked(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_last_looked_per_kind")]


def last_looked(user, kind: str):
    """When `user` last looked at `kind` (None: never)."""
    return LastLooked.objects.filter(user=user, kind=kind).values_list("at", flat=True).first()
