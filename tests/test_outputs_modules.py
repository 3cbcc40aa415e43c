"""``eegpt.outputs`` split into modules of one concern each: every name it had is still
importable from it (the same object as in its new home), and none of the new modules brings
torch, MNE or SciPy into ``eegpt info``, ``eegpt anonymize`` or listings."""

import subprocess
import sys

import pytest

import eegpt.outputs

#: The modules that took the code of eegpt.outputs, with names each one holds.
SPLIT = {
    "eegpt.output_files": ["FORMATS", "output_format", "atomic_write", "check_output_folder",
                           "parquet_writer", "_finish", "_commit"],
    "eegpt.optional_packages": ["MIN_PYARROW", "require_pandas", "require_pyarrow",
                                "require_output_dependencies"],
    "eegpt.embeddings_writer": ["EmbeddingsWriter", "LATE_METADATA_KEY", "_WindowColumns"],
    "eegpt.embeddings_loading": ["EmbeddingsFile", "load_embeddings",
                                 "_load_outline", "_load_file", "_recording_of_run"],
    "eegpt.embeddings_parts": ["select_window_metadata", "_joined_onsets", "_same_checkpoint"],
    "eegpt.pooling": ["POOLINGS", "feature_names", "pool_embeddings"],
    "eegpt.clock_times": ["clock_moments", "iso_moments", "uniform_iso", "window_clock",
                          "has_clock_time", "_TIME_BASE"],
    "eegpt.metadata_tables": ["metadata_record", "metadata_frame", "unique_column_name",
                              "clash_renames"],
    "eegpt._output_texts": ["INPUT_KEY", "input_text", "windows_text"],
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(SPLIT))
def test_outputs_still_gives_the_names_of_the_modules_split_from_it(module):
    import importlib

    home = importlib.import_module(module)
    for name in SPLIT[module]:
        assert getattr(eegpt.outputs, name) is getattr(home, name), name


def test_every_public_name_of_outputs_is_importable():
    for name in eegpt.outputs.__all__:
        assert hasattr(eegpt.outputs, name), name


def test_the_modules_split_from_outputs_import_neither_torch_nor_mne_nor_scipy():
    script = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in sorted(SPLIT))
        + "print(sorted(m for m in ('torch', 'mne', 'scipy') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_flag_columns_have_one_home():
    """read_embeddings' run rows and per-recording rows take their flag columns from one tuple."""
    import eegpt.dataset_read
    import eegpt.outputs_read

    assert eegpt.outputs_read.FLAG_COLUMNS is eegpt.dataset_read.FLAG_COLUMNS


def test_the_run_folder_names_import_without_the_readers():
    """``eegpt.dataset_folders`` (file names) defines RUN_MANIFEST itself: importing it loads
    neither NumPy nor the modules that read outputs, and every module takes the name from it."""
    script = (
        "import sys\nimport eegpt.dataset_folders\n"
        "print(sorted(m for m in sys.modules if m == 'numpy' or m.startswith('eegpt.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    assert done.stdout.strip() == "['eegpt._filenames', 'eegpt.dataset_folders']", done.stdout
    import eegpt.dataset_folders
    import eegpt.dataset_read

    assert eegpt.outputs.RUN_MANIFEST is eegpt.dataset_folders.RUN_MANIFEST
    assert eegpt.dataset_read.RUN_MANIFEST is eegpt.dataset_folders.RUN_MANIFEST


def test_require_output_dependencies_lives_beside_the_optional_packages():
    import eegpt.optional_packages
    import eegpt.output_files

    check = eegpt.optional_packages.require_output_dependencies
    assert check.__module__ == "eegpt.optional_packages"
    assert eegpt.output_files.require_output_dependencies is check  # where api and cli took it
    assert eegpt.outputs.require_output_dependencies is check


def test_the_channel_sets_runs_were_embedded_with_have_a_module_named_for_them():
    """``eegpt.run_channel_sets``, not ``eegpt.channel_sets`` (which read like the named
    electrode sets of ``eegpt.vocabulary.CHANNEL_SETS``); a submodule of ``eegpt``."""
    import importlib.util

    import eegpt
    import eegpt.dataset_read

    assert importlib.util.find_spec("eegpt.channel_sets") is None
    assert "run_channel_sets" in eegpt._SUBMODULES
    assert eegpt.run_channel_sets.keep_of_runs is eegpt.dataset_read.keep_of_runs
