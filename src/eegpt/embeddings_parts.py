"""Parts of one recording's :class:`~eegpt.outputs.Embeddings`: the per-window metadata of a
selection of windows (``emb[key]``: :func:`select_window_metadata`) and of parts joined
(:meth:`~eegpt.outputs.Embeddings.concatenate`: the checks that they are of one recording
embedded alike, with one time base, and their window indices, onsets and ``epochs_metadata``
rows joined)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from eegpt._output_texts import INPUT_KEY, STREAM_ID_KEY
from eegpt._recording_provenance import EPOCH_ONSETS_KEY
from eegpt._window_flags import FLAG_KEYS
from eegpt.clock_times import _TIME_BASE

if TYPE_CHECKING:
    from eegpt.outputs import Embeddings

__all__ = ["select_window_metadata"]


def select_window_metadata(metadata: dict[str, Any], rows: Any, n: int) -> dict[str, Any]:
    """``metadata`` of ``n`` windows for the windows ``rows`` (indices): the per-window entries
    (``labels``, ``annotations``, ``epochs_metadata`` rows) follow, and ``window_index`` keeps
    each window's index among all windows of the recording.

    The result is a deep copy: nothing in it (the ``channels`` mapping, the per-window lists
    ...) is shared with ``metadata``, so changing one leaves the other as it was. Metadata is
    small (JSON-serialisable provenance, a few entries per window), so the copy costs little
    beside the embeddings themselves."""
    meta = dict(metadata)
    meta["window_index"] = np.asarray(meta.get("window_index", np.arange(n)))[rows].tolist()
    for name in ("labels", "annotations", *FLAG_KEYS):
        if meta.get(name) is not None:
            meta[name] = [meta[name][i] for i in rows]
    table = meta.get("epochs_metadata")
    if table is not None:
        table = dict(table, data=[table["data"][i] for i in rows])
        if "index" in table:
            table["index"] = [table["index"][i] for i in rows]
        meta["epochs_metadata"] = table
    return copy.deepcopy(meta)


def _embeddings_parts(parts: Any) -> list[Embeddings]:
    """``parts`` of :meth:`eegpt.outputs.Embeddings.concatenate` as a list, refused with a TypeError where
    it is one Embeddings (iterating it gives its own windows) or holds anything else."""
    from eegpt.outputs import Embeddings  # (it imports this module)

    usage = "call Embeddings.concatenate([a, b]) with a list of the parts, in order"
    if isinstance(parts, Embeddings):
        raise TypeError(
            "concatenate got one Embeddings, not a sequence of them: a.concatenate(b) would "
            f"give b's windows alone (it is a class method, a is not a part); {usage}"
        )
    if isinstance(parts, (str, bytes)) or not isinstance(parts, Iterable):
        raise TypeError(
            f"concatenate needs a sequence of Embeddings, got {type(parts).__name__}; {usage}"
        )
    parts = list(parts)
    others = [
        f"part {k} is {type(p).__name__}"
        for k, p in enumerate(parts)
        if not isinstance(p, Embeddings)
    ]
    if others:
        raise TypeError(f"concatenate joins Embeddings only: {', '.join(others[:3])}; {usage}")
    return parts


def _same_checkpoint(a: Any, b: Any) -> bool:
    """Whether two checkpoint records (``metadata["checkpoint"]``) are equal, ``weights_sha256``
    aside where one lacks it (embeddings of weights as loaded record it since it is compared by
    probes; those written before do not)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if ("weights_sha256" in a) != ("weights_sha256" in b):
            a, b = (
                {k: v for k, v in a.items() if k != "weights_sha256"},
                {k: v for k, v in b.items() if k != "weights_sha256"},
            )
    return bool(a == b)


def _same_preprocessing(a: Any, b: Any) -> bool:
    """Whether two stored preprocessing records (``metadata["preprocessing"]``) mean the same
    settings: a field one lacks (``detrend``, recorded always only since it was added) takes
    the value a stored record means by its absence, as a resumed corpus run's settings are
    compared (:func:`eegpt.dataset_read.spec_differences`)."""
    if not (isinstance(a, Mapping) and isinstance(b, Mapping)):
        return a == b
    from eegpt.run_specs import spec_differences  # lazy as before (no cycle now)

    return not spec_differences(a, b, "preprocessing.")


def _check_same_time_base(first: dict[str, Any], part: dict[str, Any], k: int) -> None:
    """Raise if part ``k``'s onsets (s) count from another start than part 0's: the
    ``_TIME_BASE`` entries both record differ (another recording, or another crop of one
    file). An entry one part lacks (written before it was recorded) is not compared."""
    differ = [
        f"{key} {part[key]!r} (part 0: {first[key]!r})"
        for key in _TIME_BASE
        if key in first and key in part and part[key] != first[key]
    ]
    if differ:
        raise ValueError(
            f"part {k} has another time base than part 0: {', '.join(differ)}. Its onsets "
            "count from another start (another recording, or another crop of one file), so "
            "joined they would give wrong clock times. Embed the whole recording once and "
            "select its windows (emb[mask]), or keep the parts apart: save each and read them "
            "as one table with eegpt.read_embeddings(files)"
        )


def _numbered_on(metadata: Mapping[str, Any]) -> bool:
    """Whether an output that records no ``window_index`` is a batch of windows given in
    memory (an array, or epochs numbered end to end): not of one recording's file, so its
    windows are other windows than those of the parts before it, numbered on from them."""
    record = metadata.get(INPUT_KEY)
    in_memory = isinstance(record, Mapping) and bool(record.get("in_memory"))
    return in_memory or metadata.get(EPOCH_ONSETS_KEY) == "end_to_end"


def _part_window_index(part: Embeddings, offset: int) -> list[int]:
    """A part's ``window_index``: its own; where it records none, ``offset .. offset+n-1``
    for a batch given in memory (:func:`_numbered_on`, ``offset`` the rows of the parts
    before it), else ``0 .. n-1`` (a freshly embedded recording)."""
    if "window_index" in part.metadata:
        return [int(i) for i in part.metadata["window_index"]]
    start = offset if _numbered_on(part.metadata) else 0
    return list(range(start, start + len(part)))


def _joined_window_index(parts: Sequence[Embeddings]) -> list[int]:
    """The ``window_index`` of the parts joined (:func:`_part_window_index`: batches of an
    array numbered on, as embedded at once); raises if a window is in two parts (it would be
    a row twice)."""
    index: list[int] = []
    seen: dict[int, int] = {}
    for k, part in enumerate(parts):
        own = _part_window_index(part, len(index))
        twice = sorted({i for i in own if i in seen})
        if twice:
            _refuse_streams_apart(part, parts[seen[twice[0]]], k, seen[twice[0]])
            shown = ", ".join(str(i) for i in twice[:5]) + (" ..." if len(twice) > 5 else "")
            raise ValueError(
                f"part {k} holds windows that part {seen[twice[0]]} holds too (window_index "
                f"{shown}): joined, those windows would be rows twice. Join disjoint "
                "selections (emb[:5], emb[5:]), or select the windows once (emb[mask])"
            )
        seen.update(dict.fromkeys(own, k))
        index += own
    return index


def _refuse_streams_apart(part: Embeddings, other: Embeddings, k: int, j: int) -> None:
    """Raise where parts ``k`` and ``j``, which hold windows of the same indices, come from
    different streams of an :class:`eegpt.OnlineEmbedder` (their ``stream_id`` differs: a
    ``reset()`` between them, or another embedder): each stream counts its windows and onsets
    from 0, so they are no selections of one recording to join."""
    mine, theirs = part.metadata.get(STREAM_ID_KEY), other.metadata.get(STREAM_ID_KEY)
    if mine is not None and theirs is not None and mine != theirs:
        raise ValueError(
            f"part {k} and part {j} come from different streams (an OnlineEmbedder's reset() "
            "between them, or another embedder): each stream counts its windows and onsets "
            "from 0, so joined their windows would be mixed up. Keep the streams apart: join "
            "the pushes of each stream on its own (Embeddings.concatenate(pushes_since_reset)), "
            "save each and read them as one table with eegpt.read_embeddings(files)"
        )


def _continued(part: Embeddings, last: int) -> bool:
    """Whether a part's onsets are continued from the parts before it (``last`` the highest
    ``window_index`` of theirs) when joined: a batch whose epochs' onsets number them end to
    end (``metadata["epoch_onsets"] == "end_to_end"``: epoch ``k`` at ``k`` times the epoch
    length, counted from the batch's first epoch), given in memory and numbered on
    (:func:`_numbered_on`, no ``window_index``), or a selection of epochs embedded on its
    own (``epochs_array[3:]``: its ``window_index`` after ``last``, its first onset 0 s, not
    a selection of Embeddings, which keeps the onsets of the whole)."""
    meta = part.metadata
    if meta.get(EPOCH_ONSETS_KEY) != "end_to_end" or not _numbered_on(meta):
        return False
    index = meta.get("window_index")
    if index is None:
        return True
    return len(part) > 0 and int(index[0]) > last and float(part.onsets[0]) == 0.0


def _epoch_seconds(part: Embeddings, parts: Sequence[Embeddings]) -> float | None:
    """The length in seconds of the epochs of a part whose onsets number them end to end: the
    step between its first two onsets (``k`` times it for epoch ``k``, as embedded). A part of
    one epoch has no step: that of another part of ``parts`` with epochs as long (end to end,
    the same input rate, preprocessing and ``padded_epochs``: batches of one array), else,
    where the input's rate is the model's, its epochs' samples (``padded_epochs``'
    ``recorded_samples``, else a window's) over that rate. None (its onsets stay its own)
    where the metadata gives no exact length: an input resampled (its epochs' samples at
    the input's rate are not recorded; those at the model's rate are rounded, and ``k``
    times the rounding would drift) or no window length recorded."""
    alike = [p for p in parts if len(p) > 1 and _same_epochs(p.metadata, part.metadata)]
    if len(part) > 1 or alike:
        steps = (part if len(part) > 1 else alike[0]).onsets
        return float(steps[1] - steps[0])
    meta = part.metadata
    spec = meta.get("preprocessing") or {}
    if "window_seconds" not in spec:
        return None
    rate = float(spec.get("sfreq", 256.0))
    if float(meta.get("sfreq_in", rate)) != rate:
        return None
    padded = meta.get("padded_epochs") or {}
    samples = padded.get("recorded_samples") or round(float(spec["window_seconds"]) * rate)
    return samples / rate


def _same_epochs(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two outputs' metadata describe epochs end to end of one length: the same input
    rate, preprocessing and zero-padding (``padded_epochs``)."""
    keys = (EPOCH_ONSETS_KEY, "sfreq_in", "preprocessing", "padded_epochs")
    return a.get(EPOCH_ONSETS_KEY) == "end_to_end" and all(a.get(k) == b.get(k) for k in keys)


def _joined_onsets(parts: Sequence[Embeddings]) -> np.ndarray:
    """The onsets (s, float64, shape (n_windows,)) of the parts joined: each part's own, but
    for batches whose epochs lie end to end (:func:`_continued`), continued from the parts
    before, as the whole array embedded at once gives them: the window ``start + j`` (``start``
    the rows before it, as its ``window_index`` counts) at ``(start + j)`` times the epoch
    length, plus the batch's own offset from its grid (0 for an array or an EpochsArray);
    its own where its epoch length is unknown (:func:`_epoch_seconds`)."""
    joined: list[np.ndarray] = []
    start = 0
    index = _joined_window_index(parts)
    for part in parts:
        own = np.asarray(part.onsets, dtype=np.float64)
        continued = start > 0 and _continued(part, max(index[:start]))
        step = _epoch_seconds(part, parts) if continued else None
        if step is not None:
            grid = np.arange(len(own), dtype=np.float64) * step
            own = np.arange(start, start + len(own), dtype=np.float64) * step + (own - grid)
        joined.append(own)
        start += len(own)
    return np.concatenate(joined)


def _joined_epochs_metadata(tables: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``epochs_metadata`` records of the parts (:func:`eegpt.metadata_tables.metadata_record`) as one, rows in
    part 0's column order (joined by column name); raises if a part has other columns."""
    columns = list(tables[0]["columns"])
    rows: list[list[Any]] = []
    for k, table in enumerate(tables):
        own = list(table["columns"])
        if sorted(own) != sorted(columns):
            raise ValueError(
                f"part {k}'s epochs metadata has columns {own}, part 0's {columns}: joined, "
                "its rows would have no value for some columns. Give the epochs the same "
                "metadata columns before embedding, or keep the parts apart"
            )
        where = [own.index(c) for c in columns]
        rows += [[row[i] for i in where] for row in table["data"]]
    joined = dict(tables[0], data=rows)
    if "index" in tables[0]:
        joined["index"] = [i for t in tables for i in t.get("index", [])]
    return joined
