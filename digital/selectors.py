"""What the hot-topics pages show, every read through visible_to as the viewer.

Counts are by week (Monday to Sunday). "Rising" compares the last week with the same place's own
eight weeks before it (digital.analysis.is_burst).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from digital.analysis import is_burst, tone_label
from digital.models import Post, Topic

BASELINE_WEEKS = 8
EXAMPLES = 3
SITES_SHOWN = 10


@dataclass
class TopicSummary:
    topic: Topic
    this_week: int
    baseline: list[int]
    tone: float | None
    examples: list[Post] = field(default_factory=list)

    @property
    def rising(self) -> bool:
        return is_burst(self.this_week, self.baseline)

    @property
    def baseline_mean(self) -> float:
        return round(sum(self.baseline) / len(self.baseline), 1) if self.baseline else 0.0

    @property
    def tone_label(self) -> str:
        return tone_label(self.tone)


def _week_start(moment):
    local = timezone.localtime(moment)
    return (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


def visible_posts(user, neighbourhood=None, *, police_only: bool = False):
    """The posts the viewer may see, of one neighbourhood or all; `police_only`: only those about the police
    (holding a word of the police gazetteer, digital.police_terms)."""
    posts = Post.objects.visible_to(user)
    if police_only:
        posts = posts.exclude(police_terms=[])
    return posts.filter(neighbourhood=neighbourhood) if neighbourhood is not None else posts


def topic_summaries(user, neighbourhood=None, *, now=None, police_only: bool = False) -> list[TopicSummary]:
    """The current topics the viewer may see, with this week's posts against the baseline weeks, rising first."""
    now = now or timezone.now()
    this_week = _week_start(now)
    since = this_week - timedelta(weeks=BASELINE_WEEKS)
    topics = {topic.pk: topic for topic in Topic.objects.visible_to(user).filter(is_current=True).select_related("category")}
    if not topics:
        return []
    weekly = (visible_posts(user, neighbourhood, police_only=police_only).filter(topic_id__in=topics, posted_at__gte=since)
              .annotate(week=TruncWeek("posted_at")).values("topic_id", "week").annotate(n=Count("pk"), avg_tone=Avg("tone")))
    counts: dict[int, dict] = defaultdict(dict)
    tones: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for row in weekly:
        counts[row["topic_id"]][_week_start(row["week"])] = row["n"]
        if row["avg_tone"] is not None:
            tones[row["topic_id"]].append((row["avg_tone"], row["n"]))
    summaries = []
    for topic_id, topic in topics.items():
        by_week = counts.get(topic_id, {})
        if not by_week:
            continue
        baseline = [by_week.get(this_week - timedelta(weeks=back), 0) for back in range(1, BASELINE_WEEKS + 1)]
        weighted = tones.get(topic_id, [])
        total = sum(n for _, n in weighted)
        tone = round(sum(t * n for t, n in weighted) / total, 2) if total else None
        summaries.append(TopicSummary(topic, by_week.get(this_week, 0), baseline, tone))
    summaries.sort(key=lambda s: (not s.rising, -s.this_week, -sum(s.baseline)))
    _attach_examples(user, summaries, neighbourhood, police_only)
    return summaries


def _attach_examples(user, summaries, neighbourhood, police_only: bool = False) -> None:
    """A few recent posts per topic, in one query (the newest of each topic by a window)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    wanted = [summary.topic.pk for summary in summaries]
    if not wanted:
        return
    ranked = (visible_posts(user, neighbourhood, police_only=police_only).filter(topic_id__in=wanted, text_removed_at__isnull=True)
              .annotate(rank=Window(RowNumber(), partition_by=[F("topic_id")], order_by=F("posted_at").desc())))
    examples = defaultdict(list)
    for post in Post.objects.visible_to(user).filter(pk__in=ranked.filter(rank__lte=EXAMPLES).values("pk")).order_by("-posted_at"):
        examples[post.topic_id].append(post)
    for summary in summaries:
        summary.examples = examples.get(summary.topic.pk, [])


def tone_over_time(user, neighbourhood=None, *, weeks: int = 12, now=None, police_only: bool = False) -> list[dict]:
    """Weekly posts and average tone, oldest first, with every week present (a zero week is news too)."""
    now = now or timezone.now()
    this_week = _week_start(now)
    since = this_week - timedelta(weeks=weeks - 1)
    rows = (visible_posts(user, neighbourhood, police_only=police_only).filter(posted_at__gte=since).annotate(week=TruncWeek("posted_at"))
            .values("week").annotate(n=Count("pk"), avg_tone=Avg("tone"),
                                     positive=Count("pk", filter=Q(tone__gte=0.05)), negative=Count("pk", filter=Q(tone__lte=-0.05))))
    by_week = {_week_start(row["week"]): row for row in rows}
    series = []
    for back in range(weeks - 1, -1, -1):
        week = this_week - timedelta(weeks=back)
        row = by_week.get(week, {})
        series.append({"week": week, "posts": row.get("n", 0), "tone": round(row["avg_tone"], 2) if row.get("avg_tone") is not None else None,
                       "positive": row.get("positive", 0), "negative": row.get("negative", 0)})
    return series


def sites(user, neighbourhood=None, *, days: int = 91, police_only: bool = False) -> list[dict]:
    """The sites and pages generating the most posts, with their positive and negative shares and how many
    accounts took part: counts only, never the accounts themselves."""
    since = timezone.now() - timedelta(days=days)
    rows = (visible_posts(user, neighbourhood, police_only=police_only).filter(posted_at__gte=since).values("site")
            .annotate(posts=Count("pk"), accounts=Count("author", distinct=True, filter=~Q(author="")), avg_tone=Avg("tone"),
                      positive=Count("pk", filter=Q(tone__gte=0.05)), negative=Count("pk", filter=Q(tone__lte=-0.05)))
            .order_by("-posts", "site")[:SITES_SHOWN])
    return [{**row, "tone": round(row["avg_tone"], 2) if row["avg_tone"] is not None else None,
             "positive_percent": round(100 * row["positive"] / row["posts"]) if row["posts"] else 0,
             "negative_percent": round(100 * row["negative"] / row["posts"]) if row["posts"] else 0} for row in rows]


def placing_summary(user, neighbourhood=None, *, police_only: bool = False) -> list[tuple[str, int]]:
    """How many posts each way of placing placed."""
    from digital.placing import PlacedBy

    labels = dict(PlacedBy.CHOICES)
    counts = Counter(dict(visible_posts(user, neighbourhood, police_only=police_only).values_list("placed_by").annotate(n=Count("pk")).values_list("placed_by", "n")))
    return [(labels[key], counts.get(key, 0)) for key, _ in PlacedBy.CHOICES]


def across_channels(user, neighbourhood=None, *, days: int = 28, police_only: bool = False) -> list[dict]:
    """Per issue category over the last `days`: posts online, partners' concerns and issues raised at
    engagements, so a theme can be seen across channels. Each count through visible_to."""
    from crm.models import EngagementIssue, IssueCategory
    from partners.models import Concern

    since = timezone.now() - timedelta(days=days)
    posts = visible_posts(user, neighbourhood, police_only=police_only).filter(posted_at__gte=since, category__isnull=False)
    concerns = Concern.objects.visible_to(user).filter(reported_at__gte=since)
    issues = EngagementIssue.objects.visible_to(user).filter(engagement__starts_at__gte=since)
    if neighbourhood is not None:
        concerns = concerns.filter(neighbourhood=neighbourhood)
        issues = issues.filter(engagement__neighbourhood=neighbourhood)
    online = dict(posts.values_list("category_id").annotate(n=Count("pk")).values_list("category_id", "n"))
    reported = dict(concerns.values_list("category_id").annotate(n=Count("pk")).values_list("category_id", "n"))
    raised = dict(issues.values_list("category_id").annotate(n=Count("pk")).values_list("category_id", "n"))
    wanted = set(online) | set(reported) | set(raised)
    rows = [{"category": category, "posts": online.get(category.pk, 0), "concerns": reported.get(category.pk, 0),
             "issues": raised.get(category.pk, 0)} for category in IssueCategory.objects.filter(pk__in=wanted)]
    return sorted(rows, key=lambda row: -(row["posts"] + row["concerns"] + row["issues"]))
