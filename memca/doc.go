// Package memca is an in-memory certificate authority that implements
// [acmexport.CA]. It is the CA the example server embeds and the one the
// tests of this module export from: it issues certificates on request, keeps
// them and their keys in a map, and answers Export's look-ups by ARN.
//
// A [CA] made by [New] has a self-signed root (EC P-384) and an intermediate
// (EC P-256) that issues every leaf. A leaf is a TLS server and client
// certificate for one DNS name, with an RSA 2048, EC P-256 or EC P-384 key,
// valid from an hour before it was issued for 395 days. A certificate can be
// requested pending, to be issued later with [CA.Complete], and as a private,
// public (AMAZON_ISSUED) or imported certificate, so that every branch of
// Export can be reached:
//
//	ca, err := memca.New(nil)
//	if err != nil {
//		return err
//	}
//	arn, err := ca.Issue(ctx, memca.Request{DomainName: "www.example.com"})
//	if err != nil {
//		return err
//	}
//	cert, err := ca.Certificate(ctx, arn) // what Export will see
//
// The example server hands ca to the root package as its CA and prints
// [CA.List] so that a client knows which ARNs to ask for.
//
// ARNs have the form arn:PARTITION:acm:REGION:ACCOUNT:certificate/UUID,
// with the partition, region and account of the [Config].
//
// # Security
//
// memca is for demonstrations and tests, not production. Its keys, the CA's
// own included, live in memory only and are lost when the process ends;
// nothing is revoked, logged or rate limited, and anyone who can call
// [CA.Issue] gets a certificate for any name.
//
// # Deterministic output
//
// Since Go 1.26 the crypto packages generate keys from a secure source of
// their own and ignore any random source a caller passes, so [Config] has no
// Rand field. A test that needs the same keys, serial numbers and ARNs on
// every run calls [testing/cryptotest.SetGlobalRandom] before [New] and fixes
// [Config.Now].
package memca
