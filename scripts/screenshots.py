"""Take Chromium screenshots of pages at phone (390 px) and desktop (1280 px) width.

Usage: .venv/bin/python scripts/screenshots.py BASE_URL OUT_DIR [username] path [path ...]
Logs in first when a username is given (password demo-2021). For looking at pages by eye.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def main():
    base, out, *rest = sys.argv[1:]
    username = None
    if rest and not rest[0].startswith("/"):
        username, *rest = rest
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width, label in [(390, "phone"), (1280, "desktop")]:
            page = browser.new_page(
                viewport={"width": width, "height": 844 if width == 390 else 900}, locale="zh-CN"
            )
            if username:
                page.goto(base + "/accounts/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", "demo-2021")
                page.click("button[type=submit]")
            for path in rest:
                page.goto(base + path)
                name = path.strip("/").replace("/", "_") or "home"
                page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
