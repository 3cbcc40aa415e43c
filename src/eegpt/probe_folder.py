"""A saved probe's folder: its files (``probe.json`` beside ``probe.safetensors``) and format
marks, reading ``probe.json`` back, and :func:`describe_probe`, what ``eegpt info`` says of a
probe from ``probe.json`` alone. Importing it imports neither torch nor MNE (``eegpt
anonymize`` reads ``probe.json`` through it). Writing and loading a probe (which need its model) are
:meth:`eegpt.probe.EEGPTProbe.save` and :func:`eegpt.probe.load_probe`.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eegpt._logging import baseline_text, few, shortened, software_text
from eegpt.errors import MissingFileError
from eegpt.preprocessing_spec import seconds_text
from eegpt.probe_provenance import run_text, training_data_text

PROBE_WEIGHTS = "probe.safetensors"
PROBE_JSON = "probe.json"
PROBE_FORMAT = "eegpt-probe"
PROBE_FORMAT_VERSION = 1


#: What to do about a probe folder whose files eegpt did not write as they are.
_DAMAGED_PROBE = (
    "the probe folder is damaged or was written by another eegpt version (copy the whole "
    "folder again as `eegpt probe train` wrote it, or train the probe again)"
)

#: The kinds of the entries of ``probe.json`` (and of its ``channels``) that readers use.
_PROBE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "probe": dict,
    "encoder": dict,
    "frozen_encoder": bool,
    "channels": dict,
    "classes": list,
    "n_times": (int, float),
    "preprocessing": dict,
    "training": (dict, type(None)),
    "history": (list, type(None)),
}
_CHANNEL_FIELDS = ("input_names", "encoder_names", "encoder_chan_ids")
#: The entries :func:`eegpt.probe.load_probe` needs (those of ``channels`` too).
_LOAD_NEEDS = (
    "probe",
    "encoder",
    "frozen_encoder",
    "channels",
    "classes",
    "n_times",
    "preprocessing",
)


def check_probe_fields(meta: Mapping[str, Any], path: Path, *, to_load: bool = False) -> None:
    """Raise a ``ValueError`` naming ``path`` (a ``probe.json``) and the entries of ``meta``
    (its contents) that are of the wrong kind (``classes`` not a list, ``n_times`` not a whole
    number ...), or, with ``to_load``, missing where :func:`eegpt.probe.load_probe` needs them:
    a file edited by hand or damaged, which would otherwise end in a ``KeyError`` or
    ``TypeError`` deep inside a reader."""
    channels = meta.get("channels")
    wrong = [
        f"{key} ({type(meta[key]).__name__})"
        for key, kind in _PROBE_FIELDS.items()
        if key in meta
        and (not isinstance(meta[key], kind) or (kind is not bool and isinstance(meta[key], bool)))
    ]
    if isinstance(channels, dict):
        wrong += [
            f"channels.{key} ({type(channels[key]).__name__})"
            for key in _CHANNEL_FIELDS
            if key in channels and not isinstance(channels[key], list)
        ]
    missing = []
    if to_load:
        missing = [key for key in _LOAD_NEEDS if key not in meta]
        if isinstance(channels, dict):
            missing += [f"channels.{key}" for key in _CHANNEL_FIELDS if key not in channels]
        encoder = meta.get("encoder")
        needed = "weights_sha256" if meta.get("frozen_encoder") else "config"
        if isinstance(encoder, dict) and needed not in encoder:
            missing.append(f"encoder.{needed}")
    if wrong or missing:
        said = [f"entries of the wrong kind: {', '.join(wrong)}"] if wrong else []
        said += [f"no {', '.join(missing)}"] if missing else []
        raise ValueError(
            f"{path} is not a probe eegpt can read ({'; '.join(said)}): {_DAMAGED_PROBE}"
        )


def _read_probe_json(directory: Path) -> dict[str, Any]:
    path = directory / PROBE_JSON
    if not path.exists():
        from eegpt.formats import broken_link_text

        link = broken_link_text(path)  # a DataLad or git-annex file whose content is not here
        if link is not None:
            raise MissingFileError(f"no probe at {directory}: {link}")
        what = (
            f"{directory} is a file"
            if directory.is_file()
            else f"{directory} does not exist"
            if not directory.exists()
            else f"{PROBE_JSON} is missing"
        )
        raise MissingFileError(
            f"no probe at {directory} ({what}): probes are the folders `eegpt probe train` (or "
            "EEGPTProbe.save) writes. A checkpoint with a probe head (the original downstream "
            "scripts', braindecode's) is a model: eegpt.load_model(path), and model(x) gives its "
            "logits"
        )
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid JSON: {err}") from err
    except UnicodeDecodeError as err:  # saved again by an editor in UTF-16, or not text
        raise ValueError(
            f"{path} is not UTF-8 text ({err}), as eegpt writes it: {_DAMAGED_PROBE}"
        ) from err
    if not isinstance(meta, dict):
        raise ValueError(
            f"{path} holds a JSON {type(meta).__name__}, not the JSON object of a probe: "
            f"{_DAMAGED_PROBE}"
        )
    check_probe_fields(meta, path)
    if meta.get("format") != PROBE_FORMAT:
        raise ValueError(f"{path} is not an eegpt probe (format {meta.get('format')!r})")
    if meta.get("format_version", 0) > PROBE_FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer eegpt (format version {meta['format_version']}); "
            "upgrade eegpt to read it"
        )
    return meta


def describe_probe(directory: str | os.PathLike) -> str:
    """What ``eegpt info`` says of a probe folder, from its ``probe.json`` alone (the encoder is
    not loaded): kind, classes, channels, window, encoder reference, training."""
    from eegpt.preprocessing import PreprocessingConfig  # imports MNE: not for eegpt anonymize

    directory = Path(directory).expanduser()
    meta = _read_probe_json(directory)
    classes = [repr(c) for c in meta.get("classes", [])]
    channels = meta.get("channels") or {}
    names = channels.get("input_names") or []
    pre = meta.get("preprocessing") or {}
    encoder = meta.get("encoder") or {}
    config = encoder.get("config") or {}
    training = meta.get("training") or {}
    history = meta.get("history") or []
    kind = "linear probe (frozen encoder)" if meta.get("frozen_encoder") else "fine-tuned model"
    trained_start = training.get("window_labels") or {}
    if trained_start.get("start_seconds") or trained_start.get("starts"):
        # the windows' start is a recording's, shown on its own line below (not start 0 here)
        pre = {k: v for k, v in pre.items() if k != "start_seconds"}
    lines = [
        f"{directory}: EEGPT {kind}, {len(classes)} classes [{few(classes, 8)}]",
        f"  {len(names)} input channels: {few(list(names), 12)}"
        + (
            f" (kept: --keep-channels {','.join(channels['keep'])}, applied to the data "
            "predicted too)"
            if channels.get("keep")
            else ""
        ),
        f"  windows of {pre.get('window_seconds', '?')} s at {pre.get('sfreq', '?')} Hz "
        f"({meta.get('n_times', '?')} samples)",
        PreprocessingConfig.describe(pre),
        f"  encoder: embed_dim {config.get('embed_dim', '?')}, depth {config.get('depth', '?')}; "
        + _weights_source(encoder, bool(meta.get("frozen_encoder")))
        + (", NOT pretrained" if encoder.get("pretrained") is False else ""),
    ]
    if (meta.get("probe") or {}).get("chan_proj"):
        inner = channels.get("encoder_names") or []
        lines.insert(
            2,
            f"  channel projection: the {len(names)} input channels mixed into the encoder's "
            f"{len(inner)}: {few(list(inner), 12)}",
        )
    if channels.get("rename"):
        rename = channels["rename"]
        shown = (
            rename
            if isinstance(rename, str)
            else few([f"{k}={v}" if v else f"{k} left out" for k, v in rename.items()], 8)
        )
        lines.append(f"  channels renamed as in training: {shown}")
    if channels.get("on_unknown") == "raise":  # absent or "drop": dropped, as by default
        projected = bool((meta.get("probe") or {}).get("chan_proj"))
        lines.append(
            "  channels outside the EEGPT vocabulary refused, as in training (probe train "
            "--strict-channels; on_unknown='raise'): by predict and evaluate too"
            + (
                # strict_projection_refusal: one input's channels are all projected
                " where they take several inputs (merged by electrode); the channel "
                "projection takes every channel of one input, so none of one input is refused"
                if projected
                else ""
            )
        )
    if channels.get("on_missing") in ("raise", "ignore"):  # absent or None: by input
        lines.append(
            f"  rename keys the data lack: {channels['on_missing']}d, as in training "
            f"(on_missing={channels['on_missing']!r}), by the predictions too"
        )
    rescale = training.get("rescale")  # absent: the files as read (and before it was kept)
    if isinstance(rescale, (int, float)) and rescale != 1:
        lines.append(
            f"  training data rescaled by {rescale:g} as read (--rescale {rescale:g}), not part "
            "of the preprocessing above (which applies to new data as given): data predicted "
            f"in the training files' unit take --rescale {rescale:g} again"
        )
    baseline = training.get("epochs_baseline")  # absent or None: none recorded
    if baseline:
        lines.append(
            f"  training epochs baseline-corrected by MNE ({baseline_text(baseline)}: each "
            "channel's mean over it subtracted; eegpt does not): data predicted or evaluated "
            "should be corrected alike (predict and evaluate warn where they are not)"
        )
    if training.get("label_column"):
        lines.append(f"  labels: the epochs' metadata column {training['label_column']!r}")
    if training.get("window_labels"):
        from eegpt.probe_cli_inputs import trained_starts_option
        from eegpt.stim_events import StimEvents
        from eegpt.window_labelling import labelling_options, marker_spans_options

        how = training["window_labels"]
        if how.get("match") is None:  # --labels FILE
            lines.append(
                "  labels: continuous recordings' consecutive windows by the rows of a labels "
                "file (--labels)"
            )
        else:
            lines.append(
                "  labels: continuous recordings' windows by their annotations, "
                + labelling_options(how["match"], how.get("unlabelled"), how.get("min_overlap"))
                + (
                    f" (state markers made spans first: {marker_spans_options(how['marker_spans'])})"
                    if how.get("marker_spans")
                    else ""
                )
                + (
                    " (stim channel events made annotations first: "
                    f"{StimEvents.from_record(how['events_from_stim']).options})"
                    if how.get("events_from_stim")
                    else ""
                )
            )
        if how.get("overlap"):  # recorded only where the training windows overlapped
            lap = f"{float(how['overlap']):g}"
            lines.append(
                f"  trained on windows overlapping by {lap} s (--overlap {lap}); evaluate and "
                "predict do not adopt it: give their --overlap to score sliding windows"
            )
        if how.get("start_seconds"):
            start = seconds_text(float(how["start_seconds"]))  # exactly: given to --start
            lines.append(
                f"  trained on windows starting at {start} s (--start {start}): predict/evaluate "
                "adopt it without --start of their own"
            )
        elif how.get("starts"):
            starts = [
                f"{Path(f).name} {seconds_text(float(v))} s" for f, v in how["starts"].items()
            ]
            given = trained_starts_option(how)
            adopted = (
                "predict/evaluate adopt the rule without --start of their own (each "
                "recording's windows from its first scored epoch)"
                if how.get("start") == "annotations"
                else "predict/evaluate take --start again (their windows start at 0 without)"
            )
            lines.append(
                f"  trained on windows starting at each recording's own start ({given}): "
                f"{few(starts, 6)}; {adopted}"
            )
    if not meta.get("frozen_encoder", True):
        lines.append(_finetuning_line(training, meta.get("probe") or {}, encoder))
    elif training:
        lines.append(_probe_training_line(training, meta.get("probe") or {}))
    if training:
        n_val = training.get("n_validation") or 0
        passes = training.get("epochs_run", len(history))
        line = (
            f"  trained on {training.get('n_train', '?')} labelled epochs"
            + (f" ({n_val} more for validation)" if n_val else "")
            + f", {passes} pass{'' if passes == 1 else 'es'} over them"
        )
        kept = training.get("kept_epoch") or len(history)
        row = history[kept - 1] if history and 0 < kept <= len(history) else {}
        if "val_balanced_accuracy" in row:
            line += (
                f"; the weights of pass {kept} kept: validation balanced accuracy "
                f"{row['val_balanced_accuracy']:.3f}"
            )
        lines.append(line)
        lines.append(training_data_text(training, (meta.get("probe") or {}).get("seed")))
        lines.append(run_text(training))
    said = training.get("warnings") or []
    if said:
        head = f"  WARNINGS when trained ({len(said)}; probe.json's training.warnings has them in full):"
        lines.extend([head, *(f"    - {shortened(text, 150)}" for text in said)])
    lines.append(f"  eegpt {meta.get('eegpt_version', '?')}" + software_text(meta.get("software")))
    if meta.get("command"):  # trained from the command line
        lines.append(f"  made by: eegpt {shlex.join(meta['command'])}")
    if meta.get("anonymized"):  # an eegpt anonymize copy
        from eegpt.dataset_report import anonymized_text

        said = anonymized_text(meta["anonymized"], dated=_holds_a_date(meta))
        lines.append(f"  {said}: paths reduced to file names, no host or command")
    return "\n".join(lines)


def _holds_a_date(value: Any) -> bool:
    """Whether ``value`` (a probe.json) holds a date anywhere (a ``created`` or ``meas_date``,
    which ``eegpt anonymize`` moves or removes)."""
    if isinstance(value, dict):
        return any(
            (k in ("created", "meas_date") and bool(v)) or _holds_a_date(v)
            for k, v in value.items()
            if k != "anonymized"
        )
    if isinstance(value, list):
        return any(_holds_a_date(v) for v in value)
    return False


def _weights_source(encoder: Mapping[str, Any], frozen: bool) -> str:
    """``"checkpoint PATH (sha256 0123456789ab...)"`` (``"tuned from checkpoint ..."`` for a
    fine-tuning): the weights a probe was trained on, from ``probe.json``'s ``encoder``; for
    weights never read from a file (a model built in Python), that, with their fingerprint
    where recorded."""
    if encoder.get("path") or encoder.get("sha256"):
        where = "checkpoint" if frozen else "tuned from checkpoint"
        return f"{where} {encoder.get('path') or '?'} (sha256 {str(encoder.get('sha256'))[:12]}...)"
    text = "weights built in Python (no checkpoint file"
    if encoder.get("weights_sha256"):
        text += f"; weights sha256 {str(encoder['weights_sha256'])[:12]}..."
    return ("" if frozen else "tuned from ") + text + ")"


def _finetuning_line(
    training: Mapping[str, Any], recipe: Mapping[str, Any], encoder: Mapping[str, Any]
) -> str:
    """The settings of a fine-tuning (:func:`eegpt.finetune.finetune`) as ``eegpt info`` lists them,
    from ``probe.json``'s ``training``, ``probe`` (the recipe) and ``encoder`` (the tuned
    weights' fingerprint); those missing are left out (older files record no
    ``class_weight`` in ``training``: the recipe's is taken)."""
    facts = {
        "freeze_blocks": training.get("freeze_blocks"),
        "lr": training.get("lr"),
        "head lr": recipe.get("max_lr"),
        "layer_decay": training.get("layer_decay"),
        "weight_decay": recipe.get("weight_decay"),
        "batch size": recipe.get("batch_size"),
        "class_weight": training.get("class_weight", recipe.get("class_weight")),
        "seed": recipe.get("seed"),
        "precision": training.get("precision"),
        # finetune ignores patience without validation data: not shown where there were none
        "patience": (
            None
            if (training.get("validation") or {}).get("kind") == "none"
            else recipe.get("patience")
        ),
    }
    line = f"  fine-tuning: {_settings_text(facts)}{_run_text(training, recipe)}"
    if encoder.get("tuned_weights_sha256"):
        line += f"; tuned weights sha256 {encoder['tuned_weights_sha256'][:12]}..."
    return line


def _probe_training_line(training: Mapping[str, Any], recipe: Mapping[str, Any]) -> str:
    """The training settings of a linear probe (:func:`train_probe`) as ``eegpt info`` lists
    them, from ``probe.json``'s ``training`` and ``probe`` (the recipe, :class:`ProbeConfig`),
    with the validation and the passes run as for a fine-tuning; those missing are left
    out."""
    facts = {
        "max_lr": recipe.get("max_lr"),
        "weight_decay": recipe.get("weight_decay"),
        "pct_start": recipe.get("pct_start"),
        "batch size": recipe.get("batch_size"),
        # the passes asked for, where the record lacks those run (which say it)
        "passes": None if "epochs_run" in training else recipe.get("epochs"),
        "patience": recipe.get("patience"),
        "class_weight": training.get("class_weight", recipe.get("class_weight")),
        "seed": recipe.get("seed"),
        "precision": training.get("precision"),
        "stream": training.get("stream_precision"),
    }
    return f"  training: {_settings_text(facts)}{_run_text(training, recipe)}"


def _run_text(training: Mapping[str, Any], recipe: Mapping[str, Any]) -> str:
    """``"; validation fraction 0.2 (epochs at random); 12 passes (of at most 100) run,
    stopped early at pass 12"``: how a training was validated and how many passes it ran,
    from ``probe.json``'s ``training`` and ``probe``; "" where the record has neither."""
    text = ""
    if training.get("validation"):
        text += f"; {_validation_text(training['validation'])}"
    if "epochs_run" in training:
        run = training["epochs_run"]
        text += (
            f"; {run} pass{'' if run == 1 else 'es'} (of at most {recipe.get('epochs', '?')}) run"
        )
        if training.get("stopped_early"):
            text += f", stopped early at pass {run}"
    return text


def _settings_text(facts: Mapping[str, Any]) -> str:
    """``"lr 0.001, batch size 32, class_weight None"``: the settings that are known, and
    class_weight always (None is its value, not a gap)."""
    return ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in facts.items()
                     if v is not None or k == "class_weight")  # fmt: skip


def _validation_text(record: Mapping[str, Any]) -> str:
    """The training record's ``validation`` (:func:`split_training_data`) in words."""
    kind = record.get("kind")
    if kind == "fraction":
        groups = record.get("groups")
        if groups and record.get("by") == "recording":  # probe train --val-by recording
            # as recorded: the files' shortest distinct tails (sub-01/ses-1/eeg.edf), the
            # file name of an absolute path (a probe of an earlier version recorded them)
            held = [
                Path(str(g)).name if Path(str(g)).is_absolute() else str(g)
                for g in groups.get("held_out", [])
            ]
            return (
                f"validation fraction {record.get('fraction'):g}{_realised(record)} by recording "
                f"(--val-by recording: {len(held)} of {groups.get('count')} input files held out "
                f"whole: {', '.join(held)})"
            )
        if groups and record.get("by") in ("subject", "group"):  # --val-by subject, --val-group
            held = [str(g) for g in groups.get("held_out", [])]
            option = (
                "--val-by subject"
                if record.get("by") == "subject"
                else f"--val-group {shlex.quote(str(record.get('group_pattern')))}"
            )
            kind = "subjects" if record.get("by") == "subject" else "groups of input files"
            return (
                f"validation fraction {record.get('fraction'):g}{_realised(record)} by "
                f"{record.get('by')} ({option}: {len(held)} of {groups.get('count')} {kind} held "
                f"out whole: {', '.join(held)})"
            )
        if groups and record.get("by") == "column":  # --val-group-column NAME
            held = [str(g) for g in groups.get("held_out", [])]
            column = record.get("group_column")
            return (
                f"validation fraction {record.get('fraction'):g}{_realised(record)} by the "
                f"epochs' metadata column {column!r} (--val-group-column "
                f"{shlex.quote(str(column))}: {len(held)} of {groups.get('count')} groups held "
                f"out whole: {', '.join(held)})"
            )
        return f"validation fraction {record.get('fraction'):g}{_realised(record)}" + (
            f" by groups ({len(groups.get('held_out', []))} of {groups.get('count')} held out)"
            if groups
            else " (epochs at random)"
        )
    return "validation on held-out data" if kind == "held-out data" else "no validation"


def _realised(record: Mapping[str, Any]) -> str:
    """``" (realised 0.5)"``: the share of the epochs a split by groups held out, where
    recorded (``realised_fraction``), else ""."""
    realised = record.get("realised_fraction")
    return "" if realised is None else f" (realised {realised:.3g})"
