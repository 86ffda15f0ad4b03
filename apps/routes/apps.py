from django.apps import AppConfig


class RoutesConfig(AppConfig):
    name = "apps.routes"
    default_auto_field = "django.db.models.BigAutoField"
