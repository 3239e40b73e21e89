"""An open-data release's files are kept only if the transaction that publishes them commits (jobs.files)."""
import pytest

from publication.models import PublishedPeriod, ReleaseStatus
from publication.releases import build
from tests.publication.test_releases import data, new_release, release_dir  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_a_release_whose_publishing_fails_leaves_no_file(data, release_dir, monkeypatch):  # noqa: F811
    def refused(*args, **kwargs):
        raise RuntimeError("the published periods could not be written")

    monkeypatch.setattr(PublishedPeriod.objects, "bulk_create", refused)
    release = new_release()
    with pytest.raises(RuntimeError):
        build(release)
    release.refresh_from_db()
    assert release.status != ReleaseStatus.PUBLISHED
    folder = release_dir / str(release.version)
    assert not folder.exists() or list(folder.iterdir()) == []

    monkeypatch.undo()
    built = build(release)  # tried again, it publishes, with every file it lists
    assert built.status == ReleaseStatus.PUBLISHED and sorted(p.name for p in folder.iterdir()) == sorted(f["path"] for f in built.files)
