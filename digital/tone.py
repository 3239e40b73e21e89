"""VADER's tone, scored by VADER's own rules at import speed.

vaderSentiment is pure Python and, per post, it copies the text a character at a time to translate
emoji, then walks every word through its full rule chain, rebuilding the post's lower-cased word list
several times for each word. Most words carry no tone. `Vader` keeps every rule of the
library (its own methods score every word that is in the lexicon, its own "but" rule and punctuation
emphasis finish the post) and skips only work whose answer is already known:

- a text with no emoji character is its own emoji translation, so the character loop is not run (a text
  with one is scored by the library's own `polarity_scores`, untouched);
- a word that is not in the lexicon, or is a booster, scores 0 in the library whatever surrounds it, so it
  is given 0 without the rule chain (a word that is in it goes through the library's own chain).

tests/digital/test_tone.py checks that every score equals the library's, on its own examples and on
thousands of generated texts built from the lexicon, boosters, negations, "but", capitals and emoji.
"""
from __future__ import annotations

from vaderSentiment import vaderSentiment as vader


class Vader(vader.SentimentIntensityAnalyzer):
    def __init__(self):
        super().__init__()
        # The library translates a character at a time, so only single-character keys can ever match.
        self._emoji_characters = frozenset(key for key in self.emojis if len(key) == 1)

    def polarity_scores(self, text):
        if not isinstance(text, str) or not self._emoji_characters.isdisjoint(text):
            return super().polarity_scores(text)
        text = text.strip()
        sentitext = vader.SentiText(text)
        words = sentitext.words_and_emoticons
        lowered = [word.lower() for word in words]
        lexicon, boosters = self.lexicon, vader.BOOSTER_DICT
        last = len(words) - 1
        sentiments = []
        for i, item in enumerate(words):
            word = lowered[i]
            if word in boosters or word not in lexicon or (word == "kind" and i < last and lowered[i + 1] == "of"):
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        return self.score_valence(sentiments, text)


_scorer: Vader | None = None


def scorer() -> Vader:
    """One scorer per process (reading the lexicon takes a moment)."""
    global _scorer
    if _scorer is None:
        _scorer = Vader()
    return _scorer


def compound(text: str) -> float:
    """The hub's tone of one text: VADER's compound score, -1 to +1, to three places."""
    return round(scorer().polarity_scores(text or "")["compound"], 3)


def compounds(texts: list[str]) -> list[float]:
    return [compound(text) for text in texts]


# Below this many posts a second process costs more to start (a fresh interpreter reading the lexicon, about a
# second) than it saves.
PARALLEL_FROM = 10_000


class ToneScorer:
    """Scores an import's batches of posts, in a second process when the import is big enough, so tone (pure
    Python, the largest cost per post) runs on the other core while this process places and writes.

    The second process is started by a fork server (a clean interpreter that has imported only this module),
    never forked from the worker itself: it holds no database connection and no other thread's locks."""

    def __init__(self, posts: int):
        self._pool = None
        if posts >= PARALLEL_FROM:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["digital.tone"])
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)

    def submit(self, texts: list[str]):
        """A future of the texts' tones, in their order."""
        from concurrent.futures import Future

        if self._pool is not None:
            return self._pool.submit(compounds, texts)
        done = Future()
        done.set_result(compounds(texts))
        return done

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        return False


def scored(batches, tone_scorer: ToneScorer):
    """(batch, tones) for each batch of posts, the next batch's tones scored while the caller writes this one."""
    waiting = None
    for batch in batches:
        future = tone_scorer.submit([post.text for post in batch])
        if waiting is not None:
            yield waiting[0], waiting[1].result()
        waiting = (batch, future)
    if waiting is not None:
        yield waiting[0], waiting[1].result()
