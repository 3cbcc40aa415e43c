"""How a probe (or fine-tuning) trained and what it confuses: learning curves
(:func:`plot_training`) and the confusion matrix of its predictions
(:func:`plot_confusion_matrix`). Importable from :mod:`eegpt.viz` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from eegpt._viz_common import (
    NOT_PRETRAINED_TITLE,
    _figure,
    _legend_clear_of_data,
    _mark_not_pretrained,
    _points,
    _root_figure,
    _short_lines,
    _shown,
    _wrap,
    pyplot_module,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from eegpt.probe import EEGPTProbe

__all__ = ["plot_confusion_matrix", "plot_training"]


def plot_training(
    probe: EEGPTProbe | Sequence[dict[str, float]],
    *,
    axes: Sequence[Axes] | None = None,
    title: str | None = None,
    show: bool = False,
) -> Figure:
    """Learning curves of a linear probe or a fine-tuning run: cross-entropy (left) and
    accuracy (right) per pass over the training data (a "training epoch" of deep learning,
    called a pass here, as ``eegpt probe train --passes`` does, so as not to read as the EEG
    epochs trained on), on the training data and, when there was validation data, on it.

    The training loss and accuracy are running values over each pass, with dropout on (as the
    original recipe reports them); the validation ones are measured after the pass, dropout
    off. Validation accuracy is drawn as a wide pale line under the dashed validation
    balanced accuracy, so that both show where they are equal (balanced classes). With early
    stopping (``patience``) the model keeps the weights of the pass with the lowest
    validation loss: that pass is marked. Dotted lines mark chance where the classes are
    known (a probe's ``classes_``): one over the number of classes K on the accuracy panel, and
    on the loss panel ln K, the cross-entropy of a guess giving every class 1 / K.

    Parameters
    ----------
    probe : EEGPTProbe | list of dict
        A trained probe (:func:`eegpt.probe.train_probe`, :func:`eegpt.finetune.finetune`,
        :func:`eegpt.probe.load_probe`) or its ``history``: one dict per pass with ``epoch``,
        ``train_loss``, ``train_accuracy`` and optionally ``train_balanced_accuracy``,
        ``val_loss``, ``val_accuracy``, ``val_balanced_accuracy`` (the figure draws the
        plain training accuracy). Accuracies are fractions in [0, 1] (drawn in percent);
        values outside are refused (a history in percent: divide by 100).
    axes : two matplotlib Axes | None
        Where to draw the loss and the accuracy; a new figure when None. The title then goes
        over the loss panel, not over the caller's figure.
    title : str | None
        Default: what was trained, how many passes over how many EEG epochs, and which
        weights it kept; ``""``: none
        (figures of random weights are still marked as such).
    show : bool
        Call ``plt.show()``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    history = list(probe.history if hasattr(probe, "history") else probe)
    if not history:
        raise ValueError("no training history to plot (the probe records none)")

    def series(key: str, scale: float = 1.0) -> np.ndarray | None:
        if not any(key in row for row in history):
            return None
        return np.array([row.get(key, np.nan) for row in history], dtype=float) * scale

    train_loss, train_accuracy = series("train_loss"), series("train_accuracy", 100)
    if train_loss is None or train_accuracy is None:
        raise ValueError(
            "the training history records no train_loss or no train_accuracy: each epoch's "
            f"dict needs them (got the keys {sorted({k for row in history for k in row})})"
        )
    for key in ("train_accuracy", "val_accuracy", "val_balanced_accuracy"):  # before drawing
        _check_fractions(key, series(key))
    training = dict(getattr(probe, "training", None) or {})
    classes = getattr(probe, "classes_", None)
    plt = pyplot_module()
    created = axes is None
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.8), layout="constrained")
    else:
        if len(axes) != 2:
            raise ValueError(f"axes must be two Axes (loss, accuracy), got {len(axes)}")
        fig = _root_figure(axes[0])
    loss_ax, acc_ax = axes
    epochs = np.array([row["epoch"] for row in history])
    marker = "o" if len(epochs) <= 30 else None
    val_loss = series("val_loss")
    loss_ax.plot(epochs, train_loss, marker=marker, ms=3,
                 label="training (running, dropout on)")  # fmt: skip
    if val_loss is not None:
        loss_ax.plot(epochs, val_loss, marker=marker, ms=3, label="validation")
    if classes is not None and len(classes) > 1:  # the cross-entropy of a uniform guess
        loss_ax.axhline(np.log(len(classes)), color="0.5", ls=":", lw=1,
                        label=f"chance (ln {len(classes)})")  # fmt: skip
    # in nats: the natural log, as the chance line's ln K
    loss_ax.set(xlabel="pass over the training data", ylabel="cross-entropy (nats)", title="loss")
    acc_ax.plot(epochs, train_accuracy, marker=marker, ms=3,
                label="training accuracy (running)")  # fmt: skip
    # the two validation curves often coincide (balanced classes): accuracy is drawn wide and
    # pale, balanced accuracy dashed over it, so that both stay visible
    for key, label, style in (
        ("val_accuracy", "validation accuracy", {"lw": 4.0, "alpha": 0.45}),
        ("val_balanced_accuracy", "validation balanced accuracy",
         {"ls": "--", "marker": marker, "ms": 3}),
    ):  # fmt: skip
        values = series(key, 100)
        if values is not None:
            acc_ax.plot(epochs, values, label=label, **style)
    if classes is not None and len(classes) > 1:
        acc_ax.axhline(100 / len(classes), color="0.5", ls=":", lw=1,
                       label=f"chance ({len(classes)} classes)")  # fmt: skip
    acc_ax.set(xlabel="pass over the training data", ylabel="accuracy (%)", ylim=(0, 102),
               title="accuracy")  # fmt: skip
    kept = training.get("kept_epoch")
    if kept is not None and kept != epochs[-1]:  # early stopping restored an earlier epoch
        for ax in axes:
            ax.axvline(kept, color="0.3", ls="--", lw=1,
                       label=f"weights kept (pass {kept})" if ax is loss_ax else None)  # fmt: skip
    elif val_loss is not None and np.isfinite(val_loss).any():
        best = int(np.nanargmin(val_loss))
        loss_ax.plot(epochs[best], val_loss[best], "k*", ms=9,
                     label=f"lowest validation loss (pass {epochs[best]})")  # fmt: skip
    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        _legend_clear_of_data(ax, handles=handles, labels=list(map(_short_lines, labels)),
                              fontsize="small")  # fmt: skip
    if title is None:
        what = "linear probe" if getattr(probe, "frozen_encoder", True) else "fine-tuning"
        n_train = training.get("n_train")
        n_val = training.get("n_validation")
        # "passes" as probe train --passes and its summary say: "training epochs" there are
        # the EEG epochs trained on
        title = f"EEGPT {what}: {len(epochs)} pass{'' if len(epochs) == 1 else 'es'}"
        if n_train:
            title += f" over {n_train} training epochs" + (f", {n_val} held out" if n_val else "")
        if kept is not None and kept != epochs[-1]:
            title += f"; early stopping kept the weights of pass {kept}"
    encoder = getattr(probe, "encoder", None) or {}
    random_weights = encoder.get("pretrained") is False
    if created:  # above both panels, in lines no wider than the figure
        if random_weights:
            title = "\n".join(filter(None, [title, NOT_PRETRAINED_TITLE]))
        if title:
            width = 0.95 * fig.get_figwidth() * 72
            fig.suptitle(_wrap(title, width, _points("medium"), most=200), fontsize="medium")
        return _shown(fig, show, created)
    # the caller's axes: the title over the loss panel, the caller's figure left alone
    if title:  # in lines no wider than the figure leaves room for, once laid out
        loss_ax.set_title(f"{title}\nloss", fontsize="medium", wrap=True)
    if random_weights:
        _mark_not_pretrained(fig, loss_ax, created)
    return _shown(fig, show, created)


#: How far outside [0, 1] an accuracy of a training history may be and still be a fraction
#: (the rounding of float32 or float64 sums: 1.0000001), not a percent
_ROUNDING = 1e-6


def _check_fractions(key: str, values: np.ndarray | None) -> None:
    """Refuse accuracies of a training history (``values`` of ``key``; None: not recorded)
    outside [0, 1]: given in percent (a history written by other code), they were drawn far
    above the 0-100 % axis without a word; fractions and percents below 1 cannot be told
    apart, so none is guessed."""
    if values is None:
        return
    finite = values[np.isfinite(values)]
    # a fraction's rounding (1.0000001 from float32 sums) is no percent: within _ROUNDING of
    # [0, 1] it is taken (drawn at the edge of the 0-100 % axis)
    outside = finite[(finite < -_ROUNDING) | (finite > 1 + _ROUNDING)]
    if outside.size:
        raise ValueError(
            f"plot_training: {key} holds values outside [0, 1] (e.g. {outside[0]:.10g}); "
            "accuracies are fractions, as a probe's history records them (0.85 for 85 %): "
            f"for a history in percent, divide them by 100 (row['{key}'] / 100)"
        )


def plot_confusion_matrix(
    y_true: Sequence[Any] | np.ndarray,
    y_pred: Sequence[Any] | np.ndarray,
    *,
    labels: Sequence[Any] | np.ndarray | None = None,
    normalize: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    show: bool = False,
    pretrained: bool | None = None,
    colorbar: bool = True,
) -> Figure:
    """Confusion matrix of predictions (rows: true class, columns: predicted), drawn with
    scikit-learn's :class:`~sklearn.metrics.ConfusionMatrixDisplay`.

    The colour scale starts at 0, whatever the smallest cell, and ends at 1 for fractions (at
    the largest count for counts): a classifier near chance gives a pale, even matrix, not a
    crisp diagonal.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n_epochs,)
        True and predicted labels.
    labels : array-like | None
        The classes, in the order drawn (a probe's ``classes_``, or any order of them, e.g.
        ``["W", "N1", "N2", "N3", "R"]``); default: those that occur, sorted, or where all
        are sleep stages' names (:func:`eegpt.viz.is_sleep_staging`: ``W``/``Wake``,
        ``N1``, ``Sleep stage 2``, ``REM`` ...), in the AASM order W, N1, N2, N3, R
        (:func:`eegpt.viz.stage_order` with ``aasm=True``).
    normalize : {"true", "pred", "all"} | None
        Fractions over each true class (rows sum to 1: per-class recall), each predicted class
        or all epochs; counts when None.

    ax, title, show
        As in :func:`eegpt.viz.plot_channel_mapping`. The default title gives the number of
        epochs and the balanced accuracy.
    pretrained : bool | None
        False marks the figure as made with random encoder weights (a demo's), as the other
        figures of such an encoder are.
    colorbar : bool
        Draw a colour bar (its label says what the colours count).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Each row's label gives the number of epochs of that true class (``W (n=120)``). A class
    with no epochs in ``y_true`` (``X (n=0)``) has no recall: with ``normalize="true"`` its
    row reads ``n/a``, not a measured 0.00; so does, with ``normalize="pred"``, the column of
    a class never predicted. Such cells are hatched grey (masked in the image), not coloured
    as a 0.
    """
    from eegpt.probe_metrics import sklearn_metrics

    metrics = sklearn_metrics()
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D of one length, got {y_true.shape} and {y_pred.shape}"
        )
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be 'true', 'pred', 'all' or None, got {normalize!r}")
    if labels is None:  # sleep stages in the AASM order W, N1, N2, N3, R; others sorted
        from eegpt.viz_hypnogram import stage_order

        occurring = np.unique(np.concatenate([y_true, y_pred]))
        labels = np.asarray(stage_order(occurring.tolist(), aasm=True), dtype=occurring.dtype)
    labels = np.asarray(labels)
    n = len(labels)
    created = ax is None
    # long class names ("imagined movement of the left hand") wrapped, the figure sized for
    # them and for many classes, the cell values smaller as the cells are
    names = [_short_lines(c) for c in labels.tolist()]
    counts = [int(np.sum(y_true == c)) for c in labels.tolist()]
    row_names = [f"{name} (n={k})" for name, k in zip(names, counts, strict=True)]
    longest = max(len(line) for name in names for line in name.split("\n"))
    longest_row = max(len(line) for name in row_names for line in name.split("\n"))
    n_lines = max(name.count("\n") + 1 for name in names)
    rotate = longest > 6
    cell = 0.9 if n <= 6 else max(0.45, 0.9 - 0.03 * (n - 6))
    label_in = 0.075 * longest  # inches a tick label takes (font size 10)
    size = (
        # the colour bar (an inset right of the matrix) and its label: 1.1 in
        max(4.2, 1.2 + cell * n + 0.075 * longest_row) + (1.1 if colorbar else 0.0),
        max(3.6, 1.0 + cell * n + (0.7 * label_in if rotate else 0.18 * n_lines)),
    )
    fig, ax = _figure(ax, size)
    cm = metrics.confusion_matrix(y_true, y_pred, labels=labels).astype(float)
    # from 0 (white), whatever the smallest cell; to 1 for fractions, the largest count else
    top = 1.0 if normalize else max(1.0, float(cm.max()))
    display = metrics.ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=labels, normalize=normalize, ax=ax, cmap="Blues",
        colorbar=False, values_format=".2f" if normalize else "d",
        xticks_rotation=45 if rotate else "horizontal",
        text_kw={"fontsize": min(10.0, 20 * cell)}, im_kw={"vmin": 0.0, "vmax": top},
    )  # fmt: skip
    display.ax_.set_xticks(
        range(n), names, rotation=45 if rotate else 0, ha="right" if rotate else "center"
    )
    display.ax_.set_yticks(range(n), row_names)
    undefined = np.zeros((n, n), dtype=bool)
    if normalize in ("true", "pred"):
        # 0 / 0: a row of a class without epochs (no recall), a column of a class never
        # predicted (no precision) holds no measured fraction
        by_true = normalize == "true"
        given = y_true if by_true else y_pred
        for i, c in enumerate(labels.tolist()):
            if not np.any(given == c) and by_true:
                undefined[i, :] = True
            elif not np.any(given == c):
                undefined[:, i] = True
    _shade_confusion(display, undefined)
    if colorbar:
        # in an inset next to the matrix: it takes no width from the matrix' slot (which
        # pushed the y label off the figure) and stays by it in a user's axes
        bar = ax.figure.colorbar(display.im_, cax=ax.inset_axes((1.03, 0.0, 0.04, 1.0)))
        bar.set_label(COLORBAR_LABELS[normalize], fontsize="small")
        bar.ax.tick_params(labelsize="small")
    present = [c for c in labels.tolist() if np.any(y_true == c)]
    recall = [float(np.mean(y_pred[y_true == c] == c)) for c in present]
    if title is None:
        title = f"{len(y_true)} epochs"
        if recall:
            title += f", balanced accuracy {100 * float(np.mean(recall)):.1f}%"
    ax.set_title(title, fontsize="medium", wrap=True)  # a long one (a probe's name): two lines
    if pretrained is False:
        _mark_not_pretrained(fig, ax, created)
    return _shown(fig, show, created)


#: What the colours of :func:`plot_confusion_matrix` count, by its ``normalize``.
COLORBAR_LABELS = {None: "epochs", "true": "fraction of the true class (recall)",
                   "pred": "fraction of the predicted class (precision)",
                   "all": "fraction of all epochs"}  # fmt: skip


def _shade_confusion(display: Any, undefined: np.ndarray) -> None:
    """Mask the ``undefined`` cells (0 / 0) of a drawn confusion matrix: hatched grey, reading
    ``n/a``, not the white of a measured 0; every cell's text dark or light by its cell's
    colour on the colour scale from 0 (scikit-learn picks it by the matrix' own range)."""
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Rectangle

    image, ax = display.im_, display.ax_
    values = np.asarray(image.get_array(), dtype=float)
    image.set_data(np.ma.masked_array(values, mask=undefined))
    image.set_cmap(image.get_cmap().with_extremes(bad="0.85"))
    for i, j in zip(*np.nonzero(undefined), strict=True):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="none", edgecolor="0.55",
                               hatch="///", lw=0, zorder=image.get_zorder() + 0.5))  # fmt: skip
    if display.text_ is None:
        return
    for (i, j), text in np.ndenumerate(display.text_):
        if undefined[i, j]:
            text.set_text("n/a")
            text.set_color("black")
            text.set_bbox({"facecolor": "0.85", "edgecolor": "none", "pad": 1.0})
            continue
        r, g, b = to_rgb(image.cmap(image.norm(values[i, j])))
        text.set_color("white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else "black")
