-- Versions for every representation the server caches, and connections as
-- a resource of their own (CONTRACT.md section 18).
--
-- Shipments and cancellations get their own version, as orders have one
-- (migration 0003): triggers move it on every change to the row or its
-- lines, in the transaction of the change, so a cached representation or an
-- ETag made for (version, catalog generation) is valid while both stay.

ALTER TABLE shipments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cancels ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- A row's own change that does not move the version itself.
-- (recursive_triggers is off, so the UPDATE below does not fire this again.)
CREATE TRIGGER shipments_own_version AFTER UPDATE ON shipments
WHEN NEW.version = OLD.version
BEGIN
	UPDATE shipments SET version = OLD.version + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER cancels_own_version AFTER UPDATE ON cancels
WHEN NEW.version = OLD.version
BEGIN
	UPDATE cancels SET version = OLD.version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER shipment_lines_own_version_insert AFTER INSERT ON shipment_lines BEGIN
	UPDATE shipments SET version = version + 1 WHERE id = NEW.shipment_id;
END;
CREATE TRIGGER shipment_lines_own_version_update AFTER UPDATE ON shipment_lines BEGIN
	UPDATE shipments SET version = version + 1 WHERE id IN (NEW.shipment_id, OLD.shipment_id);
END;
CREATE TRIGGER shipment_lines_own_version_delete AFTER DELETE ON shipment_lines BEGIN
	UPDATE shipments SET version = version + 1 WHERE id = OLD.shipment_id;
END;
CREATE TRIGGER cancel_lines_own_version_insert AFTER INSERT ON cancel_lines BEGIN
	UPDATE cancels SET version = version + 1 WHERE id = NEW.cancel_id;
END;
CREATE TRIGGER cancel_lines_own_version_update AFTER UPDATE ON cancel_lines BEGIN
	UPDATE cancels SET version = version + 1 WHERE id IN (NEW.cancel_id, OLD.cancel_id);
END;
CREATE TRIGGER cancel_lines_own_version_delete AFTER DELETE ON cancel_lines BEGIN
	UPDATE cancels SET version = version + 1 WHERE id = OLD.cancel_id;
END;

-- Connections: an id of their own (RevCascade's Connections endpoint names
-- them by id) and how old a brand's inventory may get before it is stale to
-- this retailer. The table's key stays (retailer_id, brand_id), which orders
-- and connection_shipping_methods reference; the id is given once, at the
-- first insert, and never changes.
ALTER TABLE connections ADD COLUMN id INTEGER;
ALTER TABLE connections ADD COLUMN inventory_stale_hours INTEGER NOT NULL DEFAULT 24
	CHECK (inventory_stale_hours BETWEEN 0 AND 8760);
UPDATE connections SET id = (
	SELECT count(*) FROM connections c2
	WHERE c2.retailer_id < connections.retailer_id
	   OR (c2.retailer_id = connections.retailer_id AND c2.brand_id <= connections.brand_id));
CREATE UNIQUE INDEX connections_id ON connections (id);
CREATE TRIGGER connections_id AFTER INSERT ON connections WHEN NEW.id IS NULL BEGIN
	UPDATE connections SET id = (SELECT coalesce(max(id), 0) + 1 FROM connections)
	WHERE retailer_id = NEW.retailer_id AND brand_id = NEW.brand_id;
END;
CREATE TRIGGER connections_id_fixed BEFORE UPDATE OF id ON connections
WHEN OLD.id IS NOT NULL AND NEW.id IS NOT OLD.id
BEGIN
	SELECT RAISE(ABORT, 'a connection keeps its id');
END;
