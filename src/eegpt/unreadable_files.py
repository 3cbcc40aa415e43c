"""Files that are no recording of their own, and why a file could not be read.

Before any reading, by name and kind: a folder, the data or marker file of a BrainVision or
EEGLAB recording (:func:`refuse_unreadable_input`; :func:`companion_files` lists the files read
through a header), a FIF file cut short (:func:`refuse_cut_fif`). After MNE's reader failed,
:func:`read_failure_reason` says why in the user's terms: a text table of samples, an
unsupported file type, a truncated FIF file, a file the recording names that is missing
(:func:`missing_file_reason`), a package the reader needs.
"""

from __future__ import annotations

import os
import re
import struct
from pathlib import Path

from eegpt._logging import count, reader_text
from eegpt.brainvision_files import _brainvision_header, _brainvision_marker_file, _vhdr_fields
from eegpt.errors import RecordingError
from eegpt.fif_kinds import refuse_not_recording_fif
from eegpt.formats import is_recording_folder, mat_reason, npy_reason


def refuse_unreadable_input(path: Path) -> None:
    """Refuse, by its name and kind alone (before any reading, and before ``eegpt embed``
    loads the model), what is no recording of its own: a folder (not a recording folder such
    as EGI's ``.mff``), pointing to ``eegpt embed-dataset``; the data or marker file of a
    BrainVision or EEGLAB recording, naming its header to give instead
    (:func:`refuse_eeglab_data_file`, :func:`refuse_brainvision_data_file`); a FIF file of
    MNE's that holds no recording, an evoked (averaged) or ICA file among them
    (:func:`eegpt.fif_kinds.refuse_not_recording_fif`: its first tags are read)."""
    if path.is_dir() and not is_recording_folder(path):
        raise RecordingError(
            f"{path} is a folder, not a recording; give one of its files, or embed all of them "
            "with `eegpt embed-dataset` (eegpt.embed_dataset)"
        )
    refuse_eeglab_data_file(path)
    refuse_brainvision_data_file(path)
    refuse_not_recording_fif(path)  # an evoked, ICA, ... file: by its first tags, or name


def refuse_eeglab_data_file(path: Path) -> None:
    """Refuse EEGLAB's ``.fdt`` file (the samples alone), naming the ``.set`` file to give
    instead: it holds the header and events, and names its ``.fdt``."""
    if path.suffix.lower() == ".fdt":
        _refuse_companion_file(
            path,
            "the data file of an EEGLAB recording: it holds the samples alone, without the "
            "channels, sampling rate and events, which its .set file holds",
            ".set",
        )


def _refuse_companion_file(path: Path, what: str, header_suffix: str) -> None:
    """Refuse ``path``, a file that a recording's header file (``header_suffix``, as
    ``".set"``) reads with it and that is no recording of its own, saying it is ``what`` and
    naming the header beside it to give instead (or saying none of its name is beside it).

    Raises
    ------
    RecordingError
        Always."""
    headers = (path.with_suffix(s) for s in (header_suffix, header_suffix.upper()))
    beside = [header for header in headers if header.is_file()]
    give = (
        f"give {beside[0]} instead, which reads the {path.suffix.lower()} with it"
        if beside
        else f"give the {header_suffix} file that names it instead (there is no "
        f"{path.stem}{header_suffix} beside it)"
    )
    raise RecordingError(f"{path} is {what}; {give}")


def refuse_brainvision_data_file(path: Path) -> None:
    """Refuse a BrainVision ``.eeg`` file (the samples alone) that a ``.vhdr`` header names,
    naming that ``.vhdr`` to give instead: MNE would read the ``.eeg`` as a Nihon Kohden
    recording and fail in that format's terms. A ``.eeg`` no ``.vhdr`` beside it names is left
    to MNE's Nihon Kohden reader where it begins as a Nihon Kohden file does, and refused
    otherwise (a BrainVision ``.eeg`` whose ``.vhdr`` was left behind: MNE's Nihon Kohden
    reader failed on it with a ``UnicodeDecodeError``). A BrainVision ``.vmrk`` (the markers alone) is refused
    likewise, naming the ``.vhdr`` beside it where there is one."""
    if path.suffix.lower() == ".vmrk" and path.is_file():
        _refuse_companion_file(
            path,
            "the marker file of a BrainVision recording: it holds the markers alone, without "
            "the samples and channels, which its .eeg and .vhdr files hold",
            ".vhdr",
        )
    if path.suffix.lower() != ".eeg" or not path.is_file():
        return
    header = _brainvision_header(path)
    if header is not None:
        raise RecordingError(
            f"{path} is the data file of a BrainVision recording: it holds the samples alone, "
            "without the channels, sampling rate and markers, which its .vhdr file holds; give "
            f"{header} instead, which reads the .eeg with it"
        )
    with open(path, "rb") as file:
        start = file.read(16)
    if not _NIHON_KOHDEN_DEVICE.match(start):
        raise RecordingError(
            f"{path} is no Nihon Kohden recording (those begin with the device's name, as "
            f"'EEG-1100A V01.00'; it begins {start[:16]!r}), and no BrainVision header (.vhdr) "
            "beside it names it: a BrainVision .eeg holds the samples alone, without the "
            "channels and sampling rate. Give the recording's .vhdr file, with its .eeg and "
            ".vmrk beside it (copy them along if they were left behind)"
        )


#: How a Nihon Kohden .EEG file begins: its device's name and version, 16 bytes
#: ("EEG-1100A V01.00", "QI-403A   V02.00", "DAE-2100D V01.30")
_NIHON_KOHDEN_DEVICE = re.compile(rb"[A-Z]{2,4}-[0-9A-Z]+ +V\d\d\.\d\d")


def companion_files(header: Path) -> list[Path]:
    """The files read through the recording file ``header`` besides it, that exist: a
    BrainVision ``.vhdr``'s data file (``DataFile=``) and marker file (``MarkerFile=``; else
    those of its name beside it, as MNE falls back to), an EEGLAB ``.set``'s ``.fdt`` of its
    name; none for other files. Given as inputs beside their header they are no recordings of
    their own (:func:`refuse_brainvision_data_file`, :func:`refuse_eeglab_data_file`)."""
    suffix = header.suffix.lower()
    found: list[Path] = []
    if suffix == ".vhdr" and header.is_file():
        try:
            named = _vhdr_fields(header).get("datafile", "")
        except OSError:
            named = ""
        found = (
            [header.parent / named] if named else [header.with_suffix(s) for s in (".eeg", ".EEG")]
        )
        found.append(_brainvision_marker_file(header) or header.with_suffix(".vmrk"))
    elif suffix == ".set":
        found = [header.with_suffix(s) for s in (".fdt", ".FDT")]
    return [f for f in dict.fromkeys(found) if f.is_file()]


def _fif_truncated(detail: str) -> str:
    """Why a FIF file cut short cannot be read; ``detail``: what was found."""
    return (
        "the file looks truncated or corrupt: a block of its data is shorter than its tag says "
        f"({detail}); restore it from a complete copy"
    )


def refuse_cut_fif(path: Path) -> None:
    """Refuse a FIF file whose chain of tags runs past its end (cut short). MNE warns of it
    ("Invalid tag", only at its log level "warning") and reads the samples before the cut,
    which would make a damaged file look like a short recording. Only the 16-byte tag
    headers are read; a compressed file (``.fif.gz``) is left to MNE."""
    if not path.name.lower().endswith(".fif"):
        return
    size, pos, seen = path.stat().st_size, 0, 0
    with open(path, "rb") as fh:
        while pos != size:  # a chain that ends at the file's end is whole
            fh.seek(pos)
            head = fh.read(16)
            if len(head) < 16:
                raise RecordingError(
                    f"could not read EEG file {path}: "
                    + _fif_truncated(f"its tags lead to byte {pos}, past its end at {size}")
                )
            _, _, n_bytes, following = struct.unpack(">iIii", head)
            nxt = pos + 16 + n_bytes if following == 0 else following  # 0: the next in place
            seen += 1
            if following == -1 or nxt <= pos or seen > size // 16:
                return  # the last tag (-1), or no chain to follow (MNE says what is wrong)
            pos = nxt


# NumPy's words when MNE reads a FIF tag's data cut short (a truncated or corrupt file)
_SHORT_BUFFER = re.compile(
    r"buffer size must be a multiple of element size|cannot reshape array of size \d+ into"
)


def _fif_cut_short(path: Path, err: Exception) -> bool:
    """Whether MNE failed on a FIF file because a tag's data are shorter than the tag says."""
    fif = path.name.lower().endswith((".fif", ".fif.gz"))
    return fif and isinstance(err, ValueError) and bool(_SHORT_BUFFER.search(str(err)))


#: Suffixes of text tables of samples (OpenBCI's .txt/.csv, Mind Monitor's .csv): no EEG file
#: format eegpt reads (MNE reads one kind of .txt, BOXY's, which stays readable).
_TEXT_TABLES = (".txt", ".csv", ".tsv")


def _looks_like_text_table(path: Path) -> bool:
    """Whether the first lines of ``path`` read as a table of samples: below any ``%`` or
    ``#`` lines (OpenBCI's header), one of the first rows has two or more cells (split by
    commas, semicolons, tabs or spaces) at least half of them numbers (after a row of
    names, or not). Anything else (a damaged file, text that is no table) keeps MNE's own
    error."""
    from eegpt.text_tables import is_number, table_head

    try:
        head, _ = table_head(path, 16384)
    except (OSError, ValueError):  # unreadable, or not text
        return False
    lines = [ln.strip() for ln in head.splitlines()]
    rows = [ln for ln in lines if ln and not ln.startswith(("%", "#"))][:5]
    for row in rows:
        cells = [cell for cell in re.split(r"[,;\t ]+", row) if cell]
        if len(cells) >= 2 and 2 * sum(is_number(cell) for cell in cells) >= len(cells):
            return True
    return False


def _text_table_reason(path: Path) -> str:
    """Why a text table of samples is not read as a recording, and the routes that read it."""
    return (
        f"a {path.suffix} file of samples (a device's export, such as OpenBCI's or Mind "
        "Monitor's) is a text table, not an EEG file format eegpt reads. Load its EEG columns "
        "in Python (their names and units depend on the device and app) and embed the array: "
        "model.embed(x, ch_names=[...], sfreq=..., units='uV'), x channels x samples; or "
        "build mne.io.RawArray(x * 1e-6, mne.create_info(names, sfreq, 'eeg')) and save it "
        "(raw.save('rec_raw.fif')) for the command line. See docs/montages.md, 'From a device's CSV'"
    )


def _missing_reader_hint(err: BaseException) -> str:
    """What to add to a reader's error that a package MNE reads the format with would avoid
    (its own missing-package errors say ``pip install`` already): an EEGLAB ``.set`` saved as
    MATLAB v7.3 (HDF5), which SciPy, MNE's reader without pymatreader, cannot open."""
    if isinstance(err, NotImplementedError) and "matlab v7.3" in str(err).lower():
        return (
            ". The file is saved as MATLAB v7.3 (HDF5), which MNE reads with pymatreader: "
            "pip install pymatreader (it brings h5py); or save it again in EEGLAB in the "
            "MATLAB v7 format (pop_saveset(EEG, ..., 'version', '7'))"
        )
    return ""


# How readers say a file is missing: OSError's own words, MNE's EEGLAB reader's.
_NOT_FOUND = re.compile(r"No such file or directory: '(.+)'|^File (.+) not found\.?$")


def missing_file_reason(path: Path, err: BaseException) -> str | None:
    """Why ``path`` could not be read when its reader raised ``err`` for another file that
    ``path`` names and that is missing (a BrainVision header's data or marker file, an EEGLAB
    ``.set``'s ``.fdt``): which file, which line names it, and what to do; None for other
    errors (and for a missing BIDS sidecar, ``.tsv``/``.json``)."""
    if not isinstance(err, FileNotFoundError):
        return None
    found = _NOT_FOUND.search(str(err))
    named = err.filename or (found and (found[1] or found[2]))
    if not named:
        return None
    missing = Path(named)
    if missing.name == path.name or missing.suffix.lower() in (".tsv", ".json"):
        return None
    where = (
        f"which is not in the folder {os.path.join(missing.parent, '')}"
        if missing.parent != Path()
        else "which is missing"
    )
    if path.suffix.lower() == ".vhdr":
        key = _header_line_naming(path, missing.name) or "DataFile"
        return (
            f"its header's {key}= line names {missing.name}, {where}: restore that file, or, "
            f"if it was renamed, write its new name on the {key}= line of {path.name} (a "
            "BrainVision recording is three files, the .vhdr naming the other two)"
        )
    if path.suffix.lower() == ".set":
        return (
            f"its samples are kept in {missing.name} (an EEGLAB .fdt file the .set names), "
            f"{where}: copy the .fdt beside the .set, or save the recording again in EEGLAB "
            "with its samples inside the .set"
        )
    return f"a file it names, {missing.name}, {where}: restore it beside {path.name}"


def _header_line_naming(header: Path, name: str) -> str | None:
    """The key (``DataFile``, ``MarkerFile``) of the BrainVision ``header``'s line that names
    the file ``name``; None when no line does or the header cannot be read."""
    try:
        with open(header, "rb") as f:
            text = f.read(1 << 16).decode("latin-1")  # [Common Infos] opens the file
    except OSError:
        return None
    line = re.search(rf"^((?i:DataFile|MarkerFile))\s*=\s*{re.escape(name)}\s*$", text, re.M)
    return (
        None
        if line is None
        else {"datafile": "DataFile", "markerfile": "MarkerFile"}[line[1].lower()]
    )


def _empty_file(path: Path) -> bool:
    """Whether ``path`` is a file of 0 bytes."""
    try:
        return path.is_file() and path.stat().st_size == 0
    except OSError:
        return False


def _not_a_mat_file(path: Path) -> bool:
    """Whether ``path`` (an EEGLAB ``.set``) starts with neither the text header of a MATLAB
    file (``MATLAB 5.0 MAT-file``; v7.3's ``MATLAB 7.3 MAT-file`` in its user block) nor
    HDF5's signature after a 512-byte user block; False where it cannot be read or is empty
    (said otherwise)."""
    try:
        with open(path, "rb") as f:
            head = f.read(528)
    except OSError:
        return False
    return bool(head) and not (head.startswith(b"MATLAB") or head[512:520] == b"\x89HDF\r\n\x1a\n")


#: The bytes of the header every MATLAB v5/v7 file opens with (a v7.3 file's user block
#: too): its text, ``MATLAB 5.0 MAT-file ...``, then its version and byte order.
_MAT_HEADER_BYTES = 128


def _mat_header_cut_short(path: Path) -> int | None:
    """The size in bytes of ``path`` (an EEGLAB ``.set``) where it ends inside the
    :data:`_MAT_HEADER_BYTES` of a MATLAB header (its first bytes those of ``MATLAB``), so
    SciPy fails with an ``IndexError`` or a ``MatReadError`` on it; None otherwise (empty,
    longer, unreadable, or other bytes: said otherwise)."""
    try:
        with open(path, "rb") as f:
            head = f.read(_MAT_HEADER_BYTES)
    except OSError:
        return None
    if not head or len(head) >= _MAT_HEADER_BYTES:
        return None
    return len(head) if head.startswith(b"MATLAB") or b"MATLAB".startswith(head) else None


def _has_no_common_infos(header: Path) -> bool:
    """Whether the BrainVision ``header`` lacks the ``[Common Infos]`` section (any case)
    every one holds, though not empty; False where it cannot be read (its reader's error then
    says why)."""
    try:
        with open(header, "rb") as f:
            text = f.read(1 << 16).decode("latin-1")
    except OSError:
        return False
    return bool(text) and re.search(r"^\s*\[common infos\]", text, re.I | re.M) is None


def read_failure_reason(path: Path, err: Exception) -> str:
    """Why MNE's reader failed on ``path`` with ``err``, in the user's terms (what follows
    "could not read EEG file PATH: "): a BrainVision header without its ``[Common Infos]``,
    a text table of samples, an unsupported file type (a NumPy ``.npy`` among them), an
    empty file (0 bytes), a FIF file cut short, a reader's error without a message, a
    file that ``path`` names that is missing, else the reader's own words (with the package
    that would read the file, where one is missing)."""
    formats = "formats MNE reads include .edf, .bdf, .gdf, .fif, .vhdr, .set, .cnt, .mff"
    if path.suffix.lower() == ".vhdr" and _has_no_common_infos(path):
        reason = (
            "its text has no [Common Infos] section, which every BrainVision header (.vhdr) "
            "opens with: the file is damaged or not a BrainVision header; give the .vhdr "
            "that the recorder wrote beside its .eeg and .vmrk"
        )
    elif path.suffix.lower() in _TEXT_TABLES and _looks_like_text_table(path):
        reason = _text_table_reason(path)  # a device's export, which MNE did not read
    elif "Unsupported file type" in str(err) and path.suffix.lower() == ".npy":
        reason = npy_reason(path)
    elif path.suffix.lower() == ".mat" and path.is_file():  # whatever MNE's reader raised
        reason = mat_reason(path)
    elif "Unsupported file type" in str(err):
        reason = f"unsupported file type {path.suffix!r} ({reader_text(err)}); {formats}"
    elif _empty_file(path):  # whatever the reader made of nothing (AttributeError, IndexError)
        reason = (
            "the file is empty (0 bytes): a copy or download cut short, or a recording "
            "whose writer stopped before writing anything; copy it again from the original"
        )
    elif path.suffix.lower() == ".set" and (size := _mat_header_cut_short(path)) is not None:
        reason = (
            f"it is cut short inside its MATLAB header ({count(size, 'byte')} of the "
            f"{_MAT_HEADER_BYTES} every MATLAB file that EEGLAB saves a .set as opens with): "
            "the file is damaged, a copy or download cut short; copy it again, or save it "
            "again in EEGLAB (pop_saveset)"
        )
    elif path.suffix.lower() == ".set" and str(err) == "could not read bytes":
        reason = (  # SciPy's words for a MATLAB file that ends inside a variable it reads
            "it is cut short (SciPy: could not read bytes: it ends inside a variable of the "
            "MATLAB file that EEGLAB saves a .set as): the file is damaged, a copy or "
            "download cut short; copy it again, or save it again in EEGLAB (pop_saveset)"
        )
    elif path.suffix.lower() == ".set" and _not_a_mat_file(path):
        reason = (
            "it is no MATLAB file (its first bytes are not those of MATLAB's v5/v7 files, "
            "'MATLAB 5.0 MAT-file', nor of v7.3's HDF5), which EEGLAB saves a .set as: the "
            "file is damaged or not an EEGLAB dataset; copy it again, or save it again in "
            "EEGLAB (pop_saveset)"
        )
    elif _fif_cut_short(path, err):
        reason = _fif_truncated(f"MNE: {reader_text(f'{type(err).__name__}: {err}')}")
    elif not str(err).strip():
        reason = (
            f"MNE's reader for {path.suffix or 'files without a suffix'!r} failed "
            f"({type(err).__name__}, no message): the file is damaged or not in the format "
            f"its name says; {formats}"
        )
    elif (missing := missing_file_reason(path, err)) is not None:
        reason = missing
    else:
        reason = reader_text(f"{type(err).__name__}: {err}") + _missing_reader_hint(err)
    return reason
