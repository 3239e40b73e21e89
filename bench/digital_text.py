"""Benchmark: topics, key phrases, tone and bursts in the hub's own free text (issues raised and concerns).

    .venv/bin/python bench/digital_text.py                    # 20,000 issues raised and 20,000 concerns
    .venv/bin/python bench/digital_text.py --texts 5000       # quicker
    .venv/bin/python bench/digital_text.py --tiny             # seconds of work: checks the benchmark still runs

Builds its own database (`engagement_hub_bench_digital_text`, from the PostGIS template, migrated; never the
development database) as named system work: a force with ten neighbourhoods and its officer, a council and a
housing association each reporting half the concerns, a protocol giving the force the council's and housing's
concerns and the council the force's engagements, N issues raised at engagements and N concerns over the last
13 weeks, from everyday texts with one planted theme. Then times, side by side in one run:

- **the floor**: reading the texts the analysis reads, through `visible_to`, as the force (no analysis);
- **the force's analysis** (`text_analysis_run` in `viewer_context(force)`, as the worker runs it): reading,
  TF-IDF and NMF per channel, filing every text, tone (VADER), YAKE key phrases, weekly counts per place, writing;
- **the council's analysis**: the same over what the council may read (its own concerns, the force's issues);
- **the hot-topics page's part**: `channel_topics` for the officer (the readability counts, topics, examples), with
  its query count.

Prints the load average before and after, peak memory (VmHWM), and one GOAL line per goal.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database_name, parse_with_tiny_mode, recreate_database, system_work  # noqa: E402

BENCH_DB = bench_database_name("digital_text")
# The analysis runs for every organisation after the daily collation: a force's must leave room for the rest.
GOAL_TEXTS_PER_SECOND = 1000
GOAL_PAGE_SECONDS = 0.5
FILLER = ["Parking on the pavement outside the primary school at pick up time", "Cars speeding along the main road past the park",
          "Graffiti sprayed on the bus shelter and the railway bridge", "Bins left out for days and litter blowing along the street",
          "Loud music from a flat late at night, neighbours kept awake", "Drug dealing near the alley behind the chip shop",
          "Shoplifting at the corner shop, staff feel unsafe", "Street drinking on the benches by the library",
          "Fly tipping of mattresses and fridges in the back lane", "Youths gathering and intimidating people at the precinct"]
PLANTED = ["Scrambler bikes racing across the playing field every evening", "Off road scramblers tearing up the playing field grass",
           "Quad bikes and scramblers on the playing field, children at risk"]
TAILS = ["", "this week", "most days", "near the estate", "after dark", "at the weekend", "again and again", "residents worried"]


def say(message: str) -> None:
    print(message, flush=True)


def peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def build(texts: int):
    from django.contrib.gis.geos import MultiPolygon, Point, Polygon
    from django.core.management import call_command
    from django.utils import timezone

    from access.roles import Role
    from crm.models import Engagement, EngagementIssue, IssueCategory
    from geo.models import ForceArea, Neighbourhood
    from organisations.models import Membership, Organisation, OrganisationKind, User
    from partners.models import Concern

    call_command("migrate", verbosity=0)
    force = Organisation.objects.create(name="Bench Constabulary", slug="bench", kind=OrganisationKind.POLICE_FORCE)
    council = Organisation.objects.create(name="Bench Council", slug="bench-council", kind=OrganisationKind.COUNCIL)
    housing = Organisation.objects.create(name="Bench Housing", slug="bench-housing", kind=OrganisationKind.HOUSING)
    officer = User.objects.create(username="bench-officer", first_name="Bench", last_name="Officer", email="officer@bench.example")
    Membership.objects.create(user=officer, organisation=force, role=Role.OFFICER, warranted=True)
    partner = User.objects.create(username="bench-partner", first_name="Bench", last_name="Partner", email="partner@bench.example")
    Membership.objects.create(user=partner, organisation=council, role=Role.PARTNER_USER)
    area = ForceArea.objects.create(force=force, code="bench", name="Bench")
    places = [Neighbourhood.objects.create(force_area=area, code=f"N{i}", name=f"Neighbourhood {i}", boundary=MultiPolygon(
        Polygon.from_bbox((-3.3 + 0.03 * i, 54.0, -3.27 + 0.03 * i, 54.03)), srid=4326)) for i in range(10)]
    categories = list(IssueCategory.objects.all())  # seeded by the migrations
    rng, now = random.Random(7), timezone.now()

    def text() -> str:
        return f"{rng.choice(PLANTED if rng.random() < 0.15 else FILLER)} {rng.choice(TAILS)}".strip()

    engagements = Engagement.objects.bulk_create([
        Engagement(organisation=force, kind="beat_meeting", title=f"Beat meeting {i}", status="held", neighbourhood=rng.choice(places),
                   starts_at=now - timedelta(days=rng.uniform(0.5, 90)), location=Point(-3.28, 54.01, srid=4326))
        for i in range(max(1, texts // 4))])
    EngagementIssue.objects.bulk_create([EngagementIssue(engagement=rng.choice(engagements), category=rng.choice(categories),
                                                         description=text()) for _ in range(texts)], batch_size=5000)
    Concern.objects.bulk_create([
        Concern(organisation=council if i % 2 else housing, category=rng.choice(categories), location=Point(-3.28, 54.01, srid=4326),
                occurred_at=now - timedelta(days=1), reported_at=now - timedelta(days=rng.uniform(0.1, 90)), channel="phone",
                description=text(), fingerprint=f"{i:064x}", neighbourhood=rng.choice(places)) for i in range(texts)], batch_size=5000)
    from sharing_protocols.models import DataCategory
    from tests.sharing_protocols.conftest import publish_protocol

    publish_protocol(provider=council, recipient=force, categories=(DataCategory.CONCERNS,), personal=True, reference="bench-council")
    publish_protocol(provider=housing, recipient=force, categories=(DataCategory.CONCERNS,), personal=True, reference="bench-housing")
    publish_protocol(provider=force, recipient=council, categories=(DataCategory.ENGAGEMENTS,), personal=True, reference="bench-force")
    return force, council, officer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=20_000, help="issues raised, and as many concerns")
    args = parse_with_tiny_mode(parser, texts=400)
    say(f"Building {BENCH_DB}: {args.texts:,} issues raised and {args.texts:,} concerns…")
    recreate_database(BENCH_DB)
    os.environ["HUB_DB_NAME"] = BENCH_DB
    os.environ["DJANGO_SETTINGS_MODULE"] = "engagement_hub.settings.local"
    os.environ.setdefault("HUB_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    system_work("digital free-text benchmark: building its data")
    force, council, officer = build(args.texts)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from digital import analysis
    from digital.analysis_text import (
        _concern_texts, _issue_texts, channel_topics, text_analysis_request, text_analysis_run,
    )
    from digital.services import ANALYSIS_DAYS
    from digital.text_models import TextTopic
    from row_security.context import viewer_context

    analysis.topic_stop_words(), analysis.tone_scorer()  # models loaded first, as in a running worker
    say("Timing, side by side…")
    load_before = os.getloadavg()
    since = timezone.now() - timedelta(days=ANALYSIS_DAYS)
    started = time.perf_counter()
    with viewer_context(force):
        read = len(_issue_texts(force, since)) + len(_concern_texts(force, since))
    floor_s = time.perf_counter() - started

    results = {}
    for name, organisation in (("force", force), ("council", council)):
        job, _ = text_analysis_request(organisation=organisation)
        started = time.perf_counter()
        with viewer_context(organisation):
            job = text_analysis_run(analysis_id=job.pk)
        seconds = time.perf_counter() - started
        assert job.status == "done", job.message
        texts = len(job.issue_ids) + len(job.concern_ids)
        results[name] = (texts, seconds, TextTopic.objects.filter(analysis=job).count())

    with viewer_context(officer):
        channel_topics(officer)  # warm
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            shown = channel_topics(officer)
        page_s = time.perf_counter() - started
    load_after = os.getloadavg()
    planted = [topic for topic in TextTopic.objects.filter(analysis=shown.analysis)
               if any(term in word for word, _ in topic.words[:5] for term in ("scrambler", "quad", "playing field"))]

    say(f"Load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
        f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} (2 cores, shared)")
    say(f"Floor (reading {read:,} texts through visible_to as the force): {floor_s:.2f} s")
    for name, (texts, seconds, topics) in results.items():
        say(f"The {name}'s analysis: {texts:,} texts in {seconds:.2f} s ({texts / seconds:,.0f} a second), {topics} topics")
    say(f"The page's channel topics for the officer: {page_s * 1000:.0f} ms, {len(queries)} queries; "
        f"the planted theme (15% of texts) leads {len(planted)} of the force's topics, holding "
        f"{sum(topic.count for topic in planted):,} texts")
    say(f"Peak memory of this process (VmHWM): {peak_mb():.0f} MB")
    texts, seconds, _ = results["force"]
    rate = texts / seconds
    say(f"GOAL digital-text-analysis-texts-per-second: measured {rate:,.0f} a second over {texts:,} texts (goal at least "
        f"{GOAL_TEXTS_PER_SECOND:,}) {'MET' if rate >= GOAL_TEXTS_PER_SECOND else 'NOT MET'}")
    say(f"GOAL digital-text-topics-page-part: measured {page_s:.3f} s (goal at most {GOAL_PAGE_SECONDS} s) "
        f"{'MET' if page_s <= GOAL_PAGE_SECONDS else 'NOT MET'}")


if __name__ == "__main__":
    main()
