"""Screenshots of each workspace view for the README (headless Chromium through Playwright).

    python -m monitor demo --data-dir /tmp/gs-demo
    printf 'a long passphrase\\n' | python -m monitor users --database /tmp/gs-demo/demo.db add ana --role operator
    python -m monitor web --database /tmp/gs-demo/demo.db &
    python scripts/web_screenshots.py --user ana --password 'a long passphrase'
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

VIEWS = {"incidents": "/incidents", "incident": "/incidents/{incident}", "mentions": "/mentions?sentiment=negative",
         "trends": "/trends", "sources": "/sources"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--incident", default="4", help="the incident page to show (the demo's outage is #4)")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/lib/chromium/chromium-headless-shell")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 760})
        page.goto(f"{args.base}/login")
        page.fill("input[name=name]", args.user)
        page.fill("input[name=password]", args.password)
        page.click("button:has-text('Sign in')")
        page.wait_for_url("**/incidents")
        for name, path in VIEWS.items():
            page.goto(args.base + path.format(incident=args.incident))
            page.screenshot(path=str(args.out / f"{name}.png"))
            print(args.out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
