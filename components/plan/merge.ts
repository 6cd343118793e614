// Helm-style merge of user values over the package's: objects merge key by key, anything else
// (arrays included) replaces, and an explicit null removes the key, as `helm --set k=null` does.

export type Values = Record<string, any>;

function isPlainObject(v: unknown): v is Values {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function mergeValues(base: Values, override: Values | undefined): Values {
    const out: Values = { ...base };
    for (const [key, value] of Object.entries(override ?? {})) {
        if (value === null) {
            delete out[key];
        } else if (isPlainObject(value) && isPlainObject(out[key])) {
            out[key] = mergeValues(out[key], value);
        } else {
            out[key] = value;
        }
    }
    return out;
}
