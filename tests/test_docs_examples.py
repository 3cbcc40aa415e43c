"""Every Python example of README.md and docs/*.md binds ``eegpt`` and ``model`` before it uses them.

The docs pages were cut out of one README, so an example that once ran after the quick start's
``import eegpt`` / ``model = eegpt.load_model(...)`` can be left on a page of its own without
them: a reader running a page's examples in order stops at ``NameError``. The check reads each
page's ```` ```python ```` blocks in page order as one session (Python's own parser, so names in
comments and strings do not count) and finds the first use of either name that no earlier line
of the page imports or assigns. It runs nothing; one example that uses other names (docs/python.md's
arrays and epochs) is run, with a small model.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NAMES = ("eegpt", "model")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line of the opening fence, code) of each ```` ```python ```` block of a Markdown text."""
    blocks: list[tuple[int, str]] = []
    lines: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if lines is None and re.match(r"```python\s*$", line):
            lines, start = [], number
        elif lines is not None and line.startswith("```"):
            blocks.append((start, "\n".join(lines)))
            lines = None
        elif lines is not None:
            lines.append(line)
    return blocks


def _events(code: str) -> list[tuple[int, bool, int, str]]:
    """(line, binds, column, name) of every name a block imports, assigns or reads, in the
    order Python runs them: on one line the reads before the bindings (``x = f(x)`` reads x)."""
    events = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                events.append((node.lineno, True, node.col_offset, name))
        elif isinstance(node, ast.Name):
            events.append(
                (node.lineno, not isinstance(node.ctx, ast.Load), node.col_offset, node.id)
            )
    return sorted(events)


def unbound_uses(text: str, names: tuple[str, ...] = NAMES) -> list[str]:
    """'line N: name' for the first read of each of ``names`` that no earlier Python line of
    the page binds (blocks Python cannot parse are skipped: their names are not judged)."""
    bound: set[str] = set()
    found = []
    for start, code in python_blocks(text):
        try:
            events = _events(code)
        except SyntaxError:
            continue
        for line, binds, _, name in events:
            if name not in names or name in bound:
                continue
            if not binds:
                found.append(f"line {start + line}: {name}")
            bound.add(name)
    return found


def test_checker_finds_an_example_without_its_setup() -> None:
    text = (
        "# Page\n\n```python\ntable = eegpt.read_embeddings('emb/')  # eegpt.x in a comment\n```\n"
        "\n```python\nimport eegpt\nmodel = model.to('cpu')\nprint('model.embed')\n```\n"
    )
    assert unbound_uses(text) == ["line 4: eegpt", "line 9: model"]
    fixed = "```python\nimport eegpt\nfrom eegpt import x\nmodel = eegpt.load_model('w')\n```\n"
    assert unbound_uses(fixed + "```python\nmodel.embed(x)\n```\n") == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_examples_set_up_eegpt_and_model(page: Path) -> None:
    """A page's examples, run in order, never read ``eegpt`` or ``model`` before the page
    imports or loads it (a short ``import eegpt`` / ``model = eegpt.load_model(...)``)."""
    missing = unbound_uses(page.read_text(encoding="utf-8"))
    assert not missing, (
        f"{page.name}: these examples use a name no earlier example of the page sets up: "
        f'{missing}; add `import eegpt` (and `model = eegpt.load_model("eegpt-large")`) '
        "to the page's first Python example"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_onnx_examples_name_the_packages_they_need(page: Path) -> None:
    """A page whose examples call ``torch.onnx.export`` says to install ``onnx`` (and
    ``onnxscript`` where they pass ``dynamo=True``): neither torch nor any eegpt extra installs
    them, and a reader running the example stopped at ``No module named 'onnxscript'``."""
    code = "\n".join(block for _, block in python_blocks(page.read_text(encoding="utf-8")))
    if "torch.onnx.export" not in code:
        return
    text = page.read_text(encoding="utf-8")
    needed = ["onnx", *(["onnxscript"] if "dynamo=True" in code else [])]
    installs = re.findall(r"pip install ([\w\[\]. -]+)", text)
    named = {name for line in installs for name in line.split()}
    assert all(name in named for name in needed), (
        f"{page.name}: its examples call torch.onnx.export but no `pip install` names "
        f"{needed}: {installs}"
    )


def test_python_md_arrays_and_epochs_example_runs_as_pasted(model) -> None:
    """docs/python.md's "Arrays and epochs" example used x, raw, events, session1_epochs and
    session2_epochs, defined nowhere: pasted after the page's first example (eegpt, mne and a
    model), it stopped at NameError. It makes them from eegpt.synthetic and runs (with a
    small model of random weights for the page's)."""
    import mne

    import eegpt

    page = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    (code,) = [code for _, code in python_blocks(page) if "concatenate_epochs([session1" in code]
    names = {"eegpt": eegpt, "mne": mne, "model": model}
    exec(compile(code, "docs/python.md", "exec"), names)  # noqa: S102 - the docs' own example
    assert names["emb"].data.shape[0] == len(names["session1_epochs"])
    assert len(names["epochs"]) == len(names["groups"]) == 80
