"""Opening a recording file with MNE-Python, with eegpt's checks around MNE's reader.

:func:`read_recording` (and :func:`open_recording`, which gives an EDF/BDF file's header too)
checks a file before MNE parses it (EDF/BDF and BrainVision headers: :mod:`eegpt.edf_files`,
:mod:`eegpt.brainvision_files`; files that are no recording: :mod:`eegpt.unreadable_files`),
reads it lazily (a file of a BIDS dataset through MNE-BIDS), mends what MNE's reader falls
short in (annotations in Latin-1, marker files in another codepage, signals without a physical
range, the records of a discontinuous file) and loads it only if it fits in memory
(:mod:`eegpt.memory_checks`). :func:`mne_call` runs any MNE read, a failure made a
:class:`~eegpt.errors.RecordingError` naming the file.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import mne

from eegpt._eeglab import eeglab_read_path, plain_numeric_types
from eegpt._logging import (
    Verbose,
    caught_warnings,
    check_verbose,
    few,
    mne_state_held,
    mne_verbose,
    pass_on_warnings,
    reader_text,
)
from eegpt._logging import warn as _warn
from eegpt.brainvision_files import (
    _brainvision_marker_file,
    _brainvision_text_as_latin1,
    _check_brainvision_header,
    _known_codepage,
    _marker_codepage,
    _undecodable,
    _warn_brainvision_pauses,
    _warn_brainvision_truncated,
    convert_brainvision_units,
)
from eegpt.edf_files import (
    EDFHeader,
    _mark_unscalable,
    _refuse_misnamed_edf,
    check_edf_header,
    check_record_steps,
    convert_unknown_volts,
    first_record_offset,
    mark_record_gaps,
)
from eegpt.errors import RecordingError, RecordingTooLargeError
from eegpt.formats import PathLike, file_not_found
from eegpt.gdf_files import convert_gdf_units, mne_gdf_unit_warning
from eegpt.memory_checks import check_memory
from eegpt.unreadable_files import read_failure_reason, refuse_cut_fif, refuse_unreadable_input


def read_recording(
    path: PathLike, *, preload: bool = True, verbose: Verbose = None
) -> mne.io.BaseRaw:
    """Open an EEG file with MNE-Python (``mne.io.read_raw``, dispatching on the extension).

    EDF and BDF headers are validated first (:func:`check_edf_header`). With ``preload=True`` the
    size of the data is compared with the memory available before anything is loaded.

    Parameters
    ----------
    path : str | path-like
        An ``.edf``, ``.bdf``, ``.fif``, ``.vhdr``, ``.set``, ... file (or folder for the formats
        stored as folders).
    preload : bool
        Load the data into memory. With ``False`` only the header is read; ``raw.get_data(start=,
        stop=)`` then reads parts of the file (see :mod:`eegpt.streaming`).
    verbose : bool | str | int | None
        Passed to MNE.

    Returns
    -------
    raw : mne.io.BaseRaw
        The recording; ``raw.get_data()`` is in volts.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    RecordingError
        (a ``ValueError``) If the file cannot be read: a corrupt or truncated header, no complete
        data record, an unsupported extension, data too large for the available memory, or any
        error MNE raises while reading (chained as ``__cause__``). The message names the file
        and the reason.

    Warns
    -----
    RuntimeWarning
        For a truncated EDF/BDF body (only the complete data records are read) and for EDF/BDF
        files whose channels have different sampling rates (MNE upsamples the slower ones).
    """
    check_verbose(verbose)  # a wrong type: a TypeError, before the file is opened
    raw, _ = open_recording(Path(path).expanduser(), preload=preload, verbose=verbose)
    return raw


def open_recording(
    path: Path,
    *,
    preload: bool,
    verbose: Verbose,
    exclude: Sequence[str] = (),
) -> tuple[mne.io.BaseRaw, EDFHeader | None]:
    """:func:`read_recording`, also returning the EDF/BDF header when there is one;
    ``exclude`` names channels of an EDF/BDF file (outside a BIDS dataset) not to read."""
    if not path.exists():
        raise file_not_found(path)
    refuse_unreadable_input(path)
    _check_brainvision_header(path)
    header = None
    if path.is_file() and path.suffix.lower() in (".edf", ".bdf"):
        header = check_edf_header(path)
    elif path.is_file():
        _refuse_misnamed_edf(path)
        refuse_cut_fif(path)
    said = [_MNE_NAMING]  # what MNE will say that eegpt says (or mends) itself, or need not
    if header is not None and header.n_records != header.n_complete_records:
        said.append(_MNE_RECORD_COUNT)
    if header is not None and header.variant and not header.discontinuous:
        check_record_steps(path, header)  # a +D file's, with its gaps (mark_record_gaps)
    if header is not None and header.discontinuous:
        said.append(_MNE_CROPPED_ANNOTATIONS)
    if header is not None and header.unscalable:
        said.append(_MNE_NO_PHYSICAL_RANGE)
    gdf = path.is_file() and path.suffix.lower() == ".gdf"
    gdf_said = mne_gdf_unit_warning(path) if gdf else None  # GDF 2's nV: converted below
    if gdf_said is not None:
        said.append(gdf_said)
    skip = re.compile("|".join(p.pattern for p in said)) if said else None
    with _quiet_annotation_cropping(header is not None and header.discontinuous):
        try:
            raw = mne_call(path, lambda: _read_lazily(path, verbose, exclude), skip)
        except RecordingError as err:
            if header is None and path.suffix.lower() == ".vhdr" and _undecodable(err):
                raw = _read_brainvision_codepage(path, verbose, exclude, skip)
            elif header is None or "encoding='latin1'" not in str(err):
                raise
            else:  # annotations not UTF-8, as EDF+ asks: older software wrote Latin-1
                raw = mne_call(path, lambda: _read_lazily(path, verbose, exclude, "latin1"), skip)
                _warn(
                    f"{path}: the annotations are not UTF-8 text as EDF+ requires; read them as "
                    "Latin-1 (ISO 8859-1), which old recording software wrote. Check that their "
                    f"texts read right: {few(sorted(set(raw.annotations.description)), 6)}"
                )
    if header is not None and header.variant:  # EDF+/BDF+: records carry their times
        header = replace(header, start_offset=first_record_offset(path, header))
    if header is not None and header.variant:  # +D, or +C whose time stamps show gaps
        header = replace(header, clock=mark_record_gaps(raw, path, header))
    if header is not None and header.unscalable:
        _mark_unscalable(raw, path, header)
    if header is not None:  # nV, which MNE reads as volts
        convert_unknown_volts(raw, path, header, verbose)
    if gdf:  # GDF 1's mV, µV, nV; GDF 2's nV: MNE reads them at another scale
        convert_gdf_units(raw, path, verbose)
    if header is None:  # μV with a Greek mu, uv, mv: MNE reads them as volts, typed misc
        convert_brainvision_units(raw, path, verbose)
        _warn_brainvision_truncated(path, raw)
        _warn_brainvision_pauses(path, raw)  # a paused recording's clock (brainvision_clock)
    if path.suffix.lower() == ".set":
        plain_numeric_types(raw, path)  # '1', not MNE's '1.0', as epochs of a .set are named
    if preload and not raw.preload:
        check_memory(raw, path)
        mne_call(path, lambda: raw.load_data(verbose=mne_verbose(verbose)))
    return raw, header


# MNE's notice that a FIF file's name does not end in raw.fif (and the like): about the name,
# which eegpt does not need, not the data; left out so as not to count as a warning about it
_MNE_NAMING = re.compile(r".*does not conform to MNE naming conventions")


# MNE's words for an EDF/BDF file whose records the header miscounts (check_edf_header has
# said so, with the numbers)
_MNE_RECORD_COUNT = re.compile(r"Number of records from the header does not match")


# ... and for the annotations of a discontinuous file, which mark_record_gaps places itself
_MNE_CROPPED_ANNOTATIONS = re.compile(r"(Omitted|Limited) \d+ annotation\(s\)")


# ... and for signals with equal physical (or digital) minimum and maximum, which
# _mark_unscalable names
_MNE_NO_PHYSICAL_RANGE = re.compile(
    r"Physical range is not defined|Scaling factor will not be defined"
)


class _DropMatching(logging.Filter):
    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__()
        self.pattern = pattern

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.pattern.search(record.getMessage())


@contextlib.contextmanager
def _quiet_annotation_cropping(active: bool) -> Iterator[None]:
    """Leave out MNE's log lines about annotations it dropped or cut at the samples' end, for
    a discontinuous file: :func:`mark_record_gaps` places them all where they belong."""
    if not active:
        yield
        return
    drop = _DropMatching(_MNE_CROPPED_ANNOTATIONS)
    logger = logging.getLogger("mne")
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


def _read_lazily(
    path: Path,
    verbose: Verbose,
    exclude: Sequence[str] = (),
    encoding: str | None = None,
) -> mne.io.BaseRaw:
    """``mne.io.read_raw`` without loading the samples, where the format's reader can; an EEG
    file of a BIDS dataset through MNE-BIDS, with its sidecars (:mod:`eegpt.bids`).
    ``exclude``: channels not to read (EDF/BDF readers; not with MNE-BIDS); ``encoding``: of
    an EDF/BDF file's annotations (MNE's default, UTF-8, when None; through MNE-BIDS too,
    so that a BIDS file's sidecars apply to one in Latin-1)."""
    from eegpt.bids import bids_root, read_raw_bids, warn_untyped_ieeg

    root = None if exclude else bids_root(path)
    if root is not None:
        raw = read_raw_bids(path, root, verbose=mne_verbose(verbose), encoding=encoding)
        if raw is not None:
            return raw  # an _ieeg file without its *_channels.tsv: read_raw_bids warns
    warn_untyped_ieeg(path)  # an _ieeg file read alone, without channel types
    if exclude or encoding:
        extra = {"encoding": encoding} if encoding else {}
        return mne.io.read_raw(
            path, preload=False, exclude=list(exclude), verbose=mne_verbose(verbose), **extra
        )
    if path.suffix.lower() == ".set":  # a linked .set whose .fdt lies beside its target
        path = eeglab_read_path(path)
    try:
        return mne.io.read_raw(path, preload=False, verbose=mne_verbose(verbose))
    except NotImplementedError:  # readers that always load everything (e.g. BCI2000 .dat)
        return mne.io.read_raw(path, preload=True, verbose=mne_verbose(verbose))


def mne_call(
    path: Path,
    call: Callable[[], Any],
    skip: re.Pattern[str] | None = None,
    *,
    sets_level: bool = True,
) -> Any:
    """Run an MNE read, turning any failure into a :class:`RecordingError` naming ``path``,
    and its warnings into warnings naming it (but those ``skip`` matches: said already).
    ``sets_level``: the call gives MNE ``verbose=``, which sets its log level for the whole
    process, so it runs under :func:`mne_state_held` (one thread at a time); reads without it
    (a stream's blocks) run side by side."""
    caught: list[warnings.WarningMessage] = []
    held = mne_state_held() if sets_level else contextlib.nullcontext()
    try:
        with caught_warnings() as caught, held:
            return call()
    except (RecordingError, KeyboardInterrupt):
        raise
    except MemoryError as err:
        detail = f": {reader_text(err)}" if str(err).strip() else ""
        raise RecordingTooLargeError(
            f"could not read EEG file {path}: MNE ran out of memory reading it (MemoryError"
            f"{detail}). Check the file's header: one that claims far more channels or "
            "samples than the file holds (a corrupt header) makes the reader ask for that much "
            "memory; if the recording is that large, crop it or read fewer channels (picks)"
        ) from err
    except Exception as err:  # MNE raises anything: ValueError, KeyError, struct.error, ...
        reason = read_failure_reason(path, err)
        raise RecordingError(f"could not read EEG file {path}: {reason}") from err
    finally:
        pass_on_warnings(caught, path, skip)


def _read_brainvision_codepage(
    path: Path,
    verbose: Verbose,
    exclude: Sequence[str],
    skip: re.Pattern[str] | None,
) -> mne.io.BaseRaw:
    """Read the BrainVision recording ``path`` (its ``.vhdr``) whose marker file MNE could not
    open as UTF-8 text: one in the Windows codepage (``Codepage=ANSI``), or not in the one it
    names. Its samples and header are read as ever (from the original files); its markers as
    MNE decodes them, by their ``Codepage``, Latin-1 where the bytes do not fit it (said in a
    warning). Raises a :class:`RecordingError` naming the file that still cannot be read: the
    marker file, or the header (one in a codepage Python does not know)."""
    marker = _brainvision_marker_file(path)
    try:
        with _brainvision_text_as_latin1():
            raw = mne_call(path, lambda: _read_lazily(path, verbose, exclude), skip)
    except RecordingError as err:
        if not _undecodable(err):
            raise
        # MNE reads the header first, decoding it by its Codepage (a LookupError where Python
        # knows none such), then the marker file: the header failed if its codepage did
        header = marker is None or not _known_codepage(_marker_codepage(path))
        what, which = (
            ("its header", "header") if header else (f"its marker file {marker}", "marker file")
        )
        raise RecordingError(
            f"could not read EEG file {path}: {what} is not text in an encoding it can be "
            f"read in ({err.__cause__ or err}); save the {which} as UTF-8 with the line "
            "Codepage=UTF-8 (BrainVision Analyzer's export, or a text editor, does so)"
        ) from err
    if marker is not None:
        codepage = _marker_codepage(marker)
        try:
            marker.read_bytes().decode(codepage)
        except (UnicodeDecodeError, LookupError):
            texts = few(sorted(set(raw.annotations.description)), 6)
            said = (
                "as its Codepage line says"
                if b"Codepage=" in marker.read_bytes()
                else "(it has no Codepage line, which means UTF-8)"
            )
            _warn(
                f"{path}: its marker file {marker} is not {codepage} text {said}; its markers "
                f"were read as Latin-1 (ISO 8859-1). Check that their texts read right: "
                f"{texts}; save the marker file as UTF-8 to be sure."
            )
    return raw
