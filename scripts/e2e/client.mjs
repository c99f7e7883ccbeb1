// Calls ExportCertificate through the AWS SDK for JavaScript v3, once for
// each case of a JSON file, and writes what the SDK returned for scripts/e2e.sh
// to check:
//
//	node client.mjs CASES.json OUTDIR
//
// A case is {"name", "endpoint", "arn", "passphrase", "operation",
// "credentials"}:
// passphrase is {"base64": "..."} for bytes (a Uint8Array, as most callers
// pass it) or {"string": "..."} for a string the SDK encodes as UTF-8;
// a member left out is left out of the call too (the SDK does not check
// required members, so the server sees null). operation is "export" (the
// default) or "describe", to call another operation of the same service.
// credentials, {"accessKeyId", "secretAccessKey"}, replaces the demo keys.
//
// For each case it writes OUTDIR/NAME/Certificate.pem, CertificateChain.pem
// and PrivateKey.pem, or OUTDIR/NAME/error holding one line:
// "err.name err.$metadata.httpStatusCode err.message".
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import {
  ACMClient,
  ExportCertificateCommand,
  DescribeCertificateCommand,
} from "@aws-sdk/client-acm";

const [casesFile, outDir] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesFile, "utf8"));
const clients = new Map();

function client(endpoint, credentials = { accessKeyId: "demo", secretAccessKey: "demo" }) {
  const key = JSON.stringify([endpoint, credentials]);
  if (!clients.has(key)) {
    clients.set(
      key,
      new ACMClient({
        endpoint,
        region: "us-east-1",
        credentials,
        // One request per call: a retried 500 or throttle would hide what
        // the first answer was and cost seconds of back-off.
        maxAttempts: 1,
      }),
    );
  }
  return clients.get(key);
}

for (const c of cases) {
  const dir = `${outDir}/${c.name}`;
  mkdirSync(dir, { recursive: true });
  const input = {};
  if (c.arn !== undefined) input.CertificateArn = c.arn;
  if (c.passphrase?.base64 !== undefined) input.Passphrase = new Uint8Array(Buffer.from(c.passphrase.base64, "base64"));
  if (c.passphrase?.string !== undefined) input.Passphrase = c.passphrase.string;
  const command = c.operation === "describe" ? new DescribeCertificateCommand(input) : new ExportCertificateCommand(input);
  try {
    const out = await client(c.endpoint, c.credentials).send(command);
    for (const member of ["Certificate", "CertificateChain", "PrivateKey"]) {
      writeFileSync(`${dir}/${member}.pem`, out[member] ?? "");
    }
  } catch (err) {
    const line = [err.name, err.$metadata?.httpStatusCode, String(err.message).replace(/\n/g, " ")].join(" ");
    writeFileSync(`${dir}/error`, line + "\n");
  }
}
