// Package examples holds programmes, configurations and agendas a user can
// run as they are. The AI Action Summit week is embedded as the default
// programme of every command.
package examples

import _ "embed"

// Summit is the AI Action Summit week programme, the built-in default.
//
//go:embed ai-action-summit/programme.yaml
var Summit []byte

// SummitName is the name Summit is reported under in messages.
const SummitName = "examples/ai-action-summit/programme.yaml"
