#!/usr/bin/env bash
# A Ballista cluster on loopback from this project's own binary: one
# scheduler (`cctns-audit scheduler`) and two executors (`cctns-audit
# executor`), each a separate process.
#
#   scripts/ballista-cluster.sh start    starts them, waits until the scheduler
#                                        answers and both executors poll it,
#                                        prints the --engine address
#   scripts/ballista-cluster.sh stop     stops them by their process ids
#   scripts/ballista-cluster.sh status   says which run
#
# Settings (environment):
#   CCTNS_AUDIT       the binary (default: the release build in
#                     $CARGO_TARGET_DIR, else target/release)
#   BALLISTA_DIR      pid files, logs and shuffle folders
#                     (default: ${TMPDIR:-/tmp}/cctns-ballista)
#   BALLISTA_PORT     the scheduler's port (default 50050); the executors take
#                     the next four (Flight and gRPC each)
#   BALLISTA_TASKS    tasks per executor (default 1: two executors share the cores)
#   BALLISTA_MEMORY   --memory-limit of each executor (default: none)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${CCTNS_AUDIT:-${CARGO_TARGET_DIR:-$here/target}/release/cctns-audit}"
dir="${BALLISTA_DIR:-${TMPDIR:-/tmp}/cctns-ballista}"
port="${BALLISTA_PORT:-50050}"
tasks="${BALLISTA_TASKS:-1}"
host=127.0.0.1
export RUST_LOG="${RUST_LOG:-warn,cctns_audit=info,ballista_executor=info,ballista_scheduler=info}"

die() { echo "ballista-cluster: $*" >&2; exit 2; }

# Whether something accepts connections on $host:$1.
listening() { (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null; }

# Whether the process in pid file $1 is alive.
alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Waits up to $2 seconds for command $1 (a string, evaluated) to hold.
wait_for() {
    local what="$1" seconds="$2" waited=0
    until eval "$what"; do
        ((waited++ < seconds * 10)) || return 1
        sleep 0.1
    done
}

start_one() {
    local name="$1"
    shift
    if alive "$dir/$name.pid"; then die "$name already runs (pid $(cat "$dir/$name.pid")); stop it first"; fi
    "$bin" "$@" </dev/null >"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
}

start() {
    [[ -x "$bin" ]] || die "no binary at $bin; build it (cargo build --release) or set CCTNS_AUDIT"
    mkdir -p "$dir"
    if listening "$port"; then die "port $port is taken; set BALLISTA_PORT"; fi
    start_one scheduler scheduler --bind "$host" --port "$port"
    if ! wait_for "listening $port" 60; then
        tail -n 5 "$dir/scheduler.log" >&2 || true
        stop
        die "the scheduler did not listen on $host:$port within 60 s (log: $dir/scheduler.log)"
    fi
    local memory=()
    [[ -n "${BALLISTA_MEMORY:-}" ]] && memory=(--memory-limit "$BALLISTA_MEMORY")
    for n in 1 2; do
        local flight=$((port + 2 * n - 1)) grpc=$((port + 2 * n))
        mkdir -p "$dir/executor-$n"
        start_one "executor-$n" executor --scheduler "$host:$port" --bind "$host" \
            --port "$flight" --grpc-port "$grpc" --concurrent-tasks "$tasks" \
            --work-dir "$dir/executor-$n" "${memory[@]}"
    done
    for n in 1 2; do
        if ! wait_for "grep -qE 'Executor registration succeed|Starting poll work loop' '$dir/executor-$n.log'" 60; then
            tail -n 5 "$dir/executor-$n.log" >&2 || true
            stop
            die "executor $n did not reach the scheduler within 60 s (log: $dir/executor-$n.log)"
        fi
    done
    echo "ballista://$host:$port"
}

stop() {
    local name pid
    for name in executor-2 executor-1 scheduler; do
        [[ -f "$dir/$name.pid" ]] || continue
        pid="$(cat "$dir/$name.pid")"
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            if ! wait_for "! kill -0 $pid 2>/dev/null" 10; then
                kill -KILL "$pid" 2>/dev/null || true
                wait_for "! kill -0 $pid 2>/dev/null" 5 || echo "ballista-cluster: $name (pid $pid) did not stop" >&2
            fi
        fi
        rm -f "$dir/$name.pid"
    done
}

status() {
    local name running=0
    for name in scheduler executor-1 executor-2; do
        if alive "$dir/$name.pid"; then
            echo "$name runs (pid $(cat "$dir/$name.pid"))"
            running=1
        else
            echo "$name does not run"
        fi
    done
    ((running)) || return 1
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: $0 start|stop|status" ;;
esac
