"""The `townhall` command: serve, worker, demo, and every Django command passed through."""

from __future__ import annotations

import django.core.management
import django.db
import pytest

from townhall import cli


@pytest.fixture
def django_calls(monkeypatch):
    """What `townhall …` hands to Django's command line."""
    calls: list[list[str]] = []
    monkeypatch.setattr(django.core.management, "execute_from_command_line", lambda argv: calls.append(argv))
    return calls


def test_without_a_command_it_prints_what_it_can_do(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    for command in ("serve", "worker", "demo"):
        assert command in out


def test_worker_runs_the_huey_consumer(django_calls):
    cli.main(["worker", "--workers", "4"])
    assert django_calls == [["townhall", "run_huey", "--workers", "4"]]


@pytest.mark.parametrize("argv", [["migrate"], ["check", "--deploy"], ["createsuperuser", "--noinput"], ["demo"]])
def test_other_commands_are_djangos_management_commands(django_calls, argv):
    cli.main(argv)
    assert django_calls == [["townhall", *argv]]


def test_townhall_check_runs_djangos_system_checks(capsys):
    cli.main(["check"])
    assert "System check identified no issues" in capsys.readouterr().out


def test_the_default_number_of_web_workers_is_capped_at_four(monkeypatch):
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 1)
    assert cli.default_workers() == 3
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 16)
    assert cli.default_workers() == 4


def test_ipv6_hosts_are_bracketed_in_the_bind_address():
    assert cli.bind_address("127.0.0.1", 8000) == "127.0.0.1:8000"
    assert cli.bind_address("::", 8080) == "[::]:8080"


class FakeWorker:
    def __init__(self):
        self.signals: list[int] = []

    def poll(self):
        return None if not self.signals else 0

    def send_signal(self, signum):
        self.signals.append(signum)

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def serving(monkeypatch, settings):
    """`serve` with the web server and the consumer replaced by recorders."""
    settings.HUEY_IMMEDIATE = False
    seen: dict = {"prepared": [], "gunicorn": None, "worker": FakeWorker()}
    monkeypatch.setattr(cli, "prepare", lambda load_demo: seen["prepared"].append(load_demo))
    monkeypatch.setattr(cli, "start_worker", lambda: seen["worker"])

    def fake_gunicorn(bind, workers, threads):
        seen["gunicorn"] = (bind, workers, threads)
        raise SystemExit(0)  # what gunicorn's arbiter does on Ctrl-C

    monkeypatch.setattr(cli, "run_gunicorn", fake_gunicorn)
    return seen


def test_serve_prepares_starts_a_worker_and_runs_gunicorn(serving):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "2", "--threads", "8"])
    assert serving["prepared"] == [True]
    assert serving["gunicorn"] == ("0.0.0.0:9000", 2, 8)


def test_serve_stops_the_worker_when_the_server_stops(serving):
    with pytest.raises(SystemExit):
        cli.main(["serve"])
    assert serving["worker"].signals, "the job consumer was left running"


def test_serve_no_demo_skips_demo_content(serving):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--no-demo"])
    assert serving["prepared"] == [False]


def test_serve_refuses_a_nonsense_port(serving, capsys):
    assert cli.main(["serve", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err
    assert serving["gunicorn"] is None


@pytest.fixture
def commands(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(django.core.management, "call_command", lambda name, *a, **kw: calls.append(name))
    monkeypatch.setattr(django.db.connections, "close_all", lambda: None)
    return calls


def test_first_start_checks_migrates_collects_static_and_loads_the_demo(db, commands):
    cli.prepare(load_demo=True)
    assert commands == ["check", "migrate", "collectstatic", "demo"]


def test_a_community_with_spaces_gets_no_demo_content(public_space, commands):
    cli.prepare(load_demo=True)
    assert "demo" not in commands


def test_no_demo_means_no_demo_content_even_when_empty(db, commands):
    cli.prepare(load_demo=False)
    assert commands == ["check", "migrate", "collectstatic"]
