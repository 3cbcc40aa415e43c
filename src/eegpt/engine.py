"""Batched inference: windows in, summary-token embeddings out.

The engine owns the device, the numeric precision and the batching; the model stays a plain
``nn.Module``. Windows arrive as a NumPy array ``[n_windows, C, T]`` in model units (mV) and leave
as float32 ``[n_windows, N, S, D]``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from tqdm.auto import tqdm

from eegpt.model import EEGPT, EEGPTEncoder

Precision = Literal["float32", "bfloat16", "float16"]
_DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32,
    "bfloat16": torch.bfloat16,
    "float16": torch.float16,
}


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``None``/"auto" picks CUDA when available, else CPU; errors name what is missing."""
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"device {device} was requested but PyTorch sees no CUDA GPU "
            f"(torch {torch.__version__}); use --device cpu"
        )
    return device


@dataclass
class InferenceEngine:
    """Runs an EEGPT model over many windows in batches.

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder
        The model; moved to ``device`` and put in eval mode.
    device : str | torch.device | None
        Where to run; ``None`` picks CUDA when present.
    precision : {"float32", "bfloat16", "float16"}
        Matmul precision. Reduced precisions run under autocast (fp32 accumulation, fp32
        LayerNorm/softmax statistics); float32 is exact to the reference implementation.
    batch_size : int
        Windows per forward pass.
    """

    model: EEGPT | EEGPTEncoder
    device: str | torch.device | None = None
    precision: Precision = "float32"
    batch_size: int = 64

    def __post_init__(self) -> None:
        if self.precision not in _DTYPES:
            raise ValueError(f"precision must be one of {sorted(_DTYPES)}, got {self.precision!r}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        self.device = resolve_device(self.device)
        self.model = self.model.to(self.device).eval()

    @property
    def encoder(self) -> EEGPTEncoder:
        return self.model.target_encoder if isinstance(self.model, EEGPT) else self.model

    def _autocast(self):
        if self.precision == "float32":
            return torch.autocast(self.device.type, enabled=False)
        return torch.autocast(self.device.type, dtype=_DTYPES[self.precision])

    def _batches(self, windows: np.ndarray) -> Iterator[tuple[int, torch.Tensor]]:
        pin = self.device.type == "cuda"
        for start in range(0, len(windows), self.batch_size):
            chunk = torch.from_numpy(np.ascontiguousarray(windows[start : start + self.batch_size]))
            chunk = chunk.float()
            if pin:
                chunk = chunk.pin_memory()
            yield start, chunk.to(self.device, non_blocking=pin)

    @torch.inference_mode()
    def encode(
        self,
        windows: np.ndarray,
        chan_ids: Sequence[int] | torch.Tensor,
        *,
        progress: bool | tqdm = False,
        desc: str = "embedding",
    ) -> np.ndarray:
        """Summary tokens for every window.

        Parameters
        ----------
        windows : ndarray, shape (n_windows, C, T)
            Signal in model units (millivolts at 256 Hz for the pretrained model).
        chan_ids : sequence of int, length C
            Vocabulary row of each channel (see :func:`eegpt.channels.map_channels`).
        progress : bool | tqdm
            Show a progress bar, or advance an existing one by the number of windows done.

        Returns
        -------
        ndarray, shape (n_windows, N, S, D), float32
        """
        if windows.ndim != 3:
            raise ValueError(f"windows must be [n_windows, C, T], got shape {windows.shape}")
        ids = torch.as_tensor(chan_ids, dtype=torch.long, device=self.device)
        cfg = self.encoder.config
        n_patches = cfg.n_patches(windows.shape[-1])
        out = np.empty((len(windows), n_patches, cfg.embed_num, cfg.embed_dim), dtype=np.float32)
        bar, own_bar = _progress_bar(progress, len(windows), desc)
        try:
            for start, batch in self._batches(windows):
                with self._autocast():
                    z = (
                        self.model.encode(batch, ids)
                        if isinstance(self.model, EEGPT)
                        else self.model(batch, ids)
                    )
                out[start : start + len(batch)] = z.float().cpu().numpy()
                if bar is not None:
                    bar.update(len(batch))
        finally:
            if own_bar and bar is not None:
                bar.close()
        return out


def _progress_bar(progress: bool | tqdm, total: int, desc: str) -> tuple[tqdm | None, bool]:
    if isinstance(progress, tqdm):
        return progress, False
    if progress:
        return tqdm(total=total, desc=desc, unit="win", dynamic_ncols=True), True
    return None, False
