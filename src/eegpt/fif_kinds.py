"""FIF files that hold no recording: MNE's evoked (averaged), ICA, forward, inverse,
covariance, transform and projector files, electrode digitizations (montages), and the anatomy
of source modelling (BEM surfaces and solutions, source spaces, fiducials), told by name and
by their blocks.

An MNE-BIDS-Pipeline derivative folder holds them beside the recordings and epochs
(``*_ave.fif``, ``*_proc-ica_ica.fif``): read as recordings they fail in MNE's words ("Could
not find event data"). :func:`fif_kind` says which of them a file is: from its blocks where
its first tags tell (:func:`fif_kind_by_content`: a raw data block makes it a recording,
whatever its name), else from MNE's naming conventions (:func:`fif_kind_by_name`).
:func:`refuse_not_recording_fif` refuses one with what it is and how to use it,
:func:`info_text` is what ``eegpt info`` says of one, :func:`not_recording_note` is the one
note of a folder listing that leaves them out. No MNE, NumPy or torch: ``eegpt info`` and
listings use it.
"""

from __future__ import annotations

import gzip
import struct
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from eegpt._logging import count, few
from eegpt.errors import RecordingError
from eegpt.formats import PathLike

#: The kinds of FIF file that hold no recording: their name in messages, MNE's ending for
#: them (``-ave.fif``, ``_ave.fif``, also ``.fif.gz``; each MNE reader checks its own, with
#: ``mne.utils.check_fname``: MNE keeps no list of them) and the MNE function that reads one.
NOT_RECORDING_KINDS: dict[str, tuple[str, str, str]] = {
    "evoked": ("an evoked (averaged) file", "ave", "mne.read_evokeds"),
    "ica": ("an ICA decomposition file", "ica", "mne.preprocessing.read_ica"),
    "forward": ("a forward solution file", "fwd", "mne.read_forward_solution"),
    "inverse": ("an inverse operator file", "inv", "mne.minimum_norm.read_inverse_operator"),
    "covariance": ("a covariance file", "cov", "mne.read_cov"),
    "trans": ("a coordinate transform (trans) file", "trans", "mne.read_trans"),
    "projection": ("an SSP projector file", "proj", "mne.read_proj"),
    "bem": ("a BEM surfaces file", "bem", "mne.read_bem_surfaces"),
    "bem_solution": ("a BEM solution file", "bem-sol", "mne.read_bem_solution"),
    "source_space": ("a source space file", "src", "mne.read_source_spaces"),
    "fiducials": ("a fiducials file", "fiducials", "mne.io.read_fiducials"),
    "digitization": (
        "an electrode digitization (montage) file",
        "dig",
        "mne.channels.read_dig_fif",
    ),
}

#: The kinds that describe a head's anatomy (from its MRI), for source modelling
_ANATOMY = frozenset({"bem", "bem_solution", "source_space", "fiducials"})

#: Short names of the kinds, for a listing's note ("3 evoked, 3 ICA").
_SHORT = {
    "evoked": "evoked",
    "ica": "ICA",
    "forward": "forward",
    "inverse": "inverse",
    "covariance": "covariance",
    "trans": "trans",
    "projection": "projector",
    "bem": "BEM surfaces",
    "bem_solution": "BEM solution",
    "source_space": "source space",
    "fiducials": "fiducials",
    "digitization": "digitization (montage)",
}

# FIF block kinds (MNE's FIFF constants) that decide what a file holds, and the tags read
_BLOCK_START = 104  # FIFF_BLOCK_START: its data, one int, is the block's kind
_COORD_TRANS = 222  # FIFF_COORD_TRANS: a trans file is this tag alone, in no block
_RECORDING_BLOCKS = frozenset({102, 112, 119})  # raw, continuous, IAS raw data
_EPOCHS_BLOCKS = frozenset({373, 122})  # FIFFB_MNE_EPOCHS; 122, as MNE before 0.11 wrote them
_KIND_BLOCKS = {
    104: "evoked",  # FIFFB_EVOKED
    374: "ica",  # FIFFB_MNE_ICA
    352: "forward",  # FIFFB_MNE_FORWARD_SOLUTION
    356: "inverse",  # FIFFB_MNE_INVERSE_SOLUTION
    355: "covariance",  # FIFFB_MNE_COV
}
_PROJ_BLOCK = 313  # FIFFB_PROJ: also inside a recording's measurement info
_MEAS_BLOCK = 100  # FIFFB_MEAS: a projector file has none
_ISOTRAK_BLOCK = 107  # FIFFB_ISOTRAK: digitized points; a fiducials or montage file is this
_DIG_POINT = 213  # FIFF_DIG_POINT: one point, its data (kind, ident, r[3]) starting with its kind
_CARDINAL = 1  # FIFFV_POINT_CARDINAL: nasion, LPA, RPA; a fiducials file holds only these
_BEM_BLOCK = 310  # FIFFB_BEM: BEM surfaces, and a solution where these tags follow them
_BEM_SOLUTION_TAGS = frozenset({3110, 3111})  # FIFF_BEM_POT_SOLUTION, FIFF_BEM_APPROX
_SOURCE_SPACE_BLOCK = 351  # FIFFB_MNE_SOURCE_SPACE: also in forward and inverse files
_MAX_TAGS = 100_000  # a chain longer than this before a deciding block: left undecided
_FILE_ID = 100  # FIFF_FILE_ID: every FIF file begins with this tag (MNE refuses others)


def fif_kind_by_name(path: PathLike) -> str | None:
    """The kind (a key of :data:`NOT_RECORDING_KINDS`) that ``path`` is named as by MNE's
    conventions (``*-ave.fif``, ``*_ica.fif.gz``, ...); None for other names."""
    name = Path(path).name.lower()
    for kind, (_, ending, _) in NOT_RECORDING_KINDS.items():
        if name.endswith(tuple(f"{sep}{ending}{ext}" for sep in "-_" for ext in _EXTS)):
            return kind
    return None


_EXTS = (".fif", ".fif.gz")


def fif_kind_by_content(path: PathLike) -> str | None:
    """What the FIF file ``path`` holds, from its tag headers and block kinds (16 bytes and,
    at a block's start, 4 more per tag, until the first block that decides, else to the end
    of the chain; a file whose first tag is no FIF file id, 16 bytes in all): ``"recording"``
    (a raw data block), ``"epochs"``, a key of :data:`NOT_RECORDING_KINDS`, or None where
    its tags do not tell (no such block, not a FIF file, unreadable). A ``.fif.gz`` file is
    read through gzip."""
    path = Path(path)
    name = path.name.lower()
    if not name.endswith(_EXTS) or not path.is_file():
        return None
    try:
        if name.endswith(".gz"):
            with gzip.open(path, "rb") as packed:
                return _blocks_kind(packed)
        with open(path, "rb") as fh:
            return _blocks_kind(fh)
    except (OSError, EOFError, struct.error, gzip.BadGzipFile):
        return None


class _Readable(Protocol):
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def read(self, size: int = -1, /) -> bytes: ...


def _blocks_kind(fh: _Readable) -> str | None:
    """:func:`fif_kind_by_content` of an open FIF file: follows its chain of tags. A block
    that decides alone (raw data, epochs, evoked, ...) ends the walk; the others are told
    at the chain's end by what it held (:func:`_kind_at_end`)."""
    pos, blocks, tags = 0, set[int](), set[int]()  # kinds of the blocks and tags seen
    points = set[int]()  # kinds of the digitized points seen (FIFFV_POINT_*)
    for _ in range(_MAX_TAGS):
        fh.seek(pos)
        head = fh.read(16)
        if len(head) < 16:
            break
        kind, _, n_bytes, following = struct.unpack(">iIii", head)
        if pos == 0 and kind != _FILE_ID:
            return None  # no FIF file (zeros, another format): its bytes are no chain of tags
        if kind == _BLOCK_START and n_bytes >= 4:
            (block,) = struct.unpack(">i", fh.read(4))
            if block in _RECORDING_BLOCKS:
                return "recording"
            if block in _EPOCHS_BLOCKS:
                return "epochs"
            if block in _KIND_BLOCKS:
                return _KIND_BLOCKS[block]
            blocks.add(block)
        if kind in _BEM_SOLUTION_TAGS or kind == _COORD_TRANS:
            tags.add(kind)
        if kind == _DIG_POINT and n_bytes >= 4:
            (point,) = struct.unpack(">i", fh.read(4))
            points.add(point)
        nxt = pos + 16 + n_bytes if following == 0 else following
        if following == -1 or nxt <= pos:
            break
        pos = nxt
    else:
        return None  # too long a chain to follow: MNE's reader decides
    return _kind_at_end(blocks, tags, points)


def _kind_at_end(blocks: set[int], tags: set[int], points: set[int]) -> str | None:
    """The kind of a FIF file whose chain of tags held no block that decides alone, from
    the kinds of ``blocks`` and of ``tags`` (FIFF constants) seen in it and of its digitized
    ``points`` (``FIFFV_POINT_*``): a BEM block (with a solution or not), a source space
    block (a forward or inverse file, which hold one too, was told by its own block before
    the end), and, outside any measurement info, digitized points (fiducials where all are
    cardinal, nasion and ears, as ``mne.io.write_fiducials`` writes them; an electrode
    digitization, ``DigMontage.save``'s, where any is an EEG, HPI or extra point),
    projectors, a coordinate transform; None for others."""
    if _BEM_BLOCK in blocks:
        return "bem_solution" if tags & _BEM_SOLUTION_TAGS else "bem"
    if _SOURCE_SPACE_BLOCK in blocks:
        return "source_space"
    if _MEAS_BLOCK in blocks:
        return None
    if _ISOTRAK_BLOCK in blocks:
        return "digitization" if points - {_CARDINAL} else "fiducials"
    if _PROJ_BLOCK in blocks:
        return "projection"
    if _COORD_TRANS in tags:
        return "trans"
    return None


def fif_kind(path: PathLike) -> str | None:
    """The kind of FIF file that holds no recording ``path`` is (a key of
    :data:`NOT_RECORDING_KINDS`), or None: from its blocks where they tell
    (:func:`fif_kind_by_content`; a file of raw data or epochs is None whatever its name),
    else from its name (:func:`fif_kind_by_name`)."""
    content = fif_kind_by_content(path)
    if content in ("recording", "epochs"):
        return None
    return content or fif_kind_by_name(path)


def _advice(kind: str) -> str:
    """How to use a file of ``kind`` with eegpt: what to embed instead."""
    reader = NOT_RECORDING_KINDS[kind][2]
    if kind == "evoked":
        return (
            f"read it with {reader}(path) and embed the epochs it was averaged from (their "
            "*-epo.fif file), or, to embed the average itself as one epoch, in Python: evoked "
            "= mne.read_evokeds(path)[0]; model.embed(mne.EpochsArray(evoked.data[None], "
            "evoked.info, tmin=evoked.tmin)) (its bad channels left out, as for epochs)"
        )
    if kind == "digitization":
        return (
            f"it holds electrode positions, no EEG samples ({reader}(path) reads it): give a "
            "recording or epochs; give it to eegpt as a montage where the docs say so (the "
            "docs/montages.md, 'Nets without 10-10 names': eegpt.channels.nearest_rename("
            f"{reader}(path)) names a net's electrodes after their nearest 10-10 sites)"
        )
    if kind in _ANATOMY:
        return (
            f"it describes a head's anatomy for source modelling, made from an MRI, and holds "
            f"no EEG samples ({reader}(path) reads it): give a recording or epochs"
        )
    if kind == "ica":
        return (
            f"it holds the unmixing of a recording, no samples ({reader}(path) reads it): "
            "embed the cleaned recording or epochs (an MNE-BIDS-Pipeline writes "
            "*_proc-clean_epo.fif), or apply it first: ica.apply(raw), then raw.save(...)"
        )
    return (
        f"it holds no EEG samples ({reader}(path) reads it): give the recording or epochs "
        "it was computed from"
    )


def not_recording_text(path: PathLike, kind: str) -> str:
    """The error for ``path``, a FIF file of ``kind`` (a key of :data:`NOT_RECORDING_KINDS`)
    given as a recording."""
    what = NOT_RECORDING_KINDS[kind][0]
    return (
        f"{path} is {what}, not a recording: eegpt embeds continuous recordings or epochs; "
        f"{_advice(kind)}"
    )


def refuse_not_recording_fif(path: PathLike) -> None:
    """Refuse a FIF file that holds no recording (:func:`fif_kind`: evoked, ICA, forward,
    inverse, covariance, trans, projectors, BEM, source space, fiducials, an electrode
    digitization), saying what it is and what to embed instead.

    Raises
    ------
    RecordingError
        For such a file."""
    kind = fif_kind(path)
    if kind is not None:
        raise RecordingError(not_recording_text(path, kind))


def info_text(path: PathLike) -> str | None:
    """What ``eegpt info`` says of ``path`` when it is a FIF file that holds no recording
    (:func:`fif_kind`); None for any other file."""
    kind = fif_kind(path)
    if kind is None:
        return None
    what, _, reader = NOT_RECORDING_KINDS[kind]
    return (
        f"{path} is {what} (MNE reads it with {reader}), not a recording nor a checkpoint: "
        f"eegpt does not embed it (it embeds continuous recordings or epochs); {_advice(kind)}"
    )


def not_recording_kinds(paths: Sequence[Path]) -> dict[Path, str]:
    """The FIF files among ``paths`` that hold no recording (:func:`fif_kind`), with their
    kinds; other files are not opened."""
    found = {}
    for path in paths:
        if path.name.lower().endswith(_EXTS):
            kind = fif_kind(path)
            if kind is not None:
                found[path] = kind
    return found


def not_recording_note(kinds: dict[Path, str], names: Sequence[str]) -> str:
    """The one note of a listing that left out the FIF files ``kinds`` (of
    :func:`not_recording_kinds`), named ``names`` (as the listing names them): how many, of
    which kinds, and some of their names."""
    counts = Counter(kinds.values())
    present = [k for k in NOT_RECORDING_KINDS if counts[k]]
    which = [f"{counts[k]} {_SHORT[k]}" for k in present]
    listed = ", ".join(which[:-1]) + " and " + which[-1] if len(which) > 1 else which[0]
    endings = ", ".join(f"*_{NOT_RECORDING_KINDS[k][1]}.fif" for k in present)
    return (
        f"left out {count(len(kinds), 'FIF file')} that hold no recording: MNE's {listed} "
        f"files (told by their blocks or names, {endings}); eegpt embeds continuous "
        f"recordings or epochs: {few(sorted(names), 5)}"
    )
