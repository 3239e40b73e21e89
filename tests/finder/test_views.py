"""Finding a neighbourhood on the public pages, and the force's pages for the files and the contact routes."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from access.roles import Role
from finder.models import PlaceName, Postcode, TeamContact
from tests.factories import MembershipFactory, UserFactory
from tests.finder.conftest import IN_HINDPOOL_BNG, onspd_file, onspd_row, open_names_file, open_names_row

pytestmark = pytest.mark.django_db
FIND = "/your-area/"


def test_a_postcode_goes_straight_to_its_neighbourhood(client, gazetteer):
    response = client.get(FIND, {"q": "la14 2lr"})

    assert response.status_code == 302 and response["Location"] == "/your-area/cumbria/HIND/"


def test_a_street_goes_straight_to_its_neighbourhood(client, gazetteer):
    assert client.get(FIND, {"q": "dalton"})["Location"] == "/your-area/cumbria/CENT/"


def test_a_name_that_matches_several_neighbourhoods_lists_them(client, gazetteer):
    PlaceName.objects.create(os_id="osgb9", name="Hindpool Road", local_type="Named Road", locality="Barrow-in-Furness",
                             point=Postcode.objects.get(postcode="LA14 1AB").point)

    page = client.get(FIND, {"q": "hindpool"}).content.decode()

    assert 'href="/your-area/cumbria/HIND/">Hindpool</a>' in page
    assert "Hindpool Road, Barrow-in-Furness (named road)</a>" in page and "in Central" in page


def test_an_unknown_postcode_is_named_and_the_page_offers_the_map(client, gazetteer):
    page = client.get(FIND, {"q": "LA14 9ZZ"}).content.decode()

    assert "We could not find the postcode LA14 9ZZ" in page and 'id="map"' in page


def test_without_a_postcode_file_the_page_says_so_plainly_and_still_offers_location_and_map(client, barrow):
    page = client.get(FIND).content.decode()
    assert "Postcode search is not available yet" in page
    assert 'id="use-my-location"' in page and 'id="map"' in page

    searched = client.get(FIND, {"q": "LA14 2LR"}).content.decode()
    assert "no postcode file has been loaded" in searched


def test_a_neighbourhood_name_is_found_with_no_files_loaded(client, barrow):
    assert client.get(FIND, {"q": "central"})["Location"] == "/your-area/cumbria/CENT/"


def test_the_public_boundaries_link_to_public_pages_and_carry_a_label_point(client, barrow):
    collection = client.get(reverse("finder:public-boundaries")).json()

    urls = sorted(feature["properties"]["url"] for feature in collection["features"])
    assert urls == ["/your-area/cumbria/CENT/", "/your-area/cumbria/HIND/"]
    hindpool = next(f for f in collection["features"] if f["properties"]["code"] == "HIND")
    latitude, longitude = hindpool["properties"]["label"]
    assert 54.10 < latitude < 54.11 and -3.25 < longitude < -3.24


def test_the_neighbourhood_page_shows_the_contact_routes_the_force_set_and_a_subscription(client, barrow):
    hindpool, _ = barrow
    TeamContact.objects.create(neighbourhood=hindpool, email="hindpool.npt@cumbria.police.uk", telephone="01229 848 000",
                               online_form_url="https://www.cumbria.police.uk/contact", facebook_url="https://facebook.com/hindpoolnpt")

    page = client.get("/your-area/cumbria/HIND/").content.decode()

    assert 'href="mailto:hindpool.npt@cumbria.police.uk"' in page and 'href="tel:01229848000"' in page
    assert 'href="https://www.cumbria.police.uk/contact"' in page and "Hindpool team on Facebook" in page
    assert 'href="webcal://testserver/your-area/cumbria/HIND/meetings.ics"' in page
    assert 'href="/your-area/cumbria/HIND/meetings.ics"' in page  # the one-off download beside it
    assert 'data-highlight="HIND"' in page  # the boundary on a map


def test_without_contact_routes_the_page_still_gives_101(client, barrow):
    page = client.get("/your-area/cumbria/HIND/").content.decode()

    assert "101 (999 in an emergency)" in page and "mailto:" not in page


@pytest.fixture
def force_manager(force):
    user = UserFactory(username="insp-gazetteer")
    MembershipFactory(user=user, organisation=force, role=Role.MANAGER, warranted=True)
    return user


def test_a_manager_uploads_both_files_and_sees_what_is_held(client, barrow, force_manager):
    client.force_login(force_manager)
    client.post(reverse("finder:gazetteer"), {"kind": "onspd", "file": SimpleUploadedFile(
        "ONSPD.csv", onspd_file(onspd_row("LA14 2LR", "54.105", "-3.245")), content_type="text/csv")})
    response = client.post(reverse("finder:gazetteer"), {"kind": "open_names", "file": SimpleUploadedFile(
        "SD16.csv", open_names_file(open_names_row("osgb1", "Duke Street", "Named Road", *IN_HINDPOOL_BNG)), content_type="text/csv")},
        follow=True)

    page = response.content.decode()
    assert "SD16.csv is loaded. Read 1 rows; kept 1 place name." in page
    assert "ONSPD.csv" in page and Postcode.objects.count() == 1 and PlaceName.objects.count() == 1


def test_a_bad_upload_names_the_line_and_loads_nothing(client, barrow, force_manager):
    client.force_login(force_manager)
    response = client.post(reverse("finder:gazetteer"), {"kind": "onspd", "file": SimpleUploadedFile(
        "ONSPD.csv", onspd_file(onspd_row("LA14 2LR", "x", "-3.245")), content_type="text/csv")})

    assert response.status_code == 200
    assert "Line 2 (LA14 2LR): latitude &#x27;x&#x27; or longitude &#x27;-3.245&#x27; is not a number." in response.content.decode()
    assert not Postcode.objects.exists()


def test_an_officer_may_not_load_files_or_change_contact_routes(client, barrow, officer):
    client.force_login(officer)

    assert client.get(reverse("finder:gazetteer")).status_code == 403
    assert client.get(reverse("finder:team-contact", args=[barrow[0].pk])).status_code == 403


def test_a_manager_sets_the_contact_routes_and_a_bad_address_is_named(client, barrow, force_manager):
    hindpool, _ = barrow
    client.force_login(force_manager)
    url = reverse("finder:team-contact", args=[hindpool.pk])

    bad = client.post(url, {"email": "not an address", "online_form_url": "javascript:alert(1)"})
    assert "Enter an email address like" in bad.content.decode() and "Enter a full web address" in bad.content.decode()
    assert not TeamContact.objects.exists()

    client.post(url, {"email": "hindpool.npt@cumbria.police.uk", "telephone": "101"})
    assert TeamContact.objects.get(neighbourhood=hindpool).email == "hindpool.npt@cumbria.police.uk"


def test_a_manager_of_another_force_cannot_reach_this_forces_contact_routes(client, barrow):
    from tests.factories import OrganisationFactory
    from organisations.models import OrganisationKind

    other_force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Lancashire Constabulary", slug="lancashire")
    outsider = UserFactory(username="insp-lancs")
    MembershipFactory(user=outsider, organisation=other_force, role=Role.MANAGER, warranted=True)
    client.force_login(outsider)

    assert client.get(reverse("finder:team-contact", args=[barrow[0].pk])).status_code == 404
