package timtest

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
)

// Codes of the account and signature checks.
const (
	codeSigExpired     = 70001
	codeSigEmpty       = 70002
	codeSigUndecodable = 70003
	codeSigKey         = 70009
	codeSigIdentifier  = 70013
	codeSigSDKAppID    = 70014
)

// sigDoc is the JSON inside a UserSig (tls-sig-api-v2).
type sigDoc struct {
	Ver        string       `json:"TLS.ver"`
	Identifier *string      `json:"TLS.identifier"`
	SDKAppID   *json.Number `json:"TLS.sdkappid"`
	Expire     *json.Number `json:"TLS.expire"`
	Time       *json.Number `json:"TLS.time"`
	Sig        *string      `json:"TLS.sig"`
	UserBuf    *string      `json:"TLS.userbuf"`
}

// verifyUserSig checks sig as Tencent does for identifier of app sdkappid with key at now, and
// returns 0 or the error code with a message (which never contains the signature or the key).
func verifyUserSig(sig string, sdkappid int, key, identifier string, now time.Time) (int, string) {
	if sig == "" {
		return codeSigEmpty, "usersig is empty"
	}
	r := strings.NewReplacer("*", "+", "-", "/", "_", "=")
	raw, err := base64.StdEncoding.DecodeString(r.Replace(sig))
	if err != nil {
		return codeSigUndecodable, "usersig is not valid base64"
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return codeSigUndecodable, "usersig does not inflate"
	}
	js, err := io.ReadAll(io.LimitReader(zr, 64<<10))
	if err != nil {
		return codeSigUndecodable, "usersig does not inflate (truncated?)"
	}
	var d sigDoc
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil || d.Identifier == nil || d.SDKAppID == nil ||
		d.Expire == nil || d.Time == nil || d.Sig == nil {
		return codeSigUndecodable, "usersig content is incomplete"
	}
	appid, err1 := d.SDKAppID.Int64()
	expire, err2 := d.Expire.Int64()
	at, err3 := d.Time.Int64()
	if err1 != nil || err2 != nil || err3 != nil {
		return codeSigUndecodable, "usersig content has bad numbers"
	}
	if appid != int64(sdkappid) {
		return codeSigSDKAppID, "the sdkappid in the usersig does not match the request"
	}
	if *d.Identifier != identifier {
		return codeSigIdentifier, "the identifier in the usersig does not match the request"
	}
	if now.Unix() > at+expire {
		return codeSigExpired, "usersig expired"
	}
	content := "TLS.identifier:" + *d.Identifier + "\n" +
		"TLS.sdkappid:" + strconv.FormatInt(appid, 10) + "\n" +
		"TLS.time:" + strconv.FormatInt(at, 10) + "\n" +
		"TLS.expire:" + strconv.FormatInt(expire, 10) + "\n"
	if d.UserBuf != nil {
		content += "TLS.userbuf:" + *d.UserBuf + "\n"
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(content))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(*d.Sig)) {
		return codeSigKey, "usersig verification failed: it may be signed with the key of another SDKAppID"
	}
	return 0, ""
}
