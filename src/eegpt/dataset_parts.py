"""The checks that run folders read together are the ``--part K/N`` runs of one corpus run.

The parts of a corpus (:func:`corpora_of_parts`) must have been split from one listing of it
(:func:`listings_apart`, by their :data:`~eegpt.dataset_folders.CORPUS_LISTING`:
:func:`listed_ids`, :func:`listed_paths`), share their settings and hold no file twice
(:func:`_check_parts`), parts of other versions warned of (:func:`_warn_other_versions`); parts
missing are warned of (:func:`missing_parts`,
:func:`_warn_missing_parts`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eegpt._logging import count as _count
from eegpt._logging import few
from eegpt._logging import warn as _warn
from eegpt.dataset_folders import CORPUS_LISTING
from eegpt.run_specs import COMPARED_VERSIONS, run_versions, settings_apart, unrecorded_changes


def missing_parts(inputs: Sequence[Mapping[str, Any]]) -> tuple[int, list[int]]:
    """``(parts with files, the missing ones among them)`` of ``--part K/N`` runs, from their
    specs' ``inputs`` (one N): parts ``K >= `` the corpus's files hold none and are not
    missing."""
    parts = [i["part"] for i in inputs if i.get("part")]
    n = int(parts[0][1])
    totals = [int(i["corpus_files"]) for i in inputs if i.get("corpus_files") is not None]
    with_files = min([*totals, n])
    return with_files, sorted(set(range(with_files)) - {int(k) for k, _ in parts})


def _warn_missing_parts(folders: Sequence[Path], specs: Sequence[dict[str, Any]]) -> None:
    """Warn when the folders read are ``--part K/N`` runs and some of the N parts of a
    corpus are not among them (a job that never started, or a folder elsewhere)."""
    parts = [(f, spec.get("inputs") or {}) for f, spec in zip(folders, specs, strict=True)]
    for group in corpora_of_parts(parts):
        _warn_missing_parts_of([{"inputs": i} for _, i in group])


def _warn_missing_parts_of(specs: Sequence[dict[str, Any]]) -> None:
    """:func:`_warn_missing_parts` of the parts of one corpus."""
    parts = [(spec.get("inputs") or {}).get("part") for spec in specs]
    counts = {n for _, n in filter(None, parts)}
    if not counts:
        return
    if len(counts) > 1:
        _warn(f"the folders read are parts of runs split into {sorted(counts)} parts: one run's?")
        return
    with_files, missing = missing_parts([spec.get("inputs") or {} for spec in specs])
    if missing:
        which = "part" if len(missing) == 1 else "parts"
        _warn(
            f"the folders read hold {with_files - len(missing)} of the {with_files} parts of a "
            f"--part run that have files: {which} {few([str(k) for k in missing], 10)} "
            f"{'is' if len(missing) == 1 else 'are'} missing (their files' rows are not in the "
            "table); run their jobs, or give their folders too"
        )


def listed_ids(folder: Path) -> list[str] | None:
    """The recording ids of a part run's :data:`CORPUS_LISTING`; None without a readable one
    (a run from before it, or one being made)."""
    try:
        with open(folder / CORPUS_LISTING, newline="", encoding="utf-8") as fh:
            return [row["recording_id"] for row in csv.DictReader(fh)]
    except (OSError, KeyError, csv.Error, UnicodeDecodeError):
        return None


LIST_INPUTS = "<list>"  # the corpus identity of a list of files or a table given as inputs


def listed_paths(folder: Path) -> set[str] | None:
    """The paths of a part run's :data:`CORPUS_LISTING`; None without a readable one."""
    try:
        with open(folder / CORPUS_LISTING, newline="", encoding="utf-8") as fh:
            return {row["path"] for row in csv.DictReader(fh)}
    except (OSError, KeyError, csv.Error, UnicodeDecodeError):
        return None


def corpora_of_parts(
    parts: Sequence[tuple[Path, Mapping[str, Any]]],
) -> list[list[tuple[Path, Mapping[str, Any]]]]:
    """The ``--part`` runs among ``parts`` (each a run folder and its spec's ``inputs``), by
    corpus: runs of one corpus (:func:`eegpt.dataset_runs.corpus_identity`; runs from before it was recorded
    count as one), of lists of files whose listings share a file, whose listings share a
    recording id (one corpus staged to another path per task), or split from one listing
    (a listing frozen in a manifest, given to the parts run again) are of one."""
    split = [(folder, i) for folder, i in parts if i.get("part")]
    if len({(i.get("corpus_sha256"), i.get("corpus_files")) for _, i in split}) < 2:
        return [split] if split else []  # one listing: one corpus, whatever its name
    if any(i.get("corpus") is None for _, i in split):  # a run from before it: as then, one
        return [split]
    groups: list[tuple[set[Any], list[int]]] = []  # what names each corpus, and its parts
    for n, (folder, inputs) in enumerate(split):
        corpus = inputs.get("corpus")
        if corpus == LIST_INPUTS:
            keys: set[Any] = {("path", p) for p in listed_paths(folder) or ()}
        else:
            keys = {("corpus", corpus)}
        keys |= {("id", i) for i in listed_ids(folder) or ()}  # the corpus at another path
        if inputs.get("corpus_sha256"):
            keys.add(("listing", inputs["corpus_sha256"]))
        members = [n]
        for other in [g for g in groups if not g[0].isdisjoint(keys)]:  # join those it names
            groups.remove(other)
            keys, members = keys | other[0], other[1] + members
        groups.append((keys, members))
    return [[split[n] for n in sorted(members)] for _, members in groups]


def listings_apart(parts: Sequence[tuple[Path, Mapping[str, Any]]]) -> str:
    """ "" when the ``--part`` runs among ``parts`` (each a run folder and its spec's
    ``inputs``) were split from one listing of their corpus, each corpus apart (the parts of
    several corpora read together are no conflict); else which were split from which listing
    (by its count of files) and which to run again."""
    return "; ".join(filter(None, (_one_corpus_apart(group) for group in corpora_of_parts(parts))))


def _one_corpus_apart(split: Sequence[tuple[Path, Mapping[str, Any]]]) -> str:
    """:func:`listings_apart` of the parts of one corpus."""
    by_sha = all(i.get("corpus_sha256") for _, i in split)  # runs from before it: the counts
    groups: dict[tuple[Any, Any], list[Path]] = {}
    for folder, i in split:
        key = (i.get("corpus_sha256") if by_sha else None, i.get("corpus_files"))
        groups.setdefault(key, []).append(folder)
    if len(groups) < 2:
        return ""
    folders = [f for f, _ in split]
    unique = len({f.name for f in folders}) == len(folders)

    def named(group: Sequence[Path]) -> str:
        return few([f.name if unique else str(f) for f in group], 10)

    listings = "; ".join(
        f"{named(group)} from one of {_count(n, 'file')}" for (_, n), group in groups.items()
    )
    kept, *others = sorted(groups.values(), key=len, reverse=True)
    frozen = kept[0] / CORPUS_LISTING
    on = f"{frozen} (a manifest of it)" if frozen.is_file() else "a manifest of that listing"
    return (
        f"the parts were split from different listings of their corpus (files added or "
        f"removed between their runs): {listings}. Such parts hold some files twice and miss "
        f"others. To keep the listing of {named(kept)}, delete "
        f"{named([f for group in others for f in group])} and run those parts again on {on} "
        "with the same --part (docs/corpus-scale.md, 'Plan for 10,000 hours')"
    )


def _check_parts(
    folders: Sequence[Path], specs: Sequence[dict[str, Any]], footers: Mapping[Path, Any]
) -> None:
    """Refuse run folders that are not parts of one corpus run: other settings (but those of
    ``_COMPARABLE_SETTINGS``: ``--rescale``, ``--tail``), a file embedded in two of them (under any id), or one id
    naming two embedded files. A file that failed (no rows) is no overlap: a part may hold the
    failed files of another embedded again with other settings. ``footers``: each shard's
    ``pyarrow.parquet.FileMetaData``."""
    apart = settings_apart(folders, specs)
    if apart is not None:
        folder, differ = apart
        raise ValueError(
            f"read_embeddings: {folder} was made with other settings than {folders[0]} "
            f"({', '.join(differ)}): its rows are not comparable; read them apart"
        )
    by_id: dict[str, tuple[Path, str]] = {}
    by_path: dict[str, Path] = {}
    versions: dict[Path, list[dict[str, str]]] = {folder: [] for folder in folders}
    for shard, footer in footers.items():  # file statuses: every file of a part, failed or not
        folder = shard.parent
        statuses = json.loads((footer.metadata or {}).get(b"eegpt_shard", b"{}"))
        stamp = statuses.get("run")
        versions.setdefault(folder, []).append(
            run_versions(stamp if isinstance(stamp, Mapping) else {})
        )
        for f in statuses.get("files", []):
            if f.get("status") != "ok":  # no rows of it here
                continue
            rid, path = f["recording_id"], f["path"]
            if path in by_path:
                raise ValueError(
                    f"read_embeddings: {by_path[path]} and {folder} both hold {path}: the "
                    "parts of one corpus must not overlap (the same files in two manifests, "
                    "or a folder and one of its subfolders?)"
                )
            if rid in by_id:
                raise ValueError(
                    f"read_embeddings: recording id {rid!r} names {by_id[rid][1]} in "
                    f"{by_id[rid][0]} and {path} in {folder}; ids must be unique across "
                    "the parts: run them from a common folder (--pattern selects a part), "
                    "or give the manifests a recording_id column"
                )
            by_path[path], by_id[rid] = folder, (folder, path)
    _warn_other_versions(versions)


def _warn_other_versions(versions: Mapping[Path, Sequence[Mapping[str, str]]]) -> None:
    """Warn once where the parts read together were computed by other versions of eegpt,
    torch, NumPy, SciPy or MNE (``versions``: by part folder, those of each of its shards, from
    the ``run`` stamp of its footer: :func:`eegpt.run_specs.run_versions`; "not recorded" for a
    shard of before they were stamped), naming each part with its versions: parts run on hosts
    of other installations give rows that may differ slightly, read as one corpus, as a run
    resumed with other versions is warned of."""
    seen = [v for found in versions.values() for v in found]
    apart = [name for name in COMPARED_VERSIONS if len({v.get(name) for v in seen}) > 1]
    if not apart:
        return

    def text(found: Sequence[Mapping[str, str]]) -> str:
        return ", ".join(
            f"{name} "
            + " / ".join(
                sorted(
                    {
                        unrecorded_changes(v[name], [w.get(name) for w in seen])
                        if v.get(name)
                        else "not recorded"
                        for v in found
                    }
                )
            )
            for name in apart
        )

    groups: dict[str, list[str]] = {}
    for folder, found in versions.items():
        if found:
            groups.setdefault(text(found), []).append(str(folder))
    listed = "; ".join(f"{few(names, 3)}: {said}" for said, names in groups.items())
    _warn(
        f"read_embeddings: the parts were embedded by other versions ({listed}), so their "
        "rows may differ slightly between those parts (RELIABILITY.md, Determinism); each "
        "shard's footer names the run that wrote it and its versions "
        "(eegpt.dataset.read_shard_status(shard)[1]['run']). To have the whole corpus from one "
        "version, run the parts of other versions again with --overwrite"
    )
