// Package bot is modbot's Slack side: it reads the slash commands moderators
// type (/ban, /mute, /unmute, /unban, /roles, /banned, /modbot; the table in
// commands.go, the action commands parsed into one ActionCmd), checks who may run them, runs the
// approval flow for unbans in Slack threads, and answers with Block Kit
// messages. It publishes each person's App Home tab (home.go) and posts a daily
// digest in the audit channel (digest.go). It reaches Tencent Cloud Chat and Redis only through small
// interfaces it declares itself, and escapes every piece of user-supplied text
// before it goes into Slack mrkdwn.
package bot
