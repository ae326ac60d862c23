package bot

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/slack-go/slack"
)

// message is what the bot shows a person: Block Kit blocks and the plain fallback text that
// notifications and screen readers use.
type message struct {
	Text   string
	Blocks []slack.Block
}

// options turns m into slack-go message options.
func (m message) options() []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	return opts
}

// respond answers the person who typed a command or clicked a button, through the payload's
// response_url: it works in any channel and in DMs, whether or not the bot is a member. With
// replace, the message the response_url belongs to is replaced (paging, "working…" notes).
func (b *Bot) respond(ctx context.Context, responseURL string, m message, replace bool) error {
	if responseURL == "" {
		return errors.New("respond: no response_url")
	}
	opts := append(storageNote(ctx, m).options(), slack.MsgOptionResponseURL(responseURL, slack.ResponseTypeEphemeral))
	if replace {
		opts = append(opts, slack.MsgOptionReplaceOriginal(responseURL))
	}
	if _, _, err := b.api.PostMessageContext(ctx, "", opts...); err != nil {
		return fmt.Errorf("post to response_url: %w", redactURL(err))
	}
	return nil
}

// webAPI is the Slack Web API as the bot and its executor use it: posts, updates, DMs and deletes,
// each bounded by the lease of the work it is part of (see leaseBound).
type webAPI struct{ api *slack.Client }

// post sends a message to a channel, in the thread of threadTS when it is set, and returns its ts.
// Like update and dm, it ends by the lease of the work it is part of (see leaseBound).
func (b webAPI) post(ctx context.Context, channel, threadTS string, m message) (string, error) {
	ctx, cancel, err := leaseBound(ctx)
	if err != nil {
		return "", fmt.Errorf("post to %s: %w", channel, err)
	}
	defer cancel()
	opts := m.options()
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	_, ts, err := b.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, errLeaseLost) {
			err = cause
		}
		return "", fmt.Errorf("post to %s: %w", channel, redactURL(err))
	}
	return ts, nil
}

// update replaces the content of one of the bot's messages.
func (b webAPI) update(ctx context.Context, channel, ts string, m message) error {
	ctx, cancel, err := leaseBound(ctx)
	if err != nil {
		return fmt.Errorf("update %s %s: %w", channel, ts, err)
	}
	defer cancel()
	if _, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, m.options()...); err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, errLeaseLost) {
			err = cause
		}
		return fmt.Errorf("update %s %s: %w", channel, ts, redactURL(err))
	}
	return nil
}

// dm sends a direct message to a user (conversations.open, then chat.postMessage).
func (b webAPI) dm(ctx context.Context, user string, m message) error {
	octx, cancel, err := leaseBound(ctx)
	if err != nil {
		return fmt.Errorf("open DM with %s: %w", user, err)
	}
	ch, _, _, err := b.api.OpenConversationContext(octx, &slack.OpenConversationParameters{Users: []string{user}})
	cancel()
	if err != nil {
		return fmt.Errorf("open DM with %s: %w", user, redactURL(err))
	}
	_, err = b.post(ctx, ch.ID, "", storageNote(ctx, m))
	return err
}

// deleteMessage deletes one of the bot's messages (chat.delete).
func (b webAPI) deleteMessage(ctx context.Context, channel, ts string) error {
	if _, _, err := b.api.DeleteMessageContext(ctx, channel, ts); err != nil {
		return fmt.Errorf("delete %s %s: %w", channel, ts, redactURL(err))
	}
	return nil
}

// redactURL drops the URL from a *url.Error: response_urls are bearer secrets, and Go prints the
// whole URL in transport errors.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
