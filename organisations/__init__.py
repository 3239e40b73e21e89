"""Organisations, the people who sign in, their memberships and roles, and the audit trail.

Not an installed app (yet): its models keep the `crm` app label, so crm's migrations hold them."""
