"""The analysis of an organisation's posts keeps its memory flat: topics fitted on a fixed pseudo-random sample, posts
filed a batch at a time, only each topic's most typical texts kept for its keywords; one analysis at a time."""
import threading

import psycopg
import pytest
from django.db import connection

from digital import analysis, services
from digital.demo import as_generic_json, labelled_posts
from digital.models import Post, Topic
from tests.digital.conftest import boxes, import_file


@pytest.fixture
def imported(officer, places):
    posts = labelled_posts(600, boxes(places), seed=9)
    job = import_file(officer, as_generic_json(posts))
    return job, {p["post_id"]: p for p in posts}


@pytest.mark.django_db
def test_every_post_is_filed_a_batch_at_a_time_against_topics_fitted_on_a_sample(imported, monkeypatch):
    """The mechanism, on a small scale (the quality of a 20,000-post sample is the benchmark's to print)."""
    job, _ = imported
    monkeypatch.setattr(analysis, "FIT_SAMPLE", 150)
    monkeypatch.setattr(analysis, "ASSIGN_BATCH", 64)
    fitted_on, filed_batches = [], []
    fit_topics, file_posts = analysis.fit_topics, services._file_posts
    monkeypatch.setattr(analysis, "fit_topics", lambda texts, **kw: fitted_on.append(len(texts)) or fit_topics(texts, **kw))
    monkeypatch.setattr(services, "_file_posts", lambda ids, topics: filed_batches.append(len(ids)) or file_posts(ids, topics))

    topics = services.analyse_conversations(organisation_id=job.organisation_id)

    assert fitted_on == [150]  # a quarter of the 600 posts
    assert filed_batches == [64] * 9 + [24]
    filed = Post.objects.filter(source_import=job, topic__isnull=False)
    assert filed.count() > 300
    for topic in topics:  # the counts are the posts filed under each, though no batch held them all
        topic.refresh_from_db()
        assert topic.post_count == Post.objects.filter(topic=topic).count()
        assert Post.objects.filter(topic=topic).exclude(category_id=topic.category_id).count() == 0
        assert topic.keywords or not topic.post_count
    assert sum(t.post_count for t in topics) == filed.count()


@pytest.mark.django_db
def test_the_sample_is_the_same_each_time_and_not_every_nth_post(imported):
    job, truth = imported
    posts = Post.objects.filter(source_import=job)
    ordered = list(posts.order_by("pk").values_list("text", flat=True))
    sample = services._sample_texts(posts, 200, len(ordered))
    assert len(sample) == 200 and sample == services._sample_texts(posts, 200, len(ordered))
    # The demo's posts cycle through six categories: every third post would hold only two of them.
    by_text = {p["text"]: p["truth_category"] for p in truth.values()}
    assert len({by_text[text] for text in sample}) == 6
    assert services._sample_texts(posts, 1000, len(ordered)) == ordered


def test_a_sample_of_texts_is_a_fixed_choice_in_order():
    assert analysis.sample_indexes(5, 10) == [0, 1, 2, 3, 4]
    chosen = analysis.sample_indexes(600, 100)
    assert len(chosen) == 100 and chosen == sorted(chosen) == analysis.sample_indexes(600, 100)
    assert {i % 6 for i in chosen} == set(range(6))


def test_only_each_topics_most_typical_texts_are_kept_strongest_first():
    typical = analysis.TypicalTexts(topics=2, keep=3)
    for weight, text in [(0.2, "a"), (0.9, "b"), (0.5, "c"), (0.9, "d"), (0.1, "e"), (0.7, "f")]:
        typical.offer(0, weight, text)
    typical.offer(1, 0.3, "g")
    assert typical.texts(0) == ["b", "d", "f"]  # equal weights: the earlier first
    assert typical.texts(1) == ["g"]


def test_find_topics_files_texts_beyond_the_sample(monkeypatch):
    monkeypatch.setattr(analysis, "FIT_SAMPLE", 100)
    monkeypatch.setattr(analysis, "ASSIGN_BATCH", 70)
    posts = labelled_posts(500, [{"name": "Roose", "west": -3.2, "south": 54.1, "east": -3.19, "north": 54.11}], seed=4)
    model = analysis.find_topics([p["text"] for p in posts], topics=8)
    assert len(model.assignment) == 500
    assert sorted(i for t in model.topics for i in t.members) == [i for i, a in enumerate(model.assignment) if a is not None]
    assert sum(a is not None for a in model.assignment[100:]) > 300


@pytest.mark.django_db(transaction=True)
def test_a_second_analysis_of_the_same_organisation_waits_for_the_first(officer, places):
    job = import_file(officer, as_generic_json(labelled_posts(120, boxes(places), seed=6)))
    services.analyse_conversations(organisation_id=job.organisation_id)
    settings = connection.settings_dict
    holder = psycopg.connect(dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"], host=settings["HOST"],
                             port=settings["PORT"], autocommit=True)
    try:  # another analysis in progress: it holds the organisation's analysis lock
        holder.execute("SELECT pg_advisory_lock(%s::int, %s::int)", [services.ANALYSIS_LOCK, job.organisation_id % 2**31])
        second = threading.Thread(target=lambda: (services.analyse_conversations(organisation_id=job.organisation_id), connection.close()))
        second.start()
        second.join(timeout=1.5)
        assert second.is_alive()  # waiting, not marking the other's topics old beside it
        holder.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", [services.ANALYSIS_LOCK, job.organisation_id % 2**31])
        second.join(timeout=60)
        assert not second.is_alive()
    finally:
        holder.close()
    current = Topic.objects.filter(organisation_id=job.organisation_id, is_current=True)
    assert current.count() and len({t.analysed_at for t in current}) == 1
