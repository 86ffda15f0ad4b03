from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from apps.accounts import throttle

        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="throttle-login-failed")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="throttle-logged-in")
