"""docs/ stays true: the event catalog page lists exactly the catalog's events, and every place
in the code that cites a docs page cites a page and a heading that exist."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.events.catalog import CATALOG

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CITING_TREES = ("services", "shared", "tests")
CITING_SUFFIXES = {".py", ".md"}

# A section of docs/events.md per event: "### `invoice.issued` v1", its topic named below it.
EVENT_HEADING = re.compile(r"^### `(?P<type>[a-z_.]+)` v(?P<version>\d+)\s*$", re.MULTILINE)
TOPIC_LINE = re.compile(r"topic: `(?P<topic>[^`]+)`")
# A citation such as docs/domain.md#aging (the anchor is optional).
CITATION = re.compile(r"\bdocs/(?P<page>[\w-]+\.md)(?:#(?P<anchor>[\w-]+))?")
# A docs page named without its folder, as the code did before docs/ existed.
BARE_PAGE = re.compile(r"(?<![\w/])(?P<page>domain|architecture|events)\.md\b")
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$", re.MULTILINE)
EXPLICIT_ANCHOR = re.compile(r"""<a\s+(?:id|name)=["'](?P<anchor>[\w-]+)["']""")


def slug(title: str) -> str:
    """A heading's anchor as Markdown renderers make it: lower case, punctuation dropped,
    spaces to hyphens."""
    text = re.sub(r"[`*_\[\]()]", "", title).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors_of(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    anchors: set[str] = set()
    for match in HEADING.finditer(text):
        base = slug(match["title"])
        anchor, n = base, 0
        while anchor in anchors:  # repeated headings get -1, -2, ...
            n += 1
            anchor = f"{base}-{n}"
        anchors.add(anchor)
    return anchors | {m["anchor"] for m in EXPLICIT_ANCHOR.finditer(text)}


def citing_files() -> Iterator[Path]:
    for tree in CITING_TREES:
        for path in sorted((ROOT / tree).rglob("*")):
            if path.suffix in CITING_SUFFIXES and path.is_file() and path != Path(__file__):
                yield path


def events_page_sections() -> dict[tuple[str, int], str]:
    text = (DOCS / "events.md").read_text(encoding="utf-8")
    headings = list(EVENT_HEADING.finditer(text))
    sections = {}
    for i, match in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        sections[(match["type"], int(match["version"]))] = text[match.end() : end]
    return sections


def test_the_events_page_lists_exactly_the_catalog() -> None:
    documented = set(events_page_sections())
    missing = sorted(set(CATALOG) - documented)
    unknown = sorted(documented - set(CATALOG))
    assert not missing, f"events in shared/events/ but not in docs/events.md: {missing}"
    assert not unknown, f"docs/events.md names events the catalog lacks: {unknown}"


def test_the_events_page_gives_each_event_its_topic() -> None:
    wrong = {}
    for key, section in events_page_sections().items():
        if key not in CATALOG:
            continue  # reported by the test above
        topic = TOPIC_LINE.search(section)
        if topic is None or topic["topic"] != CATALOG[key].topic:
            wrong[key] = topic["topic"] if topic else None
    assert not wrong, f"docs/events.md gives these events another topic than the catalog: {wrong}"


def test_every_citation_of_docs_names_a_page_and_heading_that_exist() -> None:
    pages = {page.name: anchors_of(page) for page in DOCS.glob("*.md")}
    broken = []
    for path in citing_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in CITATION.finditer(text):
            page, anchor = match["page"], match["anchor"]
            if page not in pages or (anchor is not None and anchor not in pages[page]):
                line = text.count("\n", 0, match.start()) + 1
                broken.append(f"{path.relative_to(ROOT)}:{line}: {match[0]}")
    assert not broken, "citations of docs/ that lead nowhere:\n" + "\n".join(broken)


def test_docs_pages_are_cited_with_their_folder() -> None:
    bare = []
    for path in citing_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in BARE_PAGE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            bare.append(f"{path.relative_to(ROOT)}:{line}: {match[0]}")
    assert not bare, "cite docs pages as docs/<page>.md#<heading>:\n" + "\n".join(bare)


@pytest.mark.parametrize(
    ("title", "anchor"),
    [
        ("Aging", "aging"),
        ("Period close", "period-close"),
        ("`invoice.issued` v1", "invoiceissued-v1"),
    ],
)
def test_slug_follows_the_markdown_anchor_rule(title: str, anchor: str) -> None:
    assert slug(title) == anchor
