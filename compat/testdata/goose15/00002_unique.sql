-- +goose Up
ALTER TABLE g15_orders ADD UNIQUE INDEX uq_g15 (user_id, code);

-- +goose Down
ALTER TABLE g15_orders DROP INDEX uq_g15;
