from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finder.loaders import GazetteerError, load_gazetteer
from finder.models import GazetteerKind


class Command(BaseCommand):
    help = ("Load the ONS Postcode Directory (CSV with its header) or OS Open Names (CSV, one file or many) so the public "
            "can find their neighbourhood by postcode, street or place. Only rows near the force areas are kept.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        kind = parser.add_mutually_exclusive_group(required=True)
        kind.add_argument("--onspd", action="store_const", dest="kind", const=GazetteerKind.POSTCODES, help="ONS Postcode Directory files")
        kind.add_argument("--open-names", action="store_const", dest="kind", const=GazetteerKind.PLACE_NAMES, help="OS Open Names files")

    def handle(self, *args, files: list[Path], kind: str, **options):
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path} is not a file.")
            with path.open("rb") as handle:
                try:
                    summary = load_gazetteer(raw=handle, kind=kind, file_name=path.name)
                except GazetteerError as error:
                    raise CommandError(f"{path.name}: {error}") from None
            self.stdout.write(self.style.SUCCESS(f"{path.name}: {summary}"))
