"""eegpt: exact, fast EEGPT inference from EEG recordings to embeddings.

>>> import eegpt
>>> model = eegpt.load_model("eegpt_mcae_58chs_4s_large4E.ckpt")  # doctest: +SKIP
>>> emb = model.embed("recording.edf")  # doctest: +SKIP
>>> emb.data.shape  # [n_windows, n_patches, summary tokens, embed_dim]  # doctest: +SKIP

Where to start:

- weights: :func:`load_model` (a checkpoint file, a folder, a pretrained name or a URL);
- one recording: ``model.embed`` / :func:`embed` (a path, ``mne.io.Raw``, ``mne.Epochs`` or an
  array) returns :class:`Embeddings`, windowed as ``preprocessing=``:class:`PreprocessingConfig`
  says; :func:`embed_to_file` writes a long one block by block;
  :func:`load_embeddings` reads a written file (or one recording of a corpus run) back;
  :func:`compare_embeddings` tells whether two outputs (a rerun's) hold the same embeddings;
- a corpus: :func:`embed_dataset` (sharded Parquet, resumable), :func:`read_embeddings` reads
  it as a table and one array;
- a live stream: :class:`OnlineEmbedder`;
- publishing: :func:`anonymize_embeddings` copies outputs without dates, paths and host names;
- tensors in, summary tokens out on the fast path (batching, precision, CUDA graphs):
  :class:`InferenceEngine`;
- downstream: :mod:`eegpt.probe` (the linear probe), :mod:`eegpt.finetune`,
  :mod:`eegpt.sklearn` (scikit-learn estimators);
- figures: :func:`plot_channel_mapping`, :func:`plot_embeddings`, :func:`plot_training`,
  :func:`plot_confusion_matrix`, :func:`plot_hypnogram`, :func:`plot_event_probabilities`
  (:mod:`eegpt.viz`);
- the command line: ``eegpt --help``.
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING

# The public names load on first use (PEP 562), so that ``import eegpt`` and ``eegpt --help``
# do not pay for torch, MNE and SciPy until something needs them.
_LAZY = {
    "anonymize_embeddings": "eegpt.anonymize",
    "embed": "eegpt.api",
    "embed_to_file": "eegpt.api",
    "load_checkpoint": "eegpt.checkpoints",
    "load_model": "eegpt.checkpoints",
    "save_checkpoint": "eegpt.checkpoints",
    "PRESETS": "eegpt.config",
    "EEGPTConfig": "eegpt.config",
    "get_config": "eegpt.config",
    "embed_dataset": "eegpt.dataset",
    "EEGPTError": "eegpt.errors",
    "EEGPTWarning": "eegpt.errors",
    "InferenceEngine": "eegpt.engine",
    "read_embeddings": "eegpt.dataset_read",
    "EEGPT": "eegpt.model",
    "EEGPTEncoder": "eegpt.model",
    "OnlineEmbedder": "eegpt.online",
    "Embeddings": "eegpt.outputs",
    "load_embeddings": "eegpt.embeddings_loading",
    "compare_embeddings": "eegpt.outputs_compare",
    "PreprocessingConfig": "eegpt.preprocessing",
    "plot_channel_mapping": "eegpt.viz_channels",
    "plot_embeddings": "eegpt.viz_embeddings",
    "plot_training": "eegpt.viz_training",
    "plot_confusion_matrix": "eegpt.viz_training",
    "plot_hypnogram": "eegpt.viz_hypnogram",
    "plot_event_probabilities": "eegpt.viz_events",
}

if TYPE_CHECKING:  # pragma: no cover
    # what __getattr__ gives on first use, for type checkers: the public names and the
    # submodules (``eegpt.probe.train_probe`` after a bare ``import eegpt``)
    from eegpt import annotation_files as annotation_files
    from eegpt import annotation_labels as annotation_labels
    from eegpt import annotation_overlap as annotation_overlap
    from eegpt import annotation_placement as annotation_placement
    from eegpt import annotation_time as annotation_time
    from eegpt import annotations as annotations
    from eegpt import anonymize as anonymize
    from eegpt import api as api
    from eegpt import array_inputs as array_inputs
    from eegpt import bids as bids
    from eegpt import brainvision_files as brainvision_files
    from eegpt import channel_picks as channel_picks
    from eegpt import channels as channels
    from eegpt import checkpoint_config as checkpoint_config
    from eegpt import checkpoint_files as checkpoint_files
    from eegpt import checkpoint_report as checkpoint_report
    from eegpt import checkpoint_save as checkpoint_save
    from eegpt import checkpoints as checkpoints
    from eegpt import cli as cli
    from eegpt import cli_channels as cli_channels
    from eegpt import cli_compare as cli_compare
    from eegpt import cli_existing_outputs as cli_existing_outputs
    from eegpt import cli_info as cli_info
    from eegpt import cli_inputs as cli_inputs
    from eegpt import cli_options as cli_options
    from eegpt import cli_run as cli_run
    from eegpt import clock_times as clock_times
    from eegpt import config as config
    from eegpt import continuous_windows as continuous_windows
    from eegpt import dataset as dataset
    from eegpt import dataset_cli as dataset_cli
    from eegpt import dataset_files as dataset_files
    from eegpt import dataset_folders as dataset_folders
    from eegpt import dataset_inputs as dataset_inputs
    from eegpt import dataset_lock as dataset_lock
    from eegpt import dataset_parts as dataset_parts
    from eegpt import dataset_pipeline as dataset_pipeline
    from eegpt import dataset_ray as dataset_ray
    from eegpt import dataset_read as dataset_read
    from eegpt import dataset_report as dataset_report
    from eegpt import dataset_resume as dataset_resume
    from eegpt import dataset_runs as dataset_runs
    from eegpt import dataset_stamps as dataset_stamps
    from eegpt import dataset_summary as dataset_summary
    from eegpt import demo as demo
    from eegpt import edf_files as edf_files
    from eegpt import embedding_cache as embedding_cache
    from eegpt import embeddings_loading as embeddings_loading
    from eegpt import embeddings_parts as embeddings_parts
    from eegpt import embeddings_writer as embeddings_writer
    from eegpt import engine as engine
    from eegpt import epochs_files as epochs_files
    from eegpt import errors as errors
    from eegpt import event_epochs as event_epochs
    from eegpt import export as export
    from eegpt import fast_path as fast_path
    from eegpt import fif_kinds as fif_kinds
    from eegpt import finetune as finetune
    from eegpt import fingerprints as fingerprints
    from eegpt import formats as formats
    from eegpt import gdf_files as gdf_files
    from eegpt import heads as heads
    from eegpt import hub as hub
    from eegpt import io as io
    from eegpt import label_row_alignment as label_row_alignment
    from eegpt import label_rows as label_rows
    from eegpt import memory_checks as memory_checks
    from eegpt import metadata_tables as metadata_tables
    from eegpt import mixed_rates as mixed_rates
    from eegpt import mne_inputs as mne_inputs
    from eegpt import model as model
    from eegpt import nearest_sites as nearest_sites
    from eegpt import nonfinite_advice as nonfinite_advice
    from eegpt import online as online
    from eegpt import optional_packages as optional_packages
    from eegpt import output_files as output_files
    from eegpt import outputs as outputs
    from eegpt import outputs_compare as outputs_compare
    from eegpt import outputs_read as outputs_read
    from eegpt import patch_padding as patch_padding
    from eegpt import pooling as pooling
    from eegpt import preprocessing as preprocessing
    from eegpt import preprocessing_spec as preprocessing_spec
    from eegpt import probe as probe
    from eegpt import probe_cli as probe_cli
    from eegpt import probe_cli_evaluate as probe_cli_evaluate
    from eegpt import probe_cli_events as probe_cli_events
    from eegpt import probe_cli_inputs as probe_cli_inputs
    from eegpt import probe_cli_options as probe_cli_options
    from eegpt import probe_cli_predict as probe_cli_predict
    from eegpt import probe_config as probe_config
    from eegpt import probe_encoder as probe_encoder
    from eegpt import probe_events as probe_events
    from eegpt import probe_folder as probe_folder
    from eegpt import probe_inputs as probe_inputs
    from eegpt import probe_label_files as probe_label_files
    from eegpt import probe_labels as probe_labels
    from eegpt import probe_loading as probe_loading
    from eegpt import probe_metrics as probe_metrics
    from eegpt import probe_predictions as probe_predictions
    from eegpt import probe_preparation as probe_preparation
    from eegpt import probe_provenance as probe_provenance
    from eegpt import probe_scoring as probe_scoring
    from eegpt import probe_training as probe_training
    from eegpt import read_filters as read_filters
    from eegpt import recording as recording
    from eegpt import recording_copies as recording_copies
    from eegpt import recording_files as recording_files
    from eegpt import rename_tables as rename_tables
    from eegpt import resampling as resampling
    from eegpt import run_channel_sets as run_channel_sets
    from eegpt import run_specs as run_specs
    from eegpt import scoring_epochs as scoring_epochs
    from eegpt import shard_checks as shard_checks
    from eegpt import shard_writer as shard_writer
    from eegpt import short_attention as short_attention
    from eegpt import signal_checks as signal_checks
    from eegpt import signal_stats as signal_stats
    from eegpt import sklearn as sklearn
    from eegpt import ssp_projectors as ssp_projectors
    from eegpt import stim_events as stim_events
    from eegpt import streaming as streaming
    from eegpt import synthetic as synthetic
    from eegpt import text_tables as text_tables
    from eegpt import training as training
    from eegpt import training_data as training_data
    from eegpt import unreadable_files as unreadable_files
    from eegpt import viz as viz
    from eegpt import viz_channels as viz_channels
    from eegpt import viz_embeddings as viz_embeddings
    from eegpt import viz_events as viz_events
    from eegpt import viz_hypnogram as viz_hypnogram
    from eegpt import viz_training as viz_training
    from eegpt import vocabulary as vocabulary
    from eegpt import window_labelling as window_labelling
    from eegpt import window_tables as window_tables
    from eegpt import windowing as windowing
    from eegpt.anonymize import anonymize_embeddings
    from eegpt.api import embed, embed_to_file
    from eegpt.checkpoints import load_checkpoint, load_model, save_checkpoint
    from eegpt.config import PRESETS, EEGPTConfig, get_config
    from eegpt.dataset import embed_dataset
    from eegpt.dataset_read import read_embeddings
    from eegpt.embeddings_loading import load_embeddings
    from eegpt.engine import InferenceEngine
    from eegpt.errors import EEGPTError, EEGPTWarning
    from eegpt.model import EEGPT, EEGPTEncoder
    from eegpt.online import OnlineEmbedder
    from eegpt.outputs import Embeddings
    from eegpt.outputs_compare import compare_embeddings
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.viz_channels import plot_channel_mapping
    from eegpt.viz_embeddings import plot_embeddings
    from eegpt.viz_events import plot_event_probabilities
    from eegpt.viz_hypnogram import plot_hypnogram
    from eegpt.viz_training import plot_confusion_matrix, plot_training


# Submodules, reachable as attributes after a bare ``import eegpt`` (``eegpt.probe.train_probe``).
_SUBMODULES = {
    "annotation_files", "annotation_labels", "annotation_overlap", "annotation_placement",
    "annotation_time", "annotations", "anonymize", "api", "bids", "brainvision_files", "channel_picks", "channels",
    "checkpoint_config", "checkpoint_files", "checkpoint_report", "checkpoint_save",
    "checkpoints", "cli", "cli_channels", "cli_compare", "cli_existing_outputs", "cli_info", "cli_inputs",
    "cli_options", "cli_run", "config", "dataset", "dataset_cli", "dataset_files",
    "dataset_inputs", "dataset_lock", "dataset_pipeline", "dataset_ray", "dataset_read",
    "dataset_report", "dataset_resume", "dataset_runs", "dataset_stamps", "dataset_summary",
    "demo", "edf_files", "embedding_cache", "engine", "errors", "event_epochs", "export", "fast_path", "fif_kinds",
    "finetune", "fingerprints", "formats", "gdf_files", "heads", "hub", "io", "model", "nearest_sites", "online", "outputs",
    "outputs_compare", "outputs_read", "patch_padding", "preprocessing", "preprocessing_spec", "probe", "probe_cli",
    "probe_cli_evaluate", "probe_cli_events", "probe_cli_inputs", "probe_cli_options",
    "probe_cli_predict", "probe_events", "probe_folder", "probe_inputs", "probe_label_files",
    "probe_labels", "probe_metrics", "probe_predictions", "probe_provenance", "probe_scoring",
    "rename_tables",
    "resampling", "shard_writer", "short_attention", "signal_checks", "signal_stats", "sklearn",
    "stim_events", "streaming", "synthetic", "text_tables", "training", "training_data", "viz",
    "vocabulary", "windowing",
    # split from probe (eegpt.probe re-exports their names)
    "probe_config", "probe_encoder", "probe_loading", "probe_preparation", "probe_training",
    "scoring_epochs",
    # split from probe_label_files (eegpt.probe_label_files re-exports the names it gave)
    "continuous_windows", "label_row_alignment", "label_rows", "window_labelling",
    # split from io (eegpt.io re-exports their names)
    "array_inputs", "epochs_files", "memory_checks", "mixed_rates", "mne_inputs", "nonfinite_advice",
    "recording", "recording_files", "ssp_projectors", "unreadable_files",
    # split from viz (eegpt.viz re-exports their names)
    "viz_channels", "viz_embeddings", "viz_events", "viz_hypnogram", "viz_training",
    # split from dataset_read (eegpt.dataset_read re-exports the names it gave)
    "dataset_folders", "dataset_parts", "read_filters", "recording_copies", "run_channel_sets",
    "run_specs", "shard_checks", "window_tables",
    # split from outputs (eegpt.outputs re-exports their names)
    "clock_times", "embeddings_loading", "embeddings_parts", "embeddings_writer",
    "metadata_tables", "optional_packages", "output_files", "pooling",
}  # fmt: skip


if not TYPE_CHECKING:  # type checkers see the imports above: a misspelt name is an error

    def __getattr__(name: str):
        import importlib

        if name in _LAZY:
            value = getattr(importlib.import_module(_LAZY[name]), name)
            globals()[name] = value
            return value
        if name in _SUBMODULES:
            return importlib.import_module(f"eegpt.{name}")
        raise AttributeError(f"module 'eegpt' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names and what is loaded already, not the submodules not yet imported:
    ``help(eegpt)``, ``pydoc eegpt`` and ``inspect.getmembers(eegpt)`` get each name ``dir``
    lists, and getting a submodule imports it, so listing them all imported every one (about
    160 modules, seconds) and, without an extra, stopped at the first submodule that needs it
    (``eegpt.sklearn`` without scikit-learn) with its :class:`~eegpt.errors.MissingDependencyError`.
    pydoc lists the submodules as the package's contents without importing them; each is
    still an attribute (``eegpt.probe.train_probe`` after a bare ``import eegpt``)."""
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "EEGPT",
    "EEGPTConfig",
    "EEGPTEncoder",
    "EEGPTError",
    "EEGPTWarning",
    "Embeddings",
    "InferenceEngine",
    "OnlineEmbedder",
    "PRESETS",
    "PreprocessingConfig",
    "__version__",
    "anonymize_embeddings",
    "compare_embeddings",
    "embed",
    "embed_dataset",
    "embed_to_file",
    "get_config",
    "load_checkpoint",
    "load_embeddings",
    "load_model",
    "plot_channel_mapping",
    "plot_confusion_matrix",
    "plot_embeddings",
    "plot_event_probabilities",
    "plot_hypnogram",
    "plot_training",
    "read_embeddings",
    "save_checkpoint",
]
