"""Lists that do not count what no one reads: a list says "more than 10,000 concerns" rather than count a
million visible rows at every page (GitLab and the Django admin's show_full_result_count do the same).

`CappedPaginator` counts with `SELECT count(*) FROM (SELECT id … LIMIT 10001)`: at most 10,001 rows read,
whatever the table holds. Past the cap it no longer knows the last page: each page reads one row more than
it shows to know whether there is a next one (the same number of queries for every page size)."""
from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import EmptyPage, Page, Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPage(Page):
    has_more = False

    def has_next(self) -> bool:
        return self.has_more if self.paginator.count_is_capped else super().has_next()


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        """The number of rows, or cap + 1 if there are more than `cap` (read as "more than 10,000")."""
        object_list = self.object_list
        if hasattr(object_list, "query"):
            return object_list.order_by().values("pk")[: self.cap + 1].count()
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
