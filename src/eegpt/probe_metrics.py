"""The paper's downstream metrics of a classifier (balanced accuracy, Cohen's kappa, weighted
F1, AUROC, accuracy: :func:`probe_metrics`), per class scores beside them (average precision
among them: :func:`class_report`), one line of them (:func:`format_metrics`, led by the
smallest class's scores where the classes are imbalanced), each recording's scores alone
(:func:`recording_scores`, :func:`format_recording_scores`) and the warning for test labels
lacking classes (:func:`evaluation_warning`). Needs scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from eegpt._logging import ignored_warnings
from eegpt._logging import warn as _warn
from eegpt.errors import MissingDependencyError, install_hint


def probe_metrics(
    y_true: npt.ArrayLike,
    y_pred: npt.ArrayLike,
    proba: np.ndarray | None = None,
    classes: npt.ArrayLike | None = None,
) -> dict[str, float]:
    """The paper's downstream metrics.

    Parameters
    ----------
    y_true, y_pred : sequence, shape (n,)
        True and predicted labels.
    proba : ndarray, shape (n, n_classes) | None
        Class probabilities, columns in ``classes`` order; needed for AUROC.
    classes : sequence | None
        All class labels in column order (default: the sorted labels seen).

    Returns
    -------
    dict
        ``n``, ``accuracy``, ``balanced_accuracy``, ``cohen_kappa``, ``weighted_f1`` and
        ``auroc`` (binary: ROC AUC of the second class's probability; more classes: one-vs-rest,
        macro-averaged over the classes present in ``y_true``, each class's AUC from its own
        column of ``proba`` as the model gave it, not renormalised over the classes present;
        with every class present it equals scikit-learn's ``multi_class="ovr"``; NaN without
        ``proba`` or when ``y_true`` holds a single class), all as fractions in [0, 1] (kappa
        in [-1, 1]).
    """
    metrics_module = sklearn_metrics()
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if classes is None:
        classes = np.unique(np.concatenate([y_true, y_pred]))
    classes = np.asarray(classes)
    # one class in y_true: kappa and AUROC are NaN, which format_metrics says in words
    with ignored_warnings(UserWarning, RuntimeWarning):
        return _probe_metrics(metrics_module, y_true, y_pred, proba, classes)


def _probe_metrics(metrics_module, y_true, y_pred, proba, classes) -> dict[str, float]:
    out = {
        "n": int(len(y_true)),
        "accuracy": float(metrics_module.accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(metrics_module.balanced_accuracy_score(y_true, y_pred)),
        "cohen_kappa": float(metrics_module.cohen_kappa_score(y_true, y_pred, labels=classes))
        if len(np.unique(y_true)) > 1
        else float("nan"),  # with one class the formula gives 0 whatever the predictions
        "weighted_f1": float(
            metrics_module.f1_score(
                y_true, y_pred, labels=classes, average="weighted", zero_division=0
            )
        ),
        "auroc": float("nan"),
    }
    if proba is not None and len(np.unique(y_true)) > 1:
        proba = np.asarray(proba, dtype=np.float64)
        if len(classes) == 2:
            out["auroc"] = float(metrics_module.roc_auc_score(y_true == classes[1], proba[:, 1]))
        else:
            # one-vs-rest on the model's own columns, macro-averaged over the classes present
            # in y_true: each class's AUC ranks the epochs by its probability as the model
            # gave it (not renormalised over the present classes, which would reorder them);
            # with every class present this is scikit-learn's multi_class="ovr"
            present = [k for k, c in enumerate(classes.tolist()) if np.any(y_true == c)]
            out["auroc"] = float(
                np.mean([
                    metrics_module.roc_auc_score(y_true == classes[k], proba[:, k])
                    for k in present
                ])
            )  # fmt: skip
    return out


def class_report(
    y_true: npt.ArrayLike,
    y_pred: npt.ArrayLike,
    order: npt.ArrayLike,
    proba: np.ndarray | None = None,
    classes: npt.ArrayLike | None = None,
) -> dict[str, Any]:
    """What ``probe evaluate`` adds to the paper's metrics: ``per_class`` (one entry per
    class of ``order``: ``class``, ``precision``, ``recall``, ``f1``, ``support``, the number
    of true labels of it; ``prevalence``, its share of the true labels (the chance level of
    its average precision); ``average_precision``, the area under its precision-recall curve
    (AUPRC, one-vs-rest from its column of ``proba``, whose columns are in ``classes``
    order: scikit-learn's ``average_precision_score``); ``false_positives``, the epochs
    predicted as it whose true label is another. Undefined values are None (null in JSON),
    as scikit-learn's ``zero_division=np.nan`` has them: the precision of a class never
    predicted, the recall and average precision of a class with no true label, the average
    precision of a class that every true label is (1 whatever the scores) or without
    ``proba``, the F1 of a class neither true nor predicted), the
    ``confusion_matrix`` (``labels``: ``order``; ``rows``: true classes, columns predicted,
    counts), ``majority_baseline_accuracy`` (the accuracy of always predicting the most
    frequent true class) and ``chance_balanced_accuracy``, 1 / K for the K classes of
    ``classes`` (default ``order``), the probe's: the expected balanced accuracy of a
    prediction drawn at random over those K classes independently of the data, uniformly
    (for any test labels) or, where the labels hold every class, with any probabilities.
    Where they lack some (:func:`chance_text`), a prediction ignoring the data scores between
    0 (always an absent class) and 1 / the classes present (always a present one); the
    report then also has ``classes_in_labels``, that number of classes present (NaN for
    chance and no key without labels)."""
    metrics_module = sklearn_metrics()
    y_true, y_pred, order = np.asarray(y_true), np.asarray(y_pred), np.asarray(order)
    precision, recall, f1, support = metrics_module.precision_recall_fscore_support(
        y_true, y_pred, labels=order, zero_division=np.nan
    )
    labels = [_plain(c) for c in order.tolist()]
    _, counts = np.unique(y_true, return_counts=True)
    average_precision = _average_precisions(metrics_module, y_true, order, proba, classes)
    n = len(y_true)
    k = len(np.asarray(classes)) if classes is not None else len(order)
    present = {"classes_in_labels": len(counts)} if 0 < len(counts) < k else {}
    return {
        "per_class": [
            {
                "class": c,
                "precision": _defined(p),
                "recall": _defined(r),
                "f1": _defined(f),
                "support": int(k),
                "prevalence": int(k) / n if n else None,
                "average_precision": ap,
                "false_positives": int(np.sum((y_pred == v) & (y_true != v))),
            }
            for c, v, p, r, f, k, ap in zip(
                labels,
                order.tolist(),
                precision,
                recall,
                f1,
                support,
                average_precision,
                strict=True,
            )
        ],  # fmt: skip
        "confusion_matrix": {
            "labels": labels,
            "rows": "true class; columns: predicted class, in the order of labels",
            "matrix": metrics_module.confusion_matrix(y_true, y_pred, labels=order).tolist(),
        },
        "majority_baseline_accuracy": float(counts.max() / counts.sum()) if len(y_true) else 0.0,
        "chance_balanced_accuracy": 1.0 / k if len(counts) and k else float("nan"),
        **present,
    }


def chance_text(report: Mapping[str, Any]) -> str:
    """``"chance BAC 33.33%"`` (:func:`class_report`'s ``chance_balanced_accuracy``, a guess
    uniform over the probe's classes), with what a guess scores where the labels lack some
    of the probe's classes: ``"chance BAC 33.33% (a uniform guess over the probe's 3
    classes; the labels hold 2 of them: always predicting one of those scores 50.00%, always
    an absent one 0%)"``."""
    chance = report.get("chance_balanced_accuracy")
    text = f"chance BAC {_percent_text(chance)}"
    present = report.get("classes_in_labels")
    if isinstance(present, int) and isinstance(chance, (int, float)) and chance > 0:
        k = round(1 / chance)
        text += (
            f" (a uniform guess over the probe's {k} classes; the labels hold {present} of "
            f"them: always predicting one of those scores {100 / present:.2f}%, always an absent "
            "one 0%)"
        )
    return text


def _average_precisions(
    metrics_module: Any,
    y_true: np.ndarray,
    order: np.ndarray,
    proba: np.ndarray | None,
    classes: npt.ArrayLike | None,
) -> list[float | None]:
    """Each class of ``order``'s average precision (one-vs-rest, from its column of
    ``proba``, the columns in ``classes`` order); None without ``proba``, without a true
    label of the class (no precision-recall curve) or with no other (1 whatever the
    scores)."""
    if proba is None:
        return [None] * len(order)
    proba = np.asarray(proba, dtype=np.float64)
    columns = {
        c: k for k, c in enumerate(np.asarray(classes if classes is not None else order).tolist())
    }
    out: list[float | None] = []
    for c in order.tolist():
        positive = y_true == c
        if c not in columns or not positive.any() or positive.all():  # no curve, or 1.0
            out.append(None)
            continue
        with ignored_warnings(UserWarning, RuntimeWarning):
            out.append(
                _defined(metrics_module.average_precision_score(positive, proba[:, columns[c]]))
            )
    return out


IMBALANCED_SHARE = 0.2
"""Labels whose smallest class present holds less than this share of the epochs are
imbalanced: :func:`format_metrics` then leads with that class's scores."""


def smallest_class(metrics: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``per_class`` entry (:func:`class_report`) of the smallest class among the true
    labels when it holds less than :data:`IMBALANCED_SHARE` of them (and another class is
    there too); None otherwise, or without ``per_class``."""
    rows = [
        r for r in metrics.get("per_class") or []
        if isinstance(r, Mapping) and isinstance(r.get("support"), int) and r["support"] > 0
    ]  # fmt: skip
    if len(rows) < 2:
        return None
    n = sum(r["support"] for r in rows)
    rarest = min(rows, key=lambda r: r["support"])
    return rarest if rarest["support"] < IMBALANCED_SHARE * n else None


def smallest_class_text(metrics: Mapping[str, Any]) -> str | None:
    """``"smallest class 'seizure' (3 of 150, 2.00%): recall 80.00%, precision 100.00%, AP
    95.00% (chance 2.00%)"``: the scores of :func:`smallest_class`, which accuracy and
    weighted F1 hardly weigh; None where the labels are not imbalanced."""
    row = smallest_class(metrics)
    if row is None:
        return None
    n = sum(r["support"] for r in metrics["per_class"])
    share = row["support"] / n
    return (
        f"smallest class {row['class']!r} ({row['support']} of {n}, {100 * share:.2f}%): "
        f"recall {_percent_text(row.get('recall'))}, "
        f"precision {_percent_text(row.get('precision'))}, "
        f"AP {_percent_text(row.get('average_precision'))} (chance {100 * share:.2f}%)"
    )


def _percent_text(value: Any) -> str:
    """A fraction in percent, "n/a" where undefined (None, NaN)."""
    if not isinstance(value, (int, float)) or math.isnan(value):
        return "n/a"
    return f"{100 * value:.2f}%"


def format_class_report(report: Mapping[str, Any], n_recordings: int | None = None) -> str:
    """The lines ``probe evaluate`` prints of :func:`class_report`: per class precision,
    recall, F1, average precision, prevalence (AP's chance level), false positives and
    support, then the baselines (and the recordings the epochs came from)."""
    rows = report["per_class"]
    width = max([5, *(len(str(r["class"])) for r in rows)])
    lines = [
        f"{'class':<{width}}  precision  recall      F1  AUPRC(AP)  prevalence  false pos.  support"
    ]
    lines += [
        f"{str(r['class']):<{width}}  {_percent(r['precision'], 8, 2)}  "
        f"{_percent(r['recall'], 5, 1)}  {_percent(r['f1'], 5, 1)}  "
        f"{_percent(r.get('average_precision'), 8, 2)}  {_percent(r.get('prevalence'), 9, 2)}  "
        f"{r.get('false_positives', 0):10d}  {r['support']:7d}"
        for r in rows
    ]
    if any(
        r.get(k) is None for r in rows for k in ("precision", "recall", "f1", "average_precision")
    ):
        lines.append(
            "n/a: undefined (precision: the class was never predicted; recall, AP: no epoch of "
            "the class in the labels; AP also where only one class is in the labels, e.g. "
            "every epoch of the class)"
        )
    lines.append(
        "AUPRC(AP): the area under the class's precision-recall curve (one-vs-rest); its "
        "chance level is the class's prevalence, not 50%"
    )
    lines.append(
        f"baselines: always the most frequent class {100 * report['majority_baseline_accuracy']:.2f}% "
        f"accuracy; {chance_text(report)}"
    )
    if n_recordings is not None:
        n = sum(r["support"] for r in rows)
        lines.append(
            f"n={n} epochs/windows from {n_recordings} recording(s)/file(s): epochs of one "
            "recording are not independent, so n overstates the evidence"
        )
    return "\n".join(lines)


def recording_scores(
    y_true: npt.ArrayLike,
    y_pred: npt.ArrayLike,
    proba: np.ndarray | None,
    classes: npt.ArrayLike,
    recordings: Sequence[str],
) -> list[dict[str, Any]]:
    """The paper's metrics (:func:`probe_metrics`) of each recording's epochs alone, for
    ``probe evaluate`` of several recordings, whose pooled n overstates the evidence: how far
    the recordings agree. ``recordings`` ``(n,)`` names the recording of each epoch (one name
    per recording); ``proba`` ``[n, n_classes]`` in ``classes`` order.

    Returns
    -------
    list of dict
        One per recording, in the order its first epoch comes: ``recording`` (its name),
        ``n``, ``accuracy``, ``balanced_accuracy``, ``cohen_kappa``, ``weighted_f1``,
        ``auroc`` (kappa and AUROC NaN where undefined: one class in its labels) and
        ``classes_in_labels``, the number of classes its labels hold (its balanced accuracy
        averages the recall of those alone).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    names = np.asarray(recordings, dtype=object)
    rows = []
    for name in dict.fromkeys(names.tolist()):
        idx = np.flatnonzero(names == name)
        part = None if proba is None else np.asarray(proba)[idx]
        scores = probe_metrics(y_true[idx], y_pred[idx], part, classes)
        held = len(dict.fromkeys(y_true[idx].tolist()))
        rows.append({"recording": name, **scores, "classes_in_labels": held})
    return rows


def format_recording_scores(rows: Sequence[Mapping[str, Any]], n_classes: int) -> str:
    """The lines ``probe evaluate`` prints of :func:`recording_scores` (several recordings):
    each recording's n, balanced accuracy, Cohen's kappa, accuracy and the classes its labels
    hold of the ``n_classes`` scored, then what n/a and a recording lacking classes mean."""

    def held_text(row: Mapping[str, Any]) -> str:
        return f"{row['classes_in_labels']}/{n_classes}"

    lines = [
        "per recording (each scored alone):",
        "     n       BAC     kappa  accuracy  classes  recording",
    ]
    lines += [
        f"{r['n']:6d}  {_percent(_defined(r['balanced_accuracy']), 7, 2)}  "
        f"{_percent(_defined(r['cohen_kappa']), 7, 2)}  {_percent(_defined(r['accuracy']), 7, 2)}  "
        f"{held_text(r):>7}  {r['recording']}"
        for r in rows
    ]
    if any(r["classes_in_labels"] < n_classes for r in rows):
        lines.append(
            "a recording whose labels lack classes: its BAC averages the recall of the classes "
            "it holds (of one class: that recall; kappa n/a, undefined)"
        )
    return "\n".join(lines)


def _defined(value: Any) -> float | None:
    """A score as a float, None where undefined (NaN: JSON has no NaN)."""
    return None if math.isnan(float(value)) else float(value)


def _percent(value: float | None, width: int, digits: int) -> str:
    """``value`` in percent, ``width`` wide before the sign; "n/a" (as wide) for None."""
    return f"{'n/a':>{width + 1}}" if value is None else f"{100 * value:{width}.{digits}f}%"


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def format_metrics(metrics: Mapping[str, Any]) -> str:
    """One line in the paper's style (percent), e.g. ``BAC 84.17% | kappa 68.33% | ...``.
    With :func:`class_report`'s ``per_class`` among ``metrics`` and imbalanced labels (the
    smallest class under :data:`IMBALANCED_SHARE` of the epochs) it leads with that class's
    recall, precision and average precision (:func:`smallest_class_text`), and the accuracy
    stands beside that of always predicting the most frequent class, which it mostly
    measures."""

    def percent(name: str) -> str:
        value = float(metrics.get(name, float("nan")))
        return "n/a" if math.isnan(value) else f"{100 * value:.2f}%"

    rare = smallest_class_text(metrics)
    majority = metrics.get("majority_baseline_accuracy")
    beside = (
        f"; always the most frequent class: {100 * majority:.2f}%"
        if rare is not None and isinstance(majority, (int, float))
        else ""
    )
    parts = [
        *([rare] if rare is not None else []),
        f"BAC {percent('balanced_accuracy')}",
        f"Cohen's kappa {percent('cohen_kappa')}",
        f"weighted F1 {percent('weighted_f1')}",
        f"AUROC {percent('auroc')}",
        f"accuracy {percent('accuracy')} (n={metrics['n']}{beside})",
    ]
    line = " | ".join(parts)
    if "n/a" in line:
        line += " (n/a: undefined here, e.g. with one class in the data)"
    return line


def sklearn_metrics():
    try:
        from sklearn import metrics
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            f"probe metrics need scikit-learn: {install_hint('sklearn')}"
        ) from err
    return metrics


def evaluation_warning(y_true: np.ndarray, classes: np.ndarray) -> str | None:
    """What to say of test labels ``y_true`` (among ``classes``) that lack some of the
    classes, e.g. a single class: the scores then flatter the probe; None otherwise."""
    from eegpt.training import absent_classes_text  # imports torch: not for eegpt info

    index = {c: i for i, c in enumerate(classes.tolist())}
    y = np.array([index[v] for v in np.asarray(y_true).tolist()], dtype=np.int64)
    absent = absent_classes_text(y, classes, "the evaluation data")
    if absent is None:
        return None
    if len(np.unique(y)) < 2:
        said = (
            "with one class present, Cohen's kappa, AUROC and average precision are undefined "
            "(n/a); its recall (the accuracy) and the other classes' false positives (false "
            "alarms) are given"
        )
    else:
        said = (
            "Cohen's kappa and AUROC are reported, of the classes present only (AUROC "
            "one-vs-rest over them), so they do not score the probe on the class(es) missing"
        )
    return (
        f"{absent}; {said}. Evaluate on epochs of every class of the probe, or read the "
        "confusion matrix rather than these scores."
    )


def checked_metrics(metrics: dict[str, Any], y_true: np.ndarray, classes: np.ndarray) -> None:
    """Warn of test labels lacking classes (:func:`evaluation_warning`) and keep the text in
    ``metrics["warnings"]`` (present only then)."""
    said = evaluation_warning(y_true, classes)
    if said:
        _warn(said)
        metrics["warnings"] = [said]
