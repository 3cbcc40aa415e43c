"""Channel vocabulary, name normalisation and channel mapping."""

from __future__ import annotations

import json
import logging
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from eegpt.channels import (
    CHANNEL_INDEX,
    PRETRAINING_CHANNELS,
    PROBE_19_CHANNELS,
    UNSEEN_IN_PRETRAINING,
    VOCABULARY,
    ChannelMapping,
    cap_rename,
    fitted_derivations_note,
    map_channels,
    may_be_electrode,
    nearest_rename,
    normalize_channel_name,
    read_rename_table,
    table_provenance,
    unmatched_rename_warning,
    write_rename_table,
)
from eegpt.errors import DuplicateChannelsError, NoChannelMappedError

EXPECTED_VOCABULARY = (
    "FP1 FPZ FP2 AF7 AF3 AF4 AF8 F7 F5 F3 F1 FZ F2 F4 F6 F8 FT7 FC5 FC3 FC1 FCZ FC2 FC4 FC6 FT8 "
    "T7 C5 C3 C1 CZ C2 C4 C6 T8 TP7 CP5 CP3 CP1 CPZ CP2 CP4 CP6 TP8 P7 P5 P3 P1 PZ P2 P4 P6 P8 "
    "PO7 PO5 PO3 POZ PO4 PO6 PO8 O1 OZ O2"
).split()


def test_vocabulary_order_and_index():
    assert VOCABULARY == tuple(EXPECTED_VOCABULARY)
    assert len(VOCABULARY) == 62 and len(set(VOCABULARY)) == 62
    assert CHANNEL_INDEX["FP1"] == 0
    assert CHANNEL_INDEX["T7"] == 25
    assert CHANNEL_INDEX["CZ"] == 29
    assert CHANNEL_INDEX["O2"] == 61
    assert all(VOCABULARY[i] == name for name, i in CHANNEL_INDEX.items())


def test_pretraining_and_probe_sets():
    assert UNSEEN_IN_PRETRAINING == ("AF7", "AF8", "PO5", "PO6")
    assert len(PRETRAINING_CHANNELS) == 58
    assert PRETRAINING_CHANNELS == tuple(n for n in VOCABULARY if n not in UNSEEN_IN_PRETRAINING)
    assert PROBE_19_CHANNELS == tuple(
        "FP1 FP2 F7 F3 FZ F4 F8 T7 C3 CZ C4 T8 P7 P3 PZ P4 P8 O1 O2".split()
    )
    assert set(PROBE_19_CHANNELS) <= set(PRETRAINING_CHANNELS)


@pytest.mark.parametrize(
    ("raw_name", "expected"),
    [
        # case and whitespace
        ("Fp1", "FP1"),
        ("fp1", "FP1"),
        ("  Fp1 ", "FP1"),
        ("FCz", "FCZ"),
        ("Oz", "OZ"),
        # PhysioNet EEGMMIDB dots
        ("Fc5.", "FC5"),
        ("Fp1.", "FP1"),
        ("Fc5..", "FC5"),
        ("Cz..", "CZ"),
        ("Iz..", None),
        # prefixes
        ("EEG Fp1", "FP1"),
        ("EEG-Fz", "FZ"),
        ("EEG_C3", "C3"),
        ("eeg  cz", "CZ"),
        # Emotiv's EDF exports: "EEG." then the electrode; dots elsewhere as before
        ("EEG.AF3", "AF3"),
        ("EEG.F7", "F7"),
        ("eeg.t8", "T8"),
        ("EEG.Fc5.", "FC5"),
        ("EEG.O1-REF", "O1"),
        ("EEG.GYROX", None),
        ("EEG.AF3.AF4", None),
        # TUH and other reference suffixes
        ("EEG FP1-REF", "FP1"),
        ("EEG T3-REF", "T7"),
        ("EEG T4-LE", "T8"),
        ("EEG T5-REF", "P7"),
        ("EEG T6-LE", "P8"),
        ("EEG CZ-AR", "CZ"),
        ("O1-A2", "O1"),
        ("C4-M1", "C4"),
        ("Pz-AVG", "PZ"),
        ("Pz-Av", "PZ"),
        ("F3-RE", "F3"),
        ("F4-LINKED", "F4"),
        ("EEG FP1 - REF", "FP1"),
        # ... after "_" or a space, or in parentheses
        ("C3_REF", "C3"),
        ("EEG C4 REF", "C4"),
        ("Cz (REF)", "CZ"),
        ("T3_LE", "T7"),
        ("O1 A2", "O1"),
        ("EEG FP1_REF", "FP1"),
        ("FP1_F7", None),  # a pair, not a reference
        ("EKG_REF", None),
        ("A1_REF", None),
        ("C3-A2 REF", None),
        # ... after ":" (Somnomedics, Embla PSG exports) or "/"
        ("F4:M1", "F4"),
        ("C3:M2", "C3"),
        ("C3/A2", "C3"),
        ("O2 : A1", "O2"),
        ("F4:C4", None),  # a pair
        ("Fp1/F7", None),
        ("E1:M2", None),  # EOG
        # Nihon Kohden's "POL " prefix, numbered, ear and amplifier-input references, linked
        # ears written as a sum or a mean
        ("POL C3", "C3"),
        ("POL Fp1-Ref", "FP1"),
        ("POL DC01", None),
        ("POL E", None),
        ("Fp1-Ref1", "FP1"),
        ("Fp1-A1+A2", "FP1"),
        ("C3-(A1+A2)/2", "C3"),
        ("C3-(A1 + A2)/2", "C3"),
        ("C4-(M1+M2)/2", "C4"),
        # ... in either order, and in parentheses after a space as other references are
        ("C3-A2+A1", "C3"),
        ("C4-M2+M1", "C4"),
        ("C3-(A2+A1)/2", "C3"),
        ("C3 (A1+A2)/2", "C3"),
        ("EEG C3 (A2+A1)/2", "C3"),
        ("C3 (A1+A2)", "C3"),
        ("C3 (A1+M2)/2", None),
        ("C3 (Cz)", None),
        ("FP1-Ear", "FP1"),
        ("EEG Fp1-G2", "FP1"),
        ("C3-A1+M2", None),  # not one reference
        ("Fp1-(Cz)", None),
        # old 10-20 names alone
        ("T3", "T7"),
        ("t4", "T8"),
        ("T5", "P7"),
        ("T6", "P8"),
        # not single vocabulary electrodes
        ("FP1-F7", None),
        ("EEG FP1-CZ", None),
        ("T3-T5", None),
        ("EEG EKG1-REF", None),
        ("EEG A1-REF", None),
        ("EEG T1-REF", None),
        ("PHOTIC-REF", None),
        ("EKG", None),
        ("EMG", None),
        ("EOG", None),
        ("A1", None),
        ("M2", None),
        ("T1", None),
        ("STI 014", None),
        ("Status", None),
        ("E36", None),  # EGI numbering
        ("Cz-REF-X", None),
        ("EEG", None),
        ("", None),
    ],
)
def test_normalize_channel_name(raw_name, expected):
    assert normalize_channel_name(raw_name) == expected


def test_normalize_rejects_non_str():
    with pytest.raises(TypeError, match="must be str"):
        normalize_channel_name(3)  # type: ignore[arg-type]


def test_every_vocabulary_name_normalizes_to_itself():
    for name in VOCABULARY:
        assert normalize_channel_name(name) == name
        assert normalize_channel_name(name.lower()) == name
        assert normalize_channel_name(f"EEG {name}-REF") == name


def test_map_tuh_names_drops_non_eeg_with_one_warning():
    names = [
        "EEG FP1-REF",
        "EEG FP2-REF",
        "EEG T3-REF",
        "EEG EKG1-REF",
        "EEG A1-REF",
        "PHOTIC-REF",
        "EEG CZ-REF",
    ]
    with pytest.warns(RuntimeWarning, match="do not match the EEGPT vocabulary") as record:
        mapping = map_channels(names)
    assert len(record) == 1
    message = str(record[0].message)
    for dropped in ("EEG EKG1-REF", "EEG A1-REF", "PHOTIC-REF"):
        assert dropped in message
    assert mapping.input_names == ("EEG FP1-REF", "EEG FP2-REF", "EEG T3-REF", "EEG CZ-REF")
    assert mapping.names == ("FP1", "FP2", "T7", "CZ")
    assert mapping.picks == (0, 1, 2, 6)
    assert mapping.chan_ids == (0, 2, 25, 29)
    assert mapping.dropped == ("EEG EKG1-REF", "EEG A1-REF", "PHOTIC-REF")
    assert len(mapping) == 4
    assert not message.startswith("Only")  # most channels are used

    # A montage named otherwise (EGI's E1..E128 + Cz) keeps almost nothing: said first.
    with pytest.warns(RuntimeWarning, match=r"^Only 1 of the 129 channels are used\. 128 channel"):
        assert map_channels([f"E{i}" for i in range(1, 129)] + ["Cz"]).names == ("CZ",)


def test_map_eegmmidb_names():
    names = ["Fc5.", "Fc3.", "Fp1.", "Fpz.", "Iz..", "T9..", "Cz.."]
    with pytest.warns(RuntimeWarning, match=r"\['Iz\.\.', 'T9\.\.'\]"):
        mapping = map_channels(names)
    assert mapping.names == ("FC5", "FC3", "FP1", "FPZ", "CZ")
    assert mapping.picks == (0, 1, 2, 3, 6)
    assert mapping.chan_ids == tuple(CHANNEL_INDEX[n] for n in mapping.names)


def test_map_brainvision_names_without_warning():
    names = ["Fp1", "Fp2", "F3", "F4", "FCz", "Cz", "Pz", "Oz"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mapping = map_channels(names)
    assert mapping.names == ("FP1", "FP2", "F3", "F4", "FCZ", "CZ", "PZ", "OZ")
    assert mapping.dropped == ()
    assert mapping.picks == tuple(range(8))


def test_map_egi_junk_raises_when_nothing_maps():
    names = ["E1", "E2", "E3", "VREF"]
    with pytest.raises(ValueError, match="none of the 4 channel names") as excinfo:
        map_channels(names)
    message = str(excinfo.value)
    assert "E1" in message and "VREF" in message and "VOCABULARY" in message


def test_on_unknown_raise_lists_unknown():
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['ECG', 'STI 014'\]"):
        map_channels(["Fp1", "ECG", "Cz", "STI 014"], on_unknown="raise")


def test_on_unknown_invalid():
    with pytest.raises(ValueError, match="on_unknown"):
        map_channels(["Fp1"], on_unknown="ignore")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("names", "clash"),
    [(["T3", "Cz", "T7"], ["T3", "T7"]), (["Fp1", "FP1"], ["Fp1", "FP1"]), (["Cz", "Cz"], None)],
)
def test_duplicate_targets_raise_naming_both(names, clash):
    with pytest.raises(ValueError, match="same EEGPT channel") as excinfo:
        map_channels(names)
    for name in clash or names:
        assert repr(name) in str(excinfo.value)


def test_unseen_channels_warn_once():
    with pytest.warns(
        RuntimeWarning, match="outside the 58 channels EEGPT was pretrained"
    ) as record:
        mapping = map_channels(["Fp1", "AF7", "PO6", "Oz"])
    assert len(record) == 1
    assert "dataset" not in str(record[0].message)  # PhysioNet MI, pretraining data, has AF7
    assert "['AF7', 'PO6'] map to vocabulary" in str(record[0].message)  # not 'AF7 (AF7)'
    assert mapping.unseen == ("AF7", "PO6")
    assert mapping.names == ("FP1", "AF7", "PO6", "OZ")


def test_rename_override_and_explicit_drop():
    names = ["E36", "E104", "Cz", "ECG"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # explicit None drops without a warning
        mapping = map_channels(names, rename={"E36": "C3", "E104": "c4", "ECG": None})
    assert mapping.names == ("C3", "C4", "CZ")
    assert mapping.input_names == ("E36", "E104", "Cz")
    assert mapping.picks == (0, 1, 2)
    assert mapping.dropped == ("ECG",)


def test_rename_can_keep_a_cz_referenced_channel():
    mapping = map_channels(["Fp1-Cz", "O1-Cz"], rename={"Fp1-Cz": "FP1", "O1-Cz": "O1"})
    assert mapping.names == ("FP1", "O1")


def test_rename_validation():
    with pytest.raises(ValueError, match="rename or drop \\['Fp2'\\] \\(rename keys"):
        map_channels(["Fp1"], rename={"Fp2": "FP2"})
    with pytest.raises(ValueError, match="rename values must be EEGPT vocabulary names"):
        map_channels(["E1", "Fp1"], rename={"E1": "XYZ"})
    # a known electrode outside the vocabulary is a valid target: dropped, and said why
    with pytest.warns(RuntimeWarning, match=r"rename maps 'E1' to 'A1', which is not an EEGPT"):
        assert map_channels(["E1", "Fp1"], rename={"E1": "A1"}).dropped == ("E1",)
    with pytest.raises(ValueError, match="same EEGPT channel"):
        map_channels(["E1", "Fp1"], rename={"E1": "FP1"})


def test_a_rename_to_an_electrode_outside_the_vocabulary_is_said_as_such():
    """A rename is a choice: a target outside the 62 names (an electrode such as M1, the other
    targets are refused) gets a warning of its own naming it, with the vocabulary name it may
    be a misspelling of; a cap's table, which names such electrodes on purpose, does not."""
    names = ["Fp1", "TP9", "Cz", "EKG"]
    with pytest.warns(RuntimeWarning) as caught:
        mapping = map_channels(names, rename={"TP9": "M1"}, source="rec.vhdr")
    texts = [str(w.message) for w in caught]
    assert mapping.dropped == ("TP9", "EKG") and len(texts) == 2
    assert texts[0].startswith(
        "rec.vhdr: rename maps 'TP9' to 'M1', which is not an EEGPT vocabulary name "
        "(eegpt.channels.VOCABULARY): the model has no embedding for it. Dropped ['TP9']"
    )
    assert "Did you mean" not in texts[0] and "--drop TP9" in texts[0]
    assert "dropped: ['EKG']." in texts[1] and "TP9" not in texts[1]
    for site in ("FCCz", "F9", "F10", "P10"):  # 10-05 sites of their own: no near spelling
        with pytest.warns(RuntimeWarning) as caught:
            map_channels(["Fp1", "E7"], rename={"E7": site})
        text = str(caught[0].message)
        assert f"rename maps 'E7' to {site!r}, which is not an EEGPT vocabulary name" in text
        assert "Did you mean" not in text, text
    with pytest.raises(ValueError, match=r"\['TP9'\]\. rename maps 'TP9' to 'M1'"):
        map_channels(names, rename={"TP9": "M1", "EKG": None}, on_unknown="raise")
    with pytest.raises(ValueError, match=r"'E7': 'FCZZ'.*Did you mean 'FCZZ' -> 'FCZ'\?"):
        map_channels(["Fp1", "E7"], rename={"E7": "FCZZ"})
    sockets = [f"{bank}{i}" for bank in "AB" for i in range(1, 33)]
    with pytest.warns(RuntimeWarning) as caught:  # BioSemi's cap: P9, Iz, AFz and P10
        map_channels(sockets, rename={**cap_rename("biosemi64"), "A1": None})
    assert [str(w.message) for w in caught if "rename maps" in str(w.message)] == []


def test_a_command_line_rename_to_an_electrode_outside_the_vocabulary_says_how_to_drop():
    """--rename TP9=M1 is refused (one channel named on purpose, which could not be used),
    saying how to leave it out and why rename= in Python only warns."""
    from eegpt.cli_options import parse_rename

    with pytest.raises(ValueError) as err:
        parse_rename(["TP9=M1"])
    text = str(err.value)
    assert "'M1' is an electrode outside EEGPT's 62 names" in text
    assert "to leave it out: --drop TP9." in text and "rename= in Python" in text
    with pytest.raises(ValueError, match=r"Did you mean 'FCZZ' -> 'FCZ'\?.*--drop E7\."):
        parse_rename(["E7=FCZZ"])
    for site in ("F9", "F10", "P10"):  # as F9: outside the vocabulary, no 'F1' offered
        with pytest.raises(ValueError) as err:
            parse_rename([f"E7={site}"])
        assert f"{site!r} is an electrode outside EEGPT's 62 names" in str(err.value)
        assert "Did you mean" not in str(err.value)
    with pytest.raises(ValueError, match=r"'foo' is not an EEGPT vocabulary name .*--drop X\.$"):
        parse_rename(["X=foo"])


def test_rename_keys_a_recording_lacks_can_be_ignored():
    rename = {"Ch1": "C3", "ECG": None}  # one rename for a corpus of differing montages
    assert map_channels(["Ch1", "Fp1"], rename=rename, on_missing="ignore").names == ("C3", "FP1")
    assert map_channels(["Fp1", "ECG"], rename=rename, on_missing="ignore").dropped == ("ECG",)
    with pytest.raises(ValueError, match=r"drop \['ECG'\] \(rename keys.*on_missing='ignore'"):
        map_channels(["Ch1", "Fp1"], rename=rename)
    with pytest.raises(ValueError, match="on_missing"):
        map_channels(["Fp1"], on_missing="warn")


BIOSEMI_SOCKETS = [f"{bank}{i}" for bank in "AB" for i in range(1, 33)]


def test_biosemi_caps_name_their_sockets():
    """Socket -> electrode of BioSemi's caps (spot checks against BioSemi's published layout);
    electrodes outside the vocabulary are left out on purpose (None)."""
    cap64 = cap_rename("biosemi64")
    assert list(cap64) == BIOSEMI_SOCKETS
    expected = {"A1": "Fp1", "A2": "AF7", "A5": "F3", "A15": "T7", "A27": "O1", "A32": "CPz",
                "B1": "Fpz", "B6": "Fz", "B16": "Cz", "B20": "T8", "B31": "PO4", "B32": "O2"}  # fmt: skip
    assert {socket: cap64[socket] for socket in expected} == expected
    outside = {"A24": "P9", "A28": "Iz", "B5": "AFz", "B29": "P10"}  # not among the 62 names
    assert {socket: cap64[socket] for socket in outside} == outside
    cap32 = cap_rename("biosemi32")
    assert list(cap32) == BIOSEMI_SOCKETS[:32]
    assert (cap32["A1"], cap32["A7"], cap32["A16"], cap32["A30"], cap32["A32"]) == (
        "Fp1", "T7", "Oz", "Fp2", "Cz")  # fmt: skip
    with pytest.raises(ValueError, match="known caps: biosemi32, biosemi64, bci-iv-2a"):
        cap_rename("biosemi128")


def test_a_bank_a_pick_of_a_64_electrode_cap_is_mapped_through_the_tables_entries(tmp_path):
    """biosemi64 on sockets A1..A20 alone is refused (a 32-electrode recording looks the
    same), saying why and how to say the cap is the 64-electrode one: the table's entries for
    the recording's channels, which pass, in Python and as a table file on the command line."""
    from eegpt.cli_options import parse_rename

    names = [f"A{i}" for i in range(1, 21)]
    with pytest.raises(ValueError) as err:
        map_channels(names, rename="biosemi64")
    text = str(err.value)
    assert "its 20 socket labels are of bank(s) A only" in text
    assert "BioSemi's 32-electrode cap has bank A alone" in text
    assert (
        "rename={k: v for k, v in eegpt.channels.cap_rename('biosemi64').items() if k in "
        "raw.ch_names}" in text
    )
    assert "name or drop the other sockets" not in text
    cap = cap_rename("biosemi64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # A24 is P9: outside the vocabulary
        mapping = map_channels(names, rename={k: v for k, v in cap.items() if k in names})
    assert mapping.names[:3] == ("FP1", "AF7", "AF3") and len(mapping) == 20
    table = tmp_path / "picked.tsv"
    table.write_text("".join(f"{k}\t{cap[k]}\n" for k in names))
    assert map_channels(names, rename=parse_rename([str(table)])) == mapping
    with pytest.raises(ValueError, match=r"cap_rename\('biosemi64'\)\.items\(\)"):
        map_channels(names, rename=parse_rename(["biosemi64"]))
    # the check needs 8 socket labels or more: fewer are mapped by whatever table is named
    assert map_channels(names[:7], rename="biosemi64").names[:2] == ("FP1", "AF7")


def test_shortened_lists_of_names_end_as_the_listed_ones_do():
    """A long list of names in a message ends with how many are left, in words or as a
    Python list alike."""
    from eegpt._logging import few
    from eegpt.channels import shortened_list

    names = [f"E{i}" for i in range(1, 21)]
    assert few(names) == "E1, E2, E3 and 17 more"
    assert shortened_list(names, 2) == few(names, 2, as_list=True) == "['E1', 'E2'] and 18 more"
    assert shortened_list(names[:2]) == "['E1', 'E2']"


def test_socket_labels_are_mapped_only_through_a_named_cap():
    names = [*BIOSEMI_SOCKETS, *(f"EXG{i}" for i in range(1, 9))]
    with pytest.raises(ValueError, match=r"64 of them look like BioSemi socket labels.*"
                       r"rename='biosemi64' \(command line: --rename biosemi64"):  # fmt: skip
        map_channels(names)
    with pytest.raises(ValueError, match=r"'A12'\] and 60 more\. Expected"):
        map_channels(names)  # a long list is cut short
    with pytest.warns(RuntimeWarning) as record:
        mapping = map_channels(names, rename=cap_rename("biosemi64"))
    assert len(mapping) == 60 and mapping.names[:3] == ("FP1", "AF7", "AF3")
    assert mapping.input_names[-1] == "B32" and mapping.names[-1] == "O2"
    assert mapping.dropped == ("A24", "A28", "B5", "B29", *names[64:])
    assert "socket" not in str(record[0].message)
    assert "'EXG8'] look like other signals" in str(record[0].message)
    assert "['A24 (P9)', 'A28 (Iz)', 'B5 (AFz)', 'B29 (P10)'] are electrodes" in str(
        record[0].message
    )
    for on_missing in ("raise", "ignore"):  # also where one rename serves many recordings
        with pytest.raises(ValueError, match=r"sockets of bank\(s\) B, which this recording "
                           r"lacks.*32-electrode cap has bank A alone"):  # fmt: skip
            map_channels(BIOSEMI_SOCKETS[:32], rename="biosemi64", on_missing=on_missing)
    with pytest.raises(ValueError, match="lacks 2 socket labels"):  # a hand-made table
        map_channels(BIOSEMI_SOCKETS[:30], rename=dict(list(cap_rename("biosemi32").items())[:32]))
    assert map_channels(BIOSEMI_SOCKETS[:32], rename="biosemi32").names[-1] == "CZ"
    # a table for fewer sockets than the recording has would name the shared ones wrongly
    with pytest.raises(ValueError, match=r"names 32 socket labels but not \['B1', .*biosemi64"):
        map_channels(names, rename="biosemi32")
    with pytest.raises(ValueError, match="known caps: biosemi32, biosemi64, bci-iv-2a"):
        map_channels(names, rename="biosemi")
    with pytest.warns(RuntimeWarning) as record:  # a few odd labels beside 10-10 names: no note
        map_channels(["Fp1", "Fz", "Cz", "Pz", "O1", "O2", "C3", "C4", "A1", "B2"])
    assert "socket" not in str(record[0].message)


def test_an_egi_table_merged_with_a_biosemi_cap_names_no_sockets(tmp_path):
    """EGI numbers E1..E32 fit the pattern of BioSemi's bank E: a lab's table for its EGI nets
    merged with biosemi64 (one --rename for a mixed corpus) is neither taken for a cap with
    bank E on a 64-electrode BioSemi file, nor counted as sockets on a larger one."""
    from eegpt.cli_options import parse_rename

    table = tmp_path / "egi.tsv"
    egi = {f"E{i}": "Cz" if i == 40 else None for i in range(1, 41)}  # E1..E39 left out
    table.write_text("".join(f"{k}\t{v or ''}\n" for k, v in egi.items()))
    rename = parse_rename(["biosemi64", str(table)])
    with pytest.warns(RuntimeWarning):  # the cap's P9, Iz, AFz, P10
        biosemi = map_channels(BIOSEMI_SOCKETS, rename=rename)
    assert len(biosemi) == 60 and biosemi.names[0] == "FP1"
    with pytest.warns(RuntimeWarning, match="88 channel"):  # E41..E128: not in the table
        net = map_channels([f"E{i}" for i in range(1, 129)], rename=rename)
    assert net.input_names == ("E40",) and net.names == ("CZ",)
    sockets128 = [f"{bank}{i}" for bank in "ABCD" for i in range(1, 33)]
    with pytest.raises(ValueError) as err:
        map_channels(sockets128, rename=rename, on_missing="ignore")
    text = str(err.value)
    assert "names 64 socket labels but not ['C1'," in text and "recording's 128" in text
    assert "(a table of 64 sockets for a recording of 128)" in text and "biosemi32" not in text


def test_a_label_with_zero_for_the_letter_o_gets_the_rename_suggested():
    """KaggleERN's 'P08' (zero for O) is PO8 typed wrong: the warning says so and gives the
    rename to type, without renaming it (channel names are never guessed); 'F10' is an
    electrode of its own, not 'F1O'."""
    names = ["Fp1", "Cz", "PO7", "P08", "EEG P0Z-REF", "F10"]
    with pytest.warns(RuntimeWarning) as record:
        mapping = map_channels(names)
    text = str(record[0].message)
    assert "'P08' reads as PO8, 'EEG P0Z-REF' reads as POz with the digit 0 for the letter O " \
        "(no 10-10 name holds a zero)" in text  # fmt: skip
    assert "rename={'P08': 'PO8', 'EEG P0Z-REF': 'POz'} (command line: --rename P08=PO8 " \
        "--rename 'EEG P0Z-REF=POz')" in text  # fmt: skip
    assert "['F10'] are electrodes outside EEGPT's 62 names" in text
    assert mapping.names == ("FP1", "CZ", "PO7")  # dropped, not renamed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        renamed = map_channels(["Fp1", "Cz", "P08"], rename={"P08": "PO8"})
    assert renamed.names == ("FP1", "CZ", "PO8")


def test_dropped_names_are_told_apart():
    """Scalp electrodes outside the 62 names, other signals, and names that may need a rename
    are said apart; --strict-channels names the channels to drop."""
    names = ["Fp1", "Cz", "TP9", "EEG TP10-REF", "AFF1h", "HEOG", "EKG", "Status", "Ch7"]
    with pytest.warns(RuntimeWarning) as record:
        map_channels(names)
    text = str(record[0].message)
    assert "['TP9', 'EEG TP10-REF', 'AFF1h'] are electrodes outside EEGPT's 62 names" in text
    assert "['HEOG', 'EKG', 'Status'] look like other signals" in text
    assert "If 'Ch7' is an EEG electrode, map it with rename=" in text
    with pytest.warns(RuntimeWarning, match=r"\['Ch7'\]\. If some are EEG electrodes"):
        map_channels(["Fp1", "Ch7"])
    # derivations of two electrodes are not offered a rename: the bipolar note says why
    with pytest.warns(RuntimeWarning) as record:
        map_channels(["Fp1", "Fp2", "C3", "C4", "Cz", "Fp1-C3", "C3-O1", "T3-O1", "Fp2-T4"])
    text = str(record[0].message)
    assert "map them with rename" not in text and "4 of them look like bipolar" in text
    assert "dropped: ['Fp1-C3', 'C3-O1', 'T3-O1', 'Fp2-T4']. 4 of them" in text
    with pytest.warns(RuntimeWarning) as record:
        map_channels(["Fp1", "Fp1-C3", "Ch7"])
    assert "If 'Ch7' is an EEG electrode, map it" in str(record[0].message)
    with pytest.raises(ValueError, match=r"\['Fp1-C3'\]\. 1 of them look like bipolar"):
        map_channels(["Fp1", "Fp1-C3"], on_unknown="raise")
    with pytest.raises(ValueError, match=r"Drop them \(rename=\{'TP9': None\}; command line: "
                       r"--drop TP9; or on_unknown='drop'"):  # fmt: skip
        map_channels(["Fp1", "TP9"], on_unknown="raise")
    with pytest.raises(ValueError, match=r"drop the later ones: rename=\{'T7': None\}"):
        map_channels(["T3", "Cz", "T7"])
    # a rename onto a site the recording has: the renamed channel is the one to drop (the
    # advice to drop the later one, TP7, embedded TP9's signal as TP7 and left TP7 out)
    with pytest.raises(DuplicateChannelsError) as raised:
        map_channels(["Fp1", "TP9", "TP7", "Cz"], rename={"TP9": "TP7"})
    text = str(raised.value)
    assert "The rename in use (rename=, --rename) maps 'TP9' to 'TP7', a site the " in text
    assert "recording already has: channel 'TP7'. Undo that rename, or drop the renamed " in text
    assert "channel: rename={'TP9': None}; command line: --drop TP9. Dropping TP7 instead" in text
    assert "--drop TP7" not in text and raised.value.later == ["TP9"]
    kept = map_channels(["Fp1", "TP9", "TP7", "Cz"], rename={"TP9": None}).input_names
    assert kept == ("Fp1", "TP7", "Cz")
    # beside a clash of the recording's own labels: each gets its advice
    with pytest.raises(DuplicateChannelsError) as raised:
        map_channels(["T3", "A", "EEG TP7-REF", "T7"], rename={"A": "TP7"})
    text = str(raised.value)
    assert "has: TP7 (channel 'EEG TP7-REF'). Undo" in text and "--drop A." in text
    assert "Of the other clashes, keep one of each so no embedding is used twice, e.g. " in text
    assert "drop the later ones: rename={'T7': None}; command line: --drop T7." in text
    assert raised.value.later == ["A", "T7"]
    # one name given twice (an array's or a stream's ch_names): a rename names both, so the
    # advice was to drop them all (rename={'Fp1': None} left neither); the rows are to go
    names = ["Fp1", "C3", "Fp1", "FP1", "Cz"]
    with pytest.raises(ValueError) as raised:
        map_channels(names)
    text = str(raised.value)
    assert "drop the later ones: rename={'FP1': None}; command line: --drop FP1." in text
    assert "Channels named alike cannot be told apart by name ('Fp1' at rows 0, 2 of the " in text
    assert "rename={'Fp1': None} (--drop) would leave out every one of them" in text
    assert "np.delete(x, [2], axis=0)" in text and "{'Fp1': None, 'FP1'" not in text
    kept = [name for i, name in enumerate(names) if i != 2]
    assert map_channels(kept, rename={"FP1": None}).input_names == ("Fp1", "C3", "Cz")
    # two channels labelled Cz in an EDF file: MNE calls them Cz-0 and Cz-1
    with pytest.warns(RuntimeWarning, match=r"copies of one label.*--rename Cz-0=Cz"):
        map_channels(["Fp1", "Cz-0", "Cz-1"])
    # copies of two labels are each named with their own label, and a label with a number
    # alone ('C3-1', no 'C3-0') is not said to be one of two copies of another's label
    with pytest.warns(RuntimeWarning) as caught:
        map_channels(["Fp1", "Cz-0", "Cz-1", "O1-0", "O1-1", "C3-1", "C4-2", "Pz"])
    (text,) = [str(w.message) for w in caught]
    assert "['Cz-0', 'Cz-1'] look like copies of one label that MNE numbered apart (the " in text
    assert "['O1-0', 'O1-1'] look like copies of one label" in text
    assert "(the file names 2 channels 'O1'): keep the right one with rename={'O1-0': 'O1'}" in text
    assert "['C3-1', 'C4-2'] read as 'C3', 'C4' with a number after them" in text
    assert "rename={'C3-1': 'C3', 'C4-2': 'C4'} (command line: --rename C3-1=C3 --rename " in text
    assert "two channels 'Cz'" not in text and "channels 'C3'" not in text
    # once a copy is kept by rename, the other is named as such, not advised renamed as well
    with pytest.warns(RuntimeWarning) as caught:
        map_channels(["Fp1", "Cz-0", "Cz-1", "Cz-2"], rename={"Cz-1": "Cz"})
    (text,) = [str(w.message) for w in caught]
    assert text.endswith(
        "['Cz-0', 'Cz-2'] are the other copies of 'Cz', whose copy 'Cz-1' the rename keeps. "
        "Channels you leave out yourself (--drop NAME; rename={NAME: None}) are not warned about."
    )
    # with a rename in use, the advice adds to it
    with pytest.warns(RuntimeWarning, match=r"add 'AF7': None to rename; command line: --drop AF7"):
        map_channels(["AF7", "Cz", "E1"], rename={"E1": "O1"})


def test_bipolar_derivations_are_explained():
    with pytest.raises(ValueError, match=r"2 of them look like bipolar derivations \('EEG FP1-F7'"):
        map_channels(["EEG FP1-F7", "EEG F7-T3", "EKG"])
    with pytest.warns(RuntimeWarning, match="1 of them look like bipolar") as record:
        map_channels(["Fp1", "Cz", "FP2-F8", "EKG"])
    assert "EKG" in str(record[0].message)
    with pytest.warns(RuntimeWarning) as record:
        map_channels(["Fp1", "EKG"])  # nothing bipolar: no such sentence
    assert "bipolar" not in str(record[0].message)


def test_seed_cerebellar_and_neuroscan_eog_channels_are_told_apart():
    """SEED's Neuroscan cap: CB1/CB2 (cerebellar electrodes) are electrodes outside the 62
    names, as M1/M2 are, not names to map with a rename; Neuroscan's HEO/VEO (and
    HEOL/HEOR, VEOU/VEOL) are EOG, other signals."""
    eog = ["HEO", "VEO", "HEOL", "HEOR", "VEOU", "VEOL"]
    with pytest.warns(RuntimeWarning) as record:
        mapping = map_channels(["FP1", "CZ", "O1", "M1", "CB1", "CB2", *eog])
    assert mapping.names == ("FP1", "CZ", "O1")
    text = str(record[0].message)
    assert "['M1', 'CB1', 'CB2'] are electrodes outside EEGPT's 62 names" in text
    assert f"{eog} look like other signals" in text
    assert "map them" not in text and "map it" not in text, text
    # the other 10-05 sites outside the vocabulary, plain and half positions
    from eegpt.vocabulary import VOCABULARY, is_other_electrode

    sites = ["AF1", "AF10", "PO2", "AFF1", "POO10", "OI1", "C3h", "Fp1h", "CB2"]
    assert [n for n in sites if not is_other_electrode(n)] == []
    assert [n for n in [*VOCABULARY, "T3", "A5", "C7", "E1", "X1"] if is_other_electrode(n)] == []


def test_emotiv_housekeeping_channels_are_other_signals():
    """An Emotiv export's counter, interpolation flag, contact quality, motion, battery and
    time stamps are named as other signals, not left to map by hand as if electrodes."""
    others = ["EEG.COUNTER", "EEG.INTERPOLATED", "EEG.RAW_CQ", "EEG.BATTERY", "EEG.MARKER",
              "MOT.GyroX", "MOT.AccX", "ACCZ", "MAGX", "CQ.AF3", "EQ.OVERALL", "TIMESTAMP",
              "TIME_STAMP_s", "TIME_STAMP_ms", "SYNC"]  # fmt: skip
    with pytest.warns(RuntimeWarning) as record:
        mapping = map_channels(["EEG.AF3", "EEG.F7", "EEG.O1", *others])
    assert mapping.names == ("AF3", "F7", "O1")
    text = str(record[0].message)
    assert "look like other signals (EOG, ECG, EMG, triggers, ...)." in text
    assert "map them" not in text and "map it" not in text, text


def test_housekeeping_patterns_take_no_electrodes():
    """The headset housekeeping patterns take Emotiv's motion and counter channels, not the
    vocabulary's names nor sEEG contacts (ACC1: anterior cingulate), Accumbens, TUH's labels
    or other electrodes; SpO2 and Photic are left to the other signals' patterns."""
    from eegpt.channels import VOCABULARY
    from eegpt.vocabulary import _HOUSEKEEPING, electrode_key, may_be_electrode

    housekeeping = re.compile(_HOUSEKEEPING)
    names = [*VOCABULARY, "ACC1", "ACC8", "Accumbens", "EEG FP1-REF", "T1", "PG1", "SpO2",
             "Photic", "MOTOR1", "Power"]  # fmt: skip
    assert [n for n in names if housekeeping.search(electrode_key(n))] == []
    assert may_be_electrode("ACC1") and may_be_electrode("Accumbens")
    emotiv = ["ACC.X", "ACCX", "ACC_Z", "ACCEL_X", "GYROX", "COUNTER", "MOT.Q0", "POW.AF3.Theta"]
    assert [n for n in emotiv if not housekeeping.search(electrode_key(n))] == []


def test_sleep_montages_other_signals_and_sided_references():
    """An AASM sleep montage: EOG (ROC/LOC), chin EMG and a clinical system's derived traces are
    other signals; C3-M2 beside C4-M1 are on two references, which the model cannot tell."""
    names = ["C3-M2", "C4-M1", "O1-M2", "EEG ROC-REF", "LOC", "Chin1-Chin2", "IBI", "SUPPR"]
    with pytest.warns(RuntimeWarning) as record:
        mapping = map_channels(names)
    assert mapping.names == ("C3", "C4", "O1")
    texts = [str(w.message) for w in record]
    assert (
        "['EEG ROC-REF', 'LOC', 'Chin1-Chin2', 'IBI', 'SUPPR'] look like other signals" in texts[0]
    )
    assert "referenced to different sites (C3-M2, O1-M2 against M2; C4-M1 against M1)" in texts[1]
    # TUH's eye channels at the canthi are other signals; sphenoidal and nasopharyngeal
    # electrodes lie outside the vocabulary
    with pytest.warns(RuntimeWarning) as record:
        map_channels(["EEG FP1-REF", "EEG LUC-REF", "EEG RLC-REF", "EEG SP1-REF", "EEG PG2-REF"])
    text = str(record[0].message)
    assert "['EEG LUC-REF', 'EEG RLC-REF'] look like other signals" in text
    assert "['EEG SP1-REF', 'EEG PG2-REF'] are electrodes outside" in text
    with warnings.catch_warnings():  # one reference, however labelled: nothing to say
        warnings.simplefilter("error")
        map_channels(["C3-A2", "C4-A2", "O2-A2"])
        map_channels(["EEG C3-REF", "C4-Ref", "Cz (REF)", "O1-ORIG"])
        map_channels(["Fp1-REF", "EEG C3-G2", "POL O1-G2"])  # G2: the amplifier's reference
        map_channels(["Fp1-AVG", "Fp2-Av", "Cz-AR", "O1-CAR"])
        map_channels(["C3-LE", "C4-A1+A2", "Cz-(A1+A2)/2", "O1-Linked"])
        map_channels(["C3-A2+A1", "C4 (A1+A2)/2", "Cz-(A2+A1)/2", "O1-A1A2"])
        map_channels(["Fp1", "Fp2", "C3-A2"])  # no reference named: none to compare with
        map_channels(["C3-M2", "C4-M1"], rename={"C3-M2": "C3", "C4-M1": "C4"})  # renamed: told


def test_ear_and_mastoid_of_one_side_are_not_called_left_and_right():
    """M1 and A1 are both left: channels against them are on two references, but not the two
    sides of a sleep montage; the warning says what holds for any two references."""
    with pytest.warns(RuntimeWarning) as record:
        map_channels(["C3-M1", "C4-A1", "O1-M1"])
    (text,) = [str(w.message) for w in record]
    assert "(C3-M1, O1-M1 against M1; C4-A1 against A1)" in text
    assert "left and right" not in text and "sleep montages" not in text
    assert "rename={'C4-A1': None}" in text  # keep the channels of one reference
    # each ear against the other side's: the sleep montage's advice, with the ears' names
    with pytest.warns(RuntimeWarning, match=r"set_eeg_reference\(\['A1', 'A2'\]\)") as record:
        map_channels(["C3-A2", "C4-A1"])
    assert "left and right against different references" in str(record[0].message)


def test_channels_against_different_references_are_warned_about_whatever_the_references():
    """A label's reference, not only an ear or mastoid: Ref beside Avg, LE and A2 is four
    references; the warning lists every group and how to keep one."""
    names = ["Fp1-Ref", "Fp2-Avg", "C3-LE", "C4-A2", "Cz-Ref", "O1-Ref", "O2-Ref"]
    with pytest.warns(RuntimeWarning) as record:
        mapping = map_channels(names, source="mixref.edf")
    assert len(mapping) == 7
    (text,) = [str(w.message) for w in record]
    assert text.startswith(
        "mixref.edf: the channels used are referenced to different sites, as their labels say "
        "(Fp1-Ref, Cz-Ref, O1-Ref and 1 more against REF; Fp2-Avg against AVG; C3-LE against "
        "LE; C4-A2 against A2)."
    )
    assert "rename={'Fp2-Avg': None, 'C3-LE': None, 'C4-A2': None}" in text  # keep the most
    assert "--drop Fp2-Avg --drop C3-LE --drop C4-A2" in text
    assert "set_eeg_reference(['M1', 'M2'])" not in text  # not a sleep montage's two sides
    # linked ears beside each ear alone: three references, each named
    with pytest.warns(RuntimeWarning) as record:
        map_channels(["Fp1-A1", "Fp2-A2", "EEG C3-LE", "EEG Cz-LE", "O1"])
    (text,) = [str(w.message) for w in record]
    assert "(Fp1-A1 against A1; Fp2-A2 against A2; EEG C3-LE, EEG Cz-LE against LE)" in text
    # spellings of one reference are named together
    with pytest.warns(RuntimeWarning, match=r"\(C3-AVG, Cz-AV against AVG/AV; O1-A1\+A2, "
                       r"O2-LE against A1A2/LE\)"):  # fmt: skip
        map_channels(["C3-AVG", "Cz-AV", "O1-A1+A2", "O2-LE"])


def test_single_string_is_rejected():
    with pytest.raises(TypeError, match="single str"):
        map_channels("Fp1")


def test_mapping_roundtrip_json_and_summary():
    with pytest.warns(RuntimeWarning):
        mapping = map_channels(["EEG T3-REF", "ECG", "Fz"])
    d = json.loads(json.dumps(mapping.to_dict()))
    assert d == {
        "input_names": ["EEG T3-REF", "Fz"],
        "names": ["T7", "FZ"],
        "picks": [0, 2],
        "chan_ids": [25, 11],
        "dropped": ["ECG"],
    }
    again = ChannelMapping.from_dict(d)
    assert again == mapping
    text = str(mapping)
    assert "EEG T3-REF" in text and "T7 (25)" in text and "dropped: ECG" in text
    assert text == mapping.summary()


def test_mapping_validation():
    with pytest.raises(ValueError, match="do not match the vocabulary rows"):
        ChannelMapping(("a",), ("FP1",), (0,), (5,))
    with pytest.raises(ValueError, match="one entry per kept channel"):
        ChannelMapping(("a", "b"), ("FP1",), (0,), (0,))
    with pytest.raises(ValueError, match="not in the EEGPT vocabulary"):
        ChannelMapping(("a",), ("A1",), (0,), (0,))
    with pytest.raises(ValueError, match="lacks"):
        ChannelMapping.from_dict({"names": ["FP1"]})
    with pytest.raises(ValueError, match="picks must be unique"):
        ChannelMapping(("a", "b"), ("FP1", "FP2"), (0, 0), (0, 2))
    frozen = ChannelMapping(["a"], ["FP1"], [0], [0])
    assert frozen.picks == (0,)  # lists become tuples
    with pytest.raises(AttributeError):
        frozen.names = ("FP2",)  # type: ignore[misc]


def test_a_mapping_pickled_before_the_rename_fields_loads():
    """A ChannelMapping pickled by an eegpt without rename_source/rename_call/
    rename_distances_mm (a saved estimator's mapping_) gets their defaults."""
    import pickle

    mapping = ChannelMapping(["a", "b"], ["FP1", "CZ"], [0, 1], [0, 29], dropped=["x"],
                             rename_source="t.tsv", rename_distances_mm={"a": 1.0})  # fmt: skip
    for name in ("rename_source", "rename_call", "rename_distances_mm"):
        del mapping.__dict__[name]  # what such a pickle holds
    old = pickle.loads(pickle.dumps(mapping))
    assert "rename_source" not in old.to_dict() and old.rename_distances_mm == {}
    assert repr(old).startswith("ChannelMapping(") and old == ChannelMapping.from_dict(
        old.to_dict()
    )
    new = ChannelMapping(["a"], ["FP1"], [0], [0], rename_source="t.tsv", rename_call="c",
                         rename_distances_mm={"a": 2.5})  # fmt: skip
    again = pickle.loads(pickle.dumps(new))
    assert (again.rename_source, again.rename_call, again.rename_distances_mm) == (
        "t.tsv", "c", {"a": 2.5},
    )  # fmt: skip


def test_long_lists_of_channels_are_cut_short_in_warnings_and_the_log(caplog):
    """An EGI net's 128 numbered channels are named by their first few in the warning and the
    logged table (the mapping keeps them all); channels a rename leaves out on purpose are
    not counted as unused."""
    names = [*(f"E{i}" for i in range(1, 129)), *VOCABULARY[:20]]
    rename = {f"E{i}": None for i in range(1, 101)}  # left out on purpose
    with caplog.at_level(logging.INFO, logger="eegpt"), pytest.warns(RuntimeWarning) as caught:
        mapping = map_channels(names, rename=rename, verbose=True)
    (text,) = [str(w.message) for w in caught if "do not match" in str(w.message)]
    assert (
        "Only 20 of the 148 channels are used: 100 left out by the rename, 28 with names "
        "outside the vocabulary." in text
    )
    assert (
        "dropped: ['E101', 'E102'," in text
        and "'E112'] and 16 more" in text
        and "'E128'" not in text
    )
    assert len(mapping.dropped) == 128 and "E128" in mapping.to_dict()["dropped"]
    (table,) = [r.getMessage() for r in caplog.records if "ChannelMapping:" in r.getMessage()]
    assert "... and 8 more (eegpt channels FILE lists them all)" in table
    assert "and 116 more" in table and "E128" not in table
    assert "E128" in mapping.summary()  # the full table, as eegpt channels prints it


def test_verbose_logs_table(caplog):
    with caplog.at_level(logging.INFO, logger="eegpt"):
        map_channels(["Fp1", "T3"], verbose=True)
    assert any("T3" in r.getMessage() and "T7 (25)" in r.getMessage() for r in caplog.records)
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "eegpt")


def test_not_verbose_logs_at_debug_only(caplog):
    with caplog.at_level(logging.DEBUG, logger="eegpt"):
        map_channels(["Fp1", "T3"], verbose=False)
    records = [r for r in caplog.records if r.name == "eegpt"]
    assert records and all(r.levelno == logging.DEBUG for r in records)


def test_verbose_none_leaves_it_to_the_logging_configuration(caplog, capsys):
    """MNE's convention: the default defers to the configured level (INFO records, shown by a
    handler at INFO, not by unconfigured logging)."""
    with caplog.at_level(logging.INFO, logger="eegpt"):
        map_channels(["Fp1", "T3"])
    records = [r for r in caplog.records if r.name == "eegpt"]
    assert records and all(r.levelno == logging.INFO for r in records)
    caplog.clear()
    map_channels(["Fp1", "T3"])
    assert capsys.readouterr().err == ""


def test_verbose_true_shows_without_logging_config(capsys):
    map_channels(["Fp1", "T3"], verbose=True)
    assert "T7 (25)" in capsys.readouterr().err
    map_channels(["Fp1", "T3"], verbose=None)
    assert capsys.readouterr().err == ""


def test_spelling_hint_names_the_channel_a_key_was_meant_for():
    from eegpt.channels import spelling_hint

    names = ["Fp1", "EOG", "EEG  C3-REF", "TP9"]
    assert spelling_hint(["eog"], names) == " Did you mean: 'eog' -> 'EOG'? Letter case counts."
    assert "'EEG C3-REF' -> 'EEG  C3-REF'" in spelling_hint(["EEG C3-REF"], names)  # spacing
    assert "'TP09' -> 'TP9'" in spelling_hint(["TP09"], names)  # a close spelling
    assert "'C3' -> 'EEG  C3-REF'" in spelling_hint(["C3"], names)  # the label of that electrode
    assert spelling_hint(["Fp2", "Oz", "Fp1"], names) == ""  # no other electrode; exact keys
    with pytest.raises(ValueError, match=r"Did you mean: 'TP09' -> 'TP9'\?"):
        map_channels(names, rename={"TP09": None})


def test_rename_keys_match_channels_whatever_their_spaces():
    """The command line strips what is typed, so a label stored with spaces ('fc1 ') could not
    be named there: spaces are ignored. Case is not (a corpus-wide --drop FP1 for one file's
    duplicate must not take another file's Fp1): a hint names the channel instead. A key that
    fits two channels is refused."""
    names = ["Fp1", "fc1 ", "EOG", "EEG  C3-REF"]
    m = map_channels(names, rename={"fc1": "FC1", "EEG C3-REF": None})
    assert m.input_names == ("Fp1", "fc1 ") and m.names == ("FP1", "FC1")
    assert m.dropped == ("EOG", "EEG  C3-REF")
    with pytest.raises(ValueError, match=r"Did you mean: 'fp1' -> 'Fp1'\? Letter case counts"):
        map_channels(names, rename={"fp1": None})
    with pytest.raises(ValueError, match=r"'C3' matches several channels .*\['C3 ', ' C3'\]"):
        map_channels(["C3 ", " C3"], rename={"C3": None})
    with pytest.raises(ValueError, match="twice, with different targets"):
        map_channels(names, rename={"fc1": None, " fc1": "FC1"})
    m = map_channels(["Fp1", "Cz "], rename={"FP1": None, "Cz": "C3"}, on_missing="ignore")
    assert m.input_names == ("Fp1", "Cz ") and m.names == ("FP1", "C3")


def test_present_keys_match_as_map_channels_does():
    """Probes on several inputs keep the rename entries of the merged channels: a key typed
    without the spaces of the stored label ('fc1' for 'fc1 ') must stay, as map_channels uses it."""
    from eegpt.channels import present_keys

    assert present_keys({"fc1": None, "Oz": None, "FC2": "FC2"}, ["fc1 ", "FC2"]) == {
        "fc1": None,
        "FC2": "FC2",
    }


def test_a_cap_table_leaves_recordings_with_10_10_names_alone():
    """``rename="biosemi64"`` for a corpus of BioSemi and clinical files: a recording with
    10-10 names (F3, C4 fit the socket pattern) is mapped as usual, not refused."""
    clinical = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "F7", "F8", "Fz",
                "Cz", "Pz"]  # fmt: skip
    corpus = map_channels(clinical, rename="biosemi64", on_missing="ignore")  # as embed-dataset
    assert corpus.names == map_channels(clinical).names
    assert unmatched_rename_warning("biosemi64", clinical, 1) is None  # a cap: not a typo
    assert "['Fq1']" in unmatched_rename_warning({"Fq1": "Fp1"}, clinical, 1)


def test_sockets_of_bank_c_are_not_taken_for_10_10_electrodes():
    """A 128-socket BioSemi recording (A1..D32): C1..C6 are sockets there, not the electrodes
    of those names, so nothing is mapped without the cap's table."""
    sockets = [f"{bank}{k}" for bank in "ABCD" for k in range(1, 33)]
    with pytest.raises(ValueError, match="BioSemi socket labels"):
        map_channels([*sockets, *(f"EXG{k}" for k in range(1, 9))])
    table = {f"C{k}": name for k, name in zip(range(1, 4), ["Fz", "Cz", "Pz"], strict=True)}
    assert map_channels(sockets, rename=table).names == ("FZ", "CZ", "PZ")


def test_a_rename_table_file_maps_a_cap_without_a_built_in_table(tmp_path, capsys):
    """A lab's own cap (labels Ch1..): its table as TSV (with a heading), CSV or JSON gives
    the same rename; an empty electrode drops the channel; on the command line it is
    `--rename FILE`, overridden by single entries; a malformed line is named."""
    import mne
    import numpy as np

    from eegpt.channels import read_rename_table
    from eegpt.cli import main
    from eegpt.cli_options import parse_rename

    tsv = tmp_path / "cap.tsv"
    tsv.write_text("label\telectrode\n# my cap\nCh1\tFp1\nCh2\tCz  # vertex\nCh3\tO2\nEXG1\t\n")
    csv = tmp_path / "cap.csv"
    csv.write_text("Ch1,Fp1\nCh2,Cz\nCh3,O2\nEXG1,drop\n")
    js = tmp_path / "cap.json"
    js.write_text('{"Ch1": "Fp1", "Ch2": "Cz", "Ch3": "O2", "EXG1": null}')
    want = {"Ch1": "Fp1", "Ch2": "Cz", "Ch3": "O2", "EXG1": None}
    for path in (tsv, csv, js):
        assert read_rename_table(path) == want
    assert parse_rename([str(tsv), "Ch3=Oz"], ["Ch1"]) == {**want, "Ch1": None, "Ch3": "Oz"}
    bad = tmp_path / "bad.tsv"
    bad.write_text("Ch1\tFp1\nCh2 Cz\n")
    with pytest.raises(ValueError, match=r"bad.tsv, line 2: 'Ch2 Cz' is not 'label<TAB>electrode'"):
        read_rename_table(bad)
    bad.write_text("Ch1\tFp1\nCh1\tFp2\n")
    with pytest.raises(ValueError, match=r"line 2: 'Ch1' is given twice"):
        read_rename_table(bad)
    info = mne.create_info(["Ch1", "Ch2", "Ch3", "EXG1"], 256.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 2e-5, (4, 2560)), info, verbose=False)
    raw.save(tmp_path / "lab_raw.fif", verbose=False)
    assert main(["channels", str(tmp_path / "lab_raw.fif"), "--rename", str(tsv)]) == 0
    out = capsys.readouterr().out
    assert "Ch1    ->  FP1 (0)" in out and "Ch2    ->  CZ (29)" in out and "dropped: EXG1" in out
    assert main(["channels", str(tmp_path / "lab_raw.fif"), "--rename", str(tmp_path / "no.tsv")])
    # Python takes the file as rename= too, as a str or a Path
    for given in (str(tsv), tsv):
        assert map_channels(["Ch1", "Ch2", "Ch3", "EXG1"], rename=given).names == (
            "FP1",
            "CZ",
            "O2",
        )
    # a short heading, '#' inside a label, a header's Latin-1 byte, an escape as shown
    odd = tmp_path / "odd.tsv"
    odd.write_bytes(b"in\tout\nCh#6\tPz  # the sixth\nEEG Fpz\x96Cz\tFpz\nEEG Oz\\x96\tOz\n")
    assert read_rename_table(odd) == {"Ch#6": "Pz", "EEG Fpz\x96Cz": "Fpz", "EEG Oz\x96": "Oz"}
    js.write_text('{"Ch1": "Fp1", "Ch1": "Fp2"}')
    with pytest.raises(ValueError, match=r"cap.json: 'Ch1' is given twice"):
        read_rename_table(js)
    assert f"no such rename table file: {tmp_path / 'no.tsv'}" in capsys.readouterr().err


def test_a_rename_string_that_is_no_table_says_which_it_is_not(tmp_path, monkeypatch, capsys):
    """rename='mytable.tsv' that is not there: no such file, relative to the working
    directory; a near-miss of a built-in table's name in case or '-'/'_' is that table; any
    other string is neither, with a near table's name suggested."""
    from eegpt.channels import rename_table
    from eegpt.cli import main
    from eegpt.cli_options import parse_rename

    monkeypatch.chdir(tmp_path)
    for given in ("mytable.tsv", "tables/bcic2a", Path("mytable.tsv")):
        with pytest.raises(ValueError) as err:
            rename_table(given)
        assert str(err.value) == (
            f"no such rename table file: {given} (relative to the working directory {tmp_path})"
        )
    assert rename_table("BCI_IV_2a") == rename_table("bci-iv-2a")
    assert rename_table("biosemi-64") == cap_rename("BioSemi64") == cap_rename("biosemi64")
    assert parse_rename(["BCI-IV-2a"]) == rename_table("bci-iv-2a")
    with pytest.raises(ValueError, match=r"neither a built-in table \(known caps: biosemi32, "
                       r"biosemi64, bci-iv-2a\) nor an existing file .*Did you mean 'biosemi64'"):  # fmt: skip
        map_channels(["A1", "A2"], rename="biosemi46")
    with pytest.raises(ValueError, match="no such rename table file: no.tsv"):
        parse_rename(["no.tsv"])
    assert main(["channels", "x.edf", "--rename", "bci_4_2a"]) != 0
    assert "Did you mean 'bci-iv-2a'?" in capsys.readouterr().err
    with pytest.raises(ValueError) as err:  # the =VOCAB forgotten: said once, as typed
        parse_rename(["Fp1"])
    assert str(err.value).startswith("--rename 'Fp1' is no built-in table (known caps: ")
    assert str(err.value).count("biosemi32") == 1 and "--drop Fp1" in str(err.value)
    with pytest.raises(ValueError, match=r"--drop 'EEG FP1-REF'$"):  # runs as printed
        parse_rename(["EEG FP1-REF"])
    assert parse_rename(["biosemi-64", "BIOSEMI64"]) == cap_rename("biosemi64")  # one cap
    assert parse_rename(["biosemi64"]).source == "biosemi64"
    merged = parse_rename(["biosemi64", "A5=Fz"], ["A6"])  # the cap's, with entries beside it
    assert merged.source == "biosemi64" and merged.code == "eegpt.channels.cap_rename('biosemi64')"
    assert table_provenance(merged) == {
        "rename_source": "biosemi64 (with own entries: A5 -> Fz, A6 left out)"
    }


def test_an_empty_rename_table_renames_nothing():
    """A table built empty (filtered to nothing) is no other recording's table."""
    from eegpt.channels import RenameTable

    assert map_channels(["Fp1", "C3"], rename=RenameTable()).names == ("FP1", "C3")


def test_a_label_with_a_control_byte_is_shown_escaped_and_can_be_typed_back():
    """A header byte that is not UTF-8 (cp1252's dash, 0x96) reads as the control character
    U+0096: the table shows it as an escape, and the same escape typed in bash
    ($'EEG Fpz\\x96Cz=Fpz': the raw byte, a surrogate in Python's argv) finds the channel."""
    from eegpt.cli_options import parse_rename

    names = ["EEG Fpz\x96Cz", "Pz"]
    table = map_channels(names, rename={"EEG Fpz\x96Cz": "Fpz"}).summary()
    assert "  EEG Fpz\\x96Cz  ->  FPZ (1)" in table
    argv = b"EEG Fpz\x96Cz=Fpz".decode("utf-8", "surrogateescape")  # how Python gets it
    rename = parse_rename([argv])
    assert rename == {"EEG Fpz\x96Cz": "Fpz"}
    assert parse_rename([r"EEG Fpz\x96Cz=Fpz"]) == rename  # the escape as the table shows it
    assert map_channels(names, rename=rename).input_names == ("EEG Fpz\x96Cz", "Pz")


def test_pairs_written_with_a_colon_or_slash_are_named_as_bipolar():
    """``F4:C4`` and ``Fp1/F7`` are derivations like ``FP1-F7``: the warning says so."""
    with pytest.warns(RuntimeWarning, match=r"2 of them look like bipolar derivations \('F4:C4'"):
        mapping = map_channels(["Fz", "F4:C4", "Fp1/F7", "C3/A2"])
    assert mapping.names == ("FZ", "C3")


NEONATAL_CZ = ["Fp1-Cz", "Fp2-Cz", "C3-Cz", "C4-Cz", "T3-Cz", "T4-Cz", "O1-Cz", "O2-Cz"]


def test_a_montage_against_cz_is_read_as_referential():
    """Channels that all share Cz as their second electrode (a neonatal montage) are each
    their first electrode against Cz, said once and recorded in the mapping."""
    with pytest.warns(RuntimeWarning) as record:
        mapping = map_channels([*NEONATAL_CZ, "ECG", "A1-Cz"], source="czref.edf")
    assert mapping.names == ("FP1", "FP2", "C3", "C4", "T7", "T8", "O1", "O2")
    assert mapping.referential == dict.fromkeys(NEONATAL_CZ, "CZ")
    texts = [str(w.message) for w in record]
    assert "['A1-Cz (A1)'] are electrodes outside EEGPT's 62 names" in texts[0]
    assert "bipolar" not in texts[0]
    assert texts[1].startswith(
        "czref.edf: Fp1-Cz, Fp2-Cz, C3-Cz and 5 more are read as referential to Cz: 8 channels "
        "of the recording have Cz as their second electrode and none has it as its first"
    )
    assert "(Fp1-Cz as Fp1). Cz itself, the reference, is flat in such a recording and " in texts[1]
    assert len(texts) == 2  # one reference: no mixed-reference warning
    summary = mapping.summary()
    assert "  T3-Cz   ->  T7 (25)" in summary
    assert "read as referential to Cz (each derivation X-Cz as X): 8 channel(s)" in summary
    d = json.loads(json.dumps(mapping.to_dict()))
    assert d["referential"]["O2-Cz"] == "CZ" and ChannelMapping.from_dict(d) == mapping
    # a rename still decides for the channels it names; the others are read as before
    with pytest.warns(RuntimeWarning, match="and 3 more are read as referential to Cz"):
        renamed = map_channels(NEONATAL_CZ, rename={"Fp1-Cz": None, "O1-Cz": "Oz"})
    assert renamed.names == ("FP2", "C3", "C4", "T7", "T8", "OZ", "O2")
    assert "O1-Cz" not in renamed.referential and "Fp1-Cz" in renamed.dropped
    # a Cz channel beside them is used, with a word: in such a montage it would be flat
    with pytest.warns(RuntimeWarning, match=r"yet 'Cz' is used as Cz: check that it carries"):
        map_channels([*NEONATAL_CZ, "Cz"])
    # against another reference as well: two references
    with pytest.warns(RuntimeWarning) as record:
        map_channels([*NEONATAL_CZ[:3], "Pz-Ref"])
    assert "(Fp1-Cz, Fp2-Cz, C3-Cz against Cz; Pz-Ref against REF)" in str(record[1].message)


@pytest.mark.parametrize(
    "names",
    [
        ["Fp1-Cz", "O1-Cz"],  # too few to tell from bipolar pairs
        ["Fp1-Cz", "C3-Cz", "O1-Cz", "Cz-Pz"],  # Cz also the first electrode: a chain
        # a double banana and a neonatal bipolar montage: no electrode shared as reference
        "Fp1-F7 F7-T3 T3-T5 T5-O1 Fp2-F8 F8-T4 T4-T6 T6-O2 Fp1-F3 F3-C3 C3-P3 P3-O1 Fp2-F4 "
        "F4-C4 C4-P4 P4-O2 Fz-Cz Cz-Pz".split(),
        "Fp1-T3 T3-O1 Fp2-T4 T4-O2 Fp1-C3 C3-O1 Fp2-C4 C4-O2 T3-C3 C3-Cz Cz-C4 C4-T4".split(),
    ],
)
def test_bipolar_montages_are_not_read_as_referential(names):
    with pytest.raises(ValueError, match="look like bipolar derivations"):
        map_channels(names)


@pytest.mark.parametrize("itself", ["Cz-Cz", "EEG Cz-Cz"])
def test_the_reference_against_itself_is_left_out_and_keeps_the_montage(itself):
    """A montage against Cz that also exports Cz against itself (flat) is still read as
    referential; that channel is no derivation and is left out, said as the reference."""
    with pytest.warns(RuntimeWarning) as record:
        mapping = map_channels([*NEONATAL_CZ, itself])
    assert mapping.names == ("FP1", "FP2", "C3", "C4", "T7", "T8", "O1", "O2")
    assert mapping.dropped == (itself,)
    texts = [str(w.message) for w in record]
    assert f"[{itself!r}] is Cz against itself: the reference channel a montage against" in texts[0]
    assert "flat (all zeros)" in texts[0] and "bipolar" not in texts[0]
    assert "map it with rename" not in texts[0]  # no electrode to name it
    assert "8 channels of the recording have Cz as their second electrode" in texts[1]
    assert f"is flat in such a recording ({itself!r} is that channel: left out)" in texts[1]
    # left out by the user: no warning of it, the montage is read as before
    with pytest.warns(RuntimeWarning) as record:
        left = map_channels([*NEONATAL_CZ, itself], rename={itself: None})
    assert left.names == mapping.names and left.dropped == (itself,)
    (text,) = [str(w.message) for w in record]
    assert "8 of the channels not left out have Cz" in text
    assert "is flat in such a recording and absent from the channels used" in text
    # alone beside channels against another reference: left out with the same word
    with pytest.warns(RuntimeWarning, match=r"\['Cz-Cz'\] is Cz against itself"):
        assert map_channels(["Fp1-Ref", "O1-Ref", "Cz-Cz"]).names == ("FP1", "O1")


@pytest.mark.parametrize(
    ("label", "site"),
    [("T3/T7", "T7"), ("T4-T8", "T8"), ("EEG T6:P8", "P8"), ("P7/T5", "P7"), ("T7 (T3)", "T7")],
)
def test_a_label_naming_one_site_by_both_names_is_that_site(label, site):
    """T3, T4, T5, T6 are T7, T8, P7, P8 under their 10-20 names: a label giving both names
    of one site is that electrode, not a derivation and not an electrode against itself (a
    flat reference channel), so it is read as the site, without a word."""
    from eegpt.vocabulary import both_names_site, derivation_electrodes, self_reference

    assert normalize_channel_name(label) == site and both_names_site(label) == site
    assert derivation_electrodes(label) is None and self_reference(label) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mapping = map_channels(["Fp1", label, "Cz"])
    assert mapping.names == ("FP1", site, "CZ") and mapping.dropped == ()
    with pytest.raises(ValueError, match="same EEGPT channel"):  # the site twice
        map_channels(["Fp1", label, site, "Cz"])


@pytest.mark.parametrize(
    ("label", "site"),
    [("T4 (T8)-REF", "T8"), ("EEG T4 (T8)-REF", "T8"), ("T3/T7-REF", "T7"),
     ("EEG T5-P7-LE", "P7"), ("EEG T5-P7 -LE", "P7"), ("T7 (T3) REF", "T7"),
     ("T3/T7_Ref", "T7"), ("POL T6/P8:M2", "P8"), ("T4-T8-A1+A2", "T8"), ("T3/T7-REF [uV]", "T7")],
)  # fmt: skip
def test_both_names_of_one_site_with_a_prefix_and_reference_suffix_are_that_site(label, site):
    """A label naming one site by both its names takes the prefix and reference suffix that
    other labels carry (``EEG T4 (T8)-REF``, as ``EEG Fp1-REF``): it is that
    site, as ``T4 (T8)`` and ``T8-REF`` each are, not a channel dropped; the real derivation
    ``F7-T3`` beside it stays a bipolar pair."""
    from eegpt.vocabulary import both_names_site, derivation_electrodes, is_bipolar

    assert normalize_channel_name(label) == site and both_names_site(label) == site
    assert derivation_electrodes(label) is None and not is_bipolar(label)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mapping = map_channels(["EEG Fp1", label, "EEG Cz"])
    assert mapping.names == ("FP1", site, "CZ") and mapping.dropped == ()
    assert is_bipolar("F7-T3") and normalize_channel_name("F7-T3") is None


@pytest.mark.parametrize(
    "label",
    ["T7-T7", "T3-T3", "T3/T8", "T5-T7", "Cz-T7", "F7-T3-REF", "T3/T8-REF", "EEG T3 (T8)-REF",
     "T5-T7-LE", "T7-T7-REF", "T3-REF-T7", "F7-T3-T7"],
)  # fmt: skip
def test_labels_of_two_names_of_other_sites_are_not_one_site(label):
    """Only a site's two names together make one site: an electrode against itself, and two
    electrodes, are not read as one."""
    from eegpt.vocabulary import both_names_site

    assert both_names_site(label) is None and normalize_channel_name(label) is None


@pytest.mark.parametrize(
    ("label", "site"),
    [("Fz [uV]", "FZ"), ("EEG Cz (uV)", "CZ"), ("Pz (µV)", "PZ"), ("O1 [mV]", "O1"),
     ("EEG C3-REF (uV)", "C3"), ("Fp1 [V]", "FP1")],
)  # fmt: skip
def test_a_unit_of_voltage_after_a_label_names_no_site(label, site):
    """Exports that write each channel's unit into its label (``Fz [uV]``): the unit in
    brackets at the end is left out, as an EEG prefix and a reference suffix are, so the
    channels map whether all labels or only some carry it."""
    assert normalize_channel_name(label) == site
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert map_channels(["Oz", label]).names == ("OZ", site)
        assert map_channels([label]).names == (site,)
    assert normalize_channel_name("ECG [uV]") is None  # another signal stays one
    assert normalize_channel_name("Fz [uV] x") is None  # a unit at the end only


def test_a_montage_against_cz_with_channels_to_keep_maps_those_alone(tmp_path, capsys):
    """With channels to keep, a montage against Cz maps exactly the kept channels, each read
    against Cz; those outside keep are left out (not_kept), with no reading recorded, in
    Python and through `eegpt channels FILE --keep-channels ... --json`."""
    import mne

    from eegpt.cli import main

    with pytest.warns(RuntimeWarning, match="read as referential to Cz"):
        mapping = map_channels(NEONATAL_CZ, keep="O1,C3,Fp1")
    assert mapping.input_names == ("Fp1-Cz", "C3-Cz", "O1-Cz")
    assert mapping.names == ("FP1", "C3", "O1")
    assert mapping.referential == dict.fromkeys(mapping.input_names, "CZ")
    assert mapping.not_kept == ("Fp2-Cz", "C4-Cz", "T3-Cz", "T4-Cz", "O2-Cz")
    info = mne.create_info(NEONATAL_CZ, 256.0, "eeg")
    data = np.random.default_rng(0).standard_normal((len(NEONATAL_CZ), 2560)) * 1e-5
    path = tmp_path / "czref_raw.fif"
    mne.io.RawArray(data, info, verbose=False).save(path, verbose=False)
    capsys.readouterr()
    with pytest.warns(RuntimeWarning, match="read as referential to Cz"):
        assert main(["channels", str(path), "--keep-channels", "O1,C3,Fp1", "--json"]) == 0
    said = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert said["error"] is None
    assert said["mapping"] == {"Fp1-Cz": "FP1", "C3-Cz": "C3", "O1-Cz": "O1"}
    assert said["referential"] == {"Fp1-Cz": "CZ", "C3-Cz": "CZ", "O1-Cz": "CZ"}


def test_a_kept_channel_of_a_montage_against_cz_marked_bad_is_said_to_be_bad():
    """The warning on channels to keep that are not used reads a bad channel's label as the
    mapping reads the montage: O1-Cz, marked bad, is O1 left out as bad, not absent."""
    with pytest.warns(RuntimeWarning) as record:
        map_channels(
            NEONATAL_CZ[:4], keep="Fp1,Fp2,C3,C4,O1", left_out={"O1-Cz": "bad", "O2-Cz": "bad"}
        )
    texts = [str(w.message) for w in record if "channels to keep" in str(w.message)]
    assert texts == [
        "1 of the 5 channels to keep is left out of this recording (marked bad: O1). Its "
        "embeddings see the other 4 only, fewer electrodes than those of recordings that use "
        "them all."
    ]


def test_channels_left_out_take_no_part_in_reading_a_montage():
    """Channels the user leaves out (rename None; --drop) are not counted when a montage is
    read as referential: dropping Cz-Pz leaves a montage against Cz."""
    names = [*NEONATAL_CZ, "Fz-Cz", "Cz-Pz"]
    with pytest.raises(ValueError, match="look like bipolar derivations"):
        map_channels(names)  # Cz is also a first electrode: a chain
    with pytest.warns(RuntimeWarning, match="9 of the channels not left out have Cz") as record:
        mapping = map_channels(names, rename={"Cz-Pz": None})
    assert mapping.names == ("FP1", "FP2", "C3", "C4", "T7", "T8", "O1", "O2", "FZ")
    assert mapping.dropped == ("Cz-Pz",) and mapping.referential["Fz-Cz"] == "CZ"
    assert len(record) == 1


def test_derivations_beside_a_montage_against_cz_stay_bipolar():
    """Bipolar channels beside a montage against Cz are dropped as before; the channels
    against Cz are used."""
    with pytest.warns(RuntimeWarning) as record:
        mapping = map_channels([*NEONATAL_CZ, "Fp1-T3", "T3-O1"])
    assert mapping.names[0] == "FP1" and len(mapping) == 8
    assert mapping.dropped == ("Fp1-T3", "T3-O1")
    assert "2 of them look like bipolar derivations ('Fp1-T3'" in str(record[0].message)


def test_a_bipolar_pair_is_not_offered_as_an_electrode_to_rename():
    """A channel warned about as a derivation of two electrodes is not, in the next message,
    offered a rename to one electrode."""
    from eegpt.channels import may_be_electrode

    assert not may_be_electrode("F4:C4") and not may_be_electrode("EEG FP1-F7")
    assert may_be_electrode("EEG 7") and not may_be_electrode("EKG1")


def test_a_derivation_renamed_to_one_electrode_is_said_to_stay_bipolar(tmp_path):
    """--rename 'EEG Fpz-Cz=Fpz' (a Sleep-EDF derivation) named a bipolar signal as one
    electrode silently; one note now says it stays Fpz minus Cz (not comparable with
    referential EEG), and the mapping records it (to_dict/from_dict). A derivation against a
    reference (C4-M1) renamed C4 is referential: no note; nor for a channel not renamed."""
    names = ["EEG Fpz-Cz", "EEG Pz-Oz", "EEG C4-M1", "EOG horizontal"]
    rename = {"EEG Fpz-Cz": "Fpz", "EEG Pz-Oz": "Pz", "EEG C4-M1": "C4"}
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        mapping = map_channels(names, rename=rename, source="psg.edf")
    notes = [str(w.message) for w in record if "bipolar difference" in str(w.message)]
    assert len(notes) == 1  # one note for the recording, naming both
    (note,) = notes
    assert note.startswith("psg.edf: 'EEG Fpz-Cz' (renamed Fpz) is Fpz minus Cz; 'EEG Pz-Oz'")
    assert "pretrained on referential EEG" in note and "not comparable" in note
    assert "C4-M1" not in note
    assert mapping.bipolar == ("EEG Fpz-Cz", "EEG Pz-Oz")
    assert mapping.to_dict()["bipolar"] == ["EEG Fpz-Cz", "EEG Pz-Oz"]
    assert ChannelMapping.from_dict(mapping.to_dict()).bipolar == mapping.bipolar
    # a rename table file says the same
    table = tmp_path / "psg.tsv"
    table.write_text("EEG Fpz-Cz\tFpz\n")
    with pytest.warns(RuntimeWarning, match=r"'EEG Fpz-Cz' \(renamed Fpz\) is Fpz minus Cz"):
        assert map_channels(names[:1], rename=str(table)).bipolar == ("EEG Fpz-Cz",)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        plain = map_channels(["EEG C4-M1", "Fp1"], rename={"EEG C4-M1": "C4"})
    assert plain.bipolar == () and "bipolar" not in plain.to_dict()
    assert not any("bipolar difference" in str(w.message) for w in record)


def test_a_copy_of_a_derivation_numbered_by_mne_is_bipolar_too():
    """CHB-MIT's EDFs give 'T8-P8' twice, which MNE reads as 'T8-P8-0' and 'T8-P8-1'. The copy
    renamed T8 was mapped as the electrode without the note the other renamed derivations
    got (nor recorded in mapping.bipolar), and the copy left out was offered a rename to an
    electrode; both are derivations, as 'T8-P8' is."""
    names = ["FP1-F7", "F7-T7", "T8-P8-0", "P8-O2", "-", "T8-P8-1"]
    rename = {"FP1-F7": "Fp1", "F7-T7": "F7", "T8-P8-0": "T8", "P8-O2": "P8"}
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        mapping = map_channels(names, rename=rename, source="chb01_01.edf")
    messages = [str(w.message) for w in record]
    (note,) = [m for m in messages if "bipolar difference" in m]
    assert "'T8-P8-0' (renamed T8) is T8 minus P8" in note
    assert mapping.bipolar == ("FP1-F7", "F7-T7", "T8-P8-0", "P8-O2")
    (dropped,) = [m for m in messages if "were dropped" in m]
    assert "If '-' is an EEG electrode" in dropped  # not 'T8-P8-1'
    assert "2 of them look like bipolar derivations" not in dropped
    assert "1 of them look like bipolar derivations ('T8-P8-1'" in dropped
    from eegpt.vocabulary import copied_derivation, is_bipolar, may_be_electrode

    assert is_bipolar("T8-P8-1") and not may_be_electrode("T8-P8-1")
    assert copied_derivation("EEG FP1-F7-0") == ("FP1", "F7")
    assert copied_derivation("C3-1") is None and not is_bipolar("Cz-Cz-0")


def test_the_same_derivation_on_both_sides_is_no_other_signal():
    """A probe trained on a montage against Cz ('Fp1-Cz', 'C3-Cz', 'O1-Cz': referential to
    Cz) used on a recording of two of those labels, renamed (too few to be read as against
    one electrode), or the reverse, was warned of as trained on one kind of signal and given
    the other, though each channel is the same difference of two electrodes under the same
    label (the three mapped as they are, the two renamed); a CHB-MIT derivation given a referential channel is still warned of."""

    def mapped(names: list[str], renamed: bool = True) -> ChannelMapping:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the derivations' own notes
            rename = {n: n.split("-")[0] for n in names} if renamed else None
            return map_channels(names, rename=rename)

    def fitted(mapping: ChannelMapping) -> list[tuple[str, str]]:
        return list(zip(mapping.names, mapping.input_names, strict=True))

    three, two = mapped(["Fp1-Cz", "C3-Cz", "O1-Cz"], False), mapped(["Fp1-Cz", "C3-Cz"])
    assert three.referential and not two.referential  # read so on each side
    assert fitted_derivations_note(fitted(three), two) is None
    assert fitted_derivations_note(fitted(two), three) is None
    note = fitted_derivations_note(fitted(mapped(["FP1-F7", "C3-P3"])), map_channels(["Fp1"]))
    assert note is not None and "Fp1: trained on 'FP1-F7' (Fp1 minus F7), here 'Fp1'" in note


def test_a_rename_of_a_label_the_file_gives_twice_names_its_numbered_copies():
    """--rename T8-P8=T8 on a CHB-MIT file (T8-P8 given twice, read by MNE as T8-P8-0 and
    T8-P8-1) suggested 'T8-P8-1', the second copy, as a misspelling (and 'C3' of a file with
    C3 twice got no hint); the error says the label is given twice and names both copies."""
    names = ["FP1-F7", "T8-P8-0", "P8-O2", "-", "T8-P8-1"]
    with pytest.raises(ValueError) as err:
        map_channels(names, rename={"T8-P8": "T8"})
    text = str(err.value)
    assert "Did you mean" not in text
    assert "'T8-P8' is given 2 times in the file, which MNE reads as 'T8-P8-0', 'T8-P8-1'" in text
    with pytest.raises(ValueError, match=r"'C3' is given 2 times .* 'C3-0', 'C3-1'"):
        map_channels(["Fp1", "C3-0", "C3-1"], rename={"C3": "C3"})


def test_the_bci_iv_2a_table_maps_every_electrode_of_its_gdf_files():
    """rename='bci-iv-2a': the GDF labels of BCI Competition IV-2a (EEG-Fz, EEG-0 ... EEG-16)
    onto its 22 electrodes, all in the vocabulary, and drops its three EOG channels (which
    MNE reads from the GDF files as EEG) without a warning; examples/bcic2a_channels.tsv
    holds the same."""
    from pathlib import Path

    from eegpt.channels import read_rename_table

    table = cap_rename("bci-iv-2a")
    electrodes = [label for label, target in table.items() if target is not None]
    assert len(electrodes) == 22 and table["EEG-0"] == "FC3" and table["EEG-16"] == "POz"
    eog = ["EOG-left", "EOG-central", "EOG-right"]
    with warnings.catch_warnings():  # the GDF file's channels: nothing to warn about
        warnings.simplefilter("error")
        mapping = map_channels([*electrodes, *eog], rename="bci-iv-2a")
    assert len(mapping.names) == 22 and mapping.names[-1] == "POZ"
    assert mapping.dropped == tuple(eog)
    assert [label for label in table if label not in electrodes] == eog
    example = read_rename_table(Path(__file__).parents[1] / "examples" / "bcic2a_channels.tsv")
    assert list(example.items()) == list(table.items())


BCI_2A_MOTOR = ["EEG-C3", "EEG-Cz", "EEG-C4", "EEG-5", "EEG-8"]  # epochs.pick([...]) of them


def test_a_table_maps_a_recording_of_some_of_its_labels():
    """A table (a file, a cap's name, read_rename_table's dict) describes a cap, not one
    recording: a subset of its channels is mapped by the labels it has."""
    from pathlib import Path

    from eegpt.channels import RenameTable, read_rename_table

    path = Path(__file__).parents[1] / "examples" / "bcic2a_channels.tsv"
    for rename in (path, str(path), read_rename_table(path), "bci-iv-2a", cap_rename("bci-iv-2a")):
        mapping = map_channels(BCI_2A_MOTOR, rename=rename)
        assert mapping.names == ("C3", "CZ", "C4", "C5", "C6"), rename
    wrapped = RenameTable({"Ch1": "C3", "Ch2": "C4", "ECG": None})  # a dict of one's own
    assert map_channels(["Ch1", "Fp1"], rename=wrapped).names == ("C3", "FP1")
    assert unmatched_rename_warning(path, BCI_2A_MOTOR, 5) is None  # epochs one by one


def test_a_table_of_which_no_label_names_a_channel_is_refused_with_spelling_help():
    from eegpt.channels import RenameTable

    with pytest.raises(ValueError, match=r"'EEG-C3' -> 'EEG C3'") as refused:
        map_channels(["EEG C3", "EEG Cz", "EEG 5"], rename="bci-iv-2a")
    assert "Letter case" not in str(refused.value)  # they differ in a separator, not case
    # a dict given inline is checked key by key, as are entries given beside a table
    with pytest.raises(ValueError, match=r"\['EEG-17'\] .*are not among"):
        map_channels(BCI_2A_MOTOR, rename={"EEG-5": "C5", "EEG-17": "C2"})
    own = RenameTable({**cap_rename("bci-iv-2a"), "EEG-17": "C2"}, own=["EEG-17"])
    with pytest.raises(ValueError, match=r"\['EEG-17'\] .*are not among.*RenameTable"):
        map_channels(BCI_2A_MOTOR, rename=own)


def test_a_table_of_another_recording_names_itself_and_both_sides_labels(model):
    """rename='bci-iv-2a' on channels X0..X21: the table's labels and the recording's side by
    side, the table named (also through the command line's parsing and embed); the plain
    dict's message is for dicts. Labels differing only in their number are not suggested as
    misspellings of each other."""
    import mne
    import numpy as np

    from eegpt.cli_options import parse_rename
    from eegpt.errors import RecordingError

    names = [f"X{i}" for i in range(22)]
    for rename in ("bci-iv-2a", parse_rename(["bci-iv-2a"])):
        with pytest.raises(ValueError) as err:
            map_channels(names, rename=rename)
        text = str(err.value)
        assert text.startswith(
            "none of the 25 labels of the rename table 'bci-iv-2a' names a channel of this "
            "recording: the table has ['EEG-Fz', 'EEG-0', 'EEG-1', 'EEG-2'] and 21 more, the "
            "recording(s) ['X0', 'X1', 'X2', 'X3'] and 18 more. It is probably "
            "another cap's or dataset's table"
        )
        assert "RenameTable" not in text and "check their spelling" not in text
    epochs = mne.EpochsArray(
        np.zeros((2, 22, 256)), mne.create_info(names, 256.0, "eeg"), verbose=False
    )
    with pytest.raises(RecordingError, match="rename table 'bci-iv-2a' names a channel"):
        model.embed(epochs, rename="bci-iv-2a", device="cpu")
    warning = unmatched_rename_warning("bci-iv-2a", names, 3)
    assert warning.startswith("none of the 25 labels of the rename table 'bci-iv-2a' names a "
                              "channel of the 3 recordings")  # fmt: skip
    # a plain dict: no 'EEG-0' -> 'EEG-8' (another channel of the numbering)
    with pytest.raises(ValueError) as err:
        map_channels(["EEG-8", "EEG-9", "Cz"], rename={"EEG-0": "FC3", "EEG-1": "FC1"})
    assert "Did you mean" not in str(err.value)
    with pytest.raises(ValueError, match=r"'FCz' -> 'FCZ'.*'EEG-08 ' -> 'EEG-8'"):
        map_channels(["EEG-8", "FCZ"], rename={"FCz": "FCZ", "EEG-08 ": None})


def test_numbered_bci_iv_2a_labels_suggest_its_table():
    """Without a rename, 2a's files keep 5 of 22 channels: the warning names the table."""
    with pytest.warns(RuntimeWarning, match=r"Only 5 of the 25 channels.*rename='bci-iv-2a'"):
        map_channels(list(cap_rename("bci-iv-2a")))  # the 22 electrodes and 3 EOG channels
    with pytest.warns(RuntimeWarning, match=r"\['EEG-5', 'EEG-8'\].*rename='bci-iv-2a'"):
        map_channels(BCI_2A_MOTOR)
    with pytest.warns(RuntimeWarning) as record:  # numbers beyond the dataset's: not 2a
        map_channels(["EEG-C3", "EEG-30", "EEG-31"])
    assert "bci-iv-2a" not in str(record[0].message)


def test_a_probes_subset_of_a_mapping_keeps_what_was_read_as_referential():
    """The channels a probe keeps of a montage against Cz are still recorded as read so."""
    from eegpt.probe import subset_mapping

    with pytest.warns(RuntimeWarning, match="read as referential to Cz"):
        mapping = map_channels(NEONATAL_CZ)
    with pytest.warns(RuntimeWarning, match="are not used"):
        subset = subset_mapping(mapping, ("C3", "FP1"), "czref.edf")
    assert subset.input_names == ("C3-Cz", "Fp1-Cz")
    assert subset.referential == {"Fp1-Cz": "CZ", "C3-Cz": "CZ"}


def test_a_probes_subset_of_a_mapping_keeps_the_rename_provenance():
    """The rename table's source, call and the distances of the channels kept stay with the
    subset; the kept channels are not listed as dropped."""
    from eegpt.channels import RenameTable
    from eegpt.probe import subset_mapping

    table = RenameTable({"E1": "Fp1", "E2": "Cz", "E3": "O2"}, source="egi.tsv", call="c",
                        distances_mm={"E1": 1.5, "E2": 2.5, "E3": 3.5})  # fmt: skip
    mapping = map_channels(["E1", "E2", "E3", "ECG"], rename=table)
    with pytest.warns(RuntimeWarning, match="are not used"):
        subset = subset_mapping(mapping, ("CZ", "FP1"), "egi.edf")
    assert (subset.rename_source, subset.rename_call) == ("egi.tsv", "c")
    assert subset.rename_distances_mm == {"E2": 2.5, "E1": 1.5}
    assert subset.dropped == ("ECG", "E3")


def test_map_channels_of_an_mne_recording_is_the_mapping_embedding_uses(model, tmp_path):
    """``map_channels(raw)`` is the mapping embedding the Raw records (the same object, picks
    included): the channels typed EEG and not marked bad, mapped as embedding maps them, with
    picks into that list of channels (not raw.ch_names); Epochs and Info alike."""
    import mne
    import numpy as np

    # an EOG channel first, bads and names outside the vocabulary among the EEG, so that
    # positions in raw.ch_names and in the channels embedding uses differ
    names = ["HEOG", "Fp1", "Fp2", "TP9", "Cz", "X1", "C3", "ECG", "O1", "O2"]
    types = ["eog", *["eeg"] * 6, "ecg", "eeg", "eeg"]
    info = mne.create_info(names, 256.0, types)
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 2e-5, (10, 256 * 8)), info)
    raw.info["bads"] = ["Fp2", "O1"]
    with pytest.warns(RuntimeWarning) as caught:
        mapping = map_channels(raw)
    texts = [str(w.message) for w in caught]
    assert any("marked bad were left out: ['Fp2', 'O1']" in t for t in texts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embedded = ChannelMapping.from_dict(model.embed(raw, device="cpu").metadata["channels"])
    assert mapping == embedded
    assert mapping.input_names == ("Fp1", "Cz", "C3", "O2") and mapping.dropped == ("TP9", "X1")
    # picks index the channels used: typed EEG, bads left out
    used = mne.pick_types(raw.info, eeg=True, exclude="bads")
    assert [raw.ch_names[used[p]] for p in mapping.picks] == list(mapping.input_names)
    assert [raw.ch_names[p] for p in mapping.picks] != list(mapping.input_names)
    epochs = mne.make_fixed_length_epochs(raw, duration=4.0, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert map_channels(epochs) == map_channels(raw.info) == mapping
        embedded = model.embed(epochs, device="cpu").metadata["channels"]
    assert ChannelMapping.from_dict(embedded) == mapping
    from eegpt.streaming import open_stream

    raw.save(tmp_path / "rec_raw.fif", verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert open_stream(tmp_path / "rec_raw.fif", verbose="error").mapping == mapping
    with pytest.raises(ValueError, match=r"<Raw>: .* drop \['X'\] \(rename keys"):  # not Fp2, HEOG
        with pytest.warns(RuntimeWarning, match="marked bad"):
            map_channels(raw, rename={"Fp2": None, "Fp1": "FP1", "HEOG": None, "X": "CZ"})
    with pytest.raises(TypeError, match="pass its ch_names"):
        map_channels([np.zeros(3)])


# --------------------------------------------------------------------------------------------
# nearest_rename: tables from positions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cap", ["biosemi64", "easycap-M1"])
def test_nearest_rename_keeps_10_10_names(cap):
    """A cap whose electrodes have 10-10 names: each vocabulary electrode is its own site, on
    the spherical layout of idealised caps at 0 mm (easycap-M1 puts FC3/FC4/CP3/CP4 7-8 mm
    from biosemi64's)."""
    table = nearest_rename(cap)
    named = {k: v for k, v in table.items() if normalize_channel_name(k) is not None}
    assert len(named) == 60  # the 64 less AFz, P9, P10, Iz (outside the vocabulary)
    assert all(normalize_channel_name(v) == normalize_channel_name(k) for k, v in named.items())
    off = {k for k in named if table.distances_mm[k] > 0.1}
    assert off == (set() if cap == "biosemi64" else {"FC3", "FC4", "CP3", "CP4"})
    assert max(table.distances_mm[k] for k in named) < 9
    assert table.source == f"nearest 10-10 sites to {cap} (≤ 20 mm)"


def test_nearest_rename_biosemi128_on_the_spherical_layout():
    """BioSemi 128's sockets that lie where biosemi64 has 10-10 electrodes (both MNE montages
    on one sphere) are named after them at 0 mm, not a ring away on the template head."""
    table = nearest_rename("biosemi128")
    same = {"A1": "Cz", "A19": "Pz", "A21": "POz", "A23": "Oz", "A3": "CPz", "C21": "Fz",
            "C23": "FCz", "A15": "O1", "A28": "O2"}  # fmt: skip
    assert {label: table[label] for label in same} == same
    assert max(table.distances_mm[label] for label in same) < 0.1
    assert sum(site is not None for site in table.values()) == 62  # PO5/PO6 too


def test_nearest_rename_takes_old_montage_names():
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # MNE 1.13 renamed it colin27_1005
        warnings.simplefilter("error", RuntimeWarning)  # T3 where T7 is: an old name
        table = nearest_rename("standard_1005")
    assert table["Cz"] == "Cz" and table.code == "eegpt.channels.nearest_rename('standard_1005')"


def test_a_montage_table_keeps_old_names_of_free_vocabulary_sites():
    """standard_1020's table leaves T3..T6 out (T7.. take their sites): TUH's EEG T3-REF..
    are not dropped by those rows but mapped as usual (T7, T8, P7, P8); a T3 beside a T7
    is dropped with a warning, and two labels of one electrode (EEG FP1-REF, EEG FP1-A1)
    are refused as duplicates."""
    table = nearest_rename("standard_1020")
    assert [table[old] for old in ("T3", "T4", "T5", "T6")] == [None] * 4
    tuh = [f"EEG {e}-REF" for e in ("FP1 FP2 F3 F4 C3 C4 P3 P4 O1 O2 F7 F8 T3 T4 T5 T6 FZ "
                                     "CZ PZ A1").split()]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        mapping = map_channels(tuh, rename=table)
    assert len(mapping.input_names) == 19 and "EEG A1-REF" not in mapping.input_names
    assert {"T7", "T8", "P7", "P8"} <= set(mapping.names)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert map_channels(["T3", "C3"], rename=table).names == ("T7", "C3")
    with pytest.warns(RuntimeWarning, match=r"leaves out EEG T3-REF \(T7, which 'EEG T7-REF'"):
        mapping = map_channels(["EEG T3-REF", "EEG T7-REF", "EEG C3-REF"], rename=table)
    assert mapping.input_names == ("EEG T7-REF", "EEG C3-REF")
    with pytest.raises(ValueError, match="several input channels map to the same"):
        map_channels(["EEG FP1-REF", "EEG FP1-A1", "EEG C3-REF"], rename=table)


def test_a_montage_table_of_10_05_sites_is_no_socket_table():
    """standard_1005's own labels (A1, C1, F9: 10-05 sites that look like sockets) make no
    cap's socket table: no "names amplifier sockets ... not applied" warning for a Muse's
    10-10 labels; a cap's socket table (biosemi64, A1..B32) still gets it."""
    from eegpt.vocabulary import is_ten_five_site

    assert all(map(is_ten_five_site, ["A1", "A2", "C1", "C6", "F10", "T3", "O9", "fp1"]))
    assert not any(map(is_ten_five_site, ["A3", "B7", "C7", "E1", "H32", "FCZ"]))
    table = nearest_rename("standard_1005")
    muse = ["TP9", "AF7", "AF8", "TP10"]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        mapping = map_channels(muse, rename=table, on_missing="ignore")
    assert not [w for w in record if "amplifier sockets" in str(w.message)], record
    assert mapping.input_names == ("AF7", "AF8")
    with pytest.warns(RuntimeWarning, match="names amplifier sockets.*not applied"):
        map_channels(["Fp1", "Fz", "Cz", "Pz"], rename="biosemi64", on_missing="ignore")


def _scaled_montage(positions, keep=lambda p: True, scale=1.05, **kw):
    """A DigMontage of the positions (mm, head frame) that ``keep`` keeps, scaled, so that
    they are no standard montage's: a head of another size."""
    import mne

    kept = {label: p * scale / 1000 for label, p in positions.items() if keep(p)}
    return mne.channels.make_dig_montage(kept, coord_frame="head", **kw)


@pytest.mark.parametrize(("part", "keep"), [("right", lambda p: p[0] < 0),
                                            ("back", lambda p: p[1] > 0)])  # fmt: skip
def test_nearest_rename_warns_of_part_of_a_head(part, keep):
    """Electrodes of one side of a head fit a sphere of their own: a warning says so."""
    from eegpt.nearest_sites import _montage_positions_mm

    montage = _scaled_montage(_montage_positions_mm("GSN-HydroCel-129"), keep)
    with pytest.warns(RuntimeWarning) as record:  # (and Cz -> CPz from the front half)
        nearest_rename(montage)
    assert re.search(rf"do not cover the head \(none of them lies on the {part} of the head\)"
                     r".*--nearest GSN-HydroCel-129", str(record[0].message))  # fmt: skip


def test_nearest_rename_no_warning_for_whole_heads():
    from eegpt.nearest_sites import _montage_positions_mm

    nets = ["GSN-HydroCel-32", "GSN-HydroCel-65_1.0", "GSN-HydroCel-129", "GSN-HydroCel-257",
            "biosemi16", "biosemi32", "biosemi64", "biosemi128", "biosemi160", "biosemi256",
            "easycap-M1"]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for net in nets:
            nearest_rename(net)
            nearest_rename(_scaled_montage(_montage_positions_mm(net)))


def test_nearest_rename_fits_the_whole_head_of_part_of_a_net():
    """Some of a net's electrodes: the sphere is fitted to the net's montage where their
    positions are its, else to the head-shape points digitised with them."""
    import mne
    import numpy as np

    from eegpt.nearest_sites import _montage_positions_mm

    egi = _montage_positions_mm("GSN-HydroCel-129")
    ten_twenty = ["E22", "E9", "E33", "E24", "E11", "E124", "E122", "E45", "E36", "Cz",
                  "E104", "E108", "E58", "E52", "E62", "E92", "E96", "E70", "E83"]  # fmt: skip
    montage = mne.channels.make_standard_montage("GSN-HydroCel-129")
    info = mne.create_info(montage.ch_names, 250.0, "eeg").set_montage(montage)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = nearest_rename(mne.pick_info(info, mne.pick_channels(info.ch_names, ten_twenty)))
        assert (table["E11"], table["E62"]) == ("Fz", "Pz")
        left = nearest_rename(_scaled_montage(egi, lambda p: p[0] < 0, scale=1.0))
        assert (left["E70"], left["E33"], left["E24"]) == ("O1", "F7", "F3")
        # a head of another size, its right side digitised as head-shape points
        head = np.array([p * 1.05 / 1000 for p in egi.values() if p[0] >= 0])
        digitised = _scaled_montage(egi, lambda p: p[0] < 0, hsp=head, nasion=[0, 0.1, 0],
                                    lpa=[-0.08, 0, 0], rpa=[0.08, 0, 0])  # fmt: skip
        info = mne.create_info(digitised.ch_names, 250.0, "eeg").set_montage(digitised)
        left = nearest_rename(info)
        assert (left["E70"], left["E33"], left["E24"]) == ("O1", "F7", "F3")


def test_nearest_rename_egi_129_against_egi_equivalents():
    """EGI's published 10-20 equivalents of the HydroCel 129 net, where the geometry agrees;
    T7/T8 (EGI: E45/E108, 26 mm away) and P3/P4 (E52/E92, 17 mm; E60/E85 at 11 mm) are
    EGI's approximations, Fp1/P7 (E22/E58) lose to a neighbour by about 1 mm."""
    table = nearest_rename("GSN-HydroCel-129")
    by_site = {site: label for label, site in table.items() if site is not None}
    agree = {
        "F3": "E24", "F4": "E124", "F7": "E33", "F8": "E122", "C3": "E36", "C4": "E104",
        "P8": "E96", "O1": "E70", "O2": "E83", "Fz": "E11", "Pz": "E62", "Cz": "Cz",
    }  # fmt: skip
    assert {site: by_site.get(site) for site in agree} == agree
    assert (by_site["T7"], by_site["T8"], by_site["P3"], by_site["P4"]) == (
        "E39", "E115", "E60", "E85",
    )  # fmt: skip
    assert len(table) == 129 and sum(v is not None for v in table.values()) == 58
    assert table["E1"] is None  # no free site near it: left out on purpose
    assert table.code == "eegpt.channels.nearest_rename('GSN-HydroCel-129')"


def test_nearest_rename_egi_257_c3_is_its_nearest_electrode():
    table = nearest_rename("GSN-HydroCel-257")
    assert [label for label, site in table.items() if site == "C3"] == ["E59"]
    assert table["E36"] != "C3" and table.distances_mm["E59"] < 12.5


def test_nearest_rename_of_a_raw_equals_the_montage():
    import mne
    import numpy as np

    montage = mne.channels.make_standard_montage("GSN-HydroCel-129")
    info = mne.create_info(montage.ch_names, 250.0, "eeg")
    raw = mne.io.RawArray(np.zeros((len(info.ch_names), 10)), info, verbose=False)
    raw.set_montage(montage)
    table, named = nearest_rename(raw), nearest_rename("GSN-HydroCel-129")
    assert dict(table) == dict(named) and table.distances_mm == named.distances_mm
    assert table.source == "nearest 10-10 sites to <Raw> (≤ 20 mm)"
    assert nearest_rename(raw.info).source == "nearest 10-10 sites to <Info> (≤ 20 mm)"
    with pytest.warns(RuntimeWarning, match=r"\['E8 \(AF8\)', 'E25 \(AF7\)'\] map to"):
        assert map_channels(raw, rename=table).input_names[-1] == "Cz"


def test_nearest_rename_without_positions():
    import mne

    info = mne.create_info([f"E{i}" for i in range(1, 129)] + ["Cz"], 250.0, "eeg")
    with pytest.raises(ValueError, match=r"0 of its 129 EEG channels have a position.*"
                       r"command line: --nearest GSN-HydroCel-129"):  # fmt: skip
        nearest_rename(info)
    info = mne.create_info([f"EEG{i:03d}" for i in range(1, 61)], 250.0, "eeg")
    with pytest.raises(ValueError, match=r"get_builtin_montages\(\)\): nearest_rename\(NAME\)"):
        nearest_rename(info)
    with pytest.raises(ValueError, match="none of MNE's standard montages.*GSN-HydroCel-257"):
        nearest_rename("GSN-HydroCel-130")


def test_nearest_rename_max_distance():
    table = nearest_rename("GSN-HydroCel-129", max_distance_mm=8.0)
    named = {label: site for label, site in table.items() if site is not None}
    assert 0 < len(named) < 58 and set(named) == set(table.distances_mm)
    assert max(table.distances_mm.values()) <= 8.0
    assert table["E36"] is None  # C3, 9.9 mm away
    assert "(≤ 8 mm)" in table.source and "max_distance_mm=8" in table.code
    assert "E36" not in {k for k, v in nearest_rename("GSN-HydroCel-129").items() if v is None}


def test_nearest_rename_exclude():
    """Electrodes left out (--drop): None in the table, their sites to other electrodes."""
    table = nearest_rename("GSN-HydroCel-129", exclude=["E36", "not there"])
    assert table["E36"] is None and "E36" not in table.distances_mm
    assert "C3" in table.values()
    assert table.code == "eegpt.channels.nearest_rename('GSN-HydroCel-129', exclude=['E36'])"


def test_nearest_rename_exclude_takes_one_label_as_a_str():
    """exclude="E36" leaves E36 out, not its characters."""
    table = nearest_rename("GSN-HydroCel-129", exclude="E36")
    assert table["E36"] is None and "exclude=['E36']" in table.code


def test_nearest_rename_of_a_recording_with_unplaced_channels_maps_it():
    """A net's electrodes without a position are in the table as None (warned of), so the table,
    which lists the whole net, passes map_channels for the recording it was made from."""
    import mne
    import numpy as np

    montage = mne.channels.make_standard_montage("GSN-HydroCel-129")
    info = mne.create_info(montage.ch_names, 250.0, "eeg")
    raw = mne.io.RawArray(np.zeros((len(info.ch_names), 10)), info, verbose=False)
    raw.set_montage(montage)
    for ch in raw.info["chs"][:3]:  # E1, E2, E3
        ch["loc"][:3] = np.nan
    with pytest.warns(RuntimeWarning, match=r"<Raw>: E1, E2, E3 have no position"):
        table = nearest_rename(raw)
    assert (table["E1"], table["E2"], table["E3"]) == (None, None, None)
    assert list(table) == raw.ch_names and table.net
    with pytest.warns(RuntimeWarning, match="map to vocabulary entries"):  # AF7/AF8
        mapping = map_channels(raw, rename=table)
    assert {"E1", "E2", "E3"} <= set(mapping.dropped) and len(mapping) > 50


def test_nearest_rename_keeps_an_unplaced_10_10_channel_under_its_name():
    """A channel without a position that is no net's electrode (T7 beside positioned 10-20
    channels) stays out of the table (warned of), so map_channels keeps it as T7."""
    import mne
    import numpy as np

    names = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "Fz", "Cz", "Pz"]
    info = mne.create_info([*names, "T7"], 250.0, "eeg")
    raw = mne.io.RawArray(np.zeros((len(info.ch_names), 10)), info, verbose=False)
    raw.set_montage("easycap-M1", on_missing="ignore")
    raw.info["chs"][-1]["loc"][:3] = np.nan
    with pytest.warns(RuntimeWarning, match=r"T7 have no position.*kept under their own"):
        table = nearest_rename(raw)
    assert "T7" not in table and table["Cz"] == "Cz"
    mapping = map_channels(raw, rename=table)
    assert "T7" in mapping.names and "T7" not in mapping.dropped


def test_nearest_rename_warns_of_10_10_names_on_other_sites():
    import mne

    montage = mne.channels.make_standard_montage("biosemi64")
    positions = montage.get_positions()
    swapped = dict(positions["ch_pos"])
    swapped["C3"], swapped["O1"] = swapped["O1"], swapped["C3"]  # positions of another cap
    wrong = mne.channels.make_dig_montage(
        swapped, nasion=positions["nasion"], lpa=positions["lpa"], rpa=positions["rpa"]
    )
    with pytest.warns(RuntimeWarning, match=r"C3 -> O1, O1 -> C3: electrodes named as 10-10 "):
        table = nearest_rename(wrong)
    assert table["C3"] == "O1"
    with warnings.catch_warnings():  # socket C3 of a 128 cap is no electrode C3
        warnings.simplefilter("error")
        assert nearest_rename("biosemi128")["C3"] != "C3"


def test_write_rename_table_reads_back(tmp_path):
    import pickle

    table = nearest_rename("GSN-HydroCel-129")
    path = write_rename_table(table, tmp_path / "egi.tsv")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# nearest 10-10 sites to GSN-HydroCel-129 (≤ 20 mm)\n")
    assert "E36\tC3\t# 9.9 mm\n" in text and "\nE1\t\n" in text
    back = read_rename_table(path)
    assert dict(back) == dict(table) and back.source == str(path)
    again = pickle.loads(pickle.dumps(table))  # the distances and source are kept
    assert again.distances_mm == table.distances_mm and again.source == table.source
    assert again.code == table.code and table.copy().distances_mm == table.distances_mm
    with pytest.raises(ValueError, match="name it .tsv"):
        write_rename_table(table, tmp_path / "egi.json")
    with pytest.raises(ValueError, match="'Ch #6' would not read back"):
        write_rename_table({"Ch #6": "C3"}, tmp_path / "odd.tsv")


@pytest.mark.parametrize(
    "label",
    ['"X1"', '"X1', 'X1"', 'a"b', '""', '"', 'Ch "7"', "EEG Fp1", "a,b", "a=b", "a;b",
     "Ch#6", "Ｆｐ１", "Électrode 3", "EEG Fpz\x96Cz", "A1 \"B\"", '""x""'],
)  # fmt: skip
def test_every_label_the_rename_writer_takes_reads_back_the_same(tmp_path, label):
    """write_rename_table then read_rename_table is the identity for every label the writer
    takes (a label with a quote at either end was written as it is and read back without
    its quotes, so rename="q.tsv" named no channel); those it cannot write are refused."""
    table = {label: "Fp1", "E2": None, "E3": "C3"}
    path = write_rename_table(table, tmp_path / "t.tsv")
    assert dict(read_rename_table(path)) == table


@pytest.mark.parametrize("label", ["a\tb", "#7", "Ch #6", " X1", "X1 ", "A\\x41"])
def test_the_rename_writer_refuses_labels_that_would_not_read_back(tmp_path, label):
    with pytest.raises(ValueError, match="would not read back"):
        write_rename_table({label: "Fp1"}, tmp_path / "t.tsv")


def test_a_table_file_keeps_its_source_and_distances_with_own_entries(tmp_path):
    """--rename egi.tsv --drop E17: the table's source (with the own entries) and the
    distances that write_rename_table noted (# 9.9 mm) reach the mapping's provenance."""
    from eegpt.cli_options import parse_rename

    table = nearest_rename("GSN-HydroCel-129")
    path = write_rename_table(table, tmp_path / "egi.tsv")
    back = read_rename_table(path)
    assert back.distances_mm == table.distances_mm  # as written, to 0.1 mm
    rename = parse_rename([str(path)], ["E36"])
    assert rename.source == str(path) and "E36" not in rename.distances_mm
    names = [f"E{i}" for i in range(1, 129)] + ["Cz"]
    with pytest.warns(RuntimeWarning, match="untrained"):
        mapping = map_channels(names, rename=rename)
    assert mapping.rename_source == f"{path} (with own entries: E36 left out)"
    assert (
        "E36" in mapping.dropped and mapping.rename_distances_mm["E24"] == table.distances_mm["E24"]
    )
    assert set(mapping.rename_distances_mm) == set(mapping.input_names)
    # only a comment of that exact form is a distance
    odd = tmp_path / "odd.tsv"
    odd.write_text("A\tFp1\t# 3 mm\nB\tFp2 # about 4 mm\nC\tCz\t# 5 mm!\nD\t\n")
    assert read_rename_table(odd).distances_mm == {"A": 3.0}


def test_a_net_table_is_refused_for_another_net(tmp_path):
    """A table of GSN-HydroCel-65's electrodes for a recording labelled E2..E120 (a 129 net):
    refused, as made and as read back from its file, naming the labels it lacks."""
    table = nearest_rename("GSN-HydroCel-65_1.0")
    names = [f"E{i}" for i in range(2, 121)]
    back = read_rename_table(write_rename_table(table, tmp_path / "egi65.tsv"))
    assert back.net == "nearest 10-10 sites to GSN-HydroCel-65_1.0 (≤ 20 mm)"
    for rename in (table, back, str(tmp_path / "egi65.tsv")):
        with pytest.raises(ValueError, match=r"lists every electrode of its net, but not "
                           r"\['E66', 'E67', .*\(--nearest GSN-HydroCel-129; "):  # fmt: skip
            map_channels(names, rename=rename)
    assert len(map_channels([*(f"E{i}" for i in range(1, 65)), "Cz"], rename=back)) == 44
    with pytest.warns(RuntimeWarning, match=r"dropped: \['E65'\]"):  # its reference, as E65
        assert len(map_channels([f"E{i}" for i in range(1, 66)], rename=back)) == 43
    assert read_rename_table(tmp_path / "egi65.tsv").copy().net == back.net
    # written again from the file's table (source: the file), then read: still the net's
    again = read_rename_table(write_rename_table(back, tmp_path / "again.tsv"))
    assert again.net == back.net and again.distances_mm == back.distances_mm
    assert (
        (tmp_path / "again.tsv")
        .read_text(encoding="utf-8")
        .startswith(f"# {back.net}\n# {tmp_path / 'egi65.tsv'}\n")
    )
    with pytest.raises(ValueError, match="lists every electrode of its net"):
        map_channels(names, rename=again)


def test_a_larger_net_table_for_a_whole_smaller_net_warns():
    """A 129 net's table for E1..E64 (a whole 65 net, with or without its reference as Cz or
    E65) warns, naming the smaller net; part of a net (E2..E64, or E1..E50) and the net's own
    table do not."""
    table = nearest_rename("GSN-HydroCel-129")
    for names in ([f"E{i}" for i in range(1, 65)], [f"E{i}" for i in range(1, 66)],
                  [*(f"E{i}" for i in range(1, 65)), "Cz"]):  # fmt: skip
        with pytest.warns(RuntimeWarning) as record:
            map_channels(names, rename=table)
        (text,) = [str(w.message) for w in record if "smaller net" in str(w.message)]
        assert "up to E128, but the recording's E1..E64 look like the whole of a smaller " in text
        assert "(--nearest GSN-HydroCel-65_1.0; nearest_rename('GSN-HydroCel-65_1.0'))" in text
    for names, rename in (
        ([f"E{i}" for i in range(2, 65)], table),
        ([f"E{i}" for i in range(1, 51)], table),
        ([*(f"E{i}" for i in range(1, 65)), "Cz"], nearest_rename("GSN-HydroCel-65_1.0")),
    ):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            map_channels(names, rename=rename)
        assert not [w for w in record if "smaller net" in str(w.message)]


def test_hints_name_the_net_montage():
    """EGI labels point to the net's montage by their number, BioSemi sockets beyond 64 to
    --nearest with MNE's montage of the cap."""
    for count, net in [(32, "GSN-HydroCel-32"), (64, "GSN-HydroCel-65_1.0"),
                       (128, "GSN-HydroCel-129"), (256, "GSN-HydroCel-257")]:  # fmt: skip
        names = [f"E{i}" for i in range(1, count + 1)] + ["Cz"]
        with pytest.warns(RuntimeWarning) as record:
            map_channels(names)
        message = str(record[0].message)
        assert f"--nearest {net} --write-rename egi.tsv" in message, count
        assert f"nearest_rename({net!r})" in message and "E36=C3" not in message
    sockets = [f"{bank}{i}" for bank in "ABCD" for i in range(1, 33)]
    with pytest.raises(ValueError, match=r"no built-in table names the sockets of a cap of more "
                       r"than 64 electrodes.*--nearest biosemi128"):  # fmt: skip
        map_channels(sockets)
    with pytest.raises(ValueError, match="--nearest biosemi160"):
        map_channels([f"{bank}{i}" for bank in "ABCDE" for i in range(1, 33)])


def test_a_biosemi_file_cut_to_banks_c_and_d_is_refused_as_sockets():
    """A 128-electrode BioSemi file saved with banks C and D only (C1..C32, D1..D32): C1..C6
    are sockets, not the 10-10 sites C1..C6, so nothing maps and the refusal says BioSemi
    sockets of the 128-electrode cap, as for the whole file, not intracranial contacts."""
    names = [f"{bank}{i}" for bank in "CD" for i in range(1, 33)]
    with pytest.raises(NoChannelMappedError, match=r"64 of them look like BioSemi socket labels "
                       r"\('C1', \.\.\.\).*--nearest biosemi128") as err:  # fmt: skip
        map_channels(names)
    assert "intracranial electrodes (sEEG" not in str(err.value)


def test_biosemi_bank_c_alone_is_refused_not_read_as_ten_ten_c1_to_c6():
    """BioSemi's bank C alone (C1..C32, the other banks of a 128-electrode cap left out) was
    read as the 10-10 sites C1..C6, the rest dropped, with a warning of intracranial
    contacts: C7..C32 are no 10-10 names, so C1..C6 among them are sockets (or an
    intracranial strip's contacts) too, and nothing maps. The refusal names the bank, the
    128-electrode layout and how to rename; a rename given still maps them; a 10-10 montage
    with C1..C6, Cz, C3, C4 and a short run C1..C8 (warned of as before) are unaffected, and so
    is a lone run of a letter with no 10-10 site (an ECoG grid G1..G32)."""
    bank = [f"C{i}" for i in range(1, 33)]
    for names in (bank, [*bank, *(f"EXG{i}" for i in range(1, 9))]):
        with pytest.raises(NoChannelMappedError) as err:
            map_channels(names)
        text = str(err.value)
        assert (
            "32 of them look like one bank of a BioSemi cap's socket labels (bank C, 'C1' .. "
            "'C32': its other banks left out), or the contacts of an intracranial strip: either "
            "way they name no 10-10 sites, C1, C2, C3, C4, C5, C6 among them neither, so none "
            "is used as a scalp electrode. If the cap is BioSemi's 128-electrode layout (MNE's "
            "'biosemi128' montage)"
        ) in text
        assert "--nearest biosemi128 --write-rename biosemi.tsv" in text
    # a rename maps them as it says
    assert map_channels(bank, rename={"C1": "Cz", "C2": "C3"}, on_missing="ignore").names == (
        "CZ",
        "C3",
    )
    ten_ten = ["Fp1", "Fp2", "F3", "F4", "C1", "C2", "C3", "C4", "C5", "C6", "Cz", "P3", "O1"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(map_channels(ten_ten).names) == len(ten_ten)
    with pytest.warns(RuntimeWarning, match="contacts of intracranial electrodes"):
        assert len(map_channels([f"C{i}" for i in range(1, 9)]).names) == 6  # as before
    with pytest.raises(NoChannelMappedError) as err:
        map_channels([f"G{i}" for i in range(1, 33)])
    assert "BioSemi" not in str(err.value) and "intracranial electrodes (sEEG" in str(err.value)


def test_no_channel_mapped_hint_for_positions():
    """EEG001.. of a MEG+EEG recording with digitised positions: the refusal says --nearest."""
    import mne

    montage = mne.channels.make_standard_montage("easycap-M1")
    positions = montage.get_positions()
    labels = [f"EEG{i:03d}" for i in range(1, 21)]
    info = mne.create_info(labels, 250.0, "eeg")
    with pytest.raises(NoChannelMappedError) as err:
        map_channels(info)
    assert "--nearest" not in str(err.value)  # no positions: no such hint
    pos = dict(zip(labels, list(positions["ch_pos"].values())[:20], strict=True))
    info.set_montage(mne.channels.make_dig_montage(pos, nasion=positions["nasion"],
                     lpa=positions["lpa"], rpa=positions["rpa"]))  # fmt: skip
    with pytest.raises(NoChannelMappedError, match=r"20 of them have positions.*`eegpt channels "
                       r"FILE --nearest --write-rename nearest.tsv`"):  # fmt: skip
        map_channels(info)
    assert map_channels(info, rename=nearest_rename(info)).names[:2] == ("FP1", "FP2")


def test_egi_hints_tell_the_net_by_its_highest_number():
    """Half a 129 net (E2, E4 .. E120 and its reference) is of the 129 net, not the 65 net
    that its count of 60 labels would say; a reference numbered E129 (or E65, E33) belongs to
    the smaller net."""
    import mne

    half = [f"E{i}" for i in range(2, 121, 2)] + ["Cz"]
    with pytest.warns(RuntimeWarning, match=r"--nearest GSN-HydroCel-129 ") as record:
        map_channels(half)
    assert "GSN-HydroCel-65" not in str(record[0].message)
    for highest, net in [(33, "GSN-HydroCel-32"), (65, "GSN-HydroCel-65_1.0"),
                         (129, "GSN-HydroCel-129"), (130, "GSN-HydroCel-257")]:  # fmt: skip
        with pytest.raises(NoChannelMappedError, match=f"--nearest {net} "):
            map_channels([f"E{i}" for i in range(1, highest + 1, 4)] + [f"E{highest}"])
    # nearest_rename of a recording without positions names the net the same way
    with pytest.raises(ValueError, match=r"nearest_rename\('GSN-HydroCel-129'\)"):
        nearest_rename(mne.create_info(half, 250.0, "eeg"))


def test_hint_commands_name_the_recording_file(tmp_path, caplog):
    """The commands of the EGI hint and of the logged table name the recording's file,
    shell-quoted, to be run as shown; FILE where there is no file."""
    import mne
    import numpy as np

    names = [*(f"E{i}" for i in range(1, 129)), *VOCABULARY[:20]]
    info = mne.create_info(names, 250.0, "eeg")
    raw = mne.io.RawArray(1e-5 * np.ones((len(names), 10)), info, verbose="error")
    path = tmp_path / "my rec_raw.fif"
    raw.save(path, verbose="error")
    raw = mne.io.read_raw_fif(path, verbose="error")
    quoted = f"'{path}'"
    with caplog.at_level(logging.INFO, logger="eegpt"), pytest.warns(RuntimeWarning) as record:
        mapping = map_channels(raw, rename={f"E{i}": None for i in range(1, 101)}, verbose=True)
    text = next(str(w.message) for w in record if "do not match" in str(w.message))
    assert f"`eegpt channels {quoted} --nearest GSN-HydroCel-129 --write-rename" in text
    (table,) = [r.getMessage() for r in caplog.records if "ChannelMapping:" in r.getMessage()]
    assert f"(eegpt channels {quoted} lists them all)" in table
    assert "(eegpt channels FILE lists them all)" in mapping.summary(limit=3)  # no file


def test_labels_of_intracranial_contacts_are_warned_about():
    """sEEG exported to EDF (every channel typed EEG): shafts C1..C8, F1..F8, O1..O8, P1..P8
    map C1-C6, F1-F8, O1/O2, P1-P8 to scalp sites; C7, C8, O3..O8 are no 10-05 names, so the
    labels look like contacts and a warning says so. Scalp montages with 10-10/10-05 names
    (MNE's built-in ones) and clinical EDF labels get no such warning."""
    import mne

    from eegpt.vocabulary import contact_runs, contacts_warning

    contacts = [f"{shaft}{i}" for shaft in "CFOP" for i in range(1, 9)]
    info = mne.create_info(contacts, 512.0, "eeg")
    with pytest.warns(RuntimeWarning) as record:
        assert len(map_channels(info)) == 24
    (text,) = [str(w.message) for w in record if "intracranial" in str(w.message)]
    assert text.startswith("<Info>: the labels C1..C8, O1..O8 look like the contacts")
    assert "C7, C8, O3" in text and "F1..F8, P1..P8 may be contacts too" in text
    assert "EEGPT is a scalp-EEG model: do not embed intracranial recordings" in text
    # a rename of those labels is the user's word: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        map_channels(["C1", "C2", "C3", "C4", "C7"], rename={"C1": "C1", "C2": "C2", "C7": None})
    clinical = [
        *(f"EEG {n}-REF" for n in ("FP1", "FP2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2",
                                   "F7", "F8", "T3", "T4", "T5", "T6", "T1", "T2", "A1", "A2",
                                   "FZ", "CZ", "PZ", "ROC", "LOC", "EKG1", "26", "27")),
        "PHOTIC-REF", "IBI", "BURSTS", "SUPPR", *(f"X{i}" for i in range(1, 9)),
        *(f"DC{i:02d}" for i in range(1, 9)),
    ]  # fmt: skip
    montages = ["colin27_1005", "standard_1005", "fsaverage_1005", "colin27_1020", "biosemi16",
                "biosemi32", "biosemi64", "easycap-M1", "brainproducts-RNP-BA-128"]  # fmt: skip
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        map_channels(clinical)
    assert not [w for w in record if "intracranial" in str(w.message)]
    builtin = mne.channels.get_builtin_montages()
    for montage in [m for m in montages if m in builtin]:
        names = mne.channels.make_standard_montage(montage).ch_names  # T3 beside T7: no map
        assert contact_runs(names) == {} and contacts_warning(names, names, "") is None


_BIOSEMI64_SOCKETS = [f"{bank}{i}" for bank in "AB" for i in range(1, 33)]


def test_a_drop_beside_a_cap_table_is_no_socket_of_the_cap_and_drops_its_electrode():
    """A drop of a name the recording lacks is no socket of the cap's table (C1 is no bank C
    of a 64-electrode recording): with the cap's table it drops the socket the table names
    C1 (A12). A drop of a socket-like name that no channel is renamed to is refused only as
    a name the recording lacks, not as a bank of another cap."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # P9, Iz, AFz, P10; untrained AF7/AF8
        mapping = map_channels(_BIOSEMI64_SOCKETS, rename={**cap_rename("biosemi64"), "C1": None})
        assert "A12" in mapping.dropped and "C1" not in mapping.names and len(mapping) == 59
        assert "A12" not in map_channels(_BIOSEMI64_SOCKETS, rename="biosemi64").dropped
        picked = map_channels(
            _BIOSEMI64_SOCKETS, rename={**cap_rename("biosemi64"), "C7": None},
            on_missing="ignore",
        )  # fmt: skip
    assert len(picked) == 60
    with pytest.raises(ValueError, match=r"\['C7'\] .* are not among the channel names"):
        map_channels(_BIOSEMI64_SOCKETS, rename={**cap_rename("biosemi64"), "C7": None})
    # a drop by electrode takes renamed channels only: FP1 does not take another file's Fp1
    assert map_channels(["Fp1", "Cz"], rename={"FP1": None}, on_missing="ignore").names == (
        "FP1", "CZ",
    )  # fmt: skip


_CLINICAL_1020 = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4",
                  "T5", "P3", "Pz", "P4", "T6", "O1", "O2"]  # fmt: skip


def test_a_cap_table_leaves_a_recording_of_10_10_names_be():
    """--rename biosemi64 over a corpus of several systems: a clinical recording of 10-20
    names with the ear electrode A2 keeps A2 an ear electrode (not BioSemi's socket A2, AF7),
    with one warning; A1 beside it is no duplicate of Fp1 (socket A1). Socket-labelled
    recordings still get the whole table."""
    with pytest.warns(RuntimeWarning, match="the table is not applied to it") as record:
        mapping = map_channels([*_CLINICAL_1020, "A2"], rename="biosemi64", on_missing="ignore")
    assert "AF7" not in mapping.names and mapping.dropped == ("A2",)
    assert mapping.names[0] == "FP1" and len(mapping) == 19
    assert sum("not applied" in str(w.message) for w in record) == 1
    with pytest.warns(RuntimeWarning, match="not applied"):
        mapping = map_channels([*_CLINICAL_1020, "A1", "A2"], rename="biosemi64")
    assert mapping.dropped == ("A1", "A2") and len(mapping) == 19
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        sockets = map_channels(_BIOSEMI64_SOCKETS, rename="biosemi64", on_missing="ignore")
    assert not any("not applied" in str(w.message) for w in record)
    assert len(sockets) == 60 and sockets.names[:2] == ("FP1", "AF7")
    # 10-20 names fit the socket pattern too (F3, C4, F7): a sleep or reduced clinical
    # montage is no cap's, though 8 of its labels look like sockets
    for montage in (
        ["F3", "F4", "C3", "C4", "O1", "O2", "A1", "A2", "E1", "E2"],
        ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "F7", "F8", "O1", "O2", "A1", "A2"],
    ):
        with pytest.warns(RuntimeWarning, match="not applied"):
            mapping = map_channels(montage, rename="biosemi64", on_missing="ignore")
        assert "C3" in mapping.names and "AF7" not in mapping.names
        with pytest.warns(RuntimeWarning, match="dropped") as record:  # A1, A2, E1, E2
            mapping = map_channels(montage)  # no table: F3 .. C4 are electrodes, not sockets
        assert {"F3", "F4", "C3", "C4"} <= set(mapping.names)
        assert not any("socket" in str(w.message) for w in record)


def test_sockets_a_cap_table_named_are_no_intracranial_contacts():
    """A BioSemi file whose bank A was saved with 10-10 names and bank B as sockets B1..B32,
    with rename='biosemi64': the table names bank B, and the contact check sees the names as
    renamed, so no warning calls B1..B32 (or F1, F3 ...) intracranial contacts. Without the
    table, B1..B32 still look like contacts beside those names."""
    table = cap_rename("biosemi64")
    names = [table[f"A{i}"] for i in range(1, 33)] + [f"B{i}" for i in range(1, 33)]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        mapping = map_channels(names, rename="biosemi64")
    assert "AF8" in mapping.names and len(mapping) == 60
    assert not any("intracranial" in str(w.message) for w in record)
    with pytest.warns(RuntimeWarning, match=r"B1\.\.B32 look like the contacts"):
        map_channels(names)


def test_a_cap_table_not_applied_is_not_recorded_as_the_rename():
    """--rename biosemi64 over a corpus of several systems: a recording of 10-10 names, which
    the table is not applied to, records no rename source (its outputs and `eegpt info` would
    say its channels were renamed by biosemi64); a socket-labelled one does."""
    with pytest.warns(RuntimeWarning, match="not applied"):
        mapping = map_channels([*_CLINICAL_1020, "A2"], rename="biosemi64", on_missing="ignore")
    assert mapping.rename_source is None and "rename_source" not in mapping.to_dict()
    with pytest.warns(RuntimeWarning, match="not applied"):  # none of its labels a key
        mapping = map_channels(_CLINICAL_1020, rename="biosemi64", on_missing="ignore")
    assert "rename_source" not in mapping.to_dict()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # P9, Iz, AFz, P10; untrained AF7/AF8
        sockets = map_channels(_BIOSEMI64_SOCKETS, rename="biosemi64", on_missing="ignore")
    assert sockets.to_dict()["rename_source"] == "biosemi64"


def test_a_drop_takes_a_renamed_electrode_by_its_own_name_only():
    """--drop C1 beside a cap's table drops the socket the cap names C1; --drop T3 (an older
    name of T7, meant for a clinical file's label T3) does not take the socket named T7."""
    from eegpt.channels import cap_rename

    table = {**cap_rename("biosemi64"), "T3": None}
    mapping = map_channels(_BIOSEMI64_SOCKETS, rename=table, on_missing="ignore")
    assert "T7" in mapping.names and "A15" not in mapping.dropped
    table = {**cap_rename("biosemi64"), "c1": None}
    mapping = map_channels(_BIOSEMI64_SOCKETS, rename=table, on_missing="ignore")
    assert "C1" not in mapping.names and "A12" in mapping.dropped


def test_keep_restricts_the_mapping_to_a_channel_set():
    """keep='10-20' gives a BioSemi-64 recording (through its cap table) and a clinical one the
    same 19 channels: the others are not kept (no warning each; listed apart from the dropped
    ones and recorded), a kept name the recording lacks is warned about once, names are taken
    in any spelling, and a name outside the vocabulary is refused with the one meant."""
    from eegpt.channels import CHANNEL_SETS, ChannelMapping, kept_channels

    assert set(CHANNEL_SETS["10-20"]) == {
        "FP1", "FP2", "F7", "F3", "FZ", "F4", "F8", "T7", "C3", "CZ", "C4", "T8", "P7", "P3",
        "PZ", "P4", "P8", "O1", "O2",
    }  # fmt: skip
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        bio = map_channels(_BIOSEMI64_SOCKETS, rename="biosemi64", keep="10-20")
    assert sorted(bio.names) == sorted(CHANNEL_SETS["10-20"]) and "A2" in bio.not_kept
    assert len(bio.not_kept) == 41 and "A2" not in bio.dropped
    assert not any("'A2'" in str(w.message) or "keep" in str(w.message) for w in record)
    assert bio.to_dict()["keep"] == list(CHANNEL_SETS["10-20"])
    assert ChannelMapping.from_dict(bio.to_dict()) == bio
    assert "not kept (outside the 19 channels kept): A2, A3" in bio.summary()
    assert bio.left_out_with({"EXG1": "eog"}) == {
        "EXG1": "eog",
        **dict.fromkeys(bio.not_kept, "not kept"),
    }
    with pytest.warns(RuntimeWarning, match=r"1 of the 19 channels to keep are not in this "
                      r"recording: O2\. Its embeddings see the other 18 only"):  # fmt: skip
        clinical = map_channels(_CLINICAL_1020[:-1], keep="10-20")
    assert len(clinical) == 18 and clinical.not_kept == ()
    assert kept_channels(["cz", "T3", "EEG FP1-REF"]) == ("FP1", "T7", "CZ")
    assert map_channels(["Fp1", "Cz", "Pz"], keep=["CZ", "fp1"]).names == ("FP1", "CZ")
    with pytest.raises(ValueError, match=r"\['Czz'\] are not EEGPT vocabulary .*'Czz' -> 'CZ'"):
        map_channels(["Fp1", "Cz"], keep=["Fp1", "Czz"])
    with pytest.raises(ValueError, match="no built-in channel set"):
        map_channels(["Fp1", "Cz"], keep="10-10")
    with pytest.raises(ValueError, match="none of the channels to keep"):
        map_channels(["F3", "F4"], keep=["Cz"])


_TUH = [f"EEG {name.upper()}-REF" for name in _CLINICAL_1020]


def test_a_drop_of_an_electrode_that_a_file_labels_otherwise_is_warned_about():
    """--drop C3 in a pooled run is a label, as spelled: a TUH file's 'EEG C3-REF' is kept,
    with a warning saying so and how to leave the electrode out of every file
    (--keep-channels 10-20,-C3); alone, the error names the label meant and that way too,
    and no cap table (none was given). No warning where the electrode is not kept anyway."""
    with pytest.warns(RuntimeWarning) as record:
        mapping = map_channels(_TUH, rename={"C3": None}, on_missing="ignore", source="a1.edf")
    assert "C3" in mapping.names
    said = [str(w.message) for w in record if "matched no label" in str(w.message)]
    assert len(said) == 1 and said[0].startswith("a1.edf: --drop C3 matched no label")
    assert "'EEG C3-REF' maps to C3 and is kept" in said[0]
    assert "--keep-channels 10-20,-C3 (keep=['10-20', '-C3'])" in said[0]
    with pytest.warns(RuntimeWarning, match=r"--keep-channels 10-20,Oz,-C3 \(keep="):
        map_channels(_TUH, rename={"C3": None}, on_missing="ignore", keep="10-20,Oz")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        map_channels(_TUH, rename={"C3": None}, on_missing="ignore", keep=["Fp1", "Cz"])
    with pytest.raises(ValueError) as err:
        map_channels(_TUH, rename={"C3": None})
    text = str(err.value)
    assert "'C3' -> 'EEG C3-REF'" in text and "--keep-channels 10-20,-C3" in text
    assert "cap" not in text and "biosemi" not in text


def test_keep_takes_sets_names_and_removals_left_to_right():
    """keep='10-20,Oz' extends the set, '10-20,-C3' (or a list) takes C3 from it; the set is
    recorded as the vocabulary names in vocabulary order, however it was spelled."""
    from eegpt.channels import CHANNEL_SETS, kept_channels

    ten_twenty = CHANNEL_SETS["10-20"]
    assert set(kept_channels("10-20,Oz")) == {*ten_twenty, "OZ"}
    without = kept_channels(["10-20", "-C3"])
    assert without == kept_channels("10-20, -c3") == tuple(n for n in ten_twenty if n != "C3")
    assert kept_channels(["Oz", "10-20"]) == kept_channels("10-20,Oz")
    assert kept_channels("Cz,Fp1,-Cz,Oz") == ("FP1", "OZ")
    assert map_channels(_TUH, keep="10-20,-C3").names == tuple(
        n for n in map_channels(_TUH).names if n != "C3"
    )
    with pytest.raises(ValueError, match="no built-in channel set"):
        kept_channels("10-10,Oz")
    with pytest.raises(ValueError, match=r"\['-Czz'\] are not EEGPT vocabulary .*'Czz' -> 'CZ'"):
        kept_channels("10-20,-Czz")
    with pytest.raises(ValueError, match="names no channel"):
        kept_channels("Cz,-Cz")


def test_keep_takes_the_name_of_a_built_in_rename_table():
    """--keep-channels bci-iv-2a was refused (not vocabulary names "nor built-in sets (known:
    10-20)") though --rename bci-iv-2a names those 22 electrodes: a built-in rename table's
    name keeps the vocabulary electrodes it names (BioSemi 64's without P9, Iz, AFz, P10), in
    any spelling, with names and removals; the refusal lists the tables beside the sets."""
    from argparse import ArgumentTypeError

    from eegpt.channels import kept_channels
    from eegpt.cli_options import parse_keep

    gdf_labels = list(cap_rename("bci-iv-2a"))  # EEG-Fz, EEG-0 ... EEG-16, 3 EOG
    electrodes = {normalize_channel_name(v) for v in cap_rename("bci-iv-2a").values() if v}
    assert set(kept_channels("bci-iv-2a")) == electrodes and len(electrodes) == 22
    assert parse_keep("BCI_IV_2a,-C3,Oz") == ["BCI_IV_2a", "-C3", "Oz"]
    assert set(kept_channels("BCI_IV_2a,-C3,Oz")) == (electrodes - {"C3"}) | {"OZ"}
    assert len(kept_channels("biosemi64")) == 60 and len(kept_channels("biosemi32")) == 32
    mapping = map_channels(gdf_labels, rename="bci-iv-2a", keep="bci-iv-2a")
    assert set(mapping.names) == electrodes and mapping.not_kept == ()
    with pytest.raises(ArgumentTypeError, match=r"nor built-in sets \(known: 10-20, biosemi32, "
                       r"biosemi64, bci-iv-2a\)"):  # fmt: skip
        parse_keep("bci-iv-2b")


def test_kept_channels_left_out_are_told_apart_from_absent_ones():
    """A kept channel the recording has but leaves out (marked bad, dropped) is said to be
    left out, and why, not to be absent from the recording."""
    names = [n for n in _CLINICAL_1020 if n not in ("C3", "O2")]
    with pytest.warns(RuntimeWarning) as record:
        map_channels(
            [*names, "O2"], keep="10-20", left_out={"C3": "bad"}, rename={"O2": None},
            source="c3.vhdr",
        )  # fmt: skip
    said = [str(w.message) for w in record if "channels to keep" in str(w.message)]
    assert len(said) == 1 and "not in this recording" not in said[0]
    assert (
        "2 of the 19 channels to keep are left out of this recording (marked bad: C3; " in (said[0])
    )
    assert "dropped: O2)" in said[0]
    with pytest.warns(RuntimeWarning) as record:
        map_channels(names, keep="10-20", left_out={"C3": "bad"})
    said = [str(w.message) for w in record if "channels to keep" in str(w.message)]
    assert "1 of the 19 channels to keep are not in this recording: O2." in said[0]
    assert (
        "1 of the 19 channels to keep is left out of this recording (marked bad: C3)" in (said[0])
    )


def test_none_of_the_channels_to_keep_names_what_the_channels_map_to():
    with pytest.raises(ValueError, match=r"\(Fpz, Oz\) is in the recording, whose channels map "
                       r"to Fp1, C3"):  # fmt: skip
        map_channels(["EEG FP1-REF", "EEG C3-REF"], keep=["Fpz", "Oz"])


def test_a_cap_table_is_not_applied_to_a_bdf_of_10_10_names_alone_or_in_a_corpus():
    """A BioSemi-64 file saved with 10-10 names (no label is a key of the table) with
    --rename biosemi64: the table is not applied, with the warning the clinical file with
    ear electrodes gets, alone as in a corpus (on_missing='ignore'); no refusal as another
    cap's table."""
    import mne

    names = mne.channels.make_standard_montage("biosemi64").ch_names
    for on_missing in ("raise", "ignore"):
        with pytest.warns(RuntimeWarning) as record:
            mapping = map_channels(names, rename="biosemi64", on_missing=on_missing)
        said = [str(w.message) for w in record if "not applied" in str(w.message)]
        assert len(said) == 1 and "keep their own meaning" not in said[0]
        assert mapping.names == map_channels(names).names and len(mapping) == 60
    with pytest.warns(RuntimeWarning, match="not applied"):  # own entries beside it stay
        mapping = map_channels(names, rename={**cap_rename("biosemi64"), "Cz": None})
    assert "CZ" not in mapping.names


def test_the_count_of_channels_used_adds_up_with_channels_not_kept():
    """'Only 2 of the 10 channels are used' names every reason, so its counts add up: the
    channels outside keep beside those of unknown names."""
    names = ["Fp1", "Fp2", "Cz", "X1", "X2", "X3", "X4", "X5", "O1", "O2"]
    # F3 to keep is missing: X1..X5 may be it under another spelling, so they are warned of
    with pytest.warns(RuntimeWarning, match="Only 2 of the 10 channels are used: 3 outside the "
                      "channels to keep, 5 with names outside the vocabulary"):  # fmt: skip
        mapping = map_channels(names, keep=["Fp1", "Cz", "F3"])
    assert mapping.not_kept == ("Fp2", "O1", "O2")


def test_the_count_of_channels_dropped_agrees_with_those_named(caplog):
    """An EOG channel (VEOG) that the channels to keep leave out anyway is a log line, not in
    the warning's list of dropped channels: the warning's counts still add up to the
    recording's channels, and the count of those outside the vocabulary is of those it names
    (was '3 with names outside the vocabulary' beside a list of 2)."""
    names = ["Cz", "Pz", "VEOG", "Foo1", "Foo2"]
    with (
        pytest.warns(RuntimeWarning, match="do not match") as record,  # F3 missing: warned
        caplog.at_level("INFO", "eegpt"),
    ):
        map_channels(names, keep=["Cz", "F3"], on_missing="ignore", verbose=True)
    said = next(str(w.message) for w in record if "do not match" in str(w.message))
    assert (
        "Only 1 of the 5 channels are used: 1 outside the channels to keep, 1 outside the "
        "vocabulary that they leave out anyway (['VEOG']), 2 more with names outside the "
        "vocabulary. 2 channel(s) do not match the EEGPT vocabulary and were dropped: "
        "['Foo1', 'Foo2']."
    ) in said
    assert any("leave out anyway: ['VEOG']" in r.getMessage() for r in caplog.records)


_WITH_10_05 = [*_CLINICAL_1020, "TP9", "P9", "Iz", "EKG"]


def test_channels_the_keep_set_leaves_out_anyway_are_not_warned_as_unmatched(caplog):
    """--keep-channels 10-20 on a file with TP9, P9, Iz (10-05 sites outside the vocabulary)
    and an EKG: the keep-set leaves them out anyway, so they get one INFO line, not the
    warning on channels that do not match the vocabulary. Where a channel to keep is missing,
    that is warned of, and so are labels that may be it under another spelling (O2x), but
    not TP9 and the others, which are no spelling of a 10-20 site."""
    with warnings.catch_warnings(record=True) as record, caplog.at_level(logging.INFO, "eegpt"):
        warnings.simplefilter("always")
        mapping = map_channels(_WITH_10_05, keep="10-20", source="siteC_LE.edf")
    assert len(mapping) == 19 and not record
    assert (
        "siteC_LE.edf: 4 channel(s) outside the EEGPT vocabulary were dropped, which the "
        "channels to keep leave out anyway: ['TP9', 'P9', 'Iz', 'EKG']" in caplog.text
    )
    names = [name if name != "O2" else "O2x" for name in _WITH_10_05]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        map_channels(names, keep="10-20")
    said = [str(w.message) for w in record]
    assert any("channels to keep are not in this recording: O2" in text for text in said)
    (unmatched,) = [text for text in said if "do not match the EEGPT vocabulary" in text]
    assert "['O2x']" in unmatched and "TP9" not in unmatched
    with pytest.warns(RuntimeWarning, match=r"do not match .*'TP9', 'P9', 'Iz', 'EKG'"):
        map_channels(_WITH_10_05)  # no keep-set: warned as before


# Labels from other sites' files that show a 10-20 name but hold look-alike characters: Unicode
# dashes and the minus sign, cp1252's en/em dash bytes as MNE decodes EDF headers (Latin-1),
# full-width letters, format characters (zero-width space, left-to-right mark, a BOM), and
# Cyrillic or Greek letters that show as Latin ones.
LOOKALIKE_LABELS = [
    ("F7\u2013Ref", "F7"),
    ("Fp1\u2010Ref", "FP1"),
    ("Fp1\u2212Ref", "FP1"),
    ("Fp1\u2014Ref", "FP1"),
    ("Fp1\u2013A1", "FP1"),
    ("Fp1\x96Ref", "FP1"),
    ("Fp1\x97Ref", "FP1"),
    ("\uff26\uff13", "F3"),
    ("\uff23\uff5a", "CZ"),
    ("Fz\u200b", "FZ"),
    ("O1\u200e", "O1"),
    ("\ufeffFp1", "FP1"),
    # Cyrillic and Greek letters that show as Latin ones (a Cyrillic or Greek keyboard)
    ("\u04213", "C3"),
    ("\u041e1", "O1"),
    ("F\u0440z", "FPZ"),
    ("EEG \u04214-REF", "C4"),
    ("\u039f2", "O2"),
    ("\u03a43", "T7"),
    # mapped before: spaces of other kinds
    ("Fp1 ", "FP1"),
    ("Fp2\xa0", "FP2"),
    ("FP1\t", "FP1"),
    ("Fp1\u3000", "FP1"),
    ("EEG\xa0Fp1-REF", "FP1"),
    ("EEG Fp1 - Ref", "FP1"),
]


@pytest.mark.parametrize(("label", "electrode"), LOOKALIKE_LABELS)
def test_labels_with_look_alike_characters_map_to_the_electrode_they_show(label, electrode):
    assert normalize_channel_name(label) == electrode
    m = map_channels([label, "Cz" if electrode != "CZ" else "Pz"])
    assert m.names[0] == electrode
    assert m.input_names[0] == label  # recorded as the file spells it
    assert ChannelMapping.from_dict(m.to_dict()).input_names[0] == label


@pytest.mark.parametrize("label", ["Fp1\x96F7", "EKG\x96Ref", "Fp1\u2013F7", "\x96", "Fp1\x96"])
def test_dash_look_alikes_make_no_label_another_electrode(label):
    """A derivation, another signal or a stray dash stays unmapped."""
    assert normalize_channel_name(label) is None


@pytest.mark.parametrize("label", ["F7\u2013Ref", "F7\x96Ref", "F7\u2212Ref"])
def test_rename_drop_bads_and_keep_treat_look_alike_labels_as_typed(label):
    """What is typed has a plain '-': --rename 'F7-Ref=F7', --drop F7-Ref and bads 'F7-Ref'
    name the channel labelled with another dash, as keep's 'F7' does."""
    import mne

    from eegpt.io import mark_bad

    names = [label, "Cz", "EOG"]
    m = map_channels(names, rename={"F7-Ref": "F8", "EOG": None})
    assert m.input_names == (label, "Cz") and m.names == ("F8", "CZ")
    m = map_channels(names, rename={"F7-Ref": None, "EOG": None})
    assert m.input_names == ("Cz",) and m.dropped == (label, "EOG")
    assert unmatched_rename_warning({"F7-Ref": None}, names, 1) is None
    assert map_channels(names, keep=["F7"], rename={"EOG": None}).input_names == (label,)
    raw = mne.io.RawArray([[0.0] * 10] * 3, mne.create_info(names, 100.0, "eeg"), verbose=False)
    mark_bad(raw, ["F7-Ref"], "rec.edf")
    assert raw.info["bads"] == [label]
    other = label.replace("F7", "EKG")  # no electrode: matched as a label, not by its electrode
    raw = mne.io.RawArray([[0.0] * 10] * 2, mne.create_info([other, "Cz"], 100.0), verbose=False)
    mark_bad(raw, ["EKG-Ref"], "rec.edf")
    assert raw.info["bads"] == [other]


def test_an_exact_key_wins_over_a_look_alike_one_and_two_matches_are_refused():
    names = ["F7-Ref", "F7\u2013Ref"]
    m = map_channels(names, rename={"F7-Ref": None})
    assert m.input_names == ("F7\u2013Ref",)
    with pytest.raises(ValueError, match="matches several channels when spaces and look-alike"):
        map_channels(names, rename={"F7\u2014Ref": None})


def test_a_utf8_table_names_an_edf_label_of_cp1252_dash_bytes(tmp_path):
    """A table typed with an en dash names the label MNE decodes from the EDF's cp1252 byte."""
    path = write_rename_table({"Fp1\u2013Ref": "Fp2", "Cz\u2013Ref": "Cz"}, tmp_path / "t.tsv")
    m = map_channels(["Fp1\x96Ref", "Cz\x96Ref"], rename=str(path))
    assert m.input_names == ("Fp1\x96Ref", "Cz\x96Ref") and m.names == ("FP2", "CZ")


def test_the_spelling_hint_says_what_differs_case_or_a_look_alike_character():
    from eegpt.channels import spelling_hint

    names = ["Fp1\x96Ref", "F7\u2013Ref", "Pz", "EEG  C3-REF"]
    # a look-alike alone now matches: the hint is for one that also differs in case
    hint = spelling_hint(["FP1\u2013REF"], names)
    assert "'FP1\u2013REF' -> 'Fp1\\x96Ref'" in hint
    assert "Letter case counts." in hint
    assert "holds a different character that looks alike" in hint
    assert "'Fp1\\x96Ref' in the file, 'FP1\\u2013REF' given" in hint
    # the did-you-mean compares labels made plain: a plain dash finds the en dash's label
    assert "'f7-ref' -> 'F7\u2013Ref'" in spelling_hint(["f7-ref"], names)
    # other spellings: no word of case, nor of characters
    for key, hit in [("Pz ", None), ("EEG C3-REF", "EEG  C3-REF"), ("C3", "EEG  C3-REF")]:
        hint = spelling_hint([key], names)
        assert "Letter case" not in hint and "different character" not in hint
        assert hit is None or f"{key!r} -> {hit!r}" in hint
    assert spelling_hint(["pz"], names) == " Did you mean: 'pz' -> 'Pz'? Letter case counts."
    with pytest.raises(ValueError, match=r"'FP1\u2013REF' -> 'Fp1\\x96Ref'.*escaped"):
        map_channels(names, rename={"FP1\u2013REF": "Fp1"})


def test_mapping_table_columns_line_up_with_full_width_and_combining_labels():
    """Full-width labels (``Ｆｐ１``, 2 terminal columns a character) and combining marks (0
    columns) are padded by the columns they take, not by their length: every row's arrow, and
    so its vocabulary column, starts at the same terminal column."""
    from eegpt.channels import display_width

    labels = ["Ｆｐ１", "EEG Ｏ２-REF", "Cz", "C3\u0301", "脑电 C4"]
    text = map_channels(labels, rename={"C3\u0301": "C3", "脑电 C4": "C4"}).summary()
    rows = [line for line in text.splitlines() if "  ->  " in line]
    assert len(rows) == len(labels) + 1, text  # the header and one row per label
    starts = {display_width(line[: line.index("  ->  ")]) for line in rows}
    assert len(starts) == 1, text
    assert display_width("Ｆｐ１") == 6 and display_width("C3\u0301") == 2


# Each reference label (after a '-') and the reference it names: labels of one key are one
# reference spelled differently; a label that is its own key is a reference of its own.
EXPECTED_REFERENCE_KEYS = {
    **dict.fromkeys(("REF", "REFERENCE", "COM", "ORG", "ORIG", "G2"), "REF"),
    **dict.fromkeys(("AVG", "AV", "AVE", "AVERAGE", "CAR", "AR"), "AVG"),
    **dict.fromkeys(("LE", "LINKED", "LINKEDEARS", "EARS", "A1A2", "A12"), "LE"),
    **dict.fromkeys(("LM", "M1M2", "M12", "MASTOIDS"), "LM"),
    **dict.fromkeys(("MASTOID", "MAST"), "MASTOID"),
    **{label: label for label in ("REF1", "REF2", "RE", "A1", "A2", "M1", "M2", "EAR")},
}


def _reference_key(label: str) -> str:
    """The reference that the reference label ``label`` names, as the channel table says."""
    from eegpt import vocabulary

    return vocabulary.REFERENCE_KEYS[label]


def test_reference_labels_and_their_references_are_pinned():
    """The reference labels and which of them name one reference: one table, pinned."""
    from eegpt import vocabulary

    assert vocabulary.REFERENCE_LABELS == frozenset(EXPECTED_REFERENCE_KEYS)
    assert {label: _reference_key(label) for label in vocabulary.REFERENCE_LABELS} == (
        EXPECTED_REFERENCE_KEYS
    )


def test_mixed_reference_warning_follows_the_reference_table():
    """Two channels against two reference labels warn exactly when the labels name different
    references (``C3-REF`` beside ``C4-G2`` is one reference; ``C3-REF`` beside ``C4-LE`` two)."""
    from eegpt.channels import _warn_mixed_references

    labels = sorted(EXPECTED_REFERENCE_KEYS)
    for i, a in enumerate(labels):
        for b in labels[i:]:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                _warn_mixed_references([f"C3-{a}", f"C4-{b}"], {}, "", False)
            warned = any("referenced to different sites" in str(w.message) for w in caught)
            assert warned == (EXPECTED_REFERENCE_KEYS[a] != EXPECTED_REFERENCE_KEYS[b]), (a, b)


@pytest.mark.parametrize(
    ("label", "reference"),
    [("EEG T5-P7-LE", "LE"), ("T3/T7-LE", "LE"), ("EEG T4 (T8)-A1+A2", "A1A2")],
)
def test_a_site_named_by_both_names_counts_its_reference_in_the_mixed_reference_warning(
    label, reference
):
    """A label naming one site by both its names and then a reference (``T5-P7-LE``) is
    against that reference: beside channels against another (``Fp1-REF``), the warning on
    mixed references names it; beside channels against the same, none is given."""
    expected = rf"referenced to different sites.*; {re.escape(label)} against {reference}\)"
    with pytest.warns(RuntimeWarning, match=expected):
        map_channels(["Fp1-REF", "Cz-REF", label])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(map_channels(["Fp1-LE", "Cz-LE", label]).names) == 3


@pytest.mark.parametrize(
    "label",
    [
        "TEMP",
        "Temp",
        "Temp rectal",
        "TEMP1",
        "Temp 1",
        "EEG TEMP-REF",
        "Temperature",
        "Body Temp",
        "Skin temp",
        "TEMP_1",
        "Rectal Temp",
        "Nasal Temp",
        "Temperature rectal",
        "Esoph Temp",
        "Oral Temp",
        "Skin Temperature",
        "Temp nasal",
    ],  # fmt: skip
)
def test_temperature_sensors_are_other_signals(label):
    """A temperature sensor's label (PSG's "Temp rectal", a BioSemi "Temp") is another signal,
    not a possible EEG electrode."""
    assert not may_be_electrode(label)


@pytest.mark.parametrize(
    "label",
    [
        "TEMPORAL",
        "L TEMPORAL",
        "EEG TEMPORAL-REF",
        "Temporal L",
        "LTEMP",
        "RTEMP",
        "TEMPL",
        "L TEMP",
        "Lt Temp",
        "Left Temp",
        "R Temporal",
        "TEMPR",
    ],  # fmt: skip
)
def test_temporal_lobe_labels_are_not_temperature_sensors(label):
    """Temporal-lobe names that contain TEMP were taken for a temperature sensor (any label
    with TEMP in it was "another signal") and dropped without the hint to map them by hand."""
    assert may_be_electrode(label)


def test_psg_channels_are_told_apart_from_eeg():
    """A PSG's AASM EOG (E1-M2, E2-M2) and its other sensors (Temp rectal ...) got the hint
    "If some of [...] are EEG electrodes, map them", as if they might be EEG; an EGI net's
    E1, E2, E3 ... stay possible electrodes."""
    psg = ["C3-M2", "E1-M2", "E2-M2", "E1", "E2", "LOC", "ROC", "EOG horizontal", "EOG E1-M2",
           "Temp rectal", "Temp", "Position", "SpO2", "SaO2", "Resp", "Airflow", "Thor", "Abdo",
           "Snore", "Pleth", "Pulse", "Event marker"]  # fmt: skip
    with pytest.warns(RuntimeWarning) as record:
        map_channels(psg, on_unknown="drop")
    text = " ".join(str(r.message) for r in record)
    assert "are EEG electrodes" not in text and "is an EEG electrode" not in text
    assert "look like other signals" in text
    with pytest.warns(RuntimeWarning, match=r"If some are EEG electrodes"):
        map_channels(["Cz", "E1", "E2", "E3", "E4"], on_unknown="drop")


def test_egi_numbers_with_their_own_positions_are_told_to_use_those_first():
    """E1..E19 with their own (10-20) positions, as a BIDS electrodes.tsv gives them: the
    refusal suggests plain --nearest (the file's positions) before an EGI net's layout."""
    import mne

    from eegpt.preprocessing import map_info_channels

    montage = mne.channels.make_standard_montage("standard_1020")
    sites = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8", "P7",
             "P3", "Pz", "P4", "P8", "O1", "O2"]  # fmt: skip
    where = montage.get_positions()["ch_pos"]
    labels = [f"E{i}" for i in range(1, 20)]
    info = mne.create_info(labels, 250.0, "eeg")
    info.set_montage(mne.channels.make_dig_montage(dict(zip(labels, [where[s] for s in sites],
                                                             strict=True))))  # fmt: skip
    with pytest.raises(NoChannelMappedError) as err:
        map_info_channels(info, "rec.edf")
    text = str(err.value)
    plain, net = text.find("--nearest --write-rename nearest.tsv"), text.find("--nearest GSN")
    assert 0 < plain < net, text


def test_a_rename_table_of_european_excel_semicolons_bom_crlf_or_utf16_is_read(tmp_path):
    """A rename table saved by European Excel ("CSV UTF-8": a BOM, CRLF, ';' between cells,
    a heading) or as "Unicode Text" (UTF-16) reads as the tab-separated one; ';' separates
    only where every line has it, so a label of a tab-separated table may hold one."""
    from eegpt.channels import read_rename_table

    want = {"EEG Fp1-REF": "Fp1", "EEG O2-REF": "O2", "ECG": None}
    semi = tmp_path / "ren_semi.csv"
    semi.write_bytes(b"\xef\xbb\xbflabel;electrode\r\nEEG Fp1-REF;Fp1\r\nEEG O2-REF;O2\r\nECG;\r\n")
    assert read_rename_table(semi) == want
    utf16 = tmp_path / "ren16.txt"
    utf16.write_bytes("EEG Fp1-REF\tFp1\r\nEEG O2-REF\tO2\r\nECG\t\r\n".encode("utf-16"))
    assert read_rename_table(utf16) == want
    mixed = tmp_path / "mixed.tsv"
    mixed.write_text("Ch;1\tFp1\nCh2\tO2\n")
    assert read_rename_table(mixed) == {"Ch;1": "Fp1", "Ch2": "O2"}


def test_left_out_channels_are_worded_in_one_place():
    """Channels left out before mapping, as ``_files.csv``'s ``left_out_channels`` and a
    mapping figure's list word them, by one function of the MNE-free eegpt.channels."""
    import eegpt.shard_writer
    import eegpt.viz
    from eegpt.channels import left_out_text

    assert left_out_text({"F3": "bad", "VEOG": "eog"}) == ["F3 (bad)", "VEOG (eog)"]
    assert left_out_text(None) == [] and left_out_text("F3") == []
    assert eegpt.shard_writer.left_out_text is left_out_text is eegpt.viz.left_out_text


def test_a_muse_montage_all_untrained_gets_one_plain_warning_with_nearest_trained_sites():
    # Muse 2: TP9/TP10 are outside the vocabulary, AF7/AF8 in it but untrained
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mapping = map_channels(["TP9", "AF7", "AF8", "TP10"])
    assert mapping.names == ("AF7", "AF8")
    texts = [str(w.message) for w in caught]
    (said,) = [t for t in texts if "trained embedding" in t]
    assert said.startswith("none of the 2 channels used (AF7, AF8) has a trained embedding")
    # the nearest trained sites, found from positions, and how to use them
    assert "TP9 -> TP7" in said and "TP10 -> TP8" in said and "AF7 -> Fp1" in said
    assert "--rename TP9=TP7" in said and "'TP9': 'TP7'" in said
    assert not any("consider excluding them" in t for t in texts)  # the one warning says it
    # the warning on the dropped TP9/TP10 points to the renames, not only to "no embedding"
    (dropped,) = [t for t in texts if "do not match the EEGPT vocabulary" in t]
    assert "the model has no embedding for them. The nearest trained sites" in dropped
    assert "TP9 -> TP7" in dropped and "--rename TP9=TP7 --rename TP10=TP8" in dropped
    # a file of TP9/TP10 alone: nothing maps, and the error says the same
    with pytest.raises(NoChannelMappedError, match=r"nearest trained sites \(on a template "
                       r"head\) are TP9 -> TP7 .*rename=\{'TP9': 'TP7', 'TP10': 'TP8'\}"):  # fmt: skip
        map_channels(["TP9", "TP10"])
    with warnings.catch_warnings(record=True) as caught:  # ears and a mostly trained montage:
        warnings.simplefilter("always")  # no stand-ins offered
        map_channels(["Fp1", "Fp2", "C3", "C4", "A1", "A2", "TP9"])
    assert not any("nearest trained" in str(w.message) for w in caught)


def test_a_montage_mostly_untrained_is_said_so_and_one_mostly_trained_as_before():
    with pytest.warns(RuntimeWarning, match=r"only 1 of the 3 channels used \(Fz\) has a trained"):
        map_channels(["Fz", "AF7", "AF8"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        map_channels(["Fz", "Cz", "AF7"])
    (said,) = [str(w.message) for w in caught]
    assert "consider excluding them" in said and "trained embedding" not in said


def test_nearest_trained_sites_skips_untrained_and_taken_sites():
    from eegpt.nearest_sites import nearest_trained_sites

    found = nearest_trained_sites(["TP9", "AF7", "NOPE"], taken=["TP7"])
    assert list(found) == ["TP9", "AF7"]
    assert found["AF7"][0] == "Fp1"  # not AF7 itself: untrained
    assert found["TP9"][0] != "TP7" and found["TP9"][1] > 20


def test_few_pretraining_channels_get_an_info_note_on_coverage(caplog):
    cyton = ["Fp1", "Fp2", "C3", "C4", "P7", "P8", "O1", "O2"]
    with caplog.at_level(logging.INFO, logger="eegpt"):
        map_channels(cyton)
    (note,) = [r for r in caplog.records if "channels EEGPT was pretrained on" in r.getMessage()]
    assert note.levelno == logging.INFO
    assert note.getMessage().startswith("8 of the 58 channels EEGPT was pretrained on are used")
    assert "not comparable" in note.getMessage() and "--keep-channels" in note.getMessage()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="eegpt"):
        map_channels(list(PROBE_19_CHANNELS))  # the 19 of 10-20: no note
    assert not [r for r in caplog.records if "pretrained on are used" in r.getMessage()]


def _run(prefix: str, last: int) -> list[str]:
    """``prefix`` numbered 1..``last``: an sEEG shaft's or ECoG strip's contact labels."""
    return [f"{prefix}{i}" for i in range(1, last + 1)]


def _warned(names: list[str], **kwargs: object) -> tuple[ChannelMapping, list[str]]:
    """The mapping of ``names`` and the texts of every warning it gave."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        mapping = map_channels(names, **kwargs)  # type: ignore[arg-type]
    return mapping, [str(w.message) for w in record]


def test_a_shaft_holding_an_old_and_a_new_name_of_one_site_is_contacts():
    """T1..T8 beside F1..F8 (sEEG exported to EDF): T3 and T7, T4 and T8 name one scalp site
    each, so the T run is a shaft's contacts. The duplicates error says so instead of
    offering drops, and dropping T7, T8 anyway leaves a warning naming T3..T6 and F1..F8.
    A montage's list of names (T3..T10, no T2) is no shaft."""
    from eegpt.errors import DuplicateChannelsError
    from eegpt.vocabulary import contact_runs

    names = _run("T", 8) + _run("F", 8)
    with pytest.raises(DuplicateChannelsError) as err:
        map_channels(names)
    text = str(err.value)
    assert "['T3', 'T7'] -> T7" in text and "The labels T1..T8 look like the contacts" in text
    assert "T3 beside T7, T4 beside T8 would name one scalp site twice" in text
    assert "--drop" not in text and "do not embed intracranial recordings" in text
    assert err.value.later == ["T7", "T8"]
    mapping, said = _warned(names, rename={"T7": None, "T8": None})
    (contacts,) = [text for text in said if "intracranial" in text]
    assert "Yet T3..T6 were used as the scalp sites of those names" in contacts
    assert "F1..F8 may be contacts too" in contacts
    assert contact_runs([f"T{i}" for i in range(3, 11)]) == {}
    with pytest.raises(DuplicateChannelsError, match="drop the later ones"):  # no run: a cap's
        map_channels(["T3", "T7", "C3", "Cz"])


def test_used_numbered_labels_beside_contact_runs_are_named_as_possible_contacts():
    """Beside runs that are contacts (A1..A8, G1..G64; LA1..LA8, S1..S6), labels of 10-05
    sites (P1..P8, F1..F8, P1..P6), whose own runs are no contacts, are named too."""
    _, said = _warned(_run("A", 8) + _run("G", 64) + _run("P", 8) + _run("F", 8))
    (text,) = [text for text in said if "intracranial" in text]
    assert "the labels A1..A8, G1..G64 look like the contacts" in text
    assert "Yet P1..P8, F1..F8 were used as scalp sites" in text
    _, said = _warned(_run("LA", 8) + _run("S", 6) + _run("P", 6))
    (text,) = [text for text in said if "intracranial" in text]
    assert "LA1..LA8, S1..S6" in text and "Yet P1..P6 were used" in text
    # amplifier inputs (Nihon Kohden's X1.., DC01..) are no contacts
    _, said = _warned(["Fz", "Cz", "C3", "C4", *_run("X", 8), *_run("DC", 8)])
    assert not [text for text in said if "intracranial" in text]


def test_a_bank_of_socket_labels_starts_at_one():
    """A shaft A1..A8 with B1..B8 beside scalp Fz, Cz, Pz, C3, C4: C3 and C4 (no C1, C2) are
    no bank C of sockets but electrodes, used (and named as possible contacts). A recording
    with a run no BioSemi cap has (T1..T8, G1..G64) is no socket recording: A1..A8, T1..T8,
    F1..F8 is refused as contacts, not mapped by sockets."""
    from eegpt.errors import DuplicateChannelsError
    from eegpt.rename_tables import socket_labels

    names = [*_run("A", 8), *_run("B", 8), "Fz", "Cz", "Pz", "C3", "C4"]
    mapping, said = _warned(names, keep="Fz,Cz,Pz,C3,C4")
    assert mapping.names == ("FZ", "CZ", "PZ", "C3", "C4")
    assert not [text for text in said if "not in this recording" in text]
    assert "C3" not in socket_labels(names) and "A1" in socket_labels(names)
    # beside 10-10 names, the socket labels may be contacts: no advice to rename them as sockets
    _, said = _warned(names)
    (dropped,) = [text for text in said if "do not match" in text]
    assert (
        "16 of them look like BioSemi socket labels ('A1', ...), but beside 10-10 names" in dropped
    )
    assert "is right only for a BioSemi cap's recording" in dropped
    assert "pass rename='biosemi64'" not in dropped
    atf = _run("A", 8) + _run("T", 8) + _run("F", 8)
    assert socket_labels(atf) == [] and socket_labels(_run("A", 8) + _run("G", 64)) == []
    with pytest.raises(DuplicateChannelsError, match="The labels A1..A8, T1..T8 look like"):
        map_channels(atf)
    # a BioSemi bank C with C1 marked bad is still one: C2..C6 are sockets
    sockets = [f"{b}{k}" for b in "ABCD" for k in range(1, 33) if f"{b}{k}" != "C1"]
    assert "C2" in socket_labels(sockets)


def test_numbered_runs_alone_may_be_contacts_but_caps_are_not():
    """F1..F8 with P1..P8 and nothing else: 10-05 names, used, with a warning that they may
    be contacts. Real caps (64-channel 10-10, the vocabulary's names, a 10-20 cap with
    T3..T6) get no such warning."""
    import mne

    mapping, said = _warned(_run("F", 8) + _run("P", 8))
    assert len(mapping) == 16
    (text,) = [text for text in said if "intracranial" in text]
    assert text.startswith("the channels used, F1..F8, P1..P8, are numbered runs")
    assert "(no midline Fz, Cz, Pz)" in text
    ten_twenty = ("Fp1 Fp2 F7 F3 Fz F4 F8 T3 C3 Cz C4 T4 T5 P3 Pz P4 T6 O1 O2").split()
    caps = [
        ten_twenty,
        list(VOCABULARY),
        [name for name in VOCABULARY if name not in UNSEEN_IN_PRETRAINING],
        mne.channels.make_standard_montage("biosemi64").ch_names,
        [n for n in mne.channels.make_standard_montage("standard_1005").ch_names
         if n not in ("T3", "T4", "T5", "T6")],
    ]  # fmt: skip
    for cap in caps:
        _, said = _warned(cap)
        assert not [text for text in said if "intracranial" in text], cap[:5]
    _, said = _warned(_BIOSEMI64_SOCKETS, rename="biosemi64")
    assert not [text for text in said if "intracranial" in text]
    # one letter's run is a motor-imagery montage, not two shafts: no warning
    for montage in [_run("C", 6), ["C5", "C3", "C1", "C4", "C6"], _run("F", 8)]:
        _, said = _warned(montage)
        assert not [text for text in said if "intracranial" in text], montage
    # the advice names the recording's own labels
    _, said = _warned(_run("C", 6) + _run("P", 8))
    (text,) = [text for text in said if "intracranial" in text]
    assert text.startswith("the channels used, C1..C6, P1..P8, are numbered runs")
    assert "rename={'C1': 'C1', ...}" in text and "'F1'" not in text


@pytest.mark.parametrize(
    "aux",
    [
        _run("BIP", 4), _run("MISC", 3), _run("EXT", 4), _run("DIN", 3), _run("REF", 3),
        _run("Z", 3), ["POL BN1", "POL BN2", "POL BN3"], _run("M", 3), _run("ACC", 3),
        _run("EX", 4), _run("Erg", 3), _run("D", 3), _run("BIP", 4) + _run("EXT", 4),
    ],
)  # fmt: skip
def test_a_short_group_of_numbered_auxiliary_channels_beside_a_cap_is_no_contacts(
    aux: list[str],
) -> None:
    """A 10-20 cap with a few numbered auxiliary inputs (BIP1..BIP4, MISC1..MISC3): the
    group is no shaft, so the cap's sites are not called possible contacts."""
    ten_twenty = "Fp1 Fp2 F7 F3 Fz F4 F8 T3 C3 Cz C4 T4 T5 P3 Pz P4 T6 O1 O2".split()
    mapping, said = _warned(ten_twenty + aux)
    assert len(mapping) == 19
    assert not [text for text in said if "intracranial" in text]


def test_no_channel_mapped_says_eegpt_is_a_human_scalp_model():
    """A rodent's or an intracranial recording's labels map to nothing: the error says a
    rename is for scalp electrodes, and names labels that look like contacts; a BioSemi
    recording's socket labels are not called contacts."""
    rodent = ["EEG1", "EEG2", "FrL", "ParR", "Ref"]
    with pytest.raises(NoChannelMappedError) as err:
        map_channels(rodent)
    assert "EEGPT is a model of human scalp EEG, pretrained on 10-10 electrodes" in str(err.value)
    assert "not for other signals (animal or intracranial recordings)" in str(err.value)
    assert "look like the contacts" not in str(err.value)
    with pytest.raises(NoChannelMappedError) as err:
        map_channels([*_run("LA", 8), *_run("G", 64), "C'1", "C'2", "C'3", "C01", "C02"])
    assert "The labels LA1..LA8, G1..G64, C'1..C'3 look like the contacts" in str(err.value)
    with pytest.raises(NoChannelMappedError) as err:
        map_channels(_BIOSEMI64_SOCKETS)
    assert "BioSemi socket labels" in str(err.value) and "contacts" not in str(err.value)


def test_a_rename_of_an_intracranial_channel_says_eegpt_is_a_scalp_model():
    """Renaming a channel typed seeg/ecog/dbs to a vocabulary name: refused as intracranial,
    not with advice to set its type to EEG (which stays for other types, eog)."""
    import mne

    info = mne.create_info(["Fz", "Cz", "T3", "HEOG"], 256.0, ["eeg", "eeg", "seeg", "eog"])
    raw = mne.io.RawArray(np.zeros((4, 256)), info, verbose="error")
    with pytest.raises(ValueError, match=r"T3 \(seeg\) named in rename .* intracranial") as err:
        map_channels(raw, rename={"T3": "T7"})
    assert "set_channel_types" not in str(err.value)
    with pytest.raises(ValueError, match=r"HEOG \(eog\) named in rename .*set_channel_types"):
        map_channels(raw, rename={"HEOG": "T7"})


def test_used_channels_leave_the_others_unwarned(caplog):
    """used= (a probe's channels): with them all in the recording, channels dropped as unknown
    are one INFO line and untrained embeddings are named only among the used channels; with
    one of them missing, the drops are warned about as usual (they may be its misspelling)."""
    import logging

    names = ["Fp1", "Cz", "PO5", "CB1", "Ch7"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with caplog.at_level(logging.INFO, logger="eegpt"):
            mapping = map_channels(names, used=["FP1", "Cz"])
    assert mapping.names == ("FP1", "CZ", "PO5") and mapping.dropped == ("CB1", "Ch7")
    assert "2 channel(s) outside the EEGPT vocabulary were dropped" in caplog.text
    with pytest.warns(RuntimeWarning, match=r"\['PO5'\] map to vocabulary entries"):
        map_channels(names, used=["FP1", "PO5"])
    with pytest.warns(RuntimeWarning, match=r"If 'Ch7' is an EEG electrode"):
        map_channels(names, used=["FP1", "C3"])


def test_a_table_whose_keys_match_labels_loosely_is_recorded(tmp_path):
    """A table file keyed 'Ch 1' on a recording labelled 'Ch  1' (two spaces): the rename
    matches the keys to the labels, so the table renamed the channels and is their
    rename_source."""
    from eegpt.cli_options import parse_rename

    path = tmp_path / "tab.tsv"
    path.write_text("Ch 1\tFp1\nCh 2\tFp2\nCh 3\tCz\n", encoding="utf-8")
    rename = parse_rename([str(path)], [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few channels
        mapping = map_channels(["Ch  1", "Ch  2", "Ch  3"], rename=rename)
    assert mapping.names == ("FP1", "FP2", "CZ")
    assert mapping.rename_source == str(path)


def test_openbci_inputs_are_said_to_need_the_sites_they_were_placed_at():
    """OpenBCI's GUI names its inputs ``EXG Channel 0`` ..: the board's pins, where the user
    placed the electrodes. They were called other signals (EOG, ECG, EMG) for their ``EXG``;
    the warning and the error say to rename each to its site, with the rename."""
    inputs = [f"EXG Channel {i}" for i in range(8)]
    with pytest.warns(RuntimeWarning) as caught:
        map_channels([*inputs[:2], "Cz", "Fz", "Pz"])
    (text,) = [str(w.message) for w in caught]
    assert "look like other signals" not in text
    assert "['EXG Channel 0', 'EXG Channel 1'] look like OpenBCI's inputs" in text
    assert (
        "rename={'EXG Channel 0': 'Fp1', ...} (command line: --rename 'EXG Channel 0=Fp1'" in text
    )
    with pytest.raises(NoChannelMappedError, match="look like OpenBCI's inputs") as raised:
        map_channels([*inputs, "Accel Channel 0"])
    assert "docs/montages.md, 'From a device's CSV'" in str(raised.value)
    # placed and renamed, they are those sites
    table = dict(zip(inputs, ["Fp1", "Fp2", "C3", "C4", "P7", "P8", "O1", "O2"], strict=True))
    assert map_channels(inputs, rename=table).names == (
        "FP1",
        "FP2",
        "C3",
        "C4",
        "P7",
        "P8",
        "O1",
        "O2",
    )
