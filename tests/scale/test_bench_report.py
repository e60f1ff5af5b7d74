"""The benchmark's report: figures from a tiny real run, percentiles, the table, the JSON, the chart, the targets.

No test here asserts a time: the machine running the suite may be slow or busy.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from townhall.bench import report
from townhall.bench.load import LoadResult, Plan, Request, drive_in_subprocess
from townhall.bench.run import instrument
from townhall.bench.scenarios import Scenario, build, ceiling, deep_page_cursor
from townhall.content.views import LIST_PAGE_SIZE
from townhall.support.services import ask_question

# Percentiles -------------------------------------------------------------------------------------


def test_percentiles_interpolate_between_the_nearest_ranks():
    assert report.percentile([1, 2, 3, 4], 50) == 2.5
    assert report.percentile([1, 2, 3, 4], 0) == 1
    assert report.percentile([1, 2, 3, 4], 100) == 4
    assert report.percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert report.percentile([7.0], 95) == 7.0


def test_percentiles_of_nothing_are_zero_and_out_of_range_is_refused():
    assert report.percentile([], 50) == 0.0
    with pytest.raises(ValueError):
        report.percentile([1.0], 101)


def test_a_summary_counts_throughput_errors_and_cache_verdicts():
    load = LoadResult(latencies=[0.001, 0.002, 0.003, 0.004], errors={"status 500": 1}, elapsed=2.0,
                      cache={"hit": 3, "miss": 1, "none": 0}, wrapped=False)

    summary = report.summarise(load)

    assert summary["requests"] == 4
    assert summary["rps"] == 2.0
    assert summary["latency_ms"]["p50"] == 2.5
    assert summary["latency_ms"]["max"] == 4.0
    assert summary["errors"] == 1
    assert summary["error_kinds"] == {"status 500": 1}
    assert summary["cache"] == {"hits": 3, "misses": 1, "hit_ratio": 0.75}


# A tiny real run ---------------------------------------------------------------------------------


@pytest.fixture
def tiny_run(live_server, question, tmp_path):
    """Two connections for about a second each on /healthz and on a question page, from another process."""
    port = int(live_server.url.rsplit(":", 1)[1])
    results = {}
    for name, path in (("ceiling", "/healthz"), ("question", question.get_absolute_url())):
        plan = Plan(host="127.0.0.1", port=port, requests=[Request("GET", path)], concurrency=2, duration=1.0)
        workdir = tmp_path / name
        workdir.mkdir()
        results[name] = report.summarise(drive_in_subprocess(plan, workdir))
    probes = instrument([ceiling(), Scenario("question", "Question", "read", "anonymous",
                                             [Request("GET", question.get_absolute_url())])])
    return _result(results["ceiling"], [
        {"name": "question", "title": "Question", "kind": "read", "audience": "anonymous", "detail": "",
         "url": question.get_absolute_url(), "distinct_requests": 1, "load": results["question"],
         "probe": probes["question"],
         "ceiling_fraction": results["question"]["rps"] / results["ceiling"]["rps"]},
    ], ceiling_probe=probes["ceiling"])


def _result(ceiling_load, scenarios, *, size="small", database="sqlite", ceiling_probe=None, memory=None,
            freshness=None):
    return {
        "format": report.FORMAT_VERSION,
        "started_at": "2025-01-02T03:04:05+00:00",
        "size": size,
        "database": database,
        "cache": "local memory (per process)",
        "page_cache_seconds": 300,
        "machine": {"cpus": 2, "python": "3.11", "platform": "test"},
        "run": {"concurrency": 2, "duration": 1.0, "warmup": 0, "workers": 1, "threads": 2, "server": "test"},
        "data": {},
        "targets_picked": {},
        "ceiling": {"name": "ceiling", "title": "Trivial view (/healthz)", "kind": "read", "audience": "anonymous",
                    "detail": "", "url": "/healthz", "load": ceiling_load, "probe": ceiling_probe,
                    "ceiling_fraction": 1.0},
        "scenarios": scenarios,
        "memory": memory or {"workers": [], "peak_mb": 0.0, "after_mb": 0.0},
        "freshness": freshness,
    }


@pytest.mark.django_db(transaction=True)
def test_a_tiny_run_reports_throughput_and_ordered_percentiles_for_each_scenario(tiny_run):
    for entry in [tiny_run["ceiling"], *tiny_run["scenarios"]]:
        load = entry["load"]
        assert load["requests"] > 0
        assert load["rps"] > 0
        assert load["errors"] == 0
        latency = load["latency_ms"]
        assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]


@pytest.mark.django_db(transaction=True)
def test_a_tiny_run_counts_queries_and_sees_anonymous_pages_served_from_the_cache(tiny_run):
    question = tiny_run["scenarios"][0]

    assert tiny_run["ceiling"]["probe"]["queries"] == 0
    assert question["probe"]["queries"] > 0
    assert question["probe"]["status"] == 200
    assert question["load"]["cache"]["hits"] > 0


@pytest.mark.django_db(transaction=True)
def test_a_tiny_run_writes_json_a_table_and_an_svg_chart(tiny_run, tmp_path):
    json_path, svg_path = report.write_files(tiny_run, tmp_path)

    assert json_path.name == "20250102T030405-small-sqlite.json"
    data = json.loads(json_path.read_text())
    assert set(data) >= {"format", "started_at", "size", "database", "cache", "machine", "run", "ceiling",
                         "scenarios", "memory"}
    assert set(data["scenarios"][0]["load"]) >= {"requests", "rps", "latency_ms", "errors", "cache"}
    assert set(data["scenarios"][0]["load"]["latency_ms"]) >= {"p50", "p95", "p99"}

    table = report.format_table(tiny_run)
    header, rule, *rows = table.splitlines()
    assert header.split()[:3] == ["scenario", "who", "rps"]
    assert [row.split()[0] for row in rows] == ["ceiling", "question"]
    assert rows[0].split()[3] == "100%"

    svg = ET.fromstring(svg_path.read_text())
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "Question" in texts and "Trivial view (/healthz)" in texts
    assert "small · sqlite · local memory · c2" in texts


# Targets -----------------------------------------------------------------------------------------


def _load(rps, p95, errors=0):
    return {"requests": 100, "rps": rps, "latency_ms": {"p50": p95 / 2, "p95": p95, "p99": p95 * 1.2},
            "errors": errors, "error_kinds": {"status 500": errors} if errors else {},
            "cache": {"hits": 0, "misses": 0, "hit_ratio": None}}


def _scenario(name, kind, audience, rps, p95, queries=5, server_ms=10.0, errors=0, detail=""):
    return {"name": name, "title": name, "kind": kind, "audience": audience, "detail": detail, "url": "/",
            "load": _load(rps, p95, errors), "probe": {"status": 200, "unexpected_status": False,
                                                        "queries": queries, "server_ms": server_ms},
            "ceiling_fraction": rps / 1000}


def _status(result, starts):
    return next(line for line in report.check_targets(result) if line["target"].startswith(starts))


def test_targets_pass_when_every_figure_is_within_its_line():
    result = _result(_load(1000, 5), [
        _scenario("home", "read", "anonymous", 500, 20),
        _scenario("space_page1", "read", "anonymous", 450, 20, server_ms=10),
        _scenario("space_deep", "read", "anonymous", 450, 20, server_ms=12, detail="100,000 topics in"),
        _scenario("home_member", "read", "member", 150, 80),
        _scenario("kudos", "write", "member", 100, 120, queries=20),
    ], memory={"workers": [{"pid": 1, "peak_mb": 150, "after_mb": 140}], "peak_mb": 150, "after_mb": 140},
        freshness={"checks": 8, "stale": 0})

    lines = report.check_targets(result)

    assert [line["status"] for line in lines] == ["PASS"] * len(lines)
    assert len(lines) == 9
    # Writes are not pages: their queries are shown, not judged.
    assert "kudos 20" in _status(result, "≤ 15 SQL queries")["detail"]


def test_targets_name_each_scenario_that_misses():
    result = _result(_load(1000, 5), [
        _scenario("home", "read", "anonymous", 300, 120),
        _scenario("space_page1", "read", "anonymous", 450, 20, server_ms=10, queries=6),
        _scenario("space_deep", "read", "anonymous", 450, 20, server_ms=20, queries=6),
        _scenario("question_member", "read", "member", 50, 80, queries=18),
        _scenario("post_answer", "write", "member", 40, 200, errors=3),
    ], memory={"workers": [{"pid": 7, "peak_mb": 260, "after_mb": 250}], "peak_mb": 260, "after_mb": 250},
        freshness={"checks": 8, "stale": 6})

    assert _status(result, "anonymous read pages")["detail"] == "home 30%"
    assert _status(result, "signed-in read pages")["detail"] == "question_member 5%"
    assert _status(result, "every read p95")["detail"] == "home 120 ms"
    assert _status(result, "every write p95")["detail"] == "post_answer 200 ms"
    assert _status(result, "no errors")["detail"] == "post_answer: status 500 ×3"
    assert _status(result, "a deep page")["detail"].startswith("2.00× uncached")
    assert _status(result, "≤ 15 SQL queries")["detail"] == "question_member 18"
    assert _status(result, "memory per worker")["detail"] == "worker 7 250 MB"
    assert _status(result, "a change is visible")["detail"].startswith("6 of 8")
    assert {line["status"] for line in report.check_targets(result)} == {"MISS"}


def test_targets_without_the_scenarios_to_judge_them_are_not_applicable():
    result = _result(_load(1000, 5), [_scenario("home", "read", "anonymous", 500, 20)])

    assert _status(result, "signed-in read pages")["status"] == "n/a"
    assert _status(result, "every write p95")["status"] == "n/a"
    assert _status(result, "a deep page")["status"] == "n/a"


def test_a_larger_community_must_cost_no_more_and_run_the_same_queries():
    small = _result(_load(1000, 5), [_scenario("home", "read", "anonymous", 500, 20, server_ms=10),
                                     _scenario("profile", "read", "anonymous", 500, 20, server_ms=10, queries=5)])
    large = _result(_load(1000, 5), [_scenario("home", "read", "anonymous", 480, 20, server_ms=12),
                                     _scenario("profile", "read", "anonymous", 200, 20, server_ms=30, queries=7)],
                    size="large")

    cost, queries = report.size_comparisons([large, small])

    assert cost["status"] == "MISS"
    assert cost["detail"] == "profile 3.00× uncached; profile 2.50× less of the ceiling"
    assert queries["status"] == "MISS"
    assert queries["detail"] == "profile 5 → 7"


def test_the_report_command_combines_runs_into_one_chart(tmp_path, capsys):
    small = _result(_load(1000, 5), [_scenario("home", "read", "anonymous", 500, 20)])
    large = _result(_load(900, 5), [_scenario("home", "read", "anonymous", 400, 25)], size="large")
    small_path, _ = report.write_files(small, tmp_path / "a")
    large_path, _ = report.write_files(large, tmp_path / "b")
    chart = tmp_path / "both.svg"

    call_command("bench", "report", str(small_path), str(large_path), "--svg", str(chart))

    out = capsys.readouterr().out
    assert "Townhall bench: small on sqlite" in out and "Townhall bench: large on sqlite" in out
    assert "SQL queries per request the same (large vs small on sqlite)" in out
    texts = [t.text for t in ET.fromstring(chart.read_text()).iter("{http://www.w3.org/2000/svg}text")]
    assert "small · sqlite · local memory · c2" in texts and "large · sqlite · local memory · c2" in texts


def test_the_report_command_refuses_a_file_that_is_not_a_result(tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')

    with pytest.raises(Exception, match="not a Townhall bench result"):
        call_command("bench", "report", str(other))


# Picking targets ---------------------------------------------------------------------------------


def test_the_deep_page_cursor_starts_the_list_that_many_topics_in(member, public_space):
    for i in range(LIST_PAGE_SIZE + 12):
        ask_question(member, public_space, title=f"Topic number {i:03d}", body="Body text.", check_rate=False)

    cursor, depth = deep_page_cursor(public_space, 100_000)  # deeper than the space: its last full page

    assert depth == 12
    response = Client().get(public_space.get_absolute_url(), {"cursor": cursor})
    titles = [f"Topic number {i:03d}" for i in range(LIST_PAGE_SIZE + 12)][::-1]  # newest first
    body = response.content.decode()
    assert titles[12] in body and titles[11] not in body


def test_every_scenario_is_picked_and_answers_as_expected_in_the_instrumented_pass(
        member, other, agent, public_space, question, answer):
    for title in ("Pairing fails after the update", "Schedule ignored at weekends"):
        ask_question(other, public_space, title=title, body="Since the last firmware.", check_rate=False)
    targets = build(duration=1.0)

    names = [s.name for s in targets.scenarios]
    assert names[:3] == ["home", "space_page1", "space_deep"]
    assert {"question", "thread_last", "search", "profile", "api_topics", "api_topics_token", "home_member",
            "question_member", "agent_queue", "post_answer", "kudos", "me_too"} <= set(names)
    probes = instrument(targets.scenarios, repeats=1)
    assert {name: probe["unexpected_status"] for name, probe in probes.items()} == dict.fromkeys(names, False)
    assert all(probe["queries"] > 0 for probe in probes.values())


def test_signed_in_writes_send_the_session_and_the_csrf_token_as_a_browser_does(member, other, question, answer):
    kudos = next(s for s in build(duration=1.0).scenarios if s.name == "kudos")
    request = kudos.probe_request()

    form = parse_qs(request.body)
    cookies = dict(part.split("=", 1) for part in request.headers["Cookie"].split("; "))
    assert form["csrfmiddlewaretoken"] == [cookies["csrftoken"]]
    assert form["value"] == ["1"]
    assert request.headers["HX-Request"] == "true"
    assert urlsplit(request.path).path == f"/p/{answer.pk}/kudos/"
    response = Client(enforce_csrf_checks=True).post(
        request.path, request.body, content_type=request.headers["Content-Type"],
        headers={k: v for k, v in request.headers.items() if k != "Content-Type"})
    assert response.status_code == 200
    answer.refresh_from_db()
    assert answer.kudos_count == 1
