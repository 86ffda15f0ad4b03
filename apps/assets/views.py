"""File and dataset pages and signed byte URLs."""

import contextlib
import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.services import personal_org
from apps.api.envelope import MAX_OFFSET
from apps.assets import selectors, services
from apps.assets.filetypes import category_of
from apps.assets.kinds import asset_page_sections
from apps.assets.models import Asset, Dataset, File, FileUpload
from apps.assets.signals import asset_downloaded
from apps.assets.tabular import rows_to_csv
from apps.core.safe_text import json_loads

PAGE_ROWS = 25
TEXT_PREVIEW_BYTES = 64 * 1024
# Types a browser would run as a document on our origin; served as downloads, sandboxed.
ACTIVE_TYPES = ("text/html", "image/svg+xml", "application/xml", "text/xml", "application/xhtml")


def _owner(request: HttpRequest) -> services.Owner:
    org = personal_org()
    return services.Owner(user=request.user, org=org, team=org.default_team)


def _viewable(request: HttpRequest, asset_id, model):
    asset = selectors.asset_for_viewer(user=request.user, asset_id=asset_id, model=model)
    if asset is None:
        raise Http404("Not found")
    return asset


def asset_unreadable_page(asset_id, model) -> HttpResponse:
    """What an asset page answers one who may not read it: the way to its offer when it is for
    sale (the price, and buying it), else the 404 of a missing id."""
    if selectors.asset_for_sale(asset_id=asset_id, model=model) is None:
        raise Http404("Not found")
    return redirect("asset_buy", asset_id=asset_id)


# Signed bytes ---------------------------------------------------------------------------------


def _bytes_response(content_or_handle, *, content_type: str, file_name: str):
    active = content_type.split(";")[0] in ACTIVE_TYPES
    if isinstance(content_or_handle, bytes | str):
        response = HttpResponse(content_or_handle, content_type=content_type)
        disposition = "attachment" if active else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{file_name}"'
    else:
        response = FileResponse(
            content_or_handle,
            content_type=content_type,
            filename=file_name,
            as_attachment=active,
        )
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_http_methods(["GET", "HEAD"])
def signed_download(request: HttpRequest, token: str):
    """The bytes behind a signed URL: no session, no redirect; the signature is the credential."""
    loaded = services.signed_download_load(token)
    if loaded is None:
        return HttpResponse("This link is invalid or has expired.", status=403)
    kind, object_id, format = loaded
    if kind == "upload":
        upload = FileUpload.objects.filter(pk=object_id, received=True).first()
        if upload is None:
            raise Http404("Not found")
        return _bytes_response(
            default_storage.open(upload.storage_path, "rb"),
            content_type=upload.content_type or "application/octet-stream",
            file_name=upload.file_name,
        )
    asset = Asset.objects.filter(pk=object_id, archived_at__isnull=True).first()
    concrete = selectors.asset_concrete(asset) if asset else None
    if concrete is None:
        raise Http404("Not found")
    if request.method == "GET":
        asset_downloaded.send(sender=Asset, asset=asset, user=None)
    return asset_download_response(concrete, format=format)


POST_HTML_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><article>
<h1>{title}</h1>
{html}
</article></body></html>
"""


def asset_download_response(concrete, *, format: str = "") -> HttpResponse:
    """A file's bytes, a dataset as CSV or a post as markdown (or `format` "html": a page of
    its sanitised HTML, the embeds left out), as an attachment."""
    if isinstance(concrete, File):
        return _bytes_response(
            default_storage.open(concrete.storage_path, "rb"),
            content_type=concrete.content_type,
            file_name=concrete.file_name,
        )
    if isinstance(concrete, Dataset):
        columns = [c["name"] for c in concrete.columns]
        csv_text = rows_to_csv(columns, concrete.rows.values_list("data", flat=True).iterator())
        return _bytes_response(
            csv_text, content_type="text/csv", file_name=f"{concrete.slug or 'dataset'}.csv"
        )
    if format == "html":
        # The stored HTML is sanitised; its embed slots are empty blocks, filled only on the site.
        page = POST_HTML_PAGE.format(title=escape(concrete.name), html=concrete.html)
        return _bytes_response(
            page,
            content_type="text/html; charset=utf-8",
            file_name=f"{concrete.slug or 'post'}.html",
        )
    text = getattr(concrete, "content_text", "")
    return _bytes_response(
        text, content_type="text/markdown", file_name=f"{concrete.slug or 'post'}.md"
    )


@csrf_exempt
@require_http_methods(["PUT"])
def signed_upload(request: HttpRequest, token: str):
    """Receive the bytes of a direct upload reserved through the API."""
    upload_id = services.signed_upload_load(token)
    upload = FileUpload.objects.filter(pk=upload_id).first() if upload_id else None
    if upload is None:
        return JsonResponse({"error": "This upload link is invalid or has expired."}, status=403)
    try:
        services.file_upload_receive(upload=upload, content=request.body)
    except services.AssetError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    return JsonResponse({"upload_id": str(upload.pk), "size": upload.size})


# Files ----------------------------------------------------------------------------------------


def file_list(request: HttpRequest):
    files = selectors.assets_visible_to(user=request.user, queryset=File.objects.all())
    files = files.select_related("user").order_by("-created_at")[:100]
    return render(request, "assets/file_list.html", {"files": files})


@login_required
def file_new(request: HttpRequest):
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choose a file to upload."
        elif upload.size > settings.FILE_UPLOAD_MAX_BYTES:
            error = f"The file is larger than {settings.FILE_UPLOAD_MAX_BYTES} bytes."
        else:
            try:
                file = services.file_create(
                    owner=_owner(request),
                    name=request.POST.get("name") or upload.name,
                    file_name=upload.name,
                    content=upload.read(),
                    visibility=request.POST.get("visibility"),
                    description=request.POST.get("description", ""),
                )
            except services.AssetError as exc:
                error = exc.message
            else:
                messages.success(request, f"Uploaded “{file.name}”.")
                return redirect("file_detail", file_id=file.pk)
    return render(request, "assets/file_new.html", {"error": error}, status=400 if error else 200)


def _file_preview(file: File) -> dict:
    category = category_of(file.content_type, file.extension)
    preview: dict = {"kind": category}
    if category == "csv":
        rows = selectors.file_preview_rows(file=file, limit=50) or []
        preview["columns"] = list(rows[0]) if rows else []
        preview["rows"] = rows
    elif category in ("text", "json") and file.content_type not in ACTIVE_TYPES:
        raw = services.file_read(file=file)[:TEXT_PREVIEW_BYTES].decode("utf-8", "replace")
        if category == "json":
            with contextlib.suppress(ValueError):  # shown as it is when it does not parse
                raw = json.dumps(json_loads(raw), indent=2)
        preview["text"] = raw
    return preview


def file_detail(request: HttpRequest, file_id: uuid.UUID):
    file = selectors.asset_for_viewer(user=request.user, asset_id=file_id, model=File)
    if file is None:
        return asset_unreadable_page(file_id, File)
    context = {
        "file": file,
        "asset": file,
        "url": services.signed_download_url(asset=file),
        "preview": _file_preview(file),
        "can_admin": selectors.asset_is_admin(user=request.user, asset=file),
        **asset_page_sections(asset=file, user=request.user),
    }
    return render(request, "assets/file_detail.html", context)


@login_required
@require_POST
def asset_delete(request: HttpRequest, asset_id: uuid.UUID):
    asset = _viewable(request, asset_id, Asset)
    if not selectors.asset_is_admin(user=request.user, asset=asset):
        return HttpResponse("Only the owner may delete this.", status=403)
    kind = asset.asset_type
    services.asset_delete(asset=asset)
    messages.success(request, f"Deleted “{asset.name}”.")
    return redirect("dataset_list" if kind == "dataset" else "file_list")


@login_required
@require_POST
def file_to_dataset(request: HttpRequest, file_id: uuid.UUID):
    file = _viewable(request, file_id, File)
    try:
        dataset, _ = services.dataset_create_from_file(owner=_owner(request), file=file)
    except services.AssetError as exc:
        messages.error(request, exc.message)
        return redirect("file_detail", file_id=file.pk)
    messages.success(request, f"Created the dataset “{dataset.name}”.")
    return redirect("dataset_detail", dataset_id=dataset.pk)


# Datasets -------------------------------------------------------------------------------------


def dataset_list(request: HttpRequest):
    datasets = selectors.assets_visible_to(user=request.user, queryset=Dataset.objects.all())
    datasets = datasets.select_related("user").order_by("-created_at")[:100]
    return render(request, "assets/dataset_list.html", {"datasets": datasets})


@login_required
def dataset_new(request: HttpRequest):
    error = None
    if request.method == "POST":
        name = request.POST.get("name") or "dataset"
        visibility = request.POST.get("visibility")
        csv_file = request.FILES.get("csv")
        try:
            if csv_file is not None:
                dataset, _ = services.dataset_create_from_csv(
                    owner=_owner(request),
                    name=name,
                    content=csv_file.read(),
                    visibility=visibility,
                    description=request.POST.get("description", ""),
                )
            else:
                rows = json_loads(request.POST.get("rows") or "[]", whole="the rows")
                from apps.assets.tabular import coerce_rows

                dataset, _ = services.dataset_create(
                    owner=_owner(request),
                    name=name,
                    rows=coerce_rows(rows),
                    visibility=visibility,
                    description=request.POST.get("description", ""),
                )
        except services.AssetError as exc:
            error = exc.message
        except ValueError as exc:
            error = f"Rows must be a JSON list of objects ({exc})."
        else:
            messages.success(request, f"Created “{dataset.name}”.")
            return redirect("dataset_detail", dataset_id=dataset.pk)
    return render(
        request, "assets/dataset_new.html", {"error": error}, status=400 if error else 200
    )


def dataset_detail(request: HttpRequest, dataset_id: uuid.UUID):
    dataset = selectors.asset_for_viewer(user=request.user, asset_id=dataset_id, model=Dataset)
    if dataset is None:
        return asset_unreadable_page(dataset_id, Dataset)
    try:
        offset = min(max(0, int(request.GET.get("offset", 0))), MAX_OFFSET)
    except ValueError:
        offset = 0
    rows, has_more = selectors.dataset_rows_page(dataset=dataset, limit=PAGE_ROWS, offset=offset)
    columns = [c["name"] for c in dataset.columns]
    context = {
        "dataset": dataset,
        "asset": dataset,
        "columns": columns,
        "table": [[row.get(c) for c in columns] for row in rows],
        "offset": offset,
        "last_row": offset + len(rows),
        "previous_offset": max(0, offset - PAGE_ROWS) if offset else None,
        "next_offset": offset + PAGE_ROWS if has_more else None,
        "csv_url": services.signed_download_url(asset=dataset),
        "can_admin": selectors.asset_is_admin(user=request.user, asset=dataset),
        **asset_page_sections(asset=dataset, user=request.user),
    }
    if request.htmx and request.GET.get("fragment") == "rows":
        return render(request, "assets/dataset_detail.html#rows", context)
    return render(request, "assets/dataset_detail.html", context)


# Chaining and related assets ------------------------------------------------------------------


def asset_page_url(asset) -> str:
    if asset.asset_type == "file":
        return reverse("file_detail", kwargs={"file_id": asset.pk})
    if asset.asset_type == "dataset":
        return reverse("dataset_detail", kwargs={"dataset_id": asset.pk})
    try:
        return reverse("post_detail", kwargs={"post_id": asset.pk})
    except NoReverseMatch:
        return f"/posts/{asset.pk}"
