"""A real browser on a real `kg serve`: from a place to an attack there, to the sentence it came from."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from helpers import REPO, chromium, free_port, headless_chromium
from pages_fixtures import BASE, load_fixture

pytestmark = pytest.mark.slow


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kg serve exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"kg serve did not listen on port {port} within {timeout}s")


@pytest.fixture()
def served(tmp_path):
    """`kg serve` as its own process over a store built from the page fixture."""
    store = tmp_path / "store"
    load_fixture(store)
    port = free_port()
    env = {**os.environ, "KG_BASE_IRI": BASE, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, "-m", "conflict_kg", "serve", "--store", str(store), "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture()
def browser(tmp_path):
    if chromium() is None:
        pytest.skip("headless Chromium needs chromium and chromedriver on PATH (Debian packages chromium, chromium-driver)")
    driver = headless_chromium(
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    )
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_place_to_attack_to_source_sentence(served, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(f"{served}/id/place/raqqa")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Raqqa")
    assert browser.find_elements(By.CSS_SELECTOR, "svg.map circle.here")
    browser.find_element(By.CSS_SELECTOR, "#attacks a.attack").click()

    assert browser.current_url == f"{served}/id/attack/raqqa-bakery-2014-09-06"
    sentences = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "blockquote.sentence")]
    assert "Syrian government forces struck the al-Andalus bakery in Raqqa on Saturday, killing at least 25 people." in sentences
    assert any("20 civilians were killed" in s for s in sentences) and any("31 people died" in s for s in sentences)
    highlighted = browser.find_element(By.CSS_SELECTOR, "#evidence blockquote.sentence mark").text
    assert highlighted == "Syrian government forces struck the al-Andalus bakery in Raqqa"
    # The article's title is markup; in a real browser it must be text, never a script.
    assert "<script>alert(1)</script>" in browser.find_element(By.CSS_SELECTOR, "#evidence a.article").text
    assert browser.execute_script("return document.querySelectorAll('main script').length") == 0

    screenshot = tmp_path / "attack-page.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000
