"""BIDS datasets (https://bids-specification.readthedocs.io), read with MNE-BIDS.

An EEG data file of a BIDS dataset (``sub-01/ses-a/eeg/sub-01_ses-a_task-rest_eeg.edf`` under a
folder with ``dataset_description.json``) is read with :func:`mne_bids.read_raw_bids`, so its
sidecars apply: channel types and bad channels from ``*_channels.tsv``, events from
``*_events.tsv`` as annotations. So is an intracranial recording's data file
(``sub-01/ieeg/sub-01_task-rest_ieeg.edf``), whose ``*_channels.tsv`` types its contacts
``seeg``/``ecog``: eegpt leaves those out of a scalp-EEG embedding (or refuses a recording of
them alone) as for any recording typed so. :func:`bids_manifest` lists a dataset's EEG
recordings with their entities (subject, session, task, acquisition, run, processing,
description) and the columns of ``participants.tsv`` (not its ``_ieeg`` recordings: EEGPT is a
scalp-EEG model), the input :func:`eegpt.dataset.embed_dataset` takes for a BIDS folder.

A BIDS derivative dataset (``"DatasetType": "derivative"``, or a folder ``<raw>/derivatives/
NAME``: :func:`is_derivative`) is a dataset of its own: its listing holds MNE-BIDS-Pipeline's
``*_raw.fif`` and ``*_epo.fif`` beside data files, with the entities of their names, and the
participants.tsv of the derivative or else of the raw dataset above it. Its FIF files are read
as FIF files, without sidecars: their ``info["bads"]`` were set by the pipeline that wrote them
(channels marked bad then, perhaps interpolated since and no longer bad), so the raw dataset's
``*_channels.tsv``, which describes the raw recording, would mark the wrong channels. A data
file of a derivative (``*_eeg.edf``) is read with the sidecars of the derivative (the folder
with ``dataset_description.json`` above it, :func:`bids_root`), never the raw dataset's.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eegpt._dates import parse_iso
from eegpt._file_identity import listed_path
from eegpt._logging import caught_warnings, few, mne_state_held, pass_on_warnings
from eegpt._logging import count as _count
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.errors import MissingDependencyError, MissingFileError, install_hint

if TYPE_CHECKING:  # mne is imported where a recording is read: this module's constants are
    import mne  # imported by listing and option parsing, which must stay light

__all__ = [
    "BIDS_EEG_EXTENSIONS",
    "BIDS_FILTERS",
    "bids_filters",
    "bids_manifest",
    "bids_root",
    "read_raw_bids",
]

#: Data file formats of BIDS EEG (the BrainVision header stands for its three files).
BIDS_EEG_EXTENSIONS = (".edf", ".bdf", ".vhdr", ".set")
_FORMATS = "|".join(e[1:] for e in BIDS_EEG_EXTENSIONS)
#: A data file eegpt reads with its sidecars: scalp EEG (``_eeg``) or intracranial EEG
#: (``_ieeg``: sEEG, ECoG, whose ``*_channels.tsv`` types the contacts); group 2 the suffix.
_DATA_FILE = re.compile(rf"^sub-[A-Za-z0-9]+(_[a-z]+-[A-Za-z0-9]+)*_(eeg|ieeg)\.({_FORMATS})$")
#: A recording of a BIDS derivative dataset eegpt reads: a data file as in raw BIDS (``_eeg``,
#: ``_ieeg``, also as FIF) or MNE-BIDS-Pipeline's continuous and epoched FIF files
#: (``sub-01_task-x_proc-filt_raw.fif``, ``sub-01_task-x_proc-clean_epo.fif``); group 2 the
#: suffix of a data file, group 4 that of a FIF file (``raw``, ``epo``).
_DERIVED_FILE = re.compile(
    rf"^sub-[A-Za-z0-9]+(_[a-z]+-[A-Za-z0-9]+)*_(?:(eeg|ieeg)\.({_FORMATS}|fif)|(raw|epo)\.fif)$"
)
#: Folders of a BIDS dataset that hold no recordings of it (processed or source copies, code):
#: its listing leaves them out.
NOT_RAW_FOLDERS = ("derivatives", "sourcedata", "code", "stimuli")
_DESCRIPTION = "dataset_description.json"
_INSTALL = install_hint("bids")
_warned_missing = False


def _mne_bids() -> Any:
    try:
        import mne_bids
    except ImportError as err:
        raise MissingDependencyError(f"reading BIDS datasets needs mne-bids: {_INSTALL}") from err
    return mne_bids


def bids_root(path: Path) -> Path | None:
    """The dataset folder (the one with ``dataset_description.json``) of a BIDS EEG data file
    ``path`` (``sub-01_task-rest_eeg.edf``, or an intracranial ``sub-01_task-rest_ieeg.edf``),
    or None when ``path`` is not named and placed like one. A data file of a derivative
    dataset without a description of its own (``<root>/derivatives/NAME/sub-01/file``) is
    none of ``<root>``'s: the raw dataset's sidecars describe other files."""
    if not _DATA_FILE.match(path.name):
        return None
    listed = listed_path(path)  # a link (git-annex) is placed by its own name and folder
    for parent in list(listed.parents)[:4]:  # <root>/sub-x[/ses-y]/eeg/file
        if (parent / "dataset_description.json").is_file():
            inside = listed.relative_to(parent).parts[0]
            return None if inside in NOT_RAW_FOLDERS else parent
    return None


def derivative_source(folder: Path) -> Path | None:
    """The raw BIDS dataset whose ``derivatives/`` holds the derivative dataset ``folder``
    (``<root>/derivatives/NAME``: ``<root>``, which has a ``dataset_description.json``), or
    None for a folder placed otherwise."""
    folder = folder.resolve()
    above = folder.parent
    if above.name == "derivatives" and (above.parent / _DESCRIPTION).is_file():
        return above.parent
    return None


def is_derivative(folder: Path) -> bool:
    """Whether ``folder`` is a BIDS derivative dataset: its ``dataset_description.json`` says
    ``"DatasetType": "derivative"``, or it is a folder of a BIDS dataset's ``derivatives/``
    (:func:`derivative_source`), with or without a description of its own. Its listing
    (:func:`bids_manifest`) holds processed recordings (MNE-BIDS-Pipeline's ``*_raw.fif`` and
    ``*_epo.fif``) beside the data files of raw BIDS."""
    if derivative_source(folder) is not None:
        return True
    path = folder / _DESCRIPTION
    try:
        description = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):  # none, unreadable or no JSON: read as raw BIDS
        return False
    kind = description.get("DatasetType") if isinstance(description, dict) else None
    return isinstance(kind, str) and kind.strip().lower() == "derivative"


#: A data file named as an intracranial recording (``*_ieeg.edf``), in a BIDS tree or not.
_IEEG_NAMED = re.compile(rf"_ieeg\.({_FORMATS})$", re.IGNORECASE)


def warn_untyped_ieeg(path: Path) -> None:
    """Warn that ``path``, named as a BIDS iEEG recording (``*_ieeg.edf``), is read without a
    ``*_channels.tsv``, so without channel types: its contacts, typed EEG by the file, would be
    embedded as the scalp sites they are named like. Nothing for other names."""
    if not _IEEG_NAMED.search(path.name):
        return
    _warn(
        f"{path} is named as an intracranial recording (BIDS iEEG), but its channel types are "
        "unknown (no *_channels.tsv found): any contacts named like 10-10 sites (C3, T4) "
        "would be embedded as scalp electrodes. Provide its *_channels.tsv (typing the "
        "contacts SEEG or ECOG), or set the channel types (raw.set_channel_types({NAME: "
        "'seeg'})) and embed the Raw."
    )


# MNE-BIDS's notice that participants.tsv has columns info["subject_info"] has no field for:
# eegpt keeps them as columns of a corpus run instead, so it is noise here.
_NOISE = re.compile(r"^Unable to map the following column\(s\) to MNE")

#: MNE-BIDS's warning of a data file without an ``*_events.tsv`` sidecar, several lines long
#: (the glob patterns it searched): said in one line by eegpt instead (:func:`_no_events_text`)
_NO_EVENTS = re.compile(r"^Did not find any events\.tsv associated with")


def read_raw_bids(
    path: Path, root: Path, verbose: Any = None, encoding: str | None = None
) -> mne.io.BaseRaw | None:
    """``path`` (in the BIDS dataset ``root``) read by MNE-BIDS with its sidecars applied,
    without loading the samples; None (with a warning, once) when mne-bids is not installed,
    so that the caller reads the file alone. ``encoding``: of an EDF/BDF file's annotations,
    passed to MNE's reader (its default, UTF-8, when None).

    MNE-BIDS's warnings (a missing ``*_channels.tsv``, channel types it does not know ...) are
    passed on as warnings about ``path``, whatever ``verbose`` says, since they say what was
    not applied; its INFO lines follow ``verbose``.

    Raises
    ------
    ValueError
        If MNE-BIDS cannot read the file with its sidecars (a corrupt ``*_events.tsv``,
        channel names that differ between ``*_channels.tsv`` and the data, ...).
    FileNotFoundError
        If a file the data file names is missing (a BrainVision ``.vhdr``'s ``DataFile=``,
        an EEGLAB ``.set``'s ``.fdt``): :func:`eegpt.io.missing_file_reason` says which.
    """
    try:
        mne_bids = _mne_bids()
    except MissingDependencyError:
        global _warned_missing
        if not _warned_missing:
            _warned_missing = True
            _warn(
                f"{path} belongs to the BIDS dataset {root}; its sidecars (bad channels and "
                f"channel types in *_channels.tsv, events in *_events.tsv) are not applied "
                f"without mne-bids: {_INSTALL}"
            )
        return None
    bids_path = mne_bids.get_bids_path_from_fname(path)
    bids_path.update(root=root)
    _check_placement(path, root, Path(bids_path.fpath))
    above_warnings = (isinstance(verbose, str) and verbose.upper() in ("ERROR", "CRITICAL")) or (
        isinstance(verbose, int) and not isinstance(verbose, bool) and verbose > 30
    )
    with caught_warnings() as caught, mne_state_held():
        try:
            raw = mne_bids.read_raw_bids(
                bids_path,
                extra_params={"preload": False, **({"encoding": encoding} if encoding else {})},
                verbose="WARNING" if above_warnings else verbose,
            )
        except Exception as err:  # MNE-BIDS raises anything; the sidecars are the suspects
            from eegpt.unreadable_files import missing_file_reason

            if missing_file_reason(path, err) is not None:
                raise  # a data file the header names is missing: the reader's words say it
            mismatch = _CHANNEL_MISMATCH.match(str(err)) if isinstance(err, RuntimeError) else None
            if mismatch:
                raise ValueError(_mismatch_reason(path, Path(mismatch[1]))) from err
            sidecar = _sidecar_being_read(err)
            which = (
                f"the sidecar {sidecar} could not be read"
                if sidecar
                else "reading it with its BIDS sidecars (*_channels.tsv, *_events.tsv, "
                f"*_{bids_path.suffix}.json, participants.tsv) failed"
            )
            advice = (
                ": name its column of subject ids participant_id, in lower case without spaces"
                if isinstance(err, KeyError) and err.args == ("participant_id",)
                else _missing_column_advice(err, sidecar)
            )
            raise ValueError(f"{which}: {type(err).__name__}: {err}{advice}") from err
    skip = re.compile(f"{_NOISE.pattern}|{_NO_EVENTS.pattern}")
    pass_on_warnings(caught, path, skip=skip, reader="MNE-BIDS")
    if any(_NO_EVENTS.match(str(w.message)) for w in caught):
        _warn(_no_events_text(path, root))
    if bids_path.suffix == "ieeg":
        tsv = find_sidecar(bids_path, "channels", ".tsv")
        if tsv is None or not tsv.is_file():
            warn_untyped_ieeg(path)
    _check_sampling_frequency(raw, path, bids_path)
    _check_units(raw, path, bids_path)
    _check_status(raw, path, bids_path)
    _check_event_samples(raw, path, bids_path)
    channels = _sidecar_rows(find_sidecar(bids_path, "channels", ".tsv"))
    if channels and "type" in channels[0]:  # MNE-BIDS typed the channels by it
        raw._eegpt_typed_by_sidecar = True  # eegpt.brainvision_files keeps those types
    if _acq_time_applied(raw, bids_path):
        raw._eegpt_date_clock = ACQ_TIME_CLOCK  # eegpt.io.date_clock reads it
    return raw


def _no_events_text(path: Path, root: Path) -> str:
    """The warning that MNE-BIDS found no ``*_events.tsv`` sidecar for the data file ``path``
    of the BIDS dataset ``root`` (beside it, or above it in its subject's or session's
    folder), in one line: its events are then the data file's own annotations alone."""
    return (
        f"{path}: no *_events.tsv sidecar found for it in the BIDS dataset {root} (beside "
        "it, or in its subject's or session's folder), so its events are the data file's own "
        "annotations alone; add the sidecar if it has events"
    )


def _check_placement(path: Path, root: Path, named: Path) -> None:
    """Refuse the data file ``path`` of the BIDS dataset ``root`` where it does not lie where
    its name places it (``named``: ``sub-02/ses-1/eeg/sub-01_ses-1_..._eeg.edf``, a file of
    ``sub-01`` in ``sub-02``'s folder, or one without its ``ses-`` entity in a session's):
    MNE-BIDS finds a data file and its sidecars by the name, so it would read ``named``, the
    data of another file or none, with that folder's sidecars.

    Raises
    ------
    ValueError
        If ``path`` is not ``named`` (its links not followed).
    """
    here = listed_path(path)
    if os.path.normcase(os.path.normpath(here)) == os.path.normcase(os.path.normpath(named)):
        return
    try:
        folder, wanted = (p.parent.relative_to(root).as_posix() for p in (here, named))
    except ValueError:  # not below root: say the full folders
        folder, wanted = str(here.parent), str(named.parent)
    instead = "another file's data" if named.is_file() else "a file that does not exist"
    raise ValueError(
        f"its name places it in {wanted}/, but it lies in {folder}/: MNE-BIDS finds a data "
        f"file and its sidecars by the name, so it would read {named} ({instead}) with the "
        f"sidecars of {wanted}/. Move it to {root / wanted}, or rename it (and its sidecars) "
        f"after its folder ({folder})"
    )


#: MNE-BIDS's error where the names of a ``*_channels.tsv`` differ from the data file's
#: (other names, or the same in another order): group 1 the sidecar.
_CHANNEL_MISMATCH = re.compile(r"^Channel mismatch between (.+?) and the raw data file detected")


def _mismatch_reason(path: Path, tsv: Path) -> str:
    """Why ``path`` was not read with its ``*_channels.tsv`` ``tsv``: the names that differ
    (a few of each side) and what to do, in eegpt's words, not MNE-BIDS's advice of its
    ``on_ch_mismatch`` (an option eegpt does not offer)."""
    import csv
    import io

    from eegpt.text_tables import table_text

    try:
        text = io.StringIO(table_text(tsv), newline="")  # UTF-16 from Excel too
        listed = [row.get("name", "") for row in csv.DictReader(text, delimiter="\t")]
        import mne

        with mne.utils.use_log_level("error"):
            names = list(mne.io.read_raw(path, preload=False, verbose="error").ch_names)
    except Exception:  # noqa: BLE001 - what differs is a detail; the advice stands
        listed = names = []
    only_tsv = [n for n in listed if n not in set(names)]
    only_file = [n for n in names if n not in set(listed)]
    differ = (
        f": {tsv.name} has {few(only_tsv, 5)} that the file does not; the file has "
        f"{few(only_file, 5)} that {tsv.name} does not"
        if only_tsv or only_file
        else " (the same names in another order)"
        if listed
        else ""
    )
    return (
        f"the channel names of the sidecar {tsv} are not the data file's{differ}. Fix "
        f"{tsv.name} so that its name column lists the file's channel names in the file's "
        "order, or remove it to read the file alone"
    )


def _check_sampling_frequency(raw: mne.io.BaseRaw, path: Path, bids_path: Any) -> None:
    """Warn where the ``SamplingFrequency`` of ``path``'s ``*_eeg.json`` (``*_ieeg.json``: the
    one MNE-BIDS finds for it; else the one beside it) is not the rate of the data file read
    (``raw``), which MNE-BIDS keeps without a word: the file's rate is used; and where its
    ``RecordingDuration`` (seconds) differs from the data the file holds by over 1 s and 1%:
    a data file cut short (an incomplete copy or download: a BrainVision ``.eeg`` is read
    for as long as it is) or a sidecar of another version of it."""
    import json

    sidecar = find_sidecar(bids_path, bids_path.suffix or "eeg", ".json")
    if sidecar is None:
        sidecar = path.with_name(re.sub(r"\.[^_]*$", ".json", path.name))
    try:
        fields = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return  # none, or none to compare: MNE-BIDS's reading of it said what it had to
    if not isinstance(fields, dict):
        return
    sfreq = float(raw.info["sfreq"])
    stated = _number(fields.get("SamplingFrequency"))
    if stated is not None and abs(stated - sfreq) > 1e-6 * max(stated, 1.0):
        _warn(
            f"{path}: its sidecar {sidecar} gives SamplingFrequency {stated:g} Hz, but the data "
            f"file is sampled at {sfreq:g} Hz: the file's rate is used (correct the sidecar)"
        )
    duration, held = _number(fields.get("RecordingDuration")), raw.n_times / sfreq
    if duration is not None and duration > 0 and abs(duration - held) > max(1.0, 0.01 * duration):
        shorter = held < duration
        _warn(
            f"{path}: its sidecar {sidecar} gives RecordingDuration {duration:g} s, but the data "
            f"file holds {held:g} s: "
            + (
                "is the file cut short (an incomplete copy or download)? Only what it holds is "
                "embedded: copy it again, or correct the sidecar if the file is whole"
                if shorter
                else "all of it is embedded: correct the sidecar (of another version of the file?)"
            )
        )


def _number(value: Any) -> float | None:
    """``value`` (a JSON sidecar's field) as a finite number, None for none or another kind."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _sidecar_rows(tsv: Path | None) -> list[dict[str, str]] | None:
    """The rows of the ``.tsv`` sidecar ``tsv`` (column -> cell), read as eegpt reads its
    tables (:func:`eegpt.text_tables.table_text`); None where there is none or it cannot be
    read (MNE-BIDS read it before, or said why it could not)."""
    import csv
    import io

    from eegpt.text_tables import table_text

    if tsv is None or not tsv.is_file():
        return None
    try:
        return list(csv.DictReader(io.StringIO(table_text(tsv), newline=""), delimiter="\t"))
    except Exception:  # noqa: BLE001 - a sidecar MNE-BIDS read its own way
        return None


#: The values of a ``*_channels.tsv``'s ``status`` column BIDS allows (blank as ``n/a``).
_STATUSES = ("good", "bad", "n/a", "")


def _check_status(raw: mne.io.BaseRaw, path: Path, bids_path: Any) -> None:
    """Warn where ``path``'s ``*_channels.tsv`` (the one MNE-BIDS read) marks channels bad in a
    way MNE-BIDS does not read, so that they are used: a column spelt otherwise than
    ``status`` (``Status``, ``status `` with a space; BIDS names columns in lower case), or
    a status other than ``good``, ``bad`` or ``n/a`` (``noisy``, ``flat``), which MNE-BIDS
    takes for good. Names the channels and how to mark them bad."""
    tsv = find_sidecar(bids_path, "channels", ".tsv")
    rows = _sidecar_rows(tsv)
    if tsv is None or not rows:
        return
    columns = list(rows[0])
    column = "status" if "status" in columns else None
    if column is None:
        column = next((c for c in columns if c and c.strip().lower() == "status"), None)
        if column is None:
            return
        bad = [r.get("name") or "" for r in rows if (r.get(column) or "").strip().lower() == "bad"]
        if not [n for n in bad if n in raw.ch_names and n not in raw.info["bads"]]:
            return
        _warn(
            f"{path}: its sidecar {tsv} marks {_count(len(bad), 'channel')} bad ({few(bad, 5)}) "
            f"in a column {column!r}, but MNE-BIDS reads only a column spelt 'status' (BIDS "
            f"names its columns in lower case), so they are used as good channels. Rename the "
            f"column status in {tsv.name}"
        )
        return
    other = [
        (r.get("name") or "", (r.get(column) or "").strip())
        for r in rows
        if (r.get(column) or "").strip().lower() not in _STATUSES
    ]
    used = [(n, v) for n, v in other if n in raw.ch_names and n not in raw.info["bads"]]
    if used:
        shown = few([f"{n} ({v!r})" for n, v in used], 5)
        _warn(
            f"{path}: its sidecar {tsv} gives {_count(len(used), 'channel')} a status that is "
            f"neither good nor bad: {shown}. MNE-BIDS marks bad only the channels whose status "
            "is 'bad', so these are used as good channels. Write bad in their status column "
            "(the reason in status_description) to leave them out, or good to keep them"
        )


#: A unit of voltage as a ``*_channels.tsv`` or a data file's header writes it -> volts.
_VOLTS = {"V": 1.0, "mV": 1e-3, "uV": 1e-6, "\u00b5V": 1e-6, "\u03bcV": 1e-6, "nV": 1e-9}


def _file_units(raw: mne.io.BaseRaw) -> dict[str, str]:
    """Channel name -> the unit the data file's header gives it, as MNE's reader scaled its
    samples by (EDF/BDF physical dimensions, BrainVision's ``.vhdr``: ``raw._orig_units``);
    empty where the header gives none: an EEGLAB ``.set`` (read as microvolts by convention,
    and given ``V`` in the ``*_channels.tsv`` that MNE-BIDS's ``write_raw_bids`` copies it
    with, so no disagreement can be told from that), a FIF file."""
    stated = getattr(raw, "_orig_units", None) or {}
    return {str(k): str(v) for k, v in stated.items()}


def _check_units(raw: mne.io.BaseRaw, path: Path, bids_path: Any) -> None:
    """Warn where the ``units`` column of ``path``'s ``*_channels.tsv`` (the one MNE-BIDS read)
    gives channels another unit of voltage than the data file's header (``mV`` where the file
    says ``µV``), which MNE-BIDS keeps without a word: the samples are scaled by the file's
    unit, so if the sidecar is right their amplitudes are off by the ratio of the two. Names
    a few channels of each pair of units and the ``--rescale`` that follows the sidecar.

    A sidecar's ``V`` against a header's smaller unit (µV, mV) is not compared: ``V`` is the
    SI unit written where the stored one is not known (MNE-BIDS's ``write_raw_bids`` gives
    it to a BDF file it converts, which MNE's export stores in µV: every such dataset would
    be warned of), and samples in volts under a µV header would read a millionth of EEG's
    amplitudes, which the amplitude check says."""
    from eegpt.signal_checks import _rescale_option

    tsv = find_sidecar(bids_path, "channels", ".tsv")
    stated = _file_units(raw)
    rows = _sidecar_rows(tsv) if stated else None
    if tsv is None or rows is None:
        return
    pairs: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        name, unit = (row.get("name") or "").strip(), (row.get("units") or "").strip()
        theirs = stated.get(name, "").strip()
        if unit == "V" and theirs in _VOLTS and _VOLTS[theirs] < 1.0:
            continue  # the SI unit by default (write_raw_bids's BDF), not the stored one
        if unit in _VOLTS and theirs in _VOLTS and _VOLTS[unit] != _VOLTS[theirs]:
            pairs.setdefault((unit, theirs), []).append(name)
    if not pairs:
        return
    (unit, theirs), names = max(pairs.items(), key=lambda item: len(item[1]))
    fix = _VOLTS[unit] / _VOLTS[theirs]
    others = "".join(
        f"; {few(n, 3)} {u} there, {t} in the file"
        for (u, t), n in pairs.items()
        if u != unit or t != theirs
    )
    _warn(
        f"{path}: its sidecar {tsv} gives {_count(len(names), 'channel')} ({few(names, 5)}) "
        f"the unit {unit}, but the data file's header gives {theirs}{others}: the samples "
        f"are scaled by the file's unit (MNE-BIDS does not rescale them by the sidecar's), "
        f"so if they are in {unit} "
        f"their amplitudes are read {fix:g} times too {'small' if fix > 1 else 'large'}. "
        f"Correct the units column of {tsv.name} if the file is right; if the sidecar is, "
        f"give {_rescale_option(fix)}"
    )


def _check_event_samples(raw: mne.io.BaseRaw, path: Path, bids_path: Any) -> None:
    """Warn where the ``sample`` column of ``path``'s ``*_events.tsv`` (the one MNE-BIDS read)
    disagrees with its ``onset`` by more than 2 samples and 1 ms (counted from the file's
    first sample or from 0; from 1, as EEGLAB counts, is within): MNE-BIDS places the events
    by ``onset`` (seconds from the file's first sample) without a word, so where ``sample``
    is the right one every event lands elsewhere. Names the rows, a first one with both
    times, and the rate the samples look counted at where one rate explains them all."""
    tsv = find_sidecar(bids_path, "events", ".tsv")
    rows = _sidecar_rows(tsv)
    if tsv is None or rows is None:
        return
    sfreq, first = float(raw.info["sfreq"]), int(raw.first_samp)
    tolerance = 2.0 / sfreq + 1e-3
    pairs: list[tuple[float, float]] = []
    off: list[int] = []
    for i, row in enumerate(rows):
        try:
            onset, sample = float(row.get("onset") or ""), float(row.get("sample") or "")
        except ValueError:  # n/a, blank or no such column
            continue
        if not (math.isfinite(onset) and math.isfinite(sample)):
            continue
        pairs.append((onset, sample))
        if min(abs(sample / sfreq - onset), abs((sample - first) / sfreq - onset)) > tolerance:
            off.append(i)
    if not off:
        return
    onset, sample = float(rows[off[0]]["onset"]), float(rows[off[0]]["sample"])
    rates = [s / o for o, s in pairs if o > 0]
    rate = (
        f" Its samples look counted at {rates[0]:.4g} Hz, not the file's rate (events written "
        "before the recording was resampled?)."
        if len(rates) > 1
        and max(rates) - min(rates) < 1e-3 * max(rates)
        and abs(rates[0] - sfreq) > 1e-3 * sfreq
        else ""
    )
    _warn(
        f"{path}: the sample column of its sidecar {tsv} disagrees with its onset column in "
        f"{_count(len(off), 'row')} of {len(pairs)} (row {off[0] + 1} after the header line: "
        f"onset {onset:g} s, sample {sample:g} = {sample / sfreq:g} s at the file's "
        f"{sfreq:g} Hz): the events are placed by onset (seconds from the file's first "
        f"sample), as MNE-BIDS reads them.{rate} If sample is right, correct onset (sample / "
        "SamplingFrequency); if onset is, correct sample or remove the column"
    )


_fallback_logged = False  # find_sidecar: the fallback from MNE-BIDS's helper, logged once


def find_sidecar(bids_path: Any, suffix: str, extension: str) -> Path | None:
    """The sidecar (``suffix``, ``extension``: ``"channels"``, ``".tsv"``) that
    ``mne_bids.read_raw_bids`` reads for the data file of ``bids_path`` (a
    ``mne_bids.BIDSPath`` with its root), as MNE-BIDS finds it: the session's
    ``*_scans.tsv`` by its public ``BIDSPath`` (as ``read_raw_bids`` builds it), any other
    by BIDS inheritance with its private ``_find_matching_sidecar`` (the nearest that
    matches); None where none matches, or several do (MNE-BIDS then reads none). Where that
    private helper is gone or no longer takes these arguments (an MNE-BIDS upgrade), the
    file of the data file's own name beside it (``sub-01_..._channels.tsv``), logged once at
    DEBUG; that file may not exist. The one place eegpt asks MNE-BIDS for a sidecar
    (stamps, ``*_eeg.json``'s (``*_ieeg.json``'s) rate, ``acq_time``)."""
    mne_bids = _mne_bids()
    if suffix == "scans":
        return Path(
            mne_bids.BIDSPath(
                subject=bids_path.subject, session=bids_path.session, suffix="scans",
                extension=".tsv", root=bids_path.root, check=False,
            ).fpath
        )  # fmt: skip
    try:
        from mne_bids.path import _find_matching_sidecar

        found = _find_matching_sidecar(
            bids_path, suffix=suffix, extension=extension, on_error="ignore"
        )
    except RuntimeError:  # several that match (an MNE-BIDS that raises on it): none read
        return None
    except (ImportError, TypeError, AttributeError) as err:  # the private helper changed
        global _fallback_logged
        if not _fallback_logged:
            _fallback_logged = True
            from eegpt._logging import logger

            logger.debug(
                "mne_bids.path._find_matching_sidecar cannot be used (%s: %s): BIDS sidecars "
                "are looked for beside each data file, by its own name",
                type(err).__name__,
                err,
            )
        name = Path(bids_path.fpath).name
        stem = name[: name.rindex("_")] if "_" in name else name
        return Path(bids_path.fpath).with_name(f"{stem}_{suffix}{extension}")
    return None if found is None else Path(found)


#: ``metadata["clock"]`` of a recording whose measurement date MNE-BIDS took from the
#: ``acq_time`` of its ``*_scans.tsv`` (:func:`eegpt.io.date_clock`): UTC, as MNE-BIDS brings
#: it there (a time with ``Z`` or an offset is converted; one without is taken as this
#: computer's local time), not the data file header's wall clock.
ACQ_TIME_CLOCK = "acq_time"


def _acq_time_applied(raw: mne.io.BaseRaw, bids_path: Any) -> bool:
    """Whether ``raw``'s measurement date is the ``acq_time`` of its row of ``*_scans.tsv``,
    which MNE-BIDS sets over the header's date: the row found and its time parsed as
    MNE-BIDS does (ISO 8601; ``Z`` or an offset brought to UTC, a time without one taken as
    this computer's local time), equal to the date read, and not the data file header's own
    date (:func:`_header_date`): ``write_raw_bids`` writes ``acq_time`` from the header's
    date (with ``Z``), so in most converted datasets the two are the same and the date is
    still the header's wall clock (the reader's clock is kept)."""
    import datetime

    date = raw.info.get("meas_date")
    table = find_sidecar(bids_path, "scans", ".tsv")
    if date is None or table is None or not table.is_file():
        return False
    from eegpt.text_tables import read_delimited

    try:
        rows = read_delimited(table).to_pylist()
    except Exception:  # a scans.tsv eegpt cannot read: MNE-BIDS said what it did with it
        return False
    own = Path(bids_path.fpath.name)
    names = (
        {own.with_suffix(s).name for s in (".vhdr", ".eeg", ".vmrk")}
        if own.suffix == ".vhdr"
        else {own.name}
    )
    for row in rows:
        if Path(str(row.get("filename", ""))).name not in names:
            continue
        text = str(row.get("acq_time") or "").strip()
        try:
            when = parse_iso(text)
        except ValueError:
            return False
        if when.astimezone(datetime.timezone.utc) != date:
            return False
        applied = _header_date(Path(bids_path.fpath)) != date
        if applied and when.tzinfo is None:
            _warn_zoneless(table, text, Path(bids_path.root))
        return applied
    return False


_UNREAD = object()  # _header_date: the header could not be read


def _header_date(path: Path) -> Any:
    """The measurement date of the data file ``path``'s own header (MNE's reader, samples not
    loaded), before MNE-BIDS set ``acq_time`` over it; an object equal to no date where the
    header cannot be read."""
    import mne

    try:
        with mne.utils.use_log_level("error"):
            return mne.io.read_raw(path, preload=False, verbose="error").info.get("meas_date")
    except Exception:  # noqa: BLE001 - MNE raises anything on a file it cannot read
        return _UNREAD


#: The datasets (roots) warned of an ``acq_time`` without a zone, in this process: once each.
_warned_zoneless: set[Path] = set()


def _warn_zoneless(table: Path, text: str, root: Path) -> None:
    """Warn once for the dataset ``root`` that an ``acq_time`` (``text``, of ``table``) has no
    zone, which MNE-BIDS takes as this computer's local time."""
    if root in _warned_zoneless:
        return
    _warned_zoneless.add(root)
    _warn(
        f"{table}: acq_time {text!r} has no time zone (no Z or offset), so MNE-BIDS took it as "
        "this computer's local time to bring it to UTC: the same dataset read on a machine "
        "in another time zone gives other clock_time values. Write acq_time with Z or an "
        f"offset (said once for the dataset {root})"
    )


def _missing_column_advice(err: BaseException, sidecar: str | None) -> str:
    """The end of the reason a ``.tsv`` sidecar could not be read where MNE-BIDS looked for a
    column it lacks (``err``: ``KeyError('type')``): the column spelt otherwise that it has
    (``Type``: BIDS names its columns in lower case), else its columns; "" for other errors."""
    if not (isinstance(err, KeyError) and len(err.args) == 1 and isinstance(err.args[0], str)):
        return ""
    rows = _sidecar_rows(Path(sidecar)) if sidecar and sidecar.endswith(".tsv") else None
    columns = list(rows[0]) if rows else []
    missing = err.args[0]
    if not columns or missing in columns:
        return ""
    near = [c for c in columns if c and c.strip().lower() == missing]
    if near:
        return (
            f": it has a column {near[0]!r}, not {missing!r}: BIDS names its columns in lower "
            f"case without spaces, and MNE-BIDS reads no other. Rename it {missing}"
        )
    return f": it has no column {missing!r} (its columns: {few(columns, 8)}), which BIDS requires"


def _sidecar_being_read(err: BaseException) -> str | None:
    """The ``.tsv``/``.json`` file MNE-BIDS was reading when ``err`` was raised, found in the
    local variables of the innermost frames of its traceback that name one; None if none
    does (MNE-BIDS's own messages often leave the file out)."""
    tb, found = err.__traceback__, None
    while tb is not None:
        for value in tb.tb_frame.f_locals.values():
            if isinstance(value, (str, Path)) and str(value).endswith((".tsv", ".json")):
                found = str(value)
        tb = tb.tb_next
    return found


#: The entities of a file name that become columns (MNE-BIDS's names for them): ``processing``
#: (``proc-``) and ``description`` (``desc-``) tell apart the versions of one recording a
#: derivative dataset holds (``proc-clean``, ``proc-ica``).
_ENTITIES = ("subject", "session", "task", "acquisition", "run", "processing", "description")
#: The entities a corpus run can select recordings by (``bids_filters``; ``--subject`` ...).
BIDS_FILTERS = _ENTITIES
#: Each entity's key in file names (``sub-01``), which a filter value may carry.
_KEYS = {
    "subject": "sub",
    "session": "ses",
    "task": "task",
    "acquisition": "acq",
    "run": "run",
    "processing": "proc",
    "description": "desc",
}
#: The entities that tell apart versions of one recording (not part of its identity).
_VERSION_ENTITIES = ("processing", "description", "split")


def bids_filters(filters: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """``filters`` (entity -> a value or a sequence of values, e.g. ``{"task": "rest"}``) as
    entity -> the values as text, in :data:`BIDS_FILTERS`' order, without a file name's key
    (``sub-01`` is ``01``); entities given no value are left out. Empty for None. Labels are
    kept once each, sorted, a run's number without leading zeros (:func:`_canonical`), and
    compared as written, but a run's as a number (:func:`_same_label`: ``1`` is ``run-01``).

    Raises
    ------
    ValueError
        If an entity is not one of :data:`BIDS_FILTERS`, or a value is empty.
    """
    if not filters:
        return {}
    unknown = sorted(set(filters) - set(BIDS_FILTERS))
    if unknown:
        raise ValueError(
            f"bids_filters: {unknown} are not entities recordings can be selected by; give "
            f"{', '.join(BIDS_FILTERS)} ({', '.join(f'--{name}' for name in BIDS_FILTERS)})"
        )
    out: dict[str, list[str]] = {}
    for name in BIDS_FILTERS:
        given = filters.get(name)
        if given is None:
            continue
        values = [given] if isinstance(given, (str, int)) else list(given)
        texts = [str(v).strip().removeprefix(f"{_KEYS[name]}-") for v in values]
        if not texts or not all(texts):
            raise ValueError(
                f"bids_filters: {name}={given!r} (--{name}) needs one or more labels, e.g. "
                f"{name}=['01'] for {_KEYS[name]}-01"
            )
        out[name] = _canonical(name, texts)
    return out


def filter_options(filters: Mapping[str, Any]) -> str:
    """BIDS ``filters`` (entity -> a value or values: ``{"subject": ["01", "02"]}``) as the
    command line gives them (``--subject 01,02``); entities given no value are left out, ""
    for none."""
    parts = []
    for name, given in filters.items():
        values = [given] if isinstance(given, (str, int)) else list(given or ())
        if values:
            parts.append(f"--{name} {','.join(map(str, values))}")
    return " ".join(parts)


def _canonical(name: str, labels: list[str]) -> list[str]:
    """``labels`` of the entity ``name`` once each and sorted, a run's number without leading
    zeros (``01`` is ``1``), so that the same selection given in another order or spelling is
    recorded alike (a resume compares the recorded filters)."""
    if name == "run":
        labels = [str(int(t)) if t.isascii() and t.isdigit() else t for t in labels]

    def number(t: str) -> bool:  # "²".isdigit() is true, but int("²") fails
        return t.isascii() and t.isdigit()

    return sorted(set(labels), key=lambda t: (not number(t), int(t) if number(t) else 0, t))


def same_filters(recorded: Any, filters: Mapping[str, list[str]]) -> bool:
    """Whether the ``bids_filters`` a run recorded (perhaps before they were recorded
    canonical: :func:`_canonical`) select what ``filters`` (:func:`bids_filters`) do."""
    try:
        return bids_filters(recorded) == dict(filters)
    except (ValueError, TypeError, AttributeError):
        return False


def _bidsignore(root: Path) -> Callable[[str], bool]:
    """Whether a path (POSIX, relative to ``root``) is one the dataset's ``.bidsignore`` names,
    read as the BIDS validator reads it: gitignore patterns, one a line (``#`` starts a
    comment, ``!`` takes a path back), a pattern without ``/`` but at its end matching a file
    or folder name at any depth, one with ``/`` the path from ``root``, ``**`` any folders, a
    trailing ``/`` folders only; a folder's pattern names everything in it. Its text is read
    as eegpt reads its tables (:func:`eegpt.text_tables.table_text`: UTF-8 with or without a
    BOM, UTF-16 with one), a file in another encoding as Latin-1 rather than refused (its
    patterns are ASCII file names; a comment in cp1252 is no reason to stop)."""
    from eegpt.dataset_inputs import _glob_regex
    from eegpt.text_tables import table_text

    path = root / ".bidsignore"
    if not path.is_file():
        return lambda rel: False
    rules: list[tuple[re.Pattern[str], bool, bool]] = []  # (regex, taken back, folders only)
    for line in table_text(path, legacy="latin-1").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        back = line.startswith("!")
        line = line.removeprefix("!")
        folders = line.endswith("/")
        body = line.strip("/")
        if not body:
            continue
        anywhere = "/" not in body and not line.startswith("/")
        regex = _glob_regex(body).pattern
        rules.append((re.compile(("(?:[^/]+/)*" if anywhere else "") + regex), back, folders))

    def ignored(rel: str) -> bool:
        parts = rel.split("/")
        result = False
        for regex, back, folders in rules:
            for i in range(1, len(parts) + 1):
                if folders and i == len(parts):
                    continue  # a file is no folder
                if regex.fullmatch("/".join(parts[:i])):
                    result = not back
                    break
        return result

    return ignored


def bids_manifest(
    root: Path,
    *,
    filters: Mapping[str, Any] | None = None,
    under: Path | None = None,
    only: Collection[str] | None = None,
) -> Any:
    """The EEG recordings of the BIDS dataset ``root`` as a manifest table (pyarrow): ``path``
    (relative to ``root``), ``recording_id`` (the same), the entities the file names carry
    (``subject``, ``session``, ``task``, ``acquisition``, ``run``, ``processing``,
    ``description``: text, as written) and the columns of ``participants.tsv`` for each
    subject (``participant_<name>`` where a name is taken). Files under ``derivatives/``,
    ``sourcedata/``, ``code/`` and ``stimuli/`` are not recordings of the dataset and are left
    out, and so are those its ``.bidsignore`` names (with a warning that counts them).

    A derivative dataset (:func:`is_derivative`: ``"DatasetType": "derivative"``, or a folder
    ``<raw>/derivatives/NAME``) lists its processed recordings too: ``sub-*`` files ending
    ``_raw.fif`` or ``_epo.fif`` (MNE-BIDS-Pipeline's ``_proc-filt_raw.fif``,
    ``_proc-clean_epo.fif``) and ``_eeg.fif``; its ``participants.tsv``, or the raw dataset's
    above it where it has none. Versions of one recording (files that differ only by their
    ``proc-``/``desc-`` entities or by being ``_raw`` or ``_epo``) are warned of
    (:func:`_warn_versions`): each would be embedded, its trials counted again.

    ``under``: a folder of the dataset (``root/sub-01``): only its recordings, with the ids and
    columns they have in the whole dataset's listing. ``filters``: entity -> values
    (:func:`bids_filters`): only the recordings whose entities have one of the values given
    for each. ``only``: the paths (relative to ``root``, POSIX) a pattern matched: only those
    (intracranial ones included), with a warning that names the files among them that are no
    recordings (an ``_ave.fif``, ``_ica.fif`` or report).

    Raises
    ------
    ValueError
        If a value of ``filters`` matches no recording (naming those there are), or no
        recording has the values of all of them.
    """
    import pyarrow as pa

    try:
        mne_bids = _mne_bids()
    except MissingDependencyError as err:
        raise MissingDependencyError(
            f"{root} is a BIDS dataset (it has dataset_description.json); listing its "
            f"recordings and reading them with their sidecars needs mne-bids: {_INSTALL}. "
            "Or pass pattern='**/*_eeg.edf' (--pattern) to embed the data files alone"
        ) from err
    root = listed_path(root)  # links kept: the folders of linked subjects lie under it
    derivative = is_derivative(root)
    top = root if under is None else listed_path(under)
    found = _data_files(root, top, derivative)
    kind = "BIDS derivative dataset" if derivative else "BIDS dataset"
    where = f"{top} (of the {kind} {root})" if under is not None else f"the {kind} {root}"
    # intracranial recordings are left out (said once), unless a pattern picked them
    ieeg = [p for p, suffix in found if suffix == "ieeg"] if only is None else []
    paths = (
        _picked(root, found, only, where)
        if only is not None
        else [p for p, suffix in found if suffix != "ieeg"]
    )
    if not paths:
        raise MissingFileError(
            f"{where} has no {_recordings_text(derivative)} outside "
            f"{', '.join(NOT_RAW_FOLDERS)}" + (f". It has {_ieeg_text(ieeg)}" if ieeg else "")
        )
    if ieeg:
        _log(f"{where}: left out its {_ieeg_text(ieeg)}.")
    ignored = _bidsignore(root)
    skipped = [p for p in paths if ignored(p.relative_to(root).as_posix())]
    if skipped:
        paths = [p for p in paths if p not in skipped]
        _warn(
            f"{root / '.bidsignore'}: left out {_count(len(skipped), 'EEG data file')} it "
            f"names: {few([p.relative_to(root).as_posix() for p in skipped], 5)}"
        )
        if not paths:
            raise MissingFileError(
                f"{where} has no EEG data files that its .bidsignore does not name"
            )
    entities = [mne_bids.get_entities_from_fname(p.name) for p in paths]
    keep = _selected(entities, bids_filters(filters), where)
    paths, entities = [paths[i] for i in keep], [entities[i] for i in keep]
    rel = [p.relative_to(root).as_posix() for p in paths]
    if derivative:
        _warn_versions(rel, entities, where, filters)
    columns: dict[str, list[Any]] = {"path": rel, "recording_id": rel}
    for name in _ENTITIES:
        values = [e.get(name) for e in entities]
        if any(v is not None for v in values):
            columns[name] = values
    from eegpt.metadata_tables import clash_renames
    from eegpt.window_tables import RESERVED_COLUMNS

    table_root = _participants_root(root) if derivative else root
    participants = _participants(table_root, [e["subject"] for e in entities])
    taken = set(columns) | set(RESERVED_COLUMNS)  # participant_<name>, _2 ... where taken
    renames = clash_renames(participants, taken, taken | set(participants), "participant")
    for name, values in participants.items():
        columns[renames.get(name, name)] = values
    return pa.table(
        {
            name: pa.array(values, pa.string()) if name in ("path", "recording_id") else values
            for name, values in columns.items()
        }
    )


def _recordings_text(derivative: bool) -> str:
    """The files a listing takes as recordings, for a message that found none."""
    data = f"EEG data files (sub-*_eeg with {', '.join(BIDS_EEG_EXTENSIONS)}"
    if not derivative:
        return data + ")"
    return f"{data}, .fif) nor processed recordings (sub-*_raw.fif, sub-*_epo.fif)"


def _participants_root(derivative: Path) -> Path:
    """The folder whose ``participants.tsv`` gives a derivative dataset's participant columns:
    its own where it has one, else the raw dataset's whose ``derivatives/`` holds it
    (:func:`derivative_source`), else its own (none: no columns)."""
    if (derivative / "participants.tsv").is_file():
        return derivative
    return derivative_source(derivative) or derivative


def _picked(
    root: Path, found: list[tuple[Path, str]], only: Collection[str], where: str
) -> list[Path]:
    """The recordings of ``found`` (data files and their suffixes) whose paths
    relative to ``root`` are in ``only`` (a pattern's matches), intracranial ones included
    since a pattern named them; a warning names the matched files that are no recordings."""
    wanted = set(only)
    paths = [p for p, _ in found if p.relative_to(root).as_posix() in wanted]
    other = sorted(wanted - {p.relative_to(root).as_posix() for p in paths})
    if other:
        _warn(
            f"left out {_count(len(other), 'file')} matched by the pattern that are no "
            f"recordings of {where} (eegpt lists sub-* files ending _eeg, _raw.fif or "
            f"_epo.fif as its recordings; evoked responses, ICA solutions, reports are not): "
            f"{few(other, 5)}"
        )
    return paths


def _version_key(entities: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The entities of a recording's file name that say which recording it is, without those
    that say which version of it (:data:`_VERSION_ENTITIES`)."""
    return tuple((k, v) for k, v in entities.items() if k not in _VERSION_ENTITIES)


def _later_split(entities: Mapping[str, Any]) -> bool:
    """Whether a file name's ``split-`` entity says a later part of a split FIF file (read
    from its first part, left out of a run)."""
    split = str(entities.get("split") or "1")
    return split.isascii() and split.isdigit() and int(split) > 1


def _warn_versions(
    rel: list[str], entities: list[dict[str, Any]], where: str, filters: Any
) -> None:
    """Warn once where a derivative dataset's listing (``rel``: paths, ``entities``: each
    file name's) holds several versions of one recording: files of one subject, session,
    task, acquisition and run in one folder that differ only by ``proc-``/``desc-`` (or by
    being ``_raw`` or ``_epo``), MNE-BIDS-Pipeline's ``_epo.fif``, ``_proc-clean_epo.fif`` and
    ``_proc-ica_epo.fif``: each is embedded, so its trials would count two or three times per
    subject. Names a few groups, and how to pick one version."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for path, ents in zip(rel, entities, strict=True):
        if not _later_split(ents):
            folder = path.rsplit("/", 1)[0] if "/" in path else ""
            groups.setdefault((folder, _version_key(ents)), []).append(path)
    several = [files for files in groups.values() if len(files) > 1]
    if not several:
        return
    names = [[f.rsplit("/", 1)[-1] for f in files] for files in several]
    shown = "; ".join(_group_text(group) for group in names[:3])
    more = f" (and {len(several) - 3} more)" if len(several) > 3 else ""
    tail, label = _one_version(names[0])
    pick = f"--pattern '**/*{tail}' (pattern='**/*{tail}')"
    if label is not None and not (filters or {}).get("processing"):
        pick += f", or --processing {label} (bids_filters={{'processing': '{label}'}})"
    _warn(
        f"{where} holds {_count(len(several), 'recording')} in several versions (files that "
        f"differ only by their proc-/desc- entities or by being _raw or _epo): {shown}{more}. "
        "Each is embedded, so the same trials count two or more times per subject (in a "
        "probe's scores, a groupby); the column 'processing' tells them apart. Embed one "
        f"version: {pick}"
    )


def _group_text(names: list[str]) -> str:
    """The file names of one recording's versions as their common start and each one's rest:
    ``sub-01_task-x: _epo.fif, _proc-clean_epo.fif``."""
    common = os.path.commonprefix(names)
    stem = common[: common.rfind("_")] if "_" in common else ""
    return f"{stem}: " + ", ".join(n[len(stem) :] for n in names) if stem else ", ".join(names)


def _one_version(names: list[str]) -> tuple[str, str | None]:
    """A file name ending that picks one of the versions ``names`` (of one recording) and its
    ``proc-`` label: the first processed one (``_proc-clean_epo.fif``, ``clean``), else the
    first (``_epo.fif``, None)."""
    for name in names:
        m = re.search(r"_proc-([A-Za-z0-9]+)(?:_.*)?$", name)
        if m:
            return name[m.start() :], m.group(1)
    m = re.search(r"_desc-[A-Za-z0-9]+(?:_.*)?$", names[0])
    return (names[0][m.start() :] if m else "_" + names[0].rsplit("_", 1)[-1]), None


def _data_files(root: Path, top: Path, derivative: bool = False) -> list[tuple[Path, str]]:
    """The data files (``sub-*_eeg`` and ``sub-*_ieeg``, :data:`_DATA_FILE`; of a
    ``derivative`` dataset also its processed recordings, :data:`_DERIVED_FILE`) in the
    folder ``top`` of the BIDS dataset ``root``, sorted, each with its suffix (``"eeg"``,
    ``"ieeg"``, ``"raw"``, ``"epo"``), outside :data:`NOT_RAW_FOLDERS` and hidden folders: one
    walk of the tree, into linked folders too (:func:`_files_below`). Of a raw dataset, the
    files named like data files but not as BIDS names them are warned of
    (:func:`_warn_misnamed_data_files`)."""
    found = []
    files = _files_below(root, top)
    for p in files:
        named = (_DERIVED_FILE if derivative else _DATA_FILE).match(p.name)
        if named and p.is_file():
            found.append((p, named.group(2) or named.group(4)))
    if not derivative:
        _warn_misnamed_data_files(root, files, {p for p, _ in found})
    return sorted(found)


def _files_below(root: Path, top: Path) -> list[Path]:
    """The files in the folder ``top`` of the BIDS dataset ``root`` (outside
    :data:`NOT_RAW_FOLDERS` and hidden folders, hidden files left out), as named through
    linked folders (``ds/sub-02 -> /store/sub-02``: a dataset assembled from links, as a
    folder listing follows them), each folder entered once, so a link loop (``sub-01/up ->
    ..``) ends and a folder reached by two paths is walked under the first by name; those
    left out are named in a warning."""
    files: list[Path] = []
    real_top = Path(os.path.realpath(top))
    # real folder -> the path it was walked under; top's and those above it: a link up ends
    seen = {str(real): str(top) for real in [real_top, *real_top.parents]}
    again: list[str] = []
    for folder, dirs, names in os.walk(top, followlinks=True):
        here = Path(folder)
        keep = []
        for name in sorted(dirs):
            path = here / name
            rel = path.relative_to(root).parts
            if name.startswith(".") or rel[0] in NOT_RAW_FOLDERS:
                continue
            real = os.path.realpath(path)
            if real in seen:
                if not (str(path) + os.sep).startswith(seen[real] + os.sep):  # not a loop
                    again.append(f"{path.relative_to(root).as_posix()} (= {seen[real]})")
                continue
            seen[real] = str(path)
            keep.append(name)
        dirs[:] = keep
        files.extend(here / n for n in names if not n.startswith("."))
    if again:
        _warn(
            f"{root}: left out {_count(len(again), 'linked folder')} that lead to a folder "
            f"listed before, so as not to list its recordings twice: {few(again, 5)}"
        )
    return files


#: A file named like a BIDS EEG data file but for its case or labels (``sub-02_task-rest_eeg.EDF``,
#: ``sub-01_task-eyes-closed_eeg.edf``): what :func:`_warn_misnamed_data_files` counts.
_DATA_LIKE = re.compile(rf"^sub-.*_i?eeg\.({_FORMATS})$", re.IGNORECASE)


def _warn_misnamed_data_files(root: Path, files: list[Path], found: set[Path]) -> None:
    """Warn once of the ``files`` (of the BIDS dataset ``root``, as :func:`_files_below` lists
    them) named like data files (:data:`_DATA_LIKE`) but not listed (not in ``found``): BIDS
    names have lower-case extensions and labels of letters and digits only, so MNE-BIDS does
    not read them as its recordings and the listing leaves them out."""
    left = [
        p.relative_to(root).as_posix()
        for p in files
        if p not in found and _DATA_LIKE.match(p.name) and p.is_file()
    ]
    if left:
        _warn(
            f"the BIDS dataset {root}: left out {_count(len(left), 'file')} named like EEG "
            f"data files but not as BIDS names them ({few(sorted(left), 5)}): a BIDS name has a "
            "lower-case extension (.edf, not .EDF) and entity labels of letters and digits "
            "only (task-eyesclosed, not task-eyes-closed), and MNE-BIDS reads no other. Rename "
            "them to embed them with their sidecars, or embed them as files with --pattern "
            "(pattern=)"
        )


def _ieeg_text(found: list[Path]) -> str:
    """How many intracranial recordings ``found`` a listing leaves out, why, and how to take
    them anyway."""
    formats = sorted({p.suffix for p in found})
    pattern = f"**/*_ieeg{formats[0]}" if len(formats) == 1 else "**/*_ieeg.*"
    return (
        f"{_count(len(found), 'intracranial EEG recording')} (sub-*_ieeg: sEEG, ECoG), "
        "which a BIDS dataset's listing leaves out: EEGPT is a scalp-EEG model, pretrained on "
        "electrodes on the head, and says nothing meaningful of intracranial contacts. If they "
        f"hold scalp EEG channels too, embed those with --pattern '{pattern}' "
        f"(pattern='{pattern}'): each is read with its sidecars, so the channels its "
        "*_channels.tsv types SEEG or ECOG are left out"
    )


def _same_label(name: str, label: str, wanted: str) -> bool:
    """Whether a recording's ``label`` of the entity ``name`` is the ``wanted`` one: the same
    text, or for ``run`` (an index in BIDS) the same number (``1`` and ``01`` are ``run-01``)."""
    if label == wanted:
        return True
    numbers = name == "run" and all(t.isascii() and t.isdigit() for t in (label, wanted))
    return numbers and int(label) == int(wanted)


def _selected(
    entities: list[dict[str, Any]], filters: dict[str, list[str]], where: str
) -> list[int]:
    """The positions of the ``entities`` (of recordings) that have one of the values of each
    entity of ``filters``.

    Raises
    ------
    ValueError
        If a value matches no recording (naming those there are), or none has them all.
    """
    for name, wanted in filters.items():
        present = sorted({str(e[name]) for e in entities if e.get(name) is not None})
        absent = [v for v in wanted if not any(_same_label(name, p, v) for p in present)]
        if absent:
            there = (
                f"its recordings' {name} labels are {', '.join(map(repr, present))}"
                if present
                else f"its file names have no {_KEYS[name]}- entity"
            )
            raise ValueError(
                f"{name} {', '.join(map(repr, absent))} (--{name}) matches no recording of "
                f"{where}: {there}"
            )
    keep = [
        i
        for i, e in enumerate(entities)
        if all(
            any(_same_label(name, str(e.get(name)), v) for v in wanted)
            for name, wanted in filters.items()
        )
    ]
    if not keep:
        chosen = "; ".join(f"{name} {', '.join(map(repr, v))}" for name, v in filters.items())
        raise ValueError(
            f"no recording of {where} has {chosen} (each matches some recording, but not "
            "together): loosen the filters"
        )
    return keep


def _participants(root: Path, subjects: list[str]) -> dict[str, Any]:
    """The columns of ``participants.tsv`` (pyarrow arrays, ``n/a`` missing), one row per entry
    of ``subjects``; empty without the file. Ids are compared without spaces around them and
    with or without their ``sub-`` prefix (a warning names those without it, which MNE-BIDS
    does not match); a warning names the subjects it has no row for, and the columns of
    numbers kept as text for a leading zero (``007``).

    Raises
    ------
    ValueError
        If it has no ``participant_id`` column spelt exactly so (``Participant_ID``,
        ``participant_id `` with a space): MNE-BIDS, which reads each recording, would fail
        on every one of them."""
    import pyarrow as pa

    from eegpt.text_tables import read_delimited_table

    path = root / "participants.tsv"
    if not path.is_file():
        return {}
    table, _, kept_as_text = read_delimited_table(path)
    if "participant_id" not in table.column_names:
        # MNE-BIDS, which reads each recording with its sidecars, reads participants.tsv too
        # and fails on every recording without this exact column: refused here, once
        named = [c for c in table.column_names if c.strip().lower() == "participant_id"]
        raise ValueError(
            f"{path} has no participant_id column (its columns: {few(table.column_names, 8)})"
            + (f"; its {named[0]!r} is not spelt exactly so" if named else "")
            + ", and MNE-BIDS, which reads each recording with its sidecars, needs it: name "
            "the column of subject ids (sub-01 ...) participant_id, in lower case without "
            "spaces, or move participants.tsv out of the dataset"
        )
    id_column = "participant_id"
    ids = [
        None if v is None else str(v).strip().removeprefix("sub-")
        for v in table.column(id_column).to_pylist()
    ]
    row_of: dict[str, int] = {}
    for i, sid in enumerate(ids):
        if sid is None:
            continue
        if sid in row_of:
            _warn(f"{path} lists sub-{sid} more than once; its first row is used")
        row_of.setdefault(sid, i)
    bare = [
        str(v).strip()
        for v in table.column(id_column).to_pylist()
        if v is not None and str(v).strip() and not str(v).strip().startswith("sub-")
    ]
    if bare:  # matched here, but MNE-BIDS warns for each recording that it is not listed
        _warn(
            f"{path}: {_count(len(bare), 'participant_id')} without the 'sub-' prefix BIDS "
            f"gives them ({few(bare, 5)}): eegpt takes {bare[0]!r} for sub-{bare[0]} and "
            "gives its recordings the row's columns, but MNE-BIDS, which reads the table "
            "with each recording, does not find them (its warning that a subject is not "
            f"listed in participants.tsv); write them as sub-{bare[0]} ..."
        )
    without = sorted({s for s in subjects if s not in row_of})
    if without:
        _warn(
            f"{path} has no row for {_count(len(without), 'subject')} of the dataset "
            f"({few([f'sub-{s}' for s in without], 5)}): their participant columns are empty"
        )
    rows = pa.array([row_of.get(s) for s in subjects], pa.int64())
    columns = {
        name: table.column(name).combine_chunks().take(rows)
        for name in table.column_names
        if name != id_column
    }
    _warn_leading_zeros(path, {n: z for n, z in kept_as_text.items() if n in columns})
    return columns


def _warn_leading_zeros(path: Path, kept_as_text: Mapping[str, tuple[int, str]]) -> None:
    """Warn of the columns of numbers the table ``path`` was read with as text for a leading
    zero (``007``; :attr:`eegpt.text_tables.DelimitedTable.kept_as_text`: each with its
    first such cell, its row from 0)."""
    for name, (row, cell) in kept_as_text.items():
        _warn(
            f"{path}: the column {name!r} is kept as text, not numbers, since its cell "
            f"{cell.strip()!r} (row {row + 1} after the header line) has a leading zero; "
            "write it without one for a column of numbers"
        )
