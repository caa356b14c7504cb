DROP TABLE gd_orders;
