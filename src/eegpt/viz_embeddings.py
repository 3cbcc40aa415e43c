"""Window embeddings drawn (:func:`plot_embeddings`): their first principal components over
time (seconds, minutes, hours or the recording's clock; lines broken at gaps, spans and bad
windows shaded), or labelled epochs as classes on PC 1 and PC 2. Importable from
:mod:`eegpt.viz` too.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from eegpt._viz_clock import _clock_label, _clock_ticks, _zone
from eegpt._viz_common import (
    _extent,
    _figure,
    _legend_clear_of_data,
    _mark_not_pretrained,
    _points,
    _short_lines,
    _shown,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from eegpt.outputs import Embeddings

__all__ = ["plot_embeddings"]


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
    annotations marked bad are ringed red; epochs without a label (None, NaN: a table of
    labelled and unlabelled recordings) are grey crosses, "no label".

    Parameters
    ----------
    embeddings : Embeddings
        Of one recording (:meth:`eegpt.EEGPT.embed`, :func:`eegpt.load_embeddings`).
    spans : str | sequence of str | sequence of (start, stop) seconds | None
        What to shade: annotation descriptions (the windows they overlap, from
        :attr:`eegpt.outputs.Embeddings.annotations`), or time spans in the time base of the
        onsets -- for a Raw, seconds from its first sample, i.e. annotation onsets minus
        ``raw.first_time``. One description (``"task"``) or time spans are shaded grey;
        several (``["Stimulus/S  1", "Stimulus/S  2"]``: the classes of a motor-imagery
        recording) each in a colour of its own (:data:`CLASS_COLORS`, in the order given;
        'tab20' beyond 8), with a legend entry each. Windows over annotations marked bad
        (:attr:`eegpt.outputs.Embeddings.bad`) are shaded red, and windows left out by
        ``reject_by_annotation`` are ticked red below the lines, which break there.
    span_label : str
        What the shaded spans are, for the legend (default: the description given as
        ``spans``). Given with several descriptions, it names them as one: all shaded grey,
        one legend entry.
    components : int
        How many components to draw (at most the number of windows and of features).
    class_order : sequence | None
        Labelled epochs: the classes in the order of the legend and of the colours (all the
        epochs' labels among them; the ones without epochs keep their colour but are not
        listed): the full list where it is known (a probe's ``classes_``), so that a class
        keeps its colour in the figures of recordings that lack some classes. Default: the
        labels sorted, or where all are sleep stages' names (``W``/``Wake``, ``N1``,
        ``Sleep stage 2``, ``REM`` ...) in the AASM order W, N1, N2, N3, R, each stage in
        the colour and marker of its place among all five (and R&K's stage 4) whichever the
        epochs hold. Colours go by this order, not the epochs', so a
        class keeps its colour in every figure of the same classes: colour-blind-safe ones
        (:data:`CLASS_COLORS`, Okabe-Ito) up to 8 classes, 'tab20' beyond, and a marker of
        its own (:data:`CLASS_MARKERS`, cycled from the first class). The legend takes more
        columns (and the figure more room) for many classes.
    colors : dict | None
        Labelled epochs: class -> matplotlib colour, for some or all classes.
    time : {"onset", "min", "h", "clock"}
        The x axis: ``"onset"`` (default), window onsets from the first sample (as
        :attr:`eegpt.outputs.Embeddings.onsets`) in seconds, so that seconds drawn on the
        returned axes (``ax.axvline(onset_s)``) fall in place; ``"min"`` or ``"h"``, the same
        onsets in minutes or hours (for long recordings; ``spans`` are still given in seconds,
        and converted); ``"clock"``, the onsets' clock time on the recording's clock
        (:meth:`eegpt.outputs.Embeddings.clock_times`, ``absolute=True``: needs the recording's
        measurement date; an EDF+D file's gaps are left blank). MNE labels that clock UTC, but
        an EDF/BDF header holds the lab's wall clock, so the axis claims no zone ("recording
        clock"; "local wall clock, no zone" where ``metadata["clock"]`` says it is a header's),
        as :func:`eegpt.viz.plot_hypnogram`'s.
    tz : datetime.tzinfo | str | None
        With ``time="clock"``, where the recording's clock is truly UTC (a recording whose
        zone is known): the zone to show it in (``zoneinfo.ZoneInfo("Europe/Berlin")``,
        ``"UTC"``), named in the axis label, as :func:`eegpt.viz.plot_hypnogram`'s ``tz``. Refused
        for a recording whose dates are a header's local wall clock (``metadata["clock"]``
        ``"local"``: EDF, BDF ...), which no zone converts.
    ax, title, show
        As in :func:`eegpt.viz.plot_channel_mapping`. The default title names the file the
        embeddings come from (a long name shortened in its middle, ``...``), or says they were
        made in memory.

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
    labels, unlabelled = _labels_given(embeddings.metadata.get("labels"))
    if labels is not None and k >= 2:
        styles = _class_styles(labels[~unlabelled], class_order, colors)
        entries = [f"{_short_lines(c)} ({int(np.sum((labels == c) & ~unlabelled))})"
                   for c in styles if np.any((labels == c) & ~unlabelled)]  # fmt: skip
        if unlabelled.any():
            entries.append(f"{UNLABELLED} ({int(unlabelled.sum())})")
        bad = embeddings.bad
        if bad.any():
            entries.append(f"over bad annotations ({int(bad.sum())})")
        ncols, size = _legend_columns(entries)
        fig, ax = _figure(ax, size)
        for label, (color, marker) in styles.items():
            at = (labels == label) & ~unlabelled
            if at.any():
                ax.scatter(scores[at, 0], scores[at, 1], s=14, alpha=0.8, color=color,
                           marker=marker, label=f"{_short_lines(label)} ({int(at.sum())})")  # fmt: skip
        if unlabelled.any():  # epochs without a label (None, NaN): grey crosses, no class
            ax.scatter(scores[unlabelled, 0], scores[unlabelled, 1], s=14, alpha=0.6,
                       color="0.55", marker="x", linewidths=1.0,
                       label=f"{UNLABELLED} ({int(unlabelled.sum())})")  # fmt: skip
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
        names = list(
            dict.fromkeys([spans] if isinstance(spans, str) else cast("Sequence[str]", spans))
        )
        over = np.array([[n in descs for n in names] for descs in embeddings.annotations],
                        dtype=bool).reshape(len(embeddings.annotations), len(names))  # fmt: skip
        if not over.any():
            known = sorted({d for descs in embeddings.annotations for d in descs})
            wanted = names[0] if len(names) == 1 else names
            raise ValueError(
                f"no window has an annotation {wanted!r}; the windows' annotations are "
                f"{known[:10] if known else 'none'}"
            )
        if len(names) > 1 and not span_label:  # classes: a colour and an entry each
            styles = _class_styles(np.asarray(names), class_order=names)
            for j, name in enumerate(names):
                for i, (lo, hi) in enumerate(_window_spans(embeddings, over[:, j])):
                    ax.axvspan(*to_x([lo, hi]), color=styles[name][0], alpha=0.25, lw=0,
                               zorder=0, label=_short_lines(name) if i == 0 else None)  # fmt: skip
        else:
            span_label = span_label or ", ".join(names)
            shaded = _window_spans(embeddings, np.any(over, axis=1))
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


#: The legend entry of the epochs without a label (None, NaN) in :func:`plot_embeddings`.
UNLABELLED = "no label"


def _missing(value: Any) -> bool:
    """Whether a label is missing: None, NaN (a table's empty cell), pandas' NA or NaT."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):  # pandas.NA: its comparison is NA, of no truth value
        return True


def _labels_given(labels: Any) -> tuple[np.ndarray | None, np.ndarray]:
    """``(labels, unlabelled)``: the epochs' labels (``metadata["labels"]``) as an array,
    each missing one (None, NaN: an epoch without an event in a table of several
    recordings) replaced by a label given, and where they were missing, ``(n,)`` bool;
    ``(None, [])`` where there are none, or none is given."""
    if labels is None:
        return None, np.zeros(0, dtype=bool)
    values = list(labels)
    unlabelled = np.array([_missing(v) for v in values], dtype=bool)
    if unlabelled.all():
        return None, unlabelled
    given = next(v for v, m in zip(values, unlabelled, strict=True) if not m)
    # typed as the labels given (numbers, strings) would be without the missing ones
    return np.asarray([given if m else v for v, m in zip(values, unlabelled, strict=True)]), (
        unlabelled
    )


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
    of the legend: ``class_order``, or the classes sorted (sleep stages in the AASM order W,
    N1, N2, N3, R: :func:`eegpt.viz_hypnogram.stage_order`). Colours follow that order, not
    the epochs' (:data:`CLASS_COLORS`; 'tab20' beyond 8 classes; the markers cycled from the
    first class), so that a class keeps its style from one figure to the next; sleep stages
    without ``class_order`` each take the style of their place among all the stages
    (:func:`_stage_slots`), whichever of them the epochs hold; ``colors`` overrides some."""
    from eegpt.viz_hypnogram import stage_order

    present = np.unique(labels).tolist()
    if class_order is None:
        classes = stage_order(present, aasm=True)
        slots = _stage_slots(classes)
    else:
        classes = list(dict.fromkeys(np.asarray(class_order).tolist()))
        slots = list(range(len(classes)))
        missing = [c for c in present if c not in classes]
        if missing:
            raise ValueError(f"class_order lacks the epochs' labels {missing}; it has {classes}")
    if max(slots, default=0) < len(CLASS_COLORS):
        palette: list[Any] = list(CLASS_COLORS)
    else:
        from matplotlib import colormaps

        # tab20 is a ListedColormap; the stubs type colormaps[...] as a Colormap, without colors
        palette = list(colormaps["tab20"].colors)  # type: ignore[attr-defined]
    colors = colors or {}
    return {
        c: (colors.get(c, palette[i % len(palette)]),
            CLASS_MARKERS[i % len(CLASS_MARKERS)])
        for i, c in zip(slots, classes, strict=True)
    }  # fmt: skip


def _stage_slots(classes: Sequence[Any]) -> list[int]:
    """The place of each of ``classes`` (in :func:`eegpt.viz_hypnogram.stage_order`'s AASM
    order) among its styles: where all are sleep stages, each stage's own among W, N1, N2,
    N3, N4, R (:data:`eegpt.viz_hypnogram.AASM_RANKS`), so that a recording without N3 draws
    R as the others do; else (or where two names are of one stage: ``W`` and ``wake``) their
    place in ``classes``."""
    from eegpt.viz_hypnogram import AASM_RANKS, stage_ranks

    ranks = stage_ranks(classes)
    if not classes or any(r is None for r in ranks) or len(set(ranks)) < len(ranks):
        return list(range(len(classes)))
    return [AASM_RANKS[cast(int, r)] for r in ranks]


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
    recording's clock, :meth:`eegpt.outputs.Embeddings.clock_times`, though MNE's onsets run on across it),
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
    :func:`eegpt._viz_clock._clock_ticks`)."""
    meta = embeddings.metadata
    if time == "clock":
        from eegpt.clock_times import clock_moments

        try:
            embeddings.clock_times(absolute=True)
        except ValueError as err:  # said as clock_times' own: in this call's terms
            text = str(err).replace("clock_times(absolute=True)", "time='clock'")
            text = text.replace("(absolute=False)", "(time='onset', 'min' or 'h')")
            raise ValueError(text) from err
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
        local = meta.get("clock") == "local"  # a header's wall clock: said so
        return moments, f"window onset, {_clock_label(tz, start, local)}"
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
    """Mark figures of random weights; show if asked (:func:`eegpt._viz_common._shown`)."""
    if (embeddings.metadata.get("checkpoint") or {}).get("pretrained") is False:
        _mark_not_pretrained(fig, ax, created)
    return _shown(fig, show, created)


def _file_name(source: Any) -> str:
    return Path(str(source)).name if source else ""
