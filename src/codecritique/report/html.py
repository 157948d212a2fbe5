"""What the HTML reports share: the page around them (written atomically), the style sheet and the escaping and
percentage helpers."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from ..io import atomic_write

CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}details{margin:.3em 0}summary{cursor:pointer}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto;max-height:30em;white-space:pre-wrap}
.ok{color:#137333;font-weight:600}.bad{color:#a50e0e;font-weight:600}.muted{color:#777}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1em}img{max-width:100%}
.ci{color:#777;font-size:75%;white-space:nowrap}.figure{max-width:860px;margin:1em 0}
"""


def esc(s: Any) -> str:
    """Text for HTML (None as empty)."""
    return html.escape("" if s is None else str(s))


def pct(x: float | None) -> str:
    """A fraction as a percentage with one decimal, "-" when undefined."""
    return "-" if x is None else f"{100 * x:.1f}"


def model_name(model: str | None) -> str:
    """A model as people name it: the endpoint's name, or the bundled model (whose name is a cache path)."""
    if not model or "SmolLM2-135M-Instruct" in model and model.startswith("/"):
        return "SmolLM2-135M-Instruct (bundled)"
    return str(model)


def write_page(out: Path, title: str, body: str, settings: dict) -> Path:
    """``out/report.html``: the page's ``body`` (from its ``<h1>`` on), then the settings it was made with; written
    at once, so a reader (or a kill) never leaves half a page."""
    doc = (f'<!doctype html><html><head><meta charset="utf-8"><title>{esc(title)}</title>\n'
           f"<style>{CSS}</style></head><body>\n{body}\n"
           f"<h2>Settings</h2><pre>{esc(json.dumps(settings, indent=1))}</pre>\n</body></html>")
    path = Path(out) / "report.html"
    with atomic_write(path) as f:
        f.write(doc)
    return path
