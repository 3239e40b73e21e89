"""What an import's result page reads: the concerns it created and their near-duplicates, through visible_to as the
reader, in a fixed number of queries however many rows the file had."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, Q

from partners.models import Concern, ConcernImportJob, ConcernLink

CREATED_PER_PAGE = 50
# Near-duplicates are listed up to this many (most files have a handful); the rest are counted.
NEAR_DUPLICATES_SHOWN = 100


def import_created_concerns(*, user, job: ConcernImportJob, page_number) -> object:
    """One page of the concerns `job` created, oldest first, each with its neighbourhood (placed at commit)."""
    concerns = (Concern.objects.visible_to(user).filter(import_job_id=job.pk)
                .select_related("category", "neighbourhood").order_by("pk"))
    return Paginator(concerns, CREATED_PER_PAGE).get_page(page_number)


@dataclass(frozen=True)
class ImportNearDuplicate:
    reference: str  # the file's concern (the reader's own)
    concern_id: int
    other: Concern  # the concern it looks like, read through visible_to as the reader
    distance_metres: float
    days_apart: float


def import_near_duplicates(*, user, job: ConcernImportJob) -> tuple[list[ImportNearDuplicate], int]:
    """The near-duplicates found when `job`'s rows were placed, that `user` may see: (the first NEAR_DUPLICATES_SHOWN,
    how many in all). A near-duplicate the user may not read is neither listed nor counted: its existence alone would
    tell them that another organisation reported something of that kind at that place and time (see the API page)."""
    visible = Concern.objects.visible_to(user)
    pairs = (ConcernLink.objects
             .filter(Q(first__import_job_id=job.pk, second__in=visible.values("pk")) | Q(second__import_job_id=job.pk, first__in=visible.values("pk")))
             .exclude(first__import_job_id=job.pk, second__import_job_id=job.pk)
             .annotate(in_file=F("first__import_job_id"))
             .values("first_id", "second_id", "in_file", "distance_metres", "days_apart").order_by("distance_metres", "pk"))
    shown = list(pairs[:NEAR_DUPLICATES_SHOWN])
    total = len(shown) if len(shown) < NEAR_DUPLICATES_SHOWN else pairs.count()
    pairs_by_other = []
    for pair in shown:
        mine, other = (pair["first_id"], pair["second_id"]) if pair["in_file"] == job.pk else (pair["second_id"], pair["first_id"])
        pairs_by_other.append((mine, other, pair))
    others = visible.filter(pk__in=[other for _, other, _ in pairs_by_other]).select_related("category", "organisation", "neighbourhood").in_bulk()
    found = [ImportNearDuplicate(reference=Concern(pk=mine).reference, concern_id=mine, other=others[other],
                                 distance_metres=pair["distance_metres"], days_apart=pair["days_apart"])
             for mine, other, pair in pairs_by_other if other in others]
    return found, total
