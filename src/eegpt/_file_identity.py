"""Which exact file(s) a single-recording output was embedded from: the files read, their size,
modification time and a cheap content fingerprint, recorded in the output's provenance
(``metadata["source_files"]``) by :func:`eegpt.embed` and :func:`eegpt.embed_to_file` (``eegpt
embed``) for a recording given as a path.

A corpus run (``eegpt embed-dataset``) records the same size, modification time and cheap
fingerprint in its file statuses (:func:`eegpt.dataset.source_stamp`, keys ``source_bytes``,
``source_mtime_ns``, ``source_sha256``); a single-file output records them under the same
names, so the two can be compared. Asked for (``hash_inputs=True``, ``eegpt embed
--hash-inputs``), it adds each file's full SHA-256, what ``sha256sum FILE`` prints: that reads
every byte once more before the recording is embedded (seconds for a large file on network
storage), so it is not the default.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

#: Key of the record in an output's metadata.
SOURCE_FILES_KEY = "source_files"
_CHUNK = 8 << 20  # bytes read at a time for the SHA-256


def recording_files(path: str | os.PathLike) -> list[Path]:
    """The files read for the recording at ``path``, the recording's own first: a BrainVision
    header (``.vhdr``) with the data and marker files its ``DataFile=``/``MarkerFile=`` lines
    name (else those of its name beside it, as MNE falls back to), an EEGLAB ``.set`` with
    the ``.fdt`` of its name beside it, a split FIF recording's later parts (``rec-1.fif``
    ..., ``..._split-02_...``: :func:`split_parts`), every file inside a recording folder (EGI
    ``.mff``, CTF ``.ds``; sorted), and any other file alone. Files that do not exist are
    left out."""
    path = Path(path).expanduser()
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    suffix = path.suffix.lower()
    beside: list[Path] = []
    if _FIF.search(path.name):
        beside.extend(split_parts(path))
    elif suffix in (".vhdr", ".ahdr"):
        fields = _header_fields(path)
        for key, default in (("datafile", ".eeg"), ("markerfile", ".vmrk")):
            named = path.parent / fields[key] if fields.get(key) else None
            beside.append(
                named if named is not None and named.is_file() else path.with_suffix(default)
            )
    elif suffix == ".set":
        beside.append(path.with_suffix(".fdt"))
    seen = {path}
    files = [path]
    for other in beside:
        if other.is_file() and other not in seen:
            seen.add(other)
            files.append(other)
    return files


_FIF = re.compile(r"\.fif(?:\.gz)?$", re.IGNORECASE)
_NEUROMAG_PART = re.compile(r"^(?P<base>.+?)(?:-(?P<n>[1-9][0-9]*))?(?P<ext>\.fif(?:\.gz)?)$", re.I)
_BIDS_PART = re.compile(r"^(?P<pre>.*_split-)(?P<n>[0-9]+)(?P<post>_.*\.fif(?:\.gz)?)$")


def _next_part(path: Path) -> Path:
    """The name MNE gives the part after ``path`` of a split FIF recording: ``..._split-02_...``
    after ``..._split-01_...`` (BIDS), ``rec-1.fif`` after ``rec.fif`` and ``rec-2.fif`` after
    ``rec-1.fif`` (``split_naming="neuromag"``)."""
    bids = _BIDS_PART.match(path.name)
    if bids:
        n = int(bids["n"]) + 1
        return path.with_name(f"{bids['pre']}{n:0{len(bids['n'])}d}{bids['post']}")
    part = _NEUROMAG_PART.match(path.name)
    assert part is not None  # a FIF file's name (_FIF)
    n = int(part["n"] or 0) + 1
    return path.with_name(f"{part['base']}-{n}{part['ext']}")


def split_parts(path: str | os.PathLike) -> list[Path]:
    """The later parts of the split FIF recording whose first part is ``path``, which MNE reads
    with it (``raw.filenames[1:]``), in order; empty for a FIF file that is not split. Only
    where a file of the next part's name lies beside it is its header read, to learn the
    parts from it as MNE does (a file of that name that does not continue it is no part)."""
    path = Path(path)
    if not _next_part(path).is_file():
        return []
    import mne  # noqa: PLC0415 - only for a split recording

    try:
        raw = mne.io.read_raw_fif(path, preload=False, on_split_missing="ignore", verbose="error")
    except Exception:  # noqa: BLE001 - MNE raises anything on a file it cannot read
        return []
    return [path.with_name(Path(f).name) for f in raw.filenames[1:] if f is not None]


def _header_fields(path: Path) -> dict[str, str]:
    """The ``key=value`` lines of a BrainVision header's first 64 KiB, by lower-case key."""
    try:
        with open(path, "rb") as fh:
            text = fh.read(1 << 16).decode("latin-1")
    except OSError:
        return {}
    return {
        m[1].lower(): m[2].strip()
        for m in re.finditer(r"^\s*(\w+)\s*=([^\r\n]*)", text, re.MULTILINE)
    }


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 (hex) of a file's bytes, read in chunks of 8 MiB (what ``sha256sum`` prints)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def source_files_record(
    path: str | os.PathLike, *, full_hashes: bool = False
) -> dict[str, Any] | None:
    """The identity of the recording at ``path``, for an output's provenance, or None when
    its files cannot be read.

    Parameters
    ----------
    path : str | path-like
        The recording as given to :func:`eegpt.embed`.
    full_hashes : bool
        Also take each file's full SHA-256 (every byte read; ``hash_inputs=True``).

    Returns
    -------
    dict | None
        ``{"files": [name, ...], "source_bytes": int, "source_mtime_ns": int,
        "source_sha256": str}``: ``files`` names each file of :func:`recording_files` (its
        name relative to the recording's folder, e.g. ``"sub-01.vhdr"``,
        ``"rec.mff/signal1.bin"``); ``source_bytes`` is their total size (bytes),
        ``source_mtime_ns`` their latest modification time (ns since the epoch) and
        ``source_sha256`` their fingerprint as a corpus run takes it (size and first and last
        MiB of each; :func:`eegpt.dataset._fingerprint`), as in a corpus run's file status.
        With ``full_hashes``, also ``"sha256": {name: sha256}``, the SHA-256 of each file's
        bytes. ``eegpt anonymize`` drops ``source_mtime_ns`` (a date), names each file by its
        last component and keeps the rest (hashes name no path).
    """
    from eegpt.dataset import _fingerprint  # noqa: PLC0415 - imports the api, which calls this

    base = Path(path).expanduser().absolute()
    files = recording_files(base)
    if not files:
        return None
    root = base.parent
    try:
        stats = [os.stat(f) for f in files]
        hashes = {_name(f, root): file_sha256(f) for f in files} if full_hashes else None
    except OSError:
        return None
    record: dict[str, Any] = {
        "files": [_name(f, root) for f in files],
        "source_bytes": sum(st.st_size for st in stats),
        "source_mtime_ns": max(st.st_mtime_ns for st in stats),
    }
    fingerprint = _fingerprint([os.fspath(f) for f in files])
    if fingerprint is not None:
        record["source_sha256"] = fingerprint
    if hashes is not None:
        record["sha256"] = hashes
    return record


def _name(file: Path, root: Path) -> str:
    """``file``'s name relative to the recording's folder ``root`` (``"rec.mff/signal1.bin"``),
    or its bare name where it lies elsewhere (a ``DataFile=`` in another folder): never a
    path that names the folders it came from. Both are normalised first: a ``DataFile=`` of
    ``../Patient Smith/x.eeg`` lies outside ``root`` (its bare name), though its text starts
    with it."""
    normal, root = Path(os.path.normpath(file)), Path(os.path.normpath(root))
    return normal.relative_to(root).as_posix() if normal.is_relative_to(root) else normal.name


def source_files_text(record: Any) -> str | None:
    """One line for ``eegpt info``: the files embedded, with their SHA-256 (shortened) where
    it was taken, and their total size, or None for an output without the record (in-memory
    inputs, outputs written before eegpt recorded it). Reads the record of earlier versions
    too, whose ``files`` mapped each name to its SHA-256."""
    if not isinstance(record, dict) or not isinstance(record.get("files"), (dict, list)):
        return None
    files = record["files"]
    hashes = files if isinstance(files, dict) else record.get("sha256")
    hashes = hashes if isinstance(hashes, dict) else {}
    shown = ", ".join(
        f"{name} (sha256 {str(hashes[name])[:12]}...)" if hashes.get(name) else str(name)
        for name in list(files)[:4]
    )
    more = f" and {len(files) - 4} more" if len(files) > 4 else ""
    size = record.get("source_bytes")
    return f"  input file{'s' if len(files) != 1 else ''}: {shown}{more}" + (
        f", {size} bytes" if isinstance(size, int) else ""
    )
