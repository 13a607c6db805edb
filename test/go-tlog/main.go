// Command go-tlog checks a medanchor log server with Go's own transparency-log code
// (golang.org/x/mod/sumdb/tlog), which shares nothing with medanchor's TypeScript:
//
//	go-tlog <base URL> <leaf index> <commitment hex> <old size> [<verifier key>]
//
// It reads /checkpoint (and, given the log's verifier key, opens it as a signed note with
// golang.org/x/mod/sumdb/note, which must find a valid signature by that key), fetches hash tiles through tlog.TileHashReader (which checks
// every tile against the checkpoint's root), recomputes the tree hash, reads the entry
// bundle holding the leaf, proves the leaf's inclusion with tlog.ProveRecord and
// tlog.CheckRecord, and checks the server's consistency proof from <old size> with
// tlog.CheckTree. It prints one "ok ..." line, or the failed step on stderr and exits 1.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const tileHeight = 8

func fail(step string, err error) {
	fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", step, err)
	os.Exit(1)
}

func get(base, path string) ([]byte, error) {
	resp, err := http.Get(base + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	return body, nil
}

// servedPath turns a Go tile path ("tile/8/<L>/..." or "tile/8/data/...") into the
// C2SP one, which has no height element and names entry bundles "entries".
func servedPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", tileHeight))
	p = strings.Replace(p, "data/", "entries/", 1)
	return "/tile/" + p
}

type httpTiles struct {
	base    string
	fetched int
}

func (h *httpTiles) Height() int { return tileHeight }

func (h *httpTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := get(h.base, servedPath(t))
		if err != nil {
			return nil, err
		}
		out[i] = b
		h.fetched++
	}
	return out, nil
}

func (h *httpTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// parseCheckpoint reads the tlog-checkpoint body (origin, size, base64 root); a signed
// note's signature lines after the blank line are not needed for the tree checks.
func parseCheckpoint(b []byte) (string, tlog.Tree, error) {
	text := string(b)
	if i := strings.Index(text, "\n\n"); i >= 0 {
		text = text[:i+1]
	}
	lines := strings.Split(text, "\n")
	if len(lines) < 4 {
		return "", tlog.Tree{}, fmt.Errorf("checkpoint has %d lines", len(lines))
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return "", tlog.Tree{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return "", tlog.Tree{}, fmt.Errorf("bad root hash %q", lines[2])
	}
	var h tlog.Hash
	copy(h[:], raw)
	return lines[0], tlog.Tree{N: n, Hash: h}, nil
}

func main() {
	if len(os.Args) != 5 && len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: go-tlog <base URL> <leaf index> <commitment hex> <old size> [<verifier key>]")
		os.Exit(2)
	}
	base := os.Args[1]
	leaf, err1 := strconv.ParseInt(os.Args[2], 10, 64)
	want, err2 := hex.DecodeString(os.Args[3])
	oldSize, err3 := strconv.ParseInt(os.Args[4], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		fail("arguments", fmt.Errorf("leaf index, commitment hex and old size expected"))
	}

	cpBytes, err := get(base, "/checkpoint")
	if err != nil {
		fail("checkpoint", err)
	}
	signed := "unsigned"
	if len(os.Args) == 6 {
		v, err := note.NewVerifier(os.Args[5])
		if err != nil {
			fail("verifier key", err)
		}
		n, err := note.Open(cpBytes, note.VerifierList(v))
		if err != nil {
			fail("note", err)
		}
		cpBytes = []byte(n.Text)
		signed = "signed-by=" + v.Name()
	}
	origin, tree, err := parseCheckpoint(cpBytes)
	if err != nil {
		fail("checkpoint", err)
	}

	tiles := &httpTiles{base: base}
	hashes := tlog.TileHashReader(tree, tiles)
	th, err := tlog.TreeHash(tree.N, hashes)
	if err != nil {
		fail("tree hash", err)
	}
	if th != tree.Hash {
		fail("tree hash", fmt.Errorf("tiles give %v, checkpoint says %v", th, tree.Hash))
	}

	// The entry bundle holding the leaf: 16-bit big-endian length, then the entry.
	bt := tlog.TileForIndex(tileHeight, tlog.StoredHashIndex(0, leaf))
	bt.L = -1
	bundle, err := get(base, servedPath(bt))
	if err != nil {
		fail("entry bundle", err)
	}
	var entry []byte
	for i, at := int64(0), 0; at < len(bundle); i++ {
		if at+2 > len(bundle) {
			fail("entry bundle", fmt.Errorf("truncated at %d", at))
		}
		l := int(bundle[at])<<8 | int(bundle[at+1])
		if at+2+l > len(bundle) {
			fail("entry bundle", fmt.Errorf("entry %d overruns the bundle", i))
		}
		if bt.N*(1<<tileHeight)+i == leaf {
			entry = bundle[at+2 : at+2+l]
		}
		at += 2 + l
	}
	if entry == nil || !bytes.Equal(entry, want) {
		fail("entry bundle", fmt.Errorf("leaf %d is not the expected commitment", leaf))
	}

	proof, err := tlog.ProveRecord(tree.N, leaf, hashes)
	if err != nil {
		fail("inclusion proof", err)
	}
	if err := tlog.CheckRecord(proof, tree.N, tree.Hash, leaf, tlog.RecordHash(entry)); err != nil {
		fail("inclusion proof", err)
	}

	// The server's consistency proof must convince Go's checker, and equal Go's own.
	oldHash, err := tlog.TreeHash(oldSize, hashes)
	if err != nil {
		fail("old tree hash", err)
	}
	body, err := get(base, fmt.Sprintf("/proof/consistency/%d/%d", oldSize, tree.N))
	if err != nil {
		fail("consistency proof", err)
	}
	var served struct{ Proof []string }
	if err := json.Unmarshal(body, &served); err != nil {
		fail("consistency proof", err)
	}
	var p tlog.TreeProof
	for _, s := range served.Proof {
		raw, err := hex.DecodeString(s)
		if err != nil || len(raw) != tlog.HashSize {
			fail("consistency proof", fmt.Errorf("bad hash %q", s))
		}
		var h tlog.Hash
		copy(h[:], raw)
		p = append(p, h)
	}
	if err := tlog.CheckTree(p, tree.N, tree.Hash, oldSize, oldHash); err != nil {
		fail("consistency proof", err)
	}
	own, err := tlog.ProveTree(tree.N, oldSize, hashes)
	if err != nil || len(own) != len(p) {
		fail("consistency proof", fmt.Errorf("Go's own proof differs in length"))
	}
	for i := range own {
		if own[i] != p[i] {
			fail("consistency proof", fmt.Errorf("hash %d differs from Go's own proof", i))
		}
	}

	fmt.Printf("ok origin=%s %s size=%d root=%s leaf=%d proof=%d consistency=%d tiles=%d\n",
		origin, signed, tree.N, base64.StdEncoding.EncodeToString(tree.Hash[:]), leaf, len(proof), len(p), tiles.fetched)
}
