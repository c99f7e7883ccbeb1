package acmexport

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// The quick path of pemScanner.decodeBlock exists for the benchmarks'
// budget (see BENCHMARKS.md). This test pins that it changes nothing: on
// canonical texts and on texts broken in every small way, DecodePEM gives
// exactly the blocks or the error that the line-by-line reader alone gives.

// decodePEMLineByLine is DecodePEM without the quick path.
func decodePEMLineByLine(text, label string) ([][]byte, error) {
	var blocks [][]byte
	s := pemScanner{text: text, label: label}
	for {
		body, err := s.block()
		if err != nil {
			return nil, err
		}
		der, err := decodeBase64(body)
		if err != nil {
			return nil, s.fail(s.bodyLine, "base64 is not canonical or its padding is wrong")
		}
		blocks = append(blocks, der)
		if s.done() {
			return blocks, nil
		}
	}
}

func TestDecodePEMQuickPathChangesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const replacements = "AZaz09+/=\r\n-"
	inserts := []string{"\r", "\n", "\r\n", "=", "==", "A", "-", " ", "é", "-----END CERTIFICATE-----\n"}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	quick := 0
	for i := range n {
		// One to three blocks of 1 to 160 bytes, so that the last line
		// takes every length and padding, with LF or CRLF line ends.
		var ders [][]byte
		for range 1 + rng.IntN(3) {
			der := make([]byte, 1+rng.IntN(160))
			for j := range der {
				der[j] = byte(rng.IntN(256))
			}
			ders = append(ders, der)
		}
		text := EncodePEM(LabelCertificate, ders...)
		if rng.IntN(3) == 0 {
			text = strings.ReplaceAll(text, "\n", "\r\n")
		}

		// Break it, or leave it whole one time in four.
		for range rng.IntN(4) {
			pos := rng.IntN(len(text) + 1)
			switch rng.IntN(5) {
			case 0:
				text = text[:pos] + inserts[rng.IntN(len(inserts))] + text[pos:]
			case 1:
				if pos < len(text) {
					text = text[:pos] + text[pos+1:]
				}
			case 2:
				if pos < len(text) {
					text = text[:pos] + string(replacements[rng.IntN(len(replacements))]) + text[pos+1:]
				}
			case 3:
				text = text[:pos]
			case 4:
				// Four CRs in place of four characters keep every
				// length a multiple of 4, and the decoder skips them.
				if pos+4 <= len(text) {
					text = text[:pos] + "\r\r\r\r" + text[pos+4:]
				}
			}
		}

		got, gotErr := DecodePEM(text, LabelCertificate)
		want, wantErr := decodePEMLineByLine(text, LabelCertificate)
		var gotPE, wantPE *PEMError
		switch {
		case (gotErr == nil) != (wantErr == nil):
			t.Fatalf("case %d: DecodePEM(%q) = %v, want %v", i, text, gotErr, wantErr)
		case gotErr != nil && (!errors.As(gotErr, &gotPE) || !errors.As(wantErr, &wantPE) || *gotPE != *wantPE):
			t.Fatalf("case %d: DecodePEM(%q) = %v, want %v", i, text, gotErr, wantErr)
		case len(got) != len(want):
			t.Fatalf("case %d: DecodePEM(%q) = %d blocks, want %d", i, text, len(got), len(want))
		}
		for j := range got {
			if !bytes.Equal(got[j], want[j]) {
				t.Fatalf("case %d: DecodePEM(%q) block %d differs", i, text, j)
			}
		}
		if gotErr == nil {
			quick++
		}
	}
	if quick < n/10 || quick > n-n/10 {
		t.Errorf("%d of %d texts decode; the mutations need a better mix", quick, n)
	}
}

// decodeBase64 is how DecodePEM once decoded a body: whole, into a fresh
// buffer.
func decodeBase64(s string) ([]byte, error) {
	room := strictBase64.DecodedLen(len(s))
	return appendBase64(make([]byte, 0, room), s, room)
}
