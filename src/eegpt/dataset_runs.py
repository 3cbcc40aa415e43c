"""The run records of a corpus run's manifest.

:class:`DatasetRun` keeps ``_manifest.json`` and the report files (``_files.csv``, ``_errors.csv``,
``_too_short.csv``) up to date during a run, every :data:`_REPORT_EVERY_S` seconds, and records
the run in the manifest's ``runs`` (the last :data:`_RUNS_KEPT`: when, command, software
versions, Slurm job, how it stopped; a call that found nothing left to embed as a check, its
``kind``). Also the versions compared with those of earlier runs
(:func:`warn_other_versions`), a ``part`` run's corpus listing (``_corpus.csv``:
:func:`write_listing`, :func:`corpus_identity`) and a manifest's head read without its run
history (:func:`manifest_head`).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from eegpt import __version__
from eegpt._csv_text import csv_text
from eegpt._filenames import command_word
from eegpt._logging import command_record, recorded_command
from eegpt._logging import warn as _warn
from eegpt.api import CHANGES_DATE, software_versions
from eegpt.dataset_folders import (
    CORPUS_LISTING,
    ERRORS_REPORT,
    FILES_REPORT,
    MANIFEST,
    SHORT_REPORT,
    TOO_SHORT,
    read_run_manifest,
)
from eegpt.dataset_inputs import DatasetInputs, corpus_of
from eegpt.dataset_parts import LIST_INPUTS
from eegpt.dataset_report import CHECK, RUN, file_totals, is_check
from eegpt.dataset_summary import (
    DatasetProgress,
    DatasetSummary,
    dropped_channel_counts,
    embedded_channel_sets,
    left_out_channel_counts,
    renamed_outside,
    warning_kinds,
)
from eegpt.errors import OutputNotWritableError, disk_full
from eegpt.output_files import atomic_write
from eegpt.recording_copies import recorded_copies
from eegpt.run_specs import COMPARED_VERSIONS as _COMPARED_VERSIONS
from eegpt.run_specs import run_versions, unrecorded_changes
from eegpt.shard_writer import (
    FORMAT,
    naming_full_disk,
    write_csv_if_rows,
    write_json,
    write_report_csv,
)

_REPORT_EVERY_S = 30.0  # how often the report files are refreshed during a run


_RUNS_KEPT = 1000  # calls recorded in the manifest's "runs" (the oldest are let go)


def _copies_count(rows: Sequence[Mapping[str, Any]]) -> int:
    """How many of a run's embedded recordings copy one listed before them
    (:func:`~eegpt.recording_copies.recorded_copies`), for ``_manifest.json``'s ``copies``."""
    return sum(len(group) - 1 for group in recorded_copies(rows))


def _kept_calls(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The manifest's ``runs``, the last :data:`_RUNS_KEPT` of ``entries`` (oldest first); past
    that, the oldest checks are let go before any run, so that a folder checked daily keeps
    the runs that made its rows (and its latest check)."""
    excess = len(entries) - _RUNS_KEPT
    if excess <= 0:
        return entries
    checks = [i for i, e in enumerate(entries[:-1]) if is_check(e)][:excess]
    dropped = set(checks)
    return [e for i, e in enumerate(entries) if i not in dropped][-_RUNS_KEPT:]


def _previous_runs(output_dir: Path) -> list[dict[str, Any]]:
    """The calls recorded by the folder's manifest (a manifest from before the "runs" list:
    its last run), or none."""
    try:
        manifest = read_run_manifest(output_dir)
    except (OSError, ValueError):
        return []
    runs = manifest.get("runs")
    if isinstance(runs, list):
        return runs
    return [manifest["last_run"]] if isinstance(manifest.get("last_run"), dict) else []


def _rescale_record(inputs: DatasetInputs) -> dict[str, Any]:
    """The manifest's ``rescale_per_file`` of a run whose manifest has a ``rescale`` column
    (per-file corrections of the samples as read, :attr:`~eegpt.dataset_inputs.InputFile.rescale`,
    multiplied with ``--rescale``): how many of its files have each factor, by the factor
    (``{"1e-06": 120, "0.001": 3}``, empty cells as 1, most files first), for ``eegpt info``;
    none for other inputs."""
    if "rescale" not in inputs.metadata_columns:
        return {}
    counts = Counter(float(f.rescale) for f in inputs.files)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {"rescale_per_file": {repr(factor): n for factor, n in ordered}}


class DatasetRun:
    """Bookkeeping of one call: file statuses, report files, summary."""

    def __init__(
        self,
        output_dir: Path,
        inputs: DatasetInputs,
        shards: list[list[int]],
        spec: dict[str, Any],
        done: dict[int, list[dict[str, Any]]],
        *,
        engine: str,
    ) -> None:
        self.output_dir, self.inputs, self.shards, self.spec = output_dir, inputs, shards, spec
        self.engine = engine
        # windows per forward pass, recorded as the run's "batch_size": the value given, used
        # for every file; None where none was given: the default for each file's channel
        # count (64 on a GPU, on a CPU fewer the more channels; an .npz output records the
        # value used, one file having one channel count). Not in the spec: a resume may change it
        self.batch_size: int | None = None
        # which path of the encoder embedded this run's windows, recorded as the run's "fused"
        # (as an .npz output records it): True the fast path, False the reference path
        # (model.fused off, hooks on the encoder, a wrapped layer); None where it embedded
        # nothing. Not in the spec: both compute the same function, to float32 rounding
        self.fused: bool | None = None
        # embed-dataset --hash-inputs: the files it embeds have their full SHA-256 recorded
        self.hash_inputs = False
        self.command = recorded_command()  # the eegpt command's arguments; None from Python
        self.command_cwd = command_record().get("cwd")  # the folder they were given in
        self.devices: list[str] = []
        self.workers: int | None = None  # reader processes of the in-process engine
        self.skipped = len(done)
        self.written = 0
        self.files_done = 0  # files this run finished (embedded, failed or too short)
        self.status: dict[int, dict[str, Any]] = {}
        for files in done.values():
            for s in files:
                self.status[s["index"]] = s
        self.last_report = 0.0
        self.started = time.time()
        self.elapsed = 0.0
        self.ended = False  # recorded: a run killed before its end says False
        # how the run was stopped before its last file (recorded besides ``ended``):
        # "interrupted" (Ctrl-C), "terminated" (SIGTERM) or the class of the error; None
        # while it runs and for a run that finished
        self.stopped: str | None = None
        # (shard, files) of the shard in progress at a stop whose finished files were kept
        # in its partial file (ShardWriter.abort), for the resume; None where none was
        self.kept: tuple[int, int] | None = None
        # where this call's rename table came from (table_provenance): recorded by the run,
        # not in the spec, so that a table moved or named by another path resumes the run
        self.rename: dict[str, str] = {}
        self.previous_runs = _previous_runs(output_dir)
        self.read_only = False  # a finished run in a folder it cannot write: no reports
        # embedded recordings whose files changed since (what changed, by recording id):
        # their rows are of the earlier contents (the "changed" column of the files report)
        self.changed: dict[str, str] = {}
        # a call that found every shard done and nothing to embed (a rerun of a finished
        # folder): recorded as a "check", not as a run (:data:`CHECK`)
        self.check = False
        # with retry_failed: how many recordings the finished shards recorded as failed (0:
        # nothing to retry, which the summary says); None without
        self.retried: int | None = None

    @property
    def started_at(self) -> str:
        """When the run started, local time in ISO 8601 with its UTC offset: how the
        manifest's ``runs`` and the footers of the shards it writes name the run."""
        return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started))

    def shard_stamp(self) -> dict[str, Any]:
        """What each shard this run writes records of it in its footer (``eegpt_shard``'s
        ``run``): its start, as its entry in the manifest's ``runs`` says, and the versions
        that computed the rows (``eegpt_version``, ``torch_version`` and ``software``, all of
        :func:`~eegpt.api.software_versions`: scipy and MNE read, filter and resample; and
        ``eegpt_changes``, the newest CHANGELOG.md section this eegpt includes,
        :data:`~eegpt.api.CHANGES_DATE`, as embeddings outputs record it), so that a corpus
        resumed after an upgrade can be told apart shard by shard."""
        return {
            "started": self.started_at,
            "eegpt_version": __version__,
            "eegpt_changes": CHANGES_DATE,
            "torch_version": torch.__version__,
            "software": software_versions(),
        }

    @property
    def complete(self) -> bool:
        """Whether every file has its status in a shard written (by this run or before)."""
        return all(f.index in self.status for f in self.inputs.files)

    def committed(self, shard: int, statuses: list[dict[str, Any]]) -> None:
        self.written += 1
        for s in statuses:
            self.status[s["index"]] = s
        self.write_reports()

    def _file_rows(self) -> list[dict[str, Any]]:
        """The rows of the files report: each file's status (``pending`` where its shard is
        not written), with its ``corpus_row`` (:meth:`_corpus_row`)."""
        rows = []
        for f in self.inputs.files:
            s = self.status.get(f.index)
            if s is None:
                s = {
                    "index": f.index,
                    "recording_id": f.recording_id,
                    "path": f.path_text,
                    "shard": f.index // self.spec["shard_size"],
                    "status": "pending",
                    "n_windows": 0,
                    "duration_s": None,  # not read yet: unknown (an empty cell)
                }
            elif f.recording_id in self.changed:
                s = {**s, "changed": self.changed[f.recording_id]}
            rows.append({**s, "corpus_row": self._corpus_row(f.index)})
        return rows

    def _corpus_row(self, index: int) -> int:
        """The row (0-based) in the whole listing of the run's file ``index``: of a ``--part
        K/N`` run (files numbered anew within the part, :meth:`DatasetInputs.part`), ``K + N
        * index``, its row in the part's ``_corpus.csv``; ``index`` itself otherwise."""
        part = (self.spec.get("inputs") or {}).get("part")
        if not part:
            return index
        k, n = (int(v) for v in part)
        return k + n * index

    def write_reports(self, *, force: bool = False) -> None:
        """Refresh ``_manifest.json``, ``_files.csv`` and, where they list a file,
        ``_errors.csv`` and ``_too_short.csv`` (throttled); none where ``read_only``."""
        if self.read_only:
            return
        with naming_full_disk(self.output_dir, lambda: f"{FILES_REPORT} and {MANIFEST}"):
            self._write_reports(force=force)

    def _write_reports(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self.last_report < _REPORT_EVERY_S:
            return
        self.last_report = now
        rows = self._file_rows()
        done_shards = sorted({s["shard"] for s in self.status.values()})
        run = {
            "kind": CHECK if self.check else RUN,
            "engine": self.engine,
            "devices": self.devices,
            **({"workers": self.workers} if self.workers is not None else {}),
            # torch's intra-op threads: this process's (inference), and the readers' where
            # there are reader processes (init_reader sets 1)
            "torch_threads": torch.get_num_threads(),
            **({"reader_torch_threads": 1} if self.workers else {}),
            "started": self.started_at,
            "elapsed_s": self.elapsed,
            "shards_written": self.written,
            **({"changed": len(self.changed)} if self.changed else {}),
            **self.rename,
            "ended": self.ended,
            "batch_size": self.batch_size,
            **({"fused": self.fused} if self.fused is not None else {}),
            **({"hash_inputs": True} if self.hash_inputs else {}),
            **({"command": self.command} if self.command is not None else {}),
            **({"cwd": self.command_cwd} if self.command_cwd is not None else {}),
            "stopped": self.stopped,
            **({"no_shard_completed": True} if self.no_progress else {}),
            "eegpt_version": __version__,
            "eegpt_changes": CHANGES_DATE,  # eegpt_version stays 0.1.0 while numbers change
            "torch_version": torch.__version__,  # as before "software" (which holds it too)
            "software": software_versions(),
            "host": platform.node(),
            **_slurm_ids(),
        }
        manifest = {
            "format": FORMAT,
            "eegpt_version": __version__,
            "spec": self.spec,
            "n_files": len(self.inputs),
            "n_shards": len(self.shards),
            "shards_done": done_shards,
            "source": "".join(corpus_of(self.inputs.source)),
            "last_run": run,
            "runs": _kept_calls([*self.previous_runs, run]),  # every call, oldest first
            "totals": file_totals(rows),
            # recordings that copy another (by their recorded fingerprints): counted, not named
            **({"copies": copies} if (copies := _copies_count(rows)) else {}),
            **_rescale_record(self.inputs),
            "read_with": "pandas.read_parquet(output_dir)",
        }
        write_report_csv(self.output_dir / FILES_REPORT, rows)
        for name, status in ((ERRORS_REPORT, "failed"), (SHORT_REPORT, TOO_SHORT)):
            write_csv_if_rows(self.output_dir / name, [r for r in rows if r["status"] == status])
        write_json(self.output_dir / MANIFEST, manifest)

    def finish(self, bar: DatasetProgress) -> None:
        """Write the reports at the end of the run, or as it stops on an error (a full disk
        that stopped it, met again here, is not said twice: the first names the shard)."""
        stopping = sys.exc_info()[1]
        self.elapsed, self.ended = bar.elapsed, True
        self.files_done = bar.ok + bar.failed + bar.short
        if not bar.n_embedded:  # every file failed or too short: no path embedded anything
            self.fused = None
        if stopping is not None and not self.complete:
            self.stopped = _stop_cause(stopping)
            self._warn_no_progress()
        try:
            self.write_reports(force=True)
        except OutputNotWritableError as err:
            if not (stopping is not None and disk_full(stopping) and disk_full(err)):
                raise

    @contextlib.contextmanager
    def recording_stop(self) -> Iterator[None]:
        """Around the run's work: what stopped it recorded (:meth:`stopped_by`), and on the
        command line an interrupt that came once every file was written not raised (the
        command exits as its files say). Called from Python, that interrupt is raised all the
        same, once the run is recorded finished: a Ctrl-C stops the caller's script too."""
        try:
            yield
        except BaseException as err:
            if not self.stopped_by(err) or recorded_command() is None:
                raise

    def stopped_by(self, err: BaseException) -> bool:
        """Record ``err``, which stopped the run after :meth:`finish`, as how it ended (an
        interrupt deferred to the end of its block arrives only then), and say whether the run
        is finished all the same: an interrupt (Ctrl-C, SIGTERM) that came once every file was
        written has nothing left to stop, and is said, not raised."""
        finished = isinstance(err, (KeyboardInterrupt, SystemExit)) and self.complete
        if finished:
            self.stopped = None
            _warn(
                f"{'SIGTERM' if isinstance(err, SystemExit) else 'Ctrl-C'} came after the last "
                f"file was embedded: every file is done and the run in {self.output_dir} is "
                "finished (nothing was stopped)"
            )
        elif self.ended and self.stopped is None:
            self.stopped = _stop_cause(err)
            self._warn_no_progress()
        else:  # stopped before finish (nothing recorded of it), or recorded there already
            return False
        with contextlib.suppress(Exception):  # what stopped the run is raised, not this
            self.write_reports(force=True)
        return finished

    @property
    def no_progress(self) -> bool:
        """Whether a stop (Ctrl-C, a time limit's SIGTERM) ended this run before it completed
        a shard though it finished files, and these could not be kept for the resume (its
        partial file not written: :attr:`kept` None), so a job whose time limit is shorter
        than a shard's files would make no progress, run after run. A run stopped before it
        finished any file (during its start-up) is not one: a smaller shard would not have
        helped it."""
        stopped = self.stopped in ("interrupted", "terminated")
        return stopped and not self.written and self.files_done > 0 and self.kept is None

    def _warn_no_progress(self) -> None:
        if not self.no_progress or self.check:
            return
        size = self.spec["shard_size"]
        _warn(
            f"this run was stopped before it completed a shard ({size} files each, "
            f"--shard-size {size}): the files it finished of the shard in progress are not "
            "kept, so a job stopped as soon (its time limit) makes no progress however often "
            "it runs. For jobs of this time limit choose a smaller --shard-size (a shard's "
            "files should take minutes: --shard-size 1 for long recordings); it cannot change "
            "on a resume: a new output folder, or --overwrite where no shard was written yet"
        )

    def summary(self, bar: DatasetProgress) -> DatasetSummary:
        rows = self._file_rows()
        totals = file_totals(rows)
        warned, n_warned = warning_kinds(rows)
        rename = self.spec["channels"].get("rename")
        dropped = dropped_channel_counts(rows, rename)
        return DatasetSummary(
            output_dir=self.output_dir,
            backend=self.engine,
            devices=self.devices or ["-"],
            n_files=len(rows),
            n_ok=totals["ok"],
            n_failed=totals["failed"],
            n_too_short=totals[TOO_SHORT],
            n_pending=totals["pending"],
            windows=totals["windows"],
            windows_left_out=totals["windows_left_out"],
            hours=totals["hours"],
            shards=len(self.shards),
            shards_written=self.written,
            shards_skipped=self.skipped,
            run_files=bar.ok + bar.failed + bar.short,
            run_windows=bar.windows,
            run_hours=bar.hours,
            elapsed_s=self.elapsed,
            startup_s=bar.first or 0.0,
            errors=[
                {k: r[k] for k in ("recording_id", "path", "error")}
                for r in rows
                if r["status"] == "failed"
            ],
            warned=warned,
            n_warned=n_warned,
            channel_sets=embedded_channel_sets(rows),
            keep=bool(self.spec["channels"].get("keep")),
            dropped=dropped,
            renamed=renamed_outside(dropped, rename),
            left_out=left_out_channel_counts(rows),
            events_from=self.spec.get("events_from_stim"),
            n_changed=len(self.changed),
            retried=self.retried,
        )


def current_versions(*, changes: bool = True) -> dict[str, str]:
    """The compared versions (:data:`_COMPARED_VERSIONS`) of this process, as
    :func:`run_versions` reads them from this run's :meth:`DatasetRun.shard_stamp` (eegpt's
    with ``eegpt_changes``; ``changes=False``: without, as an eegpt before 2026-12-07, which
    did not record it, would name its own)."""
    return run_versions(
        {
            "eegpt_version": __version__,
            "software": software_versions(),
            **({"eegpt_changes": CHANGES_DATE} if changes else {}),
        }
    )


def _shard_versions(
    shards: Iterable[int],
    previous_runs: Sequence[Mapping[str, Any]],
    stamps: Mapping[int, Any],
) -> list[dict[str, str]]:
    """The versions that computed the rows of ``shards``: from the ``run`` stamp of each
    footer (``stamps``, by shard, as :func:`done_shards_of` read them), completed by the
    manifest's entry of the run it names (a stamp from before ``software`` was stamped names
    eegpt and torch alone); for a footer without a stamp (or unreadable), those of every
    earlier run that wrote a shard (``shards_written`` > 0): a run that died before its first
    shard made none of the rows."""
    by_start = {r.get("started"): r for r in previous_runs if r.get("started")}
    found: list[dict[str, str]] = []
    unknown = False
    for k in shards:
        stamp = stamps.get(k)
        if not isinstance(stamp, Mapping):
            unknown = True
            continue
        versions = run_versions(by_start.get(stamp.get("started"), {}))
        versions.update(run_versions(stamp))  # the footer's own say first
        found.append(versions)
    if unknown:
        found += [run_versions(r) for r in previous_runs if r.get("shards_written", 1) != 0]
    return found


def warn_other_versions(
    output_dir: Path,
    shards: Iterable[int],
    previous_runs: Sequence[Mapping[str, Any]],
    stamps: Mapping[int, Any],
) -> None:
    """Warn, once, when this run resumes a folder whose shards present (``shards``, by number)
    were computed with other versions of eegpt, torch, NumPy, SciPy or MNE than this run's
    (:func:`_shard_versions`): the corpus's rows then come from two versions. Not refused:
    the warning says how to tell their shards apart. Earlier runs that wrote none of the
    shards present (one that died before its first shard) are not counted."""
    now = current_versions()
    seen = _shard_versions(shards, previous_runs, stamps)
    before = {name: sorted({v[name] for v in seen if name in v}) for name in _COMPARED_VERSIONS}
    changed = [name for name in _COMPARED_VERSIONS if any(v != now.get(name) for v in before[name])]
    if not changed:
        return
    was = ", ".join(
        f"{name} {' / '.join(unrecorded_changes(v, [now.get(name)]) for v in before[name])}"
        for name in changed
    )
    is_ = ", ".join(f"{name} {now.get(name)}" for name in changed)
    _warn(
        f"{output_dir} is resumed with {is_}, but the shards written before come from {was}: "
        "the shards written from now on come from other versions than those before (the "
        "embeddings may differ slightly). They can be told apart: each shard's footer names "
        "the run that wrote it and its versions "
        "(eegpt.dataset.read_shard_status(shard)[1]['run']), and "
        f"`eegpt info {command_word(output_dir)}` lists the versions of each run. To embed the whole corpus "
        "with one version, run it again with --overwrite (overwrite=True) or into a new folder."
    )


def _stop_cause(err: BaseException) -> str:
    """How a run stopped by ``err`` records it (``stopped`` in the manifest's ``runs``):
    ``"interrupted"`` for Ctrl-C, ``"terminated"`` for SIGTERM (the command line raises
    SystemExit then), else the class of the error (``"OutputNotWritableError"``)."""
    if isinstance(err, KeyboardInterrupt):
        return "interrupted"
    if isinstance(err, SystemExit):
        return "terminated"
    return type(err).__name__


#: The SLURM variables a run records (the job, and of a job array the array job and task).
_SLURM_VARIABLES = ("SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID")


def _slurm_ids() -> dict[str, str]:
    """The SLURM job ids of this process (``slurm_job_id``, ``slurm_array_job_id``,
    ``slurm_array_task_id``), those set."""
    return {name.lower(): os.environ[name] for name in _SLURM_VARIABLES if name in os.environ}


def write_listing(output_dir: Path, corpus: DatasetInputs) -> None:
    """Write :data:`CORPUS_LISTING`: the ``path`` and ``recording_id`` of every file of the
    whole ``corpus`` a part run was split from, in order (a manifest of it)."""
    text = csv_text(["path", "recording_id"], [[f.path_text, f.recording_id] for f in corpus.files])
    with naming_full_disk(output_dir, lambda: CORPUS_LISTING):
        atomic_write(output_dir / CORPUS_LISTING, lambda fh: fh.write(text.encode()))


def corpus_identity(
    source: str, pattern: str | None, bids_filters: Mapping[str, Sequence[str]] | None = None
) -> str:
    """What names a corpus, for the parts of one split to find each other: the folder, glob
    or manifest of its inputs' ``source`` as an absolute path, with the ``pattern`` that picks
    its files (``--pattern``) or the BIDS entities that select them (``--task rest``);
    :data:`LIST_INPUTS` for a list of files or a table, which name no place (their parts are
    told apart by the files their listings share)."""
    if source.startswith("<") and source.endswith(">"):  # "<12 files>", "<table>", "<df>"
        return LIST_INPUTS
    corpus = corpus_of(source)[0]
    if glob.has_magic(corpus):
        corpus = os.path.abspath(corpus)
    chosen = "".join(f" --{k} {','.join(v)}" for k, v in (bids_filters or {}).items())
    return (f"{corpus} --pattern {pattern}" if pattern else corpus) + chosen


_HISTORY = '\n "last_run": '  # starts a manifest's run history, as write_json writes it


def manifest_head(path: Path) -> dict[str, Any]:
    """A run's ``_manifest.json`` without its run history (``last_run``, ``runs``: up to
    :data:`_RUNS_KEPT` calls, the most of its bytes), read no further than where that starts:
    its settings (``spec``), counts and ``source``. Raises ``OSError`` or ``ValueError``
    where it cannot be read."""
    text = ""
    with open(path, encoding="utf-8") as fh:
        while chunk := fh.read(1 << 16):
            text += chunk
            end = text.find(_HISTORY)  # (a newline in a text value is written as \\n)
            if end >= 0:
                return json.loads(text[:end].rstrip().rstrip(",") + "\n}")
    return json.loads(text)
