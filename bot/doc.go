// Package bot is modbot's Slack side: it reads the slash commands moderators
// type (/unban, /roles, /banned, /modbot), checks who may run them, runs the
// approval flow for unbans in Slack threads, and answers with Block Kit
// messages. It reaches Tencent Cloud Chat and Redis only through small
// interfaces it declares itself, and escapes every piece of user-supplied text
// before it goes into Slack mrkdwn.
package bot
