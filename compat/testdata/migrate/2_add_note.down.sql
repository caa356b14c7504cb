ALTER TABLE gm_orders DROP COLUMN note;
