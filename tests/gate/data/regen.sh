#!/bin/sh
# Regenerate the gate's patch data from fixtures/minikvm (run after the
# fixture changes; tests/gate/test_data.py says when):
#   kvm-usage-lock.patch  diff -ruN before after (the fix)
#   series.mbox           git format-patch of [1/2] after->before (reintroduces
#                         the cycle) and [2/2] before->after (fixes it again),
#                         with a cover letter, as a list would carry it
set -eu
data=$(cd "$(dirname "$0")" && pwd)
kvm=$(cd "$data/../../../fixtures/minikvm" && pwd)
(cd "$kvm" && diff -ruN before after) > "$data/kvm-usage-lock.patch" || [ $? -eq 1 ]
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_AUTHOR_NAME="Gate Test" GIT_AUTHOR_EMAIL=gate@example.org
export GIT_COMMITTER_NAME="Gate Test" GIT_COMMITTER_EMAIL=gate@example.org
export GIT_AUTHOR_DATE=2024-01-01T00:00:00Z GIT_COMMITTER_DATE=2024-01-01T00:00:00Z
snap() { find "$tmp" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +; cp -R "$1"/. "$tmp"/; git -C "$tmp" add -A; }
git -C "$tmp" init -q -b main
snap "$kvm/after";  git -C "$tmp" commit -q -m "minikvm: after the fix"
snap "$kvm/before"; git -C "$tmp" commit -q -m "KVM: protect kvm_usage_count with kvm_lock again" \
    -m "Takes kvm_lock inside cpu_hotplug_lock: closes the 4-lock cycle."
snap "$kvm/after";  git -C "$tmp" commit -q -m "KVM: use a dedicated kvm_usage_lock" \
    -m "As upstream 44d17459: kvm_usage_count gets its own mutex."
git -C "$tmp" format-patch -q --stdout --cover-letter HEAD~2 > "$data/series.mbox"
