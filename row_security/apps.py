from django.apps import AppConfig


class RowSecurityConfig(AppConfig):
    name = "row_security"
    verbose_name = "Row-level security"

    def ready(self) -> None:
        from row_security import checks, signals, statements  # noqa: F401 (checks registers the leakproof check)

        statements.install()
        signals.connect()
