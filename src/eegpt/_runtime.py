"""The process's surroundings: torch's import-time cache folder, and the CPUs it may use.

For locked-down containers (read-only root, /tmp and working folder; no home) and shared
machines (a CPU quota smaller than the host).
"""

from __future__ import annotations

import os
import sys


def import_dynamo_without_cache_folder() -> None:
    """Import ``torch._dynamo`` without it creating torch's compile cache folder.

    Every ``torch.optim`` optimizer imports ``torch._dynamo`` when it is built
    (``Optimizer.add_param_group`` is wrapped in ``torch._disable_dynamo``, which imports it on
    its first call), whatever ``foreach``/``fused`` say, and that import (torch 2.9 and later:
    ``torch._dynamo.package``) creates Inductor's cache folder: ``$TORCHINDUCTOR_CACHE_DIR``,
    else ``torchinductor_<user>`` in :func:`tempfile.gettempdir`. Training a probe then failed
    where no temporary folder is writable ("No usable temporary directory found"), and left an
    empty ``torchinductor_<user>`` folder in /tmp (or the working folder) where one is.

    Nothing is compiled in training, so for the import alone the cache folder is set to torch's
    own package folder (which exists, so nothing is created), then unset again: a later
    ``torch.compile`` in this process finds its usual default. A ``TORCHINDUCTOR_CACHE_DIR``
    the user set is left as it is, and so is a ``torch._dynamo`` already imported.
    """
    if "torch._dynamo" in sys.modules or "TORCHINDUCTOR_CACHE_DIR" in os.environ:
        return
    import torch

    os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.dirname(os.path.abspath(torch.__file__))
    try:
        import torch._dynamo  # noqa: F401
    finally:
        os.environ.pop("TORCHINDUCTOR_CACHE_DIR", None)
