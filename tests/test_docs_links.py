"""Every relative link of README.md and docs/*.md points to a file (and heading) that exists.

The README's detail lives in docs/ pages that link to one another and back; a page renamed
or a heading reworded would leave a dead link that nothing else notices. Links are
``[text](target)`` outside fenced code blocks and inline code; web addresses are not checked.
Anchors are checked against GitHub's slugs of the target's headings: lowercase, punctuation
other than ``-`` and ``_`` dropped, each space a ``-``, repeats numbered ``-1``, ``-2`` ...
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\[[^\]]*\]\(([^()\s]+)\)")
_INLINE_CODE = re.compile(r"`[^`]*`")


def _prose_lines(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code blocks, inline code blanked."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(_INLINE_CODE.sub("", line))
    return lines


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: ``'A whole corpus'`` -> ``'a-whole-corpus'``."""
    text = _INLINE_CODE.sub(lambda m: m.group(0).strip("`"), heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of every heading of a Markdown file (outside code blocks)."""
    seen: dict[str, int] = {}
    out = set()
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = re.match(r"#{1,6} (.+)", line)
        if fenced or not match:
            continue
        slug = github_slug(match.group(1))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        out.add(slug if count == 0 else f"{slug}-{count}")
    return out


def relative_links(page: Path) -> list[str]:
    """The link targets of a page that are neither web addresses nor mail."""
    targets = []
    for line in _prose_lines(page.read_text(encoding="utf-8")):
        for target in _LINK.findall(line):
            if not re.match(r"[a-z][a-z0-9+.-]*:", target):
                targets.append(target)
    return targets


def test_github_slug_follows_githubs_rule() -> None:
    assert github_slug("Reproducing the paper's downstream preprocessing") == (
        "reproducing-the-papers-downstream-preprocessing"
    )
    assert github_slug("Nets without 10-10 names (EGI, BioSemi 128, MEG+EEG)") == (
        "nets-without-10-10-names-egi-biosemi-128-megeeg"
    )
    assert github_slug("Exporting the model (ONNX, torch.export, TorchScript)") == (
        "exporting-the-model-onnx-torchexport-torchscript"
    )


def test_checker_finds_a_dead_link(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n[ok](#title) [gone](#nothing) `[code](#x)`\n```\n[code](y.md)\n```\n",
        encoding="utf-8",
    )
    assert relative_links(page) == ["#title", "#nothing"]
    assert anchors(page) == {"title"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    dead = []
    for target in relative_links(page):
        file_part, _, anchor = target.partition("#")
        file = (page.parent / file_part).resolve() if file_part else page
        if not file.exists():
            dead.append(f"{target} (no file {file_part})")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            dead.append(f"{target} (no heading #{anchor} in {file.name})")
    assert not dead, f"{page.name} links to what is not there: {dead}"
