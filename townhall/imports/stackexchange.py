"""Reading a Stack Exchange data dump: streaming rows out of its XML files, and their values.

The dump's schema (as published with the dumps): one XML file per table, each a root element
(`<posts>`, `<users>`, …) holding `<row …/>` elements whose attributes are the columns. Any
attribute may be absent (dumps of different years have different ones); unknown ones are ignored.

Nothing here writes: `townhall.imports.services` does. A bad row raises `RowProblem`; a file
that cannot be read to its end is reported through the `FileProblem` given to `read_rows`.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

# The files, with the root element each must have.
FILES = {
    "Users.xml": "users",
    "Tags.xml": "tags",
    "Posts.xml": "posts",
    "Comments.xml": "comments",
    "Votes.xml": "votes",
    "Badges.xml": "badges",
}
QUESTION, ANSWER = 1, 2
# Post types that are not questions or answers: not imported, by design.
OTHER_POST_TYPES = {
    3: "orphaned tag wiki posts",
    4: "tag wiki excerpts",
    5: "tag wikis",
    6: "moderator nominations",
    7: "wiki placeholders",
    8: "privilege wikis",
    9: "articles",
    10: "help articles",
    12: "collections",
    13: "moderator questionnaire responses",
    14: "announcements",
    15: "collective discussions",
    17: "collective collections",
}
ACCEPTED_BY_ORIGINATOR, UP_MOD = 1, 2
# Vote types that have no counterpart in Townhall: counted, not imported.
OTHER_VOTE_TYPES = {
    3: "down votes (Townhall has none)",
    4: "offensive flags",
    5: "favorites",
    6: "close votes",
    7: "reopen votes",
    8: "bounty starts",
    9: "bounty closes",
    10: "deletion votes",
    11: "undeletion votes",
    12: "spam flags",
    13: "moderator informed",
    15: "moderator reviews",
    16: "approved edit suggestions",
}
BADGE_LEVELS = {1: "gold", 2: "silver", 3: "bronze"}

# What stands in for bytes that are not UTF-8, and for characters XML does not allow: a
# noncharacter no dump contains, so a row holding it is known to be damaged.
DAMAGED = "\ufdd0"
_BAD_CHAR_REF = re.compile(r"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));")
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _mark_damage(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)
    return DAMAGED, err.end


codecs.register_error("townhall-damaged", _mark_damage)


class RowProblem(Exception):
    """Why a row is skipped."""


@dataclass
class Row:
    line: int
    attrs: dict[str, str]

    @property
    def id_text(self) -> str:
        """The row's Id as the file has it, or where the row is when it has none."""
        value = self.attrs.get("Id")
        return f"Id {value}" if value else f"row at line {self.line}"


def read_rows(path: Path, on_file_problem: Callable[[str], None]) -> Iterator[Row]:
    """The rows of a dump file, one at a time (memory stays flat however big the file).

    Bytes that are not UTF-8 and characters XML forbids are marked (the row is then reported by
    `check_damage`), so one damaged row does not end the file. A file that is not well-formed XML
    is read up to the error, which is reported with its line; one with the wrong root is not read.
    """
    expected_root = FILES.get(path.name)
    parser: ET.XMLPullParser = ET.XMLPullParser(events=("start", "end"))
    root: ET.Element | None = None
    rows = 0
    line_no = 0
    try:
        with path.open("rb") as fh:
            for raw in fh:
                line_no += 1
                text = raw.decode("utf-8", errors="townhall-damaged")
                text = _BAD_CHAR.sub(DAMAGED, _BAD_CHAR_REF.sub(DAMAGED, text))
                parser.feed(text.encode("utf-8"))
                for pair in parser.read_events():
                    event, elem = cast(tuple[str, ET.Element], pair)  # start and end events carry elements
                    if root is None and event == "start":
                        root = elem
                        if expected_root and elem.tag != expected_root:
                            on_file_problem(f"its root element is <{elem.tag}>, not <{expected_root}>: "
                                            "is it the right file? Nothing read from it")
                            return
                    elif event == "end" and elem.tag == "row" and root is not None:
                        rows += 1
                        yield Row(line_no, dict(elem.attrib))
                        root.clear()  # rows already read are not kept
            parser.close()
    except ET.ParseError as exc:
        where = f"line {exc.position[0]}" if getattr(exc, "position", None) else "somewhere"
        if rows == 0 and root is None:
            on_file_problem(f"it is not XML ({_expat_reason(exc)} at {where}): nothing read from it")
        else:
            on_file_problem(f"it is not well-formed XML after {rows:,} rows ({_expat_reason(exc)} at {where}): "
                            "the rest of the file was not read")
    except OSError as exc:
        on_file_problem(f"it cannot be read ({exc.strerror or exc})")


def _expat_reason(exc: ET.ParseError) -> str:
    return str(exc).split(":")[0]


# Values -----------------------------------------------------------------------------------------


def check_damage(row: Row) -> None:
    for name, value in row.attrs.items():
        if DAMAGED in value:
            raise RowProblem(f"{name} holds bytes that are not UTF-8 or characters XML does not allow")


def required(row: Row, name: str) -> str:
    value = row.attrs.get(name)
    if value is None or not value.strip():
        raise RowProblem(f"it has no {name}")
    return value


def integer(row: Row, name: str, *, optional: bool = False) -> int | None:
    value = row.attrs.get(name)
    if value is None or not value.strip():
        if optional:
            return None
        raise RowProblem(f"it has no {name}")
    try:
        return int(value.strip())
    except ValueError:
        raise RowProblem(f"{name} {value[:30]!r} is not a number")


def required_int(row: Row, name: str) -> int:
    value = integer(row, name)
    assert value is not None
    return value


def date(row: Row, name: str, *, optional: bool = False) -> datetime | None:
    """A dump date ("2016-12-09T18:42:09.510", UTC, sometimes without the fraction or the time)."""
    value = row.attrs.get(name)
    if value is None or not value.strip():
        if optional:
            return None
        raise RowProblem(f"it has no {name}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RowProblem(f"{name} {value[:40]!r} is not a date")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def required_date(row: Row, name: str) -> datetime:
    value = date(row, name)
    assert value is not None
    return value


def tag_names(value: str | None) -> list[str]:
    """Tags as "<beer><hops>" (older dumps) or "|beer|hops|" (newer ones)."""
    if not value:
        return []
    names = re.findall(r"<([^<>]+)>", value) if "<" in value else value.split("|")
    return [name.strip().lower() for name in names if name.strip()]


def dump_files(directory: Path) -> dict[str, Path]:
    """The dump's files found in `directory` (names as published; case-insensitively)."""
    present = {p.name.lower(): p for p in directory.iterdir() if p.is_file()} if directory.is_dir() else {}
    return {name: present[name.lower()] for name in FILES if name.lower() in present}
