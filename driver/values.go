package driver

import (
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
)

var _ driver.NamedValueChecker = (*Conn)(nil)

// CheckNamedValue converts one statement argument as go-sql-driver does,
// in place of database/sql's default converter, which rejects a uint64 of
// 2⁶³ or more (a BIGINT UNSIGNED key) before the driver sees it. Accepted,
// as by go-sql-driver: the driver.Value types, uint64 and the other integer
// and float kinds, bool, strings and byte slices (json.RawMessage, named
// types), pointers to those (nil is NULL), and driver.Valuer results,
// which may be uint64 too.
func (c *Conn) CheckNamedValue(nv *driver.NamedValue) error {
	v, err := convertArg(nv.Value)
	if err != nil {
		return fmt.Errorf("shardsql: argument %d: %w", nv.Ordinal, err)
	}
	nv.Value = v
	return nil
}

// convertArg is go-sql-driver's argument conversion (its converter type).
func convertArg(v any) (any, error) {
	if driver.IsValue(v) {
		return v, nil
	}
	if vr, ok := v.(driver.Valuer); ok {
		rv := reflect.ValueOf(vr)
		if rv.Kind() == reflect.Pointer && rv.IsNil() && rv.Type().Elem().Implements(valuerType) {
			return nil, nil // a nil pointer whose Value method takes a value receiver
		}
		sv, err := vr.Value()
		if err != nil {
			return nil, err
		}
		if driver.IsValue(sv) {
			return sv, nil
		}
		if u, ok := sv.(uint64); ok {
			return unsigned(u), nil
		}
		return nil, fmt.Errorf("non-Value type %T returned from Value", sv)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return convertArg(rv.Elem().Interface())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return unsigned(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return rv.Bytes(), nil
		}
	case reflect.String:
		return rv.String(), nil
	}
	return nil, fmt.Errorf("unsupported type %T, a %s", v, rv.Kind())
}

// unsigned keeps a uint64 only where int64 cannot hold it, so routing and
// merging see the int64 they saw before (database/sql's converter makes
// int64 of smaller unsigned values); MySQL reads both the same.
func unsigned(u uint64) any {
	if u <= math.MaxInt64 {
		return int64(u)
	}
	return u
}

var valuerType = reflect.TypeFor[driver.Valuer]()
