"""eegpt in locked-down surroundings: no writable temporary folder, a CPU quota."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from eegpt.synthetic import synthetic_erp_epochs

# `eegpt ARGS` in a fresh process in which tempfile finds no usable temporary folder
# (as under a read-only root, /tmp and working folder) when NO_TEMP is set.
RUN_EEGPT = """
import os, sys, tempfile
if os.environ.pop("NO_TEMP", None):
    tempfile._candidate_tempdir_list = lambda: []
    tempfile.tempdir = None
from eegpt.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_eegpt(args: list[str], cwd, unset=(), **env: str) -> subprocess.CompletedProcess:
    """``eegpt ARGS`` in a fresh process, without TORCHINDUCTOR_CACHE_DIR and ``unset``."""
    gone = {"TORCHINDUCTOR_CACHE_DIR", *unset}
    environ = {k: v for k, v in os.environ.items() if k not in gone}
    return subprocess.run(
        [sys.executable, "-c", RUN_EEGPT, *args],
        cwd=cwd,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("temp", ["none usable", "writable"])
def test_probe_train_needs_no_temporary_folder_and_leaves_none(weights, tmp_path, temp):
    """Building the optimizer imports torch._dynamo, which created Inductor's cache folder
    (torchinductor_<user> in the temporary folder): probe train failed with 'No usable
    temporary directory found', or left that folder behind, empty."""
    epochs = tmp_path / "t-epo.fif"
    synthetic_erp_epochs(24, seed=1, seconds=1.0, tmin=-0.2).save(epochs, verbose=False)
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    env = {"NO_TEMP": "1"} if temp == "none usable" else {"TMPDIR": str(tmp)}
    args = ["probe", "train", str(epochs), "--weights", str(weights), "-o", str(tmp_path / "p")]
    done = run_eegpt([*args, "-q", "--passes", "1", "--window", "1"], cwd, **env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p" / "probe.json").is_file()
    assert list(cwd.iterdir()) == [] and list(tmp.iterdir()) == []


def cgroup(tmp_path, own: str | None, **limits: str):
    """A fake /sys/fs/cgroup with cpu.max in the folders named (``root`` for the top one) and
    a fake /proc/self/cgroup naming ``own``."""
    root = tmp_path / "cgroup"
    for folder, text in limits.items():
        path = root if folder == "root" else root / folder.replace("__", "/")
        path.mkdir(parents=True, exist_ok=True)
        (path / "cpu.max").write_text(text + "\n")
    proc = tmp_path / "proc-self-cgroup"
    if own is not None:
        proc.write_text(f"0::{own}\n")
    return root, proc


@pytest.mark.parametrize(
    ("text", "cpus"),
    [
        ("max 100000", None),
        ("200000 100000", 2),
        ("150000 100000", 2),
        ("50000 100000", 1),
        ("400000 200000", 2),
        ("", None),
        ("garbage", None),
    ],  # fmt: skip
)
def test_cgroup_cpu_limit_reads_cpu_max(tmp_path, text, cpus):
    from eegpt._runtime import cgroup_cpu_limit

    root, proc = cgroup(tmp_path, None, root=text)  # in a container: its own cgroup at the root
    assert cgroup_cpu_limit(root, proc) == cpus


def test_cgroup_cpu_limit_takes_the_smallest_quota_up_from_the_process_cgroup(tmp_path):
    from eegpt._runtime import cgroup_cpu_limit

    root, proc = cgroup(
        tmp_path, "/jobs/job1", root="max 100000", jobs="300000 100000", jobs__job1="max 100000"
    )
    assert cgroup_cpu_limit(root, proc) == 3
    assert cgroup_cpu_limit(tmp_path / "no-cgroup-v2", proc) is None


def _files(folder, **files: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name.replace("_", ".", 1)).write_text(text + "\n")


def test_cgroup_memory_of_a_slurm_job_under_cgroup_v1(tmp_path):
    """A SLURM job on a cgroup v1 node: the memory cgroup is named on /proc/self/cgroup's
    ``memory`` line and its limit is set on the job's folder, below an unlimited root; the
    page cache it could drop (total_inactive_file) is not counted as used."""
    from eegpt._runtime import cgroup_memory_available

    root, proc = tmp_path / "cgroup", tmp_path / "proc-self-cgroup"
    proc.write_text(
        "9:name=systemd:/\n5:cpuacct,cpu:/slurm/uid_1/job_7\n"
        "4:memory:/slurm/uid_1/job_7/step_0\n0::/\n"
    )
    memory = root / "memory"
    unlimited = "9223372036854771712"
    _files(memory, memory_limit_in_bytes=unlimited, memory_usage_in_bytes="50000000000")
    _files(memory / "slurm" / "uid_1" / "job_7", memory_limit_in_bytes=str(2 * 2**30),
           memory_usage_in_bytes=str(2**30 + 100), memory_stat="cache 5\ntotal_inactive_file 100")  # fmt: skip
    _files(memory / "slurm" / "uid_1" / "job_7" / "step_0",
           memory_limit_in_bytes=unlimited, memory_usage_in_bytes=str(2**30))  # fmt: skip
    assert cgroup_memory_available(root, proc) == 2**30
    assert cgroup_memory_available(root, tmp_path / "no-such-file") is None  # root: no limit


def test_cgroup_memory_under_cgroup_v2(tmp_path):
    """cgroup v2: ``memory.max`` (``max``: none) less ``memory.current`` (less inactive_file)
    of the process's own cgroup and those above it; the smallest counts."""
    from eegpt._runtime import cgroup_memory_available

    root, proc = tmp_path / "cgroup", tmp_path / "proc-self-cgroup"
    proc.write_text("0::/system.slice/job.scope\n")
    _files(root, memory_max="max", memory_current="123")
    _files(root / "system.slice", memory_max="10000", memory_current="1000")
    _files(root / "system.slice" / "job.scope", memory_max="5000", memory_current="3000",
           memory_stat="anon 2000\ninactive_file 500")  # fmt: skip
    assert cgroup_memory_available(root, proc) == 2500
    (root / "system.slice" / "job.scope" / "memory.max").write_text("max\n")
    assert cgroup_memory_available(root, proc) == 9000
    _files(tmp_path / "container", memory_max="4096", memory_current="1024")  # its own root
    assert cgroup_memory_available(tmp_path / "container", tmp_path / "none") == 3072


def test_cgroup_memory_counts_active_page_cache_as_available(tmp_path):
    """A 16 GiB container using 3 GiB, its 9 GiB of page cache mostly active (files read
    twice, as eegpt reads a header and then the samples): the kernel drops that cache before
    it kills, as the system's MemAvailable counts it, so 13 GiB are available, not 5 (a
    6 GiB read was refused); cgroup v1's hierarchical total_ counts alike."""
    from eegpt._runtime import cgroup_memory_available

    gib = 2**30
    root, proc = tmp_path / "cgroup", tmp_path / "proc-self-cgroup"
    proc.write_text("0::/\n")
    _files(root, memory_max=str(16 * gib), memory_current=str(12 * gib),
           memory_stat=f"anon {3 * gib}\nfile {9 * gib}\nactive_file {8 * gib}\n"
           f"inactive_file {gib}")  # fmt: skip
    assert cgroup_memory_available(root, proc) == 13 * gib
    v1, proc1 = tmp_path / "v1", tmp_path / "proc-v1"
    proc1.write_text("4:memory:/job\n")
    _files(v1 / "memory" / "job", memory_limit_in_bytes=str(16 * gib),
           memory_usage_in_bytes=str(12 * gib),
           memory_stat=f"active_file 1\ntotal_active_file {8 * gib}\n"
           f"total_inactive_file {gib}")  # fmt: skip
    assert cgroup_memory_available(v1, proc1) == 13 * gib


def test_available_memory_counts_the_cgroup_limit(monkeypatch):
    """The memory check sees a job's limit, not the node's MemAvailable."""
    import eegpt.io
    from eegpt import _runtime

    monkeypatch.setattr(_runtime, "cgroup_memory_available", lambda: 12345)
    assert eegpt.io.available_memory() == 12345


def test_default_workers_honour_a_cpu_quota(monkeypatch):
    """embed-dataset's reader processes: min(4, CPUs - 1) counted within a cgroup quota
    (docker --cpus 3 on a 16-core host: 2 readers, not 4)."""
    from eegpt import _runtime
    from eegpt.dataset import _default_workers

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    monkeypatch.setattr(_runtime, "cgroup_cpu_limit", lambda: None)
    assert _default_workers() == 4
    monkeypatch.setattr(_runtime, "cgroup_cpu_limit", lambda: 3)
    assert _default_workers() == 2


@pytest.mark.parametrize(("cpus", "workers"), [(1, 0), (2, 0), (3, 2), (4, 3), (5, 4), (64, 4)])
def test_default_workers_read_in_process_on_two_cpus(monkeypatch, cpus, workers):
    """On two CPUs or fewer no reader process (one competed with inference for the cores): 0,
    as --workers 0."""
    from eegpt import _runtime
    from eegpt.dataset import _default_workers

    monkeypatch.setattr(_runtime, "usable_cpus", lambda: cpus)
    assert _default_workers() == workers


@pytest.fixture
def torch_threads():
    """Put torch's intra-op thread count back after the test."""
    import torch

    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_set_torch_threads_default_stays_within_the_quota_unless_the_user_chose(
    monkeypatch, torch_threads
):
    import torch

    from eegpt import _runtime

    torch.set_num_threads(4)
    monkeypatch.setattr(_runtime, "usable_cpus", lambda: 2)
    for name in _runtime.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert _runtime.set_torch_threads(None, default=False) is None  # not the process: as it is
    assert torch.get_num_threads() == 4
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's choice
    assert _runtime.set_torch_threads(None, default=True) is None
    assert torch.get_num_threads() == 4
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert _runtime.set_torch_threads(None, default=True) == 4
    assert torch.get_num_threads() == 2
    assert _runtime.set_torch_threads(3, default=True) == 2  # --threads: as given
    assert torch.get_num_threads() == 3


def test_threads_option_on_the_commands_that_run_the_model(monkeypatch, torch_threads):
    """--threads N: embed, embed-dataset, probe train/evaluate/predict; a command run from
    Python (main(argv)) puts the caller's count back."""
    import torch

    from eegpt import cli

    parser = cli.build_parser()
    for words in (
        ["embed", "a.edf", "-o", "out/"],
        ["embed-dataset", "in", "-o", "out"],
        ["probe", "train", "a-epo.fif", "--weights", "w", "-o", "p"],
        ["probe", "evaluate", "p", "a-epo.fif"],
        ["probe", "predict", "p", "a-epo.fif", "-o", "x.csv"],
    ):
        assert parser.parse_args([*words, "--threads", "3"]).threads == 3, words
        assert parser.parse_args(words).threads is None
    for bad in ("0", "-1", "two", "1.5"):
        with pytest.raises(SystemExit):
            parser.parse_args(["embed", "a.edf", "-o", "out/", "--threads", bad])

    seen = []
    monkeypatch.setattr(cli, "cmd_embed", lambda args: seen.append(torch.get_num_threads()) or 0)
    torch.set_num_threads(2)
    assert cli.main(["embed", "a.edf", "-o", "out/", "--threads", "1"]) == 0
    assert seen == [1] and torch.get_num_threads() == 2


def test_the_eegpt_process_keeps_torch_threads_within_a_cpu_quota(tmp_path):
    """Docker --cpus 1 on a bigger host: torch's default thread count (the host's cores)
    capped at the quota, unless OMP_NUM_THREADS or --threads says otherwise."""
    code = """
import sys, torch
from eegpt import _runtime, cli
if torch.get_num_threads() < 2:
    print("SKIP"); sys.exit(0)
_runtime.cgroup_cpu_limit = lambda: 1
cli.cmd_embed = lambda args: print(torch.get_num_threads()) or 0
sys.argv = ["eegpt", "embed", "a.edf", "-o", "out/", *sys.argv[1:]]
sys.exit(cli.main())
"""
    environ = {
        k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
    }

    def threads(*args: str, **env: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, *args], env={**environ, **env}, cwd=tmp_path,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    shown = threads()
    if shown == "SKIP":
        pytest.skip("torch uses one thread here")
    assert shown == "1"
    assert threads("--threads", "2") == "2"
    assert threads(OMP_NUM_THREADS="2") == "2"


@pytest.mark.parametrize("temp", ["writable", "none usable"])
def test_plot_without_a_writable_home(tmp_path, temp):
    """eegpt channels --plot with HOME unwritable (a container without one): matplotlib printed
    two warning lines per command and made its cache folder in the temporary folder, and
    with none usable failed after the command's work; now its folder is a private temporary
    one, quietly (removed at exit), or the command stops at once with one line naming
    MPLCONFIGDIR."""
    from eegpt.synthetic import synthetic_erp_raw

    recording = tmp_path / "r_raw.fif"
    synthetic_erp_raw(3)[0].save(recording, verbose=False)
    (tmp_path / "file").write_text("")
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    env = {"HOME": str(tmp_path / "file" / "home"), "TMPDIR": str(tmp)}
    if temp == "none usable":
        env["NO_TEMP"] = "1"
    unset = ("MPLCONFIGDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
    plot = ["channels", str(recording), "--plot", str(tmp_path / "ch.png")]
    done = run_eegpt(plot, cwd, unset, **env)
    assert list(cwd.iterdir()) == [] and list(tmp.iterdir()) == []
    if temp == "writable":
        assert done.returncode == 0, done.stderr
        assert done.stderr == "" and (tmp_path / "ch.png").is_file()
    else:
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and "set MPLCONFIGDIR" in done.stderr, done.stderr


def test_compile_auto_does_not_start_where_its_cache_folder_cannot_be_written(
    tmp_path, monkeypatch, caplog
):
    """compile="auto" starts compiling after many windows on a GPU (a corpus run): where
    torch.compile's cache folder cannot be made (TORCHINDUCTOR_CACHE_DIR under a file, or no
    usable temporary folder), it says so once and runs on uncompiled instead of failing the
    run hours in; where it can, it compiles."""
    import logging
    import tempfile

    from eegpt._runtime import compile_cache_problem
    from eegpt.config import EEGPTConfig
    from eegpt.engine import InferenceEngine
    from eegpt.model import EEGPTEncoder

    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(blocker / "cache"))
    assert "cannot be made or written" in (compile_cache_problem() or "")
    monkeypatch.delenv("TORCHINDUCTOR_CACHE_DIR")
    monkeypatch.setattr(tempfile, "_candidate_tempdir_list", lambda: [str(blocker / "tmp")])
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert "no temporary folder can be written" in (compile_cache_problem() or "")

    engine = InferenceEngine(
        EEGPTEncoder(EEGPTConfig(embed_dim=16, depth=1, num_heads=2, embed_num=2)), device="cpu"
    )
    with caplog.at_level(logging.INFO, logger="eegpt"):
        assert not engine._may_compile_now() and engine._compile_refused
    assert "not compiling (torch.compile, compile='auto')" in caplog.text
    assert not engine.use_compile and engine.compile == "auto"

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert compile_cache_problem() is None
    assert InferenceEngine(engine.model, device="cpu")._may_compile_now()
