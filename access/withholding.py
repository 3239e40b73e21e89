"""Personal fields withheld by PostgreSQL: a personal column reads blank wherever the reader has no personal-data cover.

A model's PERSONAL_FIELDS (access/visibility.py) are read, wherever the ORM names them (the SELECT list, filter,
exclude, annotate, aggregate, order_by, distinct, values, F(), window functions, a Subquery or an Exists
reaching them through OuterRef, a join from another model), as

    CASE WHEN <cover> THEN "alias"."last_name" ELSE '' END

because Django turns every reference to a field into the field's `Col` (`Field.get_col`), and these fields'
`Col` compiles to that expression. So the value never leaves the database, and a filter, an ordering or an
aggregate over it sees the blank, never the name. Writes name the column itself (INSERT, UPDATE's SET,
indexes and constraints compile without a table alias), so they write the real column.

<cover> is the rule `hub_personal_visible(organisation_id, id, cover, shared)` (crm/migrations/0010) over one
of two answers of the same resolver (access/grants.py):

- a `visible_to(user)` queryset carries its viewer's grant set (on its query, handed to any subquery compiled
  inside it), written into the SQL as literal arrays: the query withholds what its viewer may not see in
  whatever transaction it runs, at no cost to the plan (measured on the hot concern page: planning and
  execution as before);
- any other query (a bare manager, a prefetch, a join from an unscoped model) reads the transaction's grant
  set (`hub.grants`, access/grant_settings.py) through `hub_personal_cover`/`hub_shared`, as scalar sub-selects
  run once per statement: the database's own lock. With no context set it allows everything (once row-level
  security lands, no context shows no rows, so nothing is left to withhold). Each sub-select costs a few
  function calls per statement, which is why a visible_to query, whose viewer is the transaction's reader in
  a request, does not ask again.

Why column expressions rather than security-barrier views: a view would need a second model (or a swapped
db_table) per sensitive table, writes routed to the table, and the ORM's joins, history triggers and
constraints pointed at the right one; the column expression keeps one model and one table, and applies to
joins from other models for free.
"""
from __future__ import annotations

import copy
import re
from functools import cache

from django.db import models
from django.db.models import sql
from django.db.models.expressions import Col, Expression
from django.db.models.signals import class_prepared
from django.utils.functional import cached_property

from access.grants import array_sql
from access.sources import share_model_for

VIEWER = "viewer_grants"  # the Query attribute holding a visible_to queryset's grant set
OFFICIAL = "official"  # sharing_protocols.models.Classification.OFFICIAL


def withholds(model) -> bool:
    """Whether `model`'s personal fields can be shared without personal data (it has a data category)."""
    return bool(getattr(model, "PERSONAL_FIELDS", ())) and getattr(model, "DATA_CATEGORY", None) is not None


# -- the rule, as SQL over one row -----------------------------------------------------------------------------

def _word(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", value):
        raise ValueError(f"Not a plain SQL word: {value!r}")
    return f"'{value}'"


def _ids(ids) -> str:
    return array_sql(None if ids is None else frozenset(ids))


@cache
def _shape(model) -> tuple[str, str, str | None, str | None]:
    """The category, the organisation column, the classification column and the one-off share table."""
    classification = getattr(model, "CLASSIFICATION_FIELD", None)
    share_model = share_model_for(model)
    return (str(model.DATA_CATEGORY), model._meta.get_field("organisation").column,
            model._meta.get_field(classification).column if classification else None,
            share_model._meta.db_table if share_model else None)


def _transaction_arrays(model):
    category, _, _, share_table = _shape(model)
    return ([f"(SELECT hub_personal_cover({_word(category)}, {sensitive}))" for sensitive in ("false", "true")],
            f"(SELECT hub_shared({_word(share_table)}, true))" if share_table else _ids(()))


def _viewer_arrays(model, grants):
    category, _, _, share_table = _shape(model)
    if grants.viewer.sees_everything:
        return [_ids(None), _ids(None)], _ids(())
    covers = [_ids(grants.own | grants.providers(category, sensitive=sensitive, personal=True)) for sensitive in (False, True)]
    return covers, _ids(grants.shared_in(share_table, personal=True) if share_table else ())


def cover_sql(compiler, model, alias: str) -> str:
    """Whether the row of `model` at `alias` may show its personal fields to this query's readers."""
    _, organisation, classification, _ = _shape(model)
    quote = compiler.quote_name_unless_alias
    column = lambda name: f"{quote(alias)}.{quote(name)}"  # noqa: E731
    grants = getattr(compiler.query, VIEWER, None)
    (official, sensitive), shared = _transaction_arrays(model) if grants is None else _viewer_arrays(model, grants)
    cover = official if classification is None else (
        f"CASE WHEN {column(classification)} = {_word(OFFICIAL)} THEN {official} ELSE {sensitive} END")
    return f"hub_personal_visible({column(organisation)}, {column(model._meta.pk.column)}, {cover}, {shared})"


# -- the columns -------------------------------------------------------------------------------------------------

class WithheldCol(Col):
    """A personal field's column: blank where the reader has no personal-data cover for the row."""

    def as_sql(self, compiler, connection):
        column, params = super().as_sql(compiler, connection)
        if self.alias is None:  # an index, a constraint or a generated column: the column itself
            return column, params
        model = self.target.model
        condition = cover_sql(compiler, model, self.alias)
        only_when = getattr(model, "PERSONAL_ONLY_WHEN", {}).get(self.target.name)
        if only_when:  # withheld only when the row says the field holds personal data
            flag = compiler.quote_name_unless_alias(model._meta.get_field(only_when).column)
            condition = f"NOT {compiler.quote_name_unless_alias(self.alias)}.{flag} OR ({condition})"
        blank = "NULL" if self.target.null else "''"
        return f"CASE WHEN {condition} THEN {column} ELSE {blank} END", params


class WithheldColumn:
    """Mixed into a personal field's class (see `_withhold_personal_fields`): its column is a WithheldCol."""

    plain_class: type = models.Field
    plain_path = ""

    def _withheld(self) -> bool:
        # pghistory's event models copy the field (and so its class); only the sensitive model withholds.
        return withholds(self.model) and self.name in self.model.PERSONAL_FIELDS

    def get_col(self, alias, output_field=None):
        if not self._withheld():
            return super().get_col(alias, output_field)
        return WithheldCol(alias, self, output_field or self.plain_twin)

    @property
    def cached_col(self):
        return self.get_col(self.model._meta.db_table) if self._withheld() else Col(self.model._meta.db_table, self)

    @cached_property
    def plain_twin(self):
        """The field as its plain class, for expressions' output: Concat(first_name, Value(" ")) compares the
        classes of its sources, and a withheld CharField is as much a CharField as any other."""
        twin = copy.copy(self)
        twin.__class__ = self.plain_class
        return twin

    def deconstruct(self):
        # Migrations see the plain field: withholding is a way of reading, not a change to the schema.
        name, _, args, kwargs = super().deconstruct()
        return name, self.plain_path, args, kwargs


@cache
def _withheld_class(field_class):
    return type(f"Withheld{field_class.__name__}", (WithheldColumn, field_class),
                {"plain_class": field_class, "plain_path": field_class().deconstruct()[1], "__module__": __name__})


def _withhold_personal_fields(sender, **kwargs):
    """Give each personal field of a model that can be shared without personal data the withholding column."""
    if sender._meta.abstract or not withholds(sender):
        return
    for name in sender.PERSONAL_FIELDS:
        field = sender._meta.get_field(name)
        if not isinstance(field, WithheldColumn):
            field.__class__ = _withheld_class(type(field))
            field.__dict__.pop("cached_col", None)
            field.__dict__.pop("plain_twin", None)


class_prepared.connect(_withhold_personal_fields, dispatch_uid="access.withholding.personal_fields")


# -- the row flag and the viewer's grant set on a query -----------------------------------------------------------

class PersonalCover(Expression):
    """True where this row's personal fields come back unwithheld (the same test as the columns')."""

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, anchor=None):
        super().__init__()
        self.anchor = anchor if anchor is not None else models.F("pk")

    def get_source_expressions(self):
        return [self.anchor]

    def set_source_expressions(self, exprs):
        (self.anchor,) = exprs

    def as_sql(self, compiler, connection):
        return f"({cover_sql(compiler, self.anchor.target.model, self.anchor.alias)})", []


class ViewerQuery(sql.Query):
    """A query that may carry its viewer's grant set, and hands it to the subqueries compiled inside it (an
    Exists, a Subquery or an `__in` over another sensitive model's queryset) that carry none of their own."""

    def as_sql(self, compiler, connection):
        outer = getattr(compiler.query, VIEWER, None)
        if outer is not None and getattr(self, VIEWER, None) is None:
            inner = self.clone()
            setattr(inner, VIEWER, outer)
            return inner.as_sql(compiler, connection)
        return super().as_sql(compiler, connection)


def bind_viewer(queryset, grants):
    """Mark `queryset` as read by the viewer of `grants` (a clone; the personal columns then obey them too)."""
    queryset = queryset.all()
    setattr(queryset.query, VIEWER, grants)
    return queryset
