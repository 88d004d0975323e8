#!/usr/bin/env bash
# Starts the openterface pipeline workflow (.github/workflows/pipeline.yml) on
# GitHub with gh, with the workflow's inputs, and prints the run's URL.
set -euo pipefail

usage() {
    cat <<'HELP'
Usage: scripts/trigger-aarch64-build.sh [OPTIONS]

Starts the "openterface pipeline" workflow through `gh workflow run` and
prints the URL of the run it started.

Options:
  --qt VERSION         Qt version: 6.5.3 (default) or 6.4.2
  --ffmpeg VERSION     FFmpeg version: 6.1.1 (default) or 5.1.9
  --app-ref REF        OpenterfaceQT tag built as the app (default 0.4.3)
  --rebuild "STAGES"   stages to build again even when cached, e.g. "qtbase ffmpeg"
  --ref BRANCH         the branch whose workflow runs (default: the current one)
  --repo OWNER/NAME    the repository (default: gh's for this checkout)
  -h, --help           this help

Needs the GitHub CLI (gh), logged in (gh auth login).
HELP
}

qt=6.5.3 ffmpeg=6.1.1 app_ref=0.4.3 rebuild="" ref="" repo_args=()
while [ $# -gt 0 ]; do
    case $1 in
    --qt) qt=$2; shift 2 ;;
    --ffmpeg) ffmpeg=$2; shift 2 ;;
    --app-ref) app_ref=$2; shift 2 ;;
    --rebuild) rebuild=$2; shift 2 ;;
    --ref) ref=$2; shift 2 ;;
    --repo) repo_args=(--repo "$2"); shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "trigger-aarch64-build: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
case $qt in 6.5.3 | 6.4.2) ;; *) echo "trigger-aarch64-build: --qt $qt: choose 6.5.3 or 6.4.2" >&2; exit 2 ;; esac
case $ffmpeg in 6.1.1 | 5.1.9) ;; *) echo "trigger-aarch64-build: --ffmpeg $ffmpeg: choose 6.1.1 or 5.1.9" >&2; exit 2 ;; esac

command -v gh >/dev/null || { echo "trigger-aarch64-build: gh (the GitHub CLI) is not installed: https://cli.github.com" >&2; exit 1; }
gh auth status >/dev/null 2>&1 || { echo "trigger-aarch64-build: gh is not logged in: run gh auth login" >&2; exit 1; }
[ -n "$ref" ] || ref=$(git rev-parse --abbrev-ref HEAD)

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
gh workflow run pipeline.yml "${repo_args[@]}" --ref "$ref" \
    -f qt_version="$qt" -f ffmpeg_version="$ffmpeg" -f openterface_ref="$app_ref" -f rebuild="$rebuild"
# gh workflow run prints nothing about the run it starts: find it.
for _ in $(seq 20); do
    url=$(gh run list "${repo_args[@]}" --workflow pipeline.yml --branch "$ref" --event workflow_dispatch \
        --created ">=$started" --limit 1 --json url --jq '.[0].url // empty')
    [ -n "$url" ] && { echo "$url"; exit 0; }
    sleep 3
done
echo "trigger-aarch64-build: started, but the run did not show up yet: gh run list --workflow pipeline.yml" >&2
exit 1
