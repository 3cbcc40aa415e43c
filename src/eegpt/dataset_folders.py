"""The files of a corpus run's folder, by name, and the run folders a path names.

A run folder of :func:`eegpt.embed_dataset` holds its manifest (:data:`MANIFEST`), its reports
(:data:`FILES_REPORT`, :data:`ERRORS_REPORT`, :data:`SHORT_REPORT`; a ``--part`` run's
:data:`CORPUS_LISTING` too), its shards (:data:`SHARD`, :func:`shard_name`, :func:`shard_files`)
and, after a run stopped part-way through a shard, that shard's finished files
(:data:`PARTIAL`, :func:`partial_name`), and the windows embedded so far of the recording it
was embedding in parts (:data:`KEPT_WINDOWS`, :func:`kept_windows_name`). A folder of run
folders (the parts of a corpus run as one job per part) stands for those (:func:`run_folders`,
:func:`expand_run_folders`).

This module imports neither torch nor MNE nor SciPy: ``eegpt info``, anonymize and the readers
take these names without paying for the model's stack.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from eegpt._filenames import user_path

#: The file that marks a folder written by :func:`eegpt.embed_dataset` (its settings and
#: reports); :data:`MANIFEST` is the same name.
RUN_MANIFEST = "_manifest.json"
MANIFEST = RUN_MANIFEST
FILES_REPORT = "_files.csv"
ERRORS_REPORT = "_errors.csv"
CORPUS_LISTING = "_corpus.csv"  # of a --part run: the whole listing it was split from
SHORT_REPORT = "_too_short.csv"
TOO_SHORT = "too_short"  # the status of a file shorter than one window (skipped, not failed)
#: The name of a shard file of a run folder (its group: the shard number).
SHARD = re.compile(r"^shard-(\d+)\.parquet$")
#: The finished files of a shard whose run was stopped part-way (:func:`partial_name`): hidden,
#: so that no reader (pyarrow's dataset, a ``*.parquet`` glob, :func:`shard_files`) takes it
#: for a shard; a resume reuses its files' rows.
PARTIAL = re.compile(r"^\.shard-(\d+)\.parquet\.partial$")
#: The windows embedded so far of a recording read in parts, kept by a run stopped inside it
#: (:class:`eegpt.dataset_pipeline.KeptWindows`, :mod:`eegpt._partial_embeddings`): hidden and
#: of no shard's name, so that no listing, reader or check takes it for a shard.
KEPT_WINDOWS = re.compile(r"^\.recording-[0-9a-f]{24}\.eegpt-partial\.(json|rows)$")
#: The suffixes of a manifest (a table of recordings) given as the input of a corpus run.
MANIFEST_SUFFIXES = (".csv", ".tsv", ".parquet")


def read_run_manifest(folder: str | os.PathLike) -> dict[str, Any]:
    """The manifest (:data:`MANIFEST`) of the run folder ``folder``, parsed. One that is not a
    JSON object in UTF-8 (cut short by a full disk, saved again in another encoding, edited)
    raises an :class:`~eegpt.errors.UnreadableOutputError` (a ``ValueError``) naming it and
    what to do, not json's bare words nor an ``AttributeError`` later; one that is not there,
    ``FileNotFoundError`` (an ``OSError``), as reading it does (a
    :class:`~eegpt.errors.MissingFileError` naming where it points, where it is a symbolic
    link to nothing)."""
    from eegpt.errors import UnreadableOutputError  # (importing this module loads no other)

    path = Path(folder) / MANIFEST
    advice = (
        "the run folder's settings and reports are kept there, so it cannot be described, "
        "resumed or anonymized without it: restore it from a copy of the folder, or run "
        "embed-dataset again into a new folder (or with --overwrite); its shards stay "
        "readable with eegpt.read_embeddings(folder)"
    )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:  # not there; or a link to nothing, or a link loop (ELOOP)
        from eegpt.formats import broken_link_text

        # a DataLad or git-annex file whose content is not here (not a link it cannot read)
        link = None if path.exists() else broken_link_text(path)
        if link is None:
            raise
        from eegpt.errors import MissingFileError

        raise MissingFileError(link) from err
    except ValueError as err:  # not JSON, or not UTF-8 text
        raise UnreadableOutputError(
            f"{path} cannot be read ({err}): it is damaged or was saved again in another form; "
            f"{advice}"
        ) from err
    if not isinstance(manifest, dict):
        raise UnreadableOutputError(
            f"{path} holds a JSON {type(manifest).__name__}, not the JSON object embed-dataset "
            f"writes; {advice}"
        )
    return manifest


def shard_name(shard: int) -> str:
    return f"shard-{shard:05d}.parquet"


def partial_name(shard: int) -> str:
    """``.shard-NNNNN.parquet.partial``: the file holding the finished files of ``shard`` kept
    by a run stopped part-way through it (:data:`PARTIAL`)."""
    return f".{shard_name(shard)}.partial"


def kept_windows_name(recording_id: str) -> str:
    """``recording-<hash>``: the name under which a recording's windows embedded so far are
    kept (:data:`KEPT_WINDOWS`; the hash of its recording id, which may hold any character)."""
    return (
        "recording-"
        + hashlib.sha256(recording_id.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    )


def shard_files(output_dir: Path) -> list[Path]:
    """The shard files of a run folder, in shard order."""
    return sorted(p for p in Path(output_dir).iterdir() if SHARD.match(p.name))


#: The files reports read in this call (:func:`files_reports_read_once`): their rows by
#: (path, modification time in ns, size, device, inode: a report replaced by another of the
#: same size and time is another file); None outside such a call.
_REPORTS_READ: contextvars.ContextVar[
    dict[tuple[str, int, int, int, int], list[dict[str, str]]] | None
] = contextvars.ContextVar("eegpt_files_reports_read", default=None)


@contextlib.contextmanager
def files_reports_read_once() -> Iterator[None]:
    """Within it (one call of :func:`eegpt.read_embeddings`, :func:`eegpt.load_embeddings` or
    :func:`eegpt.compare_embeddings`), each run folder's files report is read once by
    :func:`files_report_rows` (and :func:`changed_rows`), however many times the call reads
    the folder (a batch of compare's rows each), unless it changed (its modification time,
    size, or the file itself: replaced, as a run writes it) in between; nested, the outermost call's reads are kept."""
    if _REPORTS_READ.get() is not None:  # within another call: its reads stand
        yield
        return
    token = _REPORTS_READ.set({})
    try:
        yield
    finally:
        _REPORTS_READ.reset(token)


def files_report_rows(output_dir: str | os.PathLike) -> list[dict[str, str]] | None:
    """The rows of the run folder's files report (:data:`FILES_REPORT`), each a dict of its
    columns (not to be changed: they may be another reader's of the same call); None where
    there is none or it cannot be read. Read once per call within
    :func:`files_reports_read_once`."""
    path = Path(output_dir) / FILES_REPORT
    read = _REPORTS_READ.get()
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size, stat.st_dev, stat.st_ino)
        if read is not None and key in read:
            return read[key]
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, ValueError, csv.Error):  # (UnicodeDecodeError is a ValueError)
        return None
    if read is not None:
        read[key] = rows
    return rows


def changed_rows(output_dir: str | os.PathLike) -> list[dict[str, str]]:
    """The rows of the run folder's files report (:data:`FILES_REPORT`) of recordings marked
    in its ``changed`` column (each a dict of its columns: ``recording_id``, ``shard``,
    ``changed`` (what changed, ``recording: contents and modification time``) ...): embedded
    recordings whose files a later run of the folder found changed since they were embedded,
    whose rows are of the earlier contents. Empty where there is no report or it cannot be
    read (:func:`files_report_rows`: once per call within :func:`files_reports_read_once`)."""
    rows = files_report_rows(output_dir) or []
    return [row for row in rows if row.get("changed") and row.get("recording_id")]


def expand_run_folders(
    output_dir: str | os.PathLike | Sequence[str | os.PathLike],
) -> list[Path]:
    """The run folders ``output_dir`` names: a folder, or each of a sequence of them, with a
    folder of run folders (the parents of ``--part`` runs) replaced by those, in name order."""
    given = [output_dir] if isinstance(output_dir, (str, os.PathLike)) else list(output_dir)
    return [p for g in given for p in (run_folders(user_path(g)) or [user_path(g)])]


def run_folders(folder: Path) -> list[Path]:
    """The embed-dataset output folders right inside ``folder`` (the parts of a corpus run
    as one job per part, ``--part``), in name order; none when ``folder`` is one itself."""
    if not folder.is_dir() or (folder / MANIFEST).is_file() or shard_files(folder):
        return []
    return sorted(p for p in folder.iterdir() if (p / MANIFEST).is_file())
