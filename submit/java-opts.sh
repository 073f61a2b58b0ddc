# Sourced by the submit scripts: the JVM flags every driver and executor of this job needs on Java 17.
# shellcheck shell=bash
# shellcheck disable=SC2034  # the arrays are read by the scripts that source this file

# The module openings Spark's own launcher passes on Java 17.
JAVA_MODULE_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  # The exact kNN's rescoring and BatchNorm's training passes run on SIMD lanes; without the module they fall back to
  # scalar code (the same results, slower).
  --add-modules=jdk.incubator.vector
)

JOB_SYSTEM_PROPERTIES=(
  # DL4J's training statistics otherwise ask an NTP server for the time.
  -Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource
)

# How the native thread pools wait between calls. Training alternates oneDNN (OpenMP), tiny ND4J GEMMs (OpenBLAS) and
# the Java kernels (ForkJoin) many times a step. By default an idle OpenMP worker spins for a while and an idle
# OpenBLAS worker yields in a loop for about 0.1 s, so each holds a core that the next stage needs: the small CNN
# trained 15-25% slower in one JVM on 2 cores. Both libraries read these once, when they load. A value already in
# the environment wins.
NATIVE_THREAD_ENV=(
  OMP_WAIT_POLICY=passive
  OPENBLAS_THREAD_TIMEOUT=4
)

# Exports every NATIVE_THREAD_ENV setting the environment does not already have.
export_native_thread_env() {
  local setting name
  for setting in "${NATIVE_THREAD_ENV[@]}"; do
    name="${setting%%=*}"
    [[ -n "${!name:-}" ]] || export "${setting?}"
  done
}


# Runs a command whose JVM gets --add-modules=jdk.incubator.vector, without the line
#   WARNING: Using incubator modules: jdk.incubator.vector
# that the JDK prints to stderr for it. The JDK writes it with a plain System.err.println while the module system
# boots (jdk.internal.module.ModuleBootstrap), before any code of ours or any logging configuration runs, and JDK 17
# has no option to turn it off: removing that exact line from stderr is the only place it can be dropped. Everything
# else passes through unchanged and unbuffered; the command's exit status is kept.
run_without_incubator_warning() {
  local status
  # stdout goes straight to fd 3 (the caller's stdout); only stderr passes the filter, line by line (sed -u: awk
  # as Debian ships it, mawk, would hold lines back until its input buffer fills). The filter ignores Ctrl-C so that
  # what the JVM prints while it shuts down still reaches the terminal.
  { "$@" 2>&1 1>&3 3>&- | (trap '' INT; exec sed -u '/^WARNING: Using incubator modules: jdk\.incubator\.vector$/d') \
      >&2 3>&-; status=${PIPESTATUS[0]}; } 3>&1
  return "$status"
}

# Runs a Maven build with its output kept in a log, shown only when the build fails: Maven 3.8's -q still writes
# colour resets (ESC[0m) that would otherwise start the job's first console line.
build_quietly() {
  local log status
  log="$(mktemp "${TMPDIR:-/tmp}/proxyanchor-build.XXXXXX")"
  if "$@" >"$log" 2>&1; then
    rm -f "$log"
    return 0
  else
    status=$?
    sed 's/\x1b\[[0-9;]*m//g' "$log" >&2
    rm -f "$log"
    return "$status"
  fi
}
