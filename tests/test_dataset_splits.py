"""``embed-dataset --part K/N`` parts of one corpus split into different numbers of parts
(a job array resubmitted with another ``--array`` size into the same parent folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eegpt.dataset import embed_dataset
from eegpt.dataset_report import parts_report
from eegpt.demo import synthetic_raw, write_edf


@pytest.fixture(scope="module")
def four_files(tmp_path_factory) -> Path:
    """Four EDF files of 8 s."""
    folder = tmp_path_factory.mktemp("four")
    for i in range(4):
        raw, _ = synthetic_raw(minutes=8 / 60, seed=i)
        write_edf(raw, folder / f"rec{i:02d}.edf")
    return folder


def test_a_part_of_another_split_beside_the_parts_is_refused(four_files, model, tmp_path):
    """Part 0/3 beside parts 0/2 and 1/2 of the same corpus would embed files those hold
    again (and leave parts 1/3, 2/3 missing): refused before any work, naming the sibling
    and its N; parts made so anyway (a folder moved in) are not said to be one table."""
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    parts = tmp_path / "emb"
    for k in (0, 1):
        embed_dataset(four_files, parts / f"part-{k}", part=(k, 2), **run)
    report, good = parts_report(parts)
    assert good and "read as one table" in report
    with pytest.raises(ValueError, match=r"part 0/3 would be split into 3 parts, but .*part-0 "
                       r"beside it holds part 0/2 of the same corpus: .*--part K/2"):  # fmt: skip
        embed_dataset(four_files, parts / "other-0", part=(0, 3), **run)
    assert not (parts / "other-0").exists()
    # made apart and moved in: eegpt info says so and exits 3
    embed_dataset(four_files, tmp_path / "elsewhere" / "other-0", part=(0, 3), **run)
    (tmp_path / "elsewhere" / "other-0").rename(parts / "other-0")
    report, good = parts_report(parts)
    assert not good and "read as one table" not in report
    assert "NOT parts of one split: part-0, part-1 of a split into 2 parts; other-0 of a " in (
        report
    )


def test_a_part_already_beside_in_another_folder_is_refused(four_files, model, tmp_path):
    """Part 1/2 started into a second folder beside the folder holding it (each task's folder
    named by a job id, a task resubmitted) would hold its files twice: refused before any
    work, naming the folder to resume; folders made so anyway are not said to be one table."""
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    parts = tmp_path / "emb"
    for k in (0, 1):
        embed_dataset(four_files, parts / f"job-{10 + k}", part=(k, 2), **run)
    with pytest.raises(ValueError, match=r"job-12: part 1/2 is already in \S+job-11 beside it, "
                       r"split from the same listing: .*Resume that part in its own folder "
                       r"\(-o \S+job-11"):  # fmt: skip
        embed_dataset(four_files, parts / "job-12", part=(1, 2), **run)
    assert not (parts / "job-12").exists()
    embed_dataset(four_files, parts / "job-11", part=(1, 2), **run)  # its own folder: resumed
    embed_dataset(four_files, tmp_path / "elsewhere" / "job-12", part=(1, 2), **run)
    (tmp_path / "elsewhere" / "job-12").rename(parts / "job-12")
    report, good = parts_report(parts)
    assert not good and "read as one table" not in report
    assert "NOT parts of one split: part 1/2 in job-11, job-12. A part embedded twice" in report


def test_a_copy_of_a_part_beside_the_parts_is_not_totalled(four_files, model, tmp_path):
    """A copy of part 1/2 beside parts 0/2 and 1/2 (a backup, a task resubmitted): eegpt info
    gives no total, which would count the copied part's files twice, but says why."""
    import shutil

    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    parts = tmp_path / "emb"
    for k in (0, 1):
        embed_dataset(four_files, parts / f"part-{k}", part=(k, 2), **run)
    report, good = parts_report(parts)
    assert good and "  total: 4 files: 4 ok" in report
    shutil.copytree(parts / "part-1", parts / "part-1-copy")
    report, good = parts_report(parts)
    assert not good and "NOT parts of one split: part 1/2 in part-1, part-1-copy" in report
    assert "total" not in report.replace("no total", ""), report
    assert "  no total: some files are in two of these folders" in report
