"""What ``eegpt info`` says of an output's windows (:func:`windows_text`) and of an input given
in memory (:data:`INPUT_KEY`, :func:`input_text`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eegpt._logging import few
from eegpt._recording_provenance import EPOCH_ONSETS_KEY


def windows_text(n: int, metadata: Mapping[str, Any]) -> str:
    """``"3 windows"``, or for epochs whose onsets number them end to end (``metadata``'s
    :data:`EPOCH_ONSETS_KEY`), ``"3 epochs (separate, onsets numbered end to end)"``, whose
    onsets would otherwise read as those of contiguous windows."""
    if metadata.get(EPOCH_ONSETS_KEY) == "end_to_end":
        return f"{n} epoch{'' if n == 1 else 's'} (separate, onsets numbered end to end)"
    return f"{n} window{'' if n == 1 else 's'}"


#: Key of the record of an input given as an object in memory (an MNE Raw or Epochs, an
#: array) in an output's metadata: :func:`eegpt.api.input_record`.
INPUT_KEY = "input"

#: Key of the id of an :class:`eegpt.OnlineEmbedder`'s stream in its outputs' metadata: new at
#: each ``reset()`` (its windows and onsets count from 0 again), so parts of streams apart are
#: told apart when joined (:meth:`eegpt.Embeddings.concatenate`).
STREAM_ID_KEY = "stream_id"


def input_text(record: Any) -> str | None:
    """What ``eegpt info`` says of an output's input given in memory (:func:`eegpt.api.input_record`),
    or None for a recording given as a path (or an output of an earlier version)."""
    if not isinstance(record, dict) or not record.get("object"):
        return None
    read = f" read from {record['read_from']}" if record.get("read_from") else ""
    every = record.get("read_from_all")
    if isinstance(every, list) and len(every) > 1:
        names = [Path(str(p)).name or str(p) for p in every]
        read = f" read from {len(every)} files ({few(names, 4)})"
    return (
        f"an in-memory {record['object']}{read} (changes made to it in memory are not "
        "recorded; no file hashes)"
    )
