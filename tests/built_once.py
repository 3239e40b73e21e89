"""Data built once for a whole module, inside a transaction rolled back when the module is done.

Every test of the module then runs in a savepoint within that transaction (pytest-django's `db`), so each
starts from the same built data and none sees another's writes. Only for modules without transactional
tests (a `transactional_db` or `live_server` test would flush inside the open transaction). The leak
matrices build their worlds this way, and the demo tests share one seeded demo.
"""
from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction


def built_once_per_module(build: Callable[..., object], name: str = "world", uses: tuple[str, ...] = ()):
    """A module-scoped fixture called `name` whose value is `build(*uses)`, made once, rolled back at the module's end;
    `uses` names session- or module-scoped fixtures that `build` takes."""

    @pytest.fixture(scope="module", name=name)
    def fixture(request, django_db_setup, django_db_blocker):
        arguments = [request.getfixturevalue(used) for used in uses]
        with django_db_blocker.unblock(), transaction.atomic():
            yield build(*arguments)
            transaction.set_rollback(True)

    fixture.__doc__ = f"{build.__doc__ or build.__name__}: built once, in a transaction rolled back when the module is done."
    return fixture
