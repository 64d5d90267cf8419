// Package csvprog reads a programme exported from a spreadsheet as CSV:
// one row per session under a header row whose column names say what each
// column holds. Commas, semicolons and tabs are accepted as separators, the
// text may be UTF-8 (with or without a byte-order mark) or Windows-1252,
// and dates and times may be written in ISO 8601 form or as
// DD/MM/YYYY HH:MM.
//
// The column names, matched without regard to case, spaces, hyphens and
// underscores, are listed in Columns; docs/formats.md shows them all.
package csvprog
