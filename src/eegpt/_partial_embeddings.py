"""The windows of a recording embedded so far, kept beside its output so that an interrupted
:func:`eegpt.embed_to_file` (``eegpt embed``) can resume inside the recording.

While a recording is embedded, each block of embeddings written to the output is also appended
to a hidden file beside it, ``.<output name>.eegpt-partial.rows`` (a 128-byte header naming the
run's fingerprint, then float32 rows in C order), and every :data:`COMMIT_EVERY_S` seconds and
at an interrupt (Ctrl-C, SIGTERM) the rows that are on disk are recorded in
``.<output name>.eegpt-partial.json`` (written whole under a temporary name, then renamed), so
that a hard kill loses at most those seconds of work. Neither name ends in ``.npz``,
``.parquet`` or ``.tmp``: no listing takes them for an output, and the removal of a killed
run's temporary files (:func:`eegpt._tempfiles.remove_stale`) leaves them alone.

A run told to resume (``resume=True``; ``eegpt embed --skip-existing``) takes the first rows
from there instead of running the model on them, when the record's fingerprint is the run's:
a SHA-256 of everything its output's provenance records before any window is embedded (the
input files' size, modification time and fingerprint, the weights' SHA-256, preprocessing,
windowing, channels, annotations, precision, device, batch size, eegpt's and its libraries'
versions, the newest CHANGELOG.md section its eegpt includes), of the engine's choices that change the numbers but that the provenance does not
record (on CUDA the GPU's model too, on a CPU its instruction set:
:meth:`eegpt.engine.InferenceEngine.unrecorded_numerics`),
of the window onsets and of ``pool``, and whose weights are the run's: a SHA-256 of
the weights the embeddings are computed from as they are (the encoder's, not a channel
projection's or probe head's: :func:`eegpt.fingerprints.embedding_weights_hash`), recorded
with the rows and compared only where rows are kept, so that other weights of a model built in
Python, given other weights with ``load_state_dict`` or edited in place, are told too (rows
recorded before that hash was, 2026-12-07, are taken where the weights are still those of the
file the fingerprint names, hashed to check; rows recorded with a hash of the whole state dict,
probe head included, that day are not taken, with a note). The recording is still read, checked and windowed from its
start as before, so the output's embeddings, onsets and flags are the same,
bit for bit, as those of a run never interrupted (warnings the model's run gave over the kept
windows are not repeated in its provenance), unless that run's engine had turned
``torch.compile`` on (``compile="auto"``, after :data:`eegpt.engine.AUTO_COMPILE_AFTER`
windows on a GPU): a resumed process starts uncompiled, and its windows may differ from
compiled ones in the last digits (the record says whether rows were compiled, and a resume
not compiling that takes them says so). A record of other settings, or of a changed file
(told by its size, modification time and first and last MiB, or its full SHA-256 where the
inputs are hashed), is removed (a note says so), never mixed in. Both files go when the output is complete, or on an error.

``eegpt embed-dataset`` keeps the parts of a long recording embedded so far the same way, under
a name of the run's folder for each recording (:class:`eegpt.dataset_pipeline.KeptWindows`).

Imports neither torch nor MNE nor SciPy.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Collection
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from eegpt._logging import Verbose, log
from eegpt._tempfiles import temporary_beside, writer_tag

#: Seconds of embedding between two records of the rows on disk (a hard kill loses at most
#: these); an interrupt records them at once.
COMMIT_EVERY_S = 120.0

#: Bytes before the first row of a ``.rows`` file: the fingerprint, padded.
_HEADER_BYTES = 128

#: The key of :meth:`eegpt.engine.InferenceEngine.unrecorded_numerics` that names the CPU's
#: instruction set, which eegpt before 2026-12-07 did not record: a fingerprint without it is
#: such an eegpt's (:class:`PartialRows`' ``taken_earlier``).
CPU_NUMERICS = "engine_cpu"

#: Provenance entries left out of the fingerprint: the command line (a resumed run adds
#: ``--skip-existing``) and the warnings, recorded as windows are embedded.
_NOT_FINGERPRINTED = ("command", "cwd", "warnings")


def partial_paths(output: Path) -> tuple[Path, Path]:
    """``(record, rows)``: the hidden files that keep ``output``'s windows embedded so far."""
    stem = f".{output.name}.eegpt-partial"
    return output.with_name(stem + ".json"), output.with_name(stem + ".rows")


def run_fingerprint(metadata: dict[str, Any], onsets: np.ndarray, pool: str) -> str:
    """SHA-256 (hex) of what determines a recording's embeddings: its provenance before any
    window is embedded (less :data:`_NOT_FINGERPRINTED`), the window onsets (s) and ``pool``."""
    kept = {k: v for k, v in metadata.items() if k not in _NOT_FINGERPRINTED}
    h = hashlib.sha256(json.dumps(kept, sort_keys=True, default=repr).encode())
    h.update(np.ascontiguousarray(onsets, dtype="<f8").tobytes())
    h.update(pool.encode())
    return h.hexdigest()


def read_record(output: Path) -> dict[str, Any] | None:
    """The record of ``output``'s windows kept (``fingerprint``, ``rows``, ``row_shape``,
    ``n_windows``), or None where there is none or it cannot be read."""
    record, _ = partial_paths(output)
    try:
        found = json.loads(record.read_text())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def remove_partial(output: Path) -> None:
    """Remove ``output``'s windows kept, if any (its output is complete, or replaced)."""
    for path in partial_paths(output):
        path.unlink(missing_ok=True)


def _scope(weights: Any) -> str:
    """What a hash of weights covers, as its text says: the part before ``:``
    (:data:`eegpt.fingerprints.EMBEDDING_WEIGHTS_PREFIX`), empty for a hash of the whole
    state dict (:func:`eegpt.fingerprints.state_dict_hash`, recorded before 2026-12-07)."""
    return str(weights).partition(":")[0] if ":" in str(weights) else ""


def _header(fingerprint: str) -> bytes:
    return fingerprint.encode().ljust(_HEADER_BYTES, b" ")


class PartialRows:
    """The rows of one output embedded so far: those kept by an interrupted run (``stored``,
    the first rows) and those appended since.

    Parameters
    ----------
    output : Path
        The output file the rows are for.
    fingerprint : str
        :func:`run_fingerprint` of this run.
    n_windows : int
        Windows of the output.
    resume : bool
        Take the rows kept by an earlier run of the same fingerprint; without it, or where
        they are of another, they are removed.
    verbose : bool | str | int | None
        As in MNE: whether a resumed run, or rows kept of another, are said (logged).
    label : str | None
        What the messages name (default: ``output``), e.g. the recording of a corpus run
        whose rows are kept under a name of its own (:mod:`eegpt.dataset_pipeline`).
    weights : callable | None
        Gives a hash (str) of the weights the run embeds with
        (:func:`eegpt.fingerprints.embedding_weights_hash`), called only where rows are
        recorded or rows kept are otherwise the run's (hashing costs a few hundred ms):
        recorded with the rows, and rows kept of other weights are not taken (nor those
        named by a hash of another scope, before ``:``: a whole state dict's, recorded
        before 2026-12-07, which a note says). None: the ``fingerprint`` names the weights.
    file_weights : callable | None
        Whether the run's weights are still those of the weights file whose SHA-256 the
        ``fingerprint`` names (hashing them, a few hundred ms), called only for rows kept
        without a hash of their weights (recorded before eegpt recorded one, 2026-12-07) that
        are otherwise the run's: there the fingerprint alone names the weights, so those rows
        are taken; None, or False (a model built in Python, weights changed since loading),
        they are not: a hash of weights that no file names is needed.
    earlier : callable | None
        Gives the fingerprints this run would have had under an earlier eegpt that told a
        changed input file by less (``eegpt embed-dataset`` before 2026-12-07: its size and
        modification time alone), called only where the rows kept are not taken: rows kept
        under one of them cannot be checked against the files' contents, which the note
        says (rather than "other settings").
    taken_earlier : callable | None
        Gives the fingerprints this run would have had under an eegpt before 2026-12-07,
        which did not record the CPU's instruction set (:data:`CPU_NUMERICS`) nor, for
        :func:`eegpt.embed_to_file`, ``eegpt_changes`` (:data:`eegpt.api.CHANGES_DATE`),
        called only where the rows kept are not of :attr:`fingerprint`: rows kept under one
        of them are taken, as that eegpt took them (most resumes run where the run stopped),
        with a note that they cannot be checked against those; the rows added are recorded
        under ``fingerprint``. None: none.
    replaces : int | None
        The modification time (ns) of the output this run replaces (``overwrite``), recorded
        with the rows so that a resume (``eegpt embed --skip-existing``) replaces it too
        (:func:`being_replaced`) rather than keep it; None where none is replaced.
    compiled : callable | None
        Whether the run's engine computes with ``torch.compile`` now (``compile="auto"`` turns
        it on after many windows on a GPU: :data:`eegpt.engine.AUTO_COMPILE_AFTER`), recorded
        with the rows; rows kept compiled that a run not compiling takes are said to differ
        from the rest it embeds in the last digits. None: not recorded.
    keep : bool
        Keep the rows at an interrupt. False for data no resume can tell from other data
        (:func:`eegpt.api.embed_to_file` of data in memory): nothing is written, and rows
        kept by an earlier run are removed.
    changes : str | None
        The newest CHANGELOG.md section the run's eegpt includes (``eegpt_changes``, in
        ``fingerprint``), recorded with the rows so that rows kept by an eegpt of other
        changes, not taken, are said to be so. None: not recorded.
    """

    def __init__(
        self,
        output: Path,
        fingerprint: str,
        n_windows: int,
        *,
        resume: bool,
        verbose: Verbose = None,
        label: str | None = None,
        weights: Callable[[], str] | None = None,
        file_weights: Callable[[], bool] | None = None,
        earlier: Callable[[], Collection[str]] | None = None,
        taken_earlier: Callable[[], Collection[str]] | None = None,
        replaces: int | None = None,
        compiled: Callable[[], bool] | None = None,
        keep: bool = True,
        changes: str | None = None,
    ) -> None:
        self.keep = keep
        self._changes = changes
        self._compiled = compiled
        self._earlier = earlier
        self._taken_earlier = taken_earlier
        self._header_fingerprint = fingerprint  # that of the rows kept, where taken
        self.replaces = replaces
        self._weights = weights
        self._file_weights = file_weights
        self._weights_sha: str | None = None
        self.output = output
        self.label = str(output) if label is None else label
        self.verbose = verbose
        self.fingerprint = fingerprint
        self.n_windows = n_windows
        self.record_path, self.rows_path = partial_paths(output)
        self.row_shape: tuple[int, ...] | None = None
        self.stored = self._stored() if resume and keep else 0  # kept rows taken, not embedded
        if not self.stored:
            remove_partial(output)
        self.rows = self.stored  # rows in the file, whole
        self.committed = self.stored
        self._last = time.monotonic()
        self._fh: Any = None

    def _stored(self) -> int:
        """Rows kept by an earlier run that are this run's (0: none, or another run's)."""
        found = read_record(self.output)
        if found is None:
            return 0
        try:
            with open(self.rows_path, "rb") as fh:
                header = fh.read(_HEADER_BYTES)
            rows, shape = int(found["rows"]), tuple(int(n) for n in found["row_shape"])
            size = self.rows_path.stat().st_size
        except (OSError, KeyError, TypeError, ValueError):
            header, rows, shape, size = b"", 0, (), 0
        kept_as = self.fingerprint
        if (
            found.get("fingerprint") != self.fingerprint
            and self._taken_earlier is not None
            and found.get("fingerprint") in self._taken_earlier()
        ):
            kept_as = str(found["fingerprint"])  # an eegpt that did not record the CPU's
        same_run = (
            found.get("fingerprint") == kept_as
            and header == _header(kept_as)
            and found.get("n_windows") == self.n_windows
            and 0 < rows <= self.n_windows
            and size >= _HEADER_BYTES + rows * 4 * int(np.prod(shape))
        )
        if not (same_run and self._same_weights(found)):
            log(self._why_removed(found, same_run), self.verbose)
            return 0
        self.row_shape = shape
        self._header_fingerprint = kept_as
        if kept_as != self.fingerprint:
            log(
                f"{self.label}: the windows kept by an interrupted run of an earlier eegpt "
                "(before 2026-12-07) are taken, as that eegpt took them: it does not record "
                "all this one checks (the CPU's instruction set, AVX2 or AVX512; for eegpt "
                "embed also the newest CHANGELOG.md section it includes, eegpt_changes), so "
                "they cannot be checked "
                "against this run's; where that run was on a node of another CPU, or its "
                "eegpt lacked changes of CHANGELOG.md that alter numbers, they may differ "
                "from the rest (to embed the recording whole here, run it again without "
                "resuming)",
                self.verbose,
            )
        log(
            f"{self.label}: resuming: {rows} of {self.n_windows} windows are taken from an "
            "interrupted run (the recording is read from its start, the model runs on the rest)",
            self.verbose,
        )
        if found.get("compiled") and not (self._compiled is not None and self._compiled()):
            log(
                f"{self.label}: the last windows taken were embedded with torch.compile on "
                "(turned on by compile='auto' after many windows on a GPU), and this run "
                "embeds the rest without it: those may differ in the last digits (rounding) "
                "from what the interrupted run would have given; for windows of one kind, "
                "give both runs an engine with compile=True (or compile=False)",
                self.verbose,
            )
        return rows

    def _why_removed(self, found: dict[str, Any], same_run: bool) -> str:
        """The note of kept rows not taken: of other settings, weights or files, or kept by an
        earlier eegpt that recorded too little to check them (``same_run``: all but the
        weights are the run's)."""
        earlier = (
            f"{self.label}: the windows an interrupted run of an earlier eegpt (before "
            "2026-12-07) kept"
        )
        removed = "; they are removed and the recording is embedded from its start"
        if (
            same_run
            and "weights" in found
            and _scope(found["weights"]) != _scope(self._weights_hash())
        ):
            return (
                f"{earlier} are named by a hash of all the model's weights (its probe head "
                "too), which this eegpt no longer compares: it hashes only the weights the "
                f"embeddings are computed from{removed}"
            )
        if same_run and "weights" not in found:
            return (
                f"{earlier} cannot be told from another model's: that eegpt recorded no hash "
                "of the weights, and no weights file names this run's (a model built in "
                f"Python, an encoder alone, weights changed since loading){removed}"
            )
        if self._earlier is not None and found.get("fingerprint") in self._earlier():
            return (
                f"{earlier} cannot be checked against the recording's files: that eegpt told "
                f"a changed file by its size and modification time alone{removed} (windows "
                "kept from now on are checked)"
            )
        kept = f"{self.label}: the windows kept by an interrupted run"
        then = found.get("eegpt_changes")
        if self._changes is not None and then is not None and then != self._changes:
            return (
                f"{kept} of an eegpt with the changes to {then} (CHANGELOG.md) are not taken "
                f"by this one, with those to {self._changes}, which may give other "
                f"numbers{removed}"
            )
        return f"{kept} are of other settings, weights or input files (or damaged){removed}"

    def _same_weights(self, found: dict[str, Any]) -> bool:
        """Whether the rows of the record ``found`` are of the run's weights: its hash of them
        is the run's, or it has none (written before eegpt recorded one) and the run's weights
        are still the file's that the fingerprint names (``file_weights``)."""
        if self._weights is None:
            return True
        if "weights" in found:
            return bool(found["weights"] == self._weights_hash())
        return self._file_weights is not None and self._file_weights()

    def _weights_hash(self) -> str | None:
        """The hash of the run's weights (``weights``), taken once; None without."""
        if self._weights is not None and self._weights_sha is None:
            self._weights_sha = self._weights()
        return self._weights_sha

    def stored_rows(self, start: int, n: int) -> np.ndarray | None:
        """Rows ``start:start + n`` (float32 ``[n, *row_shape]``) when all were kept, else
        None (to be embedded)."""
        if self.row_shape is None or start + n > self.stored:
            return None
        width = int(np.prod(self.row_shape))
        offset = _HEADER_BYTES + start * width * 4
        rows = np.fromfile(self.rows_path, dtype="<f4", count=n * width, offset=offset)
        return rows.reshape(n, *self.row_shape)

    def append(self, start: int, block: np.ndarray) -> None:
        """Keep rows ``start:start + len(block)`` as written to the output (float32 ``[b, ...]``);
        those kept already are not written again (none where rows are not ``keep``)."""
        if not self.keep or start + len(block) <= self.stored:
            return
        block = np.ascontiguousarray(block, dtype="<f4")
        if self._fh is None:
            self.row_shape = tuple(block.shape[1:])
            self._fh = self._open()
        width = int(np.prod(block.shape[1:]))
        self._fh.seek(_HEADER_BYTES + start * width * 4)
        self._fh.write(block.tobytes())
        self.rows = start + len(block)
        if time.monotonic() - self._last >= COMMIT_EVERY_S:
            self.commit()

    def _open(self) -> Any:
        """The ``.rows`` file, to write on: kept rows kept, else a new one with its header."""
        if self.stored:
            kept = open(self.rows_path, "r+b")
            if self._header_fingerprint != self.fingerprint:  # taken_earlier: now this run's
                kept.write(_header(self.fingerprint))
            return kept
        self.output.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.rows_path, "wb")
        fh.write(_header(self.fingerprint))
        return fh

    def commit(self) -> None:
        """Record the rows on disk (flushed and synced first), replacing the record whole."""
        self._last = time.monotonic()
        if self._fh is None or self.rows <= self.committed:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        record = {
            "fingerprint": self.fingerprint,
            "rows": self.rows,
            "row_shape": list(self.row_shape or ()),
            "n_windows": self.n_windows,
        }
        if self._weights is not None:
            record["weights"] = self._weights_hash()
        if self.replaces is not None:
            record["replaces_mtime_ns"] = self.replaces
        if self._changes is not None:
            record["eegpt_changes"] = self._changes  # to say why another eegpt's are not taken
        if self._compiled is not None and self._compiled():
            record["compiled"] = True  # rows since the engine compiled: compiled ones
        # named as the output's own temporary files, so that one a hard kill left in this
        # instant is removed with them (remove_stale)
        fd, tmp = temporary_beside(self.output, tag=writer_tag())
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump(record, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.record_path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self.committed = self.rows

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> PartialRows:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Interrupted (Ctrl-C, SIGTERM: not an ``Exception``): keep the rows for a resumed
        run; finished, or stopped by an error: remove them."""
        try:
            if exc is not None and not isinstance(exc, Exception):
                self.commit()
                return
        finally:
            self.close()
        remove_partial(self.output)


def kept_counts(output: Path) -> tuple[int, int] | None:
    """``(rows kept, windows)`` of ``output``'s windows kept by an interrupted run, or None."""
    found = read_record(output)
    if found is None:
        return None
    try:
        return int(found["rows"]), int(found["n_windows"])
    except (KeyError, TypeError, ValueError):
        return None


def being_replaced(output: Path) -> int | None:
    """The modification time (ns) of ``output`` where the run interrupted while embedding it
    was replacing it (``overwrite``; :class:`PartialRows`' ``replaces``) and it is still the
    file that run found (no run wrote it whole since); else None."""
    found = read_record(output)
    if found is None or found.get("replaces_mtime_ns") is None:
        return None
    try:
        mtime = output.stat().st_mtime_ns
    except OSError:
        return None
    return mtime if found["replaces_mtime_ns"] == mtime else None
