"""A long report's PDF laid out and drawn on two cores: the neighbourhoods' second half in a forked process.

WeasyPrint lays out and draws a document on one core. A report's neighbourhood sections each start a page
(`break-before: page`), so the document splits between two sections into two documents that paginate exactly as
the whole one does. The second half is rendered in a forked child while this process renders the first; the
two PDFs are then joined with pikepdf (pages, tags, bookmarks and named destinations).

Page numbers ("Page 7 of 202") are the one thing a half cannot know alone. Margin boxes are laid out after the
whole document is paginated (WeasyPrint's `layout_document`), and their size never moves a page break, so each
half paginates, the two swap their page counts through a pipe, and both then number their pages as parts of the
whole. The joined PDF reads, tags and numbers the same as the single-process one
(tests/reports/test_parallel_pdf.py compares their text, structure and outline).

Anything that goes wrong in the split (a child that dies, a marker missing) falls back to the single-process
render: slower, same PDF.
"""
from __future__ import annotations

import contextvars
import io
import logging
import os
import struct

from weasyprint import layout as weasyprint_layout

logger = logging.getLogger(__name__)

# The template writes this before each neighbourhood's section: where the document may be split.
SPLIT_MARKER = "<!-- hub:page-break -->"
# Fewer sections than this: one process (forking costs more than it saves on a short report).
MINIMUM_SECTIONS = 8
FIRST_HALF_SHARE = 0.48

_page_numbering: contextvars.ContextVar = contextvars.ContextVar("hub_page_numbering", default=None)
_stock_make_margin_boxes = weasyprint_layout.make_margin_boxes


def _numbered_margin_boxes(context, page, state):
    """WeasyPrint's margin boxes, with `counter(page)` and `counter(pages)` counted over the whole report when this
    document is one half of it."""
    numbering = _page_numbering.get()
    if numbering is not None:
        quote_depth, counters, scopes, groups = state
        offset, total = numbering(counters["pages"][-1])
        counters = {**counters, "page": [value + offset for value in counters["page"]], "pages": [total]}
        state = (quote_depth, counters, scopes, groups)
    return _stock_make_margin_boxes(context, page, state)


weasyprint_layout.make_margin_boxes = _numbered_margin_boxes


class PageCountExchange:
    """Called by the first margin box of a half: sends this half's page count to the other process, reads the
    other's, and answers (pages before this half, pages in the whole report) from then on."""

    def __init__(self, *, send_fd: int, receive_fd: int, first_half: bool):
        self.send_fd, self.receive_fd, self.first_half = send_fd, receive_fd, first_half
        self.answer = None

    def __call__(self, own_pages: int) -> tuple[int, int]:
        if self.answer is None:
            os.write(self.send_fd, struct.pack("!I", own_pages))
            other = struct.unpack("!I", _read_exactly(self.receive_fd, 4))[0]
            self.answer = (0 if self.first_half else other, own_pages + other)
        return self.answer


def _read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise EOFError("the other half of the report stopped before sending its page count")
        data += chunk
    return data


def split_html(html: str) -> tuple[str, str] | None:
    """The report as two documents, split before the middle neighbourhood: the first with the cover and summary,
    the second with the same head. None when the report is too short to be worth splitting."""
    pieces = html.split(SPLIT_MARKER)
    sections = len(pieces) - 1
    if sections < MINIMUM_SECTIONS or "<body>" not in pieces[0] or not pieces[-1].rstrip().endswith("</html>"):
        return None
    head = pieces[0][:pieces[0].index("<body>") + len("<body>")]
    # The first half also draws the cover, the summary and the overview map, and then joins the two PDFs: it takes a
    # little under half the sections (48 of 100 gave the two processes about the same CPU time).
    middle = 1 + max(1, round(sections * FIRST_HALF_SHARE))
    ending = "\n</body>\n</html>\n"
    first = "".join(pieces[:middle]) + ending
    second_body = "".join(pieces[middle:])
    # The body's top margin belongs to the report's first page only: in the whole document the second half starts
    # on a later fragment of the body, which has none.
    second_head = head[:-len("<body>")] + '<body style="margin-top: 0">'
    return first, second_head + second_body


def render_two_halves(first: str, second: str, drawings: dict[str, str] | None) -> tuple[bytes, int]:
    """Render `second` in a forked child while this process renders `first`; the joined PDF and its page count."""
    from reports.rendering import fewer_collections

    with fewer_collections():  # before the fork, so the child collects as rarely and over its own objects only
        return _render_two_halves(first, second, drawings)


def _render_two_halves(first: str, second: str, drawings: dict[str, str] | None) -> tuple[bytes, int]:
    from reports.rendering import PDF_OPTIONS, report_document

    to_child_read, to_child_write = os.pipe()
    to_parent_read, to_parent_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render the second half, send it, and leave without running the parent's exit code
        status = 1
        try:
            os.close(to_child_write)
            os.close(to_parent_read)
            _page_numbering.set(PageCountExchange(send_fd=to_parent_write, receive_fd=to_child_read, first_half=False))
            pdf = report_document(second, drawings).render(**PDF_OPTIONS).write_pdf(**PDF_OPTIONS)
            with os.fdopen(to_parent_write, "wb") as out:
                out.write(struct.pack("!Q", len(pdf)))
                out.write(pdf)
            status = 0
        except BaseException:  # noqa: BLE001 - the parent sees the short read and renders alone
            logger.exception("The second half of a report failed to render in its own process")
        finally:
            os._exit(status)
    os.close(to_child_read)
    os.close(to_parent_write)
    token = _page_numbering.set(PageCountExchange(send_fd=to_child_write, receive_fd=to_parent_read, first_half=True))
    try:
        first_pdf = report_document(first, drawings).render(**PDF_OPTIONS).write_pdf(**PDF_OPTIONS)  # its pages freed here
        size = struct.unpack("!Q", _read_exactly(to_parent_read, 8))[0]
        second_pdf = _read_exactly(to_parent_read, size)
    finally:
        _page_numbering.reset(token)
        os.close(to_child_write)
        os.close(to_parent_read)
        os.waitpid(pid, 0)
    return join_pdfs(first_pdf, second_pdf)


def render_report_pdf(html: str, drawings: dict[str, str] | None = None) -> tuple[bytes, int]:
    """The report's PDF and page count: on two cores when there are two and the report is long enough."""
    from reports.rendering import render_pdf

    halves = split_html(html) if _cores() >= 2 else None
    if halves is None:
        return render_pdf(html, drawings)
    try:
        return render_two_halves(*halves, drawings)
    except Exception:  # noqa: BLE001 - logged; the single-process render gives the same PDF
        logger.exception("Rendering a report on two cores failed; rendering it on one")
        return render_pdf(html, drawings)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def join_pdfs(first_pdf: bytes, second_pdf: bytes) -> tuple[bytes, int]:
    """The second PDF's pages appended to the first's, with its structure elements under the first's Document
    element, its outline items under the first's last top-level item (the report's title), and its named
    destinations, so the joined file is one tagged PDF/UA document."""
    import pikepdf

    joined, other = pikepdf.open(io.BytesIO(first_pdf)), pikepdf.open(io.BytesIO(second_pdf))
    # Each half embeds its own subsets of the same fonts under the same six-letter tag: the second half's get a tag
    # of their own, as the PDF standard asks of different subsets of one font.
    for font in _fonts(other):
        for key in ("/BaseFont", "/FontName"):
            if key in font and "+" in str(font[key]):
                tag, name = str(font[key])[1:].split("+", 1)
                font[key] = pikepdf.Name(f"/{_other_tag(tag)}+{name}")
    parent_keys = _number_tree_keys(joined.Root.StructTreeRoot.ParentTree)
    offset = max(parent_keys) + 1 if parent_keys else 0
    first_count = len(joined.pages)
    joined.pages.extend(other.pages)  # copied with everything they use (fonts, images); later copies map onto them
    for page in joined.pages[first_count:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset

    # Structure: the second Document element's children join the first's, and the parent tree gains its entries.
    # Each is copied in one call: pikepdf copies only indirect objects, so the two direct arrays are first made
    # indirect in the other PDF, and everything they reach is then copied in C++ (mapped onto the pages already
    # copied), not object by object in Python (a third of the join's time).
    document = _document_element(joined)
    kids = _document_element(other).K
    for kid in joined.copy_foreign(other.make_indirect(kids if isinstance(kids, pikepdf.Array) else pikepdf.Array([kids]))):
        if isinstance(kid, pikepdf.Dictionary):
            kid.P = document
        document.K.append(kid)
    nums = joined.Root.StructTreeRoot.ParentTree.Nums
    other_nums = joined.copy_foreign(other.make_indirect(other.Root.StructTreeRoot.ParentTree.get("/Nums", pikepdf.Array())))
    for index in range(0, len(other_nums), 2):
        nums.append(int(other_nums[index]) + offset)
        nums.append(other_nums[index + 1])

    # Bookmarks: the second half's headings sit under the report's title, after the first half's.
    if "/Outlines" in other.Root and "/First" in other.Root.Outlines:
        outlines = joined.Root.Outlines
        title = outlines.Last
        items = _copy(joined, other.Root.Outlines)  # the outline root and, through it, every item
        added = int(items.get("/Count", 0))
        item = items.First
        while True:
            item.Parent = title
            if "/Next" not in item:
                break
            item = item.Next
        if "/First" in title:
            title.Last.Next = items.First
            items.First.Prev = title.Last
        else:
            title.First = items.First
        title.Last = items.Last
        title.Count = int(title.get("/Count", 0)) + added
        outlines.Count = int(outlines.get("/Count", 0)) + added

    # Named destinations (each section's id), so a link to report.pdf#n42 still lands.
    if "/Names" in other.Root and "/Dests" in other.Root.Names:
        dests = pikepdf.NameTree(joined.Root.Names.Dests)
        for name, destination in pikepdf.NameTree(other.Root.Names.Dests).items():
            dests[name] = _copy(joined, destination)

    out = io.BytesIO()
    joined.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue(), len(joined.pages)


def _copy(joined, obj):
    """`obj` from the other PDF, in `joined`: indirect objects through pikepdf (which maps each once, onto the pages
    already copied), direct arrays and dictionaries item by item (pikepdf copies only indirect objects)."""
    import pikepdf

    if isinstance(obj, (pikepdf.Array, pikepdf.Dictionary)) and not obj.is_indirect:
        if isinstance(obj, pikepdf.Array):
            return pikepdf.Array([_copy(joined, item) for item in obj])
        return pikepdf.Dictionary({key: _copy(joined, value) for key, value in obj.items()})
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return joined.copy_foreign(obj)
    return obj


def _fonts(pdf):
    """Every font, descendant font and font descriptor the pages use, through their resources and their forms'."""
    import pikepdf

    seen, fonts, resources = set(), [], [page.obj.get("/Resources") for page in pdf.pages]
    while resources:
        resource = resources.pop()
        if not isinstance(resource, pikepdf.Dictionary) or resource.objgen in seen and resource.objgen != (0, 0):
            continue
        seen.add(resource.objgen)
        for font in resource.get("/Font", {}).values():
            fonts.extend([font, font.get("/FontDescriptor")])
            for descendant in font.get("/DescendantFonts", []):
                fonts.extend([descendant, descendant.get("/FontDescriptor")])
        for xobject in resource.get("/XObject", {}).values():
            resources.append(xobject.get("/Resources"))
        for pattern in resource.get("/Pattern", {}).values():
            resources.append(pattern.get("/Resources"))
    unique = {}
    for font in fonts:
        if isinstance(font, pikepdf.Dictionary):
            unique.setdefault(font.objgen if font.is_indirect else id(font), font)
    return list(unique.values())


def _other_tag(tag: str) -> str:
    """Another six capital letters, derived from `tag`."""
    import hashlib

    digest = hashlib.sha256(f"hub-second-half:{tag}".encode()).digest()
    return "".join(chr(ord("A") + byte % 26) for byte in digest[:6])


def _document_element(pdf):
    kids = pdf.Root.StructTreeRoot.K
    return kids[0] if isinstance(kids, __import__("pikepdf").Array) else kids


def _number_tree_keys(tree) -> list[int]:
    """The keys of a flat number tree (WeasyPrint writes /Nums at the root)."""
    if "/Kids" in tree:
        raise ValueError("nested parent trees are not joined")
    return [int(tree.Nums[index]) for index in range(0, len(tree.Nums), 2)]
