"""The `townhall` command: run the community, its job consumer, demo content, and Django's commands.

    townhall serve [--host 127.0.0.1] [--port 8000] [--workers N] [--threads N] [--no-demo]
    townhall worker [run_huey options]
    townhall demo [--seed N] [--force]
    townhall <any Django management command>   (migrate, createsuperuser, check --deploy, …)
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

USAGE = """\
usage: townhall <command> [options]

  serve     migrate, collect static files, load demo content on first start,
            then run the web server and a job consumer (see `townhall serve --help`)
  worker    run a job consumer alone (for more workers, or on other machines)
  demo      fill an empty community with demo content
  help      list every command (Django's management commands are all available)

Configuration comes from the environment: TOWNHALL_DATA_DIR, DATABASE_URL, REDIS_URL, …
(see README.md). `townhall check --deploy` reviews it.
"""


def default_workers() -> int:
    """2 × cores + 1, capped at 4: enough for one machine without starving SQLite or the worker."""
    return min(2 * (os.cpu_count() or 1) + 1, 4)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
    import django

    django.setup()


def _django(argv: Sequence[str]) -> None:
    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
    execute_from_command_line(["townhall", *argv])


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="townhall serve",
        description="Migrate, collect static files, load demo content into an empty community, "
                    "then serve Townhall with gunicorn and a job consumer.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--workers", type=int, default=None,
                        help=f"web server processes (default 2 × cores + 1, at most 4: here {default_workers()})")
    parser.add_argument("--threads", type=int, default=4, help="threads per web server process (default 4)")
    parser.add_argument("--no-demo", action="store_true", help="do not load demo content on first start")
    parser.add_argument("--no-worker", action="store_true",
                        help="do not start a job consumer (when `townhall worker` runs elsewhere)")
    return parser


def bind_address(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"{host}:{port}"


def prepare(load_demo: bool) -> None:
    """Everything `serve` does before it listens: migrate, static files, and demo content on first start."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    # The configuration first: a bad variable is reported by name (townhall.E…), not as a traceback.
    call_command("check")
    print("Townhall: migrating the database…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    print(f"Townhall: collecting static files into {settings.STATIC_ROOT}…", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    if load_demo:
        from townhall.spaces.models import Space

        if not Space.objects.exists():
            print("Townhall: an empty community, so loading demo content (skip with --no-demo)…", flush=True)
            call_command("demo")
    # Gunicorn forks its workers from this process: they must not share its database connections.
    connections.close_all()


def start_worker() -> subprocess.Popen[bytes]:
    """`townhall worker` as a child process that dies with us, even if we are killed."""
    preexec = None
    if sys.platform.startswith("linux"):
        def preexec() -> None:
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)

    return subprocess.Popen([sys.executable, "-m", "townhall.cli", "worker"], preexec_fn=preexec)


def stop_worker(worker: subprocess.Popen[bytes] | None) -> None:
    if worker is None or worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)  # Huey finishes the running jobs, then exits
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def run_gunicorn(bind: str, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": "-",
        "errorlog": "-",
        "timeout": 60,
        "graceful_timeout": 20,
        "forwarded_allow_ips": os.environ.get("TOWNHALL_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
    }

    class TownhallServer(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from townhall.wsgi import application

            return application

    TownhallServer().run()


def serve(argv: Sequence[str]) -> int:
    args = _serve_parser().parse_args(list(argv))
    workers = args.workers or default_workers()
    if workers < 1 or args.threads < 1 or not 0 < args.port < 65536:
        print("townhall serve: --workers and --threads must be at least 1, --port between 1 and 65535",
              file=sys.stderr)
        return 2
    _setup_django()
    from django.conf import settings
    from django.core.management.base import CommandError

    try:
        prepare(load_demo=not args.no_demo)
    except CommandError as exc:  # failed system checks, a broken demo, …
        print(f"townhall serve: Townhall cannot start.\n{str(exc).removeprefix('SystemCheckError: ')}",
              file=sys.stderr)
        return 1
    worker = None
    if not args.no_worker and not settings.HUEY_IMMEDIATE:
        worker = start_worker()
    bind = bind_address(args.host, args.port)
    print(f"Townhall: serving http://{bind}/ with {workers} processes × {args.threads} threads"
          f"{' and a job consumer' if worker else ''}. Stop with Ctrl-C.", flush=True)
    try:
        run_gunicorn(bind, workers, args.threads)
    finally:
        stop_worker(worker)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
    if not argv or argv[0] in {"-h", "--help"}:
        print(USAGE, end="")
        return 0
    command, rest = argv[0], argv[1:]
    if command == "serve":
        return serve(rest)
    if command == "worker":
        _django(["run_huey", *rest])
    else:
        _django([command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
