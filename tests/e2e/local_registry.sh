# Sourced: start_registry DIR [HTPASSWD_FILE] runs Debian's docker-registry
# on a free 127.0.0.1 port with its storage under DIR, and sets
# $registry_host (host:port) once /v2/ answers. Its pid is appended to
# $registry_pids: the caller's EXIT trap kills them. (Call it directly, not
# in a $(...) subshell, or the pid is lost.)
registry_pids=()

start_registry() {
    local dir=$1 htpasswd=${2:-} port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir -p "$dir"
    {
        printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n' "$dir/data"
        printf '  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:%s\n' "$port"
        [ -z "$htpasswd" ] || printf 'auth:\n  htpasswd:\n    realm: xstage-test\n    path: %s\n' "$htpasswd"
    } > "$dir/config.yml"
    docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
    registry_pids+=($!)
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && { registry_host=127.0.0.1:$port; return; }
        sleep 0.2
    done
    cat "$dir/log" >&2
    echo "FAIL: docker-registry in $dir did not start" >&2
    exit 1
}
