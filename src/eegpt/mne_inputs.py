"""MNE objects made a :class:`~eegpt.recording.Recording`: the samples of the picked channels,
and what the Raw or Epochs says of them.

:func:`recording_of_mne` reads a Raw's or Epochs' samples (volts, shape (n_channels, n_times)
or (n_epochs, n_channels, n_times)) with what it records: channel types, the channels left out
and why (:func:`left_out_channels`; :func:`mark_bad` marks more of them bad), the units its
file states (:func:`file_units_of`), annotations, the epochs' onsets (s, :func:`events_sfreq`)
and event names (:func:`epochs_labels`), baseline correction and detrending, filters,
projectors, the measurement date and the clock it is on (:func:`date_clock`).
:func:`mne_source` names the file an MNE object was read from as a user names it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mne
import numpy as np

from eegpt._dates import ANONYMIZED_CLOCK, is_anonymized_start
from eegpt._eeglab import event_names, time_locked
from eegpt._logging import few, mne_state_held, mne_verbose
from eegpt._logging import log as _log
from eegpt._rates import at_taken_rate, taken_rate
from eegpt.annotations import annotations_of, file_offset
from eegpt.array_inputs import MNE_MASKED_HOW
from eegpt.brainvision_files import VOLT_SPELLINGS
from eegpt.channel_picks import pick_indices
from eegpt.edf_files import EDFHeader, edf_unit_scale
from eegpt.errors import RecordingError
from eegpt.mixed_rates import channel_rates, check_whole_reads
from eegpt.recording import Recording, recording_summary, refuse_masked_samples
from eegpt.rename_tables import Rename, label_electrodes, label_hint
from eegpt.ssp_projectors import stored_projections, unapplied_projectors
from eegpt.vocabulary import normalize_channel_name, plain_label


def mark_bad(
    inst: mne.io.BaseRaw | mne.BaseEpochs,
    names: Sequence[str],
    source: str,
    rename: Rename | None = None,
) -> None:
    """Add the channels ``names`` to ``inst.info["bads"]`` (in place), as if the file marked
    them bad: left out of type-based picks, so of the embedding and the average reference, and
    recorded as ``"bad"`` by :func:`left_out_channels`. A name is a label of the recording
    (spaces around it ignored: EDF pads its labels), or the vocabulary electrode one of its
    channels maps to after ``rename`` (as :func:`eegpt.channels.map_channels` maps them):
    ``C3`` for ``EEG C3-REF``, or for the socket ``A13`` under ``rename="biosemi64"``.

    Raises
    ------
    RecordingError
        If the recording has no channel of one of ``names``, naming the close ones it has.
    """
    if not names:
        return
    labels: dict[str, str] = {}
    for name in inst.ch_names:
        labels.setdefault(plain_label(name), name)
    exact = set(inst.ch_names)
    found = [name if name in exact else labels.get(plain_label(name)) for name in names]
    if None in found:  # an electrode's name: the channel that maps to it
        by_electrode: dict[str, str] = {}
        for label, electrode in label_electrodes(inst.ch_names, rename).items():
            by_electrode.setdefault(electrode, label)
        found = [
            hit if hit is not None else by_electrode.get(normalize_channel_name(name) or "")
            for name, hit in zip(names, found, strict=True)
        ]
    missing = [name for name, hit in zip(names, found, strict=True) if hit is None]
    if missing:
        raise RecordingError(
            f"{source}: the channel(s) {missing} to mark bad (bads) are not in the recording, "
            f"whose channels are {few(inst.ch_names)}.{label_hint(missing, inst.ch_names)} "
            "Give the labels as the file spells them, or the electrodes they map to (after "
            "--rename)"
        )
    marked = inst.info["bads"]
    inst.info["bads"] = [*marked, *(n for n in dict.fromkeys(found) if n not in marked)]


def left_out_channels(info: Any, names: Sequence[str]) -> dict[str, str] | None:
    """The channels of ``info`` not among the picked ``names``, each with why: ``"bad"`` (in
    ``info["bads"]``), ``"not picked"`` (of a type that was picked: explicit picks left it
    out) or its channel type; None when the picks took every channel."""
    used = set(names)
    types = dict(zip(info["ch_names"], info.get_channel_types(), strict=True))
    picked = {types[name] for name in names}
    out = {
        name: "bad"
        if name in info["bads"]
        else "not picked"
        if types[name] in picked
        else types[name]
        for name in info["ch_names"]
        if name not in used
    }
    return out or None


def file_units_of(raw: mne.io.BaseRaw, header: EDFHeader | None) -> dict[str, str] | None:
    """Channel name -> unit string as the file's header states it: an EDF/BDF file's physical
    dimensions (``header``), else the units MNE's reader took from the header of formats that
    state one per channel (BrainVision's .vhdr: ``raw._orig_units``, its "µV" default
    included); None where the file states none (FIF, EEGLAB, ...).

    MNE drops annotation signals and may rename duplicate labels; channels whose label cannot be
    matched are left out, and so are BrainVision channels in nanovolts (which MNE converts, but
    an EDF reader would not: the unit check would misname them) and those typed misc in a
    voltage unit (a spelling MNE's BrainVision reader does not know, ``uv``, read as volts, whose
    ``raw._orig_units`` MNE remaps to ``µV``) that eegpt did not convert
    (:func:`~eegpt.brainvision_files.convert_brainvision_units`): the unit checks would take
    them for converted.
    """
    if header is None:
        if type(raw).__name__ != "RawBrainVision":  # from a .vhdr (an .ahdr's too)
            return None  # other readers' units are MNE's own, not the header's
        stated = getattr(raw, "_orig_units", None) or {}
        types = dict(zip(raw.ch_names, raw.get_channel_types(), strict=True))
        return {
            n: str(stated[n])
            for n in raw.ch_names
            if n in stated
            and stated[n] != "nV"
            and not (types[n] == "misc" and stated[n] in VOLT_SPELLINGS)
        } or None
    by_label = {header.labels[k]: header.units[k] for k in header.data_signals}
    return {name: by_label[name] for name in raw.ch_names if name in by_label}


def file_ranges_of(
    names: Sequence[str], header: EDFHeader | None
) -> list[tuple[float, float]] | None:
    """Each of the channels ``names``' range in an EDF/BDF file, in volts (``header``'s
    physical minimum and maximum, lowest first, times the volts of its physical dimension:
    :func:`~eegpt.edf_files.edf_unit_scale`), as :attr:`Recording.ranges
    <eegpt.recording.Recording.ranges>` holds them: NaN for a channel whose label or unit is
    not matched; None for other formats."""
    if header is None or not header.physical:
        return None
    by_label = {
        header.labels[k]: (header.physical[k], edf_unit_scale(header.units[k]))
        for k in header.data_signals
    }
    ranges = []
    for name in names:
        (low, high), scale = by_label.get(name, ((math.nan, math.nan), None))
        scale = math.nan if scale is None else scale
        ranges.append((min(low, high) * scale, max(low, high) * scale))
    return ranges


def recording_of_mne(
    inst: mne.io.BaseRaw | mne.BaseEpochs,
    picks: Any,
    source: str,
    verbose: Any,
    file_units: dict[str, str] | None = None,
    *,
    keep: str | Sequence[str] | None = None,
    rename: Any = None,
) -> Recording:
    """``inst``'s channels of ``picks`` as a :class:`~eegpt.recording.Recording` (volts),
    named ``source`` in messages; ``keep`` and ``rename``, the channels the mapping will keep
    and its drops, only decide which channels marked bad left out are warned of
    (:func:`eegpt.channel_picks.pick_indices`)."""
    idx = pick_indices(inst.info, picks, source, keep=keep, rename=rename, verbose=verbose)
    check_whole_reads(inst, idx, source)
    names = [inst.ch_names[i] for i in idx]
    all_types = inst.get_channel_types()
    types = [all_types[i] for i in idx]
    sfreq = float(inst.info["sfreq"])
    with mne_state_held():
        data = inst.get_data(picks=idx, verbose=mne_verbose(verbose))  # lazy epochs log loading
    # mne.io.RawArray keeps the mask of a masked array it was made from: not read, as arrays'
    refuse_masked_samples(data, f"{source}: its data is a NumPy masked array", MNE_MASKED_HOW)
    units = None
    if file_units is not None and all(name in file_units for name in names):
        units = [file_units[name] for name in names]
    onsets = labels = annotations = per_epoch = selection = metadata = rates = None
    raw = isinstance(inst, mne.io.BaseRaw)
    if raw:
        annotations = annotations_of(inst)
        stored = channel_rates(inst)
        rates = None if stored is None else [float(stored[i]) for i in idx]
    elif inst.annotations is not None and len(inst.annotations):
        per_epoch = epoch_annotations(inst)
    if isinstance(inst, mne.BaseEpochs):
        events = inst.events[:, 0]
        if not placeholder_events(inst):
            onsets = events / taken_rate(events_sfreq(inst)) + epochs_tmin(inst)
        labels = epochs_labels(inst).tolist()
        if not np.array_equal(inst.selection, np.arange(len(inst.selection))):
            selection = [int(i) for i in inst.selection]
        if inst.metadata is not None:
            metadata = inst.metadata
    rec = Recording(
        data, names, sfreq, source=source, ch_types=types, onsets=onsets, units=units,
        labels=labels, annotations=annotations, epoch_annotations=per_epoch,
        first_time=at_taken_rate(float(inst.first_time), sfreq) if raw else None,
        file_offset=at_taken_rate(file_offset(inst), sfreq) if raw else None,
        meas_date=measurement_date(inst.info), selection=selection, epochs_metadata=metadata,
        date_clock=date_clock(inst) if inst.info.get("meas_date") is not None else None,
        projectors=unapplied_projectors(inst.info) or None, rates=rates,
        projections=stored_projections(inst.info),
        bads=[n for n in inst.info["bads"] if n not in names] or None,
        left_out=left_out_channels(inst.info, names), filters=recorded_filters(inst.info),
        baseline=epochs_baseline(inst) if isinstance(inst, mne.BaseEpochs) else None,
        tmin=epochs_tmin(inst) if isinstance(inst, mne.BaseEpochs) else None,
        baseline_recorded=isinstance(inst, mne.BaseEpochs) and not _from_eeglab(inst),
        detrend=epochs_detrend(inst) if isinstance(inst, mne.BaseEpochs) else None,
        detrend_recorded=epochs_detrend_known(inst),
        custom_ref=custom_reference(inst.info),
    )  # fmt: skip
    _log(recording_summary(rec), verbose)
    return rec


def placeholder_events(epochs: mne.BaseEpochs) -> bool:
    """Whether ``epochs``' events are the placeholders ``mne.EpochsArray`` gives epochs
    without events (samples 0, 1, 2 ...: each epoch's event sample is its index), kept by a
    selection of them (``epochs[3:]``: samples 3, 4 ...; dropped epochs leave gaps), so
    that their onsets number them end to end, not as real event times: the event samples
    equal ``epochs.selection``. Real events cannot be so once the epochs are longer than a
    sample (the events before would lie one sample apart, the epochs overlapping by all but
    one sample)."""
    events = epochs.events[:, 0]
    if np.array_equal(events, np.arange(len(events))):
        return True
    return len(epochs.times) > 1 and np.array_equal(events, epochs.selection)


def epochs_tmin(epochs: mne.BaseEpochs) -> float:
    """``epochs.tmin`` (s: the first sample's time relative to the event) at the rate the
    samples are taken at (:func:`eegpt._rates.at_taken_rate`): -128 samples are -0.5 s for
    epochs of a BrainVision recording from a 256 Hz amplifier, where MNE counts -0.49997 s at
    its 256.016 Hz, so that epochs and the windows of their Raw share one time scale."""
    return at_taken_rate(float(epochs.tmin), float(epochs.info["sfreq"]))


def events_sfreq(epochs: mne.BaseEpochs) -> float:
    """The rate (Hz) that ``epochs.events[:, 0]`` count samples at: the Raw's the epochs were
    cut from. MNE keeps the events in the Raw's sample numbering when the epochs are decimated
    (``decim=``, ``epochs.decimate``) or resampled, and records that rate (``_raw_sfreq``, kept
    through ``save``/``read_epochs``); epochs that do not record it (``EpochsArray`` without
    ``raw_sfreq``, MNE releases without it) count at their own rate, ``info["sfreq"]``."""
    recorded = getattr(epochs, "_raw_sfreq", None)  # read_epochs gives a 1-element array
    try:
        rates = np.asarray(recorded if recorded is not None else [], dtype=float).ravel()
    except (TypeError, ValueError):
        rates = np.array([])
    if rates.size == 1 and np.isfinite(rates[0]) and rates[0] > 0:
        return float(rates[0])
    return float(epochs.info["sfreq"])


def _from_eeglab(epochs: mne.BaseEpochs) -> bool:
    """Whether ``epochs`` were read from an EEGLAB ``.set`` file, which records no baseline
    correction (EEGLAB's pop_rmbase leaves no trace MNE reads)."""
    return type(epochs).__name__ == "EpochsEEGLAB"


def epochs_baseline(epochs: mne.BaseEpochs) -> tuple[float | None, float | None] | None:
    """The interval MNE baseline-corrected ``epochs`` over (``epochs.baseline``, seconds
    relative to the event; None for either end left open), or None when it did not
    (``baseline=None``)."""
    baseline = getattr(epochs, "baseline", None)
    if baseline is None:
        return None
    start, end = baseline
    return (
        None if start is None else float(start),
        None if end is None else float(end),
    )


def custom_reference(info: Any) -> bool:
    """Whether MNE re-referenced a recording to a reference of the user's
    (``info["custom_ref_applied"]`` set by ``set_eeg_reference``, other than the average
    projector): eegpt's average reference replaces it."""
    return bool(info.get("custom_ref_applied"))


def epochs_detrend(epochs: mne.BaseEpochs) -> int | None:
    """The order of the trend MNE removed from each epoch as it cut ``epochs``
    (``epochs.detrend``: 0 the mean, the DC offset; 1 a least-squares line), or None for none
    (the default) or where the epochs do not say (read from a file, which does not store it)."""
    order = getattr(epochs, "detrend", None)
    return None if order is None else int(order)


def epochs_detrend_known(inst: Any) -> bool:
    """Whether ``inst`` tells the trend MNE removed from its epochs: epochs made in memory
    (``mne.Epochs`` keeps its ``detrend``; ``mne.EpochsArray`` has none) do, epochs read from
    a file do not (``-epo.fif`` stores no detrend, so ``epochs.detrend`` reads None whatever
    was done before saving), nor does anything else."""
    return isinstance(inst, (mne.Epochs, mne.EpochsArray))


def recorded_filters(info: Any) -> dict[str, float]:
    """The band an MNE recording was filtered to, for the provenance: ``{"highpass_hz": ...,
    "lowpass_hz": ...}`` from ``info`` (MNE's defaults, 0 and half the sampling rate, where
    nothing narrower is known)."""
    return {"highpass_hz": float(info["highpass"]), "lowpass_hz": float(info["lowpass"])}


def epoch_annotations(epochs: mne.BaseEpochs) -> list[list[str]]:
    """The descriptions of the annotations over each epoch, by the rule MNE applies when it
    cuts epochs (``reject_by_annotation``): ``onset < epoch end`` and ``onset + duration >
    epoch start``, so that epochs MNE kept are not flagged for a zero-duration annotation at
    their first sample (``Epochs.get_annotations_per_epoch`` counts that one too)."""
    start = float(epochs.tmin)
    end = start + len(epochs.times) / float(epochs.info["sfreq"])
    tol = 1e-6  # seconds: MNE's epoch-relative onsets carry rounding error
    out = []
    for ann in epochs.get_annotations_per_epoch():
        over = (d for onset, duration, d, *_ in ann if onset < end - tol and onset + duration > start + tol)  # fmt: skip
        out.append(list(dict.fromkeys(str(d) for d in over)))
    return out


#: The MNE readers whose measurement date is on a known clock (class name: clock): FIF stores
#: its date in UTC and EGI's ``.mff`` one with its zone (MNE brings it to UTC); EDF/BDF and
#: Nihon Kohden headers and BrainVision's ``New Segment`` marker hold the lab's local wall
#: clock, which MNE labels UTC all the same.
DATE_CLOCKS = {
    "mne.io.fiff.raw.Raw": "utc",
    "mne.epochs.EpochsFIF": "utc",
    "mne.io.egi.egimff.RawMff": "utc",
    "mne.io.edf.edf.RawEDF": "local",
    "mne.io.edf.edf.RawBDF": "local",
    "mne.io.brainvision.brainvision.RawBrainVision": "local",
    "mne.io.nihon.nihon.RawNihon": "local",  # the header's time, labelled UTC by MNE
}  # GDF: not said (its start's zone is not settled here): "unknown"


def date_clock(inst: Any) -> str:
    """Which clock ``inst.info["meas_date"]`` is on, by the reader that made ``inst``
    (:data:`DATE_CLOCKS`): ``"utc"``, ``"local"`` (the lab's wall clock, no zone) or
    ``"unknown"`` (other readers, ``RawArray``, ``mne.Epochs`` cut in memory). A FIF file
    MNE wrote from an EDF file carries the EDF's local clock as if UTC: it reads as ``"utc"``.
    A BIDS recording whose date MNE-BIDS took from its ``*_scans.tsv`` ``acq_time`` (over
    the header's, where they differ) is ``"acq_time"`` (:data:`eegpt.bids.ACQ_TIME_CLOCK`):
    UTC, as MNE-BIDS gives it; one whose ``acq_time`` repeats the header's date keeps the
    reader's clock.

    A start that is EDF's placeholder for an unknown or anonymized one, 1985-01-01 00:00:00
    (:func:`eegpt._dates.is_anonymized_start`), is no time whatever the reader's clock: EDF
    writes it for an unknown date, and it survives into a FIF file saved from that Raw and
    into ``mne.Epochs`` cut from it. Such a recording is ``"anonymized"``
    (:data:`eegpt._dates.ANONYMIZED_CLOCK`), so the windows get no ``clock_time``
    (:func:`eegpt.outputs.window_clock`), said once per recording at INFO; a BIDS
    ``acq_time`` that MNE-BIDS took (``"acq_time"`` above) still comes first."""
    marked = getattr(inst, "_eegpt_date_clock", None)  # set by eegpt.bids.read_raw_bids
    if isinstance(marked, str):
        return marked
    kind = type(inst)
    clock = DATE_CLOCKS.get(f"{kind.__module__}.{kind.__qualname__}", "unknown")
    if is_anonymized_start(inst.info.get("meas_date")):  # any clock: FIF and Epochs keep it
        if not getattr(inst, "_eegpt_anonymized_said", False):
            inst._eegpt_anonymized_said = True
            names = getattr(inst, "filenames", None) or [None]
            which = f"{names[0]}: its" if names[0] else "the recording's"
            _log(
                f"{which} start date, 1985-01-01 00:00:00, is EDF's placeholder for an "
                "unknown or anonymized start, so its windows get no clock_time (clock_s, "
                'from the start, still; metadata["clock"] is "anonymized"). For a BIDS '
                "recording give the real start as acq_time in its *_scans.tsv"
            )
        return ANONYMIZED_CLOCK
    return clock


def measurement_date(info: mne.Info) -> str | None:
    """``info["meas_date"]`` as ISO 8601 text, or None when it is not known."""
    date = info.get("meas_date")
    return None if date is None else date.isoformat()


def epochs_labels(epochs: mne.BaseEpochs) -> np.ndarray:
    """The event name of every epoch of an ``mne.Epochs`` (e.g. ``"left"``, ``"right"``).

    Epochs not loaded yet whose rejection has not run (``reject=``/``flat=``, annotations) are
    first checked, as embedding them does (``epochs.drop_bad()``, in place, as MNE's own
    ``get_data`` does), so the labels are those of the epochs that are embedded.
    Epochs read by ``mne.read_epochs_eeglab`` are named by their time-locking event, as
    embedding them names them (:func:`eegpt._eeglab.time_locked`; the warning is embedding's).

    Returns
    -------
    ndarray of str, shape (n_epochs,)
        Names from ``epochs.event_id``; an event code without a name gives its number as str.
    """
    if not getattr(epochs, "_bad_dropped", True):
        epochs.drop_bad(verbose=False)
    epochs = time_locked(epochs, quiet=True)  # what embedding them says, it does not repeat
    return np.array(event_names(epochs))


#: Data files MNE names as a Raw's file, and the header file a user opens instead
_HEADER_OF_DATA = {".eeg": ".vhdr", ".fdt": ".set"}


def mne_source(obj: mne.io.BaseRaw | mne.BaseEpochs) -> str:
    """The file an MNE object was read from, as a user names it (the ``.vhdr`` of a
    BrainVision recording, not the ``.eeg`` MNE lists; the ``.set`` of EEGLAB's ``.fdt``), so
    that a recording read from its path and the same recording read into MNE first are named
    alike; ``"<Raw>"`` or ``"<Epochs>"`` for data made in memory. The first of
    :func:`mne_sources`, for an object read from several files."""
    sources = mne_sources(obj)
    if not sources:
        return "<Raw>" if isinstance(obj, mne.io.BaseRaw) else "<Epochs>"
    return sources[0]


def mne_sources(obj: mne.io.BaseRaw | mne.BaseEpochs) -> list[str]:
    """Every distinct file an MNE object was read from, in order, each named as
    :func:`mne_source` names it: two of ``mne.concatenate_raws`` of two files; the parts of a
    split FIF read whole (its ``-1.fif`` ...) are among them. Empty for data made in memory."""
    filenames = getattr(obj, "filenames", None) or [getattr(obj, "filename", None)]
    named: dict[str, None] = {}
    for name in filenames:
        if name is None:
            continue
        path = Path(str(name))
        header = _HEADER_OF_DATA.get(path.suffix.lower())
        if header is not None:
            for suffix in (header, header.upper()):
                if path.with_suffix(suffix).is_file():
                    path = path.with_suffix(suffix)
                    break
        named[str(path)] = None
    return list(named)
