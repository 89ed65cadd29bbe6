"""Command line: parse options, call one core function, map errors to exit codes.

Exit codes: 0 built (warnings allowed), 1 build failed (or warnings with
``--strict``), 2 usage error.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from sitegen import __version__
from sitegen.config import find_config_file, load_config
from sitegen.errors import SitegenError
from sitegen.reporter import Diagnostic, Reporter, href_text

app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Turn a static STAC catalog into a crawlable static website.",
)
# soft_wrap: a message stays on one line whatever the terminal width, so logs can be grepped
err = Console(stderr=True, highlight=False, soft_wrap=True)
MAX_SHOWN_WARNINGS = 200


class ConsoleReporter(Reporter):
    """Shows warnings and a progress bar on stderr."""

    def __init__(self) -> None:
        super().__init__()
        self._progress: Progress | None = None
        self._task: Any = None

    def _show(self, diag: Diagnostic) -> None:
        shown = len(self.warnings)
        if shown <= MAX_SHOWN_WARNINGS:
            err.print(f"[yellow]warning:[/] {_escape(str(diag))}", emoji=False)
        elif shown == MAX_SHOWN_WARNINGS + 1:
            err.print("[yellow]warning:[/] more warnings not shown; see the summary")

    def warn(self, file: str, message: str, href: object = None) -> None:
        self.warnings.append(Diagnostic(file, message, href_text(href)))
        self._show(self.warnings[-1])

    def add_diagnostics(self, diags: list[Diagnostic]) -> None:
        for diag in diags:
            self.warnings.append(diag)
            self._show(diag)

    def progress_start(self, total: int) -> None:
        if total == 0:
            return
        self._progress = Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err, transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("Item pages", total=total)

    def progress_advance(self, n: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def progress_stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stac-sitegen {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Turn a static STAC catalog into a crawlable static website."""


@app.command()
def build(
    source: Annotated[str | None, typer.Argument(
        help="catalog.json / collection.json, a folder holding one, or an http(s) URL. "
             "Default: the bundled sample catalog.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Output folder (default: ./site).")] = None,
    base_url: Annotated[str | None, typer.Option(
        help="Absolute URL the site will be published at.")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", help="Config file (default: ./sitegen.toml or [tool.sitegen] in "
                               "./pyproject.toml).")] = None,
    theme: Annotated[Path | None, typer.Option(help="Theme folder overriding the default.")]
    = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on any warning.")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1,
                                             help="Worker processes (default: all cores).")]
    = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="Maps use the bundled world layer only, never tiles.")] = False,
    watch: Annotated[bool, typer.Option(
        "--watch", help="After building, rebuild whenever the catalog, config or theme "
                        "changes (Ctrl-C stops).")] = False,
    timings: Annotated[bool, typer.Option(
        "--timings", help="Print the seconds spent in each step of the build.")] = False,
) -> None:
    """Build the site."""
    from sitegen.build import build as run_build

    logging.basicConfig(level=logging.ERROR)
    reporter = ConsoleReporter()
    try:
        config_path = config if config is not None else find_config_file(Path.cwd())
        cfg, diags = load_config(config_path, {
            "output": str(output) if output is not None else None,
            "base_url": base_url,
            "theme": str(theme) if theme is not None else None,
            "strict": True if strict else None,
            "jobs": jobs,
            "offline": True if offline else None,
        })
        reporter.add_diagnostics(diags)
        if cfg.base_url is None:
            reporter.warn("", "no base URL (--base-url): canonical URLs, sitemap.xml, "
                              "absolute URLs in JSON-LD and self links are left out")
        result = run_build(source, cfg, reporter)
    except SitegenError as exc:
        reporter.progress_stop()
        err.print(f"[red]error:[/] {_escape(str(exc))}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        reporter.progress_stop()
        err.print("[red]interrupted:[/] the previous site was kept")
        raise typer.Exit(130) from None
    _summary(result)
    if timings:
        for phase, seconds in result.phases.items():
            err.print(f"  {seconds:7.2f} s  {_escape(phase)}", highlight=False)
    if watch:
        _watch_and_rebuild(source, cfg, config_path, theme)


def _watch_and_rebuild(source: str | None, cfg: Any, config_path: Path | None,
                       theme: Path | None) -> None:
    from sitegen.build import build as run_build
    from sitegen.build import bundled_source
    from sitegen.sources import is_url
    from sitegen.watch import Watcher

    if source is not None and is_url(source):
        err.print("the source is a URL: there is nothing to watch")
        return
    local = Path(source or bundled_source())
    paths = [local if local.is_dir() else local.parent]
    paths += [p for p in (config_path, theme) if p is not None]

    def rebuild() -> None:
        try:
            _summary(run_build(source, cfg, ConsoleReporter()))
        except SitegenError as exc:
            err.print(f"[red]error:[/] {_escape(str(exc))} (the previous site was kept)")

    watcher = Watcher(paths, rebuild, ignore=(Path(cfg.output).resolve(),))
    watcher.start()
    err.print("watching for changes; Ctrl-C stops")
    try:
        while True:
            # short sleeps: Ctrl-C may be delivered to a watcher thread, and the main
            # thread notices it only once it wakes up
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()


def _summary(result: Any) -> None:
    pages = result.pages
    parts = [f"{pages.get(k, 0)} {k} page{'s' if pages.get(k, 0) != 1 else ''}"
             for k in ("catalog", "collection", "item")]
    update = ""
    if result.updated is not None:
        written, removed = result.updated
        update = f" (updated: {written} written, {removed} removed)"
    err.print(
        f"Built {', '.join(parts)} in {result.seconds:.1f} s · "
        f"{result.warnings} warning{'s' if result.warnings != 1 else ''} · "
        f"{result.files} files, {result.bytes / 1e6:.1f} MB{update} → "
        f"{_escape(str(result.output))}",
        highlight=False,
    )


@app.command()
def serve(
    source: Annotated[str | None, typer.Argument(
        help="catalog.json / collection.json, a folder holding one, or an http(s) URL. "
             "Default: the bundled sample catalog.")] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(
        help="Address to listen on. Anything but 127.0.0.1 exposes the site to your "
             "network: give it explicitly.")] = "127.0.0.1",
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Config file.")] = None,
    theme: Annotated[Path | None, typer.Option(help="Theme folder.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1)] = None,
) -> None:
    """Build, serve on 127.0.0.1 and rebuild on every change; open pages reload."""
    from sitegen.build import build as run_build
    from sitegen.serve import Server

    logging.basicConfig(level=logging.ERROR)
    try:
        config_path = config if config is not None else find_config_file(Path.cwd())
        cfg, diags = load_config(config_path, {
            "theme": str(theme) if theme is not None else None, "jobs": jobs})
        for diag in diags:
            err.print(f"[yellow]warning:[/] {_escape(str(diag))}")
        watch_paths = tuple(p for p in (config_path, Path(cfg.theme) if cfg.theme else None)
                            if p is not None)
        server = Server(source, cfg, run_build, host=host, port=port,
                        watch_paths=watch_paths, say=lambda text: err.print(_escape(text)))
    except SitegenError as exc:
        err.print(f"[red]error:[/] {_escape(str(exc))}")
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"[red]error:[/] cannot listen on {host}:{port}: {exc.strerror}")
        raise typer.Exit(1) from None
    server.start()  # the first build; Ctrl-C during it ends the command like a build's
    try:
        bound_host, bound_port = server.address
        err.print(f"serving on http://{bound_host}:{bound_port}/ (Ctrl-C stops)")
        while True:
            time.sleep(0.5)  # (short: see _watch_and_rebuild)
    except KeyboardInterrupt:
        err.print("stopping")
    finally:
        server.stop()


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Where to write the files.")] = Path("."),
    source: Annotated[str, typer.Option(
        help="The catalog the deploy files build.")] = "catalog.json",
    github_pages: Annotated[bool, typer.Option(
        "--github-pages", help="Also write a GitHub Actions workflow that publishes the "
                               "site on GitHub Pages.")] = False,
    s3: Annotated[str | None, typer.Option(
        "--s3", metavar="BUCKET", help="Also write deploy-s3.sh for this S3 bucket.")] = None,
) -> None:
    """Write a commented sitegen.toml (and deploy files)."""
    from sitegen.init import init as run_init

    try:
        written, kept = run_init(folder, source, github_pages, s3)
    except SitegenError as exc:
        err.print(f"[red]error:[/] {_escape(str(exc))}")
        raise typer.Exit(1) from None
    for path in written:
        err.print(f"wrote {_escape(str(path))}")
    for path in kept:
        err.print(f"kept the existing {_escape(str(path))}")


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="sitegen")
    except SystemExit as exc:
        sys.exit(exc.code)
