"""Events from the window predictions of a continuous recording: ``eegpt probe predict
--events``.

:func:`windows_to_events` merges the consecutive windows of a class (a seizure's) into one row
per event, with its onset, offset and duration in seconds, the clock time of its onset where
the recording is dated, its number of windows and the mean and largest probability of the
class over them; :func:`event_scores` scores the predicted events against those of the scored
labels as seizure detection is scored: any-overlap (OVLP) and time-aligned (TAES) sensitivity,
precision, F1 and false alarms per 24 hours.

Where an event begins and ends (``span``):

``"centred"`` (the default)
    each window stands for the stretch of one hop (``hop_seconds``, the window length less the
    overlap) around its centre, ``[onset + (window - hop) / 2, onset + (window + hop) / 2)``: an
    event of windows from onsets ``a`` to ``b`` spans ``a + (window - hop) / 2`` to
    ``b + (window + hop) / 2``, ``n_windows * hop`` seconds. The stretches of a recording's
    windows tile it, so events never overlap and their duration does not grow with the
    overlap; without overlap (hop = window) this is the windows' own span.
``"windows"``
    from the first window's onset to the last window's end, ``a`` to ``b + window``: every
    sample any of its windows saw; with overlap, longer by ``window - hop`` than
    ``"centred"``, and events of one class a window or few apart overlap (and are then
    joined).

Windows over bad annotations (the ``bad`` column True) belong to no event and break one: their
predictions come from unusable data. Windows left out (``--reject-by-annotation``) break events
likewise, as their onsets are not a hop apart. So does a recording gap (the pause of a
discontinuous EDF+D/BDF+D file, which MNE reads back to back) between two windows, wherever it
falls: where the table has ``clock_s``, consecutive windows whose onsets lie further apart on
the recording's clock than in the recorded seconds (``onset_s``) are never in one event (a gap
within a window flags it bad, one between two windows does not). ``merge_gap_seconds`` then
joins events of a class whose gap (next onset less offset, in seconds of recorded data) is
shorter, whatever lies between (bad windows included) but a recording gap; ``min_event_seconds``
last drops the shorter events. An event's ``clock_s``/``clock_time`` give its onset on the
recording's clock and ``clock_end_s``/``clock_end_time`` its end there (with no gap inside, the
onset plus ``duration_s``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from eegpt._logging import number_text, percent_text
from eegpt.optional_packages import _pandas_import_error

try:
    import pandas as pd
except (ImportError, ValueError) as err:  # a plain `pip install .`: the events are tables
    raise _pandas_import_error("eegpt.probe_events (events from window predictions)", err) from err

#: The columns of an events table, in order (``clock_s``, ``clock_end_s`` only where the window
#: table has ``clock_s``; ``clock_time``, ``clock_end_time`` where it has ``clock_time``).
EVENT_COLUMNS = (
    "file", "class", "onset_s", "offset_s", "duration_s", "clock_s", "clock_end_s",
    "clock_time", "clock_end_time", "n_windows", "p_mean", "p_max",
)  # fmt: skip

#: The clock columns of an events table and the window table's column each comes from.
_CLOCK_COLUMNS = {
    "clock_s": "clock_s", "clock_end_s": "clock_s",
    "clock_time": "clock_time", "clock_end_time": "clock_time",
}  # fmt: skip

#: Seconds by which onsets may differ from a hop and still be consecutive windows (CSV tables
#: hold onsets to 6 decimals; hops are whole samples, 1/256 s or more).
_TOLERANCE = 1e-4

SPANS = ("centred", "windows")


def _is_bad(values: pd.Series) -> np.ndarray:
    """The ``bad`` column as booleans: True, ``"True"`` (a CSV read as text) or 1; blank
    (epochs) and anything else False."""
    return np.array(
        [v is True or v is np.True_ or str(v).strip().lower() in ("true", "1") for v in values],
        dtype=bool,
    )


def infer_hop(table: pd.DataFrame, window_seconds: float) -> float:
    """The hop between windows of ``table`` (a prediction table with ``file`` and ``onset_s``):
    the smallest positive step between the onsets of a file (rounded to microseconds), or
    ``window_seconds`` where no file has two windows."""
    steps = []
    for _, rows in table.groupby("file", sort=False):
        onsets = np.sort(rows["onset_s"].to_numpy(dtype=np.float64))
        diff = np.round(np.diff(onsets), 6)
        if np.any(diff > 0):
            steps.append(float(diff[diff > 0].min()))
    return min(steps) if steps else float(window_seconds)


def windows_to_events(
    table: pd.DataFrame,
    window_seconds: float,
    *,
    hop_seconds: float | None = None,
    classes: Sequence[Any] | None = None,
    column: str = "prediction",
    min_event_seconds: float = 0.0,
    merge_gap_seconds: float = 0.0,
    span: str = "centred",
    threshold: float | Mapping[Any, float] | None = None,
) -> pd.DataFrame:
    """One row per event: runs of consecutive windows whose ``column`` is one of ``classes``
    (with ``threshold``: whose probability of the class is at least the threshold).

    ``table``: the window rows of ``eegpt probe predict`` (a DataFrame, e.g. ``pd.read_csv``
    of its CSV), with ``file``, ``onset_s`` (s from the recording's first sample), ``column``
    (``"prediction"``, or ``"label"`` for the scored events), optionally ``bad``, ``clock_s``,
    ``clock_time`` and ``p_CLASS``; rows of epochs files (no ``onset_s``) are skipped.
    ``window_seconds``: the probe's window length; ``hop_seconds``: seconds between window
    onsets (the window less ``--overlap``; default: inferred from the onsets,
    :func:`infer_hop`). ``classes``: the event classes (default: every class in ``column``),
    compared as text, so ``"1"`` finds the class ``1``. ``span``: ``"centred"`` or
    ``"windows"``, where events begin and end (see :mod:`eegpt.probe_events`); bad windows
    break events, and so does a recording gap between two windows (their ``clock_s`` further
    apart than their ``onset_s``); events of a class less than ``merge_gap_seconds`` (recorded
    seconds) apart are joined, unless a recording gap lies between them, then those shorter
    than ``min_event_seconds`` dropped.

    ``threshold`` (a decision threshold, for probabilities that are not calibrated: a probe
    whose seizure windows get 0.46 and background ones 0.45 predicts no seizure by its
    largest probability): a window is in an event of a class where its ``p_CLASS`` column is
    at least the threshold, whatever ``column`` says. A number (0 to 1) for one event class
    (a two-class probe's: its one non-background class, named by ``classes``), or a mapping
    ``{class: P}`` of one threshold per event class (default ``classes``: its keys; a window
    may then be in events of two classes). None (the default): the class ``column`` names
    (the largest probability).

    Returns a DataFrame with :data:`EVENT_COLUMNS`, sorted by file (in their order in
    ``table``), onset and class: ``onset_s``, ``offset_s``, ``duration_s`` in seconds,
    ``clock_s``/``clock_time`` of the onset and ``clock_end_s``/``clock_end_time`` of the end
    on the recording's clock (as the window table gives them: ``clock_time`` ISO 8601 text in
    one format for the column, blank for an undated recording), ``n_windows`` (the windows of the class in
    it), ``p_mean``/``p_max`` (the probability of the class over them; NaN without its
    ``p_CLASS`` column)."""
    if span not in SPANS:
        raise ValueError(f"span={span!r}: give one of {', '.join(SPANS)}")
    if window_seconds <= 0:
        raise ValueError(f"window_seconds={window_seconds}: give the windows' length in s (> 0)")
    for name in ("file", "onset_s", column):
        if name not in table.columns:
            raise ValueError(
                f"the table has no {name!r} column: give the window rows of eegpt probe "
                "predict (file, onset_s, prediction, ...), not scoring epochs or epochs files"
            )
    table = table[pd.notna(table["onset_s"]) & (table["onset_s"].astype(str) != "")]
    hop = infer_hop(table, window_seconds) if hop_seconds is None else float(hop_seconds)
    if not 0 < hop <= window_seconds + _TOLERANCE:
        raise ValueError(f"hop_seconds={hop}: give 0 < hop <= window_seconds ({window_seconds})")
    text = table[column].astype(str)
    if classes is None and isinstance(threshold, Mapping):
        classes = list(threshold)
    elif classes is None and threshold is not None:  # not the column's classes: 'bg' alone
        raise ValueError(
            f"threshold={threshold!r} is the threshold of one event class: name it "
            "(classes=['seizure']), or give {class: P}"
        )
    wanted = list(dict.fromkeys(text[pd.notna(table[column])])) if classes is None else classes
    cuts = None if threshold is None else class_thresholds(threshold, wanted, table)
    before = (window_seconds - hop) / 2 if span == "centred" else 0.0
    after = (window_seconds + hop) / 2 if span == "centred" else float(window_seconds)
    events: list[dict[str, Any]] = []
    files = list(pd.unique(table["file"]))
    for name in files:
        rows = table[table["file"] == name].sort_values("onset_s", kind="stable")
        # the columns an event's row reads, as arrays (read once per file, not per event)
        columns = {k: rows[k].to_numpy() for k in ("onset_s", "clock_s", "clock_time")
                   if k in rows}  # fmt: skip
        good = ~_is_bad(rows["bad"]) if "bad" in rows.columns else np.ones(len(rows), bool)
        onsets = rows["onset_s"].to_numpy(dtype=np.float64)
        clock = _clock_of(rows)
        for wanted_class in wanted:
            p_name = f"p_{wanted_class}"
            p = rows[p_name].to_numpy(np.float64) if p_name in rows else np.full(len(rows), np.nan)
            if cuts is None:
                inside = good & (rows[column].astype(str).to_numpy() == str(wanted_class))
                inside &= pd.notna(rows[column]).to_numpy()
            else:  # NaN (no probability) is below every threshold
                inside = good & (np.nan_to_num(p, nan=-1.0) >= cuts[str(wanted_class)])
            runs = _runs(onsets, inside, hop, clock)
            found = [
                {
                    "file": name,
                    "class": wanted_class,
                    "onset_s": onsets[i] + before,
                    "offset_s": onsets[j] + after,
                    "first": i,
                    "windows": list(range(i, j + 1)),
                }  # fmt: skip
                for i, j in runs
            ]
            for event in _merged(found, merge_gap_seconds, onsets, clock):
                event["last"] = event["windows"][-1]
                event["p"] = p[event.pop("windows")]
                event["rows"] = columns
                events.append(event)
    out = [_event_row(e) for e in events]
    out = [e for e in out if e["duration_s"] >= min_event_seconds - _TOLERANCE]
    frame = pd.DataFrame(out, columns=list(EVENT_COLUMNS))
    frame = frame.drop(columns=[c for c, of in _CLOCK_COLUMNS.items() if of not in table])
    for name in ("clock_time", "clock_end_time"):  # one format for the column
        if name in frame and len(frame):
            from eegpt.clock_times import uniform_iso

            frame[name] = uniform_iso(frame[name])
    order = {f: k for k, f in enumerate(files)}
    frame = frame.sort_values(
        ["file", "onset_s"], key=lambda c: c.map(order) if c.name == "file" else c, kind="stable"
    )
    return frame.reset_index(drop=True)


def class_thresholds(
    threshold: float | Mapping[Any, float], classes: Sequence[Any], table: pd.DataFrame
) -> dict[str, float]:
    """``{class (as text): P}``: the decision threshold of each event class of ``classes``
    (:func:`windows_to_events`' ``threshold``: a number for one class, or a mapping naming
    each), checked: 0 to 1, and a ``p_CLASS`` column in ``table`` to compare it with."""
    names = [str(c) for c in classes]
    if isinstance(threshold, Mapping):
        cuts = {str(c): v for c, v in threshold.items()}
        missing = [c for c in names if c not in cuts]
        if missing:
            raise ValueError(
                f"threshold={dict(threshold)!r} gives no threshold of the event class "
                f"{', '.join(missing)}: give one per event class ({{class: P}})"
            )
        cuts = {c: cuts[c] for c in names}
    else:
        if len(names) != 1:
            raise ValueError(
                f"threshold={threshold!r} is one probability, for one event class (a "
                f"two-class probe's); the event classes are {', '.join(names) or 'none'}: "
                "name one class (classes=['seizure']), or give one threshold per class "
                "({class: P})"
            )
        cuts = {names[0]: threshold}
    for name, value in cuts.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise ValueError(f"the threshold of {name!r} is {value!r}: give a probability (0 to 1)")
        if not 0 <= float(value) <= 1:
            raise ValueError(f"the threshold of {name!r} is {value}: give a probability (0 to 1)")
        if f"p_{name}" not in table.columns:
            raise ValueError(
                f"a threshold compares each window's probability of {name!r} with it, and the "
                f"table has no p_{name} column: give the window rows of eegpt probe predict "
                "with their probabilities"
            )
    return {name: float(value) for name, value in cuts.items()}


def _clock_of(rows: pd.DataFrame) -> np.ndarray | None:
    """The ``clock_s`` column of one file's ``rows`` (float64 s, ``(n,)``), or None where the
    table has none or a row lacks it (then no recording gap can be told)."""
    if "clock_s" not in rows:
        return None
    clock = pd.to_numeric(rows["clock_s"], errors="coerce").to_numpy(dtype=np.float64)
    return None if np.isnan(clock).any() else clock


def _paused(onsets: np.ndarray, clock: np.ndarray | None, i: int, j: int) -> bool:
    """Whether a recording gap lies between the onsets of windows ``i`` < ``j``: they are
    further apart on the recording's clock (``clock``, s) than in recorded seconds
    (``onsets``). False without a clock."""
    if clock is None:
        return False
    return bool(clock[j] - clock[i] - (onsets[j] - onsets[i]) > _TOLERANCE)


def _runs(
    onsets: np.ndarray, inside: np.ndarray, hop: float, clock: np.ndarray | None = None
) -> list[tuple[int, int]]:
    """``(first, last)`` row of each run of ``inside`` rows whose onsets (sorted, s) step by
    ``hop``: a row outside, a gap in the onsets (a window left out) or a recording gap
    between two windows (``clock``: their ``clock_s``, :func:`_paused`) ends a run."""
    runs: list[tuple[int, int]] = []
    start = None
    for k in range(len(onsets)):
        if not inside[k]:
            start = None
            continue
        if (
            start is None
            or abs(onsets[k] - onsets[k - 1] - hop) > _TOLERANCE
            or _paused(onsets, clock, k - 1, k)
        ):
            runs.append((k, k))
        else:
            runs[-1] = (runs[-1][0], k)
        start = k
    return runs


def _merged(
    events: list[dict[str, Any]],
    gap: float,
    onsets: np.ndarray | None = None,
    clock: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """``events`` of one class of one file (in onset order) with those less than ``gap`` s
    apart, or overlapping, joined; never two with a recording gap between their windows
    (``onsets`` and ``clock`` of the file's windows, :func:`_paused`)."""
    out: list[dict[str, Any]] = []
    for event in events:
        last = out[-1]["windows"][-1] if out else None
        if last is not None and onsets is not None:
            if _paused(onsets, clock, last, event["windows"][0]):
                out.append(event)
                continue
        if out:
            between = event["onset_s"] - out[-1]["offset_s"]
            if between < -_TOLERANCE or between < gap - _TOLERANCE:
                out[-1]["offset_s"] = max(out[-1]["offset_s"], event["offset_s"])
                out[-1]["windows"] += event["windows"]
                continue
        out.append(event)
    return out


def _event_row(event: dict[str, Any]) -> dict[str, Any]:
    """An event's row of :data:`EVENT_COLUMNS` from its runs' windows (``event["rows"]``: the
    ``onset_s``, ``clock_s``, ``clock_time`` arrays of its file's windows): its clock onset from
    that of its first window shifted by the event's onset less the window's, its clock end
    from that of its last window shifted by the event's offset less the window's onset (no
    recording gap lies between its windows)."""
    rows, first, last, p = event["rows"], event["first"], event["last"], event["p"]
    shift = event["onset_s"] - float(rows["onset_s"][first])
    end_shift = event["offset_s"] - float(rows["onset_s"][last])
    clock_s = clock_end_s = clock_time = clock_end_time = None
    if "clock_s" in rows and pd.notna(rows["clock_s"][first]):
        clock_s = float(rows["clock_s"][first]) + shift
    if "clock_s" in rows and pd.notna(rows["clock_s"][last]):
        clock_end_s = float(rows["clock_s"][last]) + end_shift
    if "clock_time" in rows:
        moment, end = rows["clock_time"][first], rows["clock_time"][last]
        if isinstance(moment, str) and moment:
            clock_time = _shifted_moment(moment, shift)
        if isinstance(end, str) and end:
            clock_end_time = _shifted_moment(end, end_shift)
    return {
        "file": event["file"], "class": event["class"],
        "onset_s": float(event["onset_s"]), "offset_s": float(event["offset_s"]),
        "duration_s": float(event["offset_s"] - event["onset_s"]),
        "clock_s": clock_s, "clock_end_s": clock_end_s, "clock_time": clock_time,
        "clock_end_time": clock_end_time, "n_windows": len(p),
        "p_mean": float(np.mean(p)) if len(p) else float("nan"),
        "p_max": float(np.max(p)) if len(p) else float("nan"),
    }  # fmt: skip


def _shifted_moment(moment: str, seconds: float) -> str:
    """The ISO 8601 text ``moment`` (``"2026-03-01T12:00:00"``, perhaps with microseconds or an
    offset) ``seconds`` later, to the microsecond where it is not a whole second."""
    from datetime import datetime, timedelta

    shifted = datetime.fromisoformat(moment) + timedelta(microseconds=round(seconds * 1e6))
    spec = "seconds" if shifted.microsecond == 0 and "." not in moment else "microseconds"
    return shifted.isoformat(timespec=spec)


def event_scores(
    predicted: pd.DataFrame,
    scored: pd.DataFrame,
    hours: float,
    classes: Sequence[Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Event-level scores per class of ``predicted`` events against ``scored`` ones (both
    tables of :func:`windows_to_events`; the scored from ``column="label"``), over ``hours``
    of recording, as seizure detection is scored (TUH Seizure Corpus, NEDC, SzCORE): ``{class:
    {"scored_events", "predicted_events", "ovlp": {...}, "taes": {...}}}``, each of ``ovlp``
    and ``taes`` with ``hits``, ``misses``, ``false_alarms``, ``sensitivity``,
    ``precision``, ``f1`` and ``false_alarms_per_24h``. Events are compared with those of
    their class and file only; ``classes`` (compared as text): the classes scored, those with
    no event too (default: every class of either table).

    OVLP (any-overlap): a scored event is a hit where a predicted event overlaps it (by more
    than nothing), else a miss; a predicted event that overlaps no scored event is a false
    alarm. Sensitivity = hits / scored events; precision = hits / (hits + false alarms) (hits
    counted over the scored events, so one predicted event over two seizures gives 2 hits
    and two over one seizure 1: as NEDC's and SzCORE's any-overlap scoring count them).

    TAES (time-aligned event scoring, after Shah et al. 2021): each scored event's hit is the
    fraction of it that predicted events cover (their union's overlap / its duration, at most
    1), its miss 1 less that; each predicted event's false alarm is the fraction of it outside
    every scored event (seconds outside / its duration: 1 for one that overlaps nothing, 0.5
    for one half past a seizure's end). Sensitivity = sum of hits / scored events; precision =
    sum of hits / (sum of hits + sum of false alarms).

    Both: F1 = 2 hits / (2 hits + misses + false alarms), the harmonic mean of sensitivity and
    precision (0 where nothing is hit); false alarms per 24 h = false alarms / ``hours`` x 24.
    Undefined values are NaN (not an error): sensitivity without scored events, precision
    without hits or false alarms, F1 without any event, the rate for 0 hours.

    Where this may differ from NEDC's scoring software (nedc_eval_eeg): its TAES divides the
    part of a predicted event outside a scored event by the *scored* event's duration (capped
    at 1) and walks events overlapping several others its own way, where this divides by the
    predicted event's own duration; NEDC also scores the background class and sums false
    alarms over classes in its totals, where these are per event class. SzCORE's any-overlap
    scoring further widens events by tolerances (30 s before, 60 s after), merges and splits
    them; here only ``--merge-gap-seconds`` / ``--min-event-seconds`` shape them, as given."""
    out: dict[str, dict[str, Any]] = {}
    names = [*scored["class"].astype(str), *predicted["class"].astype(str)]
    for name in dict.fromkeys(names if classes is None else [str(c) for c in classes]):
        mine = predicted[predicted["class"].astype(str) == name]
        truth = scored[scored["class"].astype(str) == name]
        # each event against those of its file only, as arrays (not rows: a sweep scores
        # thousands of events)
        theirs, ours = _by_file(truth), _by_file(mine)
        none = (np.empty(0), np.empty(0))
        found, hit, false, outside = [], [], [], []
        for f, (on, off) in theirs.items():
            others = ours.get(f, none)
            found += [_overlaps(a, b, others) for a, b in zip(on, off, strict=True)]
            hit += [min(1.0, _covered(a, b, others)) for a, b in zip(on, off, strict=True)]
        for f, (on, off) in ours.items():
            others = theirs.get(f, none)
            false += [not _overlaps(a, b, others) for a, b in zip(on, off, strict=True)]
            outside += [1.0 - min(1.0, _covered(a, b, others))
                        for a, b in zip(on, off, strict=True)]  # fmt: skip
        out[name] = {
            "scored_events": len(truth),
            "predicted_events": len(mine),
            "ovlp": _rates(sum(found), len(truth) - sum(found), sum(false), len(truth), hours),
            "taes": _rates(float(sum(hit)), len(truth) - float(sum(hit)), float(sum(outside)),
                           len(truth), hours),
        }  # fmt: skip
    return out


def recording_event_scores(
    predicted: pd.DataFrame,
    scored: pd.DataFrame,
    hours: Mapping[str, float],
    classes: Sequence[Any],
) -> dict[str, dict[str, Any]]:
    """The event scores of each recording alone: ``{file: {"hours": h, "classes": {class:
    {...}}}}`` for each file of ``hours`` (its hours of windows scored; a seizure-free
    recording too, whose events are all false alarms), in its order; each class (as text)
    with ``scored_events``, ``predicted_events``, the OVLP ``hits``, ``misses``,
    ``false_alarms``, ``sensitivity`` (NaN without scored events), ``precision``, ``f1``,
    ``false_alarms_per_24h`` and ``false_alarms_per_hour``, and TAES's ``taes_sensitivity``
    and ``taes_false_alarms_per_24h`` (:func:`event_scores` of the file's events:
    ``predicted`` and ``scored`` tables of :func:`windows_to_events`)."""
    out: dict[str, dict[str, Any]] = {}
    for name, h in hours.items():
        mine = event_scores(predicted[predicted["file"] == name],
                            scored[scored["file"] == name], h, classes=classes)  # fmt: skip
        per_class = {}
        for c, s in mine.items():
            ovlp = s["ovlp"]
            per_class[c] = {
                "scored_events": s["scored_events"], "predicted_events": s["predicted_events"],
                **{k: ovlp[k] for k in ("hits", "misses", "false_alarms", "sensitivity",
                                        "precision", "f1", "false_alarms_per_24h")},
                "false_alarms_per_hour": ovlp["false_alarms"] / h if h > 0 else float("nan"),
                "taes_sensitivity": s["taes"]["sensitivity"],
                "taes_false_alarms_per_24h": s["taes"]["false_alarms_per_24h"],
            }  # fmt: skip
        out[str(name)] = {"hours": float(h), "classes": per_class}
    return out


def recording_events_text(per_recording: Mapping[str, Mapping[str, Any]]) -> str:
    """:func:`recording_event_scores` as the lines ``probe evaluate --event-scoring`` prints of
    several recordings: per class, each recording's scored events, hits, false alarms (per
    24 h and per hour), OVLP sensitivity and hours of windows."""
    classes = list(dict.fromkeys(c for r in per_recording.values() for c in r["classes"]))
    lines = []
    for c in classes:
        lines.append(f"events per recording ({c}, OVLP; each scored alone):")
        lines.append("  scored  hits  false alarms  per 24 h  per hour  sensitivity     hours  "
                     "recording")  # fmt: skip
        for name, r in per_recording.items():
            s = r["classes"].get(c)
            if s is None:
                continue
            lines.append(
                f"  {s['scored_events']:>6}  {s['hits']:>4}  {s['false_alarms']:>12}  "
                f"{number_text(s['false_alarms_per_24h']):>8}  "
                f"{number_text(s['false_alarms_per_hour']):>8}  "
                f"{percent_text(s['sensitivity']):>11}  {r['hours']:>8.2f}  {name}"
            )
    if any(s["scored_events"] == 0 for r in per_recording.values() for s in r["classes"].values()):
        lines.append("sensitivity n/a: a recording without events of the class (its false "
                     "alarms still count)")  # fmt: skip
    return "\n".join(lines)


#: The thresholds of :func:`operating_points` by default (``probe evaluate --event-scoring``'s
#: sweep): 0.05 to 0.95 every 0.05, with those of :data:`SWEEP_FRACTIONS`.
SWEEP_THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(1, 20))

#: The fractions of windows at or above the thresholds :func:`operating_points` adds to
#: :data:`SWEEP_THRESHOLDS`: where a probe's probabilities are not calibrated (all between
#: 0.44 and 0.47), the grid's steps of 0.05 miss them, these do not.
SWEEP_FRACTIONS = (0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001)


def sweep_thresholds(p: np.ndarray) -> list[float]:
    """The thresholds :func:`operating_points` sweeps by default for a class whose windows'
    probabilities are ``p`` ``(n_windows,)``: :data:`SWEEP_THRESHOLDS` and, for each fraction
    of :data:`SWEEP_FRACTIONS`, the largest probability at or above which that fraction of
    the windows (at least one) lies (a window's own probability); sorted, once each."""
    p = np.sort(np.asarray(p, dtype=np.float64)[np.isfinite(p)])[::-1]
    extra = (
        {float(p[max(1, int(np.ceil(f * len(p)))) - 1]) for f in SWEEP_FRACTIONS}
        if len(p)
        else set()
    )
    return sorted(set(SWEEP_THRESHOLDS) | extra)


def operating_points(
    table: pd.DataFrame,
    window_seconds: float,
    hours: float,
    classes: Sequence[Any],
    thresholds: Sequence[float] | None = None,
    *,
    hop_seconds: float | None = None,
    min_event_seconds: float = 0.0,
    merge_gap_seconds: float = 0.0,
    span: str = "centred",
    also: Mapping[Any, float] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The events of each decision threshold scored, to choose one from: ``{class: [one dict
    per threshold]}`` (classes as text), each with ``threshold``, ``predicted_events``, the
    OVLP ``sensitivity``, ``false_alarms``, ``false_alarms_per_24h``, ``precision`` and ``f1``
    (any-overlap: as seizure detection is usually reported) and TAES's ``taes_sensitivity``
    and ``taes_false_alarms_per_24h`` (:func:`event_scores`; NaN where undefined).

    ``table``: the window rows (as :func:`windows_to_events` takes them) with the labels
    (``label``) and each event class's probability (``p_CLASS``); the predicted events of a
    threshold P are :func:`windows_to_events` with ``threshold={class: P}`` (a window is the
    class's where its probability is at least P), shaped by ``min_event_seconds`` and
    ``merge_gap_seconds``; the scored events are the runs of the labels as they are (neither
    applies to them). ``hours``: the hours of windows scored (false alarms per 24 h);
    ``thresholds``: any probabilities (e.g. the distinct ones of ``p_CLASS``); default
    (:func:`sweep_thresholds`, per class): 0.05 to 0.95 every 0.05, and the probabilities at
    or above which 50%, 20%, 10%, 5%, 2%, 1%, 0.5%, 0.2% and 0.1% of the windows (not bad)
    lie: those of a probe whose probabilities are not calibrated too; ``also``: ``{class: P}``
    added to the class's thresholds (the one in use, ``--threshold``). A lower threshold finds
    more seizures and raises more false alarms."""
    shape: dict[str, Any] = dict(hop_seconds=hop_seconds, span=span)
    scored = windows_to_events(table, window_seconds, column="label", classes=classes, **shape)
    out: dict[str, list[dict[str, Any]]] = {}
    good = ~_is_bad(table["bad"]) if "bad" in table.columns else np.ones(len(table), bool)
    for name in classes:
        if thresholds is None:
            if f"p_{name}" not in table.columns:
                raise ValueError(f"the table has no p_{name} column to sweep thresholds of")
            cuts = sweep_thresholds(table[f"p_{name}"].to_numpy(np.float64)[good])
        else:
            cuts = [float(t) for t in thresholds]
        extra = {str(c): float(v) for c, v in (also or {}).items()}
        if str(name) in extra:
            cuts = sorted({*cuts, extra[str(name)]})
        rows = []
        for cut in cuts:
            predicted = windows_to_events(
                table, window_seconds, classes=[name], threshold={name: cut}, **shape,
                min_event_seconds=min_event_seconds, merge_gap_seconds=merge_gap_seconds,
            )  # fmt: skip
            s = event_scores(predicted, scored, hours, classes=[name])[str(name)]
            rows.append({
                "threshold": cut, "predicted_events": s["predicted_events"],
                **{k: s["ovlp"][k] for k in ("sensitivity", "false_alarms",
                                             "false_alarms_per_24h", "precision", "f1")},
                "taes_sensitivity": s["taes"]["sensitivity"],
                "taes_false_alarms_per_24h": s["taes"]["false_alarms_per_24h"],
            })  # fmt: skip
        out[str(name)] = rows
    return out


def operating_points_text(points: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """:func:`operating_points` as the lines ``probe evaluate --event-scoring`` prints: per
    class, each threshold's OVLP sensitivity, false alarms per 24 h and predicted events."""
    lines = []
    for name, rows in points.items():
        lines.append(f"operating points of {name} (OVLP; choose one with --threshold P):")
        lines.append("  threshold  sensitivity  false alarms/24 h  predicted events")
        for r in rows:
            lines.append(
                f"  {r['threshold']:>9.4g}  {percent_text(r['sensitivity']):>11}  "
                f"{number_text(r['false_alarms_per_24h']):>17}  {r['predicted_events']:>16}"
            )
    return "\n".join(lines)


def _rates(hits: float, misses: float, false: float, n: int, hours: float) -> dict[str, float]:
    """The scores of ``hits``, ``misses`` and ``false`` alarms of ``n`` scored events over
    ``hours`` (see :func:`event_scores`); NaN where undefined."""
    nan = float("nan")
    return {
        "hits": hits, "misses": misses, "false_alarms": false,
        "sensitivity": hits / n if n else nan,
        "precision": hits / (hits + false) if hits + false > 0 else nan,
        "f1": 2 * hits / (2 * hits + misses + false) if 2 * hits + misses + false > 0 else nan,
        "false_alarms_per_24h": false / hours * 24 if hours > 0 else nan,
    }  # fmt: skip


def _by_file(events: pd.DataFrame) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
    """``{file: (onsets, offsets)}`` of ``events`` (s, float64 ``(n,)`` each), by file."""
    on = events["onset_s"].to_numpy(np.float64)
    off = events["offset_s"].to_numpy(np.float64)
    files = events["file"].to_numpy()
    return {f: (on[files == f], off[files == f]) for f in dict.fromkeys(files.tolist())}


def _overlapping(onset: float, offset: float, same: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Which of the events ``same`` (onsets, offsets, s) overlap ``[onset, offset]`` by more
    than nothing (beyond :data:`_TOLERANCE`): the one test of OVLP and TAES, so that an event
    of no duration at another's edge counts alike for both (as touching only, not
    overlapping)."""
    return np.asarray((same[0] < offset - _TOLERANCE) & (same[1] > onset + _TOLERANCE))


def _overlaps(onset: float, offset: float, same: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether the event ``[onset, offset]`` overlaps (by more than nothing) any of ``same``
    (the events of its file: onsets, offsets)."""
    return bool(np.any(_overlapping(onset, offset, same)))


def _covered(onset: float, offset: float, same: tuple[np.ndarray, np.ndarray]) -> float:
    """The fraction of the event ``[onset, offset]`` that ``same`` (the events of its file:
    onsets, offsets) cover (their union, so time under two of them counts once); for an event
    of no duration, 1 where one overlaps it as :func:`_overlaps` tests it (inside, not at an
    edge), else 0."""
    onset, offset = float(onset), float(offset)
    starts = np.maximum(same[0], onset)
    ends = np.minimum(same[1], offset)
    keep = ends > starts
    if offset - onset <= _TOLERANCE:
        return 1.0 if _overlaps(onset, offset, same) else 0.0
    from eegpt.annotation_labels import union_length

    spans = list(zip(starts[keep].tolist(), ends[keep].tolist(), strict=True))
    return union_length(spans) / (offset - onset)


def _counted(value: float, digits: int, noun: str) -> str:
    """``"1 hit"``, ``"3 hits"``, ``"1.50 hits"``: a count (``digits`` decimals) and ``noun``,
    plural but for exactly 1."""
    return f"{value:.{digits}f} {noun}{'' if value == 1 else 's'}"


def event_scores_text(
    scores: dict[str, dict[str, Any]],
    hours: float,
    threshold: Mapping[str, float] | None = None,
) -> str:
    """:func:`event_scores` as the lines ``probe predict --events`` and ``probe evaluate
    --event-scoring`` print: per class, its scored and predicted events, then OVLP's and
    TAES's sensitivity, precision, F1 and false alarms (per 24 h); n/a where undefined.
    ``threshold``: ``{class: P}`` of ``--threshold``, said in the first line."""
    cut = ""
    if threshold:
        cut = "; predicted where " + ", ".join(f"p_{c} >= {p:g}" for c, p in threshold.items())
    lines = [f"events against the scored labels ({hours:.2f} h of windows{cut}):"]
    for name, s in scores.items():
        lines.append(f"  {name}: {_counted(s['scored_events'], 0, 'scored event')}, "
                     f"{s['predicted_events']} predicted")  # fmt: skip
        for key, what in (("ovlp", "OVLP"), ("taes", "TAES")):
            r = s[key]
            digits = 0 if key == "ovlp" else 2
            lines.append(
                f"    {what}: sensitivity {percent_text(r['sensitivity'])} "
                f"({_counted(r['hits'], digits, 'hit')}, {r['misses']:.{digits}f} missed), "
                f"precision {percent_text(r['precision'])}, F1 {percent_text(r['f1'])}, "
                f"{_counted(r['false_alarms'], digits, 'false alarm')} "
                f"({number_text(r['false_alarms_per_24h'])} per 24 h)"
            )
    return "\n".join(lines)
