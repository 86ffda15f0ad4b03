import json

from django import template

from apps.actions.views import action_outputs_context

register = template.Library()


@register.inclusion_tag("assets/_action_outputs.html", takes_context=True)
def action_outputs(context, action) -> dict:
    """A run's outputs fragment, included in the page that shows the run."""
    user = context["request"].user
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        **action_outputs_context(user=user, action=action),
    }


# Status by text and shape, not colour alone.
STATUS_SYMBOLS = {
    "queued": "○",
    "in-progress": "◔",
    "success": "✓",
    "error": "✕",
    "timed-out": "⧗",
    "canceled": "⊘",
}


@register.inclusion_tag("actions/_status.html")
def run_status(action) -> dict:
    """A run's status badge: `{% run_status action %}`."""
    status = action.display_status
    return {"status": status, "symbol": STATUS_SYMBOLS.get(status, "•")}


@register.filter
def json_text(value) -> str:
    """A JSON value as compact text, cut at 300 characters (the page escapes it)."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 300 else f"{text[:299]}…"
