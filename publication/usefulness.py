"""How much the open data's protected tables tell a reader: the share of each table's full grid (every category or
type, place and quarter) that carries a figure other than 0, for the hub's data as it is now, under the method before
the force-area tables (each neighbourhood cell rounded on its own) and under the method now (a force area's
neighbourhood cells rounded together, and the force-area table). Read by `manage.py open_data_usefulness`."""
import datetime as dt
from dataclasses import dataclass

from crm.models import EngagementKind
from publication import cell_key, selectors
from publication.releases import (
    CONCERNS, CONCERNS_BY_AREA, ENGAGEMENTS, ENGAGEMENTS_BY_AREA, ALL, area_rows, closed_quarters, concern_quarter_rows,
    engagement_quarter_rows, next_quarter,
)


@dataclass(frozen=True)
class Share:
    table: str
    method: str
    cells: int  # the full grid
    with_figure: int

    @property
    def share(self) -> float:
        return self.with_figure / self.cells if self.cells else 0.0


# The neighbourhood tables' "all categories" (or "all types") rows: each neighbourhood's total for a quarter.
TOTALS = {CONCERNS.name: f"{CONCERNS.name} (each neighbourhood's total)", ENGAGEMENTS.name: f"{ENGAGEMENTS.name} (each neighbourhood's total)"}


def _totals_with_figure(figures: dict) -> int:
    totals = {}
    for (_, pk), figure in figures.items():
        totals[pk] = totals.get(pk, 0) + figure
    return sum(total > 0 for total in totals.values())


def _independent(record_ids: dict, kind: str, base: int) -> dict:
    return {key: cell_key.rounded(len(ids), cell_key.cell_key(cell_key.record_key(kind, pk) for pk in ids), base)
            for key, ids in record_ids.items()}


def shares(*, today: dt.date, base: int, quarters: int) -> list[Share]:
    periods = closed_quarters(today, quarters)
    categories = {c.slug: c.name for c in selectors.issue_categories()}
    places = {n.pk: n for n in selectors.all_neighbourhoods()}
    areas = {n.force_area.code: n.force_area.name for n in places.values()}
    kinds = dict(EngagementKind.choices)
    grids = {CONCERNS.name: len(categories) * len(places), ENGAGEMENTS.name: len(kinds) * len(places),
             CONCERNS_BY_AREA.name: len(categories) * len(areas), ENGAGEMENTS_BY_AREA.name: len(kinds) * len(areas)}
    before = {CONCERNS.name: 0, ENGAGEMENTS.name: 0, TOTALS[CONCERNS.name]: 0, TOTALS[ENGAGEMENTS.name]: 0}
    now = {name: 0 for name in grids} | {TOTALS[CONCERNS.name]: 0, TOTALS[ENGAGEMENTS.name]: 0}
    grids |= {TOTALS[CONCERNS.name]: len(places), TOTALS[ENGAGEMENTS.name]: len(places)}
    for quarter in periods:
        end = next_quarter(quarter)
        concerns = {(r["category__slug"], r["neighbourhood_id"]): r["ids"] for r in selectors.concern_cells(start=quarter, end=end)}
        independent = _independent(concerns, "concern", base)
        before[CONCERNS.name] += sum(figure > 0 for figure in independent.values())
        before[TOTALS[CONCERNS.name]] += _totals_with_figure(independent)
        announced, others = {}, {}
        for row in selectors.engagement_cells(start=quarter, end=end):
            (announced if row["announced"] else others)[(row["kind"], row["neighbourhood_id"])] = row["ids"]
        rounded = _independent(others, "engagement", base)
        engagement_figures = {key: len(announced.get(key, [])) + rounded.get(key, 0) for key in announced.keys() | others.keys()}
        before[ENGAGEMENTS.name] += sum(figure > 0 for figure in engagement_figures.values())
        before[TOTALS[ENGAGEMENTS.name]] += _totals_with_figure(engagement_figures)
        for dataset, area_dataset, rows, row_field, name_field, measures in (
            (CONCERNS, CONCERNS_BY_AREA, concern_quarter_rows(quarter, base=base, categories=categories, places=places),
             "category", "category_name", ("concerns",)),
            (ENGAGEMENTS, ENGAGEMENTS_BY_AREA, engagement_quarter_rows(quarter, base=base, kinds=kinds, places=places),
             "engagement_type", "engagement_type_name", ("engagements", "announced_meetings")),
        ):
            now[dataset.name] += sum(r[measures[0]] > 0 for r in rows if ALL not in (r[row_field], r["neighbourhood"]))
            now[TOTALS[dataset.name]] += sum(r[measures[0]] > 0 for r in rows if r[row_field] == ALL and r["neighbourhood"] != ALL)
            by_area = area_rows(rows, row_field=row_field, name_field=name_field, measures=measures, area_names=areas)
            now[area_dataset.name] += sum(r[measures[0]] > 0 for r in by_area if r[row_field] != ALL)
    result = [Share(name, "before: each neighbourhood cell rounded on its own", grids[name] * len(periods), count)
              for name, count in before.items()]
    result += [Share(name, "now: rounded together by force area", grids[name] * len(periods), count) for name, count in now.items()]
    return result


def report_lines(found: list[Share]) -> list[str]:
    lines = [f"{s.table} ({s.method}): {s.with_figure} of {s.cells} cells carry a figure other than 0 ({s.share:.1%})" for s in found]
    for measure, fine, coarse in (("Concerns", CONCERNS.name, CONCERNS_BY_AREA.name), ("Engagements", ENGAGEMENTS.name, ENGAGEMENTS_BY_AREA.name)):
        old = next(s for s in found if s.table == fine and s.method.startswith("before"))
        new = [s for s in found if s.table in (fine, coarse) and s.method.startswith("now")]
        together = sum(s.with_figure for s in new) / max(1, sum(s.cells for s in new))
        lines.append(f"{measure}: before {old.share:.1%} of the published cells carried a figure; now {together:.1%} "
                     f"(neighbourhood and force-area tables together)")
    return lines
