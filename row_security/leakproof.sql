-- PostGIS functions PostgreSQL may evaluate before the row-level security policies (LEAKPROOF), so that a
-- spatial filter on a protected table (concerns, engagements, posts and their history) can use its GiST index.
--
-- Run as a database superuser (only a superuser may mark a function LEAKPROOF) in every hub database and in the
-- template the test and benchmark databases are copied from, after CREATE EXTENSION postgis and again after
-- every ALTER EXTENSION postgis UPDATE (an upgrade recreates the functions without the mark; a restored dump
-- does not carry it either). scripts/hub and cluster/postgres.py run this file; idempotent. Without it
-- PostgreSQL uses an operator as an index condition on a table with security quals only if its function is
-- LEAKPROOF, so every such filter reads the whole table (the hub warns: row_security/checks.py).
--
-- Why each cannot leak a hidden row (PostgreSQL evaluates a LEAKPROOF function on rows the policy hides, so it
-- must not raise, or do anything, depending on such a row's value). Every protected geometry column is a Point
-- with a fixed SRID (geometry(Point,4326), or geometry(Point,27700) for partners_concern.location_bng), checked
-- by tests/row_security/test_leakproof_spatial.py, so a row's type and SRID are the same for every row.
-- Read in PostGIS 3.3's source (postgis/gserialized_gist_2d.c, postgis/lwgeom_functions_basic.c, liblwgeom/measures.c):
--
-- geometry_overlaps (the && operator: a map's bounding box, the placing join's box test): compares the two
--   bounding boxes read from the serialised headers; it has no SRID check and no error path for any valid
--   geometry (an empty geometry has no box and overlaps nothing).
-- ST_Expand(geometry, float8) (inside the placing join's box test and ST_DWithin's index condition): returns
--   the box grown by the distance as a polygon; an empty geometry is returned as it is; no error path.
-- ST_DWithin(geometry, geometry, float8) (the near-duplicate search; its index condition is && with ST_Expand):
--   raises only for a negative distance, an SRID other than the column's, or an argument of a type it cannot
--   measure (the row is always a Point, which it measures against every type it supports): each depends on the
--   caller's arguments alone, never on a row's coordinates. What such an error could still tell is that a row
--   was compared at all; PostgreSQL never compares a hidden one: ST_DWithin costs 10,000, and only a LEAKPROOF
--   qual costing under ten operators is moved ahead of the policies, so it is tested after them, and the index
--   finds candidates with && alone (the test checks both: the same error, or none, with hidden rows or without).
--
-- Deliberately NOT marked: ST_Intersects, ST_Contains, ST_Within, ST_Covers and the like. They call GEOS for
-- most argument types, and a GEOS exception on an invalid argument can depend on where the row's point lies,
-- which no one can rule out from our side. Write a spatial filter on a protected table as && with a box (the
-- ORM's `bboverlaps`) or ST_DWithin; an exact ST_Intersects beside it then runs only on rows the policy allows.
BEGIN;
ALTER FUNCTION geometry_overlaps(geometry, geometry) LEAKPROOF;
ALTER FUNCTION st_expand(geometry, double precision) LEAKPROOF;
ALTER FUNCTION st_dwithin(geometry, geometry, double precision) LEAKPROOF;
COMMIT;
