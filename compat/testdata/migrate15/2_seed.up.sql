INSERT INTO m15_orders (id, user_id, code, amount) VALUES (1, 1, 'a', 10), (2, 1, 'a', 20), (3, 2, 'b', 30), (4, 3, 'c', 40), (5, 4, 'd', 50);
INSERT INTO m15_countries (code) VALUES ('fr'), ('de');
INSERT INTO m15_settings (k, v) VALUES ('theme', 'dark');
