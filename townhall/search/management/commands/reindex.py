"""`townhall reindex`: rebuild the search index from the content (after an import or a restore)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from townhall.search.services import reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index from every topic, answer and comment."

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"\rIndexing topics: {done}/{total}", ending="")
                self.stdout.flush()

        written = reindex_all(progress)
        seconds = time.monotonic() - started
        if verbosity >= 1:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"Indexed {written} document{'s' if written != 1 else ''} in {seconds:.1f} seconds."
        ))
