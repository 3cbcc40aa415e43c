"""Which exact file(s) a single-recording output was embedded from: the files read, their size,
modification time and a cheap content fingerprint, recorded in the output's provenance
(``metadata["source_files"]``) by :func:`eegpt.embed` and :func:`eegpt.embed_to_file` (``eegpt
embed``) for a recording given as a path.

A corpus run (``eegpt embed-dataset``) records the same size, modification time and cheap
fingerprint in its file statuses (:func:`eegpt.dataset.source_stamp`, keys ``source_bytes``,
``source_mtime_ns``, ``source_fingerprint``); a single-file output records them under the same
names, so the two can be compared. The fingerprint is a SHA-256 of each file's size and first
and last MiB, not of the whole file (an edit in the middle of a file that keeps its size does
not change it); outputs and runs of earlier versions named it ``source_sha256``. Asked for (``hash_inputs=True``, ``eegpt embed
--hash-inputs``), it adds each file's full SHA-256, what ``sha256sum FILE`` prints: that reads
every byte once more before the recording is embedded (seconds for a large file on network
storage), so it is not the default.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast

from eegpt.formats import (
    first_split_part,
    is_fif_name,
    next_split_parts,
    split_part_number,
    written_next_part,
)

#: Key of the record in an output's metadata.
SOURCE_FILES_KEY = "source_files"
#: Key, in that record, of its marker that it lists every file :func:`recording_inputs` found
#: (a BIDS recording's sidecars too, those there were): :func:`records_sidecars`.
SIDECARS_KEY = "sidecars"
#: The name of a BIDS sidecar of :data:`BIDS_SIDECARS` (or of the session's ``*_scans.tsv``).
_SIDECAR_NAME = re.compile(
    r"^sub-.*_(eeg\.json|events\.tsv|events\.json|channels\.tsv|electrodes\.tsv|"
    r"coordsystem\.json|scans\.tsv)$"
)
_CHUNK = 8 << 20  # bytes read at a time for the SHA-256


def recording_files(path: str | os.PathLike, *, eeglab_named: bool = True) -> list[Path]:
    """The files read for the recording at ``path``, the recording's own first: a BrainVision
    header (``.vhdr``) with the data and marker files its ``DataFile=``/``MarkerFile=`` lines
    name (else those of its name beside it, as MNE falls back to), an EEGLAB ``.set`` with
    the ``.fdt`` MNE reads its samples from (:func:`eegpt._eeglab.eeglab_data_file`: the one
    ``EEG.data`` names where it exists, else the one of its name; beside a linked ``.set``'s target where
    :func:`eegpt._eeglab.eeglab_read_path` reads it there), a split FIF recording's later parts (``rec-1.fif``
    ..., ``..._split-02_...``: :func:`split_later_parts`), every file inside a recording
    folder (EGI ``.mff``, CTF ``.ds``; sorted), and any other file alone. Files that do not
    exist are left out. Within :func:`headers_read_once` (a corpus run), each header is read
    once. ``eeglab_named`` False: a ``.set`` with the ``.fdt`` of its own name only (beside
    a link's target where it is read there), as stamp versions 2 to 5 listed it (a ``.fdt``
    of another name that ``EEG.data`` names was read but not listed)."""
    return _files_read(Path(path), is_fif_name, split_later_parts, eeglab_named)


def recording_inputs(
    path: str | os.PathLike, *, scans: bool = False, eeglab_named: bool = True
) -> list[Path]:
    """The files whose contents make up the recording at ``path`` as eegpt reads it: those of
    :func:`recording_files`, then, for an EEG data file of a BIDS dataset, the sidecars
    MNE-BIDS applies to it (:func:`bids_sidecars`: bad channels and channel types, events
    ...). What an output's provenance and a corpus run's stamps (from stamp version 4)
    record, so that an edited sidecar makes the output stale as an edited data file does.
    ``scans``: with the session's ``*_scans.tsv`` too, as stamp version 4 stamped it (a
    file every run of the session shares, so adding a run made all of them stale; from
    version 5 it is left out, and a changed ``acq_time`` is not found). ``eeglab_named``:
    as :func:`recording_files` takes it."""
    files = recording_files(path, eeglab_named=eeglab_named)
    return files + [p for p in bids_sidecars(path, scans=scans) if p not in files]


#: The sidecars ``mne_bids.read_raw_bids`` looks for beside an EEG data file, as (suffix,
#: extension); each found by BIDS inheritance (the nearest that matches), as MNE-BIDS does.
#: ``("eeg", ".json")`` stands for the data file's own JSON: ``*_ieeg.json`` for an
#: intracranial recording (``*_ieeg.edf``), whose other sidecars are these.
#: ``participants.tsv`` is left out: eegpt takes only columns of metadata from it, which a
#: corpus run records in its listing (a change refuses the resume). So is the session's
#: ``*_scans.tsv`` (the recording's ``acq_time``, its start): one file for every run of the
#: session, which adding a run to the dataset (``mne_bids.write_raw_bids``) rewrites, so
#: fingerprinting it made every recording of the session stale; a changed ``acq_time`` (the
#: recording's measurement date) is therefore not found.
BIDS_SIDECARS = (
    ("eeg", ".json"),
    ("events", ".tsv"),
    ("events", ".json"),
    ("channels", ".tsv"),
    ("electrodes", ".tsv"),
    ("coordsystem", ".json"),
)


def bids_sidecars(path: str | os.PathLike, *, scans: bool = False) -> list[Path]:
    """The sidecars that ``mne_bids.read_raw_bids`` reads for the EEG data file ``path`` of a
    BIDS dataset (:func:`eegpt.bids.bids_root`), as eegpt reads it (:data:`BIDS_SIDECARS`;
    with ``scans``, the session's ``*_scans.tsv`` too, as stamp version 4 had it), those that
    exist; none for any other file, or without mne-bids (the file is then read alone).
    Within :func:`headers_read_once`, looked up once per data file (while they all exist)."""
    path = Path(path).expanduser()
    if not (_bids_named(path) and path.is_file()):
        return []  # not named as a BIDS EEG data file: mne (through eegpt.bids) not imported
    from eegpt.bids import bids_root  # noqa: PLC0415 - imports mne

    root = bids_root(path)
    if root is None:
        return []
    found = _read_once(
        "bids-scans" if scans else "bids",
        path,
        lambda: _find_sidecars(path, root, scans),
        valid=lambda f: all(p.is_file() for p in f),
    )
    return list(found)


def sidecars_looked_up(path: str | os.PathLike) -> bool:
    """Whether :func:`bids_sidecars` looks up the sidecars of ``path``: it is no EEG data file
    of a BIDS dataset (it has none), or mne-bids, which finds them, can be imported. False
    for a BIDS data file without mne-bids: the files found then are the data file alone, not
    every file of the recording (:data:`SIDECARS_KEY` is not recorded)."""
    path = Path(path).expanduser()
    if not (_bids_named(path) and path.is_file()):
        return True
    from eegpt.bids import bids_root  # noqa: PLC0415 - imports mne

    if bids_root(path) is None:
        return True
    try:
        import mne_bids  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def _bids_named(path: Path) -> bool:
    """Whether ``path`` may be named as a BIDS EEG or iEEG data file (``sub-01_..._eeg.edf``,
    ``sub-01_..._ieeg.edf``), which :func:`eegpt.bids.bids_root` then checks: a test on the
    name that imports nothing."""
    return path.name.startswith("sub-") and ("_eeg." in path.name or "_ieeg." in path.name)


def _find_sidecars(path: Path, root: Path, scans_too: bool = False) -> tuple[Path, ...]:
    """:func:`bids_sidecars` looked up as MNE-BIDS finds them (:func:`eegpt.bids.find_sidecar`);
    none without mne-bids or for a name it cannot parse."""
    try:
        import mne_bids  # noqa: PLC0415
    except ImportError:
        return ()
    from eegpt.bids import find_sidecar  # noqa: PLC0415

    suffix = "ieeg" if path.name.rsplit(".", 1)[0].endswith("_ieeg") else "eeg"
    try:
        bids_path = mne_bids.get_bids_path_from_fname(path, check=False)
        bids_path.update(root=root, datatype=suffix, check=False)
    except Exception:  # noqa: BLE001 - MNE-BIDS raises anything on a name it cannot parse
        return ()
    own = [(suffix if name == "eeg" else name, ext) for name, ext in BIDS_SIDECARS]
    wanted = [*own, *([("scans", ".tsv")] if scans_too else [])]
    found = [find_sidecar(bids_path, suffix, extension) for suffix, extension in wanted]
    return tuple(dict.fromkeys(p for p in found if p is not None and p.is_file()))


def recording_files_v2(path: str | os.PathLike) -> list[Path]:
    """:func:`recording_files` as eegpt stamped a corpus run's recordings with stamp version 2
    (:data:`eegpt.dataset.STAMP_VERSION`), kept to compare those stamps on a resume: a split
    FIF recording's later parts only where ``mne.io.read_raw_fif`` reads the first part
    (``on_split_missing="ignore"``: the parts there) and a part of the name ``x-1.fif``,
    ``x-1.fif.gz`` (which MNE does not write: ``x.fif-1.gz``) or ``..._split-02_...`` lies
    beside it (:func:`_split_parts_v2`); the rest as now."""
    return _files_read(Path(path), _is_fif_v2, _split_parts_v2, eeglab_named=False)


def _is_fif_v2(path: Path) -> bool:
    """A FIF name by stamp version 2's rule (:data:`_FIF_V2`)."""
    return _FIF_V2.search(path.name) is not None


def _files_read(
    path: Path,
    fif: Callable[[Path], bool],
    later_parts: Callable[[Path], list[Path]],
    eeglab_named: bool = True,
) -> list[Path]:
    """:func:`recording_files` with the rule ``fif`` for FIF names and ``later_parts`` for a
    split FIF recording's later parts, and ``eeglab_named`` as it takes it."""
    path = path.expanduser()
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    suffix = path.suffix.lower()
    beside: list[Path] = []
    if fif(path):
        beside.extend(later_parts(path))
    elif suffix in (".vhdr", ".ahdr"):
        fields = _header_fields(path)
        for key, default in (("datafile", ".eeg"), ("markerfile", ".vmrk")):
            named = path.parent / fields[key] if fields.get(key) else None
            beside.append(
                named if named is not None and named.is_file() else path.with_suffix(default)
            )
    elif suffix == ".set":
        beside.extend(_eeglab_data(path, eeglab_named))
    seen = {path}
    files = [path]
    for other in beside:
        if other.is_file() and other not in seen:
            seen.add(other)
            files.append(other)
    return files


def _eeglab_data(path: Path, named: bool) -> list[Path]:
    """The data file of the EEGLAB ``.set`` file ``path`` (:func:`recording_files`): the one
    MNE reads (``named``), else the ``.fdt`` of its own name, beside a linked ``.set``'s
    target where it has none beside it (stamp versions 2 to 5); none where there is none."""
    if not named:
        own = path.with_suffix(".fdt")
        if path.is_symlink() and not own.exists():  # read beside its target
            return [own, Path(os.path.realpath(path)).with_suffix(".fdt")]
        return [own]
    from eegpt._eeglab import eeglab_data_file  # the reader's rule (imports no mne)

    data = eeglab_data_file(path)  # EEG.data's, else of its name; beside a link's target
    return [] if data is None else [data]


# Stamp version 2's rule for the parts of a split FIF recording (recording_files_v2), as it
# was: a first part's later parts named x-1.fif after x.fif, x-1.fif.gz after x.fif.gz.
_FIF_V2 = re.compile(r"\.fif(?:\.gz)?$", re.IGNORECASE)
_NEUROMAG_PART_V2 = re.compile(
    r"^(?P<base>.+?)(?:-(?P<n>[1-9][0-9]*))?(?P<ext>\.fif(?:\.gz)?)$", re.IGNORECASE
)
_BIDS_PART_V2 = re.compile(r"^(?P<pre>.*_split-)(?P<n>[0-9]+)(?P<post>_.*\.fif(?:\.gz)?)$")


def _next_part_v2(path: Path) -> Path:
    """The next part's name by stamp version 2's rule (:func:`recording_files_v2`)."""
    bids = _BIDS_PART_V2.match(path.name)
    if bids:
        n = int(bids["n"]) + 1
        return path.with_name(f"{bids['pre']}{n:0{len(bids['n'])}d}{bids['post']}")
    part = _NEUROMAG_PART_V2.match(path.name)
    assert part is not None  # a FIF file's name (_FIF_V2)
    n = int(part["n"] or 0) + 1
    return path.with_name(f"{part['base']}-{n}{part['ext']}")


def _split_parts_v2(path: Path) -> list[Path]:
    """A split FIF recording's later parts by stamp version 2's rule (:func:`recording_files_v2`):
    only where a file of the next part's name (:func:`_next_part_v2`) lies beside it, those
    ``mne.io.read_raw_fif`` reads with it (``on_split_missing="ignore"``); none where it
    cannot read it (a file of epochs too). Within :func:`headers_read_once`, read once."""
    if not _next_part_v2(path).is_file():
        return []
    names = _read_once("fif-v2", path, lambda: _read_split_v2(path), keep=lambda n: n is not None)
    return [path.with_name(name) for name in names or ()]


def _read_split_v2(path: Path) -> tuple[str, ...] | None:
    import mne  # noqa: PLC0415 - only for a split recording

    try:
        raw = mne.io.read_raw_fif(path, preload=False, on_split_missing="ignore", verbose="error")
    except Exception:  # noqa: BLE001 - MNE raises anything on a file it cannot read
        return None
    return tuple(Path(f).name for f in raw.filenames[1:] if f is not None)


def listed_path(path: str | os.PathLike) -> Path:
    """``path`` made absolute as it was listed, its symbolic links not followed: a BIDS data
    file that is a link (a DataLad/git-annex dataset's ``sub-01_task-rest_eeg.edf`` ->
    ``.git/annex/objects/.../MD5E-...edf``) keeps the name and folder its sidecars and
    companion files (``channels.tsv``, a BrainVision ``.eeg``) are found by. A ``..`` is
    taken as the file system takes it, after the folder before it (links followed there),
    not by striking out the name before it."""
    absolute = Path(os.path.expanduser(os.fspath(path))).absolute()
    parts = absolute.parts
    if ".." not in parts:
        return absolute
    last = len(parts) - 1 - parts[::-1].index("..")
    return Path(os.path.realpath(Path(*parts[: last + 1])), *parts[last + 1 :])


def file_identity(path: str | os.PathLike) -> Any:
    """What names one file however it is reached: its device and inode (symbolic and hard
    links, other spellings of the path), or its resolved path where it cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return (st.st_dev, st.st_ino)


# The headers read in this run (headers_read_once), by what was read, the file's device,
# inode, size and modification time (ns): a file changed since is read again. None: outside
# a run. A module's, not a context variable's: a run's threads (its writer) share it. At most
# _MAX_READ entries (the oldest go first): runs that overlap in a long-lived process (threads
# that each start one) may never bring _RUNS to 0.
_READ: dict[tuple[Any, ...], Any] | None = None
_RUNS = 0  # the runs in progress that read through it
_MAX_READ = 10_000
_LOCK = threading.Lock()
_T = TypeVar("_T")
_NONE: Any = object()


@contextmanager
def headers_read_once() -> Iterator[None]:
    """Within it, each header :func:`recording_files` and :func:`split_recording` read (a
    split FIF recording's, a BrainVision ``.vhdr``) is read once: a corpus run lists its
    recordings and stamps each (when embedded, and on a resume to find those changed since),
    which asked MNE for each split recording's header several times. A file is known by its
    device, inode, size and modification time (ns), so one changed since is read again (a
    split recording's later parts too); a read that failed (a file that cannot be opened, a
    later part missing or still being copied) is not kept, so it is tried again. The cache
    ends with the last run that entered it, so a long-lived process keeps none between runs,
    and holds at most 10,000 headers. Also a decorator (:func:`eegpt.embed_dataset`)."""
    global _READ, _RUNS
    with _LOCK:
        _RUNS += 1
        if _READ is None:
            _READ = {}
    try:
        yield
    finally:
        with _LOCK:
            _RUNS -= 1
            if _RUNS == 0:
                _READ = None


def _read_once(
    what: str,
    path: Path,
    read: Callable[[], _T],
    keep: Callable[[_T], bool] = lambda _: True,
    valid: Callable[[_T], bool] = lambda _: True,
) -> _T:
    """``read()``, or within :func:`headers_read_once` what it returned for ``path`` as it is
    now (same device, inode, size and modification time) earlier in the run, where that is
    still ``valid``; only what ``keep`` accepts is kept (not a failed read)."""
    cache = _READ
    if cache is None:
        return read()
    try:
        key = (what, *_stat_key(path))
    except OSError:
        return read()
    with _LOCK:
        found = cache.get(key, _NONE)
    if found is not _NONE and valid(found):
        return cast("_T", found)
    value = read()
    if keep(value):
        with _LOCK:
            cache.pop(key, None)
            while len(cache) >= _MAX_READ:
                del cache[next(iter(cache))]  # the oldest
            cache[key] = value
    return value


def _stat_key(path: Path) -> tuple[int, int, int, int]:
    """What tells a file from itself changed: its device, inode, size, modification time."""
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class SplitRecording(NamedTuple):
    """What MNE reads as a FIF recording (:func:`split_recording`)."""

    #: The files read, the first part first and each later part in order (one for a FIF
    #: recording not split); None where MNE cannot read the recording.
    files: tuple[Path, ...] | None
    #: Why the parts cannot be told (MNE's message), or None.
    error: str | None = None
    #: The name of a later part that a header names (for a ``.fif.gz`` recording: that its
    #: name and a later part's beside it tell) and that is not there, or None.
    missing: str | None = None
    #: The name of a later part whose header cannot be read (``error`` tells why), or None.
    damaged: str | None = None


def split_recording(first: str | os.PathLike) -> SplitRecording:
    """The files MNE reads as the FIF recording (raw data or epochs) whose first (or only) file
    is ``first``: each part's header (not its samples) names the next part, whose header names
    the next, ... as MNE follows them (``mne.io.read_raw_fif``, ``mne.read_epochs``). The one
    rule for which files make up a split FIF recording: a corpus listing leaves out the later
    parts listed beside their first part by it
    (:func:`eegpt.dataset_inputs.listed_split_parts`), a run stamps all of them
    (:func:`recording_files`). A file only named like a later part (``rec-1.fif`` beside
    ``rec.fif``) is none unless a header names it. ``files`` is None, with the reason in
    ``error``, where the parts cannot be told (a damaged header, a later part a header names
    missing: embedding it fails too). Within :func:`headers_read_once`, read once per file
    (while neither it nor a later part changed).

    A compressed recording (``.fif.gz``) is known by the names MNE writes its parts under
    (``x.fif-1.gz``, ``x.fif-2.gz``, ... or BIDS ``_split-02``; stats only,
    :func:`eegpt.formats.written_next_part`; also ``x-1.fif.gz``, the name MNE gives a part
    its header numbers only: :func:`_parts_by_name`), not by its headers: MNE finds a header
    of a ``.fif.gz`` file only by decompressing the whole file (minutes for parts of 2 GB),
    on each stamp and resume. Any file of such a name beside it is taken for a later part;
    where a part is not there but a later one is (``x.fif-2.gz`` without ``x.fif-1.gz``),
    the parts cannot be told (``missing`` names the first absent)."""
    first = Path(first)
    if first.name.lower().endswith(".gz"):
        return _split_by_name(first)
    parts = _read_once(
        "fif",
        first,
        lambda: _read_split(first),
        keep=lambda read: read.later is not None,
        valid=lambda read: _same_later_parts(first, read),
    )
    if parts.later is None:
        return SplitRecording(None, parts.error, parts.missing, parts.damaged)
    return SplitRecording((first, *(first.with_name(name) for name in parts.later)))


class _Parts(NamedTuple):
    """What :func:`_read_split` read: the later parts' names (None where they cannot be told,
    with ``error`` and ``missing`` as in :class:`SplitRecording`) and how each was then
    (:func:`_stat_key`), kept by name, not path: the same first part may be reached through
    another folder (a link) within a run."""

    later: tuple[str, ...] | None
    error: str | None = None
    missing: str | None = None
    stats: tuple[tuple[int, int, int, int], ...] = ()
    damaged: str | None = None


def _same_later_parts(first: Path, read: _Parts) -> bool:
    """Whether each later part of ``read`` beside ``first`` is as it was when read."""
    try:
        now = tuple(_stat_key(first.with_name(name)) for name in read.later or ())
    except OSError:
        return False
    return now == read.stats


def _read_split(first: Path) -> _Parts:
    """:func:`split_recording` read: MNE's own walk of the parts' headers (``fiff_open`` and
    ``_get_next_fname``, what its raw and epochs readers call; private, so where they are
    gone, :func:`_read_split_public`)."""
    walk = _mne_walk()
    if walk is None:
        return _read_split_public(first)
    fiff_open, next_fname = walk
    files = [first]
    current = first
    while True:
        try:
            fid, tree, _ = fiff_open(current, verbose="error")
            try:
                named = next_fname(fid, current, tree)
            finally:
                fid.close()
        except Exception as err:  # noqa: BLE001 - MNE raises anything on a file it cannot read
            if current == first:
                return _Parts(None, f"{type(err).__name__}: {err}")
            return _Parts(None, f"{type(err).__name__}: {err}", damaged=current.name)
        if named is None:
            return _later_parts(files)
        following = first.with_name(Path(named).name)
        if following in files:  # a header naming an earlier part: no further part
            return _later_parts(files)
        if not following.exists():
            return _Parts(None, _missing(current, following), following.name)
        files.append(following)
        current = following


def _later_parts(files: list[Path]) -> _Parts:
    """The :class:`_Parts` of ``files`` (the first part first), stats taken."""
    try:
        stats = tuple(_stat_key(f) for f in files[1:])
    except OSError as err:
        return _Parts(None, f"{type(err).__name__}: {err}")
    return _Parts(tuple(f.name for f in files[1:]), stats=stats)


def _mne_walk() -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    """MNE's ``fiff_open`` and ``_get_next_fname`` (private), or None where they are gone."""
    try:
        from mne._fiff.open import _get_next_fname, fiff_open  # noqa: PLC0415
    except ImportError:
        return None
    return fiff_open, _get_next_fname


def _missing(part: Path, following: Path) -> str:
    return f"the header of {part.name} names a later part {following.name}, which is not there"


def _read_split_public(first: Path) -> _Parts:
    """:func:`split_recording` by MNE's public readers: the files ``mne.io.read_raw_fif``
    reads (``raw.filenames``); for a file of epochs (no raw data), which ``mne.read_epochs``
    reads whole without naming its files, the parts of MNE's names that it read. Where
    neither reads it, the reason is the epochs reader's for a file of epochs (the raw
    reader's "No raw data in ..." tells nothing), the raw reader's else, with the later part
    it names missing (``missing``)."""
    import mne  # noqa: PLC0415 - only for FIF files

    try:  # on_split_missing="raise", as eegpt reads recordings (mne.io.read_raw)
        raw = mne.io.read_raw_fif(first, preload=False, verbose="error")
    except Exception as err:  # noqa: BLE001 - MNE raises anything on a file it cannot read
        try:
            mne.read_epochs(first, preload=False, verbose="error")
        except Exception as epochs_err:  # noqa: BLE001
            why = epochs_err if "No raw data in" in str(err) else err
            return _Parts(None, f"{type(why).__name__}: {why}", _missing_named(first, why))
        return _later_parts([first, *_parts_by_name(first)])
    later = [first.with_name(Path(f).name) for f in raw.filenames[1:] if f is not None]
    return _later_parts([first, *later])


# MNE's message on a split raw file whose next part is missing (mne.io.read_raw_fif)
_NEXT_MISSING = re.compile(r"next file (?P<name>.+?) does not exist")


def _missing_named(first: Path, err: Exception) -> str | None:
    """The name of the later part of ``first`` that MNE's error ``err`` says is missing (the
    raw reader's "next file ... does not exist", the epochs reader's FileNotFoundError on
    it), or None."""
    named = _NEXT_MISSING.search(str(err))
    name = named["name"] if named else None
    if name is None and isinstance(err, FileNotFoundError) and err.filename:
        name = os.fsdecode(err.filename)
    if name is None or Path(name).name == first.name:
        return None
    return Path(name).name


def _split_by_name(first: Path) -> SplitRecording:
    """:func:`split_recording` of a ``.fif.gz`` recording, by names (:func:`_parts_by_name`):
    its parts as far as they are there, or None where a later part lies beside them
    after one that is not there (``missing``, named as MNE writes it)."""
    later = _parts_by_name(first)
    last = later[-1] if later else first
    found = len(later)  # the number of the last part there
    beyond = sorted(
        (number, name)
        for name in _names_beside(first)
        if (number := split_part_number(name)) is not None
        and number > found
        and (named := first_split_part(first.with_name(name))) is not None
        and named.name == first.name
    )
    absent = written_next_part(last)
    if not beyond or absent is None:
        return SplitRecording((first, *later))
    return SplitRecording(
        None,
        f"{beyond[0][1]} lies beside {first.name} as its later part, but {absent.name} "
        "before it is not there",
        absent.name,
    )


def _names_beside(path: Path) -> tuple[str, ...]:
    """The names in the folder of ``path`` (listed once within :func:`headers_read_once`
    while the folder is unchanged); none where it cannot be listed."""
    folder = path.parent

    def listed() -> tuple[str, ...] | None:
        try:
            return tuple(os.listdir(folder))
        except OSError:
            return None

    return _read_once("folder", folder, listed, keep=lambda n: n is not None) or ()


def _parts_by_name(first: Path) -> list[Path]:
    """The later parts of ``first`` by the names MNE gives them
    (:func:`eegpt.formats.next_split_parts`), as far as they are there: stats only. For a
    ``.fif.gz`` recording, the name MNE writes (``x.fif-1.gz``) or the one it builds for a
    part its header numbers only (``x-1.fif.gz``: a file gzipped after it was written);
    where both are there, the one MNE writes (a warning names the other)."""
    from eegpt._logging import warn  # noqa: PLC0415

    later: list[Path] = []
    current = first
    while True:
        there = [p for p in next_split_parts(current) if p.is_file()]
        if not there:
            return later
        for other in there[1:]:
            warn(
                f"both {there[0].name} and {other.name} lie beside {first.name}, each named "
                f"as its part {len(later) + 1}: {there[0].name} (the name MNE writes) is taken "
                f"for it, {other.name} for a recording of its own"
            )
        later.append(there[0])
        current = there[0]


def split_later_parts(path: str | os.PathLike) -> list[Path]:
    """The later parts of the split FIF recording whose first part is ``path``, which MNE
    reads with it (:func:`split_recording`), in order; empty for a FIF file that is not split
    or cannot be read. Only where a file of the next part's name lies beside it
    (:func:`eegpt.formats.next_split_parts`) is its header read."""
    path = Path(path)
    if not any(p.is_file() for p in next_split_parts(path)):
        return []
    files = split_recording(path).files
    return list(files[1:]) if files else []


def unreadable_first_part(
    path: str | os.PathLike,
) -> tuple[Path, str, str | None, str | None] | None:
    """For a FIF file named as a later part of a split recording (``rec-1.fif``,
    :func:`eegpt.formats.first_split_part`) whose first part (``rec.fif``) lies beside it but
    whose parts cannot be told (:func:`split_recording`): that first part, the reason, the
    name of a later part that is missing (:attr:`SplitRecording.missing`, or None) and that
    of a later part whose header cannot be read (:attr:`SplitRecording.damaged`, or None;
    both None: the first part's header cannot be read); else None. Whether the file
    continues it, or is a recording of its own, cannot be told then."""
    first = first_split_part(path)
    if first is None or not first.is_file():
        return None
    read = split_recording(first)
    if read.files is not None:
        return None
    return (first, read.error or "", read.missing, read.damaged)


def part_of_unreadable_error(
    path: str | os.PathLike,
    first: Path,
    error: str,
    missing: str | None = None,
    damaged: str | None = None,
) -> Exception:
    """The error of a FIF file named as a later part of the split recording ``first``, whose
    parts cannot be told (:func:`unreadable_first_part`): ``error``, the reason (MNE's
    message); ``missing``, a later part that is not there; ``damaged``, a later part whose
    header cannot be read (neither: the header of ``first`` cannot be read)."""
    from eegpt.errors import RecordingError  # noqa: PLC0415

    name = Path(path).name
    if missing is not None:
        why = f"whose later part {missing} is missing ({error})"
        fix = (
            f"Copy {missing} beside {first.name} (MNE reads every part from {first.name}, "
            "and fails on it too without it)"
        )
    elif damaged is not None:
        part = "it" if damaged == name else f"its later part {damaged}"
        why = (
            f"and {part} cannot be read (truncated or damaged? a copy still in progress? "
            f"MNE: {error})"
        )
        fix = f"Re-copy {damaged} (MNE reads every part from {first.name}, and fails on it too)"
    else:
        why = f"whose header cannot be read ({error})"
        fix = f"Repair or re-copy {first.name} (MNE reads every part from it)"
    return RecordingError(
        f"{name} is named as a later part of the split FIF recording {first}, {why}, so "
        f"whether it continues {first.name} cannot be told: it is not embedded, as a later "
        "part read alone would be embedded as a recording whose onsets start at 0 s, where "
        f"{first.name} ends. {fix}, or, if {name} is a recording of its own, rename it (or "
        f"move {first.name} away)"
    )


def parts_of_unreadable_error(
    unreadable: Sequence[tuple[str | os.PathLike, Path, str, str | None, str | None]],
) -> Exception:
    """:func:`part_of_unreadable_error` of one file, or of several (``(path, first, error,
    missing, damaged)`` each): how many, a few named, the first one's error in full."""
    from eegpt._logging import few  # noqa: PLC0415
    from eegpt.errors import RecordingError  # noqa: PLC0415

    first_error = part_of_unreadable_error(*unreadable[0])
    if len(unreadable) == 1:
        return first_error
    named = [f"{path} (of {first.name})" for path, first, *_ in unreadable]
    return RecordingError(
        f"{len(unreadable)} files are named as later parts of split FIF recordings whose parts "
        f"cannot be told: {few(named, 5)}. The first: {first_error}"
    )


def _header_fields(path: Path) -> dict[str, str]:
    """The ``key=value`` lines of a BrainVision header's first 64 KiB, by lower-case key
    (read once within :func:`headers_read_once`)."""
    fields = _read_once(
        "vhdr", path, lambda: _read_header_fields(path), keep=lambda f: f is not None
    )
    return fields or {}


def _read_header_fields(path: Path) -> dict[str, str] | None:
    """The fields of :func:`_header_fields`, or None where the file cannot be read."""
    try:
        with open(path, "rb") as fh:
            text = fh.read(1 << 16).decode("latin-1")
    except OSError:
        return None
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
        "source_fingerprint": str}``: ``files`` names each file of :func:`recording_inputs` (its
        name relative to the recording's folder, e.g. ``"sub-01.vhdr"``,
        ``"rec.mff/signal1.bin"``); ``source_bytes`` is their total size (bytes),
        ``source_mtime_ns`` their latest modification time (ns since the epoch) and
        ``source_fingerprint`` their fingerprint as a corpus run takes it (a SHA-256 of the
        size and first and last MiB of each, not of the whole file:
        :func:`eegpt.dataset_stamps._fingerprint`), as in a corpus run's file status (outputs of
        earlier versions named it ``source_sha256``). ``"sidecars": True`` marks a record
        that lists every file of :func:`recording_inputs` there was, a BIDS recording's
        sidecars too (:func:`records_sidecars`), so that a file added since is found; not
        where they could not be looked up (:func:`sidecars_looked_up`: mne-bids missing).
        With ``full_hashes``, also ``"sha256": {name: sha256}``, the SHA-256 of each file's
        bytes. ``eegpt anonymize`` drops ``source_mtime_ns`` (a date), names each file by its
        last component and keeps the rest (hashes name no path).
    """
    from eegpt.dataset_stamps import _fingerprint  # noqa: PLC0415 - dataset_stamps imports this module

    base = Path(path).expanduser().absolute()
    files = recording_inputs(base)
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
    if sidecars_looked_up(base):  # not where mne-bids is missing: none were looked for
        record[SIDECARS_KEY] = True
    fingerprint = _fingerprint([os.fspath(f) for f in files])
    if fingerprint is not None:
        record["source_fingerprint"] = fingerprint
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


def records_sidecars(record: Any) -> bool:
    """Whether an output's ``source_files`` ``record`` lists the files of its recording as
    :func:`recording_inputs` finds them (a BIDS recording's sidecars with its data file): it
    says so (:data:`SIDECARS_KEY`, from this version on) or lists a sidecar (outputs written
    since sidecars were recorded). Then a file found now that it does not list was added since
    (an ``*_events.tsv`` written after embedding); records of earlier versions listed the data
    file(s) alone, so their sidecars were never compared."""
    if not isinstance(record, dict):
        return False
    if record.get(SIDECARS_KEY) is True:
        return True
    files = record.get("files")
    names = [str(n) for n in files] if isinstance(files, (list, dict)) else []
    return any(_SIDECAR_NAME.match(Path(n).name) for n in names)


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


def files_bytes(paths: Iterable[str | os.PathLike | None]) -> int | None:
    """The bytes on disk of a recording's files ``paths`` together (those of
    :func:`recording_files`, or the ``raw.filenames`` MNE reads samples from: an EDF file, a
    BrainVision ``.eeg`` file, the parts of a split FIF file); None where they cannot be told
    (a file gone, a recording read from memory: no file name) or add up to 0."""
    total = 0
    for path in paths:
        try:
            total += Path(path).stat().st_size  # type: ignore[arg-type]  # None: TypeError
        except (OSError, TypeError):
            return None
    return total or None


#: Binary size units (1 KiB = 1024 bytes) of :func:`size_text`, by how many bytes each is;
#: ``"MB"`` is a MiB as eegpt's progress lines name it.
_SIZE_UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "MB": 2**20}


def size_text(n_bytes: float, unit: str | None = None) -> str:
    """``n_bytes`` (bytes) for people, eegpt's one size format: in ``unit`` (one of
    ``"B"``, ``"KiB"``, ``"MiB"``, ``"GiB"``, ``"TiB"``, or ``"MB"``: MiB as the "scanning
    FILE (N MB)" progress line prints them), by default the largest binary unit of which it
    holds at least 1 (``"768 B"``, ``"1.1 KiB"``, ``"1.5 GiB"``); whole numbers with
    thousands separators from 10 on, 2 significant digits below (``"1,234 MB"``,
    ``"0.13 MB"``)."""
    if unit is None:
        unit = next(
            u
            for u in ("TiB", "GiB", "MiB", "KiB", "B")
            if abs(n_bytes) >= _SIZE_UNITS[u] or u == "B"
        )
    if unit not in _SIZE_UNITS:
        raise ValueError(f"unit={unit!r}: give one of {', '.join(map(repr, _SIZE_UNITS))}")
    value = n_bytes / _SIZE_UNITS[unit]
    return f"{value:,.0f} {unit}" if abs(value) >= 10 else f"{value:.2g} {unit}"
