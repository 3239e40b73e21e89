"""A long report is rendered in two halves on two cores (reports/parallel_pdf.py): the joined PDF must read, tag,
bookmark and number its pages exactly as the one rendered whole in one process."""
import os
import re
import subprocess

import pikepdf
import pypdf
import pytest

from reports.figures import ReportScope, report_figures
from reports.parallel_pdf import (
    MINIMUM_SECTIONS, SPLIT_MARKER, PageCountExchange, render_report_pdf, render_two_halves, split_html,
)
from reports.rendering import render_pdf, report_html
from tests.factories import EngagementFactory, NeighbourhoodFactory, point, square
from tests.reports.conftest import days_ago

pytestmark = pytest.mark.django_db


def poppler(tool: str, pdf: bytes, tmp_path, *options: str) -> str:
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *options, str(path), "-"] if tool == "pdftotext" else [tool, *options, str(path)],
                          check=True, capture_output=True, text=True).stdout


def outline(pdf: bytes, tmp_path) -> list[tuple]:
    path = tmp_path / "outline.pdf"
    path.write_bytes(pdf)
    reader = pypdf.PdfReader(path)

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, item.title, reader.get_destination_page_number(item)

    destinations = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    return [*walk(reader.outline, 0), destinations]


@pytest.fixture
def long_report(manager, seeded, team):
    """Ten neighbourhoods: Hindpool and Ormsgill (seeded) and eight more, each with a meeting."""
    ids = [seeded.hindpool.pk, seeded.ormsgill.pk]
    for index in range(8):
        neighbourhood = NeighbourhoodFactory(force_area=seeded.force_area, name=f"Walney {index + 1}", code=f"WAL{index + 1}", team=team,
                                             boundary=square(west=-3.30 + index * 0.01, south=54.05, size=0.01))
        EngagementFactory(organisation=team, neighbourhood=neighbourhood, location=point(-3.295 + index * 0.01, 54.055),
                          starts_at=days_ago(10 + index), turnout=5 + index, title=f"Walney surgery {index + 1}")
        ids.append(neighbourhood.pk)
    scope = ReportScope(period_start=seeded.period_start, period_end=seeded.period_end, neighbourhood_ids=tuple(ids))
    return report_html(figures=report_figures(user=manager, scope=scope), area_label="Cumbria", requested_by="Alex Bell",
                       protocols=[], include_maps=True)


def fonts(pdf: bytes, tmp_path) -> list[str]:
    return [line.split()[0] for line in poppler("pdffonts", pdf, tmp_path).splitlines()[2:]]


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="a report is split only where there are two cores")
def test_a_long_report_rendered_in_two_halves_reads_tags_and_bookmarks_as_when_rendered_whole(long_report, tmp_path):
    html, drawings = long_report
    whole, whole_pages = render_pdf(html, drawings)
    joined, joined_pages = render_report_pdf(html, drawings)  # the report build's path

    # Two halves, joined: each embedded its own subsets of the fonts, and the second half's have names of their own.
    assert len(fonts(joined, tmp_path)) == 2 * len(fonts(whole, tmp_path)) >= 4
    assert len(set(fonts(joined, tmp_path))) == len(fonts(joined, tmp_path))
    assert joined_pages == whole_pages > 10
    assert poppler("pdftotext", joined, tmp_path, "-layout") == poppler("pdftotext", whole, tmp_path, "-layout")
    structure = poppler("pdfinfo", joined, tmp_path, "-struct-text")
    assert structure == poppler("pdfinfo", whole, tmp_path, "-struct-text")
    assert "Walney 8" in structure and "Hindpool" in structure
    assert outline(joined, tmp_path) == outline(whole, tmp_path)
    with pikepdf.open(tmp_path / "outline.pdf") as pdf:
        assert pdf.Root.Lang == "en-GB" and pdf.Root.MarkInfo.Marked


def test_every_page_of_the_joined_report_is_numbered_out_of_the_whole(long_report, tmp_path):
    html, drawings = long_report
    joined, pages = render_two_halves(*split_html(html), drawings)
    text = poppler("pdftotext", joined, tmp_path)
    assert re.findall(r"Page (\d+) of (\d+)", text) == [(str(number), str(pages)) for number in range(1, pages + 1)]


def test_the_second_half_starts_where_the_whole_report_would_turn_the_page(long_report):
    html, _ = long_report
    first, second = split_html(html)
    assert first.count("<section class=\"neighbourhood\"") + second.count("<section class=\"neighbourhood\"") == html.count(SPLIT_MARKER)
    assert "Engagement coverage</h1>" in first and "Engagement coverage</h1>" not in second
    assert second.startswith(html[:html.index("<body>")])  # the same head: title, stylesheet and marking


def test_a_short_report_is_rendered_in_one_process(manager, seeded):
    scope = ReportScope(period_start=seeded.period_start, period_end=seeded.period_end,
                        neighbourhood_ids=(seeded.hindpool.pk, seeded.ormsgill.pk))
    html, _ = report_html(figures=report_figures(user=manager, scope=scope), area_label="Cumbria", requested_by="Alex Bell",
                          protocols=[], include_maps=False)
    assert html.count(SPLIT_MARKER) == 2 < MINIMUM_SECTIONS
    assert split_html(html) is None


def test_a_half_whose_other_half_stopped_says_so_instead_of_waiting():
    receive, send = os.pipe()
    other_receive, other_send = os.pipe()
    os.close(send)  # the other half is gone before sending its page count
    try:
        exchange = PageCountExchange(send_fd=other_send, receive_fd=receive, first_half=True)
        with pytest.raises(EOFError, match="stopped"):
            exchange(12)
        assert os.read(other_receive, 4) == (12).to_bytes(4, "big")  # its own count went out first
    finally:
        for fd in (receive, other_receive, other_send):
            os.close(fd)
