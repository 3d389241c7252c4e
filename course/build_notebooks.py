"""Build notebooks/chNN_topic.ipynb from course/chNN_topic.md (jupytext markdown).

    python course/build_notebooks.py           rebuild every chapter's notebook
    python course/build_notebooks.py --check   exit 1 if any notebook is out of date

Cell ids are derived from the chapter and the cell's position, so a rebuild of an unchanged
source gives a byte-identical notebook and git diffs stay readable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jupytext
import nbformat

from grader import manifest

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def build(source: Path, slug: str) -> str:
    """Return the notebook JSON text for ``source``."""
    nb = jupytext.read(source, fmt="md")
    nb.metadata = {"kernelspec": KERNELSPEC,
                   "language_info": {"name": "python"},
                   "flasklings": {"source": f"course/{source.name}"}}
    for i, cell in enumerate(nb.cells):
        cell.id = f"{slug.replace('_', '-')}-{i:03d}"
        cell.metadata = {}
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale notebooks")
    args = parser.parse_args(argv)
    stale = []
    for chapter in manifest.load():
        if not chapter.source.exists():
            print(f"{chapter.id}: no source {chapter.source.relative_to(manifest.ROOT)}")
            stale.append(chapter.id)
            continue
        text = build(chapter.source, chapter.slug)
        current = chapter.notebook.read_text(encoding="utf-8") if chapter.notebook.exists() else ""
        if text == current:
            continue
        if args.check:
            stale.append(chapter.id)
            print(f"{chapter.id}: {chapter.notebook.name} is out of date with its source")
        else:
            chapter.notebook.parent.mkdir(exist_ok=True)
            chapter.notebook.write_text(text, encoding="utf-8")
            print(f"{chapter.id}: wrote {chapter.notebook.relative_to(manifest.ROOT)}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
