"""An output folder prepared for a corpus run, and the checks that a resume continues the same run.

:func:`prepare_output` refuses a folder that holds other files, or an earlier run of other
settings (naming the option that differs: :func:`_with_option`), inputs or per-file settings;
:func:`done_shards_of` tells the shards finished already, and :func:`finished_already` a run with
nothing left to do. A run from an older row layout resumes in its own (:func:`keep_old_layout`),
and a ``part`` run's folder is checked against its sibling parts' listing
(:func:`check_sibling_parts`) and settings (:func:`check_sibling_settings`).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from eegpt._filenames import command_word
from eegpt._logging import count as _count
from eegpt._logging import few
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.api import CHANGES_DATE
from eegpt.bids import filter_options, same_filters
from eegpt.dataset_files import described_error
from eegpt.dataset_folders import (
    CORPUS_LISTING,
    ERRORS_REPORT,
    FILES_REPORT,
    KEPT_WINDOWS,
    MANIFEST,
    PARTIAL,
    SHARD,
    SHORT_REPORT,
    TOO_SHORT,
    changed_rows,
    kept_windows_name,
    read_run_manifest,
    shard_files,
)
from eegpt.dataset_inputs import (
    BIDS_SOURCE,
    DatasetInputs,
    InputFile,
    _dataset_of_folder,
    corpus_of,
)
from eegpt.dataset_lock import LOCK, is_run_temporary
from eegpt.dataset_parts import LIST_INPUTS, listed_ids, listed_paths
from eegpt.dataset_runs import corpus_identity, current_versions, manifest_head, run_versions
from eegpt.dataset_stamps import source_stamp
from eegpt.preprocessing_spec import RESAMPLE_REVISION, RESAMPLER_CHANGE, on_a_sample
from eegpt.run_specs import settings_apart, spec_differences
from eegpt.shard_checks import read_shard_status
from eegpt.shard_writer import LAYOUT


def keep_old_layout(output_dir: Path, spec: dict[str, Any]) -> None:
    """Resume a run from an older row layout in its own layout: before the
    ``annotations``/``bad``/``event`` columns (layout 1, no ``layout`` key), before
    ``epochs_metadata`` (2), before ``padded`` (3), before ``clock_s``/``clock_time`` (4) or
    before ``flat_channels``/``clipped_channels``/``flagged`` (5).
    Its finished shards lack those columns,
    and all shards of a run share one schema. A part run from before ``corpus_sha256`` or
    ``corpus`` resumes without them, and one with ``corpus`` keeps the one it recorded (the
    same corpus spelt otherwise, or moved: its listing's fingerprints tell a changed one). A
    run that recorded its BIDS filters as given (before they were recorded canonical) keeps
    them where they select the same."""
    manifest = output_dir / MANIFEST
    if manifest.exists():
        with contextlib.suppress(ValueError, OSError, TypeError):
            old = read_run_manifest(output_dir).get("spec", {})
            before = old.get("inputs") or {}
            filters = spec["inputs"].get("bids_filters")
            if filters and before.get("bids_filters") not in (None, filters):
                if same_filters(before["bids_filters"], filters):  # recorded before canonical
                    spec["inputs"] = {**spec["inputs"], "bids_filters": before["bids_filters"]}
            if before.get("part") and spec["inputs"].get("part"):  # (a new dict: not shared)
                gone = {"corpus_sha256", "corpus"} - set(before)
                kept = {k: v for k, v in spec["inputs"].items() if k not in gone}
                spec["inputs"] = {
                    **kept,
                    **({"corpus": before["corpus"]} if "corpus" in before else {}),
                }
            if old and "resample_revision" not in old:  # (checked by _older_resampler_note)
                spec.pop("resample_revision", None)
            if old and "layout" not in old:
                spec.pop("layout", None)
            elif old and int(old["layout"]) < LAYOUT:
                spec["layout"] = int(old["layout"])


def is_ours(name: str) -> bool:
    """Whether a file ``name`` in an output folder is one a dataset run writes (shards, partial
    shards, manifest, reports, listing, lock, run temporaries)."""
    return bool(
        SHARD.match(name)
        or PARTIAL.match(name)
        or KEPT_WINDOWS.match(name)
        or name in (MANIFEST, FILES_REPORT, ERRORS_REPORT, SHORT_REPORT, CORPUS_LISTING, LOCK)
        or is_run_temporary(name)
    )


def prepare_output(
    output_dir: Path,
    spec: Mapping[str, Any],
    *,
    overwrite: bool,
    verbose: Any,
    ids: Sequence[str] = (),
    corpus_ids: Sequence[str] = (),
    read_only: bool = False,
    files: Sequence[InputFile] = (),
    metadata: Any = None,
    source: str = "",
) -> None:
    """Check that the folder is new, resumable with ``spec``, or to be overwritten. ``files``:
    this run's input files, whose per-file settings a refusal compares with the shards';
    ``metadata``: their metadata columns (a pyarrow table, one row per file, or None), which
    a refusal compares with the shards' rows; ``source``: what was given (a BIDS folder's
    ends in ``" (BIDS)"``), for its advice. ``ids``:
    the recording ids of this run's files; ``corpus_ids``: of the whole corpus a ``--part``
    run is split from; ``read_only``: a finished run in a folder that cannot be written, only
    read (a killed run's temporary files are left where they are)."""
    # hidden entries are the system's or an editor's (.DS_Store, .ipynb_checkpoints): left be
    foreign = sorted(
        p.name for p in output_dir.iterdir() if not (is_ours(p.name) or p.name.startswith("."))
    )
    if foreign:
        raise FileExistsError(
            f"{output_dir} holds files that embed_dataset did not write ({foreign[:5]}); move "
            "them out, or choose a new or empty output folder"
        )
    manifest = output_dir / MANIFEST
    shards = shard_files(output_dir)
    if overwrite:  # the manifest last: a kill meanwhile still leaves a resumable folder
        for p in sorted(output_dir.iterdir(), key=lambda p: p.name == MANIFEST):
            if p.name != LOCK and is_ours(p.name):
                p.unlink()
        return
    for p in [] if read_only else output_dir.iterdir():  # temporary files of a killed run
        if p.name.startswith(".") and p.name.endswith(".tmp"):
            p.unlink()
    # a manifest that is a symbolic link to nothing (DataLad, git-annex not fetched) is the
    # run's all the same: read_run_manifest names the link, rather than a fresh run replacing it
    if manifest.exists() or manifest.is_symlink():
        old = read_run_manifest(output_dir)
        if old.get("anonymized"):  # eegpt anonymize's copy: its paths name no file
            raise ValueError(
                f"{output_dir} is an anonymized copy (eegpt anonymize), whose paths lead to no "
                "file: it cannot be resumed or added to. Embed into a new folder (and anonymize "
                "that), or give overwrite=True (--overwrite) to replace the copy"
            )
        diffs = spec_differences(old.get("spec", {}), spec)
        finished = len(shards) >= int(old.get("n_shards") or 1 << 62)  # every shard there
        # a finished run gets no row more (a rerun finds nothing left to embed): nothing mixed
        resampler = "" if finished else _older_resampler_note(output_dir, old.get("spec", {}))
        if resampler and not diffs:
            raise ValueError(
                f"{output_dir} cannot be resumed by this eegpt.{resampler} Pass overwrite=True "
                "(--overwrite) to start over, or choose a new output folder."
            )
        if diffs:
            hint = ""
            before = old.get("spec", {}).get("inputs") or {}
            was, now = before.get("part"), (spec.get("inputs") or {}).get("part")
            if was and was != now:
                hint = (
                    f" This folder holds part {was[0]}/{was[1]} of its corpus: resume it with "
                    f"the same input and --part {was[0]}/{was[1]} (part={tuple(was)}); another "
                    "split goes into other folders."
                )
            elif now and not was:
                hint = (
                    " This folder holds a run without --part (of the whole input): resume it "
                    "without --part; the parts of a split go into folders of their own "
                    "(-o OUT/part-K)."
                )
            elif was and any(d.startswith("inputs.") for d in diffs):
                hint = _part_listing_changed(output_dir, before, corpus_ids)
            elif source.endswith(BIDS_SOURCE) and (
                moved := _bids_input_changed(output_dir, old, spec, source, ids)
            ):  # another folder of the dataset, or other --subject ... filters
                hint = moved
            elif any(d.startswith("inputs.") for d in diffs):
                sfreq = float((spec.get("preprocessing") or {}).get("sfreq", 256.0))
                settings = _per_file_changes(output_dir, files, sfreq)
                then = (old.get("spec", {}).get("inputs") or {}).get("metadata_columns") or []
                changes, added_or_gone = _input_changes(output_dir, ids)
                columns = _metadata_changes(output_dir, then, files, metadata, sfreq)
                hint = (
                    f"{changes}{columns}{settings} The list of input files (or "
                    "their ids or metadata) changed. "
                    + (
                        ""
                        if (columns or changes) and not added_or_gone  # nothing to add
                        else _bids_add_advice(
                            source,
                            output_dir,
                            ids,
                            (spec.get("inputs") or {}).get("bids_filters") or {},
                        )
                        if source.endswith(BIDS_SOURCE)
                        else "To add new files, embed them into a new output folder "
                        "from a manifest of just them: a .csv with a 'path' column and a "
                        "'recording_id' column naming each as this run would (its path "
                        "relative to the input folder, e.g. site/sub-01.edf), so that ids "
                        "compare across the two; eegpt.read_embeddings([this folder, the new "
                        "one]) reads both. "
                    )
                    + (
                        _resume_bids_as_it_was(source, bool(changes), bool(columns))
                        if source.endswith(BIDS_SOURCE)
                        else _resume_as_it_was(output_dir, old.get("spec", {}))
                    )
                )
                was_source = old.get("source")  # the manifest's (absent in old runs)
                if (
                    source.endswith(BIDS_SOURCE)
                    and isinstance(was_source, str)
                    and not was_source.endswith(BIDS_SOURCE)
                ):
                    hint = _folder_now_read_as_bids(source, was_source)
            elif any(d.startswith("preprocessing.tail") for d in diffs) and _listed(
                output_dir / SHORT_REPORT
            ):  # the files it skipped as too short, with --tail pad?
                hint = (
                    f" To embed the files skipped here as shorter than one window, give "
                    f"{output_dir / SHORT_REPORT} as the input and a new output folder; "
                    + _read_with_this_run(output_dir, old.get("spec", {}), spec)
                )
            elif _listed(output_dir / ERRORS_REPORT):  # retrying its failures another way?
                hint = (
                    f" To embed the files that failed here with the new settings, give "
                    f"{output_dir / ERRORS_REPORT} as the input and a new output folder; "
                    + _read_with_this_run(output_dir, old.get("spec", {}), spec)
                )
            if "preprocessing.average_reference (False -> True)" in diffs:  # first: the cause
                hint = (
                    " This run was made without average referencing, which is now the default "
                    "(as in EEGPT's pretraining); to resume it as it was, pass "
                    "average_reference=False (--no-average-reference)." + hint
                )
            if any(d.startswith("checkpoint.sha256 ('state_dict:") for d in diffs):
                hint = (
                    " This run was made by an eegpt before 2026-12-07, which named a model not "
                    "loaded from a weights file by a hash of all its weights (a probe head or "
                    "channel projection too, which embeddings never use); it resumes by that "
                    "hash, so give the model as it was then, or start again (this eegpt names "
                    "such a model by its encoder's weights alone)." + hint
                )
            hint = resampler + hint  # the resampler first: no option resumes it as it was
            # fingerprints of the inputs (raw SHA-256 pairs) last, or left out where the hint
            # says in words what changed
            hashes = [d for d in diffs if d.startswith("inputs.") and "sha256" in d]
            shown = [d for d in diffs if d not in hashes] + ([] if hint else hashes)
            listed = "; ".join(_with_option(d) for d in shown[:6])
            raise ValueError(
                f"{output_dir} was made with other settings, so it cannot be resumed"
                + (f": {listed}." if listed else ".")
                + f"{hint} Pass overwrite=True (--overwrite) to start over, or choose a new "
                "output folder."
            )
        _log(f"resuming {output_dir}: {len(shards)} shard(s) already done", verbose)
    elif shards:
        raise FileExistsError(
            f"{output_dir} holds shard files but no {MANIFEST}; pass overwrite=True "
            "(--overwrite) to start over, or choose a new output folder"
        )


def resume_text(
    output_dir: Path,
    n_files: int,
    done: Mapping[int, Sequence[Mapping[str, Any]]],
    kept: Mapping[int, Any],
    partial: Mapping[int, Any],
    todo: Sequence[InputFile],
) -> str:
    """What a run that resumes ``output_dir`` takes from the runs before it, said as it
    starts: the recordings of its ``done`` shards (statuses by shard) and those ``kept`` of
    shards written again (by index), of ``n_files``, those of them (``partial``) a stopped
    run finished in a shard it left part-way apart; the recordings of ``todo`` whose windows
    embedded so far a run stopped inside them kept (:data:`KEPT_WINDOWS`; taken where made
    with the same settings); and how many recordings are left to embed. "" for a run that
    takes nothing (a first run), or has nothing left to embed."""
    # the folder listed once (not a look per file: a first run of 10^5 files on a network
    # disk), each file's name hashed only where some are kept
    try:
        names = {
            p.name
            for p in output_dir.iterdir()
            if KEPT_WINDOWS.match(p.name) and p.name.endswith(".json")
        }
    except OSError:
        names = set()
    windows = [
        f
        for f in (todo if names else ())
        if f".{kept_windows_name(f.recording_id)}.eegpt-partial.json" in names
    ]
    if not todo or not (done or kept or windows):
        return ""
    n_done = sum(len(statuses) for statuses in done.values()) + len(set(kept) - set(partial))
    parts = [f"{n_done} of {_count(n_files, 'recording')} already done"]
    if partial:
        parts.append(
            f"{len(partial)} more finished by the stopped run in a shard it left part-way, kept"
        )
    if windows:
        parts.append(
            f"the windows embedded before the stop of {_count(len(windows), 'recording')} read "
            f"in parts ({few([f.recording_id for f in windows], 2)}) kept, to go on from"
        )
    return f"resuming {output_dir}: {'; '.join(parts)}; {len(todo)} to embed"


#: How many recordings' headers a resume of a run that recorded no sampling rates (layout 3
#: and before) reads at most to find one that was resampled (:func:`_resampled_files`).
_RATE_READS = 20


def _older_resampler_note(output_dir: Path, old: Mapping[str, Any]) -> str:
    """Why the run in ``output_dir`` (its settings ``old``) cannot be resumed by this eegpt's
    polyphase resampler, or "": a run of another :data:`RESAMPLE_REVISION`, or of none
    recorded and written before 2026-12-04 (layout 3 or before: runs of layout 4 on used
    this resampler), whose recordings were resampled (:func:`_resampled_files`). Its rows
    and those this eegpt adds would differ by the resampler alone (:data:`RESAMPLER_CHANGE`),
    read together without a word; recordings at the model's rate are not resampled."""
    pre = old.get("preprocessing") or {}
    if pre.get("resample", "polyphase") != "polyphase":
        return ""
    revision = old.get("resample_revision")
    if revision == RESAMPLE_REVISION or (revision is None and int(old.get("layout") or 1) >= 4):
        return ""
    resampled = _resampled_files(output_dir, float(pre.get("sfreq", 256.0)))
    if not resampled:
        return ""
    made = (
        f"resampler revision {revision}, not this eegpt's {RESAMPLE_REVISION}"
        if revision is not None
        else "an eegpt that recorded no resampler revision (before 2026-12-04)"
    )
    return (
        f" Its recordings were resampled to {pre.get('sfreq', 256.0):g} Hz ({few(resampled, 3)}) "
        f"by {made}; {RESAMPLER_CHANGE}. The rows this eegpt would add would not match the "
        "rows there, and nothing in the run would tell them apart: start the run again so "
        "that every recording is resampled alike."
    )


def _resampled_files(output_dir: Path, sfreq: float) -> list[str]:
    """The recordings embedded in ``output_dir`` (``"id (250 Hz)"``) whose rate is not
    ``sfreq``: from their file statuses' ``sfreq_in``, or, in runs that recorded none (layout 3
    and before), their headers, read for at most :data:`_RATE_READS` of them spread over the
    run (a corpus of one rate is found resampled by the first)."""
    files = [
        f
        for shard in shard_files(output_dir)
        for f in read_shard_status(shard)[1].get("files", [])
        if f.get("status") == "ok"
    ]
    if not any("sfreq_in" in f for f in files):
        files = files[:: max(1, -(-len(files) // _RATE_READS))]
    found = []
    for f in files:
        rate = f["sfreq_in"] if "sfreq_in" in f else _header_rate(f.get("path"))
        if rate is not None and float(rate) != sfreq:
            found.append(f"{f.get('recording_id')} ({float(rate):g} Hz)")
    return found


def _header_rate(path: Any) -> float | None:
    """The sampling rate (Hz) a recording's header gives, None where it cannot be read."""
    from eegpt.recording_files import read_recording

    try:
        with warnings.catch_warnings():  # its header's oddities were said when it was embedded
            warnings.simplefilter("ignore")
            return float(read_recording(str(path), preload=False, verbose="error").info["sfreq"])
    except Exception:  # noqa: BLE001 - gone or unreadable: its rate is not known
        return None


# what sets each part of a run's settings, for the refusal of a resume with other ones
_OPTION_OF_SETTING = {
    "preprocessing.scale": "--rescale (the scale is 1000 x the rescale factor)",
    "preprocessing.window_seconds": "--window",
    "preprocessing.crop_tmin": "--crop",
    "preprocessing.overlap": "--overlap",
    "preprocessing.detrend": "--detrend",
    "preprocessing.resample": "--resample",
    "preprocessing.average_reference": "--average-reference / --no-average-reference",
    "preprocessing.tail": "--tail",
    "preprocessing.start_seconds": "--start",
    "channels.rename": "--rename / --drop",
    "channels.keep": "--keep-channels",
    "channels.on_unknown": "--strict-channels",
    "channels.picks": "--picks",
    "checkpoint.sha256": "--weights",
    "precision": "--precision",
    "stream_precision": "--stream-precision",
    "pool": "--pool",
    "shard_size": "--shard-size",
    "reject_by_annotation": "--reject-by-annotation",
    "marker_spans": "--marker-spans",
    "events_from_stim": "--events-from-stim, --stim-mask, --event-names",
}


def _with_option(difference: str) -> str:
    """A setting that differs, with the command-line option that sets it."""
    name = difference.split(" (")[0]
    option = next((o for key, o in _OPTION_OF_SETTING.items() if name.startswith(key)), None)
    if name.startswith("channels.rename.") and difference.endswith("-> None)"):
        label = name.removeprefix("channels.rename.")  # a rename to None drops the channel
        difference = f"{difference[:-1]}: {label} dropped now)"
    return f"{difference} [{option}]" if option else difference


def _resume_as_it_was(output_dir: Path, spec: Mapping[str, Any]) -> str:
    """How to finish a run (not a ``--part`` one: :func:`_part_listing_changed`) whose input
    list has changed since: its files report lists its files and ids, enough as the input
    where its manifest gave no more columns."""
    if (spec.get("inputs") or {}).get("metadata_columns"):
        return "To resume this run as it was, give its original manifest again."
    return (
        f"To resume this run as it was, give {output_dir / FILES_REPORT} as the input (its "
        "list of files and ids)."
    )


def _folder_now_read_as_bids(source: str, was_source: str) -> str:
    """Why a run over a folder inside a BIDS dataset (``ds/sub-01``), made by an eegpt that
    listed it as a plain folder (``was_source``: no `` (BIDS)``), is refused now that the
    folder is read as that part of the dataset (``source``), and how to resume it: its ids
    were relative to the folder, with no BIDS columns."""
    folder = source.removesuffix(BIDS_SOURCE)
    return (
        f" This run was made by an earlier eegpt, which listed {was_source} as a "
        f"plain folder (ids relative to it, no BIDS columns); {folder} is now read as part "
        f"of the BIDS dataset it lies in, so its recording ids start at the dataset's folder "
        "(sub-01/ses-1/eeg/...) and carry the entity and participants.tsv columns. To resume "
        "this run as it was, give --pattern '**/*_eeg.*' (pattern='**/*_eeg.*'), which lists "
        "the folder's files as before (to embed it as part of the dataset, start over as "
        "below)."
    )


def _bids_add_advice(
    source: str,
    output_dir: Path,
    ids: Sequence[str],
    filters: Mapping[str, Any] | None = None,
) -> str:
    """How to embed the recordings a BIDS run (``source``) now finds that its folder
    ``output_dir`` lacks (``ids``: this run's recording ids, paths in the dataset): into a
    new folder from the dataset with its selection options (``--subject 04 --session 03``),
    which keep the entity and participant columns (a manifest of them would not), where
    some of those options select just them; else the options named. The run's own BIDS
    ``filters`` (``spec.inputs.bids_filters``: ``{"task": ["rest"]}``) come with every
    command (``--task rest --subject 04``), since ``ids`` are those it selects (without them
    ``--subject 04`` would embed sub-04's other tasks too). "" where the run finds no
    recording the folder lacks (some are gone)."""
    import pandas as pd

    from eegpt.bids import _KEYS, BIDS_FILTERS

    try:
        before = set(pd.read_csv(output_dir / FILES_REPORT, dtype=str)["recording_id"])
    except (OSError, ValueError, KeyError):
        before = set()
    folder = _shown_folder(source.removesuffix(BIDS_SOURCE))

    def entities(rid: str) -> dict[str, str]:
        pairs = (p.split("-", 1) for p in Path(rid).name.split("_") if "-" in p)
        by_key = {key: value for key, value in pairs}
        return {n: by_key[_KEYS[n]] for n in BIDS_FILTERS if _KEYS[n] in by_key}

    run_filters = dict(filters or {})  # within them: the advice's own values select fewer
    added = [i for i in ids if i not in before]
    if before and not added:  # recordings gone (an edited .bidsignore): nothing to add
        return ""
    choices = [(n,) for n in BIDS_FILTERS] + [("subject", "session"), tuple(BIDS_FILTERS)]

    def selecting(targets: Sequence[str], choices: Sequence[tuple[str, ...]] = choices) -> str:
        """The first of ``choices`` (entities to select by) whose options select just
        ``targets`` of ``ids``, as options (``--subject 04 --session 03``); "" for none."""
        for names in choices:
            wanted = {n: {entities(i).get(n) for i in targets} for n in names}
            if any(None in v for v in wanted.values()):
                continue
            chosen = [i for i in ids if all(entities(i).get(n) in wanted[n] for n in names)]
            if set(chosen) == set(targets):
                return filter_options({**run_filters, **{n: sorted(v) for n, v in wanted.items()}})
        return ""

    commands = []
    options = selecting(added) if added else ""
    if options:
        commands = [f"eegpt embed-dataset {folder} -o NEW/ {options}"]
    elif added:  # one folder for each subject's new recordings (a few subjects)
        by_subject: dict[str | None, list[str]] = {}
        for i in added:
            by_subject.setdefault(entities(i).get("subject"), []).append(i)
        own = [("subject",), ("subject", "session"), tuple(BIDS_FILTERS)]  # each its subject
        each = [selecting(group, own) for group in by_subject.values()]
        if len(each) <= 3 and all(each):
            commands = [
                f"eegpt embed-dataset {folder} -o NEW-{k}/ {o}" for k, o in enumerate(each, 1)
            ]
    shown = (
        "; ".join(commands)
        if commands
        else f"eegpt embed-dataset {folder} -o NEW/ "
        + (f"{filter_options(run_filters)} " if run_filters else "")
        + "--subject LABEL --session LABEL (options that select just the new ones)"
    )
    folders = "the new one" if len(commands) < 2 else "the new ones"
    return (
        "To add the new recordings, embed them from the dataset into a new output folder "
        f"with its selection options (--subject, --session, --task, --acquisition, --run), "
        f"which keep every column (the entities and participant columns): {shown}; "
        f"eegpt.read_embeddings([this folder, {folders}]) reads them together (a manifest "
        "of them would give rows without subject, session ... columns). "
    )


def _resume_bids_as_it_was(source: str, ids_changed: bool, metadata_changed: bool) -> str:
    """How to finish a run of a BIDS folder (``source``, the same folder and filters as the
    run's) whose recordings (``ids_changed``: files added or removed, or an edited
    ``.bidsignore``, named where the dataset has one) or ``participants.tsv`` columns
    (``metadata_changed``) have changed since: it has no manifest to give again."""
    folder = source.removesuffix(BIDS_SOURCE)
    given = Path(folder)  # the dataset, or a folder of one (ds/sub-01: ds)
    root = given if (given / "dataset_description.json").is_file() else _dataset_of_folder(given)
    ignore = root is not None and (root / ".bidsignore").is_file()
    recordings = "its list of recordings (files added or removed" + (
        f", or {root / '.bidsignore'} edited)" if ignore and root is not None else ")"
    )
    participants = Path(folder if root is None else root) / "participants.tsv"
    what = [
        *([recordings] if ids_changed or not metadata_changed else []),
        *([f"{participants}"] if metadata_changed else []),
    ]
    whose = (
        ", whose participants.tsv gives the rows' participant columns" if metadata_changed else ""
    )
    return (
        f"This run's input is the BIDS dataset {folder}{whose}: to resume this run as it "
        f"was, put {' and '.join(what)} back as it was (to embed the dataset as it is now, "
        "start over as below)."
    )


def _shown_folder(folder: str) -> str:
    """A recorded (absolute) folder as a command line gives it: relative to the current folder
    where it lies inside it, one shell word (:func:`~eegpt._filenames.command_word`:
    ``'my data'``)."""
    with contextlib.suppress(ValueError):
        relative = os.path.relpath(folder)
        if not relative.startswith(".."):
            return command_word(relative)
    return command_word(folder)


def _bids_input_changed(
    output_dir: Path,
    old: Mapping[str, Any],
    spec: Mapping[str, Any],
    source: str,
    ids: Sequence[str],
) -> str:
    """Why a BIDS run cannot be resumed where this run's input (``source``: another folder of
    the dataset, ``ds`` for ``ds/sub-01``) or its BIDS filters (``--subject ...``) are not
    those the folder's run recorded (its manifest ``old``: ``source``, ``spec.inputs.
    bids_filters``): what to give again to resume, and how to embed the rest beside it; ""
    where they are the same (or not recorded: files added or removed then)."""
    was_source = old.get("source")
    if not isinstance(was_source, str) or not corpus_of(was_source)[0].endswith(BIDS_SOURCE):
        return ""
    was_folder = corpus_of(was_source)[0].removesuffix(BIDS_SOURCE)
    now_folder = corpus_of(source)[0].removesuffix(BIDS_SOURCE)
    was_filters = (old.get("spec", {}).get("inputs") or {}).get("bids_filters") or {}
    now_filters = (spec.get("inputs") or {}).get("bids_filters") or {}

    same_folder = os.path.normpath(was_folder) == os.path.normpath(now_folder)
    if same_folder and same_filters(was_filters, now_filters):
        return ""  # the same selection (recorded canonical or not: run 01 is run 1)
    was_options = filter_options(was_filters)
    given = source.removesuffix(BIDS_SOURCE)
    then = f"{_shown_folder(was_folder)}" + (f" with {was_options}" if was_options else "")
    if same_folder:
        now = f"gives {filter_options(now_filters) or 'no BIDS filters'}"
        redo = f"give {was_options} again" if was_options else "give it without BIDS filters"
    else:
        now = f"reads {given}" + (f" with {filter_options(now_filters)}" if now_filters else "")
        redo = f"give {then} again"
    rest = ""
    try:
        import pandas as pd

        before = pd.read_csv(output_dir / FILES_REPORT, dtype=str)["recording_id"].tolist()
    except (OSError, ValueError, KeyError, ImportError):
        before = []
    known = set(before)
    added = [i for i in ids if i not in known]
    if before and added:
        subjects = {m.group(1) for i in before if (m := _SUBJECT.search(i))}
        more = sorted({m.group(1) for i in added if (m := _SUBJECT.search(i))})
        others = {k: v for k, v in now_filters.items() if k != "subject"}
        if more and not subjects & set(more) and all(_SUBJECT.search(i) for i in added):
            options = " ".join(
                filter(None, [filter_options(others), f"--subject {','.join(more)}"])
            )
            rest = (
                f" (to add the rest: eegpt embed-dataset {command_word(given)} {options} -o NEW "
                "and read both "
                f"with eegpt.read_embeddings([{str(output_dir)!r}, 'NEW']))"
            )
        else:
            rest = (
                f" (to add the {_count(len(added), 'recording')} this run lists that it does "
                "not: embed them into a new output folder, with BIDS filters that select just "
                "them, and read both with eegpt.read_embeddings)"
            )
    return (
        f" This folder was embedded from {then}; this run {now}: {redo} to "
        f"resume it, or use a new output folder{rest}."
    )


#: A BIDS subject label in a recording id (``sub-01/ses-1/eeg/sub-01_...``).
_SUBJECT = re.compile(r"(?:^|/)sub-([^/_]+)")


def _metadata_changes(
    output_dir: Path,
    then: Sequence[str],
    files: Sequence[InputFile],
    metadata: Any,
    sfreq: float,
) -> str:
    """`` The metadata columns changed: age added; 1 value of group changed (sub-02.edf:
    control -> patient).``: this run's metadata columns (``metadata``, a pyarrow table, a row
    per entry of ``files``) against those the folder's run recorded (``then``, its names) and
    the values its shards' rows hold, by recording id ("" where none differ or the shards
    cannot be read; recordings with no rows, failed ones, are not compared); a
    ``start_seconds`` compared where the windows start at ``sfreq``."""
    now = [] if metadata is None else list(metadata.column_names)
    said = [f"{few(added, 5)} added" for added in [[c for c in now if c not in then]] if added]
    said += [f"{few(gone, 5)} gone" for gone in [[c for c in then if c not in now]] if gone]
    common = [c for c in now if c in then]
    recorded = _recorded_metadata(output_dir, common) if common else {}
    rows = {f.recording_id: i for i, f in enumerate(files)}
    for column in common:
        values = metadata.column(column).to_pylist()
        changed = [
            f"{rid}: {_shown(was.get(column))} -> {_shown(values[rows[rid]])}"
            for rid, was in recorded.items()
            if rid in rows
            and _shown(_start_where_cut(column, was.get(column), sfreq))
            != _shown(_start_where_cut(column, values[rows[rid]], sfreq))
        ]
        if changed:
            said.append(
                f"{column} changed for {_count(len(changed), 'recording')} ({few(changed, 3)})"
            )
    return f" The metadata columns changed: {'; '.join(said)}." if said else ""


def _shown(value: Any) -> str:
    """A metadata value as text to compare and show (31.0 as 31; missing as n/a)."""
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _recorded_metadata(output_dir: Path, columns: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The values of ``columns`` in the first row of each recording in the folder's shards, by
    recording id (none from a shard that cannot be read, or lacks a column)."""
    import pyarrow.parquet as pq

    found: dict[str, dict[str, Any]] = {}
    for path in shard_files(output_dir):
        try:
            table = pq.read_table(path, columns=["recording_id", *columns])
        except Exception:  # noqa: BLE001 - an unreadable shard tells nothing here
            continue
        for row in table.to_pylist():
            found.setdefault(row["recording_id"], row)
    return found


def _part_listing_changed(
    output_dir: Path, before: Mapping[str, Any], corpus_ids: Sequence[str]
) -> str:
    """How to resume the ``--part`` run in ``output_dir`` (its spec's inputs ``before``) now
    that its corpus lists the recording ids ``corpus_ids``: what changed in the whole listing
    (a part's own files shift with any file added or removed), and the listing to give."""
    k, n = before["part"]
    listed = listed_ids(output_dir)
    changes = "" if listed is None else _id_changes(listed, corpus_ids)
    then = before.get("corpus_files")
    counts = f"{then} files then, {len(corpus_ids)} now" + (f": {changes}" if changes else "")
    listing = output_dir / CORPUS_LISTING
    if listed is not None and not before.get("metadata_columns"):
        resume = (
            "give it the listing it was split from: eegpt embed-dataset "
            f"{command_word(listing)} -o {command_word(output_dir)} --part {k}/{n} (with the "
            "run's other settings)"
        )
    else:
        resume = f"give it the corpus as it was when split (its manifest then) with --part {k}/{n}"
    return (
        f" The corpus changed since this part was split ({counts}). To resume this part, "
        f"{resume}; embed the files added since into a new output folder from a manifest of "
        "just them (a .csv with 'path' and 'recording_id' columns, the ids as this run gives "
        "them), and read both with eegpt.read_embeddings([...])."
    )


def warn_names_read_otherwise(output_dir: Path, statuses: Iterable[Mapping[str, Any]]) -> None:
    """Warn, once, when this run adds to a folder whose files (their shard ``statuses``)
    were embedded by an eegpt that read the events' names of their manifest's annotations
    table from another column than this one does
    (:func:`eegpt.annotations.names_read_otherwise`: each event called 'event', or a
    trial_type all n/a read before a filled column was): the corpus's rows would name the
    same events two ways."""
    from eegpt.annotation_files import names_read_otherwise, read_otherwise_text

    changed = []
    for status in statuses:
        read = names_read_otherwise(status)
        if read is not None:
            changed.append(f"{status.get('recording_id')} ({read_otherwise_text(*read)})")
    if changed:
        _warn(
            f"{output_dir} is resumed, but an earlier eegpt embedded "
            f"{_count(len(changed), 'file')} in it and read the events' names of their "
            "annotations_file table from another column than this one (earlier versions called "
            "every event 'event' where the table had no trial_type, description or value "
            f"column, or read a trial_type that is n/a in every row): {few(changed, 5)}. "
            "The windows' annotations of the files embedded from now on would name the same "
            "events otherwise: run it again with --overwrite (overwrite=True) or into a new "
            "folder"
        )


#: the per-file settings of a manifest that a shard's file records keep: column, record key
_PER_FILE_SETTINGS = (("start_seconds", "start_seconds"), ("annotations_file", "annotations_file"))


def _start_where_cut(column: str, value: Any, sfreq: float) -> Any:
    """A manifest cell of ``column`` as a resume compares it: a ``start_seconds`` where its
    windows start (at the nearest sample at ``sfreq``: 17.3 as 17.30078125 at 256 Hz, the
    same windows, as :meth:`~eegpt.dataset_inputs.DatasetInputs.fingerprint` takes it);
    another cell as it is."""
    if column == "start_seconds" and isinstance(value, (int, float)) and math.isfinite(value):
        return on_a_sample(float(value), sfreq)
    return value


def _per_file_changes(output_dir: Path, files: Sequence[InputFile], sfreq: float) -> str:
    """`` The manifest's start_seconds column changed for 1 file: a.edf (2 -> 3).``: the
    per-file settings (:data:`_PER_FILE_SETTINGS`) of ``files`` that differ from what the
    folder's shards recorded for the same recording ids ("" where none differ, or none can
    be read); a start compared where the windows start at ``sfreq`` (17.3 is 17.30078125
    at 256 Hz)."""
    recorded: dict[str, Mapping[str, Any]] = {}
    for path in sorted(output_dir.glob("shard-*.parquet")):
        try:
            _, status = read_shard_status(path)
        except Exception:  # noqa: BLE001 - an unreadable shard tells nothing here
            continue
        recorded.update({f["recording_id"]: f for f in status.get("files", [])})
    said = []
    for column, key in _PER_FILE_SETTINGS:
        changed = []
        for f in files:
            then = recorded.get(f.recording_id)
            now = f.start_seconds if key == "start_seconds" else f.annotations
            if then is not None and _start_where_cut(key, then.get(key), sfreq) != (
                _start_where_cut(key, now, sfreq)
            ):
                changed.append(f"{f.recording_id} ({then.get(key)} -> {now})")
        if changed:
            said.append(
                f"the manifest's {column} column changed for {_count(len(changed), 'file')}: "
                f"{few(changed, 5)}"
            )
    text = "; ".join(said)
    return f" {text[:1].upper()}{text[1:]}." if text else ""


def earlier_changed_marks(output_dir: Path) -> dict[str, str]:
    """The ``changed`` column of the folder's files report, by recording id (those marked
    only; none when there is no report or it cannot be read): what an earlier run found
    changed, which a resume must not forget (a ``contents`` mark that only
    ``--check-contents`` finds)."""
    return {row["recording_id"]: row["changed"] for row in changed_rows(output_dir)}


def _read_with_this_run(output_dir: Path, then: Mapping[str, Any], now: Mapping[str, Any]) -> str:
    """How the rows of a run of the settings ``now`` (a report of ``output_dir``'s run, of
    the settings ``then``, embedded again into a new folder) are read with the run's: together
    (``read_embeddings([...])``), or apart where read_embeddings refuses the two folders
    together (:func:`~eegpt.run_specs.settings_apart`: another average reference, other
    weights ...)."""
    if settings_apart([output_dir] * 2, [then, now]) is None:
        return "read_embeddings([...]) reads both folders."
    return (
        "its rows are to be read apart from this folder's: their embeddings are not "
        "comparable, and read_embeddings refuses to read the two folders together."
    )


def _input_changes(output_dir: Path, ids: Sequence[str]) -> tuple[str, bool]:
    """`` 3 files added (a.edf, ...); 1 gone (b.edf).``: the recording ids of this run against
    those of the folder's files report ("" when that cannot be read or they are the same, in
    the same order), and whether files were added or are gone (not only listed in another
    order, where there is nothing new to embed beside the run)."""
    try:
        import pandas as pd

        before = pd.read_csv(output_dir / FILES_REPORT, dtype=str)["recording_id"].tolist()
    except (OSError, ValueError, KeyError, ImportError):
        return "", False
    changes = _id_changes(before, ids)
    text = f" Against this folder's run: {changes}." if changes else ""
    return text, set(before) != set(ids)


def _id_changes(before: Sequence[str], ids: Sequence[str]) -> str:
    """``3 files added (a.edf, ...); 1 gone (b.edf)``: the recording ids ``ids`` against
    ``before``; for the same ids in another order (a manifest's rows sorted otherwise, which
    sets each shard's files), where the order first differs; "" when they are the same, in
    the same order."""
    old, new = set(before), set(ids)
    added = [i for i in ids if i not in old]
    gone = [i for i in before if i not in new]
    parts = [f"{_count(len(added), 'file')} added ({few(added, 5)})"] if added else []
    parts += [f"{_count(len(gone), 'file')} gone ({few(gone, 5)})"] if gone else []
    if not parts and list(before) != list(ids):
        at = next(
            (k for k, (was, now) in enumerate(zip(before, ids, strict=False)) if was != now),
            min(len(before), len(ids)),
        )
        where = (
            f"the {_ordinal(at + 1)} is now {ids[at]!r}, the run's was {before[at]!r}"
            if at < min(len(before), len(ids))
            else "a file listed twice"
        )
        return (
            f"the same {_count(len(new), 'file')} in another order ({where}; files are "
            "embedded, and shards filled, in the order listed)"
        )
    return "; ".join(parts)


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd`` ... for a position counted from 1."""
    last = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{last}"


def done_shards_of(
    output_dir: Path,
    spec: Mapping[str, Any],
    n_shards: int,
    retry_failed: bool,
    *,
    quiet: bool = False,
    stamps: dict[int, Any] | None = None,
    failed: list[str] | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """Finished shards (by number) with their file statuses, from the shard footers; an
    unreadable one is left out (and said so unless ``quiet``). ``stamps``: filled with the
    ``run`` stamp of every footer read (shards to be retried too), read once for
    :func:`warn_other_versions`; ``failed``: with the recording ids the footers record as
    failed (what ``retry_failed`` embeds again)."""
    done: dict[int, list[dict[str, Any]]] = {}
    for p in sorted(output_dir.iterdir()):
        m = SHARD.match(p.name)
        if not m:
            continue
        k = int(m.group(1))
        if k >= n_shards:
            raise ValueError(f"{p} is beyond the {n_shards} shards of this dataset")
        try:
            shard_spec, status = read_shard_status(p)
        except Exception as err:  # noqa: BLE001 - recompute an unreadable shard
            _log(
                f"{p.name} is unreadable ({described_error(err)}); it will be recomputed",
                not quiet,
            )
            continue
        if spec_differences(shard_spec, spec):
            raise ValueError(
                f"{p} was written with other settings than {MANIFEST} records; pass "
                "overwrite=True (--overwrite) to start over"
            )
        if stamps is not None:
            stamps[k] = status.get("run")
        files = status["files"]
        if failed is not None:
            failed += [str(f["recording_id"]) for f in files if f["status"] == "failed"]
        if retry_failed and any(f["status"] == "failed" for f in files):
            continue
        done[k] = files
    return done


def partial_files(
    output_dir: Path,
    spec: Mapping[str, Any],
    shards: Sequence[Sequence[int]],
    done: Mapping[int, Any],
    inputs: DatasetInputs,
    retry_failed: bool,
    *,
    verbose: Any = None,
    read_only: bool = False,
) -> tuple[dict[int, dict[str, Any]], dict[int, Path]]:
    """The finished files of the shards that a stopped run left part-way
    (``.shard-NNNNN.parquet.partial``, :meth:`~eegpt.shard_writer.ShardWriter.abort`), to be
    put back into their shards as :func:`~eegpt.shard_writer.kept_files` are
    (:class:`~eegpt.shard_writer.WithKept`) instead of being embedded again: their statuses
    by file index, and the partial file each is read from. A partial file that cannot serve
    (its shard written since, other settings or another listing of files, an unreadable
    footer, other versions) is removed, and said so (left where ``read_only``); one whose
    shard is written but records as failed files it holds embedded (a stopped
    ``--retry-failed`` run's) is kept for the next ``--retry-failed``, with a warning
    (:func:`_fixed_since`). Of one that serves, a file
    whose recording changed since (size or modification time of its files) is embedded
    again, and so is a failed one with ``retry_failed``."""
    kept: dict[int, dict[str, Any]] = {}
    sources: dict[int, Path] = {}
    for path in sorted(output_dir.iterdir()):
        m = PARTIAL.match(path.name)
        if not m:
            continue
        k = int(m.group(1))
        statuses, why = _partial_statuses(path, k, spec, shards, inputs)
        if why is None and k in done:  # written since: what it adds serves --retry-failed
            fixed = _fixed_since(statuses, done[k])
            if fixed:
                _warn(
                    f"{path.name} is kept: shard {k} is written, but the run stopped part-way "
                    f"(a --retry-failed run) embedded {_count(len(fixed), 'file')} that the "
                    f"shard records as failed ({few(fixed, 3)}); run with --retry-failed "
                    "(retry_failed=True) to put them into the shard without embedding them "
                    "again"
                )
                continue
            why = f"shard {k} is written"
        if why is not None:
            left = "it is left where it is (read only)" if read_only else "it is removed"
            _log(f"{path.name} is not used ({why}); {left}", verbose)
            if not read_only:
                path.unlink(missing_ok=True)
            continue
        again = [
            s
            for s in statuses
            if (retry_failed and s["status"] == "failed")
            or _changed_since(inputs.files[int(s["index"])], s)
        ]
        use = [s for s in statuses if s not in again]
        kept.update({int(s["index"]): s for s in use})
        sources.update({int(s["index"]): path for s in use})
        changed = [s["recording_id"] for s in again if s["status"] != "failed" or not retry_failed]
        _log(
            f"shard {k} was stopped part-way: {len(use)} of its {_count(len(shards[k]), 'file')} "
            f"kept from {path.name}, not embedded again"
            + (
                f" ({_count(len(changed), 'file')} changed since: {few(changed, 3)})"
                if changed
                else ""
            ),
            verbose,
        )
    return kept, sources


def _started_before(started: Any, day: str) -> bool:
    """Whether a run's ``started`` time (ISO 8601 with its UTC offset, as
    :attr:`~eegpt.dataset_runs.DatasetRun.started_at` writes it) is before the UTC day ``day``
    (``"2026-12-07"``, a CHANGELOG.md section's): its eegpt then cannot include that day's
    changes. False where it cannot be read or names no UTC offset."""
    import datetime

    if not isinstance(started, str):
        return False
    try:
        moment = datetime.datetime.strptime(started, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return False
    return moment.astimezone(datetime.timezone.utc).date().isoformat() < day


def _partial_statuses(
    path: Path,
    k: int,
    spec: Mapping[str, Any],
    shards: Sequence[Sequence[int]],
    inputs: DatasetInputs,
) -> tuple[list[dict[str, Any]], str | None]:
    """The file statuses of the partial file ``path`` of shard ``k``, and why it cannot serve
    this run (None where it can): its files must be the first of the shard's as this run
    lists them (by index and recording id, as the shards' files are: a corpus moved keeps
    them), written with the same settings ``spec`` and by the same versions of eegpt, torch,
    NumPy, SciPy and MNE as this run (:func:`~eegpt.dataset_runs.run_versions`; eegpt's
    with the CHANGELOG.md section it includes, ``eegpt_changes``, where the file records it:
    one of an eegpt before it was recorded, 2026-12-07, is taken as before, unless its run
    started before the UTC day of this eegpt's newest changes, :data:`~eegpt.api.CHANGES_DATE`,
    which that eegpt then cannot include: :func:`_started_before`). A partial
    file of other versions is refused rather than its rows mixed into a shard whose footer
    names one run: that costs at most one shard's files embedded again (the files kept by
    ``--retry-failed`` from a written shard are kept with a warning instead, see
    :func:`~eegpt.dataset_runs.warn_other_versions`). Whether the shard is written
    already is the caller's to check."""
    if k >= len(shards):
        return [], f"beyond the {_count(len(shards), 'shard')} of this dataset"
    try:
        shard_spec, status = read_shard_status(path)
    except Exception as err:  # noqa: BLE001 - any unreadable footer: not used
        return [], f"unreadable: {described_error(err)}"
    files = status.get("files") or []
    if not status.get("partial") or status.get("shard") != k or not files:
        return [], "not the finished files of a shard stopped part-way"
    if spec_differences(shard_spec, spec):
        return [], "written with other settings"
    run = status.get("run")
    then = run_versions(run) if isinstance(run, Mapping) else {}
    unrecorded = isinstance(run, Mapping) and "eegpt_changes" not in run
    started = run.get("started") if isinstance(run, Mapping) else None
    if unrecorded and _started_before(started, CHANGES_DATE):
        return [], (  # its eegpt predates this one's newest changes: of others, surely
            f"computed by an eegpt of before the changes to {CHANGES_DATE} (CHANGELOG.md; "
            f"its run started {started}), which may give other numbers"
        )
    # a partial file of an eegpt before eegpt_changes was recorded (2026-12-07), of a run
    # started since the newest changes: compared without it, as embed_to_file takes such kept
    # windows (its other versions still count)
    now = current_versions(changes=not unrecorded)
    if any(then.get(name) != version for name, version in now.items()):
        was = ", ".join(f"{n} {v}" for n, v in then.items() if now.get(n) != v) or "unknown"
        return [], (
            f"computed by other versions of eegpt/torch ({was}; this run: "
            + ", ".join(f"{n} {v}" for n, v in now.items() if then.get(n) != v)
            + ")"
        )
    listed = [inputs.files[i] for i in shards[k][: len(files)]]
    if len(files) >= len(shards[k]) or any(
        (int(f["index"]), f["recording_id"]) != (i.index, i.recording_id)
        for f, i in zip(files, listed, strict=True)
    ):
        return [], f"its files are not those of shard {k} as the inputs list them now"
    if any(f["status"] not in ("ok", "failed", TOO_SHORT) for f in files):
        return [], "a file status of another kind"
    return files, None


def _fixed_since(
    partial: Sequence[Mapping[str, Any]], written: Sequence[Mapping[str, Any]]
) -> list[str]:
    """The recording ids of the files that a partial file (``partial``: its statuses) holds
    embedded ("ok" or too short) but the written shard (``written``) records as failed: what
    a stopped ``--retry-failed`` run added, which a plain resume must not throw away."""
    failed = {int(f["index"]) for f in written if f["status"] == "failed"}
    return [
        str(f["recording_id"])
        for f in partial
        if f["status"] != "failed" and int(f["index"]) in failed
    ]


def _changed_since(file: InputFile, status: Mapping[str, Any]) -> bool:
    """Whether the files of ``file`` differ in size or modification time from those its
    ``status`` recorded (or cannot be read now)."""
    now = source_stamp(file, fingerprints=False, version=int(status.get("stamp_version", 1)))
    if now is None:
        return True
    return any(now[key] != status.get(key) for key in now if key.endswith(("_bytes", "_mtime_ns")))


def finished_already(
    output_dir: Path, spec: Mapping[str, Any], n_shards: int, retry_failed: bool
) -> bool:
    """Whether ``output_dir`` holds a finished run of ``spec`` with nothing left to do, so that
    a rerun needs no devices (the Ray engine then does not connect to a cluster). Read only;
    False whenever in doubt, and the run's own checks decide."""
    manifest = output_dir / MANIFEST
    try:
        if not manifest.is_file():
            return False
        spec = dict(spec)
        keep_old_layout(output_dir, spec)
        if spec_differences(read_run_manifest(output_dir).get("spec", {}), spec):
            return False
        done = done_shards_of(output_dir, spec, n_shards, retry_failed, quiet=True)
        return len(done) == n_shards
    except Exception:  # noqa: BLE001 - any doubt: the run finds out what is wrong
        return False


def _part_inputs(folder: Path, spec: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The spec's ``inputs`` of the ``--part`` run in ``folder``, with its manifest's
    ``source`` as ``"source"``; None when it is no part run or its manifest is unreadable
    (one being made). ``spec``, when given, receives the run's whole spec (its settings)."""
    try:
        manifest = manifest_head(folder / MANIFEST)
        inputs = dict(manifest["spec"]["inputs"])
        if spec is not None:
            spec.update(manifest["spec"])
        k, n = (int(v) for v in inputs["part"])
        inputs["corpus_files"] = int(inputs["corpus_files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {**inputs, "part": [k, n], "source": str(manifest.get("source", ""))}


def listing_fingerprint(
    output_dir: Path, corpus: DatasetInputs, sfreq: float, n_parts: int, *, own: bool = True
) -> str:
    """The fingerprint of ``corpus``'s listing a ``--part`` run of ``n_parts`` in
    ``output_dir`` records (:meth:`~DatasetInputs.fingerprint` at ``sfreq``, the rate windows
    are cut at), kept as recorded where a run of eegpt before 2026-12-07 recorded it of the
    same listing with its ``start_seconds`` cells as given: its own run's (``own``: not for
    ``overwrite``), else a sibling part's of the same split (:func:`sibling_parts`), so that
    the parts of one listing keep one fingerprint (a part started after the others is not
    taken for one of another listing, and ``eegpt info`` adds them up)."""
    mine = _part_inputs(output_dir) if own else None
    found = [mine] if mine else (inputs for _, inputs, _ in sibling_parts(output_dir, n_parts))
    now = corpus.fingerprint(sfreq)
    for inputs in found:
        if inputs["part"][1] != n_parts:
            continue
        recorded = inputs.get("corpus_sha256")
        if recorded and recorded != now and corpus.fingerprint(sfreq, recorded) == recorded:
            return str(recorded)
    return now


def sibling_parts(
    output_dir: Path, n_parts: int | None
) -> Iterator[tuple[Path, dict[str, Any], dict[str, Any]]]:
    """The part runs of ``n_parts`` parts (None: of any number) beside ``output_dir`` (folders
    of ``output_dir.parent`` but itself, in name order, whose manifest records a part of N:
    the layout ``-o out/part-$SLURM_ARRAY_TASK_ID``), each as its folder, its spec's
    ``inputs`` (:func:`_part_inputs`) and its whole spec, read one by one as needed; folders
    without a readable manifest (one being made) are passed over. The one walk of the
    siblings: :func:`listing_fingerprint`, :func:`check_sibling_parts`,
    :func:`check_sibling_settings`."""
    here = os.path.realpath(output_dir)
    try:
        siblings = sorted(p for p in output_dir.parent.iterdir() if os.path.realpath(p) != here)
    except OSError:  # no parent folder yet: no sibling
        return
    for folder in siblings:
        spec: dict[str, Any] = {}
        inputs = _part_inputs(folder, spec)
        if inputs is not None and n_parts in (None, inputs["part"][1]):
            yield folder, inputs, spec


def resumes_another_listing(output_dir: Path, corpus: DatasetInputs, sha: str) -> bool:
    """Whether ``output_dir`` holds a ``--part`` run split from another listing than
    ``corpus``'s as it is now (``sha``: its :meth:`~DatasetInputs.fingerprint`): a requeued
    task after the corpus changed, which the resume check tells how to resume from its own
    listing (its siblings, split from that listing too, are no conflict to report)."""
    own = _part_inputs(output_dir)
    if own is None:  # a new part (or no part run): its siblings decide
        return False
    return own["corpus_files"] != len(corpus) or own.get("corpus_sha256", sha) != sha


def check_sibling_parts(
    output_dir: Path, corpus: DatasetInputs, sha: str, part: tuple[int, int], identity: str
) -> None:
    """Refuse part ``part`` of ``corpus`` (``sha``: its listing's
    :meth:`~DatasetInputs.fingerprint`) when a part of the same split beside ``output_dir``
    (a folder of ``output_dir.parent`` whose manifest records a part of N of the same corpus,
    :func:`corpus_identity`: the layout ``-o out/part-$SLURM_ARRAY_TASK_ID``) was split from
    another listing of it. Files added to the corpus or removed from it between the tasks of
    a job array move files between parts, so that the parts hold some files twice and miss
    others. Siblings with the same listing pass, whenever they started; folders without a
    readable manifest (one being made) are passed over. A sibling of another corpus identity
    (the corpus copied to each node's own ``$TMPDIR``, a path per task) is of the same corpus
    when its listing shares a recording id with this one (ids are relative paths); two
    patterns of one folder share none. A part of the same corpus split into another number
    of parts (an array resubmitted with another ``--array`` size into the same parent) is
    refused too, whatever its listing: the two splits hold some files twice, and leave
    others to parts of either that do not exist; so is a sibling of the same listing that
    holds this very part where ``output_dir`` holds no part run yet (a second folder of one
    task: its rows would be read twice; a resume is left to the resume check). The
    first sibling split apart is named (the others are not looked for: each costs a manifest
    read)."""
    n_now = len(corpus)
    ids: set[str] | None = None  # the corpus's recording ids, read once when needed
    paths: set[str] | None = None  # of the corpus, for parts of lists of files
    new = _part_inputs(output_dir) is None  # no resume (whose check names another K/N)
    for folder, inputs, _ in sibling_parts(output_dir, None):
        same_listing = inputs["corpus_files"] == n_now and inputs.get("corpus_sha256", sha) == sha
        other_split = inputs["part"][1] != part[1]
        if other_split and same_listing:
            raise _split_otherwise(output_dir, part, folder, inputs)
        if new and same_listing and inputs["part"] == list(part):
            raise _part_twice(output_dir, part, folder)
        if same_listing:
            continue  # the same listing (of this corpus or not)
        theirs = inputs.get("corpus")
        if theirs is None:  # a run from before the identity was recorded: its source
            theirs = corpus_identity(inputs["source"], None)
            same = theirs == corpus_identity(corpus.source, None)
        else:
            same = theirs == identity
        if same and identity == LIST_INPUTS:  # lists of files: one corpus if they overlap
            paths = paths if paths is not None else {f.path_text for f in corpus.files}
            same = not (listed_paths(folder) or set()).isdisjoint(paths)
        if not same:  # the corpus elsewhere (staged to each node's $TMPDIR): ids it shares
            ids = ids if ids is not None else {f.recording_id for f in corpus.files}
            same = not ids.isdisjoint(listed_ids(folder) or ())
        if same and other_split:
            raise _split_otherwise(output_dir, part, folder, inputs)
        if same:
            raise _split_apart(output_dir, corpus, part, folder, inputs)


def check_sibling_settings(
    output_dir: Path, spec: Mapping[str, Any], *, overwrite: bool = False
) -> None:
    """Refuse the ``--part`` run of ``spec`` (its run settings, ``inputs.part`` among them)
    into ``output_dir`` when a sibling part beside it (a folder of ``output_dir.parent``
    whose manifest records a part of the same N split from the same listing:
    ``inputs.corpus_files`` and ``inputs.corpus_sha256``) was made with other settings, as
    :func:`eegpt.run_specs.settings_apart` tells them (the test of ``read_embeddings`` and
    ``eegpt info`` when they join the parts): a part of other settings would be embedded in
    full, only for its rows to be refused beside its siblings'. Settings that may differ
    between parts (their inputs, ``--shard-size``, the per-file channel corrections,
    ``--rescale``, ``--tail`` ...) are not compared, nor are those not recorded (workers,
    device, batch sizes: they change no row). Siblings without a readable manifest (being
    made) are passed over. A resume whose folder records other settings than ``spec`` (and no
    ``overwrite``) is left to :func:`prepare_output`, which names them with its advice."""
    inputs = spec.get("inputs") or {}
    if not inputs.get("part"):
        return
    k, n = (int(v) for v in inputs["part"])
    if not overwrite:
        own: dict[str, Any] = {}
        if _part_inputs(output_dir, own) is not None and settings_apart(
            [output_dir, output_dir], [own, spec]
        ):
            return  # the resume check refuses it, with advice of its own
    same, apart = [], []  # siblings of this run's settings, and of others (with them)
    for folder, sibling, theirs in sibling_parts(output_dir, n):
        sha = inputs.get("corpus_sha256")
        if (
            sibling["corpus_files"] != inputs.get("corpus_files")
            or sibling.get("corpus_sha256", sha) != sha
        ):  # another listing: another corpus (check_sibling_parts refused the same)
            continue
        differ = settings_apart([folder, output_dir], [theirs, spec])
        if differ is None:
            same.append(folder)
        else:
            apart.append((folder, sibling["part"][0], differ[1]))
    if apart:
        raise _settings_apart_error(output_dir, (k, n), apart[0], same)


def _settings_apart_error(
    output_dir: Path,
    part: tuple[int, int],
    apart: tuple[Path, int, Sequence[str]],
    same: Sequence[Path],
) -> ValueError:
    """The refusal of part ``part`` into ``output_dir`` whose sibling ``apart`` (its folder,
    part index and :func:`~eegpt.run_specs.spec_differences` entries, the sibling's value
    first) was made with other settings; ``same``: the siblings made with this run's."""
    sibling, j, differ = apart
    listed = "; ".join(_with_option(d) for d in differ[:6])
    more = f" (and {_count(len(differ) - 6, 'more setting')})" if len(differ) > 6 else ""
    mixed = (
        f" {few([f.name for f in same], 5)} beside it {'was' if len(same) == 1 else 'were'} "
        "made with this run's settings: the "
        f"parts already there differ among themselves (eegpt info {output_dir.parent} says "
        "which), so keep the parts of one set of settings and embed the others again."
        if same
        else ""
    )
    return ValueError(
        f"{output_dir}: part {part[0]}/{part[1]} would be embedded with other settings than "
        f"its sibling {sibling} (part {j}/{part[1]}), so their rows could not be read as one "
        f"table (read_embeddings refuses parts of other settings): {listed}{more} (the "
        f"sibling's value -> this run's).{mixed} Run this part with the settings its siblings "
        f"were made with (recorded in {sibling / MANIFEST}), or embed with the new settings "
        "into a new parent folder (-o NEW/part-K for every part); nothing was embedded"
    )


def _split_apart(
    output_dir: Path,
    corpus: DatasetInputs,
    part: tuple[int, int],
    sibling: Path,
    inputs: Mapping[str, Any],
) -> ValueError:
    """The refusal of part ``part`` of ``corpus``, whose ``sibling`` (its spec's ``inputs``)
    was split from another listing: what changed since, and the listing to freeze."""
    n_now, then = len(corpus), inputs["corpus_files"]
    listed = listed_ids(sibling)
    changes = "" if listed is None else _id_changes(listed, [f.recording_id for f in corpus.files])
    if listed is not None and not changes:
        changes = "the same files, in another order or with other manifest values"
    frozen = sibling / CORPUS_LISTING
    keep = (
        f"copy {frozen} to keep the one {sibling.name} was split from, or "
        if frozen.is_file()
        else ""
    )
    return ValueError(
        f"{output_dir}: part {part[0]}/{part[1]} would be split from the listing of "
        f"{corpus_of(corpus.source)[0]} as it is now, {_count(n_now, 'file')}, but {sibling} "
        f"(part {inputs['part'][0]}/{part[1]}) was split from a listing of "
        f"{_count(then, 'file')}" + (f" (since then: {changes})" if changes else "") + ". "
        "Parts of two listings of a corpus hold some files twice and miss others (other "
        "parts may have been split from either). Freeze one listing in a manifest (a .csv "
        f"with path and recording_id columns: {keep}write the current one, see "
        "docs/corpus-scale.md, 'Plan for 10,000 hours') and give it to every part; the parts "
        "already done on another listing must be run again on it (delete their folders first)"
    )


def _split_otherwise(
    output_dir: Path, part: tuple[int, int], sibling: Path, inputs: Mapping[str, Any]
) -> ValueError:
    """The refusal of part ``part`` into ``output_dir`` whose ``sibling`` (its spec's
    ``inputs``) is a part of the same corpus split into another number of parts."""
    k, n = inputs["part"]
    return ValueError(
        f"{output_dir}: part {part[0]}/{part[1]} would be split into {part[1]} parts, but "
        f"{sibling} beside it holds part {k}/{n} of the same corpus: parts of two splits hold "
        "some files twice and miss others, and are not read as one table. Run every part "
        f"of this parent folder with the same N as those there (--part K/{n}: resubmit the "
        "array with the same --array size), or embed the new split into a new parent folder "
        f"(or delete the old split's part folders in {sibling.parent} first)"
    )


def _part_twice(output_dir: Path, part: tuple[int, int], sibling: Path) -> ValueError:
    """The refusal of part ``part`` into ``output_dir`` where ``sibling`` beside it holds the
    same part of the same listing."""
    k, n = part
    return ValueError(
        f"{output_dir}: part {k}/{n} is already in {sibling} beside it, split from the same "
        "listing: a second folder of it would hold its files twice, which read_embeddings "
        f"refuses. Resume that part in its own folder (-o {sibling}; name each task's folder "
        "by its part, -o out/part-$SLURM_ARRAY_TASK_ID, not by a job id), or delete it first"
    )


def _listed(report: Path) -> bool:
    """Whether a run's report (``_errors.csv``, ``_too_short.csv``) lists a file (more than its
    header line)."""
    try:
        with open(report, encoding="utf-8") as f:
            return sum(1 for _ in itertools.islice(f, 2)) > 1
    except OSError:
        return False
