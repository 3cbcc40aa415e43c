"""The EEGPT channel vocabulary and the mapping of real-world channel names onto it.

EEGPT gives every electrode a learned embedding, looked up by the electrode's row in a fixed
62-name vocabulary (:data:`VOCABULARY`). Recordings name their channels in many ways
(``Fp1``, ``EEG FP1-REF``, ``Fc5.``, ``T3``), so :func:`normalize_channel_name` turns one
messy name into a vocabulary name, and :func:`map_channels` turns a recording's channel list into
a :class:`ChannelMapping`: which input channels are kept, in which order, and which embedding row
each one gets. A channel that cannot be identified is dropped with a warning; it is never given
another channel's embedding.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import shlex
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from eegpt._logging import few
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._methods import function_method
from eegpt.errors import DuplicateChannelsError, NoChannelMappedError

if TYPE_CHECKING:
    import mne
    import numpy as np

    import eegpt.viz

__all__ = [
    "CHANNEL_INDEX",
    "PRETRAINING_CHANNELS",
    "PROBE_19_CHANNELS",
    "UNSEEN_IN_PRETRAINING",
    "VOCABULARY",
    "CAPS",
    "CHANNEL_SETS",
    "ChannelMapping",
    "RenameTable",
    "cap_rename",
    "map_channels",
    "nearest_rename",
    "normalize_channel_name",
    "read_rename_table",
    "write_rename_table",
]


# fmt: off
VOCABULARY: tuple[str, ...] = (
    "FP1", "FPZ", "FP2",
    "AF7", "AF3", "AF4", "AF8",
    "F7", "F5", "F3", "F1", "FZ", "F2", "F4", "F6", "F8",
    "FT7", "FC5", "FC3", "FC1", "FCZ", "FC2", "FC4", "FC6", "FT8",
    "T7", "C5", "C3", "C1", "CZ", "C2", "C4", "C6", "T8",
    "TP7", "CP5", "CP3", "CP1", "CPZ", "CP2", "CP4", "CP6", "TP8",
    "P7", "P5", "P3", "P1", "PZ", "P2", "P4", "P6", "P8",
    "PO7", "PO5", "PO3", "POZ", "PO4", "PO6", "PO8",
    "O1", "OZ", "O2",
)
"""The 62 EEGPT channel names; a name's position is its row in the channel-embedding table."""

PROBE_19_CHANNELS: tuple[str, ...] = (
    "FP1", "FP2", "F7", "F3", "FZ", "F4", "F8", "T7", "C3", "CZ",
    "C4", "T8", "P7", "P3", "PZ", "P4", "P8", "O1", "O2",
)
"""The 19-channel (10-20) montage of the original linear-probe experiments."""
# fmt: on

CHANNEL_INDEX: dict[str, int] = {name: i for i, name in enumerate(VOCABULARY)}
"""Vocabulary name -> row of the channel-embedding table."""

UNSEEN_IN_PRETRAINING: tuple[str, ...] = ("AF7", "AF8", "PO5", "PO6")
"""Vocabulary channels absent from every pretraining dataset (their embeddings are untrained)."""

PRETRAINING_CHANNELS: tuple[str, ...] = tuple(
    name for name in VOCABULARY if name not in UNSEEN_IN_PRETRAINING
)
"""The 58 channels seen during pretraining, in vocabulary order."""

CHANNEL_SETS: dict[str, tuple[str, ...]] = {"10-20": PROBE_19_CHANNELS}
"""Built-in sets of vocabulary channels for ``keep=`` (:func:`map_channels`; command line
``--keep-channels 10-20``): ``"10-20"`` is the 19 electrodes of the 10-20 system under their
10-10 names (T7/T8/P7/P8 for T3/T4/T5/T6)."""


def kept_channels(keep: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """``keep`` as the vocabulary names it stands for, in vocabulary order (so that two
    spellings or orders of one set are recorded alike); None for None.

    ``keep`` is a list of items, or one string of them separated by commas, applied left to
    right: a built-in set's name (:data:`CHANNEL_SETS`, any case, with or without ``-``)
    adds its channels, a name in any spelling that normalises (``"Fp1"``, ``"T3"``) adds
    that channel, and either with ``-`` before it removes them: ``"10-20,Oz"`` is the 10-20
    set and Oz, ``"10-20,-C3"`` (or ``["10-20", "-C3"]``) the 10-20 set without C3.

    Raises
    ------
    ValueError
        For a name that is no vocabulary electrode (with the one it may be a misspelling of),
        an unknown set's name, or no channel left.
    """
    if keep is None:
        return None
    items = keep.split(",") if isinstance(keep, str) else list(keep)
    odd = [item for item in items if not isinstance(item, str)]
    if odd:
        raise ValueError(f"channels to keep are names (str), got {odd!r}")
    items = [item.strip() for item in items if item.strip()]
    sets = {_cap_key(name): members for name, members in CHANNEL_SETS.items()}
    wanted: set[str] = set()
    unknown: list[str] = []
    for item in items:
        remove = item.startswith("-") and len(item) > 1
        name = item[1:].strip() if remove else item
        members = sets.get(_cap_key(name))
        canonical = normalize_channel_name(name)
        if members is not None:
            change = set(members)
        elif canonical is not None:
            change = {canonical}
        else:
            unknown.append(item)
            continue
        wanted = wanted - change if remove else wanted | change
    set_like = [item for item in unknown if re.fullmatch(r"[-\d\s_]+", item)]
    if set_like:
        raise ValueError(
            f"keep: {set_like} is no built-in channel set (known: {', '.join(CHANNEL_SETS)}); "
            "give a set, vocabulary names or both, e.g. keep=['10-20', 'Oz'] (command line: "
            "--keep-channels 10-20,Oz)"
        )
    if unknown:
        raise ValueError(
            f"channel(s) to keep {unknown} are not EEGPT vocabulary names (see "
            "eegpt.channels.VOCABULARY) nor built-in sets (known: "
            f"{', '.join(CHANNEL_SETS)})." + vocabulary_hint(item.lstrip("-") for item in unknown)
        )
    if not wanted:
        raise ValueError(
            f"keep={keep!r} names no channel: give a set or vocabulary names (a name after "
            "'-' removes it from those before), or keep=None for all"
        )
    return tuple(name for name in VOCABULARY if name in wanted)


# How to map or drop a channel, in Python and on the command line (error messages say both).
_HOW_TO_MAP = "rename={input_name: vocabulary_name} (command line: --rename 'NAME=VOCAB')"


def how_to_drop(names: Sequence[str], merged: bool = False) -> str:
    """How to leave these channels out, in Python and on the command line:
    ``rename={'F4': None}; command line: --drop F4`` (``merged``: a rename is in use already,
    so the entries are to be added to it)."""
    python = ", ".join(f"{name!r}: None" for name in names)
    command = " ".join(f"--drop {shlex.quote(name)}" for name in names)
    where = f"add {python} to rename" if merged else f"rename={{{python}}}"
    return f"{where}; command line: {command}"


#: Built-in label tables, with the number of electrodes: caps whose files name channels by
#: socket (BioSemi: ``A1``..``A32``, ``B1``..``B32``), whose socket -> electrode table is MNE's
#: standard montage of the same name (channels listed in socket order), and the labels of a
#: public dataset's files (``"bci-iv-2a"``: BCI Competition IV 2a's GDF files, ``EEG-Fz``,
#: ``EEG-0`` ... ``EEG-16``, :data:`_DATASET_TABLES`).
CAPS: dict[str, int] = {"biosemi32": 32, "biosemi64": 64, "bci-iv-2a": 22}

#: The label tables of :data:`CAPS` that are no MNE montage. BCI Competition IV 2a's GDF files
#: label 6 of the 22 electrodes by name (``EEG-Fz``) and number the others in the order of the
#: dataset's description (``EEG-0`` is FC3 ... ``EEG-16`` is POz).
_DATASET_TABLES: dict[str, dict[str, str]] = {
    "bci-iv-2a": {
        "EEG-Fz": "Fz", "EEG-0": "FC3", "EEG-1": "FC1", "EEG-2": "FCz", "EEG-3": "FC2",
        "EEG-4": "FC4", "EEG-5": "C5", "EEG-C3": "C3", "EEG-6": "C1", "EEG-Cz": "Cz",
        "EEG-7": "C2", "EEG-C4": "C4", "EEG-8": "C6", "EEG-9": "CP3", "EEG-10": "CP1",
        "EEG-11": "CPz", "EEG-12": "CP2", "EEG-13": "CP4", "EEG-14": "P1", "EEG-Pz": "Pz",
        "EEG-15": "P2", "EEG-16": "POz",
    },
}  # fmt: skip

_SOCKET = re.compile(r"^[A-H]([1-9]|[12][0-9]|3[0-2])$")
_EGI = re.compile(r"^E[1-9][0-9]{0,2}$")  # EGI HydroCel electrode numbers E1..E256


_DROP_WORDS = ("", "-", "none", "null", "drop")

_NEAREST = "nearest 10-10 sites to"  # how the source of a nearest_rename table starts
# the distance write_rename_table notes after an entry of a table made from positions
_DISTANCE_NOTE = re.compile(r"\s# (\d+(?:\.\d+)?) mm\s*$")


def printable_name(name: str) -> str:
    """``name`` with characters that do not print (a control byte a header decoded as
    Latin-1, ``"EEG Fpz\x96Cz"``) written as escapes, as Python and bash ``$'...'`` read
    them: what a table shows and what can be typed back."""
    return name if name.isprintable() else name.encode("unicode_escape").decode("ascii")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: 2 for East-Asian wide and full-width characters
    (``"Ｆｐ１"`` is 6), 0 for combining marks and other zero-width characters (format
    characters, ``"e\u0301"`` is 1), 1 for the others."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("F", "W") else 1
    return width


def padded(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` terminal columns (:func:`display_width`),
    as ``text.ljust(width)`` is for text of narrow characters only."""
    return text + " " * max(0, width - display_width(text))


def typed_name(name: str) -> str:
    """A channel name as typed on a command line or in a table: bytes that were not UTF-8
    (Python holds them as surrogate escapes, ``"\udc96"``) as the Latin-1 characters MNE
    reads from headers (``"\x96"``), and the escapes :func:`printable_name` shows
    (``\x96`` typed as four characters) as those characters, so ``--rename 'EEG
    Fpz\x96Cz=Fpz'`` (or ``$'...'`` in bash) finds the channel."""
    name = re.sub("[\udc80-\udcff]", lambda m: chr(ord(m.group()) - 0xDC00), name)
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), name)


class RenameTable(dict):
    """A ``rename`` that describes a cap or a lab's labels rather than one recording: the
    tables of :func:`read_rename_table` and :func:`cap_rename` (``rename="FILE"`` or a cap's
    name too). :func:`map_channels` uses the entries naming the recording's channels and
    ignores the others (a recording of some of the cap's channels, ``epochs.pick([...])``), but
    refuses a table of which no label names a channel (the wrong table, or misspelt labels).
    Wrap a dict of your own to use it so: ``RenameTable({"EEG 1": "Fp1", ...})``.

    ``own`` are keys given one by one beside the table (``--rename FILE --rename X=C3``),
    which must each name a channel. ``source`` names the table in messages: a cap's name
    (``"bci-iv-2a"``) or a file's path, as :func:`cap_rename` and :func:`read_rename_table`
    set it; None for a table of one's own. ``distances_mm`` (label -> mm) are how far each
    label's electrode lies from the site it is renamed to, for tables made from positions
    (:func:`nearest_rename`, which also sets ``call``: the Python that gives the table).
    ``net`` says that the table lists every electrode of one net, for such tables (read back
    from a file too): what the net is (``"nearest 10-10 sites to GSN-HydroCel-65_1.0 (≤ 20
    mm)"``), for :func:`check_net_table`.
    """

    # (a table pickled by an earlier eegpt has none of these)
    source: str | None = None
    distances_mm: Mapping[str, float] = MappingProxyType({})
    call: str | None = None
    net: str | None = None

    def __init__(
        self,
        entries: Any = (),
        own: Iterable[str] = (),
        source: str | None = None,
        distances_mm: Mapping[str, float] | None = None,
        call: str | None = None,
        net: str | None = None,
    ) -> None:
        super().__init__(entries)
        self.own = frozenset(own)
        self.source = source
        self.distances_mm = dict(distances_mm or {})
        self.call = call
        self.net = net

    def copy(self) -> RenameTable:
        return RenameTable(self, self.own, self.source, self.distances_mm, self.call, self.net)

    @property
    def code(self) -> str:
        """Python that gives this table, for messages: ``eegpt.channels.cap_rename('biosemi64')``,
        ``eegpt.channels.read_rename_table('caps/lab.tsv')``, or ``TABLE`` for one's own."""
        if self.call:
            return self.call
        if self.source in CAPS:
            return f"eegpt.channels.cap_rename({self.source!r})"
        return f"eegpt.channels.read_rename_table({self.source!r})" if self.source else "TABLE"

    def for_channels(self, names: Sequence[str]) -> dict[str, str | None]:
        """The entries whose key is one of ``names`` and the ``own`` ones; all of them when no
        table key is among ``names``, for :func:`map_channels` to refuse with its spelling
        help."""
        present = {key: value for key, value in self.items() if key in names or key in self.own}
        if any(key in names for key in present if key not in self.own):
            return present
        return dict(self)


def read_rename_table(path: str | os.PathLike) -> RenameTable:
    """A ``rename`` table from a file, for a cap whose socket labels no built-in table
    (:func:`cap_rename`) names, or a lab's own labels.

    Formats: JSON (an object ``{"label": "electrode", ...}``, ``null`` to drop), or text with
    one channel per line, its label and its electrode separated by a tab, a comma or ``=``
    (``.tsv``, ``.csv``, ``.txt``; a first line whose electrode column names no electrode is
    a heading, such as ``channel,electrode``, and skipped; ``#`` at a line's start or after a
    space starts a comment, so ``Ch#6`` is a label; a comment ``# 12.3 mm`` ending an entry,
    as :func:`write_rename_table` writes them, is read as its distance, mm, into
    ``distances_mm``). An empty electrode, ``-``,
    ``none`` or ``drop`` leaves the channel out (as ``None``). Electrodes are checked where
    the table is used (:func:`map_channels`): EEGPT vocabulary names, or other 10-05
    electrodes, which are dropped with a warning that names them.

    On the command line: ``--rename FILE``. The table may name more channels than a recording
    has (:class:`RenameTable`).

    Raises
    ------
    ValueError
        Naming the file and the line that is not such an entry, or a label given twice.
    """
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # labels copied from a header: Latin-1, as MNE decodes them
        text = raw.decode("latin-1")
    if path.suffix.lower() == ".json":

        def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            twice = [k for k, n in Counter(k for k, _ in pairs).items() if n > 1]
            if twice:
                raise ValueError(f"rename table {path}: {twice[0]!r} is given twice")
            return dict(pairs)

        try:
            table = json.loads(text, object_pairs_hook=unique)
        except json.JSONDecodeError as err:
            raise ValueError(f"rename table {path}: not valid JSON: {err}") from err
        if not isinstance(table, dict) or not all(
            isinstance(v, str) or v is None for v in table.values()
        ):
            raise ValueError(
                f"rename table {path}: a JSON table is one object of label -> electrode "
                '(or null to drop), e.g. {"A1": "Fp1", "EXG1": null}'
            )
        return RenameTable({typed_name(str(k).strip()): None if v is None
                            or v.strip().lower() in _DROP_WORDS else v.strip()
                            for k, v in table.items()}, source=str(path))  # fmt: skip
    out: dict[str, str | None] = {}
    distances: dict[str, float] = {}  # write_rename_table's "# 12.3 mm" after an entry
    lines = text.splitlines()
    # the first line of write_rename_table's file of a nearest_rename table names its net
    net = lines[0][2:].strip() if lines and lines[0].startswith(f"# {_NEAREST} ") else None
    for number, line in enumerate(lines, 1):
        mm = _DISTANCE_NOTE.search(line)
        # a comment starts a line or follows a space ("Ch#6" is a label); a tab may end the
        # line: an empty electrode
        line = re.sub(r"(^|\s)#.*$", "", line).strip(" \r\n")
        if not line.strip():
            continue
        sep = next((c for c in ("\t", ",", "=") if c in line), None)
        if sep is None:
            raise ValueError(
                f"rename table {path}, line {number}: {line!r} is not 'label<TAB>electrode' "
                "(or separated by ',' or '='; an empty electrode drops the channel)"
            )
        label, target = (part.strip().strip('"') for part in line.split(sep, 1))
        electrode = normalize_channel_name(target) is not None or is_other_electrode(target)
        if not out and not electrode and target.lower() not in _DROP_WORDS:
            _log(f"rename table {path}: line {number} ({line!r}) taken as its heading")
            continue  # a heading ("channel,electrode", "in,out")
        if not label:
            raise ValueError(f"rename table {path}, line {number}: no channel label")
        label = typed_name(label)
        if label in out:
            raise ValueError(f"rename table {path}, line {number}: {label!r} is given twice")
        out[label] = None if target.lower() in _DROP_WORDS else target
        if mm and out[label] is not None:
            distances[label] = float(mm[1])
    if not out:
        raise ValueError(f"rename table {path} holds no entries")
    return RenameTable(out, source=str(path), distances_mm=distances, net=net)


def cap_rename(cap: str) -> RenameTable:
    """The ``rename`` that gives a cap's socket labels their 10-10 names (or a dataset's labels,
    ``"bci-iv-2a"``, theirs).

    BioSemi recordings often keep the labels of the amplifier's sockets (``A1``..``A32``, then
    ``B1``..``B32``) instead of electrode names; which electrode sits in which socket depends on
    the cap. For BioSemi's 32- and 64-electrode caps this returns ``{"A1": "Fp1", ...}``; the
    cap's electrodes outside the EEGPT vocabulary (``P9``, ``Iz``, ``AFz``, ``P10`` on the 64
    cap) keep their names and are dropped with the warning that names them. The cap cannot be
    told from the labels (a 32- and a 64-electrode recording both start at ``A1``), so it is
    never guessed: pass the result, or just the cap's name, as ``rename=`` (merged with your
    own entries, which win: ``{**cap_rename("biosemi64"), "A5": None}``); on the command
    line, ``--rename biosemi64``. A recording with sockets the table lacks (``biosemi32`` on a
    64-electrode recording) is refused by :func:`map_channels`; one with fewer of the cap's
    channels (some picked) is mapped by the labels it has (:class:`RenameTable`), unless it
    lacks a whole bank of them: ``A1``..``A20`` alone may as well be of the 32-electrode cap,
    so ``biosemi64`` is refused there; give the table's entries for the recording's channels
    to say the cap is the 64-electrode one (``{k: v for k, v in
    cap_rename("biosemi64").items() if k in raw.ch_names}``). These checks need 8 or more
    socket labels in the recording: fewer are mapped by whichever table is named. A recording
    whose labels are 10-10 names already (at least half of them vocabulary names, and too few
    socket-like labels for a socket-labelled file) is not given the table, with a warning: in
    a corpus of several systems, a clinical file's ear electrodes ``A1``/``A2`` stay ear
    electrodes (left out as usual) instead of becoming BioSemi's sockets Fp1 and AF7.

    ``"bci-iv-2a"`` names the 22 electrodes of BCI Competition IV 2a's GDF files (``EEG-Fz``,
    ``EEG-0`` ... ``EEG-16``; ``--rename bci-iv-2a``).

    Parameters
    ----------
    cap : ``"biosemi32"`` | ``"biosemi64"`` | ``"bci-iv-2a"``
        The cap or dataset (see :data:`CAPS`), in any case, with or without ``-``/``_``
        (``"BCI_IV_2a"``, ``"biosemi-64"``).

    Returns
    -------
    RenameTable
        Socket label -> electrode name (as MNE's montage spells it).
    """
    known = cap_name(cap)
    if known is None:
        raise ValueError(f"unknown cap {cap!r}; known caps: {', '.join(CAPS)}")
    cap = known
    if cap in _DATASET_TABLES:
        return RenameTable(_DATASET_TABLES[cap], source=cap)
    import mne

    electrodes = mne.channels.make_standard_montage(cap).ch_names
    sockets = [f"{bank}{i}" for bank in "ABCDEFGH" for i in range(1, 33)][: CAPS[cap]]
    if len(electrodes) != len(sockets):  # a changed MNE montage must not shift the sockets
        raise RuntimeError(
            f"MNE's {cap!r} montage has {len(electrodes)} channels, not {len(sockets)}"
        )
    return RenameTable(zip(sockets, electrodes, strict=True), source=cap)


# --------------------------------------------------------------------------------------------
# tables from positions: the nearest 10-10 site of each electrode
# --------------------------------------------------------------------------------------------


def egi_labels(names: Sequence[str]) -> list[str]:
    """The EGI electrode numbers (``E1`` .. ``E256``, any case, spaces around them) among
    ``names``, in their order."""
    return [name for name in names if _EGI.match(name.strip().upper())]


def _egi_montage(labels: Sequence[str]) -> str:
    """MNE's montage of the EGI HydroCel net whose electrode numbers ``labels`` (``E1``..)
    are, told by the highest number rather than by how many there are: a file of part of a
    net (``E2``, ``E4`` .. ``E120``) is of the larger net. The 32, 64, 128 and 256 electrode
    nets' montages add their reference (VREF, as ``Cz``), which a file may number ``E33``,
    ``E65``, ``E129`` or ``E257``: those numbers still belong to the smaller net."""
    highest = max(int(label.strip()[1:]) for label in labels)
    nets = ((33, "GSN-HydroCel-32"), (65, "GSN-HydroCel-65_1.0"), (129, "GSN-HydroCel-129"))
    return next((name for size, name in nets if highest <= size), "GSN-HydroCel-257")


def file_argument(source: str | None) -> str:
    """``source`` as a command line's argument (shell-quoted) where it is a file, so that a
    hint's command can be run as it is shown; ``FILE`` for data made in memory."""
    return shlex.quote(source) if source and Path(source).is_file() else "FILE"


def nearest_advice(net: str | None, source: str | None, table: str) -> str:
    """How to name the electrodes of a net or cap after their nearest 10-10 sites by MNE's
    montage ``net`` (None: by the recording's own positions): the commands for the recording
    ``source`` (its path where it is a file) that write, then use, the table file ``table``,
    and the Python that does the same."""
    montage = f" {net}" if net else ""
    return (
        f"`eegpt channels {file_argument(source)} --nearest{montage} --write-rename {table}`, "
        f"review the table, then pass --rename {table} (Python: "
        f"rename=eegpt.channels.nearest_rename({repr(net) if net else 'raw'}))"
    )


def egi_advice(labels: Sequence[str], source: str | None) -> str:
    """What to do with the EGI electrode numbers ``labels`` of ``source`` (a recording):
    name them after their nearest 10-10 sites by the layout of the net they number
    (:func:`_egi_montage`)."""
    net = _egi_montage(labels)
    return (
        "name each electrode after its nearest 10-10 site by the net's layout (MNE's "
        f"{net!r} montage, if that is the net): {nearest_advice(net, source, 'egi.tsv')}."
    )


def _biosemi_montage(n_sockets: int) -> str:
    """MNE's montage of the BioSemi cap of more than 64 electrodes with ``n_sockets`` sockets."""
    return next((f"biosemi{n}" for n in (128, 160) if n_sockets <= n), "biosemi256")


def _head_positions_mm(info: mne.Info) -> dict[str, np.ndarray]:
    """The EEG channels of ``info`` that have a position (bads too) -> that position, shape
    (3,), in mm in MNE's head frame (x to the right ear, y to the nasion, z up)."""
    import mne
    import numpy as np

    out = {}
    for i in mne.pick_types(info, eeg=True, exclude=[]):
        loc = info["chs"][i]["loc"][:3]
        if np.isfinite(loc).all() and np.any(loc):
            out[info["ch_names"][i]] = 1000.0 * loc
    return out


def _sphere_directions(points: np.ndarray, fit: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Unit vectors (n, 3) from the centre of the sphere fitted (least squares) to ``fit``
    (m, 3) towards ``points`` (n, 3), that sphere's radius, and the largest distance of a
    point of ``fit`` from it (the units of the points)."""
    import numpy as np

    solution = np.linalg.lstsq(np.c_[2 * fit, np.ones(len(fit))], (fit**2).sum(1), rcond=None)[0]
    centre = solution[:3]
    radius = float(np.sqrt(solution[3] + centre @ centre))
    residual = float(np.abs(np.linalg.norm(fit - centre, axis=1) - radius).max())
    rays = points - centre
    return rays / np.linalg.norm(rays, axis=1, keepdims=True), radius, residual


#: The largest distance (mm) of a source's electrodes from the sphere fitted to them for which
#: they are taken as an idealised cap on a sphere, compared with the spherical 10-10 layout.
_ON_SPHERE_MM = 1.0


def _standard_montage(name: str) -> mne.channels.DigMontage:
    """MNE's standard montage ``name``: any name ``mne.channels.make_standard_montage`` takes,
    the names MNE 1.13 replaced (``"standard_1005"``, now ``"colin27_1005"``) without their
    FutureWarning.

    Raises
    ------
    ValueError
        For a name MNE does not know, listing the EGI and BioSemi nets."""
    import warnings

    import mne

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return mne.channels.make_standard_montage(name)
    except ValueError:
        nets = [m for m in mne.channels.get_builtin_montages() if m.startswith(("GSN", "bio"))]
        raise ValueError(
            f"{name!r} is none of MNE's standard montages; EGI and BioSemi nets: {', '.join(nets)}"
        ) from None


@functools.cache
def _montage_positions_mm(name: str) -> dict[str, np.ndarray]:
    """The EEG positions of MNE's standard montage ``name`` (any name
    ``mne.channels.make_standard_montage`` takes, the old ``"standard_1005"`` too): label ->
    position, shape (3,), in mm in MNE's head frame (:func:`_head_positions_mm`)."""
    import mne

    montage = _standard_montage(name)
    info = mne.create_info(montage.ch_names, 1000.0, "eeg")
    info.set_montage(montage, verbose="error")
    return _head_positions_mm(info)


@functools.lru_cache(maxsize=2)
def _template_sites(on_sphere: bool = False) -> tuple[tuple[str, ...], np.ndarray, float]:
    """The vocabulary's sites: their names as montages spell them, their unit vectors (62, 3)
    from the centre of the sphere fitted to them, and its radius in mm.

    ``on_sphere``: the idealised layout of caps on a sphere, as MNE's ``"biosemi64"`` (and
    ``"biosemi16"``..``"biosemi256"``, ``"easycap-M1"``, ``"brainproducts-RNP-BA-128"``) place
    them, radius 95 mm, T7/Fpz/Oz on the equator; else the 10-05 sites of MNE's template head
    (``"colin27_1005"``, called ``"standard_1005"`` before MNE 1.13), a real head whose Cz
    lies about 7.5 degrees in front of its sphere's top, for realistic positions (EGI nets,
    digitisations)."""
    import mne
    import numpy as np

    if on_sphere:
        positions = {n.upper(): p for n, p in _montage_positions_mm("biosemi64").items()}
    else:
        name = "colin27_1005"
        if name not in mne.channels.get_builtin_montages():
            name = "standard_1005"
        positions = {n.upper(): p for n, p in _montage_positions_mm(name).items()}
    known = [name for name in VOCABULARY if name in positions]
    points = np.array([positions[name] for name in known])
    units, radius, _ = _sphere_directions(points, points)
    by_name = dict(zip(known, units, strict=True))
    # biosemi64 holds 60 of the 62 sites (no ideal-sphere montage of MNE has PO5/PO6): they
    # are put halfway between their neighbours on the PO row, PO3-PO7 and PO4-PO8 (the
    # normalised mean of the two directions)
    for site, (a, b) in {"PO5": ("PO3", "PO7"), "PO6": ("PO4", "PO8")}.items():
        if site not in by_name:
            mean = by_name[a] + by_name[b]
            by_name[site] = mean / np.linalg.norm(mean)
    units = np.array([by_name[name] for name in VOCABULARY])
    return tuple(map(montage_spelling, VOCABULARY)), units, radius


def _digitised_head_mm(info: mne.Info) -> np.ndarray:
    """The head-shape points digitised with ``info``'s recording (dig kind ``extra``, as MEG
    files carry), shape (n, 3), in mm in the head frame; (0, 3) where there are none."""
    import numpy as np
    from mne.io.constants import FIFF

    points = [
        1000.0 * np.asarray(d["r"])
        for d in info["dig"] or ()
        if d["kind"] == FIFF.FIFFV_POINT_EXTRA and d["coord_frame"] == FIFF.FIFFV_COORD_HEAD
    ]
    return np.array(points).reshape(-1, 3)


def _known_montage_points(positions: Mapping[str, np.ndarray]) -> np.ndarray | None:
    """All positions (n, 3) of the first of MNE's standard montages that has every label of
    ``positions`` at the same place (within 1 mm): a recording of some of a net's electrodes
    with the net's montage set; None where there is none."""
    import mne
    import numpy as np

    for name in mne.channels.get_builtin_montages():
        full = _montage_positions_mm(name)
        if len(full) > len(positions) and all(
            label in full and np.linalg.norm(full[label] - position) <= 1.0
            for label, position in positions.items()
        ):
            return np.array(list(full.values()))
    return None


def _partial_coverage(points: np.ndarray, radius: float) -> str:
    """Why the sphere fitted to ``points`` (n, 3; mm, head frame) of ``radius`` mm is
    uncertain: a side of the head (more than 40 mm left, right, in front of or behind the
    origin, between the ears) without a point, or a radius outside 75-115 mm; ``""`` when
    the points cover the head."""
    sides = {
        "left": points[:, 0] < -40, "right": points[:, 0] > 40,
        "front": points[:, 1] > 40, "back": points[:, 1] < -40,
    }  # fmt: skip
    empty = [side for side, there in sides.items() if not there.any()]
    if empty:
        return f"none of them lies on the {' or '.join(empty)} of the head"
    if not 75.0 <= radius <= 115.0:
        return f"the sphere fitted to them has a radius of {radius:.0f} mm, not 75-115 mm"
    return ""


def _source_directions(
    info: mne.Info, positions: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, bool, str]:
    """Unit vectors (n, 3) from the centre of the source's sphere towards its electrodes
    (``positions``, mm, head frame), whether they lie on a sphere (within
    :data:`_ON_SPHERE_MM`: an idealised cap), and why that sphere is uncertain (``""`` when
    it is not: :func:`_partial_coverage`).

    The sphere is fitted to the points of the whole head where they are known: the full
    standard montage the electrodes' positions come from (:func:`_known_montage_points`), else
    the electrodes and the head-shape points digitised with them
    (:func:`_digitised_head_mm`), else the electrodes alone; of these, those above the plane
    of the nasion and ear points (z > 0; all of them when fewer than 8 are), so a net's face
    and neck electrodes do not pull the sphere down."""
    import numpy as np

    points = np.array(list(positions.values()))
    full = _known_montage_points(positions)
    if full is None:
        full = np.r_[points, _digitised_head_mm(info)]
    upper = full[full[:, 2] > 0]
    fit = upper if len(upper) >= 8 else full
    units, radius, residual = _sphere_directions(points, fit)
    on_sphere = len(fit) >= 8 and residual <= _ON_SPHERE_MM
    return units, on_sphere, _partial_coverage(fit, radius)


def nearest_rename(
    source: mne.io.BaseRaw | mne.BaseEpochs | mne.Info | mne.channels.DigMontage | str,
    *,
    max_distance_mm: float = 20.0,
    exclude: Iterable[str] | str = (),
    verbose: bool | str | None = None,
) -> RenameTable:
    """A ``rename`` table that names each positioned EEG electrode after its nearest 10-10
    site of the vocabulary: for nets and caps without 10-10 names (EGI's ``E1``..``E256``,
    BioSemi's 128 sockets, the ``EEG001``.. of a MEG+EEG recording).

    Each vocabulary site gets at most one electrode, no farther than ``max_distance_mm``: the
    pairs minimise the sum over the 62 sites of their electrode's distance, a site without one
    counting as ``max_distance_mm`` (:func:`scipy.optimize.linear_sum_assignment`), so a site
    is left empty rather than given a far electrode whose nearer site then goes to another.
    An electrode left without a site is in the table as ``None``: left out on purpose, so the
    table lists the whole net, and a socket table of it passes :func:`map_channels`' check
    that every socket is named. So is an EEG channel of a recording that has no position
    (warned about). Review the
    table before use (:func:`write_rename_table` writes it with the distances): it is a
    geometric guess, not a manufacturer's equivalence. An electrode that has a vocabulary
    name but gets another site (or none) is warned about: its positions are probably wrong.

    Distance: the great-circle distance, in mm, between the directions of the electrode and
    the site, each seen from the centre of the sphere fitted to its own set, on the sphere of
    the sites (radius about 95 mm): head size and the frames' origins do not count. The sites
    are those of one of two templates, chosen by the source's shape. Electrodes that lie on a
    sphere (within 1 mm: MNE's ``"biosemi16"``..``"biosemi256"``, ``"easycap-M1"`` and other
    idealised caps) are compared with the spherical 10-10 layout of those caps (MNE's
    ``"biosemi64"``, PO5/PO6 halfway along the PO row), so that BioSemi 128's A1 is Cz at 0
    mm; others (EGI nets, digitisations: real heads) with the 10-05 sites of MNE's template
    head (``"colin27_1005"``, ``"standard_1005"`` before MNE 1.13), whose Cz lies about 7.5
    degrees in front of the top of its sphere: idealised positions compared with it would be
    shifted by up to a ring of sites.

    The source's sphere is fitted to the whole head where its points are known: the full
    standard montage that the electrodes' positions come from (a recording of some of a net's
    channels, with the net's montage), else the electrodes with the head-shape points
    digitised with them (MEG files), else the electrodes alone; of these, the points above
    the plane of the nasion and ear points (head frame z > 0; all of them when fewer than 8
    are), so a net's face and neck electrodes do not pull the sphere down. Points that leave
    a side of the head empty (none more than 40 mm left, right, in front of or behind the
    head frame's origin) or give a radius outside 75-115 mm fit an uncertain sphere, which
    can shift every site by a ring: this is warned about.

    Parameters
    ----------
    source : mne.io.Raw | mne.Epochs | mne.Info | mne.channels.DigMontage | str
        EEG channels with positions (a montage set on them, or digitised), a montage, or the
        name of one of MNE's standard montages (``"GSN-HydroCel-129"``, ``"GSN-HydroCel-257"``,
        ``"biosemi128"``; ``mne.channels.get_builtin_montages()``, or any other name
        ``mne.channels.make_standard_montage`` takes, such as ``"standard_1005"``).
    max_distance_mm : float
        The farthest an electrode may lie from the site it is named after, in mm as above.
    exclude : iterable of str | str
        Electrodes to leave out (``--drop``; one label may be given as a str): in the table as
        None, their sites offered to the others. Their positions still count for the sphere.
    verbose : bool | str | None
        If True (or ``"info"``), log the table (:func:`nearest_summary`) at INFO level.

    Returns
    -------
    RenameTable
        Electrode label -> site (as montages spell it, ``"Fp1"``) or None, in the source's
        order; ``distances_mm`` holds each named electrode's distance to its site.

    Raises
    ------
    ValueError
        For an unknown montage name, or a source whose EEG channels have no positions.
    """
    import mne
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    what, given = "a montage", "montage"  # what messages call the source; its Python name
    if isinstance(source, str):
        what, given = source, repr(source)
        source = _standard_montage(source)
    if isinstance(source, mne.channels.DigMontage):
        info = mne.create_info(source.ch_names, 1000.0, "eeg")
        info.set_montage(source, on_missing="ignore", verbose="error")
    elif (info := _mne_info(source)) is None:
        raise TypeError(f"nearest_rename takes an MNE Raw, Epochs, Info, DigMontage or a "
                        f"montage's name, not {type(source).__name__}")  # fmt: skip
    else:
        from eegpt.io import mne_source

        what = "<Info>" if source is info else mne_source(source)
        given = "raw"
    positions = _head_positions_mm(info)
    if len(positions) < 4:
        eeg = [info["ch_names"][i] for i in mne.pick_types(info, eeg=True, exclude=[])]
        net = _net_of(eeg)
        name = repr(net) if net else "NAME"
        where = "" if net else " (one of mne.channels.get_builtin_montages())"
        raise ValueError(
            f"{what}: {len(positions)} of its {len(eeg)} EEG channels have a position, too few "
            f"to find their nearest 10-10 sites. Give the montage of the net or cap instead"
            f"{where}: nearest_rename({name}), command line: --nearest {net or 'NAME'}; or "
            f"set it first (raw.set_montage({name}))."
        )
    labels = list(positions)
    units, on_sphere, uncertain = _source_directions(info, positions)
    if uncertain:
        egi = egi_labels(labels)
        # some of a net's electrodes: its size is told by the highest number, not the count
        net = _egi_montage(egi) if len(egi) >= 8 else _net_of(labels)
        name = repr(net) if net else "NAME"
        _warn(
            f"{what}: the {len(labels)} positioned electrodes do not cover the head "
            f"({uncertain}), so the sphere fitted to them, and the sites found from it, may "
            "be off by a ring of sites. Give the montage of the whole net or cap: "
            f"nearest_rename({name}), command line: --nearest {net or 'NAME'}; or set it on "
            f"the recording before picking channels (raw.set_montage({name}))."
        )
    sites, site_units, radius = _template_sites(on_sphere)
    distances = radius * np.arccos(np.clip(units @ site_units.T, -1.0, 1.0))  # (labels, 62)
    if isinstance(exclude, str):  # one label, not its characters
        exclude = [exclude]
    exclude = [label for label in dict.fromkeys(exclude) if label in positions]
    allowed = (distances <= max_distance_mm) & ~np.isin(labels, exclude)[:, None]
    rows, cols = linear_sum_assignment(np.where(allowed, distances, max_distance_mm))
    # a net's electrodes without a position (EGI numbers, BioSemi sockets) are in the table as
    # None: it lists the whole net (its ``net`` marker holds), so check_net_table still
    # refuses another net's table for this recording and passes this table for it; other
    # channels without one stay out of it, kept under their own names
    eeg = [info["ch_names"][i] for i in mne.pick_types(info, eeg=True, exclude=[])]
    unplaced = [label for label in eeg if label not in positions]
    of_net = set(egi_labels(eeg)) | set(_socket_labels(eeg))
    table: dict[str, str | None] = {
        label: None for label in eeg if label in positions or label in of_net
    }
    if unplaced:
        dropped = [label for label in unplaced if label in of_net]
        kept = [label for label in unplaced if label not in of_net]
        told = (
            "they are kept under their own names"
            if not dropped
            else "they are in the table as left out (None)"
            if not kept
            else f"{few(dropped, 6)} are in the table as left out (None), the others kept "
            "under their own names"
        )
        _warn(
            f"{what}: {few(unplaced, 6)} have no position, so no site is found for them: "
            f"{told}. To name them, set their positions (raw.set_montage(...)) first, or give "
            "them a site in the table yourself."
        )
    mm: dict[str, float] = {}
    for row, col in zip(rows, cols, strict=True):
        if allowed[row, col]:
            table[labels[row]] = sites[col]
            mm[labels[row]] = round(float(distances[row, col]), 1)
    limit = "" if max_distance_mm == 20.0 else f", max_distance_mm={max_distance_mm:g}"
    limit += f", exclude={exclude!r}" if exclude else ""
    source_text = f"{_NEAREST} {what} (≤ {max_distance_mm:g} mm)"
    result = RenameTable(
        table,
        source=source_text,
        distances_mm=mm,
        call=f"eegpt.channels.nearest_rename({given}{limit})",
        net=source_text,
    )
    sockets = set(_socket_labels(labels))  # bank C's "C3" is a socket, not the electrode
    holder = {normalize_channel_name(site): label for label, site in table.items() if site}
    moved = [
        f"{label} -> {site or 'none'}"
        for label, site in table.items()
        if label not in sockets
        and label not in exclude
        and label in positions  # (those without one are warned of above)
        and (own := normalize_channel_name(label)) is not None
        and normalize_channel_name(site or "") != own
        and not (  # an old name at the place of the new one (T3 at T7: standard_1005)
            own in holder and np.linalg.norm(positions[holder[own]] - positions[label]) < 1.0
        )
    ]
    if moved:
        _warn(
            f"{what}: {few(moved, 6)}: electrodes named as 10-10 sites lie nearest to other "
            "sites, so their positions are probably wrong (another cap's montage set on "
            "them?); check them (raw.plot_sensors(show_names=True)) before using the table."
        )
    _log(nearest_summary(result), verbose)
    return result


def check_net_table(table: Mapping[str, str | None], names: Sequence[str]) -> None:
    """Refuse a table that lists every electrode of a net (:attr:`RenameTable.net`: made by
    :func:`nearest_rename`) for a recording with labels in the style of the table's (EGI's
    ``E1``.., BioSemi's sockets) that the table lacks: another net's table, such as
    ``GSN-HydroCel-65_1.0``'s for a 129-electrode recording, which would rename its
    electrodes after the wrong sites. A reference labelled by the next number (``E129`` of a
    table with ``E1``..``E128`` and ``Cz``) is no such label. The other way round, a larger
    net's table for a recording that looks like a whole smaller net, is only warned about
    (:func:`_warn_smaller_net`): a recording may hold part of a net.

    Raises
    ------
    ValueError
        Naming the labels the table lacks and, for EGI labels, the net they look like.
    """
    net = getattr(table, "net", None)
    if not net:
        return
    numbers = [int(label[1:]) for label in table if _EGI.match(label)]
    reference = f"E{max(numbers) + 1}" if numbers else None
    styles = [(_EGI, bool(numbers)), (_SOCKET, bool(_socket_labels(list(table))))]
    lacking = [
        name
        for name in names
        if name not in table
        and name != reference
        and any(used and style.match(name) for style, used in styles)
    ]
    source = getattr(table, "source", None)
    what = f"{source} ({net})" if source and source != net else net
    if not lacking:
        _warn_smaller_net(numbers, names, what)
        return
    egi = egi_labels(names)
    guess = _egi_montage(egi) if egi else _net_of(names)
    instead = f" (--nearest {guess}; nearest_rename({guess!r}))" if guess else ""
    raise ValueError(
        f"the rename table ({what}) lists every electrode of its net, but not "
        f"{shortened_list(lacking, 8)} of the recording: it looks like another net's or cap's "
        f"table. Make the table from the montage of the net the data were recorded with"
        f"{instead}."
    )


def _warn_smaller_net(table_numbers: Sequence[int], names: Sequence[str], what: str) -> None:
    """Warn when a net table's EGI numbers (``table_numbers``) run past those of a recording
    that looks like a whole smaller net: every number ``E1`` up to its highest, which is a
    net's size (32, 64 or 128, or one more: its reference). Its electrodes would be named
    after the larger net's sites. Only a warning: a recording may hold part of a larger net."""
    numbers = {int(label.strip()[1:]) for label in egi_labels(names)}
    if not numbers or not table_numbers:
        return
    highest = max(numbers)
    electrodes = highest - 1 if highest in (33, 65, 129) else highest  # its reference aside
    whole = electrodes in (32, 64, 128) and set(range(1, electrodes + 1)) <= numbers
    if not whole or max(table_numbers) <= highest + 1:
        return
    net = _egi_montage([f"E{highest}"])
    _warn(
        f"the rename table ({what}) is of a net with electrodes up to E{max(table_numbers)}, "
        f"but the recording's E1..E{electrodes} look like the whole of a smaller net ({net}), "
        "whose electrodes lie elsewhere than the larger net's of the same numbers. If the "
        f"recording is of that net, make the table from its montage (--nearest {net}; "
        f"nearest_rename({net!r})); if it holds part of the larger net's channels, the table "
        "is right."
    )


def positions_note(info: mne.Info, names: Sequence[str], source: str) -> str:
    """A sentence for a recording none of whose channel ``names`` maps (``EEG001``.. of a
    MEG+EEG file) when 4 or more of them have positions in ``info``: how to name them after
    their nearest 10-10 sites; ``""`` otherwise, or where :func:`_cap_note` has a hint."""
    positioned = [name for name in names if name in _head_positions_mm(info)]
    if len(positioned) < 4 or _cap_note(names, source):
        return ""
    return (
        f" {len(positioned)} of them have positions (a montage or digitisation): name each "
        f"after its nearest 10-10 site, {nearest_advice(None, source, 'nearest.tsv')}."
    )


def _net_of(names: Sequence[str]) -> str | None:
    """MNE's montage of the EGI net or BioSemi cap of more than 64 electrodes that ``names``
    look like the labels of (:func:`_cap_note`'s rules), else None."""
    egi = egi_labels(names)
    if len(egi) >= 8 and len(egi) >= len(names) / 2:
        return _egi_montage(egi)
    sockets = _socket_labels(names)
    return _biosemi_montage(len(sockets)) if len(sockets) > 64 else None


def nearest_summary(table: RenameTable) -> str:
    """A table of :func:`nearest_rename` as lines to read: its source, then each electrode's
    site and distance (``E36 -> C3  8.3 mm``), the electrodes left without a site and the
    vocabulary sites no electrode took."""
    named = {label: site for label, site in table.items() if site is not None}
    width = max(map(display_width, map(printable_name, named)), default=0)
    lines = [f"{table.source}: {len(named)} of {len(table)} electrodes named"]
    lines += [
        f"  {padded(printable_name(label), width)} -> {site:<4} {table.distances_mm.get(label, float('nan')):5.1f} mm"
        for label, site in named.items()
    ]
    left = [printable_name(label) for label, site in table.items() if site is None]
    if left:
        lines.append(f"  no site within reach (left out): {shortened_list(left, 20)}")
    free = [site for site in map(montage_spelling, VOCABULARY) if site not in named.values()]
    if free:
        lines.append(f"  vocabulary sites without an electrode: {', '.join(free)}")
    return "\n".join(lines)


def write_rename_table(table: Mapping[str, str | None], path: str | os.PathLike) -> Path:
    """Write a ``rename`` table as text that :func:`read_rename_table` reads back
    (``--rename FILE``): one ``label<TAB>electrode`` a line (an empty electrode: left out),
    with the distance of a :func:`nearest_rename` table as a comment (``# 12.3 mm``) and the
    table's net (:attr:`RenameTable.net`, kept through a file read back and written again)
    and source as first comment lines. Returns the path.

    Raises
    ------
    ValueError
        For a ``.json`` path (the file is tab-separated text: ``.tsv``), or a label that would
        not read back (a tab in it, a ``#`` at its start or after a space, spaces around it).
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        raise ValueError(f"{path}: a rename table is written as tab-separated text; name it .tsv")
    distances = getattr(table, "distances_mm", {})
    source, net = getattr(table, "source", None), getattr(table, "net", None)
    # the net first, as read_rename_table reads it back (a table read from a file has the
    # file as its source), then a source of another name
    lines = [f"# {text}" for text in dict.fromkeys([net, source]) if text]
    lines.append("# label<TAB>electrode (empty: left out); use: --rename FILE")
    for label, site in table.items():
        if "\t" in label or re.search(r"(^|\s)#", label) or label != label.strip():
            raise ValueError(f"{path}: the label {label!r} would not read back from a table file")
        note = f"\t# {distances[label]:.1f} mm" if label in distances and site else ""
        lines.append(f"{printable_name(label)}\t{site or ''}{note}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rename_table(
    rename: Mapping[str, str | None] | str | os.PathLike | None,
) -> dict[str, str | None]:
    """A ``rename`` argument as the table it stands for: a copy of a dict (a
    :class:`RenameTable` stays one), ``{}`` for None, the socket table of a cap's name
    (:func:`cap_rename`), the table of a file (:func:`read_rename_table`); the tables of names
    and files are :class:`RenameTable`: they may name channels a recording lacks."""
    if isinstance(rename, (str, os.PathLike)):
        if isinstance(rename, str) and rename in CAPS:
            return cap_rename(rename)
        if Path(rename).is_file():
            return read_rename_table(rename)
        if isinstance(rename, str) and cap_name(rename) is not None:  # 'BCI_IV_2a'
            return cap_rename(rename)
        raise no_table_error(os.fspath(rename))
    return rename.copy() if isinstance(rename, RenameTable) else dict(rename or {})


def _cap_key(name: str) -> str:
    """A table's name without case, spaces, ``-`` or ``_``: ``"BCI_IV_2a"`` -> ``"bciiv2a"``."""
    return re.sub(r"[\s_-]", "", name).casefold()


def cap_name(name: str) -> str | None:
    """The name in :data:`CAPS` that ``name`` spells, case, spaces, ``-`` and ``_`` aside
    (``"BCI_IV_2a"`` -> ``"bci-iv-2a"``, ``"biosemi-64"`` -> ``"biosemi64"``); None for none."""
    key = _cap_key(name)
    return next((cap for cap in CAPS if _cap_key(cap) == key), None)


def no_table_error(name: str, option: str | None = None) -> ValueError:
    """The error for a ``rename`` string that is neither a built-in table's name nor an
    existing file: for one that looks like a path (a folder in it, or a suffix such as
    ``.tsv``), no such file; else neither, with the built-in tables and a near one. With
    ``option`` (``"--rename"``), as the command line says it, where an ``IN=VOCAB`` pair was
    the third choice."""
    where = (
        "" if Path(name).is_absolute() else f" (relative to the working directory {os.getcwd()})"
    )
    if "/" in name or os.sep in name or Path(name).suffix:
        return ValueError(f"no such rename table file: {name}{where}")
    keys = {_cap_key(cap): cap for cap in CAPS}
    close = difflib.get_close_matches(_cap_key(name), list(keys), n=1, cutoff=0.6)
    hint = f" Did you mean {keys[close[0]]!r}?" if close else ""
    if option:
        return ValueError(
            f"{option} {name!r} is no built-in table (known caps: {', '.join(CAPS)}), no "
            f"existing file{where} and no IN=VOCAB pair.{hint} To leave a channel out: --drop "
            f"{shlex.quote(name)}"
        )
    return ValueError(
        f"rename={name!r} is neither a built-in table (known caps: {', '.join(CAPS)}) nor an "
        f"existing file{where}.{hint}"
    )


def _socket_labels(names: Sequence[str]) -> list[str]:
    """The socket labels (``A1``, ``B7``) of a recording labelled by amplifier sockets: at
    least half of its names, at least 8 of them that name no 10-10 electrode, bank A among
    those (BioSemi banks start at A; labels of bank E alone are EGI numbers). Empty for a
    recording with 10-10 names, whose ``F3`` or ``C4`` also fit the pattern: a sleep montage
    ``F3 F4 C3 C4 O1 O2 A1 A2 E1 E2`` has 8 labels of that form but only 4 that are no
    electrode's name."""
    sockets = [name for name in names if _SOCKET.match(name.strip().upper())]
    only = [name for name in sockets if normalize_channel_name(name) is None]  # no electrode's
    if (
        len(only) < 8
        or len(sockets) < len(names) / 2
        or not any(name.strip().upper().startswith("A") for name in only)
    ):
        return []
    return sockets


def _cap_note(names: Sequence[str], source: str | None = None) -> str:
    """A sentence about socket labels (``A1``, ``B7``) among ``names``, EGI electrode numbers
    (``E36``) or the numbered labels of BCI Competition IV 2a (``EEG-0``) (empty if few are);
    its commands name the recording ``source`` where it is a file."""
    numbered = [name for name in names if re.fullmatch(r"EEG-\d+", name.strip())]
    if numbered and len(numbered) >= len(names) / 2 and set(numbered) <= set(_BCI_IV_2A):
        return (
            f" {shortened_list(numbered, 3)} look like the numbered labels of BCI Competition IV "
            "2a's GDF files (EEG-0 ... EEG-16, beside EEG-Fz, EEG-C3 ...): if the data are "
            "that dataset's, pass rename='bci-iv-2a' (command line: --rename bci-iv-2a), "
            "which names all 22 electrodes."
        )
    egi = egi_labels(names)
    if len(egi) >= 8 and len(egi) >= len(names) / 2:
        return (
            f" {len(egi)} of them look like the electrode numbers of an EGI (Geodesic) net "
            f"({egi[0]!r}, ...), which are not 10-10 names: {egi_advice(egi, source)}"
        )
    sockets = _socket_labels(names)
    if not sockets:
        return ""
    if len(sockets) > 64:
        cap = _biosemi_montage(len(sockets))
        return (
            f" {len(sockets)} of them look like BioSemi socket labels ({sockets[0]!r}, ...), "
            "which name amplifier inputs, not electrodes, and no built-in table names the "
            f"sockets of a cap of more than 64 electrodes. If the cap is BioSemi's {cap[7:]}-"
            f"electrode layout (MNE's {cap!r} montage), name each electrode after its nearest "
            f"10-10 site: {nearest_advice(cap, source, 'biosemi.tsv')}; for another cap, map "
            "them with its socket table."
        )
    return (
        f" {len(sockets)} of them look like BioSemi socket labels ({sockets[0]!r}, ...), which "
        "name amplifier inputs, not electrodes. If the cap is BioSemi's 64-electrode layout, "
        "pass rename='biosemi64' (command line: --rename biosemi64; merged with your own "
        "entries: eegpt.channels.cap_rename('biosemi64')), for the 32-electrode one "
        "'biosemi32'; for another cap, map them with its socket table."
    )


_BCI_IV_2A = _DATASET_TABLES["bci-iv-2a"]

# Old 10-20 names of the temporal/parietal electrodes and their 10-10 (vocabulary) names.
_ALIASES: dict[str, str] = {"T3": "T7", "T4": "T8", "T5": "P7", "T6": "P8"}

# The reference labels, each with the reference it names (its key). A label names a reference,
# not a second electrode, after a '-' (a montage derivation such as ``FP1-F7`` is not a single
# channel). ``CZ`` and other electrodes are absent: one such label is indistinguishable from a
# bipolar pair, and only a montage that has one electrode as the second of several channels
# reads as referential to it (:func:`_common_references`). Labels of one key name one
# reference in other words (for the warning on channels against different references); a label
# that is its own key is a reference of its own (A1, A2, M1 and M2 each one side's ear or
# mastoid; REF1 and REF2 two inputs; RE, EAR). G2, the reference input of Nihon Kohden and
# Natus amplifiers, is the recording's own reference that REF names: an export with Fp1-REF
# beside C3-G2 is on one reference. Linked ears written as a sum or mean (``A1+A2``,
# ``(A1+A2)/2``) read as A1A2.
_REFERENCE_KEYS: dict[str, str] = {
    # the recording's own
    **dict.fromkeys(("REF", "REFERENCE", "COM", "ORG", "ORIG", "G2"), "REF"),
    **dict.fromkeys(("AVG", "AV", "AVE", "AVERAGE", "CAR", "AR"), "AVG"),  # the average
    **dict.fromkeys(("LE", "LINKED", "LINKEDEARS", "EARS", "A1A2", "A12"), "LE"),  # linked ears
    **dict.fromkeys(("LM", "M1M2", "M12", "MASTOIDS"), "LM"),  # linked mastoids
    **dict.fromkeys(("MASTOID", "MAST"), "MASTOID"),
    # references of their own
    **{label: label for label in ("REF1", "REF2", "RE", "A1", "A2", "M1", "M2", "EAR")},
}
# The labels that, after a '-', name a reference (the keys of :data:`_REFERENCE_KEYS`).
_REFERENCE_LABELS: frozenset[str] = frozenset(_REFERENCE_KEYS)

# Prefixes of EEG channel labels: "EEG Fp1" (EDF), "POL C3" (Nihon Kohden's exports)
_PREFIX = re.compile(r"^(?:EEG|POL)[\s_\-:]+")
_SPACES = re.compile(r"\s+")
# a reference suffix after "_", ":", "/" or a space, or in parentheses: "C3_REF", "F4:M1"
# (Somnomedics, Embla), "C3/A2", "C4 REF", "Cz (REF)", "C3 (A1+A2)/2"
_OTHER_SUFFIX = re.compile(r"^([^-]*?[^\s_(:/-])(?:[\s_:/]+|\s*(?=\())(\(?[A-Z0-9+]+\)?(?:/2)?)$")

# --------------------------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------------------------


def normalize_channel_name(name: str) -> str | None:
    """Map one channel name as found in a file onto the EEGPT vocabulary.

    Handled: any case and surrounding whitespace (``" fp1 "``), leading and trailing dots
    (``"Fc5."``, ``"Fc5.."`` as in PhysioNet EEGMMIDB), an ``EEG`` prefix (or Nihon Kohden's
    ``POL``) followed by a space, ``-``, ``_`` or ``:`` (``"EEG Fp1"``, ``"EEG-Fz"``,
    ``"POL C3"``), a reference suffix after ``-`` that is a known reference label
    (``"FP1-REF"``, ``"Fp1-Ref1"``, ``"T3-LE"``, ``"Cz-AVG"``, ``"O1-A2"``, ``"Fp1-A1+A2"``
    or ``"Fp1-A2+A1"``, ``"C3-(A1+A2)/2"``, ``"FP1-Ear"``, ``"EEG Fp1-G2"``; TUH style
    ``"EEG FP1-REF"``; also after ``_``, ``:``, ``/`` or a space, or in parentheses:
    ``"C3_REF"``, ``"F4:M1"``, ``"C3/A2"``, ``"C4 REF"``, ``"Cz (REF)"``, ``"C3 (A1+A2)/2"``) and the old 10-20 names T3/T4/T5/T6 (-> T7/T8/P7/P8).

    Parameters
    ----------
    name : str
        Channel name as stored in the recording.

    Returns
    -------
    str or None
        The vocabulary name (e.g. ``"FP1"``), or ``None`` when the name is not a scalp electrode
        of the vocabulary: other signals (``"EKG"``, ``"PHOTIC-REF"``, ``"STI 014"``), electrodes
        outside the vocabulary (``"A1"``, ``"T1"``, ``"Iz"``) and bipolar derivations
        (``"FP1-F7"``, also ``"FP1-CZ"``: one Cz-referenced channel is indistinguishable from a
        bipolar pair by name; :func:`map_channels` reads a montage whose channels share Cz as
        their second electrode as referential to Cz, and ``rename=`` keeps any one).
    """
    if not isinstance(name, str):
        raise TypeError(f"channel names must be str, got {type(name).__name__}: {name!r}")
    parts = _label_parts(name)
    if len(parts) == 2 and parts[1] in _REFERENCE_LABELS:
        key = parts[0]
    elif len(parts) == 1:
        key = parts[0]
    else:
        return None  # bipolar derivation or otherwise composite label
    key = key.strip(".")
    key = _ALIASES.get(key, key)
    return key if key in CHANNEL_INDEX else None


# Characters that stand for '-' in labels: Unicode dashes and the minus sign (U+2010..U+2015,
# U+2212), and cp1252's en and em dash bytes as MNE decodes EDF headers, with Latin-1 (where
# they are C1 control characters, which no label holds as such).
_DASHES = re.compile("[\u2010-\u2015\u2212\x96\x97]")


def _plain_characters(name: str) -> str:
    """``name`` with the look-alikes of plain characters made plain: format characters
    (Unicode category Cf: a zero-width space, a left-to-right mark, a byte-order mark on a
    file's first label) removed, compatibility characters folded (NFKC: full-width ``"Ｆ３"``
    -> ``"F3"``, a no-break or ideographic space -> ``" "``) and dashes as ``-``
    (:data:`_DASHES`: ``"F7–Ref"`` -> ``"F7-Ref"``). Labels of other sites are written so,
    and the labels that show the same must match alike; the recording keeps its own."""
    if name.isascii():
        return name
    name = "".join(c for c in name if unicodedata.category(c) != "Cf")
    return _DASHES.sub("-", unicodedata.normalize("NFKC", name))


def plain_label(name: str) -> str:
    """A channel label as rename keys (``--rename``, ``--drop``) and bads are matched to the
    recording's labels: with look-alike characters made plain (:func:`_plain_characters`) and without
    surrounding spaces, inner runs of them collapsed (``" EEG  F7–Ref\\u200b"`` ->
    ``"EEG F7-Ref"``). Letter case counts."""
    return " ".join(_plain_characters(name).split())


def _label_parts(name: str) -> list[str]:
    """``name`` upper-cased, with look-alike characters made plain (:func:`_plain_characters`), without
    dots around it, an ``EEG`` prefix or spaces, split at ``-``: ``"EEG Fp1-REF"`` ->
    ``["FP1", "REF"]``; a reference label after ``_`` or a space or in parentheses is split off
    alike (``"C3_REF"``, ``"Cz (REF)"`` -> ``["C3", "REF"]``)."""
    key = _PREFIX.sub("", _plain_characters(name).strip().strip(".").strip().upper())
    suffix = _OTHER_SUFFIX.match(key)
    if suffix and _reference_spelling(suffix[2]) in _REFERENCE_LABELS:
        return [_SPACES.sub("", suffix[1]), _reference_spelling(suffix[2])]
    parts = [_SPACES.sub("", part) for part in key.split("-")]
    if len(parts) == 2:
        parts[1] = _reference_spelling(parts[1])
    return parts


def _reference_spelling(label: str) -> str:
    """A reference label as :data:`_REFERENCE_LABELS` spells it: linked ears or mastoids written
    as a sum or a mean, in either order (``"A1+A2"``, ``"A2+A1"``, ``"(A1+A2)/2"``) ->
    ``"A1A2"``; a label in parentheses without them (``"(REF)"`` -> ``"REF"``); any other label
    as it is."""
    inner = re.sub(r"^\((.+)\)(?:/2)?$", r"\1", label)
    joined = "".join(sorted(inner.split("+")))
    return joined if joined in _REFERENCE_LABELS else label


# Scalp electrodes of the 10-10 and 10-05 systems (and ear/mastoid sites) that are not among the
# 62 vocabulary names: recognised only to say so when they are dropped.
_OTHER_ELECTRODES = frozenset(
    {
        "NZ", "AFZ", "F9", "F10", "FT9", "FT10", "T9", "T10", "TP9", "TP10", "P9", "P10",
        "PO9", "PO10", "O9", "O10", "IZ", "I1", "I2", "A1", "A2", "M1", "M2", "T1", "T2",
        "SP1", "SP2", "PG1", "PG2",  # sphenoidal and nasopharyngeal (clinical recordings)
    }
)  # fmt: skip
_TEN_FIVE = re.compile(r"^(AFP|AFF|FFT|FFC|FTT|FCC|TTP|CCP|TPP|CPP|PPO|POO|OI)(\d{1,2}H|Z)$")
# The numbers that the 10-05 system (MNE's colin27_1005 montage) gives each letter prefix, with
# the clinical ear electrodes T1/T2 and old temporal names T3..T6, ear and mastoid sites A1/A2,
# M1/M2, and the sphenoidal, nasopharyngeal and cerebellar pairs: numbers beyond these, in a
# row, are those of intracranial contacts (:func:`_contact_runs`).
_TEN_FIVE_NUMBERS: dict[str, frozenset[int]] = {
    **dict.fromkeys(("FP", "I", "OI", "A", "M", "SP", "PG", "CB"), frozenset({1, 2})),
    "O": frozenset({1, 2, 9, 10}),
    "T": frozenset(range(1, 11)),
    **dict.fromkeys(("AFP", "AF", "AFF", "F", "P", "PPO", "PO", "POO"), frozenset(range(1, 11))),
    **dict.fromkeys(("FFC", "FC", "FCC", "C", "CCP", "CP", "CPP"), frozenset(range(1, 7))),
    **dict.fromkeys(("FFT", "FT", "FTT", "TTP", "TP", "TPP"), frozenset(range(7, 11))),
}
# Labels of signals other than EEG (files without channel types, such as EDF, call them EEG).
# (ROC/LOC: the outer canthi's EOG; CHIN, LEG: EMG; SNORE, THOR, ABD, FLOW, POSITION: sleep
# recordings' other sensors; IBI, BURSTS, SUPPR: clinical systems' derived traces; LUC, RLC
# (and LLC, RUC): eye channels at the canthi, as in TUH EEG; TEMPERATURE anywhere, and TEMP, a
# temperature sensor -- Temp, TEMP1, Temp rectal, Rectal/Nasal/Esoph/Body/Skin temp -- matched
# from the label's start (its key has no spaces: "Temp rectal" -> TEMPRECTAL), after a body
# site (_TEMP_SITES) or alone, and not when more letters follow than a body site, so that
# temporal-lobe names (TEMPORAL, L TEMPORAL, LTEMP, RTEMP, TEMPL) are not taken for one; ORAL
# is a site only before TEMP, as TEMP+ORAL is TEMPORAL.)
_TEMP_SITES = r"RECTAL|NASAL|ESOPH(?:AGEAL)?|OESOPH(?:AGEAL)?|CORE|BODY|SKIN|AXILLA(?:RY)?|TYMPANIC"
_OTHER_SIGNALS = re.compile(
    r"EOG|ECG|EKG|EMG|EXG|RESP|PHOTIC|PLETH|SPO2|SAO2|STATUS|TRIG|STIM|STI\b|^STI\d|PULSE|BREATH|GSR|EDA"
    r"|^ROC|^LOC|^LUC|^RLC|^LLC|^RUC|CHIN|LEG|SNORE|THOR|ABD|FLOW|POSITION|^IBI$|^BURSTS$|^SUPPR$|EVENT|MARKER"
    rf"|TEMPERATURE|^(?:{_TEMP_SITES}|ORAL)?TEMP(?:{_TEMP_SITES})?(?![A-Z])"
)
# AASM's EOG electrodes (E1-M2, E2-M2): EOG unless the file numbers its electrodes E1, E2, E3 ...
# (an EGI net's EEG)
_AASM_EOG = re.compile(r"^E[12]$")
# Reference labels naming one side's ear or mastoid: channels against both sides are not on
# one reference (AASM sleep montages: C3-M2, C4-M1).
_LEFT_REFERENCES = frozenset({"A1", "M1"})
_RIGHT_REFERENCES = frozenset({"A2", "M2"})
_SIDED_REFERENCES = _LEFT_REFERENCES | _RIGHT_REFERENCES


def _both_sides(references: set[str]) -> bool:
    """``references`` (reference labels) are ears or mastoids of the left and the right side
    alone (``{"M1", "M2"}``, ``{"A1", "M2"}``; not ``{"A1", "M1"}``, both left)."""
    return (
        references <= _SIDED_REFERENCES
        and bool(references & _LEFT_REFERENCES)
        and bool(references & _RIGHT_REFERENCES)
    )


_COPY = re.compile(r"^(.+)-(\d+)$")


def _numbered_copy(name: str) -> str | None:
    """``"Cz-0"`` -> ``"Cz"`` when the part before the number is a vocabulary name (MNE numbers
    duplicate channel labels ``-0``, ``-1``, ...), else None."""
    match = _COPY.match(name)
    if match and normalize_channel_name(match.group(1)) is not None:
        return match.group(1)
    return None


def _table_sockets(rename: Mapping[str, str | None]) -> list[str]:
    """The socket labels (``A1``, ``B7``) among the keys of ``rename`` when it names 8 or more,
    as a cap's table does (:func:`cap_rename`, ``--rename biosemi64``, a file of one): entries
    that describe the cap, not choices about single channels; ``[]`` for fewer.

    Labels of bank E (``E1``..``E32``) count only in a table that also has bank D's sockets
    (BioSemi fills its banks from A) and no EGI number beyond a bank (``E33``..): a table for
    EGI nets (``E36`` -> ``C3``), alone or merged with a BioSemi cap's, names no sockets."""
    keys = [key.strip().upper() for key in rename]
    banks = {key[0] for key in keys if _SOCKET.match(key)}
    egi = "D" not in banks or any(_EGI.match(key) and not _SOCKET.match(key) for key in keys)
    sockets = [
        key
        for key, upper in zip(rename, keys, strict=True)
        if _SOCKET.match(upper) and not (egi and upper.startswith("E"))
    ]
    return sockets if len(sockets) >= 8 else []


def _check_sockets(
    rename: Mapping[str, str | None], names: Sequence[str], table: Mapping[str, str | None]
) -> None:
    """Refuse a cap table (8 or more socket labels renamed) made for another cap than the
    recording's: one that leaves sockets of the recording out (``biosemi32`` on a 64-electrode
    recording), or one with a bank of sockets the recording lacks entirely (``biosemi64`` on a
    32-electrode recording). Either would give the shared sockets the wrong electrodes. The
    check needs 8 or more socket labels in both the table and the recording (fewer pass
    whatever cap is named). ``table``: the rename as given, named in the message."""
    # the sockets the table names electrodes: a drop of a label the recording lacks is a drop
    # of nothing, not a socket of the cap
    renamed = _table_sockets({key: value for key, value in rename.items() if value is not None})
    sockets = _socket_labels(names)  # none: 10-10 names (F3, C4), which the table leaves be
    if not renamed or not sockets:
        return
    left = [name for name in sockets if name not in rename]
    banks = sorted({name.strip().upper()[0] for name in sockets})
    extra = sorted({key.strip().upper()[0] for key in renamed} - set(banks))
    if left:
        raise ValueError(
            f"the rename names {len(renamed)} socket labels but not {shortened_list(left)} of this "
            f"recording's {len(sockets)}: a table for another cap"
            f"{_cap_guess(len(renamed), len(sockets))} would give the shared sockets the wrong "
            "electrodes. Use the table of the cap the recording was made with, or name or drop "
            "the other sockets too."
        )
    if not extra:
        return
    code = table.code if isinstance(table, RenameTable) else "TABLE"
    raise ValueError(
        f"the rename names sockets of bank(s) {', '.join(extra)}, which this recording lacks: "
        f"its {len(sockets)} socket labels are of bank(s) {', '.join(banks)} only. The cap "
        "cannot be told from that: a recording of fewer banks may be of a smaller cap "
        "(BioSemi's 32-electrode cap has bank A alone), whose sockets hold other electrodes "
        "than this table says, so the table is refused. If the recording is of this table's "
        "cap with some sockets picked or removed, say so by giving the table's entries for "
        f"its channels: rename={{k: v for k, v in {code}.items() if k in raw.ch_names}} "
        "(command line: a table file of those entries, --rename FILE); if it is of a smaller "
        "cap, use that cap's table (rename='biosemi32')."
    )


def _named_like_vocabulary(names: Sequence[str]) -> bool:
    """A recording whose labels are 10-10 names already, not socket labels: too few look like
    sockets for :func:`_socket_labels` (fewer than 8, fewer than half, or no bank A), and at
    least half of them name vocabulary electrodes (``Fp1``, ``EEG C3-REF``; a clinical file
    of 19 such names and the ear electrodes ``A1``, ``A2``)."""
    named = sum(normalize_channel_name(name) is not None for name in names)
    return bool(names) and not _socket_labels(names) and named >= len(names) / 2


def _unfit_sockets(table: Mapping[str, str | None], names: Sequence[str]) -> list[str]:
    """The renames of a cap's socket table (:func:`_table_sockets`) not to apply to a recording
    whose labels are 10-10 names already (:func:`_named_like_vocabulary`), whether or not some
    of its labels are keys of the table: a corpus of several systems run with ``--rename
    biosemi64`` must not rename a clinical file's ear electrode ``A2`` to AF7 (BioSemi's
    socket A2), nor refuse a BioSemi file saved with 10-10 names. Entries given one by one
    beside the table (``own``) and drops stay. ``[]`` for a recording labelled otherwise."""
    if not _named_like_vocabulary(names):
        return []
    own = table.own if isinstance(table, RenameTable) else frozenset()
    return [key for key in _table_sockets(table) if table[key] is not None and key not in own]


def _warn_unfit_sockets(
    unfit: Sequence[str], names: Sequence[str], table: Mapping[str, str | None], where: str
) -> None:
    """Say once that the socket table ``table`` is not applied to this recording of 10-10
    ``names`` (:func:`_unfit_sockets` gave ``unfit``), naming the labels it would have
    renamed."""
    hit = [key for key in unfit if key in names]
    name = f" {table.source!r}" if isinstance(table, RenameTable) and table.source else ""
    meaning = (
        f": {shortened_list(hit, 4)} keep their own meaning (ear electrodes A1/A2 are left out "
        "as usual), not the table's electrodes"
        if hit
        else ""
    )
    _warn(
        f"{where}the rename table{name} names amplifier sockets, but this recording's labels "
        f"are 10-10 names already ({shortened_list(list(names), 4)}), so the table is not "
        f"applied to it{meaning}. Recordings labelled by sockets (A1..A32, B1..) still get "
        "the table."
    )


def label_electrodes(
    names: Sequence[str], rename: Mapping[str, str | None] | str | os.PathLike | None = None
) -> dict[str, str]:
    """Label -> the vocabulary name :func:`map_channels` gives that channel: the one
    ``rename`` names (a cap's socket table only where it applies, :func:`_unfit_sockets`),
    else the label's own (a socket label's none); labels mapping to none are absent. No
    warnings: for finding a channel by its electrode (a manifest's ``bads`` cell ``C3`` for
    the socket ``A13`` under ``--rename biosemi64``, or for ``EEG C3-REF``)."""
    table = rename_table(rename)
    unfit = set(_unfit_sockets(table, names))
    sockets = set(_socket_labels(names))
    out: dict[str, str] = {}
    for label in names:
        if label in table and label not in unfit:
            target = table[label]
        else:
            target = None if label in sockets else label
        canonical = None if target is None else normalize_channel_name(target)
        if canonical is not None:
            out[label] = canonical
    return out


def label_hint(keys: Sequence[str], names: Sequence[str]) -> str:
    """:func:`spelling_hint` for ``keys`` that name no channel of ``names`` (``bads``), but
    for keys that look like BioSemi socket labels (``A13``) on a recording whose labels are
    not sockets: no electrode of a near spelling (``AF3`` is another electrode), but that the
    recording's labels are 10-10 names (or what they are)."""
    socket_like = [
        key
        for key in keys
        if _SOCKET.match(key.strip().upper())
        and normalize_channel_name(key) is None
        and not is_other_electrode(key)
    ]
    if not socket_like or _socket_labels(names):
        return spelling_hint(keys, names)
    what = "10-10 names" if _named_like_vocabulary(names) else "no socket labels"
    others = [key for key in keys if key not in socket_like]
    return (
        f" {shortened_list(socket_like, 4)} look like BioSemi socket labels, but this "
        f"recording's labels are {what} ({shortened_list(list(names), 4)}), so no socket "
        "names one of its channels." + (spelling_hint(others, names) if others else "")
    )


def drops_by_electrode(rename: Mapping[str, str | None], names: Sequence[str]) -> dict[str, str]:
    """The drops (``{NAME: None}``, ``--drop NAME``) of ``rename`` that name no channel of
    ``names`` but the electrode that another entry renames a channel to -> that channel:
    ``--drop C1`` beside ``--rename biosemi64`` drops socket A12, which the cap's table names
    C1. Only renamed channels are taken so: a drop of ``FP1`` meant for one file's duplicate
    must not take another file's ``Fp1``; and only a drop spelled as the electrode is (any
    case), not an older name of it: ``--drop T3`` meant for a clinical file's label ``T3``
    must not take the BioSemi socket the cap names T7."""
    renamed: dict[str, str] = {}  # electrode -> the first channel renamed to it
    for label in names:
        if rename.get(label) is not None:
            renamed.setdefault(_electrode_key(str(rename[label])), label)
    return {
        key: renamed[key.strip().upper()]
        for key, value in rename.items()
        if value is None and key not in names and key.strip().upper() in renamed
    }


def _drops_of_other_labels(
    rename: Mapping[str, str | None],
    names: Sequence[str],
    table: Mapping[str, str | None],
    keep: Sequence[str] | None,
) -> dict[str, str]:
    """The drops given one by one (``--drop C3``; a table's own drops aside) that name no
    label of ``names`` while a channel that no entry renames maps to the electrode the drop
    names -> that channel's label (``{"C3": "EEG C3-REF"}``): drops are labels as spelled,
    so the channel is used. Electrodes outside ``keep`` (vocabulary names) are left out
    anyway and not named."""
    own = table.own if isinstance(table, RenameTable) else set(table)
    sockets = set(_socket_labels(names))  # a socket C3 is no electrode C3
    labels: dict[str, str] = {}  # vocabulary name -> the first label mapping to it
    for label in names:
        canonical = None if label in rename or label in sockets else normalize_channel_name(label)
        if canonical is not None and (keep is None or canonical in keep):
            labels.setdefault(canonical, label)
    return {
        key: labels[canonical]
        for key, value in rename.items()
        if value is None
        and key in own
        and key not in names
        and (canonical := normalize_channel_name(key)) in labels
    }


def _keep_without_note(unmatched: Mapping[str, str], keep: str | Sequence[str] | None) -> str:
    """How to leave the electrodes that the drops ``unmatched`` (drop -> label) name out of
    every file whatever its label: ``keep`` (as given; the 10-20 set for None) without them."""
    base = ["10-20"] if keep is None else keep.split(",") if isinstance(keep, str) else list(keep)
    electrodes = [montage_spelling(str(normalize_channel_name(key))) for key in unmatched]
    items = [item.strip() for item in base if item.strip()] + [f"-{e}" for e in electrodes]
    return (
        f" To leave the electrode {', '.join(electrodes)} out of every file whatever its "
        f"label: --keep-channels {','.join(items)} (keep={items!r})"
        + (", or list the channels to keep." if keep is None else ".")
    )


def _unmatched_drops_note(
    unmatched: Mapping[str, str], keep: str | Sequence[str] | None, where: str
) -> str:
    """The warning for drops that matched no label of a recording while one of its channels
    maps to the electrode named (:func:`_drops_of_other_labels`): that channel is kept."""
    drops = " ".join(f"--drop {shlex.quote(key)}" for key in unmatched)
    kept = "; ".join(
        f"its {label!r} maps to {normalize_channel_name(key)} and is kept"
        for key, label in unmatched.items()
    )
    return (
        f"{where}{drops} matched no label of this recording (drops are labels, as spelled); "
        f"{kept}.{_keep_without_note(unmatched, keep)} To drop it here only: "
        f"{how_to_drop(list(unmatched.values()))}."
    )


def _why_left_out(
    table: Mapping[str, str | None],
    excluded: Sequence[str],
    left_out: Mapping[str, str],
    sockets: set[str],
) -> dict[str, str]:
    """Vocabulary name -> why its channel, present in the recording, was not used: dropped
    (``excluded``, by a rename's None) or left out before mapping (``left_out``: marked bad,
    or of another type or not picked). A channel's electrode is the one ``table`` renames it
    to, else its label's (not a socket label's)."""
    reasons = {"bad": "marked bad", "not picked": "not picked", "dropped": "dropped"}
    out: dict[str, str] = {}
    for label, why in [*((name, "dropped") for name in excluded), *left_out.items()]:
        target = table.get(label)
        if target is None and label not in sockets:
            target = label
        canonical = normalize_channel_name(target) if target is not None else None
        if canonical is not None:
            out.setdefault(canonical, reasons.get(why, f"typed {why}"))
    return out


def _electrode_key(name: str) -> str:
    """An electrode name for comparing spellings: the vocabulary name it normalises to
    (``"Fp1"`` -> ``"FP1"``), else its electrode part upper-cased (``"Iz"`` -> ``"IZ"``)."""
    return normalize_channel_name(name) or _label_key(name)


def _cap_guess(n_table: int, n_recording: int) -> str:
    """`` (biosemi32 on a 64-electrode recording, whose table is biosemi64?)`` where the built-in
    BioSemi caps fit a table of ``n_table`` sockets on a recording of ``n_recording``; else the
    two counts."""
    caps = {size: cap for cap, size in CAPS.items() if cap.startswith("biosemi")}
    if n_table in caps and n_recording in caps:
        return (
            f" ({caps[n_table]} on a {n_recording}-electrode recording, whose table is "
            f"{caps[n_recording]}?)"
        )
    return f" (a table of {n_table} sockets for a recording of {n_recording})"


def shortened_list(names: Sequence[str], limit: int = 12) -> str:
    """``names`` as a Python list for a message, the first ``limit`` of a longer one then how
    many are left: ``"['E1', 'E2'] and 126 more"`` (:func:`eegpt._logging.few` with
    ``as_list``; without it, the names in words: ``"E1, E2, E3 and 125 more"``)."""
    return few(names, limit, as_list=True)


def _label_key(name: str) -> str:
    """The electrode part of a label: ``"EEG TP9-REF"`` -> ``"TP9"`` (else the whole label)."""
    parts = _label_parts(name)
    return parts[0] if len(parts) == 2 and parts[1] in _REFERENCE_LABELS else "-".join(parts)


def _numbered_runs(names: Sequence[str]) -> dict[str, list[int]]:
    """The letter prefixes of ``names`` (``C`` of ``C1``, ``EEG C7-REF``) with three or more
    numbers in a row (``C1``, ``C2``, ``C3``): prefix -> all its numbers among ``names``,
    sorted."""
    numbers: dict[str, set[int]] = {}
    for name in names:
        if match := re.fullmatch(r"([A-Z]+)(\d{1,2})", _label_key(name)):
            numbers.setdefault(match[1], set()).add(int(match[2]))
    return {
        prefix: sorted(got)
        for prefix, got in numbers.items()
        if any({n, n + 1, n + 2} <= got for n in got)
    }


def _contact_runs(names: Sequence[str]) -> dict[str, list[int]]:
    """The prefixes of :func:`_numbered_runs` whose numbers run on, three or more in a row,
    past those the 10-05 system gives that prefix (:data:`_TEN_FIVE_NUMBERS`): the labels of
    an sEEG shaft's or ECoG strip's contacts (``C1`` .. ``C8``, ``O1`` .. ``O8``)."""
    runs = {}
    for prefix, got in _numbered_runs(names).items():
        scalp = _TEN_FIVE_NUMBERS.get(prefix, frozenset())
        row = [{n, n + 1, n + 2} for n in got]
        if any(three <= set(got) and not three <= scalp for three in row):
            runs[prefix] = got
    return runs


def _runs_text(runs: Mapping[str, list[int]]) -> str:
    """``{"C": [1, ..., 8], "O": [1, 2, 5]}`` -> ``"C1..C8, O1, O2, O5"``."""
    return ", ".join(
        f"{p}{n[0]}..{p}{n[-1]}"
        if n == list(range(n[0], n[-1] + 1))
        else ", ".join(f"{p}{i}" for i in n)
        for p, n in runs.items()
    )


def _contacts_warning(used: Sequence[str], names: Sequence[str], where: str) -> str | None:
    """The warning for a recording whose labels look like intracranial contacts
    (:func:`_contact_runs`) when some of the channels ``used`` (mapped to scalp sites by their
    own names) are among them, as in sEEG exported to EDF, which types every channel EEG; else
    None. Other numbered runs of used channels (``F1`` .. ``F8``, all 10-05 names) are named as
    possibly contacts too."""
    runs = _contact_runs(names)
    at_stake = [name for name in used if _label_key(name).rstrip("0123456789") in runs]
    if not at_stake:
        return None
    prefixes = {_label_key(name).rstrip("0123456789") for name in used}
    others = {p: n for p, n in _numbered_runs(names).items() if p not in runs and p in prefixes}
    beyond = [
        f"{p}{i}" for p, n in runs.items() for i in n if i not in _TEN_FIVE_NUMBERS.get(p, ())
    ]
    perhaps = f"; {_runs_text(others)} may be contacts too" if others else ""
    return (
        f"{where}the labels {_runs_text(runs)} look like the contacts of intracranial "
        "electrodes (sEEG shafts or ECoG strips, numbered along each), not scalp electrodes: "
        f"{few(beyond, 6)} are no 10-05 names. Yet {shortened_list(at_stake)} were used as the "
        f"scalp sites of those names{perhaps}. EEGPT is a scalp-EEG model: do not embed "
        "intracranial recordings with it. If these are scalp electrodes under unusual labels, "
        "rename them to their 10-10 sites (rename={NAME: VOCAB}; command line: --rename "
        "'NAME=VOCAB')."
    )


def is_other_electrode(name: str) -> bool:
    """A scalp electrode of the 10-10/10-05 systems outside the vocabulary (``TP9``)."""
    key = _label_key(name)
    return key in _OTHER_ELECTRODES or bool(_TEN_FIVE.match(key))


def may_be_electrode(name: str) -> bool:
    """Whether a channel name that maps to no vocabulary name could still be an EEG electrode
    of it under another spelling: not a known electrode outside the vocabulary (``A1``), nor
    named like another signal (``EKG1``, ``PHOTIC-REF``, ``EOG``...), nor a derivation between
    two electrodes (``F4:C4``) or an electrode against itself (``Cz-Cz``)."""
    return (
        not is_other_electrode(name)
        and not _OTHER_SIGNALS.search(_label_key(name))
        and _derivation(name) is None
    )


def _dropped_note(
    unknown: Sequence[str],
    targets: Mapping[str, str] | None = None,
    chosen: Mapping[str, str] | None = None,
) -> str:
    """What the dropped names are: electrodes outside the vocabulary (``targets``: what a
    rename called them, e.g. a cap's ``{"A24": "P9"}``), other signals, duplicate labels MNE
    numbered (``chosen``: label -> the copy a rename keeps), reference channels (an electrode
    against itself, ``Cz-Cz``), or names to map by hand."""
    targets, chosen = targets or {}, chosen or {}
    keys = {name: _label_key(targets.get(name, name)) for name in unknown}
    electrodes = [n for n in unknown if is_other_electrode(targets.get(n, n))]
    numbered_e = len({k for k in keys.values() if re.fullmatch(r"E\d+", k)}) > 2  # EGI's E1...
    signals = [
        n
        for n in unknown
        if n not in electrodes
        and (_OTHER_SIGNALS.search(keys[n]) or (_AASM_EOG.match(keys[n]) and not numbered_e))
    ]
    copies = [
        n
        for n in unknown
        if n not in electrodes and n not in signals and _numbered_copy(n) is not None
    ]
    # derivations of two electrodes are for _bipolar_note, and neither they nor an electrode
    # against itself are to be renamed
    rest = [
        n
        for n in unknown
        if n not in electrodes and n not in signals and n not in copies and _derivation(n) is None
    ]
    parts = []
    flat = [n for n in unknown if n not in targets and _self_reference(n) is not None]
    if flat:
        parts.append(_self_reference_note(flat))
    if electrodes:
        shown = [f"{n} ({targets[n]})" if n in targets else n for n in electrodes]
        parts.append(
            f"{shortened_list(shown)} are electrodes outside EEGPT's 62 names "
            "(eegpt.channels.VOCABULARY): the model has no embedding for them."
        )
    others = [n for n in copies if _numbered_copy(n) in chosen]  # a copy was kept by rename
    for label in dict.fromkeys(_numbered_copy(n) for n in others):
        these = [n for n in others if _numbered_copy(n) == label]
        parts.append(
            f"{these} {'is the other copy' if len(these) == 1 else 'are the other copies'} of "
            f"{label!r}, whose copy {chosen[label]!r} the rename keeps."  # type: ignore[index]
        )
    copies = [n for n in copies if n not in others]
    if copies:
        first = copies[0]
        parts.append(
            f"{copies} look like copies of one label that MNE numbered apart (the file names "
            f"two channels {_numbered_copy(first)!r}): keep the right one with "
            f"rename={{{first!r}: {_numbered_copy(first)!r}}} (command line: --rename "
            f"{shlex.quote(f'{first}={_numbered_copy(first)}')})."
        )
    if signals:
        parts.append(
            f"{shortened_list(signals)} look like other signals (EOG, ECG, EMG, triggers, ...)."
        )
    if rest and len(rest) == len(unknown):  # no other kind of name among them
        parts.append(f"If some are EEG electrodes, map them with {_HOW_TO_MAP}.")
    elif len(rest) == 1:
        parts.append(f"If {rest[0]!r} is an EEG electrode, map it with {_HOW_TO_MAP}.")
    elif rest:
        parts.append(
            f"If some of {shortened_list(rest)} are EEG electrodes, map them with {_HOW_TO_MAP}."
        )
    return "".join(f" {part}" for part in parts)


def _self_reference_note(names: Sequence[str]) -> str:
    """A sentence on the channels ``names``, each an electrode against itself (``Cz-Cz``)."""
    ref = montage_spelling(str(_self_reference(names[0])))
    what = (
        f"is {ref} against itself"
        if len(names) == 1
        else f"are each an electrode against itself ({names[0]}: {ref} against {ref})"
    )
    return (
        f"{list(names)} {what}: the reference channel a montage against it exports, flat "
        "(all zeros), with no signal for the model."
    )


def _derivation(name: str) -> tuple[str, str] | None:
    """The two vocabulary electrodes of a derivation label (``"EEG FP1-F7"``, ``"F4:C4"``,
    ``"Fp1/T3"`` -> ``("FP1", "T7")``), first and second; None for any other label."""
    parts = _label_parts(name)
    if len(parts) == 1:
        parts = re.split(r"[:/]", parts[0])
    if len(parts) != 2:
        return None
    first, second = (normalize_channel_name(part) for part in parts)
    return None if first is None or second is None else (first, second)


def _bipolar(name: str) -> bool:
    """``name`` is a derivation between two vocabulary electrodes (``"EEG FP1-F7"``,
    ``"F4:C4"``, ``"Fp1/F7"``); an electrode against itself (``"Cz-Cz"``) is none."""
    pair = _derivation(name)
    return pair is not None and pair[0] != pair[1]


def _self_reference(name: str) -> str | None:
    """The electrode (vocabulary name) of a label naming an electrode against itself
    (``"Cz-Cz"``, ``"EEG CZ-CZ"`` -> ``"CZ"``): the reference channel of a montage against that
    electrode, exported beside the others and flat (all zeros); None for any other label."""
    pair = _derivation(name)
    return pair[0] if pair is not None and pair[0] == pair[1] else None


def _common_references(names: Sequence[str]) -> set[str]:
    """The electrodes (vocabulary names) that derivation labels among ``names`` share as their
    reference: the second electrode of at least three of them, whose first electrodes all
    differ, and the first electrode of none (``Fp1-Cz, C3-Cz, O1-Cz``: a montage referential
    to Cz, as in neonatal EEG). A bipolar chain (``Fp1-F7, F7-T3, T3-T5``) has no such
    electrode: each one it passes is the second of one pair and the first of the next. The
    reference's channel against itself (``Cz-Cz``, flat) is no derivation and counts for none;
    :func:`map_channels` passes the names left after the channels the user leaves out."""
    derivations = [pair for name in names if (pair := _derivation(name)) is not None]
    pairs = [(first, second) for first, second in derivations if first != second]
    firsts = {first for first, _ in pairs}
    by_second: dict[str, list[str]] = {}
    for first, second in pairs:
        by_second.setdefault(second, []).append(first)
    return {
        second
        for second, group in by_second.items()
        if len(group) >= 3 and len(set(group)) == len(group) and second not in firsts
    }


def montage_spelling(name: str) -> str:
    """A vocabulary name as montages spell it (``FP1`` -> ``Fp1``, ``FCZ`` -> ``FCz``)."""
    name = "Fp" + name[2:] if name.startswith("FP") else name
    return name[:-1] + "z" if name.endswith("Z") else name


def _referential_warning(
    referential: Mapping[str, str],
    considered: Sequence[str],
    kept: Mapping[str, str],
    where: str,
    some_left_out: bool = False,
) -> str:
    """What to say of the channels ``referential`` (input name -> the reference electrode they
    were read against; ``considered``: the recording's channels the user did not leave out,
    ``some_left_out`` when there are such; ``kept``: vocabulary name -> input name of every
    channel used)."""
    n_derivations = Counter(pair[1] for name in considered if (pair := _derivation(name)))
    channels = "of the channels not left out" if some_left_out else "channels of the recording"
    sentences = []
    for reference in dict.fromkeys(referential.values()):
        names = [name for name, ref in referential.items() if ref == reference]
        ref = montage_spelling(reference)
        first = montage_spelling(str(_derivation(names[0])[0]))  # type: ignore[index]
        itself = [name for name in considered if _self_reference(name) == reference]
        flat = (
            f", yet {kept[reference]!r} is used as {ref}: check that it carries a signal "
            f"(else leave it out: --drop {shlex.quote(kept[reference])})"
            if reference in kept
            else f" ({itself[0]!r} is that channel: left out)"
            if itself
            else " and absent from the channels used"
        )
        n = n_derivations[reference] - len(itself)  # Cz-Cz ends in Cz but is no derivation
        besides = f" ({itself[0]}, {ref} against itself, is no derivation)" if itself else ""
        are = "is" if len(names) == 1 else "are"
        sentences.append(
            f"{few(names)} {are} read as referential to {ref}: {n} {channels} have {ref} as "
            f"their second electrode and none has it as its first{besides}, as in a montage "
            f"against {ref} (common in neonatal EEG; a bipolar "
            f"chain passes each electrode on), so each is used as its first electrode "
            f"({names[0]} as {first}). {ref} itself, the reference, is flat in such a "
            f"recording{flat}."
        )
    return (
        f"{where}" + " ".join(sentences) + " If they are bipolar derivations after all, leave "
        "them out (rename={NAME: None}; command line: --drop NAME, for each); a rename of a "
        "channel overrides this reading (rename={NAME: VOCAB}; command line: --rename "
        "NAME=VOCAB)."
    )


def _renamed_bipolar_note(renamed: Sequence[tuple[str, str]], where: str) -> str:
    """The note on kept channels labelled as bipolar derivations that a rename named as one
    electrode (``renamed``: (input name, vocabulary name) pairs, ``[("EEG Fpz-Cz", "FPZ")]``)."""
    pairs = []
    for name, target in renamed:
        first, second = (montage_spelling(e) for e in _derivation(name) or (target, "?"))
        pairs.append(f"{name!r} (renamed {montage_spelling(target)}) is {first} minus {second}")
    one = len(renamed) == 1
    return (
        f"{where}{'; '.join(pairs)}: a rename changes the name, not the signal, which stays "
        f"the bipolar difference of two electrodes. EEGPT was pretrained on referential EEG "
        f"(each electrode against a common reference), so {'its' if one else 'their'} "
        "embeddings are not comparable with those of referential recordings of "
        f"{'that electrode' if one else 'those electrodes'} (nor those of another derivation). "
        "Use a referential recording of the session if there is one."
    )


def _bipolar_note(names: Sequence[str]) -> str:
    """A sentence about the bipolar derivations among ``names`` (empty if there are none)."""
    bipolar = [name for name in names if _bipolar(name)]
    if not bipolar:
        return ""
    return (
        f" {len(bipolar)} of them look like bipolar derivations ({bipolar[0]!r}, ...): EEGPT was "
        "pretrained on channels against a common reference, and a difference of two electrodes "
        "is not one electrode, so they are not mapped. Use a referential recording of the same "
        "session if there is one; renaming a derivation to one of its electrodes gives the model "
        "a signal it was not trained on."
    )


# --------------------------------------------------------------------------------------------
# mapping
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelMapping:
    """Which channels of a recording go into EEGPT, in which order, with which embedding.

    All tuples have one entry per kept channel, in kept (= input) order.

    Parameters
    ----------
    input_names : tuple of str
        Names of the kept channels as in the recording.
    names : tuple of str
        Their vocabulary names.
    picks : tuple of int
        Their indices in the list of channel names that was mapped: the ``names`` given to
        :func:`map_channels`; for an MNE recording (``map_channels(raw)``, ``model.embed``,
        ``open_stream``), the channels it picked (typed EEG, those marked bad left out), not
        ``raw.ch_names``. ``input_names`` name them, so ``raw.copy().pick(list(input_names))``
        gives the used channels in mapping order, whatever list the picks index.
    chan_ids : tuple of int
        Their rows in the channel-embedding table (``CHANNEL_INDEX[name]``).
    dropped : tuple of str
        Recording channels that were not kept.
    referential : dict of str to str
        Kept channels labelled as a derivation of two electrodes (``"Fp1-Cz"``) that were read
        as their first electrode against a reference shared by the montage (the second
        electrode, as a vocabulary name: ``{"Fp1-Cz": "CZ"}``; see :func:`map_channels`).
    rename_source : str | None
        Where the ``rename`` table came from, when it was a :class:`RenameTable` that says so
        (a file's path, a cap's name, ``"nearest 10-10 sites to GSN-HydroCel-129 (≤ 20 mm)"``);
        provenance only: mappings that differ in it alone are equal.
    rename_call : str | None
        The Python that gives that table, for one of :func:`nearest_rename`.
    rename_distances_mm : dict of str to float
        For a table made from positions: each kept channel's distance, in mm, to the site it
        was named after (input name -> mm).
    keep : tuple of str | None
        The vocabulary channels ``keep=`` restricted the mapping to (:func:`kept_channels`;
        None: all).
    not_kept : tuple of str
        Recording channels that map to a vocabulary channel outside ``keep``, left out (not
        among ``dropped``; outputs list them in ``metadata["left_out"]`` as ``"not kept"``).
    bipolar : tuple of str
        Kept channels labelled as a bipolar derivation of two electrodes (``"EEG Fpz-Cz"``)
        that a rename named as one electrode (``FPZ``): their signal is still the difference
        of the two (Fpz minus Cz), not that electrode against a reference
        (:func:`map_channels` says so once). Provenance only: mappings that differ in it alone
        are equal.
    """

    input_names: tuple[str, ...]
    names: tuple[str, ...]
    picks: tuple[int, ...]
    chan_ids: tuple[int, ...]
    dropped: tuple[str, ...] = ()
    referential: Mapping[str, str] = field(default_factory=dict, hash=False)
    rename_source: str | None = field(default=None, compare=False)
    rename_call: str | None = field(default=None, compare=False)
    rename_distances_mm: Mapping[str, float] = field(
        default_factory=dict, hash=False, compare=False
    )
    keep: tuple[str, ...] | None = None
    not_kept: tuple[str, ...] = ()
    bipolar: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        for name in ("input_names", "names", "picks", "chan_ids", "dropped", "not_kept", "bipolar"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "referential", dict(self.referential))
        if self.keep is not None:
            object.__setattr__(self, "keep", tuple(self.keep))
        object.__setattr__(self, "rename_distances_mm", dict(self.rename_distances_mm))
        odd = {k: v for k, v in self.referential.items()
               if k not in self.input_names or v not in CHANNEL_INDEX}  # fmt: skip
        if odd:
            raise ValueError(
                "referential must map kept input names to vocabulary names (their reference), "
                f"got {odd}"
            )
        n = len(self.names)
        if not (len(self.input_names) == len(self.picks) == len(self.chan_ids) == n):
            raise ValueError(
                "ChannelMapping fields must have one entry per kept channel, got "
                f"{len(self.input_names)} input_names, {n} names, {len(self.picks)} picks and "
                f"{len(self.chan_ids)} chan_ids"
            )
        unknown = [name for name in self.names if name not in CHANNEL_INDEX]
        if unknown:
            raise ValueError(f"names not in the EEGPT vocabulary: {unknown}")
        wrong = [
            (name, cid)
            for name, cid in zip(self.names, self.chan_ids, strict=True)
            if CHANNEL_INDEX[name] != cid
        ]
        if wrong:
            raise ValueError(
                "chan_ids do not match the vocabulary rows of names: "
                + ", ".join(
                    f"{name} has row {CHANNEL_INDEX[name]}, not {cid}" for name, cid in wrong
                )
            )
        if len(set(self.names)) != n:
            raise ValueError(f"vocabulary names must be unique, got {list(self.names)}")
        if len(set(self.picks)) != n or any(p < 0 for p in self.picks):
            raise ValueError(f"picks must be unique non-negative indices, got {list(self.picks)}")

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled mapping (``EEGPTEmbedder.mapping_`` of a saved estimator, a
        probe's): fields it lacks, pickled by an eegpt that had none of them (``rename_*``),
        get their defaults."""
        defaults = {
            f.name: f.default_factory() if f.default_factory is not MISSING else f.default
            for f in fields(self)
            if f.default is not MISSING or f.default_factory is not MISSING
        }
        self.__dict__.update({**defaults, **state})

    def __len__(self) -> int:
        return len(self.names)

    @property
    def unseen(self) -> tuple[str, ...]:
        """Kept channels whose embeddings were not trained (see :data:`UNSEEN_IN_PRETRAINING`)."""
        return tuple(name for name in self.names if name in UNSEEN_IN_PRETRAINING)

    def summary(self, limit: int | None = None, source: str | None = None) -> str:
        """A table of input name -> vocabulary name (embedding row), then the dropped names
        and, in short, those outside ``keep``; with ``limit``, the first ``limit`` rows and
        dropped names and how many more there are (for a log; ``eegpt channels FILE`` shows them all, the recording ``source``'s
        path in that command where it is a file)."""
        shown = [printable_name(name) for name in self.input_names]
        width = max([len("input"), *(display_width(name) for name in shown)])
        lines = [f"ChannelMapping: {len(self)} channel(s) kept, {len(self.dropped)} dropped"]
        lines.append(f"  {'input':<{width}}  ->  vocabulary (row)")
        rows = list(zip(shown, self.names, self.chan_ids, strict=True))
        for inp, name, cid in rows[:limit]:
            note = "  [untrained embedding]" if name in UNSEEN_IN_PRETRAINING else ""
            lines.append(f"  {padded(inp, width)}  ->  {name} ({cid}){note}")
        if limit is not None and len(rows) > limit:
            lines.append(
                f"  ... and {len(rows) - limit} more (eegpt channels {file_argument(source)} "
                "lists them all)"
            )
        for reference in dict.fromkeys(self.referential.values()):
            n = sum(ref == reference for ref in self.referential.values())
            lines.append(
                f"  read as referential to {montage_spelling(reference)} (each derivation "
                f"X-{montage_spelling(reference)} as X): {n} channel(s)"
            )
        if self.dropped:
            dropped = [printable_name(name) for name in self.dropped]
            shown_dropped = ", ".join(dropped) if limit is None else few(dropped, limit)
            lines.append("  dropped: " + shown_dropped)
        if self.not_kept:
            other = [printable_name(name) for name in self.not_kept]
            # left out by choice, so named in short even where the table shows every row
            lines.append(
                f"  not kept (outside the {len(self.keep or ())} channels kept): "
                + few(other, limit or _LOGGED_ROWS)
            )
        return "\n".join(lines)

    def left_out_with(self, left_out: Mapping[str, str] | None) -> dict[str, str]:
        """``left_out`` (channel -> why it was left out, :attr:`eegpt.io.Recording.left_out`)
        with the channels outside ``keep`` added as ``"not kept"``: what outputs record."""
        return {**dict(left_out or {}), **dict.fromkeys(self.not_kept, "not kept")}

    def __str__(self) -> str:
        return self.summary()

    # the mapping on a head (eegpt.viz.plot_channel_mapping), bound to this mapping
    if TYPE_CHECKING:  # what type checkers see (eegpt._methods)
        plot = eegpt.viz.plot_channel_mapping
    else:
        plot = function_method("eegpt.viz", "plot_channel_mapping")

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (lists of str/int; ``"referential"`` only when a channel
        was read so, the ``rename_*`` provenance only when there is some); inverse of
        :meth:`from_dict`."""
        out: dict[str, Any] = {
            "input_names": list(self.input_names),
            "names": list(self.names),
            "picks": [int(p) for p in self.picks],
            "chan_ids": [int(c) for c in self.chan_ids],
            "dropped": list(self.dropped),
        }
        if self.referential:
            out["referential"] = dict(self.referential)
        if self.rename_source:
            out["rename_source"] = self.rename_source
        if self.rename_call:
            out["rename_call"] = self.rename_call
        if self.rename_distances_mm:
            out["rename_distances_mm"] = dict(self.rename_distances_mm)
        if self.keep is not None:
            out["keep"] = list(self.keep)
        if self.not_kept:
            out["not_kept"] = list(self.not_kept)
        if self.bipolar:
            out["bipolar"] = list(self.bipolar)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ChannelMapping:
        """Rebuild a mapping from :meth:`to_dict` output; the fields are validated."""
        missing = {"input_names", "names", "picks", "chan_ids"} - set(d)
        if missing:
            raise ValueError(f"ChannelMapping dict lacks {sorted(missing)}")
        return cls(
            input_names=tuple(str(x) for x in d["input_names"]),
            names=tuple(str(x) for x in d["names"]),
            picks=tuple(int(x) for x in d["picks"]),
            chan_ids=tuple(int(x) for x in d["chan_ids"]),
            dropped=tuple(str(x) for x in d.get("dropped", ())),
            referential={str(k): str(v) for k, v in (d.get("referential") or {}).items()},
            rename_source=d.get("rename_source"),
            rename_call=d.get("rename_call"),
            rename_distances_mm={
                str(k): float(v) for k, v in (d.get("rename_distances_mm") or {}).items()
            },
            keep=None if d.get("keep") is None else tuple(str(x) for x in d["keep"]),
            not_kept=tuple(str(x) for x in d.get("not_kept", ())),
            bipolar=tuple(str(x) for x in d.get("bipolar", ())),
        )


def table_provenance(table: Mapping[str, str | None] | None) -> dict[str, str]:
    """Where a ``rename`` table came from, as outputs record it: ``{"rename_source": ...}``
    (a file's path, a cap's name, what :func:`nearest_rename` was given) and, for a table of
    :func:`nearest_rename`, ``"rename_call"`` (its Python); ``{}`` for a dict of one's own.
    Entries given beside the table (``own``) are named after its source:
    ``"egi.tsv (with own entries: E17 left out)"``."""
    if not isinstance(table, RenameTable) or not table.source:
        return {}
    source = table.source
    own = [
        f"{key} left out" if table[key] is None else f"{key} -> {table[key]}"
        for key in table
        if key in table.own
    ]
    if own:  # entries given beside the table (--rename FILE --drop E17): said with it
        source += f" (with own entries: {few(own, 4)})"
    return {"rename_source": source, **({"rename_call": table.call} if table.call else {})}


def rename_text(channels: Mapping[str, Any]) -> str | None:
    """The one-line provenance of the rename table recorded in an output's
    ``metadata["channels"]`` (:meth:`ChannelMapping.to_dict`): ``"nearest 10-10 sites to
    GSN-HydroCel-129 (≤ 20 mm), eegpt.channels.nearest_rename('GSN-HydroCel-129'); 25
    channels 2.1-14.3 mm from their sites"``; None when none was recorded (no table, a dict of
    one's own, or an output of an earlier eegpt)."""
    source = channels.get("rename_source")
    if not source:
        return None
    call = channels.get("rename_call")
    text = f"{source}, {call}" if call else str(source)
    mm = list((channels.get("rename_distances_mm") or {}).values())
    if mm:
        text += f"; {len(mm)} channels {min(mm):.1f}-{max(mm):.1f} mm from their sites"
    return text


def map_channels(
    names: Sequence[str] | mne.io.BaseRaw | mne.BaseEpochs | mne.Info,
    *,
    rename: Mapping[str, str | None] | str | os.PathLike | None = None,
    on_unknown: Literal["drop", "raise"] = "drop",
    on_missing: Literal["raise", "ignore"] = "raise",
    keep: str | Sequence[str] | None = None,
    source: str | None = None,
    left_out: Mapping[str, str] | None = None,
    verbose: bool | str | int | None = None,
) -> ChannelMapping:
    """Map a recording's channel names onto the EEGPT vocabulary.

    Parameters
    ----------
    names : sequence of str | mne.io.Raw | mne.Epochs | mne.Info
        Channel names in recording order, or an MNE recording: then the channels that
        embedding it uses are mapped, as ``model.embed(raw)`` maps them: those typed EEG
        (``picks="eeg"``), without those marked bad (``info["bads"]``, with a warning), the
        others passed on as ``left_out``. The result equals the mapping embedding records
        (``ChannelMapping.from_dict(emb.metadata["channels"])``), so its ``picks`` index
        those EEG channels without the bads, not ``raw.ch_names``; the channels themselves
        are ``input_names`` (``raw.copy().pick(list(mapping.input_names))``).
        For a file, ``eegpt.streaming.open_stream(path).mapping`` is the mapping that
        ``eegpt channels FILE`` prints (reading the header only; ``picks=`` as for embedding).
    rename : dict of str to (str or None) | str | path-like | None
        Explicit choices that take precedence over :func:`normalize_channel_name`: input name ->
        vocabulary name (any spelling that normalises, e.g. ``{"E36": "C3"}``), or ``None`` to
        drop that channel on purpose (no warning). Keys must be in ``names`` unless
        ``on_missing="ignore"``. A cap's name (``"biosemi64"``) stands for its socket table
        (:func:`cap_rename`), a file's path for the table it holds (:func:`read_rename_table`);
        such tables (:class:`RenameTable`) describe a cap, so keys the recording lacks are
        ignored unless none of the table's keys names a channel. A cap's socket table is not
        applied to a recording whose labels are 10-10 names already (:func:`cap_rename`). A
        drop (``None``) of a name the recording has no label of drops the channel that
        another entry renames to that electrode (``{**cap_rename("biosemi64"), "C1": None}``
        drops socket A12, which the table names C1); one that no entry renames stays a
        label, as spelled, so ``{"C3": None}`` keeps a channel labelled ``EEG C3-REF`` (with a
        warning under ``on_missing="ignore"``; to leave an electrode out of every recording
        whatever its label, ``keep=["10-20", "-C3"]``).
    on_unknown : ``"drop"`` | ``"raise"``
        What to do with names that do not map: drop them with one warning listing them all, or
        raise a ``ValueError`` listing them.
    on_missing : ``"raise"`` | ``"ignore"``
        What to do with ``rename`` keys that are not in ``names``: raise (a typo is caught),
        or ignore them, so one ``rename`` can serve a corpus whose files have different
        channels.
    keep : str | sequence of str | None
        Use only these vocabulary channels (after ``rename``): names in any spelling that
        normalises (``["Fp1", "T3", "Cz"]``), a built-in set's name (``"10-20"``, the 19
        electrodes of the 10-20 system; :data:`CHANNEL_SETS`), or both, applied left to
        right, ``-NAME`` removing one (``["10-20", "Oz"]``, ``"10-20,-C3"``: a list or one
        comma-separated string; :func:`kept_channels`). Recordings of different
        systems then give embeddings of one channel set, on an average reference over the
        same electrodes (embeddings of different sets are not directly comparable). Channels
        mapped outside the set are left out (``not_kept``, no warning); kept names the
        recording lacks, or has but leaves out (marked bad, dropped), are named in one
        warning. Command line: ``--keep-channels 10-20``, ``--keep-channels Fp1,Fp2,Cz`` or
        ``--keep-channels 10-20,-C3``.
    source : str | None
        The recording (e.g. its path), named at the start of the warnings.
    left_out : dict of str to str | None
        Channels of the recording not in ``names`` and why (``"bad"``, or a channel type such
        as ``"eog"``; :attr:`eegpt.io.Recording.left_out`). ``rename`` keys naming them are no
        error: a cap's socket or a channel to drop that is marked bad or of another type is
        skipped, as is a rename of a bad channel (said when it was left out); a rename of a
        channel of another type raises, saying how to use it.
    verbose : bool | str | int | None
        If True (or ``"info"``), log the mapping table to the ``"eegpt"`` logger at INFO level.

    Returns
    -------
    ChannelMapping
        The kept channels in input order; ``picks`` index ``names`` (for an MNE recording,
        its EEG channels without the bads, see above).

    Raises
    ------
    ValueError
        If nothing maps, if two inputs map to the same vocabulary channel (e.g. ``T3`` and
        ``T7``), if ``rename`` is invalid, or if a name does not map and
        ``on_unknown="raise"``.

    Warns
    -----
    RuntimeWarning
        Once for all dropped unknown names, and once if a kept channel is one of
        :data:`UNSEEN_IN_PRETRAINING`.
    """
    if isinstance(names, str):
        raise TypeError(f"names must be a sequence of channel names, not a single str {names!r}")
    info = _mne_info(names)
    if info is not None:
        return _map_mne_channels(
            names, info, rename=rename, on_unknown=on_unknown, on_missing=on_missing,
            keep=keep, source=source, left_out=left_out, verbose=verbose,
        )  # fmt: skip
    names = list(names)
    odd = [name for name in names if not isinstance(name, str)]
    if odd:
        raise TypeError(
            f"names must be channel names (str), got {type(odd[0]).__name__} among them; for "
            "an MNE object other than Raw, Epochs or Info, pass its ch_names"
        )
    if on_unknown not in ("drop", "raise"):
        raise ValueError(f"on_unknown must be 'drop' or 'raise', got {on_unknown!r}")
    if on_missing not in ("raise", "ignore"):
        raise ValueError(f"on_missing must be 'raise' or 'ignore', got {on_missing!r}")
    kept_set = kept_channels(keep)
    table = rename_table(rename)
    check_net_table(table, names)
    where = f"{source}: " if source else ""
    rename = _matched_keys(_without_left_out(table, names, left_out or {}), names)
    unfit = _unfit_sockets(table, names)  # a cap's table on a recording of 10-10 names
    if unfit:
        _warn_unfit_sockets(unfit, names, table, where)
        rename = {key: value for key, value in rename.items() if key not in unfit}
    by_electrode = drops_by_electrode(rename, names)  # --drop C1: the socket named C1
    if by_electrode:
        rename = {k: v for k, v in rename.items() if k not in by_electrode}
        rename.update(dict.fromkeys(by_electrode.values()))
    # --drop C3 on a file labelled 'EEG C3-REF': labels as spelled, so that channel stays
    unmatched = _drops_of_other_labels(rename, names, table, kept_set)
    if unmatched and on_missing == "ignore":
        _warn(_unmatched_drops_note(unmatched, keep, where))
    _check_sockets(rename, names, table)  # the whole table: what it names beyond the recording
    cap = set(_table_sockets(rename))
    if on_missing == "ignore":
        rename = {key: value for key, value in rename.items() if key in names}
    elif isinstance(table, RenameTable):  # a cap's or a lab's: the labels this recording has
        labels = [key for key in rename if key not in table.own]
        if (
            labels
            and not any(key in names for key in labels)
            and not any(key in (left_out or {}) for key in table)
        ):
            raise ValueError(_foreign_table(table, names) + spelling_hint(list(table), names))
        rename = RenameTable(rename, table.own).for_channels(names)
    _check_rename(
        rename, names, cap=bool(_table_sockets(table)),
        note=_keep_without_note(unmatched, keep) if unmatched else "",
    )  # fmt: skip

    kept: list[tuple[int, str, str]] = []  # (pick, input name, vocabulary name)
    unknown: list[str] = []
    excluded: list[str] = []  # dropped on purpose via rename={name: None}
    # in a recording labelled by sockets, C1..C6 (BioSemi's bank C) are sockets, not the 10-10
    # electrodes of those names: they are used only as a rename maps them
    sockets = set(_socket_labels(names))
    # a montage whose derivations share one second electrode (Fp1-Cz, C3-Cz, O1-Cz) is
    # referential to it: each such channel is its first electrode against that reference. The
    # channels left out on purpose take no part: dropping Cz-Pz leaves a montage against Cz.
    considered = [name for name in names if name not in rename or rename[name] is not None]
    common = _common_references(considered)
    referential: dict[str, str] = {}  # input name -> its reference (vocabulary name)
    for i, name in enumerate(names):
        if name in rename:
            target = rename[name]
            if target is None:
                excluded.append(name)
                continue
            canonical = normalize_channel_name(target)
        elif name in sockets:
            canonical = None
        elif _bipolar(name) and (pair := _derivation(name)) and pair[1] in common:
            canonical, referential[name] = pair
        else:
            canonical = normalize_channel_name(name)
        if canonical is None:
            unknown.append(name)
        else:
            kept.append((i, name, canonical))
    outside_keep = [
        (inp, can) for _, inp, can in kept if kept_set is not None and can not in kept_set
    ]
    not_kept = [inp for inp, _ in outside_keep]
    kept = [row for row in kept if row[1] not in not_kept]
    targets = {name: str(rename[name]) for name in unknown if name in rename}
    # renamed one by one to an electrode outside the vocabulary: said apart, as a rename's
    # target (a cap's table names such electrodes on purpose: said with the other drops)
    renamed = {name: target for name, target in targets.items() if name not in cap}
    plain = [name for name in unknown if name not in renamed]
    targets.update(_against_common(unknown, common, rename))  # "A1-Cz": electrode A1
    chosen = {  # the copy of a label that MNE numbered apart which the rename keeps
        label: inp
        for _, inp, _ in kept
        if inp in rename and (label := _numbered_copy(inp)) is not None
    }

    if unknown and on_unknown == "raise":
        raise ValueError(
            f"{len(unknown)} channel name(s) are not in the EEGPT vocabulary: {unknown}."
            + _renamed_outside_note(renamed)
            + _dropped_note(plain, targets)
            + _bipolar_note(unknown)
            + f" Drop them ({how_to_drop(unknown)}; or on_unknown='drop', command line: without "
            "--strict-channels)." + _cap_note(unknown, source)
        )
    if not kept and not_kept:
        raise ValueError(
            "none of the channels to keep "
            f"({few([montage_spelling(n) for n in kept_set or ()], 6)}) is in the recording, "
            f"whose channels map to {few([montage_spelling(c) for _, c in outside_keep], 12)}: "
            "keep some of them, or leave this recording out"
        )
    if not kept:
        raise NoChannelMappedError(
            f"none of the {len(names)} channel names maps to the EEGPT vocabulary: "
            f"{shortened_list(names)}. "
            "Expected 10-10 scalp electrode names such as 'Fp1', 'EEG C3-REF' or 'T3'; "
            f"see eegpt.channels.VOCABULARY, or pass {_HOW_TO_MAP}."
            + _bipolar_note(names)
            + _cap_note(names, source),
            names=list(names),
        )
    _check_duplicates(kept)
    if kept_set is not None:
        outside = {k: v for k, v in table.items() if k not in unfit}  # as the table maps
        why = _why_left_out(outside, excluded, left_out or {}, sockets)
        _warn_missing_kept(kept_set, [can for _, _, can in kept], where, why)
    contacts = _contacts_warning([inp for _, inp, _ in kept if inp not in rename], names, where)
    if contacts:
        _warn(contacts)
    if renamed:
        it = "it" if len(renamed) == 1 else "them"
        _warn(
            f"{where}{_renamed_outside_note(renamed).strip()} Dropped "
            f"{shortened_list(list(renamed))}: to use "
            f"{it}, rename {it} to a vocabulary name; to leave {it} out without a warning: "
            f"{how_to_drop(list(renamed), merged=True)}."
        )
    if plain:
        # a montage of another naming scheme (e.g. EGI's E1..E128): say so first, with the
        # counts that add up to the recording's channels
        parts = [f"{len(excluded)} left out by the rename"] if excluded else []
        if not_kept:
            parts.append(f"{len(not_kept)} outside the channels to keep")
        if parts:
            parts.append(f"{len(unknown)} with names outside the vocabulary")
        aside = ": " + ", ".join(parts) if parts else ""
        only = (
            f"Only {len(kept)} of the {len(names)} channels are used{aside}. "
            if len(unknown) > len(kept)
            else ""
        )
        _warn(
            f"{where}{only}{len(plain)} channel(s) do not match the EEGPT vocabulary and were "
            f"dropped: {shortened_list(plain)}."
            + _dropped_note(plain, targets, chosen)
            + _bipolar_note(plain)
            + _cap_note(plain, source)
            + " Channels you leave out yourself (--drop NAME; rename={NAME: None}) are not "
            "warned about."
        )
    if referential:
        used = {can: inp for _, inp, can in kept}
        _warn(_referential_warning(referential, considered, used, where, bool(excluded)))
    _warn_mixed_references(
        [inp for _, inp, _ in kept if inp not in rename], referential, where, bool(rename)
    )
    # a derivation renamed to one electrode ('EEG Fpz-Cz' -> Fpz): still the difference
    bipolar = [(inp, can) for _, inp, can in kept if inp in rename and _bipolar(inp)]
    if bipolar:
        _warn(_renamed_bipolar_note(bipolar, where))
    unseen = [(inp, can) for _, inp, can in kept if can in UNSEEN_IN_PRETRAINING]
    if unseen:
        _warn(
            f"{where}channel(s) {[inp if inp == can else f'{inp} ({can})' for inp, can in unseen]}"
            " map to vocabulary "
            f"entries that no pretraining dataset contained ({', '.join(UNSEEN_IN_PRETRAINING)}); "
            "their embeddings are untrained, so consider excluding them "
            f"({how_to_drop([inp for inp, _ in unseen], merged=bool(rename))}) unless a "
            "fine-tuned model learned them."
        )

    dropped = [name for name in names if name in set(unknown) | set(excluded)]
    provenance = table_provenance(table)
    told = table if provenance and isinstance(table, RenameTable) else RenameTable()
    mapping = ChannelMapping(
        input_names=tuple(inp for _, inp, _ in kept),
        names=tuple(can for _, _, can in kept),
        picks=tuple(i for i, _, _ in kept),
        chan_ids=tuple(CHANNEL_INDEX[can] for _, _, can in kept),
        dropped=tuple(dropped),
        referential=referential,
        rename_source=provenance.get("rename_source"),
        rename_call=told.call,
        rename_distances_mm={  # (an entry of one's own is not the table's, nor its distance)
            inp: told.distances_mm[inp]
            for _, inp, _ in kept
            if inp in told.distances_mm and inp not in told.own
        },
        keep=kept_set,
        not_kept=tuple(not_kept),
        bipolar=tuple(inp for inp, _ in bipolar),
    )
    _log(mapping.summary(limit=_LOGGED_ROWS, source=source), verbose)
    return mapping


#: Rows of a channel table, and names in a list, that a log or a warning shows (the full lists
#: stay in the mapping and the outputs' metadata).
_LOGGED_ROWS = 12


def _warn_missing_kept(
    keep: Sequence[str], used: Sequence[str], where: str, why: Mapping[str, str]
) -> None:
    """Warn once of the channels of ``keep`` (vocabulary names) that the recording does not
    use (``used``: its kept vocabulary names): those it lacks, and those it has but left out
    (``why``: vocabulary name -> ``"marked bad"``, ``"dropped"``, ``"typed eog"`` ...). Its
    embeddings see fewer channels than those of recordings that use them all."""
    missing = [name for name in keep if name not in used]
    if not missing:
        return
    absent = [montage_spelling(name) for name in missing if name not in why]
    present: dict[str, list[str]] = {}
    for name in missing:
        if name in why:
            present.setdefault(why[name], []).append(montage_spelling(name))
    parts = []
    if absent:
        parts.append(
            f"{len(absent)} of the {len(keep)} channels to keep are not in this recording: "
            f"{few(absent, 8)}."
        )
    if present:
        n = sum(len(names) for names in present.values())
        reasons = "; ".join(f"{why}: {few(names, 8)}" for why, names in present.items())
        verb = "is" if n == 1 else "are"
        parts.append(
            f"{n} of the {len(keep)} channels to keep {verb} left out of this recording "
            f"({reasons})."
        )
    _warn(
        f"{where}{' '.join(parts)} Its embeddings see the other {len(used)} only, fewer "
        "electrodes than those of recordings that use them all."
    )


def _renamed_outside_note(renamed: Mapping[str, str]) -> str:
    """A sentence on channels that a rename names as electrodes outside the vocabulary
    (``{"TP9": "M1"}``), with the vocabulary name each target may be a misspelling of; ``""``
    for none."""
    if not renamed:
        return ""
    pairs = ", ".join(f"{name!r} to {target!r}" for name, target in renamed.items())
    what = (
        ("which is not an EEGPT vocabulary name", "it")
        if len(renamed) == 1
        else ("which are not EEGPT vocabulary names", "them")
    )
    return (
        f" rename maps {pairs}, {what[0]} (eegpt.channels.VOCABULARY): the model has no "
        f"embedding for {what[1]}." + vocabulary_hint(renamed.values())
    )


def vocabulary_hint(targets: Iterable[str]) -> str:
    """A sentence naming, for each of ``targets`` (rename targets outside the vocabulary), the
    vocabulary name it is probably a misspelling of (``"FCZZ"`` -> ``"FCZ"``; none for
    ``"M1"``, ``"TP9"`` or ``"F10"``, electrodes of their own); ``""`` when there is none."""
    hints = [f"{t!r} -> {close!r}" for t in targets if (close := _closest_vocabulary(t))]
    return f" Did you mean {', '.join(hints)}?" if hints else ""


def _closest_vocabulary(name: str) -> str | None:
    """The vocabulary name that ``name`` (not one) is most probably a misspelling of
    (``"FCZZ"`` -> ``"FCZ"``); None when none is close (``"M1"``), and for a 10-10/10-05
    electrode outside the vocabulary (``"F10"``, ``"FCCz"``), a site of its own that a near
    spelling (``"F1"``) would put elsewhere on the head."""
    if is_other_electrode(name):
        return None
    close = difflib.get_close_matches(_label_key(name), VOCABULARY, n=1, cutoff=0.7)
    return close[0] if close else None


def _mne_info(obj: Any) -> mne.Info | None:
    """The ``mne.Info`` of an MNE Raw, Epochs or Info; None for anything else (MNE, not
    imported by this module, cannot have made an object before it is imported)."""
    if "mne" not in sys.modules:
        return None
    import mne

    if isinstance(obj, mne.Info):
        return obj
    return obj.info if isinstance(obj, (mne.io.BaseRaw, mne.BaseEpochs)) else None


def _map_mne_channels(
    inst: mne.io.BaseRaw | mne.BaseEpochs | mne.Info,
    info: mne.Info,
    *,
    source: str | None,
    left_out: Mapping[str, str] | None,
    **kwargs: Any,
) -> ChannelMapping:
    """:func:`map_channels` of an MNE recording: the mapping embedding makes and records
    (:func:`eegpt.preprocessing.map_info_channels`), ``picks`` into the channels picked."""
    from eegpt.io import mne_source
    from eegpt.preprocessing import map_info_channels

    if left_out is not None:
        raise TypeError(
            "left_out is for a list of channel names; an MNE recording's channels left out "
            "(bad, of another type) are taken from its info"
        )
    if source is None:
        source = "<Info>" if inst is info else mne_source(inst)
    return map_info_channels(info, source, **kwargs)[1]


def _against_common(
    unknown: Sequence[str], common: set[str], rename: Mapping[str, str | None]
) -> dict[str, str]:
    """The electrodes outside the vocabulary that ``unknown`` names against a common
    reference of the montage (``{"A1-Cz": "A1"}`` in a montage against Cz), to be said as
    such when they are dropped."""
    out = {}
    for name in unknown:
        parts = _label_parts(name)
        if (
            name not in rename
            and len(parts) == 2
            and normalize_channel_name(parts[1]) in common
            and is_other_electrode(parts[0])
        ):
            out[name] = parts[0]
    return out


def _warn_mixed_references(
    names: Sequence[str], referential: Mapping[str, str], where: str, merged: bool
) -> None:
    """Warn when the labels of the used channels ``names`` name more than one reference
    (``Fp1-Ref`` beside ``C3-LE``; ``C3-M2`` beside ``C4-M1``; ``referential``: the channels
    read against a montage's common electrode): the model takes them as if they shared one.
    Labels without a reference say nothing of it and count for none; spellings of one
    reference (``REF`` and ``Ref``, ``AVG`` and ``AV``, ``LE`` and ``A1+A2``) count as one."""
    by_reference: dict[str, list[str]] = {}
    labels: dict[str, list[str]] = {}  # each reference: its labels (upper case) in the names
    for name in names:
        parts = _label_parts(name)
        if name in referential:
            label = key = montage_spelling(referential[name])
        elif len(parts) == 2 and parts[1] in _REFERENCE_LABELS:
            label, key = parts[1], _REFERENCE_KEYS[parts[1]]
        else:
            continue
        by_reference.setdefault(key, []).append(name)
        labels.setdefault(key, []).append(label)
    if len(by_reference) < 2:
        return
    groups = "; ".join(
        f"{few(group)} against {'/'.join(dict.fromkeys(labels[key]))}"
        for key, group in by_reference.items()
    )
    if _both_sides(set(by_reference)):  # ears or mastoids of both sides, as in sleep montages
        linked = ["A1", "A2"] if set(by_reference) <= {"A1", "A2"} else ["M1", "M2"]
        _warn(
            f"{where}the channels used are referenced to different sites ({groups}), as in "
            "sleep montages. EEGPT takes every channel as if on one common reference (as in "
            "its pretraining recordings), so the model sees left and right against different "
            "references; if the recording has both reference channels, re-reference to one "
            f"(e.g. raw.set_eeg_reference({linked})) before embedding."
        )
        return
    most = max(by_reference.values(), key=len)
    others = [name for group in by_reference.values() if group is not most for name in group]
    _warn(
        f"{where}the channels used are referenced to different sites, as their labels say "
        f"({groups}). EEGPT takes every channel as if on one common reference (as in its "
        "pretraining recordings), so channels against different references are not comparable "
        "to it. Export the recording with one reference for all channels, or use the channels "
        f"of one reference only (e.g. {how_to_drop(others, merged)}). If the labels only "
        "spell one reference differently, name the channels yourself (rename={NAME: VOCAB}; "
        "command line: --rename NAME=VOCAB): channels you rename are not checked."
    )


def _folded(name: str) -> str:
    """A channel name without case, with its spaces collapsed and look-alike characters made
    plain (``' Fc1 '`` -> ``'fc1'``; :func:`plain_label`)."""
    return plain_label(name).casefold()


def present_keys(rename: dict[str, str | None], names: Sequence[str]) -> dict[str, str | None]:
    """The entries of ``rename`` whose key names one of ``names`` as :func:`map_channels`
    matches keys (spaces around a label and look-alike characters ignored: :func:`plain_label`)."""
    plain = {plain_label(name) for name in names}
    return {key: value for key, value in rename.items() if plain_label(key) in plain}


def _matched_keys(rename: dict[str, str | None], names: Sequence[str]) -> dict[str, str | None]:
    """``rename`` with each key that is not a channel name but is one when surrounding and
    repeated spaces and look-alike characters are ignored (:func:`plain_label`) replaced by that
    channel's name (``'fc1'`` for a label stored as ``'fc1 '``: the command line strips what is
    typed; ``'F7-Ref'`` for one stored as ``'F7–Ref'`` or, in an EDF file written with cp1252,
    ``'F7\\x96Ref'``: what is typed has a plain ``-``). An exact name wins. Case is not ignored:
    in a corpus,
    ``--drop FP1`` meant for one file's duplicate must not take another file's ``Fp1``; a key
    in another case gets a hint instead (:func:`spelling_hint`). A key that fits several names
    is an error."""
    exact = set(names)
    by_plain: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        by_plain.setdefault(plain_label(name), []).append(name)
    out: dict[str, str | None] = {}
    for key, value in rename.items():
        hits = [] if key in exact else by_plain.get(plain_label(key), [])
        if len(hits) > 1:
            raise ValueError(
                f"rename key {key!r} matches several channels when spaces and look-alike "
                f"characters (dashes, full-width letters) are ignored ({hits}); give the exact "
                "name"
            )
        name = hits[0] if hits else key
        if name in out and out[name] != value:
            raise ValueError(f"rename keys name channel {name!r} twice, with different targets")
        out[name] = value
    return out


def _other_number(a: str, b: str) -> bool:
    """``a`` and ``b`` differ in their numbers, and else at most in case and separators
    (``"EEG-0"``, ``"EEG 8"``): other channels of one numbering, not misspellings of each other
    (``"TP09"`` and ``"TP9"`` are)."""
    numbers = [[int(n) for n in re.findall(r"\d+", x)] for x in (a, b)]
    letters = [re.sub(r"[\s_.-]+", "", re.sub(r"\d+", "0", x)).casefold() for x in (a, b)]
    return letters[0] == letters[1] and numbers[0] != numbers[1]


def spelling_hint(keys: Sequence[str], names: Sequence[str]) -> str:
    """A sentence naming, for each of ``keys`` (rename/drop keys that matched no channel), the
    channel of ``names`` it was probably meant for: the same letters in another case or with
    other spacing; for an electrode name, the channel that maps to that electrode ('Fp1' ->
    'EEG Fp1-REF'); for any other key, a close spelling (difflib: 'Chl' -> 'Ch1'; never
    another electrode for an electrode, so 'Fp1' does not suggest 'Fp2', nor a label that
    differs only in its number, 'EEG-0' -> 'EEG-8'). Labels are compared with look-alike
    characters made plain (:func:`plain_label`). The sentence says that letter case counts
    when a suggestion differs from its key in case, and names the characters that differ
    (escaped, as they do not show) when a suggestion differs from its key in look-alikes
    (``'Fp1–Ref'`` for a label decoded as ``'Fp1\\x96Ref'``). ``""`` when none is found."""
    folded: dict[str, str] = {}
    electrodes: dict[str, str] = {}
    for name in names:
        folded.setdefault(_folded(name), name)
        canonical = normalize_channel_name(name)
        if canonical is not None:
            electrodes.setdefault(canonical, name)
    found = []
    by_plain: dict[str, str] = {}  # difflib compares labels made plain
    for name in names:
        by_plain.setdefault(plain_label(name), name)
    case = False
    lookalikes: list[str] = []
    for key in keys:
        hit = folded.get(_folded(key))
        canonical = normalize_channel_name(key)
        if hit is None and canonical is not None:
            hit = electrodes.get(canonical)
        elif hit is None:
            close = difflib.get_close_matches(plain_label(key), list(by_plain), n=3, cutoff=0.6)
            hit = next(
                (by_plain[name] for name in close if not _other_number(plain_label(key), name)),
                None,
            )
        if hit is None or hit == key:
            continue
        found.append(f"{key!r} -> {hit!r}")
        if _folded(key) != _folded(hit):
            continue  # another spelling: neither case nor look-alikes explain it
        case = case or plain_label(key) != plain_label(hit)
        if " ".join(key.split()).casefold() != " ".join(hit.split()).casefold():
            lookalikes.append(f"{ascii(hit)} in the file, {ascii(key)} given")
    if not found:
        return ""
    notes = " Letter case counts." if case else ""
    if lookalikes:
        notes += (
            " The file's label holds a different character that looks alike (escaped: "
            + "; ".join(lookalikes)
            + ")."
        )
    return f" Did you mean: {', '.join(found)}?{notes}"


def unmatched_rename_warning(
    rename: Mapping[str, str | None] | str | os.PathLike | None,
    seen: Sequence[str],
    n_recordings: int,
) -> str | None:
    """The warning for ``rename`` keys (``--rename``/``--drop`` names) that matched no channel
    of ``n_recordings`` recordings whose channel names together were ``seen``; ``None`` when
    every key matched one (or nothing was read)."""
    table = rename_table(rename)
    present = present_keys(table, seen)  # as map_channels matches keys
    cap = set(_table_sockets(table))  # a cap's table: not every file has all its sockets
    by_electrode = drops_by_electrode(table, seen)  # --drop C1: a socket renamed C1
    keys = [key for key in table if key not in present and key not in cap]
    keys = [key for key in keys if key not in by_electrode]
    if isinstance(table, RenameTable) and any(key not in table.own for key in present):
        keys = [key for key in keys if key in table.own]  # a table: some of its labels suffice
    if not keys or not n_recordings:
        return None
    labels = [key for key in table if not isinstance(table, RenameTable) or key not in table.own]
    if isinstance(table, RenameTable) and labels and not any(k in present for k in labels):
        return _foreign_table(table, seen, n_recordings) + spelling_hint(list(table), seen)
    return (
        f"--rename/--drop name(s) {sorted(keys)} matched no channel of the {n_recordings} "
        f"recording(s); check their spelling." + spelling_hint(sorted(keys), seen)
    )


def _without_left_out(
    rename: Mapping[str, str | None] | str | None, names: list[str], left_out: Mapping[str, str]
) -> dict[str, str | None]:
    """The ``rename`` table without the keys naming channels left out of ``names`` (see
    :func:`map_channels`); a rename of a channel of another type is an error."""
    table = rename_table(rename)
    outside = [key for key in table if key not in names and key in left_out]
    own = table.own if isinstance(table, RenameTable) else set(table)  # a cap's: may skip
    wanted = [
        key for key in outside if table[key] is not None and left_out[key] != "bad" and key in own
    ]
    unpicked = [key for key in wanted if left_out[key] == "not picked"]
    if unpicked:
        raise ValueError(
            f"channel(s) {unpicked} named in rename (--rename) are not among the channels "
            "picked (picks=, --picks): add them to the picks, or leave them out of the rename"
        )
    if wanted:
        types = {key: left_out[key] for key in wanted}
        raise ValueError(
            f"channel(s) {', '.join(f'{k} ({t})' for k, t in types.items())} named in rename "
            "(--rename) are not used: their type is not EEG. To use them as EEG, set their type "
            f"first (inst.set_channel_types({ {k: 'eeg' for k in wanted} }) of the Raw or "
            f"Epochs), or pick them where picks are taken (picks={wanted!r}, --picks)"
        )
    return {key: value for key, value in table.items() if key not in outside}


def _foreign_table(table: RenameTable, names: Sequence[str], n_recordings: int = 1) -> str:
    """What to say of a table none of whose labels names a channel of the recording(s)
    (``names``: their channels): probably another cap's or dataset's, with a few labels of
    each side by side."""
    labels = [key for key in table if key not in table.own]
    name = f" {table.source!r}" if table.source else ""
    where = "this recording" if n_recordings == 1 else f"the {n_recordings} recordings"
    return (
        f"none of the {len(labels)} labels of the rename table{name} names a channel of "
        f"{where}: the table has {shortened_list(labels, 4)}, the recording(s) "
        f"{shortened_list(list(dict.fromkeys(names)), 4)}. It is probably another cap's or "
        "dataset's table: use the one of the cap or dataset the data were recorded with, or "
        f"name the channels yourself ({_HOW_TO_MAP})."
    )


def _check_rename(
    rename: dict[str, str | None], names: list[str], cap: bool = False, note: str = ""
) -> None:
    """Refuse ``rename`` keys that name no channel of ``names`` (``cap``: a cap's socket
    table was given, which may be the wrong cap's; ``note``: a sentence to add, such as how
    to leave an electrode out whatever its label) and values that name no electrode."""
    missing = [key for key in rename if key not in names]
    if missing:
        sockets = sum(bool(_SOCKET.match(key)) for key in missing)
        of_cap = (
            f" The recording lacks {sockets} socket labels of the cap's table: if they come "
            "from cap_rename (--rename biosemi64), check that the cap is the one recorded with "
            "(32 electrodes: 'biosemi32'); if channels were removed from it, pass "
            "on_missing='ignore'."
            if cap and sockets > len(missing) / 2
            else ""
        )
        raise ValueError(
            f"channel(s) to rename or drop {missing} (rename keys; --rename/--drop on the "
            f"command line) are not among the channel names {shortened_list(names)}; check "
            "their spelling."
            + spelling_hint(missing, names)
            + of_cap
            + note
            + " (A rename meant only for the recordings that have the channel: a table, "
            "rename='FILE' or eegpt.channels.RenameTable({...}), whose labels a recording may "
            "lack, or on_missing='ignore' where a function takes it; the command line ignores "
            "such names when it is given several recordings.)"
        )
    bad = {
        key: value
        for key, value in rename.items()
        if value is not None
        and (
            not isinstance(value, str)
            or (normalize_channel_name(value) is None and not is_other_electrode(value))
        )
    }
    if bad:
        raise ValueError(
            "rename values must be EEGPT vocabulary names (or None to drop): "
            f"{', '.join(f'{k!r}: {v!r}' for k, v in bad.items())}; see "
            "eegpt.channels.VOCABULARY."
            + vocabulary_hint(v for v in bad.values() if isinstance(v, str))
        )


def _check_duplicates(kept: list[tuple[int, str, str]]) -> None:
    by_target: dict[str, list[str]] = {}
    for _, inp, can in kept:
        by_target.setdefault(can, []).append(inp)
    clashes = {can: inps for can, inps in by_target.items() if len(inps) > 1}
    if clashes:
        detail = "; ".join(f"{inps} -> {can}" for can, inps in clashes.items())
        others = [inp for inps in clashes.values() for inp in inps[1:]]
        raise DuplicateChannelsError(
            f"several input channels map to the same EEGPT channel: {detail}. Keep one of each "
            f"so no embedding is used twice, e.g. drop the later ones: {how_to_drop(others)}.",
            later=others,
        )
