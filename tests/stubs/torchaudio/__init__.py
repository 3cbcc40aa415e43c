"""Stand-in for torchaudio, used only so that braindecode can be imported in the tests.

braindecode imports torchaudio at import time, but the PyPI torchaudio build does not match the
torch build we test with, and EEGPT never calls it. Every name here raises when it is used.
"""

from . import functional, transforms  # noqa: F401
from ._missing import placeholder

__version__ = "0.0.0+eegpt-test-stub"


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    return placeholder(f"torchaudio.{name}")
