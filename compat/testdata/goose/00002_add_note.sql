-- +goose Up
ALTER TABLE gs_orders ADD COLUMN note VARCHAR(20) NULL;

-- +goose Down
ALTER TABLE gs_orders DROP COLUMN note;
