// Runs Pulumi programs under the SDK's in-process mocks and records every resource
// registration as the engine would receive it: type, name, inputs (secrets still wrapped),
// parent, dependsOn (as URNs), ignoreChanges and how many transforms were attached.
import * as pulumi from "@pulumi/pulumi";

/** The marker the Pulumi wire format puts on secret values. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface Registration {
    type: string;
    name: string;
    urn: string;
    parent: string;
    custom: boolean;
    inputs: Record<string, any>;
    dependsOn: string[];
    ignoreChanges: string[];
    transforms: number;
}

export function isSecret(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The value inside a secret wrapper, or the value itself. */
export function reveal<T = any>(v: unknown): T {
    return (isSecret(v) ? (v as { value: unknown }).value : v) as T;
}

/** The AWS account, region and cluster the mocked AWS data sources describe. */
export const MOCK_AWS = { accountId: "123456789012", region: "us-east-1", partition: "aws", clusterSecurityGroupId: "sg-0c1u5te7000000000" } as const;

/** What the AWS data sources the components call answer under mocks (else: their inputs). */
const MOCK_INVOKES: Record<string, (inputs: any) => Record<string, unknown>> = {
    "aws:index/getPartition:getPartition": () => ({ partition: MOCK_AWS.partition, dnsSuffix: "amazonaws.com", id: MOCK_AWS.partition }),
    "aws:index/getRegion:getRegion": () => ({ region: MOCK_AWS.region, name: MOCK_AWS.region, id: MOCK_AWS.region }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: MOCK_AWS.accountId, arn: `arn:aws:iam::${MOCK_AWS.accountId}:user/ci`, id: MOCK_AWS.accountId }),
    "aws:eks/getCluster:getCluster": (inputs) => ({ name: inputs.name, vpcConfig: { clusterSecurityGroupId: MOCK_AWS.clusterSecurityGroupId } }),
};

/** A created resource's state: its inputs, and for AWS resources the `name` and `arn` AWS would give it. */
function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, any> {
    if (!args.type.startsWith("aws:")) return args.inputs;
    const kind = args.type.split(":")[1]?.split("/")[0] ?? "aws";
    return { name: args.name, arn: `arn:aws:${kind}:${MOCK_AWS.region}:${MOCK_AWS.accountId}:${args.name}`, ...args.inputs };
}

/**
 * Runs `program` with mocks; resolves with every registration once all outputs settled.
 * Registrations are recorded before the mock answers, so a program that throws still leaves
 * a record of what it registered first (used to prove that bad input registers nothing).
 */
export async function runWithMocks(
    program: () => unknown,
    opts: { preview?: boolean; newResource?: (args: pulumi.runtime.MockResourceArgs) => { id: string | undefined; state: Record<string, any> } } = {},
): Promise<{ registrations: Registration[]; result: unknown }> {
    const registrations: Registration[] = [];
    pulumi.runtime.setMocks({
        newResource: opts.newResource ?? ((args: pulumi.runtime.MockResourceArgs) => ({ id: `${args.name}-id`, state: mockState(args) })),
        call: (args: pulumi.runtime.MockCallArgs) => MOCK_INVOKES[args.token]?.(args.inputs) ?? args.inputs,
    }, "vllm-autoscaling", "test", opts.preview ?? false);
    const monitor = (pulumi.runtime as any).getMonitor();
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        const type: string = req.getType();
        const name: string = req.getName();
        const parent: string = req.getParent();
        const registration: Registration = {
            type,
            name,
            urn: "",
            parent,
            custom: req.getCustom(),
            inputs: req.getObject()?.toJavaScript() ?? {},
            dependsOn: req.getDependenciesList(),
            ignoreChanges: req.getIgnorechangesList(),
            transforms: req.getTransformsList().length,
        };
        registrations.push(registration);
        return original(req, (err: unknown, resp: any) => {
            registration.urn = resp?.getUrn() ?? "";
            callback(err, resp);
        });
    };
    const result = await program();
    // Let every pending registration and output settle.
    await quiet(registrations);
    if (result && typeof result === "object") {
        await Promise.all(Object.values(result).filter(pulumi.Output.isInstance).map((o) => promiseOf(o)));
    }
    await quiet(registrations);
    return { registrations, result };
}

/**
 * Resolves once no resource has registered for `quietMs` (at most `maxMs`): a resource that
 * depends on a component waits for all of the component's children, which can take longer than
 * any fixed delay on a busy machine.
 */
async function quiet(registrations: Registration[], quietMs = 150, maxMs = 10_000): Promise<void> {
    const start = Date.now();
    let seen = -1;
    let since = Date.now();
    while (Date.now() - start < maxMs) {
        if (registrations.length !== seen) {
            seen = registrations.length;
            since = Date.now();
        } else if (Date.now() - since >= quietMs) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}

/** An Output's value (mocks resolve everything, so this does not hang). */
export function promiseOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => { resolve(v); return v; }));
}

/** Whether an Output is marked secret. */
export function isSecretOutput(o: pulumi.Output<unknown>): Promise<boolean> {
    return (o as any).isSecret as Promise<boolean>;
}
