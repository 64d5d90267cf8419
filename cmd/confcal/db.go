package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"
	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/store"
)

func newDBCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Look after the database of confcal serve",
		Long: `The database keeps what confcal serve remembers between editions: the
history behind each session's SEQUENCE, LAST-MODIFIED and kept cancellations,
and the attendee sync's subscriptions and queue.

It is a SQLite file in the state directory
($XDG_STATE_HOME/confcal/<programme>/confcal.db), or with --database a
PostgreSQL database that several servers share (postgres://USER:PASSWORD@HOST/DB,
or CONFCAL_DATABASE). confcal serve brings the schema up to date when it
starts; 'db migrate' does it beforehand, 'db status' shows it, and 'db
import' moves the history of a state file (what confcal build and older
servers keep) into the database.`,
		Example: `  confcal db status -p programme.yaml
  confcal db migrate --database postgres://confcal@db.example.org/confcal
  confcal db import --state ~/.local/state/confcal/summit/state.json --database postgres://confcal@db.example.org/confcal`,
	}
	cmd.AddCommand(newDBMigrateCmd(a), newDBStatusCmd(a), newDBImportCmd(a))
	return cmd
}

func addDBFlag(cmd *cobra.Command) {
	config.Flag(cmd.Flags(), "database", "a postgres:// `URL`, or a SQLite file (default: the programme's file in the state directory)")
}

// openDB opens the database the configuration names: --database, or the
// SQLite file of the programme (of --programme), or of id when given.
func (a *app) openDB(ctx context.Context, id string) (*store.DB, error) {
	name := a.cfg.Config.Database
	if name == "" {
		if id == "" {
			p, err := a.loadProgramme(ctx)
			if err != nil {
				return nil, err
			}
			id = p.ID
		}
		var err error
		if name, err = a.statePath(id, "confcal.db"); err != nil {
			return nil, err
		}
	}
	return store.Open(ctx, name)
}

// withDB runs f on the database openDB opens, and closes it.
func (a *app) withDB(ctx context.Context, id string, f func(db *store.DB) error) error {
	db, err := a.openDB(ctx, id)
	if err != nil {
		return err
	}
	defer db.Close()
	return f(db)
}

func newDBMigrateCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database's schema up to date",
		Long: `Migrate applies the schema changes the database lacks, each in a transaction
of its own. Servers starting together on one PostgreSQL database take turns,
so running it before a deployment is optional. A database made by a newer
confcal is refused.`,
		Example: `  confcal db migrate -p programme.yaml
  confcal db migrate --database postgres://confcal@db.example.org/confcal`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withDB(cmd.Context(), "", func(db *store.DB) error {
				if err := db.Migrate(cmd.Context()); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "database %s is up to date (schema version %d)\n", db.Name(), store.Migrations[len(store.Migrations)-1].Version)
				return nil
			})
		},
	}
	addDBFlag(cmd)
	return cmd
}

func newDBStatusCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "status",
		Short:   "List the schema's migrations, applied or pending",
		Example: "  confcal db status -p programme.yaml\n  confcal db status --database postgres://confcal@db.example.org/confcal",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withDB(cmd.Context(), "", func(db *store.DB) error { return a.printDBStatus(cmd.Context(), db) })
		},
	}
	addDBFlag(cmd)
	return cmd
}

// printDBStatus prints the migrations of db, applied or pending.
func (a *app) printDBStatus(ctx context.Context, db *store.DB) error {
	st, err := db.Status(ctx)
	if err != nil {
		return fmt.Errorf("database %s: %w", db.Name(), err)
	}
	fmt.Fprintf(a.stdout, "database %s\n", db.Name())
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	pending := 0
	for _, m := range st {
		when := "pending"
		if !m.At.IsZero() {
			when = "applied " + m.At.Format("2006-01-02 15:04:05Z")
		} else {
			pending++
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\n", m.Version, m.Name, when)
	}
	tw.Flush()
	if pending > 0 {
		fmt.Fprintf(a.stdout, "%d pending: run 'confcal db migrate' (confcal serve also does on start)\n", pending)
	}
	return nil
}

func newDBImportCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import --state FILE",
		Short: "Move the history of a state file into the database",
		Long: `Import takes in the history that a state file keeps (confcal build, and
confcal serve before it had a database): each session the database lacks,
and each one the file holds at a higher SEQUENCE, so that no subscriber ever
sees a SEQUENCE go backwards. Importing twice changes nothing. The
programme is the one the file belongs to.`,
		Example: `  confcal db import --state ~/.local/state/confcal/summit/state.json
  confcal db import --state state.json --database postgres://confcal@db.example.org/confcal`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := a.cfg.Config.State
			if path == "" {
				return usagef("name the state file to import with --state FILE")
			}
			file, err := a.stateFile("")
			if err != nil {
				return err
			}
			id, err := stateProgramme(file)
			if err != nil {
				return err
			}
			return a.withDB(cmd.Context(), id, func(db *store.DB) error {
				if err := db.Migrate(cmd.Context()); err != nil {
					return err
				}
				_, n, err := db.Import(cmd.Context(), file, a.now())
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "imported %d sessions of %s from %s into %s\n", n, id, file, db.Name())
				return nil
			})
		},
	}
	addDBFlag(cmd)
	config.Flag(cmd.Flags(), "state", "the state `FILE` to import (or a directory holding state.json)")
	return cmd
}

// stateProgramme returns the programme a state file belongs to.
func stateProgramme(path string) (string, error) {
	s, err := feed.ReadStore(path)
	if err != nil {
		return "", err
	}
	return s.Programme(), nil
}
