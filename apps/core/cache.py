"""Django's Redis cache, except that clearing it deletes only the cache's own keys, and with a
counter that expires on its own (the request and log-in limits).

Scaled out, the task queue lives in the same Redis database as the cache; Django's `clear()`
flushes the whole database and would drop queued work with it.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        if not self.key_prefix:
            raise ValueError("the Redis cache needs a KEY_PREFIX: clear() deletes only its keys")

    def clear(self) -> bool:
        client = self._cache.get_client(None, write=True)
        doomed = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
            doomed.append(key)
            if len(doomed) == 1000:
                client.delete(*doomed)
                doomed.clear()
        if doomed:
            client.delete(*doomed)
        return True

    def incr_expiring(self, key: str, timeout: int, version=None) -> int:
        """Add one to a counter, made at 0 to expire in `timeout` seconds if it is not there:
        one round trip, atomic (Django's `incr` asks first whether the key exists)."""
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        with client.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, ex=timeout, nx=True)
            pipe.incr(key)
            return pipe.execute()[1]
