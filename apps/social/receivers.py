"""What the social app does when the apps below it tell it something (connected in ready())."""

from apps.social import services


def on_action_finished(sender, *, action, **kwargs) -> None:
    services.action_finished_notify(action=action)


def on_join_requested(sender, *, team, user, request_id=None, **kwargs) -> None:
    services.join_request_notify(team=team, user=user, request_id=request_id)


def on_post_saved(sender, *, instance, raw=False, **kwargs) -> None:
    if not raw:
        services.post_mentions_notify(post=instance)


def on_asset_downloaded(sender, *, asset, user=None, **kwargs) -> None:
    services.asset_download_record(asset=asset, user=user)
