"""GeoReport v2 answers as JSON or XML, in the spec's shapes.

JSON is the data as it is. XML wraps a list in a root element with one child per item
(`<services><service>…`), names the items of a nested list by its singular
(`<attributes><attribute>…`), writes booleans as `true`/`false` and empty values as
empty elements, and drops characters XML 1.0 cannot carry."""
from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from django.http import HttpResponse

JSON = "json"
XML = "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
# Nested lists in the spec's XML, and what each item is called.
ITEM_NAMES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
              "near_duplicates": "near_duplicate"}
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, data: dict) -> None:
    for name, value in data.items():
        child = ElementTree.SubElement(element, name)
        if isinstance(value, dict):
            _fill(child, value)
        elif isinstance(value, (list, tuple)):
            item_name = ITEM_NAMES.get(name, "item")
            for item in value:
                grandchild = ElementTree.SubElement(child, item_name)
                if isinstance(item, dict):
                    _fill(grandchild, item)
                else:
                    grandchild.text = _text(item)
        elif value is not None:
            child.text = _text(value)


def to_xml(data, *, root: str, item: str | None = None) -> bytes:
    """`data` is a list (each item becomes an `item` element under `root`) or a dict (the fields of `root`)."""
    element = ElementTree.Element(root)
    if isinstance(data, dict):
        _fill(element, data)
    else:
        for entry in data:
            _fill(ElementTree.SubElement(element, item), entry)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(element, encoding="utf-8", xml_declaration=False)


def render(data, *, fmt: str, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    if fmt == XML:
        body = to_xml(data, root=root, item=item)
    else:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(errors: list[str], *, fmt: str, status: int) -> HttpResponse:
    """The spec's error shape: [{"code": 400, "description": "…"}] or <errors><error><code>…"""
    return render([{"code": status, "description": description} for description in errors],
                  fmt=fmt, root="errors", item="error", status=status)
