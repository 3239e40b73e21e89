"""An uploaded file kept between its dry run and the confirmation, in the signed-in user's session.

Why the session: the confirmation imports exactly the file that was checked, without
asking the officer to find and upload it again, and without the file ever leaving the
server (a hidden form field would send it back through the browser, where it could be
changed). The session belongs to the signed-in user and is flushed when they sign out;
it is stored in the database (Django's default engine), so a 2 MB file fits. The file is
kept compressed, one at a time (a new upload replaces it), and is removed as soon as it
is imported or the import page is opened again. The confirmation still validates every
row again: the dry run is advice, never a permission.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import zlib
from dataclasses import dataclass

SESSION_KEY = "crm_transfer_pending_import"


@dataclass
class PendingImport:
    token: str
    what: str
    file_format: str
    filename: str
    content: bytes


def keep(session, *, user, what: str, file_format: str, filename: str, content: bytes) -> PendingImport:
    token = secrets.token_urlsafe(24)
    session[SESSION_KEY] = {
        "token": token, "user": user.pk, "what": what, "format": file_format, "filename": filename[:200],
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": base64.b64encode(zlib.compress(content)).decode("ascii"),
    }
    return PendingImport(token, what, file_format, filename, content)


def take(session, *, user, token: str) -> PendingImport | None:
    """The pending file that `token` names, if it is this user's and still intact; else None."""
    stored = session.get(SESSION_KEY)
    if not stored or not token or not secrets.compare_digest(stored.get("token", ""), token) or stored.get("user") != user.pk:
        return None
    try:
        content = zlib.decompress(base64.b64decode(stored["content"]))
    except (ValueError, zlib.error):
        return None
    if hashlib.sha256(content).hexdigest() != stored.get("sha256"):
        return None
    return PendingImport(stored["token"], stored["what"], stored["format"], stored["filename"], content)


def forget(session) -> None:
    session.pop(SESSION_KEY, None)
