"""Fixtures for the import tests: the small real dump (conlang.meta, 2020) and hand-built dumps."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).parents[2].parent / "shared" / "data"
CONLANG = DATA / "conlang-meta-stackexchange"


@pytest.fixture
def conlang_dump() -> Path:
    if not (CONLANG / "Posts.xml").exists():
        pytest.skip(f"the conlang.meta Stack Exchange dump is not at {CONLANG} (see shared/data/*/SOURCE.md)")
    return CONLANG


def xml_rows(path: Path) -> list[dict[str, str]]:
    return [dict(elem.attrib) for _, elem in ET.iterparse(path) if elem.tag == "row"]


def dump_counts(directory: Path) -> Counter[str]:
    """What the dump holds, counted straight from its XML: the numbers an import must reproduce."""
    posts = xml_rows(directory / "Posts.xml")
    types = {row["Id"]: row["PostTypeId"] for row in posts}
    counts: Counter[str] = Counter()
    counts["questions"] = sum(1 for t in types.values() if t == "1")
    counts["answers"] = sum(1 for t in types.values() if t == "2")
    answers_of = {row["Id"]: row.get("ParentId") for row in posts if row["PostTypeId"] == "2"}
    counts["accepted answers"] = sum(
        1 for row in posts
        if row["PostTypeId"] == "1" and answers_of.get(row.get("AcceptedAnswerId", "")) == row["Id"]
    )
    for row in xml_rows(directory / "Comments.xml"):
        kind = types.get(row["PostId"])
        if kind in {"1", "2"}:
            counts["comments"] += 1
            counts["comments on questions" if kind == "1" else "comments on answers"] += 1
    for row in xml_rows(directory / "Votes.xml"):
        kind = types.get(row["PostId"])
        if row["VoteTypeId"] == "2" and kind in {"1", "2"}:
            counts["up votes on questions" if kind == "1" else "up votes on answers"] += 1
    counts["members"] = len(xml_rows(directory / "Users.xml"))
    counts["badges"] = len(xml_rows(directory / "Badges.xml"))
    return counts


HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'


def write_dump(directory: Path, files: dict[str, str | bytes]) -> Path:
    """A dump directory with these files; text is wrapped in the XML declaration unless it has one."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if isinstance(content, str):
            content = (content if content.startswith("<?xml") or not content.lstrip().startswith("<")
                       else HEAD + content).encode("utf-8")
        (directory / name).write_bytes(content)
    return directory
