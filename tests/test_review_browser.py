"""``aligner review`` in a real browser: Playwright drives Debian's chromium against the real server.

The server runs as ``aligner review`` in a subprocess, as a user starts it, so that killing it is a
real crash. Screenshots are written to ``out/screenshots/review-*.png`` (not committed) to look at.
"""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _paths import ROOT

from aligner.pipeline import align_documents
from aligner.sources import load_statement
from aligner.tmx import read_tmx, units_from_multi, write_tmx

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from aligner.embed import Encoder

pytestmark = pytest.mark.slow

BENCH = runpy.run_path(str(ROOT / "benchmarks" / "review_load.py"))
SHOTS = ROOT / "out" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need: pip install playwright")
    pytest.importorskip("starlette", reason="aligner review needs: pip install 'aligner[review]'")
    if not Path(BENCH["CHROMIUM"]).exists():
        pytest.skip(f"browser tests need Debian's chromium at {BENCH['CHROMIUM']} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BENCH["CHROMIUM"], args=BENCH["CHROMIUM_ARGS"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def samples_tmx(tmp_path_factory: pytest.TempPathFactory, use_encoder: Encoder) -> Path:
    """The five-language sample statement aligned: 17 units, the 12th 1-2-2-2-2, the last scored 0.73."""
    path = tmp_path_factory.mktemp("review") / "samples.tmx"
    write_tmx(
        path, units_from_multi(align_documents(load_statement([str(ROOT / "samples")]), use_encoder)), srclang="*all*"
    )
    return path


class Server:
    """``aligner review TMX -o OUT --no-browser`` in a subprocess."""

    def __init__(self, tmx: Path, output: Path, *extra: str) -> None:
        self.process, self.url = BENCH["start_review"](tmx, output, *extra)

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no chance to clean up, as in a crash
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture()
def serve(tmp_path: Path) -> Iterator[Any]:
    servers: list[Server] = []

    def start(tmx: Path, *extra: str) -> Server:
        servers.append(Server(tmx, tmp_path / "out.tmx", *extra))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def open_page(browser: Browser, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url)
    page.wait_for_selector("body[data-ready] #rows tr")
    return page


def units(page: Page) -> int:
    return int(page.inner_text("#page-info").split("(")[1].split()[0])


def cell(page: Page, unit: int, lang: str) -> list[str]:
    """The sentences shown for one unit (1-based, as on the page) and language."""
    return page.locator(f'tr[data-unit="{unit - 1}"] p.s[data-lang="{lang}"]').all_inner_texts()


def sentence(page: Page, unit: int, lang: str, k: int = 0) -> Any:
    return page.locator(f'tr[data-unit="{unit - 1}"] p.s[data-lang="{lang}"]').nth(k)


def wait_message(page: Page, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#message")).to_contain_text(text)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"review-{name}.png"))


def test_review_a_statement_with_the_mouse(browser: Browser, samples_tmx: Path, serve: Any, tmp_path: Path) -> None:
    page = open_page(browser, serve(samples_tmx).url)
    assert units(page) == 17 and len(cell(page, 12, "ru")) == 2
    shot(page, "start")

    # Split unit 12 before its second Russian sentence: every language with two is cut there too.
    sentence(page, 12, "ru", 1).click()
    page.click('button[data-op="split"]')
    wait_message(page, "unit split")
    assert units(page) == 18 and len(cell(page, 12, "ru")) == 1 and len(cell(page, 13, "en")) == 1
    assert cell(page, 13, "de") == []  # German had one sentence: it stays with the first part

    # Merge them again with the row's button.
    page.click('tr[data-unit="11"] button[data-row-op="merge"]')
    wait_message(page, "units merged")
    assert units(page) == 17 and len(cell(page, 12, "ru")) == 2

    # Move the last Spanish sentence up into "Thank you.": the last unit then has no Spanish.
    sentence(page, 17, "es").click()
    page.click('button[data-op="move-prev"]')
    wait_message(page, "moved to the previous unit")
    assert len(cell(page, 16, "es")) == 2
    assert page.locator('tr[data-unit="16"] td.none[data-lang="es"]').inner_text() == "no counterpart"

    # Undo it, then mark the German sentence of the last unit as having no counterpart.
    page.click('button[data-op="undo"]')
    wait_message(page, "undone")
    assert len(cell(page, 16, "es")) == 1
    sentence(page, 17, "de").click()
    page.click('button[data-op="unpair"]')
    wait_message(page, "no counterpart")
    assert units(page) == 18 and cell(page, 17, "en") == [] and cell(page, 18, "de") == []

    page.click('tr[data-unit="0"] button[data-row-op="confirm"]')
    wait_message(page, "unit confirmed")
    assert page.inner_text("#counter").startswith("4 of 18 units reviewed")  # 1, 12 (split, merged), 17 and 18
    page.evaluate("document.querySelector('tr[data-unit=\"10\"]').scrollIntoView()")
    sentence(page, 17, "de").click()
    shot(page, "edited")

    page.click("#save")
    wait_message(page, "saved 18 units")
    saved = list(read_tmx(tmp_path / "out.tmx"))
    assert len(saved) == 18
    assert saved[0].prop("x-confidence-reason") == "confirmed by a reviewer" and saved[0].prop("x-reviewed")
    assert saved[16].langs == ("de",) and saved[16].prop("x-review-edits") == "unpair"
    assert saved[17].langs == ("en", "es", "fr", "ru") and saved[17].prop("x-confidence") == "1.000"
    assert saved[11].prop("x-review-edits") == "split merge" and saved[11].text("ru").count(".") >= 2
    assert saved[1].prop("x-reviewed") is None and saved[1].prop("x-score") is not None


def test_review_a_statement_with_the_keyboard_only(
    browser: Browser, samples_tmx: Path, serve: Any, tmp_path: Path
) -> None:
    page = open_page(browser, serve(samples_tmx, "--threshold", "0.83").url)
    keys = page.keyboard

    keys.press("n")  # the first unit scored below 0.83: unit 5 (0.826)
    assert page.get_attribute("tr.current", "data-unit") == "4"
    keys.press("c")
    wait_message(page, "unit confirmed")

    for _ in range(7):
        keys.press("j")
    keys.press("l")  # from German to English
    keys.press("]")  # its second sentence
    assert page.inner_text("p.s.selected") == cell(page, 12, "en")[1]
    keys.press("s")
    wait_message(page, "unit split")
    assert units(page) == 18
    keys.press("k")
    keys.press("m")
    wait_message(page, "units merged")
    assert units(page) == 17

    keys.press("]")
    keys.press("Shift+ArrowDown")  # the second English sentence to unit 13
    wait_message(page, "moved to the next unit")
    assert len(cell(page, 13, "en")) == 2
    keys.press("z")
    wait_message(page, "undone")
    keys.press("y")
    wait_message(page, "redone")
    keys.press("Control+z")
    wait_message(page, "undone")
    assert len(cell(page, 12, "en")) == 2

    second = cell(page, 12, "en")[1]
    assert page.inner_text("p.s.selected") == second  # the selection followed the sentence back
    keys.press("x")  # that English sentence has no counterpart
    wait_message(page, "no counterpart")
    assert units(page) == 18 and cell(page, 13, "en") == [second] and cell(page, 13, "de") == []

    keys.press("?")
    assert page.is_visible("#help")
    shot(page, "help")
    keys.press("Escape")
    assert not page.is_visible("#help")

    keys.press("Control+s")
    wait_message(page, "saved 18 units")
    saved = list(read_tmx(tmp_path / "out.tmx"))
    assert saved[4].prop("x-confidence-reason") == "confirmed by a reviewer"
    assert saved[12].variants == (("en", second),) and "unpair" in saved[12].prop("x-review-edits").split()


def test_a_killed_review_comes_back_with_its_edits(browser: Browser, samples_tmx: Path, serve: Any) -> None:
    server = serve(samples_tmx)
    page = open_page(browser, server.url)
    page.keyboard.press("m")
    wait_message(page, "units merged")
    page.keyboard.press("j")
    page.keyboard.press("c")
    wait_message(page, "unit confirmed")
    server.kill()
    page.close()

    page = open_page(browser, serve(samples_tmx).url)  # same input, same output: the journal is replayed
    assert units(page) == 16
    assert page.inner_text("#counter").startswith("2 of 16 units reviewed")
    assert len(cell(page, 1, "en")) == 2
    page.keyboard.press("z")  # undo history comes back too
    wait_message(page, "undone")
    assert page.inner_text("#counter").startswith("1 of 16")


def test_requests_without_the_token_are_refused(browser: Browser, samples_tmx: Path, serve: Any) -> None:
    url = serve(samples_tmx).url
    page = browser.new_page()
    bare = url.split("?")[0]
    assert page.goto(bare).status == 403
    assert page.goto(url.replace("token=", "token=x")).status == 403
    assert page.goto(bare + "api/document").status == 403
    assert "forbidden" in page.content()


def test_a_second_tab_cannot_overwrite_the_first(browser: Browser, samples_tmx: Path, serve: Any) -> None:
    url = serve(samples_tmx).url
    first, second = open_page(browser, url), open_page(browser, url)
    first.keyboard.press("m")
    wait_message(first, "units merged")
    second.keyboard.press("c")  # made on a view of version 0
    wait_message(second, "changed in another tab")
    second.wait_for_selector("#page-info:has-text('(16 units)')")
    assert second.inner_text("#counter").startswith("1 of 16")  # reloaded: the merge, not the confirm


def test_three_thousand_units_in_five_languages(browser: Browser, serve: Any, tmp_path: Path) -> None:
    tmx = BENCH["build_tmx"](tmp_path / "big.tmx", 3000)
    page = open_page(browser, serve(tmx).url)
    assert units(page) == 3000
    assert page.locator("#rows tr").count() == 50  # one page in the DOM, not 3,000 rows
    page.select_option("#filter", "look")
    assert 0 < units(page) < 3000
    page.select_option("#filter", "all")
    page.keyboard.press("PageDown")
    assert page.inner_text("#page-info").startswith("page 2 of 60")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400  # five columns fit, no sideways scroll
    shot(page, "3000")

    # The reviewer chooses and orders the languages: Spanish hidden, Russian one column left.
    page.uncheck('#langs input[data-lang="es"]')
    page.click('#langs button[data-move="-1"][data-lang="ru"]')
    assert page.locator("#heads th").all_inner_texts()[1:-1] == ["de", "en", "ru", "fr"]
    assert page.locator("#rows tr").first.locator("td").count() == 6
