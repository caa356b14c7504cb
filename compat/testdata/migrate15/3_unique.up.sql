ALTER TABLE m15_orders ADD UNIQUE INDEX uq_user_code (user_id, code);
