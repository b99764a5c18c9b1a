"""Fixed-window rate limits kept in the Django cache.

Used for staff login, SMS codes and public queries. With several app processes the cache
must be shared (set CACHE_URL to a Redis server); the local-memory default suits one process.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    max_hits: int
    window_seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends; 0 when allowed


def _key(limit: Limit, subject: str) -> tuple[str, int]:
    window = int(time.time()) // limit.window_seconds
    return f"rl:{limit.name}:{subject}:{window}", window


def rate_check(limit: Limit, subject: str) -> Verdict:
    """Is `subject` still under the limit? Does not count a hit."""
    key, window = _key(limit, subject)
    hits = cache.get(key, 0)
    if hits >= limit.max_hits:
        return Verdict(False, (window + 1) * limit.window_seconds - int(time.time()))
    return Verdict(True, 0)


def rate_hit(limit: Limit, subject: str) -> Verdict:
    """Count one hit and say whether it was within the limit."""
    key, window = _key(limit, subject)
    cache.add(key, 0, timeout=limit.window_seconds + 5)
    try:
        hits = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=limit.window_seconds + 5)
        hits = 1
    if hits > limit.max_hits:
        return Verdict(False, (window + 1) * limit.window_seconds - int(time.time()))
    return Verdict(True, 0)


def rate_reset(limit: Limit, subject: str) -> None:
    cache.delete(_key(limit, subject)[0])
