ALTER TABLE gd_orders DROP COLUMN note;
