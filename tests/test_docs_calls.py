"""The commands and calls that README.md, docs/*.md and examples/*.md show are ones eegpt takes.

Two cheap checks, neither of which runs a model:

- every ``eegpt ...`` command line of a page's ```` ```bash ```` blocks parses with eegpt's own
  parser (options that exist for that command, values among its choices, the arguments it
  needs): an option renamed or removed, or a choice that changed, is found in the page that
  still shows it;
- every call of a page's Python (its ```` ```python ```` blocks, and inline code that is a
  call, such as ``model.embed(..., average_reference=False)``) to an eegpt function, class or
  method passes only keywords that it takes: a keyword renamed (``pooled(how=)``,
  ``read_embeddings(output_dir=)``, ``embed_dataset(engine=)``, ``anonymize_embeddings(input=)``,
  ``prepare(config=)``: still taken, with a FutureWarning, but no longer in the signature) or
  never there is named with the page and line, and so is an ``eegpt.X.Y`` that does not exist.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import re
import shlex
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

import eegpt
from eegpt.cli import build_parser
from eegpt.model import EEGPT
from eegpt.outputs import Embeddings

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "examples").glob("*.md")),
]
IDS = [str(p.relative_to(ROOT)) for p in PAGES]

#: Shell variables of the pages' commands, given values that parse (``--part K/N``).
SHELL_VALUES = {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "10"}


def _fenced(text: str, languages: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """(line of the opening fence, lines) of each fenced block in one of ``languages``."""
    lines: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if lines is None and re.match(rf"```({'|'.join(languages)})\s*$", line):
            lines, start = [], number
        elif lines is not None and line.startswith("```"):
            yield start, lines
            lines = None
        elif lines is not None:
            lines.append(line)


def command_lines(text: str) -> list[tuple[int, list[str]]]:
    """(line, arguments after ``eegpt``) of each ``eegpt`` command of a page's bash blocks:
    lines continued with ``\\`` joined, comments dropped, ``$VAR`` given a value, commands
    joined by ``&&``, ``;`` or ``|`` taken apart, redirections left out."""
    found = []
    for start, lines in _fenced(text, ("bash", "sh", "shell")):
        joined, first = "", 0
        for offset, line in enumerate(lines, start=1):
            joined, first = (joined + " " + line, first) if joined else (line, start + offset)
            if joined.endswith("\\"):
                joined = joined[:-1]
                continue
            line, joined = joined, ""

            def value(match: re.Match[str]) -> str:
                return SHELL_VALUES.get(match.group(1), match.group(1))

            line = re.sub(r"\$\{?([A-Za-z_]\w*)\}?", value, line)
            try:
                words = shlex.split(line, comments=True)
            except ValueError:
                continue
            command: list[str] = []
            redirected = False
            for word in [*words, ";"]:
                if word in ("&&", "||", ";", "|") or word.endswith(";"):
                    if len(command) > 1 and command[0] == "eegpt":
                        found.append((first, command[1:]))
                    command, redirected = [], False
                elif re.match(r"\d?[<>]", word):  # a redirection: it and its file left out
                    redirected = not re.match(r"\d?[<>]+&?\S", word)
                elif redirected:
                    redirected = False
                else:
                    command.append(word)
    return found


def parse_errors(text: str) -> list[str]:
    """'line N: eegpt ARGS: error' for each command of a page that eegpt's parser refuses."""
    errors = []
    for line, argv in command_lines(text):
        said = io.StringIO()
        try:
            with redirect_stderr(said), redirect_stdout(io.StringIO()):
                build_parser().parse_args(argv)
        except SystemExit as stop:
            if stop.code not in (0, None):
                error = said.getvalue().strip().splitlines()[-1:] or [""]
                errors.append(f"line {line}: eegpt {' '.join(argv)}: {error[0]}")
    return errors


def test_parse_errors_finds_a_command_eegpt_refuses() -> None:
    page = (
        "```bash\n"
        "eegpt embed a.edf --weights $W -o a.npz --pool max   # --pool takes none or mean\n"
        "eegpt embed-dataset in/ -o out/ --weights W \\\n"
        "    --precision half --part $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT\n"
        "cd x && eegpt info out/ --jsn > info.json\n"
        "eegpt export a.npz -o a.csv --pool mean 2> log.txt\n"
        "```\n"
    )
    errors = parse_errors(page)
    assert [e.split(":")[0] for e in errors] == ["line 2", "line 5"], errors
    assert "--pool" in errors[0] and "max" in errors[0] and "--jsn" in errors[1]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_command_lines_parse(page: Path) -> None:
    """Each ``eegpt`` command a page's bash blocks show is one eegpt's parser takes."""
    errors = parse_errors(page.read_text(encoding="utf-8"))
    assert not errors, f"{page.name}: eegpt refuses these commands: {errors}"


#: Names a page's examples use for an object of an eegpt class without assigning it from a
#: call that says so (``model = eegpt.load_model(...)``; ``emb = model.embed(...)``).
INSTANCES: dict[str, type] = {"model": EEGPT, "emb": Embeddings}


def _resolve(obj: Any, parts: list[str]) -> Any:
    for part in parts:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _names(params: Any, shown: int = 8) -> str:
    """The first ``shown`` parameter names of a signature, ``self`` left out."""
    names = [p for p in params if p not in ("self", "cls")]
    return ", ".join(names[:shown]) + (", ..." if len(names) > shown else "")


def _chain(node: ast.expr) -> tuple[str, list[str]] | None:
    """``("eegpt", ["channels", "map_channels"])`` of ``eegpt.channels.map_channels``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    return (node.id, parts) if isinstance(node, ast.Name) else None


def _imports(tree: ast.AST, names: dict[str, Any], problems: list[str], where: Callable) -> None:
    """Bind in ``names`` what ``tree`` imports from eegpt; what does not exist is a problem."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "eegpt":
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                if not hasattr(module, alias.name):
                    problems.append(f"{where(node)}: {node.module} has no {alias.name}")
                else:
                    names[alias.asname or alias.name] = getattr(module, alias.name)


def _calls(tree: ast.AST, names: dict[str, Any], problems: list[str], where: Callable) -> None:
    """Append to ``problems`` each eegpt attribute ``tree`` names that does not exist and each
    keyword it passes to an eegpt callable that does not take it."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            chain = _chain(node)
            if chain and chain[0] == "eegpt" and _resolve(eegpt, chain[1]) is None:
                problems.append(f"{where(node)}: eegpt.{'.'.join(chain[1])} does not exist")
        if not isinstance(node, ast.Call):
            continue
        chain = _chain(node.func)
        if chain is None:
            continue
        base, parts = chain
        if base in names:
            target = _resolve(names[base], parts)
        elif base in INSTANCES and len(parts) == 1:
            target = getattr(INSTANCES[base], parts[0], None)
        else:
            continue
        if target is None or not callable(target):
            continue
        try:
            params = inspect.signature(target).parameters
        except (TypeError, ValueError):
            continue
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
            continue
        for keyword in node.keywords:
            if keyword.arg is not None and keyword.arg not in params:
                problems.append(
                    f"{where(node)}: {ast.unparse(node.func)}() takes no {keyword.arg}= "
                    f"(it takes {_names(params)})"
                )


_INLINE = re.compile(r"(?<!`)`([A-Za-z_][\w.]*\([^`]*\))`(?!`)")


def keyword_problems(text: str) -> list[str]:
    """'line N: ...' for each eegpt name a page's Python uses that does not exist and each
    keyword it passes that the call does not take: its ```` ```python ```` blocks in page
    order (their imports carry over), then its inline code that parses as a call of
    ``eegpt.``, ``model.``, ``emb.`` or a name the page's Python imports."""
    names: dict[str, Any] = {"eegpt": eegpt}
    problems: list[str] = []
    for start, lines in _fenced(text, ("python",)):
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError as err:
            problems.append(f"line {start + (err.lineno or 0)}: Python cannot parse it: {err.msg}")
            continue

        def where(node: ast.AST, start: int = start) -> str:
            return f"line {start + getattr(node, 'lineno', 0)}"

        _imports(tree, names, problems, where)
        _calls(tree, names, problems, where)
    for match in _INLINE.finditer(text):
        try:
            tree = ast.parse(match.group(1), mode="eval")
        except SyntaxError:
            continue
        line = text[: match.start()].count("\n") + 1
        # bare names as the page's Python imports them (braindecode's `EEGPT(...)` is not ours)
        _calls(tree, names, problems, lambda _node, line=line: f"line {line}")
    return problems


def test_keyword_problems_finds_renamed_and_unknown_keywords() -> None:
    page = (
        "```python\nimport eegpt\nfrom eegpt.preprocessing import PreprocessingConfig\n\n"
        'model = eegpt.load_model("eegpt-large")\nemb = model.embed("a.edf", overlapp=2)\n'
        'emb.pooled(how="mean")\ntable, z = eegpt.read_embeddings(output_dir="emb/")\n'
        "eegpt.channels.map_channel(names)\n```\n\n"
        'Inline: `PreprocessingConfig(window=4)` and `eegpt.embed_dataset(..., engine="ray")`,'
        ' but `emb.pooled("mean")` and `model.embed(..., average_reference=False)` are right.\n'
        '`eegpt.anonymize_embeddings(input="a.npz", output="b.npz")`, '
        "`eegpt.preprocessing.prepare(rec, config=PreprocessingConfig())`\n"
    )
    problems = keyword_problems(page)
    assert [p.split(":")[0] for p in problems] == [
        "line 6", "line 7", "line 8", "line 9", "line 12", "line 12", "line 13", "line 13",
    ], problems  # fmt: skip
    assert "model.embed() takes no overlapp=" in problems[0]
    assert "emb.pooled() takes no how= (it takes pooling" in problems[1]
    assert "takes no output_dir= (it takes path" in problems[2]
    assert "eegpt.channels.map_channel does not exist" in problems[3]
    assert "PreprocessingConfig() takes no window=" in problems[4]
    assert "eegpt.embed_dataset() takes no engine=" in problems[5]
    assert "anonymize_embeddings() takes no input= (it takes source" in problems[6]
    assert "prepare() takes no config=" in problems[7]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_python_examples_pass_keywords_the_api_takes(page: Path) -> None:
    """A page's Python names eegpt functions that exist and passes them keywords they take
    (new names only: the renamed ones' old names warn)."""
    problems = keyword_problems(page.read_text(encoding="utf-8"))
    assert not problems, f"{page.name}: {problems}"


#: Options the pages name that are other programs' (or a placeholder), with whose.
FOREIGN_OPTIONS = {
    "--dry-run": "pip", "--index-url": "pip", "--cpus": "docker run", "--memory": "docker run",
    "--cores": "snakemake", "--mem": "SLURM", "--array": "SLURM", "--gres": "SLURM",
    "--cpus-per-task": "SLURM", "--time": "SLURM", "--requeue": "SLURM", "--head": "ray start",
    "--address": "ray start", "--netrc": "curl", "--option": "argument files' placeholder",
}  # fmt: skip


def thread_problems(text: str) -> list[str]:
    """The Python blocks of a page that make an online embedder (``OnlineEmbedder(`` or
    ``probe.online(``) without ``torch.set_num_threads`` before it: on a CPU shared with an
    LSL inlet or a display, PyTorch's default of all cores made pushes 50-170 ms instead of
    4-10 ms, and copied examples left it so."""
    problems = []
    for start, lines in _fenced(text, ("python",)):
        code = "\n".join(lines)
        made = re.search(r"OnlineEmbedder\(|\.online\(", code)
        threads = code.find("torch.set_num_threads(")
        if made and not 0 <= threads < made.start():
            problems.append(
                f"line {start}: makes an online embedder without torch.set_num_threads(...) "
                "before it"
            )
    return problems


def test_thread_problems_finds_an_embedder_made_with_all_threads() -> None:
    block = "```python\n{}\nonline = probe.online(names, sfreq=250)\n```\n"
    assert thread_problems(block.format("import eegpt")) == [
        "line 1: makes an online embedder without torch.set_num_threads(...) before it"
    ]
    assert thread_problems(block.format("torch.set_num_threads(1)")) == []


def test_online_examples_fix_the_thread_count() -> None:
    """docs/live-streams.md's examples set PyTorch's thread count before making the embedder
    (the advice stood in the page's last paragraph only)."""
    assert thread_problems((ROOT / "docs" / "live-streams.md").read_text()) == []


def _every_option() -> set[str]:
    """The option strings of eegpt and every command and subcommand under it."""
    import argparse

    found: set[str] = set()
    parsers = [build_parser()]
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            found.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    return found


def unknown_options(text: str) -> list[str]:
    """'line N: --name' for each option a page names (in prose, inline code or code blocks)
    that no eegpt command has, that no other program of FOREIGN_OPTIONS owns and that is not
    an option of a script of benchmarks/ or scripts/ named on that line or the one before."""
    known = _every_option() | set(FOREIGN_OPTIONS)
    found = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        before = lines[number - 2] if number > 1 else ""  # a command wrapped onto this line
        scripts = re.findall(r"((?:benchmarks|scripts)/\w+\.py)", before + " " + line)
        theirs = {
            option
            for script in scripts
            if (ROOT / script).is_file()
            for option in re.findall(r"\"(--[a-z][a-z0-9-]*)\"", (ROOT / script).read_text())
        }
        for option in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", line):
            if option not in known and option not in theirs:
                found.append(f"line {number}: {option}")
    return found


def test_unknown_options_finds_an_option_no_command_has() -> None:
    page = (
        "Pool with `--pooling mean` (embed), `docker run --cpus 2`, and\n"
        "`python benchmarks/bench_dataset.py --files 96 --minutes 60 --hours 2`.\n"
    )
    assert unknown_options(page) == ["line 1: --pooling", "line 2: --hours"]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_pages_name_only_options_that_exist(page: Path) -> None:
    """Each ``--option`` a page names is one of an eegpt command's, of a benchmark script it
    runs there, or of another program (FOREIGN_OPTIONS): an option renamed is not left
    in the prose."""
    unknown = unknown_options(page.read_text(encoding="utf-8"))
    assert not unknown, f"{page.name} names options nothing has: {unknown}"


def test_the_readme_quick_start_prints_what_it_says(tmp_path, capsys, monkeypatch) -> None:
    """``eegpt embed`` of the demo recording prints on stdout the line the README quotes (its
    embedding width that of the weights: a tiny model here for speed, 512 with the demo's) and
    ends stderr with a ``done: 1 ok`` line, exit status 0; and its Python quick start gives the
    shapes and onsets its comments say."""
    from eegpt.cli import main
    from eegpt.demo import synthetic_raw, write_edf

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    said = re.search(r"`eegpt embed` prints `(sub-01\.edf -> [^`]+)`", " ".join(readme.split()))
    assert said, "the README no longer quotes what eegpt embed prints"
    monkeypatch.chdir(tmp_path)
    write_edf(synthetic_raw()[0], tmp_path / "sub-01.edf")
    eegpt.save_checkpoint(EEGPT("tiny2"), tmp_path / "tiny")
    capsys.readouterr()
    from eegpt.errors import EEGPTWarning

    # "the demo recording's A1, A2 and EKG channels dropped, with a warning"
    with pytest.warns(EEGPTWarning, match=r"'EEG A1-REF', 'EEG A2-REF', 'EEG EKG1-REF'"):
        status = main(["embed", "sub-01.edf", "--weights", "tiny", "-o", "sub-01.parquet"])
    out, err = capsys.readouterr()
    assert status in (0, None)
    assert out.strip() == said.group(1).replace(", 512]", ", 64]")
    assert err.strip().splitlines()[-1].startswith("done: 1 ok")
    with pytest.warns(EEGPTWarning, match="do not match the EEGPT vocabulary"):
        emb = eegpt.load_model("tiny").embed("sub-01.edf", progress=False, verbose=False)
    quoted = re.findall(r"^emb\.(\S+)\s+# \(([\d, ]+)\)", readme, flags=re.MULTILINE)
    shapes = {"data.shape": emb.data.shape, 'pooled("mean").shape': emb.pooled("mean").shape}
    assert {k for k, _ in quoted} == set(shapes)
    for key, shape in quoted:
        assert tuple(int(n) for n in shape.split(",")) == (*shapes[key][:-1], 512)
    assert list(emb.onsets[:3]) == [0, 4, 8]  # "window start times in seconds: 0, 4, 8 ..."
