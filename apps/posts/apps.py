from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "apps.posts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.actions.outputs import output_maker_register
        from apps.assets.kinds import asset_kind_register
        from apps.posts.models import Post
        from apps.posts.services import post_output_create, post_output_prepare

        asset_kind_register("post", model=Post)
        output_maker_register("post", post_output_create, prepare=post_output_prepare)
