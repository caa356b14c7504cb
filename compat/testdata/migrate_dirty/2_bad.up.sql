ALTER TABLE gd_orders ADD COLUMN note VARCHAR(20) NULL AFTER no_such_column;
