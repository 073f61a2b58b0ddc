#!/usr/bin/env bash
# Runs one subcommand of the job in Spark local mode, with nothing installed but Java 17 and Maven.
#
#   submit/local.sh <subcommand> [flags]             e.g. submit/local.sh train --epochs 2
#   submit/local.sh --master 'local[4]' <subcommand> [flags]
#
# Builds the job (mvn package) when it is missing or older than any source file, then runs it on the class path
# Maven resolved (Spark included), with the Java 17 module openings Spark needs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
master="${SPARK_MASTER:-local[2]}"
driver_memory="${DRIVER_MEMORY:-8g}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --master) master="$2"; shift 2 ;;
    --master=*) master="${1#--master=}"; shift ;;
    --driver-memory) driver_memory="$2"; shift 2 ;;
    *) break ;;
  esac
done

jar="$root/spark-job/target/proxyanchor-spark-job-0.1.0-SNAPSHOT.jar"
classpath_file="$root/spark-job/target/classpath.txt"

needs_build() {
  [[ -f "$jar" && -f "$classpath_file" ]] || return 0
  local newer
  newer="$(find "$root/pom.xml" "$root/model" "$root/datasets" "$root/spark-job" \
    -name target -prune -o -type f \( -name '*.java' -o -name pom.xml -o -path '*/src/main/resources/*' \) \
    -newer "$jar" -print -quit)"
  [[ -n "$newer" ]]
}

source "$root/submit/java-opts.sh"
if needs_build; then
  echo "local.sh: building the job (mvn package, tests skipped) ..." >&2
  (cd "$root" && build_quietly mvn -B -q -DskipTests package)
fi

# Local mode runs N tasks in this one JVM: give each task's native kernels (OpenMP, read once at start-up) its share
# of the cores instead of letting N thread pools fight over all of them.
if [[ -z "${OMP_NUM_THREADS:-}" && "$master" =~ ^local\[([0-9]+|\*)\]$ ]]; then
  slots="${BASH_REMATCH[1]}"; cores="$(nproc)"
  [[ "$slots" == "*" ]] && slots="$cores"
  export OMP_NUM_THREADS=$(( cores / slots > 0 ? cores / slots : 1 ))
fi
export_native_thread_env
# Local mode talks to itself only.
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

run_without_incubator_warning java -Xmx"$driver_memory" "${JAVA_MODULE_OPENS[@]}" "${JOB_SYSTEM_PROPERTIES[@]}" \
  -Dspark.master="$master" \
  -cp "$jar:$(cat "$classpath_file")" \
  dev.proxyanchor.spark.cli.Main "$@"
