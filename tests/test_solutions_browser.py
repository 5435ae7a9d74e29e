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


# ------------------------------------------------------------------ print, memory, MathML
# (Selenium drives Chromium here: print media is emulated over the DevTools protocol)
A4_CONTENT_PX = 688  # 210 mm − 2 × 14 mm of @page margin, at 96 px per inch


@pytest.fixture(scope="module")
def driver(browser):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("selenium is required in CI (pip install -e '.[test]')")
        pytest.skip("selenium is not installed")
    chromedriver = shutil.which("chromedriver")
    if chromedriver is None:
        if os.environ.get("CI"):
            pytest.fail("chromedriver is required in CI (apt-get install chromium-driver)")
        pytest.skip("chromedriver is not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--force-device-scale-factor=1", "--no-first-run", "--disable-sync"):
        options.add_argument(flag)
    d = webdriver.Chrome(service=Service(chromedriver), options=options)
    yield d
    d.quit()


@pytest.fixture(scope="module")
def page_file(html_page, tmp_path_factory):
    path = tmp_path_factory.mktemp("key") / "solutions.html"
    path.write_text(html_page, encoding="utf-8")
    return path


def test_printed_key_is_a4_and_nothing_is_wider_than_the_page(driver, page_file, artifacts_dir):
    """Paper cannot scroll: with print media at A4's printable width no element of the key
    (exercise 2's wide table included) may stick out, and the PDF's pages are A4."""
    import base64

    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": A4_CONTENT_PX, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
    try:
        driver.get(page_file.as_uri())
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        for lang in ("en", "zh"):  # each language's tables, the other hidden
            result = driver.execute_script(_OVERFLOW, lang)
            assert result["width"] == A4_CONTENT_PX and result["tables"] >= 5
            assert result["over"] == [], (lang, result["over"][:10])
            assert result["scroll"] <= A4_CONTENT_PX
        pdf = base64.b64decode(driver.execute_cdp_cmd(
            "Page.printToPDF", {"preferCSSPageSize": True})["data"])
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    boxes = {tuple(round(float(v)) for v in box.split())
             for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)}
    assert boxes == {(0, 0, 595, 842)}, boxes  # A4 in points, not US Letter's 612 × 792
    (artifacts_dir / "solutions_zh_print.pdf").write_bytes(pdf)  # to look at


_OVERFLOW = """
  document.documentElement.setAttribute('data-lang', arguments[0]);
  var W = document.documentElement.clientWidth, out = [];
  document.querySelectorAll('main *').forEach(function(e){
    var b = e.getBoundingClientRect();
    if (b.width > 0 && (b.right > W + 0.5 || b.left < -0.5))
      out.push(e.tagName + ' ' + Math.round(b.left) + '..' + Math.round(b.right) + ' '
               + (e.textContent || '').slice(0, 40));
  });
  return {width: W, scroll: document.documentElement.scrollWidth,
          tables: document.querySelectorAll('main table').length, over: out};"""


def test_language_switch_is_remembered_on_reload(driver, page_file):
    driver.get(page_file.as_uri())
    try:
        assert driver.execute_script("return document.documentElement.dataset.lang") == "zh"
        driver.execute_script("document.querySelector('button.lang[data-set=\"en\"]').click()")
        driver.refresh()
        assert driver.execute_script("return document.documentElement.dataset.lang") == "en"
        assert driver.execute_script("return document.documentElement.lang") == "en"
        shown = driver.execute_script("""return Array.from(document.querySelectorAll('.l-zh'))
            .every(function(e){ return getComputedStyle(e).display === 'none'; })""")
        assert shown  # the Chinese is hidden, not just the attribute set
    finally:
        driver.execute_script("localStorage.clear()")
    driver.refresh()
    assert driver.execute_script("return document.documentElement.dataset.lang") == "zh"


def test_primes_sit_on_their_letter_and_bold_vectors_are_bold(driver, page_file):
    driver.get(page_file.as_uri())
    result = driver.execute_script("""
      var primes = Array.from(document.querySelectorAll('math mo')).filter(function(m){
          return /[\\u2032-\\u2034]/.test(m.textContent); });
      var detached = primes.filter(function(m){
          var base = m.previousElementSibling; if (!base) return true;
          var a = base.getBoundingClientRect(), b = m.getBoundingClientRect();
          if (a.width === 0 || b.width === 0) return false;   // in the hidden language
          var em = parseFloat(getComputedStyle(base).fontSize);
          return b.left - a.right > 0.15 * em || a.top - b.top > 0.3 * em; });
      var bold = Array.from(document.querySelectorAll('math mi[mathvariant^="bold"]'));
      var thin = bold.filter(function(m){
          return parseInt(getComputedStyle(m).fontWeight, 10) < 700; });
      return {primes: primes.length, detached: detached.length, bold: bold.length,
              thin: thin.length};""")
    assert result["primes"] > 5 and result["bold"] > 10, result
    assert result["detached"] == 0 and result["thin"] == 0, result
