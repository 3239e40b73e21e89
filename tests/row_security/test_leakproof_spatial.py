"""Spatial filters on protected tables use their GiST indexes under row-level security (the PostGIS functions in
row_security/leakproof.sql are LEAKPROOF), and what that lets PostgreSQL do cannot tell a partner anything about
rows the policies hide: a crafted argument raises the same error, or none, whether such rows exist or not."""
import pytest
from django.contrib.gis.geos import Polygon
from django.db import DatabaseError, connection, transaction

from crm.models import Engagement
from digital.models import Post
from partners.collation.services import PLACING_PARAMS, Target, near_duplicates_sql, placing_sql
from partners.models import Concern
from row_security import checks, leakproof
from row_security.context import system_context, viewer_context
from tests.factories import ConcernFactory

# Barrow-in-Furness, where the factories put concerns; the same place in British National Grid metres.
BARROW_BOX = Polygon.from_bbox((-3.25, 54.10, -3.20, 54.13))
BARROW_BNG = "ST_Transform(ST_SetSRID(ST_MakePoint(-3.2270, 54.1150), 4326), 27700)"


def plan(sql: str, params=None) -> str:
    """EXPLAIN of `sql` with sequential scans priced out, so an index that may be used is used."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL jit = off")  # a sequential scan priced out costs enough to be compiled: seconds for nothing
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_set_up_marks_every_listed_postgis_function_leakproof(db):
    # The test database is copied from the template scripts/hub made: the marks came with it.
    with connection.cursor() as cursor:
        assert leakproof.missing(cursor) == []
    assert leakproof.functions() == ["geometry_overlaps(geometry, geometry)", "st_expand(geometry, double precision)",
                                     "st_dwithin(geometry, geometry, double precision)"]


def test_every_protected_geometry_column_is_a_point_with_a_fixed_srid(db):
    """The safety argument in leakproof.sql rests on this: a row's type and SRID are the same for every row, so an
    error about them depends on the caller's argument alone. A new protected geometry column of another kind must
    be argued afresh."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod)
                            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
                           WHERE c.relrowsecurity AND a.atttypid = 'geometry'::regtype AND NOT a.attisdropped""")
        columns = dict(cursor.fetchall())
    assert "partners_concern.location_bng" in columns and "digital_post.location" in columns
    assert set(columns.values()) <= {"geometry(Point,4326)", "geometry(Point,27700)"}, columns


def test_the_near_duplicate_search_under_a_partners_context_uses_the_gist_index(partner_user):
    where, target = Target(concern_ids=(1,)).sql("a")
    sql, params = near_duplicates_sql(chosen=Concern._meta.db_table, where=where)
    with viewer_context(partner_user):
        explained = plan(sql, {**params, **target})
    assert "Index Scan using concern_location_bng on partners_concern near" in explained, explained
    assert "Index Cond: (location_bng && st_expand(a.location_bng" in explained, explained


@pytest.mark.parametrize("model, index", [(Concern, "partners_concern_location"), (Engagement, "crm_engagement_location"),
                                          (Post, "digital_post_location")])
def test_a_map_bounding_box_under_a_partners_context_uses_the_gist_index(partner_user, model, index):
    with viewer_context(partner_user):
        query = model.objects.visible_to(partner_user).filter(location__bboverlaps=BARROW_BOX).values("pk").query
        explained = plan(*query.sql_with_params())
    assert f"Index Scan using {index}" in explained or f"Bitmap Index Scan on {index}" in explained, explained
    assert "Index Cond: (location && " in explained, explained


def test_placing_many_concerns_can_find_each_boundary_pieces_points_on_the_concerns_index(db):
    """The collation's many-rows plan: each boundary piece's points found on the concerns' location index (the join's
    `t.location && ST_Expand(p.piece, …)`). Without it the only join left from the pieces' side is every piece against
    every concern (the pieces' own index is dropped here, inside the test's transaction, to ask for that side)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'geo_boundarypiece' AND indexdef LIKE '%%gist (piece)%%'")
        [(pieces_index,)] = cursor.fetchall()
        cursor.execute(f'DROP INDEX "{pieces_index}"')
    explained = plan(placing_sql(table=Concern._meta.db_table, key="id"), PLACING_PARAMS)
    assert "Index Scan using partners_concern_location" in explained or "Bitmap Index Scan on partners_concern_location" in explained, explained
    assert "Index Cond: (location && st_expand(p.piece" in explained, explained


# -- what an attacker can send ---------------------------------------------------------------------------------

PROBES = {
    # A point in WGS84 degrees against the British National Grid column: "mixed SRID", raised by ST_DWithin for each
    # row it compares. Its numbers overlap nothing in metres, so it is also tried with the hidden row's own metres.
    "mixed SRID": "ST_DWithin(location_bng, ST_SetSRID(ST_MakePoint(-3.2270, 54.1150), 4326), 50)",
    "mixed SRID on the hidden row's box": f"ST_DWithin(location_bng, ST_SetSRID({BARROW_BNG}, 4326), 50)",
    "negative distance": f"ST_DWithin(location_bng, {BARROW_BNG}, -1)",
    "empty point": "ST_DWithin(location_bng, 'SRID=27700;POINT EMPTY'::geometry, 50)",
    "a type it cannot measure": f"ST_DWithin(location_bng, ST_SetSRID('TIN(((0 0 0,0 1 0,1 1 0,0 0 0)))'::geometry, 27700), 50)",
    "invalid polygon box": "location && 'SRID=4326;POLYGON((-3.3 54,-3.1 54.2,-3.3 54.2,-3.1 54,-3.3 54))'::geometry",
    "mixed SRID box": "location && ST_SetSRID(ST_MakeEnvelope(-3.3, 54, -3.1, 54.2), 27700)",
    "expanded box": f"location_bng && ST_Expand({BARROW_BNG}, -1e300)",
}


def outcome(user, condition: str, *, index: bool) -> str:
    """What the partner's query answers: its rows, or its error's message."""
    with viewer_context(user), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL enable_seqscan = {'off' if index else 'on'}")
        cursor.execute(f"SET LOCAL enable_indexscan = {'on' if index else 'off'}")
        cursor.execute(f"SET LOCAL enable_bitmapscan = {'on' if index else 'off'}")
        cursor.execute("SET LOCAL jit = off")
        try:
            with transaction.atomic():
                cursor.execute(f"SELECT id FROM partners_concern WHERE {condition} ORDER BY id")
                return f"rows {[row[0] for row in cursor.fetchall()]}"
        except DatabaseError as error:
            return f"error {str(error).splitlines()[0]}"


@pytest.mark.parametrize("index", [True, False], ids=["index scan", "sequential scan"])
@pytest.mark.parametrize("probe", PROBES)
def test_a_crafted_argument_answers_the_same_whether_hidden_rows_exist_or_not(partner_user, team, probe, index):
    """The partner sees no concern; the force's concern at the probed place is hidden from them. Whatever the
    argument, the answer (no rows, or the same error) is the same with that row and without it."""
    hidden = ConcernFactory(organisation=team)
    with_hidden = outcome(partner_user, PROBES[probe], index=index)
    with system_context("test: remove the hidden row"):
        Concern.objects.filter(pk=hidden.pk).delete()
    without_hidden = outcome(partner_user, PROBES[probe], index=index)
    assert with_hidden == without_hidden, (with_hidden, without_hidden)
    assert with_hidden.startswith("rows []") or with_hidden.startswith("error")


@pytest.mark.parametrize("index", [True, False], ids=["index scan", "sequential scan"])
@pytest.mark.parametrize("probe", PROBES)
def test_a_crafted_argument_answers_the_same_beside_a_visible_row_whether_hidden_rows_exist_or_not(
        partner_user, council, team, probe, index):
    """With a concern of the partner's own at the same place, an error (if any) is the visible row's, the same with
    the hidden row and without it."""
    own = ConcernFactory(organisation=council)
    hidden = ConcernFactory(organisation=team)
    with_hidden = outcome(partner_user, PROBES[probe], index=index)
    with system_context("test: remove the hidden row"):
        Concern.objects.filter(pk=hidden.pk).delete()
    assert with_hidden == outcome(partner_user, PROBES[probe], index=index)
    assert str(hidden.pk) not in with_hidden.replace(f"[{own.pk}]", "")


def test_the_check_is_quiet_when_the_functions_are_leakproof(db):
    assert checks.postgis_functions_are_leakproof(databases=["default"]) == []


def test_the_check_warns_in_plain_english_when_a_function_is_not_leakproof(db, monkeypatch):
    # ST_Intersects is deliberately left unmarked (leakproof.sql): asking for it stands for a skipped set-up step.
    monkeypatch.setattr(leakproof, "functions", lambda: ["st_intersects(geometry, geometry)"])
    [warning] = checks.postgis_functions_are_leakproof(databases=["default"])
    assert warning.id == "row_security.W001"
    assert "st_intersects(geometry, geometry) is not marked LEAKPROOF" in warning.msg
    assert "reads the whole table" in warning.msg
    assert "row_security/leakproof.sql" in warning.hint and "README" in warning.hint
