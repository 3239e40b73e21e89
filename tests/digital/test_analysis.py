"""Topics are found from the words people use and mapped to issue categories; tone and bursts behave."""
from digital import analysis
from digital.demo import PHRASES, labelled_posts


def test_topics_from_a_labelled_corpus_map_to_their_categories():
    posts = labelled_posts(1200, [{"name": "Roose", "west": -3.2, "south": 54.1, "east": -3.19, "north": 54.11}], seed=3)
    model = analysis.find_topics([p["text"] for p in posts], topics=12)
    assert {topic.category_slug for topic in model.topics} >= set(PHRASES)
    assigned = [model.topics[a].category_slug if a is not None else None for a in model.assignment]
    right = sum(1 for category, p in zip(assigned, posts) if category == p["truth_category"])
    assert right / sum(1 for category in assigned if category) > 0.8  # precision
    assert right / len(posts) > 0.7  # recall


def test_every_topic_can_be_explained_by_its_words():
    texts = [f"speeding cars racing past the school {i}" for i in range(20)] + [f"fly tipping mattress dumped lane {i}" for i in range(20)]
    model = analysis.find_topics(texts, topics=2)
    assert all(topic.words and topic.words[0][1] > 0 for topic in model.topics)
    assert {topic.category_slug for topic in model.topics} == {"speeding", "fly-tipping"}


def test_tone_words_make_no_topic_of_their_own():
    texts = [f"Disgusting, fed up, terrible {word}" for word in ["speeding cars", "loud music", "graffiti sprayed", "dumped rubbish"] * 10]
    model = analysis.find_topics(texts, topics=4)
    assert not {"disgusting", "terrible", "fed"} & {word for topic in model.topics for word, _ in topic.words}


def test_too_few_posts_make_no_topics():
    assert analysis.find_topics(["one post"]).topics == []


def test_tone_reads_praise_as_positive_and_complaint_as_negative():
    assert analysis.tone("Thanks to the police, brilliant work") > 0.05
    assert analysis.tone("Disgusting, nobody does anything, fed up") < -0.05
    assert analysis.tone_label(0.0) == "Neutral"


def test_a_burst_is_measured_against_the_places_own_baseline():
    assert analysis.is_burst(9, [1, 2, 1, 0, 2, 1, 1, 2])
    assert not analysis.is_burst(9, [8, 10, 9, 7, 11, 9, 8, 10])
    assert not analysis.is_burst(2, [0] * 8)  # too few to call
