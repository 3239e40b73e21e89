"""WeasyPrint may load our own static files and nothing else."""
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from reports.fetcher import REPORT_BASE_URL, RefusedURL, StaticOnlyFetcher
from reports.rendering import render_pdf


def test_it_serves_our_own_static_files():
    response = StaticOnlyFetcher().fetch(REPORT_BASE_URL + "static/hub/report-print.css")
    assert b"@page" in response.read() and response.content_type == "text/css"


@pytest.mark.parametrize("url", [
    "https://example.com/static/hub/report-print.css",
    "http://engagement-hub.invalid/static/hub/report-print.css",
    "https://engagement-hub.invalid:8443/static/hub/report-print.css",
    "https://engagement-hub.invalid/media/reports/secret.pdf",
    "https://engagement-hub.invalid/static/../../engagement_hub/settings/base.py",
    "https://engagement-hub.invalid/static/hub/%2e%2e/%2e%2e/manage.py",
    "file:///etc/passwd",
    "data:text/css,body{}",
    "https://engagement-hub.invalid/static/hub/does-not-exist.css",
])
def test_it_refuses_everything_else(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_rendering_never_requests_an_external_url():
    requests = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        html = (f'<html lang="en-GB"><head><title>t</title><link rel="stylesheet" href="{url}/style.css"></head>'
                f'<body><p>Text</p><img src="{url}/image.png" alt="x"><img src="file:///etc/hostname" alt="y"></body></html>')
        pdf, pages = render_pdf(html)
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF") and pages == 1
    assert requests == []


def test_it_serves_the_reports_own_drawings_and_no_other_generated_name():
    fetcher = StaticOnlyFetcher({"map-1.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    assert fetcher.fetch(REPORT_BASE_URL + "generated/map-1.svg").content_type == "image/svg+xml"
    with pytest.raises(RefusedURL):
        fetcher.fetch(REPORT_BASE_URL + "generated/map-2.svg")
