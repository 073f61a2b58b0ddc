package dev.proxyanchor.datasets;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** Real image files for fixtures, written with ImageIO. */
public final class TestImages {

    private TestImages() {}

    /** A smooth colour pattern with noise, so JPEG has something to encode. */
    public static BufferedImage pattern(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int base = random.nextInt(256);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (base + x * 3) & 0xFF;
                int g = (y * 5 + random.nextInt(8)) & 0xFF;
                int b = (x + y + base) & 0xFF;
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    public static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, bytes)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes a JPEG whose size varies with the seed (between 24 and 71 pixels a side). */
    public static void writeJpeg(Path file, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        write(file, encode(pattern(24 + random.nextInt(48), 24 + random.nextInt(48), seed), "jpg"));
    }

    public static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void writeText(Path file, String text) {
        write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
