"""The manifest columns a corpus run reads (`bads`) and how it writes the others."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import unicodedata
import warnings

import mne
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from eegpt.dataset import (
    ERRORS_REPORT,
    FILES_REPORT,
    embed_dataset,
    load_file,
    read_embeddings,
    resolve_inputs,
)
from eegpt.dataset_inputs import bads_of_cell
from eegpt.demo import synthetic_raw, write_edf
from eegpt.errors import EEGPTUserWarning
from eegpt.outputs import load_embeddings
from eegpt.preprocessing import PreprocessingConfig

RUN = dict(workers=0, device="cpu", progress=False)


@pytest.fixture(scope="module")
def edfs(tmp_path_factory):
    """Three EDF files of 16 s with TUH-style labels ('EEG C3-REF')."""
    folder = tmp_path_factory.mktemp("edfs")
    return [
        write_edf(synthetic_raw(minutes=16 / 60, seed=i)[0], folder / f"rec{i}.edf")
        for i in range(3)
    ]


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("EEG C3-REF; EEG O1-REF", ("EEG C3-REF", "EEG O1-REF")),
        (" C3 , O1 ,", ("C3", "O1")),
        ("Fp1, left; O1", ("Fp1, left", "O1")),  # ';' given: commas belong to the labels
        ("", ()),
        (None, ()),
        (float("nan"), ()),
        (["Fp1", " Cz "], ("Fp1", "Cz")),  # a Parquet list cell: one label per element
        (("Fp1, left", "O1;x"), ("Fp1, left", "O1;x")),
        (np.array(["Fp1", "Cz"], dtype=object), ("Fp1", "Cz")),
        ([], ()),
    ],
)
def test_a_bads_cell_lists_channel_names(cell, names):
    assert bads_of_cell(cell) == names


def test_a_parquet_bads_column_of_lists_gives_each_label_whole(edfs, tmp_path):
    """A Parquet manifest whose ``bads`` column holds lists (as pandas writes a column of
    lists) marks each element bad as it is."""
    manifest = tmp_path / "manifest.parquet"
    table = pd.DataFrame({"path": [str(p) for p in edfs[:2]], "bads": [["Fp1", "Cz"], []]})
    table.to_parquet(manifest)
    inputs = resolve_inputs(manifest)
    assert [f.bads for f in inputs.files] == [("Fp1", "Cz"), ()]


def test_a_manifest_bads_column_leaves_channels_out_as_drop_does(edfs, model, tmp_path):
    """Channels a file's row lists under bads are left out of that file's embedding and
    average reference, exactly as --drop leaves them out, and recorded as bad; an empty cell
    marks none."""
    manifest = tmp_path / "list.csv"
    manifest.write_text(f"path,bads\n{edfs[0]},EEG C3-REF; EEG O1-REF\n{edfs[1]},\n")
    marked = tmp_path / "marked"
    embed_dataset(manifest, marked, model=model, **RUN)
    dropped = tmp_path / "dropped"
    rename = {"EEG C3-REF": None, "EEG O1-REF": None}
    embed_dataset([edfs[0]], dropped, model=model, rename=rename, **RUN)
    plain = tmp_path / "plain"
    embed_dataset([edfs[1]], plain, model=model, **RUN)
    df, z = read_embeddings(marked)
    first = (df.path == str(edfs[0])).to_numpy()
    np.testing.assert_array_equal(z[first], read_embeddings(dropped)[1])
    np.testing.assert_array_equal(z[~first], read_embeddings(plain)[1])
    assert "C3" not in df.channels[first].iloc[0] and "C3" in df.channels[~first].iloc[0]
    one = load_embeddings(marked, recording_id=df.recording_id[first].iloc[0])
    assert one.metadata["left_out"] == {"EEG C3-REF": "bad", "EEG O1-REF": "bad"}
    assert any("marked bad were left out: ['EEG C3-REF', 'EEG O1-REF']" in w
               for w in one.metadata["warnings"])  # fmt: skip


def test_a_bads_name_the_file_lacks_fails_that_file(edfs, model, tmp_path):
    manifest = tmp_path / "list.csv"
    manifest.write_text(f"path,bads\n{edfs[0]},EEG C3-RFE\n{edfs[1]},EEG C3-REF\n")
    out = tmp_path / "out"
    summary = embed_dataset(manifest, out, model=model, **RUN)
    assert (summary.n_ok, summary.n_failed) == (1, 1)
    error = pd.read_csv(out / ERRORS_REPORT).error.iloc[0]
    assert f"{edfs[0]}: the channel(s) ['EEG C3-RFE'] to mark bad (bads) are not in" in error
    assert "Did you mean: 'EEG C3-RFE' -> 'EEG C3-REF'?" in error


def test_bads_apply_to_a_file_of_epochs_too(tmp_path):
    raw, _ = synthetic_raw(minutes=16 / 60, seed=5)
    path = tmp_path / "x-epo.fif"
    mne.make_fixed_length_epochs(raw, 4.0, verbose="error").save(path, verbose="error")
    loaded = load_file(0, str(path), PreprocessingConfig(), bads=["EEG C3-REF"])
    assert loaded.error is None and loaded.mapping["left_out"] == {"EEG C3-REF": "bad"}
    assert "EEG C3-REF" not in loaded.mapping["input_names"]
    failed = load_file(0, str(path), PreprocessingConfig(), bads=["EEG C9-REF"])
    assert "['EEG C9-REF'] to mark bad (bads) are not in the recording" in failed.error


@pytest.mark.parametrize("column", ["bad_channels", "BadChannels", "Exclude", "drop"])
def test_a_column_named_like_bads_is_said_to_be_ignored(edfs, column):
    manifest_text = f"path,{column}\n{edfs[0]},EEG C3-REF\n"
    manifest = edfs[0].parent / f"{column}.csv"
    manifest.write_text(manifest_text)
    with pytest.warns(EEGPTUserWarning, match=rf"does not read the column\(s\) \['{column}'\], "
                      r"only copies them .* name the column 'bads'") as caught:  # fmt: skip
        inputs = resolve_inputs(manifest)
    assert len(caught) == 1 and inputs.files[0].bads == ()
    manifest.write_text(f"path,bad\n{edfs[0]},EEG C3-REF\n")  # an output column too
    with pytest.raises(ValueError, match=r"\['bad'\] clash with .* rename them; to mark "
                       r"channels bad in a file, name the column 'bads'"):  # fmt: skip
        resolve_inputs(manifest)


@pytest.mark.parametrize(
    ("column", "option"), [("crop_tmin", "--crop"), ("window_seconds", "--window")]
)
def test_a_column_named_as_a_run_setting_is_said_to_be_ignored(edfs, column, option):
    """A manifest column named as a run-wide preprocessing setting (crop_tmin ...) is copied
    as metadata, not applied per file: the warning says so and names the option."""
    manifest = edfs[0].parent / f"{column}.csv"
    manifest.write_text(f"path,{column}\n{edfs[0]},-0.2\n")
    with pytest.warns(EEGPTUserWarning, match=rf"does not read the column\(s\) \['{column}'\], "
                      rf"only copies them .* whole run, given by {option}") as caught:  # fmt: skip
        inputs = resolve_inputs(manifest)
    assert len(caught) == 1 and len(inputs.files) == 1


def _scaled_copy(edf, path, factor: float = 1.0, offset: float = 0.0):
    """The recording of ``edf`` saved as FIF with its samples times ``factor`` plus ``offset``
    volts (a DC-coupled amplifier's offsets, or a wrong unit)."""
    raw = mne.io.read_raw_edf(edf, preload=True, verbose="error")
    raw.apply_function(lambda x: x * factor + offset)
    raw.save(path, fmt="double", verbose="error")
    return path


def test_a_file_record_keeps_long_warnings_with_their_advice(edfs, model, tmp_path):
    """The offset warning (longer than 500 characters) reaches _files.csv and the read-back
    metadata whole: its remedy at the end is kept."""
    dc = _scaled_copy(edfs[0], tmp_path / "dc_raw.fif", offset=0.03)
    out = tmp_path / "out"
    embed_dataset([dc], out, model=model, **RUN)
    said = pd.read_csv(out / FILES_REPORT).warnings.iloc[0]
    offset = next(w for w in said.split(" | ") if "offset check" in w)
    assert len(offset) > 500 and offset.endswith("(raw.filter(l_freq=0.5, h_freq=None) in MNE).")
    one = load_embeddings(out, recording_id=read_embeddings(out)[0].recording_id.iloc[0])
    assert offset in one.metadata["warnings"]


def test_eegpt_info_summarises_the_warnings_and_names_the_files_with_offsets(
    edfs, model, tmp_path, capsys
):
    """`eegpt info RUN_FOLDER` said nothing of the warnings the run recorded for its files
    (the 'warnings' column of _files.csv): the end of the run counted them, info did not.
    It counts them by kind, and names the files with DC offsets or drift far beyond their
    signal (the offset check: embeddings of offsets) with how many channels, for a run folder
    and a folder of runs."""
    from eegpt.cli import main

    dc = _scaled_copy(edfs[0], tmp_path / "dc_raw.fif", offset=0.03)
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embed_dataset([dc, edfs[1]], out, model=model, **RUN)
    capsys.readouterr()
    main(["info", str(out)])
    said = capsys.readouterr().out
    assert "  files with warnings: 2 of 2 (" in said and "offset check 1" in said
    assert f"the 'warnings' column of {out / FILES_REPORT} has them in full" in said
    offsets = next(line for line in said.splitlines() if "(offset check): " in line)
    assert offsets.startswith("  1 file with offsets or drift far beyond the signal")
    assert re.search(r"\(offset check\): \S*dc_raw\.fif \(\d+ channels\)\. ", offsets), offsets
    assert "embed them again with --detrend linear (or high-pass filter them first)" in said
    shutil.copytree(out, tmp_path / "parts" / "run-a")
    main(["info", str(tmp_path / "parts")])
    said = capsys.readouterr().out
    assert f"column of {tmp_path / 'parts' / 'run-a' / FILES_REPORT} has" in said
    assert "  files with warnings: 2 of 2 (" in said and "dc_raw.fif (" in said


@pytest.mark.filterwarnings("ignore:.*3 channel:RuntimeWarning")
def test_the_amplitude_advice_of_a_corpus_run_names_the_manifest_column(edfs, model, tmp_path):
    """In a corpus run from a manifest, a file in microvolts labelled as volts is told to take
    the factor in its manifest row (--rescale would rescale every file), not on the command
    line; in a run from files (or a folder, a glob), which has no manifest, that --rescale
    rescales them all and that a manifest's rescale column can set it for the one file."""
    wrong = _scaled_copy(edfs[0], tmp_path / "uv_raw.fif", factor=1e6)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"path\n{wrong}\n{edfs[1]}\n")
    embed_dataset(manifest, tmp_path / "out", model=model, **RUN)
    said = pd.read_csv(tmp_path / "out" / FILES_REPORT).warnings.iloc[0]
    assert (
        "rescale the samples as read by 1e-06: 1e-06 in the manifest's rescale column for "
        "this file (or --rescale 1e-06 if every file of the run needs it)" in said
    )
    assert "on the command line" not in said
    embed_dataset([wrong, edfs[1]], tmp_path / "listed", model=model, **RUN)
    said = pd.read_csv(tmp_path / "listed" / FILES_REPORT).warnings.iloc[0]
    assert (
        "rescale the samples as read by 1e-06: --rescale 1e-06 if every file of the run needs "
        "it (it rescales them all), or embed from a manifest (.csv with a path column) whose "
        "rescale column gives 1e-06 for this file" in said
    )
    assert "the manifest's rescale column" not in said and "on the command line" not in said
    with pytest.warns(RuntimeWarning, match=r"--rescale 1e-06 on the command line"):
        model.embed(wrong)  # one file: the option is for it alone


def test_manifest_columns_have_one_type_in_every_shard_and_run(edfs, model, tmp_path):
    """A manifest column empty for the files of one shard (or of a whole run) is written with
    the type it has elsewhere, text where it is empty throughout: scanning shards of several
    runs together (polars) finds one type per column."""
    manifest = tmp_path / "list.csv"
    manifest.write_text(f"path,note,site,score\n{edfs[0]},,,\n{edfs[1]},,,\n{edfs[2]},flat Cz,,2\n")
    embed_dataset(manifest, tmp_path / "one", model=model, shard_size=2, **RUN)
    empty = tmp_path / "empty.csv"
    empty.write_text(f"path,note,site,score\n{edfs[0]},,,\n")
    embed_dataset(empty, tmp_path / "two", model=model, **RUN)
    shards = sorted(tmp_path.glob("*/shard-*.parquet"))
    assert len(shards) == 3
    for shard in shards:
        schema = pq.read_schema(shard)
        assert (schema.field("note").type, schema.field("site").type) == (pa.string(),) * 2
    assert {str(pq.read_schema(s).field("score").type) for s in shards[:2]} == {"int64"}


def test_a_kept_channel_marked_bad_is_said_left_out_not_absent(edfs, model, tmp_path):
    """With --keep-channels, a file whose kept channel is marked bad (bads column) is said to
    leave it out, not to lack it; the run summary and read_embeddings name such causes of
    different channel sets, not the option already given."""
    manifest = tmp_path / "list.csv"
    manifest.write_text(f"path,bads\n{edfs[0]},EEG C3-REF\n{edfs[1]},\n")
    out = tmp_path / "out"
    summary = embed_dataset(manifest, out, model=model, keep="10-20", **RUN)
    text = str(summary)
    assert "2 different channel sets" in text and "marked bad" in text
    assert "--rename that missed" not in text and "--keep-channels 10-20" not in text
    with pytest.warns(Warning, match="different channel sets") as caught:
        df, _ = read_embeddings(out, embeddings=False)
    message = next(str(w.message) for w in caught if "channel sets" in str(w.message))
    assert "marked bad" in message and "--keep-channels 10-20" not in message
    one = load_embeddings(out, recording_id=df.recording_id[df.path == str(edfs[0])].iloc[0])
    said = [w for w in one.metadata["warnings"] if "channels to keep" in w]
    assert len(said) == 1 and "not in this recording" not in said[0]
    assert "1 of the 19 channels to keep is left out of this recording (marked bad: C3)" in said[0]


def _bdf(path, names, seconds: float = 8.0):
    info = mne.create_info(list(names), 256.0, "eeg")
    data = np.random.default_rng(0).normal(0, 2e-5, (len(names), int(256 * seconds)))
    mne.export.export_raw(path, mne.io.RawArray(data, info, verbose=False), verbose=False)
    return path


def test_a_bads_cell_takes_the_electrode_a_channel_maps_to(edfs, tmp_path):
    """bads is per file: a cell names a label of the file, or the electrode one of its
    channels maps to after the rename (C3: the socket A13 under biosemi64, or EEG C3-REF);
    a socket-like name on a file of 10-10 names gets no electrode of a near spelling."""
    import warnings

    sockets = _bdf(tmp_path / "b1.bdf", [f"{bank}{i}" for bank in "AB" for i in range(1, 33)])
    config = PreprocessingConfig()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # P9, Iz ... outside the vocabulary; untrained AF7
        loaded = load_file(0, str(sockets), config, rename="biosemi64", bads=["C3"])
        assert loaded.error is None and loaded.mapping["left_out"] == {"A13": "bad"}
        tuh = load_file(0, str(edfs[0]), config, bads=["C3"])
        assert tuh.error is None and tuh.mapping["left_out"] == {"EEG C3-REF": "bad"}
        ten_ten = _bdf(
            tmp_path / "b3.bdf", mne.channels.make_standard_montage("biosemi64").ch_names
        )
        failed = load_file(0, str(ten_ten), config, rename="biosemi64", bads=["A13"])
    assert (
        "['A13'] look like BioSemi socket labels, but this recording's labels are 10-10 names"
        in (failed.error)
    )
    assert "-> 'AF3'" not in failed.error


def test_the_columns_eegpt_reads_are_written_in_one_type_whatever_the_cells(edfs, model, tmp_path):
    """Two sites' manifests, one with its rescale column left empty and numbered bads
    labels, the other with numbers and text: every shard types rescale float64 (empty: null)
    and bads/annotations_file as text, so the runs' shards join in one Parquet scan."""
    from eegpt.dataset import shard_files

    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    one.write_text(f"path,rescale,bads,annotations_file\n{edfs[0]},,,\n")
    two.write_text(f"path,rescale,bads,annotations_file\n{edfs[1]},1.0,EEG C3-REF,\n")
    types = []
    for manifest in (one, two):
        out = tmp_path / manifest.stem
        embed_dataset(manifest, out, model=model, **RUN)
        schema = pq.read_schema(shard_files(out)[0])
        types.append(
            {c: str(schema.field(c).type) for c in ("rescale", "bads", "annotations_file")}
        )
    assert types[0] == types[1] == {
        "rescale": "double", "bads": "string", "annotations_file": "string",
    }  # fmt: skip
    df, _ = read_embeddings(tmp_path / "one", embeddings=False)
    assert df.rescale.isna().all()


def test_eegpt_info_names_a_cap_table_instead_of_listing_it(edfs, model, tmp_path):
    """A run with rename='biosemi64' is described by the table's source and its number of
    entries, not its 64 entries."""
    from eegpt.dataset_report import describe_output

    out = tmp_path / "out"
    embed_dataset([edfs[0]], out, model=model, rename="biosemi64", **RUN)  # not applied
    (line,) = [x for x in describe_output(out).splitlines() if x.startswith("  channels:")]
    assert "rename (biosemi64, 64 entries)" in line and "'A1'" not in line


def test_a_semicolon_csv_from_german_excel_is_read_with_its_decimal_commas(edfs, tmp_path, caplog):
    """A ``.csv`` whose header line has ';' and no ',' (Excel's CSV where the decimal separator
    is a comma; here with its byte-order mark and CRLF line ends) is read as ';'-separated,
    said in the log; its ``rescale`` of ``0,5`` is 0.5, other cells are kept as written."""
    folder = tmp_path / "Patientin_Müller"
    folder.mkdir()
    (folder / "Ruhe-EEG ä.edf").write_bytes(edfs[0].read_bytes())
    manifest = tmp_path / "m.csv"
    manifest.write_bytes(
        "\ufeffpath;recording_id;rescale;Gewicht\r\n"
        "Patientin_Müller/Ruhe-EEG ä.edf;Müller_Ruhe;0,5;72,5\r\n".encode()
    )
    with caplog.at_level("INFO", logger="eegpt"):
        inputs = resolve_inputs(manifest)
    assert "read as ';'-separated" in caplog.text and str(manifest) in caplog.text
    (file,) = inputs.files
    assert (file.recording_id, file.rescale) == ("Müller_Ruhe", 0.5)
    assert file.path == str((folder / "Ruhe-EEG ä.edf").resolve())
    assert inputs.metadata.column("Gewicht").to_pylist() == ["72,5"]
    assert inputs.metadata.column("rescale").to_pylist() == [0.5]


def test_a_manifest_s_decimal_commas_follow_the_delimiter_it_was_read_with(edfs, tmp_path):
    """The ``rescale`` of a ';'-separated manifest is read with decimal commas by the delimiter
    the table was read with, not by its first line read again as bytes: in UTF-16 (Excel's
    "Unicode Text" saved as .csv) a column named ``Ь`` (U+042C) holds the byte of ',', which
    the text has not."""
    manifest = tmp_path / "m.csv"
    text = f"path;recording_id;rescale;\u042c\r\n{edfs[0]};r1;0,5;x\r\n"
    manifest.write_bytes(text.encode("utf-16"))
    assert b"," in manifest.read_bytes().split(b"\n", 1)[0]
    (file,) = resolve_inputs(manifest).files
    assert (file.recording_id, file.rescale) == ("r1", 0.5)


def test_a_manifest_not_in_utf8_is_refused_naming_its_line_and_the_fix(edfs, tmp_path):
    """A manifest saved as cp1252 (Excel's plain CSV on Windows) is refused, naming the file,
    its first line that is not UTF-8 and how to convert it, not guessed."""
    manifest = tmp_path / "m.csv"
    manifest.write_bytes(f"path,recording_id\n{edfs[0]},Müller\n".encode("cp1252"))
    with pytest.raises(ValueError, match=r"m\.csv is not UTF-8 text: line 2 .* 'CSV UTF-8' .* "
                       r"iconv -f cp1252 -t utf-8 .*m\.csv > .*m-utf8\.csv"):  # fmt: skip
        resolve_inputs(manifest)


@pytest.mark.parametrize("name", ["m.tsv", "m.csv", "m.txt"])
def test_a_utf16_manifest_excel_unicode_text_is_read(edfs, tmp_path, name):
    """Excel's "Unicode Text" export (UTF-16 LE with a BOM, tab-separated, CRLF; saved as
    .tsv, or renamed .csv) is read as the table it is, not refused as cp1252."""
    manifest = tmp_path / name
    text = f"path\trecording_id\trescale\r\n{edfs[0]}\tMüller\t0.5\r\n"
    manifest.write_bytes(text.encode("utf-16"))  # BOM FF FE, then little-endian
    if name.endswith(".txt"):  # a manifest is .csv/.tsv/.parquet; the text reader itself
        from eegpt.text_tables import table_text

        assert table_text(manifest) == text
        manifest.write_bytes(text.encode("utf-16-le"))  # no BOM: named as UTF-16, not cp1252
        with pytest.raises(ValueError, match=r"UTF-16 .*iconv -f utf-16 -t utf-8"):
            table_text(manifest)
        return
    (file,) = resolve_inputs(manifest).files
    assert (file.recording_id, file.rescale) == ("Müller", 0.5)


def test_a_decimal_comma_in_a_comma_csv_rescale_is_named(edfs, tmp_path):
    """A ``rescale`` of ``0,5`` in a ','-separated manifest (a quoted cell) is refused with the
    hint to write 0.5, its row counted as the repeated-file message counts rows."""
    manifest = tmp_path / "m.csv"
    manifest.write_text(f'path,rescale\n{edfs[0]},1e-6\n{edfs[1]},"0,5"\n')
    with pytest.raises(ValueError, match=r"row 1: '0,5' \(decimal comma\? write 0\.5\) \(rows "
                       r"counted from 0 after the header line\)"):  # fmt: skip
        resolve_inputs(manifest)
    manifest.write_text(f"path,recording_id\n{edfs[0]},a\n{edfs[0]},b\n")
    with pytest.raises(ValueError, match=r"rows 0 and 1 .* \(rows counted from 0 after the header"):
        resolve_inputs(manifest)


def test_a_table_that_cannot_be_parsed_is_named_with_its_delimiter(edfs, tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path,recording_id\n{edfs[0]},a,extra\n")
    with pytest.raises(ValueError, match=r"m\.csv cannot be read as a table of comma-separated "
                       r"cells: .*Expected 2 columns, got 3"):  # fmt: skip
        resolve_inputs(manifest)


@pytest.mark.skipif(os.sep != "/", reason="a drive path is a path on Windows")
def test_a_windows_drive_path_in_a_manifest_is_said_so(edfs, model, tmp_path):
    """A manifest written on Windows (C:\\data\\sub-01.edf, D:/eeg/x.edf) names files that
    POSIX reads as relative names: the not-found error says the path looks like a Windows
    drive path, how to write it, and the tail that exists relative to the manifest."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "sub-01.edf").write_bytes(edfs[0].read_bytes())
    manifest = tmp_path / "m.csv"
    manifest.write_text("path\nC:\\data\\sub-01.edf\nD:/eeg/x.edf\n", encoding="utf-8")
    summary = embed_dataset(manifest, tmp_path / "out", model=model, **RUN)
    errors = {e["recording_id"]: e["error"] for e in summary.errors}
    found = errors["C:\\data\\sub-01.edf"]
    assert "'C:\\data\\sub-01.edf' looks like a Windows drive path" in found
    assert "relative to the manifest's folder" in found
    assert f"{tmp_path / 'data' / 'sub-01.edf'} exists: write 'data/sub-01.edf'" in found
    absent = errors["D:/eeg/x.edf"]
    assert "'D:/eeg/x.edf' looks like a Windows drive path" in absent and "exists" not in absent
    errors_csv = pd.read_csv(tmp_path / "out" / ERRORS_REPORT)  # not read: length unknown
    assert len(errors_csv) == 2 and errors_csv.duration_s.isna().all()


def test_an_id_differing_only_in_unicode_normalisation_is_said_so(edfs, model, tmp_path):
    """load_embeddings with a recording id in NFC where the run stored it in NFD (a name
    copied from a Mac) says the two differ only in normalisation and shows the stored one
    escaped; a missing id lists ids of files that have windows, not of a failed file."""
    nfd = unicodedata.normalize("NFD", "Müller ä.edf")
    (tmp_path / nfd).write_bytes(edfs[0].read_bytes())
    (tmp_path / "broken.edf").write_bytes(b"not an EDF file")
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path\nbroken.edf\n{nfd}\n")
    out = tmp_path / "out"
    embed_dataset(manifest, out, model=model, **RUN)
    assert len(load_embeddings(out, recording_id=nfd).data)
    nfc = unicodedata.normalize("NFC", nfd)
    with pytest.raises(KeyError, match=r"differs from the one given, 'M\\\\xfcller \\\\xe4\.edf', "
                       r"only in Unicode normalisation") as caught:  # fmt: skip
        load_embeddings(out, recording_id=nfc)
    assert ascii(nfd).replace("\\", "\\\\") in str(caught.value)
    with pytest.raises(KeyError, match=r"no such file \(its ids are like '[^']+'\)") as caught:
        load_embeddings(out, recording_id="other.edf")
    assert "broken.edf" not in str(caught.value)


def test_a_filter_on_an_id_in_another_unicode_normalisation_is_said_so(edfs, model, tmp_path):
    """read_embeddings filtering recording_id on the NFC spelling of an id the run stored in
    NFD (a name from a Mac) selects no row, and says so naming the stored spelling; the stored
    spelling selects the rows, without a warning; an ASCII id that is not there says nothing."""
    nfd = unicodedata.normalize("NFD", "Müller.edf")
    (tmp_path / nfd).write_bytes(edfs[0].read_bytes())
    (tmp_path / "plain.edf").write_bytes(edfs[1].read_bytes())
    out = tmp_path / "out"
    embed_dataset(tmp_path, out, pattern="*.edf", model=model, **RUN)
    nfc = unicodedata.normalize("NFC", nfd)
    for filters in ([("recording_id", "==", nfc)], [("recording_id", "in", [nfc, "plain.edf"])]):
        with pytest.warns(RuntimeWarning, match="only in Unicode normalisation") as caught:
            table, _ = read_embeddings(out, filters=filters, embeddings=False)
        assert nfd not in set(table.recording_id)
        texts = [str(w.message) for w in caught if "normalisation" in str(w.message)]
        assert len(texts) == 1 and ascii(nfd) in texts[0] and ascii(nfc) in texts[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table, _ = read_embeddings(out, filters=[("recording_id", "==", nfd)], embeddings=False)
        assert len(table) and set(table.recording_id) == {nfd}
        table, _ = read_embeddings(out, filters=[("recording_id", "==", "x.edf")], embeddings=False)
        assert len(table) == 0


def test_a_manifest_start_seconds_column_starts_each_recordings_windows(edfs, model, tmp_path):
    """Lights-off differs per night: the manifest's start_seconds column starts a recording's
    windows at its own onset (an empty cell: the run's --start), kept as a column of its rows,
    recorded in its file record (the shard's footer)."""
    manifest = tmp_path / "nights.csv"
    manifest.write_text(f"path,start_seconds\n{edfs[0]},2\n{edfs[1]},\n{edfs[2]},0.5\n")
    out = tmp_path / "out"
    config = PreprocessingConfig(start_seconds=1.0)
    embed_dataset(manifest, out, model=model, preprocessing=config, **RUN)
    df, _ = read_embeddings(out, embeddings=False)
    first = df.groupby("recording_id", sort=False)["onset_s"].min()
    assert first.tolist() == [2.0, 1.0, 0.5]
    assert df.groupby("recording_id", sort=False).size().tolist() == [3, 3, 3]
    own = df.groupby("recording_id", sort=False)["start_seconds"].first()
    assert own.iloc[0] == 2.0 and pd.isna(own.iloc[1]) and own.iloc[2] == 0.5
    footer = pq.read_metadata(next(out.glob("shard-*.parquet"))).metadata[b"eegpt_shard"]
    records = {f["recording_id"]: f for f in json.loads(footer)["files"]}
    assert [records[f"{e}"].get("start_seconds") for e in edfs] == [2.0, None, 0.5]


def test_eegpt_info_says_where_a_corpus_records_its_own_starts(edfs, model, tmp_path, capsys):
    from eegpt.cli import main as cli_main

    manifest = tmp_path / "nights.csv"
    manifest.write_text(f"path,start_seconds\n{edfs[0]},2\n")
    embed_dataset(manifest, tmp_path / "out", model=model, **RUN)
    capsys.readouterr()
    assert cli_main(["info", str(tmp_path / "out")]) == 0
    assert (
        "start_seconds per recording: the manifest's start_seconds column (a column of each "
        "row); 0 s (--start) for the files it leaves empty" in capsys.readouterr().out
    )


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ("-4", "row 1: -4 is not 0 or more seconds"),
        ("late", "row 1: 'late' is not 0 or more seconds"),
    ],
)
def test_a_start_seconds_cell_that_is_no_start_is_refused_naming_its_row(
    edfs, tmp_path, cell, said
):
    manifest = tmp_path / "nights.csv"
    manifest.write_text(f"path,start_seconds\n{edfs[0]},17\n{edfs[1]},{cell}\n")
    with pytest.raises(ValueError, match="the 'start_seconds' column needs") as err:
        resolve_inputs(manifest)
    assert said in str(err.value) and "rows counted from 0 after the header line" in str(err.value)


def test_a_semicolon_csv_start_seconds_with_a_decimal_comma_is_read(edfs, tmp_path):
    manifest = tmp_path / "nights.csv"
    manifest.write_text(f"path;start_seconds\n{edfs[0]};17,5\n{edfs[1]};\n")
    assert [f.start_seconds for f in resolve_inputs(manifest).files] == [17.5, None]


def test_a_resume_with_a_files_start_changed_is_refused_as_a_rescale_change_is(
    edfs, model, tmp_path
):
    """The manifest's start_seconds is a per-file setting like rescale: a resume whose
    manifest gives a file another start (or another rescale) is refused, not mixed with the
    rows embedded from the old start."""
    manifest = tmp_path / "nights.csv"
    out = tmp_path / "out"
    manifest.write_text(f"path,start_seconds,rescale\n{edfs[0]},2,1\n{edfs[1]},,1\n")
    embed_dataset(manifest, out, model=model, shard_size=1, **RUN)
    embed_dataset(manifest, out, model=model, shard_size=1, **RUN)  # unchanged: resumes
    for changed in (f"{edfs[0]},3,1\n{edfs[1]},,1\n", f"{edfs[0]},2,1\n{edfs[1]},,2\n"):
        manifest.write_text(f"path,start_seconds,rescale\n{changed}")
        with pytest.raises(ValueError, match="cannot be resumed") as err:
            embed_dataset(manifest, out, model=model, shard_size=1, **RUN)
        assert "metadata) changed" in str(err.value)
    # the column and the file named: the first change was of rec0's start_seconds
    manifest.write_text(f"path,start_seconds,rescale\n{edfs[0]},3,1\n{edfs[1]},,1\n")
    with pytest.raises(ValueError, match="cannot be resumed") as err:
        embed_dataset(manifest, out, model=model, shard_size=1, **RUN)
    assert (
        f"The manifest's start_seconds column changed for 1 file: {edfs[0]} (2.0 -> 3.0)."
        in str(err.value)
    )


def test_one_recording_loaded_from_a_run_keeps_its_manifest_columns(edfs, model, tmp_path):
    """load_embeddings(folder, recording_id=...) gave the recording's windows without the
    columns its rows hold from the manifest (subject, age ...): they are in
    metadata["recording_columns"], as plain values (None where a cell is empty), and kept
    when the recording is saved."""
    manifest, out = tmp_path / "list.csv", tmp_path / "out"
    manifest.write_text(f"path,recording_id,subject,age\n{edfs[0]},a,007,31\n{edfs[1]},b,012,\n")
    embed_dataset(manifest, out, model=model, **RUN)
    one = load_embeddings(out, recording_id="b")
    assert one.metadata["recording_columns"] == {"subject": "012", "age": None}
    saved = one.save(tmp_path / "b.npz")
    assert load_embeddings(saved).metadata["recording_columns"]["subject"] == "012"
    assert load_embeddings(out, recording_id="a").metadata["recording_columns"]["age"] == 31


def test_a_resume_of_a_manifest_sorted_otherwise_names_the_order_not_new_files(
    edfs, model, tmp_path
):
    """A manifest whose rows were sorted otherwise since its run (the same files): the
    refusal says so, where the order first differs, and does not tell how to add new files,
    as there are none."""
    manifest, out = tmp_path / "list.csv", tmp_path / "out"
    manifest.write_text(f"path,recording_id\n{edfs[0]},a\n{edfs[1]},b\n{edfs[2]},c\n")
    embed_dataset(manifest, out, model=model, shard_size=1, **RUN)
    manifest.write_text(f"path,recording_id\n{edfs[0]},a\n{edfs[2]},c\n{edfs[1]},b\n")
    with pytest.raises(ValueError, match="cannot be resumed") as err:
        embed_dataset(manifest, out, model=model, shard_size=1, **RUN)
    said = str(err.value)
    assert "the same 3 files in another order (the 2nd is now 'c', the run's was 'b';" in said
    assert "To add new files" not in said
    assert f"To resume this run as it was, give {out / FILES_REPORT} as the input" in said


def test_a_resume_with_a_files_start_on_the_same_sample_resumes(edfs, model, tmp_path):
    """A start_seconds cell is compared where its windows start (at 256 Hz): 17.3 and
    17.30078125 start the same windows, so a manifest rewritten so resumes; 18 is another
    start, refused naming the cells as given; a refusal for another change does not call the
    start changed."""
    manifest = tmp_path / "nights.csv"
    out = tmp_path / "out"
    manifest.write_text(f"path,start_seconds,rescale\n{edfs[0]},3.3,1\n{edfs[1]},,1\n")
    embed_dataset(manifest, out, model=model, shard_size=1, **RUN)
    manifest.write_text(f"path,start_seconds,rescale\n{edfs[0]},3.30078125,1\n{edfs[1]},,1\n")
    embed_dataset(manifest, out, model=model, shard_size=1, **RUN)  # the same windows
    manifest.write_text(f"path,start_seconds,rescale\n{edfs[0]},3.30078125,1\n{edfs[1]},,2\n")
    with pytest.raises(ValueError, match="cannot be resumed") as err:
        embed_dataset(manifest, out, model=model, shard_size=1, **RUN)
    assert "rescale changed for 1 recording" in str(err.value)
    assert "start_seconds" not in str(err.value)
    manifest.write_text(f"path,start_seconds,rescale\n{edfs[0]},4,1\n{edfs[1]},,1\n")
    with pytest.raises(ValueError, match="cannot be resumed") as err:
        embed_dataset(manifest, out, model=model, shard_size=1, **RUN)
    assert f"start_seconds column changed for 1 file: {edfs[0]} (3.3 -> 4.0)" in str(err.value)


def test_a_run_that_recorded_its_starts_as_given_still_resumes(edfs, tmp_path):
    """A run of eegpt before 2026-12-07 fingerprinted a start_seconds cell as given (3.3): the
    same cells still resume it (its fingerprint is kept), while the fingerprint of a new run
    takes the start where the windows start (3.3 as 3.30078125)."""
    manifest = tmp_path / "nights.csv"
    manifest.write_text(f"path,start_seconds\n{edfs[0]},3.3\n{edfs[1]},\n")
    given = resolve_inputs(manifest)
    manifest.write_text(f"path,start_seconds\n{edfs[0]},3.30078125\n{edfs[1]},\n")
    moved = resolve_inputs(manifest)
    assert given.fingerprint() == moved.fingerprint()
    rows = given.metadata.to_pylist()
    old = hashlib.sha256(json.dumps([f.recording_id for f in given.files]).encode())
    old.update(json.dumps(given.metadata.schema.names).encode())
    old.update(json.dumps(rows, default=str, sort_keys=True).encode())
    assert given.fingerprint() != old.hexdigest()  # the cells as given: no longer
    assert given.fingerprint(recorded=old.hexdigest()) == old.hexdigest()
    assert moved.fingerprint(recorded=old.hexdigest()) == moved.fingerprint()  # other cells
    assert given.fingerprint(250.0) != given.fingerprint()  # on a sample at 250 Hz: 3.3


def test_a_report_of_a_run_that_recorded_its_starts_as_given_is_not_called_changed(
    edfs, model, tmp_path
):
    """A run's report embedded again compares the run's manifest with the fingerprint it
    recorded: a run of eegpt before 2026-12-07 recorded a start_seconds cell as given (3.3),
    and the same manifest was warned of as changed since (its fingerprint now takes the start
    where the windows start), as a resume of it is not."""
    manifest = tmp_path / "nights.csv"
    manifest.write_text(f"path,start_seconds\n{edfs[0]},3.3\n{edfs[1]},\n")
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the note of the start moved
        embed_dataset(manifest, out, model=model, **RUN)
    given = resolve_inputs(manifest)
    old = hashlib.sha256(json.dumps([f.recording_id for f in given.files]).encode())
    old.update(json.dumps(given.metadata.schema.names).encode())
    old.update(json.dumps(given.metadata.to_pylist(), default=str, sort_keys=True).encode())
    run = json.loads((out / "_manifest.json").read_text())
    assert run["spec"]["inputs"]["sha256"] != old.hexdigest()
    run["spec"]["inputs"]["sha256"] = old.hexdigest()  # as that eegpt recorded it
    (out / "_manifest.json").write_text(json.dumps(run))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        embed_dataset(out / "_files.csv", tmp_path / "again", model=model, **RUN)
    changed = [str(w.message) for w in caught if "has changed since the run" in str(w.message)]
    assert not changed, changed


def test_a_part_after_parts_that_recorded_their_starts_as_given_joins_them(
    edfs, model, tmp_path, monkeypatch
):
    """Part 0 of a job array run by eegpt before 2026-12-07 fingerprinted its listing with a
    start_seconds cell as given (3.3); part 1, run now of the same manifest, was refused as
    split from another listing. It records the listing as its sibling did: the parts read
    together, and their totals add up."""
    from eegpt.dataset_inputs import DatasetInputs, _sha256

    manifest = tmp_path / "nights.csv"
    manifest.write_text(f"path,start_seconds\n{edfs[0]},3.3\n{edfs[1]},\n")
    out = tmp_path / "out"
    now = DatasetInputs.fingerprint

    def as_given(self, sfreq=256.0, recorded=None):  # that eegpt's: the cells as given
        rows = None if self.metadata is None else self.metadata.to_pylist()
        return _sha256(self.files, self.metadata, rows)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the note of the start moved
        monkeypatch.setattr(DatasetInputs, "fingerprint", as_given)
        embed_dataset(manifest, out / "part-0", model=model, part=(0, 2), **RUN)
        monkeypatch.setattr(DatasetInputs, "fingerprint", now)
        embed_dataset(manifest, out / "part-1", model=model, part=(1, 2), **RUN)
    shas = {json.loads((out / f"part-{k}" / "_manifest.json").read_text())["spec"]["inputs"][
        "corpus_sha256"] for k in (0, 1)}  # fmt: skip
    assert len(shas) == 1, shas
    table, _ = read_embeddings(out)
    assert table.recording_id.nunique() == 2  # one file of each part


def test_a_report_of_a_run_at_another_rate_is_not_called_changed(edfs, model, tmp_path):
    """A run's report embedded again compared the run's manifest with its fingerprint taken
    at 256 Hz, whatever rate the run cut its windows at: a run at 200 Hz records a
    start_seconds cell where its windows start at 200 Hz (3.003 -> 3.005), and its unchanged
    manifest was warned of as changed since (at 256 Hz, 3.00390625). It is taken at the
    run's rate, as the run and its resume take it."""
    manifest = tmp_path / "nights.csv"
    manifest.write_text(f"path,start_seconds\n{edfs[0]},3.003\n{edfs[1]},\n")
    out = tmp_path / "out"
    at_200 = PreprocessingConfig(sfreq=200.0, window_seconds=3.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the rate and the note of the start moved
        embed_dataset(manifest, out, model=model, preprocessing=at_200, **RUN)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        embed_dataset(out / "_files.csv", tmp_path / "again", model=model, preprocessing=at_200,
                      **RUN)  # fmt: skip
    changed = [str(w.message) for w in caught if "has changed since the run" in str(w.message)]
    assert not changed, changed
    given = resolve_inputs(manifest)
    assert given.fingerprint(200.0) != given.fingerprint()  # 3.005 at 200 Hz, 3.00390625


def test_load_file_starts_at_the_files_own_start(edfs):
    config = PreprocessingConfig(start_seconds=1.0)
    assert load_file(0, str(edfs[0]), config).onsets[0] == 1.0
    assert load_file(0, str(edfs[0]), config, start_seconds=2.5).onsets[0] == 2.5


def test_a_manifest_start_past_the_end_is_quoted_as_the_cell_gives_it(edfs):
    """A start_seconds cell of 17.3 past the end of a 16 s recording failed it quoting
    start_seconds=17.3008 (moved onto 256 Hz, rounded): the cell as given is quoted, and
    where the windows would start."""
    loaded = load_file(0, str(edfs[0]), PreprocessingConfig(), start_seconds=17.3)
    assert loaded.error.startswith("StartPastEndError: ")
    assert (
        "(start_seconds=17.3, from the manifest's start_seconds column, moved to the nearest "
        "256 Hz sample, 17.30078125 s)" in loaded.error
    )


def test_a_manifest_start_past_a_recordings_end_fails_it_naming_the_column(
    edfs, model, weights, tmp_path, capsys
):
    """A start_seconds cell at or past the end of its recording (a column typed in
    milliseconds) is no recording too short, which --tail pad would embed: the file fails,
    embed-dataset exits with 3 as for other failures, `eegpt info` counts it failed, and the
    error names the manifest's column, not --start."""
    from eegpt.cli import main as eegpt_main
    from eegpt.dataset_cli import main as dataset_main

    manifest = tmp_path / "nights.csv"
    manifest.write_text(f"path,start_seconds\n{edfs[0]},16000\n{edfs[1]},\n")
    out = tmp_path / "out"
    args = [str(manifest), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    assert dataset_main([*args, "--device", "cpu", "-q"]) == 3  # as for other failures
    report = pd.read_csv(out / FILES_REPORT).set_index("recording_id")
    assert report["status"].tolist() == ["failed", "ok"]
    error = report["error"].iloc[0]
    assert error.startswith("StartPastEndError: ")
    assert "start_seconds=16000, from the manifest's start_seconds column" in error
    assert "--start" not in error and "--tail" not in error
    capsys.readouterr()
    eegpt_main(["info", str(out)])
    said = capsys.readouterr().out
    assert "1 failed" in said and "too short" not in said and "--tail pad" not in said


@pytest.mark.parametrize("column", ["start_seconds", "rescale"])
def test_a_bad_cell_is_named_by_its_row_in_the_manifest_after_rows_left_out(edfs, tmp_path, column):
    """Rows left out (a BrainVision .eeg and .vmrk beside their .vhdr) no longer shift the row
    numbers that a bad start_seconds or rescale cell is refused with."""
    from test_annotations import _write_brainvision

    _write_brainvision(tmp_path)
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        f"path,{column}\nrec.vhdr,\nrec.eeg,\nrec.vmrk,\n{edfs[0]},\n{edfs[1]},late\n"
    )
    with pytest.raises(ValueError, match=f"the '{column}' column") as err:
        with pytest.warns(RuntimeWarning, match="read with it"):
            resolve_inputs(manifest)
    assert "row 4: 'late'" in str(err.value)


def test_info_counts_the_rescale_each_recording_had_from_the_manifest(edfs, model, tmp_path):
    """`eegpt info` of a run from a manifest with a rescale column says the per-file factors,
    counted by value (empty cells: 1), beside the run-wide scale of the preprocessing line
    (which --rescale changes); a manifest of an earlier version, which did not count them,
    says that the column gave them; a run without the column says nothing of it."""
    from eegpt.dataset import MANIFEST
    from eegpt.dataset_report import describe_output, rescale_per_file_line

    manifest = tmp_path / "list.csv"
    manifest.write_text(f"path,rescale\n{edfs[0]},\n{edfs[1]},0.5\n{edfs[2]},0.5\n")
    out = tmp_path / "out"
    embed_dataset(manifest, out, model=model, preprocessing=PreprocessingConfig(scale=2e3), **RUN)
    said = describe_output(out)
    assert "scale 2000.0 (volts to millivolts, 1000, times 2: --rescale" in said
    line = (
        "\n  rescale per file, from the manifest: 0.5 (2 files), 1 (1 file); each multiplies "
        "the preprocessing's scale above\n"
    )
    assert line in said, said
    record = json.loads((out / MANIFEST).read_text())
    assert record["rescale_per_file"] == {"0.5": 2, "1.0": 1}
    del record["rescale_per_file"]  # as an earlier version wrote it
    assert rescale_per_file_line(record) == [
        "  rescale per file, from the manifest's rescale column, in each row (not counted by "
        "earlier versions); each multiplies the preprocessing's scale above"
    ]
    record["spec"]["inputs"]["metadata_columns"] = []
    assert rescale_per_file_line(record) == []

    plain = tmp_path / "plain"
    embed_dataset(edfs[:1], plain, model=model, **RUN)
    assert "rescale per file" not in describe_output(plain)
    assert "rescale_per_file" not in json.loads((plain / MANIFEST).read_text())


def test_an_input_given_twice_is_left_out_with_a_warning_in_the_past_tense(edfs, tmp_path):
    """A file given a second time (here through a symbolic link) is left out, and the warning
    says it "led" to a file listed before (not "lead")."""
    from eegpt.dataset_inputs import _without_repeats

    link = tmp_path / "again.edf"
    link.symlink_to(edfs[0])
    with pytest.warns(Warning, match=r"left out 1 input that led to a file listed before"):
        kept, ids = _without_repeats([edfs[0], link], ["a", "b"])
    assert (kept, ids) == ([edfs[0]], ["a"])


def test_input_setting_columns_are_not_missing_metadata_of_other_runs(edfs, model, tmp_path):
    """A run whose manifest had a ``bads`` (or ``rescale``) column read with a run whose
    manifest had none: those columns are settings eegpt read for each file, not metadata to
    group rows by, so the other run's rows lacking them is not warned of (it was: "have no
    bads ... a groupby on them drops those rows ... embed them again"); a metadata column
    only one run has (``site``) still is."""
    with_bads = tmp_path / "a.csv"
    with_bads.write_text(f"path,bads,rescale,site\n{edfs[0]},EEG C3-REF,1,north\n")
    without = tmp_path / "c.csv"
    without.write_text(f"path\n{edfs[1]}\n")
    embed_dataset(with_bads, tmp_path / "run_a", model=model, **RUN)
    embed_dataset(without, tmp_path / "run_c", model=model, **RUN)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df, _ = read_embeddings([tmp_path / "run_a", tmp_path / "run_c"], embeddings=False)
    said = " ".join(str(w.message) for w in caught if "have no" in str(w.message))
    assert "have no site, which" in said
    assert "bads" not in said and "rescale" not in said
    assert sorted(df.path.unique()) == [str(edfs[0]), str(edfs[1])]
