"""SSP projectors stored with an MNE recording: which are applied, and the warning when eegpt
embeds data without those that are not.

:func:`unapplied_projectors` lists those stored but not applied, with the channels each acts
on; :func:`stored_projections` every one, for the output's provenance;
:func:`warn_unapplied_projectors` warns when one not applied acts on a used channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mne
import numpy as np

from eegpt._logging import few
from eegpt._logging import warn as _warn


def unapplied_projectors(info: mne.Info) -> list[tuple[str, tuple[str, ...]]]:
    """The SSP projectors of ``info`` that are stored but not applied (``active`` False), as
    (description, the channels each acts on)."""
    pending = []
    for proj in info["projs"]:
        if proj["active"]:
            continue
        weights = np.atleast_2d(np.asarray(proj["data"]["data"]))
        acts = np.any(weights != 0, axis=0)
        names = tuple(n for n, on in zip(proj["data"]["col_names"], acts, strict=True) if on)
        pending.append((str(proj["desc"]), names))
    return pending


def stored_projections(info: mne.Info) -> list[dict[str, Any]] | None:
    """The SSP projectors stored in ``info`` (``info["projs"]``), each as its description and
    whether it was applied to the data before eegpt read them (MNE's ``active``: an average
    reference or ECG/EOG projectors after ``raw.apply_proj()``), for the output's provenance;
    None for none."""
    return [
        {"desc": str(proj["desc"]), "applied": bool(proj["active"])} for proj in info["projs"]
    ] or None


def warn_unapplied_projectors(
    projectors: Sequence[tuple[str, Sequence[str]]] | None,
    names: Sequence[str],
    source: str,
    *,
    average_reference: bool = False,
    epoched: bool = False,
) -> None:
    """Warn when SSP projectors that are stored but not applied (:func:`unapplied_projectors`)
    act on any of the used channels ``names``: eegpt does not apply them, whereas MNE
    applies such projectors when it cuts ``mne.Epochs`` (``proj=True``), so the two would
    differ. The usual case is ``raw.set_eeg_reference("average", projection=True)`` saved to a
    FIF file. With ``average_reference`` the data are average-referenced all the same, over the
    used channels: an average-reference projector over exactly them is what eegpt applies
    anyway, so it is not named; over other channels, the warning says how the two averages
    differ. Without it the samples are embedded as stored, and the warning says so."""
    used = set(names)
    pending = [(desc, set(chans)) for desc, chans in projectors or () if used & set(chans)]
    if average_reference:
        pending = [(d, c) for d, c in pending if not ("average" in d.lower() and c == used)]
    if not pending:
        return
    descs = [desc for desc, _ in pending]
    averages = [chans for desc, chans in pending if "average" in desc.lower()]
    apply = "epochs.apply_proj()" if epoched else "raw.apply_proj()"
    text = f"{source}: {len(pending)} SSP projector(s) are stored but not applied ({descs}); "
    if averages and average_reference:  # referenced, but to other channels than the projector's
        chans = averages[0]
        only_file, only_used = sorted(chans - used), sorted(used - chans)
        others = [desc for desc in descs if "average" not in desc.lower()]
        text += (
            "eegpt does not apply them"
            + ("" if epoched else " (mne.Epochs apply them by default)")
            + " but average-references the data itself (average_reference=True, the "
            f"default): it subtracts the mean of the {len(used)} channels eegpt uses, the "
            f"projector the mean of its {len(chans)}"
            + (f", including {few(only_file)} that eegpt does not use" if only_file else "")
            + (f", without {few(only_used)}" if only_used else "")
            + (
                f"; the others ({others}) are left out: apply them first ({apply})"
                if others
                else ""
            )
            + f". To reference to the file's channels, apply the projector ({apply}) and pass "
            "average_reference=False (--no-average-reference)"
        )
        _warn(text + ".")
        return
    if epoched:  # mne.Epochs made with proj=False or proj="delayed"
        text += "eegpt embeds the epochs as stored, without them. Apply them first (epochs.apply_proj())"
    else:
        text += (
            "eegpt embeds the data as stored, without them (mne.Epochs apply them by default). "
            "Apply them first (raw.apply_proj())"
        )
    if averages:  # average_reference=False (--no-average-reference) was asked for
        text += (
            ", or for the average reference over the channels eegpt uses leave "
            "average_reference at its default, True (without --no-average-reference)"
        )
    _warn(text + ".")
