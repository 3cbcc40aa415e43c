"""Reading annotation files: which kinds there are and how each is parsed.

:func:`read_annotations` reads what ``mne.read_annotations`` reads (EDF+ hypnograms dated by
the file's start, MNE's ``.csv``/``.txt``, ``-annot.fif``, BrainVision ``.vmrk`` at the
header's nominal rate, EEGLAB ...), a recording's own annotations (a BIDS data file with its
``*_events.tsv``; an EDF+/BDF+ recording's annotation signals alone), and the tables eegpt
reads itself (:func:`read_table_annotations`): BIDS ``*_events.tsv`` and tables alike (the
column naming the events, ISO 8601 date-times of a diary), TUH EEG ``.csv``/``.csv_bi`` and
``.tse``/``.tse_bi`` label files. Beside them: the errors and advice for files of other
kinds (MNE events files, lists of stages, eegpt's own tables, TUH's ``.lbl``), the ``# bname``
line of a TUH label file (:func:`recording_named`, :func:`check_named`) and the night a
Sleep-EDF hypnogram's name gives (:func:`sleep_edf_night`), which files count
their recording's samples rather than its clock (:func:`counts_samples`), and the column an
output's table was read by then and now (:func:`names_read_otherwise`).
"""

from __future__ import annotations

import csv
import datetime
import difflib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import mne
import numpy as np

from eegpt._filenames import same_recording as _same_recording
from eegpt._logging import few, ignored_warnings
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._rates import nominal_rate
from eegpt.annotation_time import annotations_of, mark_zoned, utc, whole_samples
from eegpt.errors import MissingFileError, RecordingError
from eegpt.text_tables import is_number, table_head, table_text


def read_annotations(source: str | os.PathLike | mne.Annotations) -> mne.Annotations:
    """Annotations from a file MNE reads (``mne.read_annotations``: EDF+ annotation files
    such as Sleep-EDF's hypnograms, ``.csv``/``.txt`` of MNE, FIF, BrainVision ``.vmrk``,
    EEGLAB), a BIDS ``*_events.tsv``, a TUH EEG ``.csv``/``.csv_bi`` or ``.tse``/``.tse_bi``
    label file (:func:`read_table_annotations`), or an ``mne.Annotations`` as it is. A
    recording file (``.vhdr``, ``.set``, ``.fif``, ``.edf`` ...) gives the annotations MNE
    reads with it, onsets from its first sample as the recording's own annotations. Another
    kind of file (TUH's montage-based ``.lbl``) is refused with a list of those read.

    Those of an EDF+/BDF+ file get the file's start as their ``orig_time`` (MNE leaves it
    out), so that a hypnogram that starts at another time than its recording, or a cropped
    recording, is matched by clock time.
    """
    if isinstance(source, mne.Annotations):
        return source
    if not os.path.exists(Path(source).expanduser()):
        raise _missing_file(Path(source))
    if is_events_file(source):
        raise RecordingError(events_file_text(source))
    found = _bids_recording_annotations(source)
    if found is not None:
        return found
    found = _recording_edf_annotations(source)
    if found is not None:
        return found
    unread: RecordingError | None = None
    try:
        found = _recording_annotations(source)
    except RecordingError as err:  # not a recording after all (an -annot.fif): MNE's reader
        unread = err
    if found is not None:
        return found
    table_like = str(source).lower().endswith((".csv", ".tsv", ".txt"))
    if table_like or str(source).lower().endswith((".csv_bi", ".tse", ".tse_bi")):
        # onsets in seconds (MNE's own reader takes numbers in a .csv for milliseconds)
        found = read_table_annotations(source)
        if found is not None:
            return found
        if table_like and _is_eegpt_table(source):  # (a predictions table has epochs too)
            raise _unknown_format(source, EEGPT_TABLE_ADVICE)
        summary = _chbmit_summary_or_none(source) if table_like else None
        if summary:  # (read as a list of stages otherwise: one value per line)
            raise _unknown_format(source, _chbmit_advice(source, summary))
        read = _stage_list_read(source) if table_like else None
        if read is not None:  # a list of stages: MNE would fail on it with its own words
            raise _unknown_format(source, STAGE_LIST_ADVICE.format(read=read))
    try:
        found = mne.read_annotations(source)
    except Exception as err:  # noqa: BLE001 - any reader's failure, named with the file
        table = read_table_annotations(source)
        if table is None:
            if unread is None and "Unknown annotation file format" in str(err):  # MNE's words
                raise _unknown_format(source) from err
            if unread is None and table_like:  # none of the tables read: say which are
                raise _unknown_format(source, f"; MNE's reader said: {err}") from err
            why = err if unread is None else unread  # a recording's: why it could not be read
            raise RecordingError(f"could not read annotations from {source}: {why}") from err
        return table
    if found.orig_time is None and str(source).lower().endswith((".edf", ".bdf")):
        from eegpt.edf_files import edf_start_time, first_record_offset

        start = edf_start_time(source)
        if start is not None:  # MNE counts the onsets from the first record's start
            start += datetime.timedelta(seconds=first_record_offset(source))
            found = mne.Annotations(found.onset, found.duration, found.description, orig_time=start)
    return _marker_file_in_samples(found, source)


#: The endings of the names of MNE's events files (``mne.write_events``, ``mne.read_events``).
EVENTS_FILE_ENDINGS = tuple(
    f"{sep}eve{ext}" for sep in "-_" for ext in (".fif", ".fif.gz", ".lst", ".txt")
) + (".eve",)


def is_events_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is named as an MNE events file (``sub-01-eve.fif``, ``run.eve``: an
    array of sample numbers and event codes, :data:`EVENTS_FILE_ENDINGS`)."""
    return Path(path).name.lower().endswith(EVENTS_FILE_ENDINGS)


def events_file_text(path: str | os.PathLike) -> str:
    """Why the MNE events file ``path`` is not read as annotations, and how to use it."""
    return (
        f"{path} is an MNE events file (as mne.write_events writes it: one row per event of "
        "its sample number, counted as the recording's samples are, previous value and event "
        "code), not annotations: its samples become times only with the recording's rate, "
        "which the file does not hold. Make its events annotations of the recording in "
        "Python, then embed that: events = mne.read_events(PATH); raw.set_annotations("
        "raw.annotations + mne.annotations_from_events(events, raw.info['sfreq'], "
        "orig_time=raw.info['meas_date'])) (with orig_time given, pass no first_samp; for "
        "a recording without a measurement date, orig_time=None with "
        "first_samp=raw.first_samp; event_desc={CODE: 'NAME'} names the codes), then "
        "model.embed(raw), or raw.save("
        "'rec_raw.fif') for eegpt embed; or write them as a table of onset (s from the "
        "first sample), duration and value: pd.DataFrame({'onset': (events[:, 0] - "
        "raw.first_samp) / raw.info['sfreq'], 'duration': 0, 'value': events[:, 2]})."
        "to_csv('events.csv', index=False), for --annotations events.csv"
    )


#: The annotation files :func:`read_annotations` reads, for the error on another kind.
ANNOTATION_FORMATS = (
    "TUH EEG label files (.csv_bi, .csv, .tse, .tse_bi), BIDS *_events.tsv, tables of onset "
    "and duration, or of start and stop (or end), in seconds with a description (.csv, .tsv, "
    ".txt), and what "
    "mne.read_annotations reads (EDF+/BDF+/GDF annotations such as Sleep-EDF hypnograms, "
    "MNE's .csv/.txt, -annot.fif, BrainVision .vmrk, EEGLAB .set, Curry, CNT, CTF .ds)"
)


#: How to turn a list of stages, one per scoring epoch, into a table eegpt reads; ``{read}``
#: is the pandas call that reads that file's stages (:func:`_stage_list_read`).
STAGE_LIST_ADVICE = (
    "; a list of stages, one per scoring epoch (W, N1, N2 ... or a table of epoch and "
    "stage), holds no times: write it as a table of onset, duration and description, e.g. "
    "with pandas for 30 s epochs, the first at FIRST s (where scoring starts, e.g. at "
    "lights-off; 0 for the first sample): stages = {read}; pd.DataFrame({{'onset': FIRST + "
    "30.0 * np.arange(len(stages)), 'duration': 30.0, 'description': stages}})."
    "to_csv('hypnogram.csv', index=False)"
)

#: First lines of a list of stages, one per line, that name its column rather than score the
#: first epoch (lower case, quotes stripped).
_STAGE_LIST_HEADERS = frozenset(
    {"stage", "stages", "sleep stage", "sleep stages", "sleep_stage", "sleepstage",
     "hypnogram", "label", "labels", "score", "scores", "scoring", "annotation",
     "annotations", "description", "class", "event", "value"}
)  # fmt: skip


#: How to give an events or predictions table of eegpt (``onset_s``, ``clock_s``) as annotations.
EEGPT_TABLE_ADVICE = (
    "; it looks like a table eegpt wrote (events or predictions: onset_s, clock_s), whose "
    "onset_s are seconds of recorded data (the gaps of an EDF+D file left out), while "
    "annotations are placed by the recording's clock: write a table of onset, duration and "
    "description from its clock_s (less the embeddings' metadata['first_time'] where that is "
    "not 0), e.g. with pandas: ev = pd.read_csv(path); pd.DataFrame({'onset': ev['clock_s'], "
    "'duration': ev.get('duration_s', 0), 'description': ev['class']}).to_csv('events.csv', "
    "index=False) (a predictions table: its windows' prediction as the description)"
)


_CHBMIT_FILE = re.compile(r"File\s+Name:\s*(\S+)", re.IGNORECASE)
_CHBMIT_TIME = re.compile(
    r"Seizure(?:\s+\d+)?\s+(Start|End)\s+Time:\s*([0-9]+(?:\.[0-9]*)?)\s*(?:seconds|secs?|s)?$",
    re.IGNORECASE,
)


def read_chbmit_summary(path: str | os.PathLike) -> dict[str, mne.Annotations]:
    """The seizures of each recording that a CHB-MIT summary lists (``chb01-summary.txt``:
    ``File Name: chb01_03.edf``, then ``Seizure Start Time: 2996 seconds`` and ``Seizure End
    Time: 3036 seconds``, or ``Seizure 1 Start Time: ...`` as later patients' summaries
    number them), as annotations described ``'seizure'``, onsets in seconds from the
    recording's first sample (``orig_time`` None), keyed by the file name as the summary
    gives it. Every file listed is a key, one without seizures with no annotations (each of
    its windows background). A summary is no annotation file of one recording: give each
    recording its own (``annotations=read_chbmit_summary(path)['chb01_03.edf']``, or a table
    written from them for the command line). A start without its end, or an end before its
    start, is an error naming the file."""
    found = _chbmit_summary_or_none(path)
    if found is None:
        raise RecordingError(
            f"{path} is no CHB-MIT summary: it names no 'File Name:' followed by 'Seizure "
            "Start Time:' and 'Seizure End Time:' lines"
        )
    return {
        name: mne.Annotations(
            [a for a, _ in spans], [b - a for a, b in spans], ["seizure"] * len(spans)
        )
        for name, spans in found.items()
    }


def _chbmit_summary_or_none(path: str | os.PathLike) -> dict[str, list[tuple[float, float]]] | None:
    """The seizure spans (start, end in seconds) of each file a CHB-MIT summary lists
    (:func:`read_chbmit_summary`), None where ``path`` is no such summary (no ``File Name:``
    line, or no seizure time in the whole file)."""
    try:
        text = table_text(path)
    except (OSError, ValueError):
        return None
    spans: dict[str, list[tuple[float, float]]] = {}
    current: str | None = None
    start: float | None = None
    timed = False
    for line in text.splitlines():
        line = line.strip()
        if (named := _CHBMIT_FILE.fullmatch(line)) is not None:
            if current is not None and start is not None:
                raise RecordingError(f"{path}: {current}: a seizure start without its end time")
            current, start = named[1], None
            spans[current] = []
        elif (time := _CHBMIT_TIME.fullmatch(line)) is not None and current is not None:
            timed = True
            seconds = float(time[2])
            if time[1].lower() == "start":
                start = seconds
            elif start is None or seconds < start:
                raise RecordingError(
                    f"{path}: {current}: a seizure end time ({time[2]} s) without a start before it"
                )
            else:
                spans[current].append((start, seconds))
                start = None
    if current is not None and start is not None:
        raise RecordingError(f"{path}: {current}: a seizure start without its end time")
    return spans if spans and timed else None


def _chbmit_advice(path: str | os.PathLike, summary: Mapping[str, Sequence[Any]]) -> str:
    """The advice of the error on a CHB-MIT summary given as one recording's annotations."""
    with_seizures = [name for name, spans in summary.items() if spans]
    first = next(iter(with_seizures or summary))
    return (
        f"; it is a CHB-MIT summary, which lists the seizures of {len(summary)} recordings "
        f"({few(with_seizures, 4)} with seizures), not the annotations of one: give each "
        "recording its own, in Python annotations=eegpt.annotation_files.read_chbmit_summary("
        f"{str(path)!r})[{first!r}], or for the command line a "
        "table each (onsets in seconds from the first sample): for name, ann in "
        f"read_chbmit_summary({str(path)!r}).items(): pd.DataFrame({{'onset': ann.onset, "
        "'duration': ann.duration, 'description': ann.description}).to_csv(name + "
        f"'-seizures.csv', index=False); then --annotations {first}-seizures.csv (one per "
        "recording, in the order of the recordings; those without seizures too: their windows "
        "are background)"
    )


def _is_eegpt_table(path: str | os.PathLike) -> bool:
    """Whether a table's header names both ``onset_s`` and ``clock_s``, as eegpt's events and
    predictions tables do."""
    try:
        head, _ = table_head(path, 4096)
    except (OSError, ValueError):
        return False
    line = next((ln for ln in head.splitlines() if ln.strip()), "")
    names = {name.strip().strip('"').lower() for name in re.split(r"[,;\t]", line)}
    return {"onset_s", "clock_s"} <= names


def _stage_list_read(path: str | os.PathLike) -> str | None:
    """The pandas call that reads the stages of a list of stages, one per scoring epoch
    (:data:`STAGE_LIST_ADVICE`), None where ``path`` is no such list: a text file of one
    value per line, or a table without onsets whose columns name epochs or stages
    (``epoch``, ``stage``), which carries no times.

    The call reads the file as it is laid out, so that each stage lands on its own epoch: a
    header line (a column's name, ``Stage``, or a word over numeric stages) is read as the
    header, not as the first epoch's stage, which would put every stage one epoch late; a
    table's separator is given (``;``, tabs) and its stage column taken by name; ``#`` lines
    are comments."""
    try:
        text = table_text(path)
    except (OSError, ValueError):
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
    if not lines:
        return None
    comment = (
        ", comment='#'" if any(ln.lstrip().startswith("#") for ln in text.splitlines()) else ""
    )
    if not any(d in line for line in lines for d in ",;\t"):  # one value per line: W, W, N1
        first = lines[0].strip('"').strip().lower()
        numbers = [is_number(line.strip('"')) for line in lines]
        worded = re.fullmatch(r"[a-z][a-z _-]+", first) is not None  # a name, not '?' or 'W'
        header = first in _STAGE_LIST_HEADERS or (worded and len(lines) > 1 and all(numbers[1:]))
        how = "" if header else ", header=None"
        return f"pd.read_csv(path{how}{comment}).iloc[:, 0]"
    sep = next((d for d in ",;\t" if d in lines[0]), ",")
    cells = [w.strip().strip('"') for w in lines[0].split(sep)]
    names = {w.lower() for w in cells}
    if not names & {"stage", "stages", "sleep_stage", "epoch"} or "onset" in names:
        return None
    stage = next((w for w in cells if w.lower() in {"stage", "stages", "sleep_stage"}), None)
    column = f"[{stage!r}]" if stage is not None else ".iloc[:, -1]"
    given = "" if sep == "," else f", sep={sep!r}"
    return f"pd.read_csv(path{given}{comment}){column}"


def _missing_file(path: Path) -> MissingFileError:
    """``annotations file not found`` for ``path``, with the working folder a relative path
    was looked for in and the names in its folder that come close (as for recordings)."""
    where = "" if path.is_absolute() else f" (looked for in the working folder {os.getcwd()})"
    folder = path.expanduser().parent
    names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    close = difflib.get_close_matches(path.name, names, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(str(path.parent / n) for n in close)}?" if close else ""
    return MissingFileError(f"annotations file not found: {path}{where}{hint}")


def _unknown_format(source: str | os.PathLike, more: str = "") -> RecordingError:
    """The error for an annotation file of a kind :func:`read_annotations` does not read,
    listing those it does (TUH's montage-based ``.lbl``: use the term-based labels); ``more``
    is added after it."""
    name = str(source)
    advice = more
    if name.lower().endswith((".lbl", ".lbl_bi")):
        advice = (
            "; TUH's montage-based .lbl files are not read: give the .tse or .csv_bi file of "
            "the same recording (its labels over time)"
        )
    return RecordingError(
        f"could not read annotations from {name}: it is none of the kinds eegpt reads: "
        f"{ANNOTATION_FORMATS}{advice}"
    )


def _recording_annotations(path: str | os.PathLike) -> mne.Annotations | None:
    """The annotations of a recording file other than EDF/BDF (BrainVision ``.vhdr``, EEGLAB
    ``.set``, FIF, GDF, CNT, an EGI ``.mff`` or CTF ``.ds`` folder) as MNE reads them with the
    recording, onsets from its first sample as the recording's own (:func:`annotations_of`);
    None for a file that is no recording (an annotation file: ``.vmrk``, ``.csv`` ...), an
    epochs file or an EDF/BDF file (:func:`_recording_edf_annotations`).

    Raises
    ------
    RecordingError
        If the file cannot be read as a recording (e.g. an ``-annot.fif`` file).
    """
    from eegpt.io import read_recording

    if not _is_recording_file(path):
        return None
    with ignored_warnings():  # the recording's reader warns about its body
        raw = read_recording(path, preload=False, verbose=False)
    found = annotations_of(raw)
    return mne.Annotations([], [], []) if found is None else found


def _is_recording_file(path: str | os.PathLike) -> bool:
    """Whether :func:`_recording_annotations` reads ``path`` as a recording: a recording file
    other than EDF/BDF and epochs files."""
    from eegpt.io import EEG_SUFFIXES, is_epochs_file, is_recording_folder

    suffix = os.path.splitext(str(path))[1].lower()
    if suffix in (".edf", ".bdf") or is_epochs_file(path):
        return False
    return suffix in EEG_SUFFIXES or is_recording_folder(path)


def recording_raw(source: Any) -> mne.io.BaseRaw | None:
    """The recording ``source`` names, read without its data, where :func:`read_annotations`
    gives its annotations from its first sample (:func:`annotations_of`): a recording file
    other than EDF/BDF (whose annotations are dated) or one of a BIDS dataset, read as
    :func:`read_annotations` reads it; None for anything else (an annotation file, an epochs
    or EDF/BDF file outside BIDS, ``mne.Annotations``, an object) and for a file that cannot
    be read as a recording (an ``-annot.fif``). Its ``first_time`` says where that first
    sample lies, which the annotations alone do not."""
    from eegpt.bids import bids_root
    from eegpt.io import read_recording

    if not isinstance(source, (str, os.PathLike)):
        return None
    path = Path(source).expanduser()
    if not path.exists() or is_events_file(path):
        return None
    if bids_root(path) is None and not _is_recording_file(path):
        return None
    try:
        with ignored_warnings():  # the recording's reader warns about its body
            return read_recording(path, preload=False, verbose=False)
    except RecordingError:
        return None


def _marker_file_in_samples(found: mne.Annotations, source: str | os.PathLike) -> mne.Annotations:
    """The markers ``found`` of a BrainVision marker file ``source`` (``.vmrk``, read by MNE:
    onsets ``k / sfreq`` s for sample ``k`` at the rate of the header beside it) at the
    nominal rate of a rounded ``SamplingInterval`` (``k / 256`` s for 3906 µs:
    :func:`eegpt._rates.nominal_rate`), as the recording's own markers are
    (:func:`annotations_of`); as they are for another file or rate. Their onsets count the
    samples, paused or not (:func:`counts_samples`)."""
    if Path(source).suffix.lower() != ".vmrk":
        return found
    from eegpt.brainvision_files import marker_file_rate

    sfreq = marker_file_rate(Path(source).expanduser())
    nominal = None if sfreq is None else nominal_rate(sfreq)
    if sfreq is None or nominal is None:
        return found
    onset, duration = (
        whole_samples(np.asarray(t, dtype=np.float64) * sfreq) / nominal
        for t in (found.onset, found.duration)
    )
    return mne.Annotations(
        onset, duration, found.description, orig_time=found.orig_time, ch_names=found.ch_names
    )


#: Files whose annotations count the samples of their recording (BrainVision markers: their
#: positions), not its clock: :func:`counts_samples`.
_SAMPLE_COUNTED = (".vmrk", ".vhdr", ".amrk", ".ahdr")


def counts_samples(source: Any) -> bool:
    """Whether the annotations of ``source`` (a file given as annotations) count the samples
    of their recording rather than its clock: a BrainVision marker file or header, whose
    markers are sample positions, so stay where they were recorded even in a recording
    paused and resumed (placed without its :class:`~eegpt.edf_files.RecordClock`), and land
    alike on a copy of it (a FIF file, a Raw) that has no clock."""
    return isinstance(source, (str, os.PathLike)) and (
        Path(source).suffix.lower() in _SAMPLE_COUNTED
    )


def _bids_recording_annotations(path: str | os.PathLike) -> mne.Annotations | None:
    """The annotations of a data file of a BIDS dataset (``sub-01_task-rest_eeg.edf`` under a
    folder with ``dataset_description.json``: :func:`eegpt.bids.bids_root`) as ``eegpt
    embed``, ``embed-dataset`` and ``probe train`` read them: the recording read with its
    sidecars by MNE-BIDS (:func:`eegpt.io.read_recording`), so its ``*_events.tsv`` events,
    onsets from its first sample (:func:`annotations_of`); empty where it has none; None for a
    file of no BIDS dataset.

    Raises
    ------
    RecordingError
        If the file cannot be read as a recording.
    ValueError
        If MNE-BIDS cannot read it with its sidecars (a corrupt ``*_events.tsv``).
    """
    from eegpt.bids import bids_root

    if bids_root(Path(path).expanduser()) is None:
        return None
    from eegpt.io import read_recording

    with ignored_warnings():  # the recording's reader warns about its body
        raw = read_recording(path, preload=False, verbose=False)
    found = annotations_of(raw)
    return mne.Annotations([], [], []) if found is None else found


def _recording_edf_annotations(path: str | os.PathLike) -> mne.Annotations | None:
    """The annotations of an EDF+/BDF+ recording (a file with data signals) from its
    annotation signals only, dated as :func:`read_annotations` dates them; None for another
    kind of file or an annotation-only EDF (a hypnogram), which MNE reads whole.

    ``mne.read_annotations`` scans every byte of an EDF file for annotation text, so on a
    recording it fails on sample bytes that are not UTF-8, or returns spans made of samples
    that happen to look like annotations."""
    if not str(path).lower().endswith((".edf", ".bdf")):
        return None
    from eegpt.edf_files import (
        AnnotationsOnlyError,
        check_edf_header,
        edf_start_time,
        read_edf_annotations,
        scan_edf_annotations,
    )

    try:
        with ignored_warnings():  # the recording's reader warns about its body
            header = check_edf_header(path)
    except AnnotationsOnlyError as err:  # a hypnogram: MNE reads it whole, if it is whole
        if err.truncated:
            raise RecordingError(
                f"could not read annotations from {path}: the file is truncated: "
                f"{err.truncated}, so some of its annotations are lost"
            ) from err
        return None
    except OSError:  # MNE says what fails
        return None
    except RecordingError as err:  # a damaged header: MNE would find no annotations in it
        raise RecordingError(f"could not read annotations from {path}: {err}") from err
    scan = scan_edf_annotations(path, header)  # once, for the annotations and their start
    found = read_edf_annotations(path, header, scan=scan)
    start = edf_start_time(path)
    if start is not None:  # onsets count from the first record's start, as the scan found it
        start += datetime.timedelta(seconds=scan.first or 0.0)
    return mne.Annotations(
        found.onset, found.duration, found.description, orig_time=start, ch_names=found.ch_names
    )


_CLOCK_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d*)?)?$")  # 23:10:30, 00:30

#: An ISO 8601 date-time as a diary gives it: ``2026-11-03 23:58:41``, ``2026-11-03T23:58:41.5``,
#: seconds optional and to any precision; a zone (``Z``, ``+01:00``) or a date alone are told
#: apart, to be converted to UTC or warned of (:func:`_date_times`).
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)


def _date_times(
    path: str | os.PathLike, onsets: Sequence[str], quiet: bool = False
) -> tuple[list[datetime.datetime | None] | None, bool]:
    """The onsets of a table as date-times without a zone (None where a row holds none, such
    as ``n/a``), to place on the recording's clock, and whether they carried a zone; None
    where none is an ISO 8601 date-time (another table). Seconds may be whole in some rows
    and fractional in others. A date without a time of day is read as midnight, with a
    warning (none with ``quiet``). Onsets with a zone (``Z``, ``+01:00``) are converted to
    UTC and marked (:func:`eegpt.annotation_time.mark_zoned`): no recording's clock is surely
    UTC (a FIF's may be a converted EDF's local time), so placing them refuses them.

    Raises
    ------
    RecordingError
        If some onsets carry a zone and others not: the latter are on the recording's clock,
        the former in their zone, which cannot be told apart on one clock.
    """
    matches = [_DATE_TIME.match(text) for text in onsets]
    if not any(matches):
        return None, False
    zoned = [text for text, m in zip(onsets, matches, strict=True) if m and m.group(8)]
    plain = [text for text, m in zip(onsets, matches, strict=True) if m and not m.group(8)]
    if zoned and plain:
        raise RecordingError(
            f"could not read annotations from {path}: {len(zoned)} of its onsets carry a time "
            f"zone ({few([repr(t) for t in zoned])}) and {len(plain)} do not "
            f"({few([repr(t) for t in plain])}): those without one would be on the "
            "recording's clock, the others in their zone; write all of them alike, with a "
            "zone (2026-11-03T23:58:41Z) or without (2026-11-03 23:58:41, on the recording's "
            "clock)"
        )
    dated: list[datetime.datetime | None] = []
    for text, m in zip(onsets, matches, strict=True):
        if m is None:
            dated.append(None)
            continue
        year, month, day, hour, minute, second, fraction = m.group(1, 2, 3, 4, 5, 6, 7)
        try:
            date = datetime.datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                int(second or 0), int(((fraction or "") + "000000")[:6]),
            )  # fmt: skip
        except ValueError as err:  # 2026-02-30, 25:00
            raise RecordingError(
                f"could not read annotations from {path}: its onset {text!r} is no date-time: {err}"
            ) from None
        if m.group(8):  # the moment in UTC, as the clock of a FIF recording is
            date = _in_utc(date, m.group(8))
        dated.append(date)
    dates_alone = [t for t, m in zip(onsets, matches, strict=True) if m and m.group(4) is None]
    if dates_alone and not quiet:
        _warn(
            f"{path}: {len(dates_alone)} of its onsets are dates without a time of day "
            f"({few([repr(t) for t in dates_alone])}); they are placed at midnight starting "
            "that day. Give the time of day (2026-11-04 00:00:10) for them to land where they "
            "happened"
        )
    return dated, bool(zoned)


#: A date written day first with points, as Excel writes a date-time where the locale is
#: German, Dutch, Norwegian ... (``03.11.2026 23:58:41``, ``3.11.26 23:58``): not read, its
#: day and month being taken the other way round by MNE's reader (:func:`_read_table`).
_DAY_FIRST = re.compile(
    r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?$"
)


#: A date written with slashes, day or month first (``03/11/2026 23:58:41``, ``11/3/26``), as
#: Excel writes a date-time in France, Britain or the US: not read in a table MNE's reader
#: does not read either (separated by ``;`` or tabs), nor where day and month cannot be told
#: apart in one it reads (``,``-separated: :func:`_is_ambiguous_slashed`) (:func:`_read_table`).
_SLASHED = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(?:\d{4}|\d{2})(?:[T ]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?$"
)


def _is_ambiguous_slashed(text: str) -> bool:
    """Whether the onset ``text`` is a date written with slashes (:data:`_SLASHED`) whose
    first two numbers can both be a month (1 to 12): ``03/04/2026`` is 3 April day first, 4
    March month first (MNE's reader, through pandas, takes it month first, silently), while
    ``13/04/2026`` and ``04/13/2026`` are 13 April either way."""
    m = _SLASHED.match(text)
    return m is not None and 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 12


def _slashed_misread(text: str) -> str:
    """``"; MNE's reader takes 03/04/2026 for 4 March"``: how MNE's reader (pandas, month
    first) takes the date ``text`` written with slashes (:func:`_is_ambiguous_slashed`), for
    messages; "" for another text."""
    if not _is_ambiguous_slashed(text):
        return ""
    first, second = (int(n) for n in text.split("/")[:2])
    months = "January February March April May June July August September October November "
    month = (months + "December").split()[first - 1]  # not the locale's names
    return f"; MNE's reader takes {re.split(r'[T ]', text)[0]} for {second} {month}"


#: A time of day written with points (``23.58.41``, ``07.05.09,5``), as Excel writes one in
#: Finland or Denmark: a clock time, not a date written day first (:func:`_is_clock_time`).
_DOTTED_CLOCK = re.compile(r"^(\d{1,2})\.(\d{2})\.(\d{2})(?=(?:[.,]\d+)?$)")


def _is_day_first(text: str) -> bool:
    """Whether the onset ``text`` is a date written day first (:data:`_DAY_FIRST`) whose day
    (1 to 31) and month (1 to 12) can be a date's: ``23.58.41`` is a time of day."""
    m = _DAY_FIRST.match(text)
    return m is not None and 1 <= int(m.group(1)) <= 31 and 1 <= int(m.group(2)) <= 12


def _is_clock_time(text: str) -> bool:
    """Whether the onset ``text`` is a time of day without a date: ``23:58:41``, ``00:30``
    (:data:`_CLOCK_TIME`), or written with points (``23.58.41``: :data:`_DOTTED_CLOCK`) where
    it cannot be a date written day first (``03.11.26`` is taken for 3 November 2026)."""
    if _CLOCK_TIME.match(text):
        return True
    m = _DOTTED_CLOCK.match(text)
    return m is not None and int(m[1]) < 24 and int(m[2]) < 60 and not _is_day_first(text)


def _day_first_iso(text: str) -> str:
    """``2026-11-03 23:58:41``: the date-time ``text`` written day first (:data:`_DAY_FIRST`)
    as ISO 8601, for messages; ``2026-11-03 23:58:41`` itself where its year has 2 digits
    (its century is not told)."""
    m = _DAY_FIRST.match(text)
    if m is None or len(m.group(3)) != 4:
        return "2026-11-03 23:58:41"
    day, month, year, hour, minute, second, fraction = m.groups()
    date = f"{year}-{int(month):02d}-{int(day):02d}"
    if hour is None:
        return date
    clock = f"{int(hour):02d}:{minute}" + (f":{second}" if second else "")
    return f"{date} {clock}" + (f".{fraction}" if fraction else "")


def _year_first_advice(example: str, excel_locale: str) -> str:
    """The advice of a refusal of dates eegpt cannot read (day first, or slashed): write them
    year first as ISO 8601 (``example``), with Excel's cell format in English and in
    ``excel_locale`` (``"JJJJ-MM-TT hh:mm:ss in German"``)."""
    return (
        f"write them year first, as ISO 8601 date-times ({example}: in Excel, format the cells "
        f"as YYYY-MM-DD hh:mm:ss, {excel_locale}), local times on the recording's clock, "
        "without a zone"
    )


def _day_first_misread(text: str) -> str:
    """``" (MNE's reader takes 03.11.2026 for 11 March)"``: how MNE's reader (pandas, month
    first) takes the date ``text`` written day first (:data:`_DAY_FIRST`), for messages; ""
    where its day is past 12 (no month)."""
    m = _DAY_FIRST.match(text)
    if m is None or not 1 <= int(m.group(1)) <= 12:
        return ""
    months = "January February March April May June July August September October November "
    month = (months + "December").split()[int(m.group(1)) - 1]  # not the locale's names
    return f" (MNE's reader takes {text.split()[0]} for {int(m.group(2))} {month})"


def _in_utc(date: datetime.datetime, zone: str) -> datetime.datetime:
    """The zone-less ``date`` of time zone ``zone`` (``Z``, ``+01:00``, ``-0500``, ``+01``)
    as the moment in UTC, zone-less too."""
    if zone.upper() == "Z":
        return date
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return date - sign * offset


def read_table_annotations(path: str | os.PathLike) -> mne.Annotations | None:
    """Annotations from a table of events, onsets in seconds from the recording's first
    sample (no ``orig_time``); None when the file is not such a table.

    - BIDS ``*_events.tsv`` and tables alike (tab-, comma- or semicolon-separated ``onset``,
      ``duration`` in seconds; a table without ``duration``, a list of stimuli, is read as
      events of zero duration, with a warning naming the file; the description from
      ``trial_type``, else ``description``, else ``value``, else the first of the other
      names of :data:`DESCRIPTION_COLUMNS` (``label``, ``event``, ``condition``, ...; any
      case) that holds text (one of numeric
      codes alone, such as ``type`` = 5, is not read: :func:`table_description_column`),
      else ``event`` for every row, with a warning where the table has another column of
      text; where the column found is ``n/a`` (or blank) in every row, as BIDS writes a
      missing ``trial_type``, the next of these columns that holds values is read instead
      (said at INFO); where the column read holds numeric codes alone and another of these
      names holds text (``value`` = 1, 2 beside ``condition`` = left, right), the codes are
      read, with a warning naming the column of text; ``n/a`` (or blank) durations are 0,
      rows with an ``n/a`` (or blank) onset are left out, a row ending early reads its missing
      cells as ``n/a``; refused: a row with more cells than the header, an onset or duration
      of other text, a negative duration; a ``;``-separated table reads a decimal comma,
      ``2,5``, as 2.5, unless its numbers use a decimal point (then ``1,234`` is refused: a
      thousands separator or a decimal comma); a BIDS ``*_events.tsv`` leaves out the rows
      whose ``trial_type``, or ``value`` where that names the events, is ``n/a``, and names
      a ``trial_type`` that goes with several values ``trial_type/value``, as MNE-BIDS reads
      it beside its recording). Onsets may be ISO 8601 date-times without a zone instead
      (a diary: ``2026-11-03 23:58:41``, seconds whole or fractional), read as times on the
      recording's clock: the first is the annotations' ``orig_time`` (a zone, ``Z`` or
      ``+01:00``, is converted to UTC, then refused where placed: no recording's clock is
      surely UTC, a FIF's may be a converted EDF's local time; a date alone warned of:
      :func:`_date_times`); MNE's own ``.csv`` with ``ch_names`` is left to its reader;
      refused: dates written day first (``03.11.2026``), and dates with slashes in a table
      not separated by ``,`` or, in one that is (MNE's reader, month first), where day and
      month can both be a month (``03/04/2026``: :func:`_is_ambiguous_slashed`);
    - tables of spans (``start``, ``stop`` or ``end`` in seconds and a name, as seizure lists
      are kept: :func:`_span_table`): onset the start, duration the stop less the start;
    - TUH EEG label files (``.csv`` / ``.csv_bi``: ``#`` comment lines, then ``channel``,
      ``start_time``, ``stop_time``, ``label``), one annotation per labelled span. A file of
      several channels (TUSZ's per-channel ``.csv``, each channel's rows covering the
      recording with ``bckg`` or a seizure type) is read as TUH derives its term-based
      ``.csv_bi`` from it: the spans of one label are merged across channels (an event on
      any channel is an event of the recording; overlapping spans become one), and ``bckg``
      is kept only where no channel has an event, so that a window inside a seizure on two
      channels is not outweighed by the ``bckg`` of the others;
    - TUH EEG term-based label files of older TUSZ releases (``.tse`` / ``.tse_bi``: a
      ``version = tse_v1.0.0`` line, then ``start stop label confidence`` per line, separated
      by spaces), one annotation per line. As for ``.csv_bi``, times are seconds from the
      recording's start and the confidence is not kept.
    """
    return _read_table(path)[0]


def table_description_column(path: str | os.PathLike) -> tuple[bool, str | None]:
    """``(onsets, column)``: whether ``path`` is a table of onsets and durations (BIDS
    ``*_events.tsv`` and alike: :func:`read_table_annotations`), and the column its events'
    descriptions are read from, as its header writes it (None: none, each event is called
    ``event``), for the provenance of the annotations read from it. BIDS's ``trial_type``,
    ``description`` and ``value`` are read whatever they hold (as before eegpt looked for
    other names); the other names of :data:`DESCRIPTION_COLUMNS` only where they hold text,
    not numeric codes alone (``type`` = 5: rename it ``value`` to read the codes); a column
    ``n/a`` in every row gives way to the next that holds values. Nothing is said here (no
    warning or log: the reading of the annotations says it)."""
    found, column, _ = _read_table(path, quiet=True)
    if found is None or column is _NOT_ONSETS:
        return False, None
    return True, cast("str | None", column)


def names_read_otherwise(
    metadata: Mapping[str, Any], given: Any = None
) -> tuple[str | None, str] | None:
    """``(then, now)``: the column the events' names of the annotations table of an output
    (its ``metadata``: ``annotations_file``; ``given``: the file given now, if any, else that
    one) were read from by the eegpt that wrote it (None: none, each event ``event``) and the
    column they are read from now, where the two differ. ``then`` is the recorded
    ``annotations_column``; an output without it was written before eegpt looked beyond BIDS's
    ``trial_type``, ``description`` and ``value``, which it read whatever they held (a
    ``trial_type`` all ``n/a`` too, its events then each called ``n/a``): the first of these
    the table has. None where nothing changed or cannot be told (a file that is gone, not a
    table of onsets, or read alike), and where ``given`` is another file than the one recorded
    (another table, whose columns tell nothing of the recorded one's reading)."""
    recorded = metadata.get("annotations_file")
    used = given if isinstance(given, (str, os.PathLike)) else recorded
    if not used:
        return None
    if used is given and not (isinstance(recorded, str) and same_file(given, recorded)):
        return None
    try:
        found, column, older = _read_table(used, quiet=True)
    except Exception:  # noqa: BLE001 - unreadable now: nothing to compare
        return None
    if found is None or column is _NOT_ONSETS or column is None:
        return None
    then = metadata["annotations_column"] if "annotations_column" in metadata else older
    if then is not None and not isinstance(then, str):
        return None  # not a column eegpt recorded
    now = cast("str", column)
    return None if then == now else (then, now)


def read_otherwise_text(then: str | None, now: str) -> str:
    """``'label', each event 'event' before``: how :func:`names_read_otherwise`'s change reads
    in a warning."""
    was = "each event 'event'" if then is None else repr(then)
    return f"{now!r}, {was} before"


#: :func:`_read_table`'s column of a file that is no table of onsets (TUH's, or none).
_NOT_ONSETS = object()


def _read_table(
    path: str | os.PathLike, quiet: bool = False
) -> tuple[mne.Annotations | None, object, str | None]:
    """:func:`read_table_annotations`, the column of a table of onsets its descriptions
    were read from (None: none; :data:`_NOT_ONSETS` for other files), and the one the rule
    of eegpt before it looked beyond BIDS's names read them from (the first of
    :data:`BIDS_DESCRIPTION_COLUMNS` it has, whatever it holds; None: none). ``quiet``:
    no warning or log about the column read (for the provenance of a table read again)."""
    try:
        text = table_text(path)
    except OSError:
        return None, _NOT_ONSETS, None
    except ValueError as err:  # not UTF-8 (nor UTF-16): for a table, say so and how to convert
        if str(path).lower().endswith((".csv", ".tsv", ".txt", ".csv_bi", ".tse", ".tse_bi")):
            raise RecordingError(f"could not read annotations from {path}: {err}") from None
        return None, _NOT_ONSETS, None  # a file of MNE's formats that its reader could not read
    lines = [
        line
        for line in text.splitlines(keepends=True)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        return None, _NOT_ONSETS, None
    if _TSE_VERSION.match(lines[0]) or str(path).lower().endswith((".tse", ".tse_bi")):
        return _tse_annotations(lines), _NOT_ONSETS, None
    first = lines[0]
    delimiter = "\t" if "\t" in first else ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    rows = list(reader)
    header = {name.strip().lower(): name for name in reader.fieldnames or []}

    # Excel's CSV where the decimal separator is a comma, unless its numbers use a point:
    # there 1,234 may be a thousands separator as well, so refused (_comma_hint)
    point = _uses_decimal_point(rows, header)
    decimal_comma = delimiter == ";" and not point
    ambiguous = delimiter == ";" and point
    if ambiguous:
        _refuse_thousands_points(path, rows, header)

    def number(text: Any) -> float | None:
        return _table_number(text, decimal_comma)

    spans: dict[tuple[float, float, str], None] = {}
    older = next((header[k] for k in BIDS_DESCRIPTION_COLUMNS if k in header), None)
    if "onset" in header:  # BIDS, or onsets in seconds alike (without durations: markers)
        if not rows:
            return mne.Annotations([], [], []), None, older
        _check_row_lengths(path, rows, reader.fieldnames or [], delimiter)
        onsets = [_cell(row, header["onset"]) for row in rows]
        if not any(number(text) is not None for text in onsets):
            clock = next((t for t in onsets if _is_clock_time(t)), None)
            if clock is not None:  # not MNE's date-times either: a time of day alone
                written = _DOTTED_CLOCK.sub(r"\1:\2:\3", clock).replace(",", ".")  # 23:58:41
                raise RecordingError(
                    f"could not read annotations from {path}: its onsets are clock times "
                    f"({clock!r}) without a date; give each its date (2026-11-03 {written}: "
                    "a local time on the recording's clock, without a zone), or onsets in "
                    "seconds from the recording's start"
                )
            # MNE's reader reads a ,-separated .csv alone (others it fails on): said there
            mne_csv = delimiter == "," and str(path).lower().endswith(".csv")
            dotted = next((t for t in onsets if _is_day_first(t)), None)
            if dotted is not None and not any(_DATE_TIME.match(t) for t in onsets):
                misread = _day_first_misread(dotted) if mne_csv else ""
                raise RecordingError(
                    f"could not read annotations from {path}: its onsets are dates written day "
                    f"first ({dotted!r}), which eegpt does not read{misread}; "
                    + _year_first_advice(_day_first_iso(dotted), "JJJJ-MM-TT hh:mm:ss in German")
                )
            # not MNE's reader's either (it reads ,-separated tables alone), or read by it month
            # first where the day may come first (03/04/2026): say how to write them
            slashed = next(
                (
                    t
                    for t in onsets
                    if _SLASHED.match(t) and (delimiter != "," or _is_ambiguous_slashed(t))
                ),
                None,
            )
            if slashed is not None and not any(_DATE_TIME.match(t) for t in onsets):
                misread = _slashed_misread(slashed) if mne_csv else ""
                raise RecordingError(
                    f"could not read annotations from {path}: its onsets are dates written "
                    f"with slashes ({slashed!r}), whose day and month eegpt cannot tell apart "
                    "(03/11/2026 is 3 November in France or Britain, 11 March in the US"
                    f"{misread}); "
                    + _year_first_advice("2026-11-03 23:58:41", "AAAA-MM-JJ hh:mm:ss in French")
                )
            # numbers not read here (2,5 in a table not separated by ;), no date-times: say how
            unread = next((k for k, t in enumerate(onsets) if _comma_hint(t, ambiguous)), None)
            if unread is not None and not any(_DATE_TIME.match(t) for t in onsets):
                raise RecordingError(
                    f"could not read annotations from {path}: the onset {onsets[unread]!r} of "
                    f"its row {unread + 1} after the header is not a number of seconds, nor "
                    f"are the others{_comma_hint(onsets[unread], ambiguous)}"
                )
            dated, zoned = _date_times(path, onsets, quiet)
            if dated is None or "ch_names" in header:  # MNE's .csv of channels: its reader
                return None, _NOT_ONSETS, None
            _check_onsets(
                path, onsets, [d is not None for d in dated], "an ISO 8601 date-time", ambiguous
            )
            origin: datetime.datetime | None = next(d for d in dated if d is not None)
            from_start: list[float | None] = [
                None if d is None or origin is None else (d - origin).total_seconds() for d in dated
            ]
        else:
            origin, from_start = None, [number(text) for text in onsets]
            read = [t is not None for t in from_start]
            _check_onsets(path, onsets, read, "a number of seconds", ambiguous)
        key = _description_column(header, rows)
        # rows with an onset alone, as MNE-BIDS drops the others before it looks at names
        timed = [row for row, onset in zip(rows, from_start, strict=True) if onset is not None]
        if key is not None and not _holds_values(key, timed):  # BIDS's n/a trial_type ...
            later = _filled_column_after(key, header, timed)
            if later is not None:
                if not quiet:
                    _log(
                        f"{path}: its column {key!r} is n/a (or blank) in every row; the "
                        f"events are named by {later!r}, the next of the columns that name "
                        "them holding values (text before codes)"
                    )
                key = later
        if "duration" not in header and not quiet:
            _warn(no_duration_text(path))
        if key is None and not quiet:  # of the rows read, as the column was chosen by them
            _warn_unnamed_events(path, header, timed)
        elif key is not None and not quiet:
            _warn_coded_names(path, key, header, timed)
        kept = _bids_events_kept(path, key, rows, quiet)
        # the rows read, as MNE-BIDS: those with an onset, then a name (before naming them)
        read = [onset is not None and k for onset, k in zip(from_start, kept, strict=True)]
        names = _bids_event_names(path, key, header, rows, read)
        for k, (row, onset) in enumerate(zip(rows, from_start, strict=True)):
            if onset is not None and read[k]:
                text = names[k]
                spans[(onset, _duration(path, k, row, header, number, ambiguous), text)] = None
        if origin is not None:  # date-times: onsets from the first, which is the start
            found = _from_spans(spans)
            dated_found = mne.Annotations(
                found.onset, found.duration, found.description, orig_time=utc(origin)
            )
            return (mark_zoned(dated_found) if zoned else dated_found), key, older
    elif {"start_time", "stop_time", "label"} <= header.keys():  # TUH EEG
        by_channel: dict[str, list[tuple[float, float, str]]] = {}
        for row in rows:
            start, stop = number(row[header["start_time"]]), number(row[header["stop_time"]])
            if start is not None and stop is not None:
                channel = str(row.get(header.get("channel", ""), "") or "").strip()
                label = str(row[header["label"]]).strip()
                by_channel.setdefault(channel, []).append((start, stop, label))
        if len(by_channel) > 1:  # per-channel labels: the recording's events, as TUH's csv_bi
            return _from_spans(_recording_events(by_channel)), _NOT_ONSETS, None
        for start, stop, label in next(iter(by_channel.values()), []):
            spans[(start, stop - start, label)] = None
        return _from_spans(spans), _NOT_ONSETS, None
    elif _span_columns(header) is not None:  # start, stop (or end) and a name: spans
        return _span_table(path, rows, header, number, ambiguous, quiet), _NOT_ONSETS, None
    else:
        return None, _NOT_ONSETS, None
    return _from_spans(spans), key, older


#: The names of a table's start and stop columns read as spans (seizure lists: ``start``,
#: ``stop`` or ``end``, in seconds from the recording's start), any case
_START_COLUMNS = ("start", "start_s", "start_time", "begin")
_STOP_COLUMNS = ("stop", "stop_s", "end", "end_s", "end_time")


def _span_columns(header: Mapping[str, str]) -> tuple[str, str] | None:
    """The start and stop columns (as ``header``, lower case -> as written, writes them) of a
    table of spans, ``start,stop,label`` (:data:`_START_COLUMNS`, :data:`_STOP_COLUMNS`);
    None where it has no such pair."""
    start = next((header[k] for k in _START_COLUMNS if k in header), None)
    stop = next((header[k] for k in _STOP_COLUMNS if k in header), None)
    return None if start is None or stop is None else (start, stop)


def _span_table(
    path: str | os.PathLike,
    rows: Sequence[Mapping[str, Any]],
    header: Mapping[str, str],
    number: Any,
    ambiguous: bool,
    quiet: bool = False,
) -> mne.Annotations:
    """The annotations of a table of spans (``start,stop,label``, as seizure lists are kept;
    :func:`_span_columns`): onset the start, duration the stop less the start, both in
    seconds from the recording's first sample, described by the first column of
    :data:`DESCRIPTION_COLUMNS` it has (else each ``event``, with the warning of a table
    without names). Rows with an ``n/a`` (or blank) start or stop are left out; refused: one
    of other text, and a stop before its start (naming the row). ``quiet``: no warning."""
    start_key, stop_key = cast("tuple[str, str]", _span_columns(header))
    key = _description_column(header, rows)
    if key is None and not quiet:
        _warn_unnamed_events(path, header, rows)
    spans: dict[tuple[float, float, str], None] = {}
    for k, row in enumerate(rows):
        cells = [_cell(row, start_key), _cell(row, stop_key)]
        start, stop = (number(cell) for cell in cells)
        for cell, value, name in zip(cells, (start, stop), (start_key, stop_key), strict=True):
            if value is None and not _is_missing(cell):
                raise RecordingError(
                    f"could not read annotations from {path}: the {name} {cell!r} of its row "
                    f"{k + 1} after the header is not a number of seconds; write it as the "
                    f"others are, or n/a to leave the row out{_comma_hint(cell, ambiguous)}"
                )
        if start is None or stop is None:
            continue
        if stop < start:
            raise RecordingError(
                f"could not read annotations from {path}: its row {k + 1} after the header "
                f"stops ({stop_key} {stop:g}) before it starts ({start_key} {start:g}); the "
                f"{stop_key} column is read as the time each event ends, in seconds from the "
                "recording's start (a column of durations is named duration, beside onset)"
            )
        name = "event" if key is None else str(_cell(row, key)).strip()
        spans[(start, stop - start, name)] = None
    return _from_spans(spans)


def _check_row_lengths(
    path: str | os.PathLike,
    rows: Sequence[Mapping[Any, Any]],
    fieldnames: Sequence[str],
    delimiter: str,
) -> None:
    """Refuse a table of onsets whose row holds more cells than its header names (``rows``
    as :class:`csv.DictReader` reads them, the cells beyond the header under the key None;
    empty ones, as Excel writes for empty columns, do not count): they would be lost, and
    the cells before them are likely misplaced too (``2,5`` in a table separated by ``,``, or
    with one column, reads onset 2 and a lost 5).

    Raises
    ------
    RecordingError
        Naming the file, the first such row (after the header, from 1), its cells beyond
        the header, and how to write them.
    """
    for k, row in enumerate(rows):
        extra = [str(cell).strip() for cell in row.get(None) or []]
        if not any(extra):
            continue
        sep = {"\t": "tabs", ";": "';'"}.get(delimiter, "','")
        cells = [str(row.get(name) or "").strip() for name in fieldnames] + extra
        if delimiter == ",":  # a decimal comma splits a number there
            how = (
                "a number with a decimal comma (2,5) or a text holding a comma is split there: "
                'write numbers with a decimal point (2.5) and put such text in double quotes ("go, '
                'left")'
            )
        else:  # a decimal comma is no separator here: a text holding one, or a column unnamed
            char = "a tab" if delimiter == "\t" else "a ';'"
            how = (
                f"a text holding {char} is split there, and a column the header does not name "
                "holds cells beyond it: put such text in double quotes, and name every column "
                "in the header"
            )
        raise RecordingError(
            f"could not read annotations from {path}: its row {k + 1} after the header has "
            f"{len(cells)} cells separated by {sep} ({few([repr(c) for c in cells], 8)}), its "
            f"header {len(fieldnames)} ({', '.join(repr(str(n)) for n in fieldnames)}), so "
            f"the cells would be misplaced and those beyond the header lost; {how}"
        )


def _duration(
    path: str | os.PathLike,
    k: int,
    row: Mapping[str, Any],
    header: Mapping[str, str],
    number: Callable[[Any], float | None],
    ambiguous: bool = False,
) -> float:
    """The duration (s) of the event of a table's ``row`` (the ``k``-th after the header,
    from 0): its ``duration`` cell, 0 where that is ``n/a``, blank or missing, or the table
    has no such column (a list of stimuli). ``ambiguous``: the table is ``;``-separated but
    its numbers use a decimal point, so a comma is not read (:func:`_comma_hint`).

    Raises
    ------
    RecordingError
        If the cell holds something else than a finite number (``1 s``, ``inf``), naming the
        file, row and cell: left out or read as 0, the event would be misplaced silently; or
        a negative number (BIDS: 0 or more), which labels no window and fails MNE's
        ``Annotations.crop``.
    """
    if "duration" not in header:
        return 0.0
    cell = _cell(row, header["duration"])
    if _is_missing(cell):
        return 0.0
    value = number(cell)
    if value is None:
        raise RecordingError(
            f"could not read annotations from {path}: the duration {cell!r} of its row {k + 1} "
            "after the header is no number of seconds; write it as one (1.5), or n/a for an "
            f"event without a duration{_comma_hint(cell, ambiguous)}"
        )
    if value < 0:  # MNE's Annotations.crop asserts durations >= 0; labels would skip it
        raise RecordingError(
            f"could not read annotations from {path}: the duration {cell!r} of its row {k + 1} "
            "after the header is negative; a duration is the event's length in seconds, 0 or "
            "more (n/a for an event without one): check that the column holds lengths, not "
            "ends or times to the next event"
        )
    return value


def _comma_hint(cell: str, ambiguous: bool = False) -> str:
    """``" (... decimal comma ...)"``: how to write a number cell that is not read: one with
    a decimal comma (``2,5``) in a table not separated by ``;`` (where it is read:
    :func:`_table_number`), or in one separated by ``;`` whose other numbers use a decimal
    point (``ambiguous``); one whose comma may be a thousands separator as well (``1,234``:
    1234 or 1.234, either way), said so; one with thousands separators (``1,234,567``,
    ``1.234,5``, ``1 234,5``, ``1'234.5``: :data:`_GROUPED`); "" for another cell."""
    if _DECIMAL_COMMA.fullmatch(cell) and _THOUSANDS.fullmatch(cell):  # 1,234: which?
        where = (
            "its other numbers use a decimal point"
            if ambiguous
            else "a decimal comma is read only in a table whose cells are separated by ';'"
        )
        return (
            f" ({cell!r} is ambiguous: {where}, and its comma may be a thousands separator "
            f"({cell.replace(',', '')}) as well as a decimal comma ({cell.replace(',', '.')}); "
            "write the number it means with a decimal point and no thousands separator)"
        )
    if _DECIMAL_COMMA.fullmatch(cell):  # 2,5: a decimal comma, surely
        if ambiguous:
            return (
                f" ({cell!r} has a decimal comma, but the table's other numbers use a decimal "
                f"point: write {cell.replace(',', '.')})"
            )
        return (
            f" ({cell!r} has a decimal comma, read only in a table whose cells are separated "
            f"by ';': write {cell.replace(',', '.')})"
        )
    if _THOUSANDS.fullmatch(cell):
        return f" ({cell!r} has thousands separators: write {cell.replace(',', '')})"
    grouped = _GROUPED.fullmatch(cell)  # 1.234,5 (German), 1 234,5 (French), 1'234.5 (Swiss)
    if grouped and grouped["sep"] != grouped["dec"]:
        written = cell.replace(grouped["sep"], "").replace(",", ".")
        comma = " and a decimal comma" if grouped["dec"] == "," else ""
        return f" ({cell!r} has thousands separators{comma}: write {written})"
    return ""


#: A whole number with a comma between each three digits (``1,234``, ``-12,345,678``): the
#: thousands separator of English locales, or (one comma) a decimal comma.
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")

#: A number with a thousands separator other than a comma between each three digits, as
#: Excel writes one where thousands are shown: a point (``1.234,5``: German), a space or a
#: no-break space (``1 234,5``: French), an apostrophe (``1'234.5``: Swiss); ``dec``, its
#: decimal separator, if any.
_GROUPED = re.compile(
    r"[+-]?\d{1,3}(?P<sep>[. '\u00a0\u202f\u2019])\d{3}(?:(?P=sep)\d{3})*(?:(?P<dec>[.,])\d+)?"
)


#: The decimal comma of a number (``2,5``, ``-1,25e-6``): where a table's cells are separated
#: by ``;`` (Excel's CSV in Germany and much of Europe), read as a decimal point.
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")


#: A number written with a decimal point (``12.5``, ``.5``, ``3.``, ``1.5e-3``).
_DECIMAL_POINT = re.compile(r"[+-]?(?:\d*\.\d+|\d+\.)(?:[eE][+-]?\d+)?")

#: The columns of a table of annotations that hold numbers of seconds.
_NUMBER_COLUMNS = ("onset", "duration", "start_time", "stop_time")


def _uses_decimal_point(rows: Sequence[Mapping[str, Any]], header: Mapping[str, str]) -> bool:
    """Whether a cell of a table's columns of seconds (:data:`_NUMBER_COLUMNS`; ``header``:
    their names lower-cased to the file's) holds a number with a decimal point (``12.5``):
    then the table's decimal separator is the point, and a comma is none."""
    columns = [header[name] for name in _NUMBER_COLUMNS if name in header]
    return any(_DECIMAL_POINT.fullmatch(_cell(row, column)) for row in rows for column in columns)


#: A whole number with a point between each three digits (``1.234``, ``12.345.678``): the
#: thousands separator of German, Dutch ... locales, or (one point) a decimal point.
_THOUSANDS_POINTS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")


def _refuse_thousands_points(
    path: str | os.PathLike, rows: Sequence[Mapping[str, Any]], header: Mapping[str, str]
) -> None:
    """Refuse a ``;``-separated table whose columns of seconds hold numbers with a decimal
    comma (``2,5``) beside numbers whose points may all be thousands separators (``1.234``,
    as Excel writes 1234 in a German locale with thousands shown): read with a decimal
    point, ``1.234`` would be 1.234 s, and after writing ``2,5`` as 2.5 as its refusal would
    advise, silently so.

    Raises
    ------
    RecordingError
        Naming the file, the first such cell and a decimal comma beside it.
    """
    columns = [header[name] for name in _NUMBER_COLUMNS if name in header]
    cells = [_cell(row, column) for row in rows for column in columns]
    points = [c for c in cells if _DECIMAL_POINT.fullmatch(c)]
    comma = next((c for c in cells if _DECIMAL_COMMA.fullmatch(c)), None)
    if comma is None or not points or not all(_THOUSANDS_POINTS.fullmatch(c) for c in points):
        return
    raise RecordingError(
        f"could not read annotations from {path}: its numbers of seconds have a decimal "
        f"comma ({comma!r}) beside numbers whose point may be a thousands separator "
        f"({points[0]!r}: {points[0].replace('.', '')}, as Excel writes it in a German "
        f"locale, or {points[0]}); write every number with a decimal point and no thousands "
        f"separator ({comma.replace(',', '.')}, and {points[0].replace('.', '')} or "
        f"{points[0]} as it means), or with a decimal comma and no thousands separator"
    )


def _table_number(text: Any, decimal_comma: bool = False) -> float | None:
    """The finite number a table's cell ``text`` holds; None for any other text (``n/a``,
    ``inf``, a word). With ``decimal_comma`` (a ``;``-separated table, which cannot hold a
    comma as a separator), ``2,5`` reads 2.5."""
    cell = str(text).strip()
    if decimal_comma and _DECIMAL_COMMA.fullmatch(cell):
        cell = cell.replace(",", ".")
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _cell(row: Mapping[str, Any], name: str) -> str:
    """The cell of column ``name`` of a table's ``row``, stripped; ``n/a`` where the row ends
    before it (``csv.DictReader`` fills None), as BIDS writes a missing value."""
    value = row.get(name)
    return "n/a" if value is None else str(value).strip()


def _is_missing(cell: str) -> bool:
    """Whether a table's ``cell`` (:func:`_cell`) holds no value: blank, ``n/a`` or ``nan``
    (the cells MNE-BIDS leaves out as onsets)."""
    return cell.lower() in ("", "n/a", "nan")


def _check_onsets(
    path: str | os.PathLike,
    onsets: Sequence[str],
    read: Sequence[bool],
    kind: str,
    ambiguous: bool = False,
) -> None:
    """Refuse a table whose onset cell holds a value that is not ``kind`` (``read``: which
    were): a row with an ``n/a`` or blank onset is left out, as BIDS means it, but one of
    another text (``2.5s``, a date-time among seconds) would be lost silently.
    ``ambiguous``: as for :func:`_comma_hint`.

    Raises
    ------
    RecordingError
        Naming the file, the first such row (after the header, from 1) and its cell.
    """
    for k, (cell, ok) in enumerate(zip(onsets, read, strict=True)):
        if not ok and not _is_missing(cell):
            raise RecordingError(
                f"could not read annotations from {path}: the onset {cell!r} of its row "
                f"{k + 1} after the header is not {kind}, as the other onsets are; write it "
                f"as they are, or n/a to leave the row out{_comma_hint(cell, ambiguous)}"
            )


def _bids_event_names(
    path: str | os.PathLike,
    key: str | None,
    header: Mapping[str, str],
    rows: Sequence[Mapping[str, Any]],
    read: Sequence[bool],
) -> list[str]:
    """The names of the events of ``rows`` (``event`` without a column ``key``), and for a
    BIDS ``*_events.tsv`` named by ``trial_type`` beside a ``value`` column, as MNE-BIDS
    names them reading it beside its recording: a ``trial_type`` that goes with several
    values among the rows read (``read``: those with an onset, then a ``trial_type``, the
    rows MNE-BIDS keeps, in its order, before naming) is named ``trial_type/value`` in each
    of its rows (``go/1``, ``go/2``; an ``n/a`` value as ``na``), so that each name has one
    code; a row left out (an ``n/a`` onset) does not count."""
    if key is None:
        return ["event"] * len(rows)
    names = [_cell(row, key) for row in rows]
    bids = str(path).lower().endswith("_events.tsv")
    if not bids or key.strip().lower() != "trial_type" or "value" not in header:
        return names
    values = [_cell(row, header["value"]) for row in rows]
    seen: dict[str, set[str]] = {}
    for name, value, counted in zip(names, values, read, strict=True):
        if counted:
            seen.setdefault(name, set()).add(value)
    return [
        f"{name}/{'na' if value == 'n/a' else value}" if len(seen.get(name, ())) > 1 else name
        for name, value in zip(names, values, strict=True)
    ]


#: The columns of a BIDS ``*_events.tsv`` whose ``n/a`` rows MNE-BIDS leaves out when it names
#: the events by them (``mne_bids.read_raw_bids``: "drop events unrelated to a trial type").
_BIDS_DROPPED_NA = ("trial_type", "value")


def _bids_events_kept(
    path: str | os.PathLike, key: str | None, rows: Sequence[Mapping[str, Any]], quiet: bool
) -> list[bool]:
    """Which ``rows`` of a table of onsets are read: all, but for a BIDS ``*_events.tsv``
    whose events are named by ``trial_type`` or ``value`` (``key``) those where it is
    ``n/a`` (or missing), as MNE-BIDS leaves them out reading the recording's sidecar, so
    that the file given alone is read as the recording's own events are (said at INFO,
    unless ``quiet``)."""
    bids = str(path).lower().endswith("_events.tsv")
    if not bids or key is None or key.strip().lower() not in _BIDS_DROPPED_NA:
        return [True] * len(rows)
    kept = [_cell(row, key) != "n/a" for row in rows]
    if not all(kept) and not quiet:
        _log(
            f"{path}: {kept.count(False)} of its rows have {key!r} n/a and are left out, "
            "as MNE-BIDS leaves them out reading a recording's events"
        )
    return kept


def no_duration_text(path: str | os.PathLike) -> str:
    """The warning that the table of onsets ``path`` has no ``duration`` column, so that its
    events are read as of zero duration."""
    return (
        f"{path}: the table has an 'onset' column but no 'duration' column, so its events are "
        "read as of zero duration (markers, as a list of stimuli is): each window lists those "
        "that fall in it among its annotations, but a marker covers too little of a window to "
        "label it (--window-labels). If the events last (stages, tasks, artefacts), add a "
        "'duration' column in seconds (0, or n/a, for those that do not)"
    )


#: The columns of a table of onsets (``onset``, ``duration``) that name its events, in the
#: order they are looked for (any case): BIDS's ``trial_type``, ``description`` (MNE's) and
#: ``value`` first, then the names a table made by hand tends to give them, each of these
#: only where it holds text (not numeric codes alone: :func:`_description_column`).
DESCRIPTION_COLUMNS: tuple[str, ...] = (
    "trial_type", "description", "value",
    "label", "event", "event_type", "condition", "annotation", "type", "name", "class",
    "stage",
)  # fmt: skip

#: The names of :data:`DESCRIPTION_COLUMNS` read whatever they hold, numbers too (BIDS's, read
#: before eegpt looked for the others); the others are read only where they hold text.
BIDS_DESCRIPTION_COLUMNS: tuple[str, ...] = ("trial_type", "description", "value")


def _description_column(header: Mapping[str, str], rows: Sequence[Mapping[str, Any]]) -> str | None:
    """The column (as ``header``, lower case -> as written, writes it) that names the events
    of a table of onsets: the first of :data:`DESCRIPTION_COLUMNS` it has, where one of
    :data:`BIDS_DESCRIPTION_COLUMNS` or holding text; a column of numeric codes alone under
    another name (``type`` = 5, a ``stage`` of 0-5) is not read, as before eegpt looked for
    those names (each event is then called ``event``). None: no such column."""
    for key in DESCRIPTION_COLUMNS:
        name = header.get(key)
        if name is None:
            continue
        if key in BIDS_DESCRIPTION_COLUMNS or _holds_text(name, rows):
            return name
    return None


def _filled_column_after(
    name: str, header: Mapping[str, str], rows: Sequence[Mapping[str, Any]]
) -> str | None:
    """The first column after ``name`` in the order of :data:`DESCRIPTION_COLUMNS` that
    :func:`_description_column` would read (one of :data:`BIDS_DESCRIPTION_COLUMNS`, or
    holding text) and that holds values (not n/a or blank alone), one holding text before
    one of codes alone (``label`` = left, right before ``value`` = 1, 2); None: none."""
    order = [(key, header.get(key)) for key in DESCRIPTION_COLUMNS]
    start = next(k for k, (_, column) in enumerate(order) if column == name) + 1
    later = [other for _, other in order[start:] if other is not None]
    texts = (other for other in later if _holds_text(other, rows))
    codes = (
        other for key, other in order[start:]
        if other is not None and key in BIDS_DESCRIPTION_COLUMNS and _holds_values(other, rows)
    )  # fmt: skip
    return next(texts, None) or next(codes, None)


def _cells(name: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The cells of the column ``name`` of ``rows`` that hold a value (not blank or n/a)."""
    cells = (str(row.get(name) or "").strip() for row in rows)
    return [cell for cell in cells if cell and cell.lower() != "n/a"]


def _holds_values(name: str, rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the column ``name`` of ``rows`` has a cell that is not blank or ``n/a``."""
    return bool(_cells(name, rows))


def _warn_coded_names(
    path: str | os.PathLike, name: str, header: Mapping[str, str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Warn where the column ``name`` that names the events of a table of onsets holds numeric
    codes alone and another column of :data:`DESCRIPTION_COLUMNS` holds text (``value`` = 1, 2
    beside ``condition`` = left, right): the codes are read (BIDS's own ``value`` is not set
    aside), the column of text is named with how to read it instead."""
    codes = list(dict.fromkeys(_cells(name, rows)))
    if not codes or not all(is_number(code) for code in codes):
        return
    other = next(
        (header[key] for key in DESCRIPTION_COLUMNS
         if key in header and header[key] != name and _holds_text(header[key], rows)),
        None,
    )  # fmt: skip
    if other is None:
        return
    names = list(dict.fromkeys(c for c in _cells(other, rows) if not is_number(c)))
    if name.strip().lower() == "trial_type":
        how = f"rename {name!r} to value and {other!r} to trial_type to use it"
    elif "trial_type" in header:  # n/a: a second trial_type column would not be read
        how = f"replace the n/a {header['trial_type']!r} column by {other!r} to use it"
    else:
        how = "rename it to trial_type to use it"
    _warn(
        f"{path}: the events are named by {name!r} (codes {few(codes, 5)}); {other!r} also "
        f"names them ({few(names, 5)}): {how}"
    )


def _holds_text(name: str, rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the column ``name`` of ``rows`` has a cell of text (not blank, ``n/a`` or a
    number)."""
    cells = (str(row.get(name) or "").strip() for row in rows)
    return any(cell and cell.lower() != "n/a" and not is_number(cell) for cell in cells)


#: Columns of a BIDS ``*_events.tsv`` beside ``onset`` and ``duration`` that do not name the
#: events: a table of these alone calls each event ``event`` without a warning.
_NOT_NAMES = frozenset(
    {"sample", "response_time", "stim_file", "hed", "channel", "channels", "offset", "end",
     "stop", "confidence"}
)  # fmt: skip


#: Names of a column of trigger codes (numbers) besides :data:`DESCRIPTION_COLUMNS`: warned of
#: as not read by :func:`_warn_unnamed_events`
_CODE_COLUMNS = frozenset(
    {"trigger", "triggers", "code", "codes", "event_code", "trigger_code", "marker", "stim",
     "stimulus", "event_id", "id"}
)  # fmt: skip


def _warn_unnamed_events(
    path: str | os.PathLike, header: Mapping[str, str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Warn that a table of onsets names its events in no column it is known by
    (:data:`DESCRIPTION_COLUMNS`) where it has columns of text besides: each event is called
    ``event``, and the column holding the names should be renamed. Quiet for a table of onsets
    and durations alone, or with BIDS's other columns (``sample``, ``response_time``), as
    BIDS allows."""
    texts, codes = [], []
    for lower, name in header.items():
        if lower in {"onset", "duration"} or lower in _NOT_NAMES:
            continue
        if _holds_text(name, rows):
            texts.append(name)
        elif lower in DESCRIPTION_COLUMNS or lower in _CODE_COLUMNS:
            codes.append(name)  # numbers alone: trigger codes, as mne.find_events gives them
    if texts:
        _warn(
            f"{path}: no column names its events (looked for: {', '.join(DESCRIPTION_COLUMNS)}; "
            f"any case), so each is called 'event'; its column{'s' if len(texts) > 1 else ''} of "
            f"text {', '.join(repr(t) for t in texts)} {'are' if len(texts) > 1 else 'is'} not read: rename the one that names the "
            "events to 'description' (or 'trial_type')"
        )
    elif codes:
        _warn(
            f"{path}: no column names its events, so each is called 'event': its column"
            f"{'s' if len(codes) > 1 else ''} of numbers {', '.join(repr(c) for c in codes)} "
            f"{'are' if len(codes) > 1 else 'is'} not read as the events' names (numbers under "
            "that name are not taken for codes); to name the events by their codes (trigger "
            "codes, as mne.find_events gives them), rename the column to 'value', as BIDS "
            "names it"
        )


#: TUH's label of background, the time of a channel without an event.
TUH_BACKGROUND = "bckg"


def _recording_events(
    by_channel: Mapping[str, Sequence[tuple[float, float, str]]],
) -> dict[tuple[float, float, str], None]:
    """The events of a recording from TUH's per-channel labels (``channel -> (start_s,
    stop_s, label)`` rows), as TUH derives its term-based ``.csv_bi``: the spans of one label
    merged across channels (an event on any channel is an event of the recording), and
    ``bckg`` only where no channel has an event. ``(onset_s, duration_s, label)`` keys."""
    merged: dict[str, list[tuple[float, float]]] = {}
    for rows in by_channel.values():
        for start, stop, label in rows:
            if stop > start:
                merged.setdefault(label, []).append((start, stop))
    merged = {label: _merged_spans(spans) for label, spans in merged.items()}
    events = _merged_spans(
        [span for label, spans in merged.items() if label.lower() != TUH_BACKGROUND
         for span in spans]
    )  # fmt: skip
    out: dict[tuple[float, float, str], None] = {}
    for label, spans in merged.items():
        if label.lower() == TUH_BACKGROUND:
            spans = _without(spans, events)
        for start, stop in spans:
            out[(start, stop - start, label)] = None
    return out


def _merged_spans(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """``(start, stop)`` spans merged where they overlap or touch, in time order."""
    out: list[tuple[float, float]] = []
    for start, stop in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], stop))
        else:
            out.append((start, stop))
    return out


def _without(
    spans: Sequence[tuple[float, float]], holes: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The parts of merged ``spans`` outside merged ``holes`` (both ``(start, stop)``, in
    time order)."""
    out: list[tuple[float, float]] = []
    for start, stop in spans:
        for lo, hi in holes:
            if hi <= start or lo >= stop:
                continue
            if lo > start:
                out.append((start, lo))
            start = max(start, hi)
            if start >= stop:
                break
        if start < stop:
            out.append((start, stop))
    return out


_BNAME = re.compile(
    r"^\s*#\s*bname\s*=\s*(\S+)\s*$", re.IGNORECASE
)  # "# bname = aaaaaajy_s001_t000"


def recording_named(path: str | os.PathLike) -> str | None:
    """The recording a TUH EEG label file (``.csv``, ``.csv_bi``, ``.tse``, ``.tse_bi``) names
    in its ``# bname = ...`` header line (the recording's file name without its suffix),
    None for another file or one without that line."""
    if not str(path).lower().endswith((".csv", ".csv_bi", ".tse", ".tse_bi")):
        return None
    size = 1 << 12  # a TUH header is a few hundred bytes; a label file may be megabytes
    while True:  # only the header is read (a longer head where it is longer)
        try:
            text, whole = table_head(path, size, legacy="latin-1")
        except (OSError, ValueError):
            return None
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                return None  # the header is over
            found = _BNAME.match(line)
            if found:
                return found.group(1)
        if whole:
            return None
        size *= 8


def check_named(extra: Any, source: Any) -> None:
    """Warn when ``extra``, an annotations file joined to the recording ``source`` (its path
    or name: ``annotations=``, ``--annotations``, a manifest's ``annotations_file``,
    :meth:`eegpt.outputs.Embeddings.window_labels`), is a TUH label file whose ``# bname``
    line (:func:`recording_named`) names another recording than ``source``'s file stem, and
    whose own stem is not the recording's either: another patient's labels, unless the
    recording is a renamed (de-identified, BIDS-converted) copy. Nothing for
    ``mne.Annotations``, other files, or without a source or with an in-memory one
    (``"<Raw>"``, ``"<Epochs>"``, ``"<array>"``: no file name to compare). A Sleep-EDF
    hypnogram of another night than its Sleep-EDF recording is warned of too
    (:func:`check_sleep_edf_named`)."""
    if not isinstance(extra, (str, os.PathLike)) or not source or str(source).startswith("<"):
        return
    check_sleep_edf_named(extra, source)
    named = recording_named(extra)
    stem = Path(str(source)).stem
    if named is None or _same_recording(named, stem) or _same_recording(Path(extra).stem, stem):
        return
    _warn(
        f"{extra} names the recording {named!r} (its '# bname' line), but it is joined to "
        f"{source}: taken as its labels (a renamed copy of {named}?); if it is another "
        "recording's, give this recording's own annotations file"
    )


_SLEEP_EDF = re.compile(r"^(S[CT]\d{4})[A-Z0-9]{2}-(PSG|Hypnogram)$", re.IGNORECASE)
# "SC4001E0-PSG", "SC4001EC-Hypnogram", "ST7011J0-PSG": study, subject and night, then 2 more


def sleep_edf_night(path: Any, kind: str) -> str | None:
    """The subject and night (``"SC4001"``, the name's first 6 characters, upper case) that
    ``path``'s file name gives when it follows Sleep-EDF's naming of ``kind`` (``"PSG"``:
    ``SC4001E0-PSG.edf``; ``"Hypnogram"``: ``SC4001EC-Hypnogram.edf``; ``ST`` for the
    telemetry study), None for any other name (nothing is guessed of those)."""
    if not isinstance(path, (str, os.PathLike)):
        return None
    found = _SLEEP_EDF.match(Path(str(path)).stem)
    if found is None or found.group(2).lower() != kind.lower():
        return None
    return found.group(1).upper()


def sleep_edf_mismatch(extra: Any, source: Any) -> str | None:
    """The night (:func:`sleep_edf_night`) of ``extra``, a Sleep-EDF hypnogram file joined to
    the recording ``source``, where ``source`` is named as a Sleep-EDF recording of another
    night (``SC4021EH-Hypnogram.edf`` for ``SC4001E0-PSG.edf``); None where they agree or
    either name is not Sleep-EDF's."""
    night, own = sleep_edf_night(extra, "Hypnogram"), sleep_edf_night(source, "PSG")
    return night if night is not None and own is not None and night != own else None


def check_sleep_edf_named(extra: Any, source: Any) -> None:
    """Warn when ``extra``, an annotations file joined to the recording ``source``, is a
    Sleep-EDF hypnogram (``SC4021EH-Hypnogram.edf``) of another night than the Sleep-EDF
    recording ``source`` (``SC4001E0-PSG.edf``): :func:`sleep_edf_mismatch`. Both may share a
    start date-time, so nothing else tells that its stages are another night's."""
    night = sleep_edf_mismatch(extra, source)
    if night is None:
        return
    own = sleep_edf_night(source, "PSG")
    _warn(
        f"{extra} is the Sleep-EDF hypnogram of {night} (its name: subject and night), but it "
        f"is joined to {source}, the recording of {own}: its stages are taken as {own}'s "
        f"although they are another night's; give {source} its own hypnogram "
        f"({own}??-Hypnogram.edf)"
    )


def _from_spans(spans: Mapping[tuple[float, float, str], None]) -> mne.Annotations:
    """Annotations of ``(onset_s, duration_s, description)`` spans, in time order."""
    if not spans:
        return mne.Annotations([], [], [])
    onsets, durations, texts = zip(*sorted(spans), strict=True)
    return mne.Annotations(list(onsets), list(durations), list(texts))


_TSE_VERSION = re.compile(r"^\s*version\s*=\s*tse_v", re.IGNORECASE)  # version = tse_v1.0.0


def _tse_annotations(lines: Sequence[str]) -> mne.Annotations:
    """Annotations of the lines of a TUH ``.tse`` file, each ``start stop label [confidence]``
    (seconds from the recording's start); other lines (the ``version = tse_v1.0.0`` line)
    are left out, as rows without times are in the ``.csv_bi`` reader."""
    spans: dict[tuple[float, float, str], None] = {}
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        try:
            start, stop = float(fields[0]), float(fields[1])
        except ValueError:
            continue
        if np.isfinite(start) and np.isfinite(stop):
            spans[(start, stop - start, fields[2])] = None
    return _from_spans(spans)


def same_file(a: Any, b: Any) -> bool:
    """Whether paths ``a`` and ``b`` name one existing file."""
    try:
        return isinstance(a, (str, os.PathLike)) and b is not None and os.path.samefile(a, b)
    except (OSError, TypeError, ValueError):
        return False
