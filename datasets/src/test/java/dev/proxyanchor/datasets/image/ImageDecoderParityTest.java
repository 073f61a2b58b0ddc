package dev.proxyanchor.datasets.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's Pillow and torchvision as the independent truth: the images {@code parity/pil_reference.py} writes (JPEG
 * baseline and progressive, 4:2:0 / 4:2:2 / 4:4:4, greyscale, CMYK, EXIF-rotated, PNG of every colour type, odd
 * sizes) and the YCCK and CMYK files written here decode to Pillow's RGB, through both decoders wherever each reads the
 * file, and the evaluation transform is within one 8-bit level of the official code's tensor.
 */
class ImageDecoderParityTest {

    static final String PYTHON = "/usr/bin/python3";
    private static final Logger log = LoggerFactory.getLogger(ImageDecoderParityTest.class);

    @TempDir
    static Path dir;
    /** Pillow's mode of each image, by file name. */
    private static Map<String, String> modes;

    @BeforeAll
    static void writeImagesAndPillowsAnswers() throws IOException, InterruptedException, URISyntaxException {
        assumeTrue(pythonImports("PIL, torch, torchvision"), PYTHON + " cannot import PIL, torch and torchvision: "
                + "install Debian's python3-pil, python3-torch and python3-torchvision (submit/setup-debian.sh does)");
        Files.write(dir.resolve("adobe_cmyk_16x16.jpg"), FourChannelJpeg.write(new int[] {153, 255, 255, 204}, 0));
        Files.write(dir.resolve("adobe_ycck_16x16.jpg"), FourChannelJpeg.write(new int[] {179, 43, 21, 200}, 2));
        Path script = Path.of(ImageDecoderParityTest.class.getResource("/parity/pil_reference.py").toURI());
        Path log = dir.resolve("python.log");
        Process process = new ProcessBuilder(PYTHON, script.toString(), dir.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("pil_reference.py failed:\n" + Files.readString(log));
        }
        List<String> lines = Files.readAllLines(dir.resolve("pil.tsv"));
        ImageDecoderParityTest.log.info("reference: {}", lines.get(0).substring(2));
        modes = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split("\t");
            modes.put(fields[0], fields[1]);
        }
    }

    static boolean pythonImports(String modules) {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import " + modules).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<String> names() {
        return new ArrayList<>(modes.keySet());
    }

    /** The largest difference of any channel of any pixel from Pillow's RGB. */
    private static int maxDifference(RgbImage decoded, byte[] pil) {
        assertEquals(pil.length, decoded.pixels().length * 3);
        int max = 0;
        for (int i = 0; i < decoded.pixels().length; i++) {
            int p = decoded.pixels()[i];
            max = Math.max(max, Math.abs((p >>> 16 & 0xFF) - (pil[3 * i] & 0xFF)));
            max = Math.max(max, Math.abs((p >>> 8 & 0xFF) - (pil[3 * i + 1] & 0xFF)));
            max = Math.max(max, Math.abs((p & 0xFF) - (pil[3 * i + 2] & 0xFF)));
        }
        return max;
    }

    /**
     * Every decoder of the chain gives Pillow's pixels exactly wherever it reads the file (the fallback's own CMYK and
     * YCCK conversion included), but for one case OpenCV takes: a 16-bit PNG, which Pillow cuts to its high byte where
     * the JDK rounds. The system's libturbojpeg joins the chain where it is installed (setup-debian.sh installs it).
     */
    @Test
    void decodedRgbIsPillowsThroughEachDecoderThatReadsTheFile() throws IOException {
        Map<String, String> report = new TreeMap<>();
        Map<String, Integer> filesRead = new TreeMap<>();
        for (String name : names()) {
            byte[] bytes = Files.readAllBytes(dir.resolve(name));
            byte[] pil = Files.readAllBytes(dir.resolve(name + ".rgb"));
            ImageHeader header = ImageHeader.read(bytes, name);
            StringBuilder line = new StringBuilder(modes.get(name));
            for (ImageDecoder decoder : ImageDecoders.chain()) {
                if (!decoder.reads(header)) {
                    continue;
                }
                int max = maxDifference(decoder.decode(bytes, header, name), pil);
                line.append(' ').append(decoder.getClass().getSimpleName()).append(' ').append(max);
                filesRead.merge(decoder.getClass().getSimpleName(), 1, Integer::sum);
                boolean roundedSixteenBits = decoder instanceof ImageIoDecoder && name.startsWith("rgb16");
                assertTrue(max == 0 || roundedSixteenBits && max <= 1, name + " through "
                        + decoder.getClass().getSimpleName() + ": max difference " + max + " from Pillow");
            }
            report.put(name, line.toString());
            assertEquals(pil.length, ImageDecoders.decode(bytes, name).pixels().length * 3, name);
        }
        report.forEach((name, line) -> log.info("{}: {}", name, line));
        log.info("files read: {}", filesRead);
        assertTrue(filesRead.getOrDefault("OpenCvDecoder", 0) > 50, "files read: " + filesRead);
        for (ImageDecoder decoder : ImageDecoders.chain()) {
            assertTrue(filesRead.getOrDefault(decoder.getClass().getSimpleName(), 0) > 10, "files read: " + filesRead);
        }
    }

    /** The official evaluation transforms, within one 8-bit level (of 255) of torchvision's tensors. */
    @Test
    void evaluationTransformIsWithinOneLevelOfTorchvision() throws IOException {
        ImageTransform resnet = TestNormalizations.evaluation(TestNormalizations.IMAGENET);
        ImageTransform inception = TestNormalizations.evaluation(TestNormalizations.BN_INCEPTION);
        double worstResnetLevels = 0;
        double worstInceptionLevels = 0;
        for (String name : names()) {
            RgbImage image = ImageDecoders.decode(Files.readAllBytes(dir.resolve(name)), name);
            // A level is 1/255 before normalisation: 1 / (255 std) after it for ResNets, 1 for BN-Inception.
            worstResnetLevels = Math.max(worstResnetLevels,
                    maxDifference(resnet, image, dir.resolve(name + ".resnet.f32")) * 255 * 0.229);
            worstInceptionLevels = Math.max(worstInceptionLevels,
                    maxDifference(inception, image, dir.resolve(name + ".inception.f32")));
        }
        log.info("evaluation transform vs torchvision: max {} levels (ResNet), {} levels (BN-Inception)",
                worstResnetLevels, worstInceptionLevels);
        assertTrue(worstResnetLevels <= 1.001, "ResNet evaluation transform off by " + worstResnetLevels + " levels");
        assertTrue(worstInceptionLevels <= 1.001, "BN-Inception evaluation transform off by " + worstInceptionLevels
                + " levels");
    }

    private static double maxDifference(ImageTransform transform, RgbImage image, Path truth) throws IOException {
        float[] ours = new float[transform.size()];
        transform.apply(image, new SplittableRandom(0), ours, 0);
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(truth)).order(ByteOrder.LITTLE_ENDIAN);
        float[] theirs = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(theirs);
        assertEquals(theirs.length, ours.length);
        double max = 0;
        for (int i = 0; i < ours.length; i++) {
            max = Math.max(max, Math.abs(ours[i] - theirs[i]));
        }
        return max;
    }
}
