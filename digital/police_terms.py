"""Whether a post is about the police: a gazetteer of police words, matched in the post's text, kept per post
with the words that matched (Post.police_terms), so the rule can be read and checked post by post.

The gazetteer is the words people use for the police (below), plus the force's own name and its teams' names
(the hub's police organisations: "Cumbria Constabulary", "Barrow North Neighbourhood Team"), with their short
forms ("Cumbria Police"). Matching is by whole words: a phrase of the gazetteer matches the same words in the
post, whatever their case and punctuation; a long word (eight letters or more, "constabulary") also matches a
misspelling of it, by rapidfuzz, the library the hub matches place names with (digital.placing). Short words
("cop", "101") must be exact: a near miss of a short word is another word.

It is a rule, not a judgement: "bobby" in "Bobby's birthday" matches too. The page says which words matched.
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz, process

# The words people use for the police, each as it is shown when it matched. Plurals written out: no stemmer.
WORDS = (
    "police", "policing", "policeman", "policemen", "policewoman", "policewomen", "police officer", "police officers",
    "officer", "officers", "pcso", "pcsos", "community support officer", "bobby", "bobbies", "cop", "cops", "copper",
    "coppers", "constable", "constables", "constabulary", "the old bill", "old bill", "plod", "the fuzz", "101",
    "neighbourhood team", "neighbourhood policing team", "beat manager", "police station", "sergeant", "inspector",
)
# How alike a long word must be to a gazetteer word to count (rapidfuzz's 0–100 scale), and how long it must be.
FUZZY_SCORE = 88
FUZZY_FROM = 8
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def force_names(organisations) -> list[str]:
    """The force's own names from its police organisations' names, with the short form of a force's name
    ("Cumbria Constabulary" also as "Cumbria Police")."""
    names = []
    for name in organisations:
        names.append(name)
        for ending in (" constabulary", " police", " police service"):
            if name.lower().endswith(ending):
                names.append(name[: -len(ending)] + " Police")
    return names


class PoliceTerms:
    """The gazetteer, ready to match posts: `match(text)` gives the gazetteer's words found, in order, once each."""

    def __init__(self, extra_names=()):
        self.phrases: dict[tuple[str, ...], str] = {}
        for term in (*WORDS, *extra_names):
            key = tuple(_words(term))
            if key:
                self.phrases.setdefault(key, term.lower() if term in WORDS else term)
        self._long_words = [key[0] for key in self.phrases if len(key) == 1 and len(key[0]) >= FUZZY_FROM]
        # For each word a phrase begins with, the lengths of those phrases, longest first.
        self._lengths: dict[str, list[int]] = {}
        for key in self.phrases:
            self._lengths.setdefault(key[0], []).append(len(key))
        for sizes in self._lengths.values():
            sizes.sort(reverse=True)
        self._fuzzy_seen: dict[str, str | None] = {}

    @classmethod
    def for_organisation(cls, organisation) -> PoliceTerms:
        """The gazetteer for a force: the words above and the names of the force's police organisations."""
        from django.db.models import Q

        from organisations.models import Organisation

        if organisation is None or organisation.force_pk is None:
            return cls()
        names = Organisation.objects.filter(Q(pk=organisation.force_pk) | Q(parent_id=organisation.force_pk)).values_list("name", flat=True)
        team_names = list(names)
        return cls(force_names(sorted(set(team_names))))

    def match(self, text: str) -> list[str]:
        words = _words(text)
        found: list[str] = []
        lengths, phrases = self._lengths, self.phrases
        consumed = 0
        for position in [i for i, word in enumerate(words) if word in lengths]:  # only where a phrase could begin
            if position < consumed:
                continue
            for size in lengths[words[position]]:  # the longest phrase first
                term = phrases.get(tuple(words[position:position + size]))
                if term:
                    consumed = position + size
                    if term not in found:
                        found.append(term)
                    break
        if self._long_words:
            for word in words:
                if len(word) >= FUZZY_FROM and (term := self._fuzzy(word)) and term not in found:
                    found.append(term)
        return found

    def _fuzzy(self, word: str) -> str | None:
        """A long word near a long gazetteer word (an exact one was found by the pattern already)."""
        if (word,) in self.phrases:
            return None
        if word not in self._fuzzy_seen:
            if len(self._fuzzy_seen) > 50_000:
                self._fuzzy_seen.clear()
            best = process.extractOne(word, self._long_words, scorer=fuzz.ratio, score_cutoff=FUZZY_SCORE)
            self._fuzzy_seen[word] = self.phrases[(best[0],)] if best else None
        return self._fuzzy_seen[word]
