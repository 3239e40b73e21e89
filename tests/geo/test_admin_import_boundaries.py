"""Importing boundaries through the Django admin, as the hub's administrator (staff with model
permissions, not a superuser): choose a force area, upload a file, read the outcome."""
import html
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organisations.models import AuditEvent
from geo.models import Neighbourhood, SmallArea
from tests.factories import ForceAreaFactory, UserFactory, point

pytestmark = pytest.mark.django_db

UPLOAD_URL = "admin:geo_forcearea_import_boundaries"


def ring(west: float, south: float, size: float = 0.01) -> list[list[float]]:
    return [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]


def neighbourhood(code: str, name: str, coordinates: list) -> dict:
    return {"type": "Feature", "properties": {"id": code, "name": name}, "geometry": {"type": "Polygon", "coordinates": coordinates}}


def upload(document) -> SimpleUploadedFile:
    return SimpleUploadedFile("neighbourhoods.geojson", json.dumps(document).encode(), content_type="application/geo+json")


def page_text(response) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, white space collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def row_counts() -> tuple[int, int, int]:
    return SmallArea.objects.count(), Neighbourhood.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def force_area(force):
    return ForceAreaFactory(force=force, code="cumbria", name="Cumbria")


@pytest.fixture
def other_force_area(other_force):
    return ForceAreaFactory(force=other_force, code="lancashire", name="Lancashire")


def test_running_the_action_on_a_force_area_opens_the_upload_page_with_it_chosen(admin_client_hub, administrator, force_area, other_force_area):
    assert administrator.is_staff and not administrator.is_superuser

    response = admin_client_hub.post(
        reverse("admin:geo_forcearea_changelist"),
        {"action": "import_boundaries_action", "_selected_action": [force_area.pk], "index": 0},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse(UPLOAD_URL)}?force_area={force_area.pk}"
    page = admin_client_hub.get(response["Location"])
    assert page.status_code == 200
    assert "Import boundaries from GeoJSON" in page_text(page)
    assert re.search(rf'<option value="{force_area.pk}" selected>Cumbria</option>', page.content.decode())


def test_uploading_a_good_file_imports_it_and_says_what_was_imported(admin_client_hub, administrator, force_area):
    document = {"type": "FeatureCollection", "features": [
        neighbourhood("BF-HIND", "Hindpool", [ring(-3.24, 54.11)]),
        neighbourhood("BF-CEN", "Barrow Central", [ring(-3.23, 54.11)]),
    ]}

    response = admin_client_hub.post(
        reverse(UPLOAD_URL), {"kind": "neighbourhood", "force_area": force_area.pk, "file": upload(document)}, follow=True,
    )

    assert response.redirect_chain == [(reverse("admin:geo_forcearea_changelist"), 302)]
    assert "Imported 2 neighbourhood boundaries: 2 new, 0 updated." in page_text(response)
    assert list(Neighbourhood.objects.filter(force_area=force_area).values_list("code", "name")) == [
        ("BF-CEN", "Barrow Central"), ("BF-HIND", "Hindpool"),
    ]
    assert Neighbourhood.objects.get(code="BF-HIND").boundary.contains(point(-3.235, 54.115))
    assert AuditEvent.objects.get(action="boundaries.imported").actor == administrator


def test_uploading_police_uk_boundary_as_the_force_boundary_replaces_it(admin_client_hub, force_area):
    police_uk = [{"latitude": lat, "longitude": lon} for lon, lat in [("-3.40", "54.00"), ("-3.00", "54.00"), ("-3.00", "54.30"), ("-3.40", "54.30")]]
    answer = SimpleUploadedFile("cumbria-boundary.json", json.dumps(police_uk).encode(), content_type="application/json")

    response = admin_client_hub.post(reverse(UPLOAD_URL), {"kind": "force", "force_area": force_area.pk, "file": answer}, follow=True)

    assert "Imported 1 force area boundary: 0 new, 1 updated." in page_text(response)
    force_area.refresh_from_db()
    assert force_area.boundary.contains(point(-3.35, 54.02))  # outside the old boundary, inside the new
    assert not force_area.boundary.contains(point(-2.95, 54.10))

def test_uploading_a_bad_file_shows_the_form_again_naming_the_feature_and_imports_nothing(admin_client_hub, force_area):
    bow_tie = [[[-3.23, 54.11], [-3.22, 54.12], [-3.22, 54.11], [-3.23, 54.12], [-3.23, 54.11]]]
    document = {"type": "FeatureCollection", "features": [
        neighbourhood("BF-HIND", "Hindpool", [ring(-3.24, 54.11)]),
        neighbourhood("BF-CEN", "Barrow Central", bow_tie),
    ]}
    before = row_counts()

    response = admin_client_hub.post(reverse(UPLOAD_URL), {"kind": "neighbourhood", "force_area": force_area.pk, "file": upload(document)})

    assert response.status_code == 200
    text = page_text(response)
    assert "Nothing was imported: 1 problem found." in text
    assert "Feature 2 (BF-CEN): is not a valid polygon: the boundary crosses itself at longitude -3.22500, latitude 54.11500." in text
    assert "Import boundaries from GeoJSON" in text
    assert row_counts() == before


def test_uploading_lsoas_with_a_bad_code_names_the_feature_and_imports_nothing(admin_client_hub):
    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LSOA21CD": "E01019138", "LSOA21NM": "Barrow-in-Furness 008A"},
         "geometry": {"type": "Polygon", "coordinates": [ring(-3.24, 54.11)]}},
        {"type": "Feature", "properties": {"LSOA21CD": "X01019139", "LSOA21NM": "Barrow-in-Furness 008B"},
         "geometry": {"type": "Polygon", "coordinates": [ring(-3.23, 54.11)]}},
    ]}

    response = admin_client_hub.post(reverse(UPLOAD_URL), {"kind": "lsoa", "file": upload(document)})

    assert response.status_code == 200
    assert "Feature 2 (X01019139): 'X01019139' is not an ONS LSOA code (expected the form E01019138)." in page_text(response)
    assert not SmallArea.objects.exists()


def test_neighbourhoods_without_a_force_area_are_refused_on_the_form(admin_client_hub, force_area):
    document = {"type": "Polygon", "coordinates": [ring(-3.24, 54.11)]}

    response = admin_client_hub.post(
        reverse(UPLOAD_URL), {"kind": "neighbourhood", "code": "BF-HIND", "name": "Hindpool", "file": upload(document)},
    )

    assert response.status_code == 200
    assert "Choose the force area these boundaries belong to." in page_text(response)
    assert not Neighbourhood.objects.exists()


def test_a_partner_user_cannot_reach_the_upload_page(partner_client, force_area):
    page = partner_client.get(reverse(UPLOAD_URL))
    posted = partner_client.post(
        reverse(UPLOAD_URL),
        {"kind": "neighbourhood", "force_area": force_area.pk, "file": upload({"type": "Polygon", "coordinates": [ring(-3.24, 54.11)]}),
         "code": "BF-HIND", "name": "Hindpool"},
    )

    for response in (page, posted):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert not Neighbourhood.objects.exists()


def test_staff_without_permission_to_change_force_areas_is_turned_away(client, force_area):
    clerk = UserFactory(username="staff-clerk", is_staff=True)
    client.force_login(clerk)

    response = client.post(
        reverse(UPLOAD_URL),
        {"kind": "neighbourhood", "force_area": force_area.pk, "file": upload({"type": "Polygon", "coordinates": [ring(-3.24, 54.11)]}),
         "code": "BF-HIND", "name": "Hindpool"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert not Neighbourhood.objects.exists()
