"""Pauses between the files of a Raw joined with ``mne.concatenate_raws``.

``mne.concatenate_raws`` lays the files of a Raw back to back: the samples of each file follow
those of the file before, whatever its header says of when it started. For files recorded one
after another (hourly files of an ambulatory recording) with a pause between two of them, the
clock times of everything after the pause (window onsets, ``emb.clock_times()``, annotations)
then run early by the pause, silently. :func:`warn_joined_pauses` compares each EDF/BDF file's
header start (a FIF file's measurement date) with where the file before it ends and warns of
any pause (or overlap).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import mne

from eegpt._dates import is_anonymized_start
from eegpt._logging import ignored_warnings
from eegpt._logging import warn as _warn
from eegpt.edf_files import check_edf_header, edf_start_time, first_record_offset

#: Seconds by which a file's header start may differ from the end of the file before it
#: without a warning: EDF/BDF headers give start times to the second (EDF+ adds sub-second
#: starts), so a smaller difference can be the header's rounding rather than a pause.
JOIN_TOLERANCE_S = 1.0


def _fif_start(path: Path) -> tuple[datetime.datetime, bool, float] | None:
    """A FIF file's measurement date (the moment of sample 0 of the numbering its
    ``first_samp`` counts in, as ``raw._first_samps`` does), True (continuous), and the
    seconds from that moment to its first sample; None without a date or a header MNE
    reads."""
    try:
        with ignored_warnings():  # MNE's of a split part's name (raw-1.fif): not the user's
            raw = mne.io.read_raw_fif(path, preload=False, verbose=False)
    except Exception:  # noqa: BLE001 - a header MNE read but not alone: nothing to say
        return None
    meas_date = raw.info["meas_date"]
    return None if meas_date is None else (meas_date, True, raw.first_samp / raw.info["sfreq"])


def _file_start(path: Path) -> tuple[datetime.datetime, bool, float] | None:
    """The moment an EDF/BDF file's first sample was recorded (its header start time plus an
    EDF+ file's sub-second start), whether the file is continuous (not EDF+D/BDF+D, whose
    samples leave out its gaps) and 0.0; for a FIF file :func:`_fif_start` (its samples count
    from its measurement date: the seconds to its first sample third). None for another
    format or a header that cannot be read."""
    if path.name.lower().endswith((".fif", ".fif.gz")) and path.is_file():
        return _fif_start(path)
    if path.suffix.lower() not in (".edf", ".bdf") or not path.is_file():
        return None
    start = edf_start_time(path)
    if start is None:
        return None
    try:
        header = check_edf_header(path)
    except Exception:  # noqa: BLE001 - a header MNE read but eegpt would not: nothing to say
        return None
    offset = first_record_offset(path, header) if header.variant else 0.0
    return start + datetime.timedelta(seconds=offset), not header.discontinuous, 0.0


def joined_pauses(raw: mne.io.BaseRaw) -> list[tuple[str, str, float, bool, bool]]:
    """The pauses between the files of a Raw made of several EDF/BDF or FIF files
    (``mne.concatenate_raws``), which the Raw's samples leave out.

    For each file after the first, its first sample's moment in the Raw (header start time plus
    the samples cropped off its start, ``raw._first_samps``) is compared with the moment the
    file before it ends (its start plus its samples in the Raw, ``raw._last_samps``, at
    ``raw.info["sfreq"]``). Pairs where either file is not EDF/BDF/FIF, has no readable start, is
    discontinuous (EDF+D/BDF+D: its samples do not span its clock), has its date anonymized
    (:func:`eegpt._dates.is_anonymized_start`: two anonymized files' starts say nothing of
    when they were recorded) are not compared. Two files with the same real start are (the
    same file joined twice, e.g. a path repeated in a list or glob): they overlap.

    Returns
    -------
    pauses : list of (str, str, float, bool, bool)
        ``(earlier file, later file, seconds, cropped, same)`` for each pair whose difference
        exceeds :data:`JOIN_TOLERANCE_S`, or whose header starts are the same moment: seconds
        > 0 for a pause, < 0 for files that overlap; ``cropped``: whether the later file's
        samples in the Raw begin after its start (it was cropped at its start), so that the
        pause is where its part of the Raw continues; ``same``: whether both files' headers
        give the same start (the same file twice?).
    """
    names = [None if n is None else Path(str(n)) for n in (getattr(raw, "filenames", None) or ())]
    firsts, lasts = list(raw._first_samps), list(raw._last_samps)
    if len(names) < 2 or len(names) != len(firsts):
        return []
    sfreq = float(raw.info["sfreq"])
    starts = [None if n is None else _file_start(n) for n in names]
    pauses: list[tuple[str, str, float, bool, bool]] = []
    for k in range(1, len(names)):
        before, after = starts[k - 1], starts[k]
        if before is None or after is None or not (before[1] and after[1]):
            continue
        if is_anonymized_start(before[0]) or is_anonymized_start(after[0]):
            continue  # starts that say nothing of when the files were recorded
        # a real first sample twice: the same file joined twice? (FIF pieces of one
        # recording share a date, but not a first sample)
        same = before[0] + datetime.timedelta(seconds=before[2]) == after[0] + datetime.timedelta(
            seconds=after[2]
        )
        end = before[0] + datetime.timedelta(seconds=(lasts[k - 1] + 1) / sfreq)
        begin = after[0] + datetime.timedelta(seconds=firsts[k] / sfreq)
        pause = (begin - end).total_seconds()
        # cropped at its start: samples of the file before its first in the Raw (a FIF
        # file's own first sample counts from its measurement date, after[2])
        cropped = firsts[k] / sfreq - after[2] > 0.5 / sfreq
        if abs(pause) > JOIN_TOLERANCE_S or same:
            pauses.append((str(names[k - 1]), str(names[k]), pause, cropped, same))
    return pauses


def cut_pauses(raw: mne.io.BaseRaw) -> list[tuple[float, float]]:
    """The pauses between pieces of one recording that ``mne.concatenate_raws`` joined back to
    back: crops of the same file (``raw.filenames`` alike) or of Raws in memory (no file),
    where a piece's first sample (``raw._first_samps``, in the recording's own numbering,
    crops included) is not the one after the last sample of the piece before
    (``raw._last_samps``). Pieces of different files are left to :func:`joined_pauses`, and
    pieces that overlap (separate Raws in memory, each from sample 0) are not pauses.

    Returns
    -------
    pauses : list of (float, float)
        ``(join_s, pause_s)`` for each such join: where the later piece starts in the joined
        Raw (s from its first sample) and the seconds cut out before it."""
    firsts, lasts = list(raw._first_samps), list(raw._last_samps)
    names = list(getattr(raw, "filenames", None) or ())
    if len(names) != len(firsts):
        names = [None] * len(firsts)
    sfreq = float(raw.info["sfreq"])
    pauses: list[tuple[float, float]] = []
    join = 0
    for k in range(1, len(firsts)):
        join += int(lasts[k - 1]) - int(firsts[k - 1]) + 1
        if names[k] != names[k - 1]:
            continue
        skipped = int(firsts[k]) - int(lasts[k - 1]) - 1
        if skipped > 0:
            pauses.append((join / sfreq, skipped / sfreq))
    return pauses


def warn_cut_pauses(raw: mne.io.BaseRaw) -> None:
    """Warn once when ``mne.concatenate_raws`` joined pieces of one recording with a pause
    between them (:func:`cut_pauses`): the clock times after the join run early by it."""
    pauses = cut_pauses(raw)
    if not pauses:
        return
    join, pause = pauses[0]
    more = f" (and {len(pauses) - 1} more join(s) alike)" if len(pauses) > 1 else ""
    _warn(
        f"this Raw joins pieces of one recording with a pause between them (mne."
        f"concatenate_raws of crops): {pause:.3f} s of it were left out before the piece that "
        f"starts at {join:.3f} s of the Raw{more}, where MNE marks the join with a 'BAD "
        "boundary' annotation. MNE lays the pieces back to back, so onsets count the joined "
        "samples, and clock times after the join (clock_s, clock_time, emb.clock_times()) run "
        f"{pause:.3f} s early on the recording's clock; eegpt does not mend them. For clock "
        "times that are right, embed each piece on its own (model.embed(piece): a cropped "
        "Raw keeps its place on the clock), or the whole recording with the stretch left out "
        "annotated bad ('BAD_...', reject_by_annotation=True)."
    )


def warn_joined_pauses(raw: mne.io.BaseRaw) -> None:
    """Warn once when the files of a Raw joined with ``mne.concatenate_raws`` did not follow
    each other without a pause (:func:`joined_pauses`): MNE joins them back to back, so window
    onsets and clock times after the pause run early by it; and when pieces of one recording
    were joined with a pause between them (:func:`warn_cut_pauses`)."""
    warn_cut_pauses(raw)
    pauses = joined_pauses(raw)
    if not pauses:
        return
    earlier, later, pause, cropped, same = pauses[0]
    starts = "continues" if cropped else "starts"  # cropped at its start: its part of the Raw
    said = (
        f"{Path(later).name} starts at the same moment as {Path(earlier).name} (the same file "
        f"twice? a path repeated in a list or glob), {-pause:.1f} s before it ends"
        if same
        else f"{Path(later).name} {starts} {pause:.1f} s after {Path(earlier).name} ends"
        if pause > 0
        else f"{Path(later).name} {starts} {-pause:.1f} s before {Path(earlier).name} ends"
    )
    more = f" (and {len(pauses) - 1} more join(s) of this Raw alike)" if len(pauses) > 1 else ""
    late = "early" if pause > 0 else "late"
    _warn(
        f"{said}{more}: mne.concatenate_raws joins the files back to back, so "
        f"clock times (emb.clock_times()) and annotations after the join run {abs(pause):.1f} s "
        f"{late} on the recording's clock. Embed the files one by one instead (model.embed(path) "
        "for each, or `eegpt embed` with all of them): each file's clock times are then right"
        f"{'; join each file once' if same else ''}."
    )
