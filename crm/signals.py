"""Signals other apps listen to, so the CRM need not import them (partners tells a concern's reporter)."""
from django.dispatch import Signal

# Sent on commit after a priority changes status: kwargs priority_id, old_status, new_status, acting_user_id.
priority_moved = Signal()
