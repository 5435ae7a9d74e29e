"""Screenshots of a full Chinese reading of nndl (issue 20), for docs/zh/.

Runs each command as a Chinese student would (NNDL_LANG=zh, a 100-column terminal, colours
on), reads what it prints with Rich (Text.from_ansi), lays it out as a terminal does (each
character in a box one or two cells wide, so Chinese and tables line up; Rich's own
export_svg squeezes Chinese into one cell) and has headless Chromium (through Selenium and
chromedriver) photograph it, cropped to the window.
The HTML answer key (`nndl solve --format html -o DIR`) is photographed at a few places, and
once with print media at A4's printable width. PNGs are reduced to a small palette so that
each stays small. Fonts: DejaVu Sans Mono for Latin, WenQuanYi Micro Hei Mono for Chinese
(Debian's fonts-wqy-microhei), so no glyph is a box.

    python docs/zh/make_screenshots.py [--only act,graph] [--out docs/zh]

Needs chromium and chromedriver (Debian: chromium, chromium-driver) and selenium.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from rich.cells import cell_len
from rich.console import Console
from rich.terminal_theme import SVG_EXPORT_THEME
from rich.text import Text

from nndl.solutions.model import problems

COLUMNS = 100
CELL, LINE = 9, 18  # px: one terminal cell's width, one line's height
HERE = Path(__file__).resolve().parent
FONTS = "'DejaVu Sans Mono', 'WenQuanYi Micro Hei Mono', 'WenQuanYi Micro Hei', monospace"

# the sheet's exercise-6 network, as the README's alexnet.txt holds it
ALEXNET = problems()[6]["spec"] + "\n"

# name -> the command line after `nndl` ({dir}: a scratch folder)
SHOTS: dict[str, list[str]] = {
    "solve-brief": ["solve", "--brief"],
    "solve-1": ["solve", "1"],
    "solve-2": ["solve", "2"],
    "solve-3": ["solve", "3"],
    "solve-4": ["solve", "4"],
    "solve-5": ["solve", "5"],
    "solve-6": ["solve", "6"],
    "check-5": ["check", "5", "fc_params=27,000,000", "conv_output_shape=296x296x100"],
    "check-4": ["check", "4", "f=-54", "df/dx=-6", "df/dz=9"],
    "act": ["act"],
    "outlier": ["experiment", "outlier"],
    "backprop": ["experiment", "backprop"],
    "vanish": ["vanish", "-d", "2-10"],
    "graph": ["graph", "(x+y)^2*z", "x=1", "y=2", "z=-6"],
    "summary": ["summary", "{dir}/alexnet.txt", "--explain", "--verify"],
    "train": ["train", "digits", "--epochs", "5", "--no-progress"],
    "gen": ["gen", "6", "-n", "1", "-s", "2027"],
    "error": ["summary", "input 32x32x3; conv 6 5x5 stride=2"],
    "help": ["--help"],
}


def run_nndl(args: list[str], scratch: Path) -> str:
    env = {**os.environ, "NNDL_LANG": "zh", "COLUMNS": str(COLUMNS), "FORCE_COLOR": "1",
           "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    argv = [a.replace("{dir}", str(scratch)) for a in args]
    p = subprocess.run([sys.executable, "-m", "nndl", *argv], capture_output=True, text=True,
                       env=env, timeout=600)
    return (p.stdout + p.stderr).replace(str(scratch) + "/", "")


def terminal_html(title: str, ansi: str) -> str:
    """The output as a terminal shows it: every character in a box of its own width (one
    cell, two for Chinese), so columns line up whatever the fonts' advances are."""
    console = Console(width=COLUMNS, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor")
    theme = SVG_EXPORT_THEME
    rows = []
    for line in Text.from_ansi(ansi.rstrip("\n")).split("\n"):
        cells, used = [], 0
        for seg in line.render(console):
            css = _css(seg.style, theme)
            for ch in seg.text:
                w = cell_len(ch)
                if w == 0:
                    continue
                if used + w > COLUMNS:  # the terminal wraps a longer line (an error message)
                    rows.append("".join(cells))
                    cells, used = [], 0
                cells.append(f'<i style="width:{w * CELL}px{css}">{html.escape(ch)}</i>')
                used += w
        rows.append("".join(cells) or "&nbsp;")
    fg, bg = theme.foreground_color.hex, theme.background_color.hex
    return f"""<!doctype html><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; }}
.win {{ display: inline-block; background: {bg}; color: {fg}; border-radius: 8px;
        padding: 0 14px 12px; font: 15px/{LINE}px {FONTS}; }}
.bar {{ color: #aaa; font: 13px/30px sans-serif, 'WenQuanYi Micro Hei'; text-align: center;
        width: {COLUMNS * CELL}px; }}
.row {{ height: {LINE}px; white-space: pre; width: {COLUMNS * CELL}px; }}
.row i {{ display: inline-block; font-style: normal; overflow: visible; height: {LINE}px;
          vertical-align: top; }}
</style><div class="win"><div class="bar">{html.escape(title)}</div>
{"".join(f'<div class="row">{r}</div>' for r in rows)}</div>"""


def _css(style, theme) -> str:
    if style is None:
        return ""
    out = ""
    if style.color is not None and not style.color.is_default:
        out += f";color:{style.color.get_truecolor(theme).hex}"
    if style.bgcolor is not None and not style.bgcolor.is_default:
        out += f";background:{style.bgcolor.get_truecolor(theme, foreground=False).hex}"
    if style.bold:
        out += ";font-weight:bold"
    if style.italic:
        out += ";font-style:italic"
    if style.underline:
        out += ";text-decoration:underline"
    if style.dim:
        out += ";opacity:.7"
    return out


def small_png(png: bytes, path: Path, colours: int = 24) -> None:
    """A palette PNG: terminal text and a web page have few colours."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    img = img.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    img.save(path, optimize=True)


def make_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--force-device-scale-factor=1", "--no-first-run", "--disable-sync",
                 "--lang=zh-CN"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def shoot_terminal(driver, page: Path) -> bytes:
    """The terminal window, cropped to it."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": COLUMNS * CELL + 40, "height": 1000,
                            "deviceScaleFactor": 1, "mobile": False})
    driver.get(page.as_uri())
    box = driver.execute_script(
        "const r = document.querySelector('.win').getBoundingClientRect();"
        "return [Math.ceil(r.width), Math.ceil(r.height)];")
    w, h = box
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}})
    return base64.b64decode(shot["data"])


def shoot_page(driver, url: str, width: int, height: int, at: str = "", media: str = "",
               below: int = 0) -> bytes:
    """The page at ``at`` (an element id, scrolled to the top of the window, then ``below``
    pixels further), or its top."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1,
                            "mobile": False})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
    driver.get(url)
    driver.execute_script(
        "const e = arguments[0] && document.getElementById(arguments[0]);"
        "window.scrollTo(0, (e ? e.getBoundingClientRect().top + window.scrollY : 0)"
        " + arguments[1]);", at, below)
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    return base64.b64decode(shot["data"])


def pdf_page(driver, scratch: Path, page: int = 2) -> bytes:
    """Exercise 2's key printed to PDF by Chromium (A4, the page's @page rules), and one page
    of that PDF as Chromium's own viewer shows it."""
    run_nndl(["solve", "2", "--format", "html", "-o", "{dir}/key2"], scratch)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.get((scratch / "key2" / "solutions.html").as_uri())
    pdf = base64.b64decode(driver.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True})["data"])
    (scratch / "key2.pdf").write_bytes(pdf)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 800, "height": 1150, "deviceScaleFactor": 1,
                            "mobile": False})
    driver.get((scratch / "key2.pdf").as_uri() + f"#page={page}&toolbar=0&view=FitH")
    time.sleep(3)  # the viewer draws the page after load
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    return base64.b64decode(shot["data"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--only", default="", help="comma-separated shot names (and key)")
    args = ap.parse_args()
    out = Path(args.out)
    only = set(filter(None, args.only.split(",")))
    driver = make_driver()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            scratch = Path(tmp)
            (scratch / "alexnet.txt").write_text(ALEXNET, encoding="utf-8")
            for name, cmd in SHOTS.items():
                if only and name not in only:
                    continue
                ansi = run_nndl(cmd, scratch)
                title = "nndl " + " ".join(c if " " not in c else f'"{c}"' for c in cmd)
                page = scratch / f"{name}.html"
                page.write_text(terminal_html(title.replace("{dir}/", ""), ansi),
                                encoding="utf-8")
                small_png(shoot_terminal(driver, page), out / f"{name}.png")
                print(f"{name}.png  {(out / f'{name}.png').stat().st_size // 1024} KB", flush=True)
            if not only or "key" in only:
                run_nndl(["solve", "--format", "html", "-o", "{dir}/key"], scratch)
                url = (scratch / "key" / "solutions.html").as_uri()
                for name, at, below in (("key-top", "", 0), ("key-ex2", "ex2", 0),
                                        ("key-ex3", "ex3", 1800), ("key-ex6", "ex6", 0)):
                    png = shoot_page(driver, url, 1000, 1300, at, below=below)
                    small_png(png, out / f"{name}.png", colours=64)
                    print(f"{name}.png", flush=True)
                # print media at A4's printable width (210 mm − 2 × 14 mm at 96 px/inch)
                png = shoot_page(driver, url, 688, 1300, "ex2", media="print", below=600)
                small_png(png, out / "key-print-a4.png", colours=64)
                print("key-print-a4.png", flush=True)
                small_png(pdf_page(driver, scratch), out / "key-pdf-page.png", colours=64)
                print("key-pdf-page.png", flush=True)
    finally:
        driver.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
