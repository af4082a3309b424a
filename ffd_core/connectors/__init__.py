"""Connectors to the outside world: case systems over HTTP, email over SMTP, inbound
channels, and the outbox worker that delivers queued effects with retries."""
