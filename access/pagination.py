"""Lists that do not count what no one reads: a list says "more than 10,000 concerns" rather than count a
million visible rows at every page (GitLab and the Django admin's show_full_result_count do the same).

`CappedPaginator` counts with `SELECT count(*) FROM (SELECT id … LIMIT 10001)`: at most 10,001 rows read,
whatever the table holds. A `visible_to` list counts its door's parts one after another (access/visibility.py
`reach`): `(SELECT id … AND organisation_id = ANY(…)) UNION ALL (SELECT id … AND id = ANY(…shared…) AND NOT
organisation_id = ANY(…)) LIMIT 10001`, so PostgreSQL reads the visible organisations' rows through an index
(index-only over `concern_visible_count`) and stops at the cap, rather than scanning the table and testing
row-level security's policy and the door's conditions on every row it passes (five times as many rows for a
partner seeing one concern in six). Past the cap it no longer knows the last page: each page reads one row more than
it shows to know whether there is a next one (the same number of queries for every page size).

Deep pages go by keyset, not OFFSET: "Next" carries the last row's id (`after`), "Previous" the first
row's (`before`), and the page reads the rows that sort after (or before) that row in the list's own
order, with the primary key as tie-break; PostgreSQL starts from the row instead of reading and
discarding every row before it. Only the id travels in the address: the row's sort values (a name, a
date) are read from the row itself, through the same withholding queryset, so no value appears in a URL
or a log. A missing, unreadable or no longer visible row falls back to the page number."""
from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import F, OrderBy, Q
from django.utils.functional import cached_property

from access.visibility import reach

COUNT_CAP = 10_000


class CappedPage(Page):
    has_more = False
    keyset = None  # "after" or "before": how this page was read

    def has_next(self) -> bool:
        if self.keyset == "after" or self.paginator.count_is_capped:
            return self.has_more
        return super().has_next()

    def has_previous(self) -> bool:
        return self.number > 1

    def _rows(self) -> list:
        return list(self.object_list)  # a queryset's list() reads its result cache: no second query

    @property
    def first_pk(self):
        rows = self._rows()
        return rows[0].pk if rows else None

    @property
    def last_pk(self):
        rows = self._rows()
        return rows[-1].pk if rows else None


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    def __init__(self, object_list, *args, **kwargs):
        # The primary key breaks ties, so numbered and keyset pages agree and no row shows on two pages.
        if hasattr(object_list, "query") and object_list.ordered and (terms := _order_terms(object_list)) is not None:
            object_list = object_list.order_by(*terms)
        super().__init__(object_list, *args, **kwargs)

    @cached_property
    def count(self) -> int:
        """The number of rows, or cap + 1 if there are more than `cap` (read as "more than 10,000")."""
        object_list = self.object_list
        if hasattr(object_list, "query"):
            return capped_rows(object_list, self.cap + 1).count()
        return min(len(object_list), self.cap + 1)

    @property
    def count_is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_text(self) -> str:
        """"1,234", or "more than 10,000"."""
        return f"more than {intcomma(self.cap)}" if self.count_is_capped else intcomma(self.count)

    def validate_number(self, number):
        if not self.count_is_capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            raise EmptyPage("That page number is not a whole number above 0.")
        return number

    def page(self, number) -> Page:
        if not self.count_is_capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom:bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results.")
        page = self._get_page(rows[: self.per_page], number, self)
        page.has_more = len(rows) > self.per_page
        return page

    def _get_page(self, *args, **kwargs) -> Page:
        return CappedPage(*args, **kwargs)


def capped_rows(queryset, limit: int):
    """At most `limit` of `queryset`'s ids, to count: a `visible_to` queryset's read part by part, each part
    leaving out the rows of the parts before it (so no row is read twice), in one statement."""
    rows = queryset.order_by().values("pk")
    parts = reach(queryset)
    if parts is None:
        return rows[:limit]
    arms = [rows.filter(part) if n == 0 else rows.filter(part).exclude(reduce(or_, parts[:n])) for n, part in enumerate(parts)]
    return (arms[0].union(*arms[1:], all=True) if len(arms) > 1 else arms[0])[:limit]


# -- keyset pages ---------------------------------------------------------------------------------------------

KEY_PREFIX = "_keyset_"


def _order_terms(queryset) -> list[OrderBy] | None:
    """The list's order as expressions, the primary key last; None if it cannot be followed by keyset."""
    query = queryset.query
    names = query.order_by or (queryset.model._meta.ordering if query.default_ordering else ())
    terms = []
    for term in names:
        if isinstance(term, str):
            if term == "?" or "." in term:
                return None
            descending = term.startswith("-")
            name = term.lstrip("-+")
            term = OrderBy(F(queryset.model._meta.pk.name if name == "pk" else name), descending=descending)
        elif not isinstance(term, OrderBy):
            term = OrderBy(term) if hasattr(term, "resolve_expression") else None
            if term is None:
                return None
        terms.append(term)
    pk_name = queryset.model._meta.pk.name
    if not any(isinstance(t.expression, F) and t.expression.name in ("pk", pk_name) for t in terms):
        terms.append(OrderBy(F(pk_name)))
    return terms


def _nulls_first(term: OrderBy) -> bool:
    # PostgreSQL puts NULLs last ascending and first descending, unless the ordering says otherwise.
    if term.nulls_first:
        return True
    if term.nulls_last:
        return False
    return term.descending


def _comes_after(name: str, term: OrderBy, value, *, reverse: bool) -> Q:
    """Rows whose `name` sorts strictly after `value` in `term`'s order (before it, with `reverse`)."""
    descending, nulls_first = term.descending != reverse, _nulls_first(term) != reverse
    if value is None:
        return Q(**{f"{name}__isnull": False}) if nulls_first else Q(pk__in=[])
    beyond = Q(**{f"{name}__lt" if descending else f"{name}__gt": value})
    return beyond if nulls_first else beyond | Q(**{f"{name}__isnull": True})


def _same(name: str, value) -> Q:
    return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})


def keyset_page(paginator, number: int, anchor_pk, *, before: bool = False):
    """Page `number`, read as the rows after (or, `before`, the rows before) the row `anchor_pk` in the
    list's order; None when keyset cannot answer (an order it cannot follow, or the row is gone)."""
    queryset = paginator.object_list
    terms = _order_terms(queryset) if hasattr(queryset, "query") else None
    if terms is None:
        return None
    keys = {f"{KEY_PREFIX}{i}": term.expression for i, term in enumerate(terms)}
    keyed = queryset.annotate(**keys)
    anchor = keyed.filter(pk=anchor_pk).values_list(*keys)[:1]
    values = next(iter(anchor), None)
    if values is None:
        return None
    after = Q(pk__in=[])
    equal = Q()
    for (name, term), value in zip(zip(keys, terms), values):
        after |= equal & _comes_after(name, term, value, reverse=before)
        equal &= _same(name, value)
    order = [OrderBy(F(name), descending=t.descending != before, nulls_first=_nulls_first(t) != before or None,
                     nulls_last=_nulls_first(t) == before or None) for name, t in zip(keys, terms)]
    rows = list(keyed.filter(after).order_by(*order)[: paginator.per_page + 1])
    page_rows = rows[: paginator.per_page]
    if before:
        page_rows.reverse()
    page = paginator._get_page(page_rows, number, paginator)
    page.keyset = "before" if before else "after"
    page.has_more = len(rows) > paginator.per_page if not before else True
    return page


class KeysetPagesMixin:
    """For a ListView with a CappedPaginator: "Next" and "Previous" read by keyset (see above)."""

    def paginate_queryset(self, queryset, page_size):
        number = self.request.GET.get(self.page_kwarg, "")
        number = int(number) if number.isdigit() and len(number) < 10 else 1
        for key, before in (("after", False), ("before", True)):
            anchor = self.request.GET.get(key, "")
            if number > 1 and anchor.isdigit() and len(anchor) < 19:
                paginator = self.get_paginator(queryset, page_size, orphans=self.get_paginate_orphans(),
                                               allow_empty_first_page=self.get_allow_empty())
                page = keyset_page(paginator, number, int(anchor), before=before)
                if page is not None:
                    return paginator, page, page.object_list, True
        return super().paginate_queryset(queryset, page_size)
