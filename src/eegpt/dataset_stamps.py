"""Source stamps of a corpus run's input files, and what a resume says of files changed since.

A file's status in a shard footer (:mod:`eegpt.shard_writer`) carries its stamp
(:func:`source_stamp`, :data:`STAMP_VERSION`): the size (bytes) and modification time
(``mtime_ns``) of each file of the recording and a content fingerprint (:func:`_fingerprint`:
SHA-256 of the size and the first and last MiB), and with ``--hash-inputs`` the full SHA-256 of
each file (:func:`full_hashes`). A resume compares them with the files now
(:func:`_same_contents`) and warns of the ones changed (:func:`warn_changed`,
:func:`warn_mixed_hashes`). Also what a file's recorded error makes its status (``ok``,
``too_short``, ``failed``: :func:`status_of`).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from eegpt._file_identity import (
    SOURCE_FILES_KEY,
    file_sha256,
    recording_files,
    recording_files_v2,
    recording_inputs,
    records_sidecars,
)
from eegpt._file_identity import _name as _file_name
from eegpt._filenames import path_text
from eegpt._logging import count as _count
from eegpt._logging import few, progress_options
from eegpt._logging import warn as _warn
from eegpt.dataset_folders import FILES_REPORT, TOO_SHORT, shard_name
from eegpt.dataset_inputs import DatasetInputs, InputFile
from eegpt.errors import TooShortError

_BESIDE = {".vhdr": (".eeg", ".vmrk"), ".set": (".fdt",)}  # the files of version 1 stamps

#: 6: an EEGLAB ``.set``'s data file of another name that ``EEG.data`` names (5: only the
#: ``.fdt`` of its own name); 5: a BIDS recording's sidecars without the session's
#: ``*_scans.tsv`` (4: with it).
STAMP_VERSION = 6

#: A resume's check of the recordings embedded before (:func:`warn_changed`: their files'
#: sizes and times, headers read and, with ``--check-contents``, 2 MiB of each) shows a
#: progress bar of its own where it checks more than this many: on a network disk a few
#: thousand take minutes, before the embedding's bar.
CHECK_BAR_FILES = 20


def source_stamp(
    file: InputFile, *, fingerprints: bool = True, version: int = STAMP_VERSION
) -> dict[str, int | str] | None:
    """Size (bytes) and latest modification time (ns) of a recording's files (the files read
    with it: :data:`STAMP_VERSION`), and of its annotations file apart (``annotations_*``);
    None when one cannot be read. With ``fingerprints``, also each group's content
    fingerprint (``source_fingerprint``, ``annotations_fingerprint``: :func:`_fingerprint`, a
    SHA-256 of each file's size and first and last MiB, not of the whole file; left out
    where it cannot be taken). Runs of earlier versions named it ``source_sha256``
    (``annotations_sha256``), which :func:`recorded_fingerprint` reads too. A resume compares them with those of the run that embedded the recording, to
    find recordings that changed since; ``version``: the rule of the stamp compared with
    (recorded under ``stamp_version``, from version 2 on)."""
    stamp: dict[str, int | str] = {"stamp_version": version} if version >= 2 else {}
    try:
        for name, paths in _stamped_files(file, version).items():
            stats = [os.stat(p) for p in paths]
            stamp[f"{name}_bytes"] = sum(st.st_size for st in stats)
            stamp[f"{name}_mtime_ns"] = max(st.st_mtime_ns for st in stats)
            digest = _fingerprint(paths) if fingerprints else None
            if digest is not None:
                stamp[f"{name}_fingerprint"] = digest
    except OSError:
        return None
    return stamp


#: Files hashed whole lately (:func:`_sha256_once`): their SHA-256 by what tells the file's
#: state (its path, device, inode, size, modification and status-change times), at most
#: :data:`_HASHED_FILES` of them, the oldest dropped first.
_HASHED: OrderedDict[tuple[str, int, int, int, int, int], str] = OrderedDict()
_HASHED_FILES = 4096
_HASHED_LOCK = threading.Lock()


def _sha256_once(path: str | os.PathLike) -> str:
    """:func:`~eegpt._file_identity.file_sha256` of ``path`` (hex), taken once while the file
    stays as it was: ``--hash-inputs`` hashes a recording read in parts for its kept windows
    (:class:`~eegpt.dataset_pipeline.KeptWindows`) and again for its status, which would read
    every byte twice. A file is taken as unchanged while its size, modification time and
    status-change time (``st_ctime_ns``, which every write and every ``os.utime`` sets to
    the present, so a rewrite that restores the size and modification time still changes
    it) are the same. Not reused on Windows, where ``st_ctime`` is the creation time."""
    if os.name == "nt":
        return file_sha256(path)
    st = os.stat(path)
    key = (
        os.path.abspath(os.fspath(path)),
        st.st_dev,
        st.st_ino,
        st.st_size,
        st.st_mtime_ns,
        st.st_ctime_ns,
    )
    with _HASHED_LOCK:
        digest = _HASHED.get(key)
        if digest is not None:
            _HASHED.move_to_end(key)
            return digest
    digest = file_sha256(path)
    with _HASHED_LOCK:
        _HASHED[key] = digest
        while len(_HASHED) > _HASHED_FILES:
            _HASHED.popitem(last=False)
    return digest


def full_hashes(
    file: InputFile, version: int = STAMP_VERSION, errors: bool = False
) -> dict[str, Any]:
    """The SHA-256 of every byte of each of a recording's files (what ``sha256sum`` prints),
    by group as :func:`source_stamp` stamps them: ``{"source_file_sha256": {name: sha256},
    "annotations_file_sha256": {name: sha256}}``, each file named relative to the recording's
    folder (``"rec.vhdr"``, ``"rec.mff/signal1.bin"``; as ``metadata["source_files"]`` of
    ``eegpt embed`` names them). Recorded with ``hash_inputs=True`` (``embed-dataset
    --hash-inputs``), which reads every byte of each file once more (a file hashed
    lately and unchanged since is not read again: :func:`_sha256_once`). A group that cannot be
    read (an empty folder, a file gone or unreadable) has no hashes; with ``errors``, why is
    recorded instead, under ``hash_errors`` (``{"source": "PermissionError: ..."}``)."""
    root = Path(file.path).expanduser().absolute().parent
    out: dict[str, Any] = {}
    failed: dict[str, str] = {}
    for name, paths in _stamped_files(file, version).items():
        try:
            out[f"{name}_file_sha256"] = {
                _file_name(Path(p).expanduser().absolute(), root): _sha256_once(p) for p in paths
            }
        except OSError as err:
            failed[name] = f"{type(err).__name__}: {err}"
    if failed and errors:
        out["hash_errors"] = failed
    return out


def hashed_status(file: InputFile) -> dict[str, Any]:
    """:func:`full_hashes` of a recording just embedded with ``hash_inputs``, for its status;
    a group that could not be hashed is recorded as such and warned of (it was asked for)."""
    hashes = full_hashes(file, errors=True)
    for name, error in (hashes.get("hash_errors") or {}).items():
        what = "annotations file" if name == "annotations" else "files"
        _warn(
            f"embed_dataset: --hash-inputs: the {what} of {path_text(file.path)} could not be "
            f"hashed ({error}); its status records why (hash_errors) instead of their SHA-256"
        )
    return hashes


def marked_groups(mark: str) -> set[str]:
    """The stamp groups (``"source"``, ``"annotations"``) a ``changed`` mark of
    ``_files.csv`` names: ``"recording and annotations file: contents"`` names both."""
    files, _, _ = mark.partition(": ")
    files = re.sub(r" \([^)]*\)", "", files)  # the sidecars named: "recording (its ...)"
    names = {"recording": "source", "annotations file": "annotations"}
    return {names[f] for f in files.split(" and ") if f in names}


def _recording_named(file: InputFile, status: Mapping[str, Any]) -> str:
    """``"recording"`` in a ``changed`` mark, naming the BIDS sidecars stamped with it
    (stamp version 4) that changed: those modified since the stamp's latest time (an edit, an
    added ``*_events.tsv``), else ``"recording (or its sidecars)"`` where one may have
    changed unseen so (a sidecar deleted, an edit that kept the time)."""
    version = status.get("stamp_version", 1)
    if version < 4:
        return "recording"
    data = {os.fspath(p) for p in recording_files(file.path)}
    paths = _stamped_files(file, version)["source"]
    sidecars = [p for p in paths if p not in data]
    recorded = status.get("source_mtime_ns")
    if not sidecars:
        from eegpt.bids import bids_root

        if bids_root(Path(file.path)) is None:  # no BIDS file: none to name
            return "recording"
    try:
        newer = [
            p for p in paths if isinstance(recorded, int) and os.stat(p).st_mtime_ns > recorded
        ]
    except OSError:
        newer = []
    named = [Path(p).name for p in newer if p not in data]
    if named:
        also = "and " if len(named) < len(newer) else ""  # the data file too
        return f"recording ({also}its sidecar{'s' if len(named) > 1 else ''} {', '.join(named)})"
    return "recording" if newer else "recording (or its sidecars)"


def _stamped_files(file: InputFile, version: int = STAMP_VERSION) -> dict[str, list[str]]:
    """The files of :func:`source_stamp`'s groups: ``"source"`` (the recording and the files
    read with it, by the rule of ``version``: :data:`STAMP_VERSION`) and ``"annotations"``
    where it has an annotations file."""
    if version >= 2:
        files_read = (
            recording_inputs  # with a BIDS recording's sidecars
            if version >= 6
            else partial(recording_inputs, eeglab_named=False)  # a .set's own .fdt only
            if version == 5
            else partial(recording_inputs, scans=True, eeglab_named=False)  # and scans.tsv
            if version == 4
            else partial(recording_files, eeglab_named=False)
            if version == 3
            else recording_files_v2
        )
        read = [os.fspath(p) for p in files_read(file.path)]
        groups = {"source": read or [file.path]}  # an empty folder: the folder itself
    else:
        root, suffix = os.path.splitext(file.path)
        beside = [root + s for s in _BESIDE.get(suffix.lower(), ())]
        groups = {"source": [file.path, *(p for p in beside if os.path.exists(p))]}
    if file.annotations:
        groups["annotations"] = [file.annotations]
    return groups


_FINGERPRINT_BYTES = 1 << 20


def _fingerprint(paths: Sequence[str]) -> str | None:
    """A cheap content fingerprint of files: the SHA-256 (hex) of each one's size and its first
    and last :data:`_FINGERPRINT_BYTES` (1 MiB), in order. It tells a copy that only changed
    the modification times (``cp`` without ``-p``, a file system of coarser times) from an
    edit, short of an edit in the middle of a large file that keeps its size. None where one
    cannot be read as a file (a recording folder, EGI ``.mff``)."""
    h = hashlib.sha256()
    try:
        for path in paths:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                h.update(f"{size}\0".encode())
                h.update(fh.read(_FINGERPRINT_BYTES))
                if size > _FINGERPRINT_BYTES:
                    fh.seek(max(_FINGERPRINT_BYTES, size - _FINGERPRINT_BYTES))
                    h.update(fh.read(_FINGERPRINT_BYTES))
    except OSError:
        return None
    return h.hexdigest()


def _too_short(error: str | None) -> bool:
    """Whether a file's ``error`` (:func:`described_error`'s text) is that of a recording shorter
    than one window with ``tail="drop"`` (:class:`~eegpt.errors.TooShortError`), which is
    skipped rather than failed."""
    return error is not None and error.startswith(f"{TooShortError.__name__}: ")


def status_of(error: str | None) -> str:
    """A file's status from its ``error``: ``"ok"``, :data:`TOO_SHORT` or ``"failed"``."""
    return "ok" if error is None else TOO_SHORT if _too_short(error) else "failed"


def recorded_fingerprint(status: Mapping[str, Any], name: str) -> str | None:
    """The content fingerprint (:func:`_fingerprint`) a file status recorded of a group of a
    recording's files (``name``: ``"source"``, ``"annotations"``), or None: under
    ``{name}_fingerprint``, or ``{name}_sha256`` as earlier versions of eegpt named the same
    value (a SHA-256 of each file's size and first and last MiB, not the file's SHA-256)."""
    value = status.get(f"{name}_fingerprint", status.get(f"{name}_sha256"))
    return value if isinstance(value, str) else None


def _same_contents(file: InputFile, name: str, status: Mapping[str, Any]) -> bool | None:
    """Whether a group of a recording's files (``name``, as in :func:`source_stamp`) holds what
    it held when embedded, by the full SHA-256 of each file where the run recorded them
    (``hash_inputs``: every byte read again), else by the fingerprint the run recorded; None
    where that cannot be told: no fingerprint recorded (runs before fingerprints; a recording
    folder), or none taken now (a file that cannot be opened)."""
    version = status.get("stamp_version", 1)
    hashed = status.get(f"{name}_file_sha256")
    if isinstance(hashed, dict) and hashed:  # --hash-inputs: every byte compared
        now_hashed = full_hashes(file, version).get(f"{name}_file_sha256")
        if now_hashed is not None:
            return now_hashed == hashed
    recorded = recorded_fingerprint(status, name)
    paths = _stamped_files(file, version).get(name)
    now = None if recorded is None or paths is None else _fingerprint(paths)
    return None if now is None else now == recorded


class StampChange(NamedTuple):
    """How a group of a recording's files differs from its stamp (:func:`compare_stamp`)."""

    size: bool  #: their total size differs
    time: bool  #: their latest modification time differs, and their contents do not match
    contents: bool  #: the same size, other contents (by fingerprint or full SHA-256)
    compared: bool  #: their contents were compared (or tried)
    same: bool | None  #: what that comparison said (None: not taken, or it cannot be told)


def compare_stamp(
    recorded: Mapping[str, Any],
    now: Mapping[str, Any],
    name: str,
    same_contents: Callable[[], bool | None],
    recheck: bool = False,
) -> StampChange:
    """How the group ``name`` (``"source"``, ``"annotations"``) of a recording's files, stamped
    ``now`` (``{name}_bytes``, ``{name}_mtime_ns``), differs from its ``recorded`` stamp (a
    corpus run's file status, an output's ``source_files``): as rsync does, by size and
    modification time; ``same_contents()`` (:func:`_same_contents`: the full SHA-256 where
    recorded, else the fingerprint) is asked only where the size is the same and the time is
    new (or with ``recheck``), so that a copy without ``-p`` (a new time, the same contents)
    is no change. The one rule of a resume, ``--check-contents`` and ``eegpt info``."""
    sized = now.get(f"{name}_bytes") != recorded.get(f"{name}_bytes")
    timed = now.get(f"{name}_mtime_ns") != recorded.get(f"{name}_mtime_ns")
    if sized or not (timed or recheck):
        return StampChange(sized, timed, False, False, None)
    same = same_contents()
    return StampChange(sized, timed and same is not True, same is False, True, same)


def warn_changed(
    inputs: DatasetInputs,
    statuses: Iterable[Mapping[str, Any]],
    read_only: bool = False,
    check_contents: bool = False,
    earlier_marks: Mapping[str, str] | None = None,
    progress: bool = False,
) -> dict[str, str]:
    """Warn about recordings whose rows (or failures, or skips as too short) an earlier run
    wrote, given by their file statuses, and whose files changed since. What is compared, as
    rsync does, is each file's size and modification time; the recorded fingerprint
    (:func:`_fingerprint`) is read only where the time is new and the size is not, to tell an
    edit (``contents``) from a copy without ``-p`` or a file system of coarser times (not a
    change). ``check_contents``: the fingerprint of every file is compared too (2 MiB read
    each), which finds an edit that kept the size and the time (a header de-identified in
    place with its times restored, ``touch -r``). A resume reads none of them again: that
    would rewrite finished shards, and a file that changed may still be changing (a copy in
    progress); the warnings say how. Returns the embedded ones (their rows are of the
    earlier contents), by recording id, each with what changed (the ``changed`` column of
    ``_files.csv``: ``size``, ``contents``, ``modification time``). ``read_only``: the
    output folder cannot be written, so the reports cannot mark them (the warning says so
    instead). ``earlier_marks``: the ``changed`` column an earlier run wrote, by recording id (from
    :func:`earlier_changed_marks`); a file marked for its ``contents`` then has its fingerprint
    compared again even without ``check_contents``, so a resume without the flag (a SLURM
    restart) keeps the mark unless the file holds what was embedded again. ``progress``: a
    bar over the statuses checked, where there are more than :data:`CHECK_BAR_FILES` (as
    the embedding's bar: off with ``--quiet``, a line every 30 s where stderr is a log)."""
    from tqdm.auto import tqdm

    statuses = list(statuses)
    checked = tqdm(
        statuses, desc="embed-dataset: checking the files embedded before", unit="file",
        dynamic_ncols=True,
        **progress_options(disable=not progress or len(statuses) <= CHECK_BAR_FILES),
    )  # fmt: skip
    files = {f.recording_id: f for f in inputs.files}
    changed: dict[str, dict[str, int]] = {"ok": {}, "failed": {}, TOO_SHORT: {}}
    stale: dict[str, str] = {}  # embedded recordings that changed: what changed
    touched = 0  # of those embedded: sizes as they were, times new, no fingerprint (a copy?)
    unchecked: list[str] = []  # check_contents: files whose contents could not be compared
    for status in checked:  # (the bar closes when the loop ends)
        file = files.get(status["recording_id"])
        if "source_bytes" not in status or file is None:  # older runs did not record it
            continue
        if status["status"] not in changed:
            continue
        now = source_stamp(file, fingerprints=False, version=status.get("stamp_version", 1))
        if now is None:
            continue
        groups = ("source", "annotations")  # the recording's files, its annotations file
        sized, timed = {}, {}
        edited = dict.fromkeys(groups, False)  # the same size, other contents by fingerprint
        # marked for its contents before (by --check-contents): compared again, not forgotten
        earlier = (earlier_marks or {}).get(status["recording_id"], "")
        recheck = check_contents or "contents" in earlier
        for name in groups:
            change = compare_stamp(
                status, now, name, partial(_same_contents, file, name, status), recheck
            )
            sized[name], timed[name], edited[name] = change.size, change.time, change.contents
            if not change.compared or change.same is not None:
                continue
            if check_contents and (name == "source" or file.annotations):
                unchecked.append(status["recording_id"])
            if "contents" in earlier:  # cannot be compared now: it stands
                edited[name] = name in marked_groups(earlier)
        moved = {n: sized[n] or timed[n] or edited[n] for n in groups}
        if status["status"] == TOO_SHORT and not (
            int(now.get("source_bytes") or 0) > (status.get("source_bytes") or 0)
        ):  # only a recording that grew can be longer than a window now
            continue
        if any(moved.values()):
            only = moved["annotations"] and not moved["source"]
            shown = status["recording_id"] + (
                f" (its annotations file {file.annotations})" if only else ""
            )
            changed[status["status"]][shown] = int(status["shard"])
            names = [n for n in groups if moved[n]]
            same_size = not any(sized[n] for n in names)
            unknown = not any(edited[n] for n in names)  # no fingerprint told it
            touched += status["status"] == "ok" and same_size and unknown
            if status["status"] == "ok":
                what = " and ".join(
                    w
                    for w, by in (
                        ("size", sized),
                        ("contents", edited),
                        ("modification time", timed),
                    )
                    if any(by[n] for n in names)
                )
                files_of = " and ".join(
                    _recording_named(file, status) if n == "source" else "annotations file"
                    for n in names
                )
                stale[status["recording_id"]] = f"{files_of}: {what}"
    if unchecked:
        unchecked = list(dict.fromkeys(unchecked))
        _warn(
            f"embed_dataset: --check-contents could not compare the contents of "
            f"{_count(len(unchecked), 'file')}: {few(unchecked, 5)}; their run recorded no "
            "fingerprint (a run of an eegpt before fingerprints, or a recording folder such as "
            ".mff), or the file cannot be read now. Only their sizes and modification times "
            "were compared; to be sure of them, delete their shards and run again"
        )
    ok, failed = changed["ok"], changed["failed"]
    if ok:
        shards = [shard_name(k) for k in sorted(set(ok.values()))]
        one = len(ok) == 1
        marked = (
            f"kept, but the output folder cannot be written, so nothing records that they are "
            f"stale ({FILES_REPORT} cannot mark them; embed-dataset exits with 3)"
            if read_only
            else f"kept, marked in the 'changed' column of {FILES_REPORT} (`eegpt info` names "
            f"{'it' if one else 'them'} and exits with 3, as embed-dataset does)"
        )
        _warn(
            f"embed_dataset: {_count(len(ok), 'recording')} changed (size, modification "
            f"time or contents) since {'it was' if one else 'they were'} embedded: "
            f"{few(list(ok), 5)}. "
            f"{'Its' if one else 'Their'} rows were computed from the earlier contents; they "
            f"are {marked}, until {'it is' if one else 'they are'}"
            f" embedded again. To do so, delete {few(shards, 5)} and run the same command again "
            f"(the other files of {'that shard' if len(shards) == 1 else 'those shards'} are "
            "embedded again too), or start over with --overwrite (overwrite=True); "
            "--retry-failed embeds only failed files again"
            + (
                f". {'All' if touched == len(ok) else touched} of them kept their size and have "
                "only a new modification time: a copy without -p (cp, or rsync without -t) "
                "leaves files so, but so does an edit that keeps the size, and eegpt cannot tell "
                "which (compare them with the originals)"
                if touched
                else ""
            )
        )
    if failed:
        _warn(
            f"embed_dataset: {_count(len(failed), 'recording')} that failed changed since: "
            f"{few(list(failed), 5)}; --retry-failed (retry_failed=True) embeds the failed "
            "files again"
        )
    short = changed[TOO_SHORT]
    if short:  # not read again unasked: a file still being copied may grow further
        shards = [shard_name(k) for k in sorted(set(short.values()))]
        _warn(
            f"embed_dataset: {_count(len(short), 'recording')} skipped as shorter than one "
            f"window changed since (grown, as a file still being copied?): "
            f"{few(list(short), 5)}. To read {'it' if len(short) == 1 else 'them'} as "
            f"{'it is' if len(short) == 1 else 'they are'} now, once complete, delete "
            f"{few(shards, 5)} and run again (the other files of "
            f"{'that shard' if len(shards) == 1 else 'those shards'} are embedded again too)"
        )
    return stale


def warn_mixed_hashes(
    statuses: Iterable[Mapping[str, Any]], hash_inputs: bool, n_todo: int
) -> None:
    """Warn where a resume's ``hash_inputs`` differs from how the recordings embedded before
    (their file ``statuses``) were recorded: with it, those embedded without their full
    SHA-256 are not hashed now (their rows are kept, not embedded again); without it, the
    ``n_todo`` files this run embeds get no full SHA-256 where earlier runs recorded them."""
    embedded = [s for s in statuses if s.get("status") == "ok"]
    hashed = sum("source_file_sha256" in s for s in embedded)
    # asked for, but their files could not be read then: warned of when embedded
    tried = sum("source_file_sha256" not in s and "hash_errors" in s for s in embedded)
    if hash_inputs and hashed + tried < len(embedded):
        n = len(embedded) - hashed - tried
        _warn(
            f"embed_dataset: --hash-inputs (hash_inputs=True) records the full SHA-256 of the "
            f"files this run embeds; {_count(n, 'recording')} embedded by an earlier run of "
            "this folder without it keep only their size, modification time and fingerprint "
            "(their rows are kept, not read again). To hash them too, delete their shards and "
            "run again, or start over with --overwrite"
        )
    elif not hash_inputs and hashed and n_todo:
        _warn(
            f"embed_dataset: earlier runs of this folder recorded the full SHA-256 of the files "
            f"of {_count(hashed, 'recording')} (--hash-inputs); this run does not, so the "
            f"{_count(n_todo, 'file')} it embeds get only their size, modification time and "
            "fingerprint: pass --hash-inputs (hash_inputs=True) to hash them too"
        )


class SourceCheck(NamedTuple):
    """What :func:`output_source_check` found of the files an output was embedded from."""

    #: The recording looked for: ``metadata["source"]``, relative to the folder the command
    #: ran in (``metadata["cwd"]``, an absolute one: :func:`recorded_source_path`) or,
    #: without it, to the current folder.
    where: Path
    #: Whether its recorded files were found there (False: nothing could be compared).
    found: bool
    #: The files that changed since (named as ``source_files`` names them), or are gone;
    #: empty where they all match.
    changed: list[str]
    #: What changed: ``"size"``, ``"contents"``, ``"modification time"``, ``"gone"``,
    #: ``"added"`` (a file read with the recording now, such as a BIDS ``*_events.tsv``, that
    #: was not there when embedded: outputs that list their sidecars only), joined
    #: by "and" (as the ``changed`` column of a corpus run's ``_files.csv``).
    what: str = ""
    #: The files whose modification time is newer but whose size is the same, where the
    #: output recorded nothing to compare their contents with (no fingerprint: outputs of
    #: earlier versions), so whether they changed cannot be told (a copy without ``-p``, or
    #: an edit that kept the size): not counted as changed; empty otherwise.
    unknown: list[str] = []


def recorded_source_path(metadata: Mapping[str, Any]) -> Path | None:
    """The recording file an output records it was embedded from (``metadata["source"]``),
    the one rule of ``eegpt info``, ``eegpt embed --skip-existing`` and the readers of several
    outputs: an absolute ``source`` as it is; a relative one (the command line's path)
    resolved against the recorded ``cwd`` where that is absolute. A relative ``cwd`` (never
    written by eegpt: an edited or foreign record) cannot be resolved reliably, as it would
    depend on the directory the output is read from, so it is ignored: the relative
    ``source`` is returned as recorded (a bare file name, as ``eegpt anonymize`` leaves), for
    each caller to use or not. ``~`` is expanded in both. None where no file is recorded (no
    ``source``, or an in-memory input's ``"<...>"``)."""
    source = metadata.get("source")
    if not isinstance(source, str) or not source or source.startswith("<"):
        return None
    where = Path(source).expanduser()
    cwd = metadata.get("cwd")
    if not where.is_absolute() and isinstance(cwd, str) and cwd:
        base = Path(cwd).expanduser()
        if base.is_absolute():
            where = base / where
    return where


def output_source_check(
    metadata: Mapping[str, Any], recording: str | os.PathLike | None = None
) -> SourceCheck | None:
    """Whether the files a single-recording output (``eegpt embed``, :func:`eegpt.embed_to_file`)
    was embedded from (its ``metadata["source_files"]``: names, total size, latest
    modification time, fingerprint, SHA-256 with ``hash_inputs``) still hold what was
    embedded, compared as a corpus resume compares its stamps (:func:`compare_stamp`): cheap
    (a stat of each file; the fingerprint, 2 MiB of each, or the full SHA-256 where recorded,
    only where the time is new and the size is not). The files the output recorded are
    compared, so outputs of earlier versions (no fingerprint, no BIDS sidecars) are compared
    by what they recorded; where the record lists the recording's sidecars
    (:func:`eegpt._file_identity.records_sidecars`), a file read with it now that it does not
    list (an ``*_events.tsv`` written since) is ``"added"``. ``recording``: where the recording is (``eegpt embed
    --skip-existing``: the one given now), else where the output says it was read. None for
    an output without the record (in-memory data, outputs written before eegpt recorded
    it)."""
    record = metadata.get(SOURCE_FILES_KEY)
    source = metadata.get("source")
    if not isinstance(record, dict) or not source or "source_bytes" not in record:
        return None
    files = record.get("files")
    if not isinstance(files, (list, dict)) or not files:
        return None
    names = [str(n) for n in files]
    recorded = recorded_source_path(metadata) if recording is None else None
    where = Path(recording).expanduser() if recording is not None else recorded
    if where is None:  # an in-memory input's "<...>"
        return None
    where = where.absolute()
    root = where.parent
    located = {n: root / n for n in names if (root / n).is_file()}
    sidecars = records_sidecars(record) and where.is_file()
    # the recording's files as read now, looked up once; the session's scans.tsv too (an
    # output of version 4's rule lists it)
    read_now = (
        [p.absolute() for p in recording_inputs(where, scans=True)]
        if where.exists() and (len(located) < len(names) or sidecars)
        else []
    )
    if len(located) < len(names):
        # named by their bare names: files outside the recording's folder (a DataFile= of
        # another folder, a BIDS sidecar inherited from a folder above)
        for path in read_now:
            located.setdefault(_file_name(path, root), path)
    if not located:
        return SourceCheck(where, False, [])
    gone = [n for n in names if n not in located]
    if gone:
        return SourceCheck(where, True, gone, "gone")
    if sidecars:
        # a sidecar written (or put back) since: read with the recording now
        scans = any(n.endswith("_scans.tsv") for n in names)  # as stamp version 4 had it
        now_there = [
            _file_name(p, root) for p in read_now if scans or not p.name.endswith("_scans.tsv")
        ]
        added = [n for n in now_there if n not in names]
        if added:
            return SourceCheck(where, True, added, "added")
    paths = [os.fspath(located[n]) for n in names]
    try:
        stats = [os.stat(p) for p in paths]
    except OSError:
        return SourceCheck(where, False, [])
    now = {
        "source_bytes": sum(st.st_size for st in stats),
        "source_mtime_ns": max(st.st_mtime_ns for st in stats),
    }
    recorded_hashes = files if isinstance(files, dict) else record.get("sha256")
    hashed = recorded_hashes if isinstance(recorded_hashes, dict) and recorded_hashes else {}
    differ: list[str] = []  # by their full SHA-256, where recorded

    def same_contents() -> bool | None:
        if hashed:  # hash_inputs: every byte compared
            try:
                differ.extend(n for n in names if file_sha256(located[n]) != hashed.get(n))
            except OSError:
                return None
            return not differ
        fingerprint = recorded_fingerprint(record, "source")
        taken = None if fingerprint is None else _fingerprint(paths)
        return None if taken is None else taken == fingerprint

    change = compare_stamp(record, now, "source", same_contents)
    what = [
        w
        for w, by in (
            ("size", change.size),
            ("contents", change.contents),
            ("modification time", change.time),
        )
        if by
    ]
    recorded_time = record.get("source_mtime_ns")
    newer = [
        n
        for n, st in zip(names, stats, strict=True)
        if not isinstance(recorded_time, int) or st.st_mtime_ns > recorded_time
    ]
    if what == ["modification time"] and change.same is None:
        # a new time, the same size, nothing recorded to compare contents with: unknown
        return SourceCheck(where, True, [], "", newer or names)
    if not what:
        return SourceCheck(where, True, [])
    return SourceCheck(where, True, differ or newer or names, " and ".join(what))


def source_check_lines(check: SourceCheck | None) -> list[str]:
    """What ``eegpt info`` says of an embeddings file's :func:`output_source_check`: that the
    files it was embedded from changed since (``CHANGED since embedded``, by which it exits
    with 3, as for a corpus whose recordings changed), or cannot be found here; nothing where
    they match or nothing was recorded."""
    if check is None:
        return []
    if not check.found:
        return [f"  source files not found here: cannot check ({path_text(check.where)})"]
    if check.unknown and not check.changed:
        return [
            f"  source files: modification time changed; contents not recorded, cannot tell "
            f"({few(check.unknown, 5)}; {path_text(check.where.parent)}): the same size, and "
            "this output recorded no fingerprint of them (an output of an earlier eegpt); "
            "`eegpt embed ... --overwrite` embeds it again if they were edited"
        ]
    if not check.changed:
        return []
    return [
        f"  CHANGED since embedded: {few(check.changed, 5)} ({check.what}; "
        f"{path_text(check.where.parent)}): its embeddings were computed from the earlier "
        "contents; `eegpt embed ... --skip-existing` (or --overwrite) embeds it again"
    ]
