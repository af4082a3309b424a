"""Use cases. Each one runs in one transaction that also writes its audit event, its change
feed entry and any outbox message: nothing is half-done after a crash."""
