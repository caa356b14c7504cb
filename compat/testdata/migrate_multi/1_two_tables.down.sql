DROP TABLE gm_multi_b;
DROP TABLE gm_multi_a;
