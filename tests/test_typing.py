"""The public API is typed for users' type checkers (eegpt ships ``py.typed``): mypy on a
small user script sees eegpt's types through its decorators and lazily bound methods, and
reports a wrong argument. Skipped where mypy is not installed (it is in the ``test`` extra)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import eegpt

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None, reason="mypy is not installed"
)

USER_SCRIPT = """\
import eegpt

model = eegpt.load_model("tiny-random")
reveal_type(model)
emb = model.embed("sub-01.edf")
reveal_type(emb)
reveal_type(emb.plot)
eegpt.embed(model, "sub-01.edf", batch_size="large")
"""

# The big third-party packages are skipped (their types become Any): the check takes a few
# seconds instead of analysing torch, MNE and matplotlib.
CONFIG = """\
[mypy]
follow_imports = silent
ignore_missing_imports = True
[mypy-torch.*,mne.*,scipy.*,matplotlib.*,numpy.*,pandas.*,pyarrow.*,sklearn.*,safetensors.*,tqdm.*,edfio.*,ray.*,mne_bids.*,huggingface_hub.*,triton.*]
follow_imports = skip
"""


def mypy_output(tmp_path: Path, name: str, script: str) -> str:
    """mypy's report (stdout) on ``script`` written to ``tmp_path / name``, with :data:`CONFIG`
    and the eegpt under test (a source tree or an installed package), not another one."""
    (tmp_path / name).write_text(script)
    (tmp_path / "mypy.ini").write_text(CONFIG)
    env = {**os.environ, "MYPYPATH": str(Path(eegpt.__file__).parents[1])}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", ".cache",
         name],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return result.stdout


def test_mypy_sees_the_public_types_and_reports_a_wrong_argument(tmp_path: Path) -> None:
    out = mypy_output(tmp_path, "user.py", USER_SCRIPT)
    assert 'user.py:4: note: Revealed type is "eegpt.model.EEGPT"' in out, out
    assert 'user.py:6: note: Revealed type is "eegpt.outputs.Embeddings"' in out, out
    assert 'user.py:7: note: Revealed type is "def (*, spans:' in out, out
    # (eegpt.embed is decorated by assignment, api.py says why: mypy names no function here)
    assert 'user.py:8: error: Argument "batch_size" has incompatible type "str"' in out, out
    assert "Found 1 error in 1 file" in out, out


LIBRARY_SCRIPT = """\
import eegpt
import eegpt.finetune
import eegpt.probe

model = eegpt.load_model("tiny-random")
eegpt.probe.train_probe(model, "x.fif", units="microvolts")
eegpt.finetune.finetune(model, "x.fif", n_epochs=3)
eegpt.lod_model("tiny-random")
reveal_type(eegpt.read_embeddings("out"))
reveal_type(eegpt.EEGPTError)
eegpt.sklearn.EEGPTEmbedder(model, pooling="mean")
"""


def test_mypy_sees_decorated_training_signatures_misspelt_names_and_tuples(tmp_path: Path) -> None:
    """What a library built on eegpt relies on: ``train_probe`` and ``finetune`` keep their
    signatures through their decorator (a wrong argument is an error), a misspelt top-level
    name is an error rather than ``Any``, and ``read_embeddings`` returns a tuple."""
    out = mypy_output(tmp_path, "lib.py", LIBRARY_SCRIPT)
    # train_probe takes **overrides (ProbeConfig's fields): a wrong value is the error here
    assert 'lib.py:6: error: Argument "units" to "train_probe" has incompatible type' in out, out
    assert 'lib.py:7: error: Unexpected keyword argument "n_epochs" for "finetune"' in out, out
    assert 'lib.py:8: error: Module has no attribute "lod_model"' in out, out
    assert 'lib.py:9: note: Revealed type is "tuple[' in out, out
    assert 'lib.py:10: note: Revealed type is "def ' in out, out
    assert '-> eegpt.errors.EEGPTError"' in out, out
    assert "Found 3 errors in 1 file" in out, out


def test_type_checkers_see_every_lazily_loaded_name() -> None:
    """Each name ``eegpt.__getattr__`` gives at run time is imported under ``TYPE_CHECKING``
    too (``__getattr__`` itself is hidden from type checkers, so that a misspelt name is an
    error): a name added to one list and not the other fails here."""
    import ast

    tree = ast.parse(Path(eegpt.__file__).read_text(encoding="utf-8"))
    seen: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    seen.update(alias.asname or alias.name for alias in stmt.names)
    assert set(eegpt._LAZY) | eegpt._SUBMODULES <= seen
    assert set(eegpt.__all__) - {"__version__"} <= seen


METHODS_SCRIPT = """\
from pathlib import Path

import numpy as np

import eegpt
import eegpt.probe

model = eegpt.load_model("tiny-random")
x = np.zeros((3, 1000))
model.embed("a.edf", sfrq=250)
probe = eegpt.probe.load_probe("p")
probe.predict("a-epo.fif", devise="cpu")
probe.predict_proba("a-epo.fif", overlap="3.5")
probe.decision_function("a-epo.fif", batchsize=4)
probe.evaluate("a-epo.fif", None, ch_name=["Cz"])
eegpt.embed(model, x, units="microvolts")
model.embed(x, ch_names=["Cz"] * 3, sfreq=250, units="uv", rename=Path("r.tsv"), verbose=20)
probe.predict_proba("a-epo.fif", units="uV", overlap=3.5, device="cpu", batch_size=4)
probe.evaluate("a-epo.fif", [0, 1], cache=True, rename="biosemi64", verbose="error")
eegpt.probe.load_probe("p", verbose="error")
eegpt.probe.EEGPTProbe.load("p", verbose=20)
eegpt.OnlineEmbedder(model, ["Cz"], 250, units="μV", rename=Path("r.tsv"))
eegpt.probe.train_probe(model, "a-epo.fif", units="UV", rename=Path("r.tsv"))
eegpt.embed(eegpt.EEGPTEncoder("tiny1"), x, ch_names=["Cz"] * 3, sfreq=250, rename=Path("r"))
probe.windows("a-epo.fif", rename=Path("r.tsv"), units="µV", verbose="warning")
probe.online(["Cz"], sfreq=250, rename=Path("r.tsv"))
eegpt.finetune.finetune(model, "a-epo.fif", units="mv", rename=Path("r.tsv"))
eegpt.sklearn.EEGPTEmbedder(model, units="uv", rename=Path("r.tsv"))
"""


def test_mypy_sees_the_keywords_of_methods_and_one_type_per_parameter(tmp_path: Path) -> None:
    """``model.embed`` and the probe's prediction methods have their real keywords for type
    checkers (a misspelt one is an error); ``verbose``, ``units`` and ``rename`` take the same
    values wherever they are taken (eegpt._logging.Verbose, eegpt.io.Units,
    eegpt.rename_tables.Rename), and embed takes an encoder, as at run time."""
    out = mypy_output(tmp_path, "methods.py", METHODS_SCRIPT)
    assert 'methods.py:10: error: Unexpected keyword argument "sfrq"' in out, out
    assert 'methods.py:12: error: Unexpected keyword argument "devise" for "predict"' in out, out
    assert 'methods.py:13: error: Argument "overlap" to "predict_proba"' in out, out
    assert 'methods.py:14: error: Unexpected keyword argument "batchsize"' in out, out
    assert 'methods.py:15: error: Unexpected keyword argument "ch_name" for "evaluate"' in out
    assert 'methods.py:16: error: Argument "units" has incompatible type' in out, out
    assert "Found 6 errors in 1 file" in out, out


def test_preprocessing_config_is_importable_from_the_top_level() -> None:
    """``from eegpt import PreprocessingConfig`` works, as the docs' examples and the error
    messages (``preprocessing=PreprocessingConfig(...)``) have users write: the same class as
    ``eegpt.preprocessing.PreprocessingConfig``, public (``__all__``) and listed by ``dir``."""
    from eegpt import PreprocessingConfig
    from eegpt.preprocessing import PreprocessingConfig as Defined

    assert PreprocessingConfig is Defined
    assert "PreprocessingConfig" in eegpt.__all__
    assert "PreprocessingConfig" in dir(eegpt)
