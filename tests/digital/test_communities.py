"""Communities and posts about the police: each post's community from what its format carries, the police words it
holds (kept with it), and the hot-topics page's ranking and "about the police only" filter, counts only."""
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from digital.communities import CommunityKind, community_of, ranking
from digital.formats import Format, read_posts
from digital.models import Post
from digital.police_terms import PoliceTerms
from finder.models import TeamContact
from tests.digital.conftest import import_file


def test_police_words_match_whole_words_phrases_and_long_misspellings():
    terms = PoliceTerms(["Cumbria Constabulary", "Hindpool neighbourhood team"])
    assert terms.match("Rang 101 and the cops came round") == ["101", "cops"]
    assert terms.match("The Old Bill and a PCSO") == ["the old bill", "pcso"]
    assert terms.match("cumbria constabulary were great") == ["Cumbria Constabulary"]
    assert terms.match("the constabularly said nothing") == ["constabulary"]  # a long word, misspelt
    assert terms.match("Copeland copse, the policy on 1010 and a coping saw") == []  # short words are exact
    assert terms.match("Thanks to the Hindpool Neighbourhood Team!") == ["Hindpool neighbourhood team"]


@pytest.mark.parametrize(("given", "expected"), [
    ({"named": "Barrow Residents", "url": "https://www.reddit.com/r/Barrow/comments/1"}, ("group", "Barrow Residents")),
    ({"thread_account": "CumbriaPolice", "text": "#bikes"}, ("account", "@CumbriaPolice")),
    ({"url": "https://www.facebook.com/groups/walneyresidents/posts/12/?comment_id=3"}, ("group", "Facebook group walneyresidents")),
    ({"url": "https://old.reddit.com/r/BarrowInFurness/comments/abc/x/"}, ("subreddit", "r/BarrowInFurness")),
    ({"url": "https://www.facebook.com/BarrowPolice/posts/pfbid02?comment_id=9"}, ("account", "facebook.com/BarrowPolice")),
    ({"url": "https://www.facebook.com/permalink.php?story_fbid=1&id=2", "text": "Bikes #WalneyBikes again"}, ("hashtag", "#WalneyBikes")),
    ({"url": "https://x.com/someone/status/1", "text": "No tag here, &#39; is not one"}, ("", "")),
])
def test_a_posts_community_is_the_first_its_source_gives(given, expected):
    assert community_of(**given) == expected


def test_an_x_reply_joins_the_thread_of_the_account_it_replies_to():
    answer = {"data": [{"id": "2", "text": "@CumbriaPolice thanks", "created_at": "2026-11-20T10:00:00.000Z", "author_id": "9",
                        "in_reply_to_user_id": "7", "referenced_tweets": [{"type": "replied_to", "id": "1"}]},
                       {"id": "3", "text": "Bikes again #WalneyBikes", "created_at": "2026-11-20T10:00:00.000Z", "author_id": "9"}],
              "includes": {"users": [{"id": "9", "username": "ann_example"}, {"id": "7", "username": "CumbriaPolice"}]}}
    posts = list(read_posts(json.dumps(answer).encode(), Format.X_API_V2))
    assert [(p.community_kind, p.community) for p in posts] == [("account", "@CumbriaPolice"), ("hashtag", "#WalneyBikes")]


def test_a_media_monitoring_export_names_the_subreddit_or_group():
    data = "Mention,Date,Author,URL,Site,Location,Subreddit\nCops everywhere,2026-11-20,u1,https://reddit.com/r/x/1,Reddit,,BarrowInFurness\n"
    post = next(read_posts(data.encode(), Format.MEDIA_MONITORING))
    assert (post.community_kind, post.community) == ("group", "BarrowInFurness")


NEGATIVE = "The police never come, useless and terrible."
POSITIVE = "The police were brilliant, thank you so much."


def record(number, text, author, *, community="", url=""):
    return {"post_id": f"c-{number}", "text": text, "time": timezone.now().isoformat(), "site": "Facebook", "author": author,
            "community": community, "url": url or f"https://example.org/{number}"}


@pytest.fixture
def conversations(officer, places):
    """A residents' group (6 accounts, mostly negative), a subreddit and the force's own page (5 accounts each,
    positive), a hashtag of 2 accounts, and a person's own page with 5 repliers; posts not about the police too."""
    TeamContact.objects.create(neighbourhood=places["Hindpool"], facebook_url="https://www.facebook.com/BarrowPolice")
    records, n = [], 0

    def add(text, author, **where):
        nonlocal n
        n += 1
        records.append(record(n, text, author, **where))

    for i in range(6):
        add(NEGATIVE, f"res{i}", community="Barrow Residents Group")
    add(POSITIVE, "res0", community="Barrow Residents Group")
    for i in range(8):
        add("Bins not collected again, terrible.", f"res{i}", community="Barrow Residents Group")  # not about the police
    for i in range(5):
        add(POSITIVE, f"red{i}", url=f"https://www.reddit.com/r/BarrowInFurness/comments/{i}/")
        add(POSITIVE, f"fb{i}", url=f"https://www.facebook.com/BarrowPolice/posts/{i}?comment_id={i}")
        add(NEGATIVE, f"pal{i}", url=f"https://www.facebook.com/jane.example.99/posts/{i}?comment_id={i}")
    for i in range(2):
        add(f"{NEGATIVE} #WalneyBikes", f"tag{i}")
    job = import_file(officer, json.dumps(records).encode())
    assert job.status == "imported", job.errors
    return job


@pytest.mark.django_db
def test_each_post_keeps_the_police_words_it_holds(conversations):
    assert Post.objects.exclude(police_terms=[]).count() == 7 + 15 + 2
    assert {tuple(terms) for terms in Post.objects.filter(text=NEGATIVE).values_list("police_terms", flat=True)} == {("police",)}
    assert not Post.objects.filter(text__startswith="Bins").exclude(police_terms=[]).exists()


@pytest.mark.django_db
def test_the_ranking_names_groups_and_the_forces_accounts_and_folds_the_rest(officer, conversations):
    found = ranking(officer, organisation=officer.memberships.first().organisation)
    assert [(r.label, r.posts, r.accounts, r.negative) for r in found.most_negative] == [("Barrow Residents Group", 7, 6, 6)]
    assert [(r.label, r.kind_label, r.accounts) for r in found.most_positive] == [
        ("facebook.com/BarrowPolice", "Organisation's account", 5), ("r/BarrowInFurness", "Subreddit", 5),
        ("Barrow Residents Group", "Group or page", 6)]
    folded = {row.label.split(" (")[0]: (row.communities, row.posts, row.accounts) for row in found.folded}
    assert folded == {"Smaller communities": (1, 2, None), "Individuals' accounts": (1, 5, None)}
    assert found.police_posts == 24


@pytest.mark.django_db
def test_the_page_ranks_communities_without_naming_a_person_and_filters_to_the_police(officer_client, conversations):
    page = officer_client.get(reverse("digital:hot-topics"))
    html = page.content.decode()
    assert "Communities talking about the police" in html and "Barrow Residents Group" in html and "facebook.com/BarrowPolice" in html
    assert "jane.example.99" not in html and "#WalneyBikes" not in html  # a person's page; a community of 2 accounts
    assert "Individuals&#x27; accounts" in html or "Individuals' accounts" in html
    everything = sum(site["posts"] for site in page.context["sites"])
    police = officer_client.get(reverse("digital:hot-topics"), {"police": "1"})
    assert police.context["police_only"] and "About the police only" in police.content.decode()
    assert (everything, sum(site["posts"] for site in police.context["sites"])) == (32, 24)


@pytest.mark.django_db
def test_choosing_a_neighbourhood_keeps_the_police_filter(officer_client, places):
    response = officer_client.get(reverse("digital:hot-topics"), {"n": places["Roose"].pk, "police": "1"})
    assert response.url == reverse("digital:neighbourhood", args=[places["Roose"].pk]) + "?police=1"


@pytest.mark.django_db
def test_a_partner_without_personal_cover_never_reads_a_community(conversations):
    assert "community" in Post.PERSONAL_FIELDS
