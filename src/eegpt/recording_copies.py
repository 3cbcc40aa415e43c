"""Recordings of a corpus run that are copies of one another, by what their file statuses
record (size and content fingerprint: :func:`recorded_copies`), and the warning that names
them (:func:`copies_text`): their windows are the same rows under two recording ids, a leak
between training and test data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from eegpt._filenames import subject_column, subject_of
from eegpt._logging import count as _count
from eegpt._logging import few
from eegpt._logging import warn as _warn


def recorded_copies(statuses: Iterable[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """The embedded recordings (file statuses ``ok``, as shard footers and ``_files.csv``
    hold them) that are copies of one another by what their statuses record: the same total
    size of their files (``source_bytes``) and content fingerprint (``source_fingerprint``,
    ``source_sha256`` of earlier runs: a SHA-256 of each file's size and first and last MiB,
    :func:`eegpt.dataset_stamps._fingerprint`), of the same stamp version. Nothing is read
    again. Each group lists the statuses in the order given, the first one first; recordings
    without a fingerprint (a recording folder such as EGI ``.mff``) are not compared."""
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for status in statuses:
        digest = status.get("source_fingerprint") or status.get("source_sha256")
        if status.get("status") != "ok" or not digest or status.get("source_bytes") is None:
            continue
        key = (status.get("stamp_version"), int(status["source_bytes"]), digest)
        groups.setdefault(key, []).append(status)
    return [group for group in groups.values() if len(group) > 1]


def copies_text(
    groups: Sequence[Sequence[Mapping[str, Any]]], subjects: Mapping[str, Any] | None = None
) -> str:
    """The recordings of :func:`recorded_copies`' groups, for a warning: each copy's
    ``recording_id`` (its path, and its subject: ``subjects[recording_id]``, a manifest's
    subject column, else where the path names one, BIDS ``sub-LABEL``,
    :func:`eegpt._filenames.subject_of`) after that of the recording it copies."""

    def subject(status: Mapping[str, Any]) -> Any:
        given = (subjects or {}).get(str(status.get("recording_id")))
        return given if given is not None else subject_of(str(status.get("path", "")))

    def named(status: Mapping[str, Any]) -> str:
        path, who = str(status.get("path", "")), subject(status)
        where = f"{path}, subject {who}" if who is not None else path
        return f"{status.get('recording_id')!r} ({where})"

    pairs = [f"{named(copy)} = {named(group[0])}" for group in groups for copy in group[1:]]
    apart = any(len({str(subject(s)) for s in group} - {"None"}) > 1 for group in groups)
    return (
        f"{_count(len(pairs), 'recording')} {'is a copy' if len(pairs) == 1 else 'are copies'} "
        "of another (the same size and content fingerprint of their files: a SHA-256 of each "
        f"one's size and first and last MiB): {few(pairs, 5)}; their windows are the same rows "
        "under two recording ids"
        + (
            ", and two subjects: a leak between training and test data split by subject"
            if apart
            else ", which a split by recording puts apart (a leak between training and test data)"
        )
        + ". Leave out all but one of each (filters=[('recording_id', 'not in', [...])]), or "
        "find out which subject the recording is of"
    )


def _warn_copies(
    shard_statuses: Sequence[Mapping[str, Any]], ids: set[str] | None, frame: Any
) -> None:
    """Warn of the recordings read (``ids``; None: all) that are copies of one another by
    their file statuses in the shards' footers (``shard_statuses``: each shard's
    ``eegpt_shard``, :func:`~eegpt.shard_checks.read_shard_status`; :func:`recorded_copies`),
    each with its subject where the rows read (``frame``) have a subject column (a
    manifest's)."""
    statuses = [
        status
        for shard_status in shard_statuses
        for status in shard_status.get("files") or []
        if ids is None or status.get("recording_id") in ids
    ]
    groups = recorded_copies(statuses)
    if not groups:
        return
    column = subject_column(frame.columns)
    subjects = None
    if column is not None and "recording_id" in frame.columns:
        pairs = frame[["recording_id", column]].dropna().drop_duplicates("recording_id")
        subjects = dict(zip(pairs["recording_id"], pairs[column], strict=True))
    _warn(f"read_embeddings: {copies_text(groups, subjects)}")
