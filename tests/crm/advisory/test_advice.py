"""Advice an advisory group gives, and recording what the force did with it."""
import pytest
from django.urls import reverse

from crm.models import AdviceResponse, AdvisoryAdvice, EngagementKind
from tests.crm.advisory.helpers import days_ago, text
from tests.factories import AdvisoryAdviceFactory, AdvisoryGroupFactory, EngagementFactory

pytestmark = pytest.mark.django_db


def respond_url(advice):
    return reverse("crm:advisory-advice-respond", args=[advice.advisory_group_id, advice.pk])


def test_an_officer_records_advice_given_at_a_consultation(officer_client, officer, team, iag):
    consultation = EngagementFactory(organisation=team, kind=EngagementKind.IAG_CONSULTATION, advisory_group=iag, title="Stop and search scrutiny panel")
    response = officer_client.post(reverse("crm:advisory-advice-add", args=[iag.pk]), {
        "policy": "Stop and search", "advice": "Publish monthly figures by ethnicity.",
        "given_on": days_ago(3).isoformat(), "consultation": consultation.pk,
    })
    assert response.status_code == 302
    advice = AdvisoryAdvice.objects.get(advisory_group=iag)
    assert (advice.consultation, advice.organisation, advice.response) == (consultation, team, AdviceResponse.AWAITING)
    page = text(officer_client.get(response["Location"]).content.decode())
    assert "Advice on Stop and search recorded. It awaits the force's response." in page
    assert f"Given on {days_ago(3):%-d %B %Y}, at Stop and search scrutiny panel What the force did Awaiting the force's response" in page


def test_the_consultations_offered_are_this_groups_and_visible_ones(officer_client, team, other_force, iag):
    EngagementFactory(organisation=team, kind=EngagementKind.IAG_CONSULTATION, advisory_group=iag, title="Our consultation")
    other = EngagementFactory(organisation=team, kind=EngagementKind.IAG_CONSULTATION, advisory_group=AdvisoryGroupFactory(organisation=team), title="Another group's consultation")
    EngagementFactory(organisation=other_force, kind=EngagementKind.IAG_CONSULTATION, advisory_group=iag, title="Lancashire's consultation")
    page = officer_client.get(reverse("crm:advisory-advice-add", args=[iag.pk])).content.decode()
    assert "Our consultation" in page
    assert "Another group" not in page and "Lancashire" not in page
    response = officer_client.post(reverse("crm:advisory-advice-add", args=[iag.pk]), {
        "policy": "Stop and search", "advice": "Publish figures.", "given_on": days_ago(3).isoformat(), "consultation": other.pk,
    })
    assert response.context["form"].has_error("consultation", code="invalid_choice")
    assert not AdvisoryAdvice.objects.exists()


def test_advice_cannot_be_dated_in_the_future(officer_client, iag):
    response = officer_client.post(reverse("crm:advisory-advice-add", args=[iag.pk]), {
        "policy": "Stop and search", "advice": "Publish figures.", "given_on": days_ago(-2).isoformat(),
    })
    assert response.context["form"].errors["given_on"] == ["The date the advice was given cannot be in the future."]
    assert not AdvisoryAdvice.objects.exists()


def test_the_response_flow_from_awaiting_to_adopted_shows_on_the_group_page(officer_client, officer, iag):
    advice = AdvisoryAdviceFactory(advisory_group=iag, policy="Stop and search", given_on=days_ago(30))
    detail_url = reverse("crm:advisory-detail", args=[iag.pk])
    before = text(officer_client.get(detail_url).content.decode())
    assert "What the force did Awaiting the force's response" in before
    assert "The force's response" not in before.split("Advice given and what the force did with it")[1].split("How well")[0]

    response = officer_client.post(respond_url(advice), {
        "response": "adopted", "force_response": "Monthly figures by ethnicity are now on the force website.", "responded_on": days_ago(2).isoformat(),
    })

    assert response.status_code == 302 and response["Location"] == detail_url
    advice.refresh_from_db()
    assert (advice.response, advice.responded_on) == (AdviceResponse.ADOPTED, days_ago(2))
    after = text(officer_client.get(detail_url).content.decode())
    assert "The force's response to the advice on Stop and search recorded." in after
    assert (
        "What the force did Adopted The force's response Monthly figures by ethnicity are now on the force website. "
        f"Responded on {days_ago(2):%-d %B %Y}"
    ) in after
    assert "Awaiting the force's response" not in after
    last_change = AdvisoryAdvice.pgh_event_model.objects.filter(pgh_obj=advice).order_by("-pgh_id").first()
    assert last_change.pgh_label == "update" and last_change.pgh_context.metadata["user"] == officer.pk


def test_a_response_without_saying_what_the_force_did_is_refused(officer_client, iag):
    advice = AdvisoryAdviceFactory(advisory_group=iag)
    response = officer_client.post(respond_url(advice), {"response": "not_adopted", "force_response": "  ", "responded_on": days_ago(1).isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["force_response"] == ["Say what the force did with the advice."]
    assert "The force's response: Say what the force did with the advice." in text(response.content.decode())
    advice.refresh_from_db()
    assert advice.response == AdviceResponse.AWAITING and advice.responded_on is None


def test_a_response_without_a_date_is_refused(officer_client, iag):
    advice = AdvisoryAdviceFactory(advisory_group=iag)
    response = officer_client.post(respond_url(advice), {"response": "partly_adopted", "force_response": "Some of it.", "responded_on": ""})
    assert response.context["form"].errors["responded_on"] == ["Give the date the force responded."]
    advice.refresh_from_db()
    assert advice.response == AdviceResponse.AWAITING


def test_a_response_dated_before_the_advice_is_refused(officer_client, iag):
    advice = AdvisoryAdviceFactory(advisory_group=iag, given_on=days_ago(10))
    response = officer_client.post(respond_url(advice), {"response": "adopted", "force_response": "Done.", "responded_on": days_ago(20).isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["responded_on"] == ["The response cannot come before the advice."]
    advice.refresh_from_db()
    assert advice.response == AdviceResponse.AWAITING and advice.force_response == ""


def test_the_response_form_shows_the_advice(officer_client, iag):
    advice = AdvisoryAdviceFactory(advisory_group=iag, policy="Body-worn video", advice="Switch cameras on before any search.")
    page = text(officer_client.get(respond_url(advice)).content.decode())
    assert "Policy Body-worn video Advice Switch cameras on before any search." in page
    assert "What the force did with the advice" in page


def test_an_outsider_gets_a_404_for_the_forces_advice(outsider_client, iag):
    advice = AdvisoryAdviceFactory(advisory_group=iag)
    assert outsider_client.get(respond_url(advice)).status_code == 404
    response = outsider_client.post(respond_url(advice), {"response": "adopted", "force_response": "Done.", "responded_on": days_ago(1).isoformat()})
    assert response.status_code == 404
    advice.refresh_from_db()
    assert advice.response == AdviceResponse.AWAITING
    assert outsider_client.get(reverse("crm:advisory-advice-add", args=[iag.pk])).status_code == 404


def test_a_partner_user_gets_a_404_for_the_forces_advice(partner_client, iag):
    advice = AdvisoryAdviceFactory(advisory_group=iag)
    assert partner_client.get(respond_url(advice)).status_code == 404
    assert partner_client.get(reverse("crm:advisory-advice-add", args=[iag.pk])).status_code == 404


def test_advice_is_only_found_under_its_own_group(officer_client, team, iag):
    other_group = AdvisoryGroupFactory(organisation=team)
    advice = AdvisoryAdviceFactory(advisory_group=other_group)
    assert officer_client.get(reverse("crm:advisory-advice-respond", args=[iag.pk, advice.pk])).status_code == 404
    assert officer_client.get(respond_url(advice)).status_code == 200
