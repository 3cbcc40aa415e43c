"""The channel mapping on a head (:func:`plot_channel_mapping`): which of the 62 EEGPT
vocabulary electrodes a recording gives the model, which it lacks, which are marked bad or
left out, placed as MNE's 10-05 template puts them (:func:`vocabulary_layout`) and sized to
the axes they are drawn in. Importable from :mod:`eegpt.viz` too.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from eegpt._logging import ignored_warnings
from eegpt._viz_common import _extent, _points, _root_figure, _shown, _wrap, pyplot_module
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

__all__ = ["plot_channel_mapping", "vocabulary_layout"]


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
    # not in the recording at all, the legend's "not in the recording": not the ones marked
    # bad or left out on purpose, which are in it; the title says this count too (it said
    # only the pretraining channels', which the legend's did not match) and theirs
    absent = [n for n in VOCABULARY if n not in used and n not in bad | dropped]
    missing58 = [n for n in absent if n in PRETRAINING_CHANNELS]
    if title is None:
        title = (
            f"{len(mapping)} of EEGPT's {len(VOCABULARY)} channels used, {len(absent)} not in "
            f"the recording\n({len(missing58)} of its 58 pretraining channels); {len(named)} of "
            f"the recording's {len(mapping) + len(named)} channels left out"
        )
        if source:
            title = f"{Path(str(source)).name}\n{title}"
    counts = {
        "used": sum(n not in UNSEEN_IN_PRETRAINING and n not in bad_used for n in used),
        "untrained": sum(n in UNSEEN_IN_PRETRAINING and n not in bad_used for n in used),
        "bad_used": len(bad_used),
        "absent": len(absent) if show_absent else 0,
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
