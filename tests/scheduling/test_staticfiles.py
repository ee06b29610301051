"""The production static build: collectstatic with hashed, compressed
files must pass with KRDS installed, or a deployment would stop."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_collectstatic_with_the_manifest_storage(tmp_path):
    if not settings.KRDS_DIR.is_dir():
        pytest.skip("KRDS (node_modules) is not installed; make test installs it")
    env = {"PATH": "/usr/bin:/bin", "STATIC_MANIFEST": "1", "STATIC_ROOT": str(tmp_path), "DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert "krds/css/component/output.css" in manifest
    assert "css/tongtong.css" in manifest
    assert (tmp_path / (manifest["css/tongtong.css"] + ".gz")).exists()  # compressed by whitenoise
    if settings.BUILT_STATIC_DIR.is_dir():  # the set-up's build (make assets), collected and compressed too
        for built in ("krds/css/component/tongtong-public.css", "krds/css/component/tongtong-staff.css"):
            assert (tmp_path / (manifest[built] + ".gz")).exists(), built
        # tongtong.css names the cut font by its hashed name.
        hashed_font = manifest["krds/fonts/PretendardGOV-Regular.tongtong.woff2"]
        assert hashed_font.rsplit("/", 1)[1] in (tmp_path / manifest["css/tongtong.css"]).read_text()
