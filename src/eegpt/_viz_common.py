"""What the figures of :mod:`eegpt.viz` share: pyplot imported on first use, new figures and
the axes given, a figure shown (once in a notebook), saved and closed, text measured and
wrapped to the room it has, legends beside the data, and the mark of random weights.

Private: :mod:`eegpt.viz` re-exports its public names (:func:`pyplot_module`,
:func:`save_figure`, :data:`NOT_PRETRAINED_TITLE`, :data:`VECTOR_TEXT`).
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from eegpt._filenames import user_path

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend

    from eegpt.errors import MissingDependencyError


NOT_PRETRAINED_TITLE = "random weights - NOT PRETRAINED"  # on figures of a demo encoder


#: What :func:`save_figure` sets while writing: fonts embedded as TrueType (Type 42) in PDF and
#: PostScript, text as text in SVG, so that the text of a figure stays editable.
VECTOR_TEXT: dict[str, Any] = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none"}


def _missing_matplotlib(what: str) -> MissingDependencyError:
    """The error of drawing (``what``: ``"--plot"``, ``"eegpt.viz.plot_hypnogram"`` ...)
    without matplotlib, saying how to install it."""
    from eegpt.errors import MissingDependencyError

    return MissingDependencyError(
        f"{what} draws with matplotlib, which is not installed (eegpt depends on it, but an "
        "install without dependencies, pip install --no-deps, lacks it): pip install "
        "'matplotlib>=3.7.3'"
    )


def require_matplotlib(what: str) -> None:
    """Raise :class:`~eegpt.errors.MissingDependencyError` where matplotlib is not installed,
    without importing it: a command that draws (``what``: ``"--plot"``) says so before it
    does its work, not after it."""
    import importlib.util

    if sys.modules.get("matplotlib") is not None:  # imported already
        return
    try:  # (None in sys.modules: its import is blocked, as if it were missing)
        found = "matplotlib" not in sys.modules and importlib.util.find_spec("matplotlib")
    except (ImportError, ValueError):
        found = None
    if not found:
        raise _missing_matplotlib(what)


def pyplot_module():
    """``matplotlib.pyplot``, imported on first use so that importing :mod:`eegpt.viz` stays
    light; a :class:`~eegpt.errors.MissingDependencyError` saying how to install matplotlib
    where it is not installed."""
    try:
        import matplotlib.pyplot as plt
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] != "matplotlib":  # a package matplotlib needs
            raise
        raise _missing_matplotlib("drawing a figure (eegpt.viz)") from err
    return plt


def save_figure(fig: Figure, path: str | os.PathLike, dpi: int = 150) -> Path:
    """Write ``fig`` to ``path`` (format from its suffix: .png, .pdf, .svg ...) atomically, so
    an interrupted write leaves no truncated image under that name, and close it.

    Text stays text in vector formats, editable in Illustrator or Inkscape: PDF and PostScript
    embed TrueType (Type 42) fonts, not Type 3, and SVG keeps ``<text>`` elements, not paths
    (:data:`VECTOR_TEXT`). TIFF is LZW-compressed (lossless). PostScript (.eps, .ps) has no
    transparency: shaded spans and probability ribbons come out opaque (matplotlib warns);
    PDF keeps them."""
    from matplotlib import rc_context

    from eegpt.output_files import atomic_write

    path = user_path(path)
    fmt = path.suffix.lstrip(".").lower() or None
    try:
        with rc_context(cast("Any", VECTOR_TEXT)):  # (the stubs type its keys as literals)
            # TIFF LZW-compressed (lossless): uncompressed, 2.9 MB at 120 dpi
            extra: dict[str, Any] = (
                {"pil_kwargs": {"compression": "tiff_lzw"}} if fmt in ("tif", "tiff") else {}
            )
            atomic_write(path, lambda fh: fig.savefig(fh, format=fmt, dpi=dpi, **extra))
    finally:
        pyplot_module().close(fig)
    return path


def _inline_backend() -> bool:
    """Whether pyplot draws into a notebook (matplotlib-inline's backend, Jupyter's default)."""
    return "inline" in pyplot_module().get_backend()


def _open_in_pyplot(fig: Figure) -> bool:
    """Whether ``fig`` itself (not another figure of its number) is still open in pyplot."""
    from matplotlib._pylab_helpers import Gcf

    return any(manager.canvas.figure is fig for manager in Gcf.get_all_fig_managers())


class _NotebookDisplay:
    """``fig._ipython_display_`` of a figure made here under the inline backend: IPython calls
    it before any other formatter, both for a cell's last value and for the figures that the
    inline backend draws at the end of a cell (``display(fig)`` of each figure still open).

    A figure still open in pyplot is closed there as it is drawn, so that it is drawn once in
    its cell: as the cell's value (``emb.plot()`` as the last line), or at the end of the cell
    (``emb.plot();``, ``fig = emb.plot()``, a loop). A closed figure, e.g. ``fig`` typed in a
    later cell, is drawn again. (Drawing nothing while the figure is open would not do: the
    cell's end draws open figures through this same hook.) A plain class, not a closure: a
    Figure pickles its ``__dict__``.
    """

    def __init__(self, fig: Figure) -> None:
        self.fig = fig

    def __call__(self) -> None:
        plt = pyplot_module()
        if _inline_backend() and _open_in_pyplot(self.fig):
            plt.close(self.fig)  # drawn now: the end of the cell draws only figures still open
        self._display()

    def _display(self) -> None:
        """IPython's usual display of the figure (its PNG), this hook set aside meanwhile."""
        from IPython.display import display

        hooks = vars(self.fig)
        hook = hooks.pop("_ipython_display_", None)
        try:
            display(self.fig)
        finally:
            if hook is not None:
                hooks["_ipython_display_"] = hook


def _shown(fig: Figure, show: bool, created: bool) -> Figure:
    """Show ``fig`` if asked. A figure made here (``created``) stays open in pyplot, for
    ``plt.show()``; in a notebook (the inline backend) it is also given a
    :class:`_NotebookDisplay`, so that it is drawn once in its cell whichever way it was called,
    and again where it is typed in a later cell. A caller's own figure is left as it is."""
    plt = pyplot_module()
    if created and _inline_backend():
        vars(fig)["_ipython_display_"] = _NotebookDisplay(fig)
    if show:
        plt.show()
    return fig


def _root_figure(ax: Axes) -> Figure:
    """The :class:`~matplotlib.figure.Figure` that ``ax`` is drawn in, also where ``ax`` is in
    a :class:`~matplotlib.figure.SubFigure` (whose ``figure`` is its parent, or the root)."""
    from matplotlib.figure import Figure

    fig = ax.figure
    while not isinstance(fig, Figure):
        fig = fig.figure
    return fig


def _figure(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """A new figure of ``size`` inches and its axes, or ``ax`` and the figure it is in."""
    plt = pyplot_module()
    if ax is None:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        return fig, ax
    return _root_figure(ax), ax


def _points(size: str | float) -> float:
    """A font size (points, or relative to ``rcParams["font.size"]``: "small", "medium" ...)
    in points."""
    from matplotlib.font_manager import FontProperties

    return float(FontProperties(size=size).get_size_in_points())


def _extent(ax: Axes) -> tuple[float, float]:
    """Width and height (points) of ``ax`` as placed now (before any layout engine runs), also
    in a :class:`~matplotlib.figure.SubFigure`."""
    box = ax.get_window_extent()  # pixels
    return box.width * 72 / ax.figure.dpi, box.height * 72 / ax.figure.dpi


def _wrap(text: str, width: float, fontsize: float, most: int = 100, hyphens: bool = False) -> str:
    """``text`` with its lines broken where longer than ``width`` points (or ``most``
    characters) in ``fontsize``, its own line breaks kept: at spaces, not at the hyphens of
    names (``sub-01_task-rest``) unless ``hyphens=True``; a word longer than a line is broken
    where it must be."""
    chars = max(20, min(most, int(width / (0.55 * fontsize))))
    return "\n".join(
        textwrap.fill(line, chars, break_on_hyphens=hyphens) for line in text.split("\n")
    )


def _short_lines(label: Any) -> str:
    """A class name or a legend's label in lines of at most 18 characters, for tick labels and
    legends."""
    return textwrap.fill(str(label), 18)


def _legend_clear_of_data(ax: Axes, **kwargs: Any) -> Legend:
    """A legend right of ``ax``, its top level with the axes' top, where it covers no data;
    inside the axes (``loc="best"``) if its figure has no layout engine (``layout=
    "constrained"``, as the figures made here) to make room for it there. ``kwargs`` go to
    :meth:`~matplotlib.axes.Axes.legend`."""
    if _root_figure(ax).get_layout_engine() is None:
        return ax.legend(loc="best", **kwargs)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, **kwargs)


def _mark_not_pretrained(fig: Figure, ax: Axes, created: bool) -> None:
    """Say on a figure of a random encoder that it is one: above a figure made here; in the
    axes given (``ax=``), where a figure title would run into the user's other plots, just
    above the axes' title (or their top), in red, over no data and no wider than the axes (in
    two lines, smaller, where it would be)."""
    if created:
        fig.suptitle(NOT_PRETRAINED_TITLE, color="tab:red")
        return
    mark = ax.annotate(
        NOT_PRETRAINED_TITLE, xy=(0.5, 1.0), xycoords=ax.title, xytext=(0, 1),
        textcoords="offset points", ha="center", va="bottom", color="tab:red", fontsize="small",
        wrap=True,
    )  # fmt: skip
    width = ax.get_window_extent().width  # pixels, as the text's extent
    if mark.get_window_extent().width > width:
        mark.set_text(NOT_PRETRAINED_TITLE.replace(" - ", "\n"))
        fit = 0.9 * width / mark.get_window_extent().width  # (text does not scale exactly)
        if fit < 1:
            mark.set_fontsize(mark.get_fontproperties().get_size_in_points() * fit)
