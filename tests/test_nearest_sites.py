"""nearest_rename on MNE's own montages: each convention of idealised caps (T7 or T9 on the
equator) and each template head finds its own sites, numbered or named; a dense net whose
positions fit no template closely enough is warned about."""

from __future__ import annotations

import re
import warnings

import mne
import numpy as np
import pytest

from eegpt.channels import nearest_rename, normalize_channel_name


def _numbered(name: str) -> tuple[mne.Info, dict[str, str]]:
    """An Info of MNE's montage ``name`` with its channels renamed Ch1.. (the montage, its
    fiducials too, set on them) and the map Ch1.. -> the montage's own label."""
    montage = mne.channels.make_standard_montage(name)
    truth = {f"Ch{i + 1}": label for i, label in enumerate(montage.ch_names)}
    montage.rename_channels({label: number for number, label in truth.items()})
    info = mne.create_info(list(truth), 256.0, "eeg")
    info.set_montage(montage, verbose="error")
    return info, truth


def _misnamed(table: dict[str, str | None], truth: dict[str, str]) -> dict[str, str]:
    """The true labels of the electrodes given a site other than their own vocabulary name
    (or none), -> that site: {} when each vocabulary electrode got its own site."""
    return {
        truth[label]: site or "none"
        for label, site in table.items()
        if normalize_channel_name(truth[label]) is not None
        and normalize_channel_name(site or "") != normalize_channel_name(truth[label])
    }


@pytest.mark.parametrize(
    "name",
    ["spherical_1020", "spherical_1010", "spherical_1005", "biosemi16", "biosemi32", "biosemi64"],
)
def test_idealised_caps_numbered_map_each_site_to_itself(name):
    """Both conventions of MNE's idealised caps: spherical_10x0 put Nz/T9/Iz on the equator,
    biosemi Fpz/T7/Oz; each finds its own sites at 0 mm, not a ring off (Fp1 as AF3)."""
    info, truth = _numbered(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = nearest_rename(info)
    assert _misnamed(table, truth) == {}
    own = [label for label, site in table.items() if site is not None]
    assert len(own) == sum(normalize_channel_name(t) is not None for t in truth.values())
    assert max(table.distances_mm[label] for label in own) < 0.1


@pytest.mark.parametrize("numbered", [False, True])
def test_a_few_electrodes_of_a_spherical_cap_map_each_to_itself(numbered):
    """Five of spherical_1020's electrodes, named (the full montage, known by their labels,
    fits the sphere) or numbered (five points: the shape is unknown, so every template is
    tried): each finds its own site, not one a ring off."""
    montage = mne.channels.make_standard_montage("spherical_1020")
    some = ["Fp1", "F8", "T7", "O2", "Cz"]
    truth = {(f"Ch{i + 1}" if numbered else label): label for i, label in enumerate(some)}
    montage.rename_channels({label: number for number, label in truth.items()})
    info = mne.create_info(list(truth), 256.0, "eeg")
    info.set_montage(montage, on_missing="ignore", verbose="error")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = nearest_rename(info)
    assert _misnamed(table, truth) == {}
    assert max(table.distances_mm.values()) < 0.1
    # numbered, five points fit no sphere for sure: the table is said to need checking
    said = [str(w.message) for w in caught]
    if numbered:
        assert len(said) == 1 and "only 5 positioned electrodes, too few" in said[0], said
    else:
        assert said == []


def test_a_few_numbered_electrodes_of_a_real_head_are_said_to_be_uncertain():
    """Five electrodes of colin27's head, numbered: too few points to fit its sphere or tell
    the layout, and their table gives C4 the site C6 (a neighbour off): warned, not silent."""
    montage = mne.channels.make_standard_montage("standard_1005")
    some = ["Pz", "C6", "F6", "C4", "P7"]
    truth = {f"E{i + 1}": label for i, label in enumerate(some)}
    montage.rename_channels({label: number for number, label in truth.items()})
    info = mne.create_info(list(truth), 256.0, "eeg")
    info.set_montage(montage, on_missing="ignore", verbose="error")
    with pytest.warns(RuntimeWarning, match="only 5 positioned electrodes, too few to fit"):
        nearest_rename(info)


@pytest.mark.parametrize(
    "name", ["spherical_1020", "spherical_1010", "fsaverage_1005", "fsaverage_1010"]
)
def test_named_channels_at_mne_template_positions_are_not_called_wrong(name):
    """10-10 names at the exact positions of MNE's montages keep their names, without the
    "positions are probably wrong" warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = nearest_rename(name)
    assert _misnamed(table, {label: label for label in table}) == {}


def test_fsaverage_1005_numbered_is_right_and_a_tilted_copy_is_warned_of():
    """fsaverage_1005's 335 electrodes numbered: each site gets its own electrode (not a
    half-position neighbour as on colin27's sites); the same positions tilted by 4 degrees
    fit no template, and neighbours 7 mm apart then take sites: warned of, with a rename
    table as the way out."""
    info, truth = _numbered("fsaverage_1005")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = nearest_rename(info)
    assert _misnamed(table, truth) == {}
    angle = np.radians(4.0)  # about the left-right axis
    pitch = np.array([[1, 0, 0], [0, np.cos(angle), -np.sin(angle)],
                      [0, np.sin(angle), np.cos(angle)]])  # fmt: skip
    positions = {ch["ch_name"]: pitch @ ch["loc"][:3] for ch in info["chs"]}
    tilted = mne.channels.make_dig_montage(positions, coord_frame="head")
    with pytest.warns(RuntimeWarning, match=r"the electrodes are dense.*rename=\{'Ch") as record:
        table = nearest_rename(tilted)
    assert _misnamed(table, truth)  # what the warning is about
    message = str(record[0].message)
    assert "any row of the table may be a neighbour off" in message
    assert re.search(r"rename=\{'(Ch\d+)': '(\w+)', \.\.\.\} where the cap's \1 is its \2", message)


def test_embed_with_a_nearest_table_of_a_numbered_spherical_cap_feeds_each_site(model):
    """An end-to-end embed of spherical_1020 positions on channels Ch1..Ch21 with
    rename=nearest_rename(raw): each recording channel goes in as its own site."""
    info, truth = _numbered("spherical_1020")
    data = np.random.default_rng(5).normal(0, 2e-5, (len(truth), 256 * 4))
    raw = mne.io.RawArray(data, info, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # untrained sites
        channels = model.embed(raw, rename=nearest_rename(raw)).metadata["channels"]
    fed = dict(zip(channels["input_names"], channels["names"], strict=True))
    assert fed == {label: normalize_channel_name(truth[label]) for label in truth}


def test_nearest_help_and_docstring_say_it_is_geometric_not_egi_equivalents(capsys):
    """`--nearest` gives the geometric nearest electrode, which differs from EGI's published
    10-20 equivalents of the HydroCel 129 net (E22 is EGI's Fp1, AF3 here): the help and the
    docstring say so, and that eegpt ships no table of EGI's."""
    from eegpt.cli import main

    table = nearest_rename("GSN-HydroCel-129")
    assert (table["E22"], table["E21"]) == ("AF3", "Fp1")
    with pytest.raises(SystemExit) as exit_info:
        main(["channels", "--help"])
    assert exit_info.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "The geometric nearest, not a manufacturer's equivalents" in help_text
    assert "E22 is its Fp1, AF3 here; no table of EGI's ships with eegpt" in help_text
    doc = " ".join((nearest_rename.__doc__ or "").split())
    assert "differs from EGI's published 10-20 equivalents" in doc
    assert "the package ships no table of EGI's equivalents" in doc
