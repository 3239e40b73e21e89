"""The file is read and checked once: the dry run keeps the checked posts, the import writes those and they go."""
import json

import pytest

from digital.demo import as_generic_json, labelled_posts
from digital.models import ImportStatus, Post, StagedPost
from digital.services import conversation_import_commit, conversation_import_confirm
from tests.digital.conftest import boxes, import_file

pytestmark = pytest.mark.django_db


def test_the_dry_run_keeps_the_checked_posts_in_the_files_order(officer, places):
    posts = labelled_posts(12, boxes(places), seed=21)
    job = import_file(officer, as_generic_json(posts), confirm=False)
    assert job.status == ImportStatus.CHECKED
    assert list(StagedPost.objects.filter(job=job).order_by("pk").values_list("row", "post_id")) == [
        (number, post["post_id"]) for number, post in enumerate(posts, start=1)]


def test_the_import_writes_the_kept_posts_without_reading_the_file_again(officer, places):
    posts = labelled_posts(12, boxes(places), seed=22)
    job = import_file(officer, as_generic_json(posts), confirm=False)
    with job.upload.open("wb") as handle:  # were the file read again, this would reject the import
        handle.write(b"not a conversation export")
    conversation_import_confirm(job=job, acting_user=officer)
    job = conversation_import_commit(job_id=job.pk)
    assert (job.status, job.created_count) == (ImportStatus.IMPORTED, 12)
    assert set(Post.objects.values_list("post_id", flat=True)) == {post["post_id"] for post in posts}
    assert not StagedPost.objects.exists()


def test_when_the_kept_posts_are_gone_the_import_reads_the_file_again(officer, places):
    posts = labelled_posts(12, boxes(places), seed=23)
    job = import_file(officer, as_generic_json(posts), confirm=False)
    StagedPost.objects.filter(job=job).delete()  # as a database crash empties the unlogged table
    conversation_import_confirm(job=job, acting_user=officer)
    job = conversation_import_commit(job_id=job.pk)
    assert (job.status, job.created_count) == (ImportStatus.IMPORTED, 12)
    assert Post.objects.count() == 12 and not StagedPost.objects.exists()


def test_a_file_with_a_bad_row_keeps_no_posts(officer, places):
    records = json.loads(as_generic_json(labelled_posts(5, boxes(places), seed=24)))
    records[2]["text"] = ""
    job = import_file(officer, json.dumps(records).encode())
    assert job.status == ImportStatus.REJECTED
    assert not StagedPost.objects.exists()


def test_the_dry_run_counts_the_posts_already_held(officer, places):
    data = as_generic_json(labelled_posts(8, boxes(places), seed=25))
    import_file(officer, data)
    again = import_file(officer, data, name="again.json", confirm=False)
    assert (again.status, again.already_held_count) == (ImportStatus.CHECKED, 8)
