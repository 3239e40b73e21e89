"""Topics, keywords and tone, for posts and for the hub's own free text alike.

- **Tone**: VADER (vaderSentiment, whose lexicon ships in the wheel; scored through digital.tone, which
  gives the library's own scores faster), the compound score from -1 (most negative) to +1. An aid for reading many posts at once, never a verdict on one.
- **Topics**: TF-IDF over words and word pairs, factorised by non-negative matrix factorisation
  (scikit-learn's NMF): each topic is a weighted list of words, so what a topic "is" can always be
  shown as the words and counts behind it. A post belongs to its strongest topic when that strength
  is clear of noise, else to none.
- **Keywords**: YAKE over a topic's example posts, to name it in words people use.
- **Categories**: a topic maps to one of the hub's issue categories when its leading words meet that
  category's vocabulary (below), so posts line up with concerns, issues raised and priorities.
- **Bursts**: a topic is rising in a neighbourhood when this week's count clears that neighbourhood's
  own baseline (the weeks before) by a Poisson margin.

Nothing is downloaded at run time: every model here is fitted on the force's own text.
"""
from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from digital.tone import Vader, compound, scorer

# Words that tie a topic to an issue category (the categories seeded in crm.vocabulary_seed). Stems and
# phrases as people write them; a topic maps where these carry enough of its weight.
CATEGORY_VOCABULARY = {
    "anti-social-behaviour": ["anti social", "antisocial", "asb", "youths", "yobs", "gang", "intimidating", "nuisance"],
    "fly-tipping": ["fly tipping", "flytipping", "tipping", "dumped", "rubbish", "mattress", "fridge", "waste"],
    "graffiti": ["graffiti", "tagging", "spray", "sprayed", "painted"],
    "noise": ["noise", "noisy", "loud", "music", "party", "shouting", "barking"],
    "drugs": ["drugs", "drug", "dealing", "dealers", "cannabis", "weed", "needles", "nitrous", "canisters"],
    "speeding": ["speeding", "speed", "racing", "boy racers", "mph", "fast cars"],
    "parking": ["parking", "parked", "double parked", "pavement parking", "blocking", "driveway"],
    "street-drinking": ["drinking", "drunk", "alcohol", "cans", "street drinking"],
    "burglary": ["burglary", "burgled", "break in", "broken into", "burglars"],
    "vehicle-crime": ["car broken", "catalytic", "stolen car", "vehicle", "car theft", "keyless"],
    "criminal-damage": ["damage", "smashed", "vandalism", "vandalised", "broken windows"],
    "shoplifting": ["shoplifting", "shoplifters", "shop theft"],
    "violence": ["assault", "fight", "fighting", "stabbing", "violence", "attacked", "knife"],
    "bicycle-theft": ["bike stolen", "bike theft", "bicycle", "stolen bike"],
    "litter-dog-fouling": ["litter", "dog fouling", "dog poo", "dog mess", "bins"],
    "begging": ["begging", "beggars", "aggressive begging"],
    "off-road-bikes": ["off road", "scrambler", "scramblers", "quad", "quad bikes", "motorbikes", "dirt bikes"],
}
# A topic's words must give a category at least this share of the topic's weight among its top words.
CATEGORY_MIN_SHARE = 0.12
TOP_WORDS = 12
# A post belongs to a topic only if its strongest topic weight is at least this (rows of W are not scaled).
ASSIGN_MIN_WEIGHT = 0.02
# Bursts: at least this many posts this week, and above baseline mean + 2 standard deviations (Poisson).
BURST_MIN_COUNT = 3
BURST_SIGMAS = 2.0

# Words about the police or the hub itself, which every topic would share.
DOMAIN_STOP_WORDS = {"police", "officers", "officer", "local", "meeting", "people", "just", "like", "get", "got", "getting", "again",
                     "every", "need", "does", "did", "know", "today", "tonight", "area", "round", "fed", "come", "sorting", "sort"}
_stop_words = None


def topic_stop_words() -> list[str]:
    """Words no topic is made of: common English, the police and the hub, and every word that carries tone
    in VADER's lexicon (tone is read separately; otherwise "disgusting" or "thanks" become topics of their
    own). A word of an issue category's vocabulary is kept even when it carries tone ("assault")."""
    global _stop_words
    if _stop_words is None:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
        from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE

        category_words = {word for terms in CATEGORY_VOCABULARY.values() for term in terms for word in term.split()}
        toned = set(tone_scorer().lexicon) | set(BOOSTER_DICT) | set(NEGATE)
        _stop_words = sorted((set(ENGLISH_STOP_WORDS) | DOMAIN_STOP_WORDS | {w for w in toned if w.isalpha()}) - category_words)
    return _stop_words


def tone_scorer() -> Vader:
    return scorer()


def tone(text: str) -> float:
    return compound(text)


def tone_label(score: float | None) -> str:
    if score is None:
        return "Not scored"
    if score >= 0.05:
        return "Positive"
    if score <= -0.05:
        return "Negative"
    return "Neutral"


@dataclass
class FoundTopic:
    words: list[tuple[str, float]]  # (word, weight), strongest first
    category_slug: str | None
    members: list[int] = field(default_factory=list)  # indexes of the texts assigned to it
    keywords: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The leading words, a pair of words standing for the single words it holds ("loud music", not
        "loud, music, loud music")."""
        chosen: list[str] = []
        for word, _ in self.words:
            tokens = set(word.split())
            if tokens <= {token for phrase in chosen for token in phrase.split()}:
                continue
            chosen = [phrase for phrase in chosen if not set(phrase.split()) <= tokens] + [word]
            if len(chosen) == 3:
                break
        return ", ".join(chosen)


@dataclass
class TopicModel:
    topics: list[FoundTopic]
    assignment: list[int | None]  # per text: the topic index, or None


def _category_for(words: list[tuple[str, float]]) -> str | None:
    total = sum(weight for _, weight in words) or 1.0
    best, best_share = None, 0.0
    for slug, vocabulary in CATEGORY_VOCABULARY.items():
        share = sum(weight for word, weight in words if any(term == word or term in word or word in term.split() for term in vocabulary)) / total
        if share > best_share:
            best, best_share = slug, share
    return best if best_share >= CATEGORY_MIN_SHARE else None


def category_for_text(text: str) -> str | None:
    """The category a single text's own words point to (the labelled-set check and the hub's free text)."""
    lowered = (text or "").lower()
    scores = {slug: sum(lowered.count(term) for term in vocabulary) for slug, vocabulary in CATEGORY_VOCABULARY.items()}
    slug, score = max(scores.items(), key=lambda item: item[1])
    return slug if score else None


# The topics are fitted on at most this many texts, a fixed pseudo-random choice from the corpus, and every text is then
# filed against them a batch at a time: the analysis's memory stays flat however many posts there are, and the
# topics of 20,000 posts are those of 100,000 (the benchmark prints topic precision and recall on each).
FIT_SAMPLE = 20_000
ASSIGN_BATCH = 5000


def topic_count(texts: int) -> int:
    """The number of topics grows with the corpus, within 6 to 25."""
    return max(6, min(25, round(math.sqrt(texts) / 2)))


@dataclass
class TopicFit:
    """Topics fitted on a sample: their words and categories, and what files any text under one of them."""

    topics: list[FoundTopic]
    vectoriser: TfidfVectorizer
    model: NMF

    def weights(self, texts: list[str]) -> np.ndarray:
        """Each text's weight on each topic (rows: texts; not scaled)."""
        return self.model.transform(self.vectoriser.transform(texts))

    def assign(self, texts: list[str]) -> tuple[list[int | None], list[float]]:
        """Each text's strongest topic when that strength is clear of noise (else None), and the strength."""
        weights = self.weights(texts)
        strongest, strength = weights.argmax(axis=1), weights.max(axis=1)
        return ([int(topic) if weight >= ASSIGN_MIN_WEIGHT else None for topic, weight in zip(strongest, strength)],
                [float(weight) for weight in strength])


def fit_topics(texts: list[str], *, topics: int, random_state: int = 0) -> TopicFit | None:
    """NMF over TF-IDF of `texts` (a sample of the corpus at most FIT_SAMPLE long); None when there is nothing
    to group (too few texts, or every word too rare or too common)."""
    if len(texts) < 10:
        return None
    vectoriser = TfidfVectorizer(stop_words=topic_stop_words(), ngram_range=(1, 2), min_df=2, max_df=0.5, max_features=20000,
                                 token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z'-]{2,}\b", sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectoriser.fit_transform(texts)
    except ValueError:  # every word too rare or too common: nothing to group
        return None
    model = NMF(n_components=min(topics, *matrix.shape), init="nndsvda", random_state=random_state, max_iter=300, tol=1e-3)
    model.fit(matrix)
    vocabulary = vectoriser.get_feature_names_out()
    found = []
    for component in model.components_:
        top = np.argsort(component)[::-1][:TOP_WORDS]
        words = [(str(vocabulary[i]), float(component[i])) for i in top if component[i] > 0]
        found.append(FoundTopic(words=words, category_slug=_category_for(words)))
    return TopicFit(found, vectoriser, model)


def sample_indexes(count: int, most: int, *, seed: int = 0) -> list[int]:
    """At most `most` of range(count), a fixed pseudo-random choice in order (not every n-th: texts in a periodic
    order, by site or by topic, would give every n-th the same few)."""
    if count <= most:
        return list(range(count))
    return sorted(random.Random(seed).sample(range(count), most))


class TypicalTexts:
    """The `keep` most typical texts of each topic (strongest weight first, then the earliest), kept as texts are
    filed a batch at a time: YAKE reads these, and memory does not grow with the corpus."""

    def __init__(self, topics: int, keep: int):
        self._heaps: list[list] = [[] for _ in range(topics)]
        self._keep = keep
        self._seen = 0

    def offer(self, topic: int, weight: float, text: str) -> None:
        entry = (weight, -self._seen, text)  # equal weights: the earlier text stays
        self._seen += 1
        heap = self._heaps[topic]
        if len(heap) < self._keep:
            heapq.heappush(heap, entry)
        elif entry > heap[0]:
            heapq.heapreplace(heap, entry)

    def texts(self, topic: int) -> list[str]:
        return [text for _weight, _order, text in sorted(self._heaps[topic], reverse=True)]


def find_topics(texts: list[str], *, topics: int | None = None, random_state: int = 0) -> TopicModel:
    """Topics in `texts`, each text filed under its strongest (members strongest first). The texts are all held
    here; analysing an organisation's posts streams them instead (digital.services.analyse_conversations)."""
    fit = fit_topics([texts[i] for i in sample_indexes(len(texts), FIT_SAMPLE)], topics=topics or topic_count(len(texts)),
                     random_state=random_state)
    if fit is None:
        return TopicModel([], [None] * len(texts))
    assignment: list[int | None] = []
    strengths: list[float] = []
    for start in range(0, len(texts), ASSIGN_BATCH):
        batch_assignment, batch_strength = fit.assign(texts[start:start + ASSIGN_BATCH])
        assignment += batch_assignment
        strengths += batch_strength
    for index, topic in enumerate(assignment):
        if topic is not None:
            fit.topics[topic].members.append(index)
    for topic in fit.topics:  # the most typical texts first: the keywords are read from them
        topic.members.sort(key=lambda index: -strengths[index])
    return TopicModel(fit.topics, assignment)


# YAKE reads every word of what it is given, and its cost per topic dominated the analysis: the topic's
# most typical texts (members come strongest first) say what it is about as well as all of them.
KEYWORD_TEXTS = 40
KEYWORD_CHARACTERS = 8000


def keywords_for(texts: list[str], *, top: int = 6) -> list[str]:
    """YAKE keywords over a topic's most typical texts."""
    import yake

    sample = " ".join(texts[:KEYWORD_TEXTS])[:KEYWORD_CHARACTERS]
    if not sample.strip():
        return []
    extractor = yake.KeywordExtractor(lan="en", n=2, top=top, dedupLim=0.7)
    return [phrase for phrase, _score in extractor.extract_keywords(sample)]


def is_burst(this_week: int, baseline_weeks: list[int]) -> bool:
    """This week's count against the same place's own earlier weeks (mean + BURST_SIGMAS * sqrt(mean))."""
    if this_week < BURST_MIN_COUNT:
        return False
    mean = sum(baseline_weeks) / len(baseline_weeks) if baseline_weeks else 0.0
    return this_week > mean + BURST_SIGMAS * math.sqrt(max(mean, 1.0))
