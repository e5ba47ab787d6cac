"""The GPU bundle builder (python -m paperlib.companion.gpu_bundle OUTDIR): contents, commit, the run script's module check."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

from paperlib.companion import gpu_bundle
from paperlib.common import paths

pytestmark = pytest.mark.skipif(shutil.which("git") is None or not (paths.ROOT / ".git").exists(),
                                reason="needs a git checkout")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "b"
    manifest = gpu_bundle.build(out)
    return out, manifest


def test_contents_and_commit(bundle):
    out, manifest = bundle
    head = subprocess.run(["git", "-C", str(paths.ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert (out / "COMMIT").read_text().strip() == head == manifest["commit"]
    with tarfile.open(out / "project.tar") as tar:
        names = set(tar.getnames())
    assert {"paperlib/__init__.py", "pyproject.toml", "data/claims/scta.yaml"} <= names
    assert not any(n.startswith((".venv", "build/")) for n in names)
    script = out / "run_gpu.sh"
    assert os.access(script, os.X_OK)
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    assert "python -m paperlib.companion.gpu_run" in script.read_text() or "-m paperlib.companion.gpu_run" in script.read_text()


def test_carries_the_resolved_parameters_of_every_section(bundle):
    from paperlib.companion import gpu_run

    out, manifest = bundle
    params = json.loads((out / "PARAMS.json").read_text())
    assert "PARAMS.json" in manifest["files"] and set(params) == {"paper", "smoke"}
    for section, (notebook, _, _) in gpu_run.SECTION_SPECS.items():
        for profile in ("paper", "smoke"):
            assert params[profile][notebook] == json.loads(json.dumps(gpu_run.resolve_parameters(notebook, profile)))
    assert params["paper"]["14_bk_params_memory"]["S44_SEQ"] != params["smoke"]["14_bk_params_memory"]["S44_SEQ"]


def test_vendored_yaml_is_pure_python_and_works(bundle):
    out, manifest = bundle
    assert "yaml" in manifest["vendored"]
    assert not list((out / "vendor").rglob("*.so"))
    code = ("import yaml; assert '/vendor/yaml/' in yaml.__file__, yaml.__file__; "
            "assert yaml.safe_load('a: [1, 2]') == {'a': [1, 2]}; print('ok')")
    env = {**os.environ, "PYTHONPATH": str(out / "vendor" / "yaml")}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "ok", proc.stderr


@pytest.mark.slow
@pytest.mark.integration  # builds and runs the bundle
def test_run_script_checks_modules(bundle, tmp_path):
    out, _ = bundle
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHON"] = sys.executable
    ok = subprocess.run([str(out / "run_gpu.sh"), "--check-only"], env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "check ok" in ok.stdout, ok.stdout + ok.stderr
    assert (out / "project" / "BUNDLE_COMMIT").read_text() == (out / "COMMIT").read_text()
    assert (out / "project" / "BUNDLE_PARAMS.json").read_text() == (out / "PARAMS.json").read_text()
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "pandas.py").write_text("raise ImportError('blocked for the test')\n")
    bad = subprocess.run([str(out / "run_gpu.sh"), "--check-only"], env={**env, "PYTHONPATH": str(blocker)},
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 3 and "required Python module(s) missing: pandas" in bad.stderr


def test_refuses_nonempty_outdir_and_binary_wheels(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "f").write_text("")
    with pytest.raises(FileExistsError):
        gpu_bundle.build(tmp_path / "x")
    whl = tmp_path / "pkg-1.0-cp312-cp312-linux_x86_64.whl"
    whl.write_text("")
    with pytest.raises(ValueError, match="pure-python"):
        gpu_bundle.build(tmp_path / "y", wheels=[whl])


def test_parameters_come_from_the_archive_not_the_working_tree(tmp_path):
    """An uncommitted edit of a parameter file must not travel under the commit the bundle names: the carried
    parameters are resolved from the notebooks inside project.tar."""
    import yaml

    from paperlib.companion import gpu_run

    nb = "14_bk_params_memory"
    doc = yaml.safe_load((paths.PARAMS / f"{nb}.yaml").read_text())
    doc["paper"]["S44_SEQ"] = 1234                                    # what the archived commit says
    edited = tmp_path / f"{nb}.yaml"
    edited.write_text(yaml.safe_dump(doc))
    tar_path = tmp_path / "project.tar"
    with tarfile.open(tar_path, "w") as tar:
        for p in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py")) + sorted(paths.PARAMS.glob("*.yaml")):
            src = edited if p.name == edited.name else p
            tar.add(src, arcname=str(p.relative_to(paths.ROOT)))
    params = gpu_bundle._committed_parameters(tar_path, gpu_run)
    assert params["paper"][nb]["S44_SEQ"] == 1234 != gpu_run.resolve_parameters(nb, "paper")["S44_SEQ"]
    assert paths.NOTEBOOKS == paths.ROOT / "notebooks"                # restored afterwards
