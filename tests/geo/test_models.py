"""ONS codes and demographic profiles are checked before they are kept."""
import pytest
from django.core.exceptions import ValidationError

from geo.models import SmallAreaKind, ons_code_problem
from tests.factories import DemographicProfileFactory, SmallAreaFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind, code", [
    (SmallAreaKind.LSOA, "E01019138"), (SmallAreaKind.LSOA, "W01000001"),
    (SmallAreaKind.MSOA, "E02003970"), (SmallAreaKind.WARD, "E05013372"),
])
def test_well_formed_ons_codes_are_accepted(kind, code):
    assert ons_code_problem(kind, code) is None


@pytest.mark.parametrize("kind, code", [
    (SmallAreaKind.LSOA, "E0101913"), (SmallAreaKind.LSOA, "S01000001"), (SmallAreaKind.LSOA, "E02003970"),
    (SmallAreaKind.WARD, "E01019138"), (SmallAreaKind.MSOA, ""),
])
def test_malformed_ons_codes_are_explained(kind, code):
    assert f"is not an ONS {kind.name} code" in ons_code_problem(kind, code)


def test_a_small_area_with_a_bad_code_fails_validation_on_the_code_field():
    area = SmallAreaFactory.build(code="E0X019138")
    with pytest.raises(ValidationError) as error:
        area.full_clean()
    assert "code" in error.value.message_dict


def test_a_profile_whose_ethnicity_does_not_add_up_is_refused():
    profile = DemographicProfileFactory.build(area=SmallAreaFactory(), ethnicity={"asian": 1, "black": 1, "mixed": 1, "white": 1, "other": 1})
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert error.value.message_dict["ethnicity"] == ["The counts add up to 5, not the population of 1000."]


def test_a_profile_with_an_unknown_age_band_names_it():
    bands = {"0-15": 200, "16-24": 100, "25-44": 300, "45-64": 250, "65-74": 100, "76+": 50}
    profile = DemographicProfileFactory.build(area=SmallAreaFactory(), population_by_age_band=bands)
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert error.value.message_dict["population_by_age_band"] == ["The categories are wrong: missing 75+; unknown 76+."]


def test_a_negative_count_is_refused():
    profile = DemographicProfileFactory.build(area=SmallAreaFactory(), main_language={"English": -1})
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert "must be a whole number of 0 or more" in error.value.message_dict["main_language"][0]
