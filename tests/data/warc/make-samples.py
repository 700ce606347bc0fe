#!/usr/bin/env python3
"""Build the small WARC files the WARC tests and corpus/ use (made-up text).

    python3 tests/data/warc/make-samples.py   # from the source root

Writes, deterministically (fixed dates, ids and gzip mtime 0):
  corpus/sample.warc.gz       warcinfo, 2 HTML responses (one gzip
                              Content-Encoding), a request, a revisit;
                              one gzip member per record
  tests/data/warc/text.warc   plain WARC: text/plain responses and a
                              resource that must become articles, plus
                              records that must be skipped (404, image,
                              request, revisit, metadata)
  tests/data/warc/text.warc.gz  the same, one gzip member per record
"""
import gzip
import io
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def record(wtype, rid, date, block, uri=None, ctype=None, extra=()):
    h = ["WARC/1.1", "WARC-Type: " + wtype, "WARC-Record-ID: <urn:uuid:%s>" % rid,
         "WARC-Date: " + date]
    if uri is not None:
        h.append("WARC-Target-URI: " + uri)
    h.extend(extra)
    if ctype is not None:
        h.append("Content-Type: " + ctype)
    h.append("Content-Length: %d" % len(block))
    return ("\r\n".join(h) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def http(status, headers, body):
    lines = ["HTTP/1.1 " + status] + headers
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def chunked(data, size=40):
    out = b""
    for i in range(0, len(data), size):
        part = data[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


WARCINFO = b"software: newsidx make-samples.py\r\nformat: WARC File Format 1.1\r\n"
HTTPCT = "application/http; msgtype=response"

ART1 = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Tram line to the harbour opens - Kestrel Daily</title>
<meta property="og:title" content="Tram line to the harbour opens">
<meta property="article:published_time" content="2023-06-12T08:15:00+02:00">
<meta name="author" content="Lena Brandt">
<link rel="canonical" href="https://kestrel-daily.example/2023/06/12/tram-harbour">
</head><body><article>
<h1>Tram line to the harbour opens</h1>
<p class="byline">By Lena Brandt</p>
<p>The first trams on the new harbour line left the central station at dawn on Monday, two years after work began.</p>
<p>The 4.2-kilometre line has six stops and is expected to carry 18,000 passengers a day, the transport authority said.</p>
<p>Shop owners along Quay Street, closed to cars during the works, said trade had already picked up.</p>
</article></body></html>
""".encode()

ART2 = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Night frost damages orchards in the valley - Kestrel Daily</title>
<meta property="og:title" content="Night frost damages orchards in the valley">
<meta property="article:published_time" content="2023-04-20T17:40:00+02:00">
</head><body><article>
<h1>Night frost damages orchards in the valley</h1>
<p>A late frost on Wednesday night damaged up to a third of the apple blossom in the upper valley, growers said.</p>
<p>Temperatures fell to minus four degrees before sunrise. Some farmers lit candles between the rows to keep the air moving.</p>
</article></body></html>
""".encode()


def sample_warc():
    recs = [
        record("warcinfo", "00000000-0000-4000-8000-000000000001", "2023-06-12T09:00:00Z",
               WARCINFO, ctype="application/warc-fields"),
        record("request", "00000000-0000-4000-8000-000000000002", "2023-06-12T09:00:01Z",
               b"GET /2023/06/12/tram-harbour HTTP/1.1\r\nHost: kestrel-daily.example\r\n\r\n",
               uri="https://kestrel-daily.example/2023/06/12/tram-harbour",
               ctype="application/http; msgtype=request"),
        record("response", "00000000-0000-4000-8000-000000000003", "2023-06-12T09:00:01Z",
               http("200 OK", ["Content-Type: text/html; charset=utf-8",
                               "Content-Length: %d" % len(ART1)], ART1),
               uri="https://kestrel-daily.example/2023/06/12/tram-harbour", ctype=HTTPCT),
        record("response", "00000000-0000-4000-8000-000000000004", "2023-06-12T09:00:05Z",
               http("200 OK", ["Content-Type: text/html; charset=utf-8", "Content-Encoding: gzip",
                               "Transfer-Encoding: chunked"], chunked(gz(ART2), 256)),
               uri="https://kestrel-daily.example/2023/04/20/frost", ctype=HTTPCT),
        record("revisit", "00000000-0000-4000-8000-000000000005", "2023-06-13T09:00:00Z",
               http("200 OK", ["Content-Type: text/html; charset=utf-8"], b""),
               uri="https://kestrel-daily.example/2023/06/12/tram-harbour", ctype=HTTPCT,
               extra=["WARC-Profile: http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                      "WARC-Refers-To-Target-URI: https://kestrel-daily.example/2023/06/12/tram-harbour"]),
    ]
    return b"".join(gz(r) for r in recs)


TEXT_A = b"Ferry fares to rise in July\n\nBy Tomas Weiss\n\nFerry fares on the island routes will rise by six percent from July 1, the operator said on Tuesday.\n\nSeason tickets are not affected.\n"
TEXT_B = b"Council approves new swimming pool\n\nThe city council voted 31 to 12 on Thursday to build a 50-metre pool next to the north park.\n\nConstruction is to start next spring.\n"
TEXT_C = b"Museum extends opening hours\n\nThe city museum will stay open until 9 p.m. on Fridays from next month.\n"


def text_records():
    return [
        record("warcinfo", "10000000-0000-4000-8000-000000000001", "2023-05-02T10:00:00Z",
               WARCINFO, ctype="application/warc-fields"),
        record("response", "10000000-0000-4000-8000-000000000002", "2023-05-02T10:00:01Z",
               http("200 OK", ["Content-Type: text/plain; charset=utf-8",
                               "Content-Length: %d" % len(TEXT_A)], TEXT_A),
               uri="https://news.example.net/ferry-fares", ctype=HTTPCT),
        record("request", "10000000-0000-4000-8000-000000000003", "2023-05-02T10:00:02Z",
               b"GET /missing HTTP/1.1\r\nHost: news.example.net\r\n\r\n",
               uri="https://news.example.net/missing", ctype="application/http; msgtype=request"),
        record("response", "10000000-0000-4000-8000-000000000004", "2023-05-02T10:00:02Z",
               http("404 Not Found", ["Content-Type: text/plain"], b"Not found\n"),
               uri="https://news.example.net/missing", ctype=HTTPCT),
        record("response", "10000000-0000-4000-8000-000000000005", "2023-05-02T10:00:03Z",
               http("200 OK", ["Content-Type: image/png"], b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
               uri="https://news.example.net/logo.png", ctype=HTTPCT),
        record("response", "10000000-0000-4000-8000-000000000006", "2023-05-02T10:00:04Z",
               http("200 OK", ["Content-Type: text/plain; charset=utf-8", "Content-Encoding: gzip",
                               "Transfer-Encoding: chunked"], chunked(gz(TEXT_B), 30)),
               uri="https://news.example.net/pool", ctype=HTTPCT),
        record("revisit", "10000000-0000-4000-8000-000000000007", "2023-05-03T10:00:00Z",
               http("200 OK", ["Content-Type: text/plain"], b""),
               uri="https://news.example.net/ferry-fares", ctype=HTTPCT),
        record("resource", "10000000-0000-4000-8000-000000000008", "2023-05-02T10:00:05Z",
               TEXT_C, uri="https://news.example.net/museum.txt", ctype="text/plain"),
        record("metadata", "10000000-0000-4000-8000-000000000009", "2023-05-02T10:00:06Z",
               b"outlinks: https://news.example.net/\r\n", uri="https://news.example.net/pool",
               ctype="application/warc-fields"),
        record("resource", "10000000-0000-4000-8000-00000000000a", "2023-05-02T10:00:07Z",
               b"crawl log\n", uri="metadata://crawler.example/log.txt", ctype="text/plain"),
    ]


def main():
    with open(os.path.join(ROOT, "corpus", "sample.warc.gz"), "wb") as f:
        f.write(sample_warc())
    here = os.path.join(ROOT, "tests", "data", "warc")
    recs = text_records()
    with open(os.path.join(here, "text.warc"), "wb") as f:
        f.write(b"".join(recs))
    with open(os.path.join(here, "text.warc.gz"), "wb") as f:
        f.write(b"".join(gz(r) for r in recs))


if __name__ == "__main__":
    main()
