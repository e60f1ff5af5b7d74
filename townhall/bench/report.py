"""The benchmark's results: summary figures, the terminal table, the JSON file, the SVG chart, the targets.

Nothing here touches Django or the network: a result is a plain dict (the JSON file's content),
so `townhall bench report` can combine files written on other days or machines.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from townhall.bench.load import LoadResult

FORMAT_VERSION = 1
SIZES = ["tiny", "small", "medium", "large"]

# The targets (large, PostgreSQL, 2 cores, concurrency 8).
ANONYMOUS_FRACTION = 0.40
SIGNED_IN_FRACTION = 0.10
READ_P95_MS = 100.0
WRITE_P95_MS = 150.0
DEEP_PAGE_FACTOR = 1.3
LARGE_VS_SMALL_FACTOR = 1.5
MAX_QUERIES = 15
WORKER_MB = 200.0


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) of sorted values, interpolating between the two nearest ranks."""
    if not sorted_values:
        return 0.0
    if not 0 <= q <= 100:
        raise ValueError("A percentile is between 0 and 100.")
    rank = (len(sorted_values) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def summarise(load: LoadResult) -> dict[str, Any]:
    """Throughput, latency percentiles (ms), errors and cache verdicts of one scenario's load."""
    latencies = sorted(load.latencies)
    ms = [value * 1000 for value in latencies]
    answered = load.cache["hit"] + load.cache["miss"]
    return {
        "requests": len(ms),
        "seconds": round(load.elapsed, 3),
        "rps": round(len(ms) / load.elapsed, 1) if load.elapsed > 0 else 0.0,
        "latency_ms": {
            "p50": round(percentile(ms, 50), 2),
            "p95": round(percentile(ms, 95), 2),
            "p99": round(percentile(ms, 99), 2),
            "mean": round(statistics.fmean(ms), 2) if ms else 0.0,
            "max": round(ms[-1], 2) if ms else 0.0,
        },
        "errors": load.error_count,
        "error_kinds": dict(sorted(load.errors.items())),
        "cache": {"hits": load.cache["hit"], "misses": load.cache["miss"],
                  "hit_ratio": round(load.cache["hit"] / answered, 3) if answered else None},
        "wrapped": load.wrapped,
    }


# The table ---------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def format_table(result: dict[str, Any]) -> str:
    """One line per scenario, the ceiling first, as printed on the terminal."""
    header = ["scenario", "who", "rps", "of ceiling", "p50 ms", "p95 ms", "p99 ms", "errors", "queries",
              "uncached ms", "cache hits"]
    rows = [header]
    for entry in [result["ceiling"], *result["scenarios"]]:
        load = entry.get("load") or {}
        latency = load.get("latency_ms", {})
        probe = entry.get("probe") or {}
        hit_ratio = (load.get("cache") or {}).get("hit_ratio")
        rows.append([
            entry["name"],
            entry["audience"] if entry["kind"] == "read" else f"{entry['audience']} (write)",
            f"{load.get('rps', 0):.0f}",
            _pct(entry.get("ceiling_fraction")),
            _ms(latency.get("p50")),
            _ms(latency.get("p95")),
            _ms(latency.get("p99")),
            str(load.get("errors", 0) + (1 if probe.get("unexpected_status") else 0)),
            "–" if probe.get("queries") is None else str(probe["queries"]),
            _ms(probe.get("server_ms")),
            _pct(hit_ratio) if entry["audience"] == "anonymous" and entry["kind"] == "read" else "",
        ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def format_heading(result: dict[str, Any]) -> str:
    run = result["run"]
    memory = result.get("memory") or {}
    ceiling = result["ceiling"]["load"]
    return (
        f"Townhall bench: {result['size']} on {result['database']} (cache: {result['cache']}), "
        f"{run['workers']} workers × {run['threads']} threads, concurrency {run['concurrency']}, "
        f"{run['duration']:g} s per scenario, {result['machine']['cpus']} CPUs\n"
        f"Ceiling (/healthz): {ceiling['rps']:.0f} requests/s"
        + (f"; worker memory: peak {memory['peak_mb']:.0f} MB, after the run {memory['after_mb']:.0f} MB"
           if memory.get("workers") else "")
    )


# Targets -----------------------------------------------------------------------------------------


def _line(target: str, misses: list[str], checked: int, detail: str = "") -> dict[str, Any]:
    status = "n/a" if not checked else ("MISS" if misses else "PASS")
    return {"target": target, "status": status, "detail": "; ".join(misses) if misses else detail}


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets that one run can judge: PASS, MISS (with the scenarios that miss) or n/a."""
    scenarios = result["scenarios"]
    reads = [s for s in scenarios if s["kind"] == "read"]
    writes = [s for s in scenarios if s["kind"] == "write"]
    anonymous = [s for s in reads if s["audience"] == "anonymous"]
    signed_in = [s for s in reads if s["audience"] != "anonymous"]
    lines = []

    def fraction(entry: dict[str, Any]) -> float:
        return entry.get("ceiling_fraction") or 0.0

    lines.append(_line(
        f"anonymous read pages ≥ {ANONYMOUS_FRACTION:.0%} of the ceiling's throughput",
        [f"{s['name']} {fraction(s):.0%}" for s in anonymous if fraction(s) < ANONYMOUS_FRACTION],
        len(anonymous), f"lowest {min((fraction(s) for s in anonymous), default=0):.0%}"))
    lines.append(_line(
        f"signed-in read pages (and the API) ≥ {SIGNED_IN_FRACTION:.0%} of the ceiling",
        [f"{s['name']} {fraction(s):.0%}" for s in signed_in if fraction(s) < SIGNED_IN_FRACTION],
        len(signed_in), f"lowest {min((fraction(s) for s in signed_in), default=0):.0%}"))

    def p95(entry: dict[str, Any]) -> float:
        return float(entry["load"]["latency_ms"]["p95"])

    lines.append(_line(
        f"every read p95 ≤ {READ_P95_MS:.0f} ms",
        [f"{s['name']} {p95(s):.0f} ms" for s in reads if p95(s) > READ_P95_MS],
        len(reads), f"highest {max((p95(s) for s in reads), default=0):.0f} ms"))
    lines.append(_line(
        f"every write p95 ≤ {WRITE_P95_MS:.0f} ms",
        [f"{s['name']} {p95(s):.0f} ms" for s in writes if p95(s) > WRITE_P95_MS],
        len(writes), f"highest {max((p95(s) for s in writes), default=0):.0f} ms"))

    errors = []
    for entry in [result["ceiling"], *scenarios]:
        if entry["load"]["errors"]:
            kinds = ", ".join(f"{k} ×{v}" for k, v in entry["load"]["error_kinds"].items())
            errors.append(f"{entry['name']}: {kinds}")
        if (entry.get("probe") or {}).get("unexpected_status"):
            errors.append(f"{entry['name']}: the counted request answered {entry['probe']['status']}")
    lines.append(_line("no errors", errors, 1, f"{sum(s['load']['requests'] for s in scenarios):,} requests"))

    by_name = {s["name"]: s for s in scenarios}
    deep, first = by_name.get("space_deep"), by_name.get("space_page1")
    deep_misses, deep_detail, deep_checked = [], "", 0
    if deep and first and deep.get("probe") and first.get("probe") and first["probe"].get("server_ms"):
        deep_checked = 1
        ratio = deep["probe"]["server_ms"] / first["probe"]["server_ms"]
        deep_detail = (f"{ratio:.2f}× uncached ({deep['probe']['server_ms']:.1f} vs "
                       f"{first['probe']['server_ms']:.1f} ms, {deep['detail']})")
        if ratio > DEEP_PAGE_FACTOR:
            deep_misses.append(deep_detail)
        if deep["probe"]["queries"] != first["probe"]["queries"]:
            deep_misses.append(f"{deep['probe']['queries']} queries vs {first['probe']['queries']}")
    lines.append(_line(f"a deep page costs ≤ {DEEP_PAGE_FACTOR}× page 1", deep_misses, deep_checked, deep_detail))

    counted = [s for s in reads if (s.get("probe") or {}).get("queries") is not None]
    posts = ", ".join(f"{s['name']} {s['probe']['queries']}" for s in writes if (s.get("probe") or {}).get("queries"))
    lines.append(_line(
        f"≤ {MAX_QUERIES} SQL queries per page",
        [f"{s['name']} {s['probe']['queries']}" for s in counted if s["probe"]["queries"] > MAX_QUERIES],
        len(counted), f"most {max((s['probe']['queries'] for s in counted), default=0)}"
        + (f" (writes, not pages: {posts})" if posts else "")))

    workers = (result.get("memory") or {}).get("workers") or []
    lines.append(_line(
        f"memory per worker ≤ {WORKER_MB:.0f} MB after the run",
        [f"worker {w['pid']} {w['after_mb']:.0f} MB" for w in workers if w["after_mb"] > WORKER_MB],
        len(workers), f"largest {max((w['after_mb'] for w in workers), default=0):.0f} MB"))

    fresh = result.get("freshness")
    if fresh:
        stale = fresh["stale"]
        lines.append(_line(
            "a change is visible at once to anonymous visitors (page cache)",
            [f"{stale} of {fresh['checks']} anonymous requests after an answer still showed the page without it"]
            if stale else [],
            1, f"{fresh['checks']} requests after an answer, all fresh"))
    return lines


def compare_sizes(smaller: dict[str, Any], larger: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets that compare two sizes on the same database: cost and queries must not grow."""
    base = {s["name"]: s for s in smaller["scenarios"]}
    pairs = [(base[s["name"]], s) for s in larger["scenarios"] if s["name"] in base]
    label = f"{larger['size']} vs {smaller['size']} on {larger['database']}"
    slower, detail = [], []
    for small, large in pairs:
        if small["kind"] != "read":
            continue
        small_ms, large_ms = (small.get("probe") or {}).get("server_ms"), (large.get("probe") or {}).get("server_ms")
        if small_ms and large_ms:
            ratio = large_ms / small_ms
            detail.append(ratio)
            if ratio > LARGE_VS_SMALL_FACTOR:
                slower.append(f"{large['name']} {ratio:.2f}× uncached")
        small_f, large_f = small.get("ceiling_fraction"), large.get("ceiling_fraction")
        if small_f and large_f and small_f / large_f > LARGE_VS_SMALL_FACTOR:
            slower.append(f"{large['name']} {small_f / large_f:.2f}× less of the ceiling")
    queries = [
        f"{large['name']} {small['probe']['queries']} → {large['probe']['queries']}"
        for small, large in pairs
        if (small.get("probe") or {}).get("queries") is not None
        and (large.get("probe") or {}).get("queries") is not None
        and small["probe"]["queries"] != large["probe"]["queries"]
    ]
    return [
        _line(f"every read at {label} ≤ {LARGE_VS_SMALL_FACTOR}×", slower, len(detail),
              f"worst {max(detail, default=0):.2f}× uncached"),
        _line(f"SQL queries per request the same ({label})", queries, len(pairs), "all equal"),
    ]


def format_targets(lines: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{line['status']:<4}  {line['target']}" + (f" — {line['detail']}" if line["detail"] else "")
        for line in lines
    )


# The chart ---------------------------------------------------------------------------------------

PALETTE = [("#1f5fa8", "#a9c7ea"), ("#c2571a", "#f3c3a4"), ("#2e7d32", "#b5dcb7"), ("#6a3d9a", "#d3c0e6")]


def run_label(result: dict[str, Any]) -> str:
    cache = str(result.get("cache", ""))
    short = "local memory" if cache.startswith("local") else "file cache" if cache.startswith("files") else cache
    return f"{result['size']} · {result['database']} · {short} · c{result['run']['concurrency']}"


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def render_svg(results: list[dict[str, Any]]) -> str:
    """Latency by scenario: for each run a bar to p95 (light) with p50 (dark) over it."""
    names: list[str] = []
    titles: dict[str, str] = {}
    for result in results:
        for entry in [result["ceiling"], *result["scenarios"]]:
            if entry["name"] not in titles:
                names.append(entry["name"])
                titles[entry["name"]] = entry["title"] + (" (write)" if entry["kind"] == "write" else "")
    lookup = [{e["name"]: e for e in [r["ceiling"], *r["scenarios"]]} for r in results]
    highest = max((e["load"]["latency_ms"]["p95"] for table in lookup for e in table.values()), default=1.0)
    scale_max = _nice_ceiling(max(highest, 1.0))
    label_w, chart_w, bar_h, gap = 230, 560, 11, 10
    top = 70 + 14 * ((len(results) - 1) // 3)  # the legend: three runs a line
    group_h = len(results) * (bar_h + 2) + gap
    height = top + len(names) * group_h + 40
    width = label_w + chart_w + 120

    def x(ms: float) -> float:
        return label_w + chart_w * min(ms, scale_max) / scale_max

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        '<text x="10" y="20" font-size="14" font-weight="bold">Townhall: latency by scenario '
        '(ms; dark: p50, light: p95)</text>',
    ]
    for i, result in enumerate(results):
        dark, light = PALETTE[i % len(PALETTE)]
        lx, ly = 10 + (i % 3) * 290, 32 + (i // 3) * 14
        out.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{dark}"/>')
        out.append(f'<rect x="{lx + 10}" y="{ly}" width="10" height="10" fill="{light}"/>')
        out.append(f'<text x="{lx + 25}" y="{ly + 9}">{escape(run_label(result))}</text>')
    for tick in range(6):
        value = scale_max * tick / 5
        tx = x(value)
        out.append(f'<line x1="{tx:.1f}" y1="{top - 8}" x2="{tx:.1f}" y2="{height - 35}" stroke="#e3e3e3"/>')
        out.append(f'<text x="{tx:.1f}" y="{height - 20}" text-anchor="middle">{value:g}</text>')
    # The targets' lines, labelled on either side so that the labels never overlap.
    for limit, label, anchor, dx in ((READ_P95_MS, "reads: p95 target", "end", -3),
                                     (WRITE_P95_MS, "writes: p95 target", "start", 3)):
        if limit <= scale_max:
            lx2 = x(limit)
            out.append(f'<line x1="{lx2:.1f}" y1="{top - 8}" x2="{lx2:.1f}" y2="{height - 35}" '
                       f'stroke="#b00020" stroke-dasharray="4 3"/>')
            out.append(f'<text x="{lx2 + dx:.1f}" y="{top - 12}" fill="#b00020" text-anchor="{anchor}">{label}</text>')
    y = top
    for name in names:
        out.append(f'<text x="{label_w - 8}" y="{y + group_h / 2 - gap / 2 + 4:.1f}" text-anchor="end">'
                   f'{escape(titles[name])}</text>')
        for i, table in enumerate(lookup):
            entry = table.get(name)
            if entry is not None:
                dark, light = PALETTE[i % len(PALETTE)]
                latency = entry["load"]["latency_ms"]
                out.append(f'<rect x="{label_w}" y="{y}" width="{x(latency["p95"]) - label_w:.1f}" '
                           f'height="{bar_h}" fill="{light}"/>')
                out.append(f'<rect x="{label_w}" y="{y}" width="{x(latency["p50"]) - label_w:.1f}" '
                           f'height="{bar_h}" fill="{dark}"/>')
                out.append(f'<text x="{x(latency["p95"]) + 4:.1f}" y="{y + bar_h - 1}" fill="#444">'
                           f'{_ms(latency["p50"])} / {_ms(latency["p95"])}</text>')
            y += bar_h + 2
        y += gap
    out.append("</svg>")
    return "\n".join(out) + "\n"


# Files -------------------------------------------------------------------------------------------


def result_stem(result: dict[str, Any]) -> str:
    stamp = result["started_at"].replace(":", "").replace("-", "")[:15]
    return f"{stamp}-{result['size']}-{result['database']}"


def write_files(result: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = result_stem(result)
    json_path = out_dir / f"{stem}.json"
    svg_path = out_dir / f"{stem}.svg"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    svg_path.write_text(render_svg([result]))
    return json_path, svg_path


def load_result(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise ValueError(f"{path} is not a Townhall bench result (format {FORMAT_VERSION}).")
    return data


def size_comparisons(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each database, every larger run against the smallest run of that database."""
    lines: list[dict[str, Any]] = []
    by_database: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_database.setdefault(result["database"], []).append(result)
    for runs in by_database.values():
        runs.sort(key=lambda r: SIZES.index(r["size"]) if r["size"] in SIZES else len(SIZES))
        for larger in runs[1:]:
            if larger["size"] != runs[0]["size"]:
                lines.extend(compare_sizes(runs[0], larger))
    return lines
