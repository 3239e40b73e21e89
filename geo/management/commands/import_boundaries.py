from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from geo.boundaries import BoundaryImportError, BoundaryKind, import_boundaries
from geo.models import ForceArea


class Command(BaseCommand):
    help = "Import boundaries from a GeoJSON file (or police.uk's /boundary answer). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--kind", required=True, choices=[choice for choice, _ in BoundaryKind.CHOICES])
        parser.add_argument("--force", dest="force_code", help="The force area's code, for neighbourhoods and the force boundary.")
        parser.add_argument("--code-property")
        parser.add_argument("--name-property")
        parser.add_argument("--code", help="The code of a single boundary (police.uk's /boundary carries none).")
        parser.add_argument("--name", help="The name of a single boundary.")

    def handle(self, *args, path: Path, kind: str, force_code: str | None, **options):
        force_area = None
        if force_code:
            force_area = ForceArea.objects.filter(code=force_code).first()
            if force_area is None:
                raise CommandError(f"No force area has the code {force_code!r} ({_known_force_codes()}).")
        elif kind in (BoundaryKind.NEIGHBOURHOOD, BoundaryKind.FORCE):
            what = "neighbourhoods" if kind == BoundaryKind.NEIGHBOURHOOD else "the force boundary"
            raise CommandError(f"Give --force with the force area's code to import {what} ({_known_force_codes()}).")
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            summary = import_boundaries(
                raw=raw, kind=kind, force_area=force_area, code_property=options["code_property"],
                name_property=options["name_property"], code=options["code"], name=options["name"],
            )
        except BoundaryImportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))


def _known_force_codes() -> str:
    codes = list(ForceArea.objects.order_by("code").values_list("code", flat=True))
    return f"force area codes: {', '.join(codes)}" if codes else "no force areas exist yet"
