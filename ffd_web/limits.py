"""Rate limits per client address (Litestar's), each with its own counter store. Per account
limits are the services' (failed passwords, codes sent, wrong codes, look-ups)."""

from __future__ import annotations

from litestar.middleware.rate_limit import RateLimitConfig
from litestar.types import Middleware

STORES: list[str] = []


def per_address(name: str, per_minute: int) -> Middleware:
    store = f"rate_{name}"
    STORES.append(store)
    return RateLimitConfig(rate_limit=("minute", per_minute), store=store,
                           set_rate_limit_headers=False).middleware
