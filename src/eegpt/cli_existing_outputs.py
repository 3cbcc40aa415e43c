"""``eegpt embed``'s checks of the outputs already there: with ``--skip-existing``, outputs kept
that were written with other settings, channels, annotations or weights (warned of), and stale
ones (their recording changed since, or unreadable) that are embedded again.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eegpt._logging import count as _count
from eegpt._logging import (
    few,
    terminal_text,
)
from eegpt.errors import EEGPTWarning


def warn_names_read_otherwise(kept: list[tuple[Path, Mapping[str, Any] | None, Any]]) -> None:
    """With --skip-existing, warn of the outputs kept (with their metadata and the annotations
    file given for each, if any) whose annotations table an earlier eegpt read its events' names from
    another column than this one does (:func:`eegpt.annotations.names_read_otherwise`: each
    event called 'event' before eegpt looked beyond trial_type, description and value, or a
    trial_type all n/a read before a filled column was): kept, they and the outputs embedded
    now name the same events otherwise."""
    from eegpt.annotation_files import names_read_otherwise, read_otherwise_text

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
    :mod:`eegpt.api` records only for epochs: ``epoch_onsets`` (how their onsets count),
    their ``labels`` (MNE epochs' event names),
    ``window_index`` (epochs dropped; a continuous recording's windows left out by
    ``--reject-by-annotation`` record it too, with ``rejected_by_annotation``),
    ``epochs_metadata``, ``padded_epochs`` (epochs shorter than the window) or an
    ``epochs_baseline`` interval (continuous recordings record None)."""
    dropped = meta.get("window_index") is not None and "rejected_by_annotation" not in meta
    return (
        dropped
        or any(meta.get(key) is not None for key in ("labels", "epochs_metadata", "epoch_onsets"))
        or bool(meta.get("padded_epochs"))
        or isinstance(meta.get("epochs_baseline"), (list, tuple))
    )


def warn_other_settings(
    kept: list[tuple[Path, Mapping[str, Any] | None, Any]],
    *,
    channels: Mapping[str, Any] | None = None,
) -> None:
    """With --skip-existing, warn of the outputs kept (each with its metadata and the
    preprocessing this command would embed its recording with) that were embedded with other
    preprocessing settings (their ``metadata["preprocessing"]``, compared as a resumed corpus
    run's settings are: :func:`eegpt.run_specs.spec_differences`) or, given ``channels``
    (this command's ``picks``, ``rename`` and ``keep``, as :func:`eegpt.api.embed` takes
    them), another channel selection (:func:`_channel_differences`): one warning, each
    output with all its settings that differ. Kept as they are, not embedded again, their
    windows differ from those of the outputs embedded now; ``--overwrite`` replaces them.
    ``overlap`` and ``start_seconds``, which do not apply to epochs (recorded 0 for them), are
    not compared for outputs of epochs."""
    from eegpt.run_specs import spec_differences

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


def warn_other_annotation_settings(
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
    from eegpt.annotation_files import same_file
    from eegpt.annotation_overlap import bad_windows

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
    same recording, as :func:`spec_differences <eegpt.run_specs.spec_differences>` entries
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
    from eegpt.api import picks_record
    from eegpt.channels import map_channels

    recorded_picks, picks = meta.get("picks"), picks_record(channels.get("picks", "eeg"))
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


def warn_other_output_settings(
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


def warn_other_weights(
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
    from eegpt.api import checkpoint_record

    now = _recorded_weights(checkpoint_record(model))
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


def stale_outputs(
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
    from eegpt.embeddings_loading import _load_outline

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
    """Why ``out`` is no output eegpt can read (:func:`stale_outputs`): what reading it said
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


def written_since(out: Path, stale: dict[Path, int]) -> bool:
    """With --skip-existing, whether ``out`` was written after the run's start by another run
    over the same recordings: it exists, and a stale one (:func:`stale_outputs`) changed
    since it was found so."""
    try:
        mtime = out.stat().st_mtime_ns
    except OSError:
        return False
    return out not in stale or mtime != stale[out]


def written_meanwhile(rec: Path, out: Path, meanwhile: list[Path], quiet: bool) -> None:
    """With --skip-existing, ``out`` appeared after the run's start (another run over the same
    recordings wrote it): skipped, not failed, and said unless ``quiet``."""
    meanwhile.append(rec)
    if not quiet:
        print(
            terminal_text(f"{rec}: skipped, {out} written meanwhile by another process"),
            file=sys.stderr,
        )
