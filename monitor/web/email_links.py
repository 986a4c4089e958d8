"""One-click links from alert emails: GET shows what the link will do, its button (a POST) does it.

Mail scanners and link previews fetch every link in a message; a GET here changes nothing.  The link
itself is the permission (signed with ``web.link_secret``, expiring after ``web.link_expiry_hours``,
see ``monitor.links``); no sign-in is needed, and the button's form carries the session's CSRF token
like every form.  Who: the signed-in user when there is one, else the name typed on the page (from
"email").  The link's own digest is the action's one-time id: using a link again records nothing new.
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.errors import GroundswellError
from monitor.links import ACTION_WORDS, SNOOZE_HOURS, ActionLinks, BadLink, LinkAction
from monitor.storage.tables import Incident
from monitor.web import accounts, actions
from monitor.web.context import render, state
from monitor.web.guard import csrf_ok

DONE = {"ack": "acknowledged", "snooze": f"snoozed for {SNOOZE_HOURS} hours", "useful": "marked useful",
        "noise": "marked as noise"}
UNCHANGED = {"ack": "was already acknowledged (or resolved)", "snooze": "was already snoozed with this link "
             "(or is resolved)", "useful": "already had your verdict: useful", "noise": "already had your "
             "verdict: noise"}


def _read(request: Request) -> LinkAction | Response:
    """The link's action, or the page that explains why it cannot be used (400, no traceback)."""
    web = state(request)
    try:
        return ActionLinks.from_settings(web.settings, web.clock).read(str(request.path_params["token"]))
    except BadLink as exc:
        return render(request, "link.html", 400, problem=str(exc))


def _signed_in_name(request: Request) -> str:
    uid = request.session.get("uid")
    found = accounts.account(state(request).engine, uid) if isinstance(uid, int) else None
    return found.name if found is not None else ""


async def confirm(request: Request) -> Response:
    link = _read(request)
    if isinstance(link, Response):
        return link
    with Session(state(request).engine) as session:
        incident = session.get(Incident, link.incident_id)
    if incident is None:
        return render(request, "link.html", 400, problem=f"Incident #{link.incident_id} is not in this Groundswell.")
    name = await run_in_threadpool(_signed_in_name, request)
    return render(request, "link.html", incident=incident, action=ACTION_WORDS[link.action], name=name,
                  token=request.path_params["token"])


async def perform(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        return render(request, "link.html", 403, problem="The page expired; open the link from the email again.")
    link = _read(request)
    if isinstance(link, Response):
        return link
    web = state(request)
    if not web.allow_actions:
        return render(request, "link.html", 403, problem="This Groundswell is read-only; nothing was recorded.")
    name = await run_in_threadpool(_signed_in_name, request) or str(form.get("name", "")).strip()[:64]
    actor = actions.Actor(name or "someone by email", "email")
    token = str(request.path_params["token"])
    try:
        changed = await run_in_threadpool(_record, request, link, actor, token)
    except GroundswellError as exc:
        return render(request, "link.html", 400, problem=str(exc))
    outcome = (DONE if changed else UNCHANGED)[link.action]
    return render(request, "link.html", done=f"Incident #{link.incident_id} {outcome}.",
                  incident_id=link.incident_id)


def _record(request: Request, link: LinkAction, actor: actions.Actor, token: str) -> bool:
    web = state(request)
    if link.action in actions.VERDICTS:
        return actions.give_feedback(web.engine, link.alert_id, link.action, actor, now=web.now(),
                                     incident_id=link.incident_id)
    request_id = "email-" + hashlib.sha256(token.encode()).hexdigest()[:40]
    value = f"{SNOOZE_HOURS}h" if link.action == "snooze" else ""
    return actions.act(web.engine, web.settings, link.incident_id, link.action, value, actor,
                       request_id=request_id, now=web.now())


ROUTES = [Route("/a/{token:str}", confirm, methods=["GET"]), Route("/a/{token:str}", perform, methods=["POST"])]
