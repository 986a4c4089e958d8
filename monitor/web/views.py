"""The pages: incidents, one incident, mentions (and exports), trends, sources; and the operator actions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from alerts.base import trigger_label
from monitor.clock import as_utc
from monitor.errors import GroundswellError
from monitor.storage.feedback_stats import precision
from monitor.storage.tables import Alert, Incident
from monitor.web import actions, charts, export, queries, trends
from monitor.web.context import account, render, state
from monitor.web.filters import IncidentFilter, MentionFilter, TrendFilter
from monitor.web.guard import csrf_ok

_REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SEVERITY = {1: "low", 2: "medium", 3: "high", 4: "critical"}


def age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    minutes = int((now - as_utc(moment)).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    return f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // 1440} d"


FILTERS: dict[str, Any] = {"utc": lambda m: f"{as_utc(m):%Y-%m-%d %H:%M}" if m else "",
                           "severity_name": lambda s: SEVERITY.get(s, str(s)), "percent": lambda x: f"{x:.0%}",
                           "web_url": lambda u: u if str(u).startswith(("https://", "http://")) else "",
                           "trigger": lambda t: trigger_label(str(t))}  # "Churn threat", not "churn_threat"


def index(request: Request) -> Response:
    return RedirectResponse("/incidents", status_code=303)


def incident_list(request: Request) -> Response:
    web, flt = state(request), IncidentFilter.parse(request.query_params)
    now = web.now()
    with Session(web.engine) as session:
        rows, menus = queries.incidents(session, flt), queries.choices(session)
        judged = precision(session, brand_id=flt.brand, since=now - timedelta(days=90))
        nothing_yet = not rows and not queries.collected_any(session)
    return render(request, "incidents.html", flt=flt, incidents=rows, menus=menus, age=lambda m: age(m, now),
                  snoozed=lambda i: actions.snoozed(i, now), precision=judged, nothing_yet=nothing_yet,
                  unfiltered=flt == IncidentFilter())


def incident_page(request: Request) -> Response:
    web, me = state(request), account(request)
    with Session(web.engine) as session:
        incident = session.get(Incident, int(request.path_params["incident_id"]))
        if incident is None:
            return render(request, "error.html", 404, message="No such incident.")
        detail = queries.incident_detail(session, incident, me.name)
        curve = queries.spread_curve(session, incident, web.now())
    labels = [p.label[5:] for p in curve]
    chart = charts.line_chart("Negative mentions and people per hour (dashed: same hour last week)", labels, [
        ("mentions", [p.mentions for p in curve], False), ("people", [p.people for p in curve], False),
        ("last week", [p.baseline for p in curve], True)])
    now = web.now()
    return render(request, "incident.html", incident=incident, chart=chart, age=lambda m: age(m, now),
                  can_act=web.allow_actions and me.can("operator"), snoozed=actions.snoozed(incident, now), **detail)


def mention_stream(request: Request) -> Response:
    web, flt = state(request), MentionFilter.parse(request.query_params)
    with Session(web.engine) as session:
        rows, menus = queries.mentions(session, flt, web.now()), queries.choices(session)
        nothing_yet = not rows and not queries.collected_any(session)
    more = flt.query_string(before=rows[-1].id) if len(rows) == queries.MENTION_PAGE else ""
    return render(request, "mentions.html", flt=flt, mentions=rows, menus=menus, more=more,
                  export_query=flt.query_string(before=None), unread=flt.unread_times(web.now()),
                  nothing_yet=nothing_yet)


def mention_export(request: Request) -> Response:
    web, flt = state(request), MentionFilter.parse(request.query_params)
    kind = request.path_params["kind"]
    if kind not in ("csv", "json"):
        return render(request, "error.html", 404, message="Exports are .csv or .json.")
    with Session(web.engine) as session:
        rows = queries.mentions(session, flt, web.now(), limit=queries.EXPORT_LIMIT)
    stamp = f"{web.now():%Y%m%d-%H%M}"
    if kind == "csv":
        return Response(export.to_csv(rows), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="mentions-{stamp}.csv"'})
    return Response(export.to_json(rows), media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="mentions-{stamp}.json"'})


def trend_page(request: Request) -> Response:
    web, flt = state(request), TrendFilter.parse(request.query_params)
    with Session(web.engine) as session:
        now = trends.trend_end(session, flt, web.now())
        days, menus = trends.daily(session, flt, now), queries.choices(session)
        nothing_yet = not queries.collected_any(session)
    labels = [d.label[5:] for d in days]
    volume = charts.line_chart("Mentions per day (dashed: the week before)", labels, [
        ("this week", [d.volume for d in days], False), ("last week", [d.last_week_volume for d in days], True)])
    share = charts.line_chart("Negative share per day (dashed: the week before)", labels, [
        ("this week", [d.share for d in days], False), ("last week", [d.last_week_share for d in days], True)],
        percent=True)
    return render(request, "trends.html", flt=flt, end_day=f"{now:%Y-%m-%d}", days=days, menus=menus,
                  volume=volume, share=share, nothing_yet=nothing_yet)


def category_fragment(request: Request) -> Response:
    """Growing categories, loaded after the trends page (a JSON field per negative mention: slow on large
    tables), kept for ten minutes per (brand, period)."""
    web, flt = state(request), TrendFilter.parse(request.query_params)
    with Session(web.engine) as session:
        now = trends.trend_end(session, flt, web.now())
        key = ("categories", flt.brand, f"{now:%Y-%m-%d %H}")
        growth = web.cache.get(key, lambda: trends.growing_categories(session, flt, now))
    return render(request, "_categories.html", flt=flt, growth=growth)


def source_page(request: Request) -> Response:
    web = state(request)
    with Session(web.engine) as session:
        rows = trends.sources(session)
    now = web.now()
    return render(request, "sources.html", sources=rows, age=lambda m: age(m, now))


async def checked_form(request: Request) -> FormData | Response:
    """The POSTed form when its CSRF token matches the session and the user may act; else the refusal."""
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        return render(request, "error.html", 403, message="The form expired or did not come from this site "
                      "(CSRF check failed); reload the page and try again.")
    if not state(request).allow_actions:
        return render(request, "error.html", 403, message="This workspace is read-only.")
    if not account(request).can("operator"):
        return render(request, "error.html", 403, message="Only operators and admins can do that.")
    if not _REQUEST_ID.match(str(form.get("request_id", ""))):
        return render(request, "error.html", 400, message="The form is incomplete; reload the page.")
    return form


def _actor(request: Request) -> actions.Actor:
    return actions.Actor(account(request).name, f"web {request.client.host if request.client else '?'}")


async def incident_action(request: Request) -> Response:
    form = await checked_form(request)
    if isinstance(form, Response):
        return form
    web, incident_id = state(request), int(request.path_params["incident_id"])
    kind = str(form.get("kind", ""))
    try:
        await run_in_threadpool(actions.act, web.engine, web.settings, incident_id, kind,
                                str(form.get("value", "")), _actor(request), request_id=str(form["request_id"]),
                                now=web.now())
    except GroundswellError as exc:
        return render(request, "error.html", 400, message=str(exc))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


async def alert_feedback(request: Request) -> Response:
    form = await checked_form(request)
    if isinstance(form, Response):
        return form
    web, alert_id = state(request), int(request.path_params["alert_id"])
    try:
        await run_in_threadpool(actions.give_feedback, web.engine, alert_id, str(form.get("verdict", "")),
                                _actor(request), now=web.now())
    except GroundswellError as exc:
        return render(request, "error.html", 400, message=str(exc))
    back = str(form.get("incident_id", ""))
    return RedirectResponse(f"/incidents/{back}" if back.isdigit() else "/incidents", status_code=303)


async def missed_post(request: Request) -> Response:
    """ "Missed one": a post this alert's detector should have paged on, recorded for tuning."""
    form = await checked_form(request)
    if isinstance(form, Response):
        return form
    web, alert_id = state(request), int(request.path_params["alert_id"])
    with Session(web.engine) as session:
        alert = session.get(Alert, alert_id)
        incident = session.get(Incident, alert.incident_id) if alert else None
    if alert is None or incident is None:
        return render(request, "error.html", 404, message="No such alert.")
    try:
        await run_in_threadpool(lambda: actions.report_missed(
            web.engine, incident.brand_id, str(form.get("link", "")), _actor(request), now=web.now(),
            alert_id=alert_id, note=str(form.get("note", ""))))
    except GroundswellError as exc:
        return render(request, "error.html", 400, message=str(exc))
    return RedirectResponse(f"/incidents/{incident.id}", status_code=303)


ROUTES = [
    Route("/", index), Route("/incidents", incident_list), Route("/incidents/{incident_id:int}", incident_page),
    Route("/incidents/{incident_id:int}/action", incident_action, methods=["POST"]),
    Route("/alerts/{alert_id:int}/feedback", alert_feedback, methods=["POST"]),
    Route("/alerts/{alert_id:int}/missed", missed_post, methods=["POST"]),
    Route("/mentions", mention_stream), Route("/mentions.{kind:str}", mention_export),
    Route("/trends", trend_page), Route("/trends/categories", category_fragment), Route("/sources", source_page),
]
