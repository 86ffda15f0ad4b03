"""The site's URLs plus /bench/bare, a view that does nothing (the baseline of the poll view),
and /bench/bare-user, one that only reads who is signed in (what any logged-in view pays)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from ouro_site.urls import urlpatterns as site_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def bare_user(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok" if request.user.is_authenticated else "anonymous")


urlpatterns = [path("bench/bare", bare), path("bench/bare-user", bare_user), *site_urlpatterns]
