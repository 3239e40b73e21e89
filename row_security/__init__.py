"""Row-level security: PostgreSQL's second lock on the sensitive tables, behind the ORM's `visible_to`.

- `context.py`: who the database is reading for (a viewer, or a named system context), per request or task;
- `statements.py`: writes that grant set into `hub.grants` (access/grant_settings.py) at the start of each
  transaction that reads or writes a protected table;
- `policies.py`: the tables and their policies, generated from the models;
- `middleware.py`: each request reads as its signed-in user.
"""
