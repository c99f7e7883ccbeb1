package acmexport_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/acmexport/acmexport"
)

// benchARNs is the mix the ARN benchmarks check, one pass per operation:
// mostly ARNs as clients send them, and the ways they go wrong, early and
// late in the string.
var benchARNs = []string{
	goodARN,
	"arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
	"arn:aws-cn:acm:cn-north-1:111122223333:certificate/a=b,c.d@e-f+g_h/path/to/x",
	"arn:aws:acm:eu-central-1:999999999999:certificate/" + strings.Repeat("abcdef0123456789", 8),
	"arn:aws:s3:::my-bucket/certificate.pem",                                              // another service
	"arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-12345678901 ", // trailing space
	"arn:aws:acm:us-east-1:account:certificate/12345678-1234-1234-1234-123456789012",      // account not digits
	"arn:aws:acm:us-east-1:111122223333:certificate//12345678-1234-1234-1234-1234567890",  // empty segment
}

// BenchmarkARN measures the hand-written matcher over benchARNs, then its
// baseline, the model's pattern compiled by Go's regexp, over the same.
func BenchmarkARN(b *testing.B) {
	b.Run("MatchARN", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(totalLen(benchARNs))
		for b.Loop() {
			for _, arn := range benchARNs {
				acmexport.MatchARN(arn)
			}
		}
	})
	b.Run("regexp", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(totalLen(benchARNs))
		for b.Loop() {
			for _, arn := range benchARNs {
				modelARN.MatchString(arn)
			}
		}
	})
}

// BenchmarkValidateARN measures the whole check of a valid ARN, the length
// limits included, as Export runs it on every request.
func BenchmarkValidateARN(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := acmexport.ValidateARN(goodARN); err != nil {
			b.Fatal(err)
		}
	}
}

func totalLen(ss []string) int64 {
	var n int64
	for _, s := range ss {
		n += int64(len(s))
	}
	return n
}

// TestMatchARNDoesNotAllocate pins that checking a valid ARN allocates
// nothing: it runs on every request.
func TestMatchARNDoesNotAllocate(t *testing.T) {
	for _, arn := range benchARNs[:4] {
		if !acmexport.MatchARN(arn) {
			t.Fatalf("MatchARN(%q) = false, want true", arn)
		}
		if n := testing.AllocsPerRun(100, func() { acmexport.MatchARN(arn) }); n != 0 {
			t.Errorf("MatchARN(%q) allocates %v times, want 0", arn, n)
		}
		if n := testing.AllocsPerRun(100, func() { _ = acmexport.ValidateARN(arn) }); n != 0 {
			t.Errorf("ValidateARN(%q) allocates %v times, want 0", arn, n)
		}
	}
}

// TestMatchARNAgreesWithModelOnGeneratedInput compares MatchARN with the
// model's pattern on generated strings shaped like ARNs, six fields or
// thereabouts, each made of the characters the pattern treats specially,
// so that a faster matcher cannot drift from the pattern unseen. The seed
// is fixed: a failure reproduces.
func TestMatchARNAgreesWithModelOnGeneratedInput(t *testing.T) {
	// good holds, for each field, pieces the pattern accepts there; other
	// holds pieces it treats differently.
	good := [][]string{
		{"arn"},
		{"aws", "a", "_", "+=/,.@-"},
		{"acm"},
		{"us-east-1", "/", "Z9"},
		{"0", "123"},
		{"certificate", "/", "x", "+=,.@-_"},
		{"a"},
	}
	other := []string{
		"a", "Z", "0", "9", "_", "+", "=", ",", ".", "@", "-", "/", ":", "",
		" ", "\n", "\r", "\x00", "\x7f", "é", "\xff", "ACM", "s3", "١",
	}
	rng := rand.New(rand.NewPCG(5, 5))
	n := 30000
	if testing.Short() {
		n = 3000
	}
	matched := 0
	var b strings.Builder
	for range n {
		b.Reset()
		fields := 6
		if rng.IntN(5) == 0 {
			fields = 5 + 2*rng.IntN(2)
		}
		for i := range fields {
			if i > 0 {
				b.WriteByte(':')
			}
			pieces := 1
			if len(good[i]) > 1 {
				pieces += rng.IntN(4)
			}
			for range pieces {
				if rng.IntN(25) == 0 {
					b.WriteString(other[rng.IntN(len(other))])
				} else {
					b.WriteString(good[i][rng.IntN(len(good[i]))])
				}
			}
		}
		arn := b.String()
		got, want := acmexport.MatchARN(arn), modelARN.MatchString(arn)
		if got != want {
			t.Fatalf("MatchARN(%q) = %v, want %v (the model pattern's answer)", arn, got, want)
		}
		if want {
			matched++
		}
	}
	// Both answers must be common, or the comparison shows little.
	if matched < n/50 || matched > n-n/50 {
		t.Errorf("%d of %d generated strings match; the generator needs a better mix", matched, n)
	}
}
