"""Figures of eegpt.viz: the channel mapping on a head and the embeddings over time."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from eegpt.channels import VOCABULARY, map_channels  # noqa: E402
from eegpt.outputs import Embeddings  # noqa: E402
from eegpt.viz import (  # noqa: E402
    COLORS,
    plot_channel_mapping,
    plot_embeddings,
    vocabulary_layout,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_vocabulary_layout_is_a_head_seen_from_above():
    pos = vocabulary_layout()
    assert list(pos) == list(VOCABULARY)
    xy = np.array(list(pos.values()))
    assert np.hypot(xy[:, 0] - 0.5, xy[:, 1] - 0.5).max() <= 0.5  # inside the head outline
    assert pos["CZ"] == pytest.approx((0.5, 0.5))
    assert pos["FPZ"][1] > pos["CZ"][1] > pos["OZ"][1]  # nose up
    assert pos["T7"][0] < pos["CZ"][0] < pos["T8"][0]  # left on the left
    assert pos["FP1"][0] < pos["FP2"][0]


def _colours(ax):
    """Vocabulary name -> face colour of its marker (the scatter calls are in VOCABULARY order)."""
    faces = [tuple(c.get_facecolor()[0]) for c in ax.collections]
    return dict(zip(VOCABULARY, faces, strict=True))


def test_channel_mapping_figure_marks_used_untrained_absent_and_renamed():
    names = ["EEG Fp1-REF", "EEG T3-REF", "Cz", "AF7", "EKG", "Ch 7"]
    with pytest.warns(RuntimeWarning):  # EKG dropped, AF7 untrained: both announced
        mapping = map_channels(names, rename={"Ch 7": "O2"})
    fig = plot_channel_mapping(mapping)
    ax = fig.axes[0]
    colours = _colours(ax)
    to_rgba = matplotlib.colors.to_rgba
    assert len(colours) == 62
    for name in ("FP1", "T7", "CZ", "O2"):
        assert colours[name] == to_rgba(COLORS["used"])
    assert colours["AF7"] == to_rgba(COLORS["untrained"])
    assert colours["PZ"] == to_rgba(COLORS["absent"])
    texts = [t.get_text() for t in ax.texts]
    # the recording's own label under the vocabulary name where they differ, not for Cz/AF7
    assert {"EEG Fp1-REF", "EEG T3-REF", "Ch 7"} <= set(texts)
    assert texts.count("Cz") == 1 and texts.count("AF7") == 1  # the names alone
    assert any("left out of the recording (1): EKG" in t for t in texts)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "used (4)",
        "used, embedding untrained in pretraining (1)",
        "not in the recording (57)",
    ]
    # the title counts what the legend does, and of those the pretraining channels
    assert ax.get_title() == (
        "5 of EEGPT's 62 channels used, 57 not in the recording\n"
        "(54 of its 58 pretraining channels); 1 of the recording's 6 channels left out"
    )


def test_channel_mapping_figure_shortens_labels_that_share_a_prefix_and_suffix():
    """TUH-style labels would not fit under the electrodes: their shared 'EEG '...'-REF' is
    taken off, and only the labels that then still differ from the name are drawn (T3 -> T7)."""
    names = ["EEG FP1-REF", "EEG T3-REF", "EEG CZ-REF", "EEG T5-REF"]
    fig = plot_channel_mapping(map_channels(names))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"T3", "T5"} <= set(texts) and not any("REF" in t or t == "FP1-" for t in texts)
    fig = plot_channel_mapping(map_channels(["Fp1", "Fp2", "T3"]))  # no shared whole part
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "T3" in texts and "1" not in texts and "p1" not in texts


def test_channel_mapping_figure_lists_at_most_40_left_out_channels():
    with pytest.warns(RuntimeWarning, match="Only 1 of the 129"):
        mapping = map_channels([f"E{i}" for i in range(1, 129)] + ["Cz"])
    ax = plot_channel_mapping(mapping).axes[0]
    (text,) = [t.get_text() for t in ax.texts if t.get_text().startswith("left out")]
    assert text.replace("\n", " ").endswith("E39, E40, ... and 88 more")
    assert text.startswith("left out of the recording (128): E1, E2,")
    assert ax.get_title().endswith("128 of the recording's 129 channels left out")


def test_channel_mapping_from_embeddings_dict_and_into_given_axes():
    mapping = map_channels(["Fz", "Cz", "Pz"], verbose=False)
    emb = Embeddings(np.zeros((3, 2, 4, 8), np.float32), np.arange(3.0), {"channels": mapping.to_dict()})  # fmt: skip
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_channel_mapping(emb, ax=b) is fig and len(b.collections) == 62
    assert len(a.collections) == 0
    assert plot_channel_mapping(mapping.to_dict()).axes[0].get_title().startswith("3 of EEGPT's")
    assert mapping.plot().axes[0].get_title().startswith("3 of EEGPT's 62")
    emb.metadata["source"] = "/data/sub-01.edf"  # embeddings name their recording
    assert plot_channel_mapping(emb).axes[0].get_title().startswith("sub-01.edf\n3 of EEGPT's")
    with pytest.raises(ValueError, match="no channel mapping"):
        plot_channel_mapping(Embeddings(emb.data, emb.onsets, {}))
    with pytest.raises(TypeError, match="ChannelMapping"):
        plot_channel_mapping(["Fz"])  # type: ignore[arg-type]


def test_embeddings_figure_draws_principal_components_over_time():
    rng = np.random.default_rng(0)
    n = 30
    drift = np.linspace(-1, 1, n)[:, None, None, None] * rng.normal(size=(1, 1, 1, 16))
    data = (drift + 0.05 * rng.normal(size=(n, 4, 2, 16))).astype(np.float32)
    meta = {"source": "/data/sub-01.edf", "checkpoint": {"pretrained": False}}
    emb = Embeddings(data, np.arange(n) * 4.0, meta)
    fig = plot_embeddings(emb, spans=[(8.0, 20.0), (40.0, 52.0)], span_label="eyes closed")
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), emb.onsets)
    pc1 = ax.lines[0].get_ydata()
    assert abs(np.corrcoef(pc1, drift[:, 0, 0, 0])[0, 1]) > 0.99  # the drift is PC 1
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "eyes closed" and labels[2].startswith("PC 2 (")
    share = int(re.fullmatch(r"PC 1 \((\d+)% of variance\)", labels[1])[1])
    assert share >= 95
    assert ax.get_title() == "EEGPT window embeddings of sub-01.edf"
    assert "NOT PRETRAINED" in fig._suptitle.get_text()
    assert len(emb.plot(components=3).axes[0].lines) == 3
    own, axes = plt.subplots(2, 1)
    plot_embeddings(emb, ax=axes[0])
    assert own._suptitle is None and "NOT PRETRAINED" in axes[0].texts[0].get_text()
    plt.close(own)
    with pytest.raises(ValueError, match="at least 2 windows"):
        plot_embeddings(Embeddings(data[:1], np.zeros(1), {}))


def test_embeddings_of_labelled_epochs_are_drawn_as_classes():
    rng = np.random.default_rng(1)
    labels = ["left", "right"] * 20
    shift = np.where(np.array(labels) == "left", -1.0, 1.0)[:, None, None, None]
    data = shift * rng.normal(size=(1, 1, 1, 16)) + 0.1 * rng.normal(size=(40, 4, 2, 16))
    emb = Embeddings(data.astype(np.float32), np.arange(40) * 5.0, {"labels": labels})
    ax = plot_embeddings(emb).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["left (20)", "right (20)"]
    left, right = (c.get_offsets()[:, 0] for c in ax.collections)
    assert (left.max() < right.min()) or (right.max() < left.min())  # separated along PC 1
    assert ax.get_xlabel().startswith("PC 1 (") and ax.get_title() == "EEGPT epoch embeddings"


def test_bad_channels_are_drawn_apart_from_absent_ones():
    mapping = map_channels(["Fz", "Cz", "Pz"], verbose=False)
    ax = plot_channel_mapping(mapping, bads=["EEG O1-REF", "Cz", "EKG"]).axes[0]
    colours = _colours(ax)
    to_rgba = matplotlib.colors.to_rgba
    assert colours["O1"] == to_rgba(COLORS["bad"])  # its name maps: drawn red
    assert colours["CZ"] == to_rgba(COLORS["used"])  # a used channel stays used
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-2:] == ["not in the recording (58)", "marked bad in the recording, not used (1)"]


def test_windows_over_bad_annotations_are_shaded_and_gaps_break_the_lines():
    rng = np.random.default_rng(2)
    onsets = np.array([0.0, 4.0, 8.0, 20.0, 24.0, 28.0])  # 12-20 s left out
    annotations = [[], ["BAD_eye"], ["BAD_eye", "x"], [], [], ["bad"]]
    meta = {"annotations": annotations, "rejected_by_annotation": [12.0, 16.0],
            "preprocessing": {"window_seconds": 4.0, "overlap": 0.0}}  # fmt: skip
    emb = Embeddings(rng.normal(size=(6, 4, 2, 16)).astype(np.float32), onsets, meta)
    ax = plot_embeddings(emb).axes[0]
    shaded = [p.get_x() for p in ax.patches]  # windows 1-2 merged into one span, then 5
    assert shaded == [4.0, 28.0] and ax.patches[0].get_width() == 8.0
    pc1 = ax.lines[0]
    assert np.isnan(pc1.get_xdata()[3]) and len(pc1.get_xdata()) == 7  # a break at the gap
    ticks = ax.lines[-1]
    np.testing.assert_array_equal(ticks.get_xdata(), [12.0, 16.0])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "over bad annotations (3)" and labels[-1].startswith("left out")


def test_spans_named_by_an_annotation_shade_its_windows():
    rng = np.random.default_rng(3)
    annotations = [[], ["task"], ["task", "BAD_x"], [], ["task"]]
    meta = {"annotations": annotations, "preprocessing": {"window_seconds": 4.0, "overlap": 0.0}}
    emb = Embeddings(rng.normal(size=(5, 4, 2, 16)).astype(np.float32), np.arange(5) * 4.0, meta)
    ax = plot_embeddings(emb, spans="task").axes[0]
    grey = [p for p in ax.patches if p.get_facecolor()[:3] != matplotlib.colors.to_rgb("tab:red")]
    assert [(p.get_x(), p.get_width()) for p in grey] == [(4.0, 8.0), (16.0, 4.0)]
    assert [t.get_text() for t in ax.get_legend().get_texts()][0] == "task"
    with pytest.raises(ValueError, match=r"no window has an annotation 'rest'.*'BAD_x', 'task'"):
        plot_embeddings(emb, spans="rest")
    ax = plot_embeddings(emb, spans=["task", "BAD_x"], span_label="both").axes[0]  # as one
    assert [t.get_text() for t in ax.get_legend().get_texts()][0] == "both"
    grey = [p for p in ax.patches if p.get_facecolor()[:3] != matplotlib.colors.to_rgb("tab:red")]
    assert {p.get_facecolor() for p in grey} == {matplotlib.colors.to_rgba("0.88")}


def test_spans_of_several_descriptions_take_a_colour_and_a_legend_entry_each():
    """Classes of a motor-imagery recording (spans=['Stimulus/S  1', 'Stimulus/S  2']) are
    told apart: each description's windows in a colour of its own, one legend entry each;
    one description keeps its grey."""
    from eegpt.viz_embeddings import CLASS_COLORS

    rng = np.random.default_rng(4)
    annotations = [[], ["Stimulus/S  1"], ["Stimulus/S  1"], [], ["Stimulus/S  2"], [],
                   ["Stimulus/S  1"], ["Stimulus/S  2"], ["Stimulus/S  3"], []]  # fmt: skip
    meta = {"annotations": annotations, "preprocessing": {"window_seconds": 4.0, "overlap": 0.0}}
    emb = Embeddings(rng.normal(size=(10, 4, 2, 16)).astype(np.float32), np.arange(10) * 4.0, meta)
    ax = plot_embeddings(emb, spans=["Stimulus/S  2", "Stimulus/S  1"]).axes[0]
    by_colour: dict[tuple, list] = {}
    for p in ax.patches:
        by_colour.setdefault(tuple(p.get_facecolor()[:3]), []).append((p.get_x(), p.get_width()))
    first, second = (matplotlib.colors.to_rgb(c) for c in CLASS_COLORS[:2])  # in the order given
    assert by_colour == {first: [(16.0, 4.0), (28.0, 4.0)], second: [(4.0, 8.0), (24.0, 4.0)]}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["Stimulus/S  2", "Stimulus/S  1"] and labels[2].startswith("PC 1")
    ax = plot_embeddings(emb, spans="Stimulus/S  1").axes[0]  # one: grey, as before
    assert {p.get_facecolor() for p in ax.patches} == {matplotlib.colors.to_rgba("0.88")}
    assert [t.get_text() for t in ax.get_legend().get_texts()][0] == "Stimulus/S  1"


def test_save_figure_is_atomic(tmp_path):
    """A figure whose writing is interrupted leaves no truncated image under its name."""
    import matplotlib.pyplot as plt

    from eegpt.viz import save_figure

    fig, ax = plt.subplots()
    ax.plot([0, 1])
    assert save_figure(fig, tmp_path / "ok.svg").read_bytes().startswith(b"<?xml")

    fig, _ = plt.subplots()

    def interrupted(fh, **kwargs):
        fh.write(b"\x89PNG partial")
        raise KeyboardInterrupt

    fig.savefig = interrupted
    with pytest.raises(KeyboardInterrupt):
        save_figure(fig, tmp_path / "cut.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.svg"]


def test_save_figure_keeps_text_editable_in_vector_files(tmp_path):
    """PDFs embed TrueType fonts (not Type 3, whose glyphs editors cannot edit as text) and
    SVGs keep their text as <text>, not as paths; rcParams are left as they were."""
    from eegpt.viz import save_figure

    before = {k: matplotlib.rcParams[k] for k in ("pdf.fonttype", "svg.fonttype")}
    for suffix in ("pdf", "svg"):
        fig, ax = plt.subplots()
        ax.set_title("editable title")
        data = save_figure(fig, tmp_path / f"f.{suffix}").read_bytes()
        if suffix == "pdf":
            assert b"/Subtype /Type3" not in data  # TrueType (Type 42: /CIDFontType2) instead
            assert b"/CIDFontType2" in data or b"/Subtype /TrueType" in data
        else:
            assert b"<text" in data and b"editable title" in data
    assert {k: matplotlib.rcParams[k] for k in before} == before


# ------------------------------------------------------------------ probe training and confusion


def _history(n: int, val: bool = True) -> list[dict[str, float]]:
    rows = []
    for e in range(1, n + 1):
        row = {"epoch": e, "lr": 1e-3, "train_loss": 1.0 / e, "train_accuracy": 0.5 + e / (4 * n)}
        if val:
            row |= {"val_loss": 0.5 + (e - 3) ** 2 / 10, "val_accuracy": 0.6,
                    "val_balanced_accuracy": 0.55}  # fmt: skip
        rows.append(row)
    return rows


class _Probe:  # what plot_training reads of an EEGPTProbe
    def __init__(self, history, training, classes=("a", "b", "c"), pretrained=None):
        self.history, self.training = history, training
        self.classes_ = np.array(classes)
        self.frozen_encoder = True
        self.encoder = {"pretrained": pretrained}


def _lines(ax) -> dict[str, np.ndarray]:
    return {line.get_label(): np.asarray(line.get_ydata(), dtype=float) for line in ax.lines}


def test_training_curves_draw_every_series_chance_and_the_kept_epoch():
    from eegpt.viz import plot_training

    probe = _Probe(_history(8), {"n_train": 40, "n_validation": 10, "kept_epoch": 3})
    fig = plot_training(probe)
    loss_ax, acc_ax = fig.axes
    loss = _lines(loss_ax)
    np.testing.assert_allclose(loss["training (running, dropout on)"], 1 / np.arange(1, 9))
    assert "validation" in loss
    acc = _lines(acc_ax)
    np.testing.assert_allclose(acc["validation balanced accuracy"], 55.0)  # in percent
    # accuracy and balanced accuracy, often equal, are drawn so that neither hides the other
    by_label = {line.get_label(): line for line in acc_ax.lines}
    plain, balanced = by_label["validation accuracy"], by_label["validation balanced accuracy"]
    assert plain.get_linewidth() > 2 * balanced.get_linewidth()
    assert balanced.get_linestyle() == "--" and plain.get_linestyle() == "-"
    np.testing.assert_allclose(acc["chance (3 classes)"], 100 / 3)
    np.testing.assert_allclose(loss["chance (ln 3)"], np.log(3))  # a uniform guess' loss
    kept = [line for line in loss_ax.lines if line.get_label() == "weights kept (pass 3)"]
    assert len(kept) == 1 and kept[0].get_xdata()[0] == 3
    title = fig._suptitle.get_text()
    # passes, as probe train --passes says: its "training epochs" are the EEG epochs
    assert "EEGPT linear probe: 8 passes over 40 training epochs, 10 held out" in title
    assert "early stopping kept the weights of pass 3" in title
    assert loss_ax.get_xlabel() == acc_ax.get_xlabel() == "pass over the training data"


def test_training_curves_without_validation_or_early_stopping():
    from eegpt.viz import plot_training

    fig = plot_training(_Probe(_history(5, val=False), {"kept_epoch": 5}, pretrained=False))
    loss_ax, acc_ax = fig.axes
    assert list(_lines(loss_ax)) == ["training (running, dropout on)", "chance (ln 3)"]
    assert "validation accuracy" not in _lines(acc_ax)
    assert "kept" not in fig._suptitle.get_text().split("\n")[0]  # the last epoch's weights
    assert "NOT PRETRAINED" in fig._suptitle.get_text()
    # with validation but no early stopping: the lowest validation loss is starred
    fig = plot_training(_history(6))  # a bare history works too
    assert "lowest validation loss (pass 3)" in _lines(fig.axes[0])
    assert not any(k.startswith("chance") for k in _lines(fig.axes[0]))  # classes unknown
    with pytest.raises(ValueError, match="no training history"):
        plot_training([])
    _, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="two Axes"):
        plot_training(_history(3), axes=axes)


def test_training_curves_refuse_a_history_without_training_loss_or_accuracy():
    from eegpt.viz import plot_training

    rows = [{"epoch": 1, "val_loss": 0.7}, {"epoch": 2, "val_loss": 0.6}]  # other keys only
    n_figures = len(plt.get_fignums())
    with pytest.raises(ValueError, match=r"no train_loss or no train_accuracy.*'val_loss'"):
        plot_training(rows)
    history = _history(3)
    for row in history:
        del row["train_accuracy"]
    with pytest.raises(ValueError, match="no train_loss or no train_accuracy"):
        plot_training(history)
    assert len(plt.get_fignums()) == n_figures  # refused before drawing anything


@pytest.mark.parametrize("key", ["train_accuracy", "val_accuracy", "val_balanced_accuracy"])
def test_training_curves_refuse_accuracies_in_percent(key):
    """Accuracies given in percent (85 for 85 %) were drawn far above the fixed 0-100 % axis
    without a word; values outside [0, 1] are refused, saying to divide by 100, before
    anything is drawn."""
    from eegpt.viz import plot_training

    history = _history(3)
    for row in history:
        row[key] = 100 * row[key]
    n_figures = len(plt.get_fignums())
    with pytest.raises(
        ValueError, match=rf"{key} holds values outside \[0, 1\] .*divide them by 100"
    ):
        plot_training(history)
    assert len(plt.get_fignums()) == n_figures
    fig = plot_training(_history(3))  # fractions: drawn in percent, within the axis
    assert max(line.get_ydata().max() for line in fig.axes[1].lines) <= 100
    plt.close(fig)


@pytest.mark.parametrize("key", ["train_accuracy", "val_accuracy", "val_balanced_accuracy"])
def test_training_curves_take_fractions_off_by_rounding(key):
    """A history in fractions (a user's dict, or an accuracy averaged in float32) with 1 plus
    a rounding (1.0000001) or 0 less one (-1e-17) was refused as if in percent; it is drawn.
    1.01 is still refused, its value said with its digits (it read 'e.g. 1')."""
    from eegpt.viz import plot_training

    history = _history(3)
    history[1][key], history[2][key] = float(np.float32(1) + np.float32(2**-23)), -1e-17
    fig = plot_training(history)
    plt.close(fig)
    history[2][key] = 1.01
    with pytest.raises(ValueError, match=rf"{key} holds values outside \[0, 1\] \(e\.g\. 1\.01\)"):
        plot_training(history)


def test_confusion_matrix_counts_and_normalises_in_the_given_class_order():
    from eegpt.viz import plot_confusion_matrix

    y_true = np.array(["b", "b", "a", "a", "a", "c"])
    y_pred = np.array(["b", "a", "a", "a", "c", "c"])
    fig = plot_confusion_matrix(y_true, y_pred, labels=["c", "b", "a"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c (n=1)", "b (n=2)", "a (n=3)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["c", "b", "a"]
    image = ax.images[0].get_array()
    np.testing.assert_array_equal(image, [[1, 0, 0], [0, 1, 1], [1, 0, 2]])
    # balanced accuracy = mean recall: (1 + 1/2 + 2/3) / 3
    assert ax.get_title() == "6 epochs, balanced accuracy 72.2%"
    fig = plot_confusion_matrix(y_true, y_pred, normalize="true")
    np.testing.assert_allclose(fig.axes[0].images[0].get_array().sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="normalize"):
        plot_confusion_matrix(y_true, y_pred, normalize="rows")
    with pytest.raises(ValueError, match="1-D of one length"):
        plot_confusion_matrix(y_true, y_pred[:3])


def test_a_class_without_epochs_is_marked_not_read_as_a_recall_of_zero():
    """Sleep stages sorted by name, one absent from the night scored: its row says n=0 and,
    as fractions of the true class, n/a instead of 0.00."""
    from eegpt.viz import plot_confusion_matrix

    y_true = np.array(["W", "W", "N2", "R", "N2"])
    y_pred = np.array(["W", "N2", "N2", "R", "N1"])
    order = ["W", "N1", "N2", "N3", "R"]
    fig = plot_confusion_matrix(y_true, y_pred, labels=order, normalize="true")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "W (n=2)", "N1 (n=0)", "N2 (n=2)", "N3 (n=0)", "R (n=1)",
    ]  # fmt: skip
    cells = np.array([t.get_text() for t in ax.texts]).reshape(5, 5)
    assert set(cells[1]) == set(cells[3]) == {"n/a"}
    assert cells[0].tolist() == ["0.50", "0.00", "0.50", "0.00", "0.00"]
    counts = plot_confusion_matrix(y_true, y_pred, labels=order).axes[0]
    assert "n/a" not in [t.get_text() for t in counts.texts]  # counts of 0 are counts
    by_pred = plot_confusion_matrix(y_true, y_pred, labels=order, normalize="pred").axes[0]
    cells = np.array([t.get_text() for t in by_pred.texts]).reshape(5, 5)
    assert set(cells[:, 3]) == {"n/a"}  # N3 never predicted: no precision
    assert cells[:, 1].tolist() == ["0.00", "0.00", "1.00", "0.00", "0.00"]  # N1 predicted once


def test_confusion_matrix_colours_start_at_zero_and_have_a_colour_bar():
    """A 5-class classifier near chance: its smallest fraction (about 0.1) is not drawn white
    as a true 0, nor its largest (about 0.45) as full colour; a colour bar says so. Counts go
    from 0 to the largest count; cells of 0 / 0 are masked (hatched grey), not coloured as 0."""
    from eegpt.viz import plot_confusion_matrix

    rng = np.random.default_rng(0)
    classes = ["W", "N1", "N2", "N3", "R"]
    y = rng.choice(classes, 500)
    pred = np.where(rng.random(500) < 0.3, y, rng.choice(classes, 500))
    fig = plot_confusion_matrix(y, pred, labels=classes, normalize="true")
    (ax,) = fig.axes
    (bar,) = ax.child_axes  # an inset next to the matrix
    image = ax.images[0]
    assert image.get_clim() == (0.0, 1.0) and image.get_array().max() < 0.6
    assert bar.get_ylabel() == "fraction of the true class (recall)"
    assert bar.get_ylim() == (0.0, 1.0)
    # each cell's text stays legible on its colour: dark on these pale cells
    assert {t.get_color() for t in ax.texts} == {"black"}
    counts = plot_confusion_matrix(y, pred, labels=classes).axes[0].images[0]
    assert counts.get_clim() == (0.0, counts.get_array().max())
    assert not plot_confusion_matrix(y, pred, colorbar=False).axes[0].child_axes
    order = ["W", "N1", "N2", "N3", "R"]  # N1, N3 without epochs: their rows undefined
    ax = plot_confusion_matrix(["W", "N2", "R"], ["W", "N2", "N1"], labels=order,
                               normalize="true").axes[0]  # fmt: skip
    mask = np.ma.getmaskarray(ax.images[0].get_array())
    np.testing.assert_array_equal(mask.any(axis=1), [False, True, False, True, False])
    assert mask[1].all() and mask[3].all()
    assert len([p for p in ax.patches if p.get_hatch()]) == 10  # the masked cells, hatched
    cmap = ax.images[0].get_cmap()
    assert tuple(cmap.get_bad()[:3]) != tuple(cmap(0.0)[:3])  # grey, not the white of 0


def test_figures_made_here_are_drawn_once_in_a_notebook(monkeypatch):
    """Under the inline backend (Jupyter) every figure still open in pyplot is drawn at the
    end of a cell, and a cell's last value once more. Figures made here stay open there (so
    `emb.plot();`, `fig = emb.plot()` and loops draw them at the cell's end) and carry an
    `_ipython_display_` that, drawing a figure still open, closes it in pyplot (so a bare
    `emb.plot()` is not drawn again at the cell's end), and draws a closed one again (`fig` in a
    later cell). Elsewhere (scripts) figures stay open for plt.show() and get no hook; figures
    drawn into the caller's axes are left alone."""
    import pickle
    import sys
    import types

    from eegpt.viz import plot_confusion_matrix, plot_training

    y = np.array(["a", "b", "b"])
    plt.close("all")
    fig = plot_confusion_matrix(y, y)
    assert plt.fignum_exists(fig.number)  # a script: open until plt.show()
    assert "_ipython_display_" not in vars(fig)
    monkeypatch.setattr(plt, "get_backend", lambda: "module://matplotlib_inline.backend_inline")
    shown = []  # IPython's display(): what it drew, and whether the hook was set aside meanwhile

    def display(obj):
        shown.append((obj, "_ipython_display_" in vars(obj)))

    monkeypatch.setitem(sys.modules, "IPython.display", types.SimpleNamespace(display=display))
    figs = [plot_confusion_matrix(y, y), plot_training(_history(3)),
            plot_channel_mapping(map_channels(["Cz", "Pz"]))]  # fmt: skip
    assert all(plt.fignum_exists(f.number) for f in figs)  # drawn at the cell's end
    for f in figs:
        f._ipython_display_()  # a cell's last value, or the cell's end drawing the open figures
        assert not plt.fignum_exists(f.number)  # so not drawn a second time at the cell's end
        f._ipython_display_()  # typed again in a later cell: drawn again
    assert shown == [(f, False) for f in figs for _ in range(2)]  # no recursion into the hook
    assert all(callable(vars(f)["_ipython_display_"]) for f in figs)  # restored
    again = pickle.loads(pickle.dumps(figs[0]))  # the hook pickles with its figure
    assert again._ipython_display_.fig is again
    own, ax = plt.subplots()
    plot_confusion_matrix(y, y, ax=ax)
    assert plt.fignum_exists(own.number) and "_ipython_display_" not in vars(own)
    plt.close(own)
    plt.close("all")
    shown.clear()
    fig = plot_confusion_matrix(y, y)
    plt.close(fig)
    other = plot_confusion_matrix(y, y)  # takes the number of the figure closed
    assert other.number == fig.number
    fig._ipython_display_()  # closed: drawn, and the other figure of its number left open
    assert shown == [(fig, False)] and plt.fignum_exists(other.number)


def test_every_idiom_draws_a_figure_once_in_a_real_notebook(tmp_path, monkeypatch):
    """A notebook run by a Jupyter kernel (ipykernel, matplotlib-inline's backend) draws each
    figure of eegpt once per cell: with `;`, assigned, as the last line, in a loop, and a figure
    typed again in a later cell."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib_inline")
    import json
    import sys

    spec = tmp_path / "kernels" / "python3"  # this interpreter, whatever kernels are installed
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's own default: inline
    cells = [
        "import numpy as np\nfrom eegpt.outputs import Embeddings\n"
        "rng = np.random.default_rng(0)\n"
        "emb = Embeddings(rng.normal(size=(6, 4, 2, 8)).astype('float32'), np.arange(6.0), {})",
        "emb.plot();",
        "fig = emb.plot()",
        "emb.plot()",
        "for title in ('one', 'two'):\n    emb.plot(title=title)",
        "fig",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=60).execute()
    images = [sum("image/png" in out.get("data", {}) for out in cell.outputs) for cell in nb.cells]
    assert images == [0, 1, 1, 1, 2, 1]


def test_confusion_matrix_of_a_random_encoder_says_so():
    from eegpt.viz import NOT_PRETRAINED_TITLE, plot_confusion_matrix

    fig = plot_confusion_matrix(["a", "b", "a"], ["a", "a", "a"], pretrained=False)
    assert fig._suptitle is not None and fig._suptitle.get_text() == NOT_PRETRAINED_TITLE
    assert plot_confusion_matrix(["a", "b"], ["a", "b"])._suptitle is None
    own, axes = plt.subplots(1, 2)  # the user's axes: marked inside them, no figure title
    own.suptitle("my study")
    plot_confusion_matrix(["a", "b", "a"], ["a", "a", "a"], pretrained=False, ax=axes[1])
    assert own._suptitle.get_text() == "my study"
    marks = [t.get_text().replace("\n", " - ") for t in axes[1].texts]  # (2 lines if narrow)
    assert marks.count(NOT_PRETRAINED_TITLE) == 1
    assert not axes[0].texts
    plt.close(own)


def test_confusion_matrix_fits_long_class_names_and_a_long_title():
    """Class names of several words are wrapped, the figure grows for them, and neither the
    tick labels nor the title run into each other or off the figure."""
    from eegpt.viz import plot_confusion_matrix

    rng = np.random.default_rng(0)
    classes = ["imagined movement of the left hand", "imagined movement of the right hand",
               "rest with eyes open"]  # fmt: skip
    y = rng.choice(classes, 120)
    pred = np.where(rng.random(120) < 0.7, y, rng.choice(classes, 120))
    title = "probe a_rather_long_probe_name: 120 epochs, balanced accuracy 70.0%"
    fig = plot_confusion_matrix(y, pred, labels=classes, normalize="true", title=title)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    ax = fig.axes[0]
    title_box = ax.title.get_window_extent(renderer)
    assert box.x0 <= title_box.x0 and title_box.x1 <= box.x1
    for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
        boxes = [t.get_window_extent(renderer) for t in ticks]
        assert all(box.x0 <= b.x0 and b.x1 <= box.x1 and box.y0 <= b.y0 for b in boxes)
    rows = [t.get_window_extent(renderer) for t in ax.get_yticklabels()]  # (x ones are slanted)
    assert not any(a.overlaps(b) for i, a in enumerate(rows) for b in rows[i + 1 :])
    assert "\n" in ax.get_xticklabels()[0].get_text()  # wrapped


@pytest.mark.parametrize("n", [8, 12, 20, 30])
def test_confusion_matrix_colour_bar_leaves_every_label_on_the_figure(n):
    """With 30 classes the colour bar pushed the "True label" y label off the left edge: the
    bar now sits in an inset next to the matrix, its width reserved in the figure; in a user's
    composite figure it stays next to the matrix, not ~200 px away."""
    from eegpt.viz import plot_confusion_matrix

    rng = np.random.default_rng(n)
    classes = [f"class {k}" for k in range(n)]
    y = rng.choice(classes, 40 * n)
    pred = np.where(rng.random(40 * n) < 0.6, y, rng.choice(classes, 40 * n))
    fig = plot_confusion_matrix(y, pred, labels=classes, normalize="true")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    texts = [a for a in fig.findobj(matplotlib.text.Text) if a.get_visible() and a.get_text()]
    labels = {t.get_text() for t in texts}
    assert {"True label", "Predicted label", "fraction of the true class (recall)"} <= labels
    for t in texts:
        b = t.get_window_extent(renderer)
        assert box.x0 - 0.5 <= b.x0 and b.x1 <= box.x1 + 0.5, (t.get_text(), b)
        assert box.y0 - 0.5 <= b.y0 and b.y1 <= box.y1 + 0.5, (t.get_text(), b)
    own, axes = plt.subplots(1, 2, figsize=(16, 5), layout="constrained")
    plot_confusion_matrix(y, pred, labels=classes, normalize="true", ax=axes[1])
    own.canvas.draw()
    bars = axes[1].child_axes
    assert len(bars) == 1 and not axes[0].child_axes
    matrix = axes[1].get_window_extent()
    assert abs(bars[0].get_window_extent().x0 - matrix.x1) <= 0.1 * matrix.width
    plt.close(own)


def test_channel_mapping_of_embeddings_shows_what_their_metadata_left_out():
    """Embeddings record the channels not read (bad, other types): the figure draws a bad
    electrode as bad (not as absent), counts and lists every channel left out, and draws an
    electrode dropped on purpose as left out, not as not in the recording."""
    mapping = map_channels(["Fz", "Cz", "AF7", "Pz", "X1"], rename={"AF7": None}, verbose=False)
    meta = {"channels": mapping.to_dict(), "left_out": {"Oz": "bad", "VEOG": "eog"}}
    emb = Embeddings(np.zeros((1, 2, 4, 8), np.float32), np.zeros(1), meta)
    ax = plot_channel_mapping(emb).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "marked bad in the recording, not used (1)" in labels
    assert "in the recording, left out (1)" in labels  # AF7
    assert "not in the recording (57)" in labels  # 62 - 3 used - Oz - AF7
    assert ax.get_title().endswith("4 of the recording's 7 channels left out")
    (text,) = [t.get_text() for t in ax.texts if t.get_text().startswith("left out")]
    assert (
        text.replace("\u00a0", " ")
        == "left out of the recording (4): AF7, X1, Oz (bad), VEOG (eog)"
    )


def _within(inner, outer, tol: float = 1.0) -> bool:
    """Whether the display box ``inner`` lies in ``outer`` (``tol`` pixels of slack)."""
    return (
        inner.x0 >= outer.x0 - tol
        and inner.x1 <= outer.x1 + tol
        and inner.y0 >= outer.y0 - tol
        and inner.y1 <= outer.y1 + tol
    )


@pytest.mark.parametrize("n_channels", [58, 19])
@pytest.mark.parametrize("given_axes", [False, True])
def test_channel_mapping_fits_its_electrodes_and_text_to_the_axes(n_channels, given_axes):
    """In one of two axes of a 12 x 4 inch figure as in a figure of its own: the electrodes,
    scaled to the axes, do not overlap, and the title and the legend stay in the figure, clear
    of the head."""
    from eegpt.channels import PRETRAINING_CHANNELS

    mapping = map_channels(list(PRETRAINING_CHANNELS[:n_channels]), verbose=False)
    emb = Embeddings(np.zeros((1, 2, 4, 8), np.float32), np.zeros(1),
                     {"channels": mapping.to_dict(), "source": "/data/sub-01.edf"})  # fmt: skip
    if given_axes:
        fig, (ax, _) = plt.subplots(1, 2, figsize=(12, 4))
        assert emb.plot_channels(ax=ax) is fig
    else:
        fig = emb.plot_channels()
        ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    head = ax.patches[0].get_window_extent(renderer)
    for text in (ax.title, ax.get_legend()):
        box = text.get_window_extent(renderer)
        assert _within(box, fig.bbox) and not box.overlaps(head)
    centres = np.array([ax.transData.transform(c.get_offsets()[0]) for c in ax.collections])
    radii = np.array([np.sqrt(c.get_sizes()[0]) / 2 for c in ax.collections]) * fig.dpi / 72
    apart = np.hypot(*(centres[:, None] - centres[None]).transpose(2, 0, 1))
    np.fill_diagonal(apart, np.inf)
    assert (apart >= radii[:, None] + radii[None]).all()  # no two electrodes overlap


def test_embeddings_legends_and_titles_cover_no_data_and_stay_in_the_figure():
    rng = np.random.default_rng(4)
    emb = Embeddings(rng.normal(size=(30, 4, 2, 16)).astype(np.float32), np.arange(30) * 2.0,
                     {"source": "/data/a-recording-with-a-long-name.edf"})  # fmt: skip
    labelled = Embeddings(emb.data, emb.onsets, {"labels": ["a", "b", "c"] * 10})
    small, own = plt.subplots(figsize=(5, 3), layout="constrained")  # a small axes of the user's
    emb.plot(spans=[(10, 30)], span_label="task", ax=own)
    for fig in (emb.plot(spans=[(10, 30)], span_label="task"), labelled.plot(), small):
        ax = fig.axes[0]
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        legend = ax.get_legend().get_window_extent(renderer)
        assert not legend.overlaps(ax.get_window_extent(renderer))  # beside the data
        assert _within(legend, fig.bbox) and _within(ax.title.get_window_extent(renderer), fig.bbox)


def test_training_title_is_broken_into_lines_in_a_small_figure():
    from eegpt.viz import plot_training

    probe = _Probe(_history(8), {"n_train": 400, "n_validation": 100, "kept_epoch": 3})
    fig, axes = plt.subplots(1, 2, figsize=(6, 2.5), layout="constrained")
    plot_training(probe, axes=axes)
    fig.canvas.draw()
    title = axes[0].title  # over the loss panel, in the caller's axes
    assert title.get_text().endswith("\nloss") and title.get_wrap()
    box = title.get_window_extent(fig.canvas.get_renderer())
    assert _within(box, fig.bbox) and box.height > 3 * title.get_fontsize()  # in lines


def test_titles_leave_the_callers_figure_alone_and_an_empty_one_is_none():
    """Into the caller's axes, plot_training keeps the caller's figure title (its own goes over
    the loss panel); ``title=""`` draws no title in any figure, though random weights are still
    marked."""
    from eegpt.viz import NOT_PRETRAINED_TITLE, plot_confusion_matrix, plot_training

    probe = _Probe(_history(4), {"n_train": 40}, pretrained=False)
    fig, axes = plt.subplots(2, 2, layout="constrained")
    fig.suptitle("mine")
    assert plot_training(probe, axes=axes[0]) is fig
    assert fig._suptitle.get_text() == "mine"
    assert (
        axes[0, 0].get_title().replace("\n", " ").startswith("EEGPT linear probe: 4 passes over 40")
    )
    assert NOT_PRETRAINED_TITLE in [t.get_text() for t in axes[0, 0].texts]
    plot_training(probe, axes=axes[1], title="")
    assert axes[1, 0].get_title() == "loss" and axes[1, 1].get_title() == "accuracy"
    made = plot_training(probe, title="")
    assert made._suptitle.get_text() == NOT_PRETRAINED_TITLE
    assert plot_training(_history(4), title="")._suptitle is None
    data = np.random.default_rng(0).normal(size=(6, 4, 2, 8)).astype(np.float32)
    emb = Embeddings(data, np.arange(6) * 4.0, {"source": "/data/a.edf"})
    assert plot_embeddings(emb, title="").axes[0].get_title() == ""
    emb.metadata["labels"] = ["a", "b"] * 3
    assert plot_embeddings(emb, title="").axes[0].get_title() == ""
    mapping = map_channels(["Fz", "Cz"], verbose=False)
    assert plot_channel_mapping(mapping, title="").axes[0].get_title() == ""
    assert plot_confusion_matrix(["a", "b"], ["a", "b"], title="").axes[0].get_title() == ""


@pytest.mark.parametrize("what", ["channels", "embeddings", "training", "confusion"])
def test_figures_draw_into_a_subfigure_and_return_its_figure(what):
    """Axes of a SubFigure (``fig.subfigures``): drawn into them, the root Figure returned."""
    from matplotlib.figure import Figure

    from eegpt.viz import plot_confusion_matrix, plot_training

    mapping = map_channels(["Fz", "Cz", "Pz"], verbose=False)
    data = np.random.default_rng(0).normal(size=(10, 4, 2, 8)).astype(np.float32)
    emb = Embeddings(data, np.arange(10) * 4.0, {"channels": mapping.to_dict()})
    root = plt.figure(figsize=(12, 4), layout="constrained")
    sub = root.subfigures(1, 2)[0]
    axes = sub.subplots(1, 2)
    if what == "channels":
        fig = plot_channel_mapping(emb, ax=axes[0])
    elif what == "embeddings":
        fig = plot_embeddings(emb, ax=axes[0])
    elif what == "training":
        fig = plot_training(_history(4), axes=axes)
    else:
        fig = plot_confusion_matrix(["a", "b"], ["a", "a"], ax=axes[0])
    assert isinstance(fig, Figure) and fig is root
    fig.canvas.draw()


def test_not_pretrained_mark_in_a_small_axes_covers_no_data_and_stays_in_the_figure():
    """In a 3.5 x 2.6 inch figure of the caller's, the random-weights mark sits above the axes'
    data area (and their title), clear of the legend, inside the figure."""
    from eegpt.viz import NOT_PRETRAINED_TITLE, plot_confusion_matrix, plot_training

    data = np.random.default_rng(0).normal(size=(20, 4, 2, 8)).astype(np.float32)
    meta = {"checkpoint": {"pretrained": False}, "labels": ["W", "N1", "N2", "N3", "R"] * 4}
    emb = Embeddings(data, np.arange(20) * 30.0, meta)
    draws = [
        lambda ax: plot_embeddings(emb, ax=ax),
        lambda ax: plot_embeddings(
            Embeddings(data, emb.onsets, {"checkpoint": {"pretrained": False}}), ax=ax
        ),  # fmt: skip
        lambda ax: plot_confusion_matrix(
            meta["labels"], meta["labels"][::-1], ax=ax, pretrained=False
        ),  # fmt: skip
    ]
    for draw in draws:
        fig, ax = plt.subplots(figsize=(3.5, 2.6), layout="constrained")
        draw(ax)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        (mark,) = [t for t in ax.texts if "NOT" in t.get_text()]
        assert mark.get_text().replace("\n", " - ") == NOT_PRETRAINED_TITLE
        box = mark.get_window_extent(renderer)
        assert _within(box, fig.bbox) and not box.overlaps(ax.get_window_extent(renderer))
        assert not box.overlaps(ax.title.get_window_extent(renderer))
        if ax.get_legend() is not None:
            assert not box.overlaps(ax.get_legend().get_window_extent(renderer))
    fig, axes = plt.subplots(1, 2, figsize=(7, 2.6), layout="constrained")  # two such panels
    plot_training(_Probe(_history(4), {}, pretrained=False), axes=axes, title="")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (mark,) = axes[0].texts
    box = mark.get_window_extent(renderer)
    assert _within(box, fig.bbox) and not box.overlaps(axes[0].get_window_extent(renderer))
    assert not box.overlaps(axes[0].get_legend().get_window_extent(renderer))
    fig, axes = plt.subplots(1, 3, figsize=(3.5, 2.6))  # no layout engine: axes stay put
    plot_confusion_matrix(["a", "b"], ["a", "a"], ax=axes[1], pretrained=False, title="")
    fig.canvas.draw()
    (mark,) = axes[1].texts[-1:]
    renderer = fig.canvas.get_renderer()
    assert "\n" in mark.get_text()  # in two lines, as wide as the axes at most
    assert mark.get_window_extent(renderer).width <= axes[1].get_window_extent(renderer).width


def test_class_colours_follow_the_classes_not_the_order_of_the_epochs():
    """A class keeps its colour whatever the order of the epochs (sorted classes, or
    class_order), colours can be given, and many classes do not repeat a style."""
    from eegpt.viz import CLASS_COLORS

    to_rgba = matplotlib.colors.to_rgba
    rng = np.random.default_rng(5)
    labels = np.array(["W", "N1", "N2", "N3", "R"] * 6)
    data = rng.normal(size=(30, 4, 2, 8)).astype(np.float32)

    def styles(order, **kwargs):
        emb = Embeddings(data[order], np.arange(30) * 30.0, {"labels": labels[order].tolist()})
        ax = plot_embeddings(emb, **kwargs).axes[0]
        names = [t.get_text().split(" (")[0] for t in ax.get_legend().get_texts()]
        return {
            n: to_rgba(c.get_facecolor()[0], 1) for n, c in zip(names, ax.collections, strict=True)
        }

    forward, backward = styles(np.arange(30)), styles(np.arange(30)[::-1])
    # sleep stages in the AASM order, not sorted (N1, N2, N3, R, W)
    assert forward == backward and list(forward) == ["W", "N1", "N2", "N3", "R"]
    assert forward["W"] == to_rgba(CLASS_COLORS[0])
    order = ["R", "N3", "N2", "N1", "W"]
    given = styles(np.arange(30)[::-1], class_order=order, colors={"W": "black"})
    assert list(given) == order and given["R"] == to_rgba(CLASS_COLORS[0])
    assert given["W"] == to_rgba("black")
    with pytest.raises(ValueError, match=r"class_order lacks the epochs' labels \['W'\]"):
        styles(np.arange(30), class_order=order[:4])
    many = Embeddings(data, np.arange(30) * 30.0, {"labels": [f"c{i:02d}" for i in range(30)]})
    ax = plot_embeddings(many).axes[0]
    drawn = [(to_rgba(c.get_facecolor()[0]), c.get_paths()[0].vertices.tobytes())
             for c in ax.collections]  # fmt: skip
    assert len(set(drawn)) == 30  # 20 colours, then other markers


def test_scatter_ticks_do_not_overlap_and_training_legends_cover_no_curves():
    """Small PC scores (-0.0075) and long class names at the default size: the tick labels of
    the scatter stay apart and the legend's labels are wrapped; the legends of the learning
    curves sit beside the panels, not over their curves."""
    from eegpt.viz import plot_training

    rng = np.random.default_rng(6)
    names = ["imagined movement of the left hand", "imagined movement of the right hand", "rest"]
    data = (0.004 * rng.normal(size=(30, 4, 2, 8))).astype(np.float32)
    emb = Embeddings(data, np.arange(30) * 30.0, {"labels": names * 10})
    fig = plot_embeddings(emb)
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
        boxes = [t.get_window_extent(renderer) for t in ticks if t.get_text()]
        assert len(boxes) >= 2
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "imagined movement\nof the left hand (10)"
    for axes in (None, plt.subplots(1, 2, figsize=(7, 2.6), layout="constrained")[1]):
        fig = plot_training(_Probe(_history(8), {"kept_epoch": 3}), axes=axes)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            legend = ax.get_legend().get_window_extent(renderer)
            assert not legend.overlaps(ax.get_window_extent(renderer))
            assert _within(legend, fig.bbox)


def test_head_legend_lists_no_empty_rows_and_rings_untrained_electrodes():
    mapping = map_channels(["Fz", "Cz", "Pz"], verbose=False)  # none untrained
    ax = plot_channel_mapping(mapping).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "used (3)",
        "not in the recording (59)",
    ]
    with pytest.warns(RuntimeWarning):  # AF7: untrained
        mapping = map_channels(["Fz", "AF7"])
    ax = plot_channel_mapping(mapping).axes[0]
    widths = {n: c.get_linewidths()[0] / np.sqrt(c.get_sizes()[0])
              for n, c in zip(VOCABULARY, ax.collections, strict=True)}  # fmt: skip
    assert widths["AF7"] > 2 * widths["FZ"]  # a ring, not only another colour
    untrained = ax.get_legend().legend_handles[1]
    assert untrained.get_markeredgewidth() > 2 * ax.get_legend().legend_handles[0].get_markeredgewidth()  # fmt: skip


def test_text_follows_the_font_size_of_rcparams():
    """rcParams["font.size"] scales the figures' titles and legends (no fixed point sizes)."""
    from eegpt.viz import plot_confusion_matrix, plot_training

    data = np.random.default_rng(0).normal(size=(6, 4, 2, 8)).astype(np.float32)
    emb = Embeddings(data, np.arange(6) * 4.0, {"labels": ["a", "b"] * 3})
    mapping = map_channels(["Fz", "Cz"], verbose=False)

    def sizes() -> list[float]:
        figs = [plot_embeddings(emb), plot_training(_history(3)), plot_channel_mapping(mapping),
                plot_confusion_matrix(["a", "b"], ["a", "b"])]  # fmt: skip
        legends = [f.axes[0].get_legend() for f in figs[:3]]
        return [*(lg.get_texts()[0].get_fontsize() for lg in legends),
                figs[1]._suptitle.get_fontsize(), figs[2].axes[0].title.get_fontsize(),
                figs[3].axes[0].title.get_fontsize()]  # fmt: skip

    default = sizes()
    with plt.rc_context({"font.size": 14}):
        larger = sizes()
    np.testing.assert_allclose(np.array(larger) / np.array(default), 1.4, rtol=0.01)


def test_every_figure_is_exported_at_the_top_level():
    import eegpt
    import eegpt.viz

    for name in ("plot_channel_mapping", "plot_embeddings", "plot_training",
                 "plot_confusion_matrix", "plot_event_probabilities"):  # fmt: skip
        assert name in eegpt.__all__ and getattr(eegpt, name) is getattr(eegpt.viz, name)


def _night_table(clock: bool = False):
    """Scoring epochs of 30 s as probe predict --epoch-seconds writes them: predictions,
    scored labels (one missing), probabilities, R&K-style class names in the probe's
    (alphabetical) order."""
    import pandas as pd

    stages = ["Sleep stage W", "Sleep stage 1", "Sleep stage 2", "Sleep stage 2",
              "Sleep stage 3", "Sleep stage R", "Sleep stage W"]  # fmt: skip
    scored = ["Sleep stage W", "Sleep stage 2", "Sleep stage 2", "Sleep stage 2",
              "Sleep stage 3", None, "Sleep stage W"]  # fmt: skip
    classes = ["Sleep stage 1", "Sleep stage 2", "Sleep stage 3", "Sleep stage R",
               "Sleep stage W"]  # fmt: skip
    table = pd.DataFrame({"file": "night.edf", "onset_s": 17.0 + 30 * np.arange(7),
                          "duration_s": 30.0, "prediction": stages, "label": scored})  # fmt: skip
    if clock:
        table["clock_time"] = [f"2026-03-01T23:5{k}:17+00:00" for k in range(7)]
    for c in classes:
        table[f"p_{c}"] = [0.8 if s == c else 0.05 for s in stages]
    return table


def test_numbers_and_generic_classes_are_no_sleep_stages():
    """A binary task's classes (1, 2; "class 1") are no sleep stages, so its hypnogram's y axis
    says "class" and keeps their order; Sleep-EDF's and AASM's names still are."""
    from eegpt.viz import is_sleep_staging, plot_hypnogram, stage_order

    for classes in ([1, 2], ["1", "2"], ["class 1", "class 2"], ["class W", "class R"], []):
        assert not is_sleep_staging(classes), classes
    assert stage_order([2, 1]) == [2, 1]
    # W and R alone may be right and wrong: stages beside another stage's name, or known to
    # be (a probe trained on sleep stages' annotations)
    assert not is_sleep_staging(["W", "R"]) and is_sleep_staging(["W", "R"], sleep=True)
    for classes in (["W", "N1", "N2", "N3", "REM"], ["W", "N1", "R"], ["W", "REM"],
                    ["wake", "rem"],
                    ["Sleep stage W", "Sleep stage 1", "Sleep stage 4", "Sleep stage R"],
                    ["stage_N2", "Stage 3"]):  # fmt: skip
        assert is_sleep_staging(classes), classes
    assert stage_order(["Sleep stage 4", "Sleep stage R", "Sleep stage W", "Sleep stage 1"]) == [
        "Sleep stage W", "Sleep stage R", "Sleep stage 1", "Sleep stage 4"]  # fmt: skip
    ax = plot_hypnogram({"onset_s": [0.0, 30.0], "prediction": [1, 2]}).axes[0]
    assert ax.get_ylabel() == "class"


def test_right_and_wrong_are_no_sleep_stages():
    """Two classes R and W (right and wrong, a response's hand) were taken for REM and wake:
    the confusion matrix and the embeddings' legend put them in the AASM order (W first) and
    coloured them as stages, the hypnogram of their predictions said "stage". Bare W and R are
    stages only beside another stage's name (N1, REM, Wake ...) or where the probe was
    trained on sleep stages' annotations (labelled_as_sleep: its --window-labels name them)."""
    from eegpt.probe_cli_evaluate import _class_order
    from eegpt.viz import plot_confusion_matrix, plot_hypnogram, stage_order
    from eegpt.viz_embeddings import _class_styles

    assert stage_order(["R", "W"], aasm=True) == ["R", "W"]
    assert stage_order(["R", "W"], aasm=True, sleep=True) == ["W", "R"]
    assert stage_order(["R", "N2", "W"], aasm=True) == ["W", "N2", "R"]
    fig = plot_confusion_matrix(np.array(["R", "W", "R"]), np.array(["W", "W", "R"]))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["R", "W"]
    styles = _class_styles(np.array(["W", "R"]))
    assert list(styles) == ["R", "W"] and styles["R"][0] != styles["W"][0]
    table = {"onset_s": [0.0, 30.0], "prediction": ["R", "W"], "p_R": [0.9, 0.2],
             "p_W": [0.1, 0.8]}  # fmt: skip
    ax = plot_hypnogram(table).axes[0]
    assert ax.get_ylabel() == "class" and "predicted classes" in ax.get_title()
    ax = plot_hypnogram(table, sleep=True).axes[0]
    assert ax.get_ylabel() == "stage" and "hypnogram" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["W", "R"]
    from eegpt.viz_hypnogram import labelled_as_sleep

    sleep_edf = {"window_labels": {"match": {"W": "Sleep stage W", "R": "Sleep stage R"}}}
    for training, sleep in ((sleep_edf, True), ({"window_labels": {"match": "^[RW]$"}}, False),
                            (None, False)):  # fmt: skip
        assert labelled_as_sleep(training) is sleep
    classes = np.array(["R", "W"], dtype=object)
    assert _class_order(None, classes).tolist() == ["R", "W"]
    assert _class_order(None, classes, sleep=True).tolist() == ["W", "R"]


def test_plot_hypnogram_draws_stages_top_to_bottom():
    """plot_hypnogram: a step line of the predicted stage per epoch, W, REM, N1, N2, N3 top
    to bottom (from R&K names in the probe's alphabetical order), the scored stages as a
    second line, probabilities as one ribbon per stage; hours from the first epoch, or clock
    time where given; into the axes given, pyplot left as it was."""
    from matplotlib.figure import Figure

    from eegpt.viz import plot_hypnogram, stage_order

    assert stage_order(["N1", "N2", "N3", "REM", "W"]) == ["W", "REM", "N1", "N2", "N3"]
    assert stage_order(["left", "right"]) == ["left", "right"]  # not stages: as given
    table = _night_table()
    fig = plot_hypnogram(table, probabilities=True)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Sleep stage W", "Sleep stage R", "Sleep stage 1", "Sleep stage 2", "Sleep stage 3"
    ]  # fmt: skip
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # W (row 0) on top
    scored, predicted = ax.lines  # the scored line drawn first, beneath
    assert predicted.get_label() == "predicted" and scored.get_label() == "scored"
    # 7 epochs and the last one's end: x in hours from the first epoch, y the rows
    np.testing.assert_allclose(predicted.get_xdata(), np.arange(8) * 30 / 3600)
    assert predicted.get_ydata().tolist() == [0, 2, 3, 3, 4, 1, 0, 0]
    assert np.isnan(scored.get_ydata()[5])  # no scored stage there: a gap
    assert len(ax.collections) == 5  # a probability ribbon per stage
    assert ax.get_xlabel() == "hours from the first epoch" and ax.get_ylabel() == "stage"
    assert "83.3% of the 6 scored agree" in ax.get_title()
    # clock time, into the caller's axes, no scored line, a demo encoder marked
    own, theirs = plt.subplots()
    n_figures = len(plt.get_fignums())
    out = plot_hypnogram(_night_table(clock=True), ax=theirs, labels=False, pretrained=False)
    assert out is own and len(plt.get_fignums()) == n_figures
    assert theirs.get_xlabel().startswith("clock time (recording clock)") and len(theirs.lines) == 1
    assert any("NOT PRETRAINED" in t.get_text() for t in theirs.texts)
    with pytest.raises(ValueError, match="draws one recording"):
        plot_hypnogram(pd_concat_two_files(table))


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet"])
def test_plot_hypnogram_of_a_table_says_what_its_record_says_of_the_encoder(suffix, tmp_path):
    """A table written by probe predict --epoch-seconds of a probe on random weights, drawn
    from its path: NOT PRETRAINED, as the figure drawn by --plot says, because its record
    (sidecar, Parquet metadata) says so (encoder_pretrained false); a table of a pretrained
    one, or a DataFrame read from it by pandas (no record), is not marked. file= picks one
    recording of several; a class named 'NA' stays one."""
    from eegpt.probe_predictions import write_predictions
    from eegpt.viz import NOT_PRETRAINED_TITLE, plot_hypnogram

    table = pd_concat_two_files(_night_table())
    table.loc[table.index[1], "prediction"] = "NA"
    classes = [c[2:] for c in table.columns if c.startswith("p_")] + ["NA"]
    table["p_NA"] = 0.0
    header, rows = list(table.columns), table.astype(object).values.tolist()
    drawn = {}
    for pretrained in (False, None):
        probe = {"path": "probe", **({"encoder_pretrained": False} if pretrained is False else {})}
        path = tmp_path / f"{pretrained}{suffix}"
        write_predictions(path, header, rows, classes, {"probe": probe})
        drawn[pretrained] = plot_hypnogram(path, file="night.edf")
    assert drawn[False]._suptitle.get_text() == NOT_PRETRAINED_TITLE
    assert drawn[None]._suptitle is None
    ax = drawn[False].axes[0]
    assert "NA" in [t.get_text() for t in ax.get_yticklabels()]
    assert len(ax.lines[-1].get_xdata()) == 8  # night.edf's 7 epochs, not both files' 14
    import pandas as pd

    read = pd.read_csv(tmp_path / "False.csv") if suffix == ".csv" else None
    if read is not None:  # no record: unmarked, unless told
        assert plot_hypnogram(read[read["file"] == "night.edf"])._suptitle is None
    with pytest.raises(ValueError, match="give file=name"):
        plot_hypnogram(tmp_path / f"False{suffix}")
    with pytest.raises(ValueError, match="file='x.edf': the table holds no rows of it"):
        plot_hypnogram(tmp_path / f"False{suffix}", file="x.edf")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_plot_hypnogram_refuses_tz_on_a_table_of_a_local_header_clock(suffix, tmp_path):
    """plot_hypnogram(table, tz=) shifted an EDF's times by the zone's offset, though its
    header's start is local wall-clock time, not UTC. The table's record (sidecar, Parquet
    metadata) now says each input's clock: tz= is refused for a file on a local clock, as
    plot_embeddings refuses it; a file on UTC, a table of an eegpt that recorded no clock,
    and a DataFrame (no record) are drawn in the zone as before."""
    from eegpt.probe_predictions import write_predictions
    from eegpt.viz import plot_hypnogram

    table = pd_concat_two_files(_night_table(clock=True))
    table.loc[table["file"] == "other.edf", "file"] = "other_raw.fif"
    header, rows = list(table.columns), table.astype(object).values.tolist()
    classes = [c[2:] for c in table.columns if c.startswith("p_")]
    inputs = [{"name": "night.edf", "clock": "local"}, {"name": "other_raw.fif", "clock": "utc"}]
    path, older = tmp_path / f"pred{suffix}", tmp_path / f"older{suffix}"
    write_predictions(path, header, rows, classes, {"probe": {}, "inputs": inputs})
    write_predictions(
        older, header, rows, classes, {"probe": {}, "inputs": [{"name": "night.edf"}]}
    )
    with pytest.raises(
        ValueError, match=r"night\.edf's clock_time is its header's local wall clock"
    ):
        plot_hypnogram(path, file="night.edf", tz="Europe/Berlin")
    local = plot_hypnogram(path, file="night.edf").axes[0]  # without tz: the clock as it is
    assert local.get_xlabel() == "clock time (local wall clock, no zone), from 2026-03-01 23:50"
    # a clock the record does not call local claims no zone
    unknown = plot_hypnogram(path, file="other_raw.fif").axes[0]
    assert unknown.get_xlabel() == "clock time (recording clock), from 2026-03-01 23:50"
    zoned = "clock time (Europe/Berlin), from 2026-03-02 00:50"
    utc = plot_hypnogram(path, file="other_raw.fif", tz="Europe/Berlin").axes[0]
    assert utc.get_xlabel() == zoned
    unrecorded = plot_hypnogram(older, file="night.edf", tz="Europe/Berlin").axes[0]
    assert unrecorded.get_xlabel() == zoned  # no record of the clock: as given
    frame = table[table["file"] == "night.edf"]
    assert plot_hypnogram(frame, tz="Europe/Berlin").axes[0].get_xlabel() == zoned


def pd_concat_two_files(table):
    import pandas as pd

    other = table.copy()
    other["file"] = "other.edf"
    return pd.concat([table, other])


def test_plot_hypnogram_puts_each_epoch_at_its_own_clock_time():
    """plot_hypnogram placed epochs on the clock axis at the first clock_time plus their
    onsets, which count recorded samples only: after a pause (an EDF+D gap) every later epoch
    was drawn too early while its clock_time jumped. Each epoch is now at its own clock time
    and the pause is left blank."""
    import pandas as pd

    from eegpt.viz import plot_hypnogram

    table = pd.DataFrame(
        {
            "onset_s": [0.0, 30.0, 60.0, 90.0],
            "duration_s": 30.0,
            "prediction": ["W", "N1", "N2", "N2"],
            "p_W": [0.9, 0.1, 0.1, 0.1],
            "p_N1": [0.05, 0.8, 0.1, 0.1],
            "p_N2": [0.05, 0.1, 0.8, 0.8],
            "clock_time": [
                "2026-03-01T23:00:00+00:00",
                "2026-03-01T23:00:30+00:00",
                "2026-03-01T23:10:00+00:00",
                "2026-03-01T23:10:30+00:00",
            ],
        }
    )  # fmt: skip  (9 minutes paused after the second epoch)
    fig = plot_hypnogram(table, probabilities=True)
    (predicted,) = fig.axes[0].lines
    x = np.asarray(predicted.get_xdata(), dtype="datetime64[s]")
    expected = ["23:00:00", "23:00:30", "23:01:00", "23:10:00", "23:10:30", "23:11:00"]
    assert x.tolist() == [np.datetime64(f"2026-03-01T{t}").astype(object) for t in expected]
    y = predicted.get_ydata()
    assert y[:2].tolist() == [0, 1] and np.isnan(y[2]) and y[3:].tolist() == [2, 2, 2]
    plt.close(fig)


def test_hypnogram_clock_claims_no_zone_unless_given_one():
    """The clock axis said "clock time (UTC)", but an EDF header holds the lab's wall clock,
    which MNE labels UTC: the axis says "recording clock" (with the start's date, not an
    offset giving the end's), and a zone given converts to it and is named."""
    import zoneinfo

    from eegpt.viz import plot_hypnogram

    ax = plot_hypnogram(_night_table(clock=True)).axes[0]
    assert ax.get_xlabel() == "clock time (recording clock), from 2026-03-01 23:50"
    assert "UTC" not in ax.get_xlabel()
    ax.figure.canvas.draw()
    assert ax.xaxis.get_major_formatter().get_offset() == ""
    # ticks a full time each (23:50:30, not 30)
    assert all(":" in t.get_text() for t in ax.get_xticklabels() if t.get_text())
    ax = plot_hypnogram(_night_table(clock=True), tz=zoneinfo.ZoneInfo("Europe/Berlin")).axes[0]
    assert ax.get_xlabel() == "clock time (Europe/Berlin), from 2026-03-02 00:50"
    x = np.asarray(ax.lines[-1].get_xdata(), dtype="datetime64[s]")
    assert x[0] == np.datetime64("2026-03-01T23:50:17")  # the recording's clock; labels in tz
    ax.figure.canvas.draw()
    assert "00:51" in [t.get_text() for t in ax.get_xticklabels()]


def test_hypnogram_shades_bad_epochs():
    """Epochs with bad=True (a BAD_ annotation over them) looked like any other: they are
    shaded light red and hatched (for grayscale), with a legend entry; from bad= or the
    table's bad column."""
    from eegpt.viz import BAD_EPOCH_COLOR, plot_hypnogram

    table = _night_table()
    table["bad"] = [False, True, True, False, False, False, True]
    ax = plot_hypnogram(table).axes[0]
    spans = [p for p in ax.patches if p.get_label() != "" and p.get_hatch()]
    assert len(spans) == 2  # epochs 1-2 one span, epoch 6 another
    assert all(p.get_hatch() == "///" for p in spans)
    assert matplotlib.colors.same_color(spans[0].get_facecolor()[:3], BAD_EPOCH_COLOR)
    np.testing.assert_allclose(spans[0].get_x(), 30 / 3600)
    np.testing.assert_allclose(spans[0].get_width(), 60 / 3600)
    assert "bad (annotation)" in [t.get_text() for t in ax.get_legend().get_texts()]
    ax = plot_hypnogram(table, bad=[False] * 6 + [True]).axes[0]  # given: the column ignored
    assert len([p for p in ax.patches if p.get_hatch()]) == 1
    with pytest.raises(ValueError, match="bad: 2 values for 7 epochs"):
        plot_hypnogram(table, bad=[True, False])


def test_hypnogram_y_label_and_width_fit_the_classes_and_the_night():
    """The y axis said "stage" for any classes, and a night of 24 h was as wide as one of
    an hour."""
    import pandas as pd

    from eegpt.viz import plot_hypnogram

    assert plot_hypnogram(_night_table()).axes[0].get_ylabel() == "stage"
    table = pd.DataFrame({"onset_s": 30.0 * np.arange(4), "prediction": ["left", "right"] * 2})
    assert plot_hypnogram(table).axes[0].get_ylabel() == "class"
    short = plot_hypnogram(_night_table()).get_size_inches()[0]
    n = 2 * 60 * 20  # 20 h
    night = pd.DataFrame({"onset_s": 30.0 * np.arange(n), "prediction": ["W", "N2"] * (n // 2)})
    long = plot_hypnogram(night).get_size_inches()[0]
    assert short == 10 and 10 < long <= 20


def _electrode(ax, name):
    """The marker of vocabulary electrode ``name`` (every electrode drawn)."""
    return dict(zip(VOCABULARY, ax.collections, strict=True))[name]


def test_head_names_electrodes_as_montages_spell_them():
    """The head wrote FP1, FZ, CZ, POZ: the vocabulary's capitals, not the 10-05 names."""
    ax = plot_channel_mapping(map_channels(["Fp1", "Cz"], verbose=False)).axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert {"Fp1", "Fpz", "Fz", "Cz", "FCz", "POz", "AF7"} <= set(texts)
    assert not {"FP1", "FZ", "CZ", "POZ"} & set(texts)


def test_a_bad_channel_the_mapping_uses_is_not_drawn_as_a_clean_used_one():
    """bads naming a channel the mapping uses were ignored (drawn green, "used"): it keeps its
    colour, crossed in red, with a legend row of its own."""
    from eegpt.viz import ELECTRODE_STYLES

    mapping = map_channels(["Fz", "C3-A1", "Pz"], verbose=False)
    ax = plot_channel_mapping(mapping, bads=["C3-A1"]).axes[0]
    c3, fz = _electrode(ax, "C3"), _electrode(ax, "FZ")
    assert c3.get_hatch() == ELECTRODE_STYLES["bad_used"]["hatch"] and fz.get_hatch() is None
    assert matplotlib.colors.same_color(c3.get_edgecolor()[0], "#b2182b")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["used (2)", "used, but marked bad in the recording (1)"]
    handle = ax.get_legend().legend_handles[1]
    assert handle.get_hatch() == ELECTRODE_STYLES["bad_used"]["hatch"] * 2  # a full cross


def test_bad_and_dropped_electrodes_differ_from_absent_ones_in_grayscale():
    """Absent (grey), bad (pink) and dropped (pale blue) have about one lightness: bad ones
    are hatched with a cross, dropped ones have a dashed edge, in the head and its legend."""
    mapping = map_channels(["Fz", "Cz", "AF7"], rename={"AF7": None}, verbose=False)
    ax = plot_channel_mapping(mapping, bads=["Oz"]).axes[0]
    oz, af7, pz = _electrode(ax, "OZ"), _electrode(ax, "AF7"), _electrode(ax, "PZ")
    assert oz.get_hatch() == "xx" and pz.get_hatch() is None and af7.get_hatch() is None
    assert af7.get_linestyle()[0][1] is not None  # dashes
    assert oz.get_linestyle()[0][1] is None and pz.get_linestyle()[0][1] is None
    handles = dict(zip([t.get_text() for t in ax.get_legend().get_texts()],
                       ax.get_legend().legend_handles, strict=True))  # fmt: skip
    assert handles["marked bad in the recording, not used (1)"].get_hatch() == "xxxx"
    # the title counts as absent only the pretraining channels not in the recording (not Oz,
    # marked bad, nor AF7, left out, the latter no pretraining channel anyway)
    assert "58 not in the recording\n(55 of its 58 pretraining channels)" in ax.get_title()
    assert "not in the recording (58)" in handles
    assert handles["in the recording, left out (1)"].get_linestyle() == "--"


def test_left_out_channel_names_are_not_broken_at_their_hyphens():
    names = ["Cz", *(f"EEG Q{chr(97 + i)}-R\u00e9f\u00e9rence_moyenne" for i in range(12))]
    with pytest.warns(RuntimeWarning):
        mapping = map_channels(names)
    ax = plot_channel_mapping(mapping).axes[0]
    (text,) = [t.get_text() for t in ax.texts if t.get_text().startswith("left out")]
    assert "\n" in text and not any(line.endswith("-") for line in text.split("\n"))
    assert all(f"Q{chr(97 + i)}-R\u00e9f\u00e9rence_moyenne" in text for i in range(12))


def test_show_absent_false_draws_only_the_recordings_electrodes():
    mapping = map_channels(["Fz", "Cz", "Pz"], verbose=False)
    ax = plot_channel_mapping(mapping, bads=["Oz"], show_absent=False).axes[0]
    assert len(ax.collections) == 4  # Fz, Cz, Pz and the bad Oz
    texts = [t.get_text() for t in ax.texts]
    assert {"Fz", "Cz", "Pz", "Oz"} <= set(texts) and "Fp1" not in texts
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["used (3)", "marked bad in the recording, not used (1)"]


def test_electrode_sizes_follow_the_axes_as_drawn():
    """Marker and label sizes were fixed in points from the axes' size at the call: a head in
    an axes that the layout (or a resize) later grew kept tiny labels. They are set when drawn,
    from the axes' final size."""
    mapping = map_channels(["Fz", "Cz", "Pz"], verbose=False)
    fig, ax = plt.subplots(figsize=(4, 4))
    plot_channel_mapping(mapping, ax=ax)
    fig.canvas.draw()
    cz = next(t for t in ax.texts if t.get_text() == "Cz")
    small, dot = cz.get_fontsize(), _electrode(ax, "CZ").get_sizes()[0]
    fig.set_size_inches(8, 8)
    fig.canvas.draw()
    assert cz.get_fontsize() == pytest.approx(2 * small, rel=0.02)
    assert _electrode(ax, "CZ").get_sizes()[0] == pytest.approx(4 * dot, rel=0.04)
    # neighbours (F6/F8, FC6/FT8) clear of each other, not touching: a gap of 10% at least
    centres = np.array([ax.transData.transform(c.get_offsets()[0]) for c in ax.collections])
    radii = np.sqrt([c.get_sizes()[0] for c in ax.collections]) / 2 * fig.dpi / 72
    edges = np.array([c.get_linewidths()[0] for c in ax.collections]) / 2 * fig.dpi / 72
    reach = radii + edges
    apart = np.hypot(*(centres[:, None] - centres[None]).transpose(2, 0, 1))
    np.fill_diagonal(apart, np.inf)
    assert (apart >= 1.1 * (reach[:, None] + reach[None])).all()


# ------------------------------------------------------------------ embeddings: review fixes


def _noise(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 2, 2, 16)).astype(np.float32)


def test_class_scatter_legend_lists_every_class_inside_the_figure():
    """25 classes (and 60): the legend takes more columns, all of its entries inside the
    saved figure."""
    for n_classes in (25, 60):
        labels = [f"class {i:02d}" for i in range(n_classes)] * 4
        emb = Embeddings(_noise(len(labels)), np.arange(len(labels)) * 4.0, {"labels": labels})
        fig = plot_embeddings(emb)
        fig.canvas.draw()
        legend = fig.axes[0].get_legend()
        assert len(legend.get_texts()) == n_classes
        assert _within(legend.get_window_extent(), fig.bbox)
        for text in legend.get_texts():
            assert _within(text.get_window_extent(), fig.bbox)
        plt.close(fig)


def test_embeddings_that_are_not_finite_are_refused_with_the_windows_named():
    data = _noise(30)
    data[[3, 17]] = np.nan
    emb = Embeddings(data, np.arange(30) * 4.0, {})
    with pytest.raises(ValueError, match=r"2 of 30 windows .* not finite .*windows 3 \(12 s\), "
                                         r"17 \(68 s\) .*np\.isfinite"):  # fmt: skip
        emb.plot()
    data[:8] = np.inf
    with pytest.raises(ValueError, match=r"9 of 30 windows.* and 4 more"):
        plot_embeddings(Embeddings(data, np.arange(30) * 4.0, {"labels": ["a", "b"] * 15}))


def test_embeddings_titles_shorten_long_names_and_name_data_made_in_memory():
    name = "sub-0001_ses-01_task-overnightpolysomnographyrecording_acq-highdensity_run-01_eeg.edf"
    labels = ["a", "b"] * 15
    for meta in ({"source": f"/data/{name}"}, {"source": f"/data/{name}", "labels": labels}):
        fig = plot_embeddings(Embeddings(_noise(30), np.arange(30) * 4.0, meta))
        fig.canvas.draw()
        title = fig.axes[0].title
        assert "..." in title.get_text() and title.get_text().endswith("_run-01_eeg.edf")
        assert _within(title.get_window_extent(), fig.bbox)
        plt.close(fig)
    epochs = Embeddings(_noise(30), np.arange(30) * 4.0, {"source": "<Epochs>", "labels": labels})
    assert plot_embeddings(epochs).axes[0].get_title() == (
        "EEGPT epoch embeddings of 30 epochs in memory"
    )
    raw = Embeddings(_noise(30), np.arange(30) * 4.0, {"source": "<Raw>"})
    assert plot_embeddings(raw).axes[0].get_title().endswith("of a recording in memory")


def test_small_shares_of_variance_read_below_one_percent_not_zero():
    rng = np.random.default_rng(0)
    big = np.linspace(-100, 100, 40)[:, None, None, None] * rng.normal(size=(1, 1, 1, 16))
    data = (big + 0.01 * rng.normal(size=(40, 2, 2, 16))).astype(np.float32)
    emb = Embeddings(data, np.arange(40) * 4.0, {})
    labels = [t.get_text() for t in plot_embeddings(emb).axes[0].get_legend().get_texts()]
    assert labels[1] == "PC 2 (<1% of variance)"
    emb.metadata["labels"] = ["a", "b"] * 20
    assert plot_embeddings(emb).axes[0].get_ylabel() == "PC 2 (<1% of variance)"


def test_components_and_classes_differ_in_colour_line_style_and_marker():
    from eegpt.viz import CLASS_COLORS, PC_COLORS

    emb = Embeddings(_noise(30), np.arange(30) * 4.0, {})
    lines = plot_embeddings(emb, components=5).axes[0].lines
    to_hex = matplotlib.colors.to_hex
    assert [to_hex(line.get_color()) for line in lines] == [c.lower() for c in PC_COLORS[:5]]
    okabe_ito = {c.lower() for c in CLASS_COLORS}
    assert {to_hex(line.get_color()) for line in lines} <= okabe_ito
    assert len({line.get_linestyle() for line in lines}) >= 4  # grayscale: styles differ
    assert len({line.get_marker() for line in lines}) == 5
    emb.metadata["labels"] = ["W", "N1", "N2", "N3", "R"] * 6
    scatter = plot_embeddings(emb).axes[0].collections
    shapes = {c.get_paths()[0].vertices.tobytes() for c in scatter}
    assert len(shapes) == 5  # a marker per class, not circles for the first 20


def test_time_axis_is_seconds_unless_asked_and_clock_time_is_offered():
    """The x axis stays in seconds, however long the recording (seconds drawn on the returned
    axes fall in place); minutes, hours and the clock are asked for, spans converted too."""
    n = int(12.0 * 900)  # 12 h of 4 s windows
    emb = Embeddings(_noise(n), np.arange(n) * 4.0, {"meas_date": "2024-01-01T22:00:00"})
    for time, unit, scale in (("onset", "s", 1), ("min", "min", 60), ("h", "h", 3600)):
        ax = plot_embeddings(emb, time=time, spans=[(3600.0, 7200.0)]).axes[0]
        assert ax.get_xlabel() == f"window onset ({unit})"
        np.testing.assert_allclose(ax.lines[0].get_xdata(), emb.onsets / scale)
        shaded = ax.patches[0].get_x(), ax.patches[0].get_x() + ax.patches[0].get_width()
        np.testing.assert_allclose(shaded, (3600.0 / scale, 7200.0 / scale))
    ax = plot_embeddings(emb, time="clock").axes[0]
    assert ax.get_xlabel() == "window onset, clock time (recording clock), from 2024-01-01 22:00"
    assert ax.lines[0].get_xdata()[0] == np.datetime64("2024-01-01T22:00:00")
    ax.figure.canvas.draw()  # no offset text ("2024-Jan-01") over the label, which has the date
    assert ax.xaxis.get_offset_text().get_text() == ""
    with pytest.raises(ValueError, match="measurement date") as err:
        plot_embeddings(Embeddings(_noise(5), np.arange(5) * 4.0, {}), time="clock")
    # said in the terms of the call made, not of Embeddings.clock_times it runs
    assert str(err.value).startswith("time='clock': the recording has no measurement date")
    assert str(err.value).endswith("seconds only (time='onset', 'min' or 'h')")
    assert "absolute=" not in str(err.value)
    with pytest.raises(ValueError, match="'onset', 'min', 'h' or 'clock'"):
        plot_embeddings(emb, time="hours")


def test_clock_axis_in_a_zone_as_the_hypnogram_s():
    """tz= shows a truly-UTC clock in a zone, named as plot_hypnogram names it; only on the
    clock axis."""
    import zoneinfo

    from eegpt.viz import plot_hypnogram

    emb = Embeddings(_noise(8), np.arange(8) * 4.0, {"meas_date": "2026-03-01T23:50:00+00:00"})
    for tz in ("Europe/Berlin", zoneinfo.ZoneInfo("Europe/Berlin")):
        ax = plot_embeddings(emb, time="clock", tz=tz).axes[0]
        assert ax.get_xlabel() == "window onset, clock time (Europe/Berlin), from 2026-03-02 00:50"
        assert ax.lines[0].get_xdata()[1] == np.datetime64("2026-03-01T23:50:04")  # as UTC
    hypnogram = plot_hypnogram(
        {"onset_s": [0.0, 30.0], "prediction": ["W", "N1"],
         "clock_time": ["2026-03-01T23:50:00+00:00", "2026-03-01T23:50:30+00:00"]},
        tz="Europe/Berlin",
    ).axes[0]  # fmt: skip
    assert ax.get_xlabel() == f"window onset, {hypnogram.get_xlabel()}"
    with pytest.raises(ValueError, match="tz applies to time='clock'"):
        plot_embeddings(emb, tz="UTC")
    # an EDF's header clock is local wall time in no known zone: no zone converts it
    local = Embeddings(emb.data, emb.onsets, {**emb.metadata, "clock": "local"})
    with pytest.raises(ValueError, match=r"header's local wall clock \(metadata\['clock'\]"):
        plot_embeddings(local, time="clock", tz="Europe/Berlin")
    # said to be that header's wall clock, not "recording clock" as a clock of unknown kind
    assert (
        plot_embeddings(local, time="clock").axes[0].get_xlabel()
        == "window onset, clock time (local wall clock, no zone), from 2026-03-01 23:50"
    )


def test_lines_break_at_a_gap_of_an_edf_d_file():
    """MNE reads an EDF+D file's stretches back to back: the onsets run on, but the clock
    jumps 80 s at 20 s; the lines break there, in either time base."""
    meta = {"record_clock": {"sample_starts": [0.0, 20.0], "clock_starts": [0.0, 100.0]},
            "meas_date": "2024-01-01T00:00:00",
            "preprocessing": {"window_seconds": 4.0, "overlap": 0.0}}  # fmt: skip
    emb = Embeddings(_noise(10), np.arange(10) * 4.0, meta)
    for time in ("onset", "clock"):
        x = plot_embeddings(emb, time=time).axes[0].lines[0].get_xdata()
        assert len(x) == 11
        blank = (
            np.isnat(x[5]) if np.issubdtype(np.asarray(x).dtype, np.datetime64) else np.isnan(x[5])
        )
        assert blank


def test_wrapped_text_breaks_at_spaces_not_at_the_hyphens_of_names():
    from eegpt.viz import _wrap

    text = "probe trained on the recording eyes-closed-resting-state"  # 36 chars a line
    lines = _wrap(text, 200, 10).split("\n")
    assert lines == ["probe trained on the recording", "eyes-closed-resting-state"]
    assert all(len(line) <= 36 for line in _wrap("x" * 100, 200, 10).split("\n"))


# a continuous 4 h night across a daylight-saving change in Europe/Berlin (UTC+1 -> +2 at
# 01:00 UTC on 2024-03-31, UTC+2 -> +1 at 01:00 UTC on 2024-10-27)
DST_NIGHTS = {"spring": ("2024-03-30T23:00:00", ("01:59", "03:00")),
              "autumn": ("2024-10-26T23:00:00", ("02:59", "02:00"))}  # fmt: skip


@pytest.mark.parametrize("night", sorted(DST_NIGHTS))
def test_a_daylight_saving_night_stays_on_one_timeline(night):
    """With tz=, the times were turned into local wall-clock times before plotting: in spring
    a fake 1 h pause (hypnogram) or a line bridging a 1 h hole, in autumn 02:00-03:00 drawn
    twice over itself. x stays on the recording's clock (continuous, constant step, no gap),
    the zone only in the tick labels and the axis label."""
    import pandas as pd

    from eegpt.viz import plot_hypnogram

    start, local_ticks = DST_NIGHTS[night]
    start_utc = pd.Timestamp(start, tz="UTC")
    local_start = start_utc.tz_convert("Europe/Berlin").strftime("%Y-%m-%d %H:%M")
    n = 4 * 120  # 4 h of 30 s epochs
    onsets = np.arange(n) * 30.0
    table = {"onset_s": onsets, "duration_s": np.full(n, 30.0),
             "prediction": ["W", "N1", "N2", "N3"] * (n // 4),
             "clock_time": [(start_utc + pd.Timedelta(seconds=s)).isoformat() for s in onsets]}  # fmt: skip
    ax = plot_hypnogram(table, tz="Europe/Berlin").axes[0]
    (line,) = ax.lines
    x = np.asarray(line.get_xdata(), dtype="datetime64[s]")
    assert len(x) == n + 1  # no gap inserted: no extra edge, no NaN blank
    assert not np.isnan(np.asarray(line.get_ydata(), dtype=float)).any()
    assert (np.diff(x) == np.timedelta64(30, "s")).all()
    assert ax.get_xlabel() == f"clock time (Europe/Berlin), from {local_start}"
    emb = Embeddings(_noise(n), onsets, {"meas_date": f"{start}+00:00",
                                         "preprocessing": {"window_seconds": 30.0, "overlap": 0.0}})  # fmt: skip
    ax2 = plot_embeddings(emb, time="clock", tz="Europe/Berlin").axes[0]
    x2 = np.asarray(ax2.lines[0].get_xdata(), dtype="datetime64[s]")
    assert len(x2) == n and not np.isnat(x2).any()
    assert (np.diff(x2) == np.timedelta64(30, "s")).all()
    assert ax2.get_xlabel() == f"window onset, clock time (Europe/Berlin), from {local_start}"
    for axes in (ax, ax2):  # the whole night in local hours, none twice in spring
        axes.figure.canvas.draw()
        labels = [t.get_text() for t in axes.get_xticklabels() if t.get_text()]
        assert "03:00" in labels, labels
        if night == "spring":
            assert len(set(labels)) == len(labels) and "02:00" not in labels, labels
    for axes in (ax, ax2):  # around the change: local times, 01:59 then 03:00 / 02:59 then 02:00
        axes.set_xlim(
            np.datetime64(start) + np.timedelta64(119, "m"),
            np.datetime64(start) + np.timedelta64(121, "m"),
        )
        axes.figure.canvas.draw()
        labels = [t.get_text() for t in axes.get_xticklabels() if t.get_text()]
        before, after = local_ticks
        assert any(t.startswith(before) for t in labels), labels
        assert any(t.startswith(after) for t in labels), labels


def test_hypnogram_of_other_classes_is_titled_predicted_classes():
    """Seizure/background epochs: not a "hypnogram", and the agreement stands beside the
    balanced accuracy and the always-majority baseline (97% for always 'background')."""
    from eegpt.viz import plot_hypnogram

    n = 100
    scored = ["background"] * 97 + ["seizure"] * 3
    predicted = ["background"] * 98 + ["seizure"] * 2  # one seizure epoch missed
    ax = plot_hypnogram({"onset_s": np.arange(n) * 10.0, "prediction": predicted,
                         "label": scored}).axes[0]  # fmt: skip
    title = ax.get_title()
    assert title.startswith("predicted classes: 100 epochs of 10 s"), title
    assert "99.0% of the 100 scored agree (balanced accuracy 83.3%; always 'background': " \
           "97.0%)" in title  # fmt: skip
    assert "hypnogram" not in title
    plt.close(ax.figure)


def test_one_epoch_hypnogram_title_and_compressed_tiff(tmp_path):
    """The title said "1 epochs"; a TIFF was written uncompressed (2.9 MB at 120 dpi)."""
    from PIL import Image

    from eegpt.viz import plot_hypnogram, save_figure

    ax = plot_hypnogram({"onset_s": [0.0], "prediction": ["N2"]}).axes[0]
    assert ax.get_title().startswith("hypnogram: 1 epoch of ")
    path = save_figure(ax.figure, tmp_path / "h.tiff", dpi=60)
    with Image.open(path) as image:
        assert image.info.get("compression") == "tiff_lzw"


def test_hypnogram_draws_epochs_over_a_gap_where_their_data_lie_on_the_clock():
    """An EDF+D night (stretches of 72, 72 and 60 s at 0, 100 and 200.5 s on the clock) in
    60 s epochs: an epoch over a gap is drawn in pieces where its data lie (the gap blank, a
    bad one shaded there only), and the last (24 s of data) ends with the recording."""
    import pandas as pd
    from matplotlib.dates import date2num

    from eegpt.viz import plot_hypnogram

    clock_s = [0.0, 60.0, 148.0, 236.5]
    start = np.datetime64("2026-11-03T23:58:00", "us")
    epochs = pd.DataFrame({
        "onset_s": [0.0, 60.0, 120.0, 180.0], "duration_s": 60.0,
        "covered_s": [60.0, 60.0, 60.0, 24.0], "prediction": ["W", "N1", "N2", "N2"],
        "clock_time": [str(start + np.timedelta64(int(s * 1e6), "us")) for s in clock_s],
        "bad": [False, True, False, False],
    })  # fmt: skip
    clock = {"sample_starts": [0.0, 72.0, 144.0], "clock_starts": [0.0, 100.0, 200.5]}
    fig = plot_hypnogram(epochs, record_clock=clock)
    ax = fig.axes[0]
    zero = date2num(start.astype("datetime64[ns]"))

    def seconds(days):
        return np.round((np.asarray(days, dtype=float) - zero) * 86400, 3).tolist()

    (line,) = [ln for ln in ax.lines if ln.get_label() == "predicted"]
    x = date2num(np.asarray(line.get_xdata(), dtype="datetime64[ns]"))
    y = np.asarray(line.get_ydata(), dtype=float)
    # step edges: 72 and 172 end a stretch (blank after), the last ends at 260.5 s
    assert seconds(x) == [0, 60, 72, 100, 148, 172, 200.5, 236.5, 260.5]
    assert np.isnan(y[[2, 5]]).all() and not np.isnan(y[[0, 1, 3, 4, 6, 7]]).any()
    spans = sorted((p.get_x(), p.get_x() + p.get_width()) for p in ax.patches)
    assert [seconds(s) for s in spans] == [[60, 72], [100, 148]]  # the bad epoch's data
    plt.close(fig)


def test_hypnogram_in_hours_puts_epochs_over_a_gap_on_the_clock_too():
    """clock=False with an EDF+D file's record_clock: the epochs after a gap were drawn at
    their seconds of data while the pieces over the gap were moved on by it, so that a piece
    ran into the next epoch (N1's data after the gap drawn 100-120 s, N2 from 120 s); now
    every epoch is on the clock, in hours from the first, the gaps blank."""
    from eegpt.viz import plot_hypnogram

    epochs = {"onset_s": [0.0, 60.0, 120.0, 180.0], "duration_s": [60.0] * 4,
              "covered_s": [60.0, 60.0, 60.0, 24.0], "prediction": ["W", "N1", "N2", "N3"]}  # fmt: skip
    clock = {"sample_starts": [0.0, 72.0, 144.0], "clock_starts": [0.0, 100.0, 200.5]}
    ax = plot_hypnogram(epochs, record_clock=clock, clock=False).axes[0]
    assert ax.get_xlabel() == "hours from the first epoch"
    (line,) = [ln for ln in ax.lines if ln.get_label() == "predicted"]
    x = np.round(np.asarray(line.get_xdata(), dtype=float) * 3600, 3).tolist()
    assert x == [0, 60, 72, 100, 148, 172, 200.5, 236.5, 260.5]  # as on the clock axis
    y = np.asarray(line.get_ydata(), dtype=float)
    assert np.isnan(y[[2, 5]]).all() and not np.isnan(y[[0, 1, 3, 4, 6, 7]]).any()
    assert np.all(np.diff(x) > 0)
    plt.close(ax.figure)


def test_drawing_without_matplotlib_says_so_before_the_work(tmp_path, monkeypatch, capsys):
    """matplotlib missing (an install without dependencies): a command with --plot did its
    work and then failed as "internal error ... a bug in eegpt"; it now stops at once with a
    one-line error saying what to install, and eegpt.viz says it too."""
    import sys

    import mne

    from eegpt._viz_common import pyplot_module
    from eegpt.cli import main
    from eegpt.errors import MissingDependencyError

    info = mne.create_info(["Fp1", "Cz", "O2"], 256.0, "eeg")
    fif = tmp_path / "rec_raw.fif"
    mne.io.RawArray(np.zeros((3, 512)), info, verbose=False).save(fif, verbose=False)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as import finds no matplotlib
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    png = tmp_path / "map.png"
    assert main(["channels", str(fif), "--plot", str(png)]) == 1
    captured = capsys.readouterr()
    assert "Fp1" not in captured.out  # stopped before the mapping was worked out
    assert "--plot draws with matplotlib, which is not installed" in captured.err
    assert "pip install 'matplotlib>=3.7.3'" in captured.err
    assert "bug in eegpt" not in captured.err and not png.exists()
    with pytest.raises(MissingDependencyError, match="pip install 'matplotlib>=3.7.3'"):
        pyplot_module()


def test_hypnogram_of_a_table_names_its_recording_in_the_title(tmp_path):
    """plot_hypnogram of probe predict's table (its path, or rows of one file) was titled
    "hypnogram: 40 epochs of 30 s" without the recording, which --plot's panels name."""
    import pandas as pd

    from eegpt.viz import plot_hypnogram

    table = pd.DataFrame({"file": ["/data/night-1.edf"] * 3 + ["/data/night-2.edf"] * 2,
                          "onset_s": [0.0, 30.0, 60.0, 0.0, 30.0], "duration_s": 30.0,
                          "prediction": ["W", "N1", "N2", "W", "W"]})  # fmt: skip
    path = tmp_path / "hypnogram.csv"
    table.to_csv(path, index=False)
    ax = plot_hypnogram(path, file="/data/night-2.edf").axes[0]
    assert ax.get_title() == "night-2.edf: hypnogram: 2 epochs of 30 s"
    one = table[table["file"] == "/data/night-1.edf"]
    assert plot_hypnogram(one).axes[0].get_title().startswith("night-1.edf: hypnogram: 3 ")
    assert plot_hypnogram(one, title="N1").axes[0].get_title() == "N1"
    plt.close("all")


def test_epochs_without_a_label_are_drawn_apart_not_refused_or_named_nan():
    """Labels with missing ones (None, NaN: the event column of a table of labelled and
    unlabelled recordings) failed with numpy's "'<' not supported between 'NoneType' and
    'str'", or drew NaN as a class named 'nan'; they are grey crosses, "no label"."""
    import pandas as pd

    rng = np.random.default_rng(0)
    data = rng.standard_normal((5, 2, 4, 8)).astype(np.float32)
    for missing in (None, np.nan, pd.NA):
        emb = Embeddings(data, np.arange(5) * 4.0, {"labels": ["a", missing, "b", "a", "b"]})
        ax = plot_embeddings(emb).axes[0]
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert texts == ["a (2)", "b (2)", "no label (1)"], texts
        crosses = ax.collections[-1]
        assert len(crosses.get_offsets()) == 1
        assert sum(len(c.get_offsets()) for c in ax.collections) == 5
        plt.close(ax.figure)
    # numbers stay numbers beside a missing one; none given at all: drawn over time
    emb = Embeddings(data, np.arange(5) * 4.0, {"labels": [1, 2, None, 1, 1]})
    texts = [t.get_text() for t in plot_embeddings(emb).axes[0].get_legend().get_texts()]
    assert texts == ["1 (3)", "2 (1)", "no label (1)"]
    emb = Embeddings(data, np.arange(5) * 4.0, {"labels": [None] * 5})
    assert plot_embeddings(emb).axes[0].get_xlabel() == "window onset (s)"
    plt.close("all")


def test_hypnogram_of_rows_out_of_time_order_is_drawn_in_time_order():
    """A table whose rows are not in time order (sorted by stage, joined): the title said
    "3 epochs of -15 s" and the step line ran back and forth; the rows are drawn by onset,
    a bad= given in the rows' order following them."""
    import pandas as pd

    from eegpt.viz import plot_hypnogram

    rows = {"onset_s": [60.0, 0.0, 30.0], "prediction": ["N2", "W", "N1"],
            "label": ["N2", "W", "W"]}  # fmt: skip
    for table in (rows, pd.DataFrame(rows)):
        ax = plot_hypnogram(table, bad=[True, False, False]).axes[0]
        assert ax.get_title().startswith("hypnogram: 3 epochs of 30 s, 66.7% of the 3 scored")
        (line,) = [ln for ln in ax.lines if ln.get_label() == "predicted"]
        np.testing.assert_allclose(np.asarray(line.get_xdata()) * 3600, [0, 30, 60, 90])
        np.testing.assert_array_equal(line.get_ydata(), [0, 1, 2, 2])  # W, N1, N2
        (span,) = ax.patches  # the bad epoch, N2's at 60-90 s
        np.testing.assert_allclose([span.get_x() * 3600, span.get_width() * 3600], [60, 30])
        plt.close(ax.figure)


def test_plot_hypnogram_without_pandas_names_the_extra(tmp_path, monkeypatch):
    """Without pandas (a plain `pip install .`), a hypnogram of a prediction table's path or
    on the recording's clock is refused with the extra to install (it crashed with
    ModuleNotFoundError); one in hours of recording from a mapping needs no pandas."""
    import sys

    from eegpt.errors import MissingDependencyError
    from eegpt.viz import plot_hypnogram

    table = tmp_path / "p.csv"
    table.write_text("file,onset_s,prediction\nrec.edf,0,W\nrec.edf,30,N1\n")
    epochs = {"onset_s": [0.0, 30.0], "prediction": ["W", "N1"],
              "clock_time": ["2026-03-01T22:00:00", "2026-03-01T22:00:30"]}  # fmt: skip
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` raises ImportError
    hint = r"needs pandas: pip install pyarrow pandas \(from a clone of eegpt"
    with pytest.raises(MissingDependencyError, match=rf"^plot_hypnogram of a .*{hint}"):
        plot_hypnogram(table)
    with pytest.raises(MissingDependencyError, match=rf"recording's clock .*{hint}"):
        plot_hypnogram(epochs)
    fig = plot_hypnogram(epochs, clock=False)
    assert fig.axes[0].get_xlabel()
    plt.close(fig)


def test_sleep_stages_are_drawn_in_the_aasm_order_by_default():
    """A confusion matrix of sleep stages was drawn in alphabetical order (N1, N2, N3, R, W);
    classes that are all sleep stages' names (W/Wake, N1, Sleep stage 2, REM ...) are now in
    the AASM order W, N1, N2, N3, R by default, R&K's stage 4 after 3; other classes stay
    sorted, and labels= still wins."""
    from eegpt.viz import plot_confusion_matrix, stage_order

    def ticks(y, **kwargs):
        ax = plot_confusion_matrix(y, y, colorbar=False, **kwargs).axes[0]
        return [t.get_text() for t in ax.get_xticklabels()]

    assert ticks(np.array(["R", "N3", "W", "N2", "N1"] * 3)) == ["W", "N1", "N2", "N3", "R"]
    sleep_edf = ["Sleep stage 4", "Sleep stage R", "Sleep stage W", "Sleep stage 1",
                 "Sleep stage 3", "Sleep stage 2"]  # fmt: skip
    assert stage_order(sleep_edf, aasm=True) == [
        "Sleep stage W", "Sleep stage 1", "Sleep stage 2", "Sleep stage 3", "Sleep stage 4",
        "Sleep stage R"]  # fmt: skip
    assert stage_order(["rem", "Wake", "n2"], aasm=True) == ["Wake", "n2", "rem"]
    assert ticks(np.array(["right", "left", "feet"] * 2)) == ["feet", "left", "right"]
    given = ["R", "N3", "N2", "N1", "W"]
    assert ticks(np.array(given * 2), labels=given) == given


def test_a_class_keeps_its_colour_in_a_recording_that_lacks_another():
    """Class colours went by the classes present: a night without N3 drew R and W in other
    colours than a night with it. Sleep stages now take the style of their place among all
    the stages; other classes keep theirs where the full list is given (class_order, e.g. a
    probe's classes_), the legend listing only those present."""
    to_rgba = matplotlib.colors.to_rgba
    rng = np.random.default_rng(7)

    def styles(labels, **kwargs):
        data = rng.normal(size=(len(labels), 4, 2, 8)).astype(np.float32)
        emb = Embeddings(data, np.arange(len(labels)) * 30.0, {"labels": list(labels)})
        ax = plot_embeddings(emb, **kwargs).axes[0]
        names = [t.get_text().split(" (")[0] for t in ax.get_legend().get_texts()]
        return {
            n: (to_rgba(c.get_facecolor()[0], 1), c.get_paths()[0].vertices.tobytes())
            for n, c in zip(names, ax.collections, strict=True)
        }

    full = styles(["W", "N1", "N2", "N3", "R"] * 4)
    for lacking in (["W", "N1", "N2", "R"] * 5, ["R", "N2"] * 6, ["Wake", "REM", "N3"] * 4):
        some = styles(lacking)
        aliases = {"Wake": "W", "REM": "R"}
        assert all(style == full[aliases.get(c, c)] for c, style in some.items()), lacking
    classes = ["feet", "left", "right", "tongue"]
    everything = styles(classes * 4, class_order=classes)
    without_feet = styles(["left", "right", "tongue"] * 4, class_order=classes)
    assert list(without_feet) == ["left", "right", "tongue"]
    assert all(without_feet[c] == everything[c] for c in without_feet)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_plot_hypnogram_tells_inputs_of_one_name_in_other_folders_apart(suffix, tmp_path):
    """A table of sub-01/ses-1/eeg/x.edf (a header's local clock) and sub-02/ses-1/eeg/x.edf
    (UTC) matched each row to the clocks of every input named x.edf, so tz= was refused for
    sub-02's rows too. The record now names such inputs by the tail of their path that tells
    them apart (file), and each row is matched to its own input."""
    import argparse
    import types

    from eegpt.probe_predictions import prediction_provenance, write_predictions
    from eegpt.viz import plot_hypnogram

    night = _night_table(clock=True)
    first, second = (str(tmp_path / f"sub-0{k}" / "ses-1" / "eeg" / "x.edf") for k in (1, 2))
    table = pd_concat_two_files(night)
    table.loc[table["file"] == "night.edf", "file"] = first
    table.loc[table["file"] == "other.edf", "file"] = second
    args = argparse.Namespace(probe=tmp_path / "probe", data=[first, second], labels=None,
                              rescale=1.0)  # fmt: skip
    provenance = prediction_provenance(
        args, types.SimpleNamespace(encoder={}), table["file"].tolist(),
        clocks={first: "local", second: "acq_time"},
    )  # fmt: skip
    assert [i.get("file") for i in provenance["inputs"]] == [
        "sub-01/ses-1/eeg/x.edf", "sub-02/ses-1/eeg/x.edf"]  # fmt: skip
    path = tmp_path / f"pred{suffix}"
    classes = [c[2:] for c in table.columns if c.startswith("p_")]
    header, rows = list(table.columns), table.astype(object).values.tolist()
    write_predictions(path, header, rows, classes, provenance)
    ax = plot_hypnogram(path, file=second, tz="Europe/Berlin").axes[0]
    assert ax.get_xlabel() == "clock time (Europe/Berlin), from 2026-03-02 00:50"
    with pytest.raises(ValueError, match=r"x\.edf's clock_time is its header's local wall"):
        plot_hypnogram(path, file=first, tz="Europe/Berlin")


def test_hypnograms_of_one_file_name_in_other_folders_are_titled_apart(tmp_path, monkeypatch):
    """The hypnograms of sub-01/ses-1/eeg/x.edf and sub-02/ses-1/eeg/x.edf (probe predict
    --plot, or plot_hypnogram(table, file=)) were both titled 'x.edf: ...'; each title now
    names its recording by the folders that tell it apart, a unique name by itself."""
    import argparse
    import types

    import eegpt.probe_cli_events
    from eegpt.viz import plot_hypnogram

    night = _night_table()
    first, second = (f"{tmp_path}/sub-0{k}/ses-1/eeg/x.edf" for k in (1, 2))
    table = pd_concat_two_files(night)
    table.loc[table["file"] == "night.edf", "file"] = first
    table.loc[table["file"] == "other.edf", "file"] = second
    title = plot_hypnogram(table, file=second).axes[0].get_title()
    assert title.startswith("sub-02/ses-1/eeg/x.edf: hypnogram: 7 epochs of 30 s")
    assert plot_hypnogram(night).axes[0].get_title().startswith("night.edf: hypnogram")
    drawn = []
    monkeypatch.setattr(eegpt.probe_cli_events, "save_figure_file",
                        lambda fig, path, dpi: drawn.append(fig))  # fmt: skip
    table["bad"] = False
    args = argparse.Namespace(plot=tmp_path / "h.png", dpi=100, plot_probabilities=False)
    classes = np.array([c[2:] for c in table.columns if c.startswith("p_")])
    probe = types.SimpleNamespace(classes_=classes, encoder={})
    eegpt.probe_cli_events.plot_hypnograms(
        args, probe, list(table.columns), table.astype(object).values.tolist()
    )
    titles = [ax.get_title().split(": ")[0] for ax in drawn[0].axes]
    assert titles == ["sub-01/ses-1/eeg/x.edf", "sub-02/ses-1/eeg/x.edf"]


def test_rk_stages_written_s1_to_s4_are_sleep_stages_beside_wake_or_rem():
    """R&K's S1 .. S4 were no sleep stages' names, so a confusion matrix of W, S1 .. S4, REM
    stayed alphabetical and a hypnogram of them said 'predicted classes'. Beside wake or REM
    they are now stages (AASM order; S3 and S4 after N2, as N3 and R&K's stage 4); S1 and S2
    alone name something else (a task's stimuli)."""
    from eegpt.viz import is_sleep_staging, plot_confusion_matrix, plot_hypnogram, stage_order

    rk = ["REM", "S1", "S2", "S3", "S4", "Wake"]
    assert is_sleep_staging(rk) and not is_sleep_staging(["S1", "S2"])
    assert stage_order(rk, aasm=True) == ["Wake", "S1", "S2", "S3", "S4", "REM"]
    assert stage_order(["S2", "S1"]) == ["S2", "S1"]  # not stages: as given
    y = np.array(rk * 2)
    ax = plot_confusion_matrix(y, y, colorbar=False).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Wake", "S1", "S2", "S3", "S4", "REM"]
    hyp = plot_hypnogram({"onset_s": 30.0 * np.arange(6), "prediction": rk}).axes[0]
    assert hyp.get_ylabel() == "stage" and hyp.get_title().startswith("hypnogram")


def test_every_axis_of_the_learning_curves_says_its_unit():
    """The learning curves' y axes read 'cross-entropy' and '%': the loss's unit (nats, the
    natural log, as the chance line's ln K) and what the percent is of are now said."""
    from eegpt.viz import plot_training

    loss, accuracy = plot_training(_history(5)).axes
    assert loss.get_ylabel() == "cross-entropy (nats)"
    assert accuracy.get_ylabel() == "accuracy (%)"
    assert loss.get_xlabel() == accuracy.get_xlabel() == "pass over the training data"


def test_hypnogram_legend_stays_on_a_caller_s_figure_of_no_layout_engine():
    """plot_hypnogram(ax=) put its legend right of the axes whatever the figure: in a
    caller's figure of no layout engine (plt.subplots()) it ran off the figure's right edge.
    It goes inside there now, as the other figures' legends, and beside the axes of a
    figure made here (constrained layout), on the figure in both."""
    from eegpt.viz import plot_hypnogram

    for layout in (None, "constrained"):
        fig, ax = plt.subplots(layout=layout)
        plot_hypnogram(_night_table(), ax=ax, probabilities=True)
        fig.canvas.draw()
        legend = ax.get_legend().get_window_extent()
        assert fig.bbox.x0 <= legend.x0 and legend.x1 <= fig.bbox.x1, layout
    own = plot_hypnogram(_night_table(), probabilities=True)
    own.canvas.draw()
    ax = own.axes[0]
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1 and legend.x1 <= own.bbox.x1  # beside
