"""Open-data releases: versioned, CSV and JSON with a datapackage.json that Frictionless
validates, disclosure control on every count, and counts only (no free text, screened or not)."""
import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from frictionless import Package, validate

from crm.models import ActionStatus, EngagementKind, PriorityStatus
from publication.models import Release, ReleaseStatus, ReleaseTrigger
from publication.releases import build
from sharing_protocols.models import Classification
from tests.factories import ConcernFactory, EngagementFactory, SmallAreaFactory, issue_category, square
from tests.publication.conftest import priority_with_action

THRESHOLD = 5
TABLES = ("concerns-by-category-lsoa-month", "engagements-by-type-neighbourhood-month",
          "priorities-by-neighbourhood-category-status-month", "actions-by-neighbourhood-category-status-month")


@pytest.fixture(autouse=True)
def release_dir(settings, tmp_path):
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    settings.OPEN_DATA_MIN_COUNT = THRESHOLD
    settings.OPEN_DATA_MONTHS = 3
    return settings.OPEN_DATA_DIR


def last_month(day: int = 10) -> dt.datetime:
    first = timezone.localdate().replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=day)
    return timezone.make_aware(dt.datetime.combine(previous, dt.time(12)))


@pytest.fixture
def areas(hindpool):
    return [
        SmallAreaFactory(code="E01019138", name="Barrow-in-Furness 001A", neighbourhood=hindpool, boundary=square(west=-3.25, south=54.10, size=0.005)),
        SmallAreaFactory(code="E01019139", name="Barrow-in-Furness 001B", neighbourhood=hindpool, boundary=square(west=-3.245, south=54.10, size=0.005)),
        SmallAreaFactory(code="E01019140", name="Barrow-in-Furness 001C", neighbourhood=hindpool, boundary=square(west=-3.25, south=54.105, size=0.005)),
    ]


@pytest.fixture
def data(hindpool, central, areas, council, screen):
    fly_tipping, noise = issue_category("fly-tipping"), issue_category("anti-social-behaviour")
    for area, category, count in ((areas[0], fly_tipping, 3), (areas[1], fly_tipping, 9), (areas[2], fly_tipping, 8),
                                  (areas[0], noise, 7), (areas[1], noise, 6), (areas[2], noise, 12)):
        for _ in range(count):
            ConcernFactory(organisation=council, category=category, lsoa=area, neighbourhood=hindpool, reported_at=last_month(),
                           reporter_name="Maureen Whitlock", place="Behind 14 Duke Street", description="Bags dumped by number 14.")
    ConcernFactory(organisation=council, lsoa=areas[0], reported_at=last_month(), classification=Classification.OFFICIAL_SENSITIVE,
                   description="Sensitive.")
    for _ in range(6):
        EngagementFactory(organisation=hindpool.team, neighbourhood=hindpool, kind=EngagementKind.BEAT_MEETING, starts_at=last_month(5))
    EngagementFactory(organisation=hindpool.team, neighbourhood=hindpool, kind=EngagementKind.SURGERY, starts_at=last_month(6))
    agreed, acted = {"issue_date": last_month(2).date()}, {"action_fields": {"action_date": last_month(20).date()}}
    priority_with_action(hindpool, **agreed, **acted)
    priority_with_action(hindpool, issue="Dealing at the flats, see OFFICIAL-SENSITIVE briefing.", action="Warrant executed.", **agreed, **acted)
    screen()


def new_release() -> Release:
    version = (Release.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    return Release.objects.create(version=version, trigger=ReleaseTrigger.SCHEDULE)


def rows(release_dir: Path, release: Release, name: str) -> list[dict]:
    with open(release_dir / str(release.version) / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_release_passes_frictionless_validation(data, release_dir):
    release = build(new_release())
    assert release.status == ReleaseStatus.PUBLISHED
    report = validate(release_dir / str(release.version) / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])
    cli = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate", "datapackage.json"],
                         cwd=release_dir / str(release.version), capture_output=True, text=True)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    package = Package(release_dir / str(release.version) / "datapackage.json")
    for name in TABLES:
        as_csv = [row.to_dict() for row in package.get_resource(f"{name}-csv").read_rows()]
        assert as_csv == [row.to_dict() for row in package.get_resource(f"{name}-json").read_rows()] and as_csv


def test_an_empty_hub_still_makes_a_valid_release(hindpool, release_dir):
    release = build(new_release())
    assert validate(release_dir / str(release.version) / "datapackage.json").valid


def test_the_package_names_the_licence_and_a_schema_for_every_file(data, release_dir):
    release = build(new_release())
    package = json.loads((release_dir / str(release.version) / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "OGL-UK-3.0"
    assert {r["path"] for r in package["resources"]} == {
        f"{name}.{fmt}" for name in TABLES for fmt in ("csv", "json")
    }
    assert all(resource["schema"]["fields"] for resource in package["resources"])


def test_small_counts_are_suppressed_with_secondary_suppression(data, release_dir):
    release = build(new_release())
    month = f"{last_month():%Y-%m}"
    published = [r for r in rows(release_dir, release, "concerns-by-category-lsoa-month") if r["month"] == month]
    cell = {(r["category"], r["lsoa_code"]): r for r in published}
    assert cell[("fly-tipping", "E01019138")]["concerns"] == "" and cell[("fly-tipping", "E01019138")]["suppressed"] == "true"
    assert cell[("anti-social-behaviour", "E01019140")]["concerns"] == "12"
    assert cell[("all", "all")]["concerns"] in ("", "45")  # the sensitive concern is not counted
    for r in published:
        assert r["concerns"] == "" or not 0 < int(r["concerns"]) < THRESHOLD
    # No row or column of the month's table (totals included) has exactly one suppressed cell.
    categories = {r["category"] for r in published}
    lsoas = {r["lsoa_code"] for r in published}
    for category in categories:
        assert sum(cell[(category, lsoa)]["suppressed"] == "true" for lsoa in lsoas) != 1
    for lsoa in lsoas:
        assert sum(cell[(category, lsoa)]["suppressed"] == "true" for category in categories) != 1
    engagements = {(r["engagement_type"], r["neighbourhood"]): r for r in rows(release_dir, release, "engagements-by-type-neighbourhood-month")
                   if r["month"] == month}
    assert engagements[("surgery", "HIND")]["suppressed"] == "true"  # one surgery: too few to show
    assert engagements[("beat_meeting", "HIND")]["suppressed"] == "true"  # else the column total gives the surgery away
    assert engagements[("beat_meeting", "CENT")]["engagements"] == "0"
    for r in engagements.values():
        assert r["engagements"] == "" or not 0 < int(r["engagements"]) < THRESHOLD


def test_no_personal_data_free_text_or_flagged_wording_leaves(data, release_dir):
    release = build(new_release())
    folder = release_dir / str(release.version)
    everything = "".join(path.read_text(encoding="utf-8") for path in folder.iterdir())
    for secret in ("Whitlock", "Behind 14", "Bags dumped", "Sensitive.", "OFFICIAL-SENSITIVE briefing", "Warrant executed"):
        assert secret not in everything
    for name in TABLES:  # counts only: codes, names from vocabularies and geography, months, counts and flags
        assert not {"issue", "action", "description", "notes", "title"} & set(rows(release_dir, release, name)[0])
    assert {r["lsoa_code"] for r in rows(release_dir, release, "concerns-by-category-lsoa-month")} <= {"E01019138", "E01019139", "E01019140", "all"}


def test_releases_are_kept_by_version_and_served_with_dataset_metadata(data, release_dir, client):
    build(new_release())
    build(new_release())
    assert (release_dir / "1" / "datapackage.json").exists() and (release_dir / "2" / "datapackage.json").exists()
    page = client.get(reverse("publication:release", args=[1])).content.decode()
    json_ld = json.loads(page.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert "Dataset" in json_ld["@type"] and "dcat:Dataset" in json_ld["@type"]
    assert json_ld["license"] == "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    assert len(json_ld["distribution"]) == 9 and json_ld["version"] == "1"
    assert "Actions taken on priorities, by neighbourhood, category, status and month" in page
    download = client.get(reverse("publication:release-file", args=[2, "actions-by-neighbourhood-category-status-month.csv"]))
    content = b"".join(download.streaming_content)
    assert download["Content-Type"] == "text/csv" and content.startswith(b"month,category,category_name,status,status_name,force,")
    assert client.get("/open-data/releases/2/..%2F..%2Fsettings.py").status_code == 404
    assert client.get("/open-data/releases/2/notes.txt").status_code == 404
    assert client.get(reverse("publication:latest-release")).url == reverse("publication:release", args=[2])
    assert "Version 2" in client.get(reverse("publication:open-data")).content.decode()


def test_a_failed_build_leaves_nothing_half_written(data, release_dir, monkeypatch):
    from publication import releases

    monkeypatch.setattr(releases, "action_count_rows", lambda **_: 1 / 0)
    release = new_release()
    with pytest.raises(ZeroDivisionError):
        build(release)
    release.refresh_from_db()
    assert release.status == ReleaseStatus.FAILED and "division by zero" in release.error
    assert list(release_dir.iterdir()) == []


def test_a_manager_can_ask_for_a_release_now_and_an_officer_cannot(client, manager, officer, django_capture_on_commit_callbacks, monkeypatch):
    from publication import tasks

    queued = []
    monkeypatch.setattr(tasks.build_release, "apply_async", lambda args, **options: queued.append(args[0]))
    client.force_login(officer)
    assert client.post(reverse("publication:release-request")).status_code == 403
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("publication:release-request"))
    assert response.status_code == 302
    release = Release.objects.get()
    assert release.trigger == ReleaseTrigger.ON_DEMAND and release.requested_by == manager and queued == [release.pk]


def test_the_release_is_on_the_beat_schedule():
    from engagement_hub.celery import app

    schedule = app.conf.beat_schedule
    assert schedule["publication-monthly-release"]["task"] == "publication.tasks.scheduled_release"
    assert schedule["publication-screen-pending"]["task"] == "publication.tasks.screen_pending_texts"


def test_open_data_pages_take_constant_queries(data, client, django_assert_num_queries):
    build(new_release())
    build(new_release())
    client.get(reverse("publication:open-data"))
    with django_assert_num_queries(1):  # the releases (no session: nobody is signed in)
        client.get(reverse("publication:open-data"))
    with django_assert_num_queries(1):  # the release
        client.get(reverse("publication:release", args=[2]))


def test_a_release_whose_files_were_removed_answers_404(data, release_dir, client):
    import shutil

    build(new_release())
    shutil.rmtree(release_dir / "1")
    assert client.get(reverse("publication:release-file", args=[1, "priorities-by-neighbourhood-category-status-month.csv"])).status_code == 404


def test_priorities_and_actions_are_released_as_counts_by_neighbourhood_category_status_and_month(
    hindpool, central, screen, release_dir,
):
    fly_tipping, noise = issue_category("fly-tipping"), issue_category("anti-social-behaviour")
    for _ in range(7):
        priority_with_action(hindpool, category=fly_tipping, issue_date=last_month(3).date(),
                             action_fields={"action_date": last_month(12).date(), "status": ActionStatus.DONE})
    for _ in range(5):
        priority_with_action(central, category=noise, issue_date=last_month(4).date(), status=PriorityStatus.RESOLVED,
                             action_fields={"action_date": last_month(14).date(), "status": ActionStatus.DONE})
    priority_with_action(central, category=noise, issue_date=timezone.localdate())  # this month: not in the release yet
    screen()
    release = build(new_release())
    month = f"{last_month():%Y-%m}"

    def counts(name, measure):
        return {(r["category"], r["status"], r["neighbourhood"]): r[measure] for r in rows(release_dir, release, name) if r["month"] == month}

    priorities = counts("priorities-by-neighbourhood-category-status-month", "priorities")
    assert priorities[("fly-tipping", "agreed", "HIND")] == "7" and priorities[("anti-social-behaviour", "resolved", "CENT")] == "5"
    assert priorities[("fly-tipping", "agreed", "all")] == "7" and priorities[("all", "all", "CENT")] == "5"
    assert priorities[("all", "all", "all")] == "12" and priorities[("fly-tipping", "resolved", "HIND")] == "0"
    actions = counts("actions-by-neighbourhood-category-status-month", "actions")
    assert actions[("fly-tipping", "done", "HIND")] == "7" and actions[("anti-social-behaviour", "done", "CENT")] == "5"
    assert actions[("all", "all", "all")] == "12" and actions[("fly-tipping", "planned", "HIND")] == "0"
    assert not any(status == "all" and category != "all" for category, status, _ in priorities)  # no totals by status alone


def test_small_priority_and_action_counts_are_suppressed_with_secondary_suppression(data, release_dir):
    release = build(new_release())
    month = f"{last_month():%Y-%m}"
    for name, measure in (("priorities-by-neighbourhood-category-status-month", "priorities"),
                          ("actions-by-neighbourhood-category-status-month", "actions")):
        published = [r for r in rows(release_dir, release, name) if r["month"] == month]
        cell = {((r["category"], r["status"]), r["neighbourhood"]): r for r in published}
        first = ("anti-social-behaviour", "agreed" if measure == "priorities" else "planned")
        assert cell[(first, "HIND")][measure] == "" and cell[(first, "HIND")]["suppressed"] == "true"  # two: too few to show
        for r in published:
            assert r[measure] == "" or not 0 < int(r[measure]) < THRESHOLD
        keys, places = {key for key, _ in cell}, {place for _, place in cell}
        for key in keys:
            assert sum(cell[(key, place)]["suppressed"] == "true" for place in places) != 1
        for place in places:
            assert sum(cell[(key, place)]["suppressed"] == "true" for key in keys) != 1


def test_no_release_file_holds_any_priority_or_action_wording(hindpool, central, screen, release_dir, client):
    wording = [
        ("Parking on the pavement by Ramsden Street school.", "Tickets issued with the council's wardens."),
        ("Motorbikes on the Walney cycle path.", "Joint patrols with the rangers on Saturday nights."),
        ("Shed break-ins on the allotments.", "Free shed alarms handed out at the open day."),
    ]
    for number, (issue, action) in enumerate(wording):
        for place in (hindpool, central):  # six of each, counted, so the counts are published alongside
            for _ in range(3):
                priority_with_action(place, issue=issue, action=action, issue_date=last_month(1 + number).date(),
                                     action_fields={"action_date": last_month(15).date()})
    screen()
    api = client.get(reverse("publication:api-priorities", args=["cumbria", "HIND"])).content.decode()
    assert all(issue in api and action in api for issue, action in wording)  # cleared by screening: reported back in public
    release = build(new_release())
    folder = release_dir / str(release.version)
    files = sorted(folder.iterdir())
    assert {path.name for path in files} == {f"{name}.{fmt}" for name in TABLES for fmt in ("csv", "json")} | {"datapackage.json"}
    for path in files:
        content = path.read_text(encoding="utf-8")
        for text in (text for pair in wording for text in pair):
            assert text not in content and text[:20] not in content, f"{path.name} holds {text!r}"
    totals = {r["neighbourhood"]: r["priorities"] for r in rows(release_dir, release, "priorities-by-neighbourhood-category-status-month")
              if r["month"] == f"{last_month():%Y-%m}" and r["category"] == "all"}
    assert totals == {"HIND": "9", "CENT": "9", "all": "18"}
