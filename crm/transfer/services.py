"""The two doors the pages use: `export_records` and `import_records`.

An import runs the file through its resource inside one transaction, with the acting user
in pghistory's context, so every record saved gets its history. A dry run always rolls
back. A confirmed import commits only when every row is good; one bad row and nothing is
written. After the rows are saved, their ids are read back through `visible_to` before the
commit (a record the user could not see would roll the whole import back).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pghistory
import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from import_export.results import RowResult

from organisations import audit
from sharing_protocols.disclosures import disclosure_record
from sharing_protocols.models import DisclosureAction
from hub_ui.cells import cell_text
from crm.transfer.files import FileFormat, Table, write_file
from crm.transfer.resources import RESOURCES, HubResource

logger = logging.getLogger(__name__)

WHAT = {
    "contacts": "Community contacts",
    "groups": "Community groups",
    "engagements": "Engagements",
}


@dataclass
class Export:
    filename: str
    content_type: str
    content: bytes
    count: int


def export_records(*, what: str, file_format: str, user) -> Export:
    """The records of one kind that `user` may see, as a CSV or XLSX file, every cell escaped.
    The export is written to the audit trail (it takes personal data out of the hub)."""
    resource = RESOURCES[what](user=user)
    queryset = resource.export_queryset()
    dataset = resource.export(queryset)
    dataset.title = WHAT[what]
    content = write_file(dataset, file_format)
    organisation = resource.owner
    audit.record(
        actor=user, organisation=organisation, action="records.export",
        summary=f"Exported {len(dataset)} {resource.plural} as {file_format.upper()}", what=what, rows=len(dataset),
    )
    # Every export goes into the hash-chained disclosure log as well (information governance reads it), naming each
    # shared record that left (another organisation's, seen under a protocol or a share): one query for the ids.
    from access.visibility import membership_organisation_ids

    shared_ids = sorted(queryset.exclude(organisation_id__in=membership_organisation_ids(user)).values_list("pk", flat=True))
    disclosure_record(user=user, organisation=organisation, action=DisclosureAction.EXPORT,
                      record_type=resource._meta.model._meta.label_lower, purpose=f"Export of {resource.plural} as {file_format.upper()}",
                      record_id=f"{len(shared_ids)} shared records" if shared_ids else "",
                      details={"rows": len(dataset), "format": file_format, "shared_ids": shared_ids})
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    return Export(
        filename=f"{what}-{stamp}.{file_format}", content_type=FileFormat.content_types[file_format], content=content,
        count=len(dataset),
    )


@dataclass
class RowProblem:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}, {self.column}" if self.column else f"Row {self.row}"
        return f"{where}: {self.message}"


@dataclass
class RowOutcome:
    row: int
    action: str  # "new", "update", "unchanged" or "problem"
    record: str
    record_id: int | None = None
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return {"new": "Add", "update": "Update", "unchanged": "No change", "problem": "Not imported"}[self.action]


@dataclass
class ImportReport:
    what: str
    filename: str
    file_problems: list[str] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def problems(self) -> list[RowProblem]:
        return [problem for row in self.rows for problem in row.problems]

    @property
    def ok(self) -> bool:
        return not self.file_problems and not self.problems

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def new(self) -> int:
        return self.count("new")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def rows_with_problems(self) -> int:
        return self.count("problem")

    @property
    def noun(self) -> str:
        return WHAT[self.what].lower()


def check_columns(resource: HubResource, table: Table) -> tuple[list[str], list[str], list[str]]:
    """The file's headings as the resource's columns, the problems with them, and the read-only
    columns (from an export) that will be passed over."""
    headers, unknown = resource.match_headers(table.headers)
    problems = []
    if unknown:
        problems.append(
            f"These columns are not ones this import knows: {', '.join(unknown)}. "
            f"Use the column headings of an export of {WHAT[resource.what].lower()}."
        )
    repeated = sorted({header for header in headers if headers.count(header) > 1})
    if repeated:
        problems.append(f"These columns appear more than once: {', '.join(repeated)}.")
    # A file that only updates records (every row has an ID) may leave out any column; one
    # that adds records needs the columns a new record cannot do without.
    id_column = resource.fields["id"].column_name
    adds_records = id_column not in headers or any(
        cell_text(row[headers.index(id_column)]) == "" for row in table.rows
    )
    missing = [column for column in resource.required_columns() if column not in headers]
    if missing and adds_records:
        problems.append(f"These columns are missing and are needed to add {resource.plural}: {', '.join(missing)}.")
    ignored = [column for column in resource.read_only_columns() if column in headers]
    return headers, problems, ignored


def import_records(*, what: str, table: Table, user, commit: bool, filename: str = "") -> ImportReport:
    """Validate every row of `table` (a dry run), or save them all (commit) if every row is good."""
    resource = RESOURCES[what](user=user)
    report = ImportReport(what=what, filename=filename)
    headers, report.file_problems, report.ignored_columns = check_columns(resource, table)
    if report.file_problems:
        return report
    if resource.owner is None:
        report.file_problems.append("You do not belong to an organisation, so there is nowhere to import records to.")
        return report
    dataset = tablib.Dataset(*[tuple(row) for row in table.rows], headers=headers)
    with transaction.atomic(), pghistory.context(user=user.pk):
        result = resource.import_data(dataset, dry_run=not commit, use_transactions=True, rollback_on_validation_errors=True)
        report.rows = [_outcome(resource, number, row_result) for number, row_result in zip(table.row_numbers, result.rows)]
        if result.base_errors:
            report.file_problems.append("The file could not be imported. Check it against an export and try again.")
        if commit and report.ok:
            _check_saved_rows_are_visible(resource, report)
        if commit and report.ok:
            audit.record(
                actor=user, organisation=resource.owner, action="records.import",
                summary=f"Imported {resource.plural} from {filename or 'a file'}: {report.new} added, {report.updated} updated",
                what=what, added=report.new, updated=report.updated,
            )
            report.committed = True
        else:
            transaction.set_rollback(True)
    return report


def _check_saved_rows_are_visible(resource: HubResource, report: ImportReport) -> None:
    saved = {row.record_id for row in report.rows if row.action in ("new", "update") and row.record_id}
    visible = set(resource.get_queryset().filter(pk__in=saved).values_list("pk", flat=True))
    for row in report.rows:
        if row.record_id in saved and row.record_id not in visible:
            row.action = "problem"
            row.problems.append(RowProblem(row.row, None, f"the {resource.noun} would belong to an organisation you cannot see"))


def _outcome(resource: HubResource, number: int, row_result: RowResult) -> RowOutcome:
    record = row_result.object_repr or ""
    record_id = int(row_result.object_id) if row_result.object_id else None
    if row_result.validation_error is not None:
        return RowOutcome(number, "problem", record, record_id, _problems(resource, number, row_result.validation_error))
    if row_result.errors:
        # Not a rule of the record's but a failure in saving it: say so without the internals,
        # and keep them for whoever runs the hub.
        logger.error("Import of %s: row %s could not be saved", resource.what, number, exc_info=row_result.errors[0].error)
        return RowOutcome(number, "problem", record, record_id, [RowProblem(number, None, "this row could not be saved. Check it and try again.")])
    action = {
        RowResult.IMPORT_TYPE_NEW: "new", RowResult.IMPORT_TYPE_UPDATE: "update", RowResult.IMPORT_TYPE_SKIP: "unchanged",
    }.get(row_result.import_type, "problem")
    return RowOutcome(number, action, record, record_id)


def _problems(resource: HubResource, number: int, error: ValidationError) -> list[RowProblem]:
    by_key = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    problems, seen = [], set()
    for key, errors in by_key.items():
        column = resource.column_for_error(key)
        for message in ValidationError(errors).messages:
            if (column, message) not in seen:
                seen.add((column, message))
                problems.append(RowProblem(number, column, message))
    order = {column: index for index, column in enumerate(resource.column_names())}
    return sorted(problems, key=lambda problem: -1 if problem.column is None else order.get(problem.column, len(order)))
