// Lint: typescript-eslint's recommended rules, and the layering of the source
// tree as an enforced rule. Imports flow one way:
//   domain  <-  config  <-  stacks  <-  main
//   domain  <-  constructs  <-  stacks
// domain/ is pure (no cdktf, no config, no constructs); constructs never read
// config (stacks pass them props); services/ shares only domain/; local/ (the
// local platform) reads domain/ and config/; loadtest/ runs on local/.
import js from "@eslint/js";
import importPlugin from "eslint-plugin-import";
import tseslint from "typescript-eslint";

const layers = [
  {
    target: "./domain",
    from: ["./config", "./constructs", "./stacks", "./tools", "./services", "./loadtest", "./main.ts"],
    message: "domain/ is pure logic: it imports nothing from the kit's other folders.",
  },
  {
    target: "./config",
    from: ["./constructs", "./stacks", "./tools", "./services", "./loadtest", "./main.ts"],
    message: "config/ may import only domain/.",
  },
  {
    target: "./constructs",
    from: ["./config", "./stacks", "./tools", "./services", "./loadtest", "./main.ts"],
    message: "constructs take props; only stacks read config.",
  },
  { target: "./stacks", from: ["./tools", "./services", "./loadtest", "./main.ts"], message: "stacks compose constructs from config." },
  {
    target: "./services",
    from: ["./config", "./constructs", "./stacks", "./tools", "./loadtest", "./main.ts"],
    message: "the gateway's image carries only its own code and domain/.",
  },
  {
    target: "./loadtest",
    from: ["./config", "./constructs", "./stacks", "./tools", "./main.ts"],
    message: "the load test shares domain/ (and the gateway's client helpers) and runs on local/ only.",
  },
  {
    target: "./local",
    from: ["./constructs", "./stacks", "./tools", "./services", "./loadtest", "./bench", "./main.ts"],
    message: "the local platform takes its settings from domain/ and config/, never from constructs or the load test.",
  },
  { target: "./tools", from: ["./stacks", "./main.ts"], message: "tools are thin CLIs over config and domain." },
];

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "cdktf.out/**", "build/**", "coverage/**", "**/*.js", "!eslint.config.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { import: importPlugin },
    settings: { "import/resolver": { node: { extensions: [".ts", ".js", ".json"] } } },
    rules: {
      "import/no-restricted-paths": ["error", { zones: layers }],
      // cdktf patterns: constructs created for their side effects.
      "no-new": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // domain/ must stay free of the IaC libraries too, so the gateway and k6 can load it.
    files: ["domain/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["cdktf", "cdktf/*", "constructs", "@cdktf/*", "kubernetes-models", "kubernetes-models/*"],
              message: "domain/ has no IaC dependencies.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
