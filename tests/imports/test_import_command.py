"""`townhall import stackexchange DIR`: progress, a summary, clear refusals, dry runs, a chosen space."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.imports.conftest import write_dump
from tests.imports.test_import_bad_rows import POSTS
from townhall.cli import main
from townhall.content.models import Post, Topic
from townhall.search.services import search
from townhall.spaces.models import Space

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_prints_progress_per_file_and_a_summary(conlang_dump):
    output = run("stackexchange", str(conlang_dump))
    assert "Posts.xml (questions): 177 rows in" in output and "rows/s" in output
    assert "Votes.xml: 1,119 rows in" in output
    assert "created   already there   skipped" in output
    assert "  questions                 54               0         0" in output
    assert "  accepted answers          11               0         0" in output
    assert "Votes.xml: 2 × its post (PostId …) is not in the dump (Id 358, Id 483)" in output
    assert "Done: " in output
    again = run("stackexchange", str(conlang_dump))
    assert "  questions                  0              54         0" in again
    assert "Done: everything was already there; nothing changed." in again


def test_the_townhall_command_forwards_to_the_import(conlang_dump, capsys, monkeypatch):
    # A command run from the command line closes the database connections at its end: not the test's.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    assert main(["import", "stackexchange", str(conlang_dump), "--space", "conlang-archive",
                 "--site-name", "Conlang Meta"]) == 0
    space = Space.objects.get(slug="conlang-archive")
    assert space.name == "Conlang Meta"
    assert Topic.objects.filter(space=space).count() == 54
    assert "Imported into the space “conlang-archive”" in capsys.readouterr().out


def test_a_dry_run_reports_what_it_would_import_and_writes_nothing(conlang_dump):
    output = run("stackexchange", str(conlang_dump), "--dry-run")
    assert "dry run: nothing is written" in output
    assert "Would import into the space" in output
    assert "  questions                 54               0         0" in output
    assert "  comments                 230               0         0" in output
    assert not Space.objects.exists() and not Topic.objects.exists() and not Post.objects.exists()


def test_an_existing_space_receives_the_import(conlang_dump, public_space, anon_client):
    run("stackexchange", str(conlang_dump), "--space", public_space.slug)
    assert Topic.objects.filter(space=public_space).count() == 54
    public_space.refresh_from_db()
    assert public_space.topic_count == 54
    assert search(None, "Lojban").results


def test_a_space_that_takes_no_questions_is_refused_clearly(conlang_dump):
    Space.objects.create(slug="news", name="News", kind="blog")
    with pytest.raises(CommandError, match="“news” is a blog space: questions go in a forum or group space"):
        run("stackexchange", str(conlang_dump), "--space", "news")
    assert not Topic.objects.exists()


def test_a_bad_space_slug_is_refused_clearly(conlang_dump):
    with pytest.raises(CommandError, match="A space slug is lowercase letters, digits and hyphens"):
        run("stackexchange", str(conlang_dump), "--space", "Not A Slug!")


def test_a_missing_directory_or_one_without_a_dump_is_refused_clearly(tmp_path):
    with pytest.raises(CommandError, match="No such directory"):
        run("stackexchange", str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="is not a Stack Exchange data dump: there is no Posts.xml"):
        run("stackexchange", str(tmp_path / "empty"))


def test_a_file_that_cannot_be_read_ends_the_command_with_an_error_after_importing_the_rest(tmp_path):
    dump = write_dump(tmp_path / "half", {"Posts.xml": POSTS, "Votes.xml": b"\x89PNG\r\n\x1a\n\x00\x00binary"})
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 file\\(s\\) could not be read to the end"):
        call_command("import", "stackexchange", str(dump), stdout=out, stderr=err)
    assert "Votes.xml: it is not XML" in err.getvalue()
    assert Topic.objects.count() == 3


def test_every_bad_row_is_listed_at_verbosity_2(tmp_path):
    dump = write_dump(tmp_path / "rows", {"Posts.xml": POSTS})
    output = run("stackexchange", str(dump), "-v", "2")
    assert "Posts.xml Id 13: unknown PostTypeId 42" in output
    assert "Posts.xml Id 19: it has no Title" in output
