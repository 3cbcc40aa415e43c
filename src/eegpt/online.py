"""Embeddings of a live EEG stream (a BCI, an amplifier's API, Lab Streaming Layer), window by
window as the samples arrive.

:class:`OnlineEmbedder` keeps the samples pushed into it, cuts a model window each time one is
complete (every ``window_seconds - overlap`` seconds once the first is full) and embeds the
windows it has. The channels are mapped once, when it is made, and the engine is built once.

Each window is preprocessed on its own, as one epoch of ``mne.Epochs`` is (average reference,
resampling to 256 Hz with each channel's least-squares line taken out first and put back
after, scaling, detrending): what
:meth:`OnlineEmbedder.push` returns equals embedding the same stretches of signal as epochs,
``model.embed(epochs)``, exactly. It differs from embedding the whole recording at once
(``model.embed(raw)``) when the stream is resampled (at 256 Hz the two are the same): near
each window's edges, where the recording's filter sees the neighbouring samples, and by up to
7e-4 of the distance between the window's least-squares line and the whole recording's
elsewhere (the filter's polyphase branches pass a constant with slightly different gains;
that line needs samples still to come, so no stream gives those numbers:
docs/live-streams.md).

The signal checks of :func:`eegpt.signal_checks.check_signal` (flat, clipped, mis-scaled
channels) run on the first window, where a wrong unit or a dead electrode shows at once; later
windows are checked for NaN/Inf only, so a long session does not repeat the same warning
every second.
"""

from __future__ import annotations

import copy
import math
import numbers
import pickle
import sys
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import mne
import numpy as np

from eegpt._logging import Verbose, honours_verbose
from eegpt._logging import warn as _warn
from eegpt._output_texts import STREAM_ID_KEY
from eegpt._rates import taken_rate
from eegpt.api import (
    check_embeddings,
    engine_for,
    provenance,
    run_record_key,
    weights_record_key,
)
from eegpt.array_inputs import (
    UNITS,
    Units,
    array_of,
    check_ch_names,
    check_integer_samples,
    check_sfreq,
    refuse_dataframe,
    refuse_grad_tensor,
    units_name,
)
from eegpt.channels import ChannelRules
from eegpt.engine import InferenceEngine, Precision
from eegpt.errors import RecordingError
from eegpt.fingerprints import encoder_of
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.outputs import Embeddings
from eegpt.preprocessing import (
    SAMPLE_TOLERANCE,
    PreprocessingConfig,
    check_rate,
    check_reference_channels,
    map_recording_channels,
    prepare,
)
from eegpt.preprocessing_spec import seconds_text
from eegpt.recording import Recording
from eegpt.rename_tables import Rename
from eegpt.resampling import polyphase_ratio
from eegpt.streaming import block_size

__all__ = ["OnlineEmbedder"]

#: Seconds of stream over which push's timestamps are smoothed into the stream's clock: long
#: enough to average jitter out, short enough to follow drift (at 50 ppm it lags 0.5 ms).
CLOCK_SECONDS = 10.0

#: Seconds past the samples pushed beyond which a push's timestamp is refused rather than taken
#: for samples lost: no amplifier drops a day of samples, but the timestamps' clock changes
#: (e.g. from LSL's ``local_clock``, seconds since the host started, to Unix time, ~1.7e9 s).
IMPLAUSIBLE_GAP_SECONDS = 86400.0

#: How many times the timestamps' jitter (the root mean square of how far they lie from the
#: tracked clock) a timestamp must be off before it is a suspect gap, where that exceeds
#: ``gap_tolerance`` (e.g. LSL timestamps not dejittered).
JITTER_TIMES = 4.0

#: How many times that tolerance a timestamp must lie before the previous chunk's (and before
#: where the clock puts its chunk) to be refused as the clock going backwards: nearer, it is
#: taken as an early chunk (one outlier, with one-sample chunks), which the next one judges.
BACKWARDS_TIMES = 5.0

#: Seconds of timestamps after which push measures the stream's rate from them (samples a
#: second, the median over stretches of at least :data:`RATE_STRETCH_SECONDS`, so that a gap
#: or an outlier sways one) and refuses a declared ``sfreq`` more than :data:`RATE_TOLERANCE`
#: (a fraction) off it; after 2 s where every stretch is more than 20 % off to one side.
RATE_CHECK_SECONDS = 5.0
RATE_STRETCH_SECONDS = 0.5
RATE_TOLERANCE = 0.05


def _check_channel_labels(
    channels: Sequence[str] | None, channel_labels: Sequence[str] | None
) -> None:
    """Refuse ``channel_labels`` (:class:`OnlineEmbedder`) without ``channels`` or not one
    per channel: a missing channel's advice would name it by another's label.

    Raises
    ------
    ValueError
        Saying what was given and what to give (a probe's ``input_names`` and
        ``input_labels``, as :meth:`eegpt.probe.EEGPTProbe.online` gives them)."""
    if channel_labels is None:
        return
    if channels is None:
        raise ValueError(
            "channel_labels were given without channels: they are the labels of channels "
            "(a probe's input_labels beside its input_names), one each; give channels too, or "
            "leave channel_labels out"
        )
    if isinstance(channel_labels, str) or len(channel_labels) != len(channels):
        given = 1 if isinstance(channel_labels, str) else len(channel_labels)
        raise ValueError(
            f"channel_labels has {given} label(s) for {len(channels)} channels: give one "
            "label per channel, in the order of channels (a probe's input_labels beside its "
            "input_names), or leave channel_labels out"
        )


def _bads_named(given: Any) -> str:
    """`` (its bads: ['C3'], which raw.ch_names holds)`` for a Raw, Epochs or Info given as
    channel names whose ``info["bads"]`` is not empty: without that pick they would be
    embedded; "" otherwise."""
    info = given if isinstance(given, mne.Info) else given.info
    bads = list(info["bads"])
    return f" (its bads: {bads}, which raw.ch_names holds, would be embedded)" if bads else ""


class OnlineEmbedder:
    """Embed a stream of EEG samples as they arrive.

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder
        The model (e.g. :func:`eegpt.load_model`); only its encoder is run.
    ch_names : list of str
        The stream's channel names, in the order of the rows of each chunk; mapped to the
        EEGPT vocabulary once, when the embedder is made.
    rename, on_unknown, on_missing, keep
        How ``ch_names`` map, as in :func:`eegpt.channels.map_channels` and
        :func:`eegpt.embed`: ``{name: vocabulary name or None}`` overrides (or a cap's name, a
        rename table file's path); ``"drop"`` (default) or ``"raise"`` for names outside the
        vocabulary; ``"raise"`` (default) or ``"ignore"`` for ``rename`` keys the stream lacks;
        the vocabulary channels used (``keep="10-20"`` gives a stream the channel set of
        embeddings made with ``--keep-channels 10-20``; default: all mapped).
    channels : list of str | None
        The vocabulary channels every window must have, in this order (a probe's
        ``input_names``; :meth:`eegpt.probe.EEGPTProbe.online` gives them): a stream without
        one of them is refused when the embedder is made, its other channels are left out
        with a warning. ``None`` (default): every mapped channel.
    channel_labels : list of str | None
        ``channels`` as the probe's training data labelled them (``EEG C3-REF`` for ``C3``;
        its ``input_labels``), each in its place: a missing one is named so, as ``rename``
        takes it at training; one per channel of ``channels`` (refused otherwise). ``None``
        (default): the montage spelling.
    sfreq : float
        The stream's sampling rate in Hz. A rate MNE reads from a header's sampling interval
        of whole microseconds (``raw.info["sfreq"]`` of BrainVision's 3906 µs: 256.016385 Hz)
        is taken at its nominal rate (256 Hz), as :func:`~eegpt.embed` takes it
        (:func:`eegpt.preprocessing.taken_rate`): window starts, hops and onsets count samples
        at that rate.
    units : ``"V"`` | ``"mV"`` | ``"uV"`` | ``"µV"``
        Unit of the pushed samples (amplifier APIs and LSL usually give microvolts: ``"uV"``;
        any letter case, ``"uv"``, but ``"MV"``, which is megavolts).
    window_seconds, overlap : float | None
        Window length and overlap in seconds (default: the preprocessing's, 4 s and 0); a
        window is returned every ``window_seconds - overlap`` seconds (the hop) once the first
        is full. The hop must be a whole number of samples at the stream's rate or at 256 Hz
        (then window starts are rounded to the stream's samples).
    preprocessing : PreprocessingConfig | None
        Average reference (on by default; a single channel needs
        ``PreprocessingConfig(average_reference=False)``), resampling method, detrending
        (``tail`` does not apply: a window is embedded when it is complete, none is padded, and
        the embeddings record ``tail="drop"``). ``start_seconds``
        skips the stream's first seconds: the first window starts that long after the first
        sample pushed, as in a recording embedded whole (so it must be whole samples at the
        stream's rate as well as at the model's: a ``ValueError`` says which would do);
        onsets still count from the first sample.
    average_reference, resample, detrend
        Override those fields of ``preprocessing``, as the same keywords of
        :func:`eegpt.embed` do (``detrend="linear"``); ``None`` leaves a field as it is.
    device, precision, batch_size, engine
        As in :func:`eegpt.embed`; give ``engine`` to share one between embedders.
    skip_stale : bool
        When a push completes several windows (the consumer fell behind the stream, or a long
        chunk came), embed only the newest and skip the others (counted in ``n_skipped``), so
        the latency stays bounded; by default every window is embedded.
    warm_up : bool
        Run the model once on a blank window when made, so that the first real window is as
        quick as the later ones (the first forward pass of a model costs far more).
    gap_tolerance : float
        Seconds a chunk's ``timestamp`` (:meth:`push`) may lie after where the samples pushed
        put it (on the stream's clock, which follows the timestamps' slow drift) before the
        difference counts as a suspect gap, confirmed by the next timestamp; default 0.02 s.
        Where the timestamps jitter more (e.g. LSL's without dejittering), 4 times their
        jitter (root mean square) is the tolerance instead.
    verbose : bool | str | int | None
        Passed to the channel mapping (MNE-style); ``"error"`` also silences the embedder's
        warnings, when made and in :meth:`push` and :meth:`skip`, as it does for
        :func:`eegpt.embed`.

    Attributes
    ----------
    mapping : ChannelMapping
        The stream's channels and their vocabulary rows.
    n_samples_pushed : int
        Samples (per channel) since the start or the last :meth:`reset`, those lost in gaps
        included: the stream index of the next sample.
    n_windows : int
        Windows returned, skipped or lost (``n_lost``) since then: the next window's index.
    n_skipped : int
        Windows skipped since then (``skip_stale``).
    n_lost : int
        Windows left out since then because they would hold samples lost in a gap
        (:meth:`skip`, or a ``timestamp`` of :meth:`push` past the samples pushed).
    overlap : float
        The overlap between windows, in seconds.

    Notes
    -----
    One embedder takes one stream, whose chunks must come in order: push from one thread (or
    serialize the calls yourself). A call made while another runs, from another thread, raises
    a ``RuntimeError`` rather than wait: two threads' chunks would join the stream in no
    defined order, so waiting would hide a scrambled signal.

    Examples
    --------
    >>> online = OnlineEmbedder(model, ch_names, sfreq=500, units="uV", overlap=3.5)
    >>> for chunk in amplifier:          # [n_channels, any number of samples]
    ...     emb = online.push(chunk)     # Embeddings of the windows completed (often none)
    ...     for onset, z in zip(emb.onsets, emb.pooled("mean")):
    ...         decide(onset, z)
    >>> last = online.close()            # the stream ended: the windows still held back
    """

    @honours_verbose
    def __init__(
        self,
        model: EEGPT | EEGPTEncoder,
        ch_names: Sequence[str],
        sfreq: float,
        *,
        units: Units = "V",
        window_seconds: float | None = None,
        overlap: float | None = None,
        rename: Rename | None = None,
        on_unknown: str = "drop",
        on_missing: str = "raise",
        keep: str | Sequence[str] | None = None,
        channels: Sequence[str] | None = None,
        channel_labels: Sequence[str] | None = None,
        preprocessing: PreprocessingConfig | None = None,
        average_reference: bool | None = None,
        resample: str | None = None,
        detrend: str | None = None,
        device: Any = None,
        precision: Precision = "float32",
        batch_size: int | None = None,
        engine: InferenceEngine | None = None,
        skip_stale: bool = False,
        warm_up: bool = True,
        gap_tolerance: float = 0.02,
        verbose: Verbose = None,
    ) -> None:
        self.verbose = verbose
        encoder_of(model)  # a loaded model, not a path (TypeError saying to load it)
        if isinstance(ch_names, (mne.io.BaseRaw, mne.BaseEpochs, mne.Info)):
            raise TypeError(
                f"ch_names must be the stream's channel names, got {type(ch_names).__name__}: "
                "pass raw.ch_names (and sfreq=raw.info['sfreq']); push its samples with "
                "push(raw.get_data(...)) (volts, units='V'). An embedder has no info['bads'] "
                "nor channel types, so pick the channels model.embed(raw) would use first: "
                "raw = raw.copy().pick('eeg', exclude='bads')" + _bads_named(ch_names)
            )
        # embed's checks of an array's unit, rate and names: the same errors
        units = units_name(units)  # type: ignore[assignment]  # 'uv' -> 'uV'
        rate = check_sfreq(sfreq, "<stream>")
        check_ch_names(ch_names)
        rules = ChannelRules.of_one(on_unknown, on_missing)
        self.model = model
        self.ch_names = [str(name) for name in ch_names]
        self.sfreq = rate
        # samples count at the rate a header rounded (256 Hz for BrainVision's 3906 µs, which
        # MNE reads as 256.016 Hz), as embed counts a recording's: the same windows and onsets
        self._rate = taken_rate(rate)
        self.units = units
        self._said_integers = False  # integer samples in a unit below volts: warned of once
        # each window is one whole epoch, none padded (where no native length resamples to
        # the model's window exactly, one just over it is cropped), and the incomplete one at
        # the stream's end is never embedded: recorded as "drop", whatever was given
        base = (preprocessing or PreprocessingConfig()).updated(
            window_seconds=window_seconds,
            average_reference=average_reference,
            resample=resample,
            detrend=detrend,
            tail="drop",
        )
        check_rate(rate, "<stream>", base.sfreq)  # once: not again at each window
        self.overlap = base.overlap if overlap is None else float(overlap)
        self._hop = self._native_hop(base)  # whole stream samples, or None: hops at 256 Hz
        try:
            self.config = base.updated(overlap=self.overlap)
        except ValueError:  # a hop whole at the stream's rate only: done here, not recorded
            self.config = base
        self.skip_stale = bool(skip_stale)
        tolerance_real = isinstance(gap_tolerance, numbers.Real)  # (apart: mypy's narrowing)
        if not (tolerance_real and not isinstance(gap_tolerance, bool) and gap_tolerance >= 0):
            raise ValueError(f"gap_tolerance must be seconds >= 0, got {gap_tolerance!r}")
        self.gap_tolerance = float(gap_tolerance)
        _check_channel_labels(channels, channel_labels)
        self.mapping = map_recording_channels(
            self.ch_names,
            "<stream>",
            rename=rename,
            rules=rules,
            keep=keep,
            used=channels,  # a probe's: no warnings on the stream's channels it does not use
            verbose=verbose,
        )
        self._needed = channels is not None  # each needed: a flat one cannot be dropped
        if channels is not None:  # a probe's: missing ones named as its predictions name them
            from eegpt.probe_inputs import subset_mapping

            self.mapping = subset_mapping(
                self.mapping, list(channels), "<stream>", rename=rename,
                fitted_names=channel_labels,
            )  # fmt: skip
        check_reference_channels(self.config, len(self.mapping), "<stream>")
        self.engine = engine = engine_for(
            model, engine, device=device, precision=precision, batch_size=batch_size
        )
        # the hop and the start are done here: each window is one epoch to prepare
        self._epoch_config = replace(self.config, overlap=0.0, start_seconds=0.0)
        self._start = self._start_samples(self.config.start_seconds)  # stream samples
        self.window_length = native_window_length(self._rate, self.config, "<stream>")
        self._picks = list(self.mapping.picks)
        # the buffer holds just the used channels, in the mapping's order
        self._buffer_mapping = replace(self.mapping, picks=tuple(range(len(self._picks))))
        cfg = engine.encoder.config
        self._token_shape = (cfg.n_patches(self.config.n_samples), cfg.embed_num, cfg.embed_dim)
        self._block = block_size(engine.batch_for((len(self._picks), self.config.n_samples)))
        if warm_up:
            blank = np.zeros((1, len(self._picks), self.config.n_samples), np.float32)
            engine.encode(blank, self.mapping.chan_ids)
        self._calls = _Calls()
        self.reset()

    def __repr__(self) -> str:
        """The stream's channels (how many, the first few), rate, window and hop, and how far
        it has gone: samples pushed, windows returned, windows lost to gaps."""
        names = list(self.mapping.input_names)
        shown = ", ".join(names[:4]) + (f", ... ({len(names) - 4} more)" if len(names) > 4 else "")
        window = self.config.window_seconds
        returned = self.n_windows - self.n_lost - self.n_skipped  # n_windows counts all three
        skipped = f", n_skipped={self.n_skipped}" if self.n_skipped else ""
        return (
            f"<OnlineEmbedder | {len(names)} channels ({shown}), {self.sfreq:g} Hz, "
            f"window {window:g} s, hop {window - self.overlap:g} s, "
            f"{self.n_samples_pushed} samples pushed, {returned} windows returned, "
            f"n_lost={self.n_lost}{skipped}"
            f"{', closed' if getattr(self, '_closed', False) else ''}>"
        )

    def __getstate__(self) -> dict[str, Any]:
        """The embedder's state without its lock (no lock pickles): ``copy.deepcopy`` and
        ``pickle`` give an embedder that goes on from the same samples, with a lock of its
        own. A copy taken while another thread pushes waits for that push to end, and the
        stream's state (samples held, windows embedded and not yet returned, counts, clock)
        is copied before another push may start, so a copy never holds part of a push nor
        returns a window twice; a push that comes meanwhile waits for the copy, it is not
        refused. The model and engine are copied after (a push does not change them)."""
        with self._calls.snapshot():
            state = {
                key: value if key in ("model", "engine") else copy.deepcopy(value)
                for key, value in self.__dict__.items()
                if key != "_calls"
            }
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.pop("_lock", None)  # pickled by an earlier version
        self.__dict__.update(state)
        self._calls = _Calls()

    @contextmanager
    def _one_caller(self, what: str) -> Iterator[None]:
        """Hold the embedder for one call: a second call while one runs (another thread)
        raises, since the two threads' chunks would join the stream in no defined order."""
        if not self._calls.begin():
            raise RuntimeError(
                f"OnlineEmbedder.{what} was called while another call (push, skip, reset or close) was "
                "still running, from another thread: an embedder takes one stream, whose chunks "
                "must come in their order. Push from one thread, or serialize the calls (e.g. "
                "one threading.Lock around every push); nothing was added"
            )
        try:
            yield
        finally:
            self._calls.end()

    def _start_samples(self, given: float) -> int:
        """The start the user gave (``given`` seconds, the config's ``start_seconds``) in
        stream samples, or an error when it is no whole number of them, or is but is none at
        the model's rate (embed moves it onto a sample there): either way the windows would
        start off those of the recording embedded whole (which cuts at the model's rate) or
        off the start recorded."""
        model = float(self.config.sfreq)
        moved = self.config.grid_start_seconds  # where embed starts a recording's windows
        native = given * self._rate
        if abs(native - round(native)) <= SAMPLE_TOLERANCE and moved == given:
            return int(round(native))
        if self._rate.is_integer() and model.is_integer():
            step = 1 / math.gcd(int(self._rate), int(model))
            # in full: a multiple of 1/256 s past 100 s needs more than 10 digits
            such = (
                f"such as {seconds_text(round(given / step) * step)} s (a multiple of {step:g} s)"
            )
        else:
            such = f"such as {seconds_text(round(native) / self._rate)} s if it is"
        if moved != given:  # whole at the model's rate it is not: embed moves it
            found = (
                f"start_seconds={given:.10g} s is {given * model:.10g} samples at the model's "
                f"{model:g} Hz, where embed cuts a recording's windows (it starts them at "
                f"{seconds_text(moved)} s), and {native:.10g} samples at the stream's "
                f"{self._rate:g} Hz, where a stream's windows are cut: the two would start apart"
            )
        else:
            found = (
                f"start_seconds={given:.10g} s is {native:.10g} samples at the stream's "
                f"{self._rate:g} Hz, where a stream's windows are cut (embed cuts a "
                f"recording's at the model's {model:g} Hz: rounded, the two would differ)"
            )
        raise ValueError(f"{found}: give a start that is whole samples at both rates, {such}")

    def _native_hop(self, config: PreprocessingConfig) -> int | None:
        """The hop in stream samples when it is a whole number of them; None when it is a whole
        number at the model's rate instead; else an error that says which overlaps work."""
        window = config.window_seconds
        if not 0 <= self.overlap < window:
            raise ValueError(
                f"overlap must satisfy 0 <= overlap < window_seconds={window:g} s, got "
                f"{self.overlap:g} s"
            )
        hop = window - self.overlap
        native = hop * self._rate
        if native < 1 - 1e-9:
            raise ValueError(
                f"the hop between windows (window_seconds - overlap = {hop:.6g} s) is shorter "
                f"than one sample at {self._rate:g} Hz; make the overlap at most "
                f"{window - 1 / self._rate:.10g} s"
            )
        if abs(native - round(native)) <= 1e-6 * max(1.0, native):
            return int(round(native))
        model = hop * config.sfreq
        if abs(model - round(model)) <= 1e-6 * max(1.0, model):
            return None
        nearest = max(1, round(native)) / self._rate
        raise ValueError(
            f"the hop between windows (window_seconds - overlap = {hop:.6g} s) is {native:.6g} "
            f"samples at the stream's {self._rate:g} Hz and {model:.6g} at the model's "
            f"{config.sfreq:g} Hz; it must be whole at one of them: e.g. overlap "
            f"{window - nearest:.10g} s (a hop of {nearest:.6g} s)"
        )

    def reset(self) -> None:
        """Forget the samples pushed so far: the next sample pushed starts a new stream at
        time 0 (e.g. after a pause in the recording; also after :meth:`close`)."""
        with self._one_caller("reset"):
            self._forget()

    def _forget(self) -> None:
        """:meth:`reset`, its caller holding the embedder."""
        self._buffer = np.empty((len(self._picks), 0))
        # recorded in every output (metadata["stream_id"]): parts of streams apart, whose
        # windows and onsets each count from 0, are told apart when joined
        self._stream_id = uuid.uuid4().hex[:12]
        self._weights_key: tuple | None = None  # the model's, checked at the stream's start
        self._buffer_start = 0  # stream index of the buffer's first sample (kept or to come)
        self.n_samples_pushed = 0
        self.n_windows = 0
        self.n_skipped = 0
        self.n_lost = 0
        self._clock: float | None = None  # the timestamp of stream sample 0 (push's timestamp)
        self._last_timestamp: float | None = None  # the previous chunk's timestamp
        self._last_chunk: np.ndarray | None = None  # its samples (volts, used channels)
        self._n_stamps = 0  # timestamps taken into the clock since it was set
        self._stamped_at = 0  # n_samples_pushed when the clock last took a timestamp
        # a chunk whose timestamp is more than gap_tolerance off, judged by the next one:
        # (seconds off, its timestamp, its samples held back when late / None when early)
        self._suspect: tuple[float, float, np.ndarray | None] | None = None
        self._n_received = 0  # samples pushed (not those of gaps): for the rate check
        self._jitter = 0.0  # mean square (s²) of the timestamps' distance from the clock
        # (timestamp, samples received before it) of the first seconds; None: rate checked
        self._rate_marks: list[tuple[float, int]] | None = []
        self._wrong_rate: str | None = None  # the refusal of sfreq, once the rates showed it
        self._checked = False
        self._done: list[tuple[np.ndarray, np.ndarray, dict[str, Any]]] = []  # not yet returned
        self._closed = False  # close() ended the stream: push and skip refused until reset()

    def window_start(self, k: int) -> int:
        """Index in the stream (native samples) of window ``k``'s first sample (the first
        window's at ``preprocessing.start_seconds``)."""
        if self._hop is not None:
            return self._start + k * self._hop
        hop = k * self.config.step_samples * self._rate / self.config.sfreq
        return self._start + int(round(hop))

    @honours_verbose
    def push(self, chunk: Any, timestamp: float | None = None) -> Embeddings:
        """Add samples and embed the windows they complete.

        Parameters
        ----------
        chunk : array-like, shape (n_channels, n_times)
            The next samples of every channel of ``ch_names``, in ``units``; any number of
            samples, also 0. A NumPy array, a list, or a torch tensor on the CPU (not
            requiring grad); real numbers (floats, or integers with their ``units``). A chunk
            transposed (``[n_times, n_channels]``, as LSL's ``pull_chunk`` gives samples) is
            refused, but for one of as many samples as channels, which its shape cannot tell
            from its transpose: it is taken as ``[n_channels, n_times]``. Transpose every
            chunk where they are read (``np.asarray(samples).T``), square ones too.
        timestamp : float | None
            Time in seconds of the chunk's first sample (column 0) on the stream's clock
            (LSL's ``pull_chunk`` gives one per sample: ``timestamps[0]``; a stamp of the
            last sample, ``timestamps[-1]``, is the chunk's length late: subtract
            ``(n_times - 1) / sfreq``). They set the stream's clock, which
            follows their slow drift from the amplifier's (of either sign; smoothed over
            about 10 s of stream). The tolerance is ``gap_tolerance``, or 4 times the
            timestamps' jitter where that is more (LSL timestamps not dejittered). One more
            than the tolerance past where that clock and the samples pushed put the chunk is a
            suspect gap: the chunk is held back until the next timestamp, which confirms it (it
            agrees with the clock shifted by as much: those samples were lost, as with
            :meth:`skip`, then the chunk added; how many is measured from its timestamp, as
            exact as it is: onsets after a gap are exact to the timestamps' jitter, one sample
            at most for a few ms of it at 250 Hz) or takes it for an outlier (the chunk follows
            those pushed, no sample inserted). Within the tolerance of that place, earlier or
            later, a timestamp is jitter (also one before the previous chunk's, as with
            one-sample chunks). Samples lost below the tolerance (e.g. 3 samples, 12 ms, at 250
            Hz with the default 0.02 s) go undetected: every later onset is that much early;
            declare such losses with :meth:`skip` where the amplifier reports them. One more
            than the tolerance early is added, and sets the clock, with a warning, where the
            next timestamp agrees (pushes without one and :meth:`skip` in between leave it to
            that timestamp); one also more than 5 times the tolerance before the
            previous chunk's is refused (the clock went backwards: ``reset()`` for a new
            stream), unless the clock rests on one timestamp (the first may be late), as is
            the previous chunk again (its samples at its timestamp: pushed twice). After 5 s
            of timestamps (2 s where far off), a push is refused where the rate they show is
            more than 5 % off ``sfreq`` (a wrong ``sfreq``), as is every later one. One more
            than a day late is refused too (the timestamps' clock changed, e.g. from LSL's
            ``local_clock`` to Unix time: ``reset()`` for a new stream).
            ``None``: the chunk follows the previous one. A timestamp cast to float32 is
            refused where its steps exceed half a sample (at Unix time they are 128 s): pass
            timestamps as they come.

        Returns
        -------
        Embeddings
            The windows completed by this chunk, ``[n, N, S, D]`` (``n`` is often 0), with
            their onsets in seconds since the first sample pushed. Their metadata (a copy of
            the stream's provenance, built once) names the weights that computed them, checked
            at each push that completes a window; a push that completes none records those of
            the stream's last windows (or of its start).

        Raises
        ------
        RuntimeError
            When called while another call runs (from another thread): push from one thread,
            or serialize the calls. After :meth:`close`, until :meth:`reset`.

        Notes
        -----
        A push refused for its chunk (its shape, NaN/Inf, its timestamp) adds nothing. One
        that fails in the model (out of memory, Ctrl-C) has added its samples: do not push
        the chunk again (a repeat with its timestamp is refused; without one its samples
        would be in the stream twice); the next push, also of an empty chunk
        (``np.empty((n_channels, 0))``), returns the windows it left.
        """
        with self._one_caller("push"):
            self._refuse_closed("push")
            return self._push(chunk, timestamp)

    @honours_verbose
    def skip(self, n_samples: int | None = None, *, seconds: float | None = None) -> None:
        """Declare samples lost (a dropped chunk, one with NaN): the stream goes on
        ``n_samples`` (or ``seconds``, rounded to samples) later, its onsets in stream time.

        The window being filled is left out, as are the later ones that would hold a lost
        sample (counted in ``n_lost``); the next windows are those the whole stream would
        give there, with the same onsets and ``window_index``. A warning says how much was
        lost. Windows already complete are still returned by the next push: also those a
        push whose model call failed (out of memory, Ctrl-C) left unembedded, which are
        embedded here (the model runs in ``skip`` then; should it fail again, the error
        propagates and nothing is recorded lost: call ``skip`` again).
        """
        with self._one_caller("skip"):
            self._refuse_closed("skip")
            if (n_samples is None) == (seconds is None):
                raise TypeError("skip takes n_samples or seconds (one of them)")
            if seconds is not None:
                real = isinstance(seconds, numbers.Real) and not isinstance(seconds, bool)
                if not (real and math.isfinite(seconds) and seconds >= 0):
                    raise ValueError(f"skip needs seconds >= 0, got seconds={seconds!r}")
            n = round(float(seconds) * self._rate) if seconds is not None else n_samples
            if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 0:
                raise ValueError(f"skip needs a whole number of samples >= 0, got {n!r}")
            self._settle(judged=False)  # (an early chunk: the next timestamp judges it)
            self._gap(int(n))

    @honours_verbose
    def close(self) -> Embeddings:
        """End the stream: return the windows it completes that no push returned yet.

        A chunk whose timestamp came more than the tolerance late is held back until the next
        timestamp tells whether samples were lost before it (:meth:`push`); at the stream's
        end none comes, so its timestamp is taken as it says (the samples lost are declared,
        as :meth:`skip` does, then the chunk added) and the windows it completes are returned
        here, as are windows a push whose model call failed left (out of memory, Ctrl-C). A
        last chunk stamped early was added already and is let go without a word (no timestamp
        will say whether its stamp or the clock was off). The incomplete window at the end is
        not embedded (as ``tail="drop"``). Call it when a recorded session ends, to have every
        window up to its last sample; then
        ``Embeddings.concatenate`` of every push's and this return is the whole session.

        Returns
        -------
        Embeddings
            The windows left, ``[n, N, S, D]`` (``n`` often 0); none from a second call.

        Raises
        ------
        RuntimeError
            When called while another call runs (from another thread).

        Notes
        -----
        After it, :meth:`push` and :meth:`skip` raise a ``RuntimeError`` until :meth:`reset`
        starts a new stream (time 0). Should the model fail here, the stream stays open and
        nothing is lost: call ``close`` again.
        """
        with self._one_caller("close"):
            if getattr(self, "_closed", False):
                return self._returned()
            suspect = getattr(self, "_suspect", None)
            if suspect is not None and suspect[2] is None:
                # a last chunk stamped early was added already: no timestamp will say whether
                # it was an outlier or the clock's, and no clock is needed any more (nothing
                # said: _settle's warning is of a clock reset the next timestamp agreed with)
                self._suspect = None
            self._settle()  # a held chunk: no timestamp will judge it, taken as it says
            if self.skip_stale:
                self._skip_all_but_the_newest()
            self._embed_complete()
            self._closed = True
            return self._returned()

    def _refuse_closed(self, what: str) -> None:
        """Refuse :meth:`push` or :meth:`skip` (``what``) after :meth:`close`."""
        if getattr(self, "_closed", False):  # (an embedder pickled before it: open)
            raise RuntimeError(
                f"OnlineEmbedder.{what} was called after close(), which ended the stream: "
                "nothing was added. Call reset() first to start a new stream (its onsets from "
                "0 again), or make a new embedder; close() only at the end of a session"
            )

    def _gap(self, n: int) -> None:
        """``n`` samples lost after those pushed: leave out the windows that hold any."""
        if n <= 0:
            return
        # windows complete before the loss that a failed push left unembedded (out of memory,
        # Ctrl-C) hold no lost sample: embedded now (their samples go), returned by the next
        # push; should this fail too, nothing is lost yet and the loss is not recorded
        self._embed_complete()
        at = self.n_samples_pushed / self._rate
        self.n_samples_pushed += n
        self._buffer = np.empty((len(self._picks), 0))
        self._buffer_start = self.n_samples_pushed
        # windows from here on are incomplete up to the first that starts after the loss
        k = self._first_window_from(self.n_samples_pushed)
        lost, self.n_windows = k - self.n_windows, k
        self.n_lost += lost
        _warn(
            f"<stream>: {n / self._rate:.6g} s ({n} samples) lost at {at:.6g} s; {lost} "
            "window(s) that would hold them left out, the next starting at "
            f"{self.window_start(k) / self._rate:.6g} s"
        )

    def _first_window_from(self, sample: int) -> int:
        """The first window from :attr:`n_windows` on that starts at ``sample`` or later,
        computed (a day lost at a 0.1 s hop is 864000 windows, one step each was seconds)."""
        if self._hop is not None:
            k = -(-(sample - self._start) // self._hop)  # ceil
        else:  # rounded starts (hops whole at the model's rate): near the exact quotient
            per_window = self.config.step_samples * self._rate / self.config.sfreq
            k = math.ceil((sample - self._start) / per_window) - 1
            while k > self.n_windows and self.window_start(k - 1) >= sample:
                k -= 1
            while self.window_start(k) < sample:
                k += 1
        return max(self.n_windows, k)

    def _place(self, timestamp: float, x: np.ndarray) -> bool:
        """:meth:`_placed`, then the timestamp kept for the rate check (where it was taken)."""
        suspect = getattr(self, "_suspect", None)  # (an embedder pickled before it: none)
        waiting = 0 if suspect is None or suspect[2] is None else suspect[2].shape[1]
        received = getattr(self, "_n_received", 0) + waiting
        held = self._placed(timestamp, x)
        marks = getattr(self, "_rate_marks", None)
        # only the marks that start a stretch of _check_rate's (the first, then each at least
        # RATE_STRETCH_SECONDS after the one before): the stretches are the same as over every
        # mark, and a push costs no more as the first seconds of one-sample chunks go by
        if marks is not None and (
            not marks or float(timestamp) - marks[-1][0] >= RATE_STRETCH_SECONDS
        ):
            marks.append((float(timestamp), received))
        return held

    def _placed(self, timestamp: float, x: np.ndarray) -> bool:
        """Where the chunk ``x`` (volts, the used channels) at ``timestamp`` (s) lies: a gap
        before it (samples lost), jitter or drift (followed), a time going backwards or the
        previous chunk again (refused). Returns whether ``x`` is held back (not to be added
        yet: a late chunk, added when the next timestamp says whether a gap came before it).

        The stream's clock (the time of sample 0) is a running estimate of ``timestamp -
        samples pushed / sfreq``: the mean of the first timestamps, then smoothed over about
        :data:`CLOCK_SECONDS` of stream, so that it follows the slow drift between the
        stamping clock and the amplifier's (crystals differ by tens of ppm: 50 ppm is 20 ms
        in 400 s) in both directions, and jitter averages out. A chunk more than the
        tolerance (:meth:`_tolerance`) after (or before) where the clock puts it is a
        suspect: the next timestamp confirms it (it agrees with the clock shifted by as much:
        a gap, its samples inserted, or a clock set earlier) or takes it for an outlier (it
        agrees with the clock: no sample inserted, the clock untouched)."""
        t = float(timestamp)
        if not math.isfinite(t):
            raise ValueError(f"timestamp must be a finite number of seconds, got {timestamp!r}")
        suspect = getattr(self, "_suspect", None)  # (an embedder pickled before it: none)
        if suspect is not None and suspect[2] is not None:
            if x.shape[1] and t == suspect[1] and np.array_equal(x, suspect[2]):
                self._refuse_repeat(t)
        self._check_rate(t)
        if self._clock is None or self._last_timestamp is None:
            pushed = self.n_samples_pushed
            self._clock, self._n_stamps, self._stamped_at = t - pushed / self._rate, 1, pushed
            self._last_timestamp = t
            return False
        if suspect is not None:
            off, _, held = suspect
            waiting = 0 if held is None else held.shape[1]
            ahead = t - (self._clock + (self.n_samples_pushed + waiting) / self._rate)
            shift = off if held is None else round(off * self._rate) / self._rate
            if abs(ahead - shift) < abs(ahead):  # this chunk agrees with the shifted clock
                self._settle()
            else:  # an outlier: its samples follow those pushed, its timestamp is left out
                self._suspect = None
                passed = (self.n_samples_pushed + waiting - self._stamped_at) / self._rate
                weight = max(1 / (self._n_stamps + 1), -math.expm1(-passed / CLOCK_SECONDS))
                jitter = getattr(self, "_jitter", 0.0)  # (an embedder pickled before it: none)
                # its distance is jitter, counted as the tolerance at most: one wild stamp
                # (100 s off) made the tolerance minutes long, gaps undetected for minutes
                near = min(off**2, self._tolerance() ** 2)
                self._jitter = jitter + weight * (near - jitter)
                if held is not None:
                    self._append(held)
        pushed = self.n_samples_pushed
        ahead = t - (self._clock + pushed / self._rate)
        tolerance = self._tolerance()
        if ahead < -tolerance:
            last = getattr(self, "_last_chunk", None)  # (an embedder pickled before it: none)
            if t == self._last_timestamp and last is not None and np.array_equal(x, last):
                self._refuse_repeat(t)
            # not one outlier; nor is the clock set from one timestamp only (the first chunk's
            # may be the late one: then the next agrees with this one, and sets the clock)
            backwards = t < self._last_timestamp - BACKWARDS_TIMES * tolerance
            if backwards and self._n_stamps > 1:
                raise ValueError(
                    f"timestamp {t:.6f} s is {-ahead:.6g} s before where the samples pushed put "
                    f"this chunk ({self._clock + pushed / self._rate:.6f} s) and "
                    f"{self._last_timestamp - t:.6g} s before the previous chunk's "
                    f"({self._last_timestamp:.6f} s), more than {BACKWARDS_TIMES:g} times the "
                    f"tolerance ({self._tolerance_text(tolerance)}): the stream's clock went "
                    "backwards. The chunk was not added: if a new stream started (its clock "
                    "restarted), call reset() first; to add the chunk after the samples "
                    "pushed, push it with timestamp=None; if the timestamps jitter this much, "
                    "raise gap_tolerance"
                )
            self._suspect = (ahead, t, None)  # added now; the next timestamp judges the clock
            return False
        if ahead > IMPLAUSIBLE_GAP_SECONDS:
            raise ValueError(
                f"timestamp {t:.6f} s is {ahead:.6g} s (more than a day) after where the "
                f"samples pushed put this chunk ({self._clock + pushed / self._rate:.6f} s): "
                "no stream loses that much, the timestamps' clock changed (e.g. from LSL's "
                "local_clock to Unix time). The chunk was not added: if a new stream started, "
                "call reset() first; to add the chunk after the samples pushed, push it with "
                "timestamp=None; for a loss that long, skip(seconds=...) declares it"
            )
        if ahead > tolerance:
            self._suspect = (ahead, t, x)  # held back until the next timestamp tells a gap
            return True
        self._follow(ahead, t)
        return False

    def _follow(self, ahead: float, t: float) -> None:
        """Take the timestamp ``t`` (s), ``ahead`` s past where the clock put its chunk (the
        chunk's samples not pushed yet), into the clock: a running mean of the first stamps,
        then exponential smoothing (it follows the drift)."""
        self._n_stamps += 1
        passed = (self.n_samples_pushed - self._stamped_at) / self._rate
        weight = max(1 / self._n_stamps, -math.expm1(-passed / CLOCK_SECONDS))
        assert self._clock is not None
        self._clock += weight * ahead
        jitter = getattr(self, "_jitter", 0.0)  # (an embedder pickled before it: none)
        self._jitter = jitter + weight * (ahead**2 - jitter)
        self._stamped_at, self._last_timestamp = self.n_samples_pushed, t

    def _tolerance(self) -> float:
        """Seconds off the clock beyond which a timestamp is a suspect gap (or early):
        ``gap_tolerance``, or :data:`JITTER_TIMES` the timestamps' jitter where that is more."""
        return max(self.gap_tolerance, JITTER_TIMES * math.sqrt(getattr(self, "_jitter", 0.0)))

    def _tolerance_text(self, tolerance: float) -> str:
        """``tolerance`` (s) and where it comes from, for messages."""
        if tolerance <= self.gap_tolerance:
            return f"gap_tolerance={self.gap_tolerance:g} s"
        return f"{tolerance:.3g} s, {JITTER_TIMES:g} times the timestamps' jitter"

    def _settle(self, *, judged: bool = True) -> None:
        """Take the suspect chunk's timestamp as it says (the next timestamp agreed with it,
        or there is none to judge it by: a push without one, :meth:`skip`): a late chunk comes
        after a gap (its samples inserted, then its own added), an early one sets the clock.
        ``judged=False`` (a push without a timestamp, :meth:`skip`): no timestamp came, so a
        chunk stamped early (added already) is left for the next timestamp to judge, nothing
        said; only a late one, held back, is settled (its samples must come first)."""
        suspect = getattr(self, "_suspect", None)
        if suspect is None:
            return
        off, t, held = suspect
        if held is None and not judged:
            return
        assert self._clock is not None
        if held is None:
            why = (
                "the one timestamp the clock was set from was late, or "
                if self._n_stamps == 1
                else ""
            )
            _warn(
                f"<stream>: the chunk at {t:.6f} s came {-off:.6g} s before where the "
                f"samples pushed put it (more than the tolerance, "
                f"{self._tolerance_text(self._tolerance())}), "
                f"and the next timestamp agreed: {why}more samples came than the time "
                "passed; the clock was set to its timestamp (is sfreq the stream's rate?)"
            )
            self._suspect = None
            self._clock += off
            self._n_stamps, self._stamped_at, self._last_timestamp = 1, self.n_samples_pushed, t
            return
        n = int(round(off * self._rate))
        self._gap(n)  # (raises where the model fails: the suspect is kept, nothing lost)
        self._suspect = None
        self._follow(off - n / self._rate, t)
        self._append(held)

    def _refuse_repeat(self, t: float) -> None:
        """Refuse the chunk pushed again with its timestamp ``t`` (s)."""
        # pushed again (e.g. retried after a push that failed in the model, whose samples
        # were added): its samples would be in the stream twice
        raise ValueError(
            f"the chunk is the previous one again, its samples and timestamp ({t:.6f} "
            "s): the same chunk pushed twice. It was not added (its samples would be in "
            "the stream twice, every later onset late); a push that raised in the model "
            "kept its samples, whose windows the next push returns: push each chunk once"
        )

    def _check_rate(self, t: float) -> None:
        """Measure the stream's rate from the timestamps of its first
        :data:`RATE_CHECK_SECONDS` and refuse ``sfreq`` where it is more than
        :data:`RATE_TOLERANCE` off (every chunk would look like a gap, or early)."""
        wrong = getattr(self, "_wrong_rate", None)
        if wrong is not None:  # refused: every push is, until reset() (the stream is not on)
            raise ValueError(wrong)
        marks = getattr(self, "_rate_marks", None)
        if marks is None:
            return
        suspect = getattr(self, "_suspect", None)
        waiting = 0 if suspect is None or suspect[2] is None else suspect[2].shape[1]
        marks = [*marks, (t, getattr(self, "_n_received", 0) + waiting)]
        rates, i = [], 0
        for j in range(1, len(marks)):
            if marks[j][0] - marks[i][0] >= RATE_STRETCH_SECONDS:
                rates.append((marks[j][1] - marks[i][1]) / (marks[j][0] - marks[i][0]))
                i = j
        # far off (a factor, not a gap: that lowers one stretch), every stretch says so soon
        far = len(rates) >= 4 and all(abs(r / self._rate - 1) > 0.2 for r in rates)
        far = far and len({r > self._rate for r in rates}) == 1
        if len(rates) < RATE_CHECK_SECONDS / RATE_STRETCH_SECONDS and not far:
            return
        measured = float(np.median(rates))
        if abs(measured / self._rate - 1) <= RATE_TOLERANCE:
            self._rate_marks = None
            return
        common = (128, 160, 200, 250, 256, 300, 500, 512, 1000, 1024, 2000, 2048, 4096, 5000)
        near = min(common, key=lambda rate: abs(rate - measured))
        guess = near if abs(near / measured - 1) < RATE_TOLERANCE else round(measured)
        self._wrong_rate = (
            f"the timestamps show about {measured:.4g} samples a second over the first "
            f"{t - marks[0][0]:.3g} s of the stream, not sfreq={self._rate:g} Hz: sfreq is "
            "not the stream's rate (every chunk would look like a gap, or early, and the "
            "windows would not last their length). The chunk was not added, nor will be any: "
            "create the embedder with the stream's rate (e.g. LSL's info.nominal_srate()), "
            f"sfreq={guess:g} if that is it"
        )
        raise ValueError(self._wrong_rate)

    @staticmethod
    def _samples_of(chunk: Any) -> np.ndarray:
        """``chunk``'s samples as a NumPy array of its own dtype, as :func:`eegpt.embed` reads
        an array (:func:`~eegpt.array_inputs.array_of`): a torch tensor on the CPU as its
        values (bfloat16 as float32), a list as ``np.asarray``; refused with a ``TypeError``
        where that is not unambiguous: a tensor that requires grad, or one on a GPU (or
        another device than the CPU); with a :class:`RecordingError` samples that are not real
        numbers (bool, complex, text, objects), which ``np.asarray(..., float)`` turned into
        numbers without a word (True as 1 V, the real part) or NumPy's own error."""
        refuse_grad_tensor(chunk, "push")
        device = getattr(chunk, "device", None)
        if type(chunk).__module__.startswith("torch") and str(device) != "cpu":
            raise TypeError(
                f"push takes the samples on the CPU, got a tensor on {device}: push(chunk.cpu()) "
                "(the chunk was not added)"
            )
        x = array_of(chunk)
        if x.ndim and not (
            np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)
        ):
            raise RecordingError(
                "a chunk's samples must be real numbers: floating point, or integers with their "
                f"unit (OnlineEmbedder(model, ch_names, sfreq, units='uV')), got dtype {x.dtype}; "
                "convert other data to float only if that is meaningful (the real part of "
                "complex data, chunk.real); the chunk was not added"
            )
        return x

    def _push(self, chunk: Any, timestamp: float | None = None) -> Embeddings:
        """:meth:`push`, its caller holding the embedder."""
        real = isinstance(timestamp, numbers.Real) and not isinstance(timestamp, (bool, np.bool_))
        if timestamp is not None and not real:
            raise TypeError(
                "timestamp must be the time of the chunk's first sample, a number of seconds "
                f"(e.g. LSL's timestamps[0]), or None; got {timestamp!r} "
                f"({type(timestamp).__name__})"
            )
        if isinstance(timestamp, np.floating) and np.isfinite(timestamp):
            # float32 has 24 bits: at LSL's local_clock of days (3.5e5 s) it steps by 31 ms,
            # at Unix time (1.7e9 s) by 128 s, so chunks apart looked like the same one, or
            # gaps; its steps must be below half a sample for onsets after a gap to be right
            step = float(np.spacing(np.abs(timestamp)))
            if step > 0.5 / self._rate:
                raise TypeError(
                    f"timestamp {float(timestamp):.6f} s is a {type(timestamp).__name__}, "
                    f"whose values there are {step:.3g} s apart (more than half a sample at "
                    f"{self._rate:g} Hz): the chunks' times cannot be told from it. Pass the "
                    "timestamps as they come (Python floats or float64, e.g. LSL's "
                    "timestamps[0]), not cast to a smaller type; the chunk was not added"
                )
        if isinstance(chunk, (mne.io.BaseRaw, mne.BaseEpochs)):
            raise TypeError(
                f"push takes the samples, [n_channels, n_times], not an {type(chunk).__name__}: "
                "push(raw.get_data(start=..., stop=...)) (volts: units='V'); model.embed(raw) "
                "embeds a whole recording"
            )
        refuse_dataframe(
            chunk,
            "push(df[on.ch_names].to_numpy().T): the columns in the order of ch_names",
        )
        x = self._samples_of(chunk)
        said = getattr(self, "_said_integers", True)  # (an embedder pickled before it: said)
        if check_integer_samples(
            x, self.units, "OnlineEmbedder(model, ch_names, sfreq, units=...)",
            "push(counts * 0.1)", warn=not said, once=" (said once per embedder)",
        ):  # fmt: skip
            self._said_integers = True
        x = x.astype(np.float64, copy=False)
        if x.ndim == 0:
            raise RecordingError(
                f"a chunk must be an array [n_channels, n_times] with the "
                f"{len(self.ch_names)} channels of ch_names as rows, got {chunk!r} "
                f"({type(chunk).__name__})"
            )
        if x.ndim != 2 or x.shape[0] != len(self.ch_names):
            transposed = x.ndim == 2 and x.shape[1] == len(self.ch_names)
            one_sample = x.shape == (len(self.ch_names),)
            raise RecordingError(
                f"a chunk must be [n_channels, n_times] with the {len(self.ch_names)} channels "
                f"of ch_names as rows, got shape {x.shape}"
                + (
                    "; it looks transposed (samples as rows, as Lab Streaming Layer's "
                    "pull_chunk gives them): push chunk.T"
                    if transposed
                    else "; it looks like one sample of each channel (as Lab Streaming Layer's "
                    "pull_sample gives it): push it as a column, "
                    "push(np.asarray(sample)[:, None])"
                    if one_sample
                    else ""
                )
            )
        x = x[self._picks] * UNITS[self.units]  # volts, the used channels
        if not np.isfinite(x).all():
            bad = [self.mapping.input_names[i] for i in np.flatnonzero(~np.isfinite(x).all(1))]
            raise RecordingError(
                f"the chunk has NaN/Inf samples in channel(s) {bad}; it was not added (replace "
                f"them, e.g. by the last good value, or drop the chunk and call "
                f"skip({x.shape[1]}), so later onsets stay in stream time)"
            )
        held = False
        if timestamp is not None:
            held = self._place(timestamp, x)
        else:
            self._settle(judged=False)  # (an early chunk: the next timestamp judges it)
        if not held:
            self._append(x)
        self._last_chunk = x if timestamp is not None else None  # the chunk a repeat would be
        if self.skip_stale:
            self._skip_all_but_the_newest()
        self._embed_complete()
        return self._returned()

    def _returned(self) -> Embeddings:
        """The windows embedded and not yet returned, as one :class:`Embeddings` (none: an
        empty one, with the keys of any other push's metadata); they are let go."""
        done, self._done = self._done, []
        if not done:
            empty = np.zeros((0, *self._token_shape), np.float32)
            return Embeddings(empty, np.zeros(0), {**self._empty_metadata(), "window_index": []})
        metadata = done[0][2]
        for _, _, meta in done[1:]:
            metadata["window_index"] += meta["window_index"]
        data = np.concatenate([z for z, _, _ in done])
        return Embeddings(data, np.concatenate([t for _, t, _ in done]), metadata)

    def _embed_complete(self) -> None:
        """Embed the complete windows not embedded yet, keeping them until returned."""
        # A block of windows at a time: a long backlog is not held at once. Blocks done are
        # kept until returned, so a failure in a later one (out of memory, Ctrl-C) loses none:
        # the next push returns them, and computes the failed block again.
        while block := self._complete_windows(self._block):
            self._done.append(self._embed(block))
            self._drop_used()

    def _empty_metadata(self) -> dict[str, Any]:
        """The provenance of a push that completed no window (the keys of any other push)."""
        stream = SimpleNamespace(source="<stream>", sfreq=self.sfreq)
        windows = SimpleNamespace(mapping=self.mapping, config=self._epoch_config)
        return self._stream_record("none", stream, windows)

    def _stream_record(self, kind: str, recording: Any, windows: Any) -> dict[str, Any]:
        """The stream's provenance, the same for each of its pushes of one ``kind`` (``"none"``:
        a push that completed no window; ``"windows"``: ``recording``'s ``windows`` embedded),
        with its preprocessing (and stream overlap) and ``stream_id``, without ``window_index``.

        Built once and kept (pickled) while nothing it records changes: the stream's id
        (:meth:`reset`), channels and preprocessing, the engine's settings
        (:func:`~eegpt.api.run_record_key`: precision, device, batch size), and the model's
        weights and path (:func:`~eegpt.api.weights_record_key`), which walk every parameter:
        checked where windows are embedded (and at the stream's start), not at a push that
        completes none, whose record stays that of the stream's last windows until the next
        ones. Every push gets a copy of its own to change. Building it anew at every push
        (``dataclasses.asdict``, copies, the weights' change counters) cost most of a push
        that completes no window."""
        if kind == "windows" or getattr(self, "_weights_key", None) is None:
            self._weights_key = weights_record_key(self.model, self.engine)
        key = (
            self._stream_id,
            self.sfreq,
            self.mapping,
            self.config,
            self.overlap,
            windows.mapping,
            windows.config,
            run_record_key(windows, self.engine),
            self._weights_key,
        )
        records = self.__dict__.setdefault("_records", {})  # (an embedder pickled before it)
        held = records.get(kind)
        if held is None or held[0] != key:
            metadata = provenance(self.model, recording, windows, self.engine)
            metadata["channels"] = self.mapping.to_dict()  # with the stream's dropped channels
            metadata["preprocessing"] = self._preprocessing_record()
            metadata[STREAM_ID_KEY] = self._stream_id
            held = records[kind] = (key, pickle.dumps(metadata, pickle.HIGHEST_PROTOCOL))
        return pickle.loads(held[1])  # a copy, sharing no list or dict with another push's

    def _preprocessing_record(self) -> dict[str, Any]:
        """The preprocessing with the stream's overlap (epochs record none; the model's rate
        may not express it)."""
        return {**self.config.to_dict(), "overlap": self.overlap}

    def _skip_all_but_the_newest(self) -> None:
        """Count the complete windows before the newest as skipped (``skip_stale``)."""
        stale = len(self._complete_windows(sys.maxsize)) - 1
        if stale > 0:
            self.n_windows += stale
            self.n_skipped += stale
            self._drop_used()

    def _complete_windows(self, most: int) -> list[int]:
        """Starts (stream samples) of the next windows, at most ``most``, whose samples are
        all in."""
        starts: list[int] = []
        while len(starts) < most:
            start = self.window_start(self.n_windows + len(starts))
            if start + self.window_length > self.n_samples_pushed:
                break
            starts.append(start)
        return starts

    def _append(self, x: np.ndarray) -> None:
        """Add the next samples, ``x`` [n_channels, n_times] (volts, the used channels), to
        the stream: those before :attr:`_buffer_start`, which no window holds (the gap between
        one window's end and the next's start, where hops are whole at the model's rate only),
        are counted but not kept, so the buffer always holds the stream's samples from
        :attr:`_buffer_start` to :attr:`n_samples_pushed`."""
        unused = max(0, self._buffer_start - self.n_samples_pushed)
        self._buffer = np.concatenate([self._buffer, x[:, unused:]], axis=1)
        self.n_samples_pushed += x.shape[1]
        self._n_received = getattr(self, "_n_received", 0) + x.shape[1]

    def _drop_used(self) -> None:
        """Let go of the samples before the next window's start. It may lie past the samples
        pushed (a window ended with the last push and the next starts a sample later): the
        buffer is then empty, and :meth:`_append` leaves out the samples pushed before it."""
        next_start = self.window_start(self.n_windows)
        drop = next_start - self._buffer_start
        if drop > 0:
            self._buffer = self._buffer[:, drop:]
            self._buffer_start = next_start

    def _embed(self, starts: list[int]) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        """Embeddings ``[b, N, S, D]``, onsets (s) and provenance of the windows at ``starts``."""
        length, offset = self.window_length, self._buffer_start
        epochs = np.stack([self._buffer[:, s - offset : s - offset + length] for s in starts])
        onsets = np.asarray(starts, dtype=np.float64) / self._rate
        recording = Recording(
            epochs,
            list(self.mapping.input_names),
            self.sfreq,
            source="<stream>",
            onsets=onsets,
            array_units=self.units,
        )
        # the first window's checks stand for the session; its reference, its sampling rate
        # and an approximated resampling ratio were warned of at init
        windows = prepare(
            recording, self._buffer_mapping, self._epoch_config, checks=not self._checked,
            refuse_flat=False,  # electrodes still settling: the session goes on
            channels_needed=getattr(self, "_needed", False),  # a probe's: a flat one is fixed
            warn_reference=False, warn_ratio=False, warn_rate=False,
        )  # fmt: skip
        self._checked = True
        z = self.engine.encode(windows.data, windows.mapping.chan_ids)
        metadata = self._stream_record("windows", recording, windows)
        stream_id = metadata.pop(STREAM_ID_KEY)  # last, after window_index, as always
        metadata["window_index"] = list(range(self.n_windows, self.n_windows + len(starts)))
        metadata[STREAM_ID_KEY] = stream_id
        check_embeddings(z, 0, onsets, metadata)
        self.n_windows += len(starts)
        return z, onsets, metadata


class _Calls:
    """Who holds an :class:`OnlineEmbedder`: one call (push, skip, reset, close) at a time, a second
    one refused; a copy of its state (:meth:`snapshot`) waits for a call in progress to end,
    and a call that comes during a copy waits for the copy."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._copying = 0

    def begin(self) -> bool:
        """Take the embedder for a call; False when another call holds it."""
        with self._cond:
            self._cond.wait_for(lambda: not self._copying)
            if self._busy:
                return False
            self._busy = True
            return True

    def end(self) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Hold off calls while the state is copied, after the call in progress ends."""
        with self._cond:
            self._cond.wait_for(lambda: not self._busy)
            self._copying += 1
        try:
            yield
        finally:
            with self._cond:
                self._copying -= 1
                self._cond.notify_all()


def native_window_length(
    sfreq: float, config: PreprocessingConfig, source: str | None = None
) -> int:
    """Samples at ``sfreq`` Hz that resample to one model window of ``config.n_samples``: of
    the lengths that give exactly that many, the one nearest the window's duration (4 s:
    ``4 * sfreq``); where none does (upsampling at some rates: 402 samples at 100.7 Hz give
    1022, 403 give 1025), the shortest that gives more, whose resampled samples past the
    window are cropped (:func:`eegpt.windowing.just_over_window`, as ``model.embed`` crops
    epochs of that length), rather than one that gives fewer, whose last samples would be
    zero-padded: a step from the signal to 0 in the window's last patch."""
    n = config.n_samples
    if sfreq == config.sfreq:
        return n
    if config.resample == "nearest":
        out = lambda length: int(round(length * config.sfreq / sfreq))  # noqa: E731
    else:
        up, down = polyphase_ratio(sfreq, config.sfreq, source)
        out = lambda length: -(-length * up // down)  # noqa: E731
    exact = n * sfreq / config.sfreq
    near = range(max(1, math.floor(exact) - 3), math.ceil(exact) + 4)
    whole = [k for k in near if out(k) == n]
    if whole:
        return min(whole, key=lambda k: (abs(k - exact), k))
    return min(k for k in near if out(k) > n)
