"""While a report's PDF renders, Python's cycle collector runs rarely and over the render's own objects only
(reports/rendering.py, `fewer_collections`); once the render ends, the worker's collector is as it was."""
import gc
import subprocess

from reports.rendering import RENDER_GC_THRESHOLDS, fewer_collections, render_pdf

CHART = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10"><rect width="5" height="5"/></svg>'
PAGE = ('<html lang="en-GB"><head><title>Collections</title></head><body><p>Engagements held: 12</p>'
        '<img src="https://engagement-hub.invalid/generated/chart.svg" alt="A chart"></body></html>')


class WatchedDrawings(dict):
    """The report's drawings, noting the collector's settings each time WeasyPrint fetches one mid-render."""

    def __init__(self, *args):
        super().__init__(*args)
        self.seen = []

    def __getitem__(self, name):
        self.seen.append((gc.get_threshold(), gc.get_freeze_count() > 0))
        return super().__getitem__(name)


def test_a_report_renders_with_rarer_collections_and_the_collector_is_restored_after():
    before = gc.get_threshold(), gc.get_freeze_count()
    drawings = WatchedDrawings({"chart.svg": CHART})
    pdf, pages = render_pdf(PAGE, drawings)
    assert drawings.seen == [(RENDER_GC_THRESHOLDS, True)]  # mid-render: rare, and the objects loaded before set aside
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, check=True, capture_output=True).stdout.decode()
    assert pages == 1 and "Engagements held: 12" in text


def test_a_render_inside_another_keeps_the_rare_collections_until_the_outer_one_ends():
    before = gc.get_threshold()
    with fewer_collections():
        with fewer_collections():
            pass
        assert gc.get_threshold() == RENDER_GC_THRESHOLDS
    assert gc.get_threshold() == before


def test_a_failed_render_still_restores_the_collector():
    before = gc.get_threshold(), gc.get_freeze_count()
    try:
        with fewer_collections():
            raise ValueError("the render failed")
    except ValueError:
        pass
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
