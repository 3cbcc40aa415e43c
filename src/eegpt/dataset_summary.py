"""Progress and summary of a corpus run.

:class:`DatasetProgress` is the run's progress bar (files, windows/s, hours of EEG) and counts what
:class:`DatasetSummary` reports at the end (files embedded, failed and too short, windows, hours
of EEG, seconds, the channels dropped, the kinds of warnings: :func:`warning_kinds`).
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eegpt._file_identity import files_bytes, recording_files
from eegpt._logging import count as _count
from eegpt._logging import (
    few,
    log_progress_interval,
    progress_interval,
    progress_options,
    terminal_text,
)
from eegpt._renamed import renamed_attribute
from eegpt.channels import drops_by_electrode
from eegpt.dataset_files import TRACEBACK_MARK, FileResult
from eegpt.dataset_folders import ERRORS_REPORT, FILES_REPORT, TOO_SHORT
from eegpt.dataset_inputs import InputFile
from eegpt.dataset_report import too_short_note
from eegpt.dataset_report import warning_kinds as warning_kinds  # eegpt.dataset's name
from eegpt.dataset_stamps import _too_short
from eegpt.run_channel_sets import channel_set_apart, channel_sets_advice


class DatasetProgress:
    """A bar over files with windows/s and hours of EEG in its postfix; while a long file is
    embedded in parts, the postfix counts its parts' windows and names the last one, and
    while files are embedded (an hour of EEG takes minutes on a CPU) it counts their windows
    done so far (and, ``step_s`` apart, their hours of EEG).

    The bar's position (its percentage and its ETA) weighs each of ``files`` by its size on
    disk (:func:`_recording_bytes`, stated once here): a file counts as its share of the
    bytes (``size / mean size`` files, so the bar's total stays the number of files), and a
    file in progress by the fraction of its windows embedded (a long file's parts, and the
    windows in flight at the bytes per window seen so far). A corpus of a few 24 h
    recordings so gets an ETA before its first file is done; the text still counts whole
    files (``3/40 files``).

    Where stderr is a log (a SLURM job's file, a pipe: :func:`progress_interval` over 1 s) or
    a run copies it into its ``--log-file`` (whatever the terminal:
    :func:`~eegpt._logging.log_progress_interval`), a thread draws the bar (:meth:`beat`) where nothing was drawn for the
    interval (30 s), so that the log gets a line at least every interval and a third while the
    run works, also while a slow model embeds a block of windows or a long file is read; it
    waits on an event between looks (no polling) and ends with :meth:`close`."""

    def __init__(
        self,
        total: int,
        enabled: bool,
        desc: str,
        *,
        step_s: float = 0.0,
        files: Sequence[InputFile] = (),
    ) -> None:
        from tqdm.auto import tqdm  # here: in a notebook without ipywidgets, tqdm warns

        self.total = total
        self.bar = tqdm(
            total=total, unit="file", desc=terminal_text(desc), dynamic_ncols=True,
            bar_format=_bar_format(0, total), smoothing=0, miniters=0,
            **progress_options(disable=not enabled),
        )  # fmt: skip
        self.t0 = time.perf_counter()
        self.first: float | None = None  # seconds until the first file was done
        self.windows, self.hours, self.ok, self.failed = 0, 0.0, 0, 0
        self.short = 0  # files shorter than one window (tail="drop"): skipped, not failed
        self.channels: dict[str, None] = {}  # names in the files embedded (rename typos?)
        self._part_windows, self._part_hours = 0, 0.0  # of the parts of the file in progress
        self._in_flight = 0  # windows embedded of files (or parts) not done yet
        self._step_h = step_s / 3600  # hours of EEG per window (onset to onset)
        self._lock = threading.Lock()  # embedded() is called from the device threads
        self._shown = time.perf_counter()  # when the bar was last drawn, or could have been
        self._interval = progress_interval()
        # the heartbeat's: where nothing was drawn for it, the bar is drawn (a log's line);
        # stderr a log, or a run's --log-file, whose lines come LOG_PROGRESS_S apart
        self._beat_s = max(self._interval if self._interval > 1 else 0.0, log_progress_interval())
        self._tail = ""  # what the postfix said last after the counts
        self._closed = threading.Event()  # close(): the heartbeat ends
        self._heartbeat: threading.Thread | None = None
        # the bar's position in files weighed by size (see the class)
        self._weights = _weights(files) if enabled else {}
        self._order = [file.index for file in files]  # the files in the order they are read
        self._finished: set[int] = set()
        self._next = 0  # where in _order the first file not done is
        self.position = 0.0  # never goes back
        self._done = 0  # files done (ok, failed, too short)
        self._done_weight = 0.0
        self._ok_weight, self._ok_windows = 0.0, 0  # of files embedded: weight per window
        self._part_weight, self._part_fraction, self._part_n = 0.0, 0.0, 0  # the long file's
        # started last: its beat draws the bar from all of the above (weighing many files on a
        # network disk can take longer than the interval), and none is left running where
        # the above failed
        if enabled and not self.bar.disable and self._beat_s > 0:  # a log
            self._heartbeat = threading.Thread(
                target=self._beat_until_closed, name="eegpt-progress-heartbeat", daemon=True
            )
            self._heartbeat.start()

    def embedded(self, n: int) -> None:
        """``n`` more windows were embedded (a chunk of a file's, or of several files')."""
        with self._lock:
            self._in_flight += n
            if time.perf_counter() - self._shown < self._interval:
                return
            self._show(f", {self._in_flight} windows of files in progress", refresh=True)

    def beat(self) -> None:
        """Draw the bar (a line, where stderr is a log) where it was not drawn for the
        interval: the heartbeat, called by its thread a third of the interval apart. Its
        postfix counts the windows of files in progress, else says what it said last (a
        long file's part); nothing once the bar is closed."""
        with self._lock:
            if not self._closed.is_set() and time.perf_counter() - self._shown >= self._beat_s:
                in_flight = f", {self._in_flight} windows of files in progress"
                self._show(in_flight if self._in_flight else self._tail, refresh=True)

    def _beat_until_closed(self) -> None:
        while not self._closed.wait(self._beat_s / 3):
            self.beat()

    def part(self, result: FileResult, file: InputFile) -> None:
        """A part of a long file was embedded (not its last)."""
        part = result.part
        assert part is not None
        with self._lock:
            self._in_flight = max(0, self._in_flight - result.n_windows)
            self._part_windows += result.n_windows
            self._part_hours = (
                (result.duration_s or 0.0) / 3600 * part.stop / max(part.n_windows, 1)
            )
            self._part_weight = self._weights.get(file.index, 1.0)
            self._part_fraction = part.stop / max(part.n_windows, 1)
            self._part_n = part.n_windows
            self._show(f", {file.recording_id}: {part}", refresh=True)

    def update(self, result: FileResult, status: Mapping[str, Any]) -> None:
        with self._lock:
            self._update(result)

    def _update(self, result: FileResult) -> None:
        # the file's windows leave the count of those in progress (its earlier parts' already)
        self._in_flight = max(0, self._in_flight - (result.n_windows - self._part_windows))
        self._part_windows, self._part_hours = 0, 0.0
        self._part_weight, self._part_fraction, self._part_n = 0.0, 0.0, 0
        weight = self._weights.get(result.index, 1.0)
        self._finished.add(result.index)
        self._done += 1
        self._done_weight += weight
        if _too_short(result.error):
            self.short += 1
        elif result.error:
            self.failed += 1
        else:
            self.ok += 1
            mapping = result.mapping
            names = [*mapping["input_names"], *mapping.get("dropped", [])]
            self.channels.update(dict.fromkeys([*names, *mapping.get("left_out", {})]))
            self.windows += result.n_windows
            self.hours += (result.duration_s or 0.0) / 3600  # known: the file was read
            if result.n_windows:
                self._ok_weight += weight
                self._ok_windows += result.n_windows
        if self.first is None:
            self.first = self.elapsed
        self.bar.bar_format = _bar_format(self._done, self.total)
        self._show("", refresh=False)
        self.bar.update(self._advance())

    def _advance(self) -> float:
        """Move :attr:`position` to the files done and the fraction of those in progress
        (weighed by size); returns how far it moved."""
        if self._done >= self.total:
            position = float(self.total)
        else:
            if self._ok_windows:
                per_window = self._ok_weight / self._ok_windows
            elif self._part_n:
                per_window = self._part_weight / self._part_n
            else:
                per_window = 0.0  # nothing to go by until a part or a file is done
            # windows in flight are counted at other files' bytes per window, a guess: a small
            # file of many bytes per window (64 channels) done before a large one of few would
            # put the bar at 100% long before its end. So they count at most half the weight
            # of the first file not done (whose windows they mostly are), and all that is in
            # progress less than its whole weight; a long file's parts count as they are
            first = self._first_pending_weight()
            guessed = min(self._in_flight * per_window, 0.5 * first)
            in_progress = self._part_weight * self._part_fraction + guessed
            position = self._done_weight + min(in_progress, 0.99 * first)
            position = min(position, float(self.total))
        step = max(0.0, position - self.position)
        self.position += step
        return step

    def _first_pending_weight(self) -> float:
        """The weight of the first file (in reading order) not done yet; 1 where the files
        are not known."""
        while self._next < len(self._order) and self._order[self._next] in self._finished:
            self._next += 1
        if self._next >= len(self._order):
            return 1.0
        return self._weights.get(self._order[self._next], 1.0)

    def _show(self, tail: str, *, refresh: bool) -> None:
        # refresh=False: a file done, whose update() draws the bar where tqdm's interval passed
        self._shown, self._tail = time.perf_counter(), tail
        if refresh:  # (a file done moves the bar by update())
            self.bar.n += self._advance()
        elapsed = max(self.elapsed, 1e-9)
        windows = self.windows + self._part_windows + self._in_flight
        hours = self.hours + self._part_hours + self._in_flight * self._step_h
        short = f", {self.short} too short" if self.short else ""
        self.bar.set_postfix_str(
            f"{windows / elapsed:.1f} win/s, {_hours_text(hours)} h EEG "
            f"({hours * 3600 / elapsed:.0f}x real time), {self.failed} failed{short}{tail}",
            refresh=refresh,
        )

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    @property
    def n_embedded(self) -> int:
        """Windows the model embedded so far: of the files done, the parts of a long file
        and the files in progress (0: it embedded nothing, every file failed or too short)."""
        with self._lock:
            return self.windows + self._part_windows + self._in_flight

    def close(self) -> None:
        """End the heartbeat (at once: its thread waits on an event) and close the bar."""
        self._closed.set()
        if self._heartbeat is not None and self._heartbeat is not threading.current_thread():
            self._heartbeat.join()
        self.bar.close()


def _bar_format(done: int, total: int) -> str:
    """tqdm's format for the bar: its own, but the files done counted whole (its position,
    weighed by size, is fractional)."""
    return (
        "{l_bar}{bar}| " + f"{done}/{total} files" + " [{elapsed}<{remaining}, {rate_fmt}{postfix}]"
    )


def _recording_bytes(file: InputFile) -> int | None:
    """The bytes on disk of the files of ``file``'s recording (:func:`recording_files`: a
    BrainVision header with its data and markers, a split FIF recording's parts ...); None
    where they cannot be told (:func:`~eegpt._file_identity.files_bytes`)."""
    try:
        return files_bytes(recording_files(file.path))
    except Exception:  # (a bar's weights never fail a run: the file weighs the mean)
        return None


def _weights(files: Sequence[InputFile]) -> dict[int, float]:
    """Each file's weight on the bar (by index): its bytes over the mean of those known (the
    weights add up to the number of files); a file whose size cannot be told weighs 1."""
    sizes = {file.index: _recording_bytes(file) for file in files}
    known = [size for size in sizes.values() if size]
    if not known:
        return {}
    mean = sum(known) / len(known)
    return {index: size / mean if size else 1.0 for index, size in sizes.items()}


def _hours_text(hours: float) -> str:
    """Hours of EEG for the progress bar: to the 3.6 s below 10 h (a first window shows), to
    the 6 min above."""
    return f"{hours:.3f}" if hours < 10 else f"{hours:.1f}"


@dataclass
class DatasetSummary:
    """What a run of :func:`embed_dataset` did and what the output folder holds.

    The ``n_*``/``hours``/``windows`` totals describe the whole output (all finished shards,
    including ones written by earlier runs); ``run_*`` and the rates describe this run only.
    ``startup_s`` is the time until the first file was done (worker or Ray start-up, model
    transfer, first read), included in ``elapsed_s``. ``backend`` is the run's scheduler,
    ``"inprocess"`` or ``"ray"`` (``embed_dataset(backend=)``, ``--engine``; it was ``engine``,
    still readable with a ``FutureWarning``).
    """

    output_dir: Path
    backend: str
    devices: list[str]
    n_files: int
    n_ok: int
    n_failed: int
    n_pending: int
    windows: int
    hours: float
    shards: int
    shards_written: int
    shards_skipped: int
    run_files: int
    run_windows: int
    run_hours: float
    elapsed_s: float
    startup_s: float = 0.0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warned: dict[str, int] = field(default_factory=dict)
    """Kind of warning (e.g. ``"amplitude check"``) -> number of files that had it."""
    n_warned: int = 0
    """Files with any warning (their texts: the ``warnings`` column of ``_files.csv``)."""
    n_too_short: int = 0
    """Recordings shorter than one window with ``tail="drop"``: skipped (no rows, status
    ``too_short``), not failed; listed in ``_too_short.csv``."""
    windows_left_out: int = 0
    """Windows left out over bad annotations (``reject_by_annotation``), all shards."""
    channel_sets: list[tuple[tuple[str, ...], list[str]]] = field(default_factory=list)
    """The sets of EEGPT channels the files embedded use, with their files, most files first
    (files of runs that did not record them left out). More than one: the features differ
    between files, e.g. a rename that one file's spelling missed."""
    n_changed: int = 0
    """Recordings embedded whose files changed since (size or modification time): their rows
    are of the earlier contents (``embed-dataset`` exits with 3)."""
    retried: int | None = None
    """With ``retry_failed`` (``--retry-failed``): how many recordings the shards already in
    the folder recorded as failed, which the run embedded again; 0: none, so there was nothing
    to retry (a finished run without failures, or no earlier run), which the summary says.
    None without ``retry_failed``."""
    keep: bool = False
    """The run restricted every file to one set of channels (``keep``, ``--keep-channels``):
    files of other sets used fewer of them."""
    dropped: list[tuple[str, int]] = field(default_factory=list)
    """The input channels left out (outside the vocabulary, or dropped on purpose) with the
    number of embedded files that had them, most files first: an electrode among them that
    a cap's spelling hid needs a rename."""
    renamed: dict[str, str] = field(default_factory=dict)
    """Those of ``dropped`` that the run's rename names as electrodes outside the vocabulary
    (input name -> electrode: a cap's socket ``B29`` -> ``P10``): renamed already, not to be
    renamed (:func:`renamed_outside`)."""
    left_out: list[tuple[str, str, int]] = field(default_factory=list)
    """The input channels left out before mapping, as ``eegpt channels`` names them: marked
    bad (``"bad"``) or not EEG by type (``"eog"``, ``"ecg"`` ...; from a BIDS
    ``channels.tsv``, a FIF file's types), each with why and the number of files that had it
    so (:func:`left_out_channel_counts`); not those left out by choice (not picked, not kept)."""
    events_from: dict[str, Any] | None = None
    """The run's ``--events-from-stim`` setting (:meth:`eegpt.stim_events.StimEvents.record`),
    None without: the stim channels of ``left_out`` it names (its channel, else every one
    typed stim) are said to be used for events, not embedded, rather than not used."""

    engine = renamed_attribute("engine", "backend")  # not a field: no annotation

    @property
    def complete(self) -> bool:
        """Every shard is written (failed files included, with their reasons)."""
        return self.n_pending == 0

    @property
    def windows_per_s(self) -> float:
        return self.run_windows / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def hours_per_s(self) -> float:
        """Hours of EEG embedded per second of this run."""
        return self.run_hours / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "errors"}
        out["output_dir"] = str(self.output_dir)
        out.update(
            complete=self.complete,
            windows_per_s=self.windows_per_s,
            hours_per_s=self.hours_per_s,
            n_errors=len(self.errors),
        )
        return out

    def __str__(self) -> str:
        where = f" on {', '.join(self.devices)}" if self.run_files else ""
        pending = f", {self.n_pending} not done" if self.n_pending else ""
        left_out = (
            f" ({self.windows_left_out} more left out over bad annotations)"
            if self.windows_left_out
            else ""
        )
        short = f", {self.n_too_short} too short" if self.n_too_short else ""
        lines = [
            f"embed-dataset ({self.backend}{where}): {_count(self.n_files, 'file')}, {self.n_ok} ok, "
            f"{self.n_failed} failed{short}{pending}; {self.windows} windows{left_out} from "
            f"{_hours_text(self.hours)} h of EEG in {_count(self.shards, 'shard')}"
        ]
        if self.retried == 0:
            lines.append(self._nothing_to_retry())
        if self.run_files:
            lines.append(
                f"this run: {_count(self.run_files, 'file')} in {_count(self.shards_written, 'shard')} "
                f"({self.shards_skipped} already done), {self.run_windows} windows = "
                f"{self.run_hours:.3f} h of EEG in {self.elapsed_s:.1f} s: "
                f"{self.windows_per_s:.1f} windows/s, {self.hours_per_s:.4f} h of EEG/s "
                f"({self.hours_per_s * 3600:.0f}x real time)"
            )
        else:
            done = _count(self.shards_skipped, "shard")
            lines.append(f"this run: nothing to do ({done} already done)")
        lines += self._failed_lines()
        if self.n_too_short:
            lines.append(too_short_note(self.n_too_short, self.output_dir))
        if len(self.channel_sets) > 1:
            lines.append(
                f"the files use {len(self.channel_sets)} different channel sets: their "
                "embeddings are not directly comparable (the model sees other electrodes, and "
                f"the average reference runs over other ones). {channel_sets_advice(self.keep, self.channel_sets)}:"
            )
            most = set(self.channel_sets[0][0])
            for k, (names, files) in enumerate(self.channel_sets[:4]):
                if k == 0:
                    which = f"({few(list(names), 8)})"
                else:  # what sets it apart from the most common set
                    which = channel_set_apart(names, most)
                lines.append(
                    f"  {_count(len(files), 'file')} with {_count(len(names), 'channel')} "
                    f"{which}: {few(files, 3)}"
                )
            if len(self.channel_sets) > 4:
                lines.append(f"  ... and {len(self.channel_sets) - 4} more sets")
        if self.dropped:
            named = [f"{name} ({_count(n, 'file')})" for name, n in self.dropped]
            # what they are after the list, not in a parenthesis after its "and 4 more"
            # (which read as naming those 4): of all of them
            of = f"Of all {len(named)}" if len(named) > 8 else "Of these"
            hint = _dropped_hint(self.dropped, self.renamed)
            lines.append(f"channels not used: {few(named, 8)}. {of}: {hint}")
        bad = [f"{name} ({_count(n, 'file')})" for name, why, n in self.left_out if why == "bad"]
        if bad:
            lines.append(
                f"marked bad, not used: {few(bad, 8)} (column 'left_out_channels' of "
                f"{FILES_REPORT})"
            )
        for_events = [
            f"{name} ({why}, {_count(n, 'file')})"
            for name, why, n in self.left_out
            if self._used_for_events(name, why)
        ]
        if for_events:
            lines.append(
                f"used for events (--events-from-stim), not embedded: {few(for_events, 8)}"
            )
        typed = [
            f"{name} ({why}, {_count(n, 'file')})"
            for name, why, n in self.left_out
            if why != "bad" and not self._used_for_events(name, why)
        ]
        if typed:
            lines.append(
                f"not EEG by type, not used: {few(typed, 8)} (column 'left_out_channels' of "
                f"{FILES_REPORT})"
            )
        lines += self._warned_lines()
        lines.append(  # the checked reader docs/outputs.md recommends, not pandas'
            f"read with: eegpt.read_embeddings({str(self.output_dir)!r}), which checks that "
            "the shards belong to one run (docs/outputs.md)"
        )
        return "\n".join(lines)

    def _nothing_to_retry(self) -> str:
        """What ``--retry-failed`` found where no shard recorded a failed recording."""
        if self.shards_skipped == 0:
            return (
                f"--retry-failed: no failed recordings in {self.output_dir} (no shard of an "
                "earlier run there): nothing to retry; its files are embedded as by a first run"
            )
        return (
            f"--retry-failed: no failed recordings in {self.output_dir} (none of its "
            f"{_count(self.shards_skipped, 'shard')} records one): nothing to retry"
        )

    def _failed_lines(self) -> list[str]:
        """The failed files: where they are listed, what to do, and the first three."""
        if not self.errors:
            return []
        lines = [
            f"failed ({len(self.errors)}, all in {self.output_dir / ERRORS_REPORT}; files "
            "fixed on disk: run again with --retry-failed / retry_failed=True; failures that "
            "need another setting: embed those files into a new folder (eegpt "
            f"embed-dataset {self.output_dir / ERRORS_REPORT} -o NEW_FOLDER with that setting; it reads "
            "the paths and ids) and read both folders with read_embeddings([...]); it refuses "
            "the two together where that setting makes the embeddings incomparable, as "
            "--no-average-reference does: read that folder apart then):"
        ]
        lines += [  # ids and errors with control characters escaped, on a line each
            f"  {terminal_text(e['recording_id'])}: {terminal_text(_short(e['error']))}"
            for e in self.errors[:3]
        ]
        if len(self.errors) > 3:
            lines.append(f"  ... and {len(self.errors) - 3} more")
        return lines

    def _warned_lines(self) -> list[str]:
        """How many files were warned of, of which kinds, and where the warnings are."""
        if not self.n_warned:
            return []
        kinds = ", ".join(f"{kind} {n}" for kind, n in self.warned.items())
        return [
            f"warnings in {self.n_warned} of {self.n_files} files ({kinds}): see the "
            f"'warnings' column of {self.output_dir / FILES_REPORT}"
        ]

    def attention_text(self) -> str:
        """What of :meth:`__str__` needs the user's attention, for a WARNING of its own: its
        first line (the counts), the failed files and the files warned of; empty when no
        file failed or was warned of."""
        needing = self._failed_lines() + self._warned_lines()
        return "\n".join([str(self).split("\n", 1)[0], *needing]) if needing else ""

    def _used_for_events(self, name: str, why: str) -> bool:
        """Whether the channel ``name``, left out as ``why``, is the stim channel the run's
        ``--events-from-stim`` takes its events from (:attr:`events_from`)."""
        if self.events_from is None:
            return False
        channel = self.events_from.get("channel")
        return name == channel if channel else why == "stim"


def _dropped_hint(
    dropped: Sequence[tuple[str, int]], renamed: Mapping[str, str] | None = None
) -> str:
    """What to do of the channels not used (``dropped``: name, files): a rename where one may
    be an EEG electrode under another spelling (:func:`eegpt.vocabulary.may_be_electrode`);
    none for those the run's rename named as electrodes outside the vocabulary already
    (``renamed``: name -> electrode, :func:`renamed_outside`: a cap's socket ``B29`` ->
    ``P10``), for other signals (``EKG``, ``EOG``, ``EMG`` ...) and electrodes outside the
    vocabulary (``A1``), which the model has no embedding for."""
    from eegpt.vocabulary import may_be_electrode

    report = f"column 'dropped_channels' of {FILES_REPORT}"
    outside = {name: (renamed or {})[name] for name, _ in dropped if name in (renamed or {})}
    maybe = [name for name, _ in dropped if name not in outside and may_be_electrode(name)]
    if not maybe and not outside:
        return (
            "other signals (ECG/EKG, EOG, EMG ...) or electrodes outside the model's "
            f"vocabulary: none to rename; {report}"
        )
    parts = []
    if outside:
        pairs = few([f"{name} -> {site}" for name, site in outside.items()], 4)
        parts.append(
            f"{pairs}: renamed to electrodes outside the model's vocabulary, "
            "which it has no embedding for"
        )
    if maybe:
        parts.append(
            f"{few(maybe, 4)} may be {'an EEG electrode' if len(maybe) == 1 else 'EEG electrodes'}"
            " under another spelling: --rename 'NAME=VOCAB'"
        )
    if len(maybe) + len(outside) < len(dropped):
        parts.append("the others are other signals or electrodes outside the vocabulary")
    return "; ".join([*parts, report])


def renamed_outside(
    dropped: Sequence[tuple[str, int]], rename: Mapping[str, str | None] | None
) -> dict[str, str]:
    """The channels of ``dropped`` (name, files) that ``rename`` (the run's table) names as
    electrodes outside the vocabulary (``{"B29": "P10"}``: dropped as such, with a warning in
    each file), not as channels to rename."""
    from eegpt.vocabulary import normalize_channel_name

    table = rename or {}
    return {
        name: str(target)
        for name, _ in dropped
        if (target := table.get(name)) is not None and normalize_channel_name(target) is None
    }


def dropped_channel_counts(
    rows: list[dict[str, Any]], rename: Mapping[str, str | None] | None = None
) -> list[tuple[str, int]]:
    """Each input channel left out of the embedded files and of those skipped as too short
    (whose channels were mapped before their length was checked, and whose warnings the run
    summary counts too), with how many files had it; not those the ``rename`` leaves out on
    purpose (``{name: None}``, ``--drop NAME``, a table's empty electrode)."""
    counts: Counter[str] = Counter()
    on_purpose = {name for name, target in (rename or {}).items() if target is None}
    for row in rows:
        names = row.get("dropped_channels") or []
        names = names.split(" | ") if isinstance(names, str) else names
        # --drop C1 beside a cap's table: the socket the table names C1
        by_electrode = set(drops_by_electrode(rename or {}, names).values())
        if row.get("status") in ("ok", TOO_SHORT):
            counts.update(
                dict.fromkeys([n for n in names if n not in on_purpose | by_electrode], 1)
            )
    return counts.most_common()


#: Why a channel was left out by choice (:func:`eegpt.io.left_out_channels`, not kept by
#: ``keep``): not what the summary's line of channels left out names.
_CHOSEN = ("not picked", "not kept")


def left_out_channel_counts(rows: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """Each input channel left out before mapping (a file status's ``left_out``) as marked
    bad (``"bad"``) or not EEG by type (its type), with how many of the embedded files and
    those skipped as too short had it so, most files first; not those left out by choice
    (:data:`_CHOSEN`)."""
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        left_out = row.get("left_out")
        if row.get("status") in ("ok", TOO_SHORT) and isinstance(left_out, Mapping):
            counts.update(
                (str(name), str(why)) for name, why in left_out.items() if why not in _CHOSEN
            )
    return [(name, why, n) for (name, why), n in counts.most_common()]


def embedded_channel_sets(rows: list[dict[str, Any]]) -> list[tuple[tuple[str, ...], list[str]]]:
    """The channel sets of the embedded files with their recording ids, most files first."""
    sets: dict[tuple[str, ...], list[str]] = {}
    for row in rows:
        if row.get("status") == "ok" and row.get("channels"):
            sets.setdefault(tuple(sorted(row["channels"])), []).append(row["recording_id"])
    return sorted(sets.items(), key=lambda item: -len(item[1]))


# A path of folders and a file name (POSIX or Windows) in an error's text: group 1 the name.
_LONG_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?[/\\](?:[^\s/\\'\"]+[/\\])+([^\s/\\'\"]+)")


# The opening of a reader's error that names the file the summary's line names already.
_READ_FAILED = re.compile(r"^(?:RecordingError: )?could not read EEG file \S+?: ")


def _short(text: str, limit: int = 300) -> str:
    """``text`` on one line (a traceback after it left out), every path in it shortened to
    its file name and an opening that names the recording left out (the full text is in
    ``_errors.csv``; the summary's line names the recording), then cut to about ``limit``
    characters in its middle, at spaces, so that both what failed (its start) and the advice
    (its end: ``--nearest``, what to fix) are kept."""
    text = " ".join(str(text).split(TRACEBACK_MARK, 1)[0].split())
    text = _READ_FAILED.sub("", _LONG_PATH.sub(r"\1", text))
    if len(text) <= limit:
        return text
    head, tail = text[: limit * 2 // 5], text[-(limit * 3 // 5 - 5) :]
    head = head.rsplit(" ", 1)[0] if " " in head[1:] else head
    tail = tail.split(" ", 1)[1] if " " in tail[:-1] else tail
    return f"{head} ... {tail}"
