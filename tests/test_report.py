"""The linguists' report: one statement side by side, low scores highlighted, a heatmap, safe with web text."""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import numpy as np
import pytest
from typer.testing import CliRunner

from aligner.cli import app
from aligner.embed import EmbeddingCache, Encoder
from aligner.errors import AlignmentError, OutputError
from aligner.pipeline import align_documents
from aligner.report import (
    DPI,
    ReportOptions,
    alignment_report,
    heatmap_size,
    plot_heatmap,
    png_size,
    require_matplotlib,
    tmx_report,
    write_report,
)
from aligner.segment import segment
from aligner.sources import load_statement
from aligner.tmx import read_tmx, units_from_multi, write_tmx
from aligner.types import Bead, Document, MultiAlignment, Unit

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="module")
def cache(use_encoder: Encoder) -> EmbeddingCache:
    return EmbeddingCache(use_encoder)


@pytest.fixture(scope="module")
def samples(cache: EmbeddingCache) -> MultiAlignment:
    return align_documents(load_statement([str(SAMPLES)]), cache)


def rows(page: str) -> list[lxml.html.HtmlElement]:
    return lxml.html.fromstring(page).xpath("//table[@class='units']/tbody/tr")


def heatmap(page: str) -> bytes:
    (src,) = lxml.html.fromstring(page).xpath("//img/@src")
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix)
    return base64.b64decode(src[len(prefix) :], validate=True)


@pytest.mark.slow
def test_all_languages_side_by_side_with_low_scores_highlighted(samples: MultiAlignment, cache: EmbeddingCache) -> None:
    page = alignment_report(samples, cache, ReportOptions(threshold=0.8, pair=("en", "ru"), title="Talks"))
    table = rows(page)
    assert len(table) == len(samples.units)
    low = [u for u in samples.units if u.score < 0.8]
    assert 0 < len(low) < len(samples.units)
    assert [r.get("id") for r in table if "low" in r.get("class").split()] == [
        f"u{samples.units.index(u) + 1}" for u in low
    ]
    first = table[0].xpath("td")
    assert [td.get("lang") for td in first[1:6]] == list(samples.langs)
    assert first[2].text_content() == samples.text(samples.units[0], "en")
    assert f"{len(low)} below the threshold 0.8" in page

    png = heatmap(page)
    n, m = len(samples.doc("en").sentences), len(samples.doc("ru").sentences)
    expected = tuple(round(side * DPI) for side in heatmap_size(n, m))
    assert png_size(png) == expected
    assert "http://" not in page.replace("http://www.w3.org", "") and "<script" not in page


def hand_built(cache: EmbeddingCache) -> tuple[MultiAlignment, str]:
    """Three units: a good pair, a poor pair, and an English sentence with no Russian counterpart."""
    hostile = 'He wrote <script>alert("x")</script> & <b>left</b>.'
    en = segment(Document("en", ("Good morning, colleagues.", "The weather is fine today.", hostile)))
    ru = segment(Document("ru", ("Доброе утро, коллеги.", "Мы обсудим торговлю.")))
    units = (
        Unit((("en", (0,)), ("ru", (0,))), 0.91),
        Unit((("en", (1,)), ("ru", (1,))), 0.22),
        Unit((("en", (2,)), ("ru", ())), 0.0),
    )
    return MultiAlignment(docs=(en, ru), units=units, model=cache.name), hostile


@pytest.mark.slow
def test_sentences_without_counterpart_are_marked_and_text_is_escaped(cache: EmbeddingCache) -> None:
    multi, hostile = hand_built(cache)
    page = alignment_report(multi, cache)
    good, poor, alone = rows(page)
    classes = [row.get("class").split() for row in (good, poor, alone)]
    without_doubt = [[name for name in names if name != "doubt"] for names in classes]
    assert without_doubt == [["unit"], ["unit", "low"], ["unit", "unpaired"]]
    for row, names in zip((good, poor, alone), classes, strict=True):  # whether a unit is doubtful is the model's call
        assert ("doubt" in names) == (float(row.xpath("td[contains(@class, 'confidence')]")[0].text) < 0.9)
    assert "doubt" in classes[1]  # a pair scored 0.22 is
    assert poor.get("data-score") == "0.2200" and poor.xpath("td[@class='score']")[0].text == "0.220"
    assert alone.xpath("td[@class='gap']/@title") == ["no counterpart in this language"]
    assert alone.xpath("td[@lang='en']")[0].text_content() == hostile  # shown as text ...
    assert "<script>" not in page and "&lt;script&gt;" in page  # ... never as markup
    assert png_size(heatmap(page)) == tuple(round(side * DPI) for side in heatmap_size(3, 2))


@pytest.mark.slow
def test_a_tmx_gives_the_table_without_a_heatmap(samples: MultiAlignment, tmp_path: Path) -> None:
    write_tmx(tmp_path / "a.tmx", units_from_multi(samples), srclang="*all*")
    page = tmx_report(read_tmx(tmp_path / "a.tmx"), ReportOptions(threshold=0.8), source="a.tmx")
    assert len(rows(page)) == len(samples.units)
    assert len(lxml.html.fromstring(page).xpath("//tr[contains(@class, 'low')]")) == sum(
        1 for u in samples.units if round(u.score, 3) < 0.8
    )  # the TMX keeps three decimals
    assert "No similarity heatmap" in page and "<img" not in page


@pytest.mark.slow
def test_a_pair_must_name_two_languages_of_the_statement(samples: MultiAlignment, cache: EmbeddingCache) -> None:
    with pytest.raises(AlignmentError, match="--pair en-it: expected two different languages among de, en"):
        alignment_report(samples, cache, ReportOptions(pair=("en", "it")))


def test_missing_matplotlib_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what an environment without the extra looks like
    with pytest.raises(OutputError, match=r"needs matplotlib: pip install 'aligner\[report\]'"):
        require_matplotlib()


@pytest.mark.slow
def test_the_report_command(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", str(SAMPLES), "-o", str(out), "--pair", "de-fr", "--threshold", "0.7"])
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert "Similarity heatmap de–fr" in page and len(rows(page)) > 10
    bad = CliRunner().invoke(app, ["report", str(SAMPLES), "-o", str(out), "--pair", "en"])
    assert bad.exit_code == 2 and bad.output == "error: --pair wants two languages like en-ru, got 'en'\n"


@pytest.mark.slow
def test_the_page_renders_in_headless_chromium(samples: MultiAlignment, cache: EmbeddingCache, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    pytest.importorskip("PIL", reason="Pillow (installed with matplotlib) reads the screenshot")
    from PIL import Image

    page = alignment_report(samples, cache, ReportOptions(pair=("en", "ru")))
    write_report(page, tmp_path / "report.html")
    # A copy that reports what the browser decoded; the page itself runs no script (its CSP forbids it).
    probe = page.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';").replace(
        "</body>",
        "<script>const i = document.querySelector('img');"
        "document.body.dataset.img = i.complete + ' ' + i.naturalWidth + 'x' + i.naturalHeight;</script></body>",
    )
    (tmp_path / "probe.html").write_text(probe, "utf-8")
    flags = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=5000",
    ]
    dom = subprocess.run(
        [*flags, "--dump-dom", (tmp_path / "probe.html").as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert len(rows(dom)) == len(samples.units)
    width, height = png_size(heatmap(page))
    assert f'data-img="true {width}x{height}"' in dom

    shot = tmp_path / "shot.png"
    subprocess.run(
        [*flags, "--window-size=1200,1600", f"--screenshot={shot}", (tmp_path / "report.html").as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    with Image.open(shot) as image:
        assert image.size == (1200, 1600)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 200  # text, table and heatmap, not a blank page


def test_the_heatmap_boxes_each_stretch_of_a_bead_that_gave_up_a_middle_sentence() -> None:
    similarity = np.eye(3, dtype=np.float32)
    beads = [Bead((0, 2), (0, 2), 0.9), Bead((1,), (1,), 0.8, moved=True)]
    figure = plot_heatmap(similarity, beads, "en", "de")
    boxes = sorted((p.get_x(), p.get_y(), p.get_width(), p.get_height()) for p in figure.axes[0].patches)
    assert boxes == [(-0.5, -0.5, 1, 1), (-0.5, 1.5, 1, 1), (0.5, 0.5, 1, 1), (1.5, -0.5, 1, 1), (1.5, 1.5, 1, 1)]
