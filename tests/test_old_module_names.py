"""``eegpt.dataset_read``, ``eegpt.viz`` and ``eegpt.outputs`` were split into modules of one
concern each; every name a user could import from them before (``from eegpt.outputs import
OutputExistsError``) still imports, and is the very object of the module that defines it now.

The names are data: ``dir()`` of each module at the commit before its split (dataset_read:
eb67b02; viz and outputs: af25f27), less underscore names, modules and the standard library's
(``Any``, ``Path``, ``Iterable`` ...), grouped by the module that defines each one today.
"""

import importlib

import pytest

#: Names ``eegpt.dataset_read`` gave at eb67b02, by the module that defines each now.
DATASET_READ = {
    "eegpt._filenames": ["subject_column", "subject_of", "user_path"],
    "eegpt._logging": ["few"],
    "eegpt._window_flags": ["FLAG_KEYS"],
    "eegpt.run_channel_sets": ["channel_set_apart", "channel_sets_advice", "channel_sets_text", "keep_of_runs"],
    "eegpt.dataset_folders": ["CORPUS_LISTING", "ERRORS_REPORT", "FILES_REPORT", "MANIFEST", "MANIFEST_SUFFIXES", "PARTIAL", "RUN_MANIFEST", "SHARD", "SHORT_REPORT", "TOO_SHORT", "expand_run_folders", "partial_name", "run_folders", "shard_files", "shard_name"],
    "eegpt.dataset_parts": ["LIST_INPUTS", "corpora_of_parts", "listed_ids", "listed_paths", "listings_apart", "missing_parts"],
    "eegpt.dataset_read": ["FLAG_COLUMNS", "read_embeddings"],
        "eegpt.errors": ["MissingFileError"],
    "eegpt.metadata_tables": ["clash_renames"],
    "eegpt.optional_packages": ["require_pandas", "require_pyarrow"],
    "eegpt.preprocessing_spec": ["stored_defaults"],
    "eegpt.read_filters": ["NORMALISED_ID_COLUMNS"],
    "eegpt.recording_copies": ["copies_text", "recorded_copies"],
    "eegpt.run_specs": ["settings_apart", "spec_differences"],
    "eegpt.shard_checks": ["CHECKSUMS_KEY", "TIME_BASE_UNRECORDED", "cut_shards", "cut_shards_line", "damaged_list", "damaged_shards", "has_checksums", "read_shard_status", "recompute_advice", "time_base_decided", "time_base_unrecorded", "verify_report"],
    "eegpt.text_tables": ["DelimitedTable", "csv_delimiter", "read_delimited", "read_delimited_table", "utf8_table_bytes"],
    "eegpt.window_tables": ["RESERVED_COLUMNS", "expand_metadata_column"],
}  # fmt: skip

#: Names ``eegpt.viz`` gave at af25f27, by the module that defines each now.
VIZ = {
    "eegpt._filenames": ["user_path"],
    "eegpt._logging": ["ignored_warnings"],
    "eegpt._viz_common": ["NOT_PRETRAINED_TITLE", "VECTOR_TEXT", "pyplot_module", "save_figure"],
    "eegpt.channels": ["ChannelMapping", "left_out_text"],
    "eegpt.viz_channels": ["COLORS", "EDGE_WIDTHS", "ELECTRODE_ROOM", "ELECTRODE_STYLES", "HEAD_FONTS", "HEAD_LIMITS", "HEAD_WIDTH", "MAX_LISTED", "MAX_RENAMED", "plot_channel_mapping", "vocabulary_layout"],
    "eegpt.viz_embeddings": ["CLASS_COLORS", "CLASS_MARKERS", "PC_COLORS", "PC_LINESTYLES", "plot_embeddings"],
    "eegpt.viz_hypnogram": ["BAD_EPOCH_COLOR", "STAGE_RANKS", "hypnogram_width", "is_sleep_staging", "plot_hypnogram", "stage_order", "stage_rank"],
    "eegpt.viz_training": ["COLORBAR_LABELS", "plot_confusion_matrix", "plot_training"],
    "eegpt.vocabulary": ["PRETRAINING_CHANNELS", "UNSEEN_IN_PRETRAINING", "VOCABULARY", "montage_spelling", "normalize_channel_name"],
}  # fmt: skip

#: Names ``eegpt.outputs`` gave at af25f27, by the module that defines each now.
OUTPUTS = {
    "eegpt._dates": ["ANONYMIZED_CLOCK", "parse_iso"],
    "eegpt._filenames": ["user_path"],
    "eegpt._logging": ["few"],
    "eegpt._methods": ["function_method"],
    "eegpt._output_texts": ["INPUT_KEY", "input_text", "windows_text"],
    "eegpt._recording_provenance": ["EPOCH_ONSETS_KEY", "RECORDING_PROVENANCE_KEYS"],
    "eegpt._tempfiles": ["temporary_beside", "writer_tag"],
    "eegpt._window_flags": ["FLAG_KEYS", "flagged_mask", "recorded_flags"],
    "eegpt.clock_times": ["clock_moments", "has_clock_time", "iso_moments", "uniform_iso", "window_clock"],
    "eegpt.embeddings_loading": ["EmbeddingsFile", "load_embeddings"],
    "eegpt.dataset_folders": ["RUN_MANIFEST"],
    "eegpt.embeddings_parts": ["select_window_metadata"],
    "eegpt.embeddings_writer": ["EmbeddingsWriter", "LATE_METADATA_KEY"],
    "eegpt.errors": ["MissingDependencyError", "MissingFileError", "OutputExistsError", "OutputNotWritableError", "UnreadableOutputError", "install_hint"],
    "eegpt.metadata_tables": ["clash_renames", "metadata_frame", "metadata_record", "unique_column_name"],
    "eegpt.optional_packages": ["MIN_PYARROW", "require_output_dependencies", "require_pandas", "require_pyarrow"],
    "eegpt.output_files": ["FORMATS", "atomic_write", "check_output_folder", "output_format", "parquet_writer"],
    "eegpt.outputs": ["Embeddings"],
    "eegpt.pooling": ["POOLINGS", "feature_names", "pool_embeddings"],
    "eegpt.preprocessing_spec": ["DEFAULT_MIN_OVERLAP"],
}  # fmt: skip

OLD_NAMES = {"eegpt.dataset_read": DATASET_READ, "eegpt.viz": VIZ, "eegpt.outputs": OUTPUTS}
CASES = [
    (old, home, name)
    for old, homes in OLD_NAMES.items()
    for home, names in homes.items()
    for name in names
]


@pytest.mark.parametrize(("old", "home", "name"), CASES)
def test_a_name_of_a_module_before_its_split_still_imports_from_it(old, home, name):
    module = importlib.import_module(old)
    assert hasattr(module, name), f"from {old} import {name} fails"
    assert getattr(module, name) is getattr(importlib.import_module(home), name), (old, home, name)


#: The modules each old module's code moved to, which its docstring must name as the place to
#: patch (a name patched on the old module changes nothing).
SPLIT_INTO = {
    "eegpt.dataset_read": ["dataset_folders", "shard_checks", "run_specs", "dataset_parts",
                           "read_filters", "run_channel_sets", "recording_copies",
                           "window_tables", "text_tables"],
    "eegpt.viz": ["_viz_common", "viz_channels", "viz_embeddings", "viz_hypnogram",
                  "viz_training"],
    "eegpt.outputs": ["output_files", "optional_packages", "embeddings_writer",
                      "embeddings_loading", "embeddings_parts", "pooling", "clock_times",
                      "metadata_tables"],
}  # fmt: skip


@pytest.mark.parametrize("old", sorted(SPLIT_INTO))
def test_an_old_module_says_its_names_are_for_imports_and_where_to_patch_them(old):
    doc = " ".join(importlib.import_module(old).__doc__.split())
    assert "re-exported for imports only" in doc
    assert "To patch or override one, patch" in doc
    for module in SPLIT_INTO[old]:
        assert f"eegpt.{module}`" in doc, module
