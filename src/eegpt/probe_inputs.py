"""The EEG a probe takes: epochs (``mne.Epochs``, files, arrays, lists of them) as one
epoched :class:`~eegpt.io.Recording`, and its channels as the probe's.

:func:`as_epochs_recording` reads what :func:`eegpt.probe.train_probe`,
:meth:`eegpt.probe.EEGPTProbe.predict` and the scikit-learn estimators are given (refusing
embeddings, :func:`refuse_embeddings`, and continuous recordings where epochs are needed);
:func:`merge_epochs` stacks several recordings, matched by electrode (:func:`concatenate_epochs`:
as one ``mne.Epochs`` with a group per recording, for scikit-learn); :func:`subset_mapping`
restricts a channel mapping to the channels a probe was trained on, saying how to add or leave
out missing ones; :func:`_projection_windows` cuts the windows of a probe with a channel
projection (its input channels by name); :func:`keep_list` is the list of channels a probe
records it was restricted to (``keep=``).

Shapes: n = epochs, C = channels, T = samples. Data in volts; windows in model units (mV).
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, cast

import mne
import numpy as np

from eegpt._logging import (
    baseline_text,
    count,
    few,
    give_messages,
    held_messages,
    warnings_once,
)
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.annotations import BadSpans
from eegpt.array_inputs import (
    Units,
    array_of,
    filter_bank_text,
    refuse_braindecode,
    require_array_args_absent,
)
from eegpt.channels import (
    DEFAULT_RULES,
    ChannelMapping,
    ChannelRules,
    how_to_drop,
    map_channels,
    may_be_electrode,
    montage_spelling,
    normalize_channel_name,
    rename_table,
    unmatched_rename_warning,
)
from eegpt.channels import rename_on_missing as rename_on_missing  # its name of before
from eegpt.epochs_files import (
    is_npz,
    read_epochs_file,
    read_npz_epochs,
    reads_as_epochs,
)
from eegpt.errors import NoChannelMappedError, RecordingError
from eegpt.io import as_recording
from eegpt.mne_inputs import epochs_labels, mne_source
from eegpt.preprocessing import PreprocessingConfig, check_reference_channels, on_the_grid
from eegpt.probe_preparation import event_tmin, input_name, same_tmin
from eegpt.recording import Recording
from eegpt.rename_tables import Rename, cap_note
from eegpt.resampling import fill_nonfinite, resample
from eegpt.signal_checks import check_signal
from eegpt.signal_stats import SignalStats
from eegpt.ssp_projectors import warn_unapplied_projectors
from eegpt.windowing import (
    check_length,
    check_windows,
    crop_call,
    crop_epochs,
    cut_windows,
    detrend_windows,
    quiet_float32_overflow,
    window_starts,
)


def refuse_embeddings(data: Any, what: str = "a probe") -> None:
    """Raise a TypeError for embeddings (:class:`~eegpt.outputs.Embeddings`, an
    :class:`~eegpt.outputs.EmbeddingsFile`, or an array ``[n, N, S, D]`` as their ``data``)
    given where ``what`` (which runs the encoder) takes EEG epochs; other data pass. It names
    the recipe for precomputed embeddings: a scikit-learn classifier on
    :meth:`~eegpt.outputs.Embeddings.pooled`. A 4-D array with more samples on its third axis
    than entries on its fourth is epochs in several frequency bands (MOABB's filter banks,
    :func:`~eegpt.array_inputs.filter_bank_text`): a ValueError saying how to pass one."""
    from eegpt.embeddings_loading import EmbeddingsFile
    from eegpt.outputs import Embeddings

    if isinstance(data, (Embeddings, EmbeddingsFile)):
        got = f"{type(data).__name__} (EEGPT embeddings, computed already)"
        emb = "emb"
    elif isinstance(data, np.ndarray) and (bands := filter_bank_text(data.shape)) is not None:
        raise ValueError(f"{what}: {bands}")  # epochs in several bands, not embeddings
    elif isinstance(data, np.ndarray) and data.ndim == 4:
        got = (
            f"a 4-D array of shape {data.shape}: EEGPT embeddings [n, N, S, D] "
            "(Embeddings.data), computed already"
        )
        emb = "load_embeddings(path)"
    else:
        return
    raise TypeError(
        f"{what} takes EEG epochs [n_epochs, n_channels, n_times] and runs the encoder on them, "
        f"but got {got}. For precomputed embeddings, train a scikit-learn classifier on one "
        f"vector per window instead: from sklearn.linear_model import LogisticRegression; "
        f"clf = LogisticRegression(max_iter=1000).fit({emb}.pooled(), y) (y: one label per "
        "window, e.g. emb.metadata['labels'] for embedded epochs; pooled('flatten') keeps every "
        "patch and summary token; eegpt.outputs.pool_embeddings(array) pools an array)"
    )


def as_epochs_recording(
    data: Any,
    *,
    ch_names: Sequence[str] | None,
    sfreq: float | None,
    units: Units,
    verbose: Any,
    rename: Rename | None = None,
    preprocessing: PreprocessingConfig | None = None,
    what: str = "a probe",
    continuous: bool = False,
    keep: str | Sequence[str] | None = None,
    picks: str | Sequence[str] = "eeg",
    rules: ChannelRules | None = None,
) -> Recording:
    """An epoched :class:`Recording` (volts) from Epochs, a list of Epochs, a file or an array
    (a list is merged by :func:`merge_epochs` with ``rename``, ``preprocessing`` and ``keep``,
    which also decide which channels marked bad are warned of as left out:
    :func:`eegpt.io.as_recording`); ``what`` takes them, for messages. With ``continuous`` (predictions, which need no labels), a
    continuous recording (``mne.io.Raw`` or a file of one) is returned as it is, continuous.
    ``picks``: the channel types read from files and MNE objects (MNE's ``picks``; ``"eeg"``
    by default, ``["eeg", "misc"]`` for electrodes a file types misc), as
    :func:`eegpt.io.as_recording` takes them; arrays are read whole. ``rules``: what the
    mapping of each recording of a list does with unknown channels and missing ``rename``
    keys (:class:`ChannelRules`; default: drop them, ignore them)."""
    refuse_embeddings(data, what)
    refuse_braindecode(data)
    source = carried_source(data)
    if source is not None:  # refused as embed refuses them, not ignored
        require_array_args_absent(ch_names, sfreq, units, source)
    window = (preprocessing or PreprocessingConfig()).window_seconds
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        if not reads_as_epochs(path):  # as model.embed reads it
            if continuous:
                rec = as_recording(path, picks=picks, verbose=verbose, keep=keep, rename=rename)
                assert isinstance(rec, Recording)
                return rec
            raise ValueError(
                f"{path}: {_needs_epochs(what, window, 'mne.io.read_raw(path)')}; pass an MNE "
                "epochs file (-epo.fif), an epoched EEGLAB .set file, an .npz of epochs "
                "arrays, an mne.Epochs or an array [n_epochs, C, T]"
            )
        data = read_npz_epochs(path, verbose) if is_npz(path) else read_epochs_file(path, verbose)
    if is_epochs_list(data):
        with warnings_once():
            # (one Recording each: as_recording gives a list for a list only)
            recs = [
                cast(
                    Recording,
                    as_recording(
                        _read_if_path(d, verbose),
                        picks=picks,
                        verbose=verbose,
                        keep=keep,
                        rename=rename,
                    ),  # fmt: skip
                )
                for d in data
            ]
        return merge_epochs(
            recs, rename=rename, preprocessing=preprocessing, verbose=verbose, keep=keep,
            rules=rules,
        )  # fmt: skip
    if isinstance(data, mne.BaseEpochs):
        rec = cast(
            Recording, as_recording(data, picks=picks, verbose=verbose, keep=keep, rename=rename)
        )
    elif isinstance(data, Recording):
        rec = data
    elif isinstance(data, mne.io.BaseRaw):
        if continuous:
            rec = as_recording(data, picks=picks, verbose=verbose, keep=keep, rename=rename)
            assert isinstance(rec, Recording)
            return rec
        raise ValueError(f"got a continuous mne.io.Raw, but {_needs_epochs(what, window)}")
    else:
        array = array_of(data)  # as embed reads it: a masked array with masked samples refused
        if array.ndim != 3:  # a RecordingError, as embed's for an array of the wrong rank
            hint = (
                "; a continuous recording [n_channels, n_times] goes in as an mne.io.RawArray("
                "x, mne.create_info(ch_names, sfreq, 'eeg')) (in volts)"
                if array.ndim == 2
                else ""
            )
            raise RecordingError(
                f"<array>: epochs arrays must be [n_epochs, n_channels, n_times], got shape "
                f"{array.shape}{hint}"
            )
        if ch_names is None or sfreq is None:
            raise RecordingError(
                "an epochs array needs its channel names and sampling rate beside it: "
                "ch_names=[...], sfreq=... (and units='uV' if it is not in volts), e.g. "
                "probe.predict(X, ch_names=names, sfreq=250)"
            )
        rec = cast(
            Recording,
            as_recording(array, ch_names=ch_names, sfreq=sfreq, units=units, verbose=verbose),
        )
    if not rec.is_epoched and not continuous:
        raise ValueError(f"{rec.source}: expected epochs [n_epochs, C, T], got {rec.data.shape}")
    return rec


def carried_source(data: Any) -> str | None:
    """How messages name ``data`` when it carries its own channel names, rate and unit (a
    path, an MNE object, a :class:`Recording`, a list of epochs inputs): the input for which
    ``ch_names``, ``sfreq`` and ``units`` are refused (:func:`~eegpt.io.require_array_args_absent`);
    None for an array, which needs them."""
    if isinstance(data, (str, os.PathLike)):
        return str(data)
    if isinstance(data, (mne.io.BaseRaw, mne.BaseEpochs)):
        return mne_source(data)
    if isinstance(data, Recording):
        return data.source
    if is_epochs_list(data):
        return f"{type(data).__name__} of {len(data)} epochs inputs"
    return None


def _needs_epochs(what: str, window: float, read: str = "") -> str:
    """Why ``what`` needs epochs and how to cut them from a continuous recording (``read``:
    how to open it first), for :func:`as_epochs_recording`'s errors."""
    fixed = f"mne.make_fixed_length_epochs(raw, duration={window:g}, preload=True)"
    raw = f"raw = {read}; " if read else ""
    if what == "a probe":  # training and evaluation: labelled epochs
        return (
            "training and evaluating a probe need epochs (one label per epoch); cut them from "
            f"the recording first, e.g. {raw}mne.Epochs(raw, events, event_id, tmin=0, "
            f"tmax={window:g} - 1 / raw.info['sfreq'], baseline=None), or {fixed} with y one "
            "label per epoch (predictions take the recording as it is)"
        )
    return (
        f"{what} transforms epochs (one row per epoch); cut them from the recording first, "
        f"e.g. {raw}epochs = {fixed} (consecutive {window:g} s windows)"
    )


def _read_if_path(data: Any, verbose: Any) -> Any:
    """An epochs file's ``mne.Epochs``; anything else as given."""
    return read_epochs_file(Path(data), verbose) if isinstance(data, (str, os.PathLike)) else data


def is_epochs_list(data: Any) -> bool:
    """A list of ``mne.Epochs`` or of epochs files (``-epo.fif``, a FIF of epochs under
    another name, an epoched EEGLAB ``.set``: :func:`~eegpt.epochs_files.reads_as_epochs`, as
    one such file alone is read; not ``.npz`` files): several recordings, or what
    scikit-learn's indexing makes of one Epochs object (one per epoch)."""
    return (
        isinstance(data, (list, tuple))
        and bool(data)
        and all(
            isinstance(d, mne.BaseEpochs)
            or (isinstance(d, (str, os.PathLike)) and not is_npz(d) and reads_as_epochs(d))
            for d in data
        )
    )


def merge_epochs(
    recordings: Sequence[Recording],
    *,
    rename: Rename | None = None,
    preprocessing: PreprocessingConfig | None = None,
    verbose: Any = None,
    keep: str | Sequence[str] | None = None,
    rules: ChannelRules | None = None,
) -> Recording:
    """The epochs of several recordings (subjects, sessions, sites) as one, matched by
    electrode.

    Recordings with the same channel names and sampling rate are stacked as they are. Otherwise
    each one's channels are mapped to the EEGPT vocabulary (``rename`` applies where a name
    occurs) and the first recording's electrodes are taken from every recording in the first's
    order (``EEG Fp1-REF`` and ``Fp1`` are one electrode; one missing anywhere is an error, one
    the first lacks is left out with a warning; with ``keep``, only the electrodes it keeps,
    :func:`~eegpt.channels.map_channels`). Recordings at another rate are resampled to
    ``preprocessing.sfreq`` (256 Hz by default) with its method; if any is, all are.
    ``rules`` (:class:`ChannelRules`) say what each recording's mapping does with channels
    outside the vocabulary and with ``rename`` keys it lacks (None, the default
    ``on_missing``: ignored, as a key may name another recording's channel).

    Returns
    -------
    Recording
        ``[n_epochs, C, T]`` in volts, with the first recording's channel names; resampled,
        with the inputs' own rates (``merged_rates``).
    """
    config = preprocessing if preprocessing is not None else PreprocessingConfig()
    if config.crop_tmin is not None:  # each input cropped (--crop) by its own times
        recordings = [crop_epochs(r, config) for r in recordings]
    times: dict[str, Any] = {  # the merged epochs' times: where all share them
        "tmin": config.crop_tmin if config.crop_tmin is not None
        else merged_tmin(recordings, config.window_seconds),
        "baseline_recorded": all(r.baseline_recorded for r in recordings),
        **merged_detrend(recordings),
    }  # fmt: skip
    first = recordings[0]
    sources = list(dict.fromkeys(r.source for r in recordings))  # pieces of one Epochs: one
    source = sources[0] if len(sources) == 1 else f"{len(recordings)} inputs"
    # every input's stored-but-unapplied projectors, warned of when the merged epochs are used
    projectors = list(dict.fromkeys(p for r in recordings for p in r.projectors or ())) or None
    bads = list(dict.fromkeys(b for r in recordings for b in r.bads or ())) or None
    left_out = {k: v for r in recordings for k, v in (r.left_out or {}).items()} or None
    baseline = merged_baseline(recordings)
    per_input = [  # each input's correction (an input merged before: its own inputs')
        item
        for r in recordings
        for item in r.merged_baselines or [(r.source, r.baseline, r.baseline_recorded)]
    ]
    if len({(b, known) for _, b, known in per_input}) > 1:
        times["merged_baselines"] = per_input
    if len(recordings) > 1:  # keys are ignored where a name is missing: say if it is everywhere
        seen = [name for r in recordings for name in [*r.ch_names, *(r.left_out or ())]]
        unmatched = unmatched_rename_warning(rename, seen, len(recordings))
        if unmatched:
            _warn(unmatched)
    if all(r.ch_names == first.ch_names and r.sfreq == first.sfreq for r in recordings):
        # one recording: its array as it is (a copy would double the epochs held)
        stacked = (
            recordings[0].data
            if len(recordings) == 1
            else np.concatenate([r.data for r in recordings])
        )
        # the header's units, for the amplitude check's advice, where every input states them
        units = first.units if all(r.units == first.units for r in recordings) else None
        return Recording(
            stacked, first.ch_names, first.sfreq, source=source, projectors=projectors, bads=bads,
            left_out=left_out, baseline=baseline, units=units, **times,
        )  # fmt: skip
    with warnings_once():
        mapped, repeated = False, set()
        try:
            with held_messages() as held:
                mappings = [
                    _mapped_input(r, rename=rename, verbose=verbose, keep=keep, rules=rules)
                    for r in recordings
                ]
            mapped = True
            repeated = _merged_mapping_says(
                mappings[0].input_names, rename=rename, keep=keep, rules=rules, left_out=left_out
            )
        finally:  # an input that cannot be mapped: the others' messages as they were
            give_messages(_said_of_some(held, recordings, repeated, source) if mapped else held)
    names = mappings[0].names
    same_rate = all(r.sfreq == first.sfreq for r in recordings)
    sfreq = first.sfreq if same_rate else config.sfreq
    parts = []
    for rec, mapping in zip(recordings, mappings, strict=True):
        picked = subset_mapping(
            mapping, names, rec.source, "the first input has", rec.bads, rename,
            fitted_names=mappings[0].input_names, model="inputs",
        )  # fmt: skip
        x = rec.data[:, list(picked.picks), :]
        if rec.sfreq != sfreq:
            x = resample(x, rec.sfreq, sfreq, method=config.resample)
        parts.append(x)
    lengths = sorted({p.shape[-1] for p in parts})
    if len(lengths) > 1:
        raise ValueError(
            f"the inputs' epochs differ in length ({lengths} samples at {sfreq:g} Hz); "
            "cut them to the same length first"
        )
    _log(
        f"merged {len(recordings)} inputs by electrode ({len(names)} channels) at {sfreq:g} Hz",
        verbose,
    )
    return Recording(
        np.concatenate(parts),
        list(mappings[0].input_names),
        sfreq,
        source=source,
        projectors=projectors,
        bads=bads,
        left_out=left_out,
        baseline=baseline,
        merged_rates=None if same_rate else _input_rates(recordings),
        **times,
    )


def concatenate_epochs(
    epochs: Sequence[mne.BaseEpochs | str | os.PathLike],
    *,
    rename: Rename | None = None,
    preprocessing: PreprocessingConfig | None = None,
    keep: str | Sequence[str] | None = None,
    picks: str | Sequence[str] = "eeg",
    verbose: Any = None,
) -> tuple[mne.EpochsArray, np.ndarray]:
    """The epochs of several recordings (sessions, subjects, sites) as one ``mne.Epochs``
    with a group per recording, for scikit-learn's cross-validation by recording
    (``cross_val_score(clf, epochs, epochs_labels(epochs), groups=groups, cv=GroupKFold(3))``).

    Where ``mne.concatenate_epochs`` refuses recordings whose sampling rates, channel order,
    channel types or event codes differ, this merges them as :func:`eegpt.probe.train_probe`
    merges a list of them (:func:`merge_epochs`, with its warnings): each recording's channels
    of the ``picks`` types (EEG by default) are read, matched by electrode to the first
    recording's, in its order (``EEG Fp1-REF`` and ``Fp1`` are one; ``rename`` and ``keep``
    as :func:`~eegpt.channels.map_channels` takes them), and recordings at different rates
    are resampled to ``preprocessing.sfreq`` (256 Hz by default) with its method. So the
    estimators (:mod:`eegpt.sklearn`) give the same features for the merged epochs as for the
    list; give them the same ``preprocessing``.

    Parameters
    ----------
    epochs : list of mne.Epochs | list of str | list of Path
        The recordings' epochs (or epochs files, ``-epo.fif``, an epoched EEGLAB ``.set``), of
        one length once resampled.
    rename, preprocessing, keep, picks, verbose
        As :func:`eegpt.probe.train_probe` takes them for a list.

    Returns
    -------
    epochs : mne.EpochsArray
        All the epochs ``[n_epochs, C, T]`` in volts, in the recordings' order, with the first
        recording's channel names (typed EEG) and ``tmin`` (0 where the recordings' differ);
        their event names are the recordings' (:func:`~eegpt.mne_inputs.epochs_labels`),
        with the recordings' codes where they agree (each name one code, each code one name:
        ``epochs.events[:, 2]`` as in each recording), else numbered 1, 2, ... in sorted
        order. The recordings' baseline correction is kept as ``epochs.baseline`` (where they
        share it), not applied again. Their ``metadata`` (one row per epoch kept) is kept too, the
        recordings' tables stacked in their order (a recording without one: its rows empty,
        NaN), with a column ``recording`` that holds ``groups`` (where no recording's table has
        one of that name already; with pandas installed: without it and without the
        recordings' tables, ``metadata`` is None), so that the merged epochs say which recording each came
        from: :func:`~eegpt.probe.train_probe` and :class:`~eegpt.sklearn.EEGPTClassifier`
        warn of a validation fraction drawn at random across them (epochs of one recording on
        both sides) as they do for the list, unless a subject column (``subject``) names one
        subject only; ``groups=epochs.metadata["recording"]`` holds whole recordings out.
    groups : ndarray of int, shape (n_epochs,)
        The recording each epoch comes from: 0 for the first, 1 for the second ...
    """
    if not isinstance(epochs, (list, tuple)) or not is_epochs_list(epochs):
        got = type(epochs).__name__
        raise TypeError(
            f"concatenate_epochs takes a list of the recordings' mne.Epochs (or epochs files), "
            f"got {got if not isinstance(epochs, (list, tuple)) else 'a list of other items'}; "
            "e.g. concatenate_epochs([epochs_1, epochs_2])"
        )
    inputs = [_read_if_path(d, verbose) for d in epochs]  # each file read once
    labels = [epochs_labels(e) for e in inputs]  # their bad epochs dropped, as reading them does
    merged = as_epochs_recording(
        inputs, ch_names=None, sfreq=None, units="V", verbose=verbose, rename=rename,
        preprocessing=preprocessing, what="concatenate_epochs", keep=keep, picks=picks,
    )  # fmt: skip
    y = np.concatenate(labels)
    event_id = _shared_event_id(inputs, labels)
    n, _, n_times = merged.data.shape
    events = np.column_stack(
        [np.arange(n) * n_times, np.zeros(n, dtype=int), [event_id[v] for v in y.tolist()]]
    )
    info = mne.create_info(list(merged.ch_names), merged.sfreq, "eeg")
    groups = np.repeat(np.arange(len(inputs)), [len(v) for v in labels])
    metadata = _stacked_metadata(inputs, [len(v) for v in labels], groups)
    out = mne.EpochsArray(
        merged.data, info, events=events, tmin=merged.tmin or 0.0, event_id=event_id,
        baseline=None, metadata=metadata, verbose=False,
    )  # fmt: skip
    out.baseline = merged.baseline  # the inputs' correction, recorded: not applied again
    return out, groups


#: The source :func:`_merged_mapping_says` names, to be told from the inputs' names.
_MERGED = "\0merged inputs"


def _merged_mapping_says(
    names: Sequence[str],
    *,
    rename: Rename | None,
    keep: str | Sequence[str] | None,
    rules: ChannelRules | None,
    left_out: Mapping[str, str] | None,
) -> set[str]:
    """The warnings (their texts after the recording's name) that mapping the merged epochs
    of :func:`merge_epochs`, which carry the channels ``names`` (the first input's, mapped),
    gives: those it says for all the inputs at once. Empty where that mapping fails."""
    rules = rules or DEFAULT_RULES
    with held_messages() as held:
        try:
            map_channels(
                list(names), rename=rename, verbose=False, source=_MERGED,
                left_out=left_out, keep=keep, **rules.for_several().keywords(),
            )  # fmt: skip
        except (ValueError, TypeError):
            return set()
    prefix = f"{_MERGED}: "
    return {
        str(message)[len(prefix) :]
        for what, message, *_ in held
        if what == "warn" and str(message).startswith(prefix)
    }


def _input_rates(recordings: Sequence[Recording]) -> list[float]:
    """The rates (Hz) of the inputs :func:`merge_epochs` merges at another rate, each once in
    their order (an input merged already: its own inputs'), which the merged recording's
    ``sfreq`` no longer tells (:attr:`~eegpt.recording.Recording.merged_rates`, for
    :func:`~eegpt.preprocessing.prepare`'s log line)."""
    return list(dict.fromkeys(rate for r in recordings for rate in r.merged_rates or [r.sfreq]))


def _shared_event_id(inputs: Sequence[Any], labels: Sequence[np.ndarray]) -> dict[str, int]:
    """The ``event_id`` of the epochs ``inputs`` merged, whose event names are ``labels`` (one
    array per input): the inputs' own codes where they agree (each name of one code in every
    input, no code of two names), so that ``events[:, 2]`` keeps the codes labels were taken
    from; else the names numbered 1, 2, ... in sorted order."""
    names = sorted(set(np.concatenate(labels).tolist()))
    numbered = {name: k + 1 for k, name in enumerate(names)}
    codes: dict[str, set[int]] = {name: set() for name in names}
    for epochs, held in zip(inputs, labels, strict=True):
        own = dict(getattr(epochs, "event_id", None) or {})
        for name in set(held.tolist()):
            code = own.get(name)  # else a name that is its code ('769'), where it is one
            if code is None and re.fullmatch(r"-?[0-9]+", str(name)):
                code = int(name)
            if code is None:  # a name not of its event_id (EEGLAB's time-locking event)
                return numbered
            codes[name].add(int(code))
    if all(len(c) == 1 for c in codes.values()):
        shared = {name: next(iter(c)) for name, c in codes.items()}
        if len(set(shared.values())) == len(shared):
            return shared
    return numbered


def _stacked_metadata(inputs: Sequence[Any], counts: Sequence[int], groups: np.ndarray) -> Any:
    """The ``metadata`` of the epochs ``inputs`` (each holding ``counts`` epochs, its bad
    ones dropped), stacked in their order, one row per epoch (an input without metadata: rows
    of NaN), with the column :data:`~eegpt.training_data.RECORDING_COLUMN` of ``groups``
    (each epoch's input) where none of the inputs' tables has a column of that name. Without
    pandas (an optional dependency; MNE's metadata needs it) and no input's table: None."""
    from eegpt.training_data import RECORDING_COLUMN

    tables = [getattr(e, "metadata", None) for e in inputs]
    try:
        import pandas as pd
    except ImportError:  # inputs with metadata hold pandas tables: there are none
        return None
    if all(t is None for t in tables):
        return pd.DataFrame({RECORDING_COLUMN: groups})

    parts = [
        pd.DataFrame(index=range(n)) if t is None else t.reset_index(drop=True)
        for t, n in zip(tables, counts, strict=True)
    ]
    for part, n in zip(parts, counts, strict=True):
        if len(part) != n:  # metadata MNE keeps beside its epochs: never, short of a bug
            raise RuntimeError(f"epochs metadata of {len(part)} rows for {n} epochs")
    stacked = pd.concat(parts, ignore_index=True)
    if RECORDING_COLUMN not in stacked.columns:  # an input's own column of that name kept
        stacked[RECORDING_COLUMN] = groups
    return stacked


def _said_of_some(
    held: Sequence[tuple[Any, ...]],
    recordings: Sequence[Recording],
    repeated: set[str] | None = None,
    merged: str = "the inputs",
) -> list[tuple[Any, ...]]:
    """The messages (:func:`~eegpt._logging.held_messages`') of mapping each of the
    ``recordings`` :func:`merge_epochs` merges, a warning given alike for every one of them,
    the input's name apart, said once for all of them. Where mapping the merged epochs, which
    carry the first input's mapped channels, says it again (``repeated``: its texts after
    the recording's name, :func:`_merged_mapping_says`; "2 of the 16 channels to keep are
    not in this recording: P7, P8" for each file), it is left to that line ("3 files:
    ..."); else (channels every input dropped, which the merged epochs no longer carry) it
    is said once, named by ``merged`` (the merged epochs' source), on screen and in a
    probe's ``training.warnings``."""
    sources = list(dict.fromkeys(str(r.source) for r in recordings))
    if len(sources) < 2:
        return list(held)
    said: dict[str, set[str]] = {}  # a warning's text without its input's name -> inputs
    for what, message, *_ in held:
        for source in sources:
            if what == "warn" and str(message).startswith(f"{source}: "):
                said.setdefault(str(message)[len(source) + 2 :], set()).add(source)
    alike = {text for text, by in said.items() if len(by) == len(sources)}
    everywhere = {f"{source}: {text}": text for text in alike for source in sources}
    kept, once = [], set()
    for item in held:
        text = everywhere.get(str(item[1])) if item[0] == "warn" else None
        if text is None:
            kept.append(item)
        elif text not in (repeated or set()) and text not in once:  # said once for all
            once.add(text)
            kept.append((item[0], f"{merged}: {text}", *item[2:]))
    return kept


def _mapped_input(
    rec: Recording,
    *,
    rename: Rename | None,
    verbose: Any,
    keep: str | Sequence[str] | None,
    rules: ChannelRules | None = None,
) -> ChannelMapping:
    """:func:`~eegpt.channels.map_channels` of one of the inputs :func:`merge_epochs` merges
    (``rules``' ``on_unknown``; their ``on_missing``, by default ``"ignore"``); its error (no channel maps, none of those to keep is there)
    names the input, which the merged inputs' error would not tell apart
    (``probe evaluate a.edf b.edf c.edf``: which one)."""
    rules = rules or DEFAULT_RULES
    try:
        return map_channels(
            rec.ch_names, rename=rename, verbose=verbose, source=rec.source,
            left_out=rec.left_out, keep=keep, **rules.for_several().keywords(),
        )  # fmt: skip
    except NoChannelMappedError as err:
        if str(rec.source) in str(err):
            raise
        raise NoChannelMappedError(f"{rec.source}: {err}", err.names) from None
    except ValueError as err:
        if type(err) is not ValueError or str(rec.source) in str(err):
            raise
        raise ValueError(f"{rec.source}: {err}") from None


def merged_baseline(
    recordings: Sequence[Recording],
) -> tuple[float | None, float | None] | None:
    """The interval MNE baseline-corrected the epochs of ``recordings`` over, where they all
    share it (None where none was corrected); where they differ, None, with a warning that
    no single baseline stands for them (so a probe trained on them records none and checks
    none of the data it is used on). Inputs that do not record their baseline correction
    (arrays, EEGLAB .set epochs: ``baseline_recorded`` False) are said to be not known, as a
    probe's predictions say of them (:func:`~eegpt.probe_preparation.baseline_warning`),
    not to be uncorrected."""
    found = list(dict.fromkeys(r.baseline for r in recordings))
    if len(found) == 1:
        return found[0]
    said = ", ".join(  # in the inputs' order
        dict.fromkeys(
            "not recorded" if not r.baseline_recorded and r.baseline is None
            else "none" if r.baseline is None else baseline_text(r.baseline)
            for r in recordings
        )
    )  # fmt: skip
    known = {r.baseline for r in recordings if r.baseline_recorded or r.baseline is not None}
    fix = (
        "Make the epochs alike, best with baseline=None (mne.Epochs(..., baseline=None)), or "
        "train with --detrend constant / detrend='constant'"
    )
    if len(known) == 1:  # those that record it agree: the others may or may not
        unknown = [
            input_name(r.source, k, len(recordings))
            for k, r in enumerate(recordings)
            if not r.baseline_recorded and r.baseline is None
        ]
        (interval,) = known
        assert interval is not None  # (all None: one baseline, none, returned above)
        _warn(
            f"of the {len(recordings)} inputs' epochs, those that record it were "
            f"baseline-corrected by MNE over {baseline_text(interval)}, but whether the epochs "
            f"of {len(unknown)} of them ({few(unknown, 3)}) "
            "were is not recorded in them (arrays and EEGLAB .set files carry no such "
            "record), so eegpt cannot check that their channels' offsets match, and no one "
            "baseline is recorded for them (a probe trained on them cannot warn of data "
            f"corrected otherwise). {fix}"
        )
        return None
    _warn(
        f"the {len(recordings)} inputs' epochs were baseline-corrected differently by MNE "
        f"({said}): their channels' offsets differ from input to input, and no one baseline "
        "is recorded for them (a probe trained on them cannot warn of data corrected "
        f"otherwise). {fix}"
    )
    return None


def merged_tmin(recordings: Sequence[Recording], window: float = 4.0) -> float | None:
    """The time from their events at which the epochs of ``recordings`` start
    (``epochs.tmin``, s), where they all share it (within half a sample period); None where
    any is not known (arrays) or they differ, with a warning that their windows hold
    different stretches of the trials (so a probe trained on them records none and checks
    none of the data it is used on). ``window``: the window length (s), for the crop
    advised."""
    tmins = [r.tmin for r in recordings]
    if any(t is None for t in tmins):
        return None
    slowest = min(r.sfreq for r in recordings)  # within half the longest sample period
    if all(same_tmin(t, tmins[0], slowest) for t in tmins):  # type: ignore[arg-type]
        return tmins[0]
    # trials cut at other times (not windows of a recording, whose tmin places no event)
    found = list(dict.fromkeys(t for r in recordings if (t := event_tmin(r)) is not None))
    if len(found) < 2:
        return None
    said = ", ".join(f"{t:g} s" for t in found)  # in the inputs' order
    _warn(
        f"the {len(recordings)} inputs' epochs start at different times from their events "
        f"(epochs.tmin: {said}): their windows hold different stretches of the trials, and no "
        "one tmin is recorded for them (a probe trained on them cannot warn of data cut "
        "otherwise). Cut them alike (epochs.copy().crop(tmin=T, tmax=T + "
        f"{window:g} - 1 / epochs.info['sfreq']) for each), or crop every epoch to its window "
        "from one time (PreprocessingConfig(crop_tmin=T), --crop T)"
    )
    return None


def merged_detrend(recordings: Sequence[Recording]) -> dict[str, Any]:
    """The trend MNE removed from the epochs of ``recordings`` (``Recording.detrend``), as
    the fields of their merged recording: known where every input knows it and all share it,
    else unknown (so a probe trained on them records none and checks none)."""
    found = {r.detrend for r in recordings}
    if len(found) == 1 and all(r.detrend_recorded for r in recordings):
        return {"detrend": found.pop(), "detrend_recorded": True}
    return {"detrend": None, "detrend_recorded": False}


def subset_mapping(
    mapping: ChannelMapping,
    names: Sequence[str],
    source: str,
    fitted: str = "the probe was trained on",
    bads: Sequence[str] | None = None,
    rename: Rename | None = None,
    *,
    fitted_names: Sequence[str] | None = None,
    model: Literal["probe", "embedder", "inputs"] = "probe",
) -> ChannelMapping:
    """``mapping`` restricted to the vocabulary ``names``, in that order (that of training, so
    the same data give the same numbers); ``fitted`` names the model in messages, ``bads``
    are the channels of ``info["bads"]`` left out of the recording (:attr:`Recording.bads`),
    named by the vocabulary as ``rename`` or the usual rules would. ``fitted_names`` are the
    channels ``names`` as the fitted data named them (else the montage spelling), and
    ``model`` says what to leave a missing channel out of: the probe's training, the
    scikit-learn embedder's fit (Python only), or every input being merged."""
    where = {name: k for k, name in enumerate(mapping.names)}
    missing = [name for name in names if name not in where]
    if missing:
        table = rename_table(rename)
        marked = {normalize_channel_name(table.get(b) or b) or b: b for b in bads or ()}
        bad = [marked[name] for name in missing if name in marked]
        absent = [name for name in missing if name not in marked]
        spelled = dict(zip(names, fitted_names or (), strict=False))
        text = f"{source}: {fitted} {len(names)} channels, but "
        if bad:
            text += (
                f"{bad} are marked bad here (info['bads']) and were left out, as channels "
                "listed there are whatever their data: repair them with "
                "interpolate_bads(reset_bads=True) (of the Raw or Epochs), or take them off "
                "info['bads'] once repaired or usable (info['bads'] = [])"
            )
            if model == "inputs":  # or do without them: by their names here and in the first
                first = [spelled.get(name, name) for name in missing if name in marked]
                text += (
                    ", or train on the channels all inputs share, leaving these out of every "
                    f"input ({how_to_drop(list(dict.fromkeys([*bad, *first])), bool(table))})"
                )
        if absent:
            named = [spelled.get(name) or montage_spelling(name) for name in absent]
            text += "; and " if bad else ""
            text += _missing_channels_text(absent, named, mapping, table, model, source, names)
        raise ValueError(text)
    k = [where[name] for name in names]
    extra = [mapping.input_names[i] for i in range(len(mapping.names)) if i not in set(k)]
    if extra:
        _warn(
            f"{source}: channel(s) {extra} are not used: {fitted} "
            f"{len(names)} channels ({', '.join(names)})"
        )
    inputs = tuple(mapping.input_names[i] for i in k)
    # (the rename's provenance kept, with the distances of the channels that remain)
    return replace(
        mapping,
        input_names=inputs,
        names=tuple(names),
        picks=tuple(mapping.picks[i] for i in k),
        chan_ids=tuple(mapping.chan_ids[i] for i in k),
        dropped=mapping.dropped + tuple(extra),
        referential={inp: ref for inp, ref in mapping.referential.items() if inp in inputs},
        rename_distances_mm={
            inp: mm for inp, mm in mapping.rename_distances_mm.items() if inp in inputs
        },
    )


def _missing_channels_text(
    absent: list[str],
    named: list[str],
    mapping: ChannelMapping,
    table: Mapping[str, str | None],
    model: Literal["probe", "embedder", "inputs"],
    source: str | None = None,
    fitted: Sequence[str] = (),
) -> str:
    """What :func:`subset_mapping` says of the electrodes ``absent`` (vocabulary names;
    ``named`` as the fitted data name them; ``fitted``: the vocabulary names of all the
    channels fitted) that the data lack: adding them or leaving them
    out of ``model``, after a rename hint when channels of the data that could be electrodes
    (not ``EKG1``, ``PHOTIC``, ``A1``) were dropped as unknown (a misspelling?); command-line
    options except for the embedder (Python only). Where no rename ``table`` is given and the
    dropped channels are the labels of a known table (BCI IV 2a's ``EEG-0`` ..., BioSemi's
    sockets, an EGI net's numbers: :func:`~eegpt.rename_tables.cap_note`, its commands naming
    the recording ``source``), that table leads, not a rename channel by channel."""
    found = list(mapping.input_names)
    if len(absent) <= 8:  # named as the fitted data name them: the names --drop takes
        text = f"{named} are missing here (found {few(found, 12)})"
    else:
        text = (
            f"{len(absent)} of them are missing here ({few(named, 8)}; found "
            f"{count(len(found), 'channel')}: {few(found, 12)})"
        )
    unknown = [  # dropped as unknown, and possibly an electrode under another spelling
        name
        for name in mapping.dropped
        if table.get(name, "") is not None and may_be_electrode(name)
    ]
    advice = _add_or_leave_out(absent, named, table, model, _labels_here(absent, mapping), fitted)
    dropped = list(mapping.dropped)
    note = "" if table else cap_note(dropped, source, [*found, *dropped])
    if note:  # as the warning on the dropped channels says
        return text + (
            f"; the channels dropped as matching no EEGPT channel name:{note.rstrip('.')}; "
            f"otherwise{advice}"
        )
    if unknown:
        alike = [
            (name, close[0])
            for name in unknown
            if (close := difflib.get_close_matches(name.strip().upper(), absent, 1, 0.5))
        ]
        key, target = alike[0] if alike else (unknown[0], absent[0])
        target = named[absent.index(target)]
        one = len(unknown) == 1
        command = f" (command line: --rename {shlex.quote(f'{key}={target}')})"
        return text + (
            f"; {'channel' if one else 'channels'} {few(unknown, 8)} "
            f"{'matches' if one else 'match'} no EEGPT channel name and "
            f"{'was' if one else 'were'} dropped: if {key} is {target}, map it with "
            f"rename={{{key!r}: {target!r}}}"
            + ("" if model == "embedder" else command)
            + f"; otherwise{advice}"
        )
    return text + advice


def _labels_here(absent: Sequence[str], mapping: ChannelMapping) -> list[str]:
    """The electrodes ``absent`` (vocabulary names) labelled as the data at hand label theirs,
    for channels to add to these data: ``C5`` where they label ``Cz`` so, ``EEG C5-REF``
    where ``EEG Cz-REF`` (not as the fitted data labelled them, which may be otherwise).
    The labelling is the one every channel mapped by its electrode's name shares (a prefix
    and suffix around it, upper case or the montages' spelling); else, or where none is
    mapped, the montages' spelling (``Fp1``, ``FCz``). Where the data name the temporal
    electrodes by their old 10-20 names (``EEG T3-REF`` for T7), an absent one is so named
    (``EEG T6-REF`` for P8)."""
    from eegpt.vocabulary import _ALIASES

    old = {new: was for was, new in _ALIASES.items()}  # P8 -> T6
    affixes, cases, olds = set(), set(), set()
    for label, name in zip(mapping.input_names, mapping.names, strict=False):
        spelled = montage_spelling(name)
        at = label.upper().find(spelled.upper())
        if at < 0 and name in old and old[name] in label.upper():  # T3 for T7: 10-20's names
            olds.add(True)
            spelled, at = old[name], label.upper().find(old[name])
        elif at < 0:  # renamed to another electrode
            continue
        elif name in old:
            olds.add(False)
        affixes.add((label[:at], label[at + len(spelled) :]))
        middle = label[at : at + len(spelled)]
        if spelled != spelled.upper():  # Fp1, Cz tell the case; C3 does not
            cases.add("upper" if middle == spelled.upper() else middle == spelled)
    # the old 10-20 names (T3 .. T6) where the data name those electrodes so (TUH's EEG T3-REF)
    absent = [old.get(name, name) if olds == {True} else name for name in absent]
    if len(affixes) != 1:
        return [montage_spelling(name) for name in absent]
    ((before, after),) = affixes
    upper = cases == {"upper"}
    return [before + (name.upper() if upper else montage_spelling(name)) + after for name in absent]


def _add_or_leave_out(
    absent: list[str],
    named: list[str],
    table: Mapping[str, str | None],
    model: Literal["probe", "embedder", "inputs"],
    here: Sequence[str] | None = None,
    fitted: Sequence[str] = (),
) -> str:
    """``": add it to the data ... or train the probe without it (...)"``: the two ways on
    for electrodes ``absent`` (``named`` as the fitted data name them) that the data lack.
    Adding them names them as the data at hand would (``here``, :func:`_labels_here`: ``C5``
    in a session labelled ``Cz``, where fit saw ``EEG C5-REF``; else ``named``). Leaving them
    out of the command line's training names the electrodes, whatever each file labels them
    (``--keep-channels 10-20,-P8``: :func:`_keep_without`, of the channels ``fitted``,
    vocabulary names), or the labels as the fitted data name them (``Fz``, not the
    vocabulary's ``FZ``): those are the names ``rename`` and ``--drop`` take, which leave out
    that label alone (not ``EEG T6-LE`` of another file); of many, the first few."""
    it = "it" if len(absent) == 1 else "them"
    listed = repr(list(here or named)) if len(absent) <= 4 else "names"
    drop = how_to_drop(named, merged=bool(table))
    if fitted and model == "inputs":  # the electrodes, whatever each file labels them
        keep = _keep_without(fitted, absent)
        electrodes = ", ".join(montage_spelling(name) for name in absent)
        drop = (
            f"--keep-channels {keep}: the electrode{'s' if len(absent) > 1 else ''} "
            f"{electrodes} whatever each file labels {it}, Python keep={keep.split(',')!r}; "
            f"or this label alone: {drop}"
        )
    if len(absent) <= 4:
        python = ", ".join(f"{name!r}: None" for name in named)
        python = f"add {python} to rename" if table else f"rename={{{python}}}"
    else:
        python = "rename={NAME: None} for each"
    leave_out = {
        "probe": f"train the probe without {it} ({drop}, named as in the training data)",
        "embedder": f"fit the embedder without {it} (EEGPTEmbedder: {python})",
        "inputs": f"leave {it} out of every input ({drop})",
    }[model]
    where = f"names being the {len(absent)} missing channels, " if listed == "names" else ""
    return (
        f": add {it} to the data, e.g. interpolated from the other channels in MNE ({where}"
        f"inst.add_reference_channels({listed}) adds {it} flat; then, with the channels' "
        f"positions set (inst.set_montage), inst.info['bads'] = {listed}; "
        f"inst.interpolate_bads()), or {leave_out}"
    )


def _keep_without(fitted: Sequence[str], absent: Sequence[str]) -> str:
    """The ``--keep-channels`` that keeps the channels ``fitted`` (vocabulary names) but
    ``absent``: ``10-20,-P8`` where they are all of the 10-20 set, else their names
    (montage spelling), as :func:`eegpt.channels.kept_channels` reads them."""
    from eegpt.vocabulary import CHANNEL_SETS

    ten_twenty = CHANNEL_SETS["10-20"]
    if set(fitted) <= set(ten_twenty):
        out = [name for name in ten_twenty if name not in fitted or name in absent]
        return ",".join(["10-20", *(f"-{montage_spelling(name)}" for name in out)])
    return ",".join(montage_spelling(name) for name in fitted if name not in absent)


def _channel_key(name: str) -> str:
    """The electrode a channel name stands for, else the name up to case and spaces."""
    return normalize_channel_name(name) or name.strip().upper()


def _projection_windows(
    rec: Recording,
    input_names: Sequence[str],
    config: PreprocessingConfig,
    warn_reference: bool = True,
    bad_spans: BadSpans | None = None,
) -> np.ndarray:
    """Windows of the channels ``input_names`` in that order (any names; for a projection).

    A name the data do not have as such is matched by electrode (``"EEG FP1-REF"`` for
    ``"Fp1"``, as :func:`eegpt.channels.normalize_channel_name` maps names) or, for names
    outside the vocabulary, up to case and surrounding spaces, when one channel matches.
    ``warn_reference``: warn of average referencing of 2 channels (training; not predictions,
    whose preprocessing is the trained probe's). ``bad_spans``: of a continuous ``rec``, as
    :func:`eegpt.preprocessing.prepare` takes them (NaN/Inf samples all inside spans whose
    windows are left out are filled, not refused)."""
    position = {name: i for i, name in enumerate(rec.ch_names)}
    by_key: dict[str, list[int]] = {}
    for i, name in enumerate(rec.ch_names):
        by_key.setdefault(_channel_key(name), []).append(i)
    columns, missing, ambiguous = [], [], {}
    for name in input_names:
        found = [position[name]] if name in position else by_key.get(_channel_key(name), [])
        if len(found) == 1:
            columns.append(found[0])
        elif found:
            ambiguous[name] = [rec.ch_names[i] for i in found]
        else:
            missing.append(name)
    if missing or ambiguous:
        text = (
            f"{rec.source}: the probe's channel projection takes channels {list(input_names)}, but "
        )
        text += f"{missing} are missing (the data have {rec.ch_names})" if missing else ""
        text += "; and " if missing and ambiguous else ""
        text += "".join(
            f"{name!r} could be any of {names}" for name, names in list(ambiguous.items())[:3]
        )
        raise ValueError(text + "; name them as in training (raw.rename_channels({...}))")
    warn_unapplied_projectors(
        rec.projectors, input_names, rec.source, average_reference=config.average_reference,
        epoched=rec.is_epoched,
    )  # fmt: skip
    x = rec.data[..., columns, :]  # a float64 copy
    # the signal checks of every other input (prepare's): NaN/Inf refused; flat, clipped and
    # mis-scaled channels warned of; all flat refused in training, warned of in predictions
    spans = None if rec.is_epoched else bad_spans
    check_signal(
        SignalStats.of(x, 0 if rec.is_epoched else round(rec.sfreq), bad_spans=spans,
                       sfreq=rec.sfreq),  # fmt: skip
        [rec.ch_names[i] for i in columns], rec.source,
        None if rec.units is None else [rec.units[i] for i in columns], gain=config.gain,
        ranges=None if rec.ranges is None else [rec.ranges[i] for i in columns],
        rescaled=getattr(rec, "rescaled", 1.0), offsets=config.detrend == "none", array_units=rec.array_units,
        sfreq=rec.sfreq, epoch_samples=rec.n_times if rec.is_epoched else None,
        rates=None if rec.rates is None else [rec.rates[i] for i in columns],
        refuse_all_flat=warn_reference, average_reference=config.average_reference,
        resample=config.resample, new_sfreq=config.sfreq,
    )  # fmt: skip
    check_reference_channels(config, x.shape[-2], rec.source, warn=warn_reference)
    if spans is not None and spans.reject:  # NaN/Inf left: all inside them (checked above)
        fill_nonfinite(x)
    if config.average_reference:
        x -= x.mean(axis=-2, keepdims=True)
    x = resample(x, rec.sfreq, config.sfreq, method=config.resample) * config.scale
    n_times, window = x.shape[-1], config.n_samples
    if not rec.is_epoched:  # a continuous recording (predictions): consecutive windows
        check_length(n_times, rec.duration, rec.source, config)  # the start as given
        config = on_the_grid(config)  # from a start on a sample at config.sfreq
        starts = window_starts(
            n_times, window, config.step_samples, config.tail, config.start_samples
        )
        windows = cut_windows(x, starts, window, config.detrend)[0]
        check_windows(windows, rec.source, config)  # samples beyond float32's range
        return windows
    if n_times > window or (n_times < window and config.tail == "drop"):
        raise ValueError(
            f"{rec.source}: epochs have {n_times} samples at {config.sfreq:g} Hz but a window "
            f"has {window} ({config.window_seconds:g} s); crop the epochs to the window length "
            f"({crop_call(config.window_seconds)}) or change "
            "window_seconds; shorter epochs can be zero-padded with tail='pad'"
        )
    detrend_windows(x, n_times, config.detrend)  # float64, before the cast
    out = np.zeros((x.shape[0], x.shape[1], window), dtype=np.float32)
    with quiet_float32_overflow():
        out[..., :n_times] = x
    check_windows(out, rec.source, config)  # samples beyond float32's range
    return out


def keep_list(keep: str | Sequence[str]) -> list[str]:
    """``keep`` as the list of its items (``"10-20,-C3"`` -> ``["10-20", "-C3"]``), as a probe
    records it."""
    items = keep.split(",") if isinstance(keep, str) else list(keep)
    return [str(item).strip() for item in items if str(item).strip()]
