"""Checks on text before it goes public: protective markings, names of people held in the
hub, phone numbers, email addresses and UK postcodes. A finding is a kind and a position,
never the text found, so the screening record copies nothing personal."""
import re
from dataclasses import dataclass

from django.db.models import Value
from django.db.models.functions import Concat, Lower

FINDING_LABELS = {
    "marking": "A protective marking",
    "name": "The name of a person held in the hub",
    "phone": "A phone number",
    "email": "An email address",
    "postcode": "A postcode",
    "address": "A house number or street address",
}

# Government Security Classifications and the older GPMS markings. Upper case only for the single
# words, which are ordinary English in lower case ("a secret", "restricted parking").
MARKING = re.compile(
    r"(?i:\bofficial[\s_-]*sensitive\b|\bnot\s+protectively\s+marked\b)"
    r"|\b(?:TOP[\s-]+SECRET|SECRET|OFFICIAL|RESTRICTED|CONFIDENTIAL|PROTECT)\b"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone numbers: a UK number (0 or +44, then nine or ten more digits) or an international one (+ or 00, then eight to
# fourteen more), the digits spaced, dotted, hyphenated or bracketed any way ("0 7 7 0 0 9 0 0 1 2 3").
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?\d(?:[\s.\-()/]{0,3}\d){7,13}|\(?0(?:[\s.\-()/]{0,3}\d){9,10})(?![\d])"
)
STREET_TYPES = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Court|Ct|Crescent|Terrace|Place|Pl|Gardens|Grove|Square|Sq"
    r"|Hill|Walk|Row|Mews|View|Parade|Green|Rise|Yard|Wharf|Quay|Gate|Bank|Brow|Fold)"
)
# A house number before a street ("12 Duke Street", "Flat 2, 14a Abbey Road"), or a house by its number ("number 14").
ADDRESS = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][\w'’-]*\s+){{1,3}}{STREET_TYPES}\b"
    r"|(?i:\b(?:number|no\.|flat|house)\s*\d{1,4}[a-z]?\b)"
)
# Words that, after a capitalised word, make it part of a place rather than a surname ("Parry Street").
PLACE_AFTER = re.compile(rf"\s+(?:{STREET_TYPES}|Park|Estate|Centre|School|Church|Bridge|Hall|House|Road)\b")
POSTCODE = re.compile(
    r"\b(?:GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE,
)
HONORIFICS = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|PC|DC|PCSO|Sgt|Sergeant|Insp|Inspector|Cllr|Councillor)"
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


class _Word:
    """A word of the text without a possessive ending ("Parry's" stands for "Parry")."""

    def __init__(self, word: str, start: int, end: int):
        if len(word) > 3 and word[-2:].lower() in ("'s", "’s"):
            word, end = word[:-2], end - 2
        self.word, self._start, self._end = word, start, end

    def group(self) -> str:
        return self.word

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


@dataclass(frozen=True)
class Finding:
    kind: str
    field: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return {"kind": self.kind, "field": self.field, "start": self.start, "end": self.end}


def pattern_findings(text: str, *, field: str) -> list[Finding]:
    findings = []
    for kind, pattern in (("marking", MARKING), ("email", EMAIL), ("phone", PHONE), ("postcode", POSTCODE), ("address", ADDRESS)):
        findings += [Finding(kind, field, match.start(), match.end()) for match in pattern.finditer(text or "")]
    return findings


def _candidates(text: str):
    """Two- and three-word runs (possible full names, and "Ahmed, Aisha" read as "aisha ahmed"), honorific + word
    (possible 'PC Shah') and capitalised words on their own (possible surnames), lower-cased, each with where it sits."""
    words = [_Word(m.group(), m.start(), m.end()) for m in WORD.finditer(text or "")]
    runs: dict[str, list[tuple[int, int]]] = {}
    titled: dict[str, list[tuple[int, int]]] = {}
    alone: dict[str, list[tuple[int, int]]] = {}
    for index, word in enumerate(words):
        if word.group()[0].isupper() and len(word.group()) >= 3 and not PLACE_AFTER.match(text, word.end()):
            alone.setdefault(word.group().lower(), []).append((word.start(), word.end()))
        if index + 1 < len(words) and re.fullmatch(r"\s*,\s*", text[word.end():words[index + 1].start()]):
            following = words[index + 1]  # "Surname, First"
            runs.setdefault(f"{following.group().lower()} {word.group().lower()}", []).append((word.start(), following.end()))
        for size in (2, 3):
            if index + size <= len(words):
                chunk = words[index:index + size]
                gaps = [text[a.end():b.start()] for a, b in zip(chunk, chunk[1:])]
                if all(gap.strip() == "" for gap in gaps):
                    runs.setdefault(" ".join(w.group().lower() for w in chunk), []).append((chunk[0].start(), chunk[-1].end()))
        if index + 1 < len(words) and re.fullmatch(HONORIFICS, word.group(), re.IGNORECASE):
            following = words[index + 1]
            if text[word.end():following.start()].strip(" .") == "" and len(following.group()) >= 3:
                titled.setdefault(following.group().lower(), []).append((word.start(), following.end()))
    return runs, titled, alone


def name_findings(text: str, *, field: str) -> list[Finding]:
    """Where `text` names a person held in the hub: a contact, a partner contact or a user.

    A system read across every organisation (a name known to any of them must not go public),
    so it does not go through visible_to; it asks only whether words already in the text are a
    held name, and returns positions, never names from the database."""
    from crm.models import Contact, PartnerContact
    from organisations.models import User

    runs, titled, alone = _candidates(text)
    if not runs and not titled and not alone:
        return []
    found: set[str] = set()
    surnames: set[str] = set()
    maybe_surnames = list(titled.keys() | alone.keys())
    for model, first, last in ((Contact, "first_name", "last_name"), (User, "first_name", "last_name")):
        full = Concat(Lower(first), Value(" "), Lower(last))
        query = model.objects.annotate(public_screening_name=full)
        found |= set(query.filter(public_screening_name__in=list(runs)).values_list("public_screening_name", flat=True))
        if maybe_surnames:
            surnames |= set(
                model.objects.annotate(public_screening_surname=Lower(last))
                .filter(public_screening_surname__in=maybe_surnames).values_list("public_screening_surname", flat=True)
            )
    partner_names = PartnerContact.objects.annotate(public_screening_name=Lower("name"))
    found |= set(partner_names.filter(public_screening_name__in=list(runs)).values_list("public_screening_name", flat=True))
    if maybe_surnames:
        # A partner contact's name is one field: its last word stands for the surname ("Cllr Bloggs"). One query.
        words = "|".join(re.escape(word) for word in maybe_surnames)
        for name in PartnerContact.objects.filter(name__iregex=rf"\s({words})$").values_list("name", flat=True):
            surnames.add(name.split()[-1].lower())
    findings = [Finding("name", field, start, end) for key in found for start, end in runs[key]]
    findings += [Finding("name", field, start, end) for key in surnames for start, end in titled.get(key, [])]
    findings += [Finding("name", field, start, end) for key in surnames for start, end in alone.get(key, [])]
    return findings


def screen_fields(fields: dict[str, str]) -> list[Finding]:
    """Everything found in the public fields of one record, in order of where it sits."""
    findings = []
    for field, text in fields.items():
        if text:
            findings += pattern_findings(text, field=field) + name_findings(text, field=field)
    return sorted(set(findings), key=lambda f: (f.field, f.start, f.end, f.kind))
