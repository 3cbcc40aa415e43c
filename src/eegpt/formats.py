"""Which paths are EEG recordings, by name: file endings, recordings that are folders, the
later parts of split FIF files, and the error for a recording that is not there.

What a corpus folder is searched for (:func:`eegpt.dataset_inputs.resolve_inputs`) and what
``eegpt embed`` lists, decided from names and a few stats: this module imports neither MNE
nor NumPy (:func:`split_continuations` imports MNE when called, to read FIF headers).
:mod:`eegpt.io`, which reads the files, re-exports its names.
"""

from __future__ import annotations

import errno
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from eegpt.errors import MissingFileError

__all__ = [
    "EEG_SUFFIXES",
    "RECORDING_FOLDER_SUFFIXES",
    "file_not_found",
    "first_split_part",
    "is_recording_folder",
    "split_continuations",
]

PathLike = str | os.PathLike

EEG_SUFFIXES: tuple[str, ...] = (".edf", ".bdf", ".gdf", ".fif", ".vhdr", ".set", ".cnt")
"""Recording file endings (case-insensitive): what a corpus folder is searched for
(:func:`eegpt.dataset_inputs.resolve_inputs`; others need ``pattern``)."""

RECORDING_FOLDER_SUFFIXES: tuple[str, ...] = (".mff", ".ds")
"""Endings of recordings that are folders (EGI ``.mff``, CTF ``.ds``): read and listed as one
recording each, never searched inside."""


# The parts of a FIF recording split by MNE (2 GB per file), by the names MNE gives them:
# "name-1.fif" after "name.fif" (split_naming="neuromag"; "x.fif-1.gz" after "x.fif.gz", as MNE
# writes them, and "x-1.fif.gz", as it names a part its header numbers only), and
# "..._split-02_..." after "..._split-01_..." (BIDS). The one rule for the names of the parts:
# first_split_part and next_split_parts.
_NEUROMAG_PART = re.compile(
    r"^(?P<base>.+?)(?:-(?P<n>[1-9][0-9]*))?(?P<ext>\.fif(?:\.gz)?)$", re.IGNORECASE
)
_NEUROMAG_GZ_PART = re.compile(r"^(?P<base>.+?\.fif)-(?P<n>[1-9][0-9]*)(?P<ext>\.gz)$", re.I)
_BIDS_PART = re.compile(r"^(?P<pre>.*_split-)(?P<n>[0-9]+)(?P<post>_.*\.fif(?:\.gz)?)$")
_FIF_NAME = re.compile(r"\.fif(?:\.gz)?$|\.fif-[1-9][0-9]*\.gz$", re.IGNORECASE)


def is_fif_name(path: PathLike) -> bool:
    """Whether ``path`` is named as a FIF file or a part of one (``.fif``, ``.fif.gz``, MNE's
    ``.fif-1.gz``)."""
    return _FIF_NAME.search(Path(path).name) is not None


def first_split_part(path: PathLike) -> Path | None:
    """The file that a later part of a split FIF recording continues (MNE reads the parts
    together from it), by MNE's names for the parts; None for other files (a first part, a
    file of another format). Only the name is read: whether ``path`` does continue it, its
    header tells (:func:`eegpt._file_identity.split_recording`)."""
    path = Path(path)
    bids = _BIDS_PART.match(path.name)
    if bids:
        if int(bids["n"]) <= 1:
            return None
        return path.with_name(f"{bids['pre']}{1:0{len(bids['n'])}d}{bids['post']}")
    part = _NEUROMAG_GZ_PART.match(path.name) or _NEUROMAG_PART.match(path.name)
    if part and part["n"]:
        return path.with_name(part["base"] + part["ext"])
    return None


def next_split_parts(path: PathLike) -> list[Path]:
    """The names MNE may give the part after ``path`` of a split FIF recording (beside it):
    ``..._split-02_...`` after ``..._split-01_...`` (BIDS), ``rec-1.fif`` after ``rec.fif``
    and ``rec-2.fif`` after ``rec-1.fif`` (``split_naming="neuromag"``); after ``x.fif.gz``,
    ``x.fif-1.gz`` (as MNE writes it) and ``x-1.fif.gz`` (as MNE names a part its header
    numbers only), and after either of those ``x.fif-2.gz`` and ``x-2.fif.gz``. Empty for a
    file not named as FIF."""
    path = Path(path)
    bids = _BIDS_PART.match(path.name)
    if bids:
        n = int(bids["n"]) + 1
        return [path.with_name(f"{bids['pre']}{n:0{len(bids['n'])}d}{bids['post']}")]
    gz = _NEUROMAG_GZ_PART.match(path.name)
    if gz:  # x.fif-1.gz: x.fif-2.gz as MNE writes it, x-2.fif.gz as a header may number it
        n = int(gz["n"]) + 1
        stem = gz["base"][: -len(".fif")]
        names = [f"{gz['base']}-{n}{gz['ext']}", f"{stem}-{n}{gz['base'][len(stem) :]}{gz['ext']}"]
        return [path.with_name(name) for name in names]
    part = _NEUROMAG_PART.match(path.name)
    if part is None:
        return []
    n = int(part["n"] or 0) + 1
    names = [f"{part['base']}-{n}{part['ext']}"]
    if part["ext"].lower().endswith(".gz"):  # x.fif.gz: MNE writes x.fif-1.gz
        names.insert(0, f"{part['base']}{part['ext'][:-3]}-{n}{part['ext'][-3:]}")
    return [path.with_name(name) for name in names]


def written_next_part(path: PathLike) -> Path | None:
    """The name MNE writes the part after ``path`` of a split FIF recording under (beside it):
    ``..._split-02_...`` after ``..._split-01_...`` (BIDS), ``rec-1.fif`` after ``rec.fif``,
    ``rec-2.fif`` after ``rec-1.fif``, ``x.fif-1.gz`` after ``x.fif.gz`` and ``x.fif-2.gz``
    after ``x.fif-1.gz``; None for a file not named as FIF. Of :func:`next_split_parts`, not
    ``x-1.fif.gz``, a name MNE reads (for a part its header numbers only) but does not write."""
    names = next_split_parts(path)  # x.fif.gz: x.fif-1.gz first
    return names[0] if names else None


def split_part_number(path: PathLike) -> int | None:
    """Which later part of a split FIF recording ``path`` is named as (MNE's names: 1 for
    ``rec-1.fif``, ``x.fif-1.gz``, ``x-1.fif.gz`` and ``..._split-02_...``), the recording's
    first part being :func:`first_split_part`; None for a first part and other files."""
    path = Path(path)
    bids = _BIDS_PART.match(path.name)
    if bids:
        return int(bids["n"]) - 1 if int(bids["n"]) > 1 else None
    part = _NEUROMAG_GZ_PART.match(path.name) or _NEUROMAG_PART.match(path.name)
    return int(part["n"]) if part and part["n"] else None


def split_continuations(paths: Sequence[PathLike]) -> list[Path]:
    """The paths in ``paths`` that are later parts of a split FIF recording whose first part
    is in ``paths`` too (under any spelling of its path): embedding them again would repeat
    that recording's samples. A later part is known by its name (:func:`first_split_part`)
    and confirmed by the first part's header (MNE reads it, not the samples:
    :func:`eegpt._file_identity.split_recording`): a file only named like one (``rec-1.fif``
    beside ``rec.fif``, a recording of its own) is none. Where the first part's header cannot
    be read (a damaged file, a later part missing), the file is not known to continue it and
    is not returned; :func:`eegpt.dataset_inputs.listed_split_parts` tells those apart."""
    from eegpt.dataset_inputs import listed_split_parts  # noqa: PLC0415 - reads FIF headers

    later = listed_split_parts(paths).later
    return [Path(paths[r]) for r in later]


def is_recording_folder(path: PathLike) -> bool:
    """Whether ``path`` is a folder that holds one recording (:data:`RECORDING_FOLDER_SUFFIXES`)."""
    path = Path(path)
    return path.suffix.lower() in RECORDING_FOLDER_SUFFIXES and path.is_dir()


def _link_loop(path: PathLike) -> bool:
    """Whether following the links of ``path`` goes round in a loop (``ELOOP``)."""
    try:
        os.stat(path)
    except OSError as err:
        return err.errno == errno.ELOOP
    return False


def broken_link_text(path: PathLike) -> str | None:
    """What is wrong with ``path`` when it is a symbolic link that leads to nothing: its
    target is not there (a broken link, such as a git-annex or DataLad file whose content was
    not fetched), naming where it points, or it leads back to itself (a link loop,
    ``ELOOP``); None when ``path`` is no symbolic link."""
    if not os.path.islink(path):
        return None
    if _link_loop(path):
        return (
            f"{path} is a symbolic link loop (it leads back to itself through links, never to "
            "a file); point the link at the file, or remove it"
        )
    return (
        f"{path} is a symbolic link to {os.path.realpath(path)}, which does not exist; point "
        "the link at the file, or remove it"
    )


def file_not_found(path: PathLike) -> MissingFileError:
    """The error for an EEG file that is not there; for a symbolic link whose target is not
    there (a broken link), naming the link and where it points; for a link that leads back to
    itself (a link loop, ``ELOOP``), saying so (:func:`broken_link_text`)."""
    link = broken_link_text(path)
    if link is not None:
        return MissingFileError(f"EEG file not found: {link}")
    return MissingFileError(f"EEG file not found: {path}{_near_miss(Path(path))}")


def _near_miss(path: Path) -> str:
    """What to add to the error for a missing ``path`` when a file of nearly its name is
    there: the same name in another Unicode normalisation (NFD, as macOS writes names, for a
    name typed in NFC: the two look the same) in its folder, or, on POSIX, the path with its
    backslashes (a Windows path) read as ``/``, or a Windows drive path (``C:\\data\\x.edf``,
    ``D:/eeg/x.edf``: :func:`_drive_path_hint`). Only the parent folder is listed."""
    if os.sep == "/":
        drive = _drive_path_hint(path)
        if drive:
            return drive
    if os.sep == "/" and "\\" in str(path):
        posix = Path(str(path).replace("\\", "/"))
        if posix.exists():
            return (
                f" (its path holds backslashes, as Windows writes paths; {posix} exists: "
                "write paths with '/', which Windows reads too)"
            )
    found = _other_normalisation(path)
    if found is None:
        return ""
    nfd = unicodedata.is_normalized("NFD", found.name)
    form = "NFD, as macOS writes names" if nfd else "NFC"
    return (
        f" (a file of that name in another Unicode normalisation is there: {ascii(str(found))}, "
        f"in {form}, where the path given is {ascii(str(path))}; the two look the same. Give "
        "the name as it is on disk, or rename the files to NFC, as Linux and Windows tools "
        f"type names: convmv -r -f utf8 -t utf8 --nfc --notest {found.parent})"
    )


#: A path component that starts a Windows drive path: ``C:``, ``C:\\data\\x.edf``.
_DRIVE = re.compile(r"^[A-Za-z]:(?:[\\/]|$)")


def _drive_path_hint(path: Path) -> str:
    """What to add to the error for a missing ``path`` (on POSIX) that holds a Windows drive
    path (``C:\\data\\sub-01.edf``, ``D:/eeg/x.edf``, as a manifest written on Windows lists
    them): POSIX reads it as a relative name, joined to the manifest's (or current) folder.
    Names the first of the drive path's tails (``data/sub-01.edf``, then ``sub-01.edf``) that
    exists in that folder, or else under ``/mnt/<drive>`` (WSL's mount point); "" for a path
    without a drive."""
    parts = path.parts
    at = next((i for i, part in enumerate(parts) if _DRIVE.match(part)), None)
    if at is None:
        return ""
    base = Path(*parts[:at]) if at else Path()
    letter = parts[at][0]
    tail = [p for part in (parts[at][2:], *parts[at + 1 :]) for p in re.split(r"[\\/]", part) if p]
    given = parts[at] + "".join("/" + p for p in parts[at + 1 :])
    hint = (
        f" ('{given}' looks like a Windows drive path (a manifest written on Windows?), which "
        f"this system reads as a name relative to {base if at else 'the current folder'}: write "
        "paths relative to the manifest's folder, or as this machine mounts that drive "
        f"(e.g. /mnt/{letter.lower()}/...)"
    )
    for start in range(len(tail)):
        relative = "/".join(tail[start:])
        if (base / relative).exists():
            return hint + f"; {base / relative} exists: write {relative!r})"
    mounted = Path("/mnt", letter.lower(), *tail)
    if tail and mounted.exists():
        return hint + f"; {mounted} exists: write that path)"
    return hint + ")"


def _other_normalisation(path: Path) -> Path | None:
    """The file that ``path`` names in another Unicode normalisation, or None: the whole path
    in NFD or NFC (a folder copied from a Mac), else a name of ``path``'s folder equal to its
    name in NFC. A few stats and one folder listing, not a walk."""
    for form in ("NFD", "NFC"):
        other = Path(unicodedata.normalize(form, str(path)))
        if str(other) != str(path) and os.path.lexists(other):
            return other
    if path.name.isascii():  # the usual missing file: no other spelling to look for
        return None
    try:
        names = os.listdir(path.parent)
    except OSError:  # no such folder (or unreadable): nothing cheap to compare with
        return None
    wanted = unicodedata.normalize("NFC", path.name)
    same = [n for n in names if n != path.name and unicodedata.normalize("NFC", n) == wanted]
    return path.parent / same[0] if same else None


def mat_reason(path: PathLike) -> str:
    """Why a MATLAB ``.mat`` file is not read as a recording (MNE's reader for it, FieldTrip's,
    needs the channels' info and is not called by a path alone: it failed with a
    ``TypeError``), and how to embed its samples: loaded in Python in the unit they are in
    (a FieldTrip structure's EEG is usually in µV, which MNE's FieldTrip reader leaves as it
    is, so as volts), or saved as an ``.npz`` with their unit for the command line."""
    mat = Path(path)
    fif = mat.with_name(f"{mat.stem}_raw.fif")
    return (
        f"unsupported file type {mat.suffix!r}: a .mat file holds MATLAB variables, not an EEG "
        "file format eegpt reads by its path. Load the samples in Python (scipy.io.loadmat; "
        "h5py for a v7.3 file) and embed them in their unit, as stored: "
        "model.embed(x, ch_names=[...], sfreq=..., units='uV'), x channels x samples; or save "
        "them in volts for the command line: mne.io.RawArray(x * 1e-6, mne.create_info("
        f"ch_names, sfreq, 'eeg')).save({str(fif)!r}) for microvolts. A FieldTrip raw "
        f"structure reads with mne.io.read_raw_fieldtrip({str(mat)!r}, info=None), whose "
        "samples are FieldTrip's, not converted to volts (EEG: usually µV, see hdr.chanunit): "
        "model.embed(raw.get_data(), ch_names=raw.ch_names, sfreq=raw.info['sfreq'], "
        "units='uV') for microvolts"
    )


def npy_reason(path: PathLike) -> str:
    """Why a NumPy ``.npy`` file is not read as a recording (it holds samples alone, without
    channel names or a rate), and the ``np.savez`` one-liner that makes an ``.npz`` of it that
    eegpt reads (``X`` [n_epochs, n_channels, n_times], ``ch_names``, ``sfreq``, ``units``), or
    the MNE one that saves a continuous array as a FIF file."""
    npy = Path(path)
    npz, fif = npy.with_suffix(".npz"), npy.with_name(f"{npy.stem}_raw.fif")
    return (
        f"unsupported file type {npy.suffix!r}: a .npy file holds samples without channel names "
        "or a sampling rate. eegpt reads NumPy arrays from .npz files holding X [n_epochs, "
        "n_channels, n_times] (epochs of one window each), ch_names [n_channels], sfreq (Hz) "
        "and units ('uV', 'mV'; volts without), e.g. "
        f"np.savez({str(npz)!r}, X=np.load({str(npy)!r}), ch_names=[...], sfreq=256, "
        "units='uV'); a continuous [n_channels, n_times] array in volts saves as a FIF file: "
        "mne.io.RawArray(x, mne.create_info(ch_names, sfreq, 'eeg')).save("
        f"{str(fif)!r}); in Python, pass the array itself: model.embed(x, ch_names=[...], "
        "sfreq=256, units='uV')"
    )
