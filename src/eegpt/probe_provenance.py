"""What a probe records of the data it was trained on, and what its outputs record of it.

A probe's ``probe.json`` ``training`` names its training data (``inputs``: each file given as a
path by name, with the cheap identity ``eegpt embed`` records for a recording,
:func:`eegpt._file_identity.source_files_record`; data given in memory by their type and
shape), counts each class's epochs (``class_counts``), and with a validation fraction records
which epochs were held out (``validation["indices"]``, :func:`indices_record`). The outputs of
``eegpt probe evaluate --json`` and ``eegpt probe predict -o`` record which probe made them,
on which data, with which eegpt, and when (:func:`output_provenance`): beside the metrics
(``provenance``; the file marked ``"format": "eegpt-probe-evaluation/1"``,
:data:`EVALUATION_FORMAT`), in a Parquet file's schema metadata (key ``eegpt_predictions``, not
``eegpt``, which names an embeddings file), or in a CSV's or TSV's
sidecar JSON, the output's name with ``.json`` added (``predictions.csv`` ->
``predictions.csv.json``; :func:`sidecar_path`).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

#: A validation fraction's indices are listed up to this many epochs; beyond, only their
#: SHA-256 is recorded (:func:`indices_record`).
MAX_LISTED_INDICES = 10_000


def file_record(path: str | os.PathLike, n_epochs: int | None = None) -> dict[str, Any]:
    """One input file as a probe or its outputs record it: ``name`` (its last component: no
    folder is recorded), ``n_epochs`` where known, and the identity ``eegpt embed`` records
    for a recording (files, size, modification time, fingerprint:
    :func:`eegpt._file_identity.source_files_record`), absent where it cannot be read."""
    from eegpt._file_identity import source_files_record

    record: dict[str, Any] = {"name": Path(path).name}
    if n_epochs is not None:
        record["n_epochs"] = int(n_epochs)
    identity = source_files_record(path)
    if identity is not None:
        record.update(identity)
    return record


def distinct_names(paths: Sequence[str | os.PathLike]) -> dict[str, str]:
    """Each of ``paths`` (as ``str``) by its shortest trailing components that no other of
    them ends in, joined by ``/``: its file name where that is unique among them
    (``eeg.edf``), else as many of its folders as tell it apart (``sub-01/ses-1/eeg.edf``
    and ``sub-02/ses-1/eeg.edf``). Never its anchor (``/``, ``C:\\``): no absolute path is
    recorded, as :func:`file_record` records none (a path that is the tail of another,
    ``/a/b.edf`` of ``/x/a/b.edf``, is named by all its components, ``a/b.edf``)."""
    split = {str(p): Path(p).parts[1 if Path(p).anchor else 0 :] for p in paths}
    named = {}
    for path, parts in split.items():
        others = [q for other, q in split.items() if other != path]
        k = 1
        while k < len(parts) and any(q[-k:] == parts[-k:] for q in others):
            k += 1
        named[path] = "/".join(parts[-k:]) or path
    return named


def files_record(
    paths: Sequence[str | os.PathLike], sources: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """:func:`file_record` of each of ``paths`` (each once, in order), with its number of
    epochs where ``sources`` (the file of each epoch, as given) says it."""
    counts: dict[str, int] = {}
    for source in sources or ():
        counts[str(source)] = counts.get(str(source), 0) + 1
    seen: dict[str, None] = dict.fromkeys(str(p) for p in paths)
    return [file_record(p, counts.get(p) if sources is not None else None) for p in seen]


def known_files(data: Any) -> list[str]:
    """The files an MNE object in memory was read from, as far as MNE knows them
    (:func:`eegpt.io.mne_sources`): a Raw's ``raw.filenames`` (each file of
    ``mne.concatenate_raws``), an ``-epo.fif``'s ``epochs.filename``, and for epochs cut from
    a Raw (``mne.Epochs(raw, events)``, whose ``filename`` is None) the files of the Raw they
    hold until loaded (MNE's ``epochs._raw``, dropped by ``preload=True`` or
    ``epochs.load_data()``). Empty for objects made in memory. What a probe records of its
    training data in memory (:func:`data_record`) and what
    :meth:`eegpt.probe.EEGPTProbe.evaluate` compares with it."""
    import mne

    from eegpt.mne_inputs import mne_sources

    found = mne_sources(data)
    held = getattr(data, "_raw", None)  # MNE's: the Raw of unloaded epochs (None once loaded)
    if not found and isinstance(data, mne.BaseEpochs) and isinstance(held, mne.io.BaseRaw):
        found = mne_sources(held)
    return found


def files_held(data: Any) -> dict[int, list[str]]:
    """:func:`known_files` of each MNE object among ``data`` (itself, or a list's items), by
    the object's ``id``: taken before the data are prepared, which may load epochs cut from a
    Raw and so lose their file, and given to :func:`data_record` after (when the number of
    epochs is known: MNE knows it of epochs not loaded only once their bad epochs are
    dropped)."""
    import mne

    if isinstance(data, (list, tuple)):
        return {k: v for item in data for k, v in files_held(item).items()}
    if isinstance(data, (mne.BaseEpochs, mne.io.BaseRaw)):
        return {id(data): known_files(data)}
    return {}


def data_record(data: Any, held: dict[int, list[str]] | None = None) -> list[dict[str, Any]]:
    """The inputs of :func:`eegpt.probe.train_probe` (:func:`eegpt.finetune.finetune`) as its probe records
    them: a file given as a path by :func:`file_record`; an ``mne.Epochs`` as ``{"type":
    "mne.Epochs in memory", "shape": [n, C, T]}``, with ``read_from`` (:func:`file_record`)
    where MNE read it from a file (it may have been changed since); an ``mne.io.Raw`` alike
    (``"mne.io.Raw in memory"``, ``[C, n_times]``); an array as ``{"type":
    "numpy array (n, C, T)", "shape": [...]}``; a list, each of its items.

    The file MNE read an object from is the first of :func:`known_files`: for epochs cut
    from a Raw read from a file, the Raw's, while the epochs still hold it (not once
    loaded). An object read from several files (a Raw of ``mne.concatenate_raws``, epochs
    cut from one) records them all too, in order, as ``read_from_all`` (a :func:`file_record`
    each), as :func:`eegpt.api.input_record` does for ``embed``: :func:`training_overlap`
    compares each. ``held``: those files as :func:`files_held` found them before the data
    were prepared (an object not in it is looked at now)."""
    import mne

    from eegpt.recording import Recording

    if isinstance(data, (list, tuple)):
        return [r for item in data for r in data_record(item, held)]
    if isinstance(data, (str, os.PathLike)):
        return [file_record(data)]
    if isinstance(data, (mne.BaseEpochs, mne.io.BaseRaw)):
        epochs = isinstance(data, mne.BaseEpochs)
        record: dict[str, Any] = {
            "type": "mne.Epochs in memory" if epochs else "mne.io.Raw in memory",
            "shape": [len(data), len(data.ch_names), len(data.times)]
            if epochs
            else [len(data.ch_names), data.n_times],
        }
        # what MNE knows: a Raw's files, an -epo.fif's, those of the Raw epochs were cut from
        # while they hold it (known_files); mne.concatenate_epochs keeps no file names at all,
        # and loaded epochs forget their Raw's, so such epochs record none
        sources = held[id(data)] if held and id(data) in held else known_files(data)
        if sources:
            record["read_from"] = file_record(sources[0])
        if len(sources) > 1:
            record["read_from_all"] = [file_record(s) for s in sources]
        return [record]
    if isinstance(data, Recording):
        return [{"type": "eegpt Recording in memory", "shape": list(data.data.shape)}]
    if isinstance(data, np.ndarray):
        return [{"type": "numpy array (n, C, T)", "shape": list(data.shape)}]
    return [{"type": f"{type(data).__module__}.{type(data).__qualname__} in memory"}]


def _input_epochs(item: Any) -> int | None:
    """How many epochs a recorded training input (:func:`data_record`,
    :func:`files_record`) gave: its ``n_epochs``, or the first of an Epochs' or an epochs
    array's ``shape``; None where not recorded."""
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("n_epochs"), int):
        return int(item["n_epochs"])
    shape, kind = item.get("shape"), str(item.get("type") or "")
    if isinstance(shape, list) and shape and isinstance(shape[0], int):
        if kind.startswith(("mne.Epochs", "numpy array")):
            return int(shape[0])
    return None


def input_roles(training: Any) -> list[str]:
    """What each of a probe's recorded inputs (``training["inputs"]``) was to it:
    ``"validation"`` where a validation fraction held out every one of its epochs (whole
    groups: ``--val-by``, ``groups=``), so it was never trained on; ``"training"`` where any
    of its epochs were trained on; ``"unknown"`` where groups were held out but the probe
    records too little to tell which inputs (the epochs per input, or the indices held out).
    Read from the epochs per input (:func:`_input_epochs`, in the order given) and the
    indices held out (``training["validation"]["indices"]``, :func:`indices_record`)."""
    inputs = training.get("inputs") if isinstance(training, dict) else None
    if not isinstance(inputs, list):
        return []
    validation = training.get("validation")
    if not isinstance(validation, dict) or validation.get("kind") != "fraction":
        return ["training"] * len(inputs)
    by_groups = isinstance(validation.get("groups"), dict)
    counts = [_input_epochs(item) for item in inputs]
    held = validation.get("indices")
    total = training.get("n_train", 0) + training.get("n_validation", 0)
    known = [n for n in counts if n is not None]
    if not isinstance(held, list) or len(known) < len(counts) or sum(known) != total:
        return ["unknown" if by_groups else "training"] * len(inputs)
    held_out = set(held)
    roles, start = [], 0
    for n in known:
        whole = n > 0 and all(i in held_out for i in range(start, start + n))
        roles.append("validation" if whole else "training")
        start += n
    return roles


class Overlap(NamedTuple):
    """A test file of an evaluation matched to a probe's training or validation input
    (:func:`training_overlap`)."""

    #: the test file's name
    name: str
    #: the input's name, :data:`VALIDATION_INPUT` before it for a validation input
    trained: str
    #: only the file is known to be shared, not the epochs: one side or both are epochs in
    #: memory read from it (which may be some of its epochs, and others on the other side)
    same_file_only: bool = False
    #: the test data are epochs in memory read from the file (not the file given as a path)
    tested_in_memory: bool = False
    #: whether the probe's validation data chose its weights (early stopping, ``patience``:
    #: the pass of lowest validation loss kept) or were only monitored (the last pass kept);
    #: None where not known
    early_stopping: bool | None = None


def training_overlap(
    training: Any,
    tested: Sequence[dict[str, Any]],
    in_memory: Sequence[bool] | None = None,
    early_stopping: bool | None = None,
) -> list[Overlap] | None:
    """The files of ``tested`` (:func:`file_record` each) that hold the same contents as one
    of a probe's training or validation inputs (``training["inputs"]``,
    ``training["validation"]["inputs"]``; an input given in memory by the file it was read
    from): :class:`Overlap` each, matched on ``source_fingerprint`` and ``source_bytes``,
    whatever the files are called. ``in_memory``: for each of ``tested``, whether it stands
    for epochs in memory read from that file; such a match, or one with an input given in
    memory, is ``same_file_only`` (the file is the same, the epochs may not be). None for a
    probe that records no training inputs (saved before eegpt recorded them): nothing to
    compare with. ``early_stopping``: whether the probe was trained with early stopping
    (``patience``), kept in each :class:`Overlap` for :func:`overlap_text`."""
    if not isinstance(training, dict) or not isinstance(training.get("inputs"), list):
        return None
    validation = training.get("validation")
    held = validation.get("inputs") if isinstance(validation, dict) else None
    known: dict[tuple[Any, Any], tuple[str, bool]] = {}
    prefix = {"training": "", "validation": HELD_OUT_INPUT, "unknown": GROUPED_INPUT}
    # validation ones named so: --val-data's, and inputs a fraction held out whole
    inputs = [
        (item, prefix[role])
        for item, role in zip(training["inputs"], input_roles(training), strict=True)
    ]
    inputs += [(item, VALIDATION_INPUT) for item in (held if isinstance(held, list) else [])]
    for item, role in inputs:
        if not isinstance(item, dict):
            continue
        every = item.get("read_from_all")  # an object read from several files: each
        for record in (item, item.get("read_from"), *(every if isinstance(every, list) else [])):
            if isinstance(record, dict) and record.get("source_fingerprint"):
                key = (record["source_fingerprint"], record.get("source_bytes"))
                whole = record is item  # a path given: the whole file; else epochs read from it
                named = role + str(record.get("name") or "?")
                if key not in known or (whole and known[key][1] is False):
                    known[key] = (named, whole)
    found = []
    flags = list(in_memory) if in_memory is not None else [False] * len(tested)
    for record, memory in zip(tested, flags, strict=True):
        key = (record.get("source_fingerprint"), record.get("source_bytes"))
        if key[0] and key in known:
            trained, whole = known[key]
            name = str(record.get("name") or "?")
            found.append(Overlap(name, trained, memory or not whole, memory, early_stopping))
    return found


def overlap_names(overlap: Sequence[Overlap] | None) -> dict[str, list[str]]:
    """The test file names of ``overlap`` (:func:`training_overlap`; None: none) by the key an
    evaluation records them under: ``"overlaps_training"`` those with the contents of a
    training or validation input, ``"shares_file_with_training"`` those only read from the
    same file (:attr:`Overlap.same_file_only`); a key only where it names a file.
    :meth:`eegpt.probe.EEGPTProbe.evaluate` records them beside its metrics, ``eegpt probe
    evaluate --json`` in its provenance."""
    names: dict[str, list[str]] = {}
    for key, same_file_only in (("overlaps_training", False), ("shares_file_with_training", True)):
        found = [o.name for o in overlap or [] if o.same_file_only == same_file_only]
        if found:
            names[key] = found
    return names


def overlap_warnings(
    training: Any,
    overlap: Sequence[Overlap] | None,
    tested: Sequence[str | os.PathLike[str]],
    early_stopping: bool | None = None,
) -> list[str]:
    """The warnings of an evaluation on the test files ``tested`` (paths as given) of a probe
    whose ``training`` record found ``overlap`` (:func:`training_overlap`; None: none) among
    them: :func:`overlap_text` of each, then :func:`subject_overlap_text`'s of the files of a
    subject trained on, in other files, if any. ``early_stopping``: whether the probe was
    trained with early stopping (``patience``). :meth:`eegpt.probe.EEGPTProbe.evaluate` and
    ``eegpt probe evaluate`` warn of them and keep them in ``metrics["warnings"]``."""
    said = [overlap_text(*found) for found in overlap or []]
    names = [o.name for o in overlap or []]  # warned of already: not again by subject
    subjects = subject_overlap_text(training, tested, names, early_stopping=early_stopping)
    return said if subjects is None else [*said, subjects]


def subject_overlap_text(
    training: Any,
    tested: Sequence[str | os.PathLike[str]],
    skip: Sequence[str] = (),
    early_stopping: bool | None = None,
) -> str | None:
    """The warning of an evaluation on files of a subject the probe was trained on, in other
    files (subject-level leakage: the same person's EEG on both sides, which scores higher
    than on new subjects), or None. Each test file's subject is read from its path as given
    (:func:`eegpt._filenames.subject_of`: BIDS ``sub-LABEL``; TUH ``PATIENT_sNNN`` only where
    the probe was trained with ``--val-by subject``, which reads it so: ``run_s1.fif`` and
    ``run_s2.fif`` are otherwise no subject ``run``), the training subjects from the names of
    the training inputs the probe records (``training["inputs"]``; not the ``--val-data`` ones,
    nor those a validation fraction held out whole, :func:`input_roles`, unless
    ``early_stopping``: those chose the pass kept, which is said in other words).
    ``skip``: test file names already warned of as a training input
    (:func:`training_overlap`), not said twice."""
    from eegpt._filenames import subject_of

    if not isinstance(training, dict) or not isinstance(training.get("inputs"), list):
        return None
    validation = training.get("validation")
    tuh = isinstance(validation, dict) and validation.get("by") == "subject"
    trained: dict[str, list[str]] = {}
    chose: dict[str, list[str]] = {}  # validation subjects that chose the pass kept
    for item, role in zip(training["inputs"], input_roles(training), strict=True):
        if isinstance(item, dict) and item.get("name"):
            subject = subject_of(str(item["name"]), tuh=tuh)
            if subject is None or (role == "validation" and not early_stopping):
                continue  # held out and only monitored: the probe did not learn from it
            side = chose if role == "validation" else trained
            side.setdefault(subject, []).append(str(item["name"]))
    said = _shared_subjects_text(trained, tested, skip, tuh, "training")
    if said is None and early_stopping:
        said = _shared_subjects_text(chose, tested, skip, tuh, "validation")
    return said


def _shared_subjects_text(
    trained: Mapping[str, list[str]],
    tested: Sequence[str | os.PathLike[str]],
    skip: Sequence[str],
    tuh: bool,
    role: str,
) -> str | None:
    """:func:`subject_overlap_text`'s warning of the test files of a subject of ``trained``
    (each subject's input names): of the probe's ``"training"`` data, or of its
    ``"validation"`` data held out by group when they chose the pass kept (early
    stopping)."""
    from eegpt._filenames import subject_of

    shared: dict[str, list[str]] = {}
    for path in tested:
        subject = subject_of(path, tuh=tuh)
        if subject is not None and subject in trained and Path(path).name not in skip:
            shared.setdefault(subject, []).append(Path(path).name)
    if not shared:
        return None
    said = [
        f"{subject} (test {', '.join(dict.fromkeys(files))}; {role} "
        f"{', '.join(trained[subject][:3])}{' ...' if len(trained[subject]) > 3 else ''})"
        for subject, files in shared.items()
    ]
    one = len(shared) == 1
    listed = f"{'; '.join(said[:5])}{' and more' if len(said) > 5 else ''}"
    if role == "validation":
        return (
            f"the test data share {'a subject' if one else f'{len(shared)} subjects'} with the "
            f"probe's validation data (held out by group, never trained on, but used for model "
            f"selection: early stopping kept the pass of lowest validation loss), in other "
            f"files: {listed}. The pass kept was chosen on this subject's windows, so these "
            "scores may be somewhat higher than on new subjects: for a clean held-out "
            "estimate, test on subjects the probe neither trained nor validated on"
        )
    return (
        f"the test data share {'a subject' if one else f'{len(shared)} subjects'} with the "
        f"probe's training data, in other files: {listed}. Windows of a subject trained on "
        "score higher than those of new subjects (subject-level leakage): for a held-out "
        "estimate, test on subjects the probe was not trained on"
    )


#: how :func:`training_overlap` names a validation input (``--val-data``) it matched
VALIDATION_INPUT = "validation input "
#: ... and an input a validation fraction held out whole (``--val-by``, ``groups=``)
HELD_OUT_INPUT = "input held out for validation "
#: ... and an input of a probe that held out groups without recording which epochs
GROUPED_INPUT = "input (trained on or held out for validation: not recorded) "


def overlap_text(
    name: str,
    trained: str,
    same_file_only: bool = False,
    tested_in_memory: bool = False,
    early_stopping: bool | None = None,
) -> str:
    """The warning of an evaluation on a file the probe was trained (or validated) on: the
    same contents (a path compared with a path), or with ``same_file_only`` the same file
    only (epochs in memory read from it on one side: they may be other epochs of it). Of
    validation data, by what they were used for: with ``early_stopping`` they chose the pass
    kept; without (False) they were only monitored, the last pass kept; None: not known."""
    validation = trained.startswith((VALIDATION_INPUT, HELD_OUT_INPUT))
    if trained.startswith(GROUPED_INPUT):
        return (
            f"test file {name} is one of the probe's inputs (same contents as its {trained}): "
            "trained on, or held out whole for validation by group; either way these metrics "
            "are not a held-out estimate"
        )
    use = {
        True: "used for model selection (early stopping: the pass kept had the lowest "
        "validation loss)",
        False: "monitored during training only (no early stopping: the last pass kept, not "
        "chosen by it)",
        None: "used in training (monitored, and with early stopping choosing the pass kept)",
    }[early_stopping]
    if same_file_only:
        test = f"test epochs from {name}" if tested_in_memory else f"test file {name}"
        role = f"{trained}, {use}" if validation else f"training input {trained}"
        return (
            f"{test}: read from the same file as {role} (the epochs may differ; eegpt cannot "
            "tell which were used): where they are the same epochs, these metrics are not a "
            "held-out estimate"
        )
    if validation:
        return (
            f"test file {name} is the probe's validation data, {use}; same contents as its "
            f"{trained}: these metrics are not a held-out estimate"
            + (
                " (the weights do not depend on these data, but they were watched while "
                "training, and may have guided its settings)"
                if early_stopping is False
                else ""
            )
        )
    return (
        f"test file {name} is the probe's training data (same contents as training input "
        f"{trained}): these metrics are not a held-out estimate"
    )


def class_counts(y: np.ndarray, classes: np.ndarray) -> dict[str, int]:
    """How many of the class indices ``y`` fall in each class, by the class's text, in the
    order of ``classes``."""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=len(classes))
    return {str(c): int(n) for c, n in zip(classes.tolist(), counts.tolist(), strict=True)}


def indices_record(indices: np.ndarray) -> dict[str, Any]:
    """The epochs a validation fraction held out, by their index among the epochs training
    read (all inputs in the order given, each file's epochs in its order; ascending):
    ``{"indices": [...]}`` up to :data:`MAX_LISTED_INDICES` of them, else ``{"indices_sha256":
    ...}``, the SHA-256 of their decimal text joined by commas (``"0,5,7"``), which
    ``hashlib.sha256(",".join(map(str, idx)).encode()).hexdigest()`` gives again."""
    listed = [int(i) for i in np.asarray(indices).tolist()]
    if len(listed) <= MAX_LISTED_INDICES:
        return {"indices": listed}
    text = ",".join(map(str, listed)).encode()
    return {"indices_sha256": hashlib.sha256(text).hexdigest()}


def probe_identity(folder: str | os.PathLike, probe: Any) -> dict[str, Any]:
    """Which probe made an output: its folder as given, the SHA-256 of its
    ``probe.safetensors`` (its weights as saved), its encoder's weights fingerprint
    (``weights_sha256``, that of the tuned weights for a fine-tuned model), and
    ``encoder_pretrained: false`` where its encoder's weights are random (not pretrained:
    ``probe.encoder["pretrained"]``), by which a table's figures and ``eegpt info`` say so."""
    from eegpt._file_identity import file_sha256
    from eegpt.probe_folder import PROBE_WEIGHTS

    record: dict[str, Any] = {"path": os.fspath(folder)}
    try:
        record["probe_safetensors_sha256"] = file_sha256(Path(folder).expanduser() / PROBE_WEIGHTS)
    except OSError:
        pass
    encoder = getattr(probe, "encoder", None) or {}
    fingerprint = encoder.get("tuned_weights_sha256") or encoder.get("weights_sha256")
    if fingerprint:
        record["encoder_weights_sha256"] = fingerprint
    if encoder.get("pretrained") is False:
        record["encoder_pretrained"] = False
    return record


def output_provenance(
    folder: str | os.PathLike, probe: Any, inputs: list[dict[str, Any]], **more: Any
) -> dict[str, Any]:
    """The provenance of an output of ``eegpt probe predict`` or ``evaluate``: the eegpt
    version and the software that can change its numbers, when it was made (local time, ISO
    8601 with the UTC offset), the command line, the probe (:func:`probe_identity`) and the
    input files (:func:`files_record`), and ``more``."""
    from eegpt import __version__
    from eegpt._logging import command_record
    from eegpt.api import software_versions

    return {
        "eegpt_version": __version__,
        "software": software_versions(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime()),
        **command_record(),
        "probe": probe_identity(folder, probe),
        "inputs": inputs,
        **more,
    }


def sidecar_path(output: Path) -> Path:
    """The JSON sidecar of a CSV or TSV prediction table: its whole name with ``.json``
    added (``predictions.csv`` -> ``predictions.csv.json``). Not BIDS' ``<stem>.json``, which
    would make ``predictions.csv``, ``predictions.tsv`` and ``predictions`` share one sidecar,
    and be the name of an ``evaluate --json predictions.json`` beside them: one sidecar per
    table, named after it."""
    return output.with_name(output.name + ".json")


def _input_name(record: Any) -> str:
    """An input of a probe's ``training`` as ``eegpt info`` names it: a file by its name, data
    given in memory by their type, and the file they were read from (``read_from``; the files,
    ``read_from_all``, where several)."""
    from eegpt._logging import few

    if not isinstance(record, dict):
        return "?"
    name = str(record.get("name") or record.get("type") or "?")
    read = record.get("read_from")
    read = read.get("name") if isinstance(read, dict) else read
    every = record.get("read_from_all")
    if isinstance(every, list) and len(every) > 1:  # mne.concatenate_raws of several files
        names = [str(r.get("name") or "?") if isinstance(r, dict) else str(r) for r in every]
        return f"{name} read from {len(names)} files ({few(names, 4)})"
    return f"{name} read from {read}" if read else name


def _identity_text(record: dict[str, Any]) -> str:
    """A recorded file's size and fingerprint (:func:`file_record`; the fingerprint shortened)
    for ``eegpt info``; "size and fingerprint not recorded" where it could not be read."""
    size, fingerprint = record.get("source_bytes"), record.get("source_fingerprint")
    said = []
    if isinstance(size, int):
        said.append(f"{size} bytes")
    if fingerprint:
        said.append(f"fingerprint {str(fingerprint)[:12]}...")
    return ", ".join(said) or "size and fingerprint not recorded"


def ignored_rows_text(record: Mapping[str, Any]) -> str:
    """``"; 80 rows for 2 other files ignored (sub-3.edf, sub-4.edf)"``: what a labels file's
    record (``rows_ignored``, :func:`eegpt.label_rows.labels_file_record`) says of its
    rows for files not given, for ``eegpt info``; "" where none were ignored."""
    ignored = record.get("rows_ignored")
    if not isinstance(ignored, dict):
        return ""
    rows, files = ignored.get("rows", "?"), ignored.get("files", "?")
    names = [str(n) for n in ignored.get("names") or []]
    more = files - len(names) if isinstance(files, int) and files > len(names) else 0
    listed = ", ".join(names) + (f" and {more} more" if more else "")
    return (
        f"; {rows} row{'' if rows == 1 else 's'} for {files} other "
        f"file{'' if files == 1 else 's'} ignored" + (f" ({listed})" if listed else "")
    )


def training_data_text(training: dict[str, Any], seed: Any = None) -> str:
    """The line of ``eegpt info`` that names a probe's training data (``trained on: 1 file
    (train-epo.fif, 120 epochs: a 60, b 60); validation 24 epochs of them (seed 7)``; data
    given in memory with the file MNE read them from, ``mne.Epochs in memory read from
    train-epo.fif``), its validation, and a second line naming the ``--labels`` file it was
    trained with (``labels_file``: its size and fingerprint); "not recorded" for probes saved
    before eegpt recorded them."""
    from eegpt._logging import few

    inputs = training.get("inputs")
    counts = training.get("class_counts") or {}
    labels = training.get("labels_file")
    labels_line = (
        f"\n  labels from the file {labels['name']} (--labels; {_identity_text(labels)}"
        f"{ignored_rows_text(labels)})"
        if isinstance(labels, dict) and labels.get("name")
        else ""
    )
    if not isinstance(inputs, list):
        return (
            "  trained on: not recorded (probe saved before eegpt recorded its training data)"
            + labels_line
        )
    names = [
        _input_name(r)
        + (
            f" {r['n_epochs']} epochs"
            if isinstance(r.get("n_epochs"), int) and len(inputs) > 1
            else ""
        )
        for r in inputs
    ]
    files = sum(1 for r in inputs if "name" in r)
    what = (
        f"{len(inputs)} file{'s' if len(inputs) != 1 else ''}"
        if files == len(inputs)
        else (f"{len(inputs)} input{'s' if len(inputs) != 1 else ''}")
    )
    val = training.get("validation") or {}
    total = dict(counts.get("train") or {})
    if val.get("kind") == "fraction":  # the validation epochs came from the same data
        for c, n in (counts.get("validation") or {}).items():
            total[c] = total.get(c, 0) + n
    n_total = sum(total.values()) if total else training.get("n_train", "?")
    per_class = ": " + ", ".join(f"{c} {n}" for c, n in total.items()) if total else ""
    text = f"  trained on: {what} ({few(names, 6)}, {n_total} epochs{per_class})"
    n_val = training.get("n_validation") or 0
    if val.get("kind") == "fraction":
        text += f"; validation {n_val} epochs of them" + (
            f" (seed {seed})" if seed is not None else ""
        )
    elif val.get("kind") == "held-out data":
        held = val.get("inputs")
        of = f" of {few([_input_name(r) for r in held], 4)}" if isinstance(held, list) else ""
        val_counts = counts.get("validation") or {}
        text += f"; validation {n_val} epochs{of}" + (
            ": " + ", ".join(f"{c} {n}" for c, n in val_counts.items()) if val_counts else ""
        )
    else:
        text += "; no validation"
    return text + labels_line


def run_text(training: dict[str, Any]) -> str:
    """``"  device cpu, 8 torch threads ..."``, or "torch threads not recorded" for older
    probes."""
    from eegpt._logging import count

    threads = training.get("torch_threads")
    return f"  device {training.get('device', 'not recorded')}, " + (
        f"{count(int(threads), 'torch thread')} (on CPU another thread count changes the "
        "weights' last bits)"
        if isinstance(threads, int) and threads
        else "torch threads not recorded"
    )


#: The ``format`` of what a prediction table records of itself (a Parquet file's schema
#: metadata under ``eegpt_predictions``, a CSV's or TSV's sidecar JSON).
PREDICTIONS_FORMAT = "eegpt-probe-predictions"


def predictions_record(path: str | os.PathLike) -> tuple[dict[str, Any], Path | None] | None:
    """What a prediction table of ``eegpt probe predict -o`` records of itself
    (``{"format": "eegpt-probe-predictions", "provenance": {...}, "table": {...}}``) and the
    table, from a ``.parquet`` file's schema metadata, a CSV's or TSV's sidecar (given the
    table or the sidecar: ``pred.csv`` or ``pred.csv.json``; the table None where it is gone);
    None where ``path`` is none of those (a CSV or TSV without a sidecar too).

    Raises
    ------
    ValueError
        A sidecar that is not JSON, or whose format is not eegpt's; a record whose
        ``provenance`` is not an object."""
    import json

    path = Path(path)
    name = path.name.lower()
    sidecar: Path | None = None
    if name.endswith(".parquet"):
        from eegpt.optional_packages import require_pyarrow
        from eegpt.probe_predictions import PREDICTIONS_KEY

        try:
            _, pq = require_pyarrow("reading a Parquet prediction table")
            schema = pq.read_schema(path)
            found = (schema.metadata or {}).get(PREDICTIONS_KEY.encode())
        except (ImportError, OSError, ValueError):  # told by the embeddings file's reader
            return None
        if found is None and b"eegpt" not in (schema.metadata or {}):
            _refuse_metadata_lost(path, schema.names)
        table: Path | None = path
    elif name.endswith((".csv.json", ".tsv.json")):
        sidecar = path
        found = path.read_bytes()
        table = path.with_name(path.name[: -len(".json")])
        table = table if table.is_file() else None
    elif name.endswith((".csv", ".tsv")) and sidecar_path(path).is_file():
        sidecar = sidecar_path(path)
        found, table = sidecar.read_bytes(), path
    else:
        return None
    try:
        record = json.loads(found) if found else None
    except ValueError as e:
        if sidecar is None:
            return None
        what = f"the sidecar {path}" if sidecar == path else f"{path}: its sidecar {sidecar.name}"
        raise ValueError(f"{what} could not be read as JSON: {e}") from None
    where = (
        f"the sidecar {sidecar}"
        if sidecar is not None
        else f"the {PREDICTIONS_FORMAT} record of {path}"
    )
    if not isinstance(record, dict) or record.get("format") != PREDICTIONS_FORMAT:
        if sidecar is None:
            return None
        raise ValueError(f"{where} is not one eegpt wrote (its format is not {PREDICTIONS_FORMAT})")
    if not isinstance(record.get("provenance", {}), dict):
        raise ValueError(f"{where} is not one eegpt wrote (provenance is not an object)")
    return record, table


def _refuse_metadata_lost(path: Path, columns: Sequence[str]) -> None:
    """Refuse a Parquet file with the columns of a prediction table of ``eegpt probe
    predict`` (``file``, ``epoch``, ``prediction`` and ``p_<class>`` ones) but no eegpt
    metadata: written again by a tool that drops it (pandas' ``to_parquet``), saying how to
    keep it. Anything else is left to the embeddings file's reader."""
    names = set(columns)
    if not ({"file", "epoch", "prediction"} <= names and any(c.startswith("p_") for c in names)):
        return
    from eegpt.probe_predictions import PREDICTIONS_KEY

    raise ValueError(
        f"{path} looks like a prediction table of eegpt probe predict (its columns: file, "
        f"epoch, prediction, p_<class> ...), but its eegpt metadata ({PREDICTIONS_KEY}: the "
        "probe, the inputs, the table's digest) is gone, probably lost when it was written "
        "again (pandas' read_parquet(...).to_parquet(...) drops it). To edit such a table and "
        "keep it, use pyarrow: original = pyarrow.parquet.read_table(path); modify it into "
        "table; pyarrow.parquet.write_table(table.replace_schema_metadata("
        "original.schema.metadata), new_path). The original file, if kept, still has it"
    )


def table_record(name: str, data: bytes) -> dict[str, Any]:
    """What a CSV's or TSV's sidecar records of its table (``data``, the table's bytes, named
    ``name``): its file name, size and SHA-256, by which ``eegpt info`` tells a table
    replaced since (``probe predict > pred.csv`` over an earlier ``-o pred.csv``) or a
    sidecar copied beside another table."""
    import hashlib

    return {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


#: How :func:`table_data_digest` hashes a table's data (recorded beside the digest, so that
#: another method later is told apart from a changed table). v2 hashes values, not Arrow
#: types: a table read into pandas and written back unedited keeps its digest.
DATA_DIGEST_METHOD = "eegpt-columns-sha256-v2"
#: The method before, by type (an int column with nulls that pandas made float64 changed its
#: digest): tables that record it are still checked with it (:func:`parquet_staleness`).
DATA_DIGEST_METHOD_V1 = "eegpt-columns-sha256-v1"


def table_data_digest(table: Any, method: str = DATA_DIGEST_METHOD) -> str:
    """The SHA-256 of a pyarrow Table's data, whatever its row groups or chunks: of a Parquet
    prediction table (``eegpt probe predict -o X.parquet``), recorded in its metadata
    (``"data"``, :func:`table_data_record`) so that ``eegpt info`` tells rows edited and
    written back with the metadata kept. The schema metadata is not hashed.

    Canonical form (:data:`DATA_DIGEST_METHOD`, v2), by value, so that a table read into
    pandas and written back unedited (``pa.Table.from_pandas(table.to_pandas())``: integers
    with nulls become float64, NaN becomes null) keeps its digest: the number of rows, then
    for each column in order, its name (UTF-8) and a kind tag, then its values with the
    chunks joined (a dictionary column decoded): which rows are missing (one byte per row;
    null and a float NaN alike); the other values of a numeric column (integers and floats
    alike, tag ``number``) as little-endian float64 where every one of them is exactly a
    float64 (always so for predictions, labels, probabilities, epoch numbers), else the
    integers as int64 (uint64 above its range; tags ``int64``, ``uint64``); booleans as one
    byte (tag ``bool``); of a text or binary column (``string``, ``large_string``,
    ``string_view`` alike: tag ``text``; ``binary``, ``large_binary``, ``binary_view``,
    ``fixed_size_binary``: tag ``binary``), each value's length as int64 then all their
    bytes; of any other type, the JSON of its Python values (tag: the Arrow type). A column
    with no value but missing ones has the tag ``missing`` (pandas makes an all-null column
    of any type a ``null`` one). Each part is prefixed by its length, so no two tables run
    together into the same bytes.

    ``method`` :data:`DATA_DIGEST_METHOD_V1`: the digest as eegpt recorded it before, by
    Arrow type (the dtype of a fixed-width column, ``string``/``large_string`` as text), by
    which the tables written then are checked."""
    if method == DATA_DIGEST_METHOD_V1:
        return _table_data_digest_v1(table)
    if method != DATA_DIGEST_METHOD:
        raise ValueError(f"unknown table digest method {method!r}")
    import json

    import pyarrow as pa

    digest = hashlib.sha256()

    def part(data: bytes) -> None:
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)

    def is_text(kind: Any) -> bool:
        view = getattr(pa.types, "is_string_view", lambda _: False)
        return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind) or view(kind))

    def is_binary(kind: Any) -> bool:
        view = getattr(pa.types, "is_binary_view", lambda _: False)
        return bool(
            pa.types.is_binary(kind)
            or pa.types.is_large_binary(kind)
            or pa.types.is_fixed_size_binary(kind)
            or view(kind)
        )

    part(str(table.num_rows).encode())
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        values = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        if pa.types.is_dictionary(kind):
            values, kind = values.dictionary_decode(), kind.value_type
        if is_text(kind) or is_binary(kind):  # views, fixed size: as the plain large types
            kind = pa.large_string() if is_text(kind) else pa.large_binary()
            values = values.cast(kind)
        valid = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if pa.types.is_floating(kind):  # NaN is missing, as pandas writes it (a null)
            floats = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
            valid &= ~np.isnan(floats)
        kept = values.filter(pa.array(valid)) if not valid.all() else values
        items: list[bytes] | None = None
        data = b""
        if not valid.any():
            tag = "missing"
        elif is_text(kind):
            items = [v.encode("utf-8") for v in kept.to_pylist()]
            tag = "text"
        elif is_binary(kind):
            items = [bytes(v) for v in kept.to_pylist()]
            tag = "binary"
        elif pa.types.is_boolean(kind):
            array = np.asarray(kept.to_numpy(zero_copy_only=False), dtype=np.uint8)
            tag, data = "bool", array.tobytes()
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
            tag, data = _number_bytes(np.asarray(kept.to_numpy(zero_copy_only=False)))
        else:
            tag = str(kind)
            data = json.dumps(kept.to_pylist(), default=str, allow_nan=True).encode()
        part(name.encode("utf-8"))
        part(tag.encode())
        part(valid.astype(np.uint8).tobytes())
        if items is not None:
            part(np.array([len(v) for v in items], dtype="<i8").tobytes())
            part(b"".join(items))
        else:
            part(data)
    return digest.hexdigest()


def _number_bytes(array: np.ndarray) -> tuple[str, bytes]:
    """The tag and bytes of the (non-missing) values of a numeric column in
    :func:`table_data_digest`'s v2 form: float64 where each is exactly one, else the
    integers as they are (int64, or uint64 for those above int64's range)."""
    if array.dtype.kind == "f":
        return "number", array.astype("<f8").tobytes()
    floats = array.astype(np.float64)
    unsigned = array.dtype.kind == "u"
    limit = 2.0**64 if unsigned else 2.0**63
    inside = (floats < limit) & (floats >= (0.0 if unsigned else -limit))
    exact_type = np.uint64 if unsigned else np.int64
    back = np.where(inside, floats, 0.0).astype(exact_type)
    if inside.all() and np.array_equal(back, array.astype(exact_type)):
        return "number", floats.astype("<f8").tobytes()
    if unsigned and array.max() > np.iinfo(np.int64).max:
        return "uint64", array.astype("<u8").tobytes()
    return "int64", array.astype("<i8").tobytes()


def _table_data_digest_v1(table: Any) -> str:
    """:func:`table_data_digest` by :data:`DATA_DIGEST_METHOD_V1`, as eegpt recorded it
    before v2 (kept to check the tables written then).

    Canonical form: the number of rows, then for each column in
    order, its name (UTF-8) and a type tag, then its values with the chunks joined: which rows
    are null (one byte per row); the non-null values of a fixed-width column (integers,
    floats, booleans as one byte) as a little-endian NumPy array, its dtype in the tag; of a
    text or binary column (``string`` and ``large_string`` alike, tag ``text`` or ``binary``),
    each value's length as int64 then all their bytes; of any other type, the JSON of its
    Python values (tag: the Arrow type). Each part is prefixed by its length, so no two
    tables run together into the same bytes."""
    import json

    import pyarrow as pa

    digest = hashlib.sha256()

    def part(data: bytes) -> None:
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)

    part(str(table.num_rows).encode())
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        values = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        if pa.types.is_dictionary(kind):
            values, kind = values.dictionary_decode(), kind.value_type
        valid = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=np.uint8)
        kept = values.drop_null()
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            items = [v.encode("utf-8") for v in kept.to_pylist()]
            tag, data = "text", None
        elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            items = list(kept.to_pylist())
            tag, data = "binary", None
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
            array = np.asarray(kept.to_numpy(zero_copy_only=False))
            array = array.astype(np.uint8) if array.dtype == np.bool_ else array
            array = array.astype(array.dtype.newbyteorder("<"))
            tag, data = array.dtype.str, array.tobytes()
        else:
            tag = str(kind)
            data = json.dumps(kept.to_pylist(), default=str, allow_nan=True).encode()
        part(name.encode("utf-8"))
        part(tag.encode())
        part(valid.tobytes())
        if data is None:
            part(np.array([len(v) for v in items], dtype="<i8").tobytes())
            part(b"".join(items))
        else:
            part(data)
    return digest.hexdigest()


def table_data_record(table: Any) -> dict[str, Any]:
    """What a Parquet prediction table records of its data: ``{"rows": n, "sha256": ...,
    "method": DATA_DIGEST_METHOD}`` (:func:`table_data_digest`)."""
    return {
        "rows": int(table.num_rows),
        "sha256": table_data_digest(table),
        "method": DATA_DIGEST_METHOD,
    }


def parquet_staleness(record: dict[str, Any], table: Path) -> str | None:
    """Why the metadata ``record`` of the Parquet prediction table ``table`` is not that of its
    data as they are now (None where it is): rows edited and written back with the metadata
    kept; tables written before eegpt recorded their data's digest cannot be checked. Also
    by which ``eegpt anonymize`` warns of a STALE table it copies."""
    mine = record.get("data")
    if isinstance(mine, dict) and mine.get("method") not in (
        DATA_DIGEST_METHOD,
        DATA_DIGEST_METHOD_V1,
    ):
        return (
            f"its metadata records a digest of its data by a method this eegpt does not know "
            f"({mine.get('method')!r}, a newer eegpt's?): the rows cannot be checked against it"
        )
    if not isinstance(mine, dict):
        return (
            "its metadata records no digest of its data (an older eegpt's): the rows cannot be "
            "checked against it"
        )
    from eegpt.optional_packages import require_pyarrow

    _, pq = require_pyarrow("reading a Parquet prediction table")
    now = pq.read_table(table)
    digest = table_data_digest(now, str(mine["method"]))  # a table of v1: as written then
    if mine.get("rows") != now.num_rows or mine.get("sha256") != digest:
        return (
            "STALE: the table's data changed since eegpt probe predict wrote it (rows/digest "
            "differ from those its metadata records)"
        )
    return None


def _staleness(record: dict[str, Any], table: Path) -> str | None:
    """Why the sidecar ``record`` is not that of ``table`` as it is now (None where it is)."""
    mine = record.get("table")
    if not isinstance(mine, dict):
        return (
            "the sidecar records no size or hash of its table (an older eegpt's): "
            "it cannot be checked against the table"
        )
    return table_mismatch(mine, table.name, table.read_bytes())


def table_mismatch(mine: Any, name: str, data: bytes) -> str | None:
    """How a sidecar's record of its table (``mine``: :func:`table_record`'s name, size and
    SHA-256) differs from the table named ``name`` holding ``data`` (None where it does not):
    by which ``eegpt info`` calls the table STALE and ``eegpt anonymize`` warns of it."""
    if mine.get("name") != name:
        return f"STALE: the sidecar names another table ({mine.get('name')})"
    if mine.get("size") != len(data) or mine.get("sha256") != hashlib.sha256(data).hexdigest():
        return "STALE: the table changed since its sidecar was written (size/hash differ)"
    return None


def predictions_report(
    path: str | os.PathLike, record: dict[str, Any], table: Path | None
) -> tuple[str, bool]:
    """What ``eegpt info`` says of a prediction table (:func:`predictions_record`): its rows and
    classes (of an events table, ``probe predict --events``, whose record has an ``events``
    block: its events per class and how they were made, :func:`_events_text`), the probe (folder and weights' SHA-256), the data, eegpt and when; and whether
    the table is as its record says and complete
    (False where the text says STALE: the table changed since it was written, or the sidecar
    names another table; or FAILED: inputs of ``probe predict`` that could not be predicted
    have no rows in it), by which ``eegpt info`` exits 3 as for a corpus whose recordings
    changed or failed."""
    import csv

    from eegpt._logging import few

    columns: list[str] = []
    rows: int | None = None
    made = record.get("provenance") or {}
    how = made.get("events") if isinstance(made.get("events"), dict) else None
    kinds: dict[str, int] = {}  # an events table's rows per class
    # a table of scoring epochs (probe predict --epoch-seconds): its epochs' lengths, and
    # the epochs without a prediction (no window counted in them)
    lengths: set[str] = set()
    unpredicted = 0
    if table is not None and table.suffix.lower() == ".parquet":
        from eegpt.optional_packages import require_pyarrow

        _, pq = require_pyarrow("reading a Parquet prediction table")
        meta = pq.read_metadata(table)
        columns, rows = list(meta.schema.names), meta.num_rows
        if how is not None and "class" in columns:
            for value in pq.read_table(table, columns=["class"]).column("class").to_pylist():
                kinds[str(value)] = kinds.get(str(value), 0) + 1
        if how is None and set(EPOCH_COLUMNS) <= set(columns):
            read = pq.read_table(table, columns=["duration_s", "prediction"])
            lengths = {str(v) for v in read.column("duration_s").to_pylist()}
            unpredicted = sum(v in (None, "") for v in read.column("prediction").to_pylist())
    elif table is not None:
        with open(table, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh, delimiter="\t" if table.suffix.lower() == ".tsv" else ",")
            columns = next(reader, [])
            at = columns.index("class") if how is not None and "class" in columns else None
            epochs = how is None and set(EPOCH_COLUMNS) <= set(columns)
            length = columns.index("duration_s") if epochs else None
            predicted = columns.index("prediction") if epochs else None
            rows = 0
            for row in reader:
                rows += 1
                if at is not None and at < len(row):
                    kinds[row[at]] = kinds.get(row[at], 0) + 1
                if (
                    length is not None
                    and predicted is not None
                    and max(length, predicted) < len(row)
                ):
                    lengths.add(row[length])
                    unpredicted += row[predicted] == ""
    classes = [c[2:] for c in columns if c.startswith("p_")]
    head = f"{path}: EEGPT probe {'events table' if how is not None else 'predictions'}"
    if table is None:
        head += " (the table beside it is gone)"
    elif how is not None:
        head += f"{'' if table == Path(path) else f' of {table.name}'}: " + _events_text(
            how, kinds, rows
        )
    else:
        head += f"{'' if table == Path(path) else f' of {table.name}'}: "
        head += _epochs_text(rows or 0, lengths, unpredicted) if lengths else f"{rows} rows"
        head += f", {len(classes)} classes [{few(classes, 8)}]" if classes else ""
    stale = None
    parquet = table is not None and table.suffix.lower() == ".parquet"
    if table is not None:
        stale = parquet_staleness(record, table) if parquet else _staleness(record, table)
    lines = [head]
    if stale is not None:
        said = (
            "what its metadata says of the table it was written as"
            if parquet
            else "what the sidecar says of the table it was written for"
        )
        lines.append(f"  {stale}; below, {said}" if stale.startswith("STALE") else f"  {stale}")
    lines += _provenance_lines(made)
    current = stale is None or not stale.startswith("STALE")
    # inputs that failed (FAILED): the table is not complete, as a corpus with failed files
    return "\n".join(lines), current and not made.get("failed")


#: The columns by which a prediction table is one of scoring epochs (``probe predict
#: --epoch-seconds``: one row per epoch, its length in ``duration_s``), not of windows.
EPOCH_COLUMNS = ("epoch", "duration_s", "covered_s", "prediction")


def _epochs_text(rows: int, lengths: set[str], unpredicted: int) -> str:
    """What ``eegpt info`` says of the rows of a table of scoring epochs: ``"960 scoring
    epochs of 30 s (2 without a prediction: no window in them)"``; ``lengths``: the texts of
    its ``duration_s`` cells (seconds)."""
    from eegpt._logging import count

    def seconds(text: str) -> str:
        try:
            return f"{float(text):g} s"
        except ValueError:
            return repr(text)

    of = " and ".join(sorted({seconds(t) for t in lengths}))
    text = f"{count(rows, 'scoring epoch')} of {of}"
    if unpredicted:
        text += f" ({unpredicted} without a prediction: no window counted in them)"
    return text


def _events_text(how: dict[str, Any], kinds: dict[str, int], rows: int | None) -> str:
    """What ``eegpt info`` says of an events table (``probe predict --events``): its events per
    class (``kinds``, of ``rows``), and how they were made of the windows (``how``: the
    record's ``events`` block)."""

    wanted = [str(c) for c in how.get("classes") or []]
    named = list(dict.fromkeys([*wanted, *kinds]))
    n = rows if rows is not None else sum(kinds.values())
    events = f"{n} event{'' if n == 1 else 's'}"
    if len(named) == 1:
        events += f" of class {named[0]!r}"
    elif named:
        events += " of classes " + ", ".join(f"{c!r} ({kinds.get(c, 0)})" for c in named)
    return f"{events}, {_event_settings_text(how)}"


def _event_settings_text(how: Mapping[str, Any]) -> str:
    """How events were made of windows (the ``events`` block of a prediction table's record
    or of an evaluation JSON): ``"from windows of 4 s every 4 s, min 10 s, merge gap 0 s,
    span centred"``, then the decision threshold where one was given (``", threshold
    p_seizure >= 0.3"``); ``?`` for a setting not recorded."""

    def seconds(key: str) -> str:
        value = how.get(key)
        return f"{value:g} s" if isinstance(value, (int, float)) else "?"

    threshold = how.get("threshold")
    cut = ""
    if isinstance(threshold, dict) and threshold:
        cut = ", threshold " + ", ".join(
            f"p_{c} >= {p:g}" if isinstance(p, (int, float)) else f"p_{c} >= ?"
            for c, p in threshold.items()
        )
    return (
        f"from windows of {seconds('window_seconds')} every {seconds('hop_seconds')}, min "
        f"{seconds('min_event_seconds')}, merge gap {seconds('merge_gap_seconds')}, span "
        f"{how.get('span', '?')}{cut}"
    )


#: What ``eegpt info`` adds to the probe of an output made by one whose encoder's weights
#: are random (its record's ``encoder_pretrained: false``), as it says of such a probe.
NOT_PRETRAINED_PROBE = ", its encoder NOT pretrained (random weights)"


def _provenance_lines(made: dict[str, Any]) -> list[str]:
    """The lines of ``eegpt info`` that say what an output of ``probe predict`` or ``probe
    evaluate`` records of how it was made (:func:`output_provenance`): the probe (folder and
    weights' SHA-256), the data and labels file, the crop of the epochs (``crop_tmin``), how
    the encoder ran (``inference``: precision, device, batch size), eegpt and when, the
    command."""
    import shlex

    from eegpt._logging import few, software_text

    probe: dict[str, Any] = made["probe"] if isinstance(made.get("probe"), dict) else {}
    inputs: list[Any] = made["inputs"] if isinstance(made.get("inputs"), list) else []
    names = [
        str(r.get("name") or r.get("type") or "?")
        + (f" {r['n_epochs']} epochs" if isinstance(r.get("n_epochs"), int) else "")
        for r in inputs
        if isinstance(r, dict)
    ]
    lines = [
        f"  probe: {probe.get('path', '?')} (probe.safetensors sha256 "
        f"{str(probe.get('probe_safetensors_sha256') or 'not recorded')[:16]}..., encoder "
        f"weights sha256 {str(probe.get('encoder_weights_sha256') or 'not recorded')[:16]}...)"
        + (NOT_PRETRAINED_PROBE if probe.get("encoder_pretrained") is False else ""),
        f"  data: {len(names)} input{'' if len(names) == 1 else 's'} ({few(names, 6)})"
        if names
        else "  data: not recorded",
    ]
    lines += _failed_lines(made.get("failed"), len(names))
    labels = made.get("labels_file")
    if isinstance(labels, dict) and labels.get("name"):
        lines.append(f"  labels: {labels['name']}{ignored_rows_text(labels)}")
    crop = made.get("crop_tmin")
    if isinstance(crop, (int, float)) and not isinstance(crop, bool):  # --crop, or the probe's
        lines.append(
            f"  epochs cropped to one window each from {crop:g} s around their event "
            f"(crop_tmin, --crop {crop:g})"
        )
    run = made.get("inference")
    if isinstance(run, dict):  # recorded since 2026-12-07
        batch = run.get("batch_size")
        lines.append(
            f"  encoder run in {run.get('precision', '?')}"
            + (f", stream {run['stream_precision']}" if run.get("stream_precision") else "")
            + f" on {run.get('device', '?')}, "
            + (f"batches of {batch}" if batch else "the device's default batch size")
        )
    lines.append(
        f"  eegpt {made.get('eegpt_version', '?')}"
        + software_text(made.get("software"))
        + (f", made {made['created']}" if made.get("created") else "")
    )
    if isinstance(made.get("command"), list) and made["command"]:
        lines.append(f"  made by: eegpt {shlex.join(str(w) for w in made['command'])}")
    if made.get("anonymized"):
        from eegpt.dataset_report import anonymized_text

        lines.append(f"  {anonymized_text(made['anonymized'])}: no paths, host or command")
    return lines


def _failed_lines(failed: Any, n_predicted: int) -> list[str]:
    """The lines of ``eegpt info`` naming the inputs that ``probe predict`` could not predict
    (the record's ``failed``: ``name`` and ``reason`` of each), left out of the table; none
    where there were none."""
    if not isinstance(failed, list) or not failed:
        return []
    items = [f for f in failed if isinstance(f, dict)]
    n = len(items)
    lines = [
        f"  FAILED: {n} of {n + n_predicted} inputs could not be predicted and have no rows "
        "in the table (it is not complete):"
    ]
    for item in items:
        name = str(item.get("name", "?"))
        reason = str(item.get("reason") or "?").splitlines()[0]
        head, sep, rest = reason.partition(": ")
        if sep and head.endswith(name):  # the error names it already: not twice
            reason = rest
        lines.append(f"    {name}: {reason[:200]}")
    return lines


#: The metrics of ``eegpt probe evaluate`` as ``eegpt info`` names them, in its order.
_METRIC_NAMES = {
    "balanced_accuracy": "BAC",
    "cohen_kappa": "Cohen's kappa",
    "weighted_f1": "weighted F1",
    "auroc": "AUROC",
    "accuracy": "accuracy",
}


#: The ``format`` of the JSON of ``eegpt probe evaluate --json`` (its first key). Files
#: written before eegpt marked them have none: they are told by their keys
#: (:func:`evaluation_record`).
EVALUATION_FORMAT = "eegpt-probe-evaluation/1"


def evaluation_record(path: str | os.PathLike) -> dict[str, Any] | None:
    """The JSON of ``eegpt probe evaluate --json FILE`` (``"format":
    "eegpt-probe-evaluation/1"``, :data:`EVALUATION_FORMAT`; the metrics at the top level,
    among them ``n`` and ``balanced_accuracy``, and ``provenance``: an object naming the
    ``probe``), read from ``path``; None where ``path`` is no such file (not JSON, another
    JSON). A file with a ``format`` is told by it; one without (written before eegpt marked
    them) by those keys.

    Raises
    ------
    ValueError
        A file marked as an evaluation of another version (a newer eegpt's), or whose
        metrics or provenance are missing."""
    import json

    try:
        record = json.loads(Path(path).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    marked = record.get("format")
    family = EVALUATION_FORMAT.split("/")[0] + "/"
    if marked is not None and not (isinstance(marked, str) and marked.startswith(family)):
        return None  # another format's file
    if marked is not None and marked != EVALUATION_FORMAT:
        raise ValueError(
            f"{path} is the JSON of eegpt probe evaluate --json in the format {marked}, which "
            f"this eegpt does not read (it reads {EVALUATION_FORMAT}): a newer eegpt wrote it"
        )
    made = record.get("provenance")
    whole = (
        {"n", "balanced_accuracy"} <= set(record)
        and isinstance(made, dict)
        and isinstance(made.get("probe"), dict)
    )
    if marked is not None and not whole:
        raise ValueError(
            f"{path} is marked as the JSON of eegpt probe evaluate --json ({marked}) but lacks "
            "its metrics (n, balanced_accuracy) or its provenance (naming the probe): not as "
            "eegpt wrote it"
        )
    return record if whole else None


def _overlap_warning_of(warning: str, name: str, whole: bool) -> bool:
    """Whether ``warning`` is :func:`overlap_text`'s of the test file ``name`` (``whole``: of
    the same contents, else of the same file only)."""
    if not warning.startswith((f"test file {name} ", f"test file {name}:")):
        return False
    return whole != warning.startswith(f"test file {name}: read from the same file")


def _evaluation_context(record: Mapping[str, Any], percent: Any) -> str:
    """``" | from 2 recording(s) | baselines: majority 50.00%, chance BAC 50.00%"``: what an
    evaluation JSON records beside the paper's metrics, where it does (older files: ""),
    led by ``" | per 30 s epoch"`` where it scored scoring epochs (``evaluate
    --epoch-seconds``; key ``scored``)."""
    text = ""
    scored = record.get("scored")
    if isinstance(scored, str) and scored.endswith(" epochs"):
        text += f" | per {scored.removesuffix('s')}"
    if isinstance(record.get("n_recordings"), int):
        text += f" | from {record['n_recordings']} recording(s)"
    baselines = [
        f"{shown} {percent(name)}"
        for name, shown in (
            ("majority_baseline_accuracy", "majority class"),
            ("chance_balanced_accuracy", "chance BAC"),
        )
        if name in record
    ]
    present, chance = record.get("classes_in_labels"), record.get("chance_balanced_accuracy")
    if baselines and isinstance(present, int) and isinstance(chance, (int, float)) and chance:
        # chance: a uniform guess over the probe's classes, some absent from the labels
        baselines[-1] += f" (1/{round(1 / chance)}: {present} of its classes in the labels)"
    if baselines:
        text += f" | baselines: {', '.join(baselines)}"
    return text


def _smallest_class_line(record: Mapping[str, Any]) -> str | None:
    """The smallest class's recall, precision and average precision where an evaluation
    JSON's classes are imbalanced (:func:`eegpt.probe_metrics.smallest_class_text`: accuracy
    and weighted F1 hardly weigh it); None otherwise, or in a file without ``per_class``."""
    from eegpt.probe_metrics import smallest_class_text

    try:
        return smallest_class_text(record)
    except (KeyError, TypeError, ValueError):  # a per_class not as eegpt writes it
        return None


def _event_score_lines(events: Any) -> list[str]:
    """The event scores of ``evaluate --event-scoring`` (the JSON's ``events``): the hours of
    windows and how events were made of them (:func:`_event_settings_text`), then per class
    its scored and predicted events with OVLP's line and TAES's below it: hits, misses and
    false alarms, sensitivity, precision, F1 and false alarms per 24 h; none for a file
    without them or with them not as eegpt writes them."""
    from eegpt._logging import number_text
    from eegpt._logging import percent_text as shown

    if not isinstance(events, dict) or not isinstance(events.get("scores"), dict):
        return []
    hours = events.get("hours")
    lines = [
        "  event scores (evaluate --event-scoring"
        + (f", {hours:.2f} h of windows" if isinstance(hours, (int, float)) else "")
        + f"; events {_event_settings_text(events)}):"
    ]

    def count(value: Any, digits: int) -> str:
        return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "?"

    for name, s in events["scores"].items():
        if not isinstance(s, dict):
            return []
        head = (
            f"    {name} ({s.get('scored_events', '?')} scored, "
            f"{s.get('predicted_events', '?')} predicted events) "
        )
        for key in ("ovlp", "taes"):
            r = s.get(key)
            if not isinstance(r, dict):
                continue
            digits = 0 if key == "ovlp" else 2  # TAES counts fractions of events
            lines.append(
                f"{head}{key.upper()}: hits {count(r.get('hits'), digits)}, missed "
                f"{count(r.get('misses'), digits)}, false alarms "
                f"{count(r.get('false_alarms'), digits)} | sensitivity "
                f"{shown(r.get('sensitivity'))}, precision {shown(r.get('precision'))}, F1 "
                f"{shown(r.get('f1'))}, false alarms per 24 h "
                f"{number_text(r.get('false_alarms_per_24h'))}"
            )
            head = " " * len(head)  # TAES below OVLP
    return lines


def describe_evaluation(path: str | os.PathLike, record: dict[str, Any]) -> str:
    """What ``eegpt info`` says of the JSON of ``eegpt probe evaluate --json``
    (:func:`evaluation_record`): the metrics in one line (percent, as ``probe evaluate`` prints
    them), the epochs left out (``--skip-unknown``; those scored as no sleep stage), whether a test file holds the probe's
    training or validation data (``provenance.overlaps_training``; absent: not checked) or
    is the file that epochs it was trained on in memory were read from
    (``provenance.shares_file_with_training``), each said once, the other
    warnings, and which probe, data and eegpt made it (as for a prediction table)."""
    import math

    from eegpt._logging import shortened

    def percent(name: str) -> str:
        value = record.get(name)
        if not isinstance(value, (int, float)) or math.isnan(value):
            return "n/a"
        return f"{100 * value:.2f}%"

    made: dict[str, Any] = record["provenance"]
    lines = [
        f"{path}: EEGPT probe evaluation (eegpt probe evaluate --json) of {record['n']} epochs"
        + (
            f" ({record['n_left_out']} left out: labels outside the classes)"
            if record.get("n_left_out")
            else ""
        )
        + (
            f" ({record['n_unscored']} left out: scored as no sleep stage)"
            if record.get("n_unscored")
            else ""
        ),
        "  "
        + " | ".join(f"{shown} {percent(name)}" for name, shown in _METRIC_NAMES.items())
        + _evaluation_context(record, percent),
    ]
    rare = _smallest_class_line(record)
    if rare:
        lines.append(f"  {rare}")
    lines += _event_score_lines(record.get("events"))
    warnings = [str(w) for w in record.get("warnings") or [] if w]
    overlaps = made.get("overlaps_training")
    shared = made.get("shares_file_with_training")
    shared = [str(n) for n in shared] if isinstance(shared, list) else []
    if isinstance(overlaps, list) and (overlaps or shared):
        # each file's own warning as evaluate wrote it (training or validation input, whole
        # contents or the file only), said once; a generic line where the file lacks it
        for name, whole in [(str(n), True) for n in overlaps] + [(n, False) for n in shared]:
            own = [w for w in warnings if _overlap_warning_of(w, name, whole)]
            warnings = [w for w in warnings if w not in own]
            if own:
                lines += [f"  WARNING: {w}" for w in own]
            elif whole:
                lines.append(
                    f"  WARNING: test file {name} holds the contents of one of the probe's "
                    "training or validation inputs: these metrics are not a held-out estimate"
                )
            else:
                lines.append(
                    f"  WARNING: test file {name}: read from the same file as one of the "
                    "probe's training or validation inputs (the epochs may differ; eegpt "
                    "cannot tell which were used)"
                )
    elif isinstance(overlaps, list):
        lines.append("  no test file holds the probe's training data (compared by contents)")
    else:
        lines.append(
            "  test files not compared with the probe's training data (a probe that records "
            "none, or an older eegpt)"
        )
    if warnings:
        lines.append(f"  WARNINGS ({len(warnings)}; the file's warnings has them in full):")
        lines += [f"    - {shortened(w, 150)}" for w in warnings]
    return "\n".join(lines + _provenance_lines(made))
