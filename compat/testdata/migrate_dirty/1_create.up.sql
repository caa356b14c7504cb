CREATE TABLE gd_orders (
    id BIGINT NOT NULL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    amount INT NOT NULL
);
