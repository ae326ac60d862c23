package slacktest_test

import (
	"fmt"
	"log"

	"github.com/slack-go/slack"

	"modbot/bot/slacktest"
)

func Example() {
	srv := slacktest.New(slacktest.Options{})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.AddChannel("C1", "approvals", true)
	srv.AddChannel("C2", "elsewhere", false)

	api := slack.New(srv.Options().BotToken, slack.OptionAPIURL(srv.URL))
	_, ts, err := api.PostMessage("C1", slack.MsgOptionText("request #1", false))
	if err != nil {
		log.Fatal(err)
	}
	_, _, err = api.PostMessage("C1", slack.MsgOptionText("approved", false), slack.MsgOptionTS(ts))
	fmt.Println(err)
	_, _, err = api.PostMessage("C2", slack.MsgOptionText("hi", false))
	fmt.Println(err)

	for _, m := range srv.Messages("C1") {
		fmt.Println(m.Text, m.ReplyCount)
	}
	// Output:
	// <nil>
	// not_in_channel
	// request #1 1
}
