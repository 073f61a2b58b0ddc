package dev.proxyanchor.spark.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No Docker engine runs here, so the images are checked for what can be checked: every instruction is one Docker
 * knows, every COPY source exists in the build context (or is the job jar the job-jar profile builds), the images
 * run as uid 185 through Spark's entrypoint; and the submit scripts pass bash -n and shellcheck (when installed).
 */
class DockerfilesTest {

    private static final Set<String> INSTRUCTIONS = Set.of("FROM", "ARG", "ENV", "RUN", "COPY", "ADD", "WORKDIR",
            "USER", "ENTRYPOINT", "CMD", "EXPOSE", "LABEL", "VOLUME", "SHELL", "HEALTHCHECK", "STOPSIGNAL", "ONBUILD");

    static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("submit/local.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** Logical instructions: continuation lines joined, comments and blanks dropped. */
    static List<String> instructions(Path dockerfile) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile)) {
            String t = line.strip();
            if (current.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
            } else {
                out.add(current.append(t).toString());
                current.setLength(0);
            }
        }
        if (!current.isEmpty()) {
            fail(dockerfile + " ends inside a continued line");
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile", "docker/Dockerfile.cpu"})
    void dockerfileParsesAndEveryCopySourceExists(String name) throws IOException {
        Path repo = repo();
        String jobJar = "spark-job/target/proxyanchor-spark-job-" + System.getProperty("project.version",
                "0.1.0-SNAPSHOT") + "-job.jar";
        List<String> instructions = instructions(repo.resolve(name));
        assertTrue(instructions.get(0).startsWith("FROM ") || instructions.get(0).startsWith("ARG "), name);
        boolean entrypoint = false;
        boolean user = false;
        for (String instruction : instructions) {
            String keyword = instruction.split("\\s+", 2)[0];
            assertTrue(INSTRUCTIONS.contains(keyword), name + ": unknown instruction '" + keyword + "'");
            if (keyword.equals("COPY") && !instruction.contains("--from=")) {
                String[] words = instruction.split("\\s+");
                for (int i = 1; i < words.length - 1; i++) {
                    String source = words[i];
                    assertTrue(source.equals(jobJar) || Files.exists(repo.resolve(source)),
                            name + ": COPY source " + source + " does not exist (and is not the job jar " + jobJar + ")");
                }
            }
            entrypoint |= instruction.equals("ENTRYPOINT [\"/opt/entrypoint.sh\"]");
            user |= instruction.equals("USER ${SPARK_UID}");
        }
        assertTrue(entrypoint, name + ": Spark's entrypoint");
        assertTrue(user, name + ": the non-root Spark uid");
        // Ubuntu's name for the runtime of libturbojpeg.so.0; without it executors decode JPEGs at half speed.
        assertTrue(instructions.stream().anyMatch(i -> i.startsWith("RUN ") && i.matches(
                ".*apt-get install [^;]*\\blibturbojpeg\\b.*")), name + " installs libturbojpeg");
    }

    /** The images set what the submit scripts export, and a value the user already has wins in the scripts. */
    @Test
    void nativeThreadSettingsReachImagesAndKeepTheUsersOwn() throws Exception {
        Path repo = repo();
        List<String> settings = bash(repo, "source submit/java-opts.sh; printf '%s\\n' \"${NATIVE_THREAD_ENV[@]}\"");
        assertTrue(settings.contains("OMP_WAIT_POLICY=passive"), settings.toString());
        for (String name : new String[] {"docker/Dockerfile", "docker/Dockerfile.cpu"}) {
            String env = String.join(" ", instructions(repo.resolve(name)).stream()
                    .filter(i -> i.startsWith("ENV ")).toList());
            for (String setting : settings) {
                assertTrue(env.contains(" " + setting), name + " sets " + setting);
            }
        }
        String first = settings.get(0).substring(0, settings.get(0).indexOf('='));
        List<String> exported = bash(repo, "unset " + String.join(" ", settings.stream()
                .map(s -> s.substring(0, s.indexOf('='))).toList()) + "; export " + first + "=mine; "
                + "source submit/java-opts.sh; export_native_thread_env; env");
        assertTrue(exported.contains(first + "=mine"), "the user's " + first + " kept");
        for (String setting : settings.subList(1, settings.size())) {
            assertTrue(exported.contains(setting), setting + " exported");
        }
    }

    /** The JDK's incubator-module line never reaches the console; all else does, in order, with the exit status. */
    @Test
    void launchersDropTheIncubatorWarningOnly() throws Exception {
        List<String> java = bashWithStderr(repo(), "source submit/java-opts.sh; "
                + "run_without_incubator_warning java --add-modules=jdk.incubator.vector -version; echo status=$?");
        assertTrue(java.stream().noneMatch(l -> l.contains("incubator")), java.toString());
        assertTrue(java.stream().anyMatch(l -> l.contains("version \"17")), java.toString());
        assertEquals("status=0", java.get(java.size() - 1));

        List<String> failing = bashWithStderr(repo(), "source submit/java-opts.sh; run_without_incubator_warning "
                + "bash -c 'echo WARNING: a real one >&2; echo out; echo error: bad flag >&2; exit 3'; echo status=$?");
        assertTrue(failing.containsAll(List.of("WARNING: a real one", "out", "error: bad flag", "status=3")),
                failing.toString());
    }

    /** The on-demand build prints nothing when it succeeds, and its log without colour codes when it fails. */
    @Test
    void theOnDemandBuildIsSilentUnlessItFails() throws Exception {
        List<String> ok = bashWithStderr(repo(), "source submit/java-opts.sh; build_quietly bash -c "
                + "'printf \"\\033[0m\\033[0m\"; echo built'; echo status=$?");
        assertEquals(List.of("status=0"), ok);
        List<String> failed = bashWithStderr(repo(), "source submit/java-opts.sh; build_quietly bash -c "
                + "'printf \"\\033[0m\"; echo \"[ERROR] COMPILATION ERROR\"; exit 1'; echo status=$?");
        assertEquals(List.of("[ERROR] COMPILATION ERROR", "status=1"), failed);
    }

    /** A progress line reaches the console while the command still runs, not when its output ends. */
    @Test
    void theLaunchersFilterPassesEachLineOnAtOnce(@TempDir Path tmp) throws Exception {
        Path go = tmp.resolve("go");
        Process p = new ProcessBuilder("bash", "-c", "source submit/java-opts.sh; run_without_incubator_warning "
                + "bash -c 'echo first >&2; while [ ! -e " + go + " ]; do sleep 0.1; done; echo second >&2'")
                .directory(repo().toFile()).redirectErrorStream(true).start();
        var lines = new BufferedReader(new InputStreamReader(p.getInputStream()));
        var first = CompletableFuture.supplyAsync(() -> {
            try {
                return lines.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            assertEquals("first", first.get(60, TimeUnit.SECONDS), "the first line waited for the command to end");
        } finally {
            Files.createFile(go);
        }
        assertEquals("second", lines.readLine());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    }

    private static List<String> bashWithStderr(Path dir, String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor(), script);
        return lines;
    }

    private static List<String> bash(Path dir, String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor(), script);
        return lines;
    }

    @Test
    void submitScriptsPassBashAndShellcheck() throws Exception {
        Path repo = repo();
        List<String> scripts = new ArrayList<>();
        try (var files = Files.list(repo.resolve("submit"))) {
            files.filter(p -> p.toString().endsWith(".sh")).forEach(p -> scripts.add(p.toString()));
        }
        for (String script : scripts) {
            assertEquals(0, exec(repo, "bash", "-n", script), "bash -n " + script);
        }
        if (exec(repo, "sh", "-c", "command -v shellcheck") == 0) {
            // From the repository root, where the scripts' sourced submit/java-opts.sh resolves.
            List<String> command = new ArrayList<>(List.of("shellcheck", "-x"));
            command.addAll(scripts);
            assertEquals(0, exec(repo, command.toArray(String[]::new)), "shellcheck " + scripts);
        }
    }

    private static int exec(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
