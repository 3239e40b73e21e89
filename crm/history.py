"""The history of one record, read from the pghistory event model of its class.

Every tracked model (`@pghistory.track(InsertEvent, UpdateEvent, DeleteEvent)`) has an event
model, `Model.pgh_event_model`, holding a snapshot of the row after each insert and update and
before each delete, in `pgh_id` order, with `pgh_obj_id` pointing at the record and
`pgh_context` at the context the change was made in. The context's metadata holds the acting
user's primary key under "user": pghistory's HistoryMiddleware puts the signed-in user there
for every request, and `record_save` does the same with `pghistory.context(user=...)`.

`history_for` reads all of it in one query: the events, their context, the name of the user
in the context, and the related rows (neighbourhood, organisation...) that the snapshots
point at, so that a change of neighbourhood reads as names, not ids. What changed is found
by comparing each snapshot with the one before it.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.gis.db.models import GeometryField
from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim
from django.utils import timezone
from django.utils.formats import date_format

# Bookkeeping columns that change on every save and mean nothing to a reader.
NOT_SHOWN = frozenset({"id", "created_at", "updated_at", "created_by"})
ACTIONS = {"insert": "created", "update": "changed", "delete": "deleted"}
NOT_GIVEN = "not given"


@dataclass(frozen=True)
class FieldChange:
    field: str  # the field's label, as on the form
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    action: str  # "created", "changed" or "deleted"
    who: str | None  # the full name of the user who made the change, if known
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def action_display(self) -> str:
        return self.action.capitalize()


def _event_model(model):
    event_models = getattr(model, "pgh_event_models", None)
    if not event_models:
        raise TypeError(f"{model.__name__} has no history: it is not tracked by pghistory.")
    return model.pgh_event_model


def _shown_fields(event_model) -> list[models.Field]:
    return [
        f for f in event_model._meta.concrete_fields
        if not f.name.startswith("pgh_") and f.name not in NOT_SHOWN
    ]


def _actor_name():
    """The full name (or, failing that, the username) of the user named in the event's context."""
    user_model = get_user_model()
    user_id = Cast(KeyTextTransform("user", "pgh_context__metadata"), output_field=models.BigIntegerField())
    names = user_model.objects.filter(pk=OuterRef("_actor_id")).annotate(
        _full_name=Coalesce(NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")), "username"),
    ).values("_full_name")[:1]
    return user_id, Subquery(names)


def _events(instance):
    event_model = _event_model(type(instance))
    related = [f for f in _shown_fields(event_model) if f.is_relation]
    # Related rows are fetched in the same query; their geometry is not needed to name them.
    heavy = [
        f"{f.name}__{g.name}" for f in related for g in f.related_model._meta.concrete_fields if isinstance(g, GeometryField)
    ]
    actor_id, actor_name = _actor_name()
    return list(
        event_model.objects.filter(pgh_obj_id=instance.pk)
        .select_related(*(f.name for f in related))
        .defer(*heavy)
        .annotate(_actor_id=actor_id, actor_name=actor_name)
        .order_by("pgh_id")
    )


def _display(event, model_field: models.Field) -> str:
    """A value as a reader would want it: choice labels, names of related rows, British dates."""
    if model_field.is_relation:
        related = getattr(event, model_field.name)
        return str(related) if related is not None else NOT_GIVEN
    value = getattr(event, model_field.attname)
    if value in (None, "", [], ()):
        return NOT_GIVEN
    if isinstance(value, list):
        labels = dict(getattr(model_field, "base_field", model_field).flatchoices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    return str(value)


def _comparable(event, model_field: models.Field):
    return getattr(event, model_field.attname)


def history_for(instance) -> list[HistoryEntry]:
    """Each change to `instance`, newest first: when, what happened (created; changed, with
    each field's value before and after; deleted) and who, if known. One query.

    A record shared with the reader (by protocol or one-off) has no history for them: old values
    would show personal fields the share withholds, and the holder's staff by name."""
    if getattr(instance, "is_shared", False):
        return []
    event_model = _event_model(type(instance))
    fields = _shown_fields(event_model)
    entries = []
    previous = None
    for event in _events(instance):
        action = ACTIONS.get(event.pgh_label, event.pgh_label)
        changes = []
        if action == "changed" and previous is not None:
            changes = [
                FieldChange(str(f.verbose_name).capitalize(), _display(previous, f), _display(event, f))
                for f in fields
                if _comparable(previous, f) != _comparable(event, f)
            ]
        entries.append(HistoryEntry(when=event.pgh_created_at, action=action, who=event.actor_name, changes=changes))
        previous = event
    entries.reverse()
    return entries
