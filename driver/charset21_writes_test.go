package driver_test

import "testing"

// review21's ordered writes and key moves with a cp1251 text key holding
// Cyrillic (ties Ж/ж under cp1251_general_ci), interpolateParams off and
// on: the key condition's convert(? using cp1251) collate … and the
// copied strings (route/dml_ordered_limit.go, driver/key_move_text.go).
func TestCharset21WritesCp1251(t *testing.T) {
	const ddl = "CREATE TABLE %s (id INT NOT NULL, name VARCHAR(10) CHARACTER SET cp1251 NOT NULL, v INT NOT NULL DEFAULT 0, PRIMARY KEY (id, name)) DEFAULT CHARSET=cp1251"
	rows := []string{"(1, 'Ж', 0)", "(2, 'ж', 0)", "(3, 'я', 0)", "(4, 'Ё', 0)", "(5, 'a', 0)", "(6, 'е', 0)", "(7, 'Я', 0)", "(8, 'б', 0)"}
	for _, params := range []string{"", "interpolateParams=true"} {
		e := newR21Env(t, "cs21_w1251", params, ddl, "id, name, v", rows)
		e.same(t, "id, name, v, HEX(name)", "id, name", "UPDATE r21 SET v = v + 1 ORDER BY id DESC LIMIT 5")
		e.same(t, "id, name, v, HEX(name)", "id, name", "UPDATE r21 SET v = v + 10 ORDER BY name, id LIMIT 4")
		e.same(t, "id, name, v, HEX(name)", "id, name", "UPDATE r21 SET id = 20, v = v + 1 WHERE id IN (1, 3)")
		e.same(t, "id, name, v, HEX(name)", "id, name", "DELETE FROM r21 ORDER BY name DESC, id LIMIT 3")
	}
}
