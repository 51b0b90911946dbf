import * as fs from "fs";
import * as path from "path";

/**
 * kafkajs loads each protocol request's module on first use. A consumer whose
 * disconnect outlived its test (a verifier gives up waiting after 10 s; kafkajs
 * goes on trying to leave the group) then loads LeaveGroup after Jest tore the
 * test file's environment down, and Jest fails the whole run for it (seen in a
 * CI run where every test passed). Loaded here, up front, nothing is loaded late.
 */
const requests = path.join(path.dirname(require.resolve("kafkajs/package.json")), "src", "protocol", "requests");
for (const api of fs.readdirSync(requests)) {
  const dir = path.join(requests, api);
  if (!fs.statSync(dir).isDirectory()) continue;
  for (const version of fs.readdirSync(dir).filter((v) => /^v\d+$/.test(v))) {
    for (const file of ["request.js", "response.js"]) {
      const f = path.join(dir, version, file);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading by path is the point
      if (fs.existsSync(f)) require(f);
    }
  }
}
