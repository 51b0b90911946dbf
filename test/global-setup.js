// Builds what the integration tests run as separate processes: the compiled
// gateway (dist/) and the librdkafka mock cluster (build/mock-cluster).
const { execFileSync } = require("child_process");
const path = require("path");

module.exports = async () => {
  const root = path.resolve(__dirname, "..");
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(root, "tsconfig.build.json")],
    { stdio: "inherit" },
  );
  execFileSync("make", ["-s", "-C", path.join(root, "loadtest", "mock-cluster"), `OUT=${path.join(root, "build", "mock-cluster")}`], {
    stdio: "inherit",
  });
};
