"""manage.py import_boundaries: a good file goes in with a summary; a bad one is refused with
an error naming the feature, and nothing is imported."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from organisations.models import AuditEvent
from geo.models import Neighbourhood, SmallArea
from tests.factories import ForceAreaFactory, point

pytestmark = pytest.mark.django_db


def ring(west: float, south: float, size: float = 0.01) -> list[list[float]]:
    return [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]


def lsoa(code: str, name: str, coordinates: list) -> dict:
    return {"type": "Feature", "properties": {"LSOA21CD": code, "LSOA21NM": name}, "geometry": {"type": "Polygon", "coordinates": coordinates}}


def write(tmp_path, name: str, document) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def run(*args) -> str:
    out = StringIO()
    call_command("import_boundaries", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def row_counts() -> tuple[int, int, int]:
    return SmallArea.objects.count(), Neighbourhood.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def barrow_lsoas(tmp_path) -> str:
    return write(tmp_path, "barrow-lsoas.geojson", {"type": "FeatureCollection", "features": [
        lsoa("E01019138", "Barrow-in-Furness 008A", [ring(-3.24, 54.11)]),
        lsoa("E01019139", "Barrow-in-Furness 008B", [ring(-3.23, 54.11)]),
    ]})


@pytest.fixture
def force_area(force):
    return ForceAreaFactory(force=force, code="cumbria", name="Cumbria")


def test_a_good_file_is_imported_and_the_summary_printed(barrow_lsoas):
    output = run(barrow_lsoas, "--kind", "lsoa")

    assert output.strip() == "Imported 2 LSOA boundaries: 2 new, 0 updated."
    assert list(SmallArea.objects.values_list("code", "name")) == [
        ("E01019138", "Barrow-in-Furness 008A"),
        ("E01019139", "Barrow-in-Furness 008B"),
    ]


def test_running_the_same_file_twice_updates_rather_than_duplicates(barrow_lsoas):
    run(barrow_lsoas, "--kind", "lsoa")

    output = run(barrow_lsoas, "--kind", "lsoa")

    assert output.strip() == "Imported 2 LSOA boundaries: 0 new, 2 updated."
    assert SmallArea.objects.count() == 2


def test_a_police_uk_boundary_is_imported_as_a_neighbourhood_of_the_force_given(tmp_path, force_area):
    path = write(tmp_path, "boundary.json", [
        {"latitude": "54.11", "longitude": "-3.23"}, {"latitude": "54.11", "longitude": "-3.22"},
        {"latitude": "54.12", "longitude": "-3.22"}, {"latitude": "54.12", "longitude": "-3.23"},
    ])

    output = run(path, "--kind", "neighbourhood", "--force", "cumbria", "--code", "BF-CEN", "--name", "Barrow Central")

    assert output.strip() == "Imported 1 neighbourhood boundary: 1 new, 0 updated."
    central = Neighbourhood.objects.get()
    assert (central.force_area, central.code, central.name) == (force_area, "BF-CEN", "Barrow Central")
    assert central.boundary.contains(point(-3.225, 54.115))


def test_a_bad_file_raises_an_error_naming_the_feature_and_nothing_is_imported(tmp_path):
    swapped = [[[latitude, longitude] for longitude, latitude in ring(-3.23, 54.11)]]
    path = write(tmp_path, "swapped.geojson", {"type": "FeatureCollection", "features": [
        lsoa("E01019138", "Barrow-in-Furness 008A", [ring(-3.24, 54.11)]),
        lsoa("E01019139", "Barrow-in-Furness 008B", swapped),
    ]})
    before = row_counts()

    with pytest.raises(CommandError) as caught:
        run(path, "--kind", "lsoa")

    assert str(caught.value) == (
        "Nothing was imported: 1 problem found.\n"
        "  Feature 2 (E01019139): the polygon: position 1: longitude 54.11, latitude -3.23 is outside Great Britain; "
        "the latitude and longitude look swapped (GeoJSON puts longitude first)."
    )
    assert row_counts() == before


def test_malformed_json_is_refused_with_its_line_and_column(tmp_path):
    path = tmp_path / "truncated.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [', encoding="utf-8")
    before = row_counts()  # the test database's own records (its migrations are audited) are not the command's

    with pytest.raises(CommandError, match=r"The file is not valid JSON: Expecting value at line 2, column 15\."):
        run(str(path), "--kind", "lsoa")
    assert row_counts() == before and before[:2] == (0, 0)


def test_an_unknown_force_code_is_refused_and_nothing_is_imported(tmp_path, force_area):
    path = write(tmp_path, "hindpool.geojson", {"type": "Polygon", "coordinates": [ring(-3.24, 54.11)]})

    with pytest.raises(CommandError) as caught:
        run(path, "--kind", "neighbourhood", "--force", "lancashire", "--code", "BF-HIND", "--name", "Hindpool")

    assert str(caught.value) == "No force area has the code 'lancashire' (force area codes: cumbria)."
    assert not Neighbourhood.objects.exists()


def test_neighbourhoods_without_a_force_are_refused_saying_to_give_one(tmp_path, force_area):
    path = write(tmp_path, "hindpool.geojson", {"type": "Polygon", "coordinates": [ring(-3.24, 54.11)]})

    with pytest.raises(CommandError) as caught:
        run(path, "--kind", "neighbourhood", "--code", "BF-HIND", "--name", "Hindpool")

    assert str(caught.value) == "Give --force with the force area's code to import neighbourhoods (force area codes: cumbria)."
    assert not Neighbourhood.objects.exists()


def test_a_missing_file_is_refused_by_name(tmp_path):
    missing = tmp_path / "nowhere.geojson"

    with pytest.raises(CommandError) as caught:
        run(str(missing), "--kind", "lsoa")

    assert str(caught.value) == f"Cannot read {missing}: No such file or directory."
