"""The report is laid out with WeasyPrint's default stylesheet narrowed (no marker, footnote or note styles for elements
that cannot use them), which saves about a third of its memory; the pages a reader sees are the same."""
import gc
import subprocess

import pytest
from weasyprint import HTML
from weasyprint.css import ComputedStyle

from reports.fetcher import REPORT_BASE_URL, StaticOnlyFetcher
from reports.figures import ReportScope, report_figures
from reports.rendering import PDF_OPTIONS, narrowed_ua_stylesheet, report_document, report_html

pytestmark = pytest.mark.django_db


def seeded_report(manager, seeded):
    scope = ReportScope(period_start=seeded.period_start, period_end=seeded.period_end,
                        neighbourhood_ids=(seeded.hindpool.pk, seeded.ormsgill.pk))
    return report_html(figures=report_figures(user=manager, scope=scope), area_label="Cumbria", requested_by="Alex Bell",
                       protocols=[], include_maps=True)


def pdf_layout_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, check=True, capture_output=True).stdout.decode()


def pseudo_element_styles() -> int:
    # type(), not isinstance(): isinstance asks a lazy object (an old request's CSP nonce) for its __class__,
    # which evaluates it and raises once its response is sent.
    return sum(1 for thing in gc.get_objects() if issubclass(type(thing), ComputedStyle) and thing.pseudo_type in (
        "marker", "footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback"))


def test_the_installed_weasyprint_takes_the_narrowed_stylesheet():
    # If an upgrade changes WeasyPrint's default stylesheet, reports fall back to it whole (about 1.5 MB a page, not
    # 0.9): this fails so that UA_NARROWED in reports/rendering.py is brought up to date.
    assert narrowed_ua_stylesheet() is not None


def test_the_narrowed_report_reads_exactly_as_the_stock_one_bullets_included(manager, seeded):
    html, drawings = seeded_report(manager, seeded)
    stock = HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=StaticOnlyFetcher(drawings)).render(**PDF_OPTIONS)
    ours = report_document(html, drawings).render(**PDF_OPTIONS)

    assert len(ours.pages) == len(stock.pages)
    text = pdf_layout_text(ours.write_pdf(**PDF_OPTIONS))
    assert text == pdf_layout_text(stock.write_pdf(**PDF_OPTIONS))
    assert "• " in text  # list items keep their markers


def test_only_list_items_get_a_marker_style_and_nothing_gets_note_styles():
    html = "<html lang='en-GB'><body>" + "<p>A paragraph with <strong>words</strong>.</p>" * 50 + "<ul><li>One</li><li>Two</li></ul></body></html>"
    gc.collect()
    before = pseudo_element_styles()
    document = report_document(html).render(**PDF_OPTIONS)
    assert pseudo_element_styles() - before == 2  # the two list items' markers; WeasyPrint's own would make 6 for each of 100+ elements
    assert document.pages
