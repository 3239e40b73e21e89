"""Benchmark: social-media posts through import, placing, tone and topics (digital engagement).

    .venv/bin/python bench/digital.py                  # 100,000 posts
    .venv/bin/python bench/digital.py --posts 20000    # a quicker run
    .venv/bin/python bench/digital.py --tiny           # seconds: checks the benchmark still runs

Builds its own database (`engagement_hub_bench_digital`, copied from the PostGIS template and migrated;
never the development database): a force of 40 neighbourhoods (grid squares with densified edges, each
with four small areas, all with names people write), and a labelled, synthetic export of N posts in the
generic CSV format (digital.demo: coordinates on three in ten, the source's place text on two in ten,
a place named in the text on a quarter, nothing on the rest; six categories; tone phrases).

It then times, in one run, side by side:
- **the hub's path**: the dry run (`conversation_import_check`: reading and checking the file once, keeping
  the checked posts), the import (`conversation_import_commit`: placing the kept posts, tone in a second
  process, writing in batches in one transaction) and the analysis
  (`analyse_conversations`: TF-IDF, NMF, YAKE keywords, category mapping, filing each post) — with the
  models loaded first (VADER's lexicon, scikit-learn), as the goal says;
- **the floor**: the same rows written by the import's own writer (COPY into a staging table, one INSERT … SELECT
  per batch) with no reading, placing, tone or topics.

Memory: the import and the analysis each run in a fresh subprocess on a quarter, a half and all of the
posts, and print their peak resident size (VmHWM), so its growth with the input can be read.

Quality: on the labelled posts (at least 1,000), the precision and recall of placing (a neighbourhood
named, against the truth) and of topic assignment (the category of a post's topic, against the truth).
Ends with one GOAL line per goal.
"""
from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database_name, parse_with_tiny_mode, recreate_database  # noqa: E402

BENCH_DB = bench_database_name("digital")
GOAL_POSTS_PER_SECOND = 2000
GOAL_MEMORY_GROWTH = 1.5  # peak at all the posts within 1.5 times the peak at a quarter of them
NAMES = ["Hindpool", "Ormsgill", "Walney North", "Walney South", "Roose", "Newbarns", "Risedale", "Parkside", "Dalton North",
         "Dalton South", "Askam", "Ireleth", "Lindal", "Marton", "Ulverston Town", "Ulverston East", "Swarthmoor", "Pennington",
         "Broughton", "Coniston", "Hawkshead", "Grange", "Kents Bank", "Cartmel", "Flookburgh", "Allithwaite", "Lindale",
         "Kendal Castle", "Kendal Fell", "Kendal Highgate", "Kendal Nether", "Kendal Oxenholme", "Kendal Parks", "Kendal Strickland",
         "Windermere Applethwaite", "Bowness", "Ambleside", "Grasmere", "Staveley", "Burneside"]
WEST, SOUTH, SIZE, COLUMNS = -3.30, 54.05, 0.03, 8


def say(message: str) -> None:
    print(message, flush=True)


def setup_django() -> None:
    os.environ["HUB_DB_NAME"] = BENCH_DB
    os.environ["DJANGO_SETTINGS_MODULE"] = "engagement_hub.settings.local"
    os.environ.setdefault("HUB_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    # Row-level security: building, counting and clearing the benchmark's data is system work, named and held for
    # the process; each timed step of the hub's path reads and writes as the organisation, as the worker does
    # (digital/tasks.py), through as_the_worker.
    from row_security.context import Context, _current

    _current.set(Context("system", name="digital benchmark"))


def as_the_worker(organisation_id: int):
    """The row-security context digital/tasks.py gives the import and the analysis: the organisation's own."""
    from organisations.models import Organisation
    from row_security.context import viewer_context

    return viewer_context(Organisation.objects.get(pk=organisation_id))


def densified_square(west: float, south: float, size: float):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    steps = 60
    edge = [(west + size * i / steps, south) for i in range(steps)] + [(west + size, south + size * i / steps) for i in range(steps)]
    edge += [(west + size - size * i / steps, south + size) for i in range(steps)] + [(west, south + size - size * i / steps) for i in range(steps)]
    return MultiPolygon(Polygon(edge + [edge[0]], srid=4326), srid=4326)


def build_force() -> tuple:
    from django.core.management import call_command

    from organisations.models import Membership, Organisation, OrganisationKind, User
    from access.roles import Role
    from geo.models import ForceArea, Neighbourhood, SmallArea, SmallAreaKind

    call_command("migrate", verbosity=0)  # nothing to do when copied from the CI test's migrated template
    force = Organisation.objects.create(name="Bench Constabulary", slug="bench", kind=OrganisationKind.POLICE_FORCE)
    user = User.objects.create(username="bench-officer", first_name="Bench", last_name="Officer")
    Membership.objects.create(user=user, organisation=force, role=Role.MANAGER)
    area = ForceArea.objects.create(force=force, code="bench", name="Bench", boundary=densified_square(WEST, SOUTH, SIZE * COLUMNS))
    boxes = []
    for index, name in enumerate(NAMES):
        west, south = WEST + SIZE * (index % COLUMNS), SOUTH + SIZE * (index // COLUMNS)
        neighbourhood = Neighbourhood.objects.create(force_area=area, code=f"B{index}", name=name, boundary=densified_square(west, south, SIZE))
        half = SIZE / 2
        for quarter in range(4):
            SmallArea.objects.create(kind=SmallAreaKind.LSOA, code=f"E01{index:04d}{quarter}", name=f"{name} {quarter + 1}",
                                     neighbourhood=neighbourhood,
                                     boundary=densified_square(west + half * (quarter % 2), south + half * (quarter // 2), half))
        boxes.append({"name": name, "west": west + 0.001, "south": south + 0.001, "east": west + SIZE - 0.001, "north": south + SIZE - 0.001})
    return force, user, boxes


def write_export(posts: list[dict], path: Path, prefix: str = "") -> None:
    columns = ["post_id", "text", "time", "site", "author", "url", "place", "latitude", "longitude"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for post in posts:
            writer.writerow([prefix + post["post_id"] if column == "post_id" else post[column] for column in columns])


def new_job(user, path: Path):
    from django.core.files import File

    from digital.models import ConversationImport, ImportStatus

    job = ConversationImport(organisation=user.memberships.first().organisation, created_by=user, original_name=path.name,
                             file_format="generic", file_sha256="bench", lawful_basis="law_enforcement", purpose="Benchmark",
                             status=ImportStatus.QUEUED)
    with path.open("rb") as handle:
        job.upload.save(path.name, File(handle), save=False)
    job.save()
    return job


def load_models() -> None:
    from digital import analysis

    analysis.tone("warm up")
    analysis.topic_stop_words()
    import sklearn.decomposition  # noqa: F401
    import yake  # noqa: F401


def peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def refuse_if_checkout_moved() -> None:
    """A child started after the checkout changed under the run (a merge adding a migration) would run new code
    on the old schema and fail on whatever it lacks (on 27 November: a SQL function from the newly merged
    crm/migrations/0010). Say so instead."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    missing = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if missing:
        sys.exit(f"The code changed during the benchmark: its database lacks {len(missing)} migration(s) of this checkout "
                 f"({', '.join(f'{m.app_label}.{m.name}' for m, _ in missing[:3])}). Run the benchmark again.")


def memory_child(path: str, stage: str) -> None:
    """In a fresh process: the import (or the analysis) of `path`; print the peak resident size."""
    setup_django()
    refuse_if_checkout_moved()
    from organisations.models import User
    from digital.models import ImportStatus
    from digital.services import analyse_conversations, conversation_import_check, conversation_import_commit

    load_models()
    user = User.objects.get(username="bench-officer")
    before = peak_kb()
    organisation_id = user.memberships.first().organisation_id
    if stage == "import":  # the dry run (which keeps the checked posts) and the import, as a user runs them
        job = new_job(user, Path(path))
        with as_the_worker(organisation_id):
            conversation_import_check(job_id=job.pk)
        type(job).objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
        with as_the_worker(organisation_id):
            conversation_import_commit(job_id=job.pk)
    else:
        with as_the_worker(organisation_id):
            analyse_conversations(organisation_id=organisation_id)
    print(f"{before} {peak_kb()}")


# The analysis of a part by any checkout's code (this one's or the base's, whose bench/digital.py has the same
# setup_django, load_models and peak_kb), timed once its models are loaded: prints peak before, peak after, seconds.
ANALYSIS_CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
from bench import digital as bench
bench.setup_django()
getattr(bench, "refuse_if_checkout_moved", lambda: None)()
from organisations.models import User
from digital.services import analyse_conversations
bench.load_models()
organisation_id = User.objects.get(username="bench-officer").memberships.first().organisation_id
import contextlib
as_the_worker = getattr(bench, "as_the_worker", lambda organisation_id: contextlib.nullcontext())  # a checkout before row-level security has none
before, started = bench.peak_kb(), time.perf_counter()
with as_the_worker(organisation_id):
    analyse_conversations(organisation_id=organisation_id)
print(before, bench.peak_kb(), time.perf_counter() - started)
"""


def run_child(checkout: Path, part: Path, stage: str) -> tuple[int, int, float]:
    """The import or the analysis of `part` by `checkout`'s code, in a fresh process: (peak before, peak after) in kB,
    and the analysis's seconds (0 for the import)."""
    command = ([str(checkout / "bench" / "digital.py"), "--memory-child", str(part), stage] if stage == "import"
               else ["-c", ANALYSIS_CHILD, str(checkout)])
    child = subprocess.run([sys.executable, *command], cwd=checkout, capture_output=True, text=True, env={**os.environ, "HUB_DB_NAME": BENCH_DB})
    if child.returncode:  # say what broke, not only that it did
        sys.exit(f"The {stage} memory run of {part.name} ({checkout}) failed:\n{child.stderr}")
    figures = child.stdout.split()
    if stage == "import":
        return int(figures[-2]), int(figures[-1]), 0.0
    return int(figures[-3]), int(figures[-2]), float(figures[-1])


def remove_posts(organisation_id: int) -> None:
    from django.db import connection

    from digital.models import Post

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Post._meta.db_table} WHERE organisation_id = %s", [organisation_id])
        # Without this the planner keeps the statistics of before the DELETE and walks its dead rows: the next
        # part's dry run counted the posts already held for 14 minutes (a nested loop over 50,000 dead rows).
    from row_security.context import no_context

    with no_context(), connection.cursor() as cursor:  # no grant set to carry: VACUUM runs outside any transaction
        cursor.execute(f"VACUUM ANALYZE {Post._meta.db_table}")


def quality(labelled: list[dict], organisation_id: int, prefix: str = "") -> dict:
    from digital.models import Post

    truth = {prefix + post["post_id"]: post for post in labelled}
    posts = Post.objects.filter(organisation_id=organisation_id, post_id__in=list(truth)).select_related("neighbourhood", "category")
    placed = right_place = should_place = 0
    assigned = right_topic = 0
    for post in posts:
        known = truth[post.post_id]
        should_place += known["truth_neighbourhood"] is not None
        if post.neighbourhood_id:
            placed += 1
            right_place += post.neighbourhood.name == known["truth_neighbourhood"]
        if post.category_id:
            assigned += 1
            right_topic += post.category.slug == known["truth_category"]
    count = len(truth)
    return {"placing_precision": right_place / max(placed, 1), "placing_recall": right_place / max(should_place, 1),
            "topic_precision": right_topic / max(assigned, 1), "topic_recall": right_topic / max(count, 1), "labelled": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--compare-with", metavar="CHECKOUT",
                        help="another checkout (e.g. a `git archive` of the base commit): its analysis runs on the same posts beside this one's")
    parser.add_argument("--memory-child", nargs=2, metavar=("PATH", "STAGE"), help=argparse.SUPPRESS)
    args = parse_with_tiny_mode(parser, posts=1500)
    if args.memory_child:
        memory_child(*args.memory_child)
        return
    count = args.posts
    say(f"Building {BENCH_DB}: 40 neighbourhoods, {count:,} labelled posts…")
    recreate_database(BENCH_DB)
    setup_django()
    import tempfile

    from django.conf import settings

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="hub-bench-digital-"))
    from digital.demo import labelled_posts
    from digital.models import ImportStatus, Post
    from digital.services import analyse_conversations, conversation_import_check, conversation_import_commit

    force, user, boxes = build_force()
    posts = labelled_posts(count, boxes, seed=17)
    work = Path(settings.MEDIA_ROOT)
    export = work / "posts.csv"
    write_export(posts, export)
    load_models()

    say("The hub's path (models loaded first)…")
    load_before = os.getloadavg()
    job = new_job(user, export)
    started = time.perf_counter()
    with as_the_worker(force.pk):
        conversation_import_check(job_id=job.pk)
    checked = time.perf_counter()
    type(job).objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    with as_the_worker(force.pk):
        job = conversation_import_commit(job_id=job.pk)
    committed = time.perf_counter()
    with as_the_worker(force.pk):
        analyse_conversations(organisation_id=force.pk)
    analysed = time.perf_counter()
    load_after = os.getloadavg()
    assert job.created_count == count, job.errors[:3]
    check_s, commit_s, analyse_s = checked - started, committed - checked, analysed - committed
    total_s = analysed - started
    scores = quality(posts, force.pk)

    say("The floor: the same rows written with no reading, placing, tone or topics…")
    from django.utils import timezone

    from django.db import transaction

    from digital.placing import PlacedBy
    from digital.writer import PostRow, PostWriter

    floor_started = time.perf_counter()
    with as_the_worker(force.pk), transaction.atomic():
        writer = PostWriter()
        for start in range(0, len(posts), 5000):
            writer.write(PostRow(organisation_id=force.pk, created_by_id=user.pk, source_import_id=job.pk, site=p["site"],
                                 post_id="floor-" + p["post_id"], posted_at=timezone.now(), text=p["text"], author=p["author"],
                                 url=p["url"], place_text=p["place"], reply_to="", longitude=None, latitude=None, neighbourhood_id=None,
                                 placed_by=PlacedBy.UNPLACED, placed_match="", tone=None)
                         for p in posts[start:start + 5000])
    floor_s = time.perf_counter() - floor_started

    say("Peak memory of the import and the analysis (fresh subprocesses, each part alone), a quarter, a half and all the posts…")
    peaks, analysis_runs = {}, {}
    checkouts = [("this", ROOT)] + ([("base", Path(args.compare_with).resolve())] if args.compare_with else [])
    for share, label in ((4, "quarter"), (2, "half"), (1, "all")):
        part = work / f"part-{label}.csv"
        part_posts = posts[: count // share]
        write_export(part_posts, part, prefix=f"mem-{label}-")
        remove_posts(force.pk)  # the organisation holds only this part: the analysis reads what the import wrote
        peaks[(label, "import")] = run_child(ROOT, part, "import")
        for name, checkout in checkouts:  # the same posts, analysed by each checkout's code in turn
            peaks[(label, "analysis", name)] = run_child(checkout, part, "analysis")
            analysis_runs[(label, name)] = (peaks[(label, "analysis", name)][2], quality(part_posts, force.pk, prefix=f"mem-{label}-"))

    rate = count / total_s
    say("")
    say(f"{count:,} posts, 40 neighbourhoods, 160 small areas, on {os.cpu_count()} cores (load average {load_before[0]:.1f} "
        f"before the hub's path, {load_after[0]:.1f} after):")
    say(f"  dry run (check)        {check_s:8.2f} s   {count / check_s:10,.0f} posts/s")
    say(f"  import (place, tone)   {commit_s:8.2f} s   {count / commit_s:10,.0f} posts/s")
    say(f"  analysis (topics)      {analyse_s:8.2f} s   {count / analyse_s:10,.0f} posts/s")
    say(f"  end to end             {total_s:8.2f} s   {rate:10,.0f} posts/s")
    say(f"  floor (write only)    {floor_s:8.2f} s   {count / floor_s:10,.0f} posts/s   (the hub's path is {total_s / floor_s:.1f} times the floor)")
    say(f"  shares of the hub's path: dry run {check_s / total_s:.0%}, import {commit_s / total_s:.0%}, analysis {analyse_s / total_s:.0%}")
    say("Peak resident memory (MB) at the end (the import's: its dry run and import in one process):")
    say("  import    " + "   ".join(f"{label} {peaks[(label, 'import')][1] / 1024:7.0f}" for label in ("quarter", "half", "all")))
    for name, checkout in checkouts:
        cells = "   ".join(f"{label} {peaks[(label, 'analysis', name)][1] / 1024:7.0f}" for label in ("quarter", "half", "all"))
        say(f"  analysis  {cells}   ({name}: {checkout})")
    say("The analysis of each part alone (seconds, models loaded first; topic precision / recall):")
    for name, checkout in checkouts:
        say(f"  {name:5s} " + "   ".join(f"{label} {analysis_runs[(label, name)][0]:6.1f} s {analysis_runs[(label, name)][1]['topic_precision']:.3f}"
                                     f"/{analysis_runs[(label, name)][1]['topic_recall']:.3f}" for label in ("quarter", "half", "all")))
    say(f"Quality on {scores['labelled']:,} labelled posts: placing precision {scores['placing_precision']:.3f}, recall "
        f"{scores['placing_recall']:.3f}; topic (category) precision {scores['topic_precision']:.3f}, recall {scores['topic_recall']:.3f}")
    growth = {"import": peaks[("all", "import")][1] / max(peaks[("quarter", "import")][1], 1),
              "analysis": peaks[("all", "analysis", "this")][1] / max(peaks[("quarter", "analysis", "this")][1], 1)}
    say(f"GOAL digital-posts-per-second-end-to-end: measured {rate:,.0f} a second (goal at least {GOAL_POSTS_PER_SECOND:,}) "
        f"{'MET' if rate >= GOAL_POSTS_PER_SECOND else 'NOT MET'}")
    for stage in ("import", "analysis"):
        say(f"GOAL digital-{stage}-memory-flat: measured {growth[stage]:.2f}x from a quarter to all the posts (goal at most "
            f"{GOAL_MEMORY_GROWTH}x) {'MET' if growth[stage] <= GOAL_MEMORY_GROWTH else 'NOT MET'}")


if __name__ == "__main__":
    main()
