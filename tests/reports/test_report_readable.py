"""A board can trust what it reads: charts with axes and units, counts never where a date is expected, labels
whole beside their bars, maps with names, a key and a scale, hot spots only against a baseline, and files that
carry the marking and the force's totals. The pages are kept as PNGs in test-artefacts/reports/."""
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.factories import ConcernFactory, issue_category
from tests.reports.conftest import days_ago, pdf_text
from tests.reports.test_report_pdf import ARTEFACTS, build

pytestmark = pytest.mark.django_db
MONTH_THEN_NUMBER = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,3})\b(?!\s*(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))")


def layout_text(path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


def test_charts_have_axes_and_units_and_no_count_reads_as_a_date(manager, seeded):
    run = build(manager, seeded)
    text = pdf_text(run.pdf.path)

    assert "Engagements held (count)" in text
    assert "Share of residents (%)" in text and "Share of engagements that reached them (%)" in text
    # A month is followed by its year, never by a count ("Jun 1" reads as the first of June).
    assert [m.group(0) for m in MONTH_THEN_NUMBER.finditer(text)
            if not re.match(r"\d{4}", text[m.end(1):].strip())] == []
    assert re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d\b", text)


def test_the_reach_labels_are_whole_and_each_sits_on_its_own_row_of_bars(manager, seeded):
    run = build(manager, seeded)
    text = pdf_text(run.pdf.path)

    assert "Young people: 10% of residents; reached at 1 engagement (17%)" in text
    # Each label starts one bar row (8 mm) below the one before, the height of its row in the chart beside it.
    page = next(p for p in range(1, run.page_count + 1) if "Who lives here" in layout_text(run.pdf.path, p))
    box = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(run.pdf.path), "-"],
                         check=True, capture_output=True, text=True).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', box)
    starts = [float(y) for x, y, word in words if word in ("Deaf", "Young", "Older", "Disabled", "Minority", "People")
              and float(x) < 100]
    gaps = [round(b - a, 1) for a, b in zip(starts, starts[1:])]
    assert len(starts) == 6 and all(abs(gap - 22.7) < 0.6 for gap in gaps), gaps  # 8 mm is 22.7 pt


def test_maps_carry_names_a_key_and_a_scale(manager, seeded):
    run = build(manager, seeded)
    text = pdf_text(run.pdf.path)

    assert "per 1,000 residents" in text and "Scale bar:" in text
    assert "Key: blue line, Hindpool's boundary; grey areas, its small areas (LSOAs), labelled with their ONS codes" in text
    assert "E01019001" in text  # the small area's code drawn on the map
    assert re.search(r"\b\d+(\.\d+)? k?m\b", text)  # the scale bar's length written on it


def test_a_category_with_nothing_in_the_period_before_is_no_hot_spot(manager, seeded, team):
    for d in (2, 3, 4, 5):
        ConcernFactory(organisation=team, neighbourhood=seeded.hindpool, reported_at=days_ago(d), occurred_at=days_ago(d + 1),
                       category=issue_category("graffiti"))

    text = pdf_text(build(manager, seeded).pdf.path)

    assert "Graffiti 4 (before 0)" in text
    hot = text.split("Hot spots:", 1)[1].split(".", 1)[0]
    assert "Fly-tipping: 4 against 1 before" in hot and "Graffiti" not in hot  # the rise against a baseline stays


def test_the_csv_and_xlsx_carry_the_marking_and_force_totals_and_the_sheet_is_ready_to_filter(manager, seeded):
    run = build(manager, seeded)

    csv_lines = Path(run.csv.path).read_text(encoding="utf-8-sig").splitlines()
    assert csv_lines[0] == "OFFICIAL-SENSITIVE"
    assert csv_lines[1] == "Section,Neighbourhood code,Neighbourhood,Measure,Breakdown,Value"
    assert "Engagements,ALL,Force total (2 neighbourhoods),Engagements held,,6" in csv_lines
    assert not any(line.startswith("Beat meetings,ALL,") and "Longest gap" in line for line in csv_lines)  # gaps do not add up

    workbook = load_workbook(run.xlsx.path)
    sheet = workbook["Figures"]
    assert sheet["A1"].value == "OFFICIAL-SENSITIVE" and sheet["A1"].font.bold
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == f"A2:F{sheet.max_row}"
    assert [sheet.column_dimensions[c].width for c in "ABCDEF"] == [26, 20, 34, 40, 24, 12]


def test_every_page_is_kept_as_a_png_for_a_person_to_look_at(manager, seeded):
    run = build(manager, seeded)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", run.pdf.path, str(ARTEFACTS / "coverage")], check=True)

    pages = sorted(ARTEFACTS.glob("coverage-*.png"))
    assert len(pages) >= run.page_count
