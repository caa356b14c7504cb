DELETE FROM m15_settings;
DELETE FROM m15_countries;
DELETE FROM m15_orders;
