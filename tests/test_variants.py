"""Wrong variants of each solution: the grader must fail each with the right check.

Each tests/variants/chNN.toml lists variants: a name, why it is a real student mistake, text
edits applied to a copy of the chapter's solution, and the checks that must then fail.

    [[variant]]
    name = "create answers 200"
    why = "forgetting that creating a resource is 201 Created"
    fails = ["test_create_returns_201"]
    [[variant.edit]]
    file = "linkly/api.py"
    old = "return body, 201"
    new = "return body"
"""

import shutil
import tomllib
from pathlib import Path

import pytest

from grader import manifest, runner

VARIANTS = Path(__file__).parent / "variants"


def _cases():
    for path in sorted(VARIANTS.glob("ch*.toml")):
        chapter = manifest.find(path.stem)
        for variant in tomllib.loads(path.read_text(encoding="utf-8"))["variant"]:
            yield pytest.param(chapter, variant, id=f"{chapter.id}-{variant['name']}")


@pytest.mark.parametrize("chapter,variant", list(_cases()))
def test_variant_is_caught(chapter, variant, tmp_path):
    app = tmp_path / chapter.slug
    shutil.copytree(chapter.solution_dir, app, ignore=shutil.ignore_patterns("__pycache__"))
    for edit in variant["edit"]:
        target = app / edit["file"]
        text = target.read_text(encoding="utf-8")
        assert text.count(edit["old"]) == 1, (
            f"variant {variant['name']!r}: {edit['old']!r} must occur exactly once in "
            f"{edit['file']} of the solution"
        )
        target.write_text(text.replace(edit["old"], edit["new"]), encoding="utf-8")
    doc = runner.grade(chapter, app)
    assert doc["status"] != "pass", f"variant {variant['name']!r} passed every check"
    status = {t["name"]: t["status"] for t in doc["tests"]}
    for name in variant["fails"]:
        assert name in status, f"{name} is not a check of {chapter.id}"
        assert status[name] != "pass", f"variant {variant['name']!r} passed {name}"
