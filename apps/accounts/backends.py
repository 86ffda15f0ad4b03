"""Log-in by username and password, as Django's; the signed-in user is read per request through
a kept statement (apps.core.statements), since every page and every poll reads it."""

from django.contrib.auth.backends import ModelBackend

from apps.accounts.models import User
from apps.core.statements import Lookup

_USER = Lookup(lambda pk: User.objects.filter(pk=pk).order_by(), pk=User._meta.pk)


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        user = _USER.first(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
