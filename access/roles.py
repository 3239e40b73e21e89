"""The roles a membership gives: what each person may do is decided by them (the view mixins,
the navigation, the services' checks)."""
from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Officer or PCSO"
    PARTNER_USER = "partner_user", "Partner user"
    MANAGER = "manager", "Manager"
    INFORMATION_GOVERNANCE = "information_governance", "Information governance"
    ADMINISTRATOR = "administrator", "Administrator"
