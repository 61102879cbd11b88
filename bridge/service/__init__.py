"""`privacy-bridge serve`: the HTTP door for shops and their plugins, over the same register.

- `clients`: who may call (tokens kept as SHA-256 hashes, a webhook secret each) and which
  requests each one registered;
- `downloads`: one-time, expiring links to a request's package;
- `limits`: the token buckets behind 429;
- `models`: every body and answer (and so the OpenAPI document);
- `app`: the FastAPI application (`create_app`);
- `outbox` and `webhooks`: the register's events turned into signed POSTs to each client's
  callback URL, retried from a durable table of the state database.

The tables are made here, on first use (`CREATE TABLE IF NOT EXISTS`), outside the numbered
schema of `bridge.store.schema`, as `bridge.store.notes` does.
"""
