from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "apps.posts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.actions.outputs import output_maker_register
        from apps.actions.pinned import pinned_reader_register
        from apps.assets.kinds import asset_kind_register
        from apps.posts.models import Post
        from apps.posts.selectors import post_pinned_action
        from apps.posts.services import post_output_create, post_output_prepare

        asset_kind_register("post", model=Post)
        output_maker_register("post", post_output_create, prepare=post_output_prepare)
        pinned_reader_register(post_pinned_action)
