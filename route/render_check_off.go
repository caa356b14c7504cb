//go:build !shardsql_rendercheck

package route

// renderCheck: every fast rendering is compared with the formatter's
// (render_fast.go). Off unless built with the tag shardsql_rendercheck.
const renderCheck = false
