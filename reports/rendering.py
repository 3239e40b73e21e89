"""Turning a report's figures into its PDF (WeasyPrint, PDF/UA) and its CSV and XLSX files."""
from __future__ import annotations

import contextlib
import csv
import functools
import gc
import io
import logging

import pydyf
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint import html as weasyprint_html
from weasyprint.css.counters import CounterStyle

from crm.models import AdviceResponse
from hub_ui.cells import escape_cell, xlsx_safe
from reports import drawing
from reports.fetcher import GENERATED_PREFIX, REPORT_BASE_URL, StaticOnlyFetcher
from reports.figures import ReportFigures
from sharing_protocols.models import Classification

# WeasyPrint logs every page it lays out at INFO: too much for a worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logger = logging.getLogger(__name__)

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}  # tagged and accessible (PDF/UA-1): WeasyPrint 70's variant name


# WeasyPrint's PDF/UA tagging asks pydyf for `pdf.page_references[page]` for every tagged element, and pydyf builds the
# tuple of every page's reference afresh each time: tagging grew with elements times pages (a sixteenth of a 200-page
# report's time, a third of a 1,200-page one's). The tuple is kept until a page is added; the PDF is the same.
STOCK_PAGE_REFERENCES = pydyf.PDF.__dict__.get("page_references")


def kept_page_references(pdf) -> tuple:
    kids = pdf.pages["Kids"]
    kept = pdf.__dict__.get("_hub_page_references")
    if kept is None or kept[0] is not kids or kept[1] != len(kids):
        kept = (kids, len(kids), STOCK_PAGE_REFERENCES.fget(pdf))
        pdf._hub_page_references = kept
    return kept[2]


if isinstance(STOCK_PAGE_REFERENCES, property):  # pydyf 0.13's shape; anything else is left as it is
    pydyf.PDF.page_references = property(kept_page_references)


def marking(figures: ReportFigures) -> str:
    """The classification marking from the content: OFFICIAL-SENSITIVE if any included concern is."""
    return Classification.OFFICIAL_SENSITIVE.label if figures.official_sensitive else Classification.OFFICIAL.label


class Drawings:
    """The SVG charts and maps of one report, by name, with the URL the page uses for each."""

    def __init__(self):
        self.files: dict[str, str] = {}

    def add(self, name: str, svg: str) -> str:
        if not svg:
            return ""
        self.files[f"{name}.svg"] = svg
        return f"{GENERATED_PREFIX}{name}.svg"


def report_html(*, figures: ReportFigures, area_label: str, requested_by: str, protocols: list[dict], include_maps: bool,
                built_on=None) -> tuple[str, dict[str, str]]:
    """The report as HTML, and the SVG charts and maps it shows (served to WeasyPrint by the fetcher)."""
    drawings = Drawings()
    names = {n.pk: n.name for n in figures.neighbourhoods}
    overview, maps = ("", ""), {}
    if include_maps:
        overview, maps = drawing.area_maps(list(names), shading={n.pk: n.per_thousand_residents for n in figures.neighbourhoods}, names=names)
    advice_labels = dict(AdviceResponse.choices)
    months = figures.scope.months
    for n in figures.neighbourhoods:
        svg, n.map_scale = maps.get(n.pk, ("", ""))
        n.map = drawings.add(f"map-{n.pk}", svg)
        n.month_columns = drawing.month_columns([(month, n.by_month[month]) for month in months]) if n.engagements else None
        if n.month_columns:
            n.month_columns["chart"] = drawings.add(f"months-{n.pk}", n.month_columns["svg"])
        for row in n.reach:
            row["residents_percent"] = round(row["residents_share"] * 100)
            row["engagement_percent"] = round(row["engagement_share"] * 100)
        n.reach_bars = drawing.paired_bars(
            [(row["group"], row["residents_share"], row["engagement_share"], row["engagements"]) for row in n.reach])
        n.reach_bars["chart"] = drawings.add(f"reach-{n.pk}", n.reach_bars["svg"]) if n.reach else ""
        n.advice_rows = [(advice_labels.get(response, response), count) for response, count in sorted(n.advice_by_response.items())]
        n.concern_bars = drawing.bar_chart([(name, now) for name, now, _ in n.concern_categories[:8] if now])
        n.concern_bars["chart"] = drawings.add(f"concerns-{n.pk}", n.concern_bars["svg"]) if n.concern_bars["rows"] else ""
    totals = {name: figures.total(name) for name in (
        "engagements", "online", "face_to_face", "questions_in_advance", "turnout", "beat_meetings", "low_turnout_meetings", "iag_consultations",
        "concerns", "concerns_previous", "priorities_total", "actions_done")}
    by_kind = figures.by_kind
    by_kind_bars = drawing.bar_chart(by_kind)
    by_kind_bars["chart"] = drawings.add("by-kind", by_kind_bars["svg"]) if by_kind else ""
    by_month_columns = drawing.month_columns(figures.by_month)
    by_month_columns["chart"] = drawings.add("by-month", by_month_columns["svg"])
    context = {
        "figures": figures, "scope": figures.scope, "totals": totals, "area_label": area_label, "requested_by": requested_by,
        "protocols": protocols, "marking": marking(figures), "built_on": built_on or timezone.localdate(),
        "static_url": REPORT_BASE_URL + settings.STATIC_URL.strip("/") + "/",
        "overview_map": drawings.add("overview", overview[0]), "overview_scale": overview[1],
        "overview_legend": drawing.shading_legend({n.pk: n.per_thousand_residents for n in figures.neighbourhoods}),
        "by_kind_bars": by_kind_bars, "by_month_columns": by_month_columns,
    }
    return render_to_string("reports/coverage.html", context), drawings.files


# WeasyPrint's default stylesheet gives every element six pseudo-element styles it can never use here (`::marker` on
# everything, footnote and note calls and markers): an unshared style each, about a third of a report's memory. Our
# documents have no footnotes or notes and only list items carry markers, so those rules are narrowed to what can use
# them. Each replacement must match once; if an upgrade changes the stylesheet, the stock one is used (more memory,
# same PDF) and tests/reports/test_report_memory.py fails to say so.
UA_NARROWED = {
    "\n::marker {": "\nli::marker, summary::marker {",
    **{f"\n::{name} {{": f"\n.hub-no-notes::{name} {{"
       for name in ("footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback")},
}


@functools.cache
def narrowed_ua_stylesheet():
    """WeasyPrint's user-agent stylesheet with the pseudo-element rules narrowed, or None if it no longer matches."""
    text = weasyprint_html.UA
    if any(text.count(old) != 1 for old in UA_NARROWED):
        logger.warning("WeasyPrint's default stylesheet has changed: reports use it unnarrowed (more memory)")
        return None
    for old, new in UA_NARROWED.items():
        text = text.replace(old, new)
    # Its @counter-style rules go into a spare registry: WeasyPrint's own copy of them is used as before.
    return CSS(string=text, counter_style=CounterStyle())


class ReportHTML(HTML):
    """A document that uses the narrowed default stylesheet."""

    def _ua_stylesheets(self, forms=False):  # the hook WeasyPrint's own tests use to swap this stylesheet
        narrowed = narrowed_ua_stylesheet()
        return super()._ua_stylesheets(forms) if narrowed is None or forms else [narrowed]


def report_document(html: str, drawings: dict[str, str] | None = None) -> ReportHTML:
    """WeasyPrint's HTML document for `html`, loading only our static files and the report's own drawings."""
    return ReportHTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=StaticOnlyFetcher(drawings))


# Laying out a report makes millions of small objects, few of them in reference cycles, and Python's cycle collector
# ran through all of them (and everything the worker had loaded) again and again: 0.89 s of the 10.9 s of CPU the
# benchmark's 104-page half took (timed with gc.callbacks), 0.14 s now. While a PDF renders, the objects already
# loaded are set aside from the collector (`gc.freeze`, which also keeps a forked half from copying their pages) and
# it runs about a seventieth as often; cycles are still collected, and the half's peak memory grew by 2 MB of 90.
RENDER_GC_THRESHOLDS = (50_000, 20, 100)
_render_depth = 0


@contextlib.contextmanager
def fewer_collections():
    """Rarer cycle collections, over the render's own objects only, until the outermost render ends."""
    global _render_depth
    if _render_depth:
        yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*RENDER_GC_THRESHOLDS)
    _render_depth += 1
    try:
        yield
    finally:
        _render_depth -= 1
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def render_pdf(html: str, drawings: dict[str, str] | None = None) -> tuple[bytes, int]:
    """The PDF and its page count. Only our static files and the report's own drawings can be loaded."""
    with fewer_collections():
        document = report_document(html, drawings).render(**PDF_OPTIONS)
        return document.write_pdf(**PDF_OPTIONS), len(document.pages)


HEADINGS = ("Section", "Neighbourhood code", "Neighbourhood", "Measure", "Breakdown", "Value")


def figure_rows(figures: ReportFigures, *, protocols: list[dict]) -> list[tuple]:
    """The report's figures as long-format rows: one figure a row, every neighbourhood in full."""
    rows = []
    advice_labels = dict(AdviceResponse.choices)
    for n in figures.neighbourhoods:
        key = (n.code, n.name)

        def add(section, measure, breakdown, value):
            rows.append((section, *key, measure, breakdown, value))

        add("Engagements", "Engagements held", "", n.engagements)
        add("Engagements", "Online", "", n.online)
        add("Engagements", "Face to face", "", n.face_to_face)
        add("Engagements", "Questions sent before a meeting", "", n.questions_in_advance)
        add("Engagements", "People who took part", "", n.turnout)
        if n.population:
            add("Engagements", "Engagements per 1,000 residents", "", n.per_thousand_residents)
        for label, count in n.kind_rows:
            add("Engagements by type", label, "", count)
        for month in figures.scope.months:
            add("Engagements by month", "Engagements", month.strftime("%Y-%m"), n.by_month[month])
        add("Beat meetings", "Beat meetings held", "", n.beat_meetings)
        add("Beat meetings", "Longest gap (days)", "", n.longest_gap_days)
        add("Beat meetings", "Gaps longer than the policy", f"{figures.beat_policy_days} days", n.gaps_over_policy)
        add("Beat meetings", "Officer attendances", "", n.officer_attendances)
        add("Beat meetings", "Officers attending", "", n.distinct_officers)
        add("Beat meetings", "Beat meetings with no officer recorded", "", n.beat_meetings_without_officer)
        for row in n.reach:
            add("Reach", "Share of residents (%)", row["group"], round(row["residents_share"] * 100, 1))
            add("Reach", "Engagements reaching them", row["group"], row["engagements"])
        add("IAG consultations", "IAG consultations", "", n.iag_consultations)
        for response, count in sorted(n.advice_by_response.items()):
            add("IAG consultations", "Advice", advice_labels.get(response, response), count)
        add("Signals", "Meetings with low turnout", f"fewer than {figures.low_turnout_threshold}", n.low_turnout_meetings)
        for name, meetings in n.repeated_issues:
            add("Signals", "Same issue again (engagements)", name, meetings)
        if figures.scope.include_concerns:
            add("Partner concerns", "Concerns", "this period", n.concerns)
            add("Partner concerns", "Concerns", "period before", n.concerns_previous)
            for name, now, before in n.concern_categories:
                add("Partner concerns by category", name, "this period", now)
                add("Partner concerns by category", name, "period before", before)
            for spot in n.hot_spots:
                add("Hot spots", spot["category"], spot["where"] or "rising", spot["now"])
        add("You said, we did", "Priorities agreed or acted on", "", n.priorities_total)
        add("You said, we did", "Actions done", "", n.actions_done)
    rows.extend(force_total_rows(rows, neighbourhoods=len(figures.neighbourhoods)))
    for protocol in protocols:
        rows.append(("Sharing protocols", "", "", protocol["title"], f"{protocol['reference']} v{protocol['version']}", "; ".join(protocol["flows"])))
    return rows


# Figures that do not add up across neighbourhoods (rates, longest gaps, distinct officers, shares, places).
NOT_SUMMED = {"Engagements per 1,000 residents", "Longest gap (days)", "Officers attending", "Share of residents (%)"}
NOT_SUMMED_SECTIONS = {"Hot spots"}
FORCE_TOTAL_CODE = "ALL"


def force_total_rows(rows, *, neighbourhoods: int) -> list[tuple]:
    """The force's totals: every figure that adds up, summed over the report's neighbourhoods, in the same order."""
    totals: dict[tuple, float] = {}
    for section, _code, _name, measure, breakdown, value in rows:
        if section in NOT_SUMMED_SECTIONS or measure in NOT_SUMMED or not isinstance(value, (int, float)):
            continue
        totals[(section, measure, breakdown)] = totals.get((section, measure, breakdown), 0) + value
    name = f"Force total ({neighbourhoods} neighbourhood{'s' if neighbourhoods != 1 else ''})"
    return [(section, FORCE_TOTAL_CODE, name, measure, breakdown, value) for (section, measure, breakdown), value in totals.items()]


def figures_csv(rows, *, marking_label: str) -> bytes:
    """The marking first, on a line of its own (as on every page of the PDF), then the headings and figures."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([marking_label])
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")  # Excel opens it as UTF-8


COLUMN_WIDTHS = (26, 20, 34, 40, 24, 12)  # characters: wide enough for the usual values of each column


def figures_xlsx(rows, *, marking_label: str) -> bytes:
    """The marking in the first row, the headings frozen under it with a filter on them, and columns sized to read."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Figures")
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"  # the marking and the headings stay in view
    bold = Font(bold=True)

    def strong(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        return cell

    sheet.append([strong(marking_label)])
    sheet.append([strong(heading) for heading in HEADINGS])
    for row in rows:
        sheet.append([xlsx_safe(escape_cell(cell)) for cell in row])
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(HEADINGS))}{len(rows) + 2}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
