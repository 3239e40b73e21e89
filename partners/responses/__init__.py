"""The police's answer to a partner's concern, kept as the police's own record linked to the concern.

A partner's concern row belongs to the partner: row-level security lets only its reporting organisation change
it. When a neighbourhood team takes the concern into a PACT priority, that answer is a ConcernResponse owned by
the team; the partner reads it (and what came of the priority) through it, and never finds its own row changed."""
