"""Runs a Python example program (its __main__.py) under mocks, with an hfToken in its config, and writes
every registration as JSON ({type, name, inputs, secrets}) to the given file; the repository's mocha tests
compare them against sdk/schema.json and stacks/Pulumi.dev.yaml.

    python run_example.py <example dir> <out.json>
"""
import json
import os
import re
import runpy
import sys

from support import run_program


def main(example_dir: str, out: str) -> None:
    with open(os.path.join(example_dir, "Pulumi.yaml"), encoding="utf-8") as f:
        project = re.search(r"^name:\s*(\S+)", f.read(), re.M).group(1)
    key = f"{project}:hfToken"
    registrations = run_program(
        lambda: runpy.run_path(os.path.join(example_dir, "__main__.py"), run_name="__main__"),
        project=project,
        config={key: "hf_example_token"},
        secret_keys=[key],
    )
    if not any(r["type"] == "vllm-autoscaling:index:LlmInference" for r in registrations):
        sys.exit(f"{example_dir}: declared no LlmInference: {registrations}")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(registrations, f, indent=2)
    print(f"{example_dir}: {len(registrations)} registration(s) written to {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
