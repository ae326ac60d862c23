package bot

import (
	"context"

	"modbot/store"
)

// handleAction runs /ban, /mute, /unmute and /unban. This is a stand-in until the action pipeline
// (action.go) lands: /unban takes the existing unban path, the other actions are not built yet.
// The merge replaces this file.
func (b *Bot) handleAction(ctx context.Context, inv *invocation, c *ActionCmd) {
	if c.Action == store.UnbanAction {
		b.handleUnban(ctx, inv, c)
		return
	}
	b.reply(ctx, inv, note(":construction: "+Code(c.Name())+" is not built yet: nothing was done."))
}
