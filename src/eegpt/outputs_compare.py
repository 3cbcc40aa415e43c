"""Two embeddings outputs compared value by value: :func:`compare_embeddings` (``eegpt
compare A B``), to tell whether a rerun (another eegpt, torch, machine, GPU or precision) gave
the same embeddings.

Each side is any output eegpt writes, read by :func:`eegpt.read_embeddings` (with its checks):
a per-recording ``.npz``/``.parquet`` file of ``eegpt embed``, a list or folder of them, or an
``embed-dataset`` run folder (or the folder of its ``--part`` runs). Rows are matched by
recording and window onset, not by row order; recordings by the end of the path of the file
they were embedded from (as few of its last parts as tell each side's recordings apart), so a
run folder and the per-recording outputs of the same files match, and so do the outputs of
one corpus kept under other folders on another machine. The provenance each side records (eegpt
and its ``eegpt_changes``, torch, precision, device, the encoder fingerprint, preprocessing ...)
is set side by side, to explain the differences found.

Like :mod:`eegpt.dataset_read`, this imports neither torch nor MNE nor SciPy.
"""

from __future__ import annotations

import json
import os
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from eegpt._filenames import user_path
from eegpt._logging import count, few
from eegpt.dataset_folders import files_reports_read_once

__all__ = ["EmbeddingsComparison", "compare_embeddings"]

#: Default tolerances: a value is within them when ``|a - b| <= atol + rtol * max|b|``, ``max|b|``
#: the largest magnitude of its window's embedding in B (relative to the window's scale, as
#: RELIABILITY.md measures reruns, not to the value's own magnitude: a value near zero, of
#: which every embedding holds some, would make any rerun differ); suited to float32 reruns
#: (another batch size, machine, GPU or torch: up to 2e-6); float16/bfloat16 embeddings
#: differ from float32 ones by up to about 1e-2 (:data:`LOW_PRECISION_TOLERANCE`).
DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-5

#: The ``rtol`` that compares float16/bfloat16 embeddings with float32 ones (or with each
#: other), as a note says where either side was embedded so: RELIABILITY.md's documented
#: tolerance of those precisions (0.009 measured for bfloat16).
LOW_PRECISION_TOLERANCE = 2e-2

#: Bytes of float32 embeddings read per side at once (at most a sixteenth of the memory
#: available): the outputs are compared a few recordings at a time, so that two large corpora
#: need not fit in memory together, in batches large enough that a run folder's shards, whose
#: footers each batch's read opens, are not opened once per recording.
_BATCH_BYTES = 256 * 2**20

#: Values compared at once (float64 temporaries of this many values, a few of them).
_CHUNK_VALUES = 2**22

#: Progress bars are drawn for sides of more recordings than this.
_BAR_RECORDINGS = 20

#: How many recordings and windows the text names (worst first); the JSON has them all.
_SHOWN = 5

_COLUMNS = ["recording_id", "path", "window", "onset_s"]

#: Provenance the text shows even where both sides record the same (the rest: where they
#: differ); the JSON has every entry.
_ALWAYS_SHOWN = (
    "eegpt_version",
    "eegpt_changes",
    "torch",
    "precision",
    "device",
    "encoder fingerprint",
    "checkpoint sha256",
)


@dataclass
class RecordingDifference:
    """How one recording's windows differ between the two outputs.

    Attributes
    ----------
    recording : str
        The recording, as matched (the end of its file's path).
    rows : int
        Windows compared (in both outputs).
    rows_out_of_tolerance : int
        Windows with any value beyond the tolerance.
    max_abs_diff : float
        Largest ``|a - b|`` of its values.
    max_row_rel_err : float
        Largest ``||a - b|| / ||b||`` of its windows (L2 norms of each window's embedding).
    worst_window : int | None
        A's window number (from 0) of that window; ``worst_onset_s`` its onset (seconds).
    """

    recording: str
    rows: int = 0
    rows_out_of_tolerance: int = 0
    max_abs_diff: float = 0.0
    max_row_rel_err: float = 0.0
    worst_window: int | None = None
    worst_onset_s: float | None = None


@dataclass
class ProvenanceRow:
    """One setting or version as each output records it: ``a`` and ``b`` its values (several,
    ``"v1 (2 files); v2 (1 file)"``, where a side's recordings differ), ``status`` ``"same"``,
    ``"differs"``, or ``"one side"`` (recorded by one output only: an earlier eegpt's)."""

    name: str
    a: str
    b: str
    status: str


@dataclass
class EmbeddingsComparison:
    """What :func:`compare_embeddings` found. Rows are windows; ``a`` and ``b`` the outputs.

    ``recordings_changed_in_a``/``_b``: recordings of a run folder whose files a later run of
    the folder found changed since they were embedded (``eegpt info`` says CHANGED): their rows
    are of the earlier contents, whatever the comparison finds.

    ``within_tolerance`` is True when both hold the same windows of the same recordings and
    every value of them is within ``atol + rtol * max|b|`` (``max|b|`` its window's largest
    magnitude in B); ``max_rel_diff`` is the largest ``max|a - b| / max|b|`` of a window. ``report()`` is the text ``eegpt
    compare`` prints, ``to_dict()`` its ``--json``.
    """

    a: str
    b: str
    rtol: float
    atol: float
    matched_by: str
    n_rows_a: int
    n_rows_b: int
    n_rows_compared: int = 0
    recordings_compared: int = 0
    recordings_only_in_a: list[str] = field(default_factory=list)
    recordings_only_in_b: list[str] = field(default_factory=list)
    recordings_changed_in_a: list[str] = field(default_factory=list)
    recordings_changed_in_b: list[str] = field(default_factory=list)
    rows_only_in_a: list[dict[str, Any]] = field(default_factory=list)
    rows_only_in_b: list[dict[str, Any]] = field(default_factory=list)
    max_abs_diff: float = 0.0
    max_rel_diff: float = 0.0  # max |a - b| / max|b| of a window: see compare_embeddings
    median_row_rel_err: float = 0.0
    max_row_rel_err: float = 0.0
    rows_out_of_tolerance: int = 0
    worst_rows: list[dict[str, Any]] = field(default_factory=list)
    recordings: list[RecordingDifference] = field(default_factory=list)
    provenance: list[ProvenanceRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def same_rows(self) -> bool:
        """Whether both outputs hold the same windows of the same recordings."""
        return not (
            self.recordings_only_in_a
            or self.recordings_only_in_b
            or self.rows_only_in_a
            or self.rows_only_in_b
        )

    @property
    def within_tolerance(self) -> bool:
        """The same windows, every value within ``atol + rtol * max|b|`` of its window."""
        return self.same_rows and self.rows_out_of_tolerance == 0

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-able data (``eegpt compare --json``)."""
        from eegpt._json_out import json_safe

        out: dict[str, Any] = json_safe(self)
        out["same_rows"] = self.same_rows
        out["within_tolerance"] = self.within_tolerance
        return out

    def report(self) -> str:
        """The text ``eegpt compare`` prints."""
        lines = [
            f"A: {self.a}",
            f"B: {self.b}",
            f"rows: {self.n_rows_a} in A, {self.n_rows_b} in B, {self.n_rows_compared} "
            f"compared, of {count(self.recordings_compared, 'recording')} in both (matched "
            f"by {self.matched_by} and window onset)",
        ]
        for side, recordings, rows in (
            ("A", self.recordings_only_in_a, self.rows_only_in_a),
            ("B", self.recordings_only_in_b, self.rows_only_in_b),
        ):
            if recordings:
                lines.append(
                    f"recordings only in {side} ({len(recordings)}): {few(recordings, _SHOWN)}"
                )
            if rows:
                shown = [_row_text(r) for r in rows]
                lines.append(
                    f"windows only in {side} ({len(rows)}, of recordings in both): "
                    f"{few(shown, _SHOWN)}"
                )
        changed_of = (("A", self.recordings_changed_in_a), ("B", self.recordings_changed_in_b))
        for side, changed in changed_of:
            if changed:
                lines.append(
                    f"recordings of {side} CHANGED since embedded ({len(changed)}): "
                    f"{few(changed, _SHOWN)}: their rows are of the earlier contents of their "
                    f"files, stale (`eegpt info` of {side} names them and how to embed them again)"
                )
        if self.n_rows_compared:
            lines.append(
                f"differences: max abs {self.max_abs_diff:.3g}, max rel {self.max_rel_diff:.3g} "
                f"(to the window's largest value); per window ||a-b||/||b||: median {self.median_row_rel_err:.3g}, max "
                f"{self.max_row_rel_err:.3g}"
            )
        worst = [r for r in self.recordings if r.max_abs_diff > 0][:_SHOWN]
        if worst:
            lines.append(f"worst recordings (of {len(self.recordings)}):")
            lines += [
                f"  {r.recording}: {r.rows_out_of_tolerance} of {r.rows} windows out of "
                f"tolerance, max abs {r.max_abs_diff:.3g}, max ||a-b||/||b|| "
                f"{r.max_row_rel_err:.3g} (window {r.worst_window}, onset "
                f"{_seconds(r.worst_onset_s)})"
                for r in worst
            ]
        if self.worst_rows:
            lines.append("worst windows:")
            lines += [
                f"  {_row_text(r)}: max abs {r['max_abs_diff']:.3g}, ||a-b||/||b|| "
                f"{r['row_rel_err']:.3g}"
                for r in self.worst_rows[:_SHOWN]
            ]
        lines += _provenance_lines(self.provenance)
        lines += [f"note: {n}" for n in self.notes]
        tolerance = f"rtol {self.rtol:g}, atol {self.atol:g}"
        stale = [
            f"{count(len(changed), 'recording')} of {side} changed since embedded"
            for side, changed in changed_of
            if changed
        ]
        if self.within_tolerance:
            lines.append(
                f"SAME: every window of A and B within tolerance ({tolerance})"
                + (f"; but {' and '.join(stale)} (stale rows)" if stale else "")
            )
        else:
            why = []
            if self.rows_out_of_tolerance:
                bad = sum(1 for r in self.recordings if r.rows_out_of_tolerance)
                why.append(
                    f"{count(self.rows_out_of_tolerance, 'window')} of "
                    f"{count(bad, 'recording')} out of tolerance ({tolerance})"
                )
            if not self.same_rows:
                why.append("the two hold other windows or recordings")
            lines.append(f"DIFFERENT: {'; '.join(why)}")
        return "\n".join(lines)


def _seconds(value: float | None) -> str:
    return "?" if value is None else f"{value:g} s"


def _row_text(row: Mapping[str, Any]) -> str:
    """``rec.edf window 3 (onset 12 s)``."""
    return f"{row['recording']} window {row.get('window')} (onset {_seconds(row.get('onset_s'))})"


def _provenance_lines(rows: Sequence[ProvenanceRow]) -> list[str]:
    """The provenance of both sides, side by side: the versions, precision, device and weights
    always, the other settings where they differ (those alike counted), ``*`` marking what
    differs, ``?`` what one side does not record."""
    shown = [r for r in rows if r.name in _ALWAYS_SHOWN or r.status != "same"]
    alike = [r.name for r in rows if r not in shown]
    if not shown:
        return []
    width = max(len(r.name) for r in shown)
    a_width = min(40, max(len(r.a) for r in shown))
    marks = {"same": " ", "differs": "*", "one side": "?"}
    lines = ["provenance (A | B; * differs, ? recorded by one side only):"]
    for r in shown:
        lines.append(f"  {marks[r.status]} {r.name:<{width}}  {r.a:<{a_width}} | {r.b}")
    if alike:
        groups = list(dict.fromkeys(n.split(".")[0] for n in alike))
        lines.append(
            f"    the same in both: {count(len(alike), 'other setting')} ({', '.join(groups)})"
        )
    return lines


# -- reading each side -------------------------------------------------------------------


@dataclass
class _Side:
    """One output as :func:`eegpt.read_embeddings` reads it: ``files`` (name -> path) for
    per-recording outputs, None for run folders; ``table`` its rows (:data:`_COLUMNS`);
    ``records`` the provenance of each of its files or runs; ``pool`` and ``shape`` (of one
    window's embedding); ``changed`` a run folder's recordings changed since embedded."""

    given: Any
    text: str
    files: dict[str, Path] | None
    table: Any
    records: Sequence[Mapping[str, Any]]
    pool: Any
    shape: tuple[int, ...] | None
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    allow_mixed: bool = False
    # a run folder's recordings (ids) whose files changed since they were embedded (its
    # files report's marks: eegpt info's CHANGED), whose rows are of the earlier contents
    changed: list[str] = field(default_factory=list)


def _given_text(given: Any) -> str:
    if isinstance(given, (str, os.PathLike)):
        return str(given)
    items = [str(g) for g in given]
    return few(items, 3)


#: What reads a folder's tree in this command's words, added to read_embeddings' advice.
_RECURSIVE_HINT = " (compare_embeddings(..., recursive=True), eegpt compare --recursive)"


def _require_tables() -> None:
    """Refuse at once, in this command's words, where pyarrow or pandas (the ``parquet``
    extra) is missing: each side's windows are read as a table (``.npz`` outputs too) and
    matched by recording and onset; without them the error named the internal
    ``read_embeddings``, as if reading a ``.npz`` file needed pyarrow (it does not:
    :func:`eegpt.load_embeddings`)."""
    from eegpt.optional_packages import require_pandas, require_pyarrow

    what = (
        "comparing outputs (eegpt compare, compare_embeddings), .npz ones too (their windows "
        "are matched as tables),"
    )
    require_pyarrow(what)
    require_pandas(what)


def _read_side(
    given: Any, recursive: bool, allow_mixed: bool, progress: bool = False, name: str = ""
) -> _Side:
    """Read output ``given``: its rows without their embeddings, and the provenance of each
    file or run; ``recursive`` and ``allow_mixed`` (per-recording outputs only) as for
    :func:`eegpt.read_embeddings`. Per-recording outputs are read once each (their
    provenance), under eegpt's progress bar (``reading A``: ``name``) where ``progress`` and
    there are more than :data:`_BAR_RECORDINGS`, then checked and made one table under
    another (``rows of A``)."""
    from eegpt.dataset_read import CHANGED_COLUMN, _read_output_files, read_embeddings
    from eegpt.errors import MissingFileError
    from eegpt.outputs_read import output_files

    outlines: dict[str, Any] = {}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            files = output_files(given, recursive=recursive)
            mixed = allow_mixed and files is not None
            if files is None:  # with the rows of recordings changed since embedded
                table, _ = read_embeddings(
                    given, columns=[*_COLUMNS, CHANGED_COLUMN], embeddings=False,
                    recursive=recursive,
                )  # fmt: skip
            else:
                outlines = _read_outlines(files, progress, name)
                with _files_bar(len(files), f"rows of {name}", progress) as bar:
                    table, _ = _read_output_files(
                        files, _COLUMNS, None, True, False, mixed, list(outlines.values()),
                        lambda: bar.update(1),
                    )  # fmt: skip
    except ValueError as err:
        if "allow_mixed=True" not in str(err):
            raise
        raise ValueError(
            f"{err} (compare_embeddings(..., allow_mixed=True), eegpt compare --allow-mixed)"
        ) from err
    except MissingFileError as err:  # a folder whose outputs are all in its sub-folders
        if "recursive=True)" not in str(err):
            raise
        raise MissingFileError(f"{err}{_RECURSIVE_HINT}") from err
    given_once = {(str(w.message), w.category): w for w in caught}.values()
    for found in given_once:  # read_embeddings' warnings, in this command's words too
        text = str(found.message)
        if "recursive=True)" in text:
            text += _RECURSIVE_HINT
        warnings.warn_explicit(text, found.category, found.filename, found.lineno)
    if files is not None:
        records = [o.metadata for o in outlines.values()]
        first = next(iter(outlines.values()), None)
        shape = None if first is None else tuple(first.data.shape[1:])
        pool = records[0].get("pool", "none") if records else None
        if pool not in (None, "none") and first is not None:  # stored pooled: (n, 1, 1, D)
            shape = (shape[-1],) if shape else None
        what = _made_by(records)
        side = _Side(given, "", dict(files), table, records, pool, shape)
        side.sources = {n: _source_parts(o.metadata, n, given) for n, o in outlines.items()}
    else:
        from eegpt.dataset_folders import expand_run_folders, read_run_manifest

        runs = expand_run_folders(given)
        manifests = [read_run_manifest(r) for r in runs]
        records = [_run_record(m, run) for m in manifests for run in _runs_of(m)]
        spec = manifests[0].get("spec", {}) if manifests else {}
        stored = spec.get("embedding_shape")
        pool = spec.get("pool", "none")
        if pool not in (None, "none") and stored:
            stored = [stored[-1]]
        what = f"embed-dataset {'run' if len(runs) == 1 else f'runs ({len(runs)})'}"
        side = _Side(given, "", None, table, records, pool, tuple(stored) if stored else None)
        stale = table[CHANGED_COLUMN].to_numpy(dtype=bool)
        side.changed = sorted(set(table["recording_id"].astype(str)[stale]))
        table = side.table = table.drop(columns=CHANGED_COLUMN)
        ids = table["recording_id"].astype(str)
        paths = table["path"].astype(str) if "path" in table.columns else ids
        side.sources = {
            i: _path_parts(p) or _name_parts(i) for i, p in zip(ids, paths, strict=True)
        }
    side.text = f"{_given_text(given)} ({what}, {count(len(table), 'window')})"
    side.allow_mixed = mixed
    return side


def _made_by(records: Sequence[Mapping[str, Any]]) -> str:
    """How per-recording outputs were written, as their provenance says: ``"2 outputs of
    eegpt embed"`` (each records its ``command``), ``"1 output written from Python"``
    (``Embeddings.save``, ``embed_to_file``: none recorded), or how many of each. Every
    such output was called one "of eegpt embed", a file saved from Python too."""
    by_command = sum(bool(r.get("command")) for r in records)
    if by_command == len(records):
        return f"{count(len(records), 'output')} of eegpt embed"
    if not by_command:
        return f"{count(len(records), 'output')} written from Python"
    return (
        f"{count(len(records), 'output')}: {by_command} of eegpt embed, "
        f"{len(records) - by_command} written from Python"
    )


def _read_outlines(files: Sequence[tuple[str, Path]], progress: bool, name: str) -> dict[str, Any]:
    """Each of the per-recording outputs ``files`` (name, path) as
    :func:`~eegpt.embeddings_loading._load_outline` reads it (its provenance, not its
    embeddings), by name, under a progress bar ``reading NAME`` where ``progress`` and there
    are more than :data:`_BAR_RECORDINGS` files."""
    from eegpt.embeddings_loading import _load_outline

    outlines: dict[str, Any] = {}
    with _files_bar(len(files), f"reading {name}", progress) as bar:
        for file_name, path in files:
            outlines[file_name] = _load_outline(path)
            bar.update(1)
    return outlines


def _files_bar(n_files: int, desc: str, progress: bool) -> Any:
    """eegpt's progress bar over ``n_files`` files, ``desc`` its words; drawn where
    ``progress`` and there are more than :data:`_BAR_RECORDINGS`."""
    from tqdm.auto import tqdm

    from eegpt._logging import progress_options

    return tqdm(
        total=n_files,
        desc=desc.rstrip(),
        unit="file",
        dynamic_ncols=True,
        **progress_options(disable=not progress or n_files <= _BAR_RECORDINGS),
    )


def _runs_of(manifest: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """The run entries of a run folder's manifest that embedded (not checks), or one empty
    record where none is kept."""
    runs = [r for r in manifest.get("runs") or [] if isinstance(r, Mapping)]
    runs = [r for r in runs if r.get("kind", "run") == "run"] or runs
    return runs if runs else [{}]


def _run_record(manifest: Mapping[str, Any], run: Mapping[str, Any]) -> dict[str, Any]:
    """One run of a run folder as an output's metadata records the same provenance: the
    settings of its spec, the versions and device of the run."""
    spec = manifest.get("spec") or {}
    devices = run.get("devices")
    return {
        "eegpt_version": run.get("eegpt_version") or manifest.get("eegpt_version"),
        "eegpt_changes": run.get("eegpt_changes"),
        "torch_version": run.get("torch_version"),
        "software": run.get("software"),
        "precision": spec.get("precision"),
        "stream_precision": spec.get("stream_precision"),
        "device": ", ".join(map(str, devices)) if isinstance(devices, list) else devices,
        "batch_size": _batch_sizes_of(manifest.get("totals"), run.get("batch_size")),
        "pool": spec.get("pool"),
        "checkpoint": spec.get("checkpoint"),
        "model": spec.get("model"),
        "preprocessing": spec.get("preprocessing"),
    }


def _batch_sizes_of(totals: Any, given: Any) -> Any:
    """The windows per forward pass a run folder's recordings were embedded in, as its
    manifest's ``totals`` record them from each file's status (``batch_sizes``, as ``eegpt
    info`` shows them; the default for each channel count where ``--batch-size`` was not
    given): the size where all had one (``16``), else each size with its recordings (``16 (3
    recordings); 8 (1 recording)``, those of runs from before it was recorded as ``not
    recorded (N recordings)``); ``given`` (the run's ``--batch-size``, or None) where the
    totals record none."""
    totals = totals if isinstance(totals, Mapping) else {}
    sizes = totals.get("batch_sizes")
    sizes = sizes if isinstance(sizes, Mapping) else {}
    if not sizes:
        return given
    unrecorded = totals.get("batch_size_unrecorded")
    unrecorded = unrecorded if isinstance(unrecorded, int) else 0
    if len(sizes) == 1 and not unrecorded:
        size = next(iter(sizes))
        return int(size) if str(size).isdigit() else size
    parts = [
        f"{size} ({count(int((entry or {}).get('recordings') or 0), 'recording')})"
        for size, entry in sizes.items()
    ]
    if unrecorded:
        parts.append(f"{_NOT_RECORDED} ({count(unrecorded, 'recording')})")
    return "; ".join(parts)


def _path_parts(text: str | None) -> tuple[str, ...]:
    """The parts of a recording's path (either separator), () for none or an in-memory
    input's ``<Raw>``."""
    if not text or text.startswith("<") or text in ("nan", "None"):
        return ()
    return tuple(p for p in text.replace("\\", "/").split("/") if p)


def _name_parts(name: str) -> tuple[str, ...]:
    """What names an output whose recording has no file (an in-memory input): its own name,
    without its suffix."""
    return ("<memory>", *_path_parts(str(PurePath(name).with_suffix(""))))


def _source_parts(metadata: Mapping[str, Any], name: str, given: Any) -> tuple[str, ...]:
    """The recording a per-recording output was embedded from, as path parts (resolved
    against the recorded working folder); its own name for an in-memory input."""
    from eegpt.dataset_stamps import recorded_source_path

    where = recorded_source_path(metadata)
    if where is not None:
        return _path_parts(where.as_posix())
    below = name
    for g in [given] if isinstance(given, (str, os.PathLike)) else list(given):
        folder = str(g).rstrip("/\\")
        if name.startswith(folder + "/") or name.startswith(folder + os.sep):
            below = name[len(folder) + 1 :]
    return _name_parts(below)


def _recording_keys(
    a: Mapping[str, tuple[str, ...]], b: Mapping[str, tuple[str, ...]]
) -> tuple[dict[str, str], dict[str, str], int]:
    """Each side's recordings (id -> the parts of its path) named by the last ``k`` parts of
    their paths, ``k`` the fewest that tell each side's recordings apart: the files' names
    where those differ, ``sub-01/rest.edf`` where two are ``rest.edf``."""
    deepest = max((len(p) for p in [*a.values(), *b.values()]), default=1)
    for k in range(1, deepest + 1):
        keys_a = {i: "/".join(p[-k:]) for i, p in a.items()}
        keys_b = {i: "/".join(p[-k:]) for i, p in b.items()}
        if len(set(keys_a.values())) == len(keys_a) and len(set(keys_b.values())) == len(keys_b):
            return keys_a, keys_b, k
    for name, side in (("A", a), ("B", b)):
        seen = Counter(side.values())
        twice = [i for i, p in side.items() if seen[p] > 1]
        if twice:
            raise ValueError(
                f"compare_embeddings: {name} holds outputs of the same recording twice "
                f"({few(twice, 4)}): its windows cannot be matched to the other output's; "
                "compare one of those outputs at a time"
            )
    raise AssertionError("unreachable")  # pragma: no cover


# -- provenance ---------------------------------------------------------------------------


def _flat(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}"))
        return out
    return {prefix: value}


def _provenance_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """The provenance of one output or run that explains its numbers, by name."""
    from eegpt.preprocessing_spec import stored_defaults

    software: Mapping[str, Any] = record.get("software") or {}
    software = software if isinstance(software, Mapping) else {}
    checkpoint: Mapping[str, Any] = record.get("checkpoint") or {}
    checkpoint = checkpoint if isinstance(checkpoint, Mapping) else {}
    out = {
        "eegpt_version": record.get("eegpt_version"),
        "eegpt_changes": record.get("eegpt_changes"),
        "torch": software.get("torch") or record.get("torch_version"),
        "numpy": software.get("numpy"),
        "scipy": software.get("scipy"),
        "mne": software.get("mne"),
        "precision": record.get("precision"),
        "stream_precision": record.get("stream_precision"),
        "device": record.get("device"),
        "batch_size": record.get("batch_size"),
        "fused": record.get("fused"),
        "pool": record.get("pool") or "none",
        "encoder fingerprint": checkpoint.get("weights_sha256"),
        "checkpoint sha256": checkpoint.get("sha256"),
        "weights modified": checkpoint.get("weights_modified"),
    }
    pre = dict(record.get("preprocessing") or {})
    if pre:
        pre = {**stored_defaults(), **pre}  # fields recorded only when set: their default
    out.update(_flat(pre, "preprocessing") if pre else {})
    out.update(_flat(record.get("model") or {}, "model"))
    return out


def _values_text(counts: Counter[str], noun: str) -> str:
    """A side's values of one setting (``counts``: :func:`_value_counts`): the one value, or
    each with how many of the side's files (runs) record it."""
    if len(counts) == 1:
        return next(iter(counts))
    return "; ".join(f"{v} ({count(n, noun)})" for v, n in counts.most_common())


#: What a side's provenance says of a setting a file (run) does not record.
_NOT_RECORDED = "not recorded"


def _short(value: Any) -> str:
    if value is None:
        return _NOT_RECORDED
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value[:16] + "..."  # a SHA-256
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


def _provenance_rows(a: _Side, b: _Side) -> list[ProvenanceRow]:
    """Every provenance entry either side records, side by side."""
    found_a = [_provenance_of(r) for r in a.records]
    found_b = [_provenance_of(r) for r in b.records]
    names: list[str] = []
    for found in (*found_a, *found_b):
        names += [n for n in found if n not in names]
    noun_a = "file" if a.files is not None else "run"
    noun_b = "file" if b.files is not None else "run"
    rows = []
    for name in names:
        va = [f.get(name) for f in found_a]
        vb = [f.get(name) for f in found_b]
        if all(v is None for v in (*va, *vb)):
            continue
        if name == "stream_precision" and not any(v for v in (*va, *vb)):
            continue
        counts_a, counts_b = _value_counts(va), _value_counts(vb)  # each value's text once
        if set(counts_a) == {_NOT_RECORDED} or set(counts_b) == {_NOT_RECORDED}:
            status = "one side"
        elif set(counts_a) == set(counts_b):
            status = "same"
        else:
            status = "differs"
        rows.append(
            ProvenanceRow(
                name, _values_text(counts_a, noun_a), _values_text(counts_b, noun_b), status
            )
        )
    return rows


def _value_counts(values: Sequence[Any]) -> Counter[str]:
    """How many of a side's files (runs) record each text (:func:`_short`) of one setting; a
    value is made text once per distinct value (thousands of files record a few)."""
    texts: dict[tuple[Any, Any], str] = {}
    found: Counter[str] = Counter()
    for value in values:
        if value is None:
            found[_NOT_RECORDED] += 1
            continue
        try:  # a number, a string: as itself (True, 1 and 1.0 apart)
            key: tuple[Any, Any] = (type(value), value)
            hash(key)
        except TypeError:  # a list, a mapping
            key = (list, json.dumps(value, default=str))
        if key not in texts:
            texts[key] = _short(value)
        found[texts[key]] += 1
    return found


# -- comparing -----------------------------------------------------------------------------


def _keyed(table: Any, keys: Mapping[str, str]) -> Any:
    """``table`` with the columns that match rows: ``_rec`` (the recording's key), ``_t``
    (its onset in whole microseconds) and ``_n`` (which of the windows of one onset)."""
    frame = table[[c for c in _COLUMNS if c in table.columns]].copy()
    frame["recording_id"] = frame["recording_id"].astype(str)
    frame["_rec"] = frame["recording_id"].map(keys)
    frame["_t"] = np.round(frame["onset_s"].to_numpy(dtype=np.float64) * 1e6).astype(np.int64)
    frame["_n"] = frame.groupby(["_rec", "_t"]).cumcount()
    return frame


def _rows_list(frame: Any) -> list[dict[str, Any]]:
    return [
        {"recording": rec, "window": _window(win), "onset_s": float(t)}
        for rec, win, t in zip(
            frame["_rec"],
            frame["window"] if "window" in frame.columns else [None] * len(frame),
            frame["onset_s"],
            strict=True,
        )
    ]


def _batches(
    recordings: Sequence[str], sizes: Mapping[str, int], row_bytes: int, budget: int
) -> Iterator[list[str]]:
    """``recordings`` in groups of at most ``budget`` bytes of embeddings each (a recording
    larger than that alone)."""
    batch: list[str] = []
    held = 0
    for rec in recordings:
        if batch and held + sizes[rec] * row_bytes > budget:
            yield batch
            batch, held = [], 0
        batch.append(rec)
        held += sizes[rec] * row_bytes
    if batch:
        yield batch


def _read_rows(side: _Side, ids: Sequence[str]) -> tuple[Any, np.ndarray]:
    """The rows of the recordings ``ids`` of ``side`` and their embeddings, through
    :func:`eegpt.read_embeddings` (its warnings given once already, when the side was read)."""
    from eegpt.dataset_read import read_embeddings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if side.files is not None:
            paths = [side.files[i] for i in ids]
            table, z = read_embeddings(
                paths, columns=["recording_id", "onset_s"], allow_mixed=side.allow_mixed
            )
            by_path = {str(p): i for i, p in zip(ids, paths, strict=True)}
            table["recording_id"] = table["recording_id"].astype(str).map(by_path)
        else:
            table, z = read_embeddings(
                side.given,
                columns=["recording_id", "onset_s"],
                filters=[("recording_id", "in", list(ids))],
            )
            table["recording_id"] = table["recording_id"].astype(str)
    return table, z


def _positions(table: Any, keys: Mapping[str, str]) -> dict[tuple[str, int, int], int]:
    """Each row of a batch read, by its match key, to its position in the batch's array."""
    frame = table.copy()
    frame["_rec"] = frame["recording_id"].map(keys)
    frame["_t"] = np.round(frame["onset_s"].to_numpy(dtype=np.float64) * 1e6).astype(np.int64)
    frame["_n"] = frame.groupby(["_rec", "_t"]).cumcount()
    return {
        (r, int(t), int(n)): k
        for k, (r, t, n) in enumerate(zip(frame["_rec"], frame["_t"], frame["_n"], strict=True))
    }


def _batch_bytes() -> int:
    """:data:`_BATCH_BYTES`, or a sixteenth of the memory available where that is less."""
    from eegpt.memory_checks import available_memory

    available = available_memory()
    if available is None:
        return _BATCH_BYTES
    return max(16 * 2**20, min(_BATCH_BYTES, available // 16))


def _row_stats(
    a: np.ndarray, b: np.ndarray, ia: np.ndarray, ib: np.ndarray, rtol: float, atol: float
) -> dict[str, np.ndarray]:
    """:func:`_chunk_stats` of rows ``a[ia]`` and ``b[ib]``, a few rows at a time (bounded
    temporaries)."""
    per_row = max(1, int(np.prod(a.shape[1:])))
    step = max(1, _CHUNK_VALUES // per_row)
    parts = [
        _chunk_stats(a[ia[k : k + step]], b[ib[k : k + step]], rtol, atol)
        for k in range(0, len(ia), step)
    ]
    if not parts:
        empty = np.zeros(0)
        return {"max_abs": empty, "max_rel": empty, "row_rel": empty, "out": empty.astype(bool)}
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def _chunk_stats(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> dict[str, np.ndarray]:
    """Per row of ``a`` and ``b`` (n, ...): the largest ``|a - b|`` and ``|a - b| / max|b|``
    (``max|b|`` the row's largest finite magnitude in ``b``: the scale of its embedding, so
    that values near zero do not make every rerun differ), ``||a - b|| / ||b||`` and whether
    any value is beyond ``atol + rtol * max|b|``; values equal in both (NaN in both too)
    differ by 0, a NaN or infinity on one side only by infinity."""
    a = a.reshape(len(a), -1).astype(np.float64)
    b = b.reshape(len(b), -1).astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        diff = np.abs(a - b)
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        diff[same] = 0.0
        diff[np.isnan(diff)] = np.inf
        magnitude = np.abs(b)
        scale = np.where(np.isfinite(magnitude), magnitude, 0.0).max(axis=1, initial=0.0)
        largest = diff.max(axis=1, initial=0.0)
        rel = np.where(scale > 0, largest / np.where(scale > 0, scale, 1.0), 0.0)
        rel[(scale == 0) & (largest > 0)] = np.inf
        out = diff > atol + rtol * scale[:, None]
        num = np.sqrt(np.sum(np.where(np.isfinite(diff), diff, 0.0) ** 2, axis=1))
        num[~np.isfinite(diff).all(axis=1)] = np.inf
        den = np.sqrt(np.sum(np.where(np.isfinite(b), b, 0.0) ** 2, axis=1))
        row_rel = np.where(
            den > 0, num / np.where(den > 0, den, 1.0), np.where(num > 0, np.inf, 0.0)
        )
    return {
        "max_abs": largest,
        "max_rel": rel,
        "row_rel": row_rel,
        "out": out.any(axis=1),
    }


def _refuse_other_kinds(a: _Side, b: _Side) -> None:
    """Outputs of another pooling or embedding shape cannot be compared value by value."""
    if _pool(a.pool) != _pool(b.pool) or (a.shape and b.shape and a.shape != b.shape):
        raise ValueError(
            f"compare_embeddings: A holds embeddings of pooling {_pool(a.pool)!r}, "
            f"{list(a.shape or [])} per window, B of pooling {_pool(b.pool)!r}, "
            f"{list(b.shape or [])}: they cannot be compared value by value. Compare outputs "
            "embedded alike (the same --pool, model and --window), e.g. embed the recordings "
            "of one of them again with the other's settings (eegpt info shows them)"
        )


def _pool(value: Any) -> str:
    return "none" if value in (None, "none") else str(value)


def compare_embeddings(
    a: str | os.PathLike | Sequence[str | os.PathLike],
    b: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    recursive: bool = False,
    allow_mixed: bool = False,
    progress: bool = True,
) -> EmbeddingsComparison:
    """Compare two embeddings outputs window by window: did a rerun give the same embeddings?

    Parameters
    ----------
    a, b : path-like | sequence of path-like
        Each an output eegpt writes, as :func:`eegpt.read_embeddings` reads it (with its
        checks): a ``.npz``/``.parquet`` file of ``eegpt embed``, a list or a folder of them,
        or an ``embed-dataset`` run folder (or the folder of its ``--part`` runs). ``b`` is
        the reference the relative differences are taken to.
    rtol, atol : float
        Tolerances: a value is within tolerance when ``|a - b| <= atol + rtol * max|b|``,
        ``max|b|`` the largest magnitude of its window's embedding in B (relative to the
        embedding's scale, as RELIABILITY.md measures reruns, not to each value's own
        magnitude, which near zero would make any rerun differ). The defaults (1e-5) suit
        float32 reruns (another batch size, machine, GPU or torch: up to 2e-6);
        float16/bfloat16 embeddings need ``rtol=2e-2`` against float32 ones (a note says so
        where either side is such).
    recursive : bool
        A folder of per-recording outputs is read with its sub-folders' files at any depth,
        as :func:`eegpt.read_embeddings` reads it with ``recursive=True``.
    allow_mixed : bool
        Per-recording outputs not embedded alike within one side (a folder partly embedded
        again) are read, as :func:`eegpt.read_embeddings` reads them with
        ``allow_mixed=True`` (a warning), instead of refused; the provenance then shows each
        side's values with how many files record each.
    progress : bool
        Progress bars while each side's files are read (per-recording outputs of more than
        20 files) and over the recordings while their embeddings are compared (more than 20).

    Returns
    -------
    EmbeddingsComparison
        Rows only in one, recordings only in one, the largest absolute and relative
        differences, ``||a - b|| / ||b||`` per window (its median and maximum), per recording
        (worst first), the worst windows, and the provenance of both side by side;
        ``within_tolerance`` says whether they match.

    Raises
    ------
    ValueError
        Outputs of other poolings or embedding shapes (they cannot be compared value by
        value), an output that holds the same recording twice, or what
        :func:`eegpt.read_embeddings` refuses (outputs of one side not embedded alike ...).
    eegpt.errors.MissingFileError
        (a ``FileNotFoundError``) An output that is not there.
    eegpt.errors.MissingDependencyError
        pyarrow or pandas (the ``parquet`` extra) not installed: the windows of both sides,
        of ``.npz`` outputs too, are matched as tables.
    """
    for value, name in ((rtol, "rtol"), (atol, "atol")):
        if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 0):
            raise ValueError(f"compare_embeddings: {name} must be a number >= 0, got {value!r}")
    for given in (a, b):
        if isinstance(given, (str, os.PathLike)) and not user_path(given).exists():
            from eegpt.errors import MissingFileError

            raise MissingFileError(f"compare_embeddings: no output {given}")
    _require_tables()
    with files_reports_read_once():  # each run folder's _files.csv once, not per batch
        side_a = _read_side(a, recursive, allow_mixed, progress, "A")
        side_b = _read_side(b, recursive, allow_mixed, progress, "B")
        _refuse_other_kinds(side_a, side_b)
        keys_a, keys_b, depth = _recording_keys(side_a.sources, side_b.sources)
        matched_by = (
            "the recordings' file names"
            if depth == 1
            else f"the last {depth} parts of the recordings' paths"
        )
        only_a, only_b = set(keys_a.values()), set(keys_b.values())
        if len(only_a) == len(only_b) == 1 and only_a != only_b:  # one recording each: compared
            (name_a,), (name_b,) = only_a, only_b
            keys_b = dict.fromkeys(keys_b, name_a)
            matched_by = f"being the one recording of each (A's {name_a}, B's {name_b})"
        result = EmbeddingsComparison(
            a=side_a.text,
            b=side_b.text,
            rtol=float(rtol),
            atol=float(atol),
            matched_by=matched_by,
            n_rows_a=len(side_a.table),
            n_rows_b=len(side_b.table),
        )
        result.provenance = _provenance_rows(side_a, side_b)
        result.recordings_changed_in_a = sorted({keys_a[i] for i in side_a.changed if i in keys_a})
        result.recordings_changed_in_b = sorted({keys_b[i] for i in side_b.changed if i in keys_b})
        result.notes = _notes(result.provenance, rtol, atol)
        frame_a, frame_b = _keyed(side_a.table, keys_a), _keyed(side_b.table, keys_b)
        recs_a, recs_b = set(frame_a["_rec"]), set(frame_b["_rec"])
        result.recordings_only_in_a = sorted(recs_a - recs_b)
        result.recordings_only_in_b = sorted(recs_b - recs_a)
        both = [r for r in dict.fromkeys(frame_a["_rec"]) if r in recs_b]
        result.recordings_compared = len(both)
        on = ["_rec", "_t", "_n"]
        merged = frame_a.merge(frame_b, on=on, how="outer", suffixes=("_a", "_b"), indicator=True)
        in_both = merged["_rec"].isin(both)
        for which, side in (("left_only", "a"), ("right_only", "b")):
            rows = merged[(merged["_merge"] == which) & in_both]
            rows = rows.rename(columns={f"window_{side}": "window", f"onset_s_{side}": "onset_s"})
            setattr(result, f"rows_only_in_{side}", _rows_list(rows))
        pairs = merged[merged["_merge"] == "both"]
        result.n_rows_compared = len(pairs)
        unmatched = sorted(set(both) - set(pairs["_rec"]))
        if unmatched:
            result.notes.append(_unmatched_note(unmatched, len(both), result.provenance))
        _compare_values(result, side_a, side_b, keys_a, keys_b, pairs, both, progress)
        return result


def _unmatched_note(
    recordings: Sequence[str], n_both: int, provenance: Sequence[ProvenanceRow]
) -> str:
    """The note where recordings in both outputs share no window onset: their windows were
    cut elsewhere (another first onset, window length or overlap), not left out."""
    settings = ("start_seconds", "window_seconds", "overlap", "crop_tmin", "tail")
    differ = [
        r.name for r in provenance if r.status == "differs" and r.name.split(".")[-1] in settings
    ]
    why = f" ({', '.join(differ)} differs)" if differ else ""
    return (
        f"no window of A starts where one of B does in {count(len(recordings), 'recording')} "
        f"of the {n_both} in both ({few(list(recordings), 3)}): their windows "
        f"were cut elsewhere{why}, so none could be compared; embed one of them again with "
        "the other's --start, --window and --overlap (eegpt info shows them)"
    )


def _notes(rows: Sequence[ProvenanceRow], rtol: float, atol: float) -> list[str]:
    """A note where either side was embedded in float16/bfloat16 with tolerances tighter
    than those precisions hold."""
    precision = next((r for r in rows if r.name == "precision"), None)
    low = precision is not None and any(
        p in f"{precision.a} {precision.b}" for p in ("bfloat16", "float16")
    )
    if low and rtol < LOW_PRECISION_TOLERANCE:
        return [
            "float16/bfloat16 embeddings differ from float32 ones by up to about 1e-2 of each "
            f"window's largest value: compare them with --rtol {LOW_PRECISION_TOLERANCE:g} "
            f"(the default, {DEFAULT_RTOL:g}, suits float32 reruns)"
        ]
    return []


def _compare_values(
    result: EmbeddingsComparison,
    side_a: _Side,
    side_b: _Side,
    keys_a: Mapping[str, str],
    keys_b: Mapping[str, str],
    pairs: Any,
    both: Sequence[str],
    progress: bool,
) -> None:
    """Read the embeddings of the recordings in ``both`` a batch at a time and fill
    ``result``'s differences (``pairs``: the rows in both, matched)."""
    import pandas as pd
    from tqdm.auto import tqdm

    from eegpt._logging import progress_options

    ids_a = {k: i for i, k in keys_a.items()}
    ids_b = {k: i for i, k in keys_b.items()}
    sizes = pairs.groupby("_rec").size().to_dict()
    compared = [r for r in both if sizes.get(r)]
    row_bytes = 4 * int(np.prod(side_a.shape or (1,)))
    found: list[Any] = []  # per batch: a frame of its rows' differences
    bar = tqdm(
        total=len(compared),
        desc="comparing",
        unit="rec",
        dynamic_ncols=True,
        **progress_options(disable=not progress or len(compared) <= _BAR_RECORDINGS),
    )
    try:
        for batch in _batches(compared, sizes, row_bytes, _batch_bytes()):
            table_a, za = _read_rows(side_a, [ids_a[r] for r in batch])
            table_b, zb = _read_rows(side_b, [ids_b[r] for r in batch])
            at_a, at_b = _positions(table_a, keys_a), _positions(table_b, keys_b)
            rows = pairs[pairs["_rec"].isin(batch)]
            keys = list(zip(rows["_rec"], rows["_t"], rows["_n"], strict=True))
            ia = np.array([at_a[(r, int(t), int(n))] for r, t, n in keys], dtype=np.int64)
            ib = np.array([at_b[(r, int(t), int(n))] for r, t, n in keys], dtype=np.int64)
            stats = _row_stats(za, zb, ia, ib, result.rtol, result.atol)
            found.append(
                pd.DataFrame(
                    {
                        "recording": rows["_rec"].to_numpy(),
                        "window": rows["window_a"].to_numpy()
                        if "window_a" in rows.columns
                        else None,
                        "onset_s": rows["onset_s_a"].to_numpy(dtype=np.float64),
                        **stats,
                    }
                )
            )
            bar.update(len(batch))
    finally:
        bar.close()
    if not found:
        return
    rows = pd.concat(found, ignore_index=True)
    result.max_abs_diff = float(rows["max_abs"].max())
    result.max_rel_diff = float(rows["max_rel"].max())
    result.median_row_rel_err = float(rows["row_rel"].median())
    result.max_row_rel_err = float(rows["row_rel"].max())
    result.rows_out_of_tolerance = int(rows["out"].sum())
    differing = rows[rows["max_abs"] > 0].sort_values(
        ["row_rel", "max_abs"], ascending=False, kind="stable"
    )
    result.worst_rows = [
        {
            "recording": r.recording,
            "window": _window(r.window),
            "onset_s": float(r.onset_s),
            "max_abs_diff": float(r.max_abs),
            "row_rel_err": float(r.row_rel),
            "out_of_tolerance": bool(r.out),
        }
        for r in differing.head(50).itertuples()
    ]
    worst_of = differing.drop_duplicates("recording").set_index("recording")
    per_rec = []
    for rec, group in rows.groupby("recording", sort=False):
        entry = RecordingDifference(
            str(rec),
            rows=len(group),
            rows_out_of_tolerance=int(group["out"].sum()),
            max_abs_diff=float(group["max_abs"].max()),
            max_row_rel_err=float(group["row_rel"].max()),
        )
        if rec in worst_of.index:
            entry.worst_window = _window(worst_of.at[rec, "window"])
            entry.worst_onset_s = float(worst_of.at[rec, "onset_s"])
        per_rec.append(entry)
    result.recordings = sorted(
        per_rec, key=lambda r: (-r.rows_out_of_tolerance, -r.max_row_rel_err, -r.max_abs_diff)
    )


def _window(value: Any) -> int | None:
    """A window number of a table (a float where a merge left gaps), None where unknown."""
    try:
        return None if value is None or value != value else int(value)
    except (TypeError, ValueError):
        return None
