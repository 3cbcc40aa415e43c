"""Mistakes a first-time user makes on the command line, each answered with what to do."""

from __future__ import annotations

import shlex

import pytest

from eegpt.cli import build_parser, main


def _usage_error(words: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``eegpt WORDS``, expect a usage error (status 2), return stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main(words)
    assert exit_info.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("minutes", ["0", "-1", "nan"])
def test_demo_minutes_must_be_positive_and_leave_no_folder(minutes, tmp_path, capsys):
    out = tmp_path / "demo"
    err = _usage_error(["demo", "-o", str(out), f"--minutes={minutes}"], capsys)
    assert "--minutes must be more than 0" in err
    assert not out.exists()


def test_a_demo_that_fails_removes_the_folder_it_made(tmp_path, monkeypatch):
    from eegpt import demo

    def fail(*args, **kwargs):
        raise RuntimeError("stop")

    monkeypatch.setattr(demo, "synthetic_raw", fail)
    with pytest.raises(RuntimeError):
        demo.run_demo(tmp_path / "demo", minutes=0.5)
    assert not (tmp_path / "demo").exists()
    with pytest.raises(ValueError, match="more than 0"):
        demo.run_demo(tmp_path / "demo", minutes=0)
    assert not (tmp_path / "demo").exists()


@pytest.mark.parametrize("name", ["out.npz", "out.PARQUET", "emb.csv", "x.mat"])
def test_embed_dataset_refuses_an_output_named_like_a_file(name, tmp_path, capsys):
    out = tmp_path / name
    code = main(["embed-dataset", str(tmp_path), "--weights", "w", "-o", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "embed-dataset writes a folder" in err
    assert f"-o {out.with_suffix('')}" in err
    assert not out.exists()


def test_embed_dataset_resumes_a_run_folder_named_like_a_file(tmp_path):
    from eegpt.dataset_cli import _file_named_output
    from eegpt.outputs import RUN_MANIFEST

    out = tmp_path / "out.npz"
    out.mkdir()
    assert _file_named_output(out) is not None  # a folder, but no run
    (out / RUN_MANIFEST).write_text("{}")
    assert _file_named_output(out) is None
    assert _file_named_output(tmp_path / "runs") is None


def test_a_mistyped_option_is_reported_before_a_missing_one(capsys):
    err = _usage_error(["embed", "rec.edf", "--weights", "W", "--ouput", "a.npz"], capsys)
    assert "eegpt embed: error: unrecognized arguments: --ouput; did you mean --output?" in err
    assert "required" not in err
    err = _usage_error(["probe", "predict", "probe", "x.edf", "--ouput=a.csv"], capsys)
    assert "unrecognized arguments: --ouput=a.csv; did you mean --output?" in err
    # a hint only where one is close: the dashes every long option has do not make --overlap
    # --help's (as they did); --overlp is --overlap's
    err = _usage_error(["info", "x.npz", "--overlap", "2"], capsys)
    assert err.rstrip().endswith("unrecognized arguments: --overlap")
    err = _usage_error(["embed", "x.edf", "--weights", "W", "--overlp", "2"], capsys)
    assert "unrecognized arguments: --overlp; did you mean --overlap?" in err


def test_a_file_name_beginning_with_a_dash_is_said_how_to_give_it(tmp_path, monkeypatch, capsys):
    """`eegpt embed -dash.edf` got argparse's bare "unrecognized arguments: -dash.edf"; the
    error says a file beginning with '-' is given as ./-dash.edf or after --, whether the file
    is there or not, for every command; a mistyped option still gets its own hint."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-dash.edf").write_bytes(b"")
    for argv in (
        ["embed", "-dash.edf", "-o", "x.npz"],
        ["embed-dataset", "-dash.edf", "-o", "out"],
        ["info", "-dash.edf"],
        ["embed", "-o", "x.npz", "-gone.set"],  # not there (yet): its suffix tells
    ):
        err = _usage_error(argv, capsys)
        name = argv[1] if argv[1].startswith("-d") else argv[-1]
        assert f"unrecognized arguments: {name}; a file whose name begins with '-'" in err, err
        assert f"give it as ./{name}, or after -- (eegpt {argv[0]} ... -- {name})" in err, err
    err = _usage_error(["embed", "x.edf", "-o", "x.npz", "--overlp", "2"], capsys)
    assert "did you mean --overlap?" in err and "begins with '-'" not in err


def test_an_option_s_value_beginning_with_a_dash_is_not_said_to_go_after_the_dashes(
    tmp_path, monkeypatch, capsys
):
    """`-o -results.npz`, `--weights -w.pt`: a value of an option that begins with '-' was given
    the advice of an input file (6d000905), "or after -- (eegpt embed ... -- -results.npz)", which
    makes it an input, not the option's value; the error says to write it with '=' as
    before."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-w.pt").write_bytes(b"")
    for argv, option in (
        (["embed", "x.edf", "-o", "-results.npz"], "-o"),
        (["embed", "x.edf", "--weights", "-w.pt", "-o", "x.npz"], "--weights"),
        (["embed-dataset", "data", "--weights", "-w.pt", "-o", "out"], "--weights"),
    ):
        value = argv[argv.index(option) + 1]
        err = _usage_error(argv, capsys)
        assert f"is taken for an option: write it with '=', {option}={value}" in err, err
        assert " -- " not in err.splitlines()[-1], err


def test_a_file_name_beginning_with_a_short_option_is_said_how_to_give_it(
    tmp_path, monkeypatch, capsys
):
    """`eegpt embed -out.edf` was read by argparse as -o with the value ut.edf (a combined
    short option), so the hint for a file beginning with '-' never came. A word beginning with
    a short option that is a path there or has a recording's suffix now gets it; -ofile.npz
    (an output) is still -o file.npz."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-out.edf").write_bytes(b"")
    (tmp_path / "-o wt").mkdir()  # a path there, whatever its suffix
    for argv, name in (
        (["embed", "-out.edf", "-o", "x.npz"], "-out.edf"),
        (["embed-dataset", "in", "-o", "out", "-ogone.set"], "-ogone.set"),
        (["embed", "-o wt", "-o", "x.npz"], "-o wt"),
    ):
        err = _usage_error(argv, capsys)
        assert f"{name} would be read as the option -o with the value {name[2:]!r}: a file" in err
        quoted = shlex.quote(f"./{name}")
        assert f"give it as {quoted}, or after -- (eegpt {argv[0]} ... -- " in err, err
    err = _usage_error(["embed", "-hyp.edf", "-o", "x.npz"], capsys)  # -h takes no value
    assert "-hyp.edf would be read as the option -h followed by 'yp.edf': a file" in err, err
    args = build_parser().parse_args(["embed", "x.edf", "-ofile.npz"])
    assert str(args.output) == "file.npz"


def test_a_path_in_a_suggested_command_is_quoted_to_run_as_shown(tmp_path, monkeypatch, capsys):
    """`eegpt info -- -dash.edf` suggested `eegpt channels -dash.edf`, which is itself refused
    (an option), and a name with a space was shown unquoted: a path a message puts into a
    command line is now one word that runs as shown (./-dash.edf, 'my file.edf')."""
    from eegpt.demo import synthetic_raw, write_edf

    monkeypatch.chdir(tmp_path)
    raw, _ = synthetic_raw(minutes=0.1, seed=0)
    for name, word in (("-dash.edf", "./-dash.edf"), ("my file.edf", "'my file.edf'")):
        write_edf(raw, tmp_path / name)
        assert main(["info", "--", name]) == 1
        err = capsys.readouterr().err
        assert f"not a checkpoint: `eegpt channels {word}` shows how its channels map" in err, err
        assert main(["export", "-o", "x.mat", "--", name]) == 1
        err = capsys.readouterr().err
        assert f"eegpt embed {word} --weights PATH" in err, err


def test_a_keep_channels_value_with_a_dash_is_said_to_need_the_set_first(capsys):
    """--keep-channels -C3: argparse takes -C3 for an option; the error names a form that
    works, the set then the removal (it said to write --keep-channels=-C3, which is refused:
    a removal first removes nothing, and nothing is left)."""
    from eegpt.cli_options import parse_keep

    err = _usage_error(["embed", "x.edf", "--weights", "W", "--keep-channels", "-C3"], capsys)
    assert "unrecognized arguments: -C3; a value that starts with '-'" in err
    assert "--keep-channels=-C3" not in err
    assert "give the set it removes from first: --keep-channels 10-20,-C3" in err
    assert parse_keep("10-20,-C3")  # the form named is accepted


def test_the_keep_channels_help_shows_no_form_that_starts_with_a_removal(capsys):
    """The help showed --keep-channels=-NAME,..., which removes nothing first (and is
    warned about, or refused alone)."""
    with pytest.raises(SystemExit):
        main(["embed", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--keep-channels=-" not in text
    assert "10-20,-C3" in text


@pytest.mark.parametrize(
    ("keep", "idle"),
    [("10-20,-Oz", "-Oz"), ("-C3,10-20", "-C3"), ("-C3,10-20,-Oz", "-C3, -Oz")],
)
def test_a_keep_channels_removal_that_removes_nothing_is_warned_about(keep, idle):
    """A removal of a channel not kept at that point (Oz is not in 10-20; C3 is added back
    after -C3) did nothing, silently; it is warned about once, named."""
    from eegpt.cli_options import parse_keep

    with pytest.warns(Warning, match=f"--keep-channels: {idle} removed nothing") as caught:
        assert parse_keep(keep)
    assert len(caught) == 1


def test_a_keep_channels_removal_of_a_channel_not_in_the_set_says_so():
    """10-20,-Oz: -Oz is after the set; the cause is that Oz is not in it (the warning said
    to put the removal after the set)."""
    from eegpt.cli_options import parse_keep

    with pytest.warns(Warning, match="removed nothing") as caught:
        parse_keep("10-20,-Oz")
    text = str(caught[0].message)
    assert "Oz is not among the channels the items before it kept" in text
    assert "after" not in text.split("right)", 1)[1]


def test_a_keep_channels_removal_before_the_set_that_adds_it_is_said_to_go_after():
    from eegpt.cli_options import parse_keep

    with pytest.warns(Warning, match="removed nothing") as caught:
        parse_keep("-C3,10-20,-Oz")
    text = str(caught[0].message)
    assert "-C3 comes before the item that adds C3" in text and "put it after" in text
    assert "Oz is not among" in text and "C3 is not among" not in text


def test_a_warning_while_the_command_line_is_parsed_is_an_eegpt_warning_line():
    """The --keep-channels warning comes while argparse parses: it is an ``eegpt: warning:``
    line as a command's, not Python's ``argparse.py:2529: EEGPTWarning: ...`` with a code
    line."""
    import subprocess
    import sys

    words = ["embed", "x.edf", "--weights", "W", "--keep-channels=10-20,-Oz"]
    done = subprocess.run(
        [sys.executable, "-m", "eegpt", *words], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2  # no --output
    assert "\neegpt: warning: --keep-channels: -Oz removed nothing" in "\n" + done.stderr
    assert "argparse.py" not in done.stderr


def test_a_keep_channels_removal_that_removes_a_channel_is_not_warned_about():
    import warnings

    from eegpt.cli_options import parse_keep

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "-C3" in parse_keep("10-20,-C3")


@pytest.mark.parametrize(
    ("words", "meant"),
    [(["embd"], "eegpt embed"), (["Embed", "x.edf"], "eegpt embed"),
     (["predict", "probe", "x.edf"], "eegpt probe predict"),
     (["probe", "trian"], "eegpt probe train")],
)  # fmt: skip
def test_a_mistyped_command_names_the_command_meant(words, meant, capsys):
    assert f"did you mean `{meant}`?" in _usage_error(words, capsys)


def test_negative_numbers_and_abbreviations_are_not_unknown_options(capsys):
    # --rescale -0.5 is a value, --dev is --device: parsing goes on to the missing --weights
    code = main(["embed", "x.edf", "-o", "x.npz", "--rescale", "-0.5", "--dev", "cpu"])
    assert code == 2
    assert "no --weights" in capsys.readouterr().err


def test_an_option_of_another_command_is_no_abbreviation_here(capsys):
    """``--window`` is embed's and probe train's window length: probe predict and evaluate,
    which have no such option, refuse it (argparse took it as short for --window-labels,
    labelling windows by annotations matching '2'), saying where their window comes from."""
    err = _usage_error(["probe", "predict", "P", "x.edf", "-o", "o.csv", "--window", "2"], capsys)
    said = " ".join(err.split())
    assert "unrecognized argument '--window': this command has no option --window" in said
    assert "--window is an option of eegpt embed, eegpt embed-dataset and eegpt probe " in said
    assert "not taken here as short for --window-labels: the window length comes from the " \
           "probe" in said  # fmt: skip
    err = _usage_error(["probe", "evaluate", "P", "x.edf", "--window=2"], capsys)
    assert "unrecognized argument '--window=2'" in err and "comes from the probe" in err
    # an abbreviation of no other command's option still works: --ann is --annotations
    args = build_parser().parse_args(["probe", "predict", "P", "x.edf", "--ann", "x.csv"])
    assert [str(a) for a in args.annotations] == ["x.csv"]


def test_no_command_takes_another_commands_option_as_an_abbreviation(capsys):
    """Every long option of every eegpt command, given in full to a command that has no such
    option but one it abbreviates, is refused there (not expanded to that other option)."""
    from eegpt.cli_options import _parsers, option_commands

    table = option_commands()  # option -> the commands that have it
    tried = []
    for parser in _parsers(build_parser()):
        own = parser._option_string_actions
        for option in table:
            if option in own or not any(o.startswith(option) for o in own):
                continue
            tried.append((parser.prog, option))
            with pytest.raises(SystemExit) as exit_info:
                build_parser().parse_args([*parser.prog.split()[1:], option, "1"])
            assert exit_info.value.code == 2
            assert f"this command has no option {option};" in capsys.readouterr().err
    assert ("eegpt probe predict", "--window") in tried  # the test tried something


def test_the_dataset_module_run_directly_checks_as_eegpt_embed_dataset(monkeypatch, capsys):
    """`python -m eegpt.dataset_cli` parsed with a plain argparse parser: an option of another
    command that abbreviates one of its own would be taken as that abbreviation (none does
    today: one is made up here), an unknown option got no hint, and `--output=~/x` kept its
    `~` (a folder named `~`). It parses as `eegpt embed-dataset` does."""
    from eegpt import cli_options
    from eegpt.dataset_cli import build_parser as dataset_parser

    given = ["corpus", "-o", "out", "--output=~/x"]
    direct, through = (
        dataset_parser().parse_args(given),
        build_parser().parse_args(["embed-dataset", *given]),
    )
    assert direct.output == through.output and "~" not in str(direct.output)
    with pytest.raises(SystemExit):
        dataset_parser().parse_args(["corpus", "-o", "out", "--weigths", "W"])
    assert "did you mean --weights?" in capsys.readouterr().err
    # a made-up command's option that abbreviates one here
    table = dict(cli_options.option_commands())
    monkeypatch.setattr(cli_options, "_OPTION_COMMANDS", {**table, "--shard": ("eegpt other",)})
    with pytest.raises(SystemExit):
        dataset_parser().parse_args(["corpus", "-o", "out", "--shard", "2"])
    err = capsys.readouterr().err
    assert "this command has no option --shard; --shard is an option of eegpt other" in err


@pytest.mark.parametrize(("words", "shows"), [([], "embed-dataset"), (["probe"], "predict")])
def test_a_command_alone_prints_its_help(words, shows, capsys):
    err = _usage_error(words, capsys)
    assert "options:" in err and shows in err
    assert "required" not in err


def test_an_option_before_the_command_says_where_options_go(capsys):
    err = _usage_error(["-q", "embed", "x.edf", "--weights", "W", "-o", "x.npz"], capsys)
    assert "unrecognized arguments: -q; the options of a command go after it: eegpt embed" in err


def test_a_rename_with_a_colon_suggests_the_equals_sign():
    from eegpt.cli_options import parse_rename

    with pytest.raises(ValueError, match=r"--rename 'EEG FP1-REF=FP1'$"):
        parse_rename(["EEG FP1-REF:FP1"])
    with pytest.raises(ValueError, match="no such rename table file"):
        parse_rename(["C:\\tables\\rename.tsv"])


@pytest.mark.parametrize(
    ("given", "option", "value"),
    [(["--precision", "BF16"], "precision", "bfloat16"),
     (["--precision", "fp16"], "precision", "float16"),
     (["--precision", "FP32"], "precision", "float32"),
     (["--stream-precision", "bf16"], "stream_precision", "bfloat16"),
     (["--pool", "Mean"], "pool", "mean"), (["--format", "NPZ"], "format", "npz"),
     (["--tail", "Pad"], "tail", "pad"),
     (["--device", "GPU"], "device", "cuda"), (["--device", "gpu:1"], "device", "cuda:1")],
)  # fmt: skip
def test_choices_in_any_case_and_their_aliases(given, option, value):
    from eegpt.cli import build_parser

    args = build_parser().parse_args(["embed", "x.edf", "-o", "out", *given])
    assert getattr(args, option) == value


def test_choices_in_any_case_in_the_other_commands():
    from eegpt.cli import build_parser

    words = ["probe", "train", "x.edf", "--weights", "w", "-o", "p", "--class-weight", "Balanced"]
    assert build_parser().parse_args(words).class_weight == "balanced"
    words = ["embed-dataset", "in", "--weights", "w", "-o", "out", "--engine", "Ray"]
    assert build_parser().parse_args(words).engine == "ray"


def test_an_unknown_device_does_not_speak_python():
    from eegpt.engine import resolve_device

    with pytest.raises(ValueError, match="unknown device") as excinfo:
        resolve_device("gpu0")
    assert "None" not in str(excinfo.value)


@pytest.mark.parametrize(("given", "value"), [("4s", 4.0), ("4 s", 4.0), ("0.5s", 0.5), ("2", 2.0)])
def test_seconds_with_or_without_an_s(given, value):
    from eegpt.cli import build_parser

    args = build_parser().parse_args(["embed", "x.edf", "-o", "o", "--window", given])
    assert args.window == value
    args = build_parser().parse_args(["embed", "x.edf", "-o", "o", "--overlap", given])
    assert args.overlap == value
    words = ["probe", "train", "x.edf", "--weights", "w", "-o", "p", "--window", given]
    assert build_parser().parse_args(words).window == value


@pytest.mark.parametrize(
    ("given", "says"),
    [(["--overlap", "50%"], "give the overlap in seconds, e.g. --overlap 2 for 50% of a 4 s"),
     (["--overlap", "25 %"], "e.g. --overlap 1 for 25 % of a 4 s window"),
     (["--window", "4,0"], "write decimals with a point, not a comma: 4.0"),
     (["--window", "four"], "'four' is no number of seconds")],
)  # fmt: skip
def test_seconds_given_otherwise_say_how_to_give_them(given, says, capsys):
    assert says in _usage_error(["embed", "x.edf", "-o", "o", *given], capsys)


def test_a_path_with_spaces_split_by_the_shell_says_to_quote_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "My EEG").mkdir()
    (tmp_path / "My EEG" / "patient 1.edf").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    words = ["embed", "My", "EEG/patient", "1.edf", "--weights", "W", "-o", "s1.npz"]
    assert main(words) == 1
    err = capsys.readouterr().err
    assert "put a path with spaces in quotes: 'My EEG/patient 1.edf'" in err
    assert "single file" not in err


def test_a_missing_recording_names_close_files_and_the_working_folder(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "patient1.edf").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    assert main(["embed", "patient_1.edf", "--weights", "W", "-o", "s1.npz"]) == 1
    err = capsys.readouterr().err
    assert "EEG file not found: patient_1.edf" in err
    assert f"working folder {tmp_path}" in err and "did you mean patient1.edf?" in err
    assert main(["embed", "C:\\Users\\me\\rec.edf", "--weights", "W", "-o", "s1.npz"]) == 1
    assert "looks like a Windows path" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("words", "shows"),
    [([], "EDF file -> class prediction:  eegpt probe predict PROBE rec.edf"),
     (["embed"], "examples:\n  eegpt embed rec.edf --weights eegpt-large -o rec.npz"),
     (["embed-dataset"], "examples:\n  eegpt embed-dataset data/ --weights eegpt-large"),
     (["probe", "train"], "examples:\n  eegpt probe train sub-01-epo.fif --weights"),
     (["probe", "predict"], "examples:\n  eegpt probe predict probe/ sub-02-epo.fif")],
)  # fmt: skip
def test_the_help_says_which_command_does_what_with_examples(words, shows, capsys):
    with pytest.raises(SystemExit):
        main([*words, "--help"])
    assert shows in capsys.readouterr().out


def test_an_output_glued_to_o_with_a_recording_s_suffix_is_the_output(
    tmp_path, monkeypatch, capsys
):
    """`eegpt embed x.edf -oout.fif` (-o out.fif) was refused as a file whose name begins with
    '-' because out.fif has a recording's suffix; after -o a glued value is the output (its
    type the command checks), unless a file of the word's name is there or another word gives
    the output, which still get the hint."""
    monkeypatch.chdir(tmp_path)
    for argv, output in (
        (["embed", "x.edf", "-oout.fif"], "out.fif"),
        (["embed", "x.edf", "-oout.edf"], "out.edf"),
        (["embed-dataset", "in", "-ogone.set"], "gone.set"),
    ):
        assert str(build_parser().parse_args(argv).output) == output
    (tmp_path / "-out.edf").write_bytes(b"")
    for argv in (["embed", "x.edf", "-out.edf"], ["embed", "-oout.fif", "--out", "x.npz"]):
        err = _usage_error(argv, capsys)
        name = argv[1] if argv[1].startswith("-") else argv[2]
        assert f"{name} would be read as the option -o with the value {name[2:]!r}: a file" in err


def test_a_recording_glued_to_o_with_no_input_given_is_said_how_it_was_read(
    tmp_path, monkeypatch, capsys
):
    """`eegpt embed -out.edf`, no file -out.edf there, was read as -o ut.edf and refused only
    as 'the following arguments are required: recordings' (with a hint for --annotations, not
    given): where no input is given and a word glued to -o has a recording's suffix (which no
    -o writes), the refusal says how argparse read it and how to give a file of that name. A
    glued output that is no recording (-oout.npz), or an input given, is as before."""
    monkeypatch.chdir(tmp_path)
    for argv, name in (
        (["embed", "-out.edf"], "-out.edf"),
        (["embed", "--device", "cpu", "-ovhdr.vhdr"], "-ovhdr.vhdr"),
        (["embed-dataset", "-oout.set"], "-oout.set"),
    ):
        err = _usage_error(argv, capsys).splitlines()[-1]
        assert "the following arguments are required: " in err, err
        assert (
            f"; {name} was read as the option -o with the value {name[2:]!r} (the output), not "
            f"as an input: a file whose name begins with '-' is taken for an option: give it as "
            f"./{name}, or after -- (eegpt {argv[0]} ... -- {name})"
        ) in err, err
        assert "--annotations" not in err, err  # not given: no hint of it
    err = _usage_error(["embed", "-oout.npz"], capsys).splitlines()[-1]
    assert err.endswith("the following arguments are required: recordings"), err
    err = _usage_error(["embed", "--annotations", "h.edf", "-out.edf"], capsys)
    assert "(if --annotations came before them" in err and "-out.edf was read as" in err, err
    assert str(build_parser().parse_args(["embed", "x.edf", "-out.edf"]).output) == "ut.edf"
