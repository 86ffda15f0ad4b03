from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "apps.social"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from apps.accounts.signals import join_requested
        from apps.actions.signals import action_finished
        from apps.assets.kinds import asset_engagement_register, asset_kind_register
        from apps.assets.signals import asset_downloaded
        from apps.posts.models import Post
        from apps.posts.shared_ids import posts_path_owner_register
        from apps.social import api_views, receivers, selectors
        from apps.social.models import Comment

        asset_kind_register("comment", model=Comment)
        posts_path_owner_register(api_views.comment_claims, api_views.comment_at_posts_path)
        asset_engagement_register(selectors.asset_engagement)
        action_finished.connect(receivers.on_action_finished, dispatch_uid="social-action")
        join_requested.connect(receivers.on_join_requested, dispatch_uid="social-join")
        asset_downloaded.connect(receivers.on_asset_downloaded, dispatch_uid="social-download")
        post_save.connect(receivers.on_post_saved, sender=Post, dispatch_uid="social-post")
