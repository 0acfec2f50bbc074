"""Where tests find what lies outside the package: the repository root and ``../shared`` beside it.

``../shared`` holds read-only corpora (``data/``) and the TMX schemas (``schemas/``); tests that need
it skip when it is absent.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
