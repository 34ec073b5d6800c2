"""The HTML report in a real browser: headless Chromium (Debian's ``chromium``, which
``.ci/run`` installs) renders the page at 1280 px, and a script injected into a copy
of the page (the report itself has none) measures the DOM and writes what it found
into it; ``--dump-dom`` hands it back. Without Chromium the tests skip, except under
CI, where they fail.

Also regenerates the README screenshot, ``docs/report-screenshot.png``, when
``HOS_UPDATE_SCREENSHOT`` is set (the run always takes one, to prove the command works).
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from hos_lint.cli import cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "hos-marketplace"
SCREENSHOT = ROOT / "docs" / "report-screenshot.png"
WIDTH = 1280

MEASURE = """<script>
addEventListener("load", () => {
  const page = document.documentElement, svg = document.querySelector("svg"), box = svg.getBoundingClientRect();
  const outside = r => r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 ||
                       r.bottom > box.bottom + 0.5;
  const scroll = document.querySelector(".scroll");
  const found = {
    clientWidth: page.clientWidth,
    scrollWidth: page.scrollWidth,
    texts: svg.querySelectorAll("text").length,
    labels: svg.querySelectorAll("text.label").length,
    outside: [...svg.querySelectorAll("text")].filter(t => outside(t.getBoundingClientRect())).map(t => t.textContent),
    wide: [...document.body.querySelectorAll("*")].filter(e => !e.closest(".scroll") &&
            e.getBoundingClientRect().right > page.clientWidth + 0.5).map(e => e.tagName),
    matrixScrolls: scroll.scrollWidth > scroll.clientWidth,
    matrixRight: scroll.getBoundingClientRect().right,
    svgWidth: box.width,
    closed: [...document.querySelectorAll("details:not([open]) > summary")].map(s => s.textContent),
  };
  const out = document.createElement("pre");
  out.id = "hos-lint-layout";
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
});
</script>"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail("CI is set but there is no chromium; .ci/run must install it")
        pytest.skip("no chromium (Debian: apt-get install chromium)")
    return found


def browse(page: Path, *args: str) -> subprocess.CompletedProcess:
    # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start; the page is our own file
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           f"--window-size={WIDTH},1000", *args, page.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def measure(page_html: str, tmp_path: Path) -> dict:
    page = tmp_path / "measured.html"
    page.write_text(page_html.replace("</body>", MEASURE + "\n</body>"), encoding="utf-8")
    done = browse(page, "--virtual-time-budget=10000", "--dump-dom")
    found = re.search(r'<pre id="hos-lint-layout">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found, done.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


def report_html(root: Path, tmp_path: Path) -> str:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--no-cache", "--format", "html", "--output", str(out), str(root)])
    assert result.exit_code == 0, result.stderr
    return out.read_text(encoding="utf-8")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_fixture_report_fits_the_page_and_its_graph_holds_its_labels(tmp_path):
    page = report_html(FIXTURE, tmp_path)
    found = measure(page, tmp_path)
    assert found["wide"] == [], found
    assert found["scrollWidth"] <= found["clientWidth"], found  # nothing makes the page scroll sideways
    assert found["wide"] == []
    assert found["matrixScrolls"] and found["matrixRight"] <= found["clientWidth"]  # 22 columns scroll in their box
    assert found["labels"] == page.count('<text class="label"') > 30
    assert found["outside"] == []
    assert found["svgWidth"] > 0.8 * min(found["clientWidth"], 1200)  # the graph uses the page's width
    assert found["closed"] == ["api: the legacy monolith (1 foreign relation; legacy: true, its findings are info)",
                               "1 finding of the legacy monolith (api)"]


def test_the_fixture_report_screenshot(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(report_html(FIXTURE, tmp_path), encoding="utf-8")
    shot = tmp_path / "report.png"
    done = browse(page, "--hide-scrollbars", f"--window-size={WIDTH},1800", f"--screenshot={shot}")
    assert shot.is_file(), done.stderr[-2000:]
    assert png_size(shot) == (WIDTH, 1800)
    if os.environ.get("HOS_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, SCREENSHOT)


LONG = {
    "hos-lint.yaml": "version: 1\nservices:\n" + "".join(
        f"  {name}: {{schema: {name}_service}}\n"
        for name in ["a", "fulfilment_and_returns_orchestration", "b", "customer_identity_and_access_management",
                     "c", "d", "e", "recommendation_engine_feature_store", "f"]),
    "services/a/q.sql": "SELECT 1 FROM fulfilment_and_returns_orchestration_service.t;\n"
                        "UPDATE customer_identity_and_access_management_service.t SET x = 1;\n",
    "services/recommendation_engine_feature_store/q.sql": textwrap.dedent("""\
        SELECT 1 FROM a_service.t;
        SELECT 1 FROM b_service.t;
        SELECT 1 FROM fulfilment_and_returns_orchestration_service.t;
        DELETE FROM customer_identity_and_access_management_service.t;
        """),
    "services/fulfilment_and_returns_orchestration/q.sql": "SELECT 1 FROM f_service.t;\nSELECT 1 FROM e_service.t;\n",
}


def test_long_names_stay_inside_the_page_and_the_drawing(tmp_path):
    root = tmp_path / "long"
    for rel, text in LONG.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    page = report_html(root, tmp_path)
    found = measure(page, tmp_path)
    assert found["scrollWidth"] <= found["clientWidth"], found
    assert found["wide"] == []
    assert found["labels"] == 8 and found["texts"] == 8 + 9
    assert found["outside"] == []
