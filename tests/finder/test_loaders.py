"""Loading the ONS Postcode Directory and OS Open Names from files in their published layouts."""
import pytest
from django.core.management import CommandError, call_command

from finder.loaders import GazetteerError, load_gazetteer, normalise_postcode
from finder.models import GazetteerKind, GazetteerLoad, PlaceName, Postcode
from tests.finder.conftest import (
    IN_CENTRAL_BNG, IN_HINDPOOL_BNG, KESWICK_BNG, onspd_file, onspd_row, open_names_file, open_names_row,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed, expected", [
    ("la142lr", "LA14 2LR"), (" LA14  2LR ", "LA14 2LR"), ("SW1A 1AA", "SW1A 1AA"), ("ec1a1bb", "EC1A 1BB"),
    ("LA14", None), ("Duke Street", None), ("", None), ("LA14 2LRX", None),
])
def test_postcodes_are_normalised_the_way_onspd_writes_pcds(typed, expected):
    assert normalise_postcode(typed) == expected


def test_live_postcodes_in_the_force_are_kept_and_terminated_or_distant_ones_left_out(barrow):
    raw = onspd_file(
        onspd_row("LA14 2LR", "54.105000", "-3.245000"),
        onspd_row("LA14 9ZZ", "54.106000", "-3.244000", doterm="201512"),  # terminated
        onspd_row("LA14 9ZY", "99.999999", "0.000000"),  # no grid reference
        onspd_row("CA12 5DE", "54.600000", "-3.130000"),  # Keswick: far outside the force
    )

    summary = load_gazetteer(raw=raw, kind=GazetteerKind.POSTCODES, file_name="ONSPD_NOV_2025_UK.csv")

    assert list(Postcode.objects.values_list("postcode", flat=True)) == ["LA14 2LR"]
    point = Postcode.objects.get().point
    assert (round(point.x, 3), round(point.y, 3)) == (-3.245, 54.105)
    assert str(summary) == ("Read 4 rows; kept 1 postcode; 1 outside the force areas were left out; "
                            "2 terminated or without a location were left out.")
    assert GazetteerLoad.objects.get().rows_kept == 1


def test_a_postcode_terminated_in_a_later_edition_is_removed(barrow):
    load_gazetteer(raw=onspd_file(onspd_row("LA14 2LR", "54.105", "-3.245")), kind=GazetteerKind.POSTCODES, file_name="a.csv")
    load_gazetteer(raw=onspd_file(onspd_row("LA14 2LR", "54.105", "-3.245", doterm="202502")), kind=GazetteerKind.POSTCODES, file_name="b.csv")

    assert not Postcode.objects.exists()


def test_a_bad_row_is_named_and_nothing_is_loaded(barrow):
    raw = onspd_file(onspd_row("LA14 2LR", "54.105", "-3.245"), onspd_row("LA14 1AB", "north", "-3.235"), onspd_row("NOT A CODE", "54.1", "-3.2"))

    with pytest.raises(GazetteerError) as caught:
        load_gazetteer(raw=raw, kind=GazetteerKind.POSTCODES, file_name="bad.csv")

    assert caught.value.problems == [
        "Line 3 (LA14 1AB): latitude 'north' or longitude '-3.235' is not a number.",
        "Line 4: 'NOT A CODE' is not a postcode.",
    ]
    assert not Postcode.objects.exists() and not GazetteerLoad.objects.exists()


def test_a_file_that_is_not_the_postcode_directory_is_refused_by_its_header(barrow):
    with pytest.raises(GazetteerError) as caught:
        load_gazetteer(raw=b"postcode,latitude,longitude\r\nLA14 2LR,54.1,-3.2\r\n", kind=GazetteerKind.POSTCODES, file_name="x.csv")

    assert "has no pcds, lat, long columns" in caught.value.problems[0]


def test_swapped_coordinates_are_named(barrow):
    with pytest.raises(GazetteerError) as caught:
        load_gazetteer(raw=onspd_file(onspd_row("LA14 2LR", "-3.245", "54.105")), kind=GazetteerKind.POSTCODES, file_name="x.csv")

    assert "look swapped" in caught.value.problems[0]


def test_open_names_roads_and_places_are_kept_with_their_town_and_postcodes_go_with_postcodes(barrow):
    raw = open_names_file(
        open_names_row("osgb4000000074000001", "Duke Street", "Named Road", *IN_HINDPOOL_BNG),
        open_names_row("osgb4000000074000003", "Hindpool", "Suburban Area", *IN_CENTRAL_BNG, kind="populatedPlace"),
        open_names_row("LA142LR", "LA14 2LR", "Postcode", *IN_HINDPOOL_BNG, kind="other"),
        open_names_row("osgb4000000074000004", "Walney Channel", "Sea", *IN_HINDPOOL_BNG, kind="hydrography"),  # not a place people live
        open_names_row("osgb4000000074000005", "Main Street", "Named Road", *KESWICK_BNG, place="Keswick"),  # outside the force
    )

    summary = load_gazetteer(raw=raw, kind=GazetteerKind.PLACE_NAMES, file_name="SD16.csv")

    assert sorted(PlaceName.objects.values_list("name", "local_type", "locality")) == [
        ("Duke Street", "Named Road", "Barrow-in-Furness"), ("Hindpool", "Suburban Area", "Barrow-in-Furness"),
    ]
    assert list(Postcode.objects.values_list("postcode", flat=True)) == ["LA14 2LR"]
    duke = PlaceName.objects.get(name="Duke Street").point
    assert (round(duke.x, 3), round(duke.y, 3)) == (-3.245, 54.105)  # British National Grid turned into WGS84
    assert summary.place_names == 2 and summary.outside == 1


def test_an_open_names_file_with_its_header_joined_on_is_read_too(barrow):
    load_gazetteer(raw=open_names_file(open_names_row("osgb1", "Duke Street", "Named Road", *IN_HINDPOOL_BNG), header=True),
                   kind=GazetteerKind.PLACE_NAMES, file_name="with-header.csv")

    assert PlaceName.objects.get().name == "Duke Street"


def test_an_open_names_row_of_the_wrong_width_or_grid_is_named(barrow):
    raw = open_names_file(open_names_row("osgb1", "Duke Street", "Named Road", *IN_HINDPOOL_BNG)[:10],
                          open_names_row("osgb2", "Dalton Road", "Named Road", "east", "469000"),
                          open_names_row("osgb3", "Abbey Road", "Named Road", 54.1, -3.2))

    with pytest.raises(GazetteerError) as caught:
        load_gazetteer(raw=raw, kind=GazetteerKind.PLACE_NAMES, file_name="bad.csv")

    assert caught.value.problems == [
        "Line 1: has 10 columns; OS Open Names has 34 (ID, NAMES_URI, NAME1, …).",
        "Line 2 (Dalton Road): GEOMETRY_X 'east' or GEOMETRY_Y '469000' is not a number.",
        "Line 3 (Abbey Road): 54.1, -3.2 is not a British National Grid easting and northing.",
    ]
    assert not PlaceName.objects.exists()


def test_a_file_that_is_not_text_is_refused(barrow):
    with pytest.raises(GazetteerError) as caught:
        load_gazetteer(raw=b"PK\x03\x04\xff\xfe binary", kind=GazetteerKind.POSTCODES, file_name="zip.csv")

    assert "not UTF-8 text" in caught.value.problems[0]


def test_the_command_loads_both_kinds_and_names_a_bad_file(barrow, tmp_path):
    postcodes, names = tmp_path / "ONSPD.csv", tmp_path / "SD16.csv"
    postcodes.write_bytes(onspd_file(onspd_row("LA14 2LR", "54.105", "-3.245")))
    names.write_bytes(open_names_file(open_names_row("osgb1", "Duke Street", "Named Road", *IN_HINDPOOL_BNG)))

    call_command("load_gazetteer", "--onspd", str(postcodes), stdout=open("/dev/null", "w"))
    call_command("load_gazetteer", "--open-names", str(names), stdout=open("/dev/null", "w"))

    assert Postcode.objects.count() == 1 and PlaceName.objects.count() == 1
    with pytest.raises(CommandError, match="SD16.csv: Nothing was loaded"):
        call_command("load_gazetteer", "--onspd", str(names))
