"""The example notebook runs top to bottom on the samples, so it cannot rot."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "compare_renderings.ipynb"


@pytest.mark.slow
def test_compare_renderings_runs_top_to_bottom() -> None:
    reason = "running notebooks needs: pip install nbclient nbformat ipykernel matplotlib"
    nbformat = pytest.importorskip("nbformat", reason=reason)
    nbclient = pytest.importorskip("nbclient", reason=reason)
    pytest.importorskip("ipykernel", reason=reason)
    pytest.importorskip("matplotlib", reason=reason)

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, when a cell fails

    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    text = "".join(out.get("text", "") for out in outputs)
    assert "units in de, en, es, fr, ru (model use)" in text
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert len(images) == 2  # the heatmap and the bar charts
    tables = [out["data"]["text/html"] for out in outputs if "text/html" in out.get("data", {})]
    assert any("mean_chars" in table and "vs_en" in table for table in tables)
