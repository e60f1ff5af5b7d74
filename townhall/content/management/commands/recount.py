from typing import Any

from django.core.management.base import BaseCommand

from townhall.content.services import reconcile_counters


class Command(BaseCommand):
    help = "Recount the kept counters (replies, answers, votes, kudos, topics per space and tag) and fix drift."

    def handle(self, *args: Any, **options: Any) -> None:
        fixed = reconcile_counters(progress=self.stdout.write)
        total = sum(fixed.values())
        self.stdout.write(self.style.SUCCESS(f"Done: {total} counters fixed."))
