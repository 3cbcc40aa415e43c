"""Recordings that hold several participants' channels: tags of participants are not read as
electrodes, two caps under the same labels are not embedded as one head, and the messages say
how to embed one participant."""

from __future__ import annotations

import re

import pytest

from eegpt.channels import map_channels, normalize_channel_name
from eegpt.errors import NoChannelMappedError, RecordingError

CAP = "Fp1 Fp2 F7 F3 Fz F4 F8 C3 Cz C4 P3 Pz P4 O1 O2".split()
NEONATAL_CZ = ["Fp1-Cz", "Fp2-Cz", "C3-Cz", "C4-Cz", "T3-Cz", "T4-Cz", "O1-Cz", "O2-Cz"]
# four people, one EEG channel each against Cz, with their ECG and GSR (group polygraphy)
GROUP = [f"P{i}-{kind}" for kind in ("Cz", "ECG", "GSR") for i in range(1, 5)]


def _mapped(names: list[str], **kwargs: object) -> tuple[tuple[str, ...], list[str]]:
    """The vocabulary names ``names`` map to, and the warnings given."""
    with pytest.warns(RuntimeWarning) as record:
        mapping = map_channels(names, **kwargs)  # type: ignore[arg-type]
    return mapping.names, [str(w.message) for w in record]


def test_participant_tags_beside_other_signals_are_no_montage_against_cz():
    """P1-Cz .. P4-Cz beside P1-ECG .. P4-GSR are four people's channels, not P1..P4 against
    Cz: nothing maps, and the error says why they were not read as referential."""
    with pytest.raises(NoChannelMappedError) as err:
        map_channels(GROUP)
    text = str(err.value)
    assert "P1-Cz, P2-Cz, P3-Cz, P4-Cz are not read as referential to Cz" in text
    assert "also head channels of other signals (P1-ECG, P1-GSR" in text
    assert "rename={'P1-Cz': 'Cz'}" in text
    assert "look like bipolar derivations" not in text
    # the other signals under other separators, or left out by the user: still tags
    for names, rename in [
        ([*GROUP[:4], "P1 ECG", "P2_ECG", "P3 GSR"], None),
        (GROUP, dict.fromkeys(GROUP[4:])),
    ]:
        with pytest.raises(NoChannelMappedError, match="not read as referential to Cz"):
            map_channels(names, rename=rename)
    # beside a cap's own channels: those are used, the tagged ones dropped, said so
    names, texts = _mapped([*CAP, *GROUP])
    assert names == tuple(n.upper() for n in CAP)
    assert "are not read as referential to Cz" in texts[0]
    assert not any("read as referential to Cz:" in t for t in texts)


def test_a_prefix_heading_many_electrodes_is_a_participant_not_an_electrode():
    """P1-Fp1, P1-F3, ... (three people's caps tagged P1-, P2-, P3-) are not read as P1, P2, P3
    against Fp1 (and then refused as duplicates): the error names the prefixes and how to embed
    one participant."""
    names = [f"P{i}-{site}" for i in (1, 2, 3) for site in CAP]
    with pytest.raises(NoChannelMappedError) as err:
        map_channels(names)
    text = str(err.value)
    assert "The labels share the prefixes 'P1-', 'P2-', 'P3-'" in text
    assert "several participants' caps (hyperscanning)" in text
    assert "not read as referential" in text and "derivations against many electrodes" in text
    # all but P1-Fp1, P2-Fp1, P3-Fp1 left out (as the duplicates' advice once said): no
    # montage against Fp1 either
    dropped = {name: None for name in names if not name.endswith("-Fp1")}
    with pytest.raises(NoChannelMappedError, match="not read as referential to Fp1"):
        map_channels(names, rename=dropped)


@pytest.mark.parametrize(
    "extra",
    [
        ["ECG", "EMG", "Resp"],  # other signals of their own, not tagged with an electrode
        ["Fp1-T3", "T3-O1"],  # bipolar channels beside the montage
        ["Fp1-T3", "Fp1-C3"],  # an electrode heading two derivations besides Cz
        ["A1-Cz"],
    ],
)
def test_montages_against_one_electrode_are_still_read_as_referential(extra):
    names, texts = _mapped([*NEONATAL_CZ, *extra])
    assert names == ("FP1", "FP2", "C3", "C4", "T7", "T8", "O1", "O2")
    assert any("are read as referential to Cz" in t for t in texts)
    assert not any("not read as referential" in t for t in texts)


CZ_TEN = [f"{c}-Cz" for c in "Fp1 Fp2 F3 F4 C3 C4 P3 P4 O1 O2".split()]


@pytest.mark.parametrize(
    "extra",
    [
        ["Fp1-EOG", "Fp2-EOG"],  # two electrodes' EOG leads: no participants' tags
        ["Fp1-EOG", "Fp2-EOG", "Fp1-F7", "Fp1-T3", "Fp1-O1"],  # and one head of many partners
        ["F3-ECG"],  # one electrode heading another signal
    ],
)
def test_one_or_two_heads_of_other_signals_leave_a_montage_referential(extra):
    """A head that also heads an EOG or ECG lead, or derivations against many electrodes, is
    no pattern of participants' tags: the montage Fp1-Cz .. O2-Cz is still read as referential
    to Cz, the extra labels simply dropped (once all ten channels were refused for them)."""
    names, texts = _mapped([*CZ_TEN, *extra])
    assert names == ("FP1", "FP2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2")
    assert any("are read as referential to Cz" in t for t in texts)
    assert not any("not read as referential" in t for t in texts)


# two caps under the same labels as MNE reads them: the repeated ones numbered in file order
CAP_A = ["Fp1", "Fp2", "F7", "F8", "F3", "F4", "Fz", "C3-0", "C4-0", "Cz-0"]
CAP_B = ["Cz-1", "C3-1", "C4-1", "P3", "P4", "Pz", "O1", "O2", "T7", "T8"]


def test_two_caps_with_some_labels_alike_are_not_embedded_as_one_head():
    """Three labels or more stored twice: the channels not repeated may be of either head, so
    the recording is refused, naming the labels and how to embed one participant."""
    with pytest.raises(RecordingError) as err:
        map_channels([*CAP_A, *CAP_B])
    text = str(err.value)
    assert text.startswith("the file stores 3 labels more than once, C3, C4, Cz (C3-0, C3-1,")
    assert "two participants' caps" in text and "mix two heads" in text
    assert "rename={'C3-0': 'C3', 'C3-1': None, ...}" in text
    # one participant's table: that cap, mapped as the user says
    table = {name: re.sub(r"-0$", "", name) for name in CAP_A}
    table.update(dict.fromkeys(CAP_B))
    mapping = map_channels([*CAP_A, *CAP_B], rename=table)
    assert mapping.input_names == tuple(CAP_A)
    assert mapping.names == ("FP1", "FP2", "F7", "F8", "F3", "F4", "FZ", "C3", "C4", "CZ")
    # a label or two stored twice stays a warning of copies
    with pytest.warns(RuntimeWarning, match="copies of one label"):
        map_channels(["Fp1", "Cz-0", "Cz-1", "C3-0", "C3-1", "O1"])


def test_caps_of_one_montage_spelled_differently_are_said_to_be_two():
    """Two caps whose labels differ only in spelling (Fp1 and FP1) clash on many electrodes:
    the refusal says the file may hold two caps, whose dropped later channels would mix."""
    cap_b = ["FP1", "FP2", "FZ", "CZ", "PZ", "T7", "T8"]
    with pytest.raises(ValueError) as err:
        map_channels([*CAP, *cap_b])
    text = str(err.value)
    assert "With 5 electrodes named twice, the file may hold two participants' caps" in text
    with pytest.raises(ValueError) as err:  # one or two: the refusal as before
        map_channels([*CAP, "FP1", "T7"])
    assert "caps" not in str(err.value)


def test_every_label_twice_says_that_mne_numbered_the_copies():
    """Two caps of the same labels: no name maps, and the error says why (MNE's copies) and
    how to embed the first cap."""
    with pytest.raises(NoChannelMappedError) as err:
        map_channels([f"{n}-0" for n in CAP] + [f"{n}-1" for n in CAP])
    text = str(err.value)
    assert "The file stores 15 labels more than once" in text
    assert "MNE numbered the copies apart in file order ('Fp1-0' the first 'Fp1'" in text
    assert "rename={ch: ch.removesuffix('-0') if ch.endswith('-0') else None" in text


def test_a_rename_of_a_label_stored_twice_names_its_copies():
    """--rename Fz=Fz on a file that stores Fz twice: the error names Fz-0 and Fz-1."""
    with pytest.raises(ValueError) as err:
        map_channels(["Fz-0", "Fz-1", "Cz"], rename={"Fz": "Fz"})
    text = str(err.value)
    assert "'Fz' is stored 2 times in the file" in text
    assert "'Fz-0', 'Fz-1'" in text and "--rename Fz-0=Fz" in text


@pytest.mark.parametrize(
    ("tag_a", "tag_b", "prefix"),
    [("A-", "B-", True), ("1_", "2_", True), ("S1_", "S2_", True), ("A:", "B:", True),
     ("_1", "_2", False), ("-A", "-B", False)],
)  # fmt: skip
def test_participants_tags_are_named_with_a_table_for_one(tag_a, tag_b, prefix):
    """Labels tagged per participant: the error names the tags, and the Python table it gives
    maps the first participant's channels and leaves the others out."""

    def tagged(tag: str) -> list[str]:
        return [tag + n if prefix else n + tag for n in CAP]

    names = tagged(tag_a) + tagged(tag_b)
    with pytest.raises(NoChannelMappedError) as err:
        map_channels(names)
    text = str(err.value)
    where = "prefixes" if prefix else "suffixes"
    assert f"The labels share the {where} {tag_a!r}, {tag_b!r}" in text
    code = re.search(r"in Python, for the channels of .*?: rename=(\{.*?raw\.ch_names\})", text)
    assert code is not None
    table = eval(code[1], {"raw": type("Raw", (), {"ch_names": names})})  # noqa: S307
    mapping = map_channels(names, rename=table)
    assert mapping.input_names == tuple(tagged(tag_a))
    assert mapping.names == tuple(n.upper() for n in CAP)


def test_a_tagged_cap_beside_an_untagged_one_is_named_as_another_participant():
    """One participant's cap labelled plainly, the other's tagged B-: the plain one is used,
    and the warning names the tag as another participant's cap, with the table for it."""
    names, texts = _mapped([*CAP, *(f"B-{n}" for n in CAP)])
    assert names == tuple(n.upper() for n in CAP)
    assert "The labels share the prefix 'B-', which, taken off, leaves 10-10 names" in texts[0]
    assert "another participant's cap beside the channels used (hyperscanning)" in texts[0]
    assert "rename={ch: ch.removeprefix('B-') if ch.startswith('B-') else None" in texts[0]


def _edf(path, labels: list[str]) -> None:
    """An EDF file of 10 s of noise at 256 Hz with channels labelled ``labels`` (repeated
    labels as written: MNE numbers them apart when it reads the file)."""
    import edfio
    import numpy as np

    rng = np.random.default_rng(0)
    signals = [
        edfio.EdfSignal(rng.normal(0, 20, 2560), sampling_frequency=256, label=label,
                        physical_dimension="uV", physical_range=(-500, 500))
        for label in labels
    ]  # fmt: skip
    edfio.Edf(signals).write(path)


@pytest.mark.filterwarnings("ignore:.*Channel names are not unique")
def test_a_file_of_two_caps_through_the_command_line(tmp_path, capsys):
    """`eegpt channels` on a file of two caps under partly the same labels fails naming
    them; the table docs/montages.md gives for the first cap maps it; `--rename Fz=Fz` on a file
    that stores Fz twice names its copies."""
    from eegpt.channels import write_rename_table
    from eegpt.cli import main

    path = tmp_path / "dyad.edf"
    cap_a = ["Fp1", "Fp2", "F7", "F8", "F3", "F4", "Fz", "C3", "C4", "Cz"]
    cap_b = ["Cz", "C3", "C4", "P3", "P4", "Pz", "O1", "O2", "T7", "T8"]
    _edf(path, cap_a + cap_b)
    assert main(["channels", str(path)]) == 1
    err = capsys.readouterr().err
    assert "dyad.edf: the file stores 3 labels more than once, C3, C4, Cz" in err
    assert "two participants' caps" in err
    # the first cap: its repeated labels' first copies and its own labels
    labels = [*cap_a[:7], "C3-0", "C4-0", "Cz-0", "Cz-1", "C3-1", "C4-1", *cap_b[3:]]
    table = {ch: ch.removesuffix("-0") if ch.endswith("-0") else None for ch in labels}
    table.update({ch: ch for ch in cap_a[:7]})
    main_args = [
        "channels",
        str(path),
        "--rename",
        str(write_rename_table(table, tmp_path / "a.tsv")),
    ]
    assert main(main_args) == 0
    out = capsys.readouterr().out
    assert "ChannelMapping: 10 channel(s) kept, 10 dropped" in out and "C3-0   ->  C3" in out
    _edf(path, ["Fz", "Cz", "Fz", "Pz"])
    assert main(["channels", str(path), "--rename", "Fz=Fz"]) == 1
    assert "'Fz' is stored 2 times in the file" in capsys.readouterr().err


def test_a_small_montage_with_two_eog_leads_stays_referential():
    """Three channels against Cz, two of whose electrodes also head an EOG lead: two heads of
    other signals are no pattern of participants however few the montage's channels (a
    majority rule refused it, as read before the participants' tags were told)."""
    names, texts = _mapped(["Fp1-Cz", "Fp2-Cz", "C3-Cz", "Fp1-EOG", "Fp2-EOG"])
    assert names == ("FP1", "FP2", "C3")
    assert any("are read as referential to Cz" in t for t in texts)


@pytest.mark.filterwarnings("ignore:.*Channel names are not unique")
def test_channels_shows_the_labels_of_a_file_it_refuses(tmp_path, capsys):
    """`eegpt channels` on a file of two caps prints its labels and types (as read, none
    mapped) before the refusal, which stays an error; with --json the object carries them
    and the refusal as its "error"."""
    import json

    from eegpt.cli import main

    path = tmp_path / "dyad.edf"
    cap_a = ["Fp1", "Fp2", "F7", "F8", "F3", "F4", "Fz", "C3", "C4", "Cz"]
    cap_b = ["Cz", "C3", "C4", "P3", "P4", "Pz", "O1", "O2", "T7", "T8"]
    _edf(path, cap_a + cap_b)
    assert main(["channels", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(  # MNE's numbers, not the labels as stored
        f"{path}: 20 channels at 256 Hz, 10.0 s (their labels as read (MNE numbers labels "
        "stored twice apart: C3 -> C3-0, C3-1), not mapped"
    )
    rows = [line.split() for line in out.splitlines()[2:]]
    labels = [*cap_a[:7], "C3-0", "C4-0", "Cz-0", "Cz-1", "C3-1", "C4-1", *cap_b[3:]]
    assert rows == [[label, "eeg"] for label in labels]
    assert "the file stores 3 labels more than once" in err
    assert main(["channels", "--json", str(path)]) == 1
    out, err = capsys.readouterr()
    record = json.loads(out)
    assert "the file stores 3 labels more than once" in record["error"]
    assert [row["label"] for row in record["channels"]] == labels
    assert record["mapping"] == {} and record["unmapped"] == labels
    assert (record["sfreq"], record["duration_s"]) == (256.0, 10.0)
    assert "the file stores 3 labels more than once" in err


def test_labels_mne_numbered_apart_are_told_from_labels_stored_so():
    """C3-0 and C3-1 without a C3: copies MNE numbered; a lone A1-2, or Cz-1 beside Cz, as
    stored (bipolar or numbered by the file itself)."""
    from eegpt.cli_channels import _numbered_copies

    assert _numbered_copies(["C3-0", "Fp1", "C3-1", "A1-2"]) == {"C3": ["C3-0", "C3-1"]}
    assert _numbered_copies(["Cz", "Cz-1", "Cz-2", "A1-2"]) == {}


def test_a_montage_against_a_reference_outside_the_vocabulary_is_not_only_a_participant():
    """CHB-MIT's chb12_27 labels its channels against the reference CS2 (FP1-CS2, F7-CS2 ...,
    with MNE's copies of its '-' channels): the refusal called the shared suffix a
    participant's or device's tag alone; it says it may be that reference, which the same
    rename reads as the electrodes."""
    sites = ["F7", "T7", "P7", "FP1", "F3", "C3", "P3", "O1", "FZ", "CZ", "PZ", "FP2", "F4"]
    labels = [f"{site}-CS2" for site in sites]
    labels[3:3] = ["--0"]
    labels[9:9] = ["--1"]
    with pytest.raises(NoChannelMappedError) as raised:
        map_channels(labels)
    text = str(raised.value)
    assert "The labels share the suffix '-CS2', which, taken off, leaves 10-10 names" in text
    assert "or the reference all of them were recorded against (CS2; CHB-MIT's" in text
    assert "rename={'F7-CS2': 'F7', 'T7-CS2': 'T7', ...}" in text
    table = {ch: ch.removesuffix("-CS2") if ch.endswith("-CS2") else None for ch in labels}
    assert map_channels(labels, rename=table).names == tuple(
        normalize_channel_name(site) for site in sites
    )
    # a participant's tag is not said to be a reference: numbers, electrodes, prefixes
    for tagged in (["Fp1_1", "C3_1", "Cz_1", "O1_1"], ["S1_Fp1", "S1_C3", "S1_Cz", "S1_O1"]):
        with pytest.raises(NoChannelMappedError) as raised:
            map_channels(tagged)
        assert "a participant's or device's tag. To embed" in str(raised.value)
