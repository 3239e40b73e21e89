"""The hub's tone scorer gives exactly vaderSentiment's scores: its shortcuts skip only work whose answer is known."""
import random

from vaderSentiment import vaderSentiment as vader

from digital import analysis
from digital.demo import NEGATIVE, PHRASES, POSITIVE
from digital.tone import Vader

LIBRARY = vader.SentimentIntensityAnalyzer()
HUB = Vader()

# The library's own examples (its module's demonstration sentences), and the rules each one exercises.
LIBRARY_EXAMPLES = [
    "VADER is smart, handsome, and funny.", "VADER is smart, handsome, and funny!", "VADER is very smart, handsome, and funny.",
    "VADER is VERY SMART, handsome, and FUNNY.", "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", "VADER is not smart, handsome, nor funny.", "The book was good.",
    "At least it isn't a horrible book.", "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.", "Today SUX!",
    "Today only kinda sux! But I'll get by, lol", "Make sure you :) or :D today!", "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Not bad at all", "", "   ", "no", "No good at all", "It is the shit", "kind of", "very", "least good", "the least bad thing",
    "never so good", "without doubt good", "yeah right, thanks", "the bus stop smells", "sort of great", "kind of bad but kind",
]


def generated_texts(count: int, seed: int) -> list[str]:
    """Texts built from the parts VADER's rules look at: toned words, boosters and dampeners, negations, "no",
    "least", "but", "kind of", the special idioms, capitals, punctuation and emoji, between ordinary words."""
    rng = random.Random(seed)
    toned = sorted(LIBRARY.lexicon)
    parts = [*vader.BOOSTER_DICT, *vader.NEGATE, *vader.SPECIAL_CASES, "no", "least", "at least", "very least", "but", "BUT",
             "kind of", "never so", "never this", "without doubt", "or", "nor", "the", "police", "road", "again", "so", "this"]
    emoji = ["😁", "💘", "👍", "😡", "🙂"]
    texts = []
    for _ in range(count):
        words = []
        for _ in range(rng.randint(1, 18)):
            pick = rng.random()
            word = rng.choice(toned) if pick < 0.4 else rng.choice(parts) if pick < 0.8 else rng.choice(["street", "cars", "Roose", "lane"])
            if rng.random() < 0.1:
                word = word.upper()
            if rng.random() < 0.1:
                word += rng.choice(["!", "?", ",", ".", "!!", "??", "...", ":)"])
            if rng.random() < 0.02:
                word += rng.choice(emoji)
            words.append(word)
        texts.append(" ".join(words))
    return texts


def test_the_library_examples_score_exactly_as_the_library_scores_them():
    for text in LIBRARY_EXAMPLES:
        assert HUB.polarity_scores(text) == LIBRARY.polarity_scores(text), text


def test_generated_texts_score_exactly_as_the_library_scores_them():
    for text in generated_texts(3000, seed=18):
        assert HUB.polarity_scores(text) == LIBRARY.polarity_scores(text), text


def test_the_demo_posts_score_exactly_as_the_library_scores_them():
    for phrase in [p for phrases in PHRASES.values() for p in phrases]:
        for mood in POSITIVE + NEGATIVE:
            text = f"{phrase.capitalize()} in Walney North. {mood}".strip()
            assert HUB.polarity_scores(text) == LIBRARY.polarity_scores(text), text


def test_the_hub_rounds_the_libraries_compound_score():
    text = "Thanks to the local police for sorting it quickly, brilliant work."
    assert analysis.tone(text) == round(LIBRARY.polarity_scores(text)["compound"], 3)


def test_a_big_import_scores_tone_in_a_second_process_exactly_as_in_this_one(monkeypatch):
    import os

    from digital import tone

    texts = generated_texts(400, seed=19)
    batches = [[type("Post", (), {"text": text})() for text in texts[start:start + 100]] for start in range(0, 400, 100)]
    monkeypatch.setattr(tone, "PARALLEL_FROM", 1)
    with tone.ToneScorer(len(texts)) as scorer:
        assert scorer.submit(["x"]).result() == [0.0]
        assert scorer._pool.submit(os.getpid).result() != os.getpid()  # really another process
        scored = [score for _batch, scores in tone.scored(batches, scorer) for score in scores]
    assert scored == [round(LIBRARY.polarity_scores(text)["compound"], 3) for text in texts]


def test_a_small_import_scores_tone_here():
    from digital import tone

    with tone.ToneScorer(tone.PARALLEL_FROM - 1) as scorer:
        assert scorer._pool is None
        assert scorer.submit(["Brilliant work, thanks"]).result() == [analysis.tone("Brilliant work, thanks")]
