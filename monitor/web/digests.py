"""The Digests view: the archive of daily digests as they were sent, per brand and day.

The list and each digest's page are ordinary workspace pages (text escaped by Jinja). The digest's own
HTML (an email body, inline styles, its chart as a data: image) is served on its own URL under a CSP that
sandboxes it: no script runs and it may load nothing but its inline image, whatever a mention said.
"""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.storage.digest_archive import list_digests
from monitor.storage.tables import DigestArchive
from monitor.web.context import render, state

ARCHIVED_HTML_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
                     "form-action 'none'; frame-ancestors 'self'; sandbox")


def digest_list(request: Request) -> Response:
    brand = (request.query_params.get("brand") or "").strip()[:64]
    with Session(state(request).engine) as session:
        rows = list_digests(session, brand)
    brands = sorted({row[1] for row in rows})
    return render(request, "digests.html", digests=rows, brand=brand, brands=brands)


def digest_page(request: Request) -> Response:
    with Session(state(request).engine) as session:
        found = session.get(DigestArchive, int(request.path_params["digest_id"]))
    if found is None:
        return render(request, "error.html", 404, message="No such digest.")
    return render(request, "digest.html", digest=found)


def digest_html(request: Request) -> Response:
    with Session(state(request).engine) as session:
        found = session.get(DigestArchive, int(request.path_params["digest_id"]))
    if found is None:
        return render(request, "error.html", 404, message="No such digest.")
    return Response(found.html, media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": ARCHIVED_HTML_CSP})


ROUTES = [Route("/digests", digest_list), Route("/digests/{digest_id:int}", digest_page),
          Route("/digests/{digest_id:int}.html", digest_html)]
