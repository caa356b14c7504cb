INSERT INTO gm_orders (id, user_id, amount, note) VALUES (1, 1, 10, 'a'), (2, 2, 20, 'b'), (3, 3, 30, NULL), (4, 4, 40, 'd');
