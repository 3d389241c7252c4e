"""The notebook's grading cell, run in a real Jupyter kernel as a student runs it."""

import nbformat
from nbclient import NotebookClient

from grader.manifest import ROOT

APPS = ROOT / "tests" / "fixtures" / "apps"


def run_cell(source: str) -> list:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(source))
    # Run from notebooks/, where the course's notebooks live, like the self-check does.
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    return nb.cells[0].outputs


def test_grading_cell_renders_html_and_never_raises():
    solution = ROOT / "solutions" / "ch01_wsgi"
    outputs = run_cell(
        "from grader.notebook import check\n"
        f"passing = check('ch1', path={str(solution)!r})\n"
        f"broken = check('ch1', path={str(APPS / 'syntax')!r})\n"
        "display(passing)\n"
        "broken\n")
    results = [o for o in outputs if o.output_type in ("display_data", "execute_result")]
    assert [o.output_type for o in outputs if o.output_type == "error"] == []
    assert len(results) == 2
    first, second = (o.data for o in results)
    assert "text/html" in first and "Score 8/8" in first["text/html"]
    assert "all checks pass" in first["text/plain"]
    assert "No app found" in second["text/html"]  # ch1 serves `linkly`; the fixture has none
    assert "None of the 5 checks could run" in second["text/html"]
