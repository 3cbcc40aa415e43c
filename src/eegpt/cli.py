"""Command line: ``eegpt embed | embed-dataset | probe | info | export | anonymize | convert | fetch |
demo``.

Every command reports a problem with its input as one ``eegpt: error: ...`` line (exit status 1,
or 2 for usage errors: ``eegpt`` or ``eegpt probe`` alone prints its help and exits with 2);
anything else is reported as an internal error (a bug in eegpt). A run
over several files that embedded some of them but not all exits with 3
(:data:`EXIT_SOME_FAILED`), as ``embed-dataset`` does; one refused because another process
holds its output folder or is downloading the same weights exits with 75
(:data:`EXIT_TEMPFAIL`, "try again later"). ``eegpt --help`` lists them all
(:data:`EXIT_STATUS_EPILOG`).
``--debug`` shows the traceback too. SIGTERM and Ctrl-C stop a run cleanly: outputs are written
atomically, so an interrupted run leaves complete files or none.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import math
import multiprocessing
import os
import re
import shlex
import signal
import sys
import textwrap
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, cast

from eegpt import __version__, _interrupts
from eegpt._filenames import user_path
from eegpt._interrupts import Terminated as _Terminated
from eegpt._interrupts import raise_on_sigterm as _raise_on_sigterm
from eegpt._logging import (
    OncePerCorpus,
    command_recorded,
    duration_text,
    few,
    help_blocks_kept,
    software_text,
    terminal_text,
)
from eegpt._logging import count as _count
from eegpt._runtime import device_name as device_name  # --device's type
from eegpt._seconds import parse_overlap, parse_seconds
from eegpt.config import PRECISION_ALIASES as PRECISION_ALIASES  # --precision's other names
from eegpt.errors import EEGPTWarning, MissingFileError, TooShortError
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


def add_inference_options(
    p: argparse.ArgumentParser,
    device_help: str = "cpu, cuda, cuda:1 ... (default: a CUDA GPU if present, else the CPU, "
    "as on a Mac: Apple's MPS is not supported)",
) -> None:
    """``--device``, ``--batch-size``, ``--precision``, ``--stream-precision`` and ``--threads``
    (shared by the commands that run the model: embed, embed-dataset, probe train, evaluate
    and predict)."""
    g = p.add_argument_group("inference")
    g.add_argument("--device", type=device_name, default=None, help=device_help)
    g.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="windows per forward pass (default: 64 on a GPU; on a CPU a few, fewer the more "
        "channels, which runs faster there)",
    )
    g.add_argument(
        "--precision",
        type=lower_choice(PRECISION_ALIASES),
        choices=["float32", "bfloat16", "float16"],
        default="float32",
        help="float32 is exact; bfloat16/float16 are faster on GPU (max relative error on the "
        "embeddings: up to ~1e-2 bfloat16, ~1e-3 float16 (up to 1.2e-3 measured)). bfloat16 "
        "needs an Ampere or newer GPU (compute capability 8.0+: A100, RTX 30xx, L4, H100); "
        "float16 runs on older ones too (T4, V100, P100). On a CPU they pay only with native "
        "instructions (bfloat16: AVX-512 BF16, AMX). Also bf16, fp16, half, fp32",
    )
    g.add_argument(
        "--stream-precision",
        type=lower_choice(PRECISION_ALIASES),
        choices=["float32", "float16", "bfloat16"],
        default="float32",
        help="with --precision bfloat16/float16: dtype the residual stream is stored in between "
        "blocks; float16 is ~3%% faster on large GPU batches at a small extra error (windows "
        "that overflow it are recomputed in float32)",
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
) -> None:
    """Windowing, reference, resampling and channel-mapping options (``--window`` ...);
    ``start_per_recording``: ``--start`` takes one value per continuous recording
    (``eegpt embed``, :func:`recording_starts`); ``start_note`` ends its help; ``crop``:
    ``--crop`` too (:func:`add_crop_option`)."""
    g = p.add_argument_group("preprocessing")
    g.add_argument("--window", type=seconds, default=4.0, help="window length in seconds (4)")
    if crop:
        add_crop_option(g)
    g.add_argument(
        "--overlap", type=overlap_seconds, default=0.0, help="overlap between windows in s (0)"
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
        help="per window and channel, subtract nothing (default), the mean, or the straight "
        "line: for DC-coupled (BioSemi) or drifting recordings, which eegpt does not filter",
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
    g.add_argument(
        "--strict-channels",
        action="store_true",
        help="fail on channels outside the EEGPT vocabulary instead of dropping them",
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
) -> None:
    """``--start SECONDS`` (:attr:`PreprocessingConfig.start_seconds`); ``per_recording``
    (the probe commands): ``--start annotations`` or one value per continuous recording, a
    list in ``args.start`` (:func:`start_value`; None when not given); ``"seconds"``
    (``eegpt embed``): one value per continuous recording, in seconds only
    (:func:`start_of_each`, :func:`recording_starts`). ``note`` ends the help; ``command``:
    the probe command's words before its recordings, for the example of an error
    (``"probe predict PROBE"``)."""
    help = (
        "onset of the first window of a continuous recording, in s from its first sample "
        "(0); no window is made before it. For 30 s windows on scoring epochs that start 17 s "
        "in: --window 30 --start 17 (onsets stay in recording time: 17, 47, ...)"
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
        "matching --window-labels, the probe's by default: its first scored epoch), or give "
        "one value per continuous recording, in the order given (--val-data ones last): "
        "--start 17 73",
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
    """``--start`` in seconds (:func:`seconds`), 0 or more and whole samples at the model's
    rate (:attr:`PreprocessingConfig.start_seconds`' rule: windows are cut at 256 Hz), checked
    alike for every command."""
    from eegpt.preprocessing import whole_samples
    from eegpt.preprocessing_spec import FIELD_DEFAULTS

    value = seconds(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the first window's onset is 0 or more seconds from the first sample"
        )
    try:
        whole_samples(value, float(FIELD_DEFAULTS["sfreq"]), "start_seconds", minimum=0)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{err}: windows are cut at the model's rate") from None
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
        help="store all N*S*D summary-token values per window (none) or their mean (D values)",
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
        "wrong unit: 1e-6 for microvolts labelled as volts (the amplitude check suggests it)",
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
        "electrodes of the 10-20 system), comma-separated names, e.g. Fp1,Fp2,Cz, or both, "
        "applied left to right, -NAME removing one: 10-20,Oz or 10-20,-C3; the "
        "average reference then runs over them. Files of different systems or sites give "
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
        kept_channels(keep)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err
    return keep


def add_picks_option(g: argparse._ActionsContainer) -> None:
    """``--picks TYPE`` (repeatable; see :func:`picks_of`)."""
    g.add_argument(
        "--picks",
        action="append",
        default=None,
        metavar="TYPE",
        help="channel types to read (default: eeg; repeatable): --picks eeg --picks misc also "
        "takes electrodes a file types misc, --picks all every channel (names outside the "
        "vocabulary are dropped)",
    )


def picks_of(args: argparse.Namespace) -> str | list[str]:
    """MNE ``picks`` from ``--picks``: ``"eeg"`` by default, one type, or a list of them."""
    types = args.picks or ["eeg"]
    return types[0] if len(types) == 1 else list(dict.fromkeys(types))


WEIGHTS_OPTION_HELP = (
    "checkpoint (required): a .ckpt/.safetensors file, a converted directory, a URL, or a "
    "name from 'eegpt fetch --list' (e.g. eegpt-large)"
)


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
        super().__init__(*args, **kwargs)
        self.absent_options = dict(absent_options or {})

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        words = list(sys.argv[1:] if args is None else args)
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

    def _check_options(self, words: list[str]) -> None:
        """Error on the words before ``--`` that name no option, each with the closest one."""
        words = words[: words.index("--")] if "--" in words else words
        unknown = [w for w in words if self._unknown(w)]
        if not unknown:
            self._check_abbreviations(words)
            return
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

    def _check_command(self, words: list[str], commands: argparse._SubParsersAction) -> None:
        """Error on an option before the command that this parser does not take, and on a
        command it does not have, naming the command meant."""
        at = next((i for i, w in enumerate(words) if not w.startswith("-")), len(words))
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
    (``("eegpt embed", "eegpt probe train")``, their ``prog``), from :func:`build_parser`
    (built once, when first needed: only where an option is abbreviated)."""
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


DESCRIPTION = """\
EEGPT embeddings from EEG recordings (EDF/BDF/FIF/BrainVision/EEGLAB ...).
  EDF file -> embeddings:        eegpt embed rec.edf --weights eegpt-large -o rec.npz
  EDF file -> class prediction:  eegpt probe predict PROBE rec.edf -o rec.csv
                                 (PROBE: a folder written by eegpt probe train)"""

EMBED_EPILOG = """\
examples:
  eegpt embed rec.edf --weights eegpt-large -o rec.npz
  eegpt embed rec.edf --weights eegpt-large --pool mean -o rec.parquet
  eegpt embed data/*.edf --weights eegpt-large -o embeddings/"""


EXIT_STATUS_EPILOG = """\
exit status (of every command):
  0    success
  1    error: bad input, weights or settings, or an error stopped the run (the message says
       what); for embed and channels also: none of the files could be used; probe predict
       of several recordings: one could not be read (all or nothing: no table)
  2    usage: the command line was not understood (an unknown option, no --weights)
  3    needs attention: some files failed (embed, channels, embed-dataset; embed-dataset
       also when all failed), a run that did not finish or changed inputs (embed-dataset,
       info); an embeddings file whose recording changed since it was embedded (info:
       CHANGED); a prediction table of eegpt probe predict said STALE, changed since it was
       written (info)
  75   busy, try again later (EX_TEMPFAIL): another run holds the embed-dataset output
       folder, or another process downloads the same weights for over $EEGPT_FETCH_WAIT s
  130  stopped by Ctrl-C (SIGINT)
  141  its output pipe was closed by the reader (`eegpt info X | head`)
  143  stopped by SIGTERM (after removing its temporary files)
warnings never change the exit status; to fail on any eegpt warning, run
`python -W error::eegpt.EEGPTWarning -m eegpt ...` (or set
PYTHONWARNINGS=error::eegpt.EEGPTWarning): a file warned of then fails as on an error
(embed: 1 for one file, else 3 where others were written, 1 where none was;
embed-dataset: 3)."""

ARGUMENT_FILES_EPILOG = """argument files (for every command, as a pipeline's shared settings):
  eegpt embed @settings.txt sub-01.edf -o out/   reads arguments from settings.txt in
       place of @settings.txt: split on each line as a POSIX shell splits them (quote a
       name with spaces; backslashes escape, so quote Windows paths in single quotes),
       lines starting with # and blank lines skipped; an @file inside is read too; paths
       in it are relative to the folder the command runs in. Any argument starting with
       @ names such a file: give a file whose name starts with @ as ./@name, and a value
       starting with @ as --option=@value. Outputs record the arguments read, not @file."""


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="eegpt",
        description=DESCRIPTION,
        epilog=f"{ARGUMENT_FILES_EPILOG}\n\n{EXIT_STATUS_EPILOG}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"eegpt {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=SubcommandParser
    )

    p = sub.add_parser(
        "embed",
        help="embed recordings, one output file per recording",
        epilog=EMBED_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "recordings",
        nargs="+",
        type=Path,
        help="files MNE can read, or .npz files of epochs arrays (X [n_epochs, C, T], ch_names, "
        "sfreq, units; y kept as the labels), as the probe commands take. An output named as "
        "an input (X.npz embedded into its own folder) is refused, with --overwrite and "
        "--skip-existing too: give -o another folder or file name",
    )
    p.add_argument("--weights", help=WEIGHTS_OPTION_HELP)
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help="output file (.npz or .parquet) for one recording, or a folder (one file per "
        "recording, named after it; a trailing / makes any name a folder). Parquet: one row per "
        "window, its column window the window's number counting from 0 (for epochs, MNE's "
        "epoch number; EEGLAB counts epochs from 1)",
    )
    p.add_argument(
        "--format",
        type=embed_format,
        choices=["npz", "parquet"],
        default=None,
        help="file format when --output is a directory (default npz)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    p.add_argument(
        "--skip-existing",
        action="store_true",
        help="leave out the recordings whose output file exists (to finish an interrupted run "
        "over many files; outputs are written whole or not at all); one that another run "
        "writes meanwhile is skipped too, not failed. An output whose recording (its files, BIDS "
        "sidecars included) changed since it was embedded is stale: it is embedded again, "
        "replaced, and said so (eegpt info OUTPUT says CHANGED); so is a file at an output's "
        "path that eegpt cannot read as its output (empty, as a workflow's touch placeholder, "
        "cut short, or not an eegpt output); one embedded with other preprocessing, channel "
        "selection, weights or precision is kept, with a warning",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="warnings and errors only: no progress bars, loading notes or mapping report, no "
        "result line per recording on stdout, and no 'done:' line unless a recording failed",
    )
    p.add_argument(
        "--hash-inputs",
        action="store_true",
        help="also record each input file's full SHA-256 (as sha256sum prints it) in the "
        "output's metadata['source_files']: reads every file once more before embedding it; "
        "by default its names, size, modification time and a fingerprint of its first and "
        "last MiB are recorded",
    )
    add_pool_option(p)
    add_inference_options(p)
    add_preprocessing_options(p, start_per_recording=True, crop=True)
    add_annotations_option(
        p,
        "annotations kept in another file (a hypnogram such as Sleep-EDF's "
        "*-Hypnogram.edf; any file mne.read_annotations reads, a BIDS *_events.tsv or a TUH "
        ".csv_bi/.tse), joined to the recording's "
        "own: one file per recording, in the recordings' order (--annotations h1.edf h2.edf, "
        "or a glob that sorts as the recordings' does)",
    )
    add_marker_spans_option(
        p,
        " The annotations recorded over each window are then the spans (an embeddings "
        "file's metadata['annotations'], emb.window_labels(match='^EC$') labels by them); the "
        "states are recorded in metadata['marker_spans']",
    )
    add_events_from_stim_options(p, " Recorded in metadata['events_from_stim'].")
    p.set_defaults(func=cmd_embed, interrupted_message=EMBED_INTERRUPTED)
    _hint_annotations_first(p)

    from eegpt.dataset_cli import add_dataset_command
    from eegpt.probe_cli import add_probe_commands

    add_dataset_command(sub)
    add_probe_commands(sub)

    p = sub.add_parser(
        "channels",
        help="show how recordings' channels map onto EEGPT's vocabulary (reads headers only)",
    )
    p.add_argument(
        "recordings",
        nargs="+",
        type=Path,
        help="files MNE can read, or folders of them (searched as embed-dataset does; files of "
        "one montage share one table)",
    )
    add_channel_options(p)
    add_picks_option(p)
    add_keep_option(p)
    p.add_argument(
        "--plot",
        type=Path,
        metavar="PATH",
        help=f"also draw each mapping on a head: a {FIGURE_FORMATS} file (one recording) or a "
        "folder (NAME_channels.png per recording)",
    )
    add_dpi_option(p)
    p.add_argument(
        "--nearest",
        nargs="?",
        const="",
        metavar="MONTAGE",
        help="for nets without 10-10 names (EGI E1..E256, BioSemi 128 sockets, a MEG+EEG "
        "file's EEG001..): name each electrode after its nearest 10-10 site by position, from "
        "MNE's MONTAGE (GSN-HydroCel-129, GSN-HydroCel-257, biosemi128 ...; one table for all "
        "the files), else from the file's own positions (one file only: files may differ). "
        "Prints each electrode's site and distance (with MONTAGE: the rows of the "
        "recordings' channels; a montage gives each site to one electrode, so an electrode "
        "beside another's site, as TP9 beside TP7 in standard_1005, gets none), then the "
        "mapping; review it, write it "
        "with --write-rename PATH, and pass it to embed with --rename PATH (--drop NAME "
        "leaves NAME out of the table, its site to another electrode; --rename does not go "
        "with it)",
    )
    p.add_argument(
        "--write-rename",
        type=Path,
        metavar="PATH",
        help="with --nearest: write its table to PATH (label<TAB>electrode lines, the distance "
        "as a comment), for --rename PATH",
    )
    p.set_defaults(func=cmd_channels)

    p = sub.add_parser(
        "info",
        help="describe a checkpoint, an embeddings file, the output of embed-dataset, a probe "
        "or a probe's predictions",
        epilog=INFO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "weights",
        help="checkpoint file or folder, pretrained name (eegpt-large) or URL; an embeddings "
        "file written by eegpt embed (.npz/.parquet); a folder written by embed-dataset "
        "(its settings, files done and failed, and runs); a probe folder (eegpt probe train); "
        "a prediction table of eegpt probe predict -o (.parquet, or .csv/.tsv with its .json "
        "sidecar); the JSON of eegpt probe evaluate --json (its metrics and provenance)",
    )
    p.add_argument(
        "--verify",
        action="store_true",
        help="for an embed-dataset folder: also read every shard's data through (not only its "
        "footer; page checksums compared, embedding values checked finite) and name the "
        "shards that cannot be read (exit status 3 if any, or if the run did not finish or "
        "is still running)",
    )
    p.set_defaults(func=cmd_info)

    add_export_command(sub)
    add_anonymize_command(sub)

    p = sub.add_parser("convert", help="convert a checkpoint to safetensors + config.json")
    p.add_argument(
        "source",
        help="checkpoint file or folder (e.g. the original .ckpt), pretrained name or URL",
    )
    p.add_argument("destination", type=Path, help="output directory")
    p.add_argument("--overwrite", action="store_true", help="replace an existing conversion")
    p.add_argument(
        "--num-heads",
        type=int,
        metavar="N",
        help="the encoder's attention heads, where the source does not record them (the "
        "weights cannot tell; assumed with a warning otherwise); the folder records it",
    )
    p.add_argument(
        "--patch-stride",
        type=int,
        metavar="S",
        help="the encoder's patch stride in samples, where the source does not record it",
    )
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser(
        "fetch",
        help="download pretrained weights into the cache",
        epilog=FETCH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "name", nargs="?", default="eegpt-large", help="pretrained name or URL (eegpt-large)"
    )
    p.add_argument(
        "--sha256",
        help="expected SHA-256 of the file downloaded (a URL's, or a name's weights file); "
        "a mismatch is an error",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where weights are kept (default: $EEGPT_CACHE, $XDG_CACHE_HOME/eegpt or "
        "~/.cache/eegpt)",
    )
    p.add_argument("--force", action="store_true", help="download again even if cached")
    p.add_argument("--list", action="store_true", help="list the known weights and exit")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser(
        "demo",
        help="run the whole pipeline on a synthetic recording with random (NOT pretrained) weights",
    )
    p.add_argument(
        "-o", "--output", type=Path, default=Path("eegpt-demo"), help="output folder (eegpt-demo)"
    )
    p.add_argument(
        "--minutes",
        type=float,
        action=PositiveValue,
        default=2.0,
        help="length of the synthetic recording (2)",
    )
    p.add_argument(
        "--device", type=device_name, default=None, help="cpu, cuda ... (default: GPU if present)"
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing demo output")
    p.set_defaults(func=cmd_demo)
    for action in sub._choices_actions:  # `eegpt CMD --help` opens with the line `eegpt -h` shows
        command = sub.choices[action.dest]
        if command.description is None and action.help:
            command.description = action.help[0].upper() + action.help[1:] + "."
    _debug_after_command(parser)
    return parser


INFO_EPILOG = """\
exit status (as for every command: eegpt --help):
  0    described (an embed-dataset run still in progress too, without --verify, while
       none of its files failed so far)
  1    an error (not a file eegpt info describes, unreadable; weights NAME or URL that
       cannot be downloaded)
  2    usage: the command line was not understood
  3    needs attention: an embed-dataset run that did not finish (or stopped before writing
       anything: only its lock file left), files that failed, recordings changed since they
       were embedded (as the last run found them: info does not compare a run folder's
       files again; run the same embed-dataset command to), damaged shards (cut short; with --verify, any that cannot be read), a
       part missing or unfinished; an embeddings file of eegpt embed whose recording (its
       files, BIDS sidecars included) changed since it was embedded (CHANGED; not found
       where it was read: "cannot check", 0); a prediction table of eegpt probe predict said STALE (a CSV/TSV changed since its
       sidecar was written, or beside another table's sidecar; a Parquet table whose rows
       no longer match the digest of its data in its metadata)
  75   busy, try again later: for weights NAME or URL to download, another process has been
       downloading them into the same cache for over $EEGPT_FETCH_WAIT s
  130  stopped by Ctrl-C (SIGINT); 143: by SIGTERM; 141: its output pipe was closed by the
       reader (eegpt info X | head)"""

FETCH_EPILOG = """\
environment:
  EEGPT_CACHE             where weights are kept (default $XDG_CACHE_HOME/eegpt, else
                          ~/.cache/eegpt; weights only ~/.cache/eegpt holds, as cached by
                          older versions, are used from there; without a home directory
                          or with a read-only one, set it, or pass pre-placed weights:
                          --weights PATH)
  HF_ENDPOINT             a Hugging Face mirror (default https://huggingface.co)
  EEGPT_DOWNLOAD_TIMEOUT  seconds to wait for the connection and each read (default 60)
  EEGPT_OFFLINE=1         never download: weights come from the cache only, and missing
                          ones are an error naming them (HF_HUB_OFFLINE=1 likewise)
  EEGPT_FETCH_WAIT        seconds to wait for another process downloading the same weights
                          into the same cache (default 1800; 0: do not wait), which are
                          then used; past it: exit status 75, try again later"""

EXPORT_EPILOG = """\
.mat (MATLAB: S = load('out.mat')); per-window variables have one row per window:
  embeddings     single [n_windows, N, S, D] as stored (N patches, S summary tokens, width D);
                 [n_windows, n_features] with --pool (--pool mean: [n_windows, D])
  onset_s        window onsets in seconds of recorded data from the first sample
  clock_s        the same on the recording's clock (plus the gaps before, in an EDF+D file)
  clock_time     cellstr ISO 8601 of the onsets' moments, no zone: the recording's wall clock
                 as its header states it (where a recording has a measurement date)
  window         the window's index in its recording, counted from 0 as in Python and Parquet
  window_number  window + 1, MATLAB's count (for epochs: the epoch's number)
  label          cellstr of the epochs' event names (where present); bad: logical
  padded         logical: windows zero-padded past the recording's end (--tail pad; where any)
  (manifest)     a run made from a manifest: its other columns (subject, annotations_file
                 ...), one variable per column: cellstr, or double (NaN: missing); a name
                 of another variable gets a manifest_ prefix (label: manifest_label)
  (metadata)     the epochs' metadata, one variable per column (where present): cellstr,
                 or double (NaN: missing); e.g. an EEGLAB .set's eeglab_events and
                 eeglab_latencies_ms (each epoch's events and latencies, joined with ' | ');
                 a name of another variable gets a metadata_ prefix
                 (names made valid for MATLAB: at most 63 characters, 'É' as 'x_'; names
                 that meet so are numbered: <name>_2, <name>_3 ...)
  column_names, column_variables
                 cellstr: each manifest or metadata column's own name and the variable that
                 holds it, in order (where any such column is)
  annotations    cellstr of the descriptions of the annotations over each window, each
                 once (no counts), joined with '; ' (where any window has one)
  pool           the pooling of embeddings ('none': as stored)
  sfreq, window_seconds
                 the rate (Hz) and length (s) of the windows the model saw (256 Hz, after
                 resampling)
  recording_sfreq
                 the rate (Hz) the recording was made at: a file's, one number; a corpus
                 run's, double per window (its recording's rate; NaN where not recorded)
  metadata_json  the whole provenance as JSON text: jsondecode(S.metadata_json)
  a file:        source (the recording) and channels (cellstr, the embedded channels)
  a corpus run:  recording and path (cellstr per window); channels (cellstr) when every
                 recording has the same ones, else channel_sets (one cellstr per set of
                 channels) and channel_set (per window, its set's number from 1):
                 S.channel_sets{S.channel_set(i)} are window i's channels
Mean over patches and summary tokens in MATLAB ([n_windows, D], also for one window):
  reshape(mean(S.embeddings, [2 3]), size(S.embeddings, 1), [])
Pooled embeddings are flattened in C (row-major) order, as numpy's reshape: flatten
[n, N*S*D] holds patch 1's token 1's D values, then its token 2's ...; back to arrays:
  flatten       permute(reshape(E.', D, S, N, n), [4 3 2 1])    % [n, N, S, D]
  mean_patches  permute(reshape(E.', D, S, n), [3 2 1])          % [n, S, D]
  mean_tokens   permute(reshape(E.', D, N, n), [3 2 1])          % [n, N, D]
  (E = S.embeddings, n = size(E, 1); M = jsondecode(S.metadata_json): D = M.model.embed_dim,
  S = M.model.embed_num, N = size(E, 2) / (S*D) for flatten)
A variable holds at most 2 GB: larger embeddings are refused (export them with --pool mean).

.csv: one row per window: recording, window (from 0), window_number (from 1), onset_s,
clock_s, clock_time (where present), label, the manifest's columns, the epochs' metadata columns, annotations (each where present), bad,
padded (where any), then the pooled embedding (default --pool mean: eegpt_d0 ... eegpt_d511).
From R: read.csv("out.csv", check.names = FALSE) keeps names such as 'p_S  1' or
'age-years' as they are (R makes them p_S..1, age.years otherwise); or arrow::read_parquet
on the embeddings' .parquet file."""


def add_export_command(sub: Any) -> None:
    """``eegpt export INPUT -o OUT.mat|OUT.csv [--pool MODE]``."""
    from eegpt.outputs import POOLINGS

    p = sub.add_parser(
        "export",
        help="write embeddings (.npz, .parquet or an embed-dataset folder) as a MATLAB .mat "
        "file or a CSV table",
        epilog=EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "input",
        type=Path,
        help="an embeddings file written by eegpt embed (.npz/.parquet), or an embed-dataset "
        "output folder (all its recordings)",
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="output file: .mat or .csv")
    p.add_argument(
        "--pool",
        type=lower_choice(),
        choices=["none", *sorted(POOLINGS)],
        default=None,
        help="one vector per window: mean (over patches and summary tokens, [D]), "
        "mean_patches ([S*D]), mean_tokens ([N*D]) or flatten ([N*S*D]); none keeps the "
        "[N, S, D] array (.mat only). Default: none for .mat, mean for .csv",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from eegpt.errors import OutputExistsError
    from eegpt.export import (
        EXPORT_FORMATS,
        describe_export,
        export_embeddings,
        export_pool,
        read_export_input,
        refuse_recording,
        require_export_dependencies,
    )
    from eegpt.outputs import check_output_folder

    fmt = args.output.suffix.lower()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(
            f"--output {args.output}: eegpt export writes a .mat (MATLAB) or .csv file, named "
            "by its suffix, e.g. -o embeddings.mat"
        )
    export_pool(fmt, args.pool, None)  # a pooling the format cannot take: before reading
    require_export_dependencies(fmt)
    if args.output.exists() and not args.overwrite:
        raise OutputExistsError(f"{args.output} exists; pass --overwrite to replace it")
    check_output_folder(args.output.parent, args.output)  # before reading a large input
    if not args.input.exists():
        raise MissingFileError(f"no such file or folder: {args.input}")
    refuse_recording(args.input, args.output)  # before saying it is read
    if not args.quiet:
        print(f"reading {args.input} ...", file=sys.stderr)
    windows = read_export_input(args.input)
    pool = export_pool(fmt, args.pool, windows.embeddings.metadata.get("pool"))
    export_embeddings(windows, args.output, pool=pool, overwrite=args.overwrite)
    if not args.quiet:
        print(describe_export(windows, args.output, pool), file=sys.stderr)
    return 0


def add_anonymize_command(sub: Any) -> None:
    """``eegpt anonymize INPUT -o OUTPUT [--daysback N]``."""
    p = sub.add_parser(
        "anonymize",
        help="copy embeddings or a probe for publication without the recording date, paths "
        "and host",
        description="Write a copy of embeddings (.npz, .parquet, an embed-dataset folder or a "
        "folder of --part run folders) without the recording's measurement date, its paths "
        "(a corpus run's rows name each file by its recording id, a single file by its name; "
        "the checkpoint by its file name) or the host and SLURM job ids of the runs. The "
        "embeddings, onsets, file names, recording ids, channels, model, checkpoint sha256, "
        "labels, the manifest's own columns, BIDS participants.tsv columns and the times runs "
        "started are kept: check those yourself. A probe folder (eegpt probe train's) is "
        "copied likewise: its probe.json without the command line, working folder, folders "
        "of the training files and checkpoint, or the files' modification times; its weights "
        "byte for byte; it loads and predicts as the original (give it the encoder with "
        "--weights). So are a probe's outputs, eegpt probe predict -o's table (a .csv/.tsv "
        "byte for byte with its sidecar anonymized, a .parquet's rows unchanged) and eegpt "
        "probe evaluate --json's file: only their provenance changes, so check the rows' file "
        "and clock_time columns yourself. See README, 'Publishing embeddings'.",
    )
    p.add_argument(
        "input",
        type=Path,
        help="an embeddings file of eegpt embed (.npz/.parquet), an embed-dataset output "
        "folder (or a folder of --part run folders), a probe folder, a prediction table of "
        "eegpt probe predict -o (.csv/.tsv with its .json sidecar, .parquet) or an eegpt probe "
        "evaluate --json file",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="the copy: a file of the input's format, or a new folder; never replaced",
    )
    p.add_argument(
        "--daysback",
        type=int,
        default=None,
        metavar="N",
        help="move the measurement date back by N days instead of removing it (as mne "
        "anonymize --daysback), keeping the order and spacing of recordings",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=cmd_anonymize)


def cmd_anonymize(args: argparse.Namespace) -> int:
    from eegpt.anonymize import anonymize_embeddings, probe_output_kind

    anonymize_embeddings(args.input, args.output, daysback=args.daysback)
    if not args.quiet:
        if args.input.is_file() and probe_output_kind(args.input) is not None:
            print(
                f"wrote {args.output}: an anonymized copy of {args.input} (its provenance "
                "without the command line, working folder, host, the folders of the probe and "
                "input files, their modification times and the creation date; the table's rows "
                "or the metrics copied as they are). Check them before publishing: the file "
                "column's names (which often hold dates or patient names), clock_time, labels",
                file=sys.stderr,
            )
            return 0
        date = (
            "measurement dates removed"
            if args.daysback is None
            else f"measurement dates moved back {args.daysback} days"
        )
        if (args.output / "probe.json").is_file():  # a probe folder's copy
            print(
                f"wrote {args.output}: an anonymized copy of the probe {args.input} (command "
                "line, working folder, host, the folders of its training files and checkpoint "
                "and the files' modification times removed; weights copied as they are). "
                "Copied as they are, check them before publishing: the training files' names "
                "(which often hold dates or patient names), sizes and fingerprints, the class "
                "names and label column, and the training warnings",
                file=sys.stderr,
            )
            return 0
        print(
            f"wrote {args.output}: an anonymized copy of {args.input} ({date}; paths, host and "
            "SLURM ids removed). Copied as they are, check them before publishing: file names "
            "and recording ids (which often hold dates or patient names), the manifest's own "
            "columns, BIDS participants.tsv columns, event labels, annotations, and the times "
            "runs started (with their UTC offset, not moved by --daysback)",
            file=sys.stderr,
        )
    return 0


def _debug_after_command(parser: argparse.ArgumentParser) -> None:
    """Let ``--debug`` come after a command too (``eegpt embed ... --debug``), as after the
    program name: each (sub)command takes it, keeping the value given before it unless given."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in dict.fromkeys(action.choices.values()):
                if "--debug" not in command._option_string_actions:
                    command.add_argument(
                        "--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks",
                    )  # fmt: skip
                _debug_after_command(command)


def _colon_pair(text: str) -> bool:
    """Whether ``text`` reads as IN:VOCAB, a name on each side of a ':' (a path's ``C:\\``
    or ``/`` is none)."""
    label, colon, electrode = text.rpartition(":")
    return bool(colon and label.strip() and electrode.strip()) and not re.search(r"[/\\]", text)


def _export_hint(output: Path) -> str:
    """For an ``eegpt embed -o`` of a format ``eegpt export`` writes (.csv, .mat): how to get
    it from the embeddings; else nothing."""
    if output.suffix.lower() not in (".csv", ".mat"):
        return ""
    npz = output.with_suffix(".npz")
    return (
        f". For a {'CSV table' if output.suffix.lower() == '.csv' else 'MATLAB file'}: embed "
        f"to {npz}, then convert it: eegpt export {npz} -o {output}"
    )


def embed_format(text: str) -> str:
    """``eegpt embed --format``: the word given in any case (``npz``, ``parquet``); ``csv``
    and ``mat``, which ``eegpt export`` writes from embed's outputs, refused saying so."""
    word = text.strip().lower()
    if word in ("csv", "mat"):
        what = "a CSV table (one mean-pooled row per window)" if word == "csv" else "MATLAB"
        raise argparse.ArgumentTypeError(
            f"{text!r}: eegpt embed writes npz or parquet. For {what}, embed to .npz, then "
            f"convert each output: eegpt export OUT.npz -o OUT.{word}"
        )
    return word


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


def _missing_parent_folders(paths: list[Path]) -> list[Path]:
    """The folders above ``paths`` that do not exist yet, deepest first."""
    missing: set[Path] = set()
    for path in paths:
        folder = path.absolute().parent
        while not folder.exists() and folder != folder.parent:
            missing.add(folder)
            folder = folder.parent
    return sorted(missing, key=lambda folder: len(folder.parts), reverse=True)


def _remove_empty(folders: list[Path]) -> None:
    """Remove those of ``folders`` (deepest first) that exist and are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # not empty, or already gone
            pass


def _hint_annotations_first(parser: argparse.ArgumentParser) -> None:
    """Make ``parser`` explain the error of ``embed --annotations H.edf REC.edf``: the option
    takes every word up to the next option, so no recording was left."""
    error = parser.error

    def explained(message: str) -> NoReturn:
        if "recordings" in message and "required" in message:
            message += (
                " (if --annotations came before them: it takes every file after it up to the "
                "next option; put it after the recordings: embed REC.edf --annotations H.edf)"
            )
        error(message)

    parser.error = explained  # type: ignore[method-assign]


def _output_paths(recordings: list[Path], output: str, fmt: str | None) -> list[Path]:
    """The file each recording is written to: ``output`` itself (a ``.npz``/``.parquet``
    name, one recording) or files in the folder ``output`` (named so, or ending in a
    slash)."""
    from eegpt.outputs import output_format

    folder = output.endswith(("/", os.sep))
    target = Path(output)
    if folder and target.exists() and not target.is_dir():
        raise ValueError(f"--output {target}/ names a folder, but {target} is a file")
    if not folder and output_format(target) is not None:
        if fmt is not None and output_format(target) != f".{fmt}":
            raise ValueError(
                f"--output {target} is a {target.suffix} file but --format {fmt} was given; "
                "--format names the files' type when --output is a folder"
            )
        if len(recordings) != 1:
            raise ValueError(
                f"--output {target} is a single file but {len(recordings)} recordings were given; "
                "pass a directory"
            )
        return [target]
    if not folder and target.suffix and not target.is_dir():
        raise ValueError(
            f"--output {target}: unsupported file type {target.suffix!r}; write .npz or "
            f".parquet, or give a folder (a name with a dot is taken for a folder when it "
            f"exists already, or ends in a slash: {target}/)" + _export_hint(target)
        )
    paths = [target / f"{rec.stem}.{fmt or 'npz'}" for rec in recordings]
    seen: dict[Path, Path] = {}
    for rec, path in zip(recordings, paths, strict=True):
        if path in seen:
            raise ValueError(
                f"{rec} and {seen[path]} would both be written to {path} (outputs are named "
                "by the recording's file name); embed them in separate runs with their own "
                "--output folders, or use eegpt embed-dataset, which keeps their paths"
            )
        seen[path] = rec
    return paths


def _same_file(a: Path, b: Path) -> bool:
    """Whether paths ``a`` and ``b`` name the same file: :func:`os.path.samefile` where both
    exist (hard links, symbolic links, other spellings of a path), else the resolved paths
    are equal."""
    with contextlib.suppress(OSError):
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _refuse_outputs_over_inputs(
    inputs: list[Path], outputs: list[Path], recordings: list[Path]
) -> None:
    """Refuse, before anything is embedded, an output path that is one of the run's input
    files (``inputs``: the recordings given, --annotations files): an ``.npz`` of epochs
    arrays embedded into its own folder is named as itself, and writing it (--overwrite, or
    --skip-existing, which replaces a file it cannot read as an output) would replace the
    recording with its embeddings. ``outputs[k]`` is ``recordings[k]``'s output."""
    for rec, out in zip(recordings, outputs, strict=True):
        for source in inputs:
            if not _same_file(out, source):
                continue
            whose = "itself" if _same_file(source, rec) else f"another input, {source}"
            raise ValueError(
                f"the output of {rec} would be {out}, which is {whose}: writing it would "
                "replace that input with embeddings (--overwrite and --skip-existing never "
                "do). Give -o another folder, or an output file name for one recording "
                f"(-o {out.with_name(out.stem + '_emb' + out.suffix)})"
            )


#: What a Ctrl-C of ``eegpt embed`` says: each output is written whole under a temporary name
#: and renamed into place (the temporary file removed when stopped), so those present are
#: complete.
EMBED_INTERRUPTED = (
    "eegpt: interrupted; the output files written so far are complete: run the same command "
    "with --skip-existing to embed the rest"
)


def _full_disk(err: BaseException, code: int, out: Path) -> OSError:
    """The error that stops ``eegpt embed`` on a full disk (``code``: ``ENOSPC``, ``EDQUOT``
    for a quota, or ``EFBIG`` for a file-size limit), naming the output being written and how
    to go on."""
    from eegpt.errors import OutputNotWritableError, out_of_room, room_advice

    full = OutputNotWritableError(
        f"{out_of_room(code, out.parent, out, err)}: stopped; the output files written before "
        f"it are complete. {room_advice(code, 'choose another --output')} and run the same "
        "command with --skip-existing to embed the rest"
    )
    full.errno = code
    return full


def _epochs_among(paths: Sequence[Path]) -> list[str]:
    """Those of the recordings ``paths`` that hold epochs
    (:func:`eegpt.probe_label_files._is_continuous_input`: ``-epo.fif``, a ``.set`` of several
    trials, an ``.npz`` of epochs arrays), as text."""
    from eegpt.probe_label_files import _is_continuous_input

    return [str(p) for p in paths if not _is_continuous_input(Path(p))]


def warn_marker_spans_of_epochs(args: argparse.Namespace, paths: Sequence[Path]) -> None:
    """With ``--marker-spans`` given (``args.marker_spans``), say once which of the recordings
    ``paths`` hold epochs (:func:`eegpt.probe_label_files._is_continuous_input`: ``-epo.fif``,
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


def _marker_spans(args: argparse.Namespace) -> dict[str, str] | None:
    """``--marker-spans`` as the ``states`` of :func:`eegpt.annotations.markers_to_spans`
    (:func:`eegpt.probe_label_files.parse_marker_spans`), or None without it."""
    if not getattr(args, "marker_spans", None):
        return None
    from eegpt.probe_label_files import parse_marker_spans

    return parse_marker_spans(args.marker_spans)


def cmd_embed(args: argparse.Namespace) -> int:
    from eegpt._file_identity import headers_read_once

    # each split FIF and .vhdr header read once: to list the recordings, then for provenance
    with headers_read_once():
        return _embed_command(args)


def _refuse_unreadable_inputs(paths: Sequence[Path]) -> None:
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


def _embed_command(args: argparse.Namespace) -> int:
    from eegpt._tempfiles import remove_stale
    from eegpt.annotations import patterns_warned_once
    from eegpt.api import embed_to_file
    from eegpt.checkpoints import load_model
    from eegpt.engine import InferenceEngine, resolve_device
    from eegpt.errors import USER_ERRORS, OutputExistsError, disk_full
    from eegpt.hub import WEIGHTS_HELP
    from eegpt.outputs import check_output_folder, require_output_dependencies
    from eegpt.rename_tables import unmatched_rename_warning

    if not args.weights:
        print(f"eegpt: error: no --weights given.\n\n{WEIGHTS_HELP}", file=sys.stderr)
        return 2
    check_recordings_given(args.recordings)
    rename = parse_rename(args.rename, args.drop)
    states = _marker_spans(args)
    stim = stim_setting(args)
    given = list(args.recordings)  # every file read, split FIF continuations included
    args.recordings = recording_paths(args.recordings, args.quiet)
    starts = recording_starts(args.start, args.recordings)  # one per continuous recording?
    warn_marker_spans_of_epochs(args, args.recordings)
    warn_stim_events_of_epochs(args, args.recordings)
    _refuse_unreadable_inputs(args.recordings)
    extra = args.annotations or [None] * len(args.recordings)
    if len(extra) != len(args.recordings):
        raise ValueError(
            f"{_count(len(extra), '--annotations file')} for "
            f"{_count(len(args.recordings), 'recording')}: give "
            "one per recording, in the same order"
        )
    args.recordings, extra = given_once(args.recordings, extra)
    outputs = _output_paths(args.recordings, args.output, args.format)
    _refuse_outputs_over_inputs(
        [*given, *(a for a in extra if a is not None)], outputs, args.recordings
    )
    several = len(args.recordings) > 1  # a --rename name need not be in every recording
    if args.skip_existing and args.overwrite:
        raise ValueError("give --skip-existing or --overwrite, not both")
    stale: dict[Path, int] = {}  # --skip-existing: outputs embedded again, their mtime_ns
    config = preprocessing_config(args)
    if args.skip_existing:
        n_all = len(outputs)
        stale, read = _stale_outputs(args.recordings, outputs)  # each output read once
        todo = [k for k, out in enumerate(outputs) if not out.exists() or out in stale]
        todo_set = set(todo)
        kept = [k for k in range(n_all) if k not in todo_set]
        kept_meta = {outputs[k]: read.get(outputs[k]) for k in kept}  # None: not read
        _warn_names_read_otherwise([(outputs[k], kept_meta[outputs[k]], extra[k]) for k in kept])
        _warn_other_settings(
            [
                (outputs[k], kept_meta[outputs[k]],
                 config.updated(start_seconds=starts[rec]) if rec in starts else config)
                for k in kept
                for rec in [args.recordings[k]]
            ],
            channels={"picks": picks_of(args), "rename": rename, "keep": args.keep_channels},
        )  # fmt: skip
        _warn_other_annotation_settings(
            [(outputs[k], kept_meta[outputs[k]], args.recordings[k], extra[k]) for k in kept],
            states,
            args.reject_by_annotation,
            stim,
        )
        kept_model = [(outputs[k], kept_meta[outputs[k]]) for k in kept]
        _warn_other_output_settings(kept_model, args.precision, args.stream_precision, args.pool)
        from eegpt.outputs_read import warn_older_resampler

        warn_older_resampler(kept_model)  # resampled by an earlier eegpt's resampler
        if not todo:
            _warn_other_weights(kept_model, args.weights, None)
            every = "the output exists" if n_all == 1 else f"all {n_all} outputs exist"
            print(f"--skip-existing: {every}; nothing to do")
            return 0
        if len(todo) < n_all and not args.quiet:
            print(
                f"--skip-existing: {n_all - len(todo)} of {n_all} recordings already have "
                f"their output file; embedding the other {len(todo)}"
            )
        args.recordings = [args.recordings[k] for k in todo]
        outputs = [outputs[k] for k in todo]
        extra = [extra[k] for k in todo]
    elif not args.overwrite:
        existing = [str(p) for p in outputs if p.exists()]
        if existing:
            raise OutputExistsError(
                f"outputs exist (pass --overwrite to replace them, or --skip-existing to "
                f"embed only the others): {few(existing, 5)}"
            )
    check_output_folder(outputs[0].parent, args.output)  # before the model and any recording
    for out in outputs:  # pyarrow for Parquet: said once, not after each file's windows
        require_output_dependencies(out)
    resolve_device(args.device)  # no such GPU, or mps: said before the weights load (download)
    model = load_model(args.weights, device="cpu", verbose=not args.quiet)
    if args.skip_existing:
        _warn_other_weights(kept_model, args.weights, model)
    try:  # a window shorter than a patch: one error, here, in the option's terms
        model.config.n_patches(config.n_samples)
    except ValueError as err:
        raise ValueError(f"--window {args.window:g}: {err}") from None
    engine = InferenceEngine(
        model.target_encoder,  # embeddings: never a fine-tuned model's channel projection
        device=args.device,
        precision=args.precision,
        batch_size=args.batch_size,
        stream_precision=args.stream_precision,
    )
    ok, warned, failed, hours, n_windows = 0, 0, [], 0.0, 0
    short: list[Path] = []  # of several recordings, those shorter than one window: skipped
    meanwhile: list[Path] = []  # --skip-existing: outputs another process wrote during this run
    seen: dict[str, None] = {}  # channel names of the recordings embedded (rename typos?)
    made = _missing_parent_folders(outputs)  # made by the first write; removed again if left empty
    for out in outputs:  # a killed (kill -9) embed's temporary files of these outputs
        remove_stale(out, ".tmp")
    t0 = time.perf_counter()
    said = OncePerCorpus()  # a warning or channel table repeated for each file: said once
    try:
        with said, patterns_warned_once(set()):  # a loose --marker-spans pattern: said once
            for rec, out, annotations in zip(args.recordings, outputs, extra, strict=True):
                said.current = Path(rec)
                if args.skip_existing and _written_since(out, stale):  # by another run
                    _written_meanwhile(rec, out, meanwhile, args.quiet)
                    continue
                try:
                    written = embed_to_file(
                        model,
                        rec,
                        out,
                        overwrite=args.overwrite or out in stale,
                        rename=rename,
                        on_unknown="raise" if args.strict_channels else "drop",
                        on_missing="ignore" if several else "raise",
                        keep=args.keep_channels,
                        picks=picks_of(args),
                        preprocessing=(  # its own --start, recorded in its output
                            config.updated(start_seconds=starts[rec]) if rec in starts else config
                        ),
                        reject_by_annotation=args.reject_by_annotation,
                        annotations=annotations,
                        marker_spans=states,
                        **stim_keywords(stim),
                        engine=engine,
                        pool=args.pool,
                        hash_inputs=args.hash_inputs,
                        progress=not args.quiet,
                        verbose=not args.quiet,
                    )
                except USER_ERRORS + (RuntimeError,) as err:
                    if args.skip_existing and isinstance(err, OutputExistsError):
                        _written_meanwhile(rec, out, meanwhile, args.quiet)  # while we embedded
                        continue
                    _debug_traceback(args, err)
                    full = disk_full(err)  # every later file would fail too: stop
                    if full is not None:
                        raise _full_disk(err, full, out) from err
                    text = str(err)
                    where = "" if str(rec) in text or rec.name in text else f"{rec}: "
                    if several and isinstance(err, TooShortError):  # as embed-dataset: no failure
                        short.append(rec)
                        print(f"eegpt: skipped: {error_text(where + text)}", file=sys.stderr)
                        continue
                    failed.append((rec, err))
                    print(f"eegpt: error: {error_text(where + text)}", file=sys.stderr)
                    continue
                ok += 1
                warned += bool(written.metadata.get("warnings"))
                channels = written.metadata["channels"]
                seen.update(dict.fromkeys([*channels["input_names"], *channels["dropped"]]))
                seen.update(dict.fromkeys(written.metadata.get("left_out", {})))
                n_windows += len(written)
                step = config.window_seconds - config.overlap
                hours += (len(written) * step) / 3600
                if not args.quiet:
                    left_out = len(written.metadata.get("rejected_by_annotation", []))
                    note = f" ({left_out} over bad annotations left out)" if left_out else ""
                    used = written.metadata.get("annotations_file")  # not the recording itself
                    paired = f" (with the annotations of {annotations})" if used else ""
                    since = f" from {starts[rec]:g} s" if rec in starts else ""
                    axes = (  # the shape stored: --pool mean keeps [n, 1, 1, D]
                        "windows, 1, 1, dims: the mean over patches and summary tokens"
                        if written.metadata.get("pool") == "mean"
                        else "windows, patches, summary tokens, dims"
                    )
                    print(terminal_text(  # names as they are, control characters escaped
                        f"{rec}{paired} -> {out}: {len(written)} windows{since}{note}, embeddings "
                        f"[{', '.join(map(str, written.shape))}] ({axes})"
                    ))  # fmt: skip
    finally:
        _remove_empty(made)
    elapsed = time.perf_counter() - t0
    for line in said.summary():
        warnings.warn(line, EEGPTWarning, stacklevel=1)
    unmatched = unmatched_rename_warning(rename, list(seen), ok)
    if unmatched:
        warnings.warn(unmatched, EEGPTWarning, stacklevel=1)
    skipped = (
        f", {len(short)} shorter than one window (skipped: --tail pad embeds them zero-padded)"
        if short
        else ""
    )
    if meanwhile:
        skipped += f", {len(meanwhile)} skipped (written meanwhile by another process)"
    if not args.quiet or failed:
        print(
            f"done: {ok} ok{_with_warnings(warned)}, {len(failed)} failed{skipped}, {n_windows} "
            f"windows ({hours:.2f} h of EEG) in {elapsed:.1f} s on {engine.device}",
            file=sys.stderr,
        )
    if short and not ok and not failed and not meanwhile:
        print(
            "eegpt: nothing embedded: every recording is shorter than one window", file=sys.stderr
        )
        return 1
    if not failed:
        return 0
    return EXIT_SOME_FAILED if ok else 1


def _warn_names_read_otherwise(kept: list[tuple[Path, Mapping[str, Any] | None, Any]]) -> None:
    """With --skip-existing, warn of the outputs kept (with their metadata and the annotations
    file given for each, if any) whose annotations table an earlier eegpt read its events' names from
    another column than this one does (:func:`eegpt.annotations.names_read_otherwise`: each
    event called 'event' before eegpt looked beyond trial_type, description and value, or a
    trial_type all n/a read before a filled column was): kept, they and the outputs embedded
    now name the same events otherwise."""
    from eegpt.annotations import names_read_otherwise, read_otherwise_text

    changed = []
    for out, meta, given in kept:
        if meta is None:
            continue
        read = names_read_otherwise(meta, given)
        if read is not None:
            changed.append(f"{out} ({read_otherwise_text(*read)})")
    if changed:
        warnings.warn(
            f"--skip-existing keeps {len(changed)} output(s) embedded by an earlier eegpt that "
            "read the events' names of their annotations table from another column than this "
            "one (earlier versions called every event 'event' where the table had no trial_type, "
            "description or value column, or read a trial_type that is n/a in every row): "
            f"{few(changed, 5)}. Their windows' annotations "
            "differ from those of the outputs embedded now: embed them again with --overwrite",
            EEGPTWarning,
            stacklevel=1,
        )


def _is_epochs_output(meta: Mapping[str, Any]) -> bool:
    """Whether the metadata ``meta`` is of an output of epochs (one window each), by what
    :func:`eegpt.api` records only for epochs: ``epoch_onsets`` (how their onsets count),
    their ``labels`` (MNE epochs' event names),
    ``window_index`` (epochs dropped), ``epochs_metadata``, ``padded_epochs`` (epochs shorter
    than the window) or an ``epochs_baseline`` interval (continuous recordings record None)."""
    return (
        any(
            meta.get(key) is not None
            for key in ("labels", "window_index", "epochs_metadata", "epoch_onsets")
        )
        or bool(meta.get("padded_epochs"))
        or isinstance(meta.get("epochs_baseline"), (list, tuple))
    )


def _warn_other_settings(
    kept: list[tuple[Path, Mapping[str, Any] | None, Any]],
    *,
    channels: Mapping[str, Any] | None = None,
) -> None:
    """With --skip-existing, warn of the outputs kept (each with its metadata and the
    preprocessing this command would embed its recording with) that were embedded with other
    preprocessing settings (their ``metadata["preprocessing"]``, compared as a resumed corpus
    run's settings are: :func:`eegpt.dataset_read.spec_differences`) or, given ``channels``
    (this command's ``picks``, ``rename`` and ``keep``, as :func:`eegpt.api.embed` takes
    them), another channel selection (:func:`_channel_differences`): one warning, each
    output with all its settings that differ. Kept as they are, not embedded again, their
    windows differ from those of the outputs embedded now; ``--overwrite`` replaces them.
    ``overlap`` and ``start_seconds``, which do not apply to epochs (recorded 0 for them), are
    not compared for outputs of epochs."""
    from eegpt.dataset_read import spec_differences

    differ = []
    mapped: dict[tuple[str, ...], Any] = {}  # channel names -> this run's mapping of them
    for out, meta, config in kept:
        if meta is None:
            continue
        changed = []
        stored = meta.get("preprocessing")
        if isinstance(stored, Mapping):
            stored, wanted = dict(stored), config.to_dict()
            if _is_epochs_output(meta):  # epochs: one window each, from their start
                for key in ("overlap", "start_seconds"):
                    stored.pop(key, None)
                    wanted.pop(key, None)
            changed += spec_differences(stored, wanted, "preprocessing.")
        if channels is not None:
            changed += _channel_differences(meta, channels, mapped)
        if changed:
            differ.append(f"{out} ({'; '.join(changed)})")
    if differ:
        warnings.warn(
            f"--skip-existing keeps {_count(len(differ), 'output')} embedded with other "
            "preprocessing or channel settings than this command's (recorded -> given): "
            f"{few(differ, 5)}. Kept as they are, not embedded again: their windows differ "
            "from those of the outputs embedded now; embed them again with --overwrite to "
            "replace them with these settings",
            EEGPTWarning,
            stacklevel=1,
        )


def _warn_other_annotation_settings(
    kept: list[tuple[Path, Mapping[str, Any] | None, Path, Path | None]],
    states: Mapping[str, str] | None,
    reject: bool,
    stim: Any = None,
) -> None:
    """With --skip-existing, warn of the outputs kept (each with its metadata, its recording
    and the ``--annotations`` file given for it, if any) whose windows' annotations were made
    otherwise than this command makes them: another ``--marker-spans`` (``states``; recorded
    as ``metadata["marker_spans"]``, not for epochs, which get no spans), another
    ``--events-from-stim`` (``stim``, a :class:`eegpt.stim_events.StimEvents` or None;
    recorded as ``metadata["events_from_stim"]``), another
    ``--annotations`` file (``metadata["annotations_file"]``), or ``--reject-by-annotation``
    (``reject``) where it changes which windows are kept (recorded
    ``metadata["rejected_by_annotation"]``, or windows over bad annotations kept). Kept as
    they are, their windows' annotations (and windows) differ from those embedded now."""
    from eegpt.annotations import bad_windows, same_file

    wanted_states = dict(states) if states else None
    differ = []
    for out, meta, recording, given in kept:
        if meta is None:
            continue
        changed = []
        if not _is_epochs_output(meta):
            recorded = meta.get("marker_spans") or None
            if recorded != wanted_states:
                changed.append(f"marker_spans ({recorded!r} -> {wanted_states!r})")
            made = meta.get("events_from_stim") or None
            wanted_stim = None if stim is None else stim.record()
            if made != wanted_stim:
                changed.append(f"events_from_stim ({made!r} -> {wanted_stim!r})")
        recorded_file = meta.get("annotations_file")
        file = None if given is None or same_file(given, recording) else str(given)
        if (recorded_file is None) != (file is None) or (
            file is not None and not same_file(file, recorded_file)
        ):
            changed.append(f"annotations file ({recorded_file} -> {file})")
        per_window = meta.get("annotations")
        kept_bad = isinstance(per_window, list) and bool(bad_windows(per_window).any())
        if reject and kept_bad:
            changed.append("windows over bad annotations kept -> left out")
        elif not reject and meta.get("rejected_by_annotation"):
            changed.append("windows over bad annotations left out -> kept")
        if changed:
            differ.append(f"{out} ({'; '.join(changed)})")
    if differ:
        warnings.warn(
            f"--skip-existing keeps {_count(len(differ), 'output')} whose windows' annotations "
            "were made with other --marker-spans, --events-from-stim, --annotations or "
            "--reject-by-annotation than "
            f"this command's (recorded -> given): {few(differ, 5)}. Kept as they are, not "
            "embedded again: their windows' annotations differ from those of the outputs "
            "embedded now; embed them again with --overwrite to replace them",
            EEGPTWarning,
            stacklevel=1,
        )


def _channel_differences(
    meta: Mapping[str, Any],
    channels: Mapping[str, Any],
    mapped: dict[tuple[str, ...], Any],
) -> list[str]:
    """How the channel selection of an output kept by --skip-existing (its metadata ``meta``)
    differs from what this command's ``channels`` options (``picks``, ``rename``, ``keep``:
    ``--picks``, ``--rename``/``--drop``/a rename table, ``--keep-channels``) select from the
    same recording, as :func:`spec_differences <eegpt.dataset_read.spec_differences>` entries
    (recorded -> given); [] where they select alike or nothing usable is recorded.

    ``picks`` is compared as recorded (``metadata["picks"]``): other channel types read give
    other channels to map. The renames, drops and ``keep`` are compared by their effect on
    this recording, without opening it: the channel names its mapping recorded
    (``metadata["channels"]``: those kept, ``dropped`` and ``not_kept``, every channel that
    reached the mapping) are mapped again with this command's options
    (:func:`eegpt.channels.map_channels`, its notes unsaid), each channel's fate compared
    (``"EEG FZ-REF (FZ -> dropped)"``). An option that selects alike here (a ``--drop`` of a
    channel this recording lacks) is no difference for it. ``mapped`` caches the mapping by
    the names mapped (outputs of one montage are mapped once)."""
    from eegpt._logging import ignored_warnings
    from eegpt.api import _picks_record
    from eegpt.channels import map_channels

    recorded_picks, picks = meta.get("picks"), _picks_record(channels.get("picks", "eeg"))
    if isinstance(recorded_picks, list) and recorded_picks != picks:
        return [f"picks ({recorded_picks!r} -> {picks!r})"]  # other channels read: not mapped
    record = meta.get("channels")
    if not isinstance(record, Mapping) or not isinstance(record.get("input_names"), list):
        return []  # nothing recorded to compare
    inputs, kept_as = record["input_names"], record.get("names")
    if not isinstance(kept_as, list) or len(kept_as) != len(inputs):
        return []  # not a mapping eegpt wrote: nothing to compare
    was = {str(inp): str(name) for inp, name in zip(inputs, kept_as, strict=True)}
    was.update(dict.fromkeys(map(str, record.get("dropped") or ()), "dropped"))
    was.update(dict.fromkeys(map(str, record.get("not_kept") or ()), "not kept"))
    names = tuple(was)
    if names not in mapped:
        try:
            with ignored_warnings():
                mapped[names] = map_channels(
                    list(names), rename=channels.get("rename"), on_unknown="drop",
                    on_missing="ignore", keep=channels.get("keep"), verbose=False,
                )  # fmt: skip
        except ValueError as err:  # none left, two onto one name: the run would say so
            mapped[names] = str(err).split(". ")[0]
    now = mapped[names]
    if isinstance(now, str):
        return [f"channels ({len(inputs)} kept -> {now})"]
    will = {**dict.fromkeys(now.dropped, "dropped"), **dict.fromkeys(now.not_kept, "not kept")}
    will.update(zip(now.input_names, now.names, strict=True))
    moved = [f"{n} ({a} -> {will.get(n, 'dropped')})" for n, a in was.items()
             if will.get(n, "dropped") != a]  # fmt: skip
    return [f"channels: {few(moved, 3)}"] if moved else []


def _warn_other_output_settings(
    kept: list[tuple[Path, Mapping[str, Any] | None]],
    precision: str,
    stream_precision: str,
    pool: str,
) -> None:
    """With --skip-existing, warn of the outputs kept (with their metadata) that were embedded
    at another ``--precision`` or ``--stream-precision``, or stored with another ``--pool``,
    than this command's (their ``metadata["precision"]``/``["stream_precision"]``, the latter
    recorded only when not float32, and ``["pool"]``, recorded only for ``mean``): kept as
    they are, their embeddings differ from those embedded now in the last bits (float32 is
    exact; bfloat16 errs up to ~1e-2) or in shape (``[N, S, D]`` against ``[1, 1, D]``)."""
    differ = []
    for out, meta in kept:
        if meta is None or not isinstance(meta.get("precision"), str):
            continue
        changed = []
        if meta["precision"] != precision:
            changed.append(f"precision {meta['precision']} -> {precision}")
        stream = meta.get("stream_precision") or "float32"
        if stream != stream_precision:
            changed.append(f"stream_precision {stream} -> {stream_precision}")
        stored = meta.get("pool") or "none"
        if stored != pool:
            changed.append(f"pool {stored} -> {pool}")
        if changed:
            differ.append(f"{out} ({'; '.join(changed)})")
    if differ:
        warnings.warn(
            f"--skip-existing keeps {_count(len(differ), 'output')} embedded at another "
            f"precision or pooling than this command's (recorded -> given): {few(differ, 5)}. "
            "Kept as they are, not embedded again; embed them again with --overwrite to have "
            "every output at the same precision and pooling",
            EEGPTWarning,
            stacklevel=1,
        )


def _recorded_weights(checkpoint: Any) -> tuple[str, str] | None:
    """The fingerprint of the weights an output was embedded with and how to name them
    (``metadata["checkpoint"]``: ``weights_sha256``, the encoder's fingerprint, recorded
    since probes compare it); None where the output does not record it."""
    if not isinstance(checkpoint, Mapping) or not checkpoint.get("weights_sha256"):
        return None
    source = checkpoint.get("path") or (checkpoint.get("loaded_from") or {}).get("path")
    name = Path(str(source)).name if source else "weights"
    return str(checkpoint["weights_sha256"]), name


def _weights_at_hand(weights: str) -> Path | None:
    """Where the weights ``weights`` (``--weights``) are without downloading anything: a local
    file or folder that exists (it wins over a pretrained name, as
    :func:`eegpt.checkpoints.resolve_weights` says), else a pretrained name's or URL's files
    already in eegpt's cache (:func:`eegpt.hub.cached_weights`: no network, no environment
    variable set); None otherwise."""
    path = Path(weights).expanduser()
    if path.exists():
        return path
    from eegpt.hub import cached_weights

    return cached_weights(weights)


def _warn_other_weights(
    kept: list[tuple[Path, Mapping[str, Any] | None]], weights: str, model: Any | None
) -> None:
    """With --skip-existing, warn of the outputs kept (with their metadata) that were embedded
    with other weights than ``model`` (the weights this command loaded; None where it has
    nothing to embed: then they are loaded here where they are at hand, a local file or
    folder or weights already cached (:func:`_weights_at_hand`), else not compared)
    by the fingerprint of the encoder's weights each output records
    (``checkpoint.weights_sha256``); outputs that record none are not compared."""
    recorded = {
        out: r for out, meta in kept if meta and (r := _recorded_weights(meta.get("checkpoint")))
    }
    if not recorded:
        return
    if model is None:
        local = _weights_at_hand(weights)
        if local is None:  # comparing is no reason to download weights
            return
        from eegpt.checkpoints import load_model

        try:
            model = load_model(local, device="cpu", verbose=False)
        except Exception:  # noqa: BLE001 - weights that cannot be loaded: not compared
            return
    from eegpt.api import _checkpoint_record

    now = _recorded_weights(_checkpoint_record(model))
    if now is None:
        return
    differ = [
        f"{out} ({name} {sha[:12]}... -> {now[1]} {now[0][:12]}...)"
        for out, (sha, name) in recorded.items()
        if sha != now[0]
    ]
    if differ:
        warnings.warn(
            f"--skip-existing keeps {_count(len(differ), 'output')} embedded with other "
            f"weights than {weights} (encoder fingerprints, recorded -> given): "
            f"{few(differ, 5)}. Kept as they are, not embedded again: their embeddings are not "
            "comparable with those of these weights; embed them again with --overwrite",
            EEGPTWarning,
            stacklevel=1,
        )


def _stale_outputs(
    recordings: list[Path], outputs: list[Path]
) -> tuple[dict[Path, int], dict[Path, Mapping[str, Any]]]:
    """With --skip-existing, the outputs there whose recording changed since they were
    embedded (:func:`eegpt.dataset_stamps.output_source_check`: its files' size, modification
    time, fingerprint), to embed again, each with its modification time (ns) now: said on
    stdout, whatever --quiet. A file at an output's path that eegpt cannot read as its output
    (empty, as a workflow's ``touch`` placeholder, cut short by a copy or run that stopped, or
    no eegpt output) is embedded again too, replacing it (:func:`_unreadable_outputs`: one
    note names each and why): it is no output done. One whose recording's files cannot be
    compared (not found, none recorded) is kept as it is, and so is one whose files have a
    newer modification time but the same size with no fingerprint recorded to compare their
    contents with (outputs of earlier versions after a copy without ``-p``): one note line
    says so. Also the metadata read of each output kept (read once, without its embeddings:
    :func:`eegpt.outputs._load_outline`), for the checks of the outputs kept; an output not
    there, or not read (an :class:`OSError`), has none.

    Only the errors that say a file is no output eegpt can read replace it (a
    :class:`ValueError`, :class:`~eegpt.errors.UnreadableOutputError` included, and what a
    damaged ``.npz`` archive raises); a file that cannot be read now (an :class:`OSError`:
    permissions, gone meanwhile) is kept as it is, since it may well be a good output; any
    other error (``.parquet`` outputs without pyarrow:
    :class:`~eegpt.errors.MissingDependencyError`) stops the command as it would a run that
    writes them."""
    import zipfile

    from eegpt.dataset_stamps import output_source_check
    from eegpt.outputs import _load_outline

    stale: dict[Path, int] = {}
    read: dict[Path, Mapping[str, Any]] = {}
    said: list[str] = []
    unknown: list[Path] = []
    unreadable: dict[Path, str] = {}  # not an output eegpt can read: why
    foreign: dict[Path, str] = {}  # an output of another recording: which
    for rec, out in zip(recordings, outputs, strict=True):
        if not out.is_file():
            continue
        try:
            mtime = out.stat().st_mtime_ns
            meta = _load_outline(out).metadata
        except OSError:  # gone or unreadable meanwhile: as the run finds it
            continue
        except (ValueError, zipfile.BadZipFile, EOFError) as err:  # empty, cut, not eegpt's
            stale[out] = mtime
            unreadable[out] = _why_unreadable(out, err)
            continue
        other = _embedded_from_other(meta, rec)
        if other is not None:  # a file put there from another recording's output
            stale[out] = mtime
            foreign[out] = other
            continue
        check = output_source_check(meta, rec)
        if check is not None and check.changed:
            stale[out] = mtime
            said.append(f"{out} ({few(check.changed, 3)}: {check.what})")
            continue
        read[out] = meta
        if check is not None and check.unknown:
            unknown.append(out)
    if unknown:
        n = len(unknown)
        print(
            terminal_text(
                f"--skip-existing: kept {_count(n, 'output')} whose recording's files have a "
                "newer modification time but the same size, with no fingerprint recorded to "
                "compare their contents with (written by an earlier eegpt; a copy without -p?): "
                f"cannot tell whether they changed; --overwrite embeds them again: "
                f"{few([str(o) for o in unknown], 5)}"
            )
        )
    _say_unreadable(unreadable)
    if foreign:
        n = len(foreign)
        print(
            terminal_text(
                f"--skip-existing: {_count(n, 'output')} {'was' if n == 1 else 'were'} "
                "embedded from another recording than the one given: embedding "
                f"{'it' if n == 1 else 'them'} again, replacing "
                f"{'it' if n == 1 else 'them'}: "
                f"{few([f'{o} (from {r})' for o, r in foreign.items()], 5)}"
            )
        )
    if said:
        n = len(said)
        print(
            terminal_text(
                f"--skip-existing: {_count(n, 'output')} {'is' if n == 1 else 'are'} stale "
                f"({'its' if n == 1 else 'their'} recording changed since): embedding "
                f"{'it' if n == 1 else 'them'} again: {few(said, 5)}"
            )
        )
    return stale, read


def _embedded_from_other(meta: Mapping[str, Any], rec: Path) -> str | None:
    """The recording an output at ``rec``'s output path was embedded from, where it is
    another than ``rec`` (a file copied or renamed there): its recorded ``source`` names
    another file, or names a file that is there and is not ``rec``; None where it is ``rec``
    (or a recording moved since, its old path gone), or none is recorded. A relative source
    that cannot be resolved (:func:`eegpt.dataset_stamps.recorded_source_path`) is compared
    by its name only."""
    from eegpt.dataset_stamps import recorded_source_path

    where = recorded_source_path(meta)
    if where is None:
        return None
    source = str(meta["source"])
    if where.name != rec.name:
        return source
    with contextlib.suppress(OSError):
        if where.is_absolute() and where.is_file() and not os.path.samefile(where, rec):
            return source
    return None


def _why_unreadable(out: Path, err: Exception) -> str:
    """Why ``out`` is no output eegpt can read (:func:`_stale_outputs`): what reading it said
    (:func:`eegpt.outputs._load_outline`'s error, which tells an empty file too), without
    the path the note names already."""
    text = str(err).removeprefix(f"{out} ").removeprefix(f"{out}: ")
    return text or type(err).__name__


def _say_unreadable(unreadable: dict[Path, str]) -> None:
    """With --skip-existing, the note (on stdout, whatever --quiet) on the files at output paths
    that eegpt cannot read as its outputs (``{path: why}``): each is embedded again, replacing
    it, instead of counting as done."""
    if not unreadable:
        return
    n = len(unreadable)
    said = [f"{out} ({why})" for out, why in unreadable.items()]
    print(
        terminal_text(
            f"--skip-existing: {_count(n, 'file')} at the output "
            f"{'path is' if n == 1 else 'paths are'} not {'an output' if n == 1 else 'outputs'} "
            "eegpt can read (empty, cut short, or not written by eegpt embed): embedding "
            f"{'its recording' if n == 1 else 'their recordings'} again, replacing "
            f"{'it' if n == 1 else 'them'}: {few(said, 5)}"
        )
    )


def _written_since(out: Path, stale: dict[Path, int]) -> bool:
    """With --skip-existing, whether ``out`` was written after the run's start by another run
    over the same recordings: it exists, and a stale one (:func:`_stale_outputs`) changed
    since it was found so."""
    try:
        mtime = out.stat().st_mtime_ns
    except OSError:
        return False
    return out not in stale or mtime != stale[out]


def _written_meanwhile(rec: Path, out: Path, meanwhile: list[Path], quiet: bool) -> None:
    """With --skip-existing, ``out`` appeared after the run's start (another run over the same
    recordings wrote it): skipped, not failed, and said unless ``quiet``."""
    meanwhile.append(rec)
    if not quiet:
        print(
            terminal_text(f"{rec}: skipped, {out} written meanwhile by another process"),
            file=sys.stderr,
        )


def _with_warnings(n: int) -> str:
    """The end-of-run note on recordings embedded with warnings: ``" (2 with warnings: see
    eegpt info FILE)"``, or nothing."""
    return f" ({n} with warnings: `eegpt info OUTPUT` lists them)" if n else ""


EXIT_SOME_FAILED = 3  # the run finished, but some of its files failed (named on stderr)
#: Another process holds what the run needs (an embed-dataset output folder, a weights download
#: into the same cache): nothing is wrong, try again later. EX_TEMPFAIL of sysexits.h.
EXIT_TEMPFAIL = 75


#: What --plot writes (matplotlib, the format by the suffix), and at what resolution by default.
FIGURE_SUFFIXES = (".png", ".pdf", ".svg", ".eps", ".jpg", ".jpeg", ".tif", ".tiff")
FIGURE_FORMATS = ".png, .pdf, .svg, .eps, .jpg or .tif"
DEFAULT_DPI = 150


def cmd_channels(args: argparse.Namespace) -> int:
    """Print each recording's channel mapping (and draw it with ``--plot``) without embedding."""
    from eegpt.rename_tables import unmatched_rename_warning

    rename = parse_rename(args.rename, args.drop)
    expanded = _folders_expanded(args.recordings)  # as embed cleans them (a later part shown)
    args.recordings, _ = given_once(recording_paths(expanded, splits=False))
    several = len(args.recordings) > 1
    figure = args.plot is not None and bool(args.plot.suffix)
    picks = picks_of(args)
    listed = [picks] if isinstance(picks, str) else picks
    typed = (
        "of any type"
        if "all" in listed
        else "typed " + " or ".join("EEG" if t == "eeg" else t for t in listed)
    )
    if figure and (several or args.plot.suffix.lower() not in FIGURE_SUFFIXES):
        raise ValueError(
            f"--plot {args.plot}: give a {FIGURE_FORMATS} file for one recording, else a folder"
        )
    if args.nearest is not None:
        rename = _nearest_table(args, rename)
    elif args.write_rename is not None:
        raise ValueError("--write-rename writes the table that --nearest makes: add --nearest")
    failed = 0
    mapping_args = {
        "rename": rename, "on_missing": "ignore" if several else "raise", "picks": picks,
        "keep": args.keep_channels,
    }  # fmt: skip
    seen: dict[str, None] = {}  # channel names of the recordings read, for unmatched keys
    continues = _split_continuations(args.recordings)
    with OncePerCorpus() as said:  # a folder of one montage: its table and warnings once
        for path in args.recordings:
            said.current = path
            if path in continues:
                warnings.warn(continues[path], EEGPTWarning, stacklevel=1)
            failed += _show_channels(args, path, mapping_args, typed, seen, said)
    for line in said.summary():
        warnings.warn(line, EEGPTWarning, stacklevel=1)
    n_read = len(args.recordings) - failed
    unmatched = unmatched_rename_warning(rename, list(seen), n_read) if several else None
    if unmatched:  # one recording: map_channels has already refused such a key
        warnings.warn(unmatched, EEGPTWarning, stacklevel=1)
    if not failed:
        return 0
    return EXIT_SOME_FAILED if n_read else 1  # as eegpt embed: 3 when only some failed


def _split_continuations(paths: list[Path]) -> dict[Path, str]:
    """For `eegpt channels`: the later parts of split FIF recordings given without their first
    part (found as `eegpt embed` finds those it refuses:
    :func:`eegpt.dataset_inputs.listed_split_parts`) -> the warning that says what their
    channels and duration are: the recording's channels, but only this part's duration."""
    from eegpt.dataset_inputs import listed_split_parts

    return {
        paths[row]: (
            f"{paths[row]} is a later part of a split FIF recording, given without its first "
            f"part {first}: the channels shown are that recording's, but the duration is only "
            f"this part's (eegpt embed refuses it alone: give {first} instead)"
        )
        for row, first in listed_split_parts(paths).orphans
    }


def _nearest_table(args: argparse.Namespace, drop: dict[str, str | None] | None) -> Any:
    """The table of ``--nearest [MONTAGE]`` (:func:`eegpt.channels.nearest_rename`), printed,
    written to ``--write-rename`` if given, with the ``--drop`` entries (``drop``) merged."""
    from mne import pick_types

    from eegpt.nearest_sites import nearest_rename, nearest_summary
    from eegpt.rename_tables import (
        RenameTable,
        check_net_table,
        with_net_rows,
        write_rename_table,
    )

    if args.rename:
        raise ValueError(
            "--nearest makes the rename table, so it takes no --rename: to change the table, "
            "write it (--write-rename FILE), edit the file and pass it with --rename FILE"
        )
    if args.nearest:
        source: Any = args.nearest
    elif len(args.recordings) == 1:
        source = _read_quietly(args.recordings[0])
    else:
        raise ValueError(
            f"--nearest without a montage takes the positions of one file, and these "
            f"{len(args.recordings)} files' positions may differ: name the net's montage "
            "(--nearest GSN-HydroCel-129: one table for all), or give one file at a time"
        )
    table = nearest_rename(source, exclude=drop or ())  # --drop: no site, left out
    shown = table
    if args.nearest:  # a montage's table for these files: refused before it is written
        labels: dict[str, None] = {}
        values: dict[str, str | None] = {}
        distances: dict[str, float] = {}
        for path in args.recordings:
            try:
                info = _read_quietly(path).info
            except (OSError, ValueError):  # said when the file is read to be shown
                continue
            eeg = [info.ch_names[i] for i in pick_types(info, eeg=True, exclude=[])]
            rows = with_net_rows(table, eeg)  # EEG.AF3 by the montage's AF3: net_rows
            check_net_table(rows, eeg)
            labels.update(dict.fromkeys(label for label in eeg if label in rows))
            distances.update(rows.distances_mm)
            values.update({label: rows[label] for label in eeg if label in rows})
        if labels and len(labels) < len(table):  # the rows of these recordings' channels
            shown = RenameTable(
                {label: values[label] for label in labels},
                source=table.source,
                distances_mm=distances,
            )
            whole = (
                "; --write-rename writes the whole table" if args.write_rename is not None else ""
            )
            print(
                f"{args.nearest}'s table names {sum(v is not None for v in table.values())} "
                f"of its {len(table)} electrodes; the rows of the {len(labels)} channels of "
                f"the recording{'s' if len(args.recordings) > 1 else ''} follow{whole}:"
            )
    print(nearest_summary(shown))
    if args.write_rename is not None:
        write_rename_table(table, args.write_rename)
        path = shlex.quote(str(args.write_rename))
        print(f"wrote {args.write_rename}: review it, then pass it on: --rename {path}")
    if not drop:
        return table
    return RenameTable(
        {**table, **drop}, drop, table.source, table.distances_mm, table.call, table.net
    )


def add_annotations_option(p: Any, help: str) -> None:
    """``--annotations FILE ...``: annotations kept in other files, one per recording (embed;
    the continuous recordings of the probe commands)."""
    p.add_argument(
        "--annotations", action="extend", nargs="+", type=Path, default=None, metavar="FILE",
        help=help,
    )  # fmt: skip


def add_marker_spans_option(p: Any, more: str = "") -> None:
    """``--marker-spans NAME=REGEX`` (repeated): state markers made spans
    (:func:`eegpt.annotations.markers_to_spans`) before the windows get their annotations
    (embed; the continuous recordings of the probe commands); ``more``: the command's own
    words, appended to the help."""
    p.add_argument(
        "--marker-spans", action="append", default=None, metavar="NAME=REGEX",
        help="state markers of no duration made spans: each annotation matching REGEX (re.search; "
        "own or --annotations') marks the start of state NAME, which lasts to the next state "
        "marker of any NAME or the recording's end (the time before the first is in none); "
        "one NAME=REGEX per state (repeat the option): --marker-spans 'EC=S  1$' "
        "--marker-spans 'EO=S  2$' (BrainVision's 'Stimulus/S  1'), --marker-spans EC=^EC$ "
        "--marker-spans EO=^EO$. The spans, described by NAME, replace the markers; other "
        "annotations are kept. A recording with no matching marker, or whose matching "
        "annotations already last, is an error. REGEX matches every description containing "
        "it: a code such as 276 also matches 32766 (warned of); anchor it, 'EO=^276$'." + more,
    )  # fmt: skip


#: Suffixes of EEG files: a word after ``--events-from-stim`` ending so is a recording the
#: option took for its CHANNEL (``embed --events-from-stim rec.bdf``).
_RECORDING_SUFFIXES = (".bdf", ".edf", ".fif", ".gz", ".vhdr", ".set", ".gdf", ".cnt", ".npz")


def _stim_channel_arg(text: str) -> str:
    """``--events-from-stim CHANNEL``: a channel's name, refused where it is a recording the
    option took (it takes the word after it when that is no option)."""
    if Path(text).suffix.lower() in _RECORDING_SUFFIXES or os.path.exists(text):
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
        _NAMED_STIM_OPTION, dest="events_from_stim", default=None, help=argparse.SUPPRESS
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


def _folders_expanded(paths: list[Path]) -> list[Path]:
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


def _show_channels(
    args: argparse.Namespace,
    path: Path,
    mapping_args: dict[str, Any],
    typed: str,
    seen: dict[str, None],
    said: OncePerCorpus,
) -> int:
    """Print one recording's channels for `eegpt channels` (a mapping table shown for an
    earlier recording: one line naming it); 1 if the recording fails, else 0."""
    from eegpt.channel_picks import bads_of_picks
    from eegpt.errors import (
        USER_ERRORS,
        AllChannelsBadError,
        DuplicateChannelsError,
        NoChannelMappedError,
    )
    from eegpt.rename_tables import rename_table
    from eegpt.vocabulary import printable_name

    rename = mapping_args["rename"]
    refused: AllChannelsBadError | DuplicateChannelsError | None = None
    try:
        try:
            opened = _open_for_channels(path, mapping_args)
        except AllChannelsBadError as err:  # still show them, as bad, then fail
            refused = err
            opened = _open_for_channels(path, {**mapping_args, "picks": err.names})
        except DuplicateChannelsError as err:  # show the mapping the advice leads to
            refused = err
            drop = rename_table(rename)  # a table stays one
            drop.update(dict.fromkeys(err.later))
            opened = _open_for_channels(path, {**mapping_args, "rename": drop})
    except NoChannelMappedError as err:  # list them all: what --rename starts from
        bads = _marked_bad(path, picks_of(args))
        print(f"{path}: {_channels_typed(err.names, bads, typed)}, none named like an "
              "EEGPT electrode:")  # fmt: skip
        shown = ", ".join(map(printable_name, err.names))
        print(textwrap.fill(shown, width=100, initial_indent="  ", subsequent_indent="  "))
        _debug_traceback(args, err)
        print(f"eegpt: error: {error_text(err)}", file=sys.stderr)
        return 1
    except USER_ERRORS + (RuntimeError,) as err:
        _debug_traceback(args, err)
        print(f"eegpt: error: {error_text(err)}", file=sys.stderr)
        return 1
    rec, mapping, info, size = opened
    # every channel of the types picked, whatever --keep-channels keeps of them
    read = [*mapping.input_names, *mapping.dropped, *mapping.not_kept]
    bads = bads_of_picks(info, picks_of(args))
    stored = _stored_rates(rec, read, path)
    print(f"{path}: {_channels_typed(read, bads, typed)} at {rec.sfreq:g} Hz{stored}, {size}")
    table = mapping.summary()
    again = said.seen_table(table)  # a folder of one montage: its table once
    print(table if again is None else f"  {again}")
    if isinstance(refused, DuplicateChannelsError):
        print(
            "  (shown with all but the first of each electrode dropped, as the error below advises)"
        )
    picked = set(read)  # the others are what the type pick left out (the table lists these)
    seen.update(dict.fromkeys(picked))
    types = info.get_channel_types()
    other = [
        f"{n} ({'bad' if n in info['bads'] else t})"
        for n, t in zip(info.ch_names, types, strict=True)
        if n not in picked
    ]
    if other:
        print("  not EEG by type or marked bad, not used: " + ", ".join(other))
    if args.plot is not None:
        out = args.plot if args.plot.suffix else args.plot / f"{path.stem}_channels.png"
        # the channels not read, bad or of another type, as embeddings record them
        # (metadata["left_out"]): the figure counts them as emb.plot_channels() does
        left_out = mapping.left_out_with(getattr(rec, "left_out", None))
        fig = mapping.plot(source=str(path), bads=info["bads"], left_out=left_out)
        _save_figure(fig, out, args.dpi)
        print(f"drew {out}")
    if refused is not None:
        _debug_traceback(args, refused)
        print(f"eegpt: error: {error_text(refused)}", file=sys.stderr)
        return 1
    return 0


def _channels_typed(names: list[str], bads: list[str], typed: str) -> str:
    """``"61 channels typed EEG (2 marked bad)"``: the channels of the types picked (``typed``
    says which), those read (``names``) and those marked bad (``bads``), each counted once."""
    every = dict.fromkeys([*names, *bads])
    marked = f" ({len(bads)} marked bad)" if bads else ""
    return f"{_count(len(every), 'channel')} {typed}{marked}"


def _stored_rates(rec: Any, names: list[str], path: Path) -> str:
    """``" (as stored: 19 at 256 Hz, 3 at 32 Hz, 1 at 1 Hz)"``: the rates the channels
    ``names`` of an EDF/BDF/GDF file are stored at, where they differ from the rate MNE reads
    it at (``rec.sfreq``, the fastest: it upsamples the others), fastest first; ``""`` where
    they do not, or are not known (other formats). Channels eegpt reads the file without (an
    unused faster one) are looked up in its EDF/BDF header."""
    from eegpt._logging import ignored_warnings
    from eegpt.edf_files import check_edf_header
    from eegpt.io import channel_rates

    raw = getattr(rec, "raw", None)
    rates = None if raw is None else channel_rates(raw)
    if raw is None or rates is None:
        return ""
    by_name = dict(zip(raw.ch_names, rates.tolist(), strict=True))
    if any(n not in by_name for n in names) and path.suffix.lower() in (".edf", ".bdf"):
        try:
            with ignored_warnings():  # said when the file was opened
                header = check_edf_header(path)
            labels = [label.strip() for label in header.labels]
            by_name = {**dict(zip(labels, header.sampling_rates, strict=True)), **by_name}
        except (ValueError, OSError):
            pass
    counts = Counter(float(by_name[n]) for n in names if n in by_name)
    if set(counts) <= {float(rec.sfreq)}:
        return ""
    parts = ", ".join(f"{n} at {rate:g} Hz" for rate, n in sorted(counts.items(), reverse=True))
    return f" (as stored: {parts})"


def _marked_bad(path: Path, picks: str | list[str]) -> list[str]:
    """:func:`eegpt.channel_picks.bads_of_picks` of a file, its header read again (quietly: it was read
    once); ``[]`` where it cannot be read."""
    from eegpt.channel_picks import bads_of_picks

    try:
        inst = _read_quietly(path)
    except (ValueError, OSError):
        return []
    return bads_of_picks(inst.info, picks)


def _read_quietly(path: Path) -> Any:
    """A file's MNE Raw (its header only) or Epochs, read without warnings (they are given
    when the file is read to be shown)."""
    from eegpt._logging import ignored_warnings
    from eegpt.io import is_epochs_file, read_epochs_file, read_recording

    with ignored_warnings():
        if is_epochs_file(path):
            return read_epochs_file(path, "error")
        return read_recording(path, preload=False, verbose="error")


def _debug_traceback(args: argparse.Namespace, err: BaseException) -> None:
    """With ``--debug``, print the traceback of an error that a command reports for one file
    and goes on after (the next file), as :func:`run_command` shows those it stops on."""
    if getattr(args, "debug", False):
        traceback.print_exception(err, file=sys.stderr)


def _open_for_channels(path: Path, mapping_args: dict[str, Any]) -> tuple[Any, Any, Any, str]:
    """``(recording, channel mapping, mne.Info, size text)`` of a file for `eegpt channels`:
    continuous files through their header only, files of epochs read whole (they are small)."""
    import mne

    from eegpt.io import Recording, as_recording, is_npz, read_epochs_file
    from eegpt.preprocessing import PreprocessingConfig, map_recording_channels
    from eegpt.streaming import open_stream_unless_epochs

    mapping_args = dict(mapping_args)
    picks = mapping_args.pop("picks", "eeg")
    stream = open_stream_unless_epochs(path, picks=picks, **mapping_args)
    if stream is not None:
        seconds = stream.n_times / stream.sfreq
        window = PreprocessingConfig().window_seconds
        if seconds < window:
            size = (
                f"{seconds:.3g} s, shorter than one {window:g} s window (`eegpt embed` needs "
                "--tail pad or a shorter --window for it)"
            )
        else:
            size = _length_text(seconds)
        if stream.clock is not None:  # a discontinuous EDF+D/BDF+D file: its clock runs on
            gaps = len(stream.clock.clock_starts) - 1
            over = float(stream.clock.to_clock(seconds))
            size += f" recorded over {_length_text(over)} ({_count(gaps, 'gap')})"
        return stream, stream.mapping, stream.raw.info, size
    if is_npz(path):  # epochs arrays X, ch_names, sfreq: no header; every row an EEG channel
        rec = cast(Recording, as_recording(path, picks=picks))
        info: Any = mne.create_info(rec.ch_names, rec.sfreq, "eeg")
    else:
        epochs = read_epochs_file(path)
        rec = cast(Recording, as_recording(epochs, picks=picks))  # an Epochs: one recording
        info = epochs.info
    mapping = map_recording_channels(rec.ch_names, str(path), left_out=rec.left_out, **mapping_args)
    return rec, mapping, info, f"{rec.data.shape[0]} epochs of {rec.duration:g} s"


def _length_text(seconds: float) -> str:
    """``"12.5 s"``, ``"20.0 min"``, ``"24.00 h"``: a recording's length as `eegpt channels`
    says it."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min" if seconds < 3600 else f"{seconds / 3600:.2f} h"


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


def _save_figure(fig: Any, path: Path, dpi: int = DEFAULT_DPI) -> None:
    from eegpt.viz import save_figure

    save_figure(fig, path, dpi=dpi)


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
        default=DEFAULT_DPI,
        help=f"with --plot: dots per inch of a .png, .jpg or .tif figure (default "
        f"{DEFAULT_DPI}; .pdf, .svg and .eps are drawn as lines and text, their images at it)",
    )


def check_figure_path(path: Path | None, option: str = "--plot") -> None:
    """Refuse, before any work, a figure file matplotlib would not write by its suffix."""
    if path is not None and path.suffix.lower() not in FIGURE_SUFFIXES:
        raise ValueError(
            f"{option} {path}: give a {FIGURE_FORMATS} file (the format follows the suffix)"
        )


def save_figure_file(fig: Any, path: Path, dpi: int = DEFAULT_DPI) -> None:
    """Write a command's figure (``--plot``, at ``--dpi``) and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _save_figure(fig, path, dpi)
    print(f"drew {path}")


# EEG recording files (eegpt.formats.EEG_SUFFIXES and other formats MNE reads), named as such by
# eegpt info without importing MNE
_RECORDING_SUFFIXES = (".edf", ".bdf", ".gdf", ".fif", ".vhdr", ".set", ".cnt", ".mff", ".eeg")


def _print_verified(folder: Path) -> bool:
    """Print what ``eegpt info --verify`` finds in the shards of ``folder`` (a run folder or
    a folder of them); whether all of them read."""
    from eegpt.dataset_read import verify_report

    text, readable = verify_report(folder)
    print(text)
    return readable


def _print_completion(folder: Path, verify: bool) -> bool:
    """Print, last, whether the run of ``folder`` (a run folder or a folder of them) did not
    finish (files pending, shards missing), or is still running (``verify``: a corpus checked
    whole); whether it is complete as ``eegpt info`` exits."""
    from eegpt.dataset_report import completion_report

    text, complete = completion_report(folder, verify=verify)
    if text:
        print(text)
    return complete


def cmd_info(args: argparse.Namespace) -> int:
    from eegpt.dataset_read import run_folders
    from eegpt.hub import PRETRAINED, close_weights, pretrained_name
    from eegpt.outputs import RUN_MANIFEST

    folder = Path(args.weights).expanduser()
    verify = getattr(args, "verify", False)
    if (folder / RUN_MANIFEST).is_file():  # an embed-dataset output
        from eegpt.dataset_report import output_report

        # current: no recording changed since embedded, none failed, no shard cut short
        text, current = output_report(folder)
        print(text)
        readable = _print_verified(folder) if verify else True
        complete = _print_completion(folder, verify)
        return 0 if current and readable and complete else EXIT_SOME_FAILED
    if run_folders(folder):  # the parts of a --part run (or other runs side by side)
        from eegpt.dataset_report import parts_report

        text, one_table = parts_report(folder)
        print(text)
        readable = _print_verified(folder) if verify else True
        complete = _print_completion(folder, verify)
        return 0 if one_table and readable and complete else EXIT_SOME_FAILED  # a SLURM check
    if verify:
        raise ValueError(
            f"--verify reads the shards of an embed-dataset output folder; {folder} is none"
        )
    if (folder / "probe.json").is_file():  # eegpt probe train's (probe_folder.PROBE_JSON)
        from eegpt.probe_folder import describe_probe

        print(describe_probe(folder))
        return 0
    if folder.is_dir() and not (folder / "config.json").is_file():
        from eegpt.dataset_lock import LOCK, FolderLock, is_run_temporary

        names = [p.name for p in folder.iterdir()]
        if LOCK in names and all(is_run_temporary(n) for n in names if n != LOCK):
            # embed-dataset's start, and no more: its lock, maybe a temporary file it was
            # writing (a report, a shard's rows), which a run's clean-up removes
            if FolderLock.held(folder):
                print(f"{folder}: an embed-dataset run is starting in it (it holds its lock)")
                return 0
            left = "only its lock file is left"
            if len(names) > 1:
                left = "only its lock file and temporary files are left"
            print(
                f"{folder}: an embed-dataset run started in it and stopped before writing "
                f"anything ({left}); run the same command again"
            )
            return EXIT_SOME_FAILED
        files = sorted(n for n in names if Path(n).suffix.lower() in (".npz", ".parquet"))
        if files:
            raise ValueError(
                f"{folder} holds embeddings files ({few(files)}), not a checkpoint: give eegpt "
                "info one of them"
            )
        raise ValueError(
            f"{folder} is neither model weights (a folder with config.json and "
            "model.safetensors) nor the output folder of embed-dataset (it has no "
            f"{RUN_MANIFEST}) nor a probe; eegpt info describes those, checkpoint files and "
            "embeddings files"
        )
    from eegpt.probe_provenance import predictions_record, predictions_report

    predictions = predictions_record(folder) if folder.is_file() else None
    if predictions is not None:  # eegpt probe predict -o's table (or its sidecar)
        text, current = predictions_report(folder, *predictions)
        print(text)
        # STALE (the table changed since its record was written): 3, as a corpus whose
        # recordings changed since they were embedded
        return 0 if current else EXIT_SOME_FAILED
    if folder.suffix.lower() == ".json" and folder.is_file():  # eegpt probe evaluate --json's
        from eegpt.probe_provenance import describe_evaluation, evaluation_record

        evaluation = evaluation_record(folder)
        if evaluation is not None:
            print(describe_evaluation(folder, evaluation))
            return 0
    suffix = "".join(folder.suffixes[-2:]).lower()
    if folder.suffix.lower() == ".fdt":
        raise ValueError(_eeglab_data_file_text(folder))
    if folder.suffix.lower() in _RECORDING_SUFFIXES or suffix.endswith(".fif.gz"):
        raise ValueError(
            f"{folder} is an EEG recording, not a checkpoint: `eegpt channels {folder}` shows "
            "how its channels map; `eegpt embed` embeds it"
        )
    if folder.suffix.lower() in (".csv", ".tsv", ".txt", ".json"):
        from eegpt.probe_provenance import sidecar_path

        none = (
            f", with no sidecar {sidecar_path(folder).name} beside it (eegpt probe predict -o "
            "writes one; eegpt before 2026-12-05 did not: predictions of an older eegpt have "
            "none, and predicting again writes it)"
            if folder.suffix.lower() in (".csv", ".tsv") and folder.is_file()
            else ""
        )
        raise ValueError(
            f"{folder} is a {folder.suffix[1:]} file, not a checkpoint{none}: eegpt info describes "
            "checkpoints, embeddings files (.npz/.parquet), probe folders, embed-dataset "
            "output folders, the predictions of eegpt probe predict (.parquet, or a .csv/.tsv "
            "with its .json sidecar) and the JSON of eegpt probe evaluate --json"
        )
    if folder.suffix.lower() in (".npz", ".parquet"):
        if not folder.is_file():
            raise MissingFileError(f"no such file: {folder}")
        text, current = _describe_embeddings(folder)
        print(text)
        # its recording changed since it was embedded: 3, as a corpus whose recordings did
        return 0 if current else EXIT_SOME_FAILED
    fetched = pretrained_name(args.weights) is not None or args.weights.startswith(
        ("http://", "https://")
    )
    if not folder.exists() and not fetched:  # a mistyped path, not weights to download
        close = close_weights(args.weights, folder)
        if close:
            raise MissingFileError(f"{folder} does not exist: did you mean {' or '.join(close)}?")
        raise MissingFileError(
            f"{folder} does not exist; eegpt info describes a checkpoint (a file or folder, a "
            f"pretrained name such as {', '.join(sorted(PRETRAINED))} or a URL), an embeddings "
            "file (.npz/.parquet), a probe folder or the output folder of embed-dataset"
        )
    from eegpt.checkpoints import describe, load_checkpoint, resolve_weights  # imports torch

    print(describe(load_checkpoint(resolve_weights(args.weights, verbose=True))))
    return 0


def stim_events_text(record: Any) -> str:
    """``, with the events of its stim channel made annotations (--events-from-stim ...)``
    for an output's recorded ``events_from_stim`` setting; empty without one."""
    if not isinstance(record, dict):
        return ""
    from eegpt.stim_events import StimEvents  # no MNE imported: eegpt info stays light

    return (
        ", with the events of its stim channel made annotations "
        f"({StimEvents.from_record(record).options})"
    )


def _eeglab_data_file_text(path: Path) -> str:
    """Why ``eegpt info`` does not describe EEGLAB's ``.fdt`` (a recording's samples alone),
    and what describes the recording."""
    header = path.with_suffix(".set")
    return (
        f"{path} is the data file of an EEGLAB recording (its samples alone; the channels, "
        f"sampling rate and events are in its .set file), not a checkpoint: eegpt info "
        "describes checkpoints, embeddings files (.npz/.parquet), probe folders and "
        f"embed-dataset output folders. For the recording: `eegpt channels {header}` shows how "
        f"its channels map, `eegpt embed {header}` embeds it"
    )


def _rejected_lines(meta: dict) -> list[str]:
    """What ``eegpt info`` says of windows left out by ``--reject-by-annotation``
    (``metadata["rejected_by_annotation"]``: their onsets), which its ``bad windows`` count
    (those kept and flagged) does not include."""
    onsets = meta.get("rejected_by_annotation")
    if not isinstance(onsets, list) or not onsets:
        return []
    shown = ", ".join(f"{float(t):g}" for t in onsets[:6]) + (" ..." if len(onsets) > 6 else "")
    return [
        f"  {len(onsets)} window{'s' if len(onsets) != 1 else ''} left out "
        f"(--reject-by-annotation: overlapping BAD_ annotations; onsets {shown} s), not "
        "counted above (gaps in window_index)"
    ]


def _describe_embeddings(path: Path) -> tuple[str, bool]:
    """What ``eegpt info`` says of an embeddings file: its recording, windows, settings; read
    without its embeddings (a 24 h recording's are gigabytes); and whether the files it was
    embedded from are as they were then (False: CHANGED since embedded,
    :func:`eegpt.dataset_stamps.output_source_check`; True where they cannot be found)."""
    from eegpt._file_identity import SOURCE_FILES_KEY, source_files_text
    from eegpt.channels import left_out_count_text
    from eegpt.dataset_stamps import output_source_check, source_check_lines
    from eegpt.outputs import _load_outline
    from eegpt.preprocessing_spec import describe as describe_preprocessing
    from eegpt.rename_tables import rename_text

    emb = _load_outline(path)
    shape = emb.data.shape
    meta = emb.metadata
    pre = meta.get("preprocessing") or {}
    model = meta.get("model") or {}
    ckpt = meta.get("checkpoint") or {}
    channels = _channel_names_shown(meta.get("channels") or {})
    renamed = rename_text(meta.get("channels") or {})
    from eegpt.outputs import INPUT_KEY, input_text, windows_text

    in_memory = input_text(meta.get(INPUT_KEY))
    lines = [
        f"{path}: EEGPT embeddings of {in_memory or meta.get('source', '?')}"
        + (
            f", with the annotations of {meta['annotations_file']}"
            if meta.get("annotations_file")
            else ""
        )
        + stim_events_text(meta.get("events_from_stim")),
        *([files] if (files := source_files_text(meta.get(SOURCE_FILES_KEY))) else []),
        *source_check_lines(check := output_source_check(meta)),
        f"  {windows_text(len(emb), meta)} of {pre.get('window_seconds', '?')} s (overlap "
        f"{pre.get('overlap', '?')} s), embeddings {list(shape[1:])} per window"
        + (f" (stored mean-pooled: --pool {meta['pool']})" if meta.get("pool") else "")
        + (f", onsets {emb.onsets[0]:g}-{emb.onsets[-1]:g} s" if len(emb) else ""),
        *_timeline_lines(emb.onsets, meta),
        f"  {len(channels)} channels: {few(list(channels), 12)}",
        *_picks_lines(meta.get("picks")),
        *([f"  channels renamed by: {renamed}"] if renamed else []),
        *([f"  {left_out}"] if (left_out := left_out_count_text(meta.get("left_out"))) else []),
        describe_preprocessing(pre),
        *_rate_lines(meta.get("sfreq_in"), pre),
        *_older_resampler_lines(meta),
        f"  bad windows: {int(emb.bad.sum())}" if len(emb) else "  no windows",
        *_rejected_lines(meta),
        *_tail_lines(meta),
        f"  model: embed_dim {model.get('embed_dim', '?')}, depth {model.get('depth', '?')}, "
        f"{model.get('embed_num', '?')} summary tokens; {meta.get('precision', '?')}"
        + (f", stream {meta['stream_precision']}" if meta.get("stream_precision") else "")
        + f" on {meta.get('device', '?')}"
        + (f", batches of {meta['batch_size']}" if meta.get("batch_size") else ""),
        _checkpoint_line(ckpt),
        f"  eegpt {meta.get('eegpt_version', '?')}" + software_text(meta.get("software")),
        *([f"  made by: eegpt {shlex.join(meta['command'])}"] if meta.get("command") else []),
        *_anonymized_lines(meta.get("anonymized")),
    ]
    return "\n".join(lines), not (check and check.changed)


def _timeline_lines(onsets: Any, meta: Mapping[str, Any]) -> list[str]:
    """``eegpt info`` lines on where a recording's windows lie on its clock: its start as the
    file's header states it (``meas_date``, on the clock :func:`clock_zone_text` names; the
    first sample where a cropped file starts after it) and end, the clock time it spans, and
    for a discontinuous EDF+D/BDF+D file (``record_clock``) its stretches and each gap
    (``HH:MM:SS-HH:MM:SS (N s)``, the first :data:`GAPS_LISTED`). Dated epochs: the clock of
    their onsets (which count from the acquisition start). An undated recording: that its
    ``clock_time`` is empty. None for a recording without windows."""
    import datetime

    import numpy as np

    from eegpt.outputs import clock_moments

    if not len(onsets):
        return []
    window = float((meta.get("preprocessing") or {}).get("window_seconds") or 0.0)
    from eegpt._dates import ANONYMIZED_CLOCK

    # EDF's anonymization placeholder (1985-01-01) dates nothing: as no date at all
    dated = bool(meta.get("meas_date")) and meta.get("clock") != ANONYMIZED_CLOCK
    undated = (
        "start date anonymized (EDF's 1985-01-01 placeholder)"
        if meta.get("clock") == ANONYMIZED_CLOCK
        else "no measurement date"
    )
    if _is_epochs_output(meta):
        if not dated:
            return [f"  {undated}: clock_time empty"]
        known = np.asarray(onsets, dtype=np.float64)
        known = known[~np.isnan(known)]
        if not len(known):
            return []
        try:
            first, last = clock_moments(
                np.array([known.min(), known.max() + window]), meta["meas_date"]
            ).tolist()
        except (TypeError, ValueError):
            return []
        spec = "seconds" if not (first.microsecond or last.microsecond) else "milliseconds"
        return [
            f"  recording clock: epochs from {first.isoformat(' ', spec)} to "
            f"{last.isoformat(' ', spec)} (first onset to last end; {clock_zone_text(meta)})"
        ]
    ends = [float(onsets[-1]) + window]  # the recording's end in the samples
    ends += [float(t) + window for t in meta.get("rejected_by_annotation") or []]
    padded = meta.get("padded_tail")
    if padded:
        ends = [float(padded["onset_s"]) + float(padded["recorded_s"])]
    end = max(ends) + float(meta.get("tail_left_out_s") or 0.0)
    clock = None
    if meta.get("record_clock"):
        from eegpt.edf_files import RecordClock

        clock = RecordClock.from_dict(meta["record_clock"])
    span = float(clock.to_clock(end)) if clock is not None else end

    def spent(seconds: float) -> str:  # "68 s", "0.5 s", "24:00:00", "3.0 days"
        return duration_text(seconds) if abs(seconds) >= 120 else f"{seconds:.10g} s"

    first_time = float(meta.get("first_time") or 0.0)
    lines = []
    moment = None  # seconds on the clock from the first sample -> its moment, where dated
    if dated:
        try:
            start, stop = clock_moments(
                np.array([0.0, end]), meta["meas_date"], first_time, clock
            ).tolist()
            header = clock_moments(np.array([0.0]), meta["meas_date"])[0].item()
        except (TypeError, ValueError):
            start = stop = header = None
        if isinstance(start, datetime.datetime) and isinstance(stop, datetime.datetime):
            spec = "seconds" if not (start.microsecond or stop.microsecond) else "milliseconds"
            said = f"{start.isoformat(' ', spec)}"
            if abs(first_time) > 1e-6 and isinstance(header, datetime.datetime):
                said = (
                    f"first sample {said} ({spent(first_time)} after the header's start "
                    f"{header.isoformat(' ', spec)})"
                )
            lines.append(
                f"  recording clock: {said} to "
                f"{stop.isoformat(' ', spec)} ({spent(span)}; {clock_zone_text(meta)})"
            )

            def moment(seconds: float) -> datetime.datetime:
                return start + datetime.timedelta(seconds=seconds)

    if not lines and clock is None:  # no clock beyond the onsets already given
        lines.append(f"  {undated}: clock_time empty")
    elif not lines:
        lines.append(
            f"  recording clock: {spent(span)} from the first sample ({undated}: clock_time empty)"
        )
    if clock is not None:
        stretches = len(clock.clock_starts)
        gaps = np.diff(clock.clock_starts) - np.diff(clock.sample_starts)
        lines.append(
            f"  discontinuous: {spent(end)} recorded over {spent(span)} of clock time in "
            f"{stretches} stretch{'es' if stretches != 1 else ''}, {_count(stretches - 1, 'gap')} "
            f"totalling {spent(float(np.sum(gaps)))} (Embeddings.clock_times() places the "
            "windows on the clock)"
        )
        listed = []
        for k, gap in enumerate(gaps[:GAPS_LISTED]):
            begin = float(clock.clock_starts[k + 1]) - float(gap)  # where stretch k ends
            finish = float(clock.clock_starts[k + 1])
            if moment is not None:
                when = f"{_hms(moment(begin))}-{_hms(moment(finish))}"
            else:
                when = f"{begin:.10g}-{finish:.10g} s from the first sample"
            listed.append(f"{when} ({spent(float(gap))})")
        if listed:
            more = len(gaps) - len(listed)
            lines.append(
                "  gaps: " + ", ".join(listed) + (f", and {more} more" if more > 0 else "")
            )
    return lines


#: How many gaps of an EDF+D file ``eegpt info`` lists one by one.
GAPS_LISTED = 10


def _hms(moment: Any) -> str:
    """A moment's time of day, ``HH:MM:SS`` (with milliseconds where it has a fraction)."""
    return moment.time().isoformat("milliseconds" if moment.microsecond else "seconds")


def clock_zone_text(meta: Mapping[str, Any]) -> str:
    """Which clock a recording's dates (and its ``clock_time`` column) are on, as ``eegpt
    info`` says it, from its provenance's ``clock`` (:func:`eegpt.io.date_clock`); files
    written before eegpt recorded it say the zone was not recorded."""
    return {
        "utc": "UTC, as the FIF/.mff format stores it (one converted from EDF/BrainVision keeps that file's local clock; clock_time shown without a zone)",
        "local": "the header's local wall clock, no zone",
        "acq_time": "UTC, from the BIDS scans.tsv acq_time (MNE-BIDS sets it over the data file header's date; an acq_time without Z or an offset is taken as the reading computer's local time); clock_time shown in UTC without a zone",
        "unknown": "as MNE gives it, zone unknown",
        "anonymized": "unknown: the start date is EDF's anonymization placeholder (1985-01-01), so clock_time is empty",
    }.get(
        str(meta.get("clock")),
        "as the header states its start, zone not recorded",
    )


def _channel_names_shown(channels: Mapping[str, Any]) -> list[str]:
    """The vocabulary names of an output's channel mapping (``metadata["channels"]``) as
    ``eegpt info`` lists them: a bipolar derivation renamed to one electrode with its label,
    ``"FPZ (bipolar: EEG Fpz-Cz)"``; a channel whose label does not hold its vocabulary name
    (an old name, a ``--rename``, an sEEG contact picked) with that label, ``"T7 (from T3)"``,
    but not one whose label only decorates it (``"EEG FP1-REF"``, ``"Fz"``: ``FP1``, ``FZ``)."""
    names = [str(name) for name in channels.get("names", [])]
    bipolar = set(channels.get("bipolar") or ())
    inputs = [str(label) for label in channels.get("input_names") or names]
    return [
        f"{name} (bipolar: {label})"
        if label in bipolar
        else name
        if _label_holds(label, name)
        else f"{name} (from {label})"
        for name, label in zip(names, inputs, strict=False)
    ]


def _label_holds(label: str, name: str) -> bool:
    """Whether the channel label ``label`` holds the vocabulary name ``name`` as a word of its
    own, in any case (``"EEG Fp1-REF"``, ``"Fp1"`` hold ``FP1``; ``"T3"``, ``"E36"``, ``"Fp10"``
    do not hold ``T7``, ``C3``, ``FP1``)."""
    return (
        re.search(rf"(?<![A-Z0-9]){re.escape(name.upper())}(?![A-Z0-9])", label.upper()) is not None
    )


#: The channel types an output reads by default (``picks="eeg"``, ``--picks eeg``).
_DEFAULT_PICKS = ["eeg"]


def _picks_lines(picks: Any) -> list[str]:
    """The ``eegpt info`` line of the channels an output read (``metadata["picks"]``), where it
    is not the default EEG-typed ones: ``"  picks: eeg, seeg (not the default eeg; seeg: not
    scalp EEG, ...)"``, the note where they name another modality than scalp EEG."""
    if not isinstance(picks, list) or picks == _DEFAULT_PICKS:
        return []
    listed = ", ".join(str(p) for p in picks)
    from eegpt.vocabulary import NOT_SCALP_TYPES

    other = [p for p in picks if p in NOT_SCALP_TYPES]
    note = (
        f"; {', '.join(other)}: not scalp EEG, outside what EEGPT was pretrained on"
        if other
        else ""
    )
    return [f"  picks: {listed} (not the default eeg{note})"]


def _anonymized_lines(anonymized: Mapping[str, Any] | None) -> list[str]:
    """The ``eegpt info`` line of an ``eegpt anonymize`` copy (its ``anonymized`` record), as
    that of an anonymized run folder says it."""
    from eegpt.dataset_report import anonymized_text

    return [f"  {anonymized_text(anonymized)}: no paths, host or command"] if anonymized else []


def _checkpoint_line(ckpt: dict[str, Any]) -> str:
    """The ``eegpt info`` line of the weights that made embeddings (their ``checkpoint``
    record): the file and its sha256, or, for weights changed after loading, that file as
    where they were loaded from and the fingerprint of the weights used."""
    if ckpt.get("weights_modified"):
        loaded = ckpt.get("loaded_from") or {}
        line = (
            f"  checkpoint: weights MODIFIED after loading {loaded.get('path') or '?'} (sha256 "
            f"{str(loaded.get('sha256') or '?')[:12]}...), so not that file's; weights used: "
            f"encoder fingerprint {str(ckpt.get('weights_sha256') or '?')[:12]}..."
        )
    else:
        line = (
            f"  checkpoint: {ckpt.get('path', '?')} (sha256 {str(ckpt.get('sha256', '?'))[:12]}...)"
        )
        if ckpt.get("stored_dtype"):  # the file's weights, upcast when loaded
            line += f", weights stored as {ckpt['stored_dtype']} (run in float32)"
    return line + (", NOT pretrained" if ckpt.get("pretrained") is False else "")


def _rate_lines(sfreq_in: float | None, pre: dict[str, Any]) -> list[str]:
    """The ``eegpt info`` line of the recording's own sampling rate, when it was resampled;
    below the model's rate, the band the recording can hold is named."""
    rate = pre.get("sfreq")
    if not sfreq_in or not rate or sfreq_in == rate:
        return []
    line = f"  recorded at {sfreq_in:g} Hz, resampled to {rate:g} Hz ({pre.get('resample')})"
    if sfreq_in < rate:
        line += f": the windows hold nothing above {sfreq_in / 2:g} Hz (the recording's Nyquist)"
    return [line]


def _older_resampler_lines(meta: Mapping[str, Any]) -> list[str]:
    """The ``eegpt info`` line of an output resampled by another polyphase resampler than
    this eegpt's (:func:`eegpt.preprocessing_spec.resampled_by_an_older_eegpt`); none else."""
    from eegpt.preprocessing_spec import RESAMPLER_CHANGE, resampled_by_an_older_eegpt

    if not resampled_by_an_older_eegpt(meta):
        return []
    revision = meta.get("resample_revision")
    which = f"revision {revision}" if revision is not None else "no revision recorded"
    return [
        f"  resampled by an earlier eegpt's resampler ({which}): {RESAMPLER_CHANGE}; embed "
        "the recording again to compare it with outputs of this eegpt"
    ]


def _projection_lines(projections: Any) -> list[str]:
    """``eegpt info`` lines on the SSP projectors stored with the recording (an output's
    ``metadata["projections"]``): those applied to the samples before eegpt read them, and
    those stored but not applied, which eegpt does not apply either."""
    if not isinstance(projections, list):
        return []
    applied = [repr(p.get("desc")) for p in projections if isinstance(p, dict) and p.get("applied")]
    stored = [
        repr(p.get("desc")) for p in projections if isinstance(p, dict) and not p.get("applied")
    ]
    lines = []
    if applied:
        lines.append(
            f"  SSP projectors applied to the recording before eegpt ({len(applied)}): "
            f"{few(applied, 6)}"
        )
    if stored:
        lines.append(
            f"  SSP projectors stored with the recording, not applied ({len(stored)}; eegpt does "
            f"not apply them): {few(stored, 6)}"
        )
    return lines


def _tail_lines(meta: dict[str, Any]) -> list[str]:
    """``eegpt info`` lines on the recording's own filtering, a truncated file and the
    recording's end (padded or left out), from an embeddings file's provenance."""
    from eegpt.preprocessing import padded_patches_seconds, padded_patches_text, partial_patch_note

    lines = []
    band = meta.get("recording_filters")
    if band:
        lines.append(
            f"  recording filtered to {band['highpass_hz']:g}-{band['lowpass_hz']:g} Hz before "
            "eegpt (as MNE reads it: the file's prefiltering, or filters applied in MNE)"
        )
    lines += _projection_lines(meta.get("projections"))
    baseline = meta.get("epochs_baseline")
    if baseline:
        from eegpt._logging import baseline_text

        lines.append(
            f"  epochs baseline-corrected by MNE ({baseline_text(baseline)}: each channel's mean "
            "over it subtracted; eegpt does not): they differ from windows of the continuous "
            "recording (OnlineEmbedder), which equal epochs made with baseline=None"
        )
    detrend = meta.get("epochs_detrend")
    if detrend is not None:
        removed = {0: "the mean (DC offset)", 1: "a least-squares line"}.get(detrend, "a trend")
        lines.append(
            f"  epochs detrended by MNE (detrend={detrend}: {removed} of each epoch's channels "
            "subtracted; eegpt does not): they differ from windows of the continuous recording "
            "(OnlineEmbedder), which equal epochs made with detrend=None"
        )
    truncated = meta.get("truncated")
    if truncated and "announced_s" in truncated:
        lines.append(
            f"  TRUNCATED file: {truncated['read_s']:g} s read of the {truncated['announced_s']:g} "
            "s its header announces (the rest is missing from the file)"
        )
    elif truncated:  # a BrainVision data file that ends in a partial sample
        lines.append(
            f"  TRUNCATED file: {truncated['read_s']:g} s read; the data file ends in "
            f"{truncated.get('partial_bytes', 0)} bytes of a partial sample (the rest is missing)"
        )
    padded = meta.get("padded_tail")
    if padded:
        lines.append(
            f"  last window (onset {padded['onset_s']:g} s) zero-padded: {padded['recorded_s']:g} "
            "s recorded"
        )
    epochs = meta.get("padded_epochs")
    if epochs:
        kept = epochs["patches"] - epochs["padding_patches"]
        alone = (
            f"; --window {padded_patches_seconds(epochs, kept):.10g} embeds the epochs "
            "without the patches wholly padding"
            if epochs["padding_patches"]
            else ""
        )
        crop = (meta.get("preprocessing") or {}).get("crop_tmin")
        lines.append(
            f"  epochs zero-padded: {epochs['recorded_s']:.10g} s recorded and "
            f"{epochs['padded_s']:.10g} s of zeros per window ({padded_patches_text(epochs)})"
            + alone
            + partial_patch_note(epochs, crop)
        )
    if meta.get("tail_left_out_s"):
        lines.append(f"  last {meta['tail_left_out_s']:g} s not embedded (shorter than a window)")
    return lines + _warning_lines(meta)


def _warning_lines(meta: dict[str, Any]) -> list[str]:
    """``eegpt info`` lines on the warnings given while the recording was embedded (its
    ``metadata["warnings"]``), one shortened line each."""
    from eegpt._logging import shortened

    said = meta.get("warnings") or []
    if not said:
        return []
    head = f"  WARNINGS when embedded ({len(said)}; metadata['warnings'] has them in full):"
    return [head, *(f"    - {shortened(text, 150)}" for text in said)]


def cmd_convert(args: argparse.Namespace) -> int:
    from eegpt.checkpoints import load_checkpoint, resolve_weights, save_checkpoint

    ckpt = load_checkpoint(
        resolve_weights(args.source, verbose=True),
        num_heads=args.num_heads,
        patch_stride=args.patch_stride,
    )
    path = save_checkpoint(ckpt, args.destination, overwrite=args.overwrite)
    print(f"wrote {path} (from {ckpt.format} checkpoint {ckpt.path}, sha256 {ckpt.sha256[:12]}...)")
    stored = ckpt.metadata.get("stored_dtype")
    if stored:
        print(
            f"note: the source stores its weights as {stored}; {path} holds them as float32, "
            "as braindecode and eegpt run them (the same values, about twice the size)",
            file=sys.stderr,
        )
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from eegpt.hub import PRETRAINED, fetch_weights

    if args.list:
        for name, entry in PRETRAINED.items():
            print(f"{name}: {entry.get('description', entry.get('repo', ''))}")
        return 0
    path = fetch_weights(args.name, cache_dir=args.cache_dir, sha256=args.sha256, force=args.force)
    print(path)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from eegpt.demo import run_demo

    run_demo(args.output, minutes=args.minutes, device=args.device, overwrite=args.overwrite)
    return 0


def _format_warning(message, category, filename, lineno, line=None) -> str:  # noqa: ANN001
    """Warnings on the command line as ``eegpt: warning: ...`` lines (``--debug``: Python's
    format, with the code location), control characters escaped (:func:`terminal_text`)."""
    return f"eegpt: warning: {terminal_text(message)}\n"


def error_text(err: object) -> str:
    """An error's text as the command line prints it: control characters escaped, line breaks
    included (:func:`eegpt._logging.terminal_text`: a file name or recording id in it cannot
    colour the terminal or forge a line), but for eegpt's own help texts of several lines
    (how to get the weights, how to give them a cache folder: every
    :func:`eegpt._logging.help_block`), which it prints as written."""
    import eegpt.hub  # noqa: F401 - registers its help texts

    return help_blocks_kept(str(err))


class _Stderr:
    """Writes to whatever ``sys.stderr`` is at the time (as MNE's own stdout wrapper does)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


#: Commands that never read EEG: they do not import MNE just to move its log messages.
_WITHOUT_MNE = ("info", "export", "anonymize", "convert", "fetch")


def _mne_logs_to_stderr(quiet: bool) -> Callable[[], None]:
    """Send MNE's log messages ("Extracting EDF parameters ...") to stderr, beside eegpt's own
    messages and progress bars, so that stdout carries only results, and with ``quiet`` keep
    only its warnings (unless MNE_LOGGING_LEVEL is configured); returns the undo."""
    import logging

    import mne  # sets up the "mne" logger and its handler

    logger = logging.getLogger("mne")
    level = logger.level
    if quiet and mne.get_config("MNE_LOGGING_LEVEL") is None:
        logger.setLevel(logging.WARNING)
    moved = []
    for handler in logger.handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, logging.FileHandler
        ):
            moved.append((handler, handler.setStream(_Stderr())))

    def restore() -> None:
        logger.setLevel(level)
        for handler, stream in moved:
            handler.setStream(stream)

    return restore


def _handled_unless_ignored(signum: int, handler: Callable[[int, FrameType | None], Any]) -> Any:
    """Install ``handler`` for the signal ``signum``, unless this process was started with it
    ignored (``SIG_IGN``: ``trap "" INT`` in the script that runs eegpt, or a background job
    of a non-interactive shell, which is kept from the Ctrl-C meant for the foreground): a
    signal the parent chose to ignore stays ignored. Returns the handler replaced, or None
    where none was installed."""
    if signal.getsignal(signum) is signal.SIG_IGN:
        return None
    return signal.signal(signum, handler)


class _Interrupts:
    """Ctrl-C: the first stops the run cleanly after the batch being computed (which can take
    seconds on a CPU, and the run says so at once); a second one quits at once."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count == 1:
            print(
                "eegpt: stopping after the current batch (Ctrl-C again to quit at once)",
                file=sys.stderr,
                flush=True,
            )
            _interrupts.deliver(KeyboardInterrupt(), frame)
            return
        for child in multiprocessing.active_children():  # reader processes
            child.kill()
        print(
            "eegpt: quit at once; finished output files are complete, and an unfinished one "
            "is left as a hidden .tmp file beside it (embed and embed-dataset remove their "
            "own when run again)",
            file=sys.stderr,
            flush=True,
        )
        os._exit(130)


def _note_threads_over_cpus(args: argparse.Namespace) -> None:
    """A note (not an error: it runs as asked) where ``--threads`` asks for more threads than
    the CPUs this process may use: they then share CPUs, which is seldom faster."""
    from eegpt._runtime import usable_cpus

    threads, cpus = getattr(args, "threads", None), usable_cpus()
    if threads is not None and threads > cpus and not getattr(args, "quiet", False):
        print(
            f"eegpt: note: --threads {threads} is more than the {cpus} CPU"
            f"{'' if cpus == 1 else 's'} this process may use (its CPU affinity or quota): "
            "the threads share them, which is seldom faster",
            file=sys.stderr,
        )


def run_command(
    func: Callable[[argparse.Namespace], int],
    args: argparse.Namespace,
    interrupted: str = "eegpt: interrupted",
    *,
    process: bool = False,
) -> int:
    """Run ``func(args)`` the way every ``eegpt`` command runs: errors become one line.

    Problems with the input (:data:`eegpt.errors.USER_ERRORS`) print ``eegpt: error: ...`` and
    return 1 (:data:`EXIT_TEMPFAIL`, 75, for an output folder or cache another process holds:
    :class:`~eegpt.errors.OutputInUseError`); other exceptions are bugs and say so; Ctrl-C returns 130 and SIGTERM exits with
    143 after ``finally`` blocks (temporary files) have run; what is said then is
    ``args.interrupted_message`` (a text, or a function of ``args`` called then), else
    ``interrupted``. ``args.debug`` re-raises.
    ``process``: the command is the whole process (its entry point), so a Ctrl-C or SIGTERM
    after it ended (a second Ctrl-C while it stops, or one during the interpreter's shutdown)
    is ignored: the process exits with the command's status, instead of a traceback or death
    by the signal with its work done. Otherwise the caller's handlers are put back.
    A command with ``args.threads`` (``--threads``) runs with that many torch threads (as the
    process, with none given: no more than a CPU quota allows,
    :func:`eegpt._runtime.set_torch_threads`); a caller's count is put back after it. One
    that draws (``args.plot``, ``demo``) first makes sure matplotlib has a writable folder
    (:func:`eegpt._runtime.matplotlib_config_folder`).
    """
    from eegpt._runtime import matplotlib_config_folder, set_torch_threads
    from eegpt.errors import USER_ERRORS, OutputInUseError

    previous = previous_int = None
    said = getattr(args, "interrupted_message", interrupted)

    def stopped() -> str:
        """The command's own message, or one that depends on what it left (a function of
        its arguments, called once it stopped)."""
        return said if isinstance(said, str) else str(said(args))

    if process:
        _interrupts.watch_imports()
    try:
        previous = _handled_unless_ignored(signal.SIGTERM, _raise_on_sigterm)
        previous_int = _handled_unless_ignored(signal.SIGINT, _Interrupts())
    except ValueError:  # not in the main thread: leave signals alone
        pass
    formatter = warnings.formatwarning
    if not getattr(args, "debug", False):
        warnings.formatwarning = _format_warning
    restore_mne = threads_before = None
    try:
        if hasattr(args, "threads"):  # a command that runs the model: --threads, or a default
            # within a CPU quota for this process only (a caller's own setting left alone)
            threads_before = set_torch_threads(args.threads, default=process)
            _note_threads_over_cpus(args)
        if getattr(args, "plot", None) is not None or getattr(args, "command", None) == "demo":
            matplotlib_config_folder()  # without a writable home: quietly, or fail at once
        if getattr(args, "command", None) not in _WITHOUT_MNE:
            loud = getattr(args, "verbose", False) or getattr(args, "debug", False)
            restore_mne = _mne_logs_to_stderr(quiet=not loud)
        _interrupts.raise_postponed()  # one that landed in an import so far
        try:
            status = func(args)
        finally:
            # one that landed in an import and had no safe point since: the signal wins over
            # the status or error, as it would have, raised where it landed
            _interrupts.raise_postponed()
        return status
    except KeyboardInterrupt:
        print(stopped(), file=sys.stderr)
        return 130
    except _Terminated:
        print(f"{stopped()} (SIGTERM)", file=sys.stderr)
        raise
    except BrokenPipeError:  # output piped into a reader that quit (`eegpt info X | head`)
        with contextlib.suppress(OSError):  # no second error when Python flushes stdout
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a shell reports a command killed by SIGPIPE
    except OutputInUseError as err:  # busy, not broken: "try again later" to a scheduler
        if getattr(args, "debug", False):
            raise
        print(f"eegpt: error: {error_text(err)}", file=sys.stderr)
        return EXIT_TEMPFAIL
    except USER_ERRORS as err:
        if getattr(args, "debug", False):
            raise
        print(f"eegpt: error: {error_text(err)}", file=sys.stderr)
        return 1
    except Exception as err:
        if getattr(args, "debug", False):
            raise
        if isinstance(err, MemoryError) or type(err).__name__ == "OutOfMemoryError":
            print(
                f"eegpt: error: out of memory ({type(err).__name__}); lower --batch-size, "
                "or use a smaller --precision on GPU",
                file=sys.stderr,
            )
            return 1
        print(
            f"eegpt: internal error: {error_text(f'{type(err).__name__}: {err}')}\n"
            "This is a bug in eegpt; please report it with the output of --debug.",
            file=sys.stderr,
        )
        return 1
    finally:
        warnings.formatwarning = formatter
        if restore_mne is not None:
            restore_mne()
        if threads_before is not None and not process:
            import torch

            torch.set_num_threads(threads_before)
        # SIG_IGN survives the interpreter's shutdown, which resets Python-level handlers
        if previous is not None:
            signal.signal(signal.SIGTERM, signal.SIG_IGN if process else previous)
        if previous_int is not None:
            signal.signal(signal.SIGINT, signal.SIG_IGN if process else previous_int)


#: How deep argument files may name argument files (``@a.txt`` holding ``@b.txt`` ...).
MAX_ARGUMENT_FILE_DEPTH = 10


class ArgumentFileError(ValueError):
    """An ``@file`` of the command line that cannot be read (a usage error: status 2)."""


def argument_file_words(line: str) -> list[str]:
    """The arguments one line of an ``@file`` gives: split as a POSIX shell splits them
    (:func:`shlex.split`: quotes group, backslashes escape); none for a blank line or one
    whose first non-blank character is ``#`` (a ``#`` inside an argument, ``sub#1.edf``, is
    kept)."""
    text = line.strip()
    if not text or text.startswith("#"):
        return []
    return shlex.split(text)


def expand_argument_files(words: Sequence[str], _depth: int = 0) -> list[str]:
    """``words`` with each ``@file`` (an argument longer than ``@`` starting with it) replaced
    by the arguments its lines give (:func:`argument_file_words`), read as argparse's
    ``fromfile_prefix_chars="@"`` reads them but several to a line, and before parsing, so
    that outputs record the arguments that ran (:func:`eegpt._logging.command_recorded`)
    rather than the file's name. ``@file`` inside are read too, up to
    :data:`MAX_ARGUMENT_FILE_DEPTH` deep. Raises :class:`ArgumentFileError`."""
    out: list[str] = []
    for word in words:
        if len(word) < 2 or not word.startswith("@"):
            out.append(word)
            continue
        if _depth >= MAX_ARGUMENT_FILE_DEPTH:
            raise ArgumentFileError(
                f"{word}: argument files name argument files over {MAX_ARGUMENT_FILE_DEPTH} "
                "deep (one names itself?)"
            )
        out.extend(expand_argument_files(_read_argument_file(word), _depth + 1))
    return out


def _read_argument_file(word: str) -> list[str]:
    """The arguments of the argument file ``word`` (``@path``) names."""
    path = Path(word[1:]).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ArgumentFileError(
            f"{word}: no argument file {path} (an argument starting with @ names a file of "
            "arguments; give a file whose name starts with @ as ./@name)"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ArgumentFileError(f"{word}: cannot read the argument file {path}: {err}") from None
    words: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            words.extend(argument_file_words(line))
        except ValueError as err:  # shlex: an unclosed quote
            raise ArgumentFileError(f"{path}, line {number}: {err}: {line.strip()}") from None
    return words


def given_arguments(argv: Sequence[str] | None, command: str = "") -> list[str] | None:
    """The arguments of an ``eegpt`` entry point (``argv``, or this process's command line),
    argument files read (:func:`expand_argument_files`); None after saying on stderr why one
    cannot be read (the entry point then exits with 2, a usage error)."""
    given = list(sys.argv[1:] if argv is None else argv)
    try:
        return expand_argument_files(given)
    except ArgumentFileError as err:
        prog = f"eegpt {command}".rstrip()
        print(terminal_text(f"{prog}: error: {err}"), file=sys.stderr)
        return None


# negative numbers that argparse does not recognise as values: with an exponent, inf and nan
_NEGATIVE_NUMBER = re.compile(
    r"-((\d+\.?\d*|\.\d+)[eE][-+]?\d+|inf|infinity|nan"
    # seconds with their unit (--crop -0.2s), which argparse takes for an option too
    r"|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*(s|sec|secs|seconds?))",
    re.IGNORECASE,
)


def joined_negative_values(argv: list[str]) -> list[str]:
    """``--opt -1e-6`` as ``--opt=-1e-6``: argparse takes a negative number written with an
    exponent (or ``-inf``, ``-nan``) or followed by a unit of seconds (``-0.2s``) for an
    option (plain ones such as ``-0.5`` it already reads as values), so ``--rescale -1e-6``
    would fail with "expected one argument" instead of a message about the value, and
    ``--crop -0.2s`` with "unrecognized arguments"."""
    out: list[str] = []
    for token in argv:
        previous = out[-1] if out else ""
        if _NEGATIVE_NUMBER.fullmatch(token) and previous.startswith("--") and "=" not in previous:
            out[-1] = f"{previous}={token}"
        else:
            out.append(token)
    return named_stim_channels(out)


#: The hidden option ``--events-from-stim=CHANNEL`` is given as (:func:`named_stim_channels`).
_NAMED_STIM_OPTION = "--events-from-stim-channel"


def named_stim_channels(argv: list[str]) -> list[str]:
    """``--events-from-stim=CHANNEL`` as the hidden ``--events-from-stim-channel CHANNEL``:
    the ``=`` form always names a channel, even one that is also a path (a file or folder
    ``Status`` in the working directory), while ``--events-from-stim WORD`` is refused where
    WORD is a recording (:func:`_stim_channel_arg`), taken for the channel's name by
    mistake."""
    out: list[str] = []
    for token in argv:
        option, sep, value = token.partition("=")
        if sep and option == "--events-from-stim" and "--" not in out:
            out += [_NAMED_STIM_OPTION, value]
        else:
            out.append(token)
    return out


def escape_unencodable_output() -> None:
    """Make stdout write what its encoding cannot hold as backslash escapes, as Python's
    stderr already does (``errors="backslashreplace"``), and stderr too where it was set up
    otherwise: a file name with ``ü`` printed to an ASCII terminal (``LC_ALL=C``,
    ``PYTHONIOENCODING=ascii``) then shows as ``\\xfc`` instead of stopping the run with a
    UnicodeEncodeError after its first file. The encodings stay as they are; streams that
    cannot be reconfigured (a caller's own stream object without ``reconfigure``) are left
    alone."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # closed, or not a text stream
                reconfigure(errors="backslashreplace")


def _is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (False for pipes, files and streams without
    ``isatty``)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class EscapingStdout:
    """The command's stdout, writing control characters (but line breaks and tabs) as escapes
    (:func:`eegpt._logging.terminal_text`): a file name, recording id or a value from a file
    someone else made (a checkpoint's ``config.json``, a probe's ``probe.json``) printed by
    ``eegpt channels``/``info``/``fetch`` can then neither colour, clear or retitle the
    terminal. Only for a terminal: output piped or redirected is written as it is. Everything else (``buffer``, ``isatty``, ``flush`` ...) is the stream's own."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        shown = "\r\n".join(terminal_text(part, newlines=True) for part in text.split("\r\n"))
        self._stream.write(shown)  # a CSV's \r\n line ends kept as they are
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def parse_command_line(
    parse: Callable[[], argparse.Namespace], *, process: bool
) -> argparse.Namespace | None:
    """``parse()`` (building the parser imports eegpt's modules, which takes a moment), with
    eegpt's Ctrl-C and SIGTERM handlers already in place when ``process`` (the entry point of
    this process): an interruption then is one line, and None is returned (status 130). The
    entry point also owns the process's output streams: :func:`escape_unencodable_output`."""
    if not process:
        return parse()
    escape_unencodable_output()
    if _is_terminal(sys.stdout) and not isinstance(sys.stdout, EscapingStdout):
        sys.stdout = EscapingStdout(sys.stdout)  # a pipe or file gets the bytes as they are
    _interrupts.watch_imports()  # an interrupt in an import is raised once it is over
    _handled_unless_ignored(signal.SIGTERM, _raise_on_sigterm)
    _handled_unless_ignored(signal.SIGINT, _Interrupts())
    try:
        return parse()
    except KeyboardInterrupt:
        print("eegpt: interrupted", file=sys.stderr)
        return None


def run_command_line(
    parse: Callable[[], argparse.Namespace],
    *,
    process: bool,
    func: Callable[[argparse.Namespace], int] | None = None,
    interrupted: str = "eegpt: interrupted",
) -> int:
    """An entry point's whole run: :func:`parse_command_line`, then :func:`run_command` of
    ``func`` (default: the ``func`` the parsed command set); the exit status."""
    args = parse_command_line(parse, process=process)
    if args is None:
        return 130
    return run_command(func or args.func, args, interrupted, process=process)


def main(argv: list[str] | None = None) -> int:
    """The ``eegpt`` command; ``argv`` None: this process's command line (the entry point)."""
    given = given_arguments(argv)  # @files read: the arguments that run are recorded
    if given is None:
        return 2
    words = joined_negative_values(given)
    with command_recorded(given):  # recorded by the outputs the command writes
        return run_command_line(lambda: build_parser().parse_args(words), process=argv is None)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
