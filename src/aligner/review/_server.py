"""The HTTP side of ``aligner review``: a Starlette app over a ``ReviewSession``, and serving it.

Handlers only translate JSON to session calls and errors to status codes. Every request must carry
the session's random token (``?token=`` or the ``X-Review-Token`` header): the server listens on
127.0.0.1 only, and the token keeps other local users and other web pages out.
"""

from __future__ import annotations

import secrets
import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import AlignerError
from ._model import OPS, Edit, EditError
from ._session import ReviewSession, StaleEditError

STATIC = Path(__file__).parent / "static"
_ASSETS = {"review.js": "text/javascript", "review.css": "text/css"}
_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def create_app(session: ReviewSession, token: str, *, threshold: float = 0.5) -> Starlette:
    """The review app: the page, its two assets, and a JSON API under ``/api``."""

    async def page(request: Request) -> Response:
        html = (STATIC / "review.html").read_text(encoding="utf-8")
        html = html.replace("__TOKEN__", token).replace("__TITLE__", _escape(session.output.name))
        return HTMLResponse(html, headers={"Content-Security-Policy": _CSP, "Cache-Control": "no-store"})

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _ASSETS:
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(STATIC / name, media_type=_ASSETS[name], headers={"Cache-Control": "no-store"})

    async def document(request: Request) -> Response:
        return JSONResponse({**session.document(), "output": str(session.output), "threshold": threshold})

    async def state(request: Request) -> Response:
        return JSONResponse(session.state())

    async def edit(request: Request) -> Response:
        body = await _json(request)
        if body.get("op") not in OPS or not isinstance(body.get("version"), int):
            return JSONResponse({"error": f"an edit needs a version and an op ({', '.join(OPS)})"}, status_code=400)
        change = Edit(
            op=body["op"],
            unit=_int(body, "unit", 0),
            lang=str(body.get("lang", "")),
            sentence=_int(body, "sentence", -1),
        )
        try:
            session.edit(change, body["version"])
        except StaleEditError as error:
            return JSONResponse({"error": str(error), "stale": True}, status_code=409)
        except EditError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse(session.state())

    async def save(request: Request) -> Response:
        try:
            written = session.save()
        except AlignerError as error:
            return JSONResponse({"error": str(error)}, status_code=500)
        return JSONResponse({"path": str(session.output), "units": written})

    routes = [
        Route("/", page),
        Route("/static/{name}", asset),
        Route("/api/document", document),
        Route("/api/state", state),
        Route("/api/edit", edit, methods=["POST"]),
        Route("/api/save", save, methods=["POST"]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(_TokenGuard, token=token)])


class _TokenGuard:
    """Refuse, with 403, every HTTP request that does not carry the token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(secrets.compare_digest(t, self.token) for t in _tokens_of(scope)):
            await PlainTextResponse("forbidden: open the URL that aligner review printed", status_code=403)(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


def _tokens_of(scope: Scope) -> list[str]:
    """The tokens a request offers: ``X-Review-Token`` headers and ``token`` query parameters."""
    headers = [value.decode("latin-1") for key, value in scope.get("headers", ()) if key == b"x-review-token"]
    return headers + parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _int(body: dict[str, Any], key: str, default: int) -> int:
    value = body.get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def serve(
    app: Starlette,
    token: str,
    *,
    port: int = 0,
    on_ready: Callable[[str], None] | None = None,
    open_browser: bool = True,
) -> None:
    """Serve ``app`` on 127.0.0.1 until Ctrl-C; ``on_ready`` gets the URL (with the token) first.

    ``port`` 0 takes any free port. The socket is bound here, before uvicorn starts, so that the
    URL printed is one that answers.
    """
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as error:
        sock.close()
        raise AlignerError(f"cannot listen on 127.0.0.1:{port} ({error.strerror or error})") from None
    sock.listen(64)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/?token={token}"
    # No access log: it would write the token to the terminal with every request.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    try:
        if on_ready:
            on_ready(url)
        if open_browser:
            webbrowser.open(url)
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn shuts down on Ctrl-C, then raises it again: that is how a review ends
    finally:
        sock.close()
