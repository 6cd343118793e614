// Upstream schemas from ../shared/reference (beside the repository), compiled with Ajv.
// The folder is absent in a user's clone: callers skip with a printed reason then.
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

export const REPO_ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? "../../.." : "../..");
export const REFERENCE_DIR = path.resolve(REPO_ROOT, "../shared/reference");
export const KEDA_CRD = path.join(REFERENCE_DIR, "keda-2.20.2.scaledobjects.crd.yaml");
export const VLLM_STACK_SCHEMA = path.join(REFERENCE_DIR, "vllm-stack-0.1.12.values.schema.json");
/** The Prometheus Operator CRDs kube-prometheus-stack 82.4.3 installs (../shared/charts). */
export const PROMETHEUS_OPERATOR_CRDS = path.resolve(REPO_ROOT, "../shared/charts/kube-prometheus-stack/charts/crds/crds");
export const PROMETHEUS_RULE_CRD = path.join(PROMETHEUS_OPERATOR_CRDS, "crd-prometheusrules.yaml");
export const SERVICE_MONITOR_CRD = path.join(PROMETHEUS_OPERATOR_CRDS, "crd-servicemonitors.yaml");
/** The vllm-stack chart 0.1.12 (../shared/charts). */
export const VLLM_STACK_CHART = path.resolve(REPO_ROOT, "../shared/charts/vllm-stack");
/** The KEDA chart 2.20.2 (../shared/charts). */
export const KEDA_CHART = path.resolve(REPO_ROOT, "../shared/charts/keda");

export function referenceMissing(file: string): string | undefined {
    return fs.existsSync(file) ? undefined : `${file} is absent (it lives in ../shared/reference beside the repository)`;
}

/**
 * The apiserver silently prunes fields a structural schema does not declare: a misspelled
 * ScaledObject field would be dropped without a word. Forbid undeclared fields instead, so
 * such a field fails the test.
 */
function forbidUnknownFields(schema: any): any {
    if (Array.isArray(schema)) return schema.map(forbidUnknownFields);
    if (typeof schema !== "object" || schema === null) return schema;
    const out: any = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, forbidUnknownFields(v)]));
    if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
        out.additionalProperties = false;
    }
    return out;
}

/** Skips the calling test or hook, saying why, when a reference file is absent. */
export function skipUnlessPresent(ctx: Mocha.Context, file: string): void {
    const missing = referenceMissing(file);
    if (missing) {
        console.log(`      skipped: ${missing}`);
        ctx.skip();
    }
}

export type Validate = (data: unknown) => string[];

function errorsOf(validate: import("ajv").ValidateFunction): Validate {
    return (data) => {
        if (validate(data)) return [];
        return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
    };
}

/** Validates a whole ScaledObject manifest against the KEDA 2.20.2 CRD's openAPIV3Schema. */
export function scaledObjectValidator(): Validate {
    const crd = YAML.parse(fs.readFileSync(KEDA_CRD, "utf8"));
    const schema = forbidUnknownFields(crd.spec.versions[0].schema.openAPIV3Schema);
    // metadata is the apiserver's ObjectMeta, not part of the CRD schema.
    schema.properties.metadata = { type: "object" };
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    return errorsOf(ajv.compile(schema));
}

/** Validates a whole custom resource against a CRD file's (first version's) openAPIV3Schema, undeclared fields forbidden. */
export function crdValidator(file: string): Validate {
    // A chart's CRD template (karpenter-crd) may hold `{{ }}` lines, in its annotations only.
    const crd = YAML.parse(fs.readFileSync(file, "utf8").split("\n").filter((l) => !l.includes("{{")).join("\n"));
    const schema = forbidUnknownFields(crd.spec.versions[0].schema.openAPIV3Schema);
    schema.properties.metadata = { type: "object" };
    // The Prometheus Operator's CRDs use Go's inline flag `(?i)` in patterns; JavaScript takes it as a flag.
    const goRegExp = (pattern: string, flags: string) => (pattern.includes("(?i)")
        ? new RegExp(pattern.replace(/\(\?i\)/g, ""), `${flags}i`) : new RegExp(pattern, flags));
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: goRegExp as any } });
    return errorsOf(ajv.compile(schema));
}

/** Validates vllm-stack values as Helm does, against the chart's values.schema.json (2020-12). */
export function vllmStackValuesValidator(): Validate {
    const schema = JSON.parse(fs.readFileSync(VLLM_STACK_SCHEMA, "utf8"));
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    return errorsOf(ajv.compile(schema));
}
