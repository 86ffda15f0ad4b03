"""Sessions in the database, as Django's `db` engine keeps them; the session of a request is
read through a kept statement (apps.core.statements), since every page and every poll reads it."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from apps.core.statements import Lookup

_LIVE_SESSION = Lookup(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now).order_by(),
    key=Session._meta.get_field("session_key"),
    now=Session._meta.get_field("expire_date"),
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session = _LIVE_SESSION.first(key=self.session_key, now=timezone.now())
        if session is None:
            self._session_key = None
        return session
