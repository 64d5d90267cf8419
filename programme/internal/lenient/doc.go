// Package lenient holds what confcal's importers share to read real,
// messy exports: turning HTML into plain text, making ids, URLs and
// language tags acceptable to the native format, and reporting each fix as
// a warning that points at where it was made.
package lenient
