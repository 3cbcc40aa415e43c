"""``eegpt anonymize``: a copy of embeddings for publication, without what names the recording's
date, the folders it came from or the machine that embedded it (MNE's ``mne anonymize`` does
so for FIF files).

Embeddings outputs record their provenance so that a result can be traced back: the recording's
``meas_date``, absolute paths (the recording, the checkpoint, a corpus's manifest, each row's
``path``, warning texts that start with the file's path), and for a corpus run the host name
and SLURM job ids of each run. :func:`anonymize_embeddings` writes a copy that keeps the
embeddings, their onsets (relative to the recording start), the recording ids, channels,
model, checkpoint sha256, preprocessing, labels, annotations and the manifest's own columns,
and drops or replaces the rest (see its docstring).

This module imports neither torch nor MNE: only NumPy and, for Parquet, pyarrow.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np

from eegpt._logging import count as _count
from eegpt._logging import few
from eegpt._logging import warn as _warn
from eegpt.errors import OutputExistsError
from eegpt.outputs import (
    FORMATS,
    LATE_METADATA_KEY,
    atomic_write,
    output_format,
    parquet_writer,
    require_pyarrow,
)

__all__ = ["anonymize_embeddings"]

#: The provenance key (a file's metadata, a run's ``_manifest.json``) that says a copy was
#: anonymized, by which eegpt and how its dates were treated.
ANONYMIZED_KEY = "anonymized"
#: The same record in each shard footer of an anonymized corpus run.
FOOTER_KEY = "eegpt_anonymized"

#: Keys, anywhere in the provenance, that name the machine, the user or how the run was
#: called (the host, SLURM job ids, the command line, the working folder, a Ray address).
_MACHINE_KEYS = re.compile(
    r"^(host|hostname|node|user|username|cwd|argv|command|cmdline|pid|ray_address|address|ip|"
    r"slurm_\w*)$",
    re.IGNORECASE,
)
#: Keys of a corpus run's file statuses that are derived from the file on the site's disk and
#: date it: its modification time (often the day it was recorded or exported).
_FILE_DATES = ("source_mtime_ns",)
#: An absolute path inside a text (POSIX ``/a/b`` not inside a word, a URL or a relative path;
#: Windows ``C:\\a\\b``), up to a space, quote, bracket or separator.
_ABSOLUTE = re.compile(
    r"(?<![\w.~/\\:-])/[^\s'\",;|()\[\]{}<>]+|\b[A-Za-z]:\\[^\s'\",;|()\[\]{}<>]+"
)
#: Run-folder files that are copied (anonymized); others are left out, with a warning.
_CSV_REPORTS = ("_files.csv", "_errors.csv", "_too_short.csv", "_corpus.csv")
#: Manifest suffixes, whose file name names a corpus run's input in the copy.
_MANIFEST_SUFFIXES = (".csv", ".tsv", ".parquet")
#: Manifest columns eegpt reads that hold paths: the copy keeps their file names.
_PATH_COLUMNS = ("annotations_file",)


def anonymize_embeddings(
    input: str | os.PathLike, output: str | os.PathLike, *, daysback: int | None = None
) -> Path:
    """Write a copy of embeddings for publication, without the recording date, paths and machine.

    Parameters
    ----------
    input : path-like
        An embeddings file of one recording (``.npz`` or ``.parquet``, :func:`eegpt.embed`,
        ``eegpt embed``), an :func:`eegpt.embed_dataset` output folder, or a folder of such
        folders (the ``--part`` runs of one corpus).
    output : path-like
        The copy: a file of the same format, or a new folder (a folder of ``--part`` runs is
        copied with the same folder names). It must not exist: nothing is ever replaced.
    daysback : int | None
        None (default): the recording's ``meas_date`` is removed, so
        ``Embeddings.clock_times(absolute=True)`` has no date to give. A number of days: it is
        moved back by that many days (time of day kept), as ``mne anonymize --daysback`` does,
        so that the dates of several recordings keep their order and spacing.

    Returns
    -------
    Path
        ``output``.

    Notes
    -----
    The copy keeps the embeddings, onsets (seconds from the recording start), recording ids,
    channels, model configuration, checkpoint sha256, preprocessing settings, event labels,
    annotations and bad flags, and a corpus run's manifest columns and ``epochs.metadata``:
    those come from you or the recording, and are yours to check. It replaces every path by
    what names the file within the dataset: a corpus run's recording id (ids that are
    absolute paths, from a manifest of absolute paths without a ``recording_id`` column,
    become paths relative to their common folder), the file name of a single recording, of
    the checkpoint and of a manifest; paths inside warning and error texts likewise. It drops
    the host name, SLURM job ids and the file modification times a run records to notice
    changed files, and adds ``"anonymized": {"by": "eegpt X", "daysback": N}``. A corpus
    copy cannot be resumed (its paths lead nowhere); read it with :func:`read_embeddings`.

    Raises
    ------
    OutputExistsError
        (a ``FileExistsError``) If ``output`` exists.
    ValueError
        If ``output`` lies inside ``input``, or its suffix is not that of an input file.
    """
    src, dst = Path(input), Path(output)
    if daysback is not None and (isinstance(daysback, bool) or int(daysback) != daysback):
        raise ValueError(f"daysback must be a whole number of days, got {daysback!r}")
    if not src.exists():
        raise FileNotFoundError(f"eegpt anonymize: no such file or folder: {src}")
    if dst.exists() or dst.is_symlink():
        raise OutputExistsError(
            f"{dst} exists; eegpt anonymize never replaces a file or folder: choose a new "
            "output path (or delete it first)"
        )
    if Path(os.path.realpath(dst)).is_relative_to(os.path.realpath(src)):
        raise ValueError(
            f"the output {dst} lies inside the input {src}: write the anonymized copy "
            "elsewhere, so that the original is left as it is"
        )
    record = {"by": f"eegpt {_version()}", "daysback": None if daysback is None else int(daysback)}
    if src.is_file():
        fmt = output_format(src)
        if fmt is None:
            raise ValueError(
                f"{src} is no embeddings file: eegpt anonymize copies a {' or '.join(FORMATS)} "
                "file of eegpt embed, or an embed-dataset output folder"
            )
        if output_format(dst) != fmt:
            raise ValueError(
                f"the output {dst} must end in {fmt}, as the input {src.name} does (the copy "
                "keeps its format; eegpt export converts to .mat or .csv)"
            )
        _anonymize_file(src, dst, fmt, record)
    else:
        _anonymize_folder(src, dst, record)
    return dst


def _version() -> str:
    from eegpt import __version__

    return __version__


# -- the pieces of provenance ------------------------------------------------------------------


def _name(path: str) -> str:
    """The last component of a POSIX or Windows path (``path`` itself when it has none)."""
    text = path.rstrip("/\\")
    name = PureWindowsPath(text).name if "\\" in text else PurePosixPath(text).name
    return name or path


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or bool(re.match(r"^[A-Za-z]:[\\/]", path))


class _Scrubber:
    """Replaces, in every text of the provenance, the paths it knows (each by what names the
    file within the dataset), then any other absolute path by its file name; drops the keys
    that name the machine (:data:`_MACHINE_KEYS`) and moves or drops ``meas_date``."""

    def __init__(self, paths: Mapping[str, str], daysback: int | None) -> None:
        # longest first: a file's path before the folder holding it
        self.paths = sorted(((k, v) for k, v in paths.items() if k and k != v),
                            key=lambda kv: -len(kv[0]))  # fmt: skip
        self.daysback = daysback

    def text(self, value: str) -> str:
        for old, new in self.paths:
            value = value.replace(old, new)
        return _ABSOLUTE.sub(lambda m: _name(m.group(0)), value)

    def value(self, value: Any) -> Any:
        """``value`` (JSON: dicts, lists, texts ...) anonymized throughout."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if _MACHINE_KEYS.match(str(key)) or key in _FILE_DATES:
                    continue
                if key == "meas_date":
                    if self.daysback is not None and item:
                        out[key] = _shifted(str(item), self.daysback)
                    continue
                out[self.text(key) if isinstance(key, str) else key] = self.value(item)
            return out
        return value


def _shifted(date: str, days: int) -> str:
    """An ISO 8601 date moved back by ``days`` days, in the same notation."""
    return (datetime.datetime.fromisoformat(date) - datetime.timedelta(days=days)).isoformat()


# -- one recording -------------------------------------------------------------------------


def _file_paths(meta: Mapping[str, Any]) -> dict[str, str]:
    """The paths a file's provenance holds, each with its file name: the recording
    (``source``, as given and absolute), the checkpoint's, an annotations file's."""
    paths: dict[str, str] = {}
    source = str(meta.get("source") or "")
    if source and ("/" in source or "\\" in source):
        paths[source] = _name(source)
        paths[os.path.abspath(source)] = _name(source)
    checkpoint = meta.get("checkpoint") or {}
    for where in (checkpoint.get("path"), (checkpoint.get("source") or {}).get("file")):
        if where:
            paths[str(where)] = _name(str(where))
    if meta.get("annotations_file"):
        paths[str(meta["annotations_file"])] = _name(str(meta["annotations_file"]))
    return paths


def _anonymized_metadata(meta: Mapping[str, Any], daysback: int | None, record: dict) -> dict:
    out = _Scrubber(_file_paths(meta), daysback).value(dict(meta))
    checkpoint = out.get("checkpoint")
    if isinstance(checkpoint, dict) and checkpoint.get("path"):  # a relative one too
        checkpoint["path"] = _name(str(checkpoint["path"]))
    if out.get("source"):
        out["source"] = _name(str(out["source"]))
    out[ANONYMIZED_KEY] = record
    return out


def _anonymize_file(src: Path, dst: Path, fmt: str, record: dict) -> None:
    """One recording's ``.npz`` or ``.parquet`` file, copied anonymized to ``dst``."""
    if fmt == ".npz":
        with np.load(src, allow_pickle=False) as f:
            if not {"embeddings", "onsets", "metadata"} <= set(f.files):
                raise ValueError(f"{src} holds {sorted(f.files)}; was it written by eegpt?")
            data, onsets = f["embeddings"], f["onsets"]
            meta = json.loads(str(f["metadata"][()]))
        meta = _anonymized_metadata(meta, record["daysback"], record)

        def write_npz(fh: Any) -> None:
            np.savez(fh, embeddings=data, onsets=onsets, metadata=np.array(json.dumps(meta)))

        atomic_write(dst, write_npz, overwrite=False)
        return
    pa, pq = require_pyarrow("anonymizing a .parquet embeddings file")
    with pq.ParquetFile(src) as f:
        schema = f.schema_arrow
        footer = f.metadata.metadata or {}
        if b"eegpt" not in (schema.metadata or {}):
            raise ValueError(f"{src} has no eegpt metadata; was it written by eegpt?")
        meta = json.loads(schema.metadata[b"eegpt"])
        if str(meta.get("format", "")).startswith("eegpt-dataset"):
            raise ValueError(
                f"{src} is a shard of an embed-dataset run: anonymize the run's folder "
                f"({src.parent}) instead, so that its reports are anonymized with it"
            )
        late = footer.get(LATE_METADATA_KEY.encode())
        meta.update(json.loads(late) if late else {})
        meta = _anonymized_metadata(meta, record["daysback"], record)
        others = {k: v for k, v in schema.metadata.items() if k != b"eegpt"}
        new_schema = schema.with_metadata({**others, b"eegpt": json.dumps(meta).encode()})
        name = str(meta.get("source") or "")

        def write_parquet(fh: Any) -> None:
            writer = parquet_writer(fh, new_schema)
            for batch in f.iter_batches(batch_size=1024):
                columns = [
                    pa.array([name] * batch.num_rows, pa.string()) if c == "source" else batch[c]
                    for c in batch.schema.names
                ]
                writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=new_schema))
            writer.close()

        atomic_write(dst, write_parquet, overwrite=False)


# -- corpus runs ---------------------------------------------------------------------------


def _anonymize_folder(src: Path, dst: Path, record: dict) -> None:
    """An embed-dataset run folder (or a folder of ``--part`` run folders) copied anonymized
    into the new folder ``dst``, made beside it under a hidden name and renamed into place
    once complete."""
    from eegpt.dataset_lock import FolderLock
    from eegpt.dataset_read import MANIFEST, read_shard_status, run_folders, shard_files

    parts = run_folders(src)
    folders = parts or [src]
    if not parts and not (src / MANIFEST).is_file():
        raise ValueError(
            f"{src} is no embed-dataset output folder (no {MANIFEST}) nor a folder of them; "
            "eegpt anonymize copies those, or a .npz/.parquet file of eegpt embed"
        )
    busy = [str(f) for f in folders if FolderLock.held(f)]
    if busy:
        raise ValueError(
            f"a run is writing {few(busy)}: anonymize it once the run has ended, so that the "
            "copy holds every shard"
        )
    statuses = {f: [read_shard_status(p)[1] for p in shard_files(f)] for f in folders}
    ids = _id_map(folders, statuses)
    paths: dict[str, str] = {}
    for folder in folders:
        for status in statuses[folder]:
            for s in status.get("files", []):
                paths[str(s.get("path", ""))] = ids.get(s["recording_id"], s["recording_id"])
        for row in _csv_rows(folder, "_files.csv")[1] + _csv_rows(folder, "_corpus.csv")[1]:
            if row.get("path"):
                paths[row["path"]] = ids.get(row.get("recording_id", ""), row.get("recording_id"))
    paths.update(ids)
    paths.update(_source_names(folders))
    scrub = _Scrubber(paths, record["daysback"])
    if ids != {k: k for k in ids}:
        record = {**record, "recording_ids": "absolute paths made relative to their common folder"}
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent))
    try:
        for folder in folders:
            out = tmp / folder.name if parts else tmp
            out.mkdir(exist_ok=True)
            _copy_run(folder, out, scrub, ids, record)
        if dst.exists():
            raise OutputExistsError(f"{dst} appeared while the copy was written; it is kept")
        os.rename(tmp, dst)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _id_map(folders: list[Path], statuses: Mapping[Path, list[dict]]) -> dict[str, str]:
    """Each recording id of the runs, with the id the copy gives it: the same, except ids that
    are absolute paths (a manifest of absolute paths without a ``recording_id`` column), made
    relative to the common folder of those ids."""
    found = {s["recording_id"] for f in folders for st in statuses[f] for s in st.get("files", [])}
    for folder in folders:
        for name in ("_files.csv", "_corpus.csv"):
            found |= {
                r["recording_id"] for r in _csv_rows(folder, name)[1] if r.get("recording_id")
            }
    absolute = sorted(i for i in found if _is_absolute(i))
    if not absolute:
        return {i: i for i in found}
    windows = any("\\" in i for i in absolute)
    flavour = PureWindowsPath if windows else PurePosixPath
    common = os.path.commonpath([str(flavour(i)) for i in absolute]) if not windows else None
    if windows:  # commonpath follows this platform's separators: by parts
        split = [flavour(i).parts for i in absolute]
        n = 0
        while all(len(p) > n + 1 for p in split) and len({p[n] for p in split}) == 1:
            n += 1
        new = {i: "/".join(p[n:]) for i, p in zip(absolute, split, strict=True)}
    else:
        root = PurePosixPath(common)
        if len(absolute) == 1 or common in absolute:
            root = PurePosixPath(absolute[0]).parent if len(absolute) == 1 else root.parent
        new = {i: PurePosixPath(i).relative_to(root).as_posix() for i in absolute}
    clash = sorted(set(new.values()) & (found - set(absolute)))
    if clash:
        raise ValueError(
            f"the recording ids {few(clash)} would name two files once the absolute ids are "
            "made relative; give the manifest a recording_id column and embed again"
        )
    return {**{i: i for i in found}, **new}


def _source_names(folders: list[Path]) -> dict[str, str]:
    """Each run's input (``source`` of its manifest, ``corpus`` of a part's inputs) with what
    the copy names it: a manifest by its file name, a folder or glob as ``"a folder"`` (its name
    may be a patient's)."""
    from eegpt.dataset_read import MANIFEST

    out: dict[str, str] = {}
    for folder in folders:
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
        except (OSError, ValueError):
            continue
        inputs = (manifest.get("spec") or {}).get("inputs") or {}
        source = re.sub(r" \(part \d+/\d+\)$", "", str(manifest.get("source") or ""))
        for given in (source, str(inputs.get("corpus") or "")):
            if given and given != "<list>" and (("/" in given) or ("\\" in given)):
                name = _name(given)
                manifest_file = Path(name).suffix.lower() in _MANIFEST_SUFFIXES
                out[given] = name if manifest_file else "a folder"
    return out


def _csv_rows(folder: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a run's report ``name``; empty where it has none."""
    try:
        with open(folder / name, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            return list(reader.fieldnames or []), list(reader)
    except FileNotFoundError:
        return [], []


def _copy_run(
    folder: Path, out: Path, scrub: _Scrubber, ids: Mapping[str, str], record: dict
) -> None:
    """One run folder's shards, reports and manifest, anonymized into ``out``."""
    from eegpt.dataset_read import MANIFEST, shard_files

    copied = {MANIFEST, *_CSV_REPORTS}
    shards = shard_files(folder)
    for shard in shards:
        _copy_shard(shard, out / shard.name, scrub, ids, record)
    for name in _CSV_REPORTS:
        header, rows = _csv_rows(folder, name)
        if not header:
            continue
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            new = {k: scrub.text(v) if isinstance(v, str) else v for k, v in row.items()}
            if row.get("recording_id") in ids:
                new["recording_id"] = ids[row["recording_id"]]
                if "path" in new:
                    new["path"] = new["recording_id"]
            for column in _PATH_COLUMNS:
                if new.get(column):
                    new[column] = _name(new[column])
            writer.writerow(new)
        (out / name).write_text(buffer.getvalue(), encoding="utf-8")
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest = scrub.value(manifest)
    manifest[ANONYMIZED_KEY] = record
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    left = sorted(
        p.name
        for p in folder.iterdir()
        if p.name not in copied and p not in shards and not p.name.startswith(".")
    )
    if left:
        _warn(
            f"eegpt anonymize left {_count(len(left), 'file')} of {folder} out of the copy, "
            f"not being eegpt's: {few(left)} (copy them yourself once checked)"
        )


def _copy_shard(src: Path, dst: Path, scrub: _Scrubber, ids: Mapping[str, str], record: dict):
    """A shard with its ``path`` and ``recording_id`` columns given the copy's ids, the paths
    of ``annotations_file`` their file names and its footer anonymized."""
    from eegpt.dataset_read import CHECKSUMS_KEY

    pa, pq = require_pyarrow("anonymizing embed-dataset shards")
    with pq.ParquetFile(src) as f:
        schema = f.schema_arrow
        footer = f.metadata.metadata or {}
        spec = scrub.value(json.loads(schema.metadata[b"eegpt"]))
        others = {k: v for k, v in schema.metadata.items() if k != b"eegpt"}
        new_schema = schema.with_metadata({**others, b"eegpt": json.dumps(spec).encode()})
        status = scrub.value(json.loads(footer.get(b"eegpt_shard", b"{}")))
        for s in status.get("files", []):
            s["recording_id"] = ids.get(s["recording_id"], s["recording_id"])
            s["path"] = s["recording_id"]
            if s.get("annotations_file"):
                s["annotations_file"] = _name(s["annotations_file"])
        extra = {"eegpt_shard": json.dumps(status), FOOTER_KEY: json.dumps(record)}
        if CHECKSUMS_KEY.encode() in footer:
            extra[CHECKSUMS_KEY] = footer[CHECKSUMS_KEY.encode()].decode()
        with open(dst, "wb") as fh:
            writer = parquet_writer(fh, new_schema)
            for batch in f.iter_batches(batch_size=1024):
                new_ids = [ids.get(v, v) for v in batch["recording_id"].to_pylist()]
                columns = []
                for c in batch.schema.names:
                    kind = batch.schema.field(c).type
                    if c in ("recording_id", "path"):  # a row's path: its (new) id
                        columns.append(pa.array(new_ids, kind))
                    elif c in _PATH_COLUMNS:
                        values = [None if v is None else _name(v) for v in batch[c].to_pylist()]
                        columns.append(pa.array(values, kind))
                    else:
                        columns.append(batch[c])
                writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=new_schema))
            writer.add_key_value_metadata(extra)
            writer.close()
            fh.flush()
            os.fsync(fh.fileno())
