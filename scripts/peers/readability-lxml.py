"""Run readability-lxml over pages for scripts/eval-extraction.

Input on stdin: JSON array of {"key", "path", "url"}; path may end in .gz.
Output: one JSON line per page, {"key", "title", "byline", "published", "body"}
or {"key", "error"}.  readability-lxml finds no byline or date; the body is
the summary's text with a line break at every block element.
"""
import gzip
import json
import sys

import lxml.html
from readability import Document

BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "br", "tr", "td",
         "th", "table", "blockquote", "pre", "section", "article", "figure", "figcaption",
         "dd", "dt", "dl", "header", "footer", "aside", "hr"}


def text(el, out):
    block = isinstance(el.tag, str) and el.tag.lower() in BLOCK
    if block:
        out.append("\n")
    if el.text and isinstance(el.tag, str):
        out.append(el.text)
    for c in el:
        text(c, out)
        if c.tail:
            out.append(c.tail)
    if block:
        out.append("\n")
    return out


def main():
    items = json.load(sys.stdin)
    for it in items:
        try:
            opener = gzip.open if it["path"].endswith(".gz") else open
            with opener(it["path"], "rb") as f:
                raw = f.read()
            doc = Document(raw, url=it.get("url") or None)
            summary = doc.summary(html_partial=True)
            body = "".join(text(lxml.html.fromstring(summary), [])) if summary.strip() else ""
            res = {"key": it["key"], "title": doc.short_title() or "", "byline": "",
                   "published": "", "body": body}
        except Exception as e:  # a page a peer cannot read counts as empty
            res = {"key": it["key"], "error": str(e)[:200]}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
