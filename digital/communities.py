"""The community a post was part of: the group, page, subreddit, hashtag or account whose conversation it joined.

Each import format carries it differently; the first of these that the post has is its community:

1. the source names it: a generic file's `community` column (or `group`, `page`, `subreddit`), a media-monitoring
   export's `Subreddit`, `Group` or `Source Name`; shown as the source gives it (a group or page);
2. an X reply: the account whose post began the thread (the X API's `in_reply_to_user_id`, named from `includes`);
3. its link: a Facebook group (`facebook.com/groups/<name>`), a subreddit (`reddit.com/r/<name>`), or a Facebook page
   or profile (`facebook.com/<name>/posts/…`, as a Graph API comment's `permalink_url` gives it): an account;
4. its first hashtag.

**Who is named on the page.** Groups, subreddits and hashtags are places where many people talk: they are named.
An *account* is one person's or one organisation's: the page names it only when it is an organisation's public
account, known to the hub as one of the force's teams' published social-media accounts (finder.TeamContact). Any
other account is counted with the rest of the individuals' accounts under one line, never named: a resident whose
post draws replies has not chosen to be a subject of police monitoring, and naming their handle would single them
out. The handle is personal data like a post's author (Post.PERSONAL_FIELDS, removed by retention).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.db.models import Count, Q
from django.utils import timezone

# VADER's usual thresholds, as the hot-topics page counts positive and negative posts (digital.selectors).
POSITIVE, NEGATIVE = 0.05, -0.05


class CommunityKind:
    GROUP = "group"
    SUBREDDIT = "subreddit"
    HASHTAG = "hashtag"
    ACCOUNT = "account"
    NONE = ""

    CHOICES = [
        (GROUP, "A group or page named by the source"),
        (SUBREDDIT, "A subreddit"),
        (HASHTAG, "A hashtag"),
        (ACCOUNT, "An account (a reply thread, or a Facebook page or profile)"),
        (NONE, "None found"),
    ]


_HASHTAG = re.compile(r"(?<![\w&])#(\w{2,60})")
NOT_A_PAGE = {"groups", "permalink.php", "story.php", "photo.php", "photo", "watch", "events", "profile.php", "share", "reel", "hashtag"}


def _from_url(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.").removeprefix("old.")
    path = [piece for piece in parts.path.split("/") if piece]
    if host.endswith("facebook.com") and path:
        if path[0] == "groups" and len(path) > 1:
            return CommunityKind.GROUP, f"Facebook group {path[1]}"
        if path[0].lower() not in NOT_A_PAGE and len(path) > 1:
            return CommunityKind.ACCOUNT, f"facebook.com/{path[0]}"
    if host.endswith("reddit.com") and len(path) > 1 and path[0] == "r":
        return CommunityKind.SUBREDDIT, f"r/{path[1]}"
    return None


def community_of(*, named: str = "", thread_account: str = "", url: str = "", text: str = "") -> tuple[str, str]:
    """(kind, name) of a post's community, by the rule above; ("", "") when it has none."""
    if named.strip():
        return CommunityKind.GROUP, named.strip()[:200]
    if thread_account.strip():
        return CommunityKind.ACCOUNT, "@" + thread_account.strip().lstrip("@")[:199]
    found = _from_url(url) if url and ("facebook.com" in url or "reddit.com" in url) else None
    if found:
        return found[0], found[1][:200]
    tag = _HASHTAG.search(text) if text and "#" in text else None
    if tag:
        return CommunityKind.HASHTAG, f"#{tag.group(1)}"
    return CommunityKind.NONE, ""


def account_key(name: str) -> str:
    """An account's handle as it is compared with the force's published accounts: lower case, no @ or site."""
    return name.lower().removeprefix("facebook.com/").lstrip("@").strip("/")


def organisation_accounts(urls) -> set[str]:
    """The handles in the force's published social-media links (https://x.com/CumbriaPolice → "cumbriapolice")."""
    handles = set()
    for url in urls:
        try:
            path = [piece for piece in urlsplit(url).path.split("/") if piece]
        except ValueError:
            continue
        if path and path[0].lower() not in NOT_A_PAGE:
            handles.add(path[0].lower().lstrip("@"))
    return handles


# -- The ranking on the hot-topics page --------------------------------------------------------------------------

# A community is listed on its own only when at least this many accounts took part (like open data's rounding base,
# the hub's smallest count it shows of people); smaller ones are counted together, never named.
MINIMUM_ACCOUNTS = 5
SHOWN = 5
RANKING_DAYS = 91


@dataclass
class CommunityRow:
    label: str
    kind: str
    posts: int
    accounts: int | None  # None: not shown (rows that add several communities together count each account per community)
    positive: int
    negative: int
    communities: int = 1
    named: bool = True

    @property
    def positive_percent(self) -> int:
        return round(100 * self.positive / self.posts) if self.posts else 0

    @property
    def negative_percent(self) -> int:
        return round(100 * self.negative / self.posts) if self.posts else 0

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, "")


KIND_LABELS = {CommunityKind.GROUP: "Group or page", CommunityKind.SUBREDDIT: "Subreddit", CommunityKind.HASHTAG: "Hashtag",
               CommunityKind.ACCOUNT: "Organisation's account"}


@dataclass
class CommunityRanking:
    most_negative: list
    most_positive: list
    folded: list  # the small communities and the individuals' accounts, counted together
    police_posts: int
    minimum_accounts: int = MINIMUM_ACCOUNTS


def force_accounts(organisation) -> set[str]:
    """The handles of the force's teams' published social-media accounts (finder.TeamContact)."""
    from finder.models import TeamContact

    if organisation is None or organisation.force_pk is None:
        return set()
    contacts = TeamContact.objects.filter(neighbourhood__force_area__force_id=organisation.force_pk).values_list(*TeamContact.SOCIAL_FIELDS)
    return organisation_accounts(url for row in contacts for url in row if url)


def ranking(user, neighbourhood=None, *, organisation=None, days: int = RANKING_DAYS) -> CommunityRanking:
    """The communities generating the most negative and the most positive posts about the police in the last
    `days`, by counts only: posts, accounts taking part, and their positive and negative shares. Read through
    visible_to as the viewer; named only as the module says; small communities folded together."""
    from digital.selectors import visible_posts

    since = timezone.now() - timedelta(days=days)
    posts = visible_posts(user, neighbourhood, police_only=True).filter(posted_at__gte=since)
    rows = list(posts.values("community_kind", "community")
            .annotate(posts=Count("pk"), accounts=Count("author", distinct=True, filter=~Q(author="")),
                      positive=Count("pk", filter=Q(tone__gte=POSITIVE)), negative=Count("pk", filter=Q(tone__lte=NEGATIVE)))
            .order_by())
    police_posts = sum(row["posts"] for row in rows)  # posts with no community too: one query for both
    rows = [row for row in rows if row["community"]]
    # The force's published accounts are looked up only when an account is among the communities.
    published = force_accounts(organisation) if any(row["community_kind"] == CommunityKind.ACCOUNT for row in rows) else set()
    listed, small, individual = [], [], []
    for row in rows:
        is_account = row["community_kind"] == CommunityKind.ACCOUNT
        if is_account and account_key(row["community"]) not in published:
            individual.append(row)
        elif row["accounts"] < MINIMUM_ACCOUNTS:
            small.append(row)
        else:
            listed.append(CommunityRow(row["community"], row["community_kind"], row["posts"], row["accounts"], row["positive"], row["negative"]))
    folded = [
        CommunityRow(label, "", sum(r["posts"] for r in group), None, sum(r["positive"] for r in group),
                     sum(r["negative"] for r in group), communities=len(group), named=False)
        for label, group in ((f"Smaller communities (fewer than {MINIMUM_ACCOUNTS} accounts each), together", small),
                             ("Individuals' accounts (reply threads and personal pages), together and never named", individual))
        if group
    ]
    negative = sorted((r for r in listed if r.negative), key=lambda r: (-r.negative, -r.negative_percent, r.label))[:SHOWN]
    positive = sorted((r for r in listed if r.positive), key=lambda r: (-r.positive, -r.positive_percent, r.label))[:SHOWN]
    return CommunityRanking(most_negative=negative, most_positive=positive, folded=folded, police_posts=police_posts)
