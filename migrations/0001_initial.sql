-- Dropline schema, version 1: the whole domain of CONTRACT.md.
-- Times are epoch seconds (UTC); money is integer cents; booleans are 0/1.
-- Quantity invariants live here too, as the last line of defence behind the
-- domain rules: shipped + canceled <= ordered, nothing negative.

CREATE TABLE retailers (
	id   INTEGER PRIMARY KEY CHECK (id > 0),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255)
);

CREATE TABLE brands (
	id   INTEGER PRIMARY KEY CHECK (id > 0),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255)
);

-- A retailer may send orders to a brand only over a connection, whose SLA
-- sets each order's acknowledge_by and fulfill_by.
CREATE TABLE connections (
	retailer_id          INTEGER NOT NULL REFERENCES retailers (id),
	brand_id             INTEGER NOT NULL REFERENCES brands (id),
	hours_to_acknowledge INTEGER NOT NULL CHECK (hours_to_acknowledge BETWEEN 0 AND 8760),
	hours_to_fulfill     INTEGER NOT NULL CHECK (hours_to_fulfill BETWEEN 0 AND 8760),
	PRIMARY KEY (retailer_id, brand_id)
) WITHOUT ROWID;
CREATE INDEX connections_brand ON connections (brand_id);

-- The service levels a consumer can ask for without naming a carrier
-- (requested_shipping_method), and that each carrier method maps to.
CREATE TABLE generic_shipping_methods (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL,
	type        TEXT NOT NULL CHECK (type IN ('small_parcel', 'freight'))
);
INSERT INTO generic_shipping_methods (id, name, description, type) VALUES
	(1, 'Next Day', 'Should arrive within 1 day after processing time.', 'small_parcel'),
	(2, 'Expedited', 'Should arrive within 2-3 days after processing time.', 'small_parcel'),
	(3, 'Ground', 'Should arrive within 3-7 days after processing time.', 'small_parcel'),
	(4, 'LTL', 'Will arrive via freight and delivered to threshold.', 'freight'),
	(5, 'White Glove', 'Will arrive via freight and delivered to room of choice.', 'freight');

CREATE TABLE carriers (
	id   INTEGER PRIMARY KEY CHECK (id > 0),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32)
);

CREATE TABLE shipping_methods (
	id                         INTEGER PRIMARY KEY CHECK (id > 0),
	name                       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	code                       TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
	carrier_id                 INTEGER NOT NULL REFERENCES carriers (id),
	generic_shipping_method_id INTEGER NOT NULL REFERENCES generic_shipping_methods (id),
	UNIQUE (carrier_id, code)
);

CREATE TABLE connection_shipping_methods (
	retailer_id        INTEGER NOT NULL,
	brand_id           INTEGER NOT NULL,
	shipping_method_id INTEGER NOT NULL REFERENCES shipping_methods (id),
	PRIMARY KEY (retailer_id, brand_id, shipping_method_id),
	FOREIGN KEY (retailer_id, brand_id) REFERENCES connections (retailer_id, brand_id)
		ON DELETE CASCADE
) WITHOUT ROWID;

-- identifier is the brand's SKU; a retailer may have its own SKU for a
-- variant in retailer_skus. attributes is a JSON array kept as text.
CREATE TABLE variants (
	id              INTEGER PRIMARY KEY CHECK (id > 0),
	brand_id        INTEGER NOT NULL REFERENCES brands (id),
	identifier      TEXT NOT NULL CHECK (length(identifier) BETWEEN 1 AND 64),
	upc             TEXT CHECK (upc IS NULL OR length(upc) BETWEEN 1 AND 32),
	name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	description     TEXT,
	attributes      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attributes) AND json_type(attributes) = 'array'),
	lead_time_hours INTEGER NOT NULL DEFAULT 0 CHECK (lead_time_hours BETWEEN 0 AND 87600),
	UNIQUE (brand_id, identifier)
);
CREATE INDEX variants_identifier ON variants (identifier);
CREATE INDEX variants_upc ON variants (upc) WHERE upc IS NOT NULL;

CREATE TABLE retailer_skus (
	retailer_id INTEGER NOT NULL REFERENCES retailers (id),
	variant_id  INTEGER NOT NULL REFERENCES variants (id),
	sku         TEXT NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
	PRIMARY KEY (retailer_id, variant_id),
	UNIQUE (retailer_id, sku)
) WITHOUT ROWID;

CREATE TABLE addresses (
	id          INTEGER PRIMARY KEY,
	type        TEXT,
	name1       TEXT NOT NULL,
	name2       TEXT,
	street1     TEXT NOT NULL,
	street2     TEXT,
	city        TEXT NOT NULL,
	province    TEXT,
	postal_code TEXT NOT NULL,
	country     TEXT NOT NULL CHECK (length(country) = 2),
	phone1      TEXT,
	phone2      TEXT,
	fax         TEXT,
	email       TEXT
);

CREATE TABLE orders (
	id                           INTEGER PRIMARY KEY,
	retailer_id                  INTEGER NOT NULL REFERENCES retailers (id),
	brand_id                     INTEGER NOT NULL REFERENCES brands (id),
	purchase_order_number        TEXT NOT NULL CHECK (length(purchase_order_number) BETWEEN 1 AND 32),
	customer_order_number        TEXT CHECK (length(customer_order_number) BETWEEN 1 AND 32),
	retailer_order_number        TEXT CHECK (length(retailer_order_number) BETWEEN 1 AND 32),
	sold_to_id                   INTEGER REFERENCES addresses (id),
	ship_to_id                   INTEGER NOT NULL REFERENCES addresses (id),
	shipping_method_id           INTEGER REFERENCES shipping_methods (id),
	requested_shipping_method_id INTEGER REFERENCES generic_shipping_methods (id),
	gift_message                 TEXT CHECK (gift_message IS NULL OR json_valid(gift_message)),
	status                       TEXT NOT NULL DEFAULT 'open'
		CHECK (status IN ('open', 'partial', 'closed', 'canceled')),
	is_acknowledged              INTEGER NOT NULL DEFAULT 0 CHECK (is_acknowledged IN (0, 1)),
	ordered_at                   INTEGER NOT NULL,
	received_at                  INTEGER NOT NULL,
	acknowledge_by               INTEGER NOT NULL,
	fulfill_by                   INTEGER NOT NULL,
	acknowledged_at              INTEGER,
	pickup_on                    INTEGER,
	closed_at                    INTEGER,
	canceled_at                  INTEGER,
	-- bumped on every change, for cache validation and ETags
	version                      INTEGER NOT NULL DEFAULT 1,
	UNIQUE (retailer_id, purchase_order_number),
	FOREIGN KEY (retailer_id, brand_id) REFERENCES connections (retailer_id, brand_id),
	CHECK ((shipping_method_id IS NULL) <> (requested_shipping_method_id IS NULL)),
	CHECK ((is_acknowledged = 1) = (acknowledged_at IS NOT NULL))
);
-- Lists are scoped to one retailer or one brand and ordered by id (keyset);
-- each filter gets an index that starts with the party.
CREATE INDEX orders_retailer ON orders (retailer_id, id);
CREATE INDEX orders_brand ON orders (brand_id, id);
CREATE INDEX orders_retailer_status ON orders (retailer_id, status, id);
CREATE INDEX orders_brand_status ON orders (brand_id, status, id);
CREATE INDEX orders_retailer_ack ON orders (retailer_id, is_acknowledged, id);
CREATE INDEX orders_brand_ack ON orders (brand_id, is_acknowledged, id);
CREATE INDEX orders_brand_po ON orders (brand_id, purchase_order_number);
CREATE INDEX orders_retailer_ordered ON orders (retailer_id, ordered_at);
CREATE INDEX orders_brand_ordered ON orders (brand_id, ordered_at);
CREATE INDEX orders_retailer_received ON orders (retailer_id, received_at);
CREATE INDEX orders_brand_received ON orders (brand_id, received_at);
CREATE INDEX orders_retailer_fulfill ON orders (retailer_id, fulfill_by);
CREATE INDEX orders_brand_fulfill ON orders (brand_id, fulfill_by);
CREATE INDEX orders_retailer_acked ON orders (retailer_id, acknowledged_at) WHERE acknowledged_at IS NOT NULL;
CREATE INDEX orders_brand_acked ON orders (brand_id, acknowledged_at) WHERE acknowledged_at IS NOT NULL;
CREATE INDEX orders_retailer_closed ON orders (retailer_id, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX orders_brand_closed ON orders (brand_id, closed_at) WHERE closed_at IS NOT NULL;

CREATE TABLE order_lines (
	id                INTEGER PRIMARY KEY,
	order_id          INTEGER NOT NULL REFERENCES orders (id),
	variant_id        INTEGER NOT NULL REFERENCES variants (id),
	quantity          INTEGER NOT NULL CHECK (quantity > 0),
	quantity_shipped  INTEGER NOT NULL DEFAULT 0 CHECK (quantity_shipped >= 0),
	quantity_canceled INTEGER NOT NULL DEFAULT 0 CHECK (quantity_canceled >= 0),
	quantity_returned INTEGER NOT NULL DEFAULT 0
		CHECK (quantity_returned >= 0 AND quantity_returned <= quantity_shipped),
	net_price_cents   INTEGER NOT NULL CHECK (net_price_cents >= 0),
	price_cents       INTEGER NOT NULL CHECK (price_cents >= 0),
	status            TEXT NOT NULL DEFAULT 'open'
		CHECK (status IN ('open', 'partial', 'closed', 'canceled')),
	canceled_at       INTEGER,
	closed_at         INTEGER,
	CHECK (quantity_shipped + quantity_canceled <= quantity),
	UNIQUE (order_id, variant_id)
);

CREATE TABLE shipments (
	id                 INTEGER PRIMARY KEY,
	order_id           INTEGER NOT NULL REFERENCES orders (id),
	retailer_id        INTEGER NOT NULL REFERENCES retailers (id),
	brand_id           INTEGER NOT NULL REFERENCES brands (id),
	tracking_number    TEXT NOT NULL CHECK (length(tracking_number) BETWEEN 1 AND 64),
	shipping_method_id INTEGER REFERENCES shipping_methods (id),
	shipped_at         INTEGER NOT NULL,
	is_acknowledged    INTEGER NOT NULL DEFAULT 0 CHECK (is_acknowledged IN (0, 1)),
	acknowledged_at    INTEGER,
	CHECK ((is_acknowledged = 1) = (acknowledged_at IS NOT NULL))
);
CREATE INDEX shipments_order ON shipments (order_id);
CREATE INDEX shipments_retailer ON shipments (retailer_id, id);
CREATE INDEX shipments_brand ON shipments (brand_id, id);
CREATE INDEX shipments_retailer_ack ON shipments (retailer_id, is_acknowledged, id);
CREATE INDEX shipments_brand_ack ON shipments (brand_id, is_acknowledged, id);
CREATE INDEX shipments_retailer_shipped ON shipments (retailer_id, shipped_at);
CREATE INDEX shipments_brand_shipped ON shipments (brand_id, shipped_at);

CREATE TABLE shipment_lines (
	id            INTEGER PRIMARY KEY,
	shipment_id   INTEGER NOT NULL REFERENCES shipments (id),
	order_line_id INTEGER NOT NULL REFERENCES order_lines (id),
	quantity      INTEGER NOT NULL CHECK (quantity > 0),
	UNIQUE (shipment_id, order_line_id)
);
CREATE INDEX shipment_lines_order_line ON shipment_lines (order_line_id);

CREATE TABLE cancel_reasons (
	id   INTEGER PRIMARY KEY,
	text TEXT NOT NULL
);
INSERT INTO cancel_reasons (id, text) VALUES
	(1, 'Retailer Requested Cancellation'),
	(2, 'Not Enough Inventory'),
	(3, 'Can''t Meet Fulfillment Deadline'),
	(4, 'Product Listing and/or Pricing Error'),
	(5, 'Unfulfillable Address');

CREATE TABLE cancels (
	id              INTEGER PRIMARY KEY,
	order_id        INTEGER NOT NULL REFERENCES orders (id),
	retailer_id     INTEGER NOT NULL REFERENCES retailers (id),
	brand_id        INTEGER NOT NULL REFERENCES brands (id),
	reason_id       INTEGER NOT NULL REFERENCES cancel_reasons (id),
	canceled_by     TEXT NOT NULL CHECK (canceled_by IN ('retailer', 'brand')),
	canceled_at     INTEGER NOT NULL,
	is_acknowledged INTEGER NOT NULL DEFAULT 0 CHECK (is_acknowledged IN (0, 1)),
	acknowledged_at INTEGER,
	CHECK (NOT (canceled_by = 'brand' AND reason_id = 1)),
	CHECK ((is_acknowledged = 1) = (acknowledged_at IS NOT NULL))
);
CREATE INDEX cancels_order ON cancels (order_id);
CREATE INDEX cancels_retailer ON cancels (retailer_id, id);
CREATE INDEX cancels_brand ON cancels (brand_id, id);
CREATE INDEX cancels_retailer_ack ON cancels (retailer_id, is_acknowledged, id);
CREATE INDEX cancels_brand_ack ON cancels (brand_id, is_acknowledged, id);
CREATE INDEX cancels_retailer_canceled ON cancels (retailer_id, canceled_at);
CREATE INDEX cancels_brand_canceled ON cancels (brand_id, canceled_at);

CREATE TABLE cancel_lines (
	id            INTEGER PRIMARY KEY,
	cancel_id     INTEGER NOT NULL REFERENCES cancels (id),
	order_line_id INTEGER NOT NULL REFERENCES order_lines (id),
	quantity      INTEGER NOT NULL CHECK (quantity > 0),
	UNIQUE (cancel_id, order_line_id)
);
CREATE INDEX cancel_lines_order_line ON cancel_lines (order_line_id);

-- Only the BLAKE2b hash of a key's secret is kept (see domain/apikey.h).
CREATE TABLE api_keys (
	id          INTEGER PRIMARY KEY,
	retailer_id INTEGER REFERENCES retailers (id),
	brand_id    INTEGER REFERENCES brands (id),
	hash        BLOB NOT NULL CHECK (length(hash) = 32),
	created_at  INTEGER NOT NULL,
	revoked_at  INTEGER,
	CHECK ((retailer_id IS NULL) <> (brand_id IS NULL))
);

-- Idempotency-Key records, per caller (party), kept 24 hours. request_hash
-- covers method, path and body, so a reused key with another request is told
-- apart from a replay.
CREATE TABLE idempotency_keys (
	party_kind    TEXT NOT NULL CHECK (party_kind IN ('retailer', 'brand')),
	party_id      INTEGER NOT NULL,
	key           TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	request_hash  BLOB NOT NULL,
	status        INTEGER NOT NULL,
	response_body TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	PRIMARY KEY (party_kind, party_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
