"""What eegpt decides from the GPU it is given (and the machine it runs on), on GPUs simulated
on this CPU-only machine: native bfloat16 (compute capability 8.0+, of the device actually
used, not the current one), whether torch.compile and eegpt's Triton kernel can run there
(Triton installed; capability 7.0+), Apple Silicon (MPS: refused with what to do, the CPU used
instead said once) and the spellings of the precisions (``bf16`` ...) the command line takes.

Older GPUs of the kind users have: a Colab T4 is 7.5, a V100 7.0, a Kaggle P100 6.0; an A100
8.0, an H100 9.0.
"""

from __future__ import annotations

import logging
import warnings

import pytest
import torch

import eegpt.engine as engine_module
from eegpt import short_attention as short_attn
from eegpt.config import EEGPTConfig, precision_name
from eegpt.engine import (
    InferenceEngine,
    inductor_problem,
    native_cuda_bf16,
    resolve_device,
    triton_problem,
)
from eegpt.errors import DeviceUnavailableError
from eegpt.model import EEGPTEncoder

T4, P100, V100, A100, H100 = (7, 5), (6, 0), (7, 0), (8, 0), (9, 0)
NAMES = {T4: "Tesla T4", P100: "Tesla P100-PCIE-16GB", V100: "Tesla V100-SXM2-16GB",
         A100: "NVIDIA A100-SXM4-40GB", H100: "NVIDIA H100 80GB HBM3"}  # fmt: skip


def fake_gpus(monkeypatch, *capabilities: tuple[int, int], current: int = 0) -> None:
    """Make torch see these GPUs (cuda:0, cuda:1, ... of these compute capabilities; the
    current one ``current``). torch.cuda.is_bf16_supported() says True on every one, as torch
    >= 2.3 does by default (its emulation counts): nothing here may rely on it."""

    def index(device=None) -> int:
        if device is None:
            return current
        if isinstance(device, int):
            return device
        device = torch.device(device)
        assert device.type == "cuda", device
        return current if device.index is None else device.index

    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: len(capabilities))
    monkeypatch.setattr(torch.cuda, "current_device", lambda: current)
    monkeypatch.setattr(
        torch.cuda, "get_device_capability", lambda device=None: capabilities[index(device)]
    )
    monkeypatch.setattr(
        torch.cuda, "get_device_name", lambda device=None: NAMES[capabilities[index(device)]]
    )
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: True)


def small_encoder() -> EEGPTEncoder:
    """A tiny encoder whose ``.to(device)`` stays on the CPU: an engine on a simulated GPU is
    built up to the point where it would run (its checks and decisions), never run."""
    enc = EEGPTEncoder(EEGPTConfig(embed_dim=16, depth=1, num_heads=2, embed_num=2)).eval()
    enc.to = lambda *args, **kwargs: enc  # type: ignore[method-assign]
    return enc


# -- native bfloat16 -------------------------------------------------------------------------


def test_native_bf16_is_compute_capability_8_of_the_device_used(monkeypatch):
    fake_gpus(monkeypatch, A100, T4, P100, H100)
    assert native_cuda_bf16("cuda") and native_cuda_bf16(torch.device("cuda", 0))
    assert not native_cuda_bf16("cuda:1") and not native_cuda_bf16(torch.device("cuda:2"))
    assert native_cuda_bf16("cuda:3")
    fake_gpus(monkeypatch, A100, T4, current=1)  # "cuda" is the current GPU
    assert not native_cuda_bf16("cuda") and native_cuda_bf16("cuda:0")
    monkeypatch.setattr(torch.version, "hip", "6.2")  # AMD GPUs under ROCm have it
    assert native_cuda_bf16("cuda")


@pytest.mark.parametrize(
    ("gpus", "device", "expected"),
    [
        ([T4], "cuda", "float16"),
        ([P100], "cuda", "float16"),
        ([V100], "cuda", "float16"),
        ([A100], "cuda", "bfloat16"),
        ([H100], "cuda:0", "bfloat16"),
        ([A100, P100], "cuda:1", "float16"),  # the device trained on, not the current one
        ([P100, A100], "cuda:1", "bfloat16"),
    ],
)
def test_finetune_auto_precision_needs_native_bf16(monkeypatch, gpus, device, expected):
    from eegpt.finetune import _resolve_precision

    fake_gpus(monkeypatch, *gpus)
    assert _resolve_precision("auto", torch.device(device)) == expected
    assert _resolve_precision("AUTO", torch.device(device)) == expected
    assert _resolve_precision("auto", torch.device("cpu")) == "float32"


def test_finetune_bf16_asked_for_on_an_older_gpu_warns(monkeypatch):
    from eegpt.finetune import _resolve_precision

    fake_gpus(monkeypatch, T4, A100)
    with pytest.warns(RuntimeWarning, match=r"no native bfloat16.*--precision float16") as rec:
        assert _resolve_precision("bf16", torch.device("cuda:0")) == "bfloat16"
    assert "Tesla T4, compute capability 7.5" in str(rec[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _resolve_precision("BFloat16", torch.device("cuda:1")) == "bfloat16"
        assert _resolve_precision("fp16", torch.device("cuda:0")) == "float16"


@pytest.mark.parametrize("gpu", [T4, P100, V100])
def test_engine_warns_once_of_bf16_on_a_gpu_without_it(monkeypatch, gpu):
    fake_gpus(monkeypatch, gpu)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine = InferenceEngine(small_encoder(), "cuda", precision="bfloat16", fused=False)
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1, messages
    assert engine.precision == "bfloat16"
    text = messages[0]
    assert f"{NAMES[gpu]}, compute capability {gpu[0]}.{gpu[1]}" in text
    assert "emulated" in text and "precision='float16'" in text and "--precision float16" in text
    assert "8.0" in text


def test_engine_is_silent_where_bf16_is_native_or_not_asked_for(monkeypatch):
    fake_gpus(monkeypatch, A100, T4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        InferenceEngine(small_encoder(), "cuda:0", precision="bfloat16", fused=False)
        InferenceEngine(small_encoder(), "cuda:1", precision="float16", fused=False)
        InferenceEngine(small_encoder(), "cuda:1", fused=False)
    with pytest.warns(RuntimeWarning, match="Tesla T4"):  # cuda:1, though cuda:0 has it
        InferenceEngine(small_encoder(), "cuda:1", precision="bf16", fused=False)


# -- torch.compile and the Triton kernel -----------------------------------------------------


def test_inductor_problem(monkeypatch):
    fake_gpus(monkeypatch, H100, P100, T4, V100)
    assert inductor_problem("cpu") is None  # C++ code generation on the CPU, no Triton
    assert inductor_problem("cuda:0") is None and triton_problem("cuda:0") is None
    assert inductor_problem("cuda:2") is None and inductor_problem("cuda:3") is None
    problem = inductor_problem("cuda:1")
    assert problem is not None
    assert "compute capability 7.0 or newer" in problem and "P100" in problem
    assert triton_problem("cuda:1") == problem
    monkeypatch.setattr(short_attn, "triton", None)  # a CUDA build without Triton (Windows)
    assert "Triton is not installed" in (inductor_problem("cuda:0") or "")
    assert inductor_problem("cpu") is None


@pytest.mark.parametrize("triton_installed", [True, False])
def test_compile_auto_runs_uncompiled_where_inductor_cannot_generate_code(
    monkeypatch, caplog, triton_installed
):
    """compile="auto" would start torch.compile after many windows on a GPU: where Inductor
    cannot generate code for it (GPUTooOldForTriton, TritonMissing hours into a run), it says
    why once and stays uncompiled; compile=True is refused up front."""
    fake_gpus(monkeypatch, P100 if triton_installed else H100, T4)
    if not triton_installed:
        monkeypatch.setattr(short_attn, "triton", None)
    engine = InferenceEngine(small_encoder(), "cuda:0")
    assert engine.compile == "auto" and not engine.use_compile
    with caplog.at_level(logging.INFO, logger="eegpt"):
        assert not engine._may_compile_now()
    assert engine._compile_refused and not engine.use_compile
    assert "not compiling (torch.compile, compile='auto') on cuda:0" in caplog.text
    reason = "compute capability 7.0" if triton_installed else "Triton is not installed"
    assert reason in caplog.text
    with pytest.raises(ValueError, match=rf"compile=True: torch.compile cannot .*{reason}"):
        InferenceEngine(small_encoder(), "cuda:0", compile=True)
    if triton_installed:  # the T4 beside it compiles
        monkeypatch.setattr("eegpt._runtime.compile_cache_problem", lambda: None)
        assert InferenceEngine(small_encoder(), "cuda:1")._may_compile_now()


def test_short_attention_true_is_refused_where_triton_cannot_build(monkeypatch):
    if short_attn.triton is None:
        pytest.skip("needs Triton installed")
    fake_gpus(monkeypatch, P100)
    with pytest.raises(ValueError, match="short_attention=True.*compute capability 7.0"):
        InferenceEngine(small_encoder(), "cuda", precision="float16", short_attention=True)


def test_compile_on_the_cpu_is_unchanged():
    """On the CPU torch.compile generates C++: compile=True is taken, whatever Triton says, and
    compile="auto" never compiles there (tests/test_engine.py)."""
    engine = InferenceEngine(EEGPTEncoder(EEGPTConfig(embed_dim=16, depth=1, num_heads=2)), "cpu",
                             compile=True)  # fmt: skip
    assert engine.use_compile


# -- Apple Silicon -----------------------------------------------------------------------------


def test_mps_is_refused_saying_what_to_do(monkeypatch):
    from eegpt.dataset import select_devices

    for device in ("mps", torch.device("mps")):
        with pytest.raises(DeviceUnavailableError, match="not supported") as err:
            resolve_device(device)
        text = str(err.value)
        assert "on a Mac eegpt runs on the CPU" in text
        assert "leave the device out" in text and "device='cpu'" in text and "--device cpu" in text
    with pytest.raises(DeviceUnavailableError, match="on a Mac eegpt runs on the CPU"):
        select_devices("mps")
    with pytest.raises(DeviceUnavailableError, match="leave the device out"):
        resolve_device("xpu")


def test_mps_is_refused_before_the_demo_writes_anything(tmp_path):
    from eegpt.demo import run_demo

    with pytest.raises(DeviceUnavailableError, match="on a Mac eegpt runs on the CPU"):
        run_demo(tmp_path / "demo", device="mps")
    assert not (tmp_path / "demo").exists()


def test_the_cpu_chosen_on_a_mac_is_said_once(monkeypatch, caplog):
    from eegpt.dataset import select_devices

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    monkeypatch.setattr(engine_module, "_MAC_NOTED", False)
    with caplog.at_level(logging.INFO, logger="eegpt"):
        assert resolve_device(None) == torch.device("cpu")
        assert resolve_device("auto") == torch.device("cpu")
        assert select_devices(None) == [torch.device("cpu")]
        resolve_device("cpu")
    notes = [r for r in caplog.records if "MPS" in r.getMessage()]
    assert len(notes) == 1 and notes[0].levelno == logging.INFO
    assert "running on the CPU" in notes[0].getMessage()
    monkeypatch.setattr(engine_module, "_MAC_NOTED", False)  # for embed-dataset too
    with caplog.at_level(logging.INFO, logger="eegpt"):
        select_devices("auto")
    assert len([r for r in caplog.records if "MPS" in r.getMessage()]) == 2
    monkeypatch.setattr(engine_module, "_MAC_NOTED", False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)  # Linux, Windows
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="eegpt"):
        resolve_device(None)
    assert not caplog.records


# -- spellings of the precisions -----------------------------------------------------------------


def test_precision_names():
    from eegpt import cli_options, config, engine

    assert cli_options.PRECISION_ALIASES is config.PRECISION_ALIASES is engine.PRECISION_ALIASES
    for given, name in [("bf16", "bfloat16"), ("BF16", "bfloat16"), ("Bfloat16", "bfloat16"),
                        ("fp16", "float16"), ("half", "float16"), ("HALF", "float16"),
                        ("fp32", "float32"), (" float32 ", "float32"), ("FP32", "float32")]:  # fmt: skip
        assert precision_name(given) == name
    for wrong in ("int8", "", None, torch.bfloat16, 16):
        with pytest.raises(ValueError, match=r"stream_precision must be one of .*bf16"):
            precision_name(wrong, "stream_precision")


def test_engine_and_training_take_the_command_line_s_spellings():
    from eegpt.training import check_precision

    enc = EEGPTEncoder(EEGPTConfig(embed_dim=16, depth=1, num_heads=2, embed_num=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bfloat16 emulated on this CPU: said, and fine here
        engine = InferenceEngine(enc, "cpu", precision="BF16", stream_precision="fp16")
    assert engine.precision == "bfloat16" and engine.stream_precision == "float16"
    assert InferenceEngine(enc, "cpu", precision="FP32").precision == "float32"
    with pytest.raises(ValueError, match="precision must be one of"):
        InferenceEngine(enc, "cpu", precision="bf8")
    with pytest.raises(ValueError, match="stream_precision other than float32"):
        InferenceEngine(enc, "cpu", precision="fp32", stream_precision="half")
    assert check_precision("Bf16", torch.device("cpu")) == "bfloat16"
    with pytest.raises(ValueError, match="float16 mixed precision needs a CUDA device"):
        check_precision("HALF", torch.device("cpu"))


def test_embed_records_the_full_name_of_an_alias():
    import numpy as np

    from eegpt import EEGPT, embed

    model = EEGPT(EEGPTConfig(embed_dim=16, depth=1, num_heads=2, embed_num=2)).eval()
    x = np.random.default_rng(0).normal(0, 1e-5, (3, 4 * 256))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bfloat16 emulated on this CPU
        emb = embed(model, x, ch_names=["Fz", "Cz", "Pz"], sfreq=256.0, device="cpu",
                    precision="bf16")  # fmt: skip
    assert emb.metadata["precision"] == "bfloat16"
