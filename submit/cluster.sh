#!/usr/bin/env bash
# Submits one subcommand of the job to a cluster with the cluster's own spark-submit (standalone, YARN, Kubernetes),
# with the settings this job needs: Kryo with ND4J's registrator, off-heap memory for ND4J, one task per executor,
# and on GPU clusters one GPU per executor and task.
#
#   submit/cluster.sh --master yarn --deploy-mode cluster --executors 8 --gpu -- train --dataset cub ...
#   submit/cluster.sh --master spark://host:7077 --executor-cores 4 -- evaluate --embeddings hdfs://...
#   submit/cluster.sh --master k8s://https://api:6443 --deploy-mode cluster --gpu \
#       --conf spark.kubernetes.container.image=REGISTRY/proxyanchor-spark:gpu --jar local:///opt/proxyanchor/job.jar \
#       -- train ...
#
# Options (before --; everything after -- goes to the job):
#   --master URL            passed to spark-submit (required)
#   --deploy-mode MODE      client (default) or cluster
#   --executors N           spark.executor.instances (YARN, Kubernetes)
#   --executor-cores N      cores of one executor; it runs one task at a time with all of them (default 4)
#   --executor-memory SIZE  JVM heap of an executor (default 8g)
#   --offheap SIZE          ND4J off-heap limit per executor, added to the memory overhead (default 16g)
#   --driver-memory SIZE    default 8g
#   --gpu                   one GPU per executor and per task, found by the discovery script; uses the CUDA job jar
#   --gpu-discovery PATH    discovery script as seen on the executors (default ./getGpusResources.sh, shipped with --files)
#   --jar PATH              job jar (default: spark-job/target/...-job.jar, built with mvn -Pjob-jar when missing)
#   --conf K=V              any extra Spark setting (repeatable)
# Environment: SPARK_SUBMIT (default: $SPARK_HOME/bin/spark-submit, else spark-submit on PATH).
# S3 credentials come from the standard Hadoop providers (environment, instance profile, core-site.xml), never
# from a flag of this script.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/submit/java-opts.sh"

master="" deploy_mode="client" executors="" executor_cores=4 executor_memory=8g offheap=16g driver_memory=8g
gpu=false gpu_discovery="./getGpusResources.sh" jar="" extra_conf=()

usage() { sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --master) master="$2"; shift 2 ;;
    --deploy-mode) deploy_mode="$2"; shift 2 ;;
    --executors) executors="$2"; shift 2 ;;
    --executor-cores) executor_cores="$2"; shift 2 ;;
    --executor-memory) executor_memory="$2"; shift 2 ;;
    --offheap) offheap="$2"; shift 2 ;;
    --driver-memory) driver_memory="$2"; shift 2 ;;
    --gpu) gpu=true; shift ;;
    --gpu-discovery) gpu_discovery="$2"; shift 2 ;;
    --jar) jar="$2"; shift 2 ;;
    --conf) extra_conf+=(--conf "$2"); shift 2 ;;
    -h|--help) usage 0 ;;
    --) shift; break ;;
    *) echo "cluster.sh: unknown option '$1' (job flags go after --)" >&2; usage 2 ;;
  esac
done
[[ -n "$master" ]] || { echo "cluster.sh: --master is required (yarn, spark://HOST:7077, k8s://https://HOST:PORT)" >&2; exit 2; }
[[ $# -gt 0 ]] || { echo "cluster.sh: no subcommand after -- (train, embed, evaluate, datasets, bench, info)" >&2; exit 2; }

spark_submit="${SPARK_SUBMIT:-}"
if [[ -z "$spark_submit" ]]; then
  if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]; then spark_submit="$SPARK_HOME/bin/spark-submit"
  elif command -v spark-submit >/dev/null 2>&1; then spark_submit="$(command -v spark-submit)"
  else echo "cluster.sh: no spark-submit found: set SPARK_HOME or SPARK_SUBMIT" >&2; exit 2; fi
fi

if [[ -z "$jar" ]]; then
  find_jar() { find "$root/spark-job/target" -maxdepth 1 -name 'proxyanchor-spark-job-*-job.jar' 2>/dev/null | head -n 1; }
  jar="$(find_jar)"
  if [[ -z "$jar" ]]; then
    profiles="job-jar"; [[ "$gpu" == true ]] && profiles="job-jar,cuda"
    echo "cluster.sh: building the job jar (mvn -P$profiles package) ..." >&2
    (cd "$root" && build_quietly mvn -B -q -DskipTests -P"$profiles" package)
    jar="$(find_jar)"
  fi
fi

# ND4J allocates outside the JVM heap: cap it, and tell the cluster manager the container needs that much more.
to_mib() { local v="${1,,}"; case "$v" in *g) echo $(( ${v%g} * 1024 ));; *m) echo "${v%m}";; *) echo $(( v / 1048576 ));; esac; }
offheap_mib="$(to_mib "$offheap")"
heap_mib="$(to_mib "$executor_memory")"
overhead_mib=$(( offheap_mib + 1024 ))
java_opts="${JAVA_MODULE_OPENS[*]} ${JOB_SYSTEM_PROPERTIES[*]} -Dorg.bytedeco.javacpp.maxbytes=${offheap_mib}m -Dorg.bytedeco.javacpp.maxphysicalbytes=$(( offheap_mib + heap_mib + 512 ))m"

conf=(
  --conf spark.serializer=org.apache.spark.serializer.KryoSerializer
  --conf "spark.kryo.registrator=org.nd4j.kryo.Nd4jRegistrator,dev.proxyanchor.spark.runtime.RecordKryoRegistrator"
  --conf spark.kryoserializer.buffer.max=1024m
  --conf "spark.driver.extraJavaOptions=$java_opts"
  --conf "spark.executor.extraJavaOptions=$java_opts"
  --conf spark.executor.memoryOverhead="${overhead_mib}m"
  --conf spark.executor.cores="$executor_cores"
  --conf spark.task.cpus="$executor_cores"
  --conf spark.executorEnv.OMP_NUM_THREADS="$executor_cores"
  --conf spark.locality.wait=0s
  --conf spark.plugins=dev.proxyanchor.spark.runtime.CpuKernelsPlugin
)
for setting in "${NATIVE_THREAD_ENV[@]}"; do
  conf+=(--conf "spark.executorEnv.$setting")
done
# A client-mode driver is this process's child.
export_native_thread_env
[[ -n "$executors" ]] && conf+=(--conf spark.executor.instances="$executors")
if [[ "$gpu" == true ]]; then
  conf+=(
    --conf spark.executor.resource.gpu.amount=1
    --conf spark.task.resource.gpu.amount=1
    --conf spark.executor.resource.gpu.discoveryScript="$gpu_discovery"
  )
  # The default relative path is the copy shipped into each executor's working directory; an image-local path
  # (Kubernetes) needs nothing shipped.
  if [[ "$gpu_discovery" == "./getGpusResources.sh" ]]; then
    conf+=(--files "$root/submit/getGpusResources.sh")
  fi
fi

submit_command=("$spark_submit" --master "$master" --deploy-mode "$deploy_mode"
  --driver-memory "$driver_memory" --executor-memory "$executor_memory"
  "${conf[@]}" "${extra_conf[@]}"
  --class dev.proxyanchor.spark.cli.Main "$jar" "$@")
echo "+ ${submit_command[*]}" >&2
run_without_incubator_warning "${submit_command[@]}"
