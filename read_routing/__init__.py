"""Read routing to a PostgreSQL streaming standby that cannot show what has lapsed (issue 19, point 3)."""
