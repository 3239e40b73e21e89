"""The only way WeasyPrint may load anything: our own static files, by their /static/ URL.

Reports are rendered from a template with a fixed base URL on a host that does not exist
(`.invalid` can never resolve). The fetcher answers only URLs under that base's /static/,
from the static files finders, and the charts and maps the report drew itself (/generated/); every other URL (another host, file:, data:, a path that climbs
out with ..) is refused before anything is opened, so a report can never make a request.
"""
from __future__ import annotations

import logging
import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

logger = logging.getLogger(__name__)

REPORT_BASE_URL = "https://engagement-hub.invalid/"


class RefusedURL(ValueError):
    """WeasyPrint asked for something other than one of our static files."""


GENERATED_PREFIX = REPORT_BASE_URL + "generated/"


class StaticOnlyFetcher(URLFetcher):
    """`generated` holds the SVG charts and maps the report drew itself, by name: served from
    memory under /generated/, so WeasyPrint parses them as SVG files (faster than inline SVG)."""

    def __init__(self, generated: dict[str, str] | None = None):
        super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False)
        self.refused: list[str] = []
        self.generated = generated or {}

    def fetch(self, url, headers=None):
        if url.startswith(GENERATED_PREFIX) and url[len(GENERATED_PREFIX):] in self.generated:
            return URLFetcherResponse(url, self.generated[url[len(GENERATED_PREFIX):]].encode(), {"Content-Type": "image/svg+xml"})
        path = self.static_path(url)
        if path is None:
            self.refused.append(url)
            logger.warning("Report rendering refused to fetch %s", url[:200])
            raise RefusedURL(f"Reports load only the hub's own static files, not {url[:200]}")
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    @staticmethod
    def static_path(url: str) -> str | None:
        """The file on disk for one of our static URLs, or None for anything else."""
        base, parts = urlsplit(REPORT_BASE_URL), urlsplit(url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.username or parts.port:
            return None
        prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        raw = unquote(parts.path)
        if not raw.startswith(prefix) or "\\" in raw or "\x00" in raw:
            return None
        relative = raw[len(prefix):]
        if not relative or posixpath.normpath("/" + relative) != "/" + relative or ".." in relative.split("/"):
            return None
        return finders.find(relative)
