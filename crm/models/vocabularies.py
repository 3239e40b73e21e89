"""Editable vocabularies: seeded from the guidance, changed by administrators."""
from django.db import models


class UnderRepresentedGroup(models.Model):
    """A community of interest that engagement should reach, used to tag contacts, groups and who a meeting reached."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "under-represented group"

    def __str__(self) -> str:
        return self.name


class IssueCategory(models.Model):
    """What an issue raised at a meeting (or a partner's concern) is about, mapped to police.uk where one fits."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    police_uk_category = models.CharField(
        max_length=60, blank=True, help_text="The police.uk crime category this maps to, such as 'anti-social-behaviour'.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "issue categories"

    def __str__(self) -> str:
        return self.name
