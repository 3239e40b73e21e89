"""Three neighbourhoods with names people write, in the force persona's area, and upload helpers."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from digital.formats import Format
from digital.services import conversation_import_check, conversation_import_commit, conversation_import_confirm, conversation_import_start
from tests.factories import ForceAreaFactory, NeighbourhoodFactory, SmallAreaFactory, square

PLACES = [("Hindpool", -3.24, 54.10), ("Walney North", -3.26, 54.10), ("Roose", -3.22, 54.10)]


@pytest.fixture
def force_area(force):
    return ForceAreaFactory(force=force, code="cumbria")


@pytest.fixture
def places(force_area, team):
    found = {}
    for name, west, south in PLACES:
        found[name] = NeighbourhoodFactory(force_area=force_area, name=name, boundary=square(west=west, south=south), team=team)
    SmallAreaFactory(name="Ormsgill", neighbourhood=found["Hindpool"], boundary=square(west=-3.24, south=54.10, size=0.005))
    return found


def boxes(places) -> list[dict]:
    """Bounding boxes a little inside each neighbourhood, for digital.demo.labelled_posts."""
    return [{"name": name, "west": west + 0.001, "south": south + 0.001, "east": west + 0.009, "north": south + 0.009}
            for name, west, south in PLACES if name in places]


def import_file(user, data: bytes, *, file_format=Format.GENERIC, name="posts.json", confirm=True):
    """Upload, check and (if clean) import a file through the services the pages and tasks use."""
    from django.db import transaction

    with transaction.atomic():
        job = conversation_import_start(upload=SimpleUploadedFile(name, data), file_format=file_format, lawful_basis="law_enforcement",
                                        purpose="Understanding local concerns before PACT meetings", acting_user=user)
    job = conversation_import_check(job_id=job.pk)
    if confirm and job.status == "checked":
        conversation_import_confirm(job=job, acting_user=user)
        job = conversation_import_commit(job_id=job.pk)
    return job
