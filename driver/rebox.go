package driver

import (
	"database/sql/driver"
	"unsafe"
)

// setBytes stores b, a copy of the []byte value *v, in *v. With own it
// writes b's slice header into the box *v already holds instead of
// boxing b anew: a point select's text-protocol row holds a []byte per
// DECIMAL, string and date column, and boxing each copy again was an
// allocation per value that the plain driver does not make (round 16:
// 37 against 35 allocations per point select).
//
// Hazard: an interface's box is shared by every copy of the interface,
// and writing into it changes each; Go never does so itself. It is safe
// here, and own is set only where each condition holds:
//   - the box is go-sql-driver's, made for this one value when its
//     readRow assigned the read buffer's sub-slice to dest[i] (a runtime
//     conversion, convTslice: a new heap box per assignment, never a
//     static one), and go-sql-driver keeps neither dest nor the box: the
//     only copy of the interface is the row shardsql passed to Next.
//     rawQuery sets own only for a nodeConn, a connection shardsql's
//     pools opened with go-sql-driver (cut_conn.go nodeDriverConnector);
//     a pool given with Topology.AddDB may be any driver, which may hand
//     out a box it keeps (an in-memory driver copying its stored row),
//     and its values are boxed anew as before.
//   - a nil []byte's box is the runtime's shared zero value: a value
//     whose slice is nil is never written into (go-sql-driver gives an
//     untyped nil for NULL, so it does not arise; the check keeps it so).
//   - the box's type is []byte and b is a []byte: the write has the type
//     and size of what the box holds, with the write barrier of an
//     ordinary pointer store.
//
// TestReboxAllocs fails when a copy is boxed anew (an allocation per
// value over the plain driver's); TestPooledRowsWide and
// TestBoundedPassThrough check that values kept by the caller (*any,
// []byte, sql.RawBytes, NULL, the empty string) stay intact across later reads on the
// same connections. The own guard itself is not tested: no driver at
// hand shares its boxes.
func setBytes(v *driver.Value, b []byte, own bool) {
	if own {
		if old, ok := (*v).([]byte); ok && old != nil {
			*(*[]byte)((*eface)(unsafe.Pointer(v)).data) = b
			return
		}
	}
	*v = b
}

// eface is the layout of an empty interface (runtime.eface).
type eface struct {
	typ, data unsafe.Pointer
}
