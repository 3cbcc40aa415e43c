"""Downloading and caching pretrained EEGPT weights, on the standard library only.

Files come from a Hugging Face style endpoint (``{endpoint}/{repo}/resolve/{revision}/{file}``,
endpoint from ``$HF_ENDPOINT``, default ``https://huggingface.co``) or a plain URL, and land in
``$EEGPT_CACHE`` (default ``$XDG_CACHE_HOME/eegpt`` or ``~/.cache/eegpt``; weights that
``$XDG_CACHE_HOME/eegpt`` lacks but ``~/.cache/eegpt``, the cache of older versions, holds are
used from there, read only, and said once at INFO; with
``$EEGPT_OFFLINE=1`` or ``$HF_HUB_OFFLINE=1`` only from there, never opening a connection), waiting ``$EEGPT_DOWNLOAD_TIMEOUT`` seconds
(default 60) for the connection and each read. Every download streams into a private
``.<name>.<host>.<pid>.<random>.part`` file next to the final file, is hashed while it is
written, checked against the expected SHA-256 and only then renamed into place, so a file under
its final name is always complete and verified (two processes downloading the same file do not
share a ``.part``). The next download of a file removes the ``.part`` files of it left by killed
processes: at once those of this machine (its name and a hash of its boot id, so this boot only)
whose process is gone, never one whose process runs; the others (another machine's, with a
shared cache, whose process cannot be checked) once untouched for a day. A process downloading into a cache folder holds a
lock on it (``.<folder>.lock`` beside it, a ``flock`` the OS lets go when the process dies):
another one fetching the same weights waits for it (``$EEGPT_FETCH_WAIT`` seconds, default
1800), then uses the files it downloaded. A fetch that fails leaves the cache as it was,
but for the files it downloaded whole: the folders it made that hold nothing and its lock file
are removed (none of it while another fetch, which waited on it, holds the lock).
A download with no checksum to check (none given and none announced by the server) is logged as
a warning, and refused when its own structure shows it cut short (a safetensors file shorter
than its header says, a zip archive without its end record), which a missing Content-Length
would not show. A redirect from https to plain http is refused; a plain ``http://`` address
given (a mirror) is used, with a warning unless it is this machine. URLs are shown without
credentials or query string (a signed URL's token); a URL with credentials is refused.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import http.client
import json
import logging
import math
import os
import re
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any, BinaryIO

from tqdm import tqdm

from eegpt._logging import help_block, log, progress_options, secrets_hidden, terminal_text
from eegpt._tempfiles import remove_stale, temporary_beside, writer_tag
from eegpt.errors import (
    ChecksumError,
    DownloadError,
    OutputInUseError,
    WeightsUnavailableError,
)

logger = logging.getLogger(__name__)

__all__ = [
    "PRETRAINED",
    "WEIGHTS_HELP",
    "ChecksumError",
    "DownloadError",
    "WeightsUnavailableError",
    "cache_dir",
    "cached_weights",
    "download",
    "download_timeout",
    "fetch_wait",
    "fetch_weights",
    "hf_endpoint",
    "hf_url",
    "offline",
    "pretrained_name",
]

DEFAULT_ENDPOINT = "https://huggingface.co"
#: Seconds a download waits for the connection and each read, unless $EEGPT_DOWNLOAD_TIMEOUT says.
DEFAULT_TIMEOUT = 60.0
#: Seconds a download waits for another process downloading into the same cache folder,
#: unless $EEGPT_FETCH_WAIT says.
DEFAULT_FETCH_WAIT = 1800.0
HF_REPO_URL = "https://huggingface.co/braindecode/eegpt-pretrained"
ORIGINAL_CHECKPOINT = "eegpt_mcae_58chs_4s_large4E.ckpt"
ORIGINAL_RELEASE = "https://github.com/BINE022/EEGPT"

#: Pretrained weights known by name. ``files`` are fetched from ``repo`` at ``revision``;
#: ``sha256`` may pin a file's hash (otherwise the server's ETag, when it is a SHA-256, is used).
PRETRAINED: dict[str, dict[str, Any]] = {
    "eegpt-large": {
        "repo": "braindecode/eegpt-pretrained",
        "files": ["config.json", "model.safetensors"],
        "revision": "main",
        "sha256": {},
        "description": (
            "EEGPT large (embed_dim 512, 8 blocks, 4 summary tokens; ~25M encoder weights), "
            f"pretrained by Wang et al. (NeurIPS 2024); braindecode's conversion of "
            f"{ORIGINAL_CHECKPOINT}"
        ),
    },
}

WEIGHTS_HELP = help_block(f"""\
EEGPT needs its pretrained weights, which are not shipped with this package. Get them one way:
  1. `--weights eegpt-large` (Python: `eegpt.load_model("eegpt-large")`) downloads them from
     {HF_REPO_URL} on first use; `eegpt fetch eegpt-large` downloads them ahead; or
  2. download config.json and model.safetensors from that page (tab "Files and versions")
     into one folder; or
  3. download the original checkpoint {ORIGINAL_CHECKPOINT} from the EEGPT
     authors' release ({ORIGINAL_RELEASE}, section "Pretrained Models").
Then pass the folder or file: `--weights PATH` on the command line, or
`eegpt.load_model(PATH)` in Python. (`eegpt demo` runs the whole pipeline with generated,
not pretrained, weights.)
Automatic downloads are cached in $EEGPT_CACHE (default $XDG_CACHE_HOME/eegpt or
~/.cache/eegpt; weights already in ~/.cache/eegpt are found there too) and come from
$HF_ENDPOINT (default {DEFAULT_ENDPOINT}); set these to use another folder or a mirror,
and $EEGPT_DOWNLOAD_TIMEOUT (seconds, default {DEFAULT_TIMEOUT:g}) for a slow link;
$EEGPT_OFFLINE=1 (or $HF_HUB_OFFLINE=1) uses the cache only, never the network;
$EEGPT_FETCH_WAIT (seconds, default {DEFAULT_FETCH_WAIT:g}) waits for another process
downloading the same weights.""")

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


#: How to give the weights a folder, said where the cache has none or cannot be written.
CACHE_HELP = help_block("""\
Set $EEGPT_CACHE (or $XDG_CACHE_HOME, whose eegpt/ subfolder is then used) to a writable
folder, e.g. EEGPT_CACHE=/tmp/eegpt-cache; or, with the weights placed there ahead (a
read-only image), pass their folder: `--weights PATH` (config.json and model.safetensors;
Python: `eegpt.load_model(PATH)`).""")


def cache_dir() -> Path:
    """Cache folder: ``$EEGPT_CACHE``, else ``$XDG_CACHE_HOME/eegpt`` (an absolute one, as
    the XDG specification says), else ``~/.cache/eegpt``. (Where it is
    ``$XDG_CACHE_HOME/eegpt``, :func:`fetch_weights` still finds weights that only
    ``~/.cache/eegpt`` holds, the cache of older versions, and uses them from there.)

    Raises
    ------
    WeightsUnavailableError
        Where none is set and the user has no home directory (no ``$HOME``, and a user id
        that is not in ``/etc/passwd``, as in a container run with ``--user 12345``).
    """
    if env := os.environ.get("EEGPT_CACHE"):
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "eegpt"
    try:
        home: Path | None = Path.home()
    except (RuntimeError, KeyError, OSError):  # no $HOME and no passwd entry
        home = None
    if home is None or not home.is_absolute():
        raise WeightsUnavailableError(
            "no folder for the weights cache: $EEGPT_CACHE and $XDG_CACHE_HOME are not set "
            "and this user has no home directory (no $HOME, and user id "
            f"{_uid()} has no entry in /etc/passwd).\n{CACHE_HELP}"
        )
    return home / ".cache" / "eegpt"


def _uid() -> str:
    getuid = getattr(os, "getuid", None)
    return str(getuid()) if getuid is not None else "?"


_default_cache_dir = cache_dir  # fetch_weights' parameter shadows the function name


def _legacy_cache_dir() -> Path | None:
    """``~/.cache/eegpt``, where weights were cached before ``$XDG_CACHE_HOME`` was followed,
    when :func:`cache_dir` is now elsewhere because of it (``$EEGPT_CACHE`` unset); None
    otherwise, or without a usable home directory."""
    if os.environ.get("EEGPT_CACHE"):
        return None
    try:
        home = Path.home()
        current = cache_dir()
    except (RuntimeError, KeyError, OSError, WeightsUnavailableError):
        return None
    old = home / ".cache" / "eegpt"
    if not home.is_absolute() or old == current:
        return None
    return old


#: Folders of the old cache already said to be used, so that each is said once.
_LEGACY_SAID: set[Path] = set()


def _from_legacy_cache(wanted: list[tuple[str, Path, str | None]], root: Path) -> Path | None:
    """Where the cache ``root`` (``$XDG_CACHE_HOME/eegpt``) lacks some file of ``wanted`` that
    ``~/.cache/eegpt`` (:func:`_legacy_cache_dir`) holds whole, with all the others: the
    folder there holding them, used as it is (read only; nothing is copied), said once at INFO.
    None where the new cache has them all, or the old one has not."""
    legacy = _legacy_cache_dir()
    if legacy is None or all(_cached(dest, sha, quiet=True) for _, dest, sha in wanted):
        return None
    try:
        olds = [(legacy / dest.relative_to(root), sha) for _, dest, sha in wanted]
    except ValueError:
        return None
    if not all(_cached(old, sha, quiet=True) for old, sha in olds):
        return None
    folder = olds[0][0].parent
    if folder not in _LEGACY_SAID:
        _LEGACY_SAID.add(folder)
        logger.info(
            "using %s: the weights are not in %s ($XDG_CACHE_HOME/eegpt, the cache since "
            "$XDG_CACHE_HOME is followed) but in the cache of before, %s (move them there, "
            "or set $EEGPT_CACHE, to say which)",
            folder,
            root,
            legacy,
        )
    return folder


def download_timeout() -> float:
    """Seconds a download waits for the connection and each read: ``$EEGPT_DOWNLOAD_TIMEOUT``
    or :data:`DEFAULT_TIMEOUT` (60).

    Raises
    ------
    ValueError
        If the variable is set to anything but a number of seconds above 0.
    """
    return _env_seconds("EEGPT_DOWNLOAD_TIMEOUT", DEFAULT_TIMEOUT, zero=False)


def _env_seconds(name: str, default: float, *, zero: bool) -> float:
    """The seconds ``$name`` says, a finite number above 0 (or 0 too, with ``zero``), or
    ``default`` where it is unset or blank.

    Raises
    ------
    ValueError
        If the variable is set to anything else, saying what it should be.
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and (seconds >= 0 if zero else seconds > 0)):
        bound = ", 0 or more (0: do not wait)" if zero else " above 0 (e.g. 300)"
        raise ValueError(
            f"${name} is {text!r}: it should be a number of seconds{bound}, or unset for the "
            f"default, {default:g}"
        )
    return seconds


def hf_endpoint() -> str:
    """Hub endpoint: ``$HF_ENDPOINT`` or ``https://huggingface.co``."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def hf_url(repo: str, filename: str, revision: str = "main", *, endpoint: str | None = None) -> str:
    """URL of ``filename`` in the Hugging Face repo ``repo`` at ``revision``."""
    base = (endpoint or hf_endpoint()).rstrip("/")
    return f"{base}/{repo}/resolve/{urllib.parse.quote(revision, safe='')}/{filename}"


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _normalise_sha(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if not _SHA256.fullmatch(value):
        raise ValueError(f"sha256 must be 64 hexadecimal digits, got {value!r}")
    return value


class _RedirectRecorder(urllib.request.HTTPRedirectHandler):
    """Follows redirects like urllib does, keeping the headers of each redirect response.

    The Hugging Face Hub answers ``resolve`` with a redirect to a CDN; the file's SHA-256 is in
    that redirect's ``X-Linked-Etag`` header, not in the CDN's response.
    """

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[Message] = []

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401 (urllib API)
        """Follow the redirect, keeping its headers; refuse one from ``https`` to another
        scheme (plain ``http``), which would drop the encryption and the server's proof of
        who it is that the address asked for."""
        old = urllib.parse.urlsplit(req.full_url).scheme.lower()
        new = urllib.parse.urlsplit(newurl).scheme.lower()
        if old == "https" and new != "https":
            raise DownloadError(
                f"{secrets_hidden(req.full_url)} redirected to {secrets_hidden(newurl)}, from "
                f"https to {new or 'no scheme'}, which is neither encrypted nor authenticated: "
                "refused. Ask the server's owner for an https address throughout, or download "
                "the file by hand, check it, and pass its path"
            )
        self.headers.append(headers)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _refuse_credentials(url: str) -> None:
    """Refuse a URL that carries credentials (``https://user:password@host/...``): urllib
    does not send them, and they would show wherever the URL is printed.

    Raises
    ------
    ValueError
        Naming the URL with its credentials hidden, and how to download such a file.
    """
    if "@" in urllib.parse.urlsplit(url).netloc:
        raise ValueError(
            f"{secrets_hidden(url)}: credentials in a URL (user:password@host) are not "
            "supported. Download the file with a tool that takes them (e.g. `curl --netrc "
            "-O URL`, with the credentials in ~/.netrc), check it and pass its path "
            "(--weights PATH, eegpt.load_model(PATH)), or give a URL that needs none (a "
            "signed URL, whose token is in its query string, works)"
        )


_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _warn_plain_http(url: str) -> None:
    """Warn that a download from another machine over plain ``http://`` (allowed when given
    so, e.g. a mirror in ``$HF_ENDPOINT``) can be read and changed on its way."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() == "http" and (parts.hostname or "") not in _LOOPBACK:
        logger.warning(
            "%s is plain HTTP: the download is neither encrypted nor authenticated, so "
            "anyone on the way can read or change it; use an https:// address where the "
            "server has one, and pin the file's SHA-256 (--sha256)",
            secrets_hidden(url),
        )


def _sha_from_headers(responses: list[Message]) -> str | None:
    """A SHA-256 announced by the server (``X-Linked-Etag`` first, then ``ETag``), if any."""
    for name in ("X-Linked-Etag", "ETag"):
        for headers in responses:
            value = headers.get(name)
            if value:
                value = value.strip().removeprefix("W/").strip('"').lower()
                if _SHA256.fullmatch(value):
                    return value
    return None


def download(
    url: str,
    dest: str | os.PathLike,
    *,
    sha256: str | None = None,
    progress: bool = True,
    timeout: float | None = None,
) -> Path:
    """Download ``url`` to ``dest`` atomically, verifying its SHA-256.

    The body streams into a new ``.<dest name>.<host>.<pid>.<random>.part`` file in the same
    folder while being hashed; the hash is checked against ``sha256`` or, when not given, against the server's
    ``X-Linked-Etag``/``ETag`` if that is a 64-hex SHA-256 (as the Hugging Face Hub serves large
    files). The file is then fsynced and renamed to ``dest``. On any failure (an interrupt
    included) the ``.part`` file is deleted; after a hard kill only a ``.part`` file can remain,
    which the next download of ``dest`` removes (:func:`_remove_stale_parts`).
    Without any checksum the download is used as is, with a logged warning.

    Parameters
    ----------
    url : str
    dest : str or PathLike
        Final file name; parent folders are created.
    sha256 : str, optional
        Expected hex digest.
    progress : bool
        Show a tqdm progress bar on stderr, after a line that names the URL, ``dest`` and
        ``timeout`` (without it, that line is logged at INFO).
    timeout : float | None
        Seconds to wait for the connection and each read; None: :func:`download_timeout`
        (``$EEGPT_DOWNLOAD_TIMEOUT``, default 60).

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    WeightsUnavailableError
        ``$EEGPT_OFFLINE`` or ``$HF_HUB_OFFLINE`` is set (:func:`offline`): no connection is
        opened.
    ChecksumError
        The content does not have the expected SHA-256.
    DownloadError
        The connection ended before Content-Length bytes arrived.
    ValueError
        ``$EEGPT_DOWNLOAD_TIMEOUT`` is not a number of seconds above 0 (``timeout=None``).
    urllib.error.URLError, http.client.HTTPException, OSError
        Network failures, as raised by urllib.
    """
    dest = Path(dest)
    expected = _normalise_sha(sha256)
    _refuse_credentials(url)
    shown = secrets_hidden(url)  # in messages: no token of a signed URL
    if (switch := _offline_switch()) is not None:
        raise WeightsUnavailableError(
            f"${switch} is set (offline): {shown} was not downloaded (to {dest}); unset "
            f"{switch} to download it, or place the file there by hand"
        )
    if timeout is None:
        timeout = download_timeout()
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(dest)
    _warn_plain_http(url)
    # before the connection, which may wait up to `timeout` seconds without a word;
    # on stderr beside the progress bar, else for the logging configuration to decide
    log(f"downloading {shown} to {dest} (timeout {timeout:g} s)", True if progress else None)
    fd, part = temporary_beside(dest, ".part", tag=writer_tag())
    recorder = _RedirectRecorder()
    opener = urllib.request.build_opener(recorder)
    request = urllib.request.Request(url, headers={"User-Agent": "eegpt-downloader"})
    try:
        with os.fdopen(fd, "wb") as out, opener.open(request, timeout=timeout) as response:
            kind = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if kind == "text/html" and not _is_page_name(dest):
                raise _web_page_error(shown, dest, "Content-Type text/html")
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            announced = _sha_from_headers([*recorder.headers, response.headers])
            expected = expected or announced
            digest = hashlib.sha256()
            received = 0
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=terminal_text(dest.name),
                **progress_options(disable=not progress),
            ) as bar:
                while chunk := response.read(_CHUNK):
                    if not received and _looks_like_html(chunk) and not _is_page_name(dest):
                        raise _web_page_error(shown, dest, "HTML")
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            if total is not None and received != total:
                raise DownloadError(
                    f"connection closed after {received} of {total} bytes of {shown}; try again"
                )
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if expected is not None and actual != expected:
            raise ChecksumError(
                f"checksum mismatch for {shown}: expected sha256 {expected}, got {actual}. The "
                "download is corrupt (or the file changed on the server) and was deleted; try "
                "again, or download the file by hand and pass its path."
            )
        if expected is None and (cut := _cut_short(part, dest)) is not None:
            raise DownloadError(
                f"the download of {shown} is incomplete: {cut}; it was deleted: try again"
            )
        if expected is None:
            logger.warning(
                "no SHA-256 known for %s (none given, none announced by the server): the "
                "download is unverified. Its SHA-256 is %s; to pin it, fetch it with "
                "`eegpt fetch URL --sha256 HASH` (eegpt.hub.fetch_weights(url, sha256=...))",
                shown,
                actual,
            )
        os.replace(part, dest)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    logger.info("downloaded %s to %s (sha256 %s)", shown, dest, actual)
    return dest


#: The largest safetensors header read (as the safetensors library allows).
_SAFETENSORS_HEADER_LIMIT = 100_000_000
#: The most bytes after a zip archive's end-of-central-directory record (its comment).
_ZIP_TAIL = 22 + 0xFFFF


def _cut_short(path: Path, dest: Path) -> str | None:
    """Why the downloaded file ``path`` (to become ``dest``) is shorter than its own
    structure says, for a download no SHA-256 verifies (nor, without Content-Length, its
    length): a zip archive (``torch.save``'s format) without its end-of-central-directory
    record, or a ``.safetensors`` file shorter than its header and the tensors the header
    lists; None for a whole one, and for files of other kinds (left to the loader)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(8)
        if head[:4] == b"PK\x03\x04":
            f.seek(max(0, size - _ZIP_TAIL))
            if b"PK\x05\x06" not in f.read():
                return (
                    f"the zip archive ({size} bytes) has no end-of-central-directory record, "
                    "so its end is missing"
                )
            return None
        if dest.suffix.lower() != ".safetensors":
            return None
        if len(head) < 8:
            return f"a safetensors file of {size} bytes, shorter than its 8-byte header length"
        n = int.from_bytes(head, "little")
        if n > min(size - 8, _SAFETENSORS_HEADER_LIMIT):
            return f"its header announces {n} bytes of header, but the file has {size} bytes"
        try:
            header = json.loads(f.read(n))
            end = max(
                (int(t["data_offsets"][1]) for k, t in header.items() if k != "__metadata__"),
                default=0,
            )
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None  # not one safetensors reads either: its loader says what is wrong
    if 8 + n + end > size:
        return f"its header lists {8 + n + end} bytes of header and tensors, but it has {size}"
    return None


#: Seconds after which a partial download nobody writes to any more is removed.
STALE_PART_S = 24 * 3600


def _remove_stale_parts(dest: Path) -> None:
    """Remove partial downloads of ``dest`` left by killed processes: those of this machine
    (``.NAME.<host>.<pid>.XXXX.part``, ``<host>`` with this boot's id) whose process is gone,
    never one whose process runs, and those whose writer cannot be checked (another
    machine's or boot's, one named before parts named their writer or this machine's id)
    untouched for :data:`STALE_PART_S`; a download in progress writes to its own part. A
    part whose writer's process number was taken again by another process since is kept
    until that process ends (or the machine restarts): it is told apart by number only."""
    remove_stale(dest, ".part", STALE_PART_S)


def _looks_like_html(head: bytes) -> bool:
    """Whether a download's first bytes are a web page."""
    start = head[:512].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in (
        head[:4096].lower()
    )


def _is_page_name(dest: Path) -> bool:
    """Whether the file downloaded is meant to be a web page."""
    return dest.name.lower().endswith((".html", ".htm"))


def _web_page_error(url: str, dest: Path, how: str) -> DownloadError:
    """The error for a server that answered a file's address with a web page (``how`` it
    showed: a content type, or the bytes)."""
    return DownloadError(
        f"{url} answered with a web page ({how}), not the file {dest.name}: a login or error "
        "page, or the address of a page that links to the file (on Hugging Face, use the "
        "file's .../resolve/main/FILE address)"
    )


_NETWORK_ERRORS = (
    urllib.error.URLError,
    http.client.HTTPException,
    ConnectionError,
    TimeoutError,
    DownloadError,
)


#: What to do without a network, said before :data:`WEIGHTS_HELP` when a download could not
#: reach its server.
OFFLINE_HELP = help_block(f"""\
Without a network here: on a computer that has one, run `eegpt fetch eegpt-large` (it prints
the folder it downloaded to) or download config.json and model.safetensors from {HF_REPO_URL},
copy that folder here and pass it: `--weights PATH`. All the ways to get the weights:""")


def _unreached(error: BaseException) -> str | None:
    """In plain words, why a server could not be reached (no network, a refused connection, no
    answer in time); None for other failures (an HTTP error, a download cut short)."""
    reason = getattr(error, "reason", error) if isinstance(error, urllib.error.URLError) else error
    if isinstance(error, urllib.error.HTTPError):
        return None
    if isinstance(reason, socket.gaierror) or "name resolution" in str(reason).lower():
        return "no network connection or name resolution failed"
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused (is the address right?)"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "no answer in time (a slow link: set $EEGPT_DOWNLOAD_TIMEOUT)"
    if isinstance(reason, OSError) and isinstance(error, urllib.error.URLError):
        return "no network connection"
    return None


def _unavailable(url: str, error: BaseException) -> WeightsUnavailableError:
    """Why the weights at ``url`` could not be downloaded, and how to get them; the URL's
    credentials and query string (a signed URL's token) are not shown."""
    if isinstance(error, urllib.error.HTTPError):
        reason: object = f"HTTP error {error.code} ({error.reason})"
    else:
        reason = getattr(error, "reason", None) or error
    reason = secrets_hidden(str(reason))
    cause = _unreached(error)
    url = secrets_hidden(url)
    if cause is not None:
        host = urllib.parse.urlsplit(url).netloc.rpartition("@")[2] or url
        return WeightsUnavailableError(
            f"could not reach {host}: {cause} ({reason}); the EEGPT weights at {url} were not "
            f"downloaded.\n\n{OFFLINE_HELP}\n\n{WEIGHTS_HELP}"
        )
    return WeightsUnavailableError(
        f"could not download EEGPT weights from {url}: {reason}\n\n{WEIGHTS_HELP}"
    )


def _cached(path: Path, sha256: str | None, *, quiet: bool = False) -> bool:
    if not path.is_file():
        return False
    if sha256 is not None and _file_sha256(path) != sha256:
        if not quiet:
            logger.warning("cached %s does not match sha256 %s; downloading it again", path, sha256)
        return False
    return True


def close_pretrained_names(text: str) -> list[str]:
    """Keys of :data:`PRETRAINED` close to ``text`` (a typo such as ``"eegpt-larg"``), closest
    first (:func:`difflib.get_close_matches`, in any case, ``_`` read as ``-``); [] for none."""
    key = text.strip().lower().replace("_", "-")
    return difflib.get_close_matches(key, list(PRETRAINED), n=3, cutoff=0.75)


def pretrained_name(text: str) -> str | None:
    """The key of :data:`PRETRAINED` that ``text`` names in any case, with ``_`` or ``-``
    (``"EEGPT_large"`` -> ``"eegpt-large"``); None for none."""
    key = text.strip().lower().replace("_", "-")
    return key if key in PRETRAINED else None


def _writable_cache(folder: Path) -> None:
    """Make ``folder`` of the cache, and check that files can be written there.

    Raises
    ------
    WeightsUnavailableError
        Naming the folder, why it cannot be written (a read-only home, a file in the way)
        and :data:`CACHE_HELP`.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
        with open(lock_path(folder), "ab"):  # the lock's file, beside it
            pass
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise WeightsUnavailableError(
            f"cannot download the weights into the cache {folder}: {reason} (errno "
            f"{err.errno}).\n{CACHE_HELP}"
        ) from err


def fetch_wait() -> float:
    """Seconds to wait for another process's download into the same cache folder:
    ``$EEGPT_FETCH_WAIT`` (0: do not wait) or :data:`DEFAULT_FETCH_WAIT` (30 min).

    Raises
    ------
    ValueError
        If the variable is set to anything but a number of seconds, 0 or more.
    """
    return _env_seconds("EEGPT_FETCH_WAIT", DEFAULT_FETCH_WAIT, zero=True)


def lock_path(folder: Path) -> Path:
    """The lock file of the cache folder ``folder``: ``.<folder name>.lock`` beside it, so that
    the folder holds the weights' files only."""
    return folder.parent / f".{folder.name}.lock"


_LOCK_POLL_S = 0.2


@contextlib.contextmanager
def _cache_lock(folder: Path, progress: bool) -> Iterator[None]:
    """Hold the exclusive lock of the cache folder ``folder`` (:func:`lock_path`) while
    downloading into it, so that two processes fetching the same weights do not both download
    them: the second waits (:func:`fetch_wait`), then finds the files in place. The lock is a
    ``flock``, which the OS lets go when its process dies: a killed download never leaves
    the folder locked (the lock file itself stays, harmless). A fetch that fails removes the
    lock file it made (:func:`_undo_failed_fetch`), so a lock taken on a file no longer at its
    path is let go and the file now there (made again where none is) locked instead. Where the
    file system has no locks (some network file systems), or on Windows, downloads go on
    without one: each is still written to a private file and renamed into place, so the
    files stay whole.

    Raises
    ------
    OutputInUseError
        Another process held the lock longer than :func:`fetch_wait` seconds.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    wait = fetch_wait()
    path = lock_path(folder)
    deadline, said, locked = time.monotonic() + wait, False, True
    fh = _open_lock_file(path)
    try:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    logger.debug("no lock on %s (%s): downloading without one", path, err)
                    locked = False
                    break
            else:
                if _same_file(fh, path):
                    break
                # a failed fetch removed the lock file while this one waited on it: lock the
                # file at its path now (another process may hold that one)
                fh.close()
                fh = _open_lock_file(path)
                continue
            if time.monotonic() >= deadline:
                raise OutputInUseError(
                    f"another process has been downloading into {folder} for over {wait:g} s "
                    f"(it holds {path}); try again later, or raise $EEGPT_FETCH_WAIT (seconds, "
                    f"default {DEFAULT_FETCH_WAIT:g})"
                )
            if not said:
                said = True
                log(
                    f"waiting for another process downloading into {folder} (up to {wait:g} s, "
                    "$EEGPT_FETCH_WAIT)",
                    True if progress else None,
                )
            time.sleep(_LOCK_POLL_S)
        try:
            yield
        finally:
            if locked:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    finally:
        fh.close()


def _open_lock_file(path: Path) -> BinaryIO:
    """The lock file ``path`` opened (made, with its folders, where missing: a failed fetch
    removes those it made, :func:`_undo_failed_fetch`, maybe while this one opens it)."""
    for _ in range(9):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return open(path, "a+b")
        except FileNotFoundError:  # its folder removed between the two: make it again
            continue
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "a+b")


def _same_file(fh: BinaryIO, path: Path) -> bool:
    """Whether the open file ``fh`` is still the file at ``path`` (not removed or replaced)."""
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fh.fileno())
    return (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino)


def _absent_folders(folder: Path) -> list[Path]:
    """The folders of ``folder``'s path (``folder`` itself included) that do not exist yet,
    deepest first: those a fetch into ``folder`` makes."""
    absent = []
    for path in (folder, *folder.parents):
        if path.exists() or path.is_symlink():
            break
        absent.append(path)
    return absent


def _locked_elsewhere(fh: BinaryIO) -> bool:
    """Take the lock of the open lock file ``fh`` at once, where nobody holds it (let go as
    ``fh`` closes); whether another process holds it (False without locks: Windows, a file
    system without them)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return False
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        return err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
    return False


def _undo_failed_fetch(folder: Path, made: list[Path], lock_made: bool) -> None:
    """After a fetch into ``folder`` failed, leave the cache as it was before: remove the
    folders of :func:`_absent_folders` (``made``, deepest first) that hold nothing, and the
    lock file where this fetch made it (``lock_made``). A folder that holds anything (a file
    downloaded whole before the failure, another process's lock or download) is kept, with
    the folders above it; nothing that existed before the fetch is removed.

    All of it is done under the folder's lock, taken at once: where another process holds it
    (a fetch that waited on this one and now downloads into ``folder``, maybe before its
    first file is there), nothing is removed. The lock file this fetch made goes also where
    ``folder`` is kept (a file downloaded whole in it), as the module says. ``folder`` goes
    before the lock file (removed
    while locked, so that a process waiting on it finds it gone and :func:`_cache_lock` locks
    the file at its path), the folders above it after."""
    path = lock_path(folder)
    with contextlib.ExitStack() as held:
        try:
            fh = held.enter_context(open(path, "rb"))
        except OSError:
            fh = None  # no lock file (its folder could not be made): nobody fetches here
        if fh is not None and _locked_elsewhere(fh):
            return  # another process fetches into the folder: its lock and folders stay
        inner, above = (made[:1], made[1:]) if made[:1] == [folder] else ([], made)
        for p in inner:
            try:
                p.rmdir()  # only if empty
            except OSError:
                above = []  # a file in it (downloaded whole): the folders above it hold it
        if fh is not None and lock_made:  # removed as the fetch made it, folder kept or not
            with contextlib.suppress(OSError):
                if _same_file(fh, path):
                    path.unlink()  # while locked (let go as fh closes)
    for p in above:
        try:
            p.rmdir()  # only if empty
        except OSError:
            break


#: Values of $EEGPT_OFFLINE and $HF_HUB_OFFLINE that mean "offline".
_TRUE = ("1", "true", "yes", "on")


def _offline_switch() -> str | None:
    """The variable that forbids downloads, ``EEGPT_OFFLINE`` or ``HF_HUB_OFFLINE`` (the
    Hugging Face tools' switch), where one is ``1`` (or true, yes, on); None where neither."""
    for name in ("EEGPT_OFFLINE", "HF_HUB_OFFLINE"):
        if os.environ.get(name, "").strip().lower() in _TRUE:
            return name
    return None


def offline() -> bool:
    """Whether downloads are forbidden: ``$EEGPT_OFFLINE`` or ``$HF_HUB_OFFLINE`` (the Hugging
    Face tools' switch) is ``1`` (or true, yes, on): weights then come from the cache only."""
    return _offline_switch() is not None


def _offline_error(
    switch: str,
    what: str,
    folder: Path,
    missing: list[tuple[Path, str | None]],
    force: bool,
    fetch: str,
) -> WeightsUnavailableError:
    """Why offline mode (``$switch``) cannot give ``what``: the files ``missing`` from
    ``folder`` (each with its expected SHA-256, if any), told apart from those present whose
    SHA-256 does not match; ``fetch``: what `eegpt fetch` takes to download them."""
    if force:
        return WeightsUnavailableError(
            f"${switch} is set (offline): --force (force=True) would download {what} again; "
            f"unset {switch} to download"
        )
    absent = [p.name for p, _ in missing if not p.is_file()]
    damaged = [p.name for p, _ in missing if p.is_file()]
    why = []
    if absent:
        why.append(f"{', '.join(absent)} missing from {folder}")
    if damaged:
        its = "its" if len(damaged) == 1 else "their"
        why.append(
            f"{', '.join(damaged)} present in {folder} but {its} SHA-256 does not match "
            "(damaged or a different file)"
        )
    return WeightsUnavailableError(
        f"${switch} is set (offline), and the weights {what} are not in the cache: "
        f"{'; '.join(why)}. Place them there (on a machine with a network, `eegpt fetch "
        f"{fetch}` downloads them and prints its folder: copy that folder's files), or pass "
        "a folder of weights placed elsewhere: `--weights PATH` (Python: "
        f"eegpt.load_model(PATH)); or unset {switch} to download them."
    )


def _fetch_all(
    what: str,
    wanted: list[tuple[str, Path, str | None]],
    folder: Path,
    force: bool,
    progress: bool,
    fetch: str | None = None,
) -> None:
    """Have each ``(url, dest, sha256)`` of ``wanted`` in the cache ``folder``: those cached
    are used as they are, without any network access; the others are downloaded, unless
    :func:`offline` (``fetch``: what `eegpt fetch` takes to download them, said then;
    default ``what``)."""
    switch = _offline_switch()
    quiet = switch is not None  # no "downloading it again" for a damaged file
    missing = wanted if force else [w for w in wanted if not _cached(w[1], w[2], quiet=quiet)]
    if not missing:
        logger.info("using cached %s", folder)
        return
    if switch is not None:
        files = [(dest, sha) for _, dest, sha in missing]
        raise _offline_error(switch, what, folder, files, force, fetch or what)
    # what this fetch makes, removed again where it fails (an empty folder left in the cache)
    made, lock_made = _absent_folders(folder), not lock_path(folder).exists()
    try:
        _writable_cache(folder)
        with _cache_lock(folder, progress):
            for url, dest, sha256 in missing:
                if not force and _cached(dest, sha256):  # another process fetched it meanwhile
                    logger.info("using %s, downloaded meanwhile by another process", dest)
                    continue
                try:
                    download(url, dest, sha256=sha256, progress=progress)
                except _NETWORK_ERRORS as e:
                    raise _unavailable(url, e) from e
    except BaseException:
        _undo_failed_fetch(folder, made, lock_made)
        raise


def _named_files(
    name: str, root: Path, expected: str | None
) -> tuple[list[tuple[str, Path, str | None]], Path]:
    """The ``(url, dest, sha256)`` of each file of the pretrained weights ``name`` (a key of
    :data:`PRETRAINED`) in the cache ``root``, and the folder holding them; ``expected``, the
    SHA-256 asked of its weights file (the last of its ``files``), if any."""
    entry = PRETRAINED[name]
    revision = entry.get("revision", "main")
    folder = root / entry["repo"] / revision
    pinned = dict(entry.get("sha256") or {})
    if expected is not None:
        pinned[entry["files"][-1]] = expected
    wanted = [
        (hf_url(entry["repo"], filename, revision), folder / filename, pinned.get(filename))
        for filename in entry["files"]
    ]
    return wanted, folder


def _url_file(url: str, root: Path) -> Path:
    """Where the cache ``root`` keeps the file of ``url``."""
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    basename = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path)).name
    return root / "urls" / key / (basename or "weights")


def cached_weights(name_or_url: str) -> Path | None:
    """Where :func:`fetch_weights` would find the weights ``name_or_url`` (a pretrained name
    or an ``http(s)://`` URL) in the cache, complete (and matching their pinned SHA-256),
    without any download or network access and without reading or setting any environment
    variable beyond those that name the cache; None where they are not all there (or
    ``name_or_url`` is neither, or has no cache folder)."""
    try:
        root = _default_cache_dir()
    except WeightsUnavailableError:
        return None
    if (name := pretrained_name(name_or_url)) is not None:
        wanted, found = _named_files(name, root, None)
    elif name_or_url.startswith(("http://", "https://")):
        found = _url_file(name_or_url, root)
        wanted = [(name_or_url, found, None)]
    else:
        return None
    if all(_cached(dest, sha, quiet=True) for _, dest, sha in wanted):
        return found
    old = _from_legacy_cache(wanted, root)
    if old is None:
        return None
    return old if name is not None else old / found.name


def fetch_weights(
    name_or_url: str,
    *,
    cache_dir: str | os.PathLike | None = None,
    sha256: str | None = None,
    force: bool = False,
    progress: bool = True,
) -> Path:
    """Return local pretrained weights, downloading them on first use.

    Parameters
    ----------
    name_or_url : str
        A key of :data:`PRETRAINED` (e.g. ``"eegpt-large"``) or an ``http(s)://`` URL of one
        weights file.
    cache_dir : str or PathLike, optional
        Defaults to :func:`cache_dir` (``$EEGPT_CACHE``, ``$XDG_CACHE_HOME/eegpt`` or
        ``~/.cache/eegpt``). Weights that ``$XDG_CACHE_HOME/eegpt`` lacks, but
        ``~/.cache/eegpt`` (where versions before it followed ``$XDG_CACHE_HOME`` kept them)
        holds whole, are used from there, offline too, and said once (INFO); nothing is
        written there.
    sha256 : str, optional
        Expected SHA-256 of the URL's file or, for a registry name, of its weights file
        (the last of its ``files``).
    force : bool
        Download again even when cached.
    progress : bool
        Show progress bars.

    Returns
    -------
    Path
        For a name, the folder ``<cache>/<repo>/<revision>/`` holding its files; for a URL, the
        file ``<cache>/urls/<sha256(url)[:16]>/<basename>``. Complete cached files are reused
        without touching the network; with ``$EEGPT_OFFLINE=1`` (or ``$HF_HUB_OFFLINE=1``)
        only cached files are used, and no connection is ever opened.

    Raises
    ------
    WeightsUnavailableError
        Offline (or ``$EEGPT_OFFLINE`` set and files missing from the cache), unreachable host, HTTP error or interrupted download; no cache folder (no
        home directory) or one that cannot be written; the message explains how to obtain the
        weights by hand.
    ChecksumError
        The downloaded file is corrupt.
    ValueError
        ``name_or_url`` is neither a known name nor a URL.
    """
    root = Path(cache_dir).expanduser() if cache_dir is not None else _default_cache_dir()
    expected = _normalise_sha(sha256)
    if (name := pretrained_name(name_or_url)) is not None:
        wanted, folder = _named_files(name, root, expected)
        if cache_dir is None and not force and (old := _from_legacy_cache(wanted, root)):
            return old
        _fetch_all(name, wanted, folder, force, progress)
        return folder
    if name_or_url.startswith(("http://", "https://")):
        _refuse_credentials(name_or_url)
        dest = _url_file(name_or_url, root)
        wanted = [(name_or_url, dest, expected)]
        if cache_dir is None and not force and (old := _from_legacy_cache(wanted, root)):
            return old / dest.name
        shown = secrets_hidden(name_or_url)
        # a signed URL shown without its token: `eegpt fetch` needs it whole
        fetch = shown if shown == name_or_url else "'URL' (the whole URL, with its query string)"
        _fetch_all(shown, wanted, dest.parent, force, progress, fetch)
        return dest
    close = close_pretrained_names(name_or_url)
    raise ValueError(
        f"unknown pretrained weights {name_or_url!r}"
        + (f": did you mean {close[0]!r}? Otherwise use" if close else ": use")
        + f" one of {sorted(PRETRAINED)}, an "
        "http(s):// URL, or a local path with eegpt.load_model(PATH)"
    )


#: Most entries of a folder compared with a mistyped weights path (a bigger folder is not listed
#: whole: a data folder of many recordings).
MAX_LISTED = 2000


def close_weights(text: str, path: Path) -> list[str]:
    """What a weights path or name ``text`` that does not exist (``path``) may have meant, as
    the user would type it: close pretrained names (``"eegpt-large"`` for ``"eegpt-larg"``,
    :func:`close_pretrained_names`) and close entries of ``path``'s parent folder
    (``tiny-random`` for ``tiny-randm``), each quoted, at most three; [] for none."""
    import itertools

    text = text.rstrip("/\\") or text  # "models/tiny-randm/" names the folder tiny-randm
    found = [repr(name) + " (pretrained)" for name in close_pretrained_names(text)]
    parent = path.parent
    try:
        entries = [e.name for e in itertools.islice(os.scandir(parent), MAX_LISTED)]
    except OSError:
        entries = []
    head = text[: len(text) - len(path.name)] if text.endswith(path.name) else ""
    others = [e for e in entries if e != path.name]  # a broken link is listed, by its own name
    for name in difflib.get_close_matches(path.name, others, n=3, cutoff=0.75):
        kind = "folder" if (parent / name).is_dir() else "file"
        found.append(f"{head + name!r} (a {kind})")
    return found[:3]
