"""The error for NaN/Inf samples in a recording, with the way on for where they lie.

:func:`nonfinite_error` names the channels and how many samples, and advises by where they
are: interpolating or leaving out the channels, cropping the ends or dropping epochs, marking
gaps inside a continuous recording bad and leaving their windows out, or renaming annotations
that mention "bad" without marking bad data. :mod:`eegpt.signal_checks` raises it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eegpt._logging import few
from eegpt.annotations import rename_to_bad
from eegpt.errors import RecordingError
from eegpt.rename_tables import how_to_drop


def nonfinite_error(
    counts: np.ndarray,
    ch_names: Sequence[str],
    source: str,
    where: str = "",
    *,
    epoched: bool = False,
    in_bad: int = 0,
    all_in_bad: bool = False,
    misnamed: Sequence[str] = (),
    in_misnamed: int = 0,
    inner: tuple[float, float] | None = None,
    on_clock: bool = False,
) -> RecordingError:
    """The error for NaN/Inf samples, given the number of such samples per channel and, in
    words, where they are (``"from 60.750 s to 61.000 s after the first sample"``).

    ``inner``: ``(onset, duration)`` in seconds from the first sample of a gap of them inside
    a continuous recording (neither at its start nor at its end), which cropping cannot take
    out: the advice is then to mark the gaps bad and leave their windows out
    (:func:`_mark_bad_advice`, with this gap as the example), not to crop. ``on_clock``:
    ``inner`` is in seconds on the clock of a recording paused and resumed (EDF+D, a paused
    BrainVision recording), as annotations given with it are read; said so.

    ``all_in_bad``: they all lie inside annotations marked bad (:class:`~eegpt.annotations.
    BadSpans`), so leaving those windows out (``reject_by_annotation``) is the way on.
    ``in_bad``: how many more, not in ``counts``, lie inside such annotations.
    ``misnamed``, ``in_misnamed``: the descriptions of annotations that mention "bad" without
    marking bad data (``Comment/BAD_muscle``), and how many of ``counts`` lie inside them:
    renamed, they would be bad spans."""
    hit = [(ch_names[i], int(n)) for i, n in enumerate(counts) if n > 0]
    span = "drop those epochs (epochs.drop)" if epoched else "crop the affected time span"
    crop = "crop that time span (raw.crop in MNE, then embed the Raw)"
    if inner is not None and not epoched and source != "<array>":  # no crop takes it out
        span = crop = _mark_bad_advice(*inner, all_in_bad=all_in_bad, on_clock=on_clock)
    if source == "<array>" and not epoched:  # an array has no raw.crop: its own routes
        span = crop = (
            "mark that time span bad and leave its windows out: embed(x, ..., annotations="
            "mne.Annotations(onset=[START_S], duration=[SECONDS], description=['BAD_gap']), "
            "reject_by_annotation=True), seconds from the first sample (START_S the span's "
            "start and SECONDS its length, end exclusive, as said above); or embed the "
            "stretches before and after it apart (x[:, :i], x[:, j:]), or interpolate it"
        )
    if len(hit) == len(ch_names) > 1:  # a span missing from every channel (an export's tail)
        each = {n for _, n in hit}
        detail = f"all {len(hit)} channels" + (
            f" ({each.pop()} samples each)" if len(each) == 1 else ""
        )
        advice = span if epoched else crop
    else:
        detail = "channel(s) " + few([f"{name} ({n} samples)" for name, n in hit], 12)
        advice = (
            "interpolate those channels (e.g. mark them bad and call interpolate_bads()), "
            f"leave them out ({how_to_drop([name for name, _ in hit])})"
            + (f", or {span}" if span else "")
        )
    if all_in_bad:
        where += (", " if where else "") + "all inside annotations marked bad"
        advice = (
            "leave the windows over those annotations out (reject_by_annotation=True, "
            "--reject-by-annotation on the command line), and the samples are ignored"
            + (f"; or {advice}" if advice else "")
        )
    elif in_bad:
        where += (", " if where else "") + (
            f"besides {in_bad} inside annotations marked bad (whose windows "
            "reject_by_annotation leaves out)"
        )
    if in_misnamed:
        where, advice = _misnamed_text(
            where, advice, misnamed, "all" if in_misnamed == np.sum(counts) else str(in_misnamed)
        )
    return RecordingError(
        f"{source}: {int(np.sum(counts))} non-finite (NaN/Inf) samples in {detail}"
        f"{', ' + where if where else ''}. EEGPT needs finite data: {advice}."
    )


def _mark_bad_advice(
    onset: float, duration: float, *, all_in_bad: bool = False, on_clock: bool = False
) -> str:
    """:func:`nonfinite_error`'s advice for gaps inside a continuous recording: mark each bad
    and leave its windows out (the command line's ``--annotations`` table, Python's
    ``annotations=``), the gap at ``onset`` s for ``duration`` s as the example; crop only
    for gaps at its ends. "" where they are all inside bad annotations already
    (``all_in_bad``: leaving their windows out is said already). ``on_clock``: ``onset`` is
    on the clock of a recording paused and resumed, as a table given with it is read."""
    if all_in_bad:
        return ""
    row = f"{onset:.10g},{duration:.10g},BAD_nan"
    seconds = (
        "in seconds on the recording's clock from its first sample, the pauses counted (the "
        "gaps above are in seconds into the data, back to back)"
        if on_clock
        else "in seconds from the first sample"
    )
    return (
        "mark each gap bad and leave its windows out (cropping, raw.crop in MNE, trims only "
        "the ends: it takes out no gap inside a recording): on the command line, a CSV table "
        f"of annotations (header onset,duration,description; a row per gap, {seconds}, "
        f"such as {row} for the gap at {onset:.10g} s{' on the clock' if on_clock else ''}) "
        "with --annotations "
        "FILE --reject-by-annotation (embed-dataset: the table in the manifest's "
        "annotations_file column); in Python, annotations=mne.Annotations(onset="
        f"[{onset:.10g}], duration=[{duration:.10g}], description=['BAD_nan']) (an onset and "
        "duration per gap) with reject_by_annotation=True"
    )


def _misnamed_text(
    where: str, advice: str, misnamed: Sequence[str], how_many: str
) -> tuple[str, str]:
    """:func:`nonfinite_error`'s ``where`` and ``advice`` for NaN/Inf samples (``how_many``:
    "all" or a number of them) inside annotations that only mention "bad" (``misnamed``)."""
    shown = ", ".join(repr(d) for d in misnamed[:3]) + (", ..." if len(misnamed) > 3 else "")
    where += (", " if where else "") + (
        f"{how_many} of them inside annotations that mention 'bad' but do not start with it "
        f"({shown}), so they do not mark bad data (MNE's rule)"
    )
    rename = (
        f"rename those annotations so that they start with 'BAD' (in Python "
        f"{rename_to_bad(misnamed[:3])} before embedding the Raw; on the command line, list "
        "those spans under such names in an annotations file, --annotations FILE) and leave "
        "their windows out (reject_by_annotation=True, --reject-by-annotation)"
    )
    if how_many == "all":
        return where, f"{rename}: the samples are then ignored; or {advice}"
    return where, f"{advice}; for those inside the annotations, {rename}"
