"""eegpt in locked-down surroundings: no writable temporary folder, a CPU quota."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from eegpt.synthetic import synthetic_erp_epochs

# `eegpt ARGS` in a fresh process in which tempfile finds no usable temporary folder
# (as under a read-only root, /tmp and working folder) when NO_TEMP is set.
RUN_EEGPT = """
import os, sys, tempfile
if os.environ.pop("NO_TEMP", None):
    tempfile._candidate_tempdir_list = lambda: []
    tempfile.tempdir = None
from eegpt.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_eegpt(args: list[str], cwd, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "TORCHINDUCTOR_CACHE_DIR"}
    return subprocess.run(
        [sys.executable, "-c", RUN_EEGPT, *args],
        cwd=cwd,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("temp", ["none usable", "writable"])
def test_probe_train_needs_no_temporary_folder_and_leaves_none(weights, tmp_path, temp):
    """Building the optimizer imports torch._dynamo, which created Inductor's cache folder
    (torchinductor_<user> in the temporary folder): probe train failed with 'No usable
    temporary directory found', or left that folder behind, empty."""
    epochs = tmp_path / "t-epo.fif"
    synthetic_erp_epochs(24, seed=1, seconds=1.0, tmin=-0.2).save(epochs, verbose=False)
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    env = {"NO_TEMP": "1"} if temp == "none usable" else {"TMPDIR": str(tmp)}
    args = ["probe", "train", str(epochs), "--weights", str(weights), "-o", str(tmp_path / "p")]
    done = run_eegpt([*args, "-q", "--passes", "1", "--window", "1"], cwd, **env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p" / "probe.json").is_file()
    assert list(cwd.iterdir()) == [] and list(tmp.iterdir()) == []
