package driver_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestTxChaos is the long form of the fault suite (it runs only when
// SHARDSQL_TX_FAULT_ROUNDS is set, for 15 s per round): 6 workers make XA
// transfers between 40 accounts on two data sources, each recorded in a
// ledger row on both sides, while faults land at random — every
// connection to a server cut, a server killed and restarted, a cut, lost
// reply or hang armed at a random protocol message. Afterwards RecoverXA
// runs, and every transfer must be in both ledgers or in neither, as its
// Commit error said, with the money all there and nothing left open.
func TestTxChaos(t *testing.T) {
	v := os.Getenv(txFaultRoundsEnv)
	if v == "" {
		t.Skip("the long form: set " + txFaultRoundsEnv)
	}
	rounds, err := strconv.Atoi(v)
	require.NoError(t, err)
	e := newTxFaultEnv(t)
	_, err = e.db.Exec("CREATE TABLE t_led (id BIGINT NOT NULL PRIMARY KEY, acct BIGINT NOT NULL, amount BIGINT NOT NULL)")
	require.NoError(t, err)
	const accounts = 40 // ids 0..39: id%4 < 2 on ds0, else ds1
	for id := int64(0); id < accounts; id++ {
		_, err := e.direct[(id%4)/2].Exec(fmt.Sprintf("INSERT INTO t_acct_%d (id, balance) VALUES (?, ?)", id%2), id, startBalance)
		require.NoError(t, err)
	}

	type record struct {
		id, from, to int64
		err          error
	}
	var (
		mu      sync.Mutex
		records []record
		wg      sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(w)))
			for n := int64(0); ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				id := int64(w)<<32 | n
				from := int64(r.Intn(accounts/4))*4 + int64(r.Intn(2))   // ds0
				to := int64(r.Intn(accounts/4))*4 + 2 + int64(r.Intn(2)) // ds1
				if r.Intn(2) == 0 {
					from, to = to, from
				}
				err := chaosTransfer(e, id, from, to, 1)
				mu.Lock()
				records = append(records, record{id, from, to, err})
				mu.Unlock()
			}
		}()
	}
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	deadline := time.Now().Add(time.Duration(rounds) * 15 * time.Second)
	var chaos []string
	for time.Now().Before(deadline) {
		time.Sleep(time.Duration(100+r.Intn(400)) * time.Millisecond)
		i := r.Intn(2)
		switch r.Intn(4) {
		case 0:
			e.proxies[i].CutAll()
			chaos = append(chaos, fmt.Sprintf("cut all ds%d", i))
		case 1:
			require.NoError(t, e.servers[i].Kill())
			time.Sleep(time.Duration(r.Intn(300)) * time.Millisecond)
			require.NoError(t, e.servers[i].Start())
			chaos = append(chaos, fmt.Sprintf("kill ds%d", i))
		default:
			pt := txPoints[r.Intn(8)] // the XA points with two participants
			kind := txFaultKinds[r.Intn(4)]
			f := kind.fault(nil, e.proxies[pt.server].CutAll)
			f.Match = pt.match
			e.proxies[pt.server].Disarm()
			e.proxies[pt.server].Inject(f)
			chaos = append(chaos, fmt.Sprintf("%s at %s", kind.name, pt))
		}
	}
	close(stop)
	wg.Wait()
	for _, p := range e.proxies {
		p.Disarm()
	}
	e.recoverAllXA(t)
	e.settle(t, "after the chaos")

	ledger := map[int64]int{} // transfer → ledger rows found (0 or 2 when atomic)
	for _, d := range e.direct {
		for tbl := 0; tbl < 2; tbl++ {
			rows, err := d.Query(fmt.Sprintf("SELECT id FROM t_led_%d", tbl))
			require.NoError(t, err)
			for rows.Next() {
				var id int64
				require.NoError(t, rows.Scan(&id))
				ledger[id>>1]++
			}
			require.NoError(t, rows.Err())
			rows.Close()
		}
	}
	var committed, rolledBack, mixed, unknown, wrong int
	for _, rec := range records {
		n := ledger[rec.id]
		switch n {
		case 2:
			committed++
		case 0:
			rolledBack++
		default:
			mixed++
			t.Errorf("transfer %x: %d of 2 ledger rows after recovery (Commit: %v)", rec.id, n, rec.err)
		}
		var ce *driver.CommitError
		switch {
		case rec.err == nil:
			if n != 2 {
				wrong++
				t.Errorf("transfer %x: Commit returned nil, %d of 2 ledger rows", rec.id, n)
			}
		case errors.As(rec.err, &ce):
			if len(ce.Unknown) > 0 {
				unknown++
			} else if want := len(ce.Committed)+len(ce.Pending) > 0; want != (n == 2) {
				wrong++
				t.Errorf("transfer %x: %d of 2 ledger rows, but Commit said: %v", rec.id, n, rec.err)
			}
		default:
			if n != 0 {
				wrong++
				t.Errorf("transfer %x failed before Commit (%v) but has %d ledger rows", rec.id, rec.err, n)
			}
		}
	}
	sum, accts := e.total(t)
	assert.Equal(t, accts*startBalance, sum, "no money lost or created")
	t.Logf("%d faults; %d XA transfers: %d committed everywhere, %d rolled back everywhere, %d mixed; %d errors with unknown outcomes, %d errors that did not match",
		len(chaos), len(records), committed, rolledBack, mixed, unknown, wrong)
}

// chaosTransfer moves amount and writes a ledger row on each side; the
// ledger row ids are 2·id (debit) and 2·id+1 (credit).
func chaosTransfer(e *txFaultEnv, id, from, to, amount int64) error {
	ctx, cancel := context.WithTimeout(driver.WithXATransaction(context.Background()), 5*time.Second)
	defer cancel()
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, st := range []struct {
		sql  string
		args []any
	}{
		{"UPDATE t_acct SET balance = balance - ? WHERE id = ?", []any{amount, from}},
		{"UPDATE t_acct SET balance = balance + ? WHERE id = ?", []any{amount, to}},
		{"INSERT INTO t_led (id, acct, amount) VALUES (?, ?, ?)", []any{2 * id, from, -amount}},
		{"INSERT INTO t_led (id, acct, amount) VALUES (?, ?, ?)", []any{2*id + 1, to, amount}},
	} {
		sctx, scancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := tx.ExecContext(sctx, st.sql, st.args...)
		scancel()
		if err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}
