// A loopback proxy that spoils requests on their way to the server, so that
// the AWS CLI and the SDKs, which never send a malformed request, can be
// seen reading the errors such requests get:
//
//	node proxy.mjs http://127.0.0.1:PORT
//
// It listens on a free loopback port, prints "listening on http://HOST:PORT",
// and forwards each request to the server at path "/", changed as the first
// segment of its own path says:
//
//	/bad-json      the body cut short: not JSON
//	/wrong-type    CertificateArn a number
//	/bad-base64    Passphrase not base64
//	/content-type  Content-Type: application/json
//	/method        GET instead of POST
//	/oversized     64 KiB of spaces added to the body (still valid JSON)
//
// Any other path is forwarded unchanged. The response comes back as the
// server wrote it.
import http from "node:http";

const target = new URL(process.argv[2]);

function spoil(mode, method, headers, body) {
  switch (mode) {
    case "bad-json":
      return { method, headers, body: body.subarray(0, Math.max(1, body.length - 2)) };
    case "wrong-type": {
      const req = JSON.parse(body);
      req.CertificateArn = 42;
      return { method, headers, body: Buffer.from(JSON.stringify(req)) };
    }
    case "bad-base64": {
      const req = JSON.parse(body);
      req.Passphrase = "not base64!";
      return { method, headers, body: Buffer.from(JSON.stringify(req)) };
    }
    case "content-type":
      return { method, headers: { ...headers, "content-type": "application/json" }, body };
    case "method":
      return { method: "GET", headers, body };
    case "oversized":
      return { method, headers, body: Buffer.concat([body, Buffer.alloc(64 << 10, " ")]) };
    default:
      return { method, headers, body };
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const mode = new URL(req.url, "http://x").pathname.split("/")[1];
    const headers = { ...req.headers };
    delete headers.host;
    delete headers["content-length"];
    delete headers["transfer-encoding"];
    const out = spoil(mode, req.method, headers, Buffer.concat(chunks));
    out.headers["content-length"] = String(out.body.length);
    const fwd = http.request(
      { host: target.hostname, port: target.port, path: "/", method: out.method, headers: out.headers },
      (up) => {
        const body = [];
        up.on("data", (c) => body.push(c));
        up.on("end", () => {
          const h = { ...up.headers };
          delete h["transfer-encoding"];
          delete h.connection;
          res.writeHead(up.statusCode, h);
          res.end(Buffer.concat(body));
        });
      },
    );
    fwd.on("error", (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    fwd.end(out.body);
  });
});

server.listen(0, "127.0.0.1", () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}`);
});
