"""Training that fails: float16 training on CPU (autocast with the CPU gradient scaler),
through :func:`eegpt.training.fit_model` directly (train_probe and finetune take float16 only on
CUDA; the same tests run on CUDA where a GPU is present), where batches the scaler skips stay out of the training loss and are counted and a run
that never stepped raises rather than returning its initial weights as trained; and a diverging
``eegpt probe train``, reported as the user's error naming ``--lr``."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from eegpt.errors import EEGPTUserWarning
from eegpt.training import fit_model

DEVICES = [
    "cpu",
    pytest.param(
        "cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
    ),
]


def _fit(
    x: np.ndarray,
    y: np.ndarray,
    lin: nn.Linear,
    device: str,
    epochs: int = 3,
    lr: float = 1e-2,
    precision: str = "float16",
):
    lin = lin.to(device)
    groups = [{"params": list(lin.parameters()), "max_lr": lr, "lr": lr, "role": "head"}]
    return fit_model(
        lin, [lin], groups, x, y, None, epochs=epochs, batch_size=8, weight_decay=0.0,
        pct_start=0.3, patience=None, seed=0, device=torch.device(device),
        precision=precision, progress=False, desc="t",
    )  # fmt: skip


def _data() -> tuple[np.ndarray, np.ndarray]:
    """64 samples of 16 features (a task on the first one), float32; labels 0/1."""
    x = np.random.default_rng(0).normal(size=(64, 16)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64)


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)`")
@pytest.mark.parametrize("device", DEVICES)
def test_a_batch_with_a_nonfinite_loss_is_left_out_of_the_loss_and_counted(device):
    """One sample overflowing float16 makes its batch's loss NaN in every pass: the pass's
    training loss is that of the other batches (not NaN), and the rows count the batch."""
    x, y = _data()
    x[5] = 1e5
    torch.manual_seed(0)
    with pytest.warns(EEGPTUserWarning, match=r"skipped \d+ of its 24 optimizer steps"):
        result = _fit(x, y, nn.Linear(16, 2), device)
    for row in result.history:
        assert math.isfinite(row["train_loss"]), row
        assert row["nonfinite_loss_batches"] == 1
        assert row["skipped_batches"] >= 1


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)`")
@pytest.mark.parametrize("device", DEVICES)
def test_a_run_that_never_stepped_raises(device):
    """Every batch overflowing float16: no optimizer step at all, so an error says nothing was
    trained instead of returning the initial weights as a trained model."""
    x, y = _data()
    torch.manual_seed(0)
    lin = nn.Linear(16, 2).to(device)
    before = lin.weight.detach().clone()
    with pytest.raises(FloatingPointError, match=r"took no optimizer step.*all 24 batches"):
        _fit(x * 1e5, y, lin, device)
    assert torch.equal(lin.weight.detach(), before)


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)`")
@pytest.mark.parametrize("device", DEVICES)
def test_a_run_that_never_stepped_raises_after_the_scale_reached_zero(device):
    """Skips were counted where the scale dropped; halved on each, it reached 0 after ~166
    and stayed there, so later skips went uncounted and 25 passes returned the initial
    weights with a warning ("skipped 166 of its 200 ... 200 of them with a non-finite
    loss"). Every skip is counted: an error, the weights unchanged."""
    x, y = _data()
    torch.manual_seed(0)
    lin = nn.Linear(16, 2).to(device)
    before = lin.weight.detach().clone()
    with pytest.raises(FloatingPointError, match=r"took no optimizer step.*all 200 batches"):
        _fit(x * 1e5, y, lin, device, epochs=25)
    assert torch.equal(lin.weight.detach(), before)


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)`")
@pytest.mark.parametrize("device", DEVICES)
def test_float16_weights_diverged_by_the_learning_rate_raise_naming_lr(device):
    """lr 1e30 under float16: the first step takes the weights to ~1e28, where every later
    forward pass overflows float16, so the scaler skips every later step. That run returned
    those weights as trained, with a warning advising another precision only; as in float32
    it is now an error naming the pass and --lr, raised at the end of the first pass without
    a finite loss."""
    from eegpt.errors import TrainingDivergedError

    x, y = _data()
    torch.manual_seed(0)
    with pytest.raises(TrainingDivergedError) as caught:
        _fit(x, y, nn.Linear(16, 2), device, epochs=5, lr=1e30)
    said = str(caught.value)
    assert re.search(r"not finite in any of the 8 batches of pass 2 of 5 \(float16\), after 1 "
                     r"optimizer step with finite losses", said), said  # fmt: skip
    assert "--lr" in said and "--precision" in said


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)`")
@pytest.mark.parametrize("device", DEVICES)
def test_float16_losses_not_finite_from_the_initial_weights_blame_the_data_not_lr(device):
    """20 of 64 epochs at 1e5 (huge amplitudes), lr 1e-3: every batch of pass 1 but one
    overflows float16 from the first, on the initial weights; the one step taken, pass 2
    has no finite loss. The error said the weights diverged and to lower --lr; the loss was
    never finite on those inputs, so it says the data overflow and how to find the epochs."""
    from eegpt.errors import TrainingDivergedError

    x, y = _data()
    x[:20] *= 1e5
    torch.manual_seed(0)
    with pytest.raises(TrainingDivergedError) as caught:
        _fit(x, y, nn.Linear(16, 2), device, epochs=5, lr=1e-3)
    said = str(caught.value)
    assert re.search(r"not finite in any of the 8 batches of pass 2 of 5 \(float16\), as in 7 "
                     r"batches of the earlier passes, the first before any optimizer step",
                     said), said  # fmt: skip
    assert "overflow float16, not the learning rate" in said and "np.abs(" in said
    assert "--lr" not in said and "diverged" not in said and "--precision" in said


@pytest.mark.parametrize("device", DEVICES)
def test_a_float32_loss_not_finite_before_any_step_blames_the_data_not_lr(device):
    """Inputs at 3e38 overflow float32's logits in the very first batch, before any
    optimizer step: the error said the weights diverged and to lower --lr; it says the
    initial weights gave it, so the data, and how to find the epochs. After steps, as a rate
    far too high gives, --lr is still named."""
    from eegpt.errors import TrainingDivergedError

    x, y = _data()
    x[:] = 3e38  # every epoch: the first batch's logits overflow
    torch.manual_seed(0)
    with pytest.raises(TrainingDivergedError) as caught:
        _fit(x, y, nn.Linear(16, 2), device, lr=1e-3, precision="float32")
    said = str(caught.value)
    assert said.startswith("the training loss is inf in pass 1 of 3 (batch 1), before any "
                           "optimizer step: the initial weights gave it"), said  # fmt: skip
    assert "--lr" not in said and "np.abs(" in said


@pytest.mark.parametrize("device", DEVICES)
def test_float16_steps_the_scaler_skipped_first_bring_no_torch_scheduler_warning(device):
    """The scaler skipping the first batches' steps made torch warn that lr_scheduler.step()
    was called before optimizer.step() and to swap them (a false alarm: the schedule follows
    the batches, stepped or not); only eegpt's own warning of the skipped steps is given."""
    x, y = _data()
    x[:8] *= 1e5
    torch.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _fit(x, y, nn.Linear(16, 2), device)
    said = [str(w.message) for w in caught]
    assert not [m for m in said if "lr_scheduler.step()" in m], said
    assert [m for m in said if "float16 training skipped" in m], said


@pytest.mark.parametrize("device", DEVICES)
def test_passes_lost_to_the_scaler_finding_its_scale_are_not_said_to_be_nonfinite_losses(device):
    """Inputs ~30 and 2 batches a pass: the scaler skips its first 5 steps (finite losses,
    gradients overflowing at its starting scale 65536) and passes 1, 2 take none. The warning
    said the loss left out batches whose loss was not finite and that the model may predict
    NaN for inputs like them, of a run with every loss finite; it says what happened."""
    x, y = _data()
    torch.manual_seed(0)
    with pytest.warns(EEGPTUserWarning, match="float16 training skipped") as caught:
        result = _fit(x[:16] * 30, y[:16], nn.Linear(16, 2), device, epochs=10, lr=1e-3)
    assert all(row["nonfinite_loss_batches"] == 0 for row in result.history)
    said = " ".join(str(w.message) for w in caught)
    assert "not finite" not in said and "predict NaN" not in said, said
    with pytest.raises(FloatingPointError, match="took no optimizer step") as failed:
        _fit(x[:16] * 30, y[:16], nn.Linear(16, 2), device, epochs=1, lr=1e-3)
    assert "Every loss was finite: the scaler halves its scale" in str(failed.value)
    assert "check the data" not in str(failed.value)
    assert re.search(r"\(all with overflowing gradients\); pass(es)? 1\b.* took no step\. "
                     r"Every loss was finite: .* with 2 batches a pass whole passes went by",
                     said), said  # fmt: skip


class _WarnsEachBatch(nn.Linear):
    """A head whose forward pass gives the same warning every batch, as a library may."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        warnings.warn("a warning of every forward pass", UserWarning, stacklevel=1)
        return super().forward(x)


@pytest.mark.parametrize("device", DEVICES)
def test_float16_training_shows_a_warning_of_every_batch_once(device):
    """Under Python's default filter a warning given by every forward pass is shown once, as
    in float32 and bfloat16 training. The filter of torch's scheduler warning, set around
    each float16 batch's scheduler step, reset Python's record of the warnings shown: the
    warning was shown for each of the 24 batches."""
    x, y = _data()
    torch.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        _fit(x, y, _WarnsEachBatch(16, 2), device)
    said = [str(w.message) for w in caught]
    assert said.count("a warning of every forward pass") == 1, said
    assert not [m for m in said if "lr_scheduler.step()" in m], said


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)`")
@pytest.mark.parametrize("device", DEVICES)
def test_the_training_accuracy_counts_the_batches_the_loss_counts(device):
    """A head that classifies every sample right (the sign of feature 0), but one sample
    (mislabelled, feature 0 at -1e5) overflows float16 to logits [inf, -inf]: its batch's
    loss is not finite and left out of train_loss, yet its predictions (one wrong) were
    counted in the accuracies, 63/64. They count the batches the loss counts: 1.0."""
    x, y = _data()
    x[5, 0], y[5] = -1e5, 1
    lin = nn.Linear(16, 2)
    with torch.no_grad():
        lin.weight.zero_()
        lin.weight[:, 0] = torch.tensor([-10.0, 10.0])
        lin.bias.zero_()
    with pytest.warns(EEGPTUserWarning, match="not finite"):
        result = _fit(x, y, lin, device, epochs=2, lr=1e-8)  # the head barely moves
    for row in result.history:
        assert row["nonfinite_loss_batches"] == 1, row
        assert row["train_accuracy"] == 1.0, row
        assert row["train_balanced_accuracy"] == 1.0, row


@pytest.mark.parametrize("device", DEVICES)
def test_clean_float16_training_counts_no_nonfinite_loss(device):
    """Clean data: finite losses, no batch with a non-finite loss, no warning of skips."""
    x, y = _data()
    torch.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _fit(x, y, nn.Linear(16, 2), device)
    assert not [w for w in caught if issubclass(w.category, EEGPTUserWarning)]
    assert all(math.isfinite(r["train_loss"]) for r in result.history)
    assert all(r["nonfinite_loss_batches"] == 0 for r in result.history)


def test_probe_train_reports_a_diverging_run_as_an_error_naming_lr(weights, tmp_path, capsys):
    """eegpt probe train --lr 1e30: the loss turns NaN; the command says so as an ordinary
    error (the user's setting, not a bug in eegpt) naming its option --lr, exit status 1."""
    from eegpt.probe import synthetic_erp_epochs
    from eegpt.probe_cli import main as probe_main

    path = tmp_path / "task-epo.fif"
    synthetic_erp_epochs(24, seconds=1.0, tmin=-0.2, seed=1).save(path, verbose=False)
    capsys.readouterr()
    status = probe_main(["train", str(path), "--weights", str(weights), "-o",
                         str(tmp_path / "p"), "-q", "--window", "1", "--passes", "3",
                         "--lr", "1e30"])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 1
    assert "internal error" not in err and "bug in eegpt" not in err
    assert re.search(r"eegpt: error: the training loss is (nan|inf) in pass .*--lr", err), err
