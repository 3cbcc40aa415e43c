"""``scripts/reliability.py`` (the fault-injection harness behind RELIABILITY.md) as module ``R``.

The reliability tests run its case classes in quick mode and reuse its generators (EDF bytes,
malicious pickles, a local HTTP server); loaded once per session under ``eegpt_reliability``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

NAME = "eegpt_reliability"


def _load():
    if NAME in sys.modules:
        return sys.modules[NAME]
    path = Path(__file__).resolve().parents[1] / "scripts" / "reliability.py"
    spec = importlib.util.spec_from_file_location(NAME, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module  # dataclasses and pickling look the module up by name
    spec.loader.exec_module(module)
    return module


R = _load()
