import js from "@eslint/js";
import tseslint from "typescript-eslint";

const FUZZ_PATTERNS = [
  { group: ["**/probes/**"], message: "src never imports probes/." },
  {
    group: ["**/lane/*/**", "!**/lane/index.js"],
    message: "The fuzzer reaches the lane only through src/lane/index.ts.",
  },
];

function importRules(files, patterns, ignores = []) {
  return [{ files: [files], ignores, rules: { "no-restricted-imports": ["error", { patterns }] } }];
}

export default tseslint.config(
  { ignores: ["dist/", "reports/", "node_modules/", "coverage/", ".failclosed/", ".failclosed-tmp/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.object.name='Object'][callee.property.name='assign']",
          message: "R6: parsed data never flows through Object.assign.",
        },
      ],
    },
  },
  // One block per folder, and each folder's block names every pattern that holds there: flat config
  // replaces a rule's options wholesale, so a later, broader block would silently drop the lane's rule.
  // test/architecture/imports.test.ts checks the same rules (and circles) from the source text.
  ...importRules("src/lane/**/*.ts", [
    {
      group: ["**/fuzz/**", "**/cli/**", "**/probes/**", "**/src/index.js"],
      message: "The lane never imports the fuzzer, the CLI or probes.",
    },
  ]),
  ...importRules("src/kernel/**/*.ts", [
    {
      group: ["**/lane/**", "**/fuzz/**", "**/cli/**", "**/probes/**"],
      message: "The kernel imports neither wing.",
    },
  ]),
  ...importRules("src/fuzz/engine/**/*.ts", [
    ...FUZZ_PATTERNS,
    {
      group: ["**/report/**", "**/targets/**"],
      message: "The engine imports neither reporters nor targets.",
    },
  ]),
  ...importRules("src/fuzz/targets/**/*.ts", [
    ...FUZZ_PATTERNS,
    { group: ["**/engine/**"], message: "Targets never import the engine." },
  ]),
  ...importRules("src/fuzz/**/*.ts", FUZZ_PATTERNS, ["src/fuzz/engine/**", "src/fuzz/targets/**"]),
  ...importRules("src/cli/**/*.ts", [{ group: ["**/probes/**"], message: "src never imports probes/." }]),
  ...importRules("probes/**/*.ts", [
    {
      group: ["../src/**", "!../src/index.js"],
      message: "Probes import only the public surface, src/index.ts.",
    },
  ]),
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
);
