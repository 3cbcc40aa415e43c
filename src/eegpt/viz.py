"""Figures: which electrodes a recording gives EEGPT, its window embeddings over time, and how a
probe (or fine-tuning) trained and what it confuses.

Every function returns a :class:`matplotlib.figure.Figure` (drawn into ``ax`` / ``axes`` when
given) and calls ``plt.show()`` only with ``show=True``, as in MNE. As in MNE, a figure made here
stays open in pyplot until closed: :func:`save_figure` closes the figure it writes, so a loop
making many figures should save each one or ``plt.close(fig)`` it, or pyplot keeps them all in
memory. In a notebook (the inline backend) each figure made here is drawn once whichever way it
is called (as a cell's last line, with ``;``, assigned, in a loop), and again where the figure
is typed in a later cell (:class:`_NotebookDisplay`).

What the figures share (pyplot, showing and saving figures, text and legends) is in
``eegpt._viz_common``, their clock axes in ``eegpt._viz_clock``; matplotlib is imported only
when a figure is drawn.
"""

from __future__ import annotations

import datetime
import os
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from eegpt._filenames import user_path as user_path
from eegpt._logging import ignored_warnings
from eegpt._viz_clock import _clock_label, _clock_ticks, _zone
from eegpt._viz_common import NOT_PRETRAINED_TITLE as NOT_PRETRAINED_TITLE
from eegpt._viz_common import VECTOR_TEXT as VECTOR_TEXT
from eegpt._viz_common import (
    _extent,
    _figure,
    _legend_clear_of_data,
    _mark_not_pretrained,
    _points,
    _root_figure,
    _short_lines,
    _shown,
    _wrap,
)
from eegpt._viz_common import _NotebookDisplay as _NotebookDisplay
from eegpt._viz_common import pyplot_module as pyplot_module
from eegpt._viz_common import save_figure as save_figure
from eegpt.channels import ChannelMapping, left_out_text
from eegpt.vocabulary import (
    PRETRAINING_CHANNELS,
    UNSEEN_IN_PRETRAINING,
    VOCABULARY,
    montage_spelling,
    normalize_channel_name,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from eegpt.outputs import Embeddings
    from eegpt.probe import EEGPTProbe

__all__ = [
    "plot_channel_mapping",
    "plot_confusion_matrix",
    "plot_embeddings",
    "plot_hypnogram",
    "plot_training",
    "save_figure",
    "vocabulary_layout",
]

#: Colours of :func:`plot_channel_mapping`: used (trained embedding), used with an embedding
#: pretraining never trained, in the vocabulary but not in the recording, marked bad.
#: Used and untrained (Okabe-Ito's bluish green and orange) differ in lightness too, and the
#: untrained ones are ringed (:data:`EDGE_WIDTHS`), so that colour-blind readers tell them apart.
COLORS = {"used": "#009E73", "untrained": "#E69F00", "absent": "0.82", "bad": "#f4a6a6",
          "dropped": "#a6c8f4"}  # fmt: skip

#: Width of an electrode's edge, as a fraction of its diameter: the untrained ones are ringed,
#: the dropped ones' dashed edge thick enough to show its dashes.
EDGE_WIDTHS = {"untrained": 0.1, "dropped": 0.08}

#: What tells apart, also in grayscale, the electrodes of :func:`plot_channel_mapping` whose
#: colours are alike in lightness (absent grey, bad pink, dropped pale blue): bad ones (and
#: used ones marked bad) crossed by a hatch in a red edge, dropped ones a dashed edge.
ELECTRODE_STYLES: dict[str, dict[str, str]] = {
    "bad": {"hatch": "xx", "edge": "#b2182b"},
    "bad_used": {"hatch": "xx", "edge": "#b2182b"},
    "dropped": {"linestyle": "--", "edge": "0.2"},
}


#: Colour-blind-safe colours of up to 8 classes in :func:`plot_embeddings` (Okabe & Ito's
#: palette; its yellow, pale on white, and black last). More classes take matplotlib's
#: 'tab20' colours. Each class also has a marker (:data:`CLASS_MARKERS`, cycled from the first
#: class), so that classes differ in shape as well as colour.
CLASS_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442",
                "#000000")  # fmt: skip
CLASS_MARKERS = "os^Dv<>p"

#: Colours and line styles of the principal components over time (:func:`plot_embeddings`),
#: in order: Okabe-Ito's colours, the line styles and markers (:data:`CLASS_MARKERS`) differing
#: too, so that the components are told apart in grayscale and by colour-blind readers.
PC_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
             "#F0E442")  # fmt: skip
PC_LINESTYLES: tuple[Any, ...] = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)))

MAX_LISTED = 40  # left-out channels named in the figure (all of them: ChannelMapping.dropped)
MAX_RENAMED = 40  # the recording's own labels drawn under their electrodes, at most

#: Width (points) of the head in a figure made by :func:`plot_channel_mapping`.
HEAD_WIDTH = 6.0 * 72

#: Font sizes (points, at matplotlib's default font size of 10; in proportion to
#: ``rcParams["font.size"]``) of the head's title, its legend and its list of left-out channels.
HEAD_FONTS = {"title": 9.0, "legend": 7.0, "listed": 6.0}

#: What the head takes in data units: ``((x0, x1), (y0, y1))``, nose included.
HEAD_LIMITS = ((-0.02, 1.02), (0.0, 1.08))

#: Largest electrode marker, in data units (most electrodes are farther from their nearest one).
ELECTRODE_ROOM = 0.052


def vocabulary_layout() -> dict[str, tuple[float, float]]:
    """2-D positions (head radius ~0.5 around (0.5, 0.5), nose up) of the 62 EEGPT vocabulary
    channels, from MNE's template 10-05 montage projected as for topographic maps."""
    import mne

    with ignored_warnings(FutureWarning):  # 'standard_1005' is deprecated in MNE >= 1.13
        builtin = mne.channels.get_builtin_montages()
        name = "colin27_1005" if "colin27_1005" in builtin else "standard_1005"
        montage = mne.channels.make_standard_montage(name)
    by_upper = {ch.upper(): ch for ch in montage.ch_names}
    ch_names = [by_upper[name] for name in VOCABULARY]
    info = mne.create_info(ch_names, 256.0, "eeg")
    info.set_montage(montage, verbose="error")
    layout = mne.channels.make_eeg_layout(info)
    xy = layout.pos[:, :2] + layout.pos[:, 2:] / 2
    xy -= xy[VOCABULARY.index("CZ")]  # centre on the vertex, outermost electrodes near the rim
    xy *= 0.45 / np.abs(xy).max()
    return {
        name: (0.5 + float(x), 0.5 + float(y)) for name, (x, y) in zip(VOCABULARY, xy, strict=True)
    }


def plot_channel_mapping(
    mapping: ChannelMapping | Embeddings | dict[str, Any],
    *,
    bads: Sequence[str] = (),
    left_out: Mapping[str, str] | None = None,
    show_absent: bool = True,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
    show: bool = False,
) -> Figure:
    """Draw the 62 EEGPT vocabulary channels on a head, named as montages spell them (Fp1,
    Fz, POz): the ones this recording gives the model (green; orange and ringed where
    pretraining never trained that channel's embedding; crossed in red where the recording
    marks it bad although the mapping uses it), the ones it lacks (grey), the ones it has but
    that are not used (red and crossed where marked bad; blue with a dashed edge where left
    out on purpose), each used channel labelled with its name in the recording when that
    differs (when at most 40 differ: more would crowd the head; the mapping's table lists
    them), and the recording's channels that were left out.

    Parameters
    ----------
    mapping : ChannelMapping | Embeddings | dict
        A mapping (:func:`eegpt.channels.map_channels`), embeddings whose metadata holds one,
        or a mapping's :meth:`~eegpt.channels.ChannelMapping.to_dict`.
    bads : sequence of str
        The recording's channels marked bad (``raw.info["bads"]``): drawn in red and crossed
        where their names map to the vocabulary (a used one keeps its colour, crossed in red:
        never shown as a clean used channel). For ``Embeddings``, also those their metadata
        records as left out for being bad (``metadata["left_out"]``), whose other left-out
        channels (other types) are counted and listed too.
    left_out : Mapping[str, str] | None
        The recording's channels not read, each with why (``"bad"``, its type ``"eog"``,
        ``"not kept"``), as ``metadata["left_out"]`` of embeddings holds them (the default
        for ``Embeddings``): counted and listed with the left-out channels; ``"bad"`` ones
        are also ``bads``.
    show_absent : bool
        Draw the vocabulary electrodes the recording lacks (grey); False: only the
        recording's own (a 19-channel montage's head is then not dominated by 43 grey ones).
    ax : matplotlib Axes | None
        Where to draw; a new figure when None. The head is fitted to the axes' size at the
        time of the call, the legend under it or, in a wide axes, beside it, and the title
        inside the axes (so that no layout cuts it off); in a small axes this text is
        smaller, down to 60% of its size. The electrodes and their names are sized when
        drawn, to the head as the axes then are (after any layout): each electrode clear of
        its nearest neighbour.
    title : str | None
        Default: how many channels are used and left out; ``""``: no title.
    source : str | None
        The recording, named at the start of the default title (that of ``Embeddings`` when
        not given).
    show : bool
        Call ``plt.show()``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    meta = getattr(mapping, "metadata", None) or {}  # of Embeddings
    source = source or meta.get("source")
    if left_out is None:  # channels not read: bad, or another type
        left_out = meta.get("left_out") or {}
    left_out = dict(left_out)
    bads = [*bads, *(name for name, why in left_out.items() if why == "bad")]
    mapping = _as_mapping(mapping)
    created = ax is None
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Polygon

    used = dict(zip(mapping.names, mapping.input_names, strict=True))
    labels = _short_labels(used)  # the recording's own labels, where they say more than the name
    renamed = list(labels)
    marked = {normalize_channel_name(n) for n in bads} - {None}
    bad = marked - set(used)
    bad_used = marked & set(used)  # marked bad, yet the mapping uses them: crossed
    # read, but left out on purpose (rename={name: None}, --drop)
    dropped = {normalize_channel_name(n) for n in mapping.dropped} - {None} - set(used) - bad
    named = [*mapping.dropped, *left_out_text(left_out)]
    # not in the recording at all, as the legend's "not in the recording": not the ones
    # marked bad or left out on purpose, which are in it
    missing58 = [n for n in PRETRAINING_CHANNELS if n not in used and n not in bad | dropped]
    if title is None:
        title = (
            f"{len(mapping)} of EEGPT's {len(VOCABULARY)} channels used, {len(missing58)} of "
            f"its 58 pretraining\nchannels not in the recording; {len(named)} of the recording's "
            f"{len(mapping) + len(named)} channels left out"
        )
        if source:
            title = f"{Path(str(source)).name}\n{title}"
    counts = {
        "used": sum(n not in UNSEEN_IN_PRETRAINING and n not in bad_used for n in used),
        "untrained": sum(n in UNSEEN_IN_PRETRAINING and n not in bad_used for n in used),
        "bad_used": len(bad_used),
        "absent": (len(VOCABULARY) - len(used) - len(bad) - len(dropped)) if show_absent else 0,
        "bad": len(bad),
        "dropped": len(dropped),
    }
    what = {
        "used": "used",
        "untrained": "used, embedding untrained in pretraining",
        "bad_used": "used, but marked bad in the recording",
        "absent": "not in the recording",
        "bad": "marked bad in the recording, not used",
        "dropped": "in the recording, left out",
    }
    key_rows = [(k, f"{what[k]} ({n})") for k, n in counts.items() if n]  # no empty rows
    # the text keeps readable sizes, the head gets the room left (the legend under it, or
    # beside it in a wide axes) and its electrodes are scaled to it, so that they never overlap
    width, height = (HEAD_WIDTH + 0.4 * 72, np.inf) if ax is None else _extent(ax)
    # smaller in a small axes, down to 60% of the sizes in a figure made here
    scale = float(np.clip(min(width / 300, height / 220), 0.6, 1.0))
    scale *= _points("medium") / 10  # rcParams["font.size"]
    fonts = {what: scale * size for what, size in HEAD_FONTS.items()}
    listed = _listing(named, width, fonts["listed"])
    title = _wrap(title, width, fonts["title"])
    above = _text_height(title, fonts["title"]) + 4 if title else 0.0
    under = _text_height(listed, fonts["listed"]) + 4 if listed else 0.0
    if ax is None:  # created here: a figure as tall as what it shows
        unit = HEAD_WIDTH / _span(HEAD_LIMITS[0])
        key_height = _key_size([label for _, label in key_rows], fonts["legend"])[1]
        height = _span(HEAD_LIMITS[1]) * unit + above + key_height + under
        fig = pyplot_module().figure(figsize=(width / 72, height / 72 / 0.98))
        ax = fig.add_axes((0.0, 0.01, 1.0, 0.98))
    fig = _root_figure(ax)
    key_labels = [label for _, label in key_rows]
    unit, beside, key_labels = _head_layout(ax, key_labels, fonts["legend"], above, under)
    pos = vocabulary_layout()
    ax.add_patch(Circle((0.5, 0.5), 0.5, fill=False, lw=1.5, color="0.3"))
    ax.add_patch(Polygon([(0.45, 0.99), (0.5, 1.06), (0.55, 0.99)], closed=False, fill=False,
                         lw=1.5, color="0.3"))  # fmt: skip
    sizer = _electrode_sizer(unit)
    sizes = _electrode_sizes(pos)
    for name in VOCABULARY:
        x, y = pos[name]
        kind = (
            "bad" if name in bad
            else "dropped" if name in dropped
            else "absent" if name not in used
            else "bad_used" if name in bad_used
            else "untrained" if name in UNSEEN_IN_PRETRAINING
            else "used"
        )  # fmt: skip
        if kind == "absent" and not show_absent:
            continue
        size = sizes[name]  # diameter, data units
        style = ELECTRODE_STYLES.get(kind, {})
        face = (
            COLORS["untrained" if name in UNSEEN_IN_PRETRAINING else "used"]
            if kind == "bad_used"
            else COLORS[kind]
        )
        dot = ax.scatter([x], [y], s=(size * unit) ** 2, color=face,
                         edgecolors=style.get("edge", "0.25"),
                         linewidths=EDGE_WIDTHS.get(kind, 0.04) * size * unit,
                         linestyles=style.get("linestyle", "solid"), hatch=style.get("hatch"),
                         zorder=2)  # fmt: skip
        sizer.markers.append((dot, size, EDGE_WIDTHS.get(kind, 0.04) * size))
        shown = montage_spelling(name)
        text = ax.text(x, y, shown, ha="center", va="center", zorder=3,
                       fontsize=size * unit * (0.46 if len(shown) < 3 else 0.38),
                       color="0.45" if kind in ("absent", "dropped") else "0.15" if kind == "bad" else "black")  # fmt: skip
        sizer.texts.append((text, size * (0.46 if len(shown) < 3 else 0.38)))
        if name in renamed and len(renamed) <= MAX_RENAMED:  # the recording's own label
            text = ax.text(x, y - 0.032, labels[name], ha="center", va="top",
                           fontsize=0.4 * size * unit, color="0.2", zorder=3)  # fmt: skip
            sizer.texts.append((text, 0.4 * size))
    ax.add_artist(sizer)
    legend = []
    for (k, _), label in zip(key_rows, key_labels, strict=True):
        style = ELECTRODE_STYLES.get(k, {})
        ms = 1.15 * fonts["legend"]
        legend.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=ms,
                mfc=COLORS["used"] if k == "bad_used" else COLORS[k],
                mec=style.get("edge", "0.25"),
                mew=EDGE_WIDTHS.get(k, 0.04) * ms,
                label=label,
            )  # fmt: skip
        )
    handler_map = {h: _hatched_marker(ELECTRODE_STYLES[k]) for (k, _), h in
                   zip(key_rows, legend, strict=True) if k in ELECTRODE_STYLES}  # fmt: skip
    (x0, x1), (y0, y1) = HEAD_LIMITS
    if beside:  # at the head's lower right, the left-out channels listed under the head
        key = ax.legend(handles=legend, loc="lower left", bbox_to_anchor=(x1, y0),
                        bbox_transform=ax.transData, fontsize=fonts["legend"],
                        frameon=False, borderaxespad=0, handler_map=handler_map)  # fmt: skip
        right, bottom = _key_size(key_labels, fonts["legend"])[0] / unit, y0 - under / unit
        listed_at: dict[str, Any] = {"xy": (0.5, y0), "xycoords": ("axes fraction", "data")}
    else:  # under the head, the left-out channels listed under it
        key = ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, y0),
                        bbox_transform=ax.transData, fontsize=fonts["legend"],
                        frameon=False, handler_map=handler_map)  # fmt: skip
        right, bottom = 0.0, y0 - (_key_size(key_labels, fonts["legend"])[1] + under) / unit
        listed_at = {"xy": (0.5, 0.0), "xycoords": key}
    if listed:
        ax.annotate(listed, **listed_at, xytext=(0, -2), textcoords="offset points",
                    ha="center", va="top", fontsize=fonts["listed"])  # fmt: skip
    # the title hangs from the top of the axes, in the room kept for it: never off the figure
    ax.set_title(title, fontsize=fonts["title"], y=1.0, pad=0, va="top")
    ax.set(xlim=(x0, x1 + right), ylim=(bottom, y1 + above / unit), aspect="equal")
    ax.axis("off")
    return _shown(fig, show, created)


def _span(limits: tuple[float, float]) -> float:
    return limits[1] - limits[0]


def _text_height(text: str, fontsize: float) -> float:
    """Height (points) of ``text`` set in ``fontsize``, one line per line break."""
    return (text.count("\n") + 1) * 1.25 * fontsize


def _listing(named: Sequence[str], width: float, fontsize: float) -> str:
    """The recording's channels left out, as text broken into lines ``width`` points wide
    in ``fontsize`` (at most 40 named, the rest counted)."""
    if not named:
        return ""
    # no line break inside a name ("EEG 007"): its spaces made non-breaking
    shown = ", ".join(n.replace(" ", "\u00a0") for n in named[:MAX_LISTED])
    more = len(named) - MAX_LISTED
    text = f"left out of the recording ({len(named)}): {shown}"
    text += f", ... and {more} more" if more > 0 else ""
    return _wrap(text, width, fontsize, hyphens=False)  # "EEG AFz-Ref" whole


def _key_size(labels: Sequence[str], size: float) -> tuple[float, float]:
    """About the width and height (points) of the head's legend of ``labels`` in font
    ``size``."""
    lines = [line for label in labels for line in label.split("\n")]
    width = (0.6 * max(map(len, lines)) + 3.0) * size
    return width, (1.25 * len(lines) + 0.5 * len(labels) + 0.8) * size


def _head_layout(
    ax: Axes, labels: Sequence[str], fontsize: float, above: float, under: float
) -> tuple[float, bool, list[str]]:
    """Where the head's legend of ``labels`` goes in ``ax``, and how large the head is drawn:
    ``(points per data unit, whether the legend is beside the head, its labels)``.

    The legend goes under the head, or beside it (its labels wrapped) where that leaves the
    head more room; ``above`` and ``under`` are the points of text over and under them. The
    axes' extent is read now: a layout that later grows the axes leaves more room around.
    """
    width, height = _extent(ax)
    wide, tall = _span(HEAD_LIMITS[0]), _span(HEAD_LIMITS[1])
    key_height = _key_size(labels, fontsize)[1]
    under_it = min(width / wide, (height - above - key_height - under) / tall)
    wrapped = [textwrap.fill(label, 28) for label in labels]
    key_width, key_height = _key_size(wrapped, fontsize)
    beside_it = min((width - key_width) / wide, (height - above - under) / tall)
    if beside_it > under_it and key_height <= beside_it * tall:
        return max(beside_it, 1.0), True, wrapped
    return max(under_it, 1.0), False, list(labels)


def _electrode_sizes(pos: dict[str, tuple[float, float]]) -> dict[str, float]:
    """Diameter (data units) of each electrode's marker: clear of its nearest neighbour (a
    gap of 14% of their distance, so that F6 and F8 do not touch), those in the crowded rows
    (PO7, PO5) a little smaller."""
    xy = np.array(list(pos.values()))
    dist = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))
    np.fill_diagonal(dist, np.inf)
    room = np.minimum(dist.min(axis=1), ELECTRODE_ROOM)
    return dict(zip(pos, (0.86 * room).tolist(), strict=True))


def _electrode_sizer(unit: float) -> Any:
    """An artist that draws nothing, drawn first in its axes: it sizes the electrodes' markers,
    edges and names (given in data units) to the points per data unit of the axes as drawn,
    after any layout, so that a head drawn into an axes that a layout later grows has its
    names grow with it rather than keep the sizes of the call."""
    from matplotlib.artist import Artist

    class ElectrodeSizer(Artist):
        def __init__(self) -> None:
            super().__init__()
            self.unit = unit  # points per data unit the sizes were set for
            self.markers: list[tuple[Any, float, float]] = []  # (scatter, diameter, edge)
            self.texts: list[tuple[Any, float]] = []  # (text, font size), data units
            self.set_zorder(-1e9)
            self.set_in_layout(False)

        def draw(self, renderer: Any) -> None:
            ax = self.axes
            if ax is None or not self.get_visible():
                return
            (x0, _), (x1, _) = ax.transData.transform([(0.0, 0.0), (1.0, 0.0)])
            unit = abs(x1 - x0) / renderer.points_to_pixels(1.0)
            if np.isclose(unit, self.unit, rtol=1e-3):
                return  # unchanged: setting nothing, so that a drawn figure stays drawn
            self.unit = unit
            for dot, diameter, edge in self.markers:
                dot.set_sizes([(diameter * unit) ** 2])
                dot.set_linewidths([edge * unit])
            for text, size in self.texts:
                text.set_fontsize(size * unit)
            self.stale = False

    return ElectrodeSizer()


def _hatched_marker(style: dict[str, str]) -> Any:
    """A legend handler drawing a handle (a ``Line2D`` of one round marker) as a circle with
    the hatch, edge colour and line style of ``style`` (:data:`ELECTRODE_STYLES`), which
    markers of lines cannot have."""
    from matplotlib.legend_handler import HandlerBase
    from matplotlib.patches import Circle

    class HatchedMarker(HandlerBase):
        def create_artists(
            self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans
        ):
            radius = orig_handle.get_markersize() / 2
            dot = Circle((width / 2 - xdescent, height / 2 - ydescent), radius,
                         facecolor=orig_handle.get_markerfacecolor(),
                         edgecolor=style.get("edge", "0.25"),
                         linewidth=max(orig_handle.get_markeredgewidth(), 0.5),
                         linestyle=style.get("linestyle", "solid"),
                         # denser than on the electrodes: a small handle shows a full cross
                         hatch=style["hatch"] * 2 if style.get("hatch") else None,
                         transform=trans)  # fmt: skip
            return [dot]

    return HatchedMarker()


def _short_labels(used: dict[str, str]) -> dict[str, str]:
    """Vocabulary name -> the recording's label, for the labels that say more than the name:
    with the part every label shares taken off (``EEG T3-REF`` -> ``T3``; TUH-style labels would
    not fit under the electrodes) and left out where what remains is the name itself."""
    given = list(used.values())
    prefix = os.path.commonprefix(given) if len(given) > 1 else ""
    suffix = os.path.commonprefix([g[::-1] for g in given])[::-1] if len(given) > 1 else ""
    # whole parts only: up to a separator ('Fp1', 'Fp2' share no part, 'EEG Fp1-REF' ...)
    prefix = prefix[: max(prefix.rfind(c) for c in " -_.") + 1]
    cut = [i for i in (suffix.find(c) for c in " -_.") if i >= 0]
    suffix = suffix[min(cut) :] if cut else ""
    out = {}
    for name, label in used.items():
        core = label[len(prefix) : len(label) - len(suffix)].strip(" -_.") or label
        if core.upper() != name:
            out[name] = core
    return out


def _as_mapping(mapping: Any) -> ChannelMapping:
    if isinstance(mapping, ChannelMapping):
        return mapping
    meta = getattr(mapping, "metadata", None)
    if isinstance(meta, dict):
        if "channels" not in meta:
            raise ValueError("these embeddings carry no channel mapping in their metadata")
        mapping = meta["channels"]
    if isinstance(mapping, dict):
        return ChannelMapping.from_dict(mapping)
    raise TypeError(
        f"expected a ChannelMapping, Embeddings or a mapping dict, got {type(mapping).__name__}"
    )


def plot_embeddings(
    embeddings: Embeddings,
    *,
    spans: Sequence[tuple[float, float]] | str | Sequence[str] | None = None,
    span_label: str = "",
    components: int = 2,
    class_order: Sequence[Any] | None = None,
    colors: dict[Any, Any] | None = None,
    time: str = "onset",
    tz: datetime.tzinfo | str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    show: bool = False,
) -> Figure:
    """The first principal components of the window embeddings (mean over patches and summary
    tokens) against window onset: slow changes of state show as drifts, events as jumps.
    Each point is a window at its onset (its start, not its centre); the lines break where
    windows are missing (left out, or a gap in an EDF+D file), and each component has its own
    colour (Okabe-Ito), line style and marker, told apart in grayscale too.

    Embeddings of labelled epochs (``metadata["labels"]``, from ``mne.Epochs``) are drawn as
    PC 1 against PC 2 instead, one colour per label: whether the classes separate; epochs over
    annotations marked bad are ringed red.

    Parameters
    ----------
    embeddings : Embeddings
        Of one recording (:meth:`eegpt.EEGPT.embed`, :func:`eegpt.load_embeddings`).
    spans : str | sequence of str | sequence of (start, stop) seconds | None
        What to shade grey: annotation descriptions (``"task"``, or several: the windows they
        overlap, from :attr:`Embeddings.annotations`), or time spans in the time base of the
        onsets -- for a Raw, seconds from its first sample, i.e. annotation onsets minus
        ``raw.first_time``. Windows over annotations marked bad (:attr:`Embeddings.bad`) are
        shaded red, and windows left out by ``reject_by_annotation`` are ticked red below the
        lines, which break there.
    span_label : str
        What the shaded spans are, for the legend (default: the description given as
        ``spans``).
    components : int
        How many components to draw (at most the number of windows and of features).
    class_order : sequence | None
        Labelled epochs: the classes in the order of the legend and of the colours (all the
        epochs' labels among them; the ones without epochs keep their colour but are not
        listed). Default: the labels sorted. Colours go by this order, not the epochs', so a
        class keeps its colour in every figure of the same classes: colour-blind-safe ones
        (:data:`CLASS_COLORS`, Okabe-Ito) up to 8 classes, 'tab20' beyond, and a marker of
        its own (:data:`CLASS_MARKERS`, cycled from the first class). The legend takes more
        columns (and the figure more room) for many classes.
    colors : dict | None
        Labelled epochs: class -> matplotlib colour, for some or all classes.
    time : {"onset", "min", "h", "clock"}
        The x axis: ``"onset"`` (default), window onsets from the first sample (as
        :attr:`Embeddings.onsets`) in seconds, so that seconds drawn on the returned axes
        (``ax.axvline(onset_s)``) fall in place; ``"min"`` or ``"h"``, the same onsets in
        minutes or hours (for long recordings; ``spans`` are still given in seconds, and
        converted); ``"clock"``, the onsets' clock time on the recording's clock
        (:meth:`Embeddings.clock_times`, ``absolute=True``: needs the recording's measurement
        date; an EDF+D file's gaps are left blank). MNE labels that clock UTC, but an EDF/BDF
        header holds the lab's wall clock, so the axis claims no zone ("recording clock"),
        as :func:`plot_hypnogram`'s.
    tz : datetime.tzinfo | str | None
        With ``time="clock"``, where the recording's clock is truly UTC (a recording whose
        zone is known): the zone to show it in (``zoneinfo.ZoneInfo("Europe/Berlin")``,
        ``"UTC"``), named in the axis label, as :func:`plot_hypnogram`'s ``tz``. Refused
        for a recording whose dates are a header's local wall clock (``metadata["clock"]``
        ``"local"``: EDF, BDF ...), which no zone converts.
    ax, title, show
        As in :func:`plot_channel_mapping`. The default title names the file the embeddings
        come from (a long name shortened in its middle, ``...``), or says they were made in
        memory.

    Raises
    ------
    ValueError
        Where some windows' embeddings are not finite (NaN or infinite: embeddings loaded
        from a file or made elsewhere): the message counts them and names the first, and
        ``emb[np.isfinite(emb.pooled()).all(axis=1)]`` leaves them out. They are refused, not
        dropped, so that a figure never leaves windows out unsaid.

    Returns
    -------
    matplotlib.figure.Figure
    """
    created = ax is None
    if time not in ("onset", "min", "h", "clock"):
        raise ValueError(f"time must be 'onset', 'min', 'h' or 'clock', got {time!r}")
    if tz is not None and time != "clock":
        raise ValueError(f"tz applies to time='clock' (the recording's clock), not {time!r}")
    if tz is not None and embeddings.metadata.get("clock") == "local":
        raise ValueError(
            "tz converts a clock kept in UTC, but this recording's dates are its header's local "
            "wall clock (metadata['clock'] == 'local': EDF, BDF, BrainVision, Nihon Kohden), in no zone "
            "eegpt knows: leave tz out, and the axis shows that clock as it is"
        )
    pooled = np.asarray(embeddings.pooled("mean"), dtype=np.float64)
    if len(pooled) < 2:
        raise ValueError(f"principal components need at least 2 windows, got {len(pooled)}")
    _refuse_not_finite(embeddings, pooled)
    k = max(1, min(components, *pooled.shape))
    centred = pooled - pooled.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    scores = centred @ vt[:k].T
    explained = s[:k] ** 2 / max(float((s**2).sum()), np.finfo(float).tiny)
    source = _recording_name(embeddings)
    labels = embeddings.metadata.get("labels")
    if labels is not None and k >= 2:
        labels = np.asarray(labels)
        styles = _class_styles(labels, class_order, colors)
        entries = [f"{_short_lines(c)} ({int(np.sum(labels == c))})" for c in styles
                   if np.any(labels == c)]  # fmt: skip
        bad = embeddings.bad
        if bad.any():
            entries.append(f"over bad annotations ({int(bad.sum())})")
        ncols, size = _legend_columns(entries)
        fig, ax = _figure(ax, size)
        for label, (color, marker) in styles.items():
            at = labels == label
            if at.any():
                ax.scatter(scores[at, 0], scores[at, 1], s=14, alpha=0.8, color=color,
                           marker=marker, label=f"{_short_lines(label)} ({int(at.sum())})")  # fmt: skip
        if bad.any():  # epochs over annotations marked bad: ringed
            ax.scatter(scores[bad, 0], scores[bad, 1], s=60, facecolors="none",
                       edgecolors="tab:red", linewidths=1.2,
                       label=f"over bad annotations ({int(bad.sum())})")  # fmt: skip
        ax.set(xlabel=f"PC 1 ({_share(explained[0])} of variance)",
               ylabel=f"PC 2 ({_share(explained[1])} of variance)")  # fmt: skip
        _few_short_ticks(ax)
        if title is None:
            title = f"EEGPT epoch embeddings{f' of {_fitted(source, ax)}' if source else ''}"
        ax.set_title(title, wrap=True)  # in lines where wider than the figure
        _legend_clear_of_data(ax, fontsize="small", title="label", title_fontsize="small",
                              ncols=ncols)  # fmt: skip
        return _finish(fig, ax, embeddings, show, created)
    fig, ax = _figure(ax, (9.0, 3.6))
    to_x, xlabel = _time_axis(embeddings, time, tz)
    shaded: Sequence[tuple[float, float]] = ()
    if isinstance(spans, str) or (spans and all(isinstance(s, str) for s in spans)):
        names = [spans] if isinstance(spans, str) else list(cast("Sequence[str]", spans))
        span_label = span_label or ", ".join(names)
        over = np.array([any(n in descs for n in names) for descs in embeddings.annotations])
        if not over.any():
            known = sorted({d for descs in embeddings.annotations for d in descs})
            wanted = names[0] if len(names) == 1 else names
            raise ValueError(
                f"no window has an annotation {wanted!r}; the windows' annotations are "
                f"{known[:10] if known else 'none'}"
            )
        shaded = _window_spans(embeddings, over.astype(bool))
    elif spans:  # (start, stop) pairs
        shaded = cast("Sequence[tuple[float, float]]", spans)
    for i, (lo, hi) in enumerate(shaded):
        ax.axvspan(*to_x([lo, hi]), color="0.88", zorder=0,
                   label=span_label if i == 0 and span_label else None)  # fmt: skip
    bad = embeddings.bad
    for i, (lo, hi) in enumerate(_window_spans(embeddings, bad)):
        ax.axvspan(*to_x([lo, hi]), color="tab:red", alpha=0.15, lw=0, zorder=0,
                   label=f"over bad annotations ({int(bad.sum())})" if i == 0 else None)  # fmt: skip
    x, scores = _break_at_gaps(embeddings, to_x(embeddings.onsets), scores)
    every = 1 if len(embeddings) <= 100 else len(embeddings) // 40  # markers to tell lines apart
    for i in range(k):
        ax.plot(x, scores[:, i], color=PC_COLORS[i % len(PC_COLORS)],
                ls=PC_LINESTYLES[i % len(PC_LINESTYLES)],
                marker=CLASS_MARKERS[i % len(CLASS_MARKERS)], ms=3.5, lw=1, markevery=every,
                label=f"PC {i + 1} ({_share(explained[i])} of variance)")  # fmt: skip
    left_out = embeddings.metadata.get("rejected_by_annotation") or []
    if left_out:
        ax.plot(to_x(left_out), np.full(len(left_out), np.nanmin(scores[:, :k])), "|",
                color="tab:red", ms=8,
                label=f"left out: bad annotations ({len(left_out)})")  # fmt: skip
    ax.set(xlabel=xlabel, ylabel="PC score")
    if time == "clock":
        _clock_ticks(ax, tz, show_offset=False)  # the date is in the x label already
    if title is None:
        title = f"EEGPT window embeddings{f' of {_fitted(source, ax)}' if source else ''}"
    ax.set_title(title, wrap=True)  # in lines where wider than the figure
    _legend_clear_of_data(ax, fontsize="small")
    return _finish(fig, ax, embeddings, show, created)


def _few_short_ticks(ax: Axes) -> None:
    """At most 5 ticks on each axis of ``ax``, their labels of a few digits (a power of ten
    as the axis' offset for small or large values), so that they do not run into each other."""
    from matplotlib.ticker import MaxNLocator

    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(4))
    ax.ticklabel_format(style="sci", scilimits=(-2, 3), useMathText=True)


def _class_styles(
    labels: np.ndarray,
    class_order: Sequence[Any] | None = None,
    colors: dict[Any, Any] | None = None,
) -> dict[Any, tuple[Any, str]]:
    """Class -> (colour, marker) for the epochs' ``labels`` (shape (n_epochs,)), in the order
    of the legend: ``class_order``, or the classes sorted. Colours follow that order, not the
    epochs' (:data:`CLASS_COLORS`; 'tab20' beyond 8 classes; the markers cycled from the first
    class), so that a class keeps its style from one figure to the next; ``colors`` overrides
    some."""
    present = np.unique(labels).tolist()
    if class_order is None:
        classes = present
    else:
        classes = list(dict.fromkeys(np.asarray(class_order).tolist()))
        missing = [c for c in present if c not in classes]
        if missing:
            raise ValueError(f"class_order lacks the epochs' labels {missing}; it has {classes}")
    if len(classes) <= len(CLASS_COLORS):
        palette: list[Any] = list(CLASS_COLORS)
    else:
        from matplotlib import colormaps

        # tab20 is a ListedColormap; the stubs type colormaps[...] as a Colormap, without colors
        palette = list(colormaps["tab20"].colors)  # type: ignore[attr-defined]
    colors = colors or {}
    return {
        c: (colors.get(c, palette[i % len(palette)]),
            CLASS_MARKERS[i % len(CLASS_MARKERS)])
        for i, c in enumerate(classes)
    }  # fmt: skip


def _window_length(embeddings: Embeddings) -> tuple[float, float]:
    """``(length, hop)`` of the windows in seconds, from the provenance (4 s, 4 s if absent)."""
    pre = embeddings.metadata.get("preprocessing") or {}
    length = float(pre.get("window_seconds", 4.0))
    return length, length - float(pre.get("overlap", 0.0))


def _window_spans(embeddings: Embeddings, mask: np.ndarray) -> list[tuple[float, float]]:
    """The time spans covered by the windows in ``mask``, touching ones merged."""
    length, _ = _window_length(embeddings)
    spans: list[tuple[float, float]] = []
    for onset in np.asarray(embeddings.onsets)[mask]:
        if spans and onset <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], onset + length))
        else:
            spans.append((float(onset), float(onset + length)))
    return spans


def _break_at_gaps(
    embeddings: Embeddings, x: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``x`` (the windows' places on the x axis) and scores with a blank row (NaN, NaT)
    wherever windows are missing: left out by annotation, or a gap of an EDF+D file (on the
    recording's clock, :meth:`Embeddings.clock_times`, though MNE's onsets run on across it),
    so that lines are not drawn across the gap."""
    onsets = embeddings.clock_times()
    _, hop = _window_length(embeddings)
    gaps = np.flatnonzero(np.diff(onsets) > 1.5 * hop) + 1
    if len(gaps) == 0:
        return x, scores
    blank = np.datetime64("NaT") if np.issubdtype(x.dtype, np.datetime64) else np.nan
    nan_row = np.full((1, scores.shape[1]), np.nan)
    return (
        np.insert(x, gaps, blank),
        np.insert(scores, gaps, nan_row, axis=0),
    )


def _time_axis(
    embeddings: Embeddings, time: str, tz: datetime.tzinfo | str | None = None
) -> tuple[Any, str]:
    """``(seconds -> x, the x axis' label)``: seconds in the time base of the onsets to where
    they go on the x axis of :func:`plot_embeddings` (``time`` and ``tz`` as there): seconds,
    minutes or hours, or moments on the recording's clock (naive datetime64, as UTC; ``tz``
    only names the zone of the label's start, the ticks are put in it by
    :func:`_clock_ticks`)."""
    meta = embeddings.metadata
    if time == "clock":
        from eegpt.outputs import clock_moments

        embeddings.clock_times(absolute=True)  # a clear error where there is no date
        clock = None
        if meta.get("record_clock"):
            from eegpt.edf_files import RecordClock

            clock = RecordClock.from_dict(meta["record_clock"])

        def moments(seconds: Any) -> np.ndarray:
            # on the recording's own clock (naive, taken as UTC by matplotlib) even where tz
            # is given: a zone's daylight-saving shift would fold or tear the timeline; tz
            # applies to the tick labels only
            return clock_moments(np.asarray(seconds, dtype=np.float64), meta["meas_date"],
                                 meta.get("first_time"), clock)  # fmt: skip

        start = moments(embeddings.onsets[:1]).astype("datetime64[us]")[0].astype(object)
        if tz is not None:  # the clock taken as UTC, its start named in the zone
            start = start.replace(tzinfo=datetime.timezone.utc).astimezone(_zone(tz))
        return moments, f"window onset, {_clock_label(tz, start)}"
    scale = {"onset": 1.0, "min": 60.0, "h": 3600.0}[time]

    def scaled(seconds: Any) -> np.ndarray:
        return np.asarray(seconds, dtype=np.float64) / scale

    return scaled, f"window onset ({'s' if time == 'onset' else time})"


def _share(fraction: float) -> str:
    """A fraction of variance in percent, ``"<1%"`` rather than ``"0%"`` where not zero."""
    percent = 100 * float(fraction)
    return "<1%" if 0 < percent < 1 else f"{percent:.0f}%"


def _refuse_not_finite(embeddings: Embeddings, pooled: np.ndarray) -> None:
    """Raise a ValueError naming the windows whose embeddings are not finite (NaN or
    infinite): principal components of them are undefined (numpy's SVD fails)."""
    bad = np.flatnonzero(~np.isfinite(pooled).all(axis=1))
    if len(bad) == 0:
        return
    onsets = np.asarray(embeddings.onsets, dtype=np.float64)[bad]
    shown = ", ".join(f"{i} ({o:g} s)" for i, o in zip(bad[:5], onsets[:5], strict=True))
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    raise ValueError(
        f"{len(bad)} of {len(pooled)} windows have embeddings that are not finite (NaN or "
        f"infinite), so their principal components are undefined: windows {shown}{more} "
        "(index, onset). Leave them out: emb[np.isfinite(emb.pooled()).all(axis=1)]"
    )


def _recording_name(embeddings: Embeddings) -> str:
    """What the embeddings are of, for a title: the file's name (with how many more files a
    recording of several had), ``"40 epochs in memory"``, ``"a recording in memory"``, or ""
    where unknown."""
    source = str(embeddings.metadata.get("source") or "")
    if source.startswith("<") and source.endswith(">"):  # made in memory: "<Epochs>" ...
        inner = source[1:-1]
        if inner == "Epochs":
            return f"{len(embeddings)} epochs in memory"
        return {"Raw": "a recording in memory", "array": "an array"}.get(inner, inner)
    name = _file_name(source)
    more = len(embeddings.sources) - 1
    return f"{name} and {more} more file{'s' if more > 1 else ''}" if more > 0 else name


def _fitted(name: str, ax: Axes) -> str:
    """``name`` shortened in its middle (``...``) to fit in one line of a title over ``ax``:
    a title wraps at spaces only, and a long file name has none."""
    chars = max(20, int(0.8 * _extent(ax)[0] / (0.55 * _points("large"))))
    if len(name) <= chars:
        return name
    head = (chars - 3) // 2
    return f"{name[:head]}...{name[len(name) - (chars - 3 - head) :]}"


def _legend_columns(entries: Sequence[str]) -> tuple[int, tuple[float, float]]:
    """``(columns, figure size in inches)`` of the class scatter of :func:`plot_embeddings`
    whose legend lists ``entries``: at most about 20 lines a column, the figure wider for
    more columns and taller where a column is taller than the axes."""
    lines = sum(e.count("\n") + 1 for e in entries) + 0.5 * len(entries)
    ncols = max(1, int(np.ceil(lines / 27)))
    per_column = lines / ncols
    size = (5.6 + 1.7 * (ncols - 1), max(4.8, 1.0 + per_column * 0.15 * _points("small") / 8.33))
    return ncols, size


def _finish(fig: Figure, ax: Axes, embeddings: Embeddings, show: bool, created: bool) -> Figure:
    """Mark figures of random weights; show if asked (:func:`_shown`)."""
    if (embeddings.metadata.get("checkpoint") or {}).get("pretrained") is False:
        _mark_not_pretrained(fig, ax, created)
    return _shown(fig, show, created)


def _file_name(source: Any) -> str:
    return Path(str(source)).name if source else ""


def plot_training(
    probe: EEGPTProbe | Sequence[dict[str, float]],
    *,
    axes: Sequence[Axes] | None = None,
    title: str | None = None,
    show: bool = False,
) -> Figure:
    """Learning curves of a linear probe or a fine-tuning run: cross-entropy (left) and
    accuracy (right) per training epoch, on the training data and, when there was validation
    data, on it.

    The training loss and accuracy are running values over each pass, with dropout on (as the
    original recipe reports them); the validation ones are measured after the pass, dropout
    off. Validation accuracy is drawn as a wide pale line under the dashed validation
    balanced accuracy, so that both show where they are equal (balanced classes). With early
    stopping (``patience``) the model keeps the weights of the epoch with the lowest
    validation loss: that epoch is marked. Dotted lines mark chance where the classes are
    known (a probe's ``classes_``): one over the number of classes K on the accuracy panel, and
    on the loss panel ln K, the cross-entropy of a guess giving every class 1 / K.

    Parameters
    ----------
    probe : EEGPTProbe | list of dict
        A trained probe (:func:`eegpt.probe.train_probe`, :func:`eegpt.finetune.finetune`,
        :func:`eegpt.probe.load_probe`) or its ``history``: one dict per epoch with ``epoch``,
        ``train_loss``, ``train_accuracy`` and optionally ``train_balanced_accuracy``,
        ``val_loss``, ``val_accuracy``, ``val_balanced_accuracy`` (the figure draws the
        plain training accuracy).
    axes : two matplotlib Axes | None
        Where to draw the loss and the accuracy; a new figure when None. The title then goes
        over the loss panel, not over the caller's figure.
    title : str | None
        Default: what was trained, on how many epochs, and which weights it kept; ``""``: none
        (figures of random weights are still marked as such).
    show : bool
        Call ``plt.show()``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    history = list(probe.history if hasattr(probe, "history") else probe)
    if not history:
        raise ValueError("no training history to plot (the probe records none)")

    def series(key: str, scale: float = 1.0) -> np.ndarray | None:
        if not any(key in row for row in history):
            return None
        return np.array([row.get(key, np.nan) for row in history], dtype=float) * scale

    train_loss, train_accuracy = series("train_loss"), series("train_accuracy", 100)
    if train_loss is None or train_accuracy is None:
        raise ValueError(
            "the training history records no train_loss or no train_accuracy: each epoch's "
            f"dict needs them (got the keys {sorted({k for row in history for k in row})})"
        )
    training = dict(getattr(probe, "training", None) or {})
    classes = getattr(probe, "classes_", None)
    plt = pyplot_module()
    created = axes is None
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.8), layout="constrained")
    else:
        if len(axes) != 2:
            raise ValueError(f"axes must be two Axes (loss, accuracy), got {len(axes)}")
        fig = _root_figure(axes[0])
    loss_ax, acc_ax = axes
    epochs = np.array([row["epoch"] for row in history])
    marker = "o" if len(epochs) <= 30 else None
    val_loss = series("val_loss")
    loss_ax.plot(epochs, train_loss, marker=marker, ms=3,
                 label="training (running, dropout on)")  # fmt: skip
    if val_loss is not None:
        loss_ax.plot(epochs, val_loss, marker=marker, ms=3, label="validation")
    if classes is not None and len(classes) > 1:  # the cross-entropy of a uniform guess
        loss_ax.axhline(np.log(len(classes)), color="0.5", ls=":", lw=1,
                        label=f"chance (ln {len(classes)})")  # fmt: skip
    loss_ax.set(xlabel="training epoch", ylabel="cross-entropy", title="loss")
    acc_ax.plot(epochs, train_accuracy, marker=marker, ms=3,
                label="training accuracy (running)")  # fmt: skip
    # the two validation curves often coincide (balanced classes): accuracy is drawn wide and
    # pale, balanced accuracy dashed over it, so that both stay visible
    for key, label, style in (
        ("val_accuracy", "validation accuracy", {"lw": 4.0, "alpha": 0.45}),
        ("val_balanced_accuracy", "validation balanced accuracy",
         {"ls": "--", "marker": marker, "ms": 3}),
    ):  # fmt: skip
        values = series(key, 100)
        if values is not None:
            acc_ax.plot(epochs, values, label=label, **style)
    if classes is not None and len(classes) > 1:
        acc_ax.axhline(100 / len(classes), color="0.5", ls=":", lw=1,
                       label=f"chance ({len(classes)} classes)")  # fmt: skip
    acc_ax.set(xlabel="training epoch", ylabel="%", ylim=(0, 102), title="accuracy")
    kept = training.get("kept_epoch")
    if kept is not None and kept != epochs[-1]:  # early stopping restored an earlier epoch
        for ax in axes:
            ax.axvline(kept, color="0.3", ls="--", lw=1,
                       label=f"weights kept (epoch {kept})" if ax is loss_ax else None)  # fmt: skip
    elif val_loss is not None and np.isfinite(val_loss).any():
        best = int(np.nanargmin(val_loss))
        loss_ax.plot(epochs[best], val_loss[best], "k*", ms=9,
                     label=f"lowest validation loss (epoch {epochs[best]})")  # fmt: skip
    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        _legend_clear_of_data(ax, handles=handles, labels=list(map(_short_lines, labels)),
                              fontsize="small")  # fmt: skip
    if title is None:
        what = "linear probe" if getattr(probe, "frozen_encoder", True) else "fine-tuning"
        n_train = training.get("n_train")
        n_val = training.get("n_validation")
        title = f"EEGPT {what}: {len(epochs)} training epochs"
        if n_train:
            title += f" on {n_train} examples" + (f", {n_val} held out" if n_val else "")
        if kept is not None and kept != epochs[-1]:
            title += f"; early stopping kept the weights of epoch {kept}"
    encoder = getattr(probe, "encoder", None) or {}
    random_weights = encoder.get("pretrained") is False
    if created:  # above both panels, in lines no wider than the figure
        if random_weights:
            title = "\n".join(filter(None, [title, NOT_PRETRAINED_TITLE]))
        if title:
            width = 0.95 * fig.get_figwidth() * 72
            fig.suptitle(_wrap(title, width, _points("medium"), most=200), fontsize="medium")
        return _shown(fig, show, created)
    # the caller's axes: the title over the loss panel, the caller's figure left alone
    if title:  # in lines no wider than the figure leaves room for, once laid out
        loss_ax.set_title(f"{title}\nloss", fontsize="medium", wrap=True)
    if random_weights:
        _mark_not_pretrained(fig, loss_ax, created)
    return _shown(fig, show, created)


def plot_confusion_matrix(
    y_true: Sequence[Any] | np.ndarray,
    y_pred: Sequence[Any] | np.ndarray,
    *,
    labels: Sequence[Any] | np.ndarray | None = None,
    normalize: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    show: bool = False,
    pretrained: bool | None = None,
    colorbar: bool = True,
) -> Figure:
    """Confusion matrix of predictions (rows: true class, columns: predicted), drawn with
    scikit-learn's :class:`~sklearn.metrics.ConfusionMatrixDisplay`.

    The colour scale starts at 0, whatever the smallest cell, and ends at 1 for fractions (at
    the largest count for counts): a classifier near chance gives a pale, even matrix, not a
    crisp diagonal.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n_epochs,)
        True and predicted labels.
    labels : array-like | None
        The classes, in the order drawn (a probe's ``classes_``, or any order of them, e.g.
        ``["W", "N1", "N2", "N3", "R"]``); default: those that occur, sorted.
    normalize : {"true", "pred", "all"} | None
        Fractions over each true class (rows sum to 1: per-class recall), each predicted class
        or all epochs; counts when None.

    ax, title, show
        As in :func:`plot_channel_mapping`. The default title gives the number of epochs and
        the balanced accuracy.
    pretrained : bool | None
        False marks the figure as made with random encoder weights (a demo's), as the other
        figures of such an encoder are.
    colorbar : bool
        Draw a colour bar (its label says what the colours count).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Each row's label gives the number of epochs of that true class (``W (n=120)``). A class
    with no epochs in ``y_true`` (``X (n=0)``) has no recall: with ``normalize="true"`` its
    row reads ``n/a``, not a measured 0.00; so does, with ``normalize="pred"``, the column of
    a class never predicted. Such cells are hatched grey (masked in the image), not coloured
    as a 0.
    """
    from eegpt.probe_metrics import sklearn_metrics

    metrics = sklearn_metrics()
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D of one length, got {y_true.shape} and {y_pred.shape}"
        )
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be 'true', 'pred', 'all' or None, got {normalize!r}")
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    labels = np.asarray(labels)
    n = len(labels)
    created = ax is None
    # long class names ("imagined movement of the left hand") wrapped, the figure sized for
    # them and for many classes, the cell values smaller as the cells are
    names = [_short_lines(c) for c in labels.tolist()]
    counts = [int(np.sum(y_true == c)) for c in labels.tolist()]
    row_names = [f"{name} (n={k})" for name, k in zip(names, counts, strict=True)]
    longest = max(len(line) for name in names for line in name.split("\n"))
    longest_row = max(len(line) for name in row_names for line in name.split("\n"))
    n_lines = max(name.count("\n") + 1 for name in names)
    rotate = longest > 6
    cell = 0.9 if n <= 6 else max(0.45, 0.9 - 0.03 * (n - 6))
    label_in = 0.075 * longest  # inches a tick label takes (font size 10)
    size = (
        # the colour bar (an inset right of the matrix) and its label: 1.1 in
        max(4.2, 1.2 + cell * n + 0.075 * longest_row) + (1.1 if colorbar else 0.0),
        max(3.6, 1.0 + cell * n + (0.7 * label_in if rotate else 0.18 * n_lines)),
    )
    fig, ax = _figure(ax, size)
    cm = metrics.confusion_matrix(y_true, y_pred, labels=labels).astype(float)
    # from 0 (white), whatever the smallest cell; to 1 for fractions, the largest count else
    top = 1.0 if normalize else max(1.0, float(cm.max()))
    display = metrics.ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=labels, normalize=normalize, ax=ax, cmap="Blues",
        colorbar=False, values_format=".2f" if normalize else "d",
        xticks_rotation=45 if rotate else "horizontal",
        text_kw={"fontsize": min(10.0, 20 * cell)}, im_kw={"vmin": 0.0, "vmax": top},
    )  # fmt: skip
    display.ax_.set_xticks(
        range(n), names, rotation=45 if rotate else 0, ha="right" if rotate else "center"
    )
    display.ax_.set_yticks(range(n), row_names)
    undefined = np.zeros((n, n), dtype=bool)
    if normalize in ("true", "pred"):
        # 0 / 0: a row of a class without epochs (no recall), a column of a class never
        # predicted (no precision) holds no measured fraction
        by_true = normalize == "true"
        given = y_true if by_true else y_pred
        for i, c in enumerate(labels.tolist()):
            if not np.any(given == c) and by_true:
                undefined[i, :] = True
            elif not np.any(given == c):
                undefined[:, i] = True
    _shade_confusion(display, undefined)
    if colorbar:
        # in an inset next to the matrix: it takes no width from the matrix' slot (which
        # pushed the y label off the figure) and stays by it in a user's axes
        bar = ax.figure.colorbar(display.im_, cax=ax.inset_axes((1.03, 0.0, 0.04, 1.0)))
        bar.set_label(COLORBAR_LABELS[normalize], fontsize="small")
        bar.ax.tick_params(labelsize="small")
    present = [c for c in labels.tolist() if np.any(y_true == c)]
    recall = [float(np.mean(y_pred[y_true == c] == c)) for c in present]
    if title is None:
        title = f"{len(y_true)} epochs"
        if recall:
            title += f", balanced accuracy {100 * float(np.mean(recall)):.1f}%"
    ax.set_title(title, fontsize="medium", wrap=True)  # a long one (a probe's name): two lines
    if pretrained is False:
        _mark_not_pretrained(fig, ax, created)
    return _shown(fig, show, created)


#: What the colours of :func:`plot_confusion_matrix` count, by its ``normalize``.
COLORBAR_LABELS = {None: "epochs", "true": "fraction of the true class (recall)",
                   "pred": "fraction of the predicted class (precision)",
                   "all": "fraction of all epochs"}  # fmt: skip


def _shade_confusion(display: Any, undefined: np.ndarray) -> None:
    """Mask the ``undefined`` cells (0 / 0) of a drawn confusion matrix: hatched grey, reading
    ``n/a``, not the white of a measured 0; every cell's text dark or light by its cell's
    colour on the colour scale from 0 (scikit-learn picks it by the matrix' own range)."""
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Rectangle

    image, ax = display.im_, display.ax_
    values = np.asarray(image.get_array(), dtype=float)
    image.set_data(np.ma.masked_array(values, mask=undefined))
    image.set_cmap(image.get_cmap().with_extremes(bad="0.85"))
    for i, j in zip(*np.nonzero(undefined), strict=True):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="none", edgecolor="0.55",
                               hatch="///", lw=0, zorder=image.get_zorder() + 0.5))  # fmt: skip
    if display.text_ is None:
        return
    for (i, j), text in np.ndenumerate(display.text_):
        if undefined[i, j]:
            text.set_text("n/a")
            text.set_color("black")
            text.set_bbox({"facecolor": "0.85", "edgecolor": "none", "pad": 1.0})
            continue
        r, g, b = to_rgb(image.cmap(image.norm(values[i, j])))
        text.set_color("white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else "black")


#: Sleep stages top to bottom as hypnograms draw them (:func:`plot_hypnogram`), by the last
#: word of a class name, any case: ``W``, ``Sleep stage W``, ``wake`` ... ``N3``, R&K's
#: ``Sleep stage 4`` (a number counts only after "stage", :func:`stage_rank`).
STAGE_RANKS = {"w": 0, "wake": 0, "r": 1, "rem": 1, "n1": 2, "1": 2, "n2": 3, "2": 3,
               "n3": 4, "3": 4, "n4": 5, "4": 5}  # fmt: skip


def stage_rank(name: Any) -> int | None:
    """Where a class named ``name`` goes in a hypnogram (:data:`STAGE_RANKS`), None if it is
    no sleep stage's name: a stage name alone (``"N2"``, ``"REM"``, ``"wake"``) or after
    "stage"/"sleep stage" (``"Sleep stage W"``, ``"Sleep stage 4"``, ``"stage_N3"``); a bare
    number (``1``, ``"2"``) or another word before it (``"class 1"``, ``"class R"``) is not."""
    *before, last = re.split(r"[\s_:/-]+", str(name).strip().lower())
    if last not in STAGE_RANKS or not set(before) <= {"sleep", "stage"}:
        return None
    if last.isdigit() and "stage" not in before:  # R&K's numbers, as Sleep-EDF names them
        return None
    return STAGE_RANKS[last]


def stage_order(classes: Sequence[Any]) -> list[Any]:
    """``classes`` in a hypnogram's top-to-bottom order: W, REM, N1, N2, N3 (R&K's stage 4
    after 3) where every class is a sleep stage's name (:func:`stage_rank`:
    ``"Sleep stage W"``, ``"REM"``, ``"N2"``), else as given."""
    classes = list(classes)
    ranks = [stage_rank(c) for c in classes]
    if not classes or any(r is None for r in ranks):
        return classes
    return [classes[i] for _, i in sorted((cast(int, r), i) for i, r in enumerate(ranks))]


def _agreement_text(both: Sequence[tuple[Any, Any]]) -> str:
    """``", 99.7% of the 360 scored agree (balanced accuracy 90.0%; always 'background':
    97.2%)"``: how the (predicted, scored) pairs ``both`` agree, beside the balanced accuracy
    (the mean recall of the scored classes) and the agreement of always predicting the most
    frequent scored class, so that a rare class missed is not hidden by the agreement."""
    predicted = np.array([str(a) for a, _ in both])
    scored = np.array([str(b) for _, b in both])
    agree = float(np.mean(predicted == scored))
    classes, counts = np.unique(scored, return_counts=True)
    recall = [float(np.mean(predicted[scored == c] == c)) for c in classes]
    majority = classes[int(np.argmax(counts))]
    return (
        f", {100 * agree:.1f}% of the {len(both)} scored agree (balanced accuracy "
        f"{100 * float(np.mean(recall)):.1f}%; always {str(majority)!r}: "
        f"{100 * counts.max() / len(both):.1f}%)"
    )


def is_sleep_staging(classes: Sequence[Any]) -> bool:
    """Whether every one of ``classes`` is a sleep stage's name (:func:`stage_rank`): not
    numbers or generic names (``[1, 2]``, ``["class 1", "class 2"]``) of another task."""
    return bool(classes) and all(stage_rank(c) is not None for c in classes)


#: Fill of the bad epochs of :func:`plot_hypnogram` (light red, hatched).
BAD_EPOCH_COLOR = "#f7c6c6"


def _epoch_pieces(
    onsets: np.ndarray, durations: np.ndarray, covered: np.ndarray | None, record_clock: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pieces of recorded data that :func:`plot_hypnogram` draws of scoring epochs at
    ``onsets`` lasting ``durations`` (``(n,)`` s of recorded data): ``(piece_of, start, end)``,
    each ``(m,)``: the epoch of each piece, and its start and end in seconds on the clock from
    the epoch's onset. An epoch ends no later than the data: the latest onset + ``covered``
    (its windows' seconds, ``(n,)``, None: not known); with ``record_clock`` (a
    :class:`eegpt.edf_files.RecordClock` or its dict) it is cut where a stretch begins, each piece
    placed on the clock past the gaps before it (:meth:`RecordClock.to_clock`)."""
    ends = onsets + durations
    if covered is not None:
        seconds = _floats(covered)
        known = ~np.isnan(seconds) & (seconds > 0)
        if known.any():  # no further than the data the last epoch's windows cover
            ends = np.maximum(np.minimum(ends, float(np.max((onsets + seconds)[known]))), onsets)
    cuts = np.zeros(0)
    to_clock: Callable[[np.ndarray], np.ndarray] = np.asarray
    if record_clock is not None:
        from eegpt.edf_files import RecordClock

        if not isinstance(record_clock, RecordClock):
            record_clock = RecordClock.from_dict(dict(record_clock))
        cuts, to_clock = np.asarray(record_clock.sample_starts[1:]), record_clock.to_clock
    piece_of, start, end = [], [], []
    for k, (a, b) in enumerate(zip(onsets, ends, strict=True)):
        edges = np.r_[a, cuts[(cuts > a) & (cuts < b)], b]
        shift = to_clock(edges[:-1]) - float(to_clock(np.array([a]))[0])  # the gaps before
        for lo, hi, moved in zip(edges[:-1], edges[1:], shift, strict=True):
            piece_of.append(k)
            start.append(float(moved))
            end.append(float(moved + hi - lo))
    return np.asarray(piece_of, dtype=np.int64), np.asarray(start), np.asarray(end)


def _split_at(i: int, j: int, gap: np.ndarray) -> list[tuple[int, int]]:
    """The run of pieces ``i`` to ``j`` (inclusive) split after each piece ``k`` with
    ``gap[k]`` (``(m - 1,)`` bool: a pause after piece ``k``)."""
    cuts = [k for k in range(i, j) if gap[k]]
    return list(zip([i, *(k + 1 for k in cuts)], [*cuts, j], strict=True))


def _floats(values: np.ndarray) -> np.ndarray:
    """``values`` (a table column: numbers, None, ``""``) as float64, NaN where none."""
    return np.array([np.nan if v is None or v == "" else float(v) for v in values.tolist()])


def hypnogram_width(hours: float) -> float:
    """Width (inches) of a hypnogram made by :func:`plot_hypnogram` of ``hours``: 10 up to 6 h,
    then wider by 1 inch an hour, at most 20, so that a long night's epochs stay apart."""
    return float(np.clip(10.0 + (hours - 6.0), 10.0, 20.0))


def _truthy(value: Any) -> bool:
    """A ``bad`` cell as a bool: True, 1, "True"/"true"; False for None, NaN, "", False."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    return bool(value)


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """First and last index of each run of consecutive True in ``flags``."""
    edges = np.diff(np.r_[0, flags.astype(np.int8), 0])
    return list(
        zip(
            np.flatnonzero(edges == 1).tolist(),
            (np.flatnonzero(edges == -1) - 1).tolist(),
            strict=True,
        )
    )


def _column(table: Any, name: str) -> np.ndarray | None:
    """A column of a table (DataFrame, or mapping of arrays) as an array, None if absent."""
    if name not in table:
        return None
    return np.asarray(table[name])


def plot_hypnogram(
    epochs: Any,
    *,
    order: Sequence[Any] | None = None,
    labels: bool = True,
    probabilities: bool = False,
    clock: bool | None = None,
    tz: datetime.tzinfo | str | None = None,
    bad: Sequence[bool] | np.ndarray | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    show: bool = False,
    pretrained: bool | None = None,
    record_clock: Any = None,
) -> Figure:
    """A hypnogram: the predicted sleep stage of each scoring epoch over the night, as a step
    line, stages top to bottom (W, REM, N1, N2, N3 by default), with the scored stages for
    comparison and optionally each stage's probability as a ribbon.

    Parameters
    ----------
    epochs : pandas.DataFrame | Mapping[str, array-like]
        One recording's scoring epochs, as ``eegpt probe predict --epoch-seconds`` writes them
        (its rows of one ``file``): ``onset_s`` (seconds from the first sample, shape
        ``(n_epochs,)``) and ``prediction``; optional ``duration_s`` (default: the step
        between onsets), ``label`` (the scored stage; empty or None where none),
        ``clock_time`` (ISO 8601), ``p_<class>`` (probabilities, 0-1) and ``bad`` (True where
        an annotation marked bad overlaps the epoch). An epoch without a
        prediction (None, NaN, ``""``) leaves a gap.
    order : sequence | None
        The stages top to bottom; default: the classes of the ``p_<class>`` columns (else
        those predicted and scored, sorted) put in the sleep scientists' order W, REM, N1, N2,
        N3 when all are stage names (:func:`stage_order`), else in their own order.
    labels : bool
        Draw the scored stages (``label``), where given, as a wide pale line under the
        predicted one; the default title then gives how many scored epochs agree.
    probabilities : bool
        Draw each stage's probability as a ribbon around its row (full height at 1).
    clock : bool | None
        The x axis in clock time (from ``clock_time``: each epoch at its own, so a pause in
        the recording, an EDF+D file's gap, is left blank) rather than hours of recording
        from the first epoch's onset; default: clock time where every epoch has one. The
        times are drawn as the recording's clock gives them, labelled "recording clock":
        ``clock_time`` names no zone; an EDF/BDF/BrainVision header holds the lab's
        wall-clock start, in a zone it does not name, a FIF/.mff file UTC (tables of
        earlier versions end in ``+00:00``, as MNE labels every date).
    tz : datetime.tzinfo | str | None
        Where ``clock_time`` is truly UTC (a recording whose zone is known): the zone to show
        the clock in (``zoneinfo.ZoneInfo("Europe/Berlin")``, ``"UTC"``), named in the
        axis label.
    bad : sequence of bool | None
        Per epoch, whether it is bad (an annotation marked bad overlaps it); shaded light
        red, hatched. Default: the table's ``bad`` column where it has one.
    ax, title, show
        As in :func:`plot_channel_mapping`.
    pretrained : bool | None
        False marks the figure as made with random encoder weights (a demo's).
    record_clock : eegpt.edf_files.RecordClock | dict | None
        Where the stretches of a discontinuous EDF+D/BDF+D recording lie on its clock (its
        ``metadata["record_clock"]``, as :meth:`Embeddings.clock_times` uses it): with it, an
        epoch over a gap is drawn in pieces, each stretch's seconds where they lie on the
        clock, the gap left blank, as :meth:`Embeddings.plot` with ``time="clock"`` does.
        Without it, each epoch is drawn from its ``clock_time`` for its ``duration_s``.
        Either way, with ``covered_s`` an epoch is drawn no further than the data its
        windows cover at the end of the recording (the last one's ``covered_s``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    files = _column(epochs, "file")
    if files is not None and len(set(files.tolist())) > 1:
        raise ValueError(
            f"plot_hypnogram draws one recording; the table holds {len(set(files.tolist()))} "
            "files: select one, e.g. table[table['file'] == name]"
        )
    onsets, predicted = _column(epochs, "onset_s"), _column(epochs, "prediction")
    if onsets is None or predicted is None:
        raise ValueError("plot_hypnogram needs onset_s and prediction columns (probe predict "
                         "--epoch-seconds writes them)")  # fmt: skip
    onsets = onsets.astype(float)
    if not len(onsets):
        raise ValueError("plot_hypnogram: no epochs to draw")
    durations = _column(epochs, "duration_s")
    if durations is None:
        step = float(np.median(np.diff(onsets))) if len(onsets) > 1 else 30.0
        durations = np.full(len(onsets), step)
    durations = durations.astype(float)

    def present(values: np.ndarray | None) -> list[Any | None]:
        if values is None:
            return [None] * len(onsets)
        return [None if v is None or v == "" or (isinstance(v, float) and np.isnan(v)) else v
                for v in values.tolist()]  # fmt: skip

    stages, scored = present(predicted), present(_column(epochs, "label"))
    columns = [str(c) for c in (epochs.columns if hasattr(epochs, "columns") else epochs)]
    classes = [c[2:] for c in columns if c.startswith("p_")]
    if order is None:
        known = classes or sorted({str(v) for v in stages + scored if v is not None})
        order = stage_order(known)
    order = list(order)
    row = {str(c): i for i, c in enumerate(order)}
    missing = sorted({str(v) for v in stages if v is not None} - set(row))
    if missing:
        raise ValueError(f"order: the predictions hold stages it lacks: {missing}")
    if bad is None:
        bad = _column(epochs, "bad")
    flagged = np.zeros(len(onsets), dtype=bool)
    if bad is not None:
        flagged = np.array([_truthy(v) for v in np.asarray(bad, dtype=object).tolist()])
        if flagged.shape != onsets.shape:
            raise ValueError(f"bad: {len(flagged)} values for {len(onsets)} epochs")
    times = _column(epochs, "clock_time")
    moments = present(times)
    if clock is None:
        clock = all(m is not None for m in moments)
    if clock and any(m is None for m in moments):
        raise ValueError("clock=True: some epochs have no clock_time (a recording without a "
                         "measurement date)")  # fmt: skip
    if clock:
        import pandas as pd

        # each epoch at its own clock time: after a pause (an EDF+D file's gap) the clock
        # jumps ahead of the onsets, which count recorded samples only
        stamps = pd.to_datetime([str(m) for m in moments], utc=True)
        # x on the recording's own (UTC-labelled) timeline, gaps found there: a zone's
        # daylight-saving shift is no pause; tz (the clock truly UTC) goes to the labels only
        epoch_clock: np.ndarray = stamps.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        # an EDF header's start is the lab's wall clock, which MNE labels UTC: no zone claimed
        xlabel = _clock_label(tz, stamps[0] if tz is None else stamps[0].tz_convert(tz))
    else:
        xlabel = "hours from the first epoch"
    # the pieces of data drawn, (m,) each: the epoch, where it starts and ends on the x axis
    piece_of, piece_start, piece_end = _epoch_pieces(
        onsets, durations, _column(epochs, "covered_s"), record_clock
    )
    if clock:
        starts = epoch_clock[piece_of] + (piece_start * 1e9).astype("timedelta64[ns]")
        ends = epoch_clock[piece_of] + (piece_end * 1e9).astype("timedelta64[ns]")
        gap = starts[1:] - ends[:-1] > np.timedelta64(1, "ms")  # (m - 1,): a pause after k
    else:
        base = (onsets[piece_of] - onsets[0]) / 3600.0
        starts, ends = base + piece_start / 3600.0, base + piece_end / 3600.0
        gap = starts[1:] - ends[:-1] > 1e-3 / 3600
    # step edges: each piece's start, the end of one before a gap, the last one's end
    k_gap = np.flatnonzero(gap)
    x: np.ndarray = np.insert(np.r_[starts, ends[-1:]], k_gap + 1, ends[k_gap])

    def expanded(y: np.ndarray, blank: float = np.nan) -> np.ndarray:
        """Per-epoch values ``(n,)`` at the step edges: ``blank`` over the gaps, the last
        piece drawn to its end."""
        y = np.asarray(y, dtype=float)[piece_of]
        return np.insert(np.r_[y, y[-1:]], k_gap + 1, blank)

    def levels(values: list[Any | None]) -> np.ndarray:
        y = np.array([np.nan if v is None else row.get(str(v), np.nan) for v in values])
        return expanded(y)

    created = ax is None
    hours = float(onsets[-1] + durations[-1] - onsets[0]) / 3600.0
    fig, ax = _figure(ax, (hypnogram_width(hours), 1.2 + 0.45 * len(order)))
    runs = [(i, j) for i, j in _runs(flagged[piece_of]) for i, j in _split_at(i, j, gap)]
    for k, (i, j) in enumerate(runs):  # bad epochs' data, beneath the lines: hatched
        ax.axvspan(starts[i], ends[j], facecolor=BAD_EPOCH_COLOR, edgecolor="#d62728", hatch="///",
                   linewidth=0, alpha=0.5, zorder=0,
                   label="bad (annotation)" if k == 0 else None)  # fmt: skip
    if probabilities:
        for c in order:
            p = _column(epochs, f"p_{c}")
            if p is None:
                continue
            half = expanded(0.45 * np.nan_to_num(np.asarray(present(p), dtype=float)), 0.0)
            y0 = row[str(c)]
            ax.fill_between(x, y0 - half, y0 + half, step="post", alpha=0.25, linewidth=0,
                            color="tab:blue", label="probability" if y0 == 0 else None)  # fmt: skip
    y_scored = levels(scored)
    drawn_scored = labels and not np.all(np.isnan(y_scored))
    if drawn_scored:
        ax.step(x, y_scored, where="post", color="0.6", linewidth=5, alpha=0.6, label="scored")
    ax.step(x, levels(stages), where="post", color="black", linewidth=1.2, label="predicted")
    ax.set_yticks(range(len(order)), [_short_lines(c) for c in order])
    ax.set_ylim(len(order) - 0.5, -0.5)  # the first stage (W) on top
    ax.set_xlabel(xlabel)
    ax.set_ylabel("stage" if is_sleep_staging(order) else "class")
    if clock:
        # every tick a full time (23:00:15, not 15), a date only at midnight; the start's
        # date is in the axis label, not in an offset that gives the end's
        _clock_ticks(ax, tz, show_offset=False, formats=["%Y", "%b", "%d", "%H:%M", "%H:%M", "%H:%M:%S"],
                     zero_formats=["", "%Y", "%b", "%b-%d", "%H:%M", "%H:%M:%S"])  # fmt: skip
    if drawn_scored or probabilities or flagged.any():
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    if title is None:
        epoch = float(np.median(durations))
        from eegpt._logging import count

        # "hypnogram" for sleep stages only: another task's classes are predicted classes
        what = "hypnogram" if is_sleep_staging(order) else "predicted classes"
        title = f"{what}: {count(len(onsets), 'epoch')} of {epoch:g} s"
        both = [(a, b) for a, b in zip(stages, scored, strict=True) if None not in (a, b)]
        if drawn_scored and both:
            title += _agreement_text(both)
    ax.set_title(title, fontsize="medium", wrap=True)
    if pretrained is False:
        _mark_not_pretrained(fig, ax, created)
    return _shown(fig, show, created)
