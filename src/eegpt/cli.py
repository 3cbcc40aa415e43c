"""Command line: ``eegpt embed | embed-dataset | probe | channels | info | compare | export |
anonymize | convert | fetch | demo``.

Every command reports a problem with its input as one ``eegpt: error: ...`` line (exit status 1,
or 2 for usage errors: ``eegpt`` or ``eegpt probe`` alone prints its help and exits with 2);
anything else is reported as an internal error (a bug in eegpt). A run
over several files that embedded some of them but not all exits with 3
(:data:`~eegpt.cli_run.EXIT_SOME_FAILED`), as ``embed-dataset`` does; one refused because
another process holds its output folder or is downloading the same weights exits with 75
(:data:`~eegpt.cli_run.EXIT_TEMPFAIL`, "try again later"). ``eegpt --help`` lists them all
(:data:`EXIT_STATUS_EPILOG`).
``--debug`` shows the traceback too. SIGTERM and Ctrl-C stop a run cleanly: outputs are written
atomically, so an interrupted run leaves complete files or none.

This module builds the parser and runs ``embed``, ``export``, ``anonymize``, ``convert``,
``fetch`` and ``demo``; beside it are the options the commands share (:mod:`eegpt.cli_options`),
how a command line runs (:mod:`eegpt.cli_run`), the recordings a command is given
(:mod:`eegpt.cli_inputs`), ``embed``'s checks of outputs already there
(:mod:`eegpt.cli_existing_outputs`), ``eegpt info`` (:mod:`eegpt.cli_info`), ``eegpt channels``
(:mod:`eegpt.cli_channels`) and ``eegpt compare`` (:mod:`eegpt.cli_compare`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any, NoReturn

from eegpt import __version__
from eegpt._filenames import command_word
from eegpt._logging import (
    OncePerCorpus,
    command_recorded,
    few,
    terminal_text,
)
from eegpt._logging import count as _count
from eegpt._runtime import device_name as device_name  # --device's type
from eegpt.cli_channels import cmd_channels
from eegpt.cli_compare import add_compare_command
from eegpt.cli_existing_outputs import (
    stale_outputs,
    warn_names_read_otherwise,
    warn_other_annotation_settings,
    warn_other_output_settings,
    warn_other_settings,
    warn_other_weights,
    written_meanwhile,
    written_since,
)
from eegpt.cli_info import cmd_info, info_json_epilog
from eegpt.cli_inputs import (
    check_recordings_given,
    recording_paths,
    refuse_unreadable_inputs,
    warn_marker_spans_of_epochs,
    warn_stim_events_of_epochs,
)
from eegpt.cli_options import (
    CROP_AROUND_NOTE,
    DEVICE_HELP,
    FIGURE_FORMATS,
    WEIGHTS_OPTION_HELP,
    CommandParser,
    LaidOutHelpFormatter,
    PositiveValue,
    SubcommandParser,
    add_annotations_option,
    add_channel_options,
    add_dpi_option,
    add_epochs_around_options,
    add_events_from_stim_options,
    add_inference_options,
    add_keep_option,
    add_log_file_options,
    add_marker_spans_option,
    add_picks_option,
    add_pool_option,
    add_preprocessing_options,
    check_inference_options,
    describe_commands,
    epochs_around_setting,
    given_once,
    lower_choice,
    marker_spans_option,
    needed_option,
    parse_rename,
    picks_of,
    preprocessing_config,
    recording_starts,
    same_file,
    stim_keywords,
    stim_setting,
)
from eegpt.cli_run import (
    EXIT_SOME_FAILED,
    debug_traceback,
    error_text,
    given_arguments,
    joined_negative_values,
    run_command_line,
)
from eegpt.errors import EEGPTWarning, MissingFileError, TooShortError

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
       what); for embed and channels also: none of the files could be used; probe predict:
       no input could be predicted, or --fail-fast stopped at one (no table); probe
       evaluate: a recording could not be used (its metrics need them all)
  2    usage: the command line was not understood (an unknown option, no --weights);
       eegpt compare: an error (its 1 says the outputs differ, as diff's)
  3    needs attention: some files failed (embed, channels, embed-dataset; embed-dataset
       also when all failed; probe predict: the others' rows written, the failed listed in
       its provenance, and info of that table: FAILED), a run that did not finish or
       changed inputs (embed-dataset, info); an embeddings file whose recording changed
       since it was embedded (info: CHANGED); a prediction table of eegpt probe predict
       said STALE, changed since it was written (info)
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
        formatter_class=LaidOutHelpFormatter,
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
        formatter_class=LaidOutHelpFormatter,
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
    needed_option(p.add_argument("--weights", help=WEIGHTS_OPTION_HELP))
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
        "selection, weights or precision is kept, with a warning. A recording an interrupted "
        "run was embedding resumes from the windows it kept (hidden .eegpt-partial files beside "
        "its output), with the same embeddings, onsets and flags bit for bit (warnings the "
        "model's run gave over the kept windows are not repeated; after a GPU run compiled "
        "the model, past 500,000 windows, the rest may differ in the last digits, as the "
        "resume starts uncompiled); an output an interrupted "
        "--overwrite run was replacing is replaced so, not kept",
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
    add_preprocessing_options(p, start_per_recording=True, crop=True, crop_note=CROP_AROUND_NOTE)
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
    add_epochs_around_options(
        p,
        ". Recorded in metadata['epochs_around']; each window's event name is in "
        "metadata['labels'] (a 'label' column in Parquet), as of an -epo.fif",
        reject=". Epochs over bad annotations (BAD_...) are embedded and flagged, or left out "
        "with --reject-by-annotation",
    )
    p.set_defaults(func=cmd_embed, interrupted_message=embed_interrupted, quit_message=embed_quit)
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
        "MNE's MONTAGE (GSN-HydroCel-129, GSN-HydroCel-257, biosemi128 ...) or a montage "
        "file MNE reads (digitised net-dig.fif, .elc, .sfp, .loc ...; one table for all "
        "the files), else from the file's own positions (one file only: files may differ). "
        "The geometric nearest, not a manufacturer's equivalents (EGI's own 10-20 list "
        "differs for some electrodes: E22 is its Fp1, AF3 here; no table of EGI's ships with "
        "eegpt: write one from EGI's documentation, or edit this one, for --rename). "
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
        "as a comment), for --rename PATH: a .tsv, .csv or .txt file, not one of the inputs, "
        "and not an existing one (a table edited by hand) without --overwrite",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --write-rename file (an input file never is)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per recording, one per line (JSON Lines), instead of the "
        "tables: path, error (null, or why the file was refused: exit status as without "
        "--json), sfreq (Hz), duration_s (of a file of epochs: all its epochs together), "
        "channels (per channel of the file: label, type, bad, "
        "status mapped/dropped/not kept/not read, name and row where mapped, else reason), "
        "mapping (label -> vocabulary name), unmapped (labels), referential; n_epochs and "
        "epoch_s (seconds of one epoch) for epochs, figure with --plot. Not with --nearest",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="warnings and errors only besides the mapping: no 'drew ...' (--plot) or "
        "'wrote ...' (--write-rename) line; the tables (or --json) are still printed",
    )
    p.set_defaults(func=cmd_channels)

    p = sub.add_parser(
        "info",
        help="describe a checkpoint, an embeddings file, the output of embed-dataset, a probe "
        "or a probe's predictions",
        epilog=INFO_EPILOG + "\n\n" + info_json_epilog(),
        formatter_class=LaidOutHelpFormatter,
    )
    p.add_argument(
        "weights",
        metavar="PATH",
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
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (one line) instead of text: the metadata the text is made "
        "from, for pipelines (its keys: below)",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="warnings and errors only besides the description: no download progress bar or "
        "notes (a pretrained name or URL); the description (or --json) is still printed",
    )
    p.set_defaults(func=cmd_info)

    add_compare_command(sub)
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
        "weights cannot tell; assumed with a warning otherwise); the folder records it. One "
        "that contradicts a count the source records is taken, with a warning naming both; "
        "it must divide the encoder's width",
    )
    p.add_argument(
        "--patch-stride",
        type=_patch_stride,
        metavar="S",
        help="the encoder's patch stride in samples, where the source does not record it "
        "(one that contradicts a stride the source records is taken, with a warning naming "
        "both: the converted model then differs from the source's); `none` means the patch "
        "size (64), as braindecode's EEGPT(patch_stride=None)",
    )
    p.add_argument(
        "--n-times",
        type=int,
        metavar="N",
        help="the window length in samples the probe head was built for, where the source "
        "does not record it (a head's width fits a range of lengths; the longest is assumed "
        "with a warning otherwise); the folder records it for braindecode",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="warnings and errors only: no download progress bar or notes (a name or URL), "
        "no 'wrote ...' line and no note on the source's stored dtype",
    )
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser(
        "fetch",
        help="download pretrained weights into the cache",
        epilog=FETCH_EPILOG,
        formatter_class=LaidOutHelpFormatter,
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
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="warnings and errors only: no download progress bar or notes, and no path of "
        "the weights on stdout (--list still lists them)",
    )
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
        help="length of the synthetic recording in minutes (2)",
    )
    p.add_argument("--device", type=device_name, default=None, help=DEVICE_HELP)
    p.add_argument("--overwrite", action="store_true", help="replace an existing demo output")
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="warnings and errors only: no NOT PRETRAINED note (the figure and the embeddings' "
        "metadata still say so), no progress bar, loading notes or mapping report, and no "
        "list of the files written",
    )
    p.set_defaults(func=cmd_demo)
    describe_commands(sub)
    _debug_after_command(parser)
    add_log_file_options(parser)
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
       files again; run the same embed-dataset command to compare them), damaged shards
       (cut short; with --verify, any that cannot be read), a part missing or unfinished;
       an embeddings file of eegpt embed whose recording (its files, BIDS sidecars
       included) changed since it was embedded (CHANGED; not found where it was read:
       "cannot check", 0); a prediction table of eegpt probe predict said STALE (a CSV/TSV
       changed since its sidecar was written, or beside another table's sidecar;
       a Parquet table whose rows no longer match the digest of its data in its metadata)
       or FAILED (recordings given that could not be predicted: the table lacks them)
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
                          eegpt embed --weights PATH)
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
  padded         logical: windows zero-padded past the recording's end (embed --tail pad; any)
  flat_channels, clipped_channels
                 cellstr: the channels flat or clipped in each window, joined with ';' ('':
                 none); flagged: logical, windows with either; flags_recorded: logical,
                 windows whose flags were recorded (these four where the input recorded them)
  (manifest)     a run made from a manifest: its other columns (subject, annotations_file
                 ...), one variable per column, typed as (metadata) below; a name of
                 another variable gets a manifest_ prefix (label: manifest_label)
  (metadata)     the epochs' metadata, one variable per column (where present): cellstr,
                 or double (NaN: missing; logical: booleans, none missing; int64: integers
                 beyond 2^53, which doubles round, none missing; dates: ISO 8601 text in
                 one format per column, with the offset where zoned; durations: text,
                 and <name>_s their seconds, double); e.g. an EEGLAB
                 .set's eeglab_events and eeglab_latencies_ms (each epoch's events and
                 latencies, joined with ' | ');
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
A variable holds at most 2 GB: larger embeddings are refused (export them with --pool mean),
and so are embeddings whose write (which holds them twice more) would not fit in memory.

.csv: one row per window: recording, window (from 0), window_number (from 1), onset_s,
clock_s, clock_time (where present), label, the manifest's columns, the epochs' metadata
columns, annotations (each where present), bad, flat_channels, clipped_channels, flagged,
flags_recorded (where recorded, as in the .mat file), padded (where any), then the pooled
embedding (default --pool mean: eegpt_d0 ... eegpt_d511).
From R: read.csv("out.csv", check.names = FALSE) keeps names such as 'p_S  1' or
'age-years' as they are (R makes them p_S..1, age.years otherwise); or arrow::read_parquet
on the embeddings' .parquet file.

This writes embeddings. To serve the model itself (ONNX Runtime, C++), export it from
Python: docs/pytorch.md, "Exporting the model (ONNX, torch.export, TorchScript)"."""


def add_export_command(sub: Any) -> None:
    """``eegpt export INPUT -o OUT.mat|OUT.csv [--pool MODE]``."""
    from eegpt.pooling import POOLINGS

    p = sub.add_parser(
        "export",
        help="write embeddings (.npz, .parquet or an embed-dataset folder) as a MATLAB .mat "
        "file or a CSV table",
        epilog=EXPORT_EPILOG,
        formatter_class=LaidOutHelpFormatter,
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
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="warnings and errors only: no 'reading ...' note and no result line",
    )
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from eegpt.errors import OutputExistsError
    from eegpt.export import (
        EXPORT_FORMATS,
        check_mat_size_before_reading,
        describe_export,
        export_embeddings,
        export_pool,
        read_export_input,
        refuse_recording,
        require_export_dependencies,
    )
    from eegpt.output_files import check_output_folder

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
    if fmt == ".mat":  # a variable over 2 GB, from the sizes known before reading
        check_mat_size_before_reading(args.input, args.pool)
    if not args.quiet:
        print(f"reading {args.input} ...", file=sys.stderr)
    windows = read_export_input(args.input)
    pool = export_pool(fmt, args.pool, windows.embeddings.metadata.get("pool"))
    export_embeddings(windows, args.output, pooling=pool, overwrite=args.overwrite)
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
        "folder of embed-dataset --part run folders) without the recording's measurement date, its paths "
        "(a corpus run's rows name each file by its recording id, a single file by its name; "
        "the checkpoint by its file name) or the host and SLURM job ids of the runs. The "
        "embeddings, onsets, file names, recording ids, channels, model, checkpoint sha256, "
        "labels, the manifest's own columns, BIDS participants.tsv columns and the times runs "
        "started are kept: check those yourself. A probe folder (eegpt probe train's) is "
        "copied likewise: its probe.json without the command line, working folder, folders "
        "of the training files and checkpoint, or the files' modification times; its weights "
        "byte for byte; it loads and predicts as the original (give it the encoder: "
        "probe predict --weights). So are a probe's outputs, eegpt probe predict -o's table (a .csv/.tsv "
        "byte for byte with its sidecar anonymized, a .parquet's rows unchanged) and eegpt "
        "probe evaluate --json's file: only their provenance changes, so check the rows' file "
        "and clock_time columns yourself. See docs/publishing.md, 'Publishing embeddings'.",
    )
    p.add_argument(
        "input",
        type=Path,
        help="an embeddings file of eegpt embed (.npz/.parquet), an embed-dataset output "
        "folder (or a folder of embed-dataset --part run folders), a probe folder, a prediction table of "
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
        help="move the measurement date back by N days (1 or more) instead of removing it "
        "(as mne anonymize --daysback), keeping the order and spacing of recordings",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="warnings and errors only: no result line (nor its list of what to check before "
        "publishing)",
    )
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


def _export_hint(output: Path) -> str:
    """For an ``eegpt embed -o`` of a format ``eegpt export`` writes (.csv, .mat): how to get
    it from the embeddings; else nothing."""
    if output.suffix.lower() not in (".csv", ".mat"):
        return ""
    npz = output.with_suffix(".npz")
    return (
        f". For a {'CSV table' if output.suffix.lower() == '.csv' else 'MATLAB file'}: embed "
        f"to {npz}, then convert it: eegpt export {command_word(npz)} -o {command_word(output)}"
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
    takes every word up to the next option, so no recording was left (where --annotations, or
    a word argparse reads as it, ``--ann``, was given)."""
    error = parser.error

    def explained(message: str) -> NoReturn:
        words = getattr(parser, "_words", None)  # None: not known, hinted
        given = words is None or any(
            len(w.split("=", 1)[0]) > 2 and "--annotations".startswith(w.split("=", 1)[0])
            for w in words
        )
        if "recordings" in message and "required" in message and given:
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
    from eegpt.output_files import output_format

    if output == "-":  # not standard output: a folder of that name would be made
        raise ValueError(
            "--output -: eegpt embed writes .npz or .parquet files, named by their suffix, "
            "not standard output; e.g. -o embeddings.npz, or a folder: -o embeddings/"
        )
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


_same_file = same_file


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


def _being_replaced(outputs: list[Path], stale: dict[Path, int], quiet: bool) -> dict[Path, int]:
    """With --skip-existing, the outputs an interrupted ``--overwrite`` run was replacing when
    it stopped (its windows kept say so: :func:`eegpt._partial_embeddings.being_replaced`),
    each with its modification time (ns): replaced too, resumed from those windows, not kept
    as they are. Said on stdout unless ``quiet``."""
    from eegpt._partial_embeddings import being_replaced

    found = {}
    for out in outputs:
        mtime = None if out in stale else being_replaced(out)
        if mtime is not None:
            found[out] = mtime
    if found and not quiet:
        n = len(found)
        print(
            f"--skip-existing: {n} output{' was' if n == 1 else 's were'} being replaced by an "
            "interrupted --overwrite run: replacing "
            f"{'it' if n == 1 else 'them'} (from the windows kept, where they are of these "
            "settings): "
            f"{few([str(p) for p in found], 5)}"
        )
    return found


#: What an interrupt of ``eegpt embed`` says of the windows kept beside the output being
#: embedded (:func:`embed_interrupted`, :func:`embed_quit`): true whether or not the run had
#: judged them yet (a second Ctrl-C may come before or after: those of an earlier run of other
#: settings are removed then, this run's are its own).
_KEPT_CAVEAT = (
    "(windows kept by a run of other settings, weights or before the recording changed are "
    "not used: it is then embedded from its start)"
)


def embed_interrupted(args: argparse.Namespace) -> str:
    """What a Ctrl-C (or SIGTERM) of ``eegpt embed`` says once it stopped: the outputs present
    are complete (:data:`EMBED_INTERRUPTED`), and of the recording being embedded
    (``args.embedding_now``: its path and output), how many windows were kept beside its
    output for ``--skip-existing`` to resume from (:mod:`eegpt._partial_embeddings`), or that
    none was, so that it is embedded from its start. An ``--overwrite`` run is told to run
    with --skip-existing in place of --overwrite (:func:`_overwrite_advice`)."""
    from eegpt._partial_embeddings import kept_counts

    current = getattr(args, "embedding_now", None)
    overwrite = bool(getattr(args, "overwrite", False))
    if current is None:
        return _overwrite_advice(EMBED_INTERRUPTED) if overwrite else EMBED_INTERRUPTED
    rec, out = current
    kept = kept_counts(out)
    if kept is None or kept[0] <= 0:
        if overwrite and out.exists():  # the output it was replacing: --skip-existing keeps it
            return (
                f"eegpt: interrupted while embedding {rec}: no window of it was kept (windows "
                "are kept a block at a time, and none was done), and its output "
                f"{out} is still the one this run was replacing; the output files written so "
                "far are complete: run the same command again to replace them all, or with "
                "--skip-existing in place of --overwrite to embed only the recordings without "
                f"an output ({out} and the others this run had not replaced yet are then kept "
                "as they are)"
            )
        text = (
            f"eegpt: interrupted while embedding {rec}: no window of it was kept (windows are "
            "kept a block at a time, and none was done), so --skip-existing embeds it from its "
            "start; the output files written so far are complete: run the same command with "
            "--skip-existing to embed the rest"
        )
        return _overwrite_advice(text) if overwrite else text
    done, total = kept
    text = (
        f"eegpt: interrupted while embedding {rec}: {done} of its {total} windows are kept "
        f"beside {out} (hidden .eegpt-partial files) and the output files written so far "
        "are complete: run the same command with --skip-existing to resume it from window "
        f"{done} and embed the rest {_KEPT_CAVEAT}"
    )
    return _overwrite_advice(text) if overwrite else text


def embed_quit(args: argparse.Namespace) -> str:
    """What a second Ctrl-C of ``eegpt embed`` says as it quits at once (no clean-up runs): the
    outputs present are complete, and of the recording being embedded (``args.embedding_now``)
    how many windows the hidden partial record beside its output holds as it is now, which
    is what ``--skip-existing`` resumes from (windows embedded since are lost), or that none
    is kept. Read in the signal handler: a record the first Ctrl-C was writing is either
    replaced whole already or not, so what is said is what is left. While the recording is
    read and checked, before its windows are embedded, the record may still be one of an
    earlier run of other settings (removed once this run has checked it), which a resume
    does not take: said so, in words true after the check too (:data:`_KEPT_CAVEAT`)."""
    text = _quit_text(args)
    return _overwrite_advice(text) if getattr(args, "overwrite", False) else text


def _quit_text(args: argparse.Namespace) -> str:
    """:func:`embed_quit`'s text, before the advice of an ``--overwrite`` run."""
    from eegpt._partial_embeddings import kept_counts

    done_files = (
        "eegpt: quit at once; the output files written so far are complete (an unfinished one "
        "is left as a hidden .tmp file, removed when run again)"
    )
    current = getattr(args, "embedding_now", None)
    if current is None:
        return f"{done_files}: run the same command with --skip-existing to embed the rest"
    rec, out = current
    kept = kept_counts(out)
    if kept is None or kept[0] <= 0:
        none_kept = (
            f"{done_files}; no window of {rec} was recorded as kept (windows are recorded "
            "every 2 minutes and at a first Ctrl-C's stop)"
        )
        if getattr(args, "overwrite", False) and Path(out).exists():
            return (
                f"{none_kept}, and its earlier output {out} is still there: --skip-existing "
                "keeps it as it is, --overwrite embeds it again from its start"
            )
        return f"{none_kept}, so --skip-existing embeds it from its start and the rest after it"
    done, total = kept
    return (
        f"{done_files}; {done} of the {total} windows of {rec} were recorded as kept beside "
        f"{out} (hidden .eegpt-partial files; windows embedded after that record are lost): "
        f"run the same command with --skip-existing to resume it from window {done} and "
        f"embed the rest {_KEPT_CAVEAT}"
    )


def _overwrite_advice(text: str) -> str:
    """``text``, the advice of :func:`embed_interrupted`, for an ``--overwrite`` run: run again
    with --skip-existing in place of --overwrite (both together are refused), which replaces
    the output being replaced when stopped (:func:`_being_replaced`) but keeps the outputs this
    run had not reached yet as they are."""
    text = text.replace(
        "run the same command with --skip-existing",
        "run the same command with --skip-existing in place of --overwrite",
    )
    return (
        f"{text}; outputs this run had not replaced yet are then kept as they are "
        "(--overwrite replaces them all again)"
    )


def _full_disk(err: BaseException, code: int, out: Path, overwrite: bool = False) -> OSError:
    """The error that stops ``eegpt embed`` on a full disk (``code``: ``ENOSPC``, ``EDQUOT``
    for a quota, or ``EFBIG`` for a file-size limit), naming the output being written and how
    to go on (of an ``overwrite`` run: with --skip-existing in place of --overwrite)."""
    from eegpt.errors import OutputNotWritableError, out_of_room, room_advice

    text = (
        f"{out_of_room(code, out.parent, out, err)}: stopped; the output files written before "
        f"it are complete. {room_advice(code, 'choose another --output')} and run the same "
        "command with --skip-existing to embed the rest"
    )
    full = OutputNotWritableError(_overwrite_advice(text) if overwrite else text)
    full.errno = code
    return full


def cmd_embed(args: argparse.Namespace) -> int:
    from eegpt._file_identity import headers_read_once

    # each split FIF and .vhdr header read once: to list the recordings, then for provenance
    with headers_read_once():
        return _embed_command(args)


def _embed_command(args: argparse.Namespace) -> int:
    from eegpt._partial_embeddings import remove_partial
    from eegpt._tempfiles import remove_stale
    from eegpt.annotation_labels import patterns_warned_once
    from eegpt.api import embed_to_file
    from eegpt.checkpoints import load_model
    from eegpt.cli_options import no_weights_message
    from eegpt.engine import InferenceEngine, resolve_device
    from eegpt.errors import USER_ERRORS, OutputExistsError, disk_full
    from eegpt.optional_packages import require_output_dependencies
    from eegpt.output_files import check_output_folder
    from eegpt.preprocessing import starts_moved_once
    from eegpt.preprocessing_spec import on_a_sample, seconds_text
    from eegpt.rename_tables import unmatched_rename_warning

    if not args.weights:
        print(f"eegpt: error: {no_weights_message()}", file=sys.stderr)
        return 2
    check_recordings_given(args.recordings)
    check_inference_options(args)
    rename = parse_rename(args.rename, args.drop)
    states = marker_spans_option(args)
    stim = stim_setting(args)
    around = epochs_around_setting(args)
    given = list(args.recordings)  # every file read, split FIF continuations included
    args.recordings = recording_paths(args.recordings, args.quiet)
    starts = recording_starts(args.start, args.recordings)  # one per continuous recording?
    warn_marker_spans_of_epochs(args, args.recordings)
    warn_stim_events_of_epochs(args, args.recordings)
    refuse_unreadable_inputs(args.recordings)
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
        stale, read = stale_outputs(args.recordings, outputs)  # each output read once
        stale.update(_being_replaced(outputs, stale, args.quiet))  # by an --overwrite run
        todo = [k for k, out in enumerate(outputs) if not out.exists() or out in stale]
        todo_set = set(todo)
        kept = [k for k in range(n_all) if k not in todo_set]
        kept_meta = {outputs[k]: read.get(outputs[k]) for k in kept}  # None: not read
        for k in kept:  # windows kept by an interrupted run beside an output done since
            remove_partial(outputs[k])
        warn_names_read_otherwise([(outputs[k], kept_meta[outputs[k]], extra[k]) for k in kept])
        warn_other_settings(
            [
                (outputs[k], kept_meta[outputs[k]],
                 config.updated(start_seconds=starts[rec]) if rec in starts else config)
                for k in kept
                for rec in [args.recordings[k]]
            ],
            channels={"picks": picks_of(args), "rename": rename, "keep": args.keep_channels},
        )  # fmt: skip
        warn_other_annotation_settings(
            [(outputs[k], kept_meta[outputs[k]], args.recordings[k], extra[k]) for k in kept],
            states,
            args.reject_by_annotation,
            stim,
        )
        kept_model = [(outputs[k], kept_meta[outputs[k]]) for k in kept]
        warn_other_output_settings(kept_model, args.precision, args.stream_precision, args.pool)
        from eegpt.outputs_read import warn_older_resampler

        warn_older_resampler(kept_model)  # resampled by an earlier eegpt's resampler
        if not todo:
            warn_other_weights(kept_model, args.weights, None)
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
        warn_other_weights(kept_model, args.weights, model)
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
        # a loose --marker-spans pattern, a --start moved onto 256 Hz: said once
        with said, patterns_warned_once(set()), starts_moved_once(set()):
            for rec, out, annotations in zip(args.recordings, outputs, extra, strict=True):
                said.current = Path(rec)
                if args.skip_existing and written_since(out, stale):  # by another run
                    written_meanwhile(rec, out, meanwhile, args.quiet)
                    continue
                args.embedding_now = (rec, out)  # what an interrupt says (embed_interrupted)
                try:
                    written = embed_to_file(
                        model,
                        rec,
                        out,
                        overwrite=args.overwrite or out in stale,
                        resume=args.skip_existing,  # windows kept by an interrupted run
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
                        epochs_around=around,
                        engine=engine,
                        pooling=args.pool,
                        hash_inputs=args.hash_inputs,
                        progress=not args.quiet,
                        verbose=not args.quiet,
                    )
                except USER_ERRORS + (RuntimeError,) as err:
                    args.embedding_now = None
                    if args.skip_existing and isinstance(err, OutputExistsError):
                        written_meanwhile(rec, out, meanwhile, args.quiet)  # while we embedded
                        continue
                    debug_traceback(args, err)
                    full = disk_full(err)  # every later file would fail too: stop
                    if full is not None:
                        raise _full_disk(err, full, out, args.overwrite) from err
                    text = str(err)
                    where = "" if str(rec) in text or rec.name in text else f"{rec}: "
                    if several and isinstance(err, TooShortError):  # as embed-dataset: no failure
                        short.append(rec)
                        print(f"eegpt: skipped: {error_text(where + text)}", file=sys.stderr)
                        continue
                    failed.append((rec, err))
                    print(f"eegpt: error: {error_text(where + text)}", file=sys.stderr)
                    continue
                args.embedding_now = None
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
                    # where its windows start (17.30078125 for --start 17.3), as its onsets
                    at = on_a_sample(starts[rec], config.sfreq) if rec in starts else 0.0
                    since = f" from {seconds_text(at)} s" if rec in starts else ""
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


def _with_warnings(n: int) -> str:
    """The end-of-run note on recordings embedded with warnings: ``" (2 with warnings: see
    eegpt info FILE)"``, or nothing."""
    return f" ({n} with warnings: `eegpt info OUTPUT` lists them)" if n else ""


def _patch_stride(text: str) -> int | str:
    """``--patch-stride``: a positive whole number of samples, or ``none`` (the patch size, as
    braindecode's ``EEGPT(patch_stride=None)``)."""
    if text.strip().lower() == "none":
        return "none"
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a patch stride: give a positive whole number of samples (32, 64) "
            "or `none` (the patch size, 64, as braindecode's EEGPT(patch_stride=None))"
        )
    return value


def cmd_convert(args: argparse.Namespace) -> int:
    from eegpt.checkpoints import NOT_GIVEN, load_checkpoint, resolve_weights, save_checkpoint

    stride = args.patch_stride
    quiet = args.quiet
    ckpt = load_checkpoint(
        resolve_weights(args.source, progress=not quiet, verbose=not quiet),
        num_heads=args.num_heads,
        patch_stride=NOT_GIVEN if stride is None else None if stride == "none" else stride,
        n_times=args.n_times,
        verbose=False if quiet else None,
    )
    path = save_checkpoint(ckpt, args.destination, overwrite=args.overwrite)
    if quiet:
        return 0
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
    path = fetch_weights(
        args.name,
        cache_dir=args.cache_dir,
        sha256=args.sha256,
        force=args.force,
        progress=not args.quiet,
    )
    if not args.quiet:
        print(path)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from eegpt.demo import run_demo

    run_demo(
        args.output,
        minutes=args.minutes,
        device=args.device,
        overwrite=args.overwrite,
        verbose=not args.quiet,
    )
    return 0


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
