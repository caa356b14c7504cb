DROP TABLE m15_settings;
DROP TABLE m15_countries;
DROP TABLE m15_orders;
