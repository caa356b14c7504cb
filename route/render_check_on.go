//go:build shardsql_rendercheck

package route

// renderCheck: built with the tag shardsql_rendercheck, every fast
// rendering is compared with the formatter's and a difference panics
// (render_fast.go): go test -tags shardsql_rendercheck ./route ./driver.
const renderCheck = true
