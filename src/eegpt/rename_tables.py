"""``rename`` tables: a cap's, a net's or a lab's channel labels named as electrodes.

:class:`RenameTable` and its files (:func:`read_rename_table`, :func:`write_rename_table`);
the built-in tables (:data:`CAPS`) of caps whose files name amplifier sockets (BioSemi,
:func:`cap_rename`) and of a dataset's labels; socket labels and EGI electrode numbers
recognised, with the table to use for them; and a table applied to one recording: the checks
that it is the recording's cap or net, the keys and drops that name its channels, and the
provenance outputs record. Tables made from electrode positions are in
:mod:`eegpt.nearest_sites`. :mod:`eegpt.channels` re-exports the public names.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from eegpt._filenames import command_word, user_path
from eegpt._logging import few
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.text_tables import table_text
from eegpt.vocabulary import (
    AASM_EOG,
    OTHER_SIGNALS,
    contact_runs,
    electrode_key,
    is_other_electrode,
    is_ten_five_site,
    montage_spelling,
    normalize_channel_name,
    present_keys,
    printable_name,
    shortened_list,
    spelling_hint,
    typed_name,
)

__all__ = ["CAPS", "RenameTable", "cap_rename", "read_rename_table", "write_rename_table"]


# How to map or drop a channel, in Python and on the command line (error messages say both).
HOW_TO_MAP = "rename={input_name: vocabulary_name} (command line: --rename 'NAME=VOCAB')"


#: Channels :func:`how_to_drop` names in its advice; more are counted (a clipping check of
#: 59 channels listed every one twice, several kB of text)
DROP_ADVICE_NAMES = 5


def how_to_drop(names: Sequence[str], merged: bool = False, limit: int = DROP_ADVICE_NAMES) -> str:
    """How to leave these channels out, in Python and on the command line:
    ``rename={'F4': None}; command line: --drop F4`` (``merged``: a rename is in use already,
    so the entries are to be added to it). Of more than ``limit`` channels the first ``limit``
    are shown and the others counted, with the shorter ways for many: a ``--rename`` file
    that drops them, or ``--keep-channels`` with the others."""
    shown = list(names[:limit])
    more = len(names) - len(shown)
    python = ", ".join(f"{name!r}: None" for name in shown) + (", ..." if more else "")
    command = " ".join(f"--drop {shlex.quote(name)}" for name in shown)
    where = f"add {python} to rename" if merged else f"rename={{{python}}}"
    if not more:
        return f"{where}; command line: {command}"
    return (
        f"{where}; command line: {command} and {more} more --drop options, one per channel "
        f"({len(names)} in all; with this many, --rename FILE with a line for each, its name "
        "and a tab with no electrode after it, leaves them out, or --keep-channels NAMES keeps "
        "the others)"
    )


#: Built-in label tables, with the number of electrodes: caps whose files name channels by
#: socket (BioSemi: ``A1``..``A32``, ``B1``..``B32``), whose socket -> electrode table is MNE's
#: standard montage of the same name (channels listed in socket order), and the labels of a
#: public dataset's files (``"bci-iv-2a"``: BCI Competition IV 2a's GDF files, ``EEG-Fz``,
#: ``EEG-0`` ... ``EEG-16``, :data:`_DATASET_TABLES`).
CAPS: dict[str, int] = {"biosemi32": 32, "biosemi64": 64, "bci-iv-2a": 22}

#: The label tables of :data:`CAPS` that are no MNE montage. BCI Competition IV 2a's GDF files
#: label 6 of the 22 electrodes by name (``EEG-Fz``) and number the others in the order of the
#: dataset's description (``EEG-0`` is FC3 ... ``EEG-16`` is POz); their three EOG channels
#: (``EOG-left``, ``EOG-central``, ``EOG-right``), which MNE reads from the GDF files as EEG,
#: are dropped (None), as the table knows them: no warning on every recording.
_DATASET_TABLES: dict[str, dict[str, str | None]] = {
    "bci-iv-2a": {
        "EEG-Fz": "Fz", "EEG-0": "FC3", "EEG-1": "FC1", "EEG-2": "FCz", "EEG-3": "FC2",
        "EEG-4": "FC4", "EEG-5": "C5", "EEG-C3": "C3", "EEG-6": "C1", "EEG-Cz": "Cz",
        "EEG-7": "C2", "EEG-C4": "C4", "EEG-8": "C6", "EEG-9": "CP3", "EEG-10": "CP1",
        "EEG-11": "CPz", "EEG-12": "CP2", "EEG-13": "CP4", "EEG-14": "P1", "EEG-Pz": "Pz",
        "EEG-15": "P2", "EEG-16": "POz",
        "EOG-left": None, "EOG-central": None, "EOG-right": None,
    },
}  # fmt: skip

# A socket label of a BioSemi cap (A1 .. H32: bank letter and socket number), as its tables key
# electrodes.
SOCKET = re.compile(r"^[A-H]([1-9]|[12][0-9]|3[0-2])$")
_EGI = re.compile(r"^E[1-9][0-9]{0,2}$")  # EGI HydroCel electrode numbers E1..E256
# The inputs of an OpenBCI board as its GUI names them (EXG Channel 0 .. EXG Channel 15): the
# pins the user's electrodes were plugged into, wherever on the head they were placed.
OPENBCI_INPUT = re.compile(r"^\s*EXG\s+CHANNEL\s+\d{1,2}\s*$", re.IGNORECASE)


def openbci_note(names: Sequence[str]) -> str:
    """A sentence about OpenBCI's input labels (``EXG Channel 0`` ..) among ``names``: they
    name the board's inputs, not electrodes, so each is to be renamed to the site its
    electrode was placed at; ``""`` for none."""
    inputs = [name for name in names if OPENBCI_INPUT.match(name)]
    if not inputs:
        return ""
    example = inputs[0]
    return (
        f" {shortened_list(inputs, 3)} look like OpenBCI's inputs, which name the board's pins, "
        "not electrodes: eegpt cannot tell where you placed each electrode, so rename each "
        f"input to that 10-10 site, e.g. rename={{{example!r}: 'Fp1', ...}} (command line: "
        f"--rename {shlex.quote(f'{example}=Fp1')} ..., or a table file: --rename FILE); see "
        "docs/montages.md, 'From a device's CSV'."
    )


_DROP_WORDS = ("", "-", "none", "null", "drop")

NEAREST = "nearest 10-10 sites to"  # how the source of a nearest_rename table starts
# the distance write_rename_table notes after an entry of a table made from positions
_DISTANCE_NOTE = re.compile(r"\s# (\d+(?:\.\d+)?) mm\s*$")


class RenameTable(dict):
    """A ``rename`` that describes a cap or a lab's labels rather than one recording: the
    tables of :func:`read_rename_table` and :func:`cap_rename` (``rename="FILE"`` or a cap's
    name too). :func:`eegpt.channels.map_channels` uses the entries naming the recording's channels and
    ignores the others (a recording of some of the cap's channels, ``epochs.pick([...])``), but
    refuses a table of which no label names a channel (the wrong table, or misspelt labels).
    Wrap a dict of your own to use it so: ``RenameTable({"EEG 1": "Fp1", ...})``.

    ``own`` are keys given one by one beside the table (``--rename FILE --rename X=C3``),
    which must each name a channel. ``source`` names the table in messages: a cap's name
    (``"bci-iv-2a"``) or a file's path, as :func:`cap_rename` and :func:`read_rename_table`
    set it; None for a table of one's own. ``distances_mm`` (label -> mm) are how far each
    label's electrode lies from the site it is renamed to, for tables made from positions
    (:func:`eegpt.nearest_sites.nearest_rename`, which also sets ``call``: the Python that gives the table).
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
        table key is among ``names``, for :func:`eegpt.channels.map_channels` to refuse with its spelling
        help."""
        present = {key: value for key, value in self.items() if key in names or key in self.own}
        if any(key in names for key in present if key not in self.own):
            return present
        return dict(self)


def read_rename_table(path: str | os.PathLike) -> RenameTable:
    """A ``rename`` table from a file, for a cap whose socket labels no built-in table
    (:func:`cap_rename`) names, or a lab's own labels.

    Formats: JSON (an object ``{"label": "electrode", ...}``, ``null`` to drop), or text with
    one channel per line, its label and its electrode separated by a tab, a comma or ``=``, or
    by ``;`` in every line (European Excel's CSV) (``.tsv``, ``.csv``, ``.txt``; UTF-8 with or
    without a BOM, UTF-16 with one, as :func:`eegpt.text_tables.table_text` reads tables; a
    first line whose electrode column names no electrode is a heading, such as
    ``channel,electrode``, and skipped; ``#`` at a line's start or after a
    space starts a comment, so ``Ch#6`` is a label; a comment ``# 12.3 mm`` ending an entry,
    as :func:`write_rename_table` writes them, is read as its distance, mm, into
    ``distances_mm``). An empty electrode, ``-``,
    ``none`` or ``drop`` leaves the channel out (as ``None``). Electrodes are checked where
    the table is used (:func:`eegpt.channels.map_channels`): EEGPT vocabulary names, or other 10-05
    electrodes, which are dropped with a warning that names them.

    On the command line: ``--rename FILE``. The table may name more channels than a recording
    has (:class:`RenameTable`).

    Raises
    ------
    ValueError
        Naming the file and the line that is not such an entry, or a label given twice.
    """
    path = user_path(path)
    # labels copied from a header: Latin-1 where not UTF-8 (nor UTF-16), as MNE decodes them
    text = table_text(path, legacy="latin-1")
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
    net = lines[0][2:].strip() if lines and lines[0].startswith(f"# {NEAREST} ") else None
    # ';' (European Excel's CSV) only where every entry has it and no other separator: a
    # label of one file with a ';' in it stays the label
    entries = [e for e in (re.sub(r"(^|\s)#.*$", "", line).strip() for line in lines) if e]
    semicolons = bool(entries) and all(";" in e and not re.search("[\t,=]", e) for e in entries)
    separators = (";",) if semicolons else ("\t", ",", "=")
    for number, line in enumerate(lines, 1):
        mm = _DISTANCE_NOTE.search(line)
        # a comment starts a line or follows a space ("Ch#6" is a label); a tab may end the
        # line: an empty electrode
        line = re.sub(r"(^|\s)#.*$", "", line).strip(" \r\n")
        if not line.strip():
            continue
        sep = next((c for c in separators if c in line), None)
        if sep is None:
            raise ValueError(
                f"rename table {path}, line {number}: {line!r} is not 'label<TAB>electrode' "
                "(or separated by ',', '=' or, in every line, ';'; an empty electrode drops the "
                "channel)"
            )
        label, target = (_unquoted(part) for part in line.split(sep, 1))
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


def _unquoted(part: str) -> str:
    """A field of a rename table's line without its surrounding spaces and quotes: a field
    quoted whole (``"A1"``, as a spreadsheet writes it) loses the quotes, and a doubled quote
    inside it stands for one (a label ``"X1"`` written so reads back as ``"X1"``), as CSV
    reads it; stray quotes at either end of a field not quoted whole are dropped."""
    part = part.strip()
    if len(part) >= 2 and part[0] == part[-1] == '"':
        return part[1:-1].replace('""', '"')
    return part.strip('"')


def _quoted(label: str) -> str:
    """``label`` as :func:`write_rename_table` writes it: quoted CSV-style (its quotes doubled)
    where it starts or ends with a quote, which :func:`_unquoted` would otherwise drop."""
    if label.startswith('"') or label.endswith('"'):
        return '"' + label.replace('"', '""') + '"'
    return label


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
    64-electrode recording) is refused by :func:`eegpt.channels.map_channels`; one with fewer of the cap's
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
    ``EEG-0`` ... ``EEG-16``; ``--rename bci-iv-2a``) and drops their three EOG channels
    (``EOG-left``, ``EOG-central``, ``EOG-right``: ``None``), which MNE reads as EEG, without
    a warning.

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


def cap_channels(cap: str) -> tuple[str, ...]:
    """The vocabulary names of the electrodes of a built-in table (:data:`CAPS`, ``cap`` as
    :func:`cap_name` reads it), as ``keep=`` takes them (``--keep-channels bci-iv-2a``: the
    22 electrodes of BCI Competition IV 2a; ``biosemi64``: 60, its ``P9``, ``Iz``, ``AFz`` and
    ``P10`` being outside the vocabulary); its dropped labels (None) name none."""
    names = (normalize_channel_name(v) for v in cap_rename(cap).values() if v is not None)
    return tuple(dict.fromkeys(name for name in names if name is not None))


def egi_labels(names: Sequence[str]) -> list[str]:
    """The EGI electrode numbers (``E1`` .. ``E256``, any case, spaces around them) among
    ``names``, in their order."""
    return [name for name in names if _EGI.match(name.strip().upper())]


def egi_montage(labels: Sequence[str]) -> str:
    """MNE's montage of the EGI HydroCel net whose electrode numbers ``labels`` (``E1``..)
    are, told by the highest number rather than by how many there are: a file of part of a
    net (``E2``, ``E4`` .. ``E120``) is of the larger net. The 32, 64, 128 and 256 electrode
    nets' montages add their reference (VREF, as ``Cz``), which a file may number ``E33``,
    ``E65``, ``E129`` or ``E257``: those numbers still belong to the smaller net."""
    highest = max(int(label.strip()[1:]) for label in labels)
    nets = ((33, "GSN-HydroCel-32"), (65, "GSN-HydroCel-65_1.0"), (129, "GSN-HydroCel-129"))
    return next((name for size, name in nets if highest <= size), "GSN-HydroCel-257")


def file_argument(source: str | None) -> str:
    """``source`` as a command line's argument (:func:`~eegpt._filenames.command_word`:
    shell-quoted, ``./-dash.edf`` for a name that begins with '-') where it is a file, so that
    a hint's command can be run as it is shown; ``FILE`` for data made in memory."""
    return command_word(source) if source and Path(source).is_file() else "FILE"


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
    (:func:`egi_montage`)."""
    net = egi_montage(labels)
    return (
        "name each electrode after its nearest 10-10 site by the net's layout (MNE's "
        f"{net!r} montage, if that is the net): {nearest_advice(net, source, 'egi.tsv')}."
    )


def _biosemi_montage(n_sockets: int) -> str:
    """MNE's montage of the BioSemi cap of more than 64 electrodes with ``n_sockets`` sockets."""
    return next((f"biosemi{n}" for n in (128, 160) if n_sockets <= n), "biosemi256")


def net_rows(table: Mapping[str, str | None], names: Sequence[str]) -> dict[str, str]:
    """For a table that lists a net's or montage's electrodes (:attr:`RenameTable.net`: made
    by :func:`eegpt.nearest_sites.nearest_rename`, as ``--nearest standard_1005``), whose rows
    carry the montage's bare labels: the recording's labels (``names``) that name one of its
    electrodes with a prefix or a reference, in any letter case (Emotiv's ``EEG.AF3``, TUH's
    ``EEG FP1-REF``), each -> that row's label (``AF3``, ``Fp1``). Labels that are rows
    themselves, and rows the recording has as they are, are left out; {} for other tables."""
    if not getattr(table, "net", None):
        return {}
    rows: dict[str, str] = {}
    for key in table:
        rows.setdefault(electrode_key(key), key)
    present = set(names)
    return {
        name: rows[electrode_key(name)]
        for name in names
        if name not in table
        and electrode_key(name) in rows
        and rows[electrode_key(name)] not in present
    }


def with_net_rows(table: Any, names: Sequence[str]) -> Any:
    """``table`` with a row for each of the recording's labels that :func:`net_rows` matches
    to one of its rows (the same site and distance), so that a net's or montage's table
    renames a recording whose labels spell its electrodes otherwise; ``table`` itself when
    none does. A row that leaves its electrode out (None) does not drop a label that names
    a vocabulary electrode no other label of the recording takes: ``standard_1020``'s
    ``T3`` row (T3 is where T7 is, whose row takes the site) leaves TUH's ``EEG T3-REF``
    to the usual mapping (T7); such labels whose vocabulary name another label takes are
    dropped with a warning."""
    if not getattr(table, "net", None):
        return table
    rows = net_rows(table, names)
    row_of = {name: rows.get(name, name) for name in names if name in rows or name in table}
    targets: dict[str, str | None] = {}  # label -> the vocabulary name it would take
    for name in names:
        if name in row_of:
            value = table[row_of[name]]
            targets[name] = normalize_channel_name(value) if value is not None else None
        else:
            targets[name] = normalize_channel_name(name)
    taken = {target: name for name, target in reversed(targets.items()) if target}
    freed: list[str] = []
    dropped: list[str] = []
    for name, row in row_of.items():
        vocabulary = normalize_channel_name(name) if table[row] is None else None
        if vocabulary is None:
            continue
        if vocabulary in taken:
            dropped.append(f"{name} ({vocabulary}, which {taken[vocabulary]!r} takes)")
        else:
            freed.append(name)
    if dropped:
        _warn(
            f"the table of {table.net} leaves out {', '.join(dropped)}: labels of "
            "vocabulary electrodes whose names other labels of the recording take"
        )
    if not rows and not freed:
        return table
    distances = {**table.distances_mm}
    distances.update({n: table.distances_mm[k] for n, k in rows.items() if k in distances})
    kept = {**table, **{name: table[key] for name, key in rows.items()}}
    return RenameTable(
        {key: value for key, value in kept.items() if key not in freed},
        table.own - set(freed), table.source,
        {key: value for key, value in distances.items() if key not in freed},
        table.call, table.net,
    )  # fmt: skip


def check_net_table(table: Mapping[str, str | None], names: Sequence[str]) -> None:
    """Refuse a table that lists every electrode of a net (:attr:`RenameTable.net`: made by
    :func:`eegpt.nearest_sites.nearest_rename`) for a recording with labels in the style of the table's (EGI's
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
    styles = [(_EGI, bool(numbers)), (SOCKET, bool(socket_labels(list(table))))]
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
    guess = egi_montage(egi) if egi else net_of(names)
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
    net = egi_montage([f"E{highest}"])
    _warn(
        f"the rename table ({what}) is of a net with electrodes up to E{max(table_numbers)}, "
        f"but the recording's E1..E{electrodes} look like the whole of a smaller net ({net}), "
        "whose electrodes lie elsewhere than the larger net's of the same numbers. If the "
        f"recording is of that net, make the table from its montage (--nearest {net}; "
        f"nearest_rename({net!r})); if it holds part of the larger net's channels, the table "
        "is right."
    )


def net_of(names: Sequence[str]) -> str | None:
    """MNE's montage of the EGI net or BioSemi cap of more than 64 electrodes that ``names``
    look like the labels of (:func:`cap_note`'s rules), else None."""
    egi = egi_labels(names)
    if len(egi) >= 8 and len(egi) >= len(names) / 2:
        return egi_montage(egi)
    return _socket_cap(socket_labels(names))


def write_rename_table(
    table: Mapping[str, str | None], path: str | os.PathLike, *, overwrite: bool = True
) -> Path:
    """Write a ``rename`` table as text that :func:`read_rename_table` reads back
    (``--rename FILE``): one ``label<TAB>electrode`` a line (an empty electrode: left out),
    with the distance of a :func:`eegpt.nearest_sites.nearest_rename` table as a comment (``# 12.3 mm``) and the
    table's net (:attr:`RenameTable.net`, kept through a file read back and written again)
    and source as first comment lines, whole or not at all (written beside it and renamed
    into place). With ``overwrite=False`` an existing ``path`` is not replaced. Returns the
    path.

    Raises
    ------
    ValueError
        For a ``.json`` path (the file is tab-separated text: ``.tsv``), or a label that would
        not read back (a tab in it, a ``#`` at its start or after a space, spaces around it,
        a typed escape such as ``\\x41`` in it). A label that starts or ends with a quote
        (``"X1"``) is written quoted whole, each of its quotes doubled, as CSV writes it;
        the reader undoes that.
    OutputExistsError
        With ``overwrite=False``, for an existing ``path``.
    """
    from eegpt.output_files import atomic_write

    path = user_path(path)
    if path.suffix.lower() == ".json":
        raise ValueError(f"{path}: a rename table is written as tab-separated text; name it .tsv")
    distances = getattr(table, "distances_mm", {})
    source, net = getattr(table, "source", None), getattr(table, "net", None)
    # the net first, as read_rename_table reads it back (a table read from a file has the
    # file as its source), then a source of another name
    lines = [f"# {text}" for text in dict.fromkeys([net, source]) if text]
    lines.append("# label<TAB>electrode (empty: left out); use: --rename FILE")
    for label, site in table.items():
        written = _quoted(printable_name(label))
        if (
            "\t" in label
            or re.search(r"(^|\s)#", written)
            or label != label.strip()
            or typed_name(_unquoted(written)) != label
        ):
            raise ValueError(f"{path}: the label {label!r} would not read back from a table file")
        note = f"\t# {distances[label]:.1f} mm" if label in distances and site else ""
        lines.append(f"{written}\t{site or ''}{note}")
    text = ("\n".join(lines) + "\n").encode("utf-8")
    atomic_write(path, lambda fh: fh.write(text), overwrite=overwrite)
    return path


#: What a ``rename`` argument may be, wherever one is taken (:func:`rename_table` reads it): a
#: mapping of the recording's channel names to vocabulary names (``None`` drops a channel), a
#: cap's name (:data:`CAPS`), or the path of a rename table file (:func:`read_rename_table`).
Rename = Mapping[str, str | None] | str | os.PathLike


def rename_table(
    rename: Rename | None,
) -> dict[str, str | None]:
    """A ``rename`` argument as the table it stands for: a copy of a dict (a
    :class:`RenameTable` stays one), ``{}`` for None, the socket table of a cap's name
    (:func:`cap_rename`), the table of a file (:func:`read_rename_table`); the tables of names
    and files are :class:`RenameTable`: they may name channels a recording lacks."""
    if isinstance(rename, (str, os.PathLike)):
        if isinstance(rename, str) and rename in CAPS:
            return cap_rename(rename)
        if user_path(rename).is_file():
            return read_rename_table(rename)
        if isinstance(rename, str) and cap_name(rename) is not None:  # 'BCI_IV_2a'
            return cap_rename(rename)
        raise no_table_error(os.fspath(rename))
    return rename.copy() if isinstance(rename, RenameTable) else dict(rename or {})


def cap_key(name: str) -> str:
    """A table's name without case, spaces, ``-`` or ``_``: ``"BCI_IV_2a"`` -> ``"bciiv2a"``."""
    return re.sub(r"[\s_-]", "", name).casefold()


def cap_name(name: str) -> str | None:
    """The name in :data:`CAPS` that ``name`` spells, case, spaces, ``-`` and ``_`` aside
    (``"BCI_IV_2a"`` -> ``"bci-iv-2a"``, ``"biosemi-64"`` -> ``"biosemi64"``); None for none."""
    key = cap_key(name)
    return next((cap for cap in CAPS if cap_key(cap) == key), None)


def no_table_error(name: str, option: str | None = None) -> ValueError:
    """The error for a ``rename`` string that is neither a built-in table's name nor an
    existing file: for one that looks like a path (a folder in it, or a suffix such as
    ``.tsv``), no such file; else neither, with the built-in tables and a near one. With
    ``option`` (``"--rename"``), as the command line says it, where an ``IN=VOCAB`` pair was
    the third choice."""
    where = (
        "" if Path(name).is_absolute() else f" (relative to the working directory {os.getcwd()})"
    )
    if Path(name).expanduser().is_dir():  # not "no such file": it is there, as a folder
        return ValueError(
            f"the rename table {name} is a folder, not a file: give the table itself (a .tsv, "
            ".csv or .json file), such as one inside that folder"
        )
    if "/" in name or os.sep in name or Path(name).suffix:
        return ValueError(f"no such rename table file: {name}{where}")
    keys = {cap_key(cap): cap for cap in CAPS}
    close = difflib.get_close_matches(cap_key(name), list(keys), n=1, cutoff=0.6)
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


def socket_labels(names: Sequence[str]) -> list[str]:
    """The socket labels (``A1``, ``B7``) of a recording labelled by amplifier sockets: at
    least half of its names, at least 8 of them that name no 10-10 electrode, bank A among
    those (BioSemi banks start at A; labels of bank E alone are EGI numbers). Empty for a
    recording with 10-10 names, whose ``F3`` or ``C4`` also fit the pattern: a sleep montage
    ``F3 F4 C3 C4 O1 O2 A1 A2 E1 E2`` has 8 labels of that form but only 4 that are no
    electrode's name. A letter's labels are a bank only where they start at 1 or go past the
    10-05 sites of that letter (C3 and C4 without C1, C2 or C7 are electrodes:
    :func:`_socket_banks`), and a recording with the numbered labels of intracranial contacts
    that no cap has (T1..T8, LA1..LA8, G33: :func:`_shaft_labels`) is labelled by none.
    Without bank A, the banks of a larger cap's recording cut to some of them count
    (:func:`_cut_banks`: ``C1`` .. ``C32``, ``D1`` .. ``D32`` of a 128-electrode cap, whose
    ``C1`` .. ``C6`` are then sockets, not the 10-10 sites of those names)."""
    if _shaft_labels(names):
        return []
    sockets = [name for name in names if SOCKET.match(name.strip().upper())]
    banks = _socket_banks(sockets)
    sockets = [name for name in sockets if name.strip().upper()[0] in banks]
    only = [name for name in sockets if normalize_channel_name(name) is None]  # no electrode's
    if (
        len(only) < 8
        or len(sockets) < len(names) / 2
        or not (
            any(name.strip().upper().startswith("A") for name in only)
            or _cut_banks(sockets)
            or _lone_bank(sockets)
        )
    ):
        return []
    return sockets


def _cut_banks(sockets: Sequence[str]) -> bool:
    """Whether socket-pattern labels (``C1``, ``D17``) hold two or more banks of a BioSemi cap
    cut from a larger one (a 128-electrode recording saved with banks C and D only), though
    bank A is not among them: each bank has 16 or more labels and numbers past 16, far
    beyond the 10-05 sites of its letter (10-10 has ``C1`` .. ``C6`` and no ``D`` site), as
    no scalp montage has them. A letter's run alone (``G1`` .. ``G32``) may be an ECoG grid,
    and is none."""
    numbers: dict[str, set[int]] = {}
    for name in sockets:
        label = name.strip().upper()
        numbers.setdefault(label[0], set()).add(int(label[1:]))
    whole = [bank for bank, got in numbers.items() if len(got) >= 16 and max(got) > 16]
    return len(whole) >= 2


def _socket_cap(sockets: Sequence[str]) -> str | None:
    """MNE's montage of the BioSemi cap of more than 64 electrodes whose socket labels
    ``sockets`` are (:func:`socket_labels`): by their number, or by their last bank (bank C
    or later: no cap of 64 or fewer has it; ``"biosemi128"`` for banks C and D); None for a
    cap that a built-in table may name (banks A and B, 64 sockets or fewer)."""
    if not sockets:
        return None
    last = max("ABCDEFGH".index(name.strip().upper()[0]) for name in sockets)
    n = max(len(sockets), 32 * (last + 1))
    return _biosemi_montage(n) if n > 64 else None


def _lone_bank(sockets: Sequence[str]) -> bool:
    """Whether socket-pattern labels (``C1`` .. ``C32``) are one bank of a BioSemi cap, alone,
    whose first labels are 10-10 names: a single letter's labels, 16 or more numbering past
    16, far beyond the 10-05 sites of its letter (``C1`` .. ``C6``; ``F1`` .. ``F10``), so
    that those among them are no scalp sites either, whether the run is bank C of a larger
    cap or an intracranial strip's contacts (:func:`cap_note` says both). A letter whose
    labels hold no 10-10 name (an ECoG grid ``G1`` .. ``G32``) is none: nothing of it would
    be taken for an electrode."""
    numbers: dict[str, set[int]] = {}
    for name in sockets:
        label = name.strip().upper()
        numbers.setdefault(label[0], set()).add(int(label[1:]))
    if len(numbers) != 1:
        return False
    (got,) = numbers.values()
    return (
        len(got) >= 16
        and max(got) > 16
        and any(normalize_channel_name(name) is not None for name in sockets)
    )


def _socket_banks(sockets: Sequence[str]) -> set[str]:
    """The letters of ``sockets`` (labels of the socket pattern) that are BioSemi banks: those
    whose labels include number 1 (a bank's labels start at 1) or a label that is no 10-05
    site (``C7``, ``A3``, any of ``B``); ``C3`` and ``C4`` alone are electrodes."""
    banks = set()
    for name in sockets:
        label = name.strip().upper()
        if label[1:] == "1" or not is_ten_five_site(label):
            banks.add(label[0])
    return banks


def _shaft_labels(names: Sequence[str]) -> bool:
    """Whether ``names`` hold contact runs (:func:`eegpt.vocabulary.contact_runs`) that no
    BioSemi cap has: of a prefix other than a bank's letter (``T1`` .. ``T8``, ``LA1`` ..
    ``LA8``), or numbered past a bank's 32 (``G1`` .. ``G64``)."""
    return any(
        not re.fullmatch("[A-H]", prefix) or max(got) > 32
        for prefix, got in contact_runs(names).items()
    )


def cap_note(names: Sequence[str], source: str | None = None, beside: Sequence[str] = ()) -> str:
    """A sentence about socket labels (``A1``, ``B7``) among ``names``, EGI electrode numbers
    (``E36``) or the numbered labels of BCI Competition IV 2a (``EEG-0``) (empty if few are);
    its commands name the recording ``source`` where it is a file. Where the recording's
    other channels ``beside`` hold 10-10 names (``Fz``, ``C3``), a file of BioSemi sockets is
    unlikely: the socket labels may as well be intracranial contacts (``A1`` .. ``A8``), and
    the note gives no cap table to rename them with."""
    openbci = openbci_note(names)
    if openbci:
        return openbci
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
    sockets = socket_labels(names)
    if not sockets:
        return ""
    cap = _socket_cap(sockets)
    if cap is not None and _lone_bank(sockets):
        bank = sockets[0].strip().upper()[0]
        scalp = [name for name in sockets if normalize_channel_name(name) is not None]
        return (
            f" {len(sockets)} of them look like one bank of a BioSemi cap's socket labels "
            f"(bank {bank}, {sockets[0]!r} .. {sockets[-1]!r}: its other banks left out), or "
            "the contacts of an intracranial strip: either way they name no 10-10 sites, "
            f"{few(scalp, 6)} among them neither, so none is used as a scalp electrode. If "
            f"the cap is BioSemi's {cap[7:]}-"
            f"electrode layout (MNE's {cap!r} montage), name each electrode after its nearest "
            f"10-10 site: {nearest_advice(cap, source, 'biosemi.tsv')}; for another cap, map "
            "them with its socket table (--rename FILE); intracranial recordings are not for "
            "EEGPT, a scalp-EEG model."
        )
    if cap is not None:
        return (
            f" {len(sockets)} of them look like BioSemi socket labels ({sockets[0]!r}, ...), "
            "which name amplifier inputs, not electrodes, and no built-in table names the "
            f"sockets of a cap of more than 64 electrodes. If the cap is BioSemi's {cap[7:]}-"
            f"electrode layout (MNE's {cap!r} montage), name each electrode after its nearest "
            f"10-10 site: {nearest_advice(cap, source, 'biosemi.tsv')}; for another cap, map "
            f"them with its socket table.{_hyperscan_note(sockets)}"
        )
    scalp = [
        name for name in beside if name not in sockets and normalize_channel_name(name) is not None
    ]
    if scalp:
        return (
            f" {len(sockets)} of them look like BioSemi socket labels ({sockets[0]!r}, ...), "
            f"but beside 10-10 names ({few(scalp, 4)}) they may as well be the contacts of "
            "intracranial electrodes: renaming them with a cap's socket table (rename="
            "'biosemi64') is right only for a BioSemi cap's recording."
        )
    return (
        f" {len(sockets)} of them look like BioSemi socket labels ({sockets[0]!r}, ...), which "
        "name amplifier inputs, not electrodes. If the cap is BioSemi's 64-electrode layout, "
        "pass rename='biosemi64' (command line: --rename biosemi64; merged with your own "
        "entries: eegpt.channels.cap_rename('biosemi64')), for the 32-electrode one "
        f"'biosemi32'; for another cap, map them with its socket table.{_hyperscan_note(sockets)}"
    )


def _hyperscan_note(sockets: Sequence[str]) -> str:
    """A short sentence for socket labels ``sockets`` that fill 2 to 4 whole banks from A
    (``A1`` .. ``B32``, ``A1`` .. ``D32``): the labels cannot tell one cap from several caps of a
    hyperscanning recording (two 64-electrode caps are banks A-B and C-D, two or three
    32-electrode caps a bank each), so it points to the docs' recipe for embedding one
    participant at a time. Empty for other labels."""
    numbers: dict[str, set[int]] = {}
    for name in sockets:
        label = name.strip().upper()
        numbers.setdefault(label[0], set()).add(int(label[1:]))
    banks = "".join(sorted(numbers))
    if not 2 <= len(banks) <= 4 or not "ABCD".startswith(banks):
        return ""
    if any(got != set(range(1, 33)) for got in numbers.values()):
        return ""
    return (
        " If the file holds several caps (hyperscanning), see docs/montages.md, "
        "'Hyperscanning: two caps in one file', to embed one participant at a time."
    )


_BCI_IV_2A = _DATASET_TABLES["bci-iv-2a"]


def table_sockets(rename: Mapping[str, str | None]) -> list[str]:
    """The socket labels (``A1``, ``B7``) among the keys of ``rename`` when it names 8 or more,
    as a cap's table does (:func:`cap_rename`, ``--rename biosemi64``, a file of one): entries
    that describe the cap, not choices about single channels; ``[]`` for fewer.

    Labels of bank E (``E1``..``E32``) count only in a table that also has bank D's sockets
    (BioSemi fills its banks from A) and no EGI number beyond a bank (``E33``..): a table for
    EGI nets (``E36`` -> ``C3``), alone or merged with a BioSemi cap's, names no sockets; nor
    does a table whose socket-like keys are all 10-05 sites (:func:`nearest_rename` of
    ``"standard_1005"``: ``A1``, ``C1``, ``F9``), as no cap's sockets stop at those."""
    keys = [key.strip().upper() for key in rename]
    banks = {key[0] for key in keys if SOCKET.match(key)}
    egi = "D" not in banks or any(_EGI.match(key) and not SOCKET.match(key) for key in keys)
    sockets = [
        key
        for key, upper in zip(rename, keys, strict=True)
        if SOCKET.match(upper) and not (egi and upper.startswith("E"))
    ]
    if all(is_ten_five_site(key) for key in sockets):  # a montage's sites (standard_1005's
        return []  # A1, C1, F9): a cap's sockets run past them (A3, B1)
    return sockets if len(sockets) >= 8 else []


def check_sockets(
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
    renamed = table_sockets({key: value for key, value in rename.items() if value is not None})
    sockets = socket_labels(names)  # none: 10-10 names (F3, C4), which the table leaves be
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


def _electrode_like(names: Sequence[str]) -> list[str]:
    """The labels of ``names`` that may be electrodes, in order: all but those named like
    another signal (``ECG``, ``LOC``, ``Chin1``, ``Flow``, ``Resp``, ``SpO2``, ``EXG1``:
    :data:`eegpt.vocabulary.OTHER_SIGNALS`) and AASM's EOG electrodes ``E1``/``E2`` where the
    labels do not number electrodes ``E1``, ``E2``, ``E3`` ... (an EGI net's)."""
    keys = [electrode_key(name) for name in names]
    numbered_e = len({key for key in keys if re.fullmatch(r"E\d+", key)}) > 2
    return [
        name
        for name, key in zip(names, keys, strict=True)
        if not OTHER_SIGNALS.search(key) and not (AASM_EOG.match(key) and not numbered_e)
    ]


def _named_like_vocabulary(names: Sequence[str]) -> bool:
    """A recording whose labels are 10-10 names already, not socket labels: too few look like
    sockets for :func:`socket_labels` (fewer than 8, fewer than half, or no bank A), and at
    least half of its labels that may be electrodes (:func:`_electrode_like`: the ECG, EOG,
    chin EMG, flow ... channels of a polygraphy file left out of the count, however many)
    name vocabulary electrodes (``Fp1``, ``EEG C3-REF``; a clinical file of 19 such names and
    the ear electrodes ``A1``, ``A2``; a sleep file's ``F3`` .. ``O2``, ``A1``, ``A2`` beside
    ``LOC``, ``ROC``, ``Chin1``, ``ECG``, ``Flow``)."""
    electrodes = _electrode_like(names)
    named = sum(normalize_channel_name(name) is not None for name in electrodes)
    return bool(electrodes) and not socket_labels(names) and named >= len(electrodes) / 2


def unfit_sockets(table: Mapping[str, str | None], names: Sequence[str]) -> list[str]:
    """The renames of a cap's socket table (:func:`table_sockets`) not to apply to a recording
    whose labels are 10-10 names already (:func:`_named_like_vocabulary`), whether or not some
    of its labels are keys of the table: a corpus of several systems run with ``--rename
    biosemi64`` must not rename a clinical file's ear electrode ``A2`` to AF7 (BioSemi's
    socket A2), nor refuse a BioSemi file saved with 10-10 names. Entries given one by one
    beside the table (``own``) and drops stay. ``[]`` for a recording labelled otherwise."""
    if not _named_like_vocabulary(names):
        return []
    own = table.own if isinstance(table, RenameTable) else frozenset()
    return [key for key in table_sockets(table) if table[key] is not None and key not in own]


def warn_unfit_sockets(
    unfit: Sequence[str], names: Sequence[str], table: Mapping[str, str | None], where: str
) -> None:
    """Say once that the socket table ``table`` is not applied to this recording of 10-10
    ``names`` (:func:`unfit_sockets` gave ``unfit``), naming the labels it would have
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


def label_electrodes(names: Sequence[str], rename: Rename | None = None) -> dict[str, str]:
    """Label -> the vocabulary name :func:`eegpt.channels.map_channels` gives that channel: the one
    ``rename`` names (a cap's socket table only where it applies, :func:`unfit_sockets`),
    else the label's own (a socket label's none); labels mapping to none are absent. No
    warnings: for finding a channel by its electrode (a manifest's ``bads`` cell ``C3`` for
    the socket ``A13`` under ``--rename biosemi64``, or for ``EEG C3-REF``)."""
    table = rename_table(rename)
    unfit = set(unfit_sockets(table, names))
    sockets = set(socket_labels(names))
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
        if SOCKET.match(key.strip().upper())
        and normalize_channel_name(key) is None
        and not is_other_electrode(key)
    ]
    if not socket_like or socket_labels(names):
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


def drops_of_other_labels(
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
    sockets = set(socket_labels(names))  # a socket C3 is no electrode C3
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


def keep_without_note(unmatched: Mapping[str, str], keep: str | Sequence[str] | None) -> str:
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


def unmatched_drops_note(
    unmatched: Mapping[str, str], keep: str | Sequence[str] | None, where: str
) -> str:
    """The warning for drops that matched no label of a recording while one of its channels
    maps to the electrode named (:func:`drops_of_other_labels`): that channel is kept."""
    drops = " ".join(f"--drop {shlex.quote(key)}" for key in unmatched)
    kept = "; ".join(
        f"its {label!r} maps to {normalize_channel_name(key)} and is kept"
        for key, label in unmatched.items()
    )
    return (
        f"{where}{drops} matched no label of this recording (drops are labels, as spelled); "
        f"{kept}.{keep_without_note(unmatched, keep)} To drop it here only: "
        f"{how_to_drop(list(unmatched.values()))}."
    )


def _electrode_key(name: str) -> str:
    """An electrode name for comparing spellings: the vocabulary name it normalises to
    (``"Fp1"`` -> ``"FP1"``), else its electrode part upper-cased (``"Iz"`` -> ``"IZ"``)."""
    return normalize_channel_name(name) or electrode_key(name)


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


def table_provenance(table: Mapping[str, str | None] | None) -> dict[str, str]:
    """Where a ``rename`` table came from, as outputs record it: ``{"rename_source": ...}``
    (a file's path, a cap's name, what :func:`eegpt.nearest_sites.nearest_rename` was given) and, for a table of
    :func:`eegpt.nearest_sites.nearest_rename`, ``"rename_call"`` (its Python); ``{}`` for a dict of one's own.
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
    ``metadata["channels"]`` (:meth:`eegpt.channels.ChannelMapping.to_dict`): ``"nearest 10-10 sites to
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


def unmatched_rename_warning(
    rename: Rename | None,
    seen: Sequence[str],
    n_recordings: int,
) -> str | None:
    """The warning for ``rename`` keys (``--rename``/``--drop`` names) that matched no channel
    of ``n_recordings`` recordings whose channel names together were ``seen``; ``None`` when
    every key matched one (or nothing was read)."""
    table = rename_table(rename)
    present = present_keys(table, seen)  # as map_channels matches keys
    cap = set(table_sockets(table))  # a cap's table: not every file has all its sockets
    by_electrode = drops_by_electrode(table, seen)  # --drop C1: a socket renamed C1
    keys = [key for key in table if key not in present and key not in cap]
    keys = [key for key in keys if key not in by_electrode]
    if isinstance(table, RenameTable) and any(key not in table.own for key in present):
        keys = [key for key in keys if key in table.own]  # a table: some of its labels suffice
    if not keys or not n_recordings:
        return None
    labels = [key for key in table if not isinstance(table, RenameTable) or key not in table.own]
    if isinstance(table, RenameTable) and labels and not any(k in present for k in labels):
        return foreign_table(table, seen, n_recordings) + spelling_hint(list(table), seen)
    return (
        f"--rename/--drop name(s) {sorted(keys)} matched no channel of the {n_recordings} "
        f"recording(s); check their spelling." + spelling_hint(sorted(keys), seen)
    )


def foreign_table(table: RenameTable, names: Sequence[str], n_recordings: int = 1) -> str:
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
        f"name the channels yourself ({HOW_TO_MAP})."
    )
