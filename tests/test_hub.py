"""Downloading and caching weights, against a local HTTP server that behaves like the Hub."""

from __future__ import annotations

import hashlib
import re
import shutil
import socket
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import torch

from eegpt import hub
from eegpt._tempfiles import host_tag
from eegpt.checkpoints import load_model
from eegpt.hub import (
    WEIGHTS_HELP,
    ChecksumError,
    DownloadError,
    WeightsUnavailableError,
    download,
    fetch_weights,
)

braindecode_models = pytest.importorskip("braindecode.models")

REPO = "braindecode/eegpt-pretrained"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class HubServer:
    """Serves ``files`` under ``/{repo}/resolve/main/`` like the Hugging Face Hub.

    Large files answer with a 302 to ``/cdn/...`` carrying ``X-Linked-Etag: "<sha256>"`` (as the
    Hub does for LFS files); small ones are served directly with a git-sha1-like ETag. Every
    request is counted. ``corrupt`` names files whose body is altered (headers unchanged) and
    ``drop`` files whose connection is closed halfway through the body. Under ``/bare/`` files
    are served without Content-Length and ETag, cut to ``cut[name]`` bytes where given; a
    query string is ignored (a signed URL's token).
    """

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.lfs: set[str] = set()
        self.corrupt: set[str] = set()
        self.drop: set[str] = set()
        self.requests: list[str] = []
        self.cut: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                server.requests.append(self.path)
                self.path = self.path.partition("?")[0]
                if self.path.startswith("/bare/"):
                    name = self.path[len("/bare/") :]
                    body = server.files[name][: server.cut.get(name)]
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(body)
                    self.close_connection = True
                    return None
                prefix = f"/{REPO}/resolve/main/"
                if self.path.startswith(prefix):
                    name = self.path[len(prefix) :]
                    if name not in server.files:
                        return self.send_error(404, "Entry not found")
                    if name in server.lfs:
                        self.send_response(302)
                        self.send_header("Location", f"/cdn/{name}")
                        self.send_header("X-Linked-Etag", f'"{sha(server.files[name])}"')
                        self.send_header("Content-Length", "0")
                        return self.end_headers()
                    etag = hashlib.sha1(server.files[name]).hexdigest()
                    return self.send_file(name, f'"{etag}"')
                if self.path.startswith("/cdn/"):
                    name = self.path[len("/cdn/") :]
                    return self.send_file(name, '"d41d8cd98f00b204e9800998ecf8427e"')
                if self.path.startswith(("/login/", "/page/")):  # a web page, not a file
                    page = b"<!DOCTYPE html>\n<html><body>Please log in</body></html>"
                    self.send_response(200)
                    kind = "text/html; charset=utf-8" if "login" in self.path else "text/plain"
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    return self.wfile.write(page)
                if self.path.startswith("/plain/"):
                    name = self.path[len("/plain/") :]
                    if name not in server.files:
                        return self.send_error(404)
                    return self.send_file(name, None)
                self.send_error(404)

            def send_file(self, name: str, etag: str | None) -> None:
                data = server.files[name]
                body = data
                if name in server.corrupt:
                    body = bytes([data[0] ^ 0xFF]) + data[1:]
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                if name in server.drop:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> HubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def pretrained_files(tmp_path_factory):
    """A real braindecode save_pretrained folder (small model) and its reference model."""
    torch.manual_seed(5)
    folder = tmp_path_factory.mktemp("pretrained")
    bd = braindecode_models.EEGPT(
        n_chans=6,
        n_times=512,
        patch_stride=64,
        embed_dim=64,
        depth=1,
        num_heads=4,
        chan_proj_type="none",
        return_encoder_output=True,
    ).eval()
    bd.save_pretrained(folder)
    files = {n: (folder / n).read_bytes() for n in ("config.json", "model.safetensors")}
    return files, bd


@pytest.fixture
def server(pretrained_files, monkeypatch, tmp_path):
    files, _ = pretrained_files
    with HubServer() as srv:
        srv.files.update(files)
        srv.lfs.add("model.safetensors")
        monkeypatch.setenv("HF_ENDPOINT", srv.url)
        monkeypatch.setenv("EEGPT_CACHE", str(tmp_path / "cache"))
        yield srv


def leftovers(folder: Path) -> list[str]:
    """The files under ``folder``, but the cache folders' lock files (``.<folder>.lock``, kept
    by design: an empty file whose flock the OS lets go)."""
    if not folder.exists():
        return []
    locks = {hub.lock_path(p) for p in folder.rglob("*") if p.is_dir()}
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and p not in locks)


def test_cache_dir_and_endpoint_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EEGPT_CACHE", str(tmp_path / "c"))
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.invalid/")
    assert hub.cache_dir() == tmp_path / "c"
    assert hub.hf_url(REPO, "config.json") == (
        f"http://mirror.invalid/{REPO}/resolve/main/config.json"
    )
    monkeypatch.delenv("EEGPT_CACHE")
    monkeypatch.delenv("HF_ENDPOINT")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert hub.cache_dir() == Path.home() / ".cache" / "eegpt"
    assert hub.hf_endpoint() == "https://huggingface.co"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # as most tools do
    assert hub.cache_dir() == tmp_path / "xdg" / "eegpt"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # invalid by the XDG specification
    assert hub.cache_dir() == Path.home() / ".cache" / "eegpt"


def test_xdg_cache_home_still_finds_the_weights_cached_in_home_before(
    server, tmp_path, monkeypatch, caplog
):
    """Setting $XDG_CACHE_HOME moved the cache; weights that ~/.cache/eegpt holds (cached by
    an older eegpt) and $XDG_CACHE_HOME/eegpt lacks are used from there, offline too,
    read only and said once at INFO; nothing is downloaded. Weights neither holds are
    downloaded into $XDG_CACHE_HOME/eegpt, which then wins."""
    import logging

    from eegpt.cli import main

    home, xdg = tmp_path / "home", tmp_path / "xdg"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("EEGPT_CACHE", str(home / ".cache" / "eegpt"))
    old = fetch_weights("eegpt-large", progress=False)  # as before $XDG_CACHE_HOME was followed
    url = f"{server.url}/plain/config.json?token=secret"
    old_url = fetch_weights(url, progress=False)
    n = len(server.requests)
    monkeypatch.delenv("EEGPT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    assert hub.cache_dir() == xdg / "eegpt"
    monkeypatch.setenv("EEGPT_OFFLINE", "1")
    with caplog.at_level(logging.INFO, logger="eegpt.hub"):
        assert fetch_weights("eegpt-large", progress=False) == old
        assert fetch_weights("eegpt-large", progress=False) == old
        assert fetch_weights(url, progress=False) == old_url
    said = [r.getMessage() for r in caplog.records if "cache of before" in r.getMessage()]
    assert len(said) == 2 and str(old) in said[0] and str(xdg / "eegpt") in said[0]
    assert load_model("eegpt-large", verbose=False).checkpoint_info["format"] == "braindecode"
    assert main(["fetch", "eegpt-large"]) == 0
    assert len(server.requests) == n and not xdg.exists()  # nothing written to either
    monkeypatch.delenv("EEGPT_OFFLINE")
    other = fetch_weights(f"{server.url}/plain/model.safetensors", progress=False)
    assert other.is_relative_to(xdg / "eegpt")  # in neither: downloaded into the new cache
    fetch_weights("eegpt-large", progress=False, force=True)  # --force: into the new cache
    assert fetch_weights("eegpt-large", progress=False) == xdg / "eegpt" / REPO / "main"


def _no_home() -> Path:
    raise RuntimeError("Could not determine home directory.")


def test_no_home_directory_is_a_user_error_naming_the_ways_out(monkeypatch, tmp_path, capsys):
    """A container user with no $HOME and no /etc/passwd entry (docker --user 12345): not an
    internal error, but one that names $EEGPT_CACHE, $XDG_CACHE_HOME and --weights PATH."""
    from eegpt.cli import main

    for name in ("EEGPT_CACHE", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(_no_home))
    with pytest.raises(WeightsUnavailableError, match="no home directory") as err:
        hub.cache_dir()
    assert "$EEGPT_CACHE" in str(err.value) and "--weights PATH" in str(err.value)
    assert "$XDG_CACHE_HOME" in str(err.value)
    monkeypatch.chdir(tmp_path)
    assert main(["fetch", "eegpt-large"]) == 1
    said = capsys.readouterr().err
    assert "internal error" not in said and "EEGPT_CACHE" in said and "--weights PATH" in said
    # the help block on lines of its own, as written: no literal "\n" (it was escaped)
    assert "\\n" not in said and f"/etc/passwd).\n{hub.CACHE_HELP}\n" in said, said
    monkeypatch.setenv("EEGPT_CACHE", str(tmp_path / "c"))  # the way out
    assert hub.cache_dir() == tmp_path / "c"


def test_a_cache_that_cannot_be_written_is_a_user_error_naming_the_ways_out(
    server, tmp_path, monkeypatch, capsys
):
    """A read-only home (or a file where the cache folder would be) and an empty cache: an
    error naming the folder, $EEGPT_CACHE and --weights PATH; nothing is downloaded."""
    from eegpt.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("EEGPT_CACHE", str(blocker / "eegpt"))
    with pytest.raises(WeightsUnavailableError, match="cannot download the weights into the"):
        fetch_weights("eegpt-large", progress=False)
    assert main(["fetch", "eegpt-large"]) == 1
    said = capsys.readouterr().err
    assert str(blocker / "eegpt") in said and "EEGPT_CACHE" in said and "--weights PATH" in said
    assert "internal error" not in said and not server.requests
    assert f"\n{hub.CACHE_HELP}\n" in said and "\\n" not in said, said
    # a folder's name from outside is still escaped: it cannot colour the terminal or forge a
    # line, though the help block after it keeps its line breaks
    odd = tmp_path / "odd\x1b[31m\nname"
    odd.write_text("")
    monkeypatch.setenv("EEGPT_CACHE", str(odd / "eegpt"))
    assert main(["fetch", "eegpt-large"]) == 1
    said = capsys.readouterr().err
    assert "\x1b" not in said and "odd\\x1b[31m\\nname" in said, said
    assert f"\n{hub.CACHE_HELP}\n" in said, said


def test_fetch_pretrained_then_cached(server, pretrained_files, tmp_path):
    files, bd = pretrained_files
    folder = fetch_weights("eegpt-large", progress=False)
    assert folder == tmp_path / "cache" / REPO / "main"
    assert leftovers(folder) == ["config.json", "model.safetensors"]
    assert (folder / "model.safetensors").read_bytes() == files["model.safetensors"]
    assert any(r.startswith("/cdn/") for r in server.requests)  # the redirect was followed

    n_requests = len(server.requests)
    model = load_model("eegpt-large", verbose=False)
    assert len(server.requests) == n_requests  # served from the cache, no network
    assert model.checkpoint_info["format"] == "braindecode"
    assert model.checkpoint_info["sha256"] == sha(files["model.safetensors"])
    # fetched by name: a probe trained on it finds it again by that name on another machine
    assert model.checkpoint_info["pretrained_name"] == "eegpt-large"
    assert "pretrained_name" not in load_model(folder, verbose=False).checkpoint_info
    x = torch.randn(2, 6, 512)
    with torch.no_grad():
        ref = bd(x)
        assert ((model(x) - ref).abs().max() / ref.abs().max()).item() <= 1e-5

    assert fetch_weights("eegpt-large", progress=False) == folder
    assert len(server.requests) == n_requests
    fetch_weights("eegpt-large", force=True, progress=False)
    assert len(server.requests) > n_requests


def test_fetch_and_convert_quiet_say_warnings_and_errors_only(
    server, pretrained_files, tmp_path, capsys
):
    """eegpt fetch -q and eegpt convert -q, as every command's -q: no download progress bar or
    note, no path or 'wrote' line (warnings and errors only); both took no -q."""
    from eegpt.cli import main

    assert main(["fetch", "eegpt-large"]) == 0
    loud = capsys.readouterr()
    folder = tmp_path / "cache" / REPO / "main"
    assert loud.out.strip() == str(folder) and "model.safetensors" in loud.err
    assert main(["fetch", "eegpt-large", "--force", "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["convert", "eegpt-large", str(tmp_path / "loud")]) == 0
    assert capsys.readouterr().out.startswith("wrote ")
    assert main(["convert", "eegpt-large", str(tmp_path / "quiet"), "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    assert (tmp_path / "quiet" / "config.json").is_file()
    shutil.rmtree(folder)  # downloaded again by convert -q: quietly too
    assert main(["convert", "eegpt-large", str(tmp_path / "again"), "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    assert (folder / "model.safetensors").is_file()


def test_corrupt_download_is_rejected_and_removed(server, pretrained_files, tmp_path):
    files, _ = pretrained_files
    server.corrupt.add("model.safetensors")
    with pytest.raises(ChecksumError) as err:
        fetch_weights("eegpt-large", progress=False)
    good = sha(files["model.safetensors"])
    body = bytes([files["model.safetensors"][0] ^ 0xFF]) + files["model.safetensors"][1:]
    assert good in str(err.value) and sha(body) in str(err.value)
    folder = tmp_path / "cache" / REPO / "main"
    assert leftovers(folder) == ["config.json"]  # no model.safetensors, no .part


def test_connection_dropped_mid_body(server, tmp_path):
    server.drop.add("model.safetensors")
    with pytest.raises(WeightsUnavailableError, match="closed after"):
        fetch_weights("eegpt-large", progress=False)
    assert leftovers(tmp_path / "cache" / REPO / "main") == ["config.json"]
    # the low-level function raises the transfer error itself
    dest = tmp_path / "direct" / "model.safetensors"
    with pytest.raises(DownloadError):
        download(f"{server.url}/cdn/model.safetensors", dest, progress=False)
    assert leftovers(tmp_path / "direct") == []


def test_unreachable_endpoint_explains_how_to_get_weights(monkeypatch, tmp_path):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("EEGPT_CACHE", str(tmp_path / "cache"))
    with pytest.raises(WeightsUnavailableError) as err:
        fetch_weights("eegpt-large", progress=False)
    message = str(err.value)
    assert WEIGHTS_HELP in message
    for needle in (
        "https://huggingface.co/braindecode/eegpt-pretrained",
        "config.json and model.safetensors",
        "eegpt_mcae_58chs_4s_large4E.ckpt",
        "github.com/BINE022/EEGPT",
        "--weights PATH",
        "eegpt.load_model(PATH)",
        "EEGPT_CACHE",
        "HF_ENDPOINT",
    ):
        assert needle in message
    assert leftovers(tmp_path / "cache") == []
    with pytest.raises(WeightsUnavailableError):
        load_model("eegpt-large", verbose=False)


def test_http_error_is_unavailable(server):
    server.files.pop("config.json")
    with pytest.raises(WeightsUnavailableError, match="404"):
        fetch_weights("eegpt-large", progress=False)


def everything(folder: Path) -> list[str]:
    """Every path under ``folder`` (folders and lock files included), relative to it."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_failed_fetch_leaves_the_cache_as_it_was_and_a_later_one_works(
    server, pretrained_files, tmp_path
):
    """`eegpt fetch eegpt-large` that fails (HTTP 404, a connection dropped, no server) made
    the cache's folders and lock file and left them, empty: it now removes what it made, and
    nothing that was there before; a later fetch downloads into the cache as usual."""
    from eegpt.cli import main

    files, _ = pretrained_files
    cache = tmp_path / "fresh"  # --cache-dir, not there yet
    server.files.pop("config.json")  # 404
    assert main(["fetch", "eegpt-large", "--cache-dir", str(cache), "-q"]) == 1
    assert not cache.exists()
    server.files["config.json"] = files["config.json"]
    kept = tmp_path / "kept"  # a cache holding other weights, and an empty folder
    (kept / "urls" / "abc").mkdir(parents=True)
    (kept / "urls" / "abc" / "w.safetensors").write_bytes(b"weights")
    (kept / "braindecode").mkdir()
    before = everything(kept)
    server.drop.add("config.json")  # the connection closed halfway through
    with pytest.raises(WeightsUnavailableError, match="closed after"):
        fetch_weights("eegpt-large", cache_dir=kept, progress=False)
    assert everything(kept) == before
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(WeightsUnavailableError):
        fetch_weights(f"http://127.0.0.1:{port}/w.safetensors", cache_dir=kept, progress=False)
    assert everything(kept) == before
    server.drop.clear()
    for root in (cache, kept):
        folder = fetch_weights("eegpt-large", cache_dir=root, progress=False)
        assert folder == root / REPO / "main"
        assert (folder / "model.safetensors").read_bytes() == files["model.safetensors"]
    assert hub.lock_path(folder).exists()  # kept after a fetch that worked


def test_a_fetch_whose_weights_failed_after_config_json_leaves_no_model(
    server, pretrained_files, tmp_path, monkeypatch
):
    """A fetch whose weights file failed (HTTP 404, a connection dropped) after config.json
    was downloaded keeps config.json (a whole file, not downloaded again), but nothing takes
    that folder for weights: the cache does not find them, loading the name offline or the
    folder says the weights file is missing, and a later fetch downloads it."""
    from eegpt.checkpoints import CheckpointError
    from eegpt.cli import main

    files, _ = pretrained_files
    folder = tmp_path / "cache" / REPO / "main"
    weights = server.files.pop("model.safetensors")  # 404
    assert main(["fetch", "eegpt-large", "-q"]) == 1
    server.files["model.safetensors"] = weights
    server.drop.add("model.safetensors")  # then the connection closed halfway through
    with pytest.raises(WeightsUnavailableError, match="closed after"):
        fetch_weights("eegpt-large", progress=False)
    assert leftovers(tmp_path / "cache") == ["config.json"]
    assert hub.cached_weights("eegpt-large") is None
    with pytest.raises(CheckpointError, match="has config.json but no weights"):
        load_model(folder, verbose=False)
    monkeypatch.setenv("EEGPT_OFFLINE", "1")
    with pytest.raises(WeightsUnavailableError, match="model.safetensors missing from"):
        load_model("eegpt-large", verbose=False)
    monkeypatch.delenv("EEGPT_OFFLINE")
    server.drop.clear()
    before = len(server.requests)
    assert fetch_weights("eegpt-large", progress=False) == folder
    assert not any("config.json" in r for r in server.requests[before:])  # kept, not fetched
    assert (folder / "model.safetensors").read_bytes() == files["model.safetensors"]
    assert hub.cached_weights("eegpt-large") == folder


def test_a_fetch_waiting_on_a_lock_file_a_failed_fetch_removed_locks_the_new_one(
    tmp_path, monkeypatch
):
    """A fetch that fails removes the lock file it made, while holding its lock: a fetch
    that waited on that file (now unlinked) must not go on as though it held the folder's
    lock, which a third fetch would then take too, on the file made again at its path."""
    from eegpt.errors import OutputInUseError

    folder = tmp_path / "cache" / "repo" / "main"
    folder.mkdir(parents=True)
    lock = hub.lock_path(folder)
    waiting, locked, done = threading.Event(), threading.Event(), threading.Event()
    real_log = hub.log

    def log(text, *args):
        if "waiting for another process" in text:
            waiting.set()
        return real_log(text, *args)

    monkeypatch.setattr(hub, "log", log)

    def second() -> None:
        with hub._cache_lock(folder, progress=False):
            locked.set()
            assert done.wait(20)

    thread = threading.Thread(target=second)
    with hub._cache_lock(folder, progress=False):
        thread.start()
        assert waiting.wait(20), "the second fetch did not wait for the first"
        hub._undo_failed_fetch(folder, [], True)  # its lock held (by this fetch): file stays
        assert lock.exists()
        lock.unlink()  # removed while locked, as _undo_failed_fetch does once it holds it
    try:
        assert locked.wait(20)
        assert lock.exists()  # the second made it again, and holds its lock
        monkeypatch.setenv("EEGPT_FETCH_WAIT", "0")
        with pytest.raises(OutputInUseError):  # a third fetch waits for the second
            with hub._cache_lock(folder, progress=False):
                pass
    finally:
        done.set()
        thread.join(20)


def test_a_failed_fetch_leaves_the_folders_of_a_fetch_holding_the_lock(tmp_path):
    """A fetch that failed and let go of the folder's lock may find another fetch (one that
    waited on it) holding it, about to download into the folder it made, still empty: the
    failed fetch removes nothing then, neither the lock file nor the folder, whose removal
    would make the other's download fail (its private file written into no folder)."""
    fcntl = pytest.importorskip("fcntl")
    folder = tmp_path / "cache" / "repo" / "main"
    made = hub._absent_folders(folder)
    assert made[0] == folder
    hub._writable_cache(folder)  # what the failed fetch made: folders and lock file
    lock = hub.lock_path(folder)
    with open(lock, "a+b") as other:  # another fetch's lock (flock: per open file)
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        hub._undo_failed_fetch(folder, made, lock_made=True)
        assert folder.is_dir() and lock.exists()
    hub._undo_failed_fetch(folder, made, lock_made=True)  # nobody holds it: all removed
    assert not (tmp_path / "cache").exists()


def test_a_failed_fetch_removes_its_lock_file_beside_a_folder_it_keeps(tmp_path):
    """A fetch that failed after one file was downloaded whole keeps the folder it made (and
    the folders above it), but removes the lock file it made, as the module says: only the
    whole files stay."""
    folder = tmp_path / "cache" / "repo" / "main"
    made = hub._absent_folders(folder)
    hub._writable_cache(folder)  # what the failed fetch made: folders and lock file
    (folder / "config.json").write_text("{}")  # downloaded whole before the failure
    hub._undo_failed_fetch(folder, made, lock_made=True)
    assert (folder / "config.json").is_file()
    assert not hub.lock_path(folder).exists()
    hub._writable_cache(tmp_path / "cache" / "repo" / "other")  # a lock file it did not make
    hub._undo_failed_fetch(tmp_path / "cache" / "repo" / "other", [], lock_made=False)
    assert hub.lock_path(tmp_path / "cache" / "repo" / "other").exists()


def test_url_download_with_explicit_sha256(server, pretrained_files, tmp_path):
    files, _ = pretrained_files
    data = files["model.safetensors"]
    url = f"{server.url}/plain/model.safetensors"
    with pytest.raises(ChecksumError, match=sha(data)):
        fetch_weights(url, sha256="0" * 64, progress=False)
    path = fetch_weights(url, sha256=sha(data).upper(), progress=False)
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    assert path == tmp_path / "cache" / "urls" / key / "model.safetensors"
    assert path.read_bytes() == data
    assert leftovers(path.parent) == ["model.safetensors"]
    n_requests = len(server.requests)
    assert fetch_weights(url, sha256=sha(data), progress=False) == path
    assert len(server.requests) == n_requests
    # a cached file that does not match the expected hash is downloaded again
    path.write_bytes(b"stale")
    fetch_weights(url, sha256=sha(data), progress=False)
    assert path.read_bytes() == data and len(server.requests) == n_requests + 1
    # a bare file URL loads as a state dict
    model = load_model(url, verbose=False)
    assert model.checkpoint_info["format"] == "state_dict"


def test_download_progress_bar_and_bad_arguments(server, pretrained_files, tmp_path, capsys):
    files, _ = pretrained_files
    dest = download(f"{server.url}/plain/config.json", tmp_path / "c.json", progress=True)
    assert dest.read_bytes() == files["config.json"]
    # one line before the connection, which may wait in silence
    said = f"downloading {server.url}/plain/config.json to {dest} (timeout 60 s)\n"
    assert said in capsys.readouterr().err
    from eegpt.cli import main

    assert main(["fetch", f"{server.url}/plain/config.json"]) == 0  # without --verbose too
    assert "downloading " in capsys.readouterr().err
    with pytest.raises(ValueError, match="64 hexadecimal"):
        download(f"{server.url}/plain/config.json", tmp_path / "x", sha256="abc")
    with pytest.raises(ValueError, match="unknown pretrained weights"):
        fetch_weights("eegpt-huge")
    # a web page (a login page) is not cached as the weights
    with pytest.raises(DownloadError, match=r"answered with a web page \(Content-Type text/html"):
        download(f"{server.url}/login/model.safetensors", tmp_path / "m.safetensors")
    with pytest.raises(DownloadError, match=r"answered with a web page \(HTML\)"):  # mislabelled
        download(f"{server.url}/page/model.safetensors", tmp_path / "m.safetensors")
    assert not list(tmp_path.glob("m.safetensors*"))
    # partial downloads left by a killed process are removed once stale; fresh ones stay
    import os
    import time

    stale, fresh = tmp_path / ".c2.json.ab12.part", tmp_path / ".c2.json.cd34.part"
    stale.write_bytes(b"x" * 10)
    fresh.write_bytes(b"y")
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))
    download(f"{server.url}/plain/config.json", tmp_path / "c2.json")
    assert not stale.exists() and fresh.exists()


def test_a_download_removes_the_parts_of_killed_processes_of_this_host(
    server, tmp_path, monkeypatch
):
    """A part names its writer (machine, PID): the next download of the file removes at once
    those of this machine whose process is gone (a SIGKILL mid-download leaves them), keeping
    those of a live process however old (a download in progress, or a stopped one), of
    another machine (a shared cache) and of the old naming (the 24 h rule removes those)."""
    import os
    import subprocess
    import sys
    import time

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its PID is now no process's
    host = host_tag()  # this machine as the names of partial downloads give it
    assert re.fullmatch(r"[A-Za-z0-9-]+-id[0-9a-f]{12}", host)
    dead = tmp_path / f".c.json.{host}.{gone.pid}.ab12cd34.part"
    live = tmp_path / f".c.json.{host}.{os.getpid()}.ef56gh78.part"
    other_host = tmp_path / f".c.json.another-host.{gone.pid}.ij90kl12.part"
    old_naming = tmp_path / ".c.json.mn34op56.part"
    old_live = tmp_path / f".c.json.{host}.{os.getpid()}.qr78st90.part"  # untouched for days
    old_other = tmp_path / f".c.json.another-host.{gone.pid}.uv12wx34.part"
    for part in (dead, live, other_host, old_naming, old_live, old_other):
        part.write_bytes(b"x" * 1024)
    long_ago = time.time() - 2 * hub.STALE_PART_S
    for part in (old_live, old_other):
        os.utime(part, (long_ago, long_ago))
    made = []
    beside = hub.temporary_beside

    def recorded(*args, **kwargs):
        made.append(beside(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(hub, "temporary_beside", recorded)
    download(f"{server.url}/plain/config.json", tmp_path / "c.json", progress=False)
    assert not dead.exists() and not old_other.exists()  # the 24 h rule, for other machines
    assert live.exists() and old_live.exists()  # a running writer's, however old
    assert other_host.exists() and old_naming.exists()
    # its own part was named for this process, and renamed into place
    assert re.fullmatch(rf"\.c\.json\.{re.escape(host)}\.{os.getpid()}\.\w+\.part", made[0][1].name)
    assert not made[0][1].exists() and (tmp_path / "c.json").exists()


def test_machines_of_one_name_are_told_apart_by_their_boot_id(tmp_path, monkeypatch):
    """Two machines named alike ("vm") sharing a network folder: the tag hashes the boot id
    (and PID namespace), which differs, so neither takes the other's live PIDs for its own
    gone ones. A fresh part of the other machine, or of this one before a reboot, or of the
    old naming (`<host>-ns<PID namespace inode>`, the same on every Linux machine) is kept,
    whatever its PID, until the 24 h rule; without any machine id, nothing passes for this
    machine's."""
    import os
    import subprocess
    import sys

    from eegpt import _tempfiles

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    monkeypatch.setattr(_tempfiles.socket, "gethostname", lambda: "vm")
    monkeypatch.setattr(_tempfiles, "_machine_id", lambda: "boot-a:4026531836")
    here = _tempfiles.host_tag()
    monkeypatch.setattr(_tempfiles, "_machine_id", lambda: "boot-b:4026531836")
    there = _tempfiles.host_tag()
    assert here != there and here.startswith("vm-id") and there.startswith("vm-id")
    dest = tmp_path / "c.json"
    ns = os.stat("/proc/self/ns/pid").st_ino if os.path.exists("/proc/self/ns/pid") else 1
    others = [
        tmp_path / f".c.json.{here}.{gone.pid}.ab12cd34.part",  # the other machine's, or boot's
        tmp_path / f".c.json.vm-ns{ns}.{gone.pid}.ef56gh78.part",  # the old naming
        tmp_path / f".c.json.vm.{gone.pid}.ij90kl12.part",  # no machine id
    ]
    mine = tmp_path / f".c.json.{there}.{gone.pid}.mn34op56.part"
    for part in (*others, mine):
        part.write_bytes(b"x")
    assert _tempfiles.remove_stale(dest, ".part") == [mine]
    assert all(part.exists() for part in others)
    monkeypatch.setattr(_tempfiles, "_machine_id", lambda: None)  # none to read
    assert _tempfiles.host_tag() == "vm"
    assert _tempfiles.remove_stale(dest, ".part") == [] and all(p.exists() for p in others)
    monkeypatch.undo()
    assert _tempfiles._machine_id() is not None  # Linux: /proc/sys/kernel/random/boot_id


def test_an_existing_folder_wins_over_a_pretrained_name(tmp_path, monkeypatch, capsys):
    """'eegpt convert CKPT eegpt-large/' then '--weights eegpt-large': the folder, offline."""
    from eegpt import EEGPT, EEGPTConfig
    from eegpt.checkpoints import save_checkpoint

    torch.manual_seed(0)
    model = EEGPT(EEGPTConfig(embed_dim=16, depth=1, num_heads=2, embed_num=2)).eval()
    monkeypatch.chdir(tmp_path)
    save_checkpoint(model, "eegpt-large")

    def no_download(*args, **kwargs):
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(hub, "fetch_weights", no_download)
    loaded = load_model("eegpt-large", verbose=True)
    assert loaded.config.embed_dim == 16
    assert (  # which one is used, and how to get the other
        f"'eegpt-large': using the local folder {tmp_path / 'eegpt-large'}, not the pretrained "
        "weights of that name" in capsys.readouterr().err
    )
    shutil.rmtree("eegpt-large")  # no such folder: the name is downloaded
    with pytest.raises(AssertionError, match="download"):
        load_model("eegpt-large")


def test_info_and_convert_take_names_and_urls_and_an_unpinned_download_gives_its_hash(
    server, pretrained_files, tmp_path, capsys, caplog
):
    """`eegpt info` / `eegpt convert` take the weights as --weights does (a pretrained name,
    a URL); a download without a known SHA-256 says so and prints its hash to pin it."""
    import logging

    from eegpt.cli import main

    files, _ = pretrained_files
    assert main(["info", "eegpt-large"]) == 0
    assert sha(files["model.safetensors"])[:12] in capsys.readouterr().out.lower()
    url = f"{server.url}/plain/model.safetensors"
    with caplog.at_level(logging.WARNING, logger="eegpt"):
        assert main(["convert", url, str(tmp_path / "converted")]) == 0
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "download is unverified" in warned and sha(files["model.safetensors"]) in warned
    assert "eegpt fetch URL --sha256 HASH" in warned
    assert (tmp_path / "converted" / "config.json").is_file()


def test_download_timeout_from_environment(server, tmp_path, monkeypatch, capsys):
    """$EEGPT_DOWNLOAD_TIMEOUT sets a download's timeout (60 s without it); anything but a
    number of seconds above 0 is refused with what it should be, before any connection."""
    url = f"{server.url}/plain/config.json"
    monkeypatch.setenv("EEGPT_DOWNLOAD_TIMEOUT", "300")
    opened = []
    real_open = hub.urllib.request.OpenerDirector.open

    def open_(self, request, data=None, timeout=None):
        opened.append(timeout)
        return real_open(self, request, data, timeout)

    monkeypatch.setattr(hub.urllib.request.OpenerDirector, "open", open_)
    download(url, tmp_path / "a.json", progress=False)
    assert opened == [300.0]
    download(url, tmp_path / "b.json", progress=False, timeout=5)  # an argument wins
    assert opened[-1] == 5
    monkeypatch.setenv("EEGPT_DOWNLOAD_TIMEOUT", "")
    assert hub.download_timeout() == 60
    for wrong in ("1m", "0", "-5", "nan", "inf"):
        monkeypatch.setenv("EEGPT_DOWNLOAD_TIMEOUT", wrong)
        with pytest.raises(ValueError, match=rf"EEGPT_DOWNLOAD_TIMEOUT is '{wrong}': .*seconds"):
            download(url, tmp_path / "c.json")
    assert len(opened) == 2 and not (tmp_path / "c.json").exists()
    from eegpt.cli import main

    assert main(["fetch", url]) == 1
    err = capsys.readouterr().err
    assert "EEGPT_DOWNLOAD_TIMEOUT is 'inf'" in err and "internal error" not in err


def test_offline_says_so_first_and_what_to_do_without_a_network(monkeypatch, tmp_path, capsys):
    from eegpt.cli import main

    class Offline:
        def open(self, *args, **kwargs):
            reason = socket.gaierror(-3, "Temporary failure in name resolution")
            raise urllib.error.URLError(reason)

    monkeypatch.setattr(urllib.request, "build_opener", lambda *handlers: Offline())
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    monkeypatch.setenv("EEGPT_CACHE", str(tmp_path / "cache"))
    assert main(["fetch", "eegpt-large"]) == 1
    err = capsys.readouterr().err
    err = err[err.index("eegpt: error:") :]  # after the line naming the download
    assert err.startswith(
        "eegpt: error: could not reach huggingface.co: no network connection or name "
        "resolution failed"
    )
    assert "Without a network here" in err
    assert err.index("--weights PATH") < err.index("--weights eegpt-large")
    assert leftovers(tmp_path / "cache") == []


@pytest.mark.parametrize("name", ["EEGPT-large", "eegpt_large", " Eegpt_Large"])
def test_pretrained_names_in_any_case_and_with_underscores(server, tmp_path, name):
    from eegpt.checkpoints import resolve_weights

    assert fetch_weights(name, progress=False) == tmp_path / "cache" / REPO / "main"
    assert resolve_weights(name, progress=False) == tmp_path / "cache" / REPO / "main"


def test_url_credentials_and_tokens_are_not_shown(server, pretrained_files, tmp_path, capsys,
                                                  caplog, monkeypatch):  # fmt: skip
    """A weights URL's query string (a signed URL's token) is shown as ``?...`` in every line
    and message about its download (the progress line, the unverified-hash warning, HTTP and
    connection errors); a URL carrying credentials (user:password@) is refused, saying how to
    pass them, without showing them."""
    import logging

    from eegpt.cli import main

    url = f"{server.url}/plain/model.safetensors?token=TOKSECRET&X-Amz-Signature=SIGSECRET"
    with caplog.at_level(logging.INFO, logger="eegpt"):
        assert main(["fetch", url]) == 0
        server.files.pop("config.json")
        assert main(["fetch", f"{server.url}/plain/config.json?token=TOKSECRET"]) == 1
    said = capsys.readouterr().err + " ".join(r.getMessage() for r in caplog.records)
    assert f"downloading {server.url}/plain/model.safetensors?... to" in said
    assert f"no SHA-256 known for {server.url}/plain/model.safetensors?..." in said
    assert f"weights from {server.url}/plain/config.json?...: HTTP error 404" in said
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(WeightsUnavailableError) as err:
        fetch_weights(f"http://127.0.0.1:{port}/w.safetensors?token=TOKSECRET", progress=False)
    assert f"could not reach 127.0.0.1:{port}: " in str(err.value)
    said += str(err.value)
    for secret in (f"http://alice:S3CRETPW@127.0.0.1:{port}/ok/model.safetensors?token=TOKSECRET",
                   f"http://S3CRETPW@127.0.0.1:{port}/ok/model.safetensors"):  # fmt: skip
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="eegpt"):
            assert main(["info", secret]) == 1
        out = capsys.readouterr()
        said += out.err + out.out + " ".join(r.getMessage() for r in caplog.records)
        assert f"error: http://***@127.0.0.1:{port}/ok/model.safetensors" in out.err
        assert "credentials in a URL (user:password@host) are not supported" in out.err
        assert "curl --netrc" in out.err
    monkeypatch.setenv("HF_ENDPOINT", f"http://alice:S3CRETPW@127.0.0.1:{port}")
    with pytest.raises(ValueError, match=r"http://\*\*\*@127.0.0.1:\d+/braindecode") as err:
        fetch_weights("eegpt-large", progress=False)
    said += str(err.value)
    for secret in ("TOKSECRET", "SIGSECRET", "S3CRETPW", "alice"):
        assert secret not in said


def test_a_redirect_from_https_to_plain_http_is_refused():
    """A redirect that would take a download from https to plain http is refused, naming
    both addresses without their secrets; https to https is followed."""
    from email.message import Message

    recorder = hub._RedirectRecorder()
    request = urllib.request.Request("https://hub.example/w.safetensors?token=TOKSECRET")
    with pytest.raises(DownloadError, match=r"https://hub.example/w.safetensors\?\.\.\. "
                       r"redirected to http://cdn.example/w\?\.\.\., from https to http, which "
                       r"is neither encrypted nor authenticated: refused"):  # fmt: skip
        recorder.redirect_request(
            request, None, 302, "Found", Message(), "http://cdn.example/w?s=1"
        )
    followed = recorder.redirect_request(
        request, None, 302, "Found", Message(), "https://cdn.example/w"
    )
    assert followed.full_url == "https://cdn.example/w"


def test_plain_http_to_another_machine_is_warned_of(tmp_path, monkeypatch, caplog):
    """A download from another machine over plain http (an explicit mirror) is allowed, with
    a warning that it is neither encrypted nor authenticated; none for this machine."""
    import logging

    def unreachable(self, request, data=None, timeout=None):
        raise urllib.error.URLError(ConnectionRefusedError())

    monkeypatch.setattr(hub.urllib.request.OpenerDirector, "open", unreachable)
    with caplog.at_level(logging.WARNING, logger="eegpt"):
        for url in ("http://mirror.example/w.safetensors?t=SECRET", "http://127.0.0.1:9/w"):
            with pytest.raises(urllib.error.URLError):
                download(url, tmp_path / "w.safetensors", progress=False)
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 1
    assert warned[0].startswith("http://mirror.example/w.safetensors?... is plain HTTP: the "
                                "download is neither encrypted nor authenticated")  # fmt: skip


@pytest.mark.parametrize("kind", ["safetensors", "zip"])
def test_a_truncated_download_without_length_or_hash_is_refused(server, pretrained_files,
                                                                tmp_path, kind):  # fmt: skip
    """A download that neither a SHA-256 nor a Content-Length can check (no ETag, no length)
    and that was cut short is refused by its own structure (a safetensors header's tensor
    offsets, a zip archive's end record) and not cached; the whole file is taken."""
    files, _ = pretrained_files
    name = "model.safetensors" if kind == "safetensors" else "weights.pt"
    if kind == "zip":
        torch.save({"w": torch.zeros(300)}, tmp_path / name)
        server.files[name] = (tmp_path / name).read_bytes()
    data = server.files[name]
    server.cut[name] = len(data) - 100
    url = f"{server.url}/bare/{name}"
    with pytest.raises(WeightsUnavailableError, match=rf"the download of {re.escape(url)} is "
                       r"incomplete: .*; it was deleted: try again"):  # fmt: skip
        fetch_weights(url, progress=False)
    assert leftovers(tmp_path / "cache") == []
    del server.cut[name]
    assert fetch_weights(url, progress=False).read_bytes() == data


@pytest.mark.parametrize("switch", ["EEGPT_OFFLINE", "HF_HUB_OFFLINE"])
def test_offline_uses_the_cache_only_and_never_connects(server, tmp_path, monkeypatch, switch):
    """$EEGPT_OFFLINE=1 (or the Hugging Face tools' $HF_HUB_OFFLINE=1): an empty or partial
    cache is an error naming what is missing and how to place it, without opening any
    connection (behind a firewall that drops packets, it would wait the download timeout);
    a filled cache works."""
    from eegpt.cli import main

    def no_network(*args, **kwargs):
        raise AssertionError("a connection was opened in offline mode")

    folder = tmp_path / "cache" / REPO / "main"
    monkeypatch.setenv(switch, "1")
    with monkeypatch.context() as m:
        m.setattr(socket, "create_connection", no_network)
        m.setattr(urllib.request, "urlopen", no_network)
        m.setattr(urllib.request.OpenerDirector, "open", no_network)
        with pytest.raises(WeightsUnavailableError, match=f"\\${switch} is set") as err:
            fetch_weights("eegpt-large", progress=False)
        said = str(err.value)
        assert "config.json, model.safetensors missing from" in said and str(folder) in said
        assert "--weights PATH" in said and "eegpt fetch eegpt-large" in said
        with pytest.raises(WeightsUnavailableError, match="not in the cache"):
            load_model("eegpt-large", verbose=False)
        with pytest.raises(WeightsUnavailableError, match="not in the cache"):
            fetch_weights(f"{server.url}/plain/config.json", progress=False)
        assert main(["fetch"]) == 1
    assert not server.requests and not (tmp_path / "cache").exists()
    monkeypatch.delenv(switch)
    fetch_weights("eegpt-large", progress=False)  # online: fills the cache
    n = len(server.requests)
    monkeypatch.setenv(switch, "true")
    with monkeypatch.context() as m:
        m.setattr(socket, "create_connection", no_network)
        m.setattr(urllib.request.OpenerDirector, "open", no_network)
        assert fetch_weights("eegpt-large", progress=False) == folder
        assert load_model("eegpt-large", verbose=False).checkpoint_info["format"] == "braindecode"
        (folder / "config.json").unlink()  # a partial cache: the file named
        with pytest.raises(WeightsUnavailableError, match=r": config\.json missing from"):
            fetch_weights("eegpt-large", progress=False)
        with pytest.raises(WeightsUnavailableError, match="--force"):
            fetch_weights("eegpt-large", progress=False, force=True)
    assert len(server.requests) == n


@pytest.mark.parametrize("switch", ["EEGPT_OFFLINE", "HF_HUB_OFFLINE"])
def test_offline_download_a_damaged_cache_and_a_signed_url_are_said_truly(
    server, pretrained_files, tmp_path, monkeypatch, switch
):
    """Offline, eegpt.hub.download() opens no connection either (the same error); a cached
    file whose SHA-256 does not match is said to be there but not to match, not missing;
    and for a signed URL the error does not suggest `eegpt fetch` with its query string cut
    (which would not work), nor print its token."""
    files, _ = pretrained_files
    monkeypatch.setenv(switch, "yes")
    with pytest.raises(WeightsUnavailableError, match=rf"\${switch} is set \(offline\)"):
        download(f"{server.url}/plain/config.json", tmp_path / "c.json", progress=False)
    assert not server.requests and not (tmp_path / "c.json").exists()
    folder = tmp_path / "cache" / REPO / "main"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(WeightsUnavailableError) as err:
        fetch_weights("eegpt-large", sha256=sha(files["model.safetensors"]), progress=False)
    said = str(err.value)
    assert f"config.json missing from {folder}" in said
    assert (
        f"model.safetensors present in {folder} but its SHA-256 does not match (damaged or a "
        "different file)" in said
    )
    assert "model.safetensors missing" not in said
    signed = f"{server.url}/plain/config.json?token=s3cret"
    with pytest.raises(WeightsUnavailableError, match="not in the cache") as err:
        fetch_weights(signed, progress=False)
    said = str(err.value)
    assert "s3cret" not in said and "--weights PATH" in said
    assert f"eegpt fetch {server.url}" not in said  # the URL without its token: useless
    assert "eegpt fetch 'URL' (the whole URL, with its query string)" in said
    assert not server.requests


def test_two_fetches_of_one_model_download_it_once(server, pretrained_files, tmp_path, monkeypatch):
    """Two processes (here threads, each with its own lock file handle, as flock sees two
    processes) fetching one model into one cache: the second waits for the first's lock,
    then uses the files it downloaded: each file is requested once."""
    files, _ = pretrained_files
    started, release, waiting = threading.Event(), threading.Event(), threading.Event()
    real_download, real_log = hub.download, hub.log

    def held_download(*args, **kwargs):
        started.set()
        assert release.wait(20)
        return real_download(*args, **kwargs)

    def log(text, *args):
        if "waiting for another process" in text:
            waiting.set()
        return real_log(text, *args)

    monkeypatch.setattr(hub, "download", held_download)
    monkeypatch.setattr(hub, "log", log)
    folders: list[Path] = []

    def fetch():
        folders.append(fetch_weights("eegpt-large", progress=False))

    first = threading.Thread(target=fetch)
    first.start()
    assert started.wait(20)  # the first is downloading, holding the lock
    second = threading.Thread(target=fetch)
    second.start()
    try:
        assert waiting.wait(20), "the second fetch did not wait for the first"
    finally:
        release.set()
        first.join(20)
        second.join(20)
    folder = tmp_path / "cache" / REPO / "main"
    assert folders == [folder, folder]
    resolved = [r for r in server.requests if "/resolve/" in r]
    assert sorted(resolved) == sorted(f"/{REPO}/resolve/main/{n}" for n in files)
    assert (folder / "model.safetensors").read_bytes() == files["model.safetensors"]


def test_a_fetch_lock_of_a_killed_process_does_not_block_and_a_live_one_times_out(
    server, tmp_path, monkeypatch
):
    """The lock is a flock: a process killed while downloading (kill -9) leaves its lock file,
    which blocks nobody; a live holder is waited for $EEGPT_FETCH_WAIT seconds, then an
    OutputInUseError (the CLI's exit status 75: try again later)."""
    import fcntl
    import subprocess
    import sys
    import time

    from eegpt.cli import main
    from eegpt.errors import OutputInUseError

    folder = tmp_path / "cache" / REPO / "main"
    folder.mkdir(parents=True)
    lock = hub.lock_path(folder)
    code = (
        "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
        "print('locked', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(lock)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()  # SIGKILL while holding the lock
    holder.wait()
    holder.stdout.close()
    assert lock.exists()
    t0 = time.monotonic()
    assert fetch_weights("eegpt-large", progress=False) == folder
    assert time.monotonic() - t0 < 10
    monkeypatch.setenv("EEGPT_FETCH_WAIT", "0.3")
    with open(lock, "a") as fh:  # a live process holds it
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        with pytest.raises(OutputInUseError, match=r"EEGPT_FETCH_WAIT"):
            fetch_weights("eegpt-large", progress=False, force=True)
        monkeypatch.setenv("EEGPT_FETCH_WAIT", "0")  # do not wait: at once
        assert main(["fetch", "--force"]) == 75  # EX_TEMPFAIL: try again later
    monkeypatch.setenv("EEGPT_FETCH_WAIT", "soon")
    with pytest.raises(ValueError, match="EEGPT_FETCH_WAIT"):
        hub.fetch_wait()


def test_info_of_weights_to_download_can_be_busy_and_its_help_says_so(
    server, tmp_path, monkeypatch, capsys
):
    """`eegpt info eegpt-large` with the weights not yet cached downloads them, so it can wait
    on another process's download and exit 75 like `eegpt fetch`: its --help lists that
    status, with 2 and 130, and says what STALE means for prediction tables (Parquet too);
    the top-level table names STALE tables under 3."""
    import fcntl

    from eegpt.cli import main

    folder = tmp_path / "cache" / REPO / "main"
    folder.mkdir(parents=True)
    monkeypatch.setenv("EEGPT_FETCH_WAIT", "0")
    with open(hub.lock_path(folder), "a") as fh:  # a live process downloads them
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        assert main(["info", "eegpt-large"]) == 75
    capsys.readouterr()
    said = {}
    for words in (["info", "--help"], ["--help"]):
        with pytest.raises(SystemExit):
            main(words)
        out = said[words[0]] = capsys.readouterr().out
        table = out[out.index("\n  3 ") :]
        assert "STALE" in table[: table.index("\n  75 ")], words
    for code in (0, 1, 2, 3, 75, 130):
        assert f"\n  {code} " in said["info"], code
    assert "a Parquet table whose rows" in said["info"]
