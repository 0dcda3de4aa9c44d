"""Server-sent events: live run progress relayed from Redis, replayable by Last-Event-ID."""
