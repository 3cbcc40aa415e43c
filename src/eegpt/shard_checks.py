"""A corpus run's shards read back and checked: the settings and file statuses of their
footers (:func:`read_shard_status`), the time base those record (:func:`time_base_unrecorded`),
and whether each shard is whole: cut short at its ends (:func:`cut_shards`, cheap: what plain
``eegpt info`` checks) or damaged inside its data (:func:`damaged_shards`, read through:
``eegpt info --verify``, and :func:`read_embeddings <eegpt.read_embeddings>` when pyarrow fails),
with how to have such shards recomputed (:func:`recompute_advice`).

This module imports neither torch nor MNE nor SciPy (pyarrow only when reading shards).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eegpt._logging import count as _count
from eegpt._logging import few
from eegpt._logging import warn as _warn
from eegpt.dataset_folders import expand_run_folders, read_run_manifest, shard_files
from eegpt.optional_packages import require_pyarrow

#: The footer key of a shard whose page headers hold CRC-32 checksums (older shards have none).
CHECKSUMS_KEY = "eegpt_checksums"


def read_shard_status(path: Path, footer: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The run settings (``eegpt``) and file statuses (``eegpt_shard``) of a shard's footer
    (``footer``: its ``pyarrow.parquet.FileMetaData`` where already read, else read here)."""
    if footer is None:
        _, pq = require_pyarrow("reading embed-dataset shards")
        footer = pq.read_metadata(path)
    meta = footer.metadata or {}
    if b"eegpt" not in meta or b"eegpt_shard" not in meta:
        raise ValueError(f"{path} lacks eegpt metadata; it was not written by embed_dataset")
    return json.loads(meta[b"eegpt"]), json.loads(meta[b"eegpt_shard"])


#: What ``eegpt info`` and ``eegpt export`` say of a run whose file statuses record no time
#: base (:func:`time_base_unrecorded`).
TIME_BASE_UNRECORDED = (
    "the recordings' measurement dates (and first-sample times) were not recorded by the "
    "eegpt that wrote this run"
)


def time_base_unrecorded(shards: Sequence[Path]) -> bool:
    """Whether a run's ``shards`` (of layout 3 or before) were written by an eegpt that
    recorded no time base in the file statuses (``first_time``, ``meas_date``: recorded
    since 2026-12-03): its clock_s can only be the onsets, and it has no clock_time, which
    no reading of it (``clock_times(absolute=True)``, ``eegpt export``) can give."""
    read = []
    for shard in shards:
        try:
            read.append(read_shard_status(shard))
        except (OSError, ValueError):
            continue
        if time_base_decided(read[-1:]) is not None:
            break
    return bool(time_base_decided(read))


def time_base_decided(statuses: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> bool | None:
    """:func:`time_base_unrecorded` of shards' statuses already read (``(settings, file
    statuses)`` of :func:`read_shard_status`, in the run's order): True or False as the first
    shard that tells says, None where none tells (no shard with a file embedded)."""
    for spec, status in statuses:
        if int(spec.get("layout") or 1) > 3:
            return False
        files = [f for f in status.get("files", []) if f.get("status") == "ok"]
        if any("first_time" in f or "meas_date" in f for f in files):
            return False
        if files:
            return True
    return None


def damaged_shards(shards: Sequence[Path], *, first: bool = False) -> list[tuple[Path, str]]:
    """The shards among ``shards`` whose data cannot be read, each with pyarrow's reason:
    every page of every column is read and decompressed (batch by batch, nothing kept), its
    checksum compared where the shard has them, and every embedding value checked finite, so
    damage inside the data is found too, not only a missing footer. ``first``: stop at the
    first damaged one (the others are not read)."""
    pa, pq = require_pyarrow("reading embed-dataset shards")
    import pyarrow.compute as pc

    damaged: list[tuple[Path, str]] = []
    for path in shards:
        if first and damaged:
            break
        try:
            with pq.ParquetFile(path, page_checksum_verification=True) as f:
                row = 0
                for batch in f.iter_batches(batch_size=1024):
                    names = batch.schema.names
                    values = batch.column("embedding").flatten() if "embedding" in names else None
                    if values is not None and not pc.all(pc.is_finite(values)).as_py():
                        raise ValueError(
                            f"NaN/Inf embedding values in the rows from {row} to "
                            f"{row + batch.num_rows - 1}"
                        )
                    row += batch.num_rows
        except (OSError, ValueError, pa.ArrowException) as err:
            damaged.append((path, str(err).splitlines()[0] if str(err) else type(err).__name__))
    return damaged


_MAGIC = b"PAR1"  # a Parquet file's first and last four bytes


def cut_shards(shards: Sequence[Path]) -> list[tuple[Path, str]]:
    """The shards among ``shards`` that are not whole Parquet files, each with the reason:
    shorter than a Parquet file can be, without the magic ``PAR1`` at its start or its end,
    or with a footer longer than the file. Cheap (a few bytes read at each end, no data, no
    footer parsed: what plain ``eegpt info`` checks of every shard), so it finds a shard cut
    short (a full disk, a copy stopped half-way) but not damage inside its data
    (:func:`damaged_shards` reads that through)."""
    cut: list[tuple[Path, str]] = []
    for path in shards:
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size < 12:  # magic, footer length, magic
                    cut.append((path, f"{size} bytes: truncated"))
                    continue
                head = fh.read(4)
                fh.seek(size - 8)
                tail = fh.read(8)
        except OSError as err:
            cut.append((path, err.strerror or type(err).__name__))
            continue
        footer = int.from_bytes(tail[:4], "little")
        if head != _MAGIC:
            cut.append((path, "no Parquet magic bytes at its start: not a Parquet file"))
        elif tail[4:] != _MAGIC:
            cut.append((path, f"no Parquet magic bytes at its end: truncated ({size} bytes)"))
        elif footer + 12 > size:
            cut.append((path, f"its footer ({footer} bytes) is longer than the file: corrupt"))
    return cut


def cut_shards_line(shards: Sequence[Path]) -> str:
    """``eegpt info``'s line on the shards among ``shards`` that are not whole Parquet files
    (:func:`cut_shards`) and what to do; ``""`` where each one is whole at its ends."""
    cut = cut_shards(shards)
    if not cut:
        return ""
    n = len(cut)
    return (
        f"  DAMAGED: {n} of {_count(len(shards), 'shard')} {'is' if n == 1 else 'are'} no whole "
        f"Parquet file (truncated or corrupt; read_embeddings fails on "
        f"{'it' if n == 1 else 'them'}): {damaged_list(cut, 20)}. To recompute "
        f"{'it' if n == 1 else 'them'}, {recompute_advice(n)}; `eegpt info --verify` reads "
        "every shard through, for damage inside the data too"
    )


def has_checksums(shard: Path) -> bool:
    """Whether the page headers of ``shard`` hold checksums (its footer says so), or False
    where its footer cannot be read."""
    _, pq = require_pyarrow("reading embed-dataset shards")
    try:
        return CHECKSUMS_KEY.encode() in (pq.read_metadata(shard).metadata or {})
    except Exception:  # noqa: BLE001 - a damaged footer: damaged_shards names it
        return False


def recompute_advice(n: int) -> str:
    """How to have ``n`` damaged shards, named before, embedded again: a resumed run
    recomputes the shards that are missing."""
    them, shards = ("it", "that shard") if n == 1 else ("them", "those shards")
    return (
        f"delete {them} and run the same embed-dataset command again: it embeds the files of "
        f"{shards} again and keeps the other shards"
    )


def verify_report(folder: Path) -> tuple[str, bool]:
    """What ``eegpt info --verify`` adds for a run folder (or a folder of ``--part`` run
    folders): the shards whose data cannot be read, and how to have them recomputed; and
    whether every shard reads (else ``eegpt info`` exits 3)."""
    shards = [p for f in expand_run_folders(folder) for p in shard_files(f)]
    damaged = damaged_shards(shards)
    if not damaged:
        old = sum(not has_checksums(p) for p in shards)
        checked = (
            "checksums and values checked"
            if not old
            else "values checked, no checksums"
            if old == len(shards)
            else f"checksums and values checked; values only, no checksums, in {old} written "
            "before eegpt wrote checksums"
        )
        return (
            f"  verified: all {_count(len(shards), 'shard')} read through (every page): {checked}",
            True,
        )
    n = len(damaged)
    return (
        f"  DAMAGED: {n} of {_count(len(shards), 'shard')} cannot be read (truncated or "
        f"corrupt): {damaged_list(damaged, 20)}. To recompute {'it' if n == 1 else 'them'}, "
        f"{recompute_advice(n)}"
    ), False


#: What pyarrow's errors say of data it cannot read (a shard truncated or corrupt), as
#: opposed to a read asked wrongly (a filter on a column the shards lack).
_DAMAGE_WORDS = re.compile(
    r"magic bytes|corrupt|decompress|deserializ|thrift|truncat|end of (?:file|stream)|"
    r"page header|could not open parquet|is this a 'parquet' file|out of bounds|"
    r"snappy|zstd|lz4|gzip|brotli|checksum|crc|file size is 0 bytes",
    re.IGNORECASE,
)


def _damaged_shard_error(
    output_dir: Any, err: BaseException, who: str = "read_embeddings"
) -> Exception | None:
    """The error for a read of ``output_dir`` (as
    :func:`~eegpt.dataset_read.read_embeddings` takes it) that pyarrow failed with ``err``:
    naming a shard that cannot be read and how to have it recomputed; None when ``err`` does
    not say the data are unreadable (:data:`_DAMAGE_WORDS`) or every shard reads. The shards
    are read through only then, each folder's up to the first damaged one (a shard the error
    names first). ``who``: what read it, for the message (``"eegpt anonymize"``)."""
    from eegpt.errors import EEGPTError, UnreadableShardError

    pa = sys.modules.get("pyarrow")  # imported where pyarrow raised it
    ours = isinstance(err, EEGPTError) or (isinstance(err, OSError) and type(err) is not OSError)
    if ours or pa is None or not isinstance(err, (OSError, pa.ArrowException)):
        return None
    if not _DAMAGE_WORDS.search(str(err)):
        return None
    damaged: list[tuple[Path, str]] = []
    unchecked: list[Path] = []  # folders with shards left unread after a damaged one
    for folder in (f for f in expand_run_folders(output_dir) if f.is_dir()):
        shards = shard_files(folder)
        shards.sort(key=lambda p: str(p) not in str(err))  # the one the error names first
        found = damaged_shards(shards, first=True)
        damaged += found
        if found and found[0][0] != shards[-1]:
            unchecked.append(folder)
    if not damaged:
        return None
    them = "it" if len(damaged) == 1 else "them"
    others = (
        f"; the shards of {few([str(f) for f in unchecked], 3)} after the first damaged one "
        f"were not read: `eegpt info --verify FOLDER` reads every shard"
        if unchecked
        else ""
    )
    return UnreadableShardError(
        f"{who}: {_count(len(damaged), 'shard')} cannot be read (truncated or "
        f"corrupt): {damaged_list(damaged)}. To recompute {them}, "
        f"{recompute_advice(len(damaged))}{others}",
        [str(p) for p, _ in damaged],
    )


def damaged_list(damaged: Sequence[tuple[Path, str]], limit: int = 5) -> str:
    """``"PATH (reason); PATH (reason) and 3 more"``: damaged shards for messages."""
    return few([f"{p} ({why.rstrip('.')})" for p, why in damaged], limit)


def _warn_if_unfinished(output_dir: Path, n_written: int) -> None:
    """Warn when a run folder holds fewer shards than its run planned (stopped, failed or
    still running): the rows of the files of the missing shards are not there."""
    try:
        planned = int(read_run_manifest(output_dir)["n_shards"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    if n_written < planned:
        _warn(
            f"{output_dir} holds {n_written} of the {planned} shards its run planned (stopped, "
            "or still running): the windows of the files in the other shards are missing. "
            "Run the same embed-dataset command again to finish it; `eegpt info "
            f"{output_dir}` lists the files pending."
        )
