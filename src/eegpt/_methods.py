"""Methods that are functions of another module with the instance as first argument.

``model.embed`` is :func:`eegpt.api.embed` and ``emb.plot`` is :func:`eegpt.viz.plot_embeddings`.
Written as ``def embed(self, data, **kwargs)`` they would hide their keywords from ``help()``,
IPython's signature tips and keyword completion; as :class:`function_method` they are the
function itself, bound to the instance, and its module is imported only when the method is
first looked up (``import eegpt.model`` does not pull in MNE and matplotlib).

Type checkers cannot follow a function named by strings, so each class also assigns the
function itself under ``if TYPE_CHECKING:``, which mypy and pyright read as the method (with
its signature; ``EEGPT.embed`` shows ``eegpt.api.embed_method``'s ``(data, **kwargs) ->
Embeddings``, as ``embed`` itself cannot be resolved inside the import cycle of the two
modules).
"""

from __future__ import annotations

import importlib
import types
from typing import Any


class function_method:  # noqa: N801 - used like a decorator-made method
    """A class attribute that binds ``module.name`` to the instance it is looked up on.

    Parameters
    ----------
    module, name : str
        Where the function is (``"eegpt.viz"``, ``"plot_embeddings"``); its first parameter
        takes the instance.
    """

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def function(self) -> Any:
        return getattr(importlib.import_module(self.module), self.name)

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        func = self.function()
        return func if obj is None else types.MethodType(func, obj)
