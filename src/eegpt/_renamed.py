"""Keywords of the public API that were renamed, still taken under their old names.

A function decorated with :func:`renamed_keywords` shows and documents only its new names
(``help()``, ``inspect.signature`` and type checkers see the function itself); a call with an
old name gets a :class:`FutureWarning` naming the new one, and runs as if called with it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

_F = TypeVar("_F", bound=Callable[..., Any])


def renamed_keywords(**renames: str) -> Callable[[_F], _F]:
    """Let the decorated function take keywords under their old names, ``old="new"``.

    Parameters
    ----------
    **renames : str
        Each old keyword and the new name of the parameter it was.

    Returns
    -------
    callable
        The decorator. A call passing an old keyword warns (:class:`FutureWarning`, at the
        caller's line) and passes its value as the new one; passing both raises a
        :class:`TypeError`.
    """

    def decorate(func: _F) -> _F:
        name = func.__qualname__

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise TypeError(
                        f"{name}() got both {new}= and {old}=, the old name of {new}: "
                        f"pass {new}= alone"
                    )
                warnings.warn(
                    f"{name}({old}=...) is renamed {new}=: pass {new}= instead ({old}= "
                    "still works, with this warning, and will be removed in a future version)",
                    FutureWarning,
                    stacklevel=2,
                )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return cast(_F, wrapper)

    return decorate


def renamed_attribute(old: str, new: str) -> property:
    """A read-only property ``old`` giving the attribute ``new``, with a :class:`FutureWarning`
    naming it (``DatasetSummary.engine``, now ``backend``); assigned in the class body as
    ``engine = renamed_attribute("engine", "backend")``."""

    def get(self: Any) -> Any:
        warnings.warn(
            f"{type(self).__name__}.{old} is renamed {new}: read .{new} instead (.{old} still "
            "works, with this warning, and will be removed in a future version)",
            FutureWarning,
            stacklevel=2,
        )
        return getattr(self, new)

    return property(get, doc=f"Deprecated: the old name of :attr:`{new}`.")
