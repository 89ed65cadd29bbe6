"""``sitegen init``: a commented config, and deploy files for GitHub Pages or S3."""

from __future__ import annotations

import json
from pathlib import Path

from sitegen.config import Config
from sitegen.errors import OutputError

WORKFLOW = """# Builds the STAC site and publishes it on GitHub Pages (written by `sitegen init`).
# In the repository settings, set Pages > Build and deployment > Source to "GitHub Actions".
name: Publish STAC site
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: false
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install stac-sitegen
      - id: pages
        uses: actions/configure-pages@v5
      # The base URL of the Pages site (https://USER.github.io/REPO/) makes the sitemap
      # and the JSON-LD URLs absolute.
      - run: sitegen build {source} -o site --base-url "${{{{ steps.pages.outputs.base_url }}}}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""

S3_SCRIPT = """#!/bin/sh
# Publishes the built site to the S3 bucket {bucket} (written by `sitegen init`).
#
#   sitegen build {source} -o site --base-url http://{bucket}.s3-website-REGION.amazonaws.com/
#   sh deploy-s3.sh
#
# Needs the AWS CLI with credentials allowed to write to the bucket, and the bucket set up
# as a static website (index document index.html, error document 404.html); see
# docs/deploying.md. Files are uploaded with the content types browsers and STAC tools need.
set -eu
bucket="s3://{bucket}"
site="${{1:-site}}"
if [ ! -f "$site/index.html" ]; then
  echo "deploy-s3.sh: build the site first ($site/index.html is missing)" >&2
  exit 1
fi
# Everything, deleting what the new build no longer has; then the types S3 guesses wrong.
aws s3 sync "$site" "$bucket" --delete
aws s3 cp "$site" "$bucket" --recursive --exclude "*" --include "*.json" \\
  --content-type "application/json" --metadata-directive REPLACE
aws s3 cp "$site" "$bucket" --recursive --exclude "*" --include "*.geojson" \\
  --content-type "application/geo+json" --metadata-directive REPLACE
aws s3 cp "$site" "$bucket" --recursive --exclude "*" --include "*.meta4" \\
  --content-type "application/metalink4+xml" --metadata-directive REPLACE
aws s3 cp "$site" "$bucket" --recursive --exclude "*" --include "*.js" \\
  --content-type "text/javascript" --metadata-directive REPLACE
"""


def config_text() -> str:
    """A sitegen.toml with every option commented out at its default, with its help."""
    lines = ["# stac-sitegen configuration (written by `sitegen init`).",
             "# Every option is shown at its default; uncomment to change it.", ""]
    for option in Config.options():
        lines.append(f"# {option.metadata['help']}")
        default = option.default
        if default is None:
            lines.append(f"# {option.name} = ")
        elif isinstance(default, bool):
            lines.append(f"# {option.name} = {'true' if default else 'false'}")
        elif isinstance(default, str):
            # a JSON string is a valid TOML basic string (quotes and backslashes escaped)
            lines.append(f"# {option.name} = {json.dumps(default)}")
        elif isinstance(default, tuple):
            lines.append(f"# {option.name} = [{', '.join(json.dumps(v) for v in default)}]")
        else:
            lines.append(f"# {option.name} = {default}")
        lines.append("")
    return "\n".join(lines)


def init(folder: Path, source: str, github_pages: bool = False,
         s3_bucket: str | None = None) -> tuple[list[Path], list[Path]]:
    """Write the starter files into ``folder``; an existing file is kept as it is (so
    ``--s3`` can be added after ``--github-pages``, and the other way round).

    Returns:
        The files written, and the existing ones kept.

    Raises:
        OutputError: Every file already exists: there is nothing to write.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files = [(folder / "sitegen.toml", config_text())]
    if github_pages:
        files.append((folder / ".github" / "workflows" / "sitegen-pages.yml",
                      WORKFLOW.format(source=source)))
    if s3_bucket:
        files.append((folder / "deploy-s3.sh", S3_SCRIPT.format(bucket=s3_bucket,
                                                                source=source)))
    todo = [(path, text) for path, text in files if not path.exists()]
    if not todo:
        raise OutputError(f"not overwriting {', '.join(str(p) for p, _ in files)}")
    for path, text in todo:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    written = [path for path, _ in todo]
    return written, [path for path, _ in files if path not in written]
