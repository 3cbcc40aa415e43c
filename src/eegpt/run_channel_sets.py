"""The channel sets the recordings of corpus runs (each folder's
:data:`~eegpt.dataset_folders.FILES_REPORT`) or per-recording outputs were embedded with, and
what to say when those read together differ (:func:`channel_sets_text`,
:func:`channel_sets_advice`): their embeddings are not directly comparable. (Not the named
electrode sets of :data:`eegpt.vocabulary.CHANNEL_SETS`.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from eegpt._logging import count as _count
from eegpt._logging import few
from eegpt._logging import warn as _warn
from eegpt.dataset_folders import FILES_REPORT, files_report_rows


def _channel_sets_of(folders: Sequence[Path]) -> dict[tuple[int, str], tuple[str, ...]]:
    """Each embedded recording's channels (vocabulary names, sorted), by (the folder's index
    in ``folders``, recording id), as the folders' :data:`FILES_REPORT` lists them: runs of the
    same files in two folders (``eegpt info`` of a folder of runs) count once each, not the
    later run for both. The recordings of a folder without a readable one are absent."""
    sets: dict[tuple[int, str], tuple[str, ...]] = {}
    for index, folder in enumerate(folders):
        try:  # (read once per call: files_report_rows)
            for row in files_report_rows(folder) or []:
                if row.get("status") == "ok" and row.get("channels"):
                    sets[index, row["recording_id"]] = tuple(sorted(row["channels"].split(" | ")))
        except KeyError:  # a report without recording ids
            continue
    return sets


def keep_of_runs(specs: Iterable[Mapping[str, Any]]) -> bool | None:
    """Whether the runs of ``specs`` (their ``channels.keep``) restricted the channels to one
    set (``--keep-channels``): True or False where all did alike, None where some did and
    some did not (for :func:`channel_sets_advice`)."""
    keeps = {bool((spec.get("channels") or {}).get("keep")) for spec in specs}
    return None if len(keeps) > 1 else bool(keeps and keeps.pop())


def channel_sets_advice(
    keep: bool | None, sets: Sequence[tuple[Sequence[str], Sequence[str]]] = ()
) -> str:
    """Why files embedded together may use different channel sets, and what to do: without
    ``keep`` (``--keep-channels``), a rename that missed a file's spelling, and the option
    (:func:`_keep_advice`: which files it would still leave apart, by ``sets``, the channel
    sets with their files or recording ids); with it, the channels to keep that a file left
    out or lacks (the option is in use); ``None`` (runs with and without it,
    :func:`keep_of_runs`): both, each for its runs."""
    if keep is None:
        without, kept = channel_sets_advice(False, sets), channel_sets_advice(True)
        return (
            "The runs differ in --keep-channels. Of those without it: "
            f"{without[0].lower()}{without[1:]}. Of those with it: {kept[0].lower()}{kept[1:]}"
        )
    if not keep:
        return f"A --rename that missed a file's spelling? {_keep_advice(sets)}"
    return (
        "The channels to keep were one set (--keep-channels, keep=): a file uses fewer where "
        "some of them are marked bad (info['bads'], the manifest's bads column, a BIDS "
        "channels.tsv), dropped (--drop), or absent from it; each file's warnings (column "
        f"'warnings' of {FILES_REPORT}) say which"
    )


def _keep_advice(sets: Sequence[tuple[Sequence[str], Sequence[str]]]) -> str:
    """``--keep-channels 10-20`` as the way to give every file the same set, where it does;
    where some files (of ``sets``: channel sets of vocabulary names, each with its files or
    recording ids) lack some of its electrodes, which cannot be added, it would leave them
    apart from the others: those are named, with the channels all files have (a
    ``--keep-channels NAMES`` that does give every file the same set), if any."""
    from eegpt.vocabulary import CHANNEL_INDEX, CHANNEL_SETS

    option = "--keep-channels 10-20 (or NAMES; keep= in Python)"
    ten_twenty = set(CHANNEL_SETS["10-20"])
    if not sets:
        return (
            f"To give every file the same set: {option}; a file lacking some of those "
            "electrodes still uses fewer (missing electrodes cannot be added)"
        )
    kept: dict[frozenset[str], list[str]] = {}  # each file's set under --keep-channels 10-20
    for names, files in sets:
        kept.setdefault(frozenset(ten_twenty & set(names)), []).extend(files)
    if len(kept) < 2:
        return f"To give every file the same set: {option}"
    most = max(kept, key=lambda names: len(kept[names]))
    apart = [file for names, files in kept.items() if names != most for file in files]
    lacking = all(names < most for names in kept if names != most)
    which = "lacking some" if lacking else "with other ones"
    text = (
        f"{option} gives every file the same set except {_count(len(apart), 'file')} {which} "
        "of its 19 electrodes, which would still differ (missing electrodes cannot be "
        f"added): {few(apart, 3)}"
    )
    common = set.intersection(*(set(names) for names, _ in sets))
    if common:
        names = ",".join(sorted(common, key=lambda name: CHANNEL_INDEX.get(name, 999)))
        return (
            f"{text}; the {_count(len(common), 'channel')} every file has (--keep-channels {names})"
        )
    return f"{text}; no channel is in every file: leave those files out"


def channel_set_apart(names: Sequence[str], most: set[str]) -> str:
    """What sets the channel set ``names`` apart from the most common set ``most``:
    ``"without T7, with X1"``."""
    without, extra = sorted(most - set(names)), sorted(set(names) - most)
    return ", ".join(
        [
            *([f"without {few(without, 8)}"] if without else []),
            *([f"with {few(extra, 8)}"] if extra else []),
        ]  # fmt: skip
    )


def _warn_channel_sets(folders: Sequence[Path], ids: set[str] | None, keep: bool) -> None:
    """Warn once when the recordings read (``ids``; None: all of the folders') were embedded
    with different channel sets, naming each set and how many recordings have it: their
    embeddings are not directly comparable. ``keep``: the runs restricted the channels to one
    set (``channels.keep``), so the advice is about files that used fewer of them."""
    _warn_differing_channel_sets(_channel_sets_of(folders), ids, keep)


def _warn_differing_channel_sets(
    sets: Mapping[Any, tuple[str, ...]], ids: set[str] | None, keep: bool
) -> None:
    """:func:`_warn_channel_sets` of the channel sets ``sets`` (each recording's, sorted, by
    recording id or by (folder, recording id))."""
    listed = channel_sets_text(sets, ids)
    if listed:
        _warn(
            f"read_embeddings: the recordings read were embedded with {listed}. "
            + channel_sets_advice(keep, grouped_channel_sets(sets, ids))
            + "."
        )


def grouped_channel_sets(
    sets: Mapping[Any, tuple[str, ...]], ids: set[str] | None = None
) -> list[tuple[tuple[str, ...], list[str]]]:
    """The channel sets of the recordings ``ids`` (None: all) of ``sets`` (each recording's
    channels, sorted, by recording id, or by (folder, recording id): :func:`_channel_sets_of`),
    each with its recording ids, most recordings first (for :func:`channel_sets_advice`)."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for key, names in sets.items():
        recording_id = key[-1] if isinstance(key, tuple) else key
        if ids is None or recording_id in ids:
            grouped.setdefault(names, []).append(recording_id)
    return sorted(grouped.items(), key=lambda item: -len(item[1]))


def channel_sets_text(sets: Mapping[Any, tuple[str, ...]], ids: set[str] | None = None) -> str:
    """``"2 different channel sets: 9 recordings with 28 channels (C3, ...); 7 recordings with
    19 channels (without CP1, ...). Embeddings of different channel sets are not directly
    comparable (...)"``: the channel sets of the recordings ``ids`` (None: all) of ``sets``
    (each recording's channels, sorted, by recording id, or by (folder, recording id):
    :func:`_channel_sets_of`), most recordings first, each after the first by what sets it
    apart from it; "" for one set."""
    ranked = [(names, len(ids)) for names, ids in grouped_channel_sets(sets, ids)]
    if len(ranked) < 2:
        return ""
    most = set(ranked[0][0])  # the others said by what sets them apart from it
    listed = "; ".join(
        f"{_count(n, 'recording')} with {_count(len(names), 'channel')} ("
        + (few(list(names), 6) if k == 0 else channel_set_apart(names, most))
        + ")"
        for k, (names, n) in enumerate(ranked[:4])
    ) + (f"; and {len(ranked) - 4} more sets" if len(ranked) > 4 else "")
    return (
        f"{len(ranked)} different channel sets: {listed}. Embeddings of different channel sets "
        "are not directly comparable (the model sees other electrodes, and the average "
        "reference runs over other ones)"
    )
