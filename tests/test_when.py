"""`|when`: relative times with the exact one on hover, on every page that shows a time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from apps.core.templatetags.when import relative, when

NOW = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=-10), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=5, seconds=20), "5\xa0minutes ago"),
        (timedelta(days=3, hours=4), "3\xa0days ago"),
        (timedelta(days=-2, hours=-1), "in 2\xa0days"),
    ],
)
def test_relative_says_the_largest_unit(delta, text):
    assert relative(NOW - delta, NOW) == text


def test_when_gives_the_exact_time_on_hover_and_to_machines(settings):
    settings.TIME_ZONE = "UTC"
    moment = timezone.now() - timedelta(hours=2, minutes=3)
    html = str(when(moment))
    assert html.startswith(f'<time datetime="{moment.isoformat()}" title="')
    assert " data-when>" in html
    assert moment.strftime("%Y-%m-%d %H:%M") in html and "2\xa0hours ago</time>" in html


def test_no_time_is_empty_so_a_default_reads_instead():
    assert when(None) == ""
    rendered = Template('{{ moment|when|default:"never" }}').render(Context({"moment": None}))
    assert rendered == "never"


def test_the_filter_is_a_builtin_and_escapes_nothing_it_should_not():
    moment = timezone.now()
    rendered = Template("{{ moment|when }}").render(Context({"moment": moment}))
    assert rendered.startswith("<time ") and "just now" in rendered


@pytest.mark.django_db(transaction=True)
def test_the_words_stay_true_while_the_page_is_open(page, live_site, alice):
    from apps.accounts.services import api_key_create

    api_key_create(user=alice, name="laptop")
    page.clock.install()
    page.goto(f"{live_site.url}/settings/api-keys")
    created = page.locator("td time[data-when]").first
    assert created.inner_text() == "just now"
    exact = created.get_attribute("title")
    page.clock.fast_forward("03:10")
    assert created.inner_text() == "3\xa0minutes ago"
    page.clock.fast_forward(2 * 3600 * 1000)
    assert created.inner_text() == "2\xa0hours ago"
    assert created.get_attribute("title") == exact
