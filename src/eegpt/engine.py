"""Batched inference: windows in, summary-token embeddings out.

The engine owns the device, the numeric precision, the batching and the execution strategy; the
model stays a plain ``nn.Module``. Windows arrive as a NumPy array ``[n_windows, C, T]`` in model
units (mV) and leave as float32 ``[n_windows, N, S, D]``.

Execution strategies (each measured in ``BENCHMARKS.md``):

* the encoder's fast path (:meth:`eegpt.model.EEGPTEncoder.forward_planned`), exact to the
  reference path in float32 (``fused=False`` selects the reference path instead); on CPU with
  oneDNN-prepacked linear weights and the GELU fused into ``fc1``;
* reduced precision (``"bfloat16"``/``"float16"``): the linear layers of a private copy of the
  model are cast once; LayerNorm, softmax statistics and the residual stream stay in float32,
  and the matmuls accumulate in float32. On CUDA the patch projection (float32) uses TF32
  tensor cores, ``fc1`` + GELU run as one cuBLASLt call (``gelu_epilogue``) and attention runs
  through Triton kernels for short sequences (``short_attention``); opt-in, the residual stream
  is stored in float16 between blocks (``stream_precision``);
* CUDA graphs (``cuda_graphs``): one captured forward per input shape, replayed with a single
  launch -- the main lever for small batches, whose time is otherwise kernel-launch overhead;
* ``torch.compile`` (``compile``): fuses LayerNorm, GELU, casts and residual adds;
* on CUDA, a two-slot pipeline of pinned host buffers overlaps host-side batch preparation and
  device-to-host copies with the device's work.

Threads: an engine (and a model's ``embed``) may be called from several threads at once. On a
GPU its work runs under one lock per device (:func:`device_lock`): batches, the pinned host
buffers and CUDA-graph capture and replay are never interleaved, so the GPU serves one call at a
time while the threads' preprocessing (and streamed reading) goes on in parallel; engines on
different GPUs do not wait for each other. On a CPU calls run side by side.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import itertools
import numbers
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast

import numpy as np
import torch
from torch import nn
from tqdm import tqdm  # the base of tqdm.auto's bars (tqdm.auto: where a bar is made)

from eegpt import short_attention as short_attn
from eegpt._logging import few, log, progress_options, warn
from eegpt._runtime import device_name
from eegpt.config import PRECISION_ALIASES as PRECISION_ALIASES
from eegpt.config import EEGPTConfig, precision_name
from eegpt.config import Precision as Precision
from eegpt.errors import DeviceUnavailableError
from eegpt.fast_path import (
    FastPlan,
    can_fuse_gelu,
    can_short_attend,
    cpu_matmul_instructions,
    has_hooks,
    native_cpu_matmul,
    unsupported_reason,
)
from eegpt.model import EEGPT, EEGPTEncoder, check_chan_ids

_DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32,
    "bfloat16": torch.bfloat16,
    "float16": torch.float16,
}
Auto = Literal["auto"]

#: Most captured CUDA graphs kept per engine (least recently used ones are dropped). Once more
#: input shapes and channel sets than this alternate (a graph dropped and needed again more than
#: this many times), an engine stops capturing: capturing again and again costs more than
#: running without graphs.
MAX_GRAPHS = 8
#: ``compile="auto"``: windows an engine embeds on a GPU before it starts compiling. Compiling
#: costs ~15 s per input shape and makes batches ~1.4x faster (bf16, H100, BENCHMARKS.md), so it
#: pays only for corpus-scale jobs; a single recording is embedded before it would.
AUTO_COMPILE_AFTER = 500_000
#: Lower bound set on ``torch._dynamo.config.recompile_limit`` once an engine compiles.
RECOMPILE_LIMIT = 64
#: ``batch_size=None`` on a GPU: windows per forward pass.
GPU_BATCH_SIZE = 64
#: ``batch_size=None`` on a CPU: at most this many tokens (patches x (channels + summary
#: tokens)) per forward pass, so 4 windows of 58 channels, 8 of 19, 32 of 4 (4 s windows).
#: Small batches keep the activations in the caches: batches of 64 large-model windows of 58
#: channels ran 20-45% slower than the best size on three CPUs (BENCHMARKS.md,
#: ``benchmarks/bench_cpu_batch.py``).
CPU_BATCH_TOKENS = 4096


#: Whether :func:`note_cpu_on_mac` has spoken in this process.
_MAC_NOTED = False


def note_cpu_on_mac() -> None:
    """Once per process, at INFO: the device left to eegpt came out as the CPU while PyTorch
    has an MPS (Apple Silicon) backend, which eegpt does not run on."""
    global _MAC_NOTED
    if _MAC_NOTED or not _mps_available():
        return
    _MAC_NOTED = True
    log(
        "running on the CPU: PyTorch's MPS backend (Apple Silicon) is available, but eegpt runs "
        "on CPUs and CUDA GPUs only"
    )


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    try:
        return bool(mps is not None and mps.is_available())
    except Exception:  # noqa: BLE001 - a backend that cannot say is not one to mention
        return False


def check_batch_size(batch_size: Any, *, optional: bool = True) -> int | None:
    """``batch_size`` (windows per forward pass) as an int, checked where a public function
    takes it, before any work: a positive int (NumPy's too); ``None`` (the default size) where
    ``optional``.

    Raises
    ------
    TypeError
        Not an int: a float, even one of an integral value (``2.0``), a bool or text.
    ValueError
        An int below 1.
    """
    if batch_size is None and optional:
        return None
    integral = isinstance(batch_size, numbers.Integral) and not isinstance(
        batch_size, (bool, np.bool_)
    )
    if not integral:
        none = " or None (the default size)" if optional else ""
        raise TypeError(
            f"batch_size must be an int (windows per forward pass){none}, got "
            f"{batch_size!r} ({type(batch_size).__name__})"
        )
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return int(batch_size)


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``None``/"auto" picks CUDA when available, else CPU; a name in any letter case, with
    ``"gpu"`` for ``"cuda"`` (``"gpu:1"``), as the command line's ``--device``; errors name what
    is missing (:class:`~eegpt.errors.DeviceUnavailableError`)."""
    if isinstance(device, str):
        device = device_name(device)
    if device is None or device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        note_cpu_on_mac()
        return torch.device("cpu")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(
            f"unknown device {device!r}: expected 'cpu', 'cuda' (or 'gpu'), 'cuda:1', ... or 'auto'"
        ) from err
    if device.type not in ("cpu", "cuda"):
        where = (
            "on a Mac eegpt runs on the CPU: leave the device out (device='auto') or use "
            "device='cpu' (command line: leave --device out, or --device cpu)"
            if device.type == "mps"
            else "leave the device out (device='auto': a CUDA GPU when PyTorch sees one, else "
            "the CPU) or use device='cpu' (command line: --device cpu)"
        )
        raise DeviceUnavailableError(
            f"device {str(device)!r} is not supported: eegpt runs on 'cpu' or CUDA GPUs "
            f"('cuda', 'cuda:1', ...); {where}"
        )
    if device.type == "cuda" and not torch.cuda.is_available():
        raise DeviceUnavailableError(
            f"device {device} was requested but PyTorch sees no CUDA GPU "
            f"(torch {torch.__version__}); use device='cpu' (command line: --device cpu)"
        )
    if device.type == "cuda" and device.index is not None:
        if device.index >= torch.cuda.device_count():
            raise DeviceUnavailableError(
                f"device {device} was requested but PyTorch sees "
                f"{torch.cuda.device_count()} CUDA GPU(s) (cuda:0 ...)"
            )
    return device


def _cuda_text(device: torch.device | str) -> str:
    """``cuda:0 (Tesla P100-PCIE-16GB, compute capability 6.0)``."""
    major, minor = torch.cuda.get_device_capability(device)
    try:
        name = f"{torch.cuda.get_device_name(device)}, "
    except Exception:  # noqa: BLE001 - the name only decorates the message
        name = ""
    return f"{device} ({name}compute capability {major}.{minor})"


def native_cuda_bf16(device: torch.device | str) -> bool:
    """Whether the CUDA GPU ``device`` (``"cuda"``: the current one) computes bfloat16
    natively: compute capability 8.0 or newer (Ampere and later: A100, RTX 30xx, A10, L4, H100),
    or an AMD GPU under ROCm, as ``torch.cuda.is_bf16_supported(including_emulation=False)``
    says of the current device. Older GPUs (T4, V100: 7.x; P100: 6.0) emulate bfloat16 slowly
    or, for cuBLAS's matrix products, not at all; float16 runs natively on them."""
    if torch.version.hip:
        return True
    return torch.cuda.get_device_capability(device)[0] >= 8


def warn_if_emulated_bf16(precision: str, device: torch.device) -> None:
    """Warn where ``precision`` is bfloat16 on a CUDA GPU without it natively
    (:func:`native_cuda_bf16`: compute capability below 8.0, T4, V100, P100), which emulates
    it slowly or fails in cuBLAS, or bfloat16/float16 on a CPU without its matrix instructions
    (:func:`~eegpt.fast_path.native_cpu_matmul`: AVX2, AVX-512 without BF16), where oneDNN
    emulates it, slower than float32: for an :class:`InferenceEngine` and for autocast
    outside one (training)."""
    reduced = precision in ("bfloat16", "float16")
    if device.type == "cpu" and reduced and not native_cpu_matmul(_DTYPES[precision]):
        warn(
            f"precision={precision!r}: this CPU has no native {precision} matrix "
            "instructions, so it is emulated and usually slower than float32 (which is "
            "exact); use float32 here"
        )
        return
    if precision != "bfloat16" or device.type != "cuda" or native_cuda_bf16(device):
        return
    warn(
        f"precision='bfloat16': {_cuda_text(device)} has no native bfloat16 (that needs an "
        "Ampere or newer GPU, compute capability 8.0+), so there it is emulated and slow, or "
        "unsupported by cuBLAS (P100); use precision='float16' (--precision float16 on the "
        "command line), which this GPU runs natively"
    )


def triton_problem(device: torch.device | str) -> str | None:
    """Why Triton cannot build kernels for the CUDA GPU ``device`` (``"cuda"``: the current
    one), or None where it can: Triton must be importable (PyTorch's CUDA builds for Linux bring
    it; those for Windows do not) and the GPU of compute capability 7.0 or newer (not a P100 or
    older), the checks of ``torch.utils._triton.has_triton`` but for this device. Both
    ``torch.compile`` (Inductor) on a GPU and eegpt's attention kernel
    (:mod:`eegpt.short_attention`) need it."""
    if short_attn.triton is None:
        return (
            "Triton is not installed (PyTorch's CUDA builds for Linux bring it, those for "
            "Windows do not)"
        )
    if torch.cuda.get_device_capability(device)[0] < 7:
        return (
            f"Triton needs a GPU of compute capability 7.0 or newer, and {_cuda_text(device)} "
            "is older"
        )
    return None


def inductor_problem(device: torch.device | str) -> str | None:
    """Why ``torch.compile`` (Inductor) cannot generate code for ``device``, or None where it
    can. On a CUDA GPU it generates Triton kernels (:func:`triton_problem`); on the CPU C++, so
    None there (a missing C++ compiler is torch's own error)."""
    device = torch.device(device)
    if device.type != "cuda":
        return None
    return triton_problem(device)


def default_batch_size(
    device: torch.device | str, config: EEGPTConfig, window_shape: Sequence[int]
) -> int:
    """Windows per forward pass when none is given, for windows of shape ``(C, T)``.

    :data:`GPU_BATCH_SIZE` on a GPU. On a CPU the largest power of two (at most 64, at least
    1) whose windows hold at most :data:`CPU_BATCH_TOKENS` tokens (patches x (channels +
    summary tokens)): 4 windows of 58 channels, 8 of 19, 32 of 4 for 4 s windows.
    """
    if torch.device(device).type != "cpu":
        return GPU_BATCH_SIZE
    n_chans, n_times = window_shape[-2:]
    fits = CPU_BATCH_TOKENS // (config.n_patches(n_times) * (n_chans + config.embed_num))
    return 1 << min(6, max(0, fits.bit_length() - 1))


# the hook dicts of torch.nn.Module that copy.deepcopy copies along with a module
_COPIED_HOOKS = (
    "_forward_hooks", "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
    "_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_backward_hooks",
    "_backward_pre_hooks",
)  # fmt: skip


_Model = TypeVar("_Model", EEGPT, EEGPTEncoder)


def cast_matmuls(model: _Model, dtype: torch.dtype) -> _Model:
    """A copy of ``model`` whose transformer-block linear layers hold ``dtype`` weights.

    Everything else (patch projection, channel embedding, summary tokens, LayerNorms, the
    optional channel projection) stays float32: the fast path then runs every matmul in
    ``dtype`` with float32 accumulation and keeps the residual stream in float32.
    """
    model = copy.deepcopy(model)
    for module in model.modules():  # the caller's hooks stay the caller's: a hook removed
        for name in _COPIED_HOOKS:  # later must not go on running in this private copy
            getattr(module, name, {}).clear()
    encoder = model.target_encoder if isinstance(model, EEGPT) else model
    for blk in encoder.blocks:
        for module in blk.modules():
            if isinstance(module, nn.Linear):
                module.to(dtype)
    return model


_DEVICE_LOCKS: dict[tuple[str, int], threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def device_lock(device: torch.device) -> contextlib.AbstractContextManager:
    """The lock under which engines run their work on the CUDA device ``device`` (one per GPU,
    re-entrant; a no-op context on other devices). Held by :meth:`InferenceEngine.encode`,
    :meth:`~InferenceEngine.forward` and :meth:`~InferenceEngine.plan`: threads sharing an
    engine would otherwise mix their batches in its pinned buffers and CUDA graphs, and a
    graph captured while another thread launches work on the device aborts the process."""
    if device.type != "cuda":
        return contextlib.nullcontext()
    index = device.index if device.index is not None else torch.cuda.current_device()
    with _LOCKS_GUARD:
        return _DEVICE_LOCKS.setdefault(("cuda", index), threading.RLock())


def same_device(here: torch.device, there: torch.device, current: int | None = None) -> bool:
    """Whether ``there`` (a tensor's device) is the device ``here`` names: a CUDA device without
    an index (``"cuda"``) is the current one (``current``, by default
    ``torch.cuda.current_device()``), not any CUDA device."""
    if here.type != there.type:
        return False
    if here.type != "cuda":
        return here.index is None or there.index is None or here.index == there.index

    def index(device: torch.device) -> int:
        if device.index is not None:
            return device.index
        return torch.cuda.current_device() if current is None else current

    return index(here) == index(there)


@dataclass
class _Graph:
    """One captured forward: static input ``[bucket, C, T]`` and output ``[bucket, N, S, D]``."""

    graph: torch.cuda.CUDAGraph
    static_in: torch.Tensor
    static_out: torch.Tensor
    plan: FastPlan  # kept alive: the graph reads its tensors


def _moved(model: nn.Module, device: torch.device) -> nn.Module:
    """``model.to(device)``, skipped where its parameters and buffers are all on ``device``
    already (``to`` would leave them as they are, after a walk over every tensor that costs
    about as much as embedding a short window with the tiny model)."""
    tensors = itertools.chain(model.parameters(), model.buffers())
    if all(t.device == device for t in tensors):
        return model
    return model.to(device)


@dataclass
class InferenceEngine:
    """Runs an EEGPT model over many windows in batches.

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder
        The model; moved to ``device`` and put in eval mode.
    device : str | torch.device | None
        Where to run: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ...; ``None`` (or ``"auto"``) picks
        CUDA when present, else the CPU (also on a Mac: MPS is not supported).
    precision : {"float32", "bfloat16", "float16"}
        Matmul precision (also ``"bf16"``, ``"fp16"``, ``"half"``, ``"fp32"``, in any letter
        case: :data:`PRECISION_ALIASES`; the attribute holds the full name). float32 (the
        default) is exact to the reference implementation (max relative error ~1e-6). Reduced
        precisions cast the linear layers of a private copy of the model once and keep
        LayerNorm, softmax and the residual stream in float32 (max relative error on random
        weights: 6e-3 to 1e-2 for bfloat16, ~1e-3, up to 1.2e-3, for float16); on CUDA they also
        run the float32 patch projection on TF32 tensor cores (~5e-4). bfloat16 needs an Ampere
        or newer GPU (compute capability 8.0+): on older ones (T4, V100, P100) it is emulated or
        unsupported, and the engine warns; float16 runs natively there.
    batch_size : int | None
        Windows per forward pass. ``None`` (default): 64 on a GPU; on a CPU a few windows,
        fewer the more channels (:func:`default_batch_size`), which is faster there than
        large batches.
    fused : bool
        Use the encoder's fast path (default). ``False`` runs the plain reference path (under
        autocast for reduced precisions), without graphs or compilation; for testing. While a
        forward or backward hook is registered on the encoder or one of its submodules (or on
        every module), each batch runs the reference path too, so that the hooks run
        (:meth:`runs_fast_path`).
    compile : bool | "auto"
        ``torch.compile`` the forward pass (static shapes; fuses LayerNorm, GELU, casts and
        residual adds). ``"auto"``: on a GPU, from the first ``encode`` call after the engine
        has embedded :data:`AUTO_COMPILE_AFTER` windows, when the compile time (~15 s per
        input shape) is sure to be recovered; never on CPU, where it did not pay. Not on a GPU
        torch.compile cannot generate code for (no Triton installed, as in PyTorch's Windows
        builds, or compute capability below 7.0, such as a P100: :func:`inductor_problem`):
        there ``"auto"`` runs uncompiled (said once in the log) and ``True`` is a ValueError.
    cuda_graphs : bool | "auto"
        Capture one CUDA graph per input shape and replay it. ``"auto"``: on for CUDA with the
        fast path.
    compile_mode : str | None
        ``mode`` passed to ``torch.compile`` (``None`` = default).
    gelu_epilogue : bool | "auto"
        Run each ``fc1`` + GELU as one cuBLASLt GEMM with a GELU epilogue, saving a pass over
        the largest activation (about 1.13x throughput on the large model). That epilogue is
        the tanh approximation of GELU (within 4.7e-4 of the exact one, far below
        bfloat16/float16 rounding; the embeddings' error is unchanged). ``"auto"``: on for
        CUDA with a reduced precision; never in float32, which stays exact.
    short_attention : bool | "auto"
        Run attention through eegpt's Triton kernel for short sequences
        (:mod:`eegpt.short_attention`) instead of PyTorch's SDPA kernels, which tile for long
        sequences. Same numerics as FlashAttention. ``"auto"``: on for CUDA with a reduced
        precision when Triton is installed and can build for the GPU (compute capability 7.0+;
        else SDPA: :func:`triton_problem`) and a first small run of the kernel works (else
        SDPA, with a warning); float32 keeps SDPA's exact kernels.
    stream_precision : {"float32", "float16", "bfloat16"}
        Dtype the residual stream is stored in between blocks, with a reduced ``precision``.
        float32 (default) keeps it exact; "float16" halves its memory traffic (a few percent
        faster at large batches on GPUs) at a small extra error, since sums and LayerNorm
        statistics are still computed in float32. float16 overflows beyond 65504: for inputs
        in model units (mV) the stream stays orders of magnitude below that; ``encode`` checks
        its outputs on the device and computes any window that came out non-finite again with
        a float32 stream (with a warning), so it returns what float32 would have.

    Notes
    -----
    A float32 engine runs the caller's model itself. A reduced-precision engine (with the fast
    path) runs a private copy of its encoder and makes it again, at the next :meth:`encode` or
    :meth:`plan`, when the caller's weights have changed: it sees what the fast path's cache
    sees (:meth:`eegpt.model.EEGPTEncoder.fast_plan`), i.e. ``load_state_dict``, ``copy_`` and
    other in-place changes, steps of a ``torch.optim`` optimizer holding the weights (fused
    ones included), ``model.eval()`` after training, and ``model.clear_fast_cache()``, which is
    needed after writing the weights through ``p.data``. While the model is in training mode,
    or its weights are inference tensors (made or loaded under ``torch.inference_mode``: no
    change counter follows them), the copy is made again at every call. The channel
    projection of an :class:`EEGPT` is never copied (it stays float32): the caller's runs.
    """

    model: EEGPT | EEGPTEncoder
    device: str | torch.device | None = None
    precision: Precision = "float32"
    batch_size: int | None = None
    fused: bool = True
    compile: bool | Auto = "auto"
    cuda_graphs: bool | Auto = "auto"
    compile_mode: str | None = None
    gelu_epilogue: bool | Auto = "auto"
    short_attention: bool | Auto = "auto"
    stream_precision: Precision = "float32"
    #: windows encoded so far by this engine (every :meth:`encode` call's, summed over all
    #: threads; windows computed again after a non-finite float16 result count once); compile
    #: "auto" starts compiling once it reaches ``AUTO_COMPILE_AFTER``
    windows_done: int = field(default=0, init=False)
    #: held only to add to ``windows_done`` (engines are called from worker threads)
    _count_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )
    _graphs: OrderedDict = field(default_factory=OrderedDict, init=False, repr=False)
    _pinned: dict = field(default_factory=dict, init=False, repr=False)
    #: keys of graphs dropped from the cache lately (at most 4 x MAX_GRAPHS), and how often one
    #: was needed again after being dropped
    _dropped: OrderedDict = field(default_factory=OrderedDict, init=False, repr=False)
    _recaptures: int = field(default=0, init=False, repr=False)
    #: compile="auto" found that torch.compile cannot run here (no Triton for the GPU, its
    #: cache folder unwritable): runs uncompiled
    _compile_refused: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        # the canonical names from here on: what outputs record ("bfloat16", never "bf16")
        self.precision = precision_name(self.precision)
        self.stream_precision = precision_name(self.stream_precision, "stream_precision")
        if self.stream_precision != "float32" and (self.precision == "float32" or not self.fused):
            raise ValueError(
                "stream_precision other than float32 needs precision bfloat16/float16 and the "
                "fast path (float32 stays exact)"
            )
        self.batch_size = check_batch_size(self.batch_size)
        for name in ("compile", "cuda_graphs", "gelu_epilogue", "short_attention"):
            if getattr(self, name) not in (True, False, "auto"):
                raise ValueError(f"{name} must be True, False or 'auto'")
        self.device = resolve_device(self.device)
        warn_if_emulated_bf16(self.precision, self.device)
        stored = {p.dtype for p in self.model.parameters()}
        if stored - {torch.float32}:
            kinds = ", ".join(sorted(str(d).removeprefix("torch.") for d in stored))
            if stored & {torch.float64}:  # wider, not reduced: nothing to ask for instead
                raise ValueError(
                    f"the model's weights are {kinds}: float64 models are not supported, "
                    "float32 is the model's precision (its weights were trained and are "
                    "stored in it). Cast the model back, model.float() (or "
                    "model.to(torch.float32)), and embed with it"
                )
            raise ValueError(
                f"the model's weights are {kinds}: keep the model in float32 and ask for the "
                "reduced precision here (precision='bfloat16' or 'float16'; --precision on the "
                "command line), which casts a private copy where it pays and keeps LayerNorm "
                "and the residual stream in float32"
            )
        self.model = cast("EEGPT | EEGPTEncoder", _moved(self.model, self.device).eval())
        on_cuda = self.device.type == "cuda"
        if self.cuda_graphs is True and not on_cuda:
            raise ValueError("cuda_graphs=True needs a CUDA device")
        if self.cuda_graphs is True and not self.fused:
            raise ValueError("cuda_graphs needs the fast path (fused=True)")
        self.use_graphs = bool(self.fused and on_cuda and self.cuda_graphs in (True, "auto"))
        self.use_compile = bool(self.fused and self.compile is True)
        if self.use_compile and (problem := inductor_problem(self.device)) is not None:
            raise ValueError(
                f"compile=True: torch.compile cannot generate code for {self.device} here: "
                f"{problem}. Leave compile at 'auto' (or False), which runs uncompiled on this "
                "device"
            )
        dtype = _DTYPES[self.precision]
        reduced_on_cuda = self.fused and on_cuda and dtype != torch.float32
        if self.gelu_epilogue is True and not reduced_on_cuda:
            raise ValueError(
                "gelu_epilogue=True needs a CUDA device, precision bfloat16/float16 and the fast "
                "path (the tanh-approximate GELU is never used in float32)"
            )
        if self.short_attention is True and not (
            reduced_on_cuda and short_attn.available(self.device)
        ):
            raise ValueError(
                "short_attention=True needs Triton, a CUDA device, precision bfloat16/float16 "
                "and the fast path"
            )
        # Triton not installed (Windows builds), or a GPU it cannot build for (P100 and older)
        kernel_problem = triton_problem(self.device) if reduced_on_cuda else None
        if self.short_attention is True and kernel_problem is not None:
            raise ValueError(f"short_attention=True: eegpt's attention kernel: {kernel_problem}")
        # With the blocks in bf16/fp16 the patch projection is the one float32 GEMM left (2% of
        # the large model's time on an H200); TF32's error there (~5e-4) is far below bf16's.
        self.use_patch_tf32 = reduced_on_cuda
        # The encoder actually run: the caller's (float32) or a private reduced-precision copy,
        # made again when the caller's weights change (see _refresh_runner).
        self._runner: EEGPTEncoder = self.encoder
        self._runner_token: object | None = None
        if self.fused and dtype != torch.float32:
            self._copy_encoder()
        # "auto" asks the encoder whether each applies (no blocks, a head width the attention
        # kernel does not take) and, for the kernel, whether it runs here (else SDPA).
        self.use_gelu_epilogue = self.gelu_epilogue is True or (
            reduced_on_cuda and self.gelu_epilogue == "auto" and can_fuse_gelu(self._encoder)
        )
        self.use_short_attention = self.short_attention is True or (
            reduced_on_cuda
            and self.short_attention == "auto"
            and can_short_attend(self._encoder)
            and kernel_problem is None
            and short_attn.usable(self.device, dtype)
        )
        self._fn: Callable[[torch.Tensor, FastPlan], torch.Tensor] = self._forward_planned
        if self.use_compile:
            self._start_compiling()

    def _may_compile_now(self) -> bool:
        """Whether ``compile="auto"`` may start compiling: not where torch.compile cannot
        generate code for the engine's device (:func:`inductor_problem`: a GPU without Triton,
        as on Windows, or one older than compute capability 7.0, such as a P100), nor where its
        cache folder cannot be written (a read-only /tmp, no temporary folder: ``TMPDIR``,
        ``TORCHINDUCTOR_CACHE_DIR``), either of which would fail the run hours in; then it runs
        on uncompiled, said once."""
        from eegpt._runtime import compile_cache_problem

        problem = inductor_problem(self._device)
        if problem is not None:
            self._compile_refused = True
            log(
                f"not compiling (torch.compile, compile='auto') on {self._device}: {problem}; "
                "running uncompiled"
            )
            return False
        problem = compile_cache_problem()
        if problem is None:
            return True
        self._compile_refused = True
        log(
            f"not compiling (torch.compile, compile='auto'): {problem}; running uncompiled. "
            "Set TORCHINDUCTOR_CACHE_DIR (or TMPDIR) to a writable folder to compile"
        )
        return False

    def _start_compiling(self) -> None:
        import torch._dynamo

        # Every engine, dtype and input shape is one more compiled variant of the same function;
        # the default limit (8) would silently fall back to eager after a few of them.
        cfg = torch._dynamo.config
        cfg.recompile_limit = max(cfg.recompile_limit, RECOMPILE_LIMIT)
        self.use_compile = True
        self._fn = torch.compile(self._forward_planned, dynamic=False, mode=self.compile_mode)
        self._graphs.clear()  # captured from the eager function

    def unrecorded_numerics(self) -> dict[str, bool | str]:
        """The choices of this engine that change the embeddings' numbers and that an
        output's provenance does not record, so that windows kept for a resume by a run with
        one are not taken by a run without it (:func:`eegpt.api.resume_fingerprint`,
        :class:`eegpt.dataset_pipeline.KeptWindows`): the tanh GELU epilogue
        (``gelu_epilogue``) and eegpt's attention kernel (``short_attention``), each taken by
        ``"auto"`` on CUDA with a reduced precision where it applies (Triton installed and
        working), named only where on (``{"engine_gelu_epilogue": True}``); and on CUDA, in
        every precision, the GPU's model (``"engine_gpu": "NVIDIA H100 80GB HBM3"``,
        :func:`torch.cuda.get_device_name`), whose kernels differ in the last digits from
        another model's while the provenance names the device alone (``cuda:0``); on a CPU,
        the instruction set its kernels use (``"engine_cpu": "AVX512"``,
        :func:`torch.backends.cpu.get_cpu_capability`: ``AVX2`` on another node, or where
        ``ATEN_CPU_CAPABILITY`` sets it), whose kernels differ in the last digits likewise
        while the provenance names ``cpu`` alone; in bfloat16 or float16 with the instructions
        oneDNN multiplies them with (``"AVX512, bfloat16: AMX-BF16"``, ``"emulated"`` where
        the CPU has none: :func:`~eegpt.fast_path.cpu_matmul_instructions`), whose results
        differ by up to the precision's own error (~5e-3 for bfloat16) between them."""
        used = {
            "gelu_epilogue": self.use_gelu_epilogue,
            "short_attention": self.use_short_attention,
        }
        found: dict[str, bool | str] = {f"engine_{name}": True for name, on in used.items() if on}
        if self._device.type == "cuda":
            found["engine_gpu"] = torch.cuda.get_device_name(self._device)
        elif self._device.type == "cpu":
            found["engine_cpu"] = torch.backends.cpu.get_cpu_capability()
            if self.precision != "float32":
                native = cpu_matmul_instructions(_DTYPES[self.precision]) or "emulated"
                found["engine_cpu"] = f"{found['engine_cpu']}, {self.precision}: {native}"
        return found

    # -- model access ---------------------------------------------------------------------------

    @property
    def encoder(self) -> EEGPTEncoder:
        """The caller's encoder (float32 weights)."""
        return self.model.target_encoder if isinstance(self.model, EEGPT) else self.model

    @property
    def _device(self) -> torch.device:
        """``device`` as ``__post_init__`` resolved it (the field also takes a str or None)."""
        return cast(torch.device, self.device)

    @property
    def _encoder(self) -> EEGPTEncoder:
        """The encoder that runs (a reduced-precision copy for bfloat16/float16)."""
        return self._runner

    def _copy_encoder(self) -> None:
        """Make the private reduced-precision copy of the caller's encoder, noting the weights'
        token (:meth:`EEGPTEncoder.weights_token`) it was made from.

        The token is noted once the copy is in place: a thread sharing the engine that finds
        the new token runs the new copy (noted first, a thread calling while the copy was being
        made ran the previous copy, of the old weights), and one that finds the old token makes
        a copy too (wasted work, same weights)."""
        token = self.encoder.weights_token()  # before copying: a change meanwhile is seen
        dtype = _DTYPES[self.precision]
        self._runner = cast_matmuls(self.encoder, dtype).to(self.device).eval()
        self._runner_token = token
        self._graphs.clear()  # captured with the previous copy's weights

    def _refresh_runner(self) -> None:
        """Copy the caller's encoder again when its weights changed since the private copy was
        made (``load_state_dict``, optimizer steps, ``clear_fast_cache`` after ``p.data``
        edits, ...: whatever drops the fast path's cache); a float32 engine runs the caller's
        encoder itself."""
        if self._runner is self.encoder:
            return
        if self.encoder.weights_token() is not self._runner_token:
            self._copy_encoder()

    def _forward_planned(self, x: torch.Tensor, plan: FastPlan) -> torch.Tensor:
        """Fast path on one device batch ``[B, C_in, T]`` -> ``[B, N, S, D]`` float32.

        Runs in the engine's precision alone (its encoder copy's dtypes): an autocast the
        caller entered (``with torch.autocast("cpu", dtype=torch.bfloat16): model.embed(...)``)
        is turned off inside, as :meth:`_forward_reference` does, so the embeddings are those
        of the precision the output records."""
        with torch.autocast(self._device.type, enabled=False):
            if isinstance(self.model, EEGPT) and self.model.chan_proj is not None:
                x = self.model.chan_proj(x)  # the caller's (float32 in every precision)
            return self._encoder.forward_planned(x, plan)

    def _forward_reference(self, x: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        dtype = _DTYPES[self.precision]
        fused, self.encoder.fused = self.encoder.fused, False
        try:
            with torch.autocast(self._device.type, dtype=dtype, enabled=dtype != torch.float32):
                if isinstance(self.model, EEGPT):
                    z = self.model.encode(x, ids)
                else:
                    z = self.model(x, ids)
        finally:
            self.encoder.fused = fused
        return z.float()

    @torch.no_grad()
    def plan(
        self, chan_ids: Sequence[int] | torch.Tensor, stream_precision: Precision | None = None
    ) -> FastPlan:
        """The fast path's derived weights for this channel set (cached by the encoder, also when
        called with autograd on); ``stream_precision`` overrides the engine's. A
        reduced-precision engine first copies the caller's encoder again if its weights changed
        (see the class notes)."""
        with device_lock(self._device):
            self._refresh_runner()
            ids = torch.as_tensor(chan_ids, dtype=torch.long).cpu()
            stream = self.stream_precision if stream_precision is None else stream_precision
            # oneDNN-packed weights (CPU eager) are opaque to the compiler
            return self._encoder.fast_plan(
                ids,
                pack=False if self.use_compile else None,
                gelu_epilogue=self.use_gelu_epilogue,
                short_attention=self.use_short_attention,
                patch_tf32=self.use_patch_tf32,
                stream_dtype=_DTYPES[stream],
            )

    # -- one batch ------------------------------------------------------------------------------

    def batch_for(self, window_shape: Sequence[int]) -> int:
        """Windows per forward pass for windows of shape ``(C, T)`` (leading axes ignored):
        ``batch_size``, or :func:`default_batch_size` when it is ``None``."""
        if self.batch_size is not None:
            return self.batch_size
        return default_batch_size(self._device, self.encoder.config, window_shape)

    def bucket(self, n: int, batch_size: int | None = None) -> int:
        """Rows a batch of ``n`` windows is padded to when shapes must stay static.

        Full batches keep their size (``batch_size``, default: the engine's, or
        :data:`GPU_BATCH_SIZE`); a smaller one rounds up to a power of two, so at most
        ``log2(batch_size) + 2`` shapes (graphs, compiled variants) exist per window geometry.
        """
        bs = batch_size or self.batch_size or GPU_BATCH_SIZE
        if n >= bs:
            return n
        return min(bs, 1 << (n - 1).bit_length())

    @torch.inference_mode()
    def forward(
        self, x: torch.Tensor, chan_ids: Sequence[int] | torch.Tensor, plan: FastPlan | None = None
    ) -> torch.Tensor:
        """Embeddings ``[B, N, S, D]`` (float32, on the engine's device) of one batch ``x``.

        ``x`` ``[B, C, T]`` may live on the host or the device. This is the engine's whole
        compute path for a batch (the graph replay, compiled or eager forward); ``encode``
        adds host-side batching and pipelined copies around it.
        """
        with device_lock(self._device):
            return self._forward(x, chan_ids, plan)

    def runs_fast_path(self) -> bool:
        """Whether the next batch runs the encoder's fast path: ``fused``, and no forward or
        backward hook on the model's encoder, its submodules or every module (the fast path
        calls only the LayerNorms as modules, so other hooks would not run;
        :func:`eegpt.fast_path.has_hooks`). Otherwise the reference path runs, without CUDA
        graphs or compilation. Hooks that are only global warn once per process
        (:func:`eegpt.fast_path.has_hooks`). Neither does it where a module the fast path reads
        is replaced or wrapped (a LoRA adapter, a quantized layer, another activation:
        :func:`eegpt.fast_path.unsupported_reason`, logged once), as calling the model does."""
        return (
            self.fused
            and not has_hooks(self.encoder, warn_global=True)
            and unsupported_reason(self.encoder, say=True) is None
        )

    def _forward(
        self, x: torch.Tensor, chan_ids: Sequence[int] | torch.Tensor, plan: FastPlan | None
    ) -> torch.Tensor:
        """``plan``: the fast path's, given by a caller that chose it (``encode``, once per
        call); None: chosen here."""
        if plan is None:
            if not self.runs_fast_path():
                ids = torch.as_tensor(chan_ids, dtype=torch.long, device=self.device)
                return self._forward_reference(x.to(self.device, torch.float32), ids)
            plan = self.plan(chan_ids)
        n = x.shape[0]
        static = self.use_graphs or self.use_compile
        rows = self.bucket(n, self.batch_for(x.shape)) if static else n
        entry = self._graph(rows, tuple(x.shape[1:]), chan_ids, plan) if self.use_graphs else None
        if entry is not None:
            entry.static_in[:n].copy_(x, non_blocking=True)
            entry.graph.replay()
            return entry.static_out[:n]
        x = x.to(self.device, torch.float32, non_blocking=True)
        if rows != n:
            x = torch.cat([x, x.new_zeros(rows - n, *x.shape[1:])])
        return self._fn(x, plan)[:n]

    def _graph(
        self, rows: int, shape: tuple[int, ...], chan_ids: Any, plan: FastPlan
    ) -> _Graph | None:
        """The captured graph for ``[rows, *shape]`` inputs and this channel set (LRU cache);
        None once the cache thrashes (see :data:`MAX_GRAPHS`): run without a graph."""
        key = _graph_key(rows, shape, chan_ids, plan)
        entry = self._graphs.get(key)
        if entry is not None:
            self._graphs.move_to_end(key)
            return entry
        if self._dropped.pop(key, False):
            self._recaptures += 1
            if self._recaptures == MAX_GRAPHS + 1:
                warn(
                    f"CUDA graphs: more than {MAX_GRAPHS} input shapes and channel sets "
                    "alternate on this engine, so its graphs were captured again and again "
                    "(slower than running without them); shapes not yet captured now run "
                    "without graphs. One engine per montage, or cuda_graphs=False, avoids this"
                )
        if self._recaptures > MAX_GRAPHS:
            return None
        static_in = torch.zeros(rows, *shape, device=self.device)
        side = torch.cuda.Stream(self.device)
        side.wait_stream(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(side):
            for _ in range(2):  # warm-up: lazy initialisation (and compilation) stay outside
                self._fn(static_in, plan)
        torch.cuda.current_stream(self.device).wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        # No garbage collection during the capture: collecting an earlier engine's graphs or
        # tensors there invalidates it ("operation failed due to a previous error during
        # capture"); torch.cuda.graph collects once just before. Other threads' CUDA calls
        # (e.g. a reader's pinned copies) do not concern this capture.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with torch.cuda.graph(graph, capture_error_mode="thread_local"):
                static_out = self._fn(static_in, plan)
        finally:
            if collecting:
                gc.enable()
        entry = _Graph(graph, static_in, static_out, plan)
        self._graphs[key] = entry
        if len(self._graphs) > MAX_GRAPHS:
            dropped, _ = self._graphs.popitem(last=False)
            self._dropped[dropped] = True
            while len(self._dropped) > 4 * MAX_GRAPHS:
                self._dropped.popitem(last=False)
        return entry

    # -- many windows ---------------------------------------------------------------------------

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
        desc : str
            The label of the progress bar made (``"embedding"`` by default); unused with an
            existing bar or without ``progress``.

        Returns
        -------
        ndarray, shape (n_windows, N, S, D), float32

        Warns
        -----
        RuntimeWarning
            Naming the windows whose embeddings are not finite (NaN or infinite samples in
            them, or amplitudes far outside model units); with ``stream_precision="float16"``
            windows of finite samples that overflowed its range are computed again with a
            float32 stream instead.
        """
        if windows.ndim != 3:
            raise ValueError(f"windows must be [n_windows, C, T], got shape {windows.shape}")
        self._check_ids(chan_ids, windows.shape[1])
        self._check_model_device()
        with device_lock(self._device):
            return self._encode(windows, chan_ids, progress, desc)

    def _check_model_device(self) -> None:
        """Refuse to run when the caller's model was moved off this engine's device since the
        engine was made (an engine moves the model it is given: another engine on another
        device, or ``model.to(...)``, moved it since): torch's own error names neither. A
        reduced-precision engine runs a private copy (made again on its device when the
        caller's weights change), so only a channel projection of the caller's matters there."""
        projection = isinstance(self.model, EEGPT) and self.model.chan_proj is not None
        # hooks make the batches run the reference path, on the caller's model
        if self._runner is not self.encoder and not projection and self.runs_fast_path():
            return
        weight = next(self.model.parameters(), None)
        if weight is None:
            return
        here, there = self._device, weight.device
        if same_device(here, there):
            return
        raise RuntimeError(
            f"this InferenceEngine runs on {here} but the model's weights are now on {there}: an "
            "engine moves the model it is given to its device, so another engine made on the "
            "same model for another device (or model.to(...)) moved it away. Give each device "
            "its own model (copy.deepcopy(model)), or make the engine again"
        )

    def _check_ids(self, chan_ids: Sequence[int] | torch.Tensor, n_input: int) -> None:
        """Refuse ``chan_ids`` that are not one vocabulary row per channel the encoder gets
        from inputs of ``n_input`` channels (:func:`eegpt.model.check_chan_ids`); a NumPy
        check first, as it is ~5x cheaper than torch's for the few microseconds of a call."""
        ids = chan_ids.detach().cpu().numpy() if torch.is_tensor(chan_ids) else chan_ids
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iufb":  # None, names, ...
            raise TypeError(
                f"chan_ids are the channels' rows of the vocabulary (integers), got "
                f"{ids.ravel().tolist()[:4]}: map channel names with "
                "eegpt.channels.map_channels(names).chan_ids"
            )
        n, vocab = self._encoder_channels(n_input), self.encoder.chan_embed.num_embeddings
        fine = (
            ids.ndim == 1
            and 0 < ids.shape[0] == n
            and np.issubdtype(ids.dtype, np.integer)
            and 0 <= ids.min()
            and ids.max() < vocab
        )
        if not fine:
            check_chan_ids(torch.as_tensor(ids), n, vocab)

    def _encoder_channels(self, n_input: int) -> int:
        """Channels the encoder gets from inputs of ``n_input``: the channel projection's
        outputs, if the model has one (``chan_ids`` name those)."""
        proj = self.model.chan_proj if isinstance(self.model, EEGPT) else None
        return n_input if proj is None else proj.proj.out_channels

    def _encode(
        self,
        windows: np.ndarray,
        chan_ids: Sequence[int] | torch.Tensor,
        progress: bool | tqdm,
        desc: str,
    ) -> np.ndarray:
        cfg = self.encoder.config
        n_patches = cfg.n_patches(windows.shape[-1])
        out = np.empty((len(windows), n_patches, cfg.embed_num, cfg.embed_dim), dtype=np.float32)
        if len(windows) == 0:
            return out
        if (
            self.compile == "auto"
            and not self.use_compile
            and self.fused
            and self._device.type == "cuda"
            and self.windows_done >= AUTO_COMPILE_AFTER
            and not self._compile_refused
            and self._may_compile_now()
        ):
            self._start_compiling()
        plan = self.plan(chan_ids) if self.runs_fast_path() else None
        # flag non-finite outputs (NaN input; a float16 stream's overflow) on the device, read
        # the flag once at the end
        finite = torch.ones((), dtype=torch.bool, device=self.device)
        bar, own_bar = _progress_bar(progress, len(windows), desc)
        try:
            if self._device.type == "cuda":
                self._encode_pipelined(windows, chan_ids, plan, out, bar, finite)
            else:
                bs = self.batch_for(windows.shape)
                for start in range(0, len(windows), bs):
                    chunk = _as_float32(windows[start : start + bs])
                    z = self.forward(chunk, chan_ids, plan)
                    _and_finite(finite, z)
                    out[start : start + len(chunk)] = z.float().cpu().numpy()
                    if bar is not None:
                        bar.update(len(chunk))
        finally:
            if own_bar and bar is not None:
                bar.close()
        self._count_windows(len(windows))
        if not bool(finite):
            self._non_finite(windows, chan_ids, out)
        return out

    def __getstate__(self) -> dict[str, Any]:
        """The engine's state without its counter lock, which no pickle or copy may hold: a
        lock is not part of what the engine computes, and each copy needs its own."""
        state = self.__dict__.copy()
        state.pop("_count_lock", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled or copied engine (``pickle``, ``copy.copy``, ``copy.deepcopy``)
        with a counter lock of its own, so that copies never wait on each other."""
        self.__dict__.update(state)
        self._count_lock = threading.Lock()

    def _count_windows(self, n: int) -> None:
        """Add ``n`` encoded windows to ``windows_done`` under the engine's counter lock, so
        concurrent callers (the CLI's worker threads) lose no update."""
        with self._count_lock:
            self.windows_done += n

    def _non_finite(
        self, windows: np.ndarray, chan_ids: Sequence[int] | torch.Tensor, out: np.ndarray
    ) -> None:
        """Windows whose embeddings came out non-finite: with a float16 stream those of finite
        input are computed again with a float32 stream (what they would have been without
        ``stream_precision``); the rest are warned about, saying whether their input was."""
        bad = np.flatnonzero(~np.isfinite(out.reshape(len(out), -1)).all(axis=1))
        samples = np.asarray(
            windows[torch.as_tensor(bad)] if torch.is_tensor(windows) else windows[bad]
        )
        bad_input = bad[~np.isfinite(samples.reshape(len(bad), -1)).all(axis=1)]
        if self.stream_precision == "float16":
            self._recompute_non_finite(windows, chan_ids, out, np.setdiff1d(bad, bad_input))
            bad = np.flatnonzero(~np.isfinite(out.reshape(len(out), -1)).all(axis=1))
        if len(bad) == 0:
            return
        rows = few([str(k) for k in bad], 5)
        why = (
            "all of them hold NaN or infinite samples"
            if len(bad_input) == len(bad)
            else f"{len(bad_input)} of them hold NaN or infinite samples; the others are finite "
            f"but overflow {self.precision} (is the input in model units, mV?)"
            if len(bad_input)
            else f"their samples are finite but overflow {self.precision} (is the input in "
            "model units, mV?)"
        )
        warn(f"{len(bad)} of {len(out)} windows gave non-finite embeddings (windows {rows}): {why}")

    def _recompute_non_finite(
        self,
        windows: np.ndarray,
        chan_ids: Sequence[int] | torch.Tensor,
        out: np.ndarray,
        bad: np.ndarray,
    ) -> None:
        """Windows ``bad`` of finite input that came out non-finite with the float16 stream,
        computed again with a float32 stream."""
        if len(bad) == 0:
            return
        warn(
            f"{len(bad)} of {len(out)} windows gave non-finite embeddings with "
            "stream_precision='float16' (the residual stream left float16's range, |x| > 65504: "
            "is the input in model units, mV?); recomputed them with a float32 stream"
        )
        plan = self.plan(chan_ids, stream_precision="float32")
        bs = self.batch_for(windows.shape)
        for start in range(0, len(bad), bs):
            rows = bad[start : start + bs]
            z = self.forward(_as_float32(windows[rows]), chan_ids, plan)
            out[rows] = z.float().cpu().numpy()

    def _encode_pipelined(
        self,
        windows: np.ndarray,
        chan_ids: Any,
        plan: FastPlan | None,
        out: np.ndarray,
        bar: tqdm | None,
        finite: torch.Tensor | None = None,
    ) -> None:
        """CUDA loop with two pinned host slots: while the device works on batch k, the host
        fills the input slot of batch k+1 and reads back the output of batch k-1."""
        bs = self.batch_for(windows.shape)
        in_bufs = self._pinned_buffers("in", (bs, *windows.shape[1:]))
        out_bufs = self._pinned_buffers("out", (bs, *out.shape[1:]))
        copied = [torch.cuda.Event(), torch.cuda.Event()]  # input slot free again
        done = [torch.cuda.Event(), torch.cuda.Event()]  # output slot filled
        for e in copied:
            e.record()
        pending: tuple[int, int, int] | None = None
        for k, start in enumerate(range(0, len(windows), bs)):
            slot = k % 2
            chunk = windows[start : start + bs]
            n = len(chunk)
            copied[slot].synchronize()
            in_bufs[slot][:n].copy_(torch.from_numpy(_host_array(chunk)))
            z = self.forward(in_bufs[slot][:n], chan_ids, plan)
            _and_finite(finite, z)
            copied[slot].record()
            out_bufs[slot][:n].copy_(z, non_blocking=True)
            done[slot].record()
            if pending is not None:
                self._collect(pending, out_bufs, done, out, bar)
            pending = (start, n, slot)
        if pending is not None:
            self._collect(pending, out_bufs, done, out, bar)

    @staticmethod
    def _collect(pending, out_bufs, done, out: np.ndarray, bar: tqdm | None) -> None:
        start, n, slot = pending
        done[slot].synchronize()
        out[start : start + n] = out_bufs[slot][:n].numpy()
        if bar is not None:
            bar.update(n)

    def _pinned_buffers(self, kind: str, shape: tuple[int, ...]) -> list[torch.Tensor]:
        key = (kind, shape)
        if key not in self._pinned:
            self._pinned = {k: v for k, v in self._pinned.items() if k[0] != kind}
            self._pinned[key] = [torch.zeros(shape, pin_memory=True) for _ in range(2)]
        return self._pinned[key]


def _graph_key(rows: int, shape: tuple[int, ...], chan_ids: Any, plan: FastPlan) -> tuple:
    """What a captured graph depends on: the input shape, the channels and the plan's derived
    tensors. ``plan`` is a fresh tuple on every :meth:`InferenceEngine.plan` call, but its
    channel terms are cached by the encoder until the parameters or the plan's options (stream
    dtype, ...) change, so their identity names the tensors the graph reads (a cached graph
    keeps its plan alive, so that identity is not reused while the entry exists)."""
    return (rows, shape, tuple(torch.as_tensor(chan_ids).tolist()), id(plan.channel))


def _and_finite(flag: torch.Tensor | None, z: torch.Tensor) -> None:
    """``flag &= all(isfinite(z))`` on the device, without a host synchronisation."""
    if flag is not None:
        flag.logical_and_(torch.isfinite(z).all())


def _host_array(chunk: np.ndarray) -> np.ndarray:
    """``chunk`` (windows ``[n, C, T]``) C-contiguous and in this machine's byte order, which
    ``torch.from_numpy`` needs: it refuses big-endian arrays (``>f4``, as read from some files
    or ``np.load``) with "given numpy array has byte order different from the native byte
    order"."""
    array = np.ascontiguousarray(chunk)
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array


def _as_float32(chunk: np.ndarray) -> torch.Tensor:
    """Windows ``chunk`` ``[n, C, T]`` as a float32 CPU tensor (shared with ``chunk`` when it is
    already contiguous native float32)."""
    x = torch.from_numpy(_host_array(chunk))
    return x if x.dtype == torch.float32 else x.float()


def _progress_bar(progress: bool | tqdm, total: int, desc: str) -> tuple[tqdm | None, bool]:
    if isinstance(progress, tqdm):
        return progress, False
    if progress:
        # imported here: tqdm.auto's import warns in a notebook without ipywidgets
        from tqdm.auto import tqdm as auto_tqdm

        bar = auto_tqdm(total=total, desc=desc, unit="win", dynamic_ncols=True,
                   **progress_options())  # fmt: skip
        return bar, True
    return None, False
