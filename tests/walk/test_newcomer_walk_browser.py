"""A newcomer's path through the platform, in a real browser against a live server, as one story:
sign up, make an API key, register the demo service from its spec URL, run a route (a bad value
first), run the long job and watch it live, chain the chart it drew into another service's route,
compare two runs, follow the lineage graph, write a post that pins a run, and read it as another
user and as an anonymous reader, who run it again with its inputs."""

import re
import shutil

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]

PASSWORD = "a-long-newcomer-password-7"
RUN_TIMEOUT = 20_000  # ms: a run's answer or a callback on a busy two-core machine


def audit(page, name: str) -> None:
    """A main step's page fits its width and passes axe (a screenshot in $SCREENSHOT_DIR)."""
    from tests.browser_audit import audit as page_audit

    page_audit(page, f"walk-{name}")


def mark_page(page) -> None:
    """A marker only the same document keeps: it is gone after any navigation or reload."""
    page.evaluate("window.walkMarker = 'still here'")


def same_page(page) -> bool:
    return page.evaluate("window.walkMarker") == "still here"


def short(action_url: str) -> str:
    """The first eight characters of a run's id, as the pages show it."""
    return action_url.rsplit("/", 1)[1][:8]


def log_in(page, url: str | None, username: str, password: str) -> None:
    from playwright.sync_api import expect

    if url:
        page.goto(url)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label(f"Account menu: {username}")).to_be_visible()


def expect_chart_form(page) -> None:
    """The chart route's form, filled with the pinned teal run's inputs."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="make_chart")).to_be_visible()
    expect(page.get_by_label("values")).to_have_value("3\n1\n4")
    expect(page.get_by_label("title")).to_have_value("Weekly signups")
    expect(page.get_by_label("color")).to_have_value("teal")


def sign_up(page, base: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(base)
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text(f"Welcome, {username}.")).to_be_visible()
    expect(page.get_by_label(f"Account menu: {username}")).to_be_visible()


def create_api_key(page, base: str) -> str:
    from playwright.sync_api import expect

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)

    page.get_by_label(re.compile("^Account menu")).click()
    page.get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    expect(page.get_by_text("No keys yet.")).to_be_visible()
    page.get_by_label("Name").fill("laptop")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_text("Copy it now: it is not shown again.")).to_be_visible()
    shown = page.locator(".card", has_text="Your new key")
    key = shown.locator("pre").inner_text().strip()
    assert len(key) > 20
    copy = shown.get_by_role("button", name=re.compile("^Copy")).first
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == key
    row = page.get_by_role("row", name=re.compile("laptop"))
    expect(row).to_contain_text("never")
    prefix = row.locator("code").inner_text().rstrip("…")
    assert key.startswith(prefix)
    page.goto(page.url)  # coming back later: the key itself is not shown again
    expect(page.get_by_role("row", name=re.compile("laptop"))).to_have_count(1)
    expect(page.get_by_text("Your new key")).to_have_count(0)
    expect(page.get_by_text(key)).to_have_count(0)
    return key


def register_service(page, base: str, name: str, spec_url: str, routes: int) -> None:
    from playwright.sync_api import expect

    page.goto(base)
    page.get_by_role("navigation").get_by_role("link", name="Services").click()
    page.get_by_role("link", name="New service").click()
    page.get_by_label("Name:", exact=True).fill(name)
    page.get_by_label("Spec URL:").fill(spec_url)
    page.get_by_label("Visibility:").select_option("Public")
    page.get_by_role("button", name="Check the spec").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text(f"{routes} route{'s' if routes > 1 else ''}")
    page.get_by_role("button", name="Create service").click()
    page.wait_for_url(re.compile(r"/services/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def test_a_newcomer_walks_from_sign_up_to_a_post_others_run_again(
    bob, browser_page, live_site, ouro_client, demo_upstream, image_tools_upstream
):
    from playwright.sync_api import expect

    base = live_site.url
    page = browser_page
    page.set_default_timeout(10_000)

    # 1. Sign up through the form.
    sign_up(page, base, "newcomer")

    # 2. An API key, shown once with its copy button.
    key = create_api_key(page, base)
    assert ouro_client(key).user.username == "newcomer"  # the official client takes it
    page.reload()
    expect(page.get_by_role("row", name=re.compile("laptop"))).not_to_contain_text("never")

    # 3. The demo service from its spec URL.
    register_service(page, base, "Demo", f"{demo_upstream}/openapi.json", routes=7)
    expect(page.locator("#route-table")).to_contain_text("/chart")
    expect(page.locator("#route-table")).to_contain_text("/jobs")

    # 4. A route's form with a bad value: the field and the summary say what is wrong.
    page.get_by_role("link", name="/chart").click()
    expect(page.get_by_role("heading", name="make_chart")).to_be_visible()
    audit(page, "route")
    mark_page(page)
    values = page.get_by_label("values")
    values.fill("3\n-1\n4")
    page.get_by_role("button", name="Run").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("1 problem to fix before this can run")
    expect(summary).to_contain_text("body.values.1: At least 0")
    values = page.get_by_label("values")
    expect(values).to_have_attribute("aria-invalid", "true")
    expect(values).to_have_accessible_description(re.compile("At least 0"))
    expect(values).to_have_value("3\n-1\n4")  # what was typed is kept
    expect(page.locator(".action-panel")).to_have_count(0)
    assert same_page(page)

    # 5. Fixed, it runs; the answer and the chart appear in place, without a reload.
    values.fill("3\n1\n4")
    page.get_by_label("title").fill("Weekly signups")
    page.get_by_role("button", name="Run").click()
    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "success", timeout=RUN_TIMEOUT)
    expect(panel.locator(".badge").first).to_have_text("success")
    expect(panel.locator(".action-response")).to_contain_text('"title": "Weekly signups"')
    expect(panel.locator(".outputs")).to_contain_text("chart (primary): Weekly signups")
    expect(panel.get_by_role("img", name="Weekly signups")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert same_page(page)
    chart_run = panel.get_by_role("link", name=re.compile("^Action ")).get_attribute("href")

    # 6. The long job: accepted at once, then progress and log lines arrive, then its result.
    page.get_by_role("link", name="Demo", exact=True).click()  # the breadcrumb
    page.get_by_role("link", name="/jobs").click()
    expect(page.get_by_role("heading", name="start_job")).to_be_visible()
    expect(page.locator(".route-line")).to_contain_text("async")
    mark_page(page)
    page.get_by_label("steps").fill("3")
    page.get_by_label("delay").fill("1")
    page.get_by_role("button", name="Run").click()
    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "in-progress", timeout=RUN_TIMEOUT)
    expect(panel.get_by_role("progressbar", name="Progress")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(panel.locator(".logs")).to_contain_text("step 1 of 3 done", timeout=RUN_TIMEOUT)
    expect(panel).to_have_attribute("data-status", "success", timeout=RUN_TIMEOUT)
    expect(panel.locator(".badge").first).to_have_text("success")
    expect(panel.locator(".logs")).to_contain_text("step 3 of 3 done")
    expect(panel.locator(".action-response")).to_contain_text('"result": 6')
    assert same_page(page)
    job_run = panel.get_by_role("link", name=re.compile("^Action ")).get_attribute("href")
    page.goto(base + job_run)
    audit(page, "action")

    # 7. A second service whose route takes an image; the chart goes into it from its page.
    register_service(page, base, "Image tools", f"{image_tools_upstream}/openapi.json", routes=1)
    expect(page.locator("#route-table")).to_contain_text("in image: file")
    page.goto(base + chart_run)
    outputs = page.locator("#action-outputs")
    outputs.get_by_role("link", name="Weekly signups").click()
    expect(page.get_by_role("heading", name="Weekly signups")).to_be_visible()
    expect(page.get_by_role("img", name="Weekly signups")).to_be_visible()
    chart_file = page.url.rsplit("/", 1)[1]
    use = page.locator("#use-in-route")
    use.get_by_role("link", name="describe_image").click()
    expect(page.get_by_role("heading", name="describe_image")).to_be_visible()
    image = page.get_by_label("image")
    expect(image).to_have_value(chart_file)
    expect(image.locator("option:checked")).to_have_text("Weekly signups")
    mark_page(page)
    page.get_by_role("button", name="Run").click()
    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "success", timeout=RUN_TIMEOUT)
    response = panel.locator(".action-response")
    expect(response).to_contain_text('"name": "Weekly signups"')
    expect(response).to_contain_text('"filename": "chart.png"')
    expect(response).to_contain_text('"is_png": true')
    assert same_page(page)
    describe_run = panel.get_by_role("link", name=re.compile("^Action ")).get_attribute("href")

    # 8. The chart again, in another colour, from its run's page; then the two side by side.
    page.goto(base + chart_run)
    page.get_by_role("link", name="Run again with these inputs").click()
    expect(page.get_by_label("values")).to_have_value("3\n1\n4")
    expect(page.get_by_label("title")).to_have_value("Weekly signups")
    page.get_by_label("color").select_option("teal")
    page.get_by_role("button", name="Run").click()
    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "success", timeout=RUN_TIMEOUT)
    teal_run = panel.get_by_role("link", name=re.compile("^Action ")).get_attribute("href")

    page.get_by_role("navigation").get_by_role("link", name="Runs").click()
    expect(page.get_by_role("heading", name="Runs")).to_be_visible()
    runs = page.locator(".runs-table tbody tr")
    expect(runs).to_have_count(4)
    expect(runs.first).to_contain_text("make_chart")
    audit(page, "runs")
    for run in (chart_run, teal_run):
        page.get_by_role("checkbox", name=f"Compare run {short(run)}").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page.get_by_role("heading", name="Compare runs")).to_be_visible()
    inputs = page.locator("#compare-inputs")
    change = inputs.get_by_role("row", name=re.compile("body.color"))
    expect(change).to_contain_text("changed")
    expect(change).to_contain_text('"indigo"')
    expect(change).to_contain_text('"teal"')
    expect(inputs.get_by_role("row", name=re.compile("body.title"))).to_have_count(0)
    audit(page, "compare")

    # The same comparison, started from the teal run's page.
    page.goto(base + teal_run)
    page.get_by_role("link", name="Compare with another run").click()
    expect(page.get_by_text(f"Pick the run to compare with {short(teal_run)}")).to_be_visible()
    expect(page.locator(".runs-table tbody tr")).to_have_count(2)  # this route's runs
    page.get_by_role("radio", name=f"Compare run {short(chart_run)}").check()
    page.get_by_role("button", name="Compare selected").click()
    change = page.locator("#compare-inputs").get_by_role("row", name=re.compile("body.color"))
    expect(change).to_contain_text('"teal"')
    expect(change).to_contain_text('"indigo"')

    # 9. The lineage graph of the chained run, and a node followed to the chart it used.
    page.goto(base + describe_run)
    page.get_by_role("link", name="Lineage graph").click()
    expect(page.get_by_role("heading", name=re.compile("^Lineage of"))).to_be_visible()
    graph = page.locator(".lineage-graph")
    expect(graph.get_by_role("link")).to_have_count(3)  # chart run → chart → describe run
    for node in (f"make_chart (run success · {short(chart_run)})", "Weekly signups (file)"):
        expect(graph.get_by_role("link", name=node)).to_be_visible()
    audit(page, "lineage")
    graph.get_by_role("link", name=re.compile("Weekly signups")).click()
    expect(page.get_by_role("heading", name="Weekly signups")).to_be_visible()
    assert page.url.endswith(chart_file)

    # 10. A post that pins the teal run, chosen in the editor's "Embed a run" picker.
    page.get_by_role("navigation").get_by_role("link", name="Posts").click()
    page.get_by_role("link", name="New post").click()
    page.get_by_label("Title").fill("My first chart")
    page.get_by_label("Visibility").select_option("Public: anyone")
    page.get_by_label("Markdown").fill("Signups this week, drawn by the demo service:")
    page.get_by_text("Embed a run").click()
    page.get_by_role("searchbox", name="Search routes to embed").fill("chart")
    choice = page.locator(".picker-route", has_text="make_chart")
    expect(choice.locator(".picker-runs li")).to_have_count(2)
    pin = choice.locator("li", has_text=short(teal_run))
    pin.get_by_role("button", name="Pin this run").click()
    expect(pin.get_by_role("button", name="Inserted")).to_be_visible()
    expect(page.get_by_label("Markdown")).to_have_value(re.compile(short(teal_run)))
    preview = page.locator("#preview")
    expect(preview.locator(".embed-route")).to_have_attribute("data-status", "success")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published.")).to_be_visible()
    expect(page.get_by_role("heading", name="My first chart")).to_be_visible()
    post_url = page.url
    embed = page.locator(".embed-route")
    expect(embed).to_contain_text("make_chart")
    expect(embed.locator(".embed-head .badge").last).to_have_text("success")
    audit(page, "post")

    # 11. Another user, logged in, and an anonymous reader see the pinned run and its chart.
    browser = page.context.browser
    bob_page = browser.new_context().new_page()
    log_in(bob_page, base + "/login", "bob", "bob-password-1")
    bob_page.get_by_role("navigation").get_by_role("link", name="Posts").click()
    bob_page.get_by_role("link", name="My first chart").click()
    anonymous = browser.new_context().new_page()
    anonymous.goto(post_url)
    for reader in (bob_page, anonymous):
        expect(reader.get_by_role("heading", name="My first chart")).to_be_visible()
        expect(reader.get_by_text("by newcomer")).to_be_visible()
        embed = reader.locator(".embed-route")
        expect(embed).to_have_attribute("data-status", "success")
        expect(embed.locator(".embed-head .badge").last).to_have_text("success")
        expect(embed.locator(".embed-output")).to_contain_text("chart")
        chart = embed.get_by_role("img", name="Weekly signups")
        expect(chart).to_be_visible()
        chart.evaluate("img => img.decode()")  # the picture itself loads, not only its alt text
        assert chart.evaluate("img => img.naturalWidth") == 400
        expect(embed.locator(".embed-response")).to_contain_text('"title": "Weekly signups"')
        embed.get_by_role("button", name="verify").click()
        expect(embed.get_by_text("✓ matches")).to_be_visible()

    # 12. "Run again with these inputs": the form opens filled with the pinned run's inputs.
    bob_page.get_by_role("link", name="Run again with these inputs").click()
    expect_chart_form(bob_page)
    bob_page.get_by_role("button", name="Run").click()
    expect(bob_page.locator(".action-panel")).to_have_attribute(
        "data-status", "success", timeout=RUN_TIMEOUT
    )
    expect(bob_page.locator(".action-panel .action-response")).to_contain_text("Weekly signups")

    anonymous.get_by_role("link", name="Run again with these inputs").click()
    notice = anonymous.locator("p", has_text="to run this route with these inputs")
    notice.get_by_role("link", name="Log in").click()
    log_in(anonymous, None, "bob", "bob-password-1")
    expect_chart_form(anonymous)
