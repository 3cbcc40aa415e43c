"""The --help of every command and subcommand, checked as a new user reads it: it names only
options the command has (or says whose they are), an option shared by several commands is
shown the same way in each, defaults, units and choices are said, and it fits the terminal."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from eegpt.cli import build_parser

#: Words that say whose an option named after them is: another eegpt command's
#: (``probe predict --events``, ``eegpt fetch --list``) or another program's (``docker --cpus``).
OWNER_WORDS = {
    "embed", "embed-dataset", "probe", "train", "predict", "evaluate", "channels", "info",
    "export", "anonymize", "convert", "fetch", "demo", "docker", "mne",
}  # fmt: skip


def _parsers(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """``(words, parser)`` of ``eegpt`` and each command and subcommand under it."""
    yield words, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*words, name))


def _options(parser: argparse.ArgumentParser) -> set[str]:
    """The option strings of ``parser`` and of every subcommand under it."""
    return {s for _, p in _parsers(parser) for a in p._actions for s in a.option_strings}


ALL = list(_parsers(build_parser()))


def _entry_points() -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """The parsers of ``python -m eegpt.dataset_cli`` and ``python -m eegpt.probe_cli`` (its
    actions too: it runs ``eegpt probe ...``), named by the module."""
    from eegpt.dataset_cli import build_parser as dataset_parser
    from eegpt.probe_cli import build_parser as probe_parser

    return [
        (("-m eegpt.dataset_cli",), dataset_parser()),
        *((("-m eegpt.probe_cli", *w[1:]), p) for w, p in _parsers(probe_parser()) if w),
    ]


#: Every parser whose --help a user may print: eegpt's and those of its modules' entry points.
EVERY = ALL + _entry_points()
EVERY_IDS = [" ".join(w) or "eegpt" for w, _ in EVERY]


def _help(parser: argparse.ArgumentParser, monkeypatch: pytest.MonkeyPatch) -> str:
    """``parser``'s --help unwrapped (a terminal wide enough for each paragraph on a line:
    an option's name is never split at its hyphens)."""
    monkeypatch.setenv("COLUMNS", "100000")
    return parser.format_help()


@pytest.mark.parametrize(("words", "parser"), EVERY, ids=EVERY_IDS)
def test_help_names_only_options_the_command_has(words, parser, monkeypatch):
    """An option a command's --help names is one of its own (``eegpt`` and ``eegpt probe``:
    one of their commands'), or is said to be another command's or program's by the word
    before it (``as embed --overlap``, ``docker --cpus``). probe predict's --start once gave
    ``--window 30 --start 17`` and ``--val-data ones last`` (options of probe train only),
    embed-dataset's --marker-spans ``own or --annotations'`` (an option of embed only)."""
    own = _options(parser) | {"--option"}  # --option=@value: the argument files' placeholder
    text = _help(parser, monkeypatch)
    strays = []
    for match in re.finditer(r"(?<![\w-])--[a-z][a-z0-9-]*", text):
        option, words_before = match.group(0), text[: match.start()].split()
        before = words_before[-1].strip("'\"(`") if words_before else ""
        if option not in own and before not in OWNER_WORDS:
            strays.append(text[max(0, match.start() - 50) : match.end() + 10])
    assert not strays, f"eegpt {' '.join(words)} --help names options it has not: {strays}"


def _shared() -> dict[str, list[tuple[str, argparse.Action]]]:
    """Each option of more than one command: ``(command, action)`` of each command that has
    it (not ``eegpt`` and ``eegpt probe``, whose --debug and --log-file their commands repeat)."""
    found: dict[str, list[tuple[str, argparse.Action]]] = {}
    for words, parser in ALL:
        if not words or words == ("probe",):
            continue
        for action in parser._actions:
            if action.option_strings and action.help != argparse.SUPPRESS:
                found.setdefault(action.option_strings[-1], []).append((" ".join(words), action))
    return {option: each for option, each in found.items() if len(each) > 1}


#: Options that take a value in some commands and are a switch in others, or that take other
#: values: compared among the commands where they take the same kind (named here with why).
METAVAR_DIFFERS = {
    ("--plot", "channels"): "a figure file or a folder of them (PATH), the others a FILE",
    ("--json", "probe evaluate"): "an optional FILE (alone: printed, as channels and info "
    "--json, a switch, print JSON)",
    ("--start", "embed-dataset"): "one value (a manifest's start_seconds gives each its own)",
}


def test_an_option_of_several_commands_takes_the_same_metavar_and_choices():
    """``--overlap SECONDS`` in one command is not ``--overlap OVERLAP`` in another (it was:
    embed and embed-dataset showed OVERLAP, WINDOW and BATCH_SIZE, the probe commands
    SECONDS)."""
    differ = []
    for option, each in _shared().items():
        compared = [(c, a) for c, a in each if (option, c) not in METAVAR_DIFFERS]
        metavars = {(c, a.metavar, a.nargs) for c, a in compared}
        if len({(m, n) for _, m, n in metavars}) > 1:
            differ.append((option, sorted(metavars, key=str)))
        if option != "--pool":  # embed stores none|mean, export writes more poolings
            choices = {tuple(a.choices or ()) for _, a in compared}
            if len(choices) > 1:
                differ.append((option, choices))
    assert not differ


#: Options whose help is one text in every command that has it (those that say something of
#: the command's own, as -q or --overwrite, differ). embed-dataset's --device takes several
#: GPUs.
SAME_HELP = [
    "--window", "--batch-size", "--precision", "--stream-precision", "--threads",
    "--rescale", "--rename", "--drop", "--resample", "--average-reference",
    "--no-average-reference", "--stim-mask", "--event-names", "--dpi", "--debug",
    "--log-file", "--device",
]  # fmt: skip


@pytest.mark.parametrize("option", SAME_HELP)
def test_an_option_of_several_commands_is_described_alike(option):
    """The same option is described by the same words wherever it is (probe train's
    --window said "epoch/window length in s", embed's "window length in seconds"; demo's
    --device "cpu, cuda ... (default: GPU if present)")."""
    helps = {
        a.help: c for c, a in _shared()[option] if (option, c) != ("--device", "embed-dataset")
    }
    assert len(helps) == 1, helps


def test_every_weights_option_says_what_it_takes():
    """--weights says the same forms (file, folder, URL, fetch's names) in every command
    (probe train said only "path or pretrained name")."""
    from eegpt.cli_options import WEIGHTS_FORMS

    for command, action in _shared()["--weights"]:
        assert WEIGHTS_FORMS in (action.help or ""), command


@pytest.mark.parametrize(("words", "parser"), EVERY, ids=EVERY_IDS)
def test_help_fits_the_terminal(words, parser, monkeypatch):
    """In a terminal 100 columns wide no line of --help is wider: a description or a group's
    note of one line is wrapped, a text laid out by hand (examples, exit statuses) is written
    to fit (embed-dataset's description was one line of 512 characters, its BIDS note 330,
    info's description 105, a line of export's epilog 136)."""
    monkeypatch.setenv("COLUMNS", "100")
    wide = [line for line in parser.format_help().splitlines() if len(line) > 100]
    assert not wide, f"eegpt {' '.join(words)} --help"


def test_help_keeps_the_lines_laid_out_by_hand(monkeypatch):
    """The examples and the exit statuses stay as written, one per line (not run together
    by the wrapping of one-line texts)."""
    monkeypatch.setenv("COLUMNS", "100")
    shown = dict(ALL)
    assert (
        "examples:\n  eegpt embed-dataset data/ --weights"
        in shown[("embed-dataset",)].format_help()
    )
    assert "\n  0    success\n  1    error:" in shown[()].format_help()
    from eegpt.dataset_cli import build_parser as dataset_parser

    assert "examples:\n  eegpt embed-dataset data/" in dataset_parser().format_help()


def _said(value: object, text: str) -> bool:
    """Whether ``text`` says ``value``: as a word, or as a number equal to it (4e-4 is 0.0004)."""
    if isinstance(value, (int, float)):
        numbers = re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?", text)
        return any(float(number) == value for number in numbers)
    return re.search(rf"(?<![\w-]){re.escape(str(value))}(?![\w-])", text) is not None


@pytest.mark.parametrize(("words", "parser"), EVERY, ids=EVERY_IDS)
def test_help_says_each_default(words, parser):
    """An option that has a default value (not None: those say in words what happens without
    them) says it in its help, and says the one the parser takes (--rescale did not say 1)."""
    unsaid = [
        (action.option_strings[-1], action.default)
        for action in parser._actions
        if action.option_strings
        and action.nargs != 0  # a switch
        and action.help != argparse.SUPPRESS
        and isinstance(action.default, (str, int, float, Path))
        and action.default != argparse.SUPPRESS
        and not _said(action.default, action.help or "")
    ]
    assert not unsaid, f"eegpt {' '.join(words)}"


@pytest.mark.parametrize(("words", "parser"), EVERY, ids=EVERY_IDS)
def test_help_opens_with_what_the_command_does(words, parser, monkeypatch):
    """Every --help says what its command does before its arguments (probe predict and
    evaluate opened with their positional arguments)."""
    monkeypatch.setenv("COLUMNS", "100")
    text = parser.format_help()
    usage, _, rest = text.partition("\n\n")
    assert rest.strip() and not rest.startswith(("positional arguments", "options")), words


def test_an_option_counting_things_takes_n():
    """A count (--batch-size, --threads, --workers, --shard-size ...) shows as N, as --threads
    and --passes do (--workers WORKERS, --shard-size SHARD_SIZE, --files-per-batch
    FILES_PER_BATCH made embed-dataset's usage twice as long)."""
    from eegpt.cli_options import count_from_zero, positive_count, thread_count

    counts = {positive_count, count_from_zero, thread_count}
    named = [
        (" ".join(words), action.option_strings[-1], action.metavar)
        for words, parser in EVERY
        for action in parser._actions
        if action.type in counts and action.metavar != "N"
    ]
    assert not named


def test_probe_train_tail_says_what_predict_does_with_it():
    """probe predict of a continuous recording says "a probe trained with --tail pad predicts
    such a tail": train's --tail said only what it does to epochs, not that the probe keeps it
    for predict's recording ends."""
    train = dict(ALL)[("probe", "train")]
    (tail,) = [a for a in train._actions if "--tail" in a.option_strings]
    said = " ".join((tail.help or "").split())
    assert "Recorded in the probe: probe predict then" in said and "continuous recording" in said


@pytest.mark.parametrize("command", ["export", "anonymize"])
def test_quiet_help_of_export_and_anonymize_says_warnings_stay(
    command, tmp_path, monkeypatch, recwarn
):
    """export -q and anonymize -q print warnings (a corpus's copied recordings, ...); their
    help said "print nothing but errors"."""
    import warnings

    import numpy as np

    from eegpt import anonymize, export
    from eegpt.cli import main
    from eegpt.errors import EEGPTWarning
    from eegpt.outputs import Embeddings

    metadata = {"model": {"embed_dim": 4, "embed_num": 1}, "source": "rec.edf",
                "preprocessing": {"sfreq": 256.0, "window_seconds": 4.0}}  # fmt: skip
    path = Embeddings(np.zeros((2, 1, 1, 4), np.float32), np.array([0.0, 4.0]), metadata).save(
        tmp_path / "rec.npz"
    )
    said = "a warning of the input read"

    def warn_first(function):
        def warned(*args, **kwargs):
            warnings.warn(said, EEGPTWarning, stacklevel=2)
            return function(*args, **kwargs)

        return warned

    module, name = (export, "read_export_input") if command == "export" else (
        anonymize, "anonymize_embeddings")  # fmt: skip
    monkeypatch.setattr(module, name, warn_first(getattr(module, name)))
    out = tmp_path / ("rec.csv" if command == "export" else "anon.npz")
    assert main([command, str(path), "-o", str(out), "-q"]) == 0
    assert [w for w in recwarn if said in str(w.message)]  # not filtered out by -q
    parser = dict(ALL)[(command,)]
    (quiet,) = [a for a in parser._actions if "--quiet" in a.option_strings]
    assert (quiet.help or "").startswith("warnings and errors only")


def test_a_precision_option_names_the_other_names_it_takes():
    """--precision and --stream-precision both take bf16, fp16, half and fp32; only
    --precision's help said so."""
    from eegpt.config import PRECISION_ALIASES

    for words, parser in ALL:
        for action in parser._actions:
            if action.option_strings and action.option_strings[-1].endswith("precision"):
                said = " ".join((action.help or "").replace("%%", "%").split())
                assert f"Also {', '.join(PRECISION_ALIASES)}" in said, (words, action.dest)


def test_an_option_of_a_quantity_says_its_unit():
    """An option in seconds says seconds (or s), demo's --minutes says minutes (it said
    "length of the synthetic recording (2)")."""
    from eegpt.cli_options import overlap_seconds, seconds, start_seconds, window_length

    in_seconds = {seconds, overlap_seconds, start_seconds, window_length}
    unsaid = []
    for words, parser in ALL:
        for action in parser._actions:
            text = " ".join((action.help or "").split())
            named = getattr(action.type, "__name__", "")
            if action.type in in_seconds or named in ("start_value", "start_of_each"):
                said = re.search(r"\bseconds?\b|\d s\b|\bin s\b|\) s\b", text)
            elif action.dest == "minutes":
                said = re.search(r"\bminutes\b", text)
            else:
                continue
            if not said:
                unsaid.append((" ".join(words), action.option_strings[-1]))
    assert not unsaid


def test_an_option_of_choices_says_which_is_the_default():
    """An option of choices with a default names that choice as the default (--pool said
    "(none)", --detrend "subtract nothing (default)", --precision nothing)."""
    unsaid = []
    for words, parser in ALL:
        for action in parser._actions:
            if action.choices and action.default in action.choices:
                text = " ".join((action.help or "").split())
                default = re.escape(str(action.default))
                if not re.search(rf"\b{default} \(default\)|\(default:? {default}\)", text):
                    unsaid.append((" ".join(words), action.option_strings[-1]))
    assert not unsaid


@pytest.mark.parametrize(("words", "parser"), EVERY, ids=EVERY_IDS)
def test_help_keeps_option_names_whole(words, parser, monkeypatch):
    """A help wrapped to an 80-column terminal breaks no option's name at its hyphens (it
    showed ``--window-`` at a line's end and ``labels`` on the next, 12 times)."""
    monkeypatch.setenv("COLUMNS", "80")
    cut = [line for line in parser.format_help().splitlines() if re.search(r"--[a-z-]*-$", line)]
    assert not cut


def test_train_start_help_adopts_no_probes_labelling(monkeypatch):
    """probe train's --start said its --start annotations take "the first matching
    --window-labels, the probe's by default": train has no probe to take them from (its
    --window-labels has no default); predict and evaluate adopt the probe's."""
    shown = dict(ALL)
    train = _help(shown[("probe", "train")], monkeypatch)
    assert "the probe's by default" not in train
    assert "the first matching --window-labels: its first scored epoch" in train
    for command in ("predict", "evaluate"):
        said = _help(shown[("probe", command)], monkeypatch)
        assert "first matching --window-labels, the probe's by default: its first" in said


def test_unlabelled_help_says_the_probes_is_taken_with_its_labelling(monkeypatch):
    """predict and evaluate's --unlabelled said "default: leave them out", but without
    --window-labels they take the probe's labelling with its training --unlabelled (a seizure
    probe's background: tests/test_probe.py, test_continuous_recordings_labelled_by_their_
    annotations); train, which has no probe, leaves them out."""
    shown = dict(ALL)
    for words, adopts in ((("probe", "predict"), True), (("probe", "evaluate"), True),
                          (("probe", "train"), False)):  # fmt: skip
        (action,) = [a for a in shown[words]._actions if "--unlabelled" in a.option_strings]
        said = " ".join((action.help or "").split())
        assert said.startswith("with --window-labels") and "default: leave them out" in said
        assert ("the probe's training --unlabelled where its labelling is taken" in said) is adopts


def test_probe_help_says_which_actions_take_continuous_recordings(monkeypatch):
    """eegpt probe --help said "predict also takes continuous recordings", as if train and
    evaluate did not (both take them labelled by --window-labels or --labels), and that a
    missing label is an error, which evaluate --skip-unknown leaves out."""
    said = " ".join(_help(dict(ALL)[("probe",)], monkeypatch).split())
    assert "predict also takes continuous recordings" not in said
    assert (
        "which train and evaluate label by their annotations (--window-labels) or by --labels"
        in said
    )
    assert "is a missing label: an error; evaluate --skip-unknown leaves it out" in said


def _wrapped_texts(parser: argparse.ArgumentParser) -> Iterator[str]:
    """The texts of ``parser``'s --help that argparse wraps (runs of spaces made one): each
    option's help, its groups' notes, and a description or epilog of one line (one of several
    lines is shown as written, :class:`eegpt.cli_options.LaidOutHelpFormatter`)."""
    from eegpt.cli_options import LaidOutHelpFormatter

    yield from (a.help for a in parser._actions if isinstance(a.help, str))
    yield from (g.description for g in parser._action_groups if g.description)
    for text in (parser.description, parser.epilog):
        laid_out = issubclass(parser.formatter_class, LaidOutHelpFormatter)
        if text and not (laid_out and "\n" in text.strip("\n")):
            yield text


@pytest.mark.parametrize(("words", "parser"), EVERY, ids=EVERY_IDS)
def test_help_needs_no_runs_of_spaces(words, parser):
    """No wrapped text of --help holds two spaces in a row: argparse shows them as one, so an
    example written with them is printed as another (--marker-spans 'EC=S  1$', the regex of
    BrainVision's 'Stimulus/S  1', was shown as 'EC=S 1$', which matches no such marker)."""
    squeezed = [m.group() for t in _wrapped_texts(parser) for m in re.finditer(r"\S {2,}\S", t)]
    assert not squeezed, f"eegpt {' '.join(words)} --help"


def test_marker_spans_examples_of_help_match_their_markers(monkeypatch):
    """The --marker-spans examples each command's --help prints match, copied as printed,
    the markers they are for: each one of BrainVision's 'Stimulus/S  1' and 'Stimulus/S  2'
    (the code right-aligned after two spaces) and 'EC', 'EO', one marker each."""
    markers = ["Stimulus/S  1", "Stimulus/S  2", "EC", "EO"]
    commands = [(w, p) for w, p in ALL if "--marker-spans" in p._option_string_actions]
    assert len(commands) >= 5  # embed, embed-dataset, probe train/predict/evaluate
    for words, parser in commands:
        shown = _help(parser, monkeypatch)
        quoted = re.findall(r"--marker-spans '\w+=([^']+)'", shown)
        bare = re.findall(r"--marker-spans (?!NAME=)\w+=([^'\s]+?)[.,;)]*(?=\s)", shown)
        examples = quoted + bare
        matched = [[m for m in markers if re.search(regex, m)] for regex in examples]
        assert examples and all(len(m) == 1 for m in matched), (words, examples, matched)
        assert {m for (m,) in matched} == set(markers), (words, examples)
