"""The prediction tables of ``eegpt probe predict`` and what they record of themselves.

``--output`` checked before anything is computed (:func:`check_prediction_output`,
:data:`PREDICTION_FORMATS`), the rows written as CSV, TSV or Parquet (:func:`write_predictions`)
with their provenance (:func:`prediction_provenance`) in Parquet metadata (:data:`PREDICTIONS_KEY`) or a
JSON sidecar (:func:`sidecar_of`), JSON without NaN (:func:`null_for_nan`), and the confusion
matrix ``eegpt probe evaluate`` prints (:func:`confusion_table`). The command line itself is
:mod:`eegpt.probe_cli`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eegpt._filenames import user_path
from eegpt.cli_options import checked_rescale
from eegpt.label_rows import labels_file_record

#: The files ``probe predict --output`` writes, by suffix: CSV and TSV (their separator), Parquet;
#: ``.txt`` and a name without a suffix are CSV, as all outputs were before the others.
PREDICTION_FORMATS: dict[str, str | None] = {
    ".csv": ",", ".tsv": "\t", ".parquet": None, ".txt": ",", "": ",",
}  # fmt: skip


def probability_order(classes: Sequence[Any], training: Mapping[str, Any] | None) -> np.ndarray:
    """The order of the ``p_<class>`` columns of the prediction tables (``probe predict``,
    :meth:`eegpt.probe.EEGPTProbe.predict_table`): indices into ``classes`` (the probe's
    ``classes_``, sorted). Sleep stages in the AASM order W, N1, N2, N3, R, that of
    ``probe evaluate``'s confusion matrix (:func:`eegpt.viz_hypnogram.stage_order` with
    ``aasm=True``; bare ``W`` and ``R`` count as stages where ``training``, the probe's
    training record, says it was trained on sleep stages:
    :func:`eegpt.viz_hypnogram.labelled_as_sleep`); other classes as they are (sorted, as
    the probe holds them)."""
    from eegpt.viz_hypnogram import labelled_as_sleep, stage_order

    classes = list(classes)
    order = stage_order(classes, aasm=True, sleep=labelled_as_sleep(training))
    return np.array([classes.index(c) for c in order], dtype=np.int64)


def check_prediction_output(given: str | None, option: str = "--output") -> Path | None:
    """``--output`` (or ``option``: ``--events``) as a path; refused, before anything is read
    or computed, where ``predict`` cannot write it: a folder, a suffix it does not write,
    Parquet without pyarrow, a folder below a file or not writable
    (:func:`eegpt.output_files.check_output_folder`). ``~`` is expanded (:func:`eegpt._filenames.user_path`): these
    options are text, which the command line's own expansion leaves as given. ``-o -`` is
    standard output, as leaving ``-o`` out (CSV, with no sidecar; the notes go to stderr), as
    ``probe evaluate --json -``; ``--events -`` is refused (``-o`` has standard output)."""
    if given is None or (given == "-" and option == "--output"):
        return None
    if given == "-":
        raise ValueError(
            f"{option} -: standard output is for the predictions table (-o -, or no -o); "
            f"give {option} a file name, e.g. {option} events.csv"
        )
    path = user_path(given)
    what = "predictions" if option == "--output" else "events"
    if path.is_dir() or given.endswith(("/", os.sep)):
        raise ValueError(
            f"{option} {given}: names a folder; {what} are written to one file: give its "
            f"name, e.g. {'-o' if option == '--output' else option} {path / f'{what}.csv'}"
        )
    suffix = path.suffix.lower()
    if suffix not in PREDICTION_FORMATS:
        raise ValueError(
            f"{option} {path}: {what} are written as .csv, .tsv or .parquet (chosen by the "
            f"suffix; .txt or none is CSV), not {suffix}"
        )
    if suffix == ".parquet":
        from eegpt.optional_packages import require_pyarrow

        require_pyarrow("writing predictions as Parquet (or use a .csv output)", writing=True)
    from eegpt.output_files import check_output_folder

    check_output_folder(path.parent, path)  # below a file, read-only: not after predicting
    return path


def _csv_cell(column: str, value: Any) -> Any:
    """A prediction table's value as CSV text: blank for none, onsets (``onset_s`` and
    ``clock_s`` alike) with 6 decimals,
    probabilities with 9 significant digits (a float32 exactly, as predict_proba gives it)."""
    if value is None:
        return ""
    if column in ("onset_s", "clock_s", "clock_end_s", "offset_s", "duration_s", "covered_s"):
        return f"{value:.6f}"
    if column.startswith("p_"):
        return f"{value:.9g}"
    return value


def null_for_nan(value: Any) -> Any:
    """``value`` (JSON-like: dicts, lists, numbers, text) with each NaN or infinite float
    replaced by None, so that it is written as JSON (``null``) rather than as ``NaN``, which
    no strict JSON reader (jq, JavaScript, Go, ...) takes."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: null_for_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [null_for_nan(v) for v in value]
    return value


#: The key of a Parquet prediction table's schema metadata that holds its provenance (JSON).
PREDICTIONS_KEY = "eegpt_predictions"


def _predictions_json(
    provenance: dict[str, Any],
    indent: int | None = None,
    table: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """What a prediction table records of itself (Parquet metadata, a CSV's sidecar):
    ``{"format": "eegpt-probe-predictions", "provenance": {...}}``, and in a sidecar
    ``"table"``: the table's name, size and SHA-256
    (:func:`eegpt.probe_provenance.table_record`); in Parquet metadata ``"data"``: its rows
    and the SHA-256 of its data (:func:`eegpt.probe_provenance.table_data_record`)."""
    from eegpt.probe_provenance import PREDICTIONS_FORMAT

    record: dict[str, Any] = {"format": PREDICTIONS_FORMAT, "provenance": provenance}
    if table is not None:
        record["table"] = table
    if data is not None:
        record["data"] = data
    return json.dumps(record, indent=indent)


def sidecar_of(path: Path | None) -> Path | None:
    """The JSON sidecar ``predict`` writes beside a CSV or TSV output (None for Parquet, which
    holds its provenance itself, and for stdout)."""
    from eegpt.probe_provenance import sidecar_path

    if path is None or path.suffix.lower() == ".parquet":
        return None
    return sidecar_path(path)


def prediction_provenance(
    args: argparse.Namespace,
    probe: Any,
    sources: Sequence[str],
    failed: Mapping[str, str] | None = None,
    clocks: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What an output of ``predict`` or ``evaluate`` records of how it was made: the probe
    (``args.probe``), the input files (``args.data``; the number of epochs of each epochs file
    from ``sources``), a ``--labels`` file, eegpt's version and the time
    (:func:`eegpt.probe_provenance.output_provenance`). ``failed`` (input as given -> the
    error's text): the inputs ``predict`` could not predict, left out of ``inputs`` and
    listed under ``failed`` (``name``, ``reason``), so that a table missing them is not
    taken for complete. ``clocks`` (input as given -> which clock its measurement date, so
    its ``clock_time``, is on: ``"local"``, ``"utc"``, ... as embeddings'
    ``metadata["clock"]``, :func:`eegpt.mne_inputs.date_clock`): recorded as that input's
    ``clock``, by which :func:`eegpt.viz.plot_hypnogram` refuses ``tz=`` on a header's local
    wall clock; an input without a date has none. Inputs of one file name in different
    folders (``sub-01/ses-1/eeg/x.edf``, ``sub-02/ses-1/eeg/x.edf``) also record ``file``,
    the tail of the path that tells them apart
    (:func:`eegpt.probe_provenance.distinct_names`), in which the table's ``file`` cells of
    their rows end, so that each row is matched to its own input's record, not to all of
    that name."""
    from eegpt.probe_provenance import distinct_names, file_record, files_record, output_provenance

    counts: dict[str, int] = {}
    for source in sources:
        counts[source] = counts.get(source, 0) + 1
    failed = failed or {}
    used = [str(p) for p in args.data if str(p) not in failed]
    inputs = files_record(used)
    tails = distinct_names(list(dict.fromkeys(used)))
    for record, path in zip(inputs, dict.fromkeys(used), strict=True):
        if tails[path] != record["name"]:  # a name another input has too: the folders too
            record["file"] = tails[path]
        if path in counts:
            record["n_epochs"] = counts[path]
        if clocks and clocks.get(path):  # the clock its clock_time is on (local: no zone)
            record["clock"] = clocks[path]
    labels = getattr(args, "labels", None)
    more: dict[str, Any] = {}
    if failed:  # named as the inputs are (file name, size, fingerprint), with the reason
        more["failed"] = [{**file_record(p), "reason": why} for p, why in failed.items()]
    if labels is not None:
        more["labels_file"] = labels_file_record(labels, args.data)
    rescale = checked_rescale(args.rescale)
    if rescale != 1.0:  # --rescale: the input files' samples as read were multiplied by it
        more["rescale"] = rescale
    crop = getattr(getattr(probe, "preprocessing", None), "crop_tmin", None)
    if crop is not None:  # --crop: the epochs were cropped from it (the probe's, or as given)
        more["crop_tmin"] = crop
    more["inference"] = inference_record(args)
    return output_provenance(args.probe, probe, inputs, **more)


def inference_record(args: argparse.Namespace) -> dict[str, Any]:
    """How ``predict`` or ``evaluate`` ran the probe's encoder, which changes the
    probabilities' last digits (bfloat16: ~1e-3), as embeddings record it: the ``device``
    (resolved: the GPU or CPU that ``auto`` took), ``precision``, ``stream_precision`` (only
    when not float32) and ``batch_size`` as given (None: the device's default)."""
    from eegpt.engine import resolve_device

    record: dict[str, Any] = {
        "device": str(resolve_device(getattr(args, "device", None))),
        "precision": getattr(args, "precision", None) or "float32",
        "batch_size": getattr(args, "batch_size", None),
    }
    stream = getattr(args, "stream_precision", None)
    if stream and stream != "float32":
        record["stream_precision"] = stream
    return record


#: The columns of prediction and events tables that hold moments as ISO 8601 text.
MOMENT_COLUMNS = ("clock_time", "clock_end_time")


def _uniform_moments(header: list[str], rows: list[list[Any]]) -> list[list[Any]]:
    """``rows`` (a copy where changed) with each of :data:`MOMENT_COLUMNS` in one ISO 8601
    format over all of them (:func:`eegpt.outputs.uniform_iso`): each recording's moments are
    formatted for that recording, to the microsecond only where one of its own needs it."""
    from eegpt.clock_times import uniform_iso

    found = [j for j, name in enumerate(header) if name in MOMENT_COLUMNS]
    if not found or not rows:
        return rows
    rows = [list(row) for row in rows]
    for j in found:
        for row, text in zip(rows, uniform_iso(row[j] for row in rows), strict=True):
            row[j] = text
    return rows


def write_predictions(
    path: Path | None,
    header: list[str],
    rows: list[list[Any]],
    classes: list[Any],
    provenance: dict[str, Any] | None = None,
) -> None:
    """Write the rows of ``probe predict`` (typed values, None where there is none) to ``path``:
    CSV, TSV or Parquet by its suffix (:data:`PREDICTION_FORMATS`); CSV to stdout without a
    path. Parquet columns have their types with no rows too: text for ``file``, int64 for
    ``epoch`` and ``position``, float64 for ``onset_s``, ``clock_s`` and the probabilities,
    bool for ``bad``, the type of the probe's ``classes`` for ``prediction`` and ``label``,
    ISO 8601 text for
    ``clock_time`` and ``clock_end_time``, each column in one format over all the rows
    (recordings) of the table (:func:`eegpt.outputs.uniform_iso`), so that pandas parses it
    as dates. ``provenance`` (:func:`prediction_provenance`) goes into a Parquet file's schema
    metadata under the key :data:`PREDICTIONS_KEY` (JSON), as ``eegpt embed``'s Parquet files
    hold theirs under ``eegpt``, and into the sidecar JSON of a CSV or TSV file
    (:func:`sidecar_of`: ``predictions.csv`` -> ``predictions.csv.json``)."""
    rows = _uniform_moments(header, rows)
    if path is not None and path.suffix.lower() == ".parquet":
        from eegpt.optional_packages import require_pyarrow
        from eegpt.output_files import atomic_write

        pa, pq = require_pyarrow(
            "writing predictions as Parquet (or use a .csv output)", writing=True
        )
        types = {"file": pa.string(), "epoch": pa.int64(), "position": pa.int64(),
                 "onset_s": pa.float64(),
                 "clock_s": pa.float64(),
                 "duration_s": pa.float64(), "covered_s": pa.float64(),
                 "offset_s": pa.float64(), "n_windows": pa.int64(),
                 "clock_time": pa.string(), "clock_end_time": pa.string(),
                 "clock_end_s": pa.float64(), "bad": pa.bool_(),
                 "prediction": pa.array(classes).type}  # fmt: skip
        types["label"] = types["class"] = types["prediction"]
        columns = {}
        for j, name in enumerate(header):
            values = [row[j] for row in rows]
            kind = pa.float64() if name.startswith("p_") else types.get(name)
            try:
                columns[name] = pa.array(values, type=kind)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # labels of other types: as text
                columns[name] = pa.array(
                    [None if v is None else str(v) for v in values], type=pa.string()
                )
        table = pa.table(columns)
        if provenance is not None:  # not under "eegpt", which names an embeddings file
            from eegpt.probe_provenance import table_data_record

            # with the digest of its data, by which eegpt info tells rows edited since
            recorded = _predictions_json(provenance, data=table_data_record(table))
            table = table.replace_schema_metadata(
                {**(table.schema.metadata or {}), PREDICTIONS_KEY: recorded}
            )
        atomic_write(path, lambda fh: pq.write_table(table, fh))
        return
    text = [[_csv_cell(name, v) for name, v in zip(header, row, strict=True)] for row in rows]
    if path is None:
        writer = csv.writer(sys.stdout)
        writer.writerow(header)
        writer.writerows(text)
        return
    from eegpt.output_files import atomic_write
    from eegpt.probe_provenance import table_record

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=PREDICTION_FORMATS[path.suffix.lower()] or ",")
    writer.writerow(header)
    writer.writerows(text)
    table = buffer.getvalue().encode("utf-8")
    sidecar = sidecar_of(path)
    if sidecar is not None and (sidecar.is_file() or sidecar.is_symlink()):
        sidecar.unlink()  # never the new table beside its predecessor's sidecar
    atomic_write(path, lambda fh: fh.write(table))
    if provenance is not None and sidecar is not None:
        made = table_record(path.name, table)
        data = (_predictions_json(provenance, indent=2, table=made) + "\n").encode()
        atomic_write(sidecar, lambda fh: fh.write(data))


def confusion_table(counts: np.ndarray, classes: Sequence[Any]) -> str:
    """The confusion matrix as ``eegpt probe evaluate`` prints it: ``counts`` ``[n_classes,
    n_classes]`` (rows: true class, columns: predicted, in the order of ``classes``), right-aligned
    columns wide enough for the class names and the counts."""
    width = max(*(len(str(c)) for c in classes), len(str(counts.max(initial=0)))) + 2
    lines = ["confusion matrix (rows: true, columns: predicted)"]
    lines.append(" " * width + "".join(f"{str(c):>{width}}" for c in classes))
    for c, row in zip(classes, counts, strict=True):
        lines.append(f"{str(c):>{width}}" + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)
