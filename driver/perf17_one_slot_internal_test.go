package driver

import (
	"context"
	"database/sql/driver"
	"reflect"
	"testing"
	"unsafe"

	"github.com/shardsql/shardsql/merge"
)

// fillValue sets v (settable, unexported fields included) to a value
// other than its zero: every leaf of a struct or array, so that a field
// recycle forgets to clear — one added later too — shows.
func fillValue(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if !v.CanSet() {
		v = reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fillValue(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Array:
		for i := range v.Len() {
			fillValue(t, v.Index(i), path)
		}
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1)
	case reflect.String:
		v.SetString("x")
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
	case reflect.Chan:
		v.Set(reflect.MakeChan(v.Type(), 0))
	case reflect.Func:
		v.Set(reflect.MakeFunc(v.Type(), func([]reflect.Value) []reflect.Value {
			panic("filled func called")
		}))
	case reflect.Interface:
		for _, c := range []any{int64(1), errRowBound, anyType, &merge.Compute{}, &unitCursor{}, &pinSource{}, context.Background(), &Rows{}, wholeSource{}} {
			if cv := reflect.ValueOf(c); cv.Type().Implements(v.Type()) {
				v.Set(cv)
				return
			}
		}
		t.Fatalf("%s: no value for interface %v (add one to fillValue)", path, v.Type())
	default:
		t.Fatalf("%s: cannot fill a %v (extend fillValue)", path, v.Kind())
	}
}

// TestOneUnitRecycleClears: a oneUnit with every field filled is, after
// recycle, a fresh struct but for what recycle keeps on purpose — the
// closed rows (done), the wide buffers (their values cleared), and, when
// it goes to its Conn's slot, pool and home (oneSlot) — whichever place
// it goes to. It fails when recycle keeps anything else of a statement: a
// field added to oneUnit (or to the structs it holds) that recycle does
// not clear, a value of the last result in the kept buffers.
func TestOneUnitRecycleClears(t *testing.T) {
	for _, toSlot := range []bool{true, false} {
		var pool oneUnits
		home := &Conn{}
		if !toSlot {
			home.spareOne = new(oneUnit) // the slot is full: to the pool
		}
		one := new(oneUnit)
		fillValue(t, reflect.ValueOf(one).Elem(), "oneUnit")
		one.pool, one.home = &pool, home
		one.wideVals = make([]driver.Value, 3, 20)
		one.wideMeta = make([]colMeta, 2, 20)
		for i := range one.wideVals[:cap(one.wideVals)] {
			one.wideVals[:cap(one.wideVals)][i] = int64(i + 1)
		}
		for i := range one.wideMeta[:cap(one.wideMeta)] {
			fillValue(t, reflect.ValueOf(&one.wideMeta[:cap(one.wideMeta)][i]).Elem(), "wideMeta")
		}
		one.recycle()
		if toSlot != (home.spareOne == one) {
			t.Fatalf("toSlot %v: the Conn's slot holds %p, the struct is %p", toSlot, home.spareOne, one)
		}
		want := oneUnit{}
		want.rows.done = true
		if toSlot {
			want.pool, want.home = &pool, home
		}
		if len(one.wideVals) != 0 || cap(one.wideVals) != 20 || len(one.wideMeta) != 0 || cap(one.wideMeta) != 20 {
			t.Fatalf("wide buffers not kept empty: %d/%d, %d/%d", len(one.wideVals), cap(one.wideVals), len(one.wideMeta), cap(one.wideMeta))
		}
		for i, v := range one.wideVals[:cap(one.wideVals)] {
			if v != nil {
				t.Fatalf("wideVals[%d] kept %v", i, v)
			}
		}
		for i, m := range one.wideMeta[:cap(one.wideMeta)] {
			if m != (colMeta{}) {
				t.Fatalf("wideMeta[%d] kept %+v", i, m)
			}
		}
		want.wideVals, want.wideMeta = one.wideVals, one.wideMeta
		if !reflect.DeepEqual(one, &want) {
			gv, wv := reflect.ValueOf(one).Elem(), reflect.ValueOf(&want).Elem()
			for i := range gv.NumField() {
				if !reflect.DeepEqual(gv.Field(i).Addr().Interface(), wv.Field(i).Addr().Interface()) {
					t.Errorf("toSlot %v: field %s not cleared by recycle", toSlot, gv.Type().Field(i).Name)
				}
			}
			t.FailNow()
		}
	}
}

// TestTakeOneSlot: a Conn's statement takes its slot's struct first and
// empties the slot; an empty slot takes from the Connector's pool and
// makes the struct the Conn's.
func TestTakeOneSlot(t *testing.T) {
	c := &Conn{c: &Connector{}}
	a := c.takeOne()
	if a.home != c || a.pool != &c.c.ones {
		t.Fatalf("from the pool: home %p pool %p", a.home, a.pool)
	}
	a.recycle()
	if c.spareOne != a {
		t.Fatal("recycle did not fill the Conn's empty slot")
	}
	if b := c.takeOne(); b != a || c.spareOne != nil {
		t.Fatalf("took %p (slot had %p), slot after %p", b, a, c.spareOne)
	}
	b := c.takeOne() // the slot is empty: another struct
	if b == a {
		t.Fatal("the slot's struct handed to two statements")
	}
}
