"""Reading a saved probe back: :func:`load_probe`.

A probe folder (``probe.json`` + ``probe.safetensors``, :mod:`eegpt.probe_folder`) holds a
frozen probe's head and a reference to its encoder, or a fine-tuned model's every weight.
:func:`load_probe` finds a frozen probe's encoder again (the checkpoint file it was loaded
from, else the pretrained weights' name), refuses one whose weights differ
(:class:`~eegpt.errors.EncoderMismatchError`), and names the file in any settings it cannot
read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import torch
from safetensors.torch import load_file as _load_safetensors

from eegpt._logging import Verbose
from eegpt.config import EEGPTConfig
from eegpt.engine import resolve_device
from eegpt.errors import CheckpointError, EncoderMismatchError, MissingFileError
from eegpt.fingerprints import encoder_fingerprint, encoder_of, mark_loaded_weights
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe_config import ProbeConfig
from eegpt.probe_encoder import assemble_probe_model, tuned_checkpoint_info
from eegpt.probe_folder import PROBE_JSON, PROBE_WEIGHTS, _read_probe_json, check_probe_fields

if TYPE_CHECKING:
    from eegpt.probe import EEGPTProbe


def _recorded_encoder(directory: Path, meta: Mapping[str, Any]) -> str:
    """Where the encoder a frozen probe was trained on is found again: the checkpoint file it
    was loaded from, where it still is; else the pretrained weights' name it was fetched by
    (``eegpt-large``: downloaded or found in the cache on any machine). An anonymized copy
    names the file by its last component alone, which is never looked up in the current
    folder (another file may have that name there). The caller checks the weights'
    fingerprint either way."""
    ref = meta["encoder"]
    path, name = ref.get("path"), ref.get("pretrained_name")
    local = bool(path) and (Path(path).is_absolute() or not meta.get("anonymized"))
    if local and Path(path).exists():
        return str(path)
    if name:
        return str(name)
    give = (
        "give the encoder's weights: --weights PATH on the command line, "
        "load_probe(folder, model_or_path) in Python"
    )
    if not path:
        raise MissingFileError(
            f"the probe in {directory} was trained on an encoder that was not loaded from a "
            "checkpoint file; pass that encoder: load_probe(folder, model)"
        )
    if not local:
        raise MissingFileError(
            f"the probe in {directory} is an anonymized copy, which names the encoder it was "
            f"trained on by its file name alone ({path}, weights SHA-256 "
            f"{str(ref.get('weights_sha256'))[:16]}...); {give}"
        )
    raise MissingFileError(
        f"the probe in {directory} was trained on the encoder {path}, which is not there "
        f"(moved, or another machine); {give}"
    )


def load_probe(
    directory: str | os.PathLike,
    model: EEGPT | EEGPTEncoder | str | os.PathLike | None = None,
    *,
    device: str | torch.device = "cpu",
    verbose: Verbose = None,
) -> EEGPTProbe:
    """Read a probe written by :meth:`~eegpt.probe.EEGPTProbe.save`.

    Parameters
    ----------
    directory : str | Path
        Folder with ``probe.json`` and ``probe.safetensors``.
    model : EEGPT | EEGPTEncoder | str | Path | None
        For a frozen probe: the encoder it was trained on, as a model or a checkpoint path/name
        for :func:`eegpt.load_model`; ``None`` loads the checkpoint path recorded at training.
        Ignored for fine-tuned probes (their encoder is saved with them).
    device : str | torch.device
        Where the probe's model is put: ``"cpu"`` (the default, as for
        :func:`eegpt.load_model`), ``"cuda"``, ``"auto"`` ... Its methods that run it
        (:meth:`~eegpt.probe.EEGPTProbe.predict`, :meth:`~eegpt.probe.EEGPTProbe.predict_proba`,
        :meth:`~eegpt.probe.EEGPTProbe.evaluate`) take a ``device`` of their own whose default,
        ``None`` (``"auto"``), runs it on a CUDA GPU where PyTorch sees one: loading needs no
        GPU.
    verbose : bool | None
        See :func:`eegpt.load_model`.

    Raises
    ------
    EncoderMismatchError
        The encoder's weights differ from the ones the probe was trained on (compared through
        :func:`~eegpt.fingerprints.encoder_fingerprint`, so a converted copy of the same
        checkpoint is accepted).
    FileNotFoundError
        No probe in ``directory``, or no encoder given and the recorded checkpoint is gone.
    """
    from eegpt.checkpoints import load_model
    from eegpt.probe import EEGPTProbe  # which imports this module

    device = resolve_device(device)  # as embed's: DeviceUnavailableError, "auto", "gpu"
    directory = Path(directory).expanduser()
    meta = _read_probe_json(directory)
    check_probe_fields(meta, directory / PROBE_JSON, to_load=True)
    state = _probe_weights(directory)
    config = _stored_settings(ProbeConfig.from_dict, meta["probe"], directory, "probe")
    ref = meta["encoder"]
    frozen = bool(meta["frozen_encoder"])
    if frozen:
        if model is None:
            model = _recorded_encoder(directory, meta)
        if isinstance(model, (str, os.PathLike)):
            model = load_model(model, device="cpu", verbose=verbose)
        found = encoder_fingerprint(model)
        if found != ref["weights_sha256"]:
            info = dict(getattr(model, "checkpoint_info", None) or {})
            raise EncoderMismatchError(
                f"the probe in {directory} was trained on the encoder with weights SHA-256 "
                f"{ref['weights_sha256'][:16]}... (checkpoint {ref.get('path')}, file sha256 "
                f"{(ref.get('sha256') or 'unknown')[:16]}), but the encoder given has weights "
                f"SHA-256 {found[:16]}... (checkpoint {info.get('path')}, file sha256 "
                f"{(info.get('sha256') or 'unknown')[:16]}). Pass the encoder it was trained on."
            )
        encoder = encoder_of(model)
    else:
        stored = _stored_settings(EEGPTConfig.from_dict, ref["config"], directory, "encoder")
        encoder = EEGPTEncoder(stored)
    channels = meta["channels"]
    probe_model = assemble_probe_model(
        encoder,
        n_classes=len(meta["classes"]),
        n_times=int(meta["n_times"]),
        chan_ids=channels["encoder_chan_ids"],
        config=config,
        n_inputs=len(channels["input_names"]),
    )
    expected = {
        k for k in probe_model.state_dict() if not (frozen and k.startswith("target_encoder."))
    }
    if set(state) != expected:
        raise ValueError(
            f"{directory / PROBE_WEIGHTS} does not fit the probe in {PROBE_JSON}: missing "
            f"{sorted(expected - set(state))}, unexpected {sorted(set(state) - expected)}"
        )
    probe_model.load_state_dict(state, strict=False)
    if not frozen:
        probe_model.checkpoint_info = tuned_checkpoint_info(ref)  # type: ignore[assignment]
        mark_loaded_weights(probe_model)
    return EEGPTProbe(
        probe_model.to(device).eval(),
        classes=meta["classes"],
        config=config,
        preprocessing=_stored_settings(
            PreprocessingConfig.from_dict, meta["preprocessing"], directory, "preprocessing"
        ),
        input_names=channels["input_names"],
        input_labels=channels.get("input_labels"),  # probes saved before it was kept: None
        encoder_names=channels["encoder_names"],
        encoder=ref,
        frozen_encoder=frozen,
        history=meta.get("history"),
        training=meta.get("training"),
        rename=channels.get("rename"),  # probes saved before it was kept: None
        keep=channels.get("keep"),  # likewise
        picks=channels.get("picks"),  # likewise: EEG alone, as then
        on_unknown=channels.get("on_unknown", "drop"),  # likewise: dropped, as then
        on_missing=channels.get("on_missing"),  # likewise: by input, as then
    )


def _probe_weights(directory: Path) -> dict[str, torch.Tensor]:
    """The tensors of the probe folder ``directory``'s ``probe.safetensors``; one that is
    missing raises a :class:`~eegpt.errors.MissingFileError`, one that is not a safetensors
    file (empty, cut short, other bytes) a :class:`~eegpt.errors.CheckpointError`, each naming
    the file and what to do (not safetensors' bare ``SafetensorError``)."""
    from safetensors import SafetensorError

    path = directory / PROBE_WEIGHTS
    if not path.is_file():
        from eegpt.formats import broken_link_text

        link = broken_link_text(path)  # a DataLad or git-annex file whose content is not here
        if link is not None:
            raise MissingFileError(f"{directory} holds {PROBE_JSON}, but {link}")
        raise MissingFileError(
            f"{directory} holds {PROBE_JSON} but no {PROBE_WEIGHTS}"
            + (" (a folder of that name)" if path.is_dir() else "")
            + ": a probe folder has both; copy the whole folder `eegpt probe train` wrote"
        )
    try:
        return _load_safetensors(str(path))
    except (SafetensorError, OSError) as err:
        size = path.stat().st_size
        what = "empty (0 bytes)" if size == 0 else f"cut short or damaged ({err})"
        raise CheckpointError(
            f"cannot read {path}: it is {what}, not the safetensors file `eegpt probe "
            "train` writes: copy the whole probe folder again, or train the probe again"
        ) from err


_Settings = TypeVar("_Settings")


def _stored_settings(
    parse: Callable[[Mapping[str, Any]], _Settings],
    values: Mapping[str, Any],
    directory: Path,
    section: str,
) -> _Settings:
    """``parse(values)``: settings ``section`` (``"encoder"``, ``"probe"``,
    ``"preprocessing"``) of the probe in ``directory`` as its ``probe.json`` records them. A
    value the settings refuse (``embed_dim`` not divisible by ``num_heads``, a negative
    ``depth``, an unknown key) raises a ``TypeError`` or ``ValueError`` as the field did,
    naming the file and keeping the field's own message: eegpt writes valid ones, so the
    folder is damaged or was written by another version."""
    try:
        return parse(values)
    except (TypeError, ValueError) as err:
        raise (TypeError if isinstance(err, TypeError) else ValueError)(
            f"{directory / PROBE_JSON}: its {section} settings are invalid ({err}). The probe "
            "folder is damaged or was written by another eegpt version (save it again with "
            "the version that trained it, or train it again)"
        ) from err
