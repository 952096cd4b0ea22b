-- Webhooks (CONTRACT.md section 11): a party's subscriptions, where each
-- one has got to in the event feed, and the log of its delivery attempts.
--
-- A subscription's cursor (last_delivered_event_id) moves only in the
-- transaction that records the receiver's 2xx, so after a crash at any
-- moment delivery starts again at the first event not acknowledged: at
-- least once, with the event's own id (docs/reliability.md).

CREATE TABLE webhooks (
	id                      INTEGER PRIMARY KEY AUTOINCREMENT,
	-- the subscriber: exactly one of the two
	retailer_id             INTEGER REFERENCES retailers (id),
	brand_id                INTEGER REFERENCES brands (id),
	url                     TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 2048),
	-- JSON array of exact types and "kind.*" prefixes
	event_types             TEXT NOT NULL CHECK (json_valid(event_types)),
	description             TEXT,
	-- the signing secret, sealed with the server's webhook key (hex of nonce and box)
	secret_sealed           TEXT NOT NULL,
	status                  TEXT NOT NULL DEFAULT 'enabled'
	                        CHECK (status IN ('enabled', 'disabled')),
	disabled_reason         TEXT,
	created_at              INTEGER NOT NULL,
	-- the cursor: every event of the party up to this id was delivered (or
	-- was before the subscription was made)
	last_delivered_event_id INTEGER NOT NULL DEFAULT 0,
	-- the event being retried: since when it fails, how many attempts so far
	failing_since           INTEGER,
	attempts                INTEGER NOT NULL DEFAULT 0,
	version                 INTEGER NOT NULL DEFAULT 1,
	CHECK ((retailer_id IS NULL) <> (brand_id IS NULL))
);
CREATE INDEX webhooks_retailer ON webhooks (retailer_id, id) WHERE retailer_id IS NOT NULL;
CREATE INDEX webhooks_brand ON webhooks (brand_id, id) WHERE brand_id IS NOT NULL;

-- Every attempt, newest kept (docs/reliability.md: the last 1,000 per subscription).
CREATE TABLE webhook_deliveries (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	webhook_id   INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event_id     INTEGER NOT NULL,
	attempt      INTEGER NOT NULL CHECK (attempt >= 1),
	status_code  INTEGER,
	error        TEXT,
	duration_ms  INTEGER NOT NULL,
	attempted_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
