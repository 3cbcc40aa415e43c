"""Shared test set-up.

braindecode (the reference implementation we compare against) imports torchaudio, whose PyPI
build does not match our torch; EEGPT never uses it, so a stand-in package from tests/stubs is put
on sys.path when the real one cannot be imported.

Without a GPU, eegpt's Triton kernels run under Triton's CPU interpreter (``TRITON_INTERPRET=1``,
set before anything imports Triton), so their tests run in CI too.

OpenMP threads that have nothing to do wait passively (``OMP_WAIT_POLICY=PASSIVE``, set before
torch is imported and inherited by the CLI subprocesses the tests start) rather than spinning:
on a machine whose two cores are shared (CI; other pytest workers under pytest-xdist) a spinning
thread takes the core its sibling waits for, and a small step (a linear probe's batch) ran
about seven times slower with two torch threads than with one. What is computed is unchanged.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch (its OpenMP) is loaded

import pytest  # noqa: E402
import torch  # noqa: E402

STUBS = Path(__file__).parent / "stubs"


def _torchaudio_works() -> bool:
    if importlib.util.find_spec("torchaudio") is None:
        return False
    try:
        import torchaudio  # noqa: F401
    except Exception:  # a mismatched build fails with OSError/ImportError/RuntimeError
        sys.modules.pop("torchaudio", None)
        return False
    return True


if not _torchaudio_works():
    sys.path.insert(0, str(STUBS))

if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")

torch.set_num_threads(2)


@pytest.fixture
def rng():
    return torch.Generator().manual_seed(1234)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    """A checkpoint of a small EEGPT (embed_dim 64, depth 2, 4 heads) with random weights (seed
    7), saved once per test module; modules that need another model define their own."""
    from eegpt.checkpoints import save_checkpoint
    from eegpt.config import EEGPTConfig
    from eegpt.model import EEGPT

    torch.manual_seed(7)
    path = tmp_path_factory.mktemp("weights") / "small"
    save_checkpoint(EEGPT(EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=4)), path)
    return path


@pytest.fixture(scope="module")
def model(weights):
    """The ``weights`` checkpoint, loaded."""
    from eegpt.checkpoints import load_model

    return load_model(weights)
