package bot

import (
	"errors"

	"github.com/slack-go/slack"
)

// slackError is the error code of a Web API answer ("not_in_channel"), or "an error".
func slackError(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return "an error"
}
