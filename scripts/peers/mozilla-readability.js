// Run Mozilla Readability (with jsdom) over pages for scripts/eval-extraction.
// Input on stdin: JSON array of {"key", "path", "url"}; path may end in .gz.
// Output: one JSON line per page, {"key", "title", "byline", "published", "body"}
// or {"key", "error"}.  Valid UTF-8 is decoded as UTF-8; other bytes are
// left to jsdom's sniffing of the page's label.  The body is the article's text with a line break at
// every block element, so that words of adjacent paragraphs stay apart.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const { JSDOM, VirtualConsole } = require('jsdom');
const { Readability } = require('@mozilla/readability');

const BLOCK = new Set(['P', 'DIV', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'LI', 'UL', 'OL', 'BR',
  'TR', 'TD', 'TH', 'TABLE', 'BLOCKQUOTE', 'PRE', 'SECTION', 'ARTICLE', 'FIGURE',
  'FIGCAPTION', 'DD', 'DT', 'DL', 'HEADER', 'FOOTER', 'ASIDE', 'HR']);

function text(node, out) {
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 3) out.push(c.nodeValue);
    else if (c.nodeType === 1) {
      const block = BLOCK.has(c.tagName);
      if (block) out.push('\n');
      text(c, out);
      if (block) out.push('\n');
    }
  }
  return out;
}

const items = JSON.parse(fs.readFileSync(0, 'utf8'));
const quiet = new VirtualConsole();
for (const it of items) {
  let res;
  try {
    let bytes = fs.readFileSync(it.path);
    if (it.path.endsWith('.gz')) bytes = zlib.gunzipSync(bytes);
    // Valid UTF-8 is read as UTF-8 whatever the page's label says (as
    // newsidx does); anything else goes to jsdom's own encoding sniffing.
    let input = bytes;
    try { input = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch (e) { /* sniff */ }
    const dom = new JSDOM(input, { url: it.url || 'http://example.invalid/', contentType: 'text/html',
      virtualConsole: quiet });
    const art = new Readability(dom.window.document).parse();
    if (!art) res = { key: it.key, error: 'no article' };
    else {
      const frag = new JSDOM('<body>' + (art.content || '') + '</body>', { virtualConsole: quiet });
      res = { key: it.key, title: art.title || '', byline: art.byline || '',
        published: art.publishedTime || '', body: text(frag.window.document.body, []).join('') };
      frag.window.close();
    }
    dom.window.close();
  } catch (e) {
    res = { key: it.key, error: String(e && e.message || e).slice(0, 200) };
  }
  process.stdout.write(JSON.stringify(res) + '\n');
}
