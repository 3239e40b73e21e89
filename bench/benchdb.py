"""What every benchmark shares: a database of its own, copied from the PostGIS template as the tests' are."""


def recreate_database(name: str) -> None:
    """Drop and recreate the database `name` from the PostGIS template (never the development database)."""
    import psycopg

    from engagement_hub.env import env_int, env_str

    params = dict(dbname="postgres", user=env_str("HUB_DB_USER", "engagement_hub"), password=env_str("HUB_DB_PASSWORD", "engagement_hub_local"),
                  host=env_str("HUB_DB_HOST", "127.0.0.1"), port=env_int("HUB_DB_PORT", 5432), autocommit=True)
    template = env_str("HUB_DB_TEMPLATE", "engagement_hub_template")
    with psycopg.connect(**params) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
