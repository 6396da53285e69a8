"""Make the README screenshots: serve the app on the demo athlete and save one PNG per page
into docs/screenshots/ (Chromium at /usr/bin/chromium, 1400 px wide).

    python -m docs.make_screenshots [--height PX] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.e2e.appserver import launch_chromium, running_app, wait_for_run
from whoop.importer import load_demo
from whoop.store import Store

REPO = Path(__file__).resolve().parents[1]

# name -> (URL path, viewport height in px; taller pages get a taller shot)
PAGES = {"overview": ("", 1000), "recovery": ("recovery", 1000), "hrv": ("hrv", 1000),
         "sleep": ("sleep", 1000), "strain": ("strain", 1000), "trends": ("trends", 1500),
         "journal": ("journal", 1400), "explain": ("explain", 1150), "data": ("data", 1000),
         "settings": ("settings", 1000)}
OUT = REPO / "docs" / "screenshots"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=0, help="one height for every page "
                        "(default: each page's own)")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="whoop-shots-") as tmp:
        db = Path(tmp) / "demo.duckdb"
        load_demo(Store(db))
        with running_app(db, log=Path(tmp) / "streamlit.log") as url, sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page(viewport={"width": args.width, "height": 1000})
            for name, (path, height) in PAGES.items():
                page.set_viewport_size({"width": args.width, "height": args.height or height})
                page.goto(f"{url}/{path}")
                wait_for_run(page)
                page.wait_for_timeout(1200)  # plotly draws after the run ends
                target = args.out / f"{name}.png"
                page.screenshot(path=str(target))
                print(target)
            browser.close()


if __name__ == "__main__":
    main()
