"""The argument types and option adders that ``eegpt embed``, ``eegpt embed-dataset`` and the
``eegpt probe`` commands share (seconds, start, crop, reference, resample, pooling, channels,
``--rename``, annotations, ``--events-from-stim``, ``--plot`` figures ...), and the parsers that
check their words before argparse does (:class:`CommandParser`, :class:`SubcommandParser`).
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import glob
import math
import os
import re
import shlex
import sys
import textwrap
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from eegpt._filenames import command_word, user_path
from eegpt._logging import (
    few,
)
from eegpt._runtime import device_name as device_name  # --device's type
from eegpt._seconds import parse_overlap, parse_seconds
from eegpt.cli_run import NAMED_STIM_OPTION
from eegpt.config import PRECISION_ALIASES as PRECISION_ALIASES  # --precision's other names
from eegpt.errors import EEGPTWarning
from eegpt.text_tables import is_number

if TYPE_CHECKING:
    from eegpt.preprocessing import PreprocessingConfig


def lower_choice(aliases: Mapping[str, str] | None = None) -> Callable[[str], str]:
    """The ``type=`` of an option whose ``choices=`` are lower-case words: the word given in
    any case (``--pool Mean``), or the choice an alias stands for (``--precision BF16``)."""

    def choice(text: str) -> str:
        word = text.strip().lower()
        return (aliases or {}).get(word, word)

    return choice


#: ``--device``'s help where the command runs on one device (all but embed-dataset).
DEVICE_HELP = (
    "cpu, cuda, cuda:1 ... (default: a CUDA GPU if present, else the CPU, as on a Mac: "
    "Apple's MPS is not supported)"
)


def add_inference_options(p: argparse.ArgumentParser, device_help: str = DEVICE_HELP) -> None:
    """``--device``, ``--batch-size``, ``--precision``, ``--stream-precision`` and ``--threads``
    (shared by the commands that run the model: embed, embed-dataset, probe train, evaluate
    and predict)."""
    g = p.add_argument_group("inference")
    g.add_argument("--device", type=device_name, default=None, help=device_help)
    g.add_argument(
        "--batch-size",
        type=positive_count,
        default=None,
        metavar="N",
        help="windows per forward pass (default: 64 on a GPU; on a CPU a few, fewer the more "
        "channels, which runs faster there)",
    )
    g.add_argument(
        "--precision",
        type=lower_choice(PRECISION_ALIASES),
        choices=["float32", "bfloat16", "float16"],
        default="float32",
        help="float32 (default) is exact; bfloat16/float16 are faster on GPU (max relative error on the "
        "embeddings: up to ~1e-2 bfloat16, ~1e-3 float16 (up to 1.2e-3 measured)). bfloat16 "
        "needs an Ampere or newer GPU (compute capability 8.0+: A100, RTX 30xx, L4, H100); "
        "float16 runs on older ones too (T4, V100, P100). On a CPU they pay only with native "
        "instructions (bfloat16: AVX-512 BF16, AMX). Also bf16, fp16, half, fp32",
    )
    g.add_argument(
        "--stream-precision",
        type=lower_choice(PRECISION_ALIASES),
        choices=["float32", "bfloat16", "float16"],
        default="float32",
        help="with --precision bfloat16/float16: dtype the residual stream is stored in between "
        "blocks (default float32); float16 is ~3%% faster on large GPU batches at a small "
        "extra error (windows that overflow it are recomputed in float32). Also bf16, fp16, "
        "half, fp32",
    )
    g.add_argument(
        "--threads",
        type=thread_count,
        default=None,
        metavar="N",
        help="CPU threads torch computes with (default: $OMP_NUM_THREADS or $MKL_NUM_THREADS "
        "where set, else torch's default capped at the CPUs this process may use: its CPU "
        "affinity and a cgroup v2 CPU quota such as docker --cpus)",
    )


def thread_count(text: str) -> int:
    """``--threads``: a whole number more than 0."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number more than 0, not {text!r}")
    return value


def check_inference_options(args: argparse.Namespace) -> None:
    """Refuse, before the weights are loaded, a combination of the inference options that
    cannot run: ``--stream-precision`` float16/bfloat16 stores the residual stream of a
    reduced ``--precision`` only (float32 stays exact)."""
    stream = getattr(args, "stream_precision", "float32")
    if stream != "float32" and getattr(args, "precision", "float32") == "float32":
        raise ValueError(
            f"--stream-precision {stream} stores the residual stream of a reduced --precision: "
            "give --precision bfloat16 or float16 too, or leave --stream-precision out "
            "(float32 stays exact)"
        )


def window_length(text: str) -> float:
    """``--window``: a length in seconds (:func:`seconds`), finite and more than 0."""
    value = seconds(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a window length in seconds, finite and more than 0, e.g. 4"
        )
    return value


def positive_count(text: str) -> int:
    """The ``type=`` of an option counting things that must be 1 or more (``--batch-size``,
    ``--shard-size``, ``--replicas``): a whole number more than 0."""
    return thread_count(text)


def count_from_zero(text: str) -> int:
    """The ``type=`` of an option counting things that may be none (``--workers 0``): a whole
    number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more, not {text!r}")
    return value


def seconds(text: str) -> float:
    """The ``type=`` of an option in seconds: a number, with an ``s`` after it or not (``4``,
    ``4s``, ``"4 s"``, ``0.5s``; :func:`eegpt._seconds.parse_seconds`)."""
    try:
        return parse_seconds(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def overlap_seconds(text: str) -> float:
    """``--overlap`` in seconds (:func:`seconds`); a percentage is refused with the seconds
    it would be of a 4 s window (:func:`eegpt._seconds.parse_overlap`)."""
    try:
        return parse_overlap(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def add_preprocessing_options(
    p: argparse.ArgumentParser,
    start_per_recording: bool = False,
    start_note: str = "",
    crop: bool = False,
    crop_note: str = "",
) -> None:
    """Windowing, reference, resampling and channel-mapping options (``--window`` ...);
    ``start_per_recording``: ``--start`` takes one value per continuous recording
    (``eegpt embed``, :func:`recording_starts`); ``start_note`` ends its help; ``crop``:
    ``--crop`` too (:func:`add_crop_option`), ``crop_note`` ending its help."""
    g = p.add_argument_group("preprocessing")
    add_window_option(g)
    if crop:
        add_crop_option(g, CROP_HELP + crop_note)
    g.add_argument(
        "--overlap",
        type=overlap_seconds,
        default=0.0,
        metavar="SECONDS",
        help="seconds each window overlaps the previous one (0: consecutive windows)",
    )
    add_start_option(g, per_recording="seconds" if start_per_recording else False, note=start_note)
    add_reference_option(g)
    add_resample_option(g)
    g.add_argument(
        "--tail",
        type=lower_choice(),
        choices=["drop", "pad"],
        default="drop",
        help="the end of a recording too short to fill a window: drop (default) leaves it "
        "out; pad fills it up with zeros into one more window. Epochs shorter than the window: "
        "drop stops with an error, pad fills each up with zeros (--window EPOCH_LENGTH embeds "
        "them without zeros)",
    )
    g.add_argument(
        "--detrend",
        type=lower_choice(),
        choices=["none", "constant", "linear"],
        default="none",
        help="per window and channel, subtract none (default): nothing; constant: the mean; "
        "linear: the straight line: for DC-coupled (BioSemi) or drifting recordings, which "
        "eegpt does not filter",
    )
    g.add_argument(
        "--reject-by-annotation",
        action="store_true",
        help="leave out windows that overlap an annotation marked bad (BAD_..., any case, as "
        "in MNE); by default they are embedded and flagged (a 'bad' column in Parquet)",
    )
    add_input_options(g)
    add_picks_option(g)
    add_keep_option(g)
    add_strict_channels_option(g)


STRICT_CHANNELS_HELP = "fail on channels outside the EEGPT vocabulary instead of dropping them"


def add_strict_channels_option(g: argparse._ActionsContainer, more: str = "") -> None:
    """``--strict-channels``: channels outside the vocabulary refused rather than dropped
    (Python: ``on_unknown="raise"``; embed, embed-dataset, probe train)."""
    g.add_argument(
        "--strict-channels",
        action="store_true",
        help=STRICT_CHANNELS_HELP + more,
    )


def on_unknown_of(args: argparse.Namespace) -> Literal["drop", "raise"]:
    """The ``on_unknown`` of ``--strict-channels``: ``"raise"`` if given, else ``"drop"``."""
    return "raise" if getattr(args, "strict_channels", False) else "drop"


def add_window_option(g: argparse._ActionsContainer) -> None:
    """``--window SECONDS`` (:attr:`PreprocessingConfig.window_seconds`; embed, embed-dataset,
    probe train)."""
    g.add_argument(
        "--window",
        type=window_length,
        default=4.0,
        metavar="SECONDS",
        help="window length in seconds (4)",
    )


CROP_HELP = (
    "epochs (-epo.fif, epoched .set): crop each epoch to one window, [TMIN, TMIN + --window) s "
    "relative to its time-locking event (MNE's epoch times), before anything else. The end "
    "is exclusive, so each epoch gives exactly one window: MNE's tmax is inclusive, and "
    "epochs of -0.2 to 0.8 s at 1000 Hz have 1001 samples, of which --crop -0.2 --window 1 "
    "keeps the first 1000, as epochs.crop(-0.2, 0.8 - 1 / epochs.info['sfreq']) does. "
    "Recorded as crop_tmin in the preprocessing of the output (and of a probe). Refused for "
    "continuous recordings and .npz arrays, which have no event times"
)

#: The end of ``--crop``'s help where ``--epochs-around`` cuts epochs (embed, probe train).
CROP_AROUND_NOTE = (
    "; with --epochs-around, where each epoch cut from a continuous recording starts "
    "relative to its event (0 without it)"
)


def add_crop_option(g: argparse._ActionsContainer, help: str = CROP_HELP) -> None:
    """``--crop TMIN`` (:attr:`PreprocessingConfig.crop_tmin
    <eegpt.preprocessing.PreprocessingConfig.crop_tmin>`), None when not given."""
    g.add_argument("--crop", type=seconds, default=None, metavar="TMIN", help=help)


def preprocessing_config(args: argparse.Namespace) -> PreprocessingConfig:
    """The :class:`~eegpt.preprocessing.PreprocessingConfig` of the options above."""
    from eegpt.preprocessing import PRETRAINING_SCALE, PreprocessingConfig

    return PreprocessingConfig(
        window_seconds=args.window,
        overlap=args.overlap,
        average_reference=args.average_reference,
        resample=args.resample,
        tail=args.tail,
        detrend=args.detrend,
        scale=PRETRAINING_SCALE * checked_rescale(args.rescale),
        start_seconds=_start_for_all(args.start),
        crop_tmin=getattr(args, "crop", None),
    )


def _start_for_all(start: float | list[float] | None) -> float:
    """The ``--start`` every recording takes: the one value given (0 without), or 0 where
    one per recording was given (:func:`recording_starts` sets each)."""
    if isinstance(start, list):
        return float(start[0]) if len(start) == 1 else 0.0
    return float(start or 0.0)


def add_start_option(
    g: argparse._ActionsContainer,
    per_recording: bool | str = False,
    note: str = "",
    command: str = "probe ...",
    trained: bool = False,
) -> None:
    """``--start SECONDS`` (:attr:`PreprocessingConfig.start_seconds`); ``per_recording``
    (the probe commands): ``--start annotations`` or one value per continuous recording, a
    list in ``args.start`` (:func:`start_value`; None when not given); ``"seconds"``
    (``eegpt embed``): one value per continuous recording, in seconds only
    (:func:`start_of_each`, :func:`recording_starts`). ``note`` ends the help; ``command``:
    the probe command's words before its recordings, for the example of an error
    (``"probe predict PROBE"``); ``trained``: a command of a trained probe (predict,
    evaluate), which has neither ``--window`` (the probe's length) nor ``--val-data``."""
    windows = "a probe of 30 s windows" if trained else "30 s windows"
    given = "--start 17" if trained else "--window 30 --start 17"
    help = (
        "onset of the first window of a continuous recording, in s from its first sample "
        f"(0); no window is made before it. For {windows} on scoring epochs that start 17 s "
        f"in: {given} (onsets stay in recording time: 17, 47, ...). Windows "
        "are cut at 256 Hz: a start between two of its samples moves to the nearest (17.3: "
        "17.30078125), with a note"
    )
    if not per_recording:
        g.add_argument(
            "--start", type=start_seconds, default=0.0, metavar="SECONDS", help=help + note
        )
        return
    if per_recording == "seconds":
        g.add_argument(
            "--start",
            type=start_of_each,
            nargs="+",
            default=None,
            metavar="SECONDS",
            help=help + ". Lights-off differs per night: give one value per continuous "
            "recording, in the order given (one value is for all): --start 17 73" + note,
        )
        return

    def value(text: str) -> float | str:
        return start_value(text, command)

    value.__name__ = start_value.__name__  # what argparse names in an error of its own
    g.add_argument(
        "--start",
        type=value,
        nargs="+",
        default=None,
        metavar="SECONDS",
        help=help + ". Lights-off differs per night: --start annotations starts each "
        "recording's windows at the onset of its first labelling annotation (the first "
        "matching --window-labels"
        + (", the probe's by default" if trained else "")  # train has no probe to adopt
        + ": its first scored epoch), or give one value per continuous recording, in the "
        "order given"
        + ("" if trained else " (--val-data ones last)")
        + ": --start 17 73"
        + (
            ". Without it, the probe's training start is adopted: its value, or the rule "
            "--start annotations (one value per training recording is not)"
            if trained
            else ""
        ),
    )


START_FROM_ANNOTATIONS = "annotations"


"""``--start annotations``: each recording's windows start at its first labelling
annotation."""


def start_value(text: str, command: str = "probe ...") -> float | str:
    """A value of the probe commands' ``--start``: :func:`start_seconds`, or ``annotations``
    (:data:`START_FROM_ANNOTATIONS`). ``command``: the words before the recordings in the
    example of the error for a file (``"probe predict PROBE"``)."""
    if text.strip().lower() == START_FROM_ANNOTATIONS:
        return START_FROM_ANNOTATIONS
    _refuse_a_file(text, command)
    return start_seconds(text)


def start_of_each(text: str) -> float:
    """A value of ``eegpt embed``'s ``--start``, one per continuous recording:
    :func:`start_seconds`. ``annotations`` is refused with why: which annotation starts a
    recording's scoring is said by the probe commands' ``--window-labels``, which embed has
    not (a recording's first annotation may be a marker, a bad span or another scorer's)."""
    if text.strip().lower() == START_FROM_ANNOTATIONS:
        raise argparse.ArgumentTypeError(
            "--start annotations is for the probe commands, whose --window-labels say which "
            "annotations are scored epochs; a recording's first annotation of any kind may be "
            "a marker or a bad span: give each recording's start in seconds (--start 17 73; "
            "the onset of its first scored epoch, e.g. from its hypnogram)"
        )
    _refuse_a_file(text, "embed")
    return start_seconds(text)


def _refuse_a_file(text: str, command: str) -> None:
    """A ``--start`` value that is a file: the recordings given after ``--start 17``, which
    takes one value per recording (and so the files too). A number is a start, even where a
    file of that name exists."""
    try:
        seconds(text)
    except argparse.ArgumentTypeError:
        if os.path.exists(text):  # else start_seconds says what is wrong with it
            raise argparse.ArgumentTypeError(
                f"{text!r} is a file, not a start in seconds: --start takes one value per "
                f"recording, so give it after the recordings (eegpt {command} A.edf B.edf ... "
                "--start 17 73), or as --start=17"
            ) from None


def recording_starts(
    values: Sequence[float] | None, recordings: Sequence[Path]
) -> dict[Path, float]:
    """``eegpt embed``'s ``--start`` as each recording's own start in s: with one value per
    continuous recording (not epochs: :func:`eegpt.io.may_hold_epochs`), in the order of
    ``recordings``, each of those with its value; empty with none or one (that one, for all,
    is in :func:`preprocessing_config`). An error on another number of values."""
    if values is None or len(values) <= 1:
        return {}
    from eegpt.io import may_hold_epochs

    continuous = [p for p in recordings if not may_hold_epochs(p)]
    if len(values) != len(continuous):
        raise ValueError(
            f"--start: {len(values)} values for {len(continuous)} continuous recording(s) "
            f"({few([str(p) for p in continuous], 3)}): give one for all, or one per "
            "continuous recording in the order given"
        )
    from eegpt.dataset_inputs import file_identity

    starts: dict[Path, float] = {}
    first: dict[Any, tuple[Path, float]] = {}  # each file (however named): its first start
    for path, value in zip(continuous, values, strict=True):
        given, start = first.setdefault(file_identity(path), (path, float(value)))
        if float(value) != start:  # a file given twice is read once (given_once): which?
            also = "" if given == path else f" (given first as {given})"
            raise ValueError(
                f"--start: {path}{also} is given twice, with {start:g} s and {value:g} s; "
                "it is embedded once: give it once, or the same start both times"
            )
        starts.setdefault(path, start)
    return starts


def start_seconds(text: str) -> float:
    """``--start`` in seconds (:func:`seconds`), 0 or more, checked alike for every command.
    One between two samples at the model's rate (windows are cut at 256 Hz) is moved to the
    nearest, with a note, where the windows are made (:func:`eegpt.preprocessing.start_on_grid`),
    as the onsets ``--start annotations`` takes are."""
    value = seconds(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the first window's onset is 0 or more seconds from the first sample"
        )
    return value


def add_reference_option(g: argparse._ActionsContainer) -> None:
    """``--average-reference`` (the default) and ``--no-average-reference``
    (:attr:`PreprocessingConfig.average_reference`)."""
    g.add_argument(
        "--average-reference",
        dest="average_reference",
        action="store_true",
        default=True,
        help="at each sample, subtract the mean over the channels used (after dropped, bad "
        "and non-EEG channels are left out), as EEGPT's pretraining did (default)",
    )
    g.add_argument(
        "--no-average-reference",
        dest="average_reference",
        action="store_false",
        help="keep the reference as recorded: for a single channel, two (their average would "
        "leave each the other's negative), or data whose reference you mean to keep (a recipe "
        "that did not re-reference, such as TUAB's)",
    )


def add_resample_option(g: argparse._ActionsContainer) -> None:
    """``--resample`` (:attr:`PreprocessingConfig.resample`)."""
    g.add_argument(
        "--resample",
        type=lower_choice(),
        choices=["polyphase", "nearest"],
        default="polyphase",
        help="resampling to 256 Hz: polyphase (default) or nearest (the original scripts')",
    )


def add_pool_option(g: argparse._ActionsContainer) -> None:
    """``--pool none|mean``: what is stored per window (``eegpt embed``, ``embed-dataset``)."""
    g.add_argument(
        "--pool",
        type=lower_choice(),
        choices=["none", "mean"],
        default="none",
        help="none (default): store all N*S*D summary-token values per window; mean: their "
        "mean (D values)",
    )


def add_input_options(g: argparse._ActionsContainer) -> None:
    """Corrections of the input files: ``--rescale``, ``--rename``, ``--drop`` (also used by
    ``eegpt probe``; see :func:`parse_rename` and :func:`checked_rescale`)."""
    g.add_argument(
        "--rescale",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="multiply the samples as read (volts) by FACTOR, for files whose header gives the "
        "wrong unit: 1e-6 for microvolts labelled as volts (the amplitude check suggests it; "
        "default 1: as read)",
    )
    add_channel_options(g)


def add_channel_options(g: argparse._ActionsContainer) -> None:
    """``--rename`` and ``--drop`` (see :func:`parse_rename`)."""
    g.add_argument(
        "--rename",
        action="append",
        default=[],
        metavar="IN=VOCAB",
        help="map a channel name explicitly, e.g. --rename 'EEG 1=FP1' (repeatable; with "
        "several recordings it applies to those that have the channel); --rename biosemi64 "
        "(or biosemi32) names BioSemi socket labels A1..B32 by that cap's layout, --rename "
        "bci-iv-2a the labels of BCI Competition IV 2a's GDF files (EEG-Fz, EEG-0 ...); --rename "
        "FILE takes a table of label<TAB>electrode lines (or .csv, .json; an empty electrode "
        "drops the channel)",
    )
    g.add_argument(
        "--drop",
        action="append",
        default=[],
        metavar="NAME",
        help="leave a channel out, e.g. --drop 'EEG FP1-REF' (repeatable); a NAME the "
        "recording has no label of drops the channel that --rename names NAME: --rename "
        "biosemi64 --drop C1 drops the socket holding C1",
    )


def add_keep_option(g: argparse._ActionsContainer) -> None:
    """``--keep-channels NAMES`` (see :func:`parse_keep`)."""
    g.add_argument(
        "--keep-channels",
        type=parse_keep,
        default=None,
        metavar="NAMES",
        help="use only these EEGPT channels (after --rename), in every file: 10-20 (the 19 "
        "electrodes of the 10-20 system) or the name of a --rename table (bci-iv-2a: its 22 "
        "electrodes; biosemi32, biosemi64), comma-separated names, e.g. Fp1,Fp2,Cz, or both, "
        "applied left to right, -NAME removing one from those before it: 10-20,Oz or "
        "10-20,-C3 (a removal first removes nothing, and a value that starts with '-' is "
        "taken for an option); the average reference then runs over them. Files of different systems or sites give "
        "embeddings of one channel set this way (a file lacking some is warned about)",
    )


def parse_keep(text: str) -> list[str]:
    """``--keep-channels`` -> the ``keep`` argument of :func:`eegpt.channels.map_channels`:
    the comma-separated items (``"10-20, -C3"`` -> ``["10-20", "-C3"]``: sets, names and
    ``-NAME`` removals, :func:`eegpt.channels.kept_channels`); checked at once (an unknown
    name is an error that suggests the vocabulary name meant)."""
    from eegpt.channels import kept_channels

    keep = [name.strip() for name in text.split(",") if name.strip()]
    try:
        kept_channels(keep, warn_idle=True)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err
    return keep


def add_picks_option(g: argparse._ActionsContainer, default: str = "eeg") -> None:
    """``--picks TYPE`` (repeatable; see :func:`picks_of`); ``default``: its default, as its
    help says it (``probe predict``/``evaluate``: the probe's own)."""
    g.add_argument(
        "--picks",
        action="append",
        default=None,
        metavar="TYPE",
        help=f"channel types to read (default: {default}; repeatable): --picks eeg --picks misc "
        "also takes electrodes a file types misc, --picks all every channel (names outside the "
        "vocabulary are dropped)",
    )


def picks_of(args: argparse.Namespace) -> str | list[str]:
    """MNE ``picks`` from ``--picks``: ``"eeg"`` by default, one type, or a list of them."""
    types = args.picks or ["eeg"]
    return types[0] if len(types) == 1 else list(dict.fromkeys(types))


#: What ``--weights`` takes, said by every command that has it.
WEIGHTS_FORMS = (
    "a .ckpt/.safetensors file, a converted directory, a URL, or a name from "
    "'eegpt fetch --list' (e.g. eegpt-large)"
)

WEIGHTS_OPTION_HELP = (
    "checkpoint, required (there is no default: without it the command stops, saying how to "
    f"get weights, or random ones to try it offline): {WEIGHTS_FORMS}"
)

#: Without ``--weights``, after how to get the pretrained ones: weights at hand offline, to
#: try the commands (docs/weights.md, "random weights").
OFFLINE_WEIGHTS_HELP = """No network yet? Random weights (NOT pretrained: their embeddings mean nothing) try every
command offline: `eegpt demo -o eegpt-demo` writes them, then
`--weights eegpt-demo/random-weights`; or a small model, much faster on a CPU:
  python -c "from eegpt import EEGPT, save_checkpoint; save_checkpoint(EEGPT('tiny2'), 'tiny-random')"
then `--weights tiny-random` (docs/weights.md)."""


def no_weights_message() -> str:
    """What ``eegpt embed`` and ``embed-dataset`` say without ``--weights``: how to get the
    pretrained weights (:data:`eegpt.hub.WEIGHTS_HELP`), then random ones to try offline."""
    from eegpt.hub import WEIGHTS_HELP

    return f"no --weights given.\n\n{WEIGHTS_HELP}\n{OFFLINE_WEIGHTS_HELP}"


class PositiveValue(argparse.Action):
    """Store a number (its ``type``) that must be more than 0: otherwise a usage error naming
    the option (``--minutes must be more than 0``)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if not values > 0:  # NaN too
            parser.error(f"{option_string} must be more than 0, not {values:g}")
        setattr(namespace, self.dest, values)


#: Where the actions of ``eegpt probe`` are looked for when given as a command of their own.
_PROBE_ACTIONS = ("train", "predict", "evaluate")


def describe_commands(commands: argparse._SubParsersAction) -> None:
    """Open each command's --help that has no description of its own with the line its
    parent's --help shows for it (``eegpt CMD --help``, ``eegpt probe ACTION --help``)."""
    for action in commands._choices_actions:
        command = commands.choices[action.dest]
        if command.description is None and action.help:
            command.description = action.help[0].upper() + action.help[1:] + "."


class WholeNamesHelpFormatter(argparse.HelpFormatter):
    """The ``formatter_class`` of eegpt's parsers: argparse's, but a line of help is never
    broken inside a hyphenated word, so an option named in a help stays whole
    (``--window-labels``, not ``--window-`` at a line's end and ``labels`` on the next)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        text = " ".join(text.split())
        return textwrap.wrap(text, width, break_on_hyphens=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        text = " ".join(text.split())
        return textwrap.fill(
            text, width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
        )


class LaidOutHelpFormatter(WholeNamesHelpFormatter):
    """The ``formatter_class`` of a command whose description or epilog is laid out by hand
    (examples, tables of exit statuses): a text of several lines is shown as written (as
    ``argparse.RawDescriptionHelpFormatter`` shows it), one of a single line (a description, a
    group's note) is wrapped to the terminal as an option's help is; the raw formatter showed
    those 100 to 500 characters long on one line."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text.strip("\n"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def needed_option(action: argparse.Action) -> argparse.Action:
    """Mark ``action``, an option argparse leaves optional so that the command itself says,
    without it, what to give (``--weights``: how to get weights) but which every run needs:
    the usage line shows it unbracketed, as argparse shows a required option."""
    action.needed = True  # type: ignore[attr-defined]
    return action


def _needed_options_unbracketed(parser: argparse.ArgumentParser, text: str) -> str:
    """``text`` (usage or help) with the usage's ``[--weights WEIGHTS]`` as ``--weights
    WEIGHTS`` for each option of ``parser`` marked :func:`needed_option`."""
    for action in parser._actions:
        if getattr(action, "needed", False) and action.option_strings:
            option, metavar = action.option_strings[-1], action.metavar or action.dest.upper()
            text = text.replace(f"[{option} {metavar}]", f"{option} {metavar}", 1)
    return text


class CommandParser(argparse.ArgumentParser):
    """eegpt's parsers. Before argparse parses, the words are checked in the order a reader
    of the error wants: an option the (sub)command does not know is reported first, with the
    option meant (argparse would report a required option as missing instead, ``--ouput``
    for ``--output``), and a command it does not know with the command meant.

    A long option argparse would take as an abbreviation (``--ann`` for ``--annotations``) is
    refused where it is itself the full name of an option of another eegpt command:
    ``--window`` means a window length to ``embed`` and ``probe train``, and ``probe predict``
    must not read it as ``--window-labels``. ``absent_options`` (a keyword of ``add_parser``)
    maps such names to what the refusal adds for this command (where its setting comes
    from instead)."""

    def __init__(self, *args: Any, absent_options: Mapping[str, str] | None = None, **kwargs: Any):
        kwargs.setdefault("formatter_class", WholeNamesHelpFormatter)
        super().__init__(*args, **kwargs)
        self.absent_options = dict(absent_options or {})

    def format_usage(self) -> str:
        return _needed_options_unbracketed(self, super().format_usage())

    def format_help(self) -> str:
        return _needed_options_unbracketed(self, super().format_help())

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        words = list(sys.argv[1:] if args is None else args)
        self._words = words  # for error(): what the words were read as
        commands = self._commands()
        if commands is None:
            self._check_options(words)
        else:
            self._check_command(words, commands)
        parsed, extras = super().parse_known_args(words, namespace)
        return _expand_user_paths(parsed), extras

    def _commands(self) -> argparse._SubParsersAction | None:
        """This parser's subcommands, if it has any."""
        found = [a for a in self._actions if isinstance(a, argparse._SubParsersAction)]
        return found[0] if found else None

    def _unknown(self, word: str) -> bool:
        """Whether ``word`` is an option-like word that names none of this parser's options
        (nor a long one's abbreviation, which argparse accepts)."""
        if not word.startswith("-") or word == "-" or is_number(word):  # a value
            return False
        name = word.split("=", 1)[0]
        known = self._option_string_actions
        if word.startswith("--"):
            return not any(option.startswith(name) for option in known)
        return name not in known and word[:2] not in known  # -ofile.npz: -o with its value

    def _short_option_over_a_file(self, word: str, others: Sequence[str] = ()) -> bool:
        """Whether ``word`` begins with a short option of this parser (``-o``) that argparse
        would take with the rest of the word as its value, where the word is rather a file
        whose name begins with '-' (``-out.edf``, no ``-o ut.edf``): a path there is, or
        a name with a recording's suffix, which no such option's value has (``-ofile.npz``,
        an output, is ``-o file.npz``). The output option's glued value is an output
        whatever its suffix (``embed x.edf -oout.fif`` is ``-o out.fif``, whose type the
        command then checks), unless a path of the word's name is there or one of
        ``others`` (the command line's other words) gives the output (``-out.edf -o x.npz``)."""
        known = self._option_string_actions
        if word.startswith("--") or word in known or word[:2] not in known or "=" in word:
            return False
        if os.path.lexists(word):
            return True
        if not word.lower().endswith(_DASHED_RECORDING_SUFFIXES):
            return False
        action = known[word[:2]]
        if action.dest != "output" or action.nargs == 0:
            return True
        return any(self._gives(action, w) for w in others)

    def _gives(self, action: argparse.Action, word: str) -> bool:
        """Whether the command-line word ``word`` gives the option ``action`` (``-o``,
        ``-ox.npz``, ``--output``, ``--out=x.npz``)."""
        name = word.split("=", 1)[0] if word.startswith("--") else word
        if not word.startswith("--") and word.startswith("-") and word[:2] in action.option_strings:
            return True  # -o, or its value glued (-ox.npz)
        if not name.startswith("--"):
            return False
        return any(o.startswith(name) for o in action.option_strings if o.startswith("--"))

    def error(self, message: str) -> NoReturn:
        """argparse's usage error, where none of this parser's positional arguments was given
        (``the following arguments are required: recordings``) while a word glued to the
        output option names a recording (``-out.edf``, read as ``-o ut.edf``: an output that
        the command cannot write): what argparse read it as, and how to give a file of that
        name, are said too."""
        glued = self._recording_read_as_output(message)
        if glued is not None:
            message += (
                f"; {glued} was read as the option {glued[:2]} with the value {glued[2:]!r} "
                f"(the output), not as an input: {self._dash_file_advice(glued)}"
            )
        super().error(message)

    def _recording_read_as_output(self, message: str) -> str | None:
        """The word argparse read as the output option with a recording's name glued to it
        (``-out.edf``, not a path there: those are refused before parsing), where ``message``
        says none of this parser's positional arguments was given; None otherwise."""
        required = "the following arguments are required: "
        if not message.startswith(required):
            return None
        missing = set(message[len(required) :].split(" (", 1)[0].split(", "))
        positional = {
            argparse._get_action_name(a) for a in self._actions if not a.option_strings
        }  # fmt: skip
        if not missing & positional:
            return None
        words = getattr(self, "_words", [])
        words = words[: words.index("--")] if "--" in words else words
        known = self._option_string_actions
        for word in words:
            action = known.get(word[:2])
            if (
                action is not None
                and action.dest == "output"
                and action.nargs != 0
                and word not in known
                and not word.startswith("--")
                and "=" not in word
                and word.lower().endswith(_DASHED_RECORDING_SUFFIXES)
            ):
                return word
        return None

    def _dash_file_advice(self, word: str) -> str:
        """How to give ``word``, a file whose name begins with '-', so that it is no option."""
        return (
            f"a file whose name begins with '-' is taken for an option: give it as "
            f"{command_word(word)}, or after -- ({self.prog} ... -- {shlex.quote(word)})"
        )

    def _check_options(self, words: list[str]) -> None:
        """Error on the words before ``--`` that name no option, each with the closest one."""
        words = words[: words.index("--")] if "--" in words else words
        # -out.edf: a file argparse would read as -o with the value ut.edf
        shadowed = [
            w
            for i, w in enumerate(words)
            if self._short_option_over_a_file(w, [*words[:i], *words[i + 1 :]])
        ]
        if shadowed:
            word = shadowed[0]
            takes_value = self._option_string_actions[word[:2]].nargs != 0  # -q: a flag
            self.error(
                f"{word} would be read as the option {word[:2]} "
                f"{'with the value' if takes_value else 'followed by'} {word[2:]!r}: "
                f"{self._dash_file_advice(word)}"
            )
        unknown = [w for w in words if self._unknown(w)]
        if not unknown:
            self._check_abbreviations(words)
            return
        absent = [
            (n, full)
            for n in (w.split("=", 1)[0] for w in unknown)
            if (full := self._absent_option(n)) is not None
        ]
        if absent:  # an option of other commands that this one does without: say why
            word, full = absent[0]
            read = "" if word == full else f" (which {word} abbreviates)"
            self.error(
                f"unrecognized arguments: {' '.join(unknown)}; {self.prog} takes no "
                f"{full}{read}: {self.absent_options[full]}"
            )
        # first an option's value (-o -results.npz, --keep-channels -C3): after -- it would be
        # an input, not the option's value
        valued = self._dash_value(words, unknown)
        if valued:  # --keep-channels -C3: argparse took the value for an option
            self.error(
                f"unrecognized arguments: {' '.join(unknown)}; a value that starts with '-' "
                f"is taken for an option{valued}"
            )
        files = [w for w in unknown if _file_name_with_a_dash(w)]
        if files:  # eegpt embed -dash.edf: a file argparse takes for an option
            self.error(
                f"unrecognized arguments: {' '.join(unknown)}; {self._dash_file_advice(files[0])}"
            )
        # compared without their dashes, which every long option shares: --overlap is not
        # close to --help
        options = {o[2:]: o for o in self._option_string_actions if o.startswith("--")}
        hints = []
        for word in unknown:
            name = word.split("=", 1)[0].lower().lstrip("-")
            close = [options[c] for c in difflib.get_close_matches(name, list(options), n=1)]
            if close:
                hints.append(close[0] if len(unknown) == 1 else f"{close[0]} (for {word})")
        hint = f"; did you mean {', '.join(hints)}?" if hints else ""
        self.error(f"unrecognized arguments: {' '.join(unknown)}{hint}")

    def _absent_option(self, name: str) -> str | None:
        """The option of :attr:`absent_options` that the unknown option name ``name`` spells
        out or abbreviates (``--strict``, ``--strict-chan`` for ``--strict-channels``), as
        argparse would take it were it this parser's; None for another."""
        if name in self.absent_options:
            return name
        if not name.startswith("--") or len(name) < 3:
            return None
        found = [o for o in self.absent_options if o.startswith(name)]
        return found[0] if len(found) == 1 else None

    def _dash_value(self, words: Sequence[str], unknown: Sequence[str]) -> str:
        """What to write where an unknown word (``-C3``) follows an option of this parser
        that takes one value, so it was meant as that value; "" otherwise. That is the value
        after '=' (``--start=-5``), but for ``--keep-channels`` a value that starts with a
        removal removes nothing (a removal takes away only what the items before it kept),
        so the set comes first: ``--keep-channels 10-20,-C3``."""
        for before, word in zip(words, words[1:], strict=False):
            action = self._option_string_actions.get(before)
            if word in unknown and action is not None and action.nargs is None:
                if action.dest == "keep_channels":
                    return (
                        ", and a removal takes away only what the items before it kept, so "
                        f"give the set it removes from first: {before} 10-20,{word}"
                    )
                return f": write it with '=', {before}={word}"
        return ""

    def _check_abbreviations(self, words: list[str]) -> None:
        """Error on a long option this parser would expand as an abbreviation (``--window`` to
        ``--window-labels``) that is the full name of an option of another eegpt command,
        whose meaning the user most likely had in mind: it is refused, not silently taken."""
        own = self._option_string_actions
        for word in words:
            name = word.split("=", 1)[0]
            if not name.startswith("--") or name in own:
                continue
            expands = sorted(o for o in own if o.startswith(name))
            if not expands:  # no abbreviation (nor an option): left to argparse
                continue
            elsewhere = [c for c in option_commands().get(name, ()) if c != self.prog]
            if not elsewhere:
                continue
            commands = ", ".join(elsewhere[:-1]) + " and " * (len(elsewhere) > 1) + elsewhere[-1]
            text = (
                f"unrecognized argument {word!r}: this command has no option {name}; {name} is "
                f"an option of {commands}, so it is not taken here as short for "
                f"{' or '.join(expands)}"
            )
            extra = self.absent_options.get(name)
            self.error(f"{text}: {extra}" if extra else f"{text} (spell that out if meant)")

    def _command_at(self, words: list[str]) -> int:
        """The index of the command among ``words`` (``len(words)`` where none): the first word
        that is neither an option nor the value of one before it (``--log-file run.log``)."""
        skip = False
        for i, word in enumerate(words):
            if skip:
                skip = False
                continue
            if not word.startswith("-"):
                return i
            action = self._option_named(word)
            skip = action is not None and action.nargs != 0
        return len(words)

    def _option_named(self, word: str) -> argparse.Action | None:
        """The option ``word`` names: its full name, or a long option's abbreviation as
        argparse takes it (``--log`` for ``--log-file``); None for a value (``--log-file=x``
        holds its own) or a word naming none; an error for an abbreviation of several."""
        known = self._option_string_actions
        if word in known or not word.startswith("--") or "=" in word or word == "--":
            return known.get(word)
        matches = sorted(o for o in known if o.startswith("--") and o.startswith(word))
        if len({id(known[o]) for o in matches}) > 1:
            self.error(f"ambiguous option: {word} could match {', '.join(matches)}")
        return known[matches[0]] if matches else None

    def _check_command(self, words: list[str], commands: argparse._SubParsersAction) -> None:
        """Error on an option before the command that this parser does not take, and on a
        command it does not have, naming the command meant."""
        at = self._command_at(words)
        if at == len(words) and not any(w in ("-h", "--help", "--version") for w in words):
            self.print_help(sys.stderr)  # no command: what the commands are
            self.exit(2)
        unknown = [w for w in words[:at] if self._unknown(w)]
        if unknown:
            after = f"{self.prog} {words[at]}" if at < len(words) else f"{self.prog} COMMAND"
            self.error(
                f"unrecognized arguments: {' '.join(unknown)}; the options of a command go "
                f"after it: {after} ... {' '.join(unknown)}"
            )
        if at == len(words) or words[at] in commands.choices:
            return
        word = words[at]
        names = list(commands.choices)
        close = [n for n in names if n.lower() == word.lower()] or difflib.get_close_matches(
            word.lower(), names, n=1
        )
        if close:
            hint = f"; did you mean `{self.prog} {close[0]}`?"
        elif word.lower() in _PROBE_ACTIONS and "probe" in names:
            hint = f"; did you mean `{self.prog} probe {word.lower()}`?"
        else:
            hint = f" (choose from {', '.join(names)})"
        self.error(f"unknown command {word!r}{hint}")


#: Suffixes of recordings: a word that begins with a short option and ends so (``-out.edf``) is
#: a file whose name begins with '-' (:meth:`CommandParser._short_option_over_a_file`).
_DASHED_RECORDING_SUFFIXES = (
    ".edf", ".bdf", ".gdf", ".fif", ".fif.gz", ".vhdr", ".set", ".cnt", ".mff", ".eeg",
)  # fmt: skip


def _file_name_with_a_dash(word: str) -> bool:
    """Whether ``word``, an unknown option-like word, is rather a file name that begins with
    '-' (``-dash.edf``): a path there is, or a name with a suffix (``.edf``, ``.npz``) that no
    option of eegpt has; ``--start=-5`` (a value after '=') is none."""
    if "=" in word:
        return False
    return (
        os.path.lexists(word) or re.fullmatch(r"-[^=]*\.[A-Za-z][A-Za-z0-9]{0,4}", word) is not None
    )


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """``parser`` and the parsers of its subcommands, theirs in turn (each once)."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # an alias: the same parser
                found += _parsers(sub)
    return found


_OPTION_COMMANDS: dict[str, tuple[str, ...]] = {}


def option_commands() -> dict[str, tuple[str, ...]]:
    """Each long option of eegpt's commands (``--window``) with the commands that have it
    (``("eegpt embed", "eegpt probe train")``, their ``prog``), from :func:`eegpt.cli.build_parser`
    (built once, when first needed: only where an option is abbreviated)."""
    from eegpt.cli import build_parser  # the whole command tree, which imports this module

    if not _OPTION_COMMANDS:
        for parser in _parsers(build_parser()):
            for option in parser._option_string_actions:
                if option.startswith("--"):
                    _OPTION_COMMANDS[option] = (*_OPTION_COMMANDS.get(option, ()), parser.prog)
    return _OPTION_COMMANDS


def _expand_user_paths(namespace: argparse.Namespace) -> argparse.Namespace:
    """``namespace`` with ``~`` expanded in each path it holds (an option of ``type=Path``,
    alone or in a list: inputs and outputs alike, :func:`eegpt._filenames.user_path`), as a
    shell does for a word that starts with it but not for a quoted one or ``--output=~/x``."""
    for name, value in vars(namespace).items():
        if isinstance(value, Path):
            setattr(namespace, name, user_path(value))
        elif isinstance(value, list) and any(isinstance(v, Path) for v in value):
            setattr(namespace, name, [user_path(v) if isinstance(v, Path) else v for v in value])
    return namespace


class SubcommandParser(CommandParser):
    """The parser of a subcommand (``eegpt embed``, ``eegpt probe predict`` ...): an argument
    it does not know is an error with its own usage, not left over for the top-level parser,
    which would show the top-level usage instead."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


def _colon_pair(text: str) -> bool:
    """Whether ``text`` reads as IN:VOCAB, a name on each side of a ':' (a path's ``C:\\``
    or ``/`` is none)."""
    label, colon, electrode = text.rpartition(":")
    return bool(colon and label.strip() and electrode.strip()) and not re.search(r"[/\\]", text)


def checked_rescale(factor: float) -> float:
    """``--rescale``'s factor, refused unless positive and finite."""
    if not (math.isfinite(factor) and factor > 0):
        raise ValueError(f"--rescale must be a positive number, got {factor:g}")
    return factor


def parse_rename(pairs: Sequence[str], drop: Sequence[str] = ()) -> dict[str, str | None] | None:
    """``--rename`` entries and ``--drop`` names -> the ``rename`` argument of
    :func:`eegpt.channels.map_channels`: ``(["EEG 1=FP1"], ["ECG"])`` ->
    ``{"EEG 1": "FP1", "ECG": None}``, or None when both are empty. An entry that names a cap
    (``biosemi64``, see :func:`eegpt.channels.cap_rename`) stands for its socket table, one
    that names a file for the table it holds (:func:`eegpt.channels.read_rename_table`); the
    other entries and ``--drop`` override single channels of them. With a table, the result is
    a :class:`~eegpt.channels.RenameTable`: a recording may lack some of the table's labels,
    not those given one by one."""
    from eegpt.rename_tables import CAPS, RenameTable, cap_name, no_table_error, rename_table
    from eegpt.vocabulary import normalize_channel_name, typed_name

    pairs, drop = [typed_name(p) for p in pairs], [typed_name(n) for n in drop]

    out: dict[str, str | None] = {}
    tables = [  # a file named as a cap is the cap's table (as rename_table takes it)
        p.strip()
        for p in pairs
        if "=" not in p and p.strip() not in CAPS and user_path(p.strip()).is_file()
    ]
    caps = [
        p.strip() for p in pairs if "=" not in p and p.strip() not in tables and cap_name(p.strip())
    ]
    if len({cap_name(cap) for cap in caps}) > 1:  # biosemi64 and BIOSEMI-64 are one
        raise ValueError(f"--rename names more than one cap: {caps}")
    read = [rename_table(table) for table in [*caps, *tables]]  # as rename= takes them
    for table in read:
        out.update(table)
    explicit: set[str] = set()
    for pair in pairs:
        if pair.strip() in caps or pair.strip() in tables:
            continue
        name, sep, target = pair.partition("=")
        if not sep and _colon_pair(name.strip()):  # 'EEG FP1-REF:FP1' for 'EEG FP1-REF=FP1'
            label, _, electrode = name.strip().rpartition(":")
            raise ValueError(
                f"--rename {name.strip()!r}: a channel is renamed with '=', not ':': "
                f"--rename {shlex.quote(f'{label.strip()}={electrode.strip()}')}"
            )
        if not sep and name.strip():  # a file that is not there, or a misspelt cap
            raise no_table_error(name.strip(), option="--rename")
        if not sep or not name.strip() or not target.strip():
            raise ValueError(
                f"--rename expects IN=VOCAB, a cap ({', '.join(CAPS)}) or a table file, got "
                f"{pair!r} (to leave a channel out: --drop NAME)"
            )
        if normalize_channel_name(target.strip()) is None:
            raise ValueError(_outside_vocabulary(name.strip(), target.strip()))
        out[name.strip()] = target.strip()
        explicit.add(name.strip())
    for name in drop:
        if not name.strip():
            raise ValueError("--drop expects a channel name")
        if name.strip() in explicit:
            raise ValueError(f"channel {name.strip()!r} is given to both --rename and --drop")
        out[name.strip()] = None
    if caps or tables:
        given = list(dict.fromkeys([*(cap_name(cap) for cap in caps), *tables]))
        own = [*explicit, *(name.strip() for name in drop)]
        # one table keeps its source (outputs record it, with the own entries beside it:
        # table_provenance), its distances but those of the own entries, and, for a table of
        # one net's electrodes (nearest_rename's), its net
        one = read[0] if len(read) == 1 and isinstance(read[0], RenameTable) else RenameTable()
        return RenameTable(
            out,
            own=own,
            source=given[0] if len(given) == 1 else None,
            distances_mm={k: mm for k, mm in one.distances_mm.items() if k not in own},
            call=one.call,
            net=one.net,
        )
    return out or None


def _outside_vocabulary(name: str, target: str) -> str:
    """The error for ``--rename NAME=TARGET`` whose target is no vocabulary name. A pair typed
    on the command line names one channel on purpose, to be used, and the model has no
    embedding for the target, so it is refused; ``rename=`` in Python, often a cap's table
    naming such electrodes on purpose (P9, Iz), drops the channel with a warning instead, as
    ``--rename FILE`` does."""
    from eegpt.vocabulary import is_other_electrode, vocabulary_hint

    electrode = is_other_electrode(target)
    what = "an electrode outside EEGPT's 62 names" if electrode else "not an EEGPT vocabulary name"
    table = (
        " (A table file, --rename FILE, or rename= in Python may name such electrodes, as "
        "caps' tables do: their channels are dropped with a warning.)"
        if electrode
        else ""
    )
    return (
        f"--rename {shlex.quote(f'{name}={target}')}: {target!r} is {what} (see "
        "eegpt.channels.VOCABULARY), so the model has no embedding for it and the channel "
        f"could not be used.{vocabulary_hint([target])} To use {name!r}, name a vocabulary "
        f"electrode; to leave it out: --drop {shlex.quote(name)}.{table}"
    )


def marker_spans_option(args: argparse.Namespace) -> dict[str, str] | None:
    """``--marker-spans`` as the ``states`` of :func:`eegpt.annotations.markers_to_spans`
    (:func:`eegpt.window_labelling.parse_marker_spans`), or None without it."""
    if not getattr(args, "marker_spans", None):
        return None
    from eegpt.window_labelling import parse_marker_spans

    return parse_marker_spans(args.marker_spans)


#: What --plot writes (matplotlib, the format by the suffix), and at what resolution by default.
FIGURE_SUFFIXES = (".png", ".pdf", ".svg", ".eps", ".jpg", ".jpeg", ".tif", ".tiff")


FIGURE_FORMATS = ".png, .pdf, .svg, .eps, .jpg or .tif"


DEFAULT_DPI = 150


def add_annotations_option(p: Any, help: str) -> None:
    """``--annotations FILE ...``: annotations kept in other files, one per recording (embed;
    the continuous recordings of the probe commands)."""
    p.add_argument(
        "--annotations", action="extend", nargs="+", type=Path, default=None, metavar="FILE",
        help=help,
    )  # fmt: skip


def add_marker_spans_option(p: Any, more: str = "", *, dataset: bool = False) -> None:
    """``--marker-spans NAME=REGEX`` (repeated): state markers made spans
    (:func:`eegpt.annotations.markers_to_spans`) before the windows get their annotations
    (embed, embed-dataset; the continuous recordings of the probe commands); ``more``: the
    command's own words, appended to the help; ``dataset``: for embed-dataset (a manifest's
    annotations_file instead of --annotations, which it has not)."""
    joined = "its manifest annotations_file's" if dataset else "--annotations'"
    p.add_argument(
        "--marker-spans", action="append", default=None, metavar="NAME=REGEX",
        help="state markers of no duration made spans (for states: sleep stages, eyes "
        "closed/open blocks; cued trials, such as motor imagery's cues, need epochs cut at the "
        "cues, mne.Epochs saved as -epo.fif): each annotation matching REGEX (re.search; "
        f"the recording's own or {joined}) marks the start of state NAME, which lasts to the next state "
        "marker of any NAME, an unscored marker ('Sleep stage ?', 'Movement time': its time in "
        "none) or the recording's end (the time before the first is in none); "
        "one NAME=REGEX per state (repeat the option): --marker-spans 'EC=S +1$' "
        "--marker-spans 'EO=S +2$' (BrainVision's stimuli 1 and 2: 'Stimulus/S', spaces, the "
        "code; ' +' matches the spaces), --marker-spans EC=^EC$ "
        "--marker-spans EO=^EO$. The spans, described by NAME, replace the markers; other "
        "annotations are kept. A recording with no matching marker, or whose matching "
        "annotations already last, is an error. REGEX matches every description containing "
        "it: a code such as 276 also matches 32766 (warned of); anchor it, 'EO=^276$'." + more,
    )  # fmt: skip


def epochs_around_help(window: str = "--window") -> str:
    """``--epochs-around``'s help; ``window``: how the command names the epochs' length (the
    probe's window in predict and evaluate, which have no ``--window``)."""
    example = (
        " E.g. --epochs-around 'Stimulus/S +[12]$' --crop -0.2 --window 1 (BrainVision's "
        "stimuli 1 and 2: 'Stimulus/S', spaces, the code; ' +' matches the spaces)."
        if window == "--window"
        else ""
    )
    return (
        "cut each continuous recording into epochs around its annotations whose description "
        "matches REGEX (re.search, as probe train --window-labels; the recording's own, and "
        "its stim channel's events with --events-from-stim), one window each, as mne.Epochs(raw, "
        f"events, tmin=TMIN, tmax=TMIN + {window} - 1/sfreq, baseline=None) would, then taken "
        f"as an -epo.fif file of those epochs is: each epoch spans [TMIN, TMIN + {window}) s "
        "around its event (TMIN: --crop, 0 by default) and is named by its annotation's "
        "description, or by NAME with NAME=REGEX (one class of several descriptions: "
        "--epochs-around 'target=S +2$'). Repeat the option for more patterns; a description "
        f"takes the first it matches.{example} Epochs may overlap; events too close to the "
        "recording's start or end for a whole epoch are left out (counted in a warning), as "
        "MNE drops them"
    )


BASELINE_HELP = (
    "with --epochs-around: subtract each channel's mean over [A, B] s around the event from "
    "its epoch (mne.Epochs' baseline=(A, B); None for an open end: --baseline None 0), as "
    "an -epo.fif cut with that baseline holds them; recorded as the epochs' baseline. "
    "Default: none (baseline=None)"
)


def add_epochs_around_options(
    p: Any, more: str = "", *, reject: str = "", window: str = "--window"
) -> None:
    """``--epochs-around REGEX | NAME=REGEX`` (repeated) and ``--baseline A B``: epochs cut
    around a continuous recording's annotations (:mod:`eegpt.event_epochs`; embed and the
    probe commands); ``more``: the command's own words, appended to the first option's help;
    ``reject``: what the command does with epochs over bad annotations; ``window``: the
    epochs' length as the command names it (:func:`epochs_around_help`)."""
    p.add_argument(
        "--epochs-around", action="append", default=None, metavar="REGEX | NAME=REGEX",
        help=epochs_around_help(window) + reject + more,
    )  # fmt: skip
    p.add_argument("--baseline", nargs=2, default=None, metavar=("A", "B"), help=BASELINE_HELP)


def epochs_around_setting(args: argparse.Namespace) -> Any:
    """``--epochs-around``, ``--crop`` and ``--baseline`` as one
    :class:`eegpt.event_epochs.EpochsAround`, or None without ``--epochs-around``.

    Raises
    ------
    ValueError
        For ``--baseline`` without ``--epochs-around``, and for values that are no regex or
        no seconds.
    """
    from eegpt.event_epochs import EpochsAround, baseline_of, parse_epochs_around

    given = getattr(args, "epochs_around", None)
    baseline = baseline_of(getattr(args, "baseline", None))
    if not given:
        if getattr(args, "baseline", None) is not None:
            raise ValueError(
                "--baseline corrects the epochs --epochs-around cuts; give --epochs-around "
                "REGEX too (an -epo.fif file holds its own baseline correction)"
            )
        return None
    crop = getattr(args, "crop", None)
    return EpochsAround(parse_epochs_around(given), 0.0 if crop is None else crop, baseline)


#: Suffixes of EEG files: a word after ``--events-from-stim`` ending so is a recording the
#: option took for its CHANNEL (``embed --events-from-stim rec.bdf``): array files and gzipped
#: FIF as well as EGI ``.mff`` folders and BrainVision ``.eeg`` data files.
_STIM_RECORDING_SUFFIXES = (
    ".bdf", ".edf", ".fif", ".gz", ".vhdr", ".set", ".gdf", ".cnt", ".npz", ".mff", ".eeg",
)  # fmt: skip


def _stim_channel_arg(text: str) -> str:
    """``--events-from-stim CHANNEL``: a channel's name, refused where it is a recording the
    option took (it takes the word after it when that is no option)."""
    if Path(text).suffix.lower() in _STIM_RECORDING_SUFFIXES or os.path.exists(text):
        raise argparse.ArgumentTypeError(
            f"took {text!r}, a recording, for the stim channel's name: put the option after "
            f"the recordings (embed REC.bdf --events-from-stim), or name the channel "
            f"(--events-from-stim=Status)"
        )
    return text


def add_events_from_stim_options(p: Any, more: str = "", *, dataset: bool = False) -> None:
    """``--events-from-stim [CHANNEL]``, ``--stim-mask MASK`` and ``--event-names CODE=NAME``
    (repeated): the events of a recording's stim channel made annotations
    (:mod:`eegpt.stim_events`) before the windows get theirs (embed, embed-dataset; the
    continuous recordings of the probe commands); ``more``: the command's own words,
    appended to the first option's help; ``dataset``: for embed-dataset (one input, a
    manifest's annotations_file instead of --annotations)."""
    joined = "its manifest annotations_file's" if dataset else "--annotations'"
    where = "the input" if dataset else "the recordings"
    p.add_argument(
        "--events-from-stim", nargs="?", const=True, default=None, metavar="CHANNEL",
        type=_stim_channel_arg,
        help="make the events of the recording's stim channel annotations (BioSemi BDF "
        "'Status', FIF 'STI 014', a channel typed stim; left out of the channels embedded): "
        "found with mne.find_events (every change of code, events of one sample kept) on the "
        "samples as read, each an annotation of no duration at its trigger's sample, joined "
        f"to the recording's own and {joined} (and made spans by --marker-spans, if "
        "given). Without CHANNEL, the recording's one stim channel (STI101 or STI 014 first, "
        "as MNE takes them); a recording with none, or several, is an error naming them. "
        f"Put it after {where}, or give --events-from-stim=CHANNEL." + more,
    )  # fmt: skip
    p.add_argument(  # --events-from-stim=CHANNEL, always a channel's name
        NAMED_STIM_OPTION, dest="events_from_stim", default=None, help=argparse.SUPPRESS
    )
    p.add_argument(
        "--stim-mask", default=None, metavar="MASK",
        help="with --events-from-stim: the bits of the codes kept (hexadecimal or decimal; "
        "mne.find_events' mask, mask_type 'and'): 0xFF for BioSemi's 8-bit triggers, whose "
        "Status channel also carries status bits above them (warned of without a mask); 0xFFFF "
        "only for 16-bit codes of a cable that rests at 0. A channel resting at a code other "
        "than 0 is warned of, with the mask that removes it",
    )  # fmt: skip
    p.add_argument(
        "--event-names", action="append", default=None, metavar="CODE=NAME",
        help="with --events-from-stim: the description of the annotations of one code, one "
        "per option: --event-names 11=standard --event-names 12=target; codes not named are "
        "described by their number ('11')",
    )  # fmt: skip


def stim_keywords(stim: Any) -> dict[str, Any]:
    """The keywords of :func:`eegpt.embed` that give ``stim`` (a
    :class:`eegpt.stim_events.StimEvents`, or None: none)."""
    if stim is None:
        return {}
    return {
        "events_from_stim": stim.channel or True,
        "stim_mask": stim.mask,
        "event_names": dict(stim.names) or None,
    }


def stim_setting(args: argparse.Namespace) -> Any:
    """``--events-from-stim``, ``--stim-mask`` and ``--event-names`` as one
    :class:`eegpt.stim_events.StimEvents`, or None without ``--events-from-stim``.

    Raises
    ------
    ValueError
        For ``--stim-mask`` or ``--event-names`` without ``--events-from-stim``, and for
        values that are not a mask or CODE=NAME.
    """
    from eegpt.stim_events import StimEvents, parse_event_names, parse_stim_mask

    given = getattr(args, "events_from_stim", None)
    mask_text, names_given = getattr(args, "stim_mask", None), getattr(args, "event_names", None)
    if given is None:
        if mask_text is not None or names_given:
            raise ValueError(
                "--stim-mask and --event-names apply to the events of a stim channel made "
                "annotations: give --events-from-stim [CHANNEL] too"
            )
        return None
    mask = None if mask_text is None else parse_stim_mask(mask_text)
    names = parse_event_names(names_given or [])
    return StimEvents(None if given is True else str(given), mask, names)


def given_once(
    paths: list[Path], annotations: list[Path | None] | None = None
) -> tuple[list[Path], list[Path | None]]:
    """``paths`` (with their ``annotations`` files) without the ones that repeat an earlier
    one, as the same file under another name (``a.edf ./a.edf``, a symbolic link, a file and
    its folder), which are named in a warning: a file read twice would be embedded (and
    counted) twice. A file given again with other annotations is kept."""
    from eegpt.dataset_inputs import recording_key

    annotations = annotations or [None] * len(paths)
    first: dict[tuple[Any, Any], Path] = {}
    kept: list[tuple[Path, Path | None]] = []
    names: dict[Path, list[str]] = {}  # each repeated file: every name it was given as
    for path, extra in zip(paths, annotations, strict=True):
        key = recording_key(path, extra)
        if key in first:
            names.setdefault(first[key], [str(first[key])]).append(str(path))
        else:
            first[key] = path
            kept.append((path, extra))
    if names:
        repeats = [
            f"{path} ({len(given)} times"
            + (f": as {', '.join(dict.fromkeys(given))})" if len(set(given)) > 1 else ")")
            for path, given in names.items()
        ]
        warnings.warn(
            f"given more than once (the same file, perhaps under another name or through a "
            f"link), read once: {few(repeats, 5)}",
            EEGPTWarning,
            stacklevel=1,
        )
    return [p for p, _ in kept], [a for _, a in kept]


def save_figure_lazily(fig: Any, path: Path, dpi: int | None = DEFAULT_DPI) -> None:
    """Write ``fig`` to ``path`` at ``dpi`` dots per inch (None, ``--dpi`` not given:
    :data:`DEFAULT_DPI`) with :func:`eegpt.viz.save_figure`, imported only here so that the
    commands that draw nothing never import matplotlib."""
    from eegpt._viz_common import save_figure

    save_figure(fig, path, dpi=DEFAULT_DPI if dpi is None else dpi)


def _dpi(text: str) -> int:
    """``--dpi``: a whole number of dots per inch, 10 to 2400."""
    try:
        dpi = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 10 <= dpi <= 2400:
        raise argparse.ArgumentTypeError(f"{dpi}: give 10 to 2400 dots per inch")
    return dpi


def add_dpi_option(p: argparse.ArgumentParser) -> None:
    """``--dpi`` beside a command's ``--plot``: the resolution of its raster figures."""
    p.add_argument(
        "--dpi",
        type=_dpi,
        default=None,  # not given: DEFAULT_DPI, and no figure to draw is refused
        help=f"with --plot: dots per inch of a .png, .jpg or .tif figure (default "
        f"{DEFAULT_DPI}; .pdf, .svg and .eps are drawn as lines and text, their images at it)",
    )


def check_figure_path(path: Path | None, option: str = "--plot", dpi: int | None = None) -> None:
    """Refuse, before any work, a figure file matplotlib would not write by its suffix, and
    a ``--dpi`` (``dpi``, None where not given) without a figure to draw."""
    if path is None and dpi is not None:
        raise ValueError(f"--dpi sets the resolution of the figure: give {option} FILE too")
    if path is not None and path.suffix.lower() not in FIGURE_SUFFIXES:
        raise ValueError(
            f"{option} {path}: give a {FIGURE_FORMATS} file (the format follows the suffix)"
        )


def save_figure_file(fig: Any, path: Path, dpi: int | None = DEFAULT_DPI) -> None:
    """Write a command's figure (``--plot``, at ``--dpi``) and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_figure_lazily(fig, path, dpi)
    print(f"drew {path}")


LOG_FILE_HELP = (
    "also append what the command says on stderr (messages, warnings, errors) to this file, "
    "each line with its time, process id and level, between a first line naming the command "
    "line, the versions and the host and a last one with the exit status; a progress bar "
    "leaves a line of its state at most every 30 s and its last one (none for a bar of a few "
    "seconds), never its redraws. "
    "The file is appended to, never replaced (one file can hold many runs); one that cannot be "
    "opened, or that the command reads (an input, a file inside a weights or recording "
    "folder, a recording or sidecar of embed-dataset's dataset folder) or writes (an output), "
    "is refused before anything runs"
)


def add_log_file_options(parser: argparse.ArgumentParser) -> None:
    """``--log-file PATH`` (:mod:`eegpt._run_log`) on ``parser`` itself (``eegpt --log-file
    run.log embed ...``) and after every one of its commands, nested ones too (``eegpt embed
    ... --log-file run.log``; ``eegpt info`` and ``eegpt channels`` as well: they take it in
    both places, with the same checks); given after a command, it wins over one given
    before."""
    parser.add_argument("--log-file", type=Path, default=None, metavar="PATH", help=LOG_FILE_HELP)
    _log_file_after_commands(parser)


def _log_file_after_commands(parser: argparse.ArgumentParser) -> None:
    """Add ``--log-file`` (keeping the value given before the command unless given) to the
    commands of ``parser``, and to theirs."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        seen: set[int] = set()
        for command in action.choices.values():
            if id(command) in seen:
                continue
            seen.add(id(command))
            if "--log-file" not in command._option_string_actions:
                command.add_argument("--log-file", type=Path, default=argparse.SUPPRESS,
                                     metavar="PATH", help=LOG_FILE_HELP)  # fmt: skip
            _log_file_after_commands(command)


def same_file(a: Path, b: Path) -> bool:
    """Whether paths ``a`` and ``b`` name the same file: :func:`os.path.samefile` where both
    exist (hard links, symbolic links, other spellings of a path), else the resolved paths
    are equal."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def given_paths(args: argparse.Namespace, names: Sequence[str]) -> list[Path]:
    """The files a command reads, from the options ``names`` of ``args`` (each None, one
    path or a list of them): what an output must not be written over."""
    found: list[Path] = []
    for name in names:
        value = getattr(args, name, None)
        values = value if isinstance(value, list | tuple) else [value]
        found += [Path(v) for v in values if isinstance(v, str | os.PathLike)]
    return found


def refuse_input_path(
    option: str,
    path: Path,
    inputs: Sequence[Path],
    *,
    datasets: Sequence[Path] = (),
    pattern: str | None = None,
    outputs: Sequence[Path] = (),
    output_folders: Sequence[Path] = (),
    globs: Sequence[str] = (),
    bids_recordings: Sequence[Path] = (),
) -> None:
    """Refuse, before any work, an output ``path`` (of ``option``, e.g. ``--json``) that is one
    of the command's ``inputs``, or a file inside one of them that is a folder (a checkpoint
    folder's ``config.json``, a recording folder's files: all read), or, inside a dataset
    folder of ``datasets`` (searched for recordings, ``pattern`` the ``--pattern`` glob), a
    file the run may read (:func:`dataset_may_read`), or one that a glob input of ``globs``
    (``'data/*'``) would list once written (:func:`glob_may_list`), or a ``.json``/``.tsv``
    file of the BIDS dataset of one of ``bids_recordings`` (:func:`bids_dataset_reading`), or one of the files the command writes
    (``outputs``), or a file inside one of ``output_folders``, which must hold only the
    command's own files (a corpus run's folder: it stops on any other file there): writing
    it would change that input, or the output replace it."""
    for source in inputs:
        if same_file(path, source):
            raise ValueError(
                f"{option} {path} is {source}, one of the command's inputs: writing it would "
                f"replace that file. Give {option} another path (did a file name meant as an "
                f"input follow {option}?)"
            )
        if source.is_dir() and _inside(path, source):
            raise ValueError(
                f"{option} {path} is inside {source}, one of the command's inputs: a folder "
                f"whose files the command reads (a checkpoint's, a probe's, a recording's), so "
                f"writing {path} would change that input. Give {option} a path outside {source}"
            )
    for root in datasets:
        why = dataset_may_read(path, root, pattern) if root.is_dir() else None
        if why is not None:
            raise ValueError(
                f"{option} {path} is inside the dataset folder {root} and {why}: a file the "
                f"run may read from it, so writing it would change the dataset. Give {option} "
                f"a name the run does not read (such as run.log) or a path outside {root}"
            )
    bids = bids_dataset_reading(path, bids_recordings)
    if bids is not None:
        raise ValueError(
            f"{option} {path} is inside the BIDS dataset {bids} and named as a BIDS sidecar "
            f"({path.suffix}): MNE-BIDS reads the dataset's .json and .tsv files with its "
            f"recordings (their _eeg.json, _channels.tsv, _events.tsv, scans and participants "
            f"tables, and those above them), so writing it would change or break how they are "
            f"read. Give {option} another name (such as run.log) or a path outside {bids}"
        )
    for text in globs:
        listed_from = glob_may_list(path, text)
        if listed_from is not None:
            raise ValueError(
                f"{option} {path} matches the glob {text!r}: the run lists every file it "
                f"matches as a recording, so it would read {path} as one. Give {option} a name "
                f"the glob does not match or a path outside {listed_from}"
            )
    for output in outputs:
        if same_file(path, output):
            raise ValueError(
                f"{option} {path} is {output}, one of the files the command writes: that "
                f"output would replace it (or, already there, stop the run as an existing "
                f"output). Give {option} another path"
            )
    for folder in output_folders:
        if _inside(path, folder):
            raise ValueError(
                f"{option} {path} is inside {folder}, the command's output folder, which must "
                f"hold only the files the command writes (a run stops on any other file "
                f"there). Give {option} a path outside {folder}, such as beside it"
            )


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` (which need not exist) lies somewhere inside the folder ``folder``,
    symbolic links followed."""
    return path.resolve().is_relative_to(folder.resolve()) and not same_file(path, folder)


#: Endings of the BIDS sidecars a corpus run reads beside the recordings of a BIDS dataset
#: (``_channels.tsv``, ``_eeg.json``, ``_events.tsv``, ...).
_BIDS_SIDECAR_SUFFIXES = (".json", ".tsv")


def dataset_may_read(path: Path, root: Path, pattern: str | None = None) -> str | None:
    """Why a corpus run over the dataset folder ``root`` may read ``path``, by its name (the
    files it lists and reads now are refused by their listing: :func:`eegpt.dataset_cli.
    files_listed_as`): one inside a recording folder of it; in a BIDS dataset, a sidecar
    (``.json``, ``.tsv``; not in a ``derivatives/``, ``code/``, ``sourcedata/`` or ``stimuli/``
    folder of a dataset given by its top folder, which its listing leaves out); with the ``--pattern`` glob ``pattern``, one matching it (the
    pattern alone decides which names are listed); without, one named as a recording (a log
    made so would be listed). None otherwise (``run.log``, ``log.csv`` beside plain ``.set``
    files, ``run.json`` with ``--pattern '**/*.set'``), or for one outside ``root``."""
    from eegpt.formats import EEG_SUFFIXES, RECORDING_FOLDER_SUFFIXES

    if not _inside(path, root):
        return None
    relative = path.resolve().relative_to(root.resolve())
    folders = [p for p in relative.parents if p.suffix.lower() in RECORDING_FOLDER_SUFFIXES]
    if folders:
        return f"inside the recording folder {root / folders[-1]}"
    suffix = path.suffix.lower()
    raw = not ((root / "dataset_description.json").is_file() and _outside_raw_data(path, root))
    if suffix in _BIDS_SIDECAR_SUFFIXES and raw and _in_bids_dataset(root):  # with or without
        return f"named as a BIDS sidecar ({suffix}) of a BIDS dataset's recordings"
    if pattern is not None:
        matched = fnmatch.fnmatch(path.name, Path(pattern).name)
        return f"matching --pattern {pattern}" if matched else None
    if suffix in (*EEG_SUFFIXES, *RECORDING_FOLDER_SUFFIXES):
        return f"named as a recording ({suffix}), which the run lists"
    return None


def bids_dataset_reading(path: Path, recordings: Sequence[Path]) -> Path | None:
    """The BIDS dataset folder holding ``path`` where ``path`` is named as a BIDS sidecar
    (``.json``, ``.tsv``) and one of ``recordings`` is an EEG data file of that dataset
    (:func:`eegpt.bids.bids_root`): MNE-BIDS reads the dataset's sidecars with it (its
    ``_eeg.json``, ``_channels.tsv``, ``_events.tsv``, the session's ``_scans.tsv``,
    ``participants.tsv``, and those it inherits from the folders above), so a log appended
    to one, or made where one is looked for, breaks reading it. None otherwise (a file of
    its ``derivatives/``, ``code/``, ``sourcedata/`` or ``stimuli/`` folders too: mne is
    imported only for a ``.json``/``.tsv`` path and a recording named as BIDS data)."""
    if path.suffix.lower() not in _BIDS_SIDECAR_SUFFIXES:
        return None
    roots: dict[Path, Path | None] = {}  # by the recording's folder
    for recording in recordings:
        name = recording.name
        if not (name.startswith("sub-") and ("_eeg." in name or "_ieeg." in name)):
            continue  # not named as BIDS data (eegpt._file_identity's test): no mne import
        if recording.parent not in roots:
            from eegpt.bids import bids_root

            roots[recording.parent] = bids_root(recording)
        root = roots[recording.parent]
        if root is not None and _inside(path, root) and not _outside_raw_data(path, root):
            return root
    return None


def _outside_raw_data(path: Path, root: Path) -> bool:
    """Whether ``path``, inside the BIDS dataset folder ``root``, lies in one of its folders
    that hold no raw data (:data:`eegpt.bids.NOT_RAW_FOLDERS`: ``derivatives/``, ``code/``,
    ``sourcedata/``, ``stimuli/``), whose ``.json``/``.tsv`` files MNE-BIDS never reads with
    the dataset's recordings, nor the dataset's listing lists: where a run's log belongs
    (``derivatives/eegpt/run.json``)."""
    from eegpt.bids import NOT_RAW_FOLDERS

    relative = path.resolve().relative_to(root.resolve()).parts
    return len(relative) > 1 and relative[0] in NOT_RAW_FOLDERS


def glob_may_list(path: Path, text: str) -> Path | None:
    """The folder a corpus run's glob input ``text`` (``'data/*'``, ``'data/**/*.set'``)
    lists from, where ``path`` lies inside it and the glob matches it, as the run matches
    its files (:func:`eegpt.dataset_inputs.resolve_inputs`: whatever its name, so a log file
    made there is listed as a recording); None otherwise, where ``text`` is no glob, where
    ``path`` exists (the listing tells whether it reads it: :func:`eegpt.dataset_cli.
    files_listed_as`), or where it is hidden or in a hidden folder or ``lost+found`` below
    the glob's folder (``data/.run.log``), which the listing leaves out."""
    from eegpt.dataset_inputs import _LOST_FOUND, _glob_regex, _glob_split

    if not glob.has_magic(text) or Path(text).expanduser().exists() or path.exists():
        return None  # (an existing path given is listed as such, not as a glob)
    root, pattern = _glob_split(text)
    regex = _glob_regex(pattern)
    for under, spelled in ((root, Path(os.path.abspath(path))), (root.resolve(), path.resolve())):
        if not spelled.is_relative_to(under):
            continue
        parts = spelled.relative_to(under).parts
        if any(part.startswith(".") or part == _LOST_FOUND for part in parts):
            continue  # (dataset_inputs._files_under)
        if regex.fullmatch("/".join(parts)):
            return root
    return None


def _in_bids_dataset(folder: Path) -> bool:
    """Whether ``folder`` is a BIDS dataset or lies inside one (within three levels: a
    subject's, session's or ``eeg`` folder): it or a parent has a ``dataset_description.json``
    or is a derivative dataset (a folder of ``derivatives/``)."""
    resolved = folder.resolve()
    for candidate in [resolved, *resolved.parents][:4]:
        if (candidate / "dataset_description.json").is_file():
            return True
        if candidate.parent.name == "derivatives":
            return True
    return False


def check_new_output(
    option: str,
    path: Path,
    inputs: Sequence[Path],
    overwrite: bool,
    suffixes: Sequence[str] | None = None,
) -> None:
    """Refuse, before any work, an output file ``path`` given to ``option`` that is not a
    ``suffixes`` file (any case; None: any), that is one of the command's ``inputs``, that
    exists without ``overwrite`` (``--overwrite``), or whose folder cannot be written
    (:func:`eegpt.output_files.check_output_folder`)."""
    from eegpt.errors import OutputExistsError

    refuse_input_path(option, path, inputs)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise ValueError(
            f"{option} {path}: give a {' or '.join(suffixes)} file (a file of another kind "
            "is not written over by mistake)"
        )
    if path.exists() and not overwrite:
        raise OutputExistsError(
            f"{option} {path} exists; pass --overwrite to replace it, or give another path"
        )
    from eegpt.output_files import check_output_folder

    check_output_folder(path.parent, path)  # below a file, read-only: not after the work
