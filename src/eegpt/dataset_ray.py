"""The Ray Data backend of :func:`eegpt.dataset.embed_dataset` (``backend="ray"``).

The pipeline, the same on a laptop (``ray.init()``) and on a cluster (``ray_address``)::

    from_items(files) -> map(_ReadActor)          read + preprocess, 1 CPU per actor
                      -> map_batches(_EmbedActor)  one model replica per GPU (or CPU actors)
                      -> driver: ShardWriter       the same writer as the in-process engine

Rows are files: the read stage turns a path into its windows (``[n, C, T]`` float32 in mV),
a long recording into one row per part of at most 256 MiB of windows, read one after the other
(:class:`eegpt.dataset.FilePart`, as the in-process engine reads them), so that a reader holds
one part, not a whole night; the inference stage batches the windows of consecutive files with the same
channels (:func:`eegpt.dataset.encode_files`) and returns their embeddings. Order is preserved, so the
driver receives files in input order and writes the same shard files as the in-process engine.
The driver writes the output, so ``output_dir`` need only be reachable from the driver; eegpt
must be installed on every node (or shipped with a ``runtime_env``). The model travels through
the object store, so the checkpoint need not be on the workers' disks.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import math
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from eegpt._logging import Verbose
from eegpt.dataset import (
    FilePart,
    FileResult,
    LoadedFile,
    Pool,
    WindowInfo,
    encode_files,
    load_file,
)
from eegpt.dataset_inputs import InputFile, bads_of_cell
from eegpt.engine import InferenceEngine, Precision
from eegpt.errors import DeviceUnavailableError, MissingDependencyError, install_hint
from eegpt.model import EEGPT

__all__ = ["RayPlan", "check_ray_device", "ray_devices", "ray_session", "run_ray"]


def _ray():
    try:
        import ray
        import ray.data
    except ImportError as err:
        raise MissingDependencyError(
            f"backend='ray' (--engine ray) needs Ray Data: {install_hint('ray')}; or use "
            "backend='inprocess' (--engine inprocess, the default)"
        ) from err
    return ray


def check_ray_device(device: str | None, replicas: int | None) -> str:
    """``device`` as ``"auto"``, ``"cpu"`` or ``"cuda"``; checked before Ray starts.

    Raises
    ------
    ValueError
        On another device (a device index: Ray assigns GPUs itself) or ``replicas < 1``.
    """
    text = "auto" if device is None else str(device)
    if text not in ("auto", "cpu", "cuda"):
        raise ValueError(
            f"with backend='ray' (--engine ray), device must be 'auto', 'cpu' or 'cuda' (Ray assigns one GPU per "
            f"actor), got {device!r}"
        )
    if replicas is not None and replicas < 1:
        raise ValueError(f"replicas must be >= 1, got {replicas}")
    return text


def ray_devices(device: str | None, n_gpus: int, replicas: int | None) -> tuple[bool, int]:
    """Whether the inference actors use GPUs, and how many actors to start.

    Parameters
    ----------
    device : str | None
        ``None``/``"auto"`` (GPUs when the cluster has any), ``"cuda"`` or ``"cpu"``.
    n_gpus : int
        GPUs in the Ray cluster.
    replicas : int | None
        Actors wanted; default one per GPU, or one on CPU.

    Returns
    -------
    use_gpu : bool
    n_actors : int

    Raises
    ------
    ValueError
        As :func:`check_ray_device`.
    DeviceUnavailableError
        If ``"cuda"`` is asked for but the cluster has no GPU.
    """
    text = check_ray_device(device, replicas)
    use_gpu = text == "cuda" or (text == "auto" and n_gpus > 0)
    if use_gpu and n_gpus == 0:
        raise DeviceUnavailableError("device='cuda' was requested but the Ray cluster has no GPU")
    return use_gpu, replicas or (n_gpus if use_gpu else 1)


@dataclass(frozen=True)
class RayPlan:
    """The Ray cluster of one run, connected, and the actors to start on it."""

    use_gpu: bool
    n_actors: int
    cpus: int
    verbose: Verbose = None


@contextlib.contextmanager
def ray_session(
    address: str | None, device: str | None, replicas: int | None, verbose: Any = None
) -> Iterator[RayPlan]:
    """Connect to Ray (``address``; None starts a local instance unless Ray is initialised)
    and plan the inference actors (:func:`ray_devices`), so that a device the cluster lacks is
    an error before any output is touched; Ray started here is shut down on exit.

    Ray Data's INFO lines and its notice that its progress bars are off (ours run) are quiet
    unless ``verbose``.
    """
    check_ray_device(device, replicas)  # at once, before Ray takes seconds to start
    ray = _ray()
    from eegpt._logging import is_verbose

    loud = is_verbose(verbose)
    started = False
    if not ray.is_initialized():
        on_sigterm = signal.getsignal(signal.SIGTERM)
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=loud)
        except ConnectionError as err:  # Ray's text names its own flags (--address)
            raise ConnectionError(
                f"could not connect to a Ray cluster at {address!r} (eegpt: --ray-address, "
                f"ray_address=; start one with `ray start --head`, or leave the address out to "
                f"run Ray on this machine): {err}"
            ) from err
        started = True
        if callable(on_sigterm) and threading.current_thread() is threading.main_thread():
            # Ray's own handler would print a stack dump and exit at once with status 15,
            # skipping the clean-up (temporary files, Ray's shutdown) that the command's runs
            signal.signal(signal.SIGTERM, on_sigterm)
    quiet = {"ray.data": logging.WARNING, "ray.data._internal.progress": logging.ERROR}
    old_levels = {name: logging.getLogger(name).level for name in quiet}
    if not loud:
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
    try:
        resources = ray.cluster_resources()
        use_gpu, n_actors = ray_devices(device, int(resources.get("GPU", 0)), replicas)
        yield RayPlan(use_gpu, n_actors, int(resources.get("CPU", 1)), verbose)
    finally:
        for name, level in old_levels.items():
            logging.getLogger(name).setLevel(level)
        if started:
            ray.shutdown()


def _ray_item(f: InputFile) -> dict[str, Any]:
    """The row of the Ray dataset that asks :class:`_ReadActor` to read file ``f``; its bads go
    as a list, one label per element, so labels holding ``;`` or ``,`` come back whole
    (:func:`~eegpt.dataset_inputs.bads_of_cell` takes a list cell's elements as they are)."""
    return {
        "index": f.index,
        "path": f.path,
        "rescale": f.rescale,
        "annotations": f.annotations or "",
        "bads": list(f.bads),
        "start_seconds": math.nan if f.start_seconds is None else f.start_seconds,
    }


def _start_of_cell(value: Any) -> float | None:
    """A Ray row's ``start_seconds`` (:func:`_ray_item`: NaN for none) as
    :attr:`InputFile.start_seconds`: None for the run's ``--start``."""
    return None if value is None or not float(value) >= 0 else float(value)


class _ReadActor:
    """Ray Data stage 1 (a flat map): a path in, the file's windows out (see
    :func:`load_file`), a long recording's as one row per part, read one after the other
    (``load_kwargs["part_bytes"]``)."""

    def __init__(self, load_kwargs: Mapping[str, Any]) -> None:
        import torch

        torch.set_num_threads(1)
        self.load_kwargs = dict(load_kwargs)

    def __call__(self, row: dict[str, Any]) -> Iterator[dict[str, Any]]:
        file: dict[str, Any] = {
            "index": int(row["index"]),
            "path": str(row["path"]),
            "rescale": float(row.get("rescale", 1.0)),
            "annotations": row.get("annotations") or None,
            "bads": bads_of_cell(row.get("bads")),
            "start_seconds": _start_of_cell(row.get("start_seconds")),
        }
        f = load_file(**file, **self.load_kwargs)
        yield self._row(f)
        rest = {k: v for k, v in self.load_kwargs.items() if k != "part_bytes"}
        for part in f.more if f.error is None else []:
            f = load_file(**file, part=part, **rest)
            yield self._row(f)
            if f.error is not None:  # the writer fails the whole file: its later parts go unread
                return

    @staticmethod
    def _row(f: LoadedFile) -> dict[str, Any]:
        data = f.data if f.error is None else np.zeros((0, 0, 0), np.float32)
        return {
            "index": f.index,
            "data": data,
            "onsets": f.onsets,
            "mapping": json.dumps(f.mapping),
            "duration_s": _nan_if_none(f.duration_s),
            "error": f.error or "",
            "warnings": json.dumps(f.warnings),
            "windows": f.windows.to_json(),
            "read_s": f.read_s,
            "part": _part_to_json(f.part),
        }


_NO_LINE = (np.zeros(0), np.zeros(0))  # a part's scan line: used by its reader only


def _part_to_json(part: FilePart | None) -> str:
    return "" if part is None else json.dumps([part.first, part.stop, part.n_windows])


def _part_from_json(text: str) -> FilePart | None:
    if not text:
        return None
    first, stop, n_windows = json.loads(text)
    return FilePart(int(first), int(stop), int(n_windows), _NO_LINE)


class _EmbedActor:
    """Ray Data stage 2: one model replica on one GPU (or the CPU) embedding batches of files."""

    def __init__(
        self,
        model_ref: list[Any],
        *,
        use_gpu: bool,
        precision: Precision,
        batch_size: int | None,
        pool: Pool,
        stream_precision: Precision = "float32",
    ) -> None:
        import ray
        import torch

        if not use_gpu:
            cpus = ray.get_runtime_context().get_assigned_resources().get("CPU", 1)
            torch.set_num_threads(max(1, int(cpus)))
        model = ray.get(model_ref[0])
        encoder = getattr(model, "target_encoder", model)  # never a channel projection
        self.engine = InferenceEngine(
            encoder,
            device="cuda" if use_gpu else "cpu",
            precision=precision,
            batch_size=batch_size,
            fused=encoder.fused,  # as make_engines
            stream_precision=stream_precision,
        )
        self.pool = pool

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        files = [
            LoadedFile(
                index=int(batch["index"][i]),
                data=batch["data"][i],
                onsets=np.asarray(batch["onsets"][i], dtype=np.float64),
                mapping=json.loads(batch["mapping"][i]),
                duration_s=_seconds(batch["duration_s"][i]),
                error=str(batch["error"][i]) or None,
                warnings=json.loads(batch["warnings"][i]),
                windows=WindowInfo.from_json(batch["windows"][i]),
                read_s=float(batch["read_s"][i]),
                part=_part_from_json(str(batch["part"][i])),
            )
            for i in range(len(batch["index"]))
        ]
        results = encode_files(self.engine, files, pool=self.pool)
        embeddings = np.empty(len(results), dtype=object)
        for i, r in enumerate(results):
            embeddings[i] = r.embeddings
        return {
            "index": np.array([r.index for r in results], dtype=np.int64),
            "embeddings": embeddings,
            "onsets": _objects([r.onsets for r in results]),
            "mapping": np.array([json.dumps(r.mapping) for r in results], dtype=object),
            "duration_s": np.array([_nan_if_none(r.duration_s) for r in results], np.float64),
            "error": np.array([r.error or "" for r in results], dtype=object),
            "warnings": np.array([json.dumps(r.warnings) for r in results], dtype=object),
            "windows": np.array([r.windows.to_json() for r in results], dtype=object),
            "read_s": np.array([r.read_s for r in results], dtype=np.float64),
            "part": np.array([_part_to_json(r.part) for r in results], dtype=object),
            "batch_size": np.array([r.batch_size or 0 for r in results], dtype=np.int64),
        }


def _nan_if_none(seconds: float | None) -> float:
    """A file's length (s) in a float64 column of Ray's batches: NaN where it is unknown (a
    file that could not be read), as :func:`_seconds` reads it back."""
    return float("nan") if seconds is None else float(seconds)


def _seconds(value: Any) -> float | None:
    """A file's length (s) from a Ray batch column: None (unknown) for NaN."""
    seconds = float(value)
    return None if np.isnan(seconds) else seconds


def _objects(arrays: Sequence[np.ndarray]) -> np.ndarray:
    out = np.empty(len(arrays), dtype=object)
    for i, a in enumerate(arrays):
        out[i] = a
    return out


def _result(row: Mapping[str, Any]) -> FileResult:
    return FileResult(
        index=int(row["index"]),
        embeddings=np.asarray(row["embeddings"], dtype=np.float32),
        onsets=np.asarray(row["onsets"], dtype=np.float64),
        mapping=json.loads(row["mapping"]),
        duration_s=_seconds(row["duration_s"]),
        error=str(row["error"]) or None,
        warnings=json.loads(row["warnings"]),
        windows=WindowInfo.from_json(row["windows"]),
        read_s=float(row["read_s"]),
        part=_part_from_json(str(row["part"])),
        batch_size=int(row.get("batch_size") or 0) or None,  # 0: none embedded
    )


def run_ray(
    files: Sequence[InputFile],
    sink: Callable[[FileResult], None],
    *,
    plan: RayPlan,
    model: EEGPT,
    load_kwargs: Mapping[str, Any],
    precision: Precision = "float32",
    batch_size: int | None = None,
    pool: Pool = "none",
    workers: int | None = None,
    stream_precision: Precision = "float32",
    files_per_batch: int = 4,
) -> list[str]:
    """Embed ``files`` with Ray Data, handing results to ``sink`` in the order of ``files``.

    Parameters
    ----------
    files : sequence of InputFile
    sink : callable(FileResult)
        The shard writer; runs in this (the driver) process.
    plan : RayPlan
        From :func:`ray_session`, which must still be open.
    model : EEGPT
        Copied to the CPU and put in the object store; every actor gets a replica.
    load_kwargs : dict
        ``config``, ``rename``, ``on_unknown`` for :func:`eegpt.dataset.load_file`;
        ``part_bytes`` defaults to the in-process engine's 256 MiB.
    precision, stream_precision, batch_size, pool
        As for :func:`eegpt.dataset.embed_dataset`.
    workers : int | None
        Most read actors (1 CPU each); default the cluster's CPUs left after the inference
        actors.
    files_per_batch : int
        Files per call of an inference actor.

    Returns
    -------
    list of str
        A description of the actors, e.g. ``["ray: 4 x GPU"]``.
    """
    ray = _ray()
    from eegpt import dataset
    from eegpt._logging import is_verbose

    actor_cpus = 1
    spare = plan.cpus - (0 if plan.use_gpu else plan.n_actors * actor_cpus)
    n_readers = workers or max(1, spare)
    ctx = ray.data.DataContext.get_current()
    saved = (ctx.execution_options.preserve_order, ctx.enable_progress_bars)
    ctx.execution_options.preserve_order = True  # the shard writer needs input order
    ctx.enable_progress_bars = is_verbose(plan.verbose)
    try:
        cpu_model = copy.deepcopy(model).to("cpu")
        model_ref = ray.put(cpu_model)
        items = [_ray_item(f) for f in files]
        ds = ray.data.from_items(items, override_num_blocks=min(len(items), 10_000))
        ds = ds.flat_map(
            _ReadActor,
            fn_constructor_kwargs={
                "load_kwargs": {"part_bytes": dataset.PART_BYTES, **load_kwargs}
            },
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=n_readers),
            num_cpus=1,
        )
        ds = ds.map_batches(
            _EmbedActor,
            fn_constructor_kwargs={
                "model_ref": [model_ref],
                "use_gpu": plan.use_gpu,
                "precision": precision,
                "stream_precision": stream_precision,
                "batch_size": batch_size,
                "pool": pool,
            },
            batch_size=files_per_batch,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=plan.n_actors),
            num_gpus=1 if plan.use_gpu else 0,
            num_cpus=actor_cpus,
        )
        for row in ds.iter_rows():
            sink(_result(row))
    finally:
        ctx.execution_options.preserve_order, ctx.enable_progress_bars = saved
    kind = "GPU" if plan.use_gpu else "CPU"
    return [f"ray: {plan.n_actors} x {kind} actor(s), {n_readers} reader(s)"]
