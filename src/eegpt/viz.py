"""Figures: which electrodes a recording gives EEGPT, its window embeddings over time, and how a
probe (or fine-tuning) trained and what it confuses.

Every function returns a :class:`matplotlib.figure.Figure` (drawn into ``ax`` / ``axes`` when
given) and calls ``plt.show()`` only with ``show=True``, as in MNE. As in MNE, a figure made here
stays open in pyplot until closed: :func:`save_figure` closes the figure it writes, so a loop
making many figures should save each one or ``plt.close(fig)`` it, or pyplot keeps them all in
memory. In a notebook (the inline backend) each figure made here is drawn once whichever way it
is called (as a cell's last line, with ``;``, assigned, in a loop), and again where the figure
is typed in a later cell (:class:`_NotebookDisplay`).

This module is the public entry; the figures are drawn in the modules it re-exports the names
of: :mod:`eegpt.viz_channels` (the channel mapping on a head), :mod:`eegpt.viz_embeddings`
(embeddings over time, or labelled epochs as classes), :mod:`eegpt.viz_training` (learning
curves and the confusion matrix), :mod:`eegpt.viz_hypnogram` (a hypnogram of scoring
epochs) and :mod:`eegpt.viz_events` (a class's probability over a recording, against its
annotations), with what they share in ``eegpt._viz_common`` (pyplot, showing and saving figures,
text and legends) and ``eegpt._viz_clock`` (clock axes). matplotlib is imported only when a
figure is drawn.

Names here are re-exported for imports only (``from eegpt.viz import PC_COLORS`` gives the
same object as before the split). Rebinding or patching one here (``eegpt.viz.pyplot_module
= ...``, ``eegpt.viz.PC_COLORS = [...]``, ``monkeypatch.setattr(eegpt.viz, ...)``) changes no
figure, silently: the figures read the names of the module that defines them. To patch or
override one, patch that module: ``eegpt._viz_common`` (``pyplot_module``, ``save_figure``,
``NOT_PRETRAINED_TITLE``, ``VECTOR_TEXT``), :mod:`eegpt.viz_channels` (``COLORS``,
``EDGE_WIDTHS``, ``ELECTRODE_STYLES``, ``HEAD_*``, ``MAX_LISTED``, ``MAX_RENAMED``,
``ELECTRODE_ROOM``), :mod:`eegpt.viz_embeddings` (``CLASS_COLORS``, ``CLASS_MARKERS``,
``PC_COLORS``, ``PC_LINESTYLES``), :mod:`eegpt.viz_hypnogram` (``STAGE_RANKS``,
``BAD_EPOCH_COLOR``), :mod:`eegpt.viz_training` (``COLORBAR_LABELS``). The style constants are
read-only settings of eegpt's figures, not an interface for restyling them: to restyle, pass
``colors={class: colour}`` to :func:`plot_embeddings` for classes, or change the returned
figure's artists with matplotlib.
"""

from __future__ import annotations

# Names of the modules eegpt.viz was split into are imported here as themselves (``X as X``):
# every name eegpt.viz held stays importable from it (``_NotebookDisplay`` also for figures
# pickled before the split). Importable only: patching them here changes no figure (see above).
from eegpt._filenames import user_path as user_path
from eegpt._logging import ignored_warnings as ignored_warnings
from eegpt._viz_common import NOT_PRETRAINED_TITLE as NOT_PRETRAINED_TITLE
from eegpt._viz_common import VECTOR_TEXT as VECTOR_TEXT
from eegpt._viz_common import _NotebookDisplay as _NotebookDisplay
from eegpt._viz_common import _wrap as _wrap
from eegpt._viz_common import pyplot_module as pyplot_module
from eegpt._viz_common import save_figure as save_figure
from eegpt.channels import ChannelMapping as ChannelMapping
from eegpt.channels import left_out_text as left_out_text
from eegpt.viz_channels import COLORS as COLORS
from eegpt.viz_channels import EDGE_WIDTHS as EDGE_WIDTHS
from eegpt.viz_channels import ELECTRODE_ROOM as ELECTRODE_ROOM
from eegpt.viz_channels import ELECTRODE_STYLES as ELECTRODE_STYLES
from eegpt.viz_channels import HEAD_FONTS as HEAD_FONTS
from eegpt.viz_channels import HEAD_LIMITS as HEAD_LIMITS
from eegpt.viz_channels import HEAD_WIDTH as HEAD_WIDTH
from eegpt.viz_channels import MAX_LISTED as MAX_LISTED
from eegpt.viz_channels import MAX_RENAMED as MAX_RENAMED
from eegpt.viz_channels import plot_channel_mapping as plot_channel_mapping
from eegpt.viz_channels import vocabulary_layout as vocabulary_layout
from eegpt.viz_embeddings import CLASS_COLORS as CLASS_COLORS
from eegpt.viz_embeddings import CLASS_MARKERS as CLASS_MARKERS
from eegpt.viz_embeddings import PC_COLORS as PC_COLORS
from eegpt.viz_embeddings import PC_LINESTYLES as PC_LINESTYLES
from eegpt.viz_embeddings import plot_embeddings as plot_embeddings
from eegpt.viz_events import EVENT_COLORS as EVENT_COLORS
from eegpt.viz_events import plot_event_probabilities as plot_event_probabilities
from eegpt.viz_events import plot_operating_points as plot_operating_points
from eegpt.viz_hypnogram import BAD_EPOCH_COLOR as BAD_EPOCH_COLOR
from eegpt.viz_hypnogram import STAGE_RANKS as STAGE_RANKS
from eegpt.viz_hypnogram import hypnogram_width as hypnogram_width
from eegpt.viz_hypnogram import is_sleep_staging as is_sleep_staging
from eegpt.viz_hypnogram import plot_hypnogram as plot_hypnogram
from eegpt.viz_hypnogram import stage_order as stage_order
from eegpt.viz_hypnogram import stage_rank as stage_rank
from eegpt.viz_hypnogram import stage_ranks as stage_ranks
from eegpt.viz_training import COLORBAR_LABELS as COLORBAR_LABELS
from eegpt.viz_training import plot_confusion_matrix as plot_confusion_matrix
from eegpt.viz_training import plot_training as plot_training
from eegpt.vocabulary import PRETRAINING_CHANNELS as PRETRAINING_CHANNELS
from eegpt.vocabulary import UNSEEN_IN_PRETRAINING as UNSEEN_IN_PRETRAINING
from eegpt.vocabulary import VOCABULARY as VOCABULARY
from eegpt.vocabulary import montage_spelling as montage_spelling
from eegpt.vocabulary import normalize_channel_name as normalize_channel_name

__all__ = [
    "plot_channel_mapping",
    "plot_confusion_matrix",
    "plot_embeddings",
    "plot_hypnogram",
    "plot_training",
    "save_figure",
    "vocabulary_layout",
]
