"""Optional dependencies: Dask and pyarrow are extras, and a feature that needs a
missing one says which extra to install."""

from __future__ import annotations

import json
import subprocess
import sys

from carecap.cli import EXIT_BAD_INPUT, EXIT_OK, main
from carecap.instances import EXAMPLE_REGION

from tests.optimizer.test_batch import GOOD_JOBS, SCENARIOS, write_inputs

_REQUIREMENTS = """
import importlib.metadata as metadata, json
print(json.dumps(metadata.requires("carecap")))
"""


def test_dask_and_pyarrow_are_extras(tmp_path):
    """Tests that the installed distribution needs Dask and pyarrow only under an
    extra, so the default install stays lean."""
    done = subprocess.run(
        [sys.executable, "-c", _REQUIREMENTS],
        cwd=tmp_path,  # the installed metadata, not a build folder of the sources
        capture_output=True,
        text=True,
        check=True,
    )
    requirements = json.loads(done.stdout)
    optional = [r for r in requirements if r.startswith(("pyarrow", "dask"))]
    assert optional
    assert all("extra ==" in r for r in optional), optional
    for extra in ("dask", "parquet", "all"):
        assert any(f'extra == "{extra}"' in r for r in optional), extra


def test_whatif_without_pyarrow_writes_the_csv_and_names_the_extra(tmp_path):
    """Tests that without pyarrow a what-if still succeeds, writes whatif.csv (the
    same table) and no Parquet file, and says to install carecap[parquet].

    In a fresh interpreter where ``import pyarrow`` fails from the start, as it does
    on a default install (pandas then keeps its strings without pyarrow too).
    """
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text(SCENARIOS, encoding="utf-8")
    out = tmp_path / "out"
    argv = ["whatif", str(EXAMPLE_REGION), str(scenarios), "-o", str(out), "--quick"]
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from carecap.cli import main\n"
        f"sys.exit(main({argv!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert (out / "whatif.csv").is_file()
    assert not (out / "whatif.parquet").exists()
    assert "carecap[parquet]" in done.stderr
    assert "wrote whatif.csv and whatif.json" in done.stdout


def test_scheduler_without_dask_exits_2_naming_the_extra(tmp_path, monkeypatch, capsys):
    """Tests that batch --scheduler without Dask installed exits 2 and names
    carecap[dask], before anything is written."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    manifest = write_inputs(tmp_path, GOOD_JOBS)
    out = tmp_path / "runs"
    argv = ["batch", str(manifest), "-o", str(out), "--scheduler", "tcp://127.0.0.1:9"]
    assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "carecap[dask]" in err
    assert "--scheduler" in err
    assert not (out / "results.csv").exists()
