"""The generated Python SDK under the Pulumi Python SDK's mocks: an LlmInference declared from Python must
reach the Node component as a remote component with the schema's type token and the camelCase input names
and values the Node component reads (models[0].autoscaling.maxReplicas, ...).

Argument classes are looked up from sdk/schema.json, not named here: their names follow the TypeScript
interfaces (TypeScript `Model` -> Python `ModelArgs`).
"""
import enum
import unittest
from typing import Any, Dict

import pulumi
import pulumi_vllm_autoscaling as sdk

from support import load_schema, run_program, snake

SCHEMA = load_schema()
TOKEN = "vllm-autoscaling:index:LlmInference"

# What the Node component must receive: schema (camelCase) names and values. "hfToken" is given as a secret.
ARGS: Dict[str, Any] = {
    "namespace": "llm",
    "createNamespace": True,
    "models": [
        {
            "name": "qwen-0-5b",
            "modelUrl": "Qwen/Qwen2.5-0.5B-Instruct",
            "servedModelName": "qwen",
            "gpusPerReplica": 1,
            "hfToken": "hf_test_token",
            "extraArgs": ["--dtype=half"],
            "autoscaling": {
                "minReplicas": 0,
                "maxReplicas": 4,
                "targetQueueDepth": 5,
                "cooldownSeconds": 300,
                "paused": False,
                "strategy": "queue-depth",
            },
        }
    ],
    "keda": {"install": False},
    "monitoring": {"install": False, "prometheusUrl": "http://prometheus.monitoring.svc:9090"},
}


def _type(ref: str) -> Dict[str, Any]:
    return SCHEMA["types"][ref.removeprefix("#/types/")]


def _python_value(spec: Dict[str, Any], value: Any, as_classes: bool) -> Any:
    """A schema value -> what a Python program passes: Args classes (or snake_case dicts), enum members."""
    if "$ref" in spec:
        ref = spec["$ref"]
        typ = _type(ref)
        name = ref.split(":")[-1]
        if "enum" in typ:
            enum_class = getattr(sdk, name)
            assert issubclass(enum_class, enum.Enum), name
            return enum_class(value) if as_classes else value
        kwargs = {snake(k): _python_value(typ["properties"][k], v, as_classes) for k, v in value.items()}
        return getattr(sdk, name + "Args")(**kwargs) if as_classes else kwargs
    if spec.get("type") == "array":
        return [_python_value(spec["items"], v, as_classes) for v in value]
    if spec.get("type") == "string" and not spec.get("plain") and isinstance(value, str) and value.startswith("hf_"):
        return pulumi.Output.secret(value)
    return value


def _declare(as_classes: bool):
    resource = SCHEMA["resources"][TOKEN]
    kwargs = {snake(k): _python_value(resource["inputProperties"][k], v, as_classes) for k, v in ARGS.items()}
    return lambda: sdk.LlmInference("chat", **kwargs)


class LlmInferenceUnderMocks(unittest.TestCase):
    def check(self, registrations):
        self.assertEqual(len(registrations), 1, registrations)
        reg = registrations[0]
        self.assertEqual(reg["type"], TOKEN)
        self.assertIn(TOKEN, SCHEMA["resources"])
        self.assertEqual(reg["name"], "chat")
        self.assertEqual(reg["inputs"], ARGS)
        # The token is secret in what the engine receives (Python marks the enclosing property).
        self.assertTrue(any("models[0].hfToken".startswith(p) for p in reg["secrets"]), reg["secrets"])

    def test_args_classes(self):
        self.check(run_program(_declare(as_classes=True)))

    def test_snake_case_dicts(self):
        self.check(run_program(_declare(as_classes=False)))

    def test_every_resource_has_a_class_and_an_args_class(self):
        for token in SCHEMA["resources"]:
            name = token.split(":")[-1]
            self.assertTrue(hasattr(sdk, name) and hasattr(sdk, name + "Args"), name)

    def test_required_model_args_are_enforced(self):
        with self.assertRaisesRegex(TypeError, "models"):
            run_program(lambda: sdk.LlmInference("chat"))


if __name__ == "__main__":
    unittest.main()
