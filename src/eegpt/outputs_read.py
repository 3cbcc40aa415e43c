"""Reading many per-recording outputs (``eegpt embed``, :meth:`Embeddings.save`) as one table:
what :func:`eegpt.read_embeddings` does with a list of ``.npz``/``.parquet`` files or a folder
of them, checking that they were all embedded alike.

Like :mod:`eegpt.dataset_read`, this imports neither torch nor MNE nor SciPy.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eegpt._filenames import user_path
from eegpt._logging import count, few
from eegpt._logging import warn as _warn
from eegpt._recording_provenance import EPOCH_ONSETS_KEY
from eegpt._window_flags import FLAG_KEYS
from eegpt.dataset_folders import RUN_MANIFEST
from eegpt.dataset_read import FLAG_COLUMNS  # in the order of file_rows and flag_columns
from eegpt.embeddings_loading import _load_file, _load_outline, read_data_into
from eegpt.embeddings_writer import _WindowColumns
from eegpt.memory_checks import check_files_embeddings_memory
from eegpt.optional_packages import require_pyarrow
from eegpt.output_files import FORMATS, output_format
from eegpt.outputs import Embeddings
from eegpt.preprocessing_spec import (
    RESAMPLER_CHANGE,
    resampled_by_an_older_eegpt,
    resampled_by_polyphase,
)
from eegpt.run_specs import COMPARED_VERSIONS, run_versions, unrecorded_changes

#: Preprocessing settings that may differ between the files read together, as between the
#: parts of a corpus run (:data:`eegpt.run_specs._COMPARABLE_SETTINGS`): a per-file
#: ``--rescale`` correction, whether a last partial window was kept zero-padded (the rows'
#: ``padded`` column says which), and where its first window starts (``--start``: each night's
#: first scored epoch; the rows' onsets say where each window is).
_COMPARABLE_PREPROCESSING = ("scale", "tail", "start_seconds")


def output_files(
    given: str | os.PathLike | Sequence[str | os.PathLike], *, recursive: bool = False
) -> list[tuple[str, Path]] | None:
    """The per-recording output files ``given`` names, each with the text naming it in the
    table (its path as given, or the folder given joined with its path below it): a
    ``.npz``/``.parquet`` file, a folder holding such files (not an ``embed-dataset`` run
    folder; right inside it, in name order; with ``recursive``, also in its sub-folders at
    any depth, in the order of their paths below it), or a sequence of these. None when
    ``given`` names ``embed-dataset`` folders only (:func:`eegpt.read_embeddings` reads those
    as before, ``recursive`` or not).

    Raises
    ------
    ValueError
        If ``given`` mixes run folders and per-recording files, names a file twice, or (with
        ``recursive``) a folder's tree holds an ``embed-dataset`` run folder.
    eegpt.errors.MissingFileError
        If a folder holds no outputs right inside it but its sub-folders do (without
        ``recursive``: the message says to pass it), or, with ``recursive``, none at all.
    """
    from eegpt.dataset_folders import run_folders, shard_files

    items = [given] if isinstance(given, (str, os.PathLike)) else list(given)
    found: list[tuple[str, Path]] = []
    runs: list[str] = []
    predictions: list[Path] = []  # prediction tables of eegpt probe predict in the folders
    for item in items:
        path = user_path(item)
        if path.is_file() and output_format(path) in FORMATS:
            if is_predictions_table(path):
                raise ValueError(
                    f"read_embeddings: {path} is a prediction table of eegpt probe predict, "
                    "not embeddings: read it with pandas.read_parquet (eegpt info describes "
                    "it), and give read_embeddings the embeddings files only"
                )
            found.append((str(path), path))
        elif path.is_dir() and not _is_run_folder(path, shard_files, run_folders):
            files = _tree_outputs(path) if recursive else _outputs_in(path)
            predictions += [f for f in files if is_predictions_table(f)]
            files = [f for f in files if f not in predictions]
            if not files and not recursive:
                _refuse_outputs_below(path)
            if files and not recursive:
                _warn_outputs_below(path, len(files))
            if not files:
                runs.append(str(path))  # no outputs either: the corpus reader says what it lacks
            found += [(str(f), f) for f in files]
        else:
            runs.append(str(path))
    if predictions:
        _warn(
            f"read_embeddings: left out {count(len(predictions), 'prediction table')} of eegpt "
            f"probe predict in the folder{'s' if len(items) > 1 else ''} read "
            f"({few([str(p) for p in predictions], 3)}): not embeddings (pandas.read_parquet "
            "reads them)"
        )
    if not found:
        return None
    if runs:
        raise ValueError(
            f"read_embeddings: {few(runs, 3)} {'is' if len(runs) == 1 else 'are'} no "
            f"per-recording output (.npz/.parquet of eegpt embed), unlike "
            f"{few([n for n, _ in found], 3)}: read embed-dataset folders and per-recording "
            "files apart"
        )
    real = [os.path.realpath(p) for _, p in found]
    seen = Counter(real)
    twice = sorted({n for (n, _), r in zip(found, real, strict=True) if seen[r] > 1})
    if twice:
        raise ValueError(f"read_embeddings: {few(twice, 5)} given twice: its rows would be doubled")
    return found


def is_predictions_table(path: Path) -> bool:
    """Whether ``path`` is a ``.parquet`` prediction table of ``eegpt probe predict -o``
    (its schema's metadata holds the predictions record, not embeddings'); False for
    anything else, unreadable files included (their reader says why)."""
    from eegpt.probe_predictions import PREDICTIONS_KEY

    if output_format(path) != ".parquet":
        return False
    try:
        _, pq = require_pyarrow("reading Parquet outputs")
        metadata = pq.read_schema(path).metadata or {}
    except (ImportError, OSError, ValueError):
        return False
    return PREDICTIONS_KEY.encode() in metadata and b"eegpt" not in metadata


def _is_run_folder(folder: Path, shard_files: Any, run_folders: Any) -> bool:
    """Whether ``folder`` is an ``embed-dataset`` output folder, or a folder of them."""
    return (folder / RUN_MANIFEST).is_file() or bool(shard_files(folder) or run_folders(folder))


def _outputs_in(folder: Path) -> list[Path]:
    """The ``.npz``/``.parquet`` files right inside ``folder``, in name order, hidden ones
    (``.name.tmp``: an output being written) left out."""
    return sorted(
        p
        for p in folder.iterdir()
        if not p.name.startswith((".", "_")) and p.is_file() and output_format(p) in FORMATS
    )


def outputs_below(folder: Path, links: list[Path] | None = None) -> tuple[list[Path], list[Path]]:
    """The ``.npz``/``.parquet`` outputs in ``folder`` and its sub-folders at any depth (a
    tree of per-subject ``eegpt embed`` runs: ``out/sub-01/ses-1/rest.npz``), in the order
    of their paths below ``folder``, and the ``embed-dataset`` run folders met in the tree
    (not entered: their shards are no per-recording outputs). Hidden folders and those
    starting with ``_`` are left out, as are linked folders (not followed: no loops; added
    to ``links`` where given)."""
    from eegpt.dataset_folders import shard_files

    files: list[Path] = []
    runs: list[Path] = []
    for top, dirs, _ in os.walk(folder):
        here = Path(top)
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        if links is not None:
            links += [here / d for d in dirs if (here / d).is_symlink()]
        if here != folder and ((here / RUN_MANIFEST).is_file() or shard_files(here)):
            runs.append(here)
            dirs[:] = []
            continue
        files += _outputs_in(here)
    files.sort(key=lambda f: f.relative_to(folder).parts)
    return files, sorted(runs)


def _tree_outputs(folder: Path) -> list[Path]:
    """:func:`outputs_below` ``folder``, for ``read_embeddings(recursive=True)``.

    Raises
    ------
    ValueError
        If the tree holds an ``embed-dataset`` run folder: its rows have other columns and
        checks than the files', and a run folder inside a tree of files is most often an
        output folder nested by mistake.
    eegpt.errors.MissingFileError
        If the tree holds no output at all.
    """
    from eegpt.errors import MissingFileError

    links: list[Path] = []
    files, runs = outputs_below(folder, links)
    if links:
        linked = [p.relative_to(folder).as_posix() for p in sorted(links)]
        _warn(
            f"read_embeddings(recursive=True): left out {count(len(links), 'linked folder')} "
            f"below {folder} ({few(linked, 3)}): links to folders are not followed (a link "
            "back up the tree would read it forever); read a linked folder's outputs by "
            "giving it too (read_embeddings([folder, linked folder], recursive=True))"
        )
    if runs:
        named = [str(r) for r in runs]
        raise ValueError(
            f"read_embeddings(recursive=True): {few(named, 3)} below {folder} "
            f"{'is an embed-dataset output folder' if len(runs) == 1 else 'are embed-dataset output folders'}"
            f" ({RUN_MANIFEST}, shards), amid the tree of per-recording outputs (.npz/.parquet "
            f"of eegpt embed: {count(len(files), 'file')}); the two are read apart: "
            f"read_embeddings({named[0]!r}) for a run, and the files as a list, or from a "
            "folder that holds no run"
        )
    if not files:
        raise MissingFileError(
            f"read_embeddings(recursive=True): no .npz/.parquet outputs of eegpt embed in "
            f"{folder} or its sub-folders (hidden ones and those starting with _ are left out)"
        )
    return files


def tree_hint(folder: Path) -> str:
    """``"; its files lie in sub-folders only (...): eegpt.read_embeddings(folder,
    recursive=True) reads them"`` where ``folder`` (not an ``embed-dataset`` run folder)
    holds no ``.npz``/``.parquet`` outputs right inside it but its sub-folders do; else
    ``""``. For the messages of commands given such a folder."""
    from eegpt.dataset_folders import run_folders, shard_files

    if not folder.is_dir() or _is_run_folder(folder, shard_files, run_folders):
        return ""
    if _outputs_in(folder):
        return ""
    files, _ = outputs_below(folder)
    if not files:
        return ""
    below = [f.relative_to(folder).as_posix() for f in files]
    return (
        f"; {folder} holds {count(len(files), 'output')} in its sub-folders only "
        f"({few(below, 3)}): eegpt.read_embeddings({str(folder)!r}, recursive=True) reads "
        "them as one table"
    )


def _warn_outputs_below(folder: Path, n_read: int) -> None:
    """Warn where ``folder``'s sub-folders hold outputs too, beside the ``n_read`` right
    inside it that are read: without ``recursive`` they are not read."""
    files, _ = outputs_below(folder)
    below = [f.relative_to(folder).as_posix() for f in files if f.parent != folder]
    if below:
        _warn(
            f"read_embeddings: read the {count(n_read, 'output')} right inside {folder}; its "
            f"sub-folders hold {count(len(below), 'more output')} ({few(below, 3)}), not read: "
            f"read_embeddings({str(folder)!r}, recursive=True) reads them all"
        )


def _refuse_outputs_below(folder: Path) -> None:
    """Raise where ``folder`` holds no outputs right inside it but its sub-folders do: read
    without ``recursive``, it would be taken for an ``embed-dataset`` folder without shards."""
    from eegpt.errors import MissingFileError

    files, _ = outputs_below(folder)
    if files:
        below = [f.relative_to(folder).as_posix() for f in files]
        raise MissingFileError(
            f"{folder} holds no .npz/.parquet outputs of eegpt embed right inside it, but its "
            f"sub-folders hold {count(len(files), 'file')} ({few(below, 3)}); read_embeddings "
            "reads a folder's own files only, unless told to read its tree: "
            f"read_embeddings({str(folder)!r}, recursive=True) reads them all, each row's "
            "recording_id keeping the file's path below it"
        )


def fingerprint(metadata: Mapping[str, Any]) -> str | None:
    """The encoder fingerprint of an output: its checkpoint's ``weights_sha256`` (a hash of the
    encoder weights used), else the weights file's ``sha256``; None where neither is recorded."""
    checkpoint = metadata.get("checkpoint")
    if not isinstance(checkpoint, Mapping):
        return None
    return checkpoint.get("weights_sha256") or checkpoint.get("sha256")


def warn_older_resampler(kept: Sequence[tuple[Path, Mapping[str, Any] | None]]) -> None:
    """Warn of the outputs ``--skip-existing`` keeps (each with its metadata, None where not
    read) whose recording was resampled by another polyphase resampler than this eegpt's
    (:func:`eegpt.preprocessing_spec.resampled_by_an_older_eegpt`): their embeddings and
    those embedded now differ by the resampler alone, which nothing else tells."""
    from eegpt.errors import EEGPTWarning

    older = [str(out) for out, meta in kept if meta and resampled_by_an_older_eegpt(meta)]
    if older:
        _warn(
            f"--skip-existing keeps {count(len(older), 'output')} of resampled recordings that an "
            f"earlier eegpt resampled otherwise: {few(older, 5)}. {RESAMPLER_CHANGE}; embedded "
            "beside this eegpt's outputs, theirs differ by the resampler alone. Kept as they "
            "are: embed them again with --overwrite to have every output resampled alike",
            EEGPTWarning,
        )


def compared_weights(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[str, Any, Any]:
    """What tells the weights of two outputs' metadata apart, like with like: ``("encoder
    fingerprint", a's, b's)`` (:func:`fingerprint`) where both record ``weights_sha256``,
    else ``("checkpoint sha256", a's, b's)`` of the weights files (outputs of eegpt before
    ``weights_sha256`` record only that: a file hash is never equal to an encoder one)."""
    ca, cb = _checkpoint_of(a), _checkpoint_of(b)
    if ca.get("weights_sha256") and cb.get("weights_sha256"):
        return "encoder fingerprint", fingerprint(a), fingerprint(b)
    if ca.get("weights_sha256") or cb.get("weights_sha256"):  # an older output beside a newer
        return "checkpoint sha256", ca.get("sha256"), cb.get("sha256")
    return "encoder fingerprint", fingerprint(a), fingerprint(b)


def _checkpoint_of(metadata: Mapping[str, Any]) -> Mapping[str, Any]:
    """An output's ``metadata["checkpoint"]``, {} where it records none."""
    checkpoint = metadata.get("checkpoint")
    return checkpoint if isinstance(checkpoint, Mapping) else {}


def embedding_differences(a: Embeddings, b: Embeddings) -> list[str]:
    """The settings two outputs (as read by :func:`eegpt.outputs._load_outline`) were embedded
    with that differ, each with its recorded values (``"precision ('float32' -> 'bfloat16')"``):
    the weights (:func:`compared_weights`), the model config, the preprocessing (as
    :func:`eegpt.run_specs.spec_differences` compares it, ``scale``, ``tail`` and
    ``start_seconds`` aside:
    :data:`_COMPARABLE_PREPROCESSING`), the precision, the pooling and the embedding shape
    ``[N, S, D]``; [] when they were embedded alike."""
    from eegpt.run_specs import spec_differences

    ma, mb = a.metadata, b.metadata
    out = []
    kind, was, now = compared_weights(ma, mb)
    if was != now:
        out.append(f"weights ({kind} {_short(was)} -> {_short(now)})")
    out += [f"model.{d}" for d in spec_differences(ma.get("model") or {}, mb.get("model") or {})]
    pre_a, pre_b = ma.get("preprocessing") or {}, mb.get("preprocessing") or {}
    out += [
        f"preprocessing.{d}"
        for d in spec_differences(pre_a, pre_b, "preprocessing.")
        if not d.startswith(_COMPARABLE_PREPROCESSING)
    ]
    for key in ("precision", "pool"):
        if ma.get(key) != mb.get(key):
            out.append(f"{key} ({ma.get(key)!r} -> {mb.get(key)!r})")
    if a.data.shape[1:] != b.data.shape[1:]:
        out.append(f"embedding shape ({list(a.data.shape[1:])} -> {list(b.data.shape[1:])})")
    return out


def _short(digest: str | None) -> str:
    return "none recorded" if digest is None else digest[:12]


def _groups(outlines: Sequence[Embeddings]) -> list[list[int]]:
    """The indices of ``outlines`` grouped by how they were embedded (files of one group have
    no :func:`embedding_differences`), in order of each group's first file."""
    groups: list[list[int]] = []
    for k, outline in enumerate(outlines):
        for group in groups:
            if not embedding_differences(outlines[group[0]], outline):
                group.append(k)
                break
        else:
            groups.append([k])
    return groups


def mixed_message(names: Sequence[str], outlines: Sequence[Embeddings]) -> str:
    """What :func:`check_alike` says of files embedded otherwise: the files of each group and
    the settings (recorded values) that set it apart from the first group; "" when they were
    all embedded alike."""
    groups = _groups(outlines)
    if len(groups) < 2:
        return ""
    first = groups[0]

    def named(group: Sequence[int]) -> str:
        return few([names[k] for k in group], 3)

    apart = "; ".join(
        f"{named(group)} differ{'s' if len(group) == 1 else ''} from {named(first)} in "
        + ", ".join(embedding_differences(outlines[first[0]], outlines[group[0]]))
        for group in groups[1:]
    )
    return (
        f"read_embeddings: the {len(names)} files were not embedded alike ({len(groups)} "
        f"settings): {apart}. Their embeddings are not comparable"
    )


def check_alike(names: Sequence[str], outlines: Sequence[Embeddings], allow_mixed: bool) -> None:
    """Refuse outputs not embedded alike (:func:`mixed_message`), or with ``allow_mixed`` warn
    of them; outputs of different embedding shapes are refused either way (their embeddings
    cannot be one array) by :func:`read_outputs`."""
    message = mixed_message(names, outlines)
    if not message:
        return
    if not allow_mixed:
        raise ValueError(
            f"{message}: embed them again with the same weights and settings, read each group "
            "apart, or pass allow_mixed=True to read them together knowingly"
        )
    _warn(f"{message}; read together as allow_mixed=True asks")


def check_resamplers(
    names: Sequence[str], outlines: Sequence[Embeddings], allow_mixed: bool
) -> None:
    """Refuse (or with ``allow_mixed`` warn of) resampled recordings whose outputs an earlier
    eegpt's polyphase resampler made (:func:`resampled_by_an_older_eegpt`) read beside
    resampled recordings of this eegpt's: their embeddings differ by the resampler alone
    (:data:`~eegpt.preprocessing_spec.RESAMPLER_CHANGE`), which no setting records, as a
    resumed corpus run refuses to add rows of this resampler to rows of the earlier one.
    Recordings at the model's rate (not resampled) go with either."""
    resampled = [
        (name, resampled_by_an_older_eegpt(o.metadata))
        for name, o in zip(names, outlines, strict=True)
        if resampled_by_polyphase(o.metadata)
    ]
    older = [name for name, old in resampled if old]
    now = [name for name, old in resampled if not old]
    if not older or not now:
        return
    message = (
        f"read_embeddings: {few(older, 3)} ({count(len(older), 'file')} of {len(names)}) "
        f"{'holds a recording' if len(older) == 1 else 'hold recordings'} resampled by an "
        f"earlier eegpt's polyphase resampler, {few(now, 3)} by this eegpt's: "
        f"{RESAMPLER_CHANGE}. Their embeddings differ by the resampler "
        "alone (`eegpt info FILE` says which resampler a file's recording went through)"
    )
    if not allow_mixed:
        raise ValueError(
            f"{message}: embed the recordings of the earlier files again with this eegpt "
            "(eegpt embed --overwrite), read each group apart, or pass allow_mixed=True to "
            "read them together knowingly"
        )
    _warn(f"{message}; read together as allow_mixed=True asks")


def warn_other_versions(names: Sequence[str], outlines: Sequence[Embeddings]) -> None:
    """Warn once where per-recording outputs read together were embedded by other versions of
    eegpt, torch, NumPy, SciPy or MNE (:func:`eegpt.run_specs.run_versions` of each one's
    metadata, eegpt's with its ``eegpt_changes``, which tells eegpts of one version apart;
    "not recorded" for an output of before they were recorded), naming each group
    of files and its versions, as a corpus run resumed with other versions is warned of: the
    embeddings may differ slightly between the groups. Not refused: the same settings give
    comparable embeddings, and the versions of each file stay in its metadata."""
    found = [run_versions(o.metadata) for o in outlines]
    apart = [
        name for name in COMPARED_VERSIONS if len({versions.get(name) for versions in found}) > 1
    ]
    if not apart:
        return
    groups: dict[str, list[str]] = {}
    for file, versions in zip(names, found, strict=True):
        text = ", ".join(
            f"{name} "
            + (
                unrecorded_changes(versions[name], [v.get(name) for v in found])
                if name in versions
                else "not recorded"
            )
            for name in apart
        )
        groups.setdefault(text, []).append(file)
    listed = "; ".join(f"{few(files, 3)}: {text}" for text, files in groups.items())
    _warn(
        f"read_embeddings: the {len(names)} files were embedded by other versions ({listed}), "
        "so their embeddings may differ slightly between those groups (RELIABILITY.md, "
        "Determinism) and some of them lack what a newer eegpt records; `eegpt info FILE` "
        "shows the versions of each. To have every file from one version, embed the others "
        "again with this eegpt (eegpt embed --overwrite)"
    )


def recording_identity(metadata: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What tells the recording an output was embedded from: its resolved path
    (``metadata["source"]``, a relative one resolved against the recorded ``cwd``; not where
    neither is absolute, as ``eegpt anonymize`` leaves a bare file name) and the fingerprint of
    its files (``metadata["source_files"]``: ``source_fingerprint`` with their total size),
    each as a ``(kind, value)`` pair; [] for in-memory inputs."""
    from eegpt.dataset_stamps import recorded_source_path

    out = []
    where = recorded_source_path(metadata)  # None for in-memory inputs
    if where is not None and where.is_absolute():
        out.append(("path", os.path.realpath(where)))
    record = metadata.get("source_files")
    if isinstance(record, Mapping):
        digest = record.get("source_fingerprint") or record.get("source_sha256")
        if digest:
            out.append(("fingerprint", f"{digest}/{record.get('source_bytes')}"))
    return out


def check_distinct(names: Sequence[str], outlines: Sequence[Embeddings], allow_mixed: bool) -> None:
    """Refuse two outputs of the same recording (:func:`recording_identity`: the same file, or
    files of the same fingerprint), as ``a.npz`` and ``a.parquet`` after another ``--format``,
    or a copy: read together, its windows would be rows twice (across cross-validation folds);
    with ``allow_mixed`` warn instead. Outputs of one recording from channels none of which
    they share (:func:`_input_labels`: one per participant of a hyperscanning file, ``A-Fp1``
    ... and ``B-Fp1`` ...) hold other data of the same windows, not rows twice: read alike.
    Selections of disjoint windows (``e[:3]`` and ``e[3:]`` saved apart:
    :func:`_share_windows`) are refused too, for what they are: one recording read as one
    ``recording_id`` per file, which grouped splits would put on both sides."""
    members: dict[tuple[str, str], list[int]] = {}  # the files of each identity
    root: dict[int, int] = {}  # each file's group: its recording's first file it overlaps
    group: dict[int, list[int]] = {}  # files of one recording, by its first file
    for k, outline in enumerate(outlines):
        idents = recording_identity(outline.metadata)
        labels = _input_labels(outline.metadata)
        seen = {
            j
            for ident in idents
            for j in members.get(ident, ())
            if _share_channels(labels, _input_labels(outlines[j].metadata))
        }
        root[k] = min((root[j] for j in seen), default=k)
        if seen:
            group.setdefault(root[k], [root[k]]).append(k)
        for ident in idents:
            members.setdefault(ident, []).append(k)
    if not group:
        return
    twice = [files for files in group.values() if _any_shared_window(files, outlines)]
    apart = [files for files in group.values() if files not in twice]
    messages = []
    if twice:
        messages.append(
            f"{_groups_text(twice, names, outlines)}: its windows would be rows twice"
            + ("" if allow_mixed else "; remove all but one of them, or pass allow_mixed=True")
        )
    if apart:
        messages.append(
            f"{_groups_text(apart, names, outlines)}, of other windows: read apart, its windows "
            "would be rows of one recording_id per file, so a split by recording_id (grouped "
            "cross-validation folds) could put them on both sides"
            + (
                ""
                if allow_mixed
                else "; join them first: eegpt.Embeddings.concatenate([eegpt.load_embeddings"
                "(a), eegpt.load_embeddings(b)]).save(path), or pass allow_mixed=True"
            )
        )
    message = "read_embeddings: " + "; and ".join(messages)
    if not allow_mixed:
        raise ValueError(message)
    _warn(f"{message}; read together as allow_mixed=True asks")


def _groups_text(
    groups: Sequence[list[int]], names: Sequence[str], outlines: Sequence[Embeddings]
) -> str:
    """``"a.npz, b.npz (of rec.edf) are outputs of one recording"`` for groups of files (their
    indices in ``names``) each of one recording."""
    said = [
        f"{few([names[k] for k in files], 3)} (of {outlines[files[0]].metadata.get('source')})"
        for files in groups
    ]
    return (
        f"{'; '.join(said[:3])}{' and more' if len(said) > 3 else ''} "
        f"{'are outputs of one recording' if len(said) == 1 else 'are outputs of one recording each'}"
    )


def _any_shared_window(files: Sequence[int], outlines: Sequence[Embeddings]) -> bool:
    """Whether two of ``files`` (outputs of one recording, their indices in ``outlines``) hold
    a window in common."""
    return any(
        _share_windows(outlines[i], outlines[j])
        for n, i in enumerate(files)
        for j in files[n + 1 :]
    )


def _window_set(outline: Embeddings) -> set[int]:
    """The windows an output holds: its ``window_index`` (``0 .. n-1`` where none is
    recorded)."""
    return {int(i) for i in outline.metadata.get("window_index", range(len(outline.onsets)))}


def _share_windows(a: Embeddings, b: Embeddings) -> bool:
    """Whether two outputs of one recording hold a window in common (read together, it would
    be a row twice); False for disjoint selections (``e[:3]``, ``e[3:]``) or an empty one."""
    return not _window_set(a).isdisjoint(_window_set(b))


def _input_labels(metadata: Mapping[str, Any]) -> frozenset[str]:
    """The recording's channel labels an output embedded (``metadata["channels"]
    ["input_names"]``, as the file spells them); empty where not recorded."""
    channels = metadata.get("channels")
    labels = channels.get("input_names") if isinstance(channels, Mapping) else None
    return frozenset(str(label) for label in labels or ())


def _share_channels(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two outputs' channel labels (:func:`_input_labels`) overlap, or may: where
    either output records none."""
    return not (a and b) or not a.isdisjoint(b)


def _padded(metadata: Mapping[str, Any], index: np.ndarray) -> np.ndarray:
    """Whether each window (``index``: its index in the recording) holds zero padding, as the
    corpus rows' ``padded`` column: every epoch padded into a longer window, or the last
    partial window kept with ``tail="pad"``."""
    if metadata.get("padded_epochs"):
        return np.ones(len(index), dtype=bool)
    tail = metadata.get("padded_tail")
    if isinstance(tail, Mapping) and "window" in tail:
        return np.asarray(index) == int(tail["window"])
    return np.zeros(len(index), dtype=bool)


def file_rows(name: str, outline: Embeddings) -> Any:
    """The rows of one output (``outline``, its embeddings not read) as a pyarrow Table in the
    columns of a corpus run's shards, but ``embedding`` and the manifest's: ``recording_id``
    (``name``: the output file), ``path`` (the recording it was embedded from,
    ``metadata["source"]``), ``window``, ``onset_s``, ``clock_s``, ``clock_time``,
    ``channels``, ``input_channels``, ``annotations``, ``bad``, ``flat_channels``,
    ``clipped_channels``, ``flagged``, ``flags_recorded`` (:func:`flag_columns`), ``event``,
    ``padded`` and ``epochs_metadata`` (one JSON object per window, null for other inputs)."""
    pa, _ = require_pyarrow("read_embeddings")
    meta, n = outline.metadata, len(outline)
    columns = dict(_WindowColumns(meta, outline.onsets).arrays(0, n))
    columns.update(flag_columns(columns, n))
    channels = meta.get("channels") or {}
    names = pa.scalar(list(channels.get("names") or []), pa.list_(pa.string()))
    inputs = pa.scalar(list(channels.get("input_names") or []), pa.list_(pa.string()))
    record = meta.get("epochs_metadata")
    rows = (
        [None] * n
        if record is None
        else [json.dumps(dict(zip(record["columns"], r, strict=True))) for r in record["data"]]
    )
    window = columns["window"]
    return pa.table(
        {
            "recording_id": _repeat(pa.scalar(name, pa.string()), n),
            "path": columns["source"],
            "window": window,
            "onset_s": columns["onset_s"],
            "clock_s": columns["clock_s"],
            "clock_time": columns["clock_time"],
            "channels": _repeat(names, n),
            "input_channels": _repeat(inputs, n),
            "annotations": columns["annotations"],
            "bad": columns["bad"],
            **{key: columns[key] for key in FLAG_COLUMNS},
            "event": columns.get("label", pa.nulls(n, pa.string())),
            "padded": pa.array(_padded(meta, window.to_numpy()), pa.bool_()),
            "epochs_metadata": pa.array(rows, pa.string()),
        }
    )


def _repeat(value: Any, n: int) -> Any:
    """The pyarrow scalar ``value`` ``n`` times as an array of its type; an empty array for a
    file of no windows (``pa.repeat`` of a list scalar 0 times raises ArrowInvalid)."""
    pa, _ = require_pyarrow("read_embeddings")
    return pa.repeat(value, n) if n else pa.array([], type=value.type)


def flag_columns(columns: Mapping[str, Any], n: int) -> dict[str, Any]:
    """The flag columns of one output's ``n`` rows from its Parquet ``columns``
    (:class:`eegpt.outputs._WindowColumns`): ``flat_channels`` and ``clipped_channels`` (a list
    of channel names per window), ``flagged`` (bool) and ``flags_recorded`` (bool: False for an
    output without the flags, written before eegpt recorded them, of epochs or with the checks
    off, whose rows get empty lists and ``flagged`` False: unknown, not clean)."""
    pa, _ = require_pyarrow("read_embeddings")
    recorded = "flagged" in columns
    if recorded:
        out = {key: columns[key] for key in (*FLAG_KEYS, "flagged")}
    else:
        empty = pa.array([[] for _ in range(n)], pa.list_(pa.string()))
        out = {**dict.fromkeys(FLAG_KEYS, empty), "flagged": pa.array(np.zeros(n, dtype=bool))}
    return {**out, "flags_recorded": _repeat(pa.scalar(recorded, pa.bool_()), n)}


def warn_unknown_flags(names: Sequence[str], outlines: Sequence[Embeddings]) -> None:
    """Warn once where some outputs read together recorded the per-window flags and others
    of continuous recordings did not (:attr:`eegpt.Embeddings.flags_recorded`), naming the
    latter: their rows' ``flagged`` False is unknown, not clean, unlike the others'. Outputs of
    epochs never have the flags (embedding them again would not record them): they are not
    warned about, as a run's epochs are not (:mod:`eegpt.dataset_read`)."""
    recorded = [o.flags_recorded for o in outlines]
    unknown = [
        name
        for name, o, known in zip(names, outlines, recorded, strict=True)
        if not known and o.metadata.get(EPOCH_ONSETS_KEY) is None
    ]
    if not unknown or not any(recorded):
        return
    _warn(
        f"read_embeddings: {few(unknown, 5)} ({count(len(unknown), 'file')} of {len(names)}) "
        "recorded no per-window flat/clipped flags (written before eegpt recorded them, "
        "or the signal checks turned off): their rows have flagged False and empty "
        "flat_channels/clipped_channels, which is unknown, not clean, unlike the other files' "
        "rows. The flags_recorded column tells them apart; embed those recordings again with "
        "this version of eegpt to record their flags"
    )


def read_outputs(
    files: Sequence[tuple[str, Path]],
    filters: Any,
    embeddings: bool,
    allow_mixed: bool,
    outlines: Sequence[Embeddings] | None = None,
    each_file: Callable[[], object] | None = None,
) -> tuple[Any, np.ndarray | None, dict[str, tuple[str, ...]]]:
    """The rows of per-recording outputs ``files`` (each named in ``recording_id`` by its text)
    in file order, then window order, as one pyarrow Table (:func:`file_rows`; the rows
    ``filters`` selects: pandas-style tuples or a pyarrow expression), their embeddings
    ``[n_rows, N, S, D]`` float32 (or ``[n_rows, D]`` of mean-pooled outputs; None without
    ``embeddings``), and the channel set (sorted names, from each output's metadata) of each
    file with rows, by its ``recording_id``. Each file's provenance is read first, checked
    (:func:`check_alike`), then its embeddings one file at a time into one array made to size.
    ``outlines``: the files as :func:`_load_outline` reads them, where the caller read them
    already (one per file, in order; ``eegpt compare`` reads them under its progress bar).
    ``each_file``: called once each file's rows are taken (``eegpt compare``'s progress bar
    over building the table: a second or more for hundreds of files).

    Raises
    ------
    ValueError
        If the files were not embedded alike (without ``allow_mixed``), their embedding
        shapes differ, or the filters name a column the rows lack.
    """
    names = [n for n, _ in files]
    if outlines is None:
        outlines = [_load_outline(p) for _, p in files]  # an unreadable file said first
    check_distinct(names, outlines, allow_mixed)
    check_alike(names, outlines, allow_mixed)
    check_resamplers(names, outlines, allow_mixed)
    warn_other_versions(names, outlines)
    warn_unknown_flags(names, outlines)
    pa, pq = require_pyarrow("read_embeddings")
    shapes = {tuple(o.data.shape[1:]) for o in outlines}
    if embeddings and len(shapes) > 1:
        raise ValueError(
            f"read_embeddings: the files hold embeddings of {len(shapes)} shapes "
            f"({', '.join(str(list(s)) for s in sorted(shapes))}), which cannot be one array; "
            "read them apart, or with embeddings=False for their rows only"
        )
    expression = _filter_expression(filters, pq)
    tables, kept = [], []
    sets: dict[str, tuple[str, ...]] = {}
    for name, outline in zip(names, outlines, strict=True):
        table = file_rows(name, outline)
        if expression is not None:
            rows = table.append_column("__row", pa.array(np.arange(len(outline))))
            try:
                rows = rows.filter(expression)
            except pa.ArrowInvalid as err:  # a column not there
                raise ValueError(
                    f"read_embeddings: the filters name a column the rows do not have; they "
                    f"have {table.column_names} ({str(err).splitlines()[0]})"
                ) from err
            kept.append(rows.column("__row").to_numpy())
            table = rows.drop_columns(["__row"])
        else:
            kept.append(None)
        tables.append(table)
        if len(table):  # the channels column's names, once per file
            channels = outline.metadata.get("channels") or {}
            sets[name] = tuple(sorted(str(c) for c in channels.get("names") or []))
        if each_file is not None:
            each_file()
    table = pa.concat_tables(tables)
    if not embeddings:
        return table, None, sets
    return table, _embeddings_of(files, outlines, kept, len(table)), sets


def _filter_expression(filters: Any, pq: Any) -> Any:
    """``filters`` as a pyarrow expression (pandas-style tuples converted); None for none."""
    if filters is None:
        return None
    import pyarrow.dataset as pads

    return filters if isinstance(filters, pads.Expression) else pq.filters_to_expression(filters)


def _embeddings_of(
    files: Sequence[tuple[str, Path]],
    outlines: Sequence[Embeddings],
    kept: Sequence[np.ndarray | None],
    n: int,
) -> np.ndarray:
    """The embeddings of the rows ``kept`` of each file (None: all), ``[n, N, S, D]`` float32,
    or ``[n, D]`` of outputs stored mean-pooled (``metadata["pool"]``, as a corpus run's
    ``--pool mean``), read one file at a time into one array made to size (straight into it
    where the file allows: :func:`~eegpt.embeddings_loading.read_data_into`); refused before
    any is read where they would not fit in memory
    (:func:`~eegpt.memory_checks.check_files_embeddings_memory`)."""
    shape = tuple(outlines[0].data.shape[1:])
    if outlines[0].metadata.get("pool") == "mean":
        shape = shape[-1:]
    check_files_embeddings_memory(_files_text(files), n, shape)  # before any is read
    out = np.empty((n, *shape), dtype=np.float32)
    at = 0
    for (name, path), outline, rows in zip(files, outlines, kept, strict=True):
        if rows is not None and not len(rows):
            continue
        whole = len(outline)
        if rows is None and read_data_into(path, out[at : at + whole]):
            at += whole  # read in place: a large file is held once, not also as its own array
            continue
        data = _load_file(path).data
        if data.shape != outline.data.shape:
            raise RuntimeError(
                f"read_embeddings: {name} changed while it was read ({outline.data.shape} "
                f"windows, then {data.shape}); read it again"
            )
        block = data if rows is None else data[rows]
        out[at : at + len(block)] = block.reshape(len(block), *shape)
        at += len(block)
        del data, block
    return out


def _files_text(files: Sequence[tuple[str, Path]]) -> str:
    """The per-recording outputs ``files`` as a message names them: the folder that holds
    them all (``"FOLDER (3 files)"``), else the first few of them."""
    parents = {path.parent for _, path in files}
    if len(parents) == 1:
        return f"{next(iter(parents))} ({len(files)} file(s))"
    return few([name for name, _ in files], 3)
