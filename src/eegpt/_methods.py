"""Methods that are functions of another module with the instance as first argument.

``model.embed`` is :func:`eegpt.api.embed` and ``emb.plot`` is :func:`eegpt.viz.plot_embeddings`.
Written as ``def embed(self, data, **kwargs)`` they would hide their keywords from ``help()``,
IPython's signature tips and keyword completion; as :class:`function_method` they are the
function itself, bound to the instance, and its module is imported only when the method is
first looked up (``import eegpt.model`` does not pull in MNE and matplotlib).

Type checkers cannot follow a function named by strings, so each class also assigns the
function itself under ``if TYPE_CHECKING:``, which mypy and pyright read as the method, with
its signature: a misspelt keyword is an error. ``EEGPT.embed`` is assigned
``eegpt.api._embed``, :func:`eegpt.embed` before its decorator, as only a plain function's
type can be resolved inside the import cycle of the two modules.
"""

from __future__ import annotations

import importlib
import inspect
import types
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar


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
        self.attribute = name  # the class's name for it, once the class is made

    def __set_name__(self, owner: type, name: str) -> None:
        self.attribute = f"{owner.__name__}.{name}"

    def function(self) -> Any:
        """The function, its module imported first. An AttributeError raised while that
        module is imported is raised again as an ImportError naming the module: torch's
        ``Module.__getattr__`` would take it for a missing attribute and say only that the
        model has no ``embed``."""
        try:
            module = importlib.import_module(self.module)
        except AttributeError as err:
            raise ImportError(
                f"importing {self.module} (for {self.attribute}) failed: {type(err).__name__}: "
                f"{err}. If a file of your own is named like a module of Python's standard "
                "library (pydoc.py, inspect.py, types.py) in your script's folder or the "
                "working directory, Python imports it in that module's place: rename it.",
                name=self.module,
            ) from err
        return getattr(module, self.name)

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        func = self.function()
        return func if obj is None else types.MethodType(func, obj)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def keywords_of(
    parameters: Callable[_P, Any],
) -> Callable[[Callable[..., _R]], Callable[Concatenate[Any, _P], _R]]:
    """Give a method written ``(self, data, **kwargs)`` the parameters of the function
    ``parameters`` after ``self``, for type checkers (a misspelt keyword is an error) and for
    ``help()``, ``inspect.signature`` and IPython (its ``__signature__``); ``parameters`` only
    declares them (its body is never run). The method still takes ``**kwargs`` at run time and
    must refuse a keyword it does not know itself, as it did before."""

    def decorate(method: Callable[..., _R]) -> Callable[Concatenate[Any, _P], _R]:
        own = inspect.signature(method)
        first = next(iter(own.parameters.values()))  # self
        declared = list(inspect.signature(parameters).parameters.values())
        method.__signature__ = own.replace(  # type: ignore[attr-defined]
            parameters=[first, *declared]
        )
        return method

    return decorate
