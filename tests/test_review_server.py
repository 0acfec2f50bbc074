"""The review server's JSON API, driven through Starlette's TestClient: no real server or browser."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the review server needs: pip install 'aligner[review]'")
from starlette.testclient import TestClient
from test_review_tmx import statement

from aligner.review import ReviewSession, review_from_multi
from aligner.review._server import create_app
from aligner.tmx import read_tmx

TOKEN = "t0ken-for-tests"


@pytest.fixture()
def client(tmp_path: Path) -> TestClient:
    session = ReviewSession(review_from_multi(statement()), tmp_path / "out.tmx")
    client = TestClient(create_app(session, TOKEN, threshold=0.5))
    client.headers["X-Review-Token"] = TOKEN
    return client


@pytest.mark.parametrize("path", ["/", "/api/document", "/api/state", "/static/review.js"])
def test_requests_without_the_token_are_refused(client: TestClient, path: str) -> None:
    assert client.get(path, headers={"X-Review-Token": ""}).status_code == 403
    assert client.get(path, headers={"X-Review-Token": "guess"}).status_code == 403


def test_an_edit_without_the_token_changes_nothing(client: TestClient) -> None:
    refused = client.post("/api/edit", json={"version": 0, "op": "merge", "unit": 0}, headers={"X-Review-Token": ""})
    assert refused.status_code == 403
    assert client.get("/api/state").json()["version"] == 0


def test_the_page_carries_the_token_and_a_strict_content_policy(client: TestClient) -> None:
    page = client.get("/", params={"token": TOKEN}, headers={"X-Review-Token": ""})
    assert page.status_code == 200
    assert f'content="{TOKEN}"' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert client.get("/static/review.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/../_server.py").status_code == 404


def test_document_then_edits_then_save(client: TestClient, tmp_path: Path) -> None:
    document = client.get("/api/document").json()
    assert document["langs"] == ["en", "ru"] and document["sentences"]["en"][0] == "Opening remarks"
    state = client.get("/api/state").json()
    assert [u["counts"] for u in state["units"]] == [[1, 1], [1, 1], [1, 2]]

    state = client.post("/api/edit", json={"version": 0, "op": "unpair", "unit": 2, "lang": "ru", "sentence": 3}).json()
    assert [u["counts"] for u in state["units"]] == [[1, 1], [1, 1], [1, 1], [0, 1]]
    assert state["version"] == 1 and state["can_undo"] and state["reviewed"] == 2

    saved = client.post("/api/save").json()
    assert saved == {"path": str(tmp_path / "out.tmx"), "units": 4}
    assert [tu.langs for tu in read_tmx(tmp_path / "out.tmx")][-1] == ("ru",)


def test_a_stale_edit_gets_409_and_a_bad_one_400(client: TestClient) -> None:
    assert client.post("/api/edit", json={"version": 0, "op": "confirm", "unit": 0}).status_code == 200
    stale = client.post("/api/edit", json={"version": 0, "op": "merge", "unit": 0})
    assert stale.status_code == 409 and stale.json()["stale"] is True
    bad = client.post("/api/edit", json={"version": 1, "op": "merge", "unit": 2})
    assert bad.status_code == 400 and "no next unit" in bad.json()["error"]
    assert client.post("/api/edit", json={"op": "explode"}).status_code == 400
    assert client.post("/api/edit", content=b"not json").status_code == 400
