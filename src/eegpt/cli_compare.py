"""``eegpt compare A B``: whether two embeddings outputs hold the same embeddings
(:func:`eegpt.outputs_compare.compare_embeddings`), with the exit status of ``diff``: 0 the
same within tolerance, 1 not, 2 an error."""

from __future__ import annotations

import argparse
from typing import Any

from eegpt.outputs_compare import DEFAULT_ATOL, DEFAULT_RTOL, LOW_PRECISION_TOLERANCE

COMPARE_EPILOG = f"""\
A and B: an embeddings file of eegpt embed (.npz/.parquet), a folder of them, or an
embed-dataset output folder, in any pairing (a run folder against the files eegpt embed
wrote of the same recordings). Windows are matched by recording and onset, not by row
order; recordings by the end of their files' paths (their names, or as many folders above
them as tell two apart), so outputs moved to another machine still match.

tolerance: a value is the same when |a - b| <= atol + rtol * max|b|, max|b| the largest
magnitude of its window's embedding in B, the reference (relative to the embedding's scale:
values near zero do not make a rerun differ). The defaults ({DEFAULT_RTOL:g}) suit float32
reruns (another batch size, machine, GPU or torch); bfloat16/float16 embeddings need
--rtol {LOW_PRECISION_TOLERANCE:g} against float32 ones.

examples:
  eegpt compare before/sub-01.npz after/sub-01.npz
  eegpt compare emb-0.1/ emb-0.2/ --json > diff.json
  eegpt compare corpus_run/ per_file_outputs/ --rtol 2e-2    # bfloat16 against float32

exit status (as diff's, not the other commands'):
  0    the same: the same windows of the same recordings, every value within tolerance
  1    different: windows or recordings only in one, or values beyond the tolerance
  2    error: an output that cannot be read, outputs of other poolings or embedding
       shapes (refused: not comparable value by value), the command line not understood
  130  stopped by Ctrl-C (SIGINT); 143: by SIGTERM"""


def add_compare_command(sub: Any) -> None:
    """``eegpt compare A B [--rtol R] [--atol A] [--json] [-q]``."""
    from eegpt.cli_options import LaidOutHelpFormatter

    p = sub.add_parser(
        "compare",
        help="compare two embeddings outputs window by window (did a rerun give the same "
        "embeddings?)",
        epilog=COMPARE_EPILOG,
        formatter_class=LaidOutHelpFormatter,
    )
    p.add_argument("a", metavar="A", help="an embeddings output (file, folder or run folder)")
    p.add_argument(
        "b",
        metavar="B",
        help="the output to compare it with, the reference relative differences are taken to",
    )
    p.add_argument(
        "--rtol",
        type=_tolerance,
        default=DEFAULT_RTOL,
        metavar="R",
        help=f"relative tolerance, of each window's largest value (default {DEFAULT_RTOL:g}; "
        f"bfloat16/float16 against float32: {LOW_PRECISION_TOLERANCE:g})",
    )
    p.add_argument(
        "--atol",
        type=_tolerance,
        default=DEFAULT_ATOL,
        metavar="A",
        help=f"absolute tolerance (default {DEFAULT_ATOL:g})",
    )
    p.add_argument(
        "--recursive",
        action="store_true",
        help="read a folder of eegpt embed's outputs with its sub-folders' files at any depth "
        "(per-subject folders: out/sub-01/ses-1/rest.npz), as eegpt.read_embeddings(..., "
        "recursive=True)",
    )
    p.add_argument(
        "--allow-mixed",
        action="store_true",
        help="read a folder of eegpt embed's outputs not embedded alike (partly embedded again "
        "with other settings or weights), with a warning, instead of refusing it; the "
        "provenance shows each value with how many files record it",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (one line) instead of the text: rows and recordings only "
        "in one, the differences overall, per recording and of the worst windows, every "
        "provenance entry of both, same_rows and within_tolerance; same exit status",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar (drawn for outputs of over 20 recordings)",
    )
    # errors exit with 2, as diff's: 1 says "different" (cli_run._run_logged)
    p.set_defaults(func=cmd_compare, error_status=2)


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def cmd_compare(args: argparse.Namespace) -> int:
    from eegpt.outputs_compare import compare_embeddings

    result = compare_embeddings(
        args.a,
        args.b,
        rtol=args.rtol,
        atol=args.atol,
        recursive=args.recursive,
        allow_mixed=args.allow_mixed,
        progress=not args.quiet,
    )
    if args.json:
        from eegpt._json_out import print_json

        print_json(result.to_dict())
    else:
        print(result.report())
    return 0 if result.within_tolerance else 1
