"""A class's probability over a continuous recording against its annotations (seizure
detection): :func:`plot_event_probabilities`, drawn by ``eegpt probe predict --plot`` without
``--epoch-seconds``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from eegpt._viz_common import _figure, _legend_clear_of_data, _mark_not_pretrained, _shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The colour of each class drawn, in order (matplotlib's tab10 less grey).
EVENT_COLORS = ("tab:red", "tab:blue", "tab:orange", "tab:purple", "tab:green", "tab:brown")

#: The colour of annotations that name no class drawn (no window labelling to match them).
OTHER_SPAN_COLOR = "0.6"


def _time_unit(seconds: float) -> tuple[float, str]:
    """``(divisor, name)`` of the x axis for a recording ``seconds`` long: seconds up to 5
    min, minutes up to 3 h, else hours."""
    if seconds <= 300:
        return 1.0, "s"
    if seconds <= 3 * 3600:
        return 60.0, "min"
    return 3600.0, "h"


def plot_event_probabilities(
    windows: Any,
    window_seconds: float,
    *,
    classes: Sequence[Any] | None = None,
    spans: Sequence[tuple[float, float, Any]] | None = None,
    threshold: float | Mapping[Any, float] | None = None,
    file: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    show: bool = False,
    pretrained: bool | None = None,
) -> Figure:
    """Each class's probability over a continuous recording, one line per class at each
    window's centre, with the recording's annotated spans of the classes shaded and the
    decision threshold as a dashed line.

    Parameters
    ----------
    windows : pandas.DataFrame | Mapping[str, array-like]
        One recording's window rows as ``eegpt probe predict`` writes them (its rows of one
        ``file``; ``file=`` picks one of several): ``onset_s`` (seconds from the first
        sample, ``(n_windows,)``) and ``p_CLASS`` (0-1) of each class drawn; optional ``bad``
        (True: a window over a bad annotation, not drawn: a gap in the line).
    window_seconds : float
        The windows' length in s (each drawn at its onset + half of it).
    classes : sequence | None
        The classes whose probability is drawn (e.g. the event classes, not the background);
        default: every ``p_CLASS`` column.
    spans : sequence of (onset_s, offset_s, class) | None
        Annotated spans in seconds from the first sample (e.g. seizures), shaded in the
        colour of their class's line where it is drawn, grey otherwise.
    threshold : float | Mapping | None
        The decision threshold (``--threshold``): one probability for every class drawn, or
        ``{class: P}``; drawn as a dashed line in the class's colour.
    file : str | None
        The recording to draw, of a table of several.
    ax : matplotlib.axes.Axes | None
        Axes to draw into; a new figure otherwise.
    title : str | None
        The title; default: the file.
    show : bool
        Call ``plt.show()``.
    pretrained : bool | None
        False: say on the figure that the probe's encoder is random (NOT pretrained).

    Returns
    -------
    matplotlib.figure.Figure
        Lines labelled ``p(CLASS)``, spans as ``axvspan`` patches, thresholds labelled
        ``threshold P``.
    """
    from eegpt.optional_packages import require_pandas

    pd = require_pandas("plot_event_probabilities (a table of windows)")
    table = pd.DataFrame(windows)
    for name in ("onset_s",):
        if name not in table:
            raise ValueError(
                f"the windows have no {name!r} column: give the window rows of eegpt probe "
                "predict of a continuous recording (file, onset_s, p_CLASS ...)"
            )
    if file is not None:
        table = table[table["file"].astype(str) == str(file)]
    elif "file" in table and table["file"].nunique() > 1:
        raise ValueError(
            f"the windows are of {table['file'].nunique()} recordings: pick one with file="
        )
    if classes is None:
        classes = [c[2:] for c in table.columns if str(c).startswith("p_")]
    missing = [str(c) for c in classes if f"p_{c}" not in table]
    if missing:
        raise ValueError(
            f"the windows have no p_{missing[0]} column: give the classes whose probability "
            f"they hold ({', '.join(c[2:] for c in table.columns if str(c).startswith('p_'))})"
        )
    if threshold is not None and not isinstance(threshold, Mapping):
        threshold = {str(c): float(threshold) for c in classes}
    cuts = {str(c): float(p) for c, p in (threshold or {}).items()}
    onsets = table["onset_s"].to_numpy(np.float64)
    order = np.argsort(onsets, kind="stable")
    bad = np.zeros(len(table), bool)
    if "bad" in table:
        from eegpt.probe_events import _is_bad

        bad = _is_bad(table["bad"])
    last = float(onsets.max() + window_seconds) if len(onsets) else float(window_seconds)
    divisor, unit = _time_unit(last)
    centres = (onsets[order] + window_seconds / 2) / divisor
    created = ax is None
    fig, ax = _figure(ax, (10.0, 3.0))
    colors = {str(c): EVENT_COLORS[k % len(EVENT_COLORS)] for k, c in enumerate(classes)}
    for name in classes:
        p = table[f"p_{name}"].to_numpy(np.float64).copy()
        p[bad] = np.nan  # a gap where the data were unusable
        ax.plot(centres, p[order], color=colors[str(name)], lw=1.2, label=f"p({name})")
        if str(name) in cuts:
            ax.axhline(cuts[str(name)], color=colors[str(name)], ls="--", lw=1,
                       label=f"threshold {cuts[str(name)]:g}")  # fmt: skip
    shaded: set[str] = set()
    for onset, offset, name in spans or ():
        color = colors.get(str(name), OTHER_SPAN_COLOR)
        label = None if str(name) in shaded else f"annotated {name}"
        shaded.add(str(name))
        ax.axvspan(onset / divisor, offset / divisor, color=color, alpha=0.2, lw=0, label=label)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(0, last / divisor)
    ax.set_xlabel(f"time from the first sample ({unit})")
    ax.set_ylabel("probability")
    if title is None:  # the recording's file
        title = file or (str(table["file"].iloc[0]) if "file" in table and len(table) else "")
    ax.set_title(title)
    _legend_clear_of_data(ax, fontsize="small")
    if pretrained is False:
        _mark_not_pretrained(fig, ax, created)
    return _shown(fig, show, created)


def plot_operating_points(
    points: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    threshold: float | Mapping[Any, float] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    show: bool = False,
) -> Figure:
    """Each event class's sensitivity against its false alarms per 24 h over the decision
    thresholds (:func:`eegpt.probe_events.operating_points`; ``probe evaluate
    --event-scoring --json``'s ``events.operating_points``): one line per class, a point per
    threshold (labelled with it; thresholds giving one point as a range, ``0.05-0.4``; at
    most 8 labels a class), to choose ``--threshold`` from; the threshold used
    (``threshold``: one P, or ``{class: P}``) ringed. False alarms on a symmetric log axis
    (linear below 1 per 24 h); thresholds with no sensitivity (no scored event) left out.

    Returns
    -------
    matplotlib.figure.Figure
        Lines labelled with their class; the ringed points labelled ``threshold P``.
    """
    created = ax is None
    fig, ax = _figure(ax, (5.5, 4.0))
    for k, (name, rows) in enumerate(points.items()):
        kept = [r for r in rows if r.get("sensitivity") is not None
                and r.get("false_alarms_per_24h") is not None
                and not np.isnan(float(r["sensitivity"]))]  # fmt: skip
        if not kept:
            continue
        color = EVENT_COLORS[k % len(EVENT_COLORS)]
        x = np.array([float(r["false_alarms_per_24h"]) for r in kept])
        y = np.array([100 * float(r["sensitivity"]) for r in kept])
        ax.plot(x, y, marker="o", ms=3, color=color, label=str(name))
        # each point named by its thresholds (those giving the same point as one range:
        # "0.05-0.4"); a few of them where there are many
        groups: dict[tuple[float, float], list[float]] = {}
        for r, at_x, at_y in zip(kept, x, y, strict=True):
            groups.setdefault((float(at_x), float(at_y)), []).append(float(r["threshold"]))
        named = list(groups.items())
        for (at_x, at_y), cuts in named[:: max(1, -(-len(named) // 8))]:
            text = f"{min(cuts):.4g}" + (f"-{max(cuts):.4g}" if len(cuts) > 1 else "")
            ax.annotate(text, (at_x, at_y), fontsize="x-small", xytext=(3, 3),
                        textcoords="offset points", color=color)  # fmt: skip
        cut = threshold.get(name) if isinstance(threshold, Mapping) else threshold
        if cut is not None:
            at = [i for i, r in enumerate(kept) if abs(float(r["threshold"]) - float(cut)) < 1e-9]
            if at:
                ax.plot(x[at], y[at], marker="o", ms=10, mfc="none", ls="none", color=color,
                        label=f"threshold {float(cut):g}")  # fmt: skip
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(left=0)
    ax.set_ylim(-2, 102)
    ax.set_xlabel("false alarms per 24 h (OVLP)")
    ax.set_ylabel("sensitivity (%, OVLP)")
    ax.set_title("operating points by threshold" if title is None else title, fontsize="medium")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    return _shown(fig, show, created)
