"""The CSV tables eegpt writes besides export's (a run's reports, a part run's listing, their
anonymized copies) keep a cell holding a carriage return or a newline whole: pandas and
Python's csv read back the rows and cells written (eegpt._csv_text)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from eegpt._csv_text import csv_line_end, csv_text
from eegpt.anonymize import _copy_run, _Scrubber
from eegpt.dataset_folders import CORPUS_LISTING
from eegpt.dataset_runs import write_listing
from eegpt.shard_writer import _REPORT_COLUMNS, write_report_csv

#: file names and texts a cell may hold: a carriage return (bare, or before a newline), a
#: newline, a comma and a quote, and plain ones
NAMES = ["a\rb.edf", "c\r\nd.edf", 'e,"f"\ng.edf', "plain.edf"]


def _read_back(path: Path) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """``path`` as pandas reads it (all text) and as Python's csv reads it."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return frame, rows


@pytest.mark.parametrize(
    ("column", "names"), [("name", NAMES), ("name\rx", ["plain.edf"]), ("name", ["plain.edf"])]
)
def test_csv_text_reads_back_the_cells_written(column, names, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(csv_text([column, "n"], [[name, i] for i, name in enumerate(names)]).encode())
    frame, rows = _read_back(path)
    assert frame[column].tolist() == names and [r[column] for r in rows] == names
    assert frame["n"].tolist() == [str(i) for i in range(len(names))]
    # RFC 4180's line ends only where a cell needs them, else the "\n" the tables had
    assert (b"\r\n" in path.read_bytes()) == any("\r" in n for n in [column, *names])


def test_the_line_end_is_crlf_only_for_a_text_holding_a_carriage_return():
    assert csv_line_end(["a", "b\nc", 1.5, None]) == "\n"
    assert csv_line_end(["a", "b\rc"]) == "\r\n"


def test_a_cell_that_is_no_string_is_looked_at_as_the_text_written():
    """A cell the csv writer writes as its str (a Path of a file name holding a carriage
    return) was not looked at, so its line was written with "\\n" and split there."""
    assert csv_line_end([Path("a\rb.edf"), 2, True]) == "\r\n"
    text = csv_text(["path", "n"], [[Path("x/a\rb.edf"), 1], {"path": Path("c.edf"), "n": 2}])
    frame = pd.read_csv(io.StringIO(text, newline=""), dtype=str)
    assert frame["path"].tolist() == [str(Path("x/a\rb.edf")), "c.edf"]
    assert frame["n"].tolist() == ["1", "2"]


def test_a_run_report_keeps_file_names_and_warnings_holding_line_breaks(tmp_path):
    path = tmp_path / "_files.csv"
    statuses = [
        {"recording_id": f"r{i}", "path": name, "status": "ok", "warnings": [name, "w\rx"]}
        for i, name in enumerate(NAMES)
    ]
    write_report_csv(path, statuses)
    frame, rows = _read_back(path)
    assert list(frame.columns) == _REPORT_COLUMNS
    assert frame["path"].tolist() == NAMES and [r["path"] for r in rows] == NAMES
    assert frame["warnings"].tolist() == [f"{name} | w\rx" for name in NAMES]
    assert [r["recording_id"] for r in rows] == ["r0", "r1", "r2", "r3"]


def test_a_part_run_listing_keeps_paths_holding_line_breaks(tmp_path):
    files = [
        SimpleNamespace(path_text=name, recording_id=f"id\r{i}") for i, name in enumerate(NAMES)
    ]
    write_listing(tmp_path, SimpleNamespace(files=files))
    frame, rows = _read_back(tmp_path / CORPUS_LISTING)
    assert frame["path"].tolist() == NAMES and [r["path"] for r in rows] == NAMES
    assert [r["recording_id"] for r in rows] == [f"id\r{i}" for i in range(len(NAMES))]


def test_an_anonymized_report_keeps_cells_holding_line_breaks(tmp_path):
    folder, out = tmp_path / "run", tmp_path / "copy"
    folder.mkdir()
    out.mkdir()
    (folder / "_manifest.json").write_text(json.dumps({"source": "m.csv"}))
    header = ["recording_id", "status", "warnings"]
    rows = [{"recording_id": f"r{i}", "status": "ok", "warnings": n} for i, n in enumerate(NAMES)]
    _copy_run(folder, out, _Scrubber({}, None), {}, {}, [], {"_files.csv": (header, rows)})
    frame, read = _read_back(out / "_files.csv")
    assert frame["warnings"].tolist() == NAMES and [r["warnings"] for r in read] == NAMES
    assert frame["recording_id"].tolist() == ["r0", "r1", "r2", "r3"]
