"""Writing and verifying the hash-chained disclosure log.

The log is under row-level security (row_security/migrations/0006): an organisation reads the entries filed under
it or about its records, and appends only such entries. The chain crosses organisations, so two reads see every
entry: a writer's read of the last hash, through `hub_disclosure_chain_head()` (a database function that lets
only its own statement through and returns only that hash), and the verifier's walk, in the named, audited
system context "disclosure log check"."""
import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction

from row_security.context import system_context
from sharing_protocols.models import DisclosureEntry

GENESIS = "0" * 64
# Serialises appends so that two writers never chain onto the same entry.
CHAIN_LOCK = 0x454E47_48554221  # "ENGHUB!"


def entry_digest(entry: DisclosureEntry, previous_hash: str) -> str:
    """SHA-256 over the previous entry's hash and this entry's fields, in a canonical form."""
    content = {
        "at": entry.at.isoformat(), "user_id": entry.user_id, "user_label": entry.user_label,
        "organisation_id": entry.organisation_id, "organisation_label": entry.organisation_label, "action": entry.action,
        "record_type": entry.record_type, "record_id": entry.record_id, "protocol_reference": entry.protocol_reference,
        "purpose": entry.purpose, "details": entry.details,
    }
    if entry.holder_organisation_id is not None:  # kept since the holder was recorded; earlier entries hash as they were
        content.update(holder_organisation_id=entry.holder_organisation_id, holder_label=entry.holder_label)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((previous_hash + canonical).encode("utf-8")).hexdigest()


def disclosure_entry(*, user, organisation, action: str, record=None, record_type: str = "", record_id: str = "",
                     protocol_reference: str = "", purpose: str = "", details: dict | None = None, holder=None) -> DisclosureEntry:
    """An entry not yet chained or saved. `holder` is the organisation whose record it is: taken from the record
    when it has one."""
    if record is not None:
        record_type, record_id = record._meta.label_lower, str(record.pk)
        if holder is None and getattr(record, "organisation_id", None) is not None:
            holder = record.organisation
    signed_in = user is not None and user.is_authenticated
    return DisclosureEntry(
        user=user if signed_in else None, user_label=user.get_username() if signed_in else "",
        organisation=organisation, organisation_label=organisation.name if organisation else "", action=action,
        record_type=record_type, record_id=str(record_id), protocol_reference=protocol_reference[:100], purpose=purpose[:300],
        details=details or {}, holder_organisation=holder, holder_label=holder.name if holder else "",
    )


def disclosure_record(**fields) -> DisclosureEntry:
    """Append one entry (the fields of `disclosure_entry`), chained to the last, inside the caller's transaction (or its own)."""
    return disclosure_record_many([disclosure_entry(**fields)])[0]


def disclosure_record_many(entries: list[DisclosureEntry]) -> list[DisclosureEntry]:
    """Append entries in their order, each chained to the one before, in one INSERT: a file or an email that carries
    a thousand shared records writes a thousand entries without a query each."""
    if not entries:
        return []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
            cursor.execute("SELECT public.hub_disclosure_chain_head()")  # the last entry's hash, whoever filed it
            previous_hash = cursor.fetchone()[0] or GENESIS
        for entry in entries:
            entry.previous_hash = previous_hash
            entry.entry_hash = previous_hash = entry_digest(entry, previous_hash)
        # One multi-row INSERT: PostgreSQL numbers its rows in the order given, the chain's order.
        return DisclosureEntry.objects.bulk_create(entries)


@dataclass
class ChainReport:
    checked: int
    first_broken: DisclosureEntry | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def verify_chain(*, chunk_size: int = 5000) -> ChainReport:
    """Walk the log in order; report the first entry whose link or content does not match. Every organisation's
    entries are links of the one chain: read in a named system context, recorded in the audit trail."""
    previous_hash = GENESIS
    checked = 0
    with system_context("disclosure log check"):
        for entry in DisclosureEntry.objects.order_by("pk").iterator(chunk_size=chunk_size):
            if entry.previous_hash != previous_hash:
                return ChainReport(checked, entry, "it does not point at the entry before it (an entry was removed or reordered)")
            if entry_digest(entry, previous_hash) != entry.entry_hash:
                return ChainReport(checked, entry, "its content does not match its hash (it was changed)")
            previous_hash = entry.entry_hash
            checked += 1
    return ChainReport(checked)
