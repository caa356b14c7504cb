DELETE FROM gm_orders WHERE id <= 4;
