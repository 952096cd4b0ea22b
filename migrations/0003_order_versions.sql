-- Versions for caching order representations and for ETags.
--
-- An order's representation is built from its own rows (orders, its
-- addresses and lines, its shipments and cancellations with their lines)
-- and from catalog rows (names of the retailer, brand, variants, shipping
-- methods and reasons). orders.version (migration 0001) now moves on every
-- change to the order's own rows, and catalog_generation on every change to
-- any catalog row. Together they identify one representation: a cached copy
-- or an ETag made for (version, generation) is valid while both are the
-- same. Triggers keep them in the transaction of the change, so no write
-- path can forget them.

CREATE TABLE catalog_generation (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	generation INTEGER NOT NULL
);
-- Starts at a random value, so that a recreated database does not hand out
-- the ETags of the one it replaced.
INSERT INTO catalog_generation (id, generation) VALUES (1, abs(random() % 1000000000) + 1);

CREATE TRIGGER retailers_generation_insert AFTER INSERT ON retailers BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER retailers_generation_update AFTER UPDATE ON retailers BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER retailers_generation_delete AFTER DELETE ON retailers BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER brands_generation_insert AFTER INSERT ON brands BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER brands_generation_update AFTER UPDATE ON brands BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER brands_generation_delete AFTER DELETE ON brands BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER connections_generation_insert AFTER INSERT ON connections BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER connections_generation_update AFTER UPDATE ON connections BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER connections_generation_delete AFTER DELETE ON connections BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER generic_shipping_methods_generation_insert AFTER INSERT ON generic_shipping_methods BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER generic_shipping_methods_generation_update AFTER UPDATE ON generic_shipping_methods BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER generic_shipping_methods_generation_delete AFTER DELETE ON generic_shipping_methods BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER carriers_generation_insert AFTER INSERT ON carriers BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER carriers_generation_update AFTER UPDATE ON carriers BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER carriers_generation_delete AFTER DELETE ON carriers BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER shipping_methods_generation_insert AFTER INSERT ON shipping_methods BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER shipping_methods_generation_update AFTER UPDATE ON shipping_methods BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER shipping_methods_generation_delete AFTER DELETE ON shipping_methods BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER connection_shipping_methods_generation_insert AFTER INSERT ON connection_shipping_methods BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER connection_shipping_methods_generation_update AFTER UPDATE ON connection_shipping_methods BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER connection_shipping_methods_generation_delete AFTER DELETE ON connection_shipping_methods BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER variants_generation_insert AFTER INSERT ON variants BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER variants_generation_update AFTER UPDATE ON variants BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER variants_generation_delete AFTER DELETE ON variants BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER retailer_skus_generation_insert AFTER INSERT ON retailer_skus BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER retailer_skus_generation_update AFTER UPDATE ON retailer_skus BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER retailer_skus_generation_delete AFTER DELETE ON retailer_skus BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER cancel_reasons_generation_insert AFTER INSERT ON cancel_reasons BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER cancel_reasons_generation_update AFTER UPDATE ON cancel_reasons BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER cancel_reasons_generation_delete AFTER DELETE ON cancel_reasons BEGIN
	UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

-- An order's own row: any change that does not move the version itself.
-- (recursive_triggers is off, so the UPDATE below does not fire this again.)
CREATE TRIGGER orders_version AFTER UPDATE ON orders
WHEN NEW.version = OLD.version
BEGIN
	UPDATE orders SET version = OLD.version + 1 WHERE id = NEW.id;
END;

-- An order's addresses are written once, with the order; nothing updates
-- them. Say so, rather than keep a version trigger that would scan every
-- order: a future change to an address must come with its version trigger.
CREATE TRIGGER addresses_immutable BEFORE UPDATE ON addresses BEGIN
	SELECT RAISE(ABORT, 'addresses are immutable');
END;

CREATE TRIGGER order_lines_version_insert AFTER INSERT ON order_lines BEGIN
	UPDATE orders SET version = version + 1 WHERE id = NEW.order_id;
END;
CREATE TRIGGER order_lines_version_update AFTER UPDATE ON order_lines BEGIN
	UPDATE orders SET version = version + 1 WHERE id IN (NEW.order_id, OLD.order_id);
END;
CREATE TRIGGER order_lines_version_delete AFTER DELETE ON order_lines BEGIN
	UPDATE orders SET version = version + 1 WHERE id = OLD.order_id;
END;
CREATE TRIGGER shipments_version_insert AFTER INSERT ON shipments BEGIN
	UPDATE orders SET version = version + 1 WHERE id = NEW.order_id;
END;
CREATE TRIGGER shipments_version_update AFTER UPDATE ON shipments BEGIN
	UPDATE orders SET version = version + 1 WHERE id IN (NEW.order_id, OLD.order_id);
END;
CREATE TRIGGER shipments_version_delete AFTER DELETE ON shipments BEGIN
	UPDATE orders SET version = version + 1 WHERE id = OLD.order_id;
END;
CREATE TRIGGER shipment_lines_version_insert AFTER INSERT ON shipment_lines BEGIN
	UPDATE orders SET version = version + 1 WHERE id = (SELECT order_id FROM shipments WHERE id = NEW.shipment_id);
END;
CREATE TRIGGER shipment_lines_version_update AFTER UPDATE ON shipment_lines BEGIN
	UPDATE orders SET version = version + 1 WHERE id IN ((SELECT order_id FROM shipments WHERE id = NEW.shipment_id), (SELECT order_id FROM shipments WHERE id = OLD.shipment_id));
END;
CREATE TRIGGER shipment_lines_version_delete AFTER DELETE ON shipment_lines BEGIN
	UPDATE orders SET version = version + 1 WHERE id = (SELECT order_id FROM shipments WHERE id = OLD.shipment_id);
END;
CREATE TRIGGER cancels_version_insert AFTER INSERT ON cancels BEGIN
	UPDATE orders SET version = version + 1 WHERE id = NEW.order_id;
END;
CREATE TRIGGER cancels_version_update AFTER UPDATE ON cancels BEGIN
	UPDATE orders SET version = version + 1 WHERE id IN (NEW.order_id, OLD.order_id);
END;
CREATE TRIGGER cancels_version_delete AFTER DELETE ON cancels BEGIN
	UPDATE orders SET version = version + 1 WHERE id = OLD.order_id;
END;
CREATE TRIGGER cancel_lines_version_insert AFTER INSERT ON cancel_lines BEGIN
	UPDATE orders SET version = version + 1 WHERE id = (SELECT order_id FROM cancels WHERE id = NEW.cancel_id);
END;
CREATE TRIGGER cancel_lines_version_update AFTER UPDATE ON cancel_lines BEGIN
	UPDATE orders SET version = version + 1 WHERE id IN ((SELECT order_id FROM cancels WHERE id = NEW.cancel_id), (SELECT order_id FROM cancels WHERE id = OLD.cancel_id));
END;
CREATE TRIGGER cancel_lines_version_delete AFTER DELETE ON cancel_lines BEGIN
	UPDATE orders SET version = version + 1 WHERE id = (SELECT order_id FROM cancels WHERE id = OLD.cancel_id);
END;
