-- +goose Up
CREATE TABLE gs_orders (
    id BIGINT NOT NULL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    amount INT NOT NULL
);

-- +goose Down
DROP TABLE gs_orders;
