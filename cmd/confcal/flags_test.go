package main

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/confcal/confcal/config"
)

// commands returns every command under root, root included.
func commands(root *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{root}
	for _, c := range root.Commands() {
		out = append(out, commands(c)...)
	}
	return out
}

func testApp() *app {
	return &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, env: testEnv("/nonexistent")}
}

// TestFlagsBoundByConfig checks that every flag that sets a configuration
// key is declared by config.Flag, so that its default is the key's,
// written once, and that every key with a flag has it on some command.
func TestFlagsBoundByConfig(t *testing.T) {
	seen := map[string]bool{}
	for _, cmd := range commands(newRootCmd(testApp())) {
		check := func(f *pflag.Flag) {
			key := config.FlagKey(f.Name)
			if key == "" {
				return
			}
			if got := config.KeyOf(f); got != key {
				t.Errorf("%s --%s: declared by hand (key %q), not by config.Flag for %s", cmd.CommandPath(), f.Name, got, key)
			}
			seen[key] = true
		}
		cmd.LocalNonPersistentFlags().VisitAll(check)
		cmd.PersistentFlags().VisitAll(check)
	}
	for _, k := range config.Keys() {
		if config.FlagName(k) != "" && !seen[k] {
			t.Errorf("no command has --%s, the flag of %s", config.FlagName(k), k)
		}
	}
}

// TestFlagPlaceholders checks that every flag that takes a value says in
// --help what it takes (--alarm DURATION, --cancelled MODE), never the
// Go type pflag falls back to (duration, string).
func TestFlagPlaceholders(t *testing.T) {
	for _, cmd := range commands(newRootCmd(testApp())) {
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Value.Type() == "bool" {
				return
			}
			name, _ := pflag.UnquoteUsage(f)
			if name == "" || name != strings.ToUpper(name) {
				t.Errorf("%s --%s %s: say what it takes, in capitals between backquotes in its usage", cmd.CommandPath(), f.Name, name)
			}
		})
	}
}
