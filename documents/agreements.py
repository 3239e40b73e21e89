"""The stored agreement PDFs of protocol versions (see documents.models.AgreementFile).

An agreement is kept under a fingerprint of what it shows, and made again only when that changes (a signature, a
party). When a new one is stored, the version's older ones are deleted, once the transaction that records the new
one has committed: until then the old file is what the register points at."""
from __future__ import annotations

import hashlib
import re

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from documents.models import AgreementFile
from jobs.files import StoredFiles
from sharing_protocols.agreement import agreement_html, agreement_pdf
from sharing_protocols.models import ProtocolVersion


def agreement_fingerprint(version: ProtocolVersion) -> str:
    return hashlib.sha256(agreement_html(version, printed_at=None).encode()).hexdigest()[:32]


def agreement_folder(version: ProtocolVersion) -> str:
    return f"agreements/protocol-{version.protocol_id}"


def agreement_name(version: ProtocolVersion, fingerprint: str) -> str:
    return f"{agreement_folder(version)}/v{version.number}-{fingerprint}.pdf"


def stored_agreement(version: ProtocolVersion, fingerprint: str) -> AgreementFile | None:
    """The stored file of what the version shows now, if it is stored and still in storage."""
    stored = AgreementFile.objects.filter(version=version, fingerprint=fingerprint).first()
    if stored is not None and default_storage.exists(stored.name):
        return stored
    return None


def agreement_render(version: ProtocolVersion) -> tuple[str, bytes]:
    """(fingerprint, PDF) of the version's agreement as it stands: the slow part (WeasyPrint), done outside any
    transaction."""
    return agreement_fingerprint(version), agreement_pdf(version)


def agreement_store(version: ProtocolVersion, fingerprint: str, pdf: bytes, *, files: StoredFiles) -> AgreementFile:
    """Store the rendered agreement and record it; the version's older files are deleted once this commits (until
    then they are what the register points at), the new one if it does not. Call inside the transaction that records
    the build (`files`, jobs.files)."""
    name = agreement_name(version, fingerprint)
    recorded = AgreementFile.objects.filter(version=version, fingerprint=fingerprint).first()
    if recorded is not None and default_storage.exists(recorded.name):
        stored_name = recorded.name
    else:
        # A file of this name that is not recorded may be a worker's half-written one (killed while saving): replaced.
        if default_storage.exists(name):
            default_storage.delete(name)
        stored_name = files.save(default_storage, name, ContentFile(pdf))
    stored, _ = AgreementFile.objects.update_or_create(version=version, fingerprint=fingerprint, defaults={"name": stored_name})
    older = AgreementFile.objects.filter(version=version).exclude(pk=stored.pk)
    older_names = list(older.values_list("name", flat=True))
    older.delete()
    transaction.on_commit(lambda: agreement_files_delete(version, keep=stored_name, also=older_names))
    return stored


def agreement_files_delete(version: ProtocolVersion, *, keep: str | None = None, also=()) -> list[str]:
    """Delete the version's agreement files from storage but `keep`: those recorded, and any stored before files
    were recorded (found by name in the protocol's folder). Returns the names deleted."""
    pattern = re.compile(rf"^v{version.number}-[0-9a-f]+\.pdf$")
    names = set(also)
    try:
        _, files = default_storage.listdir(agreement_folder(version))
    except FileNotFoundError:  # nothing was ever stored for this protocol (local disk: no folder)
        files = []
    names.update(f"{agreement_folder(version)}/{file}" for file in files if pattern.match(file))
    names.discard(keep)
    deleted = []
    for name in sorted(names):
        default_storage.delete(name)
        deleted.append(name)
    return deleted
