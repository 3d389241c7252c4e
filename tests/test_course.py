"""The course proves itself, chapter by chapter (the same checks as `grader check-course`)."""

import subprocess
import sys

import pytest

from grader import manifest, selfcheck

CHAPTERS = manifest.load()
IDS = [c.id for c in CHAPTERS]


def test_manifest_lists_chapters_once_in_order():
    assert IDS, "the manifest lists no chapter"
    assert len(set(IDS)) == len(IDS)
    assert [c.number for c in CHAPTERS] == sorted(c.number for c in CHAPTERS)
    assert len({c.slug for c in CHAPTERS}) == len(CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_layout_and_todos(chapter):
    assert selfcheck.check_layout(chapter) == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_solution_scores_full_marks(chapter):
    assert selfcheck.check_solution(chapter) == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_skeleton_fails_its_todo_checks(chapter):
    assert selfcheck.check_skeleton(chapter) == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_notebook_runs_top_to_bottom(chapter):
    assert selfcheck.check_notebook(chapter) == []


def test_notebooks_match_their_sources():
    r = subprocess.run([sys.executable, "course/build_notebooks.py", "--check"],
                       cwd=manifest.ROOT, capture_output=True, text=True, timeout=120,
                       check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_exercise_folder_is_in_the_manifest():
    slugs = {c.slug for c in CHAPTERS}
    for top in ("exercises", "solutions"):
        found = {p.name for p in (manifest.ROOT / top).iterdir() if p.is_dir()}
        assert found <= slugs, f"{top}/ has folders the manifest does not list: {found - slugs}"


def test_find_accepts_every_spelling():
    ch = CHAPTERS[0]
    for name in (ch.id, f"ch{ch.number:02d}", str(ch.number), ch.slug, ch.id.upper()):
        assert manifest.find(name, CHAPTERS) is ch
    with pytest.raises(manifest.UnknownChapter, match="The chapters are"):
        manifest.find("ch0", CHAPTERS)
