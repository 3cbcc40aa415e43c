"""Put ``benchmarks/`` on ``sys.path`` so that the experiments import its ``common`` module.

Each experiment imports this module first (``import _parent``); the scripts are run as
``python benchmarks/experiments/NAME.py`` or from ``benchmarks/`` as ``python experiments/NAME.py``.
"""

import sys
from pathlib import Path

BENCHMARKS = str(Path(__file__).resolve().parents[1])
if BENCHMARKS not in sys.path:
    sys.path.insert(0, BENCHMARKS)
