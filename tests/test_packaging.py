"""The source distribution holds what its own tests and documentation need (MANIFEST.in)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Files that the tests import or read, and that the README links to.
NEEDED = [
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "BENCHMARKS.md",
    "RELIABILITY.md",
    "CHANGELOG.md",
    "CITATION.cff",  # README: "CITATION.cff gives it" (how to cite eegpt)
    "Makefile",
    "docs/command-line.md",
    "docs/containers.md",
    "docs/corpus-scale.md",
    "docs/downstream.md",
    "docs/live-streams.md",
    "docs/montages.md",
    "docs/outputs.md",
    "docs/pooling-sites.md",
    "docs/publishing.md",
    "docs/python.md",
    "docs/pytorch.md",
    "docs/recordings.md",
    "docs/speed.md",
    "docs/weights.md",
    "examples/linear_probe.md",
    "examples/linear_probe.py",
    "examples/bcic2a_channels.tsv",
    "scripts/reliability.py",
    "tests/conftest.py",
    "tests/reliability_harness.py",
    "tests/stubs/torchaudio/__init__.py",
    "tests/test_packaging.py",
    "src/eegpt/__init__.py",
    "src/eegpt/py.typed",
]

#: The folders of the repository that the sdist may take files from (copied for the build).
SOURCE_FOLDERS = ("src", "tests", "docs", "examples", "scripts", "benchmarks", ".ci")


@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="not run from a source tree")
def test_the_sdist_holds_the_tests_and_documentation(tmp_path):
    pytest.importorskip("setuptools.build_meta")
    # a copy without an egg-info folder, whose file list setuptools would add to the sdist
    tree = tmp_path / "tree"
    skip = shutil.ignore_patterns("*.egg-info", "__pycache__", "*.py[cod]")
    for path in ROOT.iterdir():
        if path.name in SOURCE_FOLDERS:
            shutil.copytree(path, tree / path.name, ignore=skip)
        elif path.is_file() and path.stat().st_size < 1 << 20:
            tree.mkdir(exist_ok=True)
            shutil.copy(path, tree)
    # in a process of its own: setuptools configures the logging module for the whole process
    build = f"import setuptools.build_meta as b; print(b.build_sdist({str(tmp_path)!r}))"
    done = subprocess.run(
        [sys.executable, "-c", build], cwd=tree, capture_output=True, text=True, check=True
    )
    name = done.stdout.strip().splitlines()[-1]
    with tarfile.open(tmp_path / name) as sdist:
        top = name.removesuffix(".tar.gz")
        files = {m.name.removeprefix(f"{top}/") for m in sdist.getmembers() if m.isfile()}
        metadata = sdist.extractfile(f"{top}/PKG-INFO").read().decode()
    assert [f for f in NEEDED if f not in files] == []
    assert not [f for f in files if f.startswith("benchmarks/results/") or "__pycache__" in f]
    assert "Project-URL: Original implementation, https://github.com/BINE022/EEGPT" in metadata
    assert f"\nVersion: {eegpt_version()}\n" in metadata
    # the citation's version is the package's
    (cited,) = re.findall(r"^version: (\S+)$", (ROOT / "CITATION.cff").read_text(), re.M)
    assert cited == eegpt_version()


def eegpt_version() -> str:
    import eegpt

    return eegpt.__version__


@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="not run from a source tree")
def test_the_version_is_written_once():
    """The package's version is ``eegpt.__version__`` alone: pyproject.toml has setuptools
    read it from there, rather than a second copy that could be bumped without the other."""
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "eegpt.__version__"}


@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="not run from a source tree")
def test_the_readme_installs_torch_in_the_range_pyproject_requires():
    """README's ``pip install torch ...`` line asks for pyproject's range: unpinned, it took a
    torch outside it (2.15), which ``pip install .`` then replaced by PyPI's CUDA build; the
    Makefile's pin lies in the range too."""
    tomllib = pytest.importorskip("tomllib")
    SpecifierSet = pytest.importorskip("packaging.specifiers").SpecifierSet  # noqa: N806

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (torch,) = [d for d in project["dependencies"] if re.match(r"torch\b", d)]
    lines = re.findall(
        r"^pip install (.*torch.*--index-url.*)$", (ROOT / "README.md").read_text(), re.M
    )
    assert lines and all(line.startswith(f'"{torch}" ') for line in lines), lines
    (pin,) = re.findall(r"^TORCH \?= torch==(\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert pin in SpecifierSet(torch.removeprefix("torch"))


@pytest.mark.skipif(not (ROOT / "Makefile").is_file(), reason="not run from a source tree")
@pytest.mark.parametrize(
    ("system", "torch"), [("Linux", "torch==2.13.0+cpu"), ("Darwin", "torch==2.13.0")]
)
def test_make_install_asks_for_a_torch_build_the_system_has(tmp_path, system, torch):
    """``make install`` asks for torch's CPU build as ``torch==X+cpu``, a local version that
    macOS builds lack (PyPI's and PyTorch's index alike: they have no CUDA to leave out), so
    on a Mac both of its tries failed; there it asks for ``torch==X``."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("no make")
    done = subprocess.run(
        [make, "-n", "-B", "install", f"VENV={tmp_path / 'venv'}", f"UNAME_S={system}",
         "TORCH=torch==2.13.0"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    asked = re.findall(r'pip install -q (?:--\S+ \S+ )*"(torch[^"]*)"', done.stdout)
    assert asked and set(asked) == {torch}, done.stdout


@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="not run from a source tree")
def test_the_mne_floor_exports_edf_through_edfio():
    """``eegpt demo`` writes its EDF file with ``mne.export.export_raw``, which goes through
    edfio (a dependency) from MNE 1.7 on; MNE 1.6 asks for EDFlib-Python instead."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (mne,) = [d for d in project["dependencies"] if d.startswith("mne")]
    floor = tuple(int(part) for part in mne.split(">=")[1].split(",")[0].split("."))
    assert floor >= (1, 7)
    assert any(d.startswith("edfio") for d in project["dependencies"])


@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="not run from a source tree")
def test_the_mne_floor_imports_with_the_newest_scipy():
    """MNE 1.9 and older import ``scipy.special.sph_harm``, which SciPy 1.17 removed; their
    requirements do not cap SciPy, so ``pip install "mne<1.10" .`` (allowed by a floor of 1.7)
    installed SciPy 1.17 beside them and ``import mne`` failed: ``eegpt demo`` was an internal
    error. NumPy's and SciPy's floors are at least MNE 1.10's own (1.25, 1.11), so that the
    lowest versions allowed install together."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    def floor(name: str) -> tuple[int, ...]:
        (dep,) = [d for d in project["dependencies"] if re.match(rf"{name}\s*>=", d)]
        return tuple(int(part) for part in dep.split(">=")[1].split(",")[0].split("."))

    assert floor("mne") >= (1, 10)
    assert floor("numpy") >= (1, 25) and floor("scipy") >= (1, 11)


@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="not run from a source tree")
def test_the_matplotlib_floor_caps_numpy_below_2():
    """matplotlib 3.7.0-3.7.2, built for NumPy 1, do not cap NumPy below 2: ``pip install
    "matplotlib<3.7.3" .`` (allowed by a floor of 3.7) paired them with NumPy 2, under which
    ``import matplotlib.pyplot`` fails. The message for a missing matplotlib asks for the
    version pyproject requires."""
    tomllib = pytest.importorskip("tomllib")
    from eegpt._viz_common import _missing_matplotlib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (dep,) = [d for d in project["dependencies"] if d.startswith("matplotlib")]
    assert tuple(int(p) for p in dep.split(">=")[1].split(".")) >= (3, 7, 3)
    assert f"pip install '{dep}'" in str(_missing_matplotlib("--plot"))


@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="not run from a source tree")
def test_the_pandas_floor_caps_numpy_below_2():
    """pandas 2.0.0-2.1.1, built for NumPy 1, do not cap NumPy below 2: ``pip install
    "pandas<2.1.2" ".[parquet]"`` (allowed by a floor of 2) paired them with NumPy 2, under
    which ``import pandas`` fails ("numpy.dtype size changed"); every extra that names pandas
    asks for 2.1.2 or later."""
    tomllib = pytest.importorskip("tomllib")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    floors = {
        extra: tuple(int(p) for p in dep.split(">=")[1].split("."))
        for extra, deps in extras.items()
        for dep in deps
        if re.match(r"pandas\b", dep)
    }
    assert set(floors) == {"parquet", "test"}
    assert all(floor >= (2, 1, 2) for floor in floors.values()), floors
    from eegpt.optional_packages import _MIN_PANDAS  # what its import failure asks for

    assert tuple(int(p) for p in _MIN_PANDAS.split(".")) == floors["parquet"]


@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="not run from a source tree")
def test_missing_dependency_messages_name_each_extra_s_packages():
    """A message about a missing optional package says to install the extra's packages by
    their own names (eegpt is not on PyPI: 'eegpt[parquet]' could be someone else's)."""
    import re

    from eegpt.errors import install_hint

    tomllib = pytest.importorskip("tomllib")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for extra, requirements in extras.items():
        if extra == "test":
            continue
        hint = install_hint(extra)
        names = {re.match(r"[\w-]+(\[\w+\])?", r)[0] for r in requirements}
        if extra == "ray":
            names.discard("pyarrow")  # a requirement of ray[data]
        assert all(name in hint for name in names), (extra, hint)
        assert hint.endswith(f"(from a clone of eegpt: pip install '.[{extra}]')")
        assert "eegpt[" not in hint


def test_every_docstring_is_valid_utf8() -> None:
    """Python 3.13 and later encode docstrings as strict UTF-8 when compiling: a lone surrogate
    written as an escape in a (non-raw) docstring (``"\\udc96"``) makes the whole module fail
    to import there, though it compiles on 3.10-3.12."""
    import ast

    bad = []
    for path in sorted((ROOT / "src").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = [tree, *ast.walk(tree)]
        for node in nodes:
            if not isinstance(
                node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                continue
            doc = ast.get_docstring(node, clean=False)
            try:
                (doc or "").encode("utf-8")
            except UnicodeEncodeError as err:
                bad.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 1)}: {err}")
    assert not bad


@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="not run from a source tree")
def test_the_readme_install_steps_start_in_a_virtual_environment():
    """README's install steps make and activate a virtual environment before their first
    ``pip install``: on a fresh machine whose Python is the system's (Debian, Ubuntu, Homebrew:
    PEP 668), a bare ``pip install`` is refused as an externally managed environment."""
    readme = (ROOT / "README.md").read_text()
    install = readme.split("## Install", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", install, re.S)
    assert block, "README's Install section has no bash block"
    lines = [line for line in block[1].splitlines() if line and not line.startswith("#")]
    assert re.match(r"python3? -m venv (\S+) && \. \1/bin/activate\b", lines[0]), lines[:2]
    assert lines[1].startswith("pip install "), lines[:2]
