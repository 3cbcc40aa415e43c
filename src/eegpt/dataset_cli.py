"""``eegpt embed-dataset``: embed a whole corpus into sharded Parquet, resumably.

Also runnable as ``python -m eegpt.dataset_cli INPUT -o OUTDIR --weights W ...`` (the same
arguments without the command name). Exit status: 0 when every file was embedded (or skipped
as shorter than one window, listed in ``OUTDIR/_too_short.csv``), 3 when every
shard is written but some files failed (listed, with the reason, in ``OUTDIR/_errors.csv``;
``--retry-failed`` redoes them) or a resumed run found recordings changed since they were
embedded (their rows are of the earlier files; the warning says how to redo them), 1 on an error that stopped the run, 2 on usage errors, 130 when
interrupted (Ctrl-C), 143 when terminated (SIGTERM, as a job scheduler's preemption sends).
After 1, 130 or 143, run the same command again to resume (without ``--overwrite``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from eegpt._logging import terminal_text
from eegpt.bids import _KEYS as _BIDS_KEYS
from eegpt.cli_options import (
    WEIGHTS_OPTION_HELP,
    LaidOutHelpFormatter,
    SubcommandParser,
    add_events_from_stim_options,
    add_inference_options,
    add_log_file_options,
    add_marker_spans_option,
    add_pool_option,
    add_preprocessing_options,
    check_inference_options,
    count_from_zero,
    lower_choice,
    marker_spans_option,
    needed_option,
    parse_rename,
    picks_of,
    positive_count,
    preprocessing_config,
    stim_keywords,
    stim_setting,
)
from eegpt.cli_run import (
    EXIT_SOME_FAILED,
    error_text,
    given_arguments,
    joined_negative_values,
    run_command_line,
)

if TYPE_CHECKING:
    from eegpt.dataset import DatasetSummary

DESCRIPTION = (
    "Embed every window of every EEG file of a folder, glob or manifest (CSV/TSV/Parquet with a "
    "'path' column; also read: 'recording_id' and the per-file 'rescale', 'start_seconds' "
    "(the first window's onset, instead of --start), 'annotations_file' and 'bads' (channels "
    "to leave out as bad, separated by ';' or ','); other columns are "
    "copied to the rows) into sharded Parquet: one row per window, readable with "
    "pandas.read_parquet(OUTDIR). Interrupted runs resume where they stopped when the same "
    "command is run again."
)


EPILOG = """\
examples:
  eegpt embed-dataset data/ --weights eegpt-large -o corpus-embeddings
  eegpt embed-dataset data/ --pattern '**/*.edf' --weights eegpt-large -o corpus-embeddings
  eegpt export corpus-embeddings -o corpus.csv      (one CSV table of all the windows)"""


def _part(text: str) -> tuple[int, int]:
    """``--part K/N`` as ``(K, N)`` (:func:`eegpt.dataset_inputs.as_part`)."""
    from eegpt.dataset_inputs import as_part

    try:
        return as_part(text)  # type: ignore[return-value]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give K/N, e.g. 3/10 (part 3 of parts 0 to 9)"
        ) from None


#: The BIDS entities recordings can be selected by, with their keys in file names
#: (:mod:`eegpt.bids`'s, which imports neither mne nor mne-bids until a recording is read).
_BIDS_OPTIONS = _BIDS_KEYS


def _bids_filters(args: argparse.Namespace) -> dict[str, list[str]] | None:
    """The BIDS options given (``--task rest,sleep --subject 01``) as ``bids_filters``."""
    chosen = {
        entity: [v for given in values for v in given.split(",") if v.strip()]
        for entity in _BIDS_OPTIONS
        if (values := getattr(args, entity, None))
    }
    return chosen or None


def files_listed_as(args: argparse.Namespace, path: Path) -> list[Path]:
    """The files ``eegpt embed-dataset`` reads by its listing (of its folder, glob or manifest:
    :func:`eegpt.dataset_inputs.resolve_inputs`, the whole corpus whatever ``--part``) that may
    be ``path``: every recording listed, a manifest's ``annotations_file`` files, and the files
    a recording is read from (:func:`eegpt._file_identity.recording_files`: an EEGLAB
    ``.set``'s ``.fdt``, a BrainVision header's ``.eeg``/``.vmrk``). Those are looked up for
    the recordings in ``path``'s folder (a ``.set``'s data file lies beside it or its link's
    target), for every BrainVision header (its ``DataFile=`` may name a file in another
    folder, ``DataFile=eeg/rec.eeg``), and for all where ``path`` is a file of several hard
    links (one may lie anywhere). Empty where ``path`` is not an existing file (then no listed
    file is it), unless it is named as a BIDS sidecar (``.json``, ``.tsv``: the recordings
    then tell whether it lies in their BIDS dataset, where MNE-BIDS would read it once made).
    A recording whose files cannot be looked up (a header's ``DataFile=`` in a folder without
    permission, or too long a name: :class:`OSError`) adds itself alone, as the run fails it
    alone. Listed quietly (the run lists again, and warns then); a listing that fails raises its
    error (the run would stop on it)."""
    import warnings

    from eegpt._file_identity import recording_files
    from eegpt.dataset_inputs import resolve_inputs

    exists = path.is_file()
    if not exists and path.suffix.lower() not in (".json", ".tsv"):
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        listed = resolve_inputs(args.input, pattern=args.pattern, bids_filters=_bids_filters(args))
    folder = path.resolve().parent
    linked = exists and path.stat().st_nlink > 1  # another name of it may lie anywhere
    resolved: dict[Path, Path] = {}  # each recording folder resolved once, not per recording
    found: list[Path] = []
    for entry in listed.files:
        recording = Path(entry.path)
        found.append(recording)
        found += [Path(a) for a in [entry.annotations] if a is not None]
        parent = resolved.get(recording.parent)
        if parent is None:
            parent = resolved[recording.parent] = recording.parent.resolve()
        if (
            linked
            or recording.suffix.lower() in _HEADERS_NAMING_FILES
            or parent == folder
            or (recording.is_symlink() and recording.resolve().parent == folder)
        ):
            try:
                found += recording_files(recording)[1:]
            except OSError:  # a header naming a file not looked up (no permission, too long
                continue  # a name): the run fails that recording, not the log the others
    return found


#: Recordings whose header names its data files by a path that may lead to another folder
#: (BrainVision's ``DataFile=``, ``MarkerFile=``): :func:`files_listed_as` reads them all.
_HEADERS_NAMING_FILES = (".vhdr", ".ahdr")


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", help="folder, glob (quote it), manifest .csv/.tsv/.parquet, or file")
    # more inputs only to explain a glob the shell expanded (hidden from the usage)
    p.add_argument("more_inputs", nargs="*", help=argparse.SUPPRESS)
    p.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    needed_option(p.add_argument("--weights", help=WEIGHTS_OPTION_HELP))
    p.add_argument("--pattern", help="glob inside a folder input, e.g. '**/*.edf'")
    b = p.add_argument_group(
        "BIDS datasets",
        "for a BIDS dataset's folder (or a folder inside one, e.g. ds/sub-01; or a derivative "
        "dataset's, e.g. ds/derivatives/mne-bids-pipeline, also with --pattern): embed only the "
        "recordings with one of these labels (repeat the option or separate labels with "
        "commas: --task rest,sleep --processing clean); recorded in the run's settings",
    )
    for entity, key in _BIDS_OPTIONS.items():
        b.add_argument(
            f"--{entity}",
            action="append",
            metavar="LABEL",
            help=f"{entity} label of the file names ({key}-LABEL)"
            + (", compared as a number: 1 selects run-01" if entity == "run" else ""),
        )
    p.add_argument(
        "--part",
        type=_part,
        metavar="K/N",
        help="embed part K of N only (0 <= K < N: every N-th file from the K-th, ids as in the "
        "whole corpus), one job array task per part, each into its own folder, e.g. "
        "--part $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT -o out/part-$SLURM_ARRAY_TASK_ID; "
        "read them back with eegpt.read_embeddings('out')",
    )
    p.add_argument("--overwrite", action="store_true", help="delete a previous output, start over")
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="on resume, embed the failed files again (their shards are rewritten; the other files' rows are kept)",
    )
    p.add_argument(
        "--check-contents",
        action="store_true",
        help="on resume, compare the recorded fingerprint (first and last MiB) of every file "
        "already embedded, not only of those whose size or modification time changed: finds "
        "files edited in place that kept both (de-identified headers with their times "
        "restored, cp -p, touch -r); reads 2 MiB per file (every byte of files whose full "
        "SHA-256 the run recorded with --hash-inputs, which also finds an edit in the middle "
        "of a file that kept its size)",
    )
    p.add_argument(
        "--hash-inputs",
        action="store_true",
        help="record the full SHA-256 of each embedded recording's files (as sha256sum prints "
        "it) in its file status, as eegpt embed --hash-inputs does; reads every byte of each "
        "file once more (minutes for a large corpus on network storage). A resume with it "
        "hashes only the files it embeds (it warns how many embedded before are not)",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar and no first line naming the run; the run's summary is still "
        "printed on stderr, with warnings and errors",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log settings and resume state")

    g = p.add_argument_group("execution")
    g.add_argument(
        "--engine",
        type=lower_choice(),
        choices=["inprocess", "ray"],
        default="inprocess",
        help="inprocess (default): this machine; ray: Ray Data, local or --ray-address",
    )
    g.add_argument(
        "--workers",
        type=count_from_zero,
        default=None,
        metavar="N",
        help="reader processes (inprocess; default min(4, cores-1), 0 on two cores or fewer: read in process) or at most this many "
        "read actors (ray; default: the CPUs the inference actors leave)",
    )
    g.add_argument(
        "--replicas",
        type=positive_count,
        default=None,
        metavar="N",
        help="GPUs to use (inprocess; default all) or inference actors (ray; default 1 per GPU)",
    )
    g.add_argument(
        "--ray-address", help="Ray cluster address (auto, ray://host:10001; with --engine ray)"
    )
    g.add_argument(
        "--files-per-batch",
        type=positive_count,
        default=None,
        metavar="N",
        help=f"files per inference call (with --engine ray; {FILES_PER_BATCH})",
    )
    g.add_argument(
        "--shard-size",
        type=positive_count,
        default=8,
        metavar="N",
        help="input files per output shard (8)",
    )
    add_pool_option(g)

    add_inference_options(
        p,
        "cpu, cuda (all GPUs), cuda:1, cuda:0,cuda:2 (default: all CUDA GPUs if present, else "
        "the CPU, as on a Mac: Apple's MPS is not supported)",
    )
    add_preprocessing_options(
        p,
        crop=True,
        crop_note=": in a run, each continuous recording fails (its reason in _errors.csv) while "
        "the epochs are cropped and embedded, and the run exits 3; give them in a run without "
        "--crop",
        start_note=". Lights-off differs per night: a manifest's start_seconds column gives each "
        "recording its own (--start is that of the files without one)",
    )
    add_marker_spans_option(
        p,
        " The windows' annotations (the annotations column) are then the spans; a "
        "continuous recording without a matching marker fails (named in the summary), the "
        "others are embedded. Recorded in the run's settings: resume with the same "
        "--marker-spans",
        dataset=True,
    )
    add_events_from_stim_options(
        p,
        " A continuous recording without such a stim channel fails (named in the summary), "
        "the others are embedded. Recorded in the run's settings: resume with the same "
        "--events-from-stim, --stim-mask and --event-names",
        dataset=True,
    )
    # embed's and the probe commands' ERP epochs, not a corpus run's: refused by name
    # (EPOCHS_AROUND_REFUSED) rather than by argparse's 'unrecognized arguments'
    p.add_argument(
        "--epochs-around", action="append", default=None, metavar="REGEX | NAME=REGEX",
        help=argparse.SUPPRESS,
    )  # fmt: skip
    p.add_argument("--baseline", nargs=2, default=None, metavar=("A", "B"), help=argparse.SUPPRESS)


#: Why ``embed-dataset --epochs-around`` (or ``--baseline``) is refused, and what to run.
EPOCHS_AROUND_REFUSED = (
    "embed-dataset does not take --epochs-around (nor --baseline): a corpus run embeds the "
    "windows of continuous recordings, or epochs files as they are. Cut epochs around each "
    "recording's annotations with eegpt embed, which takes several recordings and an output "
    "folder: eegpt embed data/*.vhdr --epochs-around 'Stimulus/S +[12]$' --crop -0.2 "
    "--window 1 --weights W -o embeddings/ (docs/command-line.md); or save each "
    "recording's epochs as an -epo.fif file (mne.Epochs) and give their folder to "
    "embed-dataset with --crop and --window"
)

INTERRUPTED = "eegpt: interrupted; run the same command again to resume"
#: Said where the run left no run to resume: stopped as it started (its start undone, the
#: output folder as it was) or before it made its folder.
INTERRUPTED_AT_START = (
    "eegpt: interrupted before the run wrote a shard; its start was undone (the output folder "
    "is as it was): nothing to resume"
)


#: What a second Ctrl-C of ``eegpt embed-dataset`` says as it quits at once (no clean-up
#: runs): the shards written survive; the shard in progress is a hidden temporary file (its
#: finished files kept only where the first Ctrl-C's stop got to keep them); of a recording
#: read in parts, the windows recorded as kept (:class:`eegpt.dataset_pipeline.KeptWindows`:
#: every 2 minutes and at the first Ctrl-C's stop) are what a resume takes.
QUIT_AT_ONCE = (
    "eegpt: quit at once; the shards written so far are complete, and the one in progress is "
    "left as a hidden temporary file, removed when run again. Run the same command again to "
    "resume: it embeds the files of that shard again (unless the first Ctrl-C's stop got to "
    "keep its finished ones), and of a recording read in parts it takes the windows recorded "
    "as kept before this Ctrl-C (recorded every 2 minutes and at the first Ctrl-C's stop) and "
    "embeds the rest"
)


#: What a second Ctrl-C of ``eegpt embed-dataset`` says where no shard is being written (none
#: of the run's files has reached the shard writer yet, it is between shards, or the first
#: Ctrl-C's stop dropped or kept the shard in progress): no temporary file is left.
QUIT_AT_ONCE_NO_SHARD = (
    "eegpt: quit at once; the shards written so far are complete, and no shard was being "
    "written (none is left half-written). Run the same command again to resume: it embeds "
    "the files not in a shard (but those the first Ctrl-C's stop got to keep), and of a "
    "recording read in parts it takes the windows recorded as kept before this Ctrl-C "
    "(recorded every 2 minutes and at the first Ctrl-C's stop) and embeds the rest"
)


#: What a second Ctrl-C of ``eegpt embed-dataset`` says before the run wrote its manifest
#: (while the weights load or the inputs are listed, or as the run starts in its folder): no
#: shard was written and no clean-up runs, so the folder the run made, if it got so far, is
#: left holding only files of the run's own (its hidden lock file; its reports, written just
#: before the manifest; a ``--part`` run's listing), which a new run takes as they are.
QUIT_AT_ONCE_AT_START = (
    "eegpt: quit at once, before the run wrote its manifest: no shard was written, and there "
    "is nothing to resume. The output folder, if the run got to make it, may be left holding "
    "only files of the run's own (its hidden lock file, its reports), which a new run takes as "
    "they are: run the same command again to start the run"
)


def _holds_a_run(args: argparse.Namespace) -> bool:
    """Whether the output folder holds a run to resume (its manifest); True where that cannot
    be told (the usual advice)."""
    from eegpt.dataset_folders import MANIFEST

    try:
        return (Path(args.output) / MANIFEST).is_file()
    except OSError:
        return True


#: What an interrupted ``--overwrite`` run says where it had removed the run the folder held
#: before it wrote a manifest of its own: that run is gone, and nothing is left to resume.
INTERRUPTED_OVERWRITING = (
    "eegpt: interrupted before the run wrote a shard; the run the output folder held was "
    "removed (--overwrite): nothing to resume. Run the same command again to start over"
)

#: What a second Ctrl-C of an ``--overwrite`` run says where it had removed the run the folder
#: held before it wrote a manifest of its own (:data:`QUIT_AT_ONCE_AT_START` otherwise).
QUIT_AT_ONCE_OVERWRITING = (
    "eegpt: quit at once, before the run wrote its manifest: no shard was written, and the "
    "run the output folder held was removed (--overwrite): nothing to resume. Run the same "
    "command again to start over"
)

#: The words of a run that can be resumed, and of an ``--overwrite`` one: the same command
#: would remove what it wrote and start over.
_RESUME = ("un the same command again to resume", "un it again without --overwrite to resume "
           "(the same command, with --overwrite, would start over)")  # fmt: skip


def _overwrite_said(text: str, args: argparse.Namespace) -> str:
    """``text`` of an interrupted run, for an ``--overwrite`` run advising to resume without
    ``--overwrite`` (with it, the same command removes what the run wrote)."""
    return text.replace(*_RESUME) if getattr(args, "overwrite", False) else text


def _quit_message(args: argparse.Namespace) -> str:
    """What a second Ctrl-C says: :data:`QUIT_AT_ONCE_AT_START` where the output folder holds
    no run (no manifest: nothing to resume), :data:`QUIT_AT_ONCE_OVERWRITING` where an
    ``--overwrite`` run removed the run it held (``args.held_a_run``); else :data:`QUIT_AT_ONCE` while a shard is being
    written (its hidden temporary file is left), else :data:`QUIT_AT_ONCE_NO_SHARD` (to resume
    without ``--overwrite`` where given)."""
    from eegpt.shard_writer import shards_being_written

    if not _holds_a_run(args):
        if getattr(args, "overwrite", False) and getattr(args, "held_a_run", False):
            return QUIT_AT_ONCE_OVERWRITING
        return QUIT_AT_ONCE_AT_START
    return _overwrite_said(QUIT_AT_ONCE if shards_being_written() else QUIT_AT_ONCE_NO_SHARD, args)


def _interrupted_message(args: argparse.Namespace) -> str:
    """What an interrupted run says: to run the same command again to resume where the output
    folder holds a run (its manifest; without ``--overwrite`` where given), else
    :data:`INTERRUPTED_AT_START`, or :data:`INTERRUPTED_OVERWRITING` where an ``--overwrite``
    run removed the run the folder held (``args.held_a_run``, noted as the command started)."""
    if _holds_a_run(args):
        return _overwrite_said(INTERRUPTED, args)
    if getattr(args, "overwrite", False) and getattr(args, "held_a_run", False):
        return INTERRUPTED_OVERWRITING
    return INTERRUPTED_AT_START


def add_dataset_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``embed-dataset`` to the ``eegpt`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "embed-dataset",
        help="embed a corpus into sharded Parquet (resumable; in-process or Ray)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=LaidOutHelpFormatter,
    )
    _add_arguments(p)
    p.set_defaults(
        func=cmd_embed_dataset,
        interrupted_message=_interrupted_message,
        quit_message=_quit_message,
    )
    return p


def cmd_embed_dataset(args: argparse.Namespace) -> int:
    """Run ``embed-dataset`` from parsed arguments; prints the summary to stderr."""
    from eegpt.cli_options import no_weights_message
    from eegpt.dataset import DEBUG_ENV, TRACEBACK_MARK
    from eegpt.dataset_inputs import EmptyPartError

    if args.epochs_around is not None or args.baseline is not None:
        print(f"eegpt embed-dataset: error: {EPOCHS_AROUND_REFUSED}", file=sys.stderr)
        return 2
    if not args.weights:
        print(f"eegpt: error: {no_weights_message()}", file=sys.stderr)
        return 2
    more = getattr(args, "more_inputs", None)
    if more:
        print(
            f"eegpt embed-dataset: error: one input, got {1 + len(more)} ({args.input}, "
            f"{more[0]}, ...): did the shell expand a glob? Quote it ('data/*.edf'), give the "
            "folder (with --pattern '*.edf'), or list the files in a manifest (a .csv with a "
            "path column)",
            file=sys.stderr,
        )
        return 2
    if (refusal := _file_named_output(Path(args.output))) is not None:
        print(f"eegpt embed-dataset: error: {refusal}", file=sys.stderr)
        return 2
    _refuse_ray_options(args)
    check_inference_options(args)
    if not args.quiet:  # the first line of a run's log: what was asked
        print(f"embed-dataset {args.input} -> {args.output}: weights {args.weights}, "
              f"{args.engine}, {args.precision}, pool {args.pool}, {args.window:g} s windows "
              f"(overlap {args.overlap:g} s)", file=sys.stderr)  # fmt: skip
    debug = getattr(args, "debug", False)
    args.held_a_run = _holds_a_run(args)  # what an interrupt of an --overwrite run says
    try:
        with _environment(DEBUG_ENV, "1") if debug else contextlib.nullcontext():
            summary = _embed(args)
    except EmptyPartError as err:  # a job array of more tasks than files: nothing to do here
        print(f"embed-dataset: {error_text(err)}", file=sys.stderr)
        return 0
    if not args.verbose:  # verbose runs log it already
        print(summary, file=sys.stderr)
    for error in summary.errors if debug else []:  # the tracebacks this run kept
        if TRACEBACK_MARK in str(error["error"]):
            traceback = terminal_text(error["error"], newlines=True)  # of several lines
            print(f"eegpt: {terminal_text(error['recording_id'])} failed: {traceback}",
                  file=sys.stderr)  # fmt: skip
    if not summary.complete:
        return 1
    return EXIT_SOME_FAILED if summary.n_failed or summary.n_changed else 0


#: Files per inference call of ``--engine ray`` (``--files-per-batch``'s default).
FILES_PER_BATCH = 4
#: The options that only ``--engine ray`` uses, and the attribute of each.
RAY_OPTIONS = {"--ray-address": "ray_address", "--files-per-batch": "files_per_batch"}


def _refuse_ray_options(args: argparse.Namespace) -> None:
    """Refuse, before the weights are loaded, an option of ``--engine ray`` given to a run on
    this machine (``--engine inprocess``, the default), which would ignore it."""
    if args.engine == "ray":
        return
    given = [option for option, name in RAY_OPTIONS.items() if getattr(args, name) is not None]
    if given:
        raise ValueError(
            f"{' and '.join(given)} {'apply' if len(given) > 1 else 'applies'} to Ray runs: "
            "give --engine ray too, or leave "
            f"{'them' if len(given) > 1 else 'it'} out (this run embeds on this machine)"
        )


#: Suffixes of the files eegpt reads or writes: an output folder named so was meant as a file.
FILE_SUFFIXES = (".npz", ".parquet", ".csv", ".tsv", ".mat", ".h5", ".json")


def _file_named_output(output: Path) -> str | None:
    """Why ``-o OUTPUT`` is refused, when its name ends like a file's (``-o out.npz``) and it is
    not a run folder already there (resumed); None when it is fine."""
    from eegpt.dataset_folders import RUN_MANIFEST

    if output.suffix.lower() not in FILE_SUFFIXES:
        return None
    if output.is_dir() and (
        (output / RUN_MANIFEST).is_file() or any(output.glob(f"*/{RUN_MANIFEST}"))
    ):
        return None  # a run to resume (or the parent of --part runs)
    return (
        f"--output {output}: embed-dataset writes a folder (of Parquet shards and reports), "
        f"not a {output.suffix} file; give a folder name, e.g. -o {output.with_suffix('')}. "
        "For one file per recording use eegpt embed; eegpt export turns the folder into a "
        ".csv or .mat file"
    )


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """Set environment variable ``name`` to ``value`` for the ``with`` block."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _embed(args: argparse.Namespace) -> DatasetSummary:
    """``embed_dataset`` with the command line's arguments."""
    from eegpt.dataset import embed_dataset

    return embed_dataset(
        args.input,
        args.output,
        weights=args.weights,
        backend=args.engine,
        pattern=args.pattern,
        bids_filters=_bids_filters(args),
        part=args.part,
        preprocessing=preprocessing_config(args),
        reject_by_annotation=args.reject_by_annotation,
        marker_spans=marker_spans_option(args),
        **stim_keywords(stim_setting(args)),
        rename=parse_rename(args.rename, args.drop),
        on_unknown="raise" if args.strict_channels else "drop",
        keep=args.keep_channels,
        picks=picks_of(args),
        device=args.device,
        precision=args.precision,
        stream_precision=args.stream_precision,
        batch_size=args.batch_size,
        pooling=args.pool,
        shard_size=args.shard_size,
        workers=args.workers,
        replicas=args.replicas,
        ray_address=args.ray_address,
        files_per_batch=FILES_PER_BATCH if args.files_per_batch is None else args.files_per_batch,
        overwrite=args.overwrite,
        retry_failed=args.retry_failed,
        check_contents=args.check_contents,
        hash_inputs=args.hash_inputs,
        progress=not args.quiet,
        verbose=True if args.verbose else None,
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m eegpt.dataset_cli``: the checks of ``eegpt embed-dataset``'s
    (:class:`~eegpt.cli_options.SubcommandParser`: an option unknown is named with the one meant,
    another command's option is not taken as an abbreviation, ``~`` in paths is expanded)."""
    parser = SubcommandParser(
        prog="eegpt embed-dataset",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=LaidOutHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    _add_arguments(parser)
    add_log_file_options(parser)
    parser.set_defaults(  # as eegpt embed-dataset's: its --log-file checks, its Ctrl-C texts
        command="embed-dataset",
        interrupted_message=_interrupted_message,
        quit_message=_quit_message,
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """``python -m eegpt.dataset_cli``: the arguments of ``eegpt embed-dataset``."""
    from eegpt._logging import command_recorded

    given = given_arguments(argv, "embed-dataset")  # @files read
    if given is None:
        return 2
    words = joined_negative_values(given)
    with command_recorded(["embed-dataset", *given]):  # as `eegpt embed-dataset ...`
        return run_command_line(
            lambda: build_parser().parse_args(words),
            process=argv is None,
            func=cmd_embed_dataset,
            interrupted=INTERRUPTED,
        )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
