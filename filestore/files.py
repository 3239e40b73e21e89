"""Reading, serving and copying stored files in chunks, whichever storage holds them.

Views call `download_response` only after their permission check and their disclosure record; it
streams the file through the hub, or (S3 with FILE_DOWNLOADS_PRESIGNED) redirects to a signed URL
that lapses after HUB_S3_URL_SECONDS, so a copied link is of little use for long.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

CHUNK = 1024 * 1024
STREAM_BLOCK = 64 * 1024


def is_object_store(storage) -> bool:
    """True for a storage with no local paths whose files can be handed out by signed URL (S3)."""
    return hasattr(storage, "bucket_name") and hasattr(storage, "querystring_expire")


def local_path_of(storage, name: str) -> str | None:
    try:
        return storage.path(name)
    except NotImplementedError:  # an object store has no paths
        return None


@contextmanager
def local_path(storage, name: str) -> Iterator[str]:
    """A path on this machine for a stored file, for a reader that needs a file name (openpyxl, zipfile):
    the file itself on local disk, else a temporary copy written in chunks and removed afterwards."""
    path = local_path_of(storage, name)
    if path is not None:
        yield path
        return
    with tempfile.NamedTemporaryFile(prefix="hub-", suffix=PurePosixPath(name).suffix) as copy:
        source = open_stream(storage, name)
        try:
            shutil.copyfileobj(source, copy, CHUNK)
        finally:
            source.close()
        copy.flush()
        yield copy.name


def open_stream(storage, name: str):
    """A binary file-like object that reads the stored file from the start as it is read (never all at once).
    FileNotFoundError when the storage holds no such file."""
    if is_object_store(storage):
        # The object's body as it arrives: django-storages' own file object would first copy it all to a temporary file.
        stored = storage.open(name, "rb")  # checks the object is there (FileNotFoundError if not)
        body = stored.obj.get()["Body"]
        body.size = stored.obj.content_length
        return body
    return storage.open(name, "rb")


def stream_response(storage, name: str, *, content_type: str, as_attachment: bool = False, filename: str = "") -> FileResponse:
    handle = open_stream(storage, name)
    response = FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)
    response.block_size = STREAM_BLOCK  # read as it is sent: Django's 4 KB would mean many small reads from the store
    if getattr(handle, "size", None) is not None and "Content-Length" not in response:
        response["Content-Length"] = handle.size
    return response


def download_response(storage, name: str, *, content_type: str, as_attachment: bool, filename: str | None = None) -> HttpResponse:
    """The stored file for a person already allowed to have it. Call only after the permission check."""
    filename = filename or PurePosixPath(name).name
    if settings.FILE_DOWNLOADS_PRESIGNED and is_object_store(storage):
        url = storage.url(name, parameters={
            "ResponseContentDisposition": content_disposition_header(as_attachment, filename),
            "ResponseContentType": content_type,
        })
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "no-store"  # the signed URL is for this person, now
        return response
    response = stream_response(storage, name, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
