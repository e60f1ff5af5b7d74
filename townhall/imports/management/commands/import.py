"""`townhall import stackexchange DIR`: import a Stack Exchange data dump."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.core.errors import ServiceError
from townhall.imports.services import KINDS, ImportReport, import_stackexchange, problem_summary


class Command(BaseCommand):
    help = "Import a community from elsewhere. Sources: stackexchange (a Stack Exchange data dump)."

    def add_arguments(self, parser: CommandParser) -> None:
        sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        stackexchange = sources.add_parser(
            "stackexchange",
            help="a Stack Exchange data dump",
            description="Import a Stack Exchange data dump (the directory holding Posts.xml, Users.xml, "
                        "Comments.xml, Votes.xml, Badges.xml, Tags.xml). Running it again imports only what "
                        "is not there yet.",
        )
        stackexchange.add_argument("directory", metavar="DIR", help="the dump's directory")
        stackexchange.add_argument("--space", metavar="SLUG",
                                   help="the space to import into (created as a public forum if it does not "
                                        "exist; default: one named after the site)")
        stackexchange.add_argument("--site-name", help="the site's name, for a new space (default: from DIR)")
        stackexchange.add_argument("--dry-run", action="store_true",
                                   help="read and check everything, report what would be imported, write nothing")
        # Also after the source: "(every row: run again with -v 2)" must work where people type it.
        stackexchange.add_argument("-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=argparse.SUPPRESS,
                                   help="1: a summary of the bad rows (default); 2: every bad row")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options.get("verbosity", 1)
        try:
            report = import_stackexchange(
                options["directory"], space_slug=options.get("space"), site_name=options.get("site_name"),
                dry_run=options.get("dry_run", False), out=self.stdout.write if verbosity else None,
            )
        except ServiceError as exc:
            raise CommandError(exc.message)
        self.print_report(report, verbosity)
        if report.file_problems:
            raise CommandError(f"{len(report.file_problems)} file(s) could not be read to the end (see above); "
                               "everything else is imported. Fix the files and run the import again.")

    def print_report(self, report: ImportReport, verbosity: int) -> None:
        write = self.stdout.write
        verb = "Would import" if report.dry_run else "Imported"
        write("")
        write(f"{verb} into the space “{report.space_slug}” in {report.seconds:.1f} s:")
        write(f"  {'':<18}{'created':>10}{'already there':>16}{'skipped':>10}")
        for kind in KINDS:
            tally = report.tallies[kind]
            write(f"  {kind:<18}{tally.created:>10,}{tally.existing:>16,}{tally.skipped:>10,}")
        for note in report.notes:
            write(f"  {note}")
        if report.not_imported:
            write("Not imported, by design:")
            for what, n in sorted(report.not_imported.items()):
                write(f"  {n:>8,}  {what}")
        if report.problems:
            write(self.style.WARNING(f"{len(report.problems):,} rows skipped or changed because of a problem:"))
            lines = [str(p) for p in report.problems] if verbosity > 1 else problem_summary(report.problems)
            for line in lines:
                write(f"  {line}")
            if verbosity < 2:
                write("  (every row: run again with -v 2)")
        for problem in report.file_problems:
            self.stderr.write(self.style.ERROR(problem))
        if not report.dry_run:
            if report.changed:
                write(self.style.SUCCESS(f"Done: {report.created:,} things created, {report.fixed:,} counters, "
                                         "reputations and search documents brought up to date."))
            else:
                write(self.style.SUCCESS("Done: everything was already there; nothing changed."))
