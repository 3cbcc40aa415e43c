"""What ``eegpt info`` says of the output folders of :func:`eegpt.dataset.embed_dataset`.

:func:`describe_output` reads a run folder's ``_manifest.json`` (and, where its reports are
behind, the footers of its shards) and says in a few lines what it holds: files done, failed
and pending, windows, the model and settings, its runs. :func:`describe_parts` does so for a
folder of ``--part`` run folders and says whether they read as one table. Neither imports torch:
``eegpt info RUN_FOLDER`` answers in well under a second.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from eegpt._logging import count as _count
from eegpt._logging import cut_in_the_middle, duration_text, few
from eegpt._recording_provenance import provenance_lines
from eegpt.dataset_folders import (
    ERRORS_REPORT,
    FILES_REPORT,
    KEPT_WINDOWS,
    MANIFEST,
    PARTIAL,
    SHORT_REPORT,
    TOO_SHORT,
    files_report_rows,
    kept_windows_name,
    read_run_manifest,
    run_folders,
    shard_files,
    shard_name,
)
from eegpt.dataset_lock import FolderLock
from eegpt.dataset_parts import LIST_INPUTS, corpora_of_parts, listings_apart, missing_parts
from eegpt.preprocessing_spec import describe as describe_preprocessing
from eegpt.preprocessing_spec import seconds_text
from eegpt.run_channel_sets import (
    _channel_sets_of,
    channel_sets_advice,
    channel_sets_text,
    grouped_channel_sets,
    keep_of_runs,
)
from eegpt.run_specs import settings_apart
from eegpt.shard_checks import (
    TIME_BASE_UNRECORDED,
    cut_shards_line,
    read_shard_status,
    time_base_unrecorded,
)

#: The ``kind`` of an entry of the manifest's ``runs``: a call that embedded (or set out to
#: embed: one stopped before its first shard is a run too), and a call that found every
#: shard done and nothing left to embed (a rerun of a finished folder), which verified the
#: folder (its settings, the shards present, the inputs unchanged or the ``changed`` it
#: found) without computing anything. Entries from before ``kind`` was recorded are runs.
RUN, CHECK = "run", "check"


def is_check(entry: Mapping[str, Any]) -> bool:
    """Whether an entry of a manifest's ``runs`` is a check (:data:`CHECK`): a call that
    embedded nothing, which ``eegpt info`` does not count as a run."""
    return entry.get("kind") == CHECK


def anonymized_text(anonymized: Mapping[str, Any], *, dated: bool = True) -> str:
    """``anonymized copy (eegpt X; dates ...)``: what ``eegpt info`` says of an ``eegpt
    anonymize`` copy (its ``anonymized`` record), a run folder or a file; ``dated`` False for
    a copy that holds no date (a probe saved without one): "no dates"."""
    days = anonymized.get("daysback")
    dates = "dates removed" if days is None else f"dates moved back {days} days"
    dates = dates if dated else "no dates"
    return f"anonymized copy ({anonymized.get('by', '?')}; {dates})"


def too_short_note(n: int, output_dir: Path) -> str:
    """What the summary and ``eegpt info`` say of ``n`` recordings skipped as shorter than one
    window, and how to embed them."""
    report = output_dir / SHORT_REPORT
    return (
        f"{_count(n, 'file')} shorter than one window {'was' if n == 1 else 'were'} skipped "
        f"(not failures; listed in {report}); --tail pad embeds them zero-padded: eegpt "
        f"embed-dataset {report} -o NEW_FOLDER --tail pad (the other settings as here), then "
        "read_embeddings([...]) reads both folders"
    )


def _too_short_count(totals: Mapping[str, Any]) -> str:
    """``"N too short, "`` for a manifest's totals with recordings skipped as shorter than one
    window; empty otherwise (and for runs from before that status)."""
    return f"{totals[TOO_SHORT]} too short, " if totals.get(TOO_SHORT) else ""


def describe_parts(folder: str | os.PathLike) -> str:
    """What ``eegpt info`` says of a folder of run folders (the parts of a ``--part`` run):
    a line per part (its K/N, files ok, failed and pending, shards done, running) and the
    parts missing."""
    return parts_report(folder)[0]


def parts_report(folder: str | os.PathLike) -> tuple[str, bool]:
    """:func:`describe_parts`, and whether ``read_embeddings(folder)`` reads the parts as
    one table matching the files on disk (False when they were split from different
    listings or made with other settings (``--keep-channels`` in some only, another model:
    which ``read_embeddings`` refuses, :func:`~eegpt.run_specs.settings_apart`), a part
    holds no shard or stopped before its last one, a part with files has no folder here, a
    part's last run found recordings changed since they were embedded, files failed in a
    part, or a shard is no whole Parquet file: ``eegpt info`` exits 3). Parts ``K >=`` the
    number of files of the corpus listing (tasks of a job array past its files, which write
    no folder) are not missing."""
    folder = Path(folder)
    runs = run_folders(folder)
    lines = [f"{folder}: {_count(len(runs), 'embed-dataset run folder')}"]
    inputs_of = []  # the spec's inputs of each --part run
    folders_of = []  # and its folder
    unfinished: list[str] = []  # parts whose last run was stopped before its last shard
    changed: list[str] = []  # parts holding rows of recordings changed since
    counted: list[tuple[str, Mapping[str, Any] | None, dict[str, float]]] = []  # per run:
    # its name, its --part inputs (None: no part) and its totals, for the totals lines
    failing: list[str] = []  # parts with failed files (their _errors.csv)
    short: list[str] = []  # parts with files skipped as too short (their _too_short.csv)
    specs: list[Mapping[str, Any]] = []  # each readable run's (its channel settings)
    spec_runs: list[Path] = []  # and its folder
    for run in runs:
        try:
            manifest = read_run_manifest(run)
        except (OSError, ValueError):
            lines.append(f"  {run.name}: unreadable {MANIFEST}")
            continue
        specs.append(manifest.get("spec") or {})
        spec_runs.append(run)
        inputs = (manifest.get("spec") or {}).get("inputs") or {}
        part, progress = inputs.get("part"), _progress(run, manifest)
        totals = progress.totals
        if part:
            inputs_of.append(inputs)
            folders_of.append(run)
        if progress.unfinished:
            unfinished.append(run.name)
        if totals.get("changed"):
            changed.append(run.name)
        own: dict[str, float] = {"files": float(manifest.get("n_files") or 0)}
        for key in ("ok", "failed", TOO_SHORT, "pending", "windows", "hours"):
            own[key] = float(totals.get(key) or 0)
        counted.append((run.name, inputs if part else None, own))
        if totals.get("failed"):
            failing.append(run.name)
        if totals.get(TOO_SHORT):
            short.append(run.name)
        lines.append(
            f"  {run.name}: "
            + (f"part {part[0]}/{part[1]}, " if part else "")
            + f"{_count(manifest.get('n_files', 0), 'file')}: {totals.get('ok', 0)} ok, "
            f"{totals.get('failed', 0)} failed, {_too_short_count(totals)}"
            f"{totals.get('pending', 0)} pending; shards "
            f"{progress.present} of {manifest.get('n_shards')} written"
            + (" (running)" if progress.running else "")
            + (" (counted from the shard files)" if progress.recounted else "")
            + ("; did not finish (killed?)" if progress.killed else "")
            + (
                f"; {stop_text(progress.stopped)} before its last shard"
                if progress.unfinished and not progress.killed
                else ""
            )
            + (f"; {totals['changed']} CHANGED since embedded" if totals.get("changed") else "")
            + _kept_text(run)
            + (  # eegpt anonymize's: its paths lead nowhere, so it cannot be resumed
                f"; {anonymized_text(manifest['anonymized'])}: not resumable"
                if isinstance(manifest.get("anonymized"), dict)
                else ""
            )
        )
    parts = list(zip(folders_of, inputs_of, strict=True))
    splits = _splits_apart(parts)
    # a part here twice (a copy beside it), or parts of two splits: files twice, no total
    lines += _parts_total_lines(folder, counted, failing, short, total=not splits)
    cut = cut_shards_line([p for run in runs for p in shard_files(run)])  # no data read
    if cut:
        lines.append(cut)
    lines += channel_sets_lines(runs, specs)
    lines += warning_lines(runs)
    apart = listings_apart(parts)
    if apart:  # not one table: files twice and files missing
        lines.append(f"  NOT parts of one corpus: {apart}")
        return "\n".join(lines), False
    if splits:  # parts of a corpus split into several N: files twice and files missing
        lines.append(f"  NOT parts of one split: {splits}")
        return "\n".join(lines), False
    other = settings_apart(spec_runs, specs) if specs else None
    if other is not None:  # read_embeddings refuses them (its _check_parts)
        run, differ = other
        same = (
            "the same --keep-channels (or none) for every run"
            if any(d.startswith("channels.keep") for d in differ)
            else "the same settings"
        )
        lines.append(
            f"  NOT one table: {run.name} was made with other settings than "
            f"{spec_runs[0].name} ({', '.join(differ)}), so their rows are not comparable and "
            f"read_embeddings({str(folder)!r}) refuses them: read each run folder apart "
            f"(read_embeddings({str(spec_runs[0])!r})), or embed one again into a new folder "
            f"with {same}"
        )
        return "\n".join(lines), False
    corpora = _missing_by_corpus(parts)
    missing_any = False  # parts of a split that have files but no folder here
    for group, n, missing in corpora:
        if len(corpora) > 1:  # different corpora, each split apart: no conflict
            corpus = group[0][1].get("corpus")
            lines.append(
                f"  parts of {'a list of files' if corpus == LIST_INPUTS else corpus}: "
                f"{few([f.name for f, _ in group], 10)}"
            )
        if n is not None:  # parts of one split
            if missing:
                missing_any = True
                lines.append(
                    f"  missing: part(s) {few([str(k) for k in missing], 20)} of {n} (no "
                    "folder here: a task never run, one stopped before its first shard (a run "
                    "stopped so early, by a time limit's SIGTERM say, removes the folder it "
                    "made), or its folder elsewhere: run it (again), or move its folder here); "
                    "read_embeddings reads the others only"
                )
    empty = [run.name for run in runs if not shard_files(run)]
    if empty:  # read_embeddings reads without them, or (all empty) fails
        lines.append(
            f"  no shard yet in {few(empty, 10)} (still running, or stopped before a first "
            "shard: run the same command again); read_embeddings reads the others only"
        )
        return "\n".join(lines), False
    if unfinished:  # read_embeddings reads their shards so far: not the whole corpus
        lines.append(
            f"  {few(unfinished, 10)} did not finish (stopped or killed): run the same command "
            "again to embed the files left; read_embeddings reads the shards written so far only"
        )
        return "\n".join(lines), False
    if missing_any:  # read_embeddings reads the parts here: not the whole corpus
        return "\n".join(lines), False
    lines.append(f"  read as one table: eegpt.read_embeddings({str(folder)!r})")
    if changed:
        lines.append(
            f"  {few(changed, 10)} hold rows of recordings changed since they were embedded: "
            "`eegpt info PART` names them and how to embed them again"
        )
    return "\n".join(lines), not (changed or failing or cut)


_Runs = list[tuple[Path, Mapping[str, Any]]]  # run folders, each with its spec's inputs


def _missing_by_corpus(
    parts: Sequence[tuple[Path, Mapping[str, Any]]],
) -> list[tuple[_Runs, int | None, list[int]]]:
    """Per corpus of the ``--part`` runs among ``parts`` (each a run folder and its spec's
    ``inputs``; :func:`~eegpt.dataset_parts.corpora_of_parts`): its runs, N of its ``--part
    K/N`` (None where its runs differ in N) and the parts K with files but no run here."""
    groups: list[tuple[_Runs, int | None, list[int]]] = []
    for group in corpora_of_parts(parts):
        inputs = [i for _, i in group]
        if len({int(i["part"][1]) for i in inputs}) == 1:  # parts of one split
            groups.append((group, int(inputs[0]["part"][1]), missing_parts(inputs)[1]))
        else:
            groups.append((group, None, []))
    return groups


def _splits_apart(parts: Sequence[tuple[Path, Mapping[str, Any]]]) -> str:
    """ "" when the ``--part`` runs of each corpus among ``parts`` (each a run folder and its
    spec's ``inputs``) were split into one number of parts, each part once (in the run
    folders holding shards); else, for the
    first corpus split into several, its parts by N (or the parts found twice) and what to do
    (``read_embeddings`` refuses the files they hold twice; those of no part of either split
    are in no table)."""
    for group in corpora_of_parts(parts):
        by_n: dict[int, list[str]] = {}
        by_k: dict[tuple[int, int], list[str]] = {}
        for run, inputs in group:
            k, n = (int(v) for v in inputs["part"])
            by_n.setdefault(n, []).append(run.name)
            if shard_files(run):  # rows to read twice (one with none is said apart)
                by_k.setdefault((k, n), []).append(run.name)
        if len(by_n) > 1:
            splits = "; ".join(
                f"{few(names, 10)} of a split into {n} parts" for n, names in sorted(by_n.items())
            )
            return (
                f"{splits}. Parts of two splits of a corpus hold some files twice and miss "
                "others: keep the parts of one split, delete the others' folders and run the "
                "missing parts of the split kept"
            )
        twice = [(k, n, names) for (k, n), names in sorted(by_k.items()) if len(names) > 1]
        if twice:
            listed = "; ".join(f"part {k}/{n} in {few(names, 10)}" for k, n, names in twice)
            return (
                f"{listed}. A part embedded twice holds its files twice, which read_embeddings "
                "refuses: keep one folder of each part and delete the others"
            )
    return ""


def missing_part_numbers(folder: str | os.PathLike) -> list[int]:
    """The parts K of ``--part K/N`` runs with files but no run folder in ``folder`` (a folder
    of run folders), as :func:`parts_report` names them (``missing: part(s) ...``), sorted;
    ``[]`` where none is missing or the parts were split from different listings (which
    :func:`parts_report` says instead)."""
    parts: _Runs = []
    for run in run_folders(Path(folder)):
        try:
            manifest = read_run_manifest(run)
        except (OSError, ValueError):
            continue
        inputs = (manifest.get("spec") or {}).get("inputs") or {}
        if inputs.get("part"):
            parts.append((run, inputs))
    if listings_apart(parts):
        return []
    return sorted({k for _, _, missing in _missing_by_corpus(parts) for k in missing})


def _parts_total_lines(
    folder: Path,
    counted: Sequence[tuple[str, Mapping[str, Any] | None, Mapping[str, float]]],
    failing: Sequence[str],
    short: Sequence[str],
    total: bool = True,
) -> list[str]:
    """``eegpt info``'s lines on the run folders of ``folder`` together (:func:`parts_report`):
    the files and windows of the parts of one listing added up (``counted``: each run's name,
    its ``--part`` inputs or None, its totals), each listing's apart where the parts come from
    several (other corpora, or a listing that changed), the runs that are no part named, not
    added; and where the reasons of the failed files and the files skipped as too short are
    (``failing``, ``short``: the folders with some). Without ``total`` (the parts hold some
    files twice: a part here twice, parts of two splits), no sum, but a line saying why."""
    if not total:
        return [
            "  no total: some files are in two of these folders (NOT parts of one split, "
            "below), so their sum would count them twice",
            *_parts_total_lines(folder, [], failing, short),
        ]
    parts = [(name, inputs, totals) for name, inputs, totals in counted if inputs is not None]
    others = [name for name, inputs, _ in counted if inputs is None]
    # one listing: its fingerprint (the file count for parts from before it was recorded)
    by_sha = all(inputs.get("corpus_sha256") for _, inputs, _ in parts)
    listings: dict[Any, list[tuple[str, Mapping[str, Any], Mapping[str, float]]]] = {}
    for name, inputs, totals in parts:
        key = inputs.get("corpus_sha256") if by_sha else inputs.get("corpus_files")
        listings.setdefault(key, []).append((name, inputs, totals))
    lines = []
    if len(listings) > 1:
        lines.append(
            f"  parts of {len(listings)} listings here (other corpora, or one corpus whose "
            "listing changed between the parts): no total of them together; each listing's:"
        )
    for group in listings.values():
        sums = {k: sum(own[k] for _, _, own in group) for k in group[0][2]}
        whole = {k: int(v) for k, v in sums.items() if k != "hours"}
        n = group[0][1].get("corpus_files")
        listing = f"a listing of {_count(int(n), 'file')}" if n is not None else "one listing"
        which = (
            f" of {few([name for name, _, _ in group], 10)} (split from {listing})"
            if len(listings) > 1
            else " of the parts" if others else ""
        )  # fmt: skip
        lines.append(
            f"  total{which}: {_count(whole['files'], 'file')}: {whole['ok']} ok, "
            f"{whole['failed']} failed, {_too_short_count(whole)}{whole['pending']} pending; "
            f"{whole['windows']} windows ({sums['hours']:.3g} h of EEG)"
        )
    if others:
        what = "no --part run" if len(others) == 1 else "no --part runs"
        of = ", not parts of that run" if len(listings) == 1 else ""
        lines.append(
            f"  not totalled: {few(others, 10)} ({what}{of}; `eegpt info "
            f"{folder / others[0]}` tells of {'it' if len(others) == 1 else 'each'})"
        )
    if failing:
        lines.append(
            f"  failed files and their reasons: {ERRORS_REPORT} of {few(list(failing), 10)} "
            f"({folder / '*' / ERRORS_REPORT})"
        )
    if short:
        lines.append(
            f"  files skipped as shorter than one window: {SHORT_REPORT} of "
            f"{few(list(short), 10)} ({folder / '*' / SHORT_REPORT}); --tail pad embeds them"
        )
    return lines


def completion_report(folder: str | os.PathLike, *, verify: bool = False) -> tuple[str, bool]:
    """The line ``eegpt info`` ends with for a run folder (or a folder of ``--part`` run
    folders) whose run did not finish, and whether the folder counts as complete for its exit
    status (False: ``eegpt info`` exits 3); ``""`` and True for a complete one.

    A run folder with files pending or planned shards missing is not complete: stopped or
    killed before its last shard (run the same command again), or a run in progress (its lock
    held). A run in progress makes it incomplete for ``verify`` only (``eegpt info --verify``
    asks whether the corpus is whole; plain ``eegpt info`` takes it as one table so far, as it
    does a part still running). For a folder of parts, plain ``eegpt info`` has said this per
    part already (:func:`parts_report`, which returns False for a part stopped early), so the
    line is added for ``verify`` only; parts missing are :func:`parts_report`'s too."""
    folder = Path(folder)
    runs = run_folders(folder)
    parent = bool(runs)
    pending = missing = planned = 0
    stopped: list[str] = []  # run folders stopped before their last shard
    running: list[str] = []  # run folders with a run in progress and work left
    for run in runs or [folder]:
        try:
            manifest = read_run_manifest(run)
        except (OSError, ValueError):  # said by the report already
            continue
        progress = _progress(run, manifest)
        n_shards = manifest.get("n_shards")
        left = max(0, n_shards - progress.present) if isinstance(n_shards, int) else 0
        if not (progress.totals.get("pending", 0) or left):
            continue
        pending += progress.totals.get("pending", 0)
        missing, planned = missing + left, planned + (n_shards or 0)
        (running if progress.running else stopped).append(run.name)
    if not stopped and not (running and verify):
        return "", True
    if parent and not verify:
        return "", False  # parts_report named the parts stopped
    counts = f"{_count(pending, 'file')} pending, {missing} of {_count(planned, 'shard')} missing"
    where = f" in {few(stopped + running, 10)}" if parent else ""
    if not stopped:
        return (
            f"  not complete: {'runs are' if len(running) > 1 else 'a run is'} in progress{where} "
            f"({counts}); wait for {'them' if len(running) > 1 else 'it'} to end, then check "
            "again",
            False,
        )
    again = (
        "run the same embed-dataset command again"
        if not parent
        else f"run the same embed-dataset command of {few(stopped, 10)} again"
    )
    busy = f" ({few(running, 10)} still running)" if running else ""
    return f"  not complete: {counts}{where}{busy}; {again}", False


def _manifest_runs(manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A manifest's runs, oldest first (``last_run`` alone in manifests from before ``runs``)."""
    runs = manifest.get("runs")
    if isinstance(runs, list):
        return runs
    return [manifest["last_run"]] if isinstance(manifest.get("last_run"), Mapping) else []


def _threads_text(run: Mapping[str, Any]) -> str:
    """What ``eegpt info`` says of a run's reader processes (``workers``) and torch threads
    (``torch_threads``, and ``reader_torch_threads`` of each reader): ``, 2 reader processes
    (1 torch thread each), 8 torch threads``; nothing for runs from before they were
    recorded."""
    text = ""
    workers = run.get("workers")
    if isinstance(workers, int):
        text += ", no reader process" if not workers else f", {workers} reader process"
        text += "es" if workers > 1 else ""
        if workers and run.get("reader_torch_threads"):
            text += f" ({_count(run['reader_torch_threads'], 'torch thread')} each)"
    if run.get("torch_threads"):
        text += f", {_count(run['torch_threads'], 'torch thread')}"
    return text


def _batch_text(run: Mapping[str, Any]) -> str:
    """What ``eegpt info`` says of a run's ``batch_size``: the windows per forward pass given,
    used for every file; null, none given: the default for each file's channel count (and the
    device); nothing for runs from before it was recorded."""
    if run.get("batch_size"):
        return f", batches of {run['batch_size']}"
    if "batch_size" in run:
        return ", default batch size for each file's channel count"
    return ""


def _fused_text(run: Mapping[str, Any]) -> str:
    """What ``eegpt info`` says of a run's ``fused``: which path of the encoder embedded its
    windows (the fast one, or the reference one: ``model.fused`` off, hooks on the encoder, a
    wrapped layer; the same function to float32 rounding); nothing for runs that embedded
    nothing or from before it was recorded."""
    if run.get("fused") is True:
        return ", fast path (fused)"
    if run.get("fused") is False:
        return ", reference path (not fused)"
    return ""


def _stim_events_line(spec: dict[str, Any]) -> list[str]:
    """The run's ``--events-from-stim`` setting (``spec["events_from_stim"]``) as a line of
    :func:`describe_output`; none without it."""
    record = spec.get("events_from_stim")
    if not isinstance(record, dict):
        return []
    from eegpt.stim_events import StimEvents  # imports no MNE

    options = StimEvents.from_record(record).options
    return [f"  events: each recording's stim channel events made annotations ({options})"]


def describe_output(output_dir: str | os.PathLike) -> str:
    """What a folder written by :func:`embed_dataset` holds, in a few lines (``eegpt info``):
    files done, failed and pending, windows, the model and settings, and its runs."""
    return output_report(output_dir)[0]


def _changed_lines(output_dir: Path, n: int) -> list[str]:
    """``eegpt info`` lines on the ``n`` embedded recordings that a resumed run found changed
    since they were embedded (the ``changed`` column of the files report): their names,
    and how to embed them again."""
    try:
        with open(output_dir / FILES_REPORT, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r.get("changed")]
    except OSError:
        rows = []
    shards = sorted({shard_name(int(r["shard"])) for r in rows})
    named = few([f"{r['recording_id']} ({r['changed']})" for r in rows], 5)
    return [
        f"  CHANGED since embedded: {_count(n, 'recording')}, whose rows were computed from "
        f"earlier contents of the files: {named or f'see {FILES_REPORT}'}",
        f"    to embed {'it' if n == 1 else 'them'} again, delete "
        f"{few(shards, 5) or 'their shards'} and run the same command again",
    ]


def _channel_settings(channels: Mapping[str, Any], manifest: Mapping[str, Any]) -> str:
    """The run's channel settings in one line: a rename of more than a few entries (a cap's
    table, a file's) as where it came from, as the last run recorded it
    (:func:`eegpt.channels.table_provenance`), and its number of entries, not each entry."""
    runs = manifest.get("runs") or [manifest.get("last_run") or {}]
    source = (runs[-1] or {}).get("rename_source")
    parts = []
    for key, value in channels.items():
        if key == "rename" and isinstance(value, Mapping) and (source or len(value) > 8):
            where = f"{source}, " if source else ""
            value = f"({where}{len(value)} {'entry' if len(value) == 1 else 'entries'})"
        parts.append(f"{key} {value}")
    return ", ".join(parts)


def rescale_per_file_line(manifest: Mapping[str, Any]) -> list[str]:
    """The ``eegpt info`` line of a run whose manifest gave recordings their own ``rescale``
    (a correction of the samples as read, multiplied with the run-wide ``--rescale`` that
    the preprocessing line's ``scale`` holds): ``rescale per file, from the manifest: 1e-06
    (120 files), 0.001 (3 files); each multiplies ...``, counted by factor (its ``rescale_per_file``; empty cells
    count as 1); where a manifest of an earlier version did not count them, that the column
    gave them. None for a run without a ``rescale`` column."""
    counts = manifest.get("rescale_per_file")
    said = "  rescale per file, from the manifest"
    note = "; each multiplies the preprocessing's scale above"
    if isinstance(counts, Mapping) and counts:
        parts = []
        for factor, n in counts.items():
            try:
                value = f"{float(factor):g}"
            except ValueError:  # not written by eegpt: shown as it is
                value = str(factor)
            parts.append(f"{value} ({_count(int(n), 'file')})")
        return [f"{said}: {', '.join(parts)}{note}"]
    columns = ((manifest.get("spec") or {}).get("inputs") or {}).get("metadata_columns") or []
    if "rescale" in columns:  # recorded before the counts were: the column of each row
        return [f"{said}'s rescale column, in each row (not counted by earlier versions){note}"]
    return []


def _own_starts_line(spec: Mapping[str, Any]) -> list[str]:
    """The ``eegpt info`` line of a run whose manifest gave recordings their own first
    window's onset (a ``start_seconds`` column): where each one's is recorded."""
    if "start_seconds" not in ((spec.get("inputs") or {}).get("metadata_columns") or []):
        return []
    start = (spec.get("preprocessing") or {}).get("start_seconds") or 0
    return [
        "  start_seconds per recording: the manifest's start_seconds column (a column of "
        f"each row); {seconds_text(float(start))} s (--start) for the files it leaves empty "
        "(null there)"
    ]


def output_report(output_dir: str | os.PathLike) -> tuple[str, bool]:
    """:func:`describe_output`, and whether the folder needs no attention as far as its
    reports and its shards' ends tell: False (``eegpt info`` exits 3, as ``embed-dataset``
    does) when files failed, when the last run found embedded recordings changed since, or
    when a shard is no whole Parquet file (:func:`~eegpt.shard_checks.cut_shards`: cut
    short, found without reading its data)."""
    output_dir = Path(output_dir)
    try:
        manifest = read_run_manifest(output_dir)  # damaged: its own error, naming it
    except OSError as err:
        raise ValueError(f"{output_dir} has no readable {MANIFEST}: {err}") from err
    spec, totals = manifest.get("spec", {}), manifest.get("totals", {})
    model, ckpt, prep = (
        spec.get("model", {}),
        spec.get("checkpoint", {}),
        spec.get("preprocessing", {}),
    )
    n_files = manifest.get("n_files", 0)
    progress = _progress(output_dir, manifest)
    lines = [
        f"{output_dir}: embeddings of {_count(n_files, 'file')} from {manifest.get('source')} "
        f"({manifest.get('format')})",
        f"  files: {totals.get('ok', 0)} ok, {totals.get('failed', 0)} failed, "
        f"{_too_short_count(totals)}{totals.get('pending', 0)} pending; shards {len(manifest.get('shards_done', []))} of "
        f"{manifest.get('n_shards')} done",
        f"  windows: {totals.get('windows', 0)} ({totals.get('hours', 0.0):.3g} h of EEG), "
        f"{totals.get('windows_left_out', 0)} left out over bad annotations",
        f"  model: embed_dim {model.get('embed_dim')}, depth {model.get('depth')}, "
        f"{model.get('embed_num')} summary tokens; "
        + (  # weights changed after loading: their fingerprint, as .npz outputs record it
            f"weights modified after loading, weights_sha256 {ckpt['weights_sha256']}"
            if ckpt.get("weights_modified") and ckpt.get("weights_sha256")
            else f"checkpoint sha256 {ckpt.get('sha256')}"
            # the weights' encoder fingerprint (recorded since 2026-12-07), as eegpt info of
            # an output and of the weights show it
            + (
                f", encoder fingerprint {str(ckpt['weights_sha256'])[:12]}..."
                if ckpt.get("weights_sha256")
                else ""
            )
            # weights the file stores in half precision, as eegpt info of an output says it
            + (
                f", weights stored as {ckpt['stored_dtype']} (run in float32)"
                if ckpt.get("stored_dtype")
                else ""
            )
        )
        + (" (NOT pretrained)" if ckpt.get("pretrained") is False else ""),
        f"  embedding: {spec.get('embedding_shape')} per window (pool {spec.get('pool')}), "
        f"precision {spec.get('precision')}"
        + (f", stream {spec['stream_precision']}" if spec.get("stream_precision") else ""),
        # the totals counted from the shard footers where the reports are behind them
        *batch_size_line(progress.totals, [r for r in _manifest_runs(manifest) if not is_check(r)]),
        describe_preprocessing(prep),
        *rescale_per_file_line(manifest),
        *_own_starts_line(spec),
        "  channels: " + _channel_settings(spec.get("channels", {}), manifest),
        *_stim_events_line(spec),
    ]
    layout = int(spec.get("layout", 1))
    if layout < 5 and time_base_unrecorded(shard_files(output_dir)):  # a few footers read
        lines.append(
            f"  shards of layout {layout} have no clock_s/clock_time columns, and "
            f"{TIME_BASE_UNRECORDED}: eegpt export gives clock_s from the onsets alone and "
            "no clock_time; embed the recordings again for their clock"
        )
    elif layout < 5:  # a run started before the clock columns, resumed in its own layout
        lines.append(
            f"  shards of layout {layout} have no clock_s/clock_time columns: eegpt export or "
            "load_embeddings(...).clock_times(absolute=True) give them"
        )
    lines.append(_flagged_line(output_dir, layout))
    # what was done to the recordings before eegpt: filters, reference, baseline ...
    lines += provenance_lines(_footer_statuses(output_dir))
    present, running, counted = progress.present, progress.running, progress.counted
    recount = progress.totals if progress.recounted else None
    if recount is not None:  # reports refresh every 30 s: the shards are the truth
        lines[1] = (
            f"  files: {recount['ok']} ok, {recount['failed']} failed, "
            f"{_too_short_count(recount)}{recount['pending']} pending; shards {present} of "
            f"{manifest.get('n_shards')} done (counted from the shard files: the reports "
            + ("refresh every 30 s)" if running else "predate a run that was stopped; the next "
               "run updates them)")
        )  # fmt: skip
        lines[2] = (
            f"  windows: {recount['windows']} ({recount['hours']:.3g} h of EEG), "
            f"{recount['windows_left_out']} left out over bad annotations"
        )
        totals = recount
    if running:
        lines.insert(2, "  a run is in progress (its reports refresh every 30 s)")
    if recount is None and present > counted:
        lines.insert(2, f"  ({_count(present, 'shard file')} there: the counts above predate the "
                        "last of them)")  # fmt: skip
    elif present < counted:
        lines.insert(2, f"  (only {present} of the {counted} shard files the counts above include "
                        "are there: deleted since? The next run embeds their files again)")  # fmt: skip
    lines += partial_lines(output_dir, manifest, running)
    anonymized = manifest.get("anonymized")
    if anonymized:  # eegpt anonymize: its paths lead nowhere, so it cannot be resumed
        lines.append(f"  {anonymized_text(anonymized)}: not resumable")
    calls = manifest.get("runs") or ([manifest["last_run"]] if manifest.get("last_run") else [])
    runs = [c for c in calls if not is_check(c)]  # checks embedded nothing: said apart
    # runs of an eegpt that recorded no version per run: the manifest's, which that eegpt wrote
    version = _manifest_version(manifest, calls)
    for run in runs[-3:]:
        this = running and run is calls[-1]  # the run in progress
        done = (
            f"{_count(run.get('shards_written') or 0, 'shard')} written in "
            f"{run.get('elapsed_s', 0.0):.1f} s"
        )
        if this:  # its record is of its start (or of its last report): the folder's truth
            done = _in_progress_text(run, progress, manifest.get("n_shards"))
        elif run.get("ended") is False:
            done = "did not finish (killed?)"
        elif run.get("stopped"):  # runs from before it was recorded say nothing of it
            done = f"{stop_text(run['stopped'])} after {done}"
            if run is calls[-1] and progress.unfinished:
                done += "; run the same command again to finish"
        devices = ", ".join(run.get("devices") or [])  # none recorded by a run killed early
        lines.append(
            f"  run {run.get('started')}: {run.get('engine')}"
            + (f" on {devices}" if devices else "")
            + (f" of {run['host']}" if run.get("host") else "")
            + (f" (SLURM job {slurm_job(run)})" if run.get("slurm_job_id") else "")
            + _threads_text(run)
            + _batch_text(run)
            + _fused_text(run)
            + (
                ", full SHA-256 of the files embedded (--hash-inputs)"
                if run.get("hash_inputs")
                else ""
            )
            + f", {done} ({_versions_text(run, version)})"
        )
        if run.get("command"):  # command-line runs: how to run it again (long ones cut)
            lines.append(f"    made by: {command_text(run['command'])}")
    if len(runs) > 3:
        lines.append(f"  ({len(runs) - 3} earlier runs in {MANIFEST})")
    checks = [c for c in calls if is_check(c)]
    lines += _check_lines(
        checks, len(runs), running=running and bool(checks) and calls[-1] is checks[-1]
    )
    if totals.get("failed"):
        lines.append(f"  failed files and their reasons: {output_dir / ERRORS_REPORT}")
    if totals.get(TOO_SHORT):
        lines.append(f"  {too_short_note(totals[TOO_SHORT], output_dir)}")
    if totals.get("changed"):
        lines += _changed_lines(output_dir, totals["changed"])
    copies = manifest.get("copies")
    if copies:  # by the fingerprints of the files' statuses (embed_dataset's warning)
        lines.append(
            f"  {_count(copies, 'recording')} {'is a copy' if copies == 1 else 'are copies'} of "
            "another (the same size and content fingerprint): the same windows under two "
            "recording ids, perhaps two subjects; eegpt.read_embeddings names them"
        )
    cut = cut_shards_line(shard_files(output_dir))  # a few bytes of each: no data read
    if cut:
        lines.append(cut)
    lines += channel_sets_lines([output_dir], [spec])
    lines += warning_lines([output_dir])
    lines.append(f"  read with: pandas.read_parquet({str(output_dir)!r}) or "
                 "eegpt.read_embeddings")  # fmt: skip
    return "\n".join(lines), not (totals.get("changed") or totals.get("failed") or cut)


def channel_sets_lines(folders: Sequence[Path], specs: Sequence[Mapping[str, Any]]) -> list[str]:
    """``eegpt info``'s line saying that the recordings of run ``folders`` (their
    ``_files.csv``) were embedded with different channel sets, as ``read_embeddings`` warns
    (:func:`~eegpt.run_channel_sets.channel_sets_text`), with the advice for the runs' channel
    settings (``specs``' ``channels.keep``, each run's; where some runs kept one set and
    others did not, the advice for each, :func:`~eegpt.run_channel_sets.keep_of_runs`); none for
    one set."""
    sets = _channel_sets_of(folders)
    listed = channel_sets_text(sets)
    if not listed:
        return []
    advice = channel_sets_advice(keep_of_runs(specs), grouped_channel_sets(sets))
    return [f"  the recordings use {listed}. {advice}."]


def _manifest_version(manifest: Mapping[str, Any], calls: Sequence[Mapping[str, Any]]) -> str:
    """The eegpt version of runs that record none, from the manifest's top-level
    ``eegpt_version`` (of the eegpt that wrote it last), where no run records one: then that
    eegpt wrote every run there (a later one records its own); "?" otherwise."""
    if any(call.get("eegpt_version") for call in calls):
        return "?"
    return str(manifest.get("eegpt_version") or "?")


def _versions_text(run: Mapping[str, Any], version: str = "?") -> str:
    """The versions an entry of a manifest's ``runs`` records, as ``eegpt info`` lists them:
    ``eegpt 0.1.0 (changes to 2026-12-07), python 3.11.7, torch 2.3.0, ...`` (the changes:
    the newest CHANGELOG.md section its eegpt includes, ``eegpt_changes``, recorded since
    2026-12-07; torch's alone for runs from before all were recorded; ``version`` where it
    records no eegpt version: :func:`_manifest_version`)."""
    software = run.get("software") or (
        {"torch": run["torch_version"]} if run.get("torch_version") else {}
    )
    changes = f" (changes to {run['eegpt_changes']})" if run.get("eegpt_changes") else ""
    return f"eegpt {run.get('eegpt_version') or version}{changes}" + "".join(
        f", {name} {version}" for name, version in software.items()
    )


def _check_lines(
    checks: Sequence[Mapping[str, Any]], n_runs: int, *, running: bool = False
) -> list[str]:
    """``eegpt info``'s line on the checks of a run folder (:data:`CHECK`: reruns of the
    finished folder that found nothing left to embed, so wrote no shard): the latest (when,
    where, what it found changed, its versions; ``running``: it is in progress) and how many
    there were, none of them counted among the ``n_runs`` runs; none where the folder was
    never checked."""
    if not checks:
        return []
    last = checks[-1]
    changed = last.get("changed")
    found = f", found {_count(int(changed), 'recording')} CHANGED since embedded" if changed else ""
    stopped = f" ({stop_text(last['stopped'])})" if last.get("stopped") else ""
    if last.get("ended") is False and not running:
        stopped = " (did not finish: killed?)"
    counted = (
        f"; {_count(len(checks), 'check')} in all, not counted among the {_count(n_runs, 'run')}"
        if len(checks) > 1
        else ""
    )
    return [
        f"  checked {last.get('started')}"
        + (f" on {last['host']}" if last.get("host") else "")
        + f": nothing left to embed, no shard written{found}{stopped} ({_versions_text(last)})"
        + counted
    ]


#: Characters of a run's recorded command that ``eegpt info`` shows (a shell glob expanded to
#: thousands of files would fill the screen); the middle of a longer one is left out.
COMMAND_WIDTH = 240


def command_text(words: Sequence[str]) -> str:
    """A recorded command line (the ``eegpt`` command's arguments, URLs without credentials)
    as ``eegpt info`` shows it: ``eegpt`` and the arguments quoted for a POSIX shell, its
    middle left out past :data:`COMMAND_WIDTH` characters (keeping the command and its
    output folder, usually at the end)."""
    return cut_in_the_middle("eegpt " + shlex.join(str(w) for w in words), COMMAND_WIDTH)


@dataclass(frozen=True)
class _FolderProgress:
    """How far a run folder got, as ``eegpt info`` counts it (the folder and its parent)."""

    totals: dict[str, Any]  # the manifest's totals, or those counted from the shard footers
    present: int  # shard files in the folder
    counted: int  # shards the manifest's reports count
    recounted: bool  # totals counted from the shard footers (reports behind the shards)
    running: bool  # a run holds the folder's lock
    unfinished: bool  # none is running and files are pending or shards missing
    killed: bool  # the last run did not end (killed: its reports are behind)
    # how the last run was stopped, where it recorded it and files are left: "interrupted"
    # (Ctrl-C), "terminated" (SIGTERM) or an error's class; None otherwise
    stopped: str | None = None


def _progress(output_dir: Path, manifest: Mapping[str, Any]) -> _FolderProgress:
    """The progress of the run folder ``output_dir`` whose manifest is ``manifest``: its
    totals counted from the shard files' footers where the reports (refreshed every 30 s, so
    stale after a kill) count fewer shards than are there."""
    totals = dict(manifest.get("totals") or {})
    present = len(shard_files(output_dir))
    counted = len(manifest.get("shards_done") or [])
    running = FolderLock.held(output_dir)
    recount = _shard_totals(output_dir, manifest.get("n_files", 0)) if present > counted else None
    runs = manifest.get("runs") or ([manifest["last_run"]] if manifest.get("last_run") else [])
    n_shards = manifest.get("n_shards")
    if recount is not None:  # the files marked changed are the reports' (footers lack it)
        totals = {**totals, **recount, "changed": totals.get("changed", 0)}
    # stopped before its last shard: killed, or stopped by SIGTERM (a time limit), Ctrl-C or
    # an error, which end the run (its reports say so) with files pending
    unfinished = not running and (
        totals.get("pending", 0) > 0 or (n_shards is not None and present < n_shards)
    )
    killed = unfinished and bool(runs) and runs[-1].get("ended") is False
    stopped = runs[-1].get("stopped") if unfinished and runs and not killed else None
    return _FolderProgress(
        totals=totals,
        present=present,
        counted=counted,
        recounted=recount is not None,
        running=running,
        unfinished=unfinished,
        killed=killed,
        stopped=stopped,
    )


def _footer_statuses(output_dir: Path) -> list[dict[str, Any]]:
    """The file statuses in a run folder's shard footers; shards whose footers cannot be read
    are left out (``eegpt info`` names them)."""
    statuses: list[dict[str, Any]] = []
    for shard in shard_files(output_dir):
        try:
            _, status = read_shard_status(shard)
        except (OSError, ValueError):
            continue
        statuses += status.get("files", [])
    return statuses


def flagged_count(output_dir: Path) -> int | None:
    """The windows of a run folder's shards over a flat or clipped stretch (the ``flagged``
    column), counted from their footers' file statuses (``n_windows_flagged``, recorded with
    the flags: layout 6 on); None where no file recorded them (older layouts, epochs only).
    Shards whose footers cannot be read are left out (``eegpt info`` names them)."""
    counts = []
    for shard in shard_files(output_dir):
        try:
            _, status = read_shard_status(shard)
        except (OSError, ValueError):
            continue
        files = status.get("files", [])
        counts += [int(f["n_windows_flagged"]) for f in files if "n_windows_flagged" in f]
    return sum(counts) if counts else None


def _epochs_embedded(output_dir: Path) -> bool:
    """Whether the readable shards of a run folder hold a recording embedded (status ok):
    shards of layout 6 on whose flags count nothing (:func:`flagged_count`) then hold epochs,
    which have no per-window flags."""
    for shard in shard_files(output_dir):
        try:
            _, status = read_shard_status(shard)
        except (OSError, ValueError):
            continue
        if any(f.get("status") == "ok" for f in status.get("files", [])):
            return True
    return False


def _flagged_line(output_dir: Path, layout: int) -> str:
    """What ``eegpt info`` says of a run's flagged windows (:func:`flagged_count`), or that
    its shards do not record them (layout 5 or before: a run started before they did; epochs,
    which have none), or that there is nothing to count yet (no shard written yet: a run's
    first seconds; or no recording embedded in the shards)."""
    if layout < 6:
        return (
            f"  flagged windows (flat or clipped channels): not recorded (shards of layout "
            f"{layout}, from before eegpt wrote the flags; embed into a new folder for them)"
        )
    n = flagged_count(output_dir)
    if n is None and not shard_files(output_dir):  # a run's first seconds, or shards deleted
        return "  flagged windows (flat or clipped channels): none counted, no shard written yet"
    if n is None and not _epochs_embedded(output_dir):  # all failed, or footers unreadable
        return (
            "  flagged windows (flat or clipped channels): none counted, no recording "
            "embedded in the shards that can be read"
        )
    if n is None:
        return "  flagged windows (flat or clipped channels): not recorded (epochs)"
    return (
        f"  flagged windows (flat or clipped channels): {n} (the flagged column; "
        "table[~table.flagged] of read_embeddings leaves them out)"
    )


def _in_progress_text(
    run: Mapping[str, Any], progress: _FolderProgress, n_shards: int | None
) -> str:
    """What ``eegpt info`` says of the run in progress in a folder (``run``: its entry of
    the manifest's ``runs``, written as it started and refreshed every 30 s): ``in progress
    for 0:12:05; in the folder: 2 of 3 shards written, 5 files done``, counted from the
    folder (``progress``: its shard files, and their footers where the reports are behind),
    earlier runs' shards and files included: not this run's alone."""
    since = _seconds_since(run.get("started"))
    totals = progress.totals
    files = sum(int(totals.get(k) or 0) for k in ("ok", "failed", TOO_SHORT))
    return (
        "in progress"
        + (f" for {duration_text(since)}" if since is not None else "")
        + f"; in the folder: {progress.present} of {_count(n_shards or 0, 'shard')} written, "
        f"{_count(files, 'file')} done"
    )


def _seconds_since(started: Any) -> float | None:
    """Seconds from ``started`` (a run's start as the manifest's ``runs`` record it, ISO 8601
    with its UTC offset) to now; None where it cannot be read."""
    try:
        return time.time() - datetime.strptime(str(started), "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except ValueError:
        return None


def partial_lines(
    output_dir: Path, manifest: Mapping[str, Any], running: bool = False
) -> list[str]:
    """``eegpt info``'s lines on the shards a stopped run left part-way in ``output_dir``
    (their partial files, :func:`~eegpt.dataset_folders.partial_name`; not shards: no reader
    reads them): ``shard 3 stopped part-way: 5 of 8 files kept for the resume``, each; none
    where there is none. A partial file beside its written shard (a run killed between the
    two, or one a stopped ``--retry-failed`` run left) and one a run in progress (``running``)
    is finishing are said to be that. And the windows embedded so far of a recording read in
    parts that a run stopped inside (:func:`_kept_windows_lines`)."""
    size = int((manifest.get("spec") or {}).get("shard_size") or 0)
    n_files = int(manifest.get("n_files") or 0)
    lines = []
    for k, path, kept in _partials(output_dir):
        of = f" of {max(0, min(size, n_files - k * size))}" if size else ""
        if kept is None:  # an unreadable footer: its files are redone
            lines.append(
                f"  shard {k} stopped part-way, but {path.name} is unreadable: the next run "
                "embeds its files again"
            )
            continue
        if (output_dir / shard_name(k)).exists():
            lines.append(
                f"  shard {k} is written; {path.name} beside it holds {kept} files: used by "
                "--retry-failed where the shard records them as failed, else removed by the "
                "next run"
            )
        elif running:
            lines.append(
                f"  shard {k}: {kept}{of} files kept from an earlier stop, being finished by "
                f"the run in progress ({path.name})"
            )
        else:
            lines.append(
                f"  shard {k} stopped part-way: {kept}{of} files kept for the resume ({path.name})"
            )
    return lines + _kept_windows_lines(output_dir, running)


def _kept_windows_lines(output_dir: Path, running: bool = False) -> list[str]:
    """``eegpt info``'s lines on the windows embedded so far of the recordings read in parts
    that a run stopped inside kept in ``output_dir`` (hidden files named by
    :func:`~eegpt.dataset_folders.kept_windows_name`; no reader reads them):
    ``b.edf stopped part-way: 12 of 30 windows kept for the resume``, each recording named by
    the files report's recording ids (else by its hidden file's name); those a run in progress
    (``running``) is embedding are said to be that."""
    from eegpt._partial_embeddings import kept_counts

    stems = sorted(
        {
            name.rsplit(".eegpt-partial.", 1)[0].lstrip(".")
            for name in (p.name for p in output_dir.iterdir())
            if KEPT_WINDOWS.match(name)
        }
    )
    if not stems:
        return []
    rows = files_report_rows(output_dir) or []  # none where it cannot be read
    named = {kept_windows_name(i): i for i in (r.get("recording_id") for r in rows) if i}
    lines = []
    for stem in stems:
        which = named.get(stem, f".{stem}.eegpt-partial.rows")
        counts = kept_counts(output_dir / stem)
        if counts is None:  # killed before its first record: the next run embeds it again
            lines.append(
                f"  {which}: windows embedded so far kept, but not recorded (killed before "
                "they were): the next run embeds it again"
            )
        elif running:
            lines.append(
                f"  {which}: {counts[0]} of {_count(counts[1], 'window')} embedded so far, "
                "by the run in progress (read in parts)"
            )
        else:
            lines.append(
                f"  {which} stopped part-way: {counts[0]} of {_count(counts[1], 'window')} "
                "kept for the resume (read in parts; no shard holds them yet)"
            )
    return lines


def _partials(output_dir: Path) -> list[tuple[int, Path, int | None]]:
    """``(shard, path, files kept)`` of each partial file in ``output_dir``, by shard; the
    count None where its footer cannot be read."""
    found = []
    for path in sorted(output_dir.iterdir()):
        m = PARTIAL.match(path.name)
        if not m:
            continue
        try:
            kept: int | None = len(read_shard_status(path)[1]["files"])
        except Exception:  # noqa: BLE001 - any unreadable footer
            kept = None
        found.append((int(m.group(1)), path, kept))
    return found


def _kept_text(output_dir: Path) -> str:
    """``; 3 files kept in a partial shard`` for the part lines of a folder of parts: the
    files a stopped run kept for its resume (none beside a written shard); "" where none."""
    kept = sum(
        n or 0 for k, _, n in _partials(output_dir) if not (output_dir / shard_name(k)).exists()
    )
    return f"; {_count(kept, 'file')} kept in a partial shard for the resume" if kept else ""


def stop_text(stopped: str | None) -> str:
    """How ``eegpt info`` names the way a run was stopped (``stopped`` of its entry in the
    manifest's ``runs``): by Ctrl-C, by SIGTERM, by an error; plain "stopped" for a run that
    did not record it (from before eegpt recorded it)."""
    if stopped == "interrupted":
        return "stopped by Ctrl-C"
    if stopped == "terminated":
        return "stopped by SIGTERM (a time limit?)"
    return f"stopped by an error ({stopped})" if stopped else "stopped"


def _shard_totals(output_dir: Path, n_files: int) -> dict[str, Any] | None:
    """The totals of a run's files (as ``_manifest.json`` records them) counted from the file
    statuses in its shards' footers, the rest pending: the truth after a run was stopped
    before its reports caught up. None where a shard cannot be read."""
    try:
        rows = [f for p in shard_files(output_dir) for f in read_shard_status(p)[1]["files"]]
    except Exception:  # noqa: BLE001 - one being written, or damaged: the reports' counts
        return None
    pending = {"status": "pending", "n_windows": 0, "duration_s": None}
    return file_totals(rows + [pending] * max(0, n_files - len(rows)))


def slurm_job(run: Mapping[str, Any]) -> str:
    """A run's SLURM job as ``eegpt info`` names it: ``123``, or ``120_3`` for task 3 of
    array job 120 (SLURM's own notation)."""
    if run.get("slurm_array_job_id") and run.get("slurm_array_task_id") is not None:
        return f"{run['slurm_array_job_id']}_{run['slurm_array_task_id']}"
    return str(run["slurm_job_id"])


def file_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The totals a run's manifest records of its file statuses (rows of the files report):
    files ok, failed, too short, pending and changed since embedded, and the windows and hours
    of EEG of the files embedded."""
    ok = [r for r in rows if r["status"] == "ok"]
    return {
        "ok": len(ok),
        "failed": sum(r["status"] == "failed" for r in rows),
        TOO_SHORT: sum(r["status"] == TOO_SHORT for r in rows),
        "pending": sum(r["status"] == "pending" for r in rows),
        "changed": sum(bool(r.get("changed")) for r in ok),
        "windows": int(sum(r["n_windows"] for r in ok)),
        "windows_left_out": int(sum(r.get("n_windows_left_out") or 0 for r in ok)),
        # of the files embedded (read: their length known; null only in a file not read)
        "hours": float(sum(r.get("duration_s") or 0.0 for r in ok) / 3600),
        "batch_sizes": _batch_sizes(ok),
        # embedded (windows) by a run from before eegpt recorded the batch size
        "batch_size_unrecorded": sum(
            bool(r["n_windows"]) and not isinstance(r.get("batch_size"), int) for r in ok
        ),
    }


def _batch_sizes(ok: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The windows per forward pass of the recordings embedded (``ok``: their statuses), as a
    manifest's totals record them: by batch size, the recordings embedded so and their
    channel counts (``{"8": {"recordings": 1200, "channels": [19]}}``); statuses of runs from
    before it was recorded have none, and are not counted."""
    sizes: dict[int, dict[str, Any]] = {}
    for r in ok:
        size = r.get("batch_size")
        if not isinstance(size, int):
            continue
        entry = sizes.setdefault(size, {"recordings": 0, "channels": set()})
        entry["recordings"] += 1
        entry["channels"].add(len(r.get("channels") or ()))
    return {
        str(size): {"recordings": e["recordings"], "channels": sorted(e["channels"])}
        for size, e in sorted(sizes.items(), key=lambda kv: (-kv[1]["recordings"], kv[0]))
    }


def batch_size_line(totals: Mapping[str, Any], runs: Sequence[Mapping[str, Any]]) -> list[str]:
    """``eegpt info``'s line on the windows per forward pass the recordings of a run folder
    were embedded in (the last bits of the embeddings can change with it), from its totals'
    ``batch_sizes`` (:func:`_batch_sizes`): ``batch size 8 (default for 19 channels)``, or
    where they differ ``batch sizes 8 (1200 recordings), 4 (30)``; "not recorded" for those
    embedded by runs from before eegpt recorded it (``runs``: the manifest's, whether any
    gave one). None where no recording was embedded. A recording without windows (all
    rejected, say) ran no batch: it counts as neither."""
    ok = int(totals.get("ok") or 0)
    sizes = totals.get("batch_sizes")
    sizes = sizes if isinstance(sizes, Mapping) else {}
    unrecorded = totals.get("batch_size_unrecorded")
    if not isinstance(unrecorded, int):  # a manifest of an earlier version
        unrecorded = ok - sum(int(e.get("recordings") or 0) for e in sizes.values())
    if not ok or not (sizes or unrecorded):
        return []
    default = not any(run.get("batch_size") for run in runs)  # none given: each its default

    def channels(e: Mapping[str, Any]) -> str:
        counts = ", ".join(str(c) for c in e.get("channels") or ())
        return f"{counts} channels" if counts else "its channels"

    if len(sizes) == 1 and not unrecorded:
        size, entry = next(iter(sizes.items()))
        why = f" (default for {channels(entry)})" if default else ""
        return [f"  batch size {size}{why}"]
    parts = []
    for i, (size, entry) in enumerate(sizes.items()):
        n = int(entry.get("recordings") or 0)
        counted = _count(n, "recording") if i == 0 else str(n)
        of = f" of {channels(entry)}" if default else ""
        parts.append(f"{size} ({counted}{of})")
    if unrecorded:
        parts.append(
            f"not recorded ({_count(unrecorded, 'recording')} embedded before eegpt recorded it)"
        )
    label = "batch sizes" if len(sizes) > 1 else "batch size"
    note = "; each the default for its channel count" if default and sizes else ""
    return [f"  {label} {', '.join(parts)}{note}"]


def warning_kinds(rows: list[dict[str, Any]]) -> tuple[dict[str, int], int]:
    """``({kind: number of files}, files with warnings)`` of the file rows, most common first.
    A kind is the check a warning names (``"amplitude check"``, ``"flat channel(s) check"``
    ...), or one of ``_WARNING_KINDS``, or "other"."""
    counts: Counter[str] = Counter()
    n = 0
    for row in rows:
        texts = row.get("warnings") or []
        texts = texts.split(" | ") if isinstance(texts, str) else texts
        kinds = {_warning_kind(text) for text in texts}
        counts.update(kinds)
        n += bool(kinds)
    return dict(counts.most_common()), n


_WARNING_KINDS = (  # (words in the text, kind) for warnings that name no check
    ("do not match the EEGPT vocabulary", "channels outside the vocabulary"),
    ("marked bad were left out", "bad channels left out"),
    ("embeddings are untrained", "untrained channel embeddings"),
    ("overlap annotations marked bad", "windows over bad annotations"),
    ("uses the ratio", "approximate resampling ratio"),
    ("outside its training distribution", "rates below 200 Hz (upsampled, top band empty)"),
    ("SSP projector", "unapplied projectors"),
    ("the file is truncated", "truncated files"),
    ("the recording was not closed", "files not closed properly"),
    ("a discontinuous ", "discontinuous files (gaps)"),  # EDF+D/BDF+D
    ("records show gaps", "discontinuous files (gaps)"),  # an EDF+C/BDF+C file with gaps
    ("recording was paused and resumed", "discontinuous files (gaps)"),  # BrainVision
    ("stored at different sampling rates", "channels at low rates"),
    ("so the samples cannot be scaled", "unscalable signals left out"),
    ("overlaps a window: another recording", "annotations given that fit no window"),
    ("hold none: not an annotation file", "annotations files holding none"),
    ("are the recording's own file", "annotations files that are the recording"),
    ("it was zero-padded into one window", "recordings shorter than a window, zero-padded"),
    ("where windows are cut (after resampling)", "starts moved to the nearest 256 Hz sample"),
    ("MNE-BIDS: ", "from MNE-BIDS"),
    ("MNE: ", "from MNE's reader"),
)


def _warning_kind(text: str) -> str:
    """The check a warning names (``"amplitude check"`` ...), or a kind from its words."""
    check = re.search(r"([a-z()]+(?: [a-z()]+)* check):", text)
    if check:
        return check[1]
    return next((kind for words, kind in _WARNING_KINDS if words in text), "other")


#: The kind (:func:`_warning_kind`) of the warning on DC offsets or drift far beyond the signal
#: (the offset check of :mod:`eegpt.signal_checks`), whose files ``eegpt info`` names.
OFFSET_CHECK = "offset check"

#: Files ``eegpt info`` names of those with an offset warning (the rest counted).
OFFSET_FILES_SHOWN = 5


def _recorded_warnings(folders: Sequence[Path]) -> tuple[list[tuple[str, list[str]]], int]:
    """``([(recording id, its warnings' texts)] for each file with warnings, files listed)``
    of the folders' :data:`FILES_REPORT` (its ``warnings`` column, texts joined by ``" | "``);
    a folder without a readable one is left out."""
    warned: list[tuple[str, list[str]]] = []
    n = 0
    for folder in folders:
        try:
            with open(folder / FILES_REPORT, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
        except (OSError, csv.Error, UnicodeDecodeError):
            continue
        n += len(rows)
        for row in rows:
            texts = [t for t in (row.get("warnings") or "").split(" | ") if t.strip()]
            if texts:
                warned.append((row.get("recording_id") or row.get("path") or "?", texts))
    return warned, n


def _offset_channels(texts: Sequence[str]) -> str:
    """How many channels an offset warning among ``texts`` names (``" (3 channels)"``), or
    ``""`` where its words are not the expected ones."""
    for text in texts:
        found = re.search(rf"{OFFSET_CHECK}: (\d+ channels?) carr", text)
        if found:
            return f" ({found[1]})"
    return ""


def warning_lines(folders: Sequence[Path]) -> list[str]:
    """``eegpt info``'s lines on the warnings the runs of ``folders`` recorded for their files
    (the ``warnings`` column of each :data:`FILES_REPORT`): how many files had any and of
    which kinds, as the end of the run says (:func:`warning_kinds`), then the files with an
    offset warning (DC offsets or drift far beyond the signal, which eegpt does not filter:
    their embeddings describe mostly the offsets), counted and the first few named with the
    number of channels each warning names. None where no file had a warning. Reads the
    reports only: no torch, MNE or SciPy."""
    warned, n_files = _recorded_warnings(folders)
    if not warned:
        return []
    kinds, n_warned = warning_kinds([{"warnings": texts} for _, texts in warned])
    several = len(folders) > 1  # a folder of runs: of all, parts or not (no parts' total)
    where = f"each run's {FILES_REPORT}" if several else str(folders[0] / FILES_REPORT)
    listed = ", ".join(f"{kind} {n}" for kind, n in kinds.items())
    lines = [
        f"  files with warnings{', all run folders here' if several else ''}: {n_warned} of "
        f"{n_files} ({listed}): the 'warnings' column of {where} has them in full"
    ]
    offsets = [
        f"{name}{_offset_channels(texts)}"
        for name, texts in warned
        if any(_warning_kind(t) == OFFSET_CHECK for t in texts)
    ]
    if offsets:
        lines.append(
            f"  {_count(len(offsets), 'file')} with offsets or drift far beyond the signal "
            f"({OFFSET_CHECK}): {few(offsets, OFFSET_FILES_SHOWN)}. eegpt does not filter, so "
            "their embeddings mostly describe the offsets: embed them again with --detrend "
            "linear (or high-pass filter them first)"
        )
    return lines
