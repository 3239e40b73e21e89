"""Demo concerns: what Barrow-in-Furness's partner agencies heard over the last 90 days, and a bulk
seeder for benchmarks.

The demo concerns go through `concern_report` (the same rules and audit record as the web form) and
are made again on each run, so their dates stay recent. The bulk seeder writes with PostgreSQL COPY.
"""
from __future__ import annotations

import random
import struct
from datetime import timedelta

import pgtrigger
from psycopg.copy import QueuedLibpqWriter
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import connection, transaction
from django.utils import timezone

from crm.models import IssueCategory
from organisations.models import Organisation
from partners.models import Concern, ConcernChannel, ConcernLink
from partners.services import concern_report
from sharing_protocols.models import Classification

DEMO_REFERENCE_PREFIX = "DEMO-"
BULK_FINGERPRINT_PREFIX = "bulk-"
WGS84 = 4326

# Real places in Barrow-in-Furness: (place, longitude, latitude).
PLACES = [
    ("Dalton Road, by the shops", -3.2283, 54.1146),
    ("Portland Walk shopping centre", -3.2262, 54.1127),
    ("Duke Street, near the town hall", -3.2279, 54.1112),
    ("Abbey Road, by the library", -3.2224, 54.1168),
    ("Barrow Park, main gates", -3.2195, 54.1228),
    ("Hindpool Road retail park", -3.2376, 54.1178),
    ("Schneider Road", -3.2412, 54.1182),
    ("Barrow railway station, Holker Street", -3.2262, 54.1190),
    ("Greengate Street", -3.2214, 54.1083),
    ("Salthouse Road", -3.2133, 54.1060),
    ("Rawlinson Street", -3.2186, 54.1122),
    ("Ormsgill, Parkside", -3.2330, 54.1303),
    ("Newbarns Road", -3.2046, 54.1199),
    ("Roose Road", -3.1952, 54.1072),
    ("Risedale Road", -3.2080, 54.1106),
    ("Barrow Island, Michaelson Road", -3.2334, 54.1046),
    ("Walney, Vickerstown", -3.2553, 54.0990),
    ("Walney Promenade", -3.2611, 54.0958),
    ("Biggar Bank", -3.2632, 54.0918),
    ("Hawcoat Lane", -3.2203, 54.1302),
    ("Furness Abbey car park", -3.1977, 54.1358),
    ("Cemetery Cottages, Devonshire Road", -3.2110, 54.1243),
]

# Who hears what, by demo organisation slug: (category slug, what they were told, channel).
HEARD = {
    "westmorland-and-furness-council": [
        ("fly-tipping", "Mattresses and black bags dumped in the back lane; a resident rang the contact centre.", ConcernChannel.PHONE),
        ("graffiti", "Tags sprayed on the bus shelter and the side of the community centre.", ConcernChannel.EMAIL),
        ("litter-dog-fouling", "Dog fouling along the path by the play area, reported by a parent.", ConcernChannel.EMAIL),
        ("anti-social-behaviour", "Groups of teenagers gathering after dark, shouting and throwing stones at windows.", ConcernChannel.COUNCILLOR_SURGERY),
        ("parking", "Cars parked on the pavement every school day; wheelchair users cannot pass.", ConcernChannel.PHONE),
        ("off-road-bikes", "Off-road bikes ridden across the playing fields in the evenings.", ConcernChannel.IN_PERSON),
    ],
    "cumbria-fire-and-rescue": [
        ("criminal-damage", "Wheelie bins set alight in the back alley overnight; crew attended.", ConcernChannel.PATROL),
        ("anti-social-behaviour", "Crew pelted with stones while attending a small grass fire.", ConcernChannel.PATROL),
        ("fly-tipping", "Dumped tyres and furniture by the garages, a fire risk.", ConcernChannel.PATROL),
    ],
    "furness-environmental-health": [
        ("noise", "Loud music from a flat until 3am most weekends; neighbours have kept a diary.", ConcernChannel.PHONE),
        ("noise", "Barking dog left alone all day, repeated complaints from the terrace.", ConcernChannel.EMAIL),
        ("fly-tipping", "Builders' rubble tipped on the verge; a van was seen leaving.", ConcernChannel.PHONE),
        ("litter-dog-fouling", "Takeaway litter left outside the late-night food outlets.", ConcernChannel.IN_PERSON),
    ],
    "furness-housing": [
        ("drugs", "Tenants report visitors coming and going at all hours and a smell of cannabis on the stairwell.", ConcernChannel.IN_PERSON),
        ("anti-social-behaviour", "Communal door forced open; people sleeping in the stairwell.", ConcernChannel.PHONE),
        ("criminal-damage", "Windows of the empty flats smashed again.", ConcernChannel.PATROL),
        ("noise", "Neighbour dispute over shouting and banging late at night.", ConcernChannel.PHONE),
    ],
    "furness-licensing": [
        ("street-drinking", "Groups drinking outside the off-licence from mid-afternoon.", ConcernChannel.PATROL),
        ("violence", "Door staff report a fight outside the pub at closing time.", ConcernChannel.EMAIL),
        ("anti-social-behaviour", "Customers leaving the bar noisily after midnight; residents complain.", ConcernChannel.EMAIL),
    ],
}
# Clusters made on purpose: the same thing, heard by several partners in the same place within days.
CLUSTERS = [
    ("fly-tipping", 9, ["westmorland-and-furness-council", "furness-environmental-health", "cumbria-fire-and-rescue"]),
    ("anti-social-behaviour", 4, ["westmorland-and-furness-council", "furness-housing", "furness-licensing"]),
    ("noise", 12, ["furness-environmental-health", "furness-housing"]),
    ("street-drinking", 1, ["furness-licensing", "westmorland-and-furness-council"]),
    ("criminal-damage", 15, ["cumbria-fire-and-rescue", "furness-housing"]),
]
REPORTERS = [("Margaret Holt", "07700 900123"), ("Dave Nicholson", "07700 900456"), ("Agnieszka Nowak", ""), ("Ryan Ashburner", "01229 000111")]


def clear_demo_concerns() -> int:
    """Remove the demo concerns (and their links), so they can be made again with recent dates."""
    deleted, _ = Concern.objects.filter(external_reference__startswith=DEMO_REFERENCE_PREFIX).delete()
    return deleted


# Reported in the last few days in each `recent_in` neighbourhood (the demo officer's), so their home page's
# "new concerns in my neighbourhoods" has something in it: (organisation slug, category slug).
RECENT_IN_AREA = [("westmorland-and-furness-council", "fly-tipping"), ("furness-housing", "anti-social-behaviour"),
                  ("furness-environmental-health", "noise"), ("cumbria-fire-and-rescue", "criminal-damage")]


def seed_demo_concerns(*, within: GEOSGeometry, days: int = 90, count: int = 300, seed: int = 11, recent_in=()) -> int:
    """About `count` concerns from the council, fire service, environmental health, housing and licensing,
    spread over the last `days`, with deliberate clusters of near-duplicates, and a few reported in the last
    days inside each `recent_in` neighbourhood. Idempotent: replaces the earlier demo concerns. Places outside
    `within` (the force area) are skipped. Each goes through `concern_report`, which places it as it is reported."""
    rng = random.Random(seed)
    now = timezone.now()
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=HEARD)}
    categories = {c.slug: c for c in IssueCategory.objects.filter(is_active=True)}
    prepared = _wgs84(within).prepared
    places = [p for p in PLACES if prepared.contains(Point(p[1], p[2], srid=WGS84))]
    if not organisations or not places:
        return 0
    reporting_users = {m.organisation_id: m.user for m in _first_memberships(organisations.values())}
    created = 0
    with transaction.atomic():
        clear_demo_concerns()
        plan = []
        for n in range(count):
            slug = rng.choice(sorted(organisations))
            category_slug, text, channel = rng.choice(HEARD[slug])
            place, longitude, latitude = rng.choice(places)
            # Jitter by up to about 150 m so points in one street differ.
            plan.append((slug, category_slug, text, channel, place, longitude + rng.uniform(-0.002, 0.002),
                         latitude + rng.uniform(-0.001, 0.001), now - timedelta(days=rng.uniform(0.1, days))))
        for category_slug, place_index, slugs in CLUSTERS:
            place, longitude, latitude = places[place_index % len(places)]
            occurred = now - timedelta(days=rng.uniform(2, min(days, 30)))
            for slug in slugs:
                if slug in organisations:
                    text = next((t for c, t, _ in HEARD[slug] if c == category_slug), f"{category_slug.replace('-', ' ').capitalize()} reported again here.")
                    # Within about 30 m and two days of each other: what the collation links.
                    plan.append((slug, category_slug, text, rng.choice([ConcernChannel.PHONE, ConcernChannel.EMAIL]), place,
                                 longitude + rng.uniform(-0.0003, 0.0003), latitude + rng.uniform(-0.0002, 0.0002),
                                 occurred + timedelta(hours=rng.uniform(0, 48))))
        for neighbourhood in recent_in:
            plan += _recent_in_area(neighbourhood, rng=rng, now=now)
        for n, (slug, category_slug, text, channel, place, longitude, latitude, occurred) in enumerate(plan):
            if category_slug not in categories or not prepared.contains(Point(longitude, latitude, srid=WGS84)):
                continue
            organisation = organisations[slug]
            personal = rng.random() < 0.2
            name, phone = rng.choice(REPORTERS) if personal else ("", "")
            occurred = min(occurred, now - timedelta(minutes=30))
            concern = Concern(
                category=categories[category_slug], location=Point(longitude, latitude, srid=WGS84), place=place,
                occurred_at=occurred, reported_at=min(occurred + timedelta(hours=rng.uniform(0.2, 30)), now),
                channel=channel, description=text, holds_personal_data=personal, reporter_name=name, reporter_phone=phone,
                reporter_email=f"{name.split()[0].lower()}@example.org" if name else "",
                classification=Classification.OFFICIAL_SENSITIVE if personal else Classification.OFFICIAL,
                external_reference=f"{DEMO_REFERENCE_PREFIX}{slug[:20]}-{n:04d}",
            )
            _, was_created = concern_report(concern=concern, acting_user=reporting_users.get(organisation.pk), organisation=organisation,
                                            via="demo seed")
            created += was_created
    return created


def _recent_in_area(neighbourhood, *, rng: random.Random, now) -> list[tuple]:
    """Plan entries for RECENT_IN_AREA: points inside the neighbourhood (near its middle), reported in the last three days."""
    boundary = _wgs84(neighbourhood.boundary)
    prepared, middle = boundary.prepared, boundary.point_on_surface
    plan = []
    for slug, category_slug in RECENT_IN_AREA:
        text = next((t for c, t, _ in HEARD[slug] if c == category_slug), "")
        for _ in range(20):  # a point by the middle, inside the boundary (the middle itself always is)
            point = Point(middle.x + rng.uniform(-0.001, 0.001), middle.y + rng.uniform(-0.0005, 0.0005), srid=WGS84)
            if prepared.contains(point):
                break
        else:
            point = middle
        plan.append((slug, category_slug, text, ConcernChannel.PHONE, f"{neighbourhood.name}, near the middle", point.x, point.y,
                     now - timedelta(days=rng.uniform(0.2, 3))))
    return plan


def _first_memberships(organisations):
    from crm.demo import BULK_USERNAME_PREFIX
    from organisations.models import Membership

    seen = {}
    # Not the benchmark's bulk users: they are deleted with plain SQL, which would orphan the audit records.
    memberships = (Membership.objects.filter(organisation__in=list(organisations), user__is_active=True)
                   .exclude(user__username__startswith=BULK_USERNAME_PREFIX).select_related("user").order_by("pk"))
    for membership in memberships:
        seen.setdefault(membership.organisation_id, membership)
    return seen.values()


def _wgs84(geometry: GEOSGeometry) -> GEOSGeometry:
    if geometry.srid and geometry.srid != WGS84:
        return geometry.transform(WGS84, clone=True)
    return geometry


# --- Bulk concerns for benchmarks -----------------------------------------------------------------------------------

BULK_COLUMNS = [
    "organisation_id", "created_at", "updated_at", "category_id", "location", "place", "occurred_at", "reported_at",
    "channel", "description", "holds_personal_data", "reporter_name", "reporter_email", "reporter_phone",
    "classification", "status", "external_reference", "fingerprint", "open311_token",
]
BULK_TEXTS = [
    "Rubbish dumped in the back lane.", "Youths gathering and shouting late at night.", "Graffiti on the shop shutters.",
    "Loud music from a flat after midnight.", "Cars parked on the pavement by the school.", "Needles found by the play area.",
    "Drinking outside the off-licence all afternoon.", "Off-road bikes on the playing fields.",
]


def seed_bulk_concerns(*, count: int, organisations, categories, within: GEOSGeometry, days: int = 90, seed: int = 2026,
                       replace: bool = True) -> int:
    """`count` synthetic concerns spread over `organisations` and `categories`, at random points inside
    `within` (any SRID; the force area or a neighbourhood), reported over the last `days`, for benchmarks.

    Written with one PostgreSQL COPY into a temporary table and one INSERT from it (PostgreSQL refuses COPY
    into a table under row-level security), without the per-row history trigger (these are not real reports) and without collation (neighbourhood, LSOA
    left empty: placing them is what the collation benchmark times). With `replace`, earlier bulk
    concerns go first, so the same call twice leaves the same number of rows. Returns the count written."""
    organisation_ids = [o.pk if hasattr(o, "pk") else int(o) for o in organisations]
    category_ids = [c.pk if hasattr(c, "pk") else int(c) for c in categories]
    if count < 0:
        raise ValueError("count must not be negative.")
    if count and (not organisation_ids or not category_ids):
        raise ValueError("Bulk concerns need at least one organisation and one category.")
    rng = random.Random(seed)
    sample_point = _point_sampler(_wgs84(within), rng)
    now = timezone.now()
    period = days * 86400.0
    insert_pgid = _trigger_pgid("insert_insert")
    delete_pgid = _trigger_pgid("delete_delete")
    table = Concern._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Local to this transaction: the history triggers skip these rows (as pgtrigger.ignore does).
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)",
                       ["{" + ",".join([insert_pgid, f"{table}:{insert_pgid}", delete_pgid, f"{table}:{delete_pgid}"]) + "}"])
        if replace:
            bulk = f"SELECT id FROM {table} WHERE fingerprint LIKE %s"
            cursor.execute(f"DELETE FROM {ConcernLink._meta.db_table} WHERE first_id IN ({bulk}) OR second_id IN ({bulk})",
                           [BULK_FINGERPRINT_PREFIX + "%", BULK_FINGERPRINT_PREFIX + "%"])
            cursor.execute(f"DELETE FROM {table} WHERE fingerprint LIKE %s", [BULK_FINGERPRINT_PREFIX + "%"])
        if count:
            run = f"{rng.getrandbits(32):08x}"
            created = now.isoformat()
            columns = ", ".join(BULK_COLUMNS)
            # PostgreSQL refuses COPY into a table under row-level security: the rows go to a temporary table
            # first, then into the concerns in one INSERT, which the policies check (row_security/).
            cursor.execute("DROP TABLE IF EXISTS pg_temp.bulk_concern")  # a second call in one transaction
            cursor.execute(f"CREATE TEMPORARY TABLE bulk_concern ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA")
            raw = connection.connection.cursor()
            # The queued writer sends rows from a second thread: Python makes rows while PostgreSQL stores them.
            with raw.copy(f"COPY bulk_concern ({columns}) FROM STDIN", writer=QueuedLibpqWriter(raw)) as copy:
                for n in range(count):
                    longitude, latitude = sample_point()
                    occurred = now - timedelta(seconds=rng.uniform(3600, period))
                    copy.write_row((
                        organisation_ids[n % len(organisation_ids)], created, created, rng.choice(category_ids),
                        _hex_ewkb_point(longitude, latitude), "", occurred, occurred + timedelta(seconds=rng.uniform(60, 86400)),
                        ConcernChannel.BULK_FILE.value, BULK_TEXTS[n % len(BULK_TEXTS)], False, "", "", "",
                        Classification.OFFICIAL.value, "new", "", f"{BULK_FINGERPRINT_PREFIX}{run}-{n}", _uuid(rng),
                    ))
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM bulk_concern")
        cursor.execute(f"ANALYZE {table}")
    return count


def _point_sampler(area: GEOSGeometry, rng: random.Random, cells: int = 64):
    """A function giving uniformly random points inside `area`. A grid over its extent sorts cells into
    inside, outside and on the edge once, so only points in edge cells need a (slow) GEOS test."""
    from django.contrib.gis.geos import Polygon

    prepared = area.prepared
    west, south, east, north = area.extent
    width, height = (east - west) / cells, (north - south) / cells
    inside, edge = [], []
    for i in range(cells):
        for j in range(cells):
            x, y = west + i * width, south + j * height
            cell = Polygon.from_bbox((x, y, x + width, y + height))
            cell.srid = WGS84
            if prepared.contains(cell):
                inside.append((x, y))
            elif prepared.intersects(cell):
                edge.append((x, y))
    candidates = [(x, y, False) for x, y in inside] + [(x, y, True) for x, y in edge]
    if not candidates:
        raise ValueError("The area to place bulk concerns in is empty.")

    def sample() -> tuple[float, float]:
        while True:
            x, y, check = candidates[int(rng.random() * len(candidates))]
            longitude, latitude = x + rng.random() * width, y + rng.random() * height
            if not check or prepared.contains(Point(longitude, latitude, srid=WGS84)):
                return longitude, latitude

    return sample


def _trigger_pgid(name: str) -> str:
    ((model, trigger),) = pgtrigger.registered(f"partners.Concern:{name}")
    return trigger.get_pgid(model)


def _hex_ewkb_point(longitude: float, latitude: float) -> str:
    # Little-endian EWKB point with SRID 4326: PostGIS reads this faster than text.
    return "0101000020E6100000" + struct.pack("<dd", longitude, latitude).hex()


def _uuid(rng: random.Random) -> str:
    value = f"{rng.getrandbits(128):032x}"
    return f"{value[:8]}-{value[8:12]}-4{value[13:16]}-a{value[17:20]}-{value[20:]}"

