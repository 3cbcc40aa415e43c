"""eegpt.read_embeddings of per-recording outputs (``eegpt embed``, ``Embeddings.save``: one
job per recording, e.g. in Snakemake): a list of files or a folder of them read back as one
table, checked to have been embedded alike; and empty output files refused cleanly."""

from __future__ import annotations

import warnings
from pathlib import Path

import mne
import numpy as np
import pytest
import torch

from eegpt import Embeddings, load_embeddings, read_embeddings
from eegpt.api import CHANGES_DATE
from eegpt.cli import main
from eegpt.errors import UnreadableOutputError

pytest.importorskip("pyarrow")


def _raw(seed: int, names: tuple[str, ...] = ("Fz", "Cz", "Pz", "Oz"), seconds: int = 12):
    info = mne.create_info(list(names), 256.0, "eeg")
    x = np.random.default_rng(seed).normal(0, 2e-5, (len(names), 256 * seconds))
    return mne.io.RawArray(x, info, verbose=False)


@pytest.fixture(scope="module")
def other_model(tmp_path_factory):
    """The architecture of the ``weights`` fixture with other random weights (seed 8)."""
    from eegpt.checkpoints import load_model, save_checkpoint
    from eegpt.config import EEGPTConfig
    from eegpt.model import EEGPT

    torch.manual_seed(8)
    path = tmp_path_factory.mktemp("weights_b") / "small_b"
    save_checkpoint(EEGPT(EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=4)), path)
    return load_model(path)


@pytest.fixture(scope="module")
def alike(model, tmp_path_factory) -> list[Path]:
    """Three outputs embedded alike (one .npz, two .parquet; one with a channel fewer) in one
    folder, in name order."""
    folder = tmp_path_factory.mktemp("agg")
    out = [folder / "r0.parquet", folder / "r1.npz", folder / "r2.parquet"]
    model.embed(_raw(0)).save(out[0])
    model.embed(_raw(1, ("Fz", "Cz", "Pz"), seconds=9)).save(out[1])
    model.embed(_raw(2)).save(out[2])
    return out


def _copied(files: list[Path], folder: Path) -> list[Path]:
    folder.mkdir()
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
    return [folder / f.name for f in files]


def test_a_folder_and_a_list_of_outputs_read_as_the_files_concatenated(alike):
    loaded = [load_embeddings(f) for f in alike]
    for given in (alike[0].parent, alike, [str(f) for f in alike]):
        with pytest.warns(RuntimeWarning, match="2 different channel sets"):
            table, z = read_embeddings(given)
        assert z.dtype == np.float32 and z.shape == (8, 16, 4, 64)
        np.testing.assert_array_equal(z, np.concatenate([e.data for e in loaded]))
        assert list(table["recording_id"]) == [
            str(f) for f, e in zip(alike, loaded, strict=True) for _ in e.onsets
        ]
        np.testing.assert_array_equal(table["onset_s"], np.concatenate([e.onsets for e in loaded]))
        assert list(table["window"]) == [0, 1, 2, 0, 1, 0, 1, 2]
        assert list(table["path"]) == ["<Raw>"] * 8 and not table["bad"].any()
        assert list(table["channels"].iloc[3]) == ["FZ", "CZ", "PZ"]
    # the rows of a filter, and their embeddings only; the table alone
    with pytest.warns(RuntimeWarning, match="channel sets"):
        table, z = read_embeddings(alike, filters=[("window", "==", 1)], columns=["recording_id"])
    assert list(table.columns) == ["recording_id"] and len(table) == 3
    np.testing.assert_array_equal(z, np.stack([e.data[1] for e in loaded]))
    table, z = read_embeddings(alike[:1], embeddings=False)
    assert z is None and len(table) == 3


def test_outputs_embedded_otherwise_are_refused_naming_files_and_settings(
    model, other_model, alike, tmp_path
):
    base = _copied(alike[::2], tmp_path / "w")  # r0, r2: no channel-set warning
    other_model.embed(_raw(3)).save(tmp_path / "w" / "r3.parquet")
    with pytest.raises(ValueError, match=r"not embedded alike") as err:
        read_embeddings(tmp_path / "w")
    text = str(err.value)
    assert f"{tmp_path / 'w' / 'r3.parquet'} differs from {base[0]}, {base[1]} in weights" in text
    assert "allow_mixed=True" in text

    _copied(alike[::2], tmp_path / "p")
    model.embed(_raw(4), average_reference=False).save(tmp_path / "p" / "r4.npz")
    with pytest.raises(ValueError, match=r"preprocessing\.average_reference \(True -> False\)"):
        read_embeddings(tmp_path / "p")

    _copied(alike[::2], tmp_path / "s")
    model.embed(_raw(5), window_seconds=2.0).save(tmp_path / "s" / "r5.npz")
    with pytest.raises(ValueError, match=r"preprocessing\.window_seconds \(4\.0 -> 2\.0\)") as err:
        read_embeddings([*base, tmp_path / "s" / "r5.npz"])
    assert "embedding shape ([16, 4, 64] -> [8, 4, 64])" in str(err.value)


def test_an_output_recording_only_its_weights_files_sha256_reads_beside_a_newer_one(
    model, other_model, alike, tmp_path
):
    """Outputs of eegpt before ``weights_sha256`` (the encoder's fingerprint) record only the
    weights file's ``sha256``: read beside newer outputs of the same file they were refused
    ("encoder fingerprint" compared with a file hash); now the files' sha256 are compared,
    and other weights are still refused."""
    files = _copied(alike[::2], tmp_path / "w")
    new = model.embed(_raw(6))
    recorded = new.metadata["checkpoint"]
    assert recorded["sha256"] and recorded["weights_sha256"]
    before = {k: v for k, v in recorded.items() if k != "weights_sha256"}
    Embeddings(new.data, new.onsets, {**new.metadata, "checkpoint": before}).save(
        tmp_path / "w" / "old.npz"
    )
    table, z = read_embeddings(tmp_path / "w")
    assert len(table) == len(z) == 9
    # of other weights: refused, by the files' sha256
    other = other_model.embed(_raw(7))
    theirs = {k: v for k, v in other.metadata["checkpoint"].items() if k != "weights_sha256"}
    Embeddings(other.data, other.onsets, {**other.metadata, "checkpoint": theirs}).save(
        tmp_path / "o.npz"
    )
    with pytest.raises(ValueError, match=r"in weights \(checkpoint sha256 [0-9a-f]{12} ->"):
        read_embeddings([*files, tmp_path / "o.npz"])


def test_allow_mixed_reads_outputs_embedded_otherwise_with_a_warning(
    model, other_model, alike, tmp_path
):
    files = _copied(alike[::2], tmp_path / "w")
    other_model.embed(_raw(3)).save(tmp_path / "w" / "r3.parquet")
    with pytest.warns(RuntimeWarning, match=r"not embedded alike .* in weights"):
        table, z = read_embeddings(tmp_path / "w", allow_mixed=True)
    assert len(table) == len(z) == 9 and table["recording_id"].iloc[-1].endswith("r3.parquet")
    np.testing.assert_array_equal(z[:3], load_embeddings(files[0]).data)
    # other shapes cannot be one array, even so; their rows can be read
    model.embed(_raw(5), window_seconds=2.0).save(tmp_path / "w" / "r5.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=r"embeddings of 2 shapes"):
            read_embeddings(tmp_path / "w", allow_mixed=True)
        table, z = read_embeddings(tmp_path / "w", allow_mixed=True, embeddings=False)
    assert z is None and len(table) == 9 + 6


def test_run_folders_and_outputs_are_not_mixed_and_the_load_hint_names_the_route(alike, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "_manifest.json").write_text("{}")
    with pytest.raises(ValueError, match=r"read embed-dataset folders and per-recording files"):
        read_embeddings([alike[0], run])
    with pytest.raises(ValueError, match=r"eegpt\.read_embeddings\(folder\) reads the whole"):
        load_embeddings(alike[0].parent)


def test_an_empty_output_file_gives_the_clean_error_of_a_truncated_one(tmp_path, capsys):
    empty = tmp_path / "x.npz"
    empty.write_bytes(b"")
    for path in (empty, tmp_path / "x.parquet"):
        path.write_bytes(b"")
        with pytest.raises(UnreadableOutputError, match=r"is not an? .* eegpt wrote \(an empty"):
            load_embeddings(path)
    (tmp_path / "cut.npz").write_bytes(b"PK\x03\x04")  # truncated: the same exit status
    assert main(["info", str(tmp_path / "cut.npz")]) == 1
    capsys.readouterr()
    assert main(["info", str(empty)]) == 1
    err = capsys.readouterr().err
    assert f"eegpt: error: {empty} is not an .npz archive eegpt wrote (an empty file" in err
    assert "internal error" not in err
    assert main(["export", str(empty), "-o", str(tmp_path / "x.csv")]) == 1
    assert "internal error" not in capsys.readouterr().err


def test_outputs_started_at_other_seconds_read_together(model, tmp_path):
    """Each recording's own --start (each night's first scored epoch) is a per-file setting,
    as a manifest's start_seconds column is in a corpus run: no mismatch; the onsets say it."""
    from eegpt.preprocessing import PreprocessingConfig

    out = [tmp_path / "a.npz", tmp_path / "b.npz"]
    model.embed(_raw(0)).save(out[0])
    model.embed(_raw(1), preprocessing=PreprocessingConfig(start_seconds=2.0)).save(out[1])
    table, z = read_embeddings(out)
    assert list(table["onset_s"]) == [0.0, 4.0, 8.0, 2.0, 6.0]
    assert z.shape[0] == 5


def test_two_outputs_of_one_recording_are_refused_naming_both(weights, tmp_path):
    """An output in both formats (another --format in the same folder) or a copy under another
    name holds the same recording's windows: read together, its rows would be doubled (across
    cross-validation folds); refused naming the files, or warned of with allow_mixed=True."""
    _raw(0).export(tmp_path / "a.edf", verbose=False)
    _raw(1).export(tmp_path / "b.edf", verbose=False)
    out = tmp_path / "out"
    for fmt in ("npz", "parquet"):
        assert main(["embed", str(tmp_path / "a.edf"), str(tmp_path / "b.edf"), "--weights",
                     str(weights), "-o", str(out), "--format", fmt, "-q"]) == 0  # fmt: skip
    with pytest.raises(ValueError, match="of one recording") as err:
        read_embeddings(out, embeddings=False)
    text = str(err.value)
    assert f"{out / 'a.npz'}, {out / 'a.parquet'} (of " in text
    assert f"{out / 'b.npz'}, {out / 'b.parquet'} (of " in text and "remove all but one" in text
    # a copy under another name, in another folder: the same recording's files (fingerprint)
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "a_copy.npz").write_bytes((out / "a.npz").read_bytes())
    with pytest.raises(ValueError, match=r"a\.npz, .*a_copy\.npz \(of .*\) are outputs of one"):
        read_embeddings([out / "a.npz", out / "b.npz", copy / "a_copy.npz"])
    with pytest.warns(RuntimeWarning, match="outputs of one recording.*allow_mixed=True asks"):
        table, _ = read_embeddings([out / "a.npz", copy / "a_copy.npz"], allow_mixed=True)
    assert len(table) == 2 * len(read_embeddings(out / "a.npz")[0])
    table, _ = read_embeddings([out / "a.npz", out / "b.parquet"])  # two recordings: fine


def test_outputs_of_one_recording_from_channels_they_do_not_share_are_read_together(
    weights, tmp_path
):
    """One output per participant of a hyperscanning file (channels A-... and B-...) holds
    other data of the same windows, not rows twice: read together without allow_mixed; a
    third output sharing channels with one of them is still refused as its copy."""
    names = ("A-Fz", "A-Cz", "A-Pz", "A-Oz", "B-Fz", "B-Cz", "B-Pz", "B-Oz")
    _raw(0, names).export(tmp_path / "pair.edf", verbose=False)
    for who in ("A", "B", "A2"):
        table = tmp_path / f"{who}.tsv"
        rows = [
            f"{t}-{n}\t{n if t == who[0] else ''}" for t in "AB" for n in ("Fz", "Cz", "Pz", "Oz")
        ]
        table.write_text("\n".join(rows) + "\n")
        assert main(["embed", str(tmp_path / "pair.edf"), "--weights", str(weights), "-o",
                     str(tmp_path / f"{who}.npz"), "--rename", str(table), "-q"]) == 0  # fmt: skip
    both, _ = read_embeddings([tmp_path / "A.npz", tmp_path / "B.npz"], embeddings=False)
    assert len(both) == 2 * len(read_embeddings(tmp_path / "A.npz", embeddings=False)[0])
    with pytest.raises(ValueError, match=r"A\.npz, .*A2\.npz \(of .*\) are outputs of one"):
        read_embeddings([tmp_path / "A.npz", tmp_path / "B.npz", tmp_path / "A2.npz"])


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_an_output_of_no_windows_reads_as_no_rows(alike, tmp_path, suffix):
    """A saved selection of no windows (``emb[mask]`` with no window kept) read alone or in a
    folder beside another recording's output gives 0 rows of it, the other's intact (was:
    ArrowInvalid "Must pass at least one array")."""
    emb = load_embeddings(alike[0])
    folder = tmp_path / "both"
    folder.mkdir()
    empty = emb[np.zeros(len(emb), dtype=bool)].save(folder / f"a_none{suffix}")
    (folder / alike[1].name).write_bytes(alike[1].read_bytes())
    for embeddings in (True, False):
        table, data = read_embeddings([empty], embeddings=embeddings)
        assert len(table) == 0
        if embeddings:
            assert data.shape[0] == 0
    other = load_embeddings(alike[1])
    table, data = read_embeddings(folder)
    assert len(table) == len(other)
    assert all(r.endswith(alike[1].name) for r in table["recording_id"])
    np.testing.assert_array_equal(data, other.data)


def test_disjoint_selections_of_one_recording_are_refused_as_two_ids(model, tmp_path):
    """``e[:3]`` and ``e[3:]`` saved apart hold other windows of one recording, but read
    together they would be two recording_ids (a grouped split could put them on both sides):
    refused for that reason (not as rows twice), with the join to make; allow_mixed warns and
    reads them; overlapping ones are refused as rows twice."""
    _raw(0, seconds=24).export(tmp_path / "rec.edf", verbose=False)
    emb = model.embed(tmp_path / "rec.edf")
    a, b = emb[:3].save(tmp_path / "a.npz"), emb[3:].save(tmp_path / "b.parquet")
    with pytest.raises(
        ValueError, match=r"a\.npz, .*b\.parquet \(of .*\) are outputs of one"
    ) as err:
        read_embeddings([a, b])
    assert "rows twice" not in str(err.value)
    assert "one recording_id per file" in str(err.value)
    assert "Embeddings.concatenate" in str(err.value)
    with pytest.warns(RuntimeWarning, match="one recording_id per file"):
        table, data = read_embeddings([a, b], allow_mixed=True)
    assert table["window"].tolist() == list(range(len(emb)))
    np.testing.assert_array_equal(data, emb.data)
    joined = Embeddings.concatenate([load_embeddings(a), load_embeddings(b)])
    table, data = read_embeddings([joined.save(tmp_path / "ab.npz")])
    assert table["window"].tolist() == list(range(len(emb)))
    assert table["recording_id"].nunique() == 1
    np.testing.assert_array_equal(data, emb.data)
    c = emb[2:].save(tmp_path / "c.npz")
    with pytest.raises(
        ValueError,
        match=r"a\.npz, .*c\.npz \(of .*\) are outputs of one recording: its windows would be rows twice",
    ):
        read_embeddings([a, c])


def test_reading_per_recording_outputs_checks_memory_before_reading(alike, monkeypatch):
    """read_embeddings of a folder (or list) of eegpt embed outputs whose embeddings together
    would not fit in memory, each file fitting alone, had no check (a run folder's reading
    has one): the out-of-memory killer ended the process. They are refused before any is
    read, saying how to read them part by part; the rows a filter selects are read where
    they fit, and the table alone."""
    import eegpt.memory_checks
    from eegpt.errors import InsufficientMemoryError

    folder = alike[0].parent
    table, emb = read_embeddings(folder)
    one = table["recording_id"].iloc[0]
    n_one = int((table["recording_id"] == one).sum())
    biggest = max(int((table["recording_id"] == r).sum()) for r in set(table["recording_id"]))
    assert biggest < len(table)
    # room for the largest file's windows twice over (a Parquet file's table and its
    # array, as each file alone is checked), not for all of them
    fraction = eegpt.memory_checks.MEMORY_FRACTION
    room = int(2 * biggest * emb[0].nbytes / fraction)
    assert emb.nbytes > fraction * room
    monkeypatch.setattr(eegpt.memory_checks, "available_memory", lambda: room)
    for given in (folder, alike):
        with pytest.raises(InsufficientMemoryError, match=r"Read them part by part") as err:
            read_embeddings(given)
        assert f"{folder} (3 file(s)): reading the embeddings of {len(table)} windows" in str(
            err.value
        )
    _, some = read_embeddings(folder, filters=[("recording_id", "==", one)])
    assert len(some) == n_one
    assert read_embeddings(folder, embeddings=False)[1] is None


def _edited(emb: Embeddings, path: Path, drop: tuple[str, ...] = (), **changed) -> Path:
    """``emb`` saved to ``path`` with its metadata's ``drop`` keys left out and ``changed`` set,
    as an older eegpt would have written it."""
    meta = {k: v for k, v in emb.metadata.items() if k not in drop}
    Embeddings(emb.data, emb.onsets, {**meta, **changed}).save(path)
    return path


def test_resampled_outputs_of_an_earlier_resampler_are_not_read_beside_this_one_s(
    model, alike, tmp_path
):
    """Outputs of recordings resampled by the polyphase resampler of before 2026-12-03 (no
    ``resample_revision``, no ``recording_filters``) differ from this eegpt's by the resampler
    alone, which no setting compared records: they were read silently into one corpus with
    outputs resampled now. Refused now, naming both groups (warned of with allow_mixed);
    beside outputs of recordings at 256 Hz (not resampled), or among themselves, read."""
    now = model.embed(_raw(8).resample(250.0, verbose=False))
    assert now.metadata["sfreq_in"] == 250.0
    new = _edited(now, tmp_path / "new.npz")
    old = _edited(
        model.embed(_raw(9).resample(250.0, verbose=False)),
        tmp_path / "old.npz",
        drop=("resample_revision", "recording_filters", "software", "eegpt_changes"),
    )
    with pytest.raises(ValueError, match=r"resampled by an earlier eegpt's polyphase") as err:
        read_embeddings([new, old])
    text = str(err.value)
    assert f"{old} (1 file of 2) holds a recording" in text and f"{new} by this eegpt's" in text
    assert "2026-12-03" in text and "allow_mixed=True" in text
    with pytest.warns(RuntimeWarning, match=r"earlier eegpt's polyphase.*allow_mixed=True asks"):
        table, z = read_embeddings([new, old], allow_mixed=True)
    assert len(table) == len(z) == 6
    # an earlier revision recorded is of another resampler too
    rev1 = _edited(now, tmp_path / "rev1.npz", resample_revision=1)
    with pytest.raises(ValueError, match=r"rev1\.npz \(1 file of 2\) holds a recording"):
        read_embeddings([new, rev1])
    # recordings at the model's rate went through no resampler: read beside either
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=".*other versions")  # old's: not recorded
        for given in ([alike[0], old], [alike[0], new], [old, rev1]):
            table, z = read_embeddings(given)
            assert len(table) == len(z) == 6


def test_outputs_of_arrays_resampled_by_eegpt_of_2026_12_04_to_06_are_this_resampler_s(
    model, tmp_path
):
    """An output written by an eegpt of 2026-12-04 to 2026-12-06 (after the resampler's change
    of 2026-12-03, before ``resample_revision`` was recorded) from an array or an MNE object
    without a filter band (no ``recording_filters``) was taken for one of the earlier
    resampler's and refused beside this eegpt's; its ``software``, which only eegpt since
    2026-12-04 wrote, tells it apart now. One that lacks it too is still refused."""
    x = np.random.default_rng(0).standard_normal((4, 5000)) * 20e-6
    names = ["Fz", "Cz", "Pz", "Oz"]
    emb = model.embed(x, sfreq=500.0, ch_names=names)
    assert "recording_filters" not in emb.metadata and emb.metadata["sfreq_in"] == 500.0
    new = _edited(model.embed(x[::-1].copy(), sfreq=500.0, ch_names=names), tmp_path / "new.npz")
    of_dec05 = _edited(emb, tmp_path / "dec05.npz", drop=("resample_revision", "eegpt_changes"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", message=".*other versions")  # eegpt_changes: warned
        table, z = read_embeddings([new, of_dec05])
    assert len(table) == len(z) == 2 * len(emb)
    before = ("resample_revision", "eegpt_changes", "software")
    of_dec03 = _edited(emb, tmp_path / "dec03.npz", drop=before)
    with pytest.raises(ValueError, match=r"dec03\.npz \(1 file of 2\) holds a recording"):
        read_embeddings([new, of_dec03])


def test_outputs_of_other_eegpt_or_torch_versions_are_read_with_a_warning_naming_them(
    model, alike, tmp_path
):
    """Per-recording outputs written by other versions of eegpt or torch (or of before the
    versions were recorded) were read into one table without a word, though a corpus run
    resumed with other versions warns; now a warning names each group of files with its
    versions."""
    files = _copied(alike[::2], tmp_path / "w")
    emb = load_embeddings(files[0])
    assert emb.metadata["eegpt_version"] and emb.metadata["software"]["torch"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_embeddings(files)  # one version: nothing said
    software = {**emb.metadata["software"], "torch": "2.1.0"}
    older = _edited(emb, tmp_path / "older.npz", eegpt_version="0.0.9", software=software)
    with pytest.warns(RuntimeWarning, match=r"embedded by other versions") as caught:
        table, z = read_embeddings([*files, older])
    text = str(caught[0].message)
    mine = f"eegpt {emb.metadata['eegpt_version']} (changes to {CHANGES_DATE})"
    mine += f", torch {emb.metadata['software']['torch']}"
    theirs = f"eegpt 0.0.9 (changes to {CHANGES_DATE}), torch 2.1.0"
    assert f"{files[0]}, {files[1]}: {mine}; {older}: {theirs}" in text
    assert "eegpt embed --overwrite" in text and len(table) == len(z) == 9
    # an output of before the versions were recorded
    unknown = _edited(
        emb, tmp_path / "unknown.npz", drop=("eegpt_version", "software", "eegpt_changes")
    )
    with pytest.warns(RuntimeWarning, match=r"unknown\.npz: eegpt not recorded, torch not rec"):
        read_embeddings([files[0], unknown])
    # eegpt_version stays 0.1.0 while eegpt's numbers change: eegpt_changes tells them apart
    before = _edited(emb, tmp_path / "before.npz", eegpt_changes="2026-11-30")
    with pytest.warns(RuntimeWarning, match=r"embedded by other versions") as caught:
        read_embeddings([files[0], before])
    said = f"before.npz: eegpt {emb.metadata['eegpt_version']} (changes to 2026-11-30)"
    assert said in str(caught[0].message)
    # one of an eegpt that recorded no changes: of changes not recorded, not of other ones
    unrecorded = _edited(emb, tmp_path / "unrecorded.npz", drop=("eegpt_changes",))
    with pytest.warns(RuntimeWarning, match=r"embedded by other versions") as caught:
        read_embeddings([files[0], unrecorded])
    said = f"unrecorded.npz: eegpt {emb.metadata['eegpt_version']} (changes not recorded)"
    assert said in str(caught[0].message), str(caught[0].message)


def _many_windows(model, n: int, seed: int) -> Embeddings:
    """An output of ``n`` windows of random values (one recording's provenance, each window
    its own onset and index)."""
    emb = model.embed(_raw(seed), verbose=False)
    many = emb[np.arange(n) % len(emb)]
    data = np.random.default_rng(seed).normal(size=(n, *emb.data.shape[1:])).astype(np.float32)
    meta = {**many.metadata, "window_index": list(range(n))}
    return Embeddings(data, np.arange(n) * 4.0, meta)


def test_a_large_output_is_read_straight_into_the_array_returned(model, tmp_path):
    """A file's embeddings are read into the array returned, not into one of their own first
    (copied after): reading one large output holds its embeddings about once, not twice;
    the values are those load_embeddings reads, from .npz and .parquet, one file or several,
    filtered or not."""
    import tracemalloc

    big = _many_windows(model, 1200, 3)
    small = _many_windows(model, 5, 4)
    for suffix in (".npz", ".parquet"):
        big.save(tmp_path / f"big{suffix}")
        small.save(tmp_path / f"small{suffix}")
    for suffix in (".npz", ".parquet"):
        files = [tmp_path / f"big{suffix}", tmp_path / f"small{suffix}"]
        _, one = read_embeddings(files[0])
        assert np.array_equal(one, big.data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (the two are one recording, embedded twice)
            _, both = read_embeddings(files, allow_mixed=True)
            rows, some = read_embeddings(files, filters=[("window", ">=", 1198)], allow_mixed=True)
        assert np.array_equal(both, np.concatenate([big.data, small.data]))
        assert list(rows["window"]) == [1198, 1199]
        assert np.array_equal(some, big.data[1198:])
    read_embeddings(tmp_path / "big.npz", embeddings=False)  # (its imports and caches)
    tracemalloc.start()
    try:
        _, data = read_embeddings(tmp_path / "big.npz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(data, big.data)
    assert peak < 1.5 * data.nbytes, (peak, data.nbytes)  # was 2x: the file's array, then copied
