"""Asking for a report and building it. The build runs in the `reports` Celery queue."""
from __future__ import annotations

import datetime
import hashlib
import json
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from organisations import audit
from access.visibility import owning_organisation
from geo.models import Neighbourhood
from jobs.dispatch import job_dispatch_on_commit
from jobs.files import files_stored_with_commit
from jobs.worker import job_is_still_mine
from read_routing.standby import reads_from_standby
from reports.figures import ReportScope, data_fingerprint, report_figures, shared_records_in
from reports.models import ReportRun, ReportStatus, report_file_path
from reports.protocols import protocols_behind
from sharing_protocols.disclosures import disclosure_record_many
from sharing_protocols.explain import shared_disclosures

logger = logging.getLogger(__name__)

# Bumped when the report's layout or figures change, so older files are not reused.
REPORT_LAYOUT_VERSION = 1
LONGEST_PERIOD_DAYS = 366


def _scope_for(run: ReportRun) -> ReportScope:
    return ReportScope(
        period_start=run.period_start, period_end=run.period_end,
        neighbourhood_ids=tuple(sorted(run.neighbourhoods.values_list("pk", flat=True))), include_concerns=run.include_concerns,
    )


def parameters_key(*, scope: ReportScope, include_maps: bool) -> str:
    content = [REPORT_LAYOUT_VERSION, scope.period_start.isoformat(), scope.period_end.isoformat(), list(scope.neighbourhood_ids),
               include_maps, scope.include_concerns]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def report_request(*, acting_user, period_start: datetime.date, period_end: datetime.date, force_area=None,
                   neighbourhoods=(), include_maps: bool = True, include_concerns: bool = True) -> tuple[ReportRun, bool]:
    """Ask for a report. Returns the run and whether it is one already made (or being made) with the
    same parameters and the same data, which is reused rather than built again."""
    errors = {}
    if period_start > period_end:
        errors["period_end"] = "The end of the period must be on or after its start."
    elif (period_end - period_start).days + 1 > LONGEST_PERIOD_DAYS:
        errors["period_end"] = f"Choose a period of at most {LONGEST_PERIOD_DAYS} days."
    if period_end > timezone.localdate():
        errors.setdefault("period_end", "The period cannot end in the future.")
    if force_area is not None:
        neighbourhood_ids = tuple(sorted(Neighbourhood.objects.filter(force_area=force_area).values_list("pk", flat=True)))
        if not neighbourhood_ids:
            errors["force_area"] = f"{force_area} has no neighbourhoods yet."
        area_label = force_area.name
    else:
        neighbourhoods = list(neighbourhoods)
        neighbourhood_ids = tuple(sorted(n.pk for n in neighbourhoods))
        if not neighbourhood_ids:
            errors["neighbourhoods"] = "Choose at least one neighbourhood, or the whole force."
        names = sorted(n.name for n in neighbourhoods)
        area_label = ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:3])} and {len(names) - 3} more"
    if errors:
        raise ValidationError(errors)

    scope = ReportScope(period_start=period_start, period_end=period_end, neighbourhood_ids=neighbourhood_ids,
                        include_concerns=include_concerns)
    key = parameters_key(scope=scope, include_maps=include_maps)
    fingerprint = data_fingerprint(user=acting_user, scope=scope, protocol_ids=[p["id"] for p in protocols_behind(acting_user)])
    mine = ReportRun.objects.visible_to(acting_user).filter(requested_by=acting_user, parameters_key=key)
    reusable = (mine.filter(status=ReportStatus.DONE, data_fingerprint=fingerprint).first()
                or mine.filter(status__in=(ReportStatus.QUEUED, ReportStatus.RUNNING)).first())
    if reusable is not None:
        return reusable, True

    organisation = owning_organisation(acting_user)
    with transaction.atomic():
        run = ReportRun.objects.create(
            requested_by=acting_user, organisation=organisation, period_start=period_start, period_end=period_end,
            force_area=force_area, include_maps=include_maps, include_concerns=include_concerns, parameters_key=key,
            area_label=area_label[:300], stage=ReportRun.JOB_WAITING_STAGE,
        )
        run.neighbourhoods.set(neighbourhood_ids)
        audit.record(actor=acting_user, organisation=organisation, action="report.request",
                     summary=f"Asked for an engagement-coverage report: {run}", report_run=run.pk)
        job_dispatch_on_commit(run)
    return run, False


def _progress(run: ReportRun, progress: int, stage: str, **fields) -> None:
    ReportRun.objects.filter(pk=run.pk).update(progress=progress, stage=stage, **fields)


def _report_leftovers_delete(run: ReportRun) -> None:
    """Files in the report's folder from an attempt killed before its transaction committed (no cleanup runs then):
    a report's files are recorded only when it is done, so none is recorded yet. Called while this attempt holds the
    report's row, so no other attempt writes there."""
    storage = run.pdf.storage
    folder = report_file_path(run, "").rstrip("/")
    try:
        names = storage.listdir(folder)[1]
    except FileNotFoundError:  # no folder yet (local disk; an object store lists nothing instead)
        return
    for name in names:
        storage.delete(f"{folder}/{name}")


def report_build(*, run_id: int, attempt: int | None = None) -> None:
    """Build the report's PDF, CSV and XLSX, as its requester may see the data. Harmless to run twice:
    a build superseded by a newer attempt (`attempt`, the worker's claim) does not mark the report ready."""
    from reports.parallel_pdf import render_report_pdf
    from reports.rendering import figure_rows, figures_csv, figures_xlsx, marking, report_html

    run = ReportRun.objects.select_related("requested_by").filter(pk=run_id).first()
    if run is None or run.status == ReportStatus.DONE:
        return
    user = run.requested_by
    _progress(run, 5, "Counting engagements", status=ReportStatus.RUNNING, started_at=timezone.now(), error="")
    try:
        scope = _scope_for(run)
        # Reads only, under the requester's grant set (resolved on the primary): a standby may answer (issue 19).
        with reads_from_standby("report aggregation", up_to_now=True):
            protocols = protocols_behind(user)
            fingerprint = data_fingerprint(user=user, scope=scope, protocol_ids=[p["id"] for p in protocols])
            figures = report_figures(user=user, scope=scope)
        _progress(run, 35, "Drawing maps and charts")
        html, drawings = report_html(figures=figures, area_label=run.area_label, requested_by=user.get_full_name() or user.get_username(),
                           protocols=protocols, include_maps=run.include_maps)
        _progress(run, 50, f"Laying out the pages for {len(figures.neighbourhoods)} neighbourhoods")
        pdf, pages = render_report_pdf(html, drawings)
        _progress(run, 90, "Writing the CSV and XLSX files")
        rows = figure_rows(figures, protocols=protocols)
        marking_label = marking(figures)
        name = f"engagement-coverage-{run.period_start:%Y%m%d}-{run.period_end:%Y%m%d}"
        csv, xlsx = figures_csv(rows, marking_label=marking_label), figures_xlsx(rows, marking_label=marking_label)
        run.status, run.progress, run.stage, run.finished_at = ReportStatus.DONE, 100, "The PDF, CSV and XLSX files are below.", timezone.now()
        run.page_count, run.data_fingerprint, run.protocols = pages, fingerprint, protocols
        run.classification = "official_sensitive" if figures.official_sensitive else "official"
        # The files are stored in the transaction that records them, and deleted again if it does not commit: a
        # superseded or failed build leaves no file behind (jobs.files).
        with files_stored_with_commit() as files:
            if not job_is_still_mine(ReportRun, run.pk, attempt):
                return
            _report_leftovers_delete(run)
            files.save_field(run.pdf, f"{name}.pdf", ContentFile(pdf))
            files.save_field(run.csv, f"{name}.csv", ContentFile(csv))
            files.save_field(run.xlsx, f"{name}.xlsx", ContentFile(xlsx))
            run.save(update_fields=["pdf", "csv", "xlsx", "status", "progress", "stage", "finished_at", "page_count",
                                    "data_fingerprint", "protocols", "classification"])
            # Which shared records left in these files, and to whom: one entry each, in one insert (issue 15).
            disclosure_record_many(shared_disclosures(
                reader=user, records=shared_records_in(figures, user=user), organisation=run.organisation, details={"report": run.pk},
                purpose=f"Included in engagement-coverage report {run.pk} (PDF, CSV and XLSX) for {user.get_username()}",
            ))
    except SoftTimeLimitExceeded:
        _progress(run, run.progress, "Stopped", status=ReportStatus.FAILED, finished_at=timezone.now(),
                  error="The report took too long to build. Choose fewer neighbourhoods or a shorter period.")
    except Exception:
        logger.exception("Report %s failed", run.pk)
        _progress(run, run.progress, "Stopped", status=ReportStatus.FAILED, finished_at=timezone.now(),
                  error="Something went wrong building the report. Try again; if it fails again, tell the hub's administrators.")
        raise
