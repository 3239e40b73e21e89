"""PDF/UA tagging points every structure element at its page; the hub keeps pydyf's tuple of page references between
elements instead of rebuilding it each time (reports/rendering.py), and the tags must come out the same."""
import subprocess

import pydyf
import pytest

from reports import rendering
from reports.figures import ReportScope, report_figures
from reports.rendering import render_pdf, report_html

pytestmark = pytest.mark.django_db


def structure_with_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfinfo", "-struct-text", str(path)], check=True, capture_output=True, text=True).stdout


def test_the_installed_pydyf_gets_the_kept_page_references():
    # If an upgrade of pydyf changes `page_references`, the stock one is used (slower, same PDF): bring this up to date.
    assert isinstance(rendering.STOCK_PAGE_REFERENCES, property)
    assert pydyf.PDF.page_references.fget is rendering.kept_page_references


def test_page_references_follow_the_pages_added_after_they_were_first_read():
    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert pdf.page_references == rendering.STOCK_PAGE_REFERENCES.fget(pdf)
    assert len(pdf.page_references) == 3
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert pdf.page_references == rendering.STOCK_PAGE_REFERENCES.fget(pdf)
    assert len(pdf.page_references) == 4


def test_a_tagged_report_has_the_same_structure_and_text_as_with_pydyfs_own_references(manager, seeded, tmp_path, monkeypatch):
    scope = ReportScope(period_start=seeded.period_start, period_end=seeded.period_end,
                        neighbourhood_ids=(seeded.hindpool.pk, seeded.ormsgill.pk))
    html, drawings = report_html(figures=report_figures(user=manager, scope=scope), area_label="Cumbria", requested_by="Alex Bell",
                                 protocols=[], include_maps=True)
    ours, pages = render_pdf(html, drawings)
    monkeypatch.setattr(pydyf.PDF, "page_references", rendering.STOCK_PAGE_REFERENCES)
    stock, _ = render_pdf(html, drawings)

    assert pages > 2  # elements on several pages, so a wrong page would show
    structure = structure_with_text(ours, tmp_path)
    assert structure == structure_with_text(stock, tmp_path)
    assert "Hindpool" in structure and "Ormsgill" in structure
