#!/usr/bin/env bash
# A three-node Garage cluster on loopback for the object-storage tests (tests/s3.rs):
# replication factor 3, one bucket, one key with read and write on it.
#
#   scripts/garage-cluster.sh start DIR [--owner PID]   start it; prints DIR/env (AWS_* and
#                                                       LOGSEAL_TEST_BUCKET), stops by itself
#                                                       when process PID exits
#   scripts/garage-cluster.sh stop DIR                  stop every node
#   scripts/garage-cluster.sh stop-node DIR N           stop node N (1..3), keeping its data
#   scripts/garage-cluster.sh start-node DIR N          start node N again
#
# The garage binary is taken from GARAGE_BIN, the PATH or ~/.cargo/bin (installed by
# scripts/install-test-tools.sh with `cargo install garage --locked`).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,12p' "$0" >&2; exit 2; }

garage_bin() {
    if [ -n "${GARAGE_BIN:-}" ]; then echo "$GARAGE_BIN"; return; fi
    if command -v garage >/dev/null 2>&1; then command -v garage; return; fi
    if [ -x "$HOME/.cargo/bin/garage" ]; then echo "$HOME/.cargo/bin/garage"; return; fi
    echo "garage-cluster: no garage binary (scripts/install-test-tools.sh installs it)" >&2
    exit 1
}
GARAGE=$(garage_bin)

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

g() { # g N ARGS...: the garage CLI against node N
    local n=$1; shift
    "$GARAGE" -c "$dir/node$n.toml" "$@"
}

start_node() {
    local n=$1
    RUST_LOG=warn nohup "$GARAGE" -c "$dir/node$n.toml" server \
        >>"$dir/node$n.log" 2>&1 </dev/null &
    echo $! >"$dir/node$n.pid"
}

stop_node() {
    local n=$1 pid
    [ -f "$dir/node$n.pid" ] || return 0
    pid=$(cat "$dir/node$n.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/node$n.pid"
}

case "$cmd" in
start)
    owner=""
    if [ "${3:-}" = "--owner" ]; then owner=${4:?--owner needs a PID}; fi
    mkdir -p "$dir"
    secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
    for n in 1 2 3; do
        rpc=$(free_port); s3=$(free_port); admin=$(free_port)
        mkdir -p "$dir/meta$n" "$dir/data$n"
        cat >"$dir/node$n.toml" <<EOF
metadata_dir = "$dir/meta$n"
data_dir = "$dir/data$n"
db_engine = "sqlite"
replication_factor = 3
rpc_bind_addr = "127.0.0.1:$rpc"
rpc_public_addr = "127.0.0.1:$rpc"
rpc_secret = "$secret"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$s3"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:$admin"
EOF
        echo "$s3" >"$dir/node$n.s3port"
        start_node "$n"
    done
    # Wait until every node answers, then connect them.
    for n in 1 2 3; do
        for i in $(seq 100); do
            if g "$n" node id -q >"$dir/node$n.id" 2>/dev/null; then break; fi
            [ "$i" -lt 100 ] || { echo "garage-cluster: node $n did not start (see $dir/node$n.log)" >&2; exit 1; }
            sleep 0.2
        done
    done
    for n in 2 3; do g 1 node connect "$(cat "$dir/node$n.id")" >/dev/null; done
    for n in 1 2 3; do
        id=$(cut -d@ -f1 "$dir/node$n.id")
        g 1 layout assign -z dc1 -c 1G "${id:0:16}" >/dev/null
    done
    g 1 layout apply --version 1 >/dev/null
    key_id="GK$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
    key_secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
    # The layout takes a moment to reach every node: retry the first bucket operation.
    for i in $(seq 50); do
        if g 1 bucket create logseal-test >/dev/null 2>&1; then break; fi
        [ "$i" -lt 50 ] || { g 1 bucket create logseal-test; exit 1; }
        sleep 0.2
    done
    g 1 key import -n logseal-test --yes "$key_id" "$key_secret" >/dev/null
    g 1 bucket allow --read --write --owner logseal-test --key logseal-test >/dev/null
    cat >"$dir/env" <<EOF
AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$dir/node1.s3port")
AWS_REGION=garage
AWS_ACCESS_KEY_ID=$key_id
AWS_SECRET_ACCESS_KEY=$key_secret
AWS_ALLOW_HTTP=true
LOGSEAL_TEST_BUCKET=logseal-test
EOF
    if [ -n "$owner" ]; then
        # Stop the cluster when its owner (the test process) exits, however it exits.
        nohup bash -c "while kill -0 $owner 2>/dev/null; do sleep 1; done; '$0' stop '$dir'" \
            >/dev/null 2>&1 </dev/null &
    fi
    cat "$dir/env"
    ;;
stop)
    for n in 1 2 3; do stop_node "$n"; done
    ;;
stop-node)
    stop_node "${3:?node number}"
    ;;
start-node)
    n=${3:?node number}
    start_node "$n"
    # Back in the cluster: node 1 connected to it again, every node seen up.
    for i in $(seq 150); do
        # `status` shows a node it cannot reach with an unknown hostname ("?").
        if g 1 node connect "$(cat "$dir/node$n.id")" >/dev/null 2>&1 &&
            [ "$(g 1 status 2>/dev/null | awk '/127\.0\.0\.1:/ && $2 != "?"' | wc -l)" -eq 3 ]; then
            break
        fi
        [ "$i" -lt 150 ] || { echo "garage-cluster: node $n did not rejoin" >&2; g 1 status >&2; exit 1; }
        sleep 0.2
    done
    ;;
*)
    sed -n '2,12p' "$0" >&2
    exit 2
    ;;
esac
