"""The page's files (page/: the HTML, its script and style, and Cytoscape.js, vendored), and the page as one
self-contained file with a picture inside, which `graph --format html` writes: nothing fetched, nothing live."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

STATIC = {"view.js": "text/javascript", "view.css": "text/css", "cytoscape.min.js": "text/javascript"}


def page_file(name: str) -> str:
    return resources.files("dockerlab.live").joinpath("page", name).read_text(encoding="utf-8")


def self_contained(picture: dict[str, Any]) -> str:
    """The page with its files inline and the picture as data (no character of lab text can end the script)."""
    data = json.dumps(picture).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    html = page_file("index.html")
    html = html.replace('<link rel="stylesheet" href="/static/view.css">', f"<style>\n{page_file('view.css')}</style>")
    for name in ("cytoscape.min.js", "view.js"):
        inline = page_file(name).replace("</script", "<\\/script")
        html = html.replace(f'<script src="/static/{name}" defer></script>', f"<script>\n{inline}</script>")
    return html.replace("</head>", f'<script id="lab-state" type="application/json">{data}</script>\n</head>', 1)
