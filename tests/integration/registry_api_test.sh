#!/usr/bin/env bash
# Registry pull and push through the API against a real registry on 127.0.0.1 (Debian's
# docker-registry, no auth): push an imported image and a loaded two-layer image (with a
# whiteout), remove them, pull them back with progress, run them; a second push skips the
# blobs the registry has; pull by digest; a missing tag, an unreachable registry and a
# corrupted blob (digest mismatch) fail clearly and leave no half image; search finds the
# repository through the catalog; the docker CLI's push/pull draw progress.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
[[ -x "$BURROW_BIN_DIR/burrowd" ]] || skip "burrowd not built"
registry_prereqs
burrow_setup
start_burrowd
start_registry

run_logs() {  # run_logs IMAGE CMD-JSON -> the container's stdout
  local id
  id=$(api POST /containers/create -H 'Content-Type: application/json' -d "{\"Image\":\"$1\",\"Cmd\":$2}" | json 'd["Id"]')
  api POST "/containers/$id/start" >/dev/null
  [[ $(api_status) == 204 ]] || fail "start of $1: $(cat "$T/body")"
  api POST "/containers/$id/wait" >/dev/null
  api GET "/containers/$id/logs?stdout=1&stderr=1" | python3 -c '
import sys
d = sys.stdin.buffer.read()
while len(d) >= 8:
    n = int.from_bytes(d[4:8], "big"); sys.stdout.buffer.write(d[8:8 + n]); d = d[8 + n:]'
}

api POST "/images/create?fromSrc=-&repo=$REG/bb&tag=v1" --data-binary "@$(busybox_tar)" >/dev/null
assert_eq "$(api_status)" 200 "import"

note "push"
out=$(api POST "/images/$REG/bb/push?tag=v1")
assert_eq "$(api_status)" 200 "push status"
assert_not_contains "$out" '"error"' "push"
assert_contains "$out" '"status":"Pushing"' "push progress"
assert_contains "$out" '"progressDetail":{"current"' "push progressDetail"
assert_contains "$out" "v1: digest: sha256:" "push digest line"
digest=$(printf '%s\n' "$out" | tail -n1 | json 'd["status"].split()[2]')
out=$(api POST "/images/$REG/bb/push?tag=v1")
assert_contains "$out" "Layer already exists" "second push skips the blob"
api POST "/images/$REG/nosuch/push?tag=v1" >/dev/null
assert_eq "$(api_status)" 404 "push of a missing image"

note "a second layer with a whiteout"
# A docker-save archive (v1 layout): the busybox layer plus a layer that adds /added and
# deletes /bin/true with a whiteout.
python3 - "$(busybox_tar)" "$T/two.tar" "$REG/two" <<'PY'
import io, json, sys, tarfile, time
base, out, repo = sys.argv[1], sys.argv[2], sys.argv[3]
ids = ["a" * 64, "b" * 64]
def member(t, name, data):
    info = tarfile.TarInfo(name); info.size = len(data); info.mtime = int(time.time()); info.mode = 0o644
    t.addfile(info, io.BytesIO(data))
top = io.BytesIO()
with tarfile.open(fileobj=top, mode="w") as t:
    member(t, "added", b"layered\n")
    member(t, "bin/.wh.true", b"")
with tarfile.open(out, "w") as t:
    for i, layer in enumerate([open(base, "rb").read(), top.getvalue()]):
        j = {"id": ids[i], "created": "2024-01-0%dT00:00:00Z" % (i + 1), "container_config": {"Cmd": ["layer%d" % i]},
             "config": {"Cmd": ["sh"]}, "architecture": "amd64", "os": "linux"}
        if i: j["parent"] = ids[0]
        member(t, ids[i] + "/json", json.dumps(j).encode())
        member(t, ids[i] + "/VERSION", b"1.0")
        member(t, ids[i] + "/layer.tar", layer)
    member(t, "repositories", json.dumps({repo: {"t": ids[1]}}).encode())
PY
api POST /images/load --data-binary "@$T/two.tar" >/dev/null
assert_eq "$(api_status)" 200 "load two layers"
out=$(api POST "/images/$REG/two/push")  # no tag: every tag of the repository
assert_contains "$out" "t: digest: sha256:" "push of all tags"
assert_contains "$out" '"status":"Pushed"' "layers pushed"

note "remove, pull back, run"
api DELETE "/images/$REG/two:t" >/dev/null
api DELETE "/images/$REG/bb:v1" >/dev/null
assert_eq "$(api_status)" 200 "rmi"
api GET "/images/$REG/bb:v1/json" >/dev/null
assert_eq "$(api_status)" 404 "image gone"
out=$(api POST "/images/create?fromImage=$REG/bb&tag=v1")
assert_eq "$(api_status)" 200 "pull status"
assert_not_contains "$out" '"error"' "pull"
assert_contains "$out" '"status":"Downloading"' "pull progress"
assert_contains "$out" '"progressDetail":{"current"' "pull progressDetail"
assert_contains "$out" "Pull complete" "pull complete"
assert_contains "$out" "Digest: $digest" "pull digest"
assert_contains "$out" "Downloaded newer image for $REG/bb:v1" "pull status line"
assert_contains "$(run_logs "$REG/bb:v1" '["echo","hello from the registry"]')" "hello from the registry" "run pulled image"
out=$(api POST "/images/create?fromImage=$REG/bb:v1")
assert_contains "$out" "Image is up to date" "second pull"

out=$(api POST "/images/create?fromImage=$REG/two&tag=t")
assert_not_contains "$out" '"error"' "pull two layers"
hist=$(api GET "/images/$REG/two:t/history" | json 'len(d)')
assert_eq "$hist" 2 "two layers pulled"
assert_eq "$(run_logs "$REG/two:t" '["sh","-c","cat /added; ls /bin/true 2>/dev/null || echo whiteout-kept"]' | tr '\n' ' ')" \
  "layered whiteout-kept " "layers applied in order with their whiteouts"

out=$(api POST "/images/create?fromImage=$REG/bb@$digest")
assert_not_contains "$out" '"error"' "pull by digest"
assert_contains "$out" "Digest: $digest" "pull by digest"

note "failures"
out=$(api POST "/images/create?fromImage=$REG/bb&tag=nosuchtag")
assert_contains "$out" '"error"' "missing tag"
assert_contains "$out" "not found" "missing tag message"
dead="127.0.0.1:$(free_port)"
out=$(api POST "/images/create?fromImage=$dead/bb&tag=v1")
assert_contains "$out" "\"error\":\"registry $dead is unreachable" "unreachable registry named"

# Corrupt the committed layer's blob in the registry's storage, then pull it again.
for c in $(api GET "/containers/json?all=1" | json '" ".join(c["Id"] for c in d)'); do
  api DELETE "/containers/$c" >/dev/null
done
api DELETE "/images/$REG/two:t" >/dev/null
assert_contains "$(cat "$T/body")" '"Deleted"' "the two-layer image is gone"
layer=$(curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://$REG/v2/two/manifests/t" |
  json 'd["layers"][-1]["digest"].split(":")[1]')
blob="$REG_DIR/storage/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data"
[[ -f "$blob" ]] || fail "blob file not found at $blob"
size=$(stat -c %s "$blob")
head -c "$size" /dev/zero >"$blob"
images_before=$(api GET "/images/json?all=1" | json 'len(d)')
out=$(api POST "/images/create?fromImage=$REG/two&tag=t")
assert_contains "$out" '"error"' "corrupted blob"
assert_contains "$out" "failed digest verification" "digest mismatch reported"
assert_eq "$(api GET "/images/json?all=1" | json 'len(d)')" "$images_before" "no half image"
api GET "/images/$REG/two:t/json" >/dev/null
assert_eq "$(api_status)" 404 "the corrupted image is not tagged"
leftover=$(find "$T/state/registry-tmp" -mindepth 1 2>/dev/null | wc -l)
assert_eq "$leftover" 0 "no leftover downloads"

note "search (catalog)"
out=$(api GET "/images/search?term=$REG/b")
assert_eq "$(api_status)" 200 "search"
assert_contains "$out" "\"name\":\"$REG/bb\"" "search finds the repository"
assert_contains "$out" '"star_count":0' "search result fields"
assert_not_contains "$out" "$REG/two" "search filters by the term"

if have_docker_cli; then
  note "docker CLI push and pull"
  api POST "/images/$REG/bb:v1/tag?repo=$REG/cli&tag=c1" >/dev/null
  assert_eq "$(api_status)" 201 "tag for the CLI"
  out=$(docker_cli push "$REG/cli:c1" 2>&1) || fail "docker push: $out"
  assert_contains "$out" "c1: digest: sha256:" "docker push output"
  docker_cli rmi "$REG/cli:c1" "$REG/bb:v1" >/dev/null 2>&1 || fail "docker rmi"
  out=$(docker_cli pull "$REG/cli:c1" 2>&1) || fail "docker pull: $out"
  assert_contains "$out" "Pull complete" "docker pull progress"
  assert_contains "$out" "Downloaded newer image for $REG/cli:c1" "docker pull output"
  out=$(docker_cli pull "$REG/cli:nosuch" 2>&1) && fail "docker pull of a missing tag succeeded: $out"
  assert_contains "$out" "not found" "docker pull error"
fi
note "ok"
