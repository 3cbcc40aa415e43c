"""Every relative link of README.md, docs/*.md and the other pages points to a file (and heading) that exists.

The README's detail lives in docs/ pages that link to one another and back; a page renamed
or a heading reworded would leave a dead link that nothing else notices. Links are
``[text](target)`` outside fenced code blocks and inline code; web addresses are not checked.
Anchors are checked against GitHub's slugs of the target's headings: lowercase, punctuation
other than ``-`` and ``_`` dropped, each space a ``-``, repeats numbered ``-1``, ``-2`` ...
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    *(ROOT / name for name in ("README.md", "BENCHMARKS.md", "RELIABILITY.md", "CHANGELOG.md")),
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "examples").glob("*.md")),
]
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
    """The link targets of a page that are neither web addresses nor mail. The prose is
    searched whole, not line by line: a link whose text wraps onto the next line
    (``[In your own PyTorch\ncode](#...)``) is a link too."""
    prose = "\n".join(_prose_lines(page.read_text(encoding="utf-8")))
    return [t for t in _LINK.findall(prose) if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


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
    # a link whose text wraps onto the next line was not seen
    page.write_text("# Title\n\nsee ([In your own\n  code](#in-your-own-code)).\n")
    assert relative_links(page) == ["#in-your-own-code"]


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


def _section_titles(path: Path) -> list[str]:
    """The headings and bold paragraph leads (``**Regression (...).**``) of a page."""
    text = path.read_text(encoding="utf-8")
    heads = re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)
    return heads + re.findall(r"^\*\*(.+?)\*\*", text, flags=re.MULTILINE)


def pointers(source: str) -> list[tuple[str, str]]:
    """(page, section) for each page that the strings of Python source point users to, the
    section '' where none is quoted: ``"docs/montages.md, 'Hyperscanning: ...'"``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = " ".join(node.value.split())
        for match in re.finditer(r"(docs/[a-z0-9-]+\.md|README)[,:]? (?:([\"'])(.*?)\2)?", text):
            if match.group(1) != "README" or match.group(3):
                found.append((match.group(1), match.group(3) or ""))
    return found


def test_pointers_finds_pages_and_sections() -> None:
    text = (
        "x = f\"(docs/montages.md, 'Hyperscanning: two caps' {y})\"\n"
        "z = ('README: \"Old part\" and docs/'\n     'weights.md' ' and a BIDS README, CHANGES')\n"
    )
    assert pointers(text) == [
        ("README", "Old part"),
        ("docs/weights.md", ""),
        ("docs/montages.md", "Hyperscanning: two caps"),
    ]


@pytest.mark.parametrize(
    "source", sorted((ROOT / "src" / "eegpt").glob("*.py")), ids=lambda p: p.name
)
def test_messages_point_to_sections_that_exist(source: Path) -> None:
    """A message that sends users to a page (docs/NAME.md) or a section of it ('Title') names
    a page that exists and a heading (or bold lead) of it that starts with that title."""
    wrong = []
    for page, section in pointers(source.read_text(encoding="utf-8")):
        path = ROOT / ("README.md" if page == "README" else page)
        if not path.is_file():
            wrong.append(f"{page} (no such file)")
        elif section and not any(t.startswith(section) for t in _section_titles(path)):
            wrong.append(f"{page}, {section!r} (no such section)")
    assert not wrong, f"{source.name} points to what is not there: {wrong}"


def test_the_readme_links_every_docs_page() -> None:
    """The README's guide table reaches every page of docs/: none is left where no reader of
    the README would find it."""
    linked = {Path(t.partition("#")[0]).name for t in relative_links(ROOT / "README.md")}
    pages = {p.name for p in (ROOT / "docs").glob("*.md")}
    assert sorted(pages - linked) == []


def test_the_readme_layout_names_every_module() -> None:
    """The README's Layout table names each public module of ``src/eegpt`` (``eegpt.NAME``,
    or ``NAME`` in a row that names several): ``eegpt.gdf_files`` was left out of it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(?:eegpt\.)?([a-z_]+)`", layout))
    modules = {p.stem for p in (ROOT / "src" / "eegpt").glob("*.py") if not p.stem.startswith("_")}
    assert sorted(modules - named) == []


def measured_dates(text: str, results: Path) -> list[tuple[str, str, str]]:
    """(date said, result file, date it records) for each "measured YYYY-MM-DD" of a page
    whose nearest result file named before it (``results/.../NAME.json``, within the 2,000
    characters before) records the time it ran (``environment.time``)."""
    import json

    found = []
    for match in re.finditer(r"measured (\d{4}-\d\d-\d\d)", text):
        named = re.findall(
            r"results/([\w/]+\.json)", text[max(0, match.start() - 2000) : match.start()]
        )
        if not named or not (results / named[-1]).is_file():
            continue
        data = json.loads((results / named[-1]).read_text(encoding="utf-8"))
        time = str((data.get("environment") or {}).get("time") or "")
        if time:
            found.append((match.group(1), named[-1], time[:10]))
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_measurement_is_dated_as_its_result_file_records(page: Path) -> None:
    """A "measured DATE" beside a result file is the date that file records it ran:
    docs/corpus-scale.md dated the CPU corpus benchmark (dataset_cpu.json, run 2026-11-24)
    2026-12-01, the day it was committed."""
    results = ROOT / "benchmarks" / "results"
    wrong = [f for f in measured_dates(page.read_text(encoding="utf-8"), results) if f[0] != f[2]]
    assert not wrong, f"{page.name}: (date said, file, date it records): {wrong}"


#: Ways the pages labelled a 2-vCPU EPYC run AVX2 (BENCHMARKS.md's CPU batch table and its
#: ONNX Runtime note, docs/weights.md, docs/corpus-scale.md).
_EPYC_AVX2 = re.compile(
    r"EPYC[^|\n]*\(AVX2\)|vCPUs\s*\(AVX2\)|EPYC with AVX2|AVX2-only EPYC", re.IGNORECASE
)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_an_epyc_run_is_labelled_avx2_only_where_its_result_file_records_it(page: Path) -> None:
    """BENCHMARKS.md labelled 2-vCPU EPYC rows 'AVX2' though their result files
    (results/cpu/cpu_batch.json, probe_cpu_onnx_int8.json) record only "AMD EPYC": the CPU
    runs from before benchmarks/common.py recorded the instruction set (``cpu_flags``). A
    page names an EPYC's AVX2 only where a CPU result file records the flag."""
    import json

    recorded = set()
    for found in sorted((ROOT / "benchmarks" / "results" / "cpu").glob("*.json")):
        data = json.loads(found.read_text(encoding="utf-8"))
        env = data.get("environment") or data.get("env") or {}
        recorded |= {flag for flag, has in (env.get("cpu_flags") or {}).items() if has}
    text = " ".join(_prose_lines(page.read_text(encoding="utf-8")))
    said = [m.group(0) for m in _EPYC_AVX2.finditer(" ".join(text.split()))]
    assert "avx2" in recorded or not said, f"{page.name} labels an EPYC run AVX2: {said}"
