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


def test_mypy_sees_the_public_types_and_reports_a_wrong_argument(tmp_path: Path) -> None:
    (tmp_path / "user.py").write_text(USER_SCRIPT)
    (tmp_path / "mypy.ini").write_text(CONFIG)
    # the eegpt under test (a source tree or an installed package), not another one
    env = {**os.environ, "MYPYPATH": str(Path(eegpt.__file__).parents[1])}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", ".cache",
         "user.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = result.stdout
    assert 'user.py:4: note: Revealed type is "eegpt.model.EEGPT"' in out, out
    assert 'user.py:6: note: Revealed type is "eegpt.outputs.Embeddings"' in out, out
    assert 'user.py:7: note: Revealed type is "def (*, spans:' in out, out
    assert 'user.py:8: error: Argument "batch_size" to "embed" has incompatible type "str"' in (
        out
    ), out
    assert "Found 1 error in 1 file" in out, out
