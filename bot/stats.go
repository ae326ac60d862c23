package bot

// Executions is how many executions this replica runs now (at most Options.Executors).
func (b *Bot) Executions() int { return len(b.ex.slots) }

// Connected reports whether a Socket Mode connection is open now (draining or not).
func (b *Bot) Connected() bool { return b.connected.Load() }
