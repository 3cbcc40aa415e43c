"""The training loop shared by linear probes (:mod:`eegpt.probe`) and fine-tuning
(:mod:`eegpt.finetune`); the scikit-learn estimators train through :func:`eegpt.probe.train_probe`.

:func:`fit_model` trains with cross-entropy, AdamW and a per-batch one-cycle learning-rate
schedule, with optional early stopping that counts from the schedule's peak
(:func:`one_cycle_peak_pass`); :func:`training_mode` freezes an encoder's parameters for the
duration.
Beside it: validation splits (:func:`stratified_split`, :func:`group_split`), the warnings of
thin splits and imbalanced classes, balanced class weights, and batched prediction.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, NamedTuple, ParamSpec, TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from eegpt._logging import few, progress_options
from eegpt._logging import warn as _warn
from eegpt._runtime import import_dynamo_without_cache_folder
from eegpt.config import Precision, precision_name
from eegpt.engine import warn_if_emulated_bf16 as warn_if_emulated_bf16  # re-exported
from eegpt.errors import EEGPTUserWarning, TrainingDivergedError
from eegpt.heads import renorm_constrained_
from eegpt.model import EEGPTEncoder

_P = ParamSpec("_P")
_R = TypeVar("_R")

_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def _autocast(device: torch.device, precision: str):
    if precision == "float32":
        return nullcontext()
    return torch.autocast(device.type, dtype=_DTYPES[precision])


@contextmanager
def training_mode(
    encoder: EEGPTEncoder, *, trainable: Callable[[str], bool] | None
) -> Iterator[None]:
    """Encoder parameters frozen unless ``trainable(name)``; the flags are restored afterwards.

    Both encoder paths are differentiable (the fused one recomputes its derived weights when
    autograd is on), so a shared, user-owned encoder is only touched for the duration.
    """
    saved = {name: p.requires_grad for name, p in encoder.named_parameters()}
    try:
        for name, p in encoder.named_parameters():
            p.requires_grad_(trainable is not None and trainable(name))
        yield
    except BaseException:
        _restore_requires_grad(encoder, saved)  # the error raised is the one to see
        raise
    failed = _restore_requires_grad(encoder, saved)
    if failed:
        raise RuntimeError(
            f"the requires_grad flags of {few(failed, 4)} could not be restored after "
            "training; the other parameters' flags were"
        )


def _restore_requires_grad(encoder: nn.Module, saved: dict[str, bool]) -> list[str]:
    """Set each parameter's ``requires_grad`` back to ``saved``'s, every one that can be (an
    inference tensor refuses True outside inference mode); the names of those that could
    not."""
    failed = []
    for name, p in encoder.named_parameters():
        try:
            p.requires_grad_(saved[name])
        except RuntimeError:
            failed.append(name)
    return failed


def inference_weights_text(encoder: nn.Module, why: str) -> str | None:
    """What to say where ``encoder``'s parameters are inference tensors (the model was made
    or loaded under ``torch.inference_mode()``) and training needs gradients through them
    (``why``); None where none is."""
    names = [name for name, p in encoder.named_parameters() if p.is_inference()]
    if not names:
        return None
    return (
        f"{len(names)} of the encoder's parameters (such as {names[0]!r}) are inference "
        "tensors: the model was loaded or made under torch.inference_mode(), and autograd "
        f"cannot save them for backward, which {why} needs. Load the model outside "
        "torch.inference_mode() (under torch.no_grad() if gradients are to be off), or give "
        "a copy whose parameters are ordinary tensors (copy.deepcopy(model))."
    )


@dataclass
class FitResult:
    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    kept_epoch: int | None = None  # the epoch whose weights the model holds at the end


def _command_line(option: str, command_line: bool, *, inside: bool = False) -> str:
    """``" (command line: OPTION)"`` (``inside`` parentheses already: ``", command line:
    OPTION"``), or "" where there is no command line (fine-tuning)."""
    if not command_line:
        return ""
    return f", command line: {option}" if inside else f" (command line: {option})"


def per_epoch_split_warning(fraction: float, n_recordings: int, command_line: bool = True) -> str:
    """What to say of a validation ``fraction`` of epochs drawn from ``n_recordings`` (> 1):
    the split is per epoch, so its scores flatter the model; ``command_line``: with the
    probe's command-line options."""
    return (
        f"validation={fraction:g}{_command_line(f'--val {fraction:g}', command_line)} holds "
        "out epochs drawn at "
        f"random from all {n_recordings} recordings, so epochs of one recording (one subject, "
        "one session) fall on both sides of the split, and the validation scores, and early "
        "stopping by them, come out better than they would on new recordings or subjects. To "
        "validate on held-out recordings, train on the others and pass those as "
        f"validation=(held_out_data, held_out_labels)"
        f"{_command_line('--val-data FILE', command_line)}, or give groups= (one recording "
        "or subject id per epoch) to hold out whole ones"
        f"{_command_line(f'--val {fraction:g} --val-by recording, or --val-by subject', command_line)}."
    )


def stratified_split(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation indices, each class split in the same proportion."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"a validation fraction must be in (0, 1), got {fraction}")
    rng = np.random.default_rng(seed)
    val: list[np.ndarray] = []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        # at least one of each class held out, and at least one left to train on
        n_val = min(max(int(round(fraction * len(idx))), 1), len(idx) - 1)
        val.append(idx[:n_val])
    val_idx = np.sort(np.concatenate(val))
    if not len(val_idx):
        raise ValueError(
            f"a validation fraction of {fraction:g} holds out no epochs: each class has a single "
            f"epoch ({len(y)} in all); train without validation (validation=None, no --val) "
            "or on more epochs"
        )
    train_idx = np.setdiff1d(np.arange(len(y)), val_idx)
    return train_idx, val_idx


GROUP_SPLIT_DRAWS = 64
"""How many orders of the groups :func:`group_split` draws with its seed."""
GROUP_SPLIT_TOLERANCE = 0.05
"""How far (root mean square over the classes of each class's share held out) a grouping of
:func:`group_split` may be from the best of those drawn and still be taken."""


def group_split(
    y: np.ndarray, groups: Any, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, list[Any], int]:
    """Train and validation indices of a validation ``fraction`` that holds out whole groups
    (``groups``: one value per epoch, e.g. subject ids), the groups held out and the number
    of groups.

    The seed draws :data:`GROUP_SPLIT_DRAWS` random orders of the groups. Each order gives a
    candidate grouping: its groups, in that order, join the validation side when they bring
    each class's share held out closer to ``fraction`` (relative to the class's size, so
    classes count alike; root mean square over the classes) and leave every class at least
    one epoch and at least one group to train on (else skipped); at least one group is held
    out. Of the candidates, those that keep every class in training are preferred, then those
    with every class in validation; among the preferred, any whose share held out is within
    :data:`GROUP_SPLIT_TOLERANCE` of the best candidate's is acceptable, and the first drawn
    of those is taken. So the seed chooses among groupings about as close to ``fraction`` as
    the groups allow, and different seeds hold out different groups where several are
    close; with few or uneven groups the share held out may be far from ``fraction`` (see
    the realised fraction in the training record).
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"a validation fraction must be in (0, 1), got {fraction}")
    groups = np.asarray(groups)
    if groups.shape != (len(y),):
        raise ValueError(
            f"groups must give one value per training epoch: {len(y)} epochs, got groups of "
            f"shape {groups.shape}"
        )
    names, index = np.unique(groups, return_inverse=True)
    if len(names) < 2:
        which = f"of group {names.tolist()[0]!r}" if len(names) else "without a group"
        raise ValueError(
            "validation by group needs at least 2 groups in the training data; all "
            f"{len(y)} training epochs are {which} (e.g. a cross-validation fold that holds "
            "one subject for training): a validation fraction by groups holds out whole "
            "groups, and one group left none to train on. Train without a validation set "
            "(validation=None), draw the validation epochs at random (a float validation "
            "without groups: leave groups out, or est.set_fit_request(groups=False) for a "
            "scikit-learn estimator in cross-validation), or give each training set several "
            "groups (more subjects per fold; groups as one subject id per epoch)"
        )
    counts = np.zeros((len(names), int(y.max()) + 1))
    np.add.at(counts, (index, y), 1)
    counts = counts[:, counts.sum(axis=0) > 0]  # the classes present
    size = counts.sum(axis=0)

    def gap(val: np.ndarray) -> float:  # root mean square of the classes' shares' distance
        return float(np.sqrt((((val - fraction * size) / size) ** 2).mean()))

    def fill(order: np.ndarray) -> list[int]:
        chosen: list[int] = []
        val = np.zeros(counts.shape[1])
        for g in order.tolist():
            if len(chosen) == len(names) - 1:
                break
            trial = val + counts[g]
            if np.all(trial < size) and gap(trial) < gap(val):
                chosen.append(g)
                val = trial
        if not chosen:  # every group alone overshoots, or holds a class's last epochs
            keeps = [g for g in order.tolist() if np.all(counts[g] < size)]
            chosen = [min(keeps or order.tolist(), key=lambda g: gap(counts[g]))]
        return chosen

    rng = np.random.default_rng(seed)
    candidates = [fill(rng.permutation(len(names))) for _ in range(GROUP_SPLIT_DRAWS)]

    def tier(chosen: list[int]) -> tuple[int, int]:  # classes absent from training, validation
        val = counts[chosen].sum(axis=0)
        return int(np.sum(val >= size)), int(np.sum(val == 0))

    best_tier = min(tier(c) for c in candidates)
    preferred = [c for c in candidates if tier(c) == best_tier]
    best_gap = min(gap(counts[c].sum(axis=0)) for c in preferred)
    chosen = next(
        c for c in preferred if gap(counts[c].sum(axis=0)) <= best_gap + GROUP_SPLIT_TOLERANCE
    )
    is_val = np.isin(index, chosen)
    held_out = sorted(names[chosen].tolist(), key=str)
    return np.flatnonzero(~is_val), np.flatnonzero(is_val), held_out, len(names)


REALISED_FRACTION_GAP = 0.1
"""A validation split by groups whose share of the epochs held out is further than this from
the fraction asked for is warned of (:func:`realised_fraction_warning`)."""


def realised_fraction_warning(
    fraction: float,
    n_val: int,
    n: int,
    n_held: int,
    n_groups: int,
    command_line: bool = True,
    *,
    y: np.ndarray | None = None,
    groups: Any = None,
    classes: np.ndarray | None = None,
) -> str | None:
    """What to say when a validation split by groups held out ``n_val`` of ``n`` epochs
    (``n_held`` of ``n_groups`` groups), more than :data:`REALISED_FRACTION_GAP` from
    ``fraction``; None otherwise. ``command_line``: with the probe's command-line options
    (``--val-by recording``, ``--val-by subject``, ``--val-group``). Given the split's class
    indices ``y`` and ``groups`` (and the class labels ``classes``, for the names), it says
    whether whole groups could come nearer (:func:`nearer_group_split`) and why
    :func:`group_split` did not take that split (a class left out of validation or of
    training, or the classes held out unevenly); without them, that the split holds each
    class's epochs out alike as near as the groups allow."""
    realised = n_val / n
    if abs(realised - fraction) <= REALISED_FRACTION_GAP:
        return None
    options = _command_line(
        f"--val {fraction:g} with --val-by recording or subject, or --val-group",
        command_line,
        inside=True,
    )
    why = "as near as whole groups come holding out each class's epochs alike"
    if y is not None and groups is not None and n_groups <= MAX_GROUPS_SEARCHED:
        nearer = nearer_group_split(y, groups, fraction, realised)
        why = (
            "whole groups come no nearer"
            if nearer is None
            else _nearer_split_text(nearer, len(y), classes)
        )
    return (
        f"validation={fraction:g} split by whole groups (the groups given{options}) holds out "
        f"{100 * realised:.1f}% of the epochs ({n_val} of {n}: {n_held} of {n_groups} "
        f"groups), not {100 * fraction:g}%: {why}. Give more, smaller groups, another "
        "fraction, or validate on separate data (validation=(data, y)"
        f"{_command_line('--val-data FILE', command_line, inside=True)})."
    )


MAX_GROUPS_SEARCHED = 14
"""Up to this many groups, :func:`nearer_group_split` tries every set of them."""


class NearerSplit(NamedTuple):
    """A set of whole groups whose share of the epochs is nearer a validation fraction than
    the split taken (:func:`nearer_group_split`), and what is wrong with it."""

    groups: list[Any]  # the groups it would hold out
    n_val: int  # the epochs it would hold out
    not_in_validation: list[int]  # class indices with no epoch held out
    not_in_training: list[int]  # class indices with every epoch held out
    shares: list[float]  # each class's share held out, in the order of the classes present
    present: list[int]  # the class indices present


def nearer_group_split(
    y: np.ndarray, groups: Any, fraction: float, realised: float
) -> NearerSplit | None:
    """The set of whole groups whose share of the epochs (``y``: class indices, ``groups``:
    one value per epoch) is nearest ``fraction``, where it is nearer than ``realised`` (the
    share of the split taken) by more than one epoch's share; None where none is, or where
    there are more than :data:`MAX_GROUPS_SEARCHED` groups (not searched: ``2 ** groups``
    sets)."""
    names, index = np.unique(np.asarray(groups), return_inverse=True)
    if not 2 <= len(names) <= MAX_GROUPS_SEARCHED:
        return None
    y = np.asarray(y, dtype=np.int64)
    present = np.unique(y)
    counts = np.zeros((len(names), int(y.max()) + 1), dtype=np.int64)
    np.add.at(counts, (index, y), 1)
    counts = counts[:, present]
    size = counts.sum(axis=0)
    best: tuple[float, int] | None = None
    for mask in range(1, 2 ** len(names) - 1):  # held out: neither none nor every group
        chosen = [g for g in range(len(names)) if mask >> g & 1]
        off = abs(counts[chosen].sum() / len(y) - fraction)
        if best is None or off < best[0]:
            best = (off, mask)
    if best is None or best[0] >= abs(realised - fraction) - 1 / len(y):
        return None
    chosen = [g for g in range(len(names)) if best[1] >> g & 1]
    val = counts[chosen].sum(axis=0)
    return NearerSplit(
        groups=[names[g] for g in chosen],
        n_val=int(val.sum()),
        not_in_validation=[int(c) for c, k in zip(present, val, strict=True) if k == 0],
        not_in_training=[int(c) for c, k, m in zip(present, val, size, strict=True) if k == m],
        shares=(val / size).tolist(),
        present=present.tolist(),
    )


def _nearer_split_text(nearer: NearerSplit, n: int, classes: np.ndarray | None) -> str:
    """``"a nearer split exists, but holding out G1 (45.0%) would leave class 1 out of
    validation"``: why :func:`group_split` did not take the nearer split."""

    def name(c: int) -> str:
        return repr(classes[c].item() if classes is not None else c)

    said = (
        f"a nearer split exists, but holding out {few([str(g) for g in nearer.groups], 4)} "
        f"({100 * nearer.n_val / n:.1f}%) would "
    )
    if nearer.not_in_training:
        missing = [name(c) for c in nearer.not_in_training]
        return said + f"leave no epoch of {few(missing, 4)} to train on"
    if nearer.not_in_validation:
        missing = [name(c) for c in nearer.not_in_validation]
        one = len(missing) == 1
        return said + f"leave {'class' if one else 'classes'} {few(missing, 4)} out of validation"
    shares = ", ".join(
        f"{name(c)} {100 * share:.0f}%"
        for c, share in zip(nearer.present, nearer.shares, strict=True)
    )
    return said + f"hold out the classes unevenly (each class's share held out: {shares})"


FEW_EPOCHS = 5
"""A class with fewer training epochs is named by :func:`class_balance_warning`."""
IMBALANCE_RATIO = 3.0
"""Classes whose largest has more than this many times the epochs of the smallest are
imbalanced (:func:`class_balance_warning`)."""


def _class_counts(y: np.ndarray, classes: np.ndarray) -> list[tuple[Any, int]]:
    """``(class, number of epochs)`` of class indices ``y``, in the order of ``classes``."""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=len(classes))
    return list(zip(classes.tolist(), counts.tolist(), strict=True))


def class_balance_warning(
    y: np.ndarray, classes: np.ndarray, class_weight: str | None, command_line: bool = True
) -> str | None:
    """What to say of training labels (class indices ``y``) with a class of fewer than
    :data:`FEW_EPOCHS` epochs, or imbalanced (:data:`IMBALANCE_RATIO`) without
    ``class_weight="balanced"``; None when neither. ``command_line``: with the probe's
    command-line options."""
    counts = _class_counts(y, classes)
    rare = [repr(c) for c, n in counts if n < FEW_EPOCHS]
    largest = max(counts, key=lambda cn: cn[1])
    ratio = largest[1] / max(min(n for _, n in counts), 1)
    imbalanced = ratio > IMBALANCE_RATIO and class_weight != "balanced"
    if not rare and not imbalanced:
        return None
    listed = ", ".join(f"{c!r} {n}" for c, n in counts)
    text = f"training epochs per class: {listed}."
    if rare:
        one = len(rare) == 1
        text += (
            f" {few(rare, 8)} {'has' if one else 'have'} fewer than {FEW_EPOCHS}: too few to "
            f"learn {'that class' if one else 'those classes'} from, and any score of "
            f"{'it' if one else 'them'} rests on one or two epochs; add epochs of "
            f"{'it' if one else 'them'}, or merge {'it' if one else 'them'} into another class "
            f"or leave {'it' if one else 'them'} out."
        )
    if imbalanced:
        share = 100 * largest[1] / len(y)
        text += (
            f" The classes are imbalanced ({largest[0]!r} has {ratio:.3g} times the epochs of "
            f"the smallest): a probe that always predicts {largest[0]!r} is {share:.1f}% "
            "accurate. Weight the classes alike with class_weight='balanced'"
            f"{_command_line('--class-weight balanced', command_line)}, and judge the model by "
            "its balanced accuracy (BAC), not its accuracy."
        )
    return text


def thin_split_warning(
    y_train: np.ndarray,
    y_val: np.ndarray,
    classes: np.ndarray,
    fraction: float | None,
    command_line: bool = True,
) -> str | None:
    """What to say when the validation split by ``fraction`` left a class fewer than 2 epochs
    for training or for validation, or (``fraction`` None) validation data given apart lack a
    class; None otherwise. ``command_line``: with the probe's command-line options."""
    train = dict(_class_counts(y_train, classes))
    val = dict(_class_counts(y_val, classes))
    if fraction is None:
        absent = absent_classes_text(
            y_val,
            classes,
            "the validation data (validation=(data, y)"
            f"{_command_line('--val-data', command_line, inside=True)})",
        )
        return (
            None
            if absent is None
            else f"{absent}, and early stopping watches a loss without the others. Validate "
            "on epochs of every class."
        )
    thin = [c for c in classes.tolist() if train[c] < 2 or val[c] < 2]
    if not thin:
        return None
    listed = ", ".join(f"{c!r} {train[c]} for training and {val[c]} for validation" for c in thin)
    return (
        f"the validation split (validation={fraction:g}{_command_line(f'--val {fraction:g}', command_line, inside=True)}) "
        f"leaves {listed}: with fewer than 2 epochs of a class in a part, the probe learns it "
        "from one epoch or the validation scores it on one (or none). Validate on separate "
        f"epochs (validation=(data, y){_command_line('--val-data FILE', command_line, inside=True)}), train on more epochs of "
        "the class, or train without validation."
    )


def absent_classes_text(y: np.ndarray, classes: np.ndarray, what: str) -> str | None:
    """What to say when labelled data (``what``, class indices ``y``) lack some of ``classes``:
    the balanced accuracy then averages the classes present only; None when all are there."""
    counts = dict(_class_counts(y, classes))
    absent = [repr(c) for c in classes.tolist() if counts[c] == 0]
    if not absent:
        return None
    listed = ", ".join(f"{c!r} {n}" for c, n in counts.items())
    one = " (1.0 for a model that always predicts the one class there)"
    return (
        f"{what} hold no epochs of {few(absent, 8)} (epochs per class: {listed}): their "
        "balanced accuracy averages the classes present only"
        + (one if len(classes) - len(absent) == 1 else "")
    )


def balanced_class_weights(y: np.ndarray, n_classes: int) -> torch.Tensor:
    """Per-class loss weights ``n / (n_classes * n_c)``, float32 of shape (n_classes,), from
    class indices ``y`` (scikit-learn's ``class_weight="balanced"``); a class absent from
    ``y`` gets the weight of one epoch."""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=n_classes).clip(min=1)
    return torch.as_tensor(len(y) / (n_classes * counts), dtype=torch.float32)


@contextmanager
def _scheduler_order_unchecked(float16: bool) -> Iterator[None]:
    """Inside the block (a ``float16`` run of :func:`fit_model`), torch's warning that
    ``lr_scheduler.step()`` was called before ``optimizer.step()`` is not shown: where the
    gradient scaler skipped the first batch's step (as it does while it finds its scale),
    torch takes that for steps called in the wrong order and says to swap them, which is not
    so (the schedule follows the batches, stepped or not). One filter for the whole run: one
    set around each batch's step (``warnings.catch_warnings``) reset Python's record of the
    warnings shown, so a warning given every batch (by torch, by the model) was shown for
    every batch, not once."""
    if not float16:
        yield
        return
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message=r"Detected call of `lr_scheduler\.step\(\)` before",
            category=UserWarning,
        )
        yield


def _scheduler_order_unchecked_in_float16(fit: Callable[_P, _R]) -> Callable[_P, _R]:
    """:func:`fit_model` inside :func:`_scheduler_order_unchecked` where its ``precision``
    (keyword only) is ``"float16"``."""

    @functools.wraps(fit)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _scheduler_order_unchecked(kwargs.get("precision") == "float16"):
            return fit(*args, **kwargs)

    return wrapper


@_scheduler_order_unchecked_in_float16
def fit_model(
    forward: Callable[[torch.Tensor], torch.Tensor],
    modules: Sequence[nn.Module],
    param_groups: list[dict[str, Any]],
    x_train: np.ndarray,
    y_train: np.ndarray,
    validation: tuple[np.ndarray, np.ndarray] | None,
    *,
    epochs: int,
    batch_size: int,
    weight_decay: float,
    pct_start: float,
    patience: int | None,
    seed: int,
    device: torch.device,
    precision: str,
    progress: bool,
    desc: str,
    class_weight: torch.Tensor | None = None,
) -> FitResult:
    """Cross-entropy training with AdamW + per-batch OneCycleLR; optional early stopping.

    ``param_groups`` carry their peak learning rate under ``"max_lr"`` and may name their
    part under ``"role"`` (``"encoder"``, ``"head"``): each history row then holds
    ``lr_<role>``, the highest current rate of that part's groups, beside ``lr`` (the last
    group's, kept for older readers). ``modules`` are put in
    train mode for the steps and eval mode for validation. With ``patience`` the weights of the
    best validation loss are restored at the end; passes without a better validation loss
    count towards ``patience`` only from the pass in which the learning rate peaks (the end
    of the one-cycle warm-up, :func:`one_cycle_peak_pass`), so training never stops while the
    rate is still rising, while the best weights are tracked from the first pass. ``class_weight``
    ``[n_classes]`` weights the training and validation losses per class (see
    :func:`balanced_class_weights`). A training loss that is not finite (diverged weights:
    a learning rate far too high; or, before any step, inputs that overflow: the data) raises
    a :class:`~eegpt.errors.TrainingDivergedError` (a FloatingPointError) naming the pass
    and which of the two (:func:`nonfinite_loss_text`), rather than training on and returning NaN weights; not
    under float16, where the gradient scaler skips the step of a batch that overflowed (the
    weights stay finite) and lowers its scale, as torch.amp intends: there each history row
    also holds ``skipped_batches`` (steps the scaler skipped) and ``nonfinite_loss_batches``
    (batches whose loss was not finite, left out of ``train_loss`` and of the training
    accuracies, which are NaN only where no batch of the pass had a finite loss). A float16
    run that took no step at all raises a TrainingDivergedError (its weights would be the
    initial ones), as does a pass none of
    whose batches had a finite loss after steps with finite ones (the steps diverged the
    weights, or, where the first non-finite loss came before any step, the inputs overflow
    float16: :func:`float16_diverged_text`); one with a pass that took no step, or with a
    non-finite loss, warns (:func:`_check_skipped_steps`).
    """
    from tqdm.auto import tqdm

    n = len(x_train)
    if n == 0:
        raise ValueError("no training epochs")
    steps = math.ceil(n / batch_size)
    max_lr = [g.pop("max_lr") for g in param_groups]
    import_dynamo_without_cache_folder()  # which building any torch optimizer imports
    optimizer = torch.optim.AdamW(param_groups, lr=max_lr[0], weight_decay=weight_decay)
    total = epochs * steps
    scheduler: torch.optim.lr_scheduler.LRScheduler
    if total < 4:  # too few steps for a warm-up and a decay: the peak rate throughout
        for g, lr in zip(optimizer.param_groups, max_lr, strict=True):
            g["lr"] = lr
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
        peak_pass = 1
    else:
        # OneCycleLR divides by (warm-up steps - 1): keep at least 2 warm-up steps
        warm_up = max(pct_start, 2 / total)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=max_lr, epochs=epochs, steps_per_epoch=steps, pct_start=warm_up
        )
        peak_pass = one_cycle_peak_pass(warm_up, epochs, steps)
    scaler = torch.amp.GradScaler(device.type) if precision == "float16" else None
    order_rng = torch.Generator().manual_seed(seed)
    x_all = torch.from_numpy(_writable_float32(x_train))
    y_all = torch.from_numpy(np.asarray(y_train, dtype=np.int64))
    params = [p for g in param_groups for p in g["params"]]
    weight = class_weight

    result = FitResult()
    best_loss, best_state, since_best = math.inf, None, 0
    stepped = 0  # optimizer steps taken (float16: those the scaler did not skip)
    # steps taken before the first batch whose loss was not finite (None: none yet); 0: its
    # loss was computed on the initial weights, so the inputs overflow, not the learning rate
    nonfinite_after: int | None = None
    # one bar over the batches of all passes: a pass of the large encoder takes minutes on a CPU
    bar = tqdm(total=total, desc=desc, unit="batch", dynamic_ncols=True,
               **progress_options(disable=not progress))  # fmt: skip
    for epoch in range(epochs):
        for m in modules:
            m.train()
        perm = torch.randperm(n, generator=order_rng)
        total_loss, correct, n_finite, skipped, nonfinite = 0.0, 0, 0, 0, 0
        predicted = np.empty(n, dtype=np.int64)  # in the order of perm
        counted = np.zeros(n, dtype=bool)  # samples of batches with a finite loss
        for start in range(0, n, batch_size):
            idx = perm[start : start + batch_size]
            xb, yb = x_all[idx].to(device), y_all[idx].to(device)
            with _autocast(device, precision):
                logits = forward(xb)
            loss = F.cross_entropy(
                logits.float(), yb, weight=None if weight is None else weight.to(device)
            )
            optimizer.zero_grad(set_to_none=True)
            before = stepped  # the steps taken before this batch's loss was computed
            if scaler is not None:
                skip = _scaled_step(scaler, loss, optimizer)
                skipped += skip
                stepped += 1 - skip
            else:
                loss.backward()
                optimizer.step()
                stepped += 1
            scheduler.step()  # float16: torch's warning of its order is filtered out
            value = float(loss.detach())
            if not math.isfinite(value):
                if scaler is None:
                    bar.close()
                    raise TrainingDivergedError(
                        nonfinite_loss_text(value, epoch + 1, epochs, start, batch_size, before)
                    )
                nonfinite += 1  # float16: the scaler skipped it; left out of the loss
                if nonfinite_after is None:
                    nonfinite_after = before
            else:  # the accuracies count the batches the loss counts
                total_loss += value * len(idx)
                n_finite += len(idx)
                guess = logits.detach().argmax(1)
                correct += int((guess == yb).sum())
                predicted[start : start + len(idx)] = guess.cpu().numpy()
                counted[start : start + len(idx)] = True
            bar.update()
        row = {
            "epoch": epoch + 1,
            "lr": float(scheduler.get_last_lr()[-1]),
            **_rates_by_role(optimizer),
            "train_loss": total_loss / n_finite if n_finite else math.nan,
            "train_accuracy": correct / n_finite if n_finite else math.nan,
            "train_balanced_accuracy": (
                _balanced_accuracy(y_all[perm].numpy()[counted], predicted[counted])
                if n_finite
                else math.nan
            ),
        }
        if scaler is not None:
            row["skipped_batches"] = skipped
            row["nonfinite_loss_batches"] = nonfinite
            if nonfinite == steps and stepped:  # steps taken before, no finite loss now
                bar.close()
                earlier = sum(int(r["nonfinite_loss_batches"]) for r in result.history)
                raise TrainingDivergedError(
                    float16_diverged_text(
                        epoch + 1, epochs, steps, stepped, nonfinite_after or 0, earlier
                    )
                )
        if validation is not None:
            for m in modules:
                m.eval()
            logits = predict_logits(forward, validation[0], batch_size, device, precision)
            yv = torch.from_numpy(np.asarray(validation[1], dtype=np.int64))
            pred = logits.argmax(1).numpy()
            row["val_loss"] = float(F.cross_entropy(logits, yv, weight=weight))
            row["val_accuracy"] = float(np.mean(pred == validation[1]))
            row["val_balanced_accuracy"] = _balanced_accuracy(validation[1], pred)
            if row["val_loss"] < best_loss - 1e-6:
                best_loss, since_best = row["val_loss"], 0
                result.best_epoch = epoch + 1
                if patience is not None:
                    best_state = [p.detach().clone() for p in params]
            elif epoch + 1 >= peak_pass:  # no patience lost while the rate still rises
                since_best += 1
        result.history.append(row)
        losses = {k: f"{v:.3f}" for k, v in row.items() if k in ("train_loss", "val_loss")}
        bar.set_postfix(
            {"pass": f"{epoch + 1}/{epochs}", **losses}, refresh=False
        )  # drawn with the next update (mininterval)
        if patience is not None and validation is not None and since_best >= patience:
            result.stopped_early = True
            break
    bar.close()
    if scaler is not None:
        _check_skipped_steps(result.history, steps)
    result.kept_epoch = len(result.history)
    if best_state is not None:
        result.kept_epoch = result.best_epoch
        with torch.no_grad():
            for p, best in zip(params, best_state, strict=True):
                p.copy_(best)
    for m in modules:
        m.eval()
        renorm_constrained_(m)  # the weights as stored satisfy the max-norm constraints
    return result


def _scaled_step(
    scaler: torch.amp.GradScaler, loss: torch.Tensor, optimizer: torch.optim.Optimizer
) -> int:
    """One float16 step through ``scaler``: 1 where the scaler skipped it (the loss or the
    gradients overflowed float16, so it lowered its scale and left the weights as they were),
    else 0. A skip is told from the unscaled gradients (``scaler.unscale_``, public; the
    scaler skips where any is not finite), not from the scale dropping: once the scale has
    halved down to 0 every step is skipped (0 / 0 gradients) with the scale staying 0. A
    batch whose loss is not finite counts as skipped too."""
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)  # step() then uses these gradients, not unscaling again
    skipped = not bool(torch.isfinite(loss.detach()).all()) or not _finite_gradients(optimizer)
    scaler.step(optimizer)
    scaler.update()
    return int(skipped)


def _finite_gradients(optimizer: torch.optim.Optimizer) -> bool:
    """Whether every gradient of ``optimizer``'s parameters (those that have one) is finite."""
    grads = [p.grad for g in optimizer.param_groups for p in g["params"] if p.grad is not None]
    return all(bool(torch.isfinite(grad).all()) for grad in grads)


def _check_skipped_steps(history: Sequence[dict[str, float]], steps: int) -> None:
    """Raise where float16 training took no optimizer step at all (every batch of every pass
    skipped by the gradient scaler: the weights are the initial ones); warn where a pass took
    none, or batches had a non-finite loss (the forward pass overflowed float16: those
    inputs are ones the model cannot score in float16 either). ``history``: the passes' rows,
    with ``skipped_batches`` and ``nonfinite_loss_batches``; ``steps``: batches a pass."""
    skipped = [int(row["skipped_batches"]) for row in history]
    nonfinite = sum(int(row["nonfinite_loss_batches"]) for row in history)
    total = steps * len(history)
    if nonfinite == sum(skipped):
        why = "each with a non-finite loss"
    elif nonfinite:
        why = f"{nonfinite} of them with a non-finite loss, the others with overflowing gradients"
    else:
        why = "all with overflowing gradients"
    advice = (
        "Train with precision 'bfloat16' or 'float32' (command line: --precision), and "
        f"{DATA_CHECK}."
    )
    if sum(skipped) == total:
        raise TrainingDivergedError(
            f"float16 training took no optimizer step: the gradient scaler skipped all {total} "
            f"batches of the {len(history)} pass{'' if len(history) == 1 else 'es'} ({why}), "
            "so the weights are still the initial ones and nothing was trained. "
            + (
                advice
                if nonfinite
                else "Every loss was finite: the scaler halves its scale (from 65536) on each "
                "skip until the gradients fit float16, and the run ended first. Train for more "
                "batches (more passes, a smaller batch size) or with precision 'bfloat16' or "
                "'float32' (command line: --precision)."
            )
        )
    idle = [i + 1 for i, n in enumerate(skipped) if n == steps]
    if not idle and not nonfinite:
        return  # the scaler finding its scale: a few skipped steps, as torch.amp intends
    idle_text = (
        f"; pass{'' if len(idle) == 1 else 'es'} {few([str(i) for i in idle], 6)} took no step"
        if idle
        else ""
    )
    if nonfinite:
        said = (
            "The training loss of each pass leaves out the batches whose loss was not finite "
            "(history: skipped_batches, nonfinite_loss_batches); a model trained so may "
            "predict NaN for inputs like them. " + advice
        )
    else:  # every loss finite: the scaler lowering its scale, with few batches a pass
        said = (
            "Every loss was finite: the scaler skips a step whose gradients overflow float16 "
            "at its scale and halves the scale (as it does from 65536 at the start, until it "
            f"finds one), and with {steps} batch{'' if steps == 1 else 'es'} a pass whole "
            "passes went by without a step (history: skipped_batches). Train with more "
            "batches a pass (a smaller batch size; command line: --train-batch-size) or with precision 'bfloat16' or 'float32' "
            "(command line: --precision)."
        )
    _warn(
        f"float16 training skipped {sum(skipped)} of its {total} optimizer steps ({why})"
        f"{idle_text}. {said}",
        EEGPTUserWarning,
    )


#: How to find the training epochs whose values overflow: the check to run where the loss
#: was not finite from before the first optimizer step (the data's doing, not the rate's).
DATA_CHECK = (
    "check the training data for non-finite or huge values: the largest absolute value of "
    "each epoch (np.abs(epochs.get_data()).max(axis=(1, 2)), or of X for arrays) shows those "
    "far above the others (artefacts, a disconnected electrode), to drop or fix; all of them "
    "a million times too large is a recording in microvolts given as volts (units: volts "
    "for MNE objects)"
)


def nonfinite_loss_text(
    value: float, pass_: int, passes: int, start: int, batch_size: int, stepped: int = 1
) -> str:
    """What to say of a training loss ``value`` (nan or inf) at pass ``pass_`` of ``passes``,
    in the batch from epoch ``start`` (0-based) on, after ``stepped`` optimizer steps: the
    weights have diverged (a learning rate too high), and training on would only carry NaN
    weights into the model and NaN predictions out of it; or, before any step
    (``stepped`` 0), the initial weights gave it, so the inputs are to blame
    (:data:`DATA_CHECK`), not the learning rate."""
    batch = start // batch_size + 1
    where = f"the training loss is {value} in pass {pass_} of {passes} (batch {batch})"
    if not stepped:
        return (
            f"{where}, before any optimizer step: the initial weights gave it, so the "
            "training data overflow, not the learning rate. Training stopped; nothing was "
            f"kept. To find the epochs, {DATA_CHECK}."
        )
    return (
        f"{where}: the weights diverged, and a model trained on from here "
        "would hold non-finite weights and predict NaN. Training stopped; nothing was kept. "
        "Lower the learning rates (lr, head_lr or max_lr; command line: --lr; e.g. by 10 "
        "times), and check the data for non-finite or huge values (units: volts for MNE "
        "objects)."
    )


def float16_diverged_text(
    pass_: int, passes: int, batches: int, stepped: int, after: int = 1, earlier: int = 0
) -> str:
    """What to say where float16 training gave a non-finite loss in each of the ``batches``
    batches of pass ``pass_`` of ``passes`` after ``stepped`` optimizer steps (each of a
    batch with a finite loss: the scaler skips the others), the first non-finite loss after
    ``after`` of them, ``earlier`` batches of the earlier passes with a non-finite loss.
    Where the first came before any step (``after`` 0) the initial weights overflowed
    float16 on these inputs: the data are to blame (a few epochs with huge values
    in every batch), not the learning rate, and :data:`DATA_CHECK` says how to find them.
    Else the steps took the weights where the forward pass overflows float16 (diverged: a
    learning rate far too high), so every later step would be skipped and the model predict
    NaN; as :func:`nonfinite_loss_text` says of float32 and bfloat16 training."""
    steps = f"{stepped} optimizer step{'' if stepped == 1 else 's'}"
    head = (
        f"the training loss is not finite in any of the {batches} batches of pass {pass_} of "
        f"{passes} (float16)"
    )
    if not after:
        return (
            f"{head}, as in {earlier} batch{'' if earlier == 1 else 'es'} of the earlier "
            "passes, the first before any optimizer step (on the initial weights): the "
            f"training data overflow float16, not the learning rate ({steps} taken, on "
            "batches without them). Training stopped; nothing was kept. To find the epochs, "
            f"{DATA_CHECK}; or train with precision 'bfloat16' or 'float32' (command line: "
            "--precision), whose range is wider."
        )
    return (
        f"{head}, after {steps} with finite losses: the weights diverged (or grew past float16's range), "
        "so the gradient scaler would skip every later step and the model predict NaN. "
        "Training stopped; nothing was kept. Lower the learning rates (lr, head_lr or max_lr; "
        "command line: --lr; e.g. by 10 times) or train with precision 'bfloat16' or "
        "'float32' (command line: --precision), and check the data for non-finite or huge "
        "values (units: volts for MNE objects)."
    )


def one_cycle_peak_pass(pct_start: float, epochs: int, steps: int) -> int:
    """The pass (1-based) whose batches include the one-cycle schedule's highest learning rate,
    for ``epochs`` passes of ``steps`` batches (one scheduler step a batch), as
    :class:`torch.optim.lr_scheduler.OneCycleLR` with its default factors and cosine annealing
    sets the rates: its warm-up ends at the (0-based, fractional) step
    ``pct_start * epochs * steps - 1``, so the highest rate is at the whole step just before
    that point or just after it, whichever the annealing makes higher."""
    total = epochs * steps
    end = float(pct_start * total) - 1  # torch's end of the warm-up phase
    initial = 1 / _ONE_CYCLE_DIV  # rates relative to the peak (max_lr = 1)
    lowest = initial / _ONE_CYCLE_FINAL_DIV

    def rate(step: int) -> float:  # torch's OneCycleLR.get_lr for one group, max_lr = 1
        if step <= end:
            pct, start, stop = step / end, initial, 1.0
        else:
            pct, start, stop = (step - end) / (total - 1 - end), 1.0, lowest
        return stop + (start - stop) / 2 * (math.cos(math.pi * pct) + 1)

    below = min(max(0, math.floor(end)), total - 1)
    candidates = [below] + ([below + 1] if below + 1 < total else [])
    peak_step = max(candidates, key=rate)  # the earlier step on a tie
    return peak_step // steps + 1


_ONE_CYCLE_DIV = 25.0
"""OneCycleLR's default ``div_factor``: the first rate is the peak rate over this."""
_ONE_CYCLE_FINAL_DIV = 1e4
"""OneCycleLR's default ``final_div_factor``: the last rate is the first rate over this."""


def _rates_by_role(optimizer: torch.optim.Optimizer) -> dict[str, float]:
    """``{"lr_<role>": rate}``: each role's highest current learning rate (its top group's)."""
    rates: dict[str, float] = {}
    for group in optimizer.param_groups:
        if "role" in group:
            key = f"lr_{group['role']}"
            rates[key] = max(rates.get(key, 0.0), float(group["lr"]))
    return rates


def _writable_float32(x: np.ndarray) -> np.ndarray:
    """A C-contiguous float32 array torch can wrap (cached embeddings are read-only)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    return x if x.flags.writeable else x.copy()


def _balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    recalls = [np.mean(y_pred[y_true == c] == c) for c in np.unique(y_true)]
    return float(np.mean(recalls))


@torch.no_grad()
def predict_logits(
    forward: Callable[[torch.Tensor], torch.Tensor],
    x: np.ndarray,
    batch_size: int,
    device: torch.device,
    precision: str,
) -> torch.Tensor:
    """Logits ``[n, n_classes]`` (float32, CPU) in batches."""
    out = []
    for start in range(0, len(x), batch_size):
        xb = torch.from_numpy(_writable_float32(x[start : start + batch_size]))
        with _autocast(device, precision):
            out.append(forward(xb.to(device)).float().cpu())
    return torch.cat(out) if out else torch.empty(0)


def check_precision(precision: str, device: torch.device) -> Precision:
    """The precision's full name (``"bf16"`` is ``"bfloat16"``, any case:
    :func:`eegpt.config.precision_name`), refused where training cannot run it: float16 mixed
    precision needs CUDA."""
    name = precision_name(precision)
    if name == "float16" and device.type != "cuda":
        raise ValueError("float16 mixed precision needs a CUDA device; use bfloat16 or float32")
    return name
