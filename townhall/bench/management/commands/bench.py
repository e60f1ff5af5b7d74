"""`townhall bench`: generate a community of a given size, benchmark it, and report the results.

    townhall bench generate --size small|medium|large [--seed N] [--force]
    townhall bench run [--size S] [--database sqlite|postgres] [--concurrency N] [--duration S] …
    townhall bench report FILE [FILE …] [--svg PATH]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.bench import report
from townhall.core.errors import ServiceError


class Command(BaseCommand):
    help = "Generate a community of a given size, benchmark Townhall on it, and report the figures."

    def add_arguments(self, parser: CommandParser) -> None:
        from townhall.cli import default_workers

        actions = parser.add_subparsers(dest="action", required=True, metavar="generate|run|report")

        generate = actions.add_parser("generate", help="fill the database with a generated community")
        generate.add_argument("--size", required=True, choices=["small", "medium", "large"])
        generate.add_argument("--seed", type=int, default=None, help="random seed (the same seed, the same community)")
        generate.add_argument("--force", action="store_true", help="generate even if the community is not empty")

        run = actions.add_parser("run", help="serve Townhall as in production and measure every scenario")
        run.add_argument("--size", default=None,
                         help="the size of the community in the database, for the report (default: what "
                              "`bench generate` recorded, else “custom”)")
        run.add_argument("--database", choices=["sqlite", "postgres"], default=None,
                         help="check that Townhall is configured for this database (DATABASE_URL)")
        run.add_argument("--concurrency", type=int, default=8, help="connections at once (default 8)")
        run.add_argument("--duration", type=float, default=10.0, help="seconds per scenario (default 10)")
        run.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up (default 3)")
        run.add_argument("--workers", type=int, default=default_workers(),
                         help=f"gunicorn workers (default as `townhall serve`: {default_workers()})")
        run.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
        run.add_argument("--only", default="", help="comma-separated scenario names (default: all)")
        run.add_argument("--out", default="bench-results", help="directory for the JSON, SVG and server log")

        show = actions.add_parser("report", help="print and chart one or more result files together")
        show.add_argument("files", nargs="+", help="JSON files written by `bench run`")
        show.add_argument("--svg", default=None, help="write the combined chart here (default: beside the first)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "generate":
            self.generate(options)
        elif action == "run":
            self.run(options)
        else:
            self.report(options)

    def generate(self, options: dict[str, Any]) -> None:
        from townhall.bench.generate import generate

        call_command("migrate", interactive=False, verbosity=0)  # a new data directory: create the tables
        extra = {"seed": options["seed"]} if options["seed"] is not None else {}
        try:
            summary = generate(options["size"], progress=lambda message: self.stdout.write(f"  {message}"),
                               force=options["force"], **extra)
        except ServiceError as exc:
            raise CommandError(exc.message)
        self.stdout.write(summary.format_table())
        self.stdout.write(self.style.SUCCESS(
            f"Generated the {summary.size} community in {summary.seconds:.0f} s. Landmarks:\n"
            + json.dumps(summary.landmarks, indent=2, default=str)))

    def run(self, options: dict[str, Any]) -> None:
        from townhall.bench.run import Options, run

        if options["concurrency"] < 1 or options["duration"] <= 0 or options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--concurrency, --workers and --threads must be at least 1, --duration above 0.")
        only = {name.strip() for name in options["only"].split(",") if name.strip()} or None
        settings = Options(size=options["size"] or generated_size(), database=options["database"],
                           concurrency=options["concurrency"], duration=options["duration"],
                           warmup=options["warmup"], workers=options["workers"], threads=options["threads"],
                           only=only, out_dir=Path(options["out"]))
        try:
            result = run(settings, echo=self.stdout.write)
        except (ValueError, RuntimeError) as exc:
            raise CommandError(str(exc))
        json_path, svg_path = report.write_files(result, settings.out_dir)
        self.stdout.write("")
        self.stdout.write(report.format_heading(result))
        self.stdout.write(report.format_table(result))
        self.stdout.write("")
        self.stdout.write(report.format_targets(result["targets"]))
        self.stdout.write(f"\nWrote {json_path} and {svg_path}")

    def report(self, options: dict[str, Any]) -> None:
        results = []
        for name in options["files"]:
            try:
                results.append(report.load_result(Path(name)))
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read {name}: {exc}")
        for result in results:
            self.stdout.write(report.format_heading(result))
            self.stdout.write(report.format_table(result))
            self.stdout.write(report.format_targets(report.check_targets(result)))
            self.stdout.write("")
        comparisons = report.size_comparisons(results)
        if comparisons:
            self.stdout.write(report.format_targets(comparisons))
        svg = Path(options["svg"]) if options["svg"] else Path(options["files"][0]).with_suffix(".combined.svg")
        svg.write_text(report.render_svg(results))
        self.stdout.write(f"Wrote {svg}")


def generated_size() -> str:
    """The generator's size whose number of topics this community has (within 10%), else "custom"."""
    from townhall.bench.generate import SIZES
    from townhall.content.models import Topic

    topics = Topic.objects.count()
    for name, spec in SIZES.items():
        if abs(topics - spec.topics) <= spec.topics / 10:
            return name
    return "custom"
