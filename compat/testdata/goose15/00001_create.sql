-- +goose Up
CREATE TABLE g15_orders (id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, code VARCHAR(8) NOT NULL);
INSERT INTO g15_orders (id, user_id, code) VALUES (1, 1, 'a'), (2, 1, 'a'), (3, 2, 'b'), (4, 3, 'c'), (5, 4, 'd');

-- +goose Down
DROP TABLE g15_orders;
