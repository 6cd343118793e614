// The entry the Pulumi schema analyzer and `pulumi package add` read: with `main` pointing at the
// compiled dist/ (so `require("<repo root>")` works after a build), the analyzer falls back to
// this file for the TypeScript source. `npm install` builds dist/ through the `prepare` script.
export * from "./components";
