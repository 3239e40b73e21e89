"""Open gazetteer files the force loads (ONS Postcode Directory, OS Open Names), and the contact routes
the force publishes for each neighbourhood. Nothing here is personal: postcode centroids, place names,
and a team's public addresses."""
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models.functions import Upper

from geo.models import WGS84, Neighbourhood


class Postcode(models.Model):
    """A live postcode's centroid. `postcode` is upper case with one space: 'LA14 2LR'."""

    postcode = models.CharField(max_length=8, unique=True)
    point = models.PointField(srid=WGS84)

    def __str__(self) -> str:
        return self.postcode


class PlaceName(models.Model):
    """A named place or road from OS Open Names: where to look when someone types a street or a place."""

    os_id = models.CharField("OS identifier", max_length=60, unique=True)
    name = models.CharField(max_length=200)
    local_type = models.CharField(max_length=60, help_text="OS Open Names' LOCAL_TYPE, such as 'Named Road' or 'Suburban Area'.")
    locality = models.CharField(max_length=200, blank=True, help_text="The town it is in, or its district, to tell apart places with one name.")
    postcode_district = models.CharField(max_length=8, blank=True)
    point = models.PointField(srid=WGS84)

    class Meta:
        indexes = [models.Index(Upper("name"), name="finder_placename_upper_name")]

    def __str__(self) -> str:
        return f"{self.name}, {self.locality}" if self.locality else self.name


class GazetteerKind(models.TextChoices):
    POSTCODES = "onspd", "ONS Postcode Directory (CSV)"
    PLACE_NAMES = "open_names", "OS Open Names (CSV)"


class GazetteerLoad(models.Model):
    """One file loaded: what, when, by whom, and how many rows were kept (the rest lie outside the force)."""

    kind = models.CharField(max_length=20, choices=GazetteerKind.choices)
    file_name = models.CharField(max_length=255)
    rows_read = models.PositiveIntegerField()
    rows_kept = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-loaded_at"]


class TeamContact(models.Model):
    """How the public reach a neighbourhood's team, as the force chooses to publish it. Every route is optional."""

    neighbourhood = models.OneToOneField(Neighbourhood, on_delete=models.CASCADE, related_name="public_contact")
    email = models.EmailField(blank=True)
    telephone = models.CharField(max_length=30, blank=True)
    online_form_url = models.URLField("Online form", blank=True, help_text="The force's own contact form for this team.")
    facebook_url = models.URLField("Facebook", blank=True)
    x_url = models.URLField("X (Twitter)", blank=True)
    instagram_url = models.URLField("Instagram", blank=True)
    nextdoor_url = models.URLField("Nextdoor", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    SOCIAL_FIELDS = ("facebook_url", "x_url", "instagram_url", "nextdoor_url")

    def __str__(self) -> str:
        return f"Contact routes for {self.neighbourhood}"

    @property
    def social_accounts(self) -> list[tuple[str, str]]:
        return [(self._meta.get_field(name).verbose_name, getattr(self, name)) for name in self.SOCIAL_FIELDS if getattr(self, name)]

    @property
    def is_empty(self) -> bool:
        return not (self.email or self.telephone or self.online_form_url or self.social_accounts)
