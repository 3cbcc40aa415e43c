"""The advice on epochs that do not fill whole patches of the model (64 samples each).

How a window of epochs splits into whole patches and a rest (:func:`whole_patches`), the
``epochs.crop`` call and ``--crop``/``--window`` options that fit epochs to whole patches
(:func:`crop_call`, :func:`crop_advice`), and the texts on epochs zero-padded into a longer
window (:func:`padded_patches_text`, :func:`partial_patch_note`, :func:`padded_patches_seconds`)
that ``eegpt embed`` warns and ``eegpt info`` prints. Imports neither MNE nor SciPy nor torch,
so that ``eegpt info`` of an embeddings file stays quick.
"""

from __future__ import annotations

from typing import Any

from eegpt.config import EEGPTConfig


def whole_patches(n_samples: int) -> tuple[int, int]:
    """``(whole, rest)``: a window of ``n_samples`` as whole patches of the pretrained model
    (``EEGPTConfig.patch_size`` samples, not overlapping) and the samples left over, which the
    model zero-pads into one patch more (:meth:`EEGPTConfig.padded_length
    <eegpt.config.EEGPTConfig.padded_length>`); ``rest`` is 0 for whole patches."""
    return divmod(n_samples, EEGPTConfig.patch_size)


def crop_call(seconds: float, start: float | None = None) -> str:
    """The ``epochs.crop`` that keeps ``seconds`` of each epoch from ``start`` (s relative to
    the event; None: the epochs' start), MNE's tmax inclusive, so one sample less."""
    at = "epochs.tmin" if start is None else f"{start:.10g}"
    return f"epochs.crop({at}, {at} + {seconds:.10g} - 1 / epochs.info['sfreq'])"


def padded_patches_seconds(padded: dict[str, Any], patches: int) -> float:
    """The seconds of ``patches`` whole patches at the rate of the window into which epochs
    were zero-padded (``padded``: :func:`~eegpt.api.epoch_padding_record`'s entry)."""
    sfreq = padded["window_samples"] / (padded["recorded_s"] + padded["padded_s"])
    return patches * EEGPTConfig.patch_size / sfreq


def crop_advice(seconds: float, crop_tmin: float | None = None) -> str:
    """How to crop epochs to ``seconds`` from ``crop_tmin`` (the ``--crop`` they were cropped
    by; None: from their start): on the command line and in Python."""
    start = "TMIN" if crop_tmin is None else f"{crop_tmin:g}"
    where = ", TMIN the epochs' start (MNE's tmin)" if crop_tmin is None else ""
    return (
        f"--crop {start} --window {seconds:.10g} on the command line{where}; "
        f"{crop_call(seconds, crop_tmin)} and window_seconds={seconds:.10g} in Python"
    )


def partial_patch_note(padded: dict[str, Any], crop_tmin: float | None = None) -> str:
    """For epochs whose last patch is mostly zeros (``padded``: :func:`epoch_padding_record`'s
    entry; ``crop_tmin``: the ``--crop`` they were cropped by, if any), how to crop them to
    whole patches; "" otherwise."""
    whole, rest = whole_patches(int(padded["recorded_samples"]))
    patch = EEGPTConfig.patch_size
    if not (whole and 0 < 2 * rest < patch):
        return ""
    down = padded_patches_seconds(padded, whole)
    return (
        f"; patch {whole + 1}, with {rest} of their samples, is mostly zeros: cropped to {whole} "
        f"whole patches, they have no zeros ({crop_advice(down, crop_tmin)})"
    )


def padded_patches_text(padded: dict[str, Any]) -> str:
    """How the patches of a window into which epochs were zero-padded (``padded``:
    :func:`~eegpt.api.epoch_padding_record`'s entry) hold zeros: those wholly padding
    (``padding_patches``) and the one the epochs end inside, partly padded."""
    patches, zeros = int(padded["patches"]), int(padded["padding_patches"])
    whole, rest = whole_patches(int(padded["recorded_samples"]))
    if zeros == 1:
        text = f"the last of each window's {patches} patches is wholly padding (zeros)"
    elif zeros:
        text = f"the last {zeros} of each window's {patches} patches are wholly padding (zeros)"
    else:
        text = f"none of each window's {patches} patches is wholly padding"
    if rest and whole < patches:
        patch = EEGPTConfig.patch_size
        text += (
            f"{' and' if zeros else ', but'} patch {whole + 1} is partly padded: {rest} of the "
            f"epochs' samples and {patch - rest} zeros"
        )
    return text
