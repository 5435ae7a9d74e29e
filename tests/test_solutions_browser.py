"""The HTML answer key, rendered in a real browser (headless Chromium).

Checks that every MathML formula and every figure has a size on the page, that no raw
``$`` is left in the visible text, and that the language switch works; saves a
screenshot as a test artifact. Skipped only outside CI when Chromium is absent.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from nndl.solutions import render, solve_all

CHECK_SCRIPT = """
<script>
(function(){
  function report(){
    var r = {};
    function shown(e){ var p = e.closest('.l-en,.l-zh');
        return p === null || getComputedStyle(p).display !== 'none'; }
    var maths = Array.from(document.querySelectorAll('math'));
    var visibleMath = maths.filter(shown);
    r.math_total = maths.length;
    r.math_visible = visibleMath.length;
    r.math_zero = visibleMath.filter(function(m){ var b = m.getBoundingClientRect();
        return b.width <= 0 || b.height <= 0; }).length;
    var svgs = Array.from(document.querySelectorAll('figure svg')).filter(shown);
    r.svg_total = svgs.length;
    r.figures = document.querySelectorAll('figure').length;
    r.svg_zero = svgs.filter(function(s){ var b = s.getBoundingClientRect();
        return b.width <= 0 || b.height <= 0; }).length;
    r.dollar_in_text = (document.body.innerText.match(/\\$/g) || []).length;
    r.lang_before = document.documentElement.getAttribute('data-lang');
    var zhVisible = Array.from(document.querySelectorAll('.l-zh')).some(function(e){
        return getComputedStyle(e).display !== 'none'; });
    document.querySelector('button.lang[data-set="en"]').click();
    var zhHidden = Array.from(document.querySelectorAll('.l-zh')).every(function(e){
        return getComputedStyle(e).display === 'none'; });
    r.switch_works = zhVisible && zhHidden && document.documentElement.getAttribute('data-lang') === 'en';
    document.querySelector('button.lang[data-set="zh"]').click();
    var pre = document.createElement('pre'); pre.id = 'nndl-check';
    pre.textContent = JSON.stringify(r); document.body.appendChild(pre);
  }
  if (document.readyState === 'complete') report(); else window.addEventListener('load', report);
})();
</script>
"""

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--virtual-time-budget=5000",
]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def browser() -> str:
    path = _chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def html_page() -> str:
    return render.to_html(solve_all(), "zh")


def _run(browser: str, args: list[str], tmp_path) -> str:
    profile = tmp_path / "profile"
    proc = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=180,
    )
    return proc.stdout


def test_html_renders_math_and_figures(browser, html_page, tmp_path, artifacts_dir):
    page = tmp_path / "solutions.html"
    page.write_text(html_page.replace("</body>", CHECK_SCRIPT + "</body>"), encoding="utf-8")
    dom = _run(browser, ["--dump-dom", page.as_uri()], tmp_path)
    m = re.search(r'<pre id="nndl-check">(.*?)</pre>', dom, re.S)
    assert m, "the check script did not run in the browser"
    result = json.loads(m.group(1).replace("&quot;", '"'))
    assert result["math_total"] > 20
    assert result["math_visible"] > 10
    assert result["math_zero"] == 0, result
    assert result["figures"] >= 4  # exercises 1-4
    assert result["svg_total"] == result["figures"]  # each figure shows one drawing
    assert result["svg_zero"] == 0, result
    assert result["dollar_in_text"] == 0, result
    assert result["lang_before"] == "zh"
    assert result["switch_works"], result

    shot = artifacts_dir / "solutions_zh.png"
    clean = tmp_path / "clean.html"
    clean.write_text(html_page, encoding="utf-8")
    _run(browser, [f"--screenshot={shot}", "--window-size=1100,4000", clean.as_uri()], tmp_path)
    assert shot.exists() and shot.stat().st_size > 10_000
