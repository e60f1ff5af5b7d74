"""`townhall bench run`: Townhall as in production, driven over real HTTP from another process.

1. Pick the scenarios' targets in the configured database (`scenarios.build`).
2. The instrumented pass: each scenario's request once in this process through Django's test
   client, with the page cache off, counting SQL queries and timing the uncached rendering.
3. Start `townhall serve` (gunicorn, several workers, DEBUG off, the configured cache) on a free
   port, wait for /healthz, warm up.
4. For the ceiling (/healthz) and each scenario, the load driver runs in its own process for the
   set duration; the gunicorn workers' memory is sampled all along.
5. Check that a change is visible at once to anonymous visitors, then run the writes.
"""

from __future__ import annotations

import http.client
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django.utils.crypto import get_random_string

from townhall.bench import report
from townhall.bench.load import Plan, Request, drive_in_subprocess
from townhall.bench.scenarios import Scenario, Targets, Visitor, build, ceiling

HOST = "127.0.0.1"
UNCACHED_REPEATS = 5


@dataclass
class Options:
    size: str = "custom"
    database: str | None = None  # "sqlite" or "postgres": must match the configuration
    concurrency: int = 8
    duration: float = 10.0
    warmup: float = 3.0
    workers: int = 4
    threads: int = 4
    only: set[str] | None = None
    out_dir: Path = Path("bench-results")


def configured_database() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "sqlite" in engine:
        return "sqlite"
    if "postgres" in engine:
        return "postgres"
    return engine.rsplit(".", 1)[-1]


def configured_cache() -> str:
    backend = settings.CACHES["default"]["BACKEND"]
    if "redis" in backend.lower():
        return "redis"
    if "locmem" in backend.lower():
        return "local memory (per process)"
    if "filebased" in backend.lower():
        return "files in the data directory"
    return backend.rsplit(".", 1)[-1]


# The instrumented pass ---------------------------------------------------------------------------


def _send(client: Client, request: Request) -> Any:
    headers = dict(request.headers)
    content_type = headers.pop("Content-Type", "application/octet-stream")
    client.cookies.clear()  # only the scenario's own cookies (in its headers) go with it
    return client.generic(request.method, request.path, request.body.encode(), content_type=content_type,
                          headers=headers)


def instrument(scenarios: list[Scenario], repeats: int = UNCACHED_REPEATS) -> dict[str, dict[str, Any]]:
    """Per scenario: SQL queries of one request and its median time, with the page cache off."""
    client = Client()
    probes: dict[str, dict[str, Any]] = {}
    with override_settings(PAGE_CACHE_SECONDS=0, ALLOWED_HOSTS=[HOST, "testserver"], SECURE_SSL_REDIRECT=False):
        for scenario in scenarios:
            request = scenario.probe_request()
            if scenario.kind == "read":
                # Counted warm, as under load: the first request also fills Django's own caches (the
                # session's copy in the cache, content types, compiled templates).
                _send(client, request)
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = _send(client, request)
            times = [time.perf_counter() - started]
            # Read now: every request starts by clearing the connection's query log.
            count = len(queries.captured_queries)
            sql_ms = sum(float(query["time"]) for query in queries.captured_queries) * 1000
            if scenario.kind == "read":
                for _ in range(repeats):
                    started = time.perf_counter()
                    _send(client, request)
                    times.append(time.perf_counter() - started)
            probes[scenario.name] = {
                "status": response.status_code,
                "unexpected_status": response.status_code not in request.expect,
                "queries": count,
                "server_ms": round(statistics.median(times) * 1000, 2),
                "sql_ms": round(sql_ms, 1),  # of the counted request, as the database driver timed it
            }
    return probes


# The server --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """`townhall serve` in a child process of its own session (Ctrl-C here stops it cleanly)."""

    def __init__(self, workers: int, threads: int, log_path: Path):
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("TOWNHALL_TESTING", "TOWNHALL_DEBUG", "TOWNHALL_JOBS_IMMEDIATE"):
            env.pop(name, None)
        env.update({"TOWNHALL_ALLOWED_HOSTS": HOST, "TOWNHALL_HTTPS": "0", "PYTHONUNBUFFERED": "1"})
        return env

    def start(self, timeout: float = 300.0) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "townhall.cli", "serve", "--no-demo", "--no-worker", "--host", HOST,
             "--port", str(self.port), "--workers", str(self.workers), "--threads", str(self.threads)],
            stdout=log, stderr=subprocess.STDOUT, env=self.environment(), start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"townhall serve stopped before answering:\n{self.log_tail()}")
            if self.get("/healthz")[0] == 200 and len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.25)
        raise RuntimeError(f"townhall serve did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, str]:
        """One request on a new connection (so that successive calls may reach different workers)."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Connection": "close", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read(), response.getheader("X-Townhall-Cache", "")
        except OSError:
            return 0, b"", ""
        finally:
            conn.close()

    def send(self, request: Request) -> int:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request(request.method, request.path, body=request.body.encode() or None, headers=request.headers)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def worker_pids(self) -> list[int]:
        """gunicorn's workers: the children of the serve process (the gunicorn master)."""
        if self.process is None:
            return []
        return children(self.process.pid)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # gunicorn finishes the requests in flight
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (the highest resident so far) of a process, in kB."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


class MemorySampler:
    """Samples the workers' resident memory every half second while the load runs."""

    def __init__(self, server: Server, interval: float = 0.5):
        self.server = server
        self.interval = interval
        self.peak_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> dict[int, dict[str, int]]:
        now = {pid: memory_kb(pid) for pid in self.server.worker_pids()}
        for pid, values in now.items():
            seen = max(values.get("VmRSS", 0), values.get("VmHWM", 0))
            self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), seen)
        return now

    def start(self) -> None:
        self._thread.start()

    def halt(self) -> None:
        self._stop.set()

    def stop(self) -> dict[str, Any]:
        """Stop sampling; each worker's peak and its resident memory now."""
        self.halt()
        self._thread.join()
        after = self.sample()
        workers = [
            {"pid": pid, "peak_mb": round(self.peak_kb[pid] / 1024, 1),
             "after_mb": round(values.get("VmRSS", 0) / 1024, 1)}
            for pid, values in sorted(after.items())
        ]
        return {
            "workers": workers,
            "peak_mb": max((w["peak_mb"] for w in workers), default=0.0),
            "after_mb": max((w["after_mb"] for w in workers), default=0.0),
            "restarted_workers": len(set(self.peak_kb) - set(after)),
        }


# Checks and load ---------------------------------------------------------------------------------


def freshness_check(server: Server, topic_url: str, writer: Visitor, rounds: int = 3) -> dict[str, Any]:
    """Anonymous visitors see a new answer at once, whichever worker answers them.

    The page is first cached by every worker (parallel requests on new connections reach several
    workers), then a member posts an answer, then anonymous visitors ask for the page again.
    """
    parallel = server.workers * 2

    def anonymous_round() -> list[tuple[int, bytes, str]]:
        with ThreadPoolExecutor(parallel) as pool:
            return list(pool.map(lambda _: server.get(topic_url), range(parallel)))

    for _ in range(rounds):
        anonymous_round()
    marker = f"freshness{get_random_string(12)}"
    status = server.send(writer.form(f"{topic_url.rstrip('/')}/answer/", {"body": f"Still happening: {marker}"},
                                     expect=[302]))
    after = [response for _ in range(rounds) for response in anonymous_round()]
    stale = sum(1 for _, body, _ in after if marker.encode() not in body)
    return {"url": topic_url, "answer_status": status, "checks": len(after), "stale": stale,
            "cache_hits": sum(1 for _, _, verdict in after if verdict == "hit")}


def measure(server: Server, scenario: Scenario, options: Options, workdir: Path,
            duration: float | None = None) -> dict[str, Any]:
    plan = Plan(host=HOST, port=server.port, requests=scenario.requests, concurrency=options.concurrency,
                duration=options.duration if duration is None else duration)
    return report.summarise(drive_in_subprocess(plan, workdir))


def data_summary() -> dict[str, int]:
    from django.contrib.auth import get_user_model

    from townhall.content.models import Post, Topic
    from townhall.spaces.models import Space

    return {"members": get_user_model().objects.count(), "spaces": Space.objects.count(),
            "topics": Topic.objects.count(), "posts": Post.objects.count()}


def run(options: Options, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """The whole benchmark; returns the result (the JSON file's content)."""
    database = configured_database()
    if options.database and options.database != database:
        hint = ("set DATABASE_URL=postgres://…" if options.database == "postgres"
                else "unset DATABASE_URL")
        raise ValueError(f"--database {options.database}, but Townhall is configured for {database}: {hint}.")
    started_at = timezone.now().replace(microsecond=0)
    load_before = os.getloadavg()
    echo(f"Picking targets in the {database} database…")
    targets: Targets = build(duration=options.duration, only=options.only)
    data = data_summary()
    # Pages name their static files through collectstatic's manifest, as `townhall serve` prepares it.
    call_command("collectstatic", interactive=False, verbosity=0)
    echo(f"Counting queries (page cache off) for {len(targets.scenarios)} scenarios…")
    probes = instrument([ceiling(), *targets.scenarios])
    # The server gets the database to itself: no connection of ours holds a lock or a slot.
    connections.close_all()

    stem = report.result_stem({"started_at": started_at.isoformat(), "size": options.size, "database": database})
    server = Server(options.workers, options.threads, options.out_dir / f"{stem}-server.log")
    echo(f"Starting townhall serve ({options.workers} workers × {options.threads} threads) on port {server.port}…")
    entries: list[dict[str, Any]] = []
    freshness = None
    sampler = MemorySampler(server)
    memory: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
        workdir = Path(tmp)
        try:
            server.start()
            sampler.start()
            reads = [s for s in targets.scenarios if s.kind == "read"]
            writes = [s for s in targets.scenarios if s.kind == "write"]
            if options.warmup > 0 and reads:
                echo(f"Warming up for {options.warmup:g} s…")
                warm = Scenario("warmup", "Warm-up", "read", "mixed", [r for s in reads for r in s.requests])
                measure(server, warm, options, workdir, duration=options.warmup)
            echo("Measuring the ceiling (/healthz)…")
            ceilings = [measure(server, ceiling(), options, workdir)]
            for scenario in reads:
                echo(f"  {scenario.name}…")
                entries.append(_entry(scenario, measure(server, scenario, options, workdir), probes))
            ceilings.append(measure(server, ceiling(), options, workdir))
            if targets.freshness_topic is not None and (not options.only or writes):
                echo("Checking that anonymous visitors see a change at once…")
                freshness = freshness_check(server, targets.freshness_topic.get_absolute_url(), targets.member)
            for scenario in writes:
                echo(f"  {scenario.name}…")
                entries.append(_entry(scenario, measure(server, scenario, options, workdir), probes))
            memory = sampler.stop()
        finally:
            sampler.halt()
            server.stop()  # also when a scenario fails or the run is interrupted (Ctrl-C)

    # The ceiling: the better of the two measurements (before and after the reads) — the machine's
    # noise only ever lowers it.
    best = max(ceilings, key=lambda c: c["rps"])
    ceiling_rps = best["rps"]
    for entry in entries:
        entry["ceiling_fraction"] = round(entry["load"]["rps"] / ceiling_rps, 3) if ceiling_rps else None
    result: dict[str, Any] = {
        "format": report.FORMAT_VERSION,
        "started_at": started_at.isoformat(),
        "size": options.size,
        "database": database,
        "cache": configured_cache(),
        "page_cache_seconds": settings.PAGE_CACHE_SECONDS,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    # Other work on the machine lowers every figure: the load average tells how busy it was.
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "run": {"concurrency": options.concurrency, "duration": options.duration, "warmup": options.warmup,
                "workers": options.workers, "threads": options.threads,
                "server": "gunicorn gthread via townhall serve, DEBUG off, access log to a file"},
        "data": data,
        "targets_picked": targets.facts,
        "ceiling": {**ceiling().as_dict(), "load": best, "ceilings_rps": [c["rps"] for c in ceilings],
                    "probe": probes["ceiling"], "ceiling_fraction": 1.0},
        "scenarios": entries,
        "memory": memory,
        "freshness": freshness,
    }
    result["targets"] = report.check_targets(result)
    return result


def _entry(scenario: Scenario, load: dict[str, Any], probes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {**scenario.as_dict(), "load": load, "probe": probes.get(scenario.name)}
