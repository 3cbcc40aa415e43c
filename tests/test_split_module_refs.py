"""Cross-references in the docstrings of the modules split from ``eegpt.outputs``,
``eegpt.dataset_read`` and ``eegpt.viz`` name what they point to: a name defined or imported
in the module, or a full ``eegpt.`` path (``:meth:`eegpt.outputs.Embeddings.save```), so that
Sphinx resolves them from their new module (``Embeddings`` is imported there for type
checking only)."""

import importlib
import re
from pathlib import Path

import pytest

#: The modules split from eegpt.outputs, eegpt.dataset_read and eegpt.viz, and those three.
SPLIT = (
    "outputs_read dataset_read viz output_files optional_packages embeddings_writer "
    "embeddings_loading embeddings_parts pooling clock_times metadata_tables _output_texts "
    "dataset_folders shard_checks run_specs dataset_parts read_filters run_channel_sets "
    "recording_copies window_tables text_tables viz_channels viz_embeddings viz_hypnogram "
    "viz_training _viz_common _viz_clock"
).split()
ROLE = re.compile(r":(?:func|class|data|attr|meth|const|obj|mod|exc):`~?\.?([A-Za-z_][\w.]*)`")
#: Other packages' names, which Sphinx resolves through intersphinx (not checked here).
OTHERS = {"np", "numpy", "pd", "pandas", "pa", "pyarrow", "mne", "torch", "matplotlib", "plt",
          "datetime", "os", "pathlib", "json", "sklearn", "scipy", "ray"}  # fmt: skip


def _has(obj, name):
    """``obj.name`` exists, or is a field of the dataclass ``obj`` (no class attribute)."""
    return hasattr(obj, name) or name in getattr(obj, "__dataclass_fields__", {})


def _resolves(module, ref: str) -> bool:
    parts = ref.split(".")
    if parts[0] in OTHERS:
        return True
    obj, rest = module, parts
    if parts[0] == "eegpt":
        for i in range(len(parts), 0, -1):
            try:
                obj, rest = importlib.import_module(".".join(parts[:i])), parts[i:]
                break
            except ImportError:
                continue
    for name in rest:
        if not _has(obj, name):
            return False
        obj = getattr(obj, name, None)
    return True


@pytest.mark.parametrize("name", SPLIT)
def test_the_references_of_a_split_module_resolve(name):
    module = importlib.import_module(f"eegpt.{name}")
    lines = Path(module.__file__).read_text(encoding="utf-8").splitlines()
    dead = [f"{name}.py:{i}: {ref}" for i, line in enumerate(lines, 1)
            for ref in ROLE.findall(line) if not _resolves(module, ref)]  # fmt: skip
    assert not dead, dead
