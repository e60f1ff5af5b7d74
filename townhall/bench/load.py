"""The load driver: N keep-alive HTTP connections sending one scenario's requests for S seconds.

It runs in a process of its own (`python -m townhall.bench.load PLAN.json RESULT.json`) so that
the server's workers and the driver do not share an interpreter, and it imports nothing of
Django: its cost is a thread per connection and http.client. Every latency is recorded.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CACHE_HEADER = "X-Townhall-Cache"


@dataclass
class Request:
    """One request of a scenario, and the statuses that count as success for it."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    expect: list[int] = field(default_factory=lambda: [200])


@dataclass
class Plan:
    """What to send: requests are taken in turn by all connections (writes never repeat one
    unless the list runs out, which `LoadResult.wrapped` reports)."""

    host: str
    port: int
    requests: list[Request]
    concurrency: int = 8
    duration: float = 10.0
    timeout: float = 30.0
    max_requests: int | None = None  # stop earlier after this many (tests, warm-ups)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        requests = [Request(**r) for r in data.pop("requests")]
        return cls(requests=requests, **data)


@dataclass
class LoadResult:
    latencies: list[float]  # seconds, every completed request (errors included), in completion order
    errors: dict[str, int]  # "status 500", "unexpected status 302", "timeout", "connection: …"
    elapsed: float  # seconds from the first request to the last answer
    cache: dict[str, int]  # X-Townhall-Cache: hit / miss / none
    wrapped: bool  # the plan's requests ran out and were reused

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def _connection(plan: Plan) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection(plan.host, plan.port, timeout=plan.timeout)
    conn.connect()
    # Small requests and answers: send each at once rather than wait for an ACK (Nagle).
    assert conn.sock is not None
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def drive(plan: Plan) -> LoadResult:
    """Send the plan's requests over `concurrency` connections until `duration` has passed."""
    if not plan.requests:
        raise ValueError("A plan needs at least one request.")
    counter = itertools.count()  # shared: next() is atomic under the GIL
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    cache = {"hit": 0, "miss": 0, "none": 0}
    first_start: list[float] = []
    last_end = [0.0]
    total = len(plan.requests)
    wrapped = [False]
    # All connections start together; the clock starts when they do.
    start_gate = threading.Barrier(plan.concurrency, action=lambda: first_start.append(time.perf_counter()))

    def worker() -> None:
        local_latencies: list[float] = []
        local_errors: dict[str, int] = {}
        local_cache = {"hit": 0, "miss": 0, "none": 0}
        conn: http.client.HTTPConnection | None = None
        start_gate.wait()
        deadline = time.perf_counter() + plan.duration
        while time.perf_counter() < deadline:
            index = next(counter)
            if plan.max_requests is not None and index >= plan.max_requests:
                break
            if index >= total:
                wrapped[0] = True
            req = plan.requests[index % total]
            began = time.perf_counter()
            reason = None
            try:
                if conn is None:
                    conn = _connection(plan)
                conn.request(req.method, req.path, body=req.body.encode() if req.body else None,
                             headers=req.headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                verdict = response.getheader(CACHE_HEADER, "none")
                local_cache[verdict if verdict in local_cache else "none"] += 1
                if status not in req.expect:
                    reason = f"status {status}" if status >= 400 else f"unexpected status {status}"
                if response.will_close:
                    conn.close()
                    conn = None
            except TimeoutError:
                reason = "timeout"
                _close(conn)
                conn = None
            except (OSError, http.client.HTTPException) as exc:
                reason = f"connection: {type(exc).__name__}"
                _close(conn)
                conn = None
            ended = time.perf_counter()
            local_latencies.append(ended - began)
            if reason:
                local_errors[reason] = local_errors.get(reason, 0) + 1
        _close(conn)
        with lock:
            latencies.extend(local_latencies)
            for key, value in local_errors.items():
                errors[key] = errors.get(key, 0) + value
            for key, value in local_cache.items():
                cache[key] += value
            last_end[0] = max(last_end[0], time.perf_counter())

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(plan.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = (last_end[0] - first_start[0]) if first_start else 0.0
    return LoadResult(latencies=latencies, errors=errors, elapsed=elapsed, cache=cache, wrapped=wrapped[0])


def _close(conn: http.client.HTTPConnection | None) -> None:
    if conn is not None:
        conn.close()


def drive_in_subprocess(plan: Plan, workdir: Path) -> LoadResult:
    """Run `drive(plan)` in a separate Python process and read its result back."""
    workdir.mkdir(parents=True, exist_ok=True)
    plan_file = workdir / f"plan-{os.getpid()}-{time.monotonic_ns()}.json"
    result_file = plan_file.with_name(plan_file.name.replace("plan-", "result-"))
    plan_file.write_text(json.dumps(asdict(plan)))
    try:
        # Started as a plain script of this package: the driver never sets up Django.
        completed = subprocess.run(
            [sys.executable, "-m", "townhall.bench.load", str(plan_file), str(result_file)],
            capture_output=True, text=True, timeout=plan.duration + plan.timeout + 120,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"The load driver failed:\n{completed.stderr[-2000:]}")
        data = json.loads(result_file.read_text())
    finally:
        plan_file.unlink(missing_ok=True)
        result_file.unlink(missing_ok=True)
    return LoadResult(**data)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m townhall.bench.load PLAN.json RESULT.json", file=sys.stderr)
        return 2
    plan = Plan.from_dict(json.loads(Path(argv[0]).read_text()))
    result = drive(plan)
    Path(argv[1]).write_text(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
