"""The access layer: who may read and change what. The roles (roles.py); each reader's grant set, resolved once
per request (grants.py) and handed to PostgreSQL per transaction (grant_settings.py, where present); the
visible_to and editable_by doors (visibility.py); the base of every organisation-owned record (models.py); and the
view mixins, paginator and list filters every app's pages are built from (views.py, pagination.py, filtering.py)."""
