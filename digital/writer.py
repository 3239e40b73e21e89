"""Writing imported posts: COPY into a temporary staging table, then one INSERT … SELECT per batch. And keeping
the dry run's checked posts (`stage_posts`) for the import to read back (`staged_batches`) instead of the file.

Django's bulk_create renders every value of a 5,000-row INSERT in Python (psycopg's client-side binding),
which cost ten times what PostgreSQL spends storing the rows. COPY streams the rows as they are, and the
INSERT … ON CONFLICT DO NOTHING keeps the import idempotent by the source's post id (a post already held
is skipped by the database, never written twice). Call inside the import's transaction: the staging table
is dropped at its end.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from django.db import connection

from digital.formats import ParsedPost
from digital.models import Post, StagedPost

STAGING = "digital_post_staging"


@dataclass(frozen=True)
class PostRow:
    """One post ready to write: its fields are the staging table's columns, in order."""

    organisation_id: int
    created_by_id: int | None
    source_import_id: int
    site: str
    post_id: str
    posted_at: object
    text: str
    author: str
    url: str
    place_text: str
    reply_to: str
    longitude: float | None
    latitude: float | None
    neighbourhood_id: int | None
    placed_by: str
    placed_match: str
    tone: float | None
    community_kind: str = ""
    community: str = ""
    police_terms: list = field(default_factory=list)

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, name) for name in COLUMNS)


COLUMNS = tuple(field.name for field in fields(PostRow))


def _create_staging(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    cursor.execute(
        f"""CREATE TEMPORARY TABLE {STAGING} (
            organisation_id bigint NOT NULL, created_by_id bigint, source_import_id bigint NOT NULL, site text NOT NULL,
            post_id text NOT NULL, posted_at timestamptz NOT NULL, text text NOT NULL, author text NOT NULL, url text NOT NULL,
            place_text text NOT NULL, reply_to text NOT NULL, longitude double precision, latitude double precision,
            neighbourhood_id bigint, placed_by text NOT NULL, placed_match text NOT NULL, tone double precision,
            community_kind text NOT NULL, community text NOT NULL, police_terms text[] NOT NULL
        ) ON COMMIT DROP"""
    )


class PostWriter:
    """Writes batches of PostRow in the current transaction; `written` counts the rows actually added."""

    def __init__(self):
        self.written = 0
        self._ready = False

    def write(self, rows: Iterable[PostRow]) -> None:
        rows = list(rows)
        if not rows:
            return
        with connection.cursor() as cursor:
            if not self._ready:
                _create_staging(cursor)
                self._ready = True
            with cursor.cursor.copy(f"COPY {STAGING} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row.as_tuple())
            table = Post._meta.db_table
            written = [name for name in COLUMNS if name not in ("longitude", "latitude")]
            cursor.execute(
                f"""INSERT INTO {table} (created_at, updated_at, location, {', '.join(written)})
                    SELECT now(), now(),
                           CASE WHEN longitude IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(longitude, latitude), 4326) END,
                           {', '.join(written)}
                      FROM {STAGING}
                    ON CONFLICT (organisation_id, site, post_id) DO NOTHING"""
            )
            self.written += cursor.rowcount
            cursor.execute(f"TRUNCATE {STAGING}")


# The dry run's checked posts, in the order of ParsedPost's fields.
STAGED = ("row", "post_id", "text", "posted_at", "site", "author", "url", "place_text", "longitude", "latitude", "reply_to",
          "community_kind", "community")


def stage_posts(job_id: int, posts: Iterable[ParsedPost]) -> int:
    """Keep a file's checked posts for its import (COPY, as they are read: the file is never held whole).
    Returns how many."""
    count = 0
    table = StagedPost._meta.db_table
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} (job_id, {', '.join(STAGED)}) FROM STDIN") as copy:
        for post in posts:
            copy.write_row((job_id, *(getattr(post, name) for name in STAGED)))
            count += 1
    return count


def staged_batches(job_id: int, size: int):
    """The kept posts, as ParsedPost, a batch at a time in the file's order."""
    last = 0
    while rows := list(StagedPost.objects.filter(job_id=job_id, pk__gt=last).order_by("pk").values_list("pk", *STAGED)[:size]):
        last = rows[-1][0]
        yield [ParsedPost(*row[1:]) for row in rows]


def drop_staged(job_ids: list[int]) -> None:
    """Delete the kept posts of these jobs in one statement (Django's delete() would read every row first)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {StagedPost._meta.db_table} WHERE job_id = ANY(%s)", [list(job_ids)])


def held_count(job_id: int, organisation_id: int) -> int:
    """How many of the kept posts the organisation holds already (the same site and post id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {StagedPost._meta.db_table} s JOIN {Post._meta.db_table} p "
            "ON p.organisation_id = %s AND p.site = s.site AND p.post_id = s.post_id WHERE s.job_id = %s",
            [organisation_id, job_id],
        )
        return cursor.fetchone()[0]
