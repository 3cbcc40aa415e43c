"""Rename tables from electrode positions: each electrode named after its nearest 10-10 site.

:func:`nearest_rename` names the electrodes of nets and caps without 10-10 names (EGI's
``E1``.., BioSemi's 128 sockets, a MEG+EEG file's ``EEG001``..) after the vocabulary sites
nearest to them, comparing directions from the centres of spheres fitted to the electrodes and
to a template's sites; :func:`nearest_summary` shows such a table and :func:`with_positions_note`
suggests one. :mod:`eegpt.channels` re-exports the public names.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from eegpt._logging import Verbose, few
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.rename_tables import (
    NEAREST,
    RenameTable,
    cap_note,
    egi_labels,
    egi_montage,
    nearest_advice,
    net_of,
    socket_labels,
)
from eegpt.vocabulary import (
    VOCABULARY,
    display_width,
    montage_spelling,
    normalize_channel_name,
    padded,
    printable_name,
    shortened_list,
)

if TYPE_CHECKING:
    import mne
    import numpy as np

__all__ = ["nearest_rename"]


def _head_positions_mm(info: mne.Info) -> dict[str, np.ndarray]:
    """The EEG channels of ``info`` that have a position (bads too) -> that position, shape
    (3,), in mm in MNE's head frame (x to the right ear, y to the nasion, z up)."""
    import mne
    import numpy as np

    out = {}
    for i in mne.pick_types(info, eeg=True, exclude=[]):
        loc = info["chs"][i]["loc"][:3]
        if np.isfinite(loc).all() and np.any(loc):
            out[info["ch_names"][i]] = 1000.0 * loc
    return out


def _sphere_directions(points: np.ndarray, fit: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Unit vectors (n, 3) from the centre of the sphere fitted (least squares) to ``fit``
    (m, 3) towards ``points`` (n, 3), that sphere's radius, and the largest distance of a
    point of ``fit`` from it (the units of the points)."""
    import numpy as np

    solution = np.linalg.lstsq(np.c_[2 * fit, np.ones(len(fit))], (fit**2).sum(1), rcond=None)[0]
    centre = solution[:3]
    radius = float(np.sqrt(solution[3] + centre @ centre))
    residual = float(np.abs(np.linalg.norm(fit - centre, axis=1) - radius).max())
    rays = points - centre
    return rays / np.linalg.norm(rays, axis=1, keepdims=True), radius, residual


#: The largest distance (mm) of a source's electrodes from the sphere fitted to them for which
#: they are taken as an idealised cap on a sphere, compared with the spherical 10-10 layout.
_ON_SPHERE_MM = 1.0


def _standard_montage(name: str) -> mne.channels.DigMontage:
    """MNE's standard montage ``name``: any name ``mne.channels.make_standard_montage`` takes,
    the names MNE 1.13 replaced (``"standard_1005"``, now ``"colin27_1005"``) without their
    FutureWarning.

    Raises
    ------
    ValueError
        For a name MNE does not know, listing the EGI and BioSemi nets."""
    import mne

    from eegpt._logging import ignored_warnings

    try:
        with ignored_warnings(FutureWarning):  # this thread's alone (not catch_warnings)
            return mne.channels.make_standard_montage(name)
    except ValueError:
        nets = [m for m in mne.channels.get_builtin_montages() if m.startswith(("GSN", "bio"))]
        raise ValueError(
            f"{name!r} is none of MNE's standard montages; EGI and BioSemi nets: {', '.join(nets)}"
        ) from None


#: The montage files :func:`read_montage` reads (lower case), by the MNE function reading them:
#: ``mne.channels.read_custom_montage`` (EEGLAB, BESA/EGI, ASA, BrainVision, x/y/z tables),
#: ``read_dig_fif`` (``montage.save("x-dig.fif")``), ``read_dig_hpts``, ``read_dig_captrak``.
MONTAGE_FILE_SUFFIXES = {
    **dict.fromkeys(
        (
            ".loc",
            ".locs",
            ".eloc",
            ".sfp",
            ".csd",
            ".elc",
            ".txt",
            ".elp",
            ".bvef",
            ".csv",
            ".tsv",
            ".xyz",
        ),
        "read_custom_montage",
    ),  # fmt: skip
    ".fif": "read_dig_fif",
    ".hpts": "read_dig_hpts",
    ".bvct": "read_dig_captrak",
}


def is_montage_file(source: str) -> bool:
    """Whether ``source`` (a montage's name or a path) names a file rather than one of MNE's
    standard montages: an existing file, or a name ending in a montage file's suffix
    (:data:`MONTAGE_FILE_SUFFIXES`; ``"GSN-HydroCel-65_1.0"`` is a name)."""
    suffix = os.path.splitext(source)[1].lower()
    return os.path.isfile(source) or suffix in MONTAGE_FILE_SUFFIXES


def read_montage(source: str) -> mne.channels.DigMontage:
    """The montage ``source`` names: a file of electrode positions MNE reads (digitised
    ``*-dig.fif``, ``.elc``, ``.sfp``, ``.loc``, ...: :data:`MONTAGE_FILE_SUFFIXES`), else
    MNE's standard montage of that name (:func:`_standard_montage`).

    Raises
    ------
    FileNotFoundError
        For a montage file that is not there.
    ValueError
        For a file MNE reads no montage from (another kind of file, or a broken one), or a
        name that is none of MNE's standard montages."""
    if not is_montage_file(source):
        return _standard_montage(source)
    import mne

    suffixes = ", ".join(MONTAGE_FILE_SUFFIXES)
    if not os.path.isfile(source):
        raise FileNotFoundError(
            f"no montage file {source}: give a file of electrode positions ({suffixes}) or "
            "the name of one of MNE's standard montages (GSN-HydroCel-129, biosemi128 ...)"
        )
    advice = (
        f"give a file of electrode positions ({suffixes}), such as a digitisation saved with "
        "montage.save('name-dig.fif'), or the name of one of MNE's standard montages"
    )
    suffix = os.path.splitext(source)[1]
    reader = MONTAGE_FILE_SUFFIXES.get(suffix.lower())
    if reader is None:
        ending = f"ending in {suffix!r}" if suffix else "without a suffix"
        raise ValueError(f"{source} is no montage file (MNE reads none {ending}): {advice}")
    try:
        with mne.utils.use_log_level("error"):
            return getattr(mne.channels, reader)(source)
    except Exception as err:  # a reader meets another file's bytes its own way
        raise ValueError(
            f"{source} is no montage file MNE reads ({type(err).__name__}: {err}): {advice}"
        ) from None


@functools.cache
def _montage_positions_mm(name: str) -> dict[str, np.ndarray]:
    """The EEG positions of MNE's standard montage ``name`` (any name
    ``mne.channels.make_standard_montage`` takes, the old ``"standard_1005"`` too): label ->
    position, shape (3,), in mm in MNE's head frame (:func:`_head_positions_mm`)."""
    import mne

    montage = _standard_montage(name)
    info = mne.create_info(montage.ch_names, 1000.0, "eeg")
    info.set_montage(montage, verbose="error")
    return _head_positions_mm(info)


def _template_head() -> str:
    """The name of MNE's template head with the 10-05 sites: ``"colin27_1005"``, called
    ``"standard_1005"`` before MNE 1.13."""
    import mne

    name = "colin27_1005"
    return name if name in mne.channels.get_builtin_montages() else "standard_1005"


#: The templates that electrodes on a sphere (within :data:`_ON_SPHERE_MM`: idealised caps)
#: are compared with: the two conventions of MNE's idealised montages. ``"biosemi64"`` (and
#: ``"biosemi16"``..``"biosemi256"``, ``"easycap-M1"``, ``"brainproducts-RNP-BA-128"``) put
#: T7/Fpz/Oz on the equator; ``"spherical_1005"`` (and ``"spherical_1010"``,
#: ``"spherical_1020"``) put T9/Nz/Iz there, each 10-10 ring some 18 degrees higher: compared
#: with the other convention's sites, a whole ring maps a site off (Fp1 to AF3).
_SPHERE_TEMPLATES = ("biosemi64", "spherical_1005")

#: How much closer (mm a site, on average over as many sites as there are electrodes, at most
#: the 62) another template's pairing must be for :func:`_fitting_template` to take it rather
#: than the first: MNE's montages of the other convention are closer by 4-17 mm a site, real
#: heads that fit neither better (EGI nets: within 0.5 mm a site either way) keep the first.
_TEMPLATE_MARGIN_MM = 3.0


def _head_templates() -> tuple[str, ...]:
    """The templates that positions of a real head (EGI nets, digitisations) are compared with:
    MNE's 10-05 template head (``"colin27_1005"``, called ``"standard_1005"`` before MNE 1.13),
    then ``"fsaverage_1005"``, whose head frame is pitched some 6 degrees from colin27's (its
    sites lie up to 16 mm from colin27's, more than half the 10-05 step of about 14 mm)."""
    import mne

    head = _template_head()
    return (
        (head, "fsaverage_1005")
        if "fsaverage_1005" in mne.channels.get_builtin_montages()
        else (head,)
    )


@functools.lru_cache(maxsize=8)
def _template_sites(name: str | None = None) -> tuple[tuple[str, ...], np.ndarray, float]:
    """The vocabulary's sites on MNE's standard montage ``name``: their names as montages
    spell them, their unit vectors (62, 3) from the centre of the sphere fitted to them, and
    its radius in mm.

    ``name``: one of :data:`_SPHERE_TEMPLATES` (idealised caps, radius 95 mm) or of
    :func:`_head_templates` (real heads; None: the first, colin27's, a real head whose Cz
    lies about 7.5 degrees in front of its sphere's top). A site the montage lacks (no
    ideal-sphere montage of the biosemi family has PO5/PO6) is put halfway between its
    neighbours on its row (PO3-PO7, PO4-PO8: the normalised mean of the two directions)."""
    import numpy as np

    positions = {n.upper(): p for n, p in _montage_positions_mm(name or _template_head()).items()}
    known = [site for site in VOCABULARY if site in positions]
    points = np.array([positions[site] for site in known])
    units, radius, _ = _sphere_directions(points, points)
    by_name = dict(zip(known, units, strict=True))
    for site, (a, b) in {"PO5": ("PO3", "PO7"), "PO6": ("PO4", "PO8")}.items():
        if site not in by_name:
            mean = by_name[a] + by_name[b]
            by_name[site] = mean / np.linalg.norm(mean)
    units = np.array([by_name[site] for site in VOCABULARY])
    return tuple(map(montage_spelling, VOCABULARY)), units, radius


def _site_distances(units: np.ndarray, name: str) -> np.ndarray:
    """The distances (n, 62), in mm along the sphere of template ``name``'s sites
    (:func:`_template_sites`), from the electrodes' directions ``units`` (n, 3) to its sites."""
    import numpy as np

    _, site_units, radius = _template_sites(name)
    return radius * np.arccos(np.clip(units @ site_units.T, -1.0, 1.0))


def _pairing_cost(distances: np.ndarray, limit_mm: float) -> float:
    """The sum (mm) over the 62 sites of the distance to the electrode the best pairing gives
    each (:func:`scipy.optimize.linear_sum_assignment`; ``distances`` (n, 62) in mm), a site
    without one within ``limit_mm`` counting ``limit_mm``."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    capped = np.minimum(distances, limit_mm)
    rows, cols = linear_sum_assignment(capped)
    return float(capped[rows, cols].sum() + limit_mm * (distances.shape[1] - len(cols)))


def _fitting_template(units: np.ndarray, on_sphere: bool | None) -> str:
    """The template whose sites the electrodes' directions ``units`` (n, 3) fit best: of
    :data:`_SPHERE_TEMPLATES` for electrodes on a sphere (``on_sphere`` True), of
    :func:`_head_templates` for a real head (False), of both where the electrodes are too few
    to tell (None); the one whose pairing leaves the smallest sum of distances
    (:func:`_pairing_cost`, sites farther than 20 mm counting 20 mm), the first (colin27's
    for None) unless another is closer by :data:`_TEMPLATE_MARGIN_MM` a site on average. MNE's
    montages of a convention (``"spherical_1020"``, ``"fsaverage_1005"``) so find their own
    sites at 0 mm, numbered or named, all of them or some."""
    if on_sphere is None:
        names = _head_templates() + _SPHERE_TEMPLATES
    else:
        names = _SPHERE_TEMPLATES if on_sphere else _head_templates()
    costs = [_pairing_cost(_site_distances(units, name), 20.0) for name in names]
    best = min(range(len(names)), key=costs.__getitem__)
    margin = _TEMPLATE_MARGIN_MM * min(len(units), len(VOCABULARY))
    return names[best] if costs[best] < costs[0] - margin else names[0]


#: A site is ambiguous (:func:`_ambiguous_sites`) where its electrode and another both lie
#: within this many mm of it (half positions of a dense 10-05 net, some 7 mm from a 10-10
#: site) ...
_AMBIGUOUS_WITHIN_MM = 8.0

#: ... and the other is at most this many mm farther: less than a real head's positions may lie
#: from a template's sites (MNE's two template heads put the same 10-10 site 7-11 mm apart).
_AMBIGUOUS_MARGIN_MM = 2.0


def _ambiguous_sites(
    distances: np.ndarray, pairs: Mapping[int, int], points: np.ndarray
) -> list[tuple[int, int, int]]:
    """The sites whose electrode has a rival: (site, electrode, rival), indices into the
    columns (sites) and rows (electrodes) of ``distances`` (n, 62; mm), for each pair of
    ``pairs`` (electrode -> site) whose site has another electrode also within
    :data:`_AMBIGUOUS_WITHIN_MM` and no more than :data:`_AMBIGUOUS_MARGIN_MM` farther, not at
    the electrode's place (``points`` (n, 3), mm: within 1 mm, an old name of it, T3 at T7)."""
    import numpy as np

    found = []
    for row, col in pairs.items():
        near = distances[row, col]
        if near > _AMBIGUOUS_WITHIN_MM:
            continue
        limit = min(near + _AMBIGUOUS_MARGIN_MM, _AMBIGUOUS_WITHIN_MM)
        for rival in np.argsort(distances[:, col]):
            if distances[rival, col] > limit:
                break
            if rival != row and np.linalg.norm(points[rival] - points[row]) >= 1.0:
                found.append((col, row, int(rival)))
                break
    return found


def _digitised_head_mm(info: mne.Info) -> np.ndarray:
    """The head-shape points digitised with ``info``'s recording (dig kind ``extra``, as MEG
    files carry), shape (n, 3), in mm in the head frame; (0, 3) where there are none."""
    import numpy as np
    from mne.io.constants import FIFF

    points = [
        1000.0 * np.asarray(d["r"])
        for d in info["dig"] or ()
        if d["kind"] == FIFF.FIFFV_POINT_EXTRA and d["coord_frame"] == FIFF.FIFFV_COORD_HEAD
    ]
    return np.array(points).reshape(-1, 3)


def _known_montage_points(positions: Mapping[str, np.ndarray]) -> np.ndarray | None:
    """All positions (n, 3) of the first of MNE's standard montages that has every label of
    ``positions`` at the same place (within 1 mm): a recording of some of a net's electrodes
    with the net's montage set; None where there is none."""
    import mne
    import numpy as np

    for name in mne.channels.get_builtin_montages():
        full = _montage_positions_mm(name)
        if len(full) > len(positions) and all(
            label in full and np.linalg.norm(full[label] - position) <= 1.0
            for label, position in positions.items()
        ):
            return np.array(list(full.values()))
    return None


def _partial_coverage(points: np.ndarray, radius: float) -> str:
    """Why the sphere fitted to ``points`` (n, 3; mm, head frame) of ``radius`` mm is
    uncertain: a side of the head (more than 40 mm left, right, in front of or behind the
    origin, between the ears) without a point, or a radius outside 75-115 mm; ``""`` when
    the points cover the head."""
    sides = {
        "left": points[:, 0] < -40, "right": points[:, 0] > 40,
        "front": points[:, 1] > 40, "back": points[:, 1] < -40,
    }  # fmt: skip
    empty = [side for side, there in sides.items() if not there.any()]
    if empty:
        return f"none of them lies on the {' or '.join(empty)} of the head"
    if not 75.0 <= radius <= 115.0:
        return f"the sphere fitted to them has a radius of {radius:.0f} mm, not 75-115 mm"
    return ""


def _source_directions(
    info: mne.Info, positions: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, bool | None, str]:
    """Unit vectors (n, 3) from the centre of the source's sphere towards its electrodes
    (``positions``, mm, head frame), whether they lie on a sphere (within
    :data:`_ON_SPHERE_MM`: an idealised cap; None where the sphere is fitted to fewer than 8
    points, which any such sphere fits), and why that sphere is uncertain (``""`` when
    it is not: :func:`_partial_coverage`).

    The sphere is fitted to the points of the whole head where they are known: the full
    standard montage the electrodes' positions come from (:func:`_known_montage_points`), else
    the electrodes and the head-shape points digitised with them
    (:func:`_digitised_head_mm`), else the electrodes alone; of these, those above the plane
    of the nasion and ear points (z > 0; all of them when fewer than 8 are), so a net's face
    and neck electrodes do not pull the sphere down."""
    import numpy as np

    points = np.array(list(positions.values()))
    full = _known_montage_points(positions)
    if full is None:
        full = np.r_[points, _digitised_head_mm(info)]
    upper = full[full[:, 2] > 0]
    fit = upper if len(upper) >= 8 else full
    units, radius, residual = _sphere_directions(points, fit)
    on_sphere = residual <= _ON_SPHERE_MM if len(fit) >= 8 else None
    return units, on_sphere, _partial_coverage(fit, radius)


def nearest_rename(
    source: mne.io.BaseRaw | mne.BaseEpochs | mne.Info | mne.channels.DigMontage | str,
    *,
    max_distance_mm: float = 20.0,
    exclude: Iterable[str] | str = (),
    verbose: Verbose = None,
) -> RenameTable:
    """A ``rename`` table that names each positioned EEG electrode after its nearest 10-10
    site of the vocabulary: for nets and caps without 10-10 names (EGI's ``E1``..``E256``,
    BioSemi's 128 sockets, the ``EEG001``.. of a MEG+EEG recording).

    Each vocabulary site gets at most one electrode, no farther than ``max_distance_mm``: the
    pairs minimise the sum over the 62 sites of their electrode's distance, a site without one
    counting as ``max_distance_mm`` (:func:`scipy.optimize.linear_sum_assignment`), so a site
    is left empty rather than given a far electrode whose nearer site then goes to another.
    An electrode left without a site is in the table as ``None``: left out on purpose, so the
    table lists the whole net, and a socket table of it passes :func:`eegpt.channels.map_channels`' check
    that every socket is named. So is an EEG channel of a recording that has no position
    (warned about). Review the
    table before use (:func:`eegpt.rename_tables.write_rename_table` writes it with the distances): it is a
    geometric guess, not a manufacturer's equivalence. An electrode that has a vocabulary
    name but gets another site (or none) is warned about: its positions are probably wrong.
    So is a dense net (10-05 half positions) where a site has a second electrode within 2 mm
    of its electrode's distance, both within 8 mm: a real head's positions may lie 10 mm from
    the template's sites, so any row may be a neighbour off; rename by the cap's own labels
    then, where it has 10-05 names. For EGI's HydroCel nets the table is the geometric
    pairing, which differs from EGI's published 10-20 equivalents for some electrodes
    (HydroCel 129 on MNE's ``"GSN-HydroCel-129"`` positions: E21/E14 as Fp1/Fp2, E39/E115 as
    T7/T8, E60 as P3, E50 as P7, where EGI's list has E22/E9, E45/E108, E52, E58): the
    package ships no table of EGI's equivalents; for them, write a rename table from EGI's
    documentation (or edit this one, written by
    :func:`eegpt.rename_tables.write_rename_table`).

    Distance: the great-circle distance, in mm, between the directions of the electrode and
    the site, each seen from the centre of the sphere fitted to its own set, on the sphere of
    the sites (radius about 95 mm): head size and the frames' origins do not count. The sites
    are those of the template the source fits best (the smallest sum of distances over the
    sites, each site farther than 20 mm counting 20 mm), of the two for its shape (of all
    four where fewer than 8 points leave the shape unknown); the first unless another is
    closer by 3 mm a site on average, over as many sites as there are electrodes (at most
    62). Electrodes that lie on a sphere
    (within 1 mm: idealised caps) are compared with the two conventions of MNE's idealised
    montages: ``"biosemi64"`` (T7/Fpz/Oz on the equator, as ``"biosemi16"``..
    ``"biosemi256"``, ``"easycap-M1"``; PO5/PO6 halfway along the PO row), so that BioSemi
    128's A1 is Cz at 0 mm, and ``"spherical_1005"`` (T9/Nz/Iz on the equator, each ring some
    18 degrees higher, as ``"spherical_1010"``, ``"spherical_1020"``), so that Fp1 there is
    Fp1 at 0 mm, not AF3. Others (EGI nets, digitisations: real heads) are compared with the
    10-05 sites of MNE's template head (``"colin27_1005"``, ``"standard_1005"`` before MNE
    1.13), whose Cz lies about 7.5 degrees in front of the top of its sphere (idealised
    positions compared with it would be shifted by up to a ring of sites), and of
    ``"fsaverage_1005"``, whose head frame is pitched some 6 degrees from colin27's, so that
    its dense 10-05 positions find their own sites, not half-position neighbours.

    The source's sphere is fitted to the whole head where its points are known: the full
    standard montage that the electrodes' positions come from (a recording of some of a net's
    channels, with the net's montage), else the electrodes with the head-shape points
    digitised with them (MEG files), else the electrodes alone; of these, the points above
    the plane of the nasion and ear points (head frame z > 0; all of them when fewer than 8
    are), so a net's face and neck electrodes do not pull the sphere down. Points that leave
    a side of the head empty (none more than 40 mm left, right, in front of or behind the
    head frame's origin) or give a radius outside 75-115 mm fit an uncertain sphere, which
    can shift every site by a ring: this is warned about.

    Parameters
    ----------
    source : mne.io.Raw | mne.Epochs | mne.Info | mne.channels.DigMontage | str
        EEG channels with positions (a montage set on them, or digitised), a montage, the
        name of one of MNE's standard montages (``"GSN-HydroCel-129"``, ``"GSN-HydroCel-257"``,
        ``"biosemi128"``; ``mne.channels.get_builtin_montages()``, or any other name
        ``mne.channels.make_standard_montage`` takes, such as ``"standard_1005"``), or the
        path of a montage file MNE reads (a digitisation ``*-dig.fif``, ``.elc``, ``.sfp``,
        ``.loc``, ...: :func:`read_montage`).
    max_distance_mm : float
        The farthest an electrode may lie from the site it is named after, in mm as above.
    exclude : iterable of str | str
        Electrodes to leave out (``--drop``; one label may be given as a str): in the table as
        None, their sites offered to the others. Their positions still count for the sphere.
    verbose : bool | str | None
        If True (or ``"info"``), log the table (:func:`nearest_summary`) at INFO level.

    Returns
    -------
    RenameTable
        Electrode label -> site (as montages spell it, ``"Fp1"``) or None, in the source's
        order; ``distances_mm`` holds each named electrode's distance to its site.

    Raises
    ------
    ValueError
        For an unknown montage name, a file that is no montage, or a source whose EEG
        channels have no positions.
    FileNotFoundError
        For a montage file that is not there.
    """
    import mne
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from eegpt.channels import mne_info  # (eegpt.channels imports this module)

    what, given = "a montage", "montage"  # what messages call the source; its Python name
    if isinstance(source, str):
        what, given = source, repr(source)
        source = read_montage(source)
    if isinstance(source, mne.channels.DigMontage):
        info = mne.create_info(source.ch_names, 1000.0, "eeg")
        info.set_montage(source, on_missing="ignore", verbose="error")
    elif (info := mne_info(source)) is None:
        raise TypeError(f"nearest_rename takes an MNE Raw, Epochs, Info, DigMontage or a "
                        f"montage's name, not {type(source).__name__}")  # fmt: skip
    else:
        from eegpt.mne_inputs import mne_source

        what = "<Info>" if source is info else mne_source(source)
        given = "raw"
    positions = _head_positions_mm(info)
    if len(positions) < 4:
        eeg = [info["ch_names"][i] for i in mne.pick_types(info, eeg=True, exclude=[])]
        net = net_of(eeg)
        name = repr(net) if net else "NAME"
        where = "" if net else " (one of mne.channels.get_builtin_montages())"
        raise ValueError(
            f"{what}: {len(positions)} of its {len(eeg)} EEG channels have a position, too few "
            f"to find their nearest 10-10 sites. Give the montage of the net or cap instead"
            f"{where}: nearest_rename({name}), command line: --nearest {net or 'NAME'}; or "
            f"set it first (raw.set_montage({name}))."
        )
    labels = list(positions)
    units, on_sphere, uncertain = _source_directions(info, positions)
    if uncertain:
        egi = egi_labels(labels)
        # some of a net's electrodes: its size is told by the highest number, not the count
        net = egi_montage(egi) if len(egi) >= 8 else net_of(labels)
        name = repr(net) if net else "NAME"
        _warn(
            f"{what}: the {len(labels)} positioned electrodes do not cover the head "
            f"({uncertain}), so the sphere fitted to them, and the sites found from it, may "
            "be off by a ring of sites. Give the montage of the whole net or cap: "
            f"nearest_rename({name}), command line: --nearest {net or 'NAME'}; or set it on "
            f"the recording before picking channels (raw.set_montage({name}))."
        )
    if on_sphere is None and not uncertain:  # (a partial cover is warned of above)
        _warn(
            f"{what}: only {len(labels)} positioned electrodes, too few to fit the head's "
            "sphere or tell which cap's layout they follow (fewer than 8 points), so the "
            "sites found may be a neighbour off; check the table (raw.plot_sensors("
            "show_names=True)) or give the whole cap's montage (raw.set_montage(...)) first."
        )
    template = _fitting_template(units, on_sphere)
    sites = _template_sites(template)[0]
    distances = _site_distances(units, template)  # (labels, 62), mm
    if isinstance(exclude, str):  # one label, not its characters
        exclude = [exclude]
    exclude = [label for label in dict.fromkeys(exclude) if label in positions]
    allowed = (distances <= max_distance_mm) & ~np.isin(labels, exclude)[:, None]
    rows, cols = linear_sum_assignment(np.where(allowed, distances, max_distance_mm))
    # a net's electrodes without a position (EGI numbers, BioSemi sockets) are in the table as
    # None: it lists the whole net (its ``net`` marker holds), so check_net_table still
    # refuses another net's table for this recording and passes this table for it; other
    # channels without one stay out of it, kept under their own names
    eeg = [info["ch_names"][i] for i in mne.pick_types(info, eeg=True, exclude=[])]
    unplaced = [label for label in eeg if label not in positions]
    of_net = set(egi_labels(eeg)) | set(socket_labels(eeg))
    table: dict[str, str | None] = {
        label: None for label in eeg if label in positions or label in of_net
    }
    if unplaced:
        dropped = [label for label in unplaced if label in of_net]
        kept = [label for label in unplaced if label not in of_net]
        told = (
            "they are kept under their own names"
            if not dropped
            else "they are in the table as left out (None)"
            if not kept
            else f"{few(dropped, 6)} are in the table as left out (None), the others kept "
            "under their own names"
        )
        _warn(
            f"{what}: {few(unplaced, 6)} have no position, so no site is found for them: "
            f"{told}. To name them, set their positions (raw.set_montage(...)) first, or give "
            "them a site in the table yourself."
        )
    mm: dict[str, float] = {}
    for row, col in zip(rows, cols, strict=True):
        if allowed[row, col]:
            table[labels[row]] = sites[col]
            mm[labels[row]] = round(float(distances[row, col]), 1)
    limit = "" if max_distance_mm == 20.0 else f", max_distance_mm={max_distance_mm:g}"
    limit += f", exclude={exclude!r}" if exclude else ""
    source_text = f"{NEAREST} {what} (≤ {max_distance_mm:g} mm)"
    result = RenameTable(
        table,
        source=source_text,
        distances_mm=mm,
        call=f"eegpt.channels.nearest_rename({given}{limit})",
        net=source_text,
    )
    sockets = set(socket_labels(labels))  # bank C's "C3" is a socket, not the electrode
    holder = {normalize_channel_name(site): label for label, site in table.items() if site}
    moved = [
        f"{label} -> {site or 'none'}"
        for label, site in table.items()
        if label not in sockets
        and label not in exclude
        and label in positions  # (those without one are warned of above)
        and (own := normalize_channel_name(label)) is not None
        and normalize_channel_name(site or "") != own
        and not (  # an old name at the place of the new one (T3 at T7: standard_1005)
            own in holder and np.linalg.norm(positions[holder[own]] - positions[label]) < 1.0
        )
    ]
    if moved:
        _warn(
            f"{what}: {few(moved, 6)}: electrodes named as 10-10 sites lie nearest to other "
            "sites, so their positions are probably wrong (another cap's montage set on "
            "them?); check them (raw.plot_sensors(show_names=True)) before using the table."
        )
    pairs = {int(row): int(col) for row, col in zip(rows, cols, strict=True) if allowed[row, col]}
    points = np.array([positions[label] for label in labels])
    rivals = _ambiguous_sites(np.where(allowed, distances, np.inf), pairs, points)
    if rivals:
        _warn(_ambiguity_message(what, rivals, labels, sites, distances))
    _log(nearest_summary(result), verbose)
    return result


def _ambiguity_message(
    what: str,
    rivals: Sequence[tuple[int, int, int]],
    labels: Sequence[str],
    sites: Sequence[str],
    distances: np.ndarray,
) -> str:
    """The warning about the sites of :func:`_ambiguous_sites` (``rivals``: site, electrode,
    rival indices into ``sites``, ``labels`` and ``distances`` (electrodes, sites; mm)) of
    the electrodes of ``what``."""
    told = [
        f"{sites[col]}: {printable_name(labels[row])} {distances[row, col]:.1f} mm, "
        f"{printable_name(labels[rival])} {distances[rival, col]:.1f} mm"
        for col, row, rival in rivals
    ]
    col, row, _ = rivals[0]
    example = f"{{{labels[row]!r}: {sites[col]!r}, ...}}"
    sites_have = "1 site has" if len(rivals) == 1 else f"{len(rivals)} sites have"
    return (
        f"{what}: the electrodes are dense (a 10-05 net?): {sites_have} a second electrode "
        f"within {_AMBIGUOUS_MARGIN_MM:g} mm of the nearest's distance, both within "
        f"{_AMBIGUOUS_WITHIN_MM:g} mm ({few(told, 4)}; the first of each pair in the table). "
        "A real head's positions may lie 10 mm from the template's sites, farther than such "
        "neighbours, so any row of the table may be a neighbour off, not only these. Where the "
        "cap's own labels say which electrode is at which 10-10 site, rename by them instead "
        f"(a rename table: rename={example} where the cap's {labels[row]} is its {sites[col]}, "
        "command line: --rename FILE); else check the table (raw.plot_sensors(show_names=True))."
    )


def nearest_trained_sites(
    electrodes: Sequence[str], taken: Iterable[str] = ()
) -> dict[str, tuple[str, float]]:
    """The nearest trained vocabulary sites to 10-05 electrodes: for Muse's ``TP9``/``TP10``
    (outside the vocabulary) and ``AF7``/``AF8`` (in it, but untrained), where a channel may
    stand in for a pretraining site.

    The electrodes are placed as on the template head that :func:`nearest_rename` compares
    digitised electrodes with (``"colin27_1005"``), and the distance is the one it uses (great
    circle on the sites' sphere, mm). Each electrode gets a different site of
    :data:`eegpt.vocabulary.PRETRAINING_CHANNELS`, none of ``taken`` (those the recording has
    already), the pairs minimising the sum of distances; there is no distance limit (this
    answers "which trained site is nearest", however far: say the distance with it).

    Parameters
    ----------
    electrodes : sequence of str
        Electrode names as :func:`eegpt.vocabulary.normalize_channel_name` and the 10-05 system
        spell them, in upper case (``"TP9"``, ``"AF7"``); those the template lacks are left out.
    taken : iterable of str
        Vocabulary names (upper case) not to suggest.

    Returns
    -------
    dict
        Electrode -> (site as montages spell it, distance in mm rounded to 1 mm), in the
        order of ``electrodes``.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from eegpt.vocabulary import PRETRAINING_CHANNELS

    positions = {n.upper(): p for n, p in _montage_positions_mm(_template_head()).items()}
    known = [name for name in dict.fromkeys(electrodes) if name in positions]
    taken = set(taken)
    free = [
        i for i, name in enumerate(VOCABULARY) if name in PRETRAINING_CHANNELS and name not in taken
    ]
    if not known or not free:
        return {}
    sites, site_units, radius = _template_sites(None)
    fit = np.array([positions[name] for name in VOCABULARY if name in positions])
    units, _, _ = _sphere_directions(np.array([positions[name] for name in known]), fit)
    distances = radius * np.arccos(np.clip(units @ site_units[free].T, -1.0, 1.0))
    rows, cols = linear_sum_assignment(distances)
    found = {
        known[row]: (sites[free[col]], round(float(distances[row, col])))
        for row, col in zip(rows, cols, strict=True)
    }
    return {name: found[name] for name in known if name in found}


def with_positions_note(message: str, info: mne.Info, names: Sequence[str], source: str) -> str:
    """``message``, the refusal of a recording none of whose channel ``names`` maps
    (``EEG001``.. of a MEG+EEG file, ``E1``.. of a BIDS dataset's ``electrodes.tsv``), with a
    sentence on how to name them after their nearest 10-10 sites by the recording's own
    positions when 4 or more of them have some in ``info``: put before the hint of
    :func:`eegpt.rename_tables.cap_note` (a net's or cap's standard layout) where there is
    one, since the file's own positions come first; ``message`` as it is otherwise."""
    positioned = [name for name in names if name in _head_positions_mm(info)]
    if len(positioned) < 4:
        return message
    cap = cap_note(names, source)
    instead = " (rather than a standard layout, as below)" if cap else ""
    note = (
        f" {len(positioned)} of them have positions (a montage or digitisation, e.g. a BIDS "
        f"*_electrodes.tsv): name each after its nearest 10-10 site by those positions"
        f"{instead}, {nearest_advice(None, source, 'nearest.tsv')}."
    )
    if cap and message.endswith(cap):
        return message[: len(message) - len(cap)] + note + cap
    return message + note


def nearest_summary(table: RenameTable) -> str:
    """A table of :func:`nearest_rename` as lines to read: its source, then each electrode's
    site and distance (``E36 -> C3  8.3 mm``), the electrodes left without a site and the
    vocabulary sites no electrode took."""
    named = {label: site for label, site in table.items() if site is not None}
    width = max(map(display_width, map(printable_name, named)), default=0)
    lines = [f"{table.source}: {len(named)} of {len(table)} electrodes named"]
    lines += [
        f"  {padded(printable_name(label), width)} -> {site:<4} {table.distances_mm.get(label, float('nan')):5.1f} mm"
        for label, site in named.items()
    ]
    left = [printable_name(label) for label, site in table.items() if site is None]
    if left:
        lines.append(f"  no site within reach (left out): {shortened_list(left, 20)}")
    free = [site for site in map(montage_spelling, VOCABULARY) if site not in named.values()]
    if free:
        lines.append(f"  vocabulary sites without an electrode: {', '.join(free)}")
    return "\n".join(lines)
