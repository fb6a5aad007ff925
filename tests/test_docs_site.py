"""The docs site: its generated pages are what scripts/docs.py makes now (the schema, the commands, the labs, the
README's sections), and `mkdocs build --strict` builds it with no warning. Pure: no engine."""

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT

spec = importlib.util.spec_from_file_location("docs", ROOT / "scripts" / "docs.py")
docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(docs)
MKDOCS = shutil.which("mkdocs", path=os.path.dirname(sys.executable))


def test_the_generated_pages_are_current():
    stale = [str(p.relative_to(ROOT)) for p, text in docs.pages().items()
             if not p.exists() or p.read_text() != docs.with_runs(p, text)]
    assert stale == [], f"run `python scripts/docs.py` and commit: {stale}"


def test_every_network_type_has_a_page_in_english_and_japanese():
    for name in docs.TYPES:
        en, ja = (ROOT / "docs/networks" / f"{name}.md").read_text(), (ROOT / "docs/ja/networks" / f"{name}.md")
        assert "```mermaid" in en and "## A real run" in en and "## 実際の実行結果" in ja.read_text()


@pytest.mark.skipif(not MKDOCS, reason="needs mkdocs-material (the dev extras have it: make test installs them)")
def test_the_site_builds_strict_with_no_warning(tmp_path):
    built = subprocess.run([MKDOCS, "build", "--strict", "-d", str(tmp_path / "site")], capture_output=True,
                           text=True, cwd=ROOT, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr, built.stderr
    page = (tmp_path / "site" / "networks" / "user-bridge" / "index.html").read_text()
    assert 'class="mermaid"' in page and "numbers" in page
