"""The recorded settings (specs) of runs compared: which settings differ between two specs
(:func:`spec_differences`: a resume, ``eegpt embed``'s existing outputs, per-recording outputs
read together), and the first of several run folders made with other settings than the first
(:func:`settings_apart`: folders :func:`read_embeddings <eegpt.read_embeddings>` reads together,
``eegpt info`` of a folder of ``--part`` runs), but the settings that may differ between the
parts of one corpus (:data:`_PART_SETTINGS`, :data:`_COMPARABLE_SETTINGS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from eegpt.preprocessing_spec import stored_defaults


class _Absent:
    """A key one of two specs lacks."""

    def __repr__(self) -> str:
        return "not given"


_ABSENT = _Absent()


#: Entries of a run spec that record provenance only, left out of :func:`spec_differences`:
#: ``checkpoint.stored_dtype`` (the dtype the weights file stores, e.g. ``"float16"``, upcast
#: when loaded) changes with the file, so ``checkpoint.sha256`` already tells such weights
#: apart; runs from before it was recorded lack it and still resume.
_PROVENANCE_ONLY = frozenset({"checkpoint.stored_dtype"})

#: Entries of a run spec recorded only by later eegpts, compared by :func:`spec_differences`
#: only where both specs record them: ``checkpoint.weights_sha256`` of weights as loaded from a
#: file (their encoder fingerprint, recorded since 2026-12-07; the file's ``sha256`` is compared
#: anyway), so that a run recorded without it resumes and its parts read together.
_RECORDED_SINCE = frozenset({"checkpoint.weights_sha256"})


def spec_differences(old: Mapping[str, Any], new: Mapping[str, Any], path: str = "") -> list[str]:
    """The settings that differ between two run specs ``old`` and ``new``, each as its dotted
    key (with both values, ``"key (a -> b)"``, when they are short); [] when they describe the
    same run. ``path`` is where the two sit in a whole spec (e.g. ``"preprocessing."``).
    Entries of :data:`_PROVENANCE_ONLY` are not compared, those of :data:`_RECORDED_SINCE`
    only where both specs record them."""
    # A key absent from one spec counts as None (keys added by later versions), except in the
    # channel renames, where {"T3": None} (drop T3) is not {}, and in the preprocessing, whose
    # fields recorded only when set (detrend) take the values a stored spec means by their
    # absence.
    absent = _ABSENT if path == "channels.rename." else None
    one_sided = set(old) ^ set(new)
    defaults = stored_defaults() if path == "preprocessing." and one_sided else {}
    out = []
    for key in sorted(set(old) | set(new)):
        if f"{path}{key}" in _PROVENANCE_ONLY:
            continue
        if f"{path}{key}" in _RECORDED_SINCE and (key not in old or key not in new):
            continue
        a, b = old.get(key, defaults.get(key, absent)), new.get(key, defaults.get(key, absent))
        if isinstance(a, dict) and isinstance(b, dict):
            out += [f"{key}.{d}" for d in spec_differences(a, b, f"{path}{key}.")]
        elif a != b:
            if isinstance(a, bool) and b is None:  # options recorded only when on
                b = False
            elif isinstance(b, bool) and a is None:
                a = False
            out.append(f"{key} ({a!r} -> {b!r})" if len(repr(a)) + len(repr(b)) < 200 else key)
    return out


#: The versions that compute an output's numbers, compared where outputs or shards of several
#: runs come together (a resumed corpus run, :func:`eegpt.read_embeddings` of per-recording
#: outputs). Python's own version is left out: the numbers come from these libraries, not from
#: the interpreter, and a patch-level upgrade of Python would only warn.
COMPARED_VERSIONS = ("eegpt", "torch", "numpy", "scipy", "mne")


def run_versions(run: Mapping[str, Any]) -> dict[str, str]:
    """The compared versions (:data:`COMPARED_VERSIONS`) a run entry of the manifest, a shard
    footer's ``run`` stamp or an output's metadata records (``eegpt_version``, ``software``;
    those it lacks, from before they were recorded, are left out). eegpt's is named with the
    newest CHANGELOG.md section it includes where that is recorded (``eegpt_changes``, since
    2026-12-07: ``"0.1.0 (changes to 2026-12-07)"``): ``eegpt_version`` has stayed 0.1.0
    while eegpt's numbers changed."""
    software = run.get("software")
    if not isinstance(software, Mapping):
        software = {}
    versions = {"eegpt": run.get("eegpt_version"), "torch": run.get("torch_version")}
    versions.update({k: v for k, v in software.items() if k != "python"})
    out = {k: str(versions[k]) for k in COMPARED_VERSIONS if versions.get(k)}
    changes = run.get("eegpt_changes")
    if changes:
        out["eegpt"] = f"{out.get('eegpt', 'not recorded')} (changes to {changes})"
    return out


def unrecorded_changes(version: str, beside: Iterable[str | None]) -> str:
    """eegpt's ``version`` as :func:`run_versions` gives it, for a message that names it
    beside others (``beside``): ``0.1.0`` of a run or output without ``eegpt_changes`` (an
    eegpt of before 2026-12-07, or of earlier that day, which recorded none) beside ``0.1.0 (changes to
    2026-12-07)`` is said to be of changes not recorded, rather than of other ones: they may
    be the same. Other versions are returned as they are."""
    if " (changes to " in version or not any(
        isinstance(other, str) and other.startswith(f"{version} (changes to ") for other in beside
    ):
        return version
    return f"{version} (changes not recorded)"


#: Settings that may differ between the parts of one corpus: each part's own inputs, and the
#: channel corrections its files needed (every row records its channels).
_PART_SETTINGS = ("inputs", "shard_size", "format", "channels")


#: Settings (in :func:`spec_differences`' terms) that may differ too, as their rows compare:
#: a per-file ``--rescale`` correction, whether a last partial window is kept zero-padded
#: (``--tail``: the files a run skipped as too short, embedded into another folder), the
#: row layout (columns a folder of an older layout lacks are missing in its rows), and the
#: state markers made spans (``--marker-spans``) and the stim channels' events made
#: annotations (``--events-from-stim``): only the rows' annotations differ, not their
#: embeddings. A resumed run still refuses another of them (its own consistency).
_COMPARABLE_SETTINGS = (
    "preprocessing.scale",
    "preprocessing.tail",
    "layout",
    "marker_spans",
    "events_from_stim",
    "resample_revision",  # absent from runs of before it, whatever their resampler
)


def _compared_settings(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The settings of a run's ``spec`` that folders read together must share: all but
    :data:`_PART_SETTINGS`, and of the channel settings the set every file was restricted to
    (``channels.keep``, ``--keep-channels``; None without one), which the rows' channels
    do not tell apart from a file that happens to have those channels."""
    out = {k: v for k, v in spec.items() if k not in _PART_SETTINGS}
    out["channels"] = {"keep": (spec.get("channels") or {}).get("keep")}
    return out


def settings_apart(
    folders: Sequence[Path], specs: Sequence[Mapping[str, Any]]
) -> tuple[Path, list[str]] | None:
    """The first of run ``folders`` made with other settings than ``folders[0]`` (their
    ``specs``, in order: the settings :func:`_compared_settings` keeps, but those of
    :data:`_COMPARABLE_SETTINGS`), and the settings that differ (:func:`spec_differences`'
    entries: ``["channels.keep (['FP1', 'CZ'] -> None)"]`` for a run without
    ``--keep-channels`` beside one with it), or
    None where all agree: ``read_embeddings`` refuses to read such folders together
    (:func:`eegpt.dataset_parts._check_parts`), and ``eegpt info`` of their folder says so."""
    first = _compared_settings(specs[0])
    for folder, spec in zip(folders[1:], specs[1:], strict=True):
        other = _compared_settings(spec)
        differ = [
            d for d in spec_differences(first, other) if not d.startswith(_COMPARABLE_SETTINGS)
        ]
        if differ:
            return folder, differ
    return None
