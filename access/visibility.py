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
condition, not the rule. Rows come back marked `is_shared` (not the user's own). Rows seen under 2 or 3 without personal data
come back with the model's PERSONAL_FIELDS blanked, by the queryset's iterable before any caller
holds the instance, and `withheld_fields` naming them; such an instance refuses to be saved.
values() and values_list() refuse personal fields, and filters or orderings on them use the
withheld value, so a search cannot find a record by a name it withholds. `editable_by(user)` is the narrower door for writes: own rows only.
"""
from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.query import ModelIterable

from access.grants import Viewer, grants_for

PERSONAL_OK = "_personal_ok"
# Tests only (tests/row_security/test_leak_matrix_rls_only.py): False lets every row through the ORM's door,
# so that PostgreSQL's row-level security alone decides what a viewer reads. Never set outside tests.
ORM_PREDICATE = True
OWN = "_own"
WITHHELD_PREFIX = "_w_"


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


class AnyOf(models.Func):
    """`column = ANY(%s)` over a literal array from the grant set: nothing for PostgreSQL to plan but an
    index condition (the rule's subqueries are resolved once per request, not planned into every query)."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = models.BooleanField()

    def __init__(self, column: str, ids):
        super().__init__(F(column), Value(sorted(ids), output_field=ArrayField(models.BigIntegerField())))


def any_of(column: str, ids) -> Q:
    """A condition on `column` being one of `ids` (none: nothing matches)."""
    return Q(AnyOf(column, ids)) if ids else Q(pk__in=[])


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=models.BooleanField())


def _blank(field):
    return "" if field.empty_strings_allowed and not field.null else None


class VisibleModelIterable(ModelIterable):
    """Marks each row as own or shared, and blanks the personal fields a row's sharing withholds,
    before the instance reaches any caller."""

    def __iter__(self):
        model = self.queryset.model
        personal_fields = getattr(model, "PERSONAL_FIELDS", ())
        blanks = {name: _blank(model._meta.get_field(name)) for name in personal_fields}
        only_when = getattr(model, "PERSONAL_ONLY_WHEN", {})
        for instance in super().__iter__():
            instance.is_shared = not instance.__dict__.pop(OWN, True)
            personal_ok = instance.__dict__.pop(PERSONAL_OK, True)
            withheld = frozenset() if personal_ok else frozenset(
                name for name in personal_fields if name not in only_when or getattr(instance, only_when[name])
            )
            for name in withheld:
                instance.__dict__[name] = blanks[name]
            instance.withheld_fields = withheld
            yield instance


class OrganisationScopedQuerySet(models.QuerySet):
    """Rows owned by an organisation. Subclasses name the owning field if it is not `organisation`."""

    organisation_lookup = "organisation"

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
        own = any_of(f"{self.organisation_lookup}_id", grants.own)
        category = getattr(self.model, "DATA_CATEGORY", None)
        if category is None:
            return self.filter(own) if ORM_PREDICATE else self.all()
        shared = self._protocol_q(grants, category)
        one_off = self._one_off_q(grants, personal=False)
        queryset = (self.filter(own | shared | one_off) if ORM_PREDICATE else self.all()).annotate(**{OWN: _flag(own)})
        if getattr(self.model, "PERSONAL_FIELDS", None):
            personal_ok = own | self._protocol_q(grants, category, personal=True) | self._one_off_q(grants, personal=True)
            queryset = queryset._withholding(personal_ok)
        queryset._iterable_class = VisibleModelIterable
        return queryset

    # -- the widening, from the grant set: literal arrays of organisation and record ids -----------------------

    def _protocol_q(self, grants, category, *, personal: bool = False) -> Q:
        column = f"{self.organisation_lookup}_id"
        any_level = any_of(column, grants.providers(category, sensitive=True, personal=personal))
        if not hasattr(self.model, "CLASSIFICATION_FIELD"):
            return any_of(column, grants.providers(category, personal=personal))
        from sharing_protocols.models import Classification

        official = Q(**{self.model.CLASSIFICATION_FIELD: Classification.OFFICIAL}) & any_of(
            column, grants.providers(category, personal=personal))
        return any_level | official

    def _one_off_q(self, grants, *, personal: bool) -> Q:
        from sharing_protocols.shares import share_model_for

        share_model = share_model_for(self.model)
        if share_model is None:
            return Q(pk__in=[])
        return any_of("pk", grants.shared_ids(share_model, personal=personal))

    def _withholding(self, personal_ok: Q) -> OrganisationScopedQuerySet:
        # One flag per row; the iterable blanks the fields. The withheld values are also kept as
        # aliases (not selected) so that filters and orderings on personal fields use them instead.
        only_when = getattr(self.model, "PERSONAL_ONLY_WHEN", {})
        aliases = {}
        for name in self.model.PERSONAL_FIELDS:
            field = self.model._meta.get_field(name)
            allowed = personal_ok | Q(**{only_when[name]: False}) if name in only_when else personal_ok
            aliases[WITHHELD_PREFIX + name] = Case(When(allowed, then=F(name)), default=Value(_blank(field)), output_field=field)
        queryset = self.annotate(**{PERSONAL_OK: _flag(personal_ok)}).alias(**aliases)
        queryset._withholds_personal_fields = True
        return queryset

    # -- guards: personal columns never leave except through the withholding iterable ----------------------------

    def _clone(self):
        clone = super()._clone()
        clone._withholds_personal_fields = getattr(self, "_withholds_personal_fields", False)
        return clone

    def _refuse_personal(self, fields, expressions=()):
        if not getattr(self, "_withholds_personal_fields", False):
            return
        personal = set(self.model.PERSONAL_FIELDS)
        asked = {field.split("__")[0] for field in fields}
        if not fields and not expressions or asked & personal or asked & {PERSONAL_OK, OWN, *(WITHHELD_PREFIX + p for p in personal)}:
            raise ImproperlyConfigured(
                f"{self.model.__name__}'s personal fields ({', '.join(sorted(personal))}) may be withheld: "
                "read them from instances got through visible_to, and name the other fields you want in values()."
            )

    def _personal_lookup(self, lookup: str) -> str:
        name, _, rest = lookup.lstrip("-").partition("__")
        if name not in self.model.PERSONAL_FIELDS:
            return lookup
        return ("-" if lookup.startswith("-") else "") + WITHHELD_PREFIX + name + (f"__{rest}" if rest else "")

    def _rewrite(self, node):
        """Point a Q's conditions on personal fields at their withheld values, so a search by name never
        matches (and so reveals) a record whose name is withheld."""
        if isinstance(node, Q):
            clone = node.copy()
            clone.children = [self._rewrite(child) for child in node.children]
            return clone
        if isinstance(node, tuple):
            return (self._personal_lookup(node[0]), node[1])
        return node

    def _rewrite_expression(self, expression):
        """The same for expressions (annotate, alias, values): F("postcode") inside Upper(...) reads the
        withheld postcode, so a computed search cannot reach a withheld value either."""
        if isinstance(expression, F):
            name = self._personal_lookup(expression.name)
            return F(name) if name != expression.name else expression
        if isinstance(expression, Q):
            return self._rewrite(expression)
        if isinstance(expression, str) or not hasattr(expression, "get_source_expressions"):
            return expression
        expression = expression.copy()
        expression.set_source_expressions([self._rewrite_expression(source) for source in expression.get_source_expressions()])
        return expression

    def annotate(self, *args, **kwargs):
        if getattr(self, "_withholds_personal_fields", False):
            args = tuple(self._rewrite_expression(arg) for arg in args)
            kwargs = {name: self._rewrite_expression(value) for name, value in kwargs.items()}
        return super().annotate(*args, **kwargs)

    def alias(self, *args, **kwargs):
        if getattr(self, "_withholds_personal_fields", False):
            args = tuple(self._rewrite_expression(arg) for arg in args)
            kwargs = {name: self._rewrite_expression(value) for name, value in kwargs.items()}
        return super().alias(*args, **kwargs)

    def _filter_or_exclude(self, negate, args, kwargs):
        if getattr(self, "_withholds_personal_fields", False):
            args = tuple(self._rewrite(arg) for arg in args)
            kwargs = {self._personal_lookup(lookup): value for lookup, value in kwargs.items()}
        return super()._filter_or_exclude(negate, args, kwargs)

    def order_by(self, *field_names):
        if getattr(self, "_withholds_personal_fields", False):
            field_names = tuple(self._personal_lookup(name) if isinstance(name, str) else name for name in field_names)
        return super().order_by(*field_names)

    def values(self, *fields, **expressions):
        self._refuse_personal(fields, expressions)
        if getattr(self, "_withholds_personal_fields", False):
            expressions = {name: self._rewrite_expression(value) for name, value in expressions.items()}
        return super().values(*fields, **expressions)

    def values_list(self, *fields, flat=False, named=False):
        self._refuse_personal(fields)
        return super().values_list(*fields, flat=flat, named=named)


def owning_organisation(user):
    """The organisation a new record made by `user` belongs to: their neighbourhood team if
    they have one, else their first organisation (a partner user's agency)."""
    memberships = sorted(user.memberships.filter(organisation__is_active=True).select_related("organisation"), key=lambda m: (m.organisation.kind != "neighbourhood_team", m.pk))
    return memberships[0].organisation if memberships else None
