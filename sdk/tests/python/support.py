"""Pulumi Python SDK mocks that record every registration with its inputs as plain JSON values."""
import json
import os
import re
from typing import Any, Dict, List

import pulumi

SDK_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCHEMA_PATH = os.path.join(SDK_DIR, "schema.json")

# How the Python SDK marks a secret inside deserialized inputs (pulumi.runtime.rpc).
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def load_schema() -> Dict[str, Any]:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


def snake(name: str) -> str:
    """The Python SDK's name of a schema property (modelUrl -> model_url)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def plain(value: Any, at: str, secrets: List[str]) -> Any:
    """Deserialized inputs -> JSON values; paths of secret values go to `secrets`."""
    if isinstance(value, dict) and value.get(_SIG_KEY) == _SECRET_SIG:
        secrets.append(at)
        return plain(value.get("value"), at, secrets)
    if isinstance(value, dict):
        return {k: plain(v, f"{at}.{k}" if at else k, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, f"{at}[{i}]", secrets) for i, v in enumerate(value)]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registrations: List[Dict[str, Any]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        secrets: List[str] = []
        inputs = plain(args.inputs, "", secrets)
        self.registrations.append({"type": args.typ, "name": args.name, "inputs": inputs, "secrets": secrets})
        return f"{args.name}-id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


def run_program(program, project: str = "project", config: Dict[str, str] | None = None,
                secret_keys: List[str] | None = None) -> List[Dict[str, Any]]:
    """Runs `program` (a function that declares resources) under fresh mocks and returns the registrations."""
    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project=project, stack="dev", preview=False)
    pulumi.runtime.set_all_config(config or {}, secret_keys or [])

    @pulumi.runtime.test
    def run():
        program()
        # Something to wait on: pulumi.runtime.test also waits for every outstanding registration.
        return pulumi.Output.from_input(True)

    run()
    return recorder.registrations

