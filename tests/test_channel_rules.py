"""``on_unknown`` and ``on_missing`` (:class:`eegpt.channels.ChannelRules`) of
:func:`~eegpt.probe.train_probe`, :func:`~eegpt.finetune.finetune` and the scikit-learn
estimators, with :func:`eegpt.embed`'s meaning: channels outside the vocabulary dropped or
refused, ``rename`` keys a recording lacks refused or ignored (None: refused for one input,
ignored for a list, the rule of before). They reach every mapping of the inputs (each
recording of a list too), are recorded by the probe (``probe.json``) and the fitted
estimators, and the predictions apply them."""

from __future__ import annotations

import pickle

import mne
import numpy as np
import pytest
import torch
from sklearn.base import clone

import eegpt.sklearn
from eegpt import EEGPT, EEGPTConfig
from eegpt.finetune import finetune
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import ProbeConfig, load_probe, train_probe
from eegpt.sklearn import EEGPTClassifier, EEGPTEmbedder

torch.manual_seed(0)
TINY = EEGPT(EEGPTConfig(embed_dim=16, depth=1, num_heads=2, embed_num=2)).eval()
ONE_SECOND = PreprocessingConfig(window_seconds=1.0)
NAMES = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "Fz", "Cz"]
ONE_EPOCH = dict(config=ProbeConfig(epochs=1), device="cpu", preprocessing=ONE_SECOND)
# a random encoder: its probes stay at chance, which is not what these tests look at
pytestmark = pytest.mark.filterwarnings("ignore:the probe stayed at chance")


@pytest.fixture(autouse=True)
def _warnings_afresh():
    """Each test sees the estimators' warnings (held back while calls repeat them)."""
    eegpt.sklearn._SHOWN.clear()


def _epochs(names: list[str], seed: int = 0) -> mne.EpochsArray:
    """16 EEG epochs of 1 s at 256 Hz, events A and B in turn."""
    x = np.random.default_rng(seed).normal(0, 20e-6, (16, len(names), 256))
    events = np.c_[np.arange(16) * 256, np.zeros(16, int), [1, 2] * 8]
    info = mne.create_info(names, 256.0, "eeg")
    return mne.EpochsArray(x, info, events, event_id={"A": 1, "B": 2}, verbose=False)


@pytest.fixture(scope="module")
def plain() -> mne.EpochsArray:
    return _epochs(NAMES)


@pytest.fixture(scope="module")
def odd() -> mne.EpochsArray:
    """The same electrodes and one channel outside the vocabulary (``Resp``)."""
    return _epochs([*NAMES, "Resp"], seed=1)


def test_train_probe_takes_on_unknown_and_its_predictions_apply_it(plain, odd, tmp_path):
    """train_probe had no on_unknown: a channel outside the vocabulary was always dropped
    (with a warning). on_unknown='raise' refuses it, as embed's does, also for one recording
    of a list; the probe records it (saved and loaded) and its predictions refuse such a
    channel too; the default drops it as before."""
    with pytest.warns(RuntimeWarning, match="Resp"):
        dropped = train_probe(TINY, odd, **ONE_EPOCH)
    assert dropped.on_unknown == "drop" and dropped.on_missing is None
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        train_probe(TINY, odd, on_unknown="raise", **ONE_EPOCH)
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        train_probe(TINY, [plain, odd], on_unknown="raise", **ONE_EPOCH)  # merged by electrode
    strict = train_probe(TINY, plain, on_unknown="raise", **ONE_EPOCH)
    assert strict.on_unknown == "raise"
    assert strict.predict_proba(plain).shape == (16, 2)
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        strict.predict_proba(odd)
    back = load_probe(strict.save(tmp_path / "probe"), TINY)
    assert (back.on_unknown, back.on_missing) == ("raise", None)
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        back.predict_proba(odd)
    assert dropped.predict_proba(odd).shape == (16, 2)  # the default: dropped
    with pytest.raises(ValueError, match=r"on_unknown must be 'drop' or 'raise', got 'keep'"):
        train_probe(TINY, plain, on_unknown="keep", **ONE_EPOCH)


def test_train_probe_takes_on_missing_keeping_the_rule_by_input(plain, tmp_path):
    """on_missing was not taken: a rename key a recording lacks was refused for one input
    and ignored for a list. None keeps that rule; 'ignore' lets one input go, 'raise' refuses
    a list; the probe records it, and its predictions with its own rename apply it."""
    other = _epochs(NAMES, seed=3).rename_channels({"Cz": "EEG 12"})
    rename = {"EEG 12": "Cz"}  # the second recording's label: the first lacks it
    with pytest.raises(ValueError, match="EEG 12"):
        train_probe(TINY, plain, rename=rename, **ONE_EPOCH)  # one input: raised, as before
    listed = train_probe(TINY, [plain, other], rename=rename, **ONE_EPOCH)  # ignored
    assert listed.on_missing is None
    assert listed.predict_proba(plain).shape == (16, 2)  # its own table: ignored
    one = train_probe(TINY, plain, rename=rename, on_missing="ignore", **ONE_EPOCH)
    assert one.on_missing == "ignore" and "CZ" in {n.upper() for n in one.input_names}
    with pytest.raises(ValueError, match="EEG 12"):
        train_probe(TINY, [plain, other], rename=rename, on_missing="raise", **ONE_EPOCH)
    strict = train_probe(TINY, other, rename=rename, on_missing="raise", **ONE_EPOCH)
    assert strict.predict_proba(other).shape == (16, 2)
    with pytest.raises(ValueError, match="EEG 12"):
        strict.predict_proba(plain)  # its own table, raised as in training
    back = load_probe(strict.save(tmp_path / "probe"), TINY)
    assert back.on_missing == "raise"
    with pytest.raises(ValueError, match=r"on_missing must be 'raise', 'ignore' or None"):
        train_probe(TINY, plain, on_missing="warn", **ONE_EPOCH)


def test_probe_online_applies_the_probe_s_rules_unless_given_others(plain):
    """probe.online kept its own defaults (on_unknown='drop', on_missing='raise', training's
    rename always ignored where the stream lacked its keys): a probe trained with
    on_unknown='raise' streamed with unknown channels dropped. None (the default) now means
    the probe's rules, as predict_proba applies them; values given are honoured."""
    streamed = [*NAMES, "Resp"]
    strict = train_probe(TINY, plain, on_unknown="raise", **ONE_EPOCH)
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        strict.online(streamed, 256.0, warm_up=False)
    assert strict.online(streamed, 256.0, on_unknown="drop", warm_up=False) is not None
    dropped = train_probe(TINY, plain, **ONE_EPOCH)
    assert dropped.online(streamed, 256.0, warm_up=False) is not None  # dropped
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        dropped.online(streamed, 256.0, on_unknown="raise", warm_up=False)
    # on_missing: training's rename, whose key this stream lacks
    other = _epochs(NAMES, seed=3).rename_channels({"Cz": "EEG 12"})
    rename = {"EEG 12": "Cz"}
    raising = train_probe(TINY, other, rename=rename, on_missing="raise", **ONE_EPOCH)
    with pytest.raises(ValueError, match="EEG 12"):
        raising.online(NAMES, 256.0, warm_up=False)  # the probe's, as predict_proba raises
    assert raising.online(NAMES, 256.0, on_missing="ignore", warm_up=False) is not None
    by_input = train_probe(TINY, other, rename=rename, **ONE_EPOCH)  # on_missing None
    assert by_input.online(NAMES, 256.0, warm_up=False) is not None  # its own: ignored
    with pytest.raises(ValueError, match=r"on_unknown must be 'drop', 'raise' or None"):
        dropped.online(NAMES, 256.0, on_unknown="keep", warm_up=False)


def test_finetune_takes_on_unknown_and_on_missing_as_train_probe_does(plain, odd):
    """finetune took neither: it takes them with train_probe's meaning and records them."""
    common = dict(epochs=1, validation=None, preprocessing=ONE_SECOND, device="cpu")
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        finetune(TINY, odd, on_unknown="raise", **common)
    with pytest.raises(ValueError, match="EEG 12"):
        finetune(TINY, plain, rename={"EEG 12": "Cz"}, **common)
    tuned = finetune(TINY, plain, rename={"EEG 12": "Cz"}, on_missing="ignore", **common)
    assert tuned.on_missing == "ignore" and tuned.on_unknown == "drop"
    strict = finetune(TINY, plain, on_unknown="raise", **common)
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        strict.predict_proba(odd)


def test_the_embedder_takes_on_unknown_and_on_missing_as_embed_does(plain, odd):
    """EEGPTEmbedder had neither: both are stored as given (get_params, clone, pickle),
    checked at fit, kept there (on_unknown_, on_missing_) and applied by transform."""
    est = EEGPTEmbedder(TINY, preprocessing=ONE_SECOND, on_unknown="raise", on_missing="ignore")
    assert est.get_params()["on_unknown"] == "raise" and clone(est).on_missing == "ignore"
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        clone(est).fit(odd)
    est.set_params(rename={"EEG 12": "Cz"})  # a key plain lacks: ignored
    out = est.fit(plain).transform(plain)
    assert (est.on_unknown_, est.on_missing_) == ("raise", "ignore")
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        est.transform(odd)
    back = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(back.transform(plain), out, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="EEG 12"):  # the default: raised for one input
        EEGPTEmbedder(TINY, preprocessing=ONE_SECOND, rename={"EEG 12": "Cz"}).fit(plain)
    with pytest.warns(RuntimeWarning, match="Resp"):
        dropping = EEGPTEmbedder(TINY, preprocessing=ONE_SECOND).fit(odd)
    assert dropping.on_unknown_ == "drop" and dropping.on_missing_ is None
    wrong = EEGPTEmbedder(TINY, on_unknown="keep")  # stored as given, refused at fit
    with pytest.raises(ValueError, match=r"on_unknown must be 'drop' or 'raise', got 'keep'"):
        wrong.fit(plain)


def test_the_classifier_takes_on_unknown_and_on_missing_as_train_probe_does(plain, odd):
    """EEGPTClassifier had neither: both reach train_probe, the probe records them
    (probe_.on_unknown, probe_.on_missing) and predict applies them."""
    clf = EEGPTClassifier(
        TINY, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1), on_unknown="raise",
        on_missing="ignore", rename={"EEG 12": "Cz"},
    )  # fmt: skip
    assert clone(clf).get_params()["on_unknown"] == "raise"
    y = np.array(["A", "B"] * 8)
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        clone(clf).fit(odd, y)
    clf.fit(plain, y)
    assert (clf.probe_.on_unknown, clf.probe_.on_missing) == ("raise", "ignore")
    assert clf.predict(plain).shape == (16,)
    with pytest.raises(ValueError, match=r"not in the EEGPT vocabulary: \['Resp'\]"):
        clf.predict(odd)
    back = pickle.loads(pickle.dumps(clf))
    assert back.probe_.on_unknown == "raise"
    with pytest.raises(ValueError, match="EEG 12"):  # the default: raised for one input
        EEGPTClassifier(
            TINY, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1),
            rename={"EEG 12": "Cz"},
        ).fit(plain, y)  # fmt: skip
    with pytest.raises(ValueError, match=r"on_missing must be 'raise', 'ignore' or None"):
        EEGPTClassifier(TINY, on_missing="warn").fit(plain, y)


def test_probe_train_takes_strict_channels_as_embed_does(plain, odd, tmp_path, capsys):
    """eegpt probe train had no --strict-channels, which eegpt embed takes: a channel outside
    the vocabulary was always dropped. It takes it with embed's meaning (on_unknown='raise'),
    for one file and for each file of several (merged by electrode), and the probe records
    it as train_probe(on_unknown='raise') does; predict applies it to several files too."""
    from eegpt.checkpoints import save_checkpoint
    from eegpt.cli import main

    weights = save_checkpoint(TINY, tmp_path / "tiny")
    plain_file, odd_file = tmp_path / "plain-epo.fif", tmp_path / "odd-epo.fif"
    plain.save(plain_file, verbose=False)
    odd.save(odd_file, verbose=False)
    base = ["probe", "train", "--weights", str(weights), "--window", "1", "--passes", "1", "-q"]
    for files in ([odd_file], [plain_file, odd_file]):
        argv = [*base, *map(str, files), "-o", str(tmp_path / "refused"), "--strict-channels"]
        assert main(argv) == 1
        assert "not in the EEGPT vocabulary: ['Resp']" in capsys.readouterr().err
    with pytest.warns(RuntimeWarning, match="Resp"):  # the default: dropped, as embed's
        assert main([*base, str(odd_file), "-o", str(tmp_path / "dropped")]) == 0
    assert load_probe(tmp_path / "dropped", TINY).on_unknown == "drop"
    strict = tmp_path / "strict"
    assert main([*base, str(plain_file), "-o", str(strict), "--strict-channels"]) == 0
    assert load_probe(strict, TINY).on_unknown == "raise"
    capsys.readouterr()
    pred = ["probe", "predict", str(strict), str(plain_file), str(odd_file), "--fail-fast", "-q"]
    assert main(pred) == 1  # the odd file refused, not its channel dropped in the merge
    assert "not in the EEGPT vocabulary: ['Resp']" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_strict_channels_given_to_predict_or_evaluate_says_the_probe_s_rule_applies(
    command, tmp_path, capsys
):
    """probe predict and probe evaluate take no --strict-channels (the probe applies the rule
    it was trained with); given there, it was refused as 'did you mean --keep-channels?', an
    option of another meaning. The refusal says the rule is the probe's and how to have it."""
    from eegpt.cli import main

    argv = ["probe", command, str(tmp_path / "probe"), str(tmp_path / "a-epo.fif")]
    with pytest.raises(SystemExit):
        main([*argv, "--strict-channels"])
    error = capsys.readouterr().err.strip().splitlines()[-1]  # after the usage
    assert "did you mean" not in error
    assert "takes no --strict-channels" in error and "probe train --strict-channels" in error


@pytest.mark.parametrize("command", ["predict", "evaluate"])
@pytest.mark.parametrize("word", ["--strict", "--strict-chan", "--strict-chan=1"])
def test_an_abbreviated_strict_channels_gets_the_same_explanation(command, word, tmp_path, capsys):
    """Only the exact --strict-channels was explained as the probe's rule; an abbreviation
    of it got 'did you mean --start?' (--strict) or no hint (--strict-chan). Any prefix of it
    gets the explanation, naming the option it abbreviates."""
    from eegpt.cli import main

    argv = ["probe", command, str(tmp_path / "probe"), str(tmp_path / "a-epo.fif")]
    with pytest.raises(SystemExit):
        main([*argv, word])
    error = capsys.readouterr().err.strip().splitlines()[-1]  # after the usage
    assert "did you mean" not in error
    name = word.split("=")[0]
    assert f"takes no --strict-channels (which {name} abbreviates)" in error
    assert "probe train --strict-channels" in error


def test_eegpt_info_of_a_probe_names_its_channel_rules(plain, tmp_path):
    """A probe records on_unknown/on_missing and its predictions apply them, but eegpt info of
    the folder said nothing of them, so a probe refusing a file's extra channel at predict
    (trained with --strict-channels) could not be told from one that drops it. It names the
    rules that are not the default; a probe of the defaults reads as before."""
    from eegpt.probe_folder import describe_probe

    strict = train_probe(TINY, plain, on_unknown="raise", on_missing="ignore", **ONE_EPOCH)
    text = describe_probe(strict.save(tmp_path / "strict"))
    assert "channels outside the EEGPT vocabulary refused" in text
    assert "--strict-channels" in text and "on_missing='ignore'" in text
    loose = describe_probe(train_probe(TINY, plain, **ONE_EPOCH).save(tmp_path / "loose"))
    assert "vocabulary refused" not in loose and "on_missing" not in loose


def test_a_probe_s_refusal_of_unknown_channels_says_the_rule_is_its_training_s(
    plain, odd, tmp_path
):
    """A probe trained with on_unknown='raise' refused an extra channel at prediction with
    embed's advice, 'or on_unknown=\'drop\', command line: without --strict-channels', which
    predict_proba and probe predict do not take; the refusal says the rule is the probe's
    training's (one recording, and each of a list merged by electrode), and how to drop."""
    strict = train_probe(TINY, plain, on_unknown="raise", **ONE_EPOCH)
    for data in (odd, [plain, odd]):
        with pytest.raises(ValueError, match=r"vocabulary: \['Resp'\]") as err:
            strict.predict_proba(data)
        assert "without --strict-channels" not in str(err.value)
        assert "as its training did" in str(err.value) and "rename={'Resp': None}" in str(err.value)
    with pytest.raises(ValueError, match="without --strict-channels"):  # train_probe's: its own
        train_probe(TINY, odd, on_unknown="raise", **ONE_EPOCH)


def test_probe_online_given_on_missing_raise_takes_training_s_rename_as_before(plain):
    """probe.online's on_missing was 'raise' by default and left training's own rename applied
    to the channels the stream has; since None became the default, on_missing='raise' given
    (the old default spelled out) raised on a key of training's rename the stream lacks, a
    call refused that worked before. It applies to a rename given here; training's rename
    keeps the probe's rule (raised where the probe recorded on_missing='raise')."""
    other = _epochs(NAMES, seed=3).rename_channels({"Cz": "EEG 12"})
    rename = {"EEG 12": "Cz"}
    by_input = train_probe(TINY, other, rename=rename, **ONE_EPOCH)  # on_missing None
    assert by_input.online(NAMES, 256.0, on_missing="raise", warm_up=False) is not None
    with pytest.raises(ValueError, match="EEG 13"):  # a rename given here: raised
        by_input.online(NAMES, 256.0, rename={"EEG 13": "Pz"}, on_missing="raise", warm_up=False)
    raising = train_probe(TINY, other, rename=rename, on_missing="raise", **ONE_EPOCH)
    with pytest.raises(ValueError, match="EEG 12"):
        raising.online(NAMES, 256.0, on_missing="raise", warm_up=False)


def test_on_unknown_raise_with_a_channel_projection_is_refused_up_front(odd, tmp_path, capsys):
    """A channel projection (chan_proj) maps no channel to the vocabulary: it projects every
    input channel, 'Resp' too, so on_unknown='raise' (--strict-channels) refused nothing and
    the probe recorded a rule that never applied. The combination is refused before any
    training, naming both options, in train_probe, finetune, EEGPTClassifier and probe
    train; each alone still runs."""
    from eegpt.checkpoints import save_checkpoint
    from eegpt.cli import main

    y = odd.events[:, 2]
    both = r"on_unknown='raise'.*chan_proj=True.*no channel is unknown"
    with pytest.raises(ValueError, match=both):
        train_probe(TINY, odd, config=ProbeConfig(epochs=1, chan_proj=True), on_unknown="raise")
    with pytest.raises(ValueError, match=both):
        finetune(TINY, odd, epochs=1, chan_proj=True, on_unknown="raise")
    clf = EEGPTClassifier(TINY, config=ProbeConfig(epochs=1, chan_proj=True), on_unknown="raise")
    with pytest.raises(ValueError, match=both):
        clf.fit(odd, y)
    projected = train_probe(
        TINY, odd, **{**ONE_EPOCH, "config": ProbeConfig(epochs=1, chan_proj=True)}
    )
    assert "Resp" in projected.input_names  # projected, not unknown
    weights = save_checkpoint(TINY, tmp_path / "tiny")
    odd_file = tmp_path / "odd-epo.fif"
    odd.save(odd_file, verbose=False)
    argv = ["probe", "train", "--weights", str(weights), "--window", "1", "--passes", "1",
            "-q", str(odd_file), "-o", str(tmp_path / "p"), "--chan-proj", "--strict-channels"]  # fmt: skip
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert (
        "--strict-channels" in error and "--chan-proj" in error and "no channel is unknown" in error
    )


def test_on_unknown_raise_with_a_channel_projection_applies_to_several_inputs(
    plain, odd, tmp_path, capsys
):
    """With a channel projection one input's channels are all projected (none unknown), but
    several inputs of other channels are merged by electrode, each one's channels mapped to
    the vocabulary, and on_unknown='raise' refuses 'Resp' there as without the projection:
    a list (train_probe, finetune) or several files (probe train --strict-channels) is not
    refused up front as a rule that refuses nothing (it was, saying no channel is unknown);
    the probe records the rule and its predictions of several inputs apply it."""
    from eegpt.cli import main

    projected = {**ONE_EPOCH, "config": ProbeConfig(epochs=1, chan_proj=True)}
    vocabulary = r"not in the EEGPT vocabulary: \['Resp'\]"
    with pytest.raises(ValueError, match=vocabulary) as err:
        train_probe(TINY, [plain, odd], on_unknown="raise", **projected)
    assert "no channel is unknown" not in str(err.value)
    with pytest.raises(ValueError, match=vocabulary):
        finetune(TINY, [plain, odd], epochs=1, chan_proj=True, on_unknown="raise")
    reordered = _epochs(NAMES[::-1], seed=2)  # the same electrodes: merged by electrode
    strict = train_probe(TINY, [plain, reordered], on_unknown="raise", **projected)
    assert strict.on_unknown == "raise"
    with pytest.raises(ValueError, match=vocabulary):
        strict.predict_proba([plain, odd])
    files = []
    for name, epochs in (("plain", plain), ("odd", odd)):
        files.append(str(tmp_path / f"{name}-epo.fif"))
        epochs.save(files[-1], verbose=False)
    from eegpt.checkpoints import save_checkpoint

    weights = save_checkpoint(TINY, tmp_path / "tiny")
    argv = ["probe", "train", "--weights", str(weights), "--window", "1", "--passes", "1",
            "-q", *files, "-o", str(tmp_path / "p"), "--chan-proj", "--strict-channels"]  # fmt: skip
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert "Resp" in error and "no channel is unknown" not in error, error


def test_info_of_a_strict_projection_probe_says_one_input_is_not_refused(plain, odd, tmp_path):
    """eegpt info of a chan_proj probe recording on_unknown='raise' said its channels outside
    the vocabulary are refused 'by predict and evaluate too', while predicting one input
    takes every channel through the projection (none refused); only several inputs, merged
    by electrode, apply the rule. Info says so; a probe without the projection reads as
    before."""
    from eegpt.probe_folder import describe_probe

    projected = {**ONE_EPOCH, "config": ProbeConfig(epochs=1, chan_proj=True)}
    reordered = _epochs(NAMES[::-1], seed=2)
    strict = train_probe(TINY, [plain, reordered], on_unknown="raise", **projected)
    assert strict.predict_proba(odd).shape == (16, 2)  # one input: 'Resp' projected
    with pytest.raises(ValueError, match="not in the EEGPT vocabulary"):
        strict.predict_proba([plain, odd])
    strict.save(tmp_path / "projected")
    text = describe_probe(tmp_path / "projected")
    assert "by predict and evaluate too where they take several inputs" in text
    assert "none of one input is refused" in text
    plain_probe = train_probe(TINY, plain, on_unknown="raise", **ONE_EPOCH)
    plain_probe.save(tmp_path / "plain")
    text = describe_probe(tmp_path / "plain")
    assert "on_unknown='raise'): by predict and evaluate too\n" in text + "\n"
    assert "several inputs" not in text


def test_embed_and_the_probe_share_one_channel_rules_object():
    """One :class:`~eegpt.channels.ChannelRules` serves embedding and the probe: the object
    the probe's inputs take (``eegpt.probe_inputs``) is the channel module's, and its two
    ways of being made say the two refusals of before (a list of inputs may leave
    ``on_missing`` None, one recording may not)."""
    from eegpt.channels import DEFAULT_RULES, ChannelRules
    from eegpt.probe_inputs import ChannelRules as probe_rules

    assert probe_rules is ChannelRules
    assert ChannelRules.of_one().keywords() == {"on_unknown": "drop", "on_missing": "raise"}
    assert DEFAULT_RULES.for_inputs(["a.edf", "b.edf"]).on_missing == "ignore"
    # a rename that may name other data's channels (merged inputs, training's table)
    assert ChannelRules("raise").for_several() == ChannelRules("raise", "ignore")
    assert ChannelRules(on_missing="raise").for_several().on_missing == "raise"
    with pytest.raises(ValueError, match=r"^on_missing must be 'raise' or 'ignore', got None"):
        ChannelRules.of_one("drop", None)
    with pytest.raises(ValueError, match=r"^on_unknown must be 'drop' or 'raise', got 'keep'"):
        ChannelRules.of_one("keep", "warn")  # on_unknown said first, as map_channels says it


def test_the_channel_rules_names_of_probe_inputs_are_still_importable():
    """The names that moved from ``eegpt.probe_inputs`` to the channel module (ChannelRules,
    DEFAULT_RULES, rename_on_missing) are still importable from it, as the same objects."""
    import eegpt.channels
    import eegpt.probe_inputs

    for name in ("ChannelRules", "DEFAULT_RULES", "rename_on_missing"):
        assert getattr(eegpt.probe_inputs, name) is getattr(eegpt.channels, name), name
    assert eegpt.probe_inputs.rename_on_missing(["a.edf", "b.edf"]) == "ignore"


def test_map_recording_channels_still_takes_the_rules_as_keywords():
    """map_recording_channels and map_info_channels, which take the rules as one
    ``rules=`` object since it was passed down, still take ``on_unknown``, ``on_missing``
    and ``unknown_rule`` as keywords, as they did (not a TypeError of map_channels' keywords
    given twice), a wrong one said naming the recording as before."""
    from eegpt.errors import EEGPTWarning, RecordingError
    from eegpt.preprocessing import map_info_channels, map_recording_channels

    names = ["Fp1", "Cz", "Resp"]
    with pytest.raises(RecordingError, match=r"^rec\.edf: 1 channel name\(s\) .*'Resp'"):
        map_recording_channels(names, "rec.edf", on_unknown="raise")
    with pytest.raises(RecordingError, match=r"^rec\.edf: .*the rule of this probe"):
        map_recording_channels(
            names, "rec.edf", on_unknown="raise", unknown_rule="the rule of this probe"
        )
    with pytest.raises(RecordingError, match=r"^rec\.edf: on_unknown must be 'drop' or 'raise'"):
        map_recording_channels(names, "rec.edf", on_unknown="keep")
    with pytest.warns(EEGPTWarning, match="dropped: \\['Resp'\\]"):
        mapping = map_recording_channels(names, "rec.edf", on_unknown="drop", on_missing="ignore",
                                         rename={"XX": "Pz"})  # fmt: skip
    assert list(mapping.input_names) == ["Fp1", "Cz"]
    info = mne.create_info(names, 256.0, "eeg")
    with pytest.raises(RecordingError, match=r"^rec\.fif: 1 channel name\(s\) .*'Resp'"):
        map_info_channels(info, "rec.fif", on_unknown="raise")


def test_embed_s_channel_rules_are_checked_before_any_recording_is_read(plain, tmp_path):
    """embed, embed_to_file, the streamed reading, map_channels of an MNE object and the
    online embedder refuse a wrong ``on_unknown`` or ``on_missing`` as the keyword error it
    is, before a file is opened (an absent file is not what is said) and without naming a
    recording it is not about."""
    from eegpt.channels import map_channels
    from eegpt.online import OnlineEmbedder
    from eegpt.streaming import open_stream

    absent = tmp_path / "absent.edf"
    unknown = r"^on_unknown must be 'drop' or 'raise', got 'keep'$"
    missing = r"^on_missing must be 'raise' or 'ignore', got 'warn'$"
    with pytest.raises(ValueError, match=unknown):
        eegpt.embed(TINY, absent, on_unknown="keep")
    with pytest.raises(ValueError, match=missing):
        eegpt.embed_to_file(TINY, absent, tmp_path / "out.npz", on_missing="warn")
    with pytest.raises(ValueError, match=unknown):
        open_stream(absent, on_unknown="keep")
    with pytest.raises(ValueError, match=missing):
        eegpt.embed(TINY, plain, on_missing="warn")
    with pytest.raises(ValueError, match=unknown):
        map_channels(plain, on_unknown="keep")
    with pytest.raises(ValueError, match=unknown):
        OnlineEmbedder(TINY, NAMES, 256.0, on_unknown="keep", warm_up=False)


@pytest.mark.parametrize("name", ["faster_unused_channels", "open_stream_unless_epochs"])
def test_stream_helpers_say_they_take_channel_rules_not_on_unknown(name):
    """faster_unused_channels and open_stream_unless_epochs (eegpt.streaming) took on_unknown=
    until the channel rules were made one object (52c47508); they take rules=ChannelRules
    only, which their docstrings did not say (faster_unused_channels' named no rules at
    all): a call with on_unknown= is a TypeError."""
    import inspect

    from eegpt import streaming

    function = getattr(streaming, name)
    assert "on_unknown" not in inspect.signature(function).parameters
    doc = " ".join(function.__doc__.split())
    assert "``rules``: one :class:`~eegpt.channels.ChannelRules`" in doc
    assert "ChannelRules.of_one(on_unknown, on_missing)" in doc
    with pytest.raises(TypeError, match="unexpected keyword argument 'on_unknown'"):
        function("absent.edf", on_unknown="raise")
