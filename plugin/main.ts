// Entry of the provider plugin `pulumi-resource-vllm-autoscaling` (its launcher runs this with
// Node.js): serves the components over gRPC to the engine that started it. The schema and version
// are read from the files `npm run plugin` puts beside dist/ in the archive (in a checkout of the
// repository, from sdk/schema.json and package.json).
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { VllmAutoscalingProvider } from "./provider";

/** The plugin's root: dist/plugin/main.js sits two levels below it. */
const root = path.resolve(__dirname, "..", "..");

function main(args: string[]): Promise<void> {
    const version: string = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;
    const archived = path.join(root, "schema.json");
    const schema = fs.readFileSync(fs.existsSync(archived) ? archived : path.join(root, "sdk", "schema.json"), "utf8");
    return pulumi.provider.main(new VllmAutoscalingProvider(version, schema), args);
}

main(process.argv.slice(2)).catch((e) => {
    // stdout is the engine's channel (the first line is the port), so failures go to stderr.
    process.stderr.write(`pulumi-resource-vllm-autoscaling: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
