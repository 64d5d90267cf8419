package pgtest

import (
	"context"
	"testing"
)

func TestStartRestart(t *testing.T) {
	s := Start(t)
	db := s.Open()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (n INT); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := db.PingContext(ctx); err == nil {
		t.Error("a stopped server answered")
	}
	s.Restart()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT n FROM t").Scan(&n); err != nil || n != 1 {
		t.Errorf("after a restart: %d, %v", n, err)
	}
}
