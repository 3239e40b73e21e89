"""Print how much of the open data's protected tables carries a figure, before and after the force-area tables."""
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from row_security.context import system_context
from publication.usefulness import report_lines, shares


class Command(BaseCommand):
    help = ("The share of each protected open-data table's full grid (category or type, place, quarter) whose figure is not "
            "0, for the data as it is now: each neighbourhood cell rounded on its own (before) and rounded together by force "
            "area, with the force-area tables (now).")

    def add_arguments(self, parser):
        parser.add_argument("--quarters", type=int, default=settings.OPEN_DATA_QUARTERS, help="Closed quarters to count.")

    @system_context("open-data usefulness figures")
    def handle(self, *args, quarters, **options):
        found = shares(today=timezone.localdate(), base=settings.OPEN_DATA_ROUNDING_BASE, quarters=quarters)
        for line in report_lines(found):
            self.stdout.write(line)
