"""The route page: its docs, the run form, the Actions and API tabs, and a run's live panel.

It lives with the actions because running a route and listing its runs are what it is for;
the routes app holds what the page is built from (the route, its form and schemas).
"""

import json
import uuid
from dataclasses import replace

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.http import require_POST

from apps.accounts.services import personal_org
from apps.actions.forms import RunFilterForm
from apps.actions.list_views import page_query
from apps.actions.pinned import pinned_action_for_reader
from apps.actions.selectors import (
    action_for_user,
    actions_after,
    actions_visible,
    route_actions_can_see_all,
    route_metrics,
    route_run_stats,
)
from apps.actions.services import route_run
from apps.actions.snippets import RouteRef, snippets
from apps.actions.sparkline import sparkline
from apps.actions.views import panel_context
from apps.billing.pricing import PricingError
from apps.billing.selectors import route_price_view
from apps.billing.services import PaymentRequired
from apps.routes.forms import RunForm
from apps.routes.models import Route
from apps.routes.schema_form import FormInputError, body_schema, deref
from apps.routes.selectors import route_spec_context
from apps.routes.views import markdown_html, route_for_page

ACTIONS_PAGE = 25


def route_ref(route: Route) -> RouteRef:
    return RouteRef(
        id=str(route.pk),
        service_id=str(route.service_id),
        address=f"{route.entity_name}/{route.slug}",
    )


def _pretty(value) -> str:
    return json.dumps(value, indent=2, sort_keys=False, default=str)


def _schemas(route: Route) -> dict:
    components, _ = route_spec_context(route)
    parameters = []
    for raw in route.parameters or []:
        param = deref(raw, components)
        schema = deref(param.get("schema") or {}, components)
        parameters.append(
            {
                "name": param.get("name", ""),
                "in": param.get("in", ""),
                "type": schema.get("type", ""),
                "format": schema.get("format", ""),
                "enum": schema.get("enum"),
                "default": schema.get("default"),
                "required": bool(param.get("required")) or param.get("in") == "path",
                "description": markdown_html(param.get("description", "")),
            }
        )
    request_schema = body_schema(route.request_body, components)
    responses = []
    for code, raw in sorted((route.responses or {}).items()):
        response = deref(raw, components)
        schema = body_schema(response, components)
        example = (schema or {}).get("example")
        responses.append(
            {
                "code": code,
                "description": markdown_html(response.get("description", "")),
                "schema": _pretty(schema) if schema else "",
                "example": _pretty(example) if example is not None else "",
            }
        )
    return {
        "parameters": parameters,
        "request_schema": _pretty(request_schema) if request_schema else "",
        "request_media_types": list((route.request_body or {}).get("content") or {}),
        "request_example": _pretty(request_schema["example"])
        if request_schema and "example" in request_schema
        else "",
        "responses": responses,
    }


def _example_inputs(form: RunForm) -> dict:
    return form.example_inputs()


def _actions_tab(request: HttpRequest, route: Route) -> dict:
    """The route's runs, with the runs page's filters (the route fixed)."""
    if not request.user.is_authenticated:
        return {"actions": [], "can_see_all": False}
    can_see_all = route_actions_can_see_all(user=request.user, route=route)
    form = RunFilterForm(request.GET, can_see_callers=can_see_all)
    filters = replace(form.filters(), route_id=route.pk, service_id=None)
    # The table shows a few columns: leave the runs' JSON and their assets unloaded.
    queryset = (
        actions_visible(user=request.user, filters=filters)
        .select_related("user")
        .only(
            "id",
            "status",
            "source",
            "created_at",
            "upstream_status_code",
            "canceled_by_id",
            "user__username",
        )
    )
    actions, next_cursor = actions_after(
        queryset, cursor=request.GET.get("cursor"), limit=ACTIONS_PAGE
    )
    return {
        "actions": actions,
        "next_cursor": next_cursor,
        "older_query": page_query(request, cursor=next_cursor) if next_cursor else "",
        "can_see_all": can_see_all,
        "filter_form": form,
        "filters": filters,
        "scope": filters.scope,
    }


def _stats_strip(route: Route) -> dict:
    stats = route_run_stats(route=route)
    return {
        **stats,
        "spark": sparkline(stats["recent_ms"]) if len(stats["recent_ms"]) > 1 else None,
    }


def _page_context(request: HttpRequest, route: Route, form: RunForm, tab: str) -> dict:
    context = {
        "route": route,
        "service": route.service,
        "tab": tab,
        "form": form,
        "docs": markdown_html(route.description or route.summary),
        "metrics": route_metrics(route=route),
        "stats": _stats_strip(route),
        "snippets": snippets(
            site_url=settings.SITE_URL, route=route_ref(route), inputs=_example_inputs(form)
        ),
        "price": route_price_view(route=route, user=request.user),
        **_schemas(route),
    }
    if tab == "actions":
        context.update(_actions_tab(request, route))
    return context


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _again(request: HttpRequest, route: Route) -> dict | None:
    """The inputs of `?again=<action id>` for the form: the viewer's own run, one of their
    route's runs, or a run pinned in the post `?post=<id>` they are reading (then without the
    headers its caller sent)."""
    again_id = _uuid_or_none(request.GET.get("again", ""))
    if again_id is None:
        return None
    action = action_for_user(user=request.user, action_id=again_id, with_assets=False)
    if action is not None and action.route_id == route.pk:
        return action.metadata or {}
    via = request.GET.get("post")
    action = via and pinned_action_for_reader(user=request.user, action_id=again_id, via=via)
    if action and action.route_id == route.pk:
        return {k: v for k, v in (action.metadata or {}).items() if k != "headers"}
    return None


def route_detail(request: HttpRequest, entity: str, name: str) -> HttpResponse:
    route = route_for_page(request, entity, name)
    tab = request.GET.get("tab", "run")
    if tab not in ("run", "actions", "api"):
        tab = "run"
    again = _again(request, route)
    # "Use in another route" links bind an asset with ?input_<name>=<asset id>.
    bound = {k[6:]: v for k, v in request.GET.items() if k.startswith("input_") and v}
    form = RunForm(
        route=route,
        user=request.user,
        media_type=request.GET.get("media"),
        initial_inputs=again if again is not None else ({"input_assets": bound} if bound else None),
    )
    context = _page_context(request, route, form, tab)
    if request.htmx and tab == "actions":
        return render(request, "routes/detail.html#actions_tab", context)
    return render(request, "routes/detail.html", context)


@require_POST
def route_run_view(request: HttpRequest, entity: str, name: str) -> HttpResponse:
    """Submit the run form: per-field errors, or a queued action shown in the live panel."""
    if not request.user.is_authenticated:
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?next={request.path}"
            return response
        return redirect_to_login(request.get_full_path())
    route = route_for_page(request, entity, name)
    form = RunForm(route=route, user=request.user, data=request.POST, files=request.FILES)
    action, refusal = None, None
    status = 200 if form.editing else 400  # an add or remove button only shows the form again
    if form.is_valid():
        try:
            action = route_run(
                route=route,
                user=request.user,
                inputs=form.inputs,
                org=personal_org(),
                source="web",
                prefer_async=True,
            )
        except FormInputError as exc:
            form.add_errors(exc.errors)
        except (PricingError, PaymentRequired) as exc:
            refusal, status = exc.message, 402 if isinstance(exc, PaymentRequired) else 400
    if action is not None and not request.htmx:
        return redirect("action_detail", action_id=action.pk)
    if request.htmx:
        # htmx swaps only 2xx answers, so errors come back as 200 with the form marked up.
        context = {
            "route": route,
            "form": form,
            "action": action,
            "refusal": refusal,
            "price": route_price_view(route=route, user=request.user),
        }
        if action is not None:
            context["panel"] = panel_context(action, user=request.user)
        return render(request, "routes/detail.html#run_area", context)
    context = {**_page_context(request, route, form, "run"), "refusal": refusal}
    return render(request, "routes/detail.html", context, status=status)
