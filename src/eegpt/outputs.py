"""Embedding results and their files (``.npz`` or Parquet), written atomically.

An :class:`Embeddings` holds the summary tokens of every window of one recording, the window
onsets in seconds, and the provenance needed to reproduce them: the channel mapping, the
preprocessing settings, the model configuration and the checkpoint's SHA-256.

File layouts
------------
``.npz``: arrays ``embeddings`` ``[n_windows, N, S, D]`` float32 and ``onsets`` ``[n_windows]``
(seconds), plus ``metadata``, a JSON string.

``.parquet``: one row per window with columns ``source``, ``window``, ``onset_s`` and
``embedding`` (a fixed-size list of N*S*D float32 in C order); the JSON metadata, including the
``shape`` to restore, lives in the schema metadata under the key ``eegpt``. Read it back with
:func:`load_embeddings`, or as a table with ``pandas.read_parquet(path)``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FORMATS = (".npz", ".parquet")


@dataclass
class Embeddings:
    """Per-window EEGPT embeddings of one recording.

    Attributes
    ----------
    data : ndarray, shape (n_windows, N, S, D), float32
        Normalised summary tokens: N time patches, S summary tokens, width D.
    onsets : ndarray, shape (n_windows,), float64
        Window start times in seconds from the start of the recording.
    metadata : dict
        JSON-serialisable provenance: ``source``, ``channels`` (mapping), ``preprocessing``,
        ``model`` (config), ``checkpoint`` (path, format, sha256, pretrained flag), ``eegpt_version``.
    """

    data: np.ndarray
    onsets: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.data.ndim != 4 or len(self.onsets) != len(self.data):
            raise ValueError(
                f"embeddings must be [n_windows, N, S, D] with one onset per window, got "
                f"{self.data.shape} and {len(self.onsets)} onsets"
            )

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        src = self.metadata.get("source", "?")
        return f"<Embeddings {len(self)} windows x {self.data.shape[1:]} from {src}>"

    def pooled(self, how: str = "mean") -> np.ndarray:
        """One vector per window: ``"mean"`` over patches and summary tokens ``[n, D]``, or
        ``"flatten"`` ``[n, N*S*D]``."""
        if how == "mean":
            return self.data.mean(axis=(1, 2))
        if how == "flatten":
            return self.data.reshape(len(self), -1)
        raise ValueError(f"unknown pooling {how!r}; use 'mean' or 'flatten'")

    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write to ``.npz`` or ``.parquet`` (by suffix), atomically; never overwrite unless asked."""
        path = Path(path)
        writer = {".npz": self._write_npz, ".parquet": self._write_parquet}.get(path.suffix)
        if writer is None:
            raise ValueError(f"unsupported output {path.name!r}: use one of {FORMATS}")
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists; pass overwrite=True (--overwrite) to replace it")
        atomic_write(path, writer)
        return path

    def _write_npz(self, fh) -> None:
        np.savez(
            fh,
            embeddings=self.data.astype(np.float32, copy=False),
            onsets=np.asarray(self.onsets, dtype=np.float64),
            metadata=np.array(json.dumps(self.metadata)),
        )

    def _write_parquet(self, fh) -> None:
        pa, pq = _pyarrow()
        n = len(self)
        flat = np.ascontiguousarray(self.data, dtype=np.float32).reshape(n, -1)
        values = pa.array(flat.reshape(-1), type=pa.float32())
        meta = dict(self.metadata, shape=list(self.data.shape))
        table = pa.table(
            {
                "source": pa.array([str(self.metadata.get("source", ""))] * n, pa.string()),
                "window": pa.array(np.arange(n, dtype=np.int32)),
                "onset_s": pa.array(np.asarray(self.onsets, dtype=np.float64)),
                "embedding": pa.FixedSizeListArray.from_arrays(values, flat.shape[1]),
            }
        ).replace_schema_metadata({"eegpt": json.dumps(meta)})
        pq.write_table(table, fh)


def load_embeddings(path: str | Path) -> Embeddings:
    """Read a file written by :meth:`Embeddings.save`."""
    path = Path(path)
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as f:
            return Embeddings(f["embeddings"], f["onsets"], json.loads(str(f["metadata"][()])))
    if path.suffix == ".parquet":
        _, pq = _pyarrow()
        table = pq.read_table(path)
        raw = (table.schema.metadata or {}).get(b"eegpt")
        if raw is None:
            raise ValueError(f"{path} has no eegpt metadata; was it written by eegpt?")
        meta = json.loads(raw)
        shape = tuple(meta.pop("shape"))
        flat = table.column("embedding").combine_chunks().flatten().to_numpy()
        data = flat.reshape(shape).astype(np.float32, copy=False)
        return Embeddings(data, table.column("onset_s").to_numpy(), meta)
    raise ValueError(f"unsupported embeddings file {path.name!r}: use one of {FORMATS}")


def atomic_write(path: Path, write: Callable[[Any], None]) -> None:
    """Call ``write(fh)`` on a temporary file beside ``path``, then rename it into place.

    A crash at any point leaves either the previous file or the complete new one, never a
    partial file under the final name.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "writing Parquet needs pyarrow: pip install 'eegpt[parquet]' (or use a .npz output)"
        ) from err
    return pa, pq
