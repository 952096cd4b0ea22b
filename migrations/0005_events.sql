-- Events: one row per thing that happened (CONTRACT.md section 10), written
-- in the transaction of the change it tells, so there is no change without
-- its event and no event without its change.
--
-- id grows in commit order: SQLite has one writer, and a transaction's rows
-- become visible all at once at its COMMIT, so a reader never sees an id
-- before a smaller one that is still to come (docs/architecture.md, "Events:
-- ids and visibility", says how PostgreSQL keeps the same promise).
-- AUTOINCREMENT: an id is never given twice, even after the newest events
-- are deleted by retention.

CREATE TABLE events (
	id                    INTEGER PRIMARY KEY AUTOINCREMENT,
	type                  TEXT NOT NULL CHECK (length(type) BETWEEN 3 AND 64),
	created_at            INTEGER NOT NULL,
	-- who made the change: a party's key (or OAuth client), or the server
	actor_party           TEXT NOT NULL CHECK (actor_party IN ('retailer', 'brand', 'system')),
	actor_party_id        INTEGER,
	actor_key_id          INTEGER,
	-- who sees it: the parties of its order
	retailer_id           INTEGER,
	brand_id              INTEGER NOT NULL,
	order_id              INTEGER REFERENCES orders (id),
	purchase_order_number TEXT,
	object_kind           TEXT NOT NULL,
	object_id             INTEGER NOT NULL,
	-- the object's representation as of the event, JSON
	data                  TEXT NOT NULL CHECK (json_valid(data)),
	CHECK ((actor_party = 'system') = (actor_party_id IS NULL))
);
-- Each party's feed is an index range, oldest first.
CREATE INDEX events_retailer ON events (retailer_id, id) WHERE retailer_id IS NOT NULL;
CREATE INDEX events_brand ON events (brand_id, id);
-- An order's timeline.
CREATE INDEX events_order ON events (order_id, id) WHERE order_id IS NOT NULL;
-- Retention deletes the oldest first.
CREATE INDEX events_created ON events (created_at);

-- Retention: every event up to this id has been deleted; a reader asking
-- for events after an id below it has missed some (410 events_expired).
CREATE TABLE event_retention (
	id             INTEGER PRIMARY KEY CHECK (id = 1),
	pruned_through INTEGER NOT NULL DEFAULT 0
);
INSERT INTO event_retention (id, pruned_through) VALUES (1, 0);
