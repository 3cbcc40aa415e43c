"""High-level API: a recording (path, ``mne.io.Raw``, ``mne.Epochs`` or array) in, embeddings out.

Files are streamed (:mod:`eegpt.streaming`): read, checked, resampled and embedded block by block,
so the signal path needs bounded memory however long the recording is. :func:`embed` returns
all embeddings in memory (``n_windows x N x S x D`` float32: about 1.2 GB for 10 h at the large
size); :func:`embed_to_file` writes them block by block instead, so nothing grows with the
recording's length.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import os
import platform
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

import mne
import numpy as np
import torch

from eegpt import __version__
from eegpt._file_identity import SOURCE_FILES_KEY, source_files_record
from eegpt._filenames import path_text, user_path
from eegpt._joined_files import warn_joined_pauses
from eegpt._logging import (
    Verbose,
    command_record,
    honours_verbose,
    progress_options,
    recorded_warnings,
    terminal_text,
    warning_texts,
)
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._output_texts import INPUT_KEY, input_text  # noqa: F401 - eegpt.api's names too
from eegpt._partial_embeddings import CPU_NUMERICS, PartialRows, read_record, run_fingerprint
from eegpt._recording_provenance import (  # noqa: F401 - EPOCH_ONSETS_KEY: kept importable from eegpt.api
    EPOCH_ONSETS_KEY,
    recording_provenance,
)
from eegpt._renamed import renamed_keywords
from eegpt.annotations import (
    BadSpans,
    annotate_windows,
    annotations_per_window,
    placed_extra,
    same_file,
    table_description_column,
)
from eegpt.array_inputs import Units, refuse_grad_tensor, require_array_args_absent
from eegpt.channels import ChannelMapping, ChannelRules
from eegpt.config import EEGPTConfig
from eegpt.embeddings_loading import EmbeddingsFile
from eegpt.embeddings_parts import select_window_metadata
from eegpt.embeddings_writer import EmbeddingsWriter
from eegpt.engine import InferenceEngine, Precision, check_batch_size
from eegpt.errors import EmbeddingError, OutputExistsError, RecordingError
from eegpt.event_epochs import EpochsAround, cut_epochs, read_epochs_around
from eegpt.fingerprints import (
    embedding_weights_hash,
    encoder_fingerprint,
    encoder_of,
    held_fingerprint,
    modified_weights,
)
from eegpt.io import as_recording
from eegpt.memory_checks import check_output_memory
from eegpt.metadata_tables import metadata_record
from eegpt.mne_inputs import mne_sources, recording_of_mne
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.optional_packages import require_output_dependencies
from eegpt.output_files import output_format
from eegpt.outputs import Embeddings
from eegpt.pooling import pool_embeddings
from eegpt.preprocessing import PreprocessingConfig, map_recording_channels, prepare
from eegpt.preprocessing_spec import RESAMPLE_REVISION
from eegpt.recording import Recording
from eegpt.rename_tables import Rename
from eegpt.resampling import filter_reach
from eegpt.stim_events import StimEvents, add_stim_events, stim_events_setting
from eegpt.streaming import (
    StreamedRecording,
    WindowStream,
    block_size,
    faster_unused_channels,
    open_mapped_stream,
    open_stream_unless_epochs,
)
from eegpt.windowing import (  # noqa: F401 - partial_patch_note: an eegpt.api name too
    Windows,
    crop_refused_for_continuous,
    padded_patches_seconds,
    padded_patches_text,
    partial_patch_note,
)

__all__ = ["embed", "embed_to_file", "provenance"]

#: Windows prepared and embedded at a time when streaming (rounded to whole batches).
BLOCK_WINDOWS = 64

#: Warnings about a recording kept in its output's ``metadata["warnings"]`` (each distinct
#: text once, the first ones; all are shown as they are given).
MAX_RECORDED_WARNINGS = 20


def _embed(
    model: EEGPT | EEGPTEncoder,
    data: Any,
    *,
    ch_names: Sequence[str] | None = None,
    sfreq: float | None = None,
    units: Units = "V",
    rename: Rename | None = None,
    on_unknown: str = "drop",
    on_missing: str = "raise",
    keep: str | Sequence[str] | None = None,
    picks: str | Sequence[str] = "eeg",
    preprocessing: PreprocessingConfig | None = None,
    window_seconds: float | None = None,
    overlap: float | None = None,
    average_reference: bool | None = None,
    resample: str | None = None,
    tail: str | None = None,
    detrend: str | None = None,
    reject_by_annotation: bool = False,
    annotations: str | os.PathLike | mne.Annotations | None = None,
    marker_spans: Mapping[str, str] | None = None,
    events_from_stim: bool | str | None = None,
    stim_mask: int | None = None,
    event_names: Mapping[int, str] | None = None,
    epochs_around: EpochsAround | None = None,
    device: str | torch.device | None = None,
    precision: Precision = "float32",
    batch_size: int | None = None,
    engine: InferenceEngine | None = None,
    progress: bool = False,
    stream: bool | None = None,
    hash_inputs: bool = False,
    verbose: Verbose = None,
) -> Embeddings:
    """Embed one recording with EEGPT.

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder
        A loaded model (see :func:`eegpt.load_model`), or its encoder alone
        (``model.target_encoder``). The encoder runs in eval mode without autograd; a model
        in training mode is left in it (every module's flag as it was).
    data : str | Path | mne.io.BaseRaw | mne.Epochs | ndarray
        The recording. Arrays are ``[C, T]`` (continuous) or ``[n_epochs, C, T]`` and need
        ``ch_names`` and ``sfreq``; their ``units`` default to volts, as in MNE (values that
        look like microvolts read as volts are reported by the amplitude check).
    ch_names, sfreq, units
        For arrays only: channel names, sampling rate in Hz, and amplitude unit
        (``"V"``, ``"mV"`` or ``"uV"``, any letter case: ``"uv"``; not ``"MV"``, megavolts). A
        pandas DataFrame is refused: pass ``df[names].to_numpy().T`` with ``ch_names=names``.
    rename : dict | str | path-like | None
        Explicit ``{input name: vocabulary name}`` overrides for the channel mapping (a value
        of ``None`` drops that channel), a cap's socket names (``"biosemi64"``,
        ``"biosemi32"``: :func:`eegpt.channels.cap_rename`), or the path of a rename table
        file (:func:`eegpt.rename_tables.read_rename_table`).
    on_unknown : {"drop", "raise"}
        What to do with channels that are not in the EEGPT vocabulary.
    on_missing : {"raise", "ignore"}
        What to do with ``rename`` keys the recording does not have (``"ignore"``: one
        ``rename`` for recordings with different channels).
    keep : str | sequence of str | None
        Use only these vocabulary channels (after ``rename``; before the average reference,
        which then runs over them): ``"10-20"`` (the 19 electrodes of the 10-20 system) or
        names in any spelling that normalises. Recordings of different systems then give
        embeddings of one channel set (see :func:`eegpt.channels.map_channels`); the others
        are left out (``metadata["left_out"]``: ``"not kept"``), ``metadata["channels"]
        ["keep"]`` records the set.
    picks : str | list of str
        For files and MNE objects: the channels read (MNE's ``picks``), by type, ``"eeg"`` by
        default; ``["eeg", "misc"]`` also takes electrodes a file types ``misc`` (a warning
        names such channels), ``"all"`` every channel (those outside the vocabulary are then
        dropped by name); or by name, ``["Fp1", "Cz"]`` (kept in recording order). Channels
        marked bad are left out of picks by type. Refused for arrays (a
        :class:`~eegpt.errors.RecordingError`): select the array's rows instead and pass the
        ``ch_names`` of the rows kept.
    preprocessing : PreprocessingConfig | None
        Resampling, units, reference, windowing and detrending; the keyword arguments
        ``window_seconds``, ``overlap``, ``average_reference``, ``resample``, ``tail`` and
        ``detrend`` override single fields.
    window_seconds, overlap : float | None
        Window length and the overlap of consecutive windows, in seconds
        (``0 <= overlap < window_seconds``; a window starts every ``window_seconds - overlap``
        seconds). ``None`` (default) keeps ``preprocessing``'s (4 s and 0 s by default).
    average_reference, resample, tail, detrend
        Override those fields of ``preprocessing`` (see
        :class:`~eegpt.preprocessing.PreprocessingConfig`: ``True``/``False``,
        ``"polyphase"``/``"nearest"``, ``"drop"``/``"pad"``,
        ``"none"``/``"constant"``/``"linear"``); ``None`` (default) leaves a field as it is.
    reject_by_annotation : bool
        Leave out the windows of a continuous recording that overlap an annotation marked bad
        (description starting with ``"bad"``, any case: ``BAD_muscle``, MNE's ``BAD boundary``;
        EEGLAB's ``boundary`` events and BrainVision's ``New Segment`` markers), as MNE does for
        epochs. By default they are embedded and a warning says how many there
        are; either way ``metadata["annotations"]`` lists the annotations over each embedded
        window and :attr:`Embeddings.bad <eegpt.outputs.Embeddings.bad>` marks the bad ones.
        NaN/Inf samples, refused otherwise, are ignored when they all lie inside bad
        annotations and so in windows left out (a warning counts them; see
        :func:`eegpt.resampling.fill_nonfinite`).
    annotations : str | path-like | mne.Annotations | None
        More annotations of a continuous recording, kept in another file (a hypnogram such as
        Sleep-EDF's ``*-Hypnogram.edf``, anything ``mne.read_annotations`` reads, a BIDS
        ``*_events.tsv`` or a TUH ``.csv_bi``/``.tse``) or given as ``mne.Annotations``; they
        join the recording's own for the windows' annotations, ``bad`` and
        ``reject_by_annotation``.
        With a start time (``orig_time``) they are placed against the recording's
        measurement date, else their onsets count from its first sample.
        :meth:`Embeddings.window_labels <eegpt.outputs.Embeddings.window_labels>` makes one
        label per window of them.
    marker_spans : Mapping[str, str] | None
        ``{state: regex}``: the state markers (annotations of no duration, e.g. eyes closed
        ``EC`` / eyes open ``EO``) of a continuous recording's annotations, its own and
        ``annotations``', made spans first (:func:`eegpt.annotations.markers_to_spans`, each
        state to the next state marker, unscored marker (``'Sleep stage ?'``, whose epochs
        are in no state) or the recording's end), so that each window's
        annotations are the spans over it (command line ``--marker-spans NAME=REGEX``);
        recorded as ``metadata["marker_spans"]``. A ``ValueError`` naming the recording if no
        marker matches, matching ones already last, or the last is past its end. Epochs are
        left as they are.
    events_from_stim : bool | str | None
        Make the events of a continuous recording's stim channel (BioSemi's ``Status``,
        ``STI 014``, a channel typed ``stim``) annotations of no duration, joined to its own
        and ``annotations``' (before ``marker_spans``): ``True``, its one stim channel;
        ``"Status"``, that channel (command line ``--events-from-stim [CHANNEL]``). Found
        with ``mne.find_events(..., shortest_event=1, consecutive=True)`` on the samples as
        read, each lands on its trigger's sample (:mod:`eegpt.stim_events`); recorded as
        ``metadata["events_from_stim"]``. A ``ValueError`` naming the recording and its stim
        channels where it has none, or several and none is named. Without it, a stim channel
        holding events is said (logged) to be unused. Epochs are left as they are.
    stim_mask : int | None
        With ``events_from_stim``: the bits of the codes kept (``mask_type="and"``), e.g.
        ``0xFF`` for BioSemi's 8-bit triggers (``--stim-mask``); a BDF's codes carrying
        BioSemi's upper status bits without it are warned of.
    event_names : Mapping[int, str] | None
        With ``events_from_stim``: ``{code: description}`` of the annotations made
        (``{11: "standard", 12: "target"}``, ``--event-names 11=standard``); codes not named
        are described by their number (``"11"``); a name of a code the recording never
        holds is warned of, naming the codes found.
    epochs_around : EpochsAround | None
        Cut a continuous recording (a path or ``mne.io.Raw``) into epochs first, one window
        each, around its annotations that match (:class:`eegpt.event_epochs.EpochsAround`:
        command line ``--epochs-around REGEX``, its ``tmin`` from ``--crop``, its baseline
        from ``--baseline``), after ``events_from_stim`` made its stim channel's events
        annotations: ``mne.Epochs(raw, events, tmin, tmax=tmin + window_seconds - 1 / sfreq,
        baseline, reject_by_annotation)``, then embedded as an ``-epo.fif`` of those epochs
        is (the same embeddings and onsets; events too close to the ends are left out,
        warned of). Recorded as ``metadata["epochs_around"]``. Not with ``marker_spans`` or
        ``annotations``, nor for epochs and arrays (a ``ValueError``).
    device, precision, batch_size
        Inference settings (see :class:`eegpt.engine.InferenceEngine`); ignored when ``engine``
        is given.
    engine : InferenceEngine | None
        An engine made already (:class:`eegpt.engine.InferenceEngine`), to share one (its
        device, precision, batch size, compiled kernels) between calls; it must run this model's
        encoder (another copy of the same weights will do: a ``ValueError`` otherwise). ``None``
        (default): a new engine from ``device``, ``precision`` and ``batch_size``.
    progress : bool
        Show a progress bar over windows.
    stream : bool | None
        Read a file block by block in bounded memory (the default, ``None``, for paths other
        than epochs files, and for an ``mne.io.Raw`` opened with ``preload=False``) or load it
        whole first (``False``). Both give the same windows (see :mod:`eegpt.streaming`).
        Loaded Raw objects, Epochs and arrays are in memory already.
    hash_inputs : bool
        For a recording given as a path: also record each file's full SHA-256 (what
        ``sha256sum`` prints) in ``metadata["source_files"]["sha256"]``. That reads every
        byte of the files once more, before any window is embedded (seconds for a large file
        on network storage); by default only their names, size, modification time and the
        cheap fingerprint a corpus run takes (first and last MiB) are recorded. For an MNE
        object or an array nothing is hashed, and a warning says so.
    verbose : bool | str | int | None
        As in MNE: ``True`` (or ``"info"``) logs what is done (channel table, resampling,
        windows) to the ``"eegpt"`` logger; ``False``/``None``/``"warning"`` only warns;
        ``"error"`` also silences eegpt's warnings for this call.

    Returns
    -------
    Embeddings
        ``data`` ``[n_windows, N, S, D]``, window ``onsets`` in seconds and provenance metadata
        (with ``metadata["rejected_by_annotation"]``, the onsets of the windows left out, when
        ``reject_by_annotation`` left any out; ``metadata["warnings"]``, the texts of the
        warnings eegpt gave about the recording, such as its amplitude check, empty if none;
        for a recording given as a path, ``metadata["source_files"]``, which exact files were
        read: their names, size, modification time and fingerprint, with ``hash_inputs``
        each one's SHA-256 too, see
        :func:`eegpt._file_identity.source_files_record`; absent for MNE objects and arrays,
        which may differ from any file: for those, ``metadata["input"]`` records the object's
        type and the file it was read from, if any (:func:`input_record`)).
        ``metadata["source"]`` names one file: of a Raw read from several
        (``mne.concatenate_raws``), the first; :attr:`Embeddings.sources
        <eegpt.outputs.Embeddings.sources>` gives them all.

    Raises
    ------
    RecordingError
        (a ``ValueError``) A file that cannot be read or a recording that cannot be used; the
        message names it and the problem.
    FileNotFoundError
        A path that does not exist.
    eegpt.errors.InsufficientMemoryError
        (a ``MemoryError``) The embeddings of every window, held at once, would take more than
        half the memory available: refused after the first block, the message says to write
        them block by block with :func:`eegpt.embed_to_file` instead.
    """
    args = locals()  # exactly the arguments at this point
    encoder_of(model)  # a loaded model, not a path (TypeError saying to load it)
    with _training_flags_kept(model), recorded_warnings() as said:
        job = _Job.create(model, data, args)
        out: np.ndarray | None = None
        # closed here, not when collected: a bar closed late draws itself after the error
        with contextlib.closing(job.encode()) as blocks:
            for start, z in blocks:
                if out is None:  # all held at once: refused here if that cannot fit
                    check_output_memory(job.desc, (job.n_windows, *z.shape[1:]))
                    out = np.empty((job.n_windows, *z.shape[1:]), dtype=np.float32)
                out[start : start + len(z)] = z
    if out is None:  # every job has a window (a recording without one is refused before)
        raise RecordingError(f"{job.desc}: no window to embed")
    _record_warnings(job.metadata, said)
    return Embeddings(out, job.onsets, job.metadata)


# embed is decorated here rather than with @, so that type checkers see the undecorated
# function too (_embed), as EEGPT.embed: the type of a decorated function, or of a variable,
# cannot be resolved in the import cycle of eegpt.api and eegpt.model, a def's can; a misspelt
# keyword (model.embed(x, sfrq=250)) or a wrong value is then an error there as in embed
_embed.__name__ = _embed.__qualname__ = "embed"


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _argument_text(value: Any) -> str:
    """How :func:`_model_first` names an argument given where it does not belong:
    ``"str 'rec.vhdr'"``, ``"an mne.io.Raw (RawArray)"``, ``"a NumPy array"``."""
    kind = type(value).__name__
    if isinstance(value, (str, os.PathLike)):
        return f"{kind} {str(value)!r}"
    if isinstance(value, mne.io.BaseRaw):
        return f"an mne.io.Raw ({kind})"
    if isinstance(value, mne.BaseEpochs):
        return f"an mne.Epochs ({kind})"
    if isinstance(value, np.ndarray):
        return "a NumPy array"
    return "a torch.Tensor" if isinstance(value, torch.Tensor) else f"a {kind}"


def _two_paths_text(name: str, signature: str, first: Any, second: Any) -> str:
    """What :func:`_model_first` says of two paths given to a function that takes a model, the
    data and an output (``embed_to_file('ck', 'rec.edf')``): a model's path or name and the
    recording with the output missing, or, when the second names an ``.npz`` or ``.parquet``
    file, the recording and the output with the model missing. Either way the call meant,
    with the paths given, so that the fix is to copy."""
    given = (
        f"{name}() takes the model, the data and the output ({signature}), and got two "
        f"paths, {_argument_text(first)} and {_argument_text(second)}"
    )
    first_text, second_text = str(first), str(second)
    if output_format(second_text) is not None:  # a recording, then the output: no model
        return (
            f"{given}: they look like the recording and the output, with the model missing; "
            "load the model first, model = eegpt.load_model('eegpt-large') (or a "
            f"checkpoint's path), then eegpt.{name}(model, {first_text!r}, {second_text!r})"
        )
    return (
        f"{given}: {first_text!r} stands where the model goes and {second_text!r} where the "
        "data goes, and the output is missing; if "
        f"{first_text!r} is a model's name or checkpoint, load it first, model = "
        f"eegpt.load_model({first_text!r}), then eegpt.{name}(model, {second_text!r}, "
        "'out.npz') (the output: a .npz or .parquet file)"
    )


def _model_first(usage: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Refuse, with a ``TypeError`` that shows the call meant, a function of the model-first
    signature (``embed(model, data)``) given the data first (``eegpt.embed(raw)``): Python's
    own error, ``missing 1 required positional argument: 'data'``, takes the recording for the
    model. ``usage`` is the call with the model (``"eegpt.embed(model, raw)"``). A model given
    as a path with the data after it is left to :func:`eegpt.checkpoints.encoder_of`, which
    says to load it; two paths where a model, the data and an output go are told apart by
    :func:`_two_paths_text`."""

    def decorate(func: Callable[_P, _R]) -> Callable[_P, _R]:
        name = func.__name__
        required = [
            p.name
            for p in inspect.signature(func).parameters.values()
            if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD
        ]  # model, data (and output): all that a model-first call needs

        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            first = args[0] if args else kwargs.get("model")
            second = args[1] if len(args) > 1 else kwargs.get("data")
            data_like = (mne.io.BaseRaw, mne.BaseEpochs, np.ndarray, torch.Tensor)
            path_like = isinstance(first, (str, os.PathLike))
            short = len(args) + sum(k in required for k in kwargs) < len(required)
            signature = f"{name}({', '.join(required)}, ...)"
            if args and "model" in kwargs:  # eegpt.embed('rec.edf', model=model)
                raise TypeError(
                    f"{name}() takes the model first, then the data ({signature}), and got "
                    f"{_argument_text(args[0])} first, where the model goes, and model= as "
                    f"well: call {usage}"
                )
            if isinstance(second, (EEGPT, EEGPTEncoder)) and not isinstance(
                first, (EEGPT, EEGPTEncoder)
            ):  # eegpt.embed(raw, model)
                raise TypeError(
                    f"{name}() takes the model first, then the data ({signature}): the "
                    f"arguments are swapped, {_argument_text(first)} first and the model "
                    f"second; call {usage}"
                )
            if path_like and short and isinstance(second, (str, os.PathLike)):
                # embed_to_file('ck', 'rec.edf'): two paths, the model or the output missing
                raise TypeError(_two_paths_text(name, signature, first, second))
            # a path first with the data after it is a model's path (an output missing, say)
            if isinstance(first, data_like) or (
                path_like and short and not isinstance(second, data_like)
            ):
                raise TypeError(
                    f"{name}() takes the model first, then the data ({signature}), and got "
                    f"{_argument_text(first)} as the model: load the weights first, model = "
                    "eegpt.load_model('eegpt-large') (or a checkpoint's path), then "
                    f"{usage}"
                )
            return func(*args, **kwargs)

        return wrapper

    return decorate


def _keywords_checked(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """``func`` (:func:`_embed`) refusing a keyword it does not take as ``model.embed`` does,
    naming the one meant (:func:`check_embed_keywords`), not in Python's words alone."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        check_embed_keywords([k for k in kwargs if k not in ("model", "data")])
        return func(*args, **kwargs)

    return wrapper


embed = _model_first("eegpt.embed(model, raw), or model.embed(raw)")(
    honours_verbose(_keywords_checked(_embed))
)


def _record_warnings(metadata: dict[str, Any], said: list[str]) -> list[str]:
    """Keep the warnings given about the recording in its provenance (``metadata["warnings"]``,
    empty when there were none); returns them."""
    metadata["warnings"] = warning_texts(said, MAX_RECORDED_WARNINGS)
    return metadata["warnings"]


def embed_method(model: EEGPT, data: Any, **kwargs: Any) -> Embeddings:
    """``model.embed(data, ...)``: :func:`embed`, whose signature and documentation it shows,
    with a keyword it does not take named (a typo, or a command-line option's name), as
    :func:`embed` names it. Type checkers see :func:`embed`'s own signature as ``EEGPT.embed``
    (``_embed``, model.py)."""
    return embed(model, data, **kwargs)


embed_method.__signature__ = inspect.signature(embed)  # type: ignore[attr-defined]
embed_method.__doc__ = embed.__doc__
embed_method.__name__ = embed_method.__qualname__ = "embed"


# command-line options whose keyword in Python differs from their name
_CLI_KEYWORDS = {
    "window": "window_seconds=",
    "rescale": "preprocessing=PreprocessingConfig(scale=...) (or units= for arrays)",
    "strict_channels": "on_unknown='raise'",
    "drop": "rename={name: None}",
    "quiet": "verbose=False",
    "pool": "the result's .pooled('mean')",
    # not an option, but the keyword of embed_to_file, embed_dataset and export_embeddings
    "pooling": "the result's .pooled('mean') (embed_to_file takes pooling=)",
    "output": "embed_to_file(model, data, path)",
    "weights": "eegpt.load_model(weights).embed(...)",
    "start": "preprocessing=PreprocessingConfig(start_seconds=...)",
    "stream_precision": (
        "engine=eegpt.InferenceEngine(model, precision='bfloat16', stream_precision=...)"
    ),
    "keep_channels": "keep=",
    "no_average_reference": "preprocessing=PreprocessingConfig(average_reference=False)",
}


#: Keywords of other libraries that embed does not take, and what it does instead.
_NOT_TAKEN = {
    "ch_types": (
        "array input takes no channel types: channels that are not EEG (EOG, EMG, GSR, "
        "ECG, ...) are dropped by their names, and a warning lists them; leave such rows out "
        "yourself (x[..., rows, :] with their ch_names), or pass an mne.EpochsArray (or "
        "mne.io.RawArray) of the samples in volts with info=mne.create_info(ch_names, sfreq, "
        "ch_types), whose EEG channels alone are taken"
    ),
}


def check_embed_keywords(keywords: Sequence[str]) -> None:
    """Refuse keywords :func:`embed` does not take, naming the one meant (a typo, or a
    command-line option's name such as ``window``); ``TypeError`` as Python's own."""
    import difflib

    known = [p for p in inspect.signature(embed).parameters if p not in ("model", "data")]
    unknown = [k for k in keywords if k not in known]
    if not unknown:
        return
    preprocessing = set(PreprocessingConfig.__dataclass_fields__)
    hints = []
    for key in unknown:
        if key in _NOT_TAKEN:
            continue  # said below, not as a keyword meant
        meant = _CLI_KEYWORDS.get(key.replace("-", "_"))
        if key in preprocessing:  # a setting embed takes only inside its preprocessing=
            meant = f"preprocessing=eegpt.preprocessing.PreprocessingConfig({key}=...)"
        close = difflib.get_close_matches(key, known, n=1)
        if meant or close:
            hints.append(f"{key!r} -> {meant or close[0] + '=...'}")
    hint = f" (did you mean: {'; '.join(hints)}?)" if hints else ""
    hint += "".join(f"; {key}: {_NOT_TAKEN[key]}" for key in unknown if key in _NOT_TAKEN)
    raise TypeError(
        f"embed() got unexpected keyword argument(s) {unknown}{hint}; it takes {', '.join(known)}"
    )


@renamed_keywords(pool="pooling")
@_model_first("eegpt.embed_to_file(model, raw, 'out.npz')")
@honours_verbose
def embed_to_file(
    model: EEGPT | EEGPTEncoder,
    data: Any,
    output: str | os.PathLike,
    *,
    overwrite: bool = False,
    pooling: Literal["none", "mean"] = "none",
    resume: bool = False,
    **kwargs: Any,
) -> EmbeddingsFile:
    """Embed one recording and write the embeddings to ``output`` block by block.

    The file (``.npz`` or ``.parquet``) is written through a temporary file and renamed into
    place when complete (:class:`eegpt.outputs.EmbeddingsWriter`): an error or an interrupt
    leaves no file under ``output``. With a file as ``data``, memory stays bounded however long
    the recording is.

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder
        As for :func:`embed`: a loaded model, or its encoder alone.
    data
        As for :func:`embed`.
    output : str | path-like
        Destination ``.npz`` or ``.parquet`` file.
    overwrite : bool
        Replace an existing ``output``.
    pooling : {"none", "mean"}
        ``"none"`` stores every summary token, ``[n_windows, N, S, D]``; ``"mean"`` their mean
        per window (``Embeddings.pooled("mean")``), stored as ``[n_windows, 1, 1, D]`` with
        ``metadata["pool"] == "mean"``, as ``embed-dataset --pool mean`` stores a corpus.
        (Was ``pool``, still taken with a ``FutureWarning``.)
    resume : bool
        Take the windows embedded by an interrupted call of the same settings from where it kept
        them, instead of running the model on them again. While a recording is embedded, the
        windows done are kept in hidden files beside ``output`` (``.<name>.eegpt-partial.*``:
        :mod:`eegpt._partial_embeddings`), recorded every few minutes and at a Ctrl-C or
        SIGTERM, and removed when ``output`` is complete. With ``resume``, those whose
        fingerprint is this call's (same input files, weights, preprocessing, windowing,
        precision, device and GPU model (on a CPU its instruction set, AVX2 or AVX512), batch
        size and eegpt version) and whose weights are the model's as they are now (a hash of the
        weights the embeddings are computed from, the encoder's, not a channel projection's or
        probe head's, taken when windows are kept or compared: a model built in Python or edited
        in place too; windows kept before that hash was recorded are taken where the model still
        holds the weights of the file it was loaded from) are taken; the recording is read and
        checked from its start as before, so ``output``'s embeddings, onsets and flags are the
        same, bit for bit, as those of a call never interrupted (warnings the model's run gave
        over the kept windows are not repeated in its provenance), unless the engine had turned
        ``torch.compile`` on (``compile="auto"``, after many windows on a GPU): a resume starts
        uncompiled, so the windows it embeds may differ in the last digits (logged). Kept
        windows of other settings, or of a changed file (told by its size, modification time and
        first and last MiB, or its SHA-256 with ``hash_inputs``), are removed (logged), never
        mixed in; without ``resume`` they are removed too. Windows kept by a call with
        ``overwrite`` over an existing ``output`` record that it was being replaced: resume such
        a call with ``overwrite=True`` too (``eegpt embed --skip-existing`` does so for such an
        output). A Raw read without preload is told by its files as a path is; data in memory
        (an array, a preloaded Raw, Epochs: embedded in one block) cannot be told from other
        data, so no window of it is kept at an interrupt, and windows kept beside ``output`` are
        not taken (logged).
    **kwargs
        Any keyword argument of :func:`embed`.

    Returns
    -------
    EmbeddingsFile
        The file's path, the embeddings' shape, onsets and metadata (``len()`` is the number of
        windows; ``.load()`` or :func:`eegpt.load_embeddings` reads the embeddings).

    Raises
    ------
    OutputExistsError
        (a ``FileExistsError``) If ``output`` exists and ``overwrite`` is False; checked before
        any work and again when the file is renamed into place.
    RecordingError, FileNotFoundError
        As for :func:`embed`.
    """
    encoder_of(model)  # a loaded model, not a path (TypeError saying to load it)
    output = user_path(output)
    if output_format(output) is None:
        raise ValueError(f"unsupported output {output.name!r}: use .npz or .parquet")
    if pooling not in ("none", "mean"):
        raise ValueError(f"pooling must be 'none' or 'mean', got {pooling!r}")
    if output.exists() and not overwrite:
        raise OutputExistsError(f"{output} exists; pass overwrite=True (--overwrite) to replace it")
    require_output_dependencies(output)  # before reading the recording
    with _training_flags_kept(model), recorded_warnings() as said:
        job = _Job.create(model, data, {"model": model, "data": data, **kwargs})
        identity = _resume_identity(data)
        if resume and identity is None and read_record(output) is not None:
            _log(_not_resumed_in_memory(output, job.metadata), kwargs.get("verbose"))
        fingerprint = resume_fingerprint(job, identity, pooling)
        # the windows embedded so far, kept beside the output for a resumed call: recorded
        # at an interrupt, removed when the output is complete or on an error
        partial = PartialRows(
            output,
            fingerprint,
            job.n_windows,
            resume=resume,
            keep=identity is not None,  # data in memory: none kept, as none would be taken
            # windows kept before the CPU's instruction set or eegpt_changes were recorded
            # (an eegpt before 2026-12-07, or of earlier that day): taken, noted
            taken_earlier=lambda: [
                resume_fingerprint(job, identity, pooling, cpu=cpu, changes=changes)
                for cpu, changes in ((False, True), (True, False), (False, False))
            ],
            verbose=kwargs.get("verbose"),
            # the weights as they are: a model never loaded from a file, or edited in place,
            # has no file's SHA-256 in the provenance (hashed only where rows are kept)
            # (the encoder's, which the embeddings are computed from: not a channel
            # projection's or a probe head's)
            weights=lambda: embedding_weights_hash(model),
            # windows kept before that hash was recorded: taken where the provenance's file
            # SHA-256 names the weights, which are still the file's
            file_weights=lambda: _still_file_weights(model),
            replaces=_mtime_ns(output) if overwrite else None,  # for a resume to replace it too
            # whether the rows are compiled ones (compile="auto" on a GPU after many windows):
            # a resume starting uncompiled says the rest may differ in the last digits
            compiled=lambda: job.engine.use_compile,
            changes=CHANGES_DATE,  # in the fingerprint: said where rows of another are removed
        )
        # closed on the way out, not when collected: a write that fails (a full disk, memory)
        # leaves the bar where it stopped, drawn before the error rather than after it
        with partial, contextlib.closing(job.encode(pooling, partial.stored_rows)) as blocks:
            start, first = next(blocks)
            shape = (job.n_windows, *first.shape[1:])
            meta = job.metadata
            if pooling != "none":
                meta["pool"] = pooling
            before = len(_record_warnings(meta, said))  # reading and checking the recording
            with EmbeddingsWriter(output, shape, job.onsets, meta, overwrite=overwrite) as writer:
                writer.write(first)
                partial.append(start, first)
                for start, z in blocks:
                    writer.write(z)
                    partial.append(start, z)
                if len(_record_warnings(meta, said)) != before:  # more while embedding
                    writer.update_metadata(warnings=meta["warnings"])
    return EmbeddingsFile(output, shape, job.onsets, job.metadata)


def resume_fingerprint(
    job: _Job,
    identity: Mapping[str, Any] | None,
    pool: str,
    *,
    cpu: bool = True,
    changes: bool = True,
) -> str:
    """The fingerprint of :func:`embed_to_file`'s kept windows of ``job``
    (:func:`~eegpt._partial_embeddings.run_fingerprint`): its provenance, ``identity``
    (:func:`_resume_identity`), the engine's choices that change the numbers but that the
    provenance does not record (:meth:`~eegpt.engine.InferenceEngine.unrecorded_numerics`),
    the onsets and ``pool``. ``cpu=False``: without the CPU's instruction set, as an eegpt
    before 2026-12-07 made it (:data:`~eegpt._partial_embeddings.CPU_NUMERICS`);
    ``changes=False``: without ``eegpt_changes`` (:data:`CHANGES_DATE`), as an eegpt before
    it was recorded (2026-12-07) made it."""
    numerics = job.engine.unrecorded_numerics()
    if not cpu:
        numerics.pop(CPU_NUMERICS, None)
    metadata = {k: v for k, v in job.metadata.items() if changes or k != "eegpt_changes"}
    noted = {**metadata, **(identity or {}), **numerics}
    return run_fingerprint(noted, job.onsets, pool)


def _resume_identity(data: Any) -> dict[str, Any] | None:
    """What tells the data of a resumed :func:`embed_to_file` from another's, beyond its
    provenance (added to the kept windows' fingerprint): nothing more for a path (the
    provenance's ``source_files`` names its files: size, modification time, first and last
    MiB), the same of each file a Raw not preloaded is streamed from (its provenance names
    the first file alone, not what it holds now); None for data in memory (an array, a
    preloaded Raw, Epochs: what they hold may have been changed there, and nothing tells it
    from another's), whose kept windows are never taken."""
    if isinstance(data, (str, os.PathLike)):
        return {}
    if isinstance(data, mne.io.BaseRaw) and not data.preload:
        files = [source_files_record(name) for name in mne_sources(data)]
        if files and all(record is not None for record in files):
            return {"streamed_from_files": files}
    return None


def _not_resumed_in_memory(output: Path, metadata: Mapping[str, Any]) -> str:
    """The note of :func:`embed_to_file` (``resume``) that windows kept beside ``output`` are
    not taken, as the data is an object in memory (:func:`_resume_identity`)."""
    kind = (metadata.get(INPUT_KEY) or {}).get("object", "object")
    return (
        f"{output}: the windows an interrupted run kept are not taken: the data given is a "
        f"{kind} in memory, which cannot be told from other data (it may have been changed "
        "there); they are removed and it is embedded from its start (give the recording's "
        "path, or a Raw read without preload, to resume inside it)"
    )


def _still_file_weights(model: EEGPT | EEGPTEncoder) -> bool:
    """Whether ``model`` holds the encoder weights of the file it was loaded from, whose
    SHA-256 its provenance names (:func:`checkpoint_record`): hashed (tens of ms), so that
    a change nothing sees (a write through ``p.data``) counts too. False for an encoder
    alone, a model built in Python or made without a file."""
    loaded = getattr(model, "_loaded_weights", None)
    info = getattr(model, "checkpoint_info", None) or {}
    if not isinstance(model, EEGPT) or loaded is None or not info.get("sha256"):
        return False
    return bool(encoder_fingerprint(model) == loaded.fingerprint)


def _mtime_ns(path: Path) -> int | None:
    """``path``'s modification time (ns), or None where there is no such file."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _pooled_block(z: np.ndarray, pool: Literal["none", "mean"]) -> np.ndarray:
    """Summary tokens ``[n, N, S, D]`` as stored: as they are, or (``"mean"``) their mean per
    window as ``[n, 1, 1, D]`` (:func:`~eegpt.outputs.pool_embeddings`' ``"mean"``)."""
    if pool == "none":
        return z
    return pool_embeddings(z, "mean")[:, None, None, :]


@contextlib.contextmanager
def _training_flags_kept(model: torch.nn.Module) -> Iterator[None]:
    """Restore each module's training flag on exit: embedding runs the encoder in eval mode
    (the engine it builds sets it) but leaves a model being trained in training mode."""
    flags = [(m, m.training) for m in model.modules()]
    try:
        yield
    finally:
        for m, training in flags:
            m.training = training


# embed()'s keyword arguments and their defaults (embed_to_file passes them on as **kwargs)
_EMBED_DEFAULTS: dict[str, Any] = {
    name: p.default
    for name, p in inspect.signature(embed).parameters.items()
    if p.kind is inspect.Parameter.KEYWORD_ONLY
}


def picks_record(picks: Any) -> list[str | int]:
    """``picks`` as an output records it: a list of channel types, names or indices, as JSON
    holds them (``None``, MNE's "all", as ``["all"]``; NumPy integers as ints)."""
    listed = ["all"] if picks is None else [picks] if isinstance(picks, str) else list(picks)
    return [
        int(p) if isinstance(p, (int, np.integer)) and not isinstance(p, bool) else str(p)
        for p in listed
    ]


@dataclass
class _Job:
    """Windows to embed (in memory or streamed), the engine and the provenance."""

    engine: InferenceEngine
    chan_ids: tuple[int, ...]
    n_windows: int
    onsets: np.ndarray
    metadata: dict[str, Any]
    blocks: Callable[[], Iterator[tuple[int, np.ndarray]]]
    desc: str
    progress: bool

    @classmethod
    def create(cls, model: EEGPT | EEGPTEncoder, data: Any, args: dict[str, Any]) -> _Job:
        unknown = set(args) - set(_EMBED_DEFAULTS) - {"model", "data"}
        if unknown:
            raise TypeError(f"unexpected keyword argument(s) {sorted(unknown)}")
        refuse_grad_tensor(data, "embed")
        a = {**_EMBED_DEFAULTS, **{k: v for k, v in args.items() if k in _EMBED_DEFAULTS}}
        config = (a["preprocessing"] or PreprocessingConfig()).updated(
            window_seconds=a["window_seconds"],
            overlap=a["overlap"],
            average_reference=a["average_reference"],
            resample=a["resample"],
            tail=a["tail"],
            detrend=a["detrend"],
        )
        rules = ChannelRules.of_one(a["on_unknown"], a["on_missing"])  # before a file is read
        rename, keep = a["rename"], a["keep"]
        engine = engine_for(
            model, a["engine"], device=a["device"], precision=a["precision"],
            batch_size=a["batch_size"],
        )  # fmt: skip
        verbose = a["verbose"]
        if isinstance(data, mne.io.BaseRaw):  # files of mne.concatenate_raws with a pause
            warn_joined_pauses(data)
        reject = a["reject_by_annotation"]
        stim = stim_events_setting(a["events_from_stim"], a["stim_mask"], a["event_names"])
        around: EpochsAround | None = a["epochs_around"]
        cut = None if around is None else _cut_around(data, around, config, a, stim, rules)
        streamed: StreamedRecording | None = None
        streamable = a["stream"] is not False and cut is None
        if streamable and isinstance(data, (str, os.PathLike)):
            require_array_args_absent(a["ch_names"], a["sfreq"], a["units"], str(data))
            streamed = open_stream_unless_epochs(
                data, rules, picks=a["picks"], rename=rename, keep=keep, verbose=verbose
            )
        elif streamable and isinstance(data, mne.io.BaseRaw) and not data.preload:
            require_array_args_absent(a["ch_names"], a["sfreq"], a["units"], "<Raw>")
            streamed = open_mapped_stream(
                data, rules, picks=a["picks"], rename=rename, keep=keep, verbose=verbose
            )
        recording: StreamedRecording | Recording
        windows: WindowStream | Windows
        if streamed is not None:
            if config.crop_tmin is not None:  # a continuous recording: nothing to crop
                raise RecordingError(
                    f"{streamed.source}: {crop_refused_for_continuous(config.crop_tmin)}"
                )
            recording = streamed
            add_stim_events(recording, stim, verbose=verbose)
            added = placed_extra(recording, a["annotations"])  # read once, used twice
            bad = BadSpans.of(recording, a["annotations"], reject=reject, added=added)
            windows = stream = WindowStream(streamed, config, verbose=verbose, bad_spans=bad)
            shape = (recording.n_channels, config.n_samples)
            size = block_size(engine.batch_for(shape), BLOCK_WINDOWS)
            blocks = lambda: stream.blocks(size)  # noqa: E731
        else:
            exclude = (  # as the streamed reading leaves them out
                faster_unused_channels(
                    data, picks=a["picks"], rules=rules, rename=rename, keep=keep
                )
                if isinstance(data, (str, os.PathLike))
                else []
            )
            loaded = (
                as_recording(
                    data, ch_names=a["ch_names"], sfreq=a["sfreq"], units=a["units"],
                    picks=a["picks"], verbose=verbose, exclude=exclude, keep=keep,
                    rename=rename,
                )
                if cut is None  # epochs cut around its annotations: named by its file
                else recording_of_mne(
                    cut, a["picks"], _source_of(data), verbose, keep=keep, rename=rename
                )
            )  # fmt: skip
            if isinstance(loaded, list):
                raise TypeError("embed takes one recording; call it once per recording")
            recording = loaded
            given_raw = data if isinstance(data, mne.io.BaseRaw) else None
            if stim is not None and isinstance(data, mne.BaseEpochs):
                _warn(
                    f"{recording.source}: events_from_stim= makes the events of a continuous "
                    "recording's stim channel annotations; these are epochs, left as they are "
                    "(their windows are the epochs, cut around their events already; each "
                    "keeps the annotations MNE gives it): leave out events_from_stim="
                )
            add_stim_events(recording, stim, raw=given_raw, verbose=verbose)
            mne_object = isinstance(data, (mne.io.BaseRaw, mne.BaseEpochs))
            info = cut.info if cut is not None else data.info if mne_object else None
            mapping: ChannelMapping = map_recording_channels(
                recording.ch_names, recording.source, left_out=recording.left_out, rules=rules,
                rename=rename, keep=keep, verbose=verbose, info=info,
            )  # fmt: skip
            added = placed_extra(recording, a["annotations"])
            bad = BadSpans.of(recording, a["annotations"], reject=reject, added=added)
            windows = in_memory = prepare(
                recording, mapping, config, bad_spans=bad, verbose=verbose
            )
            blocks = lambda: iter([(0, in_memory.data)])  # noqa: E731
        onsets = np.asarray(windows.onsets)
        metadata = provenance(model, recording, windows, engine)
        if windows.flags is not None:  # the windows over the flat and clipped stretches named
            metadata.update(windows.flags.per_window(onsets, config.window_seconds))
        if around is not None:  # how the epochs were cut from the recording
            metadata["epochs_around"] = around.record()
        if isinstance(data, (str, os.PathLike, mne.io.BaseRaw, mne.BaseEpochs)):
            # files and MNE objects: the channels read (metadata["channels"]["picks"] are
            # the indices of those embedded)
            metadata["picks"] = picks_record(a["picks"])
        if isinstance(data, (str, os.PathLike)):  # which exact file(s): size, time, hashes
            identity = source_files_record(data, full_hashes=bool(a["hash_inputs"]))
            if identity is not None:
                metadata[SOURCE_FILES_KEY] = identity
        else:  # an object in memory: whatever was done to it there is not the file's
            metadata[INPUT_KEY] = input_record(data, recording.source)
            if a["hash_inputs"]:
                _warn(
                    f"hash_inputs=True: no file was hashed, as the input is an in-memory "
                    f"{metadata[INPUT_KEY]['object']}, not a path (what it holds may differ "
                    "from any file); give the recording's path to record its files' SHA-256"
                )
        left = metadata.get("tail_left_out_s")
        if left:
            _log(
                f"{recording.source}: the last {left:g} s, shorter than a window, are not "
                "embedded (with tail='pad', --tail pad on the command line, they would be, "
                "zero-padded into a last window)",
                verbose,
            )
        if metadata.get("padded_epochs"):
            _log(
                epoch_padding_note(recording.source, metadata["padded_epochs"], config.crop_tmin),
                verbose,
            )
        keep = _apply_annotations(
            metadata, recording, onsets, config, reject, verbose, extra=a["annotations"],
            added=added, states=a["marker_spans"], stim=stim,
        )  # fmt: skip
        if keep is not None:
            blocks, onsets = _kept_blocks(blocks, keep), onsets[keep]
        return cls(
            engine=engine,
            chan_ids=windows.mapping.chan_ids,
            n_windows=len(onsets),
            onsets=onsets,
            metadata=metadata,
            blocks=blocks,
            desc=terminal_text(Path(recording.source).name),  # a bar's label
            progress=a["progress"],
        )

    def encode(
        self,
        pool: Literal["none", "mean"] = "none",
        stored: Callable[[int, int], np.ndarray | None] | None = None,
    ) -> Generator[tuple[int, np.ndarray], None, None]:
        """Yield ``(first window index, embeddings float32 [b, N, S, D])`` block by block
        (``[b, 1, 1, D]`` with ``pool="mean"``: :func:`_pooled_block`).

        ``stored(start, b)``: the embeddings of windows ``start:start + b`` as yielded, kept
        by an interrupted run (:class:`~eegpt._partial_embeddings.PartialRows`), or None to
        run the model on them. Every block is read, checked and windowed all the same, so
        the blocks embedded after them are those of a run that embeds them all.

        Raises
        ------
        EmbeddingError
            If the model returns NaN/Inf for any window.
        """
        from tqdm.auto import tqdm  # here: in a notebook without ipywidgets, tqdm warns

        bar = tqdm(total=self.n_windows, desc=self.desc, unit="win",
                   **progress_options(disable=not self.progress))  # fmt: skip
        try:
            for start, windows in self.blocks():
                kept = None if stored is None else stored(start, len(windows))
                if kept is not None:  # embedded before (checked then)
                    bar.update(len(windows))
                    yield start, kept
                    continue
                z = self.engine.encode(windows, self.chan_ids, progress=bar)
                check_embeddings(z, start, self.onsets, self.metadata)
                yield start, _pooled_block(z, pool)
        finally:
            bar.close()


def _source_of(data: Any) -> str:
    """How messages and the provenance name a recording given as a path or an MNE object."""
    if isinstance(data, (str, os.PathLike)):
        return str(data)
    from eegpt.mne_inputs import mne_source

    return mne_source(data)


def _cut_around(
    data: Any,
    around: EpochsAround,
    config: PreprocessingConfig,
    a: Mapping[str, Any],
    stim: StimEvents | None,
    rules: ChannelRules,
) -> mne.Epochs:
    """:func:`embed`'s ``epochs_around``: the epochs of the continuous recording ``data`` (a
    path or ``mne.io.Raw``) around its matching annotations
    (:func:`eegpt.event_epochs.read_epochs_around`, :func:`~eegpt.event_epochs.cut_epochs`),
    each one window of ``config``; ``a``: :func:`embed`'s arguments."""
    from eegpt.epochs_files import reads_as_epochs

    if not isinstance(around, EpochsAround):  # a regex alone would fail at its first use
        raise TypeError(
            f"epochs_around= takes an eegpt.event_epochs.EpochsAround, not a "
            f"{type(around).__name__} ({str(around)[:60]!r}): give "
            "EpochsAround(((None, REGEX),), tmin=TMIN), e.g. EpochsAround(((None, "
            "'Stimulus/S  1'),), tmin=-0.2) for epochs from 0.2 s before each stimulus 1, "
            "or EpochsAround(parse_epochs_around(['standard=S  1$', 'target=S  2$']))"
        )
    if a["marker_spans"]:
        raise ValueError(
            "epochs_around= (--epochs-around) cuts epochs around events; marker_spans= "
            "(--marker-spans) makes spans of states for consecutive windows: give one of them"
        )
    if a["annotations"] is not None:
        raise ValueError(
            "epochs_around= (--epochs-around) cuts epochs around the recording's own "
            "annotations (and its stim channel's events, --events-from-stim); annotations= "
            "(--annotations) from another file is not joined to them: add them to the "
            "recording in MNE (raw.set_annotations(raw.annotations + extra)) and save it"
        )
    if config.crop_tmin is not None and config.crop_tmin != around.tmin:
        raise ValueError(
            f"epochs_around= starts each epoch at tmin={around.tmin:g} s, but "
            f"preprocessing's crop_tmin is {config.crop_tmin:g}: give one start (--crop TMIN)"
        )
    options = dict(reject_by_annotation=bool(a["reject_by_annotation"]), verbose=a["verbose"])
    if isinstance(data, (str, os.PathLike)) and not reads_as_epochs(data):
        require_array_args_absent(a["ch_names"], a["sfreq"], a["units"], str(data))
        # the channels not used are not read, unless a stim channel is (which they may be)
        exclude = (
            []
            if stim is not None
            else faster_unused_channels(
                data, picks=a["picks"], rules=rules, rename=a["rename"], keep=a["keep"]
            )
        )
        return read_epochs_around(
            data, around, config.window_seconds, stim=stim, exclude=exclude, **options
        )
    if isinstance(data, mne.io.BaseRaw):
        require_array_args_absent(a["ch_names"], a["sfreq"], a["units"], _source_of(data))
        raw = data.copy().load_data(verbose=False)  # the caller's Raw left as it is
        if stim is not None:
            from eegpt.event_epochs import add_stim_annotations

            add_stim_annotations(raw, stim, _source_of(data))
        return cut_epochs(
            raw, around, config.window_seconds, source=_source_of(data), **options
        )  # fmt: skip
    what = _source_of(data) if isinstance(data, mne.BaseEpochs) else str(data)[:80]
    if isinstance(data, (str, os.PathLike, mne.BaseEpochs)):
        raise ValueError(
            f"{what}: epochs_around= (--epochs-around) cuts epochs from a continuous "
            "recording; these are epochs already: leave it out"
        )
    raise ValueError(
        "epochs_around= cuts epochs from a continuous recording given as a file or an "
        f"mne.io.Raw, not a {type(data).__name__}: give an mne.io.RawArray of it"
    )


def _apply_annotations(
    metadata: dict[str, Any],
    recording: Any,
    onsets: np.ndarray,
    config: PreprocessingConfig,
    reject: bool,
    verbose: Any,
    extra: Any = None,
    added: mne.Annotations | None = None,
    states: Mapping[str, str] | None = None,
    stim: StimEvents | None = None,
) -> np.ndarray | None:
    """Record the annotations of each embedded window in ``metadata``; with ``reject``, leave
    the windows over bad annotations out of ``metadata`` (labels, and the window index and
    onsets left out recorded; no ``padded_tail`` when the zero-padded last window is one of
    them). The mask of the windows to keep, or None to keep all.
    ``extra``: more annotations (:func:`embed`'s ``annotations``); a file's path is recorded
    (``metadata["annotations_file"]``). ``added``: ``extra`` read and placed already
    (:func:`~eegpt.annotations.placed_extra`), or None to read it here. ``states``:
    :func:`embed`'s ``marker_spans``, recorded as ``metadata["marker_spans"]``. ``stim``:
    :func:`embed`'s ``events_from_stim`` (made annotations already), recorded as
    ``metadata["events_from_stim"]``."""
    if isinstance(extra, (list, tuple)):
        raise TypeError(
            "annotations= takes one file (or mne.Annotations) for the one recording embedded, "
            f"got a {type(extra).__name__}; embed each recording with its own file"
        )
    if isinstance(extra, (str, os.PathLike)) and not same_file(extra, recording.source):
        metadata["annotations_file"] = os.path.abspath(extra)
        onsets_table, column = table_description_column(extra)
        if onsets_table:  # the column the descriptions came from (None: each is 'event')
            metadata["annotations_column"] = column
        _log(f"{recording.source}: annotations also from {extra}", verbose)
    if states and not getattr(recording, "is_epoched", False):
        metadata["marker_spans"] = dict(states)
    if stim is not None and not getattr(recording, "is_epoched", False):
        metadata["events_from_stim"] = stim.record()
    per_window = annotations_per_window(
        recording, onsets, config.window_seconds, extra=extra, added=added, states=states,
        sfreq=recording.sfreq, reach_s=filter_reach(recording.sfreq, config.sfreq, config.resample),
    )  # fmt: skip
    found = annotate_windows(per_window, recording.source, reject=reject, verbose=verbose)
    if found is None:
        if reject:
            _log(f"{recording.source}: no annotations, so no window is left out", verbose)
        return None
    if found.keep is None:
        metadata["annotations"] = found.per_window
        return None
    keep = found.keep
    metadata.update(select_window_metadata(metadata, np.flatnonzero(keep), len(keep)))
    if not keep[-1]:  # the zero-padded last window, if any, is not among those embedded
        metadata.pop("padded_tail", None)
    metadata["annotations"] = found.per_window  # those of the kept windows
    metadata["rejected_by_annotation"] = onsets[~keep].tolist()
    return keep


def _kept_blocks(
    blocks: Callable[[], Iterator[tuple[int, np.ndarray]]], keep: np.ndarray
) -> Callable[[], Iterator[tuple[int, np.ndarray]]]:
    """``blocks`` without the windows ``keep`` is False for, indexed among the kept ones."""
    position = np.cumsum(keep) - keep  # index of each window among the kept windows

    def kept() -> Iterator[tuple[int, np.ndarray]]:
        for start, windows in blocks():
            mask = keep[start : start + len(windows)]
            if mask.all():
                yield int(position[start]), windows
            elif mask.any():
                yield int(position[start]), windows[mask]

    return kept


def check_embeddings(z: np.ndarray, start: int, onsets: np.ndarray, meta: dict[str, Any]) -> None:
    """Refuse non-finite embeddings instead of returning them as if they were results."""
    problem = non_finite_embeddings(z, start, onsets)
    if problem is not None:
        raise EmbeddingError(f"{meta.get('source')}: {problem}")


def non_finite_embeddings(z: np.ndarray, start: int, onsets: np.ndarray) -> str | None:
    """Why embeddings ``z`` (shape ``[n, ...]``, one row per window, of windows ``start`` to
    ``start + n`` of those starting at ``onsets``, s) cannot be used, or None when all are
    finite; what :func:`embed` and corpus runs refuse a file for."""
    finite = np.isfinite(z).reshape(len(z), math.prod(z.shape[1:])).all(axis=1)
    if finite.all():
        return None
    bad = start + np.flatnonzero(~finite)
    return (
        f"the model produced NaN/Inf embeddings for {len(bad)} window(s), the first at "
        f"{onsets[bad[0]]:g} s. The input amplitudes are absurd (see the amplitude warnings; "
        "check the units) or the weights are corrupt (check the checkpoint's sha256)."
    )


def engine_for(
    model: EEGPT | EEGPTEncoder,
    engine: InferenceEngine | None,
    *,
    device: Any = None,
    precision: Precision = "float32",
    batch_size: int | None = None,
) -> InferenceEngine:
    """``engine``, checked to run ``model``'s encoder, or a new engine on that encoder.

    A new engine follows the model's ``fused`` flag. Embeddings describe the recording's own channels: the optional 1x1 channel projection
    belongs to a downstream head trained on one fixed montage, so it is never applied here.
    """
    encoder = encoder_of(model)
    batch_size = check_batch_size(batch_size)  # also where an engine given makes it unused
    if engine is None:
        return InferenceEngine(
            encoder, device=device, precision=precision, batch_size=batch_size,
            fused=encoder.fused,
        )  # fmt: skip
    _check_engine_model(engine, encoder)
    if isinstance(engine.model, EEGPT) and engine.model.chan_proj is not None:
        raise ValueError(
            "embeddings feed the recording's channels to the encoder; build the engine on "
            "model.target_encoder, not on a model with a channel projection"
        )
    return engine


def _check_engine_model(engine: InferenceEngine, encoder: EEGPTEncoder) -> None:
    """Refuse an engine built on another encoder than the one embedding: it would run its own
    weights under this model's provenance. Another copy of the same weights is accepted."""
    theirs = engine.encoder
    if theirs is encoder:
        return
    mine, other = encoder.state_dict(), theirs.state_dict()
    same = mine.keys() == other.keys() and all(
        mine[k].shape == other[k].shape and torch.equal(mine[k].cpu(), other[k].cpu()) for k in mine
    )
    if not same:
        raise ValueError(
            "engine was built on another model than the one embedding (other weights); build "
            "it on this model, InferenceEngine(model), or leave engine out"
        )


def input_record(data: Any, source: str) -> dict[str, Any]:
    """What :func:`embed` records of a recording given as an object in memory
    (``metadata["input"]``): ``{"object": "mne.io.RawArray", "in_memory": True}``, the
    object's type, and ``"read_from"``, the file it was read from (``source``: an MNE
    object's first file), where there is one; an MNE object read from several files
    (``mne.concatenate_raws``, a split FIF's parts) also lists them all, in order, as
    ``"read_from_all"`` (:func:`eegpt.io.mne_sources`; :attr:`Embeddings.sources
    <eegpt.outputs.Embeddings.sources>` gives them). ``source`` names the first file too,
    but the object may have been changed in memory since (filtered, scaled, cropped): that is
    not recorded, and ``metadata["source_files"]`` (which files, their hashes) is recorded
    only for a recording given as a path."""
    cls = type(data)
    if isinstance(data, mne.io.BaseRaw):
        name = f"mne.io.{cls.__name__}"
    elif isinstance(data, mne.BaseEpochs):
        name = f"mne.{cls.__name__}"
    else:
        module = cls.__module__.partition(".")[0]
        name = cls.__name__ if module == "builtins" else f"{module}.{cls.__name__}"
    record: dict[str, Any] = {"object": name, "in_memory": True}
    if source and not (source.startswith("<") and source.endswith(">")):
        record["read_from"] = path_text(source)
    if isinstance(data, (mne.io.BaseRaw, mne.BaseEpochs)):
        sources = mne_sources(data)
        if len(sources) > 1:
            record["read_from_all"] = [path_text(s) for s in sources]
    return record


def provenance(
    model: EEGPT | EEGPTEncoder, recording, windows, engine: InferenceEngine
) -> dict[str, Any]:
    """JSON-serialisable record of everything that determined a set of embeddings.

    ``recording`` needs ``source`` and ``sfreq`` (and may have ``labels``: epochs' event names),
    ``windows`` ``mapping`` and ``config`` (a :class:`~eegpt.windowing.Windows` or a
    :class:`~eegpt.streaming.WindowStream`).
    """
    record = {
        "source": path_text(recording.source),  # the real name, whatever the locale
        "sfreq_in": float(recording.sfreq),
        "channels": windows.mapping.to_dict(),
        "preprocessing": windows.config.to_dict(),
        "resample_revision": RESAMPLE_REVISION,  # the numbers of its polyphase resampler
        "model": model.config.to_dict(),
        "checkpoint": checkpoint_record(model),
        "precision": engine.precision,
        "device": str(engine.device),
        # windows per forward pass: it can change the last bits of the embeddings
        "batch_size": engine.batch_for((len(windows.mapping.chan_ids), windows.config.n_samples)),
        "eegpt_version": __version__,
        "software": software_versions(),
        # eegpt_version stays 0.1.0 while its numbers change: the newest CHANGELOG.md section
        # this eegpt includes tells which changes apply (the same for every run of it)
        "eegpt_changes": CHANGES_DATE,
    }
    # which path computed them: the fast one, or the reference one (fused=False, or hooks on
    # the encoder); both compute the same function, to float32 rounding
    record["fused"] = engine.runs_fast_path()
    if engine.stream_precision != "float32":  # absent for float32, as in a corpus run's spec
        record["stream_precision"] = engine.stream_precision
    record.update(command_record())  # made by the eegpt command line: its arguments, folder
    for key in ("first_time", "meas_date"):  # where the time base of the onsets starts
        value = getattr(recording, key, None)
        if value is not None:
            record[key] = value
    if record.get("meas_date") and getattr(recording, "date_clock", None):
        record["clock"] = recording.date_clock  # which clock the date is on: utc/local/unknown
    if getattr(recording, "file_offset", None):  # a cropped Raw: where it starts in its file
        record["file_offset"] = float(recording.file_offset)
    bads = getattr(recording, "bads", None)
    if bads:  # channels marked bad (MNE's info["bads"]) and left out
        record["bads"] = list(bads)
    # every channel the picks left out, with why ("bad" or its type), and those outside keep=
    left_out = windows.mapping.left_out_with(getattr(recording, "left_out", None))
    if left_out:
        record["left_out"] = left_out
    clock = getattr(recording, "clock", None)
    if clock is not None:  # a discontinuous EDF+D file: where its stretches lie on the clock
        record["record_clock"] = clock.to_dict()
    # what was done to it before eegpt (filters, projectors, baseline, reference ...), and
    # how its epochs' onsets count
    record.update(recording_provenance(recording))
    record.update(tail_record(recording, windows))
    record.update(epoch_padding_record(model.config, recording, windows))
    labels = getattr(recording, "labels", None)
    if labels is not None:  # epochs' event names, one per window
        record["labels"] = list(labels)
    selection = getattr(recording, "selection", None)
    if selection is not None:  # epochs with dropped ones: their indices among the events
        record["window_index"] = list(selection)
    frame = getattr(recording, "epochs_metadata", None)
    if frame is not None:  # epochs.metadata, one row per window
        record["epochs_metadata"] = metadata_record(frame)
    return record


def weights_record_key(model: EEGPT | EEGPTEncoder, engine: InferenceEngine) -> tuple:
    """What :func:`provenance` records of ``model``'s weights and of the path ``engine`` runs
    them on, which can change from one call to the next: the checkpoint record (the weights,
    seen by their change counters: :func:`checkpoint_record`), the architecture and whether
    the fast path runs (``fused``: hooks, replaced modules). With :func:`run_record_key`
    equal, :func:`provenance` of the same recording and windows is equal: a caller embedding
    one recording piece by piece (:class:`~eegpt.online.OnlineEmbedder`'s pushes) builds the
    record once and reuses it. No hashing, but a walk of every parameter's change counter
    (a fraction of a millisecond for the large model)."""
    return (checkpoint_record(model), model.config, engine.runs_fast_path())


def run_record_key(windows, engine: InferenceEngine) -> tuple:
    """What :func:`provenance` records of ``engine``'s settings and of the process, which can
    change from one call to the next: the precision, device, batch size (for ``windows``'
    shape: ``windows`` needs ``mapping`` and ``config``) and stream precision, and the command
    line running. A microsecond or two (see :func:`weights_record_key`)."""
    shape = (len(windows.mapping.chan_ids), windows.config.n_samples)
    return (
        engine.precision,
        str(engine.device),
        engine.batch_for(shape),
        engine.stream_precision,
        command_record(),
    )


#: The date of the newest section of CHANGELOG.md (eegpt's changes by day, those that alter
#: numbers or defaults among them) this eegpt includes, recorded in every embeddings output as
#: ``eegpt_changes``: its version (``eegpt_version``) has stayed 0.1.0 while those changed, so
#: this tells which changes an output was made with. Raise it with each new dated section (a test compares the two).
CHANGES_DATE = "2026-12-07"


def software_versions() -> dict[str, str]:
    """The versions of the software that can change the embeddings' numbers: ``python``,
    ``torch``, ``numpy``, ``scipy`` (resampling, detrending) and ``mne`` (reading, filtering).
    Recorded with every output (``metadata["software"]``, a probe's ``probe.json``, each run of
    a corpus folder) next to ``eegpt_version``."""
    import scipy

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "mne": mne.__version__,
    }


def tail_record(recording: Any, windows: Any) -> dict[str, Any]:
    """How a continuous recording's end that fills no whole window was treated, for the
    provenance: ``{"padded_tail": {"onset_s", "recorded_s"}}`` for the zero-padded last window
    (``tail="pad"``), ``{"tail_left_out_s": seconds}`` after the last window (``"drop"``); empty
    for epochs and for a recording that ends with a window."""
    epoched = (
        getattr(recording, "is_epoched", False) or getattr(recording, "onsets", None) is not None
    )
    if epoched or not hasattr(windows, "onsets"):
        return {}  # epochs (their windows are their own), or windows of a stream (online)
    config, onsets = windows.config, np.asarray(windows.onsets)
    n_valid = np.asarray(windows.n_valid_samples)
    if len(n_valid) and n_valid[-1] < config.n_samples:
        recorded = float(n_valid[-1]) / config.sfreq
        return {"padded_tail": {"onset_s": float(onsets[-1]), "recorded_s": recorded}}
    covered = float(onsets[-1]) + config.window_seconds if len(onsets) else 0.0
    left = recording.n_times / recording.sfreq - covered
    return {"tail_left_out_s": round(left, 6)} if left * config.sfreq >= 0.5 else {}


def epoch_padding_record(model_config: EEGPTConfig, recording: Any, windows: Any) -> dict[str, Any]:
    """How epochs shorter than the window were zero-padded into it (``tail="pad"``), for the
    provenance: ``{"padded_epochs": {...}}`` with ``recorded_s`` and ``padded_s`` (seconds of
    signal and of zeros in each window), ``recorded_samples`` and ``window_samples`` (at the
    model's rate), ``patches`` (per window, by ``model_config``'s patch geometry) and
    ``padding_patches`` (the last ones, zeros only: wholly padding) and
    ``partly_padded_patches`` (1 where the epochs end inside a patch, which then holds their
    last samples and zeros; else 0); empty for continuous recordings and for epochs as long
    as the window."""
    if not getattr(recording, "is_epoched", False) or not hasattr(windows, "n_valid_samples"):
        return {}
    config, n_valid = windows.config, np.asarray(windows.n_valid_samples)
    if not len(n_valid) or n_valid[0] >= config.n_samples:
        return {}
    recorded = int(n_valid[0])  # the epochs of a recording have one length
    patches = model_config.n_patches(config.n_samples)
    with_signal = min(patches, -(-recorded // model_config.stride))  # patches that start in it
    return {
        "padded_epochs": {
            "recorded_s": recorded / config.sfreq,
            "padded_s": (config.n_samples - recorded) / config.sfreq,
            "recorded_samples": recorded,
            "window_samples": config.n_samples,
            "patches": patches,
            "padding_patches": patches - with_signal,
            "partly_padded_patches": int(recorded % model_config.stride != 0),
        }
    }


def epoch_padding_note(source: str, padded: dict[str, Any], crop_tmin: float | None = None) -> str:
    """The note that epochs were zero-padded into their windows, and how to embed them
    without the padding (``padded``: :func:`epoch_padding_record`'s entry; ``crop_tmin``: the
    crop of the epochs, ``--crop``, if any): a window of the whole patches that hold their
    samples, and for a last patch mostly of zeros, a crop to the whole patches before it."""
    seconds = f"{padded['recorded_s']:.10g}"
    kept = padded["patches"] - padded["padding_patches"]
    window = padded["recorded_s"] + padded["padded_s"]
    text = (
        f"{source}: the epochs ({seconds} s) were zero-padded into windows of {window:g} s: "
        f"{padded_patches_text(padded)}, which pooled embeddings (pooled('mean')) average in"
    )
    if padded["padding_patches"]:
        alone = f"{padded_patches_seconds(padded, kept):.10g}"
        text += (
            f". window_seconds={alone} (--window {alone}) embeds the epochs' {kept} patches "
            "alone, the same as these first ones (the encoder embeds each patch with the "
            "others of its time step only)"
        )
    return text + partial_patch_note(padded, crop_tmin)


def checkpoint_record(model: EEGPT | EEGPTEncoder) -> dict[str, Any]:
    """The model's checkpoint provenance, with ``pretrained`` lifted out of its notes.

    ``pretrained`` is False for generated weights (``eegpt demo``), None when unknown. When
    the encoder's weights were changed after loading (``load_state_dict``, training: see
    :func:`eegpt.checkpoints.modified_weights`), the file's ``path``, ``format`` and ``sha256``
    move under ``loaded_from`` (``path`` and ``sha256`` become None: the file does not hold
    the weights used), ``weights_modified`` is True and ``weights_sha256`` is the
    :func:`~eegpt.checkpoints.encoder_fingerprint` of the weights used; unchanged weights
    loaded from a file record the fingerprint noted when loaded (no hashing here).
    """
    info = dict(getattr(model, "checkpoint_info", None) or {})
    info["pretrained"] = (info.get("notes") or {}).get("pretrained")
    fingerprint = modified_weights(model) if isinstance(model, EEGPT) else None
    if fingerprint is not None:
        info["loaded_from"] = {key: info.get(key) for key in ("path", "format", "sha256")}
        info.update(path=None, sha256=None, weights_modified=True, weights_sha256=fingerprint)
    else:  # the weights as loaded: their fingerprint, noted then (a probe compares it)
        loaded = getattr(model, "_loaded_weights", None)
        if loaded is not None:
            info["weights_sha256"] = loaded.fingerprint
        elif (held := held_fingerprint(model)) is not None:
            # a model (or encoder alone) made in memory: its weights hashed once (a probe
            # compares them too)
            info["weights_sha256"] = held
    return info
