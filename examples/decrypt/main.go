// Command decrypt turns the output of ExportCertificate into files a TLS
// server can load: certificate.pem, chain.pem and key.pem, the key
// decrypted.
//
//	aws acm export-certificate ... > export.json
//	go run ./examples/decrypt -passphrase-file passphrase.txt export.json
//
// It reads the JSON that `aws acm export-certificate` prints, from the file
// named or from standard input, and the passphrase byte for byte from
// -passphrase-file (a trailing newline in the file is part of it), or, if
// that flag is not given, from a prompt on the terminal that does not echo.
// It checks that the key matches the certificate and that the chain is in
// order, and with -roots that it verifies.
//
// key.pem holds the key unencrypted, as PKCS#8, and is written with mode
// 0600. Existing files are not overwritten unless -force is given.
package main

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"github.com/acmexport/acmexport"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "decrypt:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stderr io.Writer) error {
	fs := flag.NewFlagSet("decrypt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	passFile := fs.String("passphrase-file", "", "read the passphrase from this `file`, every byte of it")
	outDir := fs.String("out", ".", "write the files into this `directory`")
	rootsFile := fs.String("roots", "", "verify the chain to the CA certificates in this PEM `file`")
	force := fs.Bool("force", false, "overwrite existing files")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: decrypt [flags] [export.json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return errors.New("at most one JSON file")
	}

	in := stdin
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	var resp acmexport.Response
	if err := json.NewDecoder(io.LimitReader(in, 8<<20)).Decode(&resp); err != nil {
		return fmt.Errorf("reading the ExportCertificate JSON: %w", err)
	}

	var cfg acmexport.OpenConfig
	if *rootsFile != "" {
		pemText, err := os.ReadFile(*rootsFile)
		if err != nil {
			return err
		}
		cfg.Roots = x509.NewCertPool()
		if !cfg.Roots.AppendCertsFromPEM(pemText) {
			return fmt.Errorf("%s holds no PEM certificate", *rootsFile)
		}
	}

	passphrase, err := readPassphrase(*passFile, stderr)
	if err != nil {
		return err
	}
	b, err := acmexport.Open(&resp, passphrase, &cfg)
	clear(passphrase)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(b.Key)
	if err != nil {
		return err
	}
	defer clear(keyDER)

	files := []struct {
		name string
		text string
		mode os.FileMode
	}{
		{"certificate.pem", acmexport.EncodePEM(acmexport.LabelCertificate, b.Leaf.Raw), 0o644},
		{"chain.pem", acmexport.EncodePEM(acmexport.LabelCertificate, rawCerts(b.Chain)...), 0o644},
		{"key.pem", acmexport.EncodePEM("PRIVATE KEY", keyDER), 0o600},
	}
	if !*force {
		for _, f := range files {
			path := filepath.Join(*outDir, f.name)
			if _, err := os.Lstat(path); err == nil {
				return fmt.Errorf("%s exists; use -force to overwrite it", path)
			}
		}
	}
	for _, f := range files {
		path := filepath.Join(*outDir, f.name)
		if err := writeFile(path, f.text, f.mode, *force); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "wrote", path)
	}
	return nil
}

// readPassphrase reads every byte of name or, if name is empty, a line typed
// on the terminal without echo.
func readPassphrase(name string, stderr io.Writer) ([]byte, error) {
	if name != "" {
		return os.ReadFile(name)
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return nil, errors.New("no terminal to ask for the passphrase on; use -passphrase-file")
	}
	defer tty.Close()
	fmt.Fprint(stderr, "Passphrase: ")
	p, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(stderr)
	return p, err
}

// writeFile writes text to path with mode, replacing a file only if force
// is set, and never following a link.
func writeFile(path, text string, mode os.FileMode, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	f, err := os.OpenFile(path, flags, mode)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func rawCerts(certs []*x509.Certificate) [][]byte {
	raw := make([][]byte, len(certs))
	for i, c := range certs {
		raw[i] = c.Raw
	}
	return raw
}
