"""What was done to a recording before eegpt read it, as its embeddings record it.

:func:`recording_provenance` is the one record of it, for ``eegpt embed``'s metadata
(:func:`eegpt.api.provenance`) and for a corpus run's file statuses (the shard footers, which
``load_embeddings(folder, recording_id=...)`` and ``eegpt info`` read). No heavy imports: the
readers of a run folder use :data:`RECORDING_PROVENANCE_KEYS` without torch or MNE.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from eegpt._logging import baseline_text, count

#: Key of how the onsets of epochs' windows count, in the metadata of outputs of epochs
#: (:func:`epoch_onsets_kind`): ``"events"`` (event time plus ``tmin``) or
#: ``"end_to_end"`` (epochs without times, numbered end to end; separate all the same)
EPOCH_ONSETS_KEY = "epoch_onsets"

#: The keys :func:`recording_provenance` may give, in its order.
RECORDING_PROVENANCE_KEYS = (
    "recording_filters",
    "projections",
    "epochs_baseline",
    "custom_ref_applied",
    "epochs_detrend",
    "truncated",
    EPOCH_ONSETS_KEY,
)


def recording_provenance(recording: Any) -> dict[str, Any]:
    """JSON-serialisable record of what MNE (or the file) says was done to ``recording``
    before eegpt: each key only where it applies.

    ``recording_filters``: the band it was filtered to (``highpass_hz``, ``lowpass_hz``, Hz);
    ``projections``: its SSP projectors (applied or not); ``epochs_baseline``: the interval
    ``[tmin, tmax]`` (s; None for the epoch's start or end) MNE baseline-corrected its epochs over, or None for MNE epochs made
    with ``baseline=None`` and for a continuous recording; ``custom_ref_applied``: True where
    it was re-referenced in MNE; ``epochs_detrend``: MNE epochs' ``detrend`` (0, 1 or None)
    where recorded; ``truncated``: what was read of a file shorter than its header says;
    ``epoch_onsets``: for epochs, how their onsets count (:func:`epoch_onsets_kind`).
    """
    record: dict[str, Any] = {}
    filters = getattr(recording, "filters", None)
    if filters:  # the band the recording was filtered to before eegpt (as MNE knows it)
        record["recording_filters"] = dict(filters)
    projections = getattr(recording, "projections", None)
    if projections:  # SSP projectors stored with the recording: applied before eegpt, or not
        record["projections"] = [dict(proj) for proj in projections]
    baseline = getattr(recording, "baseline", None)
    if baseline is not None:  # epochs MNE baseline-corrected (eegpt does not): the interval
        record["epochs_baseline"] = list(baseline)
    elif getattr(recording, "baseline_recorded", False) or not getattr(
        recording, "is_epoched", False
    ):  # MNE epochs made with baseline=None, or windows of a continuous recording: none
        record["epochs_baseline"] = None
    if getattr(recording, "custom_ref", False):  # re-referenced in MNE: the average replaced it
        record["custom_ref_applied"] = True
    if getattr(recording, "detrend_recorded", False):  # epochs made in memory: the trend
        record["epochs_detrend"] = getattr(recording, "detrend", None)  # 0, 1 or None
    truncated = getattr(recording, "truncated", None)
    if truncated:  # an EDF/BDF file shorter than its header says: what was read of it
        record["truncated"] = dict(truncated)
    if getattr(recording, "is_epoched", False):  # separate epochs: how their onsets count
        record[EPOCH_ONSETS_KEY] = epoch_onsets_kind(recording)
    return record


def epoch_onsets_kind(recording: Any) -> str:
    """How the onsets of an epoched ``recording``'s windows count
    (``metadata["epoch_onsets"]``): ``"events"`` for MNE epochs with events (each epoch's event
    time plus ``tmin``, from the acquisition start), ``"end_to_end"`` where the epochs' times
    are unknown and their onsets number them end to end (epoch ``k`` at ``k`` times the
    epoch length): arrays ``[n_epochs, C, T]``, ``mne.EpochsArray`` without events and
    epoched EEGLAB ``.set`` files (whose events MNE places end to end; they, like arrays,
    record no baseline: ``Recording.baseline_recorded``). The epochs are separate either way,
    whatever gaps their onsets leave."""
    timed = recording.onsets is not None and getattr(recording, "baseline_recorded", False)
    return "events" if timed else "end_to_end"


#: Relative tolerance of :func:`band_narrowed`'s comparison of a lowpass with the Nyquist
#: frequency: FIF files store both rates as float32 (``sfreq / 2`` read back from the file
#: may differ from the float64 half of the rate read back in its last digits).
_NYQUIST_RTOL = 1e-5


def band_narrowed(band: Mapping[str, Any], sfreq: float | None) -> bool:
    """Whether a ``recording_filters`` record (``highpass_hz``, ``lowpass_hz``, Hz) says the
    recording was filtered: a highpass above 0 Hz, or a lowpass below the Nyquist frequency of
    ``sfreq`` (Hz, the rate MNE read it at: ``sfreq_in``). MNE's defaults, 0 Hz and half the
    rate (which MNE also gives a recording it resampled or decimated, at the new rate), are no
    filter. ``sfreq`` None (not recorded): filtered unless the band is 0 Hz to unknown."""
    highpass = float(band.get("highpass_hz") or 0.0)
    lowpass = band.get("lowpass_hz")
    if highpass > 0.0:
        return True
    if lowpass is None:
        return False
    if sfreq is None or not sfreq > 0:
        return True  # the Nyquist unknown: as recorded
    nyquist = float(sfreq) / 2.0
    return float(lowpass) < nyquist * (1.0 - _NYQUIST_RTOL)


def _band_text(band: Mapping[str, Any]) -> str:
    """``"0.1-40 Hz"``: a ``recording_filters`` record as text."""
    return f"{band.get('highpass_hz', 0.0):g}-{band.get('lowpass_hz', 0.0):g} Hz"


def _tally_text(counts: Counter[str], limit: int = 4) -> str:
    """``"0.1-40 Hz: 3 recordings; 1-30 Hz: 1 recording"``: the most common first, at most
    ``limit`` of them and how many more."""
    shown = [f"{key}: {count(n, 'recording')}" for key, n in counts.most_common(limit)]
    more = len(counts) - limit
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def provenance_lines(statuses: Sequence[Mapping[str, Any]]) -> list[str]:
    """``eegpt info`` lines summarising what was done to a run's recordings before eegpt
    read them, from their file statuses (the shard footers' records of the files embedded):
    the bands they were filtered to (:func:`band_narrowed`: MNE's default band of an unfiltered
    recording is none), how many MNE re-referenced, baseline-corrected or detrended, their SSP
    projectors and the truncated files; a line saying they were not recorded for runs from
    before eegpt recorded them (no status holds any of the keys), and, for a run resumed
    from then, how many recordings have no record (the counts are of the others)."""
    embedded = [s for s in statuses if s.get("status") == "ok"]
    if not embedded:
        return []
    ok = [s for s in embedded if any(key in s for key in RECORDING_PROVENANCE_KEYS)]
    if not ok:
        return [
            "  recordings' filters, reference and epochs baseline: not recorded (shards "
            "written before eegpt recorded them; embed into a new folder for them)"
        ]
    n = len(ok)
    lines = []
    missing = len(embedded) - n
    if missing:
        lines.append(
            f"  recordings' filters, reference and epochs baseline: {missing} of "
            f"{count(len(embedded), 'recording')} have no record (embedded by an older eegpt, "
            f"before this run was resumed); the lines below count only the "
            f"{count(n, 'recording')} with one (embed into a new folder for all of them)"
        )
    bands = Counter(
        _band_text(s["recording_filters"])
        for s in ok
        if s.get("recording_filters") and band_narrowed(s["recording_filters"], recorded_rate(s))
    )
    if bands:
        lines.append(
            "  recordings filtered before eegpt (as MNE reads them: the files' prefiltering, "
            f"or filters applied in MNE): {_tally_text(bands)}"
        )
    referenced = sum(bool(s.get("custom_ref_applied")) for s in ok)
    if referenced:
        lines.append(
            f"  re-referenced in MNE (info['custom_ref_applied']): {referenced} of "
            f"{count(n, 'recording')} (eegpt's average reference, where on, replaces it)"
        )
    baselines = Counter(baseline_text(s["epochs_baseline"]) for s in ok if s.get("epochs_baseline"))
    if baselines:
        lines.append(
            f"  epochs baseline-corrected by MNE (eegpt does not): {sum(baselines.values())} of "
            f"{count(n, 'recording')} ({_tally_text(baselines)})"
        )
    detrended = sum(s.get("epochs_detrend") is not None for s in ok)
    if detrended:
        lines.append(f"  epochs detrended by MNE (eegpt does not): {detrended} of "
                     f"{count(n, 'recording')}")  # fmt: skip
    applied = sum(any(p.get("applied") for p in s.get("projections") or []) for s in ok)
    stored = sum(any(not p.get("applied") for p in s.get("projections") or []) for s in ok)
    if applied or stored:
        lines.append(
            f"  SSP projectors: applied before eegpt in {count(applied, 'recording')}, stored "
            f"but not applied (eegpt does not apply them) in {count(stored, 'recording')}"
        )
    truncated = sum(bool(s.get("truncated")) for s in ok)
    if truncated:
        lines.append(
            f"  TRUNCATED files: {truncated} of {count(n, 'recording')} (shorter than their "
            "headers say: what was read of them was embedded)"
        )
    return lines


def recorded_rate(status: Mapping[str, Any]) -> float | None:
    """The rate (Hz) a file status says its recording was read at (``sfreq_in``), or None."""
    rate = status.get("sfreq_in")
    return float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None
