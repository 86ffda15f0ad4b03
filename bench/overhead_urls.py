"""The site's URLs plus /bench/bare: a view that does nothing, the baseline of the poll view."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from ouro_site.urls import urlpatterns as site_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench/bare", bare), *site_urlpatterns]
