"""How well an advisory group's membership reflects the area it advises (the guidance: IAGs
should reflect the diversity of local communities)."""
import pytest
from django.urls import reverse

from crm.advisory_diversity import membership_diversity
from crm.models import AdvisoryMembership
from geo.selectors import neighbourhood_profile
from tests.crm.advisory.helpers import days_ago, profile_for, table_rows, text
from tests.factories import AdvisoryGroupFactory, AdvisoryMembershipFactory, NeighbourhoodFactory

pytestmark = pytest.mark.django_db


def diversity_page(client, group) -> str:
    return client.get(reverse("crm:advisory-detail", args=[group.pk])).content.decode()


@pytest.fixture
def seeded_iag(iag, hindpool):
    """Hindpool: 1,000 residents, 10% Asian, 3% Black. Members: two white, one Black, one who gave no profile."""
    iag.neighbourhoods.set([hindpool])
    profile_for(hindpool)
    AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="white", age_band="45-64", disability="not_disabled")
    AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="white", age_band="25-44", disability="limited_a_lot")
    AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="black", age_band="25-44")
    AdvisoryMembershipFactory(advisory_group=iag)
    AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="asian", left_on=days_ago(10))  # left: no longer counted
    return iag


def test_the_ethnic_group_table_shows_shares_and_gaps_and_flags_the_missing_asian_members(officer_client, seeded_iag):
    rows = table_rows(diversity_page(officer_client, seeded_iag), "diversity-ethnic_group")
    assert rows == [
        # category, members, share of members (of the 3 who said), share of the area, gap in points
        ["Asian Not represented", "0", "0.0%", "10.0%", "-10.0"],
        ["Black", "1", "33.3%", "3.0%", "+30.3"],
        ["Mixed", "0", "0.0%", "2.0%", "-2.0"],  # under 5% of the area: not flagged
        ["White", "2", "66.7%", "84.0%", "-17.3"],
        ["Other", "0", "0.0%", "1.0%", "-1.0"],
    ]


def test_the_summary_names_what_is_missing_and_who_gave_no_profile(officer_client, seeded_iag):
    page = text(diversity_page(officer_client, seeded_iag))
    section = page.split("How well the membership reflects the area")[1]
    assert "The 4 current members, compared with the people who live in Hindpool (1000 residents)." in section
    assert "1 of 4 current members gave no profile." in section
    missing = section.split("Not represented on the group:")[1].split("Age band")[0]
    assert "Asian (ethnic group): 10.0% of the area, no member" in missing
    assert "0-15 (age band): 20.0% of the area, no member" in missing
    assert "Black" not in missing and "Mixed" not in missing
    assert "1 of 4 current members did not say their ethnic group." in section
    assert "2 of 4 current members did not say whether they are disabled." in section
    assert "Source: Census 2021." in section


def test_age_and_disability_are_compared_too(officer_client, seeded_iag):
    page = diversity_page(officer_client, seeded_iag)
    ages = table_rows(page, "diversity-age_band")
    assert ages[0] == ["0-15 Not represented", "0", "0.0%", "20.0%", "-20.0"]
    assert ages[2] == ["25-44", "2", "66.7%", "30.0%", "+36.7"]
    assert ages[1] == ["16-24 Not represented", "0", "0.0%", "10.0%", "-10.0"]
    disability = table_rows(page, "diversity-disability")
    assert disability == [
        ["Limited a lot", "1", "50.0%", "10.0%", "+40.0"],
        ["Limited a little Not represented", "0", "0.0%", "15.0%", "-15.0"],
        ["Not disabled", "1", "50.0%", "75.0%", "-25.0"],
    ]


def test_a_category_at_exactly_five_per_cent_with_no_member_is_flagged(officer_client, seeded_iag):
    ages = table_rows(diversity_page(officer_client, seeded_iag), "diversity-age_band")
    assert ages[5] == ["75+ Not represented", "0", "0.0%", "5.0%", "-5.0"]


def test_a_group_advising_the_whole_force_is_compared_with_all_its_neighbourhoods_and_no_other_forces(officer_client, iag, hindpool, ormsgill, lancashire_neighbourhood):
    profile_for(hindpool, ethnicity={"asian": 100, "black": 30, "mixed": 20, "white": 840, "other": 10})
    profile_for(ormsgill, ethnicity={"asian": 0, "black": 0, "mixed": 0, "white": 1000, "other": 0})
    profile_for(lancashire_neighbourhood, ethnicity={"asian": 1000, "black": 0, "mixed": 0, "white": 0, "other": 0})
    AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="white")
    page = diversity_page(officer_client, iag)
    assert "the whole of Cumbria Constabulary (2000 residents)" in text(page)
    assert table_rows(page, "diversity-ethnic_group")[0] == ["Asian Not represented", "0", "0.0%", "5.0%", "-5.0"]
    assert table_rows(page, "diversity-ethnic_group")[3] == ["White", "1", "100.0%", "92.0%", "+8.0"]


def test_a_team_owned_group_advising_the_whole_force_uses_the_teams_force(officer_client, team, hindpool):
    profile_for(hindpool)
    group = AdvisoryGroupFactory(organisation=team, name="Barrow disability advisory group", kind="disability")
    AdvisoryMembershipFactory(advisory_group=group, ethnic_group="asian")
    page = diversity_page(officer_client, group)
    assert "the whole of Cumbria Constabulary (1000 residents)" in text(page)
    assert table_rows(page, "diversity-ethnic_group")[0] == ["Asian", "1", "100.0%", "10.0%", "+90.0"]


def test_only_the_neighbourhoods_advised_on_are_compared(officer_client, iag, hindpool, ormsgill):
    iag.neighbourhoods.set([ormsgill])
    profile_for(hindpool)
    profile_for(ormsgill, ethnicity={"asian": 0, "black": 0, "mixed": 0, "white": 1000, "other": 0})
    AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="white")
    page = diversity_page(officer_client, iag)
    assert "who live in Ormsgill (1000 residents)" in text(page)
    assert "Not represented" not in page.split('id="diversity-ethnic_group"')[1].split("</table>")[0]


def test_no_category_is_flagged_when_no_member_described_themselves(officer_client, iag, hindpool):
    profile_for(hindpool)
    AdvisoryMembershipFactory.create_batch(2, advisory_group=iag)
    page = diversity_page(officer_client, iag)
    assert "Not represented" not in page
    assert table_rows(page, "diversity-ethnic_group")[0] == ["Asian", "0", "–", "10.0%", "–"]
    assert "2 of 2 current members gave no profile." in text(page)


def test_without_a_profile_for_the_area_the_page_says_so(officer_client, iag, hindpool):
    iag.neighbourhoods.set([hindpool])
    AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="white")
    page = diversity_page(officer_client, iag)
    assert "No demographic profile is held for Hindpool, so the membership cannot be compared with it yet." in text(page)
    assert table_rows(page, "diversity-ethnic_group")[3] == ["White", "1", "100.0%", "–", "–"]


def test_a_group_with_no_current_members_has_nothing_to_compare(officer_client, iag, hindpool):
    profile_for(hindpool)
    AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="white", left_on=days_ago(1))
    page = text(diversity_page(officer_client, iag))
    assert "The group has no current members to compare with the area." in page


def test_the_area_is_the_sum_of_each_neighbourhoods_profile(iag, hindpool, ormsgill):
    profile_for(hindpool)
    profile_for(hindpool, ethnicity={"asian": 500, "black": 0, "mixed": 0, "white": 500, "other": 0})
    profile_for(ormsgill, ethnicity={"asian": 0, "black": 0, "mixed": 0, "white": 1000, "other": 0})
    AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="white")
    diversity = membership_diversity(group=iag, memberships=AdvisoryMembership.objects.filter(advisory_group=iag), neighbourhoods=[hindpool, ormsgill])
    profiles = [neighbourhood_profile(hindpool), neighbourhood_profile(ormsgill)]
    ethnicity = next(d for d in diversity.dimensions if d.field == "ethnic_group")
    population = sum(p["population"] for p in profiles)
    assert diversity.population == population == 3000
    for row in ethnicity.rows:
        expected = sum(next(r["count"] for r in p["ethnicity"] if r["label"] == row.key) for p in profiles)
        assert row.residents == expected
        assert row.area_share == pytest.approx(expected / population)


def test_the_comparison_is_one_query_however_many_neighbourhoods(iag, force_area, django_assert_num_queries):
    neighbourhoods = [NeighbourhoodFactory(force_area=force_area) for _ in range(5)]
    for neighbourhood in neighbourhoods:
        profile_for(neighbourhood)
    members = [AdvisoryMembershipFactory(advisory_group=iag, ethnic_group="white")]
    group = type(iag).objects.select_related("organisation", "organisation__parent").get(pk=iag.pk)
    with django_assert_num_queries(1):  # the area's profiles
        diversity = membership_diversity(group=group, memberships=members, neighbourhoods=neighbourhoods)
    assert diversity.population == 5000


def test_a_reader_who_may_not_see_every_members_personal_data_sees_no_diversity_table(officer_client, seeded_iag, other_force):
    """A table of age, ethnic group and disability beside a member whose name is withheld singles that member out."""
    from tests.factories import ContactFactory

    AdvisoryMembershipFactory(advisory_group=seeded_iag, ethnic_group="black", age_band="16-24", disability="limited_a_lot",
                              contact=ContactFactory(organisation=other_force, first_name="Secret", last_name="Person"))
    page = diversity_page(officer_client, seeded_iag)
    section = text(page).split("How well the membership reflects the area")[1]
    assert "Not shown to you: members' age, ethnic group and disability are special-category personal data" in section
    assert 'id="diversity-ethnic_group"' not in page and "Not represented on the group" not in section
    for figure in ("16-24", "Limited a lot", "100.0%", "33.3%"):
        assert figure not in section
