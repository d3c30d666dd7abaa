"""The HTML digest in a real browser: Debian's chromium driven through its chromedriver.

Every story and bullet visible, nothing wider than the screen at 375 and 1280 px, no console
error, the language filter working without script, and the hostile article's script, image
handler and javascript: link inert. ``pytest --screenshot DIR`` also saves what the browser
showed (phone and desktop, light and dark).
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer import digest, make_options
from summarizer.digest_render import render_html

ROOT = Path(__file__).parent.parent
STORIES = Path(__file__).parent / "stories"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _browser(profile: Path) -> Any:
    """A headless chromium with a fresh profile, or a skip when none can be had."""
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip("chromium and chromium-driver are not installed (apt-get install them)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Selenium Manager must not look for (or download) a driver: Debian's is given.
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The digest of the examples (the seed among them), the feed and the hostile inputs."""
    inputs = [str(ROOT / "examples"), str(STORIES / "feed.jsonl"), str(STORIES / "hostile.md"),
              str(STORIES / "hostile.jsonl")]  # fmt: skip
    result = digest(inputs, make_options(), jobs=1)
    path = tmp_path_factory.mktemp("digest") / "digest.html"
    path.write_text(render_html(result), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    browser = _browser(tmp_path_factory.mktemp("profile"))
    try:
        yield browser
    finally:
        browser.quit()


def _screen(driver: Any, width: int, dark: bool = False) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    scheme = "dark" if dark else "light"
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def _shoot(driver: Any, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(folder / f"{name}-first-screen.png"))
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    (folder / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("width", [375, 1280])
def test_every_story_and_bullet_is_visible_and_nothing_overflows(
    driver: Any, page: Path, width: int, request: pytest.FixtureRequest
) -> None:
    from selenium.webdriver.common.by import By

    _screen(driver, width)
    driver.get(page.as_uri())
    stories = driver.find_elements(By.CSS_SELECTOR, "article.story")
    bullets = driver.find_elements(By.CSS_SELECTOR, "article.story ul.bullets li")
    assert len(stories) >= 6 and len(bullets) >= 10
    assert driver.execute_script("return window.innerWidth") == width
    # The page's width less a scroll bar, if the platform draws one.
    viewport = driver.execute_script("return document.documentElement.clientWidth")
    assert viewport > width - 20
    assert driver.execute_script("return document.documentElement.scrollWidth") <= viewport
    for element in [*stories, *bullets, *driver.find_elements(By.CSS_SELECTOR, ".sources li")]:
        assert element.is_displayed(), element.text
        box = driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()", element)
        assert box["width"] > 0 and box["height"] > 0
        assert box["left"] >= 0 and box["right"] <= viewport + 0.5, element.text
    # Each bullet and headline says its own language (screen readers, hyphenation).
    for element in [*bullets, *driver.find_elements(By.CSS_SELECTOR, "article.story h2")]:
        assert element.get_attribute("lang")
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors
    folder = request.config.getoption("--screenshot")
    if folder:
        for dark in (False, True):
            _screen(driver, width, dark)
            _shoot(driver, Path(folder), f"digest-{width}px-{'dark' if dark else 'light'}")


def test_hostile_input_does_not_run_or_link(driver: Any, page: Path) -> None:
    from selenium.webdriver.common.by import By

    _screen(driver, 1280)
    driver.get(page.as_uri())
    assert driver.execute_script("return window.__digestPwned === undefined")
    assert driver.title == "News digest"
    assert not driver.find_elements(By.CSS_SELECTOR, "script, img, iframe, object")
    hrefs = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[href]")]
    assert hrefs and all(href.startswith(("http://", "https://")) for href in hrefs)
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "<script>" in body and "javascript:window.__digestPwned=6" in body


def test_language_filter_works_without_script(driver: Any, page: Path) -> None:
    from selenium.webdriver.common.by import By

    _screen(driver, 375)
    driver.get(page.as_uri())
    stories = driver.find_elements(By.CSS_SELECTOR, "article.story")
    driver.find_element(By.CSS_SELECTOR, "label[for='lang-de']").click()
    shown = [s for s in stories if s.is_displayed()]
    assert shown and len(shown) < len(stories)
    assert all("de" in s.get_attribute("data-langs").split() for s in shown)
    driver.find_element(By.CSS_SELECTOR, "label[for='lang-all']").click()
    assert all(s.is_displayed() for s in stories)
