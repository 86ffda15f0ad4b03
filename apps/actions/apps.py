from django.apps import AppConfig


def actions_referenced(*, user, ids) -> dict:
    """What a dataset's action-reference column shows of the runs `user` may see, by id."""
    from apps.actions.models import Action
    from apps.actions.selectors import action_can_view

    found = Action.objects.filter(pk__in=list(ids)).select_related("route", "route__parent")
    return {
        action.pk: {
            "kind": "action",
            "id": str(action.pk),
            "status": action.status,
            "route_id": str(action.route_id),
            "route_name": action.route.name,
            "created_at": action.created_at.isoformat(),
        }
        for action in found
        if action_can_view(user=user, action=action)
    }


class ActionsConfig(AppConfig):
    name = "apps.actions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.actions.views import asset_lineage_section
        from apps.assets.kinds import asset_page_section_register, reference_kind_register

        asset_page_section_register(asset_lineage_section)
        reference_kind_register("action", actions_referenced)
