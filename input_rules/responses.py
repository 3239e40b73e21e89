"""A refusal in the shape of the surface that was asked: the GeoReport v2 error list under
/open311/ (JSON or XML, as the path ends), police.uk-style JSON under /api/, else a GOV.UK page."""
from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

OPEN311_PREFIX = "/open311/"
API_PREFIX = "/api/"
TITLES = {400: "The request could not be read", 404: "Page not found", 413: "The request is too large"}


def refusal(request, *, status: int, message: str, parameter: str | None = None, api_message: str | None = None) -> HttpResponse:
    """`message` is the sentence a page shows. The APIs answer as their other errors do: the parameter
    it is about (a query or form field, a header), then `api_message` (else `message`)."""
    path = request.path_info
    described = f"{parameter or 'request'}: {api_message or message}"
    if path.startswith(OPEN311_PREFIX):
        from partners.open311.rendering import render_errors

        fmt = "json" if path.endswith(".json") else "xml"  # the spec's default is XML
        return render_errors([described], fmt=fmt, status=status)
    if path.startswith(API_PREFIX):
        response = JsonResponse({"error": described if parameter else message}, status=status)
        response["Access-Control-Allow-Origin"] = "*"
        return response
    template = "404.html" if status == 404 else "400.html"
    return render(request, template, {"title": TITLES.get(status, TITLES[400]), "message": message}, status=status)
