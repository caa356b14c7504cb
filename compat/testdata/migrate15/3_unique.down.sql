ALTER TABLE m15_orders DROP INDEX uq_user_code;
