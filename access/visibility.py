"""The one door for reads of sensitive records.

Every sensitive model's manager is built from OrganisationScopedQuerySet, and every view,
export, API and report starts from `Model.objects.visible_to(user)`. A user sees:

1. the rows of the organisations they belong to (and of a force's neighbourhood teams, for
   members of the force: one data controller);
2. rows of a provider organisation covered by a live protocol flow in which the user's
   organisation is the recipient, for the model's data category, at or below the protocol's
   highest classification. "Live" is decided when the viewer's grant set is resolved (once per
   request; access/grants.py): the protocol's current version, active, started and not past its end
   date; so suspending, terminating or passing the end date ends access on the next request;
3. single records shared one-off with the user's organisation (a django-guardian object
   permission on a direct-foreign-key model, with a reason and an expiry), until they expire.

The grant set comes in as literal arrays (`organisation_id = ANY(%s)`), so PostgreSQL plans an index
condition, not the rule. Rows come back marked `is_shared` (not the user's own). Rows seen under 2 or 3
without personal data come back from PostgreSQL with the model's PERSONAL_FIELDS already blank
(access/withholding.py: the columns themselves read blank, so no filter, ordering, aggregate or subquery can
reach a withheld value), and `withheld_fields` naming them; such an instance refuses to be saved.
`editable_by(user)` is the narrower door for writes: own rows only.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Expression, F, Q, Value
from django.db.models.query import ModelIterable

from access import sources
from access.grants import Viewer, array_sql, grants_for
from access.withholding import OFFICIAL, PersonalCover, ViewerQuery, bind_viewer, withholds

PERSONAL_OK = "_personal_ok"
# Tests only (tests/row_security/test_leak_matrix_rls_only.py): False lets every row through the ORM's door,
# so that PostgreSQL's row-level security alone decides what a viewer reads. Never set outside tests.
ORM_PREDICATE = True
OWN = "_own"
# The Query attribute holding the door's reach (see `reach`); like the grant set, it survives Django's clones.
REACH = "visible_reach"


def membership_organisation_ids(viewer) -> list[int]:
    """The ids of the active organisations the viewer belongs to, and of their units (a force's
    neighbourhood teams: one data controller), from the viewer's grant set (access/grants.py). The viewer
    is a user, or an organisation itself (an API key acts for its organisation)."""
    return sorted(grants_for(viewer).own)


def can_see_everything(user) -> bool:
    return Viewer.of(user).sees_everything


def can_see_nothing(user) -> bool:
    return Viewer.of(user).sees_nothing


def can_own(user, organisation) -> bool:
    """Whether `user` may create records owned by `organisation` (an active one they belong to)."""
    if organisation is None or not organisation.is_active:
        return False
    if can_see_everything(user):
        return True
    return organisation.pk in grants_for(user).own


def visible_organisation_ids(user) -> list[int]:
    """The organisations whose rows `user` may write, and choose in lists."""
    return membership_organisation_ids(user)


class GrantCondition(Expression):
    """A condition over a row's columns and the grant set's literal arrays, written as one piece of SQL.

    `pieces` alternate text and column names: ("(", "organisation_id", " = ANY('{1,2}'::bigint[]))"). The text
    is made once per grant set (the door is kept per grant set: `visible_to`), and compiling fills in the
    columns, so a page pays for a few quoted names, not for a tree of lookups built and compiled again."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, *pieces: str):
        super().__init__()
        self.pieces = pieces  # strings: cheap for Django to hash and compare as the expression's identity
        self.columns = [F(name) for name in pieces[1::2]]

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def as_sql(self, compiler, connection):
        sql, params = [], []
        for text, column in zip(self.pieces[::2], [*self.columns, None]):
            sql.append(text)
            if column is not None:
                column_sql, column_params = compiler.compile(column)
                sql.append(column_sql)
                params.extend(column_params)
        return "".join(sql), params


def _any_of_sql(column: str, ids) -> tuple[str, ...]:
    """GrantCondition's pieces for `column = ANY('{…}'::bigint[])`: the ids written into the SQL as one literal array
    (access/grants.py's `array_sql`, made once per set), no parameter for Django and psycopg to convert element by
    element, and nothing for PostgreSQL to plan but an index condition; () when there are none (matches nothing)."""
    return ("", column, f" = ANY({array_sql(frozenset(ids))})") if ids else ()


def any_of(column: str, ids) -> Q:
    """A condition on `column` being one of `ids` (none: nothing matches)."""
    pieces = _any_of_sql(column, ids)
    return Q(GrantCondition(*pieces)) if pieces else Q(pk__in=[])


def _joined(between: str, *parts: tuple[str, ...]) -> tuple[str, ...]:
    """The pieces of `parts` written one after the other with `between`, in brackets; () if any part is empty."""
    if not parts or not all(parts):
        return ()
    joined = parts[0]
    for part in parts[1:]:
        joined = (*joined[:-1], joined[-1] + between + part[0], *part[1:])
    return ("(" + joined[0], *joined[1:-1], joined[-1] + ")") if len(joined) > 1 else ("(" + joined[0] + ")",)


def _either(*arms: tuple[str, ...]) -> GrantCondition | None:
    """One condition, true where any of the non-empty `arms` is (None: every arm is empty, nothing matches)."""
    pieces = _joined(" OR ", *filter(None, arms))
    return GrantCondition(*pieces) if pieces else None


def _blank(field):
    return "" if field.empty_strings_allowed and not field.null else None


class VisibleModelIterable(ModelIterable):
    """Marks each row as own or shared, and names the personal fields the database withheld from it
    (`withheld_fields`: templates say "withheld", and such an instance refuses to be saved)."""

    def __iter__(self):
        model = self.queryset.model
        only_when = getattr(model, "PERSONAL_ONLY_WHEN", {})
        always = frozenset(name for name in getattr(model, "PERSONAL_FIELDS", ()) if name not in only_when)
        blanks = {name: _blank(model._meta.get_field(name)) for name in getattr(model, "PERSONAL_FIELDS", ())}
        for instance in super().__iter__():
            values = instance.__dict__
            instance.is_shared = not values.pop(OWN, True)
            if values.pop(PERSONAL_OK, True):
                instance.withheld_fields = frozenset()
                yield instance
                continue
            withheld = always.union(name for name, flag in only_when.items() if getattr(instance, flag)) if only_when else always
            for name in withheld:
                # Already blank from the database; a deferred one (only(), defer()) would later be loaded
                # by the model's plain manager, outside this viewer's query: it is blank here instead.
                values.setdefault(name, blanks[name])
            instance.withheld_fields = withheld
            yield instance


class OrganisationScopedQuerySet(models.QuerySet):
    """Rows owned by an organisation. Subclasses name the owning field if it is not `organisation`."""

    organisation_lookup = "organisation"

    def __init__(self, model=None, query=None, using=None, hints=None):
        # A query that can carry its viewer's grant set to the personal columns (access/withholding.py).
        super().__init__(model, query if query is not None else ViewerQuery(model), using, hints)

    def editable_by(self, user) -> OrganisationScopedQuerySet:
        """The rows `user` may change: their own organisations' (never rows shared with them)."""
        if can_see_nothing(user):
            return self.none()
        if can_see_everything(user):
            return self.all()
        return self.filter(any_of(f"{self.organisation_lookup}_id", grants_for(user).own))

    def visible_to(self, user) -> OrganisationScopedQuerySet:
        if can_see_nothing(user):
            return self.none()
        if can_see_everything(user):
            return self.all()
        grants = grants_for(user)
        if self.query.__dict__ != ViewerQuery(self.model).__dict__:
            return self._door(grants)  # already filtered, ordered, sliced…: the door is built onto it
        # A fresh queryset (the usual `Model.objects.visible_to(user)`): the door's query is built once per grant
        # set and model and cloned for every later call, so a request of a viewer whose grant set is kept pays
        # for a clone, not for resolving the door's conditions and annotations again.
        key = (type(self), self.model, ORM_PREDICATE)
        door = grants.doors.get(key)
        if door is None:
            door = grants.doors[key] = self._door(grants)
        queryset = self._chain()
        queryset.query = door.query.chain()
        queryset._iterable_class = door._iterable_class
        return queryset

    def _door(self, grants) -> OrganisationScopedQuerySet:
        column = f"{self.organisation_lookup}_id"
        category = getattr(self.model, "DATA_CATEGORY", None)
        own = _any_of_sql(column, grants.own)
        if category is None:
            arms = (own,)
        else:
            share_model = sources.share_model_for(self.model)
            one_off = _any_of_sql("pk", grants.shared_ids(share_model)) if share_model else ()
            arms = (own, self._reader_arm(grants), *self._protocol_arms(grants, category), one_off)
        door = _either(*arms)
        if ORM_PREDICATE:
            queryset = self.filter(door) if door is not None else self.none()
        else:
            queryset = self.all()
        queryset = bind_viewer(queryset, grants)
        if category is None:
            return queryset
        queryset = queryset.annotate(**{OWN: _either(own) or Value(False, output_field=models.BooleanField())})
        if ORM_PREDICATE:
            setattr(queryset.query, REACH, self._reach(grants, category))
        if withholds(self.model):
            # The database blanks the personal columns (access/withholding.py); this flag, from the same test,
            # tells the instances which it blanked.
            queryset = queryset.annotate(**{PERSONAL_OK: PersonalCover()})
        queryset._iterable_class = VisibleModelIterable
        return queryset

    # -- the widening, from the grant set: literal arrays of organisation and record ids -----------------------

    def _reader_arm(self, grants) -> tuple[str, ...]:
        """A model's READER_ORGANISATION_FIELD names one more organisation that reads the row (a police answer is
        written for the organisation that reported the concern); row-level security says the same."""
        reader = getattr(self.model, "READER_ORGANISATION_FIELD", "")
        return _any_of_sql(self.model._meta.get_field(reader).attname, grants.own) if reader else ()

    def _protocol_arms(self, grants, category) -> tuple[tuple[str, ...], ...]:
        """The rows the viewer receives under live protocol flows: any classification from the providers of flows
        allowing OFFICIAL-SENSITIVE, OFFICIAL rows from every flow's providers."""
        column = f"{self.organisation_lookup}_id"
        if not hasattr(self.model, "CLASSIFICATION_FIELD"):
            return (_any_of_sql(column, grants.providers(category)),)
        classification = self.model._meta.get_field(self.model.CLASSIFICATION_FIELD).attname
        official = _joined(" AND ", ("", classification, f" = '{OFFICIAL}'"), _any_of_sql(column, grants.providers(category)))
        return _any_of_sql(column, grants.providers(category, sensitive=True)), official

    def _reach(self, grants, category) -> tuple[Q, ...]:
        """The door's rows as plain index conditions: the organisations any of its conditions names, then the
        records shared one-off. Wider than the door (an OFFICIAL-only provider's OFFICIAL-SENSITIVE rows), never
        narrower; empty when the organisation column may be NULL (a NULL is in no part, yet may be shared) or the
        model names a reader organisation (its rows are few: counted as they are)."""
        column = f"{self.organisation_lookup}_id"
        if self.model._meta.get_field(self.organisation_lookup).null or getattr(self.model, "READER_ORGANISATION_FIELD", ""):
            return ()
        organisations = grants.own | grants.providers(category, sensitive=True) | grants.providers(category)
        shared = grants.shared_ids(share_model) if (share_model := sources.share_model_for(self.model)) else frozenset()
        return tuple(any_of(name, ids) for name, ids in ((column, organisations), ("pk", shared)) if ids)


def reach(queryset) -> tuple[Q, ...] | None:
    """The parts of what `visible_to` lets through, each one index condition (`organisation_id = ANY(…)`, then
    `id = ANY(…)` for one-off shares), or None if `queryset` is not the door's own (no door: the viewer sees
    everything, the ORM predicate is off, another door; or combined with another queryset by `|` or a union).

    Every row the door lets through meets one of the parts, so `queryset.filter(part)` over the parts counts
    the same rows as `queryset`, each part through an index instead of a scan testing the door's conditions on
    every row (access/pagination.py's capped count). A part only narrows the queryset: row-level security and
    the door still apply to each."""
    query = getattr(queryset, "query", None)
    parts = getattr(query, REACH, None)
    if not parts or query.combinator or query.where.connector != "AND" or query.where.negated or query.is_empty():
        return None
    return parts


def owning_organisation(user):
    """The organisation a new record made by `user` belongs to: their neighbourhood team if
    they have one, else their first organisation (a partner user's agency)."""
    memberships = sorted(user.memberships.filter(organisation__is_active=True).select_related("organisation"), key=lambda m: (m.organisation.kind != "neighbourhood_team", m.pk))
    return memberships[0].organisation if memberships else None
