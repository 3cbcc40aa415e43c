"""``eegpt channels``: each recording's channels as eegpt reads them (types, marked bad, stored
rates) and what ``--rename``, ``--drop`` and the EEGPT vocabulary make of them, with the nearest
electrodes of a cap table where a name matches none.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import textwrap
import warnings
from collections import Counter
from pathlib import Path
from typing import Any, cast

from eegpt._json_out import print_json
from eegpt._logging import (
    OncePerCorpus,
)
from eegpt._logging import count as _count
from eegpt.cli_inputs import folders_expanded, recording_paths
from eegpt.cli_options import (
    FIGURE_FORMATS,
    FIGURE_SUFFIXES,
    check_figure_path,
    check_new_output,
    given_once,
    given_paths,
    parse_rename,
    picks_of,
    save_figure_lazily,
)
from eegpt.cli_run import EXIT_SOME_FAILED, debug_traceback, error_text
from eegpt.errors import EEGPTWarning


def cmd_channels(args: argparse.Namespace) -> int:
    """Print each recording's channel mapping (and draw it with ``--plot``) without embedding."""
    from eegpt.channels import ChannelRules
    from eegpt.rename_tables import unmatched_rename_warning

    rename = parse_rename(args.rename, args.drop)
    expanded = folders_expanded(args.recordings)  # as embed cleans them (a later part shown)
    args.recordings, _ = given_once(recording_paths(expanded, splits=False))
    several = len(args.recordings) > 1
    figure = args.plot is not None and bool(args.plot.suffix)
    if args.plot is None:  # --dpi alone: a figure's, none drawn
        check_figure_path(None, dpi=args.dpi)
    picks = picks_of(args)
    listed = [picks] if isinstance(picks, str) else picks
    typed = (
        "picked by name"
        if _picked_by_name(picks)
        else "of any type"
        if "all" in listed
        else "typed " + " or ".join("EEG" if t == "eeg" else t for t in listed)
    )
    if figure and (several or args.plot.suffix.lower() not in FIGURE_SUFFIXES):
        raise ValueError(
            f"--plot {args.plot}: give a {FIGURE_FORMATS} file for one recording, else a folder"
        )
    if args.json and args.nearest is not None:
        raise ValueError(
            "--json does not go with --nearest (its table is text): write the table with "
            "--nearest --write-rename PATH, then run --json with --rename PATH"
        )
    if args.nearest is not None:
        _check_rename_output(args, expanded)
        rename = _nearest_table(args, rename)
    elif args.write_rename is not None:
        raise ValueError("--write-rename writes the table that --nearest makes: add --nearest")
    failed = 0
    mapping_args = {
        "rename": rename, "rules": ChannelRules(on_missing="ignore" if several else "raise"),
        "picks": picks, "keep": args.keep_channels,
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


def _picked_by_name(picks: str | list[str]) -> bool:
    """Whether ``--picks`` (:func:`eegpt.cli_options.picks_of`) names channels (``--picks Fp1
    --picks Cz``) rather than channel types or MNE's groups (``eeg``, ``misc``, ``all``)."""
    import mne

    from eegpt.channel_picks import MNE_PICK_GROUPS

    known = {*mne.io.get_channel_type_constants(), *MNE_PICK_GROUPS}
    listed = [picks] if isinstance(picks, str) else picks
    return any(pick not in known for pick in listed)


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


#: The files ``--write-rename`` may write: those ``--rename FILE`` reads as text tables.
RENAME_TABLE_SUFFIXES = (".tsv", ".csv", ".txt")


def _check_rename_output(args: argparse.Namespace, recordings: list[Path]) -> None:
    """Refuse, before any header is read, a ``--write-rename`` path that is not a text table
    (``.tsv``, ``.csv``, ``.txt``), that is one of the inputs (``recordings`` as given and
    found in folders, a ``--nearest`` montage file), or that exists without
    ``--overwrite`` (the table written before and edited by hand)."""
    if args.write_rename is None:
        return
    inputs = [*recordings, *given_paths(args, ("recordings",))]
    if args.nearest:
        inputs.append(Path(args.nearest))
    check_new_output(
        "--write-rename", args.write_rename, inputs, args.overwrite, RENAME_TABLE_SUFFIXES
    )


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
        write_rename_table(table, args.write_rename, overwrite=args.overwrite)
        path = shlex.quote(str(args.write_rename))
        if not args.quiet:
            print(f"wrote {args.write_rename}: review it, then pass it on: --rename {path}")
    if not drop:
        return table
    return RenameTable(
        {**table, **drop}, drop, table.source, table.distances_mm, table.call, table.net
    )


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
            with warnings.catch_warnings():  # picked by name here to show them: not used
                warnings.filterwarnings("ignore", message=".*but were picked by name")
                opened = _open_for_channels(path, {**mapping_args, "picks": err.names})
        except DuplicateChannelsError as err:  # show the mapping the advice leads to
            refused = err
            drop = rename_table(rename)  # a table stays one
            drop.update(dict.fromkeys(err.later))
            opened = _open_for_channels(path, {**mapping_args, "rename": drop})
    except NoChannelMappedError as err:  # list them all: what --rename starts from
        if args.json:
            print_json(_refused_record(path, err))
        else:
            bads = _marked_bad(path, picks_of(args))
            print(f"{path}: {_channels_typed(err.names, bads, typed)}, none named like an "
                  "EEGPT electrode:")  # fmt: skip
            shown = ", ".join(map(printable_name, err.names))
            print(textwrap.fill(shown, width=100, initial_indent="  ", subsequent_indent="  "))
        debug_traceback(args, err)
        print(f"eegpt: error: {error_text(err)}", file=sys.stderr)
        return 1
    except USER_ERRORS + (RuntimeError,) as err:
        if args.json:
            print_json(_refused_record(path, err))
        elif table := _labels_table(path):  # what the refusal is about: the file's labels
            print(table)
        debug_traceback(args, err)
        print(f"eegpt: error: {error_text(err)}", file=sys.stderr)
        return 1
    rec, mapping, info, size = opened
    if args.json:  # the channels read, for the --rename keys that matched none
        seen.update(dict.fromkeys([*mapping.input_names, *mapping.dropped, *mapping.not_kept]))
        return _print_channels_json(args, path, opened, refused, rename_table(rename))
    # every channel of the types picked, whatever --keep-channels keeps of them
    read = [*mapping.input_names, *mapping.dropped, *mapping.not_kept]
    bads = bads_of_picks(info, picks_of(args))
    stored = _stored_rates(rec, read, path)
    print(f"{path}: {_channels_typed(read, bads, typed)} at {rec.sfreq:g} Hz{stored}, {size}")
    table = mapping.summary()
    again = said.seen_table(table)  # a folder of one montage: its table once
    print(table if again is None else f"  {again}")
    if isinstance(refused, DuplicateChannelsError):
        print(f"  (shown with {', '.join(refused.later)} dropped, as the error below advises)")
    picked = set(read)  # the others are what the type pick left out (the table lists these)
    seen.update(dict.fromkeys(picked))
    types = info.get_channel_types()
    other = [
        f"{n} ({'bad' if n in info['bads'] else t})"
        for n, t in zip(info.ch_names, types, strict=True)
        if n not in picked
    ]
    if other:
        what = "not picked" if typed == "picked by name" else "not EEG by type or marked bad"
        print(f"  {what}, not used: " + ", ".join(other))
    if args.plot is not None:
        out = args.plot if args.plot.suffix else args.plot / f"{path.stem}_channels.png"
        # the channels not read, bad or of another type, as embeddings record them
        # (metadata["left_out"]): the figure counts them as emb.plot_channels() does
        left_out = mapping.left_out_with(getattr(rec, "left_out", None))
        fig = mapping.plot(source=str(path), bads=info["bads"], left_out=left_out)
        save_figure_lazily(fig, out, args.dpi)
        if not args.quiet:
            print(f"drew {out}")
    if refused is not None:
        debug_traceback(args, refused)
        print(f"eegpt: error: {error_text(refused)}", file=sys.stderr)
        return 1
    return 0


def _channels_typed(names: list[str], bads: list[str], typed: str) -> str:
    """``"61 channels typed EEG (2 marked bad)"``: the channels of the types picked (``typed``
    says which), those read (``names``) and those marked bad (``bads``), each counted once;
    ``"3 channels picked by name (1 marked bad, used as named)"`` where ``--picks`` named
    them (a bad channel named is used)."""
    every = dict.fromkeys([*names, *bads])
    used = ", used as named" if typed == "picked by name" else ""
    marked = f" ({len(bads)} marked bad{used})" if bads else ""
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
    """A file's MNE Raw (its header only) or Epochs (of an epochs file, an epoched EEGLAB
    ``.set`` or an ``.npz`` of epochs arrays: its rows typed EEG), read without warnings
    (they are given when the file is read to be shown)."""
    import mne

    from eegpt._logging import ignored_warnings
    from eegpt.io import is_npz, may_hold_epochs, read_epochs_file, read_npz_epochs, read_recording

    with ignored_warnings():
        if is_npz(path):
            rec = read_npz_epochs(path, "error")
            info = mne.create_info(rec.ch_names, rec.sfreq, "eeg")
            return mne.EpochsArray(rec.data, info, verbose="error")
        if may_hold_epochs(path):
            return read_epochs_file(path, "error")
        return read_recording(path, preload=False, verbose="error")


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
        # an Epochs: one recording; the bad channels --keep-channels/--drop leave out: logged
        keep, rename = mapping_args.get("keep"), mapping_args.get("rename")
        rec = cast(Recording, as_recording(epochs, picks=picks, keep=keep, rename=rename))
        info = epochs.info
    mapping = map_recording_channels(rec.ch_names, str(path), left_out=rec.left_out, **mapping_args)
    return rec, mapping, info, f"{rec.data.shape[0]} epochs of {rec.duration:g} s"


def _length_text(seconds: float) -> str:
    """``"12.5 s"``, ``"20.0 min"``, ``"24.00 h"``: a recording's length as `eegpt channels`
    says it."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min" if seconds < 3600 else f"{seconds / 3600:.2f} h"


def _header_channels(path: Path) -> tuple[list[dict[str, Any]], float | None, dict[str, Any]]:
    """A file's channels as its header gives them, none mapped: ``[{"label", "type", "bad"}]``,
    its sampling rate (Hz) and length (:func:`_duration_fields`: of an epochs file, all its
    epochs, their number and the length of one); ``([], None, {"duration_s": None})`` where
    the header cannot be read."""
    try:
        inst = _read_quietly(path)
    except (ValueError, OSError, RuntimeError):
        return [], None, {"duration_s": None}
    info = inst.info
    rows = [
        {"label": name, "type": kind, "bad": name in info["bads"]}
        for name, kind in zip(info.ch_names, inst.get_channel_types(), strict=True)
    ]
    sfreq = float(info["sfreq"])
    n_times = getattr(inst, "n_times", None)
    if n_times is not None:  # a Raw
        return rows, sfreq, _duration_fields(n_times, sfreq, None)
    return rows, sfreq, _duration_fields(len(inst.times), sfreq, len(inst))  # an Epochs


def _labels_table(path: Path) -> str:
    """What `eegpt channels` shows of a file it refuses to map: its channels' labels, types
    and those marked bad, one row each, read from its header alone; ``""`` where the header
    cannot be read (the error says why)."""
    from eegpt.vocabulary import display_width, padded, printable_name

    rows, sfreq, length = _header_channels(path)
    if not rows:
        return ""
    size = (
        f"{length['n_epochs']} epochs of {length['epoch_s']:g} s"
        if "n_epochs" in length
        else _length_text(length["duration_s"] or 0.0)
    )
    labels = [printable_name(row["label"]) for row in rows]
    width = max(display_width(label) for label in [*labels, "label"])
    copies = _numbered_copies([row["label"] for row in rows])
    if copies:  # what MNE made of labels stored twice: not as stored
        base, names = next(iter(copies.items()))
        shown = printable_name(base) + " -> " + ", ".join(map(printable_name, names))
        said = f"their labels as read (MNE numbers labels stored twice apart: {shown})"
    else:
        said = "their labels as stored"
    lines = [
        f"{path}: {_count(len(rows), 'channel')} at {sfreq:g} Hz, {size}"
        f" ({said}, not mapped: the error below says why)",
        f"  {padded('label', width)}  type",
    ]
    lines += [
        f"  {padded(label, width)}  {row['type']}" + ("  (marked bad)" if row["bad"] else "")
        for label, row in zip(labels, rows, strict=True)
    ]
    return "\n".join(lines)


def _numbered_copies(labels: list[str]) -> dict[str, list[str]]:
    """The labels MNE numbered apart because the file stores them more than once (``C3`` ->
    ``C3-0``, ``C3-1``): ``{stored label: [labels as read]}``, for those of two or more
    ``LABEL-N`` whose ``LABEL`` is no label read itself."""
    groups: dict[str, list[str]] = {}
    for label in labels:
        match = re.fullmatch(r"(.+)-(\d+)", label)
        if match:
            groups.setdefault(match[1], []).append(label)
    return {base: names for base, names in groups.items() if len(names) > 1 and base not in labels}


def _refused_record(path: Path, err: BaseException) -> dict[str, Any]:
    """`eegpt channels --json`'s object for a file it refuses (or cannot read): the error, and
    the channels as far as the header gives them (label, type, bad; none mapped)."""
    rows, sfreq, length = _header_channels(path)
    return {
        "path": path,
        "error": error_text(err),
        "sfreq": sfreq,
        **length,
        "channels": rows,
        "mapping": {},
        "unmapped": [row["label"] for row in rows],
    }


def _print_channels_json(
    args: argparse.Namespace,
    path: Path,
    opened: tuple[Any, Any, Any, str],
    refused: BaseException | None,
    rename: dict[str, str | None],
) -> int:
    """Print `eegpt channels --json`'s object for one recording (:func:`_channels_record`;
    ``rename``: the table given, ``--drop`` included), draw its ``--plot``; 1 where it was
    refused (the object's ``error``), else 0."""
    rec, mapping, info, _ = opened
    copies = set(getattr(refused, "later", None) or ())  # DuplicateChannelsError's, shown dropped
    named = _picked_by_name(picks_of(args))
    record = _channels_record(path, rec, mapping, info, rename, copies, named)
    if refused is not None:
        record["error"] = error_text(refused)
    if args.plot is not None:
        out = args.plot if args.plot.suffix else args.plot / f"{path.stem}_channels.png"
        left_out = mapping.left_out_with(getattr(rec, "left_out", None))
        fig = mapping.plot(source=str(path), bads=info["bads"], left_out=left_out)
        save_figure_lazily(fig, out, args.dpi)
        record["figure"] = out
    print_json(record)
    if refused is not None:
        debug_traceback(args, refused)
        print(f"eegpt: error: {error_text(refused)}", file=sys.stderr)
        return 1
    return 0


def _channels_record(
    path: Path,
    rec: Any,
    mapping: Any,
    info: Any,
    rename: dict[str, str | None],
    copies: set[str],
    named: bool = False,
) -> dict[str, Any]:
    """`eegpt channels --json`'s object for one recording: per channel of the file (in its
    order) its label, type, whether marked bad, its vocabulary name and embedding row where
    mapped, else ``status`` and ``reason`` (of a channel dropped, why it has no vocabulary
    name: :func:`eegpt.channels.dropped_reason`); the mapping label -> name, the labels not
    mapped, the sampling rate (Hz) and duration (s). ``copies``: labels stored twice whose
    later copies were dropped to show the mapping of a file refused for them; ``named``:
    ``--picks`` named channels rather than types (the others were not picked)."""
    from eegpt.channels import dropped_reason

    mapped = dict(zip(mapping.input_names, zip(mapping.names, mapping.chan_ids, strict=True),
                      strict=True))  # fmt: skip
    dropped, not_kept = set(mapping.dropped), set(mapping.not_kept)
    rows = []
    for label, kind in zip(info.ch_names, info.get_channel_types(), strict=True):
        row: dict[str, Any] = {"label": label, "type": kind, "bad": label in info["bads"]}
        if label in mapped:
            row.update(status="mapped", name=mapped[label][0], row=mapped[label][1])
        elif label in dropped:
            why = (
                "a later copy of a label stored twice (see error)"
                if label in copies
                else "left out by --drop/--rename"
                if label in rename and rename[label] is None
                else dropped_reason(label, info.ch_names, rename.get(label))
            )
            row.update(status="dropped", name=None, reason=why)
        elif label in not_kept:
            row.update(status="not kept", name=None, reason="outside --keep-channels")
        else:
            why = (
                "not picked by name (--picks)"
                if named
                else "marked bad"
                if row["bad"]
                else f"type {kind}, not picked (--picks)"
            )
            row.update(status="not read", name=None, reason=why)
        rows.append(row)
    # a stream (continuous, read through its header) has no is_epoched; a Recording of
    # epochs has n_times too: the samples of one epoch
    epoched = bool(getattr(rec, "is_epoched", False))
    n_epochs = int(rec.data.shape[0]) if epoched else None
    record: dict[str, Any] = {
        "path": path,
        "error": None,
        "sfreq": float(rec.sfreq),
        **_duration_fields(rec.n_times, float(rec.sfreq), n_epochs),
        "channels": rows,
        "mapping": {label: name for label, (name, _) in mapped.items()},
        "unmapped": [row["label"] for row in rows if row["status"] != "mapped"],
        "referential": dict(mapping.referential),
    }
    return record


def _duration_fields(n_times: int, sfreq: float, n_epochs: int | None) -> dict[str, Any]:
    """`eegpt channels --json`'s length of a recording: ``{"duration_s": seconds}`` of a
    continuous one (``n_times`` samples at ``sfreq`` Hz); of ``n_epochs`` epochs of ``n_times``
    samples each, ``duration_s`` of all the epochs together, ``n_epochs`` and ``epoch_s`` (the
    seconds of one epoch)."""
    if n_epochs is None:
        return {"duration_s": n_times / sfreq}
    return {
        "duration_s": n_epochs * n_times / sfreq,
        "n_epochs": n_epochs,
        "epoch_s": n_times / sfreq,
    }
