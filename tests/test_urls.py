"""The URL modules are tried in a chosen order (the hot paths first): no pattern of one module
may be shadowed by an earlier module's."""

import re
from importlib import import_module

import pytest
from django.urls import resolve
from django.urls.resolvers import RegexPattern

from ouro_site.api_urls import API_URL_MODULES
from ouro_site.urls import PAGE_URL_MODULES

SAMPLE = "00000000-0000-0000-0000-000000000000"
MODULES = [("/api/", name) for name in API_URL_MODULES] + [
    ("/", name) for name in ("apps.accounts.urls", *PAGE_URL_MODULES)
]


@pytest.mark.parametrize(("prefix", "module"), MODULES)
def test_every_pattern_resolves_to_its_own_view(prefix, module):
    for pattern in import_module(module).urlpatterns:
        if isinstance(pattern.pattern, RegexPattern):  # its literal start: `^quests(?:/...)?$`
            path = prefix + re.match(r"\^?([\w/-]*)", str(pattern.pattern)).group(1)
        else:
            path = prefix + re.sub(r"<[^>]+>", SAMPLE, str(pattern.pattern))
        assert resolve(path).func is pattern.callback, f"{path} is taken by an earlier module"
