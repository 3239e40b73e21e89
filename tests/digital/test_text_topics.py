"""Topics in the hub's own free text: issues raised at engagements and partners' concerns, analysed for each
organisation over what it may read, and shown only to readers who may read every text behind them."""
import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import OrganisationKind
from digital.analysis_text import channel_topics, readable_by, text_analysis_request, text_analysis_run, text_topics_expire
from digital.text_models import TextAnalysis, TextTopic
from row_security.context import viewer_context
from tests.factories import ConcernFactory, EngagementFactory, EngagementIssueFactory, OrganisationFactory, issue_category
from tests.sharing_protocols.conftest import publish_protocol

pytestmark = pytest.mark.django_db

# Everyday texts, so the planted themes have something to stand out from.
FILLER = [
    "Parking on the pavement outside the primary school at pick up time",
    "Cars speeding along the main road past the park, residents worried",
    "Graffiti sprayed on the bus shelter and the railway bridge",
    "Bins left out for days and litter blowing along the street",
    "Loud music from a flat late at night, neighbours kept awake",
    "Drug dealing near the alley behind the chip shop in the evening",
    "Shoplifting at the corner shop, staff feel unsafe",
    "Street drinking on the benches by the library",
]
SCRAMBLERS = [
    "Scrambler bikes racing across the playing field every evening",
    "Off road scramblers tearing up the playing field grass again",
    "Quad bikes and scramblers on the playing field, children at risk",
    "Scrambler riders doing wheelies on the playing field paths",
]


def texts(theme: list[str], planted: int, filler: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    chosen = [f"{rng.choice(theme)} {rng.choice(['', 'near the estate', 'at the weekend', 'after dark'])}".strip() for _ in range(planted)]
    chosen += [f"{rng.choice(FILLER)} {rng.choice(['', 'this week', 'most days', 'on Sundays'])}".strip() for _ in range(filler)]
    rng.shuffle(chosen)
    return chosen


THEME_TERMS = ("scrambler", "playing", "field", "quad", "off road", "wheelies")


def planted_ids(channel: str) -> set[int]:
    """The rows written from the planted theme (read as named system work: the test's own bookkeeping)."""
    from crm.models import EngagementIssue
    from partners.models import Concern
    from row_security.context import system_context

    model = EngagementIssue if channel == "issues" else Concern
    with system_context("test: the planted rows"):
        return {pk for pk, text in model.objects.values_list("pk", "description") if any(t in text.lower() for t in ("scrambler", "quad"))}


def raise_issues(organisation, descriptions, *, neighbourhood=None, days_ago=3):
    for n, description in enumerate(descriptions):
        engagement = EngagementFactory(organisation=organisation, neighbourhood=neighbourhood,
                                       starts_at=timezone.now() - dt.timedelta(days=days_ago, minutes=n))
        EngagementIssueFactory(engagement=engagement, description=description)


def report_concerns(organisation, descriptions, **fields):
    return [ConcernFactory(organisation=organisation, description=description, **fields) for description in descriptions]


def analyse(organisation) -> TextAnalysis:
    job, _ = text_analysis_request(organisation=organisation)
    with viewer_context(organisation):
        return text_analysis_run(analysis_id=job.pk)


def all_words(job: TextAnalysis) -> str:
    """Everything a reader of the analysis could learn from it, in one string."""
    return " ".join(f"{topic.label} {topic.words} {topic.keywords}" for topic in TextTopic.objects.filter(analysis=job)).lower()


@pytest.fixture
def housing(db):
    return OrganisationFactory(kind=OrganisationKind.HOUSING, name="Furness Housing", slug="furness-housing")


def test_a_planted_theme_is_found_in_issues_raised_and_in_concerns(force, team, council, officer):
    raise_issues(team, texts(SCRAMBLERS, 14, 26, seed=1))
    publish_protocol(provider=council, recipient=force, categories=("concerns",), personal=True)
    report_concerns(council, texts(SCRAMBLERS, 12, 28, seed=2))
    job = analyse(force)
    assert job.status == "done" and len(job.issue_ids) == 40 and len(job.concern_ids) == 40
    for channel, planted in (("issues", planted_ids("issues")), ("concerns", planted_ids("concerns"))):
        themed = [topic for topic in TextTopic.objects.filter(analysis=job, channel=channel)
                  if any(term in word for word, _ in topic.words[:5] for term in THEME_TERMS)]
        found = {pk for topic in themed for pk in topic.member_ids}
        assert len(found & planted) >= 0.8 * len(planted)  # recall
        assert len(found & planted) >= 0.8 * len(found)  # precision
        assert "off-road-bikes" in {topic.category.slug for topic in themed if topic.category}
    shown = channel_topics(officer)
    assert {"issues", "concerns"} <= set(shown.channels)


def test_a_partner_never_learns_a_word_of_another_organisations_concerns(force, team, council, housing, partner_user, officer):
    """The attacker: a partner user who knows the method. Housing's concerns (shared with the police, never with
    the council) carry a word found nowhere else; the council's analysis, pages and examples never show it."""
    publish_protocol(provider=housing, recipient=force, categories=("concerns",), personal=True)
    publish_protocol(provider=team, recipient=council, categories=("engagements",), personal=True)
    report_concerns(housing, texts(["Zanzibar lettings tenants dumping sofas on the landing"], 15, 5, seed=3))
    report_concerns(council, texts(SCRAMBLERS, 10, 20, seed=4))
    raise_issues(team, texts(SCRAMBLERS, 10, 20, seed=5))

    police = analyse(force)
    assert "zanzibar" in all_words(police)  # the plant is there to be found by those who may read it

    theirs = analyse(council)
    assert len(theirs.concern_ids) == 30 and len(theirs.issue_ids) == 30  # its own concerns, the team's shared issues
    assert "zanzibar" not in all_words(theirs)
    shown = channel_topics(partner_user)
    assert shown.analysis == theirs
    examples = " ".join(example.description for summaries in shown.channels.values() for s in summaries for example in s.examples)
    assert examples and "zanzibar" not in examples.lower()
    # The police's analysis is neither theirs to read nor to open by its number.
    assert not TextAnalysis.objects.visible_to(partner_user).filter(pk=police.pk).exists()
    topic = TextTopic.objects.filter(analysis=police).first()
    from django.test import Client

    client = Client()
    client.force_login(partner_user)
    assert client.get(reverse("digital:text-topic", args=[topic.pk])).status_code == 404


def test_a_withheld_concern_text_is_never_analysed(force, council, officer):
    """A protocol without personal data: the concern is shared, its text (which names someone) is not."""
    publish_protocol(provider=council, recipient=force, categories=("concerns",), personal=False)
    report_concerns(council, texts(["Mr Quixlebury at number nine deals from his van"], 6, 0, seed=6), holds_personal_data=True)
    report_concerns(council, texts(SCRAMBLERS, 10, 20, seed=7))
    job = analyse(force)
    assert len(job.concern_ids) == 30
    assert "quixlebury" not in all_words(job)


def test_an_analysis_is_hidden_once_its_reader_may_no_longer_read_every_text_behind_it(force, council, officer, officer_client):
    protocol = publish_protocol(provider=council, recipient=force, categories=("concerns",), personal=True)
    report_concerns(council, texts(SCRAMBLERS, 10, 20, seed=8))
    job = analyse(force)
    topic = TextTopic.objects.filter(analysis=job).first()
    assert readable_by(job, officer)
    assert officer_client.get(reverse("digital:text-topic", args=[topic.pk])).status_code == 200
    from sharing_protocols.models import ProtocolStatus
    from sharing_protocols.services import protocol_suspend_or_terminate

    protocol_suspend_or_terminate(protocol=protocol.protocol, status=ProtocolStatus.SUSPENDED, acting_user=None, acted_for=council,
                                  reason="Under review")
    assert not readable_by(job, officer)
    assert channel_topics(officer).hidden
    assert officer_client.get(reverse("digital:text-topic", args=[topic.pk])).status_code == 404
    page = officer_client.get(reverse("digital:hot-topics")).content.decode()
    assert "text-topics-hidden" in page and topic.label not in page


def test_topics_from_concern_text_go_when_retention_removes_that_text(force, council):
    publish_protocol(provider=council, recipient=force, categories=("concerns",), personal=True)
    concerns = report_concerns(council, texts(SCRAMBLERS, 10, 20, seed=9))
    job = analyse(force)
    assert text_topics_expire() == 0
    from partners.models import Concern
    from row_security.context import system_context

    with system_context("test: retention"):
        Concern.objects.filter(pk=concerns[0].pk).update(description="Removed under the retention schedule.")
    assert text_topics_expire() == 1
    assert not TextAnalysis.objects.filter(pk=job.pk).exists() and not TextTopic.objects.filter(analysis_id=job.pk).exists()


def test_asking_twice_queues_one_analysis_and_a_finished_one_replaces_the_last(force, team, officer):
    raise_issues(team, texts(SCRAMBLERS, 10, 20, seed=10))
    first = analyse(force)
    again, queued = text_analysis_request(organisation=force, acting_user=officer)
    same, queued_twice = text_analysis_request(organisation=force, acting_user=officer)
    assert queued and not queued_twice and same == again
    with viewer_context(force):
        text_analysis_run(analysis_id=again.pk)
        text_analysis_run(analysis_id=again.pk)  # run twice: nothing more
    assert list(TextAnalysis.objects.filter(organisation=force).values_list("pk", flat=True)) == [again.pk]
    assert not TextAnalysis.objects.filter(pk=first.pk).exists()


def test_the_analysis_refuses_to_read_wider_than_its_organisation(force):
    job, _ = text_analysis_request(organisation=force)
    from row_security.context import system_context

    with system_context("test: a wider context"), pytest.raises(RuntimeError):
        text_analysis_run(analysis_id=job.pk)


def test_the_page_shows_topics_per_channel_with_counts_examples_and_a_chart(force, team, council, officer_client, places):
    place = places["Hindpool"]
    raise_issues(team, texts(SCRAMBLERS, 12, 18, seed=11), neighbourhood=place)
    publish_protocol(provider=council, recipient=force, categories=("concerns",), personal=True)
    report_concerns(council, texts(SCRAMBLERS, 10, 20, seed=12), neighbourhood=place)
    analyse(force)
    page = officer_client.get(reverse("digital:neighbourhood", args=[place.pk])).content.decode()
    assert 'id="channel-issues"' in page and 'id="channel-concerns"' in page and 'id="channel-posts"' in page
    assert "<svg" in page and "scrambler" in page.split('id="channel-concerns"')[1].lower()
    other = officer_client.get(reverse("digital:neighbourhood", args=[places["Roose"].pk])).content.decode()
    assert "No topics in these texts here" in other


def test_asking_from_the_page_queues_the_analysis_and_shows_progress(officer_client, force):
    response = officer_client.post(reverse("digital:text-analysis-request"), follow=True)
    assert TextAnalysis.objects.filter(organisation=force, status="queued").count() == 1
    assert "text-analysis-progress" in response.content.decode()


def test_a_partner_asking_queues_its_own_agencys_analysis_never_the_polices(partner_client, force, council):
    assert partner_client.post(reverse("digital:text-analysis-request")).status_code == 302
    assert not TextAnalysis.objects.filter(organisation=force).exists()
    assert TextAnalysis.objects.filter(organisation=council).count() == 1


def test_the_force_page_with_channel_topics_reads_in_a_fixed_number_of_queries(force, team, council, officer_client,
                                                                                django_assert_max_num_queries):
    raise_issues(team, texts(SCRAMBLERS, 12, 18, seed=13))
    publish_protocol(provider=council, recipient=force, categories=("concerns",), personal=True)
    report_concerns(council, texts(SCRAMBLERS, 10, 20, seed=14))
    analyse(force)
    officer_client.get(reverse("digital:hot-topics"))
    # The posts' sections as before (15, with the communities' ranking and the force's published accounts), then: the viewer's memberships and force, the latest analysis, the two
    # readability counts, its topics, an example query per channel, and the disclosure log's entry for the partner's
    # concerns shown as examples. However many topics or texts: the same.
    with django_assert_max_num_queries(31):
        officer_client.get(reverse("digital:hot-topics"))


def test_the_topic_page_lists_the_engagements_behind_it(force, team, officer_client):
    raise_issues(team, texts(SCRAMBLERS, 12, 18, seed=15))
    job = analyse(force)
    topic = max(TextTopic.objects.filter(analysis=job), key=lambda t: t.count if "scrambler" in t.label or "playing field" in t.label else 0)
    page = officer_client.get(reverse("digital:text-topic", args=[topic.pk])).content.decode()
    import re

    assert "text-topic-words" in page and "scrambler" in page.lower()
    assert len(re.findall(r'href="/engagements/\d+/"', page)) == topic.count


def test_a_partner_reads_its_own_agencys_topics_and_opens_the_concerns_behind_them(force, team, council, partner_client, partner_user):
    report_concerns(council, texts(SCRAMBLERS, 10, 20, seed=16))
    response = partner_client.post(reverse("digital:text-analysis-request"))
    assert response.status_code == 302
    job = TextAnalysis.objects.get(organisation=council)
    with viewer_context(council):
        text_analysis_run(analysis_id=job.pk)
    page = partner_client.get(reverse("digital:partner-text-topics")).content.decode()
    assert 'id="channel-concerns"' in page and 'id="channel-posts"' not in page
    topic = TextTopic.objects.filter(analysis=job, channel="concerns").first()
    detail = partner_client.get(reverse("digital:text-topic", args=[topic.pk])).content.decode()
    assert reverse("partners:concern-detail", args=[topic.member_ids[0]]) in detail
