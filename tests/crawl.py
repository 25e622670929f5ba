"""Breadth-first crawling of the app through the test client, for the crawl tests."""

import re
from collections import Counter, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

#: Downloads are fetched (they must answer) but not parsed for links.
DOWNLOADS = (".csv", ".ics")
REDIRECTS = (301, 302, 303, 307, 308)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def same_site_links(html: str) -> list[str]:
    """The page's links to this site, without fragments, static files or sign-out."""
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        href = href.split("#", 1)[0]
        if not href.startswith("/") or href.startswith("//"):
            continue  # another site, a fragment, mailto:
        path = urlsplit(href).path
        if path.startswith("/static/") or path == "/logout":
            continue
        out.append(href)
    return out


def kind(url: str) -> str:
    """``/cohorts/8/roster?stage=enrolled&page=2`` -> ``/cohorts/#/roster?page&stage``."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"/\d+", "/#", parts.path) + ("?" + "&".join(keys) if keys else "")


@dataclass
class Page:
    status: int
    html: str  #: '' for redirects, downloads and errors
    source: str  #: the page that linked here


def crawl(client, *starts: str, max_pages: int, per_kind: int) -> dict[str, Page]:
    """Visit from ``starts``, following every same-site link and redirect, at most
    ``per_kind`` pages of one kind and ``max_pages`` in all."""
    pages: dict[str, Page] = {}
    seen = set(starts)
    queue = deque((start, "(start)") for start in starts)
    kinds: Counter[str] = Counter()
    while queue and len(pages) < max_pages:
        url, source = queue.popleft()
        if kinds[kind(url)] >= per_kind:
            continue
        kinds[kind(url)] += 1
        response = client.get(url)
        is_html = response.mimetype == "text/html" and not urlsplit(url).path.endswith(DOWNLOADS)
        html = response.get_data(as_text=True) if is_html and response.status_code < 300 else ""
        pages[url] = Page(response.status_code, html, source)
        if response.status_code in REDIRECTS:
            targets = [response.location]
        elif html:
            targets = same_site_links(html)
        else:
            continue
        for target in targets:
            if target.startswith("/") and not target.startswith("//") and target not in seen:
                seen.add(target)
                queue.append((target, url))
    return pages


def failures(pages: dict[str, Page]) -> dict[str, str]:
    return {
        url: f"{p.status} (linked from {p.source})" for url, p in pages.items() if p.status >= 400
    }
