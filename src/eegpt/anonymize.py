"""``eegpt anonymize``: a copy of embeddings for publication, without what names the recording's
date, the folders it came from or the machine that embedded it (MNE's ``mne anonymize`` does
so for FIF files).

Embeddings outputs record their provenance so that a result can be traced back: the recording's
``meas_date``, absolute paths (the recording, the checkpoint, a corpus's manifest, each row's
``path``, warning texts that start with the file's path), and for a corpus run the host name
and SLURM job ids of each run. :func:`anonymize_embeddings` writes a copy that keeps the
embeddings, their onsets (relative to the recording start), the recording ids, channels,
model, checkpoint sha256, preprocessing, labels, annotations and the manifest's own columns,
the recording files' sizes and hashes (``source_files``), and drops or replaces the rest
(see its docstring). A probe folder (``probe.json`` beside ``probe.safetensors``, ``eegpt
probe train``'s) is copied under the same rules: its ``probe.json`` without the command line,
working folder and the folders of the files it names, its weights byte for byte. So are a
probe's outputs: a prediction table of ``eegpt probe predict -o`` (a CSV or TSV byte for byte
with its sidecar ``X.csv.json`` anonymized; a Parquet file's rows unchanged, its
``eegpt_predictions`` record's provenance anonymized) and ``eegpt probe evaluate --json``'s file.

This module imports neither torch nor MNE: only NumPy and, for Parquet, pyarrow.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np

from eegpt._csv_text import csv_text
from eegpt._dates import parse_iso
from eegpt._file_identity import SOURCE_FILES_KEY
from eegpt._filenames import user_path
from eegpt._logging import count as _count
from eegpt._logging import few
from eegpt._logging import warn as _warn
from eegpt._renamed import renamed_keywords
from eegpt._tempfiles import current_umask
from eegpt.dataset_folders import MANIFEST_SUFFIXES, read_run_manifest
from eegpt.embeddings_writer import LATE_METADATA_KEY
from eegpt.errors import MissingFileError, OutputExistsError, UnreadableOutputError
from eegpt.optional_packages import require_pyarrow
from eegpt.output_files import (
    FORMATS,
    atomic_write,
    make_output_folder,
    output_format,
    parquet_writer,
)

__all__ = ["anonymize_embeddings"]

#: The provenance key (a file's metadata, a run's ``_manifest.json``) that says a copy was
#: anonymized, by which eegpt and how its dates were treated.
ANONYMIZED_KEY = "anonymized"
#: The same record in each shard footer of an anonymized corpus run.
FOOTER_KEY = "eegpt_anonymized"

#: Keys, anywhere in the provenance, that name the machine, the user or how the run was
#: called (the host, SLURM job ids, the command line, the working folder, a Ray address).
_MACHINE_KEYS = re.compile(
    r"^(host|hostname|node|user|username|cwd|argv|command|cmdline|pid|ray_address|address|ip|"
    r"slurm_\w*)$",
    re.IGNORECASE,
)
#: Keys of a corpus run's file statuses (and of ``eegpt embed``'s ``source_files`` record) that
#: are derived from the file on the site's disk and date them: their modification times (often
#: the day they were recorded or exported).
_FILE_DATES = ("source_mtime_ns", "annotations_mtime_ns")
#: Keys, anywhere in the provenance, that date the recording or the output: the recording's
#: ``meas_date``, when a probe's output was made (``created``). Removed, or moved back by
#: ``daysback`` days.
_DATES = ("meas_date", "created")
#: The years a date inside a text may have (:data:`_DATE_TEXT`): 1900 to 2100, those of
#: recordings and of the files made of them (EDF's own placeholder is 1985; digital EEG
#: started in the 1980s), so that a number such as ``1024-12-31`` is not read as a date.
_DATE_YEARS = r"19\d\d|20\d\d|2100"
#: A date (and time) inside a text, as eegpt and MNE write them in warnings and messages:
#: ``2020-05-17``, ``2020-05-17 12:59:55.5``, ``2020-05-17T13:00:00+00:00`` (ISO 8601,
#: ``isoformat``, ``strftime("%Y-%m-%dT%H:%M:%S%z")``), of a year in :data:`_DATE_YEARS`,
#: wherever it stands but inside a longer run of digits (``12021-03-045`` is no date): after
#: a ``/``, ``:`` or a letter too (``sub-01/2021-03-04T10:00:00``, ``recorded:2021-03-04``,
#: ``rec_2020-05-17.edf``), as a date there names the recording's day as well. Digits, not
#: words, bound it, so a date after a version's dot (``1.2021-03-04``) is read as one:
#: removing a number that was none costs less than leaving a date.
_DATE_TEXT = re.compile(
    rf"(?<!\d)({_DATE_YEARS})-(\d{{2}})-(\d{{2}})"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
    r"(?!\d)"
)
#: The most days ``daysback`` moves dates back: a date of 1900 (the first of
#: :data:`_DATE_YEARS`) to 1 January of the year 1, the first a date can be (more raised an
#: internal OverflowError). A ``meas_date`` before 1900 (MNE takes any) allows fewer: its
#: own error (:func:`_too_far_back_text`).
MAX_DAYSBACK = (datetime.date(1900, 1, 1) - datetime.date(1, 1, 1)).days
#: Keys, anywhere in the provenance (and columns of a corpus run's reports), of eegpt's own
#: messages, whose dates (the recording's moments, in a warning of annotations placed before
#: its first sample) are moved back or removed as ``meas_date`` is; other texts (annotation
#: descriptions, ``epochs.metadata``, the times a run started) keep theirs.
_MESSAGE_KEYS = frozenset({"warnings", "error", "errors"})
#: Keys, anywhere in the provenance, of the data the copy keeps as it is (the annotations over
#: each window, the epochs' event names and ``epochs.metadata``, ``--marker-spans`` and
#: ``--window-labels`` patterns, a probe's classes, an evaluation's labels): no path is in
#: them, and one found there (``/closed`` in ``"eyes open /closed"``, ``/EC`` in ``"^/EC"``)
#: was none, so that the copy's labels and patterns differed from the original's.
_DATA_KEYS = frozenset(
    {"annotations", "labels", "epochs_metadata", "marker_spans", "classes", "match"}
)
#: What a date in a text becomes without ``daysback`` (the recording's ``meas_date`` is
#: removed: a date left in a warning would give it back).
DATE_REMOVED = "[date removed]"
#: What ends a path inside a text: a space (but see :data:`_PATH`), a quote, a list separator.
_STOP = r"\s'\"`,;|<>"
#: A word of a folder's name: no separator, and brackets only in pairs (``(copy)``).
_WORD = rf"(?:[^{_STOP}/\\:()\[\]{{}}]|\([^{_STOP}/\\:()]*\)|\[[^{_STOP}/\\:\[\]]*\])+"
#: An absolute path inside a text: POSIX ``/a/b`` (not inside a word, a URL or a relative
#: path), Windows ``C:\a\b`` or ``C:/a/b``, UNC ``\\server\share\a``, a ``file://`` URL. Its
#: folders may hold spaces and pairs of brackets (``/data/Pat Smith/sub-01 (copy)/x.edf``) where a
#: separator follows them; its last component ends at a space, quote, bracket or ``": "``.
_PATH = re.compile(
    r"(?<![\w.~/\\:-])"
    r"(?:file://[^/\s]*(?=/))?(?:/|[A-Za-z]:[\\/]|\\\\)"
    rf"(?:{_WORD}(?: {_WORD})*[/\\]+)*"
    rf"(?:[^{_STOP}()\[\]{{}}/\\:]|:(?![\s:]|$))*"
)
#: A ``file://`` URL's scheme and host, before its path.
_URL = re.compile(r"^file://[^/\s]*")
#: Where an absolute path's folders start: after ``/``, ``C:\``, ``\\``.
_ANCHOR = re.compile(r"^(?:/+|[A-Za-z]:[\\/]|\\\\)")
#: A relative path inside a text: a token that holds a separator or starts with ``~``.
_RELATIVE = re.compile(
    rf"(?<![^{_STOP}()\[\]{{}}])[^{_STOP}()\[\]{{}}]*[/\\~][^{_STOP}()\[\]{{}}]*"
)
#: What a folder of the site's that names no folder of the dataset becomes, said alone.
_A_FOLDER = "a folder"
#: Run-folder files that are copied (anonymized); others are left out, with a warning.
_CSV_REPORTS = ("_files.csv", "_errors.csv", "_too_short.csv", "_corpus.csv")
#: Manifest columns eegpt reads that hold paths: the copy keeps their file names.
_PATH_COLUMNS = ("annotations_file",)


@renamed_keywords(input="source")
def anonymize_embeddings(
    source: str | os.PathLike, output: str | os.PathLike, *, daysback: int | None = None
) -> Path:
    """Write a copy of embeddings for publication, without the recording date, paths and machine.

    Parameters
    ----------
    source : path-like
        (Was ``input``, still taken with a ``FutureWarning``; ``source`` as in
        :func:`eegpt.export.export_embeddings`.) An embeddings file of one recording
        (``.npz`` or ``.parquet``, :func:`eegpt.embed`, ``eegpt embed``), an
        :func:`eegpt.embed_dataset` output folder, a folder of such folders (the ``--part``
        runs of one corpus), a probe folder
        (:meth:`eegpt.probe.EEGPTProbe.save`, ``eegpt probe train``), a prediction table of
        ``eegpt probe predict -o`` (``.csv`` or ``.tsv`` with its sidecar ``X.csv.json``, or
        ``.parquet``) or the file of ``eegpt probe evaluate --json``.
    output : path-like
        The copy: a file of the same format (a CSV or TSV table's sidecar is written beside
        it, named after it: ``shared.csv.json``), or a new folder (a folder of ``--part`` runs
        is copied with the same folder names). It must not exist (nor, for a CSV or TSV table,
        its sidecar): nothing is ever replaced.
    daysback : int | None
        None (default): the recording's ``meas_date`` is removed, so
        ``Embeddings.clock_times(absolute=True)`` has no date to give, and the ``clock_time``
        column of a Parquet file or a run's shards is emptied (null; ``clock_s``, seconds on the
        recording's clock, is kept). A number of days (1 or more: 0, which would keep the real
        dates in a copy recorded as anonymized, is refused): both are moved back by that many
        days (time of day kept), as ``mne anonymize --daysback`` does, so that the dates of
        several recordings keep their order and spacing. The dates in eegpt's warning and error
        texts (``2020-05-17 12:59:55``) follow: replaced by ``"[date removed]"``, or moved back
        as ``meas_date`` is; not those inside a recording id or file name the copy keeps
        (``rec_2021-03-04_raw.fif``), which the texts name as the copy does.

    Returns
    -------
    Path
        ``output``.

    Notes
    -----
    The copy keeps the embeddings, onsets (seconds from the recording start), recording ids,
    channels, model configuration, checkpoint sha256, preprocessing settings, event labels,
    annotations and bad flags, and a corpus run's manifest columns and ``epochs.metadata``:
    those come from you or the recording, and are yours to check. It replaces every path by what
    names the file within the dataset: a corpus run's recording id (ids that are absolute paths,
    from a manifest of absolute paths without a ``recording_id`` column, become paths relative
    to their common folder), the file name of a single recording, of the checkpoint and of a
    manifest; paths inside warning and error texts likewise. It drops the host name, SLURM job
    ids and the file modification times a run (or ``eegpt embed``'s ``source_files`` record)
    records to notice changed files, and adds ``"anonymized": {"by": "eegpt X", "daysback":
    N}``. A corpus copy cannot be resumed (its paths lead nowhere); read it with
    :func:`read_embeddings`.

    A probe folder's copy holds its weights (``*.safetensors``) byte for byte and its
    ``probe.json`` under the same rules: the command line (``command``) and its folder
    (``cwd``) dropped, the encoder's checkpoint named by its file name, the training and
    validation files (``training["inputs"]``, ``labels_file``, ...) by their names, with
    their sizes and fingerprints but not their modification times, paths in the training
    warnings by their file names, the subjects (groups) a validation split held out by
    pseudonyms (``subject 1``), a ``created`` date removed or moved back as
    ``meas_date`` is; the classes, recipe, preprocessing, channels, history, metrics and the
    encoder's hashes are kept. :func:`eegpt.probe.load_probe` reads the copy and predicts as with
    the original, given the encoder for a frozen one (``load_probe(copy, weights)``,
    ``--weights``): the checkpoint's path is gone. Its other files are left out, with a
    warning. Check the training files' names and the class names before publishing.

    A probe's prediction table or evaluation keeps its data: only its provenance
    (:func:`eegpt.probe_provenance.output_provenance`) is rewritten under a probe's rules (the
    probe's folder, input and labels files by their names, no command line, working folder,
    host, modification times; ``created`` removed or moved back), and an evaluation's warnings
    have their paths reduced to file names. A CSV or TSV table is copied byte for byte and its
    sidecar names the copy, keeping the size and SHA-256 of the table (the copy's too, so
    ``eegpt info`` does not call it STALE; one already stale stays so, with a warning); a
    Parquet table's rows and row groups are copied unchanged, and of its metadata only the
    ``provenance`` of ``eegpt_predictions`` changes (its other keys, and the file's other
    metadata, are kept). The rows are yours to check: ``file`` names each input as given to
    ``predict`` (a warning says where that holds folders) and ``clock_time`` holds the
    recordings' dates (a warning says so; ``daysback`` does not move them). A table or sidecar
    that is a symbolic link is refused, and a sidecar given alone is refused (give its table).

    Kept as they are, so check them before publishing: file names and recording ids (they
    often hold a date or a patient's name), the sizes and hashes of the recording files
    (``source_files``, a run's ``source_fingerprint``, ``source_sha256`` in runs of earlier
    versions: no path, but they tell which file was
    embedded to whoever holds it), the ``participants.tsv`` columns eegpt added to
    a BIDS folder's rows (under their own names; ``participant_<name>`` where a name is
    taken), and the times each corpus run started
    (``started`` in ``_manifest.json``'s runs and the shard footers, with the UTC offset),
    which ``daysback`` does not move. Files of a run folder (or beside ``--part`` run
    folders, such as ``slurm-*.out`` logs) that are not eegpt's are left out, with a warning.

    Raises
    ------
    OutputExistsError
        (a ``FileExistsError``) If ``output`` exists.
    ValueError
        If ``output`` lies inside ``source``, or its suffix is not that of an input file; a
        probe's table or sidecar that is a symbolic link.
    """
    src, dst = user_path(source), user_path(output)
    if daysback is not None and (isinstance(daysback, bool) or int(daysback) != daysback):
        raise ValueError(f"daysback must be a whole number of days, got {daysback!r}")
    if daysback is not None and not 1 <= daysback <= MAX_DAYSBACK:
        raise ValueError(
            f"daysback must be from 1 to {MAX_DAYSBACK} days, got {daysback}: "
            + (
                "0 would keep the real dates in a copy recorded as anonymized; leave "
                "daysback out (command line: no --daysback) to remove the dates, or give "
                "a number of days to move them back"
                if daysback == 0
                else "a negative number would move the dates forward"
                if daysback < 0
                else "more would move a date of 1900 before the year 1, which no date can "
                "be (a recording dated earlier allows fewer days: the error names its date)"
            )
        )
    if not src.exists():
        raise MissingFileError(f"no such file or folder: {src}")
    if dst.exists() or dst.is_symlink():
        raise OutputExistsError(
            f"{dst} exists; eegpt anonymize never replaces a file or folder: choose a new "
            "output path (or delete it first)"
        )
    if Path(os.path.realpath(dst)).is_relative_to(os.path.realpath(src)):
        raise ValueError(
            f"the output {dst} lies inside the input {src}: write the anonymized copy "
            "elsewhere, so that the original is left as it is"
        )
    record = {"by": f"eegpt {_version()}", "daysback": None if daysback is None else int(daysback)}
    kind = probe_output_kind(src) if src.is_file() else None
    if kind is not None:
        _anonymize_probe_output(src, dst, kind, record)
    elif src.is_file():
        fmt = output_format(src)
        if fmt is None:
            raise ValueError(
                f"{src} is no embeddings file: eegpt anonymize copies a {' or '.join(FORMATS)} "
                "file of eegpt embed, or an embed-dataset output folder"
            )
        if output_format(dst) != fmt:
            raise ValueError(
                f"the output {dst} must end in {fmt}, as the input {src.name} does (the copy "
                "keeps its format; eegpt export converts to .mat or .csv)"
            )
        _anonymize_file(src, dst, fmt, record)
    elif _is_probe_folder(src):
        _anonymize_probe(src, dst, record)
    else:
        _anonymize_folder(src, dst, record)
    return dst


def _version() -> str:
    from eegpt import __version__

    return __version__


# -- the pieces of provenance ------------------------------------------------------------------


def _name(path: str) -> str:
    """The last component of a POSIX or Windows path (``path`` itself when it has none)."""
    text = path.rstrip("/\\")
    name = PureWindowsPath(text).name if "\\" in text else PurePosixPath(text).name
    return name or path


def _components(path: str) -> list[str]:
    """The components of ``path`` (either separator), without empty ones and ``.``."""
    return [c for c in re.split(r"[/\\]+", path) if c and c != "."]


def _is_absolute(path: str) -> bool:
    return bool(_ANCHOR.match(path)) or path.startswith("file://")


def _folders(path: str, new: str) -> dict[str, str]:
    """The folders holding the absolute ``path`` (the file the dataset names ``new``), each
    with a separator at its end, with what the copy names them: the folders of ``new``'s own
    where ``path`` ends as ``new`` does (``/site/Pat Smith/rec.edf`` as ``Pat Smith/rec.edf``
    gives ``/site/Pat Smith/`` as ``Pat Smith/``), ``""`` for the others (the site's)."""
    path = path.rstrip("/\\")
    anchor = _ANCHOR.match(path)
    if not anchor:
        return {}
    names = re.split(r"[/\\]+", new.strip("/\\"))
    parts = re.split(r"[/\\]+", path[anchor.end() :])
    shared = 0
    while shared < min(len(names), len(parts)) and names[-1 - shared] == parts[-1 - shared]:
        shared += 1
    cuts = [i for i in range(anchor.end(), len(path)) if path[i] in "/\\"]
    out = {}
    for up, cut in enumerate(reversed(cuts), start=1):
        kept = "/".join(names[:-up]) if up < shared else ""
        out[path[: cut + 1]] = kept + "/" if kept else ""
    return out


class _Scrubber:
    """Replaces, in every text of the provenance, the paths it knows (each by what names the
    file within the dataset) and paths inside the folders holding them, then any other
    absolute path by its file name; drops the keys that name the machine
    (:data:`_MACHINE_KEYS`) and moves or drops the dates (:data:`_DATES`).

    Each text costs a few dictionary look-ups, however many paths are known: a text that is
    a known path is looked up whole; in others each path :data:`_PATH` finds is looked up,
    then the folders holding it, longest first."""

    def __init__(
        self, paths: Mapping[str, str], daysback: int | None, *, suffixes: bool = False
    ) -> None:
        self.daysback = daysback
        #: with ``suffixes``, the trailing parts (two components or more, normalised) of the
        #: known paths, each with the known path's file name: a relative token naming one of
        #: them is reduced to that name (a probe's few paths: its warnings name its inputs as
        #: the command line's ``Path`` gives them, which the table may not hold)
        self.suffixes: dict[str, str] = {}
        #: known paths (absolute, relative) and bare folders, with what the copy names them
        self.exact: dict[str, str] = {}
        #: folders (ending in a separator) holding known absolute paths
        self.folders: dict[str, str] = {}
        #: known paths whose last component holds a space, by what :data:`_PATH` finds of them
        self.spaced: dict[str, list[str]] = {}
        #: known relative paths holding a space (a folder typed as `"Pat Smith/rec.edf"`),
        #: which the tokens of :data:`_RELATIVE` would split: replaced whole, longest first
        self.relative_spaced: list[str] = []
        self.relative = False
        #: the names the copy keeps that hold a date (:func:`_kept_names`), which
        #: :meth:`dates` leaves whole
        self.kept = _kept_names(paths)
        for old, new in paths.items():
            if not old or old == new:
                continue
            self.exact[old] = new
            if not _is_absolute(old):
                self.relative = True
                if " " in old:
                    self.relative_spaced.append(old)
                continue
            for folder, name in _folders(old, new).items():
                if self.folders.setdefault(folder, name) != name:
                    self.folders[folder] = ""  # two names for one folder: the site's
        for folder, name in self.folders.items():
            self.exact.setdefault(folder.rstrip("/\\"), name.rstrip("/") or _A_FOLDER)
        for old in self.exact:
            found = _PATH.match(old)
            if found and found.group(0) != old:
                self.spaced.setdefault(found.group(0), []).append(old)
        for heads in self.spaced.values():
            heads.sort(key=len, reverse=True)
        self.relative_spaced.sort(key=len, reverse=True)
        if suffixes:
            for old, new in paths.items():
                parts = _components(old)
                for cut in range(len(parts) - 1):
                    self.suffixes["/".join(parts[cut:])] = _name(new) if new else new
            self.relative = self.relative or bool(self.suffixes)

    def text(self, value: str) -> str:
        """``value`` with its paths replaced (:meth:`_paths`)."""
        known = self.exact.get(value)
        if known is not None:
            return known
        return self._paths(value)

    def message(self, value: str) -> str:
        """An eegpt message (a warning, an error: :data:`_MESSAGE_KEYS`) with its paths
        replaced and its dates moved back by ``daysback`` days or removed (:meth:`dates`);
        the recording ids and file names the copy keeps are left whole."""
        return self.dates(self.text(value))

    def dates(self, value: str) -> str:
        """``value`` with each date it holds (:data:`_DATE_TEXT`) moved back by ``daysback``
        days (its time of day and notation kept), as ``meas_date`` is; without ``daysback``,
        or for a date that is none (month 13), replaced by :data:`DATE_REMOVED`.

        A date inside a name the copy keeps (a recording id, a file name: :func:`_kept_names`)
        is left as it is: the copy names the file so elsewhere (its ``recording_id``, the
        file's own name), and a message naming it otherwise would name no file of the copy."""
        if "-" not in value:
            return value

        def moved(found: re.Match) -> str:
            if self._in_kept_name(value, found):
                return found.group(0)
            if self.daysback is None:
                return DATE_REMOVED
            try:
                day = datetime.date(*(int(found.group(i)) for i in (1, 2, 3)))
                day -= datetime.timedelta(days=self.daysback)
            except (ValueError, OverflowError):
                return DATE_REMOVED
            return day.isoformat() + found.group(0)[10:]

        return _DATE_TEXT.sub(moved, value)

    def _in_kept_name(self, text: str, found: re.Match) -> bool:
        """Whether the date ``found`` in ``text`` lies inside a name the copy keeps
        (:attr:`kept`) written there whole: not inside a longer word (a letter or digit on
        either side), and spanning the date with its time (a name ``2021-03-04`` does not
        keep the ``10:00:00`` after it). A look-up per shape of the names holding that date."""
        shapes = self.kept.get("-".join(found.group(1, 2, 3)), {})
        for (at, size), names in shapes.items():
            start, end = found.start() - at, found.start() - at + size
            if start < 0 or end < found.end() or end > len(text):
                continue
            if text[start:end] not in names:
                continue
            if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
                continue
            return True
        return False

    def _paths(self, value: str) -> str:
        """``value`` with the paths it holds replaced."""
        if "/" not in value and "\\" not in value and "~" not in value:
            return value
        out, at = [], 0
        found = _PATH.search(value)
        while found:
            new, end = self._absolute(value, found)
            out += [value[at : found.start()], new]
            at = end
            found = _PATH.search(value, at)
        value = "".join([*out, value[at:]])
        for old in self.relative_spaced:  # few: the paths a file's provenance gives as typed
            if old in value:
                value = value.replace(old, self.exact[old])
        if self.relative:
            value = _RELATIVE.sub(lambda m: self._relative(m.group(0)), value)
        return value

    def _absolute(self, text: str, found: re.Match) -> tuple[str, int]:
        """What the copy says for the absolute path ``found`` in ``text``, and where in
        ``text`` that path ends."""
        url = _URL.match(found.group(0))
        start = found.start() + (url.end() if url else 0)
        path = text[start : found.end()]
        for old in self.spaced.get(path, ()):
            if text.startswith(old, start):
                return self.exact[old], start + len(old)
        for old in (path, path.rstrip(".:")):
            if old in self.exact:
                return self.exact[old] + path[len(old) :], found.end()
        for cut in range(len(path) - 1, 0, -1):
            if path[cut] in "/\\" and path[: cut + 1] in self.folders:
                kept, rest = self.folders[path[: cut + 1]], path[cut + 1 :]
                new = kept + rest if kept else _name(rest) if rest else _A_FOLDER
                return new, found.end()
        return _name(path), found.end()

    def _relative(self, path: str) -> str:
        for old in (path, path.rstrip(".:")):
            if old in self.exact:
                return self.exact[old] + path[len(old) :]
        if self.suffixes:
            for old in (path, path.rstrip(".:")):
                key = "/".join(_components(old))
                if key in self.suffixes:
                    return self.suffixes[key] + path[len(old) :]
        return path

    def value(self, value: Any, message: bool = False) -> Any:
        """``value`` (JSON: dicts, lists, texts ...) anonymized throughout; ``message``: it is
        (or holds) eegpt's messages, whose dates are moved or removed too (:meth:`message`)."""
        if isinstance(value, str):
            return self.message(value) if message else self.text(value)
        if isinstance(value, list):
            return [self.value(v, message) for v in value]
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if _MACHINE_KEYS.match(str(key)) or key in _FILE_DATES:
                    continue
                if key in _DATES:
                    if self.daysback is not None and item:
                        try:
                            out[key] = _shifted(str(item), self.daysback)
                        except OverflowError:  # before the year 1: said, not internal
                            raise ValueError(
                                _too_far_back_text(key, str(item), self.daysback)
                            ) from None
                        except ValueError:  # no date eegpt wrote: dropped
                            pass
                    continue
                if key in _DATA_KEYS:
                    out[key] = item
                    continue
                inner = message or key in _MESSAGE_KEYS
                out[self.text(key) if isinstance(key, str) else key] = self.value(item, inner)
            return out
        return value


def _kept_names(paths: Mapping[str, str]) -> dict[str, dict[tuple[int, int], set[str]]]:
    """The names the copy keeps (what it names each known path: a recording id, a file name,
    and their last components, which a message may name alone) that hold a date
    (:data:`_DATE_TEXT`), by the date's day (``2021-03-04``), then by their shape (where the
    date starts in the name, the name's length): a date found in a message is looked up by
    its day and then tried against each shape of the names holding it, so
    a message costs a few look-ups however many names are known. Known relative paths the
    copy keeps as they are (ids, given with themselves) are among them."""
    out: dict[str, dict[tuple[int, int], set[str]]] = {}
    for new in set(paths.values()):
        for name in {new, _name(new)} if new else ():
            for found in _DATE_TEXT.finditer(name):
                shapes = out.setdefault("-".join(found.group(1, 2, 3)), {})
                shapes.setdefault((found.start(), len(name)), set()).add(name)
    return out


def _too_far_back_text(key: str, date: str, days: int) -> str:
    """What to say where ``daysback`` (``days``) moves the date ``date`` (ISO 8601) of
    ``key`` (``meas_date``) before the year 1: the most days that date allows."""
    most = (parse_iso(date).date() - datetime.date(1, 1, 1)).days
    return (
        f"daysback={days} would move the {key} {date} before the year 1, which no date can "
        f"be: give at most {most} days for it (command line: --daysback)"
    )


def _shifted(date: str, days: int) -> str:
    """An ISO 8601 date moved back by ``days`` days, in the same notation (a UTC offset
    without a colon, as ``time.strftime``'s ``%z`` writes it, kept so)."""
    when = parse_iso(date) - datetime.timedelta(days=days)
    text = when.isoformat()  # a year of 4 digits: strftime's %Y writes year 129 as "129"
    if re.search(r"T\d\d:\d\d:\d\d[+-]\d{4}$", date):
        return text[:-3] + text[-2:]  # "+01:00" as "+0100"
    return text


def _clock_time_column(column: Any, daysback: int | None) -> Any:
    """An embeddings table's ``clock_time`` column (the windows' moments, which date the
    recording as its ``meas_date`` does): all null without ``daysback``, as ``meas_date`` is
    removed; else moved back by ``daysback`` days, as ``meas_date`` is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if daysback is None:
        return pa.nulls(len(column), column.type)
    return pc.subtract(column, pa.scalar(datetime.timedelta(days=daysback), pa.duration("us")))


# -- one recording -------------------------------------------------------------------------


def _file_paths(meta: Mapping[str, Any]) -> dict[str, str]:
    """The paths a file's provenance holds, each with its file name: the recording
    (``source``, as given and absolute), the checkpoint's, an annotations file's."""
    paths: dict[str, str] = {}
    source = str(meta.get("source") or "")
    if source:  # a bare name too: a date in it is left whole in messages naming the file
        paths[source] = _name(source)
    if "/" in source or "\\" in source:
        paths[os.path.abspath(source)] = _name(source)
    checkpoint = meta.get("checkpoint") or {}
    for where in (checkpoint.get("path"), (checkpoint.get("source") or {}).get("file")):
        if where:
            paths[str(where)] = _name(str(where))
    if meta.get("annotations_file"):
        paths[str(meta["annotations_file"])] = _name(str(meta["annotations_file"]))
    return paths


def _anonymized_metadata(meta: Mapping[str, Any], daysback: int | None, record: dict) -> dict:
    out = _Scrubber(_file_paths(meta), daysback).value(dict(meta))
    checkpoint = out.get("checkpoint")
    if isinstance(checkpoint, dict) and checkpoint.get("path"):  # a relative one too
        checkpoint["path"] = _name(str(checkpoint["path"]))
    if out.get("source"):
        out["source"] = _name(str(out["source"]))
    if isinstance(out.get(SOURCE_FILES_KEY), dict):
        out[SOURCE_FILES_KEY] = _source_file_names(out[SOURCE_FILES_KEY])
    if isinstance(out.get("input"), dict) and out["input"].get("read_from"):
        out["input"] = {**out["input"], "read_from": _name(str(out["input"]["read_from"]))}
    if isinstance(out.get("input"), dict) and isinstance(out["input"].get("read_from_all"), list):
        every = [_name(str(p)) for p in out["input"]["read_from_all"]]
        out["input"] = {**out["input"], "read_from_all": every}
    out[ANONYMIZED_KEY] = record
    return out


def _source_file_names(record: dict[str, Any]) -> dict[str, Any]:
    """``eegpt embed``'s record of the files read (``source_files``) with each file named by
    its last component (:func:`_short_names`), as ``source`` is: a name of an earlier
    version could hold the folders of a file outside the recording's
    (``../Patient Smith/x.eeg``). ``files`` is a list of names (a mapping of each to its
    SHA-256 in records of earlier versions), ``sha256`` a mapping."""
    out = dict(record)
    files = record.get("files")
    names = [str(n) for n in files] if isinstance(files, (list, dict)) else []
    short = _short_names(names)
    if isinstance(files, list):
        out["files"] = [short[str(n)] for n in files]
    elif isinstance(files, dict):
        out["files"] = {short[str(n)]: v for n, v in files.items()}
    if isinstance(record.get("sha256"), dict):
        more = _short_names([str(n) for n in record["sha256"]])
        out["sha256"] = {more[str(n)]: v for n, v in record["sha256"].items()}
    return out


def _short_names(names: list[str]) -> dict[str, str]:
    """Each of ``names`` by its last component (:func:`_name`); where two share one (two
    ``info.xml`` in folders of an ``.mff``), the later ones numbered (``info.xml (2)``), not
    told apart by their folders, which may be what is left out."""
    short: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = new = _name(name.replace("\\", "/"))
        k = 1
        while new in taken:
            k += 1
            new = f"{base} ({k})"
        taken.add(new)
        short[name] = new
    return short


def _anonymize_file(src: Path, dst: Path, fmt: str, record: dict) -> None:
    """One recording's ``.npz`` or ``.parquet`` file, copied anonymized to ``dst``."""
    from eegpt.embeddings_loading import stored_metadata

    if fmt == ".npz":
        from eegpt.embeddings_loading import _load_file

        # read as load_embeddings reads it: an empty, cut-short or damaged file said so
        emb = _load_file(src)
        data, onsets = emb.data, emb.onsets
        meta = _anonymized_metadata(emb.metadata, record["daysback"], record)

        def write_npz(fh: Any) -> None:
            np.savez(fh, embeddings=data, onsets=onsets, metadata=np.array(json.dumps(meta)))

        atomic_write(dst, write_npz, overwrite=False)
        return
    pa, pq = require_pyarrow("anonymizing a .parquet embeddings file", writing=True)
    with _parquet_file(src) as f:
        schema = f.schema_arrow
        footer = f.metadata.metadata or {}
        if b"eegpt" not in (schema.metadata or {}):
            raise ValueError(f"{src} has no eegpt metadata; was it written by eegpt?")
        meta = stored_metadata(schema.metadata[b"eegpt"], src)
        if str(meta.get("format", "")).startswith("eegpt-dataset"):
            raise ValueError(
                f"{src} is a shard of an embed-dataset run: anonymize the run's folder "
                f"({src.parent}) instead, so that its reports are anonymized with it"
            )
        late = footer.get(LATE_METADATA_KEY.encode())
        meta.update(stored_metadata(late, src) if late else {})
        meta = _anonymized_metadata(meta, record["daysback"], record)
        others = {k: v for k, v in schema.metadata.items() if k != b"eegpt"}
        new_schema = schema.with_metadata({**others, b"eegpt": json.dumps(meta).encode()})
        name = str(meta.get("source") or "")

        def write_parquet(fh: Any) -> None:
            writer = parquet_writer(fh, new_schema)
            for group in range(f.num_row_groups):  # the original's row groups, one at a time
                table = f.read_row_group(group)
                columns = [
                    pa.array([name] * table.num_rows, pa.string())
                    if c == "source"
                    else _clock_time_column(table[c], record["daysback"])
                    if c == "clock_time"
                    else table[c]
                    for c in table.column_names
                ]
                new = pa.Table.from_arrays(columns, schema=new_schema)
                writer.write_table(new, row_group_size=max(new.num_rows, 1))
            writer.close()

        atomic_write(dst, write_parquet, overwrite=False)


def _parquet_file(src: Path) -> Any:
    """``pyarrow.parquet.ParquetFile(src)``, for a ``with`` block; a file that is no Parquet
    file (empty, cut short, other bytes) raises an :class:`~eegpt.errors.UnreadableOutputError`
    naming it, as :func:`eegpt.load_embeddings` says it, not pyarrow's bare ``ArrowInvalid``."""
    from eegpt.embeddings_loading import _unreadable_reason

    pa, pq = require_pyarrow("anonymizing a .parquet file", writing=True)
    try:
        return pq.ParquetFile(src)
    except (pa.ArrowInvalid, OSError) as err:  # empty, cut short, or not Parquet at all
        why = _unreadable_reason(src, err, str(err))
        raise UnreadableOutputError(f"{src} is not a Parquet file eegpt wrote ({why})") from err


# -- corpus runs ---------------------------------------------------------------------------


def _anonymize_folder(src: Path, dst: Path, record: dict) -> None:
    """An embed-dataset run folder (or a folder of ``--part`` run folders) copied anonymized
    into the new folder ``dst``, made beside it under a hidden name and renamed into place
    once complete."""
    from eegpt.dataset_folders import MANIFEST, run_folders, shard_files
    from eegpt.dataset_lock import FolderLock
    from eegpt.shard_checks import _damaged_shard_error, read_shard_status

    parts = run_folders(src)
    folders = parts or [src]
    if not parts and not (src / MANIFEST).is_file():
        raise ValueError(
            f"{src} is no embed-dataset output folder (no {MANIFEST}), nor a folder of them, "
            "nor a probe folder (no probe.json): eegpt anonymize copies those, or a "
            ".npz/.parquet file of eegpt embed"
        )
    busy = [str(f) for f in folders if FolderLock.held(f)]
    if busy:
        raise ValueError(
            f"a run is writing {few(busy)}: anonymize it once the run has ended, so that the "
            "copy holds every shard"
        )
    # listed and read once: a run that starts after the check above may add shards and
    # rewrite reports, whose paths the copy would not know; those are left out of it
    shards = {f: shard_files(f) for f in folders}
    try:
        statuses = {f: [read_shard_status(p)[1] for p in shards[f]] for f in folders}
    except Exception as err:  # pyarrow's words for a shard cut short: named, with what to do
        damaged = _damaged_shard_error(src, err, "eegpt anonymize")
        if damaged is None:
            raise
        raise damaged from err
    reports = {f: {name: _csv_rows(f, name) for name in _CSV_REPORTS} for f in folders}
    ids = _id_map(folders, statuses, reports)
    paths: dict[str, str] = {}
    for folder in folders:
        files = [s for status in statuses[folder] for s in status.get("files", [])]
        rows = [row for name in _CSV_REPORTS for row in reports[folder][name][1]]
        for s in [*files, *rows]:
            for column in _PATH_COLUMNS:
                if s.get(column):
                    paths[str(s[column])] = _name(str(s[column]))
        for s in [*files, *rows]:
            if s.get("path") and s.get("recording_id"):
                paths[str(s["path"])] = ids.get(s["recording_id"], s["recording_id"])
    paths.update(ids)
    paths.update(_source_names(folders))
    scrub = _Scrubber(paths, record["daysback"])
    if ids != {k: k for k in ids}:
        record = {**record, "recording_ids": "absolute paths made relative to their common folder"}
    if parts:
        _warn_left_out(src, {p.name for p in parts})
    with _folder_written_whole(dst) as tmp:
        for folder in folders:
            out = tmp / folder.name if parts else tmp
            out.mkdir(exist_ok=True)
            _copy_run(folder, out, scrub, ids, record, shards[folder], reports[folder])


@contextlib.contextmanager
def _folder_written_whole(dst: Path) -> Iterator[Path]:
    """A hidden temporary folder beside ``dst`` to write a copy into, renamed to ``dst`` when
    the block ends well, removed when it fails: ``dst`` appears whole or not at all."""
    make_output_folder(dst.parent, dst)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent))
    try:
        os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp's 0700, as a folder made otherwise
        yield tmp
        if dst.exists():
            raise OutputExistsError(f"{dst} appeared while the copy was written; it is kept")
        os.rename(tmp, dst)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _warn_left_out(folder: Path, copied: set[str]) -> None:
    """Warn of the files of ``folder`` the copy leaves out (not hidden ones)."""
    left = sorted(p.name for p in folder.iterdir() if p.name not in copied and p.name[:1] != ".")
    if left:
        _warn(
            f"eegpt anonymize left {_count(len(left), 'file')} of {folder} out of the copy, "
            f"not being eegpt's: {few(left)} (copy them yourself once checked)"
        )


def _id_map(
    folders: list[Path],
    statuses: Mapping[Path, list[dict]],
    reports: Mapping[Path, Mapping[str, tuple[list[str], list[dict[str, str]]]]],
) -> dict[str, str]:
    """Each recording id of the runs, with the id the copy gives it: the same, except ids that
    are paths outside the dataset (a manifest of such paths without a ``recording_id``
    column): absolute ones, ``~/...`` and ones with ``..``, made relative to the common folder
    of those ids (``~`` and ``..`` resolved first, from the manifest's folder)."""
    found = {s["recording_id"] for f in folders for st in statuses[f] for s in st.get("files", [])}
    for folder in folders:
        for name in ("_files.csv", "_corpus.csv"):
            found |= {r["recording_id"] for r in reports[folder][name][1] if r.get("recording_id")}
    outside = sorted(i for i in found if _is_absolute(i) or _leaves(i))
    if not outside:
        return {i: i for i in found}
    base = _manifest_folder(folders)
    resolved = {i: _resolved(i, base) for i in outside}
    absolute = sorted(set(resolved.values()))
    windows = any("\\" in i or re.match(r"^[A-Za-z]:", i) for i in absolute)
    flavour = PureWindowsPath if windows else PurePosixPath
    split = [flavour(i).parts for i in absolute]
    n = 0  # the parts of the common folder (commonpath follows this platform's separators)
    while all(len(p) > n + 1 for p in split) and len({p[n] for p in split}) == 1:
        n += 1
    relative = {i: "/".join(p[n:]) for i, p in zip(absolute, split, strict=True)}
    new = {i: relative[resolved[i]] for i in outside}
    clash = sorted(set(new.values()) & (found - set(outside)))
    if clash or len(set(new.values())) < len(new):
        raise ValueError(
            f"the recording ids {few(clash or sorted(new.values()))} would name two files once "
            "the ids that are paths are made relative; give the manifest a recording_id column "
            "and embed again"
        )
    return {**{i: i for i in found}, **new}


def _leaves(path: str) -> bool:
    """Whether a relative path leads outside its folder: ``~/...``, or with ``..`` parts."""
    return path.startswith("~") or ".." in re.split(r"[/\\]+", path)


def _resolved(path: str, base: str) -> str:
    """``path`` (absolute, ``~/...`` or with ``..``) as an absolute path: ``~`` as the
    home folder, a relative one from ``base``; ``..`` parts resolved."""
    windows = "\\" in path or re.match(r"^[A-Za-z]:", path)
    path = path.replace("\\", "/")
    if path.startswith("~"):
        path = "/" + path  # the home folder: a folder of its own
    elif not _is_absolute(path):
        path = base.replace("\\", "/").rstrip("/") + "/" + path
    anchor = _ANCHOR.match(path)
    start = 0 if anchor is None else anchor.end()  # absolute, or made so above
    head, parts = path[:start], list[str]()
    for part in path[start:].split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part not in ("", "."):
            parts.append(part)
    out = head + "/".join(parts)
    return out.replace("/", "\\") if windows else out


def _manifest_folder(folders: list[Path]) -> str:
    """The folder of the runs' manifest, where relative paths in it count from; ``/`` where the
    runs name none."""

    for folder in folders:
        try:
            manifest = read_run_manifest(folder)
        except (OSError, ValueError):
            continue
        source = re.sub(r" \(part \d+/\d+\)$", "", str(manifest.get("source") or ""))
        if _is_absolute(source) and Path(source).suffix.lower() in MANIFEST_SUFFIXES:
            return re.sub(r"[/\\][^/\\]*$", "", source) or "/"
    return "/"


def _source_names(folders: list[Path]) -> dict[str, str]:
    """Each run's input (``source`` of its manifest, ``corpus`` of a part's inputs) with what
    the copy names it: a manifest by its file name, a folder or glob as ``"a folder"`` (its name
    may be a patient's)."""

    out: dict[str, str] = {}
    for folder in folders:
        try:
            manifest = read_run_manifest(folder)
        except (OSError, ValueError):
            continue
        inputs = (manifest.get("spec") or {}).get("inputs") or {}
        source = re.sub(r" \(part \d+/\d+\)$", "", str(manifest.get("source") or ""))
        for given in (source, str(inputs.get("corpus") or "")):
            if given and given != "<list>" and (("/" in given) or ("\\" in given)):
                name = _name(given)
                manifest_file = Path(name).suffix.lower() in MANIFEST_SUFFIXES
                out[given] = name if manifest_file else "a folder"
    return out


def _csv_rows(folder: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a run's report ``name``; empty where it has none. One that is
    not UTF-8 CSV (damaged, or saved again in another encoding) raises an
    :class:`~eegpt.errors.UnreadableOutputError` naming it and how to have it written again."""
    try:
        with open(folder / name, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            return list(reader.fieldnames or []), list(reader)
    except FileNotFoundError:
        return [], []
    except (UnicodeDecodeError, csv.Error) as err:
        raise UnreadableOutputError(
            f"{folder / name}, a report of the run, cannot be read ({err}): it is damaged or "
            "was saved again in another form. Run the same embed-dataset command on the folder "
            "again (it writes its reports again from its shards), then anonymize it"
        ) from err


def _copy_run(
    folder: Path,
    out: Path,
    scrub: _Scrubber,
    ids: Mapping[str, str],
    record: dict,
    shards: list[Path],
    reports: Mapping[str, tuple[list[str], list[dict[str, str]]]],
) -> None:
    """One run folder's ``shards``, ``reports`` (each report's header and rows) and manifest,
    anonymized into ``out``."""
    from eegpt.dataset_folders import MANIFEST

    for shard in shards:
        _copy_shard(shard, out / shard.name, scrub, ids, record)
    for name, (header, rows) in reports.items():
        if not header:
            continue
        table = []
        for row in rows:
            new = {k: scrub.value(v, k in _MESSAGE_KEYS) for k, v in row.items()}
            if row.get("recording_id") in ids:
                new["recording_id"] = ids[row["recording_id"]]
                if "path" in new:
                    new["path"] = new["recording_id"]
            for column in _PATH_COLUMNS:
                if new.get(column):
                    new[column] = _name(new[column])
            table.append(new)
        (out / name).write_bytes(csv_text(header, table).encode("utf-8"))
    manifest = read_run_manifest(folder)
    manifest = scrub.value(manifest)
    manifest[ANONYMIZED_KEY] = record
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    _warn_left_out(folder, {MANIFEST, *_CSV_REPORTS, *(p.name for p in shards)})


def _copy_shard(src: Path, dst: Path, scrub: _Scrubber, ids: Mapping[str, str], record: dict):
    """A shard with its ``path`` and ``recording_id`` columns given the copy's ids, the paths
    of ``annotations_file`` their file names and its footer anonymized."""
    from eegpt.shard_checks import CHECKSUMS_KEY

    pa, pq = require_pyarrow("anonymizing embed-dataset shards", writing=True)
    with pq.ParquetFile(src) as f:
        schema = f.schema_arrow
        footer = f.metadata.metadata or {}
        spec = scrub.value(json.loads(schema.metadata[b"eegpt"]))
        others = {k: v for k, v in schema.metadata.items() if k != b"eegpt"}
        new_schema = schema.with_metadata({**others, b"eegpt": json.dumps(spec).encode()})
        status = scrub.value(json.loads(footer.get(b"eegpt_shard", b"{}")))
        for s in status.get("files", []):
            s["recording_id"] = ids.get(s["recording_id"], s["recording_id"])
            s["path"] = s["recording_id"]
            if s.get("annotations_file"):
                s["annotations_file"] = _name(s["annotations_file"])
        extra = {"eegpt_shard": json.dumps(status), FOOTER_KEY: json.dumps(record)}
        if CHECKSUMS_KEY.encode() in footer:
            extra[CHECKSUMS_KEY] = footer[CHECKSUMS_KEY.encode()].decode()
        with open(dst, "wb") as fh:
            writer = parquet_writer(fh, new_schema)
            for group in range(f.num_row_groups):  # the original's row groups, one at a time
                table = f.read_row_group(group)
                new_ids = [ids.get(v, v) for v in table["recording_id"].to_pylist()]
                columns = []
                for c in table.column_names:
                    kind = table.schema.field(c).type
                    if c in ("recording_id", "path"):  # a row's path: its (new) id
                        columns.append(pa.array(new_ids, kind))
                    elif c == "clock_time":  # the recordings' dates, as meas_date
                        columns.append(_clock_time_column(table[c], record["daysback"]))
                    elif c in _PATH_COLUMNS:
                        values = [None if v is None else _name(v) for v in table[c].to_pylist()]
                        columns.append(pa.array(values, kind))
                    else:
                        columns.append(table[c])
                new = pa.Table.from_arrays(columns, schema=new_schema)
                writer.write_table(new, row_group_size=max(new.num_rows, 1))
            writer.add_key_value_metadata(extra)
            writer.close()
            fh.flush()
            os.fsync(fh.fileno())


# -- probe folders -------------------------------------------------------------------------


def _is_probe_folder(folder: Path) -> bool:
    from eegpt.probe_folder import PROBE_JSON

    return (folder / PROBE_JSON).is_file()


def _anonymize_probe(src: Path, dst: Path, record: dict) -> None:
    """A probe folder (``probe.json`` beside ``probe.safetensors``, :meth:`EEGPTProbe.save`)
    copied into the new folder ``dst``: ``probe.json`` anonymized (:func:`_anonymized_probe`),
    the weights (``probe.safetensors``, the one weights file of eegpt's probe format) copied
    byte for byte; other files (other ``.safetensors`` too) left out, with a warning; a weights
    file that is a symbolic link refused (it may point anywhere). Made beside ``dst`` under a
    hidden name and renamed into place once complete."""
    from eegpt.probe_folder import PROBE_JSON, PROBE_WEIGHTS, _read_probe_json

    meta = _read_probe_json(src)
    if (src / PROBE_WEIGHTS).is_symlink():
        raise ValueError(
            f"{src / PROBE_WEIGHTS} is a symbolic link (to {os.readlink(src / PROBE_WEIGHTS)}): "
            "eegpt anonymize copies no link, which may name or point anywhere; "
            "put the file itself in the folder"
        )
    if not (src / PROBE_WEIGHTS).is_file():
        raise MissingFileError(
            f"{src} holds {PROBE_JSON} but no {PROBE_WEIGHTS}: a probe folder has both; "
            "copy the whole folder `eegpt probe train` wrote"
        )
    weights = [src / PROBE_WEIGHTS]
    text = json.dumps(_anonymized_probe(meta, record), indent=2, allow_nan=True) + "\n"
    with _folder_written_whole(dst) as tmp:
        for path in weights:
            shutil.copyfile(path, tmp / path.name)
        (tmp / PROBE_JSON).write_text(text, encoding="utf-8")
    _warn_left_out(src, {PROBE_JSON, *(p.name for p in weights)})


#: Options of the probe commands whose values are patterns, labels or channel names, never
#: paths (``--window-labels 'sleep (\\w+)'``, ``--val-group 'site/(\\d+)'``), with how many
#: words each takes (``None``: every word up to the next option, as ``nargs="+"``): a ``\\``
#: or ``/`` in them is no path's separator, and taken for one the value was replaced by its
#: "file name" wherever the probe records it (``training.window_labels.match``).
_NO_PATH_OPTIONS: dict[str, int | None] = {
    "--window-labels": 1, "--marker-spans": 1, "--unlabelled": 1, "--label-column": 1,
    "--val-group": 1, "--val-group-column": 1, "--event-names": 1, "--stim-mask": 1,
    "--drop": 1, "--picks": 1, "--class-order": None, "--event-class": None,
}  # fmt: skip


def _command_paths(meta: Mapping[str, Any]) -> dict[str, str]:
    """The paths the command line a probe or its output records (``command``, run in ``cwd``)
    gave, in each form they may be named in (:func:`_path_forms`), with their file names; the
    values of :data:`_NO_PATH_OPTIONS` are none."""
    paths: dict[str, str] = {}
    cwd = str(meta.get("cwd") or "")
    skip: int | None = 0  # words still to skip as an option's value (None: up to an option)
    for word in (str(w) for w in meta.get("command") or []):
        if word.startswith("-") and len(word) > 1 and not word[1:2].isdigit():
            option, joined, word = word.partition("=")  # --opt=value: the value in it
            skip = 0 if joined else _NO_PATH_OPTIONS.get(option, 0)
            if option in _NO_PATH_OPTIONS:
                continue
        elif skip is None:
            continue
        elif skip:
            skip -= 1
            continue
        if ("/" in word or "\\" in word) and "://" not in word:
            for form in _path_forms(word, cwd):
                paths[form] = _name(word)
    return paths


def _anonymized_probe(meta: Mapping[str, Any], record: dict) -> dict:
    """A probe's ``probe.json`` under the rules of an embeddings file's provenance: the keys
    naming the machine or the call (``command``, ``cwd``, a host ...) and the input files'
    modification times dropped, dates moved or dropped per ``daysback``, the encoder's
    checkpoint and every other path by its file name (the paths the command line gave
    first: warnings name them as typed), each input's files by their last component; the
    hashes, classes, recipe, preprocessing, channels, history and metrics kept, so that
    :func:`eegpt.probe.load_probe` reads the copy as the original (given the encoder, for a frozen
    one: its checkpoint's path is gone)."""
    paths = _command_paths(meta)
    paths.update(_input_names(meta.get("training")))
    encoder = meta.get("encoder") or {}
    for where in (encoder.get("path"), (encoder.get("source") or {}).get("file")):
        if where:
            paths[str(where)] = _name(str(where))
    out = _Scrubber(paths, record["daysback"], suffixes=True).value(dict(meta))
    encoder = out.get("encoder")
    if isinstance(encoder, dict) and encoder.get("path"):  # a relative one too
        encoder["path"] = _name(str(encoder["path"]))
    if isinstance(encoder, dict) and isinstance(encoder.get("source"), dict):
        if encoder["source"].get("file"):
            encoder["source"]["file"] = _name(str(encoder["source"]["file"]))
    training = out.get("training")
    if isinstance(training, dict):
        _file_records(training)
        if isinstance(training.get("validation"), dict):
            _file_records(training["validation"])
            _held_out_names(training["validation"])
        how = training.get("window_labels")
        if isinstance(how, dict) and isinstance(how.get("starts"), dict):
            short = _short_names([str(f) for f in how["starts"]])
            how["starts"] = {short[str(f)]: v for f, v in how["starts"].items()}
    out[ANONYMIZED_KEY] = record
    return out


#: What an anonymized probe records as its ``--val-group`` pattern (which may name subjects).
GROUP_PATTERN_REMOVED = "(left out by eegpt anonymize: the pattern may name subjects)"


def _held_out_names(validation: dict[str, Any]) -> None:
    """The groups a validation split held out whole (``groups["held_out"]``), in place.

    The files ``--val-by recording`` held out (by their shortest distinct tails:
    ``sub-01/ses-1/eeg.edf``) by their file names, as :func:`_file_records` names the inputs
    (``name``: their last component, :func:`_name`), so that each names the inputs it was:
    files of one name in folders of their own are held out and input as ``eeg.edf`` alike
    (numbered, ``eeg.edf (2)``, they would name no input). The subjects of ``--val-by
    subject`` (``sub-01``, a TUH patient) and the groups of ``--val-group REGEX`` (what the
    pattern found in the paths, a folder's name as well) and of ``--val-group-column NAME``
    (values of the epochs' metadata) by pseudonyms, ``subject 1``,
    ``subject 2`` ... (``group 1`` ...), one per distinct name: the same subject is the same
    pseudonym wherever the copy lists it. The ``--val-group`` pattern itself
    (``group_pattern``: ``(sub-01|sub-07)`` names subjects) is replaced by
    :data:`GROUP_PATTERN_REMOVED`; the built-in subject patterns of ``--val-by subject`` are
    kept."""
    from eegpt.probe_cli import SUBJECT_PATTERNS_TEXT  # noqa: PLC0415

    pattern = validation.get("group_pattern")
    if pattern is not None and pattern != SUBJECT_PATTERNS_TEXT:
        validation["group_pattern"] = GROUP_PATTERN_REMOVED
    groups = validation.get("groups")
    held = groups.get("held_out") if isinstance(groups, dict) else None
    if not isinstance(groups, dict) or not isinstance(held, list):
        return
    by = validation.get("by")
    if by == "recording":
        if all(isinstance(g, str) for g in held):
            groups["held_out"] = [_name(g) for g in held]
    elif by in ("subject", "group", "column"):  # column: --val-group-column's values
        pseudonyms: dict[str, str] = {}
        word = "group" if by == "column" else by
        for g in held:
            pseudonyms.setdefault(str(g), f"{word} {len(pseudonyms) + 1}")
        groups["held_out"] = [pseudonyms[str(g)] for g in held]


def _path_forms(word: str, cwd: str) -> set[str]:
    """The forms in which a path typed as ``word`` (in the folder ``cwd``) may be named: as
    typed, as the command line's ``Path`` gives it (``./a//b/`` as ``a/b``), normalised, and
    absolute and resolved against ``cwd``."""
    forms = {word, word.rstrip("/\\")}
    windows = "\\" in word and "/" not in word
    pure = PureWindowsPath(word) if windows else PurePosixPath(word)
    forms |= {str(pure), os.path.normpath(word), str(Path(word))}
    if cwd and not _is_absolute(word):
        joined = os.path.join(cwd, word)
        forms |= {joined, os.path.normpath(joined), str(Path(joined))}
        absolute = joined
    else:
        absolute = word
    try:
        forms.add(os.path.realpath(absolute))
    except (OSError, ValueError):
        pass
    return {f for f in forms if f and f not in (".", "..", "/", "\\")}


def _input_names(record: Any) -> dict[str, str]:
    """The names of the inputs ``record`` lists (a probe's ``training``, a probe output's
    provenance: their ``inputs``, :func:`_file_records`), each with the file name the copy
    names it by: the dates in those names are left whole in messages (:meth:`_Scrubber.dates`),
    which name the inputs as typed (``rec_2021-03-04.edf: ...``), as the copy's ``inputs`` do."""
    items = record.get("inputs") if isinstance(record, dict) else None
    names = [str(i["name"]) for i in items or [] if isinstance(i, dict) and i.get("name")]
    return {name: _name(name) for name in names}


def _file_records(record: dict[str, Any]) -> None:
    """The files a probe (or its output) records in ``record`` (its ``inputs``, a
    ``labels_file``: :func:`eegpt.probe_provenance.file_record`; an input read from a file,
    its ``read_from``, from several, each of ``read_from_all``) named by their last
    component, as ``source_files`` is (:func:`_source_file_names`): in place."""
    found = [record.get("labels_file")]
    for item in record.get("inputs") or []:
        found += [item, item.get("read_from")] if isinstance(item, dict) else []
        every = item.get("read_from_all") if isinstance(item, dict) else None
        found += every if isinstance(every, list) else []
    for item in record.get("inputs") or []:
        if isinstance(item, dict) and isinstance(item.get("read_from"), str):
            item["read_from"] = _name(item["read_from"])
    for item in found:
        if isinstance(item, dict):
            if item.get("name"):
                item["name"] = _name(str(item["name"]))
            item.update(_source_file_names(item))


# -- outputs of a probe: prediction tables, evaluations --------------------------------------


def probe_output_kind(src: Path) -> str | None:
    """Which output of a probe the file ``src`` is: ``"csv"`` (a CSV or TSV prediction table of
    ``eegpt probe predict -o``, its provenance in the sidecar ``X.csv.json``), ``"parquet"``
    (a Parquet one, its provenance in the schema metadata ``eegpt_predictions``),
    ``"evaluation"`` (``eegpt probe evaluate --json``'s file), or None (none of those: an
    embeddings file, or no eegpt file). A sidecar given alone is refused: the table is the
    input, and its sidecar comes with it."""
    from eegpt.probe_predictions import PREDICTIONS_KEY
    from eegpt.probe_provenance import sidecar_path

    name = src.name.lower()
    if name.endswith((".csv.json", ".tsv.json")):
        table = src.name[: -len(".json")]
        raise ValueError(
            f"{src} is the sidecar of the prediction table {table}: give the table ({table}) "
            "and the name of its copy (-o NEW.csv); its sidecar is copied with it"
        )
    if name.endswith((".csv", ".tsv")):
        if not (sidecar_path(src).is_file() or sidecar_path(src).is_symlink()):
            raise ValueError(
                f"{src} has no sidecar {sidecar_path(src).name} beside it: eegpt anonymize "
                "copies a prediction table of eegpt probe predict -o with its sidecar (a "
                "table without one holds no provenance to remove)"
            )
        return "csv"
    if name.endswith(".parquet"):
        with _parquet_file(src) as f:
            held = f.schema_arrow.metadata or {}
        return "parquet" if PREDICTIONS_KEY.encode() in held and b"eegpt" not in held else None
    if name.endswith(".json"):
        from eegpt.probe_provenance import evaluation_record

        # as eegpt info tells it: by its format mark (another version's refused), else its keys
        if evaluation_record(src) is not None:
            return "evaluation"
        raise ValueError(
            f"{src} is no output of eegpt probe evaluate --json (no metrics and provenance): "
            "eegpt anonymize copies that, a prediction table of eegpt probe predict -o, "
            "embeddings and probe folders"
        )
    return None


def _anonymized_provenance(made: Mapping[str, Any], record: dict) -> tuple[dict, _Scrubber]:
    """The ``provenance`` of an output of ``eegpt probe predict`` or ``evaluate``
    (:func:`eegpt.probe_provenance.output_provenance`) under a probe's rules
    (:func:`_anonymized_probe`): the command line, its folder and the host dropped, the probe's
    folder and the input and labels files by their names (their sizes and fingerprints kept,
    not their modification times), ``created`` removed or moved back per ``daysback``, other
    paths by their file names; ``"anonymized"`` added. Also the scrubber, for the texts beside
    it (an evaluation's warnings)."""
    paths = _command_paths(made)
    paths.update(_input_names(made))
    probe = made.get("probe")
    if isinstance(probe, dict) and probe.get("path"):
        folder = str(probe["path"])
        for form in _path_forms(folder, str(made.get("cwd") or "")):
            paths.setdefault(form, _name(folder))
    scrub = _Scrubber(paths, record["daysback"], suffixes=True)
    out = scrub.value(dict(made))
    if isinstance(out.get("probe"), dict) and out["probe"].get("path"):  # a relative one too
        out["probe"]["path"] = _name(str(out["probe"]["path"]))
    _file_records(out)
    out[ANONYMIZED_KEY] = record
    return out, scrub


def _refuse_link(path: Path) -> None:
    """Refuse a file that is a symbolic link, as a probe folder's weights are refused."""
    if path.is_symlink():
        raise ValueError(
            f"{path} is a symbolic link (to {os.readlink(path)}): eegpt anonymize copies no "
            "link, which may name or point anywhere; give the file itself"
        )


def _anonymize_probe_output(src: Path, dst: Path, kind: str, record: dict) -> None:
    """A prediction table (CSV or TSV with its sidecar, Parquet) or an evaluation's JSON copied
    anonymized to ``dst`` (and, for a CSV or TSV, its sidecar beside it,
    :func:`eegpt.probe_provenance.sidecar_path`): the table's data unchanged (a CSV byte for
    byte), only the provenance rewritten (:func:`_anonymized_provenance`)."""
    from eegpt.probe_provenance import sidecar_path

    suffix = ".json" if kind == "evaluation" else src.suffix.lower()
    if dst.suffix.lower() != suffix:
        raise ValueError(
            f"the output {dst} must end in {suffix}, as the input {src.name} does (the copy "
            "keeps its format)"
        )
    _refuse_link(src)
    if kind == "evaluation":
        found = json.loads(src.read_text(encoding="utf-8"))
        made, scrub = _anonymized_provenance(found["provenance"], record)
        out = {**found, "provenance": made}
        if isinstance(found.get("warnings"), list):
            out["warnings"] = [scrub.value(w, message=True) for w in found["warnings"]]
        if isinstance(found.get("per_recording"), list):  # each recording's path as given
            out["per_recording"] = [
                {**r, "recording": scrub.text(str(r.get("recording")))}
                if isinstance(r, dict) else r
                for r in found["per_recording"]
            ]  # fmt: skip
        data = (json.dumps(out, indent=2) + "\n").encode()
        atomic_write(dst, lambda fh: fh.write(data), overwrite=False)
        return
    if kind == "parquet":
        _anonymize_predictions_parquet(src, dst, record)
        return
    sidecar, new_sidecar = sidecar_path(src), sidecar_path(dst)
    _refuse_link(sidecar)
    if new_sidecar.exists() or new_sidecar.is_symlink():
        raise OutputExistsError(
            f"{new_sidecar} exists (the sidecar the copy {dst.name} would have); eegpt "
            "anonymize never replaces a file: choose a new output path (or delete it first)"
        )
    table = src.read_bytes()
    try:
        found = json.loads(sidecar.read_text(encoding="utf-8"))
    except ValueError as e:
        raise ValueError(
            f"{src}: its sidecar {sidecar.name} could not be read as JSON: {e}"
        ) from None
    if not isinstance(found, dict) or not isinstance(found.get("provenance"), dict):
        raise ValueError(f"{src}: its sidecar {sidecar.name} is not one eegpt wrote")
    from eegpt.probe_provenance import table_mismatch

    out = dict(found)
    out["provenance"], _ = _anonymized_provenance(found["provenance"], record)
    mine = found.get("table")
    if isinstance(mine, dict):  # the copy's name; its size and hash are the original's
        out["table"] = {**mine, "name": dst.name}
        if table_mismatch(mine, src.name, table) is not None:  # as eegpt info tells it
            _warn(
                f"{src}: its sidecar does not match the table (changed since it was written): "
                "the copy keeps both as they are, and eegpt info calls it STALE too"
            )
    _warn_kept_rows(src, _csv_column(src, table, "file"), _csv_column(src, table, "clock_time"))
    text = (json.dumps(out, indent=2) + "\n").encode()
    atomic_write(dst, lambda fh: fh.write(table), overwrite=False)
    try:
        atomic_write(new_sidecar, lambda fh: fh.write(text), overwrite=False)
    except BaseException:
        dst.unlink(missing_ok=True)  # never a table without its sidecar
        raise


def _csv_column(src: Path, table: bytes, column: str) -> list[str]:
    """The values of ``column`` in the CSV or TSV ``table`` (empty where it has none)."""
    delimiter = "\t" if src.suffix.lower() == ".tsv" else ","
    rows = csv.reader(io.StringIO(table.decode("utf-8", errors="replace")), delimiter=delimiter)
    header = next(rows, [])
    if column not in header:
        return []
    at = header.index(column)
    return [row[at] for row in rows if len(row) > at]


def _warn_kept_rows(src: Path, files: list[Any], clock: list[Any]) -> None:
    """Warn of what a prediction table's rows hold that its copy keeps (its data are copied
    unchanged): inputs named with their folders (``file``, the paths as given to ``eegpt
    probe predict``), the recordings' dates and times (``clock_time``)."""
    folders = sorted({str(f) for f in files if f and ("/" in str(f) or "\\" in str(f))})
    dated = any(c for c in clock)
    if not folders and not dated:
        return
    said = []
    if folders:
        said.append(f"its file column names inputs with their folders ({few(folders, 2)})")
    if dated:
        said.append(
            "its clock_time column holds the recordings' dates and times (not moved by --daysback)"
        )
    _warn(
        f"{src}: {' and '.join(said)}; the copy keeps its rows as they are (only the "
        "provenance is anonymized, so that it still describes the table): for a table "
        "without them, run eegpt probe predict in the files' folder, naming them without "
        "folders, on recordings whose dates were removed (mne anonymize), and anonymize that"
    )


def _anonymize_predictions_parquet(src: Path, dst: Path, record: dict) -> None:
    """A Parquet prediction table copied with its data unchanged (row group by row group)
    and only its schema metadata ``eegpt_predictions`` rewritten: the record's
    ``provenance`` anonymized, its other keys (and the schema's other metadata, the digest of
    its data among them) kept as they are. A table whose data no longer match that digest
    (rows edited since ``probe predict`` wrote it) is copied as it is, with a warning, as a
    CSV that does not match its sidecar."""
    from eegpt.probe_predictions import PREDICTIONS_KEY
    from eegpt.probe_provenance import parquet_staleness

    _, pq = require_pyarrow("anonymizing a .parquet prediction table", writing=True)
    key = PREDICTIONS_KEY.encode()
    with pq.ParquetFile(src) as f:
        schema = f.schema_arrow
        found = json.loads(schema.metadata[key])
        if not isinstance(found, dict) or not isinstance(found.get("provenance"), dict):
            raise ValueError(f"{src}: its {PREDICTIONS_KEY} metadata is not what eegpt writes")
        out = dict(found)
        out["provenance"], _ = _anonymized_provenance(found["provenance"], record)
        new_schema = schema.with_metadata({**schema.metadata, key: json.dumps(out).encode()})
        columns = set(schema.names)
        files = f.read(columns=["file"])["file"].to_pylist() if "file" in columns else []
        clock = (
            f.read(columns=["clock_time"])["clock_time"].to_pylist()
            if "clock_time" in columns
            else []
        )
        _warn_kept_rows(src, files, clock)
        stale = parquet_staleness(found, src)
        if stale is not None and stale.startswith("STALE"):
            _warn(
                f"{src}: its data do not match the digest its metadata records (changed since "
                "eegpt probe predict wrote it): the copy keeps both as they are, and eegpt info "
                "calls it STALE too"
            )

        def write_parquet(fh: Any) -> None:
            writer = pq.ParquetWriter(fh, new_schema)
            for group in range(f.num_row_groups):  # the original's row groups, one at a time
                table = f.read_row_group(group)
                writer.write_table(table.replace_schema_metadata(new_schema.metadata))
            writer.close()

        atomic_write(dst, write_parquet, overwrite=False)
