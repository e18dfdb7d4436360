"""The benchmark's report names the BLAS kernels it ran with, and says when they were forced."""

import json
import os
import platform
import subprocess
import sys

import pytest

from cnnbook.nn import bench


@pytest.fixture(scope="module")
def result():
    return bench.run(rounds=1, with_torch=False)


def test_report_notes_forced_kernels(result):
    machine = result["machine"]
    forced = {**result, "machine": {**machine, "OPENBLAS_CORETYPE": "Haswell"}}
    free = {**result, "machine": {**machine, "OPENBLAS_CORETYPE": None}}
    assert "note: OPENBLAS_CORETYPE=Haswell" in bench.report(forced)
    assert "note:" not in bench.report(free)
    assert f"blas_kernels={machine['blas_kernels']}" in bench.report(result)


def blas_in_subprocess(coretype):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    code = "import json; from cnnbook.nn import bench; print(json.dumps(bench._blas()))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_blas_reports_the_kernels_the_environment_forces():
    forced = blas_in_subprocess("Haswell")
    assert forced["forced"] == "Haswell"
    assert forced["library"].startswith("openblas")  # NumPy's wheels ship OpenBLAS
    if platform.machine() in ("x86_64", "AMD64"):  # Haswell kernels exist only on x86-64
        assert forced["kernels"] == "Haswell"
    free = blas_in_subprocess(None)
    assert free["forced"] is None and free["kernels"]
    assert free["threads"] >= 1
