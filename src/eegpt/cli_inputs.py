"""The recordings a command is given: folders listed, missing ones named, a split recording's
continuation parts and a recording's companion files (a BrainVision ``.eeg``) left out, and
epochs files warned about where an option applies to continuous recordings only.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from eegpt._logging import count as _count
from eegpt._logging import (
    few,
)
from eegpt.errors import EEGPTWarning, MissingFileError


def _epochs_among(paths: Sequence[Path]) -> list[str]:
    """Those of the recordings ``paths`` that hold epochs
    (:func:`eegpt.continuous_windows.is_continuous_input`: ``-epo.fif``, a ``.set`` of several
    trials, an ``.npz`` of epochs arrays), as text."""
    from eegpt.continuous_windows import is_continuous_input

    return [str(p) for p in paths if not is_continuous_input(Path(p))]


def warn_marker_spans_of_epochs(args: argparse.Namespace, paths: Sequence[Path]) -> None:
    """With ``--marker-spans`` given (``args.marker_spans``), say once which of the recordings
    ``paths`` hold epochs (:func:`eegpt.continuous_windows.is_continuous_input`: ``-epo.fif``,
    a ``.set`` of several trials, an ``.npz`` of epochs arrays): they are left as they are,
    having no state spans to make (the option applies to continuous recordings)."""
    if not getattr(args, "marker_spans", None):
        return
    epochs = _epochs_among(paths)
    if epochs:
        warnings.warn(
            f"--marker-spans makes the state markers of continuous recordings spans; "
            f"{few(epochs, 3)} {'holds' if len(epochs) == 1 else 'hold'} epochs, left as "
            "they are (epochs have no state spans to make: each keeps the annotations MNE "
            "gives it)",
            EEGPTWarning,
            stacklevel=1,
        )


def warn_stim_events_of_epochs(args: argparse.Namespace, paths: Sequence[Path]) -> None:
    """With ``--events-from-stim`` given, say once which of the recordings ``paths`` hold
    epochs (as :func:`warn_marker_spans_of_epochs` tells them): they are left as they are,
    their windows being their epochs, cut around their events already."""
    if getattr(args, "events_from_stim", None) is None:
        return
    epochs = _epochs_among(paths)
    if epochs:
        warnings.warn(
            f"--events-from-stim makes the events of continuous recordings' stim channels "
            f"annotations; {few(epochs, 3)} {'holds' if len(epochs) == 1 else 'hold'} epochs, "
            "left as they are (each keeps the annotations MNE gives it; its event is its "
            "label)",
            EEGPTWarning,
            stacklevel=1,
        )


def refuse_unreadable_inputs(paths: Sequence[Path]) -> None:
    """Refuse, before the model loads, inputs that are no recording of their own (a folder, a
    lone ``.eeg``; :func:`eegpt.io.refuse_unreadable_input`) where every input is one: a run
    with a recording beside them embeds it, each of them failing on its own (exit 3)."""
    from eegpt.errors import RecordingError
    from eegpt.io import refuse_unreadable_input

    refused: list[RecordingError] = []
    for path in paths:
        try:
            refuse_unreadable_input(path)
        except RecordingError as err:
            refused.append(err)
    if refused and len(refused) == len(paths):
        raise refused[0]


def folders_expanded(paths: list[Path]) -> list[Path]:
    """``paths`` with each folder (not a recording folder such as EGI .mff) replaced by the
    recordings in it, as embed-dataset lists them."""
    from eegpt.dataset_inputs import recordings_under
    from eegpt.formats import is_recording_folder

    out: list[Path] = []
    for path in paths:
        if path.is_dir() and not is_recording_folder(path):
            out += recordings_under(path)
        else:
            out.append(path)
    return out


def check_recordings_given(paths: list[Path]) -> None:
    """Before any work: a path with spaces the shell split into several (``My EEG/patient
    1.edf`` unquoted) is an error saying to quote it; so is a single recording that does not
    exist (:func:`missing_path_error`)."""
    missing = [p for p in paths if not p.exists()]
    if not missing:
        return
    words = [str(p) for p in paths]
    for start in range(len(words)):
        for end in range(start + 2, len(words) + 1):
            joined = " ".join(words[start:end])
            if Path(joined).exists():
                raise MissingFileError(
                    f"{_count(end - start, 'argument')} ({', '.join(words[start:end])}) "
                    f"together name the file {joined}: put a path with spaces in quotes: "
                    f"{shlex.quote(joined)}"
                )
    if len(paths) == 1:
        raise missing_path_error(paths[0])


def missing_path_error(path: Path) -> MissingFileError:
    """``EEG file not found`` for ``path``, with what may help: that it looks like a Windows
    path (on another system), the working folder a relative path was looked for in, and the
    names in its folder that come close."""
    if os.path.islink(path):  # a broken link: where it points (not its own name as "close")
        from eegpt.formats import file_not_found

        return file_not_found(path)
    text = str(path)
    hints = []
    if os.name != "nt" and re.match(r"[A-Za-z]:", text):
        hints.append(
            "it looks like a Windows path (C:\\...); on this system write the path with / "
            "as the file system here names it"
        )
    elif not path.is_absolute():
        hints.append(f"looked for in the working folder {os.getcwd()}")
    folder = path.parent
    if folder.is_dir():
        names = sorted(p.name for p in folder.iterdir())
        close = difflib.get_close_matches(path.name, names, n=3, cutoff=0.6)
        if close:
            hints.append(f"did you mean {', '.join(str(folder / name) for name in close)}?")
    return MissingFileError(f"EEG file not found: {path}" + "".join(f"; {h}" for h in hints))


def recording_paths(paths: list[Path], quiet: bool = False, *, splits: bool = True) -> list[Path]:
    """The recordings among the paths of a command line (``eegpt embed folder/*``, the probe
    commands, ``eegpt channels``), cleaned up in one step, before anything counts them
    (``--start``, ``--annotations``: one per recording): without the later parts of split FIF
    recordings whose first part is given too (:func:`_without_split_continuations`; with
    ``splits`` False they stay, for ``eegpt channels``, which shows a part alone) and without
    the files read through a header given too (:func:`_without_companion_files`: a
    BrainVision folder's ``.eeg`` and ``.vmrk``). Each left out is named on stderr unless
    ``quiet``."""
    if splits:
        paths = _without_split_continuations(paths, quiet)
    return _without_companion_files(paths, quiet)


def _without_split_continuations(paths: list[Path], quiet: bool = False) -> list[Path]:
    """``paths`` without the later parts of split FIF recordings whose first part is given
    too (MNE reads every part from the first; each is named on stderr), as a corpus run
    lists them (:func:`eegpt.dataset_inputs.listed_split_parts`); a later part given without
    its first part is refused, as there, and so is a file named as a later part whose first
    part beside it cannot be read (whether it continues that one cannot be told)."""
    from eegpt._file_identity import parts_of_unreadable_error
    from eegpt.dataset_inputs import listed_split_parts, orphan_parts_error
    from eegpt.formats import first_split_part

    later, orphans, unreadable = listed_split_parts(paths)
    if orphans:
        raise orphan_parts_error([f"{paths[r]} (give {first} instead)" for r, first in orphans])
    if unreadable:
        raise parts_of_unreadable_error([(paths[r], f, e, m, d) for r, f, e, m, d in unreadable])
    for r in later if not quiet else ():
        print(f"eegpt: {paths[r]} continues {first_split_part(paths[r])} (a split FIF recording, "
              "read whole from its first part): not read on its own", file=sys.stderr)  # fmt: skip
    skipped = set(later)
    return [p for r, p in enumerate(paths) if r not in skipped]


def _without_companion_files(paths: list[Path], quiet: bool = False) -> list[Path]:
    """``paths`` without the files read through another one given (a BrainVision ``.vhdr``'s
    ``.eeg`` and ``.vmrk``, an EEGLAB ``.set``'s ``.fdt``: :func:`eegpt.io.companion_files`),
    as ``eegpt embed folder/*`` gives them: each header's left out named on one line of
    stderr (unless ``quiet``). One given without its header stays, to be refused naming the
    header."""
    from eegpt._file_identity import file_identity
    from eegpt.io import companion_files

    given = {file_identity(p): p for p in paths}
    left: dict[Path, list[Path]] = {}  # header -> its companion files given
    for header in paths:
        for companion in companion_files(header):
            found = given.get(file_identity(companion))
            if found is not None and found not in left.get(header, []):
                left.setdefault(header, []).append(found)
    for header, companions in left.items() if not quiet else ():
        its = "its" if len(companions) == 1 else "their"
        print(f"eegpt: {' and '.join(map(str, companions))}: read through {its} header "
              f"{header}, given too: not read on {its} own", file=sys.stderr)  # fmt: skip
    dropped = {p for companions in left.values() for p in companions}
    return [p for p in paths if p not in dropped]
