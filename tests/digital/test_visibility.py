"""Posts are read through visible_to: a partner sees none without a protocol flow for social-media
conversations, and with one that excludes personal data, no text, handle, link or place words."""
import pytest

from digital.demo import as_generic_json, labelled_posts
from digital.models import Post, Topic
from digital.services import analyse_conversations
from tests.digital.conftest import boxes, import_file
from tests.sharing_protocols.conftest import publish_protocol

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(officer, places):
    job = import_file(officer, as_generic_json(labelled_posts(30, boxes(places), seed=9)))
    analyse_conversations(organisation_id=job.organisation_id)
    return job


def test_a_partner_sees_no_posts_or_topics_without_a_protocol_for_them(partner_user, imported, team, council):
    publish_protocol(provider=team, recipient=council, categories=("concerns",), personal=True)
    assert not Post.objects.visible_to(partner_user).exists()
    assert not Topic.objects.visible_to(partner_user).exists()


def test_a_protocol_without_personal_data_shares_posts_without_their_words_or_handles(partner_user, imported, team, council):
    publish_protocol(provider=team, recipient=council, categories=("social_media",), personal=False)
    shared = list(Post.objects.visible_to(partner_user))
    assert len(shared) == 30
    assert {(p.text, p.author, p.url, p.place_text) for p in shared} == {("", "", "", "")}
    assert Post.objects.visible_to(partner_user).filter(author__startswith="resident").count() == 0


def test_another_force_sees_nothing(outsider, imported):
    assert not Post.objects.visible_to(outsider).exists()
