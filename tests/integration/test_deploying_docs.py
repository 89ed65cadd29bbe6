"""Every shell block of docs/deploying.md (and docs/inspire.md) marked ``<!-- tested -->``
runs, in order,
in a fresh folder holding a catalog, with a stand-in ``aws`` command that checks its
arguments (and the JSON files they name) instead of calling AWS."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, SAMPLE

DOC = REPO / "docs" / "deploying.md"
BLOCK = re.compile(r"<!-- tested -->\n```sh\n(.*?)```", re.S)

FAKE_AWS = r"""#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
with open(os.environ["AWS_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\n")
for flag in ("--policy", "--cors-configuration"):
    if flag in args:
        value = args[args.index(flag) + 1]
        assert value.startswith("file://"), value
        json.load(open(value[7:], encoding="utf-8"))
if args[:2] in (["s3", "sync"], ["s3", "cp"]):
    assert os.path.isfile(os.path.join(args[2], "index.html")), args
"""


def test_documented_deploy_commands_run(tmp_path: Path) -> None:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) == 5
    work = tmp_path / "repo"
    shutil.copytree(SAMPLE, work / "catalog")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(FAKE_AWS, encoding="utf-8")
    aws.chmod(aws.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "aws.log"
    env = {**os.environ, "AWS_LOG": str(log),
           "PATH": os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent),
                                    os.environ.get("PATH", "")])}
    for block in blocks:
        done = subprocess.run(["sh", "-e", "-c", block], cwd=work, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, (block, done.stdout, done.stderr)
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    commands = [" ".join(call[:2]) for call in calls]
    assert commands[:6] == ["s3api create-bucket", "s3api put-public-access-block",
                            "s3 website", "s3api put-bucket-policy",
                            "s3api put-bucket-cors", "s3 sync"]
    assert commands.count("s3 cp") == 4
    policy = json.loads((work / "policy.json").read_text(encoding="utf-8"))
    assert policy["Statement"][0]["Action"] == "s3:GetObject"
    assert (work / ".github" / "workflows" / "sitegen-pages.yml").is_file()
    assert (work / "site" / "index.html").is_file()
    # the last block builds offline: no tile URL in the map skeletons
    assert "openstreetmap" not in (work / "site" / "_static" / "maps" / "item.js").read_text(
        encoding="utf-8")


def test_documented_inspire_build_runs(tmp_path: Path) -> None:
    blocks = BLOCK.findall((REPO / "docs" / "inspire.md").read_text(encoding="utf-8"))
    assert len(blocks) == 1
    work = tmp_path / "repo"
    shutil.copytree(SAMPLE, work / "catalog")
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                  os.environ.get("PATH", "")])}
    done = subprocess.run(["sh", "-e", "-c", blocks[0]], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    # each collection offers the whole data set as absolute URLs, Metalink and script
    urls = (work / "site" / "sentinel-2-l2a-fiji" / "index.urls.txt").read_text(
        encoding="utf-8").split()
    assert urls and all(u.startswith(("https://", "http://")) for u in urls)
    assert (work / "site" / "sentinel-2-l2a-fiji" / "index.meta4").is_file()
    assert (work / "site" / "sentinel-2-l2a-fiji" / "index.download.sh").is_file()
