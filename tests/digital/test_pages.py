"""The hot-topics pages: rising topics with their evidence, tone over time, sites by counts, other channels."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import EngagementIssue
from crm.models.engagements import EngagementKind, EngagementStatus
from digital.demo import as_generic_json, labelled_posts
from digital.models import Post, Topic
from digital.services import analyse_conversations
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


def test_past_the_retention_schedule_only_the_counts_stay_and_the_export_goes(officer, places, analysed, settings,
                                                                             django_capture_on_commit_callbacks):
    """The retention schedule for social-media content is the one rule: its nightly job strips old posts."""
    from django.core.files.storage import default_storage

    from digital.models import ConversationImport
    from retention.enforcement import enforce
    from retention.models import Outcome, RecordClass, RetentionDecision

    settings.RETENTION_NOTICE_DAYS = 0
    job, other = ConversationImport.objects.order_by("pk")[:2]
    aged = set(Post.objects.filter(source_import=job).values_list("pk", flat=True)[:50])
    Post.objects.filter(pk__in=aged).update(created_at=timezone.now() - timedelta(days=100))  # the default: three months
    enforce(dry_run=True)
    with django_capture_on_commit_callbacks(execute=True):
        enforce(dry_run=False)
    stripped = Post.objects.filter(text_removed_at__isnull=False)
    assert set(stripped.values_list("pk", flat=True)) == aged
    assert set(stripped.values_list("text", "author", "url", "place_text").distinct()) == {("", "", "", "")}
    assert stripped.exclude(tone=None).count() == 50  # counts and tone stay
    assert Post.objects.filter(text_removed_at__isnull=True).exclude(text="").count() == Post.objects.count() - 50
    assert RetentionDecision.objects.filter(record_class=RecordClass.SOCIAL_MEDIA, outcome=Outcome.ANONYMISED).count() == 50
    # The export the stripped posts came from goes from storage; another import's stays.
    assert ConversationImport.objects.get(pk=job.pk).upload.name == "" and not default_storage.exists(job.upload.name)
    assert default_storage.exists(ConversationImport.objects.get(pk=other.pk).upload.name)
    enforce(dry_run=True)
    enforce(dry_run=False)
    assert RetentionDecision.objects.filter(record_class=RecordClass.SOCIAL_MEDIA).count() == 50  # nothing twice
