"""Helpers for the advisory-group tests: dates, seeded demographic profiles, and reading a
rendered page the way a user reads it (tables as rows of cell text)."""
import datetime
import re
from html import unescape

from django.utils import timezone

from tests.factories import DemographicProfileFactory, SmallAreaFactory

TODAY = timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


# 1,000 residents: 10% Asian, 3% Black, 2% mixed, 84% white, 1% other.
AGES = {"0-15": 200, "16-24": 100, "25-44": 300, "45-64": 250, "65-74": 100, "75+": 50}
ETHNICITY = {"asian": 100, "black": 30, "mixed": 20, "white": 840, "other": 10}
DISABILITY = {"limited_a_lot": 100, "limited_a_little": 150, "not_disabled": 750}


def profile_for(neighbourhood, *, ages=None, ethnicity=None, disability=None, source="Census 2021"):
    """A small area in `neighbourhood` with a demographic profile (by default the 1,000 residents above)."""
    return DemographicProfileFactory(
        area=SmallAreaFactory(neighbourhood=neighbourhood), source=source,
        population_by_age_band=ages or AGES, ethnicity=ethnicity or ETHNICITY, disability=disability or DISABILITY,
        main_language={"English": 1000},
    )


def text(html: str) -> str:
    """The words on the page (or a piece of it), tags removed and spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The body rows of the table with id `table_id`, each as its cells' text."""
    match = re.search(rf'<table[^>]*id="{re.escape(table_id)}".*?</table>', page, re.S)
    assert match, f"no table {table_id} on the page"
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", match.group(0), re.S).group(1)
    return [[text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
