"""Messages for users: INFO logging controlled by ``verbose``, and warnings that point at the caller.

All of eegpt logs to the ``"eegpt"`` logger. Functions take MNE-style ``verbose`` arguments:
``True``/``"info"`` shows INFO messages, ``None``/``False`` keeps them at DEBUG.
"""

from __future__ import annotations

import inspect
import logging
import warnings
from pathlib import Path

logger = logging.getLogger("eegpt")

_PACKAGE_DIR = str(Path(__file__).resolve().parent)
_TORCH_WRAPPERS = (str(Path("torch", "utils", "_contextlib.py")),)


def _is_internal(filename: str) -> bool:
    """A frame of eegpt itself, or of the torch decorator that wraps its methods."""
    return str(Path(filename).resolve()).startswith(_PACKAGE_DIR) or filename.endswith(
        _TORCH_WRAPPERS
    )


def is_verbose(verbose: bool | str | int | None) -> bool:
    """Whether ``verbose`` asks for INFO messages (True, ``"info"``, ``"debug"`` or a level)."""
    if verbose is None or isinstance(verbose, bool):
        return bool(verbose)
    if isinstance(verbose, str):
        return verbose.strip().upper() in ("INFO", "DEBUG")
    if isinstance(verbose, int):
        return verbose <= logging.INFO
    raise TypeError(f"verbose must be a bool, a level name or None, got {verbose!r}")


def log(message: str, verbose: bool | str | int | None = None) -> None:
    """Log ``message`` to the ``"eegpt"`` logger: at INFO when ``verbose`` asks, else at DEBUG.

    When ``verbose`` asks for INFO but nothing would show it (no handler or a higher level), the
    message is written to stderr through a temporary handler, so ``verbose=True`` always shows.
    """
    if not is_verbose(verbose):
        logger.debug(message)
        return
    if logger.hasHandlers() and logger.isEnabledFor(logging.INFO):
        logger.info(message)
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info(message)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def warn(message: str, category: type[Warning] = RuntimeWarning) -> None:
    """``warnings.warn`` attributed to the first caller outside the eegpt package (and outside
    torch's decorator wrappers such as ``torch.inference_mode()``)."""
    stacklevel = 1
    frame = inspect.currentframe()
    try:
        frame = frame.f_back if frame is not None else None
        while frame is not None and _is_internal(frame.f_code.co_filename):
            stacklevel += 1
            frame = frame.f_back
    finally:
        del frame
    warnings.warn(message, category, stacklevel=stacklevel + 1)
