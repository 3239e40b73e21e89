"""The PDF holds the figures the database holds, marked and limited to what the requester may see."""
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from crm.models import Engagement, EngagementStatus
from partners.models import Concern
from reports.models import ReportStatus
from reports.services import report_build, report_request
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "reports"


def build(user, seeded, **options):
    run, reused = report_request(acting_user=user, period_start=seeded.period_start, period_end=seeded.period_end,
                                 force_area=seeded.force_area, **options)
    assert not reused
    report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportStatus.DONE, run.error
    return run


def test_the_pdf_holds_the_figures_the_database_holds(manager, seeded, team):
    run = build(manager, seeded)
    text = pdf_text(run.pdf.path)
    held = Engagement.objects.filter(organisation=team, neighbourhood=seeded.hindpool, status=EngagementStatus.HELD,
                                     starts_at__date__gte=seeded.period_start)
    assert held.count() == 6
    assert f"Engagements held: {held.count()} " in text
    assert "Online: 1; face to face: 5" in text
    assert f"People who took part: {sum(e.turnout for e in held)}" in text
    assert "Beat meetings held: 3. Longest gap: 45 days, within the policy of 56 days." in text
    assert "Officer attendance: 3 attendances by 1 officer" in text
    assert "Meetings with low turnout: 2." in text
    assert "Same issues again: Anti-social behaviour at 3 engagements." in text
    assert "Young people: 10% of residents; reached at 1 engagement" in text
    concerns = Concern.objects.filter(organisation=team, neighbourhood=seeded.hindpool, reported_at__date__gte=seeded.period_start)
    assert f"Partner concerns: {concerns.count()} (period before: 1)" in text
    assert "You said (" in text and "Youths on motorbikes in Hindpool Park." in text
    assert "Dispersal order and joint patrols with park rangers." in text
    # Ormsgill had nothing: it is named as a neighbourhood with no engagement, and fails the beat-meeting policy.
    assert "No engagement in the period Ormsgill" in text
    assert "Neighbourhoods meeting the beat-meeting policy: 1 of 2" in text


def test_the_marking_follows_the_content_in_header_and_footer_with_page_numbers(manager, seeded):
    run = build(manager, seeded)
    pages = len(PdfReader(run.pdf.path).pages)
    assert run.page_count == pages >= 3
    for number in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), run.pdf.path, "-"],
                              check=True, capture_output=True, text=True).stdout
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == "OFFICIAL-SENSITIVE"  # the header
        assert lines[-1].startswith("OFFICIAL-SENSITIVE") and lines[-1].endswith(f"Page {number} of {pages}")  # the footer
    assert run.classification == "official_sensitive"


def test_without_concerns_the_report_is_official(manager, seeded):
    run = build(manager, seeded, include_concerns=False)
    text = pdf_text(run.pdf.path)
    assert text.startswith("OFFICIAL OFFICIAL") and "OFFICIAL-SENSITIVE" not in text
    assert "Partner concerns" not in text


def test_the_pdf_is_tagged_pdf_ua(manager, seeded):
    run = build(manager, seeded)
    reader = PdfReader(run.pdf.path)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()


def test_page_one_is_kept_as_a_png_artefact(manager, seeded):
    run = build(manager, seeded)
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is missing: scripts/hub installs it.")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTEFACTS / "coverage-page-1"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", run.pdf.path, str(target)], check=True)
    png = target.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_a_partner_users_report_holds_nothing_they_may_not_see(partner_user, seeded):
    run = build(partner_user, seeded)
    text = pdf_text(run.pdf.path)
    # The police's engagements, priorities and OFFICIAL-SENSITIVE concern are not theirs to see.
    assert "Engagements held: 0" in text and "Beat meetings held: 0" in text
    for hidden in ("Hindpool beat meeting", "Street meeting on Rawlinson Street", "Lancashire visit", "Youths on motorbikes",
                   "Anti-social behaviour", "OFFICIAL-SENSITIVE"):
        assert hidden not in text
    # Only the council's own two concerns.
    assert "Partner concerns: 2 (period before: 0)" in text and "Graffiti 2" in text
    csv_text = Path(run.csv.path).read_text(encoding="utf-8-sig")
    assert "Anti-social behaviour" not in csv_text and "Fly-tipping" not in csv_text


def test_the_csv_and_xlsx_hold_the_same_figures(manager, seeded):
    from openpyxl import load_workbook

    run = build(manager, seeded)
    csv_lines = Path(run.csv.path).read_text(encoding="utf-8-sig").splitlines()
    assert "Engagements,HIND,Hindpool,Engagements held,,6" in csv_lines
    assert "Beat meetings,HIND,Hindpool,Longest gap (days),,45" in csv_lines
    sheet = load_workbook(run.xlsx.path, read_only=True)["Figures"]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("OFFICIAL-SENSITIVE",)
    assert ("Engagements", "HIND", "Hindpool", "Engagements held", None, 6) in rows
    assert len(rows) == len(csv_lines)  # both open with the marking, then the headings
