"""row_security/statements.py forgets that a transaction carries the grant set whenever a statement rolls back to a
savepoint, however the statement is written (tests/row_security/test_context_sequences.py runs the sequences)."""
import pytest


@pytest.mark.parametrize(("sql", "rolls_back"), [
    ('ROLLBACK TO SAVEPOINT "s1_x2"', True), ("  /* why */ rollback to savepoint x", True), ("-- a note\nROLLBACK", True),
    ("SELECT 1; ROLLBACK TO SAVEPOINT x", True), ("SELECT 1 ; /* a */ Rollback", True),
    ("SELECT 'rollback' FROM partners_concern", False), ("RELEASE SAVEPOINT x", False),
    ("/* one */\n/* two\n lines */ ROLLBACK", True),
    # A comment ends at its first "*/": a statement that opens with one is no rollback, whatever a later comment holds.
    ("/* hub.grants */ SELECT 1 FROM partners_concern /* see */ WHERE id = 1", False),
])
def test_every_way_of_writing_a_rollback_makes_the_next_protected_statement_write_the_grant_set_again(sql, rolls_back):
    from row_security.statements import _rolls_back

    assert _rolls_back(sql) is rolls_back
