"""``eegpt info``: what a file or folder holds (embeddings and how they were made, a probe, its
predictions or evaluation, an ``embed-dataset`` run, weights), as lines of text. It imports
neither torch nor MNE nor SciPy for files that do not need them: ``eegpt info`` stays light.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eegpt._filenames import command_word
from eegpt._json_out import print_json
from eegpt._logging import count as _count
from eegpt._logging import (
    duration_text,
    few,
    software_text,
)
from eegpt.cli_existing_outputs import _is_epochs_output
from eegpt.cli_run import EXIT_SOME_FAILED
from eegpt.errors import MissingFileError

# EEG recording files (eegpt.formats.EEG_SUFFIXES and other formats MNE reads), named as such by
# eegpt info without importing MNE
_INFO_RECORDING_SUFFIXES = (".edf", ".bdf", ".gdf", ".fif", ".vhdr", ".set", ".cnt", ".mff", ".eeg")


def _print_verified(folder: Path) -> bool:
    """Print what ``eegpt info --verify`` finds in the shards of ``folder`` (a run folder or
    a folder of them); whether all of them read."""
    from eegpt.shard_checks import verify_report

    text, readable = verify_report(folder)
    print(text)
    return readable


def _print_completion(folder: Path, verify: bool) -> bool:
    """Print, last, whether the run of ``folder`` (a run folder or a folder of them) did not
    finish (files pending, shards missing), or is still running (``verify``: a corpus checked
    whole); whether it is complete as ``eegpt info`` exits."""
    from eegpt.dataset_report import completion_report

    text, complete = completion_report(folder, verify=verify)
    if text:
        print(text)
    return complete


def cmd_info(args: argparse.Namespace) -> int:
    from eegpt.dataset_folders import RUN_MANIFEST, run_folders
    from eegpt.hub import PRETRAINED, close_weights, pretrained_name

    folder = Path(args.weights).expanduser()
    verify = getattr(args, "verify", False)
    if getattr(args, "json", False):  # --json: the same files, as data
        record, status = info_record(args, folder, verify)
        print_json(record)
        return status
    if _holds(folder, RUN_MANIFEST):  # an embed-dataset output
        from eegpt.dataset_report import output_report

        # current: no recording changed since embedded, none failed, no shard cut short
        text, current = output_report(folder)
        print(text)
        readable = _print_verified(folder) if verify else True
        complete = _print_completion(folder, verify)
        return 0 if current and readable and complete else EXIT_SOME_FAILED
    if run_folders(folder):  # the parts of a --part run (or other runs side by side)
        from eegpt.dataset_report import parts_report

        text, one_table = parts_report(folder)
        print(text)
        readable = _print_verified(folder) if verify else True
        complete = _print_completion(folder, verify)
        return 0 if one_table and readable and complete else EXIT_SOME_FAILED  # a SLURM check
    if verify:
        raise ValueError(
            f"--verify reads the shards of an embed-dataset output folder; {folder} is none"
        )
    if _holds(folder, "probe.json"):  # eegpt probe train's (probe_folder.PROBE_JSON)
        from eegpt.probe_folder import describe_probe

        print(describe_probe(folder))
        return 0
    if folder.is_dir() and not (folder / "config.json").is_file():
        from eegpt.dataset_lock import LOCK, FolderLock, is_run_temporary

        names = [p.name for p in folder.iterdir()]
        if LOCK in names and all(is_run_temporary(n) for n in names if n != LOCK):
            # embed-dataset's start, and no more: its lock, maybe a temporary file it was
            # writing (a report, a shard's rows), which a run's clean-up removes
            if FolderLock.held(folder):
                print(f"{folder}: an embed-dataset run is starting in it (it holds its lock)")
                return 0
            left = "only its lock file is left"
            if len(names) > 1:
                left = "only its lock file and temporary files are left"
            print(
                f"{folder}: an embed-dataset run started in it and stopped before writing "
                f"anything ({left}); run the same command again"
            )
            return EXIT_SOME_FAILED
        files = sorted(n for n in names if Path(n).suffix.lower() in (".npz", ".parquet"))
        if files:
            raise ValueError(
                f"{folder} holds embeddings files ({few(files)}), not a checkpoint: give eegpt "
                "info one of them"
            )
        from eegpt.outputs_read import tree_hint

        raise ValueError(
            f"{folder} is neither model weights (a folder with config.json and "
            "model.safetensors) nor the output folder of embed-dataset (it has no "
            f"{RUN_MANIFEST}) nor a probe; eegpt info describes those, checkpoint files and "
            f"embeddings files{tree_hint(folder)}"
        )
    from eegpt.probe_provenance import predictions_record, predictions_report

    predictions = predictions_record(folder) if folder.is_file() else None
    if predictions is not None:  # eegpt probe predict -o's table (or its sidecar)
        text, current = predictions_report(folder, *predictions)
        print(text)
        # STALE (the table changed since its record was written): 3, as a corpus whose
        # recordings changed since they were embedded
        return 0 if current else EXIT_SOME_FAILED
    if folder.suffix.lower() == ".json" and folder.is_file():  # eegpt probe evaluate --json's
        from eegpt.probe_provenance import describe_evaluation, evaluation_record

        evaluation = evaluation_record(folder)
        if evaluation is not None:
            print(describe_evaluation(folder, evaluation))
            return 0
    fetched = pretrained_name(args.weights) is not None or args.weights.startswith(
        ("http://", "https://")
    )
    # a mistyped path, not weights to download (nor a recording or table, as named by its
    # suffix below: a missing `x.csv` was said to be "a csv file, not a checkpoint")
    if not folder.exists() and not fetched and folder.suffix.lower() not in (".npz", ".parquet"):
        from eegpt.formats import broken_link_text

        link = broken_link_text(folder)
        if link is not None:
            raise MissingFileError(link)
        close = close_weights(args.weights, folder)
        if close:
            raise MissingFileError(f"{folder} does not exist: did you mean {' or '.join(close)}?")
        raise MissingFileError(
            f"{folder} does not exist; eegpt info describes a checkpoint (a file or folder, a "
            f"pretrained name such as {', '.join(sorted(PRETRAINED))} or a URL), an embeddings "
            "file (.npz/.parquet), a probe folder, the output folder of embed-dataset, the "
            "predictions of eegpt probe predict (.parquet, or a .csv/.tsv with its .json "
            "sidecar) or the JSON of eegpt probe evaluate --json"
        )
    suffix = "".join(folder.suffixes[-2:]).lower()
    if folder.suffix.lower() == ".fdt":
        raise ValueError(_eeglab_data_file_text(folder))
    if folder.suffix.lower() in _INFO_RECORDING_SUFFIXES or suffix.endswith(".fif.gz"):
        from eegpt.fif_kinds import info_text

        raise ValueError(
            info_text(folder)  # an evoked (averaged), ICA, ... file: MNE's, no recording
            or f"{folder} is an EEG recording, not a checkpoint: `eegpt channels {command_word(folder)}` shows "
            "how its channels map; `eegpt embed` embeds it"
        )
    if folder.suffix.lower() in (".csv", ".tsv", ".txt", ".json"):
        from eegpt.probe_provenance import sidecar_path

        if folder.is_file() and folder.stat().st_size == 0:
            raise ValueError(_empty_file_text(folder))
        none = (
            f", with no sidecar {sidecar_path(folder).name} beside it (eegpt probe predict -o "
            "writes one; eegpt before 2026-12-05 did not: predictions of an older eegpt have "
            "none, and predicting again writes it)"
            if folder.suffix.lower() in (".csv", ".tsv") and folder.is_file()
            else ""
        )
        raise ValueError(
            f"{folder} is a {folder.suffix[1:]} file, not a checkpoint{none}: eegpt info describes "
            "checkpoints, embeddings files (.npz/.parquet), probe folders, embed-dataset "
            "output folders, the predictions of eegpt probe predict (.parquet, or a .csv/.tsv "
            "with its .json sidecar) and the JSON of eegpt probe evaluate --json"
        )
    if folder.suffix.lower() in (".npz", ".parquet"):
        if not folder.is_file():
            raise MissingFileError(f"no such file: {folder}")
        text, current = _describe_embeddings(folder)
        print(text)
        # its recording changed since it was embedded: 3, as a corpus whose recordings did
        return 0 if current else EXIT_SOME_FAILED
    from eegpt.checkpoints import describe, load_checkpoint, resolve_weights  # imports torch

    print(
        describe(
            load_checkpoint(
                resolve_weights(args.weights, progress=not args.quiet, verbose=not args.quiet)
            )
        )
    )
    return 0


def stim_events_text(record: Any) -> str:
    """``, with the events of its stim channel made annotations (--events-from-stim ...)``
    for an output's recorded ``events_from_stim`` setting; empty without one."""
    if not isinstance(record, dict):
        return ""
    from eegpt.stim_events import StimEvents  # no MNE imported: eegpt info stays light

    return (
        ", with the events of its stim channel made annotations "
        f"({StimEvents.from_record(record).options})"
    )


def epochs_around_text(record: Any) -> str:
    """``, cut into epochs around its annotations (--epochs-around ... --crop ...)`` for an
    output's recorded ``epochs_around`` setting; empty without one."""
    if not isinstance(record, dict) or not record.get("patterns"):
        return ""
    from eegpt.event_epochs import EpochsAround  # no MNE imported: eegpt info stays light

    around = EpochsAround.from_record(record)
    crop = f" --crop {around.tmin:g}" if around.tmin else ""
    return f", cut into epochs around its annotations ({around.options()}{crop})"


def _empty_file_text(path: Path) -> str:
    """Why ``eegpt info`` does not describe the empty (0-byte) table or JSON file ``path``: what
    leaves one (an output redirected there by a command that failed before writing it), and
    what to do."""
    command = "eegpt probe evaluate ... --json" if path.suffix.lower() == ".json" else "..."
    return (
        f"{path} is an empty file (0 bytes): nothing was written to it, as a command whose "
        f"output was redirected there (`{command} > {path.name}`) leaves it when it fails "
        "before writing, or a copy cut short; run the command that writes it again. eegpt info describes checkpoints, embeddings files (.npz/.parquet), probe "
        "folders, embed-dataset output folders, the predictions of eegpt probe predict "
        "(.parquet, or a .csv/.tsv with its .json sidecar) and the JSON of eegpt probe "
        "evaluate --json"
    )


def _eeglab_data_file_text(path: Path) -> str:
    """Why ``eegpt info`` does not describe EEGLAB's ``.fdt`` (a recording's samples alone),
    and what describes the recording."""
    header = path.with_suffix(".set")
    return (
        f"{path} is the data file of an EEGLAB recording (its samples alone; the channels, "
        f"sampling rate and events are in its .set file), not a checkpoint: eegpt info "
        "describes checkpoints, embeddings files (.npz/.parquet), probe folders and "
        f"embed-dataset output folders. For the recording: `eegpt channels {command_word(header)}` "
        f"shows how its channels map, `eegpt embed {command_word(header)}` embeds it"
    )


def _rejected_lines(meta: dict) -> list[str]:
    """What ``eegpt info`` says of windows left out by ``--reject-by-annotation``
    (``metadata["rejected_by_annotation"]``: their onsets), which its ``bad windows`` count
    (those kept and flagged) does not include."""
    onsets = meta.get("rejected_by_annotation")
    if not isinstance(onsets, list) or not onsets:
        return []
    from eegpt.preprocessing_spec import seconds_text

    shown = ", ".join(seconds_text(float(t)) for t in onsets[:6])
    shown += " ..." if len(onsets) > 6 else ""
    return [
        f"  {len(onsets)} window{'s' if len(onsets) != 1 else ''} left out "
        f"(--reject-by-annotation: overlapping BAD_ annotations; onsets {shown} s), not "
        "counted above (gaps in window_index)"
    ]


def _describe_embeddings(path: Path) -> tuple[str, bool]:
    """What ``eegpt info`` says of an embeddings file: its recording, windows, settings; read
    without its embeddings (a 24 h recording's are gigabytes); and whether the files it was
    embedded from are as they were then (False: CHANGED since embedded,
    :func:`eegpt.dataset_stamps.output_source_check`; True where they cannot be found)."""
    from eegpt._file_identity import SOURCE_FILES_KEY, source_files_text
    from eegpt.channels import left_out_count_text
    from eegpt.dataset_stamps import output_source_check, source_check_lines
    from eegpt.embeddings_loading import _load_outline
    from eegpt.preprocessing_spec import describe as describe_preprocessing
    from eegpt.preprocessing_spec import seconds_text
    from eegpt.rename_tables import rename_text

    emb = _load_outline(path)
    shape = emb.data.shape
    meta = emb.metadata
    pre = meta.get("preprocessing") or {}
    model = meta.get("model") or {}
    ckpt = meta.get("checkpoint") or {}
    channels = _channel_names_shown(meta.get("channels") or {})
    renamed = rename_text(meta.get("channels") or {})
    from eegpt._output_texts import INPUT_KEY, input_text, windows_text

    in_memory = input_text(meta.get(INPUT_KEY))
    lines = [
        f"{path}: EEGPT embeddings of {in_memory or run_path(meta.get('source', '?'), meta)}"
        + (
            f", with the annotations of {run_path(meta['annotations_file'], meta)}"
            if meta.get("annotations_file")
            else ""
        )
        + stim_events_text(meta.get("events_from_stim"))
        + epochs_around_text(meta.get("epochs_around")),
        *([files] if (files := source_files_text(meta.get(SOURCE_FILES_KEY))) else []),
        *source_check_lines(check := output_source_check(meta)),
        f"  {windows_text(len(emb), meta)} of {pre.get('window_seconds', '?')} s (overlap "
        f"{pre.get('overlap', '?')} s), embeddings {list(shape[1:])} per window"
        + (f" (stored mean-pooled: --pool {meta['pool']})" if meta.get("pool") else "")
        # exactly as the windows' onsets hold them (3600.30078125): a start to give --start
        + (
            f", onsets {seconds_text(emb.onsets[0])}-{seconds_text(emb.onsets[-1])} s"
            if len(emb)
            else ""
        ),
        *_timeline_lines(emb.onsets, meta),
        f"  {len(channels)} channels: {few(list(channels), 12)}",
        *_picks_lines(meta.get("picks")),
        *([f"  channels renamed by: {renamed}"] if renamed else []),
        *([f"  {left_out}"] if (left_out := left_out_count_text(meta.get("left_out"))) else []),
        describe_preprocessing(pre),
        *_rate_lines(meta.get("sfreq_in"), pre),
        *_older_resampler_lines(meta),
        f"  bad windows: {int(emb.bad.sum())}" if len(emb) else "  no windows",
        *([_flagged_line(emb)] if len(emb) else []),
        *_rejected_lines(meta),
        *_tail_lines(meta),
        f"  model: embed_dim {model.get('embed_dim', '?')}, depth {model.get('depth', '?')}, "
        f"{model.get('embed_num', '?')} summary tokens; {meta.get('precision', '?')}"
        + (f", stream {meta['stream_precision']}" if meta.get("stream_precision") else "")
        + f" on {meta.get('device', '?')}"
        + (f", batches of {meta['batch_size']}" if meta.get("batch_size") else ""),
        _checkpoint_line(ckpt, meta),
        f"  eegpt {meta.get('eegpt_version', '?')}"
        + software_text(meta.get("software"))
        + (
            f"; with the changes to {meta['eegpt_changes']} (CHANGELOG.md)"
            if meta.get("eegpt_changes")
            else ""
        ),
        *([f"  made by: eegpt {shlex.join(meta['command'])}"] if meta.get("command") else []),
        *_anonymized_lines(meta.get("anonymized")),
    ]
    return "\n".join(lines), not (check and check.changed)


def _flagged_line(emb: Any) -> str:
    """How many windows of ``emb`` (an Embeddings) are over a flat or clipped stretch the
    signal checks named (:attr:`~eegpt.Embeddings.flagged`), or that this was not recorded."""
    if not emb.flags_recorded:
        return "  flagged windows (flat or clipped channels): not recorded (unknown)"
    return (
        f"  flagged windows (flat or clipped channels): {int(emb.flagged.sum())} (the "
        "flagged column; emb[~emb.flagged] leaves them out)"
    )


def _timeline_lines(onsets: Any, meta: Mapping[str, Any]) -> list[str]:
    """``eegpt info`` lines on where a recording's windows lie on its clock: its start as the
    file's header states it (``meas_date``, on the clock :func:`clock_zone_text` names; the
    first sample where a cropped file starts after it) and end, the clock time it spans, and
    for a discontinuous EDF+D/BDF+D file (``record_clock``) its stretches and each gap
    (``HH:MM:SS-HH:MM:SS (N s)``, the first :data:`GAPS_LISTED`). Dated epochs: the clock of
    their onsets (which count from the acquisition start). An undated recording: that its
    ``clock_time`` is empty. None for a recording without windows."""
    import datetime

    import numpy as np

    from eegpt.clock_times import clock_moments

    if not len(onsets):
        return []
    window = float((meta.get("preprocessing") or {}).get("window_seconds") or 0.0)
    from eegpt._dates import ANONYMIZED_CLOCK

    # EDF's anonymization placeholder (1985-01-01) dates nothing: as no date at all
    dated = bool(meta.get("meas_date")) and meta.get("clock") != ANONYMIZED_CLOCK
    undated = (
        "start date anonymized (EDF's 1985-01-01 placeholder)"
        if meta.get("clock") == ANONYMIZED_CLOCK
        else "no measurement date"
    )
    if _is_epochs_output(meta):
        if not dated:
            return [f"  {undated}: clock_time empty"]
        known = np.asarray(onsets, dtype=np.float64)
        known = known[~np.isnan(known)]
        if not len(known):
            return []
        try:
            first, last = clock_moments(
                np.array([known.min(), known.max() + window]), meta["meas_date"]
            ).tolist()
        except (TypeError, ValueError):
            return []
        spec = "seconds" if not (first.microsecond or last.microsecond) else "milliseconds"
        return [
            f"  recording clock: epochs from {first.isoformat(' ', spec)} to "
            f"{last.isoformat(' ', spec)} (first onset to last end; {clock_zone_text(meta)})"
        ]
    ends = [float(onsets[-1]) + window]  # the recording's end in the samples
    ends += [float(t) + window for t in meta.get("rejected_by_annotation") or []]
    padded = meta.get("padded_tail")
    if padded:
        ends = [float(padded["onset_s"]) + float(padded["recorded_s"])]
    end = max(ends) + float(meta.get("tail_left_out_s") or 0.0)
    clock = None
    if meta.get("record_clock"):
        from eegpt.edf_files import RecordClock

        clock = RecordClock.from_dict(meta["record_clock"])
    span = float(clock.to_clock(end)) if clock is not None else end

    def spent(seconds: float) -> str:  # "68 s", "0.5 s", "24:00:00", "3.0 days"
        return duration_text(seconds) if abs(seconds) >= 120 else f"{seconds:.10g} s"

    first_time = float(meta.get("first_time") or 0.0)
    lines = []
    moment = None  # seconds on the clock from the first sample -> its moment, where dated
    if dated:
        try:
            start, stop = clock_moments(
                np.array([0.0, end]), meta["meas_date"], first_time, clock
            ).tolist()
            header = clock_moments(np.array([0.0]), meta["meas_date"])[0].item()
        except (TypeError, ValueError):
            start = stop = header = None
        if isinstance(start, datetime.datetime) and isinstance(stop, datetime.datetime):
            spec = "seconds" if not (start.microsecond or stop.microsecond) else "milliseconds"
            said = f"{start.isoformat(' ', spec)}"
            if abs(first_time) > 1e-6 and isinstance(header, datetime.datetime):
                said = (
                    f"first sample {said} ({spent(first_time)} after the header's start "
                    f"{header.isoformat(' ', spec)})"
                )
            lines.append(
                f"  recording clock: {said} to "
                f"{stop.isoformat(' ', spec)} ({spent(span)}; {clock_zone_text(meta)})"
            )

            def moment(seconds: float) -> datetime.datetime:
                return start + datetime.timedelta(seconds=seconds)

    if not lines and clock is None:  # no clock beyond the onsets already given
        lines.append(f"  {undated}: clock_time empty")
    elif not lines:
        lines.append(
            f"  recording clock: {spent(span)} from the first sample ({undated}: clock_time empty)"
        )
    if clock is not None:
        stretches = len(clock.clock_starts)
        gaps = np.diff(clock.clock_starts) - np.diff(clock.sample_starts)
        lines.append(
            f"  discontinuous: {spent(end)} recorded over {spent(span)} of clock time in "
            f"{stretches} stretch{'es' if stretches != 1 else ''}, {_count(stretches - 1, 'gap')} "
            f"totalling {spent(float(np.sum(gaps)))} (Embeddings.clock_times() places the "
            "windows on the clock)"
        )
        listed = []
        for k, gap in enumerate(gaps[:GAPS_LISTED]):
            begin = float(clock.clock_starts[k + 1]) - float(gap)  # where stretch k ends
            finish = float(clock.clock_starts[k + 1])
            if moment is not None:
                when = f"{_hms(moment(begin))}-{_hms(moment(finish))}"
            else:
                when = f"{begin:.10g}-{finish:.10g} s from the first sample"
            listed.append(f"{when} ({spent(float(gap))})")
        if listed:
            more = len(gaps) - len(listed)
            lines.append(
                "  gaps: " + ", ".join(listed) + (f", and {more} more" if more > 0 else "")
            )
    return lines


#: How many gaps of an EDF+D file ``eegpt info`` lists one by one.
GAPS_LISTED = 10


def _hms(moment: Any) -> str:
    """A moment's time of day, ``HH:MM:SS`` (with milliseconds where it has a fraction)."""
    return moment.time().isoformat("milliseconds" if moment.microsecond else "seconds")


def clock_zone_text(meta: Mapping[str, Any]) -> str:
    """Which clock a recording's dates (and its ``clock_time`` column) are on, as ``eegpt
    info`` says it, from its provenance's ``clock`` (:func:`eegpt.io.date_clock`); files
    written before eegpt recorded it say the zone was not recorded."""
    return {
        "utc": "UTC, as the FIF/.mff format stores it (one converted from EDF/BrainVision keeps that file's local clock; clock_time shown without a zone)",
        "local": "the header's local wall clock, no zone",
        "acq_time": "UTC, from the BIDS scans.tsv acq_time (MNE-BIDS sets it over the data file header's date; an acq_time without Z or an offset is taken as the reading computer's local time); clock_time shown in UTC without a zone",
        "unknown": "as MNE gives it, zone unknown",
        "anonymized": "unknown: the start date is EDF's anonymization placeholder (1985-01-01), so clock_time is empty",
    }.get(
        str(meta.get("clock")),
        "as the header states its start, zone not recorded",
    )


def _channel_names_shown(channels: Mapping[str, Any]) -> list[str]:
    """The vocabulary names of an output's channel mapping (``metadata["channels"]``) as
    ``eegpt info`` lists them: a bipolar derivation renamed to one electrode with its label,
    ``"FPZ (bipolar: EEG Fpz-Cz)"``; a channel whose label does not hold its vocabulary name
    (an old name, a ``--rename``, an sEEG contact picked) with that label, ``"T7 (from T3)"``,
    but not one whose label only decorates it (``"EEG FP1-REF"``, ``"Fz"``: ``FP1``, ``FZ``).
    A label tagged with a participant's prefix or suffix (``"A-Fp1"``, ``"Fp1_2"`` of a
    hyperscanning file: :func:`eegpt._participants.participant_tags`) is shown, so that the
    outputs of two participants of one recording are told apart: ``"FP1 (from A-Fp1)"``."""
    from eegpt._participants import participant_tags

    names = [str(name) for name in channels.get("names", [])]
    bipolar = set(channels.get("bipolar") or ())
    inputs = [str(label) for label in channels.get("input_names") or names]
    tagged = {label for group in participant_tags(inputs) for label in group.labels}
    return [
        f"{name} (bipolar: {label})"
        if label in bipolar
        else name
        if _label_holds(label, name) and label not in tagged
        else f"{name} (from {label})"
        for name, label in zip(names, inputs, strict=False)
    ]


def _label_holds(label: str, name: str) -> bool:
    """Whether the channel label ``label`` holds the vocabulary name ``name`` as a word of its
    own, in any case (``"EEG Fp1-REF"``, ``"Fp1"`` hold ``FP1``; ``"T3"``, ``"E36"``, ``"Fp10"``
    do not hold ``T7``, ``C3``, ``FP1``)."""
    return (
        re.search(rf"(?<![A-Z0-9]){re.escape(name.upper())}(?![A-Z0-9])", label.upper()) is not None
    )


#: The channel types an output reads by default (``picks="eeg"``, ``--picks eeg``).
_DEFAULT_PICKS = ["eeg"]


def _picks_lines(picks: Any) -> list[str]:
    """The ``eegpt info`` line of the channels an output read (``metadata["picks"]``), where it
    is not the default EEG-typed ones: ``"  picks: eeg, seeg (not the default eeg; seeg: not
    scalp EEG, ...)"``, the note where they name another modality than scalp EEG."""
    if not isinstance(picks, list) or picks == _DEFAULT_PICKS:
        return []
    listed = ", ".join(str(p) for p in picks)
    from eegpt.vocabulary import NOT_SCALP_TYPES

    other = [p for p in picks if p in NOT_SCALP_TYPES]
    note = (
        f"; {', '.join(other)}: not scalp EEG, outside what EEGPT was pretrained on"
        if other
        else ""
    )
    return [f"  picks: {listed} (not the default eeg{note})"]


def _anonymized_lines(anonymized: Mapping[str, Any] | None) -> list[str]:
    """The ``eegpt info`` line of an ``eegpt anonymize`` copy (its ``anonymized`` record), as
    that of an anonymized run folder says it."""
    from eegpt.dataset_report import anonymized_text

    return [f"  {anonymized_text(anonymized)}: no paths, host or command"] if anonymized else []


def run_path(path: Any, meta: Mapping[str, Any]) -> str:
    """``path`` (recorded in an output's ``meta``: its source, annotations file, checkpoint)
    as ``eegpt info`` shows it: relative to the folder the command that made the output ran
    in (``meta["cwd"]``) where it lies in it, as that command line names such files (the
    source is recorded as given, the annotations file and checkpoint absolute); otherwise,
    and for outputs made in Python (no ``cwd``), as recorded."""
    text, cwd = str(path), meta.get("cwd")
    if not isinstance(cwd, str) or not cwd or not os.path.isabs(text):
        return text
    try:
        relative = os.path.relpath(text, cwd)
    except ValueError:  # another drive (Windows)
        return text
    if relative == os.curdir or relative.split(os.sep, 1)[0] == os.pardir:
        return text
    return relative


def _checkpoint_line(ckpt: dict[str, Any], meta: Mapping[str, Any]) -> str:
    """The ``eegpt info`` line of the weights that made embeddings (their ``checkpoint``
    record; ``meta``, the output's, for :func:`run_path`): the file and its sha256 with the
    encoder fingerprint of its weights (where recorded: ``weights_sha256``, as ``eegpt info``
    of the weights shows it), or, for weights changed after loading, that file as where they
    were loaded from and the fingerprint of the weights used."""
    if ckpt.get("weights_modified"):
        loaded = ckpt.get("loaded_from") or {}
        where = run_path(loaded["path"], meta) if loaded.get("path") else "?"
        line = (
            f"  checkpoint: weights MODIFIED after loading {where} (sha256 "
            f"{str(loaded.get('sha256') or '?')[:12]}...), so not that file's; weights used: "
            f"encoder fingerprint {str(ckpt.get('weights_sha256') or '?')[:12]}..."
        )
    else:
        line = (
            f"  checkpoint: {run_path(ckpt.get('path', '?'), meta)} "
            f"(sha256 {str(ckpt.get('sha256', '?'))[:12]}...)"
        )
        if ckpt.get("weights_sha256"):  # the encoder weights' identity, as eegpt info WEIGHTS
            line += f", encoder fingerprint {str(ckpt['weights_sha256'])[:12]}..."
        if ckpt.get("stored_dtype"):  # the file's weights, upcast when loaded
            line += f", weights stored as {ckpt['stored_dtype']} (run in float32)"
    return line + (", NOT pretrained" if ckpt.get("pretrained") is False else "")


def _rate_lines(sfreq_in: float | None, pre: dict[str, Any]) -> list[str]:
    """The ``eegpt info`` line of the recording's own sampling rate, when it was resampled;
    below the model's rate, the band the recording can hold is named."""
    rate = pre.get("sfreq")
    if not sfreq_in or not rate or sfreq_in == rate:
        return []
    line = f"  recorded at {sfreq_in:g} Hz, resampled to {rate:g} Hz ({pre.get('resample')})"
    if sfreq_in < rate:
        line += f": the windows hold nothing above {sfreq_in / 2:g} Hz (the recording's Nyquist)"
    return [line]


def _older_resampler_lines(meta: Mapping[str, Any]) -> list[str]:
    """The ``eegpt info`` line of an output resampled by another polyphase resampler than
    this eegpt's (:func:`eegpt.preprocessing_spec.resampled_by_an_older_eegpt`); none else."""
    from eegpt.preprocessing_spec import RESAMPLER_CHANGE, resampled_by_an_older_eegpt

    if not resampled_by_an_older_eegpt(meta):
        return []
    revision = meta.get("resample_revision")
    which = f"revision {revision}" if revision is not None else "no revision recorded"
    return [
        f"  resampled by an earlier eegpt's resampler ({which}): {RESAMPLER_CHANGE}; embed "
        "the recording again to compare it with outputs of this eegpt"
    ]


def _projection_lines(projections: Any) -> list[str]:
    """``eegpt info`` lines on the SSP projectors stored with the recording (an output's
    ``metadata["projections"]``): those applied to the samples before eegpt read them, and
    those stored but not applied, which eegpt does not apply either."""
    if not isinstance(projections, list):
        return []
    applied = [repr(p.get("desc")) for p in projections if isinstance(p, dict) and p.get("applied")]
    stored = [
        repr(p.get("desc")) for p in projections if isinstance(p, dict) and not p.get("applied")
    ]
    lines = []
    if applied:
        lines.append(
            f"  SSP projectors applied to the recording before eegpt ({len(applied)}): "
            f"{few(applied, 6)}"
        )
    if stored:
        lines.append(
            f"  SSP projectors stored with the recording, not applied ({len(stored)}; eegpt does "
            f"not apply them): {few(stored, 6)}"
        )
    return lines


def _tail_lines(meta: dict[str, Any]) -> list[str]:
    """``eegpt info`` lines on the recording's own filtering (none for MNE's default band of
    an unfiltered recording, 0 Hz to the Nyquist frequency: :func:`band_narrowed`), a
    truncated file and the recording's end (padded or left out), from an embeddings file's
    provenance."""
    from eegpt._recording_provenance import band_narrowed, recorded_rate
    from eegpt.preprocessing_spec import seconds_text

    lines = []
    band = meta.get("recording_filters")
    if band and band_narrowed(band, recorded_rate(meta)):
        lines.append(
            f"  recording filtered to {band['highpass_hz']:g}-{band['lowpass_hz']:g} Hz before "
            "eegpt (as MNE reads it: the file's prefiltering, or filters applied in MNE)"
        )
    lines += _projection_lines(meta.get("projections"))
    if meta.get("custom_ref_applied"):
        lines.append(
            "  recording re-referenced in MNE before eegpt (info['custom_ref_applied']; eegpt's "
            "average reference, where on, replaces it)"
        )
    baseline = meta.get("epochs_baseline")
    if baseline:
        from eegpt._logging import baseline_text

        lines.append(
            f"  epochs baseline-corrected by MNE ({baseline_text(baseline)}: each channel's mean "
            "over it subtracted; eegpt does not): they differ from windows of the continuous "
            "recording (OnlineEmbedder), which equal epochs made with baseline=None"
        )
    detrend = meta.get("epochs_detrend")
    if detrend is not None:
        removed = {0: "the mean (DC offset)", 1: "a least-squares line"}.get(detrend, "a trend")
        lines.append(
            f"  epochs detrended by MNE (detrend={detrend}: {removed} of each epoch's channels "
            "subtracted; eegpt does not): they differ from windows of the continuous recording "
            "(OnlineEmbedder), which equal epochs made with detrend=None"
        )
    truncated = meta.get("truncated")
    if truncated and "announced_s" in truncated:
        lines.append(
            f"  TRUNCATED file: {truncated['read_s']:g} s read of the {truncated['announced_s']:g} "
            "s its header announces (the rest is missing from the file)"
        )
    elif truncated:  # a BrainVision data file that ends in a partial sample
        lines.append(
            f"  TRUNCATED file: {truncated['read_s']:g} s read; the data file ends in "
            f"{truncated.get('partial_bytes', 0)} bytes of a partial sample (the rest is missing)"
        )
    padded = meta.get("padded_tail")
    if padded:
        lines.append(
            f"  last window (onset {seconds_text(float(padded['onset_s']))} s) zero-padded: {padded['recorded_s']:g} "
            "s recorded"
        )
    epochs = meta.get("padded_epochs")
    if epochs:
        from eegpt.patch_padding import (
            padded_patches_seconds,
            padded_patches_text,
            partial_patch_note,
        )

        kept = epochs["patches"] - epochs["padding_patches"]
        alone = (
            f"; --window {padded_patches_seconds(epochs, kept):.10g} embeds the epochs "
            "without the patches wholly padding"
            if epochs["padding_patches"]
            else ""
        )
        crop = (meta.get("preprocessing") or {}).get("crop_tmin")
        lines.append(
            f"  epochs zero-padded: {epochs['recorded_s']:.10g} s recorded and "
            f"{epochs['padded_s']:.10g} s of zeros per window ({padded_patches_text(epochs)})"
            + alone
            + partial_patch_note(epochs, crop)
        )
    if meta.get("tail_left_out_s"):
        lines.append(f"  last {meta['tail_left_out_s']:g} s not embedded (shorter than a window)")
    return lines + _warning_lines(meta)


def _warning_lines(meta: dict[str, Any]) -> list[str]:
    """``eegpt info`` lines on the warnings given while the recording was embedded (its
    ``metadata["warnings"]``), one shortened line each."""
    from eegpt._logging import shortened

    said = meta.get("warnings") or []
    if not said:
        return []
    head = f"  WARNINGS when embedded ({len(said)}; metadata['warnings'] has them in full):"
    return [head, *(f"    - {shortened(text, 150)}" for text in said)]


def info_record(args: argparse.Namespace, folder: Path, verify: bool) -> tuple[dict[str, Any], int]:
    """What ``eegpt info --json`` writes of ``folder`` (the path given), and its exit status:
    the files the text form describes, told apart in the same order, each as the metadata its
    text is made from (``kind`` says which; :data:`INFO_JSON_KEYS`). Raises as the text form
    does for a path it does not describe."""
    from eegpt.dataset_folders import RUN_MANIFEST, run_folders

    if _holds(folder, RUN_MANIFEST) or run_folders(folder):
        return _dataset_record(folder, verify)
    if verify:
        raise ValueError(
            f"--verify reads the shards of an embed-dataset output folder; {folder} is none"
        )
    if _holds(folder, "probe.json"):
        from eegpt.probe_folder import _read_probe_json

        return {"kind": "probe", "path": folder, "probe": _read_probe_json(folder)}, 0
    if folder.is_dir() and not (folder / "config.json").is_file():
        return _lock_only_record(folder)
    from eegpt.probe_provenance import predictions_record, predictions_report

    predictions = predictions_record(folder) if folder.is_file() else None
    if predictions is not None:
        _, current = predictions_report(folder, *predictions)
        record = {"kind": "predictions", "path": folder, "table_path": predictions[1]}
        record.update(current=current, record=predictions[0])
        return record, 0 if current else EXIT_SOME_FAILED
    if folder.suffix.lower() == ".json" and folder.is_file():
        from eegpt.probe_provenance import evaluation_record

        evaluation = evaluation_record(folder)
        if evaluation is not None:
            return {"kind": "evaluation", "path": folder, "evaluation": evaluation}, 0
    if folder.suffix.lower() in (".npz", ".parquet") and folder.is_file():
        record = _embeddings_record(folder)
        return record, 0 if record["current"] else EXIT_SOME_FAILED
    from eegpt.hub import pretrained_name

    fetched = pretrained_name(args.weights) is not None or args.weights.startswith(
        ("http://", "https://")
    )
    suffix = folder.suffix.lower()
    if (
        suffix in (".npz", ".parquet", ".json", ".csv", ".tsv", ".txt", ".fdt")
        or suffix in _INFO_RECORDING_SUFFIXES
        or "".join(folder.suffixes[-2:]).lower().endswith(".fif.gz")
        or (not folder.exists() and not fetched)
    ):
        _raise_as_text(args)
    from eegpt.checkpoints import load_checkpoint, resolve_weights  # imports torch

    return _checkpoint_record(
        load_checkpoint(
            resolve_weights(args.weights, progress=not args.quiet, verbose=not args.quiet)
        )
    ), 0


#: The keys of ``eegpt info --json``'s object, per ``kind`` (the --help epilog lists them).
INFO_JSON_KEYS = {
    "embeddings": "path, current (false: its recording changed since: exit 3), n_windows, "
    "embedding_shape (per window), bad_windows, flagged_windows (over flat or clipped "
    "channels; null: not recorded), onsets_s [first, last], sfreq, sfreq_in, "
    "window_seconds, channels (vocabulary names), input_channels (file labels), "
    "checkpoint, encoder_fingerprint (its weights_sha256: the encoder weights' identity; "
    "null: not recorded), warnings, source_check, metadata (all of it)",
    "dataset": "path, parts (true: a folder of embed-dataset --part run folders), current (false: files "
    "failed or changed, shards cut: exit 3), complete (false: files pending, shards "
    "or parts missing, exit 3), missing_parts (the K of embed-dataset --part K/N with no run folder "
    "here), readable (--verify only, else null), flagged_windows (over flat or clipped "
    "channels, all runs; null: not recorded), runs (per run folder: path, flagged_windows, "
    "manifest, progress {totals, shards_present, shards_planned, running, unfinished, "
    "killed, stopped}); state where only a run's lock is there (starting, or stopped before "
    "writing anything)",
    "checkpoint": "path, format, sha256, encoder_fingerprint (of the encoder weights, as "
    "outputs record it: checkpoint.weights_sha256; null: no model can be built of it), "
    "config, n_parameters, n_encoder_parameters, "
    "stored_dtype, chan_proj, n_outputs, n_times, input_channels, metadata",
    "probe": "path, probe (its probe.json)",
    "predictions": "path, table_path (null: gone), current (false: STALE, exit 3), record "
    "(format, provenance, table)",
    "evaluation": "path, evaluation (the JSON of probe evaluate --json)",
}


def info_json_epilog() -> str:
    """The part of ``eegpt info --help`` that lists the keys of ``--json``'s object."""
    import textwrap

    lines = [
        "--json: one JSON object on stdout (one line; NaN as null, dates in ISO 8601), with",
        "  kind (embeddings, dataset, checkpoint, probe, predictions, evaluation) and per kind:",
    ]
    for kind, keys in INFO_JSON_KEYS.items():
        lines += textwrap.wrap(
            f"{kind}: {keys}", width=90, initial_indent="  ", subsequent_indent="      "
        )
    lines.append("  exit status as without --json; errors as text on stderr (exit 1), no JSON")
    return "\n".join(lines)


def _raise_as_text(args: argparse.Namespace) -> None:
    """Raise the error the text form of ``eegpt info`` gives for a path it does not describe
    (called for those only: nothing printed on stdout, which --json keeps for JSON)."""
    cmd_info(argparse.Namespace(**{**vars(args), "json": False}))
    raise RuntimeError(f"eegpt info described {args.weights} where --json expected an error")


def _dataset_record(folder: Path, verify: bool) -> tuple[dict[str, Any], int]:
    """``eegpt info --json`` of an embed-dataset output folder or a folder of them (``--part``
    runs), and its exit status (3 as the text form's: failed or changed files, damaged or
    missing shards, an unfinished run)."""
    from eegpt.dataset_folders import expand_run_folders, run_folders
    from eegpt.dataset_report import (
        completion_report,
        missing_part_numbers,
        output_report,
        parts_report,
    )

    runs = run_folders(folder)
    _, current = parts_report(folder) if runs else output_report(folder)
    _, complete = completion_report(folder, verify=verify)
    missing = missing_part_numbers(folder) if runs else []
    complete = complete and not missing  # completion_report leaves them to parts_report
    readable = None
    if verify:
        from eegpt.shard_checks import verify_report

        readable = verify_report(folder)[1]
    record = {
        "kind": "dataset",
        "path": folder,
        "parts": bool(runs),
        "current": current,
        "complete": complete,
        "missing_parts": missing,
        "readable": readable,
        "runs": [_run_folder_record(run) for run in expand_run_folders(folder)],
    }
    counts = [run.get("flagged_windows") for run in record["runs"]]  # type: ignore[attr-defined]
    known = [c for c in counts if c is not None]
    record["flagged_windows"] = sum(known) if known else None
    good = current and complete and readable is not False
    return record, 0 if good else EXIT_SOME_FAILED


def _holds(folder: Path, name: str) -> bool:
    """Whether ``folder`` holds the file ``name`` (``probe.json``: a probe folder;
    ``_manifest.json``: a run folder): a file, or a symbolic link to nothing (a DataLad or
    git-annex file not fetched), which the folder's reader names."""
    path = folder / name
    return path.is_file() or path.is_symlink()


def _run_folder_record(run: Path) -> dict[str, Any]:
    """One embed-dataset run folder of ``eegpt info --json``: its manifest, and how far it got
    (:func:`eegpt.dataset_report._progress`: the totals counted from the shards where the
    manifest's reports are behind them)."""

    from eegpt.dataset_folders import RUN_MANIFEST, read_run_manifest
    from eegpt.dataset_report import _progress, flagged_count

    try:
        manifest = read_run_manifest(run)
    except (OSError, ValueError) as err:
        return {"path": run, "error": f"unreadable {RUN_MANIFEST}: {err}"}
    progress = _progress(run, manifest)
    return {
        "path": run,
        "flagged_windows": flagged_count(run),
        "manifest": manifest,
        "progress": {
            "totals": progress.totals,
            "shards_present": progress.present,
            "shards_planned": manifest.get("n_shards"),
            "running": progress.running,
            "unfinished": progress.unfinished,
            "killed": progress.killed,
            "stopped": progress.stopped,
        },
    }


def _lock_only_record(folder: Path) -> tuple[dict[str, Any], int]:
    """``eegpt info --json`` of a folder holding only an embed-dataset run's lock (and its
    temporary files): a run starting (0) or one stopped before writing anything (3); the text
    form's error for any other folder."""
    from eegpt.dataset_lock import LOCK, FolderLock, is_run_temporary

    names = [p.name for p in folder.iterdir()]
    if not (LOCK in names and all(is_run_temporary(n) for n in names if n != LOCK)):
        _raise_as_text(argparse.Namespace(weights=str(folder), verify=False))
    starting = FolderLock.held(folder)
    record = {
        "kind": "dataset",
        "path": folder,
        "parts": False,
        "current": True,
        "complete": False,
        "missing_parts": [],
        "readable": None,
        "state": "starting" if starting else "stopped before writing anything",
        "runs": [],
    }
    return record, 0 if starting else EXIT_SOME_FAILED


def _embeddings_record(path: Path) -> dict[str, Any]:
    """``eegpt info --json`` of an embeddings file (.npz/.parquet): its stored metadata whole,
    and beside it what the text shows of it (windows, shape, rates, channels, checkpoint,
    warnings, whether its recording changed since it was embedded), read without its
    embeddings."""
    from eegpt.dataset_stamps import output_source_check
    from eegpt.embeddings_loading import _load_outline

    emb = _load_outline(path)
    meta = emb.metadata
    pre = meta.get("preprocessing") or {}
    channels = meta.get("channels") or {}
    check = output_source_check(meta)
    return {
        "kind": "embeddings",
        "path": path,
        "current": not (check and check.changed),
        "n_windows": len(emb),
        "embedding_shape": list(emb.data.shape[1:]),
        # Embeddings.bad imports MNE: for windows under annotations only
        "bad_windows": int(emb.bad.sum()) if any(emb.annotations) else 0,
        "flagged_windows": _flagged_count(meta, len(emb)),
        "onsets_s": [emb.onsets[0], emb.onsets[-1]] if len(emb) else [],
        "sfreq": pre.get("sfreq"),
        "sfreq_in": meta.get("sfreq_in"),
        "window_seconds": pre.get("window_seconds"),
        "channels": channels.get("names") or [],
        "input_channels": channels.get("input_names") or channels.get("names") or [],
        "checkpoint": meta.get("checkpoint") or {},
        # the encoder weights' identity (None where not recorded), as a checkpoint's record has it
        "encoder_fingerprint": (meta.get("checkpoint") or {}).get("weights_sha256"),
        "warnings": meta.get("warnings") or [],
        "source_check": check,
        "metadata": meta,
    }


def _flagged_count(meta: Mapping[str, Any], n: int) -> int | None:
    """How many of the ``n`` windows of an embeddings file's metadata ``meta`` are over a flat
    or clipped stretch (:attr:`eegpt.Embeddings.flagged`); None where the flags were not
    recorded (unknown: a file written before, epochs, the checks off)."""
    from eegpt._window_flags import flagged_mask, recorded_flags

    flags = recorded_flags(meta, n)
    return None if flags is None else int(flagged_mask(flags, n).sum())


def _checkpoint_record(checkpoint: Any) -> dict[str, Any]:
    """``eegpt info --json`` of a checkpoint (:class:`eegpt.checkpoints.Checkpoint`): what
    :func:`eegpt.checkpoints.describe` says of it, as data."""
    from eegpt.checkpoint_report import checkpoint_fingerprint
    from eegpt.errors import CheckpointError

    c = checkpoint
    encoder = sum(v.numel() for k, v in c.state_dict.items() if k.startswith("target_encoder."))
    try:
        fingerprint: str | None = checkpoint_fingerprint(c)
    except (CheckpointError, ValueError):  # no model can be built of it: none
        fingerprint = None
    return {
        "kind": "checkpoint",
        "path": c.path,
        "format": c.format,
        "sha256": c.sha256,
        "encoder_fingerprint": fingerprint,
        "config": c.config,
        "n_parameters": c.n_parameters,
        "n_encoder_parameters": encoder,
        "stored_dtype": c.metadata.get("stored_dtype"),
        "chan_proj": c.chan_proj,
        "n_outputs": c.n_outputs,
        "n_times": c.n_times,
        "input_channels": c.input_ch_names,
        "metadata": c.metadata,
    }
