package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"
)

type configOptions struct {
	json bool
	keys bool
}

func newConfigCmd(a *app) *cobra.Command {
	opts := &configOptions{}
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the effective configuration and where each value came from",
		Long: `Config prints every configuration key, its effective value and where that
value came from. Precedence, lowest first: built-in default, the config file
(--config, $CONFCAL_CONFIG, ./confcal.yaml, then
$XDG_CONFIG_HOME/confcal/config.yaml), a CONFCAL_* environment variable
(serve.addr is CONFCAL_SERVE_ADDR), a command-line flag.`,
		Example: `  confcal config
  CONFCAL_LANG=fr confcal config --json
  confcal config --keys`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			return runConfig(a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	cmd.Flags().BoolVar(&opts.keys, "keys", false, "list the keys with their environment variables")
	return cmd
}

func runConfig(a *app, opts *configOptions) error {
	l := a.cfg
	if opts.keys {
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY\tENVIRONMENT")
		for _, k := range config.Keys() {
			fmt.Fprintf(tw, "%s\t%s\n", k, config.EnvName(k))
		}
		return tw.Flush()
	}
	type entry struct {
		Key    string `json:"key"`
		Value  any    `json:"value"`
		Source string `json:"source"`
		Line   int    `json:"line,omitempty"` // in the config file
	}
	var entries []entry
	for _, k := range config.Keys() {
		v := l.Values[k]
		if isSecretKey(k) && fmt.Sprint(v) != "" {
			v = "(set)"
		}
		entries = append(entries, entry{Key: k, Value: v, Source: l.Sources[k], Line: l.Lines[k]})
	}
	if opts.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"file": l.File, "values": entries})
	}
	file := l.File
	if file == "" {
		file = "(none)"
	}
	fmt.Fprintf(a.stdout, "config file: %s\n\n", file)
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
	for _, e := range entries {
		v := fmt.Sprint(e.Value)
		if v == "" {
			v = `""`
		}
		src := e.Source
		if strings.HasPrefix(src, "file ") && e.Line > 0 {
			src = fmt.Sprintf("%s:%d", src, e.Line)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Key, v, src)
	}
	return tw.Flush()
}

func isSecretKey(key string) bool {
	return strings.HasSuffix(key, "password") || strings.HasSuffix(key, ".token")
}
