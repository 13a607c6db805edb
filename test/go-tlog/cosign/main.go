// Command cosign opens a cosigned checkpoint with Go's golang.org/x/mod/sumdb/note, which
// medanchor shares no code with:
//
//	cosign <note file> <log vkey> <witness vkey>...
//
// The log's signature is checked by note's own Ed25519 verifier. Debian's x/mod (0.7) knows
// only signature type 0x01, so witness keys (type 0x04, C2SP tlog-cosignature v1) get a
// note.Verifier written here from the C2SP text: the key ID is SHA-256(name || "\n" || 0x04
// || key)[:4] and the signature is a big-endian u64 timestamp followed by Ed25519 over
// "cosignature/v1\ntime <t>\n" || note text. note.Open does the parsing and matching.
// Prints "ok ..." with each witness's timestamp, or the failure on stderr and exits 1.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

type cosigV1 struct {
	name  string
	hash  uint32
	key   ed25519.PublicKey
	times map[string]uint64
}

func (c *cosigV1) Name() string    { return c.name }
func (c *cosigV1) KeyHash() uint32 { return c.hash }
func (c *cosigV1) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	if t >= 1<<63 {
		return false
	}
	signed := append([]byte("cosignature/v1\ntime "+strconv.FormatUint(t, 10)+"\n"), msg...)
	if !ed25519.Verify(c.key, signed, sig[8:]) {
		return false
	}
	c.times[c.name] = t
	return true
}

func witnessVerifier(vkey string, times map[string]uint64) (*cosigV1, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, errors.New("malformed witness vkey")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 0x04 {
		return nil, errors.New("witness vkey is not type 0x04 with a 32-byte key")
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), raw...))
	id := binary.BigEndian.Uint32(h[:4])
	if fmt.Sprintf("%08x", id) != parts[1] {
		return nil, errors.New("witness vkey ID does not match its key")
	}
	return &cosigV1{name: parts[0], hash: id, key: ed25519.PublicKey(raw[1:]), times: times}, nil
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: cosign <note file> <log vkey> <witness vkey>...")
		os.Exit(2)
	}
	msg, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL read:", err)
		os.Exit(1)
	}
	logV, err := note.NewVerifier(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL log vkey:", err)
		os.Exit(1)
	}
	verifiers := []note.Verifier{logV}
	times := map[string]uint64{}
	for _, vk := range os.Args[3:] {
		v, err := witnessVerifier(vk, times)
		if err != nil {
			fmt.Fprintln(os.Stderr, "FAIL witness vkey:", err)
			os.Exit(1)
		}
		verifiers = append(verifiers, v)
	}
	n, err := note.Open(msg, note.VerifierList(verifiers...))
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL open:", err)
		os.Exit(1)
	}
	var names []string
	for _, s := range n.Sigs {
		if t, ok := times[s.Name]; ok {
			names = append(names, fmt.Sprintf("%s@%d", s.Name, t))
		}
	}
	fmt.Printf("ok signatures=%d unverified=%d cosigned-by=%s\n", len(n.Sigs), len(n.UnverifiedSigs), strings.Join(names, ","))
}
