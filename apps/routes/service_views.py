"""Service pages: list, create (with an import report), detail with its route table, edit,
re-sync with a diff, delete with a dry run, and routes added or edited by hand."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.models import PERSONAL_ORG_ID, Organization
from apps.accounts.selectors import organizations_for_user
from apps.accounts.services import personal_org
from apps.assets.selectors import asset_can_edit, asset_is_admin
from apps.routes.import_report import import_report
from apps.routes.models import Route
from apps.routes.route_forms import ParameterRows, RouteForm, parameters_as_rows
from apps.routes.selectors import service_routes
from apps.routes.services import (
    RouteError,
    renamed_summary,
    route_create,
    route_update,
    service_delete,
    service_import_openapi,
    service_import_preview,
    service_resync_preview,
)
from apps.routes.views import markdown_html
from apps.services.forms import ServiceEditForm, ServiceForm, SpecSourceForm
from apps.services.importer import ImportResult, SpecError
from apps.services.models import Service
from apps.services.selectors import service_for_user, services_visible
from apps.services.services import (
    ServiceError,
    service_create,
    service_set_authentication,
    service_set_signing_secret,
    service_update,
    spec_from_bytes,
    spec_from_url,
)


def _service(request: HttpRequest, service_id, *, edit: bool = False) -> Service:
    service = service_for_user(user=request.user, service_id=service_id)
    if service is None:
        raise Http404("No such service")
    if edit and not asset_can_edit(user=request.user, asset=service):
        raise PermissionDenied("You may not change this service")
    return service


def _read_spec(form: SpecSourceForm) -> tuple[ImportResult | None, str, str]:
    """The spec the form names as (result, its URL, its text when not from a URL); the result
    is None when no spec was given, and a bad spec raises SpecError. What the user uploaded or
    pasted wins over the URL, which the re-sync form fills in beforehand."""
    data = form.cleaned_data
    if data.get("spec_file"):
        raw = data["spec_file"].read()
        return spec_from_bytes(raw), "", raw.decode("utf-8", "replace")
    if data.get("spec_text"):
        return spec_from_bytes(data["spec_text"].encode()), "", data["spec_text"]
    if data.get("spec_url"):
        return spec_from_url(data["spec_url"]), data["spec_url"], ""
    return None, "", ""


def _spec_source(form: SpecSourceForm, spec_url: str) -> str:
    if spec_url:
        return spec_url
    return "the uploaded file" if form.cleaned_data.get("spec_file") else "the pasted text"


def service_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    services = services_visible(user=request.user, query=query)[:200]
    return render(request, "services/list.html", {"services": services, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest) -> HttpResponse:
    form = ServiceForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            result, spec_url, _ = _read_spec(form)
        except SpecError as exc:
            form.add_error(None, str(exc))
        else:
            data = form.cleaned_data
            try:
                org = (
                    Organization.objects.get(pk=data["org"])
                    if data["org"] and data["org"] != str(PERSONAL_ORG_ID)
                    else personal_org()
                )
                fields = dict(
                    name=data["name"],
                    description=data["description"],
                    base_url=data["base_url"],
                    visibility=data["visibility"],
                    authentication=data["auth_method"],
                    auth_param_name=data["auth_param_name"],
                    secret=data["secret"],
                    signing_secret=data["signing_secret"],
                )
                if result is None:
                    service = service_create(user=request.user, org=org, **fields)
                else:
                    service, _ = service_import_openapi(
                        owner=request.user, org=org, source=result, spec_url=spec_url, **fields
                    )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Service {service.name} created.")
                return redirect("service_detail", service_id=service.pk)
    return render(request, "services/new.html", {"form": form})


@login_required
@require_http_methods(["POST"])
def service_new_preview(request: HttpRequest) -> HttpResponse:
    """The import report for the spec in the create form, shown before publishing."""
    form = SpecSourceForm(request.POST, request.FILES)
    result, error, report = None, "", None
    if form.is_valid():
        try:
            result = _read_spec(form)[0]
        except SpecError as exc:
            error = str(exc)
        if result is None and not error:
            error = "Give a spec URL, upload a file or paste a spec to check it."
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    if result is not None:
        org = (
            organizations_for_user(user=request.user).filter(pk=request.POST.get("org")).first()
            if _is_uuid(request.POST.get("org", ""))
            else None
        )
        report = service_import_preview(
            owner=request.user,
            org=org or personal_org(),
            result=result,
            name=request.POST.get("name", ""),
        )
    return render(
        request,
        "services/new.html#import-report",
        {
            "result": result,
            "spec_error": error,
            "report": report,
            "rows": list(zip(result.routes, report["routes"], strict=True)) if report else [],
        },
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def service_detail(request: HttpRequest, service_id) -> HttpResponse:
    service = _service(request, service_id)
    query = request.GET.get("q", "")
    context = {
        "service": service,
        "description_html": markdown_html(service.description),
        "routes": service_routes(user=request.user, service=service, query=query),
        "query": query,
        "can_edit": asset_can_edit(user=request.user, asset=service),
        "is_admin": asset_is_admin(user=request.user, asset=service),
        "report": service.import_report or {},
    }
    if request.htmx:
        return render(request, "services/detail.html#route-table", context)
    return render(request, "services/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, service_id) -> HttpResponse:
    service = _service(request, service_id, edit=True)
    initial = {
        "name": service.name,
        "description": service.description,
        "base_url": service.base_url,
        "visibility": service.visibility,
        "auth_method": service.auth_method,
        "auth_param_name": service.auth_param_name,
    }
    form = ServiceEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                service_update(
                    service=service,
                    data={
                        "name": data["name"],
                        "description": data["description"],
                        "base_url": data["base_url"],
                        "visibility": data["visibility"],
                        "authentication": data["auth_method"],
                        "auth_param_name": data["auth_param_name"],
                    },
                )
                if data["secret"] or data["auth_method"] == "none":
                    service_set_authentication(
                        service=service, method=data["auth_method"], secret=data["secret"]
                    )
                if data["signing_secret"]:
                    service_set_signing_secret(service=service, secret=data["signing_secret"])
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Service saved.")
            return redirect("service_detail", service_id=service.pk)
    return render(request, "services/edit.html", {"form": form, "service": service})


@login_required
@require_http_methods(["GET", "POST"])
def service_resync_view(request: HttpRequest, service_id) -> HttpResponse:
    """Step one shows the diff of the new spec; step two (`apply`) applies it."""
    service = _service(request, service_id, edit=True)
    form = SpecSourceForm(request.POST or None, request.FILES or None)
    if request.method == "GET":
        form = SpecSourceForm(initial={"spec_url": service.spec_url})
    context = {"service": service, "form": form, "diff": None, "result": None}
    if request.method == "POST" and form.is_valid():
        try:
            result, spec_url, text = _read_spec(form)
            if result is None:
                raise SpecError("Give a spec URL, upload a file or paste a spec")
        except SpecError as exc:
            form.add_error(None, str(exc))
        else:
            try:
                if request.POST.get("action") == "apply":
                    _, diff = service_import_openapi(
                        owner=service.user,
                        org=service.org,
                        source=result,
                        service=service,
                        spec_url=spec_url,
                    )
                    messages.success(
                        request,
                        f"Re-synced: {len(diff.added)} added, {len(diff.changed)} changed, "
                        f"{len(diff.removed)} archived.",
                    )
                    return redirect("service_detail", service_id=service.pk)
                diff = service_resync_preview(service=service, result=result)
                context["diff"] = diff
                context["changed"] = [
                    {"route": route, "changes": diff.changes_of(route)}
                    for route, _, _ in diff.changed
                ]
                context["spec_source"] = _spec_source(form, spec_url)
                context["report"] = import_report(result, renamed_summary(diff.renamed))
            except ServiceError as exc:  # e.g. a declared price that is not one
                form.add_error(None, exc.message)
                return render(request, "services/resync.html", context)
            context["result"] = result
            # The confirmation re-reads the same spec: the URL again, or the text as given.
            context["confirm_url"] = spec_url
            context["confirm_text"] = text
    return render(request, "services/resync.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_delete_view(request: HttpRequest, service_id) -> HttpResponse:
    service = _service(request, service_id)
    if not asset_is_admin(user=request.user, asset=service):
        raise PermissionDenied("You may not delete this service")
    if request.method == "POST":
        service_delete(service=service, delete_children=True, dry_run=False)
        messages.success(request, f"Service {service.name} deleted.")
        return redirect("service_list")
    summary = service_delete(service=service, delete_children=True, dry_run=True)
    return render(request, "services/delete.html", {"service": service, "summary": summary})


def _parameter_rows(request: HttpRequest, initial: list | None = None):
    """The parameter rows of the route editor; None for a post without them (the parameters
    then come from their JSON)."""
    if request.method != "POST":
        return ParameterRows(prefix="param", initial=initial or [])
    if "param-TOTAL_FORMS" not in request.POST:
        return None
    return ParameterRows(request.POST, prefix="param", initial=initial or [])


@login_required
@require_http_methods(["GET", "POST"])
def service_route_new(request: HttpRequest, service_id) -> HttpResponse:
    service = _service(request, service_id, edit=True)
    form = RouteForm(request.POST or None)
    rows = _parameter_rows(request)
    if request.method == "POST" and form.is_valid() and (rows is None or rows.is_valid()):
        try:
            route_create(service=service, user=request.user, data=form.route_data(rows))
        except RouteError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Route added.")
            return redirect("service_detail", service_id=service.pk)
    context = {"form": form, "rows": rows, "service": service}
    return render(request, "services/route_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_route_edit(request: HttpRequest, service_id, route_id) -> HttpResponse:
    service = _service(request, service_id)
    route = Route.objects.live().filter(pk=route_id, service=service).first()
    if route is None:
        raise Http404("No such route")
    if not asset_can_edit(user=request.user, asset=route):
        raise PermissionDenied("You may not change this route")
    initial = {
        name: getattr(route, name)
        for name in (
            "method",
            "path",
            "name",
            "summary",
            "description",
            "execution_mode",
            "visibility",
            "parameters",
            "request_body",
            "responses",
            "input_assets",
            "output_assets",
            "total_timeout_seconds",
            "sync_timeout_seconds",
            "quiet_window_seconds",
            "hard_timeout_seconds",
        )
    }
    initial.update(RouteForm.pricing_initial(route.pricing))
    as_rows = parameters_as_rows(route.parameters)
    initial["parameters_source"] = "rows" if as_rows is not None else "json"
    form = RouteForm(request.POST or None, initial=initial)
    rows = _parameter_rows(request, initial=as_rows)
    if request.method == "POST" and form.is_valid() and (rows is None or rows.is_valid()):
        try:
            route_update(route=route, data=form.route_data(rows))
        except RouteError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Route saved.")
            return redirect("service_detail", service_id=service.pk)
    context = {"form": form, "rows": rows, "service": service, "route": route}
    return render(request, "services/route_form.html", context)
