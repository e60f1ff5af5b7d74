"""`townhall demo`: fill an empty community with demo content (see townhall/demo.py)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.core.errors import ServiceError
from townhall.demo import DEFAULT_SEED, DemoAlreadyLoaded, build_demo, demo_loaded


class Command(BaseCommand):
    help = "Load demo content: four products, an Insiders group, ~40 members and ~100 questions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"random seed: the same seed builds the same community (default {DEFAULT_SEED})")
        parser.add_argument("--force", action="store_true",
                            help="load it even though the community already has spaces of its own")

    def handle(self, *args: Any, **options: Any) -> None:
        from townhall.spaces.models import Space

        if demo_loaded():
            self.stdout.write("The demo content is already loaded: nothing to do.")
            return
        if Space.objects.exists() and not options["force"]:
            raise CommandError(
                "This community already has spaces of its own; demo content would mix with them. "
                "Use --force to load it anyway."
            )
        password = os.environ.get("TOWNHALL_DEMO_PASSWORD") or None
        self.stdout.write("Loading demo content…")
        try:
            summary = build_demo(
                seed=options["seed"], password=password,
                progress=lambda message: self.stdout.write(f"  {message}"),
            )
        except DemoAlreadyLoaded:
            self.stdout.write("The demo content is already loaded: nothing to do.")
            return
        except ServiceError as exc:
            fields = "; ".join(f"{name}: {' '.join(reasons)}" for name, reasons in exc.errors.items())
            where = " (TOWNHALL_DEMO_PASSWORD)" if "password" in exc.errors else ""
            raise CommandError(f"Demo content was not loaded{where}: {fields or exc.message}")
        self.stdout.write(self.style.SUCCESS(
            f"Demo content loaded in {summary.seconds:.1f} s: {summary.members} members, {summary.spaces} spaces, "
            f"{summary.questions} questions, {summary.answers} answers, {summary.comments} comments, "
            f"{summary.solved} solved, {summary.escalated} escalated, {summary.waiting} waiting for an answer."
        ))
        staff = ", ".join(summary.staff[1:])
        if password:
            self.stdout.write(f"Sign in as “admin” with the password in TOWNHALL_DEMO_PASSWORD "
                              f"(the same for {staff}).")
        else:
            self.stdout.write(f"Sign in as “admin” with the password: {summary.password}")
            self.stdout.write(f"(The same password works for {staff}. It is shown only this once; "
                              "set TOWNHALL_DEMO_PASSWORD to choose it.)")
