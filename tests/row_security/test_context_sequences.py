"""A viewer's context entered inside (or after) a named system context reads only the viewer's rows, whatever
came before it on the connection: autocommit or a transaction, a savepoint rolled back by Django or by hand, a
failed or cancelled statement, VACUUM, a connection closed and reopened, a server-side cursor, another
connection reading as the system at the same time. Each is a sequence that could leave the system context's
grant set in force while row_security/statements.py believes the viewer's is (its "already carried in this
transaction" bookkeeping), or a session-wide value behind a statement written with none."""
import threading

import pytest
from django.db import DatabaseError, OperationalError, connection, connections, transaction

from partners.models import Concern
from row_security.context import no_context, system_context, viewer_context
from tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rows(council, team):
    """Two of the council's concerns (the partner user's own) and one of the team's (not shared with them)."""
    mine = {c.pk for c in ConcernFactory.create_batch(2, organisation=council)}
    theirs = ConcernFactory(organisation=team).pk
    return mine, theirs


def _bare():
    return set(Concern.objects.values_list("pk", flat=True))


def test_in_autocommit_a_viewer_inside_a_system_context_reads_only_the_viewers_rows(rows, partner_user):
    mine, theirs = rows
    with system_context("tests: outer system work", audit=False):
        assert theirs in _bare()
        with viewer_context(partner_user):
            assert _bare() == mine
        assert theirs in _bare()
        with viewer_context(partner_user):
            assert _bare() == mine


def test_in_one_transaction_each_change_of_context_is_written_before_the_next_read(rows, partner_user):
    mine, theirs = rows
    with system_context("tests: outer system work", audit=False), transaction.atomic():
        assert theirs in _bare()
        with viewer_context(partner_user):
            assert _bare() == mine
        assert theirs in _bare()
        with viewer_context(partner_user):
            assert _bare() == mine
        with no_context():
            assert _bare() == set()


def test_a_rolled_back_atomic_savepoint_takes_the_viewers_grants_with_it_and_they_are_written_again(rows, partner_user):
    mine, theirs = rows
    with system_context("tests: outer system work", audit=False), transaction.atomic():
        assert theirs in _bare()  # the system context's grants, written at the transaction's start
        with viewer_context(partner_user):
            with pytest.raises(ValueError), transaction.atomic():
                assert _bare() == mine  # written inside the savepoint
                raise ValueError("rolled back")
            assert _bare() == mine  # the savepoint's write is gone: written again, not the system's still in force


def test_a_savepoint_rolled_back_by_hand_takes_the_viewers_grants_with_it_and_they_are_written_again(rows, partner_user):
    # transaction.savepoint() and savepoint_rollback() are not Django's atomic blocks: connection.savepoint_ids does
    # not list them, so only PostgreSQL knows the write inside was undone.
    mine, theirs = rows
    with system_context("tests: outer system work", audit=False), transaction.atomic():
        assert theirs in _bare()
        with viewer_context(partner_user):
            sid = transaction.savepoint()
            assert _bare() == mine
            transaction.savepoint_rollback(sid)
            assert _bare() == mine


def test_a_savepoint_rolled_back_in_sql_takes_the_viewers_grants_with_it_and_they_are_written_again(rows, partner_user):
    mine, theirs = rows
    with system_context("tests: outer system work", audit=False), transaction.atomic():
        assert theirs in _bare()
        with viewer_context(partner_user):
            with connection.cursor() as cursor:
                cursor.execute("SAVEPOINT by_hand")
            assert _bare() == mine
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK TO SAVEPOINT by_hand")
            assert _bare() == mine


def test_a_failed_statement_in_a_savepoint_leaves_the_viewer_reading_only_their_rows(rows, partner_user):
    mine, theirs = rows
    with system_context("tests: outer system work", audit=False), transaction.atomic():
        assert theirs in _bare()
        with viewer_context(partner_user):
            assert _bare() == mine
            with pytest.raises(DatabaseError), transaction.atomic():
                Concern.objects.extra(where=["1/0 = 1"]).count()
            assert _bare() == mine


def test_a_cancelled_statement_in_autocommit_leaves_no_grants_behind(rows, partner_user):
    mine, theirs = rows
    with system_context("tests: outer system work", audit=False):
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 1")
        try:
            with pytest.raises(OperationalError):
                Concern.objects.extra(where=["pg_sleep(0.05) IS NOT NULL"]).count()
            with pytest.raises(OperationalError):
                list(Concern.objects.extra(where=["pg_sleep(0.05) IS NOT NULL"]).iterator())
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
        with viewer_context(partner_user):
            assert _bare() == mine
        with no_context():
            assert _bare() == set()


def test_vacuum_and_other_statements_outside_a_transaction_leave_the_viewer_reading_only_their_rows(rows, partner_user):
    mine, theirs = rows
    with system_context("tests: outer system work", audit=False):
        assert theirs in _bare()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE partners_concern")
        with viewer_context(partner_user):
            assert _bare() == mine
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE partners_concern")
            assert _bare() == mine


def test_a_connection_closed_and_reopened_carries_nothing_of_the_system_context(rows, partner_user):
    mine, theirs = rows
    with system_context("tests: outer system work", audit=False):
        assert theirs in _bare()
        connection.close()
        with viewer_context(partner_user):
            assert _bare() == mine
        connection.close()
        with no_context():
            assert _bare() == set()


def test_a_server_side_cursor_in_a_system_context_leaves_no_session_wide_grants_behind(rows, partner_user):
    mine, theirs = rows
    with system_context("tests: outer system work", audit=False):
        assert theirs in {c.pk for c in Concern.objects.iterator(chunk_size=1)}
    with no_context():
        assert _bare() == set()  # written with no prefix at all: nothing session-wide may stand behind it
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('hub.all', true), current_setting('hub.grants', true)")
            assert cursor.fetchone() in {(None, None), ("", "")}
    with viewer_context(partner_user):
        assert _bare() == mine


def test_a_session_wide_grant_set_whose_clearing_was_interrupted_is_cleared_before_the_next_statement(rows, partner_user, monkeypatch):
    # In autocommit a server-side cursor reads under a session-wide grant set, cleared straight after. An interrupt
    # (Ctrl-C, a Celery time limit) can land between the two; the next statement, even one written with no grant
    # set of its own (no context, in autocommit), must not read under what the session was left holding.
    from row_security import statements

    mine, theirs = rows
    clear = statements._clear_session
    monkeypatch.setattr(statements, "_clear_session", lambda connection: (_ for _ in ()).throw(KeyboardInterrupt))
    with system_context("tests: outer system work", audit=False), pytest.raises(KeyboardInterrupt):
        list(Concern.objects.iterator(chunk_size=1))
    monkeypatch.setattr(statements, "_clear_session", clear)
    with no_context():
        assert _bare() == set()
    with viewer_context(partner_user):
        assert _bare() == mine


def test_another_connection_reading_as_the_system_at_the_same_time_changes_nothing_for_the_viewer(rows, partner_user):
    mine, theirs = rows
    seen, errors = {}, []
    ready, done = threading.Event(), threading.Event()

    def system_reader():
        try:
            with system_context("tests: another process", audit=False), transaction.atomic():
                seen["system"] = _bare()
                ready.set()
                done.wait(10)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
            ready.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=system_reader)
    thread.start()
    ready.wait(10)
    try:
        with viewer_context(partner_user):
            assert _bare() == mine
        with transaction.atomic(), viewer_context(partner_user):
            assert _bare() == mine
    finally:
        done.set()
        thread.join(10)
    assert not errors and theirs in seen["system"]


def test_force_lifted_by_another_connection_lets_the_owner_read_every_row_unless_it_is_lifted_inside_a_transaction(rows, partner_user):
    # What bench/visibility.py's "row-level security off" runs did (ALTER TABLE ... NO FORCE, committed): while it
    # stands, every other session of the tables' owner reads past the policies, whatever its grant set. Lifted inside
    # a transaction that is rolled back, no other session ever reads under it: it waits for the lock instead.
    import psycopg

    mine, theirs = rows
    settings = connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as other:
        other.execute("ALTER TABLE partners_concern NO FORCE ROW LEVEL SECURITY")
        try:
            with viewer_context(partner_user):
                assert _bare() == mine | {theirs}
        finally:
            other.execute("ALTER TABLE partners_concern FORCE ROW LEVEL SECURITY")
        with other.transaction(force_rollback=True):
            other.execute("ALTER TABLE partners_concern NO FORCE ROW LEVEL SECURITY")
            with viewer_context(partner_user), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '200ms'")
                with pytest.raises(OperationalError):
                    _bare()
    with viewer_context(partner_user):
        assert _bare() == mine

