package dev.proxyanchor.model.pretrained;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs {@code parity/make_parity_files.py} with Debian's PyTorch ({@code /usr/bin/python3}) and reads what it wrote.
 * Tests skip, naming the fix, where PyTorch is not installed.
 */
final class PyTorchReference {

    static final String PYTHON = "/usr/bin/python3";

    private final Path dir;
    private final JsonNode index;

    private PyTorchReference(Path dir, JsonNode index) {
        this.dir = dir;
        this.index = index;
    }

    /** Writes the reference files of {@code models} into {@code dir}; skips the calling test without PyTorch. */
    static PyTorchReference create(Path dir, String... models) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(dir.toString()));
        args.addAll(List.of(models));
        run(dir, "make_parity_files.py", args);
        return new PyTorchReference(dir, new ObjectMapper().readTree(dir.resolve("shapes.json").toFile()));
    }

    /** The reference files a script wrote into {@code dir}, described by {@code json} ({"shapes": {...}, ...}). */
    static PyTorchReference of(Path dir, String json) throws IOException {
        return new PyTorchReference(dir, new ObjectMapper().readTree(dir.resolve(json).toFile()));
    }

    /**
     * Runs {@code parity/<script>} with {@code args} and returns what it printed; skips the calling test without
     * PyTorch and fails it when the script fails or runs past 10 minutes.
     */
    static String run(Path dir, String script, List<String> args) throws IOException, InterruptedException {
        assumeTrue(torchAvailable(), PYTHON + " cannot import torch and torchvision: install Debian's python3-torch"
                + " and python3-torchvision (submit/setup-debian.sh does) to run the PyTorch parity tests");
        Path path;
        try {
            path = Path.of(PyTorchReference.class.getResource("/parity/" + script).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> command = new ArrayList<>(List.of(PYTHON, path.toString()));
        command.addAll(args);
        Path out = Files.createTempFile(dir, script, ".out");
        Path log = Files.createTempFile(dir, script, ".log");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("the PyTorch script ran past 10 minutes: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the PyTorch script failed (" + command + "):\n" + Files.readString(log));
        }
        return Files.readString(out);
    }

    static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch, torchvision").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    JsonNode json() {
        return index;
    }

    JsonNode json(String name) throws IOException {
        return new ObjectMapper().readTree(dir.resolve(name).toFile());
    }

    /** A float32 array the script wrote, e.g. {@code resnet50-features}. */
    INDArray array(String name) throws IOException {
        JsonNode shapeNode = index.get("shapes").get(name);
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(name + ".bin"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(values);
        return Nd4j.create(values, shape, 'c');
    }

    /** max |actual - expected| / max |expected|. */
    static double relativeError(INDArray actual, INDArray expected) {
        double scale = expected.amaxNumber().doubleValue();
        return actual.castTo(expected.dataType()).sub(expected).amaxNumber().doubleValue() / scale;
    }
}
