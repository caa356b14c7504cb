package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shardsql/shardsql/shardtest"
)

// TestSmoke runs the benchmark command's main logic with -quick sizes on
// two throwaway MariaDB servers and checks the report it writes.
func TestSmoke(t *testing.T) {
	servers := shardtest.MariaDB(t, 2)
	cfg := defaultConfig()
	quickConfig(&cfg)
	cfg.DSNs = []string{servers[0].DSN(), servers[1].DSN()}
	rep, err := shardtest.StartMariaDBReplicated(1, "smoke_rep", shardtest.ReplicaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rep.Close() })
	cfg.ReplicaDSNs = []string{rep.Primary.DSN(), rep.Replicas[0].DSN()}
	dir := t.TempDir()
	cfg.Out = filepath.Join(dir, "smoke.md")
	var stdout, stderr bytes.Buffer
	cfg.Stdout, cfg.Stderr = &stdout, &stderr

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	start := time.Now()
	if err := run(ctx, cfg); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	t.Logf("smoke run took %s", time.Since(start).Round(time.Millisecond))

	md, err := os.ReadFile(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	report := string(md)
	for _, name := range append(workloadNames(), layoutPlain, layoutSingle, layoutOneBy8, layoutTwoBy8) {
		if !strings.Contains(report, name) {
			t.Errorf("report does not mention %q", name)
		}
	}
	for _, want := range []string{"Overhead line", "point-select at concurrency 1", "insert at concurrency 16", "| insert | false | 1 | shardsql-1x8 |", "smoke-throughput.svg", "smoke-latency.svg", "MariaDB",
		"## Read replicas", "| replica-read-mostly | 1 | shardsql-1x8+replica |", "| replica-point-select | 1 | plain-replica |"} {
		if !strings.Contains(report, want) {
			t.Errorf("report does not contain %q", want)
		}
	}
	if strings.Contains(report, "replica-point-select at concurrency 1: the replica answered 0 reads") {
		t.Error("shardsql with a replica sent no point select to the replica")
	}
	if strings.Contains(stderr.String(), "MISMATCH") {
		t.Errorf("layouts returned different results:\n%s", stderr.String())
	}
	for _, svg := range []string{"smoke-throughput.svg", "smoke-latency.svg"} {
		data, err := os.ReadFile(filepath.Join(dir, svg))
		if err != nil {
			t.Fatal(err)
		}
		if err := wellFormed(data); err != nil {
			t.Errorf("%s is not well-formed XML: %v", svg, err)
		}
		if !bytes.Contains(data, []byte("<rect")) {
			t.Errorf("%s has no bars", svg)
		}
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s\nreport:\n%s", stdout.String(), stderr.String(), report)
	}
}

// wellFormed decodes data as XML to its end.
func wellFormed(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	root := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if !root {
				return errors.New("no root element")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && !root {
			if se.Name.Local != "svg" {
				return errors.New("root element is " + se.Name.Local)
			}
			root = true
		}
	}
}

func TestChartsAndHelpers(t *testing.T) {
	c := &barChart{title: "a <b> & c", yLabel: "y", groups: []string{"g1", "a-rather-long-group-name"}, series: []string{"s1", "s2"},
		values: [][]float64{{1, 1000}, {0, 5}}}
	c.autoLog()
	if !c.logY {
		t.Error("values spanning 1..1000 should get a log scale")
	}
	if err := wellFormed([]byte(c.svg())); err != nil {
		t.Error(err)
	}
	c.logY = false
	if err := wellFormed([]byte(c.svg())); err != nil {
		t.Error(err)
	}
	if got := thousands(1234567); got != "1,234,567" {
		t.Errorf("thousands = %s", got)
	}
	if got := humanCount(200000); got != "200k" {
		t.Errorf("humanCount = %s", got)
	}
	if got := commandLine([]string{"-dsn", "root@tcp(127.0.0.1:3306)/x"}); got != "go run ./benchmarks -dsn 'root@tcp(127.0.0.1:3306)/x'" {
		t.Errorf("commandLine = %s", got)
	}
	lat := []time.Duration{5, 1, 4, 2, 3}
	s := summarize([]*recorder{{lat: lat[:2]}, {lat: lat[2:]}}, time.Second)
	if s.ops != 5 || s.p50 != 3 || s.p99 != 5 || s.qps != 5 {
		t.Errorf("summary = %+v", s)
	}
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median = %v", m)
	}
	o := ratios{0.9, 1.0, 1.0, 1.1, 5}
	if o.ratio() != 1.0 || o.spread() > 1.2 {
		t.Errorf("overhead ratio %v spread %v", o.ratio(), o.spread())
	}
	// every order's user is in range, and inserts generate valid rows
	for id := int64(1); id < 1000; id++ {
		if u := userOf(id, 300); u < 1 || u > 30 {
			t.Fatalf("userOf(%d) = %d", id, u)
		}
	}
}
