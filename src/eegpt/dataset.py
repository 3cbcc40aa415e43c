"""Corpus-scale embedding: a folder, glob or manifest of EEG files in, sharded Parquet out.

:func:`embed_dataset` embeds every window of every file and writes one Parquet row per window.
It is resumable and loss-free: the files are split into *shards* (``shard_size`` consecutive
files of the sorted input list); each shard is written to a temporary file and renamed into
place only when complete, so a run killed at any point (``kill -9``) and started again computes
exactly the shards that are missing. A run stopped gracefully (Ctrl-C, SIGTERM, on the command line or from Python
alike: :func:`embed_dataset` turns SIGTERM into :class:`SystemExit` while it runs, unless the
caller installed a SIGTERM handler of its own) also keeps the finished files of the shard in progress in a hidden ``.shard-NNNNN.parquet.partial``, which
the resume puts back into that shard instead of embedding them again. A file that cannot be read or embedded is recorded, with
its reason, in the shard and in ``_errors.csv``, and the run goes on.

Two backends (``backend=``, ``--engine``) share everything except the scheduling: ``"inprocess"`` (default) reads and
preprocesses files in worker processes, overlapped with inference on one model replica per GPU
(or one on the CPU); ``"ray"`` (:mod:`eegpt.dataset_ray`) runs the same steps as Ray Data
stages on a local or remote Ray cluster. Both hand their results to the same shard writer in
the same order, so their outputs are identical.

Output directory
----------------
``shard-00000.parquet, shard-00001.parquet, ...``
    The embeddings, one row per window; ``pandas.read_parquet(output_dir)`` reads them all. The
    columns are ``recording_id``, ``path``, ``window`` (index in the recording), ``onset_s``
    (float64 seconds of recorded data from the recording's first sample), ``clock_s`` (float64
    seconds on the recording's clock: after each gap of a discontinuous EDF+D/BDF+D file,
    ``onset_s`` plus the gaps before it; else equal to it), ``clock_time`` (the onset's moment,
    a timestamp in µs without a zone: the recording's wall clock as its header states it, for
    EDF/BDF local time, which MNE labels UTC; null without a measurement date; the key to join
    clinical timelines on. Runs started before eegpt wrote these two lack them, and keep
    their layout when resumed), ``channels`` (vocabulary names, model order), ``input_channels`` (the same channels as
    named in the file), ``annotations`` (descriptions of the file's annotations over the
    window), ``bad`` (one of them is marked bad, see :mod:`eegpt.annotations`; with
    ``reject_by_annotation`` such windows are left out and ``window`` has gaps), ``event``
    (the event name of an epoch, for epochs files; null otherwise), ``epochs_metadata`` (the
    epoch's row of ``epochs.metadata`` as a JSON object, for epochs files that have it;
    :func:`read_embeddings` spreads it into columns), ``padded`` (the window holds zeros after
    the signal: a recording's last partial window, or an epoch shorter than the window, with
    ``tail="pad"``), ``flat_channels`` and ``clipped_channels`` (lists of the channels flat or
    clipped over the window, as the signal checks judge and warn of them) and ``flagged``
    (either is not empty), as in eegpt embed's Parquet output (null for epochs, whose
    stretches are not judged: unknown; runs started before eegpt wrote these three lack them,
    and keep their layout when resumed), any metadata/label columns of the input
    manifest, and ``embedding``: a
    fixed-size list of float32 (``N*S*D`` values of the ``[N, S, D]`` summary tokens in C
    order, or ``D`` with ``pooling="mean"``). The schema metadata key ``eegpt`` holds the run's
    settings (model, checkpoint SHA-256, preprocessing, ``embedding_shape``); the file footer's
    ``eegpt_shard``
    holds the status of each file of the shard and the run that wrote it (``run``: its
    ``started`` time as the manifest's ``runs`` name it, eegpt and torch versions; shards
    written before have none), and ``eegpt_checksums`` says that every page header holds a
    CRC-32 checksum of the page (shards written before have none).
``_manifest.json``
    Settings, input fingerprint, shard table and the summary of the last run.
``_files.csv``, ``_errors.csv``, ``_too_short.csv``
    One line per input file (status, windows, hours, recorded rate ``sfreq_in``, error), the
    failed files only, and the files shorter than one window only (status ``too_short``, with
    ``tail="drop"``: not failures; a run of ``--tail pad`` on this report as input embeds
    them). The last two are written only where they list a file.
``.shard-NNNNN.parquet.partial``
    Left by a run stopped (Ctrl-C, SIGTERM) part-way through shard NNNNN: the rows and footer
    statuses of the files it finished of it (``"partial": true``), which the resume reuses.
``.eegpt.lock``
    While a run is in progress: its lock on the folder (removed when it ends).
``_corpus.csv``
    Of a ``part`` run only: the listing of the whole corpus the part was split from
    (``path``, ``recording_id``), which the other parts' runs compare theirs with (none in a
    part begun by an eegpt from before it, whose listing is not known).

The files starting with ``_`` or ``.`` are skipped by pyarrow's (and so pandas') dataset
reader, and none of them ends in ``.parquet``: polars and DuckDB, which take the folder's
``.csv`` files for data, read the shards by a glob, ``f"{out}/**/*.parquet"`` (a run, or a
folder of ``--part`` runs).
"""

from __future__ import annotations

import ast
import contextlib
import copy
import multiprocessing
import numbers
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain
from pathlib import Path
from types import FrameType
from typing import Any, Literal

import torch

from eegpt import _interrupts
from eegpt._file_identity import headers_read_once
from eegpt._filenames import subject_column
from eegpt._logging import (
    Verbose,
    honours_verbose,
    info_shown,
    log_warning,
    recorded_command,
    silences_warnings,
    terminal_text,
    warning_filters,
)
from eegpt._logging import count as _count
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._renamed import renamed_keywords
from eegpt._runtime import device_name
from eegpt.bids import bids_filters as bids_filters_of
from eegpt.channels import (
    ChannelRules,
    kept_channels,
    rename_table,
    table_provenance,
    unmatched_rename_warning,
)
from eegpt.dataset_files import DEBUG_ENV as DEBUG_ENV  # re-exported
from eegpt.dataset_files import PART_BYTES as PART_BYTES  # re-exported
from eegpt.dataset_files import TRACEBACK_MARK as TRACEBACK_MARK  # re-exported
from eegpt.dataset_files import EncodeStopped as EncodeStopped  # re-exported
from eegpt.dataset_files import FilePart as FilePart  # re-exported
from eegpt.dataset_files import FileResult as FileResult  # re-exported
from eegpt.dataset_files import LoadedFile as LoadedFile  # re-exported
from eegpt.dataset_files import Pool
from eegpt.dataset_files import WindowInfo as WindowInfo  # re-exported
from eegpt.dataset_files import caught_warning_texts as caught_warning_texts  # re-exported
from eegpt.dataset_files import described_error as described_error  # re-exported
from eegpt.dataset_files import encode_files as encode_files  # re-exported
from eegpt.dataset_files import load_file as load_file  # re-exported
from eegpt.dataset_files import pool_rows as pool_rows  # re-exported
from eegpt.dataset_folders import ERRORS_REPORT as ERRORS_REPORT  # re-exported
from eegpt.dataset_folders import FILES_REPORT as FILES_REPORT  # re-exported
from eegpt.dataset_folders import (
    KEPT_WINDOWS,
    MANIFEST,
    PARTIAL,
    SHARD,
    partial_name,
    read_run_manifest,
)
from eegpt.dataset_folders import shard_files as shard_files  # re-exported
from eegpt.dataset_inputs import DatasetInputs, InputFile, as_part, resolve_inputs
from eegpt.dataset_lock import FolderLock
from eegpt.dataset_pipeline import (
    BackgroundSink,
    KeptWindows,
    remove_kept_windows,
    run_inprocess,
)
from eegpt.dataset_pipeline import ReadCancelled as ReadCancelled  # re-exported
from eegpt.dataset_pipeline import Readers as Readers  # re-exported
from eegpt.dataset_pipeline import reader_signals_blocked as reader_signals_blocked  # re-exported
from eegpt.dataset_read import read_embeddings
from eegpt.dataset_resume import (
    check_sibling_parts,
    check_sibling_settings,
    done_shards_of,
    earlier_changed_marks,
    finished_already,
    is_ours,
    keep_old_layout,
    listing_fingerprint,
    partial_files,
    prepare_output,
    resume_text,
    resumes_another_listing,
    sibling_parts,
    warn_names_read_otherwise,
)
from eegpt.dataset_runs import (
    DatasetRun,
    corpus_identity,
    current_versions,
    warn_other_versions,
    write_listing,
)
from eegpt.dataset_stamps import STAMP_VERSION as STAMP_VERSION  # re-exported
from eegpt.dataset_stamps import _fingerprint as _fingerprint  # re-exported
from eegpt.dataset_stamps import full_hashes as full_hashes  # re-exported
from eegpt.dataset_stamps import marked_groups as marked_groups  # re-exported
from eegpt.dataset_stamps import recorded_fingerprint as recorded_fingerprint  # re-exported
from eegpt.dataset_stamps import source_stamp as source_stamp  # re-exported
from eegpt.dataset_stamps import status_of as status_of  # re-exported
from eegpt.dataset_stamps import warn_changed, warn_mixed_hashes
from eegpt.dataset_summary import DatasetProgress, DatasetSummary
from eegpt.dataset_summary import dropped_channel_counts as dropped_channel_counts  # re-exported
from eegpt.dataset_summary import warning_kinds as warning_kinds  # re-exported
from eegpt.engine import (
    InferenceEngine,
    Precision,
    check_batch_size,
    note_cpu_on_mac,
    precision_name,
    resolve_device,
)
from eegpt.errors import OutputInUseError, OutputNotWritableError, UnguardedMainError
from eegpt.fast_path import has_hooks, unsupported_reason
from eegpt.fingerprints import embedding_weights_hash, modified_weights, state_dict_hash
from eegpt.formats import EEG_SUFFIXES
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.output_files import check_output_folder
from eegpt.preprocessing import PreprocessingConfig
from eegpt.preprocessing_spec import RESAMPLE_REVISION
from eegpt.recording_copies import copies_text, recorded_copies
from eegpt.rename_tables import Rename
from eegpt.shard_checks import read_shard_status as read_shard_status  # re-exported
from eegpt.shard_writer import FORMAT, LAYOUT, ShardWriter, WithKept, kept_files
from eegpt.shard_writer import PartRows as PartRows  # re-exported
from eegpt.stim_events import StimEvents, stim_events_setting

__all__ = [
    "EEG_SUFFIXES",
    "DatasetInputs",
    "DatasetSummary",
    "InputFile",
    "embed_dataset",
    "read_embeddings",
    "resolve_inputs",
    "select_devices",
]

#: The schedulers of :func:`embed_dataset` (``backend=``, ``--engine``).
Backend = Literal["inprocess", "ray"]
Engine = Backend  # its old name, as the keyword's was


# --------------------------------------------------------------------------------------------
# devices
# --------------------------------------------------------------------------------------------


def select_devices(
    device: str | torch.device | None = None, *, replicas: int | None = None
) -> list[torch.device]:
    """The devices that get one model replica each.

    Parameters
    ----------
    device : str | torch.device | None
        ``None``/``"auto"``: every visible CUDA GPU, else the CPU. ``"cuda"``: every visible
        GPU. ``"cuda:1"``: that GPU. ``"cuda:0,cuda:2"``: those GPUs. ``"cpu"``: the CPU.
        Any letter case, with ``gpu`` for ``cuda`` (``"gpu:1"``), as ``--device``.
    replicas : int | None
        Use at most this many of the GPUs (the first ones). The CPU always gets one replica.

    Returns
    -------
    list of torch.device

    Raises
    ------
    RuntimeError
        If CUDA is asked for but PyTorch sees no GPU, or a GPU index does not exist.
    ValueError
        If ``replicas`` is below 1, or above 1 for the CPU, or ``device`` is no device name.
    """
    if replicas is not None and replicas < 1:
        raise ValueError(f"replicas must be >= 1, got {replicas}")
    text = "auto" if device is None else device_name(str(device))  # "GPU" is "cuda"
    n_gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if text == "auto":
        text = "cuda" if n_gpus else "cpu"
        if not n_gpus:
            note_cpu_on_mac()
    if text == "cpu":
        if replicas not in (None, 1):
            raise ValueError(
                "several model replicas on the CPU would only compete for the same cores; use "
                "one (and more --workers for reading), or --engine ray across machines"
            )
        return [torch.device("cpu")]
    parts = [part.strip() for part in text.split(",") if part.strip()]
    unknown = ValueError(
        f"unknown device {device!r}: use 'auto', 'cpu', 'cuda', 'cuda:N' or GPUs separated "
        "by commas ('cuda:0,cuda:2')"
    )
    if not parts:
        raise unknown
    for part in (p for p in parts if not re.fullmatch(r"cuda(:\d+)?", p)):
        if part not in ("cpu", "auto"):  # a device eegpt does not run on (mps ...) says so
            with contextlib.suppress(ValueError):
                resolve_device(part)
        raise unknown
    if text == "cuda":
        resolve_device(text)  # without a GPU: says so
        devices = [torch.device("cuda", i) for i in range(n_gpus)]
    else:  # the checks (and messages) of a single device, for each
        devices = [torch.device("cuda", resolve_device(part).index or 0) for part in parts]
        if len(set(devices)) != len(devices):
            raise ValueError(f"device {text!r} names a GPU twice")
    return devices[:replicas] if replicas else devices


def make_engines(
    model: EEGPT,
    devices: Sequence[torch.device],
    *,
    precision: Precision = "float32",
    batch_size: int | None = None,
    stream_precision: Precision = "float32",
) -> list[InferenceEngine]:
    """One :class:`InferenceEngine` per device, on ``model``'s encoder (embeddings describe the
    recordings' own channels: a fine-tuned model's channel projection is not applied); the
    encoder is copied for every extra device."""
    encoder = model.target_encoder if isinstance(model, EEGPT) else model
    engines = []
    for i, dev in enumerate(devices):
        replica = encoder if i == len(devices) - 1 else copy.deepcopy(encoder)
        engines.append(
            InferenceEngine(
                replica,
                device=dev,
                precision=precision,
                batch_size=batch_size,
                fused=replica.fused,  # as the model says (model.fused), as embed() does
                stream_precision=stream_precision,
            )
        )
    return engines


def takes_fast_path(model: EEGPT | EEGPTEncoder) -> bool:
    """Whether an engine on ``model``'s encoder (as :func:`make_engines` and the Ray actors
    make them) runs its fast path: ``fused``, no hook on it and no module the fast path cannot
    read (:meth:`~eegpt.engine.InferenceEngine.runs_fast_path`), for the run's ``fused``."""
    encoder = model.target_encoder if isinstance(model, EEGPT) else model
    return bool(encoder.fused) and not has_hooks(encoder) and unsupported_reason(encoder) is None


def engine_numerics(engines: Sequence[InferenceEngine]) -> dict[str, Any]:
    """The engines' :meth:`~InferenceEngine.unrecorded_numerics` as one mapping, for the
    kept windows' fingerprint: a choice any engine takes, the CPU's instruction set
    (``engine_cpu``: one process, one CPU), and the models of the GPUs (``engine_gpu``: one
    name, or the sorted names where the GPUs differ, as any of them may embed a
    recording)."""
    found: dict[str, Any] = {}
    gpus: set[str] = set()
    for engine in engines:
        for key, value in engine.unrecorded_numerics().items():
            if key == "engine_gpu":
                gpus.add(str(value))
            else:
                found[key] = value
    if gpus:
        found["engine_gpu"] = gpus.pop() if len(gpus) == 1 else sorted(gpus)
    return found


# --------------------------------------------------------------------------------------------
# run settings
# --------------------------------------------------------------------------------------------


def _run_spec(
    model: EEGPT,
    inputs: DatasetInputs,
    config: PreprocessingConfig,
    *,
    rename: Rename | None,
    on_unknown: str,
    precision: str,
    keep: str | Sequence[str] | None = None,
    pool: Pool,
    shard_size: int,
    stream_precision: str = "float32",
    reject_by_annotation: bool = False,
    marker_spans: Mapping[str, str] | None = None,
    events_from_stim: StimEvents | None = None,
    picks: str | Sequence[str] = "eeg",
    part: tuple[int, int] | None = None,
    corpus_files: int | None = None,
    corpus_sha256: str | None = None,
    corpus: str | None = None,
    resumes: Path | None = None,
    siblings: Path | None = None,
    bids_filters: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Everything that determines the rows: stored in every shard, compared on resume. A
    ``part`` run also records the whole corpus it was split from: ``corpus``, what names it
    (:func:`corpus_identity`), and its listing's ``corpus_files`` and ``corpus_sha256``
    (:meth:`DatasetInputs.fingerprint` of the unsplit inputs), for the parts to be checked
    as parts of one listing. ``bids_filters`` (the BIDS entities that selected the
    recordings) are recorded where given.

    Weights changed since they were loaded (:func:`~eegpt.checkpoints.modified_weights`) are
    recorded as an ``.npz`` output records them: ``sha256`` None, ``weights_modified`` True
    and ``weights_sha256`` their encoder fingerprint, so a corpus and the files embedded with
    the same weights can be matched. Weights of a model never loaded from a file (built in
    Python, an encoder alone) are named by the hash of the encoder's
    (:func:`~eegpt.fingerprints.embedding_weights_hash`, ``encoder:<hash>``), the weights the
    rows are computed from: a probe head or channel projection changed since (which
    embeddings never use) resumes the run. A run of either in ``resumes`` (the output
    folder) recorded before 2026-12-07 as ``state_dict:<hash>`` (all the model's weights,
    its probe head too) keeps that form, so that it still resumes; a new ``part`` beside
    parts recorded so (``siblings``: its folder) takes it too, so that they are one run's.

    Weights the file stores in float16/bfloat16 (upcast to float32 when loaded) are recorded
    as an ``.npz`` output records them, ``checkpoint.stored_dtype`` (e.g. ``"float16"``;
    absent for float32, and for weights changed since loading, which the file no longer
    holds). It is provenance, not compared on resume
    (:data:`eegpt.run_specs._PROVENANCE_ONLY`): the file's ``sha256`` differs with it.

    Weights as loaded from a file record their encoder fingerprint too (``weights_sha256``,
    noted when loaded, as an ``.npz`` output records it: ``eegpt compare`` matches a run
    folder and per-recording outputs by it; since 2026-12-07). A run recorded without it
    still resumes: it is compared only where both specs record it
    (:data:`eegpt.run_specs._RECORDED_SINCE`)."""
    encoder = model.target_encoder if isinstance(model, EEGPT) else model
    cfg = encoder.config
    shape = [cfg.n_patches(config.n_samples), cfg.embed_num, cfg.embed_dim]
    info = dict(getattr(model, "checkpoint_info", None) or {})
    fingerprint = modified_weights(model) if isinstance(model, EEGPT) else None
    checkpoint: dict[str, Any] = {
        "sha256": info.get("sha256"),
        "format": info.get("format"),
        "pretrained": (info.get("notes") or {}).get("pretrained"),
    }
    unnamed = fingerprint is not None or not checkpoint["sha256"]  # by no file's hash
    if unnamed and _recorded_state_hash(resumes, part, siblings):  # the form recorded then
        checkpoint["sha256"] = f"state_dict:{state_dict_hash(model)}"
    elif fingerprint is not None:  # changed since loaded: the file's hash names other weights
        checkpoint.update(sha256=None, weights_modified=True, weights_sha256=fingerprint)
    elif unnamed:  # never loaded from a file: the encoder's weights, which the rows are of
        checkpoint["sha256"] = embedding_weights_hash(model)
    if fingerprint is None and info.get("stored_dtype"):  # the file's weights, as loaded
        checkpoint["stored_dtype"] = info["stored_dtype"]
    loaded = getattr(model, "_loaded_weights", None) if fingerprint is None else None
    if loaded is not None and checkpoint["sha256"] == info.get("sha256"):  # as loaded
        checkpoint["weights_sha256"] = loaded.fingerprint  # as an .npz output records it
    spec: dict[str, Any] = {
        "format": FORMAT,
        "model": cfg.to_dict(),
        "checkpoint": checkpoint,
        "preprocessing": config.to_dict(),
        "channels": {
            "rename": rename_table(rename),
            "on_unknown": on_unknown,
            # recorded only when given: runs from before the option compare equal to all
            **({} if keep is None else {"keep": list(kept_channels(keep) or ())}),
        },
        "precision": precision,
        "pool": pool,
        "embedding_shape": shape if pool == "none" else [cfg.embed_dim],
        "shard_size": shard_size,
        "inputs": {
            "n_files": len(inputs),
            "sha256": inputs.fingerprint(config.sfreq, _recorded_inputs(resumes).get("sha256")),
            "metadata_columns": inputs.metadata_columns,
        },
    }
    if stream_precision != "float32":  # absent for float32, as in runs from before the option
        spec["stream_precision"] = stream_precision
    if reject_by_annotation:  # absent when off, as in runs from before the option
        spec["reject_by_annotation"] = True
    if marker_spans:  # absent without, as in runs from before the option
        spec["marker_spans"] = dict(marker_spans)
    if events_from_stim is not None:  # absent without, as in runs from before the option
        spec["events_from_stim"] = events_from_stim.record()
    if picks != "eeg":  # absent for the default, as in runs from before the option
        spec["channels"]["picks"] = [picks] if isinstance(picks, str) else list(picks)
    if bids_filters:  # absent without, as in runs from before the option
        spec["inputs"]["bids_filters"] = {k: list(v) for k, v in bids_filters.items()}
    if part is not None:  # absent for a whole corpus, as in runs from before the option
        spec["inputs"]["part"] = list(part)
        spec["inputs"]["corpus_files"] = corpus_files
        spec["inputs"]["corpus_sha256"] = corpus_sha256
        spec["inputs"]["corpus"] = corpus
    # the resampler's numbers: a run that recorded none keeps none (keep_old_layout)
    spec["resample_revision"] = RESAMPLE_REVISION
    spec["layout"] = LAYOUT  # see keep_old_layout
    return spec


def _recorded_inputs(output_dir: Path | None) -> dict[str, Any]:
    """The ``inputs`` of the settings the run in ``output_dir`` recorded (its fingerprints:
    ``sha256``, ``corpus_sha256``); empty where there is none or it cannot be read."""
    if output_dir is None:
        return {}
    try:
        spec = read_run_manifest(output_dir).get("spec") or {}
        inputs = spec.get("inputs") or {}
        return dict(inputs) if isinstance(inputs, Mapping) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def _recorded_state_hash(
    output_dir: Path | None, part: tuple[int, int] | None = None, siblings: Path | None = None
) -> bool:
    """Whether the run in ``output_dir`` recorded its weights as ``state_dict:<hash>`` (a
    model built in Python, or weights changed after loading, by eegpt before 2026-12-07);
    where it records no run (a new ``part``, or one started again), whether a sibling part
    beside ``siblings`` (its folder) did: the new part takes their form, so that the parts
    are read as of one model."""
    if output_dir is not None and (output_dir / MANIFEST).is_file():
        try:
            spec = read_run_manifest(output_dir).get("spec") or {}
            return _state_hash_of(spec)
        except (OSError, ValueError, AttributeError):
            return False
    if part is None or siblings is None:
        return False
    return any(_state_hash_of(spec) for _, _, spec in sibling_parts(siblings, part[1]))


def _state_hash_of(spec: Mapping[str, Any]) -> bool:
    """Whether a run's ``spec`` names its weights by ``state_dict:<hash>``."""
    checkpoint = spec.get("checkpoint")
    return isinstance(checkpoint, Mapping) and str(checkpoint.get("sha256")).startswith(
        "state_dict:"
    )


"""Which files :func:`source_stamp` stamps as a recording's (``"stamp_version"`` of a file
status): 6, those :func:`eegpt._file_identity.recording_inputs` names, as ``eegpt embed``
records them: version 3's, with an EEGLAB ``.set``'s data file that ``EEG.data`` names by
another name than the ``.set``'s (read, but not stamped before), and, for an EEG data file
of a BIDS dataset, the sidecars MNE-BIDS applies to it (``*_channels.tsv``, ``*_events.tsv``, ``*_eeg.json``, ...; not the session's
``*_scans.tsv``, which every run of the session shares: a changed ``acq_time`` is not
found); 5, the same but for that EEGLAB data file (only the ``.fdt`` of the ``.set``'s own
name); 4, version 5's and the session's ``*_scans.tsv`` (so adding a run to a session made
every recording of it changed);
3, those :func:`eegpt._file_identity.recording_files` names with version 5's EEGLAB rule,
the files read (the
data and marker files a BrainVision header names, a split FIF recording's later parts as
its headers name them, of raw data or epochs, ``x.fif-1.gz`` ... after ``x.fif.gz``, the
files inside a recording folder; no sidecar, so a run of version 3 is not found changed by
an edited sidecar); 2, the same but for a
split FIF recording, whose later parts were those ``mne.io.read_raw_fif`` read (none of
epochs; the parts there where one was missing) and only where a part named ``x-1.fif`` or
``x-1.fif.gz`` lay beside it (none of a ``.fif.gz`` recording MNE split):
:func:`eegpt._file_identity.recording_files_v2`; 1 (file statuses without the key, of
earlier versions), the files of the recording's name beside it (:data:`_BESIDE`) and a
recording folder itself. A resume stamps a recording by the version its status was
recorded with (its size, fingerprint and ``--hash-inputs`` SHA-256), so that a stamp of
another rule is no change."""
"""Bytes read from each end of a file for its fingerprint (:func:`_fingerprint`)."""


# --------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------


def _manifest_subjects(inputs: DatasetInputs) -> dict[str, Any] | None:
    """Each recording's subject by its id, from a manifest's subject column
    (:func:`eegpt._filenames.subject_column`: ``subject``, ``participant_id`` ...); None
    without one."""
    table = inputs.metadata
    column = None if table is None else subject_column(table.column_names)
    if column is None:
        return None
    values = table.column(column).to_pylist()
    return {f.recording_id: v for f, v in zip(inputs.files, values, strict=False) if v is not None}


@renamed_keywords(engine="backend", pool="pooling")
@honours_verbose
@headers_read_once()  # each split FIF and .vhdr header read once in a run
def embed_dataset(
    inputs: Any,
    output_dir: str | os.PathLike,
    *,
    weights: str | os.PathLike | None = None,
    model: EEGPT | None = None,
    backend: Backend = "inprocess",
    pattern: str | None = None,
    bids_filters: Mapping[str, str | Sequence[str]] | None = None,
    part: tuple[int, int] | str | None = None,
    preprocessing: PreprocessingConfig | None = None,
    window_seconds: float | None = None,
    overlap: float | None = None,
    average_reference: bool | None = None,
    resample: str | None = None,
    tail: str | None = None,
    detrend: str | None = None,
    reject_by_annotation: bool = False,
    marker_spans: Mapping[str, str] | None = None,
    events_from_stim: bool | str | None = None,
    stim_mask: int | None = None,
    event_names: Mapping[int, str] | None = None,
    rename: Rename | None = None,
    on_unknown: Literal["drop", "raise"] = "drop",
    keep: str | Sequence[str] | None = None,
    picks: str | Sequence[str] = "eeg",
    device: str | None = None,
    precision: Precision = "float32",
    stream_precision: Precision = "float32",
    batch_size: int | None = None,
    pooling: Pool = "none",
    shard_size: int = 8,
    workers: int | None = None,
    replicas: int | None = None,
    ray_address: str | None = None,
    files_per_batch: int = 4,
    overwrite: bool = False,
    retry_failed: bool = False,
    check_contents: bool = False,
    hash_inputs: bool = False,
    progress: bool = True,
    verbose: Verbose = None,
) -> DatasetSummary:
    """Embed every window of every file of a corpus into sharded Parquet; resumable.

    Run it again with the same arguments after a crash or ``kill -9``: finished shards are kept
    (not rewritten) and the others are computed, so the output has every row exactly once.

    Parameters
    ----------
    inputs : path-like | str | list | pandas.DataFrame | pyarrow.Table
        Folder, glob, manifest (CSV/TSV/Parquet with ``path`` and optional ``recording_id``,
        per-file ``rescale``, ``start_seconds`` (a recording's own first window's onset,
        instead of ``preprocessing.start_seconds``), ``annotations_file`` and ``bads``, and
        metadata columns), file list or table; see :func:`resolve_inputs`.
    output_dir : path-like
        Output folder (created); see the module docstring for its layout.
    weights : path-like | str | None
        Checkpoint file/folder or pretrained name (see :func:`eegpt.load_model`). Give this or
        ``model``; the Ray backend ships the loaded model to its workers either way.
    model : EEGPT | None
        A loaded model instead of ``weights``.
    backend : ``"inprocess"`` | ``"ray"``
        ``"inprocess"``: reader processes + one model replica per GPU on this machine.
        ``"ray"``: Ray Data on ``ray_address`` (or a local Ray instance); needs ``ray[data]``.
        ``eegpt embed-dataset --engine``. (Was ``engine``, still taken with a
        ``FutureWarning``: ``engine=`` elsewhere is an :class:`~eegpt.engine.InferenceEngine`.)
    pattern : str | None
        Glob for folder input, e.g. ``"**/*.edf"``.
    bids_filters : dict of str to (str or sequence of str) | None
        For a BIDS dataset (or a folder inside one, ``ds/sub-01``): embed only the recordings
        whose entities have one of the values given, e.g. ``{"task": "rest", "subject": ["01",
        "02"]}`` (entities ``subject``, ``session``, ``task``, ``acquisition``, ``run``,
        ``processing``, ``description``; ``--task rest`` ...); a value no recording has is an
        error naming those there are. Recorded in the run's settings: a resume with other
        filters is refused.
    part : (int, int) | str | None
        ``(k, n)`` (or ``"k/n"``): embed part ``k`` of ``n`` (``0 <= k < n``) of the inputs
        only, every ``n``-th file from the ``k``-th (:meth:`DatasetInputs.part`), with the ids
        of the whole list: one job of a cluster's job array per part, each into its own folder
        (e.g. ``out/part-03``); :func:`read_embeddings` of the folder above them reads the parts
        as one table, and says which are missing or unfinished. A part is refused when a part
        beside its folder was split from another listing of the same inputs (files added or
        removed between the tasks): give a corpus that may change as a manifest.
    preprocessing, window_seconds, overlap, average_reference, resample, tail, detrend
        Preprocessing (see :class:`~eegpt.preprocessing.PreprocessingConfig`); the keywords
        override single fields.
    reject_by_annotation : bool
        Leave out the windows that overlap an annotation marked bad (``BAD_...``, any case), as
        MNE does for epochs; the ``window`` column then has gaps. By default they are embedded,
        and the ``bad`` column marks them.
    marker_spans : Mapping[str, str] | None
        ``{state: regex}``: state markers of each continuous recording (its own annotations and
        its manifest ``annotations_file``'s) made spans before the windows get their
        annotations (:func:`eegpt.annotations.markers_to_spans`; command line
        ``--marker-spans NAME=REGEX``; see :func:`eegpt.embed`). A recording without a
        matching marker fails (recorded as failed; the others are embedded). Recorded in the
        run's settings (a resume takes the same).
    events_from_stim, stim_mask, event_names
        The events of each continuous recording's stim channel made annotations of it
        (command line ``--events-from-stim [CHANNEL]``, ``--stim-mask``, ``--event-names``;
        see :func:`eegpt.embed`), before ``marker_spans``. A recording without such a stim
        channel fails (recorded as failed; the others are embedded). Recorded in the run's
        settings (``events_from_stim``: a resume takes the same).
    rename : dict of str to (str or None) | str | path-like | None
        Channel mapping applied to every file (see :func:`~eegpt.channels.map_channels`): a
        dict of label -> vocabulary name (None drops), a cap's name (``"biosemi64"``,
        :func:`~eegpt.channels.cap_rename`), a table file's path
        (:func:`~eegpt.channels.read_rename_table`) or a :class:`~eegpt.channels.RenameTable`;
        a key applies to the files that have that channel (others ignore it), and a cap's
        table is not applied to files labelled with 10-10 names.
    on_unknown
        As in :func:`~eegpt.channels.map_channels`.
    keep : str | sequence of str | None
        Use only these vocabulary channels in every file (``"10-20"``, names, or both with
        ``-NAME`` removals: ``"10-20,-C3"``; see
        :func:`~eegpt.channels.map_channels`), so that files of different systems give
        embeddings of one channel set; recorded in the run's settings (``channels.keep``), so
        runs with another set are not read together.
    picks : str | list of str
        Channel types read from every file (see :func:`eegpt.embed`; ``"eeg"`` by default).
    device : str | None
        See :func:`select_devices`; for Ray, ``"cpu"`` or ``"cuda"`` (default: GPUs if the
        cluster has any).
    precision : ``"float32"`` | ``"bfloat16"`` | ``"float16"``
        Matmul precision of the engines (see :class:`~eegpt.engine.InferenceEngine`): float32
        (the default) is exact to the reference implementation; the reduced ones are faster
        on GPUs, their embeddings differ in the last digits, and a run resumes only with the
        precision it started with.
    stream_precision : ``"float32"`` | ``"float16"`` | ``"bfloat16"``
        With a reduced ``precision``: dtype of the residual stream between blocks (see
        :class:`~eegpt.engine.InferenceEngine`); float16 is a few percent faster on GPUs.
    batch_size : int | None
        Windows per forward pass; ``None``: the engine's default (64 on a GPU, a few windows
        on a CPU, see :func:`~eegpt.engine.default_batch_size`).
    pooling : ``"none"`` | ``"mean"``
        ``"none"`` stores all ``N*S*D`` summary-token values per window (128 KiB per window for
        the large model); ``"mean"`` stores their mean over patches and tokens (``D`` values).
        ``--pool``. (Was ``pool``, still taken with a ``FutureWarning``.)
    shard_size : int
        Input files per shard (the unit of resumption and of output files). A run stopped by
        Ctrl-C or SIGTERM keeps the files it finished of the shard in progress for the resume
        (``.shard-NNNNN.parquet.partial``); a kill (``kill -9``) loses them. While the run
        holds its folder, SIGTERM raises :class:`SystemExit` (exit status 143 if not caught),
        as on the command line, where SIGTERM has its default disposition (in the main
        thread; a handler of the caller's is left in place and decides).
    workers : int | None
        In-process: reader processes (default ``min(4, cores - 1)``, and 0 on two cores or
        fewer; 0 reads in the main process). Ray: concurrent read tasks (default: as many as Ray
        schedules).
    replicas : int | None
        In-process: GPUs to use (default all visible). Ray: inference actors (default one per
        cluster GPU, or 1 on CPU).
    ray_address : str | None
        Ray cluster address (``"auto"``, ``"ray://host:10001"``); None starts a local Ray
        instance unless one is already initialised in this process.
    files_per_batch : int
        Ray only: files per inference call of an actor (windows of consecutive files with the
        same channels share batches).
    overwrite : bool
        Delete a previous run's output in ``output_dir`` and start over.
    retry_failed : bool
        On resume, embed the failed files again; their shards are written anew, with the rows
        of their other files copied from the old shards (not embedded again).
    check_contents : bool
        On resume, compare the content fingerprint (size and first and last MiB) of every
        file already embedded with the one recorded, not only where its size or modification
        time changed: finds a file edited in place that kept both (a header de-identified
        with its times restored, ``cp -p`` or ``touch -r`` over it), at the cost of reading
        2 MiB of each such file. Without it, a resume compares sizes and modification times
        (as rsync does) and reads the fingerprint only of files whose time alone is new.
        Where the run recorded full hashes (``hash_inputs``), those are compared instead
        (every byte of the file read again), which also finds an edit in the middle of a file
        that kept its size, which the fingerprint misses.
    hash_inputs : bool
        Record the full SHA-256 of each embedded recording's files (what ``sha256sum``
        prints; its data and marker files, split FIF parts, annotations file) in its file
        status (``source_file_sha256``, ``annotations_file_sha256``: ``{name: sha256}``), as
        ``eegpt embed --hash-inputs`` does; the run records ``"hash_inputs": true`` in its
        entry of ``_manifest.json``'s ``runs``. That reads every byte of each file once more
        (minutes for a large corpus on network storage), so it is not the default. A resume
        then compares those hashes wherever it compares contents. It is no setting of the
        run's output: a resume with it over files embedded without it hashes only the files
        it embeds, and warns how many it did not (delete their shards, or ``overwrite``, to
        hash them); one without it over a run with it warns that the files it embeds are not
        hashed.
    progress : bool
        Show a progress bar (files, its position and ETA weighed by their size on disk and
        moving within a long file; windows/s and hours of EEG in its postfix); a resume that
        checks more than :data:`~eegpt.dataset_stamps.CHECK_BAR_FILES` files embedded before
        for changes (:func:`source_stamp`) shows a bar over that check first.
    verbose : bool | str | int | None
        Log settings, resume state and the summary to the ``"eegpt"`` logger.

    Returns
    -------
    DatasetSummary

    Raises
    ------
    ValueError
        On bad settings, or an output folder made with other settings (checkpoint SHA-256,
        preprocessing, inputs, ...) unless ``overwrite``, or a ``part`` beside parts split
        from another listing of the inputs.
    FileExistsError
        If ``output_dir`` holds files that this function did not write.
    OutputNotWritableError
        (an ``OSError``) If ``output_dir`` cannot be made or written to (a read-only file
        system, no permission, a file above it); checked before the model is loaded. Also
        (errno ``ENOSPC``, ``EDQUOT`` for a quota, ``EFBIG`` for a file-size limit) when the disk
        fills up during the run, or a shard grows past the limit, naming the shard being
        written: the finished shards are kept, and the same call resumes.

    Notes
    -----
    The reader processes are started with ``spawn``, which imports the calling script again:
    in a script, call this under ``if __name__ == "__main__":`` (or pass ``workers=0``).
    """
    if (weights is None) == (model is None):
        raise ValueError("give exactly one of weights= (a checkpoint) and model= (a loaded EEGPT)")
    if backend not in ("inprocess", "ray"):
        raise ValueError(f"backend must be 'inprocess' or 'ray' (--engine), got {backend!r}")
    if pooling not in ("none", "mean"):
        raise ValueError(f"pooling must be 'none' or 'mean' (--pool), got {pooling!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
    ):
        check_batch_size(batch_size)  # its TypeError for 2.5 or True, as embed's (a value below
        # 1 is said with the other counts below)
    counts = {"shard_size": shard_size, "batch_size": 1 if batch_size is None else batch_size}
    counts["files_per_batch"] = files_per_batch
    small = [f"{k}={v} (--{k.replace('_', '-')})" for k, v in counts.items() if v < 1]
    if small:
        raise ValueError(f"{', '.join(small)}: must be >= 1")
    if workers is not None and workers < 0:
        raise ValueError(f"workers must be >= 0, got {workers}")
    ChannelRules(on_unknown)  # checked here; each file's reading makes its own (load_file)
    stim = stim_events_setting(events_from_stim, stim_mask, event_names)
    config = (preprocessing or PreprocessingConfig()).updated(
        window_seconds=window_seconds,
        overlap=overlap,
        average_reference=average_reference,
        resample=resample,
        tail=tail,
        detrend=detrend,
    )
    # full names from here on, as the run's settings record them ("bf16" is "bfloat16")
    precision = precision_name(precision)
    stream_precision = precision_name(stream_precision, "stream_precision")
    if stream_precision != "float32" and precision == "float32":
        raise ValueError(
            f"stream_precision={stream_precision!r} (--stream-precision) needs precision "
            "(--precision) 'bfloat16' or 'float16' (float32 stays exact)"
        )
    filters = bids_filters_of(bids_filters)
    corpus = data = resolve_inputs(inputs, pattern=pattern, verbose=verbose, bids_filters=filters)
    part = as_part(part)
    if part is not None:
        data = corpus.part(*part)
    output_dir = Path(output_dir).expanduser()
    identity = corpus_identity(corpus.source, pattern, filters)
    listing_sha: str | None = None  # the listing split
    siblings_checked = False  # a --part run checked against its sibling parts
    if part is not None:
        listing_sha = listing_fingerprint(
            output_dir, corpus, config.sfreq, part[1], own=not overwrite
        )
        # the other tasks of a job array split the same listing? (a resume of a part split
        # from an older listing is told by the resume check how to resume it from that listing)
        siblings_checked = overwrite or not resumes_another_listing(output_dir, corpus, listing_sha)
        if siblings_checked:
            check_sibling_parts(output_dir, corpus, listing_sha, part, identity)
    if output_dir.exists() and not output_dir.is_dir():
        raise FileExistsError(
            f"{output_dir} is a file; the output of embed_dataset is a folder of Parquet shards: "
            "choose a new folder (or one it wrote before, to resume)"
        )
    try:
        check_output_folder(output_dir)  # before the model is loaded
        unwritable = None
    except OutputNotWritableError as err:  # a finished run has nothing to write: seen below
        if overwrite or not (output_dir / MANIFEST).is_file():
            raise
        unwritable = err
    if model is None:
        from eegpt.checkpoints import load_model

        model = load_model(weights, device="cpu", verbose=verbose)  # type: ignore[arg-type]
    spec = _run_spec(
        model,
        data,
        config,
        rename=rename,
        on_unknown=on_unknown,
        keep=keep,
        precision=precision,
        pool=pooling,
        shard_size=shard_size,
        stream_precision=stream_precision,
        reject_by_annotation=reject_by_annotation,
        marker_spans=marker_spans,
        events_from_stim=stim,
        picks=picks,
        part=part,
        corpus_files=len(corpus),
        corpus_sha256=listing_sha,
        corpus=identity,
        resumes=None if overwrite else output_dir,
        siblings=output_dir,
        bids_filters=filters,
    )
    if siblings_checked:  # their settings too, now known (the checkpoint's), before any work
        check_sibling_settings(output_dir, spec, overwrite=overwrite)
    shards = [
        list(range(start, min(start + shard_size, len(data))))
        for start in range(0, len(data), shard_size)
    ]
    if unwritable is not None and not finished_already(output_dir, spec, len(shards), retry_failed):
        raise unwritable
    if backend == "inprocess" and (_default_workers() if workers is None else workers) > 0:
        _check_main_guard()
    with contextlib.ExitStack() as session:
        # Devices are checked (for Ray: the cluster connected) before the output folder is
        # touched, so a wrong --device neither leaves a folder behind nor lets --overwrite
        # delete the previous output first.
        devices, plan = [], None
        if backend == "inprocess":
            devices = select_devices(device, replicas=replicas)
        elif overwrite or not finished_already(output_dir, spec, len(shards), retry_failed):
            from eegpt.dataset_ray import ray_session

            plan = session.enter_context(ray_session(ray_address, device, replicas, verbose))
        made = _missing_folder_and_parents(output_dir)
        before = set(os.listdir(output_dir)) if output_dir.is_dir() else set()
        # another run's lock (OutputInUseError) undoes nothing; a failure of this run is undone
        # while the lock is held, so no run that starts meanwhile loses its files. A finished
        # run in a folder this process cannot write to (read-only) is only read, without the
        # lock (whose file could not be made): the lock keeps two runs from writing at once,
        # and this one writes nothing (no shard, report or manifest), so it cannot spoil
        # another run's files; what it reads (files replaced whole) is at worst a moment old.
        # SIGTERM (a scheduler's) stops a run called from Python as the command line's does,
        # so that it keeps what it finished (where no handler of the caller's is in place)
        session.enter_context(_interrupts.sigterm_stops())
        with _locked_start(output_dir, before, made, read_only=unwritable is not None):
            try:
                if not overwrite:
                    keep_old_layout(output_dir, spec)
                prepare_output(output_dir, spec, overwrite=overwrite, verbose=verbose,
                                ids=[f.recording_id for f in data.files],
                                corpus_ids=[f.recording_id for f in corpus.files],
                                read_only=unwritable is not None, files=data.files,
                                metadata=data.metadata, source=data.source)  # fmt: skip
                if (
                    listing_sha
                    and spec["inputs"].get("corpus_sha256") == listing_sha
                    and unwritable is None
                ):
                    write_listing(output_dir, corpus)  # a part from before it: listing unknown
                stamps: dict[int, Any] = {}  # the footers' run stamps, for the version check
                failed: list[str] = []  # the recordings the finished shards record as failed
                done = done_shards_of(output_dir, spec, len(shards), retry_failed, stamps=stamps,
                                    failed=failed)  # fmt: skip
                kept = kept_files(output_dir, len(shards), done, retry_failed)
                # the finished files of shards a stopped run left part-way (over those of an
                # earlier shard's, which a stopped --retry-failed run had read back already)
                partial, sources = partial_files(output_dir, spec, shards, done, data,
                                                  retry_failed, verbose=verbose,
                                                  read_only=unwritable is not None)  # fmt: skip
                kept.update(partial)
                changed = warn_changed(data, [*chain.from_iterable(done.values()), *kept.values()],
                                        read_only=unwritable is not None,
                                        check_contents=check_contents,
                                        earlier_marks=earlier_changed_marks(output_dir),
                                        progress=progress)  # fmt: skip
                run = DatasetRun(output_dir, data, shards, spec, done, engine=backend)
                run.read_only = unwritable is not None  # nothing to do: the reports stay
                run.changed = changed  # rows of earlier contents: none is embedded again
                run.rename = table_provenance(rename_table(rename))
                run.batch_size = batch_size  # a resume may change it (the last bits with it)
                run.hash_inputs = hash_inputs
                run.retried = len(failed) if retry_failed else None
                todo = [  # the files of a retried shard embedded before are not done again
                    data.files[i]
                    for k, files in enumerate(shards)
                    if k not in done
                    for i in files
                    if i not in kept
                ]
                # a rerun of a finished folder embeds nothing: recorded as a check, not a run
                run.check = bool(done) and not todo and not kept
                run.write_reports(force=True)
                if (done or kept) and todo:
                    present = sorted({*done, *(int(f["shard"]) for f in kept.values())})
                    warn_other_versions(output_dir, present, run.previous_runs, stamps)
                    warn_names_read_otherwise(
                        output_dir, [*chain.from_iterable(done.values()), *kept.values()]
                    )
                warn_mixed_hashes(
                    [*chain.from_iterable(done.values()), *kept.values()], hash_inputs, len(todo)
                )
                # said as the run starts (a log's second line), not only in its summary
                resuming = resume_text(output_dir, len(data), done, kept, partial, todo)
                if resuming and info_shown(verbose):
                    _log(f"embed_dataset: {resuming}", verbose)
                elif resuming and progress:  # the bar's switch (-q: off), on stderr as it
                    print(terminal_text(f"embed-dataset: {resuming}"), file=sys.stderr)
                _log(
                    f"embed_dataset: {_count(len(data), 'file')} from {data.source} in "
                    f"{_count(len(shards), 'shard')} of "
                    f"{shard_size}; {len(done)} done, {len(shards) - len(done)} to do ({len(todo)} "
                    f"files); engine {backend}",
                    verbose,
                )
                load_kwargs = {
                    "config": config,
                    "model_config": (
                        model.target_encoder if isinstance(model, EEGPT) else model
                    ).config,
                    "rename": rename,
                    "on_unknown": on_unknown,
                    "keep": keep,
                    "reject_by_annotation": reject_by_annotation,
                    **({"marker_spans": dict(marker_spans)} if marker_spans else {}),
                    **({"events_from_stim": stim.record()} if stim is not None else {}),
                    "picks": picks,
                    "from_manifest": data.manifest,
                    # the caller's, at the call: a reader process has not those set in Python
                    "warning_filters": warning_filters(),
                }
                bar = DatasetProgress(
                    len(todo),
                    progress and bool(todo),
                    "embed-dataset",
                    step_s=config.window_seconds - config.overlap,
                    files=todo,  # weighed by size (stated here, once)
                )
                # its heartbeat (a thread, where stderr is a log) ends however the run does:
                # closed below once the files are written, here where that is not reached
                session.callback(bar.close)
                writer = ShardWriter(
                    output_dir,
                    data,
                    shards,
                    spec,
                    on_file=bar.update,
                    on_commit=run.committed,
                    on_part=bar.part,
                    run=run.shard_stamp(),
                    hash_inputs=hash_inputs,
                )
                # Ctrl-C or SIGTERM inside a queue or a future would leave its lock held and
                # hang the clean-up below (see eegpt._interrupts)
                with run.recording_stop(), _interrupts.deferred():
                    add = WithKept(writer.add, writer, kept, sources) if kept else writer.add
                    sink = BackgroundSink(add)
                    stop: BaseException | None = None  # a graceful one: Ctrl-C, SIGTERM
                    try:
                        if not todo:
                            run.devices = []
                        elif backend == "inprocess":
                            run.devices = [str(d) for d in devices]
                            engines = make_engines(
                                model,
                                devices,
                                precision=precision,
                                batch_size=batch_size,
                                stream_precision=stream_precision,
                            )
                            run.fused = all(e.runs_fast_path() for e in engines)
                            n_workers = _default_workers() if workers is None else workers
                            run.workers = n_workers
                            _log(
                                f"embed_dataset: {n_workers} reader process{'' if n_workers == 1 else 'es'}",
                                verbose,
                            )
                            # the windows of a long recording embedded so far, kept for
                            # a resume stopped inside it (fingerprinted with what makes them)
                            settings = {
                                "spec": spec,
                                "batch_size": batch_size,
                                "devices": run.devices,
                                "pool": pooling,
                                "versions": current_versions(),
                            }
                            # where an engine takes a kernel that changes the numbers, the
                            # GPUs' models and the CPU's instruction set (AVX2, AVX512)
                            numerics = engine_numerics(engines)
                            if numerics:
                                settings["engine"] = numerics
                            run_inprocess(
                                todo,
                                sink,
                                engines=engines,
                                load_kwargs=load_kwargs,
                                pool=pooling,
                                workers=n_workers,
                                on_windows=bar.embedded,
                                kept=KeptWindows(
                                    output_dir, settings, todo, verbose, hash_inputs=hash_inputs
                                ),
                            )
                        else:
                            from eegpt.dataset_ray import ray_session, run_ray

                            if plan is None:  # found finished before the lock, no longer now
                                plan = session.enter_context(
                                    ray_session(ray_address, device, replicas, verbose)
                                )
                            run.fused = takes_fast_path(model)  # as each actor's engine
                            run.devices = run_ray(
                                todo,
                                sink,
                                plan=plan,
                                model=model,
                                load_kwargs=load_kwargs,
                                precision=precision,
                                stream_precision=stream_precision,
                                batch_size=batch_size,
                                pool=pooling,
                                workers=workers,
                                files_per_batch=files_per_batch,
                            )
                        sink.close()
                        remove_kept_windows(output_dir)  # of recordings no longer in the run
                    except (KeyboardInterrupt, SystemExit) as err:
                        stop = err
                        raise
                    finally:
                        sink.close(raise_error=False)
                        # stopped: the finished files of the shard in progress are kept
                        # (every result handed on was added, unless the writer failed)
                        run.kept = writer.abort(keep=stop is not None and sink.error is None)
                        if run.kept is not None:
                            _log(_kept_text(*run.kept, len(shards[run.kept[0]])), verbose)
                        bar.close()
                        run.finish(bar)
                summary = run.summary(bar)
                copies = recorded_copies(sorted(run.status.values(), key=lambda s: s["index"]))
                if copies:  # by the fingerprints the statuses hold: no file read again
                    _warn(f"embed_dataset: {copies_text(copies, _manifest_subjects(data))}")
                unmatched = unmatched_rename_warning(rename, list(bar.channels), bar.ok)
                if unmatched:
                    _warn(unmatched)
            except BaseException:  # before a shard is written, leave the folders as they were
                _undo_failed_start(output_dir, before, made)
                raise
    _log_summary(summary, verbose)
    return summary


def _log_summary(summary: DatasetSummary, verbose: Verbose) -> None:
    """Log a run's summary at INFO (``verbose``); its failed files and files warned of at
    WARNING too, so that a notebook (logging not configured) or a service logging at WARNING
    hears of them: the whole summary at WARNING where it would be shown anyway (said once),
    else those lines alone. Not from the command line (which prints the summary itself) nor
    with ``verbose="error"`` (warnings silenced)."""
    attention = summary.attention_text()
    command_line = recorded_command() is not None
    if not attention or command_line or silences_warnings(verbose):
        _log(str(summary), verbose, lines=True)  # its ids are escaped: its own lines
    elif info_shown(verbose):
        log_warning(str(summary))
    else:
        _log(str(summary), verbose, lines=True)
        log_warning(attention)


def _kept_text(shard: int, n_kept: int, n_files: int) -> str:
    """What a run stopped part-way through ``shard`` says of the ``n_kept`` of its ``n_files``
    files it finished and kept (its partial file)."""
    return (
        f"embed_dataset: stopped part-way through shard {shard}: {n_kept} of its "
        f"{_count(n_files, 'file')} finished and kept ({partial_name(shard)}); the same "
        "command resumes with the rest"
    )


def _missing_folder_and_parents(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


@contextlib.contextmanager
def _locked_start(
    output_dir: Path, before: set[str], made: list[Path], *, read_only: bool
) -> Iterator[None]:
    """Make ``output_dir`` and hold its lock (none ``read_only``: a finished run in a folder
    it cannot write) for the block. A stop while the lock is being taken (a time limit's
    SIGTERM as the run starts) undoes the start as a failed start is undone
    (:func:`_undo_failed_start`): the lock file and the folders made removed, not a folder
    left holding only ``.eegpt.lock``. Another run's lock (OutputInUseError) undoes nothing."""
    with contextlib.ExitStack() as lock:
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
            if not read_only:
                lock.enter_context(FolderLock(output_dir))
        except OutputInUseError:
            raise
        except BaseException:
            lock.close()  # (FolderLock lets go of a lock it took before it was stopped)
            _undo_failed_start(output_dir, before, made)
            raise
        yield


def _undo_failed_start(output_dir: Path, before: set[str], made: list[Path]) -> None:
    """After a run failed before writing a shard, delete the bookkeeping files it made (lock,
    reports, manifest) and the folders it made, so the output is as it was; a run that wrote
    shards (or kept the finished files of one stopped part-way, or the windows embedded so far
    of a recording read in parts) keeps everything for resuming."""
    try:
        now = set(os.listdir(output_dir))
        kept = (SHARD, PARTIAL, KEPT_WINDOWS)  # what a resume takes up
        if any(pattern.match(name) for name in now - before for pattern in kept):
            return
        for name in now - before:
            if is_ours(name):
                (output_dir / name).unlink()
        for folder in made:
            folder.rmdir()
    except OSError:  # best effort: what cannot be tidied (not empty, no permission) stays
        pass


def _check_main_guard() -> None:
    """Refuse a run that reader processes would start again: they are spawned, and a spawned
    process first runs the ``__main__`` script, so a call at its top level outside ``if
    __name__ == "__main__":`` would run in each of them (locked out of the output, every file
    failed). Checked in the script's process (from its source) and in a reader starting."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if path and not os.path.isfile(path):  # python - < script.py: no file to run again
        raise UnguardedMainError(
            f"embed_dataset runs from a script read from {path}, which its reader processes "
            "cannot run again (they start by running the main script): pass workers=0 to read "
            "in this process, or run the script from a file, the call under `if __name__ == "
            "'__main__':`."
        )
    where = _unguarded_main_call()
    starting = getattr(multiprocessing.current_process(), "_inheriting", False)
    if where is None and not starting:
        return
    script = where or "the main script"
    raise UnguardedMainError(
        f"embed_dataset is called at the top level of {script}, outside `if __name__ == "
        "'__main__':`. Its reader processes start by running that script again, so each would "
        "start the run again. Put the call under `if __name__ == '__main__':`, or read in this "
        "process with workers=0."
    )


def _unguarded_main_call() -> str | None:
    """``"script.py, line N"`` when this runs from a statement at the top level of the
    ``__main__`` script outside an ``if __name__ == "__main__":`` block; None otherwise (a
    call under the guard, a notebook, ``python -c``, a script that cannot be read)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or not path or not str(path).endswith(".py"):
        return None
    line = None
    frame: FrameType | None = sys._getframe(1)
    try:
        while frame is not None:
            if frame.f_globals is vars(main) and frame.f_code.co_name == "<module>":
                line = frame.f_lineno
            frame = frame.f_back
    finally:
        del frame
    if line is None:
        return None
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and {"__name__", "'__main__'"} <= set(
            re.findall(r"__name__|'__main__'", ast.unparse(node.test))
        ):
            if node.lineno <= line <= (node.end_lineno or node.lineno):
                return None
    return f"{path}, line {line}"


def _default_workers() -> int:
    """``min(4, cores - 1)``, or 0 (reading in the main process) on two cores or fewer, where
    one reader process only competes with inference for the cores (measured on 2 cores: more
    CPU time and a longer run than reading in process); counting the cores this process may use
    (a job scheduler's allocation, a container's CPU quota: :func:`eegpt._runtime.usable_cpus`),
    not the host's."""
    from eegpt._runtime import usable_cpus

    cores = usable_cpus()
    return 0 if cores <= 2 else min(4, cores - 1)
