"""Escaping for the HTML the pages build in Python (the list's rows, the vendor page's content).

The same five characters replaced by the same entities as Jinja's autoescape (MarkupSafe),
returning plain text: a `Markup` object per value cost more than escaping the value.
"""

from typing import Any


def esc(value: Any) -> str:
    """`value` as text safe inside HTML elements and quoted attributes."""
    return (
        str(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )
