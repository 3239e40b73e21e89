"""What the access layer needs from the apps above it, handed down at start-up.

The rule is resolved here, but the protocols, flows and one-off shares that grant access, and the disclosure
log that records shared reads, live in `sharing_protocols`, which sits above `access`. So that `access` never
imports upward (tests/test_layout.py), `sharing_protocols` registers them from its AppConfig.ready():

    register_grant_sources(GrantSources(...))
    register_disclosure_hooks(DisclosureHooks(...))

and access reads them through `grant_sources()` and `disclosure_hooks()`. Organisations and memberships are
models access reads by label (`organisation_model()`), through Django's app registry.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class GrantSources:
    """Where grants come from: the protocol flows' tables and what makes a flow live, and the one-off shares."""

    share_model_for: Callable  # (model) -> its one-off share model, or None
    share_models: Callable  # () -> every one-off share model
    flow_tables: Callable  # () -> (flow table, version table, protocol table)
    live_flow_ids_sql: Callable  # (today) -> (SQL selecting the live flows' ids, its parameters)
    data_categories: Callable  # () -> every data category's value (the grant-set settings name one array per category)


@dataclass(frozen=True)
class DisclosureHooks:
    """What a page showing shared records does: log the read, and explain why (or to whom) a record is visible."""

    log_shared_reads: Callable  # (*, user, records, purpose) -> None
    listing_purpose: Callable  # (request) -> str
    why_visible: Callable  # (user, record) -> [reason]
    who_can_see_for: Callable  # (user, record) -> (bool, [reason]) or None


_grant_sources: GrantSources | None = None
_disclosure_hooks: DisclosureHooks | None = None


def register_grant_sources(sources: GrantSources) -> None:
    global _grant_sources
    _grant_sources = sources


def register_disclosure_hooks(hooks: DisclosureHooks) -> None:
    global _disclosure_hooks
    _disclosure_hooks = hooks


def grant_sources() -> GrantSources:
    if _grant_sources is None:
        raise ImproperlyConfigured("No grant sources registered: is sharing_protocols in INSTALLED_APPS?")
    return _grant_sources


def disclosure_hooks() -> DisclosureHooks:
    if _disclosure_hooks is None:
        raise ImproperlyConfigured("No disclosure hooks registered: is sharing_protocols in INSTALLED_APPS?")
    return _disclosure_hooks


def share_model_for(model):
    """The one-off share model for `model`'s records, or None if they are never shared one-off."""
    return grant_sources().share_model_for(model)


def organisation_model():
    return apps.get_model("crm", "Organisation")


def membership_model():
    return apps.get_model("crm", "Membership")
