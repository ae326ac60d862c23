// Package bot is modbot's Slack side: it reads the slash commands moderators
// type (/ban, /mute, /unmute, /unban, /roles, /banned, /modbot), checks who may
// run them, and runs every action through one pipeline (action.go, actions.go,
// executor.go): a look at the target's live state, the action's policy
// (approvals in Slack threads, or at once with Undo, or Confirm first for many
// accounts), execution under a fenced lease, and Block Kit messages about it.
// It publishes each person's App Home tab (home.go) and posts a daily digest in
// the audit channel (digest.go). It reaches Tencent Cloud Chat and Redis only
// through small interfaces it declares itself, and escapes every piece of
// user-supplied text before it goes into Slack mrkdwn.
package bot
