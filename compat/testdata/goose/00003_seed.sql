-- +goose Up
INSERT INTO gs_orders (id, user_id, amount, note) VALUES (1, 1, 10, 'a'), (2, 2, 20, 'b'), (3, 3, 30, NULL), (4, 4, 40, 'd');

-- +goose Down
DELETE FROM gs_orders WHERE id <= 4;
