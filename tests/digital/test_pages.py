"""The hot-topics pages: rising topics with their evidence, tone over time, sites by counts, other channels."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import EngagementIssue
from crm.models.engagements import EngagementKind, EngagementStatus
from digital.demo import as_generic_json, labelled_posts
from digital.models import Post, Topic
from digital.services import analyse_conversations, remove_expired_text
from tests.digital.conftest import boxes, import_file
from tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(officer, places):
    posts = labelled_posts(240, boxes(places), seed=5, weeks=9)
    job = import_file(officer, as_generic_json(posts))
    # A burst this week: twenty posts about off-road bikes in Roose.
    burst = [{**p, "post_id": f"burst-{i}", "time": timezone.now().isoformat(), "text": f"Off road bikes on the field in Roose again {i}"}
             for i, p in enumerate(posts[:20])]
    import_file(officer, as_generic_json(burst), name="burst.json")
    analyse_conversations(organisation_id=job.organisation_id)
    return job


def test_the_force_page_shows_topics_rising_first_with_their_words_and_examples(officer_client, analysed):
    page = officer_client.get(reverse("digital:hot-topics")).content.decode()
    topics = page.split('id="topics"')[1].split("</table>")[0]
    first_row = topics.split('<tr class="govuk-table__row">')[2]
    assert "Rising" in first_row and "Off-road bikes" in first_row
    assert "Posts each week and their average tone" in page and "<svg" in page
    assert "Accounts are counted, never named" in page and "resident" not in page.split('id="sites"')[1].split("</table>")[0]


def test_a_neighbourhood_page_counts_only_posts_placed_there(officer_client, analysed, places):
    roose = places["Roose"]
    page = officer_client.get(reverse("digital:neighbourhood", args=[roose.pk])).content.decode()
    assert "Hot topics online: Roose" in page
    in_roose = Post.objects.filter(neighbourhood=roose).count()
    placing = page.split('id="placing"')[1].split("</dl>")[0]
    assert sum(int(n) for n in __import__("re").findall(r'summary-list__value">(\d+)<', placing)) == in_roose


def test_the_topic_page_explains_a_topic_by_its_words_and_places(officer_client, analysed):
    topic = Topic.objects.filter(is_current=True, category__slug="fly-tipping").first()
    page = officer_client.get(reverse("digital:topic", args=[topic.pk])).content.decode()
    assert topic.words[0][0] in page and "Why these posts go together" in page
    assert "Raise at the next PACT meeting" in page


def test_a_topic_is_raised_at_the_next_planned_pact_meeting(officer_client, officer, team, analysed, places):
    meeting = EngagementFactory(organisation=team, kind=EngagementKind.PACT_MEETING, status=EngagementStatus.PLANNED,
                                neighbourhood=places["Roose"], starts_at=timezone.now() + timedelta(days=5), created_by=officer)
    topic = Topic.objects.filter(is_current=True, category__isnull=False).first()
    response = officer_client.post(reverse("digital:topic-raise", args=[topic.pk]), {"neighbourhood": places["Roose"].pk})
    assert response.status_code == 302 and response.url == reverse("crm:engagement-detail", args=[meeting.pk])
    issue = EngagementIssue.objects.get(engagement=meeting)
    assert (issue.category_id, issue.description) == (topic.category_id, f"Raised online: {topic.label}")
    officer_client.post(reverse("digital:topic-raise", args=[topic.pk]), {"neighbourhood": places["Roose"].pk})
    assert EngagementIssue.objects.filter(engagement=meeting).count() == 1


def test_raising_a_topic_with_no_meeting_planned_says_what_to_do(officer_client, analysed, places):
    topic = Topic.objects.filter(is_current=True, category__isnull=False).first()
    response = officer_client.post(reverse("digital:topic-raise", args=[topic.pk]), {"neighbourhood": places["Hindpool"].pk}, follow=True)
    assert "No PACT or beat meeting is planned for Hindpool" in response.content.decode()


def test_the_force_page_reads_in_a_fixed_number_of_queries(officer_client, analysed, django_assert_max_num_queries):
    # session and user, memberships for the navigation, topics, weekly counts, examples (ranked), tone series, sites,
    # placing, three channel counts and categories, neighbourhoods, has-posts
    with django_assert_max_num_queries(22):
        officer_client.get(reverse("digital:hot-topics"))


def test_past_the_retention_period_only_the_counts_stay(officer, places, analysed):
    Post.objects.filter(pk__in=Post.objects.values("pk")[:50]).update(retain_until=timezone.localdate() - timedelta(days=1))
    assert remove_expired_text() == 50
    stripped = Post.objects.filter(text_removed_at__isnull=False)
    assert stripped.count() == 50
    assert set(stripped.values_list("text", "author", "url", "place_text").distinct()) == {("", "", "", "")}
    assert stripped.exclude(tone=None).count() == 50  # counts and tone stay
    assert remove_expired_text() == 0
