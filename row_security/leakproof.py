"""The PostGIS functions the set-up marks LEAKPROOF so that spatial filters on protected tables use their GiST
indexes: the list and the reasons are in `leakproof.sql` (run by scripts/hub and cluster/postgres.py as a
superuser); this module reads that file, so the list is written once. No Django here: cluster/ imports it."""
from __future__ import annotations

import re
from pathlib import Path

SQL_FILE = Path(__file__).with_name("leakproof.sql")
_MARK = re.compile(r"^ALTER FUNCTION (\w+\([^)]*\)) LEAKPROOF;$", re.MULTILINE)


def sql() -> str:
    """The statements to run as a superuser in a database that has PostGIS (a transaction of its own)."""
    return SQL_FILE.read_text()


def functions() -> list[str]:
    """The signatures marked, as `regprocedure` reads them: "st_dwithin(geometry, geometry, double precision)"."""
    return _MARK.findall(sql())


NOT_LEAKPROOF_SQL = """
    SELECT signature FROM unnest(%s::text[]) AS signature
     WHERE NOT coalesce((SELECT proleakproof FROM pg_proc WHERE oid = to_regprocedure(signature)), false)
"""


def missing(cursor, signatures: list[str] | None = None) -> list[str]:
    """Which of the functions are not LEAKPROOF (or do not exist: PostGIS missing) in the cursor's database."""
    signatures = signatures if signatures is not None else functions()
    cursor.execute("SELECT to_regtype('geometry') IS NOT NULL")
    if not cursor.fetchone()[0]:  # no PostGIS yet: to_regprocedure would raise on the unknown type
        return list(signatures)
    cursor.execute(NOT_LEAKPROOF_SQL, [signatures])
    return [row[0] for row in cursor.fetchall()]
