-- Running counts for the lists' "count" (CONTRACT.md section 8).
--
-- count(*) over a party's orders reads every index entry: 60 ms a page with
-- 1,000,000 orders (bench/), whatever the page. These tables keep the
-- number of rows per combination of the columns the common filters use, so
-- a list filtered only by those columns counts by summing a few rows. Other
-- filters (time ranges, an id, a purchase order number) still count the
-- index range they select. Triggers keep the counts in the same transaction
-- as the change, so they cannot drift from the rows.

CREATE TABLE order_counts (
	retailer_id     INTEGER NOT NULL,
	brand_id        INTEGER NOT NULL,
	status          TEXT NOT NULL,
	is_acknowledged INTEGER NOT NULL,
	n               INTEGER NOT NULL CHECK (n >= 0),
	PRIMARY KEY (retailer_id, brand_id, status, is_acknowledged)
) WITHOUT ROWID;
CREATE INDEX order_counts_brand ON order_counts (brand_id);

INSERT INTO order_counts (retailer_id, brand_id, status, is_acknowledged, n)
	SELECT retailer_id, brand_id, status, is_acknowledged, count(*)
	FROM orders GROUP BY retailer_id, brand_id, status, is_acknowledged;

CREATE TRIGGER order_counts_insert AFTER INSERT ON orders BEGIN
	INSERT INTO order_counts (retailer_id, brand_id, status, is_acknowledged, n)
	VALUES (NEW.retailer_id, NEW.brand_id, NEW.status, NEW.is_acknowledged, 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER order_counts_delete AFTER DELETE ON orders BEGIN
	UPDATE order_counts SET n = n - 1
	WHERE retailer_id = OLD.retailer_id AND brand_id = OLD.brand_id
	  AND status = OLD.status AND is_acknowledged = OLD.is_acknowledged;
END;

CREATE TRIGGER order_counts_update
AFTER UPDATE OF retailer_id, brand_id, status, is_acknowledged ON orders
WHEN OLD.retailer_id IS NOT NEW.retailer_id OR OLD.brand_id IS NOT NEW.brand_id
  OR OLD.status IS NOT NEW.status OR OLD.is_acknowledged IS NOT NEW.is_acknowledged
BEGIN
	UPDATE order_counts SET n = n - 1
	WHERE retailer_id = OLD.retailer_id AND brand_id = OLD.brand_id
	  AND status = OLD.status AND is_acknowledged = OLD.is_acknowledged;
	INSERT INTO order_counts (retailer_id, brand_id, status, is_acknowledged, n)
	VALUES (NEW.retailer_id, NEW.brand_id, NEW.status, NEW.is_acknowledged, 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TABLE shipment_counts (
	retailer_id     INTEGER NOT NULL,
	brand_id        INTEGER NOT NULL,
	is_acknowledged INTEGER NOT NULL,
	n               INTEGER NOT NULL CHECK (n >= 0),
	PRIMARY KEY (retailer_id, brand_id, is_acknowledged)
) WITHOUT ROWID;
CREATE INDEX shipment_counts_brand ON shipment_counts (brand_id);

INSERT INTO shipment_counts (retailer_id, brand_id, is_acknowledged, n)
	SELECT retailer_id, brand_id, is_acknowledged, count(*)
	FROM shipments GROUP BY retailer_id, brand_id, is_acknowledged;

CREATE TRIGGER shipment_counts_insert AFTER INSERT ON shipments BEGIN
	INSERT INTO shipment_counts (retailer_id, brand_id, is_acknowledged, n)
	VALUES (NEW.retailer_id, NEW.brand_id, NEW.is_acknowledged, 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER shipment_counts_delete AFTER DELETE ON shipments BEGIN
	UPDATE shipment_counts SET n = n - 1
	WHERE retailer_id = OLD.retailer_id AND brand_id = OLD.brand_id
	  AND is_acknowledged = OLD.is_acknowledged;
END;

CREATE TRIGGER shipment_counts_update
AFTER UPDATE OF retailer_id, brand_id, is_acknowledged ON shipments
WHEN OLD.retailer_id IS NOT NEW.retailer_id OR OLD.brand_id IS NOT NEW.brand_id
  OR OLD.is_acknowledged IS NOT NEW.is_acknowledged
BEGIN
	UPDATE shipment_counts SET n = n - 1
	WHERE retailer_id = OLD.retailer_id AND brand_id = OLD.brand_id
	  AND is_acknowledged = OLD.is_acknowledged;
	INSERT INTO shipment_counts (retailer_id, brand_id, is_acknowledged, n)
	VALUES (NEW.retailer_id, NEW.brand_id, NEW.is_acknowledged, 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TABLE cancel_counts (
	retailer_id     INTEGER NOT NULL,
	brand_id        INTEGER NOT NULL,
	reason_id       INTEGER NOT NULL,
	canceled_by     TEXT NOT NULL,
	is_acknowledged INTEGER NOT NULL,
	n               INTEGER NOT NULL CHECK (n >= 0),
	PRIMARY KEY (retailer_id, brand_id, reason_id, canceled_by, is_acknowledged)
) WITHOUT ROWID;
CREATE INDEX cancel_counts_brand ON cancel_counts (brand_id);

INSERT INTO cancel_counts (retailer_id, brand_id, reason_id, canceled_by, is_acknowledged, n)
	SELECT retailer_id, brand_id, reason_id, canceled_by, is_acknowledged, count(*)
	FROM cancels GROUP BY retailer_id, brand_id, reason_id, canceled_by, is_acknowledged;

CREATE TRIGGER cancel_counts_insert AFTER INSERT ON cancels BEGIN
	INSERT INTO cancel_counts (retailer_id, brand_id, reason_id, canceled_by, is_acknowledged, n)
	VALUES (NEW.retailer_id, NEW.brand_id, NEW.reason_id, NEW.canceled_by, NEW.is_acknowledged, 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cancel_counts_delete AFTER DELETE ON cancels BEGIN
	UPDATE cancel_counts SET n = n - 1
	WHERE retailer_id = OLD.retailer_id AND brand_id = OLD.brand_id
	  AND reason_id = OLD.reason_id AND canceled_by = OLD.canceled_by
	  AND is_acknowledged = OLD.is_acknowledged;
END;

CREATE TRIGGER cancel_counts_update
AFTER UPDATE OF retailer_id, brand_id, reason_id, canceled_by, is_acknowledged ON cancels
WHEN OLD.retailer_id IS NOT NEW.retailer_id OR OLD.brand_id IS NOT NEW.brand_id
  OR OLD.reason_id IS NOT NEW.reason_id OR OLD.canceled_by IS NOT NEW.canceled_by
  OR OLD.is_acknowledged IS NOT NEW.is_acknowledged
BEGIN
	UPDATE cancel_counts SET n = n - 1
	WHERE retailer_id = OLD.retailer_id AND brand_id = OLD.brand_id
	  AND reason_id = OLD.reason_id AND canceled_by = OLD.canceled_by
	  AND is_acknowledged = OLD.is_acknowledged;
	INSERT INTO cancel_counts (retailer_id, brand_id, reason_id, canceled_by, is_acknowledged, n)
	VALUES (NEW.retailer_id, NEW.brand_id, NEW.reason_id, NEW.canceled_by, NEW.is_acknowledged, 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;
