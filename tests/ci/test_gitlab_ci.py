# SPDX-License-Identifier: GPL-2.0-or-later
"""The structure of .gitlab-ci.yml: what runs on merge requests and what runs nightly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import]  # Debian ships no stubs for PyYAML

ROOT = Path(__file__).resolve().parents[2]
CI_FILE = ROOT / ".gitlab-ci.yml"
MR_RULE = '$CI_PIPELINE_SOURCE == "merge_request_event"'
SCHEDULE_RULE = '$CI_PIPELINE_SOURCE == "schedule"'
# Keywords GitLab reserves at the top level; everything else not starting with "." is a job.
GLOBAL_KEYWORDS = {"stages", "default", "variables", "include", "workflow", "image", "services", "cache",
                   "before_script", "after_script"}


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    data = yaml.safe_load(CI_FILE.read_text())
    assert isinstance(data, dict)
    return data


def jobs(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in config.items() if k not in GLOBAL_KEYWORDS and not k.startswith(".")}


def resolved(config: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """The job with its `extends` templates merged in (shallowly, as GitLab does per key)."""
    out: dict[str, Any] = {}
    parents = job.get("extends", [])
    for parent in [parents] if isinstance(parents, str) else parents:
        out.update(resolved(config, config[parent]))
    out.update({k: v for k, v in job.items() if k != "extends"})
    return out


def script(job: dict[str, Any]) -> str:
    return "\n".join(job.get("before_script", []) + job.get("script", []))


def make_targets() -> set[str]:
    """Targets the Makefile documents with a `## name:` line (make help)."""
    names: set[str] = set()
    for mk in [ROOT / "Makefile", *ROOT.glob("**/module.mk")]:
        names.update(re.findall(r"^## ([\w.-]+):", mk.read_text(), flags=re.M))
    return names


def rule_ifs(job: dict[str, Any]) -> list[str]:
    return [r.get("if", "") for r in job.get("rules", [])]


def test_every_job_has_a_declared_stage_and_a_script(config: dict[str, Any]) -> None:
    stages = config["stages"]
    assert jobs(config), "no jobs"
    for name, job in jobs(config).items():
        job = resolved(config, job)
        assert job.get("stage") in stages, name
        assert job.get("script"), name
        assert all(isinstance(line, str) for line in job["script"]), name
        for parent in job.get("needs", []):
            assert parent in jobs(config), f"{name} needs unknown job {parent}"


def test_merge_request_pipeline(config: dict[str, Any]) -> None:
    mr = {name: resolved(config, job) for name, job in jobs(config).items() if MR_RULE in rule_ifs(job)}
    assert mr, "no job runs on merge requests"
    everything = "\n".join(script(job) for job in mr.values())
    assert "./toolchain/setup" in everything
    assert re.search(r"^make( -j\d+)?$", everything, flags=re.M), "no build step"
    assert re.search(r"^make check$", everything, flags=re.M), "make check is not run"
    artifacts = [p for job in mr.values() for p in job.get("artifacts", {}).get("paths", [])]
    for suffix in (".exe", ".dll", ".tlb", ".msi"):
        assert any(p.endswith(suffix) for p in artifacts), f"no {suffix} artifact in {artifacts}"


def test_nightly_windows_job(config: dict[str, Any]) -> None:
    nightly = {name: resolved(config, job) for name, job in jobs(config).items()
               if any(SCHEDULE_RULE in cond for cond in rule_ifs(job))}
    assert len(nightly) == 1, nightly.keys()
    job = next(iter(nightly.values()))
    assert job.get("tags"), "the Windows job must run only on runners tagged for it"
    assert "$QGA_WINDOWS_IMAGE" in " ".join(rule_ifs(job)), "runs without an image configured"
    assert job["variables"]["QGA_TEST_IMAGE"] == "$QGA_WINDOWS_IMAGE"
    assert re.search(r"^make check-vm$", script(job), flags=re.M)
    assert job.get("artifacts", {}).get("when") == "always"
    assert MR_RULE not in rule_ifs(job)


def test_scripts_use_documented_make_targets(config: dict[str, Any]) -> None:
    targets = make_targets()
    for name, job in jobs(config).items():
        for line in resolved(config, job).get("script", []):
            for target in re.findall(r"\bmake(?:\s+-\S+)*\s+([a-z][\w-]*)", line):
                assert target in targets, f"{name}: `make {target}` is not a documented target"


def test_artifacts_are_what_make_builds(config: dict[str, Any]) -> None:
    """Each artifact path of the build job matches a file `make` produced (check-ci runs after all)."""
    build_dir = ROOT / "build"
    if not (build_dir / "qemu-ga.exe").is_file():
        pytest.fail("build/qemu-ga.exe is missing: run `make` first (make check-ci does)")
    for name, job in jobs(config).items():
        if MR_RULE not in rule_ifs(job) or "artifacts" not in job:
            continue
        for pattern in resolved(config, job)["artifacts"].get("paths", []):
            if pattern.endswith("/"):
                continue                      # a directory of logs, present only after failures
            assert list(ROOT.glob(pattern)), f"{name}: artifact {pattern} matches nothing after make"
